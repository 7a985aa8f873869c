"""The Processing provider "Résorption SIG": its algorithms run through processing.run on real geography.

Land use is coded with the real Corine Land Cover nomenclature; the sites sit in Saint-Denis (93) and
Les Abymes (971); expected values are worked out by hand in the local projected CRS.
"""
import json
import math

import pytest
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeature,
                       QgsGeometry, QgsPointXY, QgsProcessingException, QgsProject,
                       QgsProcessingFeatureSourceDefinition, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QVariant

from plugin.processing.provider import ResorptionProvider
from plugin.processing.qgis_types import INTEGER, STRING, new_field

# Saint-Denis (93066), in Lambert-93, and Les Abymes (97101), in EPSG:5490.
SAINT_DENIS = (652500.0, 6869000.0)
LES_ABYMES = (657000.0, 1797000.0)
SITE_FIELDS = (("name", STRING), ("departement", STRING), ("status", STRING),
               ("population_total", INTEGER), ("population_couples", INTEGER),
               ("population_minors", INTEGER))


@pytest.fixture(scope="module")
def processing(qgis_processing):
    import processing as qgis_processing_module
    registry = QgsApplication.processingRegistry()
    if registry.providerById("resorption") is not None:     # registered by the plugin in another test
        yield qgis_processing_module
        return
    provider = ResorptionProvider()     # kept referenced while registered, as the plugin does
    assert registry.addProvider(provider)
    yield qgis_processing_module
    registry.removeProvider(provider)


def to_wgs84(epsg, x, y):
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:%d" % epsg),
                                       QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    return transform.transform(QgsPointXY(x, y))


def layer(kind, crs, fields, rows):
    """A memory layer: rows are (geometry, attributes)."""
    result = QgsVectorLayer("%s?crs=%s" % (kind, crs), "test_" + kind.lower(), "memory")
    result.dataProvider().addAttributes([new_field(name, type_) for name, type_ in fields])
    result.updateFields()
    features = []
    for geometry, attributes in rows:
        feature = QgsFeature(result.fields())
        feature.setGeometry(geometry)
        feature.setAttributes(list(attributes))
        features.append(feature)
    result.dataProvider().addFeatures(features)
    return result


def sites_layer(*sites, epsg=2154):
    """Sites in WGS 84 (as the store keeps them) from (x, y) in the local CRS and their attributes."""
    rows = [(QgsGeometry.fromPointXY(to_wgs84(epsg, x, y)), attributes) for (x, y), attributes in sites]
    return layer("Point", "EPSG:4326", SITE_FIELDS, rows)


def square(x, y, half):
    return QgsGeometry.fromRect(QgsRectangle(x - half, y - half, x + half, y + half))


def rectangle(xmin, ymin, xmax, ymax):
    return QgsGeometry.fromRect(QgsRectangle(xmin, ymin, xmax, ymax))


def landuse_layer(polygons, crs="EPSG:2154"):
    return layer("Polygon", crs, (("CODE_18", STRING),), [(g, [code]) for g, code in polygons])


def run_landuse(processing, sites, landuse, **extra):
    parameters = {"SITES": sites, "LANDUSE": landuse, "CLASS_FIELD": "CODE_18", "RADIUS": 100,
                  "OUTPUT": "memory:", "SUMMARY": "memory:"}
    parameters.update(extra)
    result = processing.run("resorption:sites_landuse", parameters)
    return list(result["OUTPUT"].getFeatures()), {f["class"]: f for f in result["SUMMARY"].getFeatures()}


def site(name, population=None, departement="93", status="open"):
    return [name, departement, status, population, None, None]


def test_provider_lists_its_algorithms(processing):
    provider = QgsApplication.processingRegistry().providerById("resorption")
    assert provider.name() == "Résorption SIG"
    assert sorted(a.id() for a in provider.algorithms()) == [
        "resorption:candidate_terrains", "resorption:commune_density", "resorption:neighbour_departements",
        "resorption:services_distance", "resorption:sites_landuse"]
    for algorithm in provider.algorithms():
        assert algorithm.shortHelpString(), algorithm.id()
        assert algorithm.displayName()
    assert QgsApplication.processingRegistry().algorithmById(
        "resorption:sites_landuse").displayName() == "Croiser les sites avec l'occupation du sol"


