"""The "Synthèse" dock: the derived figures of the open store, live, over a territory, at a date.

The figures at the chosen date are computed on the GUI thread (one SQL
statement, a few tens of milliseconds at 10,000 sites: the refresh after a
saved edit stays under 100 ms); the comparison with a second date and the
24-month series take longer (up to a second) and run in a QgsTask, whose
result is dropped if a newer refresh started meanwhile.
"""
import logging
import time
from typing import Callable, Dict, List, Optional, Tuple

from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem,
                       QgsCoordinateTransform, QgsFeatureRequest, QgsProject,
                       QgsTask)
from qgis.gui import QgsCollapsibleGroupBox, QgsDockWidget
from qgis.PyQt.QtCore import QDate, Qt, QTimer
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtWidgets import (QAbstractItemView, QApplication, QCheckBox,
                                 QComboBox, QDateEdit, QFileDialog,
                                 QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                                 QPushButton, QTableWidget, QTableWidgetItem,
                                 QTabWidget, QVBoxLayout, QWidget)

from ..i18n import tr
from ..layers import loader
from ..model import sums as model
from ..settings import Settings
from ..store import communes
from ..store.places import communes_with_sites, departements_with_sites
from ..store.services_sql import far_sites
from ..store.sums_sql import (EVERYWHERE, Territory, compare, connection_of, insertion_sums,
                              monthly_series, outcomes_between, reconstructed_before, site_sums)
from .chart_widget import MonthlyChart
from .dispositifs_synthesis import DispositifsSummary
from .scrolling import scrollable
from .dates import date_edit
from .store_access import READ_ERRORS, LayerStore, failure_text, notify
from .synthesis_rows import (MOVEMENT, NOTE, SECTION, UNKNOWN_COUNT, Request, Row, export_lines, figure_rows, headers,
                             reconstructed_note, short_label, shown, tab_separated, write_csv)
from .synthesis_services import FAR_CATEGORIES, far_sites_text

LOG = logging.getLogger("resorption_sig")
DOCK_OBJECT_NAME = "ResorptionSynthesisDock"
FOLLOW_MAP_DELAY_MS = 300
ALL, DEPARTEMENT, COMMUNE, SELECTION, EXTENT = "all", "departement", "commune", "selection", "extent"
CHART_FIGURES = ("sites", "population_total")
CHART_MONTHS = 24


class SlowFiguresTask(QgsTask):
    """The comparison and the monthly series, off the GUI thread, on a connection of its own."""

    def __init__(self, store, request: Request, done: Callable[["SlowFiguresTask"], None]):
        super().__init__(tr("Résorption SIG : synthèse"), QgsTask.Flag.CanCancel)
        self.store, self.request, self.done = store, request, done
        self.compared = None
        self.insertion_compared = None
        self.series: List[dict] = []
        self.error: Optional[str] = None

    def run(self) -> bool:
        try:
            request = self.request
            with connection_of(self.store) as connection:
                if request.compare_at is not None:
                    at = request.at or model.now_instant()
                    self.compared = compare(connection, at, request.compare_at, request.territory,
                                            out_of_date_months=request.out_of_date_months)["total"]
                    self.compared["outcomes"] = outcomes_between(connection, *sorted((at, request.compare_at)),
                                                                 request.territory)
                    self.insertion_compared = insertion_sums(connection, request.compare_at,
                                                             request.insertion_territory)
                    self.setProgress(50)
                if self.isCanceled():
                    return False
                self.series = monthly_series(connection, request.at, CHART_MONTHS, request.territory,
                                             names=CHART_FIGURES)
            return True
        except READ_ERRORS as error:
            self.error = failure_text(error)
        except Exception as error:  # shown to the user in the dock, logged with its trace
            LOG.exception("synthèse")
            self.error = str(error)
        return False

    def finished(self, result: bool) -> None:
        self.done(self)


