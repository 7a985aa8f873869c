"""The operator's monthly workbook (« observatoire »): written for one dispositif and one month,
filled in Excel or LibreOffice, brought back by the officer.

First sheet: the dispositif, its operators, French instructions, then a header
row (« Code », « Indicateur », « Nature », « Unité », one column per month titled
YYYY-MM) and one row per indicator. The previous months are pre-filled and
locked; only the month's column is open (sheet protection, whole numbers ≥ 0).
The « Référence » sheet keeps what the store held when the workbook was made:
on import, a value the officer changed since is a conflict, never overwritten
silently.
"""
import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ..model import indicators as model
from ..model import vocabularies as voc
from ..store import indicators_sql as sql
from ..store.base import StoreError
from .xlsx_reader import XlsxReader
from .xlsx_writer import Style, Workbook

MARKER = "resorption_sig:observatoire"
REFERENCE_SHEET = "Référence"
MAIN_SHEET = "Observatoire"
HEADER = ("Code", "Indicateur", "Nature", "Unité")
MONTHS_SHOWN = 12

NEW, CHANGED, UNCHANGED, CONFLICT, INVALID = "new", "changed", "unchanged", "conflict", "invalid"

INSTRUCTIONS = (
    "Mode d'emploi : remplissez uniquement la colonne jaune du mois %s, une valeur par indicateur "
    "(nombre entier positif ou nul ; laissez vide si vous ne savez pas : vide n'est pas zéro).",
    "Un « stock » se lit en fin de mois (ex. ménages accompagnés au dernier jour du mois) ; un « flux » "
    "compte ce qui s'est passé pendant le mois (ex. ménages entrés dans un logement).",
    "Les sous-totaux ne dépassent pas leur total (femmes et mineurs ≤ personnes, mineurs scolarisés ≤ mineurs "
    "en âge de l'être). Les mois précédents sont rappelés pour mémoire et ne se modifient pas ici.",
    "Enregistrez au format .xlsx sans changer la structure, puis renvoyez le fichier à la préfecture ou à la DDETS.",
)


class ObservatoryError(StoreError):
    pass


def months_shown(action: model.Action, month: str) -> List[str]:
    first = max(model.add_months(month, 1 - MONTHS_SHOWN), action.started_at[:7])
    return model.month_range(first, month)


def _action(connection, action_uuid: str) -> model.Action:
    found = sql.actions(connection, uuids=[action_uuid])
    if not found:
        raise ObservatoryError("Dispositif introuvable : %s" % action_uuid, "Programme not found: %s" % action_uuid)
    return found[0]


def write_workbook(store, path: str, action_uuid: str, month: str) -> str:
    """Write the workbook of `action_uuid` for `month` (YYYY-MM) at `path`; returns the path."""
    if not model.is_month(month):
        raise ObservatoryError("Le mois s'écrit AAAA-MM (ex. 2026-03) : « %s »" % month,
                               "The month is written YYYY-MM (e.g. 2026-03): “%s”" % month)
    with sql.connection_of(store) as connection:
        action = _action(connection, action_uuid)
        if month < action.started_at[:7] or (action.ended_at and month > action.ended_at[:7]):
            raise ObservatoryError(
                "Le dispositif « %s » ne court pas en %s (du %s au %s)." % (
                    action.name, month, action.started_at, action.ended_at or "…"),
                "The programme “%s” does not run in %s (from %s to %s)." % (
                    action.name, month, action.started_at, action.ended_at or "…"))
        definitions = sql.definitions(connection, action.departement)
        cells = sql.grid(connection, action_uuid)
    months = months_shown(action, month)
    width = len(HEADER) + len(months)
    with Workbook(path) as book:
        sheet = book.add_sheet(MAIN_SHEET, widths=(24, 50, 24, 11) + (9,) * len(months), freeze=(7, 2))
        sheet.append(["Observatoire mensuel – %s" % action.name], [Style.TITLE])
        sheet.append(["Opérateur(s) : %s" % (", ".join(action.operators) or "non renseigné")])
        sheet.append(["Saisie des indicateurs par : %s ; département %s ; mois à remplir : %s" % (
            action.values_entered_by or "non renseigné", action.departement, month)])
        # Two rows of instructions, each wrapped over the first three columns (readable when printed).
        for number, sentences in enumerate((INSTRUCTIONS[:2], INSTRUCTIONS[2:]), 4):
            sheet.append([" ".join(sentences) % ((month,) if number == 4 else ())], [Style.WRAP], height=62)
            sheet.merge(number, 0, number, 2)
        sheet.append(["Fichier produit par Résorption SIG le %s : ne pas renommer les feuilles ni les colonnes."
                      % dt.date.today().isoformat()])
        sheet.append(list(HEADER) + months, [Style.HEADER] * width)
        styles = [None] * len(HEADER) + [Style.INTEGER] * (len(months) - 1) + [Style.INPUT]
        for definition in definitions:
            known = [cells[(definition.code, m)].value if (definition.code, m) in cells else None for m in months]
            sheet.append([definition.code, definition.label, voc.INDICATOR_KIND.label(definition.kind),
                          definition.unit or ""] + known, styles)
        column = sheet.letter(width - 1)
        if definitions:
            sheet.accept_whole_numbers(
                "%s8:%s%d" % (column, column, 7 + len(definitions)), "Valeur du mois",
                "Nombre entier positif ou nul ; vide si inconnu.",
                "Saisissez un nombre entier positif ou nul (ou laissez vide si vous ne savez pas).")
        sheet.protect()
        reference = book.add_sheet(REFERENCE_SHEET, widths=(30, 40, 12))
        reference.append(["Clé", "Valeur"], [Style.HEADER, Style.HEADER])
        reference.append(["marqueur", MARKER])
        reference.append(["dispositif", action_uuid])
        reference.append(["mois", month])
        reference.append(["Code", "Mois", "Valeur dans le stockage à l'envoi"], [Style.HEADER] * 3)
        for definition in definitions:
            for m in months:
                cell = cells.get((definition.code, m))
                reference.append([definition.code, m, cell.value if cell else None])
        reference.protect()
    return path


