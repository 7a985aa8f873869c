"""« Préparer la carte COPIL… » (forms/copil.ui): territory, dates, format, atlas; open in the designer or export.

CopilMenuEntry is what the plugin wires: its `create(menu, toolbar)` adds the
action, `remove()` takes it away; the dialog does the rest.
"""
import contextlib
from pathlib import Path
from typing import List, Optional

from qgis.core import Qgis, QgsProject
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QDialog, QFileDialog, QListWidgetItem, QMessageBox

from .. import assets
from ..assets import FORMS
from ..i18n import message, tr
from ..layers import loader
from ..layout import content, copil, copil_services
from ..model import sums as model
from ..model import vocabularies as voc
from ..store import open_store, sums_sql
from ..store.base import StoreError
from .list_dock import labels

FORM_CLASS, _ = uic.loadUiType(str(FORMS / "copil.ui"))
INSEE_ROLE = Qt.ItemDataRole.UserRole


@contextlib.contextmanager
def designers_released(iface, project: QgsProject):
    """While a layout is rebuilt: a designer showing a layout the build removes goes at once.

    QGIS only hides such a designer and deletes it when the event loop next runs; until then its
    properties panel still points at the deleted layout, and the next change of the global
    variables (the settings dialog, the plugin's unload, quitting QGIS) crashed QGIS through it."""
    windows = {designer.masterLayout().name(): designer.window() for designer in iface.openLayoutDesigners()
               if designer.masterLayout() is not None}

    def release(name: str) -> None:
        window = windows.pop(name, None)
        if window is not None:
            window.close()
            QCoreApplication.sendPostedEvents(window, QEvent.Type.DeferredDelete)

    manager = project.layoutManager()
    manager.layoutAboutToBeRemoved.connect(release)
    try:
        yield
    finally:
        manager.layoutAboutToBeRemoved.disconnect(release)


