"""Tables declared once: their docks come from the declaration and share one tabbed area, however many."""
from dataclasses import replace

from plugin.gui.dock_manager import DockManager
from plugin.model import schema


def test_every_declared_dock_is_created_and_all_share_one_tabbed_area(iface, qgis_new_project, monkeypatch):
    # A third table with a dock of its own (the terrains' dock class stands in for a new one).
    docked = tuple(replace(t, dock="terrains_dock.TerrainsDock") if t.name == "actions" else t
                   for t in schema.TABLES)
    monkeypatch.setattr(schema, "TABLES", docked)
    manager = DockManager(iface)
    manager.create()
    try:
        assert [dock.table_name for dock in manager.docks] == ["sites", "insertion_sites", "insertion_sites",
                                                               "services"]
        tabbed = iface.mainWindow().tabifiedDockWidgets(manager.docks[0])
        assert all(dock in tabbed for dock in manager.docks[1:])
    finally:
        manager.remove()
