"""The history of a feature and the activity feed, from edits made with plain SQL or by the plugin."""
import json
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.model.schema import EXTERNAL_AUTHOR
from plugin.store import history as store_history
from plugin.store import create_store, sums_sql
from plugin.store.base import StoreError

REPO = Path(__file__).resolve().parents[2]
EDITED = ("population_total", "population_couples", "name", "field_type", "origin_european")


def point_blob(x: float, y: float) -> bytes:
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, x, y)


def new_site(connection, **values) -> str:
    values.setdefault("insee_code", "93066")
    values.setdefault("departement", "93")
    columns = list(values)
    connection.execute("INSERT INTO sites (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns))),
                       [values[c] for c in columns])
    return connection.execute("SELECT uuid FROM sites WHERE fid = last_insert_rowid()").fetchone()[0]


def test_versions_come_newest_first_with_who_and_what_changed(new_store):
    connection = new_store.connect()
    uuid = new_site(connection, population_total=12, name="Les Acacias", geom=point_blob(2.45, 48.9))
    connection.execute("UPDATE sites SET population_total = 15, row_version = row_version + 1, updated_by = 'bob' "
                       "WHERE uuid = ?", (uuid,))
    connection.execute("UPDATE sites SET name = 'Acacias', geom = ? WHERE uuid = ?", (point_blob(2.5, 48.9), uuid))
    versions = store_history.history(new_store, "sites", uuid)
    assert [v["operation"] for v in versions] == ["update", "update", "create"]
    assert [v["changed_by"] for v in versions] == [EXTERNAL_AUTHOR, "bob", EXTERNAL_AUTHOR]
    assert versions[0]["changes"] == {"name": ["Les Acacias", "Acacias"],
                                      "geom": ["POINT (2.45 48.9)", "POINT (2.5 48.9)"]}
    assert versions[1]["changes"] == {"population_total": [12, 15]}
    assert versions[2]["changes"]["population_total"] == [None, 12]
    assert versions[0]["valid_to"] is None and versions[1]["valid_to"] == versions[0]["valid_from"]


def test_a_deleted_feature_keeps_its_history(new_store):
    connection = new_store.connect()
    uuid = new_site(connection, population_total=30)
    connection.execute("UPDATE sites SET population_total = 25 WHERE uuid = ?", (uuid,))
    connection.execute("DELETE FROM sites WHERE uuid = ?", (uuid,))
    versions = store_history.history(new_store, "sites", uuid)
    assert [v["operation"] for v in versions] == ["delete", "update", "create"]
    assert versions[1]["changes"] == {"population_total": [30, 25]}
    assert versions[1]["valid_to"] == versions[0]["valid_from"]
    with pytest.raises(StoreError):
        store_history.history(new_store, "sites", "00000000-0000-4000-8000-000000000000")


VALUES = st.fixed_dictionaries({
    "population_total": st.one_of(st.none(), st.integers(20, 40)),
    "population_couples": st.one_of(st.none(), st.integers(0, 19)),
    "name": st.sampled_from([None, "Le Pont", "La Friche"]),
    "field_type": st.sampled_from([None, "land", "building"]),
    "origin_european": st.sampled_from([None, 0, 1]),
})


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(first=VALUES, edits=st.lists(VALUES, max_size=8))
def test_replaying_the_changes_gives_back_every_version(tmp_path_factory, first, edits):
    store = create_store(str(tmp_path_factory.mktemp("history") / "store.gpkg"))
    connection = store.connect()
    uuid = new_site(connection, **first)
    states = [dict(first)]
    for values in edits:
        connection.execute("UPDATE sites SET %s WHERE uuid = ?" % ", ".join("%s = ?" % c for c in EDITED),
                           [values[c] for c in EDITED] + [uuid])
        if values != states[-1]:
            states.append(dict(values))
    versions = list(reversed(store_history.history(store, "sites", uuid)))
    assert len(versions) == len(states)
    replayed = {name: None for name in EDITED}
    for version, state in zip(versions, states):
        for field, (old, new) in version["changes"].items():
            assert replayed.get(field) == old
            replayed[field] = new
        assert {name: replayed[name] for name in EDITED} == state
        # The state the sums read at the start of each version is that version (unless the
        # next edit came within the same millisecond: then that version was never visible).
        if version["valid_to"] == version["valid_from"]:
            continue
        at = sums_sql.site_sums(connection, version["valid_from"], sums_sql.Territory(uuids=[uuid]), statuses=None)
        assert at.total["sites"] == 1
        assert at.total["sites_unknown_population"] == (state["population_total"] is None)


