"""Five real logins, each connected as itself, against a shared store whose rights PostgreSQL enforces
(issue 15): what each reads and writes through psql (psycopg2), the sync and the command line."""
import json
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from access_helpers import (ACTION, OTHER_ACTION, OWNER, SITE_13, SITE_75, SITE_93, SITE_93B, as_login,
                            create_logins, grant_all, indicator, rows, seed, session)
from plugin import cli
from plugin.store.base import StoreError
from plugin.sync import checkout, synchronise
from sync_helpers import add_site, local

pytestmark = pytest.mark.postgis
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(cluster, shared_uri):
    create_logins(cluster)
    seed(shared_uri)
    grant_all(shared_uri)
    return shared_uri


def visible_sites(uri, login, table="sites"):
    return {r[0] for r in rows(uri, login, 'SELECT DISTINCT uuid FROM "%s"' % table)}


def test_each_login_reads_exactly_its_territories_now_and_in_the_history(store):
    everything = {SITE_93, SITE_93B, SITE_75, SITE_13}
    expected = {"ed93": {SITE_93, SITE_93B}, "ed93j": {SITE_93, SITE_93B}, "op93": {SITE_93, SITE_93B},
                "idf": {SITE_93, SITE_93B, SITE_75}, "adm": everything}
    for login, sites in expected.items():
        assert visible_sites(store, login) == sites, login
        assert visible_sites(store, login, "sites_history") == sites, login
        logged = {r[0] for r in rows(store, login, "SELECT uuid FROM rs_versions WHERE table_name = 'sites'")}
        assert logged == sites, login
        assert {r[0] for r in rows(store, login, "SELECT uuid FROM rs_changes WHERE table_name = 'sites'")} == sites
    # the dispositifs are in 93: the reader of Île-de-France sees them, as the editors of 93
    assert {r[0] for r in rows(store, "idf", "SELECT uuid FROM actions")} == {ACTION, OTHER_ACTION}
    assert rows(store, "idf", "SELECT count(*) FROM action_organisations") == [(2,)]


