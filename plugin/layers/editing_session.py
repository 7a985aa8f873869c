"""Tell a GeoPackage store who is editing it through QGIS, so its triggers record the right author.

QGIS writes a moved geometry, the attributes and the deletions of a commit in
separate statements; only some of them carry updated_by. While a layer of a
store is in edit mode, the store's rs_meta holds the plugin's login, and the
triggers use it for every change that does not name its author.
"""
import logging
import sqlite3

from qgis.core import QgsProject, QgsVectorLayer

from ..settings import Settings
from ..store import gpkg
from ..store.base import StoreError
from .loader import STORE_PROPERTY

LOG = logging.getLogger("resorption_sig")
_connected = []


def _store_of(layer) -> str:
    location = layer.customProperty(STORE_PROPERTY) if isinstance(layer, QgsVectorLayer) else None
    return location if location and str(location).endswith(".gpkg") else ""


def _others_editing(location: str, layer) -> bool:
    return any(other is not layer and other.isEditable() and _store_of(other) == location
               for other in QgsProject.instance().mapLayers().values())


def _publish(location: str, login) -> None:
    try:
        gpkg.set_editing_login(location, login)
    except (StoreError, OSError, sqlite3.Error) as error:  # e.g. read-only: the edits are refused anyway
        LOG.warning("editing login not recorded in %s: %s", location, error)


def _watch(layers) -> None:
    for layer in layers:
        location = _store_of(layer)
        if not location:
            continue
        started = (lambda loc=location: _publish(loc, Settings.load().effective_login()))
        stopped = (lambda loc=location, lay=layer: None if _others_editing(loc, lay) else _publish(loc, None))
        layer.editingStarted.connect(started)
        layer.editingStopped.connect(stopped)
        _connected.append((layer, started, stopped))


def start() -> None:
    project = QgsProject.instance()
    project.layersAdded.connect(_watch)
    _watch(project.mapLayers().values())


def stop() -> None:
    QgsProject.instance().layersAdded.disconnect(_watch)
    for layer, started, stopped in _connected:
        try:
            layer.editingStarted.disconnect(started)
            layer.editingStopped.disconnect(stopped)
        except (RuntimeError, TypeError):  # the layer was deleted meanwhile
            pass
    _connected.clear()
