"""PostgreSQL/PostGIS DDL of a shared store, generated from the schema declaration.

Per table: the feature table (fid bigserial, geometry in EPSG:4326, typed
columns, the rules as CHECK constraints named by their code, the message in
the constraint's comment), the history table with typed columns, and:

* a BEFORE row trigger that fills uuid/row_version/created_*/updated_* of new
  rows, refuses a changed uuid, and on an update that changes a field or on a
  delete keeps the previous version in the history table (valid_from /
  valid_to / changed_by), bumping row_version and stamping updated_*;
* a BEFORE statement trigger taking the sync's advisory lock, so that every
  writer (sync or not) commits in server-sequence order;
* AFTER statement triggers (transition tables: cheap on a COPY of 100,000
  rows) numbering the changed rows in rs_changes and logging new rows in
  rs_versions; the row trigger logs every accepted update and delete there
  (batch, offline edit time, acceptance time, author).

The login and the batch reach the triggers through set_config('app.user', …,
true) and set_config('app.batch', …, true) inside the sync transaction.
"""
from typing import Iterator, List, Optional

from ..model import schema
from ..model.rules import POSTGRES, quoted, sql_literal
from ..model.schema import EXTERNAL_AUTHOR, SYNC_FIELD_NAMES, Kind, Table, history_of
from .sqlite_ddl import (GEOMETRY_COLUMN, POPULATION_STAMP, constraint_name, declared_indexes, history_columns,
                         population_fields, with_row_prefix)

# pg_advisory_xact_lock key of sync commits ("RSIG").
SYNC_LOCK = 0x52534947

PG_TYPES = {
    Kind.TEXT: "text", Kind.ENUM: "text", Kind.INTEGER: "integer", Kind.REAL: "double precision",
    Kind.DATE: "date", Kind.DATETIME: "timestamptz", Kind.BOOLEAN: "boolean", Kind.BLOB: "bytea",
}

APP_USER = "nullif(current_setting('app.user', true), '')"
APP_BATCH = "nullif(current_setting('app.batch', true), '')"

# Conflict decisions of the working copies (see sync.protocol.RESOLUTIONS_TABLE); IF NOT EXISTS: a store
# created before them gets the table at the first decision recorded.
RESOLUTIONS_DDL = (
    'CREATE TABLE IF NOT EXISTS "rs_conflict_resolutions" ("client_id" text NOT NULL, '
    '"resolution_id" bigint NOT NULL, "uuid" text NOT NULL, "table_name" text NOT NULL, "field" text NOT NULL, '
    '"choice" text NOT NULL CHECK ("choice" IN (\'mine\', \'theirs\')), "resolved_by" text, '
    '"resolved_at" timestamptz, "recorded_at" timestamptz NOT NULL, "row_version" integer, "batch_id" text, '
    'PRIMARY KEY ("client_id", "resolution_id"))',
    'CREATE INDEX IF NOT EXISTS "rs_conflict_resolutions_uuid_idx" ON "rs_conflict_resolutions" ("uuid")',
)

COMMON_DDL = (
    'CREATE TABLE IF NOT EXISTS "rs_meta" ("key" text PRIMARY KEY, "value" text)',
    'CREATE SEQUENCE "rs_seq"',
    'CREATE TABLE "rs_changes" ("uuid" text PRIMARY KEY, "table_name" text NOT NULL, '
    '"seq" bigint NOT NULL UNIQUE, "deleted" boolean NOT NULL DEFAULT false)',
    'CREATE TABLE "rs_versions" ("id" bigserial PRIMARY KEY, "uuid" text NOT NULL, "table_name" text NOT NULL, '
    '"row_version" integer, "operation" text NOT NULL, "batch_id" text, "edited_at" timestamptz, '
    '"accepted_at" timestamptz NOT NULL, "changed_by" text)',
    'CREATE INDEX "rs_versions_uuid_idx" ON "rs_versions" ("uuid", "row_version")',
    'CREATE TABLE "rs_batches" ("batch_id" text PRIMARY KEY, "client_id" text NOT NULL, "login" text, '
    '"started_at" timestamptz NOT NULL, "committed_at" timestamptz NOT NULL, "received" integer NOT NULL, '
    '"accepted" integer NOT NULL, "conflicts" integer NOT NULL, "result" text NOT NULL)',
    'CREATE FUNCTION "rs_lock"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
    'PERFORM pg_advisory_xact_lock(%d); RETURN NULL; END $$' % SYNC_LOCK,
) + RESOLUTIONS_DDL


