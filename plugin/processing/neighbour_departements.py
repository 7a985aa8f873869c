"""resorption:neighbour_departements — the figures of a département and of each bordering département."""
from typing import Dict, List, Tuple

from qgis.core import (QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsFields, QgsGeometry,
                       QgsCoordinateTransform, QgsProcessingFeatureSource,
                       QgsProcessingFeatureSourceDefinition, QgsProcessingParameterDateTime,
                       QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterString, QgsProviderRegistry, QgsSpatialIndex, QgsVectorLayer, QgsWkbTypes)

from ..assets import COMMUNES_REFERENCE
from ..i18n import pick
from ..model import sums as model
from ..model.territories import departement_name, normalise_departement
from .commune_density import commune_filter, communes_layer, per_ten_thousand
from .common import (DEPARTEMENT_FIELD, ResorptionAlgorithm, bilingual, checked_source, failure, layer_label,
                     number)

# Communes of two départements "touch" when closer than about 50 m (in degrees for a geographic CRS
from .qgis_types import DOUBLE, INTEGER, STRING, VECTOR_ANY, VECTOR_POINT, VECTOR_POLYGON, new_field
# like the reference's): simplified boundaries may leave slivers between neighbours.
TOUCH_TOLERANCE_DEGREES = 0.0005
TOUCH_TOLERANCE_METRES = 50.0

_shapes: Dict[Tuple[str, str], Tuple[QgsGeometry, int, int]] = {}
_neighbours: Dict[Tuple[str, str], List[str]] = {}


def _key(communes, code):
    """A cache key for the bundled reference; None (no caching) for a communes layer given by the user."""
    if isinstance(communes, QgsVectorLayer) and communes.source().startswith(str(COMMUNES_REFERENCE)):
        return (str(COMMUNES_REFERENCE), code)
    return None


def departement_shape(communes, code: str, indexes) -> Tuple[QgsGeometry, int, int]:
    """The union of a département's communes, its number of communes and inhabitants (cached)."""
    key = _key(communes, code)
    if key is None or key not in _shapes:
        request = QgsFeatureRequest().setFilterExpression(" AND ".join(filter(None, [
            commune_filter(communes), "\"departement\" = '%s'" % code])))
        geometries, inhabitants = [], 0
        for commune in communes.getFeatures(request):
            geometries.append(commune.geometry())
            inhabitants += int(number(commune.attribute(indexes[3])) or 0)
        union = QgsGeometry.unaryUnion(geometries) if geometries else QgsGeometry()
        if key is None:
            return union, len(geometries), inhabitants
        _shapes[key] = (union, len(geometries), inhabitants)
    return _shapes[key]


def bordering(communes, code: str, indexes) -> List[str]:
    """The départements whose communes touch the département's communes (cached).

    One prepared geometry (the département, widened by the tolerance) is tested against the communes
    of the other départements that the spatial filter gives: a few hundred tests, not n × m.
    """
    key = _key(communes, code)
    if key is None or key not in _neighbours:
        shape = departement_shape(communes, code, indexes)[0]
        if shape.isEmpty():
            return []
        tolerance = TOUCH_TOLERANCE_DEGREES if communes.sourceCrs().isGeographic() else TOUCH_TOLERANCE_METRES
        widened = shape.buffer(tolerance, 4)
        engine = QgsGeometry.createGeometryEngine(widened.constGet())
        engine.prepareGeometry()
        request = QgsFeatureRequest().setFilterRect(widened.boundingBox())
        request.setFilterExpression(" AND ".join(filter(None, [
            commune_filter(communes), "\"departement\" <> '%s'" % code])))
        found = set()
        for commune in communes.getFeatures(request):
            other = commune.attribute(indexes[2])
            if other not in found and engine.intersects(commune.geometry().constGet()):
                found.add(other)
        if key is None:
            return sorted(found)
        _neighbours[key] = sorted(found)
    return _neighbours[key]


