"""Opening a working copy made by the previous version: the plugin offers the upgrade, lists what it adds,
and opens the upgraded copy with its new layer."""
from qgis.PyQt.QtWidgets import QMessageBox

from plugin.gui.store_actions import StoreActions
from plugin.layers import loader
from plugin.model import schema
from plugin.store import create_store, open_store
from plugin.sync import checkout


def test_an_old_working_copy_is_upgraded_when_the_user_agrees(iface, qgis_new_project, tmp_path, monkeypatch,
                                                                as_version_1):
    shared = create_store(str(tmp_path / "shared.gpkg")).location
    copy = checkout(shared, str(tmp_path / "copy.gpkg"), ["93"], "martin")
    as_version_1(copy)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *args: asked.append(text) or (
        QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes))
    actions = StoreActions(iface)
    assert actions.open_store(copy) is None  # declined: nothing changed
    assert "• table site_closing_outcomes" in asked[0]
    store = actions.open_store(copy)
    assert store.version == schema.SCHEMA_VERSION and open_store(copy).role == "working_copy"
    layers = loader.store_layers()[store.location]
    assert layers["site_closing_outcomes"].isValid()
