"""« Exporter vers Excel… » and « Importer depuis Excel… » (forms/excel_export.ui, forms/excel_import.ui).

ExcelManager is what the plugin wires: `create(iface)` returns the two actions for the
"Résorption SIG" menu, `remove()` cancels the running tasks, closes the dialogs and takes the
actions away. The work is plugin/exchange's (export_workbook, preview_import, apply_import), run
in QgsTasks: the dialogs gather the choices, show the progress and the reports.
"""
import logging
from pathlib import Path
from typing import Callable, Dict, List, Optional

from qgis.core import Qgis, QgsApplication, QgsProject, QgsTask
from qgis.gui import QgsFileWidget, QgsMessageBar
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QUrl, pyqtSlot
from qgis.PyQt.QtGui import QBrush, QColor, QDesktopServices
from qgis.PyQt.QtWidgets import QWIDGETSIZE_MAX, QAction, QDialog, QHeaderView, QPushButton

from ..assets import FORMS
from ..exchange import observatory
from ..exchange.export import ExportCancelled, ExportResult, export_workbook
from ..exchange.importer import (OUTCOMES, ImportPreview, ImportRefused, ImportResult, apply_import,
                                preview_import)
from ..i18n import message, pick, tr
from ..layers import loader
from ..layout.content import departement_name
from ..model.cells import store_timestamp
from ..model.platform_export import utc_to_local
from ..model.schema import SITES, Kind
from ..model.vocabularies import CLOSING_SOLUTION
from ..model.spreadsheet import CREATE, INVALID, JUSTICE_ONLY_FIELDS, SKIPPED, UNCHANGED, UPDATE, RowReport
from ..settings import Settings
from ..layers.project_layers import reload_layers, unsaved_layers
from ..store import lookups, open_store
from ..store.base import StoreError
from . import observatory_import
from .tasks import TaskKeeper

EXPORT_FORM, _ = uic.loadUiType(str(FORMS / "excel_export.ui"))
IMPORT_FORM, _ = uic.loadUiType(str(FORMS / "excel_import.ui"))
LOGGER = logging.getLogger("resorption_sig")
MESSAGE_SECONDS = 15
ERROR_STYLE = "color: #b00020;"
WARNING_STYLE = "color: #9a5b00;"


# --- what the dialogs read from the project ----------------------------------------------------

def store_locations(project: QgsProject) -> List[str]:
    return sorted(loader.store_layers(project))


def fill_store_combo(combo, project: QgsProject) -> bool:
    for location in store_locations(project):
        combo.addItem(Path(location).stem, location)
        combo.setItemData(combo.count() - 1, location, Qt.ItemDataRole.ToolTipRole)
    return combo.count() > 0


def push_message(iface, title: str, text: str, level, path: Optional[str] = None) -> None:
    """A message in QGIS's bar; with `path`, buttons that open the file and its folder."""
    bar = iface.messageBar()
    if path is None:
        bar.pushMessage(title, text, level, MESSAGE_SECONDS)
        return
    widget = QgsMessageBar.createMessage(title, text)
    for caption, target in ((tr("Ouvrir le fichier"), path), (tr("Ouvrir le dossier"), str(Path(path).parent))):
        button = QPushButton(caption, widget)
        button.clicked.connect(lambda _checked=False, where=target: QDesktopServices.openUrl(QUrl.fromLocalFile(where)))
        widget.layout().addWidget(button)
    bar.pushWidget(widget, level, MESSAGE_SECONDS * 2)


# --- tasks ---------------------------------------------------------------------------------------

class _Stopped(Exception):
    """Raised from a progress callback when the user cancelled the task."""


class ExchangeTask(QgsTask):
    """Runs `work(progress)` in the background; its outcome (or StoreError) stays on the task,
    read in the GUI thread once taskCompleted / taskTerminated is emitted."""

    def __init__(self, description: str, work: Callable[[Callable[[float], None]], object],
                 cancelled_error: StoreError):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.work = work
        self.cancelled_error = cancelled_error
        self.outcome = None
        self.error: Optional[StoreError] = None

    def progress(self, percent: float) -> None:
        if self.isCanceled():
            raise _Stopped()
        self.setProgress(percent)

    def run(self) -> bool:
        try:
            self.outcome = self.work(self.progress)
        except (_Stopped, ExportCancelled):
            self.error = self.cancelled_error
        except StoreError as error:
            self.error = self.cancelled_error if self.isCanceled() else error
        except Exception as error:  # a bug or the disk: said to the user, logged in full
            LOGGER.exception("%s", self.description())
            self.error = StoreError("Erreur inattendue : %s" % error, "Unexpected error: %s" % error)
        return self.error is None