def test_justice_fields_and_owner_are_unreadable_without_the_justice_permission(store):
    for login in ("ed93", "idf", "op93"):
        for sql in ("SELECT owner FROM sites", "SELECT police_status FROM sites", "SELECT * FROM sites",
                    "SELECT owner FROM sites_history"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                rows(store, login, sql)
        # the restricted view lists every other column, and only the rows of the login's territories
        names = rows(store, login, "SELECT name FROM sites_restricted ORDER BY name")
        assert ("Les Prés",) in names and ("Saint-Henri",) not in names
        columns = {r[0] for r in rows(store, login, "SELECT column_name FROM information_schema.columns "
                                                    "WHERE table_name = 'sites_restricted'")}
        assert "population_total" in columns and not columns & {"owner", "police_status", "justice_procedure"}
    for login in ("ed93j", "adm"):
        assert rows(store, login, "SELECT DISTINCT owner, police_status FROM sites_history") == [(OWNER, "requested")]


def test_an_editor_writes_its_territory_only_and_a_reader_writes_nothing(store):
    with session(store, "ed93") as cursor:
        cursor.execute("UPDATE sites SET population_total = 30 WHERE uuid IN (%s, %s)", (SITE_93, SITE_75))
        assert cursor.rowcount == 1  # the 75 site is not even seen
    for statement in ("UPDATE sites SET departement = '75', insee_code = '75118' WHERE uuid = '%s'" % SITE_93,
                      "INSERT INTO sites (name, departement, insee_code, geom) VALUES ('Nouveau', '75', '75118', "
                      "ST_SetSRID(ST_MakePoint(2.3, 48.9), 4326))",
                      "INSERT INTO actions (name, started_at, goals, departement) VALUES "
                      "('X', '2026-01-01', 'Y', '13')"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            with session(store, "ed93") as cursor:
                cursor.execute(statement)
    with session(store, "idf") as cursor:
        cursor.execute("UPDATE sites_restricted SET population_total = 1")
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM actions")
        assert cursor.rowcount == 0
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with session(store, "idf") as cursor:
            cursor.execute("INSERT INTO sites_restricted (name, departement, insee_code) VALUES ('X', '93', '93066')")
    assert rows(store, None, "SELECT uuid, population_total FROM sites WHERE uuid IN (%s, %s) ORDER BY uuid",
                SITE_75, SITE_93) == [(SITE_75, 25), (SITE_93, 30)]


def test_an_operator_writes_only_the_indicators_of_its_organisations_dispositifs(store):
    people = indicator(store)
    with session(store, "op93") as cursor:
        cursor.execute("INSERT INTO indicator_values (action_uuid, indicator_uuid, period, value) VALUES "
                       "(%s, %s, '2026-03', 12)", (ACTION, people))
        cursor.execute("UPDATE sites_restricted SET population_total = 99")
        assert cursor.rowcount == 0
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
        with session(store, "op93") as cursor:
            cursor.execute("INSERT INTO indicator_values (action_uuid, indicator_uuid, period, value) VALUES "
                           "(%s, %s, '2026-03', 7)", (OTHER_ACTION, people))
    assert rows(store, None, "SELECT action_uuid, value, created_by FROM indicator_values") == [(ACTION, 12, "op93")]


def test_the_history_cannot_be_erased_even_by_a_login_given_delete(store, cluster):
    for login in ("ed93j", "adm"):
        for statement in ("DELETE FROM sites_history", "UPDATE sites_history SET owner = 'x'",
                          "DELETE FROM rs_versions", "DELETE FROM rs_batches", "TRUNCATE sites_history"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                with session(store, login) as cursor:
                    cursor.execute(statement)
    # a DBA's mistaken grant: no policy lets a row be deleted; and for a login above the policies, the trigger
    database = store.rsplit("/", 1)[1]
    if not cluster.sql("SELECT 1 FROM pg_roles WHERE rolname = 'dba_helper'"):
        cluster.sql("CREATE ROLE dba_helper LOGIN BYPASSRLS")
    cluster.sql("GRANT DELETE, UPDATE ON sites_history, rs_versions TO adm, dba_helper", database)
    with session(store, "adm") as cursor:
        cursor.execute("DELETE FROM sites_history")
        assert cursor.rowcount == 0
    for statement in ("DELETE FROM sites_history", "UPDATE rs_versions SET changed_by = 'x'"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="append-only"):
            with session(store, "dba_helper") as cursor:
                cursor.execute(statement)
    assert rows(store, None, "SELECT count(*) FROM sites_history") == [(4,)]


def test_a_forged_app_user_does_not_change_the_author(store):
    with session(store, "ed93", app_user="adm") as cursor:
        cursor.execute("UPDATE sites SET population_total = 31, updated_by = 'adm' WHERE uuid = %s", (SITE_93,))
        cursor.execute("INSERT INTO sites (name, departement, insee_code, created_by, updated_by, geom) VALUES "
                       "('Neuf', '93', '93066', 'adm', 'adm', ST_SetSRID(ST_MakePoint(2.3, 48.9), 4326))")
    assert rows(store, None, "SELECT updated_by FROM sites WHERE uuid = %s", SITE_93) == [("ed93",)]
    assert rows(store, None, "SELECT created_by, updated_by FROM sites WHERE name = 'Neuf'") == [("ed93", "ed93")]
    assert rows(store, None, "SELECT changed_by FROM sites_history WHERE uuid = %s ORDER BY history_id DESC "
                             "LIMIT 1", SITE_93) == [("ed93",)]
    assert rows(store, None, "SELECT DISTINCT changed_by FROM rs_versions WHERE accepted_at = ("
                             "SELECT max(accepted_at) FROM rs_versions)") == [("ed93",)]


def test_a_checkout_outside_the_login_territories_is_refused(store, tmp_path):
    with pytest.raises(StoreError, match="75"):
        checkout(as_login(store, "ed93"), str(tmp_path / "copie.gpkg"), ["93", "75"], "ed93")
    assert not (tmp_path / "copie.gpkg").exists()
    completed = subprocess.run([sys.executable, "-m", "plugin", "checkout", as_login(store, "idf"),
                                str(tmp_path / "idf.gpkg"), "--departement", "13"], cwd=str(REPO),
                               capture_output=True, text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin"})
    assert completed.returncode == cli.EXIT_ERROR
    assert "13" in completed.stderr and "idf" in completed.stderr


def test_a_working_copy_holds_no_justice_field_nor_owner_unless_allowed(store, tmp_path):
    plain = checkout(as_login(store, "ed93"), str(tmp_path / "ed93.gpkg"), ["93"], "ed93")
    allowed = checkout(as_login(store, "ed93j"), str(tmp_path / "ed93j.gpkg"), ["93"], "ed93j")
    for path, expected in ((plain, {(None, None)}), (allowed, {(OWNER, "requested")})):
        with local(path) as connection:
            for table in ("sites", "sites_history"):
                assert set(connection.execute("SELECT owner, police_status FROM %s" % table)) == expected
            assert connection.execute("SELECT count(*) FROM sites").fetchone()[0] == 2
    # the editor without the permission edits and syncs: the owner and the procedure stay on the server
    with local(plain) as connection:
        connection.execute("UPDATE sites SET population_total = 50 WHERE uuid = ?", (SITE_93,))
        connection.commit()
    synchronise(plain, "ed93")
    assert rows(store, None, "SELECT population_total, owner, police_status, updated_by FROM sites WHERE uuid = %s",
                SITE_93) == [(50, OWNER, "requested", "ed93")]


def test_a_push_touching_another_departement_is_refused_as_a_whole(store, tmp_path):
    copy = checkout(as_login(store, "ed93"), str(tmp_path / "ed93.gpkg"), ["93"], "ed93")
    with local(copy) as connection:
        connection.execute("UPDATE sites SET population_total = 60 WHERE uuid = ?", (SITE_93B,))
        add_site(connection, "Campement du canal", departement="75", insee="75119")
        connection.commit()
    completed = subprocess.run([sys.executable, "-m", "plugin", "sync", copy], cwd=str(REPO), capture_output=True,
                               text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin"})
    assert completed.returncode == cli.EXIT_ERROR
    assert "Campement du canal" in completed.stderr and "75" in completed.stderr and "rien" in completed.stderr
    # nothing half applied: the 93 change waits with the refused row
    assert rows(store, None, "SELECT population_total FROM sites WHERE uuid = %s", SITE_93B) == [(25,)]
    assert rows(store, None, "SELECT count(*) FROM sites WHERE name = 'Campement du canal'") == [(0,)]
    # a 93 site moved to 75, and a forged change of a 75 site the copy never held
    other = checkout(as_login(store, "ed93"), str(tmp_path / "autre.gpkg"), ["93"], "ed93")
    with local(other) as connection:
        connection.execute("UPDATE sites SET departement = '75', insee_code = '75118' WHERE uuid = ?", (SITE_93,))
        connection.commit()
    with pytest.raises(StoreError, match=SITE_93):
        synchronise(other, "ed93")
    assert rows(store, None, "SELECT departement FROM sites WHERE uuid = %s", SITE_93) == [("93",)]


def test_a_forged_dirty_row_cannot_overwrite_a_site_of_another_departement(store, tmp_path):
    copy = checkout(as_login(store, "ed93"), str(tmp_path / "ed93.gpkg"), ["93"], "ed93")
    with local(copy) as connection:  # the 75 site written into the file, and a dirty row forged for it
        connection.execute("UPDATE rs_sync_state SET applying = 1")
        add_site(connection, "Écrasé", uuid=SITE_75, row_version=2)
        connection.execute("INSERT INTO rs_dirty VALUES (?, 'sites', 'update', 1, '2026-01-01', '2026-01-01', "
                           "'ed93')", (SITE_75,))
        connection.execute("UPDATE rs_sync_state SET applying = 0")
        connection.commit()
    with pytest.raises(StoreError, match=SITE_75):
        synchronise(copy, "ed93")
    assert rows(store, None, "SELECT name FROM sites WHERE uuid = %s", SITE_75) == [("Porte de la Chapelle",)]


def test_access_command_line_grants_lists_and_revokes(store, cluster):
    listed = subprocess.run([sys.executable, "-m", "plugin", "access", as_login(store, "adm"), "list", "--json"],
                            cwd=str(REPO), capture_output=True, text=True, check=True)
    grants = {g["login"]: g for g in json.loads(listed.stdout)}
    assert set(grants) == {"ed93", "ed93j", "idf", "op93", "adm"}
    assert grants["idf"]["departements"] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert grants["ed93j"]["justice"] and not grants["ed93"]["justice"]
    # a login only lists itself, and cannot grant
    assert [g["login"] for g in json.loads(subprocess.run(
        [sys.executable, "-m", "plugin", "access", as_login(store, "ed93"), "list", "--json"], cwd=str(REPO),
        capture_output=True, text=True, check=True).stdout)] == ["ed93"]
    assert cli.main(["access", as_login(store, "ed93"), "grant", "ed93", "--role", "admin", "--national"]) \
        == cli.EXIT_ERROR
    # the admin moves ed93 to 13, then revokes it
    assert cli.main(["access", as_login(store, "adm"), "grant", "ed93", "--role", "editor",
                     "--departement", "13"]) == 0
    assert visible_sites(store, "ed93") == {SITE_13}
    assert cli.main(["access", as_login(store, "adm"), "revoke", "ed93"]) == 0
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        rows(store, "ed93", "SELECT count(*) FROM sites_restricted")


def test_create_login_asks_the_password_and_never_takes_it_from_the_command_line(store, cluster):
    name = "nouvel_agent_%d" % next(cluster.names)
    completed = subprocess.run(
        [sys.executable, "-m", "plugin", "access", store, "grant", name, "--role", "reader", "--departement", "93",
         "--create-login"], cwd=str(REPO), capture_output=True, text=True, input="Secret-1234\nSecret-1234\n")
    assert completed.returncode == 0, completed.stderr
    assert "Secret-1234" not in completed.stdout + completed.stderr
    assert cluster.sql("SELECT rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = '%s'" % name) \
        == [(True, True)]
    assert {r[0] for r in rows(store, name, "SELECT uuid FROM sites_restricted")} == {SITE_93, SITE_93B}


def test_history_shows_the_owner_only_when_asked_and_allowed(store, capsys):
    with session(store, None, app_user="seed") as cursor:
        cursor.execute("UPDATE sites SET owner = 'SCI Nouvelle', police_status = 'granted' WHERE uuid = %s",
                       (SITE_93,))
    for login, flag, shown in (("ed93j", [], False), ("ed93j", ["--include-justice"], True),
                               ("ed93", ["--include-justice"], False), ("adm", ["--include-justice"], True)):
        assert cli.main(["history", as_login(store, login), SITE_93, "--json"] + flag) == 0
        versions = json.loads(capsys.readouterr().out)
        changed = {field for version in versions for field in version["changes"]}
        assert ("owner" in changed and "police_status" in changed) == shown, (login, flag)
        assert "population_total" in changed


def test_a_restricted_field_typed_in_a_copy_without_the_permission_is_refused_not_dropped(store, tmp_path):
    copy = checkout(as_login(store, "ed93"), str(tmp_path / "ed93.gpkg"), ["93"], "ed93")
    with local(copy) as connection:
        connection.execute("UPDATE sites SET police_status = 'granted' WHERE uuid = ?", (SITE_93,))
        connection.commit()
    with pytest.raises(StoreError, match="police_status"):
        synchronise(copy, "ed93")
    assert rows(store, None, "SELECT police_status FROM sites WHERE uuid = %s", SITE_93) == [("requested",)]


def test_a_conflict_settled_by_an_editor_is_recorded_under_its_login(store, tmp_path):
    from plugin.sync import MINE, WorkingCopy
    first = checkout(as_login(store, "ed93"), str(tmp_path / "un.gpkg"), ["93"], "ed93")
    second = checkout(as_login(store, "ed93j"), str(tmp_path / "deux.gpkg"), ["93"], "ed93j")
    for path, value in ((first, 41), (second, 42)):
        with local(path) as connection:
            connection.execute("UPDATE sites SET population_total = ? WHERE uuid = ?", (value, SITE_93))
    synchronise(first, "ed93")
    assert synchronise(second, "ed93j").conflicts == 1
    with WorkingCopy(second) as copy:
        copy.resolve(SITE_93, "population_total", MINE, "un autre nom")
        assert copy.synchronise("ed93j").conflicts == 0
    assert rows(store, None, "SELECT population_total, updated_by FROM sites WHERE uuid = %s", SITE_93) == [
        (42, "ed93j")]
    assert rows(store, None, "SELECT field, choice, resolved_by FROM rs_conflict_resolutions") == [
        ("population_total", MINE, "ed93j")]


def test_a_store_made_before_the_access_rights_gets_them_by_upgrade(cluster, monkeypatch, capsys):
    from plugin.store import create_store, postgres_access
    database = "avant_droits_%d" % next(cluster.names)
    cluster.sql("CREATE DATABASE %s" % database)
    uri = cluster.uri(database)
    with monkeypatch.context() as patched:  # the store as the plugin made it before issue 15
        patched.setattr(postgres_access, "statements", lambda: iter(()))
        create_store(uri)
    create_logins(cluster)
    seed(uri)
    assert cluster.sql("SELECT to_regclass('rs_access')", database) == [(None,)]
    assert cli.main(["upgrade", uri]) == 0
    assert "rs_access" in capsys.readouterr().out
    grant_all(uri)
    assert visible_sites(uri, "ed93") == {SITE_93, SITE_93B}
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        rows(uri, "ed93", "DELETE FROM sites_history")


def test_a_login_without_any_right_gets_a_clear_message_not_a_traceback(store, cluster, tmp_path):
    if not cluster.sql("SELECT 1 FROM pg_roles WHERE rolname = 'inconnu'"):
        cluster.sql("CREATE ROLE inconnu LOGIN")
    for command in (["info", as_login(store, "inconnu")],
                    ["checkout", as_login(store, "inconnu"), str(tmp_path / "c.gpkg"), "--departement", "93"]):
        completed = subprocess.run([sys.executable, "-m", "plugin"] + command, cwd=str(REPO), capture_output=True,
                                   text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin"})
        assert completed.returncode == cli.EXIT_ERROR
        assert "Traceback" not in completed.stderr
        assert "« inconnu » n'a aucun droit" in completed.stderr