def is_observatory(path: str) -> bool:
    """Whether `path` is a workbook this module wrote (its « Référence » sheet carries the marker)."""
    try:
        with XlsxReader(path) as reader:
            if REFERENCE_SHEET not in reader.sheet_names():
                return False
            for row in reader.rows(REFERENCE_SHEET, limit=3):
                if len(row) > 1 and row[1] == MARKER:
                    return True
    except StoreError:
        return False
    return False


@dataclass
class CellReport:
    code: str
    month: str
    status: str
    file_value: Optional[int] = None
    store_value: Optional[int] = None
    sent_value: Optional[int] = None
    message: str = ""
    message_en: str = ""


@dataclass
class ObservatoryPreview:
    path: str
    action_uuid: str
    action_name: str
    month: str
    cells: List[CellReport] = field(default_factory=list)
    versions: Dict[Tuple[str, str], Optional[int]] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return os.path.basename(self.path)

    def counts(self) -> Dict[str, int]:
        counts = {status: 0 for status in (NEW, CHANGED, UNCHANGED, CONFLICT, INVALID)}
        for cell in self.cells:
            counts[cell.status] += 1
        return counts

    def of(self, status: str) -> List[CellReport]:
        return [cell for cell in self.cells if cell.status == status]

    def summary(self) -> List[str]:
        counts = self.counts()
        lines = ["Observatoire « %s », %s (%s) : %d nouvelle(s), %d modifiée(s), %d inchangée(s), "
                 "%d conflit(s), %d en erreur / %d new, %d changed, %d unchanged, %d conflict(s), %d with errors"
                 % (self.action_name, self.month, self.file_name, counts[NEW], counts[CHANGED], counts[UNCHANGED],
                    counts[CONFLICT], counts[INVALID], counts[NEW], counts[CHANGED], counts[UNCHANGED],
                    counts[CONFLICT], counts[INVALID])]
        for cell in self.cells:
            if cell.status == INVALID:
                lines.append("  %s %s : %s / %s" % (cell.code, cell.month, cell.message, cell.message_en))
            elif cell.status == CONFLICT:
                lines.append("  conflit / conflict %s %s : fichier / file %s, stockage / store %s (envoyé / sent %s)"
                             % (cell.code, cell.month, _shown(cell.file_value), _shown(cell.store_value),
                                _shown(cell.sent_value)))
            elif cell.status in (NEW, CHANGED):
                lines.append("  %s %s : %s → %s" % (cell.code, cell.month, _shown(cell.store_value),
                                                     _shown(cell.file_value)))
        return lines


def _shown(value) -> str:
    return "vide/empty" if value is None else str(value)


def _read(path: str):
    """(key-values, sent values {(code, month): value}, header, rows) of the workbook."""
    with XlsxReader(path) as reader:
        names = reader.sheet_names()
        reference_rows = list(reader.rows(REFERENCE_SHEET))
        main_rows = list(reader.rows(names[0]))
    keys = {}
    sent: Dict[Tuple[str, str], Optional[int]] = {}
    in_values = False
    for row in reference_rows:
        row = list(row) + [None] * 3
        if row[0] == "Code" and row[1] == "Mois":
            in_values = True
            continue
        if in_values and row[0]:
            sent[(str(row[0]), str(row[1]))] = model.as_count(row[2]) if model.value_problem(row[2]) is None else None
        elif not in_values and row[0]:
            keys[str(row[0])] = None if row[1] is None else str(row[1])
    for index, row in enumerate(main_rows):
        if row and row[0] == "Code":
            return keys, sent, [None if c is None else str(c) for c in row], main_rows[index + 1:]
    raise ObservatoryError("La ligne d'en-tête (colonne « Code ») manque dans la première feuille de %s."
                           % os.path.basename(path),
                           "The header row (column “Code”) is missing from the first sheet of %s."
                           % os.path.basename(path))