def export_task(location: str, path: str, at: Optional[str], departement: Optional[str], include_justice: bool,
                since: Optional[str]) -> ExchangeTask:
    def work(progress):
        return export_workbook(open_store(location), path, at=at, departement=departement,
                               include_justice=include_justice, since=since, progress=progress,
                               is_cancelled=task.isCanceled)
    task = ExchangeTask(tr("Export Excel : {0}").format(Path(path).name), work, ExportCancelled())
    return task


def preview_task(location: str, path: str) -> ExchangeTask:
    return ExchangeTask(tr("Analyse du fichier : {0}").format(Path(path).name),
                        lambda progress: preview_import(open_store(location), path, progress=progress),
                        StoreError("Analyse annulée.", "Analysis cancelled."))


def apply_task(location: str, preview: ImportPreview, login: str, skip_invalid: bool) -> ExchangeTask:
    # Cancelling raises from the progress callback inside the transaction: it is rolled back.
    return ExchangeTask(tr("Import Excel : {0}").format(preview.file_name),
                        lambda progress: apply_import(open_store(location), preview, login, skip_invalid, progress),
                        ImportRefused("Import annulé : rien n'a été écrit.", "Import cancelled: nothing was written."))


def observatory_preview_task(location: str, path: str) -> ExchangeTask:
    return ExchangeTask(tr("Analyse du classeur de l'opérateur : {0}").format(Path(path).name),
                        lambda progress: observatory.preview_workbook(open_store(location), path),
                        StoreError("Analyse annulée.", "Analysis cancelled."))


def observatory_apply_task(location: str, preview: observatory.ObservatoryPreview, login: str,
                           take_file: Optional[bool]) -> ExchangeTask:
    return ExchangeTask(tr("Import du classeur de l'opérateur : {0}").format(preview.file_name),
                        lambda progress: observatory.apply_workbook(open_store(location), preview, login, take_file),
                        StoreError("Import annulé : rien n'a été écrit.", "Import cancelled: nothing was written."))


def _set_up(dialog, iface, project: Optional[QgsProject], tasks: Optional[TaskKeeper]) -> None:
    """What the export and import dialogs share: their form, the project, the tasks they run."""
    dialog.setupUi(dialog)
    dialog.iface = iface
    dialog.project = project or QgsProject.instance()
    dialog.tasks = tasks or TaskKeeper()
    dialog.task = None


# --- export --------------------------------------------------------------------------------------

