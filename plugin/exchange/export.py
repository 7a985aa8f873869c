"""Export of a store to an .xlsx workbook, at any date, over a département.

Sheets: "Sites existants" (the sites open at the date) and "Sites fermés" (the
others, with where their people went), as in the national platform's two
exports: sections above French headers, labels rather than codes, real dates, a
totals row of SUBTOTAL formulas under the counts (a filter changes them; the open
sheet's totals are the Synthèse's); "Terrains d'insertion", "Dispositifs",
"Synthèse" (the derived figures of plugin/store/sums_sql.py, as declared in
model/sums.py) and "Modifications" (what changed between two dates, from the
history tables).

`export_workbook` is what a QgsTask runs: it reports progress through a
callback, stops when asked to, and never leaves a partial file.
"""
import contextlib
import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..model import figure_text
from ..model import spreadsheet as columns_model
from ..model import sums as sums_model
from ..model import vocabularies as voc
from ..model.schema import ACTIONS, DEPARTEMENT_REGEX, INSERTION_SITES, SITES, Kind
from ..model.spreadsheet import (ACTION_TOPICS_KEY, LATITUDE, LONGITUDE, Column,
                                 sections_of, store_timestamp)
from ..store import sums_sql
from ..store.base import StoreError
from ..store.gpkg_functions import envelope
from ..store.sqlite_ddl import GEOMETRY_COLUMN
from . import export_dispositifs
from .outputs import check_not_an_input
from .xlsx_writer import Formula, Sheet, Style, Workbook

SITES_SHEET = "Sites existants"
CLOSED_SITES_SHEET = "Sites fermés"
OPEN_CONDITION = "\"status\" = 'open'"
NOT_OPEN_CONDITION = "\"status\" IS NOT 'open'"
OUTCOMES_SECTION = "Orientation des personnes"
OUTCOME_KEY = "@outcome_%s_%s"
INSERTION_SITES_SHEET = "Terrains d'insertion"
ACTIONS_SHEET = "Dispositifs"
SUMMARY_SHEET = "Synthèse"
CHANGES_SHEET = "Modifications"
FOOTER = "Document de travail – ne pas diffuser"
HEADER_ROW = 2          # row 1: sections; row 2: column titles
FIRST_DATA_ROW = 3
PROGRESS_EVERY = 2000

ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]


class ExportCancelled(StoreError):
    def __init__(self):
        super().__init__("Export annulé : aucun fichier écrit.", "Export cancelled: no file written.")


@dataclass
class ExportResult:
    path: str
    at: Optional[str]                      # the instant exported (None: the current state)
    since: str                             # the start of the "Modifications" window
    rows: Dict[str, int] = field(default_factory=dict)       # sheet → data rows
    site_totals: Dict[str, int] = field(default_factory=dict)  # field → total of the open sites' totals row

    @property
    def sites(self) -> int:
        """Sites written, open and closed."""
        return self.rows.get(SITES_SHEET, 0) + self.rows.get(CLOSED_SITES_SHEET, 0)


def _day(instant: Optional[str]) -> str:
    moment = instant or sums_model.now_instant()
    return "%s/%s/%s" % (moment[8:10], moment[5:7], moment[0:4])


def _date_of(instant: Optional[str]) -> datetime.date:
    return datetime.date.fromisoformat((instant or sums_model.now_instant())[:10])


@lru_cache(maxsize=8192)
def _date(text: str):
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return text


def _converter(column: Column) -> Optional[Callable]:
    """A fast store value → cell value function for one column (None: the value as it is)."""
    kind = column.kind
    if kind is Kind.ENUM:
        labels = {term.code: term.label for term in column.vocabulary.terms}
        return lambda value: labels.get(value, value)
    if kind is Kind.BOOLEAN:
        return lambda value: None if value is None else (columns_model.YES if value else columns_model.NO)
    if kind is Kind.DATE:
        return lambda value: None if not value else _date(value)
    if kind is Kind.DATETIME:
        return lambda value: None if not value else (store_timestamp(value) or value)
    if kind is Kind.TEXT:
        return lambda value: value if value != "" else None
    return None


def _style(column: Column) -> Optional[int]:
    if column.kind is Kind.DATE:
        return Style.DATE
    if column.kind is Kind.DATETIME:
        return Style.DATETIME
    if column.kind is Kind.INTEGER and column.summable:
        return Style.INTEGER
    return None


def point_of(blob) -> Tuple[Optional[float], Optional[float]]:
    """(longitude, latitude) of a stored point geometry."""
    box = envelope(blob) if blob else None
    if box is None:
        return None, None
    return box[0], box[2]


