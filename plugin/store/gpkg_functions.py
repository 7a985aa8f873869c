"""The SQL functions a GeoPackage's R-tree triggers call, for plain sqlite3 connections.

GDAL registers ST_MinX, ST_IsEmpty… on its own connections; a Python sqlite3
connection must register them too, or every write to a spatial table fails
with "no such function". They read the GeoPackage binary header (its envelope
when present, else the WKB coordinates); they never write geometry.
"""
import math
import sqlite3
import struct
from typing import List, Optional, Tuple

from ..model.rules import SHA256_FUNCTION, sha256_hex

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _header(blob: bytes) -> Tuple[bool, int, int, str]:
    """(empty, envelope doubles, offset of the WKB, byte order of the header)."""
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    doubles = _ENVELOPE_DOUBLES.get((flags >> 1) & 7, 0)
    return bool(flags & 0x10), doubles, 8 + 8 * doubles, order


def _coordinates(wkb: bytes, offset: int) -> List[Tuple[float, float]]:
    """Every (x, y) of a WKB geometry (Point, LineString, Polygon and their Multi/Collection)."""
    points = []

    def read(position: int) -> int:
        order = "<" if wkb[position] == 1 else ">"
        geometry_type = struct.unpack_from(order + "I", wkb, position + 1)[0]
        flavour = geometry_type // 1000
        dimension = 2 + (flavour in (1, 3)) + (flavour in (2, 3))
        base = geometry_type % 1000
        position += 5
        stride = 8 * dimension
        if base == 1:
            points.append(struct.unpack_from(order + "dd", wkb, position))
            return position + stride
        if base == 2:
            count = struct.unpack_from(order + "I", wkb, position)[0]
            position += 4
            points.extend(struct.unpack_from(order + "dd", wkb, position + i * stride) for i in range(count))
            return position + count * stride
        if base == 3:
            rings = struct.unpack_from(order + "I", wkb, position)[0]
            position += 4
            for _ in range(rings):
                count = struct.unpack_from(order + "I", wkb, position)[0]
                position += 4
                points.extend(struct.unpack_from(order + "dd", wkb, position + i * stride) for i in range(count))
                position += count * stride
            return position
        parts = struct.unpack_from(order + "I", wkb, position)[0]
        position += 4
        for _ in range(parts):
            position = read(position)
        return position

    read(offset)
    return points


def envelope(blob: Optional[bytes]) -> Optional[Tuple[float, float, float, float]]:
    """(min x, max x, min y, max y) of a GeoPackage geometry, None when empty."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    empty, doubles, offset, order = _header(blob)
    if empty:
        return None
    if doubles:
        return struct.unpack_from(order + "dddd", blob, 8)
    points = [p for p in _coordinates(blob, offset) if not math.isnan(p[0])]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), max(xs), min(ys), max(ys)


def _component(index: int):
    def function(blob):
        box = envelope(blob)
        return None if box is None else box[index]
    return function


def register(connection: sqlite3.Connection) -> sqlite3.Connection:
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        connection.create_function(name, 1, _component(index), deterministic=True)
    connection.create_function("ST_IsEmpty", 1, lambda blob: int(envelope(blob) is None), deterministic=True)
    # The attachments' rule that the digest is the content's (recomputed by the store on receipt).
    connection.create_function(SHA256_FUNCTION, 1, sha256_hex, deterministic=True)
    return connection
