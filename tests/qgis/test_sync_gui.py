"""The sync actions: a working copy made from the dialog opens in the project; "Synchroniser" sends and
receives through a QgsTask, says how many, reloads the layers, keeps its badge of changes to send,
refuses while a layer has unsaved edits; a conflict is listed and resolved in the conflicts dialog."""
import contextlib

import pytest
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton

from plugin.demo.generator import generate
from plugin.gui.sync_actions import SyncManager
from plugin.layers import loader
from plugin.store import create_store, gpkg
from plugin.sync import MINE, WorkingCopy, checkout, synchronise
from gui_helpers import recording_message_bar, wait_for



@pytest.fixture
def bar_iface(iface):
    return recording_message_bar(iface)


@pytest.fixture
def manager(bar_iface, qgis_new_project):
    from plugin.layers import commune_functions, editing_session
    commune_functions.register()
    editing_session.start()
    created = SyncManager(bar_iface)
    created.create()
    yield created
    created.remove()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    editing_session.stop()
    commune_functions.unregister()


@pytest.fixture
def shared(tmp_path):
    store = create_store(str(tmp_path / "shared.gpkg"))
    generate(store, departement="93", seed=1)
    return store.location


def site_name(location, uuid):
    with contextlib.closing(gpkg.connect(location)) as connection:
        return connection.execute('SELECT "name" FROM "sites" WHERE "uuid" = ?', (uuid,)).fetchone()[0]


def rename_outside(location, uuid, name):
    """An edit made to a copy by plain SQL (captured by the copy's triggers)."""
    with contextlib.closing(gpkg.connect(location)) as connection:
        connection.execute('UPDATE "sites" SET "name" = ? WHERE "uuid" = ?', (name, uuid))


def layer_name(layer, uuid):
    return next(layer.getFeatures("\"uuid\" = '%s'" % uuid))["name"]


def rename_in_layer(layer, uuid, name, commit=True):
    feature = next(layer.getFeatures("\"uuid\" = '%s'" % uuid))
    layer.startEditing()
    assert layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), name)
    if commit:
        assert layer.commitChanges(), layer.commitErrors()


def messages(iface, level):
    return iface.messageBar().get_messages(level)


