"""Benchmark of resorption:services_distance (issue 17): the nearest service of each of 8 categories for
100,000 sites among 50,000 services ≤ 5 s; ≥ 5× faster than QGIS's « Distance to nearest hub (points) »
(qgis:distancetonearesthubpoints, run once per category) in the same run, same distances within 1 m.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_services.py [--sites N] [--services N]

Data: seeded random points over Île-de-France in Lambert-93 (memory layers), categories drawn evenly among
the first 8 of the vocabulary. Both algorithms get the same layers; the yardstick's output distances are
compared site by site with ours. Prints a Markdown table.
"""
import argparse
import platform
import random
import sys
from pathlib import Path

from timing import timed  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Île-de-France in Lambert-93 (metres).
EXTENT = (590_000.0, 6_780_000.0, 720_000.0, 6_900_000.0)


def points_layer(name, count, seed, fields, values):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
    from plugin.processing.qgis_types import new_field
    layer = QgsVectorLayer("Point?crs=EPSG:2154", name, "memory")
    layer.dataProvider().addAttributes([new_field(field, kind) for field, kind in fields])
    layer.updateFields()
    rng = random.Random(seed)
    features = []
    for index in range(count):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(rng.uniform(EXTENT[0], EXTENT[2]),
                                                               rng.uniform(EXTENT[1], EXTENT[3]))))
        feature.setAttributes(values(index))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=50_000)
    arguments = parser.parse_args()

    from qgis.core import Qgis, QgsApplication, QgsFeatureRequest
    application = QgsApplication([], False)
    application.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    import processing
    from processing.core.Processing import Processing
    Processing.initialize()
    from plugin.model import vocabularies as voc
    from plugin.processing.provider import ResorptionProvider
    from plugin.processing.qgis_types import STRING
    provider = ResorptionProvider()
    QgsApplication.processingRegistry().addProvider(provider)

    categories = voc.SERVICE_CATEGORY.codes[:8]
    sites = points_layer("sites", arguments.sites, 1, (("name", STRING), ("status", STRING)),
                         lambda i: ["site %d" % i, "open"])
    services = points_layer("services", arguments.services, 2,
                            (("name", STRING), ("category", STRING)),
                            lambda i: ["service %d" % i, categories[i % len(categories)]])

    ours_seconds, ours = timed(processing.run, "resorption:services_distance", {
        "SITES": sites, "SERVICES": services, "CATEGORIES": list(range(8)), "OPEN_ONLY": False, "RADIUS": 1000,
        "OUTPUT": "memory:", "SUMMARY": "memory:"})
    mine = {f["name"]: f for f in ours["OUTPUT"].getFeatures()}

    yardstick_seconds = 0.0
    worst = 0.0
    for category in categories:
        hubs = services.materialize(QgsFeatureRequest().setFilterExpression("\"category\" = '%s'" % category))
        seconds, theirs = timed(processing.run, "qgis:distancetonearesthubpoints", {
            "INPUT": sites, "HUBS": hubs, "FIELD": "name", "UNIT": 0, "OUTPUT": "memory:"})
        yardstick_seconds += seconds
        for feature in theirs["OUTPUT"].getFeatures():
            worst = max(worst, abs(feature["HubDist"] - mine[feature["name"]]["dist_" + category]))

    print("| %s sites, %s services, 8 categories | seconds |" % (format(arguments.sites, ","),
                                                                format(arguments.services, ",")))
    print("|---|---|")
    print("| resorption:services_distance (all 8 categories, one run) | %.2f |" % ours_seconds)
    print("| qgis:distancetonearesthubpoints (8 runs, one per category) | %.2f |" % yardstick_seconds)
    print("| ratio | %.1f× |" % (yardstick_seconds / ours_seconds))
    print("| largest difference between the two distances | %.3f m |" % worst)
    print()
    print("%s, Python %s, QGIS %s" % (platform.platform(), platform.python_version(),
                                      Qgis.QGIS_VERSION))
    QgsApplication.registry = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