def test_site_in_the_middle_of_arable_land_is_all_211(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("centre", 40)))
    landuse = landuse_layer([(square(x, y, 200), "211"), (square(x + 1000, y, 100), "112")])
    (row,), summary = run_landuse(processing, sites, landuse)
    assert row["lu_class"] == "211"
    assert row["lu_label"] == "Terres arables hors périmètres d'irrigation"
    assert (row["lu_class_1"], row["lu_share_1"]) == ("211", 100.0)
    assert row["lu_class_2"] is None or row["lu_class_2"] == QVariant()
    assert json.loads(row["lu_shares"]) == {"211": 100.0}
    assert row["lu_covered"] == 100.0
    assert row["lu_epsg"] == 2154
    assert row["name"] == "centre"
    assert summary["211"]["sites"] == 1 and summary["211"]["people"] == 40


def test_half_arable_half_urban_splits_fifty_fifty(processing):
    x, y = SAINT_DENIS
    # The site stands 1 cm west of the line between arable land (west) and discontinuous urban fabric (east).
    sites = sites_layer(((x - 0.01, y), site("limite", 25)))
    landuse = landuse_layer([(rectangle(x - 300, y - 300, x, y + 300), "211"),
                             (rectangle(x, y - 300, x + 300, y + 300), "112")])
    (row,), _ = run_landuse(processing, sites, landuse)
    shares = json.loads(row["lu_shares"])
    assert shares["211"] == pytest.approx(50.0, abs=0.1)
    assert shares["112"] == pytest.approx(50.0, abs=0.1)
    assert row["lu_class"] == "211"
    assert {row["lu_class_1"], row["lu_class_2"]} == {"211", "112"}


def test_quarter_outside_the_layer_is_not_covered(processing):
    x, y = SAINT_DENIS
    # Only the north-east quarter of the buffer is covered (vineyards).
    sites = sites_layer(((x, y), site("coin")))
    landuse = landuse_layer([(rectangle(x, y, x + 500, y + 500), "221")])
    (row,), summary = run_landuse(processing, sites, landuse)
    assert row["lu_share_1"] == pytest.approx(25.0, abs=0.1)
    assert row["lu_covered"] == pytest.approx(25.0, abs=0.1)
    assert summary["(aucune)"]["sites"] == 1 and summary["(aucune)"]["sites_unknown_population"] == 1
    assert summary["221"]["sites_in_buffer"] == 1 and summary["221"]["sites"] == 0


def test_distance_to_chosen_classes_and_clc_levels(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("a", 12)), ((x, y + 2000), site("b", 8)))
    landuse = landuse_layer([
        (square(x, y, 150), "112"),
        (rectangle(x + 250, y - 50, x + 350, y + 50), "221"),        # vineyard 250 m east of a
        (rectangle(x - 50, y + 2000 + 400, x + 50, y + 2500), "222"),  # orchard 400 m north of b
        (square(x, y + 2000, 150), "142")])
    rows, _ = run_landuse(processing, sites, landuse, DISTANCE_CLASSES="22")
    by_name = {row["name"]: row for row in rows}
    assert by_name["a"]["lu_distance"] == pytest.approx(250.0, abs=0.2)
    assert by_name["b"]["lu_distance"] == pytest.approx(400.0, abs=0.2)
    # Only 221: b's nearest vineyard is the one of a, sqrt(250² + 2000²) - ... measured to its corner.
    rows, _ = run_landuse(processing, sites, landuse, DISTANCE_CLASSES="221")
    expected = math.hypot(250.0, 2000.0 - 50.0)
    assert {r["name"]: r["lu_distance"] for r in rows}["b"] == pytest.approx(expected, abs=0.5)
    # Nothing within the search distance: empty, not 0.
    rows, _ = run_landuse(processing, sites, landuse, DISTANCE_CLASSES="221", SEARCH_DISTANCE=1000)
    assert {r["name"]: r["lu_distance"] for r in rows}["b"] in (None, QVariant())
    # Level 1: urban fabric and sport facilities are both "1", artificial surfaces.
    rows, summary = run_landuse(processing, sites, landuse, LEVEL=0)
    assert {r["lu_class"] for r in rows} == {"1"}
    assert summary["1"]["sites"] == 2 and summary["1"]["people"] == 20
    assert summary["1"]["label"] == "Territoires artificialisés"



