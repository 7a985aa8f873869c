"""The demo sites: where they are, who lives there, their past versions and, once closed, where people went."""
import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..model import schema
from ..model.schema import MINOR_BANDS, history_of
from ..store.gpkg_geometry import point_blob
from . import calibration as cal
from .builder import Part
from .communes import Commune, Communes, national_shares
from .draws import add_months, authors_of, iso_day, maybe, new_uuid, quota, timestamp, weighted, yes_no

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
        maybe(rng, cal.UNKNOWN_HOUSEHOLDS_SHARE, rng.uniform(*cal.PEOPLE_PER_HOUSEHOLD)),
        maybe(rng, cal.UNKNOWN_FEMALES_SHARE, rng.uniform(*cal.FEMALES_RATIO)),
        maybe(rng, cal.UNKNOWN_SCHOOL_SHARE, rng.uniform(*cal.SCHOOL_ENROLMENT_RATIO)))


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
class SitePlan:
    departement: str
    status: str
    people: Optional[int]
    water: Optional[str]
    electricity: Optional[int]
    commune: Optional[Commune] = None
    point: Tuple[float, float] = (0.0, 0.0)


def plan_sites(rng: random.Random, communes: Communes, count: int,
                departement: Optional[str]) -> List[SitePlan]:
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
    plans = [SitePlan(*values) for values in zip(departements, statuses, people, water, electricity)]
    rng.shuffle(plans)
    by_commune: Dict[int, List[SitePlan]] = defaultdict(list)
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

    def rows(self, plan: SitePlan):
        """(current row as a list in SITE_FIELDS order, [history rows without geometry])."""
        rng = self.rng
        commune = plan.commune
        authors = authors_of(commune.departement)
        row: Dict[str, object] = dict.fromkeys(SITE_FIELDS)
        row.update(uuid=new_uuid(rng), insee_code=commune.insee, city_name=commune.name,
                   departement=commune.departement, status=plan.status)
        self._describe(row, plan)
        built, declared, closed = self._dates(plan.status)
        row.update(built_at=iso_day(built) if rng.random() >= cal.UNKNOWN_BUILT_AT_SHARE else None,
                   declared_at=iso_day(declared), closed_at=iso_day(closed) if closed else None)
        if closed:
            self._closing(row, plan.status, closed)
        self._justice(row, declared)
        self._census(row, declared)
        profile = _profile(rng)
        row.update(profile.fields(plan.people))
        self._dwellings(row, plan.people)
        self._living(row, plan)
        return self._versions(row, profile, plan, authors, declared, closed)

    def _describe(self, row, plan: SitePlan) -> None:
        rng = self.rng
        commune = plan.commune
        if rng.random() < 0.9:
            row["name"] = "%s %s" % (rng.choice(cal.SITE_NAME_KINDS), rng.choice(cal.SITE_NAME_PLACES))
        row["address"] = "%d %s, %s" % (rng.randint(1, 180), rng.choice(cal.STREETS), commune.name)
        if rng.random() < 0.4:
            row["address_details"] = rng.choice(cal.ACCESS_DETAILS)
        row["field_type"] = weighted(rng, cal.FIELD_TYPE_SHARES)
        owner_type = row["owner_type"] = weighted(rng, cal.OWNER_TYPE_SHARES)
        if owner_type == "public":
            owner = rng.choice(cal.PUBLIC_OWNERS)
            row["owner"] = "Commune de %s" % commune.name if owner == "Commune" else owner
        elif owner_type == "private":
            row["owner"] = rng.choice(cal.PRIVATE_OWNERS)
        if rng.random() < cal.CADASTRE_PROBABILITY:
            row["cadastral_parcels"] = ", ".join(
                "%s000%s%s%04d" % (commune.insee, rng.choice("ABCDEHKLN"), rng.choice("ABCDEFGHIKLMNPRSTVWXYZ"),
                                   rng.randint(1, 2500)) for _ in range(rng.randint(1, 3)))
        reinstallation = yes_no(rng, cal.REINSTALLATION_PROBABILITY, 0.3)
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
        row["closed_with_solutions"] = weighted(rng, shares)
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
                   insalubrity_order=yes_no(rng, 0.15, 0.3))
        if row["justice_procedure"] and rng.random() < 0.6:
            rendered = declared + dt.timedelta(days=rng.randint(1, span))
            row["justice_rendered_at"] = iso_day(rendered)
            row["police_status"] = weighted(rng, {"none": 0.3, "requested": 0.4, "granted": 0.3})
            if rng.random() < 0.5:
                row["evacuation_order_at"] = iso_day(rendered + dt.timedelta(
                    days=rng.randint(0, max(0, (self.as_of - rendered).days - 1))))

    def _census(self, row, declared: dt.date) -> None:
        rng = self.rng
        status = row["census_status"] = weighted(rng, cal.CENSUS_STATUS_SHARES)
        if status == "done":
            row["census_conducted_at"] = iso_day(declared + dt.timedelta(
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

    def _living(self, row, plan: SitePlan) -> None:
        rng = self.rng
        water = plan.water
        row["water_access_type"] = water
        if water in cal.WATER_ACCESS_TYPES_WITH_ACCESS:
            local = yes_no(rng, 0.5)
            row.update(water_access_is_continuous=yes_no(rng, 0.6), water_access_is_local=local,
                       water_access_is_close=1 if local else yes_no(rng, 0.5),
                       water_access_is_unequal=yes_no(rng, 0.3), water_access_has_stagnant_water=yes_no(rng, 0.3))
        row["electricity_access"] = plan.electricity
        if rng.random() >= cal.UNKNOWN_ORIGIN_SHARE:
            origins = {name: int(rng.random() < p) for name, p in cal.ORIGIN_PROBABILITIES.items()}
            if not any(origins.values()):
                origins["origin_european"] = 1
            row.update(origins)
        row.update(sanitary_access_working_toilets=yes_no(rng, 0.25),
                   sanitary_access_open_air_defecation=yes_no(rng, 0.55),
                   sanitary_access_hand_washing=yes_no(rng, 0.2),
                   trash_evacuation_is_regular=yes_no(rng, 0.35), trash_is_piling=yes_no(rng, 0.6),
                   pest_animals=yes_no(rng, 0.55), fire_prevention=yes_no(rng, 0.2),
                   heatwave_status=yes_no(rng, 0.1))

    # --- versions -----------------------------------------------------------------------------
    def _versions(self, row, profile: _PeopleProfile, plan: SitePlan, authors, declared: dt.date,
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
        times = [timestamp(rng, created_day)] + [timestamp(rng, day) for day in changes]
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
            row["confirmed_at"] = timestamp(rng, min(latest, confirmed))
            if row["confirmed_at"] < times[-1]:
                row["confirmed_at"] = None
        current = [row[name] for name in SITE_FIELDS]
        return current, self._history(current, profile, plan, times, by, closing_change)

    def _history(self, current: list, profile: _PeopleProfile, plan: SitePlan, times: List[str],
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


class SiteRows(Part):
    """The sites' rows, their history and their closing outcomes."""

    def sites(self, plans: List[SitePlan]) -> List[Dict[str, object]]:
        writer = _SiteWriter(self.rng, self.as_of, self.builder.history_months)
        site_rows, history_rows = self.builder.rows["sites"], self.builder.rows[history_of("sites")]
        described = []
        for plan in plans:
            current, history = writer.rows(plan)
            geometry = point_blob(*plan.point)
            site_rows.append((geometry,) + tuple(current))
            history_rows.extend((geometry,) + tuple(row) for row in history)
            described.append(dict(zip(SITE_FIELDS, current)))
        self.builder.history_rows = len(history_rows)
        for site in described:
            if site["status"] != "open" and site["closed_with_solutions"] in ("yes", "no"):
                self._closing_outcomes(site)
        return described

    def _closing_outcomes(self, site: Dict[str, object]) -> None:
        """Where the people of a closed site went: a few solutions sharing its last known population."""
        rng = self.builder.outcomes_rng
        shares = cal.OUTCOMES_WHEN_RESORBED if site["closed_with_solutions"] == "yes" else cal.OUTCOMES_OTHERWISE
        solutions = []
        while len(solutions) < min(len(shares), rng.randint(*cal.OUTCOME_SOLUTIONS_PER_SITE)):
            solution = weighted(rng, shares)
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
