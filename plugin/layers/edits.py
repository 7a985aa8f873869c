"""Edits the docks make, always through the layer's edit buffer (undo/redo, save, rollback work).

Validation uses the same rules as the store (plugin/model/validation.py);
saving is refused, with the list of problems, before the store would refuse it.
"""
import contextlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional

from qgis.core import (QgsExpression, QgsExpressionContextUtils, QgsFeature, QgsFeatureRequest,
                       QgsGeometry, QgsPointXY, QgsVectorLayer, QgsVectorLayerUtils)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ..i18n import pick
from ..model import schema
from ..processing import qgis_types
from ..model.closure import Closure, Outcome, closure_problems, outcomes_from_rows
from ..model.validation import Problem, problems
from ..settings import Settings
from ..store.base import StoreError
from ..store.gpkg import connect, transaction
from . import commune_functions, loader
from .listing import plain


@dataclass(frozen=True)
class FeatureProblem:
    fid: int
    name: str
    problem: Problem

    def text(self) -> str:
        return "%s : %s" % (self.name, pick(self.problem.message, self.problem.message_en))


def table_of(layer: QgsVectorLayer) -> schema.Table:
    return schema.table(layer.customProperty(loader.TABLE_PROPERTY))


def store_row(layer: QgsVectorLayer, feature: QgsFeature) -> Dict[str, object]:
    """The feature's values as the store keeps them (dates as ISO text, booleans 0/1, NULL as None)."""
    row = {}
    for field in layer.fields():
        value = plain(feature[field.name()])
        if isinstance(value, bool):
            value = int(value)
        row[field.name()] = value
    return row


def feature_name(layer: QgsVectorLayer, feature: QgsFeature) -> str:
    name = plain(feature["name"]) if layer.fields().indexOf("name") >= 0 else None
    return name or pick("(sans nom, n° %d)", "(unnamed, no. %d)") % feature.id()


def start_editing(layer: QgsVectorLayer) -> None:
    if layer.isEditable():
        return
    if layer.readOnly() or not layer.startEditing():
        raise StoreError("La couche %s est en lecture seule." % layer.name(),
                         "The layer %s is read-only." % layer.name())


def store_value(layer: QgsVectorLayer, name: str, value):
    """A store-form value (ISO text for dates) as the layer's field expects it."""
    if value is None:
        return None
    field = layer.fields().field(name)
    if qgis_types.is_type(field, qgis_types.DATE) and isinstance(value, str):
        return QDate.fromString(value, Qt.DateFormat.ISODate)
    if qgis_types.is_type(field, qgis_types.DATETIME) and isinstance(value, str):
        return QDateTime.fromString(value, Qt.DateFormat.ISODateWithMs)
    return value


def login() -> str:
    value = QgsExpressionContextUtils.globalScope().variable("resorption_login")
    return value or Settings.load().effective_login()


def author_stamp(layer: QgsVectorLayer, fid: int) -> Dict[str, object]:
    """updated_by = the login (the store bumps row_version and records the author)."""
    return {"updated_by": login()} if fid >= 0 else {}


def change(layer: QgsVectorLayer, fid: int, values: Dict[str, object], command: str) -> None:
    """One undoable command setting `values` (store form) on feature `fid`."""
    start_editing(layer)
    fields = layer.fields()
    feature = layer.getFeature(fid)
    values = dict(values, **author_stamp(layer, fid))
    new = {fields.indexOf(n): store_value(layer, n, v) for n, v in values.items()}
    old = {i: feature.attributes()[i] for i in new}
    layer.beginEditCommand(command)
    if not layer.changeAttributeValues(fid, new, old, True):
        layer.destroyEditCommand()
        raise StoreError("La modification n'a pas pu être enregistrée dans la couche %s." % layer.name(),
                         "The change could not be made in the layer %s." % layer.name())
    layer.endEditCommand()


def now_utc() -> QDateTime:
    return QDateTime.currentDateTimeUtc()


def confirm_unchanged(layer: QgsVectorLayer, fids: List[int]) -> None:
    """The situation is current although no figure changed: confirmed_at = now (UTC)."""
    stamp = now_utc().toString(Qt.DateFormat.ISODateWithMs)
    for fid in fids:
        change(layer, fid, {"confirmed_at": stamp}, pick("Confirmer sans changement", "Confirm unchanged"))


def children(layer: QgsVectorLayer, parent_field: str, parent_uuid: str) -> Iterator[QgsFeature]:
    """The rows of a related layer that belong to one parent (edit buffer included)."""
    expression = "%s = %s" % (QgsExpression.quotedColumnRef(parent_field), QgsExpression.quotedValue(parent_uuid))
    return layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression).setFlags(
        QgsFeatureRequest.Flag.NoGeometry))


