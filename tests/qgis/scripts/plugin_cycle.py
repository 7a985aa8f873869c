"""Run inside the real QGIS (qgis --code): load and unload the installed plugin ten times.

Writes what QGIS looked like before, during and after (menus, toolbars,
expression functions, variables, Processing providers, docks), every error
logged and the time each start (classFactory + initGui) took, as JSON, to $RESORPTION_CYCLE_OUT, then quits QGIS.
"""
import json
import os
import time
import traceback

from qgis.core import (Qgis, QgsApplication, QgsExpression,
                       QgsExpressionContextUtils)
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QToolBar
from qgis.utils import (iface, loadPlugin, plugins, startPlugin, unloadPlugin,
                        updateAvailablePlugins)

PLUGIN = "resorption_sig"
errors = []


def on_message(message, tag, level):
    if level >= Qgis.MessageLevel.Warning and (tag in ("Python error", "Résorption SIG") or PLUGIN in message):
        errors.append("%s: %s" % (tag, message))


def snapshot():
    window = iface.mainWindow()
    return {
        "menus": [action.text() for action in window.menuBar().actions() if action.isVisible()],
        "toolbars": sorted(bar.objectName() for bar in window.findChildren(QToolBar) if bar.parent() is window),
        "functions": sorted(f.name() for f in QgsExpression.Functions() if f.name().startswith("resorption")),
        "variables": sorted(name for name in QgsExpressionContextUtils.globalScope().variableNames()
                            if name.startswith("resorption")),
        "providers": sorted(p.id() for p in QgsApplication.processingRegistry().providers()),
        "docks": sorted(d.objectName() for d in window.findChildren(QDockWidget) if d.objectName().startswith("Resorption")),
    }


def run():
    result = {"loaded": [], "start_seconds": []}
    try:
        updateAvailablePlugins()
        if PLUGIN in plugins:
            unloadPlugin(PLUGIN)
        result["before"] = snapshot()
        for attempt in range(10):
            loaded = loadPlugin(PLUGIN)
            started = time.perf_counter()
            result["loaded"].append(bool(loaded and startPlugin(PLUGIN)))
            result["start_seconds"].append(time.perf_counter() - started)
            if attempt == 0:
                result["during"] = snapshot()
            unloadPlugin(PLUGIN)
        # What unload handed to deleteLater() goes when the event loop runs: let it run.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        result["after"] = snapshot()
    except Exception:  # reported to the test, which fails on it
        result["exception"] = traceback.format_exc()
    result["errors"] = errors
    with open(os.environ["RESORPTION_CYCLE_OUT"], "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1)
    QgsApplication.exit(0)


QgsApplication.messageLog().messageReceived.connect(on_message)
QTimer.singleShot(1000, run)
