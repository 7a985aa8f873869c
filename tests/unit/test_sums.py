"""The derived figures: SQL in the GeoPackage equals the plain-Python reference, at any date.

Random sites are written with backdated timestamps, then edited and deleted with
plain SQL (the store's triggers keep the history, stamped with SQLite's clock).
The test keeps its own timeline of every site (the instants the triggers wrote are
read back), so the state at a date is what replaying the edits up to it gives; the
SQL figures at random dates must equal the reference figures of those states.
"""
import itertools
import json
import shutil
import sqlite3
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.model import sums as model
from plugin.store import create_store, open_store, sums_sql

DEPARTEMENTS = {"93": ("93066", "93048"), "75": ("75056",), "2A": ("2A004",)}
STATUSES = ("open", "open", "open", "resorbed", "closed_by_justice", "unknown")
PAST_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)).map(lambda d: d.isoformat())
COLUMNS = ["departement", "insee_code", "status", "field_type", "population_total", "population_couples",
           "population_minors", "minors_in_school", "origin_french", "origin_european", "origin_extra_eu",
           "built_at", "declared_at", "closed_at", "closed_with_solutions", "confirmed_at"]
REPO = Path(__file__).resolve().parents[2]
COPIES = itertools.count()
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def point_blob(x: float, y: float) -> bytes:
    """A GeoPackage point (no envelope, EPSG:4326)."""
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, x, y)


@st.composite
def site_values(draw):
    """Business values of a site that satisfy the store's rules."""
    departement = draw(st.sampled_from(sorted(DEPARTEMENTS)))
    status = draw(st.sampled_from(STATUSES))
    population = draw(st.one_of(st.none(), st.sampled_from([1, 9, 10, 49, 50, 99, 100]), st.integers(1, 160)))
    bounded = population if population is not None else 160
    minors = draw(st.one_of(st.none(), st.integers(0, bounded)))
    built_at = draw(st.one_of(st.none(), PAST_DAYS))
    declared_at = draw(st.one_of(st.none(), PAST_DAYS))
    if built_at is not None and declared_at is not None and built_at > declared_at:
        built_at, declared_at = declared_at, built_at
    closed_at = None
    if status != "open":
        closed_at = draw(PAST_DAYS)
        if built_at is not None and built_at > closed_at:
            built_at, closed_at = closed_at, built_at
    return {
        "departement": departement,
        "insee_code": draw(st.sampled_from(DEPARTEMENTS[departement])),
        "status": status,
        "field_type": draw(st.sampled_from([None, "land", "building", "unknown"])),
        "population_total": population,
        "population_couples": draw(st.one_of(st.none(), st.integers(0, bounded))),
        "population_minors": minors,
        "minors_in_school": draw(st.one_of(st.none(), st.integers(0, minors if minors is not None else 50))),
        "origin_french": draw(st.sampled_from([None, 0, 1])),
        "origin_european": draw(st.sampled_from([None, 0, 1, 1])),
        "origin_extra_eu": draw(st.sampled_from([None, 0, 1])),
        "built_at": built_at,
        "declared_at": declared_at,
        "closed_at": closed_at,
        "closed_with_solutions": None if status == "open" else draw(st.sampled_from([None, "yes", "no"])),
        "confirmed_at": draw(st.one_of(st.none(), PAST_DAYS.map(lambda d: d + "T08:00:00.000Z"))),
        "x": draw(st.integers(0, 9)) + 0.5,
        "y": draw(st.integers(0, 9)) + 0.5,
    }


EDIT = st.one_of(
    st.tuples(st.just("update"), st.integers(0, 50), site_values()),
    st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
    st.tuples(st.just("insert"), st.none(), site_values()),
)


@st.composite
def scenario(draw):
    initial = draw(st.lists(st.tuples(site_values(), PAST_DAYS, st.integers(0, 86399)), min_size=1, max_size=12))
    edits = draw(st.lists(EDIT, max_size=14))
    return initial, edits


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return create_store(str(tmp_path_factory.mktemp("sums") / "template.gpkg")).location