class _Progress:
    def __init__(self, callback: Optional[ProgressCallback], cancelled: Optional[CancelCheck], total: int):
        self.callback = callback
        self.cancelled = cancelled
        self.total = max(total, 1)
        self.done = 0

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.cancelled is not None and self.cancelled():
            raise ExportCancelled()
        if self.callback is not None:
            self.callback(min(100.0, 100.0 * self.done / self.total))


def _check_departement(departement: Optional[str]) -> None:
    if departement is not None and not re.match(DEPARTEMENT_REGEX, departement):
        raise StoreError("Département invalide : « %s » (ex. 93, 2A, 974)" % departement,
                         "Invalid département: “%s” (e.g. 93, 2A, 974)" % departement)


def _instant(at: Optional[str]) -> Optional[str]:
    if at is None:
        return None
    try:
        return sums_model.parse_instant(at)
    except sums_model.InvalidDate as error:
        raise StoreError(error.message, error.message_en) from None


def export_workbook(store, path: str, at: Optional[str] = None, departement: Optional[str] = None,
                    include_justice: bool = False, since: Optional[str] = None,
                    progress: Optional[ProgressCallback] = None,
                    is_cancelled: Optional[CancelCheck] = None) -> ExportResult:
    """Write the workbook of `store` at `at` (a date 'YYYY-MM-DD' = the end of that day, or an
    instant; None = now) over `departement` (None = everywhere) to `path`.

    The justice group ("Procédures") and the owner's identity are written only with
    include_justice. "Modifications" covers (since, at], since defaulting to one month before.
    `progress(percent)` is called as rows are written; when `is_cancelled()` turns true the
    export stops with ExportCancelled and no file is left."""
    _check_departement(departement)
    check_not_an_input(str(path), store.location)
    moment = _instant(at)
    end = moment or sums_model.now_instant()
    start = _instant(since) if since else sums_model.months_before(end, 1)
    if start >= end:
        raise StoreError("La date de début des modifications doit précéder la date de l'export.",
                         "The start of the changes must come before the date of the export.")
    territory = sums_sql.Territory(departement=departement)
    result = ExportResult(str(path), moment, start)
    try:
        _write_workbook(store, str(path), result, moment, start, end, departement, territory, include_justice,
                        progress, is_cancelled)
    except OSError as error:
        raise StoreError("Impossible d'écrire %s : %s (dossier protégé, ou fichier ouvert dans Excel ?)"
                         % (path, error.strerror or error),
                         "Cannot write %s: %s (protected folder, or file open in Excel?)"
                         % (path, error.strerror or error)) from error
    return result


def _write_workbook(store, path: str, result: ExportResult, moment: Optional[str], start: str, end: str,
                    departement: Optional[str], territory: sums_sql.Territory, include_justice: bool,
                    progress: Optional[ProgressCallback], is_cancelled: Optional[CancelCheck]) -> None:
    with contextlib.closing(store.connect()) as connection:
        counts = {table: _count(connection, table, moment, territory)
                  for table in (SITES.name, INSERTION_SITES.name, ACTIONS.name)}
        tracker = _Progress(progress, is_cancelled, sum(counts.values()) + 10)
        with Workbook(path) as book:
            site_columns = columns_model.site_columns(include_justice)
            result.rows[SITES_SHEET], result.site_totals = _write_table(
                book.add_sheet(SITES_SHEET, [c.width for c in site_columns], freeze=(HEADER_ROW, 2)),
                connection, SITES.name, site_columns, moment, territory, tracker,
                order='"departement", "city_name", "name", "uuid"', condition=OPEN_CONDITION)
            closed_columns = site_columns + outcome_columns()
            result.rows[CLOSED_SITES_SHEET], _ = _write_table(
                book.add_sheet(CLOSED_SITES_SHEET, [c.width for c in closed_columns], freeze=(HEADER_ROW, 2)),
                connection, SITES.name, closed_columns, moment, territory, tracker,
                order='"departement", "city_name", "name", "uuid"', condition=NOT_OPEN_CONDITION,
                extras=_outcomes_by_site(connection))
            action_names = dict(connection.execute('SELECT "uuid", "name" FROM "actions"'))
            insertion_columns = columns_model.insertion_site_columns()
            result.rows[INSERTION_SITES_SHEET], _ = _write_table(
                book.add_sheet(INSERTION_SITES_SHEET, [c.width for c in insertion_columns],
                               freeze=(HEADER_ROW, 2)),
                connection, INSERTION_SITES.name, insertion_columns, moment, territory, tracker,
                order='"departement", "city_name", "name", "uuid"',
                replace={"action_uuid": action_names})
            action_columns = columns_model.action_columns()
            result.rows[ACTIONS_SHEET], _ = _write_table(
                book.add_sheet(ACTIONS_SHEET, [c.width for c in action_columns], freeze=(HEADER_ROW, 2)),
                connection, ACTIONS.name, action_columns, moment, territory, tracker,
                order='"departement", "name", "uuid"', topics=_topics(connection))
            _write_summary(book.add_sheet(SUMMARY_SHEET, [52, 16, 16]), connection, moment, start,
                           departement, territory)
            tracker.step(5)
            result.rows[CHANGES_SHEET] = _write_changes(
                book.add_sheet(CHANGES_SHEET, [38, 30, 22, 12, 16, 34, 24, 24], freeze=(HEADER_ROW, 0)),
                connection, site_columns, start, end, territory)
            tracker.step(5)
            result.rows.update(export_dispositifs.write_sheets(book, connection, departement))


