"""What a shared store offers the sync engine, and what travels between them.

Two implementations: SharedGeoPackage (plugin/sync/shared_gpkg.py) and
SharedPostGIS (plugin/store/postgis.py). Rows are dicts in the working copy's
representation (see values.py).
"""
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..model import schema
from ..store.base import StoreError

INSERT, UPDATE, DELETE = "insert", "update", "delete"

# Tables in the order their rows are sent: attachments before the rows that refer to them,
# parents before children; deletions go in the reverse order.
PUSH_ORDER = ("attachments",) + tuple(t.name for t in schema.TABLES if t.name != "attachments")


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


class SchemaMismatch(StoreError):
    def __init__(self, local: int, shared: int):
        super().__init__(
            "La copie de travail est au schéma version %d et le stockage partagé à la version %d : "
            "mettez à jour avant de synchroniser." % (local, shared),
            "The working copy has schema version %d and the shared store version %d: "
            "upgrade before synchronising." % (local, shared))


class SyncCancelled(StoreError):
    def __init__(self):
        super().__init__("Synchronisation annulée (rien n'est perdu ; relancez-la).",
                         "Synchronisation cancelled (nothing is lost; run it again).")


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

    def last_history_ids(self) -> Dict[str, int]:
        raise NotImplementedError

    def snapshot(self):
        """A context manager: the reads inside it see one consistent state."""
        raise NotImplementedError

    def push(self, batch_id: str, client_id: str, login: str, changes: Sequence[Change]) -> PushResult:
        raise NotImplementedError

    def close(self) -> None:
        pass
