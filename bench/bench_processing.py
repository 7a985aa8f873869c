"""Benchmark of resorption:sites_landuse against the chain of QGIS native algorithms (issue 7).

Generated data: a grid of square land-use polygons coded with Corine Land Cover level-3 codes over
Seine-et-Marne (Lambert-93, in a GeoPackage with its spatial index), and sites at random points of
the grid (WGS 84, as the store keeps them). Both ways compute the share of each class within 100 m of
each site; the script checks they agree, then prints the timings and the ratio.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_processing.py --sites 10000 --polygons 200000
"""
import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append("/usr/share/qgis/python/plugins")

CLC_CODES = ("111", "112", "121", "122", "133", "141", "142", "211", "221", "222", "231", "242", "243",
             "311", "312", "313", "324", "411", "511", "512")
ORIGIN = (660000.0, 6800000.0)      # south-west corner, near Melun (Lambert-93)
RADIUS = 100.0


def write_landuse(path: Path, polygons: int, seed: int) -> float:
    """A square grid of `polygons` cells; returns the cell size (m)."""
    from osgeo import ogr, osr
    columns = int(math.ceil(math.sqrt(polygons * 1.25)))
    rows = int(math.ceil(polygons / columns))
    cell = 150.0
    random_codes = random.Random(seed)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = dataset.CreateLayer("landuse", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("CODE_18", ogr.OFTString))
    definition = layer.GetLayerDefn()
    layer.StartTransaction()
    written = 0
    for row in range(rows):
        for column in range(columns):
            if written == polygons:
                break
            x, y = ORIGIN[0] + column * cell, ORIGIN[1] + row * cell
            feature = ogr.Feature(definition)
            feature.SetField("CODE_18", random_codes.choice(CLC_CODES))
            feature.SetGeometryDirectly(ogr.CreateGeometryFromWkt(
                "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))"
                % (x, y, x + cell, y, x + cell, y + cell, x, y + cell, x, y)))
            layer.CreateFeature(feature)
            written += 1
    layer.CommitTransaction()
    dataset = None
    return cell, columns, rows


