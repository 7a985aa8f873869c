""""Créer une copie de travail…", "Synchroniser" and the conflicts dialog, over plugin/sync.

SyncManager is what the plugin wires: `create()` returns the actions for the menu and the
toolbar, `remove()` cancels the running tasks, closes the dialogs (their map highlights go with
them) and disconnects from the project and its layers. The work is the sync engine's, run in
QgsTasks; these classes gather the choices, show the progress and say how it went.
"""
import logging
from pathlib import Path
from typing import Callable, Dict, List, Optional

from qgis.core import Qgis, QgsApplication, QgsFeatureRequest, QgsProject, QgsTask
from qgis.gui import QgsFileWidget, QgsHighlight, QgsMessageBar
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (QAction, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                                 QHeaderView, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                                 QMessageBox, QProgressBar, QPushButton, QRadioButton, QTableWidget,
                                 QTableWidgetItem, QVBoxLayout)

from ..i18n import message, tr
from ..layers import loader, pg_connections
from ..layers.project_layers import reload_layers, unsaved_layers
from ..model import schema
from ..model.merge import DELETED
from ..model.territories import normalise_departement
from ..settings import Settings
from ..store.base import StoreError
from ..store.errors import translated
from ..store.sqlite_ddl import WORKING_COPY
from ..sync import EXISTENCE, MINE, THEIRS, SyncCancelled, SyncSummary, WorkingCopy, checkout, synchronise
from ..sync.engine import MOVED
from ..sync.working_copy import read_meta
from .history_panel import value_text
from .labels import field_label, table_label
from .postgres_store_dialog import ConnectionChoice, unlock_problem
from .tasks import TaskKeeper
from .store_actions import StoreActions

LOGGER = logging.getLogger("resorption_sig")
MESSAGE_SECONDS = 10
HIGHLIGHTED_TABLES = ("sites", "insertion_sites")


# --- what the actions read from the project ---------------------------------------------------

def working_copies(project: QgsProject) -> List[str]:
    """Locations of the working copies whose layers are in the project."""
    found = []
    for location in sorted(loader.store_layers(project)):
        try:
            if read_meta(location).get("role") == WORKING_COPY:
                found.append(location)
        except StoreError:
            continue
    return found


def pending_changes(location: str) -> int:
    with WorkingCopy(location) as copy:
        return copy.pending_changes()


def conflict_field_label(table_name: str, field_name: str) -> str:
    if field_name == EXISTENCE:
        return tr("(existence de l'élément)")
    return field_label(table_name, field_name)


def conflict_value_text(table_name: str, field_name: str, value) -> str:
    """A side of a conflict as the officer reads it: labels of codes, dates dd/mm/yyyy, what became of the row."""
    if field_name == EXISTENCE:
        return {"present": tr("présent"), DELETED: tr("supprimé"),
                MOVED: tr("sorti du territoire de la copie")}.get(value, str(value))
    return value_text(schema.table(table_name), field_name, value)


# --- the task ------------------------------------------------------------------------------------

class SyncTask(QgsTask):
    """Runs `work(progress, cancelled)` in the background; its outcome (or StoreError) stays on the
    task, read in the GUI thread once taskCompleted / taskTerminated is emitted."""

    def __init__(self, description: str, work: Callable[[Callable[[float, str], None], Callable[[], bool]], object]):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.work = work
        self.outcome = None
        self.error: Optional[StoreError] = None

    def report(self, fraction: float, text: str) -> None:
        self.setProgress(100 * fraction)

    def failure(self) -> Optional[StoreError]:
        """Why the task gave no outcome (a task cancelled before it ran has neither outcome nor error)."""
        if self.error is None and self.outcome is None:
            return SyncCancelled()
        return self.error

    def run(self) -> bool:
        try:
            self.outcome = self.work(self.report, self.isCanceled)
        except StoreError as error:
            self.error = SyncCancelled() if self.isCanceled() else error
        except Exception as error:  # a read-only file, a server's refusal: said; a bug or the disk: logged in full
            self.error = translated(error)
            if self.error is None:
                LOGGER.exception("%s", self.description())
                self.error = StoreError("Erreur inattendue : %s" % error, "Unexpected error: %s" % error)
        return self.error is None


