"""Working copies that sync with a shared store (SYNC.md). No Qt here.

API for the GUI (run in a QgsTask; `progress(fraction, text)`, `cancelled()`):

    checkout(shared_location, local_path, departements, login, progress, cancelled) -> path
    with WorkingCopy(path) as copy:
        copy.synchronise(login, progress, cancelled) -> SyncSummary(received, sent, conflicts)
        copy.pending_changes() -> int            # the badge
        copy.conflicts() -> [{uuid, table, field, base, mine, theirs}]
        copy.resolve(uuid, field, "mine" | "theirs", login)
        copy.resolve_all(uuid, "mine" | "theirs", login)
"""
from .engine import (EXISTENCE, MINE, REFUSED, THEIRS, SyncSummary, WorkingCopy, checkout, is_postgres,
                     open_shared, synchronise)
from .protocol import SchemaMismatch, SyncCancelled

__all__ = ["checkout", "synchronise", "WorkingCopy", "SyncSummary", "open_shared", "is_postgres",
           "SchemaMismatch", "SyncCancelled", "MINE", "THEIRS", "EXISTENCE", "REFUSED"]
