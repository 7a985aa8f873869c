"""resorption:commune_density — sites and people per commune and per 10,000 inhabitants, as a choropleth."""
from qgis.core import (QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsFields,
                       QgsCoordinateTransform, QgsProcessingFeatureSource,
                       QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterString, QgsProcessingUtils, QgsSpatialIndex, QgsVectorLayer,
                       QgsWkbTypes)

from ..assets import COMMUNES_REFERENCE, style_path
from ..i18n import pick
from ..model.territories import normalise_departement
from .common import (POPULATION_FIELD, ResorptionAlgorithm, bilingual, checked_source, default_field, failure,
                     field_index, invalid_geometry, keep_style, number, open_sites_parameter, parse_codes,
                     status_index)

STYLE = "commune_density.qml"
from .qgis_types import DOUBLE, INTEGER, STRING, VECTOR_POINT, VECTOR_POLYGON, new_field
PER = 10000.0
COMMUNE_FIELDS = ("insee", "nom", "departement", "population")


def communes_layer(algorithm, parameters, name, context):
    """The communes given by the user, else the bundled reference; checked for the fields we read."""
    if parameters.get(name):
        source = checked_source(algorithm, parameters, name, context, "Communes", "Communes")
    else:
        if not COMMUNES_REFERENCE.is_file():
            raise failure("Le référentiel des communes manque (%s) : lancez « .ci/setup »." % COMMUNES_REFERENCE,
                          "The communes reference is missing (%s): run “.ci/setup”." % COMMUNES_REFERENCE)
        source = QgsVectorLayer("%s|layername=communes" % COMMUNES_REFERENCE, "communes", "ogr")
    indexes = [field_index(source, field, field, field) for field in COMMUNE_FIELDS]
    return source, indexes



def commune_filter(source) -> str:
    """Only whole communes: Paris, Lyon and Marseille's arrondissements (type ARM) overlap them."""
    return "\"type\" <> 'ARM'" if source.fields().lookupField("type") >= 0 else ""


def per_ten_thousand(count, population):
    if count is None or not population:
        return None
    return round(PER * count / population, 2)


