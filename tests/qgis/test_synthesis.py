"""The "Synthèse" dock and the history panel on a real store, as an officer uses them."""
import contextlib
import csv
import json
import re
import struct
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from qgis.core import (QgsAttributeEditorElement, QgsCoordinateReferenceSystem, QgsExpression, QgsExpressionContext,
                       QgsExpressionContextUtils, QgsFeatureRequest, QgsGeometry, QgsPointXY,
                       QgsRectangle)
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent
from qgis.PyQt.QtWidgets import QApplication, QDockWidget

from plugin.gui import history_form, synthesis_manager
from plugin.model import sums as model
from plugin.gui.synthesis_dock import DEPARTEMENT, SELECTION
from plugin.gui.synthesis_manager import SynthesisManager

REPO = Path(__file__).resolve().parents[2]
CREATED = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT10:00:00.000Z")
# (name, département, INSEE, status, people, x, y)
SITES = (
    ("Les Saules", "93", "93008", "open", 20, 2.4530, 48.9105),
    ("Pont de Bondy", "93", "93008", "open", 12, 2.4550, 48.9120),
    ("Canal", "93", "93066", "open", None, 2.3600, 48.9300),
    ("Friche Est", "93", "93066", "resorbed", 40, 2.3650, 48.9350),
    ("Quai", "75", "75056", "open", None, 2.3500, 48.8600),
)


def point_blob(x: float, y: float) -> bytes:
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, x, y)


def wait_for(dock, seconds: float = 20) -> None:
    """Let the background task (comparison, series) finish and deliver its result."""
    limit = time.monotonic() + seconds
    while dock.is_busy() and time.monotonic() < limit:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    QCoreApplication.processEvents()
    assert not dock.is_busy(), "the synthesis task did not finish"


def values(dock, name: str) -> list:
    return next(row for row in dock.rows if row.name == name).values


def value(dock, name: str):
    return values(dock, name)[0]


def cell_text(dock, name: str, column: int = 1) -> str:
    index = next(i for i, row in enumerate(dock.rows) if row.name == name)
    return dock.table.item(index, column).text()


@pytest.fixture
def synthesis(opened_store, iface):
    store, layers = opened_store
    with contextlib.closing(store.connect()) as connection:
        for name, departement, insee, status, people, x, y in SITES:
            connection.execute(
                'INSERT INTO sites (name, departement, insee_code, status, population_total, closed_at, '
                'closed_with_solutions, geom, row_version, created_at, created_by, updated_at, updated_by) '
                'VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)',
                (name, departement, insee, status, people, CREATED[:10] if status != "open" else None,
                 "yes" if status != "open" else None, point_blob(x, y), CREATED, "alice", CREATED, "alice"))
    layers["sites"].reload()
    manager = SynthesisManager(iface)
    manager.create()
    dock = manager.synthesis_dock
    dock.show()
    wait_for(dock)
    yield store, layers, manager
    manager.remove()


def edit_people(layer, name: str, people: int) -> int:
    feature = next(layer.getFeatures(QgsFeatureRequest().setFilterExpression("\"name\" = '%s'" % name)))
    layer.startEditing()
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("population_total"), people)
    assert layer.commitChanges(), layer.commitErrors()
    return feature.id()


def test_dock_shows_the_figures_of_the_command_line(synthesis):
    store, _, manager = synthesis
    dock = manager.synthesis_dock
    run = subprocess.run([sys.executable, "-m", "plugin", "sums", store.location, "--json"], cwd=str(REPO),
                         capture_output=True, text=True, check=True)
    total = json.loads(run.stdout)["total"]
    assert total["sites"] == 4 and total["population_total"] == 32
    for name in model.FIGURE_NAMES:
        unknown = model.SUMMED.get(name)
        # The CLI gives the sum of known values (0 here) and counts the unknown apart; the dock
        # says "n.c." when no site knows the value.
        expected = None if unknown and total[unknown] == total["sites"] else total[name]
        assert value(dock, name) == expected, name
    assert cell_text(dock, "population_total") == "32"
    assert cell_text(dock, "population_minors") == "n.c." and cell_text(dock, "sites_unknown_minors") == "4"
    assert dock.table.item(3, 0).text() == "↳ dont sites non renseignés"


