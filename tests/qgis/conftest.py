"""QGIS test fixtures: the plugin started on pytest-qgis's interface, stores opened in the project."""
import gc
import sys
from pathlib import Path

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QMenu

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))  # platform_fixture


@pytest.fixture(scope="session", autouse=True)
def release_ogr_handles(qgis_app):
    """OGR handles (the communes reference, layers tests still hold) must go before QGIS shuts GDAL down."""
    yield
    from plugin.store import communes
    communes.close()
    QgsProject.instance().removeAllMapLayers()
    gc.collect()


@pytest.fixture
def iface(qgis_iface):
    """pytest-qgis's interface, completed with what the plugin calls on QGIS's real one."""
    window = qgis_iface.mainWindow()
    if not hasattr(qgis_iface, "firstRightStandardMenu"):
        help_menu = QMenu("Aide", window)
        window.menuBar().addMenu(help_menu)
        qgis_iface.firstRightStandardMenu = lambda: help_menu
        qgis_iface.removeDockWidget = lambda dock: window.removeDockWidget(dock)
        qgis_iface.addDockWidget = lambda area, dock: window.addDockWidget(area, dock)
    if not hasattr(qgis_iface, "openLayoutDesigners"):
        qgis_iface.openLayoutDesigners = lambda: []
    return qgis_iface


@pytest.fixture
def plugin(iface):
    from plugin.main import ResorptionPlugin
    instance = ResorptionPlugin(iface)
    instance.initGui()
    yield instance
    instance.unload()


@pytest.fixture
def opened_store(new_store, qgis_new_project):
    """A new store whose layers are in the project: (store, {table: layer})."""
    from plugin.layers import commune_functions, editing_session, loader
    commune_functions.register()
    editing_session.start()
    layers = loader.load_store(new_store, QgsProject.instance())
    yield new_store, layers
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    editing_session.stop()
    commune_functions.unregister()
