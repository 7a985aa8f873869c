"""Issue 2 figures inside QGIS: initGui ≤ 150 ms; opening a 100,000-site store (layers, forms, styles) ≤ 2 s.

initGui is timed in the real QGIS desktop (under Xvfb when there is no
display), the plugin installed from its zip, over the install test's ten
load/unload cycles. Yardstick for opening, in the same run: the same tables
added as plain layers with no configuration.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_qgis_open.py [--sites 100000]
"""
import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "qgis"))

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer  # noqa: E402
from timing import median_time  # noqa: E402




def bench_init_gui(folder: Path) -> float:
    """Median start (classFactory + initGui) over the ten load/unload cycles of the install test's script."""
    from desktop import install_profile, run_qgis
    install_profile(folder / "qgis")
    out = folder / "cycle.json"
    run_qgis(folder / "qgis", REPO / "tests" / "qgis" / "scripts" / "plugin_cycle.py",
             {"RESORPTION_CYCLE_OUT": str(out)})
    return statistics.median(json.loads(out.read_text(encoding="utf-8"))["start_seconds"])


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

    return median_time(configured, repeat), median_time(plain, repeat)


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
        init_gui = bench_init_gui(Path(folder))
        opened, plain = bench_open(path, arguments.repeat)
        QgsProject.instance().clear()
    print("| figure | Résorption SIG | yardstick | ratio | target |")
    print("|---|---|---|---|---|")
    print("| start in the real QGIS: classFactory + initGui (median of 10) | %.0f ms | | | ≤ 150 ms |"
          % (init_gui * 1000))
    print("| open a %d-site store (13 layers, forms, styles, relations) | %.0f ms | %.0f ms (13 plain layers) "
          "| %.1f× | ≤ 2 s |" % (arguments.sites, opened * 1000, plain * 1000, opened / plain))


if __name__ == "__main__":
    main()