class Timeline:
    """What the test knows of every site: [(valid from, state or None)] per uuid."""

    def __init__(self):
        self.versions = {}
        self.instants = []

    def record(self, uuid, instant, state):
        self.versions.setdefault(uuid, []).append((instant, state))
        self.instants.append(instant)

    def states_at(self, at):
        return list(self.by_uuid_at(at).values())

    def by_uuid_at(self, at):
        """The state of each site at `at`, reconstructed before its first version (a site still there)."""
        states = {}
        for uuid, versions in self.versions.items():
            still_there = versions[-1][1] is not None
            current = model.reconstructed(versions[0][1], at) if at < versions[0][0] and still_there else None
            for valid_from, state in versions:
                if valid_from <= at:
                    current = state
            if current is not None:
                states[uuid] = current
        return states


def insert_backdated(connection, values, day, second, timeline):
    uuid = "%08d-0000-4000-8000-%012d" % (len(timeline.versions), len(timeline.versions))
    stamp = "%sT%02d:%02d:%02d.000Z" % (day, second // 3600, second // 60 % 60, second % 60)
    columns = COLUMNS + ["geom", "uuid", "row_version", "created_at", "created_by", "updated_at", "updated_by"]
    row = [values[c] for c in COLUMNS] + [point_blob(values["x"], values["y"]), uuid, 1, stamp, "alice", stamp,
                                          "alice"]
    connection.execute("INSERT INTO sites (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns))),
                       row)
    timeline.record(uuid, stamp, dict(values, uuid=uuid, created_at=stamp, updated_at=stamp))


def apply_edit(connection, edit, timeline):
    """One edit through plain SQL; the timeline records the instant the triggers wrote."""
    kind, index, values = edit
    alive = sorted(u for u, v in timeline.versions.items() if v[-1][1] is not None)
    if kind == "insert":
        columns = COLUMNS + ["geom"]
        connection.execute("INSERT INTO sites (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns))),
                           [values[c] for c in COLUMNS] + [point_blob(values["x"], values["y"])])
        uuid, created_at = connection.execute(
            "SELECT uuid, created_at FROM sites WHERE fid = last_insert_rowid()").fetchone()
        timeline.record(uuid, created_at, dict(values, uuid=uuid, created_at=created_at, updated_at=created_at))
        return
    if not alive:
        return
    uuid = alive[index % len(alive)]
    previous = timeline.versions[uuid][-1][1]
    if kind == "delete":
        connection.execute("DELETE FROM sites WHERE uuid = ?", (uuid,))
        deleted_at = connection.execute("SELECT valid_to FROM sites_history WHERE uuid = ? AND operation = 'delete'",
                                        (uuid,)).fetchone()[0]
        timeline.record(uuid, deleted_at, None)
        return
    version = connection.execute("SELECT row_version FROM sites WHERE uuid = ?", (uuid,)).fetchone()[0]
    connection.execute("UPDATE sites SET %s, geom = ? WHERE uuid = ?" % ", ".join("%s = ?" % c for c in COLUMNS),
                       [values[c] for c in COLUMNS] + [point_blob(values["x"], values["y"]), uuid])
    updated_at, new_version = connection.execute("SELECT updated_at, row_version FROM sites WHERE uuid = ?",
                                                 (uuid,)).fetchone()
    if new_version != version:
        timeline.record(uuid, updated_at, dict(values, uuid=uuid, created_at=previous["created_at"],
                                               updated_at=updated_at))


def build(template, tmp_path, data):
    path = tmp_path / ("copy%d.gpkg" % next(COPIES))
    shutil.copy(template, path)
    store = open_store(str(path))
    connection = store.connect()
    timeline = Timeline()
    initial, edits = data
    for values, day, second in initial:
        insert_backdated(connection, values, day, second, timeline)
    for edit in edits:
        apply_edit(connection, edit, timeline)
    return connection, timeline


def in_territory(state, territory):
    if territory.departement is not None and state["departement"] != territory.departement:
        return False
    if territory.insee_code is not None and state["insee_code"] != territory.insee_code:
        return False
    if territory.uuids is not None and state["uuid"] not in territory.uuids:
        return False
    if territory.bbox is not None:
        xmin, ymin, xmax, ymax = territory.bbox
        return xmin <= state["x"] <= xmax and ymin <= state["y"] <= ymax
    return True


def dates_to_try(timeline, draw):
    """Recorded instants (exactly, and just before), past days, now."""
    recorded = sorted(set(timeline.instants))
    chosen = [model.parse_instant(draw(PAST_DAYS)), model.now_instant()]
    for index in draw(st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=4)):
        instant = recorded[index % len(recorded)]
        chosen += [instant, instant[:-5] + "%03dZ" % max(int(instant[-4:-1]) - 1, 0)]
    return chosen


