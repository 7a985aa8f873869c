"""The Sites and Terrains docks driven on real stores: list, filters, map tools, dialogs, rules, attachments, undo."""
import contextlib
import sqlite3

import pytest
from qgis.core import QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayerUtils
from qgis.PyQt.QtCore import QDate, Qt

from plugin.gui.close_dialog import CloseSiteDialog
from plugin.gui.dock_manager import DockManager
from plugin.layers import edits
from plugin.model.closure import Closure, Outcome
from plugin.store.base import StoreError
from plugin.store.gpkg import connect

BOBIGNY = (2.4530, 48.9105)
SAINT_DENIS = (2.3580, 48.9360)
MONTREUIL = (2.4430, 48.8620)
MARSEILLE = (5.3800, 43.2960)
ATLANTIC = (-20.0, 45.0)


def add_site(layer, where, **values):
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(*where)), {},
                                                layer.createExpressionContext())
    for name, value in values.items():
        feature[name] = value
    assert layer.addFeature(feature)
    return feature


PLAINE = "POLYGON((2.44 48.90, 2.45 48.90, 2.45 48.91, 2.44 48.91, 2.44 48.90))"


def new_terrain(layer, wkt=PLAINE):
    """A terrain feature with the layer's defaults, in edit mode, not yet added."""
    layer.startEditing()
    return QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromWkt(wkt), {}, layer.createExpressionContext())


def saved_terrain(dock, layer, name, wkt=PLAINE):
    """A terrain saved through the dock, then selected in its list."""
    feature = new_terrain(layer, wkt)
    feature["name"] = name
    assert layer.addFeature(feature)
    assert dock.save()
    dock.flush()
    dock.select_fids([dock.model.shown[0].fid])


@pytest.fixture
def store_with_sites(opened_store):
    """Five sites saved in the store: four open in 93 and 13, one closed."""
    store, layers = opened_store
    sites = layers["sites"]
    sites.startEditing()
    add_site(sites, BOBIGNY, name="Le Pont", population_total=40, population_minors=12, address="rue des Vignes",
             built_at="2024-05-01")
    add_site(sites, SAINT_DENIS, name="Les Cheminots", population_total=15, population_minors=4)
    add_site(sites, MONTREUIL, name="Boissière", population_total=None)
    add_site(sites, MARSEILLE, name="Canet", population_total=60, population_minors=30)
    add_site(sites, SAINT_DENIS, name="Ancien campement", status="unknown", closed_at="2025-01-10",
             population_total=8)
    assert sites.commitChanges(), sites.commitErrors()
    return store, layers


@pytest.fixture
def docks(iface, store_with_sites):
    if not hasattr(iface, "vectorLayerTools"):
        iface.vectorLayerTools = lambda: None
    manager = DockManager(iface)
    manager.create()
    sites_dock, terrains_dock = manager.docks[:2]
    warnings = []
    for dock in manager.docks[:2]:
        dock.warn = lambda title, text: warnings.append(text)
        dock.flush()
    yield manager, sites_dock, terrains_dock, warnings, store_with_sites
    for layer in QgsProject.instance().mapLayers().values():
        if layer.isEditable():
            layer.rollBack()
    manager.remove()


def shown_names(dock):
    dock.flush()
    return sorted(row.get("name") for row in dock.model.shown)


def fid_of(layer, name):
    return next(f.id() for f in layer.getFeatures() if f["name"] == name)


def store_rows(store, sql, *parameters):
    with contextlib.closing(sqlite3.connect(store.location)) as connection:
        return connection.execute(sql, parameters).fetchall()


def test_the_manager_adds_the_declared_docks_and_removes_them(iface, store_with_sites):
    window = iface.mainWindow()
    from qgis.PyQt.QtWidgets import QDockWidget
    before = {d.objectName() for d in window.findChildren(QDockWidget)}
    manager = DockManager(iface)
    manager.create()
    names = [dock.objectName() for dock in manager.docks]
    assert names == ["ResorptionSitesDock", "ResorptionTerrainsDock", "ResorptionDispositifsDock",
                     "ResorptionServicesDock"]
    assert [a.text() for a in manager.actions] == ["Sites", "Terrains d'insertion", "Dispositifs", "Services"]
    assert manager.docks[0].layer is store_with_sites[1]["sites"]
    manager.remove()
    from qgis.PyQt.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert {d.objectName() for d in window.findChildren(QDockWidget)} == before
    assert manager.docks == [] and manager.actions == []
    # Created and removed again: nothing accumulates, the project no longer calls the docks.
    for _ in range(3):
        again = DockManager(iface)
        again.create()
        again.remove()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert {d.objectName() for d in window.findChildren(QDockWidget)} == before
    store_with_sites[1]["sites"].selectByIds([])
    QgsProject.instance().removeMapLayer(store_with_sites[1]["actions"])


