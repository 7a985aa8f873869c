""""Nouveau stockage…" and "Ouvrir un stockage…": file dialogs, questions, messages."""
from pathlib import Path
from typing import Optional

from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ..i18n import message, tr
from ..layers import background, expressions, loader, pg_connections
from ..settings import Settings
from ..store import create_store, open_store
from ..store.base import Store, StoreError, StoreNeedsUpgrade
from ..sync import upgrade

FILE_FILTER = "GeoPackage (*.gpkg)"


# Characters of one part of an upgrade shown in its question (a table's long list of rules is cut), so that the
# question fits on a laptop's screen; the command line's summary lists them all.
LONGEST_PART = 150


def _listed(parts) -> str:
    return "\n".join("• " + (p if len(p) <= LONGEST_PART else p[:LONGEST_PART - 1] + "…") for p in parts) or "—"


class StoreActions:
    """What the menu entries do; every failure reaches the user as a message."""

    def __init__(self, iface):
        self.iface = iface

    def _parent(self):
        return self.iface.mainWindow()

    def _start_folder(self) -> str:
        last = Settings.load().last_store
        return str(Path(last).parent) if last else str(Path.home())

    def _remember(self, store: Store) -> None:
        settings = Settings.load()
        settings.last_store = store.location
        settings.save()

    def _show_error(self, error: StoreError) -> None:
        QMessageBox.critical(self._parent(), tr("Résorption SIG"), message(error))

    def new_store(self, path: Optional[str] = None) -> Optional[Store]:
        """A GeoPackage store at `path` (or one chosen), opened in the project; or, chosen in the dialog,
        a shared store created on a PostgreSQL database through a QGIS connection (worked on through
        working copies: nothing opens here)."""
        if path is None:
            from .postgres_store_dialog import NewStoreDialog
            dialog = NewStoreDialog(self.iface)
            if dialog.exec() != NewStoreDialog.Accepted or dialog.postgres_chosen():
                return None
            path, _ = QFileDialog.getSaveFileName(self._parent(), tr("Nouveau stockage"),
                                                  self._start_folder(), FILE_FILTER)
            if not path:
                return None
            if not path.lower().endswith(".gpkg"):
                path += ".gpkg"
        try:
            store = create_store(path)
        except StoreError as error:
            self._show_error(error)
            return None
        return self._add(store, tr("Stockage créé : {0}").format(store.location))

    def open_store(self, path: Optional[str] = None) -> Optional[Store]:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._parent(), tr("Ouvrir un stockage"),
                                                  self._start_folder(), FILE_FILTER)
            if not path:
                return None
        try:
            store = self._open_or_upgrade(path)
        except StoreError as error:
            self._show_error(error)
            return None
        if store is None:
            return None
        if store.read_only:
            self.iface.messageBar().pushMessage(
                tr("Résorption SIG"), tr("Le stockage est en lecture seule : consultation uniquement."),
                Qgis.MessageLevel.Warning, 8)
        return self._add(store, tr("Stockage ouvert : {0}").format(store.location))

    def open_connection(self, name: Optional[str] = None) -> Optional[Store]:
        """A shared PostGIS store opened straight on one of QGIS's PostgreSQL connections (online editing, no
        working copy): the connection's login, and so its rights, apply to every layer."""
        if name is None:
            try:
                names = pg_connections.connection_names()
            except StoreError as error:
                self._show_error(error)
                return None
            if not names:
                self._show_error(StoreError(
                    "Aucune connexion PostgreSQL dans QGIS : ajoutez-en une dans le Gestionnaire des sources.",
                    "No PostgreSQL connection in QGIS: add one in the Data Source Manager."))
                return None
            name, chosen = QInputDialog.getItem(self._parent(), tr("Ouvrir une base PostgreSQL"),
                                                tr("Connexion (vos droits sur la base s'appliquent) :"),
                                                names, 0, False)
            if not chosen:
                return None
        return self.open_store(pg_connections.location_of(name))

    def _open_or_upgrade(self, path: str) -> Optional[Store]:
        try:
            return open_store(path)
        except StoreNeedsUpgrade as needed:
            parts = upgrade.missing_parts(path)
            answer = QMessageBox.question(
                self._parent(), tr("Mettre à jour le stockage ?"),
                "%s\n\n%s\n%s\n\n%s" % (
                    message(needed), tr("Éléments ajoutés ou refaits :"), _listed(parts),
                    tr("La mise à jour se fait en une seule transaction ; faites d'abord une copie du fichier "
                       "si d'autres versions du plugin l'utilisent. Mettre à jour maintenant ?")))
            if answer != QMessageBox.StandardButton.Yes:
                return None
            upgrade.upgrade(path)
            return open_store(path)

    def _add(self, store: Store, done: str) -> Optional[Store]:
        project = QgsProject.instance()
        new_project = not project.mapLayers()
        try:
            layers = loader.load_store(store, project)
        except StoreError as error:
            self._show_error(error)
            return None
        self._remember(store)
        expressions.set_active_store(store)
        # QGIS's canvas bridge sets the CRS of a new project from its first layer once the
        # event loop runs: frame the map after it.
        QTimer.singleShot(0, lambda: self._frame(layers["sites"], new_project))
        self.iface.messageBar().pushMessage(tr("Résorption SIG"), done, Qgis.MessageLevel.Success, 5)
        return store

    def _frame(self, sites, new_project: bool) -> None:
        if new_project:
            background.suggest_crs(QgsProject.instance(), sites)
        if sites.featureCount() > 0:
            canvas = self.iface.mapCanvas()
            extent = canvas.mapSettings().layerExtentToOutputExtent(sites, sites.extent())
            extent.scale(1.1)
            canvas.setExtent(extent)
            canvas.refresh()
