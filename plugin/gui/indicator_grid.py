"""The « Indicateurs » tab: the monthly grid of one dispositif (indicators × months).

Past months are read-only unless unlocked; late months are highlighted; the
months edited are saved together, checked by the store's rules."""
import datetime as dt
from typing import Callable, Dict, List, Optional, Tuple

from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                                 QVBoxLayout, QWidget)

from ..i18n import pick, tr
from ..model import indicators as model
from ..store import indicators_sql as sql

LATE_COLOUR = QColor("#f8cbad")
EDITED_COLOUR = QColor("#fff2cc")
WRONG_COLOUR = QColor("#ff7b7b")
LOCKED_COLOUR = QColor("#eeeeee")
MONTHS_SHOWN = 24
# The reason the history keeps for values entered in the grid (data, not interface: not translated).
ENTRY_REASON = "saisie mensuelle"


class IndicatorGrid(QWidget):
    """`show_action(source, action)`; `save()` writes the edited cells (returns how many)."""

    def __init__(self, login: Callable[[], str], parent=None):
        super().__init__(parent)
        self.login = login
        self.source = None
        self.action: Optional[model.Action] = None
        self.definitions: List[model.Definition] = []
        self.months: List[str] = []
        self.cells: Dict[Tuple[str, str], sql.Cell] = {}
        self.late: List[str] = []
        self.edited: Dict[Tuple[str, str], Optional[int]] = {}
        self.today = dt.date.today()
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget()
        self.table.setObjectName("indicatorGrid")
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(62)
        # Long labels are cut (the whole label is in the tooltip): the months keep the room.
        self.table.verticalHeader().setMaximumWidth(210)
        self.table.itemChanged.connect(self._item_changed)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.unlock = QCheckBox(tr("Déverrouiller les mois passés"))
        self.unlock.toggled.connect(lambda _on: self._apply_locks())
        self.save_button = QPushButton(tr("Enregistrer les valeurs"))
        self.save_button.setEnabled(False)
        self.local_button = QPushButton(tr("Indicateur local…"))
        self.local_button.setToolTip(tr("Créer un indicateur propre au département du dispositif"))
        buttons.addWidget(self.unlock)
        buttons.addStretch(1)
        buttons.addWidget(self.local_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def open_months(self) -> List[str]:
        """The months entered without unlocking: last month (the one being reported) and this one."""
        return [model.previous_month(self.today), model.month_of(self.today)]

    def show_action(self, source, action: Optional[model.Action]) -> None:
        self.source, self.action = source, action
        self.edited = {}
        self.save_button.setEnabled(False)
        if action is None:
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.summary.setText("")
            return
        with sql.connection_of(source) as connection:
            self.definitions = sql.definitions(connection, action.departement)
            self.cells = sql.grid(connection, action.uuid)
        current = model.month_of(self.today)
        last = min(current, action.ended_at[:7]) if action.ended_at else current
        self.months = model.month_range(max(action.started_at[:7], model.add_months(last, 1 - MONTHS_SHOWN)), last)
        entered = {month for _code, month in self.cells}
        self.late = [m for m in model.missing_months(action, entered, self.today) if m in self.months]
        self._fill()
        text = tr("Saisie par : {0}").format(action.values_entered_by or tr("non renseigné"))
        if self.late:
            text += " — " + tr("en retard : {0}").format(", ".join(self.late))
        self.summary.setText(text)
        self.summary.setToolTip(tr("Σ : flux, additionnés sur les mois ; les autres sont des stocks, lus en fin de "
                                   "mois. Une case vide est inconnue, jamais zéro."))

    def _fill(self) -> None:
        self._filling = True
        self.table.clear()
        self.table.setRowCount(len(self.definitions))
        self.table.setColumnCount(len(self.months))
        self.table.setHorizontalHeaderLabels(self.months)
        for row, definition in enumerate(self.definitions):
            label = ("Σ " if definition.is_flow else "") + pick(definition.label, definition.label_en or definition.label)
            header = QTableWidgetItem(label)
            header.setToolTip("%s (%s)" % (label, definition.code))
            self.table.setVerticalHeaderItem(row, header)
        for column, month in enumerate(self.months):
            header = self.table.horizontalHeaderItem(column)
            if month in self.late:
                header.setBackground(QBrush(LATE_COLOUR))
                header.setToolTip(tr("Mois en retard : aucune valeur saisie"))
            for row, definition in enumerate(self.definitions):
                cell = self.cells.get((definition.code, month))
                item = QTableWidgetItem("" if cell is None or cell.value is None else str(cell.value))
                item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if cell is not None:
                    item.setToolTip(tr("Saisi par {0} le {1}").format(cell.updated_by or "?",
                                                                      (cell.updated_at or "")[:10]))
                self.table.setItem(row, column, item)
        self._apply_locks()
        self._filling = False
        QTimer.singleShot(0, self._show_latest)

    def _show_latest(self) -> None:
        """The latest months in view (once the table has its width)."""
        bar = self.table.horizontalScrollBar()
        bar.setValue(bar.maximum())

    def showEvent(self, event):  # noqa: N802 (Qt API)
        super().showEvent(event)
        QTimer.singleShot(0, self._show_latest)

    def _apply_locks(self) -> None:
        filling, self._filling = self._filling, True
        unlocked = self.unlock.isChecked()
        editable = set(self.open_months())
        for column, month in enumerate(self.months):
            open_ = unlocked or month in editable
            for row in range(self.table.rowCount()):
                item = self.table.item(row, column)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if open_:
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                key = (self.definitions[row].code, month)
                if key in self.edited:
                    continue
                if month in self.late:
                    item.setBackground(QBrush(LATE_COLOUR))
                elif not open_:
                    item.setBackground(QBrush(LOCKED_COLOUR))
                else:
                    item.setBackground(QBrush())
        self._filling = filling

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        key = (self.definitions[item.row()].code, self.months[item.column()])
        text = item.text().strip()
        problem = model.value_problem(text)
        if problem:
            item.setBackground(QBrush(WRONG_COLOUR))
            item.setToolTip(pick(*problem))
            self.edited[key] = None
        else:
            item.setBackground(QBrush(EDITED_COLOUR))
            item.setToolTip("")
            self.edited[key] = model.as_count(text)
        self.save_button.setEnabled(bool(self.edited))

    def problems(self) -> List[str]:
        """What prevents saving: wrong cells, sub-counts above their totals."""
        found = []
        for (code, month), _value in self.edited.items():
            row = [d.code for d in self.definitions].index(code)
            text = self.table.item(row, self.months.index(month)).text().strip()
            problem = model.value_problem(text)
            if problem:
                found.append("%s %s : %s" % (code, month, pick(*problem)))
        for month in sorted({m for _c, m in self.edited}):
            values = {code: cell.value for (code, m), cell in self.cells.items() if m == month}
            values.update({code: v for (code, m), v in self.edited.items() if m == month})
            found += ["%s : %s" % (month, pick(fr, en)) for _code, fr, en in model.subcount_problems(values)]
        return found

    def save(self) -> int:
        """Write the edited months together; the store checks its rules; nothing is written on a refusal."""
        if not self.edited or self.action is None:
            return 0
        expected = {key: (self.cells[key].row_version if key in self.cells else None) for key in self.edited}
        with sql.connection_of(self.source) as connection:
            written = sql.save_month_values(connection, self.action.uuid, dict(self.edited), self.login(),
                                            reason=ENTRY_REASON, expected=expected)
        self.show_action(self.source, self.action)
        return written


class HouseholdsTab(QWidget):
    """« Ménages suivis »: the group of households followed and its size month by month (the stocks
    households, people, women, minors of the grid)."""
    CODES = ("households", "people", "women", "minors")

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel(tr("Le suivi porte sur un groupe de ménages, pas sur un lieu : les sites et terrains "
                              "liés (onglet Lieux) sont des repères. Vide = non saisi."))
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(self.CODES))
        self.table.setHorizontalHeaderLabels([tr("Ménages"), tr("Personnes"), tr("dont femmes"), tr("dont mineurs")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        layout.addWidget(self.table, 1)

    def show_grid(self, grid: IndicatorGrid) -> None:
        months = list(reversed(grid.months))
        self.table.setRowCount(len(months))
        self.table.setVerticalHeaderLabels(months)
        for row, month in enumerate(months):
            for column, code in enumerate(self.CODES):
                cell = grid.cells.get((code, month))
                item = QTableWidgetItem("" if cell is None or cell.value is None else str(cell.value))
                item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if month in grid.late:
                    item.setBackground(QBrush(LATE_COLOUR))
                self.table.setItem(row, column, item)