def test_output_is_coloured_with_the_clc_colours(processing, tmp_path):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("a")), ((x + 1000, y), site("b")))
    landuse = landuse_layer([(square(x, y, 200), "211"), (square(x + 1000, y, 200), "512")])
    target = str(tmp_path / "sites_landuse.gpkg")
    processing.run("resorption:sites_landuse", {"SITES": sites, "LANDUSE": landuse, "CLASS_FIELD": "CODE_18",
                                                "OUTPUT": target, "SUMMARY": "memory:"})
    written = QgsVectorLayer(target, "written", "ogr")
    renderer = written.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "lu_class_1"
    colours = {c.value(): (c.label(), c.symbol().color().name()) for c in renderer.categories()}
    assert colours == {"211": ("211 Terres arables hors périmètres d'irrigation", "#ffffa8"),
                       "512": ("512 Plans d'eau", "#80f2e6")}


def test_sites_far_apart_are_read_tile_by_tile(processing):
    x, y = SAINT_DENIS
    far = (x + 80000, y - 30000)                # in Seine-et-Marne, in another 50 km tile
    sites = sites_layer(((x, y), site("near", 3)), (far, site("far", 4, departement="77")))
    landuse = landuse_layer([(square(x, y, 200), "211"), (square(far[0], far[1], 200), "512")])
    rows, summary = run_landuse(processing, sites, landuse)
    assert {r["name"]: (r["lu_class_1"], r["lu_share_1"]) for r in rows} == {
        "near": ("211", 100.0), "far": ("512", 100.0)}
    assert summary["512"]["label"] == "Plans d'eau" and summary["512"]["people"] == 4
    # No search limit: the far site's nearest arable land is the near square, corner to point.
    rows, _ = run_landuse(processing, sites, landuse, DISTANCE_CLASSES="211", SEARCH_DISTANCE=0)
    assert {r["name"]: r["lu_distance"] for r in rows}["far"] == pytest.approx(math.hypot(79800, 29800), abs=1)


def test_overseas_site_is_measured_in_its_own_crs(processing):
    x, y = LES_ABYMES
    sites = sites_layer(((x, y), site("abymes", 60, departement="971")), epsg=5490)
    # The land use comes in WGS 84: a 400 m square (in EPSG:5490) of sugar-cane land and a pasture 300 m away.
    to_wgs84_geometry = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:5490"),
                                               QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    polygons = []
    for geometry, code in ((square(x, y, 200), "211"), (rectangle(x - 50, y + 300, x + 50, y + 400), "231")):
        geometry.transform(to_wgs84_geometry)
        polygons.append((geometry, code))
    landuse = landuse_layer(polygons, crs="EPSG:4326")
    (row,), _ = run_landuse(processing, sites, landuse, DISTANCE_CLASSES="231")
    assert row["lu_epsg"] == 5490
    assert row["lu_share_1"] == pytest.approx(100.0, abs=0.01)
    assert row["lu_distance"] == pytest.approx(300.0, abs=0.5)