def column_type(field) -> str:
    return PG_TYPES[field.kind]


def geometry_type(table: Table) -> str:
    return "geometry(%s, %d)" % (table.geometry.capitalize().replace("Multi", "Multi"), schema.STORAGE_SRID)


def _columns(table: Table) -> List[str]:
    columns = ['"fid" bigserial PRIMARY KEY']
    if table.geometry:
        columns.append('"%s" %s' % (GEOMETRY_COLUMN, geometry_type(table)))
    for field in table.fields:
        definition = "%s %s" % (quoted(field.name), column_type(field))
        if field.default is not None:
            definition += " DEFAULT %s" % sql_literal(field.default)
        columns.append(definition)
    return columns


def create_table(table: Table) -> Iterator[str]:
    parts = _columns(table)
    for field in table.fields:
        if field.unique:
            parts.append("UNIQUE (%s)" % quoted(field.name))
    for columns in table.unique_together:
        parts.append("UNIQUE (%s)" % ", ".join(quoted(c) for c in columns))
    rules = [r for r in table.all_rules() if r.expression(POSTGRES) and not r.across_rows]
    for rule in rules:
        parts.append("CONSTRAINT %s CHECK (%s)" % (quoted(rule.code), rule.expression(POSTGRES)))
    yield "CREATE TABLE %s (\n  %s\n)" % (quoted(table.name), ",\n  ".join(parts))
    for rule in rules:
        yield "COMMENT ON CONSTRAINT %s ON %s IS %s" % (quoted(rule.code), quoted(table.name),
                                                        sql_literal(rule.bilingual_message))


def create_history_table(table: Table) -> str:
    columns = ['"history_id" bigserial PRIMARY KEY']
    if table.geometry:
        columns.append('"%s" %s' % (GEOMETRY_COLUMN, geometry_type(table)))
    columns += ["%s %s" % (quoted(f.name), column_type(f)) for f in table.fields]
    columns += ['"valid_from" timestamptz', '"valid_to" timestamptz NOT NULL', '"changed_by" text',
                '"operation" text NOT NULL CHECK ("operation" IN (\'update\', \'delete\'))', '"reason" text']
    return "CREATE TABLE %s (\n  %s\n)" % (quoted(history_of(table.name)), ",\n  ".join(columns))


def create_indexes(table: Table) -> Iterator[str]:
    history = history_of(table.name)
    # valid_from too: a site's first version (the one that ends first) and its beginning from the index
    # alone (the reconstructed past, sums_sql.first_in_history).
    yield 'CREATE INDEX "%s_uuid_idx" ON %s ("uuid", "valid_to", "valid_from")' % (history, quoted(history))
    yield 'CREATE INDEX "%s_valid_idx" ON %s ("valid_to", "valid_from")' % (history, quoted(history))
    if table.geometry:
        yield 'CREATE INDEX "%s_geom_idx" ON %s USING gist ("%s")' % (table.name, quoted(table.name),
                                                                       GEOMETRY_COLUMN)
    for field in table.fields:
        if field.references or field.name in ("departement", "insee_code", "status", "owner_uuid"):
            yield 'CREATE INDEX "%s_%s_idx" ON %s (%s)' % (table.name, field.name, quoted(table.name),
                                                           quoted(field.name))
    yield from declared_indexes(table)


