"""Run inside the real QGIS (qgis --code) by run_dock_screenshots.py: screenshots of the docks, forms and styles.

Opens $RESORPTION_DEMO_STORE through the installed plugin, creates the docks
(DockManager), and saves PNGs into $RESORPTION_SHOTS; errors go to
$RESORPTION_SHOTS/errors.txt. Then quits QGIS.
"""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsExpressionContextUtils
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QTabWidget
from qgis.utils import iface, plugins

from in_qgis import grab

PACKAGE = "resorption_sig.plugin"
store_path = os.environ["RESORPTION_DEMO_STORE"]
shots = Path(os.environ["RESORPTION_SHOTS"])
errors = []


def module(name):
    return importlib.import_module("%s.%s" % (PACKAGE, name))


def save(widget, name):
    grab(widget, shots / (name + ".png"))


def form_tabs(dock, feature, prefix, tabs):
    """The form as the dock opens it (« Modifier »)."""
    layer = dock.layer
    dialog = dock.open_form(feature, adding=False)
    dialog.resize(760, 600)   # fits a 1366×768 laptop screen
    tab_widget = dialog.findChild(QTabWidget)
    for index in range(tab_widget.count()):
        caption = tab_widget.tabText(index)
        if caption in tabs:
            tab_widget.setCurrentIndex(index)
            save(dialog, "%s_%s" % (prefix, tabs[caption]))
    dialog.reject()
    layer.rollBack()


def run():
    try:
        window = iface.mainWindow()
        # The whole 1366×768 screen of most préfecture laptops (Xvfb has no window manager to maximise).
        window.setGeometry(0, 0, 1366, 768)
        QgsExpressionContextUtils.setGlobalVariable("resorption_justice", 1)
        plugins["resorption_sig"].store_actions.open_store(store_path)
        plugin = plugins["resorption_sig"]
        sites_dock, terrains_dock = plugin.dock_manager.docks[:2]  # the plugin's own docks
        loader = module("layers.loader")
        layers = next(iter(loader.store_layers().values()))
        sites, terrains = layers["sites"], layers["insertion_sites"]
        canvas = iface.mapCanvas()
        extent = canvas.mapSettings().layerExtentToOutputExtent(sites, sites.extent())
        extent.scale(1.1)
        canvas.setExtent(extent)
        sites_dock.show()
        sites_dock.raise_()
        save(window, "dock_sites")
        sites_dock.search.setText("saint")
        save(sites_dock, "dock_sites_recherche")
        sites_dock.search.setText("")
        sites_dock.out_of_date_box.setChecked(True)
        save(sites_dock, "dock_sites_a_mettre_a_jour")
        sites_dock.out_of_date_box.setChecked(False)

        styles = {"sites_categorized": "style_sites_defaut", "sites_heatmap": "style_sites_chaleur",
                  "sites_by_status": "style_sites_statut", "sites_by_closure": "style_sites_fermeture"}
        sites_dock.status_combo.setCurrentIndex(sites_dock.status_combo.findData("all"))
        for name, shot in styles.items():
            sites_dock.style_combo.setCurrentIndex(sites_dock.style_combo.findData(name))
            sites_dock.apply_chosen_style()
            save(canvas, shot)
        sites_dock.style_combo.setCurrentIndex(0)
        sites_dock.apply_chosen_style()
        sites_dock.status_combo.setCurrentIndex(sites_dock.status_combo.findData("open"))

        first = sites_dock.model.shown[0].fid
        sites_dock.select_fids([first])
        save(window, "dock_sites_selection")
        form_tabs(sites_dock, sites.getFeature(first), "formulaire_site", {
            "Lieu": "localisation", "Site": "site", "Habitants": "habitants",
            "Vie": "conditions_de_vie", "Justice": "procedures"})
        # A closed site whose outcomes were recorded: the Fermeture tab and the dialog that corrects it.
        outcomes = sites_dock.related["site_closing_outcomes"]
        closed_uuid = next(outcomes.getFeatures())["site_uuid"]
        closed = next(sites.getFeatures("\"uuid\" = '%s'" % closed_uuid))
        form_tabs(sites_dock, closed, "formulaire_site", {"Fermeture": "fermeture"})
        edits = module("layers.edits")
        dialog = module("gui.close_dialog").CloseSiteDialog(
            edits.store_row(sites, closed), edits.closing_outcomes(outcomes, closed_uuid), window)
        dialog.show()
        save(dialog, "dialogue_fermeture")
        dialog.reject()

        terrains_dock.show()
        terrains_dock.raise_()
        extent = canvas.mapSettings().layerExtentToOutputExtent(terrains, terrains.extent())
        extent.scale(3)
        canvas.setExtent(extent)
        terrain = terrains_dock.model.shown[0].fid
        terrains_dock.select_fids([terrain])
        terrains_dock.details.setCurrentIndex(0)
        save(window, "dock_terrains_phases")
        terrains_dock.details.setCurrentIndex(1)
        save(terrains_dock, "dock_terrains_origines")
        terrains_dock.details.setCurrentIndex(2)
        save(terrains_dock, "dock_terrains_pieces_jointes")
        sites.removeSelection()
        terrains.removeSelection()
        # One terrain with the sites around it: hatching and labels readable.
        extent = canvas.mapSettings().layerExtentToOutputExtent(terrains, terrains.getFeature(terrain).geometry()
                                                                .boundingBox())
        extent.scale(2.5)
        canvas.setExtent(extent)
        for name, shot in (("insertion_sites", "style_terrains_defaut"),
                           ("insertion_sites_by_status", "style_terrains_statut")):
            terrains_dock.style_combo.setCurrentIndex(terrains_dock.style_combo.findData(name))
            terrains_dock.apply_chosen_style()
            save(canvas, shot)
        form_tabs(terrains_dock, terrains.getFeature(terrain), "formulaire_terrain", {
            "Terrain": "terrain", "Capacité": "capacite", "Équipements": "equipements",
            "Phases préparatoires": "phases", "Origines des ménages": "origines"})
    except Exception:  # written for the launcher, which fails on it
        errors.append(traceback.format_exc())
    (shots / "errors.txt").write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1500, run)
