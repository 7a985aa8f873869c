"""A shared PostGIS store made by the previous version (schema 1, without site_closing_outcomes) is upgraded in
place; its working copies, upgraded too, sync the new table."""
import contextlib

import psycopg2
import pytest

from plugin import cli
from plugin.model import schema
from plugin.store.base import StoreError
from plugin.sync import checkout, synchronise
from sync_helpers import add_site, local, new_uuid

pytestmark = pytest.mark.postgis
SITE = "00000000-0000-4000-8000-00000000000b"


@contextlib.contextmanager
def server(uri):
    connection = psycopg2.connect(uri)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.user', 'admin', true)")
            yield cursor
    finally:
        connection.close()


def shared_version_1(uri):
    with server(uri) as cursor:
        # a version 1 store had neither this table nor the access policies that name it
        cursor.execute('DROP TABLE "site_closing_outcomes_history", "site_closing_outcomes" CASCADE')
        cursor.execute('DROP FUNCTION "site_closing_outcomes_row"(), "site_closing_outcomes_log"()')
        cursor.execute("UPDATE rs_meta SET value = '1' WHERE key = 'schema_version'")


def test_an_old_shared_store_and_its_copy_are_upgraded_and_sync_the_new_table(shared_uri, tmp_path, as_version_1):
    with server(shared_uri) as cursor:
        cursor.execute("INSERT INTO sites (uuid, name, departement, insee_code, population_total, geom) VALUES "
                       "(%s, 'Les Prés', '93', '93066', 40, ST_SetSRID(ST_MakePoint(2.36, 48.9), 4326))", (SITE,))
    copy = checkout(shared_uri, str(tmp_path / "alice.gpkg"), ["93"], "alice")
    as_version_1(copy)
    shared_version_1(shared_uri)
    with local(copy) as connection:
        add_site(connection, "Nouveau", population=9)
    with pytest.raises(StoreError) as refused:
        synchronise(copy, "alice")
    assert "version 1" in str(refused.value)

    assert cli.main(["upgrade", shared_uri]) == 0
    assert cli.main(["upgrade", shared_uri]) == 0  # twice: nothing more to add
    assert cli.main(["upgrade", copy]) == 0
    with local(copy) as connection:
        connection.execute("INSERT INTO site_closing_outcomes (uuid, site_uuid, solution, people, households) "
                           "VALUES (?, ?, 'housing', 20, 6)", (new_uuid(), SITE))
    assert synchronise(copy, "alice").sent == 2
    with server(shared_uri) as cursor:
        cursor.execute("SELECT solution, people, households, updated_by FROM site_closing_outcomes")
        assert cursor.fetchall() == [("housing", 20, 6, "alice")]
        cursor.execute("UPDATE site_closing_outcomes SET people = 21")
        cursor.execute("SELECT people, changed_by FROM site_closing_outcomes_history")
        assert cursor.fetchall() == [(20, "admin")]
        cursor.execute("SELECT value FROM rs_meta WHERE key = 'schema_version'")
        assert cursor.fetchone() == (str(schema.SCHEMA_VERSION),)
    synchronise(copy, "alice")
    with local(copy) as connection:
        assert connection.execute("SELECT people FROM site_closing_outcomes").fetchall() == [(21,)]


def test_a_shared_store_of_version_2_gets_the_indicator_kinds_and_the_sub_count_rule(shared_uri):
    with server(shared_uri) as cursor:  # what version 2 looked like: no kind nor English label, no rule trigger
        cursor.execute('DROP TRIGGER "indicator_values_rules" ON "indicator_values"')
        for column in ("label_en", "kind", "local_departement"):
            for table in ("indicator_definitions", "indicator_definitions_history"):
                cursor.execute('ALTER TABLE "%s" DROP COLUMN "%s"' % (table, column))
        cursor.execute("UPDATE rs_meta SET value = '2' WHERE key = 'schema_version'")
    assert cli.main(["upgrade", shared_uri]) == 0
    with server(shared_uri) as cursor:
        cursor.execute("SELECT code, kind, label_en FROM indicator_definitions WHERE code IN "
                       "('people', 'housing_households') ORDER BY code")
        assert cursor.fetchall() == [("housing_households", "flow", "Access to housing (households)"),
                                     ("people", "stock", "People supported")]
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'indicator_values_rules'")
        assert cursor.fetchone() == (1,)
