"""In QGIS: "Nouveau stockage…" creates the schema on one of QGIS's PostgreSQL connections, "Créer une copie de
travail…" copies from it and "Synchroniser" syncs through it; the officer's password, kept in QGIS's
authentication database, ends up in no project, no setting, no working copy and no log."""
import contextlib
import logging
import zipfile

import psycopg2
import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings

from qgis_profile import (CONNECTION, MASTER_PASSWORD, OFFICER, OFFICER_PASSWORD, add_connection, officer_database,
                          remove_connection, require_password)
from sync_helpers import local
from gui_helpers import recording_message_bar, wait_for

pytestmark = pytest.mark.postgis
SECRETS = (OFFICER_PASSWORD, MASTER_PASSWORD)


@pytest.fixture
def gui_iface(qgis_iface, qgis_new_project):
    from plugin.layers import commune_functions, editing_session, pg_connections
    from plugin.store import use_qgis_connections
    recording_message_bar(qgis_iface)
    commune_functions.register()
    pg_connections.register()
    editing_session.start()
    yield qgis_iface
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    editing_session.stop()
    commune_functions.unregister()
    use_qgis_connections(None)


@pytest.fixture
def connection(cluster):
    """A QGIS connection to a new database owned by a role that logs in with its password, kept in an
    authentication configuration; removed afterwards."""
    require_password(cluster)
    database = "officer_gui_%d" % next(cluster.names)
    officer_database(cluster, database)
    authcfg = add_connection(cluster, database)
    yield database
    remove_connection(CONNECTION, authcfg)


def test_new_store_checkout_and_sync_through_a_qgis_connection(cluster, connection, gui_iface, tmp_path, caplog):
    from plugin.gui.postgres_store_dialog import NewStoreDialog
    from plugin.gui.sync_actions import CheckoutDialog, SyncManager
    from plugin.gui.tasks import TaskKeeper
    caplog.set_level(logging.DEBUG)
    qgis_log = []
    QgsApplication.messageLog().messageReceived.connect(lambda text, *args: qgis_log.append(text))

    # --- "Nouveau stockage…" → "Base PostgreSQL (connexion QGIS)" → "Créer le schéma"
    dialog = NewStoreDialog(gui_iface)
    assert CONNECTION in [dialog.connection.combo.itemText(i) for i in range(dialog.connection.combo.count())]
    dialog.connection.select(CONNECTION)
    assert dialog.buttonBox.button(dialog.buttonBox.StandardButton.Ok).text() == "Créer le schéma"
    wait_for(dialog.start(), 60)
    assert dialog.created is not None, dialog.problemLabel.text()
    assert cluster.sql("SELECT count(*) FROM indicator_definitions", connection)[0][0] > 0
    with contextlib.closing(psycopg2.connect(cluster.uri(connection))) as server, server, server.cursor() as cursor:
        cursor.execute("INSERT INTO sites (name, departement, insee_code, population_total, geom) VALUES "
                       "('Les Prés', '93', '93066', 40, ST_SetSRID(ST_MakePoint(2.36, 48.9), 4326))")
    again = NewStoreDialog(gui_iface)
    again.connection.select(CONNECTION)
    wait_for(again.start(), 60)
    assert again.created is None and "contient déjà un stockage" in again.problemLabel.text()

    # --- "Créer une copie de travail…" from the connection
    copy = str(tmp_path / "copie.gpkg")
    checkout = CheckoutDialog(gui_iface, TaskKeeper())
    checkout.connection.select(CONNECTION)
    checkout.departementsEdit.setText("93")
    checkout.destinationWidget.setFilePath(copy)
    task = checkout.start()
    wait_for(task, 60)
    assert task.failure() is None, task.failure()
    with local(copy) as database:
        assert database.execute('SELECT "shared" FROM "rs_sync_state"').fetchone()[0] == "qgis:" + CONNECTION
        database.execute("UPDATE sites SET population_total = 44")

    # --- "Synchroniser"
    manager = SyncManager(gui_iface)
    manager.create()
    try:
        task = manager.synchronise(copy)
        wait_for(task, 60)
        assert task.failure() is None, task.failure()
    finally:
        manager.remove()
    assert cluster.sql("SELECT population_total FROM sites", connection) == [(44,)]
    assert cluster.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'sites'", connection) == [(OFFICER,)]

    # --- "Ouvrir une base PostgreSQL (en ligne)…": the shared store itself, edited online
    from plugin.gui.store_actions import StoreActions
    assert StoreActions(gui_iface).open_connection(CONNECTION).location == "qgis:" + CONNECTION
    online = next(layer for layer in QgsProject.instance().mapLayersByName("Sites")
                  if layer.providerType() == "postgres")
    assert online.featureCount() == 1
    assert online.startEditing()
    online.changeAttributeValue(next(online.getFeatures()).id(), online.fields().indexOf("population_total"), 45)
    assert online.commitChanges(), online.commitErrors()
    assert cluster.sql("SELECT population_total FROM sites", connection) == [(45,)]

    # --- the password is nowhere: project (.qgs and .qgz), QGIS settings, working copy, logs
    project = QgsProject.instance()
    assert project.mapLayers(), "the working copy's layers are in the project"
    assert project.write(str(tmp_path / "projet.qgs")) and project.write(str(tmp_path / "projet.qgz"))
    written = [(tmp_path / "projet.qgs").read_bytes(), open(copy, "rb").read(),
               open(QgsSettings().fileName(), "rb").read()]
    with zipfile.ZipFile(tmp_path / "projet.qgz") as archive:
        written += [archive.read(name) for name in archive.namelist()]
    for content in written:
        assert not any(secret.encode() in content for secret in SECRETS)
    logged = caplog.text + "\n".join(qgis_log)
    assert not any(secret in logged for secret in SECRETS)
