"""Benchmark of the history triggers (issue 4): a bulk edit of every site, with and without them.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_history.py /tmp/h2/big.gpkg \
        --sites 100000 --history-months 24

Creates the GeoPackage with the demo generator (`python3 -m plugin demo`) when it does not
exist; starts a throwaway PostgreSQL 15 + PostGIS cluster (the tests' one: fsync off) and
loads the same sites into a shared PostGIS store, with as many history versions per site as
the GeoPackage has (generated on the server). Then, in one run, for each store against its own
yardstick (the same edit with the store's history triggers set aside):

* SQL: `UPDATE sites SET confirmed_at = …` on every row, in a transaction rolled back (best of
  --repeat, variants interleaved); the yardstick drops `sites_history_update` (GeoPackage) or
  disables the table's triggers (PostgreSQL) inside that transaction;
* per feature (GeoPackage): the same edit as QGIS's OGR provider writes it, one UPDATE of every
  column per feature (--per-feature of them, rolled back), with the history trigger as shipped,
  keeping the version without stamping, stamping without keeping, or dropped: where the cost goes;
* QGIS: the same edit as the field calculator makes it: `changeAttributeValue` on the layer's edit
  buffer for every feature (old value given), then `commitChanges`, via the OGR provider on a
  scratch copy of the GeoPackage (one copy per run) and via the postgres provider (committed;
  the yardstick with the table's triggers disabled); best of --qgis-repeat, interleaved.

Prints a Markdown report (paste it in docs/benchmarks.md).
"""
import argparse
import contextlib
import csv
import io
import os
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "postgis"))

from conftest import Cluster  # noqa: E402  (the tests' throwaway cluster)

from plugin.model import schema  # noqa: E402
from plugin.model.schema import Kind  # noqa: E402
from plugin.store import create_store, gpkg, open_store  # noqa: E402
from plugin.store.gpkg_functions import _header  # noqa: E402
from plugin.store.sqlite_ddl import history_columns  # noqa: E402
from timing import ensure_demo_store  # noqa: E402

NEW_VALUE = "2026-01-15"
EDITED = "confirmed_at"


def seconds(value: float) -> str:
    return "%.2f s" % value


def best_interleaved(run, variants, repeat: int) -> dict:
    """{variant: best seconds of `repeat` calls of run(variant)}, the variants interleaved so that they
    see the same load."""
    times = {variant: [] for variant in variants}
    for _ in range(repeat):
        for variant in times:
            times[variant].append(run(variant))
    return {variant: min(measured) for variant, measured in times.items()}


# --- GeoPackage ------------------------------------------------------------------