def test_selected_sites_only(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("one", 5)), ((x + 50, y), site("two", 7)))
    QgsProject.instance().addMapLayer(sites)
    try:
        sites.selectByExpression("\"name\" = 'two'")
        landuse = landuse_layer([(square(x, y, 500), "111")])
        rows, summary = run_landuse(processing, QgsProcessingFeatureSourceDefinition(sites.id(), True), landuse)
        assert [r["name"] for r in rows] == ["two"]
        assert summary["111"]["people"] == 7
    finally:
        QgsProject.instance().removeMapLayer(sites.id())


def test_land_use_counts_open_sites_only_unless_asked(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("open", 5)), ((x + 50, y), site("closed", 7, status="resorbed")))
    landuse = landuse_layer([(square(x, y, 500), "111")])
    rows, summary = run_landuse(processing, sites, landuse)
    assert [r["name"] for r in rows] == ["open"] and summary["111"]["people"] == 5
    rows, summary = run_landuse(processing, sites, landuse, OPEN_ONLY=False)
    assert sorted(r["name"] for r in rows) == ["closed", "open"] and summary["111"]["people"] == 12


def test_bad_inputs_have_clear_french_messages(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("s")))
    landuse = landuse_layer([(square(x, y, 200), "211")])
    with pytest.raises(QgsProcessingException, match="est vide"):
        run_landuse(processing, sites_layer(), landuse)
    with pytest.raises(QgsProcessingException, match="Le champ « CODE_12 ».*n'existe pas.*CODE_18"):
        run_landuse(processing, sites, landuse, CLASS_FIELD="CODE_12")
    no_crs = landuse_layer([(square(x, y, 200), "211")])
    no_crs.setCrs(QgsCoordinateReferenceSystem())      # a shapefile without its .prj
    assert not no_crs.crs().isValid()
    with pytest.raises(QgsProcessingException, match="n'a pas de système de coordonnées"):
        run_landuse(processing, sites, no_crs)
    bow_tie = QgsGeometry.fromWkt("POLYGON((%f %f, %f %f, %f %f, %f %f, %f %f))" % (
        x - 100, y - 100, x + 100, y + 100, x + 100, y - 100, x - 100, y + 100, x - 100, y - 100))
    with pytest.raises(QgsProcessingException, match="géométrie invalide"):
        run_landuse(processing, sites, landuse_layer([(bow_tie, "211")]))
    with pytest.raises(QgsProcessingException, match="a déjà un champ « lu_class »"):
        taken = layer("Point", "EPSG:4326", (("lu_class", STRING),),
                      [(QgsGeometry.fromPointXY(to_wgs84(2154, x, y)), ["x"])])
        run_landuse(processing, taken, landuse)


def wgs84_sites(*sites):
    """Sites from (longitude, latitude) and their attributes."""
    return layer("Point", "EPSG:4326", SITE_FIELDS,
                 [(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)), attributes) for (lon, lat), attributes in sites])


SAINT_DENIS_WGS84 = (2.3574, 48.9362)
MONTREUIL_WGS84 = (2.4417, 48.8611)
PARIS_WGS84 = (2.3522, 48.8566)
SAINT_MAUR_WGS84 = (2.4847, 48.7904)


def test_commune_density_per_ten_thousand_inhabitants(processing):
    from plugin.store.communes import reference
    saint_denis, montreuil = reference().by_insee("93066"), reference().by_insee("93048")
    sites = wgs84_sites((SAINT_DENIS_WGS84, site("a", 50)), ((2.3600, 48.9300), site("b", None)),
                        (MONTREUIL_WGS84, site("c", 30)),
                        (MONTREUIL_WGS84, site("closed", 100, status="closed_by_justice")))
    result = processing.run("resorption:commune_density", {"SITES": sites, "OUTPUT": "memory:"})
    output = result["OUTPUT"]
    rows = {f["insee"]: f for f in output.getFeatures()}
    # Every commune of Seine-Saint-Denis, those without a site at 0.
    assert len(rows) == len(reference().of_departement("93")) == 39
    assert rows["93066"]["nom"] == "Saint-Denis"
    assert (rows["93066"]["sites"], rows["93066"]["people"], rows["93066"]["sites_unknown_population"]) == (2, 50, 1)
    assert rows["93066"]["sites_per_10k"] == pytest.approx(2 * 10000 / saint_denis.population, abs=0.01)
    assert rows["93066"]["people_per_10k"] == pytest.approx(50 * 10000 / saint_denis.population, abs=0.01)
    assert rows["93048"]["people_per_10k"] == pytest.approx(30 * 10000 / montreuil.population, abs=0.01)
    assert (rows["93008"]["sites"], rows["93008"]["people_per_10k"]) == (0, 0)
    # The choropleth style is applied to the output.
    assert output.renderer().type() == "graduatedSymbol"
    assert output.renderer().classAttribute() == "people_per_10k"
    # Closed sites too when asked.
    result = processing.run("resorption:commune_density", {"SITES": sites, "OPEN_ONLY": False, "OUTPUT": "memory:"})
    assert {f["insee"]: f["people"] for f in result["OUTPUT"].getFeatures()}["93048"] == 130


