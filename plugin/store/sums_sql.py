"""The derived figures computed by the database, at any instant, over a territory.

The definitions are in plugin/model/sums.py (and its reference implementation
is what the tests compare these queries with). The SQL is written once; what
differs between SQLite (GeoPackage) and PostgreSQL is confined to a Dialect
object (placeholders, booleans, day of an instant, lists, map extent).
Values always travel as parameters; identifiers come from the schema only.

State at an instant t (see sums.py): current rows with updated_at ≤ t, plus
history rows with valid_from ≤ t < valid_to. Without an instant, the current
rows alone (the state now) are read.
"""
import contextlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..model import sums as model
from ..model import schema
from ..model import vocabularies as voc
from ..model.rules import quoted
from ..model.schema import Kind, history_of

SITE_COLUMNS = model.STATE_COLUMNS["sites"]
INSERTION_COLUMNS = model.STATE_COLUMNS["insertion_sites"]
SERIES_NAMES = tuple(n for n in model.FIGURE_NAMES if n != "sites_out_of_date")
# A site's first recorded version: its current row when it has no history, else its oldest history
# row (the versions follow each other: the one that ends first; of two versions of one instant, the
# one written first), found by the history's (uuid, valid_to) index.
FIRST_CURRENT = 'NOT EXISTS (SELECT 1 FROM "sites_history" AS earlier WHERE earlier."uuid" = "sites"."uuid")'
FIRST_HISTORY = ('(SELECT earlier.%s FROM "sites_history" AS earlier WHERE earlier."uuid" = later."uuid" '
                 'ORDER BY earlier."valid_to", earlier."history_id" LIMIT 1)')


def first_in_history(moment: str) -> str:
    """The history rows that are the first version of a site still in the store, changed since
    `moment`, and that begin after `moment`: two seeks in the (uuid, valid_to, valid_from) index
    per site changed since `moment`."""
    return ('"history_id" IN (SELECT first_id FROM (SELECT %s AS first_id, %s AS first_from FROM '
            '"sites" AS later WHERE later."updated_at" > %s) AS firsts WHERE first_from > %s)'
            % (FIRST_HISTORY % '"history_id"', FIRST_HISTORY % '"valid_from"', moment, moment))


@dataclass(frozen=True)
class Territory:
    """Where to count: every criterion given must hold (None = no restriction).

    bbox is (xmin, ymin, xmax, ymax) in WGS 84 (EPSG:4326, the storage CRS)."""
    departement: Optional[str] = None
    insee_code: Optional[str] = None
    uuids: Optional[Sequence[str]] = None
    bbox: Optional[Tuple[float, float, float, float]] = None


EVERYWHERE = Territory()


class SqliteDialect:
    """GeoPackage: ISO text instants, booleans 0/1, the R-tree of the geometry column."""

    name = "sqlite"

    @staticmethod
    def run(connection, sql: str, parameters: Dict[str, object]) -> Tuple[List[str], List[tuple]]:
        cursor = connection.execute(sql, parameters)
        return [d[0] for d in cursor.description], cursor.fetchall()

    @staticmethod
    def param(name: str) -> str:
        return ":" + name

    @staticmethod
    def is_true(column: str) -> str:
        return "%s = 1" % quoted(column)

    @staticmethod
    def is_not_true(column: str) -> str:
        return "coalesce(%s, 0) <> 1" % quoted(column)

    @staticmethod
    def instant(param: str) -> str:
        return param

    @staticmethod
    def day(column: str) -> str:
        return "substr(%s, 1, 10)" % quoted(column)

    @staticmethod
    def month(column: str) -> str:
        return "substr(%s, 1, 7)" % quoted(column)

    @staticmethod
    def in_list(column: str, param: str) -> Tuple[str, object]:
        """(condition, how to pass the list): one parameter, a JSON array."""
        return "%s IN (SELECT value FROM json_each(%s))" % (quoted(column), param), json.dumps

    @staticmethod
    def bbox_current(table: str, p) -> str:
        return ('"fid" IN (SELECT id FROM "rtree_%s_geom" WHERE minx <= %s AND maxx >= %s '
                'AND miny <= %s AND maxy >= %s)' % (table, p("xmax"), p("xmin"), p("ymax"), p("ymin")))

    @staticmethod
    def bbox_version(p) -> str:
        # History rows have no spatial index: read their envelope (SQL functions of gpkg_functions).
        return ('ST_MinX("geom") <= %s AND ST_MaxX("geom") >= %s AND ST_MinY("geom") <= %s '
                'AND ST_MaxY("geom") >= %s' % (p("xmax"), p("xmin"), p("ymax"), p("ymin")))


