"""resorption:services_distance on real geography: distances worked out by hand in the local CRS
(Lambert-93 in Saint-Denis, EPSG:5490 in Les Abymes), walking distance along a road, qgis_process."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsGeometry, QgsPointXY, QgsProcessingException

from plugin.processing.qgis_types import INTEGER, STRING
from test_processing import LES_ABYMES, SAINT_DENIS, layer, processing, sites_layer, to_wgs84  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SERVICE_FIELDS = (("name", STRING), ("category", STRING))


def services_layer(*services, epsg=2154):
    rows = [(QgsGeometry.fromPointXY(to_wgs84(epsg, x, y)), [name, category]) for (x, y), name, category in services]
    return layer("Point", "EPSG:4326", SERVICE_FIELDS, rows)


def site(dx, dy, name, status="open", origin=SAINT_DENIS, departement="93"):
    return (origin[0] + dx, origin[1] + dy), [name, departement, status, 10, 3, 4]


def run(processing, sites, services, **extra):
    parameters = dict(SITES=sites, SERVICES=services, OUTPUT="memory:", SUMMARY="memory:", RADIUS=1500)
    parameters.update(extra)
    return processing.run("resorption:services_distance", parameters)


def by_name(result):
    return {f["name"]: f for f in result["OUTPUT"].getFeatures()}


def test_each_open_site_gets_the_distance_to_the_nearest_service_of_each_category(processing):
    x, y = SAINT_DENIS
    sites = sites_layer(site(0, 0, "Canal"), site(3000, 4000, "Pleyel"), site(10, 0, "Fermé", status="closed"))
    services = services_layer(((x + 600, y + 700), "Borne", "water"), ((x + 1200, y), "École A", "École"),
                              ((x + 3000, y + 4300), "Fontaine", "water"))
    result = run(processing, sites, services)
    found = by_name(result)
    assert set(found) == {"Canal", "Pleyel"}
    assert found["Canal"]["dist_water"] == pytest.approx(921.95, abs=0.5)
    assert found["Canal"]["n_water"] == 1
    assert found["Canal"]["dist_school"] == pytest.approx(1200, abs=0.5)
    assert found["Pleyel"]["dist_water"] == pytest.approx(300, abs=0.5)
    assert found["Pleyel"]["n_water"] == 1
    assert found["Pleyel"]["dist_school"] == pytest.approx(((3000 - 1200) ** 2 + 4000 ** 2) ** 0.5, abs=0.5)
    assert found["Canal"]["dist_health"] is None or str(found["Canal"]["dist_health"]) == "NULL"
    summary = {f["category"]: f for f in result["SUMMARY"].getFeatures()}
    assert summary["school"]["sites_far"] == 1 and summary["school"]["threshold_m"] == 2000
    assert summary["water"]["sites_far"] == 0
    assert summary["health"]["sites_far"] == 2
    assert result["OUTPUT"].renderer().classAttribute() == "dist_school"


def test_overseas_sites_are_measured_in_their_own_projection(processing):
    x, y = LES_ABYMES
    sites = sites_layer(site(0, 0, "Abymes", origin=LES_ABYMES, departement="971"), epsg=5490)
    services = services_layer(((x + 0, y + 2500), "École B", "school"), epsg=5490)
    found = by_name(run(processing, sites, services, CATEGORIES=[3]))
    assert found["Abymes"]["dist_school"] == pytest.approx(2500, abs=0.5)


def test_the_walking_distance_follows_the_road(processing):
    x, y = SAINT_DENIS
    # An L-shaped road: 1 km east then 1 km north; the school is at the end, 1414 m as the crow flies.
    road = QgsGeometry.fromPolylineXY([QgsPointXY(*to_wgs84(2154, x, y)), QgsPointXY(*to_wgs84(2154, x + 1000, y)),
                                       QgsPointXY(*to_wgs84(2154, x + 1000, y + 1000))])
    roads = layer("LineString", "EPSG:4326", (("id", INTEGER),), [(road, [1])])
    found = by_name(run(processing, sites_layer(site(0, 0, "Canal")),
                        services_layer(((x + 1000, y + 1000), "École", "school")), CATEGORIES=[3], ROADS=roads))
    assert found["Canal"]["dist_school"] == pytest.approx(1414.2, abs=0.5)
    assert found["Canal"]["walk_school"] == pytest.approx(2000, abs=2)


def test_a_services_layer_without_the_category_field_is_refused_with_its_fields(processing):
    services = layer("Point", "EPSG:4326", (("nom", STRING),), [(QgsGeometry.fromPointXY(QgsPointXY(2.3, 48.9)), ["x"])])
    with pytest.raises(QgsProcessingException, match="category"):
        run(processing, sites_layer(site(0, 0, "Canal")), services)


def test_the_algorithm_runs_through_qgis_process(tmp_path):
    """As an analyst's script would: the plugin installed in a profile, `qgis_process run`, GeoJSON in and out."""
    profile = tmp_path / "profile"
    plugins = profile / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "resorption_sig").symlink_to(ROOT)
    (profile / "profiles" / "default" / "QGIS").mkdir(parents=True)
    (profile / "profiles" / "default" / "QGIS" / "QGIS3.ini").write_text(
        "[PythonPlugins]\nresorption_sig=true\n", encoding="utf-8")
    x, y = SAINT_DENIS
    sites_path, services_path = tmp_path / "sites.geojson", tmp_path / "services.geojson"
    for path, features in ((sites_path, [("Canal", "open", to_wgs84(2154, x, y))]),
                           (services_path, [("water", None, to_wgs84(2154, x + 600, y + 800))])):
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": name, "status": status, "category": name},
             "geometry": {"type": "Point", "coordinates": [point.x(), point.y()]}}
            for name, status, point in features]}), encoding="utf-8")
    output = tmp_path / "out.geojson"
    environment = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen")
    # Debian's qgis_process wrapper adds the desktop's --noversioncheck, which qgis_process refuses: the binary.
    program = shutil.which("qgis_process.bin") or "qgis_process"
    done = subprocess.run([program, "run", "resorption:services_distance", "--SITES=%s" % sites_path,
                           "--SERVICES=%s" % services_path, "--CATEGORIES=0", "--OUTPUT=%s" % output,
                           "--SUMMARY=%s" % (tmp_path / "summary.csv")],
                          capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    feature = json.loads(output.read_text(encoding="utf-8"))["features"][0]
    assert feature["properties"]["dist_water"] == pytest.approx(1000, abs=0.5)
