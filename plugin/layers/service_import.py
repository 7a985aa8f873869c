"""Importing services from any file QGIS reads (CSV, xlsx, GeoJSON, GeoPackage) or a layer of the project,
through a preset's column mapping; a re-import updates the services it already brought in."""
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import List

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsDistanceArea,
                       QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer, QgsVectorLayerUtils, QgsWkbTypes)

from ..assets import RESOURCES
from ..model import service_import as model
from ..store.base import StoreError
from . import commune_functions
from .edits import author_stamp, start_editing, store_value
from .listing import plain

PRESETS_FOLDER = RESOURCES / "service_presets"
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# Where a source with its own geometry puts each row's point (WGS 84) among the record's columns.
POINT_X, POINT_Y = "__longitude", "__latitude"


def shipped_presets() -> List[model.Preset]:
    return model.presets_in(PRESETS_FOLDER)


def open_file(path: str) -> QgsVectorLayer:
    """A file as QGIS reads it (OGR: CSV and xlsx as tables, GeoJSON and GeoPackage with their points)."""
    layer = QgsVectorLayer(path, Path(path).stem, "ogr")
    if not layer.isValid():
        raise StoreError("Le fichier %s ne peut pas être lu par QGIS." % path, "QGIS cannot read the file %s." % path)
    return layer


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    problems: List[model.Problem] = field(default_factory=list)


def source_rows(source: QgsVectorLayer, preset: model.Preset):
    """The records of `source` and the preset that reads their position (the layer's points when it has some)."""
    names = source.fields().names()
    has_points = source.geometryType() == QgsWkbTypes.GeometryType.PointGeometry
    to_wgs84 = QgsCoordinateTransform(source.crs(), WGS84, QgsProject.instance()) if has_points else None
    records = []
    for feature in source.getFeatures():
        record = {name: plain(value) for name, value in zip(names, feature.attributes())}
        geometry = feature.geometry()
        if to_wgs84 is not None and geometry is not None and not geometry.isEmpty():
            point = to_wgs84.transform(geometry.centroid().asPoint())
            record[POINT_X], record[POINT_Y] = point.x(), point.y()
        records.append(record)
    if has_points:
        preset = replace(preset, x=POINT_X, y=POINT_Y, crs="EPSG:4326")
    return records, preset


def import_services(services: QgsVectorLayer, source: QgsVectorLayer, preset: model.Preset) -> ImportReport:
    """Add the new services and update those already there (same source id, else same name within 50 m);
    saved at once. Rows that cannot be read are reported with their line, and nothing else is lost."""
    records, preset = source_rows(source, preset)
    incoming, problems = model.read_rows(records, preset)
    to_layer = QgsCoordinateTransform(QgsCoordinateReferenceSystem(preset.crs), services.crs(), QgsProject.instance())
    measure = QgsDistanceArea()
    measure.setSourceCrs(services.crs(), QgsProject.instance().transformContext())
    measure.setEllipsoid("EPSG:7019")
    for row in incoming:
        point = to_layer.transform(QgsPointXY(row.x, row.y))
        row.x, row.y = point.x(), point.y()
    existing = []
    for feature in services.getFeatures():
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        point = geometry.asPoint()
        existing.append(model.Existing(feature.id(), plain(feature["name"]), plain(feature["source"]),
                                       plain(feature["source_id"]), point.x(), point.y()))
    keys = model.match(incoming, existing, lambda a, b: measure.measureLine(QgsPointXY(*a), QgsPointXY(*b)))
    report = ImportReport(problems=problems)
    start_editing(services)
    services.beginEditCommand("Import")
    added = []
    for row, key in zip(incoming, keys):
        geometry = QgsGeometry.fromPointXY(QgsPointXY(row.x, row.y))
        commune = commune_functions.commune_of(geometry)
        if commune is None:
            report.problems.append(model.Problem(row.line, "hors de toute commune française",
                                                 "outside any French municipality"))
            continue
        values = dict(row.values, insee_code=commune.insee, city_name=commune.name,
                      departement=commune.departement)
        if key is None:
            feature = QgsVectorLayerUtils.createFeature(services, geometry, {}, services.createExpressionContext())
            for name, value in values.items():
                feature[name] = store_value(services, name, value)
            added.append(feature)
        else:
            values.update(author_stamp(services, key))
            services.changeAttributeValues(key, {services.fields().indexOf(n): store_value(services, n, v)
                                                 for n, v in values.items()})
            services.changeGeometry(key, geometry)
            report.updated += 1
    services.addFeatures(added)
    report.added = len(added)
    services.endEditCommand()
    if not services.commitChanges():
        errors = "\n".join(services.commitErrors())
        services.rollBack()
        raise StoreError("L'import n'a pas pu être enregistré :\n%s" % errors,
                         "The import could not be saved:\n%s" % errors)
    report.problems.sort(key=lambda p: p.line)
    return report


SAVED_PRESETS = "resorption_sig/service_presets"


def saved_presets() -> List[model.Preset]:
    """The officer's own presets (QGIS settings), after the shipped ones."""
    from qgis.core import QgsSettings
    stored = QgsSettings().value(SAVED_PRESETS, "[]", str)
    try:
        return [model.Preset(**data) for data in json.loads(stored)]
    except (ValueError, TypeError):
        return []


def save_preset(preset: model.Preset) -> None:
    """Keep (or replace, by name) one of the officer's presets."""
    from qgis.core import QgsSettings
    kept = [p for p in saved_presets() if p.name != preset.name] + [preset]
    QgsSettings().setValue(SAVED_PRESETS, json.dumps([p.__dict__ for p in kept], ensure_ascii=False))


def all_presets() -> List[model.Preset]:
    return shipped_presets() + saved_presets()
