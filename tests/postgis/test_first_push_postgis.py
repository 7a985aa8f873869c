"""A first push of many new rows to PostGIS (the bulk path: COPY streamed from the working copy):
content exact, history and audit complete, crash-safe (SYNC.md §5)."""
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from plugin.store import postgis
from plugin.sync import WorkingCopy, checkout, synchronise
from sync_helpers import content, killable_sync_script, local, new_uuid, pending, point

pytestmark = pytest.mark.postgis
REPO = Path(__file__).resolve().parents[2]
MANY = 3 * postgis.BULK_INSERTS  # enough to take the bulk path


def add_many(path, count, prefix="nouveau"):
    """`count` new sites, written in one transaction; their uuids."""
    uuids = [new_uuid() for _ in range(count)]
    with local(path) as connection:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO sites (uuid, name, departement, insee_code, population_total, is_reinstallation, "
            "declared_at, comments, geom) VALUES (?, ?, '93', '93066', ?, ?, '2024-03-01', ?, ?)",
            [(uuid, "%s %d" % (prefix, k), 1 + k % 90, k % 2, ("", 'dit "le Pont", ligne\n2', "\\N", None)[k % 4],
              point(2.3 + k / 100000, 48.9)) for k, uuid in enumerate(uuids)])
        connection.execute("COMMIT")
    return uuids


def server_rows(uri, sql, *parameters):
    connection = psycopg2.connect(uri)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture
def copy(shared_uri, tmp_path):
    path = str(tmp_path / "alice.gpkg")
    checkout(shared_uri, path, ["93"], "alice")
    return path


