"""The Synthèse dock's table: its rows, how its values read, and its copies (clipboard, CSV).

The rows come from the figure declarations (model/sums.py: those shown in the dock, with
their short labels), the values from the sums engine; an unknown reads « n.c. », never 0.
The dock (synthesis_dock.py) only builds the widgets and shows these rows.
"""
import csv
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from qgis.PyQt.QtCore import QDate

from ..i18n import language, pick, tr
from ..model import figure_text
from ..model import sums as model
from ..model import vocabularies as voc
from ..settings import Settings
from ..store.sums_sql import EVERYWHERE, Territory

SECTION, FIGURE, UNKNOWN_COUNT, MOVEMENT, NOTE = "section", "figure", "unknown", "movement", "note"


def grouped_number(value: int) -> str:
    return "{:,}".format(value).replace(",", "\u202f")


def french_day(instant: Optional[str]) -> str:
    day = QDate.fromString((instant or model.now_instant())[:10], "yyyy-MM-dd")
    return day.toString("dd/MM/yyyy")


def figure_label(name: str) -> str:
    return model.FIGURES_BY_NAME[name].text(language() == "en")


def short_label(name: str) -> str:
    """What the dock's narrow first column shows (the full label is the tooltip and is what
    the clipboard and CSV carry): an unknown count reads under its figure."""
    if name in model.UNKNOWN_COUNTS:
        return tr("↳ dont sites non renseignés")
    figure = model.FIGURES_BY_NAME.get(name)
    return figure.short_label(language() == "en") if figure is not None else ""


@dataclass
class Request:
    """What to compute: where, when, compared with when."""
    location: str
    at: Optional[str]
    compare_at: Optional[str]
    territory: Territory = EVERYWHERE
    insertion_territory: Territory = EVERYWHERE
    description: str = ""
    out_of_date_months: int = Settings.out_of_date_months


@dataclass
class Row:
    """One line of the table: `values` are int, float (a rate), None (unknown) or '' (not applicable)."""
    name: str
    label: str
    kind: str  # SECTION, FIGURE, UNKNOWN_COUNT, MOVEMENT, NOTE
    values: List[object] = field(default_factory=list)


def difference(now, then) -> object:
    if isinstance(now, (int, float)) and isinstance(then, (int, float)):
        return round(now - then, 4) if isinstance(now, float) or isinstance(then, float) else now - then
    return ""


def known(block: Dict[str, object], name: str) -> object:
    """A value of the block as shown: None when unknown, '' while not computed yet."""
    if block.get(name) == "":
        return ""
    return figure_text.known_value(block, name)


def figure_rows(sites: Dict[str, object], insertion: Dict[str, object], compared: Optional[Dict[str, object]] = None,
                insertion_compared: Optional[Dict[str, object]] = None,
                reconstructed_before: Optional[str] = None) -> List[Row]:
    """The table shown, copied and exported: figures at the date (and at the comparison date,
    with their difference); unknown counts on their own lines, right under their figure; a note
    when some figures are reconstructed (before `reconstructed_before`)."""
    comparing = compared is not None
    rows = [Row("section_sites", tr("Sites ouverts à la date"), SECTION)]

    def values(now, then):
        return [now, then, difference(now, then)] if comparing else [now]

    for figure in model.shown_in(model.DOCK, model.FIGURES):
        kind = UNKNOWN_COUNT if figure.name in model.UNKNOWN_COUNTS else FIGURE
        then = known(compared["at_compare"], figure.name) if comparing else None
        rows.append(Row(figure.name, figure_label(figure.name), kind, values(known(sites, figure.name), then)))
    if comparing:
        rows.append(Row("section_movements", tr("Mouvements entre les deux dates"), SECTION))
        for figure in model.shown_in(model.DOCK, model.BETWEEN_FIGURES):
            # Between the dates: in the last column, under "Écart".
            rows.append(Row(figure.name, figure_label(figure.name), MOVEMENT, ["", "", compared[figure.name]]))
        outcomes = compared.get("outcomes")
        if outcomes is not None:
            rows.append(Row("section_outcomes", tr("Devenir des habitants des sites fermés entre les deux dates"),
                            SECTION))
            for outcome in outcomes["outcomes"]:
                solution = outcome["solution"]
                rows.append(Row("outcome_" + solution, tr("{0} (personnes)").format(pick(
                    voc.CLOSING_SOLUTION.label(solution), voc.CLOSING_SOLUTION.label_en(solution))), MOVEMENT,
                    ["", "", outcome["people"]]))
            rows.append(Row("outcome_not_recorded", tr("Sites fermés sans devenir renseigné"), MOVEMENT,
                            ["", "", outcomes["not_recorded"]["sites"]]))
    rows.append(Row("section_insertion", tr("Terrains d'insertion ouverts à la date"), SECTION))
    for figure in model.shown_in(model.DOCK, model.INSERTION_FIGURES):
        name = figure.name
        kind = UNKNOWN_COUNT if name in model.UNKNOWN_COUNTS or name.endswith("_unknown_occupancy") else FIGURE
        then = insertion_compared[name] if comparing and insertion_compared is not None else None
        rows.append(Row(name, figure_label(name), kind, values(insertion[name], then)))
    if reconstructed_before is not None:
        rows.append(Row("reconstructed", reconstructed_note(reconstructed_before), NOTE))
    return rows


def reconstructed_note(before: str) -> str:
    return tr("chiffres antérieurs au {0} reconstitués à partir des dates d'installation").format(
        french_day(before))


def shown(value, name: str, signed: bool = False) -> str:
    """A value as the dock shows it: grouped digits, a rate in per cent, None as « n.c. »."""
    if value is None:
        return pick(figure_text.NOT_KNOWN, figure_text.NOT_KNOWN_EN)
    if value == "":
        return ""
    if name == "occupancy_rate":
        text = ("%+.1f" if signed else "%.1f") % (value * 100)
        return text.replace(".", ",") + "\u202f%"
    if signed:
        return ("+" if value > 0 else "") + grouped_number(value).replace("-", "−")
    return grouped_number(value)


def exported(value, name: str) -> str:
    """A value for the clipboard and CSV: plain digits (a spreadsheet reads them as numbers)."""
    if value is None:
        return pick(figure_text.NOT_KNOWN, figure_text.NOT_KNOWN_EN)
    if value == "":
        return ""
    if name == "occupancy_rate":
        return ("%.4f" % value).replace(".", ",")
    return str(value)


def headers(request: Request) -> List[str]:
    first = tr("Au {0}").format(french_day(request.at))
    if request.compare_at is None:
        return [tr("Chiffre"), first]
    return [tr("Chiffre"), first, tr("Au {0}").format(french_day(request.compare_at)), tr("Écart")]


def export_lines(request: Request, rows: Sequence[Row]) -> List[List[str]]:
    """The table with its context (store, territory) as lines of cells."""
    lines = [[tr("Résorption SIG — synthèse")], [tr("Territoire"), request.description],
             [tr("Stockage"), request.location], [], headers(request)]
    for row in rows:
        if row.kind in (SECTION, NOTE):
            lines.append([row.label])
        else:
            lines.append([row.label] + [exported(v, row.name) for v in row.values])
    return lines


def tab_separated(lines: Sequence[Sequence[str]]) -> str:
    return "\r\n".join("\t".join(cell.replace("\t", " ") for cell in line) for line in lines) + "\r\n"


def write_csv(path: str, lines: Sequence[Sequence[str]]) -> None:
    # Semicolons and a BOM: what a French Excel opens directly, accents included.
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, delimiter=";").writerows(lines)
