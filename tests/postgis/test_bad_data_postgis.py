"""The shared PostGIS store refuses what no real site has and enforces the declared relations (issue 16),
with the same rules as the GeoPackage store (both generated from the declaration)."""
import psycopg2
import pytest

from plugin.model import schema
from sync_helpers import new_uuid
from test_upgrade_postgis import server

pytestmark = pytest.mark.postgis


def rows(uri, sql, parameters=()):
    with server(uri) as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def test_counts_beyond_any_camp_and_digests_that_are_paths_are_refused(shared_uri):
    with pytest.raises(psycopg2.IntegrityError, match="sites_population_total_max"):
        with server(shared_uri) as cursor:
            cursor.execute("INSERT INTO sites (insee_code, departement, population_total) VALUES ('93066', '93', %s)",
                           (schema.COUNT_MAXIMUM + 1,))
    with pytest.raises(psycopg2.IntegrityError, match="sites_departement_required"):
        with server(shared_uri) as cursor:
            cursor.execute("INSERT INTO sites (insee_code) VALUES ('93066')")
    with pytest.raises(psycopg2.IntegrityError, match="attachments_sha256_format"):
        with server(shared_uri) as cursor:
            cursor.execute("INSERT INTO attachments (owner_table, owner_uuid, filename, sha256, size_bytes, content) "
                           "VALUES ('sites', %s, 'x.pdf', %s, 3, 'abc')", (new_uuid(), "../rel/pwned" + "0" * 52))
    with pytest.raises(psycopg2.IntegrityError, match="attachments_sha256_of_content"):
        with server(shared_uri) as cursor:
            cursor.execute("INSERT INTO attachments (owner_table, owner_uuid, filename, sha256, size_bytes, content) "
                           "VALUES ('sites', %s, 'x.pdf', %s, 3, 'abc')", (new_uuid(), "0" * 64))


def test_a_programme_cannot_name_a_missing_site(shared_uri):
    action = new_uuid()
    with server(shared_uri) as cursor:
        cursor.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) "
                       "VALUES (%s, 'MOUS', '2024-01-01', 'Accompagnement', '93')", (action,))
    with pytest.raises(psycopg2.IntegrityError, match="action_sites_site_uuid_exists"):
        with server(shared_uri) as cursor:
            cursor.execute("INSERT INTO action_sites (action_uuid, site_uuid) VALUES (%s, %s)", (action, new_uuid()))
    assert rows(shared_uri, "SELECT count(*) FROM action_sites") == [(0,)]


def test_deleting_a_terrain_deletes_its_phases_and_keeps_their_history(shared_uri):
    terrain = new_uuid()
    with server(shared_uri) as cursor:
        cursor.execute("INSERT INTO insertion_sites (uuid, name, departement) VALUES (%s, 'Les Lilas', '93')",
                       (terrain,))
        cursor.execute("INSERT INTO insertion_site_phases (insertion_site_uuid, phase) "
                       "VALUES (%s, 'technical_diagnosis')", (terrain,))
    with server(shared_uri) as cursor:
        cursor.execute("DELETE FROM insertion_sites WHERE uuid = %s", (terrain,))
    assert rows(shared_uri, "SELECT count(*) FROM insertion_site_phases") == [(0,)]
    assert rows(shared_uri, "SELECT phase, operation, changed_by FROM insertion_site_phases_history") == [
        ("technical_diagnosis", "delete", "admin")]
    # the sync hears of the phase's deletion too
    assert rows(shared_uri, "SELECT table_name, deleted FROM rs_changes WHERE table_name = "
                            "'insertion_site_phases'") == [("insertion_site_phases", True)]


def test_a_permission_error_of_the_server_is_a_message(cluster, shared_uri, capsys):
    from plugin import cli
    role = "agent_sans_droits_%d" % next(cluster.names)
    cluster.sql("CREATE ROLE %s LOGIN" % role)
    database = shared_uri.rsplit("/", 1)[1]
    cluster.sql("GRANT SELECT ON rs_meta TO %s" % role, database)
    as_agent = shared_uri.replace("postgres@", role + "@")
    for command in ("info", "sums"):
        assert cli.main([command, as_agent]) == 2
        said = capsys.readouterr().err
        assert "Droits insuffisants sur la base PostgreSQL" in said and "permission denied" in said
