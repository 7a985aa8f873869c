"""The working copy: a GeoPackage store (role 'working_copy') that records its own changes.

Tables added to the store (names start with rs_):

* rs_sync_state: one row: the shared store it follows, the last server
  sequence pulled, this copy's client id, the login, the départements, the
  local change counter, and the `applying` flag that the triggers test so that
  the sync's own writes are not captured;
* rs_dirty: one row per changed uuid (table, op insert|update|delete, local
  sequence, first/last change time, who);
* rs_base_<table>: the "first touch" copy of a row as it was at the last sync,
  the common ancestor of the merge;
* rs_conflicts: the fields waiting for a decision (base, mine, theirs as JSON);
* rs_outbox: the batch being sent, kept until the shared store's answer is
  applied, so that a resend after a crash sends the same batch id and rows;
  rs_outbox_<table> keeps a row of the batch as it was saved when it changes
  before the answer is applied (the batch's rows are read from the table);
* rs_history_cursors: the last shared history row copied, per table;
* rs_resolutions: who chose what for which conflict, and whether the shared
  store has recorded it (`sent`).

The capture triggers run inside the edit's own transaction, so edits made by
QGIS, ogr2ogr or plain SQL are all recorded.
"""
import contextlib
import os
import sqlite3
import struct
from typing import Dict, Iterator, List, Optional

from ..model import schema
from ..model.rules import quoted
from ..model.schema import EXTERNAL_AUTHOR, Kind, Table
from ..store import gpkg, sqlite_ddl
from ..store.sqlite_ddl import GEOMETRY_COLUMN, NOT_APPLYING, NOW, SYNC_STATE_TABLE, WORKING_COPY
from .protocol import COPY_NULL
from .values import columns, edited_columns

DIRTY = "rs_dirty"
CONFLICTS = "rs_conflicts"
OUTBOX = "rs_outbox"
HISTORY_CURSORS = "rs_history_cursors"
RESOLUTIONS = "rs_resolutions"


def base_table(table: Table) -> str:
    return "rs_base_" + table.name


def outbox_table(table: Table) -> str:
    return "rs_outbox_" + table.name


STATE_DDL = (
    'CREATE TABLE "%s" ("id" INTEGER PRIMARY KEY CHECK ("id" = 1), "applying" INTEGER NOT NULL DEFAULT 0, '
    '"last_sequence" INTEGER NOT NULL DEFAULT 0, "change_counter" INTEGER NOT NULL DEFAULT 0, '
    '"client_id" TEXT NOT NULL, "login" TEXT, "shared" TEXT NOT NULL, "shared_id" TEXT NOT NULL, '
    '"departements" TEXT NOT NULL, "last_sync_at" TEXT)' % SYNC_STATE_TABLE)

LOCAL_DDL = (
    'CREATE TABLE "%s" ("uuid" TEXT PRIMARY KEY NOT NULL, "table_name" TEXT NOT NULL, '
    '"op" TEXT NOT NULL CHECK ("op" IN (\'insert\', \'update\', \'delete\')), "seq" INTEGER NOT NULL, '
    '"first_changed_at" TEXT NOT NULL, "last_changed_at" TEXT NOT NULL, "changed_by" TEXT)' % DIRTY,
    'CREATE TABLE "%s" ("uuid" TEXT NOT NULL, "table_name" TEXT NOT NULL, "field" TEXT NOT NULL, '
    '"base" TEXT, "mine" TEXT, "theirs" TEXT, "detected_at" TEXT NOT NULL, PRIMARY KEY ("uuid", "field"))'
    % CONFLICTS,
    'CREATE TABLE "%s" ("batch_id" TEXT NOT NULL, "position" INTEGER NOT NULL, "table_name" TEXT NOT NULL, '
    '"uuid" TEXT NOT NULL, "op" TEXT NOT NULL, "expected_version" INTEGER, "local_seq" INTEGER NOT NULL, '
    'PRIMARY KEY ("batch_id", "position"))' % OUTBOX,
    'CREATE TABLE "%s" ("table_name" TEXT PRIMARY KEY NOT NULL, "last_history_id" INTEGER NOT NULL)'
    % HISTORY_CURSORS,
    'CREATE TABLE "%s" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "uuid" TEXT NOT NULL, "table_name" TEXT, '
    '"field" TEXT NOT NULL, "choice" TEXT NOT NULL, "login" TEXT, "resolved_at" TEXT NOT NULL, '
    '"sent" INTEGER NOT NULL DEFAULT 0)' % RESOLUTIONS,
)


