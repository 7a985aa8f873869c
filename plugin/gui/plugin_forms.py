"""What the plugin adds to QGIS's attribute forms of its layers, whoever opens them: a dock, or QGIS itself
(identify, a feature just drawn). Empty fields read empty, not « NULL », and a site's Fermeture tab edits
where its people went in the table of the « Fermer le site… » dialog.

QGIS announces no form it opens; the plugin sees one when it takes the keyboard focus (`FormWatcher`). A
Python init function stored in the layers would also reach them, but QGIS stops on a modal error on every
form of a project opened without the plugin."""
from typing import List, Optional

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.gui import QgsAttributeForm, QgsDateTimeEdit, QgsDoubleSpinBox, QgsFilterLineEdit, QgsSpinBox
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QTimer
from qgis.PyQt.QtWidgets import (QApplication, QDateTimeEdit, QDialog, QDialogButtonBox, QGridLayout, QGroupBox,
                                 QLabel, QPushButton, QTableWidget, QTabWidget, QVBoxLayout, QWidget)

from ..i18n import pick
from ..layers import edits
from ..layers.forms import tab_caption
from ..layers.layer_properties import TABLE_PROPERTY
from ..layers.listing import plain
from ..model import schema
from ..model.closure import outcome_problems, outcome_rows
from ..model.validation import Problem
from . import null_display
from .outcomes_table import OutcomesTable

PREPARED = "resorption_form_prepared"


def prepare(form: QgsAttributeForm) -> None:
    """Once per form of one of the plugin's layers; other forms are left as QGIS made them."""
    layer = form.layer()
    dialog = form.window()
    # In a dialog only: QGIS's text for a missing value is given back when the dialog closes, and a form's
    # destruction cannot be followed from Python (Qt hands over an object half destroyed).
    if layer is None or not layer.customProperty(TABLE_PROPERTY) or form.property(PREPARED) \
            or not isinstance(dialog, QDialog):
        return
    form.setProperty(PREPARED, True)
    shown = QgsApplication.nullRepresentation()
    dialog.finished.connect(null_display.empty_while_open())
    if shown:
        # Number boxes took the text when they were made; the other widgets read it again when refilled.
        for box in form.findChildren(QgsSpinBox) + form.findChildren(QgsDoubleSpinBox):
            if box.specialValueText() == shown:
                box.setSpecialValueText("")
        for date_box in qgis_date_boxes(form):
            if date_box.nullRepresentation() == shown:
                date_box.setNullRepresentation("")
        for line in form.findChildren(QgsFilterLineEdit):
            if line.nullValue() == shown:
                line.setNullValue("")
        form.resetValues()
        for line in form.findChildren(QgsFilterLineEdit):   # a list of features keeps the text it started with
            if line.text() == shown:
                line.clear()
    if layer.customProperty(TABLE_PROPERTY) == schema.SITES.name:
        outcomes_layer = child_layer(layer, schema.SITE_CLOSING_OUTCOMES.name)
        if outcomes_layer is not None:
            ClosingOutcomesEditor(form, outcomes_layer)


def qgis_date_boxes(form: QgsAttributeForm) -> List[QgsDateTimeEdit]:
    """QGIS's date boxes of the form (PyQt finds them as plain QDateTimeEdit)."""
    return [sip.cast(box, QgsDateTimeEdit) for box in form.findChildren(QDateTimeEdit)
            if box.metaObject().className() in ("QgsDateTimeEdit", "QgsDateEdit", "QgsTimeEdit")]


def child_layer(layer: QgsVectorLayer, table: str) -> Optional[QgsVectorLayer]:
    for relation in QgsProject.instance().relationManager().referencedRelations(layer):
        if relation.referencingLayer().customProperty(TABLE_PROPERTY) == table:
            return relation.referencingLayer()
    return None


def tab_page(form: QgsAttributeForm, tab: schema.Tab) -> Optional[QWidget]:
    """The widget holding a tab's fields (QGIS puts it in a scroll area)."""
    for tabs in form.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.tabText(index) == tab_caption(tab):
                page = tabs.widget(index)
                return page.widget() if hasattr(page, "widget") else page
    return None


def ok_button(form: QgsAttributeForm) -> Optional[QPushButton]:
    box = form.window().findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok) if box is not None else None


