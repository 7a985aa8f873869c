"""Anonymisation of the owners of sites closed for more than a year: current rows and every history version,
a trace left, on PostGIS (the server's function, called by the command line) and on a GeoPackage; an old
working copy cannot bring the identity back."""
import datetime
import sqlite3

import pytest

from access_helpers import SITE_93, as_login, create_logins, grant_all, rows, seed, session
from plugin import cli
from plugin.store import create_store
from plugin.sync import checkout, synchronise
from sync_helpers import add_site, local

pytestmark = pytest.mark.postgis
NAMED = "M. Dupont, propriétaire"
LONG_AGO = (datetime.date.today() - datetime.timedelta(days=800)).isoformat()
RECENTLY = (datetime.date.today() - datetime.timedelta(days=100)).isoformat()


def names_left(uri):
    return rows(uri, None, "SELECT (SELECT count(*) FROM sites WHERE owner = %s OR comments LIKE '%%Dupont%%') + "
                           "(SELECT count(*) FROM sites_history WHERE owner = %s OR comments LIKE '%%Dupont%%')",
                NAMED, NAMED)[0][0]


@pytest.fixture
def store(cluster, shared_uri):
    create_logins(cluster)
    seed(shared_uri)
    grant_all(shared_uri)
    with session(shared_uri, app_user="seed") as cursor:
        cursor.execute("UPDATE sites SET owner = %s, comments = 'Joindre M. Dupont' WHERE departement = '93'",
                       (NAMED,))
    return shared_uri


def close(uri, uuid, closed_at):
    with session(uri, app_user="seed") as cursor:
        cursor.execute("UPDATE sites SET status = 'closed_by_pref_admin', closed_at = %s WHERE uuid = %s",
                       (closed_at, uuid))


def test_anonymisation_reaches_the_history_and_survives_a_sync_from_an_old_copy(store, tmp_path, capsys):
    old_copy = checkout(as_login(store, "ed93j"), str(tmp_path / "ancienne.gpkg"), ["93"], "ed93j")
    close(store, SITE_93, LONG_AGO)
    others = rows(store, None, "SELECT uuid FROM sites WHERE departement = '93' AND uuid <> %s", SITE_93)[0][0]
    close(store, others, RECENTLY)  # closed less than a year ago: kept
    before = names_left(store)

    assert cli.main(["anonymise", as_login(store, "adm"), "--dry-run"]) == 0
    assert "1 site(s), 3 version(s)" in capsys.readouterr().out
    assert names_left(store) == before
    assert cli.main(["anonymise", as_login(store, "ed93"), "--dry-run"]) == cli.EXIT_ERROR  # not an admin

    assert cli.main(["anonymise", as_login(store, "adm")]) == 0
    assert "Anonymisés : 1 site(s), 3 version(s)" in capsys.readouterr().out
    assert rows(store, None, "SELECT count(*) FROM sites_history WHERE uuid = %s AND (owner = %s OR comments "
                             "LIKE '%%Dupont%%')", SITE_93, NAMED) == [(0,)]
    assert rows(store, None, "SELECT owner, comments, updated_by FROM sites WHERE uuid = %s", SITE_93) == [
        ("[anonymisé]", "[anonymisé]", "adm")]
    assert rows(store, None, "SELECT owner FROM sites WHERE uuid = %s", others) == [(NAMED,)]
    # the trace: who, when, how many
    assert rows(store, None, "SELECT changed_by, reason FROM sites_history WHERE uuid = %s ORDER BY history_id "
                             "DESC LIMIT 1", SITE_93) == [("adm", "anonymisation")]
    assert rows(store, None, "SELECT login, accepted, result::json->>'history_versions' FROM rs_batches "
                             "WHERE client_id = 'anonymisation'") == [("adm", 1, "3")]
    assert cli.main(["anonymise", store]) == 0  # nightly again: nothing left
    assert "0 site(s), 0 version(s)" in capsys.readouterr().out

    # the old copy still holds the name; its edit is synced, the name does not come back
    with local(old_copy) as connection:
        assert connection.execute("SELECT owner FROM sites WHERE uuid = ?", (SITE_93,)).fetchone() == (NAMED,)
        connection.execute("UPDATE sites SET owner = ?, population_total = 7 WHERE uuid = ?", (NAMED, SITE_93))
        connection.commit()
    assert synchronise(old_copy, "ed93j").conflicts == 0
    assert rows(store, None, "SELECT population_total FROM sites WHERE uuid = %s", SITE_93) == [(7,)]
    with local(old_copy) as connection:
        assert connection.execute("SELECT owner FROM sites WHERE uuid = ?", (SITE_93,)).fetchone() == ("[anonymisé]",)
    with session(store, "ed93j") as cursor:  # nor through psql
        cursor.execute("UPDATE sites SET owner = %s, comments = 'M. Dupont' WHERE uuid = %s", (NAMED, SITE_93))
    assert rows(store, None, "SELECT owner, comments FROM sites WHERE uuid = %s", SITE_93) == [
        ("[anonymisé]", "[anonymisé]")]


def test_a_geopackage_store_is_anonymised_by_the_same_command(tmp_path, capsys):
    path = str(tmp_path / "equipe.gpkg")
    create_store(path)
    with local(path) as connection:
        uuid = add_site(connection, "Les Prés", owner=NAMED, owner_type="private", comments="Joindre M. Dupont")
        connection.execute("UPDATE sites SET population_total = 12 WHERE uuid = ?", (uuid,))
        connection.execute("UPDATE sites SET status = 'closed_by_pref_admin', closed_at = ? WHERE uuid = ?",
                           (LONG_AGO, uuid))
        connection.commit()
    assert cli.main(["anonymise", path, "--user", "agent.dpt93"]) == 0
    assert "1 site(s), 2 version(s)" in capsys.readouterr().out
    with local(path) as connection:
        connection.row_factory = sqlite3.Row
        assert connection.execute("SELECT count(*) FROM sites_history WHERE owner = ? OR comments LIKE "
                                  "'%Dupont%'", (NAMED,)).fetchone()[0] == 0
        assert tuple(connection.execute("SELECT owner, comments FROM sites").fetchone()) == ("[anonymisé]",) * 2
        last = connection.execute("SELECT changed_by, reason FROM sites_history ORDER BY history_id DESC").fetchone()
        assert tuple(last) == ("agent.dpt93", "anonymisation")
