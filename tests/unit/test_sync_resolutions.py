"""Conflict decisions reach the shared GeoPackage's history with the resolver's login: per field, and
"take all mine / all theirs" as a choice of its own; shown by `python3 -m plugin history SHARED UUID`."""
import json

import pytest

from plugin import cli
from plugin.store import create_store
from plugin.sync import MINE, THEIRS, WorkingCopy, checkout, synchronise
from sync_helpers import add_site, local

SITE = "00000000-0000-4000-8000-0000000000a1"


@pytest.fixture
def pair(tmp_path):
    store = create_store(str(tmp_path / "shared.gpkg"))
    with local(store.location) as connection:
        add_site(connection, "Les Prés", uuid=SITE, population=40)
    copies = []
    for name in ("alice", "bob"):
        copies.append(str(tmp_path / ("%s.gpkg" % name)))
        checkout(store.location, copies[-1], ["93"], name)
    return store.location, copies[0], copies[1]


def conflict(alice, bob):
    """Alice and Bob change the population and the name; Alice syncs first: Bob has two conflicts."""
    for path, population, name in ((alice, 50, "Les Prés A"), (bob, 60, "Les Prés B")):
        with local(path) as connection:
            connection.execute("UPDATE sites SET population_total = ?, name = ? WHERE uuid = ?",
                               (population, name, SITE))
    synchronise(alice)
    assert synchronise(bob).conflicts == 1


def history(shared, capsys):
    capsys.readouterr()
    assert cli.main(["history", shared, SITE, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_take_all_mine_is_recorded_in_the_shared_history_with_the_login(pair, capsys):
    shared, alice, bob = pair
    conflict(alice, bob)
    with WorkingCopy(bob) as copy:
        copy.resolve_all(SITE, MINE, "bob.martin")
    assert synchronise(bob).conflicts == 0
    versions = history(shared, capsys)
    newest = versions[0]
    assert newest["changed_by"] == "bob.martin" and newest["changes"]["population_total"] == [50, 60]
    decisions = {(d["field"], d["choice"], d["resolved_by"]) for d in newest["resolutions"]}
    assert decisions == {("*", MINE, "bob.martin"), ("population_total", MINE, "bob.martin"),
                         ("name", MINE, "bob.martin")}
    assert all(d["batch_id"] and d["resolved_at"].endswith("Z") for d in newest["resolutions"])
    assert not any("resolutions" in v for v in versions[1:])
    # sent again after a crash between the shared commit and the local mark: recorded once
    with local(bob) as connection:
        connection.execute('UPDATE "rs_resolutions" SET "sent" = 0')
    synchronise(bob)
    assert len(history(shared, capsys)[0]["resolutions"]) == 3
    assert cli.main(["history", shared, SITE]) == 0
    assert "conflit résolu : * → mine, par bob.martin" in capsys.readouterr().out


def test_take_theirs_sends_no_row_but_the_decision(pair, capsys):
    shared, alice, bob = pair
    conflict(alice, bob)
    with WorkingCopy(bob) as copy:
        copy.resolve(SITE, "population_total", THEIRS, "bob.martin")
        copy.resolve(SITE, "name", THEIRS, "bob.martin")
    summary = synchronise(bob)
    assert (summary.sent, summary.conflicts) == (0, 0)
    newest = history(shared, capsys)[0]
    assert newest["changed_by"] == "alice"  # the version Bob chose to keep
    assert {(d["field"], d["choice"], d["resolved_by"]) for d in newest["resolutions"]} == {
        ("population_total", THEIRS, "bob.martin"), ("name", THEIRS, "bob.martin")}


def test_a_decision_on_a_feature_still_in_conflict_waits(pair, capsys):
    shared, alice, bob = pair
    conflict(alice, bob)
    with WorkingCopy(bob) as copy:
        copy.resolve(SITE, "name", MINE, "bob.martin")
    assert synchronise(bob).conflicts == 1
    assert not any("resolutions" in v for v in history(shared, capsys))
