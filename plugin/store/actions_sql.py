"""A dispositif's declaration read and saved whole: its fields, tags, organisations with their role,
linked sites and terrains, finances. One transaction; the store's rules and history apply."""
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..model import schema
from ..model.rules import quoted
from .base import StoreError
from .indicators_sql import _run, transaction

FIELDS = ("name", "started_at", "ended_at", "goals", "departement", "location_type", "location_other",
          "reporting_frequency", "values_entered_by")


@dataclass
class FinanceLine:
    year: int
    finance_type: str
    amount: Optional[float]
    real_amount: Optional[float]


@dataclass
class Declaration:
    """What the « Dispositif », « Lieux » and « Financements » tabs edit."""
    uuid: Optional[str] = None
    values: Dict[str, object] = field(default_factory=dict)
    topics: List[str] = field(default_factory=list)
    organisations: List[Tuple[str, str]] = field(default_factory=list)  # (organisation uuid, role)
    sites: List[str] = field(default_factory=list)
    terrains: List[str] = field(default_factory=list)
    finances: List[FinanceLine] = field(default_factory=list)


def load(connection, action_uuid: str) -> Declaration:
    names = ", ".join(quoted(n) for n in FIELDS)
    rows = _run(connection, 'SELECT %s FROM "actions" WHERE "uuid" = {p:uuid}' % names, {"uuid": action_uuid})
    if not rows:
        raise StoreError("Dispositif introuvable : %s" % action_uuid, "Programme not found: %s" % action_uuid)
    values = {name: (None if value is None else (str(value)[:10] if name.endswith("_at") else value))
              for name, value in zip(FIELDS, rows[0])}
    found = Declaration(action_uuid, values)
    parameters = {"uuid": action_uuid}
    found.topics = [r[0] for r in _run(connection, 'SELECT "topic" FROM "action_topics" WHERE "action_uuid" = '
                                                   '{p:uuid} ORDER BY "topic"', parameters)]
    found.organisations = [tuple(r) for r in _run(
        connection, 'SELECT "organisation_uuid", "role" FROM "action_organisations" WHERE "action_uuid" = {p:uuid} '
                    'ORDER BY "role" DESC, "fid"', parameters)]
    found.sites = [r[0] for r in _run(connection, 'SELECT "site_uuid" FROM "action_sites" WHERE "action_uuid" = '
                                                  '{p:uuid} ORDER BY "fid"', parameters)]
    found.terrains = [r[0] for r in _run(connection, 'SELECT "uuid" FROM "insertion_sites" WHERE "action_uuid" = '
                                                     '{p:uuid} ORDER BY "name"', parameters)]
    found.finances = [FinanceLine(*r) for r in _run(
        connection, 'SELECT "year", "finance_type", "amount", "real_amount" FROM "action_finances" '
                    'WHERE "action_uuid" = {p:uuid} ORDER BY "year", "finance_type"', parameters)]
    return found


def save(connection, declaration: Declaration, login: str) -> str:
    """Insert or update the dispositif and bring its children to `declaration`; returns its uuid.
    Unchanged children are left as they are (no history row, no sync change)."""
    if not login or not login.strip():
        raise StoreError("Identifiant de connexion manquant : il signe chaque modification.",
                         "Login missing: it signs every change.")
    with transaction(connection):
        action_uuid = declaration.uuid or str(uuid_module.uuid4())
        values = {name: declaration.values.get(name) for name in FIELDS}
        if declaration.uuid is None:
            names = ("uuid",) + FIELDS + ("created_by", "updated_by")
            _run(connection, 'INSERT INTO "actions" (%s) VALUES (%s)' % (
                ", ".join(quoted(n) for n in names), ", ".join("{p:%s}" % n for n in names)),
                dict(values, uuid=action_uuid, created_by=login, updated_by=login))
        else:
            current = load(connection, action_uuid).values
            changed = [n for n in FIELDS if current.get(n) != values[n]]
            if changed:
                _run(connection, 'UPDATE "actions" SET %s, "row_version" = "row_version" + 1, "updated_by" = {p:login} '
                                 'WHERE "uuid" = {p:uuid}' % ", ".join("%s = {p:%s}" % (quoted(n), n) for n in changed),
                     dict({n: values[n] for n in changed}, login=login, uuid=action_uuid))
        _sync_children(connection, action_uuid, "action_topics", ("topic",),
                       [(t,) for t in declaration.topics], login)
        _sync_children(connection, action_uuid, "action_organisations", ("organisation_uuid", "role"),
                       declaration.organisations, login)
        _sync_children(connection, action_uuid, "action_sites", ("site_uuid",), [(s,) for s in declaration.sites],
                       login)
        _sync_finances(connection, action_uuid, declaration.finances, login)
        _link_terrains(connection, action_uuid, declaration.terrains, login)
    return action_uuid


