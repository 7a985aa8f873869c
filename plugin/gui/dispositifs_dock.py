"""The « Dispositifs » dock: the list with search and filters, and a dispositif's tabs (Dispositif,
Ménages suivis, Lieux, Financements, Indicateurs); the operator's workbook out and back in.
Its linked sites and terrains are highlighted on the map while it is selected."""
import contextlib
import datetime as dt
from typing import Dict, List, Optional

from qgis.core import Qgis, QgsFeatureRequest, QgsPointXY, QgsRectangle, QgsVectorLayer
from qgis.gui import QgsDockWidget, QgsFilterLineEdit, QgsHighlight
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout,
                                 QHeaderView,
                                 QLabel, QMessageBox, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                                 QTabWidget, QVBoxLayout, QWidget)

from ..exchange import observatory
from ..i18n import pick, tr
from ..layers import loader
from ..model import indicators as model
from ..model import vocabularies as voc
from ..settings import Settings
from ..store import actions_sql, is_postgres, open_store
from ..store import indicators_sql as sql
from ..store.actions_sql import Declaration
from .dates import date_edit
from .dispositif_form import DeclarationTab, FinancesTab, PlacesTab
from .indicator_grid import LATE_COLOUR, HouseholdsTab, IndicatorGrid
from .local_indicator_dialog import LocalIndicatorDialog
from .map_tools import PointTool
from .scrolling import scrollable
from .store_access import READ_ERRORS, LayerStore, failure_text, refusal_text

OBJECT_NAME = "ResorptionDispositifsDock"
HIGHLIGHT = QColor(0, 90, 200)


