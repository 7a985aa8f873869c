"""Spreadsheet columns of the data model: what an export writes, what an import reads.

Pure Python (no Qt, no store). The meaning of cells is in `cells`, the
national platform's way of writing its exports in `platform_export`; here:
the columns an import recognises (ours and the platform's) and where the
header, the data and the totals are, the report of one imported row, and the
columns of the exported sheets (sections, French headers = the schema labels).
"""
import datetime
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from . import vocabularies as voc
from .cells import (GARBLED, NO, NOT_GIVEN, YES, CellError, Note, enum_parser, looks_garbled,  # noqa: F401 (re-exported)
                    normalise_title, parse_boolean, parse_date, parse_departement, parse_insee, parse_integer,
                    parse_real, parse_text, parse_timestamp, parse_uuid, parser_for, store_text,
                    store_timestamp)
from .platform_export import (FILE_UPDATED_AT, IGNORED, LATITUDE, LONGITUDE,  # noqa: F401 (re-exported)
                              ORIGIN_FIELDS, ORIGINS, PLATFORM_LABELS, PLATFORM_SITE_TITLES, NotTaken,
                              is_not_communicated, local_to_utc, not_taken, parse_list, parse_origins,
                              platform_id_of, utc_to_local, solution_of, OUTCOME_FIGURES)
from .schema import ACTIONS, INSERTION_SITES, SITES, Field, Kind, Tab, Table

# --- columns recognised by the import -----------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    target: str
    label: str
    label_en: str
    parse: Callable
    kind: Optional[Kind] = None


# Our own export's record-keeping columns: shown, never imported.
RECORD_TITLES_IGNORED = ("row_version", "created_at", "created_by", "updated_by", "population_updated_at",
                         "confirmed_at")

# Platform columns that hold a list, one item a line.
LIST_FIELDS = ("electricity_access_types", "sanitary_toilet_types")


def _platform_parser(f: Field) -> Callable:
    if f.name in LIST_FIELDS:
        return parse_list
    if f.name in PLATFORM_LABELS:
        return enum_parser(f.vocabulary, aliases=PLATFORM_LABELS[f.name])
    return parser_for(f)


def site_import_columns() -> Dict[str, ImportColumn]:
    """Normalised title → column, for the sites sheet (ours and the platform's)."""
    columns: Dict[str, ImportColumn] = {}
    for f in SITES.fields:
        if f.name in RECORD_TITLES_IGNORED:
            target = IGNORED
        elif f.name == "updated_at":
            target = FILE_UPDATED_AT
        else:
            target = f.name
        parse = parse_timestamp if target == FILE_UPDATED_AT else parser_for(f)
        columns[normalise_title(f.label)] = ImportColumn(target, f.label, f.label_en, parse, f.kind)
    for title, target in PLATFORM_SITE_TITLES:
        if target.startswith("@"):
            label_en = {ORIGINS: "Origins", FILE_UPDATED_AT: "Site updated on"}.get(target, title)
            parse = {ORIGINS: parse_origins, FILE_UPDATED_AT: parse_timestamp}.get(target, parse_text)
            columns[normalise_title(title)] = ImportColumn(target, title, label_en, parse,
                                                           Kind.DATETIME if target == FILE_UPDATED_AT else None)
        else:
            f = SITES.field(target)
            columns[normalise_title(title)] = ImportColumn(target, title, f.label_en, _platform_parser(f), f.kind)
    columns[normalise_title("Latitude")] = ImportColumn(LATITUDE, "Latitude", "Latitude", parse_real)
    columns[normalise_title("Longitude")] = ImportColumn(LONGITUDE, "Longitude", "Longitude", parse_real)
    return columns


# --- the platform's dates: Excel serials of the UTC instant, French local dates ----------

def parse_platform_date(value, label: str, label_en: str) -> Optional[str]:
    moment = parse_timestamp(value, label, label_en)
    if moment is None:
        return None
    when = moment[0] if isinstance(value, str) else utc_to_local(moment[0])
    return when.date().isoformat()


def parse_platform_timestamp(value, label: str, label_en: str) -> Optional[Tuple[datetime.datetime, bool]]:
    """The platform's update time as a naive UTC moment, and whether it has a time of day."""
    moment = parse_timestamp(value, label, label_en)
    if moment is None or not isinstance(value, str) or not moment[1]:
        return moment
    return local_to_utc(moment[0]), True


def _in_platform_dialect(column: ImportColumn) -> ImportColumn:
    if column.kind is Kind.DATE:
        return ImportColumn(column.target, column.label, column.label_en, parse_platform_date, column.kind)
    if column.target == FILE_UPDATED_AT:
        return ImportColumn(column.target, column.label, column.label_en, parse_platform_timestamp, column.kind)
    return column


