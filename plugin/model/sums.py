"""The derived figures ("sommes automatiques"): their definitions, and a plain-Python reference.

The stores compute these figures in SQL (plugin/store/sums_sql.py); this module
declares them once (names, French and English labels) and computes them over
plain row dicts, which is what the tests compare the SQL with. No Qt, no QGIS.

Definitions (the documentation of record):

* Dates. A date typed as 'YYYY-MM-DD' means the end of that day in UTC
  (23:59:59.999Z). Instants are compared as ISO 8601 UTC text
  'YYYY-MM-DDTHH:MM:SS.sssZ', the form the stores write.
* State at an instant t. A version of a feature is valid from `valid_from`
  (included) to `valid_to` (excluded); the current row is valid from its
  `updated_at` with no end. The state at t is the version valid at t; a feature
  deleted before t has no state at t.
* Reconstructed past. Before a site's first recorded version (a store filled
  from the platform in December knows sites installed years before), its state
  at t is reconstructed from its own dates: it exists from its installation day
  (built_at, else declared_at) on, with the figures of its first version, open
  until its closing day (closed_at) and with its first version's status from
  then on. A site with neither date, or deleted from the store since (a record entered in
  error), has no state before its first version.
* Presence. A site is present at t when its state at t has status 'open'. The
  figures are computed over present sites unless other statuses are asked for.
* Unknown. An empty value is unknown: sums add the known values only, and the
  sites whose value is unknown are counted apart (``sites_unknown_*``).
* Out of date at t: neither `updated_at` nor `confirmed_at` is on or after
  t minus N months (N = 6 by default; the day of month is kept, clamped to the
  month's last day: 31 August minus 6 months is 28/29 February).
* Unknown origin: none of origin_french, origin_european, origin_extra_eu is 1.
* European only, 10 people or more: population_total ≥ 10, origin_european = 1,
  and neither origin_french nor origin_extra_eu is 1.
* Size band of a site: < 10, 10–49, 50–99, 100+ people, or unknown.
* Movements between two instants start < end reconcile exactly with the states
  (territory filters applied to each): sites(end) = sites(start) + opened − closed,
  and population(end) = population(start) + population_opened − population_closed
  + population_variation. The window is the days after start's day up to end's day
  included (start_day < day ≤ end_day).
  - opened: open at end and not at start (created, reopened, or moved into the
    territory), or opened and closed both within the window; the opening day is
    the installation day (built_at, else declared_at), else the record's creation;
  - closed: open at start and not at end (closed, deleted, or moved out), or
    opened and closed within the window (closed_at in the window);
  - resorbed: closed, with status at end not 'open' and closed_with_solutions = 'yes';
  - population_opened: known population_total of the opened sites at end;
  - population_closed / population_resorbed: known population_total of these
    sites in their last state (at end; for a site gone from the territory, at start);
  - population_variation: what the counts of the sites open at start changed by
    (at end, or their last state, minus at start; unknown counts as 0);
  - change: each figure at end minus the same figure at start.
* Insertion sites ("terrains d'insertion") open at t: capacity and occupation
  (people, households) over known values, and the occupancy rate
  occupied_people / capacity_people over the sites where both are known.
"""
import calendar
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

DEFAULT_OUT_OF_DATE_MONTHS = 6
OPEN = "open"


# The outputs a figure can be shown in.
DOCK, CLI, EXCEL, COPIL = "dock", "cli", "excel", "copil"
EVERY_OUTPUT = (DOCK, CLI, EXCEL, COPIL)


@dataclass(frozen=True)
class Figure:
    """A figure, declared once: every output takes its label and its rows from here.

    `unknowns` names the count of the sites where this figure's value is unknown (a sum over
    known values); `short` is the label of narrow columns (the dock, the CLI's table); `shown_in`
    lists the outputs (DOCK, CLI, EXCEL, COPIL) that print it."""
    name: str
    label: str
    label_en: str
    short: str = ""
    short_en: str = ""
    unknowns: Optional[str] = None
    shown_in: Tuple[str, ...] = EVERY_OUTPUT

    def short_label(self, english: bool = False) -> str:
        if english:
            return self.short_en or self.label_en
        return self.short or self.label

    def text(self, english: bool = False) -> str:
        return self.label_en if english else self.label