# --- "Créer une copie de travail…" ----------------------------------------------------------------

class CheckoutDialog(QDialog):
    """Shared store (a GeoPackage, or a PostgreSQL database through a QGIS connection), départements,
    destination; the checkout runs in a task, then the copy opens."""

    def __init__(self, iface, tasks: TaskKeeper, parent=None):
        super().__init__(parent or iface.mainWindow())
        self.iface = iface
        self.tasks = tasks
        self.task: Optional[SyncTask] = None
        self.setWindowTitle(tr("Créer une copie de travail"))
        self.sharedWidget = QgsFileWidget(self)
        self.sharedWidget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.sharedWidget.setFilter(tr("GeoPackage (*.gpkg)"))
        self.sharedWidget.setDialogTitle(tr("Stockage partagé"))
        self.sharedWidget.setToolTip(tr("Un stockage GeoPackage partagé (dossier réseau)."))
        self.fileRadio = QRadioButton(tr("Fichier GeoPackage partagé"), self)
        self.fileRadio.setChecked(True)
        self.fileRadio.toggled.connect(self.sharedWidget.setEnabled)
        # what a file on a shared drive cannot do, said where it is chosen
        self.sharedFileWarning = QLabel(tr(
            "Un GeoPackage partagé ne protège rien : quiconque peut ouvrir le fichier le lit en entier, identité "
            "des propriétaires et procédures comprises. Les droits par territoire et par rôle n'existent que sur "
            "un serveur PostGIS."), self)
        self.sharedFileWarning.setWordWrap(True)
        self.fileRadio.toggled.connect(self.sharedFileWarning.setVisible)
        self.connection = ConnectionChoice(self)
        self.departementsEdit = QLineEdit(self)
        self.departementsEdit.setPlaceholderText(tr("ex. 93, 2A, 974"))
        self.departementsEdit.setToolTip(tr("Codes des départements, séparés par des virgules"))
        self.destinationWidget = QgsFileWidget(self)
        self.destinationWidget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.destinationWidget.setFilter(tr("GeoPackage (*.gpkg)"))
        self.destinationWidget.setConfirmOverwrite(True)
        self.destinationWidget.setDialogTitle(tr("Copie de travail à créer"))
        self.problemLabel = QLabel(self)
        self.problemLabel.setStyleSheet("color: #b00020;")
        self.problemLabel.setWordWrap(True)
        self.progressBar = QProgressBar(self)
        self.progressBar.hide()
        self.buttonBox = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                          self)
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Créer"))
        self.buttonBox.accepted.connect(self.start)
        self.buttonBox.rejected.connect(self.cancel_or_close)
        form = QFormLayout()
        form.addRow(tr("Stockage partagé"), self.fileRadio)
        form.addRow("", self.sharedWidget)
        form.addRow("", self.sharedFileWarning)
        form.addRow("", self.connection)
        form.addRow(tr("Départements"), self.departementsEdit)
        form.addRow(tr("Copie de travail (.gpkg)"), self.destinationWidget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problemLabel)
        layout.addWidget(self.progressBar)
        layout.addWidget(self.buttonBox)

    def departements(self) -> Optional[List[str]]:
        """The codes typed, normalised; None when one of them is no département."""
        codes = []
        for part in self.departementsEdit.text().split(","):
            if not part.strip():
                continue
            code = normalise_departement(part)
            if code is None:
                return None
            if code not in codes:
                codes.append(code)
        return codes or None

    def shared_location(self) -> str:
        """The shared store chosen: a GeoPackage path, or "qgis:NAME" (no secret in it)."""
        return self.connection.location() if self.connection.chosen() else self.sharedWidget.filePath()

    def problems(self) -> List[str]:
        found = []
        shared = "" if self.connection.chosen() else self.sharedWidget.filePath()
        destination = self.destinationWidget.filePath()
        if self.connection.chosen():
            if not self.connection.connection_name():
                found.append(tr("Choisissez une connexion PostgreSQL."))
        elif not shared or not Path(shared).is_file():
            found.append(tr("Choisissez le fichier GeoPackage du stockage partagé."))
        if self.departements() is None:
            found.append(tr("Saisissez un ou plusieurs codes de département valides, séparés par des virgules "
                            "(ex. 93, 2A, 974)."))
        if not destination:
            found.append(tr("Choisissez où enregistrer la copie de travail."))
        elif shared and Path(destination).resolve() == Path(shared).resolve():
            found.append(tr("La copie de travail ne peut pas remplacer le stockage partagé."))
        elif Path(destination).exists():
            found.append(tr("Le fichier {0} existe déjà : choisissez un autre nom.").format(destination))
        return found

    def start(self) -> Optional[SyncTask]:
        if self.task is not None:
            return self.task
        found = self.problems()
        self.problemLabel.setText("\n".join(found))
        if not found and self.connection.chosen():
            found = [problem for problem in [unlock_problem(self.connection.connection_name())] if problem]
            self.problemLabel.setText("\n".join(found))
        if found:
            return None
        shared = self.shared_location()
        destination = self.destinationWidget.filePath()
        if not destination.lower().endswith(".gpkg"):
            destination += ".gpkg"
        departements = self.departements()
        login = Settings.load().effective_login()
        self.task = SyncTask(tr("Copie de travail : {0}").format(Path(destination).name),
                             lambda progress, cancelled: checkout(shared, destination, departements, login,
                                                                  progress, cancelled))
        self.task.progressChanged.connect(lambda value: self.progressBar.setValue(int(value)))
        self.task.taskCompleted.connect(self._finished)
        self.task.taskTerminated.connect(self._finished)
        self.progressBar.setValue(0)
        self.progressBar.show()
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.tasks.launch(self.task)
        return self.task

    def cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        else:
            self.reject()

    def _finished(self) -> None:
        task, self.task = self.task, None
        self.progressBar.hide()
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        if task is None:
            return
        if task.failure() is not None:
            self.problemLabel.setText(message(task.failure()))
            return
        self.accept()
        StoreActions(self.iface).open_store(task.outcome)


