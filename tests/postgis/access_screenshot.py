"""The access-rights dialog as an administrator sees it, for docs/img/droits_acces.png:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/postgis/access_screenshot.py docs/img/droits_acces.png

Starts the tests' throwaway cluster, the five logins of the access tests, opens the dialog as the admin.
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "postgis"), str(REPO / "tests" / "unit")]

from qgis.core import QgsApplication  # noqa: E402
from qgis.PyQt.QtCore import QCoreApplication, QSettings  # noqa: E402

from access_helpers import as_login, create_logins, grant_all, seed  # noqa: E402
from conftest import Cluster  # noqa: E402


class Iface:
    @staticmethod
    def mainWindow():  # noqa: N802 (QGIS API)
        return None


def main(target: str) -> None:
    application = QgsApplication([], True)
    application.initQgis()
    QSettings().setValue("locale/userLocale", "fr_FR")
    cluster = Cluster()
    try:
        cluster.sql("CREATE DATABASE recensement")
        from plugin.store import create_store
        uri = cluster.uri("recensement")
        create_store(uri)
        create_logins(cluster)
        seed(uri)
        grant_all(uri)
        from plugin.gui.access_dialog import AccessDialog
        dialog = AccessDialog(Iface(), as_login(uri, "adm"))
        dialog.table.selectRow(2)
        dialog.show()
        for _ in range(20):
            QCoreApplication.processEvents()
        dialog.grab().save(target)
    finally:
        cluster.remove()
    application.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1])
