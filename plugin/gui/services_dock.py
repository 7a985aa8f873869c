"""The "Services" dock: the directory of services near the sites, the ones to check first on top."""
from datetime import date
from typing import List

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QCheckBox, QComboBox, QLabel, QMessageBox

from ..i18n import tr
from ..layers import listing, service_edits
from ..model import services as model
from ..model import vocabularies as voc
from ..settings import Settings
from .list_dock import ListDock, labels
from .list_model import Column

OBJECT_NAME = "ResorptionServicesDock"

SERVICE_ATTRIBUTES = ("uuid", "name", "category", "organisation", "address", "city_name", "insee_code",
                      "departement", "contact", "verified_at", "updated_at")


class ServicesDock(ListDock):
    table_name = "services"
    attributes = SERVICE_ATTRIBUTES
    style_choices = ()

    def __init__(self, iface):
        self.category_labels = labels(voc.SERVICE_CATEGORY)
        self.check_months = Settings.load().services_check_months
        super().__init__(iface, tr("Services"), OBJECT_NAME)
        # What to check first: never verified, then the oldest verification.
        self.view.sortByColumn(self.VERIFIED_COLUMN, Qt.SortOrder.AscendingOrder)
        self.to_check_box.setChecked(True)

    VERIFIED_COLUMN = 3

    def columns(self) -> List[Column]:
        return [
            Column(tr("Nom"), lambda r: r.get("name") or "", lambda r: r.name_key),
            Column(tr("Catégorie"), lambda r: self.category_labels.get(r.get("category"), ""),
                   lambda r: r.get("category"), width=100),
            Column(tr("Commune"), lambda r: r.get("city_name") or "", lambda r: listing.fold(r.get("city_name") or ""),
                   width=110),
            Column(tr("Vérifié le"), self._verified_text, lambda r: str(r.get("verified_at") or ""), width=96),
        ]

    def _cutoff(self) -> str:
        return model.check_cutoff(date.today(), self.check_months)

    def _verified_text(self, row) -> str:
        day = str(row.get("verified_at") or "")[:10]
        text = "%s/%s/%s" % (day[8:10], day[5:7], day[0:4]) if day else tr("jamais")
        return text + " ⚠" if model.is_to_check(day, self._cutoff()) else text

    def add_actions(self) -> None:
        self.edit_action = self.add_action(tr("Modifier"), self.edit_selected)
        self.confirm_action = self.add_action(
            tr("Confirmer sans changement"), self.confirm_selected,
            tr("Le service a été vérifié : adresse, horaires et conditions d'accès sont inchangés"))
        self.import_action = self.add_action(tr("Importer…"), self.open_import,
                                             tr("Importer des services d'un fichier ou d'une couche du projet"), row=1)
        self.delete_action = self.add_action(tr("Supprimer"), lambda: self.delete_selected(self._ask_reason))
        self.save_action = self.add_action(tr("Enregistrer"), self.save,
                                           tr("Vérifier les règles puis enregistrer les modifications de la couche"))

    def extra_filters(self, grid) -> None:
        # A service has no status: the category takes the place of the status filter.
        grid.itemAtPosition(0, 0).widget().hide()
        self.status_combo.hide()
        self.category_combo = QComboBox()
        self.category_combo.addItem(tr("Toutes"), "")
        for code, text in self.category_labels.items():
            self.category_combo.addItem(text, code)
        self.to_check_box = QCheckBox(tr("À vérifier (non vérifiés depuis {0} mois)").format(self.check_months))
        self.category_combo.currentIndexChanged.connect(self.apply_filter)
        self.to_check_box.toggled.connect(self.apply_filter)
        grid.addWidget(QLabel(tr("Catégorie")), 2, 0)
        grid.addWidget(self.category_combo, 2, 1)
        grid.addWidget(self.to_check_box, 2, 2, 1, 2)

    def apply_filter(self, *_args) -> None:
        accepted = listing.accepted(self.model.rows, self.current_filter())
        if hasattr(self, "to_check_box"):
            category = self.category_combo.currentData()
            cutoff = self._cutoff()
            only_to_check = self.to_check_box.isChecked()
            accepted = [keep and (not category or row.get("category") == category)
                        and (not only_to_check or model.is_to_check(row.get("verified_at"), cutoff))
                        for keep, row in zip(accepted, self.model.rows)]
        self.model.set_accepted(accepted)
        self._after_filter()

    def reload(self) -> None:
        super().reload()
        self.apply_filter()     # the category and « à vérifier » filters are this dock's own

    def totals_text(self, rows) -> str:
        cutoff = self._cutoff()
        to_check = sum(1 for row in rows if model.is_to_check(row.get("verified_at"), cutoff))
        return tr("{0} service(s) listé(s), dont {1} à vérifier").format(len(rows), to_check)

    def confirm_selected(self) -> None:
        fids = self.selected_fids()
        if not fids:
            self.one_selected()
        service_edits.confirm_verified(self.layer, fids)
        self.notify(tr("{0} service(s) confirmé(s) sans changement : enregistrez pour valider.").format(len(fids)))

    def open_import(self) -> None:
        from .services_import_dialog import ServicesImportDialog
        if self.layer is None:
            self.notify(tr("Ouvrez d'abord un stockage (menu Résorption SIG)."))
            return
        self.import_dialog = ServicesImportDialog(self.layer, self)
        self.import_dialog.show()

    def _ask_reason(self, count: int):
        answer = QMessageBox.question(self, tr("Supprimer"), tr("Supprimer {0} service(s) ?").format(count))
        return tr("Service supprimé de l'annuaire") if answer == QMessageBox.StandardButton.Yes else None
