"""The « Dispositifs » dock on a demo store: filters, a declaration with two tags and two operators
saved through its widgets, the monthly grid (locks, late months, a month saved together), the
operator's workbook out and back in, the linked places highlighted on the map."""
import contextlib
import datetime as dt

import openpyxl
import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, Qt

from plugin.demo.generator import generate
from plugin.gui.dock_manager import DockManager
from plugin.model import indicators as model
from plugin.store import indicators_sql as sql


@pytest.fixture
def dock(iface, new_store, qgis_new_project):
    from plugin.layers import commune_functions, editing_session, loader
    generate(new_store, departement="93", seed=2, sites=160)
    commune_functions.register()
    editing_session.start()
    loader.load_store(new_store, QgsProject.instance())
    if not hasattr(iface, "vectorLayerTools"):
        iface.vectorLayerTools = lambda: None
    manager = DockManager(iface)
    manager.create()
    dock = manager.docks[2]
    yield dock, new_store
    manager.remove()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    editing_session.stop()
    commune_functions.unregister()


def test_the_list_filters_by_topic_operator_and_late_entries(dock):
    dock, store = dock
    assert dock.list.rowCount() == len(dock.all_actions) >= 3
    dock.topic_combo.setCurrentIndex(dock.topic_combo.findData("housing"))
    assert all("housing" in a.topics for a in dock.shown) and dock.list.rowCount() == len(dock.shown)
    dock.topic_combo.setCurrentIndex(0)
    dock.late_check.setChecked(True)
    assert dock.late and {a.uuid for a in dock.shown} == set(dock.late)
    assert all(dock.list.item(row, 3).text().endswith("mois") for row in range(dock.list.rowCount()))
    dock.late_check.setChecked(False)
    dock.search.setText(dock.all_actions[0].operators[0][:12].upper())
    assert dock.all_actions[0] in dock.shown


def new_declaration(dock, name, goals=""):
    """« Nouveau », then what an officer types first: name, start on 1 January 2025, goals, département 93."""
    dock.new_button.click()
    form = dock.declaration_tab
    form.name.setText(name)
    form.started.setDate(QDate(2025, 1, 1))
    form.goals.setPlainText(goals)
    form.departement.setText("93")
    return form


def test_an_officer_declares_a_dispositif_with_two_tags_and_two_operators_and_fills_last_month(dock):
    dock, store = dock
    form = new_declaration(dock, "MOUS Bobigny – Les Vignes", "Accompagnement vers le logement")
    form.chips["housing"].click()
    form.chips["rights"].click()
    associations = [uuid for uuid, _name, kind in form.choices if kind == "association"][:2]
    for organisation in associations:
        form.add_organisation(organisation, "operator")
    form.entered_by.setCurrentIndex(form.entered_by.findData(associations[0]))
    dock.places_tab.add(next(iter(dock.places_tab.names)))
    dock.save_button.click()
    assert "Dispositif enregistré" in dock.last_message, dock.last_message
    saved = next(a for a in dock.all_actions if a.name == "MOUS Bobigny – Les Vignes")
    assert saved.topics == ("housing", "rights") and len(saved.operators) == 2
    assert dock.selected() == saved and len(dock.highlights) == 1
    grid = dock.grid
    last_month = model.previous_month(dt.date.today())
    assert last_month in grid.late and grid.months[0] == "2025-01"
    column = grid.months.index(last_month)
    rows = {d.code: i for i, d in enumerate(grid.definitions)}
    old = grid.table.item(rows["people"], 0)
    assert not old.flags() & Qt.ItemFlag.ItemIsEditable  # a past month is locked
    grid.table.item(rows["people"], column).setText("30")
    grid.table.item(rows["women"], column).setText("40")
    grid.save_button.click()
    assert "rien n'a été écrit" in dock.last_message and "women" in dock.last_message
    grid.table.item(rows["women"], column).setText("14")
    grid.table.item(rows["households"], column).setText("9")
    grid.save_button.click()
    assert "3 valeur(s) enregistrée(s)" in dock.last_message
    with contextlib.closing(store.connect()) as connection:
        cells = sql.grid(connection, saved.uuid)
    assert {k: c.value for k, c in cells.items()} == {("people", last_month): 30, ("women", last_month): 14,
                                                       ("households", last_month): 9}
    households = dock.households_tab.table
    row = next(r for r in range(households.rowCount()) if households.verticalHeaderItem(r).text() == last_month)
    assert last_month not in dock.grid.late and households.item(row, 0).text() == "9"


