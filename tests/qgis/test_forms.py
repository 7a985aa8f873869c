"""The real attribute forms, as the docks and QGIS open them, accept valid data on the running QGIS (3.22
included) and refuse invalid data with a greyed OK and the French rule beside the field."""
from qgis.core import QgsPointXY
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext
from qgis.PyQt.QtCore import qInstallMessageHandler
from qgis.PyQt.QtWidgets import QDialogButtonBox, QGroupBox, QLabel, QLineEdit, QTableWidget

from test_docks import BOBIGNY, docks, fid_of, new_terrain, store_rows, store_with_sites  # noqa: F401 (fixtures)


def ok_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def failed_rules(dialog):
    """The messages QGIS shows beside the fields whose hard rule fails (the ✘ and its tooltip)."""
    return [label.toolTip() for label in dialog.findChildren(QLabel)
            if label.objectName() == "ConstraintStatus" and "✘" in label.text()]


def test_a_new_site_placed_on_the_map_is_saved_with_the_forms_ok(docks):
    _, dock, _, _, (store, _) = docks
    dock.place_new_site(QgsPointXY(*BOBIGNY))
    form = dock.form
    form.attributeForm().changeAttribute("name", "Terrain des Vignes")
    form.attributeForm().changeAttribute("population_total", 23)
    assert failed_rules(form) == []
    assert ok_button(form).isEnabled()
    ok_button(form).click()
    assert dock.save()
    assert ("Terrain des Vignes", "93008", "93", 23) in store_rows(
        store, "SELECT name, insee_code, departement, population_total FROM sites")


def test_an_invalid_value_greys_ok_with_the_french_rule_beside_the_field(docks):
    _, dock, _, _, _ = docks
    dock.place_new_site(QgsPointXY(*BOBIGNY))
    form = dock.form
    form.attributeForm().changeAttribute("insee_code", "9300")
    assert not ok_button(form).isEnabled()
    assert any("« Code INSEE de la commune » doit compter de 5 à 5 caractères" in text
               for text in failed_rules(form))
    form.attributeForm().changeAttribute("insee_code", "93008")
    assert ok_button(form).isEnabled()
    form.reject()


def test_editing_the_population_of_a_site_is_saved_with_the_forms_ok(docks):
    _, dock, _, _, (store, _) = docks
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    dock.edit_selected()
    form = dock.form
    form.attributeForm().changeAttribute("population_total", 44)
    assert ok_button(form).isEnabled(), failed_rules(form)
    ok_button(form).click()
    assert dock.save()
    assert store_rows(store, "SELECT population_total FROM sites WHERE name = 'Le Pont'") == [(44,)]


def test_a_drawn_terrain_is_saved_with_the_form_qgis_opens(docks):
    _, _, dock, _, (store, layers) = docks
    terrains = layers["insertion_sites"]
    feature = new_terrain(terrains)
    # What QGIS's "add feature" tool opens once the polygon is drawn (QgsFeatureAction).
    dialog = QgsAttributeDialog(terrains, feature, False, None, True, QgsAttributeEditorContext())
    dialog.setMode(QgsAttributeEditorContext.Mode.AddFeatureMode)
    dialog.show()
    dialog.attributeForm().changeAttribute("name", "ETI des Coquelicots")
    dialog.attributeForm().changeAttribute("capacity_households", 12)
    assert ok_button(dialog).isEnabled(), failed_rules(dialog)
    ok_button(dialog).click()
    assert dock.save()
    assert store_rows(store, "SELECT name, departement, capacity_households FROM insertion_sites") == [
        ("ETI des Coquelicots", "93", 12)]


def test_the_site_form_opens_without_a_relation_widget_warning(docks):
    _, dock, _, _, _ = docks
    warnings = []
    previous = qInstallMessageHandler(lambda kind, context, text: warnings.append(text))
    try:
        dock.select_fids([fid_of(dock.layer, "Le Pont")])
        dock.edit_selected()
        dock.form.reject()
    finally:
        qInstallMessageHandler(previous)
    assert not [text for text in warnings if "relation widget" in text]


def shown_texts(dialog):
    from qgis.PyQt.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit
    texts = [w.text() for w in dialog.findChildren(QLineEdit) + dialog.findChildren(QAbstractSpinBox)]
    return texts + [w.toPlainText() for w in dialog.findChildren(QTextEdit) + dialog.findChildren(QPlainTextEdit)]


