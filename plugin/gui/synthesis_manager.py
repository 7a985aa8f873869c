"""Adds and removes the "Synthèse" dock, the history panel and their actions; the lead's menu
takes the QActions from here (`actions`).

The attribute form cannot hold a Python widget in QGIS 3.22: the forms of the
sites and insertion-sites layers get a read-only "Historique" tab (an HTML
element, see history_form.py) and a layer action "Historique" (scopes Form and
Feature: the form's Actions menu, the identify results, the attribute table)
that opens the history panel, where a version can be restored. Both are added
to the layers of every store the project opens, and removed by remove().
"""
from typing import List, Optional

from qgis.core import QgsAction, QgsProject
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import QAction

from ..i18n import tr
from ..layers import loader
from . import history_form
from .dock_manager import tabify_plugin_docks
from .history_panel import HistoryDock
from .store_access import notify
from .synthesis_dock import SynthesisDock

HISTORY_ACTION_NAME = "Historique"
# The layer action calls back into this module under the name QGIS imported it by
# (resorption_sig.plugin.gui… inside QGIS, plugin.gui… in the tests).
HISTORY_ACTION_CODE = ("from importlib import import_module\n"
                       "import_module(%r).open_history('[%% @layer_id %%]', [%% $id %%])" % __name__)

_ACTIVE: Optional["SynthesisManager"] = None


def open_history(layer_id: str, fid: int) -> bool:
    """What the layer action "Historique" runs: the history panel for that feature."""
    if _ACTIVE is None:
        return False
    layer = QgsProject.instance().mapLayer(layer_id)
    return layer is not None and _ACTIVE.history_dock.show_feature(layer, int(fid))


class SynthesisManager:
    def __init__(self, iface):
        self.iface = iface
        self.synthesis_dock: Optional[SynthesisDock] = None
        self.history_dock: Optional[HistoryDock] = None
        self.synthesis_action: Optional[QAction] = None
        self.history_action: Optional[QAction] = None
        self.activity_action: Optional[QAction] = None
        self._layer_actions = {}

    @property
    def actions(self) -> List[QAction]:
        return [a for a in (self.synthesis_action, self.history_action, self.activity_action) if a is not None]

    def create(self) -> None:
        global _ACTIVE
        window = self.iface.mainWindow()
        self.synthesis_dock = SynthesisDock(self.iface, window)
        self.history_dock = HistoryDock(self.iface, window)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.synthesis_dock)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        tabify_plugin_docks(window)
        self.history_dock.hide()

        self.synthesis_action = self.synthesis_dock.toggleViewAction()
        self.synthesis_action.setText(tr("Synthèse"))
        self.synthesis_action.setToolTip(tr("Afficher les chiffres du stockage (sommes automatiques)"))
        self.history_action = QAction(tr("Historique de l'objet sélectionné"), window)
        self.history_action.setToolTip(tr("Versions du site ou du terrain sélectionné, de la plus récente à la "
                                          "plus ancienne"))
        self.history_action.triggered.connect(self.show_selected_history)
        self.activity_action = QAction(tr("Dernières modifications"), window)
        self.activity_action.triggered.connect(self.show_activity)

        history_form.register()
        QgsProject.instance().layersAdded.connect(self._equip_later)
        self._equip_layers(list(QgsProject.instance().mapLayers().values()))
        _ACTIVE = self

    # --- what the actions do -------------------------------------------------------------
    def _history_layers(self):
        """The sites and insertion-sites layers, the active layer first."""
        active = self.iface.activeLayer()
        layers = [active] if active is not None and active.customProperty(loader.TABLE_PROPERTY) else []
        for tables in loader.store_layers().values():
            layers += [tables[name] for name in loader.MAP_TABLES if name in tables]
        return layers

    def show_selected_history(self) -> bool:
        for layer in self._history_layers():
            fids = layer.selectedFeatureIds()
            if fids:
                return self.history_dock.show_feature(layer, fids[0])
        notify(self.iface, tr("Sélectionnez d'abord un site ou un terrain d'insertion sur la carte."))
        return False

    def show_activity(self) -> None:
        dock = self.history_dock
        location = next(iter(loader.store_layers()), None)
        if location is not None and dock.activity.store is None:
            try:
                dock.activity.set_store(dock.store(location))
            except Exception as error:  # a store that no longer opens: said in the panel
                dock.activity.status.setText(str(error))
        dock.setUserVisible(True)
        dock.tabs.setCurrentWidget(dock.activity)

    # --- layer actions ----------------------------------------------------------------------
    def _equip_later(self, layers) -> None:
        # The loader configures the forms after adding the layers (and rebuilds their tabs):
        # add the tab once it is done.
        ids = [layer.id() for layer in layers]
        QTimer.singleShot(0, lambda: self._equip_layers(
            [layer for layer in map(QgsProject.instance().mapLayer, ids) if layer is not None]))

    def _equip_layers(self, layers) -> None:
        """The action and the form tab "Historique" on the sites and insertion-sites layers."""
        for layer in layers:
            table = layer.customProperty(loader.TABLE_PROPERTY)
            if table not in loader.MAP_TABLES or layer.id() in self._layer_actions:
                continue
            action = QgsAction(QgsAction.ActionType.GenericPython, tr(HISTORY_ACTION_NAME), HISTORY_ACTION_CODE, "",
                               False, tr(HISTORY_ACTION_NAME), {"Form", "Feature"})
            layer.actions().addAction(action)
            self._layer_actions[layer.id()] = action.id()
            history_form.add_tab(layer)

    def _unequip_layers(self) -> None:
        project = QgsProject.instance()
        for layer_id, action_id in self._layer_actions.items():
            layer = project.mapLayer(layer_id)
            if layer is not None:
                layer.actions().removeAction(action_id)
                history_form.remove_tab(layer)
        self._layer_actions = {}

    # --- undoing ------------------------------------------------------------------------------
    def remove(self) -> None:
        global _ACTIVE
        _ACTIVE = None
        try:
            QgsProject.instance().layersAdded.disconnect(self._equip_later)
        except (RuntimeError, TypeError):
            pass
        self._unequip_layers()
        history_form.unregister()
        for action in (self.history_action, self.activity_action):
            if action is not None:
                action.deleteLater()
        for dock in (self.synthesis_dock, self.history_dock):
            if dock is not None:
                dock.close_down()
                self.iface.removeDockWidget(dock)
                dock.setParent(None)   # out of the window's docks now, as the other docks (DockManager.remove)
                dock.deleteLater()
        self.synthesis_dock = self.history_dock = None
        self.synthesis_action = self.history_action = self.activity_action = None
