"""What a shared store offers the sync engine, and what travels between them.

Two implementations: SharedGeoPackage (plugin/sync/shared_gpkg.py) and
SharedPostGIS (plugin/store/postgis.py). Rows are dicts in the working copy's
representation (see values.py).
"""
import csv
import io
import struct
from dataclasses import dataclass, field, replace
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..model import schema
from ..model.schema import EXTERNAL_AUTHOR, SCHEMA_VERSION
from ..store.base import StoreError
from ..store.sqlite_ddl import GEOMETRY_COLUMN
from .values import columns, wkb_of

INSERT, UPDATE, DELETE = "insert", "update", "delete"

# How new rows travel in bulk (PostgreSQL COPY … FROM STDIN WITH (COPY_OPTIONS)), one line per row:
# strings quoted, numbers bare, NULL as an unquoted \N, so that a quoted "\N" stays a text.
COPY_NULL = "\\N"
COPY_OPTIONS = "FORMAT csv, NULL '%s'" % COPY_NULL

# Tables in the order their rows are sent: attachments before the rows that refer to them,
# parents before children; deletions go in the reverse order.
PUSH_ORDER = ("attachments",) + tuple(t.name for t in schema.parents_first() if t.name != "attachments")


@dataclass
class Change:
    """One row to send; `row` is a mapping column → value (None for a delete)."""
    table: str
    uuid: str
    op: str
    expected_version: Optional[int]
    row: Optional[dict]


@dataclass
class PushResult:
    """accepted: uuid → the row_version the shared store now holds (None for a delete);
    conflicts: the uuids refused because the shared row moved on;
    rejected: uuid → the store's reason (a rule or a uniqueness the row breaks there)."""
    batch_id: str
    accepted: Dict[str, Optional[int]] = field(default_factory=dict)
    conflicts: List[str] = field(default_factory=list)
    rejected: Dict[str, str] = field(default_factory=dict)
    replayed: bool = False


@dataclass
class Resolution:
    """A conflict decision made in a working copy (its local id there), recorded on the shared store."""
    resolution_id: int
    uuid: str
    table: str
    field: str
    choice: str
    login: Optional[str]
    resolved_at: str


# The shared store's record of conflict decisions: one row per decision, keyed by the copy and its
# local id (a resend after a crash adds nothing), with the row_version and the batch of the shared
# row it led to. (The working copy's own log of decisions is its rs_resolutions.)
RESOLUTIONS_TABLE = "rs_conflict_resolutions"


class SchemaMismatch(StoreError):
    def __init__(self, local: int, shared: int):
        older = _side_to_upgrade(local, shared)
        super().__init__(
            "La copie de travail est au schéma version %d et le stockage partagé à la version %d (ce plugin : "
            "version %d) : mettez à jour %s (python3 -m plugin upgrade, ou à l'ouverture dans QGIS) avant de "
            "synchroniser ; rien n'est perdu." % (local, shared, SCHEMA_VERSION, older[0]),
            "The working copy has schema version %d and the shared store version %d (this plugin: version %d): "
            "upgrade %s (python3 -m plugin upgrade, or when opening it in QGIS) before synchronising; nothing is "
            "lost." % (local, shared, SCHEMA_VERSION, older[1]))


def _side_to_upgrade(local: int, shared: int):
    """Which side to upgrade first, in French and in English."""
    if shared < SCHEMA_VERSION and local < SCHEMA_VERSION:
        return "le stockage partagé puis la copie", "the shared store, then the copy"
    if shared < SCHEMA_VERSION:
        return "le stockage partagé", "the shared store"
    if local < SCHEMA_VERSION:
        return "la copie de travail", "the working copy"
    return "le plugin Résorption SIG", "the Résorption SIG plugin"


class SyncCancelled(StoreError):
    def __init__(self):
        super().__init__("Synchronisation annulée (rien n'est perdu ; relancez-la).",
                         "Synchronisation cancelled (nothing is lost; run it again).")