def preview_workbook(store, path: str) -> ObservatoryPreview:
    """Compare the filled workbook with the store: each cell new, changed, unchanged, in conflict
    (changed in the store since the workbook was made, and differently in the file) or invalid."""
    keys, sent, header, rows = _read(path)
    if keys.get("marqueur") != MARKER or not keys.get("dispositif") or not model.is_month(keys.get("mois")):
        raise ObservatoryError("%s n'est pas un observatoire mensuel de Résorption SIG." % os.path.basename(path),
                               "%s is not a Résorption SIG monthly workbook." % os.path.basename(path))
    action_uuid, month = keys["dispositif"], keys["mois"]
    month_columns = {index: title for index, title in enumerate(header) if model.is_month(title)}
    if month not in month_columns.values():
        raise ObservatoryError("La colonne du mois %s manque dans %s." % (month, os.path.basename(path)),
                               "The column of the month %s is missing from %s." % (month, os.path.basename(path)))
    with sql.connection_of(store) as connection:
        action = _action(connection, action_uuid)
        known_codes = {d.code for d in sql.definitions(connection, action.departement)}
        cells = sql.grid(connection, action_uuid)
    preview = ObservatoryPreview(path, action_uuid, action.name, month)
    resulting: Dict[str, Dict[str, Optional[int]]] = {}
    for row in rows:
        if not row or row[0] in (None, ""):
            continue
        code = str(row[0]).strip()
        if code not in known_codes:
            preview.cells.append(CellReport(code, month, INVALID, message="indicateur inconnu",
                                            message_en="unknown indicator"))
            continue
        for index, period in month_columns.items():
            raw = row[index] if index < len(row) else None
            stored = cells.get((code, period))
            store_value = stored.value if stored else None
            preview.versions[(code, period)] = stored.row_version if stored else None
            problem = model.value_problem(raw)
            if problem:
                preview.cells.append(CellReport(code, period, INVALID, store_value=store_value, message=problem[0],
                                                message_en=problem[1]))
                continue
            file_value = model.as_count(raw)
            sent_value = sent.get((code, period), store_value)
            report = CellReport(code, period, UNCHANGED, file_value, store_value, sent_value)
            if file_value != store_value:
                if file_value == sent_value:
                    report.file_value = store_value  # the officer's later value stays
                elif store_value != sent_value:
                    report.status = CONFLICT
                else:
                    report.status = NEW if store_value is None else CHANGED
            preview.cells.append(report)
            resulting.setdefault(period, {})[code] = report.file_value if report.status != CONFLICT else store_value
    for period, month_values in resulting.items():
        for code, message, message_en in model.subcount_problems(month_values):
            preview.cells.append(CellReport(code, period, INVALID, message=message, message_en=message_en))
    return preview


def apply_workbook(store, preview: ObservatoryPreview, login: str, take_file_in_conflicts: Optional[bool] = None) -> int:
    """Write the new and changed values in one transaction, history reason « import: <file> ».
    Nothing is written when a cell is invalid, or when conflicts are left without a choice
    (take_file_in_conflicts: True the file wins, False the store keeps its values)."""
    counts = preview.counts()
    if counts[INVALID]:
        raise ObservatoryError("%d cellule(s) en erreur dans %s : rien n'a été importé." % (
            counts[INVALID], preview.file_name),
            "%d cell(s) with errors in %s: nothing was imported." % (counts[INVALID], preview.file_name))
    if counts[CONFLICT] and take_file_in_conflicts is None:
        raise ObservatoryError(
            "%d valeur(s) ont été modifiées dans le stockage depuis l'envoi du classeur et diffèrent du fichier : "
            "choisissez (garder le stockage ou prendre le fichier). Rien n'a été importé." % counts[CONFLICT],
            "%d value(s) were changed in the store since the workbook was sent and differ from the file: "
            "choose (keep the store or take the file). Nothing was imported." % counts[CONFLICT])
    wanted = [NEW, CHANGED] + ([CONFLICT] if take_file_in_conflicts else [])
    changes = {(c.code, c.month): c.file_value for c in preview.cells if c.status in wanted}
    if not changes:
        return 0
    expected = {key: preview.versions.get(key) for key in changes}
    with contextlib.closing(store.connect()) as connection:
        try:
            return sql.save_month_values(connection, preview.action_uuid, changes, login,
                                         reason="import: %s" % preview.file_name, expected=expected)
        except StoreError:
            raise
        except Exception as error:  # a rule of the store: the transaction was rolled back
            raise ObservatoryError("Import refusé par le stockage, rien n'a été écrit : %s" % error,
                                   "Import refused by the store, nothing was written: %s" % error) from error