def test_a_first_push_sends_every_row_exactly_with_its_audit(shared_uri, copy, tmp_path):
    uuids = add_many(copy, MANY)
    with local(copy) as connection:
        connection.execute("UPDATE sites SET updated_by = '(externe)' WHERE uuid = ?", (uuids[0],))
    assert synchronise(copy, "alice").sent == MANY
    assert pending(copy) == (0, 0)
    # what another copy receives is what this one holds: texts ('' and '\N' included), NULL, dates, booleans,
    # geometry
    other = str(tmp_path / "bob.gpkg")
    checkout(shared_uri, other, ["93"], "bob")
    with local(copy) as mine, local(other) as theirs:
        assert content(theirs) == content(mine)
        assert len(content(theirs)) == MANY
    assert server_rows(shared_uri, "SELECT count(*) FROM sites WHERE comments = '' OR comments = '\\N'") == [
        (MANY // 2,)]
    assert server_rows(shared_uri, "SELECT count(*) FROM sites WHERE comments IS NULL") == [(MANY // 4,)]
    # every row numbered once and audited: batch, author, offline time (created locally) < accepted time
    assert server_rows(shared_uri, "SELECT count(*), count(DISTINCT uuid) FROM rs_changes WHERE table_name = 'sites'") == [
        (MANY, MANY)]
    assert server_rows(
        shared_uri, "SELECT count(*), count(DISTINCT v.uuid), min(v.changed_by), max(v.changed_by), "
        "bool_and(v.edited_at < v.accepted_at), bool_and(v.accepted_at = s.updated_at) "
        "FROM rs_versions v JOIN rs_batches b USING (batch_id) JOIN sites s USING (uuid) "
        "WHERE v.operation = 'insert' AND v.row_version = 1 AND b.login = 'alice'") == [
            (MANY, MANY, "alice", "alice", True, True)]
    assert server_rows(shared_uri, "SELECT updated_by FROM sites WHERE uuid = %s", uuids[0]) == [("alice",)]
    assert server_rows(shared_uri, "SELECT received, accepted, conflicts FROM rs_batches") == [(MANY, MANY, 0)]


def test_a_row_edited_while_its_first_push_is_pending_is_sent_as_saved_then_with_the_edit(shared_uri, copy):
    uuids = add_many(copy, MANY)
    with WorkingCopy(copy) as working:
        working._snapshot()  # the batch is saved, then the sync "crashes" before sending it
    with local(copy) as connection:
        connection.execute("UPDATE sites SET name = 'renommé' WHERE uuid = ?", (uuids[7],))
        connection.execute("DELETE FROM sites WHERE uuid = ?", (uuids[8],))
        # the batch keeps both rows as it saved them, and only those
        assert connection.execute("SELECT name FROM rs_outbox_sites ORDER BY name").fetchall() == [
            ("nouveau 7",), ("nouveau 8",)]
    assert synchronise(copy, "alice").conflicts == 0
    assert pending(copy) == (0, 0)
    assert server_rows(shared_uri, "SELECT count(*) FROM sites") == [(MANY - 1,)]
    assert server_rows(shared_uri, "SELECT name, row_version FROM sites WHERE uuid = %s", uuids[7]) == [
        ("renommé", 2)]
    # the shared history tells the whole story: sent as saved, then renamed; created, then deleted
    assert server_rows(shared_uri, "SELECT name, operation FROM sites_history WHERE uuid IN (%s, %s) "
                       "ORDER BY history_id", uuids[7], uuids[8]) == [("nouveau 7", "update"),
                                                                      ("nouveau 8", "delete")]
    assert server_rows(shared_uri, "SELECT uuid = %s AS renamed, operation, row_version FROM rs_versions "
                       "WHERE uuid IN (%s, %s) ORDER BY row_version, operation, renamed DESC",
                       uuids[7], uuids[7], uuids[8]) == [
        (True, "insert", 1), (False, "insert", 1), (False, "delete", 2), (True, "update", 2)]


def outbox_size(path) -> int:
    with local(path) as connection:
        return connection.execute("SELECT count(*) FROM rs_outbox").fetchone()[0]


def test_a_first_push_killed_at_random_moments_then_resumed_gives_every_row_once(shared_uri, copy, tmp_path):
    script = killable_sync_script(tmp_path)
    rng = random.Random(11)
    uuids = set()
    interrupted, window = 0, None
    for attempt in range(7):
        uuids |= set(add_many(copy, MANY, "tour %d" % attempt))
        process = subprocess.Popen([sys.executable, str(script), copy], cwd=str(REPO),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while process.poll() is None and not outbox_size(copy) and time.time() < deadline:
            time.sleep(0.002)  # until the batch is saved: the push is under way
        saved = time.perf_counter()
        if window is None:  # the first push runs to its end: how long a push takes from its saved batch
            assert process.wait() == 0
            window = time.perf_counter() - saved
            continue
        time.sleep(rng.uniform(0.0, window))
        process.kill()
        process.wait()
        count, distinct = server_rows(shared_uri, "SELECT count(*), count(DISTINCT uuid) FROM sites")[0]
        assert count == distinct and count % MANY == 0  # each batch all or nothing, never twice
        interrupted += bool(outbox_size(copy))
    assert interrupted  # some kills landed between a saved batch and its settling
    assert synchronise(copy, "alice").conflicts == 0
    assert pending(copy) == (0, 0)
    assert {r[0] for r in server_rows(shared_uri, "SELECT uuid FROM sites")} == uuids
    assert server_rows(shared_uri, "SELECT count(*), count(DISTINCT uuid) FROM rs_versions "
                       "WHERE table_name = 'sites'") == [(len(uuids), len(uuids))]
    assert server_rows(shared_uri, "SELECT count(*) FROM rs_versions v LEFT JOIN rs_batches b USING (batch_id) "
                       "WHERE v.table_name = 'sites' AND b.batch_id IS NULL") == [(0,)]


def test_a_first_push_committed_by_the_server_but_not_settled_here_is_recognised_when_resent(shared_uri, copy):
    uuids = set(add_many(copy, MANY))
    with WorkingCopy(copy) as working:
        working._snapshot()
        batch_id, _, changes = working._batch()
        shared = postgis.SharedPostGIS(shared_uri)
        try:
            assert len(shared.push(batch_id, "client", "alice", changes).accepted) == MANY
        finally:
            shared.close()  # … and the copy "crashes" before applying the answer
    assert pending(copy) == (MANY, 0)
    assert synchronise(copy, "alice").conflicts == 0
    assert pending(copy) == (0, 0)
    assert {r[0] for r in server_rows(shared_uri, "SELECT uuid FROM sites")} == uuids
    assert server_rows(shared_uri, "SELECT count(*) FROM rs_batches") == [(1,)]
    assert server_rows(shared_uri, "SELECT count(*) FROM rs_versions WHERE table_name = 'sites'") == [(MANY,)]


def test_a_bulk_push_with_a_row_the_server_refuses_sends_the_others_and_reports_it(shared_uri, copy):
    uuids = add_many(copy, MANY)
    connection = psycopg2.connect(shared_uri)  # a rule the shared store has and the copy has not
    with connection, connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sites ADD CONSTRAINT \"sites_test_rule\" CHECK (name <> 'nouveau 5')")
    connection.close()
    summary = synchronise(copy, "alice")
    assert summary.sent == MANY - 1 and summary.conflicts == 1
    with WorkingCopy(copy) as working:
        assert [(c["uuid"], c["field"]) for c in working.conflicts()] == [(uuids[5], "(refus)")]
        assert "sites_test_rule" in working.conflicts()[0]["theirs"]
    assert server_rows(shared_uri, "SELECT count(*), count(DISTINCT uuid) FROM sites") == [(MANY - 1, MANY - 1)]
    assert server_rows(shared_uri, "SELECT received, accepted, conflicts FROM rs_batches") == [(MANY, MANY - 1, 1)]
    assert server_rows(shared_uri, "SELECT count(*) FROM rs_versions WHERE table_name = 'sites'") == [(MANY - 1,)]


def test_amounts_pushed_in_bulk_come_back_to_the_last_bit(shared_uri, copy, tmp_path):
    # SQLite writes the COPY lines; an amount it cannot print exactly sends the batch row by row
    action = new_uuid()
    amounts = [0.1, 1 / 3, 12000.5, 48.812345678901238, 2.2 + 1e-15, 7e-300, 0.0, None] * (MANY // 8) + [3.5e17]
    with local(copy) as connection:
        connection.execute("BEGIN")
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) "
                           "VALUES (?, 'MOUS 93', '2025-01-01', 'Accompagner', '93')", (action,))
        connection.executemany("INSERT INTO action_finances (uuid, action_uuid, year, finance_type, amount, "
                               "real_amount) VALUES (?, ?, 2025, 'dedie', ?, ?)",
                               [(new_uuid(), action, amount, k) for k, amount in enumerate(amounts)])
        connection.execute("COMMIT")
    assert synchronise(copy, "alice").sent == len(amounts) + 1
    other = str(tmp_path / "bob.gpkg")
    checkout(shared_uri, other, ["93"], "bob")
    with local(other) as connection:
        received = connection.execute("SELECT amount, real_amount FROM action_finances ORDER BY real_amount").fetchall()
    assert received == [(amount, float(k)) for k, amount in enumerate(amounts)]
    assert server_rows(shared_uri, "SELECT count(*) FROM action_finances WHERE amount = 0.1") == [(MANY // 8,)]
