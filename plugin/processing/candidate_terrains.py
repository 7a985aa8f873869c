"""resorption:candidate_terrains — score candidate parcels for a terrain d'insertion, and say why."""
from qgis.core import (QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureSink,
                       QgsProcessingParameterDefinition, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterString)

from . import corine
from .sites_landuse import TILE
from .common import (ProjectedLayer, ResorptionAlgorithm, add_fields, bilingual, checked_source, class_matcher,
                     extent_of, failure, field_index, group_by_territory, optional_source, parse_codes, tiles)


def distance_score(distance, target: float) -> float:
    """1 within the target distance, falling linearly to 0 at twice the target."""
    if distance is None:
        return 0.0
    if distance <= target:
        return 1.0
    return max(0.0, 1.0 - (distance - target) / target)


def thousands(value: float) -> str:
    """1 234, the French way (narrow no-break space as thousands separator)."""
    return "{:,.0f}".format(value).replace(",", "\u202f")


def metres(value: float) -> str:
    return thousands(value) + " m"


def classes_text(codes) -> str:
    return ", ".join("%s %s" % (code, corine.label(code)) if corine.label(code) else code for code in codes)


class CandidateTerrains(ResorptionAlgorithm):
    CANDIDATES = "CANDIDATES"
    MIN_AREA = "MIN_AREA"
    MAX_AREA = "MAX_AREA"
    LANDUSE = "LANDUSE"
    CLASS_FIELD = "CLASS_FIELD"
    ALLOWED = "ALLOWED_CLASSES"
    EXCLUDED = "EXCLUDED_CLASSES"
    EXCLUSION_ZONES = "EXCLUSION_ZONES"
    TOLERANCE = "TOLERANCE"
    SCHOOLS = "SCHOOLS"
    SCHOOL_DISTANCE = "SCHOOL_DISTANCE"
    TRANSIT = "TRANSIT"
    TRANSIT_DISTANCE = "TRANSIT_DISTANCE"
    SITES = "SITES"
    SITES_DISTANCE = "SITES_DISTANCE"
    LANDUSE_WEIGHT = "LANDUSE_WEIGHT"
    SCHOOL_WEIGHT = "SCHOOL_WEIGHT"
    TRANSIT_WEIGHT = "TRANSIT_WEIGHT"
    SITES_WEIGHT = "SITES_WEIGHT"
    OUTPUT = "OUTPUT"

    NAME_FR = "Évaluer des terrains candidats"
    NAME_EN = "Score candidate terrains"
    HELP_FR = (
        "Note de 0 à 100 des parcelles candidates pour un terrain d'insertion, et l'explication en mots "
        "(champ reasons).\n\n"
        "Contraintes éliminatoires (note 0, eligible = faux) : surface hors de la fourchette ; part de "
        "la parcelle en zone d'exclusion (ex. zone inondable) ou en classes d'occupation du sol exclues "
        "au-delà de la tolérance (5 % par défaut).\n\n"
        "Critères pondérés (poids en paramètres ; un critère sans couche n'est pas compté) : part de la "
        "parcelle en classes autorisées (ex. 211,231 ou 1 pour tout l'artificialisé) ; distance à la plus "
        "proche école, au plus proche arrêt de transport, au plus proche site existant (pour garder les "
        "liens, la scolarisation) : 1 jusqu'à la distance cible, puis décroissance linéaire jusqu'à 0 au "
        "double. Note = 100 × Σ poids × critère / Σ poids. rank classe les parcelles éligibles (1 = la "
        "meilleure).\n\n"
        "Surfaces et distances sont mesurées dans le SCR projeté local du territoire de chaque parcelle "
        "(Lambert-93, EPSG:5490, 2972, 2975, 4471) ; les couches sont reprojetées.")
    HELP_EN = (
        "Scores candidate parcels for a terrain d'insertion from 0 to 100 and explains it in words (field "
        "reasons, in French).\n\n"
        "Eliminating constraints (score 0, eligible = false): area outside the range; share of the "
        "parcel in exclusion zones (e.g. flood risk) or in excluded land-use classes above the tolerance "
        "(5% by default).\n\n"
        "Weighted criteria (weights as parameters; a criterion without its layer does not count): share "
        "of the parcel in allowed classes (e.g. 211,231 or 1 for all artificial surfaces); distance to the "
        "nearest school, transit stop, existing site (keeping ties and schooling): 1 up to the target "
        "distance, then falling linearly to 0 at twice the target. Score = 100 × Σ weight × criterion / "
        "Σ weight. rank orders the eligible parcels (1 = best).\n\n"
        "Areas and distances are measured in the local projected CRS of each parcel's territory "
        "(Lambert-93, EPSG:5490, 2972, 2975, 4471); layers are reprojected.")

    def name(self):
        return "candidate_terrains"

    def initAlgorithm(self, config=None):
        def number(name, fr, en, default, advanced=False):
            parameter = QgsProcessingParameterNumber(name, bilingual(fr, en), QgsProcessingParameterNumber.Type.Double,
                                                     default, minValue=0.0)
            if advanced:
                parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
            self.addParameter(parameter)

        def layer(name, fr, en, kind):
            self.addParameter(QgsProcessingParameterFeatureSource(name, bilingual(fr, en), [kind], optional=True))

        self.addParameter(QgsProcessingParameterFeatureSource(
            self.CANDIDATES, bilingual("Parcelles candidates", "Candidate parcels"), [VECTOR_POLYGON]))
        number(self.MIN_AREA, "Surface minimale (m²)", "Minimum area (m²)", 1000.0)
        number(self.MAX_AREA, "Surface maximale (m², 0 = sans limite)", "Maximum area (m², 0 = no limit)", 0.0)
        layer(self.LANDUSE, "Occupation du sol", "Land use", VECTOR_POLYGON)
        self.addParameter(QgsProcessingParameterField(
            self.CLASS_FIELD, bilingual("Champ de la classe", "Class field"), None, self.LANDUSE,
            QgsProcessingParameterField.DataType.Any, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.ALLOWED, bilingual("Classes autorisées (codes séparés par des virgules)",
                                    "Allowed classes (comma-separated codes)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.EXCLUDED, bilingual("Classes exclues (codes séparés par des virgules)",
                                     "Excluded classes (comma-separated codes)"), optional=True))
        layer(self.EXCLUSION_ZONES, "Zones d'exclusion (ex. zone inondable)", "Exclusion zones (e.g. flood risk)",
              VECTOR_POLYGON)
        number(self.TOLERANCE, "Tolérance d'exclusion (% de la parcelle)", "Exclusion tolerance (% of the parcel)",
               5.0)
        layer(self.SCHOOLS, "Écoles (points)", "Schools (points)", VECTOR_POINT)
        number(self.SCHOOL_DISTANCE, "Distance cible à une école (m)", "Target distance to a school (m)", 1000.0)
        layer(self.TRANSIT, "Arrêts de transport (points)", "Transit stops (points)", VECTOR_POINT)
        number(self.TRANSIT_DISTANCE, "Distance cible à un arrêt (m)", "Target distance to a stop (m)", 500.0)
        layer(self.SITES, "Sites existants", "Existing sites", VECTOR_POINT)
        number(self.SITES_DISTANCE, "Distance cible à un site existant (m)", "Target distance to an existing site (m)",
               3000.0)
        number(self.LANDUSE_WEIGHT, "Poids : occupation du sol", "Weight: land use", 1.0, True)
        number(self.SCHOOL_WEIGHT, "Poids : écoles", "Weight: schools", 1.0, True)
        number(self.TRANSIT_WEIGHT, "Poids : transports", "Weight: transit", 1.0, True)
        number(self.SITES_WEIGHT, "Poids : sites existants", "Weight: existing sites", 1.0, True)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, bilingual("Terrains évalués", "Scored terrains"), VECTOR_POLYGON))

    def processAlgorithm(self, parameters, context, feedback):
        candidates = checked_source(self, parameters, self.CANDIDATES, context,
                                    "Parcelles candidates", "Candidate parcels")
        min_area = self.parameterAsDouble(parameters, self.MIN_AREA, context)
        max_area = self.parameterAsDouble(parameters, self.MAX_AREA, context)
        if max_area and max_area < min_area:
            raise failure("La surface maximale (%s m²) est inférieure à la surface minimale (%s m²)."
                          % (max_area, min_area),
                          "The maximum area (%s m²) is below the minimum area (%s m²)." % (max_area, min_area))
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        landuse = optional_source(self, parameters, self.LANDUSE, context, "Occupation du sol", "Land use")
        allowed = parse_codes(self.parameterAsString(parameters, self.ALLOWED, context))
        excluded = parse_codes(self.parameterAsString(parameters, self.EXCLUDED, context))
        class_index = -1
        if landuse is not None:
            class_index = field_index(landuse, self.parameterAsString(parameters, self.CLASS_FIELD, context),
                                      "classe", "class")
        elif allowed or excluded:
            raise failure("Des classes autorisées ou exclues sont données sans couche d'occupation du sol.",
                          "Allowed or excluded classes are given without a land-use layer.")
        is_allowed = class_matcher(allowed, all(code in corine.NOMENCLATURE for code in allowed))
        is_excluded = class_matcher(excluded, all(code in corine.NOMENCLATURE for code in excluded))
        zones = optional_source(self, parameters, self.EXCLUSION_ZONES, context, "Zones d'exclusion",
                                "Exclusion zones")
        # (source, target distance, weight, (French noun, "none found")) for each distance criterion.
        distances = []
        for layer_name, distance_name, weight_name, fr, en, noun in (
                (self.SCHOOLS, self.SCHOOL_DISTANCE, self.SCHOOL_WEIGHT, "Écoles", "Schools",
                 ("École", "Aucune école")),
                (self.TRANSIT, self.TRANSIT_DISTANCE, self.TRANSIT_WEIGHT, "Arrêts de transport", "Transit stops",
                 ("Arrêt de transport", "Aucun arrêt de transport")),
                (self.SITES, self.SITES_DISTANCE, self.SITES_WEIGHT, "Sites existants", "Existing sites",
                 ("Site existant", "Aucun site existant"))):
            source = optional_source(self, parameters, layer_name, context, fr, en)
            target = self.parameterAsDouble(parameters, distance_name, context)
            if source is not None and target <= 0:
                raise failure("La distance cible pour « %s » doit être positive." % fr,
                              "The target distance for “%s” must be positive." % en)
            distances.append((source, target, self.parameterAsDouble(parameters, weight_name, context), noun))
        landuse_weight = self.parameterAsDouble(parameters, self.LANDUSE_WEIGHT, context) if allowed else 0.0

        fields = add_fields(candidates, [
            ("area_m2", DOUBLE), ("eligible", BOOLEAN), ("score", DOUBLE),
            ("rank", INTEGER), ("allowed_share", DOUBLE), ("excluded_share", DOUBLE),
            ("exclusion_share", DOUBLE), ("dist_school", DOUBLE),
            ("dist_transit", DOUBLE), ("dist_site", DOUBLE), ("reasons", STRING),
            ("local_epsg", INTEGER)])
        sink, output_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, candidates.wkbType(),
                                               candidates.sourceCrs())

        groups = group_by_territory(candidates, context, feedback)
        total = sum(len(items) for items in groups.values()) or 1
        results = []
        for epsg, items in sorted(groups.items()):
            if feedback.isCanceled():
                break
            crs = QgsCoordinateReferenceSystem("EPSG:%d" % epsg)
            for tile in tiles(items, TILE):
                if feedback.isCanceled():
                    break
                landuse_layer = ProjectedLayer(landuse, crs, context, None, class_index, extent_of(tile, 1.0)) \
                    if landuse is not None else None
                zones_layer = ProjectedLayer(zones, crs, context, None, rectangle=extent_of(tile, 1.0)) \
                    if zones is not None else None
                points = [ProjectedLayer(source, crs, context, None, rectangle=extent_of(tile, 2 * target))
                          if source is not None else None for source, target, _, _ in distances]
                for feature, parcel in tile:
                    if feedback.isCanceled():
                        break
                    if not parcel.isGeosValid():
                        raise failure(
                            "La parcelle candidate %s a une géométrie invalide : corrigez-la avec « Réparer les "
                            "géométries » (native:fixgeometries)." % feature.id(),
                            "Candidate parcel %s has an invalid geometry: fix it with “Fix geometries” "
                            "(native:fixgeometries)." % feature.id())
                    results.append((feature, epsg) + self.evaluate(
                        parcel, min_area, max_area, tolerance, landuse_layer, allowed, excluded, is_allowed,
                        is_excluded, landuse_weight, zones_layer, distances, points))
                    feedback.setProgress(95.0 * len(results) / total)

        eligible = sorted((r for r in results if r[3]), key=lambda r: -r[4])
        ranks = {id(result): position + 1 for position, result in enumerate(eligible)}
        for result in results:
            feature, epsg, area, is_eligible, score, shares, measured, reasons = result
            output = QgsFeature(fields)
            output.setGeometry(feature.geometry())
            output.setAttributes(feature.attributes() + [
                round(area, 1), is_eligible, round(score, 1), ranks.get(id(result))] + shares + measured
                + [" ".join(reasons), epsg])
            sink.addFeature(output, QgsFeatureSink.Flag.FastInsert)
        return {self.OUTPUT: output_id}

    @staticmethod
    def evaluate(parcel, min_area, max_area, tolerance, landuse_layer, allowed, excluded, is_allowed, is_excluded,
                 landuse_weight, zones_layer, distances, points):
        """(area, eligible, score, [allowed %, excluded %, exclusion %], [distances], reasons in French)."""
        area = parcel.area()
        reasons = []
        eliminations = []           # said first: why the parcel is out
        if area < min_area or (max_area and area > max_area):
            eliminations.append("Écarté : surface %s m² hors de la fourchette %s–%s m²." % (
                thousands(area), thousands(min_area), thousands(max_area) if max_area else "∞"))
        else:
            reasons.append("Surface %s m² dans la fourchette." % thousands(area))
        allowed_share = excluded_share = exclusion_share = None
        if landuse_layer is not None and area > 0:
            codes = {}
            for value, part in landuse_layer.areas_by_value(parcel).items():
                code = corine.class_code(value)
                codes[code] = codes.get(code, 0.0) + part
            if allowed:
                allowed_share = 100.0 * sum(part for code, part in codes.items() if is_allowed(code)) / area
            if excluded:
                excluded_share = 100.0 * sum(part for code, part in codes.items() if is_excluded(code)) / area
                if excluded_share > tolerance:
                    eliminations.append(
                        "Écarté : %.0f %% en classes exclues (%s), au-delà de la tolérance de %.0f %%."
                        % (excluded_share, classes_text(excluded), tolerance))
        if zones_layer is not None and area > 0:
            # Overlapping zones would count twice: the share is capped at the whole parcel.
            exclusion_share = min(100.0, 100.0 * sum(zones_layer.areas_by_value(parcel).values()) / area)
            if exclusion_share > tolerance:
                eliminations.append("Écarté : %.0f %% en zone d'exclusion, au-delà de la tolérance de %.0f %%."
                                    % (exclusion_share, tolerance))
            elif exclusion_share > 0:
                reasons.append("%.1f %% en zone d'exclusion (toléré)." % exclusion_share)
        weighted = weights = 0.0
        if allowed and landuse_weight > 0:
            weights += landuse_weight
            weighted += landuse_weight * (allowed_share or 0.0) / 100.0
            reasons.append("%.0f %% en classes autorisées (%s)." % (allowed_share or 0.0, classes_text(allowed)))
        measured = []
        for (source, target, weight, (found_noun, none_found)), layer in zip(distances, points):
            if layer is None:
                measured.append(None)
                continue
            found = layer.nearest(parcel, 2 * target)
            distance = found[1] if found else None
            measured.append(round(distance, 1) if distance is not None else None)
            if weight > 0:
                weights += weight
                weighted += weight * distance_score(distance, target)
            if distance is None:
                reasons.append("%s à moins de %s." % (none_found, metres(2 * target)))
            elif distance <= target:
                reasons.append("%s à %s (cible %s)." % (found_noun, metres(distance), metres(target)))
            else:
                reasons.append("%s à %s, au-delà de la cible de %s." % (found_noun, metres(distance), metres(target)))
        eligible = not eliminations
        if not eligible:
            score = 0.0
        else:
            score = 100.0 * weighted / weights if weights else 100.0
        shares = [None if share is None else round(share, 1)
                  for share in (allowed_share, excluded_share, exclusion_share)]
        return area, eligible, score, shares, measured, eliminations + reasons
from .qgis_types import BOOLEAN, DOUBLE, INTEGER, STRING, VECTOR_POINT, VECTOR_POLYGON
