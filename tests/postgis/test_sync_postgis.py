"""Working copies against a shared PostGIS store started by the tests (conftest.py)."""
import contextlib
import hashlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from plugin import cli
from plugin.model.merge import EXISTENCE
from plugin.store import open_store
from plugin.sync import SchemaMismatch, WorkingCopy, checkout, synchronise
from sync_helpers import (add_site, content, killable_sync_script, local, new_uuid, pending, point,
                          polygon)

pytestmark = pytest.mark.postgis
REPO = Path(__file__).resolve().parents[2]
SITE_1 = "00000000-0000-4000-8000-000000000001"
SITE_2 = "00000000-0000-4000-8000-000000000002"


@contextlib.contextmanager
def server(uri, login="seed"):
    connection = psycopg2.connect(uri)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.user', %s, true)", (login,))
            yield cursor
    finally:
        connection.close()


def seed(uri):
    with server(uri) as cursor:
        for uuid, name, departement, insee, population, lon in (
                (SITE_1, "Les Prés", "93", "93066", 40, 2.36), (SITE_2, "La Gare", "93", "93066", 12, 2.4),
                (new_uuid(), "Paris", "75", "75056", 8, 2.35)):
            cursor.execute("INSERT INTO sites (uuid, name, departement, insee_code, population_total, geom) "
                           "VALUES (%s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, 48.9), 4326))",
                           (uuid, name, departement, insee, population, lon))


def shared_value(uri, column, uuid, table="sites"):
    with server(uri) as cursor:
        cursor.execute('SELECT "%s" FROM "%s" WHERE uuid = %%s' % (column, table), (uuid,))
        row = cursor.fetchone()
    return None if row is None else row[0]


@pytest.fixture
def copies(shared_uri, tmp_path):
    seed(shared_uri)
    paths = []
    for name in ("alice", "bob", "carol"):
        path = str(tmp_path / ("%s.gpkg" % name))
        checkout(shared_uri, path, ["93"], name)
        paths.append(path)
    return paths


def edit(path, sql, *parameters):
    with local(path) as connection:
        connection.execute(sql, parameters)


def value(path, column, uuid, table="sites"):
    with local(path) as connection:
        row = connection.execute('SELECT "%s" FROM "%s" WHERE uuid = ?' % (column, table), (uuid,)).fetchone()
    return None if row is None else row[0]


def assert_in_step(*paths):
    """Every copy holds the same rows, with nothing left to send."""
    with local(paths[0]) as connection:
        expected = content(connection)
    for path in paths:
        assert pending(path) == (0, 0), path
        with local(path) as connection:
            assert content(connection) == expected, path


def test_init_creates_a_shared_postgis_store_and_checkout_copies_the_departement(cluster, copies, capsys):
    cluster.sql("CREATE DATABASE made_by_cli")
    assert cli.main(["init", cluster.uri("made_by_cli")]) == 0
    assert open_store(cluster.uri("made_by_cli")).info().counts["indicator_definitions"] > 0
    assert cli.main(["init", cluster.uri("made_by_cli")]) == cli.EXIT_ERROR  # never re-initialised
    with local(copies[0]) as connection:
        assert sorted(r[0] for r in connection.execute("SELECT name FROM sites")) == ["La Gare", "Les Prés"]
        assert connection.execute("SELECT count(*) FROM indicator_definitions").fetchone()[0] > 0


