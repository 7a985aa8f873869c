"""The shared PostGIS store: creation, description, and the sync protocol (SYNC.md §3, §5).

Connections come from one function, `connect(location)`: a `postgresql://`
URI or a `service=` name for libpq (the CLI); the GUI will pass what a QGIS
connection and its authentication configuration give (through the function
the plugin or the command line passes to store.use_qgis_connections). Credentials are never
logged or stored: `display_location` strips them.
"""
import contextlib
import functools
import itertools
import json
import re
import uuid as uuid_module
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..model import schema
from ..model.rules import quoted
from ..model.schema import EXTERNAL_AUTHOR, SCHEMA_VERSION, Kind, history_of
from ..sync import scope
from ..sync.protocol import (COPY_OPTIONS, DELETE, INSERT, RESOLUTIONS_TABLE, Change, Outgoing, PushResult,
                             Resolution, SharedStore, outgoing, sorted_for_push)
from ..sync.values import columns, edited_columns, gpkg_blob_of, wkb_of
from . import QGIS_CONNECTION, access_rights, postgres_access, postgres_ddl, qgis_connection_parameters
from .base import NotAStore, Store, StoreError, StoreInfo, StoreTooNew
from .sqlite_ddl import GEOMETRY_COLUMN

ROLE_SHARED = "shared"
BULK_INSERTS = 500  # from this many new rows in one batch, they go in by COPY


# user:password@ of a URI, up to its last @: a raw @ in the password must not leave the rest visible.
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@]*):(.*)@")
# password=… of a keyword/value string or of a URI's query (with what follows it), quoted ('a b\'c') or not.
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)", re.IGNORECASE)


def display_location(location: str) -> str:
    """The location without any password, for messages and logs."""
    location = _URI_PASSWORD.sub(r"\1@", location)
    return _KEYWORD_PASSWORD.sub(r"\1…", location)


def without_passwords(text: str, location: str) -> str:
    """`text` (a server's or libpq's message about `location`) without any piece of its passwords:
    libpq quotes the part of a connection string it cannot parse."""
    secrets = [m.group(2) for m in _URI_PASSWORD.finditer(location)]
    secrets += [m.group(2).strip("'") for m in _KEYWORD_PASSWORD.finditer(location)]
    pieces = {piece for secret in secrets for piece in [secret] + re.split(r"[\s'\\@]+", secret) if len(piece) >= 3}
    for piece in sorted(pieces, key=len, reverse=True):
        # a whole piece only: "word" of "pass word" is not the end of the keyword "password"
        text = re.sub(r"(?<![\w])%s(?![\w])" % re.escape(piece), "…", text)
    return text


def _reason(location: str, error) -> str:
    return without_passwords(str(error).strip(), location)


def connect(location: str):
    """A psycopg2 connection to `location`: a postgresql:// URI, a service=NAME, or qgis:NAME (a QGIS
    connection, its credentials read from QGIS's authentication database for this call only)."""
    import psycopg2
    if location.startswith(QGIS_CONNECTION):
        parameters = qgis_connection_parameters(location[len(QGIS_CONNECTION):])
    else:
        parameters = {"dsn": location}
    try:
        return psycopg2.connect(connect_timeout=10, application_name="resorption_sig", **parameters)
    except psycopg2.Error as error:
        raise StoreError("Connexion impossible à %s : %s" % (display_location(location), _reason(location, error)),
                         "Cannot connect to %s: %s" % (display_location(location), _reason(location, error))) from error


def _lost(location: str, error) -> StoreError:
    return StoreError(
        "La connexion au serveur %s a été perdue (%s). Rien n'est perdu : relancez la synchronisation."
        % (display_location(location), _reason(location, error)),
        "The connection to the server %s was lost (%s). Nothing is lost: run the synchronisation again."
        % (display_location(location), _reason(location, error)))


def store_statements() -> Iterator[str]:
    """Everything a new shared store is made of, in order: create() runs it in an empty database, and an
    upgrade compares a store with what it makes (postgis_upgrade)."""
    yield from postgres_ddl.statements()