class ClosingOutcomesEditor(QObject):
    """The outcome rows of the form's site, edited in the Fermeture tab and written with the site when the
    form is saved. While they break a rule, the form's OK is grey and the rule shows under the table."""

    def __init__(self, form: QgsAttributeForm, outcomes_layer: QgsVectorLayer):
        super().__init__(form)
        self.form, self.outcomes_layer = form, outcomes_layer
        self.greyed_ok = False
        # A timer of the form's own: it goes with the form (a pending shot would run on a form deleted).
        self.recheck = QTimer(self)
        self.recheck.setSingleShot(True)
        self.recheck.setInterval(0)
        self.recheck.timeout.connect(self.check)
        self.layer, self.open = form.layer(), True
        form.window().finished.connect(self._close)
        self.layer.willBeDeleted.connect(self._close)
        self.group = QGroupBox(pick(schema.SITE_CLOSING_OUTCOMES.label, schema.SITE_CLOSING_OUTCOMES.label_en))
        self.group.setObjectName("closingOutcomes")
        table = QTableWidget(self.group)
        table.setMinimumHeight(table.verticalHeader().defaultSectionSize() * 3)
        self.table = OutcomesTable(table, self.check)
        self.problems_label = QLabel()
        self.problems_label.setStyleSheet("color: #b00020")
        self.problems_label.setWordWrap(True)
        layout = QVBoxLayout(self.group)
        layout.addWidget(table)
        layout.addWidget(self.problems_label)
        self._place()
        uuid = plain(form.feature()["uuid"]) if form.feature().isValid() else None
        self.saved = edits.closing_outcomes(outcomes_layer, uuid) if uuid else []
        self.table.set_outcomes(self.saved)
        form.featureSaved.connect(self.write)
        # QGIS saves an existing feature only when one of its fields changed: the dialog's OK is the other way.
        form.window().accepted.connect(lambda: self.write(self.form.feature()))
        form.widgetValueChanged.connect(self._after_qgis_check)
        self.check()

    def _place(self) -> None:
        """At the end of the Fermeture tab, above the space QGIS leaves below the fields."""
        page = tab_page(self.form, schema.SITE_CLOSING_OUTCOMES.parent_tab)
        if page is None:
            return
        grid = page.layout()
        if isinstance(grid, QGridLayout):
            last = grid.rowCount()
            grid.setRowStretch(last - 1, 0)
            grid.addWidget(self.group, last, 0, 1, max(grid.columnCount(), 2))
            grid.setRowStretch(last, 1)
        else:
            page.layout().addWidget(self.group)

    def problems(self) -> List[Problem]:
        population = plain(self.form.currentFormFeature()["population_total"])
        return outcome_problems(population, self.table.outcomes())

    def _after_qgis_check(self, *_args) -> None:
        """QGIS sets its OK after each field change: look again once it has."""
        self.greyed_ok = False
        self.recheck.start()

    def _close(self, *_args) -> None:
        """The form is closed or its layer goes: nothing more to check."""
        self.open = False
        self.recheck.stop()

    def check(self, *_args) -> None:
        if not self.open:
            return
        found = self.problems()
        self.problems_label.setText("\n".join("• " + pick(p.message, p.message_en) for p in found))
        self.table.table.setEnabled(self.layer.isEditable())
        ok = ok_button(self.form)
        if ok is None:
            return
        if found and ok.isEnabled():
            ok.setEnabled(False)
            self.greyed_ok = True
        elif not found and self.greyed_ok:
            ok.setEnabled(True)
            self.greyed_ok = False

    def write(self, feature) -> None:
        outcomes = self.table.outcomes()
        if outcomes != self.saved and not self.problems():
            edits.replace_outcomes(self.outcomes_layer, plain(feature["uuid"]), outcome_rows(outcomes))
            self.saved = outcomes


class FormWatcher:
    """Prepares the forms QGIS opens itself on the plugin's layers, as soon as one takes the focus."""

    def __init__(self):
        QApplication.instance().focusChanged.connect(self.focus_changed)

    @staticmethod
    def focus_changed(_old, new) -> None:
        widget = new
        while widget is not None and widget.metaObject().className() != "QgsAttributeForm":
            widget = widget.parentWidget()
        if widget is not None:
            prepare(sip.cast(widget, QgsAttributeForm))   # PyQt knows a parent only as its Qt base class

    def stop(self) -> None:
        QApplication.instance().focusChanged.disconnect(self.focus_changed)
