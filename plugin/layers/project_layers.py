"""A store's layers in the project, as dialogs that write to the store behind them need them."""
from typing import List

from qgis.core import QgsProject

from . import loader


def unsaved_layers(project: QgsProject, location: str) -> List[str]:
    """Names of the store's layers with edits not yet saved (the store does not have them)."""
    layers = loader.store_layers(project).get(location, {})
    return sorted(layer.name() for layer in layers.values() if layer.isEditable() and layer.isModified())


def reload_layers(project: QgsProject, location: str) -> None:
    """Make the layers show what was written to the store behind their back."""
    for layer in loader.store_layers(project).get(location, {}).values():
        layer.dataProvider().reloadData()
        layer.triggerRepaint()
