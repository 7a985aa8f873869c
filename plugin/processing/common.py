"""What the Résorption SIG algorithms share: input checks with French messages, local CRS, spatial indexes."""
import json
from typing import Dict, Iterable, List, Optional, Tuple

from qgis.core import (QgsProcessingParameterBoolean, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeature, QgsFeatureRequest,
                       QgsFields, QgsGeometry, QgsProcessingAlgorithm, QgsProcessingException,
                       QgsProcessingFeatureSource, QgsRectangle, QgsSpatialIndex)

from ..i18n import pick, tr
from .qgis_types import new_field
from ..model.territories import local_epsg

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# Site fields the store uses; taken automatically when the layer has them.
POPULATION_FIELD = "population_total"
DEPARTEMENT_FIELD = "departement"
STATUS_FIELD = "status"


def bilingual(french: str, english: str) -> str:
    """The French text through tr() (so the .ts files can translate it), else the English beside it."""
    translated = tr(french)
    return translated if translated != french else pick(french, english)


def failure(french: str, english: str) -> QgsProcessingException:
    return QgsProcessingException(pick(french, english))


class ResorptionAlgorithm(QgsProcessingAlgorithm):
    """Group, translation and instance creation for every algorithm of the provider."""

    NAME_FR = ""
    NAME_EN = ""
    HELP_FR = ""
    HELP_EN = ""

    def createInstance(self):
        return type(self)()

    def displayName(self):
        return bilingual(self.NAME_FR, self.NAME_EN)

    def group(self):
        return bilingual("Analyses", "Analyses")

    def groupId(self):
        return "analyses"

    def shortHelpString(self):
        return bilingual(self.HELP_FR, self.HELP_EN)


def layer_label(source) -> str:
    return source.sourceName() if hasattr(source, "sourceName") else "?"


def checked_source(algorithm, parameters, name, context, label_fr, label_en, allow_empty=False):
    """The feature source of parameter `name`, refused with a French message when unusable."""
    source = algorithm.parameterAsSource(parameters, name, context)
    if source is None:
        raise failure("La couche « %s » est introuvable ou illisible." % label_fr,
                      "The layer “%s” cannot be found or read." % label_en)
    if not source.sourceCrs().isValid():
        raise failure(
            "La couche « %s » (%s) n'a pas de système de coordonnées (SCR) : définissez-le "
            "(Propriétés de la couche › Source) avant de lancer le traitement." % (label_fr, layer_label(source)),
            "The layer “%s” (%s) has no coordinate reference system: set it (Layer Properties › Source) "
            "before running the algorithm." % (label_en, layer_label(source)))
    if not allow_empty and source.featureCount() == 0:
        raise failure(
            "La couche « %s » (%s) est vide (ou aucune entité n'est sélectionnée alors que « entités "
            "sélectionnées uniquement » est coché)." % (label_fr, layer_label(source)),
            "The layer “%s” (%s) is empty (or no feature is selected while “selected features only” "
            "is ticked)." % (label_en, layer_label(source)))
    return source


def optional_source(algorithm, parameters, name, context, label_fr, label_en):
    if parameters.get(name) in (None, ""):
        return None
    return checked_source(algorithm, parameters, name, context, label_fr, label_en)


def field_index(source, field: Optional[str], label_fr: str, label_en: str) -> int:
    """The index of `field` in the source; refused with the fields available when it is missing."""
    if not field:
        raise failure("Indiquez le champ « %s »." % label_fr, "Give the field “%s”." % label_en)
    index = source.fields().lookupField(field)
    if index < 0:
        raise failure(
            "Le champ « %s » (%s) n'existe pas dans la couche %s. Champs disponibles : %s."
            % (field, label_fr, layer_label(source), ", ".join(source.fields().names())),
            "The field “%s” (%s) does not exist in the layer %s. Available fields: %s."
            % (field, label_en, layer_label(source), ", ".join(source.fields().names())))
    return index


def default_field(algorithm, parameters, name, context, source, default: str) -> int:
    """The field given by the user, else `default` when the layer has it, else -1."""
    given = algorithm.parameterAsString(parameters, name, context) if parameters.get(name) else ""
    if given:
        return field_index(source, given, given, given)
    return source.fields().lookupField(default)


def invalid_geometry(source, feature_id) -> QgsProcessingException:
    return failure(
        "La couche %s contient une géométrie invalide (entité %s). Corrigez-la avec « Réparer les "
        "géométries » (native:fixgeometries) puis relancez." % (layer_label(source), feature_id),
        "The layer %s has an invalid geometry (feature %s). Fix it with “Fix geometries” "
        "(native:fixgeometries) and run again." % (layer_label(source), feature_id))


def number(value) -> Optional[float]:
    """A count read from a layer: None when empty (unknown), never 0 for unknown."""
    if value is None:
        return None
    try:
        if hasattr(value, "isNull") and value.isNull():
            return None
        return float(value)
    except (TypeError, ValueError):
        return None


