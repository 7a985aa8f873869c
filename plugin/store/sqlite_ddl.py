"""SQLite DDL of a GeoPackage store, generated from the schema declaration.

Per table: the feature table with its CHECK constraints (named after the rule,
with the message, so that any writer, ogr2ogr or DB Manager included, reads
why a row was refused), a history table, and the triggers that

* refuse rows breaking the non-deterministic rules ("not in the future"),
* fill uuid, row_version and the created/updated columns of a row written by
  another tool with only its business fields,
* keep the previous version of every updated or deleted row in the history
  table, in the same transaction as the edit, and bump row_version.

Timestamps are ISO 8601 in UTC, as GDAL writes them for GeoPackage DATETIME.
"""
import re
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from ..model.rules import SQLITE, quoted, sql_literal
from ..model.schema import (EXTERNAL_AUTHOR, RELATIONS, SYNC_FIELD_NAMES, TABLES_BY_NAME, Kind,
                            Table, history_of)
from ..model.sums import FIGURE_COLUMNS, STATE_COLUMNS

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

# A UUID v4 from SQLite's own functions, so that any writer gets one.
NEW_UUID = ("(SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' "
            "|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)) "
            "FROM (SELECT hex(randomblob(16)) AS h))")

GEOMETRY_COLUMN = "geom"

SQL_TYPES = {
    Kind.TEXT: "TEXT", Kind.ENUM: "TEXT", Kind.INTEGER: "INTEGER", Kind.REAL: "REAL",
    Kind.DATE: "DATE", Kind.DATETIME: "DATETIME", Kind.BOOLEAN: "BOOLEAN", Kind.BLOB: "BLOB",
}

HISTORY_COLUMNS = (
    ("valid_from", "DATETIME"),
    ("valid_to", "DATETIME NOT NULL"),
    ("changed_by", "TEXT"),
    ("operation", "TEXT NOT NULL CHECK (operation IN ('update', 'delete'))"),
    ("reason", "TEXT"),
)

# The roles of a GeoPackage (rs_meta 'role'). In a working copy, row_version is
# the version the shared store last accepted: local edits keep it, and leave no
# history (the shared store writes it when it accepts them); the sync's own
# writes (rs_sync_state.applying = 1) are not stamped either.
STANDALONE = "standalone"
WORKING_COPY = "working_copy"
SYNC_STATE_TABLE = "rs_sync_state"
NOT_APPLYING = 'NOT EXISTS (SELECT 1 FROM "%s" WHERE "applying" = 1)' % SYNC_STATE_TABLE

META_TABLE = "rs_meta"
EDITING_LOGIN_KEY = "editing_login"
EDITING_AUTHOR = "coalesce((SELECT \"value\" FROM \"%s\" WHERE \"key\" = '%s'), %s)" % (
    META_TABLE, EDITING_LOGIN_KEY, sql_literal(EXTERNAL_AUTHOR))

# Stamped by the store whenever one of the population figures changes.
POPULATION_STAMP = "population_updated_at"

# What the store's own stamping UPDATE sets (see create_triggers).
STAMPED_COLUMNS = ("row_version", "updated_at", "updated_by", POPULATION_STAMP)

# Indexes an older schema declared and this one replaces (dropped by index_upgrade).
RETIRED_INDEXES = ("sites_status_idx",)

_IDENTIFIER = re.compile(r'"([a-z_0-9]+)"')


def population_fields(table: Table) -> List[str]:
    return [f.name for f in table.fields
            if f.name != POPULATION_STAMP and (f.name.startswith("population_") or f.name == "minors_in_school")]


def with_row_prefix(expression: str, prefix: str) -> str:
    """Point every column of a rule at NEW or OLD, for use inside a trigger."""
    return _IDENTIFIER.sub(lambda m: '%s."%s"' % (prefix, m.group(1)), expression)


def constraint_name(rule) -> str:
    return "%s: %s" % (rule.code, rule.bilingual_message)


def column_type(field) -> str:
    sql_type = SQL_TYPES[field.kind]
    if field.kind is Kind.TEXT and field.length is not None:
        sql_type = "TEXT(%d)" % field.length[1]
    return sql_type


