"""The "Sites" dock: list, search and filters of the sites, and the daily actions on them."""
from typing import List, Optional

from qgis.core import Qgis, QgsPointXY
from qgis.PyQt.QtWidgets import QCheckBox, QInputDialog, QLineEdit, QMessageBox

from ..i18n import pick, tr
from ..layers import edits, listing
from ..model import vocabularies as voc
from ..model.closure import Closure
from ..settings import Settings
from ..store.base import StoreError
from .close_dialog import CloseSiteDialog
from .list_dock import ListDock, count_text, labels, people_text
from .list_model import Column
from .map_tools import PointTool

OBJECT_NAME = "ResorptionSitesDock"


class SitesDock(ListDock):
    table_name = "sites"
    attributes = listing.SITE_ATTRIBUTES
    child_tables = ("site_closing_outcomes",)
    details_max_height = 190   # the attachments: a few lines; the list gets the rest

    def __init__(self, iface):
        self.status_choices = ((listing.OPEN, tr("Ouverts")), (listing.CLOSED, tr("Fermés")),
                               (listing.ALL, tr("Tous")))
        self.style_choices = (("sites_categorized", tr("Par taille (défaut)")),
                              ("sites_heatmap", tr("Carte de chaleur des personnes")),
                              ("sites_by_status", tr("Par statut")),
                              ("sites_by_closure", tr("Par raison de fermeture")))
        self.status_labels = labels(voc.SITE_STATUS)
        self.out_of_date_months = Settings.load().out_of_date_months
        super().__init__(iface, tr("Sites"), OBJECT_NAME)
        canvas = iface.mapCanvas() if iface is not None else None
        self.place_tool = PointTool(canvas, lambda: self.layer, self.place_new_site) if canvas else None
        self.move_tool = PointTool(canvas, lambda: self.layer, self.move_selected_to) if canvas else None
        self.ask_reason = self._ask_reason

    def columns(self) -> List[Column]:
        return [
            Column(tr("Nom"), lambda r: r.get("name") or tr("(sans nom)"), lambda r: r.name_key),
            Column(tr("Commune"), lambda r: r.get("city_name") or "", lambda r: listing.fold(r.get("city_name") or ""),
                   width=120),
            Column(tr("Statut"), lambda r: self.status_labels.get(r.get("status"), ""), lambda r: r.get("status"),
                   width=70),
            Column(tr("Personnes"), lambda r: count_text(r.get("population_total")),
                   lambda r: r.get("population_total"), True, 72),
            Column(tr("Mineurs"), lambda r: count_text(r.get("population_minors")),
                   lambda r: r.get("population_minors"), True, 62),
            Column(tr("Mise à jour"), self._last_update_text, lambda r: r.last_update, width=104),
        ]

    def _last_update_text(self, row) -> str:
        if not row.last_update:
            return ""
        day = row.last_update[:10]
        text = "%s/%s/%s" % (day[8:10], day[5:7], day[0:4])
        if listing.is_out_of_date(row, self.current_filter().cutoff()):
            text += " ⚠"
        return text

    def add_actions(self) -> None:
        self.new_action = self.add_action(tr("Nouveau site"), self.start_placing,
                                          tr("Cliquez sur la carte pour placer le site"))
        self.edit_action = self.add_action(tr("Modifier"), self.edit_selected)
        self.move_action = self.add_action(tr("Déplacer"), self.start_moving,
                                           tr("Cliquez sur la carte le nouvel emplacement du site sélectionné"))
        self.confirm_action = self.add_action(tr("Confirmer sans changement"), self.confirm_selected,
                                              tr("La situation est à jour bien qu'aucun chiffre n'ait changé"), row=1)
        self.close_action = self.add_action(tr("Fermer le site…"), lambda: self.close_selected(), row=1)
        self.reopen_action = self.add_action(tr("Rouvrir"), self.reopen_selected,
                                             tr("Annuler une fermeture saisie par erreur"), row=1)
        self.delete_action = self.add_action(tr("Supprimer"), lambda: self.delete_selected(self.ask_reason))
        self.save_action = self.add_action(tr("Enregistrer"), self.save,
                                           tr("Vérifier les règles puis enregistrer les modifications de la couche"))

    def extra_filters(self, grid) -> None:
        self.out_of_date_box = QCheckBox(tr("À mettre à jour (ni modifiés ni confirmés depuis {0} mois)")
                                         .format(self.out_of_date_months))
        self.unknown_population_box = QCheckBox(tr("Population inconnue"))
        self.out_of_date_box.toggled.connect(self.apply_filter)
        self.unknown_population_box.toggled.connect(self.apply_filter)
        grid.addWidget(self.out_of_date_box, 2, 0, 1, 3)
        grid.addWidget(self.unknown_population_box, 2, 3)

    def current_filter(self) -> listing.Filter:
        wanted = super().current_filter()
        wanted.out_of_date = self.out_of_date_box.isChecked()
        wanted.unknown_population = self.unknown_population_box.isChecked()
        wanted.out_of_date_months = self.out_of_date_months
        return wanted

    def totals_text(self, rows) -> str:
        found = listing.totals(rows)
        return people_text(found.count, found.people, found.unknown_population, tr("site listé"), tr("sites listés"))

    # --- actions ---------------------------------------------------------------------------
    def start_placing(self) -> None:
        self._require_layer()
        self.iface.mapCanvas().setMapTool(self.place_tool)
        self.notify(tr("Cliquez sur la carte à l'emplacement du nouveau site (Échap pour annuler)."))

    def place_new_site(self, point: QgsPointXY) -> None:
        """A click of the "Nouveau site" tool: the form opens with the commune derived, or a warning."""
        try:
            feature = edits.new_site_feature(self.layer, point)
        except edits.OutsideFrance as error:
            self.notify(pick(error.message, error.message_en), Qgis.MessageLevel.Warning)
            return
        self.open_form(feature, adding=True)

    def start_moving(self) -> None:
        self.one_selected()
        self.iface.mapCanvas().setMapTool(self.move_tool)
        self.notify(tr("Cliquez sur la carte le nouvel emplacement du site (Échap pour annuler)."))

    def move_selected_to(self, point: QgsPointXY) -> None:
        fid = self.one_selected()
        try:
            commune = edits.move_site(self.layer, fid, point)
        except edits.OutsideFrance as error:
            self.notify(pick(error.message, error.message_en), Qgis.MessageLevel.Warning)
            return
        self.iface.mapCanvas().unsetMapTool(self.move_tool)
        self.notify(tr("Site déplacé ({0}) : enregistrez pour valider.").format(commune.name))

    def confirm_selected(self) -> None:
        fids = self.selected_fids()
        if not fids:
            self.one_selected()
        edits.confirm_unchanged(self.layer, fids)
        self.notify(tr("{0} site(s) confirmé(s) sans changement : enregistrez pour valider.").format(len(fids)))

    def close_selected(self, closure: Optional[Closure] = None) -> bool:
        fid = self.one_selected()
        if closure is None:
            site = edits.store_row(self.layer, self.layer.getFeature(fid))
            outcomes_layer = self.related.get("site_closing_outcomes")
            outcomes = edits.closing_outcomes(outcomes_layer, site["uuid"]) if outcomes_layer else []
            dialog = CloseSiteDialog(site, outcomes, self)
            if not dialog.exec():
                return False
            closure = dialog.closure()
        found = edits.close_site(self.layer, fid, closure, self.related.get("site_closing_outcomes"))
        if found:
            self.warn(tr("Fermeture refusée"), "\n".join("• " + pick(p.message, p.message_en) for p in found))
            return False
        self.notify(tr("Site fermé : enregistrez pour valider."))
        return True

    def reopen_selected(self) -> None:
        fid = self.one_selected()
        edits.reopen_site(self.layer, fid, self.related.get("site_closing_outcomes"))
        self.notify(tr("Site rouvert : enregistrez pour valider."))

    def _ask_reason(self, count: int) -> Optional[str]:
        answer = QMessageBox.question(self, tr("Supprimer"), tr(
            "Supprimer {0} site(s) ? Un site qui a existé se ferme (« Fermer le site… ») ; "
            "supprimez seulement une erreur de saisie ou un doublon.").format(count))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        reason, ok = QInputDialog.getText(self, tr("Supprimer"), tr("Raison de la suppression (obligatoire) :"),
                                          QLineEdit.EchoMode.Normal, "")
        return reason if ok and reason.strip() else None

    def _require_layer(self) -> None:
        if self.layer is None:
            raise StoreError("Ouvrez d'abord un stockage (menu Résorption SIG).",
                                   "Open a store first (Résorption SIG menu).")

    def remove(self) -> None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        for tool in (self.place_tool, self.move_tool):
            if canvas is not None and tool is not None and canvas.mapTool() is tool:
                canvas.unsetMapTool(tool)
        super().remove()