def _row_copy_ddl(table: Table, name: str) -> str:
    definitions = []
    if table.geometry:
        definitions.append('"%s" BLOB' % sqlite_ddl.GEOMETRY_COLUMN)
    for field in table.fields:
        definition = "%s %s" % (quoted(field.name), sqlite_ddl.column_type(field))
        if field.name == "uuid":
            definition += " PRIMARY KEY NOT NULL"
        definitions.append(definition)
    return "CREATE TABLE %s (%s)" % (quoted(name), ", ".join(definitions))


def _dirty_upsert(table: Table, row: str, op: str) -> str:
    """Record `op` on the row; an insert stays an insert, a re-insert after a delete is an update."""
    return ('UPDATE "%s" SET "change_counter" = "change_counter" + 1;\n'
            '  INSERT INTO "%s" ("uuid", "table_name", "op", "seq", "first_changed_at", "last_changed_at", '
            '"changed_by")\n'
            '    VALUES (%s."uuid", \'%s\', \'%s\', (SELECT "change_counter" FROM "%s"), %s, %s, '
            '(SELECT "login" FROM "%s"))\n'
            '    ON CONFLICT ("uuid") DO UPDATE SET "seq" = excluded."seq", "last_changed_at" = excluded.'
            '"last_changed_at", "changed_by" = excluded."changed_by", "op" = CASE WHEN "%s"."op" = \'insert\' '
            'THEN \'insert\' WHEN "%s"."op" = \'delete\' AND excluded."op" = \'insert\' THEN \'update\' '
            'ELSE excluded."op" END;' % (
                SYNC_STATE_TABLE, DIRTY, row, table.name, op, SYNC_STATE_TABLE, NOW, NOW, SYNC_STATE_TABLE,
                DIRTY, DIRTY))


def _first_touch(table: Table) -> str:
    kept = columns(table)
    return ('INSERT OR IGNORE INTO %s (%s) SELECT %s WHERE NOT EXISTS (SELECT 1 FROM "%s" '
            'WHERE "uuid" = OLD."uuid" AND "op" = \'insert\');' % (
                quoted(base_table(table)), ", ".join(quoted(c) for c in kept),
                ", ".join('OLD."%s"' % c for c in kept), DIRTY))


def capture_triggers(table: Table) -> Iterator[str]:
    name, q = table.name, quoted(table.name)
    business = edited_columns(table)
    changed = " OR ".join('NEW."%s" IS NOT OLD."%s"' % (c, c) for c in business)
    yield ('CREATE TRIGGER "%s_capture_insert" AFTER INSERT ON %s WHEN NEW."uuid" IS NOT NULL AND %s BEGIN\n'
           '  %s\nEND' % (name, q, NOT_APPLYING, _dirty_upsert(table, "NEW", "insert")))
    # A row written without uuid gets one from the store's own trigger, by an UPDATE.
    yield ('CREATE TRIGGER "%s_capture_new_uuid" AFTER UPDATE OF "uuid" ON %s '
           'WHEN OLD."uuid" IS NULL AND NEW."uuid" IS NOT NULL AND %s BEGIN\n  %s\nEND' % (
               name, q, NOT_APPLYING, _dirty_upsert(table, "NEW", "insert")))
    yield ('CREATE TRIGGER "%s_capture_update" AFTER UPDATE ON %s WHEN OLD."uuid" IS NOT NULL AND (%s) AND %s '
           'BEGIN\n  %s\n  %s\nEND' % (name, q, changed, NOT_APPLYING, _first_touch(table),
                                      _dirty_upsert(table, "NEW", "update")))
    yield ('CREATE TRIGGER "%s_capture_delete" AFTER DELETE ON %s WHEN OLD."uuid" IS NOT NULL AND %s BEGIN\n'
           '  %s\n  DELETE FROM "%s" WHERE "uuid" = OLD."uuid" AND "op" = \'insert\';\n'
           '  INSERT INTO "%s" ("uuid", "table_name", "op", "seq", "first_changed_at", "last_changed_at", '
           '"changed_by")\n    SELECT OLD."uuid", \'%s\', \'delete\', "change_counter" + 1, %s, %s, "login" '
           'FROM "%s" WHERE %s\n'
           '    ON CONFLICT ("uuid") DO UPDATE SET "op" = \'delete\', "seq" = excluded."seq", '
           '"last_changed_at" = excluded."last_changed_at", "changed_by" = excluded."changed_by";\n'
           '  UPDATE "%s" SET "change_counter" = "change_counter" + 1;\nEND' % (
               name, q, NOT_APPLYING, _first_touch(table), DIRTY, DIRTY, name, NOW, NOW, SYNC_STATE_TABLE,
               "EXISTS (SELECT 1 FROM %s WHERE \"uuid\" = OLD.\"uuid\")" % quoted(base_table(table)),
               SYNC_STATE_TABLE))