def column_definitions(table: Table) -> List[str]:
    columns = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if table.geometry:
        columns.append('"%s" %s' % (GEOMETRY_COLUMN, table.geometry))
    for field in table.fields:
        definition = "%s %s" % (quoted(field.name), column_type(field))
        if field.default is not None:
            definition += " DEFAULT %s" % sql_literal(field.default)
        columns.append(definition)
    return columns


def check_clause(rule) -> str:
    """A deterministic rule as the CHECK constraint of its table."""
    return "CONSTRAINT %s CHECK (%s)" % (quoted_name(constraint_name(rule)), rule.expression(SQLITE))


def checked_rules(table: Table):
    return [rule for rule in table.all_rules() if rule.expression(SQLITE) and rule.deterministic]


def create_table(table: Table, left_out: FrozenSet[str] = frozenset()) -> str:
    """The table as a store made today has it; `left_out`: rules an upgrade leaves to the triggers,
    because rows kept from before break them."""
    parts = column_definitions(table)
    for field in table.fields:
        if field.unique:
            parts.append("UNIQUE (%s)" % quoted(field.name))
    for columns in table.unique_together:
        parts.append("UNIQUE (%s)" % ", ".join(quoted(c) for c in columns))
    parts += [check_clause(rule) for rule in checked_rules(table) if rule.code not in left_out]
    return "CREATE TABLE %s (\n  %s\n)" % (quoted(table.name), ",\n  ".join(parts))


def quoted_name(name: str) -> str:
    return '"%s"' % name.replace('"', '""')


def history_columns(table: Table) -> List[str]:
    """Data columns the history keeps: every column but fid, geometry included."""
    return ([GEOMETRY_COLUMN] if table.geometry else []) + list(table.field_names)