class CommuneDensity(ResorptionAlgorithm):
    SITES = "SITES"
    COMMUNES = "COMMUNES"
    DEPARTEMENTS = "DEPARTEMENTS"
    OPEN_ONLY = "OPEN_ONLY"
    POPULATION = "POPULATION_FIELD"
    OUTPUT = "OUTPUT"

    NAME_FR = "Densité par commune"
    NAME_EN = "Density by commune"
    HELP_FR = (
        "Nombre de sites et de personnes par commune, et pour 10 000 habitants (population municipale "
        "du référentiel des communes fourni avec le plugin, ou d'une couche de communes ayant les champs "
        "insee, nom, departement, population).\n\n"
        "Chaque site est rattaché à la commune qui contient son point. La couche produite contient toutes "
        "les communes des départements indiqués (ex. 93,94,95), ou par défaut des départements où se "
        "trouvent les sites, y compris celles sans site (0), avec un style en classes (personnes pour "
        "10 000 habitants). Les sites à population inconnue sont comptés à part (sites_unknown_population), "
        "jamais comme 0. Par défaut seuls les sites ouverts (status = open) sont comptés.")
    HELP_EN = (
        "Number of sites and people per commune, and per 10,000 inhabitants (municipal population of the "
        "communes reference shipped with the plugin, or of a communes layer with the fields insee, nom, "
        "departement, population).\n\n"
        "Each site belongs to the commune containing its point. The output holds every commune of the "
        "given départements (e.g. 93,94,95), or by default of the départements where the sites are, "
        "including those without a site (0), with a graduated style (people per 10,000 inhabitants). "
        "Sites with unknown population are counted apart (sites_unknown_population), never as 0. By "
        "default only open sites (status = open) are counted.")

    def __init__(self):
        super().__init__()
        self._output_id = None

    def name(self):
        return "commune_density"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SITES, bilingual("Sites", "Sites"), [VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.COMMUNES, bilingual("Communes (défaut : référentiel fourni)",
                                     "Communes (default: bundled reference)"),
            [VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.DEPARTEMENTS, bilingual("Départements (ex. 93,94 ; défaut : ceux des sites)",
                                         "Départements (e.g. 93,94; default: those of the sites)"), optional=True))
        self.addParameter(open_sites_parameter(self.OPEN_ONLY))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION, bilingual("Champ du nombre de personnes (défaut : population_total)",
                                       "Number of people field (default: population_total)"),
            None, self.SITES, QgsProcessingParameterField.DataType.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, bilingual("Densité par commune", "Density by commune"), VECTOR_POLYGON))

    def processAlgorithm(self, parameters, context, feedback):
        wanted = []
        for code in parse_codes(self.parameterAsString(parameters, self.DEPARTEMENTS, context)):
            departement = normalise_departement(code)
            if departement is None:
                raise failure("« %s » n'est pas un code de département (ex. 93, 2A, 974)." % code,
                              "“%s” is not a département code (e.g. 93, 2A, 974)." % code)
            wanted.append(departement)
        sites = checked_source(self, parameters, self.SITES, context, "Sites", "Sites")
        communes, (insee_i, name_i, departement_i, population_i) = communes_layer(
            self, parameters, self.COMMUNES, context)
        status_i = status_index(self.parameterAsBoolean(parameters, self.OPEN_ONLY, context), sites, feedback)
        people_i = default_field(self, parameters, self.POPULATION, context, sites, POPULATION_FIELD)

        # Sites in the communes' CRS, then only the communes around them go into the index.
        to_communes = QgsCoordinateTransform(sites.sourceCrs(), communes.sourceCrs(), context.transformContext())
        points = []
        every_feature = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
        for feature in sites.getFeatures(QgsFeatureRequest(), every_feature):
            if feedback.isCanceled():
                return {}
            if status_i >= 0 and feature.attribute(status_i) != "open":
                continue
            geometry = feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            geometry.transform(to_communes)
            people = number(feature.attribute(people_i)) if people_i >= 0 else None
            points.append((geometry, people))
        feedback.setProgress(10)

        request = QgsFeatureRequest()
        expression = commune_filter(communes)
        if wanted:
            expression = " AND ".join(filter(None, [expression, "\"departement\" IN (%s)" % ", ".join(
                "'%s'" % code for code in wanted)]))
        elif points:
            extent = points[0][0].boundingBox()
            for geometry, _ in points:
                extent.combineExtentWith(geometry.boundingBox())
            request.setFilterRect(extent.buffered(1e-6))
        if expression:
            request.setFilterExpression(expression)
        index = QgsSpatialIndex()
        polygons = {}
        for commune in communes.getFeatures(request) if wanted or points else ():
            if feedback.isCanceled():
                return {}
            index.addFeature(commune)
            polygons[commune.id()] = commune
        feedback.setProgress(30)

        counts = {}
        outside = 0
        valid = set()
        for geometry, people in points:
            found = None
            for commune_id in index.intersects(geometry.boundingBox()):
                commune_geometry = polygons[commune_id].geometry()
                if commune_id not in valid:
                    if not commune_geometry.isGeosValid():
                        raise invalid_geometry(communes, commune_id)
                    valid.add(commune_id)
                if commune_geometry.contains(geometry):
                    found = commune_id
                    break
            if found is None:
                outside += 1
                continue
            row = counts.setdefault(found, [0, 0.0, 0])
            row[0] += 1
            if people is None:
                row[2] += 1
            else:
                row[1] += people
        if outside:
            feedback.pushWarning(pick(
                "%d site(s) hors des communes retenues : non comptés." % outside,
                "%d site(s) outside the communes taken: not counted." % outside))
        feedback.setProgress(50)

        if not wanted:
            # Every commune of the sites' départements, so that communes without a site show as 0.
            wanted = sorted({polygons[commune_id].attribute(departement_i) for commune_id in counts})
            request = QgsFeatureRequest().setFilterExpression(" AND ".join(filter(None, [
                commune_filter(communes),
                "\"departement\" IN (%s)" % ", ".join("'%s'" % code for code in wanted) if wanted else "FALSE"])))
            polygons.update({commune.id(): commune for commune in communes.getFeatures(request)})

        fields = QgsFields()
        for name, kind in (("insee", STRING), ("nom", STRING), ("departement", STRING),
                           ("population", INTEGER), ("sites", INTEGER), ("people", DOUBLE),
                           ("sites_unknown_population", INTEGER), ("sites_per_10k", DOUBLE),
                           ("people_per_10k", DOUBLE)):
            fields.append(new_field(name, kind))
        sink, self._output_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                     QgsWkbTypes.Type.MultiPolygon, communes.sourceCrs())
        chosen = [commune for commune in polygons.values() if commune.attribute(departement_i) in wanted]
        for position, commune in enumerate(sorted(chosen, key=lambda c: str(c.attribute(insee_i)))):
            if feedback.isCanceled():
                break
            sites_count, people, unknown = counts.get(commune.id(), (0, 0.0, 0))
            population = number(commune.attribute(population_i))
            output = QgsFeature(fields)
            geometry = commune.geometry()
            geometry.convertToMultiType()
            output.setGeometry(geometry)
            output.setAttributes([commune.attribute(insee_i), commune.attribute(name_i),
                                  commune.attribute(departement_i),
                                  int(population) if population is not None else None,
                                  sites_count, people, unknown,
                                  per_ten_thousand(sites_count, population), per_ten_thousand(people, population)])
            sink.addFeature(output, QgsFeatureSink.Flag.FastInsert)
            feedback.setProgress(50 + 50.0 * position / max(1, len(chosen)))
        return {self.OUTPUT: self._output_id}

    def postProcessAlgorithm(self, context, feedback):
        """The choropleth on the output; kept with a GeoPackage output (its layer_styles table) or beside
        a file (a .qml), so that the layer shows styled wherever it is opened again."""
        layer = QgsProcessingUtils.mapLayerFromString(self._output_id, context) if self._output_id else None
        if layer is None:
            return {self.OUTPUT: self._output_id}
        message, loaded = layer.loadNamedStyle(style_path(STYLE))
        if loaded:
            keep_style(layer, "commune_density", bilingual("Densité par commune", "Density by commune"), feedback)
        else:
            feedback.pushWarning(message)
        layer.triggerRepaint()
        return {self.OUTPUT: self._output_id}