def add_row_copies(connection: sqlite3.Connection, table: Table) -> None:
    """The table's ancestor and outbox copies, and its history cursor."""
    connection.execute(_row_copy_ddl(table, base_table(table)))
    connection.execute(_row_copy_ddl(table, outbox_table(table)))
    connection.execute("INSERT INTO %s VALUES (?, 0)" % quoted(HISTORY_CURSORS), (table.name,))


def keep_sent_triggers(table: Table) -> Iterator[str]:
    """Before a row of the batch being sent changes or goes, keep it as the batch saw it in
    rs_outbox_<table> (the first time only): the batch is read from the table itself, so saving a
    batch of 100,000 new rows copies none, and a resend after a crash still sends what the first
    send sent. BEFORE triggers: they see the row before any other trigger rewrites it."""
    kept = columns(table)
    for operation in ("update", "delete"):
        yield ('CREATE TRIGGER IF NOT EXISTS "%s_keep_sent_%s" BEFORE %s ON %s WHEN %s AND EXISTS '
               '(SELECT 1 FROM "%s" WHERE "uuid" = OLD."uuid") BEGIN\n'
               '  INSERT OR IGNORE INTO %s (%s) VALUES (%s);\nEND' % (
                   table.name, operation, operation.upper(), quoted(table.name), NOT_APPLYING, OUTBOX,
                   quoted(outbox_table(table)), ", ".join(quoted(c) for c in kept),
                   ", ".join("OLD.%s" % quoted(c) for c in kept)))


def keep_sent_rows(connection: sqlite3.Connection) -> None:
    """The triggers above (also among working_copy_triggers) and the index they use; idempotent:
    a copy made before them gets them when it next saves a batch."""
    connection.execute('CREATE INDEX IF NOT EXISTS "%s_uuid_idx" ON "%s" ("uuid")' % (OUTBOX, OUTBOX))
    for table in schema.TABLES:
        for statement in keep_sent_triggers(table):
            connection.execute(statement)


def sent_rows(connection: sqlite3.Connection, table: Table, uuids: List[str]) -> Dict[str, dict]:
    """The rows of the batch being sent: the kept copy if the row changed since, else the row."""
    rows = read_rows(connection, table, uuids, outbox_table(table))
    rows.update(read_rows(connection, table, [u for u in uuids if u not in rows]))
    return rows


