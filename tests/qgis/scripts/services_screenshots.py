"""Run inside the real QGIS (qgis --code) by run_services_screenshots.py: import, to-check list, algorithm,
COPIL map with the sites far from a school. PNGs into $RESORPTION_SHOTS, errors into errors.txt."""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QDate, QTimer
from qgis.PyQt.QtWidgets import QDialogButtonBox, QDockWidget
from qgis.utils import iface, plugins

from in_qgis import grab, settle

PACKAGE = "resorption_sig.plugin"
shots = Path(os.environ["RESORPTION_SHOTS"])
folder = Path(os.environ["RESORPTION_FOLDER"])
errors = []


def module(name):
    return importlib.import_module("%s.%s" % (PACKAGE, name))


def save(widget, name):
    grab(widget, shots / (name + ".png"), 0.8)


def services_dock():
    manager = plugins["resorption_sig"].dock_manager
    return next(d for d in manager.docks if d.table_name == "services")


def run():
    try:
        window = iface.mainWindow()
        window.setGeometry(0, 0, 1366, 768)
        plugins["resorption_sig"].store_actions.open_store(os.environ["RESORPTION_DEMO_STORE"])
        settle(2)
        dock = services_dock()
        # The Services dock alone on the right, the browser folded: what an officer checking services sees.
        for other in window.findChildren(QDockWidget):
            if other is not dock and other.objectName() not in ("Layers",) and other.isVisible():
                other.hide()
        dock.show()
        dock.raise_()
        layer = dock.layer
        import_module = module("layers.service_import")
        association = import_module.model.Preset(
            "association", "Liste d'association", source="Association Rives", x="lon", y="lat",
            columns={"name": "Nom", "category": "Type", "opening_hours": "Horaires", "languages": "Langues"})
        import_module.import_services(layer, import_module.open_file(str(folder / "services_association.csv")),
                                      association)

        dialog_class = module("gui.services_import_dialog").ServicesImportDialog
        dialog = dialog_class(layer, window)
        dialog.file_widget.setFilePath(str(folder / "fr-en-annuaire-education.csv"))
        dialog.source_changed()
        dialog.show()
        save(dialog, "services_import_correspondance")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        save(dialog, "services_import_termine")
        dialog.close()

        # Half of them were checked last month: the others are « à vérifier ».
        layer.startEditing()
        index = layer.fields().indexOf("verified_at")
        for position, feature in enumerate(layer.getFeatures()):
            if position % 2:
                layer.changeAttributeValue(feature.id(), index, QDate.currentDate().addMonths(-1))
        layer.commitChanges()
        dock.flush()
        iface.mapCanvas().setExtent(iface.mapCanvas().mapSettings().layerExtentToOutputExtent(
            layer, layer.extent()).buffered(1500))
        save(window, "services_a_verifier")

        import processing
        sites = next(l for l in QgsProject.instance().mapLayers().values()
                     if l.customProperty("resorption/table") == "sites")
        parameters = {"SITES": sites, "SERVICES": layer, "OUTPUT": "TEMPORARY_OUTPUT",
                      "SUMMARY": "TEMPORARY_OUTPUT"}
        algorithm_dialog = processing.createAlgorithmDialog("resorption:services_distance", parameters)
        algorithm_dialog.show()
        save(algorithm_dialog, "services_algorithme")
        algorithm_dialog.close()
        processing.runAndLoadResults("resorption:services_distance", parameters)
        save(window, "services_distances_carte")

        store = module("store").open_store(os.environ["RESORPTION_DEMO_STORE"])
        content = module("layout.content")
        made = module("layout.copil").build(store, content.Request("93"), QgsProject.instance())
        module("layout.copil_services").add_services(made, store, QgsProject.instance(), "school")
        module("layout.copil").export_pdf(made.layout, str(folder / "copil_services.pdf"))
    except Exception:  # written for the launcher, which fails on it
        errors.append(traceback.format_exc())
    (shots / "errors.txt").write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1500, run)
