"""What a COPIL page says: its title, the table of figures, the monthly series, the footer.

Gathered from the sums engine (plugin/store/sums_sql.py) and formatted in
French, with no Qt and no QGIS: the layout code (copil.py) only places these
texts, so the PDF's figures are the engine's by construction, and the tests
read them back from the PDF with the same formatting.
"""
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..demo.calibration import DEPARTEMENT_NAMES
from ..model import figure_text
from ..model import sums as model
from ..model import vocabularies as voc
from ..model.territories import normalise_departement
from ..store import sums_sql
from ..store.base import StoreError

PAPERS = ("A4", "A3")
ATLASES = ("commune", "site")
DEFAULT_COMPARE_MONTHS = 12
SERIES_MONTHS = 24
CONFIDENTIAL = "Document de travail – ne pas diffuser"
COMMUNES_SOURCE = "communes : INSEE (code officiel géographique), contours IGN simplifiés"
NBSP = "\u00a0"
MINUS = "\u2212"
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

# The rows of the table, as declared (model.sums: the figures shown on the COPIL): figures of
# the open sites at both dates, with their change, each count of unknowns right under its figure;
# the movements between the two dates (one value: over the period); the insertion sites.
SITE_ROWS = tuple(f.name for f in model.shown_in(model.COPIL, model.FIGURES))
MOVEMENT_ROWS = tuple(f.name for f in model.shown_in(model.COPIL, model.BETWEEN_FIGURES))
INSERTION_ROWS = tuple(f.name for f in model.shown_in(model.COPIL, model.INSERTION_FIGURES))
UNKNOWNS_LABEL = "↳ dont sites non renseignés"
OUTCOMES_TITLE = "Où sont allées les personnes des sites fermés sur la période"
RECONSTRUCTED_NOTE = "chiffres antérieurs au %s reconstitués à partir des dates d'installation"


def row_label(name: str) -> str:
    if name in model.UNKNOWN_COUNTS:
        return UNKNOWNS_LABEL
    return model.FIGURES_BY_NAME[name].short_label() if name == "sites" else model.label(name)


@dataclass(frozen=True)
class Request:
    """A COPIL map to make: where (a département, optionally some of its communes), when, how."""
    departement: str
    communes: Tuple[str, ...] = ()
    at: Optional[str] = None          # instant (sums.parse_instant); None: now
    compare: Optional[str] = None     # instant; None: DEFAULT_COMPARE_MONTHS before `at`
    paper: str = "A4"
    atlas: Optional[str] = None       # None, "commune" or "site"
    dispositifs: bool = False         # add the « Dispositifs » page (copil_dispositifs.py)

    def checked(self) -> "Request":
        """This request validated, with `at` and `compare` filled in; StoreError when it is wrong."""
        departement = normalise_departement(self.departement)
        if departement is None:
            raise StoreError("Département inconnu : « %s » (ex. 93, 2A, 974)" % self.departement,
                             "Unknown département: “%s” (e.g. 93, 2A, 974)" % self.departement)
        communes = tuple(sorted({c.strip().upper() for c in self.communes if c.strip()}))
        wrong = [c for c in communes if not _INSEE.match(c) or departement_of_insee(c) != departement]
        if wrong:
            raise StoreError("Communes hors du département %s : %s" % (departement, ", ".join(wrong)),
                             "Municipalities outside département %s: %s" % (departement, ", ".join(wrong)))
        if self.paper not in PAPERS:
            raise StoreError("Format inconnu : %s (A4 ou A3)" % self.paper,
                             "Unknown format: %s (A4 or A3)" % self.paper)
        if self.atlas not in (None,) + ATLASES:
            raise StoreError("Atlas inconnu : %s (commune ou site)" % self.atlas,
                             "Unknown atlas: %s (commune or site)" % self.atlas)
        at = self.at or model.now_instant()
        compare = self.compare or model.months_before(at, DEFAULT_COMPARE_MONTHS)
        if compare >= at:
            raise StoreError("La date de comparaison (%s) doit précéder la date de la carte (%s)."
                             % (french_date(compare), french_date(at)),
                             "The comparison date (%s) must come before the map's date (%s)."
                             % (french_date(compare), french_date(at)))
        return replace(self, departement=departement, communes=communes, at=at, compare=compare)


