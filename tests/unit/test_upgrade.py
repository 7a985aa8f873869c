"""Upgrading stores made by the previous version (schema 1, without site_closing_outcomes):
a standalone store, a shared GeoPackage and its working copies, which sync again once both are upgraded."""
import pytest

from plugin import cli
from plugin.model import schema
from plugin.store import create_store, open_store
from plugin.store.base import StoreError, StoreNeedsUpgrade
from plugin.sync import checkout, synchronise
from plugin.sync.upgrade import upgrade
from sync_helpers import add_site, local, new_uuid, pending

SITE = "00000000-0000-4000-8000-00000000000a"


def add_outcome(path, site_uuid, solution, people):
    with local(path) as connection:
        connection.execute("INSERT INTO site_closing_outcomes (uuid, site_uuid, solution, people) VALUES (?, ?, ?, ?)",
                           (new_uuid(), site_uuid, solution, people))


def outcomes(path):
    with local(path) as connection:
        return connection.execute("SELECT site_uuid, solution, people FROM site_closing_outcomes").fetchall()


@pytest.fixture
def old_shared_and_copies(tmp_path, as_version_1):
    shared = create_store(str(tmp_path / "shared.gpkg")).location
    with local(shared) as connection:
        add_site(connection, "Les Prés", uuid=SITE, population=40)
    copies = [str(tmp_path / name) for name in ("alice.gpkg", "bob.gpkg")]
    for path, login in zip(copies, ("alice", "bob")):
        checkout(shared, path, ["93"], login)
    for path in [shared] + copies:
        as_version_1(path)
    return shared, copies


def test_a_standalone_store_of_version_1_is_upgraded_and_keeps_its_rows(tmp_path, as_version_1):
    path = create_store(str(tmp_path / "old.gpkg")).location
    with local(path) as connection:
        add_site(connection, "Les Prés", uuid=SITE, population=40)
    as_version_1(path)
    with pytest.raises(StoreNeedsUpgrade):
        open_store(path)
    assert cli.main(["upgrade", path]) == 0
    assert open_store(path).version == schema.SCHEMA_VERSION
    add_outcome(path, SITE, "shelter", 12)
    with local(path) as connection:
        connection.execute("UPDATE site_closing_outcomes SET people = 14")
        assert connection.execute("SELECT people FROM site_closing_outcomes_history").fetchall() == [(12,)]
        assert connection.execute("SELECT name FROM sites").fetchall() == [("Les Prés",)]


def test_copies_sync_again_once_they_and_their_shared_store_are_upgraded(old_shared_and_copies):
    shared, (alice, bob) = old_shared_and_copies
    with local(alice) as connection:  # an edit made before the upgrade, not yet sent
        connection.execute("UPDATE sites SET population_total = 38 WHERE uuid = ?", (SITE,))
    with pytest.raises(StoreError) as refused:
        synchronise(alice, "alice")
    assert "mettez à jour le stockage partagé puis la copie" in str(refused.value)
    assert cli.main(["upgrade", shared]) == 0
    with pytest.raises(StoreError) as refused:
        synchronise(alice, "alice")  # the copy is still at version 1
    assert "mettez à jour la copie de travail" in str(refused.value)
    assert pending(alice) == (1, 0)
    assert cli.main(["upgrade", alice]) == 0
    add_outcome(alice, SITE, "housing", 20)
    summary = synchronise(alice, "alice")
    assert summary.sent == 2 and pending(alice) == (0, 0)
    assert outcomes(shared) == [(SITE, "housing", 20)]
    upgrade(bob)
    synchronise(bob, "bob")
    assert outcomes(bob) == [(SITE, "housing", 20)]
    with local(bob) as connection:
        assert connection.execute("SELECT population_total FROM sites").fetchall() == [(38,)]
    add_outcome(bob, SITE, "shelter", 5)  # the upgraded copy captures edits of the new table
    assert pending(bob) == (1, 0)
