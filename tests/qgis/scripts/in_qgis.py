"""What the scripts run inside the real QGIS (qgis --code) share: waiting for QGIS, grabbing a widget.

tests/qgis/desktop.run_qgis puts this folder on QGIS's Python path."""
import time
from pathlib import Path
from typing import Callable

from qgis.PyQt.QtCore import QCoreApplication
from qgis.utils import iface


def settle(seconds: float = 0.6, busy: Callable[[], bool] = lambda: False) -> None:
    """Let QGIS lay out and draw the map (and `busy` end) before a grab."""
    canvas = iface.mapCanvas()
    canvas.refresh()  # not refreshAllLayers: reloading an OGR layer clears its selection
    end = time.time() + seconds
    while time.time() < end or canvas.isDrawing() or busy():
        QCoreApplication.processEvents()
        time.sleep(0.02)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    end = time.time() + seconds
    while not condition():
        if time.time() > end:
            raise TimeoutError(what)
        QCoreApplication.processEvents()
        time.sleep(0.05)


def grab(widget, path: Path, seconds: float = 0.6, busy: Callable[[], bool] = lambda: False) -> None:
    settle(seconds, busy)
    widget.grab().save(str(path))