NOT_IN_CLI = (DOCK, EXCEL, COPIL)
NOT_ON_COPIL = (DOCK, CLI, EXCEL)
ONLY_DOCK_EXCEL = (DOCK, EXCEL)

FIGURES: Tuple[Figure, ...] = (
    Figure("sites", "Sites", "Sites", "Sites ouverts", "Open sites"),
    Figure("population_total", "Personnes", "People", unknowns="sites_unknown_population"),
    Figure("sites_unknown_population", "Sites à population inconnue", "Sites with unknown population",
           "Pop. inconnue", "Unknown pop."),
    Figure("population_couples", "Ménages", "Households", unknowns="sites_unknown_couples"),
    Figure("sites_unknown_couples", "Sites à nombre de ménages inconnu", "Sites with unknown households",
           "Ménages inconnus", "Unknown househ.", shown_in=NOT_IN_CLI),
    Figure("population_minors", "Mineurs", "Minors", unknowns="sites_unknown_minors"),
    Figure("sites_unknown_minors", "Sites à nombre de mineurs inconnu", "Sites with unknown minors",
           "Mineurs inconnus", "Unknown minors", shown_in=NOT_IN_CLI),
    Figure("minors_in_school", "Mineurs scolarisés", "Minors in school", "Scolarisés", "In school",
           unknowns="sites_unknown_school"),
    Figure("sites_unknown_school", "Sites à scolarisation inconnue", "Sites with unknown schooling",
           "Scol. inconnue", "Unknown school.", shown_in=NOT_IN_CLI),
    Figure("sites_unknown_origin", "Sites à origine inconnue", "Sites with unknown origin",
           "Origine inconnue", "Unknown origin", shown_in=NOT_ON_COPIL),
    Figure("sites_out_of_date", "Sites non mis à jour", "Sites out of date", "Non mis à jour", "Out of date"),
    Figure("sites_eu_only_10_plus", "Sites de 10 personnes ou plus, origine européenne seule",
           "Sites of 10 people or more, European origin only", "≥ 10 pers., UE seule", "≥ 10 people, EU only",
           shown_in=NOT_ON_COPIL),
)

BETWEEN_FIGURES: Tuple[Figure, ...] = (
    Figure("opened", "Sites ouverts dans la période", "Sites opened in the period", "Sites ouverts",
           "Sites opened"),
    Figure("closed", "Sites fermés dans la période", "Sites closed in the period", "Sites fermés", "Sites closed"),
    Figure("resorbed", "Sites résorbés dans la période", "Sites resorbed in the period", "↳ dont résorbés",
           "↳ of which resorbed"),
    Figure("population_opened", "Personnes des sites ouverts", "People of the opened sites"),
    Figure("population_closed", "Personnes des sites fermés", "People of the closed sites"),
    Figure("population_resorbed", "Personnes des sites résorbés", "People of the resorbed sites",
           "↳ dont sites résorbés", "↳ of which resorbed sites", shown_in=NOT_ON_COPIL),
    Figure("population_variation", "Évolution des effectifs recensés", "Change in the recorded counts"),
)

INSERTION_FIGURES: Tuple[Figure, ...] = (
    Figure("insertion_sites", "Terrains d'insertion ouverts", "Open insertion sites", "Terrains ouverts",
           "Open insertion sites"),
    Figure("capacity_people", "Capacité (personnes)", "Capacity (people)"),
    Figure("capacity_households", "Capacité (ménages)", "Capacity (households)", shown_in=NOT_ON_COPIL),
    Figure("occupied_people", "Personnes accueillies", "People housed"),
    Figure("occupied_households", "Ménages accueillis", "Households housed", shown_in=NOT_ON_COPIL),
    Figure("occupancy_rate", "Taux d'occupation", "Occupancy rate"),
    Figure("insertion_sites_unknown_occupancy", "Terrains à occupation inconnue",
           "Insertion sites with unknown occupancy", "↳ terrains où inconnu", "↳ sites where unknown",
           shown_in=NOT_ON_COPIL),
)

FIGURE_NAMES = tuple(f.name for f in FIGURES)
BETWEEN_NAMES = tuple(f.name for f in BETWEEN_FIGURES)
INSERTION_NAMES = tuple(f.name for f in INSERTION_FIGURES)
FIGURES_BY_NAME: Dict[str, Figure] = {f.name: f for f in FIGURES + BETWEEN_FIGURES + INSERTION_FIGURES}
# The counts of unknown values, each with the figure whose unknowns it counts.
UNKNOWN_COUNTS: Dict[str, str] = {f.unknowns: f.name for f in FIGURES_BY_NAME.values() if f.unknowns}

