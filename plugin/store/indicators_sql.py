"""Dispositifs, their indicator values and finances read and written in either store.

The SQL is written once with named parameters; sums_sql's dialects say how each
store spells them. Sums themselves are in plugin/model/indicators.py.
"""
import contextlib
import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..model import indicators as model
from ..model.rules import quoted
from ..model.schema import history_of
from . import gpkg
from .base import StoreError
from .sums_sql import SQLITE, connection_of, dialect_of

__all__ = ["connection_of"]


def _run(connection, sql: str, parameters: Optional[Dict[str, object]] = None) -> List[tuple]:
    dialect = dialect_of(connection)
    text = sql.replace("{p:", "\x00")
    if "\x00" in text:
        parts = text.split("\x00")
        rebuilt = [parts[0]]
        for part in parts[1:]:
            name, rest = part.split("}", 1)
            rebuilt.append(dialect.param(name) + rest)
        text = "".join(rebuilt)
    return dialect.run(connection, text, parameters or {})[1] if text.lstrip().upper().startswith(
        ("SELECT", "WITH")) else _execute(connection, text, parameters or {})


def _execute(connection, sql: str, parameters) -> List[tuple]:
    if dialect_of(connection) is SQLITE:
        connection.execute(sql, parameters)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
    return []


@contextlib.contextmanager
def transaction(connection) -> Iterator[object]:
    """One transaction on either store: everything or nothing."""
    if dialect_of(connection) is SQLITE:
        with gpkg.transaction(connection):
            yield connection
    else:
        with connection:
            yield connection


def _in(dialect, column: str, name: str, values: Sequence[str], parameters: Dict[str, object]) -> str:
    condition, convert = dialect.in_list(column, dialect.param(name))
    parameters[name] = convert(list(values))
    return condition


# --- reading ----------------------------------------------------------------------------

def definitions(connection, departement: Optional[str] = None) -> List[model.Definition]:
    """The core indicators and the local ones (of `departement` when given), core first."""
    rows = _run(connection, 'SELECT "uuid", "code", "label", "label_en", "topic", "unit", '
                            'coalesce("kind", \'stock\'), "scope", "local_departement" '
                            'FROM "indicator_definitions" WHERE {p:departement} IS NULL OR "scope" = \'core\' '
                            'OR "local_departement" = {p:departement} '
                            'ORDER BY "scope", "fid"', {"departement": departement})
    return [model.Definition(*row) for row in rows]


def _day_text(value) -> Optional[str]:
    return None if value is None else str(value)[:10]


def actions(connection, departement: Optional[str] = None, topic: Optional[str] = None,
            at: Optional[str] = None, uuids: Optional[Sequence[str]] = None) -> List[model.Action]:
    """Dispositifs with their topics and operators (names), filtered; by name."""
    dialect = dialect_of(connection)
    parameters: Dict[str, object] = {"departement": departement, "at": at, "topic": topic}
    conditions = ["({p:departement} IS NULL OR a.\"departement\" = {p:departement})"]
    if topic:
        conditions.append('EXISTS (SELECT 1 FROM "action_topics" t WHERE t."action_uuid" = a."uuid" '
                          'AND t."topic" = {p:topic})')
    if at:
        conditions.append('a."started_at" <= {p:at} AND (a."ended_at" IS NULL OR a."ended_at" >= {p:at})')
        if dialect is not SQLITE:
            conditions[-1] = conditions[-1].replace("{p:at}", "CAST({p:at} AS date)")
    if uuids is not None:
        conditions.append(_in(dialect, "uuid", "uuids", uuids, parameters).replace('"uuid"', 'a."uuid"'))
    rows = _run(connection, 'SELECT a."uuid", a."name", a."departement", a."started_at", a."ended_at", '
                            'o."name", a."reporting_frequency" FROM "actions" a LEFT JOIN "organisations" o ON o."uuid" = a."values_entered_by" '
                            'WHERE %s ORDER BY a."name", a."uuid"' % " AND ".join(conditions), parameters)
    if not rows:
        return []
    wanted = [row[0] for row in rows]
    topics: Dict[str, List[str]] = {}
    operators: Dict[str, List[str]] = {}
    listed: Dict[str, object] = {}
    condition = _in(dialect, "action_uuid", "wanted", wanted, listed)
    for action_uuid, code in _run(connection, 'SELECT "action_uuid", "topic" FROM "action_topics" WHERE %s '
                                              'ORDER BY "topic"' % condition, listed):
        topics.setdefault(action_uuid, []).append(code)
    for action_uuid, name in _run(connection, 'SELECT ao."action_uuid", o."name" FROM "action_organisations" ao '
                                              'JOIN "organisations" o ON o."uuid" = ao."organisation_uuid" '
                                              'WHERE ao.%s AND ao."role" = \'operator\' ORDER BY o."name"'
                                              % condition, listed):
        operators.setdefault(action_uuid, []).append(name)
    return [model.Action(uuid, name, dep, _day_text(start), _day_text(end), tuple(topics.get(uuid, ())),
                         tuple(operators.get(uuid, ())), entered_by, frequency)
            for uuid, name, dep, start, end, entered_by, frequency in rows]


