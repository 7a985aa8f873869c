"""The « Dispositifs » tab of the Synthèse dock: the indicators summed over a period (by topic,
operator, dispositif, département, quarter or year), the months missing, and the finances per year."""
from typing import Callable, Optional

from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QGridLayout, QLabel, QPushButton,
                                 QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..i18n import pick, tr
from ..model import indicators as model
from ..model import vocabularies as voc
from ..store import indicators_sql as sql
from .store_access import READ_ERRORS, failure_text


def _month_edit(day: QDate) -> QDateEdit:
    edit = QDateEdit(day)
    edit.setDisplayFormat("MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _number(value) -> str:
    return "" if value is None else "{:,.0f}".format(value).replace(",", "\u202f")


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
    return item


class DispositifsSummary(QWidget):
    """`refresh()` reads the store `source()` gives (None: nothing to show)."""

    def __init__(self, source: Callable[[], Optional[object]], parent=None):
        super().__init__(parent)
        self.source = source
        self.result = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        controls = QGridLayout()
        self.departement = QComboBox()
        self.departement.setObjectName("dispositifs_departement")
        today = QDate.currentDate().addMonths(-1)
        self.first = _month_edit(today.addMonths(-11))
        self.last = _month_edit(today)
        self.by = QComboBox()
        self.by.setObjectName("dispositifs_by")
        for code, text in ((None, tr("Total")), ("topic", tr("Thématique")), ("operator", tr("Opérateur")),
                           ("action", tr("Dispositif")), ("departement", tr("Département")),
                           ("quarter", tr("Trimestre")), ("year", tr("Année"))):
            self.by.addItem(text, code)
        # One control a line: the Synthèse shares a laptop's width with a list and the map.
        for row, (label, control) in enumerate(((tr("Département"), self.departement), (tr("Ventiler par"), self.by),
                                                (tr("Du"), self.first), (tr("au"), self.last))):
            controls.addWidget(QLabel(label), row, 0)
            controls.addWidget(control, row, 1)
        layout.addLayout(controls)
        self.table = QTableWidget()
        self.table.setObjectName("dispositifs_figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setMaximumWidth(220)
        layout.addWidget(self.table, 3)
        self.finances = QTableWidget(0, 3)
        self.finances.setObjectName("dispositifs_finances")
        self.finances.setHorizontalHeaderLabels([tr("Prévu (€)"), tr("Dépensé (€)"), tr("Lignes sans dépense connue")])
        self.finances.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.finances.verticalHeader().setDefaultSectionSize(22)
        layout.addWidget(self.finances, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        refresh = QPushButton(tr("Actualiser"))
        refresh.clicked.connect(self.refresh)
        layout.addWidget(refresh)
        for combo in (self.departement, self.by):
            combo.currentIndexChanged.connect(lambda _index: self.refresh())
        for edit in (self.first, self.last):
            edit.dateChanged.connect(lambda _day: self.refresh())

    def refresh(self) -> None:
        source = self.source()
        if source is None:
            self.table.setRowCount(0)
            self.status.setText(tr("Aucun stockage ouvert."))
            return
        try:
            with sql.connection_of(source) as connection:
                departements = sorted({a.departement for a in sql.actions(connection)})
                definitions = sql.definitions(connection)
            self._fill_departements(departements)
            departement = self.departement.currentData()
            self.result = sql.indicator_sums(source, departement=departement,
                                             first=self.first.date().toString("yyyy-MM"),
                                             last=self.last.date().toString("yyyy-MM"), by=self.by.currentData())
            with sql.connection_of(source) as connection:
                found = sql.actions(connection, departement=departement)
                finances = sql.finances(connection, [a.uuid for a in found])
                names = {a.uuid: a.name for a in found}
        except READ_ERRORS as error:
            self.status.setText(failure_text(error))
            return
        self._show(definitions, names)
        self._show_finances(model.sum_finances(finances, ("year",)))

    def _fill_departements(self, departements) -> None:
        current = self.departement.currentData()
        self.departement.blockSignals(True)
        self.departement.clear()
        self.departement.addItem(tr("Tous"), None)
        for code in departements:
            self.departement.addItem(code, code)
        self.departement.setCurrentIndex(max(0, self.departement.findData(current)))
        self.departement.blockSignals(False)

    def _key_label(self, key: str, names) -> str:
        by = self.by.currentData()
        if by == "topic":
            return pick(voc.ACTION_TOPIC.label(key), voc.ACTION_TOPIC.label_en(key)) or key
        if by == "action":
            return names.get(key, key)
        return key

    def _show(self, definitions, names) -> None:
        result = self.result
        groups = result["groups"]
        columns = [(tr("Total"), result)] + [(self._key_label(g["key"], names), g) for g in groups]
        shown = [d for d in definitions if d.code in result["total"]]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(shown) + 1)
        self.table.setHorizontalHeaderLabels([title for title, _block in columns])
        labels = [("Σ " if d.is_flow else "") + pick(d.label, d.label_en or d.label) for d in shown]
        self.table.setVerticalHeaderLabels(labels + [tr("Mois non saisis")])
        for column, (_title, block) in enumerate(columns):
            for row, definition in enumerate(shown):
                self.table.setItem(row, column, _cell(_number(block["total"].get(definition.code))))
            self.table.setItem(len(shown), column, _cell(str(block["missing_months"])))
        self.status.setText(tr("Du {0} au {1} : flux (Σ) additionnés, stocks en fin de période ; les mois non saisis "
                               "sont comptés à part, jamais comme 0.").format(result["from"], result["to"]))

    def _show_finances(self, years) -> None:
        self.finances.setRowCount(len(years))
        self.finances.setVerticalHeaderLabels([str(y["year"]) for y in years])
        for row, year in enumerate(years):
            spent = year["spent"] if year["spent"] or not year["spent_unknown"] else None  # n.c., not 0
            for column, value in enumerate((year["planned"], spent, year["spent_unknown"])):
                self.finances.setItem(row, column, _cell(_number(value) if value is not None else tr("n.c.")))
        self.finances.resizeColumnsToContents()
