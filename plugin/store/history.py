"""The history of a feature and the store-wide activity feed, read from `<table>_history`.

The triggers (sqlite_ddl.py) keep every previous version whole; a version is
valid from `valid_from` to `valid_to`, the current row from its updated_at on.
Here the versions become changes a person reads: when, who, which fields
changed (old → new). Fields the store maintains itself (uuid, row_version,
created/updated stamps, population_updated_at) are not shown as changes.
"""
from datetime import date, datetime
from typing import Dict, List, Optional, Sequence

from ..model import access, schema
from ..model import sums as model
from ..model.rules import quoted
from ..model.schema import SYNC_FIELD_NAMES, history_of
from .base import StoreError
from .sqlite_ddl import GEOMETRY_COLUMN, POPULATION_STAMP, history_columns
from .sums_sql import Query, connection_of, dialect_of

MAINTAINED = set(SYNC_FIELD_NAMES) | {POPULATION_STAMP}
CREATE, UPDATE, DELETE = "create", "update", "delete"


def _table(name: str) -> schema.Table:
    try:
        return schema.table(name)
    except KeyError:
        raise StoreError("Table inconnue : %s" % name, "Unknown table: %s" % name) from None


def readable(column: str, value):
    """A value as JSON can carry it: geometry as WKT, other blobs by their size, instants
    as ISO UTC text, dates as 'YYYY-MM-DD' (PostgreSQL gives typed values)."""
    if isinstance(value, (bytes, memoryview)):
        if column == GEOMETRY_COLUMN:
            return geometry_wkt(bytes(value))
        return "(%d octets)" % len(value)
    if isinstance(value, datetime):
        return model.format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _selected(dialect, column: str) -> str:
    """A column as read here: PostGIS geometry as WKT, the GeoPackage blob as it is."""
    if column == GEOMETRY_COLUMN and dialect.name == "postgres":
        return "ST_AsText(%s) AS %s" % (quoted(column), quoted(column))
    return quoted(column)


def geometry_wkt(blob: bytes) -> Optional[str]:
    from osgeo import ogr
    from .gpkg_functions import _header
    empty, _, offset, _ = _header(blob)
    if empty:
        return None
    geometry = ogr.CreateGeometryFromWkb(bytes(blob[offset:]))
    return geometry.ExportToIsoWkt() if geometry is not None else None


def _diff(before: Optional[Dict], after: Dict, columns: Sequence[str]) -> Dict[str, List]:
    shown = [c for c in columns if c not in MAINTAINED]
    if before is None:
        return {c: [None, after[c]] for c in shown if after[c] is not None}
    return {c: [before[c], after[c]] for c in shown if before[c] != after[c]}


def _shown_columns(connection, dialect, table: schema.Table, include_justice: bool) -> List[str]:
    """The history's columns a reader sees: the justice group and the owner only when asked for, and on
    PostGIS only those the login may read."""
    restricted = set(access.restricted_fields(table))
    columns = [c for c in history_columns(table) if include_justice or c not in restricted]
    if include_justice and restricted and dialect.name == "postgres":
        query = Query(dialect)
        readable_ones = {row[0] for row in dialect.run(connection, (
            "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 "
            "AND has_column_privilege(a.attrelid, a.attnum, 'SELECT')") % query.bind("table", table.name),
            query.parameters)[1]}
        columns = [c for c in columns if c not in restricted or c in readable_ones]
    return columns


def history(source, table: str, uuid: str, include_justice: bool = False) -> List[Dict[str, object]]:
    """The versions of feature `uuid` of `table`, newest first: [{"valid_from", "valid_to",
    "changed_by", "operation" (create|update|delete), "row_version", "changes": {field: [old, new]}}].

    `changed_by` is who made that version (for a deletion, who deleted); `changes` compares it
    with the version before it (for the first version: every field given; for a deletion: none).
    On a shared store, a version that came out of a conflict also has "resolutions": [{"field" (or
    "*" for "take all mine / all theirs"), "choice" (mine|theirs, the resolver's side), "resolved_by",
    "resolved_at" (in the working copy), "recorded_at", "batch_id"}]. The justice group and the owner's
    identity are shown only with `include_justice` (and, on PostGIS, if the login may read them)."""
    declared = _table(table)
    with connection_of(source) as connection:
        dialect = dialect_of(connection)
        columns = _shown_columns(connection, dialect, declared, include_justice)
        column_list = ", ".join(_selected(dialect, c) for c in columns)
        query = Query(dialect)
        wanted = query.bind("uuid", uuid)
        past = [[readable(c, v) for c, v in zip(columns + ["", "", "", ""], row)] for row in dialect.run(
            connection, 'SELECT %s, "valid_from", "valid_to", "changed_by", "operation" FROM %s WHERE "uuid" = %s '
            'ORDER BY "valid_to", "history_id"' % (column_list, quoted(history_of(table)), wanted),
            query.parameters)[1]]
        found = dialect.run(connection, 'SELECT %s FROM %s WHERE "uuid" = %s' % (column_list, quoted(table), wanted),
                            query.parameters)[1]
        current = [readable(c, v) for c, v in zip(columns, found[0])] if found else None
        decisions = _resolutions(connection, dialect, uuid)
    if not past and current is None:
        raise StoreError("Aucun objet %s d'identifiant %s dans ce stockage." % (table, uuid),
                         "No %s feature with uuid %s in this store." % (table, uuid))
    versions = []
    for row in past:
        valid_from, valid_to = row[len(columns):len(columns) + 2]
        versions.append((dict(zip(columns, row[:len(columns)])), valid_from, valid_to))
    if current is not None:
        data = dict(zip(columns, current))
        versions.append((data, data.get("updated_at"), None))
    entries, before = [], None
    for data, valid_from, valid_to in versions:
        entries.append({"valid_from": valid_from, "valid_to": valid_to,
                        "changed_by": data.get("updated_by") if before is not None else data.get("created_by"),
                        "operation": CREATE if before is None else UPDATE,
                        "row_version": data.get("row_version"), "changes": _diff(before, data, columns)})
        before = data
    if current is None and past[-1][-1] == DELETE:
        entries.append({"valid_from": past[-1][-3], "valid_to": None, "changed_by": past[-1][-2],
                        "operation": DELETE, "row_version": None, "changes": {}})
    for decision in decisions:
        version = decision.pop("row_version")
        entry = next((e for e in entries if version is not None and e["row_version"] == version), entries[-1])
        entry.setdefault("resolutions", []).append(decision)
    entries.reverse()
    return entries


