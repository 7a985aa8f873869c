"""What a GeoPackage store holds of the rules, and the check that it refuses a row breaking each of them."""
import sqlite3
from dataclasses import replace
from typing import Dict

import pytest

from plugin import cli
from plugin.model import schema
from plugin.model import vocabularies as voc
from plugin.model.rules import SQLITE, at_most
from plugin.store import gpkg
from schema_history import breaking_row, row_local_rules
from sync_helpers import local, new_uuid

NEW_STATUS = voc.Term("requisitioned", "Réquisitionné", "Requisitioned")
NEW_RULE = at_most("caravans", "population_total", "sites_caravans_le_people",
                   "Plus de caravanes que de personnes", "More caravans than people")


def upgrade_telling_the_rules_it_changed(location, capsys) -> None:
    """The command line's upgrade, after the declaration of tomorrow, of a store where one old row breaks the
    new rule: its summary names the rule whose vocabulary changed and the rule the old row breaks."""
    assert cli.main(["upgrade", location]) == 0
    summary = capsys.readouterr().out
    assert "sites : règles modifiées : sites_status_code" in summary
    assert "règle %s : 1 ligne(s) existante(s) ne la respectent pas" % NEW_RULE.code in summary


def rules_held(path) -> Dict[str, Dict[str, object]]:
    """Per table of the schema: its CREATE TABLE, and the triggers and indexes on it and its history."""
    with local(path) as connection:
        held = {}
        for table in schema.TABLES:
            names = (table.name, schema.history_of(table.name))
            held[table.name] = {
                "table": connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                            (table.name,)).fetchone()[0],
                "triggers": dict(connection.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table.name,))),
                "indexes": dict(connection.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (?, ?) "
                    "AND sql IS NOT NULL", names))}
        return held


def _insert(connection, table_name: str, row) -> None:
    connection.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
        table_name, ", ".join('"%s"' % name for name in row), ", ".join("?" for _ in row)), list(row.values()))


def _action(connection) -> str:
    uuid = new_uuid()
    _insert(connection, "actions", {"uuid": uuid, "name": "MOUS", "started_at": "2021-01-01",
                                    "ended_at": "2022-12-31", "goals": "Accompagner", "departement": "93"})
    return uuid


def _funding_outside_the_programme(connection):
    return "action_finances", {"action_uuid": _action(connection), "year": 2030,
                                 "finance_type": voc.FINANCE_TYPE.codes[0]}


def _subcount_above_its_total(connection):
    action = _action(connection)
    small, large = voc.INDICATOR_SUBCOUNTS[0]
    indicator = dict(connection.execute("SELECT code, uuid FROM indicator_definitions"))
    _insert(connection, "indicator_values", {"action_uuid": action, "indicator_uuid": indicator[large],
                                             "period": "2026-03", "value": 5})
    return "indicator_values", {"action_uuid": action, "indicator_uuid": indicator[small], "period": "2026-03",
                                "value": 9}


# Rules over several rows: the rows that break each (row-local rules are found by breaking_row).
ACROSS_ROWS = {"action_finances_year_within_action": _funding_outside_the_programme,
               "indicator_values_subcount_le_total": _subcount_above_its_total}


def assert_each_rule_refuses_a_row_breaking_it(path) -> None:
    with local(path) as connection:
        for table in schema.TABLES:
            for rule in row_local_rules(table, SQLITE):
                row, broken = breaking_row(table, rule)
                # The row's references name no stored row: their own triggers, which fire first, are set
                # aside for this insert so that the refusal is the rule's.
                connection.execute("SAVEPOINT alone")
                for relation in schema.RELATIONS:
                    if relation.table is table:
                        connection.execute('DROP TRIGGER IF EXISTS "%s_insert"' % relation.code)
                with pytest.raises(sqlite3.IntegrityError) as refused:
                    _insert(connection, table.name, row)
                    pytest.fail("%s accepted a row breaking %s: %s" % (path, rule.code, row))
                connection.execute("ROLLBACK TO alone")
                connection.execute("RELEASE alone")
                assert any(code in str(refused.value) for code in broken), (rule.code, str(refused.value))
            for rule in table.all_rules():
                if rule.across_rows:
                    assert rule.code in ACROSS_ROWS, "add the rows that break %s to ACROSS_ROWS" % rule.code
                    connection.execute("SAVEPOINT rows")
                    table_name, row = ACROSS_ROWS[rule.code](connection)
                    with pytest.raises(sqlite3.IntegrityError, match=rule.code):
                        _insert(connection, table_name, row)
                    connection.execute("ROLLBACK TO rows")


@pytest.fixture
def declaration_of_tomorrow(monkeypatch):
    """The declaration with a new site status and a new rule, its version bumped (what the next developer
    does); patched wherever the version or the tables were imported."""
    from plugin.commands import store as store_command
    from plugin.store import postgis, postgis_upgrade, sqlite_ddl
    from plugin.sync import engine, protocol
    sites = schema.table("sites")
    status = replace(sites.field("status"), vocabulary=replace(
        voc.SITE_STATUS, terms=voc.SITE_STATUS.terms + (NEW_STATUS,)))
    tomorrow = replace(sites, fields=tuple(status if f.name == "status" else f for f in sites.fields),
                       rules=sites.rules + (NEW_RULE,))
    monkeypatch.setattr(schema, "TABLES", tuple(tomorrow if t.name == "sites" else t for t in schema.TABLES))
    monkeypatch.setitem(schema.TABLES_BY_NAME, "sites", tomorrow)
    version = schema.SCHEMA_VERSION + 1
    for module in (schema, gpkg, postgis, postgis_upgrade, protocol, engine, store_command, sqlite_ddl):
        if hasattr(module, "SCHEMA_VERSION"):
            monkeypatch.setattr(module, "SCHEMA_VERSION", version)
    return tomorrow
