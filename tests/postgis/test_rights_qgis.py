"""The shared store opened straight in QGIS (online editing) by each login of the access tests: the layers,
their forms and their edits obey the same rights as psql and the sync."""
import pytest
from qgis.core import Qgis, QgsGeometry, QgsPointXY, QgsProject

from access_helpers import OWNER, SITE_13, SITE_75, SITE_93, as_login, create_logins, grant_all, rows, seed
from plugin.layers import loader
from plugin.store.postgis import PostGISStore

pytestmark = pytest.mark.postgis


@pytest.fixture
def store(cluster, shared_uri, qgis_new_project):
    from plugin.layers import commune_functions, editing_session
    create_logins(cluster)
    seed(shared_uri)
    grant_all(shared_uri)
    commune_functions.register()
    editing_session.start()
    yield shared_uri
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    editing_session.stop()
    commune_functions.unregister()


def sites_layer(uri, login):
    layers = loader.load_store(PostGISStore(as_login(uri, login)))
    layer = layers["sites"]
    assert layer.isValid() and layer.providerType() == "postgres"
    return layer


def feature(layer, uuid):
    return next(f for f in layer.getFeatures() if f["uuid"] == uuid)


def test_each_login_sees_its_rows_and_columns_in_qgis(store):
    expected = {"ed93": (2, False), "ed93j": (2, True), "idf": (3, False), "op93": (2, False), "adm": (4, True)}
    for login, (count, justice) in expected.items():
        layer = sites_layer(store, login)
        assert layer.featureCount() == count, login
        names = layer.fields().names()
        assert ("owner" in names) == justice and ("police_status" in names) == justice, login
        if justice:
            assert feature(layer, SITE_93)["owner"] == OWNER
        QgsProject.instance().removeAllMapLayers()
        QgsProject.instance().relationManager().clear()


def test_edits_through_a_qgis_layer_keep_to_the_login_rights(store):
    layer = sites_layer(store, "ed93")
    population = layer.fields().indexOf("population_total")
    assert layer.startEditing()
    layer.changeAttributeValue(feature(layer, SITE_93).id(), population, 33)
    assert layer.commitChanges(), layer.commitErrors()
    assert rows(store, None, "SELECT population_total, updated_by FROM sites WHERE uuid = %s", SITE_93) == [
        (33, "ed93")]
    # moved into Paris, a département it lacks (the commune and département follow the point): PostgreSQL
    # refuses, the server keeps the row
    assert layer.startEditing()
    layer.changeGeometry(feature(layer, SITE_93).id(), QgsGeometry.fromPointXY(QgsPointXY(2.35, 48.86)))
    assert not layer.commitChanges()
    assert "row-level security" in " ".join(layer.commitErrors())
    layer.rollBack()
    assert rows(store, None, "SELECT departement FROM sites WHERE uuid = %s", SITE_93) == [("93",)]
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    # the reader of the région edits nothing
    reader = sites_layer(store, "idf")
    assert reader.startEditing()
    reader.changeAttributeValue(feature(reader, SITE_75).id(), population, 1)
    reader.commitChanges()
    reader.rollBack()
    assert rows(store, None, "SELECT population_total FROM sites WHERE uuid IN (%s, %s)", SITE_75, SITE_13) == [
        (25,), (25,)]


def test_the_admin_dialog_lists_grants_and_changes_them_as_postgresql_allows(store, qgis_iface):
    from plugin.gui.access_dialog import AccessDialog
    dialog = AccessDialog(qgis_iface, as_login(store, "adm"))
    assert sorted(dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())) == [
        "adm", "ed93", "ed93j", "idf", "op93"]
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "idf")
    assert dialog.table.item(row, 2).text() == "Île-de-France : 75, 77, 78, 91, 92, 93, 94, 95"
    dialog.table.selectRow(row)
    assert dialog.loginEdit.text() == "idf" and dialog.roleCombo.currentData() == "reader"
    dialog.regionCombo.setCurrentIndex(0)
    dialog.departementsEdit.setText("13")
    assert dialog.grant()
    assert {r[0] for r in rows(store, "idf", "SELECT uuid FROM sites_restricted")} == {SITE_13}
    # an editor opening the dialog sees only itself and cannot grant
    editor = AccessDialog(qgis_iface, as_login(store, "ed93"))
    assert editor.table.rowCount() == 1
    editor.loginEdit.setText("ed93")
    editor.nationalCheck.setChecked(True)
    assert not editor.grant()
    assert "refusé" in editor.statusLabel.text()


def test_the_server_refusal_of_a_push_is_shown_by_synchronise_in_qgis(store, qgis_iface, tmp_path):
    from gui_helpers import recording_message_bar
    from plugin.gui.sync_actions import SyncManager
    from plugin.sync import checkout
    from sync_helpers import add_site, local
    recording_message_bar(qgis_iface)
    copy = checkout(as_login(store, "ed93"), str(tmp_path / "ed93.gpkg"), ["93"], "ed93")
    with local(copy) as connection:
        add_site(connection, "Campement du canal", departement="75", insee="75119")
        connection.commit()
    manager = SyncManager(qgis_iface)
    manager.create()
    # the task runs in the test's thread: after the tests/qgis suite, QGIS aborts when this one runs in its pool
    manager.tasks.launch = lambda task: (task.run(), task.taskTerminated.emit())
    try:
        assert manager.synchronise(copy).failure() is not None
    finally:
        manager.remove()
    shown = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical)
    assert any("Campement du canal" in text and "refusé" in text for text in shown), shown
    assert rows(store, None, "SELECT count(*) FROM sites WHERE name = 'Campement du canal'") == [(0,)]