def _sync_children(connection, action_uuid: str, table: str, columns: Sequence[str], wanted, login: str) -> None:
    listed = ", ".join(quoted(c) for c in columns)
    existing = {tuple(r[1:]): r[0] for r in _run(
        connection, 'SELECT "uuid", %s FROM %s WHERE "action_uuid" = {p:action}' % (listed, quoted(table)),
        {"action": action_uuid})}
    wanted = [tuple(w) for w in wanted]
    for key, row_uuid in existing.items():
        if key not in wanted:
            _run(connection, 'DELETE FROM %s WHERE "uuid" = {p:uuid}' % quoted(table), {"uuid": row_uuid})
    for key in dict.fromkeys(wanted):
        if key not in existing:
            parameters = dict(zip(columns, key), action=action_uuid, login=login)
            _run(connection, 'INSERT INTO %s ("action_uuid", %s, "created_by", "updated_by") VALUES ({p:action}, %s, '
                             '{p:login}, {p:login})' % (quoted(table), listed, ", ".join("{p:%s}" % c for c in columns)),
                 parameters)


def _sync_finances(connection, action_uuid: str, lines: Sequence[FinanceLine], login: str) -> None:
    existing = {(r[1], r[2]): (r[0], r[3], r[4]) for r in _run(
        connection, 'SELECT "uuid", "year", "finance_type", "amount", "real_amount" FROM "action_finances" '
                    'WHERE "action_uuid" = {p:action}', {"action": action_uuid})}
    wanted = {(line.year, line.finance_type): line for line in lines}
    for key, (row_uuid, _amount, _spent) in existing.items():
        if key not in wanted:
            _run(connection, 'DELETE FROM "action_finances" WHERE "uuid" = {p:uuid}', {"uuid": row_uuid})
    for key, line in wanted.items():
        parameters = {"action": action_uuid, "year": line.year, "type": line.finance_type, "amount": line.amount,
                      "spent": line.real_amount, "login": login}
        if key not in existing:
            _run(connection, 'INSERT INTO "action_finances" ("action_uuid", "year", "finance_type", "amount", '
                             '"real_amount", "created_by", "updated_by") VALUES ({p:action}, {p:year}, {p:type}, '
                             '{p:amount}, {p:spent}, {p:login}, {p:login})', parameters)
        elif existing[key][1:] != (line.amount, line.real_amount):
            _run(connection, 'UPDATE "action_finances" SET "amount" = {p:amount}, "real_amount" = {p:spent}, '
                             '"row_version" = "row_version" + 1, "updated_by" = {p:login} WHERE "uuid" = {p:uuid}',
                 dict(parameters, uuid=existing[key][0]))


def _link_terrains(connection, action_uuid: str, terrains: Sequence[str], login: str) -> None:
    linked = {r[0] for r in _run(connection, 'SELECT "uuid" FROM "insertion_sites" WHERE "action_uuid" = {p:action}',
                                 {"action": action_uuid})}
    for terrain, target in [(t, None) for t in linked - set(terrains)] + [(t, action_uuid) for t in
                                                                          set(terrains) - linked]:
        _run(connection, 'UPDATE "insertion_sites" SET "action_uuid" = {p:target}, "row_version" = "row_version" + 1, '
                         '"updated_by" = {p:login} WHERE "uuid" = {p:uuid}',
             {"target": target, "login": login, "uuid": terrain})


def organisation_choices(connection, departement: Optional[str] = None) -> List[Tuple[str, str, str]]:
    """(uuid, name, type) of the organisations, those of `departement` first."""
    return _run(connection, 'SELECT "uuid", "name", "type" FROM "organisations" ORDER BY '
                            'CASE WHEN "departement" = {p:dep} THEN 0 ELSE 1 END, "name"', {"dep": departement})


def place_names(connection, table: str, departement: Optional[str] = None) -> List[Tuple[str, str]]:
    """(uuid, « name – commune ») of the sites or terrains (of `departement` when given), by name."""
    if table not in ("sites", "insertion_sites"):
        raise ValueError(table)
    return [(u, "%s – %s" % (n or "(sans nom)", c or "?")) for u, n, c in _run(
        connection, 'SELECT "uuid", "name", "city_name" FROM %s WHERE {p:dep} IS NULL OR "departement" = {p:dep} '
                    'ORDER BY "name"' % quoted(schema.table(table).name), {"dep": departement})]
