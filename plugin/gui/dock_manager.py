"""Creates and removes the docks of Résorption SIG; they follow the store layers of the project."""
import contextlib
import importlib
import sys
from typing import List, Optional

from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAction, QDockWidget

from ..layers import loader
from ..model import schema

ARRANGED_SETTING = "resorption_sig/docks_arranged"


def _dock_class(table: schema.Table):
    """The dock class a table declares ("module.Class" in plugin/gui)."""
    module, name = table.dock.rsplit(".", 1)
    return getattr(importlib.import_module("." + module, __package__), name)


# The tables' docks share one tabbed area on the right, in their declared order; stacked, none would keep the
# height of a laptop's screen (768 pixels). The figures' docks are tabs of QGIS's left column (its Browser
# and Layers panels), in front: a list and the whole Synthèse show side by side, the layers a click away.
LAST_DOCKS = ("ResorptionSynthesisDock", "ResorptionHistoryDock")
FIGURES_WIDTH = 330
QGIS_LEFT_DOCKS = ("Browser", "Layers")


def _tabify(window, docks, area) -> None:
    """`docks` as the tabs of one group of `area`, in their order. Qt keeps the order of a group it restored
    or tabbed before: each dock leaves its place first, and keeps whether it was hidden."""
    hidden = [dock.isHidden() for dock in docks]
    for dock in docks:
        window.removeDockWidget(dock)
    for dock in docks:
        window.addDockWidget(area, dock)
    for dock in docks[1:]:
        window.tabifyDockWidget(docks[0], dock)
    for dock, was_hidden in zip(docks, hidden):
        dock.setHidden(was_hidden)


def tabify_plugin_docks(window) -> None:
    """Every dock of the plugin that exists as a tab of its area, the first one of each in front."""
    order = [sys.modules[_dock_class(table).__module__].OBJECT_NAME for table in schema.TABLES if table.dock]
    docks = [dock for dock in window.findChildren(QDockWidget) if dock.objectName() in order + list(LAST_DOCKS)]
    tables = sorted((dock for dock in docks if dock.objectName() in order),
                    key=lambda dock: order.index(dock.objectName()))
    figures = sorted((dock for dock in docks if dock.objectName() in LAST_DOCKS),
                     key=lambda dock: LAST_DOCKS.index(dock.objectName()))
    _tabify(window, tables, Qt.DockWidgetArea.RightDockWidgetArea)
    qgis_docks = [dock for dock in (window.findChild(QDockWidget, name) for name in QGIS_LEFT_DOCKS)
                  if dock is not None and window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea]
    _tabify(window, qgis_docks + figures, Qt.DockWidgetArea.LeftDockWidgetArea)
    for front in (tables[:1] + figures[:1]):
        front.raise_()
    if figures:
        window.resizeDocks([figures[0]], [FIGURES_WIDTH], Qt.Orientation.Horizontal)


class DockManager:
    """`create()` adds the docks (and their map tools); `remove()` takes away exactly that.

    `actions`: the toggle actions of the docks, for the plugin's menu and toolbar."""

    def __init__(self, iface):
        self.iface = iface
        self.docks = []
        self.actions: List[QAction] = []
        self.project: Optional[QgsProject] = None
        self._started = None

    def create(self) -> None:
        self.docks = [_dock_class(table)(self.iface) for table in schema.TABLES if table.dock]
        for dock in self.docks:
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            action = dock.toggleViewAction()
            action.setObjectName(dock.objectName() + "Toggle")
            self.actions.append(action)
        self._tabify()
        # QGIS restores its saved window layout after loading the plugins; in a profile that never saw
        # these docks it stacks them (a window taller than a laptop's screen): tabify them once more when
        # QGIS has finished starting, the first time only, so that a layout arranged later is kept.
        self._started = getattr(self.iface, "initializationCompleted", None)
        if self._started is not None and not QgsSettings().value(ARRANGED_SETTING, False, bool):
            self._started.connect(self._arrange_first_time)
        else:
            self._started = None
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

    def _tabify(self) -> None:
        with contextlib.suppress(AttributeError):
            tabify_plugin_docks(self.iface.mainWindow())

    def _arrange_first_time(self) -> None:
        if self.docks:
            self._tabify()
            QgsSettings().setValue(ARRANGED_SETTING, True)

    def remove(self) -> None:
        if self._started is not None:
            with contextlib.suppress(TypeError, RuntimeError):
                self._started.disconnect(self._arrange_first_time)
            self._started = None
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