def test_the_activity_feed_filters_by_person_date_and_commune(new_store):
    connection = new_store.connect()
    first = new_site(connection, population_total=10, created_by="alice", updated_by="alice", name="A",
                     created_at="2025-01-01T10:00:00.000Z", updated_at="2025-01-01T10:00:00.000Z")
    second = new_site(connection, insee_code="75056", departement="75", population_total=5, name="B",
                      created_at="2025-02-01T10:00:00.000Z", updated_at="2025-02-01T10:00:00.000Z")
    connection.execute("UPDATE sites SET population_total = 11, row_version = row_version + 1, updated_by = 'bob' "
                       "WHERE uuid = ?", (first,))
    connection.execute("DELETE FROM sites WHERE uuid = ?", (second,))
    feed = store_history.activity(new_store, tables=["sites"])
    assert [(e["operation"], e["uuid"]) for e in feed] == [
        ("delete", second), ("update", first), ("create", second), ("create", first)]
    assert [e["operation"] for e in store_history.activity(new_store, changed_by="bob")] == ["update"]
    assert {e["uuid"] for e in store_history.activity(new_store, insee_code="75056")} == {second}
    assert [e["uuid"] for e in store_history.activity(new_store, until="2025-01-15T00:00:00.000Z")] == [first]
    assert [e["uuid"] for e in store_history.activity(new_store, since="2025-01-15T00:00:00.000Z",
                                                      until="2025-12-31T23:59:59.999Z")] == [second]
    assert store_history.activity(new_store, tables=["sites"], limit=2) == feed[:2]


def run_cli(*arguments):
    return subprocess.run([sys.executable, "-m", "plugin", *arguments], capture_output=True, text=True,
                          cwd=str(REPO))


def test_the_cli_prints_the_versions_as_json(new_store):
    connection = new_store.connect()
    uuid = new_site(connection, population_total=8)
    connection.execute("UPDATE sites SET population_total = 9 WHERE uuid = ?", (uuid,))
    connection.close()
    done = run_cli("history", new_store.location, uuid, "--json")
    assert done.returncode == 0, done.stderr
    versions = json.loads(done.stdout)
    assert set(versions[0]) >= {"valid_from", "valid_to", "changed_by", "changes", "operation"}
    assert versions[0]["changes"] == {"population_total": [8, 9]}
    missing = run_cli("history", new_store.location, "not-a-uuid", "--json")
    assert missing.returncode != 0 and "not-a-uuid" in missing.stderr


def test_one_update_of_many_rows_keeps_each_changed_row_once_and_stamps_it_once(new_store):
    """The history and stamping triggers fire for the business columns only: the store's own
    stamping UPDATE neither writes a second version nor runs the date checks again."""
    connection = new_store.connect()
    uuids = [new_site(connection, population_total=n, name="S%d" % n, created_by="alice", updated_by="alice")
             for n in (10, 20, 30)]
    connection.execute("UPDATE sites SET population_total = CASE WHEN population_total = 20 THEN 20 "
                       "ELSE population_total + 1 END")
    rows = dict(connection.execute("SELECT uuid, row_version || ' ' || updated_by FROM sites"))
    assert rows == {uuids[0]: "2 %s" % EXTERNAL_AUTHOR, uuids[1]: "1 alice", uuids[2]: "2 %s" % EXTERNAL_AUTHOR}
    assert connection.execute("SELECT uuid, population_total, row_version, changed_by FROM sites_history "
                              "ORDER BY population_total").fetchall() == [
        (uuids[0], 10, 1, EXTERNAL_AUTHOR), (uuids[2], 30, 1, EXTERNAL_AUTHOR)]
    connection.execute("UPDATE sites SET updated_by = 'bob'")  # the stamps alone: no new version
    assert connection.execute("SELECT count(*) FROM sites_history").fetchone()[0] == 2
    with pytest.raises(sqlite3.IntegrityError, match="sites_closed_at_future"):
        connection.execute("UPDATE sites SET closed_at = '2999-01-01'")


def test_the_figures_by_departement_read_one_index_and_an_upgrade_rebuilds_older_indexes(tmp_path):
    """Indexes an older file declared differently are made again by upgrade(); the figures of the
    open sites by département then come from the covering index alone, without a sort."""
    from plugin.model import schema
    from plugin.store import gpkg, sqlite_ddl
    path = str(tmp_path / "older_indexes.gpkg")
    store = create_store(path)
    connection = store.connect()
    for n in range(6):
        new_site(connection, population_total=n + 1, departement="93" if n % 2 else "94", status="open")
    declared = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    connection.execute('DROP INDEX "sites_figures_idx"')
    connection.execute('DROP INDEX "sites_history_valid_idx"')
    connection.execute('CREATE INDEX "sites_status_idx" ON "sites" ("status")')
    connection.execute('CREATE INDEX "sites_history_valid_idx" ON "sites_history" ("valid_to", "valid_from")')
    before = sums_sql.site_sums(connection, by="departement")
    assert store.upgrade() == []
    assert dict(connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")) == declared
    assert sqlite_ddl.index_upgrade(declared, schema.TABLES) == []
    after = sums_sql.site_sums(connection, by="departement")
    assert after.groups == before.groups and [key for key, _ in after.groups] == ["93", "94"]
    query = sums_sql.Query(sums_sql.SQLITE)
    sql = "SELECT departement, %s FROM (%s) AS state WHERE %s GROUP BY departement" % (
        ", ".join(query.figure_columns(after.at, 6)), query.state("sites", sums_sql.SITE_COLUMNS, None,
                                                                  sums_sql.EVERYWHERE),
        query.statuses(("open",))[0])
    plan = " / ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, query.parameters))
    assert "COVERING INDEX sites_figures_idx" in plan and "TEMP B-TREE" not in plan, plan
    assert gpkg.open_store(path).version == schema.SCHEMA_VERSION
