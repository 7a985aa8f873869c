"""Shared PostGIS stores made by every earlier schema version of the project (the plugin of that commit, from
git) hold, once upgraded, exactly the constraints, indexes, functions, triggers and policies of a store made
today, keep their rows and history, and refuse a row breaking each rule; a new vocabulary code and a new rule
reach a store upgraded after the declaration changed."""
import contextlib

import psycopg2
import pytest

from plugin import cli
from plugin.model import schema
from plugin.model.rules import POSTGRES
from plugin.model.schema import Kind
from plugin.store import postgis_upgrade
from schema_history import breaking_row, earlier_versions, old_plugin, row_local_rules, run_old
from upgrade_checks import NEW_RULE, NEW_STATUS, declaration_of_tomorrow, upgrade_telling_the_rules_it_changed

pytestmark = pytest.mark.postgis
VERSIONS = earlier_versions()
SITE = "00000000-0000-4000-8000-0000000000d1"

assert declaration_of_tomorrow  # a fixture, used by name below


@contextlib.contextmanager
def server(uri):
    connection = psycopg2.connect(uri)
    try:
        with connection, connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def objects_held(uri):
    """Per table of the schema: its constraints (with their messages), indexes, triggers and policies; and
    the bodies of the store's functions."""
    held = {}
    with server(uri) as cursor:
        for table in schema.TABLES:
            names = [table.name, schema.history_of(table.name)]
            cursor.execute("SELECT conname, pg_get_constraintdef(oid), obj_description(oid, 'pg_constraint') "
                           "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1", (names,))
            constraints = cursor.fetchall()
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
                           (names,))
            indexes = cursor.fetchall()
            cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                           "AND tgrelid::regclass::text = ANY(%s) ORDER BY 1", (names,))
            triggers = cursor.fetchall()
            cursor.execute("SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
                           "WHERE tablename = ANY(%s) ORDER BY 1, 2", (names,))
            held[table.name] = dict(constraints=constraints, indexes=indexes, triggers=triggers,
                                    policies=cursor.fetchall())
        cursor.execute("SELECT p.proname, p.prosrc FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
                       "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') "
                       "ORDER BY 1")
        held["functions"] = cursor.fetchall()
    return held


def _value(table, name, value):
    return bool(value) if value is not None and table.field(name).kind is Kind.BOOLEAN else value


def assert_each_rule_refuses_a_row_breaking_it(uri):
    with server(uri) as cursor:
        for table in schema.TABLES:
            for rule in row_local_rules(table, POSTGRES):
                row, broken = breaking_row(table, rule, typed=True)
                cursor.execute("SAVEPOINT row")
                with pytest.raises(psycopg2.IntegrityError) as refused:
                    cursor.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
                        table.name, ", ".join('"%s"' % name for name in row), ", ".join("%s" for _ in row)),
                        [_value(table, name, value) for name, value in row.items()])
                    pytest.fail("%s accepted a row breaking %s: %s" % (uri, rule.code, row))
                assert any(code in str(refused.value) for code in broken), (rule.code, str(refused.value))
                cursor.execute("ROLLBACK TO SAVEPOINT row")


def _add_site(cursor, **values):
    row = dict(dict(name="Les Prés", departement="93", insee_code="93066", population_total=40), **values)
    cursor.execute("INSERT INTO sites (%s, geom) VALUES (%s, ST_SetSRID(ST_MakePoint(2.36, 48.9), 4326))" % (
        ", ".join(row), ", ".join("%s" for _ in row)), list(row.values()))


@pytest.mark.parametrize("point", VERSIONS, ids=lambda point: "v%d-%s" % (point[1], point[0]))
def test_a_shared_store_of_an_earlier_version_holds_today_s_rules_once_upgraded(point, cluster, tmp_path):
    commit, version = point
    old = old_plugin(commit, tmp_path / "old_plugin")
    if not (old / "plugin" / "store" / "postgis.py").exists():
        pytest.skip("no PostGIS stores at %s" % commit)
    database = "old_%s" % commit
    cluster.sql("CREATE DATABASE %s" % database)
    uri = cluster.uri(database)
    run_old(old, "init", uri)
    with server(uri) as cursor:
        _add_site(cursor, uuid=SITE)
        cursor.execute("UPDATE sites SET population_total = 35")
        cursor.execute("SELECT value FROM rs_meta WHERE key = 'schema_version'")
        assert cursor.fetchone() == (str(version),)

    assert cli.main(["upgrade", uri]) == 0
    assert postgis_upgrade.missing_parts(uri) == []
    held, wanted = objects_held(uri), objects_held(cluster.uri("store_template"))
    for part in wanted:
        assert held[part] == wanted[part], part
    with server(uri) as cursor:
        cursor.execute("SELECT population_total, row_version FROM sites")
        assert cursor.fetchall() == [(35, 2)]
        cursor.execute("SELECT population_total FROM sites_history")
        assert cursor.fetchall() == [(40,)]
    assert_each_rule_refuses_a_row_breaking_it(uri)


def test_a_new_code_and_a_new_rule_reach_a_shared_store_upgraded_after_the_declaration_changed(
        shared_uri, declaration_of_tomorrow, capsys):
    with server(shared_uri) as cursor:
        _add_site(cursor, name="Ancien", population_total=10, caravans=50)  # breaks the rule to come
        _add_site(cursor, uuid=SITE)

    upgrade_telling_the_rules_it_changed(shared_uri, capsys)
    with server(shared_uri) as cursor:
        cursor.execute("UPDATE sites SET status = %s, closed_at = '2026-01-05' WHERE uuid = %s",
                       (NEW_STATUS.code, SITE))
        cursor.execute("SELECT count(*) FROM sites WHERE name = 'Ancien'")
        assert cursor.fetchone() == (1,)
    with pytest.raises(psycopg2.IntegrityError, match=NEW_RULE.code), server(shared_uri) as cursor:
        _add_site(cursor, name="Nouveau", population_total=2, caravans=5)
    with server(shared_uri) as cursor:  # once the old row is corrected, the rule holds for every row
        cursor.execute("UPDATE sites SET caravans = 5 WHERE name = 'Ancien'")
    assert cli.main(["upgrade", shared_uri]) == 0
    assert "sites : règles modifiées : sites_caravans_le_people" in capsys.readouterr().out
    with server(shared_uri) as cursor:
        cursor.execute("SELECT convalidated FROM pg_constraint WHERE conname = %s", (NEW_RULE.code,))
        assert cursor.fetchone() == (True,)