def _state_query(connection, table: str, names: Sequence[str], moment: Optional[str],
                 territory: sums_sql.Territory) -> Tuple[str, Dict[str, object]]:
    query = sums_sql.Query(sums_sql.dialect_of(connection))
    return query.state(table, names, moment, territory), query.parameters


def _count(connection, table: str, moment, territory) -> int:
    sql, parameters = _state_query(connection, table, ["uuid"], moment, territory)
    return connection.execute("SELECT count(*) FROM (%s)" % sql, parameters).fetchone()[0]


def _topics(connection) -> Dict[str, str]:
    """Each action's topics, as their labels joined by '; '."""
    joined: Dict[str, List[str]] = {}
    order = {code: index for index, code in enumerate(voc.ACTION_TOPIC.codes)}
    for action, topic in connection.execute('SELECT "action_uuid", "topic" FROM "action_topics"'):
        joined.setdefault(action, []).append(topic)
    return {action: "; ".join(voc.ACTION_TOPIC.label(t) or t for t in sorted(topics, key=lambda t: order.get(t, 99)))
            for action, topics in joined.items()}


def outcome_columns() -> List[Column]:
    """Where the people of a closed site went: people and households per closing solution."""
    return [Column(OUTCOME_KEY % (which, term.code), "%s – %s" % (term.label, title), OUTCOMES_SECTION,
                   Kind.INTEGER, summable=True, width=12.0)
            for term in voc.CLOSING_SOLUTION.terms
            for which, title in (("people", "personnes"), ("households", "ménages"))]


def _outcomes_by_site(connection) -> Dict[str, Dict[str, object]]:
    """{column key: {site uuid: value}} of the outcome columns (site_closing_outcomes)."""
    extras: Dict[str, Dict[str, object]] = {}
    for site, solution, people, households in connection.execute(
            'SELECT "site_uuid", "solution", "people", "households" FROM "site_closing_outcomes"'):
        for which, value in (("people", people), ("households", households)):
            if value is not None:
                cells = extras.setdefault(OUTCOME_KEY % (which, solution), {})
                cells[site] = cells.get(site, 0) + value
    return extras


def _write_header(sheet: Sheet, table_columns: Sequence[Column]) -> None:
    spans = sections_of(table_columns)
    section_row = [None] * len(table_columns)
    for title, first, _ in spans:
        section_row[first] = title
    sheet.append(section_row, [Style.SECTION] * len(table_columns), height=20)
    for _, first, last in spans:
        if last > first:
            sheet.merge(1, first, 1, last)
    sheet.append([c.title for c in table_columns], [Style.HEADER] * len(table_columns), height=45)


