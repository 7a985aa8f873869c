"""Screenshots of « Préparer la carte COPIL… » in the real QGIS (qgis --code, under Xvfb).

The plugin is installed from its zip (tests/qgis/desktop.py); the store
$RESORPTION_DEMO_STORE is opened through the plugin, the dialog is filled and
grabbed to $RESORPTION_SHOTS/copil_dialog.png, then the layout is opened in
QGIS's layout designer and grabbed to copil_designer.png, and exported by the
export task to copil_from_qgis.pdf. Writes "ok" or the error to
$RESORPTION_SHOTS/result.txt, then quits.

    python3 -c "import sys; sys.path.insert(0, 'tests/qgis'); import desktop, pathlib; \\
      desktop.run_qgis(desktop.install_profile(pathlib.Path('/tmp/shots/profiles'), True).parents[4], \\
      pathlib.Path('tests/qgis/scripts/copil_screenshots.py'), \\
      {'RESORPTION_DEMO_STORE': '/tmp/shots/d93.gpkg', 'RESORPTION_SHOTS': 'docs/img'})"
"""
import importlib
import os
import traceback
from pathlib import Path

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QDate, QTimer
from qgis.utils import iface, plugins

SHOTS = Path(os.environ["RESORPTION_SHOTS"])
state = {}


def finish(text):
    (SHOTS / "result.txt").write_text(text, encoding="utf-8")
    QgsApplication.exit(0)


def guarded(step):
    def run():
        try:
            step()
        except Exception:  # reported to whoever runs the script
            finish(traceback.format_exc())
    return run


def open_dialog():
    iface.mainWindow().showMaximized()
    plugins["resorption_sig"].store_actions.open_store(os.environ["RESORPTION_DEMO_STORE"])
    dialogs = importlib.import_module("resorption_sig.plugin.gui.copil_dialog")
    dialog = dialogs.CopilDialog(iface)
    dialog.atEdit.setDate(QDate(2026, 10, 31))
    dialog.compareEdit.setDate(QDate(2026, 1, 1))
    dialog.communeFilter.setText("Bo")
    dialog.show()
    state["dialog"] = dialog
    QTimer.singleShot(1500, guarded(grab_dialog))


def grab_dialog():
    dialog = state["dialog"]
    dialog.grab().save(str(SHOTS / "copil_dialog.png"))
    dialog.communeFilter.setText("")
    dialog.open_in_designer()
    QTimer.singleShot(4000, guarded(grab_designer))


def grab_designer():
    designers = iface.openLayoutDesigners()
    if not designers:
        finish("no layout designer opened")
        return
    window = designers[0].window()
    window.showMaximized()
    QTimer.singleShot(2000, guarded(lambda: (window.grab().save(str(SHOTS / "copil_designer.png")), export())))


def export():
    """The export task in the real QGIS: the PDF of the layout just opened."""
    copil = importlib.import_module("resorption_sig.plugin.layout.copil")
    layout = QgsProject.instance().layoutManager().printLayouts()[0]
    target = str(SHOTS / "copil_from_qgis.pdf")
    task = copil.CopilExportTask(layout, target, lambda ok, path, error: finish(
        "ok" if ok and Path(path).is_file() else "export failed: %s" % (error and error.message)))
    state["task"] = task
    task.start()


QTimer.singleShot(1000, guarded(open_dialog))
