"""Waiting for a QgsTask in a test: the event loop turns until the task ends (or the test fails)."""
import time

from qgis.core import QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QEventLoop


def wait_for(task: QgsTask, seconds: float = 30) -> None:
    ended = []
    task.taskCompleted.connect(lambda: ended.append(True))
    task.taskTerminated.connect(lambda: ended.append(False))
    deadline = time.monotonic() + seconds
    while not ended:
        assert time.monotonic() < deadline, "the task did not end"
        QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
        time.sleep(0.01)
    # the handlers connected before ours run in the same emission; let queued ones run too
    QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