def _write_table(sheet: Sheet, connection, table: str, table_columns: List[Column], moment, territory,
                 tracker: _Progress, order: str, replace: Optional[Dict[str, Dict]] = None,
                 topics: Optional[Dict[str, str]] = None, condition: str = "1 = 1",
                 extras: Optional[Dict[str, Dict[str, object]]] = None) -> Tuple[int, Dict[str, int]]:
    """Sections, headers, one row per feature whose state meets `condition`, the totals row
    (SUBTOTAL: a filter changes it). `extras`: {column key: {uuid: value}} of columns that are
    not fields. Returns (rows, totals)."""
    _write_header(sheet, table_columns)
    declared = {SITES.name: SITES, INSERTION_SITES.name: INSERTION_SITES, ACTIONS.name: ACTIONS}[table]
    extras = extras or {}
    names = [c.key for c in table_columns if not c.key.startswith("@")]
    has_point = declared.geometry == "POINT"
    if has_point:
        names.append(GEOMETRY_COLUMN)
    if "uuid" not in names:
        names.append("uuid")
    sql, parameters = _state_query(connection, table, names, moment, territory)
    position = {name: index for index, name in enumerate(names)}
    converters = [_converter(c) for c in table_columns]
    styles = [_style(c) for c in table_columns]
    replace = replace or {}
    getters = []
    for column in table_columns:
        if column.key == LONGITUDE:
            getters.append(("point", 0))
        elif column.key == LATITUDE:
            getters.append(("point", 1))
        elif column.key == ACTION_TOPICS_KEY:
            getters.append(("topics", position["uuid"]))
        elif column.key.startswith("@"):
            getters.append(("extra", column.key))
        else:
            getters.append(("field", position[column.key]))
    summable = [i for i, c in enumerate(table_columns) if c.summable]
    totals = [0] * len(table_columns)
    geometry_index = position.get(GEOMETRY_COLUMN)
    rows = 0
    cursor = connection.execute("SELECT * FROM (%s) WHERE %s ORDER BY %s" % (sql, condition, order), parameters)
    for record in cursor:
        point = point_of(record[geometry_index]) if has_point else None
        values = []
        for (source, index), convert, column in zip(getters, converters, table_columns):
            if source == "field":
                value = record[index]
                if column.key in replace and value is not None:
                    value = replace[column.key].get(value, value)
                elif convert is not None:
                    value = convert(value)
            elif source == "point":
                value = point[index]
            elif source == "extra":
                value = extras.get(index, {}).get(record[position["uuid"]])
            else:
                value = topics.get(record[index]) if topics else None
            values.append(value)
        for index in summable:
            value = values[index]
            if value is not None:
                totals[index] += value
        sheet.append(values, styles)
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            tracker.step(PROGRESS_EVERY)
    tracker.step(rows % PROGRESS_EVERY)
    last_data_row = FIRST_DATA_ROW + rows - 1
    if rows:
        sheet.autofilter(HEADER_ROW, 0, last_data_row, len(table_columns) - 1)
    if summable:
        total_row: List[object] = [None] * len(table_columns)
        total_styles = [Style.TOTAL_LABEL] * len(table_columns)
        total_row[0] = "Total"
        for index in summable:
            letter = sheet.letter(index)
            total_row[index] = Formula("SUBTOTAL(109,%s%d:%s%d)" % (letter, FIRST_DATA_ROW, letter,
                                                                     last_data_row), totals[index]) if rows else 0
            total_styles[index] = Style.TOTAL_INTEGER
        sheet.append(total_row, total_styles)
    return rows, {table_columns[i].key: totals[i] for i in summable}


def _write_summary(sheet: Sheet, connection, moment: Optional[str], start: str, departement: Optional[str],
                   territory: sums_sql.Territory) -> None:
    sites = sums_sql.site_sums(connection, moment, territory)
    by_departement = sums_sql.site_sums(connection, moment, territory, by="departement")
    insertion = sums_sql.insertion_sums(connection, moment, territory)
    moves = sums_sql.changes_between(connection, start, sites.at, territory)
    sheet.append(["Résorption SIG – synthèse"], [Style.TITLE], height=22)
    sheet.append(["Situation au", _date_of(moment)])
    sheet.append(["Territoire", "Département %s" % departement if departement else "Tous les départements"])
    sheet.append(["Extraction le", datetime.datetime.now().replace(microsecond=0)])
    sheet.append([])
    sheet.append(["Sites ouverts", "Valeur", "dont sites non renseignés"], [Style.HEADER] * 3)
    for figure in sums_model.shown_in(sums_model.EXCEL, sums_model.FIGURES):
        if figure.name in sums_model.UNKNOWN_COUNTS:
            continue     # in the third column of its figure
        value = figure_text.known_value(sites.total, figure.name)
        cells = [figure.label, figure_text.NOT_KNOWN if value is None else value]
        if figure.unknowns is not None:
            cells.append(sites.total[figure.unknowns])
        sheet.append(cells, [None, Style.INTEGER, Style.INTEGER])
    sheet.append([])
    sheet.append(["Du %s au %s" % (_day(start), _day(sites.at)), "Valeur"], [Style.HEADER] * 2)
    for figure in sums_model.shown_in(sums_model.EXCEL, sums_model.BETWEEN_FIGURES):
        sheet.append([figure.label, moves.total[figure.name]], [None, Style.INTEGER])
    before = sums_sql.reconstructed_before(connection, territory)
    if before is not None and start < before:
        sheet.append([content_note(before)])
    sheet.append([])
    outcomes = sums_sql.outcomes_between(connection, start, sites.at, territory)
    sheet.append(["Devenir des habitants des sites fermés", "Personnes", "Ménages", "Sites"], [Style.HEADER] * 4)
    for outcome in outcomes["outcomes"]:
        sheet.append([voc.CLOSING_SOLUTION.label(outcome["solution"]), outcome["people"], outcome["households"],
                      outcome["sites"]], [None, Style.INTEGER, Style.INTEGER, Style.INTEGER])
    sheet.append(["Sites fermés sans devenir renseigné (leurs personnes)",
                  outcomes["not_recorded"]["population_total"], None, outcomes["not_recorded"]["sites"]],
                 [None, Style.INTEGER, None, Style.INTEGER])
    sheet.append([])
    sheet.append(["Sites ouverts par département", "Sites", "Personnes"], [Style.HEADER] * 3)
    for key, figures in by_departement.groups:
        sheet.append([key or "(inconnu)", figures["sites"], figures["population_total"]],
                     [None, Style.INTEGER, Style.INTEGER])
    sheet.append([])
    sheet.append(["Terrains d'insertion ouverts", "Valeur"], [Style.HEADER] * 2)
    for figure in sums_model.shown_in(sums_model.EXCEL, sums_model.INSERTION_FIGURES):
        value = insertion[figure.name]
        sheet.append([figure.label, value], [None, Style.DECIMAL if isinstance(value, float) else Style.INTEGER])
    sheet.append([])
    sheet.append(["Une valeur inconnue n'est jamais comptée comme 0 : « n.c. » quand aucun site ne la connaît, "
                  "et les sites où elle manque sont comptés à part (dont sites non renseignés)."])
    sheet.append([FOOTER])