def test_the_docks_follow_the_store_layers_leaving_the_project(docks):
    manager, sites_dock, terrains_dock, _, _ = docks
    QgsProject.instance().removeAllMapLayers()
    assert sites_dock.layer is None and terrains_dock.layer is None
    assert sites_dock.model.rowCount() == 0
    assert sites_dock.totals_label.text() == "0 sites listés, 0 personnes"


def test_the_list_shows_open_sites_with_their_counts(docks):
    _, sites_dock, _, _, _ = docks
    assert shown_names(sites_dock) == ["Boissière", "Canet", "Le Pont", "Les Cheminots"]
    assert sites_dock.totals_label.text() == "4 sites listés, 115 personnes (+ 1 de population inconnue)"
    headers = [sites_dock.model.headerData(i, Qt.Orientation.Horizontal) for i in range(6)]
    assert headers == ["Nom", "Commune", "Statut", "Personnes", "Mineurs", "Mise à jour"]
    row = sites_dock.model.position_of(fid_of(sites_dock.layer, "Le Pont"))
    values = [sites_dock.model.index(row, c).data() for c in range(5)]
    assert values == ["Le Pont", "Bobigny", "Ouvert", "40", "12"]


def test_filters_and_search_update_the_list_and_totals(docks):
    _, dock, _, _, _ = docks
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("all"))
    assert len(shown_names(dock)) == 5
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("closed"))
    assert shown_names(dock) == ["Ancien campement"]
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("open"))
    dock.departement_combo.setCurrentIndex(dock.departement_combo.findData("13"))
    assert shown_names(dock) == ["Canet"]
    assert dock.totals_label.text() == "1 site listé, 60 personnes"
    dock.departement_combo.setCurrentIndex(0)
    dock.commune_combo.setCurrentIndex(dock.commune_combo.findData("93066"))
    assert shown_names(dock) == ["Les Cheminots"]
    dock.commune_combo.setCurrentIndex(0)
    dock.search.setText("vignes")
    assert shown_names(dock) == ["Le Pont"]
    dock.search.setText("SAINT DENIS")
    assert shown_names(dock) == ["Les Cheminots"]
    dock.search.setText("93048")
    assert shown_names(dock) == ["Boissière"]
    dock.search.setText("")
    dock.unknown_population_box.setChecked(True)
    assert shown_names(dock) == ["Boissière"]


def test_out_of_date_sites_are_those_neither_updated_nor_confirmed(docks):
    _, dock, _, _, (store, layers) = docks
    with contextlib.closing(connect(store.location)) as connection:
        # Only the stamp changes: the store keeps no version for it.
        connection.execute("UPDATE sites SET updated_at = '2025-01-01T00:00:00.000Z' WHERE name <> 'Canet'")
    layers["sites"].reload()
    dock.reload()
    dock.out_of_date_box.setChecked(True)
    assert shown_names(dock) == ["Boissière", "Le Pont", "Les Cheminots"]
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    dock.confirm_selected()
    assert shown_names(dock) == ["Boissière", "Les Cheminots"]


def test_list_selection_and_map_selection_follow_each_other(docks):
    _, dock, _, _, _ = docks
    layer = dock.layer
    pont = fid_of(layer, "Le Pont")
    dock.select_fids([pont])
    assert list(layer.selectedFeatureIds()) == [pont]
    canet = fid_of(layer, "Canet")
    layer.selectByIds([canet])
    assert dock.selected_fids() == [canet]


def test_a_click_with_the_new_site_tool_opens_the_form_with_the_commune(docks):
    _, dock, _, _, _ = docks
    dock.place_new_site(QgsPointXY(*BOBIGNY))
    form = dock.form
    assert form is not None
    assert form.feature()["insee_code"] == "93008" and form.feature()["city_name"] == "Bobigny"
    form.attributeForm().changeAttribute("name", "Nouveau terrain vague")
    form.attributeForm().changeAttribute("population_total", 12)
    form.accept()
    assert "Nouveau terrain vague" in shown_names(dock)
    assert dock.save()
    assert ("Nouveau terrain vague", "93008") in {tuple(r) for r in
                                                 store_rows(docks[4][0], "SELECT name, insee_code FROM sites")}