def test_merge_cases_against_postgis(shared_uri, copies):
    alice, bob, carol = copies
    # different fields: silent merge
    edit(alice, "UPDATE sites SET population_total = 45 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET name = 'Les Prés Nord' WHERE uuid = ?", SITE_1)
    # the same change twice: no conflict
    edit(alice, "UPDATE sites SET caravans = 2 WHERE uuid = ?", SITE_2)
    edit(bob, "UPDATE sites SET caravans = 2 WHERE uuid = ?", SITE_2)
    # geometry moved on one side only
    edit(carol, "UPDATE sites SET geom = ? WHERE uuid = ?", point(2.37, 48.95), SITE_2)
    for path in (alice, bob, carol, alice, bob):
        assert synchronise(path).conflicts == 0
    assert shared_value(shared_uri, "population_total", SITE_1) == 45
    assert shared_value(shared_uri, "name", SITE_1) == "Les Prés Nord"
    assert shared_value(shared_uri, "caravans", SITE_2) == 2
    with server(shared_uri) as cursor:
        cursor.execute("SELECT ST_X(geom) FROM sites WHERE uuid = %s", (SITE_2,))
        assert cursor.fetchone()[0] == pytest.approx(2.37)
    assert_in_step(alice, bob, carol)

    # the same field to different values: a conflict, nobody overwritten
    edit(alice, "UPDATE sites SET population_total = 50 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 60 WHERE uuid = ?", SITE_1)
    synchronise(alice)
    assert synchronise(bob).conflicts == 1
    assert shared_value(shared_uri, "population_total", SITE_1) == 50
    with WorkingCopy(bob) as copy:
        assert copy.conflicts() == [{"uuid": SITE_1, "table": "sites", "field": "population_total",
                                     "base": 45, "mine": 60, "theirs": 50}]
        copy.resolve(SITE_1, "population_total", "mine", "bob")
    synchronise(bob)
    synchronise(alice)
    synchronise(carol)
    assert shared_value(shared_uri, "population_total", SITE_1) == 60
    assert_in_step(alice, bob, carol)


def test_update_against_delete_and_deletes_against_postgis(shared_uri, copies):
    alice, bob, carol = copies
    edit(alice, "DELETE FROM sites WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET population_total = 60 WHERE uuid = ?", SITE_1)
    edit(alice, "DELETE FROM sites WHERE uuid = ?", SITE_2)
    edit(carol, "DELETE FROM sites WHERE uuid = ?", SITE_2)  # deleted twice: no conflict
    synchronise(alice)
    assert synchronise(carol).conflicts == 0
    assert synchronise(bob).conflicts == 1
    with WorkingCopy(bob) as copy:
        assert [c["field"] for c in copy.conflicts()] == [EXISTENCE]
        copy.resolve(SITE_1, EXISTENCE, "theirs")
    assert value(bob, "uuid", SITE_1) is None
    for path in copies:
        synchronise(path)
    with server(shared_uri) as cursor:
        cursor.execute("SELECT count(*) FROM sites WHERE departement = '93'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT operation, changed_by FROM sites_history WHERE uuid = %s ORDER BY history_id",
                       (SITE_2,))
        assert cursor.fetchall() == [("delete", "alice")]
    assert_in_step(alice, bob, carol)


def test_related_tables_attachments_and_history_against_postgis(shared_uri, copies):
    alice, bob = copies[:2]
    action, blob = new_uuid(), b"\x89PNG photo du site"
    with local(alice) as connection:
        site = add_site(connection, "Terrain Est", lon=2.45, is_reinstallation=1, built_at="2024-05-01")
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) "
                           "VALUES (?, 'MOUS 93', '2025-01-01', 'Accompagner', '93')", (action,))
        connection.execute("INSERT INTO action_finances (uuid, action_uuid, year, finance_type, amount) "
                           "VALUES (?, ?, 2025, 'dedie', 12000.5)", (new_uuid(), action))
        connection.execute("INSERT INTO attachments (uuid, owner_table, owner_uuid, filename, sha256, size_bytes, "
                           "content) VALUES (?, 'sites', ?, 'photo.png', ?, ?, ?)",
                           (new_uuid(), site, hashlib.sha256(blob).hexdigest(), len(blob), blob))
        connection.execute("INSERT INTO insertion_sites (uuid, name, departement, geom) VALUES (?, 'ETI', '93', ?)",
                           (new_uuid(), polygon(2.4, 48.9)))
    edit(alice, "UPDATE sites SET population_total = 41 WHERE uuid = ?", SITE_1)
    assert synchronise(alice, "alice").sent == 6
    synchronise(bob)
    with local(bob) as connection:
        assert connection.execute("SELECT content FROM attachments").fetchone()[0] == blob
        assert connection.execute("SELECT amount FROM action_finances").fetchone()[0] == 12000.5
        assert connection.execute("SELECT is_reinstallation, built_at FROM sites WHERE uuid = ?",
                                  (site,)).fetchone() == (1, "2024-05-01")
        assert connection.execute("SELECT population_total FROM sites_history WHERE uuid = ?",
                                  (SITE_1,)).fetchall() == [(40,)]
    with server(shared_uri) as cursor:
        cursor.execute("SELECT v.changed_by, v.batch_id IS NOT NULL, v.edited_at < v.accepted_at, b.login "
                       "FROM rs_versions v JOIN rs_batches b USING (batch_id) WHERE uuid = %s AND row_version = 2",
                       (SITE_1,))
        assert cursor.fetchone() == ("alice", True, True, "alice")
        cursor.execute("SELECT table_name FROM rs_versions WHERE batch_id IS NOT NULL ORDER BY id LIMIT 1")
        assert cursor.fetchone()[0] == "attachments"
    assert_in_step(alice, bob)


