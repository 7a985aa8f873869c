"""Figures of issue 5 (synchronisation), each with its yardstick in the same run.

    .venv/bin/python bench/bench_sync.py [--sizes 10000,100000,1000000] [--push-size 100000] [--push-runs 3]

Starts a throwaway PostgreSQL 15 + PostGIS cluster, generates the sites on
the server, and measures:

* checkout of N sites from PostGIS vs `ogr2ogr` PG → GeoPackage of the same table;
* first push of a N-site working copy vs `ogr2ogr` GeoPackage → PostGIS (PG_USE_COPY=YES), medians of
  --push-runs, with the time of its steps, and the sync that follows it; the server's share alone
  (the same lines COPY'd from memory into the store's table, and into a bare table);
* incremental sync of 100 sites changed locally (and of 100 more changed on the server);
* a sync with nothing to do (medians of 5 runs: the machine is shared).
Prints a Markdown table (paste it into docs/benchmarks.md).
"""
import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "postgis"))

from conftest import Cluster  # noqa: E402  (the tests' throwaway cluster)

from plugin.model import schema  # noqa: E402
from plugin.store import create_store, gpkg  # noqa: E402
from plugin.sync import checkout, synchronise  # noqa: E402
from timing import timed  # noqa: E402

GENERATE = """
INSERT INTO sites (name, departement, insee_code, city_name, status, population_total, population_minors,
                   caravans, huts, field_type, owner_type, declared_at, comments, geom)
SELECT 'Site ' || g, '93', '93066', 'Saint-Denis', 'open', 1 + g %% 200, g %% 50, g %% 7, g %% 5, 'land',
       'public', DATE '2020-01-01' + (g %% 1500), 'Généré pour le banc d''essai',
       ST_SetSRID(ST_MakePoint(2.2 + (g %% 1000) / 5000.0, 48.8 + (g / 1000) / 50000.0), 4326)
FROM generate_series(1, %d) AS g
"""




INCREMENTAL_RUNS = 5


def ogr_pg(cluster, database):
    return "PG:host=127.0.0.1 port=%d user=postgres dbname=%s" % (cluster.port, database)


def run(command, **env):
    subprocess.run(command, check=True, capture_output=True, env=dict(os.environ, **env))


def edit_locally(path, count, seed):
    rng = random.Random(seed)
    with contextlib.closing(gpkg.connect(path)) as connection:
        fids = [r[0] for r in connection.execute("SELECT fid FROM sites")]
        for fid in rng.sample(fids, count):
            connection.execute("UPDATE sites SET population_total = population_total + 1, huts = ? WHERE fid = ?",
                               (rng.randint(0, 9), fid))


def edit_on_server(cluster, database, count, seed):
    rng = random.Random(seed)
    cluster.sql("UPDATE sites SET tents = %d WHERE fid IN (SELECT fid FROM sites ORDER BY random() LIMIT %d)"
                % (rng.randint(1, 9), count), database)


def bench_size(cluster, size, folder, results):
    database = "bench_%d" % size
    cluster.sql("DROP DATABASE IF EXISTS %s" % database)
    cluster.sql("CREATE DATABASE %s" % database)
    uri = cluster.uri(database)
    create_store(uri)
    seconds, _ = timed(cluster.sql, GENERATE % size, database)
    print("generated %d sites in %.1f s" % (size, seconds), file=sys.stderr)
    cluster.sql("VACUUM ANALYZE", database)

    local = str(folder / ("copy_%d.gpkg" % size))
    checkout_s, _ = timed(checkout, uri, local, ["93"], "bench")
    yardstick = str(folder / ("ogr_%d.gpkg" % size))
    ogr_s, _ = timed(run, ["ogr2ogr", "-f", "GPKG", yardstick, ogr_pg(cluster, database), "sites"])
    results.append(("checkout de %d sites depuis PostGIS" % size, checkout_s,
                    "ogr2ogr PG → GPKG", ogr_s, "≤ 2×"))

    synchronise(local)
    incremental, both, idle = [], [], []
    for attempt in range(INCREMENTAL_RUNS):  # medians: the machine is shared
        edit_locally(local, 100, size + attempt)
        seconds, summary = timed(synchronise, local)
        assert summary.sent == 100, summary
        incremental.append(seconds)
        edit_on_server(cluster, database, 100, size + attempt)
        edit_locally(local, 100, size + 10 + attempt)
        seconds, summary = timed(synchronise, local)
        assert summary.sent == 100 and summary.received >= 100, summary
        both.append(seconds)
        synchronise(local)  # receives its own changes back once
    for attempt in range(5):
        seconds, summary = timed(synchronise, local)
        assert (summary.sent, summary.received) == (0, 0), summary
        idle.append(seconds)
    incremental_s, both_s, idle_s = (statistics.median(x) for x in (incremental, both, idle))
    results.append(("sync incrémentale, 100 sites modifiés localement (%d sites)" % size, incremental_s,
                    "objectif", 1.0, "≤ 1 s à 100 000"))
    results.append(("sync, 100 modifiés localement + 100 sur le serveur (%d sites)" % size, both_s,
                    "", None, ""))
    results.append(("sync sans rien à faire (%d sites)" % size, idle_s, "objectif", 0.1, "≤ 100 ms"))
    return incremental_s


