"""Issue 3 figures: the Sites dock over 10,000 sites, and rendering 100,000 sites with the default style.

Yardsticks in the same run, on the same layer:
- opening the dock: QGIS's own attribute table model (QgsVectorLayerCache + QgsAttributeTableModel) loading it;
- a filter keystroke: QGIS evaluating the same search as an expression (`"name" ILIKE '%…%' OR …`);
- saving an edit: the same change committed without the plugin's validation (changeAttributeValue + commitChanges);
- rendering: the same layer under QGIS's default single-symbol style (QgsMapRendererSequentialJob, full extent).
  The default is the map as the plugin makes it (labels on their own layer, TZ read once); the variants
  show the time with TZ unset and with the labels on the Sites layer (docs/benchmarks.md).

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_docks.py [--sites 10000] [--render-sites 100000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qgis.core import (QgsApplication, QgsFeatureRequest, QgsMapRendererSequentialJob,  # noqa: E402
                       QgsMapSettings, QgsProject, QgsSingleSymbolRenderer, QgsSymbol,
                       QgsVectorLayerCache)
from qgis.gui import QgsAttributeTableModel, QgsMapCanvas  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtWidgets import QMainWindow  # noqa: E402
from timing import median_time  # noqa: E402

SEARCHES = ("b", "bo", "bob", "bobi", "")


class Interface:
    """The part of QgisInterface the docks call, on a real main window."""

    def __init__(self):
        self.window = QMainWindow()
        self.canvas = QgsMapCanvas(self.window)

    def mainWindow(self):  # noqa: N802 (QGIS API)
        return self.window

    def mapCanvas(self):  # noqa: N802
        return self.canvas




def bench_dock(path: str, repeat: int):
    from plugin.gui.sites_dock import SitesDock
    from plugin.layers import commune_functions, edits, loader
    from plugin.store import open_store
    commune_functions.register()
    project = QgsProject.instance()
    project.clear()
    layer = loader.load_store(open_store(path), project)["sites"]
    iface = Interface()
    layer.featureCount()

    def open_dock():
        dock = SitesDock(iface)
        dock.set_layer(layer)
        dock.remove()
        dock.deleteLater()

    def attribute_table():
        cache = QgsVectorLayerCache(layer, 10000)
        model = QgsAttributeTableModel(cache)
        model.loadLayer()

    open_dock()
    dock_open, table_open = median_time(open_dock, repeat), median_time(attribute_table, repeat)

    dock = SitesDock(iface)
    dock.set_layer(layer)
    dock.status_combo.setCurrentIndex(dock.status_combo.findData("all"))
    keystrokes = []
    for _ in range(repeat):
        for text in SEARCHES:
            started = time.perf_counter()
            dock.search.setText(text)
            keystrokes.append(time.perf_counter() - started)
    expressions = []
    for _ in range(repeat):
        for text in SEARCHES:
            pattern = "'%%%s%%'" % text
            request = QgsFeatureRequest().setFilterExpression(" OR ".join(
                '"%s" ILIKE %s' % (f, pattern) for f in ("name", "address", "city_name", "insee_code"))).setFlags(
                QgsFeatureRequest.Flag.NoGeometry)
            started = time.perf_counter()
            sum(1 for _ in layer.getFeatures(request))
            expressions.append(time.perf_counter() - started)

    fids = [f.id() for f in layer.getFeatures(QgsFeatureRequest().setLimit(repeat * 2).setNoAttributes())]
    saves, plain_saves = [], []
    index = layer.fields().indexOf("comments")
    for number in range(repeat):
        edits.confirm_unchanged(layer, [fids[number]])
        started = time.perf_counter()
        assert edits.save(layer) == []
        saves.append(time.perf_counter() - started)
        layer.startEditing()
        layer.changeAttributeValue(fids[repeat + number], index, "bench %d" % number)
        started = time.perf_counter()
        assert layer.commitChanges(False), layer.commitErrors()
        plain_saves.append(time.perf_counter() - started)
    layer.commitChanges()
    dock.remove()
    return (dock_open, table_open, statistics.median(keystrokes), max(keystrokes), statistics.median(expressions),
            statistics.median(saves), statistics.median(plain_saves))


def bench_render(path: str, repeat: int):
    """Medians of `repeat` rounds; each round renders every variant once, so a load spike hits them all.

    "default": the map as the plugin loads it (the Sites layer with its default style, under its labels
    layer, which its scale range hides at full extent), the time zone read once as the plugin sets it.
    The other variants show what each choice saves."""
    from plugin.layers import loader, local_time, styles
    from plugin.store import open_store
    project = QgsProject.instance()
    project.clear()
    layer = loader.load_store(open_store(path), project)["sites"]
    labels = next(candidate for candidate in project.mapLayers().values()
                  if candidate.customProperty(styles.LABELS_OF_PROPERTY) == "sites")
    settings = QgsMapSettings()
    settings.setOutputSize(QSize(1600, 1000))
    settings.setDestinationCrs(project.crs())
    settings.setLayers([layer])
    settings.setExtent(settings.fullExtent())
    default_style = layer.renderer().clone()
    single_symbol = QgsSingleSymbolRenderer(QgsSymbol.defaultSymbol(layer.geometryType()))
    labelling = labels.labeling().clone()
    # name: (renderer of Sites, labels on the Sites layer itself, zone read once)
    variants = {
        "default": (default_style, False, True),
        "default_zone_unset": (default_style, False, False),
        "labels_on_sites": (default_style, True, True),
        "single_symbol": (single_symbol, False, True),
    }

    def render(name):
        renderer, labels_on_sites, zone_once = variants[name]
        layer.setRenderer(renderer.clone())
        layer.setLabeling(labelling.clone())
        layer.setLabelsEnabled(labels_on_sites)
        settings.setLayers([layer] if name == "single_symbol" else [labels, layer])
        zone_set = local_time.read_zone_once() if zone_once else False
        job = QgsMapRendererSequentialJob(settings)
        started = time.perf_counter()
        job.start()
        job.waitForFinished()
        elapsed = time.perf_counter() - started
        local_time.restore(zone_set)
        return elapsed

    for name in variants:
        render(name)
    times = {name: [] for name in variants}
    for _ in range(repeat):
        for name in variants:
            times[name].append(render(name))
    return {name: statistics.median(values) for name, values in times.items()}, layer.featureCount()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--render-sites", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    load_before = " ".join("%.2f" % v for v in os.getloadavg())
    app = QgsApplication([], True)
    app.initQgis()
    from plugin.demo.generator import generate
    from plugin.store import create_store
    with tempfile.TemporaryDirectory() as folder:
        small = str(Path(folder) / "dock.gpkg")
        generate(create_store(small), sites=arguments.sites, seed=7)
        (dock_open, table_open, keystroke, keystroke_max, expression, save, plain_save) = bench_dock(
            small, arguments.repeat)
        large = str(Path(folder) / "render.gpkg")
        generate(create_store(large), sites=arguments.render_sites, seed=7)
        rendering, count = bench_render(large, arguments.repeat)
    print("| figure | Résorption SIG | yardstick (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print("| open the Sites dock, %d sites | %.0f ms | %.0f ms (QGIS attribute table model) | %.2f× | ≤ 300 ms |"
          % (arguments.sites, dock_open * 1000, table_open * 1000, dock_open / table_open))
    print("| a filter keystroke (search box), median / worst | %.1f ms / %.1f ms | %.1f ms (same search as a "
          "QGIS expression) | %.2f× | ≤ 100 ms |" % (keystroke * 1000, keystroke_max * 1000, expression * 1000,
                                                      keystroke / expression))
    print("| save an edit (validation + commit) | %.1f ms | %.1f ms (commit without validation) | %.2f× | ≤ 100 ms |"
          % (save * 1000, plain_save * 1000, save / plain_save))
    plain = rendering["single_symbol"]
    print("| render %d sites, full extent, 1600×1000 px, default style (as loaded by the plugin) | %.0f ms | "
          "%.0f ms (QGIS default single symbol) | %.2f× | ≤ 1 s |" % (
              count, rendering["default"] * 1000, plain * 1000, rendering["default"] / plain))
    for name, text in (("default_zone_unset", "same, TZ left unset (the plugin sets it on Linux)"),
                       ("labels_on_sites", "same, labels on the Sites layer instead of their own layer")):
        print("| %s | %.0f ms | %.0f ms | %.2f× | |" % (text, rendering[name] * 1000, plain * 1000,
                                                       rendering[name] / plain))
    print("load average before / after: %s / %s" % (load_before, " ".join("%.2f" % v for v in os.getloadavg())))


if __name__ == "__main__":
    main()
