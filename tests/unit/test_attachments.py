"""Attachments kept in the store: added once per object, listed, exported, removed, size-limited."""
import contextlib

import pytest

from plugin.store import attachments
from plugin.store.base import StoreError
from plugin.store.gpkg import connect

OWNER = "0b6f5f0e-8a8e-4a53-9a2c-6f1d1c9b0e11"
OTHER = "4a1c8f0e-2b3d-4c5e-8f90-a1b2c3d4e5f6"


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "plan de masse.pdf"
    path.write_bytes(b"%PDF-1.4 plan" * 100)
    return path


def test_a_file_is_stored_once_per_object(new_store, plan):
    first = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93")
    again = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93")
    elsewhere = attachments.add(new_store.location, "insertion_sites", OTHER, str(plan), 10_000, "agent93")
    assert not first.already_there and again.already_there
    assert again.attachment.uuid == first.attachment.uuid
    assert not elsewhere.already_there
    listed = attachments.list_for(new_store.location, "sites", OWNER)
    assert [(a.filename, a.mime_type, a.size_bytes, a.added_by) for a in listed] == [
        ("plan de masse.pdf", "application/pdf", 1300, "agent93")]
    assert len(listed[0].sha256) == 64


def test_an_attachment_is_exported_with_its_name_and_content(new_store, plan, tmp_path):
    added = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93").attachment
    exported = attachments.export(new_store.location, added, str(tmp_path / "out"))
    assert exported.name == "plan de masse.pdf"
    assert exported.read_bytes() == plan.read_bytes()


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(new_store, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff" * (3 * 1024 * 1024))
    with pytest.raises(attachments.AttachmentTooLarge) as refused:
        attachments.add(new_store.location, "sites", OWNER, str(photo), 2 * 1024 * 1024, "agent93")
    assert "3,0 Mo" in refused.value.message and "2,0 Mo" in refused.value.message
    assert attachments.list_for(new_store.location, "sites", OWNER) == []


def test_removing_keeps_the_row_in_the_history(new_store, plan):
    added = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93").attachment
    attachments.remove(new_store.location, added.uuid)
    assert attachments.list_for(new_store.location, "sites", OWNER) == []
    with contextlib.closing(connect(new_store.location)) as connection:
        operation = connection.execute('SELECT "operation" FROM "attachments_history" WHERE "uuid" = ?',
                                       (added.uuid,)).fetchone()
    assert operation == ("delete",)
    with pytest.raises(StoreError):
        attachments.remove(new_store.location, added.uuid)