# --- the header row -------------------------------------------------------------

HEADER_SEARCH_ROWS = 30
MIN_KNOWN_TITLES = 2
OUTCOME = "@outcome"


@dataclass
class Header:
    """Where the column titles are and what each recognised column fills."""
    row_index: int                       # 0-based index of the header row in the sheet
    columns: Dict[int, ImportColumn]     # cell index → column
    notes: List[Note] = field(default_factory=list)
    unknown_titles: List[str] = field(default_factory=list)
    not_taken: List[NotTaken] = field(default_factory=list)
    # The Orientation block of the platform's closed sites: cell index → (solution, "people"|"households").
    outcomes: Dict[int, Tuple[str, str]] = field(default_factory=dict)
    address_index: Optional[int] = None

    @property
    def targets(self) -> List[str]:
        return [column.target for column in self.columns.values()]

    @property
    def is_ours(self) -> bool:
        """Our own export carries the uuid ("Identifiant"); the platform's does not."""
        return "uuid" in self.targets


def _known_count(row: Sequence[object], known: Mapping[str, ImportColumn]) -> int:
    return sum(1 for cell in row if isinstance(cell, str) and
               (normalise_title(cell) in known or not_taken(cell) is not None))


def _sections(row: Sequence[object], width: int) -> List[Optional[object]]:
    """The section of each column: merged cells keep their title in their first cell only."""
    sections, current = [], None
    for index in range(width):
        cell = row[index] if index < len(row) else None
        if cell is not None and str(cell).strip():
            current = cell
        sections.append(current)
    return sections


def find_header(rows: Sequence[Sequence[object]], known: Mapping[str, ImportColumn]) -> Optional[Header]:
    """The header among the first rows: the row with the most recognised titles (at least
    MIN_KNOWN_TITLES), whatever sits above it (section titles, a title line)."""
    best_index, best_count = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = _known_count(row, known)
        if count > best_count:
            best_index, best_count = index, count
    if best_index is None or best_count < MIN_KNOWN_TITLES:
        return None
    titles_row = rows[best_index]
    sections = _sections(rows[best_index - 1] if best_index else [], len(titles_row))
    header = Header(best_index, {})
    seen: Dict[str, str] = {}
    duplicates: List[str] = []
    left_out: Dict[int, NotTaken] = {}
    for index, cell in enumerate(titles_row):
        if cell is None or not str(cell).strip():
            continue
        title = str(cell).strip()
        key = normalise_title(title)
        solution = solution_of(sections[index])
        if solution is not None and key in OUTCOME_FIGURES:
            header.outcomes[index] = (solution, OUTCOME_FIGURES[key])
            continue
        column = known.get(key)
        if column is None:
            if not_taken(title) is not None:
                left_out[index] = not_taken(title)
            else:
                header.unknown_titles.append(title)
            continue
        if column.target == IGNORED:
            continue
        if column.target == "address":
            header.address_index = index
        target_key = column.target
        if target_key in seen:
            duplicates.append(title)
            continue
        seen[target_key] = title
        header.columns[index] = column
        if not_taken(title) is not None:
            left_out[index] = not_taken(title)
    if header.is_ours:
        left_out = {index: item for index, item in left_out.items() if index not in header.columns}
    else:
        for index in left_out:
            header.columns.pop(index, None)
        header.columns = {index: _in_platform_dialect(column) for index, column in header.columns.items()}
    for item in left_out.values():
        if item not in header.not_taken:
            header.not_taken.append(item)
    if header.unknown_titles:
        titles = ", ".join("« %s »" % t for t in header.unknown_titles)
        header.notes.append(Note("Colonnes inconnues, ignorées : %s" % titles,
                                 "Unknown columns, ignored: %s" % titles.replace("« ", "“").replace(" »", "”")))
        if looks_garbled(titles):
            header.notes.append(GARBLED)
    if duplicates:
        titles = ", ".join("« %s »" % t for t in duplicates)
        header.notes.append(Note("Colonnes en double, seule la première est lue : %s" % titles,
                                 "Duplicate columns, only the first is read: %s" % titles))
    return header


# A site row names its place in at least one of these; a row of sums in none.
IDENTITY_TARGETS = ("uuid", "name", "address", "insee_code", "city_name", "departement", LATITUDE, LONGITUDE)