def test_the_new_site_tool_turns_a_map_click_into_a_site_at_that_place(docks, iface):
    from qgis.core import QgsCoordinateReferenceSystem, QgsRectangle
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QEvent, QPoint
    _, dock, _, _, _ = docks
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    canvas.setExtent(QgsRectangle(657000, 6870000, 667000, 6877000))  # Lambert-93 around Bobigny
    dock.start_placing()
    assert canvas.mapTool() is dock.place_tool
    size = canvas.mapSettings().outputSize()
    center = QPoint(size.width() // 2, size.height() // 2)
    dock.place_tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, center,
                                                      Qt.MouseButton.LeftButton))
    placed = dock.form.feature()
    assert placed["departement"] == "93"
    point = placed.geometry().asPoint()
    assert 2.3 < point.x() < 2.6 and 48.8 < point.y() < 49.0  # stored in WGS 84
    dock.remove()
    assert canvas.mapTool() is not dock.place_tool


def test_a_click_outside_france_is_refused_with_a_message(docks):
    _, dock, _, _, _ = docks
    dock.form = None
    dock.place_new_site(QgsPointXY(*ATLANTIC))
    assert dock.form is None
    assert "aucune commune française" in dock.last_message


def test_moving_a_site_changes_its_commune_and_can_be_undone(docks):
    _, dock, _, _, (store, _) = docks
    layer = dock.layer
    pont = fid_of(layer, "Le Pont")
    dock.select_fids([pont])
    dock.move_selected_to(QgsPointXY(*SAINT_DENIS))
    assert layer.getFeature(pont)["city_name"] == "Saint-Denis"
    layer.undoStack().undo()
    assert layer.getFeature(pont)["city_name"] == "Bobigny"
    dock.move_selected_to(QgsPointXY(*SAINT_DENIS))
    assert dock.save()
    assert store_rows(store, "SELECT insee_code, updated_by <> '(externe)' FROM sites WHERE name = 'Le Pont'") == [
        ("93066", 1)]


def test_confirm_sets_confirmed_at_and_undo_removes_it(docks):
    _, dock, _, _, (store, _) = docks
    layer = dock.layer
    pont = fid_of(layer, "Le Pont")
    dock.select_fids([pont])
    dock.confirm_selected()
    assert layer.getFeature(pont)["confirmed_at"]
    layer.undoStack().undo()
    assert not layer.getFeature(pont)["confirmed_at"]
    layer.undoStack().redo()
    assert dock.save()
    confirmed, version = store_rows(store, "SELECT confirmed_at, row_version FROM sites WHERE name = 'Le Pont'")[0]
    assert confirmed.startswith(QDate.currentDate().toString(Qt.DateFormat.ISODate)[:4]) and version == 2


def test_close_and_reopen_a_site(docks):
    _, dock, _, _, (store, _) = docks
    pont = fid_of(dock.layer, "Le Pont")
    dock.select_fids([pont])
    assert dock.close_selected(Closure("resorbed", "2026-02-01", "yes", "Relogement par le GIP",
                                       [Outcome("shelter", 30, 8), Outcome("housing", 6, None)]))
    assert dock.save()
    outcomes = ("SELECT o.solution, o.people, o.households FROM site_closing_outcomes o "
                "JOIN sites s ON s.uuid = o.site_uuid WHERE s.name = 'Le Pont' ORDER BY o.solution")
    assert store_rows(store, "SELECT status, closed_at, closed_with_solutions, closing_context FROM sites "
                             "WHERE name = 'Le Pont'") == [("resorbed", "2026-02-01", "yes", "Relogement par le GIP")]
    assert store_rows(store, outcomes) == [("housing", 6, None), ("shelter", 30, 8)]
    assert "Le Pont" not in shown_names(dock)
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("all"))
    dock.select_fids([pont])
    # Correcting the closure: the dialog starts from the saved outcomes; a cleared solution goes away.
    site = edits.store_row(dock.layer, dock.layer.getFeature(pont))
    saved = edits.closing_outcomes(dock.related["site_closing_outcomes"], site["uuid"])
    assert sorted(saved, key=lambda o: o.solution) == [Outcome("housing", 6, None), Outcome("shelter", 30, 8)]
    dialog = CloseSiteDialog(site, saved)
    assert [box.value() for box in dialog.boxes["shelter"]] == [30, 8]
    assert dock.close_selected(Closure("resorbed", "2026-02-01", "yes", "", [Outcome("shelter", 32, 9)]))
    assert dock.save()
    assert store_rows(store, outcomes) == [("shelter", 32, 9)]
    dock.reopen_selected()
    assert dock.save()
    assert store_rows(store, "SELECT status, closed_at, closing_context FROM sites WHERE name = 'Le Pont'") == [
        ("open", None, None)]
    assert store_rows(store, outcomes) == []


