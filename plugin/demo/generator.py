"""Fill a store with the demo data set: sites, terrains d'insertion, dispositifs.

Seeded and reproducible: the same seed and the same `as_of` date give the
same rows, byte for byte (uuids included: they come from the seeded random
generator, so no row is left for the store's triggers to fill). Sites are
points drawn inside real communes of the bundled reference, so their commune
and département are right by construction; every row satisfies the rules the
store enforces (calibration.py says which figures and which assumptions).

Rows are written through sqlite3 as GeoPackage geometry blobs, in one
transaction: a failure leaves the store as it was.
"""
import bisect
import contextlib
import datetime as dt
import math
import random
import sqlite3
import struct
import time
import uuid as uuid_module
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ..assets import COMMUNES_REFERENCE
from ..model import schema
from ..model import vocabularies as voc
from ..model.rules import quoted
from ..model.schema import MINOR_BANDS, STORAGE_SRID, history_of
from ..store import gpkg
from ..store.base import StoreError
from ..store.sqlite_ddl import GEOMETRY_COLUMN
from . import calibration as cal

METRES_PER_DEGREE = 111_320.0

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


def _multipoint_wkb(points: Sequence[Tuple[float, float]]) -> bytes:
    part = struct.Struct("<BIdd")
    return struct.pack("<BII", 1, 4, len(points)) + b"".join(part.pack(1, 1, x, y) for x, y in points)


def blob_point(blob: bytes) -> Tuple[float, float]:
    """The (x, y) of a point blob written by point_blob."""
    return struct.unpack_from("<dd", blob, len(_POINT_HEADER) + 5)


@dataclass(frozen=True)
class Summary:
    sites: int
    open_sites: int
    people: int
    insertion_sites: int
    actions: int
    organisations: int
    history_rows: int
    seconds: float


# --- communes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Commune:
    fid: int
    insee: str
    name: str
    departement: str
    population: int


class _Communes:
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
        self.by_departement: Dict[str, List[_Commune]] = defaultdict(list)
        for values in found:
            self.by_departement[values[3]].append(_Commune(*values))
        self._dataset = ogr.Open(str(COMMUNES_REFERENCE), 0)
        self._layer = self._dataset.GetLayerByName("communes")
        self._cumulative: Dict[str, List[float]] = {}
        self._geometries: Dict[int, object] = {}

    def population(self, departement: str) -> int:
        return sum(c.population for c in self.by_departement.get(departement, ()))

    def pick(self, rng: random.Random, departement: str) -> _Commune:
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

    def geometry(self, commune: _Commune):
        geometry = self._geometries.get(commune.fid)
        if geometry is None:
            feature = self._layer.GetFeature(commune.fid)
            geometry = self._geometries[commune.fid] = feature.GetGeometryRef().Clone()
        return geometry

    def points_inside(self, rng: random.Random, commune: _Commune, count: int) -> List[Tuple[float, float]]:
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


# --- helpers -----------------------------------------------------------------------------------

def quota(rng: random.Random, count: int, shares: Dict[object, float]) -> list:
    """`count` values in the exact proportions of `shares` (largest remainder), shuffled."""
    total = sum(shares.values())
    keys = list(shares)
    exact = [count * shares[key] / total for key in keys]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(keys)), key=lambda i: (counts[i] - exact[i], i))
    for index in by_remainder[:count - sum(counts)]:
        counts[index] += 1
    values = [key for key, n in zip(keys, counts) for _ in range(n)]
    rng.shuffle(values)
    return values


def _weighted(rng: random.Random, shares: Dict[object, float]):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _uuid(rng: random.Random) -> str:
    return str(uuid_module.UUID(int=rng.getrandbits(128), version=4))


def _day(value: dt.date) -> str:
    return value.isoformat()


def _timestamp(rng: random.Random, day: dt.date) -> str:
    """A time during office hours on `day`, in the store's ISO UTC form."""
    seconds = rng.randrange(7 * 3600, 18 * 3600)
    return "%sT%02d:%02d:%02d.%03dZ" % (day.isoformat(), seconds // 3600, seconds // 60 % 60, seconds % 60,
                                        rng.randrange(1000))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return dt.date(year, month + 1, min(day.day, last_day))


def _authors(departement: str) -> Tuple[str, ...]:
    code = departement.lower()
    return tuple(role.format(d=code) for role in cal.AUTHOR_ROLES)


def _maybe(rng: random.Random, unknown_share: float, value):
    return None if rng.random() < unknown_share else value


def _yes_no(rng: random.Random, probability: float, unknown_share: float = cal.UNKNOWN_LIVING_CONDITION_SHARE):
    if rng.random() < unknown_share:
        return None
    return int(rng.random() < probability)


# --- where the sites go ---------------------------------------------------------------------------

def national_shares(communes: _Communes) -> Dict[str, float]:
    """Share of the sites per département of the Hexagone (Corse included)."""
    shares = dict(cal.ILE_DE_FRANCE_SHARES)
    shares.update(cal.HOTSPOT_SHARES)
    others = sorted(d for d in communes.by_departement if not d.startswith("97") and d not in shares)
    left = 1.0 - sum(shares.values())
    population = sum(communes.population(d) for d in others)
    for departement in others:
        shares[departement] = left * communes.population(departement) / population
    return shares


