"""The "Terrains d'insertion" dock: list and filters, polygon drawing, phases, origins, attachments."""
import contextlib
from typing import Callable, List, Optional

from qgis.core import (Qgis, QgsFeatureRequest, QgsGeometry, QgsPointXY,
                       QgsRectangle, QgsTolerance)
from qgis.PyQt.QtCore import QDate, Qt, QTimer
from qgis.PyQt.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QInputDialog,
                                 QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                                 QTableWidget, QTableWidgetItem, QVBoxLayout,
                                 QWidget)

from ..i18n import message, pick, tr
from ..layers import edits, listing, terrain_edits, terrain_form
from ..layers.origin_candidates import origin_candidates
from ..model import vocabularies as voc
from ..model.phases import PHASES, order_warnings, progress
from ..store.base import StoreError
from .dates import date_edit
from .list_dock import ListDock, labels
from .list_model import Column
from .map_tools import PointTool

OBJECT_NAME = "ResorptionTerrainsDock"


class TerrainsDock(ListDock):
    table_name = "insertion_sites"
    attributes = listing.TERRAIN_ATTRIBUTES
    open_statuses = ("open",)
    child_tables = ("insertion_site_phases", "insertion_site_origins")
    list_stretch = 1

    def __init__(self, iface):
        self.status_labels = labels(voc.INSERTION_SITE_STATUS)
        self.status_choices = (("", tr("Tous")),) + tuple(self.status_labels.items())
        self.style_choices = (("insertion_sites", tr("Hachuré, occupation (défaut)")),
                              ("insertion_sites_by_status", tr("Par statut")))
        self._geometry_checks = set()
        super().__init__(iface, tr("Terrains d'insertion"), OBJECT_NAME)
        self.ask_repair: Callable[[str], bool] = lambda text: QMessageBox.question(
            self, tr("Polygone invalide"), text) == QMessageBox.StandardButton.Yes
        self.ask_reason = self._ask_reason
        canvas = iface.mapCanvas() if iface is not None else None
        self.pick_origin_tool = PointTool(canvas, lambda: self.related.get("sites"), self.pick_origin_at) \
            if canvas else None
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(0)
        self._check_timer.timeout.connect(self.check_geometries)

    def columns(self) -> List[Column]:
        return [
            Column(tr("Nom"), lambda r: r.get("name") or tr("(sans nom)"), lambda r: r.name_key),
            Column(tr("Commune"), lambda r: r.get("city_name") or "", lambda r: listing.fold(r.get("city_name") or ""),
                   width=110),
            Column(tr("Statut"), lambda r: self.status_labels.get(r.get("status"), ""), lambda r: r.get("status"),
                   width=110),
            Column(tr("Ménages / places"), lambda r: terrain_edits.occupancy_text(r.values),
                   lambda r: r.get("occupied_households"), width=120),
            Column(tr("Ouverture"), lambda r: _day(r.get("opened_at")), lambda r: r.get("opened_at"), width=85),
        ]

    def add_actions(self) -> None:
        self.new_action = self.add_action(tr("Nouveau terrain"), self.start_drawing,
                                          tr("Dessinez le polygone du terrain sur la carte"))
        self.edit_action = self.add_action(tr("Modifier"), self.edit_selected)
        self.delete_action = self.add_action(tr("Supprimer"), lambda: self.delete_selected(self.ask_reason))
        self.save_action = self.add_action(tr("Enregistrer"), self.save,
                                           tr("Vérifier les règles puis enregistrer terrains, phases et origines"))

    def current_filter(self) -> listing.Filter:
        wanted = super().current_filter()
        code = self.status_combo.currentData()
        wanted.status = listing.ALL
        wanted.status_codes = (code,) if code else ()
        return wanted

    def totals_text(self, rows) -> str:
        count = capacity = occupied = 0
        for row in rows:
            count += 1
            capacity += row.get("capacity_households") or 0
            occupied += row.get("occupied_households") or 0
        text = tr("{0} terrain(s) listé(s), {1} ménages accueillis pour {2} places").format(count, occupied, capacity)
        if capacity:
            text += " (%d %%)" % round(100 * occupied / capacity)
        return text

    # --- detail tabs ---------------------------------------------------------------------------
    def add_detail_tabs(self) -> None:
        phases = QWidget()
        layout = QVBoxLayout(phases)
        layout.setContentsMargins(0, 0, 0, 0)
        self.phases_table = QTableWidget(len(PHASES), 2)
        self.phases_table.setHorizontalHeaderLabels([tr("Phase"), tr("Réalisée le")])
        self.phases_table.horizontalHeader().setStretchLastSection(True)
        self.phases_table.verticalHeader().setVisible(False)
        self.phase_dates = []
        for row, code in enumerate(PHASES):
            item = QTableWidgetItem("%d. %s" % (row + 1, pick(voc.INSERTION_SITE_PHASE.label(code),
                                                              voc.INSERTION_SITE_PHASE.label_en(code))))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.phases_table.setItem(row, 0, item)
            phase_date = date_edit(QDate.currentDate())
            phase_date.setMaximumDate(QDate.currentDate())
            phase_date.dateChanged.connect(lambda _date, code=code: self._phase_edited(code))
            self.phases_table.setCellWidget(row, 1, phase_date)
            self.phase_dates.append(phase_date)
        self.phases_table.resizeColumnToContents(0)
        # Every phase in view, without scrolling the table.
        self.phases_table.resizeRowsToContents()
        self.phases_table.setMinimumHeight(self.phases_table.horizontalHeader().sizeHint().height()
                                           + sum(self.phases_table.rowHeight(row) for row in range(len(PHASES)))
                                           + 2 * self.phases_table.frameWidth())
        self.phases_table.itemChanged.connect(self._phase_item_changed)
        self.phases_warning = QLabel()
        self.phases_warning.setWordWrap(True)
        self.phases_warning.setStyleSheet("color: #8a4b00")
        layout.addWidget(self.phases_table)
        layout.addWidget(self.phases_warning)
        self.details.addTab(phases, tr("Phases préparatoires"))

        origins = QWidget()
        layout = QVBoxLayout(origins)
        layout.setContentsMargins(0, 0, 0, 0)
        self.origins_table = QTableWidget(0, 2)
        self.origins_table.setHorizontalHeaderLabels([tr("Site d'origine"), tr("Ménages")])
        self.origins_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.origins_table.horizontalHeader().resizeSection(1, 80)
        self.origins_table.verticalHeader().setVisible(False)
        self.origins_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.origin_site_combo = QComboBox()
        self.origin_site_combo.setEditable(True)
        self.origin_site_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.origin_site_combo.lineEdit().setPlaceholderText(tr("Site d'origine : nom, ou « Choisir sur la carte »"))
        self.origin_households = QSpinBox()
        self.origin_households.setRange(-1, 10000)
        self.origin_households.setSpecialValueText(tr("? ménages"))
        self.origin_households.setValue(-1)
        add_button = QPushButton(tr("Ajouter"))
        add_button.clicked.connect(lambda: self._guarded(self.add_origin_from_form))
        pick_button = QPushButton(tr("Choisir sur la carte"))
        pick_button.clicked.connect(lambda: self._guarded(self.start_picking_origin))
        remove_button = QPushButton(tr("Retirer"))
        remove_button.clicked.connect(lambda: self._guarded(self.remove_selected_origin))
        # Two short lines: a narrow dock shows every button.
        line = QHBoxLayout()
        line.addWidget(self.origin_site_combo, 3)
        line.addWidget(pick_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.origin_households, 1)
        buttons.addWidget(add_button)
        buttons.addWidget(remove_button)
        layout.addWidget(self.origins_table)
        layout.addLayout(line)
        layout.addLayout(buttons)
        self.details.addTab(origins, tr("Origines"))
        self.current_uuid: Optional[str] = None
        self._filling = False

    def layer_changed(self) -> None:
        if self.layer is not None:
            terrain_form.add_occupancy_rate(self.layer)
            self.layer.featureAdded.connect(self._geometry_to_check)
            self.layer.geometryChanged.connect(self._geometry_to_check)

    def _disconnect_layer(self) -> None:
        if self.layer is not None:
            with contextlib.suppress(TypeError, RuntimeError):
                self.layer.featureAdded.disconnect(self._geometry_to_check)
                self.layer.geometryChanged.disconnect(self._geometry_to_check)
        super()._disconnect_layer()

    def set_related_layers(self, layers) -> None:
        super().set_related_layers(layers)
        self._fill_site_choices(None)

    def _fill_site_choices(self, terrain=None) -> None:
        """The sites of the terrain's département, nearest first; none chosen until the user picks one
        (by name or on the map)."""
        self.origin_site_combo.clear()
        sites = self.related.get("sites")
        if sites is None or terrain is None:
            return
        for candidate in origin_candidates(sites, listing.plain(terrain["departement"]), terrain.geometry()):
            self.origin_site_combo.addItem(candidate.label, candidate.uuid)
        self.origin_site_combo.setCurrentIndex(-1)

    def show_details(self, feature) -> None:
        self.current_uuid = listing.plain(feature["uuid"]) if feature is not None else None
        self._fill_site_choices(feature)
        self.refresh_phases()
        self.refresh_origins()

    def refresh_phases(self) -> None:
        phases_layer = self.related.get("insertion_site_phases")
        completed = terrain_edits.phases_of(phases_layer, self.current_uuid) \
            if phases_layer is not None and self.current_uuid else {}
        self._filling = True
        try:
            for row, code in enumerate(PHASES):
                done = completed.get(code)
                self.phases_table.item(row, 0).setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
                self.phase_dates[row].setEnabled(bool(done))
                if done:
                    self.phase_dates[row].setDate(QDate.fromString(done, Qt.DateFormat.ISODate))
            self.phases_table.setEnabled(bool(self.current_uuid))
        finally:
            self._filling = False
        warnings = order_warnings(completed)
        summary = tr("{0} phase(s) sur 9 réalisée(s).").format(progress(completed)) if self.current_uuid else ""
        self.phases_warning.setText("\n".join([summary] + ["⚠ " + w for w in warnings]).strip())

    def _phase_item_changed(self, item) -> None:
        if not self._filling and item.column() == 0:
            self._phase_edited(PHASES[item.row()])

    def _phase_edited(self, code: str) -> None:
        if self._filling or not self.current_uuid:
            return
        row = PHASES.index(code)
        checked = self.phases_table.item(row, 0).checkState() == Qt.CheckState.Checked
        completed = self.phase_dates[row].date().toString(Qt.DateFormat.ISODate) if checked else None
        self.set_phase(code, completed)

    def set_phase(self, code: str, completed_at: Optional[str]) -> None:
        try:
            terrain_edits.set_phase(self.related["insertion_site_phases"], self.current_uuid, code, completed_at)
        except StoreError as error:
            self.notify(message(error), Qgis.MessageLevel.Warning)
        self.refresh_phases()

    def refresh_origins(self) -> None:
        origins_layer = self.related.get("insertion_site_origins")
        rows = terrain_edits.origins_of(origins_layer, self.current_uuid) \
            if origins_layer is not None and self.current_uuid else []
        names = {}
        sites = self.related.get("sites")
        if rows and sites is not None:
            for row in listing.read_rows(sites, ("uuid", "name", "city_name")):
                names[row.get("uuid")] = "%s — %s" % (row.get("name") or tr("(sans nom)"), row.get("city_name") or "")
        self.origins_table.setRowCount(len(rows))
        for position, (fid, site_uuid, households) in enumerate(rows):
            item = QTableWidgetItem(names.get(site_uuid, site_uuid))
            item.setData(Qt.ItemDataRole.UserRole, fid)
            self.origins_table.setItem(position, 0, item)
            self.origins_table.setItem(position, 1, QTableWidgetItem("" if households is None else str(households)))

    def add_origin(self, site_uuid: str, households: Optional[int]) -> None:
        if not self.current_uuid:
            raise StoreError("Sélectionnez un terrain enregistré dans la liste.",
                             "Select a saved insertion site in the list.")
        terrain_edits.add_origin(self.related["insertion_site_origins"], self.current_uuid, site_uuid, households)
        self.refresh_origins()

    def add_origin_from_form(self) -> None:
        site_uuid = self.origin_site_combo.currentData() if self.origin_site_combo.currentIndex() >= 0 else None
        if not site_uuid:
            raise StoreError("Choisissez un site d'origine.", "Choose a site of origin.")
        households = self.origin_households.value()
        self.add_origin(site_uuid, None if households < 0 else households)

    def start_picking_origin(self) -> None:
        if self.pick_origin_tool is None or self.related.get("sites") is None:
            return
        self.iface.mapCanvas().setMapTool(self.pick_origin_tool)
        self.notify(tr("Cliquez sur le site d'origine sur la carte."))

    def pick_origin_at(self, point: QgsPointXY) -> Optional[str]:
        """The site nearest the click (within a few pixels) becomes the chosen origin."""
        sites = self.related.get("sites")
        canvas = self.iface.mapCanvas()
        tolerance = QgsTolerance.vertexSearchRadius(sites, canvas.mapSettings())
        area = QgsRectangle(point.x() - tolerance, point.y() - tolerance, point.x() + tolerance, point.y() + tolerance)
        target = QgsGeometry.fromPointXY(point)
        nearest = min(sites.getFeatures(QgsFeatureRequest().setFilterRect(area)),
                      key=lambda f: f.geometry().distance(target), default=None)
        if nearest is None:
            self.notify(tr("Aucun site à cet endroit."), Qgis.MessageLevel.Warning)
            return None
        canvas.unsetMapTool(self.pick_origin_tool)
        index = self.origin_site_combo.findData(nearest["uuid"])
        if index < 0:
            self.notify(tr("Ce site n'est pas dans le département du terrain."), Qgis.MessageLevel.Warning)
            return None
        self.origin_site_combo.setCurrentIndex(index)
        return nearest["uuid"]

    def remove_selected_origin(self) -> None:
        row = self.origins_table.currentRow()
        if row < 0:
            raise StoreError("Sélectionnez une origine.", "Select an origin.")
        terrain_edits.remove_origin(self.related["insertion_site_origins"],
                                    self.origins_table.item(row, 0).data(Qt.ItemDataRole.UserRole))
        self.refresh_origins()

    # --- drawing and geometry checks ---------------------------------------------------------
    def start_drawing(self) -> None:
        if self.layer is None:
            raise StoreError("Ouvrez d'abord un stockage (menu Résorption SIG).",
                             "Open a store first (Résorption SIG menu).")
        edits.start_editing(self.layer)
        self.iface.setActiveLayer(self.layer)
        self.iface.actionAddFeature().trigger()
        self.notify(tr("Dessinez le polygone (clic gauche : sommets, clic droit : terminer) ; le formulaire s'ouvre."))

    def _geometry_to_check(self, fid, *_args) -> None:
        self._geometry_checks.add(fid)
        self._check_timer.start()

    def check_geometries(self) -> None:
        """A self-intersecting polygon is refused, with an offer to repair it (QgsGeometry.makeValid)."""
        fids, self._geometry_checks = self._geometry_checks, set()
        for fid in fids:
            feature = self.layer.getFeature(fid) if self.layer is not None else None
            if feature is None or not feature.isValid():
                continue
            repaired = edits.repaired_polygon(feature.geometry())
            if repaired is None:
                continue
            name = edits.feature_name(self.layer, feature)
            if self.ask_repair(tr("Le polygone de « {0} » se recoupe lui-même : il ne peut pas être enregistré "
                                  "tel quel. Le réparer automatiquement ?").format(name)):
                self.layer.beginEditCommand(tr("Réparer le polygone"))
                self.layer.changeGeometry(fid, repaired)
                self.layer.endEditCommand()
                self.notify(tr("Polygone réparé : vérifiez-le, puis enregistrez."))
            else:
                self.layer.undoStack().undo()
                self.notify(tr("Polygone refusé : il se recoupe lui-même."), Qgis.MessageLevel.Warning)

    def flush(self) -> None:
        super().flush()
        if self._check_timer.isActive():
            self._check_timer.stop()
            self.check_geometries()

    def _ask_reason(self, count: int) -> Optional[str]:
        if QMessageBox.question(self, tr("Supprimer"), tr("Supprimer {0} terrain(s) ?").format(count)) \
                != QMessageBox.StandardButton.Yes:
            return None
        reason, ok = QInputDialog.getText(self, tr("Supprimer"), tr("Raison de la suppression (obligatoire) :"),
                                          QLineEdit.EchoMode.Normal, "")
        return reason if ok and reason.strip() else None

    def remove(self) -> None:
        self._check_timer.stop()
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is not None and self.pick_origin_tool is not None and canvas.mapTool() is self.pick_origin_tool:
            canvas.unsetMapTool(self.pick_origin_tool)
        super().remove()


def _day(value) -> str:
    return "%s/%s/%s" % (value[8:10], value[5:7], value[0:4]) if value else ""
