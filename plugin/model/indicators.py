"""Dispositifs' indicators and finances summed: pure logic, no Qt, no database.

A value is one (dispositif, indicator, month, value). Over a period (first and
last month, inclusive), for a set of dispositifs:

* a flow (households who accessed housing during the month) is summed over the
  months of the period;
* a stock (households followed at month end) is read at the end of the period:
  for each dispositif, its latest month with a value within the period; the
  dispositifs' stocks are then added up;
* a month in which a dispositif was active but has no value at all is a
  missing month: counted apart, never read as 0. An indicator nobody entered is
  absent from the totals (unknown), not 0.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from . import vocabularies as voc

GROUPINGS = ("action", "topic", "operator", "departement", "month", "quarter", "year")
FINANCE_GROUPINGS = ("year", "finance_type", "action")
REPORTING_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Definition:
    uuid: str
    code: str
    label: str
    label_en: Optional[str]
    topic: Optional[str]
    unit: Optional[str]
    kind: str
    scope: str
    departement: Optional[str] = None

    @property
    def is_flow(self) -> bool:
        return self.kind == "flow"


@dataclass(frozen=True)
class Action:
    uuid: str
    name: str
    departement: str
    started_at: str
    ended_at: Optional[str]
    topics: Tuple[str, ...] = ()
    operators: Tuple[str, ...] = ()
    values_entered_by: Optional[str] = None
    reporting_frequency: Optional[str] = None

    def active_at(self, day: str) -> bool:
        return self.started_at <= day and (self.ended_at is None or day <= self.ended_at)

    def active_months(self, first: str, last: str) -> List[str]:
        """The months of [first, last] during which the dispositif ran (partly or wholly)."""
        start = max(first, self.started_at[:7])
        end = min(last, self.ended_at[:7]) if self.ended_at else last
        return month_range(start, end)

    def due_months(self, first: str, last: str) -> List[str]:
        """The active months whose values are due: every month, the last of each quarter or
        December, as the dispositif's reporting frequency says (monthly when not given)."""
        step = REPORTING_STEP.get(self.reporting_frequency or "monthly", 1)
        return [m for m in self.active_months(first, last) if int(m[5:7]) % step == 0]


class Value:
    __slots__ = ("action_uuid", "code", "period", "value")

    def __init__(self, action_uuid: str, code: str, period: str, value: Optional[int]):
        self.action_uuid = action_uuid
        self.code = code
        self.period = period
        self.value = value


@dataclass
class Sums:
    """What a set of dispositifs adds up to over a period."""
    total: Dict[str, int] = field(default_factory=dict)
    missing_months: int = 0

    def as_json(self) -> Dict[str, object]:
        return {"total": dict(sorted(self.total.items())), "missing_months": self.missing_months}


# --- months ---------------------------------------------------------------------

