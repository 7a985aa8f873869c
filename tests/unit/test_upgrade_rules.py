"""Stores made by every earlier schema version of the project (the plugin of that commit, from git) hold,
once upgraded, exactly the rules of a store made today, keep their rows, history and sync state, and refuse
a row breaking each rule; a new vocabulary code and a new rule reach a store upgraded after the
declaration changed."""
from dataclasses import replace

import pytest

from plugin import cli
from plugin.model import schema
from plugin.store import gpkg
from plugin.sync import checkout, synchronise
from schema_history import earlier_versions, has_command, old_plugin, run_old
from sync_helpers import add_site, local, pending
from upgrade_checks import (NEW_RULE, NEW_STATUS, assert_each_rule_refuses_a_row_breaking_it,
                            declaration_of_tomorrow, rules_held,
                            upgrade_telling_the_rules_it_changed)

VERSIONS = earlier_versions()
SITE = "00000000-0000-4000-8000-0000000000c1"

assert declaration_of_tomorrow  # a fixture, used by name below


def _version_id(point):
    return "v%d-%s" % (point[1], point[0])


@pytest.mark.parametrize("point", VERSIONS, ids=_version_id)
def test_a_store_of_an_earlier_version_holds_today_s_rules_once_upgraded(point, tmp_path, capsys):
    commit, version = point
    old = old_plugin(commit, tmp_path / "old_plugin")
    path = tmp_path / "old.gpkg"
    run_old(old, "init", path)
    with local(path) as connection:
        add_site(connection, "Les Prés", uuid=SITE, population=40)
        connection.execute("UPDATE sites SET population_total = 35 WHERE uuid = ?", (SITE,))
        assert connection.execute("SELECT schema_version FROM (SELECT value AS schema_version FROM rs_meta "
                                  "WHERE key = 'schema_version')").fetchone() == (str(version),)

    assert cli.main(["upgrade", str(path)]) == 0
    assert "schéma version %d" % schema.SCHEMA_VERSION in capsys.readouterr().out
    assert gpkg.open_store(str(path)).missing_parts() == []
    today = gpkg.create(str(tmp_path / "today.gpkg")).location
    held, wanted = rules_held(path), rules_held(today)
    for table in schema.TABLES:
        assert held[table.name] == wanted[table.name], table.name
    with local(path) as connection:
        assert connection.execute("SELECT name, population_total, row_version FROM sites").fetchall() == [
            ("Les Prés", 35, 2)]
        assert connection.execute("SELECT population_total FROM sites_history").fetchall() == [(40,)]
    assert_each_rule_refuses_a_row_breaking_it(path)


@pytest.mark.parametrize("point", VERSIONS, ids=_version_id)
def test_a_working_copy_of_an_earlier_version_holds_today_s_rules_and_its_pending_edits(point, tmp_path):
    commit, _ = point
    old = old_plugin(commit, tmp_path / "old_plugin")
    if not has_command(old, "checkout"):
        pytest.skip("no working copies at %s" % commit)
    shared, copy = tmp_path / "shared.gpkg", tmp_path / "alice.gpkg"
    run_old(old, "init", shared)
    with local(shared) as connection:
        add_site(connection, "Les Prés", uuid=SITE, population=40)
    run_old(old, "checkout", shared, copy, "--departement", "93", "--user", "alice")
    with local(copy) as connection:  # an edit made before the upgrade, not yet sent
        connection.execute("UPDATE sites SET population_total = 38 WHERE uuid = ?", (SITE,))
    assert pending(copy) == (1, 0)

    assert cli.main(["upgrade", str(shared)]) == 0
    assert cli.main(["upgrade", str(copy)]) == 0
    today_shared = gpkg.create(str(tmp_path / "today_shared.gpkg")).location
    today_copy = checkout(today_shared, str(tmp_path / "today_copy.gpkg"), ["93"], "bob")
    for upgraded, made_today in ((copy, today_copy), (shared, today_shared)):
        held, wanted = rules_held(upgraded), rules_held(made_today)
        for table in schema.TABLES:
            assert held[table.name] == wanted[table.name], (upgraded, table.name)
    assert pending(copy) == (1, 0)
    assert synchronise(str(copy), "alice").sent == 1
    with local(shared) as connection:
        assert connection.execute("SELECT population_total FROM sites").fetchall() == [(38,)]
        assert connection.execute("SELECT population_total FROM sites_history").fetchall() == [(40,)]
    assert_each_rule_refuses_a_row_breaking_it(copy)


def test_a_new_code_and_a_new_rule_reach_a_store_upgraded_after_the_declaration_changed(
        tmp_path, declaration_of_tomorrow, capsys):
    path = str(tmp_path / "store.gpkg")
    # the store as made before the declaration changed
    gpkg.create(path, tables=tuple(_today_sites() if t.name == "sites" else t for t in schema.TABLES),
                version=schema.SCHEMA_VERSION - 1)
    with local(path) as connection:
        add_site(connection, "Ancien", population=10, caravans=50)  # breaks the rule to come
        add_site(connection, "Les Prés", uuid=SITE, population=40)

    upgrade_telling_the_rules_it_changed(path, capsys)
    with local(path) as connection:
        connection.execute("UPDATE sites SET status = ?, closed_at = '2026-01-05' WHERE uuid = ?",
                           (NEW_STATUS.code, SITE))
        assert connection.execute("SELECT status FROM sites WHERE uuid = ?", (SITE,)).fetchone() == (
            NEW_STATUS.code,)
        assert connection.execute("SELECT count(*) FROM sites WHERE name = 'Ancien'").fetchone() == (1,)
        with pytest.raises(Exception, match=NEW_RULE.code):
            add_site(connection, "Nouveau", population=3, caravans=4)
    # Once the old row is corrected, the next upgrade makes the rule a CHECK constraint like today's.
    with local(path) as connection:
        connection.execute("UPDATE sites SET caravans = 5 WHERE name = 'Ancien'")
    assert cli.main(["upgrade", path]) == 0
    assert NEW_RULE.code not in capsys.readouterr().out
    today = gpkg.create(str(tmp_path / "today.gpkg"), tables=schema.TABLES).location
    assert rules_held(path)["sites"] == rules_held(today)["sites"]


def _today_sites():
    from plugin.model import vocabularies as voc
    sites = schema.table("sites")
    status = replace(sites.field("status"), vocabulary=voc.SITE_STATUS)
    return replace(sites, fields=tuple(status if f.name == "status" else f for f in sites.fields),
                   rules=tuple(r for r in sites.rules if r.code != NEW_RULE.code))


def test_rows_that_break_a_new_uniqueness_stop_the_upgrade_with_a_message_and_nothing_changes(
        tmp_path, monkeypatch, capsys):
    path = str(tmp_path / "store.gpkg")
    gpkg.create(path, version=schema.SCHEMA_VERSION - 1)
    with local(path) as connection:
        add_site(connection, "Les Prés")
        add_site(connection, "Les Prés")
    before = rules_held(path)
    sites = schema.table("sites")
    unique_names = replace(sites, unique_together=sites.unique_together + (("name",),))
    monkeypatch.setattr(schema, "TABLES", tuple(unique_names if t.name == "sites" else t for t in schema.TABLES))
    monkeypatch.setitem(schema.TABLES_BY_NAME, "sites", unique_names)
    assert cli.main(["upgrade", path]) == cli.EXIT_ERROR
    assert "des lignes de la table sites ne respectent pas une nouvelle contrainte" in capsys.readouterr().err
    assert rules_held(path) == before
    with local(path) as connection:
        assert connection.execute("SELECT count(*) FROM sites").fetchone() == (2,)
