"""The store-wide activity feed: the latest changes, filtered by person, dates and commune."""
from typing import Callable, List, Optional

from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox,
                                 QDateEdit, QGridLayout, QHeaderView, QLabel,
                                 QPushButton, QTreeWidget, QTreeWidgetItem,
                                 QVBoxLayout, QWidget)

from ..i18n import tr
from ..model import sums as model
from ..store import history as store_history
from ..store import lookups
from .dates import date_edit
from .labels import table_label
from .store_access import READ_ERRORS, failure_text
from ..store.sums_sql import connection_of

OPERATIONS = {"create": "Création", "update": "Modification", "delete": "Suppression"}
ANY = ""


def local_time(instant: Optional[str]) -> str:
    """An ISO UTC instant of the store shown in local time, dd/MM/yyyy HH:mm."""
    if not instant:
        return ""
    from qgis.PyQt.QtCore import QDateTime
    moment = QDateTime.fromString(instant, Qt.DateFormat.ISODateWithMs)
    if not moment.isValid():
        return instant
    moment.setTimeSpec(Qt.TimeSpec.UTC)
    return moment.toLocalTime().toString("dd/MM/yyyy HH:mm")


class ActivityWidget(QWidget):
    """Latest changes of the store; a double click opens the feature's history (`open_feature`)."""

    def __init__(self, open_feature: Callable[[str, str], None], parent=None):
        super().__init__(parent)
        self.setObjectName("ResorptionActivity")
        self.open_feature = open_feature
        self.store = None
        self.events: List[dict] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        filters = QGridLayout()
        self.person_box = QComboBox(self)
        self.person_box.setObjectName("person")
        self.commune_box = QComboBox(self)
        self.commune_box.setObjectName("commune")
        self.since_check = QCheckBox(tr("Du"), self)
        self.since_edit = self._date_edit("since", QDate.currentDate().addMonths(-1))
        self.until_check = QCheckBox(tr("au"), self)
        self.until_edit = self._date_edit("until", QDate.currentDate())
        filters.addWidget(QLabel(tr("Personne"), self), 0, 0)
        filters.addWidget(self.person_box, 0, 1, 1, 3)
        filters.addWidget(QLabel(tr("Commune"), self), 1, 0)
        filters.addWidget(self.commune_box, 1, 1, 1, 3)
        filters.addWidget(self.since_check, 2, 0)
        filters.addWidget(self.since_edit, 2, 1)
        filters.addWidget(self.until_check, 2, 2)
        filters.addWidget(self.until_edit, 2, 3)
        layout.addLayout(filters)
        for check, edit in ((self.since_check, self.since_edit), (self.until_check, self.until_edit)):
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _: self.refresh())
        self.person_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.commune_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.list = QTreeWidget(self)
        self.list.setObjectName("events")
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setHeaderLabels([tr("Quand"), tr("Qui"), tr("Quoi"), tr("Objet"), tr("Commune")])
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.itemDoubleClicked.connect(self._open)
        self.list.setToolTip(tr("Double-cliquer pour voir l'historique de l'objet"))
        layout.addWidget(self.list, 1)
        self.refresh_button = QPushButton(tr("Actualiser"), self)
        self.refresh_button.clicked.connect(self.reload)
        layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = QLabel(self)
        layout.addWidget(self.status)

    def _date_edit(self, name: str, day: QDate) -> QDateEdit:
        edit = date_edit(day, self, name)
        edit.dateChanged.connect(lambda _: self.refresh())
        return edit

    def set_store(self, store) -> None:
        self.store = store
        self.reload()

    def reload(self) -> None:
        """Fill the filters' choices (people and communes that appear in the store), then the list."""
        people, communes = [], []
        if self.store is not None:
            try:
                with connection_of(self.store) as connection:
                    people = lookups.authors(connection)
                    communes = lookups.site_communes(connection)
            except READ_ERRORS as error:
                self.status.setText(failure_text(error))
        for box, choices in ((self.person_box, [(p, p) for p in people]),
                             (self.commune_box, [("%s (%s)" % (n or c, c), c) for c, n in communes])):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(tr("Toutes") if box is self.commune_box else tr("Tout le monde"), ANY)
            for text, value in choices:
                box.addItem(text, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        if self.store is None:
            self.status.setText(tr("Aucun stockage ouvert."))
            return
        since = (self.since_edit.date().toString("yyyy-MM-dd") + "T00:00:00.000Z"
                 if self.since_check.isChecked() else None)
        until = model.parse_instant(self.until_edit.date().toString("yyyy-MM-dd")) \
            if self.until_check.isChecked() else None
        try:
            self.events = store_history.activity(
                self.store, limit=200, changed_by=self.person_box.currentData() or None, since=since, until=until,
                insee_code=self.commune_box.currentData() or None)
        except READ_ERRORS as error:
            self.status.setText(failure_text(error))
            return
        for event in self.events:
            what = tr(OPERATIONS.get(event["operation"], event["operation"]))
            # Rows without a name (indicators, links…): their table and the start of their identifier.
            name = event["label"] or "%s…" % (event["uuid"] or "")[:8]
            item = QTreeWidgetItem([local_time(event["at"]), event["changed_by"] or "", what,
                                    "%s — %s" % (table_label(event["table"]), name), event["insee_code"] or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, (event["table"], event["uuid"]))
            self.list.addTopLevelItem(item)
        self.status.setText(tr("{0} modifications (les 200 plus récentes au plus)").format(len(self.events)))

    def _open(self, item: QTreeWidgetItem, _column: int) -> None:
        table, uuid = item.data(0, Qt.ItemDataRole.UserRole)
        self.open_feature(table, uuid)
