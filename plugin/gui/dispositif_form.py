"""The tabs that declare a dispositif: « Dispositif » (fields, tags as chips, organisations with their
role), « Lieux » (linked sites and terrains) and « Financements » (year × financer, planned/spent).
They map a Declaration (store/actions_sql.py) to widgets and back; the store checks the rules."""
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLineEdit,
                                 QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSpinBox,
                                 QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..i18n import pick, tr
from ..model import vocabularies as voc
from ..store.actions_sql import Declaration, FinanceLine
from .dates import date_edit

CHIP_STYLE = ("QPushButton { border: 1px solid #8aa; border-radius: 10px; padding: 2px 8px; }"
              "QPushButton:checked { background: #2e6f9e; color: white; border-color: #2e6f9e; }")


def _label(vocabulary, code: str) -> str:
    return pick(vocabulary.label(code), vocabulary.label_en(code))


def _combo(vocabulary, empty: bool = False) -> QComboBox:
    combo = QComboBox()
    if empty:
        combo.addItem("", None)
    for code in vocabulary.codes:
        combo.addItem(_label(vocabulary, code), code)
    return combo


def _select(combo: QComboBox, data) -> None:
    index = combo.findData(data)
    combo.setCurrentIndex(max(index, 0))


class DeclarationTab(QWidget):
    """« Dispositif »: name, dates, goals, territory, tags, organisations, who enters the values."""

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name = QLineEdit()
        self.started = date_edit(QDate.currentDate(), name="started_at")
        self.has_end = QCheckBox(tr("Date de fin"))
        self.ended = date_edit(QDate.currentDate(), name="ended_at")
        self.ended.setEnabled(False)
        self.has_end.toggled.connect(self.ended.setEnabled)
        dates = QHBoxLayout()
        dates.addWidget(self.started)
        dates.addWidget(self.has_end)
        dates.addWidget(self.ended)
        self.goals = QPlainTextEdit()
        self.goals.setFixedHeight(48)
        self.departement = QLineEdit()
        self.departement.setMaxLength(3)
        self.departement.setFixedWidth(48)
        self.location = _combo(voc.ACTION_LOCATION_TYPE, empty=True)
        self.frequency = _combo(voc.REPORTING_FREQUENCY, empty=True)
        self.entered_by = QComboBox()
        for combo in (self.location, self.frequency, self.entered_by):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        place = QHBoxLayout()
        place.addWidget(self.departement)
        place.addWidget(self.location, 1)
        place.addWidget(self.frequency, 1)
        form.addRow(tr("Nom"), self.name)
        form.addRow(tr("Début"), dates)
        form.addRow(tr("Objectifs"), self.goals)
        form.addRow(tr("Dép., lieu, rythme"), place)
        chips = QGridLayout()
        chips.setSpacing(4)
        self.chips: Dict[str, QPushButton] = {}
        for index, code in enumerate(voc.ACTION_TOPIC.codes):
            chip = QPushButton(_label(voc.ACTION_TOPIC, code))
            chip.setCheckable(True)
            chip.setStyleSheet(CHIP_STYLE)
            chip.setObjectName("chip_" + code)
            self.chips[code] = chip
            chips.addWidget(chip, index // 2, index % 2)
        form.addRow(tr("Thématiques"), chips)
        self.organisations = QTableWidget(0, 2)
        self.organisations.setHorizontalHeaderLabels([tr("Structure"), tr("Rôle")])
        self.organisations.horizontalHeader().setStretchLastSection(True)
        self.organisations.verticalHeader().setVisible(False)
        self.organisations.setFixedHeight(100)
        self.organisations.setColumnWidth(0, 210)
        add = QPushButton(tr("Ajouter une structure"))
        add.clicked.connect(lambda: self.add_organisation(None, "operator"))
        remove = QPushButton(tr("Retirer"))
        remove.clicked.connect(lambda: self.organisations.removeRow(self.organisations.currentRow()))
        rows = QVBoxLayout()
        rows.addWidget(self.organisations)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add)
        row_buttons.addWidget(remove)
        rows.addLayout(row_buttons)
        form.addRow(tr("Structures"), rows)
        form.addRow(tr("Saisie par"), self.entered_by)
        self.choices: Sequence[Tuple[str, str, str]] = ()

    def set_organisation_choices(self, choices: Sequence[Tuple[str, str, str]]) -> None:
        self.choices = choices

    def add_organisation(self, organisation: Optional[str], role: str) -> None:
        row = self.organisations.rowCount()
        self.organisations.insertRow(row)
        names = QComboBox()
        for uuid, name, _type in self.choices:
            names.addItem(name, uuid)
        if organisation:
            _select(names, organisation)
        roles = _combo(voc.ORGANISATION_ROLE)
        _select(roles, role)
        self.organisations.setCellWidget(row, 0, names)
        self.organisations.setCellWidget(row, 1, roles)

    def show(self, declaration: Declaration) -> None:  # noqa: A003 (the tab shows a declaration)
        values = declaration.values
        self.name.setText(values.get("name") or "")
        self.started.setDate(QDate.fromString(values.get("started_at") or "", "yyyy-MM-dd")
                             if values.get("started_at") else QDate.currentDate())
        self.has_end.setChecked(bool(values.get("ended_at")))
        if values.get("ended_at"):
            self.ended.setDate(QDate.fromString(values["ended_at"], "yyyy-MM-dd"))
        self.goals.setPlainText(values.get("goals") or "")
        self.departement.setText(values.get("departement") or "")
        _select(self.location, values.get("location_type"))
        _select(self.frequency, values.get("reporting_frequency"))
        for code, chip in self.chips.items():
            chip.setChecked(code in declaration.topics)
        self.organisations.setRowCount(0)
        for organisation, role in declaration.organisations:
            self.add_organisation(organisation, role)
        self.entered_by.clear()
        self.entered_by.addItem(tr("(non renseigné)"), None)
        for uuid, name, _type in self.choices:
            self.entered_by.addItem(name, uuid)
        _select(self.entered_by, values.get("values_entered_by"))

    def read_into(self, declaration: Declaration) -> None:
        declaration.values.update(
            name=self.name.text().strip() or None, started_at=self.started.date().toString("yyyy-MM-dd"),
            ended_at=self.ended.date().toString("yyyy-MM-dd") if self.has_end.isChecked() else None,
            goals=self.goals.toPlainText().strip() or None, departement=self.departement.text().strip().upper() or None,
            location_type=self.location.currentData(), reporting_frequency=self.frequency.currentData(),
            values_entered_by=self.entered_by.currentData())
        declaration.topics = [code for code, chip in self.chips.items() if chip.isChecked()]
        declaration.organisations = [
            (self.organisations.cellWidget(row, 0).currentData(), self.organisations.cellWidget(row, 1).currentData())
            for row in range(self.organisations.rowCount()) if self.organisations.cellWidget(row, 0).currentData()]