TERRITORIES = st.one_of(
    st.just(sums_sql.EVERYWHERE),
    st.builds(sums_sql.Territory, departement=st.sampled_from(sorted(DEPARTEMENTS))),
    st.builds(sums_sql.Territory, insee_code=st.sampled_from(["93066", "93048", "75056"])),
    st.builds(lambda box: sums_sql.Territory(bbox=box),
              st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(4, 10), st.integers(4, 10))),
)


@SETTINGS
@given(data=scenario(), choices=st.data())
def test_sql_sums_equal_the_reference_at_any_date(template, tmp_path, data, choices):
    connection, timeline = build(template, tmp_path, data)
    every_uuid = sorted(timeline.versions)
    for at in dates_to_try(timeline, choices.draw):
        territory = choices.draw(TERRITORIES)
        if choices.draw(st.booleans()):  # a selection of sites, as the map's selection gives
            picked = choices.draw(st.lists(st.integers(0, len(every_uuid) - 1), max_size=6))
            territory = sums_sql.Territory(uuids=[every_uuid[i] for i in picked])
        by = choices.draw(st.sampled_from([None] + list(model.GROUPING_NAMES)))
        statuses = choices.draw(st.sampled_from([("open",), None, ("resorbed", "unknown")]))
        months = choices.draw(st.sampled_from([6, 1, 12]))
        states = [s for s in model.selected(timeline.states_at(at), statuses) if in_territory(s, territory)]
        result = sums_sql.site_sums(connection, at, territory, by, statuses, months)
        assert result.total == model.figures(states, at, months), (at, territory, statuses)
        if by is not None:
            assert result.groups == model.grouped(states, by, at, months)


def states_in(states, territory, by=None, key=None):
    return {uuid: state for uuid, state in states.items()
            if in_territory(state, territory) and (by is None or model.group_key(state, by) == key)}


@SETTINGS
@given(data=scenario(), choices=st.data())
def test_movements_reconcile_the_states_at_both_dates(template, tmp_path, data, choices):
    connection, timeline = build(template, tmp_path, data)
    start, end = sorted(dates_to_try(timeline, choices.draw)[:2])
    territory = choices.draw(TERRITORIES)
    by = choices.draw(st.sampled_from([None, "departement", "insee_code", "size_band"]))
    before, after = timeline.by_uuid_at(start), timeline.by_uuid_at(end)
    moves = sums_sql.changes_between(connection, start, end, territory, by)
    assert moves.total == model.movements(states_in(before, territory), states_in(after, territory), start, end)
    for key, figures in moves.groups:
        assert figures == model.movements(states_in(before, territory, by, key), states_in(after, territory, by, key),
                                          start, end), key
    compared = sums_sql.compare(connection, end, start, territory, by)
    for block in [compared["total"]] + compared["groups"]:
        then = block["at_compare"]
        assert block["sites"] == then["sites"] + block["opened"] - block["closed"], block
        assert block["population_total"] == (then["population_total"] + block["population_opened"]
                                             - block["population_closed"] + block["population_variation"]), block
    at_start = model.figures(model.selected(states_in(before, territory).values()), start)
    assert compared["total"]["at_compare"] == at_start
    assert compared["total"]["change"] == model.change(model.figures(
        model.selected(states_in(after, territory).values()), end), at_start)


