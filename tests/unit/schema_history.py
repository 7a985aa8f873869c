"""Stores made by the project's earlier schema versions, with the code of that time, and rows that break a rule.

The earlier versions come from git: every commit that changed SCHEMA_VERSION, and its parent (the last
commit of the previous version). The plugin of that commit is extracted with `git archive` and its own
command line makes the store.
"""
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from plugin.model import schema
from plugin.model.rules import SQLITE
from plugin.model.schema import Kind
from plugin.model.validation import Validator

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = "plugin/model/schema.py"
_VERSION = re.compile(r"^SCHEMA_VERSION = (\d+)", re.MULTILINE)


def _git(*arguments) -> str:
    return subprocess.run(["git", "-C", str(REPO)] + list(arguments), check=True, capture_output=True,
                          text=True).stdout


def _version_at(commit: str) -> Optional[int]:
    try:
        found = _VERSION.search(_git("show", "%s:%s" % (commit, SCHEMA_FILE)))
    except subprocess.CalledProcessError:
        return None
    return int(found.group(1)) if found else None


def earlier_versions() -> List[Tuple[str, int]]:
    """(commit, schema version) of the first and last commit of every earlier schema version, oldest
    first. Fails clearly when the repository's history is not there (a shallow clone)."""
    try:
        shallow = _git("rev-parse", "--is-shallow-repository").strip() == "true"
        changes = _git("log", "--format=%H", "-G", "^SCHEMA_VERSION = ", "--", SCHEMA_FILE).split()
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        pytest.fail("the upgrade tests need the project's git history (a full clone): %s" % error)
    if shallow or not changes:
        pytest.fail("the upgrade tests need the project's full git history: run `git fetch --unshallow`")
    points, seen = {}, set()
    for commit in changes:
        for candidate in (commit, commit + "^"):
            version = _version_at(candidate)
            # Commits whose model and stores are the same make the same store.
            trees = _git("rev-parse", candidate + ":plugin/model", candidate + ":plugin/store").split() \
                if version is not None else None
            if version is not None and version < schema.SCHEMA_VERSION and tuple(trees) not in seen:
                seen.add(tuple(trees))
                points[_git("rev-parse", "--short", candidate).strip()] = version
    order = _git("log", "--format=%h", "--reverse", *points).split() if points else []
    return [(commit, points[commit]) for commit in order if commit in points]


def old_plugin(commit: str, folder: Path) -> Path:
    """The plugin as it was at `commit`, extracted in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "plugin"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_old(folder: Path, *arguments) -> str:
    """The command line of the old plugin in `folder` (python -m plugin …)."""
    result = subprocess.run([sys.executable, "-m", "plugin"] + [str(a) for a in arguments], cwd=str(folder),
                            capture_output=True, text=True)
    assert result.returncode == 0, "%s: %s" % (" ".join(map(str, arguments)), result.stderr)
    return result.stdout


def has_command(folder: Path, name: str) -> bool:
    return '"%s"' % name in "".join(p.read_text() for p in (folder / "plugin" / "commands").glob("*.py"))


# --- rows that break one rule ------------------------------------------------------------

_COLUMN = re.compile(r'"([a-z_0-9]+)"')


def _pool(field, typed: bool) -> List[object]:
    """Values to try for a field; `typed`: only values of the column's type (PostgreSQL)."""
    if field.vocabulary is not None:
        return list(field.vocabulary.codes) + ["zz_not_a_code"]
    if field.kind in (Kind.INTEGER, Kind.REAL):
        values = [0, 1, 2, 5, 40, -1, 2000, 2030, 3000, 1_000_000]
        return values if typed else values + ["x"]
    if field.kind is Kind.BOOLEAN:
        return [0, 1] if typed else [0, 1, 2, "x"]
    if field.kind in (Kind.DATE, Kind.DATETIME):
        values = ["2020-01-01", "2021-06-15", "2099-01-01"]
        return values if typed else values + ["15/06/2021", 7]
    if field.kind is Kind.BLOB:
        return [b"x"]
    values = ["93", "93066", "2026-03", "x", "", "a" * 36, "a" * 64, "9304800" + "0AB0123", "zz!", "2026-13"]
    return values if typed else values + [3]


def _columns_of(rule) -> List[str]:
    return list(dict.fromkeys(list(rule.fields) + _COLUMN.findall(rule.expression(SQLITE) or "")))


def _broken(validator: Validator, row) -> List[str]:
    return [p.code for p in validator.problems(row)]


def _valid_row(table, validator: Validator, typed: bool) -> Dict[str, object]:
    """A row breaking no rule: each field of a broken rule set, in turn, to the value that breaks fewest."""
    row = {f.name: f.default for f in table.fields if f.default is not None}
    rules = {r.code: r for r in table.all_rules()}
    for _ in range(4):
        broken = _broken(validator, row)
        if not broken:
            return row
        for name in dict.fromkeys(c for code in broken for c in _columns_of(rules[code])):
            if name in table.field_names:
                f = table.field(name)
                choices = _pool(f, typed) + ([] if f.required else [None])
                row[name] = min(choices, key=lambda value: len(_broken(validator, dict(row, **{name: value}))))
    raise AssertionError("no valid row found for %s: %s" % (table.name, _broken(validator, row)))


def breaking_row(table, rule, typed: bool = False) -> Tuple[Dict[str, object], List[str]]:
    """A row of `table` that breaks `rule`, and the rules it breaks (as few as can be: some rules imply
    others), built from a valid row by changing one or two of the rule's columns; the rules are evaluated
    as the stores evaluate them."""
    validator = Validator(table)
    base = _valid_row(table, validator, typed)
    names = [name for name in _columns_of(rule) if name in table.field_names]
    choices = {name: _pool(table.field(name), typed) + [None] for name in names}
    candidates = [{a: x} for a in names for x in choices[a]]
    candidates += [{a: x, b: y} for i, a in enumerate(names) for b in names[i + 1:]
                   for x in choices[a] for y in choices[b]]
    found = []
    for change in candidates:
        row = dict(base, **change)
        broken = _broken(validator, row)
        if broken == [rule.code]:
            return row, broken
        if rule.code in broken:
            found.append((len(broken), row, broken))
    assert found, "no row breaking %s was found: add values to schema_history._pool" % rule.code
    _, row, broken = min(found, key=lambda item: item[0])
    return row, broken


def row_local_rules(table, dialect: str):
    return [r for r in table.all_rules() if r.expression(dialect) and not r.across_rows]
