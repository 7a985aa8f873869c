"""« Indicateur local… » of the Dispositifs dock: a département creates its own indicator (code, French
and English labels, topic, unit, stock or flow). The store's rules decide (code unique, département
given); a refusal is said in the dialog, which stays open with what was typed."""
from typing import Optional

from qgis.PyQt.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                                 QVBoxLayout)

from ..i18n import pick, tr
from ..model import vocabularies as voc
from ..store import indicators_sql as sql
from .store_access import READ_ERRORS, failure_text, refusal_text

ERROR_STYLE = "color: #b00020;"


def _vocabulary_combo(vocabulary, first: Optional[str] = None) -> QComboBox:
    combo = QComboBox()
    if first is not None:
        combo.addItem(first, None)
    for code in vocabulary.codes:
        combo.addItem(pick(vocabulary.label(code), vocabulary.label_en(code)), code)
    return combo


class LocalIndicatorDialog(QDialog):
    def __init__(self, source, departement: str, login: str, parent=None):
        super().__init__(parent)
        self.source, self.departement, self.login = source, departement, login
        self.setWindowTitle(tr("Indicateur local du département {0}").format(departement))
        self.code = QLineEdit()
        self.code.setPlaceholderText(tr("ex. mediation_scolaire_{0}").format(departement))
        self.label = QLineEdit()
        self.label_en = QLineEdit()
        self.topic = _vocabulary_combo(voc.ACTION_TOPIC, tr("Aucune"))
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(tr("ex. ménages, personnes"))
        self.kind = _vocabulary_combo(voc.INDICATOR_KIND)
        form = QFormLayout()
        form.addRow(tr("Code"), self.code)
        form.addRow(tr("Libellé (français)"), self.label)
        form.addRow(tr("Libellé (anglais)"), self.label_en)
        form.addRow(tr("Thématique"), self.topic)
        form.addRow(tr("Unité"), self.unit)
        form.addRow(tr("Nature"), self.kind)
        self.message = QLabel(tr("Les dispositifs du département {0} le trouveront dans leur grille et dans les "
                                 "classeurs des opérateurs.").format(departement))
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Créer"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def refuse(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def create(self) -> None:
        code, label = self.code.text().strip(), self.label.text().strip()
        if not code or not label:
            self.refuse(tr("Le code et le libellé en français sont obligatoires."))
            return
        try:
            with sql.connection_of(self.source) as connection:
                if code in {definition.code for definition in sql.definitions(connection)}:
                    self.refuse(tr("Le code « {0} » est déjà pris (codes uniques dans le stockage) : choisissez-en "
                                   "un autre.").format(code))
                    return
                sql.add_local_indicator(connection, code, label, self.departement, self.kind.currentData(),
                                        self.topic.currentData(), self.unit.text().strip() or None, self.login,
                                        self.label_en.text().strip() or None)
        except Exception as error:  # the store's rule first (sqlite3.IntegrityError is also a read error)
            if sql.refused_by_store(error):
                self.refuse(refusal_text(error))
            elif isinstance(error, READ_ERRORS):
                self.refuse(failure_text(error))
            else:
                raise
            return
        self.accept()