def departement_site_count(communes: _Communes, departement: str) -> int:
    """About the département's real share of the national number of sites."""
    shares = national_shares(communes)
    share = shares.get(departement)
    if share is None:  # overseas: the rate per inhabitant of the non-hotspot Hexagone
        others = [d for d in shares if d not in cal.ILE_DE_FRANCE_SHARES and d not in cal.HOTSPOT_SHARES]
        rate = sum(shares[d] for d in others) / sum(communes.population(d) for d in others)
        share = rate * communes.population(departement)
    return max(cal.MIN_DEPARTEMENT_SITES, round(cal.NATIONAL_SITES * share))


# --- sites --------------------------------------------------------------------------------------

SITE_FIELDS = schema.SITES.field_names
_SITE_INDEX = {name: index for index, name in enumerate(SITE_FIELDS)}
_PEOPLE_FIELDS = ("population_total", "population_couples", "population_minors") + MINOR_BANDS + (
    "minors_in_school", "population_total_females")


@dataclass
class _PeopleProfile:
    """How a site's population splits, kept over its versions (only the total moves)."""
    minors_ratio: Optional[float]
    bands_known: bool
    household_size: Optional[float]
    females_ratio: Optional[float]
    school_ratio: Optional[float]

    def fields(self, total: Optional[int]) -> Dict[str, Optional[int]]:
        values: Dict[str, Optional[int]] = dict.fromkeys(_PEOPLE_FIELDS)
        if total is None:
            return values
        values["population_total"] = total
        if self.household_size is not None:
            values["population_couples"] = min(total, max(1, round(total / self.household_size)))
        if self.females_ratio is not None:
            values["population_total_females"] = min(total, round(total * self.females_ratio))
        if self.minors_ratio is None:
            return values
        minors = min(total, round(total * self.minors_ratio))
        values["population_minors"] = minors
        if self.bands_known:
            bands = [math.floor(minors * weight) for weight in cal.MINOR_BAND_WEIGHTS]
            bands[2] += minors - sum(bands)
            values.update(zip(MINOR_BANDS, bands))
        if self.school_ratio is not None:
            values["minors_in_school"] = min(minors, round(minors * cal.SCHOOL_AGE_SHARE * self.school_ratio))
        return values


def _profile(rng: random.Random) -> _PeopleProfile:
    low, high = cal.MINORS_RATIO_BOUNDS
    minors_ratio = min(high, max(low, rng.gauss(cal.MINORS_SHARE, cal.MINORS_RATIO_SPREAD)))
    minors_known = rng.random() >= cal.UNKNOWN_MINORS_SHARE
    return _PeopleProfile(
        minors_ratio if minors_known else None,
        minors_known and rng.random() >= cal.UNKNOWN_MINOR_BANDS_SHARE,
        _maybe(rng, cal.UNKNOWN_HOUSEHOLDS_SHARE, rng.uniform(*cal.PEOPLE_PER_HOUSEHOLD)),
        _maybe(rng, cal.UNKNOWN_FEMALES_SHARE, rng.uniform(*cal.FEMALES_RATIO)),
        _maybe(rng, cal.UNKNOWN_SCHOOL_SHARE, rng.uniform(*cal.SCHOOL_ENROLMENT_RATIO)))


def _population_totals(rng: random.Random, known: List[bool], in_ile_de_france: List[bool]) -> List[Optional[int]]:
    """Log-normal sizes, scaled so that each region has its calibrated mean."""
    raw = [rng.lognormvariate(0.0, cal.PEOPLE_LOG_SIGMA) if k else None for k in known]
    totals: List[Optional[int]] = [None] * len(raw)
    for region, mean in ((True, cal.MEAN_PEOPLE_ILE_DE_FRANCE), (False, cal.MEAN_PEOPLE_ELSEWHERE)):
        indexes = [i for i, value in enumerate(raw) if value is not None and in_ile_de_france[i] is region]
        if not indexes:
            continue
        scale = mean * len(indexes) / sum(raw[i] for i in indexes)
        for i in indexes:
            totals[i] = max(1, min(cal.MAX_PEOPLE_PER_SITE, round(raw[i] * scale)))
    return totals


@dataclass
class _SitePlan:
    departement: str
    status: str
    people: Optional[int]
    water: Optional[str]
    electricity: Optional[int]
    commune: Optional[_Commune] = None
    point: Tuple[float, float] = (0.0, 0.0)


def _plan_sites(rng: random.Random, communes: _Communes, count: int,
                departement: Optional[str]) -> List[_SitePlan]:
    open_count = round(count * cal.OPEN_SHARE)
    closed_count = count - open_count
    if departement:
        departements = [departement] * count
    else:
        shares = national_shares(communes)
        departements = quota(rng, open_count, shares) + quota(rng, closed_count, shares)
    statuses = ["open"] * open_count + quota(rng, closed_count, cal.CLOSED_STATUS_SHARES)
    known = (quota(rng, open_count, {True: 1 - cal.UNKNOWN_POPULATION_SHARE, False: cal.UNKNOWN_POPULATION_SHARE})
             + quota(rng, closed_count, {True: 1 - cal.UNKNOWN_POPULATION_SHARE,
                                         False: cal.UNKNOWN_POPULATION_SHARE}))
    in_ile_de_france = [d in cal.ILE_DE_FRANCE for d in departements]
    people = (_population_totals(rng, known[:open_count], in_ile_de_france[:open_count])
              + _population_totals(rng, known[open_count:], in_ile_de_france[open_count:]))
    water = quota(rng, count, cal.WATER_ACCESS_TYPE_SHARES)
    electricity = quota(rng, count, cal.ELECTRICITY_SHARES)
    plans = [_SitePlan(*values) for values in zip(departements, statuses, people, water, electricity)]
    rng.shuffle(plans)
    by_commune: Dict[int, List[_SitePlan]] = defaultdict(list)
    for plan in plans:
        plan.commune = communes.pick(rng, plan.departement)
        by_commune[plan.commune.fid].append(plan)
    for fid in sorted(by_commune):
        group = by_commune[fid]
        for plan, point in zip(group, communes.points_inside(rng, group[0].commune, len(group))):
            plan.point = point
    return plans