class DispositifsDock(QgsDockWidget):
    table_name = "actions"

    def __init__(self, iface):
        super().__init__(tr("Dispositifs"), iface.mainWindow() if iface is not None else None)
        self.iface = iface
        self.setObjectName(OBJECT_NAME)
        self.layer: Optional[QgsVectorLayer] = None
        self.related: Dict[str, QgsVectorLayer] = {}
        self.source: Optional[LayerStore] = None
        self.all_actions: List[model.Action] = []
        self.shown: List[model.Action] = []
        self.late: Dict[str, List[str]] = {}
        self.declaration: Optional[Declaration] = None
        self.highlights: List[QgsHighlight] = []
        self.last_message = ""
        self.local_dialog: Optional[LocalIndicatorDialog] = None
        self.today = dt.date.today()
        self._build()
        canvas = iface.mapCanvas() if iface is not None else None
        self.pick_tool = PointTool(canvas, lambda: self.related.get("sites"), self.pick_place_at) if canvas else None

    # --- widgets ----------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(tr("Nouveau"))
        self.new_button.clicked.connect(self.new_action)
        self.save_button = QPushButton(tr("Enregistrer"))
        self.save_button.setToolTip(tr("Enregistrer la déclaration : dispositif, lieux, financements"))
        self.save_button.clicked.connect(lambda: self._guarded(self.save))
        self.workbook_button = QPushButton(tr("Classeur…"))
        self.workbook_button.setToolTip(tr("Classeur Excel du mois dernier à envoyer à l'opérateur"))
        self.workbook_button.clicked.connect(lambda: self._guarded(self.write_workbook))
        self.import_button = QPushButton(tr("Importer…"))
        self.import_button.setToolTip(tr("Importer le classeur rempli par l'opérateur"))
        self.import_button.clicked.connect(lambda: self._guarded(self.import_workbook))
        for button in (self.new_button, self.save_button, self.workbook_button, self.import_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.search = QgsFilterLineEdit()
        self.search.setShowSearchIcon(True)
        self.search.setPlaceholderText(tr("Rechercher : nom du dispositif ou d'un opérateur"))
        self.search.textChanged.connect(self.apply_filter)
        layout.addWidget(self.search)
        filters = QGridLayout()
        self.topic_combo = QComboBox()
        self.topic_combo.setToolTip(tr("Thématique"))
        self.topic_combo.addItem(tr("Toutes thématiques"), None)
        for code in voc.ACTION_TOPIC.codes:
            self.topic_combo.addItem(pick(voc.ACTION_TOPIC.label(code), voc.ACTION_TOPIC.label_en(code)), code)
        self.operator_combo = QComboBox()
        self.operator_combo.setToolTip(tr("Opérateur"))
        self.departement_combo = QComboBox()
        self.departement_combo.setToolTip(tr("Département"))
        self.active_check = QCheckBox(tr("Actifs le"))
        self.active_date = date_edit(QDate.currentDate(), name="active_at")
        self.late_check = QCheckBox(tr("En retard de saisie"))
        for combo in (self.topic_combo, self.operator_combo, self.departement_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        filters.addWidget(self.topic_combo, 0, 0)
        filters.addWidget(self.operator_combo, 0, 1)
        filters.addWidget(self.departement_combo, 0, 2)
        filters.addWidget(self.active_check, 1, 0)
        filters.addWidget(self.active_date, 1, 1)
        filters.addWidget(self.late_check, 1, 2)
        filters.setColumnStretch(0, 2)
        filters.setColumnStretch(1, 2)
        filters.setColumnStretch(2, 1)
        for combo in (self.topic_combo, self.operator_combo, self.departement_combo):
            combo.currentIndexChanged.connect(self.apply_filter)
        for check in (self.active_check, self.late_check):
            check.toggled.connect(self.apply_filter)
        self.active_date.dateChanged.connect(self.apply_filter)
        layout.addLayout(filters)
        self.list = QTableWidget(0, 4)
        self.list.setObjectName("dispositifsList")
        self.list.setHorizontalHeaderLabels([tr("Nom"), tr("Dép."), tr("Opérateurs"), tr("Retard")])
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().setVisible(False)
        self.list.verticalHeader().setDefaultSectionSize(22)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 40), (2, 130), (3, 60)):
            self.list.setColumnWidth(column, width)
        self.list.setMinimumHeight(66)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.totals = QLabel()
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.list, 1)
        listing_layout.addWidget(self.totals)
        self.tabs = QTabWidget()
        self.declaration_tab = DeclarationTab()
        self.households_tab = HouseholdsTab()
        self.places_tab = PlacesTab()
        self.places_tab.on_map.clicked.connect(self.start_picking)
        self.finances_tab = FinancesTab()
        self.grid = IndicatorGrid(lambda: Settings.load().effective_login())
        self.grid.save_button.clicked.connect(lambda: self._guarded(self.save_values))
        self.grid.local_button.clicked.connect(lambda: self._guarded(self.add_local_indicator))
        self.tabs.addTab(scrollable(self.declaration_tab), tr("Dispositif"))
        self.tabs.addTab(self.households_tab, tr("Ménages suivis"))
        self.tabs.addTab(self.places_tab, tr("Lieux"))
        self.tabs.addTab(self.finances_tab, tr("Financements"))
        self.tabs.addTab(self.grid, tr("Indicateurs"))
        # The list above, the dispositif below: the officer gives either more room.
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(listing)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([110, 400])
        layout.addWidget(splitter, 1)
        layout.setContentsMargins(4, 4, 4, 4)
        self.setWidget(body)
        self._enable()

    def _enable(self) -> None:
        ready = self.source is not None and not self.source.read_only
        for widget in (self.new_button, self.save_button, self.import_button):
            widget.setEnabled(ready)
        self.workbook_button.setEnabled(self.selected() is not None)
        self.tabs.setEnabled(self.declaration is not None)

    def notify(self, text: str, level=Qgis.MessageLevel.Info) -> None:
        self.last_message = text
        if self.iface is not None and hasattr(self.iface, "messageBar"):
            self.iface.messageBar().pushMessage(self.windowTitle(), text, level, 6)

    def _guarded(self, callback) -> None:
        """Run an action; a refusal (store rule, unreadable file) is said, never silent."""
        try:
            callback()
        except READ_ERRORS + (observatory.ObservatoryError,) as error:
            self.notify(failure_text(error), Qgis.MessageLevel.Warning)
        except Exception as error:  # PostgreSQL's refusals (SQLite's are among READ_ERRORS): the rule says why
            if not sql.refused_by_store(error):
                raise
            self.notify(refusal_text(error), Qgis.MessageLevel.Warning)

    # --- the store -----------------------------------------------------------------------
    def set_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        if layer is self.layer:
            return
        self.layer = layer
        location = layer.customProperty(loader.STORE_PROPERTY) if layer is not None else None
        self.source = None
        try:
            # A shared PostGIS store is read through its own connections; a file through the layers' store.
            self.source = (open_store(location) if is_postgres(location) else LayerStore(location)) \
                if location else None
        except READ_ERRORS as error:
            self.notify(failure_text(error), Qgis.MessageLevel.Warning)
        self.reload()

    def set_related_layers(self, layers) -> None:
        self.related = layers

    def reload(self, keep: Optional[str] = None) -> None:
        self.all_actions, self.late = [], {}
        if self.source is not None:
            try:
                with sql.connection_of(self.source) as connection:
                    self.all_actions = sql.actions(connection)
                    entered = sql.entered_months(connection)
                    choices = actions_sql.organisation_choices(connection)
                    sites = actions_sql.place_names(connection, "sites")
                    terrains = actions_sql.place_names(connection, "insertion_sites")
            except READ_ERRORS as error:
                self.notify(failure_text(error), Qgis.MessageLevel.Warning)
                choices, sites, terrains, entered = [], [], [], {}
            self.late = model.late_months(self.all_actions, entered, self.today)
            self.declaration_tab.set_organisation_choices(choices)
            self.places_tab.set_places(sites, terrains)
        self._fill_filter(self.operator_combo, sorted({o for a in self.all_actions for o in a.operators}),
                          tr("Tous opérateurs"))
        self._fill_filter(self.departement_combo, sorted({a.departement for a in self.all_actions}), tr("Tous dép."))
        self.apply_filter()
        if keep:
            self.select(keep)

    @staticmethod
    def _fill_filter(combo: QComboBox, values, everything: str) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def apply_filter(self, *_args) -> None:
        selected = self.selected()
        self.shown = model.filter_actions(
            self.all_actions, self.search.text(), self.topic_combo.currentData(), self.operator_combo.currentData(),
            self.departement_combo.currentData(),
            self.active_date.date().toString("yyyy-MM-dd") if self.active_check.isChecked() else None,
            self.late if self.late_check.isChecked() else None)
        self.list.blockSignals(True)
        self.list.setRowCount(len(self.shown))
        for row, action in enumerate(self.shown):
            late = self.late.get(action.uuid, [])
            texts = (action.name, action.departement, ", ".join(action.operators),
                     tr("{0} mois").format(len(late)) if late else "")
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(", ".join(late) if column == 3 else text)
                if late and column == 3:
                    item.setBackground(QBrush(LATE_COLOUR))
                self.list.setItem(row, column, item)
        self.list.blockSignals(False)
        self.totals.setText(tr("{0} dispositif(s) listé(s) sur {1}, {2} en retard de saisie").format(
            len(self.shown), len(self.all_actions), sum(1 for a in self.shown if a.uuid in self.late)))
        if selected is not None and selected.uuid in {a.uuid for a in self.shown}:
            self.select(selected.uuid)
        else:
            self.show_action(None)

    def selected(self) -> Optional[model.Action]:
        rows = self.list.selectionModel().selectedRows() if self.list.selectionModel() else []
        return self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None

    def select(self, uuid: str) -> None:
        """Select the dispositif and show it (again: its rows may have changed)."""
        for row, action in enumerate(self.shown):
            if action.uuid == uuid:
                self.list.blockSignals(True)
                self.list.selectRow(row)
                self.list.blockSignals(False)
                self.show_action(action)
                return

    def _selection_changed(self) -> None:
        self.show_action(self.selected())

    # --- one dispositif ---------------------------------------------------------------------
    def show_action(self, action: Optional[model.Action]) -> None:
        self.declaration = None
        if action is not None and self.source is not None:
            with sql.connection_of(self.source) as connection:
                self.declaration = actions_sql.load(connection, action.uuid)
        shown = self.declaration or Declaration()
        for tab in (self.declaration_tab, self.places_tab, self.finances_tab):
            tab.show(shown)
        self.grid.show_action(self.source, action)
        self.households_tab.show_grid(self.grid)
        self.highlight(shown)
        self._enable()

    def new_action(self) -> None:
        self.list.clearSelection()
        self.declaration = Declaration(values={"reporting_frequency": "monthly", "location_type": "sur_site"})
        for tab in (self.declaration_tab, self.places_tab, self.finances_tab):
            tab.show(self.declaration)
        self.grid.show_action(self.source, None)
        self.tabs.setCurrentIndex(0)
        self._enable()

    def save(self) -> None:
        if self.declaration is None or self.source is None:
            return
        self.declaration_tab.read_into(self.declaration)
        self.places_tab.read_into(self.declaration)
        wrong = self.finances_tab.read_into(self.declaration)
        if wrong:
            self.notify(tr("Montant illisible : {0}").format(", ".join(wrong)), Qgis.MessageLevel.Warning)
            return
        with sql.connection_of(self.source) as connection:
            uuid = actions_sql.save(connection, self.declaration, Settings.load().effective_login())
        self._refresh_layers()
        self.reload(keep=uuid)
        self.notify(tr("Dispositif enregistré : {0}").format(self.declaration.values.get("name")
                                                              if self.declaration else ""))

    def save_values(self) -> None:
        problems = self.grid.problems()
        if problems:
            self.notify(tr("Valeurs refusées, rien n'a été écrit : {0}").format("; ".join(problems)),
                        Qgis.MessageLevel.Warning)
            return
        written = self.grid.save()
        self.households_tab.show_grid(self.grid)
        self._refresh_layers()
        self.reload(keep=self.grid.action.uuid if self.grid.action else None)
        self.notify(tr("{0} valeur(s) enregistrée(s)").format(written))

    def _refresh_layers(self) -> None:
        for layer in self.related.values():
            with contextlib.suppress(RuntimeError):
                layer.dataProvider().reloadData()
                layer.triggerRepaint()

    # --- the map --------------------------------------------------------------------------
    def clear_highlights(self) -> None:
        for highlight in self.highlights:
            with contextlib.suppress(RuntimeError):
                highlight.hide()
                if self.iface is not None:
                    self.iface.mapCanvas().scene().removeItem(highlight)
        self.highlights = []

    def highlight(self, declaration: Declaration) -> None:
        self.clear_highlights()
        if self.iface is None:
            return
        for table, uuids in (("sites", declaration.sites), ("insertion_sites", declaration.terrains)):
            layer = self.related.get(table)
            if layer is None or not uuids:
                continue
            listed = ", ".join("'%s'" % u.replace("'", "''") for u in uuids)
            for feature in layer.getFeatures(QgsFeatureRequest().setFilterExpression('"uuid" IN (%s)' % listed)):
                highlight = QgsHighlight(self.iface.mapCanvas(), feature.geometry(), layer)
                highlight.setColor(HIGHLIGHT)
                highlight.setFillColor(QColor(0, 90, 200, 110))
                highlight.setWidth(3)
                highlight.show()
                self.highlights.append(highlight)

    def start_picking(self) -> None:
        if self.pick_tool is not None and self.related.get("sites") is not None:
            self.iface.mapCanvas().setMapTool(self.pick_tool)
            self.notify(tr("Cliquez sur un site ou un terrain à lier (Échap pour finir)"))

    def pick_place_at(self, point: QgsPointXY) -> None:
        """Link the site nearest to the click, or the terrain under it."""
        tolerance = self.iface.mapCanvas().mapUnitsPerPixel() * 8 if self.iface is not None else 0.001
        for table in ("sites", "insertion_sites"):
            layer = self.related.get(table)
            if layer is None:
                continue
            area = QgsRectangle(point.x() - tolerance, point.y() - tolerance, point.x() + tolerance,
                                point.y() + tolerance)
            for feature in layer.getFeatures(QgsFeatureRequest().setFilterRect(area)):
                self.places_tab.add(feature["uuid"])
                return

    def add_local_indicator(self) -> Optional[LocalIndicatorDialog]:
        """The dialog for the selected dispositif's département; its grid shows the new row once created."""
        action = self.selected()
        if action is None or self.source is None or self.source.read_only:
            return None
        self.local_dialog = LocalIndicatorDialog(self.source, action.departement,
                                                 Settings.load().effective_login(), self)
        if self.local_dialog.exec():
            self.grid.show_action(self.source, action)
            self.notify(tr("Indicateur local créé : {0}").format(self.local_dialog.code.text().strip()))
        return self.local_dialog

    # --- the operator's workbook ------------------------------------------------------------
    def write_workbook(self) -> None:
        action = self.selected()
        if action is None:
            return
        month = model.previous_month(self.today)
        path, _filter = QFileDialog.getSaveFileName(self, tr("Classeur de l'opérateur"),
                                                    "observatoire-%s.xlsx" % month, tr("Classeur Excel (*.xlsx)"))
        if path:
            observatory.write_workbook(self.source, path, action.uuid, month)
            self.notify(tr("Classeur écrit : {0}").format(path))

    def import_workbook(self, path: Optional[str] = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, tr("Importer un classeur d'opérateur"), "",
                                                        tr("Classeur Excel (*.xlsx)"))
        if not path:
            return
        preview = observatory.preview_workbook(self.source, path)
        counts = preview.counts()
        if counts[observatory.INVALID]:
            self.notify(tr("Rien n'a été importé : {0}").format(" ; ".join(preview.summary()[1:6])),
                        Qgis.MessageLevel.Warning)
            return
        choice = None
        if counts[observatory.CONFLICT]:
            choice = self.ask_conflicts(preview)
            if choice is None:
                return
        written = observatory.apply_workbook(self.source, preview, Settings.load().effective_login(), choice)
        self.reload(keep=preview.action_uuid)
        self.notify(tr("Import de {0} : {1} valeur(s) écrite(s), {2} inchangée(s)").format(
            preview.file_name, written, counts[observatory.UNCHANGED]))

    def ask_conflicts(self, preview) -> Optional[bool]:
        """True: take the file's values; False: keep the store's; None: cancel."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("Conflits"), "\n".join(preview.summary()[:12]),
                          parent=self)
        box.setInformativeText(tr("Ces valeurs ont été modifiées dans le stockage depuis l'envoi du classeur."))
        take = box.addButton(tr("Prendre le fichier"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(tr("Garder le stockage"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return {take: True, keep: False}.get(box.clickedButton())

    def remove(self) -> None:
        self.clear_highlights()
        if self.pick_tool is not None and self.iface is not None:
            with contextlib.suppress(RuntimeError):
                if self.iface.mapCanvas().mapTool() is self.pick_tool:
                    self.iface.mapCanvas().unsetMapTool(self.pick_tool)
        self.pick_tool = None