def sites_layer(count: int, extent, seed: int):
    from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeature,
                           QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer)
    from plugin.processing.qgis_types import INTEGER, STRING, new_field
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "sites", "memory")
    layer.dataProvider().addAttributes([new_field("site_id", INTEGER), new_field("departement", STRING),
                                        new_field("population_total", INTEGER)])
    layer.updateFields()
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:2154"),
                                       QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    random_points = random.Random(seed)
    xmin, ymin, xmax, ymax = extent
    features = []
    for number in range(count):
        point = QgsPointXY(random_points.uniform(xmin + RADIUS, xmax - RADIUS),
                           random_points.uniform(ymin + RADIUS, ymax - RADIUS))
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(transform.transform(point)))
        feature.setAttributes([number, "77", random_points.randint(1, 200)])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def native_chain(processing, sites, landuse):
    """Reproject, buffer, intersect, area, statistics by (site, class): the analyst's way in the toolbox."""
    timings = {}
    start = time.perf_counter()
    projected = processing.run("native:reprojectlayer", {"INPUT": sites, "TARGET_CRS": "EPSG:2154",
                                                         "OUTPUT": "memory:"})["OUTPUT"]
    timings["native:reprojectlayer"] = time.perf_counter() - start
    step = time.perf_counter()
    buffers = processing.run("native:buffer", {"INPUT": projected, "DISTANCE": RADIUS, "SEGMENTS": 16,
                                               "DISSOLVE": False, "OUTPUT": "memory:"})["OUTPUT"]
    timings["native:buffer"] = time.perf_counter() - step
    step = time.perf_counter()
    pieces = processing.run("native:intersection", {"INPUT": buffers, "OVERLAY": landuse,
                                                    "INPUT_FIELDS": ["site_id"], "OVERLAY_FIELDS": ["CODE_18"],
                                                    "OUTPUT": "memory:"})["OUTPUT"]
    timings["native:intersection"] = time.perf_counter() - step
    step = time.perf_counter()
    with_area = processing.run("native:fieldcalculator", {"INPUT": pieces, "FIELD_NAME": "part", "FIELD_TYPE": 0,
                                                          "FIELD_LENGTH": 20, "FIELD_PRECISION": 4,
                                                          "FORMULA": "area($geometry)", "OUTPUT": "memory:"})["OUTPUT"]
    timings["native:fieldcalculator"] = time.perf_counter() - step
    step = time.perf_counter()
    statistics = processing.run("qgis:statisticsbycategories", {
        "INPUT": with_area, "VALUES_FIELD_NAME": "part", "CATEGORIES_FIELD_NAME": ["site_id", "CODE_18"],
        "OUTPUT": "memory:"})["OUTPUT"]
    timings["qgis:statisticsbycategories"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - start
    buffer_area = next(buffers.getFeatures()).geometry().area()
    shares = {}
    for row in statistics.getFeatures():
        shares.setdefault(row["site_id"], {})[row["CODE_18"]] = 100.0 * row["sum"] / buffer_area
    return timings, shares, pieces.featureCount()


def other_algorithms(processing, count: int, seed: int):
    """commune_density and neighbour_departements on sites spread over a rectangle of the Hexagone."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=population_total:integer&field=status:string", "sites", "memory")
    random_points = random.Random(seed)
    features = []
    for _ in range(count):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(random_points.uniform(-1, 7),
                                                               random_points.uniform(43.5, 49.5))))
        feature.setAttributes([random_points.randint(1, 100), "open"])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    start = time.perf_counter()
    result = processing.run("resorption:commune_density", {"SITES": layer, "OUTPUT": "memory:"})
    print("resorption:commune_density, %d sites: %.1f s (%d communes)"
          % (count, time.perf_counter() - start, result["OUTPUT"].featureCount()))
    start = time.perf_counter()
    result = processing.run("resorption:neighbour_departements", {"SITES": layer, "DEPARTEMENT": "45",
                                                                  "TABLE": "memory:", "OUTPUT": "memory:"})
    print("resorption:neighbour_departements 45, %d sites: %.1f s (%s)" % (
        count, time.perf_counter() - start,
        ", ".join("%s: %d" % (f["departement"], f["sites"]) for f in result["TABLE"].getFeatures())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--polygons", type=int, default=200000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each way (best time kept)")
    parser.add_argument("--others", action="store_true",
                        help="also time commune_density and neighbour_departements on --sites sites")
    parser.add_argument("--skip-native", action="store_true", help="time resorption:sites_landuse only")
    arguments = parser.parse_args()

    from qgis.core import QgsApplication, QgsVectorLayer
    application = QgsApplication([], False)
    application.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    import processing
    from plugin.processing.provider import ResorptionProvider
    provider = ResorptionProvider()
    QgsApplication.processingRegistry().addProvider(provider)

    if arguments.others:
        other_algorithms(processing, arguments.sites, arguments.seed)
    with tempfile.TemporaryDirectory(prefix="bench_processing_") as folder:
        path = Path(folder) / "landuse.gpkg"
        start = time.perf_counter()
        cell, columns, rows = write_landuse(path, arguments.polygons, arguments.seed)
        landuse = QgsVectorLayer("%s|layername=landuse" % path, "landuse", "ogr")
        extent = (ORIGIN[0], ORIGIN[1], ORIGIN[0] + columns * cell, ORIGIN[1] + (rows - 1) * cell)
        sites = sites_layer(arguments.sites, extent, arguments.seed)
        print("data: %d sites, %d land-use polygons (%d x %d cells of %.0f m), generated in %.1f s"
              % (sites.featureCount(), landuse.featureCount(), columns, rows, cell, time.perf_counter() - start))

        shares_only = {"SITES": sites, "LANDUSE": landuse, "CLASS_FIELD": "CODE_18", "RADIUS": RADIUS,
                       "OUTPUT": "memory:", "SUMMARY": "memory:"}
        with_distance = dict(shares_only, DISTANCE_CLASSES="22", SEARCH_DISTANCE=5000)
        runs = {"ours": [], "ours_distance": [], "native": []}
        # Alternate the ways so that neither benefits alone from warm caches; keep each one's best time.
        for _ in range(arguments.repeat):
            start = time.perf_counter()
            result = processing.run("resorption:sites_landuse", shares_only)
            runs["ours"].append(time.perf_counter() - start)
            start = time.perf_counter()
            processing.run("resorption:sites_landuse", with_distance)
            runs["ours_distance"].append(time.perf_counter() - start)
            if not arguments.skip_native:
                timings, native_shares, pieces = native_chain(processing, sites, landuse)
                runs["native"].append(timings)
        ours = {row["site_id"]: row for row in result["OUTPUT"].getFeatures()}
        print("resorption:sites_landuse (class at point + shares + summary): best %.1f s (runs: %s)"
              % (min(runs["ours"]), ", ".join("%.1f" % t for t in runs["ours"])))
        print("resorption:sites_landuse (+ distance to classes 22x within 5 km): best %.1f s (runs: %s)"
              % (min(runs["ours_distance"]), ", ".join("%.1f" % t for t in runs["ours_distance"])))
        if arguments.skip_native:
            return
        best = min(runs["native"], key=lambda t: t["total"])
        print("native chain: best %.1f s (runs: %s; best run: %s); %d intersection pieces" % (
            best["total"], ", ".join("%.1f" % t["total"] for t in runs["native"]),
            ", ".join("%s %.1f s" % (k, v) for k, v in best.items() if k != "total"), pieces))
        worst = 0.0
        for site_id, row in ours.items():
            mine = json.loads(row["lu_shares"])
            theirs = native_shares.get(site_id, {})
            for code in set(mine) | set(theirs):
                worst = max(worst, abs(mine.get(code, 0.0) - theirs.get(code, 0.0)))
        print("largest difference of a share between the two: %.2f percentage points (over %d sites)"
              % (worst, len(ours)))
        print("ratio native chain / resorption:sites_landuse (best times): %.2f"
              % (best["total"] / min(runs["ours"])))
    QgsApplication.processingRegistry().removeProvider(provider)


if __name__ == "__main__":
    main()
