"""Benchmark of the "Synthèse" dock (issue 4): its refresh after one saved edit, at 10,000 sites.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_synthesis.py /tmp/bench4/dock.gpkg \
        --sites 10000 --history-months 24 --edits 15

Creates the store with the demo generator when it does not exist, opens its layers in a
QGIS project, shows the dock, then saves --edits one-field edits (population of an open
site) through the sites layer, as an officer does. For each: the dock's refresh, started
by the layer's afterCommitChanges signal (figures on screen), and the whole save (edit
buffer → store → triggers → refresh). In the same run, the yardstick: the same figures
computed by QGIS itself, QgsVectorLayer.aggregate (one call per figure, with a filter
expression), on the same layer after the same edit. Then what the dock computes in the
background (comparison with a date a year back, 24-month series) and the refresh at a
past date. Prints a Markdown report (docs/benchmarks.md, section "Synthèse (issue 4, dock)").
"""
import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class Interface:
    """The little of QgisInterface the dock uses outside QGIS."""

    def __init__(self):
        from qgis.gui import QgsMapCanvas, QgsMessageBar
        self.canvas = QgsMapCanvas()
        self.bar = QgsMessageBar()

    def mapCanvas(self):  # noqa: N802 (QGIS API)
        return self.canvas

    def messageBar(self):  # noqa: N802 (QGIS API)
        return self.bar


