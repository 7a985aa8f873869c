"""The sync defects of issue 16 as the issue tells them, run on both shared stores (GeoPackage in
tests/unit/test_sync_defects.py, PostGIS in tests/postgis/test_sync_defects_postgis.py).

Each scenario takes the shared store's location and the working copies of Alice, Bob and Carol
(checked out of the 93 with those logins) holding SITE_1; it drives the command line as a user
would and reads the shared store through the sync's own interface, whatever its kind."""
import contextlib
import json

from plugin import cli
from plugin.model.merge import EXISTENCE
from plugin.store import open_store
from plugin.store.history import history
from plugin.sync import open_shared
from sync_helpers import local

SITE_1 = "00000000-0000-4000-8000-000000000001"


def edit(path, sql, *parameters):
    with local(path) as connection:
        connection.execute(sql, parameters)


def value(path, column, uuid=SITE_1):
    with local(path) as connection:
        row = connection.execute('SELECT "%s" FROM sites WHERE uuid = ?' % column, (uuid,)).fetchone()
    return None if row is None else row[0]


def shared_row(location, uuid=SITE_1):
    """The site as the shared store holds it (None once deleted), whatever its département."""
    with contextlib.closing(open_shared(location)) as shared:
        return shared.rows("sites", [uuid], []).get(uuid)


def sync(path, login, capsys):
    """Exit code and printed summary of `sync` on the command line."""
    code = cli.main(["sync", path, "--user", login])
    return code, capsys.readouterr().out


