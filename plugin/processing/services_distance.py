"""resorption:services_distance — for each site, how far the nearest service of each category is."""
from typing import Dict, List, Optional, Tuple

from qgis.core import (QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsFields, QgsGeometry, QgsPointXY,
                       QgsGraduatedSymbolRenderer, QgsMarkerSymbol, QgsProcessingFeatureSource,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum, QgsProcessingParameterNumber,
                       QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingUtils, QgsRendererRange, QgsWkbTypes)

from ..i18n import pick
from ..model import services as model
from ..model import vocabularies as voc
from ..model.territories import TERRITORIES, local_epsg
from .common import (DEPARTEMENT_FIELD, STATUS_FIELD, LocalFrames, ResorptionAlgorithm, bilingual, checked_source,
                     failure, field_index, keep_style, optional_source)
from .qgis_types import DOUBLE, INTEGER, STRING, VECTOR_ANY, VECTOR_LINE, VECTOR_POINT, new_field
from .walking import WalkingNetwork

CATEGORIES = voc.SERVICE_CATEGORY.codes
# Colour-blind safe sequence (viridis), near to far.
CLASSES = ((0, 500, "#440154", "≤ 500 m"), (500, 1000, "#31688e", "500 m – 1 km"),
           (1000, 2000, "#35b779", "1 – 2 km"), (2000, 1e9, "#fde725", "> 2 km"))


def departement_epsg(departement) -> Optional[int]:
    try:
        return local_epsg(departement) if departement not in (None, "") else None
    except ValueError:
        return None


def epsg_by_position(wgs84: List[Tuple[float, float]]) -> List[int]:
    """The EPSG of each point's territory, the boxes tested on all points at once."""
    import numpy
    coordinates = numpy.asarray(wgs84, dtype=float).reshape(-1, 2)
    found = numpy.zeros(len(coordinates), dtype=int)
    for territory in reversed(TERRITORIES):
        for lon_min, lat_min, lon_max, lat_max in territory.boxes:
            inside = ((coordinates[:, 0] >= lon_min) & (coordinates[:, 0] <= lon_max)
                      & (coordinates[:, 1] >= lat_min) & (coordinates[:, 1] <= lat_max))
            found[inside] = territory.epsg
    return [int(epsg) if epsg else local_epsg(None, lon, lat)
            for epsg, (lon, lat) in zip(found.tolist(), wgs84)]


def projected(points: List[QgsPointXY], transform) -> List[Tuple[float, float]]:
    """The points through `transform` in one call (a multipoint): a hundred thousand in a fraction of a second."""
    if not points:
        return []
    multipoint = QgsGeometry.fromMultiPointXY(points)
    multipoint.transform(transform)
    return [(p.x(), p.y()) for p in multipoint.asMultiPoint()]


def distance_field(category: str) -> str:
    return "dist_" + category


