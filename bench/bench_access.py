"""Benchmark of the row-level security of a shared PostGIS store (issue 15).

    nice .venv/bin/python bench/bench_access.py --sites 100000 --repeat 7

Starts the tests' throwaway PostgreSQL cluster, generates the sites over the 101 départements on the
server, grants an editor of Seine-Saint-Denis and a national reader, then times in one run (median of
--repeat, the login and the owner timed alternately, each on its own open connection as the
synthesis dock):

* the sums by département (every figure of the block) as the editor of 93 (row-level security on),
  against the owner (not subject to it) summing the same département;
* the same as the national reader, against the owner summing the whole country;
* an incremental sync of 100 sites changed in the editor's working copy (RLS on; target ≤ 1 s).

Prints a Markdown table (paste it in docs/benchmarks.md).
"""
import argparse
import contextlib
import datetime
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "postgis"))

from conftest import Cluster  # noqa: E402  (the tests' throwaway cluster)

from plugin.model import access  # noqa: E402
from plugin.store import access_rights, create_store, postgis, sums_sql  # noqa: E402
from plugin.sync import checkout, synchronise  # noqa: E402
from bench_sync import edit_locally  # noqa: E402
from timing import timed  # noqa: E402

DEPARTEMENTS = sorted(code for _, codes in access.REGIONS.values() for code in codes)
GENERATE = """
INSERT INTO sites (name, departement, insee_code, status, closed_at, population_total, population_minors, minors_in_school,
                   origin_european, field_type, owner_type, owner, declared_at, geom)
SELECT 'Site ' || g, d.code, d.code || repeat('1', 5 - length(d.code)),
       CASE WHEN mod(g, 4) = 0 THEN 'resorbed' ELSE 'open' END,
       CASE WHEN mod(g, 4) = 0 THEN DATE '2025-06-01' END, 1 + mod(g, 200), mod(g, 50), mod(g, 50) / 2, mod(g, 3) = 0, 'land',
       'private', 'Propriétaire ' || g, DATE '2020-01-01' + mod(g, 1500),
       ST_SetSRID(ST_MakePoint(2.2 + mod(g, 1000) / 5000.0, 48.8 + (g / 1000) / 50000.0), 4326)
FROM generate_series(1, %d) AS g
JOIN (SELECT code, row_number() OVER () - 1 AS position FROM unnest(%%s::text[]) AS code) d
  ON d.position = mod(g, %d)
"""
EDITOR, READER = "bench_editeur_93", "bench_lecteur_national"


def login_uri(uri, login):
    return uri.replace("postgresql://postgres@", "postgresql://%s@" % login)


def sums_pair(login_location, owner_location, repeat, territory=sums_sql.EVERYWHERE):
    """Medians of the sums by département of a login (RLS) and of the owner, timed alternately on two open
    connections (the machine is shared: a burst of load falls on both), after a warm-up; the figures are
    checked equal."""
    def call(connection, where):
        return sums_sql.site_sums(connection, by="departement", territory=where)
    with contextlib.closing(postgis.connect(login_location)) as login, \
            contextlib.closing(postgis.connect(owner_location)) as owner:
        mine, theirs = call(login, sums_sql.EVERYWHERE), call(owner, territory)
        assert (mine.total, mine.groups) == (theirs.total, theirs.groups)
        times = [], []
        for _ in range(repeat):
            times[0].append(timed(call, login, sums_sql.EVERYWHERE)[0])
            times[1].append(timed(call, owner, territory)[0])
    return statistics.median(times[0]), statistics.median(times[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    cluster = Cluster()
    folder = Path(tempfile.mkdtemp(prefix="rs_bench_access_"))
    try:
        cluster.sql("CREATE DATABASE bench_access")
        uri = cluster.uri("bench_access")
        create_store(uri)
        with contextlib.closing(postgis.connect(uri)) as connection, connection, connection.cursor() as cursor:
            cursor.execute(GENERATE % (arguments.sites, len(DEPARTEMENTS)), (DEPARTEMENTS,))
        cluster.sql("VACUUM ANALYZE", "bench_access")
        for login in (EDITOR, READER):
            cluster.sql("CREATE ROLE %s LOGIN" % login)
        access_rights.grant(uri, access_rights.Grant(EDITOR, access.EDITOR, ["93"]))
        access_rights.grant(uri, access_rights.Grant(READER, access.READER, [], national=True))

        results = []
        editor, owner_93 = sums_pair(login_uri(uri, EDITOR), uri, arguments.repeat,
                                     sums_sql.Territory(departement="93"))
        results.append(("sommes par département, éditeur du 93 (RLS)", editor,
                        "propriétaire, même département (sans RLS)", owner_93))
        reader, owner_all = sums_pair(login_uri(uri, READER), uri, arguments.repeat)
        results.append(("sommes par département, lecteur national (RLS)", reader,
                        "propriétaire, France entière (sans RLS)", owner_all))
        checkouts, syncs = {}, {}
        for name, location in (("editeur", login_uri(uri, EDITOR)), ("proprietaire", uri)):
            copy = str(folder / ("%s.gpkg" % name))
            checkouts[name], _ = timed(checkout, location, copy, ["93"], EDITOR)
            synchronise(copy, EDITOR)
            runs = []
            for attempt in range(5):
                edit_locally(copy, 100, attempt)
                seconds, summary = timed(synchronise, copy, EDITOR)
                assert summary.sent == 100, summary
                runs.append(seconds)
                synchronise(copy, EDITOR)
            syncs[name] = statistics.median(runs)
        results.append(("sync incrémentale de 100 sites, éditeur du 93 (RLS ; objectif ≤ 1 s)", syncs["editeur"],
                        "propriétaire, même copie du 93 (sans RLS)", syncs["proprietaire"]))
        results.append(("checkout du 93 par l'éditeur (RLS, sans propriétaire ni procédures)", checkouts["editeur"],
                        "propriétaire (sans RLS)", checkouts["proprietaire"]))

        print("Mesuré le %s UTC, %d sites sur %d départements, médianes de %d.\n" % (
            datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), arguments.sites, len(DEPARTEMENTS),
            arguments.repeat))
        print("| mesure | temps | étalon (même exécution) | temps | rapport |")
        print("|---|---:|---|---:|---:|")
        for label, seconds, yardstick, reference in results:
            ratio = "× %.2f" % (seconds / reference) if reference else ""
            print("| %s | %.1f ms | %s | %s | %s |" % (label, seconds * 1000, yardstick,
                                                      "%.1f ms" % (reference * 1000) if reference else "", ratio))
    finally:
        cluster.remove()


if __name__ == "__main__":
    main()
