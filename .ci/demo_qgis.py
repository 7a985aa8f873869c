"""Run inside QGIS (qgis --code) by .ci/demo: open the demo store through the plugin.

With RESORPTION_SCREENSHOT set (no display: QGIS runs under Xvfb), grab the
main window to that PNG once the map has rendered, then quit.
"""
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface, plugins

store_path = os.environ["RESORPTION_DEMO_STORE"]
screenshot = os.environ.get("RESORPTION_SCREENSHOT")


def grab_and_quit():
    iface.mainWindow().grab().save(screenshot)
    print("Capture d'écran / screenshot: %s" % screenshot, flush=True)
    QgsApplication.exit(0)


def open_demo():
    iface.mainWindow().showMaximized()
    plugins["resorption_sig"].store_actions.open_store(store_path)   # with the communes under it
    if screenshot:
        QTimer.singleShot(4000, grab_and_quit)


QTimer.singleShot(500, open_demo)