def test_a_closure_before_the_installation_is_refused_and_changes_nothing(docks):
    _, dock, _, warnings, _ = docks
    pont = fid_of(dock.layer, "Le Pont")
    dock.select_fids([pont])
    assert not dock.close_selected(Closure("resorbed", "2023-01-01", "yes"))
    assert warnings == ["• La date de fermeture ne peut pas précéder la date d'installation"]
    assert dock.layer.getFeature(pont)["status"] == "open"


def test_the_close_dialog_lists_problems_and_builds_the_closure(docks):
    _, dock, _, _, _ = docks
    site = edits.store_row(dock.layer, dock.layer.getFeature(fid_of(dock.layer, "Le Pont")))
    dialog = CloseSiteDialog(site)
    dialog.reasonCombo.setCurrentIndex(dialog.reasonCombo.findData("other"))
    assert "Précisez le contexte de la fermeture (statut « Autre »)" in dialog.problemsLabel.text()
    assert not dialog.buttonBox.button(dialog.buttonBox.StandardButton.Ok).isEnabled()
    dialog.contextEdit.setPlainText("Incendie")
    dialog.dateEdit.setDate(QDate(2026, 3, 1))
    people, households = dialog.boxes["housing"]
    people.setValue(50)
    assert "Les issues comptent 50 personnes, le site en comptait 40" in dialog.problemsLabel.text()
    people.setValue(20)
    households.setValue(6)
    assert dialog.problemsLabel.text() == ""
    closure = dialog.closure()
    assert (closure.status, closure.closed_at, closure.outcomes) == ("other", "2026-03-01", [Outcome("housing", 20, 6)])


def test_delete_needs_a_reason_which_goes_to_the_history(docks):
    _, dock, _, _, (store, _) = docks
    canet = fid_of(dock.layer, "Canet")
    uuid = dock.layer.getFeature(canet)["uuid"]
    dock.select_fids([canet])
    dock.delete_selected(lambda count: None)
    assert dock.layer.getFeature(canet).isValid()
    dock.delete_selected(lambda count: "Doublon du site « Le Canet »")
    assert "Canet" not in shown_names(dock)
    assert dock.save()
    assert store_rows(store, "SELECT operation, reason FROM sites_history WHERE uuid = ?", uuid) == [
        ("delete", "Doublon du site « Le Canet »")]


def test_saving_is_refused_with_the_list_of_problems(docks):
    _, dock, _, warnings, (store, _) = docks
    layer = dock.layer
    pont = fid_of(layer, "Le Pont")
    edits.change(layer, pont, {"population_minors": 80}, "test")
    cheminots = fid_of(layer, "Les Cheminots")
    edits.change(layer, cheminots, {"population_total": "douze", "insee_code": None}, "test")
    assert not dock.save()
    assert "• Les Cheminots : « Code INSEE de la commune » est obligatoire" in warnings[0]
    assert "• Le Pont : Le nombre de mineurs dépasse le nombre de personnes" in warnings[0]
    assert "• Les Cheminots : « Nombre de personnes » doit être un nombre" in warnings[0]
    assert store_rows(store, "SELECT population_minors FROM sites WHERE name = 'Le Pont'") == [(12,)]
    assert layer.isEditable() and layer.editBuffer().isModified()


def test_the_form_shows_broken_rules_in_french(docks):
    _, dock, _, _, _ = docks
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    dock.edit_selected()
    from qgis.PyQt.QtWidgets import QTabWidget
    tabs = dock.form.findChild(QTabWidget)
    assert [tabs.tabText(i) for i in range(tabs.count())][:4] == ["Lieu", "Site", "Habitants", "Vie"]
    # every tab in view on a 1366×768 screen, whose feature dialog is 760 px wide: no scroll arrows
    assert tabs.tabBar().sizeHint().width() <= 740
    form = dock.form.attributeForm()
    form.changeAttribute("population_minors", 90)
    layer = dock.layer
    feature = form.feature()
    feature["population_minors"] = 90
    index = layer.fields().indexOf("population_minors")
    from qgis.core import QgsVectorLayerUtils as utils
    ok, errors = utils.validateAttribute(layer, feature, index)
    assert not ok
    assert any("Le nombre de mineurs dépasse le nombre de personnes" in e for e in errors)