def test_unknown_is_shown_apart_never_as_zero(synthesis):
    _, _, manager = synthesis
    dock = manager.synthesis_dock
    dock.territory_box.setCurrentIndex(dock.territory_box.findData(DEPARTEMENT))
    dock.place_box.setCurrentIndex(dock.place_box.findData("75"))
    assert dock.place_box.currentText() == "75 – Paris"
    assert "93 – Seine-Saint-Denis" in [dock.place_box.itemText(i) for i in range(dock.place_box.count())]
    wait_for(dock)
    assert value(dock, "sites") == 1
    assert value(dock, "population_total") is None
    assert cell_text(dock, "population_total") == "n.c."
    assert value(dock, "sites_unknown_population") == 1
    assert "Département 75" in dock.status.text()


def test_a_saved_edit_changes_the_figures_and_an_earlier_date_keeps_the_old_one(synthesis):
    _, layers, manager = synthesis
    dock = manager.synthesis_dock
    edit_people(layers["sites"], "Les Saules", 25)
    # No explicit refresh: the layer's commit signal recomputed the figures.
    assert value(dock, "population_total") == 37
    assert dock.last_refresh_ms < 100
    dock.at_edit.setDate(QDate.currentDate().addDays(-2))
    wait_for(dock)
    assert value(dock, "population_total") == 32
    assert dock.table.horizontalHeaderItem(1).text() == "Au %s" % QDate.currentDate().addDays(-2).toString(
        "dd/MM/yyyy")


def test_the_comparison_shows_the_difference_and_the_movements(synthesis):
    store, layers, manager = synthesis
    dock = manager.synthesis_dock
    edit_people(layers["sites"], "Pont de Bondy", 2)
    dock.compare_edit.setDate(QDate.currentDate().addDays(-2))
    dock.compare_check.setChecked(True)
    wait_for(dock)
    assert [dock.table.horizontalHeaderItem(i).text() for i in range(4)][2:] == [
        "Au %s" % QDate.currentDate().addDays(-2).toString("dd/MM/yyyy"), "Écart"]
    assert values(dock, "population_total") == [22, 32, -10]
    assert cell_text(dock, "population_total", 3) == "−10"
    assert values(dock, "sites") == [4, 4, 0]
    dock.compare_edit.setDate(QDate.currentDate().addDays(-60))
    wait_for(dock)
    assert values(dock, "sites") == [4, 0, 4]
    # Movements between the dates sit under "Écart".
    assert [values(dock, name)[2] for name in ("opened", "closed", "resorbed", "population_resorbed")] == [5, 1, 1, 40]
    assert cell_text(dock, "opened", 3) == "5"
    # Where the people of the closed site went, once recorded.
    assert values(dock, "outcome_not_recorded")[2] == 1
    with contextlib.closing(store.connect()) as connection:
        connection.execute("INSERT INTO site_closing_outcomes (site_uuid, solution, people) "
                           "SELECT uuid, 'shelter', 25 FROM sites WHERE name = 'Friche Est'")
    dock.refresh()
    wait_for(dock)
    assert values(dock, "outcome_shelter")[2] == 25 and values(dock, "outcome_not_recorded")[2] == 0
    assert cell_text(dock, "outcome_shelter", 0) == "Hébergement (personnes)"


def test_the_chart_has_24_months(synthesis):
    _, _, manager = synthesis
    chart = manager.synthesis_dock.chart
    assert len(chart.points) == 24
    assert chart.points[-1][1:] == (4, 32)
    assert chart.points[0][1:] == (0, 0)


def test_clipboard_and_csv_carry_the_table(synthesis, tmp_path):
    _, _, manager = synthesis
    dock = manager.synthesis_dock
    text = dock.copy_to_clipboard()
    assert QApplication.clipboard().text() == text
    lines = [line.split("\t") for line in text.splitlines()]
    assert ["Personnes", "32"] in lines
    assert ["Sites à population inconnue", "2"] in lines
    assert lines[1] == ["Territoire", "Tout le stockage"]
    path = dock.export_csv(str(tmp_path / "synthese.csv"))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert ["Sites", "4"] in rows and ["Personnes", "32"] in rows
    assert rows[4][0] == "Chiffre"


def test_history_lists_versions_with_old_and_new_values(synthesis):
    _, layers, manager = synthesis
    sites = layers["sites"]
    fid = edit_people(sites, "Les Saules", 25)
    panel = manager.history_dock
    assert panel.show_feature(sites, fid)
    assert [e["operation"] for e in panel.entries] == ["update", "create"]
    newest = panel.versions.topLevelItem(0)
    assert "(actuelle)" in newest.text(0) and "Nombre de personnes" in newest.text(1)
    changes = {newest.child(i).text(0): newest.child(i).text(1) for i in range(newest.childCount())}
    assert changes["Nombre de personnes"] == "20 → 25"
    assert panel.versions.topLevelItemCount() == 2


