"""GUI test helpers: waiting for a QgsTask (the event loop turns until it ends, or the test fails), and a
message bar that records the widgets pushed to it."""
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
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    # the handlers connected before ours run in the same emission; let queued ones run too
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def recording_message_bar(iface):
    """The interface whose message bar also records the widgets pushed (messages with buttons), emptied."""
    bar = iface.messageBar()
    if not hasattr(bar, "widgets"):
        bar.widgets = []
        bar.pushWidget = lambda widget, level, duration=0: bar.widgets.append((widget, level))
    if not hasattr(bar, "popWidget"):
        bar.popWidget = lambda widget: bar.widgets.remove(next(w for w in bar.widgets if w[0] is widget))
    bar.widgets.clear()
    for messages in bar.messages.values():
        messages.clear()
    return iface