def test_styles_are_chosen_from_the_dock(docks):
    _, dock, _, _, _ = docks
    for name in ("sites_heatmap", "sites_by_status", "sites_by_closure"):
        dock.style_combo.setCurrentIndex(dock.style_combo.findData(name))
        dock.apply_chosen_style()
        expected = {"sites_heatmap": "heatmapRenderer", "sites_by_status": "categorizedSymbol",
                    "sites_by_closure": "categorizedSymbol"}[name]
        assert dock.layer.renderer().type() == expected


def test_the_default_size_style_marks_out_of_date_sites_from_a_dated_cutoff(docks):
    from datetime import date
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils
    from plugin.layers.styles import apply_dated_style
    _, dock, _, _, (store, layers) = docks
    with contextlib.closing(connect(store.location)) as connection:
        connection.execute("UPDATE sites SET updated_at = '2025-01-01T00:00:00.000Z' WHERE name = 'Le Pont'")
    layers["sites"].reload()
    apply_dated_style(dock.layer, "sites_categorized", 6, today=date(2026, 11, 23))
    renderer = dock.layer.renderer()
    assert renderer.type() == "categorizedSymbol" and "2026-05-23" in renderer.classAttribute()
    classes = {}
    for feature in dock.layer.getFeatures():
        context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(dock.layer))
        context.setFeature(feature)
        classes[feature["name"]] = QgsExpression(renderer.classAttribute()).evaluate(context)
    assert classes["Le Pont"] == "lt50_stale" and classes["Canet"] == "lt100"
    assert classes["Boissière"] == "unknown" and classes["Ancien campement"] == ""


def test_attachments_are_added_once_opened_and_removed(docks, tmp_path):
    _, dock, _, _, (store, _) = docks
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF plan de masse")
    big = tmp_path / "photo.jpg"
    big.write_bytes(b"\xff" * (21 * 1024 * 1024))
    panel = dock.attachments
    notes, opened = [], []
    panel.show_message = notes.append
    panel.open_url = lambda url: opened.append(url.toLocalFile()) or True
    panel.confirm = lambda text: True
    dock.select_fids([fid_of(dock.layer, "Le Pont")])
    assert panel.caption.text() == "Pièces jointes de « Le Pont »"
    panel.ask_files = lambda: [str(plan), str(plan), str(big)]
    assert panel.add_files() == 1
    assert panel.list.count() == 1
    assert "« plan.pdf » est déjà jointe (même contenu)." in notes[0]
    assert "« photo.jpg » pèse 21,0 Mo : la limite est de 20,0 Mo" in notes[0]
    panel.list.setCurrentRow(0)
    path = panel.open_selected()
    assert opened == [path] and open(path, "rb").read() == b"%PDF plan de masse"
    assert panel.remove_selected()
    assert panel.list.count() == 0


def test_attachments_show_names_as_typed_and_never_open_a_program(docks, tmp_path):
    _, dock, _, _, (store, layers) = docks
    sites = layers["sites"]
    sites.startEditing()
    add_site(sites, BOBIGNY, name="<b>Le</b> <a href='x'>Pont</a>", population_total=3)
    assert sites.commitChanges(), sites.commitErrors()
    dock.flush()
    panel = dock.attachments
    notes, opened = [], []
    panel.show_message = notes.append
    panel.open_url = lambda url: opened.append(url.toLocalFile()) or True
    dock.select_fids([fid_of(dock.layer, "<b>Le</b> <a href='x'>Pont</a>")])
    assert panel.caption.text() == "Pièces jointes de « <b>Le</b> <a href='x'>Pont</a> »"
    assert panel.caption.textFormat() == Qt.TextFormat.PlainText
    program = tmp_path / "facture.pdf.exe"
    program.write_bytes(b"MZ\x90\x00")
    panel.ask_files = lambda: [str(program)]
    assert panel.add_files() == 1
    panel.list.setCurrentRow(0)
    assert panel.open_selected() is None
    assert opened == [] and "« facture.pdf.exe » est un programme ou une macro" in notes[-1]
    from plugin.gui.close_dialog import CloseSiteDialog
    closing = CloseSiteDialog({"name": "<b>Le</b> Pont", "city_name": "Bobigny", "population_total": 3})
    assert closing.siteLabel.textFormat() == Qt.TextFormat.PlainText and "<b>Le</b> Pont" in closing.siteLabel.text()
    closing.deleteLater()


