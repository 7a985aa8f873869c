"""Shared fixtures: paths, the shared communes, fresh stores."""
import platform
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))


def pytest_report_header(config):
    lines = ["python %s" % platform.python_version()]
    try:
        from osgeo import gdal
        lines.append("GDAL %s" % gdal.__version__)
    except ImportError:
        pass
    if config.pluginmanager.hasplugin("pytest_qgis"):
        from qgis.core import Qgis
        from qgis.PyQt.QtCore import QT_VERSION_STR
        lines.append("QGIS %s, Qt %s" % (Qgis.QGIS_VERSION, QT_VERSION_STR))
    return lines


@pytest.fixture(scope="session")
def shared_communes() -> Path:
    path = SHARED_DATA / "communes.gpkg"
    assert path.is_file(), "the shared communes are missing: %s" % path
    return path


@pytest.fixture
def new_store(tmp_path):
    """An empty GeoPackage store in a temporary folder."""
    from plugin.store import create_store
    return create_store(str(tmp_path / "store.gpkg"))
