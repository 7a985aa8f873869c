"""Working copies against a shared GeoPackage: merge cases, deletes, related tables,
attachments, edits made outside the plugin, crashes (SYNC.md §4-5)."""
import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plugin import cli
from plugin.model.merge import EXISTENCE
from plugin.store import create_store
from plugin.store.base import StoreError
from plugin.sync import WorkingCopy, checkout, synchronise
from plugin.sync.values import normalised_wkb
from plugin.sync.working_copy import make_working_copy
from sync_helpers import (add_site, content, killable_sync_script, local, new_uuid, pending, point,
                          polygon)

REPO = Path(__file__).resolve().parents[2]


SITE_1 = "00000000-0000-4000-8000-000000000001"
SITE_2 = "00000000-0000-4000-8000-000000000002"
NAMES = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A shared store with three sites (two in the 93) and three working copies of the 93, made once."""
    folder = tmp_path_factory.mktemp("template")
    store = create_store(str(folder / "shared.gpkg"))
    with local(store.location) as connection:
        add_site(connection, "Les Prés", uuid=SITE_1, population=40)
        add_site(connection, "La Gare", uuid=SITE_2, population=12, lon=2.4)
        add_site(connection, "Paris", departement="75", insee="75056", population=8, lon=2.35, lat=48.85)
    for name in NAMES:
        checkout(store.location, str(folder / ("%s.gpkg" % name)), ["93"], name)
    return folder


@pytest.fixture
def shared(template, tmp_path):
    for path in template.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return str(tmp_path / "shared.gpkg")


@pytest.fixture
def copies(shared, tmp_path):
    paths = [str(tmp_path / ("%s.gpkg" % name)) for name in NAMES]
    for path in paths:
        with local(path) as connection:
            connection.execute("UPDATE rs_sync_state SET shared = ?, client_id = ?", (shared, new_uuid()))
    return paths


def sync(path, login=None):
    return synchronise(path, login)


def edit(path, sql, *parameters):
    with local(path) as connection:
        connection.execute(sql, parameters)


def value(path, column, uuid, table="sites"):
    with local(path) as connection:
        row = connection.execute('SELECT "%s" FROM "%s" WHERE uuid = ?' % (column, table), (uuid,)).fetchone()
    return None if row is None else row[0]


def assert_in_step(shared, *paths):
    with local(shared) as connection:
        expected = content(connection, where="departement = '93'")
    for path in paths:
        assert pending(path) == (0, 0), path
        with local(path) as connection:
            assert content(connection) == expected, path


def test_checkout_copies_the_departements_rows_only(shared, copies):
    with local(copies[0]) as connection:
        names = sorted(r[0] for r in connection.execute("SELECT name FROM sites"))
        role = connection.execute("SELECT value FROM rs_meta WHERE key = 'role'").fetchone()[0]
        indexed = connection.execute("SELECT count(*) FROM rtree_sites_geom WHERE minx BETWEEN 2.3 AND 2.5 "
                                     "AND miny BETWEEN 48.9 AND 49").fetchone()[0]
        assert indexed == 2  # the spatial index is filled
        assert connection.execute("SELECT count(*) FROM indicator_definitions").fetchone()[0] > 0
    assert names == ["La Gare", "Les Prés"] and role == "working_copy"
    assert pending(copies[0]) == (0, 0)


def test_a_checkout_keeps_the_copys_indexes_triggers_and_rules(shared, tmp_path):
    # the load sets indexes and triggers aside (and skips the CHECK constraints the shared store enforced)
    def structure(path):
        with local(path) as connection:
            return connection.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                      "ORDER BY type, name").fetchall()
    never_loaded = create_store(str(tmp_path / "never_loaded.gpkg")).location
    with local(never_loaded) as connection:
        connection.execute("BEGIN")
        make_working_copy(connection, {"client_id": "c", "login": None, "shared": shared, "shared_id": "s",
                                       "departements": '["93"]'})
        connection.execute("COMMIT")
    loaded = str(tmp_path / "dave.gpkg")
    checkout(shared, loaded, ["93"], "dave")
    assert structure(loaded) == structure(never_loaded)
    assert any(name == "sites_figures_idx" for _, name, _ in structure(loaded))
    with local(loaded) as connection:
        with pytest.raises(sqlite3.IntegrityError, match="population_total"):
            connection.execute("UPDATE sites SET population_total = -3 WHERE uuid = ?", (SITE_1,))


def test_local_edits_keep_row_version_and_are_captured_once_per_uuid(copies):
    alice = copies[0]
    edit(alice, "UPDATE sites SET population_total = 41 WHERE uuid = ?", SITE_1)
    edit(alice, "UPDATE sites SET population_total = 42 WHERE uuid = ?", SITE_1)
    with local(alice) as connection:
        assert connection.execute("SELECT row_version FROM sites WHERE uuid = ?", (SITE_1,)).fetchone()[0] == 1
        dirty = connection.execute("SELECT uuid, table_name, op FROM rs_dirty").fetchall()
        base = connection.execute("SELECT population_total FROM rs_base_sites").fetchall()
        history = connection.execute("SELECT count(*) FROM sites_history").fetchone()[0]
    assert dirty == [(SITE_1, "sites", "update")]
    assert base == [(40,)]  # the first touch: the row as it was at the last sync
    assert history == 0


def test_different_fields_changed_on_both_sides_merge_silently(shared, copies):
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET population_total = 45 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET name = 'Les Prés Nord' WHERE uuid = ?", SITE_1)
    assert sync(alice).sent == 1
    summary = sync(bob)
    assert (summary.received, summary.sent, summary.conflicts) == (1, 1, 0)
    sync(alice)
    assert value(shared, "population_total", SITE_1) == 45 and value(shared, "name", SITE_1) == "Les Prés Nord"
    assert_in_step(shared, alice, bob)


def test_the_same_change_on_both_sides_is_no_conflict(shared, copies):
    alice, bob = copies[:2]
    for path in (alice, bob):
        edit(path, "UPDATE sites SET population_total = 50 WHERE uuid = ?", SITE_1)
    sync(alice)
    assert sync(bob).conflicts == 0
    sync(alice)
    assert_in_step(shared, alice, bob)


def test_the_same_field_changed_differently_is_a_conflict_that_blocks_only_that_feature(shared, copies, capsys):
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET population_total = 50 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 60, comments = 'bob' WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 13 WHERE uuid = ?", SITE_2)
    sync(alice)
    assert cli.main(["sync", bob]) == 3
    assert "population_total" in capsys.readouterr().out
    assert value(shared, "population_total", SITE_2) == 13  # everything else synced
    assert value(shared, "population_total", SITE_1) == 50  # nobody's change overwritten
    assert value(bob, "population_total", SITE_1) == 60 and value(bob, "comments", SITE_1) == "bob"
    assert cli.main(["conflicts", bob, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"uuid": SITE_1, "table": "sites", "field": "population_total",
                       "base": 40, "mine": 60, "theirs": 50}]
    assert cli.main(["resolve", bob, SITE_1, "population_total", "mine", "--user", "bob"]) == 0
    assert cli.main(["sync", bob]) == 0
    sync(alice)
    assert value(shared, "population_total", SITE_1) == 60 and value(shared, "comments", SITE_1) == "bob"
    assert_in_step(shared, alice, bob)
    with local(bob) as connection:
        assert connection.execute("SELECT field, choice, login FROM rs_resolutions").fetchall() == [
            ("population_total", "mine", "bob")]


def test_resolving_with_theirs_takes_the_shared_value(shared, copies):
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET population_total = 50 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 60 WHERE uuid = ?", SITE_1)
    sync(alice)
    assert sync(bob).conflicts == 1
    with WorkingCopy(bob) as copy:
        copy.resolve_all(SITE_1, "theirs", "bob")
    assert value(bob, "population_total", SITE_1) == 50
    assert pending(bob) == (0, 0)
    sync(bob)
    assert_in_step(shared, alice, bob)


def test_update_against_delete_is_a_conflict_both_ways(shared, copies):
    alice, bob = copies[:2]
    edit(alice, "DELETE FROM sites WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 60 WHERE uuid = ?", SITE_1)
    sync(alice)
    assert value(shared, "uuid", SITE_1) is None
    assert sync(bob).conflicts == 1
    with WorkingCopy(bob) as copy:
        assert [c["field"] for c in copy.conflicts()] == [EXISTENCE]
        copy.resolve(SITE_1, EXISTENCE, "mine")  # keep the edited site: it comes back
    sync(bob)
    sync(alice)
    assert value(shared, "population_total", SITE_1) == 60
    assert value(alice, "population_total", SITE_1) == 60
    assert_in_step(shared, alice, bob)

    edit(alice, "UPDATE sites SET name = 'x' WHERE uuid = ?", SITE_2)
    edit(bob, "DELETE FROM sites WHERE uuid = ?", SITE_2)
    sync(alice)
    assert sync(bob).conflicts == 1
    assert value(bob, "uuid", SITE_2) is None
    with WorkingCopy(bob) as copy:
        copy.resolve(SITE_2, EXISTENCE, "theirs")  # the update wins: the site is back locally
    assert value(bob, "name", SITE_2) == "x"
    sync(bob)
    assert_in_step(shared, alice, bob)


def test_deletes_travel_and_a_double_delete_is_no_conflict(shared, copies):
    alice, bob, carol = copies
    edit(alice, "DELETE FROM sites WHERE uuid = ?", SITE_1)
    edit(bob, "DELETE FROM sites WHERE uuid = ?", SITE_1)
    sync(alice)
    assert sync(bob).conflicts == 0
    sync(carol)
    assert value(carol, "uuid", SITE_1) is None
    with local(shared) as connection:
        assert connection.execute("SELECT operation FROM sites_history WHERE uuid = ?", (SITE_1,)).fetchall() == [
            ("delete",)]
    assert_in_step(shared, alice, bob, carol)


def test_new_rows_from_three_copies_all_arrive_once(shared, copies):
    added = []
    for number, path in enumerate(copies):
        with local(path) as connection:
            added.append(add_site(connection, "Nouveau %d" % number, lon=2.3 + number / 100))
            gone = add_site(connection, "Brouillon", lon=2.2)
            connection.execute("DELETE FROM sites WHERE uuid = ?", (gone,))  # never sent
    for _ in range(2):
        for path in copies:
            sync(path)
    with local(shared) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sites WHERE name LIKE 'Nouveau%' ORDER BY name")]
        assert connection.execute("SELECT count(*) FROM sites WHERE name = 'Brouillon'").fetchone()[0] == 0
    assert names == ["Nouveau 0", "Nouveau 1", "Nouveau 2"]
    assert_in_step(shared, *copies)


def test_three_copies_editing_different_fields_converge(shared, copies):
    alice, bob, carol = copies
    edit(alice, "UPDATE sites SET population_total = 41 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET caravans = 3 WHERE uuid = ?", SITE_1)
    edit(carol, "UPDATE sites SET geom = ? WHERE uuid = ?", point(2.37, 48.94), SITE_1)
    edit(carol, "UPDATE sites SET name = 'Gare Sud' WHERE uuid = ?", SITE_2)
    for _ in range(2):
        for path in copies:
            assert sync(path).conflicts == 0
    assert value(shared, "population_total", SITE_1) == 41 and value(shared, "caravans", SITE_1) == 3
    assert normalised_wkb(value(shared, "geom", SITE_1)) == normalised_wkb(point(2.37, 48.94))
    assert_in_step(shared, *copies)


def test_geometry_moved_differently_on_both_sides_is_a_conflict(shared, copies):
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET geom = ? WHERE uuid = ?", point(2.30, 48.9), SITE_1)
    edit(bob, "UPDATE sites SET geom = ? WHERE uuid = ?", point(2.31, 48.9), SITE_1)
    sync(alice)
    assert sync(bob).conflicts == 1
    with WorkingCopy(bob) as copy:
        assert [c["field"] for c in copy.conflicts()] == ["geom"]


def test_related_tables_and_attachments_sync(shared, copies):
    alice, bob = copies[:2]
    action, content_bytes = new_uuid(), b"%PDF-1.4 plan de masse"
    with local(alice) as connection:
        site = add_site(connection, "Terrain Est", lon=2.45)
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) "
                           "VALUES (?, 'MOUS 93', '2025-01-01', 'Accompagner', '93')", (action,))
        connection.execute("INSERT INTO action_topics (uuid, action_uuid, topic) VALUES (?, ?, 'health')",
                           (new_uuid(), action))
        connection.execute("INSERT INTO action_sites (uuid, action_uuid, site_uuid) VALUES (?, ?, ?)",
                           (new_uuid(), action, site))
        connection.execute(
            "INSERT INTO attachments (uuid, owner_table, owner_uuid, filename, sha256, size_bytes, content) "
            "VALUES (?, 'sites', ?, 'plan.pdf', ?, ?, ?)",
            (new_uuid(), site, hashlib.sha256(content_bytes).hexdigest(), len(content_bytes), content_bytes))
        connection.execute("INSERT INTO insertion_sites (uuid, name, departement, geom) VALUES (?, 'ETI', '93', ?)",
                           (new_uuid(), polygon(2.4, 48.9)))
    assert sync(alice).sent == 6
    sync(bob)
    with local(bob) as connection:
        assert connection.execute("SELECT topic FROM action_topics").fetchall() == [("health",)]
        assert connection.execute("SELECT content FROM attachments").fetchone()[0] == content_bytes
        assert connection.execute("SELECT count(*) FROM insertion_sites").fetchone()[0] == 1
    with local(shared) as connection:
        order = [r[0] for r in connection.execute("SELECT table_name FROM rs_versions ORDER BY id")]
    assert order[0] == "attachments"  # sent before the rows that refer to it
    edit(bob, "UPDATE action_topics SET topic = 'school'")
    sync(bob)
    sync(alice)
    assert value(alice, "topic", action, "action_topics") is None  # keyed by its own uuid
    with local(alice) as connection:
        assert connection.execute("SELECT topic FROM action_topics").fetchall() == [("school",)]


def test_edits_by_plain_sql_and_ogr_are_captured_and_sent(shared, copies):
    alice = copies[0]
    connection = sqlite3.connect(alice)  # no plugin functions: plain SQL on attribute tables
    with connection:
        connection.execute("INSERT INTO organisations (name, type, departement) VALUES ('Asso', 'association', '93')")
    connection.close()
    subprocess.run(["ogrinfo", alice, "-q", "-sql", "UPDATE sites SET caravans = 7 WHERE name = 'La Gare'"],
                   check=True, capture_output=True)
    sync(alice, "alice")
    with local(shared) as connection:
        assert connection.execute("SELECT count(*) FROM organisations WHERE name = 'Asso'").fetchone()[0] == 1
        assert connection.execute("SELECT caravans FROM sites WHERE uuid = ?", (SITE_2,)).fetchone()[0] == 7


def test_the_shared_history_records_author_batch_and_both_clocks(shared, copies):
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET population_total = 45 WHERE uuid = ?", SITE_1)
    with local(alice) as connection:
        edited_at = connection.execute("SELECT updated_at FROM sites WHERE uuid = ?", (SITE_1,)).fetchone()[0]
    time.sleep(0.05)
    sync(alice, "alice")
    with local(shared) as connection:
        version, batch, offline, accepted, who = connection.execute(
            "SELECT row_version, batch_id, edited_at, accepted_at, changed_by FROM rs_versions WHERE uuid = ?",
            (SITE_1,)).fetchone()
        assert connection.execute("SELECT client_id, accepted FROM rs_batches WHERE batch_id = ?",
                                  (batch,)).fetchone()[1] == 1
        history = connection.execute("SELECT population_total, row_version, changed_by FROM sites_history "
                                     "WHERE uuid = ?", (SITE_1,)).fetchall()
    assert (version, who, offline) == (2, "alice", edited_at) and accepted > offline
    assert history == [(40, 1, "alice")]
    sync(bob)
    with local(bob) as connection:  # the history travels, for sums at past dates offline
        assert connection.execute("SELECT population_total FROM sites_history WHERE uuid = ?",
                                  (SITE_1,)).fetchall() == [(40,)]


def test_a_sync_with_nothing_to_do_writes_nothing_to_the_shared_store(shared, copies):
    alice = copies[0]
    sync(alice)
    before = Path(shared).stat().st_mtime_ns, Path(shared).read_bytes()
    summary = sync(alice)
    assert (summary.received, summary.sent, summary.conflicts) == (0, 0, 0)
    assert (Path(shared).stat().st_mtime_ns, Path(shared).read_bytes()) == before


def test_a_resent_batch_is_recognised_and_applied_once(shared, copies):
    alice = copies[0]
    edit(alice, "UPDATE sites SET population_total = 45 WHERE uuid = ?", SITE_1)
    with local(alice) as connection:
        add_site(connection, "Nouveau")
    with WorkingCopy(alice) as copy:
        copy._snapshot()
        batch, _, changes = copy._batch()
        first = copy_shared_push(shared, batch, changes)  # the shared store commits, the copy "crashes"
    summary = sync(alice)
    assert summary.sent == 2 and summary.conflicts == 0
    assert first.accepted
    with local(shared) as connection:
        assert connection.execute("SELECT count(*) FROM rs_batches").fetchone()[0] == 1
        assert connection.execute("SELECT count(*) FROM sites WHERE name = 'Nouveau'").fetchone()[0] == 1
        assert connection.execute("SELECT row_version FROM sites WHERE uuid = ?", (SITE_1,)).fetchone()[0] == 2
    assert_in_step(shared, alice)


def copy_shared_push(shared, batch, changes):
    from plugin.sync.shared_gpkg import SharedGeoPackage
    store = SharedGeoPackage(shared)
    try:
        return store.push(batch, "client", "alice", changes)
    finally:
        store.close()


def test_a_copy_of_another_schema_version_refuses_to_sync(shared, copies):
    edit(shared, "UPDATE rs_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError) as refused:
        sync(copies[0])
    assert "version 0" in str(refused.value)
    assert cli.main(["sync", copies[0]]) == cli.EXIT_ERROR
    assert pending(copies[0]) == (0, 0)


def test_a_sync_killed_at_random_moments_loses_and_duplicates_nothing(shared, copies, tmp_path):
    alice, bob = copies[:2]
    script = killable_sync_script(tmp_path)
    rng = random.Random(5)
    expected_names = set()
    for run in range(12):
        with local(alice) as connection:
            for k in range(20):
                expected_names.add(add_site(connection, "run %d-%d" % (run, k), lon=2.2 + rng.random() / 10))
            connection.execute("UPDATE sites SET caravans = ? WHERE uuid = ?", (run, SITE_1))
        edit(bob, "UPDATE sites SET huts = ? WHERE uuid = ?", run, SITE_2)
        for path in (alice, bob):
            process = subprocess.Popen([sys.executable, str(script), path], cwd=str(REPO),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
            with local(path) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with local(shared) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert connection.execute("SELECT count(*) - count(DISTINCT uuid) FROM sites").fetchone()[0] == 0
    for _ in range(2):
        for path in (alice, bob):
            assert sync(path).conflicts == 0
    with local(shared) as connection:
        uuids = {r[0] for r in connection.execute("SELECT uuid FROM sites")}
        assert connection.execute("SELECT caravans, huts FROM sites WHERE uuid = ?", (SITE_1,)).fetchone()[0] == 11
        assert connection.execute("SELECT huts FROM sites WHERE uuid = ?", (SITE_2,)).fetchone()[0] == 11
    assert expected_names <= uuids
    assert_in_step(shared, alice, bob)


def test_the_command_line_checks_out_syncs_and_reports(shared, tmp_path, capsys):
    path = str(tmp_path / "dave.gpkg")
    assert cli.main(["checkout", shared, path, "--departement", "93", "--departement", "75", "--user", "dave"]) == 0
    assert "3 sites" in capsys.readouterr().out
    edit(path, "UPDATE sites SET huts = 2 WHERE uuid = ?", SITE_1)
    assert cli.main(["sync", path]) == 0
    out = capsys.readouterr().out
    assert "0" in out and ("envoyés : 1" in out or "sent: 1" in out)
    assert value(shared, "huts", SITE_1) == 2 and value(shared, "updated_by", SITE_1) == "dave"
    assert cli.main(["checkout", shared, path, "--departement", "93"]) == cli.EXIT_ERROR  # never overwritten
