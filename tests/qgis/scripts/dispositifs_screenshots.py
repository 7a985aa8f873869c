"""Run inside the real QGIS (qgis --code) by run_dispositifs_screenshots.py: the « Dispositifs » dock at
1366×768, its tabs, a declaration and the monthly grid. PNGs go to $RESORPTION_SHOTS; errors to
$RESORPTION_SHOTS/errors.txt. Then quits QGIS."""
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface, plugins

from in_qgis import grab

store_path = os.environ["RESORPTION_DEMO_STORE"]
shots = Path(os.environ["RESORPTION_SHOTS"])
errors = []


def save(widget, name):
    grab(widget, shots / ("dispositifs_%s.png" % name), 0.7)


def save_local_indicator_dialog(dock, action):
    from resorption_sig.plugin.gui.local_indicator_dialog import LocalIndicatorDialog
    dialog = LocalIndicatorDialog(dock.source, action.departement, "agent.ddets", dock)
    dialog.code.setText("mediation_scolaire_%s" % action.departement)
    dialog.label.setText("Médiations scolaires")
    dialog.label_en.setText("School mediations")
    dialog.topic.setCurrentIndex(dialog.topic.findData("school"))
    dialog.unit.setText("médiations")
    dialog.kind.setCurrentIndex(dialog.kind.findData("flow"))
    dialog.show()
    save(dialog, "indicateur_local")
    dialog.reject()


def run():
    try:
        window = iface.mainWindow()
        window.resize(1366, 768)
        window.showMaximized()
        plugin = plugins["resorption_sig"]
        plugin.store_actions.open_store(store_path)
        dock = plugin.dock_manager.docks[2]
        plugin.synthesis.synthesis_dock.hide()
        dock.show()
        dock.raise_()
        window.resizeDocks([dock], [560], 1)
        late = [a for a in dock.shown if a.uuid in dock.late]
        chosen = (late or dock.shown)[0]
        dock.select(chosen.uuid)
        sites = dock.related["sites"]
        canvas = iface.mapCanvas()
        canvas.setExtent(canvas.mapSettings().layerExtentToOutputExtent(sites, sites.extent()))
        save(window, "ecran")
        if window.height() > 768:
            errors.append("the window does not fit 1366×768: %dx%d (dock minimum %s)" % (
                window.width(), window.height(), dock.minimumSizeHint()))
        for index, name in enumerate(("dispositif", "menages", "lieux", "financements", "indicateurs")):
            dock.tabs.setCurrentIndex(index)
            save(dock, name)
        dock.grid.unlock.setChecked(True)
        save(dock.grid, "grille_deverrouillee")
        dock.grid.unlock.setChecked(False)
        save_local_indicator_dialog(dock, chosen)
        dock.late_check.setChecked(True)
        save(dock, "en_retard")
        dock.late_check.setChecked(False)
        synthesis = plugin.synthesis.synthesis_dock
        synthesis.setFloating(True)  # the height of a laptop's screen for the Synthèse
        synthesis.show()
        synthesis.resize(560, 640)
        synthesis.pages.setCurrentIndex(1)
        panel = synthesis.dispositifs
        panel.by.setCurrentIndex(panel.by.findData("topic"))
        save(synthesis, "synthese")
        synthesis.setFloating(False)
        synthesis.hide()
        dock.raise_()
        dock.new_button.click()
        form = dock.declaration_tab
        form.name.setText("MOUS Bobigny – Les Vignes")
        form.goals.setPlainText("Accompagnement global vers le logement et l'emploi")
        form.departement.setText("93")
        for code in ("housing", "work"):
            form.chips[code].setChecked(True)
        associations = [uuid for uuid, _name, kind in form.choices if kind == "association"][:2]
        for organisation in associations:
            form.add_organisation(organisation, "operator")
        form.entered_by.setCurrentIndex(form.entered_by.findData(associations[0]))
        dock.tabs.setCurrentIndex(0)
        save(dock, "nouveau")
    except Exception:  # written for the launcher, which fails on it
        errors.append(traceback.format_exc())
    (shots / "errors.txt").write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1500, run)