def _row_function(table: Table) -> str:
    name = table.name
    kept = history_columns(table)
    business = [c for c in kept if c not in SYNC_FIELD_NAMES and c != POPULATION_STAMP]
    changed = " OR ".join('NEW.%s IS DISTINCT FROM OLD.%s' % (quoted(c), quoted(c)) for c in business)
    column_list = ", ".join(quoted(c) for c in kept)
    old_values = ", ".join("OLD.%s" % quoted(c) for c in kept)
    author = ("CASE WHEN NEW.\"row_version\" = OLD.\"row_version\" + 1 OR NEW.\"updated_by\" IS DISTINCT FROM "
              "OLD.\"updated_by\" THEN coalesce(NEW.\"updated_by\", %s, %s) ELSE coalesce(%s, %s) END" % (
                  APP_USER, sql_literal(EXTERNAL_AUTHOR), APP_USER, sql_literal(EXTERNAL_AUTHOR)))
    population_insert = population_update = ""
    if POPULATION_STAMP in table.field_names:
        fields = population_fields(table)
        known = " OR ".join("NEW.%s IS NOT NULL" % quoted(c) for c in fields)
        moved = " OR ".join("NEW.%s IS DISTINCT FROM OLD.%s" % (quoted(c), quoted(c)) for c in fields)
        population_insert = ("    IF NEW.\"%s\" IS NULL AND (%s) THEN NEW.\"%s\" := NEW.\"created_at\"; END IF;\n"
                             % (POPULATION_STAMP, known, POPULATION_STAMP))
        population_update = "      IF %s THEN NEW.\"%s\" := now(); END IF;\n" % (moved, POPULATION_STAMP)
    return (
        'CREATE FUNCTION "%s_row"() RETURNS trigger LANGUAGE plpgsql AS $$\n'
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        "    NEW.\"uuid\" := coalesce(NEW.\"uuid\", gen_random_uuid()::text);\n"
        "    NEW.\"row_version\" := coalesce(NEW.\"row_version\", 1);\n"
        "    NEW.\"created_at\" := coalesce(NEW.\"created_at\", now());\n"
        "    NEW.\"created_by\" := coalesce(NEW.\"created_by\", %s, %s);\n"
        "    NEW.\"updated_by\" := coalesce(NEW.\"updated_by\", NEW.\"created_by\");\n"
        "%s"
        "    -- updated_at is the time the shared store accepted the row (the offline time is in rs_versions)\n"
        "    NEW.\"updated_at\" := CASE WHEN %s IS NULL THEN coalesce(NEW.\"updated_at\", now()) ELSE now() END;\n"
        "    RETURN NEW;\n"
        "  ELSIF TG_OP = 'UPDATE' THEN\n"
        "    IF OLD.\"uuid\" IS NOT NULL AND NEW.\"uuid\" IS DISTINCT FROM OLD.\"uuid\" THEN\n"
        "      RAISE EXCEPTION %s;\n"
        "    END IF;\n"
        "    IF %s THEN\n"
        "      INSERT INTO %s (%s, \"valid_from\", \"valid_to\", \"changed_by\", \"operation\")\n"
        "        VALUES (%s, OLD.\"updated_at\", now(), %s, 'update');\n"
        "      NEW.\"updated_by\" := %s;\n"
        "      NEW.\"row_version\" := OLD.\"row_version\" + 1;\n"
        "%s"
        "      NEW.\"updated_at\" := now();\n"
        "%s"
        "    END IF;\n"
        "    RETURN NEW;\n"
        "  ELSE\n"
        "    INSERT INTO %s (%s, \"valid_from\", \"valid_to\", \"changed_by\", \"operation\")\n"
        "      VALUES (%s, OLD.\"updated_at\", now(), coalesce(%s, %s), 'delete');\n"
        "%s"
        "    RETURN OLD;\n"
        "  END IF;\n"
        "END $$" % (
            name, APP_USER, sql_literal(EXTERNAL_AUTHOR), population_insert,
            APP_BATCH,
            sql_literal("L'identifiant (uuid) d'un objet ne change pas / The uuid of a feature cannot change"),
            changed, quoted(history_of(name)), column_list, old_values, author, author,
            _version_log(name, "NEW", "'update'", 'NEW."row_version"', 'NEW."updated_by"', "      "),
            population_update,
            quoted(history_of(name)), column_list, old_values, APP_USER, sql_literal(EXTERNAL_AUTHOR),
            _version_log(name, "OLD", "'delete'", 'OLD."row_version" + 1',
                         "coalesce(%s, %s)" % (APP_USER, sql_literal(EXTERNAL_AUTHOR)), "    ")))


