"""Attachments (plans de masse, arrêtés, photos) kept inside the store, so they travel with it.

Pure sqlite: the `attachments` table of a GeoPackage store. A file is stored
once per object (deduplicated by its SHA-256); beyond the size limit it is
refused with a message saying the size and the limit.
"""
import contextlib
import hashlib
import mimetypes
import re
import uuid as uuid_module
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from ..model import schema
from ..model.schema import SHA256_REGEX
from .base import StoreError
from .gpkg import connect, transaction

OWNER_TABLES = schema.ATTACHMENT_OWNER_TABLE.codes

# Types the system would run rather than show (Windows, macOS, Linux desktops): an attachment comes
# from another person through the sync, so these are never opened from the plugin.
EXECUTABLE_SUFFIXES = frozenset((
    ".exe", ".com", ".bat", ".cmd", ".msi", ".msp", ".scr", ".pif", ".cpl", ".dll", ".sys", ".ps1", ".psm1",
    ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".lnk", ".url", ".reg", ".inf", ".scf", ".jar",
    ".appref-ms", ".application", ".gadget", ".msc", ".app", ".command", ".pkg", ".dmg", ".sh", ".bash",
    ".csh", ".run", ".bin", ".desktop", ".appimage", ".py", ".pyw", ".pl", ".rb", ".php", ".elf", ".deb",
    ".rpm", ".iso", ".img", ".vhd", ".vhdx", ".docm", ".xlsm", ".pptm", ".dotm", ".xltm", ".xlam", ".ppam"))
COLUMNS = ("uuid", "owner_table", "owner_uuid", "filename", "mime_type", "sha256", "size_bytes",
           "added_by", "added_at")


class AttachmentTooLarge(StoreError):
    def __init__(self, filename: str, size: int, limit: int):
        super().__init__(
            "« %s » pèse %s : la limite est de %s (Paramètres de Résorption SIG). "
            "Réduisez le fichier (photo redimensionnée, PDF compressé) ou joignez un extrait."
            % (filename, human_size(size), human_size(limit)),
            "“%s” weighs %s: the limit is %s (Résorption SIG settings). "
            "Reduce the file (resized photo, compressed PDF) or attach an extract."
            % (filename, human_size(size), human_size(limit)))
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Attachment:
    uuid: str
    owner_table: str
    owner_uuid: str
    filename: str
    mime_type: Optional[str]
    sha256: str
    size_bytes: int
    added_by: Optional[str]
    added_at: Optional[str]


@dataclass(frozen=True)
class Added:
    attachment: Attachment
    already_there: bool


def human_size(size: int) -> str:
    if size < 1024:
        return "%d octets" % size
    if size < 1024 * 1024:
        return "%.0f Ko" % (size / 1024)
    return ("%.1f Mo" % (size / (1024 * 1024))).replace(".", ",")


def _check_owner(owner_table: str) -> None:
    if owner_table not in OWNER_TABLES:
        raise StoreError("Pièce jointe rattachée à une table inconnue : %s" % owner_table,
                         "Attachment linked to an unknown table: %s" % owner_table)


def _writable(location: str):
    return contextlib.closing(connect(location))


def _row(values) -> Attachment:
    return Attachment(*values)


def add(location: str, owner_table: str, owner_uuid: str, path: str, max_bytes: int,
        added_by: str) -> Added:
    """Store the file at `path` for the object; the same content already attached is not stored twice."""
    _check_owner(owner_table)
    source = Path(path)
    if not source.is_file():
        raise StoreError("Le fichier %s n'existe pas." % source, "The file %s does not exist." % source)
    size = source.stat().st_size
    if size > max_bytes:
        raise AttachmentTooLarge(source.name, size, max_bytes)
    content = source.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    mime_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    with _writable(location) as connection, transaction(connection):
        existing = connection.execute(
            'SELECT %s FROM "attachments" WHERE "owner_table" = ? AND "owner_uuid" = ? AND "sha256" = ?'
            % ", ".join('"%s"' % c for c in COLUMNS), (owner_table, owner_uuid, digest)).fetchone()
        if existing is not None:
            return Added(_row(existing), True)
        new_uuid = str(uuid_module.uuid4())
        connection.execute(
            'INSERT INTO "attachments" ("uuid", "owner_table", "owner_uuid", "filename", "mime_type", '
            '"sha256", "size_bytes", "content", "added_by", "added_at", "created_by", "updated_by") '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?)",
            (new_uuid, owner_table, owner_uuid, source.name, mime_type, digest, size, content,
             added_by, added_by, added_by))
        row = connection.execute('SELECT %s FROM "attachments" WHERE "uuid" = ?'
                                 % ", ".join('"%s"' % c for c in COLUMNS), (new_uuid,)).fetchone()
    return Added(_row(row), False)


def list_for(location: str, owner_table: str, owner_uuid: str) -> List[Attachment]:
    _check_owner(owner_table)
    with contextlib.closing(connect(location, read_only=True)) as connection:
        rows = connection.execute(
            'SELECT %s FROM "attachments" WHERE "owner_table" = ? AND "owner_uuid" = ? '
            'ORDER BY "added_at", "filename"' % ", ".join('"%s"' % c for c in COLUMNS),
            (owner_table, owner_uuid)).fetchall()
    return [_row(r) for r in rows]


def content(location: str, attachment_uuid: str) -> bytes:
    with contextlib.closing(connect(location, read_only=True)) as connection:
        row = connection.execute('SELECT "content" FROM "attachments" WHERE "uuid" = ?',
                                 (attachment_uuid,)).fetchone()
    if row is None or row[0] is None:
        raise StoreError("Cette pièce jointe n'est plus dans le stockage.",
                         "This attachment is no longer in the store.")
    return bytes(row[0])


def safe_filename(filename: str) -> str:
    """The last part of `filename` whatever its separators, without control characters: a name
    that stays in the folder it is written to."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f:*?\"<>|]", "_", name).strip(" .")
    return name or "piece-jointe"


def is_executable(filename: str) -> bool:
    return Path(safe_filename(filename).lower()).suffix in EXECUTABLE_SUFFIXES


def export(location: str, attachment: Attachment, folder: str) -> Path:
    """Write the attachment into `folder` (to open it with the system's application); returns the file.
    Its path is made of checked names only (the digest, recomputed, and the file's own name), and an
    executable type is refused."""
    if is_executable(attachment.filename):
        raise StoreError(
            "« %s » est un programme ou une macro : par sécurité, le plugin ne l'ouvre pas." % attachment.filename,
            "“%s” is a program or a macro: for safety, the plugin does not open it." % attachment.filename)
    data = content(location, attachment.uuid)
    if not re.match(SHA256_REGEX, attachment.sha256 or "") or hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise StoreError(
            "« %s » a été altérée : son contenu ne correspond pas à son empreinte." % attachment.filename,
            "“%s” was altered: its content does not match its digest." % attachment.filename)
    target_folder = Path(folder) / attachment.sha256[:12]
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / safe_filename(attachment.filename)
    target.write_bytes(data)
    return target


def remove(location: str, attachment_uuid: str) -> None:
    """Delete the attachment; the history table keeps the deleted row (its content included)."""
    with _writable(location) as connection, transaction(connection):
        deleted = connection.execute('DELETE FROM "attachments" WHERE "uuid" = ?', (attachment_uuid,)).rowcount
    if deleted != 1:
        raise StoreError("Cette pièce jointe n'est plus dans le stockage.",
                         "This attachment is no longer in the store.")