def values(connection, action_uuids: Optional[Sequence[str]] = None, first: Optional[str] = None,
           last: Optional[str] = None) -> List[model.Value]:
    """(dispositif, code, month, value) of the values in [first, last] (months, inclusive)."""
    parameters: Dict[str, object] = {"first": first, "last": last}
    conditions = ["({p:first} IS NULL OR v.\"period\" >= {p:first})", "({p:last} IS NULL OR v.\"period\" <= {p:last})"]
    if action_uuids is not None:
        conditions.append("v." + _in(dialect_of(connection), "action_uuid", "actions", action_uuids, parameters))
    rows = _run(connection, 'SELECT v."action_uuid", d."code", v."period", v."value" FROM "indicator_values" v '
                            'JOIN "indicator_definitions" d ON d."uuid" = v."indicator_uuid" WHERE %s'
                            % " AND ".join(conditions), parameters)
    return [model.Value(*row) for row in rows]


@dataclass(frozen=True)
class Cell:
    """One stored value of the monthly grid, with what tells whether it changed since."""
    uuid: str
    value: Optional[int]
    row_version: int
    updated_at: Optional[str]
    updated_by: Optional[str]


def grid(connection, action_uuid: str) -> Dict[Tuple[str, str], Cell]:
    """{(code, month): Cell} of one dispositif."""
    rows = _run(connection, 'SELECT d."code", v."period", v."uuid", v."value", v."row_version", v."updated_at", '
                            'v."updated_by" FROM "indicator_values" v JOIN "indicator_definitions" d '
                            'ON d."uuid" = v."indicator_uuid" WHERE v."action_uuid" = {p:action}',
                {"action": action_uuid})
    return {(code, period): Cell(uuid, value, version, None if at is None else str(at), by)
            for code, period, uuid, value, version, at, by in rows}


def finances(connection, action_uuids: Optional[Sequence[str]] = None) -> List[model.Finance]:
    parameters: Dict[str, object] = {}
    condition = "1 = 1"
    if action_uuids is not None:
        condition = _in(dialect_of(connection), "action_uuid", "actions", action_uuids, parameters)
    rows = _run(connection, 'SELECT "action_uuid", "year", "finance_type", "amount", "real_amount" '
                            'FROM "action_finances" WHERE %s ORDER BY "year", "finance_type"' % condition, parameters)
    return [model.Finance(*row) for row in rows]


def organisations(connection, action_uuid: str) -> List[Tuple[str, str, str]]:
    """(uuid, name, role) of a dispositif's organisations."""
    return _run(connection, 'SELECT o."uuid", o."name", ao."role" FROM "action_organisations" ao '
                            'JOIN "organisations" o ON o."uuid" = ao."organisation_uuid" '
                            'WHERE ao."action_uuid" = {p:action} ORDER BY ao."role" DESC, o."name"',
                {"action": action_uuid})


# --- writing ----------------------------------------------------------------------------