def create(location: str) -> "PostGISStore":
    """Create the shared store's schema in the database at `location`, in one transaction."""
    import psycopg2
    connection = connect(location)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('rs_meta') IS NOT NULL")
            if cursor.fetchone()[0]:
                raise StoreError("La base %s contient déjà un stockage Résorption SIG." % display_location(location),
                                 "The database %s already holds a Résorption SIG store." % display_location(location))
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            for statement in store_statements():
                cursor.execute(statement)
            for statement in postgres_access.statements():
                cursor.execute(statement)
            cursor.executemany('INSERT INTO "rs_meta" VALUES (%s, %s)', [
                ("schema_version", str(SCHEMA_VERSION)), ("role", ROLE_SHARED),
                ("store_id", str(uuid_module.uuid4())), ("application", "resorption_sig")])
            cursor.execute("SELECT set_config('app.user', 'resorption_sig', true)")
            for row in schema.core_indicator_rows():
                names = list(row)
                cursor.execute('INSERT INTO "indicator_definitions" (%s) VALUES (%s)' % (
                    ", ".join(quoted(c) for c in names), ", ".join("%s" for _ in names)), [row[c] for c in names])
    except psycopg2.Error as error:
        raise StoreError("Impossible de créer le stockage sur %s : %s" % (display_location(location),
                                                                          _reason(location, error)),
                         "Could not create the store on %s: %s" % (display_location(location),
                                                                  _reason(location, error))) from error
    finally:
        connection.close()
    return PostGISStore(location)


def _read_meta(cursor, location: str) -> Dict[str, str]:
    cursor.execute("SELECT to_regclass('rs_meta') IS NOT NULL")
    if not cursor.fetchone()[0]:
        raise NotAStore("%s n'est pas un stockage Résorption SIG." % display_location(location),
                        "%s is not a Résorption SIG store." % display_location(location))
    import psycopg2
    try:
        cursor.execute('SELECT "key", "value" FROM "rs_meta"')
    except psycopg2.errors.InsufficientPrivilege as error:
        login = cursor.connection.info.user
        raise StoreError(
            "Le login « %s » n'a aucun droit sur le stockage partagé %s : demandez-les à son administrateur "
            "(python3 -m plugin access … grant %s …)." % (login, display_location(location), login),
            "The login '%s' has no right on the shared store %s: ask its administrator "
            "(python3 -m plugin access … grant %s …)." % (login, display_location(location), login)) from error
    meta = dict(cursor.fetchall())
    if int(meta["schema_version"]) > SCHEMA_VERSION:
        raise StoreTooNew(int(meta["schema_version"]), SCHEMA_VERSION)
    return meta


class PostGISStore(Store):
    kind = "postgis"

    def __init__(self, location: str):
        self._location = location
        self.location = display_location(location)
        with contextlib.closing(connect(location)) as connection, connection.cursor() as cursor:
            self._meta = _read_meta(cursor, location)
            cursor.execute("SELECT current_schema()")
            self._schema = cursor.fetchone()[0]
            self.hidden = access_rights.hidden_columns(connection)
        self.version = int(self._meta["schema_version"])
        self.role = self._meta.get("role", ROLE_SHARED)

    def provider(self) -> str:
        return "postgres"

    def layer_relation(self, table: str) -> Tuple[str, str, Optional[str]]:
        """(schema, relation, geometry column) QGIS opens for the table: the restricted view when the login
        may not read every column (QGIS reads SELECT *)."""
        target = postgres_access.restricted_view(table) if self.hidden.get(table) else table
        return self._schema, target, GEOMETRY_COLUMN if schema.table(table).geometry else None

    def layer_source(self, table: str) -> str:
        """QGIS's source of the table, opened straight on the database (online editing) with the login's own
        connection, so that its rights apply. A QGIS connection (qgis:NAME) is turned into a source by
        layers.pg_connections, which reads it."""
        if self._location.startswith(QGIS_CONNECTION):
            raise StoreError("Une connexion QGIS s'ouvre par les couches du plugin (layers.loader).",
                             "A QGIS connection opens through the plugin's layers (layers.loader).")
        from psycopg2.extensions import parse_dsn
        parameters = parse_dsn(self._location)
        connection = " ".join("%s='%s'" % (key, parameters[key]) for key in (
            "service", "dbname", "host", "port", "user", "sslmode") if parameters.get(key))
        namespace, target, geometry = self.layer_relation(table)
        return "%s key='fid' checkPrimaryKeyUnicity='0' table=\"%s\".\"%s\"%s" % (
            connection, namespace, target, " (%s)" % geometry if geometry else "")

    def meta(self, key: str) -> Optional[str]:
        return self._meta.get(key)

    def connect(self):
        """A new psycopg2 connection (what sums_sql and history call `source`)."""
        return connect(self._location)

    def info(self) -> StoreInfo:
        with contextlib.closing(connect(self._location)) as connection, connection.cursor() as cursor:
            counts = {}
            for table in schema.TABLES:
                cursor.execute("SELECT count(*) FROM %s" % quoted(table.name))
                counts[table.name] = cursor.fetchone()[0]
        return StoreInfo(self.location, self.kind, self.version, self.role, False, counts)


