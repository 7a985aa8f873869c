"""How field values travel between the stores and the merge.

Rows are dicts in the working copy's representation (SQLite values: text
dates, 0/1 booleans, geometry as GeoPackage binary). The merge compares
geometries on normalised WKB (the GeoPackage header, whose envelope depends on
the writer, stripped; little-endian); JSON (conflicts, the outbox) carries
bytes as {"$hex": …}.
"""
import functools
import json
import struct
from typing import Any, Dict, FrozenSet, Optional

from ..model import schema
from ..model.schema import STORAGE_SRID, SYNC_FIELD_NAMES, Table
from ..store.sqlite_ddl import GEOMETRY_COLUMN, POPULATION_STAMP, history_columns

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def columns(table: Table):
    """The synced columns of a table: geometry first, then every field."""
    return history_columns(table)


def edited_columns(table: Table):
    """The columns whose change is an edit: not the ones the store stamps itself."""
    return [c for c in columns(table) if c not in SYNC_FIELD_NAMES and c != POPULATION_STAMP]


def automatic_fields(table: Table) -> FrozenSet[str]:
    """The fields the stores fill themselves (stamps, version), uuid aside: never merged."""
    return _automatic_fields(table.name)


@functools.lru_cache(maxsize=None)
def _automatic_fields(table_name: str) -> FrozenSet[str]:
    # once per table, not for each of the 100,000 rows a large pull merges
    return frozenset(f.name for f in schema.table(table_name).fields if f.system and f.name != "uuid")


def wkb_of(gpkg_blob: Optional[bytes]) -> Optional[bytes]:
    if gpkg_blob is None:
        return None
    blob = bytes(gpkg_blob)
    if blob[:2] != b"GP":
        return blob
    return blob[8 + _ENVELOPE_BYTES.get((blob[3] >> 1) & 7, 0):]


def normalised_wkb(gpkg_blob: Optional[bytes]) -> Optional[bytes]:
    wkb = wkb_of(gpkg_blob)
    if wkb is None or not wkb or wkb[0] == 1:
        return wkb
    from osgeo import ogr
    return bytes(ogr.CreateGeometryFromWkb(wkb).ExportToIsoWkb(ogr.wkbNDR))


def gpkg_blob_of(wkb: Optional[bytes], srid: int = STORAGE_SRID) -> Optional[bytes]:
    """GeoPackage binary without envelope (little-endian header)."""
    if wkb is None:
        return None
    return b"GP\x00\x01" + struct.pack("<i", srid) + bytes(wkb)


def for_merge(table: Table, row: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if row is None:
        return None
    if table.geometry:
        row = dict(row)
        row[GEOMETRY_COLUMN] = normalised_wkb(row.get(GEOMETRY_COLUMN))
    return row


def _encode(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$hex": bytes(value).hex()}
    return value


def _decode(value):
    if isinstance(value, dict) and "$hex" in value:
        return bytes.fromhex(value["$hex"])
    return value


def to_json(value) -> str:
    if isinstance(value, dict):
        return json.dumps({k: _encode(v) for k, v in value.items()}, ensure_ascii=False)
    return json.dumps(_encode(value), ensure_ascii=False)


def from_json(text: Optional[str]):
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict) and "$hex" not in value:
        return {k: _decode(v) for k, v in value.items()}
    return _decode(value)


def displayed(value) -> Any:
    """A value as `conflicts --json` shows it: geometry as WKB hex, the rest as is."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value
