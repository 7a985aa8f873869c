"""What the Sites and Terrains docks share: the list, search, filters, totals, selection ↔ map, saving."""
import contextlib
from typing import Callable, Dict, List, Optional

from qgis.core import Qgis, QgsUnitTypes, QgsVectorLayer, QgsWkbTypes
from qgis.gui import (QgsAttributeDialog, QgsAttributeEditorContext, QgsCollapsibleGroupBoxBasic,
                      QgsDockWidget, QgsFilterLineEdit)
from qgis.PyQt.QtCore import QItemSelection, QItemSelectionModel, QSize, Qt, QTimer
from qgis.PyQt.QtWidgets import (QAbstractItemView, QAction,
                                 QComboBox, QGridLayout, QLabel, QMessageBox, QSizePolicy,
                                 QTableView, QTabWidget, QToolBar, QVBoxLayout,
                                 QWidget)

from ..i18n import message, pick, tr
from ..layers import edits, listing, styles
from ..settings import Settings
from ..store.base import StoreError
from . import null_display, plugin_forms
from .attachments_panel import AttachmentsPanel
from .list_model import Column, RowsModel
from .scrolling import scrollable


class ListDock(QgsDockWidget):
    table_name = ""
    attributes: tuple = ()
    status_choices: tuple = ()
    open_statuses: tuple = ("open",)
    style_choices: tuple = ()
    # Related tables edited from this dock, saved after the dock's own layer (their rows refer to it).
    child_tables: tuple = ()
    list_stretch = 4
    # The details' height when they need no more than a few lines (None: as much as their content asks).
    details_max_height = None

    def __init__(self, iface, title: str, object_name: str):
        super().__init__(title, iface.mainWindow() if iface is not None else None)
        self.iface = iface
        self.setObjectName(object_name)
        self.layer: Optional[QgsVectorLayer] = None
        self.related: Dict[str, QgsVectorLayer] = {}
        self.form: Optional[QgsAttributeDialog] = None
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)
        self.last_message = ""
        self.deletion_reasons = edits.DeletionReasons()
        self._syncing = False
        self._changed_fids = set()
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self.reload)
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(0)
        self._update_timer.timeout.connect(self._update_changed)
        self._build()

    # --- widgets --------------------------------------------------------------------
    def columns(self) -> List[Column]:
        raise NotImplementedError

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        # Two rows of text buttons: a dock is narrow and no action may hide behind "»".
        self.toolbars = [QToolBar(), QToolBar()]
        for toolbar in self.toolbars:
            toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            toolbar.setIconSize(QSize(1, 1))
        self.toolbar = self.toolbars[0]
        self.actions_list: List[QAction] = []
        self.add_actions()
        for toolbar in self.toolbars:
            if toolbar.actions():
                layout.addWidget(toolbar)
        self.search = QgsFilterLineEdit()
        self.search.setShowSearchIcon(True)
        self.search.setPlaceholderText(tr("Rechercher : nom, adresse, commune, code INSEE"))
        self.search.textChanged.connect(self.apply_filter)
        layout.addWidget(self.search)
        # Filters and style fold into one line (a laptop's 768 pixels go to the list); its title says
        # what is filtered.
        self.filters_box = QgsCollapsibleGroupBoxBasic(tr("Filtres et style"))
        self.filters_box.setCollapsed(True)
        filters = QGridLayout(self.filters_box)
        self.status_combo = QComboBox()
        for code, text in self.status_choices:
            self.status_combo.addItem(text, code)
        self.departement_combo = QComboBox()
        self.commune_combo = QComboBox()
        filters.addWidget(QLabel(tr("Statut")), 0, 0)
        filters.addWidget(self.status_combo, 0, 1)
        filters.addWidget(QLabel(tr("Département")), 0, 2)
        filters.addWidget(self.departement_combo, 0, 3)
        filters.addWidget(QLabel(tr("Commune")), 1, 0)
        filters.addWidget(self.commune_combo, 1, 1, 1, 3)
        self.extra_filters(filters)
        self.style_combo = QComboBox()
        for name, text in self.style_choices:
            self.style_combo.addItem(text, name)
        if self.style_choices:
            filters.addWidget(QLabel(tr("Style")), 3, 0)
            filters.addWidget(self.style_combo, 3, 1, 1, 3)
        self.style_combo.activated.connect(lambda _index: self.apply_chosen_style())
        layout.addWidget(self.filters_box)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.departement_combo.currentIndexChanged.connect(self._departement_changed)
        self.commune_combo.currentIndexChanged.connect(self.apply_filter)
        self.model = RowsModel(self.columns(), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        # The name stays readable in a narrow dock (the last columns scroll sideways, never the name).
        header.resizeSection(0, NAME_COLUMN_WIDTH)
        header.setStretchLastSection(True)
        for column in range(1, self.model.columnCount()):
            header.resizeSection(column, self.model.columns[column].width)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(self._list_selection_changed)
        # The list takes the room the details leave (they show whole); at least four rows and the header.
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.view.setMinimumHeight(5 * self.view.verticalHeader().defaultSectionSize())
        layout.addWidget(self.view, self.list_stretch)
        self.totals_label = QLabel()
        layout.addWidget(self.totals_label)
        self.details = QTabWidget()
        self.attachments = AttachmentsPanel(self.table_name)
        self.add_detail_tabs()
        self.details.addTab(self.attachments, tr("Pièces jointes"))
        layout.addWidget(self.details, 1)
        if self.details_max_height:
            self.details.setMaximumHeight(self.details_max_height)
        self.setWidget(scrollable(body))
        # Wide enough for its buttons: none hides behind "»".
        self.setMinimumWidth(max(toolbar.sizeHint().width() for toolbar in self.toolbars) + 40)
        for combo in (self.status_combo, self.departement_combo, self.commune_combo):
            combo.currentIndexChanged.connect(self._title_filters)
        self._title_filters()

    def add_action(self, text: str, callback, tip: str = "", row: int = 0) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip or text)
        action.triggered.connect(lambda _checked=False: self._guarded(callback))
        self.toolbars[row].addAction(action)
        self.actions_list.append(action)
        return action

    def _guarded(self, callback) -> None:
        """Run an action; a refusal (StoreError) is said, never silent."""
        try:
            callback()
        except StoreError as error:
            self.notify(message(error), Qgis.MessageLevel.Warning)

    def add_actions(self) -> None:
        raise NotImplementedError

    def extra_filters(self, grid: QGridLayout) -> None:
        """Subclasses add their own filters (row 2 of the grid)."""

    def add_detail_tabs(self) -> None:
        """Subclasses add tabs before "Pièces jointes"."""

    def notify(self, text: str, level=Qgis.MessageLevel.Info) -> None:
        self.last_message = text
        if self.iface is not None and hasattr(self.iface, "messageBar"):
            self.iface.messageBar().pushMessage(self.windowTitle(), text, level, 6)

    # --- the layer --------------------------------------------------------------------
    LAYER_SIGNALS = ("featureAdded", "featuresDeleted", "afterCommitChanges", "afterRollBack")

    def set_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        if layer is self.layer:
            return
        self._disconnect_layer()
        self.layer = layer
        if layer is not None:
            for name in self.LAYER_SIGNALS:
                getattr(layer, name).connect(self.schedule_reload)
            layer.attributeValueChanged.connect(self._attribute_changed)
            layer.geometryChanged.connect(self._geometry_changed)
            layer.selectionChanged.connect(self._map_selection_changed)
            layer.willBeDeleted.connect(self._layer_deleted)
        self.layer_changed()
        self.reload()

    def _layer_deleted(self) -> None:
        self.set_layer(None)

    def set_related_layers(self, layers) -> None:
        """The other layers of the same store (origins, phases, sites for the terrains)."""
        self.related = layers

    def layer_changed(self) -> None:
        """Subclasses follow the layer change (related layers, map tools)."""

    def _disconnect_layer(self) -> None:
        if self.layer is None:
            return
        with contextlib.suppress(TypeError, RuntimeError):
            for name in self.LAYER_SIGNALS:
                getattr(self.layer, name).disconnect(self.schedule_reload)
            self.layer.attributeValueChanged.disconnect(self._attribute_changed)
            self.layer.geometryChanged.disconnect(self._geometry_changed)
            self.layer.selectionChanged.disconnect(self._map_selection_changed)
            self.layer.willBeDeleted.disconnect(self._layer_deleted)
        self.layer = None

    def schedule_reload(self, *_args) -> None:
        self._reload_timer.start()

    def _attribute_changed(self, fid, _index, _value) -> None:
        self._changed_fids.add(fid)
        self._update_timer.start()

    def _geometry_changed(self, fid, _geometry) -> None:
        self._attribute_changed(fid, None, None)

    def _update_changed(self) -> None:
        fids, self._changed_fids = self._changed_fids, set()
        if self.layer is None:
            return
        for fid in fids:
            row = listing.read_row(self.layer, fid, self.attributes)
            if row is not None:
                self.model.update_row(row)
        # A confirmed or closed site may leave the filtered list.
        self.apply_filter()

    def flush(self) -> None:
        """Apply pending list updates now (tests, and before reading the list)."""
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self.reload()
        if self._update_timer.isActive():
            self._update_timer.stop()
            self._update_changed()

    def reload(self) -> None:
        """Read the rows again from the layer (edit buffer included) and filter them."""
        self._changed_fids.clear()
        rows = listing.read_rows(self.layer, self.attributes) if self.layer is not None else []
        self._fill_choices(rows)
        self.model.set_rows(rows, listing.accepted(rows, self.current_filter()))
        self._after_filter()

    def _fill_choices(self, rows) -> None:
        """Département and commune boxes list what the rows have; the current choice stays."""
        kept = self.departement_combo.currentData()
        with _blocked(self.departement_combo):
            self.departement_combo.clear()
            self.departement_combo.addItem(tr("Tous"), "")
            for code, _ in listing.choices(rows, "departement"):
                self.departement_combo.addItem(code, code)
            self.departement_combo.setCurrentIndex(max(0, self.departement_combo.findData(kept)))
        self._rows_for_communes = rows
        self._fill_communes()

    def _fill_communes(self) -> None:
        kept = self.commune_combo.currentData()
        departement = self.departement_combo.currentData()
        rows = [r for r in getattr(self, "_rows_for_communes", []) if not departement
                or r.get("departement") == departement]
        with _blocked(self.commune_combo):
            self.commune_combo.clear()
            self.commune_combo.addItem(tr("Toutes"), "")
            for code, name in listing.choices(rows, "insee_code", "city_name"):
                self.commune_combo.addItem("%s (%s)" % (name or "?", code), code)
            self.commune_combo.setCurrentIndex(max(0, self.commune_combo.findData(kept)))

    def _title_filters(self, *_args) -> None:
        shown = [self.status_combo.currentText()] + [combo.currentText() for combo in (
            self.departement_combo, self.commune_combo) if combo.currentIndex() > 0]
        self.filters_box.setTitle(tr("Filtres et style") + " : " + " · ".join(text for text in shown if text))

    def _departement_changed(self) -> None:
        self._fill_communes()
        self.apply_filter()

    # --- filtering ----------------------------------------------------------------------
    def current_filter(self) -> listing.Filter:
        return listing.Filter(text=self.search.text(), status=self.status_combo.currentData() or listing.ALL,
                              departement=self.departement_combo.currentData() or "",
                              insee_code=self.commune_combo.currentData() or "",
                              open_statuses=self.open_statuses)

    def apply_filter(self, *_args) -> None:
        self.model.set_accepted(listing.accepted(self.model.rows, self.current_filter()))
        self._after_filter()

    def _after_filter(self) -> None:
        self.update_totals()
        self._map_selection_changed()

    def update_totals(self) -> None:
        self.totals_label.setText(self.totals_text(self.model.shown))

    def totals_text(self, rows) -> str:
        raise NotImplementedError

    # --- selection ------------------------------------------------------------------------
    def selected_fids(self) -> List[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.shown[r].fid for r in rows]

    def select_fids(self, fids: List[int]) -> None:
        """Select these features in the list (and so on the map)."""
        selection = QItemSelection()
        for fid in fids:
            position = self.model.position_of(fid)
            if position is not None:
                selection.select(self.model.index(position, 0),
                                 self.model.index(position, self.model.columnCount() - 1))
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _list_selection_changed(self, *_args) -> None:
        fids = self.selected_fids()
        self.selection_changed(fids)
        if self._syncing or self.layer is None:
            return
        self._syncing = True
        try:
            self.layer.selectByIds(fids)
            if fids and self.iface is not None:
                zoom_with_surroundings(self.iface.mapCanvas(), self.layer)
        finally:
            self._syncing = False

    def _map_selection_changed(self, *_args) -> None:
        if self._syncing or self.layer is None:
            return
        self._syncing = True
        try:
            self.select_fids(list(self.layer.selectedFeatureIds()))
            self.selection_changed(self.selected_fids())
        finally:
            self._syncing = False

    def selection_changed(self, fids: List[int]) -> None:
        """The selection changed: the detail tabs follow the single selected, saved feature."""
        location = self.layer.customProperty("resorption/store") if self.layer is not None else None
        if len(fids) == 1 and fids[0] >= 0:
            feature = self.layer.getFeature(fids[0])
            self.show_details(feature)
            self.attachments.set_owner(location, feature["uuid"], edits.feature_name(self.layer, feature))
        else:
            self.show_details(None)
            self.attachments.set_owner(None, None, "")

    def show_details(self, feature) -> None:
        """Subclasses fill their detail tabs."""

    def one_selected(self) -> int:
        fids = self.selected_fids()
        if len(fids) != 1:
            raise StoreError("Sélectionnez un seul objet dans la liste.", "Select one object in the list.")
        return fids[0]

    # --- forms and saving ---------------------------------------------------------------------
    def open_form(self, feature, adding: bool) -> QgsAttributeDialog:
        """QGIS's own attribute form, configured from the schema (plugin/layers/forms.py)."""
        edits.start_editing(self.layer)
        context = QgsAttributeEditorContext()
        if self.iface is not None:
            context.setMapCanvas(self.iface.mapCanvas())
            with contextlib.suppress(AttributeError, TypeError):
                context.setVectorLayerTools(self.iface.vectorLayerTools())
        release_null_text = null_display.empty_while_open()
        dialog = QgsAttributeDialog(self.layer, feature, False, self, True, context)
        dialog.finished.connect(release_null_text)
        dialog.setMode(QgsAttributeEditorContext.Mode.AddFeatureMode if adding
                       else QgsAttributeEditorContext.Mode.SingleEditMode)
        plugin_forms.prepare(dialog.attributeForm())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form = dialog
        dialog.show()
        return dialog

    def edit_selected(self) -> None:
        fid = self.one_selected()
        self.open_form(self.layer.getFeature(fid), adding=False)

    def save(self) -> bool:
        """Save the edits of the layer and its related tables when every rule holds in all of them;
        else show the problems and keep the edits."""
        if self.layer is None:
            return False
        layers = [self.layer] + [self.related[n] for n in self.child_tables if self.related.get(n) is not None]
        found = [problem for layer in layers for problem in edits.pending_problems(layer)]
        if found:
            self.warn(tr("Enregistrement refusé"),
                      tr("Rien n'a été enregistré. Corrigez d'abord :") + "\n" +
                      "\n".join("• " + p.text() for p in found))
            return False
        for layer in layers:
            edits.save(layer)
        self.notify(tr("Modifications enregistrées."), Qgis.MessageLevel.Success)
        return True

    def delete_selected(self, ask_reason: Callable[[int], Optional[str]]) -> None:
        fids = self.selected_fids()
        if not fids:
            raise StoreError("Sélectionnez au moins un objet.", "Select at least one object.")
        reason = ask_reason(len(fids))
        if reason is None:
            return
        self.deletion_reasons.delete(self.layer, fids, reason)

    def apply_chosen_style(self) -> None:
        if self.layer is not None and self.style_combo.currentData():
            styles.apply_dated_style(self.layer, self.style_combo.currentData(),
                                          Settings.load().out_of_date_months)

    def remove(self) -> None:
        """Undo what the dock set up (DockManager.remove)."""
        self._reload_timer.stop()
        self._update_timer.stop()
        with contextlib.suppress(RuntimeError, AttributeError):
            self.form.reject()   # a form still open: closed, QGIS's missing-value text given back
        self._disconnect_layer()
        self.deletion_reasons.disconnect()


