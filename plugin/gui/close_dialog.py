"""The "Fermer le site…" dialog: reason, date, resorbed or not, context, and where the people went."""
from typing import List, Mapping, Sequence

from qgis.PyQt import uic
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox

from .. import assets
from ..i18n import pick, tr
from ..model import vocabularies as voc
from ..model.closure import CLOSED_STATUSES, Closure, Outcome, closure_problems
from ..model.validation import Problem
from .outcomes_table import OutcomesTable


class CloseSiteDialog(QDialog):
    def __init__(self, site: Mapping[str, object], outcomes: Sequence[Outcome] = (), parent=None):
        super().__init__(parent)
        uic.loadUi(str(assets.FORMS / "close_site.ui"), self)
        self.site = dict(site)
        self.setWindowTitle(tr("Fermer le site"))
        people = site.get("population_total")
        self.siteLabel.setTextFormat(Qt.TextFormat.PlainText)   # a site's name is shown as typed, never as HTML
        self.siteLabel.setText(tr("« {0} » — {1} — {2} personnes").format(
            site.get("name") or tr("(sans nom)"), site.get("city_name") or "",
            people if people is not None else tr("nombre inconnu de")))
        for code in CLOSED_STATUSES:
            self.reasonCombo.addItem(pick(voc.SITE_STATUS.label(code), voc.SITE_STATUS.label_en(code)), code)
        for code in voc.YES_NO_UNKNOWN.codes:
            self.resorbedCombo.addItem(pick(voc.YES_NO_UNKNOWN.label(code), voc.YES_NO_UNKNOWN.label_en(code)), code)
        self.dateEdit.setDate(QDate.currentDate())
        self.dateEdit.setMaximumDate(QDate.currentDate())
        self.outcomes = OutcomesTable(self.outcomesTable, self.show_problems)
        self.boxes = self.outcomes.boxes
        self._fill_from_site(outcomes)
        self.reasonCombo.currentIndexChanged.connect(self.show_problems)
        self.dateEdit.dateChanged.connect(self.show_problems)
        self.contextEdit.textChanged.connect(self.show_problems)
        self.buttonBox.accepted.connect(self.accept)
        self.buttonBox.rejected.connect(self.reject)
        self.show_problems()

    def _fill_from_site(self, outcomes: Sequence[Outcome]) -> None:
        """A closed site being corrected: start from what it and its outcome rows say."""
        status = self.site.get("status")
        if status in CLOSED_STATUSES:
            self.reasonCombo.setCurrentIndex(self.reasonCombo.findData(status))
        if self.site.get("closed_at"):
            self.dateEdit.setDate(QDate.fromString(self.site["closed_at"], Qt.DateFormat.ISODate))
        if self.site.get("closed_with_solutions"):
            self.resorbedCombo.setCurrentIndex(self.resorbedCombo.findData(self.site["closed_with_solutions"]))
        self.contextEdit.setPlainText(self.site.get("closing_context") or "")
        self.outcomes.set_outcomes(outcomes)

    def closure(self) -> Closure:
        return Closure(self.reasonCombo.currentData(), self.dateEdit.date().toString(Qt.DateFormat.ISODate),
                       self.resorbedCombo.currentData(), self.contextEdit.toPlainText(), self.outcomes.outcomes())

    def problems(self) -> List[Problem]:
        return closure_problems(self.site, self.closure())

    def show_problems(self) -> None:
        found = self.problems()
        self.problemsLabel.setText("\n".join("• " + pick(p.message, p.message_en) for p in found))
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not found)

    def accept(self) -> None:
        if not self.problems():
            super().accept()
