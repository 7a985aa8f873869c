"""Issue 2 figures inside QGIS: initGui ≤ 150 ms; opening a 100,000-site store (layers, forms, styles) ≤ 2 s.

Yardsticks in the same run: for initGui, QGIS adding one plain action to a
toolbar and a menu (the least a plugin does); for opening, the same tables
added as plain layers with no configuration.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_qgis_open.py [--sites 100000]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer  # noqa: E402
from qgis.gui import QgsMapCanvas  # noqa: E402
from qgis.PyQt.QtWidgets import QAction, QMainWindow, QMenu  # noqa: E402


def timed(function, repeat: int):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Interface:
    """The part of QgisInterface the plugin calls, on a real main window."""

    def __init__(self):
        self.window = QMainWindow()
        self.help_menu = self.window.menuBar().addMenu("Aide")
        self.canvas = QgsMapCanvas(self.window)

    def mainWindow(self):  # noqa: N802 (QGIS API)
        return self.window

    def firstRightStandardMenu(self):  # noqa: N802
        return self.help_menu

    def addToolBar(self, name):  # noqa: N802
        return self.window.addToolBar(name)

    def removeToolBarIcon(self, action):  # noqa: N802
        pass

    def mapCanvas(self):  # noqa: N802
        return self.canvas


def bench_init_gui(repeat: int):
    from plugin.main import ResorptionPlugin
    iface = Interface()

    def plugin_cycle():
        plugin = ResorptionPlugin(iface)
        started = time.perf_counter()
        plugin.initGui()
        init_times.append(time.perf_counter() - started)
        plugin.unload()

    def minimal_cycle():
        toolbar = iface.window.addToolBar("x")
        menu = QMenu("x", iface.window)
        action = QAction("x", iface.window)
        toolbar.addAction(action)
        menu.addAction(action)
        iface.window.menuBar().insertMenu(iface.help_menu.menuAction(), menu)
        iface.window.removeToolBar(toolbar)
        iface.window.menuBar().removeAction(menu.menuAction())

    init_times = []
    plugin_cycle()  # imports once, as QGIS does at start-up
    init_times.clear()
    cycle = timed(plugin_cycle, repeat)
    return statistics.median(init_times), cycle, timed(minimal_cycle, repeat)


def bench_open(store_path: str, repeat: int):
    from plugin.layers import commune_functions, loader
    from plugin.model import schema
    from plugin.store import open_store
    commune_functions.register()
    store = open_store(store_path)
    project = QgsProject.instance()

    def configured():
        project.clear()
        layers = loader.load_store(open_store(store_path), project)
        layers["sites"].featureCount()

    def plain():
        project.clear()
        layers = [QgsVectorLayer(store.layer_source(t.name), t.name, "ogr") for t in schema.TABLES]
        project.addMapLayers(layers)
        layers[0].featureCount()

    return timed(configured, repeat), timed(plain, repeat)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    app = QgsApplication([], True)
    app.initQgis()
    from plugin.demo.generator import generate
    from plugin.store import create_store
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.gpkg")
        generate(create_store(path), sites=arguments.sites, seed=7)
        init_gui, cycle, minimal = bench_init_gui(arguments.repeat)
        opened, plain = bench_open(path, arguments.repeat)
    print("| figure | Résorption SIG | yardstick | ratio | target |")
    print("|---|---|---|---|---|")
    print("| initGui | %.1f ms | %.2f ms (one action in a toolbar and a menu) | %.0f× | ≤ 150 ms |"
          % (init_gui * 1000, minimal * 1000, init_gui / minimal))
    print("| initGui + unload | %.1f ms | | | |" % (cycle * 1000))
    print("| open a %d-site store (13 layers, forms, styles, relations) | %.0f ms | %.0f ms (13 plain layers) "
          "| %.1f× | ≤ 2 s |" % (arguments.sites, opened * 1000, plain * 1000, opened / plain))


if __name__ == "__main__":
    main()