def create_history_table(table: Table) -> str:
    columns = ['"history_id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if table.geometry:
        columns.append('"%s" %s' % (GEOMETRY_COLUMN, table.geometry))
    columns += ["%s %s" % (quoted(f.name), column_type(f)) for f in table.fields]
    columns += ["%s %s" % (quoted(name), sql) for name, sql in HISTORY_COLUMNS]
    return "CREATE TABLE %s (\n  %s\n)" % (quoted(history_of(table.name)), ",\n  ".join(columns))


def create_indexes(table: Table) -> Iterator[str]:
    history = history_of(table.name)
    # valid_from too: a site's first version (the one that ends first) and its beginning from the index
    # alone (the reconstructed past, sums_sql.first_in_history).
    yield 'CREATE INDEX "%s_uuid_idx" ON %s ("uuid", "valid_to", "valid_from")' % (history, quoted(history))
    # Covering the columns of the derived figures: the state at a past date is read from the index
    # alone. history_id second: the versions an UPDATE of many rows writes (one valid_to) are appended
    # at the end of the index, not scattered among each other by valid_from.
    covered = "".join(', "%s"' % c for c in STATE_COLUMNS.get(table.name, ()))
    yield 'CREATE INDEX "%s_valid_idx" ON %s ("valid_to", "history_id", "valid_from"%s)' % (
        history, quoted(history), covered)
    figures = FIGURE_COLUMNS.get(table.name)
    if figures:
        # The figures of the open sites by département, read from the index alone, already grouped;
        # it is also the table's index on status.
        yield 'CREATE INDEX "%s_figures_idx" ON %s ("status", "departement"%s)' % (
            table.name, quoted(table.name), "".join(', "%s"' % c for c in figures))
    indexed = [f.name for f in table.fields if f.references or f.name in (
        "departement", "insee_code", "status", "owner_uuid")]
    for name in indexed:
        if name == "status" and figures:
            continue
        yield 'CREATE INDEX "%s_%s_idx" ON %s (%s)' % (table.name, name, quoted(table.name), quoted(name))
    yield from declared_indexes(table)


def declared_indexes(table: Table) -> Iterator[str]:
    """The table's own indexes (Table.indexes), named after their columns (both stores)."""
    for columns in table.indexes:
        yield 'CREATE INDEX "%s_%s_idx" ON %s (%s)' % (table.name, "_".join(columns), quoted(table.name),
                                                       ", ".join(quoted(c) for c in columns))


_INDEX_NAME = re.compile(r'^CREATE INDEX "([^"]+)" ON "([^"]+)"')


def created_index(statement: str) -> Optional[Tuple[str, str]]:
    """(index, table) of a CREATE INDEX statement of create_indexes; None for another statement."""
    match = _INDEX_NAME.match(statement)
    return (match.group(1), match.group(2)) if match else None


def index_upgrade(existing: Dict[str, str], tables) -> List[str]:
    """The statements that bring the indexes of an existing file to those declared for `tables`:
    `existing` maps the names of the file's indexes to their SQL (sqlite_master). An index
    declared differently is made again; a retired one is dropped."""
    declared = {_INDEX_NAME.match(sql).group(1): sql for table in tables for sql in create_indexes(table)}
    statements = ["DROP INDEX %s" % quoted_name(name) for name in existing
                  if name in RETIRED_INDEXES or (name in declared and existing[name] != declared[name])]
    statements += [sql for name, sql in declared.items() if existing.get(name) != sql]
    return statements


def check_triggers(table: Table) -> Tuple[str, str]:
    """The names of the triggers that enforce the table's rules a CHECK constraint cannot."""
    return "%s_check_insert" % table.name, "%s_check_update" % table.name


def own_triggers(connection) -> List[str]:
    """The names of the store's own triggers on its tables (the working copy's and shared file's
    included), not GDAL's (spatial index, feature counts)."""
    return [name for name, table_name in connection.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        if table_name in TABLES_BY_NAME and not name.startswith(("rtree_", "trigger_"))]


def _raise_unless(rules, prefix: str) -> List[str]:
    return ["SELECT RAISE(ABORT, %s) WHERE NOT (%s);" % (
        sql_literal(constraint_name(rule)), with_row_prefix(rule.expression(SQLITE), prefix))
        for rule in rules]


def checked_codes(create_sql: str, table: Table) -> Set[str]:
    """The rules an existing CREATE TABLE statement enforces as CHECK constraints, each as declared
    today: its expression, not only its name."""
    return {rule.code for rule in checked_rules(table) if check_clause(rule) in create_sql}


_ENFORCED_NAME = re.compile(r"""CONSTRAINT "((?:[^"]|"")+)" CHECK|RAISE\(ABORT, '((?:[^']|'')+)'\)""")
_RULE_CODE = re.compile(r"^[a-z0-9_]+$")
ADDED, CHANGED, REMOVED = "ajoutée", "modifiée", "retirée"


def rule_summary(table_name: str, changes) -> List[str]:
    """What an upgrade's summary says of (rule code, change) pairs: one line per kind of change."""
    lines = []
    for change in (ADDED, CHANGED, REMOVED):
        codes = [code for code, kind in changes if kind == change]
        if codes:
            lines.append("%s : règles %ss : %s" % (table_name, change, ", ".join(codes)))
    return lines


def rule_changes(table: Table, existing_sql: str) -> List[Tuple[str, str]]:
    """(rule code, ADDED | CHANGED | REMOVED) between the rules `existing_sql` (the CREATE TABLE
    and trigger statements of a table) enforces and those declared today, compared by their
    rendered expression."""
    names = {(check or raised.replace("''", "'")).replace('""', '"')
             for check, raised in _ENFORCED_NAME.findall(existing_sql)}
    existing_codes = {name.split(":", 1)[0] for name in names
                      if _RULE_CODE.match(name.split(":", 1)[0]) and name.startswith(table.name + "_")}
    declared = [rule for rule in table.all_rules() if rule.expression(SQLITE)]
    changes = []
    for rule in declared:
        rendered = (check_clause(rule), _raise_unless([rule], "NEW")[0])
        if rule.code not in existing_codes:
            changes.append((rule.code, ADDED))
        elif not any(text in existing_sql for text in rendered):
            changes.append((rule.code, CHANGED))
    declared_codes = {rule.code for rule in declared}
    changes += [(code, REMOVED) for code in sorted(existing_codes - declared_codes)]
    return changes


def create_triggers(table: Table, checked: Optional[Set[str]] = None, role: str = STANDALONE) -> Iterator[str]:
    """The table's triggers; rules missing from `checked` (the table's CHECK
    constraints, when it was built by an older schema) are enforced here too.
    `role` WORKING_COPY: see the roles above."""
    name = table.name
    q = quoted(name)
    dated_rules = [r for r in table.all_rules() if r.expression(SQLITE) and (
        not r.deterministic or (checked is not None and r.code not in checked))]
    all_columns = ([GEOMETRY_COLUMN] if table.geometry else []) + list(table.field_names)
    if dated_rules:
        checks = "\n  ".join(_raise_unless(dated_rules, "NEW"))
        # Not re-run by the store's own stamping UPDATE below (it sets STAMPED_COLUMNS only).
        written = ", ".join(quoted(c) for c in all_columns if c not in STAMPED_COLUMNS)
        insert_trigger, update_trigger = check_triggers(table)
        yield 'CREATE TRIGGER "%s" BEFORE INSERT ON %s BEGIN\n  %s\nEND' % (insert_trigger, q, checks)
        yield 'CREATE TRIGGER "%s" BEFORE UPDATE OF %s ON %s BEGIN\n  %s\nEND' % (
            update_trigger, written, q, checks)

    yield ('CREATE TRIGGER "%s_uuid_fixed" BEFORE UPDATE OF "uuid" ON %s '
           'WHEN OLD."uuid" IS NOT NULL AND NEW."uuid" IS NOT OLD."uuid" BEGIN\n'
           "  SELECT RAISE(ABORT, %s);\nEND" % (name, q, sql_literal(
               "L'identifiant (uuid) d'un objet ne change pas / The uuid of a feature cannot change")))

    incomplete = " OR ".join('NEW."%s" IS NULL' % c for c in SYNC_FIELD_NAMES)
    first_population_stamp = ""
    if POPULATION_STAMP in table.field_names:
        known = " OR ".join('"%s" IS NOT NULL' % c for c in population_fields(table))
        first_population_stamp = ',\n    "%s" = coalesce("%s", CASE WHEN %s THEN coalesce("created_at", %s) END)' % (
            POPULATION_STAMP, POPULATION_STAMP, known, NOW)
    yield ('CREATE TRIGGER "%s_fill_insert" AFTER INSERT ON %s WHEN %s BEGIN\n'
           '  UPDATE %s SET "uuid" = coalesce("uuid", %s), "row_version" = coalesce("row_version", 1),\n'
           '    "created_at" = coalesce("created_at", %s), "created_by" = coalesce("created_by", %s),\n'
           '    "updated_at" = coalesce("updated_at", "created_at", %s),\n'
           '    "updated_by" = coalesce("updated_by", "created_by", %s)%s\n'
           '  WHERE "fid" = NEW."fid";\nEND' % (
               name, q, incomplete, q, NEW_UUID, NOW, EDITING_AUTHOR, NOW,
               EDITING_AUTHOR, first_population_stamp))

    kept = history_columns(table)
    history = quoted(history_of(name))
    column_list = ", ".join(quoted(c) for c in kept)
    old_values = ", ".join('OLD."%s"' % c for c in kept)
    # Columns the store writes itself stay out, or its own UPDATE would log a version
    # (GDAL turns recursive triggers on).
    business = [c for c in kept if c not in SYNC_FIELD_NAMES and c != POPULATION_STAMP]
    changed = " OR ".join('NEW."%s" IS NOT OLD."%s"' % (c, c) for c in business)
    # UPDATE OF the business columns: the stamping UPDATE (sync fields only) does not even fire
    # these triggers, instead of evaluating their WHEN once more for every row.
    business_list = ", ".join(quoted(c) for c in business)
    complete = " AND ".join('OLD."%s" IS NOT NULL' % c for c in SYNC_FIELD_NAMES)
    # A writer that knows the protocol (the plugin) sends row_version + 1 and its
    # login; any other writer is recorded as external.
    # A writer that names itself (changes updated_by, or sends row_version + 1 as the import
    # and the sync do) is recorded as such; otherwise the login the plugin published while a
    # layer of this store is in edit mode (QGIS writes a moved geometry and the attributes in
    # separate UPDATEs); otherwise an external tool.
    author = ('CASE WHEN NEW."updated_by" IS NOT OLD."updated_by" OR NEW."row_version" = OLD."row_version" + 1 '
              'THEN coalesce(NEW."updated_by", %s) ELSE %s END' % (sql_literal(EXTERNAL_AUTHOR), EDITING_AUTHOR))
    population_stamp = ""
    if POPULATION_STAMP in table.field_names:
        population_changed = " OR ".join('NEW."%s" IS NOT OLD."%s"' % (c, c) for c in population_fields(table))
        population_stamp = ', "%s" = CASE WHEN %s THEN %s ELSE NEW."%s" END' % (
            POPULATION_STAMP, population_changed, NOW, POPULATION_STAMP)
    if role == WORKING_COPY:
        # A working copy holds a scope: a programme's sites may lie outside it. The shared store
        # checks the references of what the copy sends.
        yield ('CREATE TRIGGER "%s_stamp_update" AFTER UPDATE OF %s ON %s WHEN (%s) AND (%s) AND %s BEGIN\n'
               '  UPDATE %s SET "row_version" = OLD."row_version", "updated_at" = %s, "updated_by" = %s%s\n'
               '    WHERE "fid" = NEW."fid";\nEND' % (
                   name, business_list, q, complete, changed, NOT_APPLYING, q, NOW, author, population_stamp))
        return
    yield ('CREATE TRIGGER "%s_history_update" AFTER UPDATE OF %s ON %s WHEN (%s) AND (%s) BEGIN\n'
           '  INSERT INTO %s (%s, "valid_from", "valid_to", "changed_by", "operation")\n'
           "    VALUES (%s, OLD.\"updated_at\", %s, %s, 'update');\n"
           '  UPDATE %s SET "row_version" = OLD."row_version" + 1, "updated_at" = %s, "updated_by" = %s%s\n'
           '    WHERE "fid" = NEW."fid";\nEND' % (
               name, business_list, q, complete, changed, history, column_list, old_values, NOW, author, q,
               NOW, author, population_stamp))
    yield ('CREATE TRIGGER "%s_history_delete" AFTER DELETE ON %s BEGIN\n'
           '  INSERT INTO %s (%s, "valid_from", "valid_to", "changed_by", "operation")\n'
           "    VALUES (%s, OLD.\"updated_at\", %s, %s, 'delete');\nEND" % (
               name, q, history, column_list, old_values, NOW, EDITING_AUTHOR))
    yield from relation_triggers(table)


def relation_triggers(table: Table) -> Iterator[str]:
    """The relations of the declaration (schema.RELATIONS), enforced whoever writes: a reference
    names an existing row; deleting a row deletes the rows that require it and empties the optional
    references to it (their own triggers keep the history)."""
    q = quoted(table.name)
    for relation in RELATIONS:
        if relation.table is table:
            column = quoted(relation.field.name)
            missing = 'NEW.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s WHERE "uuid" = NEW.%s)' % (
                column, quoted(relation.target), column)
            refusal = sql_literal("%s: %s / %s" % (relation.code, relation.message, relation.message_en))
            # an update is checked when it changes the reference, as PostgreSQL does: a row an older
            # schema let dangle can still be edited
            for event, when, changed in (("insert", "INSERT", ""), ("update", "UPDATE OF %s" % column,
                                                                    " AND NEW.%s IS NOT OLD.%s" % (column, column))):
                yield ('CREATE TRIGGER "%s_%s" BEFORE %s ON %s WHEN %s%s BEGIN\n  SELECT RAISE(ABORT, %s);\nEND'
                       % (relation.code, event, when, q, missing, changed, refusal))
        if relation.target == table.name:
            child, column = quoted(relation.table.name), quoted(relation.field.name)
            action = ("DELETE FROM %s WHERE %s = OLD.\"uuid\"" % (child, column) if relation.cascades
                      else "UPDATE %s SET %s = NULL WHERE %s = OLD.\"uuid\"" % (child, column, column))
            yield 'CREATE TRIGGER "%s_on_delete" AFTER DELETE ON %s BEGIN\n  %s;\nEND' % (relation.code, q, action)


def table_statements(table: Table, role: str = STANDALONE) -> Iterator[str]:
    yield create_table(table)
    yield create_history_table(table)
    yield from create_indexes(table)
    yield from create_triggers(table, role=role)