# --- the conflicts dialog -----------------------------------------------------------------------

class ConflictsDialog(QDialog):
    """One feature at a time: its conflicting fields, ancestor / mine / theirs / the result chosen."""

    COLUMNS = 4

    def __init__(self, iface, location: str, parent=None, on_resolved: Optional[Callable[[str], None]] = None):
        super().__init__(parent or iface.mainWindow())
        self.iface = iface
        self.location = location
        self.on_resolved = on_resolved
        self.highlight: Optional[QgsHighlight] = None
        self.conflicts: Dict[str, List[dict]] = {}
        self.setWindowTitle(tr("Conflits — {0}").format(Path(location).stem))
        self.resize(1000, 480)
        self.featureList = QListWidget(self)
        self.featureList.setMaximumWidth(360)
        self.featureList.currentRowChanged.connect(self._show_feature)
        self.fieldTable = QTableWidget(0, self.COLUMNS, self)
        self.fieldTable.setHorizontalHeaderLabels(
            [tr("Ancêtre"), tr("Mes valeurs"), tr("Leurs valeurs"), tr("Résultat")])
        self.fieldTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.fieldTable.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.fieldTable.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.applyButton = QPushButton(tr("Appliquer"), self)
        self.allMineButton = QPushButton(tr("Tout garder de mon côté"), self)
        self.allTheirsButton = QPushButton(tr("Tout prendre de l'autre côté"), self)
        self.closeButton = QPushButton(tr("Fermer"), self)
        self.applyButton.clicked.connect(self.apply_choices)
        self.allMineButton.clicked.connect(lambda: self.resolve_all(MINE))
        self.allTheirsButton.clicked.connect(lambda: self.resolve_all(THEIRS))
        self.closeButton.clicked.connect(self.close)
        self.statusLabel = QLabel(self)
        self.statusLabel.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.applyButton, self.allMineButton, self.allTheirsButton):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.closeButton)
        body = QHBoxLayout()
        body.addWidget(self.featureList)
        body.addWidget(self.fieldTable, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.statusLabel)
        layout.addLayout(buttons)
        self.refresh()

    # --- content ---------------------------------------------------------------------------
    def refresh(self) -> None:
        names = {}
        try:
            with WorkingCopy(self.location) as copy:
                listed = copy.conflicts()
                for conflict in listed:
                    names[conflict["uuid"]] = copy.feature_name(conflict["table"], conflict["uuid"])
        except StoreError as error:
            self.statusLabel.setText(message(error))
            listed = []
        self.conflicts = {}
        for conflict in listed:
            self.conflicts.setdefault(conflict["uuid"], []).append(conflict)
        self.featureList.blockSignals(True)
        self.featureList.clear()
        for uuid, fields in self.conflicts.items():
            item = QListWidgetItem(tr("{0} — {1} ({2} champ(s))").format(table_label(fields[0]["table"]),
                                                                           names.get(uuid) or uuid, len(fields)))
            item.setData(Qt.ItemDataRole.UserRole, uuid)
            item.setToolTip(item.text())
            self.featureList.addItem(item)
        self.featureList.blockSignals(False)
        has_any = bool(self.conflicts)
        for button in (self.applyButton, self.allMineButton, self.allTheirsButton):
            button.setEnabled(has_any)
        if has_any:
            self.featureList.setCurrentRow(0)
        else:
            self.fieldTable.setRowCount(0)
            self._remove_highlight()
            self.statusLabel.setText(tr("Aucun conflit en attente : la prochaine synchronisation enverra "
                                        "vos choix."))

    def current_uuid(self) -> Optional[str]:
        item = self.featureList.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_feature(self, row: int) -> None:
        uuid = self.current_uuid()
        fields = self.conflicts.get(uuid, [])
        self.fieldTable.setRowCount(len(fields))
        self.fieldTable.setVerticalHeaderLabels([conflict_field_label(f["table"], f["field"]) for f in fields])
        for position, conflict in enumerate(fields):
            for column, key in enumerate(("base", "mine", "theirs")):
                cell = QTableWidgetItem(conflict_value_text(conflict["table"], conflict["field"], conflict[key]))
                cell.setToolTip(cell.text())
                self.fieldTable.setItem(position, column, cell)
            choice = QComboBox(self.fieldTable)
            choice.addItem(tr("Mes valeurs"), MINE)
            choice.addItem(tr("Leurs valeurs"), THEIRS)
            self.fieldTable.setCellWidget(position, 3, choice)
        if fields:
            self._highlight(fields[0]["table"], uuid)

    def choice_box(self, row: int) -> QComboBox:
        return self.fieldTable.cellWidget(row, 3)

    # --- map -------------------------------------------------------------------------------
    def _highlight(self, table: str, uuid: str) -> None:
        self._remove_highlight()
        if table not in HIGHLIGHTED_TABLES:
            return
        layer = loader.store_layers(QgsProject.instance()).get(self.location, {}).get(table)
        if layer is None:
            return
        request = QgsFeatureRequest().setFilterExpression("\"uuid\" = '%s'" % uuid.replace("'", "''"))
        for feature in layer.getFeatures(request):
            if feature.hasGeometry():
                # The feature's own symbol, outlined: a site's circle keeps its size, a point stays visible.
                self.highlight = QgsHighlight(self.iface.mapCanvas(), feature, layer)
                self.highlight.setColor(QColor(220, 0, 80))
                self.highlight.setFillColor(QColor(220, 0, 80, 60))
                self.highlight.setBuffer(1.5)
                self.highlight.setMinWidth(3)
                self.highlight.show()
            break

    def _remove_highlight(self) -> None:
        if self.highlight is not None:
            self.highlight.hide()
            self.iface.mapCanvas().scene().removeItem(self.highlight)
            self.highlight = None

    # --- decisions -------------------------------------------------------------------------
    def _confirm(self, text: str) -> bool:
        return QMessageBox.question(self, tr("Résoudre le conflit"), text) == QMessageBox.StandardButton.Yes

    def apply_choices(self) -> bool:
        uuid = self.current_uuid()
        if uuid is None:
            return False
        choices = [(conflict["field"], self.choice_box(row).currentData())
                   for row, conflict in enumerate(self.conflicts[uuid])]
        if not self._confirm(tr("Appliquer ces choix à l'élément {0} ? Ils seront enregistrés dans l'historique "
                                "sous votre identifiant.").format(uuid)):
            return False
        return self._resolve(lambda copy, login: [copy.resolve(uuid, field, choice, login)
                                                  for field, choice in choices])

    def resolve_all(self, choice: str) -> bool:
        uuid = self.current_uuid()
        if uuid is None:
            return False
        question = (tr("Garder toutes vos valeurs pour l'élément {0} ?") if choice == MINE
                    else tr("Prendre toutes les valeurs de l'autre côté pour l'élément {0} ?")).format(uuid)
        if not self._confirm(question + "\n" + tr("Ce choix sera enregistré dans l'historique sous votre "
                                                  "identifiant.")):
            return False
        return self._resolve(lambda copy, login: copy.resolve_all(uuid, choice, login))

    def _resolve(self, decide: Callable) -> bool:
        login = Settings.load().effective_login()
        try:
            with WorkingCopy(self.location) as copy:
                decide(copy, login)
        except StoreError as error:
            QMessageBox.critical(self, tr("Résorption SIG"), message(error))
            return False
        reload_layers(QgsProject.instance(), self.location)
        if self.on_resolved is not None:
            self.on_resolved(self.location)
        self.refresh()
        return True

    def done(self, result: int) -> None:
        self._remove_highlight()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._remove_highlight()
        super().closeEvent(event)