class LocalFrames:
    """Transforms to WGS 84 and to each territory's projected CRS, cached."""

    def __init__(self, source_crs, context):
        self.source_crs = source_crs
        self.context = context
        self.to_wgs84 = QgsCoordinateTransform(source_crs, WGS84, context.transformContext())
        self._to_local: Dict[int, QgsCoordinateTransform] = {}
        self._crs: Dict[int, QgsCoordinateReferenceSystem] = {}

    def crs(self, epsg: int) -> QgsCoordinateReferenceSystem:
        if epsg not in self._crs:
            self._crs[epsg] = QgsCoordinateReferenceSystem("EPSG:%d" % epsg)
        return self._crs[epsg]

    def epsg_of(self, geometry: QgsGeometry, departement=None) -> int:
        if departement is not None:
            try:
                return local_epsg(departement)
            except ValueError:
                pass
        point = geometry.centroid().asPoint()      # a point's centroid is the point itself
        wgs84 = self.to_wgs84.transform(point)
        return local_epsg(departement, wgs84.x(), wgs84.y())

    def transform_to(self, epsg: int) -> QgsCoordinateTransform:
        transform = self._to_local.get(epsg)
        if transform is None:
            transform = self._to_local[epsg] = QgsCoordinateTransform(
                self.source_crs, self.crs(epsg), self.context.transformContext())
        return transform

    def to_local(self, geometry: QgsGeometry, epsg: int) -> QgsGeometry:
        local = QgsGeometry(geometry)
        local.transform(self.transform_to(epsg))
        return local


def open_sites_parameter(name: str):
    """The « open sites only » option of the algorithms that read sites (on by default)."""
    return QgsProcessingParameterBoolean(name, bilingual("Sites ouverts seulement", "Open sites only"), True)


def status_index(open_only: bool, sites, feedback) -> int:
    """The index of the sites' status field when only open sites are kept (-1: every site is kept,
    with a warning when the field is missing)."""
    index = sites.fields().lookupField(STATUS_FIELD) if open_only else -1
    if open_only and index < 0:
        feedback.pushWarning(pick("Pas de champ status : tous les sites sont comptés.",
                                  "No status field: every site is counted."))
    return index


def group_by_territory(source, context, feedback, departement_index: int = -1,
                       attributes: Optional[List[int]] = None) -> Dict[int, List[Tuple[object, QgsGeometry]]]:
    """Features of `source` grouped by the EPSG of their territory, each with its geometry in that CRS.

    Features without geometry are reported and left out.
    """
    frames = LocalFrames(source.sourceCrs(), context)
    groups: Dict[int, List[Tuple[object, QgsGeometry]]] = {}
    request = QgsFeatureRequest()
    if attributes is not None:
        request.setSubsetOfAttributes(attributes)
    skipped = 0
    for feature in source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks):
        if feedback.isCanceled():
            break
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            skipped += 1
            continue
        departement = feature.attribute(departement_index) if departement_index >= 0 else None
        epsg = frames.epsg_of(geometry, departement)
        groups.setdefault(epsg, []).append((feature, frames.to_local(geometry, epsg)))
    if skipped:
        name = layer_label(source)
        feedback.pushWarning(pick("%d entité(s) sans géométrie ignorée(s) dans %s." % (skipped, name),
                                  "%d feature(s) without geometry skipped in %s." % (skipped, name)))
    return groups