def _version_log(name: str, row: str, operation: str, version: str, author: str, indent: str) -> str:
    """Log the accepted version: its batch, the time it was made (offline: the updated_at the
    working copy sent), the time the shared store accepted it, who made it."""
    edited = 'CASE WHEN %s IS NULL THEN now() ELSE coalesce(%s."updated_at", now()) END' % (APP_BATCH, row)
    if row == "OLD":
        edited = "now()"
    return ("%sINSERT INTO \"rs_versions\" (\"uuid\", \"table_name\", \"row_version\", \"operation\", "
            "\"batch_id\", \"edited_at\", \"accepted_at\", \"changed_by\")\n"
            "%s  VALUES (%s.\"uuid\", '%s', %s, %s, %s, %s, now(), %s);\n" % (
                indent, indent, row, name, version, operation, APP_BATCH, edited, author))


def _numbering(name: str, changed_rows: str) -> str:
    return ("    INSERT INTO \"rs_changes\" (\"uuid\", \"table_name\", \"seq\", \"deleted\")\n"
            "      %s\n"
            "      ON CONFLICT (\"uuid\") DO UPDATE SET \"seq\" = excluded.\"seq\", "
            "\"deleted\" = excluded.\"deleted\", \"table_name\" = excluded.\"table_name\";\n" % changed_rows)


def _log_function(table: Table) -> str:
    """Number the rows a statement changed and log the new rows, set-based (cheap on a COPY of
    100,000 rows)."""
    name = table.name
    return (
        'CREATE FUNCTION "%s_log"() RETURNS trigger LANGUAGE plpgsql AS $$\n'
        "BEGIN\n"
        "  IF TG_OP = 'DELETE' THEN\n%s"
        "  ELSIF TG_OP = 'UPDATE' THEN\n%s"
        "  ELSE\n%s"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$" % (
            name,
            _numbering(name, "SELECT o.\"uuid\", '%s', nextval('rs_seq'), true FROM old_rows o "
                             "WHERE o.\"uuid\" IS NOT NULL" % name),
            _numbering(name, "SELECT n.\"uuid\", '%s', nextval('rs_seq'), false FROM new_rows n "
                             "JOIN old_rows o ON o.\"fid\" = n.\"fid\" "
                             "WHERE n.\"row_version\" IS DISTINCT FROM o.\"row_version\"" % name),
            _numbering(name, "SELECT n.\"uuid\", '%s', nextval('rs_seq'), false FROM new_rows n" % name)
            # a new row's offline time is its creation time
            + "    INSERT INTO \"rs_versions\" (\"uuid\", \"table_name\", \"row_version\", \"operation\", "
              "\"batch_id\", \"edited_at\", \"accepted_at\", \"changed_by\")\n"
              "      SELECT n.\"uuid\", '%s', n.\"row_version\", 'insert', %s, "
              "CASE WHEN %s IS NULL THEN now() ELSE n.\"created_at\" END, now(), n.\"updated_by\" FROM new_rows n;\n"
            % (name, APP_BATCH, APP_BATCH)))


def create_triggers(table: Table) -> Iterator[str]:
    name, q = table.name, quoted(table.name)
    yield _row_function(table)
    yield _log_function(table)
    yield ('CREATE TRIGGER "%s_lock" BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH STATEMENT '
           'EXECUTE FUNCTION "rs_lock"()' % (name, q))
    yield ('CREATE TRIGGER "%s_row" BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
           'EXECUTE FUNCTION "%s_row"()' % (name, q, name))
    for operation, references in (("INSERT", "NEW TABLE AS new_rows"),
                                  ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                  ("DELETE", "OLD TABLE AS old_rows")):
        yield ('CREATE TRIGGER "%s_log_%s" AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT '
               'EXECUTE FUNCTION "%s_log"()' % (name, operation.lower(), operation, q, references, name))


