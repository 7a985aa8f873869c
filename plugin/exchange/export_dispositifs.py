"""The dispositifs' sheets of the Excel export, machine-readable (one header row, codes beside labels):

* « Dispositifs détail »: one row per dispositif with its tags, operators, pilots, who enters its
  values, and its finances planned/spent in total;
* « Financements »: one row per dispositif, year and financer;
* « Indicateurs mensuels »: one row per dispositif, month and indicator (long format).

They show the current declarations (the finances and values of a dispositif have no past state
of their own in the export)."""
from typing import Dict, List, Optional

from ..model import indicators as model
from ..model import vocabularies as voc
from ..store import indicators_sql as sql
from .xlsx_writer import Style, Workbook

DETAIL_SHEET = "Dispositifs détail"
FINANCES_SHEET = "Financements"
VALUES_SHEET = "Indicateurs mensuels"

DETAIL_HEADER = ("uuid", "Dispositif", "Département", "Début", "Fin", "Thématiques (codes)", "Thématiques",
                 "Opérateurs", "Pilotes", "Saisie des indicateurs par", "Prévu total (€)", "Dépensé total (€)",
                 "Lignes de financement sans dépense connue")
FINANCES_HEADER = ("uuid", "Dispositif", "Année", "Financeur (code)", "Financeur", "Prévu (€)", "Dépensé (€)")
VALUES_HEADER = ("uuid", "Dispositif", "Département", "Mois", "Code", "Indicateur", "Nature", "Valeur")


def write_sheets(book: Workbook, connection, departement: Optional[str]) -> Dict[str, int]:
    """Add the three sheets; returns their data rows by sheet name."""
    actions = sql.actions(connection, departement=departement)
    uuids = [a.uuid for a in actions]
    finances = sql.finances(connection, uuids)
    values = sql.values(connection, uuids)
    definitions = {d.code: d for d in sql.definitions(connection)}
    pilots = _pilots(connection, uuids)
    totals = {row["action"]: row for row in model.sum_finances(finances, ("action",))}
    rows = {}

    detail = book.add_sheet(DETAIL_SHEET, [38, 44, 8, 11, 11, 30, 50, 50, 40, 34, 14, 14, 14], freeze=(1, 2))
    detail.append(DETAIL_HEADER, [Style.HEADER] * len(DETAIL_HEADER), height=30)
    for action in actions:
        total = totals.get(action.uuid, {})
        detail.append([action.uuid, action.name, action.departement, action.started_at, action.ended_at,
                       ";".join(action.topics), "; ".join(voc.ACTION_TOPIC.label(t) or t for t in action.topics),
                       "; ".join(action.operators), "; ".join(pilots.get(action.uuid, [])),
                       action.values_entered_by, total.get("planned"), total.get("spent"),
                       total.get("spent_unknown")],
                      [None] * 10 + [Style.DECIMAL, Style.DECIMAL, Style.INTEGER])
    detail.autofilter(1, 0, max(1, detail.rows), len(DETAIL_HEADER) - 1)
    rows[DETAIL_SHEET] = len(actions)

    names = {a.uuid: a.name for a in actions}
    sheet = book.add_sheet(FINANCES_SHEET, [38, 44, 8, 14, 46, 14, 14], freeze=(1, 2))
    sheet.append(FINANCES_HEADER, [Style.HEADER] * len(FINANCES_HEADER), height=30)
    for line in sorted(finances, key=lambda f: (names[f.action_uuid], f.year, f.finance_type)):
        sheet.append([line.action_uuid, names[line.action_uuid], line.year, line.finance_type,
                      voc.FINANCE_TYPE.label(line.finance_type), line.amount, line.real_amount],
                     [None] * 5 + [Style.DECIMAL, Style.DECIMAL])
    rows[FINANCES_SHEET] = len(finances)

    sheet = book.add_sheet(VALUES_SHEET, [38, 44, 8, 9, 26, 50, 8, 10], freeze=(1, 2))
    sheet.append(VALUES_HEADER, [Style.HEADER] * len(VALUES_HEADER), height=30)
    departements = {a.uuid: a.departement for a in actions}
    for value in sorted(values, key=lambda v: (names[v.action_uuid], v.action_uuid, v.period, v.code)):
        definition = definitions.get(value.code)
        sheet.append([value.action_uuid, names[value.action_uuid], departements[value.action_uuid], value.period,
                      value.code, definition.label if definition else value.code,
                      definition.kind if definition else None, value.value])
    rows[VALUES_SHEET] = len(values)
    return rows


def _pilots(connection, uuids: List[str]) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for uuid in uuids:
        found[uuid] = [name for _o, name, role in sql.organisations(connection, uuid) if role == "pilot"]
    return found