# Sums over known site values (a site field of the same name), each with the count of the
# sites where the value is unknown.
SUMMED = OrderedDict((f.name, f.unknowns) for f in FIGURES if f.unknowns)


def shown_in(output: str, figures: Sequence[Figure]) -> Tuple[Figure, ...]:
    """The figures of `figures` that `output` prints, in their declared order."""
    return tuple(f for f in figures if output in f.shown_in)


def names_list(figures: Sequence[Figure]) -> str:
    return ", ".join(f.name for f in figures)


SIZE_BANDS: Tuple[Figure, ...] = (
    Figure("lt_10", "moins de 10 personnes", "fewer than 10 people"),
    Figure("10_49", "10 à 49 personnes", "10 to 49 people"),
    Figure("50_99", "50 à 99 personnes", "50 to 99 people"),
    Figure("100_plus", "100 personnes et plus", "100 people or more"),
    Figure("unknown", "population inconnue", "unknown population"),
)
SIZE_BAND_LIMITS = ((10, "lt_10"), (50, "10_49"), (100, "50_99"))

GROUPINGS: Tuple[Figure, ...] = (
    Figure("departement", "Département", "Département"),
    Figure("insee_code", "Commune (code INSEE)", "Municipality (INSEE code)"),
    Figure("status", "Statut", "Status"),
    Figure("field_type", "Type de site", "Type of site"),
    Figure("size_band", "Taille", "Size"),
)
GROUPING_NAMES = tuple(g.name for g in GROUPINGS)

ORIGINS = ("origin_french", "origin_european", "origin_extra_eu")

# The columns the figures read, per table: the state queries select them, and the
# history's valid_to index covers them so that the state at a past date is read
# from the index alone.
STATE_COLUMNS = {
    "sites": ("uuid", "status", "departement", "insee_code", "field_type") + tuple(SUMMED) + ORIGINS + (
              "updated_at", "confirmed_at", "built_at", "declared_at", "created_at", "closed_at",
              "closed_with_solutions"),
    "insertion_sites": ("uuid", "status", "departement", "insee_code", "capacity_people", "capacity_households",
                        "occupied_people", "occupied_households", "updated_at"),
}


# The columns the figure block reads from the current rows (figure_expressions in
# store/sums_sql.py), per table: an index on (status, departement, these) serves the
# figures of the open sites by département from the index alone, already grouped.
FIGURE_COLUMNS = {
    "sites": tuple(SUMMED) + ORIGINS + ("updated_at", "confirmed_at"),
}


class InvalidDate(ValueError):
    """A date the user typed that is not ISO 8601; bilingual like StoreError."""

    def __init__(self, text: str, message: str = "", message_en: str = ""):
        self.message = message or "Date invalide : « %s » (attendu AAAA-MM-JJ ou AAAA-MM-JJTHH:MM[:SS][Z])" % text
        self.message_en = message_en or (
            "Invalid date: “%s” (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])" % text)
        super().__init__("%s / %s" % (self.message, self.message_en))


# Dates a census can be asked about: no record is older than the first year, and the months counted back
# from the date (a month's changes, a comparison) stay within the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 9998


