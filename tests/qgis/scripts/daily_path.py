"""Run inside the real QGIS (qgis --code): the officer's daily path of issue 12 and the sequence that crashed
QGIS, then quit as a user does.

Opens the store of $RESORPTION_STORE; places a new site and saves its form; opens the form QGIS opens itself
(identify) on it; edits a population through the dock's form; closes a site with where its people went, then
corrects them in its form's Fermeture tab; draws a terrain with the mouse and fills the form QGIS opens; links
the nearest site as its origin; restores an older version after saying yes; prepares the same COPIL map twice
in the layout designer and twice as a PDF, saves the settings dialog, unloads and reloads the plugin, then
quits QGIS through its File › Quit action. Writes the steps reached and every error logged, as JSON, to $RESORPTION_CRASH_OUT (before quitting:
the test reads QGIS's exit code for what follows).
"""
import json
import os
import time
import traceback

from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY,
                       QgsProject, QgsRectangle)
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (QAbstractSpinBox, QApplication, QDialog, QDialogButtonBox, QGroupBox, QLineEdit,
                                 QMessageBox, QTableWidget)
from qgis.utils import iface, loadPlugin, plugins, startPlugin, unloadPlugin

from in_qgis import settle

PLUGIN = "resorption_sig"
OUT = os.environ["RESORPTION_CRASH_OUT"]
result = {"steps": [], "errors": []}


def step(text):
    """A step reached, written at once: a crash leaves the steps before it."""
    result["steps"].append(text)
    write()


def on_message(message, tag, level):
    if level >= Qgis.MessageLevel.Warning and (tag in ("Python error", "Résorption SIG") or PLUGIN in message):
        result["errors"].append("%s: %s" % (tag, message))


def write():
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1)


def accept_modal():
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QDialog):
        step("settings dialog: %s" % dialog.windowTitle())
        dialog.accept()
    else:
        QTimer.singleShot(100, accept_modal)


def confirm_quitting():
    """Yes to QGIS's questions on quitting (the COPIL's layers are temporary: their content goes)."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox) and box.button(QMessageBox.StandardButton.Yes) is not None:
        step("answered yes: %s" % box.text())
        box.button(QMessageBox.StandardButton.Yes).click()
    elif isinstance(box, QMessageBox) and box.button(QMessageBox.StandardButton.Discard) is not None:
        step("asked on quitting: %s" % box.text())   # unsaved edits: the test fails on it
        box.button(QMessageBox.StandardButton.Discard).click()
    QTimer.singleShot(200, confirm_quitting)


def shows_null(dialog):
    """Whether a form shows QGIS's « NULL » in one of its fields."""
    texts = [w.text() for w in dialog.findChildren(QLineEdit) + dialog.findChildren(QAbstractSpinBox)]
    return "NULL" in texts


def click_ok(dialog):
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def answer_modal(answer):
    """Once a modal dialog is up, `answer` it (a function of the dialog)."""
    dialog = QApplication.activeModalWidget()
    if dialog is None:
        QTimer.singleShot(100, lambda: answer_modal(answer))
    else:
        answer(dialog)


def fill_closure(dialog):
    """« Fermer le site… »: 10 people rehoused (the first solution), then OK."""
    next(iter(dialog.boxes.values()))[0].setValue(10)
    step("closure problems: %s" % dialog.problemsLabel.text())
    dialog.accept()


def outcome_boxes(form, row):
    table = form.findChild(QGroupBox, "closingOutcomes").findChild(QTableWidget)
    return table.cellWidget(row, 0), table.cellWidget(row, 1)


def click_on_map(point, button=Qt.MouseButton.LeftButton):
    """A click of the mouse on the map at `point` (WGS 84), as the user's hand makes it."""
    canvas = iface.mapCanvas()
    to_canvas = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                       canvas.mapSettings().destinationCrs(), QgsProject.instance())
    pixel = canvas.getCoordinateTransform().transform(to_canvas.transform(point))
    position = QPoint(int(pixel.x()), int(pixel.y()))
    QTest.mouseMove(canvas.viewport(), position)
    QTest.mouseClick(canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, position)
    settle(0.2)


