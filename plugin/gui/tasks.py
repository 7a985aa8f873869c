"""Running QgsTasks from the GUI."""
from typing import List

from qgis.core import QgsApplication, QgsTask


class TaskKeeper:
    """Holds the running tasks (a Python QgsTask must outlive its run) and cancels them on unload."""

    def __init__(self):
        self.running: List[QgsTask] = []

    def launch(self, task: QgsTask) -> None:
        self.running.append(task)
        task.taskCompleted.connect(lambda: self._forget(task))
        task.taskTerminated.connect(lambda: self._forget(task))
        QgsApplication.taskManager().addTask(task)

    def _forget(self, task: QgsTask) -> None:
        if task in self.running:
            self.running.remove(task)

    def cancel_all(self) -> None:
        for task in list(self.running):
            task.cancel()
