"""Checkout, pull, merge, push, conflicts and their resolution (SYNC.md §4-5). No Qt.

Long operations take `progress(fraction, message)` and `cancelled()` callables
so that the GUI can run them in a QgsTask; cancelling between steps leaves
nothing half-done (each step is one transaction on each side).
"""
import contextlib
import json
import logging
import os
import uuid as uuid_module
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from ..model import schema
from ..model.merge import DELETED, EXISTENCE, KEEP_OURS, MERGED, TAKE_THEIRS, FieldConflict, merge_row
from ..model.rules import quoted
from ..model.schema import EXTERNAL_AUTHOR, SCHEMA_VERSION, Table
from ..store import gpkg, is_postgres
from ..store.base import StoreError
from ..store.sqlite_ddl import GEOMETRY_COLUMN, NOW, SYNC_STATE_TABLE, WORKING_COPY
from . import working_copy as wc
from .protocol import (DELETE, INSERT, UPDATE, Change, Outgoing, PushResult, Resolution, SchemaMismatch,
                       SharedStore, SyncCancelled)
from .values import (automatic_fields, columns, displayed, for_merge, from_json, gpkg_blob_of, normalised_wkb,
                     to_json)

LOG = logging.getLogger("resorption_sig")

# The pseudo-field of a change the shared store refused (a rule or a uniqueness it breaks there).
REFUSED = "(refus)"
MINE, THEIRS = "mine", "theirs"
# "theirs" of an existence conflict on a row that left the copy's scope (moved to another département).
MOVED = "moved"
# The field of a "take all mine / all theirs" decision in the resolution logs.
WHOLE_FEATURE = "*"
MAX_ROUNDS = 3

Progress = Callable[[float, str], None]


def _no_progress(fraction: float, text: str) -> None:
    LOG.debug("sync %.0f%% %s", 100 * fraction, text)


def _never() -> bool:
    return False


@dataclass
class SyncSummary:
    received: int = 0
    sent: int = 0
    conflicts: int = 0


def open_shared(location: str) -> SharedStore:
    if is_postgres(location):
        from ..store.postgis import SharedPostGIS
        return SharedPostGIS(location)
    from .shared_gpkg import SharedGeoPackage, promote
    promote(location)
    return SharedGeoPackage(location)


# --- checkout ---------------------------------------------------------------------------

def checkout(shared_location: str, local_path: str, departements: Sequence[str], login: Optional[str] = None,
             progress: Progress = _no_progress, cancelled: Callable[[], bool] = _never) -> str:
    """Create the working copy `local_path` holding the départements' rows and history."""
    from ..store.postgis import display_location
    if display_location(shared_location) != shared_location:
        # The copy keeps the shared store's location to sync with it: never a password.
        raise StoreError(
            "Le mot de passe écrit dans l'adresse ne peut pas être gardé dans la copie de travail : utilisez une "
            "connexion PostgreSQL de QGIS (qgis:NOM), un service (service=NOM) ou le fichier ~/.pgpass.",
            "A password written in the address cannot be kept in the working copy: use a QGIS PostgreSQL "
            "connection (qgis:NAME), a service (service=NAME) or the ~/.pgpass file.")
    shared = open_shared(shared_location)
    try:
        if shared.schema_version != SCHEMA_VERSION:
            raise SchemaMismatch(SCHEMA_VERSION, shared.schema_version)
        shared.check_scope(departements)
        store = gpkg.create(local_path)
        try:
            _fill(store.location, shared, shared_location, list(departements), login, progress, cancelled)
        except BaseException:
            _remove_copy(store.location)
            raise
    finally:
        shared.close()
    return local_path