def fill_drawn_terrain(found):
    """The form QGIS opens once the polygon is drawn: named, a capacity, OK."""
    dialog = next((w for w in QApplication.topLevelWidgets()
                   if w.metaObject().className() == "QgsAttributeDialog" and w.isVisible()), None)
    if dialog is None:
        QTimer.singleShot(100, lambda: fill_drawn_terrain(found))
        return
    dialog = sip.cast(dialog, QgsAttributeDialog)   # PyQt knows QGIS's own dialog only as a QDialog
    found.append(dialog)
    settle()   # the plugin sees the form once it has the focus
    step("drawn terrain form shows NULL: %s" % shows_null(dialog))
    dialog.attributeForm().changeAttribute("name", "ETI des Coquelicots")
    dialog.attributeForm().changeAttribute("capacity_households", 12)
    click_ok(dialog)


def draw_terrain(terrains_dock, corners):
    canvas = iface.mapCanvas()
    to_canvas = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                       canvas.mapSettings().destinationCrs(), QgsProject.instance())
    area = to_canvas.transformBoundingBox(QgsRectangle(corners[0], corners[2]))
    area.scale(4)
    canvas.setExtent(area)
    canvas.refresh()
    settle(1)
    terrains_dock.start_drawing()
    found = []
    QTimer.singleShot(100, lambda: fill_drawn_terrain(found))
    for corner in corners:
        click_on_map(corner)
    click_on_map(corners[0], Qt.MouseButton.RightButton)
    deadline = time.monotonic() + 20
    while not found and time.monotonic() < deadline:
        settle(0.2)
    settle()
    iface.actionPan().trigger()


def figures_in_view(synthesis_dock):
    """The Synthèse's rows a user reads without scrolling, as the docks are placed the first time."""
    settle(2)   # the figures are computed in the background
    table = synthesis_dock.table
    page = table.parentWidget().parentWidget()   # the scroll area's viewport
    bottom = min(table.viewport().height(), page.height() - table.geometry().top() - table.viewport().y())
    shown = [table.item(row, 0).text() for row in range(table.rowCount())
             if table.item(row, 0) is not None and table.isVisible()
             and table.rowViewportPosition(row) + table.rowHeight(row) <= bottom]
    return [text for text in shown if not text.startswith("↳")]