def test_empty_fields_show_empty_not_null_and_stay_null_once_saved(docks):
    from qgis.core import QgsApplication
    _, dock, _, _, (store, _) = docks
    before = QgsApplication.nullRepresentation()
    dock.place_new_site(QgsPointXY(*BOBIGNY))
    form = dock.form
    assert "NULL" not in shown_texts(form)
    form.attributeForm().changeAttribute("name", "Terrain des Lilas")
    ok_button(form).click()
    assert QgsApplication.nullRepresentation() == before   # QGIS's own text again once the form is closed
    assert dock.save()
    assert store_rows(store, "SELECT address, population_total FROM sites WHERE name = 'Terrain des Lilas'") == [
        (None, None)]


def test_a_form_qgis_opens_itself_shows_empty_fields_empty_once_it_has_the_focus_until_it_closes(docks):
    """Identify and the add-feature tool open forms the plugin is not told of: it prepares them when they take
    the keyboard focus (offscreen Qt gives no focus, so the test hands the watcher what Qt would); the real
    QGIS does it in test_no_crash.py."""
    from qgis.core import QgsApplication
    from plugin.gui.plugin_forms import FormWatcher
    _, _, _, _, (_, layers) = docks
    terrains = layers["insertion_sites"]
    before = QgsApplication.nullRepresentation()
    dialog = QgsAttributeDialog(terrains, new_terrain(terrains), False, None, True, QgsAttributeEditorContext())
    dialog.show()
    assert "NULL" in shown_texts(dialog)
    watcher = FormWatcher()
    try:
        FormWatcher.focus_changed(None, dialog.attributeForm().findChildren(QLineEdit)[0])
    finally:
        watcher.stop()
    assert "NULL" not in shown_texts(dialog) and QgsApplication.nullRepresentation() == ""
    dialog.reject()
    assert QgsApplication.nullRepresentation() == before


def outcome_boxes(form, solution):
    from plugin.model.closure import CLOSING_SOLUTION
    table = form.findChild(QGroupBox, "closingOutcomes").findChild(QTableWidget)
    row = CLOSING_SOLUTION.codes.index(solution)
    return table.cellWidget(row, 0), table.cellWidget(row, 1)


def test_where_the_people_went_is_edited_in_the_closing_tab_and_saved_with_the_site(docks):
    from qgis.PyQt.QtCore import QCoreApplication
    _, dock, _, _, (store, _) = docks
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    dock.edit_selected()
    form = dock.form
    form.attributeForm().changeAttribute("status", "closed_by_pref_admin")
    form.attributeForm().changeAttribute("closed_at", "2026-11-30")
    people, households = outcome_boxes(form, "housing")
    people.setValue(12)
    households.setValue(13)
    QCoreApplication.processEvents()
    assert not ok_button(form).isEnabled()
    assert "Logement : plus de ménages que de personnes" in form.findChild(QGroupBox, "closingOutcomes").findChild(
        QLabel).text()
    households.setValue(4)
    outcome_boxes(form, "shelter")[0].setValue(50)
    assert not ok_button(form).isEnabled()   # 62 people went somewhere; the site had 40
    outcome_boxes(form, "shelter")[0].setValue(20)
    assert ok_button(form).isEnabled(), failed_rules(form)
    ok_button(form).click()
    assert dock.save()
    assert sorted(store_rows(store, "SELECT solution, people, households FROM site_closing_outcomes")) == [
        ("housing", 12, 4), ("shelter", 20, None)]
    dock.edit_selected()
    assert [box.value() for box in outcome_boxes(dock.form, "housing")] == [12, 4]
    dock.form.reject()


def test_a_field_change_does_not_give_back_an_ok_the_outcomes_greyed(docks):
    from qgis.PyQt.QtCore import QCoreApplication
    _, dock, _, _, _ = docks
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    dock.edit_selected()
    form = dock.form
    outcome_boxes(form, "housing")[0].setValue(41)
    form.attributeForm().changeAttribute("address", "rue des Lilas")
    QCoreApplication.processEvents()
    assert not ok_button(form).isEnabled()
    form.attributeForm().changeAttribute("population_total", 45)
    QCoreApplication.processEvents()
    assert ok_button(form).isEnabled(), failed_rules(form)
    form.reject()