def add_months(period: str, count: int) -> str:
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 + count
    return "%04d-%02d" % (index // 12, index % 12 + 1)


def month_range(first: str, last: str) -> List[str]:
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    end = int(last[:4]) * 12 + int(last[5:7]) - 1
    return ["%04d-%02d" % (index // 12, index % 12 + 1) for index in range(start, end + 1)]


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def previous_month(today: dt.date) -> str:
    return add_months(month_of(today), -1)


def is_month(text: Optional[str]) -> bool:
    if not text or len(text) != 7 or text[4] != "-":
        return False
    year, month = text[:4], text[5:]
    return year.isdigit() and month.isdigit() and 1 <= int(month) <= 12 and year[0] in "12"


def bucket(period: str, step: str) -> str:
    """The month, quarter (2026-T1) or year a month belongs to."""
    if step == "year":
        return period[:4]
    if step == "quarter":
        return "%s-T%d" % (period[:4], (int(period[5:7]) - 1) // 3 + 1)
    return period


# --- sums -----------------------------------------------------------------------------

def _sums_of(actions: Sequence[Action], values: Mapping[str, List[Value]], kinds: Mapping[str, str],
             first: str, last: str) -> Sums:
    sums = Sums()
    for action in actions:
        months = action.active_months(first, last)
        if not months:
            continue
        # A value entered outside the dispositif's dates still counts (it is data); those months are not due.
        inside = [v for v in values.get(action.uuid, ()) if first <= v.period <= last]
        entered = {v.period for v in inside}
        sums.missing_months += sum(1 for month in action.due_months(first, last) if month not in entered)
        latest: Dict[str, Value] = {}
        for value in inside:
            if value.value is None:
                continue
            if kinds.get(value.code) == "flow":
                sums.total[value.code] = sums.total.get(value.code, 0) + value.value
            elif value.code not in latest or latest[value.code].period < value.period:
                latest[value.code] = value
        for code, value in latest.items():
            sums.total[code] = sums.total.get(code, 0) + value.value
    return sums


class Aggregate(NamedTuple):
    """One dispositif's known values of one indicator over a period, summed by the store: their sum,
    the latest month and its value (a tuple: thousands are made for one sum)."""
    action_uuid: str
    code: str
    total: int
    last_period: str
    last_value: int


def _sums_by_action(actions: Sequence[Action], aggregates: Mapping[str, List[Aggregate]],
                    entered: Mapping[str, Iterable[str]], kinds: Mapping[str, str], first: str,
                    last: str) -> Dict[str, Sums]:
    """As _sums_of, from what the store summed, for each dispositif running in the period: done once,
    the total and every group only add these up."""
    sums_by_action: Dict[str, Sums] = {}
    for action in actions:
        if not action.active_months(first, last):
            continue
        done = set(entered.get(action.uuid, ()))
        sums = sums_by_action[action.uuid] = Sums()
        sums.missing_months = sum(1 for month in action.due_months(first, last) if month not in done)
        for aggregate in aggregates.get(action.uuid, ()):
            sums.total[aggregate.code] = (aggregate.total if kinds.get(aggregate.code) == "flow"
                                          else aggregate.last_value)
    return sums_by_action


def _added(actions: Sequence[Action], sums_by_action: Mapping[str, Sums]) -> Sums:
    added = Sums()
    for action in actions:
        sums = sums_by_action.get(action.uuid)
        if sums is None:
            continue
        added.missing_months += sums.missing_months
        for code, value in sums.total.items():
            added.total[code] = added.total.get(code, 0) + value
    return added


def sum_aggregates(definitions: Sequence[Definition], actions: Sequence[Action], aggregates: Iterable[Aggregate],
                   entered: Mapping[str, Iterable[str]], first: str, last: str,
                   by: Optional[str] = None) -> Dict[str, object]:
    """sum_indicators for the groupings that span the whole period (action, topic, operator,
    departement, or none), from the store's aggregates of [first, last] (dispositifs running only
    inside the period: their months outside it are not due)."""
    if by in ("month", "quarter", "year") or (by is not None and by not in GROUPINGS):
        raise ValueError(by)
    kinds = {d.code: d.kind for d in definitions}
    by_action: Dict[str, List[Aggregate]] = defaultdict(list)
    for aggregate in aggregates:
        by_action[aggregate.action_uuid].append(aggregate)
    result: Dict[str, object] = {"from": first, "to": last}
    sums_by_action = _sums_by_action(actions, by_action, entered, kinds, first, last)
    result.update(_added(actions, sums_by_action).as_json())
    groups: List[Dict[str, object]] = []
    if by is not None:
        for key, members in _members(actions, by):
            groups.append(dict(key=key, **_added(members, sums_by_action).as_json()))
    result["groups"] = groups
    return result


def _members(actions: Sequence[Action], by: str) -> List[Tuple[str, List[Action]]]:
    """(key, its dispositifs) by key: a dispositif counts in each of its topics, each of its operators."""
    keys: Callable[[Action], Iterable[str]] = {
        "action": lambda action: (action.uuid,), "topic": lambda action: action.topics,
        "operator": lambda action: action.operators, "departement": lambda action: (action.departement,)}[by]
    members: Dict[str, List[Action]] = defaultdict(list)
    for action in actions:
        for key in keys(action):
            members[key].append(action)
    return sorted(members.items())


def sum_indicators(definitions: Sequence[Definition], actions: Sequence[Action], values: Iterable[Value],
                   first: str, last: str, by: Optional[str] = None) -> Dict[str, object]:
    """{"from", "to", "total", "missing_months", "groups": [{"key", "total", "missing_months"}]}.

    by action/topic/operator/departement: one group per key (a dispositif with two topics counts
    in both); by month/quarter/year: one group per period of the range."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(by)
    kinds = {d.code: d.kind for d in definitions}
    by_action: Dict[str, List[Value]] = defaultdict(list)
    for value in values:
        by_action[value.action_uuid].append(value)
    overall = _sums_of(actions, by_action, kinds, first, last)
    result: Dict[str, object] = {"from": first, "to": last}
    result.update(overall.as_json())
    groups: List[Dict[str, object]] = []
    if by in ("month", "quarter", "year"):
        periods: Dict[str, List[str]] = defaultdict(list)
        for month in month_range(first, last):
            periods[bucket(month, by)].append(month)
        for key, months in periods.items():
            groups.append(dict(key=key, **_sums_of(actions, by_action, kinds, months[0], months[-1]).as_json()))
    elif by is not None:
        for key, members in _members(actions, by):
            groups.append(dict(key=key, **_sums_of(members, by_action, kinds, first, last).as_json()))
    result["groups"] = groups
    return result


# Late entries are looked for over the last year only: older gaps are history, not a reminder.
LATE_WINDOW_MONTHS = 12


def missing_months(action: Action, entered: Iterable[str], today: dt.date) -> List[str]:
    """The months of the last year, up to last month, whose values were due and nothing was
    entered: late."""
    done = set(entered)
    last = previous_month(today)
    return [m for m in action.due_months(add_months(last, 1 - LATE_WINDOW_MONTHS), last) if m not in done]


def trend(series: Sequence[Optional[int]]) -> Optional[str]:
    """« hausse », « baisse » or « stable » from the first to the last known value."""
    known = [v for v in series if v is not None]
    if len(known) < 2:
        return None
    if known[-1] > known[0]:
        return "up"
    if known[-1] < known[0]:
        return "down"
    return "flat"


# --- checks of a month's values ---------------------------------------------------------

def value_problem(text) -> Optional[Tuple[str, str]]:
    """None when `text` is a count (integer ≥ 0) or empty, else (French, English) messages."""
    if text is None or text == "":
        return None
    if isinstance(text, bool):
        return ("une valeur oui/non n'est pas un nombre", "a yes/no value is not a number")
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    if isinstance(text, int):
        if text < 0:
            return ("un nombre ne peut pas être négatif", "a number cannot be negative")
        return None
    stripped = str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if stripped.isdigit():
        return None
    return ("« %s » n'est pas un nombre entier positif" % text, "“%s” is not a whole positive number" % text)


def as_count(text) -> Optional[int]:
    if text is None or text == "":
        return None
    if isinstance(text, (int, float)):
        return int(text)
    return int(str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def subcount_problems(values: Mapping[str, Optional[int]]) -> List[Tuple[str, str, str]]:
    """(code, French, English) for every sub-count above its total among one month's values."""
    problems = []
    for small, large in voc.INDICATOR_SUBCOUNTS:
        a, b = values.get(small), values.get(large)
        if a is not None and b is not None and a > b:
            problems.append((small, "%s (%d) dépasse %s (%d)" % (small, a, large, b),
                             "%s (%d) exceeds %s (%d)" % (small, a, large, b)))
    return problems


def write_order(changes: Mapping[str, Tuple[Optional[int], Optional[int]]]) -> List[str]:
    """The order in which to write one month's changed codes ({code: (old, new)}) so that no
    intermediate state breaks a sub-count rule: decreases before increases, and among decreases
    the sub-counts first, among increases the totals first."""
    subs = {small for small, _large in voc.INDICATOR_SUBCOUNTS}

    def key(code: str):
        old, new = changes[code]
        going_down = new is None or (old is not None and new < old)
        is_sub = code in subs
        return (0, 0 if is_sub else 1) if going_down else (1, 1 if is_sub else 0)
    return sorted(changes, key=key)


# --- finances -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Finance:
    action_uuid: str
    year: int
    finance_type: str
    amount: Optional[float]
    real_amount: Optional[float]


def sum_finances(finances: Iterable[Finance], by: Sequence[str] = ("year",)) -> List[Dict[str, object]]:
    """Planned and spent amounts per combination of `by` (year, finance_type, action); an unknown
    amount is counted apart (planned_unknown, spent_unknown), never as 0."""
    for name in by:
        if name not in FINANCE_GROUPINGS:
            raise ValueError(name)
    groups: Dict[tuple, Dict[str, object]] = {}
    for finance in finances:
        key = tuple(finance.action_uuid if name == "action" else getattr(finance, name) for name in by)
        group = groups.setdefault(key, dict(zip(by, key), planned=0.0, spent=0.0, planned_unknown=0,
                                            spent_unknown=0))
        for amount, total, unknown in ((finance.amount, "planned", "planned_unknown"),
                                       (finance.real_amount, "spent", "spent_unknown")):
            if amount is None:
                group[unknown] += 1
            else:
                group[total] += amount
    return [groups[key] for key in sorted(groups, key=lambda k: tuple(str(part) for part in k))]


# --- the list of dispositifs ----------------------------------------------------------------

def late_months(actions: Sequence[Action], entered: Mapping[str, Iterable[str]], today: dt.date) -> Dict[str, List[str]]:
    """{dispositif: its late months} for those that are late."""
    late = {a.uuid: missing_months(a, entered.get(a.uuid, ()), today) for a in actions}
    return {uuid: months for uuid, months in late.items() if months}


def fold(text: str) -> str:
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")


def filter_actions(actions: Sequence[Action], text: str = "", topic: Optional[str] = None,
                   operator: Optional[str] = None, departement: Optional[str] = None, at: Optional[str] = None,
                   late: Optional[Mapping[str, List[str]]] = None) -> List[Action]:
    """The dispositifs matching every criterion given (text: in the name or an operator's name,
    accents and case ignored; late: only those in this mapping)."""
    wanted = fold(text.strip())
    kept = []
    for action in actions:
        if wanted and wanted not in fold(" ".join((action.name,) + action.operators)):
            continue
        if (topic and topic not in action.topics) or (operator and operator not in action.operators):
            continue
        if (departement and action.departement != departement) or (at and not action.active_at(at)):
            continue
        if late is not None and action.uuid not in late:
            continue
        kept.append(action)
    return kept