@SETTINGS
@given(data=scenario(), choices=st.data())
def test_the_monthly_series_equals_the_sums_at_each_month_end(template, tmp_path, data, choices):
    connection, timeline = build(template, tmp_path, data)
    series = sums_sql.monthly_series(connection, months=30)
    assert len(series) == 30 and series[-1]["at"] <= model.now_instant()
    for point in series:
        expected = model.figures(model.selected(timeline.states_at(point["at"])), point["at"])
        assert {k: point[k] for k in sums_sql.SERIES_NAMES} == {k: expected[k] for k in sums_sql.SERIES_NAMES}


def site(connection, **values):
    columns = list(values)
    connection.execute("INSERT INTO sites (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns))),
                       [values[c] for c in columns])


def test_unknown_values_are_counted_apart_never_as_zero(new_store):
    connection = new_store.connect()
    site(connection, insee_code="93066", departement="93", population_total=12, origin_european=1)
    site(connection, insee_code="93066", departement="93", population_total=None, population_couples=3)
    total = sums_sql.site_sums(connection).total
    assert total["sites"] == 2
    assert total["population_total"] == 12 and total["sites_unknown_population"] == 1
    assert total["population_couples"] == 3 and total["sites_unknown_couples"] == 1
    assert total["sites_eu_only_10_plus"] == 1 and total["sites_unknown_origin"] == 1


def test_a_site_counts_at_a_date_only_while_it_is_open(new_store):
    connection = new_store.connect()
    site(connection, uuid="00000000-0000-4000-8000-000000000001", insee_code="93066", departement="93",
         population_total=40, row_version=1, created_at="2025-01-10T10:00:00.000Z", created_by="a",
         updated_at="2025-01-10T10:00:00.000Z", updated_by="a")
    connection.execute("UPDATE sites SET status = 'resorbed', closed_at = '2025-06-01', "
                       "closed_with_solutions = 'yes'")
    assert sums_sql.site_sums(connection, model.parse_instant("2025-01-09")).total["sites"] == 0
    assert sums_sql.site_sums(connection, model.parse_instant("2025-03-01")).total["population_total"] == 40
    assert sums_sql.site_sums(connection).total["sites"] == 0
    moves = sums_sql.changes_between(connection, model.parse_instant("2025-01-01"), model.now_instant()).total
    assert (moves["opened"], moves["closed"], moves["resorbed"], moves["population_resorbed"]) == (1, 1, 1, 40)


def test_the_insertion_sites_capacity_and_occupancy(new_store):
    connection = new_store.connect()
    for name, status, capacity, occupied in (("A", "open", 40, 30), ("B", "open", 10, None), ("C", "project", 99, 0),
                                             ("D", "open", 20, 10)):
        connection.execute("INSERT INTO insertion_sites (name, status, capacity_people, occupied_people, "
                           "departement) VALUES (?, ?, ?, ?, '93')", (name, status, capacity, occupied))
    figures = sums_sql.insertion_sums(connection, territory=sums_sql.Territory(departement="93"))
    assert figures["insertion_sites"] == 3 and figures["capacity_people"] == 70
    assert figures["occupied_people"] == 40 and figures["insertion_sites_unknown_occupancy"] == 1
    assert figures["occupancy_rate"] == pytest.approx(40 / 60, abs=1e-4)


def test_dates_mean_the_end_of_the_day_and_bad_dates_are_refused():
    assert model.parse_instant("2026-01-01") == "2026-01-01T23:59:59.999Z"
    assert model.parse_instant("2026-01-01T10:00:00+02:00") == "2026-01-01T08:00:00.000Z"
    assert model.months_before("2026-08-31T23:59:59.999Z", 6) == "2026-02-28T23:59:59.999Z"
    with pytest.raises(model.InvalidDate):
        model.parse_instant("2026-02-30")


