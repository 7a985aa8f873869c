"""`python3 -m plugin init|checkout|sync` through a QGIS PostgreSQL connection ("qgis:NAME"): the user and
password come from QGIS's authentication database of the user's profile (master password from
QGIS_AUTH_PASSWORD_FILE or typed), and appear nowhere: output, profile settings, working copy."""
import contextlib

import psycopg2
import pytest

from qgis_profile import (CONNECTION, LOST_AUTHCFG, LOST_AUTHCFG_CONNECTION, MASTER_PASSWORD, OFFICER,
                          OFFICER_PASSWORD, make_profile, officer_database, require_password, run_cli)
from sync_helpers import local

pytestmark = pytest.mark.postgis
LOCATION = "qgis:" + CONNECTION


@pytest.fixture
def profile(cluster, tmp_path):
    """(QGIS configuration folder, master password file, database): a QGIS profile whose connection
    reaches a new, empty database owned by a role that logs in with its password only."""
    require_password(cluster)
    database = "officer_%d" % next(cluster.names)
    officer_database(cluster, database)
    profiles = tmp_path / "qgis"
    return profiles, make_profile(cluster, profiles, database), database


def has_store(cluster, database):
    return cluster.sql("SELECT to_regclass('rs_meta') IS NOT NULL", database)[0][0]


def test_init_checkout_sync_through_a_qgis_connection(cluster, profile, tmp_path):
    profiles, master, database = profile
    outputs = []

    def cli(*arguments):
        done = run_cli(arguments, profiles, master)
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, done.stderr
        return done

    # laid out as QGIS desktop keeps it: <configuration>/profiles/default/QGIS/QGIS3.ini and qgis-auth.db
    assert (profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini").is_file()
    assert "Stockage créé : qgis:%s" % CONNECTION in cli("init", LOCATION).stdout
    assert has_store(cluster, database)
    with contextlib.closing(psycopg2.connect(cluster.uri(database))) as connection, connection, \
            connection.cursor() as cursor:
        cursor.execute("INSERT INTO sites (name, departement, insee_code, population_total, geom) VALUES "
                       "('Les Prés', '93', '93066', 40, ST_SetSRID(ST_MakePoint(2.36, 48.9), 4326))")
    copy = tmp_path / "copie.gpkg"
    cli("checkout", LOCATION, str(copy), "--departement", "93", "--user", "alice")
    with local(str(copy)) as connection:
        assert connection.execute('SELECT "shared" FROM "rs_sync_state"').fetchone()[0] == LOCATION
        connection.execute("UPDATE sites SET population_total = 44 WHERE name = 'Les Prés'")
    assert "envoyés : 1" in cli("sync", str(copy), "--user", "alice").stdout
    assert cluster.sql("SELECT population_total, updated_by FROM sites", database) == [(44, "alice")]
    # The officer's role, not the cluster's superuser, did the work: the credentials came from QGIS.
    assert cluster.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'sites'", database) == [(OFFICER,)]

    secrets = (OFFICER_PASSWORD, MASTER_PASSWORD)
    for output in outputs:
        assert not any(secret in output for secret in secrets)
    written = [copy] + [p for p in profiles.rglob("*") if p.is_file() and p != master]
    for path in written:
        content = path.read_bytes()
        assert not any(secret.encode() in content for secret in secrets), path


def test_a_wrong_master_password_an_unknown_connection_or_a_lost_authcfg_write_nothing(cluster, profile, tmp_path):
    profiles, master, database = profile
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-the-master-password\n", encoding="utf-8")
    done = run_cli(["init", LOCATION], profiles, wrong)
    assert done.returncode == 2
    assert "Mot de passe principal de QGIS incorrect" in done.stderr
    assert not has_store(cluster, database)

    done = run_cli(["checkout", "qgis:Inconnue", str(tmp_path / "copie.gpkg"), "--departement", "93"],
                   profiles, master)
    assert done.returncode == 2
    assert "La connexion PostgreSQL « Inconnue » n'existe pas dans QGIS" in done.stderr
    assert CONNECTION in done.stderr  # the connections there are listed
    assert not (tmp_path / "copie.gpkg").exists()

    done = run_cli(["init", "qgis:" + LOST_AUTHCFG_CONNECTION], profiles, master)
    assert done.returncode == 2
    assert "utilise la configuration d'authentification %s, absente" % LOST_AUTHCFG in done.stderr
    assert not has_store(cluster, database)


def test_the_master_password_is_asked_when_no_file_gives_it(cluster, profile):
    profiles, _, database = profile
    done = run_cli(["init", LOCATION], profiles, stdin=MASTER_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert has_store(cluster, database)
    assert MASTER_PASSWORD not in done.stdout + done.stderr


def test_take_all_mine_is_recorded_in_the_shared_postgis_history(shared_uri, tmp_path, capsys):
    """Two copies, one conflict, "take all mine": the decision and the resolver's login are in the
    shared store's history (`history SHARED UUID --json`), with the version they led to."""
    import json

    from plugin import cli
    from plugin.sync import MINE, WorkingCopy, checkout, synchronise
    site = "00000000-0000-4000-8000-0000000000b1"
    with contextlib.closing(psycopg2.connect(shared_uri)) as connection, connection, connection.cursor() as cursor:
        cursor.execute("INSERT INTO sites (uuid, name, departement, insee_code, population_total, geom) VALUES "
                       "(%s, 'Les Prés', '93', '93066', 40, ST_SetSRID(ST_MakePoint(2.36, 48.9), 4326))", (site,))
    alice, bob = str(tmp_path / "alice.gpkg"), str(tmp_path / "bob.gpkg")
    for path, login in ((alice, "alice"), (bob, "bob")):
        checkout(shared_uri, path, ["93"], login)
    for path, population in ((alice, 50), (bob, 60)):
        with local(path) as connection:
            connection.execute("UPDATE sites SET population_total = ? WHERE uuid = ?", (population, site))
    synchronise(alice)
    assert synchronise(bob).conflicts == 1
    with WorkingCopy(bob) as copy:
        copy.resolve_all(site, MINE, "bob.martin")
    assert synchronise(bob).conflicts == 0
    capsys.readouterr()
    assert cli.main(["history", shared_uri, site, "--json"]) == 0
    newest = json.loads(capsys.readouterr().out)[0]
    assert newest["changes"]["population_total"] == [50, 60] and newest["changed_by"] == "bob.martin"
    assert [(d["field"], d["choice"], d["resolved_by"]) for d in newest["resolutions"]] == [
        ("*", MINE, "bob.martin"), ("population_total", MINE, "bob.martin")]
    with contextlib.closing(psycopg2.connect(shared_uri)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT r.batch_id = v.batch_id, b.login FROM rs_conflict_resolutions r "
                       "JOIN rs_versions v ON v.uuid = r.uuid AND v.row_version = r.row_version "
                       "JOIN rs_batches b ON b.batch_id = r.batch_id WHERE r.field = '*'")
        assert cursor.fetchall() == [(True, "bob")]


def test_a_copy_never_keeps_a_password_written_in_the_address(cluster, tmp_path, capsys):
    from plugin import cli
    uri = "postgresql://%s:%s@127.0.0.1:%d/postgres" % (OFFICER, OFFICER_PASSWORD, cluster.port)
    assert cli.main(["checkout", uri, str(tmp_path / "copie.gpkg"), "--departement", "93"]) == 2
    error = capsys.readouterr().err
    assert "ne peut pas être gardé dans la copie de travail" in error and OFFICER_PASSWORD not in error
    assert not (tmp_path / "copie.gpkg").exists()
