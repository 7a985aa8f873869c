"""The sync's promise as a stateful property (issue 16), for any shared store.

Two to four colleagues, each with a working copy (the first one of the 93 and the 75, the others
of the 93 only), edit sites at random (insert, update of random fields, delete, move to the other
département, revert to the value of the last sync), synchronise in a random order and decide
their conflicts at once or several steps later. A reference model, kept apart from the engine,
follows what each colleague wrote and which shared value each one has acknowledged (received
without a pending edit of theirs, or decided against). After every step:

* nothing lost: each pending edit is still in its author's copy or in the shared store; a row
  deleted here does not come back unless its author chose so;
* nothing overwritten unseen: every value the shared store loses was acknowledged by the
  colleague whose sync replaced it, so that two concurrent different values of one field were
  reported to the second writer, who chose before anything was overwritten;
* every difference between a copy and the shared store on a field edited there is a reported
  conflict (its « theirs » being the shared value), or waits behind one on the same row;
* a new version only for a changed row, signed by the colleague who made it;

and once everybody has decided and synced: every copy equals the shared store on its
départements; each version in the shared history names who made its changes.

`Backend` gives each example a fresh shared store and checked-out copies (made once from a
template, then copied: a checkout per example would cost more than the steps).
"""
import itertools
import os
import shutil
import uuid as uuid_module
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from plugin.model import schema
from plugin.model.merge import EXISTENCE
from plugin.model.schema import EXTERNAL_AUTHOR
from plugin.store import open_store
from plugin.store.history import history
from plugin.sync import REFUSED, WorkingCopy, open_shared
from plugin.sync.values import displayed, edited_columns, normalised_wkb
from sync_helpers import add_site, content, local, point

LOGINS = ("alice", "bob", "carol", "dave")
SCOPES = (("93", "75"),) + (("93",),) * 3
COMMUNE = {"93": "93066", "75": "75056"}
EDITED = {
    "name": st.sampled_from(["Les Prés", "Nord", "Sud", "Canal"]),
    "huts": st.sampled_from([None, 0, 1, 2]),
    "tents": st.sampled_from([None, 0, 1, 2]),
    "comments": st.sampled_from([None, "a", "b"]),
    "geom": st.sampled_from([(2.36, 48.93), (2.37, 48.94), (2.38, 48.92)]),
}
# What the model follows field by field: the edited ones and the two a move changes.
FOLLOWED = tuple(EDITED) + ("departement", "insee_code")
# Few rows, so that colleagues often meet on the same one.
SEED = (("Les Prés", "93"), ("La Gare", "93"), ("Paris", "75"))
MAX_INSERTS = 4

Key = Tuple[str, str]


def seed_rows(connection) -> None:
    """The sites every example starts from, in a shared GeoPackage (PostGIS: the same, see its test)."""
    for position, (name, departement) in enumerate(SEED):
        add_site(connection, name, uuid=numbered_uuid(position), departement=departement,
                 insee=COMMUNE[departement], lon=2.36 + position / 100)


def numbered_uuid(number: int) -> str:
    """Rows numbered in the order they are made: an example picks the same rows on every run."""
    return "00000000-0000-4000-8000-%012d" % number


class Backend:
    """A fresh shared store and `count` working copies of it for each example."""

    def fresh(self, count: int) -> Tuple[str, List[str]]:
        raise NotImplementedError

    def discard(self, location: str, paths: List[str]) -> None:
        raise NotImplementedError


def shared_state(shared) -> Dict[str, dict]:
    """{uuid: followed fields, row_version, updated_by} of every site of the shared store."""
    uuids = [u for _, table, u, deleted in shared.changes_since(0) if table == "sites" and not deleted]
    rows = {}
    for uuid, row in shared.rows("sites", uuids, []).items():
        kept = {c: row[c] for c in edited_columns(schema.table("sites"))}
        kept["geom"] = normalised_wkb(kept["geom"])
        kept.update(uuid=uuid, row_version=row["row_version"], updated_by=row["updated_by"])
        rows[uuid] = kept
    return rows


def business(row: Optional[dict]) -> Optional[dict]:
    return None if row is None else {c: v for c, v in row.items() if c not in ("row_version", "updated_by")}