def save_month_values(connection, action_uuid: str, changes: Mapping[Tuple[str, str], Optional[int]],
                      login: str, reason: Optional[str] = None,
                      expected: Optional[Mapping[Tuple[str, str], Optional[int]]] = None) -> int:
    """Write {(code, month): value} for one dispositif in one transaction; None deletes a value.
    `expected` ({(code, month): row_version or None for no row}) refuses the whole write when a
    value changed in the store meanwhile. Returns how many rows were written."""
    if not login or not login.strip():
        raise StoreError("Identifiant de connexion manquant : il signe chaque modification.",
                         "Login missing: it signs every change.")
    uuids = {d.code: d.uuid for d in definitions(connection)}
    unknown = sorted({code for code, _month in changes if code not in uuids})
    if unknown:
        raise StoreError("Indicateur inconnu : %s" % ", ".join(unknown), "Unknown indicator: %s" % ", ".join(unknown))
    written = 0
    history = quoted(history_of("indicator_values"))
    with transaction(connection):
        first_history = _run(connection, 'SELECT coalesce(max("history_id"), 0) FROM %s' % history)[0][0]
        current = grid(connection, action_uuid)
        if expected is not None:
            moved = [key for key, version in expected.items()
                     if (current[key].row_version if key in current else None) != version]
            if moved:
                raise StoreError(
                    "%d valeur(s) ont changé dans le stockage depuis la lecture (ex. %s %s) : rien n'a été écrit."
                    % (len(moved), moved[0][0], moved[0][1]),
                    "%d value(s) changed in the store since they were read (e.g. %s %s): nothing was written."
                    % (len(moved), moved[0][0], moved[0][1]))
        months = sorted({month for _code, month in changes})
        for month in months:
            olds = {code: (current[(code, m)].value if (code, m) in current else None, value)
                    for (code, m), value in changes.items() if m == month}
            for code in model.write_order(olds):
                old, new = olds[code]
                cell = current.get((code, month))
                if cell is not None and new == old:
                    continue
                if cell is None and new is None:
                    continue
                if cell is None:
                    _run(connection, 'INSERT INTO "indicator_values" ("action_uuid", "indicator_uuid", "period", '
                                     '"value", "created_by", "updated_by") VALUES ({p:action}, {p:indicator}, '
                                     '{p:period}, {p:value}, {p:login}, {p:login})',
                         {"action": action_uuid, "indicator": uuids[code], "period": month, "value": new,
                          "login": login})
                elif new is None:
                    _set_deleting_login(connection, login)
                    _run(connection, 'DELETE FROM "indicator_values" WHERE "uuid" = {p:uuid}', {"uuid": cell.uuid})
                else:
                    _run(connection, 'UPDATE "indicator_values" SET "value" = {p:value}, '
                                     '"row_version" = "row_version" + 1, "updated_by" = {p:login} '
                                     'WHERE "uuid" = {p:uuid}', {"value": new, "login": login, "uuid": cell.uuid})
                written += 1
        if reason and written:
            _run(connection, 'UPDATE %s SET "reason" = {p:reason} WHERE "history_id" > {p:first}' % history,
                 {"reason": reason, "first": first_history})
    return written


def _set_deleting_login(connection, login: str) -> None:
    """Deletions are signed by the login the store knows for this transaction."""
    if dialect_of(connection) is not SQLITE:
        _run(connection, "SELECT set_config('app.user', {p:login}, true)", {"login": login})


def add_local_indicator(connection, code: str, label: str, departement: str, kind: str = "stock",
                        topic: Optional[str] = None, unit: Optional[str] = None, login: str = "",
                        label_en: Optional[str] = None) -> None:
    """A département's own indicator; its rules are the store's (code unique, département given)."""
    with transaction(connection):
        _run(connection, 'INSERT INTO "indicator_definitions" ("code", "label", "label_en", "topic", "unit", "scope", '
                         '"kind", "local_departement", "created_by", "updated_by") VALUES ({p:code}, {p:label}, '
                         '{p:label_en}, {p:topic}, {p:unit}, \'local\', {p:kind}, {p:departement}, {p:login}, '
                         '{p:login})',
             {"code": code, "label": label, "label_en": label_en, "topic": topic, "unit": unit, "kind": kind,
              "departement": departement, "login": login or None})


# PostgreSQL's classes of a refused write: a constraint (23), a trigger's RAISE (P0), a row or column the
# login may not write (42501). Any other error is not a rule speaking (a lost connection, a damaged file).
REFUSING_SQLSTATES = ("23", "P0", "42501")


def refused_by_store(error: Exception) -> bool:
    """Whether `error` is a rule of the store (SQLite's or PostgreSQL's) refusing a write, to be said."""
    if isinstance(error, sqlite3.IntegrityError):
        return True
    code = getattr(error, "pgcode", None) if type(error).__module__.split(".")[0] == "psycopg2" else None
    return bool(code) and code.startswith(REFUSING_SQLSTATES)


def entered_months(connection, action_uuids: Optional[Sequence[str]] = None, first: Optional[str] = None,
                   last: Optional[str] = None) -> Dict[str, List[str]]:
    """{dispositif: the months (of [first, last]) it has at least one value for}."""
    parameters: Dict[str, object] = {"first": first, "last": last}
    # Only the bounds given, written as plain comparisons: the unique index (action, period, …) is
    # then searched for the period rather than read whole.
    conditions = ['"period" >= {p:first}'] if first is not None else []
    if last is not None:
        conditions.append('"period" <= {p:last}')
    if action_uuids is not None:
        conditions.append(_in(dialect_of(connection), "action_uuid", "actions", action_uuids, parameters))
    found: Dict[str, List[str]] = {}
    for action_uuid, period in _run(connection, 'SELECT DISTINCT "action_uuid", "period" FROM "indicator_values" '
                                                'WHERE %s' % (" AND ".join(conditions) or "1 = 1"), parameters):
        found.setdefault(action_uuid, []).append(period)
    return found