def aggregate_figures(layer, months: int = 6):
    """The dock's figures over open sites now, by QgsVectorLayer.aggregate (the yardstick)."""
    from qgis.core import QgsAggregateCalculator
    count_of, sum_of = QgsAggregateCalculator.Aggregate.Count, QgsAggregateCalculator.Aggregate.Sum

    def run(kind, field, expression):
        parameters = QgsAggregateCalculator.AggregateParameters()
        parameters.filter = expression
        return layer.aggregate(kind, field, parameters)

    def count(field, expression):
        return run(count_of, field, expression)

    def total(field, expression):
        return run(sum_of, field, expression)

    opened = "\"status\" = 'open'"
    result = {"sites": count("fid", opened)[0]}
    for name in ("population_total", "population_couples", "population_minors", "minors_in_school"):
        result[name] = total(name, opened)[0]
        result["unknown_" + name] = count("fid", '%s AND "%s" IS NULL' % (opened, name))[0]
    result["sites_unknown_origin"] = count("fid", (
        "%s AND NOT (coalesce(\"origin_french\", 0) = 1 OR coalesce(\"origin_european\", 0) = 1 "
        "OR coalesce(\"origin_extra_eu\", 0) = 1)" % opened))[0]
    threshold = "to_datetime(format_date(now() - to_interval('%d months'), 'yyyy-MM-ddThh:mm:ss'))" % months
    result["sites_out_of_date"] = count("fid", (
        "%s AND NOT (coalesce(\"updated_at\" >= %s, false) OR coalesce(\"confirmed_at\" >= %s, false))"
        % (opened, threshold, threshold)))[0]
    result["sites_eu_only_10_plus"] = count("fid", (
        "%s AND \"population_total\" >= 10 AND coalesce(\"origin_european\", 0) = 1 AND "
        "coalesce(\"origin_french\", 0) <> 1 AND coalesce(\"origin_extra_eu\", 0) <> 1" % opened))[0]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    if not Path(arguments.store).exists():
        Path(arguments.store).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "plugin", "demo", arguments.store, "--sites", str(arguments.sites),
                        "--history-months", str(arguments.history_months), "--seed", str(arguments.seed)],
                       cwd=str(REPO), check=True)

    from qgis.core import QgsApplication, QgsFeatureRequest, QgsProject
    from qgis.PyQt.QtCore import QDate
    application = QgsApplication([], True)
    application.initQgis()
    from plugin.gui.synthesis_dock import SynthesisDock, SlowFiguresTask
    from plugin.layers import commune_functions, loader
    from plugin.store import open_store
    from plugin.store.sums_sql import connection_of

    store = open_store(arguments.store)
    with connection_of(store) as connection:
        counts = connection.execute("SELECT (SELECT count(*) FROM sites), (SELECT count(*) FROM sites_history), "
                                    "(SELECT count(*) FROM sites WHERE status = 'open')").fetchone()
    commune_functions.register()
    layers = loader.load_store(store, QgsProject.instance())
    sites = layers["sites"]
    dock = SynthesisDock(Interface())
    dock.show()
    dock.refresh()

    rng = random.Random(arguments.seed)
    request = QgsFeatureRequest().setFilterExpression("\"status\" = 'open'").setFlags(QgsFeatureRequest.Flag.NoGeometry)
    open_fids = [f.id() for f in sites.getFeatures(request)]
    people = sites.fields().indexOf("population_total")
    refresh_ms, save_ms, yardstick_ms = [], [], []
    for _ in range(arguments.edits):
        fid = rng.choice(open_fids)
        sites.startEditing()
        # One more or fewer person (never below the minors: the store's rules stay satisfied).
        current = sites.getFeature(fid)["population_total"] or 0
        sites.changeAttributeValue(fid, people, current + rng.choice((1, 2, 3)))
        started = time.perf_counter()
        if not sites.commitChanges():
            raise SystemExit("; ".join(sites.commitErrors()))
        save_ms.append((time.perf_counter() - started) * 1000)
        refresh_ms.append(dock.last_refresh_ms)
        started = time.perf_counter()
        expected = aggregate_figures(sites)
        yardstick_ms.append((time.perf_counter() - started) * 1000)
        shown = {row.name: row.values[0] for row in dock.rows if row.values}
        assert shown["sites"] == expected["sites"], (shown["sites"], expected["sites"])
        assert shown["population_total"] == expected["population_total"]
        assert shown["sites_unknown_population"] == expected["unknown_population_total"]
        while dock.is_busy():
            application.processEvents()
            time.sleep(0.005)

    # At a past date (the state from the history), and what runs in the background.
    past_ms = []
    dock.at_edit.setDate(QDate.currentDate().addMonths(-12))
    for _ in range(5):
        dock.refresh()
        past_ms.append(dock.last_refresh_ms)
        while dock.is_busy():
            application.processEvents()
            time.sleep(0.005)
    dock.at_edit.setDate(QDate.currentDate())
    dock.compare_edit.setDate(QDate.currentDate().addMonths(-12))
    dock.compare_check.setChecked(True)
    background_ms = []
    for _ in range(3):
        task = SlowFiguresTask(store, dock.make_request(), lambda task: None)
        started = time.perf_counter()
        task.run()
        background_ms.append((time.perf_counter() - started) * 1000)
    dock.close_down()

    refresh, save, yardstick = (statistics.median(v) for v in (refresh_ms, save_ms, yardstick_ms))
    print("Stockage : %d sites (%d ouverts), %d versions antérieures ; %d modifications enregistrées."
          % (counts[0], counts[2], counts[1], arguments.edits))
    print()
    print("| mesure (médiane) | temps | étalon, même exécution | rapport | cible |")
    print("|---|---|---|---|---|")
    print("| rafraîchissement du dock après une modification enregistrée (chiffres à l'écran) | **%.0f ms** "
          "(min %.0f, max %.0f) | QgsVectorLayer.aggregate, mêmes chiffres, même couche : %.0f ms | × %.1f | "
          "≤ 100 ms : %s |" % (refresh, min(refresh_ms), max(refresh_ms), yardstick, yardstick / refresh,
                               "oui" if refresh <= 100 else "non"))
    print("| enregistrement complet (tampon → stockage → déclencheurs d'historique → rafraîchissement) | %.0f ms "
          "| | | |" % save)
    print("| rafraîchissement, situation 12 mois avant (depuis l'historique) | %.0f ms | | | |"
          % statistics.median(past_ms))
    print("| en tâche de fond : comparaison à 12 mois + série de 24 mois | %.0f ms | | | (hors fil graphique) |"
          % statistics.median(background_ms))
    QgsProject.instance().removeAllMapLayers()
    commune_functions.unregister()
    return 0


if __name__ == "__main__":
    sys.exit(main())