def test_edits_made_directly_on_the_server_reach_the_copies(shared_uri, copies):
    alice = copies[0]
    with server(shared_uri, "dba") as cursor:
        cursor.execute("UPDATE sites SET huts = 4 WHERE uuid = %s", (SITE_1,))
        cursor.execute("INSERT INTO sites (name, departement, insee_code) VALUES ('Saisi en base', '93', '93066')")
    assert synchronise(alice).received == 2
    assert value(alice, "huts", SITE_1) == 4


def test_the_server_stopped_in_the_middle_of_a_push(cluster, shared_uri, copies):
    alice, bob = copies[:2]
    with local(alice) as connection:
        for k in range(50):
            add_site(connection, "nouveau %d" % k)
        connection.execute("UPDATE sites SET huts = 9")
    blocker = psycopg2.connect(shared_uri)  # holds one row so that the push stops half-way
    with blocker.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sites WHERE uuid = %s FOR UPDATE", (SITE_2,))
    process = subprocess.Popen([sys.executable, "-m", "plugin", "sync", alice], cwd=str(REPO),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while time.time() < deadline and not cluster.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")[0][0]:
        time.sleep(0.05)
    cluster.stop("fast")
    out, err = process.communicate(timeout=30)
    cluster.start()
    assert process.returncode == cli.EXIT_ERROR
    assert "connexion" in err.lower() or "connection" in err.lower()
    with server(shared_uri) as cursor:
        cursor.execute("SELECT count(*) FROM sites WHERE name LIKE 'nouveau%'")
        assert cursor.fetchone()[0] == 0  # nothing half-written
    assert synchronise(alice).conflicts == 0
    synchronise(bob)
    with server(shared_uri) as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT uuid) FROM sites WHERE name LIKE 'nouveau%'")
        assert cursor.fetchone() == (50, 50)
        cursor.execute("SELECT count(*) FROM rs_batches")
        assert cursor.fetchone()[0] == 1
    assert value(bob, "huts", SITE_2) == 9
    assert_in_step(alice, bob)


WORKER = """
import json, random, sys
sys.path.insert(0, %(repo)r)
sys.path.insert(0, %(helpers)r)
from plugin.store import gpkg
from plugin.sync import WorkingCopy
from sync_helpers import add_site
path, index, rounds, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
owned = ("caravans", "huts", "tents")[index]
rng = random.Random(index)
with open(log, "w") as out:
    for k in range(rounds):
        connection = gpkg.connect(path)
        seen = connection.execute("SELECT population_total FROM sites WHERE uuid = %(site)r").fetchone()[0]
        written = 1000 * (index + 1) + k
        connection.execute("UPDATE sites SET population_total = ?, %%s = ? WHERE uuid = %(site)r" %% owned,
                           (written, k))
        added = add_site(connection, "copie %%d tour %%d" %% (index, k))
        connection.close()
        with WorkingCopy(path) as copy:
            copy.synchronise("copy%%d" %% index)
            conflicts = copy.conflicts()
            for conflict in conflicts:
                copy.resolve(conflict["uuid"], conflict["field"], "mine")
            copy.synchronise("copy%%d" %% index)
        out.write(json.dumps({"seen": seen, "written": written, "added": added, "conflicts": conflicts}) + "\\n")
"""