def test_checkout_sync_badge_refusal_and_conflict(manager, bar_iface, shared, tmp_path, monkeypatch):
    # --- "Créer une copie de travail…": invalid then valid input, the task, the copy opened
    dialog = manager.show_checkout()
    dialog.sharedWidget.setFilePath(shared)
    dialog.departementsEdit.setText("93, nord")
    dialog.destinationWidget.setFilePath(str(tmp_path / "mine.gpkg"))
    assert dialog.start() is None
    assert "département" in dialog.problemLabel.text()
    dialog.departementsEdit.setText(" 93 ")
    task = dialog.start()
    wait_for(task)
    mine = str(tmp_path / "mine.gpkg")
    layers = loader.store_layers(QgsProject.instance())[mine]
    sites = layers["sites"]
    assert sites.featureCount() > 0
    assert not dialog.isVisible()
    assert manager.sync_action.text() == "Synchroniser"

    other = checkout(shared, str(tmp_path / "other.gpkg"), ["93"], "dupont")
    first, second, third = [f["uuid"] for f in sites.getFeatures()][:3]
    count = sites.featureCount()

    # --- badge after a commit of a layer of the copy
    rename_in_layer(sites, second, "Nom local")
    assert manager.sync_action.text() == "Synchroniser (1)"

    # --- a change from the other copy arrives; refusal while a layer has unsaved edits
    rename_outside(other, first, "Nom de l'autre copie")
    with contextlib.closing(gpkg.connect(other)) as connection:
        connection.execute('DELETE FROM "sites" WHERE "uuid" = ?', (third,))
    synchronise(other, "dupont")
    rename_in_layer(sites, second, "Pas encore enregistré", commit=False)
    assert manager.synchronise() is None
    assert any("refusée" in text and sites.name() in text for text in messages(bar_iface, Qgis.MessageLevel.Warning))
    assert site_name(mine, first) != "Nom de l'autre copie"
    assert manager.sync_action.text() == "Synchroniser (1)"
    sites.rollBack()

    # --- the sync: summary, layers reloaded and redrawn, badge cleared
    redrawn = []
    sites.repaintRequested.connect(lambda *args: redrawn.append(True))
    task = manager.synchronise()
    wait_for(task)
    assert any("2 reçu(s), 1 envoyé(s), 0 conflit(s)" in text
               for text in messages(bar_iface, Qgis.MessageLevel.Success))
    assert layer_name(sites, first) == "Nom de l'autre copie"
    assert sites.featureCount() == count - 1
    assert redrawn
    assert bar_iface.messageBar().widgets == [], "the progress bar is gone"
    assert manager.sync_action.text() == "Synchroniser"
    assert site_name(shared, second) == "Nom local"

    # --- a conflict: the same field changed on both sides
    rename_outside(other, first, "Leur nom")
    synchronise(other, "dupont")
    rename_in_layer(sites, first, "Mon nom")
    task = manager.synchronise()
    wait_for(task)
    assert any("0 envoyé(s), 1 conflit(s)" in text for text in messages(bar_iface, Qgis.MessageLevel.Warning))
    offer, level = bar_iface.messageBar().widgets[-1]
    assert level == Qgis.MessageLevel.Warning and "conflit" in offer.findChild(QPushButton).text()
    assert manager.sync_action.text() == "Synchroniser (1)"
    assert manager.sync_action.toolTip().endswith("(1 modification(s) à envoyer)")  # the toolbar shows the icon

    conflicts = manager.show_conflicts(mine)
    assert conflicts.featureList.count() == 1
    assert conflicts.featureList.item(0).text().startswith("Sites — Mon nom — ")  # named, not its uuid
    headers = [conflicts.fieldTable.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers == ["Ancêtre", "Mes valeurs", "Leurs valeurs", "Résultat"]
    row = [conflicts.fieldTable.verticalHeaderItem(r).text() for r in range(conflicts.fieldTable.rowCount())
           ].index("Appellation du site")
    assert conflicts.fieldTable.item(row, 0).text() == "Nom de l'autre copie"
    assert conflicts.fieldTable.item(row, 1).text() == "Mon nom"
    assert conflicts.fieldTable.item(row, 2).text() == "Leur nom"
    assert conflicts.highlight is not None

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    conflicts.choice_box(row).setCurrentIndex(conflicts.choice_box(row).findData(MINE))
    assert conflicts.apply_choices()
    with WorkingCopy(mine) as copy:
        assert copy.conflicts() == []
    assert conflicts.featureList.count() == 0
    assert conflicts.highlight is None

    task = manager.synchronise()
    wait_for(task)
    assert site_name(shared, first) == "Mon nom"
    assert manager.sync_action.text() == "Synchroniser"


def test_a_conflicts_sides_read_as_words_not_codes():
    from plugin.gui.sync_actions import conflict_value_text
    from plugin.sync import EXISTENCE
    assert [conflict_value_text("sites", EXISTENCE, side) for side in ("present", "deleted", "moved")] == [
        "présent", "supprimé", "sorti du territoire de la copie"]
    assert conflict_value_text("sites", "status", "closed_by_pref_admin") == \
        "Décision administrative de la Préfecture"
    assert conflict_value_text("sites", "closed_at", "2026-11-30") == "30/11/2026"
    assert conflict_value_text("sites", "name", None) == "(vide)"


def test_several_copies_ask_which_and_remove_undoes_everything(manager, bar_iface, shared, tmp_path, monkeypatch):
    from plugin.gui.store_actions import StoreActions
    from qgis.PyQt.QtWidgets import QInputDialog
    first = checkout(shared, str(tmp_path / "first.gpkg"), ["93"], "martin")
    second = checkout(shared, str(tmp_path / "second.gpkg"), ["93"], "dupont")
    for location in (first, second):
        StoreActions(bar_iface).open_store(location)
    rename_outside(second, next(iter(loader.store_layers(QgsProject.instance())[second]["sites"].getFeatures()))
                   ["uuid"], "Renommé")
    # an edit outside QGIS is counted at the next refresh of the badge (commit, sync)
    assert manager.update_badge() == 1
    assert manager.sync_action.text() == "Synchroniser (1)"

    offered = []
    monkeypatch.setattr(QInputDialog, "getItem",
                        lambda parent, title, label, items, *args: offered.append(items) or ("second", True))
    task = manager.synchronise()
    assert task.location == second
    assert offered == [["first", "second"]]
    wait_for(task)
    assert any("0 reçu(s), 1 envoyé(s), 0 conflit(s)" in text
               for text in messages(bar_iface, Qgis.MessageLevel.Success))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: ("", False))
    assert manager.synchronise() is None

    sites = loader.store_layers(QgsProject.instance())[first]["sites"]
    dialog = manager.show_checkout()
    manager.remove()
    assert manager.actions == [] and manager.sync_action is None
    assert not dialog.isVisible()
    assert manager.watched == {}
    rename_in_layer(sites, next(iter(sites.getFeatures()))["uuid"], "Après le retrait")  # nothing listens any more


def test_a_read_only_shared_store_is_told_not_reported_as_a_bug(qgis_app):
    """What the sync of a copy whose shared GeoPackage the user cannot write raises (issue 16)."""
    import sqlite3
    from plugin.gui.sync_actions import SyncTask

    def work(progress, cancelled):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    task = SyncTask("Synchronisation", work)
    assert not task.run()
    assert "lecture seule" in task.failure().message and "Erreur inattendue" not in task.failure().message
