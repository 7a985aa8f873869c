"""The sync carries the dispositifs' monthly values: two working copies enter different months of the
same dispositif (both arrive), then the same month differently (a conflict, nobody's value lost)."""
from plugin.model import schema
from plugin.store import create_store
from plugin.store import indicators_sql as sql
from plugin.sync import WorkingCopy, checkout, synchronise
from sync_helpers import local

ACTION = "a0000000-0000-4000-8000-0000000000aa"


def values(path):
    with local(path) as connection:
        return {key: cell.value for key, cell in sql.grid(connection, ACTION).items()}


def enter(path, login, changes):
    with local(path) as connection:
        sql.save_month_values(connection, ACTION, changes, login)


def test_two_copies_enter_months_of_the_same_dispositif_and_the_same_month_differently(tmp_path):
    shared = create_store(str(tmp_path / "shared.gpkg")).location
    with local(shared) as connection:
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) VALUES "
                           "(?, 'MOUS Bobigny', '2025-01-01', 'Accompagner', '93')", (ACTION,))
    scenario(shared, values, tmp_path)


def scenario(shared, shared_values, tmp_path):
    """The scenario on any shared store; `shared_values(shared)` reads its grid of ACTION."""
    alice, bob = str(tmp_path / "alice.gpkg"), str(tmp_path / "bob.gpkg")
    for path, login in ((alice, "alice"), (bob, "bob")):
        checkout(shared, path, ["93"], login)
    with local(alice) as connection:  # every copy holds every indicator definition
        assert connection.execute("SELECT count(*) FROM indicator_definitions").fetchone()[0] == len(
            list(schema.core_indicator_rows()))
    enter(alice, "alice", {("people", "2025-03"): 40, ("women", "2025-03"): 18})
    enter(bob, "bob", {("people", "2025-04"): 42, ("households", "2025-04"): 11})
    assert synchronise(alice, "alice").conflicts == 0
    assert synchronise(bob, "bob").conflicts == 0
    synchronise(alice, "alice")
    everything = {("people", "2025-03"): 40, ("women", "2025-03"): 18, ("people", "2025-04"): 42,
                  ("households", "2025-04"): 11}
    assert shared_values(shared) == values(alice) == values(bob) == everything

    enter(alice, "alice", {("people", "2025-04"): 45})
    enter(bob, "bob", {("people", "2025-04"): 47})
    assert synchronise(alice, "alice").conflicts == 0
    assert synchronise(bob, "bob").conflicts == 1
    assert shared_values(shared)[("people", "2025-04")] == 45 and values(bob)[("people", "2025-04")] == 47
    with WorkingCopy(bob) as copy:
        [conflict] = copy.conflicts()
        assert (conflict["table"], conflict["field"], conflict["mine"], conflict["theirs"]) == (
            "indicator_values", "value", 47, 45)
        copy.resolve_all(conflict["uuid"], "mine", "bob")
    synchronise(bob, "bob")
    synchronise(alice, "alice")
    assert shared_values(shared)[("people", "2025-04")] == values(alice)[("people", "2025-04")] == 47
