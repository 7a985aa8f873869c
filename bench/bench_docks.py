"""Issue 3 figures: the Sites dock over 10,000 sites, and rendering 100,000 sites with the default style.

Yardsticks in the same run, on the same layer:
- opening the dock: QGIS's own attribute table model (QgsVectorLayerCache + QgsAttributeTableModel) loading it;
- a filter keystroke: QGIS evaluating the same search as an expression (`"name" ILIKE '%…%' OR …`);
- saving an edit: the same change committed without the plugin's validation (changeAttributeValue + commitChanges);
- rendering: the same layer under QGIS's default single-symbol style (QgsMapRendererSequentialJob, full extent).

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_docks.py [--sites 10000] [--render-sites 100000]
"""
import argparse
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
from qgis.PyQt.QtCore import QDate, QSize, Qt  # noqa: E402
from qgis.PyQt.QtWidgets import QMainWindow  # noqa: E402

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


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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
    dock_open, table_open = timed(open_dock, repeat), timed(attribute_table, repeat)

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
                QgsFeatureRequest.NoGeometry)
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
    from plugin.layers import loader
    from plugin.store import open_store
    project = QgsProject.instance()
    project.clear()
    layer = loader.load_store(open_store(path), project)["sites"]
    settings = QgsMapSettings()
    settings.setOutputSize(QSize(1600, 1000))
    settings.setDestinationCrs(project.crs())
    settings.setLayers([layer])
    settings.setExtent(settings.fullExtent())

    def render():
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()

    render()
    styled = timed(render, repeat)
    default_style = layer.renderer().clone()
    # The proposal of the report: the out-of-date rule compares with a literal cutoff date
    # (written into the style when it is applied) instead of now() - to_interval(...) per feature.
    literal = default_style.clone()
    cutoff = QDate.currentDate().addMonths(-6).toString(Qt.DateFormat.ISODate)
    for rule in literal.rootRule().children():
        if "now()" in rule.filterExpression():
            rule.setFilterExpression("\"status\" = 'open' AND \"updated_at\" < '%s' AND "
                                     "coalesce(\"confirmed_at\", \"updated_at\") < '%s'" % (cutoff, cutoff))
    layer.setRenderer(literal)
    render()
    proposed = timed(render, repeat)
    from plugin.layers.site_styles import apply_dated_style
    apply_dated_style(layer, "sites_categorized", 6)
    render()
    categorized = timed(render, repeat)
    layer.setRenderer(QgsSingleSymbolRenderer(QgsSymbol.defaultSymbol(layer.geometryType())))
    layer.setLabelsEnabled(False)
    render()
    plain = timed(render, repeat)
    layer.setRenderer(default_style)
    return styled, proposed, categorized, plain, layer.featureCount()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--render-sites", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
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
        styled, proposed, categorized, plain, count = bench_render(large, arguments.repeat)
    print("| figure | Résorption SIG | yardstick (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print("| open the Sites dock, %d sites | %.0f ms | %.0f ms (QGIS attribute table model) | %.2f× | ≤ 300 ms |"
          % (arguments.sites, dock_open * 1000, table_open * 1000, dock_open / table_open))
    print("| a filter keystroke (search box), median / worst | %.1f ms / %.1f ms | %.1f ms (same search as a "
          "QGIS expression) | %.2f× | ≤ 100 ms |" % (keystroke * 1000, keystroke_max * 1000, expression * 1000,
                                                      keystroke / expression))
    print("| save an edit (validation + commit) | %.1f ms | %.1f ms (commit without validation) | %.2f× | ≤ 100 ms |"
          % (save * 1000, plain_save * 1000, save / plain_save))
    print("| render %d sites, full extent, 1600×1000 px | %.0f ms | %.0f ms (default single symbol) | %.2f× | ≤ 1 s |"
          % (count, styled * 1000, plain * 1000, styled / plain))
    print("| same, out-of-date rule with a literal cutoff (proposed) | %.0f ms | %.0f ms | %.2f× | ≤ 1 s |"
          % (proposed * 1000, plain * 1000, proposed / plain))
    print("| same look, categorized on one expression (sites_categorized.qml, the dock's default) | %.0f ms | %.0f ms "
          "| %.2f× | ≤ 1 s |" % (categorized * 1000, plain * 1000, categorized / plain))


if __name__ == "__main__":
    main()