def gpkg_sql(path: str, repeat: int) -> dict:
    """Best of `repeat` UPDATEs of every site, rolled back: {"none": s, "triggers": s,
    "bare": s (neither the history trigger nor the index of the figures, which covers the column)}."""
    def run(variant):
        with contextlib.closing(gpkg.connect(path)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                if variant in ("none", "bare"):
                    connection.execute('DROP TRIGGER "sites_history_update"')
                if variant == "bare":
                    connection.execute('DROP INDEX IF EXISTS "sites_figures_idx"')
                start = time.perf_counter()
                connection.execute('UPDATE "sites" SET "%s" = ?' % EDITED, (NEW_VALUE,))
                return time.perf_counter() - start
            finally:
                connection.execute("ROLLBACK")
    return best_interleaved(run, ("bare", "none", "triggers"), repeat)


def gpkg_per_feature(path: str, count: int, repeat: int) -> dict:
    """The same edit written as QGIS's OGR provider writes it: one UPDATE of every column per feature
    (`count` features, rolled back), best of `repeat`, interleaved. Variants, to see where the
    history's cost goes: "none" (history trigger dropped), "copy" (the trigger keeps the version but
    does not stamp), "stamp" (it stamps but keeps nothing), "triggers" (as shipped)."""
    with contextlib.closing(gpkg.connect(path)) as connection:
        names = [row[1] for row in connection.execute('PRAGMA table_info("sites")') if row[1] != "fid"]
        rows = connection.execute('SELECT "fid", %s FROM "sites" ORDER BY "fid" LIMIT ?' % ", ".join(
            '"%s"' % n for n in names), (count,)).fetchall()
        trigger = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'sites_history_update'").fetchone()[0]
    edited = names.index(EDITED)
    parameters = [list(row[1:edited + 1]) + [NEW_VALUE] + list(row[edited + 2:]) + [row[0]] for row in rows]
    statement = 'UPDATE "sites" SET %s WHERE "fid" = ?' % ", ".join('"%s" = ?' % n for n in names)
    head, body = trigger.split(" BEGIN\n", 1)
    keep, stamp = [part.strip() + ";" for part in body.rsplit("END", 1)[0].strip().rstrip(";").split(";\n")]
    replaced = {"none": None, "copy": "%s BEGIN\n%s\nEND" % (head, keep),
                "stamp": "%s BEGIN\n%s\nEND" % (head, stamp), "triggers": trigger}

    def run(variant):
        with contextlib.closing(gpkg.connect(path)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute('DROP TRIGGER "sites_history_update"')
                if replaced[variant]:
                    connection.execute(replaced[variant])
                start = time.perf_counter()
                for values in parameters:
                    connection.execute(statement, values)
                return time.perf_counter() - start
            finally:
                connection.execute("ROLLBACK")
    return best_interleaved(run, replaced, repeat)


def qgis_bulk_edit(layer) -> tuple:
    """The field calculator's edit of every feature: (seconds in the edit buffer, seconds of the commit)."""
    from qgis.core import QgsFeatureRequest
    index = layer.fields().indexOf(EDITED)
    assert layer.startEditing()
    start = time.perf_counter()
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry).setSubsetOfAttributes([index])
    for feature in layer.getFeatures(request):
        layer.changeAttributeValue(feature.id(), index, NEW_VALUE, feature[index])
    buffered = time.perf_counter() - start
    start = time.perf_counter()
    if not layer.commitChanges():
        raise RuntimeError("; ".join(layer.commitErrors()))
    return buffered, time.perf_counter() - start


def best(runs) -> tuple:
    """The run with the shortest commit."""
    return min(runs, key=lambda run: run[1])


def gpkg_qgis(path: str, scratch: Path, repeat: int) -> dict:
    """{"none": (buffer s, commit s), "triggers": (…)}, best of `repeat`, on a scratch copy each."""
    from qgis.core import QgsVectorLayer
    results = {"none": [], "triggers": []}
    for variant in [v for _ in range(repeat) for v in results]:
        copy = scratch / "qgis_edit.gpkg"
        shutil.copyfile(path, copy)
        try:
            with contextlib.closing(gpkg.connect(str(copy))) as connection:
                if variant == "none":
                    connection.execute('DROP TRIGGER "sites_history_update"')
            gpkg.set_editing_login(str(copy), "bench")  # as the plugin does while a layer is edited
            layer = QgsVectorLayer("%s|layername=sites" % copy, "sites", "ogr")
            assert layer.isValid()
            results[variant].append(qgis_bulk_edit(layer))
            del layer
        finally:
            os.remove(copy)
    return {variant: best(runs) for variant, runs in results.items()}


# --- PostgreSQL ------------------------------------------------------------------

def _ewkb_hex(blob) -> str:
    """GeoPackage geometry → EWKB (SRID 4326) in hex, as COPY reads a geometry."""
    empty, _, offset, _ = _header(bytes(blob))
    wkb = bytes(blob)[offset:]
    order = "<" if wkb[0] == 1 else ">"
    kind = struct.unpack_from(order + "I", wkb, 1)[0]
    return (wkb[:1] + struct.pack(order + "Ii", kind | 0x20000000, schema.STORAGE_SRID) + wkb[5:]).hex()


def load_postgres(cluster, path: str, versions_per_site: int) -> str:
    """A shared PostGIS store with the GeoPackage's sites and `versions_per_site` versions each."""
    import psycopg2
    cluster.sql("CREATE DATABASE bench_history")
    uri = cluster.uri("bench_history")
    create_store(uri)
    sites = schema.table("sites")
    columns = history_columns(sites)
    kinds = {f.name: f.kind for f in sites.fields}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with contextlib.closing(gpkg.connect(path)) as source:
        for row in source.execute('SELECT %s FROM "sites" ORDER BY "fid"' % ", ".join('"%s"' % c for c in columns)):
            values = []
            for column, value in zip(columns, row):
                if value is None:
                    values.append(None)
                elif column == "geom":
                    values.append(_ewkb_hex(value))
                elif kinds[column] is Kind.BOOLEAN:
                    values.append("t" if value else "f")
                else:
                    values.append(value)
            writer.writerow(values)
    buffer.seek(0)
    listed = ", ".join('"%s"' % c for c in columns)
    connection = psycopg2.connect(uri)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute('ALTER TABLE "sites" DISABLE TRIGGER USER')
            cursor.copy_expert('COPY "sites" (%s) FROM STDIN WITH (FORMAT csv)' % listed, buffer)
            cursor.execute('ALTER TABLE "sites" ENABLE TRIGGER USER')
            # Past versions, spread over the months before each site's last update.
            cursor.execute(
                'INSERT INTO "sites_history" (%s, "valid_from", "valid_to", "changed_by", "operation") '
                'SELECT %s, s."updated_at" - (k + 1) * interval \'45 days\', s."updated_at" - k * interval \'45 days\', '
                '\'bench\', \'update\' FROM "sites" s, generate_series(1, %%s) k ORDER BY k, s."fid"' % (
                    listed, ", ".join('s."%s"' % c for c in columns)), (versions_per_site,))
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    return uri


def postgres_sql(uri: str, repeat: int) -> dict:
    import psycopg2

    def run(variant):
        connection = psycopg2.connect(uri)
        try:
            with connection.cursor() as cursor:
                if variant == "none":
                    cursor.execute('ALTER TABLE "sites" DISABLE TRIGGER USER')
                start = time.perf_counter()
                cursor.execute('UPDATE "sites" SET "%s" = %%s' % EDITED, (NEW_VALUE,))
                return time.perf_counter() - start
        finally:
            connection.rollback()
            connection.close()
    return best_interleaved(run, ("none", "triggers"), repeat)


def postgres_qgis(cluster, uri: str, repeat: int) -> dict:
    from qgis.core import QgsDataSourceUri, QgsVectorLayer
    source = QgsDataSourceUri()
    source.setConnection("127.0.0.1", str(cluster.port), "bench_history", "postgres", "")
    source.setDataSource("public", "sites", "geom", "", "fid")
    results = {"none": [], "triggers": []}
    for variant in [v for _ in range(repeat) for v in results]:
        switch = "DISABLE" if variant == "none" else "ENABLE"
        cluster.sql('ALTER TABLE "sites" %s TRIGGER USER' % switch, "bench_history")
        layer = QgsVectorLayer(source.uri(False), "sites", "postgres")
        assert layer.isValid()
        results[variant].append(qgis_bulk_edit(layer))
        del layer
    cluster.sql('ALTER TABLE "sites" ENABLE TRIGGER USER', "bench_history")
    return {variant: best(runs) for variant, runs in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store")
    parser.add_argument("--sites", type=int, default=100000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--qgis-repeat", type=int, default=2)
    parser.add_argument("--no-qgis", action="store_true")
    parser.add_argument("--per-feature", type=int, default=30000, metavar="N",
                        help="features edited one UPDATE each, as OGR writes them (0: skip)")
    arguments = parser.parse_args()
    path = Path(arguments.store)
    ensure_demo_store(path, arguments.sites, arguments.history_months)
    store = open_store(str(path))
    with contextlib.closing(store.connect()) as connection:
        count, versions = [connection.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                           for t in ("sites", "sites_history")]
    loads = [os.getloadavg()[0]]
    report = {"gpkg_sql": gpkg_sql(str(path), arguments.repeat)}
    loads.append(os.getloadavg()[0])
    if arguments.per_feature:
        report["gpkg_per_feature"] = gpkg_per_feature(str(path), arguments.per_feature, arguments.repeat)
        loads.append(os.getloadavg()[0])
    scratch = Path(tempfile.mkdtemp(prefix="rs_bench_history_"))
    cluster = Cluster()
    try:
        uri = load_postgres(cluster, str(path), max(1, round(versions / count)))
        report["pg_sql"] = postgres_sql(uri, arguments.repeat)
        loads.append(os.getloadavg()[0])
        if not arguments.no_qgis:
            from qgis.core import QgsApplication
            application = QgsApplication([], False)
            application.initQgis()
            report["gpkg_qgis"] = gpkg_qgis(str(path), scratch, arguments.qgis_repeat)
            loads.append(os.getloadavg()[0])
            report["pg_qgis"] = postgres_qgis(cluster, uri, arguments.qgis_repeat)
            loads.append(os.getloadavg()[0])
        pg_versions = cluster.sql('SELECT count(*) FROM "sites_history"', "bench_history")[0][0]
    finally:
        cluster.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    print("GeoPackage : %d sites, %d versions ; PostgreSQL : mêmes sites, %d versions (à la fin) ; "
          "charge moyenne (1 min) pendant l'exécution : %s\n" % (
              count, versions, pg_versions, ", ".join("%.1f" % load for load in loads)))
    print("| Stockage, écriture | Sans déclencheurs d'historique | Avec | Surcoût |")
    print("|---|---|---|---|")
    rows = [("GeoPackage, `UPDATE` SQL des %d sites" % count, report["gpkg_sql"]),
            ("PostgreSQL, `UPDATE` SQL des %d sites" % count, report["pg_sql"])]
    for label, key in (("GeoPackage, QGIS (fournisseur OGR), commitChanges", "gpkg_qgis"),
                       ("PostgreSQL, QGIS (fournisseur postgres), commitChanges", "pg_qgis")):
        if key in report:
            rows.append((label, {v: commit for v, (_, commit) in report[key].items()}))
    for label, timing in rows:
        print("| %s | %s | %s | %+.0f %% |" % (label, seconds(timing["none"]), seconds(timing["triggers"]),
                                              100 * (timing["triggers"] / timing["none"] - 1)))
    if "gpkg_per_feature" in report:
        timing = report["gpkg_per_feature"]
        print("\nGeoPackage, une instruction `UPDATE` de toutes les colonnes par entité (comme le fournisseur OGR), "
              "%d entités : sans déclencheur d'historique %s ; version gardée sans tampon %s (%+.0f %%) ; tampon "
              "sans version %s (%+.0f %%) ; tel que livré %s (%+.0f %%)" % (
                  arguments.per_feature, seconds(timing["none"]),
                  *[value for variant in ("copy", "stamp", "triggers") for value in (
                      seconds(timing[variant]), 100 * (timing[variant] / timing["none"] - 1))]))
    print("\nGeoPackage, `UPDATE` SQL sans déclencheur d'historique ni index des chiffres (`sites_figures_idx`, "
          "qui couvre la colonne modifiée) : %s" % seconds(report["gpkg_sql"]["bare"]))
    for label, key in (("GeoPackage", "gpkg_qgis"), ("PostgreSQL", "pg_qgis")):
        if key in report:
            print("\n%s, QGIS : tampon d'édition rempli en %s / %s (sans / avec)" % (
                label, seconds(report[key]["none"][0]), seconds(report[key]["triggers"][0])))


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
