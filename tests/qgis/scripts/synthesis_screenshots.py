"""Run inside the real QGIS (qgis --code) by run_synthesis_screenshots.py.

Opens $RESORPTION_DEMO_STORE through the installed plugin, creates the Synthèse dock
and the history panel (SynthesisManager), edits one site twice through its layer (a
move and a new population figure, as an officer would), and saves PNGs into
$RESORPTION_SHOTS; errors go to $RESORPTION_SHOTS/synthesis_errors.txt. Then quits.
"""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsFeatureRequest, QgsGeometry, QgsPointXY
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext
from qgis.PyQt.QtCore import QDate, Qt, QTimer
from qgis.PyQt.QtWidgets import QTabWidget
from qgis.utils import iface, plugins

from in_qgis import grab, settle

PACKAGE = "resorption_sig.plugin"
store_path = os.environ["RESORPTION_DEMO_STORE"]
shots = Path(os.environ["RESORPTION_SHOTS"])
errors = []
state = {}


def module(name):
    return importlib.import_module("%s.%s" % (PACKAGE, name))


def save(widget, name, dock=None):
    grab(widget, shots / (name + ".png"), 0.8, dock.is_busy if dock is not None else lambda: False)


def edit_site(sites):
    """Two saved edits of one open site: moved 150 m, then two more people."""
    request = QgsFeatureRequest().setFilterExpression("\"status\" = 'open' AND \"population_total\" >= 20")
    feature = next(sites.getFeatures(request))
    point = feature.geometry().asPoint()
    sites.startEditing()
    sites.changeGeometry(feature.id(), QgsGeometry.fromPointXY(QgsPointXY(point.x() + 0.002, point.y() + 0.0008)))
    if not sites.commitChanges():
        raise RuntimeError("; ".join(sites.commitErrors()))
    sites.startEditing()
    sites.changeAttributeValue(feature.id(), sites.fields().indexOf("population_total"),
                               feature["population_total"] + 2)
    if not sites.commitChanges():
        raise RuntimeError("; ".join(sites.commitErrors()))
    return feature.id(), point


def form_history_tab(layer, feature):
    """The site's form, on its "Historique" tab (HTML written by resorption_history_html)."""
    context = QgsAttributeEditorContext()
    context.setMapCanvas(iface.mapCanvas())
    dialog = QgsAttributeDialog(layer, feature, False, iface.mainWindow(), True, context)
    dialog.resize(760, 560)
    dialog.show()
    tabs = dialog.findChild(QTabWidget)
    names = [tabs.tabText(i) for i in range(tabs.count())]
    if "Historique" not in names:
        raise RuntimeError("no Historique tab: %s; config: %s" % (
            names, [t.name() for t in layer.editFormConfig().tabs()]))
    tabs.setCurrentIndex(names.index("Historique"))
    settle(1.5)
    save(dialog, "formulaire_site_historique")
    dialog.reject()


def run():
    try:
        window = iface.mainWindow()
        window.setGeometry(0, 0, 1366, 768)   # a préfecture laptop's screen
        plugins["resorption_sig"].store_actions.open_store(store_path)
        settle(1.5)
        manager = module("gui.synthesis_manager").SynthesisManager(iface)
        manager.create()
        state["manager"] = manager
        dock = manager.synthesis_dock
        loader = module("layers.loader")
        layers = next(iter(loader.store_layers().values()))
        sites = layers["sites"]
        dock.setFloating(True)
        dock.resize(460, 660)   # the height the dock gets on that screen
        dock.show()
        dock.territory_box.setCurrentIndex(dock.territory_box.findData("departement"))
        dock.place_box.setCurrentIndex(dock.place_box.findData("93"))
        save(dock, "synthese_dock", dock)
        dock.compare_edit.setDate(QDate(QDate.currentDate().year() - 1, 12, 31))
        dock.compare_check.setChecked(True)
        save(dock, "synthese_comparaison", dock)

        fid, point = edit_site(sites)
        canvas = iface.mapCanvas()
        centre = canvas.mapSettings().layerToMapCoordinates(sites, point)
        canvas.setCenter(centre)
        canvas.zoomScale(6000)
        dock.setFloating(False)
        history = manager.history_dock
        iface.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, history)
        history.show_feature(sites, fid)
        history.versions.expandAll()
        save(window, "historique_carte")
        history.setFloating(True)
        history.resize(560, 620)
        history.versions.setCurrentItem(history.versions.topLevelItem(2))
        save(history, "historique_panneau")
        manager.show_activity()
        save(history, "historique_activite")
        form_history_tab(sites, sites.getFeature(fid))
    except Exception:
        errors.append(traceback.format_exc())
    (shots / "synthesis_errors.txt").write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1000, run)
