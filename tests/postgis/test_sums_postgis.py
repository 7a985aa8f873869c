"""The derived figures computed by PostgreSQL equal the plain-Python reference, at any date.

Random sites go into a shared PostGIS store with backdated timestamps, then are
edited and deleted with plain SQL (the store's row trigger keeps the history).
The reference reads every version back (current rows and history) and computes
the state at a date in Python (model.state_at); the SQL must give the same figures.
"""
import contextlib
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.model import sums as model
from plugin.store import sums_sql
from test_sums import COLUMNS, EDIT, PAST_DAYS, TERRITORIES, in_territory, site_values

psycopg2 = pytest.importorskip("psycopg2")
SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
BOOLEANS = ("origin_french", "origin_european", "origin_extra_eu")


def instant_text(value) -> str:
    """A timestamptz as the model compares them: ISO UTC with microseconds (PostgreSQL's precision)."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stored(values):
    return [bool(values[c]) if c in BOOLEANS and values[c] is not None else values[c] for c in COLUMNS]


def write(connection, data):
    initial, edits = data
    with connection.cursor() as cursor:
        for values, day, second in initial:
            stamp = "%sT%02d:%02d:%02dZ" % (day, second // 3600, second // 60 % 60, second % 60)
            cursor.execute("INSERT INTO sites (%s, geom, created_at, updated_at) VALUES (%s, "
                           "ST_SetSRID(ST_MakePoint(%%s, %%s), 4326), %%s, %%s)" % (
                               ", ".join(COLUMNS), ", ".join(["%s"] * len(COLUMNS))),
                           stored(values) + [values["x"], values["y"], stamp, stamp])
        for kind, index, values in edits:
            cursor.execute("SELECT uuid FROM sites ORDER BY uuid")
            alive = [row[0] for row in cursor.fetchall()]
            if kind == "insert":
                cursor.execute("INSERT INTO sites (%s, geom) VALUES (%s, ST_SetSRID(ST_MakePoint(%%s, %%s), 4326))"
                               % (", ".join(COLUMNS), ", ".join(["%s"] * len(COLUMNS))),
                               stored(values) + [values["x"], values["y"]])
            elif alive and kind == "delete":
                cursor.execute("DELETE FROM sites WHERE uuid = %s", (alive[index % len(alive)],))
            elif alive:
                cursor.execute("UPDATE sites SET %s, geom = ST_SetSRID(ST_MakePoint(%%s, %%s), 4326) WHERE uuid = %%s"
                               % ", ".join("%s = %%s" % c for c in COLUMNS),
                               stored(values) + [values["x"], values["y"], alive[index % len(alive)]])


def versions(connection):
    """Every version, as the reference reads them: dicts with valid_from/valid_to and x, y."""
    columns = list(sums_sql.SITE_COLUMNS)
    select = ", ".join('"%s"' % c for c in columns) + ", ST_X(geom), ST_Y(geom)"
    result = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s, updated_at, NULL FROM sites UNION ALL "
                       "SELECT %s, valid_from, valid_to FROM sites_history" % (select, select))
        for row in cursor.fetchall():
            version = dict(zip(columns + ["x", "y", "valid_from", "valid_to"], row))
            for name, value in version.items():
                if isinstance(value, datetime):
                    version[name] = instant_text(value)
                elif isinstance(value, date):
                    version[name] = value.isoformat()
            result.append(version)
    return result


@pytest.fixture
def postgres(shared_uri):
    connection = psycopg2.connect(shared_uri)
    connection.autocommit = True
    yield connection
    connection.close()


@SETTINGS
@given(data=st.tuples(st.lists(st.tuples(site_values(), PAST_DAYS, st.integers(0, 86399)), min_size=1, max_size=10),
                      st.lists(EDIT, max_size=10)),
       choices=st.data())
def test_postgres_sums_equal_the_reference_at_any_date(cluster, data, choices):
    name = "sums_%d" % next(cluster.names)
    cluster.sql("CREATE DATABASE %s TEMPLATE store_template" % name)
    with contextlib.closing(psycopg2.connect(cluster.uri(name))) as connection:
        connection.autocommit = True
        write(connection, data)
        every = versions(connection)
        instants = sorted({v["valid_from"] for v in every} | {v["valid_to"] for v in every if v["valid_to"]})
        dates = [model.parse_instant(choices.draw(PAST_DAYS)), model.now_instant()]
        dates += [instants[i % len(instants)] for i in choices.draw(st.lists(st.integers(0, 999), min_size=2,
                                                                            max_size=4))]
        for at in dates:
            territory = choices.draw(TERRITORIES)
            by = choices.draw(st.sampled_from([None] + list(model.GROUPING_NAMES)))
            statuses = choices.draw(st.sampled_from([("open",), None]))
            states = [s for s in model.selected(model.state_at(every, at), statuses) if in_territory(s, territory)]
            result = sums_sql.site_sums(connection, at, territory, by, statuses)
            assert result.total == model.figures(states, at), (at, territory)
            if by is not None:
                assert result.groups == model.grouped(states, by, at)
        start, end = sorted(dates[:2])
        assert sums_sql.changes_between(connection, start, end).total == model.movements(
            model.states_by_uuid(every, start), model.states_by_uuid(every, end), start, end)
        for point in sums_sql.monthly_series(connection, months=30):
            expected = model.figures(model.selected(model.state_at(every, point["at"])), point["at"])
            assert {k: point[k] for k in sums_sql.SERIES_NAMES} == {k: expected[k] for k in sums_sql.SERIES_NAMES}


def test_insertion_sites_on_postgres(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("INSERT INTO insertion_sites (name, status, departement, capacity_people, occupied_people) "
                       "VALUES ('A', 'open', '93', 40, 30), ('B', 'open', '93', 10, NULL), "
                       "('C', 'project', '93', 99, 0)")
    figures = sums_sql.insertion_sums(postgres, territory=sums_sql.Territory(departement="93"))
    assert (figures["insertion_sites"], figures["capacity_people"], figures["occupied_people"]) == (2, 50, 30)
    assert figures["occupancy_rate"] == 0.75 and figures["insertion_sites_unknown_occupancy"] == 1


def test_history_and_activity_on_postgres(postgres):
    from plugin.store import history as store_history
    with postgres.cursor() as cursor:
        cursor.execute("INSERT INTO sites (insee_code, departement, population_total, name, geom, created_by) "
                       "VALUES ('93066', '93', 12, 'Les Acacias', ST_SetSRID(ST_MakePoint(2.45, 48.9), 4326), 'alice') "
                       "RETURNING uuid")
        uuid = cursor.fetchone()[0]
        cursor.execute("UPDATE sites SET population_total = 15, geom = ST_SetSRID(ST_MakePoint(2.5, 48.9), 4326) "
                       "WHERE uuid = %s", (uuid,))
        cursor.execute("DELETE FROM sites WHERE uuid = %s", (uuid,))
    versions = store_history.history(postgres, "sites", uuid)
    assert [v["operation"] for v in versions] == ["delete", "update", "create"]
    assert versions[1]["changes"] == {"population_total": [12, 15], "geom": ["POINT(2.45 48.9)", "POINT(2.5 48.9)"]}
    assert versions[2]["changed_by"] == "alice" and versions[1]["valid_to"] == versions[0]["valid_from"]
    assert versions[0]["valid_from"].endswith("Z")
    feed = store_history.activity(postgres, tables=["sites"])
    assert [(e["operation"], e["uuid"]) for e in feed] == [("delete", uuid), ("update", uuid), ("create", uuid)]
    assert [e["operation"] for e in store_history.activity(postgres, changed_by="alice", tables=["sites"])] == [
        "create"]


def test_one_statement_over_many_rows_keeps_each_changed_row_once_on_postgres(postgres):
    """The previous versions are copied by the statement trigger, set-based: one version per row
    whose fields changed, signed by the author the row trigger stamped."""
    with postgres.cursor() as cursor:
        cursor.execute("INSERT INTO sites (insee_code, departement, population_total, name, created_by) "
                       "SELECT '93066', '93', n, 'S' || n, 'alice' FROM unnest(ARRAY[10, 20, 30]) n")
        cursor.execute("UPDATE sites SET population_total = CASE WHEN population_total = 20 THEN 20 "
                       "ELSE population_total + 1 END")
        cursor.execute("SELECT name, row_version, updated_by FROM sites ORDER BY name")
        assert cursor.fetchall() == [("S10", 2, "(externe)"), ("S20", 1, "alice"), ("S30", 2, "(externe)")]
        cursor.execute("SELECT h.name, h.population_total, h.row_version, changed_by, operation, "
                       "h.valid_to = s.updated_at FROM sites_history h JOIN sites s USING (uuid) ORDER BY h.name")
        assert cursor.fetchall() == [("S10", 10, 1, "(externe)", "update", True),
                                     ("S30", 30, 1, "(externe)", "update", True)]
        cursor.execute("SELECT set_config('app.user', 'bob', false)")
        cursor.execute("UPDATE sites SET name = name || '!' WHERE name <> 'S20'")
        cursor.execute("DELETE FROM sites WHERE name = 'S20'")
        cursor.execute("SELECT name, changed_by, operation FROM sites_history WHERE changed_by = 'bob' ORDER BY name")
        assert cursor.fetchall() == [("S10", "bob", "update"), ("S20", "bob", "delete"), ("S30", "bob", "update")]
        cursor.execute("SELECT count(*) FROM rs_versions WHERE operation IN ('update', 'delete')")
        assert cursor.fetchone()[0] == 5