class _SiteWriter:
    """Builds the rows of one site: its current version and, optionally, its past ones."""

    def __init__(self, rng: random.Random, as_of: dt.date, history_months: int):
        self.rng = rng
        self.as_of = as_of
        self.history_months = history_months
        self.store_start = add_months(as_of, -max(cal.STORE_AGE_MONTHS, history_months)) - dt.timedelta(days=15)
        self.window_start = add_months(as_of, -history_months)

    def rows(self, plan: _SitePlan):
        """(current row as a list in SITE_FIELDS order, [history rows without geometry])."""
        rng = self.rng
        commune = plan.commune
        authors = _authors(commune.departement)
        row: Dict[str, object] = dict.fromkeys(SITE_FIELDS)
        row.update(uuid=_uuid(rng), insee_code=commune.insee, city_name=commune.name,
                   departement=commune.departement, status=plan.status)
        self._describe(row, plan)
        built, declared, closed = self._dates(plan.status)
        row.update(built_at=_day(built) if rng.random() >= cal.UNKNOWN_BUILT_AT_SHARE else None,
                   declared_at=_day(declared), closed_at=_day(closed) if closed else None)
        if closed:
            self._closing(row, plan.status, closed)
        self._justice(row, declared)
        self._census(row, declared)
        profile = _profile(rng)
        row.update(profile.fields(plan.people))
        self._dwellings(row, plan.people)
        self._living(row, plan)
        return self._versions(row, profile, plan, authors, declared, closed)

    def _describe(self, row, plan: _SitePlan) -> None:
        rng = self.rng
        commune = plan.commune
        if rng.random() < 0.9:
            row["name"] = "%s %s" % (rng.choice(cal.SITE_NAME_KINDS), rng.choice(cal.SITE_NAME_PLACES))
        row["address"] = "%d %s, %s" % (rng.randint(1, 180), rng.choice(cal.STREETS), commune.name)
        if rng.random() < 0.4:
            row["address_details"] = rng.choice(cal.ACCESS_DETAILS)
        row["field_type"] = _weighted(rng, cal.FIELD_TYPE_SHARES)
        owner_type = row["owner_type"] = _weighted(rng, cal.OWNER_TYPE_SHARES)
        if owner_type == "public":
            owner = rng.choice(cal.PUBLIC_OWNERS)
            row["owner"] = "Commune de %s" % commune.name if owner == "Commune" else owner
        elif owner_type == "private":
            row["owner"] = rng.choice(cal.PRIVATE_OWNERS)
        if rng.random() < cal.CADASTRE_PROBABILITY:
            row["cadastral_parcels"] = ", ".join(
                "%s000%s%s%04d" % (commune.insee, rng.choice("ABCDEHKLN"), rng.choice("ABCDEFGHIKLMNPRSTVWXYZ"),
                                   rng.randint(1, 2500)) for _ in range(rng.randint(1, 3)))
        reinstallation = _yes_no(rng, cal.REINSTALLATION_PROBABILITY, 0.3)
        row["is_reinstallation"] = reinstallation
        if reinstallation:
            row["reinstallation_comments"] = rng.choice(cal.REINSTALLATION_COMMENTS)
        if plan.status == "open" and rng.random() < cal.RESORPTION_TARGET_PROBABILITY:
            row["resorption_target"] = self.as_of.year + rng.randint(0, 3)
        if rng.random() < 0.25:
            row["comments"] = rng.choice(cal.SITE_COMMENTS)

    def _dates(self, status: str):
        rng = self.rng
        latest = self.as_of - dt.timedelta(days=2)
        age = min(rng.expovariate(1 / cal.SITE_AGE_MEAN_YEARS), cal.SITE_AGE_MAX_YEARS)
        built = latest - dt.timedelta(days=round(age * 365.25))
        declared = min(latest, built + dt.timedelta(days=rng.randint(*cal.REPORTING_DELAY_DAYS)))
        closed = None
        if status != "open":
            span = min((latest - declared).days, round(cal.CLOSED_WITHIN_YEARS * 365.25))
            closed = latest - dt.timedelta(days=round(span * rng.random() ** 1.5))
        return built, declared, closed

    def _closing(self, row, status: str, closed: dt.date) -> None:
        rng = self.rng
        shares = cal.SOLUTIONS_WHEN_RESORBED if status == "resorbed" else cal.SOLUTIONS_OTHERWISE
        row["closed_with_solutions"] = _weighted(rng, shares)
        if status == "other" or rng.random() < 0.15:
            row["closing_context"] = rng.choice(cal.CLOSING_CONTEXTS)
        if row["owner_type"] == "private" and (self.as_of - closed).days > 365:
            row["owner"] = None  # anonymised one year after closing (data protection)

    def _justice(self, row, declared: dt.date) -> None:
        rng = self.rng
        probability = cal.JUSTICE_PROBABILITY * (1.6 if row["owner_type"] == "private" else 0.7)
        if rng.random() >= probability:
            return
        span = max(1, (self.as_of - declared).days - 1)
        complaint = rng.random() < 0.8
        row.update(owner_complaint=int(complaint), justice_procedure=int(complaint and rng.random() < 0.7),
                   insalubrity_order=_yes_no(rng, 0.15, 0.3))
        if row["justice_procedure"] and rng.random() < 0.6:
            rendered = declared + dt.timedelta(days=rng.randint(1, span))
            row["justice_rendered_at"] = _day(rendered)
            row["police_status"] = _weighted(rng, {"none": 0.3, "requested": 0.4, "granted": 0.3})
            if rng.random() < 0.5:
                row["evacuation_order_at"] = _day(rendered + dt.timedelta(
                    days=rng.randint(0, max(0, (self.as_of - rendered).days - 1))))

    def _census(self, row, declared: dt.date) -> None:
        rng = self.rng
        status = row["census_status"] = _weighted(rng, cal.CENSUS_STATUS_SHARES)
        if status == "done":
            row["census_conducted_at"] = _day(declared + dt.timedelta(
                days=rng.randint(0, max(0, (self.as_of - declared).days - 1))))
            departement = row["departement"]
            row["census_conducted_by"] = rng.choice(
                ("DDETS %s" % cal.departement_name(departement),
                 "%s (%s)" % (rng.choice(cal.ASSOCIATION_NAMES), departement)))

    def _dwellings(self, row, people: Optional[int]) -> None:
        rng = self.rng
        if people is None or rng.random() < cal.UNKNOWN_DWELLINGS_SHARE:
            return
        households = row["population_couples"] or max(1, people // 4)
        if row["field_type"] == "building":
            row.update(mattresses=round(people * rng.uniform(0.5, 1.0)), caravans=0, huts=0, tents=0, cars=0)
            return
        row.update(huts=round(households * rng.uniform(0.3, 1.0)), caravans=round(households * rng.uniform(0, 0.5)),
                   tents=rng.randint(0, max(1, households // 3)), cars=rng.randint(0, 3),
                   mattresses=rng.randint(0, people // 3))

    def _living(self, row, plan: _SitePlan) -> None:
        rng = self.rng
        water = plan.water
        row["water_access_type"] = water
        if water in cal.WATER_ACCESS_TYPES_WITH_ACCESS:
            local = _yes_no(rng, 0.5)
            row.update(water_access_is_continuous=_yes_no(rng, 0.6), water_access_is_local=local,
                       water_access_is_close=1 if local else _yes_no(rng, 0.5),
                       water_access_is_unequal=_yes_no(rng, 0.3), water_access_has_stagnant_water=_yes_no(rng, 0.3))
        row["electricity_access"] = plan.electricity
        if rng.random() >= cal.UNKNOWN_ORIGIN_SHARE:
            origins = {name: int(rng.random() < p) for name, p in cal.ORIGIN_PROBABILITIES.items()}
            if not any(origins.values()):
                origins["origin_european"] = 1
            row.update(origins)
        row.update(sanitary_access_working_toilets=_yes_no(rng, 0.25),
                   sanitary_access_open_air_defecation=_yes_no(rng, 0.55),
                   sanitary_access_hand_washing=_yes_no(rng, 0.2),
                   trash_evacuation_is_regular=_yes_no(rng, 0.35), trash_is_piling=_yes_no(rng, 0.6),
                   pest_animals=_yes_no(rng, 0.55), fire_prevention=_yes_no(rng, 0.2),
                   heatwave_status=_yes_no(rng, 0.1))

    # --- versions -----------------------------------------------------------------------------
    def _versions(self, row, profile: _PeopleProfile, plan: _SitePlan, authors, declared: dt.date,
                  closed: Optional[dt.date]):
        """Record times: created (C), monthly changes inside the history window, the closing."""
        rng = self.rng
        latest = self.as_of - dt.timedelta(days=1)
        created_day = min(latest, max(declared + dt.timedelta(days=rng.randint(0, 10)),
                                      self.store_start + dt.timedelta(days=rng.randint(0, 14))))
        closing_day = min(latest, closed + dt.timedelta(days=rng.randint(0, 10))) if closed else None
        changes: List[dt.date] = []
        if closing_day and (closing_day <= created_day or not self.history_months):
            created_day = max(created_day, closing_day)  # entered already closed, not changed since
        elif self.history_months:
            end = closing_day or latest
            for month in range(1, self.history_months + 1):
                day = add_months(self.window_start, month) - dt.timedelta(days=rng.randint(1, 20))
                if created_day < day < end and (not changes or day > changes[-1]):
                    changes.append(day)
            if closing_day:
                changes.append(closing_day)
        times = [_timestamp(rng, created_day)] + [_timestamp(rng, day) for day in changes]
        by = [rng.choice(authors) for _ in times]
        known = plan.people is not None
        row.update(row_version=len(times), created_at=times[0], created_by=by[0], updated_at=times[-1],
                   updated_by=by[-1], population_updated_at=times[-1] if known else None)
        closing_change = bool(changes) and closing_day is not None and changes[-1] == closing_day
        if closing_change and known:
            row["population_updated_at"] = times[-2]
        if not changes and rng.random() < cal.CONFIRMED_PROBABILITY and plan.status == "open":
            confirmed = max(created_day, self.as_of - dt.timedelta(days=150)) + dt.timedelta(
                days=rng.randint(0, 60))
            row["confirmed_at"] = _timestamp(rng, min(latest, confirmed))
            if row["confirmed_at"] < times[-1]:
                row["confirmed_at"] = None
        current = [row[name] for name in SITE_FIELDS]
        return current, self._history(current, profile, plan, times, by, closing_change)

    def _history(self, current: list, profile: _PeopleProfile, plan: _SitePlan, times: List[str],
                 by: List[str], closing_change: bool) -> List[list]:
        """The past versions, newest first while walking back, returned oldest first."""
        rng = self.rng
        history = []
        version = current
        total = plan.people
        for index in range(len(times) - 2, -1, -1):
            previous = list(version)
            if closing_change and index == len(times) - 2:
                for name in ("closed_at", "closing_context", "closed_with_solutions"):
                    previous[_SITE_INDEX[name]] = None
                previous[_SITE_INDEX["status"]] = "open"
            elif total is not None:
                step = max(1, round(total * abs(rng.gauss(0, 0.12))))
                total = total + step if rng.random() < 0.45 or total - step < 1 else total - step
                total = min(total, cal.MAX_PEOPLE_PER_SITE)
                for name, value in profile.fields(total).items():
                    previous[_SITE_INDEX[name]] = value
                previous[_SITE_INDEX["population_updated_at"]] = times[index]
            else:
                position = _SITE_INDEX["pest_animals"]
                previous[position] = 0 if version[position] else 1
            previous[_SITE_INDEX["row_version"]] = index + 1
            previous[_SITE_INDEX["updated_at"]] = times[index]
            previous[_SITE_INDEX["updated_by"]] = by[index]
            previous[_SITE_INDEX["confirmed_at"]] = None
            history.append(previous + [times[index], times[index + 1], by[index + 1], "update", None])
            version = previous
        history.reverse()
        return history


# --- terrains d'insertion ----------------------------------------------------------------------

PHASES = voc.INSERTION_SITE_PHASE.codes


def _terrain_ring(rng: random.Random, centre: Tuple[float, float]) -> List[Tuple[float, float]]:
    """A star-shaped (hence simple) polygon a few hundred metres across around `centre`."""
    x, y = centre
    half_width = rng.uniform(*cal.INSERTION_SITE_HALF_WIDTH_M)
    corners = rng.randint(4, 7)
    start = rng.uniform(0, 2 * math.pi)
    ring = []
    for index in range(corners):
        angle = start + 2 * math.pi * (index + rng.uniform(-0.25, 0.25)) / corners
        radius = half_width * rng.uniform(0.7, 1.0)
        ring.append((round(x + radius * math.cos(angle) / (METRES_PER_DEGREE * math.cos(math.radians(y))), 7),
                     round(y + radius * math.sin(angle) / METRES_PER_DEGREE, 7)))
    return ring + [ring[0]]


# --- the whole data set ---------------------------------------------------------------------------

class _Builder:
    def __init__(self, seed: int, as_of: dt.date, history_months: int, indicator_uuids: Dict[str, str]):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.history_months = history_months
        self.indicator_uuids = indicator_uuids
        self.rows: Dict[str, List[tuple]] = defaultdict(list)
        self.history_rows = 0
        # Its own sequence, so that adding outcomes left every other generated figure as it was.
        self.outcomes_rng = random.Random("%d-outcomes" % seed)

    def sync(self, created_day: dt.date, departement: str, author: Optional[str] = None,
             rng: Optional[random.Random] = None):
        rng = rng or self.rng
        stamp = _timestamp(rng, min(created_day, self.as_of - dt.timedelta(days=1)))
        login = author or rng.choice(_authors(departement))
        return {"uuid": _uuid(rng), "row_version": 1, "created_at": stamp, "created_by": login,
                "updated_at": stamp, "updated_by": login}

    def add(self, table: schema.Table, values: Dict[str, object], geometry: Optional[bytes] = None) -> None:
        row = tuple(values.get(name) for name in table.field_names)
        self.rows[table.name].append(((geometry,) + row) if table.geometry else row)

    def sites(self, plans: List[_SitePlan]) -> List[Dict[str, object]]:
        writer = _SiteWriter(self.rng, self.as_of, self.history_months)
        site_rows, history_rows, described = self.rows["sites"], self.rows[history_of("sites")], []
        for plan in plans:
            current, history = writer.rows(plan)
            geometry = point_blob(*plan.point)
            site_rows.append((geometry,) + tuple(current))
            history_rows.extend((geometry,) + tuple(row) for row in history)
            described.append(dict(zip(SITE_FIELDS, current)))
        self.history_rows = len(history_rows)
        for site in described:
            if site["status"] != "open" and site["closed_with_solutions"] in ("yes", "no"):
                self._closing_outcomes(site)
        return described

    def _closing_outcomes(self, site: Dict[str, object]) -> None:
        """Where the people of a closed site went: a few solutions sharing its last known population."""
        rng = self.outcomes_rng
        shares = cal.OUTCOMES_WHEN_RESORBED if site["closed_with_solutions"] == "yes" else cal.OUTCOMES_OTHERWISE
        solutions = []
        while len(solutions) < min(len(shares), rng.randint(*cal.OUTCOME_SOLUTIONS_PER_SITE)):
            solution = _weighted(rng, shares)
            if solution not in solutions:
                solutions.append(solution)
        people = site["population_total"]
        cuts = sorted(rng.randint(0, people) for _ in solutions[1:]) if people is not None else []
        parts = [b - a for a, b in zip([0] + cuts, cuts + [people])] if people is not None else [None] * len(solutions)
        closed = dt.date.fromisoformat(site["closed_at"])
        for solution, moved in zip(solutions, parts):
            if moved == 0:
                continue
            households = None if moved is None else max(1, round(moved / rng.uniform(*cal.PEOPLE_PER_HOUSEHOLD)))
            row = self.sync(closed, site["departement"], site["updated_by"], rng)
            row.update(site_uuid=site["uuid"], solution=solution, people=moved,
                       households=None if moved is None else min(moved, households))
            self.add(schema.SITE_CLOSING_OUTCOMES, row)

    def organisations(self, departements: Sequence[str]) -> Dict[str, Dict[str, List[str]]]:
        """Per département: uuids of the préfecture, the DDETS and a few associations."""
        rng = self.rng
        found: Dict[str, Dict[str, List[str]]] = {}
        start = self.as_of - dt.timedelta(days=round(365.25 * cal.ACTION_AGE_YEARS[1]) + 30)  # before any action
        for departement in departements:
            name = cal.departement_name(departement)
            kinds: Dict[str, List[str]] = defaultdict(list)
            associations = rng.sample(cal.ASSOCIATION_NAMES, rng.randint(*cal.ASSOCIATIONS_PER_DEPARTEMENT))
            named = [("prefecture", "Préfecture %s" % name), ("ddets", "DDETS %s" % name)] + [
                ("association", "%s (%s)" % (association, departement)) for association in associations]
            for kind, label in named:
                values = self.sync(start, departement)
                values.update(name=label, type=kind, departement=departement)
                self.add(schema.ORGANISATIONS, values)
                kinds[kind].append(values["uuid"])
            found[departement] = kinds
        return found

    def actions(self, sites: List[Dict[str, object]], count: int) -> List[Dict[str, object]]:
        rng = self.rng
        by_departement: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for site in sites:
            by_departement[site["departement"]].append(site)
        shares = {d: len(s) for d, s in sorted(by_departement.items())}
        departements = quota(rng, count, shares)
        organisations = self.organisations(sorted(set(departements)))
        locations = quota(rng, count, cal.ACTION_LOCATION_SHARES)
        indicators = self.indicator_uuids
        actions = []
        for departement, location in zip(departements, locations):
            candidates = by_departement[departement]
            worked_on = rng.sample(candidates, min(len(candidates), rng.randint(*cal.ACTION_SITES)))
            started = self.as_of - dt.timedelta(days=round(365.25 * rng.uniform(*cal.ACTION_AGE_YEARS)))
            ended = None
            if rng.random() < cal.ACTION_ENDED_PROBABILITY:
                ended = started + dt.timedelta(days=rng.randint(365, 4 * 365))
            action = self.sync(started, departement)
            action.update(name="%s – %s" % (rng.choice(cal.ACTION_NAMES[location]), worked_on[0]["city_name"]),
                          started_at=_day(started), ended_at=_day(ended) if ended else None,
                          goals=rng.choice(cal.ACTION_GOALS), departement=departement, location_type=location,
                          location_other=rng.choice(cal.ACTION_LOCATION_OTHER) if location == "autre" else None,
                          reporting_frequency=_weighted(rng, cal.REPORTING_FREQUENCY_SHARES))
            associations = organisations[departement]["association"]
            operators = rng.sample(associations, min(len(associations), rng.randint(*cal.ACTION_OPERATORS)))
            action["values_entered_by"] = operators[0]
            self.add(schema.ACTIONS, action)
            self._action_children(action, started, ended, worked_on, organisations[departement], operators,
                                  indicators)
            actions.append(action)
        return actions

    def _child(self, table: schema.Table, action, created: dt.date, **values) -> None:
        row = self.sync(created, action["departement"], action["created_by"])
        row.update(values, action_uuid=action["uuid"])
        self.add(table, row)

    def _action_children(self, action, started: dt.date, ended: Optional[dt.date], worked_on, organisations,
                         operators: Sequence[str], indicators: Dict[str, str]) -> None:
        rng = self.rng
        usual = cal.ACTION_TOPICS_BY_LOCATION[action["location_type"]]
        count = min(len(usual), rng.randint(*cal.ACTION_TOPICS_PER_ACTION))
        # The first usual tag always, then others of the place's usual ones.
        for topic in (usual[0],) + tuple(rng.sample(usual[1:], count - 1)):
            self._child(schema.ACTION_TOPICS, action, started, topic=topic)
        pilot = rng.choice(organisations["prefecture"] + organisations["ddets"])
        self._child(schema.ACTION_ORGANISATIONS, action, started, organisation_uuid=pilot, role="pilot")
        for operator in operators:
            self._child(schema.ACTION_ORGANISATIONS, action, started, organisation_uuid=operator, role="operator")
        for site in worked_on:
            self._child(schema.ACTION_SITES, action, started, site_uuid=site["uuid"])
        last_year = min(ended.year if ended else self.as_of.year, self.as_of.year)
        for year in range(started.year, last_year + 1):
            for finance_type in rng.sample(voc.FINANCE_TYPE.codes, rng.randint(*cal.FINANCE_TYPES_PER_YEAR)):
                amount = round(rng.uniform(*cal.FINANCE_AMOUNT_EUR), -2)
                spent = round(amount * rng.uniform(0.7, 1.05), -2) if year < self.as_of.year else None
                self._child(schema.ACTION_FINANCES, action, max(started, dt.date(year, 1, 1)), year=year,
                            finance_type=finance_type, amount=float(amount),
                            real_amount=float(spent) if spent is not None else None)
        self._indicator_values(action, started, ended, indicators)

    def _indicator_values(self, action, started: dt.date, ended: Optional[dt.date],
                          indicators: Dict[str, str]) -> None:
        rng = self.rng
        step = {"monthly": 1, "quarterly": 3, "yearly": 12}[action["reporting_frequency"]]
        last = add_months(self.as_of.replace(day=1), -1)
        if ended and ended < last:
            last = ended.replace(day=1)
        first = max(started.replace(day=1), add_months(self.as_of.replace(day=1), -cal.INDICATOR_MONTHS))
        if rng.random() < cal.INDICATOR_LATE_PROBABILITY and not ended:
            last = add_months(last, -step * rng.randint(1, 2))  # the operator has not sent the last ones yet
        people = rng.randint(10, 150)
        month = first
        while month <= last:
            if (month.month % step) == 0 or step == 1:
                people = max(1, people + rng.randint(-5, 8))
                for code, value in self._indicator_set(people).items():
                    self._child(schema.INDICATOR_VALUES, action, add_months(month, 1) + dt.timedelta(days=4),
                                indicator_uuid=indicators[code], period=month.strftime("%Y-%m"), value=value)
            month = add_months(month, 1)

    def _indicator_set(self, people: int) -> Dict[str, int]:
        rng = self.rng
        households = max(1, round(people / rng.uniform(3, 5)))
        minors = round(people * rng.uniform(0.3, 0.5))
        eligible = round(minors * rng.uniform(0.6, 0.8))
        return {
            "people": people, "households": households, "women": round(people * rng.uniform(0.4, 0.55)),
            "minors": minors, "health_people": round(people * rng.uniform(0.2, 0.8)),
            "work_people": round((people - minors) * rng.uniform(0.05, 0.4)),
            "shelter_people": round(people * rng.uniform(0, 0.2)),
            "shelter_households": round(households * rng.uniform(0, 0.2)),
            "housing_people": round(people * rng.uniform(0, 0.15)),
            "housing_households": round(households * rng.uniform(0, 0.15)),
            "school_minors_eligible": eligible, "school_minors_enrolled": round(eligible * rng.uniform(0.5, 1.0)),
        }

    def insertion_sites(self, communes: _Communes, sites: List[Dict[str, object]],
                        actions: List[Dict[str, object]], count: int) -> int:
        rng = self.rng
        by_departement: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for site in sites:
            by_departement[site["departement"]].append(site)
        eti_actions: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for action in actions:
            if action["location_type"] == "eti":
                eti_actions[action["departement"]].append(action)
        departements = quota(rng, count, {d: len(s) for d, s in sorted(by_departement.items())})
        statuses = quota(rng, count, cal.INSERTION_SITE_STATUS_SHARES)
        for departement, status in zip(departements, statuses):
            commune, ring = self._terrain_place(communes, departement)
            self._terrain(ring, commune, status, by_departement[departement], eti_actions.get(departement, []))
        return count

    def _terrain_place(self, communes: _Communes, departement: str):
        """A commune and a polygon whose centroid lies inside it (derivation uses the centroid)."""
        rng = self.rng
        while True:
            commune = communes.pick(rng, departement)
            geometry = communes.geometry(commune)
            for centre in communes.points_inside(rng, commune, 5):
                ring = _terrain_ring(rng, centre)
                if communes.contains(geometry, *communes.centroid(ring)):
                    return commune, ring

    def _terrain(self, ring, commune: _Commune, status: str, nearby_sites, eti_actions) -> None:
        rng = self.rng
        latest = self.as_of - dt.timedelta(days=2)
        households = rng.randint(*cal.INSERTION_SITE_HOUSEHOLDS)
        values: Dict[str, object] = {
            "name": "%s de %s" % (rng.choice(cal.INSERTION_SITE_NAMES), commune.name),
            "address": "%s, %s" % (rng.choice(cal.STREETS), commune.name), "insee_code": commune.insee,
            "city_name": commune.name, "departement": commune.departement, "status": status,
            "land_owner_type": _weighted(rng, {"public": 0.85, "private": 0.1, "unknown": 0.05}),
            "capacity_households": households, "capacity_people": households * rng.randint(3, 5),
        }
        done = {"project": rng.randint(0, 3), "preparing": rng.randint(3, 8)}.get(status, len(PHASES))
        first_phase = latest - dt.timedelta(days=rng.randint(400, 2000))
        phase_days = sorted(first_phase + dt.timedelta(days=rng.randint(0, (latest - first_phase).days))
                            for _ in range(done))
        if status in ("open", "closed"):
            opened = phase_days[-1]
            values["opened_at"] = _day(opened)
            values.update(water_access=1, electricity_access=int(rng.random() < 0.9), sanitary_access=1)
            if status == "open":
                occupied = rng.randint(households // 2, households)
                values.update(occupied_households=occupied,
                              occupied_people=min(values["capacity_people"], occupied * rng.randint(3, 5)))
            else:
                values.update(closed_at=_day(opened + dt.timedelta(days=rng.randint(0, (latest - opened).days))),
                              occupied_households=0, occupied_people=0)
        else:
            values.update(water_access=_yes_no(rng, 0.3, 0.3), electricity_access=_yes_no(rng, 0.3, 0.3),
                          sanitary_access=_yes_no(rng, 0.3, 0.3))
        if eti_actions and status != "project":
            values["action_uuid"] = rng.choice(eti_actions)["uuid"]
        values.update(self.sync(phase_days[-1] if phase_days else latest, commune.departement))
        self.add(schema.INSERTION_SITES, values, polygon_blob(ring))
        for phase, day in zip(PHASES, phase_days + [None] * (len(PHASES) - done)):
            self._terrain_child(schema.INSERTION_SITE_PHASES, values, phase=phase,
                                completed_at=_day(day) if day else None)
        if status in ("open", "closed") and nearby_sites:
            housed = values["occupied_households"] or households
            origins = rng.sample(nearby_sites, min(len(nearby_sites), rng.randint(*cal.INSERTION_SITE_ORIGINS)))
            for origin in origins:
                share = max(0, housed // len(origins))
                self._terrain_child(schema.INSERTION_SITE_ORIGINS, values, site_uuid=origin["uuid"],
                                    households=share)

    def _terrain_child(self, table: schema.Table, terrain, **values) -> None:
        row = self.sync(self.as_of, terrain["departement"], terrain["created_by"])
        row.update(created_at=terrain["created_at"], updated_at=terrain["created_at"], **values)
        row["insertion_site_uuid"] = terrain["uuid"]
        self.add(table, row)


def generate(store, sites: Optional[int] = None, departement: Optional[str] = None,
             seed: int = cal.DEFAULT_SEED, history_months: int = 0, as_of: Optional[dt.date] = None) -> Summary:
    """Fill `store` (a GeoPackage store with no site yet) with the demo data set.

    sites: number of site rows (open and closed); default: the calibrated
    national size (NATIONAL_SITES), or the département's share of it.
    departement: only that département (e.g. "93", "2A", "974").
    history_months: write monthly past versions of every site over that many
    months into sites_history. as_of: the day the data set describes (today).
    """
    started = time.perf_counter()
    as_of = as_of or dt.datetime.now(dt.timezone.utc).date()
    if sites is not None and sites < 1:
        raise StoreError("Le nombre de sites doit être au moins 1.", "The number of sites must be at least 1.")
    if history_months < 0:
        raise StoreError("La durée d'historique ne peut pas être négative.",
                         "The history length cannot be negative.")
    communes = _Communes()
    if departement is not None:
        departement = departement.upper()
        if departement not in communes.by_departement:
            raise StoreError("Département inconnu : %s (ex. 93, 2A, 974)." % departement,
                             "Unknown département: %s (e.g. 93, 2A, 974)." % departement)
    if store.read_only:
        raise StoreError("Le stockage %s est en lecture seule." % store.location,
                         "The store %s is read-only." % store.location)
    _refuse_filled(store)
    count = sites or (departement_site_count(communes, departement) if departement else cal.NATIONAL_SITES)
    with contextlib.closing(store.connect()) as connection:
        indicator_uuids = dict(connection.execute('SELECT "code", "uuid" FROM "indicator_definitions"'))
    builder = _Builder(seed, as_of, history_months, indicator_uuids)
    plans = _plan_sites(builder.rng, communes, count, departement)
    described = builder.sites(plans)
    actions = builder.actions(described, min(cal.MAX_ACTIONS, max(cal.MIN_ACTIONS,
                                                                  round(count * cal.ACTIONS_PER_SITE))))
    terrains = builder.insertion_sites(communes, described, actions, min(
        cal.MAX_INSERTION_SITES, max(1, round(count * cal.INSERTION_SITES_PER_SITE))))
    _write(store, builder.rows)
    open_sites = [site for site in described if site["status"] == "open"]
    return Summary(sites=len(described), open_sites=len(open_sites),
                   people=sum(site["population_total"] or 0 for site in open_sites),
                   insertion_sites=terrains, actions=len(actions),
                   organisations=len(builder.rows["organisations"]), history_rows=builder.history_rows,
                   seconds=time.perf_counter() - started)


def _refuse_filled(store, connection=None) -> None:
    with contextlib.ExitStack() as stack:
        if connection is None:
            connection = stack.enter_context(contextlib.closing(store.connect()))
        if connection.execute('SELECT 1 FROM "sites" LIMIT 1').fetchone():
            raise StoreError(
                "Le stockage %s contient déjà des sites : les données de démonstration vont dans un stockage vide."
                % store.location,
                "The store %s already has sites: demo data goes into an empty store." % store.location)


def _write(store, rows: Dict[str, List[tuple]]) -> None:
    """Every table in one transaction: all the rows, or none."""
    tables = [(table, table.name) for table in schema.parents_first()] + [(schema.SITES, history_of("sites"))]
    with contextlib.closing(store.connect()) as connection, gpkg.transaction(connection):
        _refuse_filled(store, connection)
        for table, name in tables:
            if not rows.get(name):
                continue
            columns = ([GEOMETRY_COLUMN] if table.geometry else []) + list(table.field_names)
            if name != table.name:
                columns += ["valid_from", "valid_to", "changed_by", "operation", "reason"]
            connection.executemany("INSERT INTO %s (%s) VALUES (%s)" % (
                quoted(name), ", ".join(quoted(c) for c in columns), ", ".join("?" * len(columns))), rows[name])
