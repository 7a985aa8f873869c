"""Three-way merge of one feature, field by field (SYNC.md §4). Pure Python.

base is the row as it was at the last sync (the common ancestor), ours the
working copy's row, theirs the shared store's row; each is a dict of field →
value, or None when the row does not exist on that side (deleted, or not
created yet). The geometry is one field; the caller passes it as normalised
WKB bytes so that equal shapes compare equal.

Rules: only one side changed a field → that side's value; both changed it to
the same value → no conflict; both changed it to different values → a
conflict on that field. A delete against an update is always a conflict,
never "delete wins". Automatic fields (the stamps the store fills itself)
never conflict and never make a change on their own: the authorship stamps
(AUTHORSHIP) of a merged row are ours, since what the working copy sends is
its own edit (each version keeps its own author and time), the others keep
the later value.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

Row = Dict[str, Any]

# The pseudo-field a delete/update conflict is reported on.
EXISTENCE = "(existence)"

# Who made a version and when: in a merged row, the side whose edit it sends (ours).
AUTHORSHIP = ("updated_at", "updated_by")

KEEP_OURS = "ours"
TAKE_THEIRS = "theirs"
MERGED = "merged"
DELETED = "deleted"
CONFLICT = "conflict"


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass
class MergeResult:
    """`outcome`: ours (push ours as is), theirs (take the shared row), merged
    (a row mixing both, to write locally then push), deleted (gone on both
    sides or deleted on one side only), conflict (see `conflicts`; `row` holds
    the merged fields with our value on each conflicting field)."""
    outcome: str
    row: Optional[Row]
    conflicts: List[FieldConflict] = field(default_factory=list)


def _later(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _changed(base: Optional[Row], row: Row, name: str) -> bool:
    return base is None or base.get(name) != row.get(name)


def merge_row(base: Optional[Row], ours: Optional[Row], theirs: Optional[Row],
              fields: Iterable[str], automatic: Iterable[str] = ()) -> MergeResult:
    fields = list(fields)
    automatic = set(automatic)
    if ours is None and theirs is None:
        return MergeResult(DELETED, None)
    if ours is None or theirs is None:
        survivor = ours if theirs is None else theirs
        survivor_changed = base is None or any(
            _changed(base, survivor, name) for name in fields if name not in automatic)
        if not survivor_changed:
            return MergeResult(DELETED, None)
        if base is None and ours is not None:
            # Created here, never seen by the shared store: nothing to conflict with.
            return MergeResult(KEEP_OURS, dict(ours))
        if base is None:
            return MergeResult(TAKE_THEIRS, dict(theirs))
        return MergeResult(CONFLICT, dict(survivor), [FieldConflict(
            EXISTENCE, "present", "deleted" if ours is None else "present",
            "deleted" if theirs is None else "present")])

    merged: Row = {}
    conflicts: List[FieldConflict] = []
    took_ours = took_theirs = False
    for name in fields:
        mine, their = ours.get(name), theirs.get(name)
        if mine == their:
            merged[name] = mine
        elif name in automatic:
            merged[name] = mine if name in AUTHORSHIP else _later(mine, their)
        elif _changed(base, ours, name) and _changed(base, theirs, name):
            conflicts.append(FieldConflict(name, None if base is None else base.get(name), mine, their))
            merged[name] = mine
        elif _changed(base, ours, name):
            merged[name] = mine
            took_ours = True
        else:
            merged[name] = their
            took_theirs = True
    if conflicts:
        return MergeResult(CONFLICT, merged, conflicts)
    if took_ours and took_theirs:
        return MergeResult(MERGED, merged)
    if took_ours:
        return MergeResult(KEEP_OURS, merged)
    return MergeResult(TAKE_THEIRS, dict(theirs))