def _ewkb_hex(column: str) -> str:
    """SQLite SQL: the geometry blob `column` (GeoPackage binary, or plain WKB) as hex EWKB with the
    storage SRID, which PostGIS reads as is: the header and its envelope (size from bits 1-3 of the
    flags byte) skipped, the SRID flag set in the type's high byte, the SRID after the type, all in
    the WKB's own byte order."""
    flags = "instr('0123456789ABCDEF', substr(hex(substr({0}, 4, 1)), 2, 1)) - 1"
    envelope = "CASE ({0}) >> 1 WHEN 1 THEN 32 WHEN 2 THEN 48 WHEN 3 THEN 48 WHEN 4 THEN 64 ELSE 0 END".format(flags)
    wkb = "hex(CASE WHEN substr({0}, 1, 2) = X'4750' THEN substr({0}, 9 + %s) ELSE {0} END)" % envelope
    with_srid_flag = ("substr('23236767ABABEFEF', instr('0123456789ABCDEF', substr(%s, {0}, 1)), 1) "
                      "|| substr(%s, {1}, 1)")
    little = "'01' || substr(%s, 3, 6) || %s || '%s' || substr(%s, 11)" % (
        wkb, with_srid_flag.format(9, 10) % (wkb, wkb), struct.pack("<i", schema.STORAGE_SRID).hex().upper(), wkb)
    big = "'00' || %s || substr(%s, 5, 6) || '%s' || substr(%s, 11)" % (
        with_srid_flag.format(3, 4) % (wkb, wkb), wkb, struct.pack(">i", schema.STORAGE_SRID).hex().upper(), wkb)
    return ("CASE WHEN {0} IS NULL THEN NULL WHEN substr(%s, 1, 2) = '01' THEN %s ELSE %s END" % (
        wkb, little, big)).format(column)


def _copy_field(expression: str, kind: Optional[Kind]) -> str:
    """SQLite SQL: the value of `expression` as a field of a bulk-load line (protocol.COPY_OPTIONS),
    made by SQLite so that 100,000 rows of 80 columns never become Python values. Numbers bare (a
    REAL with the 17 digits that give it back exactly; beyond 1e15, where SQLite's printf is not
    exact, a word the server refuses, so that the batch goes row by row), anything else quoted;
    `kind` None: already hex text."""
    if kind is None:
        return "coalesce(%s, '%s')" % (expression, COPY_NULL)
    text = """'"' || replace({0}, '"', '""') || '"'"""
    if kind not in (Kind.INTEGER, Kind.REAL, Kind.BOOLEAN):
        return ("CASE WHEN {0} IS NULL THEN '%s' ELSE %s END" % (COPY_NULL, text)).format(expression)
    return ("CASE typeof({0}) WHEN 'null' THEN '%s' WHEN 'integer' THEN {0} WHEN 'real' THEN "
            "CASE WHEN abs({0}) < 1e15 THEN printf('%%!.17g', {0}) ELSE 'inexact' END ELSE %s END" % (
                COPY_NULL, text)).format(expression)


def _copy_line(fields: List[str]) -> str:
    """SQLite SQL: the fields joined by commas (printf takes at most 127 arguments)."""
    groups = [fields[start:start + 100] for start in range(0, len(fields), 100)]
    return " || ',' || ".join("printf('%s', %s)" % (",".join(["%s"] * len(group)), ", ".join(group))
                              for group in groups)


def sent_insert_rows(connection: sqlite3.Connection, table: Table, author: str) -> Iterator[str]:
    """Every new row of the batch being sent, as the shared store takes it in bulk (see
    protocol.Outgoing.insert_rows), in uuid order; one SELECT, so one consistent read, streamed."""

    def line(alias: str) -> str:
        fields = []
        for name in columns(table):
            expression = "%s.%s" % (alias, quoted(name))
            kind = None if name == GEOMETRY_COLUMN else table.field(name).kind
            if name == GEOMETRY_COLUMN:
                expression = _ewkb_hex(expression)
            elif kind is Kind.BLOB:
                expression, kind = "CASE WHEN {0} IS NOT NULL THEN '\\x' || hex({0}) END".format(expression), None
            elif name == "row_version":
                expression = "1"
            elif name == "updated_by":
                expression = "CASE WHEN {0} IS NULL OR {0} = :external THEN :author ELSE {0} END".format(expression)
            fields.append(_copy_field(expression, kind))
        # ordered by the outbox's uuid index: no sort, so the first rows reach the server at once
        return _copy_line(fields) + ', o."uuid"'

    def new_rows(source: str, alias: str) -> str:
        return ('FROM "%s" o JOIN %s %s ON %s."uuid" = o."uuid" WHERE o."table_name" = :table '
                'AND o."op" = \'insert\'' % (OUTBOX, source, alias, alias))

    kept = quoted(outbox_table(table))
    # the rows changed since the batch was saved as they were kept, the others as they are
    for text, _ in connection.execute(
            'SELECT %s %s UNION ALL SELECT %s %s AND o."uuid" NOT IN (SELECT "uuid" FROM %s) ORDER BY 2' % (
                line("k"), new_rows(kept, "k"), line("t"), new_rows(quoted(table.name), "t"), kept),
            {"table": table.name, "author": author, "external": EXTERNAL_AUTHOR}):
        yield text


