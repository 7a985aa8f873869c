"""Check a row against the rules of its table, without a store and without QGIS.

The rules are evaluated as the same SQL the GeoPackage store enforces, in an
in-memory SQLite database, so that an import preview, a form and the store
can never disagree. Rules over related rows (a funding year within its
programme's dates…) need the store and are left to it. Values are in store form: dates as 'YYYY-MM-DD' text,
booleans as 0/1, enumerations as codes.
"""
import sqlite3
import threading
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

from .rules import SHA256_FUNCTION, SQLITE, Rule, sha256_hex
from .schema import Table


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    message_en: str


class Validator:
    """Compiles a table's rules once; `problems(row)` lists the broken ones."""

    def __init__(self, table: Table):
        self.table = table
        self._rules: Tuple[Rule, ...] = tuple(r for r in table.all_rules()
                                              if r.expression(SQLITE) and not r.across_rows)
        self._connection = sqlite3.connect(":memory:")
        self._connection.create_function(SHA256_FUNCTION, 1, sha256_hex, deterministic=True)
        columns = ", ".join(":%s AS \"%s\"" % (name, name) for name in self._columns())
        checks = ", ".join("coalesce((%s), 1)" % rule.expression(SQLITE) for rule in self._rules)
        self._query = "SELECT %s FROM (SELECT %s)" % (checks, columns)

    def _columns(self) -> List[str]:
        return list(self.table.field_names)

    def problems(self, row: Mapping[str, object]) -> List[Problem]:
        values: Dict[str, object] = {name: row.get(name) for name in self._columns()}
        results = self._connection.execute(self._query, values).fetchone()
        return [Problem(rule.code, rule.fields[0], rule.message, rule.message_en)
                for rule, ok in zip(self._rules, results) if not ok]


# One set per thread: a SQLite connection serves only the thread that opened it, and
# imports validate in QgsTask threads.
_per_thread = threading.local()


def problems(table: Table, row: Mapping[str, object]) -> List[Problem]:
    validators: Dict[str, Validator] = _per_thread.__dict__.setdefault("validators", {})
    validator = validators.get(table.name)
    if validator is None:
        validator = validators[table.name] = Validator(table)
    return validator.problems(row)