def test_terrain_list_phases_origins_and_a_repaired_polygon(docks):
    _, sites_dock, dock, _, (store, layers) = docks
    terrains = layers["insertion_sites"]
    feature = new_terrain(terrains)
    feature["name"] = "ETI de la Plaine"
    feature["capacity_households"] = 20
    feature["occupied_households"] = 12
    feature["status"] = "open"
    assert terrains.addFeature(feature)
    assert dock.save()
    dock.flush()
    assert [r.get("name") for r in dock.model.shown] == ["ETI de la Plaine"]
    assert dock.model.index(0, 3).data() == "12 / 20 (60 %)"
    assert next(terrains.getFeatures())["occupancy_rate"] == 60  # shown in the form's capacity tab
    assert dock.totals_label.text() == "1 terrain(s) listé(s), 12 ménages accueillis pour 20 places (60 %)"
    dock.select_fids([dock.model.shown[0].fid])
    dock.set_phase("sociological_diagnosis", "2025-03-01")
    dock.set_phase("technical_diagnosis", "2025-02-01")
    assert "⚠ « Diagnostic technique » (2025-02-01) est réalisée avant « Diagnostic sociologique » (2025-03-01)" \
        in dock.phases_warning.text()
    pont_uuid = layers["sites"].getFeature(fid_of(layers["sites"], "Le Pont"))["uuid"]
    dock.origin_site_combo.setCurrentIndex(dock.origin_site_combo.findData(pont_uuid))
    dock.origin_households.setValue(5)
    dock.add_origin_from_form()
    assert dock.origins_table.item(0, 0).text() == "Le Pont — Bobigny"
    assert dock.save()
    assert store_rows(store, "SELECT phase, completed_at FROM insertion_site_phases ORDER BY phase") == [
        ("sociological_diagnosis", "2025-03-01"), ("technical_diagnosis", "2025-02-01")]
    assert store_rows(store, "SELECT site_uuid, households FROM insertion_site_origins") == [(pont_uuid, 5)]

    repaired = []
    dock.ask_repair = lambda text: repaired.append(text) or True
    bow_tie = QgsGeometry.fromWkt("POLYGON((2.40 48.90, 2.42 48.92, 2.42 48.90, 2.40 48.92, 2.40 48.90))")
    terrains.startEditing()
    tie = QgsVectorLayerUtils.createFeature(terrains, bow_tie, {}, terrains.createExpressionContext())
    tie["name"] = "Papillon"
    terrains.addFeature(tie)
    dock.flush()
    assert "se recoupe lui-même" in repaired[0]
    fixed = next(f for f in terrains.getFeatures() if f["name"] == "Papillon").geometry()
    assert fixed.isGeosValid() and fixed.area() > 0


def test_the_docks_are_tabbed_once_qgis_has_restored_its_layout_the_first_time_only(iface, qgis_new_project,
                                                                                     monkeypatch):
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import QObject, pyqtSignal
    from plugin.gui import dock_manager

    class Qgis(QObject):
        initializationCompleted = pyqtSignal()

    qgis = Qgis()
    monkeypatch.setattr(iface, "initializationCompleted", qgis.initializationCompleted, raising=False)
    window = iface.mainWindow()
    QgsSettings().remove(dock_manager.ARRANGED_SETTING)
    for run in ("first", "later"):
        manager = DockManager(iface)
        manager.create()
        sites_dock, terrains_dock = manager.docks[:2]
        # What QGIS's restore of a layout that never saw the docks does: one above the other.
        window.removeDockWidget(terrains_dock)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, terrains_dock)
        terrains_dock.show()
        qgis.initializationCompleted.emit()
        tabbed = terrains_dock in window.tabifiedDockWidgets(sites_dock)
        assert tabbed == (run == "first")  # later, the officer's own layout is left as it is
        assert QgsSettings().value(dock_manager.ARRANGED_SETTING, False, bool)
        manager.remove()