def departement_of_insee(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def departement_label(code: str) -> str:
    """'de la Seine-Saint-Denis (93)': the département's name as it follows "Sites … "."""
    return "%s (%s)" % (DEPARTEMENT_NAMES.get(code, "du %s" % code), code)


def departement_name(code: str) -> str:
    """'Seine-Saint-Denis': the name without its article, for lists."""
    text = DEPARTEMENT_NAMES.get(code, code)
    for article in ("de la ", "de l'", "du ", "des ", "d'", "de "):
        if text.startswith(article):
            return text[len(article):]
    return text


# --- formatting (French) -------------------------------------------------------------------------

def french_date(instant: str) -> str:
    return "%s/%s/%s" % (instant[8:10], instant[5:7], instant[0:4])


def count(value: Optional[int]) -> str:
    """A count; an unknown one is « n.c. », never 0."""
    return figure_text.number(value)


def signed(value: Optional[int]) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return ("+" if value > 0 else MINUS) + count(abs(value))


def rate(value: Optional[float]) -> str:
    return "–" if value is None else "%d%s%%" % (round(100 * value), NBSP)


def rate_change(now: Optional[float], before: Optional[float]) -> str:
    if now is None or before is None:
        return "–"
    points = round(100 * now) - round(100 * before)
    return signed(points) + NBSP + "pt"


# --- the figures ---------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    at: str = ""
    compare: str = ""
    change: str = ""
    section: bool = False   # a heading row spanning the table


@dataclass
class Figures:
    """The figures of one territory (a département, some communes, one commune) at both dates."""
    total: Dict[str, object]           # sums_sql.compare()'s "total" block
    insertion_at: Dict[str, object]
    insertion_compare: Dict[str, object]

    def rows(self, at: str, compare: str) -> List[Row]:
        rows = []
        for name in SITE_ROWS:
            now = figure_text.known_value(self.total, name)
            before = figure_text.known_value(self.total["at_compare"], name)
            change = now - before if now is not None and before is not None else None
            rows.append(Row(row_label(name), count(now), count(before), signed(change)))
        rows.append(Row("Entre les deux dates", section=True))
        for name in MOVEMENT_ROWS:
            rows.append(Row(row_label(name), change=count(self.total[name])))
        rows.append(Row("Terrains d'insertion", section=True))
        for name in INSERTION_ROWS:
            now, before = self.insertion_at[name], self.insertion_compare[name]
            if name == "occupancy_rate":
                rows.append(Row(row_label(name), rate(now), rate(before), rate_change(now, before)))
            else:
                rows.append(Row(row_label(name), count(now), count(before), signed(now - before)))
        return rows


def counted(value: Optional[int], noun: str) -> str:
    """« 1 personne », « 12 personnes », « n.c. personnes »."""
    return "%s %s%s" % (count(value), noun, "" if value in (0, 1) else "s")


def outcomes_text(outcomes: Dict[str, object]) -> str:
    """Where the people of the sites closed in the period went (outcomes_between), as lines:
    people and households by solution, the closed sites with no outcome, the share of unknown."""
    lines = [OUTCOMES_TITLE]
    known_people = unknown_people = 0
    for outcome in outcomes["outcomes"]:
        solution = outcome["solution"]
        people = None if outcome["people_unknown"] and not outcome["people"] else outcome["people"]
        households = None if outcome["households_unknown"] and not outcome["households"] else outcome["households"]
        lines.append("%s : %s, %s (%s)" % (
            voc.CLOSING_SOLUTION.label(solution), counted(people, "personne"), counted(households, "ménage"),
            counted(outcome["sites"], "site")))
        if solution == "unknown":
            unknown_people += outcome["people"]
        else:
            known_people += outcome["people"]
    missing = outcomes["not_recorded"]
    if missing["sites"]:
        lines.append("Devenir non renseigné : %s fermé%s (%s)" % (
            counted(missing["sites"], "site"), "s" if missing["sites"] > 1 else "",
            counted(missing["population_total"], "personne")))
        unknown_people += missing["population_total"]
    if known_people + unknown_people:
        lines.append("Part des personnes au devenir inconnu : %s" % rate(
            unknown_people / (known_people + unknown_people)))
    else:
        lines.append("Aucune personne d'un site fermé sur la période.")
    return "\n".join(lines)


def header(at: str, compare: str) -> Row:
    return Row("", french_date(at), french_date(compare), "Évolution")


def add_blocks(blocks: Sequence[Dict]) -> Dict[str, object]:
    """The sum of compare() blocks of disjoint territories (every figure is a count or a sum)."""
    total: Dict[str, object] = {}
    for block in blocks:
        for name, value in block.items():
            if name == "key":
                continue
            if isinstance(value, dict):
                inner = total.setdefault(name, {})
                for key, number in value.items():
                    inner[key] = inner.get(key, 0) + number
            else:
                total[name] = total.get(name, 0) + value
    return total


def zero_block() -> Dict[str, object]:
    block: Dict[str, object] = {name: 0 for name in model.FIGURE_NAMES + model.BETWEEN_NAMES}
    block["at_compare"] = {name: 0 for name in model.FIGURE_NAMES}
    block["change"] = {name: 0 for name in model.FIGURE_NAMES}
    return block


def territory_figures(connection, request: Request, communes: Sequence[str] = (),
                      by_commune: Optional[Dict[str, Dict]] = None) -> Figures:
    """The figures of the département, or of the given communes of it (summed commune by commune;
    `by_commune`: commune_blocks() when already computed)."""
    if not communes:
        place = sums_sql.Territory(request.departement)
        total = sums_sql.compare(connection, request.at, request.compare, place)["total"]
        return Figures(total, sums_sql.insertion_sums(connection, request.at, place),
                       sums_sql.insertion_sums(connection, request.compare, place))
    if by_commune is None:
        by_commune = commune_blocks(connection, request)
    total = add_blocks([by_commune.get(c, zero_block()) for c in communes])
    place = sums_sql.Territory(request.departement, uuids=insertion_uuids(connection, communes))
    return Figures(total, sums_sql.insertion_sums(connection, request.at, place),
                   sums_sql.insertion_sums(connection, request.compare, place))


def commune_blocks(connection, request: Request) -> Dict[str, Dict]:
    """compare() blocks of each commune of the département: {insee: block}."""
    result = sums_sql.compare(connection, request.at, request.compare, sums_sql.Territory(request.departement),
                              by="insee_code")
    return {group["key"]: group for group in result["groups"] if group["key"] is not None}


def insertion_uuids(connection, communes: Sequence[str]) -> List[str]:
    """Insertion sites that lie, or lay, in these communes (current rows and history)."""
    dialect = sums_sql.dialect_of(connection)
    condition, encode = dialect.in_list("insee_code", dialect.param("communes"))
    sql = ('SELECT "uuid" FROM "insertion_sites" WHERE %s UNION '
           'SELECT "uuid" FROM "insertion_sites_history" WHERE %s' % (condition, condition))
    _, rows = dialect.run(connection, sql, {"communes": encode(list(communes))})
    return [row[0] for row in rows]


def communes_with_sites(connection, request: Request) -> List[str]:
    """INSEE codes of the communes that have an open site at the map's date (the commune atlas)."""
    blocks = commune_blocks(connection, request)
    chosen = set(request.communes) if request.communes else None
    return sorted(insee for insee, block in blocks.items()
                  if block["sites"] > 0 and (chosen is None or insee in chosen))


# --- the page ------------------------------------------------------------------------------------

@dataclass
class Content:
    request: Request
    territory: str                  # "de la Seine-Saint-Denis (93)" or "– Bobigny, Bondy (93)"
    title: str
    subtitle: str
    header: Row
    rows: List[Row]
    series: List[Dict[str, object]]
    footer: str                     # sources and extraction (CONFIDENTIAL is printed beside it)
    figures: Figures
    commune_names: Dict[str, str] = field(default_factory=dict)
    outcomes: str = ""              # outcomes_text(): where the people of the closed sites went
    note: str = ""                  # RECONSTRUCTED_NOTE when the page shows reconstructed figures


def extraction_stamp(moment: Optional[datetime] = None) -> str:
    moment = (moment or datetime.now(timezone.utc)).astimezone()
    return moment.strftime("%d/%m/%Y à %H:%M")


def footer(store_location: str, stamp: str) -> str:
    return ("Sources : Résorption SIG, stockage « %s » (sites, terrains d'insertion) ; %s.\n"
            "Extraction le %s." % (Path(store_location).stem, COMMUNES_SOURCE, stamp))


def title_of(territory: str) -> str:
    return "Sites et terrains d'insertion %s" % territory


def subtitle_of(at: str, compare: str) -> str:
    return "Situation au %s, comparée au %s – sites ouverts à la date" % (french_date(at), french_date(compare))


def commune_territory(names: Sequence[str], departement: str) -> str:
    shown = ", ".join(names[:4]) + (" et %d autres" % (len(names) - 4) if len(names) > 4 else "")
    return "– %s (%s)" % (shown, departement)


def gather(store, request: Request, commune_names: Optional[Dict[str, str]] = None,
           stamp: Optional[str] = None) -> Content:
    """Everything the COPIL page says, for a checked request (Request.checked())."""
    names = commune_names or {}
    with sums_sql.connection_of(store) as connection:
        figures = territory_figures(connection, request, request.communes)
        places = [sums_sql.Territory(request.departement, c) for c in request.communes] or [
            sums_sql.Territory(request.departement)]
        series = add_series([sums_sql.monthly_series(connection, request.at, SERIES_MONTHS, place)
                             for place in places])
        outcomes = add_outcomes([sums_sql.outcomes_between(connection, request.compare, request.at, place)
                                 for place in places])
        note = reconstructed_note(connection, request)
    if request.communes:
        territory = commune_territory([names.get(c, c) for c in request.communes], request.departement)
    else:
        territory = departement_label(request.departement)
    return Content(request, territory, title_of(territory), subtitle_of(request.at, request.compare),
                   header(request.at, request.compare), figures.rows(request.at, request.compare), series,
                   footer(store.location, stamp or extraction_stamp()), figures, names, outcomes_text(outcomes),
                   note)


def reconstructed_note(connection, request: Request) -> str:
    """The note of a page whose dates (the comparison, the chart's first month) precede the first
    records of sites installed before them (their figures are reconstructed)."""
    before = sums_sql.reconstructed_before(connection, sums_sql.Territory(request.departement))
    earliest = min(request.compare, model.month_ends(request.at, SERIES_MONTHS)[0])
    return RECONSTRUCTED_NOTE % french_date(before) if before is not None and earliest < before else ""


def add_outcomes(outcomes_list: Sequence[Dict[str, object]]) -> Dict[str, object]:
    """The sum of outcomes_between() of disjoint territories."""
    by_solution: Dict[str, Dict[str, object]] = {}
    not_recorded = {"sites": 0, "population_total": 0}
    for outcomes in outcomes_list:
        for outcome in outcomes["outcomes"]:
            total = by_solution.setdefault(outcome["solution"], dict.fromkeys(outcome, 0))
            for name, value in outcome.items():
                total[name] = value if name == "solution" else total[name] + value
        for name in not_recorded:
            not_recorded[name] += outcomes["not_recorded"][name]
    ordered = sorted(by_solution.values(), key=lambda item: voc.CLOSING_SOLUTION.codes.index(item["solution"]))
    return {"outcomes": ordered, "not_recorded": not_recorded}


def add_series(series_list: Sequence[List[Dict[str, object]]]) -> List[Dict[str, object]]:
    result = [dict(point) for point in series_list[0]]
    for series in series_list[1:]:
        for point, other in zip(result, series):
            for name, value in other.items():
                if name != "at":
                    point[name] += value
    return result