class ServicesDistance(ResorptionAlgorithm):
    SITES = "SITES"
    SERVICES = "SERVICES"
    CATEGORY_FIELD = "CATEGORY_FIELD"
    CATEGORIES = "CATEGORIES"
    OPEN_ONLY = "OPEN_ONLY"
    RADIUS = "RADIUS"
    ROADS = "ROADS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    NAME_FR = "Distance aux services"
    NAME_EN = "Distance to services"
    HELP_FR = (
        "Pour chaque site (les sites ouverts par défaut), la distance à vol d'oiseau (mètres, mesurée dans la "
        "projection locale du territoire : Lambert 93, UTM des outre-mer) au service le plus proche de chaque "
        "catégorie choisie (dist_school, dist_water… : vide s'il n'y en a aucun) et le nombre de services à "
        "moins du rayon (n_school, n_water…).\n\n"
        "Avec une couche de routes et chemins, la distance à pied par le réseau (walk_school…) est "
        "calculée aussi : cochez « entités sélectionnées uniquement » pour la limiter à une sélection de sites.\n\n"
        "Le tableau de synthèse compte les sites éloignés : à plus de 1 km d'un point d'eau ou de sanitaires, "
        "à plus de 2 km d'une école, d'un lieu de soins ou d'alimentation.")
    HELP_EN = (
        "For each site (open ones by default), the straight-line distance (metres, measured in the territory's "
        "local projection: Lambert 93, UTM overseas) to the nearest service of each chosen category "
        "(dist_school, dist_water…: empty when there is none) and the number of services within the radius "
        "(n_school, n_water…).\n\n"
        "With a layer of roads and paths, the walking distance along the network (walk_school…) is computed "
        "too: tick “selected features only” to limit it to a selection of sites.\n\n"
        "The summary table counts the far sites: more than 1 km from a water point or sanitary facilities, "
        "more than 2 km from a school, a health or a food service.")

    def __init__(self):
        super().__init__()
        self._output_id = None
        self._first_category = None
        self._summary_id = None

    def name(self):
        return "services_distance"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SITES, bilingual("Sites", "Sites"), [VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SERVICES, bilingual("Services", "Services"), [VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterField(
            self.CATEGORY_FIELD, bilingual("Champ de la catégorie (défaut : category)", "Category field (default: category)"),
            None, self.SERVICES, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.CATEGORIES, bilingual("Catégories", "Categories"),
            [voc.SERVICE_CATEGORY.label(code) for code in CATEGORIES], allowMultiple=True,
            defaultValue=list(range(len(CATEGORIES)))))
        self.addParameter(QgsProcessingParameterBoolean(
            self.OPEN_ONLY, bilingual("Sites ouverts seulement", "Open sites only"), True))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, bilingual("Rayon de comptage (m)", "Counting radius (m)"),
            QgsProcessingParameterNumber.Type.Double, 1000.0, minValue=0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ROADS, bilingual("Routes et chemins (distance à pied, facultatif)",
                                  "Roads and paths (walking distance, optional)"),
            [VECTOR_LINE], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, bilingual("Sites et distances aux services", "Sites and distances to services"),
            VECTOR_POINT))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.SUMMARY, bilingual("Synthèse : sites éloignés", "Summary: far sites"), VECTOR_ANY))

    def processAlgorithm(self, parameters, context, feedback):
        sites = checked_source(self, parameters, self.SITES, context, "Sites", "Sites")
        services = checked_source(self, parameters, self.SERVICES, context, "Services", "Services")
        category_i = field_index(services, self.parameterAsString(parameters, self.CATEGORY_FIELD, context)
                                 or "category", "catégorie", "category")
        chosen = [CATEGORIES[i] for i in self.parameterAsEnums(parameters, self.CATEGORIES, context)]
        if not chosen:
            raise failure("Choisissez au moins une catégorie de services.", "Choose at least one service category.")
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        roads = optional_source(self, parameters, self.ROADS, context, "Routes et chemins", "Roads and paths")
        open_only = self.parameterAsBoolean(parameters, self.OPEN_ONLY, context)
        status_i = sites.fields().lookupField(STATUS_FIELD)
        if open_only and status_i < 0:
            feedback.pushWarning(pick("Pas de champ status : tous les sites sont pris.",
                                      "No status field: every site is taken."))

        kept = self._sites(sites, status_i if open_only else -1, feedback)
        groups = self._by_territory(kept, sites, context)
        by_category, unknown = self._services_by_category(services, category_i, chosen, feedback)
        if unknown:
            feedback.pushWarning(pick(
                "%d service(s) d'une catégorie inconnue ignoré(s) (codes : %s)." % (unknown, ", ".join(CATEGORIES)),
                "%d service(s) of an unknown category skipped (codes: %s)." % (unknown, ", ".join(CATEGORIES))))
        feedback.setProgress(20)

        fields = QgsFields(sites.fields())
        for category in chosen:
            fields.append(new_field(distance_field(category), DOUBLE))
            fields.append(new_field("n_" + category, INTEGER))
            if roads is not None:
                fields.append(new_field("walk_" + category, DOUBLE))
        sink, self._output_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                     QgsWkbTypes.Type.Point, sites.sourceCrs())
        frames = LocalFrames(services.sourceCrs(), context)
        distances_all: Dict[str, List[Optional[float]]] = {c: [] for c in chosen}
        done, total = 0, len(kept) or 1
        for epsg, (features, points) in groups.items():
            if feedback.isCanceled():
                return {}
            columns = []
            network = WalkingNetwork(roads, frames.crs(epsg), context, feedback) if roads is not None else None
            for category in chosen:
                local = projected(by_category[category], frames.transform_to(epsg))
                found = model.nearest(points, local, radius)
                columns.append(found.rounded)
                columns.append(found.within)
                if network is not None:
                    columns.append(network.nearest_walks(points, local))
                distances_all[category] += found.distances
            outputs = []
            for index, (feature, geometry) in enumerate(features):
                output = QgsFeature(fields)
                output.setGeometry(geometry)
                output.setAttributes(feature.attributes() + [column[index] for column in columns])
                outputs.append(output)
            sink.addFeatures(outputs, QgsFeatureSink.Flag.FastInsert)
            done += len(features)
            feedback.setProgress(20 + 75.0 * done / total)

        summary_fields = QgsFields()
        for name, kind in (("category", STRING), ("label", STRING), ("threshold_m", INTEGER),
                           ("sites", INTEGER), ("sites_far", INTEGER)):
            summary_fields.append(new_field(name, kind))
        summary_sink, self._summary_id = self.parameterAsSink(parameters, self.SUMMARY, context, summary_fields,
                                                        QgsWkbTypes.Type.NoGeometry)
        for row in model.summary(distances_all):
            record = QgsFeature(summary_fields)
            record.setAttributes([row[name] for name in summary_fields.names()])
            summary_sink.addFeature(record, QgsFeatureSink.Flag.FastInsert)
            feedback.pushInfo(pick("%s : %d site(s) sur %d à plus de %d m" % (
                row["label"], row["sites_far"], row["sites"], row["threshold_m"]),
                "%s: %d site(s) of %d farther than %d m" % (
                voc.SERVICE_CATEGORY.label_en(row["category"]), row["sites_far"], row["sites"],
                row["threshold_m"])))
        self._first_category = "school" if "school" in chosen else chosen[0]
        return {self.OUTPUT: self._output_id, self.SUMMARY: self._summary_id}

    @staticmethod
    def _sites(sites, status_i: int, feedback) -> List[Tuple[QgsFeature, QgsGeometry]]:
        """The sites with a point (open ones when `status_i` ≥ 0), each with its geometry; those without
        are reported."""
        kept, skipped = [], 0
        skip_checks = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
        for feature in sites.getFeatures(QgsFeatureRequest(), skip_checks):
            if feedback.isCanceled():
                break
            if status_i >= 0 and feature.attribute(status_i) != "open":
                continue
            geometry = feature.geometry()
            if geometry.isEmpty():
                skipped += 1
                continue
            kept.append((feature, geometry))
        if skipped:
            feedback.pushWarning(pick("%d site(s) sans géométrie ignoré(s)." % skipped,
                                      "%d site(s) without geometry skipped." % skipped))
        return kept

    @staticmethod
    def _by_territory(kept, sites, context) -> Dict[int, Tuple[list, List[Tuple[float, float]]]]:
        """The sites grouped by the projected CRS of their territory (by département, else by position),
        each group with its points in that CRS."""
        frames = LocalFrames(sites.sourceCrs(), context)
        departement_i = sites.fields().lookupField(DEPARTEMENT_FIELD)
        points = [geometry.centroid().asPoint() for _feature, geometry in kept]
        epsgs: List[Optional[int]] = [None] * len(kept)
        if departement_i >= 0:
            by_departement: Dict[object, Optional[int]] = {}
            for index, (feature, _geometry) in enumerate(kept):
                departement = feature.attribute(departement_i)
                if departement not in by_departement:
                    by_departement[departement] = departement_epsg(departement)
                epsgs[index] = by_departement[departement]
        unknown = [index for index, epsg in enumerate(epsgs) if epsg is None]
        if unknown:
            wgs84 = projected([points[i] for i in unknown], frames.to_wgs84)
            for index, epsg in zip(unknown, epsg_by_position(wgs84)):
                epsgs[index] = epsg
        grouped: Dict[int, Tuple[list, list]] = {}
        for item, point, epsg in zip(kept, points, epsgs):
            members, group_points = grouped.setdefault(epsg, ([], []))
            members.append(item)
            group_points.append(point)
        return {epsg: (members, projected(group_points, frames.transform_to(epsg)))
                for epsg, (members, group_points) in grouped.items()}

    @staticmethod
    def _services_by_category(services, category_i: int, chosen, feedback) -> Tuple[Dict[str, list], int]:
        """The services' points (source CRS) per chosen category; a label (« École ») counts as its code."""
        found: Dict[str, list] = {c: [] for c in chosen}
        codes: Dict[object, Optional[str]] = {}
        unknown = 0
        request = QgsFeatureRequest().setSubsetOfAttributes([category_i])
        for feature in services.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks):
            if feedback.isCanceled():
                break
            geometry = feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            value = feature.attribute(category_i)
            if value not in codes:
                codes[value] = voc.SERVICE_CATEGORY.code_for_label(str(value)) if value not in (None, "") else None
            code = codes[value]
            if code is None:
                unknown += 1
            elif code in found:
                found[code].append(geometry.centroid().asPoint())
        return found, unknown

    def postProcessAlgorithm(self, context, feedback):
        """Graduated on the distance to a school (else the first category): ready for the COPIL map."""
        layer = QgsProcessingUtils.mapLayerFromString(self._output_id, context) if self._output_id else None
        outputs = {self.OUTPUT: self._output_id, self.SUMMARY: self._summary_id}
        if layer is None or self._first_category is None:
            return outputs
        ranges = []
        for low, high, colour, label in CLASSES:
            symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "size": "3",
                                                   "outline_color": "35,35,35,255", "outline_width": "0.3"})
            ranges.append(QgsRendererRange(low, high, symbol, label))
        layer.setRenderer(QgsGraduatedSymbolRenderer(distance_field(self._first_category), ranges))
        keep_style(layer, "services_distance", bilingual("Distance aux services", "Distance to services"),
                   feedback)
        layer.triggerRepaint()
        return outputs