def test_commune_density_counts_paris_as_one_commune(processing):
    sites = wgs84_sites((PARIS_WGS84, site("paris", 20, departement="75")))
    result = processing.run("resorption:commune_density", {"SITES": sites, "DEPARTEMENTS": "75, 94",
                                                           "OUTPUT": "memory:"})
    rows = {f["insee"]: f for f in result["OUTPUT"].getFeatures()}
    assert rows["75056"]["sites"] == 1 and rows["75056"]["people"] == 20
    assert not any(insee.startswith("751") for insee in rows)       # no arrondissement
    assert sum(1 for insee in rows if insee.startswith("94")) == 47
    with pytest.raises(QgsProcessingException, match="n'est pas un code de département"):
        processing.run("resorption:commune_density", {"SITES": sites, "DEPARTEMENTS": "9A", "OUTPUT": "memory:"})


def test_commune_density_refuses_communes_without_population(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(((x, y), site("s", 3)))
    communes = layer("Polygon", "EPSG:2154", (("insee", STRING), ("nom", STRING),
                                              ("departement", STRING)),
                     [(square(x, y, 1000), ["93066", "Saint-Denis", "93"])])
    with pytest.raises(QgsProcessingException, match="Le champ « population »"):
        processing.run("resorption:commune_density", {"SITES": sites, "COMMUNES": communes, "OUTPUT": "memory:"})


def test_candidate_terrains_scores_and_explains(processing):
    x, y = SAINT_DENIS
    fields = (("ref", STRING),)
    candidates = layer("Polygon", "EPSG:2154", fields, [
        (square(x, y, 50), ["good"]),                      # 10,000 m² of arable land, school 300 m away
        (square(x + 1000, y, 50), ["flooded"]),            # half in the flood zone
        (square(x + 2000, y, 10), ["small"]),              # 400 m²
        (square(x, y + 1000, 50), ["far"]),                # allowed land, school 1,300 m away
        (square(x + 3000, y, 50), ["wetland"]),            # inland marshes: excluded class
    ])
    landuse = landuse_layer([(rectangle(x - 500, y - 500, x + 2500, y + 1500), "211"),
                             (square(x + 3000, y, 200), "411")])
    flood = layer("Polygon", "EPSG:2154", (), [(rectangle(x + 1000, y - 100, x + 1100, y + 100), [])])
    schools = layer("Point", "EPSG:2154", (), [(QgsGeometry.fromPointXY(QgsPointXY(x, y - 350)), [])])
    result = processing.run("resorption:candidate_terrains", {
        "CANDIDATES": candidates, "MIN_AREA": 1000, "MAX_AREA": 50000, "LANDUSE": landuse,
        "CLASS_FIELD": "CODE_18", "ALLOWED_CLASSES": "21", "EXCLUDED_CLASSES": "4", "EXCLUSION_ZONES": flood,
        "TOLERANCE": 5, "SCHOOLS": schools, "SCHOOL_DISTANCE": 1000, "OUTPUT": "memory:"})
    rows = {f["ref"]: f for f in result["OUTPUT"].getFeatures()}
    good = rows["good"]
    assert good["eligible"] and good["score"] == 100 and good["rank"] == 1
    assert good["area_m2"] == pytest.approx(10000)
    assert good["dist_school"] == pytest.approx(300)
    assert "École à 300 m" in good["reasons"] and "100 % en classes autorisées" in good["reasons"]
    # 1,300 m from the school (edge at y + 950, school at y - 350): criterion 1 - 300/1000 = 0.7;
    # land use 1 → (1 + 0.7) / 2 = 85.
    far = rows["far"]
    assert far["dist_school"] == pytest.approx(1300)
    assert far["score"] == pytest.approx(85.0, abs=0.1) and far["rank"] == 2
    assert "au-delà de la cible" in far["reasons"]
    flooded = rows["flooded"]
    assert not flooded["eligible"] and flooded["score"] == 0 and flooded["exclusion_share"] == pytest.approx(50)
    assert "Écarté : 50 % en zone d'exclusion" in flooded["reasons"]
    assert "hors de la fourchette" in rows["small"]["reasons"] and not rows["small"]["eligible"]
    wetland = rows["wetland"]
    assert not wetland["eligible"] and wetland["excluded_share"] == pytest.approx(100)
    assert wetland["reasons"].startswith("Écarté : 100 % en classes exclues (4 Zones humides)")
    assert "Aucune école à moins de 2\u202f000 m" in wetland["reasons"]
    assert wetland["dist_school"] in (None, QVariant())


def test_candidate_terrains_refuses_classes_without_land_use(processing):
    x, y = SAINT_DENIS
    candidates = layer("Polygon", "EPSG:2154", (), [(square(x, y, 50), [])])
    with pytest.raises(QgsProcessingException, match="sans couche d'occupation du sol"):
        processing.run("resorption:candidate_terrains", {"CANDIDATES": candidates, "ALLOWED_CLASSES": "211",
                                                         "OUTPUT": "memory:"})
    result = processing.run("resorption:candidate_terrains", {"CANDIDATES": candidates, "OUTPUT": "memory:"})
    (row,) = result["OUTPUT"].getFeatures()
    assert row["eligible"] and row["score"] == 100


def test_neighbour_departements_from_a_layer(processing):
    sites = wgs84_sites(
        (SAINT_DENIS_WGS84, site("a", 50)), (MONTREUIL_WGS84, site("b", None)),
        (SAINT_MAUR_WGS84, site("no departement keyed", 12, departement=None)),
        (PARIS_WGS84, site("paris", 7, departement="75")),
        (PARIS_WGS84, site("closed", 99, departement="75", status="closed_by_pref_admin")),
        ((5.3698, 43.2965), site("marseille", 40, departement="13")))
    result = processing.run("resorption:neighbour_departements", {
        "SITES": sites, "DEPARTEMENT": "93", "TABLE": "memory:", "OUTPUT": "memory:"})
    table = {f["departement"]: f for f in result["TABLE"].getFeatures()}
    assert list(table) == ["93", "75", "77", "92", "94", "95"]
    assert table["93"]["role"] == "département" and table["94"]["role"] == "voisin"
    assert (table["93"]["name"], table["95"]["name"]) == ("Seine-Saint-Denis", "Val-d'Oise")
    figures_93 = (table["93"]["sites"], table["93"]["population_total"], table["93"]["sites_unknown_population"])
    assert figures_93 == (2, 50, 1)
    assert (table["94"]["sites"], table["94"]["population_total"]) == (1, 12)
    assert (table["75"]["sites"], table["75"]["population_total"]) == (1, 7)
    assert table["77"]["sites"] == 0
    assert table["93"]["communes"] == 39
    polygons = {f["departement"]: f for f in result["OUTPUT"].getFeatures()}
    assert set(polygons) == set(table)
    assert polygons["93"].geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(*SAINT_DENIS_WGS84)))
    with pytest.raises(QgsProcessingException, match="n'est pas un code de département"):
        processing.run("resorption:neighbour_departements", {
            "SITES": sites, "DEPARTEMENT": "100", "TABLE": "memory:", "OUTPUT": "memory:"})