# --- instants ------------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_instant(moment: datetime) -> str:
    """The stores' form of an instant: ISO 8601 UTC with milliseconds."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def now_instant() -> str:
    return format_instant(datetime.now(timezone.utc))


def parse_instant(text: str) -> str:
    """'YYYY-MM-DD' → the end of that day (UTC); a date-time → that instant in UTC.

    A date-time without a time zone is read in local time (times are shown in local time)."""
    value = (text or "").strip()
    try:
        if _DAY.match(value):
            moment = datetime.strptime(value, "%Y-%m-%d")
        else:
            moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise InvalidDate(text) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidDate(text, "Date hors limites : « %s » (de %d à %d)" % (text, FIRST_YEAR, LAST_YEAR),
                          "Date out of range: “%s” (from %d to %d)" % (text, FIRST_YEAR, LAST_YEAR))
    if _DAY.match(value):
        return moment.strftime("%Y-%m-%dT23:59:59.999Z")
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return format_instant(moment)


def is_day(text: str) -> bool:
    return bool(_DAY.match((text or "").strip()))


def months_before(instant: str, months: int) -> str:
    """`instant` minus whole months, the day clamped to the month's length."""
    year, month, day = int(instant[0:4]), int(instant[5:7]), int(instant[8:10])
    index = year * 12 + (month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(day, calendar.monthrange(year, month)[1])
    return "%04d-%02d-%02d%s" % (year, month, day, instant[10:])


def month_ends(end: str, months: int) -> List[str]:
    """The last instants of the `months` months up to `end`'s month, oldest first; the
    last one is `end` itself (a series "to date")."""
    year, month = int(end[0:4]), int(end[5:7])
    result = []
    for back in range(months - 1, 0, -1):
        index = year * 12 + (month - 1) - back
        y, m = divmod(index, 12)
        m += 1
        result.append("%04d-%02d-%02dT23:59:59.999Z" % (y, m, calendar.monthrange(y, m)[1]))
    result.append(end)
    return result


def day_of(instant: str) -> str:
    return instant[:10]


# --- state at an instant ----------------------------------------------------------

def state_at(versions: Iterable[Mapping], at: str) -> List[Mapping]:
    """The versions valid at `at`: valid_from ≤ at < valid_to (None = open-ended)."""
    return list(states_by_uuid(versions, at).values())


def states_by_uuid(versions: Iterable[Mapping], at: str) -> Dict[str, Mapping]:
    """The state of each feature at `at`, keyed by uuid: its version valid at `at`, else (for a
    feature still there: it has a current version, valid_to None) the state reconstructed before
    its first version."""
    first: Dict[str, Mapping] = {}
    states: Dict[str, Mapping] = {}
    still_there = set()
    for version in versions:
        uuid = version["uuid"]
        if version.get("valid_to") is None:
            still_there.add(uuid)
        if uuid not in first or (version.get("valid_from") or "") < (first[uuid].get("valid_from") or ""):
            first[uuid] = version
        if ((version.get("valid_from") is None or version["valid_from"] <= at)
                and (version.get("valid_to") is None or at < version["valid_to"])):
            states[uuid] = version
    for uuid, version in first.items():
        if (uuid not in states and uuid in still_there and version.get("valid_from") is not None
                and at < version["valid_from"]):
            rebuilt = reconstructed(version, at)
            if rebuilt is not None:
                states[uuid] = rebuilt
    return states


def size_band(population_total: Optional[int]) -> str:
    if population_total is None:
        return "unknown"
    for limit, band in SIZE_BAND_LIMITS:
        if population_total < limit:
            return band
    return "100_plus"


def group_key(row: Mapping, by: str):
    return size_band(row.get("population_total")) if by == "size_band" else row.get(by)


def is_out_of_date(row: Mapping, threshold: str) -> bool:
    return not any(row.get(name) is not None and row[name] >= threshold for name in ("updated_at", "confirmed_at"))


def is_unknown_origin(row: Mapping) -> bool:
    return not any(row.get(name) == 1 for name in ORIGINS)


def is_eu_only_10_plus(row: Mapping) -> bool:
    population = row.get("population_total")
    return (population is not None and population >= 10 and row.get("origin_european") == 1
            and row.get("origin_french") != 1 and row.get("origin_extra_eu") != 1)


def selected(rows: Iterable[Mapping], statuses: Optional[Sequence[str]] = (OPEN,)) -> List[Mapping]:
    return [r for r in rows if statuses is None or r.get("status") in statuses]


def figures(rows: Iterable[Mapping], at: str, out_of_date_months: int = DEFAULT_OUT_OF_DATE_MONTHS
            ) -> Dict[str, int]:
    """The figures of a set of site states (already filtered by status and territory)."""
    threshold = months_before(at, out_of_date_months)
    result = {name: 0 for name in FIGURE_NAMES}
    for row in rows:
        result["sites"] += 1
        for name, unknown in SUMMED.items():
            if row.get(name) is None:
                result[unknown] += 1
            else:
                result[name] += row[name]
        result["sites_unknown_origin"] += is_unknown_origin(row)
        result["sites_out_of_date"] += is_out_of_date(row, threshold)
        result["sites_eu_only_10_plus"] += is_eu_only_10_plus(row)
    return result


def grouped(rows: Iterable[Mapping], by: str, at: str,
            out_of_date_months: int = DEFAULT_OUT_OF_DATE_MONTHS) -> List[Tuple[object, Dict[str, int]]]:
    """(key, figures) per value of `by`, sorted by key (unknown key last)."""
    groups: Dict[object, List[Mapping]] = {}
    for row in rows:
        groups.setdefault(group_key(row, by), []).append(row)
    return [(key, figures(groups[key], at, out_of_date_months))
            for key in sorted(groups, key=lambda k: sort_key(k, by))]


SIZE_BAND_ORDER = {band.name: "%d" % index for index, band in enumerate(SIZE_BANDS)}


def sort_key(key, by: Optional[str] = None) -> Tuple[bool, str]:
    """Groups in order: codes alphabetically, size bands from small to large, unknown last."""
    if by == "size_band":
        return (False, SIZE_BAND_ORDER.get(key, str(key)))
    return (key is None, "" if key is None else str(key))


def installed_day(row: Mapping) -> Optional[str]:
    installed = row.get("built_at") or row.get("declared_at")
    return installed[:10] if installed else None


def opening_day(row: Mapping) -> Optional[str]:
    installed = installed_day(row)
    if installed is not None:
        return installed
    return row["created_at"][:10] if row.get("created_at") else None


def reconstructed(first: Mapping, at: str) -> Optional[Dict]:
    """The state at `at`, earlier than the first recorded version `first`, rebuilt from the
    site's own dates (see the module's definitions); None when it did not exist yet."""
    day = day_of(at)
    installed = installed_day(first)
    if installed is None or installed > day:
        return None
    state = dict(first)
    if first.get("closed_at") is not None and day < first["closed_at"][:10]:
        state["status"] = OPEN
    return state


def _within(day: Optional[str], first: str, last: str) -> bool:
    return day is not None and first < day[:10] <= last


def movements(at_start: Mapping[str, Mapping], at_end: Mapping[str, Mapping], start: str, end: str
              ) -> Dict[str, int]:
    """opened, closed, resorbed… between the states at start and at end, each keyed by uuid
    (every status, territory filters applied to each); they reconcile with the states."""
    first, last = day_of(start), day_of(end)
    result = {name: 0 for name in BETWEEN_NAMES}
    for uuid in set(at_start) | set(at_end):
        before, after = at_start.get(uuid), at_end.get(uuid)
        was_open = before is not None and before.get("status") == OPEN
        is_open = after is not None and after.get("status") == OPEN
        passed = (not was_open and not is_open and after is not None and after.get("status") is not None
                  and _within(opening_day(after), first, last) and _within(after.get("closed_at"), first, last))
        population_start = (before or {}).get("population_total") or 0
        if (is_open and not was_open) or passed:
            result["opened"] += 1
            result["population_opened"] += after.get("population_total") or 0
        if (was_open and not is_open) or passed:
            last_state = after if after is not None else before
            population = last_state.get("population_total") or 0
            result["closed"] += 1
            result["population_closed"] += population
            if (after is not None and after.get("status") is not None
                    and after.get("closed_with_solutions") == "yes"):
                result["resorbed"] += 1
                result["population_resorbed"] += population
            if was_open:
                result["population_variation"] += population - population_start
        if was_open and is_open:
            result["population_variation"] += (after.get("population_total") or 0) - population_start
    return result


def change(at_end: Mapping[str, int], at_start: Mapping[str, int]) -> Dict[str, int]:
    return {name: at_end[name] - at_start[name] for name in FIGURE_NAMES}


def insertion_figures(rows: Iterable[Mapping]) -> Dict[str, object]:
    """Figures of insertion-site states (already filtered: open at the date, territory)."""
    result = {name: 0 for name in INSERTION_NAMES}
    rate_occupied = rate_capacity = 0
    for row in rows:
        result["insertion_sites"] += 1
        for name in ("capacity_people", "capacity_households", "occupied_people", "occupied_households"):
            result[name] += row.get(name) or 0
        if row.get("occupied_people") is None or row.get("capacity_people") is None:
            result["insertion_sites_unknown_occupancy"] += 1
        else:
            rate_occupied += row["occupied_people"]
            rate_capacity += row["capacity_people"]
    result["occupancy_rate"] = round(rate_occupied / rate_capacity, 4) if rate_capacity else None
    return result


def label(name: str, english: bool = False) -> str:
    figure = FIGURES_BY_NAME[name]
    return figure.label_en if english else figure.label