class PlacesTab(QWidget):
    """« Lieux »: sites and terrains linked as landmarks, chosen by name or on the map."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.names: Dict[str, str] = {}
        self.kind: Dict[str, str] = {}
        self.list = QListWidget()
        layout.addWidget(self.list, 1)
        chooser = QHBoxLayout()
        self.by_name = QComboBox()
        self.by_name.setEditable(True)
        self.by_name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.by_name.lineEdit().setPlaceholderText(tr("Site ou terrain, par son nom"))
        add = QPushButton(tr("Ajouter"))
        add.clicked.connect(self._add_chosen)
        self.on_map = QPushButton(tr("Choisir sur la carte"))
        remove = QPushButton(tr("Retirer"))
        remove.clicked.connect(lambda: self.list.takeItem(self.list.currentRow()))
        chooser.addWidget(self.by_name, 1)
        chooser.addWidget(add)
        layout.addLayout(chooser)
        buttons = QHBoxLayout()
        buttons.addWidget(self.on_map)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def set_places(self, sites: Sequence[Tuple[str, str]], terrains: Sequence[Tuple[str, str]]) -> None:
        self.names, self.kind = {}, {}
        self.by_name.clear()
        for kind, places, prefix in (("site", sites, tr("Site")), ("terrain", terrains, tr("Terrain"))):
            for uuid, name in places:
                self.names[uuid] = "%s : %s" % (prefix, name)
                self.kind[uuid] = kind
                self.by_name.addItem(self.names[uuid], uuid)
        self.by_name.setCurrentIndex(-1)

    def add(self, uuid: str) -> None:
        if uuid in self.linked() or uuid not in self.names:
            return
        item = QListWidgetItem(self.names[uuid])
        item.setData(Qt.ItemDataRole.UserRole, uuid)
        self.list.addItem(item)

    def _add_chosen(self) -> None:
        index = self.by_name.findText(self.by_name.currentText())
        if index >= 0:
            self.add(self.by_name.itemData(index))

    def linked(self) -> List[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def show(self, declaration: Declaration) -> None:  # noqa: A003
        self.list.clear()
        for uuid in declaration.sites + declaration.terrains:
            self.add(uuid)

    def read_into(self, declaration: Declaration) -> None:
        declaration.sites = [u for u in self.linked() if self.kind.get(u) == "site"]
        declaration.terrains = [u for u in self.linked() if self.kind.get(u) == "terrain"]


class FinancesTab(QWidget):
    """« Financements »: one row per year and financer, planned and spent (empty = not known yet)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Année"), tr("Financeur"), tr("Prévu (€)"), tr("Dépensé (€)")])
        self.table.verticalHeader().setVisible(False)
        self.table.setColumnWidth(1, 200)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        add = QPushButton(tr("Ajouter une ligne"))
        add.clicked.connect(lambda: self.add_line(FinanceLine(QDate.currentDate().year(), "dedie", None, None)))
        remove = QPushButton(tr("Retirer"))
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_line(self, line: FinanceLine) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        year = QSpinBox()
        year.setRange(2000, 2100)
        year.setValue(line.year)
        financer = _combo(voc.FINANCE_TYPE)
        _select(financer, line.finance_type)
        self.table.setCellWidget(row, 0, year)
        self.table.setCellWidget(row, 1, financer)
        for column, amount in ((2, line.amount), (3, line.real_amount)):
            item = QTableWidgetItem("" if amount is None else "%.0f" % amount)
            item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
            self.table.setItem(row, column, item)

    def show(self, declaration: Declaration) -> None:  # noqa: A003
        self.table.setRowCount(0)
        for line in declaration.finances:
            self.add_line(line)

    def read_into(self, declaration: Declaration) -> List[str]:
        """Fill the declaration's finances; returns the amounts that are not numbers."""
        wrong, lines = [], []
        for row in range(self.table.rowCount()):
            amounts = []
            for column in (2, 3):
                text = (self.table.item(row, column).text() if self.table.item(row, column) else "").strip()
                text = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
                try:
                    amounts.append(float(text) if text else None)
                except ValueError:
                    wrong.append(text)
                    amounts.append(None)
            lines.append(FinanceLine(self.table.cellWidget(row, 0).value(), self.table.cellWidget(row, 1).currentData(),
                                     *amounts))
        declaration.finances = lines
        return wrong