def test_parallel_copies_syncing_in_a_loop_equal_a_serial_replay(shared_uri, copies, tmp_path):
    rounds = 6
    script = tmp_path / "worker.py"
    script.write_text(WORKER % {"repo": str(REPO), "helpers": str(REPO / "tests" / "unit"), "site": SITE_1})
    logs = [tmp_path / ("log%d.jsonl" % i) for i in range(3)]
    workers = [subprocess.Popen([sys.executable, str(script), path, str(i), str(rounds), str(logs[i])],
                                cwd=str(REPO), stderr=subprocess.PIPE, text=True)
               for i, path in enumerate(copies)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read()
    entries = [[json.loads(line) for line in log.read_text().splitlines()] for log in logs]
    late_conflicts = []  # a worker's last sync may meet a newer concurrent change: settle it the same way
    for _ in range(3):
        for path in copies:
            with WorkingCopy(path) as copy:
                copy.synchronise()
                for conflict in copy.conflicts():
                    late_conflicts.append(conflict)
                    copy.resolve(conflict["uuid"], conflict["field"], "mine")
    for path in copies:
        assert synchronise(path).conflicts == 0
    # serial replay: each owner's last value, every added site exactly once
    for index, owned in enumerate(("caravans", "huts", "tents")):
        assert shared_value(shared_uri, owned, SITE_1) == rounds - 1
    with server(shared_uri) as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT uuid) FROM sites WHERE name LIKE 'copie%'")
        assert cursor.fetchone() == (3 * rounds, 3 * rounds)
        cursor.execute("SELECT h.population_total, h.row_version FROM sites_history h WHERE uuid = %s "
                       "UNION ALL SELECT population_total, row_version FROM sites WHERE uuid = %s ORDER BY 2",
                       (SITE_1, SITE_1))
        versions = cursor.fetchall()
    # every change of population_total replaced a value its author had seen, or was reported as a conflict
    known = {}
    for index, log in enumerate(entries):
        for entry in log:
            known.setdefault(entry["written"], set()).add(entry["seen"])
            for conflict in entry["conflicts"]:
                if conflict["field"] == "population_total":
                    known[entry["written"]].add(conflict["theirs"])
    for conflict in late_conflicts:
        known.setdefault(conflict["mine"], set()).add(conflict["theirs"])
    reported = late_conflicts + [c for log in entries for entry in log for c in entry["conflicts"]]
    assert reported and {c["field"] for c in reported} == {"population_total"}
    values = [v for v, _ in versions]
    for before, after in zip(values, values[1:]):
        if after != before and after in known:
            assert before in known[after], (before, after)
    assert_in_step(*copies)


def test_a_copy_of_another_schema_version_refuses_to_sync(cluster, shared_uri, copies):
    edit(copies[0], "UPDATE sites SET huts = 1 WHERE uuid = ?", SITE_1)
    with server(shared_uri) as cursor:
        cursor.execute("UPDATE rs_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(SchemaMismatch) as refused:
        synchronise(copies[0])
    assert "version" in str(refused.value)
    assert shared_value(shared_uri, "huts", SITE_1) is None
    assert pending(copies[0]) == (1, 0)


def test_a_sync_killed_at_random_moments_against_postgis(shared_uri, copies, tmp_path):
    alice, bob = copies[:2]
    script = killable_sync_script(tmp_path)
    rng = random.Random(7)
    added = set()
    for run in range(6):
        with local(alice) as connection:
            for k in range(30):
                added.add(add_site(connection, "run %d-%d" % (run, k)))
            connection.execute("UPDATE sites SET caravans = ? WHERE uuid = ?", (run, SITE_1))
        for path in (alice, bob):
            process = subprocess.Popen([sys.executable, str(script), path], cwd=str(REPO),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 0.9))
            process.kill()
            process.wait()
        with server(shared_uri) as cursor:
            cursor.execute("SELECT count(*) - count(DISTINCT uuid) FROM sites")
            assert cursor.fetchone()[0] == 0
    for path in (alice, bob, alice):
        assert synchronise(path).conflicts == 0
    with server(shared_uri) as cursor:
        cursor.execute("SELECT uuid FROM sites")
        assert added <= {r[0] for r in cursor.fetchall()}
    assert shared_value(shared_uri, "caravans", SITE_1) == 5
    assert_in_step(alice, bob)
