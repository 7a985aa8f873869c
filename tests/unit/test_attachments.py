"""Attachments kept in the store: added once per object, listed, exported, removed, size-limited."""
import contextlib
import sqlite3

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


def attachment_named(added, **changes):
    return attachments.Attachment(**dict(added.__dict__, **changes))


def test_a_digest_that_is_a_path_writes_nothing_outside_the_folder(new_store, plan, tmp_path):
    """A row accepted by an older store (only the digest's length was checked) is not trusted."""
    added = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93").attachment
    forged = attachment_named(added, sha256="../rel/pwned" + "0" * 52)
    folder = tmp_path / "temp" / "resorption_sig"
    with pytest.raises(StoreError, match="altérée"):
        attachments.export(new_store.location, forged, str(folder))
    assert not (tmp_path / "temp" / "rel").exists() and not folder.exists()


def test_a_file_name_never_leaves_the_folder(new_store, plan, tmp_path):
    added = attachments.add(new_store.location, "sites", OWNER, str(plan), 10_000, "agent93").attachment
    for name in ("../../plan.pdf", "..\\..\\plan.pdf", "/etc/plan.pdf", "..", "plan\x00.pdf"):
        exported = attachments.export(new_store.location, attachment_named(added, filename=name),
                                      str(tmp_path / "out"))
        assert exported.parent.parent == tmp_path / "out"
        assert exported.read_bytes() == plan.read_bytes()


@pytest.mark.parametrize("name", ["setup.exe", "facture.PDF.bat", "../lanceur.desktop", "macro.xlsm", "x.sh"])
def test_an_executable_attachment_is_never_written_to_be_opened(new_store, tmp_path, name):
    program = tmp_path / "programme"
    program.write_bytes(b"MZ\x90\x00")
    added = attachments.add(new_store.location, "sites", OWNER, str(program), 10_000, "agent93").attachment
    with pytest.raises(StoreError, match="le plugin ne l'ouvre pas"):
        attachments.export(new_store.location, attachment_named(added, filename=name), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_the_store_recomputes_the_digest_of_what_it_receives(new_store):
    with pytest.raises(sqlite3.IntegrityError, match="attachments_sha256_of_content"):
        with contextlib.closing(connect(new_store.location)) as connection:
            connection.execute("INSERT INTO attachments (owner_table, owner_uuid, filename, sha256, size_bytes, "
                               "content) VALUES ('sites', ?, 'plan.pdf', ?, 3, x'616263')", (OWNER, "0" * 64))
