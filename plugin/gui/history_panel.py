"""The history panel: the versions of a feature (newest first), its former positions on the map,
"Restaurer cette version"; and, in a second tab, the store-wide activity feed.

Restoring writes the chosen version's values through the layer's edit buffer:
the store then records a new version (its triggers keep the current one in the
history). Nothing is ever erased.
"""
from typing import Dict, List, Optional

from qgis.core import (Qgis, QgsCoordinateReferenceSystem,
                       QgsCoordinateTransform, QgsDistanceArea, QgsFeatureRequest,
                       QgsGeometry, QgsProject, QgsVectorLayer, QgsWkbTypes)
from qgis.gui import QgsDockWidget, QgsRubberBand
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView,
                                 QLabel, QMessageBox, QPushButton, QTabWidget,
                                 QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                                 QWidget)

from ..i18n import message, pick, tr
from ..layers import edits, loader
from ..model import schema
from ..model.schema import Kind
from ..settings import Settings
from ..store import history as store_history
from ..store.base import StoreError
from .activity_panel import OPERATIONS, ActivityWidget, local_time
from .labels import GEOMETRY, field_label
from .store_access import READ_ERRORS, LayerStore, failure_text, notify

DOCK_OBJECT_NAME = "ResorptionHistoryDock"
FORMER_COLOUR = QColor(230, 120, 0, 200)
CHOSEN_COLOUR = QColor(200, 0, 120, 230)


def value_text(table: schema.Table, name: str, value) -> str:
    """A stored value as a person reads it: labels of codes, Oui/Non, dates dd/mm/yyyy, "(vide)"."""
    if value is None or value == "":
        return tr("(vide)")
    if name == GEOMETRY:
        return tr("(géométrie)")
    try:
        declared = table.field(name)
    except KeyError:
        return str(value)
    if declared.vocabulary is not None:
        return pick(declared.vocabulary.label(value) or str(value), declared.vocabulary.label_en(value) or str(value))
    if declared.kind is Kind.BOOLEAN:
        return tr("Oui") if value in (1, True, "1") else tr("Non")
    if declared.kind is Kind.DATE and isinstance(value, str) and len(value) >= 10:
        return "%s/%s/%s" % (value[8:10], value[5:7], value[0:4])
    if declared.kind is Kind.DATETIME and isinstance(value, str):
        return local_time(value)
    return str(value)


def moved_text(old_wkt: Optional[str], new_wkt: Optional[str]) -> str:
    """A change of geometry as a distance (between centroids, on the ellipsoid)."""
    if not old_wkt or not new_wkt:
        return tr("position ajoutée") if new_wkt else tr("position effacée")
    measure = QgsDistanceArea()
    measure.setEllipsoid("EPSG:7030")
    measure.setSourceCrs(QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance().transformContext())
    old, new = QgsGeometry.fromWkt(old_wkt), QgsGeometry.fromWkt(new_wkt)
    metres = measure.measureLine(old.centroid().asPoint(), new.centroid().asPoint())
    if old.type() == QgsWkbTypes.GeometryType.PointGeometry:
        return tr("déplacé de {0} m").format(round(metres))
    return tr("contour modifié (centre déplacé de {0} m)").format(round(metres))


def states_of(entries: List[Dict]) -> List[Dict]:
    """The whole state of each version (newest first, like `entries`), replaying the changes
    from the first version: each entry only lists what changed."""
    states, state = [], {}
    for entry in reversed(entries):
        for name, (_old, new) in entry["changes"].items():
            state[name] = new
        states.append(dict(state))
    states.reverse()
    return states