class ExportDialog(QDialog, EXPORT_FORM):
    def __init__(self, iface, parent=None, project: Optional[QgsProject] = None,
                 tasks: Optional[TaskKeeper] = None):
        super().__init__(parent or iface.mainWindow())
        _set_up(self, iface, project, tasks)
        self._suggested = ""
        self.settings = Settings.load()

        today = QDate.currentDate()
        self.atEdit.setMaximumDate(today)
        self.atEdit.setDate(today)
        self.sinceEdit.setMaximumDate(today)
        self.sinceEdit.setDate(today.addMonths(-1))
        self.justiceBox.setEnabled(self.settings.show_justice)
        if not self.settings.show_justice:
            self.justiceBox.setToolTip(tr("Réservé aux agents habilités : Résorption SIG › Paramètres… › "
                                          "afficher les procédures"))
        self.fileWidget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.fileWidget.setFilter(tr("Classeur Excel (*.xlsx)"))
        self.fileWidget.setConfirmOverwrite(True)
        self.fileWidget.setDialogTitle(tr("Enregistrer le classeur Excel"))
        self.progressBar.hide()
        self.cancelButton.hide()
        self.warningLabel.hide()

        has_store = fill_store_combo(self.storeCombo, self.project)
        self.storeCombo.currentIndexChanged.connect(self.store_changed)
        self.departementCombo.currentIndexChanged.connect(self.suggest_file)
        self.atEdit.dateChanged.connect(self.at_changed)
        self.exportButton.clicked.connect(self.start_export)
        self.cancelButton.clicked.connect(self.cancel_export)
        self.closeButton.clicked.connect(self.reject)
        self.exportButton.setEnabled(has_store)
        if has_store:
            self.store_changed()
        else:
            self.show_message(tr("Ouvrez d'abord un stockage (menu Résorption SIG › Ouvrir un stockage…)."),
                              ERROR_STYLE)

    # --- choices -----------------------------------------------------------------------------------
    def location(self) -> Optional[str]:
        return self.storeCombo.currentData()

    def store_changed(self) -> None:
        location = self.location()
        self.departementCombo.blockSignals(True)
        self.departementCombo.clear()
        self.departementCombo.addItem(tr("Tous les départements"), None)
        try:
            codes = lookups.departements(location) if location else []
        except (StoreError, OSError) as error:
            codes = []
            self.show_message(message(error) if isinstance(error, StoreError) else str(error), ERROR_STYLE)
        for code in codes:
            self.departementCombo.addItem("%s – %s" % (code, departement_name(code)), code)
        if len(codes) == 1:
            self.departementCombo.setCurrentIndex(1)
        self.departementCombo.blockSignals(False)
        self.warn_unsaved()
        self.suggest_file()

    def warn_unsaved(self) -> None:
        names = unsaved_layers(self.project, self.location()) if self.location() else []
        self.warningLabel.setText(
            tr("Modifications non enregistrées dans {0} : l'export lit le stockage, elles ne seront pas dans le "
               "fichier. Enregistrez-les d'abord pour les inclure.").format(", ".join("« %s »" % n for n in names))
            if names else "")
        self.warningLabel.setVisible(bool(names))

    def at_changed(self, day: QDate) -> None:
        self.sinceEdit.setMaximumDate(day)
        if self.sinceEdit.date() >= day:
            self.sinceEdit.setDate(day.addMonths(-1))
        self.suggest_file()

    def suggest_file(self) -> None:
        """A file name telling the territory and the date, until the user picks one."""
        current = self.fileWidget.filePath()
        if current and current != self._suggested:
            return
        folder = Path(current).parent if current else Path.home()
        name = "resorption_%s_%s.xlsx" % (self.departementCombo.currentData() or "tous",
                                          self.atEdit.date().toString("yyyy-MM-dd"))
        self._suggested = str(folder / name)
        self.fileWidget.setFilePath(self._suggested)

    def output_path(self) -> str:
        path = self.fileWidget.filePath().strip()
        if path and not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return path

    # --- running -----------------------------------------------------------------------------------
    def show_message(self, text: str, style: str = "") -> None:
        self.messageLabel.setStyleSheet(style)
        self.messageLabel.setText(text)

    def build_task(self) -> Optional[ExchangeTask]:
        """The export task for the dialog's choices, or None (and the reason shown)."""
        location, path = self.location(), self.output_path()
        if not location:
            return None
        if not path:
            self.show_message(tr("Choisissez le fichier à écrire."), ERROR_STYLE)
            return None
        if not Path(path).parent.is_dir():
            self.show_message(tr("Le dossier {0} n'existe pas.").format(Path(path).parent), ERROR_STYLE)
            return None
        at = self.atEdit.date()
        since = self.sinceEdit.date()
        if since > at:
            self.show_message(tr("La date de début des modifications doit précéder la date de situation."),
                              ERROR_STYLE)
            return None
        # export_workbook reads a day as its end: the day before makes "since" include its own day.
        return export_task(location, path, at.toString("yyyy-MM-dd"), self.departementCombo.currentData(),
                           self.settings.show_justice and self.justiceBox.isChecked(),
                           since.addDays(-1).toString("yyyy-MM-dd"))

    def start_export(self) -> Optional[ExchangeTask]:
        if self.task is not None:
            return None
        self.warn_unsaved()
        task = self.build_task()
        if task is None:
            return None
        self.task = task
        task.progressChanged.connect(self.show_progress)
        task.taskCompleted.connect(self.export_finished)
        task.taskTerminated.connect(self.export_finished)
        self.set_running(True)
        self.show_message(tr("Export en cours : {0}").format(self.output_path()))
        self.tasks.launch(task)
        return task

    @pyqtSlot(float)
    def show_progress(self, percent: float) -> None:
        # A slot of the dialog: the task reports from its thread, the bar moves in the GUI's.
        self.progressBar.setValue(int(percent))

    def set_running(self, running: bool) -> None:
        for widget in (self.storeCombo, self.atEdit, self.sinceEdit, self.departementCombo, self.fileWidget,
                       self.exportButton):
            widget.setEnabled(not running)
        self.justiceBox.setEnabled(not running and self.settings.show_justice)
        self.progressBar.setValue(0)
        self.progressBar.setVisible(running)
        self.cancelButton.setVisible(running)

    def cancel_export(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.show_message(tr("Annulation…"))

    def export_finished(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        self.set_running(False)
        result: Optional[ExportResult] = task.outcome
        if result is not None:
            self.report_success(result)
            return
        error = task.error or ExportCancelled()
        self.show_message(message(error), ERROR_STYLE)
        if not isinstance(error, ExportCancelled):
            push_message(self.iface, tr("Export Excel"), message(error), Qgis.MessageLevel.Critical)

    def report_success(self, result: ExportResult) -> None:
        rows = result.rows
        text = tr("{0} : {1} site(s), {2} terrain(s) d'insertion, {3} dispositif(s)").format(
            Path(result.path).name, result.sites, rows.get("Terrains d'insertion", 0),
            rows.get("Dispositifs", 0))
        if self.warningLabel.text():
            text += " " + tr("(sans les modifications non enregistrées)")
        self.show_message(tr("Classeur écrit : {0}").format(text))
        push_message(self.iface, tr("Export Excel"), text, Qgis.MessageLevel.Success, result.path)
        self.accept()

    def reject(self) -> None:
        """Closing while the export runs cancels it: no file is left."""
        self.cancel_export()
        super().reject()


# --- import --------------------------------------------------------------------------------------

def action_labels() -> Dict[str, str]:
    return {CREATE: tr("Création"), UPDATE: tr("Mise à jour"), UNCHANGED: tr("Inchangée"), SKIPPED: tr("Ignorée"),
            INVALID: tr("Erreur")}


ACTION_COLOURS = {CREATE: "#1b7f3b", UPDATE: "#1f5fa8", INVALID: "#b00020", SKIPPED: "#9a5b00"}


def _shown_value(name: str, value) -> str:
    if value is None or value == "":
        return "∅"
    try:
        field = SITES.field(name)
    except KeyError:
        return str(value)
    if field.vocabulary is not None:
        return pick(field.vocabulary.label(value) or str(value), field.vocabulary.label_en(value) or str(value))
    if field.kind is Kind.DATETIME and store_timestamp(value) is not None:
        return utc_to_local(store_timestamp(value)).strftime(pick("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"))
    return str(value)


def describe_changes(report: RowReport, show_justice: bool) -> str:
    """'Nombre de personnes : 40 → 55 ; …'; values of the justice group only for those who may see them."""
    parts = []
    for name, (old, new) in report.changes.items():
        if name == "geom":
            parts.append(tr("Position déplacée"))
            continue
        if name == OUTCOMES:
            parts.append(tr("Devenir des habitants : {0}").format(", ".join(
                "%s %s / %s" % (pick(CLOSING_SOLUTION.label(code), CLOSING_SOLUTION.label_en(code)),
                                _count(counts["people"]), _count(counts["households"]))
                for code, counts in new.items())))
            continue
        try:
            field = SITES.field(name)
        except KeyError:
            parts.append(name)
            continue
        label = pick(field.label, field.label_en)
        if (field.justice or name in JUSTICE_ONLY_FIELDS) and not show_justice:
            parts.append(tr("{0} : modifié").format(label))
        else:
            parts.append("%s : %s → %s" % (label, _shown_value(name, old), _shown_value(name, new)))
    return " ; ".join(parts)


def _count(value) -> str:
    return tr("n.c.") if value is None else str(value)


def notes_text(notes) -> str:
    return " ; ".join(pick(note.message, note.message_en) for note in notes)


class ImportRowsModel(QAbstractTableModel):
    """The preview's rows: line, action, site, errors, warnings, changes; optionally errors only."""

    def __init__(self, show_justice: bool, parent=None):
        super().__init__(parent)
        self.headers = (tr("Ligne"), tr("Action"), tr("Site"), tr("Erreurs"), tr("Avertissements"),
                        tr("Modifications"))
        self.labels = action_labels()
        self.show_justice = show_justice
        self.rows: List[RowReport] = []
        self.shown: List[RowReport] = []
        self.errors_only = False
        self._texts: Dict[int, tuple] = {}

    def set_rows(self, rows: List[RowReport]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = {}
        self._filter()
        self.endResetModel()

    def set_errors_only(self, errors_only: bool) -> None:
        self.beginResetModel()
        self.errors_only = errors_only
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self.shown = [row for row in self.rows if row.errors] if self.errors_only else self.rows

    def texts(self, row: RowReport) -> tuple:
        if row.line not in self._texts:
            self._texts[row.line] = (str(row.line), self.labels[row.action],
                                     row.name or row.values.get("name") or "", notes_text(row.errors),
                                     notes_text(row.warnings), describe_changes(row, self.show_justice))
        return self._texts[row.line]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.shown[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.texts(row)[index.column()] or None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, 3):
            colour = ACTION_COLOURS.get(row.action if index.column() == 1 else INVALID)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ImportDialog(QDialog, IMPORT_FORM):
    def __init__(self, iface, parent=None, project: Optional[QgsProject] = None,
                 tasks: Optional[TaskKeeper] = None):
        super().__init__(parent or iface.mainWindow())
        _set_up(self, iface, project, tasks)
        self.preview: Optional[ImportPreview] = None
        self.result: Optional[ImportResult] = None
        self.settings = Settings.load()

        self.fileWidget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.fileWidget.setFilter(tr("Classeur Excel (*.xlsx *.xlsm)"))
        self.fileWidget.setDialogTitle(tr("Choisir le fichier à importer"))
        self.model = ImportRowsModel(self.settings.show_justice, self)
        self.rowsView.setModel(self.model)
        header = self.rowsView.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3 +
                                      (QHeaderView.ResizeMode.Interactive,) * 2 + (QHeaderView.ResizeMode.Stretch,)):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(3, 260)
        header.resizeSection(4, 200)
        rows = self.rowsView.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.progressBar.hide()
        self.importButton.setEnabled(False)
        self.summary_height = self.summaryText.maximumHeight()
        for label, take_file in observatory_import.conflict_choices():
            self.conflictsCombo.addItem(label, take_file)
        self.conflictsCombo.hide()

        has_store = fill_store_combo(self.storeCombo, self.project)
        self.storeCombo.currentIndexChanged.connect(self.forget_preview)
        self.fileWidget.fileChanged.connect(self.forget_preview)
        self.previewButton.clicked.connect(self.start_preview)
        self.errorsOnlyBox.toggled.connect(self.filter_rows)
        self.skipInvalidBox.toggled.connect(self.update_buttons)
        self.conflictsCombo.currentIndexChanged.connect(self.update_buttons)
        self.importButton.clicked.connect(self.start_import)
        self.cancelButton.clicked.connect(self.cancel_or_close)
        self.previewButton.setEnabled(has_store)
        if not has_store:
            self.show_message(tr("Ouvrez d'abord un stockage (menu Résorption SIG › Ouvrir un stockage…)."),
                              ERROR_STYLE)

    def location(self) -> Optional[str]:
        return self.storeCombo.currentData()

    def show_message(self, text: str, style: str = "") -> None:
        self.messageLabel.setStyleSheet(style)
        self.messageLabel.setText(text)

    def is_workbook_of_operator(self) -> bool:
        return isinstance(self.preview, observatory.ObservatoryPreview)

    # --- preview -----------------------------------------------------------------------------------
    def forget_preview(self) -> None:
        """Another file or store: the preview no longer says what an import would do."""
        if self.task is not None:
            return
        self.preview = None
        self.model.set_rows([])
        self.conflictsCombo.setCurrentIndex(0)
        self.conflictsCombo.hide()
        self.show_rows_of_sites(True)
        self.summaryText.clear()
        self.countLabel.clear()
        self.update_buttons()

    def start_preview(self) -> Optional[ExchangeTask]:
        path = self.fileWidget.filePath().strip()
        if self.task is not None or not self.location():
            return None
        if not path:
            self.show_message(tr("Choisissez le fichier à importer."), ERROR_STYLE)
            return None
        self.forget_preview()
        self.result = None
        if observatory.is_observatory(path):
            task = observatory_preview_task(self.location(), path)
        else:
            task = preview_task(self.location(), path)
        task.taskCompleted.connect(self.preview_finished)
        task.taskTerminated.connect(self.preview_finished)
        self.run(task, tr("Analyse de {0}…").format(Path(path).name))
        return task

    def run(self, task: ExchangeTask, text: str) -> None:
        self.task = task
        task.progressChanged.connect(self.show_progress)
        self.set_running(True)
        self.show_message(text)
        self.tasks.launch(task)

    @pyqtSlot(float)
    def show_progress(self, percent: float) -> None:
        self.progressBar.setValue(int(percent))

    def set_running(self, running: bool) -> None:
        for widget in (self.storeCombo, self.fileWidget, self.previewButton, self.skipInvalidBox):
            widget.setEnabled(not running)
        self.progressBar.setValue(0)
        self.progressBar.setVisible(running)
        self.cancelButton.setText(tr("Annuler") if running or self.result is None else tr("Fermer"))
        self.update_buttons()

    def preview_finished(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        self.preview = task.outcome
        self.set_running(False)
        if self.preview is None:
            self.show_message(message(task.error or task.cancelled_error), ERROR_STYLE)
            return
        self.summaryText.setPlainText("\n".join(self.preview.summary()))
        self.show_rows_of_sites(not self.is_workbook_of_operator())
        if self.is_workbook_of_operator():
            self.conflictsCombo.setVisible(bool(self.preview.counts()[observatory.CONFLICT]))
        else:
            self.model.set_rows(self.preview.rows)
        self.update_count()
        self.update_buttons()
        self.explain()

    def show_rows_of_sites(self, shown: bool) -> None:
        """An operator's workbook has cells, not rows of sites: its preview is the summary, given the room."""
        for widget in (self.rowsView, self.errorsOnlyBox, self.countLabel, self.skipInvalidBox):
            widget.setVisible(shown)
        self.summaryText.setMaximumHeight(self.summary_height if shown else QWIDGETSIZE_MAX)

    def explain(self) -> None:
        """What the user can do with this preview, in one sentence."""
        preview = self.preview
        if self.is_workbook_of_operator():
            text, blocking = observatory_import.explain(preview, self.conflictsCombo.currentData())
            self.show_message(text, ERROR_STYLE if blocking else "")
            return
        counts = preview.counts()
        if preview.fatal:
            self.show_message(tr("Fichier refusé : {0} Rien ne sera importé.").format(
                pick(preview.fatal[0].message, preview.fatal[0].message_en)), ERROR_STYLE)
        elif counts[INVALID] and not self.skipInvalidBox.isChecked():
            self.show_message(tr("{0} ligne(s) en erreur : corrigez le fichier, ou cochez « Ignorer les lignes en "
                                 "erreur » pour importer les autres.").format(counts[INVALID]), ERROR_STYLE)
        elif not preview.writes:
            self.show_message(tr("Rien à importer : aucune ligne ne crée ni ne modifie de site."))
        else:
            self.show_message(tr("Prêt : {0} site(s) à créer, {1} à mettre à jour. Chaque modification sera "
                                 "enregistrée dans l'historique, avec le fichier pour source.")
                              .format(counts[CREATE], counts[UPDATE]))

    def filter_rows(self, errors_only: bool) -> None:
        self.model.set_errors_only(errors_only)
        self.update_count()

    def update_count(self) -> None:
        self.countLabel.setText(tr("{0} ligne(s) affichée(s) sur {1}").format(
            self.model.rowCount(), len(self.model.rows)))

    def can_import(self) -> bool:
        preview = self.preview
        if self.task is not None or preview is None:
            return False
        if self.is_workbook_of_operator():
            return observatory_import.can_import(preview, self.conflictsCombo.currentData())
        if preview.fatal or not preview.writes:
            return False
        return not preview.counts()[INVALID] or self.skipInvalidBox.isChecked()

    def update_buttons(self) -> None:
        self.importButton.setEnabled(self.can_import())
        if self.preview is not None and self.task is None and self.result is None:
            self.explain()

    # --- import ------------------------------------------------------------------------------------
    def start_import(self) -> Optional[ExchangeTask]:
        if not self.can_import():
            return None
        location = self.location()
        names = unsaved_layers(self.project, location)
        if names:
            text = tr("Import refusé : {0} en cours d'édition avec des modifications non enregistrées. "
                      "Enregistrez-les ou annulez-les, puis importez.").format(", ".join("« %s »" % n for n in names))
            self.show_message(text, ERROR_STYLE)
            push_message(self.iface, tr("Import Excel"), text, Qgis.MessageLevel.Warning)
            return None
        login = self.settings.effective_login()
        if self.is_workbook_of_operator():
            task = observatory_apply_task(location, self.preview, login, self.conflictsCombo.currentData())
        else:
            task = apply_task(location, self.preview, login, self.skipInvalidBox.isChecked())
        task.taskCompleted.connect(self.import_finished)
        task.taskTerminated.connect(self.import_finished)
        self.run(task, tr("Import de {0}…").format(self.preview.file_name))
        return task

    def import_finished(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        self.result = task.outcome
        location = self.location()
        if self.result is None:
            self.set_running(False)
            text = message(task.error or task.cancelled_error)
            self.show_message(text, ERROR_STYLE)
            push_message(self.iface, tr("Import Excel"), text, Qgis.MessageLevel.Critical)
            return
        # The preview is spent: importing it again would be refused (rows have changed).
        preview, self.preview = self.preview, None
        self.conflictsCombo.hide()
        self.set_running(False)
        reload_layers(self.project, location)
        result = self.result
        if isinstance(preview, observatory.ObservatoryPreview):
            text = observatory_import.done_text(preview, result)
        else:
            text = tr("{0} : {1} site(s) créé(s), {2} mis à jour, {3} inchangé(s), {4} ignoré(s), "
                      "{5} ligne(s) en erreur non importée(s).").format(
                Path(self.fileWidget.filePath()).name, result.created, result.updated, result.unchanged,
                result.skipped, result.invalid)
        self.show_message(tr("Import terminé — {0}").format(text))
        push_message(self.iface, tr("Import Excel"), text, Qgis.MessageLevel.Success)

    def cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.show_message(tr("Annulation…"))
        else:
            self.reject()

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()
        super().reject()


# --- wiring --------------------------------------------------------------------------------------

class ExcelManager:
    """The "Exporter vers Excel…" and "Importer depuis Excel…" actions and their dialogs."""

    def __init__(self):
        self.iface = None
        self.actions: List[QAction] = []
        self.export_dialog: Optional[ExportDialog] = None
        self.import_dialog: Optional[ImportDialog] = None
        self.tasks = TaskKeeper()

    def create(self, iface) -> List[QAction]:
        self.iface = iface
        window = iface.mainWindow()
        export_action = QAction(QgsApplication.getThemeIcon("/mActionFileSaveAs.svg"), tr("Exporter vers Excel…"),
                                window)
        export_action.setToolTip(tr("Sites, terrains d'insertion et dispositifs à une date, dans un classeur .xlsx"))
        export_action.triggered.connect(self.show_export)
        import_action = QAction(QgsApplication.getThemeIcon("/mActionFileOpen.svg"), tr("Importer depuis Excel…"),
                                window)
        import_action.setToolTip(tr("Sites de l'export de la plateforme Résorption-bidonvilles ou de Résorption SIG, "
                                    "avec un aperçu avant d'écrire"))
        import_action.triggered.connect(self.show_import)
        self.actions = [export_action, import_action]
        return list(self.actions)

    def show_export(self) -> ExportDialog:
        self.export_dialog = self._fresh(self.export_dialog, ExportDialog)
        return self.export_dialog

    def show_import(self) -> ImportDialog:
        self.import_dialog = self._fresh(self.import_dialog, ImportDialog)
        return self.import_dialog

    def _fresh(self, dialog, kind):
        """The dialog still open (a task may be running in it), else a new one: stores may have changed."""
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        if dialog is not None:
            dialog.deleteLater()
        dialog = kind(self.iface, tasks=self.tasks)
        dialog.show()
        return dialog

    def remove(self) -> None:
        self.tasks.cancel_all()
        for dialog in (self.export_dialog, self.import_dialog):
            if dialog is not None:
                dialog.reject()
                dialog.deleteLater()
        self.export_dialog = self.import_dialog = None
        for action in self.actions:
            action.triggered.disconnect()
            action.deleteLater()
        self.actions = []
