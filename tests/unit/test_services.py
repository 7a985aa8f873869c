"""Services near the sites: « à vérifier », the command line, the nearest distances."""
import json
import math
import subprocess
import sys
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.model import services as model

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def add_services(path, rows):
    """Rows written by another tool (OGR), as ogr2ogr would: the store derives nothing, checks all."""
    from osgeo import ogr
    source = ogr.Open(str(path), 1)
    layer = source.GetLayerByName("services")
    for row in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        for name, value in row.items():
            if name != "xy":
                feature.SetField(name, value)
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(*row["xy"])
        feature.SetGeometry(point)
        assert layer.CreateFeature(feature) == 0
    source = None


def run_cli(*args):
    done = subprocess.run([sys.executable, "-m", "plugin", *args], cwd=ROOT, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def test_the_command_line_lists_the_services_to_check_first(new_store):
    recent = (date.today() - timedelta(days=30)).isoformat()
    old = (date.today() - timedelta(days=400)).isoformat()
    add_services(new_store.location, [
        {"category": "water", "name": "Fontaine Carnot", "verified_at": recent, "insee_code": "93066",
         "departement": "93", "xy": (2.36, 48.93)},
        {"category": "water", "name": "Borne du canal", "verified_at": old, "insee_code": "93066",
         "departement": "93", "xy": (2.37, 48.92)},
        {"category": "school", "name": "École Jules-Vallès", "insee_code": "93066", "departement": "93",
         "xy": (2.35, 48.94)},
    ])
    code, out, _ = run_cli("services", new_store.location, "--to-check", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [s["name"] for s in listed["services"]] == ["École Jules-Vallès", "Borne du canal"]
    assert listed["to_check"] == 2
    code, out, _ = run_cli("services", new_store.location, "--category", "water", "--json")
    names = [s["name"] for s in json.loads(out)["services"]]
    assert sorted(names) == ["Borne du canal", "Fontaine Carnot"]
    assert json.loads(out)["services"][0]["geometry"].startswith("POINT")
    code, _, err = run_cli("services", new_store.location, "--category", "pharmacie")
    assert code != 0 and "Catégorie inconnue : pharmacie" in err


def test_a_service_is_to_check_after_the_configured_months():
    cutoff = model.check_cutoff(date(2026, 12, 7), 6)
    assert cutoff == "2026-06-07"
    assert model.is_to_check(None, cutoff)
    assert model.is_to_check("2026-06-06", cutoff)
    assert not model.is_to_check("2026-06-07", cutoff)
    assert model.check_cutoff(date(2026, 12, 7), 12) == "2025-12-07"


points = st.lists(st.tuples(st.floats(0, 50_000), st.floats(0, 50_000)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(points, points, st.floats(0, 20_000))
def test_the_nearest_service_and_the_count_within_the_radius_are_those_of_a_plain_search(sites, services, radius):
    found = model.nearest(sites, services, radius)
    for index, (x, y) in enumerate(sites):
        distances = [math.hypot(x - a, y - b) for a, b in services]
        assert abs(found.distances[index] - min(distances)) < 1e-6
        # Points exactly on the circle may fall either way by rounding: count those clearly in and out.
        assert sum(1 for d in distances if d <= radius - 1e-6) <= found.within[index] <= \
            sum(1 for d in distances if d <= radius + 1e-6)


def test_without_a_service_of_a_category_every_site_is_far():
    found = model.nearest([(0, 0), (5, 5)], [], 1000)
    assert found.distances == [None, None]
    rows = model.summary({"school": [None, 2500.0, 1500.0], "water": [900.0, 1100.0]})
    assert rows[0]["sites_far"] == 2 and rows[0]["threshold_m"] == 2000
    assert rows[1]["sites_far"] == 1 and rows[1]["threshold_m"] == 1000


def test_the_synthesis_counts_the_open_sites_far_from_a_school_and_from_a_water_point(new_store):
    from plugin.store import services_sql
    from sync_helpers import add_site, local
    from plugin.store.sums_sql import Territory
    metres_per_degree = math.pi * model.EARTH_RADIUS_M / 180
    with local(new_store.location) as connection:
        for metres in (0, 900, 1900, 2100, 2500):
            add_site(connection, "à %d m" % metres, lat=48.93 + metres / metres_per_degree, status="open")
        add_site(connection, "fermé", lat=48.99, status="resorbed", closed_at="2026-01-01")
        add_site(connection, "ailleurs", departement="94", insee="94028", lat=48.99, status="open")
    add_services(new_store.location, [{"category": "school", "name": "École", "xy": (2.36, 48.93)},
                                      {"category": "water", "name": "Borne", "xy": (2.36, 48.93)}])
    rows = {row["category"]: row for row in services_sql.far_sites(new_store, territory=Territory(departement="93"))}
    assert (rows["school"]["sites"], rows["school"]["sites_far"], rows["school"]["threshold_m"]) == (5, 2, 2000)
    assert (rows["water"]["sites"], rows["water"]["sites_far"], rows["water"]["threshold_m"]) == (5, 3, 1000)
    assert services_sql.far_sites(new_store)[0]["sites"] == 6
    # a category without any service says nothing rather than « every site is far »
    assert services_sql.far_sites(new_store, categories=("health",)) == []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 10), st.floats(41, 51)), min_size=1, max_size=20),
       st.lists(st.tuples(st.floats(-5, 10), st.floats(41, 51)), min_size=1, max_size=20))
def test_the_nearest_by_longitude_and_latitude_is_the_haversine_minimum(sites, services):
    def haversine(a, b):
        (lon1, lat1), (lon2, lat2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * model.EARTH_RADIUS_M * math.asin(math.sqrt(h))
    found = model.nearest_lonlat(sites, services)
    for site, distance in zip(sites, found):
        assert math.isclose(distance, min(haversine(site, s) for s in services), rel_tol=1e-6, abs_tol=0.01)