def test_the_sites_list_and_the_synthesis_show_side_by_side(iface, qgis_new_project):
    from plugin.gui.synthesis_manager import SynthesisManager
    window = iface.mainWindow()
    manager, figures = DockManager(iface), SynthesisManager(iface)
    manager.create()
    figures.create()
    try:
        sites_dock = manager.docks[0]
        assert window.dockWidgetArea(sites_dock) == Qt.DockWidgetArea.RightDockWidgetArea
        assert window.dockWidgetArea(figures.synthesis_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
        assert manager.docks[1] in window.tabifiedDockWidgets(sites_dock)
        assert figures.history_dock in window.tabifiedDockWidgets(figures.synthesis_dock)
    finally:
        figures.remove()
        manager.remove()


def test_selecting_a_site_or_a_terrain_keeps_its_surroundings_in_view(docks, iface):
    from qgis.core import QgsCoordinateReferenceSystem, QgsRectangle
    _, sites_dock, terrains_dock, _, (_, layers) = docks
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    canvas.setExtent(QgsRectangle(600000, 6800000, 700000, 6900000))
    sites_dock.select_fids([fid_of(sites_dock.layer, "Le Pont")])
    assert abs(canvas.scale() - 5000) < 50
    site = canvas.mapSettings().layerToMapCoordinates(sites_dock.layer, sites_dock.layer.getFeature(
        fid_of(sites_dock.layer, "Le Pont")).geometry().asPoint())
    assert canvas.extent().center().distance(site) < 1
    terrains = layers["insertion_sites"]
    saved_terrain(terrains_dock, terrains, "ETI de la Plaine")
    outline = canvas.mapSettings().layerExtentToOutputExtent(terrains, next(terrains.getFeatures()).geometry()
                                                             .boundingBox())
    shown = canvas.extent()
    assert shown.contains(outline)
    assert outline.xMinimum() - shown.xMinimum() >= 199 and shown.yMaximum() - outline.yMaximum() >= 199
    assert min(shown.width() - outline.width(), shown.height() - outline.height()) < 500  # not the département


def test_origin_sites_are_those_of_the_terrains_departement_nearest_first_and_none_is_added_unasked(docks):
    _, _, dock, _, (store, layers) = docks
    saved_terrain(dock, layers["insertion_sites"], "ETI du Canal",
                  "POLYGON((2.45 48.91, 2.456 48.91, 2.456 48.914, 2.45 48.914, 2.45 48.91))")   # near Bobigny
    combo = dock.origin_site_combo
    choices = [combo.itemText(i) for i in range(combo.count())]
    # Sites of the 93 only (not Canet, in Marseille), Le Pont (Bobigny) first: the nearest.
    assert [c.split(" — ")[0] for c in choices] == ["Le Pont", "Boissière", "Ancien campement", "Les Cheminots"], \
        choices
    assert not any("Canet" in c for c in choices)
    assert choices[0].startswith("Le Pont — Bobigny (") and choices[0].endswith(" m)")
    assert combo.currentIndex() == -1
    with pytest.raises(StoreError, match="Choisissez un site d'origine"):
        dock.add_origin_from_form()
    assert dock.origins_table.rowCount() == 0
    assert store_rows(store, "SELECT count(*) FROM insertion_site_origins") == [(0,)]
    combo.setCurrentIndex(0)
    dock.add_origin_from_form()
    assert dock.origins_table.item(0, 0).text() == "Le Pont — Bobigny"


def test_the_plugins_docks_are_tabs_of_two_areas_with_the_list_in_view(plugin, iface):
    from qgis.PyQt.QtWidgets import QDockWidget
    window = iface.mainWindow()
    sites = window.findChild(QDockWidget, "ResorptionSitesDock")
    synthesis = window.findChild(QDockWidget, "ResorptionSynthesisDock")
    assert {dock.objectName() for dock in window.tabifiedDockWidgets(sites)} == {
        "ResorptionTerrainsDock", "ResorptionDispositifsDock", "ResorptionServicesDock"}
    assert [dock.objectName() for dock in window.tabifiedDockWidgets(synthesis)] == ["ResorptionHistoryDock"]
    # Filters fold into one line whose title says what is filtered; every button shows.
    assert sites.filters_box.isCollapsed() and sites.filters_box.title() == "Filtres et style : Ouverts"
    assert all(toolbar.sizeHint().width() < sites.minimumWidth() for toolbar in sites.toolbars)
