"""The saved batch (outbox) of a working copy against a shared GeoPackage: its rows are read from the
tables when sent, and a row changed before the answer is applied is sent as the batch saved it, its
change following in the next batch (SYNC.md §5)."""
import pytest

from plugin.store import create_store
from plugin.sync import WorkingCopy, checkout, synchronise
from sync_helpers import add_site, content, local, pending


@pytest.fixture
def pair(tmp_path):
    shared = create_store(str(tmp_path / "shared.gpkg")).location
    copy = str(tmp_path / "alice.gpkg")
    checkout(shared, copy, ["93"], "alice")
    return shared, copy


def saved_batch(copy):
    with WorkingCopy(copy) as working:
        working._snapshot()  # the batch is saved, then the sync stops before sending it


def test_the_saved_batch_copies_no_row_until_one_changes(pair):
    _, copy = pair
    with local(copy) as connection:
        uuids = [add_site(connection, "nouveau %d" % k) for k in range(3)]
    saved_batch(copy)
    with local(copy) as connection:
        assert connection.execute("SELECT count(*) FROM rs_outbox").fetchone()[0] == 3
        assert connection.execute("SELECT count(*) FROM rs_outbox_sites").fetchone()[0] == 0
        connection.execute("UPDATE sites SET name = 'une fois' WHERE uuid = ?", (uuids[0],))
        connection.execute("UPDATE sites SET name = 'deux fois' WHERE uuid = ?", (uuids[0],))
        assert connection.execute("SELECT uuid, name FROM rs_outbox_sites").fetchall() == [(uuids[0], "nouveau 0")]


def test_rows_changed_or_deleted_while_their_batch_waits_reach_the_shared_store_in_order(pair):
    shared, copy = pair
    with local(copy) as connection:
        renamed, deleted, kept = (add_site(connection, "nouveau %d" % k) for k in range(3))
    saved_batch(copy)
    with local(copy) as connection:
        connection.execute("UPDATE sites SET name = 'renommé' WHERE uuid = ?", (renamed,))
        connection.execute("DELETE FROM sites WHERE uuid = ?", (deleted,))
    assert synchronise(copy, "alice").conflicts == 0
    assert pending(copy) == (0, 0)
    with local(shared) as connection:
        assert set(content(connection)) == {renamed, kept}
        assert connection.execute("SELECT name FROM sites WHERE uuid = ?", (renamed,)).fetchone() == ("renommé",)
        # the batch as saved first, then the changes made meanwhile, each with its history
        assert connection.execute("SELECT name, operation FROM sites_history WHERE uuid IN (?, ?) "
                                  "ORDER BY history_id", (renamed, deleted)).fetchall() == [
            ("nouveau 0", "update"), ("nouveau 1", "delete")]
        assert connection.execute("SELECT count(DISTINCT batch_id) FROM rs_versions").fetchone() == (2,)
    with local(copy) as mine, local(shared) as theirs:
        assert content(mine) == content(theirs)