class SynthesisDock(QgsDockWidget):
    """Figures of the open store over a territory at a date, compared with another date."""

    def __init__(self, iface, parent=None):
        super().__init__(tr("Synthèse"), parent)
        self.setObjectName(DOCK_OBJECT_NAME)
        self.iface = iface
        self.stores: Dict[str, object] = {}
        self.layers: Dict[str, Dict[str, object]] = {}
        self.request: Optional[Request] = None
        self.rows: List[Row] = []
        self.reconstructed: Optional[str] = None
        self.generation = 0
        self.task: Optional[SlowFiguresTask] = None
        self._running = set()
        self.last_refresh_ms: Optional[float] = None
        self.dirty = True
        self._connected_layers: List[object] = []
        self._build()
        self.map_timer = QTimer(self)
        self.map_timer.setSingleShot(True)
        self.map_timer.setInterval(FOLLOW_MAP_DELAY_MS)
        self.map_timer.timeout.connect(self.refresh)
        self.project_timer = QTimer(self)
        self.project_timer.setSingleShot(True)
        self.project_timer.setInterval(0)
        self.project_timer.timeout.connect(self.find_stores)
        project = QgsProject.instance()
        project.layersAdded.connect(self.project_timer.start)
        project.layersRemoved.connect(self.project_timer.start)
        self.visibilityChanged.connect(self._on_visibility)
        self.find_stores()

    # --- widgets -------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)

        self.store_box = QComboBox(body)
        self.store_box.setObjectName("store")
        self.store_box.setToolTip(tr("Stockage dont les chiffres sont calculés"))
        self.store_box.currentIndexChanged.connect(self._on_store_changed)
        layout.addWidget(self.store_box)

        # Lines of their own: the dock shares a laptop's width with a list and the map.
        where = QGridLayout()
        self.territory_box = QComboBox(body)
        self.territory_box.setObjectName("territory")
        for code, text in ((ALL, tr("Tout le stockage")), (DEPARTEMENT, tr("Département")),
                           (COMMUNE, tr("Commune")), (SELECTION, tr("Sites sélectionnés")),
                           (EXTENT, tr("Emprise de la carte"))):
            self.territory_box.addItem(text, code)
        self.territory_box.currentIndexChanged.connect(self._on_territory_changed)
        self.place_box = QComboBox(body)
        self.place_box.setObjectName("place")
        self.place_box.setMinimumContentsLength(12)
        self.place_box.currentIndexChanged.connect(lambda _: self.refresh())
        where.addWidget(QLabel(tr("Territoire"), body), 0, 0)
        where.addWidget(self.territory_box, 0, 1)
        where.addWidget(self.place_box, 1, 1)
        where.setColumnStretch(1, 1)
        layout.addLayout(where)

        self.follow_map = QCheckBox(tr("Suivre la carte"), body)
        self.follow_map.setObjectName("follow_map")
        self.follow_map.setToolTip(tr("Recalculer sur l'emprise de la carte à chaque déplacement"))
        self.follow_map.toggled.connect(self._on_follow_map)
        layout.addWidget(self.follow_map)

        when = QGridLayout()
        self.at_edit = self._date_edit("at", QDate.currentDate())
        self.compare_check = QCheckBox(tr("Comparer au"), body)
        self.compare_check.setObjectName("compare")
        self.compare_edit = self._date_edit("compare_at", QDate(QDate.currentDate().year() - 1, 12, 31))
        self.compare_edit.setEnabled(False)
        self.compare_check.toggled.connect(self.compare_edit.setEnabled)
        self.compare_check.toggled.connect(lambda _: self.refresh())
        when.addWidget(QLabel(tr("Situation au"), body), 0, 0)
        when.addWidget(self.at_edit, 0, 1)
        when.addWidget(self.compare_check, 1, 0)
        when.addWidget(self.compare_edit, 1, 1)
        when.setColumnStretch(2, 1)
        layout.addLayout(when)

        self.table = QTableWidget(body)
        self.table.setObjectName("figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self.fit_rows())
        layout.addWidget(self.table, 3)

        self.services_label = QLabel(body)
        self.services_label.setObjectName("services_far")
        self.services_label.setWordWrap(True)
        self.services_label.setToolTip(tr("Sites ouverts aujourd'hui ; distance à vol d'oiseau au service enregistré le plus proche"))
        layout.addWidget(self.services_label)

        # Folded at first: beside a list on a laptop's screen, the figures come first. QGIS keeps the officer's
        # choice (the box's state is saved under its name).
        self.chart_box = QgsCollapsibleGroupBox(tr("Graphique sur 24 mois"), body)
        self.chart_box.setObjectName("ResorptionSynthesisChart")
        self.chart_box.setSettingGroup("resorption_sig")
        self.chart_box.setCollapsed(True)
        self.chart = MonthlyChart(self.chart_box)
        QVBoxLayout(self.chart_box).addWidget(self.chart)
        layout.addWidget(self.chart_box, 1)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton(tr("Copier"), body)
        self.copy_button.setToolTip(tr("Copier le tableau (à coller dans un tableur)"))
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.export_button = QPushButton(tr("Exporter en CSV…"), body)
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.refresh_button = QPushButton(tr("Actualiser"), body)
        self.refresh_button.clicked.connect(self.reload)
        for button in (self.copy_button, self.export_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel(body)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.pages = QTabWidget(self)
        self.pages.addTab(scrollable(body), tr("Sites et terrains"))
        self.dispositifs = DispositifsSummary(self.store)
        self.pages.addTab(scrollable(self.dispositifs), tr("Dispositifs"))
        self.pages.currentChanged.connect(lambda index: self.dispositifs.refresh() if index == 1 else None)
        self.setWidget(self.pages)

    def _date_edit(self, name: str, day: QDate) -> QDateEdit:
        edit = date_edit(day, self, name)
        edit.dateChanged.connect(lambda _: self.refresh())
        return edit

    # --- the store and its layers -----------------------------------------------------
    def find_stores(self) -> None:
        """The stores whose layers are in the project; the layers' signals that make figures change."""
        self._disconnect_layers()
        self.layers = loader.store_layers()
        current = self.store_box.currentData()
        self.store_box.blockSignals(True)
        self.store_box.clear()
        for location in self.layers:
            self.store_box.addItem(location.rsplit("/", 1)[-1], location)
        index = self.store_box.findData(current)
        self.store_box.setCurrentIndex(index if index >= 0 else 0)
        self.store_box.blockSignals(False)
        self.store_box.setVisible(self.store_box.count() > 1)
        for tables in self.layers.values():
            for name in loader.MAP_TABLES:
                layer = tables.get(name)
                if layer is not None:
                    layer.afterCommitChanges.connect(self.on_data_changed)
                    layer.selectionChanged.connect(self._on_selection)
                    self._connected_layers.append(layer)
        self._on_store_changed()

    def _disconnect_layers(self) -> None:
        for layer in self._connected_layers:
            try:
                layer.afterCommitChanges.disconnect(self.on_data_changed)
                layer.selectionChanged.disconnect(self._on_selection)
            except (RuntimeError, TypeError):  # the layer is already gone
                pass
        self._connected_layers = []

    def location(self) -> Optional[str]:
        return self.store_box.currentData()

    def store(self):
        location = self.location()
        if location is None:
            return None
        if location not in self.stores:
            self.stores[location] = LayerStore(location)
        return self.stores[location]

    def _on_store_changed(self, *_) -> None:
        self.fill_places()
        self.refresh()

    def fill_places(self) -> None:
        """Départements and communes that have sites in the store, for the territory picker."""
        mode = self.territory_box.currentData()
        current = self.place_box.currentData()
        self.place_box.blockSignals(True)
        self.place_box.clear()
        store = None
        try:
            store = self.store() if mode in (DEPARTEMENT, COMMUNE) else None
        except READ_ERRORS as error:
            self.status.setText(failure_text(error))
        if store is not None:
            with connection_of(store) as connection:
                if mode == DEPARTEMENT:
                    places = [(communes.reference().departement_label(code), code)
                              for code in departements_with_sites(connection)]
                else:
                    places = [("%s (%s)" % (name or code, code), code)
                              for code, name in communes_with_sites(connection)]
            for text, code in places:
                self.place_box.addItem(text, code)
            index = self.place_box.findData(current)
            self.place_box.setCurrentIndex(max(index, 0))
        self.place_box.setVisible(mode in (DEPARTEMENT, COMMUNE))
        self.place_box.blockSignals(False)

    # --- what to compute ------------------------------------------------------------------
    def territory(self) -> Tuple[Territory, Territory, str]:
        """(territory of the sites, territory of the insertion sites, its description)."""
        mode = self.territory_box.currentData()
        place = self.place_box.currentData()
        if mode == DEPARTEMENT and place:
            return Territory(departement=place), Territory(departement=place), \
                tr("Département {0}").format(place)
        if mode == COMMUNE and place:
            return Territory(insee_code=place), Territory(insee_code=place), \
                tr("Commune {0}").format(self.place_box.currentText())
        if mode == SELECTION:
            tables = self.layers.get(self.location(), {})
            sites, terrains = self.selected_uuids(tables.get("sites")), self.selected_uuids(
                tables.get("insertion_sites"))
            return Territory(uuids=sites), Territory(uuids=terrains), \
                tr("Sélection : {0} sites, {1} terrains").format(len(sites), len(terrains))
        if mode == EXTENT:
            bbox = self.map_extent()
            if bbox is not None:
                return Territory(bbox=bbox), Territory(bbox=bbox), tr("Emprise de la carte ({0})").format(
                    ", ".join("%.4f" % v for v in bbox))
        return EVERYWHERE, EVERYWHERE, tr("Tout le stockage")

    @staticmethod
    def selected_uuids(layer) -> List[str]:
        if layer is None:
            return []
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
        request.setSubsetOfAttributes(["uuid"], layer.fields())
        return [f["uuid"] for f in layer.getSelectedFeatures(request) if f["uuid"]]

    def map_extent(self):
        canvas = self.iface.mapCanvas()
        extent = canvas.extent()
        if extent.isEmpty():
            return None
        transform = QgsCoordinateTransform(canvas.mapSettings().destinationCrs(),
                                           QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
        box = transform.transformBoundingBox(extent)
        return box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()

    def make_request(self) -> Optional[Request]:
        location = self.location()
        if location is None:
            return None
        day = self.at_edit.date()
        # Today means now: the current rows, as `sums` without --at.
        at = None if day == QDate.currentDate() else model.parse_instant(day.toString("yyyy-MM-dd"))
        compare_at = (model.parse_instant(self.compare_edit.date().toString("yyyy-MM-dd"))
                      if self.compare_check.isChecked() else None)
        territory, insertion_territory, description = self.territory()
        return Request(location, at, compare_at, territory, insertion_territory, description,
                       Settings.load().out_of_date_months)

    # --- computing --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute: the figures at the date now, the comparison and the series in the background."""
        if self.isHidden():
            self.dirty = True
            return
        self.dirty = False
        started = time.perf_counter()
        self.generation += 1
        self._cancel_task()
        request = self.make_request()
        self.request = request
        if request is None:
            self._show_rows([], None)
            self.status.setText(tr("Aucun stockage ouvert : ouvrez un stockage pour voir ses chiffres."))
            self.chart.set_message(tr("Aucun stockage ouvert"))
            return
        try:
            store = self.store()
            with connection_of(store) as connection:
                sites = site_sums(connection, request.at, request.territory,
                                  out_of_date_months=request.out_of_date_months).total
                insertion = insertion_sums(connection, request.at, request.insertion_territory)
                self.reconstructed = self.reconstructed_shown(reconstructed_before(connection, request.territory),
                                                              request)
        except READ_ERRORS as error:
            self.status.setText(failure_text(error))
            return
        self.sites, self.insertion = sites, insertion
        self.show_far_sites(store, request.territory)
        self._show_rows(figure_rows(sites, insertion, self._placeholder() if request.compare_at else None,
                                    reconstructed_before=self.reconstructed), request)
        self.chart.set_note(reconstructed_note(self.reconstructed) if self.reconstructed else "")
        self.last_refresh_ms = (time.perf_counter() - started) * 1000
        self.status.setText(tr("{0} — calculé en {1} ms").format(request.description,
                                                                  "%.0f" % self.last_refresh_ms))
        self.chart.set_message(tr("Calcul en cours…"))
        self.task = SlowFiguresTask(store, request, self._slow_done)
        self.task.generation = self.generation
        self._running.add(self.task)
        QgsApplication.taskManager().addTask(self.task)

    def show_far_sites(self, store, territory: Territory) -> None:
        """« Sites à plus de 2 km d'une école : 3 sur 40 », for the categories that have services."""
        try:
            rows = far_sites(store, FAR_CATEGORIES, territory)
        except READ_ERRORS as error:
            rows = []
            LOG.warning("synthèse, services : %s", failure_text(error))
        self.services_label.setText("\n".join(far_sites_text(row) for row in rows))
        self.services_label.setVisible(bool(rows))

    @staticmethod
    def reconstructed_shown(before: Optional[str], request: Request) -> Optional[str]:
        """`before` when a date the dock shows (the comparison, the chart's first month) precedes it."""
        earliest = model.month_ends(request.at or model.now_instant(), CHART_MONTHS)[0]
        if request.compare_at is not None:
            earliest = min(earliest, request.compare_at)
        return before if before is not None and earliest < before else None

    def _cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None

    def _placeholder(self) -> Dict[str, object]:
        """Comparison columns while the task computes them: empty cells, not zeros."""
        block = {name: "" for name in model.BETWEEN_NAMES}
        block["at_compare"] = {name: "" for name in model.FIGURE_NAMES}
        return block

    def _slow_done(self, task: SlowFiguresTask) -> None:
        # A Python task must outlive its run in the task manager: released only here.
        self._running.discard(task)
        if getattr(task, "generation", None) != self.generation:
            return
        self.task = None
        if task.error:
            self.status.setText(task.error)
            self.chart.set_message(tr("Erreur de calcul"))
            return
        if task.isCanceled():
            return
        if self.request.compare_at is not None and task.compared is not None:
            self._show_rows(figure_rows(self.sites, self.insertion, task.compared, task.insertion_compared,
                                        self.reconstructed), self.request)
        self.chart.set_series(task.series)

    def is_busy(self) -> bool:
        return self.task is not None

    def _show_rows(self, rows: List[Row], request: Optional[Request]) -> None:
        self.rows = rows
        table = self.table
        titles = headers(request) if request is not None else [tr("Chiffre")]
        table.clear()
        table.setColumnCount(len(titles))
        table.setHorizontalHeaderLabels(titles)
        table.setRowCount(len(rows))
        grey = QColor("#6b6b6b")
        for index, row in enumerate(rows):
            label = QTableWidgetItem(short_label(row.name) or row.label)
            label.setToolTip(row.label)
            if row.kind in (SECTION, NOTE):
                font = QFont(label.font())
                font.setBold(row.kind == SECTION)
                font.setItalic(row.kind == NOTE)
                label.setFont(font)
                table.setSpan(index, 0, 1, len(titles))
            table.setItem(index, 0, label)
            for column, value in enumerate(row.values, start=1):
                item = QTableWidgetItem(shown(value, row.name, signed=column == 3 and row.kind != MOVEMENT))
                item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if row.kind == UNKNOWN_COUNT or value is None:
                    item.setForeground(grey)
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                table.setItem(index, column, item)
            if row.kind in (UNKNOWN_COUNT, NOTE):
                label.setForeground(grey)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(titles)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # A narrow dock wraps the labels rather than cutting them.
        self.fit_rows()

    def fit_rows(self) -> None:
        self.table.resizeRowsToContents()
        single = self.fontMetrics().height() + 8
        for index, row in enumerate(self.rows):
            # Spanned: Qt measures it as if it were one narrow cell.
            if row.kind == SECTION:
                self.table.setRowHeight(index, single)
            elif row.kind == NOTE:
                self.table.setRowHeight(index, 2 * single)

    # --- reactions ---------------------------------------------------------------------------
    def on_data_changed(self, *_) -> None:
        """A layer of the store saved its edits: the figures change now."""
        self.refresh()

    def reload(self) -> None:
        self.stores.clear()
        self.fill_places()
        self.refresh()

    def _on_visibility(self, visible: bool) -> None:
        if visible and self.dirty:
            self.refresh()

    def _on_selection(self, *_) -> None:
        if self.territory_box.currentData() == SELECTION:
            self.refresh()

    def _on_territory_changed(self, *_) -> None:
        mode = self.territory_box.currentData()
        if mode != EXTENT and self.follow_map.isChecked():
            self.follow_map.setChecked(False)
        self.fill_places()
        self.refresh()

    def _on_follow_map(self, on: bool) -> None:
        canvas = self.iface.mapCanvas()
        if on:
            canvas.extentsChanged.connect(self.map_timer.start)
            if self.territory_box.currentData() != EXTENT:
                self.territory_box.setCurrentIndex(self.territory_box.findData(EXTENT))
            else:
                self.refresh()
        else:
            self.map_timer.stop()
            try:
                canvas.extentsChanged.disconnect(self.map_timer.start)
            except (RuntimeError, TypeError):
                pass

    # --- output --------------------------------------------------------------------------------
    def export_lines(self) -> List[List[str]]:
        return export_lines(self.request, self.rows) if self.request is not None else []

    def copy_to_clipboard(self) -> str:
        text = tab_separated(self.export_lines())
        QApplication.clipboard().setText(text)
        notify(self.iface, tr("Tableau copié dans le presse-papiers"), seconds=3)
        return text

    def export_csv(self, path: Optional[str] = None) -> Optional[str]:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, tr("Exporter la synthèse"), "synthese.csv",
                                                  tr("CSV (*.csv)"))
            if not path:
                return None
            if not path.lower().endswith(".csv"):
                path += ".csv"
        try:
            write_csv(path, self.export_lines())
        except OSError as error:
            notify(self.iface, tr("Écriture impossible : {0}").format(error), Qgis.MessageLevel.Critical)
            return None
        return path

    # --- undoing ---------------------------------------------------------------------------------
    def close_down(self) -> None:
        """Everything this dock connected, disconnected (the manager's remove())."""
        self.generation += 1
        self._cancel_task()
        for task in list(self._running):
            # Its SQL cannot be interrupted: let it end before the dock that receives it goes.
            task.waitForFinished(10000)
        self.map_timer.stop()
        self.follow_map.setChecked(False)
        self._disconnect_layers()
        project = QgsProject.instance()
        for signal in (project.layersAdded, project.layersRemoved):
            try:
                signal.disconnect(self.project_timer.start)
            except (RuntimeError, TypeError):
                pass
        self.stores.clear()