def daily_path(plugin):
    sites_dock, terrains_dock = plugin.dock_manager.docks[:2]
    sites = sites_dock.layer
    sites_dock.place_new_site(QgsPointXY(2.4530, 48.9105))   # Bobigny
    form = sites_dock.form
    step("new site form shows NULL: %s" % shows_null(form))
    form.attributeForm().changeAttribute("name", "Terrain des Lilas")
    click_ok(form)
    step("new site saved: %s" % sites_dock.save())
    new = next(f for f in sites.getFeatures() if f["name"] == "Terrain des Lilas")
    # What identify opens on a feature: QGIS's own form, which the plugin sees once it has the focus.
    identified = QgsAttributeDialog(sites, sites.getFeature(new.id()), False, iface.mainWindow(), True,
                                    QgsAttributeEditorContext())
    identified.setMode(QgsAttributeEditorContext.Mode.IdentifyMode)
    identified.show()
    identified.activateWindow()
    settle()
    step("identify form shows NULL: %s" % shows_null(identified))
    identified.reject()
    identified.deleteLater()
    sites_dock.select_fids([new.id()])
    sites_dock.edit_selected()
    sites_dock.form.attributeForm().changeAttribute("population_total", 25)
    click_ok(sites_dock.form)
    step("population saved: %s" % sites_dock.save())
    QTimer.singleShot(100, lambda: answer_modal(fill_closure))
    closed = sites_dock.close_selected()
    step("site closed: %s, saved: %s" % (closed, sites_dock.save()))
    sites_dock.edit_selected()
    people, households = outcome_boxes(sites_dock.form, 1)
    people.setValue(8)
    households.setValue(2)
    click_ok(sites_dock.form)
    outcomes = plugin.dock_manager.docks[0].related["site_closing_outcomes"]
    step("outcomes saved from the closing tab: %s, %s" % (sites_dock.save(), sorted(
        (f["people"], f["households"]) for f in outcomes.getFeatures() if f["site_uuid"] == new["uuid"])))
    draw_terrain(terrains_dock, [QgsPointXY(2.4560, 48.9120), QgsPointXY(2.4575, 48.9120),
                                 QgsPointXY(2.4575, 48.9130), QgsPointXY(2.4560, 48.9130)])
    step("terrain saved: %s" % terrains_dock.save())
    settle()
    terrain = next(f for f in terrains_dock.layer.getFeatures() if f["name"] == "ETI des Coquelicots")
    terrains_dock.select_fids([terrain.id()])
    settle()
    step("nearest origin offered: %s (of %d)" % (terrains_dock.origin_site_combo.itemText(0),
                                                  terrains_dock.origin_site_combo.count()))
    terrains_dock.origin_site_combo.setCurrentIndex(0)
    terrains_dock.origin_households.setValue(3)
    terrains_dock.add_origin_from_form()
    step("origin linked: %s, %s" % (terrains_dock.save(), terrains_dock.origins_table.rowCount()))
    panel = plugin.synthesis.history_dock
    panel.show_feature(sites, new.id())
    panel.versions.setCurrentItem(panel.versions.topLevelItem(1))
    QTimer.singleShot(100, lambda: answer_modal(
        lambda box: box.button(QMessageBox.StandardButton.Yes).click()))
    restored = panel.confirm_restore()
    step("version restored: %s, saved: %s" % (restored, sites_dock.save()))
    settle()
    step("unsaved edits: %s" % [layer.name() for layer in QgsProject.instance().mapLayers().values()
                                if getattr(layer, "isModified", lambda: False)()])


def export_twice(dialog):
    module = __import__("%s.plugin.gui.copil_dialog" % PLUGIN, fromlist=["copil_dialog"])
    for attempt in range(2):
        path = os.path.join(os.path.dirname(OUT), "copil-%d.pdf" % attempt)
        module.QFileDialog.getSaveFileName = staticmethod(lambda *args, path=path: (path, "PDF (*.pdf)"))
        dialog.export_pdf()
        deadline = time.monotonic() + 120
        while dialog.tasks and time.monotonic() < deadline:
            settle(0.2)
        step("pdf %d: %s" % (attempt, os.path.exists(path)))


def run():
    try:
        # The whole 1366×768 screen (Xvfb has no window manager to maximise).
        iface.mainWindow().setGeometry(0, 0, 1366, 768)
        plugin = plugins[PLUGIN]
        plugin.store_actions.open_store(os.environ["RESORPTION_STORE"])
        settle(1)
        step("store opened")
        step("window: %d px wide; figures in view beside the sites: %s" % (
            iface.mainWindow().width(), figures_in_view(plugin.synthesis.synthesis_dock)))
        daily_path(plugin)
        for attempt in range(2):
            dialog = plugin.copil_entry.show_dialog()
            dialog.open_in_designer()
            settle(1.5)
            step("designer %d: %s" % (attempt, dialog.messageLabel.text()))
        export_twice(dialog)
        dialog.close()
        QTimer.singleShot(200, accept_modal)
        plugin.edit_settings()
        settle()
        unloadPlugin(PLUGIN)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        step("reloaded: %s" % bool(loadPlugin(PLUGIN) and startPlugin(PLUGIN)))
        settle()
    except Exception:  # reported to the test, which fails on it
        result["exception"] = traceback.format_exc()
    write()
    QgsProject.instance().setDirty(False)   # no "save the project?" question on quitting
    QTimer.singleShot(200, confirm_quitting)
    iface.actionExit().trigger()


QgsApplication.messageLog().messageReceived.connect(on_message)
QTimer.singleShot(1000, run)
