"""resorption:sites_landuse — what land use surrounds each site (Corine Land Cover, RPG, a user layer)."""
from qgis.core import (QgsCategorizedSymbolRenderer, QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureSink,
                       QgsFields, QgsMarkerSymbol, QgsProcessingParameterDistance,
                       QgsProcessingParameterEnum, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterString, QgsProcessingUtils,
                       QgsRendererCategory, QgsWkbTypes)

from ..i18n import pick
from . import corine
from .common import (DEPARTEMENT_FIELD, POPULATION_FIELD, ProjectedLayer, ResorptionAlgorithm, add_fields,
                     bilingual, checked_source, class_matcher, default_field, extent_of, field_index,
                     group_by_territory, keep_style, number, open_sites_parameter, parse_codes, shares_json,
                     status_index, tiles)

TOP = 3
from .qgis_types import DOUBLE, INTEGER, STRING, VECTOR_ANY, VECTOR_POINT, VECTOR_POLYGON, new_field
TILE = 50000.0              # metres: the land use is read by tiles of this size around the sites
BUFFER_SEGMENTS = 16        # per quarter circle, as native:buffer's default: the area is 0.16 % below π r²
NO_CLASS = "(aucune)"


class SitesLandUse(ResorptionAlgorithm):
    SITES = "SITES"
    LANDUSE = "LANDUSE"
    CLASS_FIELD = "CLASS_FIELD"
    NOMENCLATURE = "NOMENCLATURE"
    LEVEL = "LEVEL"
    RADIUS = "RADIUS"
    DISTANCE_CLASSES = "DISTANCE_CLASSES"
    SEARCH_DISTANCE = "SEARCH_DISTANCE"
    POPULATION = "POPULATION_FIELD"
    DEPARTEMENT = "DEPARTEMENT_FIELD"
    OPEN_ONLY = "OPEN_ONLY"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    NAME_FR = "Croiser les sites avec l'occupation du sol"
    NAME_EN = "Cross sites with land use"
    HELP_FR = (
        "Pour chaque site (tous, ou la sélection si « entités sélectionnées uniquement » est coché ; les "
        "sites ouverts seulement, status = open, sauf si l'option est décochée) : "
        "la classe d'occupation du sol au point, la part de chaque classe dans un tampon (100 m par "
        "défaut) et la distance au plus proche polygone des classes choisies (ex. 211,221 ou 2 pour tous "
        "les territoires agricoles).\n\n"
        "Occupation du sol : Corine Land Cover (champ CODE_18 ; libellés de la nomenclature intégrés, "
        "agrégation au niveau 1, 2 ou 3), le RPG (champ CODE_GROUP ou CODE_CULTU) ou toute couche de "
        "polygones avec un champ de classe (nomenclature « autre » : codes tels quels).\n\n"
        "Les tampons, surfaces et distances sont calculés dans le SCR projeté local du territoire du site "
        "(Lambert-93 pour l'Hexagone et la Corse, EPSG:5490 Antilles, 2972 Guyane, 2975 La Réunion, "
        "4471 Mayotte), choisi d'après le champ département s'il existe, sinon d'après la position. Les "
        "couches peuvent avoir des SCR différents : elles sont reprojetées.\n\n"
        "Sorties : les sites avec lu_class (classe au point), lu_class_1..3 / lu_share_1..3 (les trois "
        "classes dominantes du tampon et leur part en %), lu_shares (toutes les parts, JSON), lu_covered "
        "(part du tampon couverte par la couche), lu_distance (m, vide si aucun polygone dans la distance "
        "de recherche) ; et un tableau de synthèse par classe au point : sites, personnes, sites à "
        "population inconnue (comptés à part), sites dont le tampon touche la classe. Avec Corine Land "
        "Cover, les sites sont colorés selon la classe dominante du tampon, aux couleurs de la nomenclature.")
    HELP_EN = (
        "For each site (all, or the selection when “selected features only” is ticked; open sites only, "
        "status = open, unless the option is unticked): the land-use "
        "class at the point, the share of each class within a buffer (100 m by default) and the distance "
        "to the nearest polygon of the chosen classes (e.g. 211,221 or 2 for all agricultural areas).\n\n"
        "Land use: Corine Land Cover (field CODE_18; the nomenclature labels are built in, aggregation "
        "to level 1, 2 or 3), the RPG (CODE_GROUP or CODE_CULTU) or any polygon layer with a class field "
        "(nomenclature “other”: codes as they are).\n\n"
        "Buffers, areas and distances are computed in the local projected CRS of the site's territory "
        "(Lambert-93 for mainland France and Corsica, EPSG:5490 Antilles, 2972 French Guiana, 2975 "
        "Réunion, 4471 Mayotte), chosen from the département field when there is one, else from the "
        "position. Layers may have different CRSs: they are reprojected.\n\n"
        "Outputs: the sites with lu_class (class at the point), lu_class_1..3 / lu_share_1..3 (the three "
        "main classes in the buffer and their share in %), lu_shares (every share, JSON), lu_covered "
        "(share of the buffer covered by the layer), lu_distance (m, empty when no polygon lies within "
        "the search distance); and a summary table by class at the point: sites, people, sites with "
        "unknown population (counted apart), sites whose buffer touches the class. With Corine Land Cover, "
        "sites are coloured by the main class in their buffer, in the nomenclature's colours.")

    def __init__(self):
        super().__init__()
        self._output_id = None
        self._is_clc = True

    def name(self):
        return "sites_landuse"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SITES, bilingual("Sites", "Sites"), [VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LANDUSE, bilingual("Occupation du sol (polygones)", "Land use (polygons)"),
            [VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.CLASS_FIELD, bilingual("Champ de la classe (ex. CODE_18)", "Class field (e.g. CODE_18)"),
            None, self.LANDUSE, QgsProcessingParameterField.DataType.Any))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, bilingual("Nomenclature", "Nomenclature"),
            [bilingual("Corine Land Cover", "Corine Land Cover"),
             bilingual("Autre (codes tels quels)", "Other (codes as they are)")], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.LEVEL, bilingual("Niveau Corine Land Cover", "Corine Land Cover level"),
            ["1", "2", "3"], defaultValue=2))
        radius = QgsProcessingParameterDistance(
            self.RADIUS, bilingual("Rayon du tampon (m, SCR local)", "Buffer radius (m, local CRS)"),
            100.0, minValue=0.1)
        self.addParameter(radius)
        self.addParameter(QgsProcessingParameterString(
            self.DISTANCE_CLASSES,
            bilingual("Classes pour la distance (codes séparés par des virgules)",
                      "Classes for the distance (comma-separated codes)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEARCH_DISTANCE,
            bilingual("Distance de recherche maximale (m, 0 = sans limite)",
                      "Maximum search distance (m, 0 = no limit)"),
            QgsProcessingParameterNumber.Type.Double, 5000.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION, bilingual("Champ du nombre de personnes (défaut : population_total)",
                                       "Number of people field (default: population_total)"),
            None, self.SITES, QgsProcessingParameterField.DataType.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.DEPARTEMENT, bilingual("Champ du département (défaut : departement)",
                                        "Département field (default: departement)"),
            None, self.SITES, QgsProcessingParameterField.DataType.Any, optional=True))
        self.addParameter(open_sites_parameter(self.OPEN_ONLY))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, bilingual("Sites et occupation du sol", "Sites and land use"),
            VECTOR_POINT))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.SUMMARY, bilingual("Synthèse par classe", "Summary by class"), VECTOR_ANY))

    @staticmethod
    def measure(point, polygons, near, radius, search, classify):
        """The class at the point, the (class, share %) in the buffer largest first, the distance."""
        buffer = point.buffer(radius, BUFFER_SEGMENTS)
        buffer_area = buffer.area()
        areas = {}
        for value, area in polygons.areas_by_value(buffer).items():
            code = classify(value)
            areas[code] = areas.get(code, 0.0) + area
        shares = sorted(((code, 100.0 * area / buffer_area) for code, area in areas.items()),
                        key=lambda item: (-item[1], str(item[0])))
        distance = None
        if near is not None:
            found = near.nearest(point, search)
            distance = round(found[1], 1) if found else None
        return classify(polygons.value_at(point)), shares, distance

    @staticmethod
    def count(summary, feature, population_index, at_point, shares):
        """Sites and people by class at the point (unknown population apart), sites by class in the buffer."""
        people = number(feature.attribute(population_index)) if population_index >= 0 else None
        row = summary.setdefault(at_point if at_point is not None else pick(NO_CLASS, "(none)"),
                                 {"sites": 0, "people": 0.0, "unknown": 0, "buffer": 0})
        row["sites"] += 1
        if people is None:
            row["unknown"] += 1
        else:
            row["people"] += people
        for code, _ in shares:
            summary.setdefault(code, {"sites": 0, "people": 0.0, "unknown": 0, "buffer": 0})["buffer"] += 1

    def processAlgorithm(self, parameters, context, feedback):
        sites = checked_source(self, parameters, self.SITES, context, "Sites", "Sites")
        landuse = checked_source(self, parameters, self.LANDUSE, context, "Occupation du sol", "Land use")
        class_index = field_index(landuse, self.parameterAsString(parameters, self.CLASS_FIELD, context),
                                  "classe", "class")
        is_clc = self._is_clc = self.parameterAsEnum(parameters, self.NOMENCLATURE, context) == 0
        level = self.parameterAsEnum(parameters, self.LEVEL, context) + 1
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        search = self.parameterAsDouble(parameters, self.SEARCH_DISTANCE, context)
        distance_codes = parse_codes(self.parameterAsString(parameters, self.DISTANCE_CLASSES, context))
        population_index = default_field(self, parameters, self.POPULATION, context, sites, POPULATION_FIELD)
        departement_index = default_field(self, parameters, self.DEPARTEMENT, context, sites, DEPARTEMENT_FIELD)
        english = pick("fr", "en") == "en"

        def classify(value):
            code = corine.class_code(value)
            return corine.at_level(code, level) if is_clc else code

        def label(code):
            return corine.label(code, english) if is_clc else None

        near_classes = class_matcher(distance_codes, is_clc)

        fields = add_fields(sites, [("lu_class", STRING), ("lu_label", STRING)] + [
                (name % rank, kind) for rank in range(1, TOP + 1)
                for name, kind in (("lu_class_%d", STRING), ("lu_label_%d", STRING),
                                   ("lu_share_%d", DOUBLE))] + [
                ("lu_shares", STRING), ("lu_covered", DOUBLE),
                ("lu_distance", DOUBLE), ("lu_epsg", INTEGER)])
        sink, output_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                               sites.wkbType(), sites.sourceCrs())
        self._output_id = output_id

        status_i = status_index(self.parameterAsBoolean(parameters, self.OPEN_ONLY, context), sites, feedback)
        groups = group_by_territory(sites, context, feedback, departement_index)
        if status_i >= 0:
            groups = {epsg: [(feature, point) for feature, point in items if feature.attribute(status_i) == "open"]
                      for epsg, items in groups.items()}
            groups = {epsg: items for epsg, items in groups.items() if items}
        total = sum(len(items) for items in groups.values()) or 1
        done = 0
        summary = {}
        for epsg, items in sorted(groups.items()):
            if feedback.isCanceled():
                break
            crs = QgsCoordinateReferenceSystem("EPSG:%d" % epsg)
            feedback.pushInfo(pick("%d site(s) mesuré(s) en EPSG:%d" % (len(items), epsg),
                                   "%d site(s) measured in EPSG:%d" % (len(items), epsg)))
            # The land use is read tile by tile around the sites (their extent, plus the search distance).
            unlimited = bool(distance_codes) and search <= 0
            margin = max(radius, search) if distance_codes else radius
            for tile in [items] if unlimited else tiles(items, TILE):
                if feedback.isCanceled():
                    break
                polygons = ProjectedLayer(landuse, crs, context, None, class_index,
                                          None if unlimited else extent_of(tile, margin))
                near = polygons.subset(lambda value: near_classes(corine.class_code(value))) \
                    if distance_codes else None
                for feature, point in tile:
                    if feedback.isCanceled():
                        break
                    at_point, shares, distance = self.measure(point, polygons, near, radius, search, classify)
                    attributes = feature.attributes() + [at_point, label(at_point)]
                    for rank in range(TOP):
                        code, share = shares[rank] if rank < len(shares) else (None, None)
                        attributes += [code, label(code), round(share, 2) if share is not None else None]
                    attributes += [shares_json(shares), round(min(100.0, sum(s for _, s in shares)), 2),
                                   distance, epsg]
                    output = QgsFeature(fields)
                    output.setGeometry(feature.geometry())
                    output.setAttributes(attributes)
                    sink.addFeature(output, QgsFeatureSink.Flag.FastInsert)
                    self.count(summary, feature, population_index, at_point, shares)
                    done += 1
                    feedback.setProgress(100.0 * done / total)

        summary_fields = QgsFields()
        for name, kind in (("class", STRING), ("label", STRING), ("sites", INTEGER),
                           ("people", DOUBLE), ("sites_unknown_population", INTEGER),
                           ("sites_in_buffer", INTEGER)):
            summary_fields.append(new_field(name, kind))
        summary_sink, summary_id = self.parameterAsSink(parameters, self.SUMMARY, context, summary_fields,
                                                        QgsWkbTypes.Type.NoGeometry, sites.sourceCrs())
        for code in sorted(summary, key=lambda c: (-summary[c]["sites"], str(c))):
            row = summary[code]
            feature = QgsFeature(summary_fields)
            feature.setAttributes([code, label(code), row["sites"], row["people"], row["unknown"], row["buffer"]])
            summary_sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        return {self.OUTPUT: output_id, self.SUMMARY: summary_id}

    def postProcessAlgorithm(self, context, feedback):
        """Corine Land Cover outputs: sites coloured by the main class around them, in the CLC colours."""
        layer = QgsProcessingUtils.mapLayerFromString(self._output_id, context) if self._output_id else None
        if layer is None or not self._is_clc:
            return {}
        english = pick("fr", "en") == "en"
        categories = []
        for code in sorted(code for code in layer.uniqueValues(layer.fields().lookupField("lu_class_1"))
                           if isinstance(code, str) and corine.colour(code)):
            symbol = QgsMarkerSymbol.createSimple({"name": "circle", "size": "3", "outline_color": "#404040",
                                                   "color": "%d,%d,%d" % corine.colour(code)})
            categories.append(QgsRendererCategory(code, symbol, "%s %s" % (code, corine.label(code, english))))
        if categories:
            layer.setRenderer(QgsCategorizedSymbolRenderer("lu_class_1", categories))
            keep_style(layer, "sites_landuse", bilingual("Sites et occupation du sol", "Sites and land use"),
                       feedback)
            layer.triggerRepaint()
        return {}