@contextlib.contextmanager
def phases(times):
    """Time the steps of a push while it runs (the methods wrapped for the duration of the call)."""
    from plugin.store.postgis import SharedPostGIS
    from plugin.sync.engine import WorkingCopy
    steps = ((WorkingCopy, "_snapshot", "lot enregistré dans la copie (rs_outbox)"),
             (SharedPostGIS, "push", "envoi, transaction serveur comprise"),
             (SharedPostGIS, "_copy_table", "COPY des lignes lues dans la copie (dans l'envoi)"),
             (WorkingCopy, "_settle", "réponse appliquée dans la copie"))
    saved = []
    for owner, name, label in steps:
        raw = owner.__dict__[name]
        function = raw.__func__ if isinstance(raw, staticmethod) else raw

        def wrapper(*arguments, _function=function, _label=label, **kw):
            start = time.perf_counter()
            try:
                return _function(*arguments, **kw)
            finally:
                times[_label] = times.get(_label, 0.0) + time.perf_counter() - start
        setattr(owner, name, staticmethod(wrapper) if isinstance(raw, staticmethod) else wrapper)
        saved.append((owner, name, raw))
    try:
        yield times
    finally:
        for owner, name, raw in saved:
            setattr(owner, name, raw)


def server_only(cluster, local, folder, results, repeat=3):
    """The server's share of a first push alone: the lines the push would send (read from a copy of
    the working copy beforehand), COPY'd from memory into the store's table (rules, indexes,
    triggers: numbering and audit) and into a bare table of the same columns, rolled back."""
    import io
    import psycopg2
    from plugin.sync.engine import WorkingCopy
    from plugin.sync.protocol import COPY_OPTIONS, columns
    scratch = str(folder / "server_only.gpkg")
    shutil.copyfile(local, scratch)
    with WorkingCopy(scratch) as working:
        working._snapshot()
        data = "\n".join(working._batch()[2].insert_rows("sites", "bench")) + "\n"
    os.remove(scratch)
    cluster.sql("CREATE DATABASE server_only")
    create_store(cluster.uri("server_only"))
    connection = psycopg2.connect(cluster.uri("server_only"))
    listed = ", ".join('"%s"' % c for c in columns(schema.table("sites")))
    times = {"store": [], "bare": []}
    try:
        with connection.cursor() as cursor:
            for _ in range(repeat):
                for target in times:
                    cursor.execute("SELECT set_config('app.user', 'bench', true), "
                                   "set_config('app.batch', 'bench', true)")
                    if target == "store":  # new files for the table: no dead rows of the previous try
                        cursor.execute('TRUNCATE "sites", "rs_changes", "rs_versions"')
                    if target == "bare":
                        cursor.execute('CREATE TEMP TABLE "bare" (LIKE "sites")')
                        cursor.execute('ALTER TABLE "bare" ALTER "fid" DROP NOT NULL')
                    seconds, _ = timed(cursor.copy_expert, 'COPY "%s" (%s) FROM STDIN WITH (%s)' % (
                        "sites" if target == "store" else "bare", listed, COPY_OPTIONS), io.StringIO(data))
                    times[target].append(seconds)
                    connection.rollback()
    finally:
        connection.close()
        cluster.sql("DROP DATABASE server_only")
    results.append(("  serveur seul : COPY des mêmes lignes depuis la mémoire dans la table du stockage "
                    "(règles, index, déclencheurs), médiane de %d" % repeat, statistics.median(times["store"]),
                    "même COPY dans une table nue", statistics.median(times["bare"]), ""))