def is_totals_row(cells: Sequence[object], header: Header) -> bool:
    """The totals under the data: labelled « Total », or the platform's row of sums with no label
    (empty formulas, or their values once a spreadsheet program saved the file): numbers only, and
    nothing in the columns that place a site."""
    filled = [cell for cell in cells if cell is not None and not (isinstance(cell, str) and not cell.strip())]
    if not filled:
        return False
    computed = [cell for cell in filled if cell is not NOT_GIVEN]
    if not computed:
        return True  # formulas only, never computed: the platform's row of sums as it writes it
    filled = computed
    if isinstance(filled[0], str) and normalise_title(filled[0]) == "total":
        return True
    placed = any(index < len(cells) and cells[index] not in (None, "")
                 for index, column in header.columns.items() if column.target in IDENTITY_TARGETS)
    return not placed and all(isinstance(cell, (int, float)) and not isinstance(cell, bool) for cell in filled)


# --- one imported row ------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, SKIPPED, INVALID = "create", "update", "unchanged", "skipped", "invalid"


@dataclass
class RowReport:
    """What an import does with one row of the file, and why."""
    line: int                                   # the row number shown by Excel/LibreOffice
    action: str = INVALID
    values: Dict[str, object] = field(default_factory=dict)
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    file_updated_at: Optional[Tuple[datetime.datetime, bool]] = None
    errors: List[Note] = field(default_factory=list)
    warnings: List[Note] = field(default_factory=list)
    uuid: Optional[str] = None
    name: Optional[str] = None
    changes: Dict[str, Tuple[object, object]] = field(default_factory=dict)
    # Where the people went (platform's closed sites): solution → {"people": n, "households": n};
    # None when the file has no Orientation block.
    outcomes: Optional[Dict[str, Dict[str, Optional[int]]]] = None

    def error(self, message: str, message_en: str) -> None:
        self.errors.append(Note(message, message_en))

    def warn(self, message: str, message_en: str) -> None:
        self.warnings.append(Note(message, message_en))


def is_blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _sum_known(total: Optional[int], value: Optional[int]) -> Optional[int]:
    return value if total is None else (total if value is None else total + value)


def read_row(header: Header, cells: Sequence[object], line: int, link: Optional[str] = None) -> RowReport:
    """Parse one row of cells into store values; cell problems become the row's errors.
    `link` is the hyperlink of the row's « Adresse » cell (the platform's site page)."""
    report = RowReport(line)
    values = report.values
    for index, column in header.columns.items():
        value = cells[index] if index < len(cells) else None
        if value is NOT_GIVEN:
            continue
        if is_not_communicated(value):
            value = None
        try:
            parsed = column.parse(value, column.label, column.label_en)
        except CellError as error:
            report.errors.append(error.note)
            continue
        if column.target == LATITUDE:
            report.latitude = parsed
        elif column.target == LONGITUDE:
            report.longitude = parsed
        elif column.target == ORIGINS:
            values.update(parsed)
        elif column.target == FILE_UPDATED_AT:
            report.file_updated_at = parsed
        else:
            values[column.target] = parsed
    if header.outcomes:
        report.outcomes = _read_outcomes(header, cells, report)
    if not header.is_ours:
        platform_id = platform_id_of(link)
        if platform_id is not None:
            values["platform_id"] = platform_id
        if report.file_updated_at is not None:
            values["platform_updated_at"] = store_text(report.file_updated_at[0])
    _check_point(report)
    if values.get("status") == "open" and values.get("closed_with_solutions") is not None:
        # The platform writes "Non" in "Résorbé" for every open site.
        if values["closed_with_solutions"] != "no":
            report.warn("« Site résorbé définitivement ? » ignoré : le site est ouvert",
                        "“Site permanently resorbed?” ignored: the site is open")
        values["closed_with_solutions"] = None
    report.uuid = values.get("uuid")
    report.name = values.get("name")
    return report


def _read_outcomes(header: Header, cells: Sequence[object], report: RowReport
                   ) -> Dict[str, Dict[str, Optional[int]]]:
    """The Orientation block: people and households per solution, the platform's solutions that
    share one of ours added up; a solution with no known figure is left out."""
    outcomes: Dict[str, Dict[str, Optional[int]]] = {}
    for index, (solution, figure) in header.outcomes.items():
        value = cells[index] if index < len(cells) else None
        if value is NOT_GIVEN:
            continue
        if is_not_communicated(value):
            value = None
        label = voc.CLOSING_SOLUTION.label(solution)
        label_en = voc.CLOSING_SOLUTION.label_en(solution)
        try:
            number = parse_integer(value, "Orientation %s" % label, "Orientation %s" % label_en)
        except CellError as error:
            report.errors.append(error.note)
            continue
        counts = outcomes.setdefault(solution, {"people": None, "households": None})
        counts[figure] = _sum_known(counts[figure], number)
    return {solution: counts for solution, counts in outcomes.items()
            if counts["people"] is not None or counts["households"] is not None}