def closing_outcomes(outcomes_layer: QgsVectorLayer, site_uuid: str) -> List[Outcome]:
    return outcomes_from_rows({"solution": plain(f["solution"]), "people": plain(f["people"]),
                               "households": plain(f["households"])}
                              for f in children(outcomes_layer, "site_uuid", site_uuid))


def replace_outcomes(outcomes_layer: QgsVectorLayer, site_uuid: str, rows: List[Dict[str, object]]) -> None:
    """The site's outcome rows become `rows`: one undoable command on the outcomes layer."""
    existing = {plain(f["solution"]): f for f in children(outcomes_layer, "site_uuid", site_uuid)}
    if not existing and not rows:
        return
    start_editing(outcomes_layer)
    fields = outcomes_layer.fields()
    outcomes_layer.beginEditCommand(pick("Devenir des habitants", "Where the people went"))
    kept = set()
    for row in rows:
        values = {fields.indexOf(name): row[name] for name in ("people", "households")}
        feature = existing.get(row["solution"])
        if feature is None:
            values.update({fields.indexOf("site_uuid"): site_uuid, fields.indexOf("solution"): row["solution"]})
            outcomes_layer.addFeature(QgsVectorLayerUtils.createFeature(outcomes_layer, attributes=values))
        else:
            kept.add(row["solution"])
            values.update({fields.indexOf(n): v for n, v in author_stamp(outcomes_layer, feature.id()).items()})
            outcomes_layer.changeAttributeValues(feature.id(), values, {}, True)
    for solution, feature in existing.items():
        if solution not in kept:
            outcomes_layer.deleteFeature(feature.id())
    outcomes_layer.endEditCommand()


def close_site(layer: QgsVectorLayer, fid: int, closure: Closure,
               outcomes_layer: Optional[QgsVectorLayer]) -> List[Problem]:
    """Apply the closure and its outcome rows, or return what is wrong with it (and change nothing)."""
    site = store_row(layer, layer.getFeature(fid))
    found = closure_problems(site, closure)
    if not found and outcomes_layer is None and closure.outcome_rows():
        raise StoreError("La table du devenir des habitants n'est pas dans le projet : rouvrez le stockage.",
                         "The outcomes table is not in the project: open the store again.")
    if not found:
        change(layer, fid, closure.values(), pick("Fermer le site", "Close the site"))
        if outcomes_layer is not None:
            replace_outcomes(outcomes_layer, site["uuid"], closure.outcome_rows())
    return found


def reopen_site(layer: QgsVectorLayer, fid: int, outcomes_layer: Optional[QgsVectorLayer]) -> None:
    """Undo a mistaken closure: open again, closure fields and outcome rows cleared."""
    change(layer, fid, {"status": "open", "closed_at": None, "closed_with_solutions": None,
                        "closing_context": None}, pick("Rouvrir le site", "Reopen the site"))
    if outcomes_layer is not None:
        replace_outcomes(outcomes_layer, plain(layer.getFeature(fid)["uuid"]), [])


class OutsideFrance(StoreError):
    def __init__(self):
        super().__init__("Ce point n'est dans aucune commune française : placez le site en France.",
                         "This point is in no French municipality: place the site in France.")


def check_in_france(geometry: QgsGeometry):
    commune = commune_functions.commune_of(geometry)
    if commune is None:
        raise OutsideFrance()
    return commune


def new_site_feature(layer: QgsVectorLayer, point: QgsPointXY) -> QgsFeature:
    """A new site at `point` (layer CRS) with its defaults and commune, not yet in the layer."""
    geometry = QgsGeometry.fromPointXY(point)
    check_in_france(geometry)
    start_editing(layer)
    return QgsVectorLayerUtils.createFeature(layer, geometry, {}, layer.createExpressionContext())


def move_site(layer: QgsVectorLayer, fid: int, point: QgsPointXY):
    """Move the site to `point` (layer CRS); its commune follows. Refused outside France."""
    geometry = QgsGeometry.fromPointXY(point)
    commune = check_in_france(geometry)
    start_editing(layer)
    layer.beginEditCommand(pick("Déplacer le site", "Move the site"))
    layer.changeGeometry(fid, geometry)
    values = dict(author_stamp(layer, fid), insee_code=commune.insee, city_name=commune.name,
                  departement=commune.departement)
    layer.changeAttributeValues(fid, {layer.fields().indexOf(n): v for n, v in values.items()}, {}, True)
    layer.endEditCommand()
    return commune