def run_cli(*arguments):
    return subprocess.run([sys.executable, "-m", "plugin", *arguments], capture_output=True, text=True,
                          cwd=str(REPO))


def test_the_cli_prints_one_json_object_with_every_figure(new_store):
    connection = new_store.connect()
    site(connection, insee_code="93066", departement="93", population_total=12)
    site(connection, insee_code="75056", departement="75", population_total=5, status="resorbed",
         closed_at="2026-01-02")
    connection.close()
    done = run_cli("sums", new_store.location, "--by", "departement", "--compare", "2025-12-31", "--json")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["compare"] == "2025-12-31T23:59:59.999Z"
    for block in [output["total"]] + output["groups"]:
        for name in ("sites", "population_total", "population_couples", "population_minors", "minors_in_school",
                     "sites_unknown_population", "sites_out_of_date", "sites_eu_only_10_plus",
                     "opened", "closed", "resorbed"):
            assert name in block
    assert [g["key"] for g in output["groups"]] == ["75", "93"]
    assert output["total"]["sites"] == 1 and output["total"]["closed"] == 1
    plain = run_cli("sums", new_store.location, "--at", "2026-01-01", "--departement", "93", "--json")
    assert json.loads(plain.stdout)["at"] == "2026-01-01T23:59:59.999Z"


def test_the_cli_refuses_a_bad_date_with_a_clear_message(new_store):
    done = run_cli("sums", new_store.location, "--at", "01/07/2026")
    assert done.returncode != 0 and "01/07/2026" in done.stderr and done.stdout == ""


def test_sums_refuse_an_unknown_grouping(new_store):
    with pytest.raises(ValueError):
        sums_sql.site_sums(new_store, by="owner; DROP TABLE sites")
    assert sqlite3.connect(new_store.location).execute("SELECT count(*) FROM sites").fetchone() == (0,)


def test_a_store_filled_today_has_a_past_from_the_sites_own_dates(new_store):
    """Sites recorded today (an import from the platform) count at past dates from their installation
    (else reporting) day, until their closing day, with the figures they were recorded with."""
    connection = new_store.connect()
    site(connection, insee_code="93066", departement="93", population_total=40, built_at="2023-05-01")
    site(connection, insee_code="93066", departement="93", population_total=7, declared_at="2024-02-01")
    site(connection, insee_code="93048", departement="93", population_total=25, status="resorbed",
         built_at="2023-01-01", closed_at="2025-03-01", closed_with_solutions="yes")
    site(connection, insee_code="93048", departement="93", population_total=3)   # no date: no past
    recorded = connection.execute("SELECT min(created_at) FROM sites").fetchone()[0]

    def at(day):
        return sums_sql.site_sums(connection, model.parse_instant(day)).total

    assert (at("2022-12-31")["sites"], at("2023-01-01")["sites"]) == (0, 1)
    assert at("2024-06-30")["sites"] == 3 and at("2024-06-30")["population_total"] == 72
    assert at("2025-03-01")["sites"] == 2      # closed that day
    assert sums_sql.reconstructed_before(connection) == recorded
    assert sums_sql.reconstructed_before(connection, sums_sql.Territory(insee_code="75056")) is None
    # 2 open on 01/01/2025 (plus one closed since), 3 now: + the one with no date − the closed one.
    compared = sums_sql.compare(connection, model.now_instant(), model.parse_instant("2025-01-01"))["total"]
    assert (compared["at_compare"]["sites"], compared["opened"], compared["closed"], compared["sites"]) == (
        3, 1, 1, 3)
    assert compared["resorbed"] == 1 and compared["population_closed"] == 25
    series = sums_sql.monthly_series(connection, model.parse_instant("2025-02-28"), months=3)
    assert [point["sites"] for point in series] == [3, 3, 3]
    assert [p["sites"] for p in sums_sql.monthly_series(connection, model.parse_instant("2025-04-30"),
                                                        months=2)] == [2, 2]