def _check_point(report: RowReport) -> None:
    latitude, longitude = report.latitude, report.longitude
    if (latitude is None) != (longitude is None):
        report.error("Latitude et longitude vont ensemble : l'une manque",
                     "Latitude and longitude go together: one is missing")
    elif latitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            report.error("Coordonnées hors du globe (latitude %s, longitude %s)" % (latitude, longitude),
                         "Coordinates off the globe (latitude %s, longitude %s)" % (latitude, longitude))
        elif latitude == 0 and longitude == 0:
            report.error("Coordonnées 0, 0 : le point n'a pas été placé",
                         "Coordinates 0, 0: the point was never placed")


# --- columns written by the export ---------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One exported column: the field (or a special target), its header and its section."""
    key: str
    title: str
    section: str
    kind: Kind
    vocabulary: Optional[voc.Vocabulary] = None
    summable: bool = False
    width: float = 14.0


SITE_SECTIONS = (Tab.LOCATION, Tab.SITE, Tab.PEOPLE, Tab.LIVING, Tab.JUSTICE, Tab.CLOSING, Tab.RECORD)
RECORD_EXPORTED = ("population_updated_at", "confirmed_at", "updated_at")
# Written only with the justice group: the owner may be a private person.
JUSTICE_ONLY_FIELDS = ("owner",)


def _width(f: Field) -> float:
    if f.free_text or f.name in ("name", "address", "city_name", "closing_context"):
        return 30.0
    if f.name == "uuid":
        return 38.0
    if f.kind in (Kind.DATE, Kind.INTEGER, Kind.BOOLEAN):
        return 12.0
    if f.kind is Kind.DATETIME:
        return 17.0
    return 18.0


def _column(f: Field, section: Tab) -> Column:
    return Column(f.name, f.label, section.value, f.kind, f.vocabulary, f.is_count, _width(f))


def _table_columns(table: Table, sections: Sequence[Tab], include_justice: bool,
                   leading: Sequence[str] = ("uuid",), after: Optional[Dict[str, List[Column]]] = None
                   ) -> List[Column]:
    after = after or {}
    columns: List[Column] = []
    first_section = sections[0]
    for name in leading:
        columns.append(_column(table.field(name), first_section))
    for section in sections:
        for f in table.fields:
            if f.name in leading or f.tab is not section:
                continue
            if f.system and f.name not in RECORD_EXPORTED:
                continue
            if (f.justice or f.name in JUSTICE_ONLY_FIELDS) and not include_justice:
                continue
            columns.append(_column(f, section))
            columns.extend(after.get(f.name, ()))
    return columns


def site_columns(include_justice: bool = False) -> List[Column]:
    """The sites sheet, in the national platform's order of sections."""
    coordinates = [Column(LATITUDE, "Latitude", Tab.LOCATION.value, Kind.REAL, width=12.0),
                   Column(LONGITUDE, "Longitude", Tab.LOCATION.value, Kind.REAL, width=12.0)]
    sections = [s for s in SITE_SECTIONS if include_justice or s is not Tab.JUSTICE]
    return _table_columns(SITES, sections, include_justice, leading=("uuid", "name"),
                          after={"address_details": coordinates})


def insertion_site_columns() -> List[Column]:
    return _table_columns(INSERTION_SITES, (Tab.TERRAIN, Tab.CAPACITY, Tab.EQUIPMENT, Tab.RECORD), True,
                          leading=("uuid", "name"))


ACTION_TOPICS_KEY = "@topics"


def action_columns() -> List[Column]:
    columns = _table_columns(ACTIONS, (Tab.GENERAL, Tab.RECORD), True, leading=("uuid", "name"))
    columns.insert(len([c for c in columns if c.section == Tab.GENERAL.value]),
                   Column(ACTION_TOPICS_KEY, "Thématiques", Tab.GENERAL.value, Kind.TEXT, width=30.0))
    return columns


def sections_of(columns: Sequence[Column]) -> List[Tuple[str, int, int]]:
    """(section title, first column index, last column index), in order."""
    spans: List[Tuple[str, int, int]] = []
    for index, column in enumerate(columns):
        if spans and spans[-1][0] == column.section:
            spans[-1] = (column.section, spans[-1][1], index)
        else:
            spans.append((column.section, index, index))
    return spans