class DeletionReasons:
    """Why features were deleted: written into the newest 'delete' history row once the deletion is saved."""

    def __init__(self):
        self._pending: Dict[str, Dict[str, str]] = {}
        self._layers: Dict[str, QgsVectorLayer] = {}

    def delete(self, layer: QgsVectorLayer, fids: List[int], reason: str) -> None:
        if not reason.strip():
            raise StoreError("Indiquez la raison de la suppression.", "Give the reason for the deletion.")
        start_editing(layer)
        uuids = {fid: plain(layer.getFeature(fid)["uuid"]) for fid in fids}
        layer.beginEditCommand(pick("Supprimer", "Delete"))
        layer.deleteFeatures(list(fids))
        layer.endEditCommand()
        pending = self._pending.setdefault(layer.id(), {})
        for uuid in uuids.values():
            if uuid:
                pending[uuid] = reason.strip()
        if layer.id() not in self._layers:
            self._layers[layer.id()] = layer
            layer.afterCommitChanges.connect(self._on_commit)
            layer.afterRollBack.connect(self._on_rollback)

    def _on_commit(self) -> None:
        for layer_id, layer in list(self._layers.items()):
            if not layer.isEditable() or not layer.editBuffer() or not layer.editBuffer().isModified():
                self.write(layer)

    def _on_rollback(self) -> None:
        for layer_id, layer in list(self._layers.items()):
            if not layer.isEditable():
                self._pending.pop(layer_id, None)

    def write(self, layer: QgsVectorLayer) -> int:
        """Record the pending reasons of `layer` whose deletion reached the store; returns how many."""
        pending = self._pending.get(layer.id(), {})
        if not pending:
            return 0
        written = record_deletion_reasons(layer.customProperty(loader.STORE_PROPERTY),
                                          layer.customProperty(loader.TABLE_PROPERTY), pending)
        for uuid in written:
            pending.pop(uuid, None)
        return len(written)

    def disconnect(self) -> None:
        for layer in self._layers.values():
            with contextlib.suppress(TypeError, RuntimeError):
                layer.afterCommitChanges.disconnect(self._on_commit)
                layer.afterRollBack.disconnect(self._on_rollback)
        self._layers.clear()
        self._pending.clear()


def record_deletion_reasons(location: str, table_name: str, reasons: Dict[str, str]) -> List[str]:
    """Set `reason` on the newest 'delete' history row of each uuid; returns the uuids written."""
    history = schema.history_of(schema.table(table_name).name)
    written = []
    with contextlib.closing(connect(location)) as connection, transaction(connection):
        for uuid, reason in reasons.items():
            cursor = connection.execute(
                'UPDATE "%s" SET "reason" = ? WHERE "history_id" = (SELECT max("history_id") FROM "%s" '
                "WHERE \"uuid\" = ? AND \"operation\" = 'delete')" % (history, history), (reason, uuid))
            if cursor.rowcount:
                written.append(uuid)
    return written


def pending_problems(layer: QgsVectorLayer) -> List[FeatureProblem]:
    """Broken rules in the features added or changed in the edit buffer."""
    buffer = layer.editBuffer()
    if buffer is None:
        return []
    table = table_of(layer)
    fids = set(buffer.addedFeatures()) | set(buffer.changedAttributeValues()) | set(buffer.changedGeometries())
    found = []
    for fid in sorted(fids):
        feature = layer.getFeature(fid)
        if not feature.isValid():
            continue
        for problem in problems(table, store_row(layer, feature)):
            found.append(FeatureProblem(fid, feature_name(layer, feature), problem))
    return found


def save(layer: QgsVectorLayer) -> List[FeatureProblem]:
    """Commit the layer's edits when every rule holds; else change nothing and return the problems."""
    found = pending_problems(layer)
    if found:
        return found
    if layer.isEditable() and not layer.commitChanges(False):
        errors = "\n".join(layer.commitErrors())
        raise StoreError("Le stockage a refusé l'enregistrement :\n%s" % errors,
                         "The store refused to save:\n%s" % errors)
    return []


def repaired_polygon(geometry: QgsGeometry) -> Optional[QgsGeometry]:
    """None when the polygon is valid; else its repaired form (QgsGeometry.makeValid)."""
    if geometry is None or geometry.isNull() or geometry.isGeosValid():
        return None
    repaired = geometry.makeValid()
    # makeValid may return a collection (polygon + stray lines): keep the polygons only.
    return repaired.convertToType(geometry.type(), True) or repaired