class SyncMachine(RuleBasedStateMachine):
    backend: Backend = None

    def __init__(self):
        super().__init__()
        self.location, self.paths, self.shared = None, [], None
        self.acknowledged: List[Dict[Key, object]] = []  # per copy: the shared value it has seen, per field
        self.pending: List[Dict[Key, object]] = []  # per copy: its edits not yet in the shared store
        self.pending_deletes: List[Set[str]] = []
        self.reported: List[Dict[Key, object]] = []  # per copy: « theirs » of each conflict reported
        self.reported_rows: List[Dict[str, Optional[dict]]] = []  # existence conflicts: the shared row then
        self.may_recreate: List[Set[str]] = []  # rows deleted there whose author here chose « mine »
        self.writes: Dict[str, Dict[Key, Set[object]]] = {}  # login → values written, per field
        self.deleted_by: Dict[str, Set[str]] = {}
        self.inserted: Set[str] = set()
        self.ever_deleted: Set[str] = set()
        self.steps = 0

    # --- set-up and tear-down ------------------------------------------------------------
    @initialize(count=st.integers(2, 4))
    def start(self, count):
        self.location, self.paths = self.backend.fresh(count)
        self.shared = open_shared(self.location)
        start = shared_state(self.shared)
        for index, path in enumerate(self.paths):
            with local(path) as connection:
                # as the plugin does while a layer is in edit mode: local edits are signed by the officer
                connection.execute("INSERT OR REPLACE INTO rs_meta (key, value) VALUES ('editing_login', ?)",
                                   (LOGINS[index],))
            self.acknowledged.append({(u, f): row[f] for u, row in start.items() for f in FOLLOWED})
            self.pending.append({})
            self.pending_deletes.append(set())
            self.reported.append({})
            self.reported_rows.append({})
            self.may_recreate.append(set())
            self.writes[LOGINS[index]] = {}

    def teardown(self):
        if self.shared is None:
            return
        try:
            self.settle()
        finally:
            self.shared.close()
            self.backend.discard(self.location, self.paths)

    # --- helpers -----------------------------------------------------------------------------
    def copy(self, index: int) -> int:
        return index % len(self.paths)

    def rows(self, copy: int) -> Dict[str, dict]:
        with local(self.paths[copy]) as connection:
            return content(connection)

    def pick_row(self, copy: int, index: int) -> Optional[str]:
        uuids = sorted(self.rows(copy))
        return uuids[index % len(uuids)] if uuids else None

    def wrote(self, copy: int, uuid: str, field: str, value) -> None:
        self.writes[LOGINS[copy]].setdefault((uuid, field), set()).add(value)
        if self.acknowledged[copy].get((uuid, field), "never seen") == value:
            self.pending[copy].pop((uuid, field), None)  # back to the value of the last sync: no change
        else:
            self.pending[copy][(uuid, field)] = value

    def write(self, copy: int, uuid: str, values: dict) -> None:
        with local(self.paths[copy]) as connection:
            connection.execute("UPDATE sites SET %s WHERE uuid = ?" % ", ".join('"%s" = ?' % f for f in values),
                               list(values.values()) + [uuid])
        for field, value in values.items():
            self.wrote(copy, uuid, field, normalised_wkb(value) if field == "geom" else value)

    # --- what colleagues do --------------------------------------------------------------------
    @rule(copy=st.integers(0, 3), index=st.integers(0, 50), data=st.data())
    def update(self, copy, index, data):
        copy = self.copy(copy)
        uuid = self.pick_row(copy, index)
        if uuid is None:
            return
        fields = data.draw(st.lists(st.sampled_from(sorted(EDITED)), min_size=1, max_size=3, unique=True))
        values = {f: data.draw(EDITED[f]) for f in fields}
        if "geom" in values:
            values["geom"] = point(*values["geom"])
        self.write(copy, uuid, values)

    @rule(first=st.integers(0, 3), second=st.integers(0, 3), index=st.integers(0, 50),
          field=st.sampled_from(sorted(EDITED)), data=st.data())
    def edit_concurrently(self, first, second, index, field, data):
        """Two colleagues give one field of the same row two different values: a conflict to come."""
        first, second = self.copy(first), self.copy(second)
        shared = sorted(set(self.rows(first)) & set(self.rows(second)))
        if first == second or not shared:
            return
        uuid = shared[index % len(shared)]
        values = data.draw(st.lists(EDITED[field], min_size=2, max_size=2, unique=True))
        for copy, value in zip((first, second), values):
            self.write(copy, uuid, {field: point(*value) if field == "geom" else value})

    @rule(copy=st.integers(0, 3), index=st.integers(0, 50), data=st.data())
    def edit_disputed(self, copy, index, data):
        """A row waiting for someone's decision gets edited by a colleague (the decision may come late)."""
        copy = self.copy(copy)
        disputed = sorted(({uuid for reported in self.reported for uuid, _ in reported}
                           | {uuid for rows in self.reported_rows for uuid in rows}) & set(self.rows(copy)))
        if disputed:
            field = data.draw(st.sampled_from(sorted(EDITED)))
            value = data.draw(EDITED[field])
            self.write(copy, disputed[index % len(disputed)], {field: point(*value) if field == "geom" else value})

    @rule(copy=st.integers(0, 3), index=st.integers(0, 50))
    def revert(self, copy, index):
        """A field edited here set back to the value of the last sync."""
        copy = self.copy(copy)
        present = self.rows(copy)
        edited = sorted(k for k in self.pending[copy] if k[0] in present and k[1] in EDITED
                        and k in self.acknowledged[copy])
        if not edited:
            return
        uuid, field = edited[index % len(edited)]
        with local(self.paths[copy]) as connection:
            ancestor = connection.execute('SELECT "%s" FROM rs_base_sites WHERE uuid = ?' % field, (uuid,)).fetchone()
        if ancestor is None or (normalised_wkb(ancestor[0]) if field == "geom" else ancestor[0]) != \
                self.acknowledged[copy][(uuid, field)]:
            return  # the copy's ancestor is not the value the model knows (a row in conflict): not a revert
        self.write(copy, uuid, {field: ancestor[0]})

    @rule(copy=st.integers(0, 3), index=st.integers(0, 50))
    def move(self, copy, index):
        """To the other département: out of the scope of the copies of the 93 only."""
        copy = self.copy(copy)
        uuid = self.pick_row(copy, index)
        if uuid is None:
            return
        departement = "75" if self.rows(copy)[uuid]["departement"] == "93" else "93"
        self.write(copy, uuid, {"departement": departement, "insee_code": COMMUNE[departement]})

    @precondition(lambda self: len(self.inserted) < MAX_INSERTS)
    @rule(copy=st.integers(0, 3), name=EDITED["name"], huts=EDITED["huts"])
    def insert(self, copy, name, huts):
        copy = self.copy(copy)
        with local(self.paths[copy]) as connection:
            uuid = add_site(connection, name, uuid=numbered_uuid(100 + len(self.inserted)), huts=huts)
        self.inserted.add(uuid)
        for field, value in self.rows(copy)[uuid].items():
            if field in FOLLOWED:
                self.wrote(copy, uuid, field, value)

    @rule(copy=st.integers(0, 3), index=st.integers(0, 50))
    def delete(self, copy, index):
        copy = self.copy(copy)
        uuid = self.pick_row(copy, index)
        if uuid is None:
            return
        with local(self.paths[copy]) as connection:
            connection.execute("DELETE FROM sites WHERE uuid = ?", (uuid,))
        self.forget_pending(copy, uuid)
        self.pending_deletes[copy].add(uuid)
        self.deleted_by.setdefault(uuid, set()).add(LOGINS[copy])

    def forget_pending(self, copy: int, uuid: str) -> None:
        for key in [k for k in self.pending[copy] if k[0] == uuid]:
            del self.pending[copy][key]

    @rule(copy=st.integers(0, 3))
    def sync(self, copy):
        self.synchronise(self.copy(copy))

    @rule(first=st.integers(0, 3), second=st.integers(0, 3))
    def sync_two(self, first, second):
        """Two syncs in a row: conflicts meet more often than edits pile up."""
        self.synchronise(self.copy(first))
        self.synchronise(self.copy(second))

    @rule(copy=st.integers(0, 3), index=st.integers(0, 50), choice=st.sampled_from(["mine", "theirs"]))
    def resolve(self, copy, index, choice):
        copy = self.copy(copy)
        with WorkingCopy(self.paths[copy]) as working:
            conflicts = working.conflicts()
        if conflicts:
            self.decide(copy, conflicts[index % len(conflicts)], choice)

    # --- the sync and its checks --------------------------------------------------------------
    def synchronise(self, copy: int) -> None:
        login = LOGINS[copy]
        before = shared_state(self.shared)
        with WorkingCopy(self.paths[copy]) as working:
            working.synchronise(login)
            conflicts = working.conflicts()
        after = shared_state(self.shared)
        here = self.rows(copy)
        self.check_changes(copy, before, after)
        self.check_nothing_lost(copy, here, after)
        self.check_differences_reported(copy, here, after, conflicts)
        self.learn(copy, here, after, conflicts)

    def check_changes(self, copy: int, before: Dict[str, dict], after: Dict[str, dict]) -> None:
        """What this sync changed in the shared store: signed by this copy's login, a new version
        only for a real change, and only over values this copy had acknowledged."""
        login = LOGINS[copy]
        for uuid in set(before) | set(after):
            old, new = before.get(uuid), after.get(uuid)
            if old == new:
                continue
            if new is not None:
                assert old is None or business(new) != business(old), ("version without change", uuid)
                assert new["updated_by"] == login, ("author", uuid, new["updated_by"], login)
                if old is None and (uuid not in self.inserted or uuid in self.ever_deleted):
                    assert uuid in self.may_recreate[copy], ("deleted row brought back unasked", uuid)
            if old is None:
                continue
            for field in FOLLOWED:
                if new is None or new[field] != old[field]:
                    seen = self.acknowledged[copy].get((uuid, field), "never seen")
                    assert seen == old[field], ("overwritten unseen", login, uuid, field, old[field], seen)
            if new is None:
                self.ever_deleted.add(uuid)

    def check_nothing_lost(self, copy: int, here: Dict[str, dict], after: Dict[str, dict]) -> None:
        for (uuid, field), value in self.pending[copy].items():
            kept = here.get(uuid, {}).get(field, "absent") == value
            shared = after.get(uuid, {}).get(field, "absent") == value
            assert kept or shared, ("edit lost", LOGINS[copy], uuid, field, value)
        for uuid in self.pending_deletes[copy]:
            assert uuid not in here, ("deletion undone", LOGINS[copy], uuid)

    def check_differences_reported(self, copy: int, here, after, conflicts) -> None:
        """A field edited here that differs from the shared store is a reported conflict (« theirs »:
        the shared value), or waits behind one on the same row."""
        in_conflict = {c["uuid"] for c in conflicts}
        for conflict in conflicts:
            if conflict["field"] in FOLLOWED and conflict["uuid"] in after:
                assert conflict["theirs"] == displayed(after[conflict["uuid"]][conflict["field"]]), conflict
        for (uuid, field), value in self.pending[copy].items():
            if uuid in here and uuid in after and here[uuid][field] == value != after[uuid][field]:
                assert uuid in in_conflict, ("difference not reported", LOGINS[copy], uuid, field)

    def learn(self, copy: int, here, after, conflicts) -> None:
        """What the copy now holds in step with the shared store is acknowledged; what it was
        reported is remembered for its decision."""
        for uuid, row in here.items():
            for field in FOLLOWED:
                if uuid in after and row[field] == after[uuid][field]:
                    self.acknowledged[copy][(uuid, field)] = row[field]
        # an edit the shared store holds is settled, even where the row left the copy since
        for (uuid, field), value in list(self.pending[copy].items()):
            if after.get(uuid, {}).get(field, "absent") == value:
                self.acknowledged[copy][(uuid, field)] = value
                del self.pending[copy][(uuid, field)]
        for uuid in [u for u in self.pending_deletes[copy] if u not in after]:
            self.pending_deletes[copy].discard(uuid)
        for conflict in conflicts:
            uuid = conflict["uuid"]
            if conflict["field"] in (EXISTENCE, REFUSED):
                self.reported_rows[copy][uuid] = after.get(uuid)
            else:
                self.reported[copy][(uuid, conflict["field"])] = after[uuid][conflict["field"]]

    def decide(self, copy: int, conflict: dict, choice: str) -> None:
        uuid, field = conflict["uuid"], conflict["field"]
        mine = self.rows(copy).get(uuid)
        with WorkingCopy(self.paths[copy]) as working:
            working.resolve(uuid, field, choice, LOGINS[copy])
        if field in (EXISTENCE, REFUSED):
            there = self.reported_rows[copy].pop(uuid)
            if choice == "theirs":
                self.forget_pending(copy, uuid)
                self.pending_deletes[copy].discard(uuid)
                return
            for name in FOLLOWED:
                self.acknowledged[copy][(uuid, name)] = None if there is None else there[name]
            if mine is not None:  # the whole row as it is here is the colleague's choice
                for name in FOLLOWED:
                    self.wrote(copy, uuid, name, mine[name])
            if there is None:
                self.may_recreate[copy].add(uuid)
            return
        theirs = self.reported[copy].pop((uuid, field))
        self.acknowledged[copy][(uuid, field)] = theirs
        if choice == "theirs":
            self.pending[copy].pop((uuid, field), None)

    # --- in the end --------------------------------------------------------------------------
    def settle(self) -> None:
        """Everybody syncs, once without deciding (a decision comes a round late), then deciding
        (« mine » in the first round, then « theirs ») until nothing is left to send or decide;
        then every copy equals the shared store, and the history names the author of each change."""
        for round_number in range(-1, 8):
            for copy in range(len(self.paths)):
                self.synchronise(copy)
                with WorkingCopy(self.paths[copy]) as working:
                    conflicts = working.conflicts() if round_number >= 0 else []
                for conflict in conflicts:
                    with WorkingCopy(self.paths[copy]) as working:
                        still = any(c["uuid"] == conflict["uuid"] and c["field"] == conflict["field"]
                                    for c in working.conflicts())
                    if still:
                        self.decide(copy, conflict, "mine" if round_number == 0 else "theirs")
            if round_number >= 0 and all(self.idle(copy) for copy in range(len(self.paths))):
                break
        for copy in range(len(self.paths)):
            self.synchronise(copy)
        shared = shared_state(self.shared)
        for copy, path in enumerate(self.paths):
            assert self.idle(copy), ("still pending after settling", LOGINS[copy])
            expected = {u: business(r) for u, r in shared.items() if r["departement"] in SCOPES[copy]}
            assert self.rows(copy) == expected, ("copy differs from the shared store", LOGINS[copy])
        self.check_history(shared)

    def idle(self, copy: int) -> bool:
        with local(self.paths[copy]) as connection:
            return connection.execute("SELECT (SELECT count(*) FROM rs_dirty) + (SELECT count(*) FROM rs_conflicts)"
                                      ).fetchone()[0] == 0

    def check_history(self, shared: Dict[str, dict]) -> None:
        store = open_store(self.location)
        for uuid in self.inserted | set(shared) | self.ever_deleted:
            if uuid not in shared and uuid not in self.ever_deleted:
                assert uuid in self.deleted_by, ("row lost", uuid)  # created, then deleted before any sync
                continue
            for entry in history(store, "sites", uuid):
                author = entry["changed_by"]
                if entry["operation"] == "delete":
                    assert author in self.deleted_by.get(uuid, ()), ("deletion author", uuid, author)
                    continue
                if entry["operation"] == "create" and uuid not in self.inserted:
                    continue  # a seed row
                assert author != EXTERNAL_AUTHOR
                for field, (_, new) in entry["changes"].items():
                    if field in FOLLOWED and field != "geom":
                        assert new in self.writes[author].get((uuid, field), ()), (
                            "change under another author", uuid, field, new, author)