def test_a_dispositif_the_store_refuses_is_said_refused_not_unreadable(dock):
    dock, store = dock
    form = new_declaration(dock, "MOUS Pantin")
    form.has_end.setChecked(True)
    form.ended.setDate(QDate(2024, 6, 30))   # before its start: the store's rule refuses it
    dock.save_button.click()
    assert dock.last_message == ("Refusé par le stockage, rien n'a été écrit : "
                                 "« Objectifs » est obligatoire"), dock.last_message
    form.goals.setPlainText("Accompagnement vers le logement")
    dock.save_button.click()
    assert dock.last_message == ("Refusé par le stockage, rien n'a été écrit : "
                                 "La date de fin ne peut pas précéder la date de début"), dock.last_message
    assert not [a for a in dock.all_actions if a.name == "MOUS Pantin"]


def test_the_operator_workbook_goes_out_and_comes_back_through_the_dock(dock, tmp_path):
    dock, store = dock
    action = next(a for a in dock.all_actions if a.uuid in dock.late)
    month = dock.late[action.uuid][-1]
    path = tmp_path / "observatoire.xlsx"
    from plugin.exchange import observatory
    observatory.write_workbook(store, str(path), action.uuid, month)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[7]].index(month) + 1
    for row in range(8, sheet.max_row + 1):
        sheet.cell(row, column).value = 3
    book.save(path)
    dock.select(action.uuid)
    dock.import_workbook(str(path))
    assert "valeur(s) écrite(s)" in dock.last_message and not dock.last_message.startswith("Import de observatoire."
                                                                                           "xlsx : 0")
    assert dock.selected().uuid == action.uuid and month not in dock.grid.late
    dock.import_workbook(str(path))
    assert ": 0 valeur(s) écrite(s)" in dock.last_message


def test_the_synthesis_dock_has_a_dispositifs_tab_with_the_sums_and_the_finances(dock, iface):
    from plugin.gui.synthesis_manager import SynthesisManager
    dock, store = dock
    manager = SynthesisManager(iface)
    manager.create()
    try:
        synthesis = manager.synthesis_dock
        assert synthesis.pages.tabText(1) == "Dispositifs"
        synthesis.pages.setCurrentIndex(1)
        panel = synthesis.dispositifs
        expected = sql.indicator_sums(store, first=panel.first.date().toString("yyyy-MM"),
                                      last=panel.last.date().toString("yyyy-MM"), by="topic")
        panel.by.setCurrentIndex(panel.by.findData("topic"))
        table = panel.table
        assert table.columnCount() == 1 + len(expected["groups"])
        people = next(r for r in range(table.rowCount()) if table.verticalHeaderItem(r).text() ==
                      "Personnes accompagnées")
        assert table.item(people, 0).text().replace("\u202f", "") == str(expected["total"]["people"])
        missing = table.rowCount() - 1
        assert table.verticalHeaderItem(missing).text() == "Mois non saisis"
        assert table.item(missing, 0).text() == str(expected["missing_months"])
        assert panel.finances.rowCount() >= 2 and panel.finances.item(0, 0).text()
    finally:
        manager.remove()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone before the next test looks


def test_a_departement_creates_a_local_indicator_from_the_dock(dock, monkeypatch):
    from qgis.PyQt.QtWidgets import QDialogButtonBox
    from plugin.gui.local_indicator_dialog import LocalIndicatorDialog
    dock, store = dock
    action = dock.all_actions[0]
    dock.select(action.uuid)
    tries = []

    def typed_then_ok(dialog):
        code = "people" if not tries else "mediation_%s" % action.departement   # « people » is taken
        tries.append(code)
        dialog.code.setText(code)
        dialog.label.setText("Médiations scolaires")
        dialog.label_en.setText("School mediations")
        dialog.topic.setCurrentIndex(dialog.topic.findData("school"))
        dialog.unit.setText("médiations")
        dialog.kind.setCurrentIndex(dialog.kind.findData("flow"))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        if not dialog.result():
            tries.append(dialog.message.text())
            return typed_then_ok(dialog)
        return dialog.result()

    monkeypatch.setattr(LocalIndicatorDialog, "exec", typed_then_ok)
    dock.grid.local_button.click()
    assert tries[0] == "people" and tries[1].startswith("Le code « people » est déjà pris")
    code = "mediation_%s" % action.departement
    assert dock.last_message == "Indicateur local créé : %s" % code
    with sql.connection_of(store) as connection:
        created = next(d for d in sql.definitions(connection, action.departement) if d.code == code)
        assert code not in {d.code for d in sql.definitions(connection, "00")}
    assert (created.label, created.label_en, created.topic, created.unit, created.kind, created.scope) == (
        "Médiations scolaires", "School mediations", "school", "médiations", "flow", "local")
    rows = [dock.grid.table.verticalHeaderItem(row).text() for row in range(dock.grid.table.rowCount())]
    assert any("Médiations scolaires" in text for text in rows)