# --- the manager ------------------------------------------------------------------------------------

class SyncManager:
    """The "Créer une copie de travail…" and "Synchroniser" actions, their tasks and dialogs."""

    def __init__(self, iface):
        self.iface = iface
        self.project = QgsProject.instance()
        self.tasks = TaskKeeper()
        self.actions: List[QAction] = []
        self.checkout_action: Optional[QAction] = None
        self.sync_action: Optional[QAction] = None
        self.checkout_dialog: Optional[CheckoutDialog] = None
        self.conflicts_dialog: Optional[ConflictsDialog] = None
        self.sync_task: Optional[SyncTask] = None
        self.watched: Dict[str, object] = {}
        self.progress_widget = None

    def create(self) -> List[QAction]:
        window = self.iface.mainWindow()
        self.checkout_action = QAction(QgsApplication.getThemeIcon("/mActionNewGeoPackageLayer.svg"),
                                       tr("Créer une copie de travail…"), window)
        self.checkout_action.setToolTip(tr("Une copie locale (GeoPackage) des départements choisis d'un stockage "
                                           "partagé, pour travailler hors ligne puis synchroniser"))
        self.checkout_action.triggered.connect(self.show_checkout)
        self.sync_action = QAction(QgsApplication.getThemeIcon("/mActionRefresh.svg"), tr("Synchroniser"), window)
        self.sync_action.triggered.connect(lambda: self.synchronise())
        self.actions = [self.checkout_action, self.sync_action]
        self.project.layersAdded.connect(self._layers_changed)
        self.project.layersRemoved.connect(self._layers_changed)
        self._layers_changed()
        return list(self.actions)

    # --- badge -----------------------------------------------------------------------------
    def _layers_changed(self, *_args) -> None:
        """Watch the commits of the copies' layers: each one may add local changes to send."""
        copies = set(working_copies(self.project))
        layers = loader.store_layers(self.project)
        for layer_id in list(self.watched):
            layer = self.project.mapLayer(layer_id)
            if layer is None or layer.customProperty(loader.STORE_PROPERTY) not in copies:
                self._unwatch(layer_id, layer)
        for location in copies:
            for layer in layers.get(location, {}).values():
                if layer.id() not in self.watched:
                    self.watched[layer.id()] = layer.afterCommitChanges.connect(self.update_badge)
        self.update_badge()

    def _unwatch(self, layer_id: str, layer) -> None:
        connection = self.watched.pop(layer_id)
        if layer is not None:
            try:
                layer.afterCommitChanges.disconnect(connection)
            except (TypeError, RuntimeError):
                pass

    def pending(self) -> int:
        total = 0
        for location in working_copies(self.project):
            try:
                total += pending_changes(location)
            except StoreError:
                continue
        return total

    def update_badge(self) -> int:
        if self.sync_action is None:
            return 0
        count = self.pending()
        self.sync_action.setText(tr("Synchroniser ({0})").format(count) if count else tr("Synchroniser"))
        # The toolbar shows the icon only: the count goes in its tooltip too.
        tip = tr("Recevoir les modifications du stockage partagé et envoyer les vôtres")
        self.sync_action.setToolTip(tip + (tr(" ({0} modification(s) à envoyer)").format(count) if count else ""))
        return count

    # --- checkout ----------------------------------------------------------------------------
    def show_checkout(self) -> CheckoutDialog:
        if self.checkout_dialog is not None and self.checkout_dialog.isVisible():
            self.checkout_dialog.raise_()
            return self.checkout_dialog
        if self.checkout_dialog is not None:
            self.checkout_dialog.deleteLater()
        self.checkout_dialog = CheckoutDialog(self.iface, self.tasks)
        self.checkout_dialog.show()
        return self.checkout_dialog

    # --- sync --------------------------------------------------------------------------------
    def _choose_copy(self) -> Optional[str]:
        copies = working_copies(self.project)
        if not copies:
            self._tell(tr("Aucune copie de travail n'est ouverte : ouvrez-en une ou créez-la avec "
                          "« Créer une copie de travail… »."), Qgis.MessageLevel.Warning)
            return None
        if len(copies) == 1:
            return copies[0]
        names = [Path(location).stem for location in copies]
        name, chosen = QInputDialog.getItem(self.iface.mainWindow(), tr("Synchroniser"),
                                            tr("Copie de travail à synchroniser :"), names, 0, False)
        return copies[names.index(name)] if chosen else None

    def synchronise(self, location: Optional[str] = None) -> Optional[SyncTask]:
        if self.sync_task is not None:
            self._tell(tr("Une synchronisation est déjà en cours."), Qgis.MessageLevel.Info)
            return None
        location = location or self._choose_copy()
        if location is None:
            return None
        unsaved = unsaved_layers(self.project, location)
        if unsaved:
            self._tell(tr("Synchronisation refusée : enregistrez ou annulez d'abord les modifications en cours "
                          "des couches {0}.").format(", ".join(unsaved)), Qgis.MessageLevel.Warning)
            return None
        problem = self._unlock_shared(location)
        if problem:
            self._tell(problem, Qgis.MessageLevel.Critical)
            return None
        login = Settings.load().effective_login()
        task = SyncTask(tr("Synchronisation : {0}").format(Path(location).name),
                        lambda progress, cancelled: synchronise(location, login, progress, cancelled))
        task.location = location
        task.taskCompleted.connect(lambda: self._sync_finished(task))
        task.taskTerminated.connect(lambda: self._sync_finished(task))
        self.sync_task = task
        self._show_progress(task)
        self.tasks.launch(task)
        return task

    @staticmethod
    def _unlock_shared(location: str) -> Optional[str]:
        """A copy of a store reached through a QGIS connection: QGIS's master password is asked here, in the
        GUI thread, if the task will need it."""
        try:
            with WorkingCopy(location) as copy:
                name = pg_connections.name_of(copy.state["shared"])
        except StoreError as error:
            return message(error)
        return unlock_problem(name) if name is not None else None

    def _show_progress(self, task: SyncTask) -> None:
        widget = QgsMessageBar.createMessage(tr("Résorption SIG"), tr("Synchronisation en cours…"))
        bar = QProgressBar(widget)
        bar.setRange(0, 100)
        task.progressChanged.connect(lambda value: bar.setValue(int(value)))
        cancel = QPushButton(tr("Annuler"), widget)
        cancel.clicked.connect(task.cancel)
        widget.layout().addWidget(bar)
        widget.layout().addWidget(cancel)
        self.progress_widget = widget
        self.iface.messageBar().pushWidget(widget, Qgis.MessageLevel.Info, 0)

    def _hide_progress(self) -> None:
        if self.progress_widget is not None:
            self.iface.messageBar().popWidget(self.progress_widget)
            self.progress_widget = None

    def _sync_finished(self, task: SyncTask) -> None:
        if self.sync_task is not task:
            return
        self.sync_task = None
        self._hide_progress()
        reload_layers(self.project, task.location)
        self.update_badge()
        failure = task.failure()
        if failure is not None:
            level = Qgis.MessageLevel.Warning if isinstance(failure, SyncCancelled) else Qgis.MessageLevel.Critical
            self._tell(message(failure), level)
            return
        summary: SyncSummary = task.outcome
        text = tr("Synchronisation terminée : {0} reçu(s), {1} envoyé(s), {2} conflit(s).").format(
            summary.received, summary.sent, summary.conflicts)
        self._tell(text, Qgis.MessageLevel.Warning if summary.conflicts else Qgis.MessageLevel.Success)
        if summary.conflicts:
            self._offer_conflicts(task.location, summary.conflicts)

    def _offer_conflicts(self, location: str, count: int) -> None:
        widget = QgsMessageBar.createMessage(
            tr("Résorption SIG"), tr("{0} élément(s) en conflit attendent votre décision.").format(count))
        button = QPushButton(tr("Résoudre les conflits…"), widget)
        button.clicked.connect(lambda: self.show_conflicts(location))
        widget.layout().addWidget(button)
        self.iface.messageBar().pushWidget(widget, Qgis.MessageLevel.Warning, MESSAGE_SECONDS * 3)

    def show_conflicts(self, location: str) -> ConflictsDialog:
        self._close_conflicts()
        self.conflicts_dialog = ConflictsDialog(self.iface, location,
                                                on_resolved=lambda _location: self.update_badge())
        self.conflicts_dialog.show()
        return self.conflicts_dialog

    def _close_conflicts(self) -> None:
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.close()
            self.conflicts_dialog.deleteLater()
            self.conflicts_dialog = None

    def _tell(self, text: str, level) -> None:
        self.iface.messageBar().pushMessage(tr("Résorption SIG"), text, level, MESSAGE_SECONDS)

    # --- undoing -----------------------------------------------------------------------------
    def remove(self) -> None:
        self.tasks.cancel_all()
        self.sync_task = None
        self._hide_progress()
        for signal in (self.project.layersAdded, self.project.layersRemoved):
            try:
                signal.disconnect(self._layers_changed)
            except (TypeError, RuntimeError):
                pass
        for layer_id in list(self.watched):
            self._unwatch(layer_id, self.project.mapLayer(layer_id))
        self._close_conflicts()
        if self.checkout_dialog is not None:
            if self.checkout_dialog.task is not None:
                self.checkout_dialog.task.cancel()
            self.checkout_dialog.close()
            self.checkout_dialog.deleteLater()
            self.checkout_dialog = None
        for action in self.actions:
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        self.checkout_action = self.sync_action = None
