"""A shared GeoPackage store (role 'shared'), for a small team without a server.

Same tables and triggers as any store, plus:

* rs_changes: one row per uuid with the server sequence number of its last
  change (and whether it was a deletion): what a pull reads;
* rs_versions: every accepted change (uuid, row_version, operation, sequence,
  batch, the time it was made offline, the time it was accepted, who);
  joined to <table>_history on (uuid, row_version) it gives the full story;
* rs_batches: every accepted sync batch (client, login, times, counts, the
  result, returned as is when the same batch id comes again);
* rs_sync_context: the batch and login of the sync transaction under way, read
  by the triggers (empty outside a sync).

The file usually sits on a network share: rollback journal (never WAL), one
short write transaction per push, and a check after the commit that the batch
is really there (a broken lock is reported instead of corrupting silently).
"""
import contextlib
import json
import os
import sqlite3
import uuid as uuid_module
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..model import schema
from ..model.rules import quoted
from ..model.schema import EXTERNAL_AUTHOR, SYNC_FIELD_NAMES, Table
from ..store import gpkg
from ..store.base import StoreError
from ..store.sqlite_ddl import EDITING_LOGIN_KEY, GEOMETRY_COLUMN, NOW, history_columns
from . import scope
from .protocol import (DELETE, INSERT, RESOLUTIONS_TABLE, Change, PushResult, Resolution, SharedStore, outgoing,
                       sorted_for_push)
from .values import columns, edited_columns
from .working_copy import read_meta

ROLE_SHARED = "shared"
CONTEXT = "rs_sync_context"

# Conflict decisions of the working copies (protocol.RESOLUTIONS_TABLE); IF NOT EXISTS: a store shared
# before them gets the table at the first decision recorded.
RESOLUTIONS_DDL = (
    'CREATE TABLE IF NOT EXISTS "%s" ("client_id" TEXT NOT NULL, "resolution_id" INTEGER NOT NULL, '
    '"uuid" TEXT NOT NULL, "table_name" TEXT NOT NULL, "field" TEXT NOT NULL, '
    '"choice" TEXT NOT NULL CHECK ("choice" IN (\'mine\', \'theirs\')), "resolved_by" TEXT, "resolved_at" TEXT, '
    '"recorded_at" TEXT NOT NULL, "row_version" INTEGER, "batch_id" TEXT, PRIMARY KEY ("client_id", "resolution_id"))'
    % RESOLUTIONS_TABLE,
    'CREATE INDEX IF NOT EXISTS "%s_uuid_idx" ON "%s" ("uuid")' % (RESOLUTIONS_TABLE, RESOLUTIONS_TABLE),
)

SHARED_DDL = (
    'CREATE TABLE "rs_changes" ("uuid" TEXT PRIMARY KEY NOT NULL, "table_name" TEXT NOT NULL, '
    '"seq" INTEGER NOT NULL UNIQUE, "deleted" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "rs_versions" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "uuid" TEXT NOT NULL, '
    '"table_name" TEXT NOT NULL, "row_version" INTEGER, "operation" TEXT NOT NULL, "seq" INTEGER, '
    '"batch_id" TEXT, "edited_at" TEXT, "accepted_at" TEXT NOT NULL, "changed_by" TEXT)',
    'CREATE INDEX "rs_versions_uuid_idx" ON "rs_versions" ("uuid", "row_version")',
    'CREATE TABLE "rs_batches" ("batch_id" TEXT PRIMARY KEY NOT NULL, "client_id" TEXT NOT NULL, '
    '"login" TEXT, "started_at" TEXT NOT NULL, "committed_at" TEXT NOT NULL, "received" INTEGER NOT NULL, '
    '"accepted" INTEGER NOT NULL, "conflicts" INTEGER NOT NULL, "result" TEXT NOT NULL)',
    'CREATE TABLE "%s" ("batch_id" TEXT NOT NULL, "login" TEXT)' % CONTEXT,
) + RESOLUTIONS_DDL