def listed_conflicts(path, capsys):
    assert cli.main(["conflicts", path, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def a_pending_conflict_survives_a_third_change(location, copies, capsys):
    """Defect 1: the ancestor of a field in conflict stays the ancestor until the conflict is resolved."""
    alice, bob, carol = copies
    edit(alice, "UPDATE sites SET name = 'Alice' WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET name = 'Bob' WHERE uuid = ?", SITE_1)
    assert sync(bob, "bob", capsys)[0] == 0
    code, out = sync(alice, "alice", capsys)
    assert code == 3 and "name" in out
    assert sync(carol, "carol", capsys)[0] == 0
    edit(carol, "UPDATE sites SET huts = 5 WHERE uuid = ?", SITE_1)
    assert sync(carol, "carol", capsys)[0] == 0
    code, out = sync(alice, "alice", capsys)
    assert code == 3, out  # still in conflict: never « conflits : 0 »
    assert [(c["field"], c["mine"], c["theirs"]) for c in listed_conflicts(alice, capsys)] == [
        ("name", "Alice", "Bob")]
    assert shared_row(location)["name"] == "Bob"  # nobody's value overwritten before Alice chose
    assert value(alice, "huts") == 5  # Carol's change arrived meanwhile
    assert cli.main(["resolve", alice, SITE_1, "name", "mine", "--user", "alice"]) == 0
    assert sync(alice, "alice", capsys)[0] == 0
    shared = shared_row(location)
    assert (shared["name"], shared["huts"]) == ("Alice", 5)
    # and Bob, who chose nothing, receives the decision without a conflict
    assert sync(bob, "bob", capsys)[0] == 0 and value(bob, "name") == "Alice"


def a_decision_taken_late_is_asked_against_the_latest_value(location, copies, capsys):
    """Defect 1, the other way: the value in conflict changes again there before the decision."""
    alice, bob, carol = copies
    edit(alice, "UPDATE sites SET name = 'Alice' WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET name = 'Bob' WHERE uuid = ?", SITE_1)
    sync(bob, "bob", capsys)
    assert sync(alice, "alice", capsys)[0] == 3
    sync(carol, "carol", capsys)
    edit(carol, "UPDATE sites SET name = 'Carol' WHERE uuid = ?", SITE_1)
    assert sync(carol, "carol", capsys)[0] == 0
    assert sync(alice, "alice", capsys)[0] == 3
    assert [(c["mine"], c["theirs"]) for c in listed_conflicts(alice, capsys)] == [("Alice", "Carol")]
    assert cli.main(["resolve", alice, SITE_1, "name", "theirs", "--user", "alice"]) == 0
    code, out = sync(alice, "alice", capsys)
    assert code == 0 and value(alice, "name") == "Carol" and shared_row(location)["name"] == "Carol"


def a_field_changed_back_is_no_change(location, copies, capsys):
    """Defect 2a: edited then reverted before syncing: nothing sent, no version; Bob's later edit arrives."""
    alice, bob = copies[:2]
    before = shared_row(location)
    original = value(alice, "tents")
    edit(alice, "UPDATE sites SET tents = 7 WHERE uuid = ?", SITE_1)
    edit(alice, "UPDATE sites SET tents = ? WHERE uuid = ?", original, SITE_1)
    code, out = sync(alice, "alice", capsys)
    assert code == 0 and ("envoyés : 0" in out or "sent: 0" in out), out
    assert shared_row(location)["row_version"] == before["row_version"]
    assert value(alice, "updated_at") == before["updated_at"]  # the copy's stamps back too
    assert [e["operation"] for e in history(open_store(location), "sites", SITE_1)] == ["create"]
    edit(bob, "UPDATE sites SET mattresses = 3 WHERE uuid = ?", SITE_1)
    code, out = sync(bob, "bob", capsys)
    assert code == 0 and ("envoyés : 1" in out or "sent: 1" in out), out
    assert sync(alice, "alice", capsys)[0] == 0
    assert value(alice, "mattresses") == 3


def moved_out_while_edited(location, copies, capsys, choice):
    """Defect 2b: Alice moves the site to Paris while Bob edits it; Bob's choice goes through either way."""
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET departement = '75', insee_code = '75056' WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET huts = 4 WHERE uuid = ?", SITE_1)
    assert sync(alice, "alice", capsys)[0] == 0
    code, out = sync(bob, "bob", capsys)
    assert code == 3, out
    assert [(c["field"], c["mine"], c["theirs"]) for c in listed_conflicts(bob, capsys)] == [
        (EXISTENCE, "present", "moved")]
    assert shared_row(location)["departement"] == "75"  # Bob's copy sent nothing yet
    assert cli.main(["resolve", bob, SITE_1, EXISTENCE, choice, "--user", "bob"]) == 0
    code, out = sync(bob, "bob", capsys)
    assert code == 0, out
    shared = shared_row(location)
    if choice == "mine":
        assert (shared["departement"], shared["insee_code"], shared["huts"]) == ("93", "93066", 4)
        assert value(bob, "departement") == "93"
        assert sync(alice, "alice", capsys)[0] == 0 and value(alice, "huts") == 4  # back in Alice's 93
    else:
        assert (shared["departement"], shared["huts"]) == ("75", None)
        assert value(bob, "name") is None
    with local(bob) as connection:
        assert connection.execute("SELECT count(*) FROM rs_dirty").fetchone()[0] == 0
    assert sync(bob, "bob", capsys)[0] == 0


def each_change_keeps_its_author(location, copies, capsys):
    """Defect 3: Alice edits tents, Bob mattresses; the merge sends Bob's change under Bob's name."""
    alice, bob = copies[:2]
    edit(alice, "UPDATE sites SET tents = 2 WHERE uuid = ?", SITE_1)
    edit(bob, "UPDATE sites SET mattresses = 6 WHERE uuid = ?", SITE_1)
    sync(alice, "alice", capsys)
    assert sync(bob, "bob", capsys)[0] == 0
    store = open_store(location)
    versions = [(e["changed_by"], sorted(e["changes"])) for e in history(store, "sites", SITE_1)]
    assert versions[:2] == [("bob", ["mattresses"]), ("alice", ["tents"])]
    with contextlib.closing(store.connect()) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT row_version, changed_by FROM rs_versions WHERE operation = 'update' "
                       "AND uuid = '%s' ORDER BY row_version" % SITE_1)
        assert [tuple(r) for r in cursor.fetchall()] == [(2, "alice"), (3, "bob")]
    # a deletion is signed by who deleted, in the history as in the list of versions
    sync(alice, "alice", capsys)
    edit(alice, "DELETE FROM sites WHERE uuid = ?", SITE_1)
    assert sync(alice, "alice", capsys)[0] == 0
    latest = history(store, "sites", SITE_1)[0]
    assert (latest["operation"], latest["changed_by"]) == ("delete", "alice")
    with contextlib.closing(store.connect()) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT changed_by FROM sites_history WHERE operation = 'delete' AND uuid = '%s'" % SITE_1)
        assert [tuple(r) for r in cursor.fetchall()] == [("alice",)]


def a_site_moved_out_while_edited_is_kept_by_mine(location, copies, capsys):
    moved_out_while_edited(location, copies, capsys, "mine")


def a_site_moved_out_while_edited_leaves_by_theirs(location, copies, capsys):
    moved_out_while_edited(location, copies, capsys, "theirs")


# Each defect as the issue tells it: (location, [alice, bob, carol], capsys).
SCENARIOS = (a_pending_conflict_survives_a_third_change, a_decision_taken_late_is_asked_against_the_latest_value,
             a_field_changed_back_is_no_change, a_site_moved_out_while_edited_is_kept_by_mine,
             a_site_moved_out_while_edited_leaves_by_theirs, each_change_keeps_its_author)
