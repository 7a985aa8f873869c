"""GeoPackage geometry blobs as the plugin writes them straight into a store table (the demo data, the
spreadsheet import): little-endian, in the storage CRS, read back by store/gpkg_functions.py."""
import struct
from typing import Sequence, Tuple

from ..model.schema import STORAGE_SRID

# GeoPackage binary header: magic, version 0, flags (bit 0: little-endian,
# bits 1-3: envelope kind, 1 = [minx, maxx, miny, maxy]), srs_id.
_POINT_HEADER = b"GP\x00\x01" + struct.pack("<i", STORAGE_SRID)
_POLYGON_HEADER = b"GP\x00\x03" + struct.pack("<i", STORAGE_SRID)


def point_blob(x: float, y: float) -> bytes:
    """A GeoPackage geometry blob for a WGS 84 point (no envelope, as GDAL writes points)."""
    return _POINT_HEADER + struct.pack("<BIdd", 1, 1, x, y)


def polygon_blob(ring: Sequence[Tuple[float, float]]) -> bytes:
    """A GeoPackage geometry blob for a one-ring polygon (closed ring), with its envelope."""
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    header = _POLYGON_HEADER + struct.pack("<dddd", min(xs), max(xs), min(ys), max(ys))
    coordinates = struct.pack("<%dd" % (2 * len(ring)), *(c for point in ring for c in point))
    return header + struct.pack("<BIII", 1, 3, 1, len(ring)) + coordinates


def blob_point(blob: bytes) -> Tuple[float, float]:
    """The (x, y) of a point blob written by point_blob."""
    return struct.unpack_from("<dd", blob, len(_POINT_HEADER) + 5)