def working_copy_triggers(connection: sqlite3.Connection, table: Table) -> Iterator[str]:
    create_sql = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                    (table.name,)).fetchone()[0]
    yield from sqlite_ddl.create_triggers(table, sqlite_ddl.checked_codes(create_sql, table), role=WORKING_COPY)
    yield from capture_triggers(table)
    yield from keep_sent_triggers(table)


def make_working_copy(connection: sqlite3.Connection, state: Dict[str, object]) -> None:
    """Turn a freshly created, empty store into a working copy (inside the caller's transaction)."""
    for table in schema.TABLES:
        connection.execute("DELETE FROM %s" % quoted(table.name))
        connection.execute("DELETE FROM %s" % quoted(schema.history_of(table.name)))
    for trigger_name in sqlite_ddl.own_triggers(connection):
        connection.execute("DROP TRIGGER %s" % quoted(trigger_name))
    connection.execute(STATE_DDL)
    for statement in LOCAL_DDL:
        connection.execute(statement)
    for table in schema.TABLES:
        add_row_copies(connection, table)
    fields = list(state)
    connection.execute('INSERT INTO "%s" ("id", %s) VALUES (1, %s)' % (
        SYNC_STATE_TABLE, ", ".join(quoted(f) for f in fields), ", ".join("?" for _ in fields)),
        [state[f] for f in fields])
    connection.execute('UPDATE "%s" SET "value" = ? WHERE "key" = \'role\'' % gpkg.META_TABLE, (WORKING_COPY,))
    for table in schema.TABLES:
        for statement in working_copy_triggers(connection, table):
            connection.execute(statement)
    keep_sent_rows(connection)


def read_meta(path: str) -> Dict[str, str]:
    """rs_meta of a store, read without the full integrity check of gpkg.open_store."""
    from ..store.base import NotAStore
    try:
        # read-write even to read: after a killed writer, SQLite must be able to roll back the hot journal
        with contextlib.closing(gpkg.connect(path, read_only=not os.access(path, os.W_OK))) as connection:
            return dict(connection.execute('SELECT "key", "value" FROM "%s"' % gpkg.META_TABLE))
    except sqlite3.DatabaseError as error:
        raise NotAStore("%s n'est pas un stockage Résorption SIG lisible : %s" % (path, error),
                        "%s is not a readable Résorption SIG store: %s" % (path, error)) from error


def state(connection: sqlite3.Connection) -> Dict[str, object]:
    cursor = connection.execute('SELECT * FROM "%s"' % SYNC_STATE_TABLE)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


