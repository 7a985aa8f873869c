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


@pytest.fixture
def as_version_1():
    """Turns a GeoPackage store (standalone, shared or working copy) into what schema 1 files look like:
    the same, without the table version 2 added."""
    import contextlib
    from plugin.model import schema
    from plugin.store import gpkg
    added = "site_closing_outcomes"

    def downgrade(path):
        with contextlib.closing(gpkg.connect(str(path))) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for name in (added, schema.history_of(added), "rs_base_" + added, "rs_outbox_" + added):
                if name in tables:
                    connection.execute('DROP TABLE "%s"' % name)
            connection.execute("DELETE FROM gpkg_contents WHERE table_name IN (?, ?)",
                               (added, schema.history_of(added)))
            if "rs_history_cursors" in tables:
                connection.execute("DELETE FROM rs_history_cursors WHERE table_name = ?", (added,))
            connection.execute("UPDATE rs_meta SET value = '1' WHERE key = 'schema_version'")
    return downgrade
