"""Creates and removes the docks of Résorption SIG; they follow the store layers of the project."""
import contextlib
from typing import List, Optional

from qgis.core import QgsProject
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAction

from ..layers import loader


class DockManager:
    """`create()` adds the docks (and their map tools); `remove()` takes away exactly that.

    `actions`: the toggle actions of the docks, for the plugin's menu and toolbar."""

    def __init__(self, iface):
        self.iface = iface
        self.docks = []
        self.actions: List[QAction] = []
        self.project: Optional[QgsProject] = None

    def create(self) -> None:
        from .sites_dock import SitesDock
        from .terrains_dock import TerrainsDock
        self.docks = [SitesDock(self.iface), TerrainsDock(self.iface)]
        for dock in self.docks:
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            action = dock.toggleViewAction()
            action.setObjectName(dock.objectName() + "Toggle")
            self.actions.append(action)
        if len(self.docks) > 1:
            with contextlib.suppress(AttributeError):
                self.iface.mainWindow().tabifyDockWidget(self.docks[0], self.docks[1])
            self.docks[0].raise_()
        self.project = QgsProject.instance()
        self.project.layersAdded.connect(self.follow_layers)
        self.project.layersRemoved.connect(self.follow_layers)
        self.project.cleared.connect(self.follow_layers)
        self.follow_layers()

    def follow_layers(self, *_args) -> None:
        """Bind each dock to its table's layer in the first store of the project (or to nothing)."""
        stores = loader.store_layers(self.project)
        layers = next(iter(stores.values()), {})
        for dock in self.docks:
            dock.set_layer(layers.get(dock.table_name))
            dock.set_related_layers(layers)

    def remove(self) -> None:
        if self.project is not None:
            for signal in (self.project.layersAdded, self.project.layersRemoved, self.project.cleared):
                with contextlib.suppress(TypeError, RuntimeError):
                    signal.disconnect(self.follow_layers)
            self.project = None
        for dock in self.docks:
            dock.remove()
            self.iface.removeDockWidget(dock)
            dock.setParent(None)
            dock.deleteLater()
        self.docks = []
        self.actions = []