def first_push(cluster, size, folder, run_number, results):
    """One first push of `size` new sites from a new working copy to a new store, and its yardstick:
    (seconds, breakdown, local path, ogr2ogr seconds)."""
    database = "push_%d_%d" % (size, run_number)
    cluster.sql("CREATE DATABASE %s" % database)
    uri = cluster.uri(database)
    create_store(uri)
    local = str(folder / ("%s.gpkg" % database))
    checkout(uri, local, ["93"], "bench")
    source = str(folder / ("ogr_%d.gpkg" % size))  # the sites from the checkout benchmark
    with contextlib.closing(gpkg.connect(local)) as connection:
        connection.execute("ATTACH DATABASE ? AS source", (source,))
        names = [r[1] for r in connection.execute("PRAGMA table_info(sites)") if r[1] not in ("fid",)]
        connection.execute("INSERT INTO sites (%s) SELECT %s FROM source.sites" % (
            ", ".join('"%s"' % n for n in names), ", ".join('"%s"' % n for n in names)))
    if run_number == 0:
        server_only(cluster, local, folder, results)
    breakdown = {}
    with phases(breakdown):
        push_s, summary = timed(synchronise, local)
    assert summary.sent == size, summary
    yardstick = "ogr_%s" % database
    cluster.sql("CREATE DATABASE %s" % yardstick)
    cluster.sql("CREATE EXTENSION postgis", yardstick)
    ogr_s, _ = timed(run, ["ogr2ogr", "-f", "PostgreSQL", ogr_pg(cluster, yardstick), local, "sites",
                           "-nln", "sites"], PG_USE_COPY="YES")
    cluster.sql("DROP DATABASE %s" % yardstick)
    if run_number:  # the first run's store stays, for the sync that follows a first push
        cluster.sql("DROP DATABASE %s" % database)
    return push_s, breakdown, local, ogr_s


def bench_first_push(cluster, size, folder, results, runs):
    server = []
    measured = [first_push(cluster, size, folder, run_number, server) for run_number in range(runs)]
    echo_s, summary = timed(synchronise, measured[0][2])  # the next sync receives the copy's own rows back
    assert summary.sent == 0, summary
    median = sorted(measured, key=lambda m: m[0])[len(measured) // 2]
    results.append(("premier envoi de %d sites vers PostGIS (médiane de %d)" % (size, runs), median[0],
                    "ogr2ogr GPKG → PG (COPY), médiane", statistics.median(m[3] for m in measured), "≤ 2×"))
    for label, seconds in median[1].items():
        results.append(("  dont %s" % label, seconds, "", None, ""))
    results.extend(server)
    results.append(("sync suivant le premier envoi (relit ses %d lignes)" % size, echo_s, "", None, ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--push-size", type=int, default=100000)
    parser.add_argument("--push-runs", type=int, default=3)
    arguments = parser.parse_args()
    sizes = [int(s) for s in arguments.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="rs_bench_sync_"))
    cluster = Cluster()
    results, incremental = [], {}
    try:
        for size in sizes:
            incremental[size] = bench_size(cluster, size, folder, results)
        if arguments.push_size in sizes:
            bench_first_push(cluster, arguments.push_size, folder, results, arguments.push_runs)
    finally:
        cluster.remove()
        shutil.rmtree(folder, ignore_errors=True)
    print("| mesure | temps (s) | référence | temps (s) | rapport | objectif |")
    print("|---|---:|---|---:|---:|---|")
    for label, seconds, reference, reference_s, goal in results:
        ratio = "%.2f" % (seconds / reference_s) if reference_s else ""
        print("| %s | %.3f | %s | %s | %s | %s |" % (label, seconds, reference,
                                                    "%.3f" % reference_s if reference_s else "", ratio, goal))
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print("\nsync incrémentale : %d sites %.3f s, %d sites %.3f s, rapport %.2f (objectif ≤ 2)" % (
            small, incremental[small], large, incremental[large], incremental[large] / incremental[small]))


if __name__ == "__main__":
    main()