def test_neighbour_departements_from_a_store_uses_the_sums_engine(processing, new_store):
    import struct

    def point(lon, lat):
        return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<bIdd", 1, 1, lon, lat)

    connection = new_store.connect()
    for insee, departement, people, households, (lon, lat) in (
            ("93066", "93", 30, 8, SAINT_DENIS_WGS84), ("93048", "93", 20, None, MONTREUIL_WGS84),
            ("94068", "94", 5, 2, SAINT_MAUR_WGS84)):
        connection.execute(
            "INSERT INTO sites (insee_code, departement, status, population_total, population_couples, geom) "
            "VALUES (?, ?, 'open', ?, ?, ?)", (insee, departement, people, households, point(lon, lat)))
    connection.close()
    sites = QgsVectorLayer(new_store.layer_source("sites"), "sites", "ogr")
    assert sites.isValid() and sites.featureCount() == 3
    result = processing.run("resorption:neighbour_departements", {
        "SITES": sites, "DEPARTEMENT": "93", "TABLE": "memory:", "OUTPUT": "memory:"})
    table = {f["departement"]: f for f in result["TABLE"].getFeatures()}
    assert (table["93"]["sites"], table["93"]["population_total"], table["93"]["population_couples"],
            table["93"]["sites_unknown_couples"]) == (2, 50, 8, 1)
    assert (table["94"]["sites"], table["94"]["population_couples"]) == (1, 2)
    # The engine reads the history: before the sites were keyed in, there were none.
    result = processing.run("resorption:neighbour_departements", {
        "SITES": sites, "DEPARTEMENT": "93", "AT": "2020-01-01", "TABLE": "memory:", "OUTPUT": "memory:"})
    assert {f["departement"]: f["sites"] for f in result["TABLE"].getFeatures()}["93"] == 0


