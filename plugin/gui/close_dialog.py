"""The "Fermer le site…" dialog: reason, date, resorbed or not, context, and where the people went."""
from typing import Dict, List, Mapping, Sequence

from qgis.PyQt import uic
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QSpinBox

from .. import assets
from ..i18n import pick, tr
from ..model import vocabularies as voc
from ..model.closure import CLOSED_STATUSES, CLOSING_SOLUTION, Closure, Outcome, closure_problems
from ..model.validation import Problem

UNKNOWN = -1


def _count_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(UNKNOWN, 100000)
    box.setSpecialValueText(tr("inconnu"))
    box.setValue(UNKNOWN)
    return box


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
        self.outcomesTable.setRowCount(len(CLOSING_SOLUTION.terms))
        self.outcomesTable.setHorizontalHeaderLabels([tr("Personnes"), tr("Ménages")])
        self.outcomesTable.setVerticalHeaderLabels([pick(t.label, t.label_en) for t in CLOSING_SOLUTION.terms])
        self.boxes: Dict[str, tuple] = {}
        for row, term in enumerate(CLOSING_SOLUTION.terms):
            people_box, households_box = _count_box(), _count_box()
            self.outcomesTable.setCellWidget(row, 0, people_box)
            self.outcomesTable.setCellWidget(row, 1, households_box)
            self.boxes[term.code] = (people_box, households_box)
            people_box.valueChanged.connect(self.show_problems)
            households_box.valueChanged.connect(self.show_problems)
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
        for outcome in outcomes:
            people_box, households_box = self.boxes[outcome.solution]
            people_box.setValue(UNKNOWN if outcome.people is None else outcome.people)
            households_box.setValue(UNKNOWN if outcome.households is None else outcome.households)

    def closure(self) -> Closure:
        outcomes: List[Outcome] = []
        for term in CLOSING_SOLUTION.terms:
            people, households = (box.value() for box in self.boxes[term.code])
            if people != UNKNOWN or households != UNKNOWN:
                outcomes.append(Outcome(term.code, None if people == UNKNOWN else people,
                                        None if households == UNKNOWN else households))
        return Closure(self.reasonCombo.currentData(), self.dateEdit.date().toString(Qt.DateFormat.ISODate),
                       self.resorbedCombo.currentData(), self.contextEdit.toPlainText(), outcomes)

    def problems(self) -> List[Problem]:
        return closure_problems(self.site, self.closure())

    def show_problems(self) -> None:
        found = self.problems()
        self.problemsLabel.setText("\n".join("• " + pick(p.message, p.message_en) for p in found))
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not found)

    def accept(self) -> None:
        if not self.problems():
            super().accept()