def open_store(location: str) -> PostGISStore:
    return PostGISStore(location)


# --- values ---------------------------------------------------------------------------------

def _select_list(table, kept: Sequence[str], hidden=frozenset()) -> str:
    """The columns read back; those the login may not read come back empty (NULL)."""
    return ", ".join("NULL" if c in hidden else postgres_ddl.select_expression(table, c) for c in kept)


def _to_local(table, kept: Sequence[str], values) -> dict:
    row = dict(zip(kept, values))
    for name in _binary_columns(table.name):
        if row.get(name) is not None:
            row[name] = bytes(row[name])
    if table.geometry and row.get(GEOMETRY_COLUMN) is not None:
        row[GEOMETRY_COLUMN] = gpkg_blob_of(row[GEOMETRY_COLUMN])
    return row


@functools.lru_cache(maxsize=None)
def _binary_columns(table_name: str) -> Tuple[str, ...]:
    """The columns psycopg2 reads as memoryview (bytea): looked up once, not for every value of
    the 100,000 rows of a pull after a first push."""
    table = schema.table(table_name)
    return tuple(c for c in columns(table) if c == GEOMETRY_COLUMN or table.field(c).kind is Kind.BLOB)


def _parameter(table, name: str, value):
    import psycopg2
    if value is None:
        return None
    if name == GEOMETRY_COLUMN:
        return psycopg2.Binary(wkb_of(value))
    kind = table.field(name).kind
    if kind is Kind.BLOB:
        return psycopg2.Binary(bytes(value))
    if kind is Kind.BOOLEAN:
        return int(value)
    return value


class _CopyStream:
    """A file for COPY … FROM STDIN of lines (protocol.COPY_OPTIONS) written as they are read, so
    that the server parses while the working copy is still being read."""

    def __init__(self, lines: Iterator[str]):
        self._lines = iter(lines)
        self.count = 0

    def read(self, size: int = -1) -> str:
        """The next 2,000 rows (psycopg2 sends whatever length it gets); "" at the end."""
        chunk = list(itertools.islice(self._lines, 2000))
        self.count += len(chunk)
        return "\n".join(chunk) + "\n" if chunk else ""


# --- the sync protocol -------------------------------------------------------------------------