def _record(table: Table, row: str, operation: str, version: str, edited_at: str) -> str:
    in_sync = 'EXISTS (SELECT 1 FROM "%s")' % CONTEXT
    return (
        'INSERT INTO "rs_changes" ("uuid", "table_name", "seq", "deleted") VALUES (%s."uuid", \'%s\', '
        '(SELECT coalesce(max("seq"), 0) + 1 FROM "rs_changes"), %d)\n'
        '    ON CONFLICT ("uuid") DO UPDATE SET "seq" = excluded."seq", "deleted" = excluded."deleted", '
        '"table_name" = excluded."table_name";\n'
        '  INSERT INTO "rs_versions" ("uuid", "table_name", "row_version", "operation", "seq", "batch_id", '
        '"edited_at", "accepted_at", "changed_by")\n'
        '    VALUES (%s."uuid", \'%s\', %s, \'%s\', (SELECT "seq" FROM "rs_changes" WHERE "uuid" = %s."uuid"), '
        '(SELECT "batch_id" FROM "%s"), CASE WHEN %s THEN %s ELSE %s END, %s, '
        'coalesce((SELECT "login" FROM "%s"), %s));' % (
            row, table.name, operation == DELETE, row, table.name, version, operation, row, CONTEXT,
            in_sync, edited_at, NOW, NOW, CONTEXT,
            "NEW.\"updated_by\"" if operation != DELETE else "'%s'" % EXTERNAL_AUTHOR))


def shared_triggers(table: Table) -> Iterator[str]:
    name, q = table.name, quoted(table.name)
    business = edited_columns(table)
    changed = " OR ".join('NEW."%s" IS NOT OLD."%s"' % (c, c) for c in business)
    complete = " AND ".join('OLD."%s" IS NOT NULL' % c for c in SYNC_FIELD_NAMES)
    accepted_now = ('  UPDATE %s SET "updated_at" = %s WHERE "fid" = NEW."fid" AND EXISTS (SELECT 1 FROM "%s");'
                    % (q, NOW, CONTEXT))
    insert_body = _record(table, "NEW", INSERT, 'coalesce(NEW."row_version", 1)', 'NEW."updated_at"')
    yield ('CREATE TRIGGER "%s_sync_insert" AFTER INSERT ON %s WHEN NEW."uuid" IS NOT NULL BEGIN\n  %s\n%s\nEND'
           % (name, q, insert_body, accepted_now))
    yield ('CREATE TRIGGER "%s_sync_new_uuid" AFTER UPDATE OF "uuid" ON %s '
           'WHEN OLD."uuid" IS NULL AND NEW."uuid" IS NOT NULL BEGIN\n  %s\nEND' % (name, q, insert_body))
    yield ('CREATE TRIGGER "%s_sync_update" AFTER UPDATE ON %s WHEN (%s) AND (%s) BEGIN\n  %s\nEND' % (
        name, q, complete, changed, _record(table, "NEW", "update", 'OLD."row_version" + 1', 'NEW."updated_at"')))
    yield ('CREATE TRIGGER "%s_sync_delete" AFTER DELETE ON %s WHEN OLD."uuid" IS NOT NULL BEGIN\n  %s\nEND' % (
        name, q, _record(table, "OLD", DELETE, 'OLD."row_version" + 1', NOW)))


