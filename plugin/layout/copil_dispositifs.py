"""The COPIL's « Dispositifs » page, added after the territory's page (`report --dispositifs`):
the dispositifs active over the period (between the comparison date and the map's date), the
households they follow, the core indicators over the period with their trend, the finances planned
and spent per year. Built from code (three manual tables on a page of the template's size)."""
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from qgis.core import (QgsLayoutFrame, QgsLayoutItemLabel, QgsLayoutItemManualTable, QgsLayoutItemPage,
                       QgsLayoutPoint, QgsLayoutSize, QgsLayoutTable, QgsLayoutTableColumn, QgsPrintLayout, QgsTableCell,
                       QgsTextFormat, QgsUnitTypes)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QFont

from ..model import indicators as model
from ..store import indicators_sql as sql
from ..store.base import Store

TRENDS = {"up": "↗ hausse", "down": "↘ baisse", "flat": "→ stable", None: "–"}
MARGIN_MM = 12.0
MAX_DISPOSITIFS = 18


@dataclass
class DispositifsPage:
    first: str
    last: str
    actions: List[Tuple[str, str, Optional[int]]] = field(default_factory=list)  # name, operators, households
    indicators: List[Tuple[str, str, str]] = field(default_factory=list)         # label, over the period, trend
    finances: List[Tuple[str, str, str]] = field(default_factory=list)           # year, planned, spent
    missing_months: int = 0
    more: int = 0


def _number(value) -> str:
    return "n.c." if value is None else "{:,.0f}".format(value).replace(",", "\u202f")


def gather(store: Store, departement: str, at: str, compare: str) -> DispositifsPage:
    """The page's figures: months from the comparison date's to the map date's."""
    first, last = compare[:7], at[:7]
    page = DispositifsPage(first, last)
    with sql.connection_of(store) as connection:
        actions = [a for a in sql.actions(connection, departement=departement) if a.active_months(first, last)]
        definitions = sql.definitions(connection)
        values = sql.values(connection, [a.uuid for a in actions], first, last)
        finances = sql.finances(connection, [a.uuid for a in actions])
    by_action = model.sum_indicators(definitions, actions, values, first, last, by="action")
    households = {g["key"]: g["total"].get("households") for g in by_action["groups"]}
    ordered = sorted(actions, key=lambda a: a.name)
    page.actions = [(a.name, ", ".join(a.operators), households.get(a.uuid)) for a in ordered[:MAX_DISPOSITIFS]]
    page.more = max(0, len(ordered) - MAX_DISPOSITIFS)
    page.missing_months = by_action["missing_months"]
    monthly = model.sum_indicators(definitions, actions, values, first, last, by="month")
    # The trend reads the months every dispositif entered (a month half entered would look like a fall).
    complete = [g for g in monthly["groups"] if not g["missing_months"]] or monthly["groups"]
    for definition in definitions:
        if definition.scope != "core":
            continue
        series = [g["total"].get(definition.code) for g in complete]
        page.indicators.append((("Σ " if definition.is_flow else "") + definition.label,
                                _number(by_action["total"].get(definition.code)), TRENDS[model.trend(series)]))
    years = range(int(first[:4]), int(last[:4]) + 1)
    for year in model.sum_finances([f for f in finances if f.year in years], ("year",)):
        spent = _number(year["spent"]) if year["spent"] or not year["spent_unknown"] else "n.c."
        if year["spent"] and year["spent_unknown"]:
            spent += " (+%d n.c.)" % year["spent_unknown"]
        page.finances.append((str(year["year"]), _number(year["planned"]), spent))
    return page


