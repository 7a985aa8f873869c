"""Validation rules, written once and rendered for every place that enforces them.

A rule is a boolean expression over one row that must hold. It renders to
three dialects that share the same syntax for what rules need (double-quoted
identifiers, single-quoted strings, IS NULL, AND/OR/NOT, IN, comparisons,
coalesce, length): `sqlite` (CHECK constraints and triggers of the GeoPackage
store, and the pure-Python validation, which evaluates the same SQL in an
in-memory SQLite database), `postgres` (the shared store) and `qgis` (layer
constraints). Only "today", pattern matching and ranges differ, hence the placeholders.
"""
import hashlib
import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

SQLITE = "sqlite"
POSTGRES = "postgres"
QGIS = "qgis"

_TODAY = {
    SQLITE: "date('now')",
    POSTGRES: "current_date",
    QGIS: "to_date(now())",
}

# Pattern matching: SQLite has GLOB only, PostgreSQL and QGIS have regular expressions.
_MATCH = {
    POSTGRES: "{column} ~ '{regex}'",
    QGIS: "regexp_match({column}, '{regex}')",
}

# The SHA-256 of a blob in hexadecimal, {digest:COLUMN} in a template: built into PostgreSQL (11+); in
# SQLite, a function the plugin registers on its connections (store.gpkg_functions, model.validation).
SHA256_FUNCTION = "rs_sha256"
_DIGEST = {
    SQLITE: SHA256_FUNCTION + "({column})",
    POSTGRES: "encode(sha256({column}), 'hex')",
}
_DIGEST_PLACEHOLDER = re.compile(r"\{digest:(\w+)\}")


def sha256_hex(blob) -> Optional[str]:
    return None if blob is None else hashlib.sha256(bytes(blob)).hexdigest()

# Ranges: QGIS's expression parser knows BETWEEN only from 3.26 (3.22 is the oldest we support).
_RANGE = {
    SQLITE: "{value} BETWEEN {low} AND {high}",
    POSTGRES: "{value} BETWEEN {low} AND {high}",
    QGIS: "({value} >= {low} AND {value} <= {high})",
}


@dataclass(frozen=True)
class Rule:
    """A condition every row must satisfy.

    `template` uses {today} for the current date and {match:NAME} for the
    pattern `patterns[NAME]` (a (column, regex, sqlite_glob_expression) triple) and {range:NAME}
    for the range `ranges[NAME]` (a (value expression, low, high) triple).
    `fields` lists the fields the rule is about, the first being the one a
    form shows the message at.
    """
    code: str
    template: str
    message: str
    message_en: str
    fields: Tuple[str, ...]
    patterns: Dict[str, Tuple[str, str, str]] = field(default_factory=dict)
    ranges: Dict[str, Tuple[str, int, int]] = field(default_factory=dict)
    dialects: Tuple[str, ...] = (SQLITE, POSTGRES, QGIS)
    # Reads other rows (subqueries): only the store can check it, in a trigger.
    across_rows: bool = False
    # The PostgreSQL text of an across-rows rule, when its SQLite template does not fit PostgreSQL.
    postgres_template: Optional[str] = None

    @property
    def deterministic(self) -> bool:
        """CHECK constraints must be deterministic and row-local; the others become triggers. A digest is
        left to a trigger too: SQLite's integrity check evaluates every CHECK, and a reader without the
        plugin's function (GDAL's validator, sqlite3) would find the file broken."""
        return "{today}" not in self.template and not self.across_rows and "{digest:" not in self.template

    @property
    def bilingual_message(self) -> str:
        return f"{self.message} / {self.message_en}"

    def expression(self, dialect: str) -> Optional[str]:
        if dialect not in self.dialects:
            return None
        template = self.postgres_template if dialect == POSTGRES and self.postgres_template else self.template
        text = template.replace("{today}", _TODAY[dialect])
        for name, (column, regex, sqlite_glob) in self.patterns.items():
            if dialect == SQLITE:
                rendered = sqlite_glob
            else:
                rendered = _MATCH[dialect].format(column=column, regex=regex)
            text = text.replace("{match:%s}" % name, rendered)
        for name, (value, low, high) in self.ranges.items():
            text = text.replace("{range:%s}" % name, _RANGE[dialect].format(value=value, low=low, high=high))
        return _DIGEST_PLACEHOLDER.sub(lambda m: _DIGEST[dialect].format(column=quoted(m.group(1))), text)


def quoted(name: str) -> str:
    return '"%s"' % name


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'%s'" % str(value).replace("'", "''")


def across_rows(code: str, template: str, message: str, message_en: str, fields,
                postgres: Optional[str] = None) -> Rule:
    """A rule over related rows, for the SQLite store (and the PostgreSQL one when its text
    `postgres` is given): columns of the checked row are double-quoted, those of the subqueries
    are not."""
    return Rule(code, template, message, message_en, tuple(fields),
                dialects=(SQLITE, POSTGRES) if postgres else (SQLITE,), across_rows=True,
                postgres_template=postgres)


def in_list(column: str, codes) -> str:
    return "%s IN (%s)" % (quoted(column), ", ".join(sql_literal(code) for code in codes))


def at_most(small: str, large: str, code: str, message: str, message_en: str) -> Rule:
    """`small` ≤ `large` whenever both are known."""
    return Rule(
        code,
        "{a} IS NULL OR {b} IS NULL OR {a} <= {b}".format(a=quoted(small), b=quoted(large)),
        message, message_en, (small, large))


def sum_at_most(parts, total: str, code: str, message: str, message_en: str) -> Rule:
    """The sum of the known `parts` ≤ `total` when the total is known."""
    summed = " + ".join("coalesce(%s, 0)" % quoted(part) for part in parts)
    return Rule(code, "{t} IS NULL OR {s} <= {t}".format(t=quoted(total), s=summed),
                message, message_en, (parts[0], total) + tuple(parts[1:]))


def required_when(column: str, condition: str, code: str, message: str, message_en: str) -> Rule:
    return Rule(code, "NOT ({c}) OR {f} IS NOT NULL".format(c=condition, f=quoted(column)),
                message, message_en, (column,))


def not_in_future(column: str, code: str, label: str, label_en: str) -> Rule:
    return Rule(code, "{f} IS NULL OR {f} <= {{today}}".format(f=quoted(column)),
                "« %s » ne peut pas être dans le futur" % label,
                "“%s” cannot be in the future" % label_en, (column,))


def pattern(column: str, regex: str, sqlite_glob: str, code: str,
            message: str, message_en: str) -> Rule:
    """A text that must match `regex` (PostgreSQL, QGIS) / `sqlite_glob` (SQLite)."""
    return Rule(code, "{f} IS NULL OR {{match:p}}".format(f=quoted(column)),
                message, message_en, (column,),
                patterns={"p": (quoted(column), regex, sqlite_glob)})