class SharedPostGIS(SharedStore):
    def __init__(self, location: str):
        self._location = location
        self.location = display_location(location)
        self._read = connect(location)
        self._read.autocommit = True
        with self._read.cursor() as cursor:
            meta = _read_meta(cursor, location)
        if meta.get("role") != ROLE_SHARED:
            raise NotAStore("%s n'est pas un stockage partagé." % self.location,
                            "%s is not a shared store." % self.location)
        self.schema_version = int(meta["schema_version"])
        self.store_id = meta["store_id"]
        self.hidden = access_rights.hidden_columns(self._read)

    def check_scope(self, departements: Sequence[str]) -> None:
        access_rights.check_scope(self._read, self.location, departements)

    def close(self) -> None:
        self._read.close()

    def record_resolutions(self, client_id: str, resolutions: Sequence[Resolution]) -> None:
        import psycopg2
        connection = connect(self._location)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (postgres_ddl.SYNC_LOCK,))
                cursor.execute("SELECT to_regclass(%s) IS NULL", (RESOLUTIONS_TABLE,))
                if cursor.fetchone()[0]:  # a store made before the table (only its owner may create it)
                    for statement in postgres_ddl.RESOLUTIONS_DDL:
                        cursor.execute(statement)
                for decision in resolutions:
                    cursor.execute(
                        'INSERT INTO "%s" ("client_id", "resolution_id", "uuid", "table_name", "field", "choice", '
                        '"resolved_by", "resolved_at", "recorded_at", "row_version", "batch_id") '
                        'SELECT %%s, %%s, %%s, %%s, %%s, %%s, %%s, %%s::timestamptz, now(), '
                        '(SELECT "row_version" FROM %s WHERE "uuid" = %%s), (SELECT "batch_id" FROM "rs_versions" '
                        'WHERE "uuid" = %%s ORDER BY "id" DESC LIMIT 1) ON CONFLICT DO NOTHING' % (
                            RESOLUTIONS_TABLE, quoted(schema.table(decision.table).name)),
                        (client_id, decision.resolution_id, decision.uuid, decision.table, decision.field,
                         decision.choice, decision.login, decision.resolved_at, decision.uuid, decision.uuid))
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            raise _lost(self._location, error) from error
        finally:
            connection.close()

    def _query(self, sql: str, parameters=()) -> List[tuple]:
        import psycopg2
        try:
            with self._read.cursor() as cursor:
                cursor.execute(sql, parameters)
                return cursor.fetchall()
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            raise _lost(self._location, error) from error

    @contextlib.contextmanager
    def snapshot(self):
        self._read.autocommit = False
        self._read.set_session(isolation_level="REPEATABLE READ", readonly=True)
        try:
            yield self
        finally:
            self._read.rollback()
            self._read.set_session(isolation_level="DEFAULT", readonly=False)
            self._read.autocommit = True

    def last_sequence(self) -> int:
        return self._query('SELECT coalesce(max("seq"), 0) FROM "rs_changes"')[0][0]

    def last_history_ids(self) -> Dict[str, int]:
        return {t.name: self._query('SELECT coalesce(max("history_id"), 0) FROM %s' % quoted(
            history_of(t.name)))[0][0] for t in schema.TABLES}

    def changes_since(self, sequence: int) -> List[Tuple[int, str, str, bool]]:
        return self._query('SELECT "seq", "table_name", "uuid", "deleted" FROM "rs_changes" WHERE "seq" > %s '
                           'ORDER BY "seq"', (sequence,))

    def rows(self, table: str, uuids: Sequence[str], departements: Sequence[str]) -> Dict[str, dict]:
        declared = schema.table(table)
        kept = columns(declared)
        where, parameters = scope.condition(declared, departements, "%s")
        found = {}
        for values in self._query('SELECT %s FROM %s WHERE "uuid" = ANY(%%s) AND %s' % (
                _select_list(declared, kept, self.hidden.get(table, ())), quoted(table), where), [list(uuids)] + parameters):
            row = _to_local(declared, kept, values)
            found[row["uuid"]] = row
        return found

    def export(self, table: str, departements: Sequence[str]) -> Iterator[tuple]:
        declared = schema.table(table)
        hidden = self.hidden.get(table, ())
        selected = ["NULL" if c in hidden else postgres_ddl.select_expression(declared, c) for c in columns(declared)]
        if declared.geometry:
            # the GeoPackage binary header (no envelope, little-endian, the storage SRID) added by the server
            selected[0] = "%s || ST_AsBinary(%s, 'NDR')" % (postgres_ddl.bytea_literal(gpkg_blob_of(b"")),
                                                             quoted(GEOMETRY_COLUMN))
            envelope = ", ".join("ST_%s(%s)" % (f, quoted(GEOMETRY_COLUMN)) for f in ("XMin", "XMax", "YMin", "YMax"))
        else:
            envelope = "NULL, NULL, NULL, NULL"
        where, parameters = scope.condition(declared, departements, "%s")
        with self._read.cursor(name="rs_export_%s" % table) as cursor:
            cursor.itersize = 5000
            cursor.execute('SELECT "fid", %s, %s FROM %s WHERE %s ORDER BY "fid"' % (
                envelope, ", ".join(selected), quoted(table), where), parameters)
            yield from cursor

    def history_since(self, table: str, last_id: int, departements: Sequence[str],
                      up_to: Optional[int] = None) -> List[dict]:
        declared = schema.table(table)
        data = columns(declared)
        kept = ["history_id"] + data + ["valid_from", "valid_to", "changed_by", "operation", "reason"]
        stamp = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        select = ['"history_id"', _select_list(declared, data, self.hidden.get(history_of(table), ())), stamp % '"valid_from"', stamp % '"valid_to"',
                  '"changed_by"', '"operation"', '"reason"']
        where, parameters = scope.condition(declared, departements, "%s")
        limit = ' AND "history_id" <= %d' % up_to if up_to is not None else ""
        rows = self._query('SELECT %s FROM %s WHERE "history_id" > %%s%s AND %s ORDER BY "history_id"' % (
            ", ".join(select), quoted(history_of(table)), limit, where), [last_id] + parameters)
        return [_to_local(declared, kept, values) for values in rows]

    # --- push -------------------------------------------------------------------------------
    def push(self, batch_id: str, client_id: str, login: str, changes: Sequence[Change]) -> PushResult:
        import psycopg2
        connection = connect(self._location)
        try:
            try:
                return self._push(connection, batch_id, client_id, login, changes, careful=False)
            except (psycopg2.IntegrityError, psycopg2.DataError, psycopg2.errors.RaiseException):
                # A row the server refuses: start again, one savepoint per row, to tell which.
                connection.rollback()
                return self._push(connection, batch_id, client_id, login, changes, careful=True)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            raise _lost(self._location, error) from error
        finally:
            with contextlib.suppress(Exception):
                connection.close()

    def _push(self, connection, batch_id, client_id, login, changes, careful: bool) -> PushResult:
        """One transaction under the sync lock: the batch seen before → its stored result; else every
        change checked against its row_version, the batch recorded, commit."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s), now()", (postgres_ddl.SYNC_LOCK,))
            started = cursor.fetchone()[1]
            cursor.execute('SELECT "result" FROM "rs_batches" WHERE "batch_id" = %s', (batch_id,))
            stored = cursor.fetchone()
            if stored:
                connection.rollback()
                data = json.loads(stored[0])
                return PushResult(batch_id, data["accepted"], data["conflicts"], data.get("rejected", {}), True)
            cursor.execute("SELECT set_config('app.user', %s, true), set_config('app.batch', %s, true)",
                           (login, batch_id))
            result = PushResult(batch_id)
            batch = outgoing(changes)
            ordered = sorted_for_push(batch)
            inserts = [c for c in ordered if c.op == INSERT]
            if len(inserts) >= BULK_INSERTS and not self.hidden and self._copy_inserts(cursor, batch, inserts, login,
                                                                                      result):
                ordered = [c for c in ordered if c.op != INSERT]
            for change in batch.complete(ordered):
                self._apply(cursor, change, login, result, careful)
            cursor.execute('INSERT INTO "rs_batches" VALUES (%s, %s, %s, %s, now(), %s, %s, %s, %s)', (
                batch_id, client_id, login, started, len(changes), len(result.accepted),
                len(result.conflicts) + len(result.rejected),
                json.dumps({"accepted": result.accepted, "conflicts": result.conflicts,
                            "rejected": result.rejected})))
        connection.commit()
        return result

    def _copy_inserts(self, cursor, batch: Outgoing, inserts: List[Change], login: str, result: PushResult) -> bool:
        """New rows in bulk, table by table (a first push: 100,000 rows); False (nothing done) if the
        server refuses any of them: they then go one by one, to tell which."""
        import psycopg2
        cursor.execute("SAVEPOINT bulk")
        try:
            for table_name in dict.fromkeys(c.table for c in inserts):
                expected = sum(1 for c in inserts if c.table == table_name)
                self._copy_table(cursor, batch, schema.table(table_name), expected, login)
        except (psycopg2.IntegrityError, psycopg2.DataError, psycopg2.errors.RaiseException,
                psycopg2.errors.InsufficientPrivilege):
            cursor.execute("ROLLBACK TO SAVEPOINT bulk")
            return False
        cursor.execute("RELEASE SAVEPOINT bulk")
        for change in inserts:
            result.accepted[change.uuid] = 1
        return True

    @staticmethod
    def _copy_table(cursor, batch: Outgoing, declared, expected: int, login: str) -> None:
        """COPY the new rows into the table, streamed while the working copy is read, in uuid order so
        that the uuid indexes (the table's, rs_changes', rs_versions') fill in order. The table's
        checks and triggers run as for any insert: numbering, audit (batch, author, offline and
        accepted times), rules."""
        names = columns(declared)
        stream = _CopyStream(batch.insert_rows(declared.name, login))
        cursor.copy_expert("COPY %s (%s) FROM STDIN WITH (%s)" % (
            quoted(declared.name), ", ".join(quoted(c) for c in names), COPY_OPTIONS), stream, size=1 << 16)
        if stream.count != expected:
            raise StoreError(
                "La copie de travail ne contient plus %d des nouvelles lignes de %s à envoyer." % (
                    expected - stream.count, declared.name),
                "The working copy no longer holds %d of the new rows of %s to send." % (
                    expected - stream.count, declared.name))

    def _apply(self, cursor, change: Change, login: str, result: PushResult, careful: bool) -> None:
        import psycopg2
        try:
            if careful:
                cursor.execute("SAVEPOINT row_change")
            count, version = self._write(cursor, change, login, self.hidden.get(change.table, ()))
        except psycopg2.errors.InsufficientPrivilege as error:
            raise access_rights.push_refused(cursor, change, str(error).strip().splitlines()[0]) from error
        except (psycopg2.IntegrityError, psycopg2.DataError, psycopg2.errors.RaiseException) as error:
            if not careful:
                raise
            cursor.execute("ROLLBACK TO SAVEPOINT row_change")
            result.rejected[change.uuid] = str(error).strip().splitlines()[0]
            return
        if careful:
            cursor.execute("RELEASE SAVEPOINT row_change")
        if count:
            result.accepted[change.uuid] = version
        elif access_rights.exists_elsewhere(cursor, change.table, change.uuid) and not self._visible(cursor, change):
            raise access_rights.push_refused(cursor, change)
        else:
            result.conflicts.append(change.uuid)

    @staticmethod
    def _visible(cursor, change: Change) -> bool:
        cursor.execute('SELECT 1 FROM %s WHERE "uuid" = %%s' % quoted(change.table),
                       (change.uuid,))
        return cursor.fetchone() is not None

    @staticmethod
    def _write(cursor, change: Change, login: str, hidden=()) -> Tuple[int, Optional[int]]:
        declared = schema.table(change.table)
        table = quoted(change.table)
        if change.op == DELETE:
            cursor.execute('DELETE FROM %s WHERE "uuid" = %%s AND "row_version" = %%s' % table,
                           (change.uuid, change.expected_version))
            if not cursor.rowcount:
                cursor.execute('SELECT 1 FROM %s WHERE "uuid" = %%s' % table, (change.uuid,))
                return int(cursor.fetchone() is None), None  # already deleted there: nothing to wait for
            return cursor.rowcount, None
        row = dict(change.row)
        version = 1 if change.op == INSERT else change.expected_version + 1
        row["row_version"] = version
        if row.get("updated_by") in (None, EXTERNAL_AUTHOR):
            row["updated_by"] = login
        written = sorted(c for c in hidden if row.get(c) is not None)
        if written:  # a value the login may not read is not written either, and not dropped silently
            raise access_rights.push_refused(cursor, change, "champ(s) réservé(s) / restricted field(s): %s"
                                             % ", ".join(written))
        names = [c for c in columns(declared) if c in row and c not in hidden]
        if change.op == INSERT:
            cursor.execute('INSERT INTO %s (%s) VALUES (%s) ON CONFLICT ("uuid") DO NOTHING' % (
                table, ", ".join(quoted(c) for c in names),
                ", ".join(postgres_ddl.value_placeholder(declared, c) for c in names)),
                [_parameter(declared, c, row[c]) for c in names])
        else:
            names = [c for c in names if c != "uuid"]
            # compared with what the login may read: a change of the others is refused above
            edited = [c for c in edited_columns(declared) if c in row and c not in hidden]
            cursor.execute('UPDATE %s SET %s WHERE "uuid" = %%s AND "row_version" = %%s AND (%s)' % (
                table, ", ".join("%s = %s" % (quoted(c), postgres_ddl.value_placeholder(declared, c))
                                 for c in names),
                " OR ".join("%s IS DISTINCT FROM %s" % (quoted(c), postgres_ddl.value_placeholder(declared, c))
                            for c in edited) or "false"),
                [_parameter(declared, c, row[c]) for c in names] + [change.uuid, change.expected_version]
                + [_parameter(declared, c, row[c]) for c in edited])
            if not cursor.rowcount:
                cursor.execute('SELECT 1 FROM %s WHERE "uuid" = %%s AND "row_version" = %%s' % table,
                               (change.uuid, change.expected_version))
                if cursor.fetchone():
                    # nothing changed: accepted as it is, no version bump
                    return 1, change.expected_version
                return 0, version
        return cursor.rowcount, version
