"""Run inside the real QGIS (qgis --code) by run_sync_screenshots.py: the synchronisation, in docs/img/.

The "Créer une copie de travail…" dialog filled in; then the working copy
$RESORPTION_WORKING_COPY opened through the installed plugin (the menu shows
"Synchroniser (1)"), synchronised (its edit conflicts with the one already sent
from the other copy), the conflicts dialog and the site highlighted on the map;
the conflict settled in the dialog and a second sync. PNGs go into
$RESORPTION_SHOTS, errors into $RESORPTION_SHOTS/$RESORPTION_ERRORS. Then QGIS quits.
"""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsPointXY, QgsRectangle
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QMessageBox, QPushButton
from qgis.utils import iface, plugins

from in_qgis import grab, settle, wait_until

PACKAGE = "resorption_sig.plugin"
shots = Path(os.environ["RESORPTION_SHOTS"])
copy_path = os.environ["RESORPTION_WORKING_COPY"]
errors = []


def module(name):
    return importlib.import_module("%s.%s" % (PACKAGE, name))


def save(widget, name):
    grab(widget, shots / (name + ".png"))


def save_screen(widget, name):
    """The screen where `widget` is, menus and popups included (a widget grab leaves them out)."""
    settle()
    frame = widget.frameGeometry()
    QApplication.primaryScreen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(
        str(shots / (name + ".png")))


def check(condition, text):
    if not condition:
        raise AssertionError(text)


def answer_yes_soon():
    """Say yes to the confirmation the conflicts dialog asks (a modal question)."""
    def click():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(100, click)
    QTimer.singleShot(300, click)


def message_bar_texts():
    return [item.text() for item in iface.messageBar().items()]


def tidy(window):
    """The layers panel beside the map, nothing else: the main window fits the screen."""
    layers_panel = window.findChild(QDockWidget, "Layers")
    for dock in window.findChildren(QDockWidget):
        dock.setVisible(dock is layers_panel)
    window.resizeDocks([layers_panel], [280], Qt.Orientation.Horizontal)
    settle()
    # The docks shown at start-up made the window taller than the screen; once they are hidden, a
    # plain resize is still ignored, a maximum size is not.
    window.setMaximumSize(1366, 768)   # a préfecture laptop's screen
    settle()


def run():
    try:
        window = iface.mainWindow()
        window.resize(1366, 768)
        window.move(0, 0)
        plugin = plugins["resorption_sig"]
        settings = module("settings").Settings.load()
        settings.login = "alice"
        settings.save()
        sync = plugin.sync

        dialog = sync.show_checkout()
        dialog.resize(820, dialog.sizeHint().height())
        dialog.sharedWidget.setFilePath(os.environ["RESORPTION_SHARED_STORE"])
        dialog.departementsEdit.setText("93")
        dialog.destinationWidget.setFilePath(os.environ["RESORPTION_NEW_COPY"])
        check(not dialog.problems(), "checkout dialog: %s" % dialog.problems())
        save(dialog, "sync_copie_de_travail")
        dialog.reject()

        plugin.store_actions.open_store(copy_path)
        tidy(window)
        check(sync.sync_action.text() == "Synchroniser (1)", "badge: %s" % sync.sync_action.text())
        iface.messageBar().clearWidgets()
        settle(1.5)
        menu_bar = window.menuBar()
        plugin.menu.popup(menu_bar.mapToGlobal(menu_bar.actionGeometry(plugin.menu.menuAction()).bottomLeft()))
        plugin.menu.setActiveAction(sync.sync_action)
        save_screen(window, "sync_badge")
        plugin.menu.hide()

        task = sync.synchronise(copy_path)
        check(task is not None, "the sync did not start: %s" % message_bar_texts())
        wait_until(lambda: sync.sync_task is None, "the sync task did not end")
        settle()
        summary = "Synchronisation terminée : 1 reçu(s), 0 envoyé(s), 1 conflit(s)."
        check(summary in message_bar_texts(), "after the sync: %s" % message_bar_texts())
        offer = iface.messageBar().currentItem()
        save(iface.messageBar(), "sync_message_conflits")
        button = next(b for b in offer.findChildren(QPushButton) if b.text() == "Résoudre les conflits…")
        button.click()
        conflicts = sync.conflicts_dialog
        check(conflicts is not None and conflicts.featureList.count() == 1,
              "conflicts dialog: %s" % (conflicts and conflicts.featureList.count()))
        conflicts.resize(1200, 420)
        conflicts.featureList.setCurrentRow(0)
        check(conflicts.highlight is not None, "no highlight on the map")
        save(conflicts, "sync_conflits")

        # The site on the map, zoomed enough to see the highlight among its neighbours.
        layer = module("layers.loader").store_layers()[copy_path]["sites"]
        uuid = conflicts.current_uuid()
        feature = next(layer.getFeatures("\"uuid\" = '%s'" % uuid))
        canvas = iface.mapCanvas()
        point = canvas.mapSettings().layerToMapCoordinates(layer, feature.geometry().asPoint())
        half = 4000
        canvas.setExtent(QgsRectangle(QgsPointXY(point.x() - half, point.y() - half * 0.6),
                                      QgsPointXY(point.x() + half, point.y() + half * 0.6)))
        settle(3)
        save(window, "sync_conflit_carte")

        # Their number of people, my comment; then the sync sends the settled site.
        for row, conflict in enumerate(conflicts.conflicts[uuid]):
            box = conflicts.choice_box(row)
            box.setCurrentIndex(box.findData("theirs" if conflict["field"] == "population_total" else "mine"))
        save(conflicts, "sync_conflits_choix")
        answer_yes_soon()
        check(conflicts.apply_choices(), "the choices were not applied")
        check(conflicts.featureList.count() == 0, "conflicts left: %d" % conflicts.featureList.count())
        conflicts.close()
        check(sync.sync_action.text() == "Synchroniser (1)", "badge after resolving: %s" % sync.sync_action.text())
        iface.messageBar().clearWidgets()
        sync.synchronise(copy_path)
        wait_until(lambda: sync.sync_task is None, "the second sync did not end")
        check(iface.messageBar().currentItem().text() == "Synchronisation terminée : 0 reçu(s), 1 envoyé(s), "
              "0 conflit(s).", "after the second sync: %s" % message_bar_texts())
        save(iface.messageBar(), "sync_termine")
        check(sync.sync_action.text() == "Synchroniser", "badge after the sync: %s" % sync.sync_action.text())
    except Exception:  # written for the launcher, which fails on it
        errors.append(traceback.format_exc())
    (shots / os.environ["RESORPTION_ERRORS"]).write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1500, run)