def store_of(algorithm, parameters, name, context):
    """The Résorption SIG store behind the whole `sites` layer of a GeoPackage, else None."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly:
        return None
    layer = algorithm.parameterAsVectorLayer(parameters, name, context)
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    if parts.get("layerName") not in ("sites", None) or not str(parts.get("path", "")).endswith(".gpkg"):
        return None
    from ..store import open_store
    from ..store.base import StoreError
    try:
        return open_store(parts["path"])
    except StoreError:
        return None


class NeighbourDepartements(ResorptionAlgorithm):
    SITES = "SITES"
    DEPARTEMENT = "DEPARTEMENT"
    AT = "AT"
    COMMUNES = "COMMUNES"
    TABLE = "TABLE"
    OUTPUT = "OUTPUT"

    NAME_FR = "Situation des départements voisins"
    NAME_EN = "Situation of the neighbouring départements"
    HELP_FR = (
        "Les sommes automatiques (sites ouverts : sites, personnes, ménages, mineurs, mineurs scolarisés ; "
        "sites à population, ménages, mineurs, origine inconnus comptés à part ; sites non mis à jour ; "
        "sites de 10 personnes ou plus d'origine européenne seule) pour un département et pour chacun des "
        "départements qui le bordent, en tableau et en couche de polygones, avec les personnes pour "
        "10 000 habitants.\n\n"
        "Les voisins sont les départements dont une commune touche une commune du département (référentiel "
        "des communes fourni avec le plugin). Si la couche des sites est la couche « sites » entière d'un "
        "stockage Résorption SIG (GeoPackage), les sommes viennent du moteur de sommes du stockage, à la "
        "date choisie (historique compris) ; sinon elles sont calculées sur les entités de la couche (ou la "
        "sélection), le département étant lu dans le champ departement ou déduit de la position.")
    HELP_EN = (
        "The automatic figures (open sites: sites, people, households, minors, minors in school; sites "
        "with unknown population, households, minors, origin counted apart; sites out of date; sites of "
        "10 people or more of European origin only) for a département and for each bordering département, "
        "as a table and as a polygon layer, with people per 10,000 inhabitants.\n\n"
        "Neighbours are the départements one of whose communes touches a commune of the département "
        "(communes reference shipped with the plugin). When the sites layer is the whole “sites” layer of "
        "a Résorption SIG store (GeoPackage), the figures come from the store's sums engine, at the chosen "
        "date (history included); otherwise they are computed over the layer's features (or the "
        "selection), the département being read from the departement field or found from the position.")

    def name(self):
        return "neighbour_departements"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SITES, bilingual("Sites", "Sites"), [VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterString(
            self.DEPARTEMENT, bilingual("Département (ex. 93, 2A, 974)", "Département (e.g. 93, 2A, 974)")))
        self.addParameter(QgsProcessingParameterDateTime(
            self.AT, bilingual("Date (défaut : maintenant ; stockage Résorption SIG seulement)",
                               "Date (default: now; Résorption SIG store only)"),
            QgsProcessingParameterDateTime.Type.Date, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.COMMUNES, bilingual("Communes (défaut : référentiel fourni)",
                                     "Communes (default: bundled reference)"),
            [VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.TABLE, bilingual("Tableau des départements", "Table of the départements"), VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, bilingual("Départements", "Départements"), VECTOR_POLYGON))

    def processAlgorithm(self, parameters, context, feedback):
        raw = self.parameterAsString(parameters, self.DEPARTEMENT, context)
        code = normalise_departement(raw)
        if code is None:
            raise failure("« %s » n'est pas un code de département (ex. 93, 2A, 974)." % raw,
                          "“%s” is not a département code (e.g. 93, 2A, 974)." % raw)
        sites = checked_source(self, parameters, self.SITES, context, "Sites", "Sites", allow_empty=True)
        communes, indexes = communes_layer(self, parameters, self.COMMUNES, context)
        shape, _, _ = departement_shape(communes, code, indexes)
        if shape.isEmpty():
            raise failure("Aucune commune du département %s dans le référentiel des communes." % code,
                          "No commune of département %s in the communes reference." % code)
        departements = [code] + bordering(communes, code, indexes)
        feedback.pushInfo(pick("Départements voisins de %s : %s" % (code, ", ".join(departements[1:]) or "aucun"),
                               "Départements bordering %s: %s" % (code, ", ".join(departements[1:]) or "none")))
        feedback.setProgress(30)

        at = self.parameterAsDateTime(parameters, self.AT, context) if parameters.get(self.AT) else None
        at_text = at.date().toString("yyyy-MM-dd") + "T23:59:59.999Z" if at is not None and at.isValid() else None
        store = store_of(self, parameters, self.SITES, context)
        if store is not None:
            from ..store import sums_sql
            feedback.pushInfo(pick("Sommes du moteur du stockage %s." % layer_label(sites),
                                   "Figures from the sums engine of the store %s." % layer_label(sites)))
            figures = {}
            for position, departement in enumerate(departements):
                if feedback.isCanceled():
                    return {}
                figures[departement] = sums_sql.site_sums(
                    store, at_text, sums_sql.Territory(departement=departement)).total
                feedback.setProgress(30 + 50.0 * (position + 1) / len(departements))
        else:
            if at_text:
                feedback.pushWarning(pick(
                    "La date n'est prise en compte que pour un stockage Résorption SIG : état actuel de la couche.",
                    "The date only applies to a Résorption SIG store: current state of the layer."))
            figures = self.layer_figures(sites, communes, departements, indexes, context, feedback)

        table_fields = QgsFields()
        for name, kind in (("departement", STRING), ("name", STRING), ("role", STRING),
                           ("communes", INTEGER), ("inhabitants", INTEGER)):
            table_fields.append(new_field(name, kind))
        for name in model.FIGURE_NAMES:
            table_fields.append(new_field(name, INTEGER))
        table_fields.append(new_field("people_per_10k", DOUBLE))
        table, table_id = self.parameterAsSink(parameters, self.TABLE, context, table_fields,
                                               QgsWkbTypes.Type.NoGeometry, communes.sourceCrs())
        layer, layer_id = self.parameterAsSink(parameters, self.OUTPUT, context, table_fields,
                                               QgsWkbTypes.Type.MultiPolygon, communes.sourceCrs())
        for position, departement in enumerate(departements):
            if feedback.isCanceled():
                break
            geometry, count, inhabitants = departement_shape(communes, departement, indexes)
            values = figures.get(departement) or {name: 0 for name in model.FIGURE_NAMES}
            attributes = [departement, departement_name(departement),
                          pick("département", "département") if position == 0
                          else pick("voisin", "neighbour"), count, inhabitants]
            attributes += [int(values.get(name) or 0) for name in model.FIGURE_NAMES]
            attributes.append(per_ten_thousand(values.get("population_total") or 0, inhabitants))
            row = QgsFeature(table_fields)
            row.setAttributes(attributes)
            table.addFeature(row, QgsFeatureSink.Flag.FastInsert)
            polygon = QgsFeature(table_fields)
            multi = QgsGeometry(geometry)
            multi.convertToMultiType()
            polygon.setGeometry(multi)
            polygon.setAttributes(attributes)
            layer.addFeature(polygon, QgsFeatureSink.Flag.FastInsert)
        feedback.setProgress(100)
        return {self.TABLE: table_id, self.OUTPUT: layer_id}

    @staticmethod
    def layer_figures(sites, communes, departements, indexes, context, feedback):
        """model.figures over the layer's open sites, by département (field, else position)."""
        names = sites.fields().names()
        departement_i = sites.fields().lookupField(DEPARTEMENT_FIELD)
        to_communes = QgsCoordinateTransform(sites.sourceCrs(), communes.sourceCrs(), context.transformContext())
        index = QgsSpatialIndex()
        shapes = {}
        for position, departement in enumerate(departements):
            shape = departement_shape(communes, departement, indexes)[0]
            shapes[position] = (departement, shape)
            feature = QgsFeature(position)
            feature.setGeometry(shape)
            index.addFeature(feature)
        rows: Dict[str, list] = {departement: [] for departement in departements}
        if "status" not in names:
            feedback.pushWarning(pick("Pas de champ status : tous les sites sont comptés comme ouverts.",
                                      "No status field: every site is counted as open."))
        every_feature = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
        for feature in sites.getFeatures(QgsFeatureRequest(), every_feature):
            if feedback.isCanceled():
                break
            departement = normalise_departement(feature.attribute(departement_i)) if departement_i >= 0 else None
            if departement is None and feature.hasGeometry():
                point = QgsGeometry(feature.geometry())
                point.transform(to_communes)
                for position in index.intersects(point.boundingBox()):
                    if shapes[position][1].contains(point):
                        departement = shapes[position][0]
                        break
            if departement not in rows:
                continue
            row = {name: _plain(feature.attribute(name)) for name in names}
            row.setdefault("status", model.OPEN)
            rows[departement].append(row)
        at = model.now_instant()
        return {departement: model.figures(model.selected(found), at) for departement, found in rows.items()}


def _plain(value):
    """A QGIS attribute as the store's plain value: NULL → None, whole floats → int, dates → ISO text."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "toString") and hasattr(value, "isValid"):
        return value.toString("yyyy-MM-ddTHH:mm:ss.zzzZ") if hasattr(value, "time") else value.toString("yyyy-MM-dd")
    return value