class Outgoing(list):
    """The changes of a batch, in the order they were saved, and where their rows come from.

    Here the rows travel inside the changes. A working copy's batch (engine.SavedBatch) leaves them
    out and reads them when the shared store asks: a first push holds 100,000 rows, streamed by
    `insert_rows` into a COPY rather than held in memory."""

    def rows(self, table: str, uuids: Sequence[str]) -> Dict[str, Mapping]:
        """The rows sent for these uuids of `table`: column → value."""
        wanted = set(uuids)
        return {c.uuid: c.row for c in self if c.table == table and c.uuid in wanted and c.row is not None}

    def insert_rows(self, table: str, author: str) -> Iterator[str]:
        """Every new row of `table` in the batch as a line of a bulk load (COPY_OPTIONS), in uuid
        order: values in columns(table) order, the geometry as hex EWKB with the storage SRID, other
        BLOB values as \\x-prefixed hex text, row_version 1 and `author` as updated_by where the row
        names nobody or the external author (as the shared store does for a single insert)."""
        names = columns(schema.table(table))
        line = io.StringIO()
        writer = csv.writer(line, quoting=csv.QUOTE_NONNUMERIC, lineterminator="")
        for change in sorted((c for c in self if c.table == table and c.op == INSERT), key=lambda c: c.uuid):
            row = dict(change.row, row_version=1)
            if row["updated_by"] in (None, EXTERNAL_AUTHOR):
                row["updated_by"] = author
            line.seek(0)
            line.truncate()
            writer.writerow([_NULL if value is None else value for value in (
                _ewkb_hex(row[name]) if name == GEOMETRY_COLUMN else _hex(row[name]) for name in names)])
            yield line.getvalue()

    def complete(self, changes: Sequence[Change]) -> List[Change]:
        """`changes` with their rows read where they are not inline."""
        missing: Dict[str, List[str]] = {}
        for change in changes:
            if change.row is None and change.op != DELETE:
                missing.setdefault(change.table, []).append(change.uuid)
        found = {table: self.rows(table, uuids) for table, uuids in missing.items()}
        return [replace(c, row=found[c.table].get(c.uuid)) if c.row is None and c.op != DELETE else c
                for c in changes]


class _Null(float):
    """Written unquoted by the csv module (a number to it): COPY_NULL."""

    def __str__(self):
        return COPY_NULL

    __repr__ = __str__


_NULL = _Null()


def _hex(value):
    return "\\x" + bytes(value).hex() if isinstance(value, (bytes, bytearray, memoryview)) else value


def _ewkb_hex(blob: Optional[bytes]) -> Optional[str]:
    wkb = wkb_of(blob)
    if wkb is None:
        return None
    order = "<" if wkb[0] == 1 else ">"
    geometry_type = struct.unpack_from(order + "I", wkb, 1)[0]
    return (wkb[:1] + struct.pack(order + "Ii", geometry_type | 0x20000000, schema.STORAGE_SRID) + wkb[5:]).hex()


def outgoing(changes: Sequence[Change]) -> Outgoing:
    return changes if isinstance(changes, Outgoing) else Outgoing(changes)


def sorted_for_push(changes: Sequence[Change]) -> List[Change]:
    rank = {name: i for i, name in enumerate(PUSH_ORDER)}
    writes = sorted((c for c in changes if c.op != DELETE), key=lambda c: rank[c.table])
    deletes = sorted((c for c in changes if c.op == DELETE), key=lambda c: -rank[c.table])
    return writes + deletes


class SharedStore:
    """The operations of SYNC.md §3 and §5 on a shared store."""

    location: str = ""
    schema_version: int = 0
    store_id: str = ""

    def changes_since(self, sequence: int) -> List[Tuple[int, str, str, bool]]:
        """(sequence, table, uuid, deleted) of every row changed after `sequence`, in order."""
        raise NotImplementedError

    def rows(self, table: str, uuids: Sequence[str], departements: Sequence[str]) -> Dict[str, dict]:
        raise NotImplementedError

    def export(self, table: str, departements: Sequence[str]) -> Iterator[tuple]:
        """Every row of the scope as (fid, minx, maxx, miny, maxy, *values in columns(table) order):
        the shared fid and the envelope let a checkout fill the copy and its spatial index in bulk."""
        raise NotImplementedError

    def history_since(self, table: str, last_id: int, departements: Sequence[str],
                      up_to: Optional[int] = None) -> List[dict]:
        raise NotImplementedError

    def last_sequence(self) -> int:
        raise NotImplementedError

    def check_scope(self, departements: Sequence[str]) -> None:
        """Refuse (StoreError) a checkout of départements the login may not read; a store without
        access rights (a shared GeoPackage) lets everything through."""

    def last_history_ids(self) -> Dict[str, int]:
        raise NotImplementedError

    def snapshot(self):
        """A context manager: the reads inside it see one consistent state."""
        raise NotImplementedError

    def push(self, batch_id: str, client_id: str, login: str, changes: Sequence[Change]) -> PushResult:
        raise NotImplementedError

    def record_resolutions(self, client_id: str, resolutions: Sequence[Resolution]) -> None:
        """Add the decisions to the shared store's history (idempotent), in one transaction."""
        raise NotImplementedError

    def close(self) -> None:
        pass
