"""The demo data generator: reproducible, calibrated on the Dihal's figures, valid, in the right communes."""
import contextlib
import datetime as dt
import hashlib
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from plugin import cli
from plugin.demo import calibration as cal
from plugin.demo.generator import blob_point, generate
from plugin.model import schema, validation
from plugin.model.schema import history_of
from plugin.store import create_store, open_store
from plugin.store.communes import reference

AS_OF = dt.date(2026, 3, 31)


def rows(store, table, order="uuid"):
    with contextlib.closing(store.connect()) as connection:
        connection.row_factory = lambda cursor, row: dict(zip([c[0] for c in cursor.description], row))
        return connection.execute('SELECT * FROM "%s" ORDER BY %s' % (table, order)).fetchall()


def digest(store) -> str:
    """A digest of every generated row (history included), local fids aside.

    The core indicator definitions come with the store (their uuids differ from
    store to store): values name them by code."""
    sha = hashlib.sha256()
    codes = {d["uuid"]: d["code"] for d in rows(store, "indicator_definitions")}
    for table in schema.TABLES:
        if table is schema.INDICATOR_DEFINITIONS:
            continue
        for name, order in ((table.name, "uuid"), (history_of(table.name), "history_id")):
            for row in rows(store, name, order):
                row.pop("fid", None)
                if "indicator_uuid" in row:
                    row["indicator_uuid"] = codes[row["indicator_uuid"]]
                sha.update(repr(sorted(row.items())).encode())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The default national run (the census figures), made once for this module."""
    store = create_store(str(tmp_path_factory.mktemp("national") / "demo.gpkg"))
    return store, generate(store, as_of=AS_OF)


@pytest.fixture(scope="module")
def with_history(tmp_path_factory):
    store = create_store(str(tmp_path_factory.mktemp("history") / "demo.gpkg"))
    return store, generate(store, departement="93", seed=3, history_months=6, as_of=AS_OF)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(tmp_path, with_history):
    store, _ = with_history
    again = create_store(str(tmp_path / "again.gpkg"))
    generate(again, departement="93", seed=3, history_months=6, as_of=AS_OF)
    other = create_store(str(tmp_path / "other.gpkg"))
    generate(other, departement="93", seed=4, history_months=6, as_of=AS_OF)
    assert digest(again) == digest(store)
    assert digest(other) != digest(store)


def test_the_national_run_matches_the_census_figures(national):
    store, summary = national
    sites = rows(store, "sites")
    open_sites = [s for s in sites if s["status"] == "open"]
    assert len(sites) == cal.NATIONAL_SITES == summary.sites
    assert abs(len(open_sites) - cal.NATIONAL_OPEN_SITES) <= 5
    people = sum(s["population_total"] or 0 for s in open_sites)
    low, high = cal.NATIONAL_PEOPLE_RANGE
    assert low <= people <= high and people == summary.people
    assert all(not s["departement"].startswith("97") for s in sites), "the census covers the Hexagone"

    in_idf = [s for s in open_sites if s["departement"] in cal.ILE_DE_FRANCE]
    assert len(in_idf) / len(open_sites) == pytest.approx(cal.ILE_DE_FRANCE_SITE_SHARE, abs=0.02)
    idf_people = sum(s["population_total"] or 0 for s in in_idf)
    assert idf_people / people == pytest.approx(cal.ILE_DE_FRANCE_PEOPLE_SHARE, abs=0.04)
    assert 40 <= sum(s["departement"] == "93" for s in open_sites) <= 60

    known = [s for s in sites if s["population_total"] is not None and s["population_minors"] is not None]
    minors_share = sum(s["population_minors"] for s in known) / sum(s["population_total"] for s in known)
    assert minors_share == pytest.approx(cal.MINORS_SHARE, abs=0.03)
    water = sum(s["water_access_type"] in cal.WATER_ACCESS_TYPES_WITH_ACCESS for s in sites) / len(sites)
    assert water == pytest.approx(1 / 3, abs=0.03)
    electricity = sum(s["electricity_access"] == 1 for s in sites) / len(sites)
    assert electricity == pytest.approx(1 / 4, abs=0.03)


def test_the_national_run_has_every_status_closings_and_unknowns(national):
    store, _ = national
    sites = rows(store, "sites")
    assert {s["status"] for s in sites} == set(schema.SITES.field("status").vocabulary.codes)
    closed = [s for s in sites if s["status"] != "open"]
    assert all(s["closed_at"] and s["closed_with_solutions"] for s in closed)
    assert all(s["closing_context"] for s in closed if s["status"] == "other")
    assert {s["closed_with_solutions"] for s in closed} == {"yes", "no", "unknown"}
    unknown_people = sum(s["population_total"] is None for s in sites) / len(sites)
    assert unknown_people == pytest.approx(cal.UNKNOWN_POPULATION_SHARE, abs=0.02)
    unknown_origin = [s for s in sites if None in (s["origin_french"], s["origin_european"], s["origin_extra_eu"])]
    assert len(unknown_origin) / len(sites) == pytest.approx(cal.UNKNOWN_ORIGIN_SHARE, abs=0.04)
    assert all(s["origin_french"] is s["origin_european"] is s["origin_extra_eu"] is None for s in unknown_origin)
    european = sum(s["origin_european"] == 1 for s in sites) / (len(sites) - len(unknown_origin))
    assert european > 0.75, "most inhabitants are European nationals"
    assert any(s["owner_complaint"] is not None for s in sites)
    assert any(s["population_minors_0_3"] is not None for s in sites)


def test_every_generated_row_passes_validation(national, with_history):
    for store, _ in (national, with_history):
        for table in schema.TABLES:
            for row in rows(store, table.name):
                assert validation.problems(table, row) == [], (table.name, row)
        for row in rows(store, history_of("sites"), "history_id"):
            assert validation.problems(schema.SITES, row) == [], row


def test_authors_are_officers_logins(national):
    store, _ = national
    logins = {s["created_by"] for s in rows(store, "sites")} | {a["updated_by"] for a in rows(store, "actions")}
    assert logins and all(login.startswith(("pref", "ddets")) and login.endswith(
        (".sig", ".bidonvilles")) for login in logins)


def test_every_site_lies_in_the_commune_its_insee_code_names(national):
    store, _ = national
    communes = reference()
    for site in rows(store, "sites"):
        commune = communes.at(*blob_point(site["geom"]))
        assert commune is not None and commune.insee == site["insee_code"], site["uuid"]
        assert (commune.name, commune.departement) == (site["city_name"], site["departement"])


def test_terrains_are_valid_polygons_a_few_hundred_metres_wide_whose_centroid_is_in_their_commune(national):
    from osgeo import ogr
    store, summary = national
    terrains = rows(store, "insertion_sites")
    assert len(terrains) == summary.insertion_sites > 10
    assert {t["status"] for t in terrains} == {"project", "preparing", "open", "closed"}
    for terrain in terrains:
        polygon = ogr.CreateGeometryFromWkb(terrain["geom"][40:])
        assert polygon.IsValid() and polygon.GetGeometryName() == "POLYGON"
        min_x, max_x, min_y, max_y = polygon.GetEnvelope()
        assert 80 <= (max_y - min_y) * 111_320 <= 450
        centroid = polygon.Centroid()
        assert reference().at(centroid.GetX(), centroid.GetY()).insee == terrain["insee_code"]
    phases = defaultdict(list)
    for phase in rows(store, "insertion_site_phases", "insertion_site_uuid, fid"):
        phases[phase["insertion_site_uuid"]].append(phase)
    order = list(schema.INSERTION_SITE_PHASES.field("phase").vocabulary.codes)
    for terrain in terrains:
        done = [p for p in phases[terrain["uuid"]] if p["completed_at"]]
        assert [p["phase"] for p in done] == order[:len(done)]
        assert [p["completed_at"] for p in done] == sorted(p["completed_at"] for p in done)
        if terrain["status"] in ("open", "closed"):
            assert done[-1]["completed_at"] == terrain["opened_at"]
    assert rows(store, "insertion_site_origins")


def test_actions_have_topics_a_pilot_operators_finances_within_their_dates_and_consistent_indicators(national):
    store, summary = national
    actions = {a["uuid"]: a for a in rows(store, "actions")}
    assert len(actions) == summary.actions >= 5
    roles = defaultdict(set)
    for link in rows(store, "action_organisations"):
        roles[link["action_uuid"]].add(link["role"])
    assert all(roles[uuid] == {"pilot", "operator"} for uuid in actions)
    assert {t["action_uuid"] for t in rows(store, "action_topics")} == set(actions)
    organisations = rows(store, "organisations")
    assert {o["type"] for o in organisations} == {"prefecture", "ddets", "association"}
    for finance in rows(store, "action_finances"):
        action = actions[finance["action_uuid"]]
        assert action["started_at"][:4] <= str(finance["year"]) <= (action["ended_at"] or "9999")[:4]
    values = defaultdict(dict)
    definitions = {d["uuid"]: d["code"] for d in rows(store, "indicator_definitions")}
    for value in rows(store, "indicator_values"):
        values[(value["action_uuid"], value["period"])][definitions[value["indicator_uuid"]]] = value["value"]
    assert values
    for figures in values.values():
        for part, total in (("women", "people"), ("minors", "people"),
                            ("school_minors_enrolled", "school_minors_eligible"),
                            ("shelter_households", "households"), ("housing_households", "households")):
            assert figures[part] <= figures[total]


def test_the_filled_store_is_a_valid_geopackage_whose_spatial_index_finds_every_site(with_history):
    from osgeo import ogr
    store, summary = with_history
    validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
    result = subprocess.run([sys.executable, validator, store.location], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    dataset = ogr.Open(store.location)
    layer = dataset.GetLayerByName("sites")
    layer.SetSpatialFilterRect(2.28, 48.80, 2.61, 49.02)  # the extent of Seine-Saint-Denis
    assert layer.GetFeatureCount() == summary.sites
    layer.SetSpatialFilterRect(2.0, 48.0, 2.2, 48.2)
    assert layer.GetFeatureCount() == 0


@pytest.mark.parametrize("code", ["2A", "974"])
def test_a_single_departement_run_stays_in_it(tmp_path, code):
    store = create_store(str(tmp_path / "demo.gpkg"))
    summary = generate(store, departement=code, as_of=AS_OF)
    sites = rows(store, "sites")
    assert len(sites) == summary.sites >= cal.MIN_DEPARTEMENT_SITES
    for site in sites:
        assert site["departement"] == code
        assert reference().at(*blob_point(site["geom"])).insee == site["insee_code"]
    assert {t["departement"] for t in rows(store, "insertion_sites")} == {code}


def test_the_history_is_contiguous_and_ends_at_the_current_version(with_history):
    store, summary = with_history
    versions = defaultdict(list)
    for version in rows(store, history_of("sites"), "history_id"):
        versions[version["uuid"]].append(version)
    assert summary.history_rows == sum(len(v) for v in versions.values()) > 3 * summary.sites
    window_start = "2025-09-30"
    for site in rows(store, "sites"):
        past = versions[site["uuid"]]
        assert site["row_version"] == len(past) + 1
        if not past:
            continue
        assert [v["valid_to"] for v in past[:-1]] == [v["valid_from"] for v in past[1:]]
        assert past[-1]["valid_to"] == site["updated_at"]
        assert past[0]["valid_from"] == site["created_at"]
        assert all(v["updated_at"] == v["valid_from"] and v["valid_from"] < v["valid_to"] for v in past)
        if site["status"] != "open":  # the last change is the closing, maybe before the window
            assert past[-1]["status"] == "open" and past[-1]["closed_at"] is None
            continue
        assert all(v["valid_to"] > window_start for v in past)
        if site["population_total"] is not None:
            assert [v["population_updated_at"] for v in past] == [v["updated_at"] for v in past]
            assert all(v["population_total"] != w["population_total"] for v, w in zip(past, past[1:] + [site]))


def test_the_command_fills_a_new_store_and_refuses_one_that_has_sites(tmp_path, capsys):
    path = tmp_path / "demo.gpkg"
    assert cli.main(["demo", str(path), "--sites", "40", "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"sites ?: 40 \((dont )?30 (ouverts|open)\)", printed), printed
    assert open_store(str(path)).info().counts["sites"] == 40
    before = path.read_bytes()
    assert cli.main(["demo", str(path), "--sites", "40"]) != 0
    error = capsys.readouterr().err
    assert "contient déjà des sites" in error or "already has sites" in error
    assert path.read_bytes() == before


def test_an_unknown_departement_is_refused_and_leaves_no_file(tmp_path, capsys):
    path = tmp_path / "demo.gpkg"
    assert cli.main(["demo", str(path), "--departement", "99"]) != 0
    assert "99" in capsys.readouterr().err
    assert not path.exists()
