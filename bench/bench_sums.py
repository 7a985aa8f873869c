"""Benchmark of the derived figures (issue 4): SQL sums now and at a past date, against QGIS.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_sums.py /tmp/bench4/big.gpkg \
        --sites 100000 --history-months 24

Creates the store with the demo generator (`python3 -m plugin demo`) when it does not
exist, then times, in one run (median of --repeat runs after one warm-up):

* sums by département now, and at a date 12 months back (from the history), over all figures;
* the same figures by QGIS: QgsVectorLayer.aggregate (one call per figure, per layer, with a
  filter expression) and Processing "Statistiques par catégories"
  (native:statisticsbycategories, qgis:statisticsbycategories before QGIS 3.24; one run per
  summed field), and the ratios;
* the monthly series over 24 months, a feature's history, the activity feed.

The cost of the history triggers on a bulk edit is measured by bench/bench_history.py.

Prints a Markdown report (paste it in docs/benchmarks.md).
"""
import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plugin.model import sums as model  # noqa: E402
from plugin.store import history as store_history  # noqa: E402
from plugin.store import open_store, sums_sql  # noqa: E402
from timing import ensure_demo_store, median_time  # noqa: E402

SUMMED_FIELDS = tuple(model.SUMMED)




def once(function):
    """The QGIS yardsticks take seconds: one run each (after ours, the file is in the OS cache)."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def ms(seconds):
    return "%.0f ms" % (seconds * 1000) if seconds < 10 else "%.1f s" % seconds




def qgis_yardsticks(store, at):
    """(aggregate now, aggregate at date, statistics by categories now) in seconds."""
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from qgis.core import (QgsAggregateCalculator, QgsApplication, QgsProcessingContext,
                           QgsProcessingFeedback, QgsVectorLayer)
    application = QgsApplication([], False)
    application.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    # "Statistiques par catégories": native: from QGIS 3.24, qgis: (Python) before.
    registry = QgsApplication.processingRegistry()
    algorithm = next(a for a in ("native:statisticsbycategories", "qgis:statisticsbycategories")
                     if registry.algorithmById(a) is not None)
    import processing

    sites = QgsVectorLayer(store.layer_source("sites"), "sites", "ogr")
    # The history table is not in gpkg_contents: OGR lists it with LIST_ALL_TABLES.
    past = QgsVectorLayer(store.layer_source("sites_history") + "|option:LIST_ALL_TABLES=YES", "sites_history", "ogr")
    assert sites.isValid() and past.isValid()
    open_filter = "\"status\" = 'open'"
    threshold = model.months_before(at, model.DEFAULT_OUT_OF_DATE_MONTHS)
    Agg = QgsAggregateCalculator.Aggregate

    def figures_of(layer, condition):
        """Every figure of the block, by aggregate() calls over the layer (totals only)."""
        def call(kind, field, extra=None):
            parameters = QgsAggregateCalculator.AggregateParameters()
            parameters.filter = condition if extra is None else "(%s) AND (%s)" % (condition, extra)
            return layer.aggregate(kind, field, parameters)[0]
        result = {"sites": call(Agg.Count, "fid")}
        for name, unknown in model.SUMMED.items():
            result[name] = call(Agg.Sum, name)
            result[unknown] = call(Agg.Count, "fid", '"%s" IS NULL' % name)
        result["sites_unknown_origin"] = call(Agg.Count, "fid", "NOT (coalesce(origin_french, 0) = 1 OR "
                                              "coalesce(origin_european, 0) = 1 OR coalesce(origin_extra_eu, 0) = 1)")
        result["sites_out_of_date"] = call(Agg.Count, "fid", "NOT (coalesce(updated_at >= '%s', false) OR "
                                           "coalesce(confirmed_at >= '%s', false))" % (threshold, threshold))
        result["sites_eu_only_10_plus"] = call(Agg.Count, "fid", "population_total >= 10 AND origin_european = 1 "
                                               "AND coalesce(origin_french, 0) <> 1 "
                                               "AND coalesce(origin_extra_eu, 0) <> 1")
        return result

    now_seconds = once(lambda: figures_of(sites, open_filter))
    at_filter = "\"status\" = 'open' AND \"updated_at\" <= '%s'" % at
    past_filter = "\"status\" = 'open' AND \"valid_to\" > '%s' AND \"valid_from\" <= '%s'" % (at, at)
    at_seconds = once(lambda: (figures_of(sites, at_filter), figures_of(past, past_filter)))
    with_qgis = figures_of(sites, open_filter)

    def by_categories():
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        for field in SUMMED_FIELDS:
            processing.run(algorithm, {
                "INPUT": store.layer_source("sites") + "|subset=\"status\" = 'open'",
                "VALUES_FIELD_NAME": field, "CATEGORIES_FIELD_NAME": ["departement"],
                "OUTPUT": "TEMPORARY_OUTPUT"}, context=context, feedback=feedback)
    categories_seconds = once(by_categories)
    return now_seconds, at_seconds, categories_seconds, with_qgis, algorithm


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store")
    parser.add_argument("--sites", type=int, default=100000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-qgis", action="store_true")
    arguments = parser.parse_args()
    path = Path(arguments.store)
    ensure_demo_store(path, arguments.sites, arguments.history_months)
    store = open_store(str(path))
    with contextlib.closing(store.connect()) as connection:
        counts = [connection.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("sites", "sites_history")]
        some_uuid = connection.execute("SELECT uuid FROM sites_history ORDER BY history_id DESC LIMIT 1").fetchone()[0]
        now = model.now_instant()
        at = model.months_before(now, 12)[:10] + "T23:59:59.999Z"
        rows = []

        def measure(label, function, target=None):
            seconds = median_time(function, arguments.repeat, warm_up=True)
            rows.append((label, seconds, target))
            return seconds

        by_departement = measure("Sommes par département, maintenant (tous les chiffres)",
                                 lambda: sums_sql.site_sums(connection, by="departement"), 0.2)
        at_date = measure("Sommes par département au %s (historique)" % at[:10],
                          lambda: sums_sql.site_sums(connection, at, by="departement"), 0.5)
        measure("Total au %s (historique)" % at[:10], lambda: sums_sql.site_sums(connection, at), 0.5)
        measure("Un département (93), maintenant",
                lambda: sums_sql.site_sums(connection, territory=sums_sql.Territory(departement="93")))
        measure("Un département (93), au %s" % at[:10],
                lambda: sums_sql.site_sums(connection, at, territory=sums_sql.Territory(departement="93")))
        measure("Emprise de carte (Île-de-France), maintenant", lambda: sums_sql.site_sums(
            connection, territory=sums_sql.Territory(bbox=(1.4, 48.1, 3.6, 49.3))))
        measure("Comparaison maintenant / %s par département" % at[:10],
                lambda: sums_sql.compare(connection, now, at, by="departement"))
        measure("Série mensuelle sur 24 mois", lambda: sums_sql.monthly_series(connection, months=24))
        measure("Terrains d'insertion, maintenant", lambda: sums_sql.insertion_sums(connection))
        measure("Historique d'un site", lambda: store_history.history(connection, "sites", some_uuid))
        measure("Fil d'activité (100 dernières modifications)", lambda: store_history.activity(connection, 100))
        ours_total = sums_sql.site_sums(connection).total
    print("Stockage : %d sites, %d versions dans l'historique\n" % tuple(counts))
    print("| Mesure | Temps (médiane) | Cible |")
    print("|---|---|---|")
    for label, seconds, target in rows:
        print("| %s | %s | %s |" % (label, ms(seconds), "≤ %s" % ms(target) if target else ""))
    if not arguments.no_qgis:
        aggregate_now, aggregate_at, categories, with_qgis, algorithm = qgis_yardsticks(store, at)
        same = all(int(with_qgis[name] or 0) == ours_total[name] for name in model.FIGURE_NAMES
                   if name != "sites_out_of_date")
        print("\nMêmes chiffres que QGIS (total, hors « non mis à jour ») : %s\n" % ("oui" if same else "NON"))
        print("| Référence QGIS | Temps | Nous | Rapport |")
        print("|---|---|---|---|")
        print("| QgsVectorLayer.aggregate, tous les chiffres, total maintenant (sans ventilation) | %s | %s "
              "(par département) | ×%.0f |" % (ms(aggregate_now), ms(by_departement), aggregate_now / by_departement))
        print("| QgsVectorLayer.aggregate, tous les chiffres, total au %s (sites + historique) | %s | %s "
              "(par département) | ×%.0f |" % (at[:10], ms(aggregate_at), ms(at_date), aggregate_at / at_date))
        print("| %s par département, %d champs sommés, maintenant | %s | %s | ×%.0f |" % (
            algorithm, len(SUMMED_FIELDS), ms(categories), ms(by_departement), categories / by_departement))


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