def _month(text: Optional[str], default: str) -> str:
    if text is None:
        return default
    if not model.is_month(text):
        raise StoreError("Un mois s'écrit AAAA-MM (ex. 2026-03) : « %s »" % text,
                         "A month is written YYYY-MM (e.g. 2026-03): “%s”" % text)
    return text


def indicator_sums(source, action: Optional[str] = None, departement: Optional[str] = None,
                   first: Optional[str] = None, last: Optional[str] = None, by: Optional[str] = None,
                   today: Optional[dt.date] = None) -> Dict[str, object]:
    """The indicators of the dispositifs of `departement` (or one `action`) summed from `first` to
    `last` (months; by default the twelve months up to last month), grouped `by`
    (model.sum_indicators)."""
    last = _month(last, model.previous_month(today or dt.date.today()))
    first = _month(first, model.add_months(last, -11))
    if first > last:
        raise StoreError("La période commence après sa fin (%s > %s)." % (first, last),
                         "The period starts after its end (%s > %s)." % (first, last))
    with connection_of(source) as connection:
        found = actions(connection, departement=departement, uuids=[action] if action else None)
        known = definitions(connection)
        uuids = [a.uuid for a in found]
        if by in ("month", "quarter", "year"):
            return model.sum_indicators(known, found, values(connection, uuids, first, last), first, last, by)
        summed, months = aggregates(connection, uuids, first, last)
    return model.sum_aggregates(known, found, summed, months, first, last, by)


# The months a dispositif entered are read in the same pass as a bit mask, one bit a month: a 64-bit
# integer holds 62 months without touching its sign; longer periods read them apart.
MASKED_MONTHS = 62


def aggregates(connection, action_uuids: Sequence[str], first: str,
               last: str) -> Tuple[List[model.Aggregate], Dict[str, List[str]]]:
    """Per dispositif and indicator, the known values of [first, last] summed by the store: their sum,
    the latest month and its value; and per dispositif the months it entered (entered_months). One
    pass over the period's values, nothing else read."""
    dialect = dialect_of(connection)
    months = model.month_range(first, last)
    base = _month_index(first)
    parameters: Dict[str, object] = {"first": first, "last": last, "base": base}
    condition = _in(dialect, "action_uuid", "actions", action_uuids, parameters)
    known = 'v."value" IS NOT NULL'
    # SQLite gives a bare column the value of the row where max() is found; PostgreSQL orders an array.
    if dialect is SQLITE:
        latest = 'max(CASE WHEN %s THEN v."period" END), v."value"' % known
    else:
        latest = ('max(v."period") FILTER (WHERE %s), (array_agg(v."value" ORDER BY v."period" DESC) '
                  'FILTER (WHERE %s))[1]' % (known, known))
    mask = ('sum(CAST(1 AS BIGINT) << (CAST(substr(v."period", 1, 4) AS INTEGER) * 12 '
            '+ CAST(substr(v."period", 6, 2) AS INTEGER) - 1 - {p:base}))'
            if len(months) <= MASKED_MONTHS else "0")
    codes = {d.uuid: d.code for d in definitions(connection)}
    # The indicators listed too, so that the covering index (action, indicator, period, value) is
    # searched for the period of each pair rather than read over all its months.
    indicators = _in(dialect, "indicator_uuid", "indicators", list(codes), parameters)
    rows = _run(connection, 'SELECT v."action_uuid", v."indicator_uuid", sum(v."value"), %s, %s '
                            'FROM "indicator_values" v WHERE v.%s AND v.%s AND v."period" >= {p:first} '
                            'AND v."period" <= {p:last} GROUP BY v."action_uuid", v."indicator_uuid"'
                % (latest, mask, condition, indicators), parameters)
    summed = [model.Aggregate(action, codes[indicator], int(total), period, value)
              for action, indicator, total, period, value, _mask in rows if total is not None]
    if len(months) > MASKED_MONTHS:
        return summed, entered_months(connection, action_uuids, first, last)
    masks: Dict[str, int] = {}
    for action, _indicator, _total, _period, _value, bits in rows:
        masks[action] = masks.get(action, 0) | int(bits)
    return summed, {action: [month for index, month in enumerate(months) if bits >> index & 1]
                    for action, bits in masks.items()}


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1