def _remove_copy(path: str) -> None:
    """A checkout that failed leaves nothing behind."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


def _fill(path, shared, shared_location, departements, login, progress, cancelled) -> None:
    with contextlib.closing(gpkg.connect(path)) as connection:
        with gpkg.transaction(connection):
            wc.make_working_copy(connection, {
                "client_id": str(uuid_module.uuid4()), "login": login, "shared": shared_location,
                "shared_id": shared.store_id, "departements": json.dumps(departements)})
        with shared.snapshot(), wc.applying(connection):
            sequence = shared.last_sequence()
            history_ids = shared.last_history_ids()
            for position, table in enumerate(schema.TABLES):
                if cancelled():
                    raise SyncCancelled()
                progress(position / len(schema.TABLES), table.label)
                _load(connection, table, shared.export(table.name, departements))
                history = schema.history_of(table.name)
                rows = shared.history_since(table.name, 0, departements, up_to=history_ids[table.name])
                if rows:
                    _insert_many(connection, history, list(rows[0]), rows)
                connection.execute('UPDATE "%s" SET "last_history_id" = ? WHERE "table_name" = ?' % wc.HISTORY_CURSORS,
                                   (history_ids[table.name], table.name))
            connection.execute('UPDATE "%s" SET "last_sequence" = ?, "last_sync_at" = %s' % (SYNC_STATE_TABLE, NOW),
                               (sequence,))
    progress(1.0, "")


def _load(connection, table: Table, rows) -> None:
    """Bulk-load a table of a new copy: its triggers (checks, capture, spatial index) and secondary
    indexes are set aside inside the transaction, the rows and their envelopes go in directly, the
    indexes are built once and the triggers come back. The CHECK constraints are not evaluated: the
    shared store enforced the same rules on every row it holds, and checking them again was a
    fifth of a 100,000-site checkout."""
    set_aside = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND tbl_name = ? "
        "AND sql IS NOT NULL", (table.name,)).fetchall()
    for kind, name, _ in set_aside:
        connection.execute("DROP %s %s" % (kind.upper(), quoted(name)))
    names = ["fid"] + columns(table)
    statement = "INSERT INTO %s (%s) VALUES (%s)" % (
        quoted(table.name), ", ".join(quoted(c) for c in names), ", ".join("?" for _ in names))
    envelopes = []

    def values():
        for row in rows:
            if row[1] is not None:
                envelopes.append(row[:5])
            yield row[:1] + row[5:]
    connection.execute("PRAGMA ignore_check_constraints = ON")
    try:
        connection.executemany(statement, values())
    finally:
        connection.execute("PRAGMA ignore_check_constraints = OFF")
    if table.geometry:
        connection.executemany('INSERT INTO "rtree_%s_%s" VALUES (?, ?, ?, ?, ?)' % (table.name, GEOMETRY_COLUMN),
                               envelopes)
    for _, _, sql in set_aside:
        connection.execute(sql)


def _insert_many(connection, target: str, names: List[str], rows) -> None:
    statement = "INSERT INTO %s (%s) VALUES (%s)" % (
        quoted(target), ", ".join(quoted(c) for c in names), ", ".join("?" for _ in names))
    connection.executemany(statement, ([row[c] for c in names] for row in rows))


# --- the working copy side ----------------------------------------------------------------

class SavedBatch(Outgoing):
    """The batch saved in a working copy's outbox: its rows are read from the copy when the shared
    store sends them (wc.sent_rows, wc.sent_insert_rows), never all held at once."""

    def __init__(self, connection, changes=()):
        super().__init__(changes)
        self.connection = connection

    def rows(self, table: str, uuids: Sequence[str]) -> Dict[str, dict]:
        return wc.sent_rows(self.connection, schema.table(table), list(uuids))

    def insert_rows(self, table: str, author: str):
        return wc.sent_insert_rows(self.connection, schema.table(table), author)


class WorkingCopy:
    """An open working copy; use as a context manager."""

    def __init__(self, path: str):
        # Not gpkg.open_store: its integrity check reads the whole file, and a sync with nothing
        # to do must stay well under 100 ms whatever the size of the copy.
        meta = wc.read_meta(path)
        if meta.get("role") != WORKING_COPY:
            raise StoreError("%s n'est pas une copie de travail." % path, "%s is not a working copy." % path)
        self.location = path
        self.version = int(meta["schema_version"])
        self.connection = gpkg.connect(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.connection.close()

    @property
    def state(self) -> Dict[str, object]:
        return wc.state(self.connection)

    @property
    def departements(self) -> List[str]:
        return json.loads(self.state["departements"])

    def pending_changes(self) -> int:
        return wc.pending_changes(self.connection)

    def conflicts(self) -> List[dict]:
        return [{"uuid": u, "table": t, "field": f, "base": displayed(from_json(b)),
                 "mine": displayed(from_json(m)), "theirs": displayed(from_json(th))}
                for u, t, f, b, m, th in self.connection.execute(
                    'SELECT "uuid", "table_name", "field", "base", "mine", "theirs" FROM "%s" '
                    'ORDER BY "detected_at", "uuid", "field"' % wc.CONFLICTS)]

    def feature_name(self, table_name: str, uuid: str) -> Optional[str]:
        """How to name a feature to a person: its name and commune in the copy (or as they were at the
        last sync, when deleted here); None for a table without names."""
        table = schema.table(table_name)
        named = [quoted(n) for n in ("name", "city_name") if n in table.field_names]
        if not named:
            return None
        for source in (table.name, wc.base_table(table)):
            row = self.connection.execute('SELECT %s FROM %s WHERE "uuid" = ?' % (
                ", ".join(named), quoted(source)), (uuid,)).fetchone()
            if row is not None and any(row):
                return " — ".join(str(value) for value in row if value)
        return None

    # --- sync ---------------------------------------------------------------------------
    def synchronise(self, login: Optional[str] = None, progress: Progress = _no_progress,
                    cancelled: Callable[[], bool] = _never, shared: Optional[SharedStore] = None) -> SyncSummary:
        state = self.state
        login = login or state["login"] or os.environ.get("USER") or EXTERNAL_AUTHOR
        own_shared = shared is None
        shared = shared or open_shared(state["shared"])
        try:
            self._check(shared, state)
            summary = SyncSummary()
            if self._outbox():
                progress(0.05, "renvoi")
                summary.sent += len(self._push(shared, login).accepted)
            for round_number in range(MAX_ROUNDS):
                if cancelled():
                    raise SyncCancelled()
                progress(0.1 + 0.3 * round_number, "pull")
                summary.received += self._pull(shared)
                if cancelled():
                    raise SyncCancelled()
                progress(0.25 + 0.3 * round_number, "push")
                result = self._push(shared, login)
                summary.sent += len(result.accepted)
                if not result.conflicts:
                    break
            self._send_resolutions(shared)
            with gpkg.transaction(self.connection):
                self.connection.execute('UPDATE "%s" SET "last_sync_at" = %s, "login" = ?' % (
                    SYNC_STATE_TABLE, NOW), (login,))
            summary.conflicts = self.connection.execute(
                'SELECT count(DISTINCT "uuid") FROM "%s"' % wc.CONFLICTS).fetchone()[0]
            progress(1.0, "")
            return summary
        finally:
            if own_shared:
                shared.close()

    def _check(self, shared: SharedStore, state) -> None:
        if shared.schema_version != self.version or self.version != SCHEMA_VERSION:
            raise SchemaMismatch(self.version, shared.schema_version)
        if shared.store_id != state["shared_id"]:
            raise StoreError(
                "Cette copie de travail ne vient pas du stockage partagé %s." % shared.location,
                "This working copy was not made from the shared store %s." % shared.location)

    # --- pull ---------------------------------------------------------------------------
    def _pull(self, shared: SharedStore) -> int:
        state = self.state
        changes = shared.changes_since(state["last_sequence"])
        if not changes:
            return 0
        departements = self.departements
        wanted: Dict[str, List[str]] = {}
        for _, table, uuid, deleted in changes:
            if not deleted:
                wanted.setdefault(table, []).append(uuid)
        theirs_rows = {table: shared.rows(table, uuids, departements) for table, uuids in wanted.items()}
        dirty = {uuid for (uuid,) in self.connection.execute('SELECT "uuid" FROM "%s"' % wc.DIRTY)}
        # edited here but moved out of the copy's scope there (another département): how it is there now
        outside: Dict[str, Dict[str, dict]] = {}
        for table, uuids in wanted.items():
            gone = [u for u in uuids if u in dirty and u not in theirs_rows[table]]
            if gone and departements:
                outside[table] = shared.rows(table, gone, [])
        cursors = dict(self.connection.execute(
            'SELECT "table_name", "last_history_id" FROM "%s"' % wc.HISTORY_CURSORS))
        history = {t.name: shared.history_since(t.name, cursors[t.name], departements) for t in schema.TABLES}
        # the copy's side read in bulk too: a pull after a first push merges 100,000 rows
        changed: Dict[str, List[str]] = {}
        for _, table, uuid, _ in changes:
            changed.setdefault(table, []).append(uuid)
        ours_rows = {table: wc.read_rows(self.connection, schema.table(table), uuids)
                     for table, uuids in changed.items()}
        received = 0
        with wc.applying(self.connection):
            for _, table, uuid, deleted in changes:
                theirs = None if deleted else theirs_rows.get(table, {}).get(uuid)
                received += self._merge_one(schema.table(table), uuid, theirs, ours_rows[table].get(uuid),
                                            uuid in dirty, outside.get(table, {}).get(uuid))
            for table_name, rows in history.items():
                if rows:
                    names = list(rows[0])
                    self.connection.executemany("INSERT OR IGNORE INTO %s (%s) VALUES (%s)" % (
                        quoted(schema.history_of(table_name)), ", ".join(quoted(c) for c in names),
                        ", ".join("?" for _ in names)), ([r[c] for c in names] for r in rows))
                    self.connection.execute(
                        'UPDATE "%s" SET "last_history_id" = ? WHERE "table_name" = ?' % wc.HISTORY_CURSORS,
                        (rows[-1]["history_id"], table_name))
            self.connection.execute('UPDATE "%s" SET "last_sequence" = ?' % SYNC_STATE_TABLE,
                                    (max(c[0] for c in changes),))
        return received

    def _merge_one(self, table: Table, uuid: str, theirs: Optional[dict], ours: Optional[dict],
                   dirty: bool, outside: Optional[dict] = None) -> int:
        """Merge the shared row into the copy (`ours`: the copy's row, `dirty`: changed here since the
        last sync, `outside`: the shared row when it left the copy's scope); returns 1 when the copy's
        content changed."""
        connection = self.connection
        automatic = automatic_fields(table)
        if not dirty:
            if theirs is None:
                if ours is None:
                    return 0
                connection.execute('DELETE FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,))
                return 1
            if ours == theirs:
                return 0
            if ours is None:
                wc.write_row(connection, table, theirs)
                return 1
            # only what differs: the shared store's own stamps after a push of ours (a first push: 100,000)
            differing = [c for c, v in theirs.items() if v != ours.get(c)]
            wc.write_row(connection, table, dict({c: theirs[c] for c in differing}, uuid=uuid))
            return int(any(c not in automatic for c in differing))
        business = [c for c in columns(table) if c not in automatic]
        base = wc.read_rows(connection, table, [uuid], wc.base_table(table)).get(uuid)
        result = merge_row(for_merge(table, base), for_merge(table, ours), for_merge(table, theirs or outside),
                           columns(table), automatic_fields(table))
        # an existence conflict waiting for a decision stays one until decided, even when the row
        # there changes back to how it was reported
        disputed = connection.execute('SELECT 1 FROM "%s" WHERE "uuid" = ? AND "field" = ?' % wc.CONFLICTS,
                                      (uuid, EXISTENCE)).fetchone() is not None
        connection.execute('DELETE FROM "%s" WHERE "uuid" = ?' % wc.CONFLICTS, (uuid,))
        if theirs is None and outside is not None:
            return self._moved_out(table, uuid, ours, base, outside, result, disputed)
        if result.outcome == DELETED:
            if ours is None and theirs is None:
                wc.forget(connection, table, uuid)
            elif ours is None:
                wc.set_base(connection, table, theirs, uuid)
                if disputed:
                    self._record_conflicts(table, uuid, [FieldConflict(EXISTENCE, "present", "deleted", "present")])
            else:
                connection.execute('DELETE FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,))
                wc.forget(connection, table, uuid)
                return 1
            return 0
        if result.outcome == TAKE_THEIRS:
            wc.write_row(connection, table, theirs)
            wc.forget(connection, table, uuid)
            return int(any(ours[c] != theirs[c] for c in business))
        if result.outcome == KEEP_OURS:
            if theirs is not None:
                connection.execute('UPDATE %s SET "row_version" = ? WHERE "uuid" = ?' % quoted(table.name),
                                   (theirs["row_version"], uuid))
                wc.set_base(connection, table, theirs, uuid)
            return 0
        if ours is not None and theirs is not None:
            merged = self._actual(table, result.row, ours, theirs)
            merged["row_version"] = theirs["row_version"]
            wc.write_row(connection, table, merged)
            wc.set_base(connection, table, self._ancestor(theirs, base, result.conflicts), uuid)
        elif ours is None:
            wc.set_base(connection, table, theirs, uuid)
        if result.outcome == MERGED:
            return 1
        self._record_conflicts(table, uuid, result.conflicts)
        return 0

    @staticmethod
    def _ancestor(theirs: dict, base: Optional[dict], conflicts) -> dict:
        """The ancestor after a merge: the shared row, except on the fields in conflict, where it stays
        the ancestor until the conflict is resolved, so that a later change there (of another field,
        or the row moved back into the copy's scope) cannot make the pending conflict look like a
        change made here only."""
        ancestor = dict(theirs)
        for conflict in conflicts:
            if conflict.field in ancestor:
                ancestor[conflict.field] = None if base is None else base[conflict.field]
        return ancestor

    def _record_conflicts(self, table: Table, uuid: str, conflicts) -> None:
        self.connection.executemany(
            'INSERT INTO "%s" ("uuid", "table_name", "field", "base", "mine", "theirs", "detected_at") '
            'VALUES (?, ?, ?, ?, ?, ?, %s)' % (wc.CONFLICTS, NOW),
            [(uuid, table.name, c.field, to_json(c.base), to_json(c.mine), to_json(c.theirs)) for c in conflicts])

    def _moved_out(self, table: Table, uuid: str, ours: Optional[dict], base: Optional[dict], outside: dict,
                   result, disputed: bool) -> int:
        """Changed or deleted here while it left the copy's scope there (`result`: the merge with the
        row as it is there). Nothing here that the row there lacks: it leaves the copy. Only changed
        here (moved out by this copy's own earlier sync, or deleted here): still to send, against
        the version there. Both changed it: a conflict on its existence here, theirs MOVED; the
        ancestor becomes the row there, so that either choice goes through (_resolve_existence); a
        conflict already `disputed` stays one."""
        connection = self.connection
        if ours is not None and result.outcome in (TAKE_THEIRS, DELETED):
            connection.execute('DELETE FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,))
            wc.forget(connection, table, uuid)
            return 1
        wc.set_base(connection, table, self._ancestor(outside, base, result.conflicts), uuid)
        if result.outcome in (KEEP_OURS, DELETED) and not disputed:
            if ours is not None:
                connection.execute('UPDATE %s SET "row_version" = ? WHERE "uuid" = ?' % quoted(table.name),
                                   (outside["row_version"], uuid))
            return 0
        self._record_conflicts(table, uuid, [FieldConflict(EXISTENCE, "present", "deleted" if ours is None
                                                           else "present", MOVED)])
        return 0

    @staticmethod
    def _actual(table: Table, merged: dict, ours: dict, theirs: dict) -> dict:
        """The merged row with the stored geometry of the side it came from."""
        row = dict(merged)
        if table.geometry:
            chosen = merged[GEOMETRY_COLUMN]
            row[GEOMETRY_COLUMN] = (ours[GEOMETRY_COLUMN] if normalised_wkb(ours[GEOMETRY_COLUMN]) == chosen
                                    else theirs[GEOMETRY_COLUMN])
        return row

    # --- push ---------------------------------------------------------------------------
    def _outbox(self) -> List[tuple]:
        return self.connection.execute(
            'SELECT "batch_id", "table_name", "uuid", "op", "expected_version", "local_seq" '
            'FROM "%s" ORDER BY "position"' % wc.OUTBOX).fetchall()

    def _snapshot(self) -> None:
        """Save the batch to send (the dirty rows without pending conflicts, by uuid and version)
        before sending it, in one local transaction. The rows stay in their tables: a row of the batch
        changed before the answer is applied is kept as it was by the triggers of wc.keep_sent_rows."""
        connection = self.connection
        batch_id = str(uuid_module.uuid4())
        with gpkg.transaction(connection):
            wc.keep_sent_rows(connection)
            updated = connection.execute('SELECT EXISTS (SELECT 1 FROM "%s" WHERE "op" = \'update\')'
                                         % wc.DIRTY).fetchone()[0]
            for table in schema.TABLES:
                if updated:
                    wc.forget_reverted(connection, table)
                connection.execute(
                    'INSERT INTO "%s" ("batch_id", "position", "table_name", "uuid", "op", "expected_version", '
                    '"local_seq") SELECT ?, d."seq", d."table_name", d."uuid", d."op", '
                    'CASE d."op" WHEN \'insert\' THEN NULL WHEN \'update\' THEN t."row_version" '
                    'ELSE b."row_version" END, d."seq" FROM "%s" d LEFT JOIN %s t ON t."uuid" = d."uuid" '
                    'LEFT JOIN %s b ON b."uuid" = d."uuid" WHERE d."table_name" = ? AND NOT EXISTS '
                    '(SELECT 1 FROM "%s" c WHERE c."uuid" = d."uuid") AND (d."op" = \'delete\' OR t."uuid" IS NOT NULL)'
                    % (wc.OUTBOX, wc.DIRTY, quoted(table.name), quoted(wc.base_table(table)), wc.CONFLICTS),
                    (batch_id, table.name))

    def _batch(self):
        """(batch id, outbox entries, the changes) of the saved batch; the rows are read when sent."""
        outbox = self._outbox()
        if not outbox:
            return None, [], SavedBatch(self.connection)
        changes = SavedBatch(self.connection, (Change(table, uuid, op, expected, None)
                                               for _, table, uuid, op, expected, _ in outbox))
        return outbox[0][0], outbox, changes

    def _push(self, shared: SharedStore, login: str) -> PushResult:
        if not self._outbox():
            self._snapshot()
        batch_id, outbox, changes = self._batch()
        if not outbox:
            return PushResult("")
        result = shared.push(batch_id, self.state["client_id"], login, changes)
        self._settle(changes, result)
        return result

    def _settle(self, changes: SavedBatch, result: PushResult) -> None:
        """Apply the shared store's answer in one local transaction (set-based: a first push settles
        100,000 rows), then empty the outbox."""
        connection = self.connection
        with wc.applying(connection):
            connection.execute('CREATE TEMP TABLE IF NOT EXISTS "rs_accepted" ("uuid" TEXT PRIMARY KEY, '
                               '"version" INTEGER)')
            connection.execute('DELETE FROM "rs_accepted"')
            connection.execute('INSERT INTO "rs_accepted" SELECT "key", "value" FROM json_each(?)',
                               (json.dumps(result.accepted),))
            for uuid, reason in result.rejected.items():
                table_name, op = connection.execute(
                    'SELECT "table_name", "op" FROM "%s" WHERE "uuid" = ?' % wc.OUTBOX, (uuid,)).fetchone()
                connection.execute(
                    'INSERT OR REPLACE INTO "%s" ("uuid", "table_name", "field", "base", "mine", "theirs", '
                    '"detected_at") VALUES (?, ?, ?, NULL, ?, ?, %s)' % (wc.CONFLICTS, NOW),
                    (uuid, table_name, REFUSED, to_json(op), to_json(reason)))
            # accepted, but changed here again while the batch was on its way (a new row deleted meanwhile
            # has no dirty entry left); such a row was kept as sent (wc.keep_sent_triggers), so only the
            # kept rows are looked at, not the 100,000 of a first push
            kept = " UNION ALL ".join('SELECT "uuid" FROM %s' % quoted(wc.outbox_table(t)) for t in schema.TABLES)
            meanwhile = connection.execute(
                'SELECT o."uuid", o."table_name", o."op", d."op", a."version" FROM "%s" o '
                'JOIN "rs_accepted" a ON a."uuid" = o."uuid" LEFT JOIN "%s" d ON d."uuid" = o."uuid" '
                'WHERE o."uuid" IN (%s) AND (d."seq" > o."local_seq" OR (d."uuid" IS NULL AND o."op" = \'insert\'))'
                % (wc.OUTBOX, wc.DIRTY, kept)).fetchall()
            for uuid, table_name, op, dirty_op, version in meanwhile:
                sent = changes.rows(table_name, [uuid]).get(uuid)
                if dirty_op is None:
                    self._deleted_meanwhile(schema.table(table_name), uuid, version, sent)
                else:
                    self._edited_meanwhile(schema.table(table_name), uuid, op, dirty_op, version, sent)
            connection.executemany('DELETE FROM "rs_accepted" WHERE "uuid" = ?', [(m[0],) for m in meanwhile])
            self._forget_settled()
            connection.execute('DELETE FROM "%s"' % wc.OUTBOX)
            for table in schema.TABLES:
                connection.execute("DELETE FROM %s" % quoted(wc.outbox_table(table)))

    def _forget_settled(self) -> None:
        """The accepted rows nobody edited since (rs_accepted): their new row_version, nothing left
        to send (set-based)."""
        connection = self.connection
        for (table_name,) in connection.execute('SELECT DISTINCT "table_name" FROM "%s"' % wc.OUTBOX).fetchall():
            table = schema.table(table_name)
            connection.execute('UPDATE %s SET "row_version" = a."version" FROM "rs_accepted" AS a '
                               'WHERE a."uuid" = %s."uuid" AND a."version" IS NOT NULL '
                               'AND a."version" IS NOT %s."row_version"' % (
                                   quoted(table.name), quoted(table.name), quoted(table.name)))
            connection.execute('DELETE FROM %s WHERE "uuid" IN (SELECT "uuid" FROM "rs_accepted")' % quoted(
                wc.base_table(table)))
        for target in (wc.DIRTY, wc.CONFLICTS):
            remaining = connection.execute('SELECT EXISTS (SELECT 1 FROM "%s" WHERE "uuid" NOT IN '
                                           '(SELECT "uuid" FROM "rs_accepted"))' % target).fetchone()[0]
            # everything settled (a first push): emptied at once rather than row by row
            connection.execute('DELETE FROM "%s"%s' % (
                target, ' WHERE "uuid" IN (SELECT "uuid" FROM "rs_accepted")' if remaining else ""))

    def _deleted_meanwhile(self, table: Table, uuid: str, version: Optional[int], sent: Optional[dict]) -> None:
        """Accepted as a new row, but deleted here while the batch was on its way: the shared store
        now has the row, so its deletion is still to send."""
        connection = self.connection
        if connection.execute('SELECT 1 FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,)).fetchone():
            return
        wc.set_base(connection, table, dict(sent, row_version=version), uuid)
        connection.execute('UPDATE "%s" SET "change_counter" = "change_counter" + 1' % SYNC_STATE_TABLE)
        connection.execute(
            'INSERT INTO "%s" ("uuid", "table_name", "op", "seq", "first_changed_at", "last_changed_at", '
            '"changed_by") SELECT ?, ?, ?, "change_counter", %s, %s, "login" FROM "%s"' % (
                wc.DIRTY, NOW, NOW, SYNC_STATE_TABLE), (uuid, table.name, DELETE))

    def _edited_meanwhile(self, table: Table, uuid: str, op: str, dirty_op: str, version: Optional[int],
                          sent: Optional[dict]) -> None:
        """Accepted, but edited again while the batch was on its way: the new edit stays to send,
        against the version just accepted."""
        connection = self.connection
        if op == DELETE:
            wc.set_base(connection, table, None, uuid)
            connection.execute('UPDATE "%s" SET "op" = ? WHERE "uuid" = ?' % wc.DIRTY, (INSERT, uuid))
            return
        connection.execute('UPDATE %s SET "row_version" = ? WHERE "uuid" = ?' % quoted(table.name), (version, uuid))
        wc.set_base(connection, table, dict(sent, row_version=version), uuid)
        if dirty_op == INSERT:
            connection.execute('UPDATE "%s" SET "op" = ? WHERE "uuid" = ?' % wc.DIRTY, (UPDATE, uuid))

    # --- conflicts ----------------------------------------------------------------------
    def _send_resolutions(self, shared: SharedStore) -> None:
        """The decisions on settled features go into the shared store's history (a resend after a crash
        adds nothing there), then are marked sent here."""
        decisions = [Resolution(*row) for row in wc.resolutions_to_send(self.connection)]
        if not decisions:
            return
        shared.record_resolutions(self.state["client_id"], decisions)
        with gpkg.transaction(self.connection):
            self.connection.executemany('UPDATE "%s" SET "sent" = 1 WHERE "id" = ?' % wc.RESOLUTIONS,
                                        [(d.resolution_id,) for d in decisions])

    def resolve(self, uuid: str, field: str, choice: str, login: Optional[str] = None) -> None:
        """Keep `mine` or take `theirs` for one conflicting field (or the existence of the feature)."""
        if choice not in (MINE, THEIRS):
            raise StoreError("Choix inconnu : %s (mine ou theirs)." % choice,
                             "Unknown choice: %s (mine or theirs)." % choice)
        connection = self.connection
        found = connection.execute('SELECT "table_name", "theirs" FROM "%s" WHERE "uuid" = ? AND "field" = ?'
                                   % wc.CONFLICTS, (uuid, field)).fetchone()
        if found is None:
            raise StoreError("Aucun conflit sur %s / %s." % (uuid, field),
                             "No conflict on %s / %s." % (uuid, field))
        table = schema.table(found[0])
        their_value = from_json(found[1])
        login = login or self.state["login"] or EXTERNAL_AUTHOR
        with wc.applying(connection):
            ours = wc.read_rows(connection, table, [uuid]).get(uuid)
            base = wc.read_rows(connection, table, [uuid], wc.base_table(table)).get(uuid)
            connection.execute('DELETE FROM "%s" WHERE "uuid" = ? AND "field" = ?' % wc.CONFLICTS, (uuid, field))
            connection.execute(
                'INSERT INTO "%s" ("uuid", "table_name", "field", "choice", "login", "resolved_at") '
                'VALUES (?, ?, ?, ?, ?, %s)' % (wc.RESOLUTIONS, NOW), (uuid, table.name, field, choice, login))
            if field in (EXISTENCE, REFUSED):
                self._resolve_existence(table, uuid, field, choice, ours, base, their_value)
            else:
                if field == GEOMETRY_COLUMN:
                    their_value = gpkg_blob_of(their_value)
                # decided: the field's ancestor is now the shared value, mine a change made against it
                for target in ((table.name, wc.base_table(table)) if choice == THEIRS else (wc.base_table(table),)):
                    connection.execute('UPDATE %s SET %s = ? WHERE "uuid" = ?' % (quoted(target), quoted(field)),
                                       (their_value, uuid))
                ours = wc.read_rows(connection, table, [uuid]).get(uuid)
                base = wc.read_rows(connection, table, [uuid], wc.base_table(table)).get(uuid)
                remaining = connection.execute('SELECT 1 FROM "%s" WHERE "uuid" = ?' % wc.CONFLICTS,
                                               (uuid,)).fetchone()
                automatic = automatic_fields(table)
                business = [c for c in columns(table) if c not in automatic]
                # (a row deleted here meanwhile keeps its deletion to send)
                if not remaining and ours is not None and all(ours[c] == base[c] for c in business):
                    wc.forget(connection, table, uuid)
            # What is sent now is the resolver's decision: signed with their login.
            connection.execute('UPDATE %s SET "updated_by" = ? WHERE "uuid" = ? AND EXISTS (SELECT 1 FROM "%s" '
                               'WHERE "uuid" = ?)' % (quoted(table.name), wc.DIRTY), (login, uuid, uuid))

    def _resolve_existence(self, table, uuid, field, choice, ours, base, theirs) -> None:
        """`theirs`: the state there when reported: "present" (the ancestor is then the row there),
        "deleted", MOVED (out of the copy's scope; the ancestor is the row there, see _moved_out), or
        the reason the shared store refused the change (field REFUSED)."""
        connection = self.connection
        if choice == MINE:
            if ours is None or field == REFUSED:
                return  # sent again as it is: a deletion against the version there, or the refused change
            if theirs == MOVED:
                # Sent as an update of the row there: it comes back into the copy's scope as it is here.
                connection.execute('UPDATE %s SET "row_version" = ? WHERE "uuid" = ?' % quoted(table.name),
                                   (base["row_version"], uuid))
            elif theirs == "deleted":
                # Theirs deleted it: sending mine re-creates it.
                connection.execute('UPDATE "%s" SET "op" = ? WHERE "uuid" = ?' % wc.DIRTY, (INSERT, uuid))
                wc.set_base(connection, table, None, uuid)
            return
        if base is not None and (theirs == "present" or field == REFUSED):
            wc.write_row(connection, table, base)
        elif ours is not None:
            connection.execute('DELETE FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,))
        wc.forget(connection, table, uuid)

    def resolve_all(self, uuid: str, choice: str, login: Optional[str] = None) -> None:
        """"Take all mine / all theirs" for one feature: an explicit choice, logged as such (field
        WHOLE_FEATURE) besides the decision on each field."""
        if choice not in (MINE, THEIRS):
            raise StoreError("Choix inconnu : %s (mine ou theirs)." % choice,
                             "Unknown choice: %s (mine or theirs)." % choice)
        fields = self.connection.execute('SELECT "field", "table_name" FROM "%s" WHERE "uuid" = ?' % wc.CONFLICTS,
                                         (uuid,)).fetchall()
        if not fields:
            raise StoreError("Aucun conflit sur %s." % uuid, "No conflict on %s." % uuid)
        with gpkg.transaction(self.connection):
            self.connection.execute(
                'INSERT INTO "%s" ("uuid", "table_name", "field", "choice", "login", "resolved_at") '
                'VALUES (?, ?, ?, ?, ?, %s)' % (wc.RESOLUTIONS, NOW),
                (uuid, fields[0][1], WHOLE_FEATURE, choice, login or self.state["login"] or EXTERNAL_AUTHOR))
        for field, _ in fields:
            self.resolve(uuid, field, choice, login)


def synchronise(local_path: str, login: Optional[str] = None, progress: Progress = _no_progress,
                cancelled: Callable[[], bool] = _never) -> SyncSummary:
    with WorkingCopy(local_path) as copy:
        return copy.synchronise(login, progress, cancelled)