def older_version_chosen(synthesis):
    """The history of « Les Saules » after an edit, its older version chosen: the panel."""
    _, layers, manager = synthesis
    fid = edit_people(layers["sites"], "Les Saules", 25)
    panel = manager.history_dock
    panel.show_feature(layers["sites"], fid)
    panel.versions.setCurrentItem(panel.versions.topLevelItem(1))
    return panel


def test_restore_creates_a_new_version(synthesis):
    store, _, manager = synthesis
    panel = older_version_chosen(synthesis)
    assert panel.restore_button.isEnabled()
    assert panel.restore(1)
    with contextlib.closing(store.connect()) as connection:
        row_version, people = connection.execute(
            "SELECT row_version, population_total FROM sites WHERE name = 'Les Saules'").fetchone()
        kept = connection.execute("SELECT count(*) FROM sites_history WHERE name = 'Les Saules'").fetchone()[0]
    assert (row_version, people, kept) == (3, 20, 2)
    assert len(panel.entries) == 3
    assert value(manager.synthesis_dock, "population_total") == 32


def test_restoring_asks_first_and_a_no_writes_nothing(synthesis):
    store = synthesis[0]
    panel = older_version_chosen(synthesis)
    questions = []
    panel.ask = lambda text: questions.append(text) or False
    panel.restore_button.click()
    assert questions and questions[0].startswith("Restaurer la version du ")
    assert "la version actuelle reste dans l'historique" in questions[0]
    assert len(panel.entries) == 2
    panel.ask = lambda text: True
    panel.restore_button.click()
    assert len(panel.entries) == 3
    with contextlib.closing(store.connect()) as connection:
        assert connection.execute("SELECT population_total FROM sites WHERE name = 'Les Saules'").fetchone() == (20,)


def test_history_reachable_from_the_form_and_the_menu(synthesis):
    _, layers, manager = synthesis
    sites = layers["sites"]
    actions = sites.actions().actions()
    assert [a.name() for a in actions] == ["Historique"] and actions[0].actionScopes() == {"Form", "Feature"}
    feature = next(sites.getFeatures())
    # The code QGIS runs for the form's action, once its expressions are replaced.
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(sites))
    context.setFeature(feature)
    exec(QgsExpression.replaceExpressionText(actions[0].command(), context), {})
    assert manager.history_dock.uuid == feature["uuid"] and manager.history_dock.entries
    fid = feature.id()
    assert synthesis_manager.open_history(sites.id(), fid)
    sites.selectByIds([fid])
    assert manager.show_selected_history()
    assert [a.text() for a in manager.actions] == ["Synthèse", "Historique de l'objet sélectionné",
                                                   "Dernières modifications"]


def test_activity_feed_filters_by_person(synthesis):
    _, layers, manager = synthesis
    edit_people(layers["sites"], "Canal", 7)
    manager.show_activity()
    feed = manager.history_dock.activity
    assert feed.list.topLevelItem(0).text(2) == "Modification"
    assert feed.list.topLevelItem(0).text(3) == "Sites — Canal"
    feed.commune_box.setCurrentIndex(feed.commune_box.findData("93066"))
    shown = [(feed.list.topLevelItem(i).text(2), feed.list.topLevelItem(i).text(3))
             for i in range(feed.list.topLevelItemCount())]
    assert shown[0] == ("Modification", "Sites — Canal")
    assert sorted(shown[1:]) == [("Création", "Sites — Canal"), ("Création", "Sites — Friche Est")]
    feed.person_box.setCurrentIndex(feed.person_box.findData("alice"))
    assert [feed.list.topLevelItem(i).text(1) for i in range(feed.list.topLevelItemCount())] == ["alice", "alice"]


def test_remove_leaves_nothing_behind(synthesis, iface):
    _, layers, manager = synthesis
    window = iface.mainWindow()

    def docks():
        return sorted(d.objectName() for d in window.findChildren(QDockWidget)
                      if d.objectName() in ("ResorptionHistoryDock", "ResorptionSynthesisDock"))

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # what earlier tests removed
    assert docks() == ["ResorptionHistoryDock", "ResorptionSynthesisDock"]
    for _ in range(3):
        manager.remove()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert docks() == [] and layers["sites"].actions().actions() == []
        assert synthesis_manager._ACTIVE is None
        manager.create()
        assert len(docks()) == 2 and len(layers["sites"].actions().actions()) == 1


