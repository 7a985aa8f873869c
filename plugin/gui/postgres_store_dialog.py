"""A shared store on PostgreSQL through one of QGIS's PostgreSQL connections.

`ConnectionChoice` is the "Base PostgreSQL (connexion QGIS)" choice with its combo of connections,
used by "Nouveau stockage…" (NewStoreDialog: a GeoPackage file, or "Créer le schéma" on the
connection) and by "Créer une copie de travail…". The store is known by "qgis:NAME" only; the
user and password are read from the connection or QGIS's authentication database each time it is
opened, never written to a project, a setting or a log. QGIS asks for its master password, in the
GUI thread, before a task needs it.
"""
from typing import Optional

from qgis.core import Qgis, QgsTask
from qgis.PyQt.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QProgressBar,
                                 QRadioButton, QVBoxLayout, QWidget)

from ..i18n import message, tr
from ..layers import pg_connections
from ..store import create_store
from ..store.base import StoreError
from .tasks import TaskKeeper


def unlock_problem(name: str) -> Optional[str]:
    """Have QGIS unlock its authentication database if the connection needs it (asking for the master
    password here, in the GUI thread); the problem to show, or None."""
    try:
        if pg_connections.needs_unlocking(name) and not pg_connections.unlock():
            return tr("Mot de passe principal de QGIS non saisi : la connexion « {0} » ne peut pas être "
                      "utilisée.").format(name)
    except StoreError as error:
        return message(error)
    return None


class ConnectionChoice(QWidget):
    """A radio button "Base PostgreSQL (connexion QGIS)" and the combo of QGIS's PostgreSQL connections."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.radio = QRadioButton(tr("Base PostgreSQL (connexion QGIS)"), self)
        self.combo = QComboBox(self)
        try:
            names = pg_connections.connection_names()
        except StoreError:
            names = []
        self.combo.addItems(names)
        self.combo.setToolTip(tr("Les connexions PostgreSQL enregistrées dans QGIS (Gestionnaire des sources de "
                                 "données). Identifiant et mot de passe viennent de la connexion ou de la base "
                                 "d'authentification de QGIS ; ils ne sont enregistrés nulle part ailleurs."))
        if not names:
            self.radio.setEnabled(False)
            self.radio.setToolTip(tr("Aucune connexion PostgreSQL dans QGIS : ajoutez-en une dans le Gestionnaire "
                                     "des sources de données, de préférence avec une configuration "
                                     "d'authentification."))
        self.combo.setEnabled(False)
        self.radio.toggled.connect(self.combo.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.radio)
        layout.addWidget(self.combo, 1)

    def chosen(self) -> bool:
        return self.radio.isChecked()

    def connection_name(self) -> str:
        return self.combo.currentText()

    def location(self) -> str:
        return pg_connections.location_of(self.connection_name())

    def select(self, name: str) -> None:
        self.radio.setChecked(True)
        self.combo.setCurrentText(name)


class StoreTask(QgsTask):
    """Creates the store's schema on the connection (a few seconds on a remote server)."""

    def __init__(self, location: str):
        super().__init__(tr("Création du stockage : {0}").format(location), QgsTask.Flag(0))
        self.location = location
        self.store = None
        self.error: Optional[StoreError] = None

    def run(self) -> bool:
        try:
            self.store = create_store(self.location)
        except StoreError as error:
            self.error = error
        return self.error is None


class NewStoreDialog(QDialog):
    """"Nouveau stockage…": a GeoPackage file (chosen next, as before), or the schema created on a
    PostgreSQL database through a QGIS connection."""

    def __init__(self, iface, parent=None):
        super().__init__(parent or iface.mainWindow())
        self.iface = iface
        self.tasks = TaskKeeper()
        self.task: Optional[StoreTask] = None
        self.created = None
        self.setWindowTitle(tr("Nouveau stockage"))
        self.fileRadio = QRadioButton(tr("Fichier GeoPackage"), self)
        self.fileRadio.setChecked(True)
        self.connection = ConnectionChoice(self)
        self.problemLabel = QLabel(self)
        self.problemLabel.setStyleSheet("color: #b00020;")
        self.problemLabel.setWordWrap(True)
        self.progressBar = QProgressBar(self)
        self.progressBar.setRange(0, 0)
        self.progressBar.hide()
        self.buttonBox = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                          self)
        self.buttonBox.accepted.connect(self.start)
        self.buttonBox.rejected.connect(self.reject)
        self.connection.radio.toggled.connect(lambda _checked: self._label_ok())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Où créer le stockage ?"), self))
        layout.addWidget(self.fileRadio)
        layout.addWidget(self.connection)
        layout.addWidget(self.problemLabel)
        layout.addWidget(self.progressBar)
        layout.addWidget(self.buttonBox)
        self._label_ok()

    def _label_ok(self) -> None:
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText(
            tr("Créer le schéma") if self.connection.chosen() else tr("Choisir le fichier…"))

    def postgres_chosen(self) -> bool:
        return self.connection.chosen()

    def start(self) -> Optional[StoreTask]:
        """GeoPackage: accept (the file is chosen next). PostgreSQL: create the schema in a task."""
        if not self.postgres_chosen():
            self.accept()
            return None
        if self.task is not None:
            return self.task
        name = self.connection.connection_name()
        problem = (tr("Choisissez une connexion PostgreSQL.") if not name else unlock_problem(name))
        self.problemLabel.setText(problem or "")
        if problem:
            return None
        self.task = StoreTask(self.connection.location())
        self.task.taskCompleted.connect(self._finished)
        self.task.taskTerminated.connect(self._finished)
        self.progressBar.show()
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.tasks.launch(self.task)
        return self.task

    def _finished(self) -> None:
        task, self.task = self.task, None
        self.progressBar.hide()
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        if task is None:
            return
        if task.error is not None or task.store is None:
            self.problemLabel.setText(message(task.error) if task.error is not None
                                      else tr("Création interrompue : rien n'a été écrit."))
            return
        self.created = task.store
        self.iface.messageBar().pushMessage(
            tr("Résorption SIG"),
            tr("Stockage partagé créé sur la connexion « {0} » (schéma version {1}). Créez une copie de travail "
               "(« Créer une copie de travail… ») pour y travailler.").format(
                self.connection.connection_name(), task.store.version),
            Qgis.MessageLevel.Success, 10)
        self.accept()

    def reject(self) -> None:
        if self.task is not None:  # a schema is created in one transaction: let it end, then close
            return
        super().reject()