def promote(path: str) -> None:
    """Make a store shareable: add the sync tables and triggers, number the existing rows.
    Adds only; nothing existing is changed. Idempotent."""
    if read_meta(path).get("role") == ROLE_SHARED:
        return
    store = gpkg.open_store(path)
    with contextlib.closing(gpkg.connect(store.location)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        with gpkg.transaction(connection):
            for statement in SHARED_DDL:
                connection.execute(statement)
            for table in schema.TABLES:
                for statement in shared_triggers(table):
                    connection.execute(statement)
                connection.execute(
                    'INSERT INTO "rs_changes" ("uuid", "table_name", "seq") SELECT "uuid", ?, '
                    '(SELECT coalesce(max("seq"), 0) FROM "rs_changes") + row_number() OVER (ORDER BY "fid") '
                    'FROM %s WHERE "uuid" IS NOT NULL' % quoted(table.name), (table.name,))
            connection.executemany('INSERT OR REPLACE INTO "%s" ("key", "value") VALUES (?, ?)' % gpkg.META_TABLE,
                                   [("role", ROLE_SHARED), ("store_id", str(uuid_module.uuid4()))])


def _placeholders(count: int) -> str:
    return ", ".join("?" for _ in range(count))


class SharedGeoPackage(SharedStore):
    def __init__(self, path: str):
        meta = read_meta(path)
        if meta.get("role") != ROLE_SHARED:
            raise StoreError("%s n'est pas un stockage partagé." % path, "%s is not a shared store." % path)
        self.location = str(Path(path).resolve())
        self.schema_version = int(meta["schema_version"])
        self.store_id = meta["store_id"]
        # read-write even to read: after a killed writer, SQLite must be able to roll back the hot journal
        self._read = gpkg.connect(self.location, read_only=not os.access(self.location, os.W_OK))

    def close(self) -> None:
        self._read.close()

    @contextlib.contextmanager
    def snapshot(self):
        """One read transaction: what a checkout copies is one consistent state."""
        self._read.execute("BEGIN")
        try:
            yield self
        finally:
            self._read.execute("COMMIT")

    def last_sequence(self) -> int:
        return self._read.execute('SELECT coalesce(max("seq"), 0) FROM "rs_changes"').fetchone()[0]

    def last_history_ids(self) -> Dict[str, int]:
        return {t.name: self._read.execute('SELECT coalesce(max("history_id"), 0) FROM %s' % quoted(
            schema.history_of(t.name))).fetchone()[0] for t in schema.TABLES}

    def changes_since(self, sequence: int) -> List[Tuple[int, str, str, bool]]:
        return [(s, t, u, bool(d)) for s, t, u, d in self._read.execute(
            'SELECT "seq", "table_name", "uuid", "deleted" FROM "rs_changes" WHERE "seq" > ? ORDER BY "seq"',
            (sequence,))]

    def rows(self, table: str, uuids: Sequence[str], departements: Sequence[str]) -> Dict[str, dict]:
        declared = schema.table(table)
        kept = columns(declared)
        where, parameters = scope.condition(declared, departements, "?")
        found = {}
        uuids = list(uuids)
        for start in range(0, len(uuids), 500):
            chunk = uuids[start:start + 500]
            for values in self._read.execute('SELECT %s FROM %s WHERE "uuid" IN (%s) AND %s' % (
                    ", ".join(quoted(c) for c in kept), quoted(table), _placeholders(len(chunk)), where),
                    chunk + parameters):
                row = dict(zip(kept, values))
                found[row["uuid"]] = row
        return found

    def export(self, table: str, departements: Sequence[str]) -> Iterator[tuple]:
        declared = schema.table(table)
        selected = ", ".join("t.%s" % quoted(c) for c in columns(declared))
        where, parameters = scope.condition(declared, departements, "?", prefix="t.")
        if declared.geometry:
            source = '%s t LEFT JOIN "rtree_%s_%s" r ON r."id" = t."fid"' % (quoted(table), table, GEOMETRY_COLUMN)
            envelope = 'r."minx", r."maxx", r."miny", r."maxy"'
        else:
            source, envelope = "%s t" % quoted(table), "NULL, NULL, NULL, NULL"
        yield from self._read.execute('SELECT t."fid", %s, %s FROM %s WHERE %s ORDER BY t."fid"' % (
            envelope, selected, source, where), parameters)

    def history_since(self, table: str, last_id: int, departements: Sequence[str],
                      up_to: Optional[int] = None) -> List[dict]:
        declared = schema.table(table)
        kept = ["history_id"] + history_columns(declared) + ["valid_from", "valid_to", "changed_by", "operation",
                                                             "reason"]
        where, parameters = scope.condition(declared, departements, "?")
        limit = ' AND "history_id" <= %d' % up_to if up_to is not None else ""
        cursor = self._read.execute('SELECT %s FROM %s WHERE "history_id" > ?%s AND %s ORDER BY "history_id"' % (
            ", ".join(quoted(c) for c in kept), quoted(schema.history_of(table)), limit, where),
            [last_id] + parameters)
        return [dict(zip(kept, values)) for values in cursor]

    # --- push -----------------------------------------------------------------------
    def push(self, batch_id: str, client_id: str, login: str, changes: Sequence[Change]) -> PushResult:
        ordered = sorted_for_push(outgoing(changes).complete(changes))  # read before taking the write lock
        with contextlib.closing(gpkg.connect(self.location)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                started = connection.execute("SELECT %s" % NOW).fetchone()[0]
                stored = connection.execute('SELECT "result" FROM "rs_batches" WHERE "batch_id" = ?',
                                            (batch_id,)).fetchone()
                if stored:
                    connection.execute("ROLLBACK")
                    return _result_from_json(batch_id, stored[0], replayed=True)
                connection.execute('INSERT INTO "%s" VALUES (?, ?)' % CONTEXT, (batch_id, login))
                result = PushResult(batch_id)
                with _signed(connection, login):
                    for change in ordered:
                        _apply(connection, change, result)
                connection.execute('DELETE FROM "%s"' % CONTEXT)
                connection.execute(
                    'INSERT INTO "rs_batches" VALUES (?, ?, ?, ?, %s, ?, ?, ?, ?)' % NOW,
                    (batch_id, client_id, login, started, len(changes), len(result.accepted),
                     len(result.conflicts) + len(result.rejected), _result_to_json(result)))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        self._verify(batch_id, len(result.accepted))
        return result

    def record_resolutions(self, client_id: str, resolutions: Sequence[Resolution]) -> None:
        with contextlib.closing(gpkg.connect(self.location)) as connection, gpkg.transaction(connection):
            for statement in RESOLUTIONS_DDL:
                connection.execute(statement)
            for decision in resolutions:
                connection.execute(
                    'INSERT OR IGNORE INTO "%s" ("client_id", "resolution_id", "uuid", "table_name", "field", '
                    '"choice", "resolved_by", "resolved_at", "recorded_at", "row_version", "batch_id") '
                    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, %s, (SELECT "row_version" FROM %s WHERE "uuid" = ?), '
                    '(SELECT "batch_id" FROM "rs_versions" WHERE "uuid" = ? ORDER BY "id" DESC LIMIT 1))' % (
                        RESOLUTIONS_TABLE, NOW, quoted(schema.table(decision.table).name)),
                    (client_id, decision.resolution_id, decision.uuid, decision.table, decision.field,
                     decision.choice, decision.login, decision.resolved_at, decision.uuid, decision.uuid))

    def _verify(self, batch_id: str, accepted: int) -> None:
        """After the commit, read the batch back through a new connection."""
        with contextlib.closing(gpkg.connect(self.location)) as check:
            row = check.execute('SELECT "accepted" FROM "rs_batches" WHERE "batch_id" = ?', (batch_id,)).fetchone()
        if row is None or row[0] != accepted:
            raise StoreError(
                "Le stockage partagé %s n'a pas gardé la synchronisation %s (verrou de fichier non respecté "
                "sur le partage réseau ?). Relancez la synchronisation ; envisagez PostGIS." % (
                    self.location, batch_id),
                "The shared store %s did not keep synchronisation %s (file lock not honoured on the "
                "network share?). Run the synchronisation again; consider PostGIS." % (self.location, batch_id))


@contextlib.contextmanager
def _signed(connection: sqlite3.Connection, login: str):
    """The store's triggers sign what they write with the login of the sync (a deletion's history
    row names who deleted), as they sign a QGIS edit with the editing login; the key is given back."""
    meta = quoted(gpkg.META_TABLE)
    previous = connection.execute('SELECT "value" FROM %s WHERE "key" = ?' % meta, (EDITING_LOGIN_KEY,)).fetchone()
    connection.execute('INSERT OR REPLACE INTO %s ("key", "value") VALUES (?, ?)' % meta, (EDITING_LOGIN_KEY, login))
    yield
    if previous is None:
        connection.execute('DELETE FROM %s WHERE "key" = ?' % meta, (EDITING_LOGIN_KEY,))
    else:
        connection.execute('UPDATE %s SET "value" = ? WHERE "key" = ?' % meta, (previous[0], EDITING_LOGIN_KEY))


def _apply(connection: sqlite3.Connection, change: Change, result: PushResult) -> None:
    table = quoted(change.table)
    connection.execute("SAVEPOINT row_change")
    try:
        if change.op == DELETE:
            count = connection.execute('DELETE FROM %s WHERE "uuid" = ? AND "row_version" = ?' % table,
                                       (change.uuid, change.expected_version)).rowcount
            if not count and not connection.execute('SELECT 1 FROM %s WHERE "uuid" = ?' % table,
                                                    (change.uuid,)).fetchone():
                count = 1  # already deleted there: nothing to do, nothing to wait for
            version = None
        else:
            row = dict(change.row)
            version = 1 if change.op == INSERT else change.expected_version + 1
            row["row_version"] = version
            if row.get("updated_by") in (None, EXTERNAL_AUTHOR):
                row["updated_by"] = connection.execute('SELECT "login" FROM "%s"' % CONTEXT).fetchone()[0]
            names = [c for c in columns(schema.table(change.table)) if c in row]
            if change.op == INSERT:
                exists = connection.execute('SELECT 1 FROM %s WHERE "uuid" = ?' % table, (change.uuid,)).fetchone()
                count = 0
                if not exists:
                    connection.execute("INSERT INTO %s (%s) VALUES (%s)" % (
                        table, ", ".join(quoted(c) for c in names), _placeholders(len(names))),
                        [row[c] for c in names])
                    count = 1
            else:
                names = [c for c in names if c != "uuid"]
                edited = [c for c in edited_columns(schema.table(change.table)) if c in row]
                count = connection.execute('UPDATE %s SET %s WHERE "uuid" = ? AND "row_version" = ? AND (%s)' % (
                    table, ", ".join("%s = ?" % quoted(c) for c in names),
                    " OR ".join("%s IS NOT ?" % quoted(c) for c in edited)),
                    [row[c] for c in names] + [change.uuid, change.expected_version] + [row[c] for c in edited]
                ).rowcount
                if not count and _unchanged(connection, change):
                    # nothing changed: accepted as it is, no version bump (which no pull would ever see)
                    count, version = 1, change.expected_version
    except sqlite3.IntegrityError as error:
        connection.execute("ROLLBACK TO row_change")
        connection.execute("RELEASE row_change")
        result.rejected[change.uuid] = str(error)
        return
    connection.execute("RELEASE row_change")
    if count:
        result.accepted[change.uuid] = version
    else:
        result.conflicts.append(change.uuid)


def _unchanged(connection: sqlite3.Connection, change: Change) -> bool:
    """The shared row is still at the version the change expects (so the update found it equal)."""
    return connection.execute('SELECT 1 FROM %s WHERE "uuid" = ? AND "row_version" = ?' % quoted(change.table),
                              (change.uuid, change.expected_version)).fetchone() is not None


def _result_to_json(result: PushResult) -> str:
    return json.dumps({"accepted": result.accepted, "conflicts": result.conflicts, "rejected": result.rejected})


def _result_from_json(batch_id: str, text: str, replayed: bool) -> PushResult:
    data = json.loads(text)
    return PushResult(batch_id, data["accepted"], data["conflicts"], data.get("rejected", {}), replayed)