# Around one site: its street and neighbours (1:5 000); around terrains: their extent and 200 m more.
SITE_SCALE = 5000
TERRAIN_MARGIN_METRES = 200


def zoom_with_surroundings(canvas, layer) -> None:
    """Zoom to the layer's selection keeping its surroundings in view."""
    extent = canvas.mapSettings().layerExtentToOutputExtent(layer, layer.boundingBoxOfSelected())
    if layer.geometryType() == QgsWkbTypes.GeometryType.PointGeometry and layer.selectedFeatureCount() == 1:
        canvas.setCenter(extent.center())
        canvas.zoomScale(SITE_SCALE)
    else:
        metres = QgsUnitTypes.fromUnitToUnitFactor(QgsUnitTypes.DistanceUnit.DistanceMeters,
                                                   canvas.mapSettings().destinationCrs().mapUnits())
        extent.grow(TERRAIN_MARGIN_METRES * metres)
        canvas.setExtent(extent)
    canvas.refresh()


NAME_COLUMN_WIDTH = 170


@contextlib.contextmanager
def _blocked(widget):
    widget.blockSignals(True)
    try:
        yield
    finally:
        widget.blockSignals(False)


def count_text(value) -> str:
    return "" if value is None else str(value)


def people_text(count: int, people: int, unknown: int, noun_one: str, noun_many: str) -> str:
    text = tr("{0} {1}, {2} personnes").format(count, noun_one if count == 1 else noun_many, people)
    if unknown:
        text += tr(" (+ {0} de population inconnue)").format(unknown)
    return text


def labels(vocabulary) -> Dict[str, str]:
    return {term.code: pick(term.label, term.label_en) for term in vocabulary.terms}