def test_progress_is_reported_and_cancel_stops(processing):
    from qgis.core import QgsProcessingFeedback
    x, y = SAINT_DENIS
    sites = sites_layer(*[((x + 10 * i, y), site("s%d" % i, i)) for i in range(20)])
    landuse = landuse_layer([(square(x, y, 1000), "211")])
    feedback = QgsProcessingFeedback()
    progress = []
    feedback.progressChanged.connect(progress.append)
    processing.run("resorption:sites_landuse", {"SITES": sites, "LANDUSE": landuse, "CLASS_FIELD": "CODE_18",
                                                "OUTPUT": "memory:", "SUMMARY": "memory:"}, feedback=feedback)
    assert len(progress) >= 20 and progress[-1] == 100
    cancelled = QgsProcessingFeedback()
    cancelled.cancel()
    result = processing.run("resorption:sites_landuse", {"SITES": sites, "LANDUSE": landuse, "CLASS_FIELD": "CODE_18",
                                                         "OUTPUT": "memory:", "SUMMARY": "memory:"}, feedback=cancelled)
    assert result["OUTPUT"].featureCount() == 0


def test_algorithms_chain_in_a_model(processing):
    """sites_landuse, then commune_density on its output: what an analyst builds in the modeler."""
    from qgis.core import (QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
                           QgsProcessingModelChildParameterSource, QgsProcessingModelOutput,
                           QgsProcessingModelParameter, QgsProcessingParameterFeatureSource)
    model = QgsProcessingModelAlgorithm("sites_and_density", "tests")
    for name in ("sites", "landuse"):
        model.addModelParameter(QgsProcessingParameterFeatureSource(name, name), QgsProcessingModelParameter(name))

    def child(algorithm_id, child_id, sources, output, model_output):
        step = QgsProcessingModelChildAlgorithm(algorithm_id)
        step.setChildId(child_id)
        for parameter, source in sources.items():
            step.addParameterSources(parameter, [source])
        result = QgsProcessingModelOutput(model_output)
        result.setChildId(child_id)
        result.setChildOutputName(output)
        step.setModelOutputs({model_output: result})
        model.addChildAlgorithm(step)

    child("resorption:sites_landuse", "landuse_step", {
        "SITES": QgsProcessingModelChildParameterSource.fromModelParameter("sites"),
        "LANDUSE": QgsProcessingModelChildParameterSource.fromModelParameter("landuse"),
        "CLASS_FIELD": QgsProcessingModelChildParameterSource.fromStaticValue("CODE_18")}, "OUTPUT", "shares")
    child("resorption:commune_density", "density_step", {
        "SITES": QgsProcessingModelChildParameterSource.fromChildOutput("landuse_step", "OUTPUT")},
        "OUTPUT", "density")
    x, y = SAINT_DENIS
    result = processing.run(model, {"sites": sites_layer(((x, y), site("s", 9))),
                                    "landuse": landuse_layer([(square(x, y, 300), "211")]),
                                    "landuse_step:shares": "memory:", "density_step:density": "memory:"})
    (shares,) = result["landuse_step:shares"].getFeatures()
    assert shares["lu_class"] == "211"
    density = {f["insee"]: f for f in result["density_step:density"].getFeatures()}
    assert density["93066"]["people"] == 9