def relation_constraints(of_table: Optional[str] = None) -> Iterator[str]:
    """The relations of the declaration (schema.RELATIONS) as foreign keys (those of `of_table`
    only, when given): a reference names an existing row; deleting a row deletes the rows that require
    it and empties the optional references (the row triggers of those rows keep their history). Checked
    at once, so that the sync tells which row of a batch is refused."""
    for relation in schema.RELATIONS:
        if of_table is not None and relation.table.name != of_table:
            continue
        yield ("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (\"uuid\") ON DELETE %s" % (
            quoted(relation.table.name), quoted(relation.code), quoted(relation.field.name),
            quoted(relation.target), "CASCADE" if relation.cascades else "SET NULL"))
        yield "COMMENT ON CONSTRAINT %s ON %s IS %s" % (
            quoted(relation.code), quoted(relation.table.name),
            sql_literal("%s / %s" % (relation.message, relation.message_en)))


def create_rule_triggers(table: Table) -> Iterator[str]:
    """The rules that read other rows, checked at commit (a deferred constraint trigger): a month
    whose total and sub-counts both change is judged once all its rows are written. The row is read
    again, so that a row changed twice in a transaction is judged as it ends. Safe to run again
    (an upgrade makes them anew)."""
    rules = [r for r in table.all_rules() if r.across_rows and r.expression(POSTGRES)]
    name, q = table.name, quoted(table.name)
    yield 'DROP TRIGGER IF EXISTS "%s_rules" ON %s' % (name, q)
    if not rules:
        return
    checks = "".join(
        "  IF NOT (%s) THEN\n    RAISE EXCEPTION USING MESSAGE = %s, ERRCODE = 'check_violation', "
        "CONSTRAINT = %s;\n  END IF;\n" % (with_row_prefix(rule.expression(POSTGRES), "current_row"),
                                         sql_literal(constraint_name(rule)), sql_literal(rule.code))
        for rule in rules)
    yield ('CREATE OR REPLACE FUNCTION "%s_rules"() RETURNS trigger LANGUAGE plpgsql AS $$\n'
           "DECLARE current_row %s%%ROWTYPE;\n"
           "BEGIN\n"
           "  SELECT * INTO current_row FROM %s WHERE \"fid\" = NEW.\"fid\";\n"
           "  IF NOT FOUND THEN RETURN NULL; END IF;\n"
           "%s"
           "  RETURN NULL;\n"
           "END $$" % (name, q, q, checks))
    yield ('CREATE CONSTRAINT TRIGGER "%s_rules" AFTER INSERT OR UPDATE ON %s DEFERRABLE INITIALLY DEFERRED '
           'FOR EACH ROW EXECUTE FUNCTION "%s_rules"()' % (name, q, name))


def statements() -> Iterator[str]:
    """The whole shared store, in order."""
    yield from COMMON_DDL
    for table in schema.TABLES:
        yield from create_table(table)
        yield create_history_table(table)
        yield from create_indexes(table)
        yield from create_triggers(table)
        yield from create_rule_triggers(table)
    yield from relation_constraints()


# --- reading and writing values in the working copy's representation ------------------

def select_expression(table: Table, column: str, prefix: str = "") -> str:
    """A column read back as the working copy stores it (dates as text, booleans 0/1, WKB)."""
    q = prefix + quoted(column)
    if column == GEOMETRY_COLUMN:
        return "ST_AsBinary(%s, 'NDR')" % q
    kind = table.field(column).kind
    if kind is Kind.DATE:
        return "to_char(%s, 'YYYY-MM-DD')" % q
    if kind is Kind.DATETIME:
        return "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" % q
    if kind is Kind.BOOLEAN:
        return "%s::integer" % q
    return q


def bytea_literal(value: bytes) -> str:
    return "'\\x%s'::bytea" % value.hex()


def value_placeholder(table: Table, column: str) -> str:
    if column == GEOMETRY_COLUMN:
        return "ST_GeomFromWKB(%%s, %d)" % schema.STORAGE_SRID
    if table.field(column).kind is Kind.BOOLEAN:
        return "%s::integer::boolean"
    return "%s"