RESOLUTION_COLUMNS = ("field", "choice", "resolved_by", "resolved_at", "recorded_at", "batch_id", "row_version")


def _resolutions(connection, dialect, uuid: str) -> List[Dict[str, object]]:
    """The conflict decisions a shared store recorded for the feature (sync.protocol.RESOLUTIONS_TABLE),
    oldest first; none in a store that has no such table."""
    from ..sync.protocol import RESOLUTIONS_TABLE
    exists = ("SELECT to_regclass('%s') IS NOT NULL" if dialect.name == "postgres"
              else "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '%s'") % RESOLUTIONS_TABLE
    if not dialect.run(connection, exists, {})[1][0][0]:
        return []
    query = Query(dialect)
    rows = dialect.run(connection, 'SELECT %s FROM "%s" WHERE "uuid" = %s ORDER BY "recorded_at", "resolution_id"' % (
        ", ".join(quoted(c) for c in RESOLUTION_COLUMNS), RESOLUTIONS_TABLE, query.bind("uuid", uuid)),
        query.parameters)[1]
    return [dict(zip(RESOLUTION_COLUMNS, (readable("", v) for v in row))) for row in rows]


def activity(source, limit: int = 100, changed_by: Optional[str] = None, since: Optional[str] = None,
             until: Optional[str] = None, insee_code: Optional[str] = None,
             tables: Optional[Sequence[str]] = None) -> List[Dict[str, object]]:
    """The latest changes store-wide, newest first: [{"at", "table", "uuid", "label", "insee_code",
    "changed_by", "operation"}], at most `limit`. Filters: who (`changed_by`), when
    (since ≤ at ≤ until, ISO instants), where (`insee_code`: only tables that have one).

    An update or deletion is dated by its valid_to and signed by its changed_by; a creation by
    the feature's created_at and created_by."""
    names = tables or [t.name for t in schema.TABLES if t.history]
    events: List[Dict[str, object]] = []
    with connection_of(source) as connection:
        for name in names:
            declared = _table(name)
            if insee_code is not None and "insee_code" not in declared.field_names:
                continue
            events += _table_activity(connection, declared, limit, changed_by, since, until, insee_code)
    events.sort(key=lambda e: (e["at"] or "", e["operation"] != CREATE), reverse=True)
    return events[:limit]


def _table_activity(connection, table: schema.Table, limit, changed_by, since, until, insee_code):
    dialect = dialect_of(connection)
    label = '"name"' if "name" in table.field_names else "NULL"
    insee = '"insee_code"' if "insee_code" in table.field_names else "NULL"
    history = quoted(history_of(table.name))

    def latest(at, who, operation, source, extra=(), after=None):
        query = Query(dialect)
        conditions = list(extra)
        filters = ((who, "=", "person", changed_by, False), (at, ">=", "since", since, True),
                   (at, "<=", "until", until, True), ('"insee_code"', "=", "insee_code", insee_code, False),
                   ('"valid_to"', ">=", "after", after, True))
        for column, operator, name, value, is_instant in filters:
            if value is not None:
                placeholder = query.bind(name, value)
                conditions.append("%s %s %s" % (column, operator,
                                                dialect.instant(placeholder) if is_instant else placeholder))
        sql = 'SELECT %s, "uuid", %s, %s, %s, %s FROM %s%s ORDER BY %s DESC LIMIT %s' % (
            at, label, insee, who, operation, source,
            (" WHERE " + " AND ".join(conditions)) if conditions else "", at, query.bind("limit", limit))
        return [dict(zip(("at", "uuid", "label", "insee_code", "changed_by", "operation"),
                         [readable("", v) for v in row]), table=table.name)
                for row in dialect.run(connection, sql, query.parameters)[1]]

    events = latest('"valid_to"', '"changed_by"', '"operation"', history)
    events += latest('"created_at"', '"created_by"', "'create'", quoted(table.name))
    # The creations of deleted features: only those deleted after the oldest event kept so far
    # can be among the latest (created_at ≤ valid_to), and the valid_to index finds them.
    events.sort(key=lambda e: e["at"] or "", reverse=True)
    oldest = events[limit - 1]["at"] if len(events) >= limit else None
    return events + latest('"created_at"', '"created_by"', "'create'", history, ["\"operation\" = 'delete'"], oldest)