@contextlib.contextmanager
def applying(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One local transaction in which the sync's own writes are not captured."""
    with gpkg.transaction(connection):
        connection.execute('UPDATE "%s" SET "applying" = 1' % SYNC_STATE_TABLE)
        yield connection
        connection.execute('UPDATE "%s" SET "applying" = 0' % SYNC_STATE_TABLE)


def read_rows(connection: sqlite3.Connection, table: Table, uuids: List[str],
              source: Optional[str] = None) -> Dict[str, dict]:
    kept = columns(table)
    found = {}
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        cursor = connection.execute('SELECT %s FROM %s WHERE "uuid" IN (%s)' % (
            ", ".join(quoted(c) for c in kept), quoted(source or table.name), ", ".join("?" for _ in chunk)),
            chunk)
        for values in cursor:
            row = dict(zip(kept, values))
            found[row["uuid"]] = row
    return found


def write_row(connection: sqlite3.Connection, table: Table, row: dict, target: Optional[str] = None) -> None:
    """Insert or replace the row with this uuid (local fid kept when it exists)."""
    target = quoted(target or table.name)
    kept = [c for c in columns(table) if c in row]
    assignments = ", ".join("%s = ?" % quoted(c) for c in kept if c != "uuid")
    updated = connection.execute('UPDATE %s SET %s WHERE "uuid" = ?' % (target, assignments),
                                 [row[c] for c in kept if c != "uuid"] + [row["uuid"]]).rowcount
    if not updated:
        connection.execute("INSERT INTO %s (%s) VALUES (%s)" % (
            target, ", ".join(quoted(c) for c in kept), ", ".join("?" for _ in kept)), [row[c] for c in kept])


def set_base(connection: sqlite3.Connection, table: Table, row: Optional[dict], uuid: str) -> None:
    connection.execute('DELETE FROM %s WHERE "uuid" = ?' % quoted(base_table(table)), (uuid,))
    if row is not None:
        write_row(connection, table, row, base_table(table))


def forget(connection: sqlite3.Connection, table: Table, uuid: str) -> None:
    """The row is in step with the shared store: no dirty entry, no ancestor, no conflict."""
    connection.execute('DELETE FROM "%s" WHERE "uuid" = ?' % DIRTY, (uuid,))
    connection.execute('DELETE FROM "%s" WHERE "uuid" = ?' % CONFLICTS, (uuid,))
    set_base(connection, table, None, uuid)


def forget_reverted(connection: sqlite3.Connection, table: Table) -> None:
    """A row edited then changed back to its ancestor is not a change: nothing to send, no version
    to bump; its stamps go back to the ancestor's. Not a row in conflict (its ancestor is kept for
    the decision) nor one of a batch on its way (the outbox is empty when a batch is saved)."""
    same = " AND ".join('t.%s IS b.%s' % (quoted(c), quoted(c)) for c in edited_columns(table))
    reverted = [uuid for (uuid,) in connection.execute(
        'SELECT d."uuid" FROM "%s" d JOIN %s t ON t."uuid" = d."uuid" JOIN %s b ON b."uuid" = d."uuid" '
        'WHERE d."table_name" = ? AND d."op" = \'update\' AND d."uuid" NOT IN (SELECT "uuid" FROM "%s") AND %s' % (
            DIRTY, quoted(table.name), quoted(base_table(table)), CONFLICTS, same), (table.name,))]
    if not reverted:
        return
    stamps = [c for c in columns(table) if c not in edited_columns(table) and c != "uuid"]
    for uuid in reverted:
        connection.execute('UPDATE %s SET (%s) = (SELECT %s FROM %s WHERE "uuid" = ?) WHERE "uuid" = ?' % (
            quoted(table.name), ", ".join(quoted(c) for c in stamps), ", ".join(quoted(c) for c in stamps),
            quoted(base_table(table))), (uuid, uuid))
        connection.execute('DELETE FROM "%s" WHERE "uuid" = ?' % DIRTY, (uuid,))
        set_base(connection, table, None, uuid)


def resolutions_to_send(connection: sqlite3.Connection) -> List[tuple]:
    """The decisions the shared store has not recorded yet, on features that are settled (no conflict
    left, nothing left to send): (id, uuid, table, field, choice, login, resolved_at)."""
    if "sent" not in [row[1] for row in connection.execute('PRAGMA table_info("%s")' % RESOLUTIONS)]:
        with gpkg.transaction(connection):  # a copy made before decisions were shared
            connection.execute('ALTER TABLE "%s" ADD COLUMN "sent" INTEGER NOT NULL DEFAULT 0' % RESOLUTIONS)
    return connection.execute(
        'SELECT "id", "uuid", "table_name", "field", "choice", "login", "resolved_at" FROM "%s" r '
        'WHERE NOT "sent" AND NOT EXISTS (SELECT 1 FROM "%s" c WHERE c."uuid" = r."uuid") '
        'AND NOT EXISTS (SELECT 1 FROM "%s" d WHERE d."uuid" = r."uuid") ORDER BY "id"'
        % (RESOLUTIONS, CONFLICTS, DIRTY)).fetchall()


def pending_changes(connection: sqlite3.Connection) -> int:
    """The number of local changes not yet accepted by the shared store (the GUI's badge)."""
    return connection.execute('SELECT count(*) FROM "%s"' % DIRTY).fetchone()[0]