class CopilDialog(QDialog, FORM_CLASS):
    def __init__(self, iface, parent=None, project: Optional[QgsProject] = None):
        super().__init__(parent or iface.mainWindow())
        self.setupUi(self)
        self.iface = iface
        self.project = project or QgsProject.instance()
        self.tasks: List[copil.CopilExportTask] = []
        for location in sorted(loader.store_layers(self.project)):
            self.storeCombo.addItem(Path(location).stem, location)
        for code in content.DEPARTEMENT_NAMES:
            self.departementCombo.addItem("%s – %s" % (code, content.departement_name(code)), code)
        for paper in content.PAPERS:
            self.paperCombo.addItem(tr("{0} paysage").format(paper), paper)
        self.atlasCombo.addItem(tr("Aucun : la carte du territoire"), None)
        self.atlasCombo.addItem(tr("Une page par commune ayant des sites"), "commune")
        self.atlasCombo.addItem(tr("Une fiche par site"), "site")
        for code, text in labels(voc.SERVICE_CATEGORY).items():
            self.servicesCombo.addItem(text, code)
        self.servicesCombo.setCurrentIndex(self.servicesCombo.findData("school"))
        self.servicesCheck.toggled.connect(self.servicesCombo.setEnabled)
        today = QDate.currentDate()
        self.atEdit.setDate(today)
        self.compareEdit.setDate(today.addYears(-1))
        self.atEdit.setMaximumDate(today)
        self.compareEdit.setMaximumDate(today)
        self.departementCombo.currentIndexChanged.connect(self.fill_communes)
        self.atlasCombo.currentIndexChanged.connect(self.allow_dispositifs_page)
        self.storeCombo.currentIndexChanged.connect(self.choose_departement)
        self.communeFilter.textChanged.connect(self.filter_communes)
        self.designerButton.clicked.connect(self.open_in_designer)
        self.pdfButton.clicked.connect(self.export_pdf)
        self.closeButton.clicked.connect(self.reject)
        has_store = self.storeCombo.count() > 0
        self.designerButton.setEnabled(has_store)
        self.pdfButton.setEnabled(has_store)
        if not has_store:
            self.messageLabel.setText(tr("Ouvrez d'abord un stockage "
                                         "(menu Résorption SIG › Ouvrir un stockage…)."))
        self.choose_departement()

    # --- territory ---------------------------------------------------------------------------------
    def store_location(self) -> Optional[str]:
        return self.storeCombo.currentData()

    def choose_departement(self) -> None:
        """The département where the store has the most sites."""
        location = self.store_location()
        code = None
        if location:
            with contextlib.suppress(StoreError, OSError):
                groups = sums_sql.site_sums(open_store(location), by="departement", statuses=None).groups
                counted = [(figures["sites"], key) for key, figures in groups if key is not None]
                code = max(counted)[1] if counted else None
        index = self.departementCombo.findData(code) if code else -1
        if index >= 0:
            self.departementCombo.setCurrentIndex(index)
        self.fill_communes()

    def fill_communes(self) -> None:
        self.communeList.clear()
        code = self.departementCombo.currentData()
        if not code:
            return
        names = copil.commune_names(code)
        for insee, name in sorted(names.items(), key=lambda item: item[1]):
            item = QListWidgetItem("%s (%s)" % (name, insee))
            item.setData(INSEE_ROLE, insee)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.communeList.addItem(item)
        self.filter_communes(self.communeFilter.text())

    def filter_communes(self, text: str) -> None:
        wanted = text.strip().casefold()
        for row in range(self.communeList.count()):
            item = self.communeList.item(row)
            item.setHidden(bool(wanted) and wanted not in item.text().casefold())

    def checked_communes(self) -> List[str]:
        return [self.communeList.item(row).data(INSEE_ROLE) for row in range(self.communeList.count())
                if self.communeList.item(row).checkState() == Qt.CheckState.Checked]

    def allow_dispositifs_page(self) -> None:
        """An atlas has no territory page, so no « Dispositifs » page after it (as `report --dispositifs`)."""
        self.dispositifsCheck.setEnabled(self.atlasCombo.currentData() is None)

    # --- the layout --------------------------------------------------------------------------------
    def request(self) -> content.Request:
        return content.Request(
            self.departementCombo.currentData() or "", tuple(self.checked_communes()),
            model.parse_instant(self.atEdit.date().toString("yyyy-MM-dd")),
            model.parse_instant(self.compareEdit.date().toString("yyyy-MM-dd")),
            self.paperCombo.currentData(), self.atlasCombo.currentData(),
            self.dispositifsCheck.isEnabled() and self.dispositifsCheck.isChecked())

    def build(self) -> Optional[copil.CopilLayout]:
        location = self.store_location()
        if not location:
            return None
        try:
            with designers_released(self.iface, self.project):
                store = open_store(location)
                made = copil.build(store, self.request(), self.project)
                if self.servicesCheck.isChecked():
                    # as `report --services CATEGORY`
                    copil_services.add_services(made, store, self.project, self.servicesCombo.currentData())
                return made
        except StoreError as error:
            QMessageBox.critical(self, tr("Carte COPIL"), message(error))
            return None

    def open_in_designer(self) -> None:
        made = self.build()
        if made is not None:
            self.iface.openLayoutDesigner(made.layout)
            self.messageLabel.setText(tr("Mise en page « {0} » ouverte dans le composeur ({1} page(s)).")
                                      .format(made.layout.name(), made.pages))

    def export_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Exporter le PDF"), str(Path.home() / "copil.pdf"),
                                              tr("PDF (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        made = self.build()
        if made is None:
            return
        task = copil.CopilExportTask(made.layout, path, self.export_finished)
        self.tasks.append(task)
        task.start()
        self.messageLabel.setText(tr("Export en cours ({0} page(s)) : {1}").format(made.pages, path))

    def export_finished(self, ok: bool, path: str, error: Optional[StoreError]) -> None:
        self.tasks = [task for task in self.tasks if task.path != path]
        bar = self.iface.messageBar()
        if ok:
            bar.pushMessage(tr("Carte COPIL"), tr("PDF exporté : {0}").format(path), Qgis.MessageLevel.Success, 10)
            self.messageLabel.setText(tr("PDF exporté : {0}").format(path))
        else:
            text = message(error) if error else tr("Export du PDF interrompu.")
            bar.pushMessage(tr("Carte COPIL"), text, Qgis.MessageLevel.Critical, 0)
            self.messageLabel.setText(text)


class CopilMenuEntry:
    """« Préparer la carte COPIL… » in a menu (and a toolbar): create() then remove() on unload."""

    def __init__(self, iface):
        self.iface = iface
        self.action: Optional[QAction] = None
        self.dialog: Optional[CopilDialog] = None
        self._menu = None
        self._toolbar = None

    def create(self, menu=None, toolbar=None) -> QAction:
        self.action = QAction(QIcon(assets.icon_path("resorption.svg")), tr("Préparer la carte COPIL…"),
                              self.iface.mainWindow())
        self.action.setToolTip(tr("Carte, chiffres et évolution d'un territoire pour le comité de pilotage"))
        self.action.triggered.connect(self.show_dialog)
        self._menu, self._toolbar = menu, toolbar
        if menu is not None:
            menu.addAction(self.action)
        if toolbar is not None:
            toolbar.addAction(self.action)
        return self.action

    def show_dialog(self) -> CopilDialog:
        # A new dialog each time: the stores open in the project may have changed.
        self.dialog = CopilDialog(self.iface)
        self.dialog.show()
        return self.dialog

    def remove(self) -> None:
        if self.action is not None:
            for owner in (self._menu, self._toolbar):
                if owner is not None:
                    owner.removeAction(self.action)
            self.action.deleteLater()
            self.action = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