def test_selection_and_map_extent_as_territory(synthesis, iface):
    _, layers, manager = synthesis
    dock = manager.synthesis_dock
    sites = layers["sites"]
    sites.selectByExpression("\"name\" IN ('Les Saules', 'Quai')")
    dock.territory_box.setCurrentIndex(dock.territory_box.findData(SELECTION))
    assert value(dock, "sites") == 2 and value(dock, "population_total") == 20, (
        dock.request.territory, [(f["name"], f["uuid"]) for f in sites.getSelectedFeatures()])
    sites.selectByExpression("\"name\" = 'Quai'")
    assert value(dock, "sites") == 1
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    canvas.setExtent(QgsRectangle(2.44, 48.90, 2.47, 48.92))
    dock.follow_map.setChecked(True)
    assert values(dock, "sites") == [2] and value(dock, "population_total") == 32
    # Following the map: a move recomputes once the map rests (debounced).
    canvas.setExtent(QgsRectangle(2.345, 48.855, 2.355, 48.865))
    limit = time.monotonic() + 3
    while value(dock, "sites") != 1 or value(dock, "population_total") is not None:
        assert time.monotonic() < limit, (dock.status.text(), values(dock, "sites"), canvas.extent().toString())
        QCoreApplication.processEvents()
        time.sleep(0.02)
    assert "Emprise de la carte" in dock.status.text()


def test_former_positions_on_the_map_until_the_panel_closes(synthesis, iface):
    _, layers, manager = synthesis
    sites = layers["sites"]
    feature = next(sites.getFeatures(QgsFeatureRequest().setFilterExpression("\"name\" = 'Quai'")))
    sites.startEditing()
    sites.changeGeometry(feature.id(), QgsGeometry.fromPointXY(QgsPointXY(2.3510, 48.8600)))
    assert sites.commitChanges(), sites.commitErrors()
    panel = manager.history_dock
    iface.mainWindow().show()  # offscreen: a dock shows (and hides) only in a shown window
    panel.show_feature(sites, feature.id())
    versions = [panel.versions.topLevelItem(i) for i in range(panel.versions.topLevelItemCount())]
    changes = [(v.child(i).text(0), v.child(i).text(1)) for v in versions for i in range(v.childCount())]
    assert ("Position / contour", "déplacé de 73 m") in changes
    scene = iface.mapCanvas().scene()
    # The former position, and the path from it to the current one.
    assert len(panel.bands) == 2 and all(band.scene() is scene for band in panel.bands)
    panel.close()
    iface.mainWindow().hide()
    assert panel.bands == [] and all(not isinstance(item, QgsRubberBand) for item in scene.items())


def test_the_form_has_a_history_tab(synthesis):
    _, layers, manager = synthesis
    sites = layers["sites"]
    fid = edit_people(sites, "Les Saules", 25)
    tabs = [tab.name() for tab in sites.editFormConfig().tabs()]
    assert tabs[-1] == "Historique" and tabs[0] == "Lieu"
    # What the tab's script evaluates, in the form's context.
    feature = sites.getFeature(fid)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(sites))
    context.setFeature(feature)
    tab = next(tab for tab in sites.editFormConfig().tabs() if tab.name() == "Historique")
    assert tab.children()[0].type() == QgsAttributeEditorElement.AttributeEditorType.AeTypeHtmlElement
    assert not tab.isGroupBox()  # a tab, not a box under the tabs
    evaluated = re.search(r'expression\.evaluate\("(.*)"\)\);</script>', history_form.SCRIPT).group(1)
    evaluated = evaluated.replace('\\"', '"')
    page = QgsExpression(evaluated).evaluate(context)
    assert "Nombre de personnes" in page and "20 → 25" in page and "2 versions" in page
    manager.remove()
    assert "Historique" not in [tab.name() for tab in sites.editFormConfig().tabs()]
    assert tabs[:-1] == [tab.name() for tab in sites.editFormConfig().tabs()]
    assert not QgsExpression.isFunctionName("resorption_history_html")
    manager.create()


def test_the_history_tab_is_named_in_the_users_language(synthesis):
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator
    from plugin import assets
    _, layers, manager = synthesis
    translator = QTranslator()
    assert translator.load(str(assets.I18N / "resorption_sig_en.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        manager.remove()
        manager.create()
        assert [tab.name() for tab in layers["sites"].editFormConfig().tabs()][-1] == "History"
    finally:
        QCoreApplication.removeTranslator(translator)
    manager.remove()    # found again by its element, whatever the caption's language
    assert not history_form.has_tab(layers["sites"])
    manager.create()
