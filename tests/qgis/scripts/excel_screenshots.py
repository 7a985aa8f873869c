"""Run inside the real QGIS (qgis --code) by run_excel_screenshots.py: the Excel dialogs, in docs/img/.

Opens $RESORPTION_DEMO_STORE through the installed plugin, shows the export
dialog (then runs it, for the message bar), and the import dialog with the
preview of $RESORPTION_IMPORT_FILE; saves PNGs into $RESORPTION_SHOTS, errors
into $RESORPTION_SHOTS/errors.txt. Then quits QGIS.
"""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface, plugins

from in_qgis import grab, wait_until

PACKAGE = "resorption_sig.plugin"
shots = Path(os.environ["RESORPTION_SHOTS"])
errors = []


def module(name):
    return importlib.import_module("%s.%s" % (PACKAGE, name))


def save(widget, name):
    grab(widget, shots / (name + ".png"))


def run():
    try:
        window = iface.mainWindow()
        window.resize(1600, 1000)
        QgsSettings().setValue("resorption_sig/show_justice", True)
        plugins["resorption_sig"].store_actions.open_store(os.environ["RESORPTION_DEMO_STORE"])
        manager = module("gui.excel_dialogs").ExcelManager()
        manager.create(iface)

        export = manager.show_export()
        export.move(window.geometry().center() - export.rect().center())
        save(export, "excel_export")
        export.fileWidget.setFilePath(str(Path(os.environ["RESORPTION_EXPORT_FOLDER"]) / "sites_93.xlsx"))
        export.start_export()
        wait_until(lambda: export.task is None, "the export did not end")
        save(iface.messageBar(), "excel_export_termine")

        dialog = manager.show_import()
        dialog.resize(1100, 680)
        dialog.fileWidget.setFilePath(os.environ["RESORPTION_IMPORT_FILE"])
        dialog.start_preview()
        wait_until(lambda: dialog.task is None, "the import did not end")
        save(dialog, "excel_import_apercu")
        dialog.errorsOnlyBox.setChecked(True)
        save(dialog, "excel_import_erreurs")
        dialog.errorsOnlyBox.setChecked(False)
        dialog.skipInvalidBox.setChecked(True)
        dialog.start_import()
        wait_until(lambda: dialog.task is None, "the import did not end")
        save(dialog, "excel_import_termine")
        manager.remove()
    except Exception:  # written for the launcher, which fails on it
        errors.append(traceback.format_exc())
    (shots / "errors.txt").write_text("\n".join(errors), encoding="utf-8")
    QgsApplication.exit(0)


QTimer.singleShot(1500, run)