def settings_for(examples: int, steps: int):
    """The bounded run of .ci/test: a fixed list of examples (derandomize: the same on every run, so
    that a failure is reproducible and the suite never turns red by chance). SYNC_PROPERTY_EXAMPLES
    (and SYNC_PROPERTY_STEPS) ask for a longer run with new random examples (docs/benchmarks.md)."""
    from hypothesis import HealthCheck, Phase, settings
    longer = os.environ.get("SYNC_PROPERTY_EXAMPLES")
    # no shrinking in the bounded run: a failure is printed step by step at once, not minutes later
    phases = list(Phase) if longer else [Phase.explicit, Phase.generate]
    return settings(max_examples=int(longer or examples), stateful_step_count=int(
        os.environ.get("SYNC_PROPERTY_STEPS", steps)), deadline=None, derandomize=not longer, database=None,
        phases=phases, suppress_health_check=list(HealthCheck), print_blob=True)


def copies_of(template: Path, target: Path, count: int, location: str) -> List[str]:
    """The first `count` copies checked out in `template`, copied into `target`, syncing with `location`."""
    paths = [str(target / ("%s.gpkg" % login)) for login in LOGINS[:count]]
    for path in paths:
        shutil.copy(template / Path(path).name, path)
        with local(path) as connection:
            connection.execute("UPDATE rs_sync_state SET shared = ?, client_id = ?",
                               (location, str(uuid_module.uuid4())))
    return paths


def machine_on(backend: Backend):
    return type("%sSyncMachine" % type(backend).__name__, (SyncMachine,), {"backend": backend})


class GeoPackageBackend(Backend):
    """A shared GeoPackage and its copies, made once in `folder`, copied for each example."""

    def __init__(self, folder: Path):
        from plugin.store import create_store
        from plugin.sync import checkout
        self.folder, self.template = folder, folder / "template"
        self.template.mkdir()
        shared = create_store(str(self.template / "shared.gpkg")).location
        with local(shared) as connection:
            seed_rows(connection)
        for index, login in enumerate(LOGINS):
            checkout(shared, str(self.template / ("%s.gpkg" % login)), SCOPES[index], login)
        self.numbers = itertools.count()

    def fresh(self, count: int) -> Tuple[str, List[str]]:
        target = self.folder / ("example%d" % next(self.numbers))
        target.mkdir()
        shared = str(target / "shared.gpkg")
        shutil.copy(self.template / "shared.gpkg", shared)
        return shared, copies_of(self.template, target, count, shared)

    def discard(self, location: str, paths: List[str]) -> None:
        shutil.rmtree(Path(location).parent, ignore_errors=True)