def _table(layout: QgsPrintLayout, page: int, x: float, y: float, width: float, height: float,
           headers: List[Tuple[str, float]], rows: List[List[str]], font_size: float, first_number: int = 1) -> None:
    """A manual table at (x, y) mm of `page`; `headers`: (title, share of the width); the columns from
    `first_number` on are figures, aligned right."""
    table = QgsLayoutItemManualTable.create(layout)
    layout.addMultiFrame(table)
    columns = []
    for index, (title, share) in enumerate(headers):
        column = QgsLayoutTableColumn(title)
        column.setHAlignment(Qt.AlignmentFlag.AlignLeft if index < first_number else Qt.AlignmentFlag.AlignRight)
        columns.append(column)
    table.setHeaders(columns)
    table.setIncludeTableHeader(True)
    table.setColumnWidths([share * (width - 2 * len(headers)) for _title, share in headers])
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    text = QgsTextFormat(table.contentTextFormat())
    text.setSize(font_size)
    table.setContentTextFormat(text)
    header = QgsTextFormat(table.headerTextFormat())
    header.setSize(font_size)
    table.setHeaderTextFormat(header)
    contents = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            cell = QgsTableCell(value)
            cell.setHorizontalAlignment(Qt.AlignmentFlag.AlignLeft if index < first_number
                                        else Qt.AlignmentFlag.AlignRight)
            cells.append(cell)
        contents.append(cells)
    table.setTableContents(contents)
    frame = QgsLayoutFrame(layout, table)
    frame.attemptResize(QgsLayoutSize(width, height, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    frame.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters), page=page)
    table.addFrame(frame)
    table.refresh()


def _label(layout: QgsPrintLayout, page: int, text: str, x: float, y: float, width: float, size: float,
           bold: bool = False) -> None:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    label.setFont(font)
    layout.addLayoutItem(label)
    label.attemptResize(QgsLayoutSize(width, size * 0.9, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    label.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters), page=page)


def add_page(layout: QgsPrintLayout, data: DispositifsPage, territory: str, paper: str) -> None:
    """A page after the template's, of its size."""
    first_page = layout.pageCollection().page(0)
    page = QgsLayoutItemPage(layout)
    page.setPageSize(first_page.pageSize())
    layout.pageCollection().addPage(page)
    index = layout.pageCollection().pageCount() - 1
    size = first_page.pageSize()
    width, height = size.width(), size.height()
    scale = 1.25 if paper == "A3" else 1.0
    font = 7.5 * scale
    column = (width - 3 * MARGIN_MM) / 2
    _label(layout, index, "Dispositifs %s" % territory, MARGIN_MM, MARGIN_MM, width - 2 * MARGIN_MM, 16 * scale,
           bold=True)
    _label(layout, index, "Du %s au %s ; %d mois non saisis (comptés à part, jamais comme 0). Sur la période : "
                          "stocks en fin de période, flux (Σ) additionnés ; tendance sur les mois saisis par tous."
           % (data.first, data.last, data.missing_months),
           MARGIN_MM, MARGIN_MM + 12 * scale, width - 2 * MARGIN_MM, 9 * scale)
    top = MARGIN_MM + 24 * scale
    rows = [[name, operators, _number(households)] for name, operators, households in data.actions]
    if data.more:
        rows.append(["… et %d autre(s)" % data.more, "", ""])
    _table(layout, index, MARGIN_MM, top, column, height - top - MARGIN_MM,
           [("Dispositifs actifs sur la période", 0.44), ("Opérateurs", 0.4), ("Ménages", 0.16)], rows, font,
           first_number=2)
    right = 2 * MARGIN_MM + column
    indicator_height = (len(data.indicators) + 2) * 5.5 * scale
    _table(layout, index, right, top, column, indicator_height,
           [("Indicateurs du socle commun", 0.6), ("Sur la période", 0.2), ("Tendance", 0.2)],
           [list(r) for r in data.indicators], font)
    _table(layout, index, right, top + indicator_height + 8 * scale, column, height - top - indicator_height - 20,
           [("Financements (année)", 0.4), ("Prévu (€)", 0.28), ("Dépensé (€)", 0.32)],
           [list(r) for r in data.finances], font)

