"""Bringing the rules of an existing GeoPackage table to those declared today.

SQLite cannot alter a CHECK constraint, so a table whose CREATE TABLE differs
from the one a store made today has (a rule added, changed or removed, a
column added) is made again: its rows are copied aside, the table created as
declared, the rows copied back with their fid, and the triggers and indexes
other writers put on it (GDAL's spatial index among them) made again. Rows
kept from before that break a new rule stay: that rule is then left to the
triggers, which refuse any new or changed row breaking it, and the summary
says so. The caller holds the transaction and has dropped the store's own
triggers; its history and sync tables are not touched.
"""
import sqlite3
from dataclasses import dataclass, field
from typing import FrozenSet, List, Tuple

from ..model.rules import SQLITE, quoted, sql_literal
from ..model.schema import Table
from . import sqlite_ddl
from .base import StoreError

ASIDE = "rs_rebuild_rows"


@dataclass
class TablePlan:
    """What an upgrade does to the rules of one table."""
    table: Table
    changes: List[str] = field(default_factory=list)
    left_out: FrozenSet[str] = frozenset()
    rebuild: bool = False


def _table_sql(connection: sqlite3.Connection, name: str) -> str:
    return connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (name,)).fetchone()[0]


def _columns(connection: sqlite3.Connection, name: str) -> List[str]:
    return [row[1] for row in connection.execute("PRAGMA table_info(%s)" % quoted(name))]


def _declared_columns(table: Table) -> List[Tuple[str, str]]:
    """(column, value for a row made before the column existed) in the declared order."""
    columns = [("fid", "NULL")]
    if table.geometry:
        columns.append((sqlite_ddl.GEOMETRY_COLUMN, "NULL"))
    return columns + [(f.name, sql_literal(f.default)) for f in table.fields]


def _projection(existing: List[str], table: Table) -> str:
    return ", ".join(quoted(name) if name in existing else "%s AS %s" % (value, quoted(name))
                     for name, value in _declared_columns(table))


def _broken(connection: sqlite3.Connection, table: Table, existing: List[str], rule) -> int:
    return connection.execute("SELECT count(*) FROM (SELECT %s FROM %s) WHERE NOT (%s)" % (
        _projection(existing, table), quoted(table.name), rule.expression(SQLITE))).fetchone()[0]


def plan(connection: sqlite3.Connection, table: Table, added_columns) -> TablePlan:
    """Compare the table's rules (CHECK constraints and triggers, by their rendered expression)
    with today's. Rules of `added_columns` come with their column and are not listed."""
    create_sql = _table_sql(connection, table.name)
    triggers_sql = "\n".join(sql for sql, in connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", sqlite_ddl.check_triggers(table)))
    new_names = {f.name for f in added_columns}
    rules = {rule.code: rule for rule in table.all_rules()}
    result = TablePlan(table, changes=sqlite_ddl.rule_summary(table.name, [
        (code, change) for code, change in sqlite_ddl.rule_changes(table, create_sql + "\n" + triggers_sql)
        if change != sqlite_ddl.ADDED or not set(rules[code].fields) <= new_names]))
    existing = _columns(connection, table.name)
    left_out = set()
    for rule in sqlite_ddl.checked_rules(table):
        if sqlite_ddl.check_clause(rule) not in create_sql:
            broken = _broken(connection, table, existing, rule)
            if broken:
                left_out.add(rule.code)
                result.changes.append(
                    "règle %s : %d ligne(s) existante(s) ne la respectent pas ; elle s'applique aux "
                    "nouvelles saisies et modifications" % (rule.code, broken))
    result.left_out = frozenset(left_out)
    result.rebuild = create_sql != sqlite_ddl.create_table(table, result.left_out)
    return result


def rebuild(connection: sqlite3.Connection, plan: TablePlan) -> None:
    table = plan.table
    name = quoted(table.name)
    existing = _columns(connection, table.name)
    kept_sql = [sql for sql, in connection.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY type", (table.name,))]
    sequence = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table.name,)).fetchone()
    connection.execute("CREATE TEMP TABLE %s AS SELECT %s FROM %s" % (
        quoted(ASIDE), _projection(existing, table), name))
    connection.execute("DROP TABLE %s" % name)
    connection.execute(sqlite_ddl.create_table(table, plan.left_out))
    columns = ", ".join(quoted(column) for column, _ in _declared_columns(table))
    try:
        connection.execute("INSERT INTO %s (%s) SELECT %s FROM temp.%s ORDER BY \"fid\"" % (
            name, columns, columns, quoted(ASIDE)))
    except sqlite3.IntegrityError as error:  # a new uniqueness the rows kept from before break
        raise StoreError("La mise à jour a échoué, rien n'a changé : des lignes de la table %s ne respectent pas "
                         "une nouvelle contrainte (%s). Corrigez-les puis relancez la mise à jour."
                         % (table.name, error),
                         "The upgrade failed, nothing changed: rows of the table %s break a new constraint (%s). "
                         "Correct them, then upgrade again." % (table.name, error)) from error
    connection.execute("DROP TABLE temp.%s" % quoted(ASIDE))
    if sequence is not None and not connection.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (sequence[0], table.name)).rowcount:
        connection.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table.name, sequence[0]))
    for sql in kept_sql:
        connection.execute(sql)