class HistoryDock(QgsDockWidget):
    """Tab "Objet": the versions of one feature. Tab "Activité": the latest changes of the store."""

    def __init__(self, iface, parent=None):
        super().__init__(tr("Historique"), parent)
        self.setObjectName(DOCK_OBJECT_NAME)
        self.iface = iface
        self.layer: Optional[QgsVectorLayer] = None
        self.table: Optional[schema.Table] = None
        self.uuid: Optional[str] = None
        self.entries: List[Dict] = []
        self.states: List[Dict] = []
        self.bands: List[QgsRubberBand] = []
        self.chosen_band: Optional[QgsRubberBand] = None
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._feature_tab(), tr("Objet"))
        self.activity = ActivityWidget(self.open_uuid, self)
        self.tabs.addTab(self.activity, tr("Activité"))
        self.setWidget(self.tabs)

    def _feature_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(2, 2, 2, 2)
        self.title = QLabel(tr("Choisissez un site ou un terrain, puis « Historique »."), page)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)   # a site's name is shown as typed, never as HTML
        layout.addWidget(self.title)
        self.versions = QTreeWidget(page)
        self.versions.setObjectName("versions")
        self.versions.setHeaderLabels([tr("Quand / champ"), tr("Qui / ancienne → nouvelle valeur")])
        self.versions.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.versions.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.versions.currentItemChanged.connect(self._on_version_chosen)
        layout.addWidget(self.versions, 1)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton(tr("Restaurer cette version"), page)
        self.restore_button.setObjectName("restore")
        self.restore_button.setEnabled(False)
        self.restore_button.setToolTip(tr("Enregistre une nouvelle version reprenant les valeurs de la version "
                                          "choisie ; rien n'est effacé."))
        self.restore_button.clicked.connect(self.confirm_restore)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

    # --- showing a feature -------------------------------------------------------------
    def show_feature(self, layer: QgsVectorLayer, fid: int) -> bool:
        feature = layer.getFeature(fid)
        if not feature.isValid() or layer.fields().indexOf("uuid") < 0:
            return False
        self.layer = layer
        self.table = schema.table(layer.customProperty(loader.TABLE_PROPERTY))
        self.uuid = feature["uuid"]
        self.setUserVisible(True)
        self.raise_()
        self.tabs.setCurrentIndex(0)
        self.load()
        return True

    def open_uuid(self, table_name: str, uuid: str) -> None:
        """From the activity feed: the feature's history (its layer when the project has it)."""
        location = self.activity.store.location if self.activity.store is not None else None
        layer = loader.store_layers().get(location, {}).get(table_name)
        self.layer = layer
        self.table = schema.table(table_name)
        self.uuid = uuid
        self.tabs.setCurrentIndex(0)
        self.load(location)

    def store(self, location: Optional[str] = None):
        return LayerStore(location or self.layer.customProperty(loader.STORE_PROPERTY))

    def load(self, location: Optional[str] = None) -> None:
        self.versions.clear()
        self.clear_bands()
        try:
            store = self.store(location)
            self.entries = store_history.history(store, self.table.name, self.uuid, Settings.load().show_justice)
        except READ_ERRORS as error:
            self.entries = []
            self.title.setText(failure_text(error))
            return
        if self.activity.store is None or self.activity.store.location != store.location:
            self.activity.set_store(store)
        self.states = states_of(self.entries)
        name = self.states[0].get("name") if self.states else None
        self.title.setText(tr("{0} « {1} » : {2} versions").format(
            pick(self.table.label, self.table.label_en), name or self.uuid, len(self.entries)))
        for index, entry in enumerate(self.entries):
            self.versions.addTopLevelItem(self._version_item(index, entry))
        if self.versions.topLevelItemCount():
            self.versions.topLevelItem(0).setExpanded(True)
        self.draw_former_positions()

    def _version_item(self, index: int, entry: Dict) -> QTreeWidgetItem:
        operation = tr(OPERATIONS.get(entry["operation"], entry["operation"]))
        changed = [n for n in entry["changes"]]
        summary = operation if entry["operation"] != "update" else tr("{0} : {1}").format(
            operation, ", ".join(field_label(self.table.name, n) for n in changed))
        when = local_time(entry["valid_from"])
        if index == 0 and entry["operation"] != "delete":
            when += " " + tr("(actuelle)")
        item = QTreeWidgetItem([when, "%s — %s" % (entry["changed_by"] or tr("(inconnu)"), summary)])
        item.setData(0, Qt.ItemDataRole.UserRole, index)
        bold = QFont(item.font(0))
        bold.setBold(True)
        item.setFont(0, bold)
        item.setToolTip(1, summary)
        if entry["operation"] != "create":
            for name, (old, new) in entry["changes"].items():
                change = moved_text(old, new) if name == GEOMETRY else "%s → %s" % (
                    value_text(self.table, name, old), value_text(self.table, name, new))
                child = QTreeWidgetItem([field_label(self.table.name, name), change])
                child.setData(0, Qt.ItemDataRole.UserRole, index)
                item.addChild(child)
        return item

    def chosen_index(self) -> Optional[int]:
        item = self.versions.currentItem()
        return None if item is None else item.data(0, Qt.ItemDataRole.UserRole)

    def _on_version_chosen(self, *_) -> None:
        index = self.chosen_index()
        restorable = (index is not None and index > 0 and self.layer is not None and not self.layer.readOnly()
                      and self.entries[index]["operation"] != "delete" and self.entries[0]["operation"] != "delete")
        self.restore_button.setEnabled(restorable)
        self._highlight(index)

    # --- the map --------------------------------------------------------------------------
    def _band(self, geometry: QgsGeometry, colour: QColor, width: int) -> QgsRubberBand:
        canvas = self.iface.mapCanvas()
        kind = QgsWkbTypes.geometryType(geometry.wkbType())
        band = QgsRubberBand(canvas, kind)
        transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                           canvas.mapSettings().destinationCrs(), QgsProject.instance())
        geometry = QgsGeometry(geometry)
        geometry.transform(transform)
        band.setToGeometry(geometry, None)
        band.setColor(colour)
        band.setFillColor(QColor(colour.red(), colour.green(), colour.blue(), 40))
        band.setWidth(width)
        if kind == QgsWkbTypes.GeometryType.PointGeometry:
            band.setIcon(QgsRubberBand.IconType.ICON_CIRCLE)
            band.setIconSize(16)
        return band

    def former_geometries(self) -> List[QgsGeometry]:
        """The positions the feature had before its current one, each once."""
        current = self.states[0].get(GEOMETRY) if self.states else None
        seen, shapes = {current}, []
        for state in self.states[1:]:
            wkt = state.get(GEOMETRY)
            if wkt and wkt not in seen:
                seen.add(wkt)
                shapes.append(QgsGeometry.fromWkt(wkt))
        return shapes

    def draw_former_positions(self) -> None:
        former = self.former_geometries()
        for geometry in former:
            band = self._band(geometry, FORMER_COLOUR, 2)
            band.setLineStyle(Qt.PenStyle.DashLine)
            self.bands.append(band)
        current = self.states[0].get(GEOMETRY) if self.states else None
        if former and current and all(g.type() == QgsWkbTypes.GeometryType.PointGeometry for g in former):
            # A moved point: its path, oldest position first, to the current one.
            path = [g.asPoint() for g in reversed(former)] + [QgsGeometry.fromWkt(current).asPoint()]
            band = self._band(QgsGeometry.fromPolylineXY(path), FORMER_COLOUR, 2)
            band.setLineStyle(Qt.PenStyle.DotLine)
            self.bands.append(band)

    def _highlight(self, index: Optional[int]) -> None:
        if self.chosen_band is not None:
            self.iface.mapCanvas().scene().removeItem(self.chosen_band)
            self.chosen_band = None
        if index is None or index >= len(self.states) or not self.states[index].get(GEOMETRY):
            return
        self.chosen_band = self._band(QgsGeometry.fromWkt(self.states[index][GEOMETRY]), CHOSEN_COLOUR, 3)

    def clear_bands(self) -> None:
        scene = self.iface.mapCanvas().scene()
        for band in self.bands + ([self.chosen_band] if self.chosen_band is not None else []):
            scene.removeItem(band)
        self.bands, self.chosen_band = [], None

    def hideEvent(self, event):  # noqa: N802 (Qt API): closed, or another tab in front
        self.clear_bands()
        super().hideEvent(event)

    def showEvent(self, event):  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.uuid is not None and not self.bands and self.states:
            self.draw_former_positions()

    # --- restoring -------------------------------------------------------------------------------
    def restore_question(self, index: int) -> str:
        entry = self.entries[index]
        return tr("Restaurer la version du {0} ({1}) ?\nUne nouvelle version reprenant ses valeurs sera "
                  "enregistrée ; la version actuelle reste dans l'historique.").format(
            local_time(entry["valid_from"]), entry["changed_by"] or tr("(inconnu)"))

    def ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, tr("Restaurer cette version"), question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def confirm_restore(self) -> bool:
        """« Restaurer cette version »: nothing is written before the user confirms."""
        index = self.chosen_index()
        if index is None or not self.ask(self.restore_question(index)):
            return False
        return self.restore(index)

    def restore(self, index: Optional[int]) -> bool:
        """Put version `index`'s values in the layer's edit buffer; save them at once if the layer
        was not being edited (else the user saves with the rest of the edits)."""
        if index is None or self.layer is None:
            return False
        layer, target = self.layer, self.states[index]
        feature = next(layer.getFeatures(QgsFeatureRequest().setFilterExpression(
            '"uuid" = %s' % _quoted(self.uuid))), None)
        if feature is None:
            notify(self.iface, tr("L'objet n'est plus dans la couche."), Qgis.MessageLevel.Warning)
            return False
        current = edits.store_row(layer, feature)
        fields = layer.fields()
        values = {name: value for name, value in target.items()
                  if name != GEOMETRY and fields.indexOf(name) >= 0 and name not in store_history.MAINTAINED
                  and current.get(name) != value}
        for name in current:
            if name not in target and name in self.table.field_names and name not in store_history.MAINTAINED \
                    and current[name] is not None:
                values[name] = None  # the field was empty in that version
        wkt = target.get(GEOMETRY)
        geometry = QgsGeometry.fromWkt(wkt) if wkt else None
        moved = geometry is not None and not geometry.equals(feature.geometry())
        if not values and not moved:
            notify(self.iface, tr("Cette version est identique à l'actuelle."))
            return False
        was_editing = layer.isEditable()
        command = tr("Restaurer la version du {0}").format(local_time(self.entries[index]["valid_from"]))
        try:
            edits.change(layer, feature.id(), values, command)
            if moved:
                layer.changeGeometry(feature.id(), geometry, True)
        except StoreError as error:
            QMessageBox.warning(self, tr("Résorption SIG"), message(error))
            return False
        if not was_editing:
            if not layer.commitChanges():
                errors = "\n".join(layer.commitErrors())
                layer.rollBack()
                QMessageBox.warning(self, tr("Résorption SIG"),
                                    tr("La version n'a pas pu être restaurée :\n{0}").format(errors))
                return False
            notify(self.iface, tr("Version restaurée : nouvelle version enregistrée."), Qgis.MessageLevel.Success, 4)
        else:
            notify(self.iface, tr("Version restaurée dans les modifications en cours : enregistrez la couche."))
        self.load()
        return True

    def close_down(self) -> None:
        self.clear_bands()


def _quoted(text: str) -> str:
    return "'%s'" % text.replace("'", "''")