def tiles(items: List[Tuple[object, QgsGeometry]], size: float) -> List[List[Tuple[object, QgsGeometry]]]:
    """The items split by square tiles of `size` metres, so that a layer is read tile by tile around
    them: a national land-use layer is never held in memory whole for sites spread over France."""
    by_tile: Dict[Tuple[int, int], List[Tuple[object, QgsGeometry]]] = {}
    for item in items:
        centre = item[1].boundingBox().center()
        by_tile.setdefault((int(centre.x() // size), int(centre.y() // size)), []).append(item)
    return [by_tile[key] for key in sorted(by_tile)]


def extent_of(items: Iterable[Tuple[object, QgsGeometry]], margin: float) -> QgsRectangle:
    rectangle = QgsRectangle()
    rectangle.setMinimal()
    for _, geometry in items:
        rectangle.combineExtentWith(geometry.boundingBox())
    return rectangle.buffered(margin)


class ProjectedLayer:
    """A layer's features in one projected CRS: a spatial index holding their geometries, and one attribute.

    The index is bulk-loaded by QGIS from the feature iterator (no Python loop over geometries);
    `nearest` measures true distances; geometries are checked for validity only when used, so that
    a large layer costs nothing for the features far from what is measured.
    """

    def __init__(self, source, crs=None, context=None, feedback=None, value_index: int = -1,
                 rectangle: Optional[QgsRectangle] = None):
        self.source = source
        self.values: Dict[int, object] = {}
        self._checked: Dict[int, bool] = {}
        if crs is None:
            self.index = QgsSpatialIndex(QgsSpatialIndex.Flag.FlagStoreFeatureGeometries)
            return
        request = QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())
        request.setNoAttributes()
        if rectangle is not None and not rectangle.isEmpty():
            request.setFilterRect(rectangle)
        self.index = QgsSpatialIndex(
            source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks),
            feedback, QgsSpatialIndex.Flag.FlagStoreFeatureGeometries)
        # The attribute in a second, geometry-less pass over the same features.
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        request.setSubsetOfAttributes([value_index] if value_index >= 0 else [])
        for feature in source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks):
            self.values[feature.id()] = feature.attribute(value_index) if value_index >= 0 else None

    def subset(self, keep) -> "ProjectedLayer":
        """The features whose value `keep` accepts, without reading the layer again."""
        chosen = ProjectedLayer(self.source)
        chosen._checked = self._checked
        for feature_id, value in self.values.items():
            if keep(value):
                try:
                    geometry = self.index.geometry(feature_id)
                except KeyError:        # a feature without geometry
                    continue
                feature = QgsFeature(feature_id)
                feature.setGeometry(geometry)
                chosen.values[feature_id] = value
                chosen.index.addFeature(feature)
        return chosen

    def geometry(self, feature_id: int) -> QgsGeometry:
        geometry = self.index.geometry(feature_id)
        if feature_id not in self._checked:
            if not geometry.isGeosValid():
                raise invalid_geometry(self.source, feature_id)
            self._checked[feature_id] = True
        return geometry

    def candidates(self, rectangle: QgsRectangle) -> List[int]:
        return self.index.intersects(rectangle)

    def nearest(self, geometry: QgsGeometry, max_distance: float = 0.0) -> Optional[Tuple[int, float]]:
        """The nearest feature and its distance (0 inside), or None when nothing lies within max_distance."""
        if not self.values:
            return None
        found = self.index.nearestNeighbor(geometry, 1, max_distance) if max_distance > 0 \
            else self.index.nearestNeighbor(geometry, 1)
        best = None
        for feature_id in found:
            distance = self.geometry(feature_id).distance(geometry)
            if best is None or distance < best[1]:
                best = (feature_id, distance)
        if best is not None and max_distance > 0 and best[1] > max_distance:
            return None
        return best

    def areas_by_value(self, area: QgsGeometry) -> Dict[object, float]:
        """The area of `area` covered by the features, summed by their value."""
        engine = QgsGeometry.createGeometryEngine(area.constGet())
        engine.prepareGeometry()
        covered: Dict[object, float] = {}
        for feature_id in self.candidates(area.boundingBox()):
            geometry = self.geometry(feature_id)
            if not engine.intersects(geometry.constGet()):
                continue
            if engine.contains(geometry.constGet()):
                part = geometry.area()
            else:
                part = engine.intersection(geometry.constGet()).area()
            if part > 0:
                value = self.values[feature_id]
                covered[value] = covered.get(value, 0.0) + part
        return covered

    def value_at(self, point: QgsGeometry):
        """The value of the feature containing the point (the smallest one when several overlap)."""
        found = None
        for feature_id in self.candidates(point.boundingBox()):
            geometry = self.geometry(feature_id)
            if geometry.contains(point):
                if found is None or geometry.area() < found[1]:
                    found = (self.values[feature_id], geometry.area())
        return found[0] if found else None


def shares_json(shares: List[Tuple[str, float]]) -> str:
    return json.dumps({code: round(share, 1) for code, share in shares}, ensure_ascii=False)


def class_matcher(codes, hierarchical: bool):
    """Whether a class code is one of `codes` (or, for CLC, under one of them: '21' takes in '211')."""
    wanted = tuple(codes)

    def matches(code) -> bool:
        if code is None:
            return False
        return code in wanted or (hierarchical and code.startswith(wanted))
    return matches


def add_fields(source, specs) -> QgsFields:
    """The source's fields followed by the new ones; refused when the layer already has one of them."""
    fields = QgsFields(source.fields())
    for name, kind in specs:
        if fields.lookupField(name) >= 0:
            raise failure(
                "La couche %s a déjà un champ « %s » : renommez-le ou retirez-le avant le traitement."
                % (layer_label(source), name),
                "The layer %s already has a field “%s”: rename or drop it first." % (layer_label(source), name))
        fields.append(new_field(name, kind))
    return fields


def keep_style(layer, name: str, title: str, feedback) -> None:
    """Keep the layer's style with its file: in a GeoPackage's layer_styles table, else a .qml beside it,
    so that the output shows styled wherever it is opened again (memory layers keep it anyway)."""
    if layer.providerType() != "ogr":
        return
    if layer.dataProvider().isSaveAndLoadStyleToDatabaseSupported():
        error = layer.saveStyleToDatabase(name, title, True, "")
    else:
        error, saved = layer.saveDefaultStyle()
        error = "" if saved else error
    if error:
        feedback.pushWarning(error)


def parse_codes(text: Optional[str]) -> List[str]:
    """'211, 212;221' → ['211', '212', '221']."""
    if not text:
        return []
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]