def test_provider_without_its_icon_still_loads(processing, monkeypatch):
    from plugin.processing import provider as provider_module
    monkeypatch.setattr(provider_module, "ICON", "no_such_icon.svg")
    provider = ResorptionProvider()
    assert "no_such_icon" not in provider.svgIconPath()
    assert len(provider.algorithms()) == 0 and provider.load() and len(provider.algorithms()) == 5
    monkeypatch.undo()
    assert ResorptionProvider().svgIconPath().endswith("resorption.svg")


def test_commune_density_written_to_a_geopackage_keeps_its_style(processing, tmp_path):
    sites = wgs84_sites((SAINT_DENIS_WGS84, site("a", 50)))
    target = str(tmp_path / "density.gpkg")
    processing.run("resorption:commune_density", {"SITES": sites, "OUTPUT": target})
    # Opened again, as QGIS does when it loads the result: the style comes with the file.
    written = QgsVectorLayer(target, "written", "ogr")
    assert written.featureCount() == 39
    assert written.renderer().type() == "graduatedSymbol"
    assert written.renderer().classAttribute() == "people_per_10k"


def test_corine_nomenclature_is_complete():
    from plugin.processing import corine
    levels = [len([code for code in corine.NOMENCLATURE if len(code) == level]) for level in (1, 2, 3)]
    assert levels == [5, 15, 44]
    assert all(code[:-1] in corine.NOMENCLATURE for code in corine.NOMENCLATURE if len(code) > 1)
    assert corine.label("211") == "Terres arables hors périmètres d'irrigation"
    assert corine.label("211", english=True) == "Non-irrigated arable land"
    assert [corine.at_level("242", level) for level in (1, 2, 3)] == ["2", "24", "242"]
    assert corine.at_level("BTH", 1) == "BTH"          # an RPG code stays as it is
    assert [corine.class_code(value) for value in (211, 211.0, " 211 ", "", None)] == ["211", "211", "211", None, None]


def test_commune_density_without_open_site_gives_no_commune(processing):
    sites = wgs84_sites((SAINT_DENIS_WGS84, site("closed", 10, status="closed_by_city_admin")))
    result = processing.run("resorption:commune_density", {"SITES": sites, "OUTPUT": "memory:"})
    assert result["OUTPUT"].featureCount() == 0
    result = processing.run("resorption:commune_density", {"SITES": sites, "DEPARTEMENTS": "93", "OUTPUT": "memory:"})
    assert result["OUTPUT"].featureCount() == 39
    assert sum(f["sites"] for f in result["OUTPUT"].getFeatures()) == 0