def content_note(before: str) -> str:
    return "Chiffres antérieurs au %s reconstitués à partir des dates d'installation." % _day(before)


CHANGE_CREATED, CHANGE_REMOVED, CHANGE_UPDATED = "Création", "Suppression ou sortie du territoire", "Modification"


def _write_changes(sheet: Sheet, connection, site_columns: Sequence[Column], start: str, end: str,
                   territory: sums_sql.Territory) -> int:
    """One row per changed field of each site between `start` and `end` (net change: the state at
    `end` compared with the state at `start`)."""
    titles = ["Identifiant", "Appellation du site", "Commune", "Département", "Changement", "Champ",
              "Avant", "Après"]
    sheet.append(["Modifications du %s au %s" % (_day(start), _day(end))] + [None] * 7,
                 [Style.SECTION] * 8, height=20)
    sheet.merge(1, 0, 1, 7)
    sheet.append(titles, [Style.HEADER] * 8)
    changed = [row[0] for row in connection.execute(
        'SELECT "uuid" FROM "sites_history" WHERE "valid_to" > ? AND "valid_to" <= ? '
        'UNION SELECT "uuid" FROM "sites" WHERE "created_at" > ? AND "created_at" <= ?', (start, end, start, end))]
    if not changed:
        return 0
    compared = [c for c in site_columns if not c.key.startswith("@") and c.key not in (
        "uuid", "updated_at", "population_updated_at", "confirmed_at")]
    names = ["uuid", "name", "city_name", "departement"] + [c.key for c in compared if c.key not in (
        "name", "city_name", "departement")]
    restricted = sums_sql.Territory(territory.departement, territory.insee_code, changed, territory.bbox)
    before = _states(connection, names, start, restricted)
    after = _states(connection, names, end, restricted)
    rows = 0
    converters = {c.key: (_converter(c) or (lambda v: v)) for c in compared}
    order = sorted(set(before) | set(after), key=lambda u: (
        (after.get(u) or before.get(u))["departement"] or "", (after.get(u) or before.get(u))["city_name"] or "",
        (after.get(u) or before.get(u))["name"] or "", u))
    for uuid in order:
        old, new = before.get(uuid), after.get(uuid)
        shown = new or old
        lead = [uuid, shown["name"], shown["city_name"], shown["departement"]]
        if old is None:
            sheet.append(lead + [CHANGE_CREATED])
            rows += 1
            continue
        if new is None:
            sheet.append(lead + [CHANGE_REMOVED])
            rows += 1
            continue
        for column in compared:
            if old[column.key] != new[column.key]:
                convert = converters[column.key]
                sheet.append(lead + [CHANGE_UPDATED, column.title, convert(old[column.key]),
                                     convert(new[column.key])],
                             [None] * 6 + [_style(column)] * 2)
                rows += 1
    return rows


def _states(connection, names: Sequence[str], moment: str, territory) -> Dict[str, Dict[str, object]]:
    sql, parameters = _state_query(connection, SITES.name, names, moment, territory)
    return {row[0]: dict(zip(names, row)) for row in connection.execute(sql, parameters)}
