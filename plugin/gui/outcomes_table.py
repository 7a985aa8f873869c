"""Where the people of a closed site went: one row per closing solution, people and households.

The same table in the « Fermer le site… » dialog and in the Fermeture tab of the site's form."""
from typing import Callable, Dict, List, Sequence, Tuple

from qgis.PyQt.QtWidgets import QHeaderView, QSpinBox, QTableWidget

from ..i18n import pick, tr
from ..model.closure import CLOSING_SOLUTION, Outcome
from ..model.schema import COUNT_MAXIMUM

UNKNOWN = -1


def _count_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(UNKNOWN, COUNT_MAXIMUM)
    box.setSpecialValueText(tr("inconnu"))
    box.setValue(UNKNOWN)
    return box


class OutcomesTable:
    """Fills `table` (a QTableWidget, from a .ui file or made here) with the solutions and their counts."""

    def __init__(self, table: QTableWidget, changed: Callable[..., None]):
        self.table = table
        table.setColumnCount(2)
        table.setRowCount(len(CLOSING_SOLUTION.terms))
        table.setHorizontalHeaderLabels([tr("Personnes"), tr("Ménages")])
        table.setVerticalHeaderLabels([pick(t.label, t.label_en) for t in CLOSING_SOLUTION.terms])
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.boxes: Dict[str, Tuple[QSpinBox, QSpinBox]] = {}
        for row, term in enumerate(CLOSING_SOLUTION.terms):
            people_box, households_box = _count_box(), _count_box()
            table.setCellWidget(row, 0, people_box)
            table.setCellWidget(row, 1, households_box)
            self.boxes[term.code] = (people_box, households_box)
            people_box.valueChanged.connect(changed)
            households_box.valueChanged.connect(changed)

    def set_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            people_box, households_box = self.boxes[outcome.solution]
            people_box.setValue(UNKNOWN if outcome.people is None else outcome.people)
            households_box.setValue(UNKNOWN if outcome.households is None else outcome.households)

    def outcomes(self) -> List[Outcome]:
        """The solutions with a known figure, in the vocabulary's order."""
        found: List[Outcome] = []
        for term in CLOSING_SOLUTION.terms:
            people, households = (box.value() for box in self.boxes[term.code])
            if people != UNKNOWN or households != UNKNOWN:
                found.append(Outcome(term.code, None if people == UNKNOWN else people,
                                     None if households == UNKNOWN else households))
        return found
