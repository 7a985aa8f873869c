"""Edits of a terrain d'insertion's related rows (phases, origins), through their layers' edit buffers."""
from typing import Dict, List, Optional, Tuple

from qgis.core import QgsVectorLayer, QgsVectorLayerUtils

from ..i18n import pick
from ..store.base import StoreError
from .edits import author_stamp, children, start_editing, store_value
from .listing import plain


def _children(layer: QgsVectorLayer, terrain_uuid: str):
    return children(layer, "insertion_site_uuid", terrain_uuid)


def phases_of(layer: QgsVectorLayer, terrain_uuid: str) -> Dict[str, Optional[str]]:
    """phase code → completion date (ISO text) or None, for the phases the terrain has rows for."""
    return {plain(f["phase"]): plain(f["completed_at"]) for f in _children(layer, terrain_uuid)}


def set_phase(layer: QgsVectorLayer, terrain_uuid: str, phase: str, completed_at: Optional[str]) -> None:
    """Tick (with its date) or untick a phase of the terrain: one undoable command."""
    start_editing(layer)
    existing = next((f for f in _children(layer, terrain_uuid) if plain(f["phase"]) == phase), None)
    index = layer.fields().indexOf("completed_at")
    layer.beginEditCommand(pick("Phase préparatoire", "Preparatory phase"))
    if existing is None:
        if completed_at is None:
            layer.destroyEditCommand()
            return
        feature = QgsVectorLayerUtils.createFeature(layer, attributes={
            layer.fields().indexOf("insertion_site_uuid"): terrain_uuid,
            layer.fields().indexOf("phase"): phase,
            index: store_value(layer, "completed_at", completed_at)})
        ok = layer.addFeature(feature)
    else:
        values = {index: store_value(layer, "completed_at", completed_at)}
        values.update({layer.fields().indexOf(n): v for n, v in author_stamp(layer, existing.id()).items()})
        ok = layer.changeAttributeValues(existing.id(), values, {}, True)
    if not ok:
        layer.destroyEditCommand()
        raise StoreError("La phase n'a pas pu être enregistrée.", "The phase could not be recorded.")
    layer.endEditCommand()


def origins_of(layer: QgsVectorLayer, terrain_uuid: str) -> List[Tuple[int, str, Optional[int]]]:
    """(fid, site uuid, households) of the sites the terrain's households came from."""
    return [(f.id(), plain(f["site_uuid"]), plain(f["households"])) for f in _children(layer, terrain_uuid)]


def add_origin(layer: QgsVectorLayer, terrain_uuid: str, site_uuid: str, households: Optional[int]) -> None:
    if any(site == site_uuid for _, site, _ in origins_of(layer, terrain_uuid)):
        raise StoreError("Ce site est déjà parmi les origines du terrain.",
                         "This site is already among the terrain's origins.")
    start_editing(layer)
    feature = QgsVectorLayerUtils.createFeature(layer, attributes={
        layer.fields().indexOf("insertion_site_uuid"): terrain_uuid,
        layer.fields().indexOf("site_uuid"): site_uuid,
        layer.fields().indexOf("households"): households})
    layer.beginEditCommand(pick("Origine des ménages", "Origin of the households"))
    layer.addFeature(feature)
    layer.endEditCommand()


def remove_origin(layer: QgsVectorLayer, fid: int) -> None:
    start_editing(layer)
    layer.beginEditCommand(pick("Retirer une origine", "Remove an origin"))
    layer.deleteFeature(fid)
    layer.endEditCommand()


def occupancy_text(row_values: Dict[str, object]) -> str:
    """Households housed / capacity: « 12 / 20 (60 %) »; unknown figures show as « ? »."""
    occupied, capacity = row_values.get("occupied_households"), row_values.get("capacity_households")
    if occupied is None and capacity is None:
        return ""
    text = "%s / %s" % ("?" if occupied is None else occupied, "?" if capacity is None else capacity)
    if occupied is not None and capacity:
        text += " (%d %%)" % round(100 * occupied / capacity)
    return text
