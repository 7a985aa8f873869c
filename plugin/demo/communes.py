"""The communes of the bundled reference the demo sites are drawn in, and how many sites each département gets."""
import bisect
import contextlib
import random
import sqlite3
import struct
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from ..assets import COMMUNES_REFERENCE
from ..store.base import StoreError
from . import calibration as cal


def _multipoint_wkb(points: Sequence[Tuple[float, float]]) -> bytes:
    """The candidate points as one WKB MultiPoint, to test them against a commune in one GEOS call."""
    part = struct.Struct("<BIdd")
    return struct.pack("<BII", 1, 4, len(points)) + b"".join(part.pack(1, 1, x, y) for x, y in points)


@dataclass(frozen=True)
class Commune:
    fid: int
    insee: str
    name: str
    departement: str
    population: int


class Communes:
    """The communes of the bundled reference: attributes at once, geometries on demand."""

    def __init__(self):
        if not COMMUNES_REFERENCE.is_file():
            raise StoreError("Le référentiel des communes manque (%s) : lancez « .ci/setup »." % COMMUNES_REFERENCE,
                             "The communes reference is missing (%s): run “.ci/setup”." % COMMUNES_REFERENCE)
        from osgeo import gdal, ogr
        gdal.UseExceptions()
        self._ogr = ogr
        # Attributes straight from SQLite (a GeoPackage is one): much faster than feature by feature.
        uri = "file:%s?mode=ro" % COMMUNES_REFERENCE.resolve().as_posix()
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            found = connection.execute(
                "SELECT fid, insee, nom, departement, coalesce(population, 0) FROM communes "
                "WHERE type = 'COM' ORDER BY insee").fetchall()
        self.by_departement: Dict[str, List[Commune]] = defaultdict(list)
        for values in found:
            self.by_departement[values[3]].append(Commune(*values))
        self._dataset = ogr.Open(str(COMMUNES_REFERENCE), 0)
        self._layer = self._dataset.GetLayerByName("communes")
        self._cumulative: Dict[str, List[float]] = {}
        self._geometries: Dict[int, object] = {}

    def population(self, departement: str) -> int:
        return sum(c.population for c in self.by_departement.get(departement, ()))

    def pick(self, rng: random.Random, departement: str) -> Commune:
        """A commune of the département, drawn in proportion to population ** exponent."""
        communes = self.by_departement[departement]
        cumulative = self._cumulative.get(departement)
        if cumulative is None:
            total, cumulative = 0.0, []
            for commune in communes:
                total += max(commune.population, 1) ** cal.COMMUNE_POPULATION_EXPONENT
                cumulative.append(total)
            self._cumulative[departement] = cumulative
        index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
        return communes[min(index, len(communes) - 1)]

    def geometry(self, commune: Commune):
        geometry = self._geometries.get(commune.fid)
        if geometry is None:
            feature = self._layer.GetFeature(commune.fid)
            geometry = self._geometries[commune.fid] = feature.GetGeometryRef().Clone()
        return geometry

    def points_inside(self, rng: random.Random, commune: Commune, count: int) -> List[Tuple[float, float]]:
        """`count` random points (rounded to 1e-6°, about 10 cm) inside the commune."""
        ogr = self._ogr
        geometry = self.geometry(commune)
        min_x, max_x, min_y, max_y = geometry.GetEnvelope()
        found: List[Tuple[float, float]] = []
        batch = 2 * count + 8
        while len(found) < count:
            candidates = [(round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6))
                          for _ in range(batch)]
            # One GEOS call for the whole batch (a point-by-point Contains is ten times slower).
            inside = geometry.Intersection(ogr.CreateGeometryFromWkb(_multipoint_wkb(candidates)))
            kept = set()
            for index in range(inside.GetGeometryCount()):
                part = inside.GetGeometryRef(index)
                kept.add((part.GetX(), part.GetY()))
            if inside.GetGeometryType() == ogr.wkbPoint:
                kept.add((inside.GetX(), inside.GetY()))
            for candidate in candidates:
                if candidate in kept and len(found) < count:
                    found.append(candidate)
                    kept.discard(candidate)
            batch = 2 * batch
        return found

    def contains(self, geometry, x: float, y: float) -> bool:
        point = self._ogr.Geometry(self._ogr.wkbPoint)
        point.AddPoint_2D(x, y)
        return geometry.Contains(point)

    def centroid(self, ring: Sequence[Tuple[float, float]]) -> Tuple[float, float]:
        wkt = "POLYGON ((%s))" % ", ".join("%r %r" % p for p in ring)
        centre = self._ogr.CreateGeometryFromWkt(wkt).Centroid()
        return centre.GetX(), centre.GetY()


# --- where the sites go ---------------------------------------------------------------------------

def national_shares(communes: Communes) -> Dict[str, float]:
    """Share of the sites per département of the Hexagone (Corse included)."""
    shares = dict(cal.ILE_DE_FRANCE_SHARES)
    shares.update(cal.HOTSPOT_SHARES)
    others = sorted(d for d in communes.by_departement if not d.startswith("97") and d not in shares)
    left = 1.0 - sum(shares.values())
    population = sum(communes.population(d) for d in others)
    for departement in others:
        shares[departement] = left * communes.population(departement) / population
    return shares


def departement_site_count(communes: Communes, departement: str) -> int:
    """About the département's real share of the national number of sites."""
    shares = national_shares(communes)
    share = shares.get(departement)
    if share is None:  # overseas: the rate per inhabitant of the non-hotspot Hexagone
        others = [d for d in shares if d not in cal.ILE_DE_FRANCE_SHARES and d not in cal.HOTSPOT_SHARES]
        rate = sum(shares[d] for d in others) / sum(communes.population(d) for d in others)
        share = rate * communes.population(departement)
    return max(cal.MIN_DEPARTEMENT_SITES, round(cal.NATIONAL_SITES * share))