SQLITE = SqliteDialect()


class PostgresDialect:
    """PostGIS: timestamptz instants (compared in UTC), real booleans, the GiST index of geom."""

    name = "postgres"

    @staticmethod
    def run(connection, sql: str, parameters: Dict[str, object]) -> Tuple[List[str], List[tuple]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return [d[0] for d in cursor.description], cursor.fetchall()

    @staticmethod
    def param(name: str) -> str:
        return "%%(%s)s" % name

    @staticmethod
    def is_true(column: str) -> str:
        return "%s IS TRUE" % quoted(column)

    @staticmethod
    def is_not_true(column: str) -> str:
        return "%s IS NOT TRUE" % quoted(column)

    @staticmethod
    def instant(param: str) -> str:
        return "CAST(%s AS timestamptz)" % param

    @staticmethod
    def day(column: str) -> str:
        if schema.table("sites").field(column).kind is Kind.DATE:
            return "to_char(%s, 'YYYY-MM-DD')" % quoted(column)
        return "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD')" % quoted(column)

    @staticmethod
    def month(column: str) -> str:
        return "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM')" % quoted(column)

    @staticmethod
    def in_list(column: str, param: str) -> Tuple[str, object]:
        return "%s = ANY(%s)" % (quoted(column), param), list

    @staticmethod
    def bbox_current(table: str, p) -> str:
        # ST_MakeEnvelope would swap an inverted extent; like the R-tree, it then holds nothing.
        return ('"geom" && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND %s <= %s AND %s <= %s' % (
            p("xmin"), p("ymin"), p("xmax"), p("ymax"), p("xmin"), p("xmax"), p("ymin"), p("ymax")))

    @staticmethod
    def bbox_version(p) -> str:
        return PostgresDialect.bbox_current("", p)


POSTGRES = PostgresDialect()


def dialect_of(connection):
    if isinstance(connection, sqlite3.Connection):
        return SQLITE
    if type(connection).__module__.startswith("psycopg2"):
        return POSTGRES
    raise TypeError("not a store connection: %r" % type(connection))


@contextlib.contextmanager
def connection_of(source) -> Iterator[sqlite3.Connection]:
    """A store (opened and closed here) or an open connection (left open)."""
    if hasattr(source, "connect"):
        connection = source.connect()
        try:
            yield connection
        finally:
            connection.close()
    else:
        yield source


class Query:
    """Builds one statement and its parameters."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.parameters: Dict[str, object] = {}

    def bind(self, name: str, value) -> str:
        self.parameters[name] = value
        return self.dialect.param(name)

    def territory(self, territory: Territory, table: str, current: bool) -> List[str]:
        conditions = []
        if territory.departement is not None:
            conditions.append('"departement" = %s' % self.bind("departement", territory.departement))
        if territory.insee_code is not None:
            conditions.append('"insee_code" = %s' % self.bind("insee_code", territory.insee_code))
        if territory.uuids is not None:
            condition, encode = self.dialect.in_list("uuid", self.dialect.param("uuids"))
            self.parameters["uuids"] = encode(list(territory.uuids))
            conditions.append(condition)
        if territory.bbox is not None:
            for name, value in zip(("xmin", "ymin", "xmax", "ymax"), territory.bbox):
                self.bind(name, float(value))
            conditions.append(self.dialect.bbox_current(table, self.dialect.param) if current
                              else self.dialect.bbox_version(self.dialect.param))
        return conditions

    def state(self, table: str, columns: Sequence[str], at: Optional[str], territory: Territory,
              side: str = "") -> str:
        """SELECT of the versions valid at `at` (the current rows when `at` is None); for sites,
        with the states reconstructed before their first version (see model). `side` tells apart
        the parameters of two states in one statement."""
        column_list = ", ".join(quoted(c) for c in columns)
        current = self.territory(territory, table, current=True)
        if at is None:
            return "SELECT %s FROM %s%s" % (column_list, quoted(table), where(current))
        moment = self.dialect.instant(self.bind("at" + side, at))
        current.append('("updated_at" IS NULL OR "updated_at" <= %s)' % moment)
        past = ['"valid_to" > %s' % moment, '("valid_from" IS NULL OR "valid_from" <= %s)' % moment]
        past += self.territory(territory, table, current=False)
        sql = "SELECT %s FROM %s%s\nUNION ALL\nSELECT %s FROM %s%s" % (
            column_list, quoted(table), where(current), column_list, quoted(history_of(table)), where(past))
        if table == "sites":
            sql += "\nUNION ALL\n" + self.reconstructed(columns, at, territory, side)
        return sql

    def reconstructed(self, columns: Sequence[str], at: str, territory: Territory, side: str) -> str:
        """The sites' first versions (current rows without history, or their oldest history row)
        that begin after `at`, as reconstructed at `at` from their dates (model.reconstructed)."""
        d = self.dialect
        moment = d.instant(self.dialect.param("at" + side))
        day = self.bind("at_day" + side, model.day_of(at))
        status = ("CASE WHEN \"closed_at\" IS NOT NULL AND %s > %s THEN 'open' ELSE \"status\" END AS \"status\""
                  % (d.day("closed_at"), day))
        column_list = ", ".join(status if c == "status" else quoted(c) for c in columns)
        installed = "coalesce(%s, %s) <= %s" % (d.day("built_at"), d.day("declared_at"), day)
        history = quoted(history_of("sites"))
        first_current = ['"updated_at" > %s' % moment, installed, FIRST_CURRENT]
        first_current += self.territory(territory, "sites", current=True)
        first_past = ['"valid_from" > %s' % moment, installed, first_in_history(moment)]
        first_past += self.territory(territory, "sites", current=False)
        return "SELECT %s FROM \"sites\"%s\nUNION ALL\nSELECT %s FROM %s%s" % (
            column_list, where(first_current), column_list, history, where(first_past))

    def reconstructed_series(self, values: str, end: str, territory: Territory) -> str:
        """The monthly_series' rows of the reconstructed past: each first version counts, open, from
        its installation month to the month its recorded versions begin or it closed (then it
        counts no more), and at `end` itself when both are after `end`."""
        d = self.dialect
        moment = d.instant(self.dialect.param("end"))
        last_day = self.bind("end_day", model.day_of(end))
        installed = "coalesce(%s, %s)" % (d.day("built_at"), d.day("declared_at"))
        branches = []
        first_end = d.instant(self.dialect.param("first_end"))
        for table, begins, first in (("sites", "updated_at", FIRST_CURRENT),
                                     (history_of("sites"), "valid_from", first_in_history(first_end))):
            closing_month = "substr(%s, 1, 7)" % d.day("closed_at")
            stops = ("CASE WHEN %s > %s AND (\"closed_at\" IS NULL OR %s > %s) THEN NULL "
                     "WHEN \"closed_at\" IS NULL OR %s > %s THEN %s ELSE %s END" % (
                         quoted(begins), moment, d.day("closed_at"), last_day,
                         closing_month, d.month(begins), d.month(begins), closing_month))
            conditions = [first, "%s <= %s" % (installed, last_day),
                          "(\"closed_at\" IS NOT NULL OR \"status\" = 'open')"]
            conditions += self.territory(territory, "sites", current=table == "sites")
            branches.append("SELECT substr(%s, 1, 7), %s, %s FROM %s%s GROUP BY 1, 2" % (
                installed, stops, values, quoted(table), where(conditions)))
        return "\nUNION ALL\n".join(branches)

    def statuses(self, statuses: Optional[Sequence[str]]) -> List[str]:
        if statuses is None:
            return []
        return ['"status" IN (%s)' % ", ".join(self.bind("status%d" % i, s) for i, s in enumerate(statuses))]

    def figure_columns(self, at: str, out_of_date_months: int) -> List[str]:
        threshold = self.dialect.instant(self.bind("threshold", model.months_before(at, out_of_date_months)))
        expressions = figure_expressions(self.dialect)
        expressions["sites_out_of_date"] = (
            'coalesce(sum(CASE WHEN "updated_at" >= %s OR "confirmed_at" >= %s THEN 0 ELSE 1 END), 0)'
            % (threshold, threshold))
        return ["%s AS %s" % (expressions[name], name) for name in model.FIGURE_NAMES]

    def closed_between(self, start: str, end: str) -> str:
        """The site's state is closed with a closing day in (start's day, end's day]."""
        d = self.dialect
        first, last = self.bind("first_day", model.day_of(start)), self.bind("last_day", model.day_of(end))
        return ('"status" <> \'open\' AND "closed_at" IS NOT NULL AND %s > %s AND %s <= %s'
                % (d.day("closed_at"), first, d.day("closed_at"), last))

    def movements(self, start: str, end: str, territory: Territory, by: Optional[str]) -> str:
        """One row per group: the movements between the states at start and at end (model.movements)."""
        d = self.dialect
        key = group_expression(by) or "NULL"
        first, last = self.bind("first_day", model.day_of(start)), self.bind("last_day", model.day_of(end))
        before = self.state("sites", SITE_COLUMNS, start, territory, side="_start")
        after = self.state("sites", SITE_COLUMNS, end, territory, side="_end")
        opening = "coalesce(%s, %s, %s)" % (d.day("built_at"), d.day("declared_at"), d.day("created_at"))
        passed = "%s AND %s > %s AND %s <= %s" % (self.closed_between(start, end), opening, first, opening, last)
        is_open = "CASE WHEN \"status\" = 'open' THEN 1 ELSE 0 END"
        sides = (
            "SELECT \"uuid\", %s AS group_key, %s AS was_open, 0 AS is_open, 0 AS present, 0 AS passed, "
            "0 AS resorbed, \"population_total\" AS population_start, NULL AS population_end FROM (%s) AS before\n"
            "UNION ALL\nSELECT \"uuid\", %s, 0, %s, 1, CASE WHEN %s THEN 1 ELSE 0 END, "
            "CASE WHEN \"status\" <> 'open' AND \"closed_with_solutions\" = 'yes' THEN 1 ELSE 0 END, "
            "NULL, \"population_total\" FROM (%s) AS after" % (key, is_open, before, key, is_open, passed, after))
        per_site = ("SELECT group_key, max(was_open) AS was_open, max(is_open) AS is_open, max(present) AS present, "
                    "max(passed) AS passed, max(resorbed) AS resorbed, max(population_start) AS population_start, "
                    "max(population_end) AS population_end FROM (%s) AS sides GROUP BY \"uuid\", group_key" % sides)
        # passed: opened and closed within the window, by the dates of its state at end.
        opened = "was_open = 0 AND (is_open = 1 OR passed = 1)"
        closed = "(was_open = 1 AND is_open = 0) OR (was_open = 0 AND passed = 1)"
        last_population = "coalesce(CASE WHEN present = 1 THEN population_end ELSE population_start END, 0)"
        columns = {
            "opened": "CASE WHEN %s THEN 1 ELSE 0 END" % opened,
            "closed": "CASE WHEN %s THEN 1 ELSE 0 END" % closed,
            "resorbed": "CASE WHEN (%s) AND resorbed = 1 THEN 1 ELSE 0 END" % closed,
            "population_opened": "CASE WHEN %s THEN coalesce(population_end, 0) ELSE 0 END" % opened,
            "population_closed": "CASE WHEN %s THEN %s ELSE 0 END" % (closed, last_population),
            "population_resorbed": "CASE WHEN (%s) AND resorbed = 1 THEN %s ELSE 0 END" % (closed, last_population),
            "population_variation": (
                "CASE WHEN was_open = 1 AND is_open = 1 THEN coalesce(population_end, 0) - coalesce(population_start, 0) "
                "WHEN was_open = 1 THEN %s - coalesce(population_start, 0) ELSE 0 END" % last_population),
        }
        return "SELECT group_key, %s FROM (%s) AS per_site GROUP BY group_key" % (
            ", ".join("coalesce(sum(%s), 0) AS %s" % (columns[name], name) for name in model.BETWEEN_NAMES),
            per_site)


def where(conditions: Sequence[str]) -> str:
    return (" WHERE " + " AND ".join(conditions)) if conditions else ""


def group_expression(by: Optional[str]) -> Optional[str]:
    if by is None:
        return None
    if by not in model.GROUPING_NAMES:
        raise ValueError("unknown grouping: %s" % by)
    if by == "size_band":
        bands = " ".join('WHEN "population_total" < %d THEN \'%s\'' % (limit, band)
                         for limit, band in model.SIZE_BAND_LIMITS)
        return "CASE WHEN \"population_total\" IS NULL THEN 'unknown' %s ELSE '100_plus' END" % bands
    return quoted(by)


def _aggregate(connection, state_query, columns: List[str], by: Optional[str], conditions: List[str],
               query: Query) -> Tuple[Dict[str, int], List[Tuple[object, Dict[str, int]]]]:
    """The figures of the whole set, and per group when `by` is given, in one statement."""
    key = group_expression(by)
    select = ", ".join(columns)
    if key is None:
        sql = "SELECT %s FROM (%s) AS state%s" % (select, state_query, where(conditions))
        names, rows = query.dialect.run(connection, sql, query.parameters)
        return dict(zip(names, rows[0])), []
    sql = "SELECT %s AS group_key, %s FROM (%s) AS state%s GROUP BY %s" % (
        key, select, state_query, where(conditions), key)
    names, rows = query.dialect.run(connection, sql, query.parameters)
    groups = [(row[0], dict(zip(names[1:], row[1:]))) for row in rows]
    groups.sort(key=lambda item: model.sort_key(item[0], by))
    total = {name: sum(figures[name] for _, figures in groups) for name in names[1:]}
    return total, groups


@dataclass
class Sums:
    at: str
    total: Dict[str, int]
    groups: List[Tuple[object, Dict[str, int]]]


def site_sums(source, at: Optional[str] = None, territory: Territory = EVERYWHERE, by: Optional[str] = None,
              statuses: Optional[Sequence[str]] = (model.OPEN,),
              out_of_date_months: int = model.DEFAULT_OUT_OF_DATE_MONTHS) -> Sums:
    """The figures of the sites at instant `at` (None: now, from the current rows), over
    `territory`, for the sites whose status at `at` is in `statuses` (None: every status),
    split by `by` (a name of model.GROUPING_NAMES) when given."""
    moment = at or model.now_instant()
    with connection_of(source) as connection:
        query = Query(dialect_of(connection))
        state = query.state("sites", SITE_COLUMNS, at, territory)
        columns = query.figure_columns(moment, out_of_date_months)
        total, groups = _aggregate(connection, state, columns, by, query.statuses(statuses), query)
    return Sums(moment, total, groups)


def changes_between(source, start: str, end: str, territory: Territory = EVERYWHERE,
                    by: Optional[str] = None) -> Sums:
    """opened, closed, resorbed, population_opened/closed/resorbed/variation between the states
    at `start` and at `end` (see model.movements), in one statement."""
    def per_group(connection, grouping):
        query = Query(dialect_of(connection))
        names, rows = query.dialect.run(connection, query.movements(start, end, territory, grouping),
                                        query.parameters)
        found = [(row[0], {name: int(value) for name, value in zip(names[1:], row[1:])}) for row in rows]
        return sorted(found, key=lambda item: model.sort_key(item[0], grouping))

    with connection_of(source) as connection:
        # A site whose group changed (its size band, its commune) moved out of one group and into
        # another: the total is counted over the territory, not summed over the groups.
        whole = per_group(connection, None)
        groups = per_group(connection, by) if by is not None else []
    total = whole[0][1] if whole else {name: 0 for name in model.BETWEEN_NAMES}
    return Sums(end, total, groups)


def compare(source, at: str, other: str, territory: Territory = EVERYWHERE, by: Optional[str] = None,
            statuses: Optional[Sequence[str]] = (model.OPEN,),
            out_of_date_months: int = model.DEFAULT_OUT_OF_DATE_MONTHS) -> Dict[str, object]:
    """The figures at `at` and at `other`, their difference (at − other) and the movements
    between the earlier and the later of the two dates.

    Returns {"at", "compare", "total": block, "groups": [block + "key"]}, where a block is the
    figures at `at`, plus opened/closed/resorbed/population_closed/population_resorbed, plus
    "at_compare": the figures at `other`, and "change": at − other, figure by figure."""
    start, end = sorted((at, other))
    with connection_of(source) as connection:
        now = site_sums(connection, at, territory, by, statuses, out_of_date_months)
        then = site_sums(connection, other, territory, by, statuses, out_of_date_months)
        moves = changes_between(connection, start, end, territory, by)

    def block(figures, before, movements):
        result = dict(figures)
        result.update(movements)
        result["at_compare"] = dict(before)
        result["change"] = model.change(figures, before)
        return result

    zero = {name: 0 for name in model.FIGURE_NAMES}
    no_moves = {name: 0 for name in model.BETWEEN_NAMES}
    keys = sorted({k for k, _ in now.groups} | {k for k, _ in then.groups} | {k for k, _ in moves.groups},
                  key=lambda key: model.sort_key(key, by))
    by_key = [dict(s.groups) for s in (now, then, moves)]
    groups = [dict(key=key, **block(by_key[0].get(key, zero), by_key[1].get(key, zero), by_key[2].get(key, no_moves)))
              for key in keys]
    return {"at": now.at, "compare": then.at, "total": block(now.total, then.total, moves.total),
            "groups": groups}


def reconstructed_before(source, territory: Territory = EVERYWHERE) -> Optional[str]:
    """The instant before which figures are (partly) reconstructed: the first record of a site
    installed before it was recorded (model.reconstructed); None when no figure is."""
    with connection_of(source) as connection:
        query = Query(dialect_of(connection))
        d = query.dialect
        conditions = query.territory(territory, "sites", current=True)
        conditions.append("coalesce(%s, %s) < %s" % (d.day("built_at"), d.day("declared_at"), d.day("created_at")))
        first = d.run(connection, 'SELECT min("created_at") FROM "sites"%s' % where(conditions),
                      query.parameters)[1][0][0]
    if first is None or isinstance(first, str):
        return first
    return model.format_instant(first)


def insertion_sums(source, at: Optional[str] = None, territory: Territory = EVERYWHERE) -> Dict[str, object]:
    """Open insertion sites at `at`: capacity, occupation, occupancy rate (see model.insertion_figures)."""
    with connection_of(source) as connection:
        query = Query(dialect_of(connection))
        state = query.state("insertion_sites", INSERTION_COLUMNS, at, territory)
        both_known = '"occupied_people" IS NOT NULL AND "capacity_people" IS NOT NULL'
        sql = ("SELECT count(*), coalesce(sum(capacity_people), 0), coalesce(sum(capacity_households), 0), "
               "coalesce(sum(occupied_people), 0), coalesce(sum(occupied_households), 0), "
               "coalesce(sum(CASE WHEN %s THEN 0 ELSE 1 END), 0), "
               "coalesce(sum(CASE WHEN %s THEN occupied_people END), 0), "
               "coalesce(sum(CASE WHEN %s THEN capacity_people END), 0) FROM (%s) AS state%s" % (
                   both_known, both_known, both_known, state, where(query.statuses((model.OPEN,)))))
        row = query.dialect.run(connection, sql, query.parameters)[1][0]
    result = dict(zip(("insertion_sites", "capacity_people", "capacity_households", "occupied_people",
                       "occupied_households", "insertion_sites_unknown_occupancy"), row[:6]))
    result["occupancy_rate"] = round(row[6] / row[7], 4) if row[7] else None
    return {name: result[name] for name in model.INSERTION_NAMES}


def figure_expressions(d) -> Dict[str, str]:
    """The aggregate of each figure over a group of site states (but sites_out_of_date, which
    depends on the date: see Query.figure_columns)."""
    result = {"sites": "count(*)"}
    for name, unknown in model.SUMMED.items():
        result[name] = "coalesce(sum(%s), 0)" % quoted(name)
        result[unknown] = "coalesce(sum(CASE WHEN %s IS NULL THEN 1 ELSE 0 END), 0)" % quoted(name)
    known_origin = " OR ".join(d.is_true(c) for c in model.ORIGINS)
    result["sites_unknown_origin"] = "coalesce(sum(CASE WHEN %s THEN 0 ELSE 1 END), 0)" % known_origin
    result["sites_eu_only_10_plus"] = (
        'coalesce(sum(CASE WHEN "population_total" >= 10 AND %s AND %s AND %s THEN 1 ELSE 0 END), 0)' % (
            d.is_true("origin_european"), d.is_not_true("origin_french"), d.is_not_true("origin_extra_eu")))
    return result


def monthly_series(source, end: Optional[str] = None, months: int = 24, territory: Territory = EVERYWHERE,
                   names: Sequence[str] = SERIES_NAMES) -> List[Dict[str, object]]:
    """The figures `names` (of SERIES_NAMES) of open sites at the end of each of the `months`
    months up to `end` (its last point is `end` itself), oldest first: [{"at": instant, figure: value…}].
    Asking for fewer figures is faster (the chart needs sites and population_total).

    One pass over the versions: a version of an open site counts at every month end from the
    month it begins to the month before it ends; the versions are summed per (first month,
    end month) pair in SQL and spread over the months here. sites_out_of_date depends on the
    date itself and is not in the series."""
    end = end or model.now_instant()
    ends = model.month_ends(end, months)
    with connection_of(source) as connection:
        d = dialect_of(connection)
        query = Query(d)
        moment = d.instant(query.bind("end", end))
        first = d.instant(query.bind("first_end", ends[0]))
        unknown_name = [name for name in names if name not in SERIES_NAMES]
        if unknown_name:
            raise ValueError("not a series figure: %s" % unknown_name)
        expressions = figure_expressions(d)
        values = ", ".join(expressions[name] for name in names)
        is_open = "\"status\" = 'open'"
        current = [is_open, '("updated_at" IS NULL OR "updated_at" <= %s)' % moment]
        current += query.territory(territory, "sites", current=True)
        # Versions over before the first month end count nowhere.
        past = [is_open, '"valid_to" > %s' % first, '("valid_from" IS NULL OR "valid_from" <= %s)' % moment]
        past += query.territory(territory, "sites", current=False)
        ends_month = 'CASE WHEN "valid_to" <= %s THEN %s END' % (moment, d.month("valid_to"))
        sql = ("SELECT %s, NULL, %s FROM \"sites\"%s GROUP BY 1\nUNION ALL\n"
               "SELECT %s, %s, %s FROM %s%s GROUP BY 1, 2\nUNION ALL\n%s" % (
                   d.month("updated_at"), values, where(current),
                   d.month("valid_from"), ends_month, values, quoted(history_of("sites")), where(past),
                   query.reconstructed_series(values, end, territory)))
        rows = d.run(connection, sql, query.parameters)[1]
    series = []
    for instant in ends:
        month = instant[:7]
        point = dict.fromkeys(names, 0)
        for starts, stops, *figures in rows:
            if (starts or "") <= month and (stops is None or stops > month):
                for name, value in zip(names, figures):
                    point[name] += value
        series.append(dict(at=instant, **point))
    return series


def outcomes_between(source, start: str, end: str, territory: Territory = EVERYWHERE) -> Dict[str, object]:
    """Where the people of the sites closed in (start's day, end's day] went, by closing solution
    (the rows of site_closing_outcomes), and the closed sites whose outcomes were not recorded.

    Returns {"start", "end", "outcomes": [{"solution", "sites", "people", "households",
    "people_unknown", "households_unknown"}], "not_recorded": {"sites", "population_total"}}."""
    with connection_of(source) as connection:
        query = Query(dialect_of(connection))
        state = query.state("sites", SITE_COLUMNS, end, territory)
        closed = "SELECT \"uuid\", \"population_total\" FROM (%s) AS state WHERE %s" % (
            state, query.closed_between(start, end))
        names, rows = query.dialect.run(connection, (
            'SELECT o."solution", count(DISTINCT closed."uuid") AS sites, coalesce(sum(o."people"), 0) AS people, '
            'coalesce(sum(o."households"), 0) AS households, '
            'coalesce(sum(CASE WHEN o."people" IS NULL THEN 1 ELSE 0 END), 0) AS people_unknown, '
            'coalesce(sum(CASE WHEN o."households" IS NULL THEN 1 ELSE 0 END), 0) AS households_unknown '
            'FROM (%s) AS closed JOIN "site_closing_outcomes" o ON o."site_uuid" = closed."uuid" '
            'GROUP BY o."solution"' % closed), query.parameters)
        outcomes = sorted((dict(zip(names, row)) for row in rows),
                          key=lambda item: voc.CLOSING_SOLUTION.codes.index(item["solution"]))
        _, rows = query.dialect.run(connection, (
            'SELECT count(*), coalesce(sum(closed."population_total"), 0) FROM (%s) AS closed WHERE NOT EXISTS '
            '(SELECT 1 FROM "site_closing_outcomes" o WHERE o."site_uuid" = closed."uuid")' % closed),
            query.parameters)
    return {"start": start, "end": end, "outcomes": outcomes,
            "not_recorded": {"sites": rows[0][0], "population_total": rows[0][1]}}
