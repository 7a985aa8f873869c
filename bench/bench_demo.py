"""Benchmark of the demo data generator and of `init` (issue 2).

* Generation of the 100,000-site demo (target ≤ 60 s), compared in the same
  run with `ogr2ogr` copying the generated sites table into a new GeoPackage
  (the yardstick: GDAL writing the same 100,000 points).
* The same with a monthly history (--history-months, default 15: about
  1,000,000 rows in sites_history), compared with `ogr2ogr` copying that table.
* `init` of a store (target ≤ 2 s): plugin.store.create_store, compared with
  creating an empty GeoPackage with GDAL alone; and the `python3 -m plugin init`
  command as a user runs it (interpreter start included).

Results go into the section "## Données de démonstration (issue 2)" of
docs/benchmarks.md (only that section is rewritten).

    .venv/bin/python bench/bench_demo.py [--sites 100000] [--history-months 15]
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plugin.demo.generator import generate  # noqa: E402
from plugin.store import create_store  # noqa: E402
from timing import timed  # noqa: E402

GENERATION_TARGET = 60.0
INIT_TARGET = 2.0
BENCHMARKS = REPO / "docs" / "benchmarks.md"
SECTION = "## Données de démonstration (issue 2)"
INTRO = "# Mesures de performance de Résorption SIG (chaque section : sa commande, ses chiffres, son étalon)\n"




def ogr2ogr_copy(source: Path, table: str, target: Path) -> float:
    seconds, _ = timed(lambda: subprocess.run(
        ["ogr2ogr", "-f", "GPKG", "-oo", "LIST_ALL_TABLES=YES", str(target), str(source), table],
        check=True))
    return seconds


def generation(folder: Path, sites: int, history_months: int):
    path = folder / ("demo_%d.gpkg" % history_months)
    seconds, summary = timed(lambda: generate(create_store(str(path)), sites=sites, history_months=history_months))
    table = "sites_history" if history_months else "sites"
    yardstick = ogr2ogr_copy(path, table, folder / ("copy_%d.gpkg" % history_months))
    return summary, seconds, yardstick


def init_times(folder: Path, repeat: int = 5):
    from osgeo import gdal, ogr
    gdal.UseExceptions()
    ours, gdal_only = [], []
    for index in range(repeat):
        seconds, _ = timed(lambda: create_store(str(folder / ("init_%d.gpkg" % index))))
        ours.append(seconds)
        seconds, _ = timed(lambda: ogr.GetDriverByName("GPKG").CreateDataSource(str(folder / ("gdal_%d.gpkg" % index))))
        gdal_only.append(seconds)
    command, _ = timed(lambda: subprocess.run(
        [sys.executable, "-m", "plugin", "init", str(folder / "command.gpkg")], cwd=REPO, check=True,
        stdout=subprocess.DEVNULL))
    return statistics.median(ours), statistics.median(gdal_only), command


def write_section(text: str) -> None:
    content = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else INTRO
    lines = content.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        content = "".join(lines[:start]) + text + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    BENCHMARKS.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS.write_text(content, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--history-months", type=int, default=15, help="0: skip the history run")
    arguments = parser.parse_args()
    from osgeo import gdal

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as name:
        folder = Path(name)
        init_ours, init_gdal, init_command = init_times(folder)
        print("init: %.3f s (GDAL alone %.3f s), command %.2f s" % (init_ours, init_gdal, init_command), flush=True)
        summary, seconds, yardstick = generation(folder, arguments.sites, 0)
        print("demo %d sites: %.1f s (ogr2ogr copy %.1f s)" % (summary.sites, seconds, yardstick), flush=True)
        history = None
        if arguments.history_months:
            history = generation(folder, arguments.sites, arguments.history_months)
            print("demo %d sites + %d history rows: %.1f s (ogr2ogr copy of sites_history %.1f s)" % (
                history[0].sites, history[0].history_rows, history[1], history[2]), flush=True)
        size_mb = os.path.getsize(folder / "demo_0.gpkg") / 1e6

    command = ".venv/bin/python bench/bench_demo.py --sites %d --history-months %d" % (
        arguments.sites, arguments.history_months)
    rows = [
        "| `init` d'un stockage (create_store, médiane de 5) | %.3f s | GeoPackage vide par GDAL seul : %.3f s "
        "| × %.0f | ≤ %.0f s : %s |" % (init_ours, init_gdal, init_ours / init_gdal, INIT_TARGET,
                                          "oui" if init_ours <= INIT_TARGET else "NON"),
        "| `python3 -m plugin init` (démarrage de Python compris) | %.2f s | | | ≤ %.0f s : %s |" % (
            init_command, INIT_TARGET, "oui" if init_command <= INIT_TARGET else "NON"),
        "| démo %d sites (%d ouverts, %d personnes, %d terrains, %d dispositifs ; %.0f Mo) | %.1f s "
        "| ogr2ogr de la table sites vers un nouveau GeoPackage : %.1f s | × %.1f | ≤ %.0f s : %s |" % (
            summary.sites, summary.open_sites, summary.people, summary.insertion_sites, summary.actions, size_mb,
            seconds, yardstick, seconds / yardstick, GENERATION_TARGET,
            "oui" if seconds <= GENERATION_TARGET else "NON"),
    ]
    if history:
        h_summary, h_seconds, h_yardstick = history
        rows.append(
            "| démo %d sites + historique mensuel sur %d mois (%d lignes dans sites_history) | %.1f s "
            "| ogr2ogr de la table sites_history : %.1f s | × %.1f | faisable |" % (
                h_summary.sites, arguments.history_months, h_summary.history_rows, h_seconds, h_yardstick,
                h_seconds / h_yardstick))
    text = (
        "%s\n\n"
        "Commande : `%s` (depuis la racine du dépôt).\n"
        "Machine : %s, %d cœurs partagés, Python %s, GDAL %s ; mesuré le %s "
        "(charge moyenne sur 1 min : %.1f au début, %.1f à la fin).\n\n"
        "| mesure | temps | étalon (même exécution) | rapport | cible |\n"
        "|---|---|---|---|---|\n%s\n\n"
        "La génération écrit tout (sites, terrains, dispositifs, indicateurs, historique) par sqlite3 "
        "en une transaction, chaque ligne passant les contraintes CHECK et les déclencheurs du stockage ; "
        "ogr2ogr ne fait que recopier des lignes déjà faites, sans règle à vérifier.\n" % (
            SECTION, command, platform.machine(), os.cpu_count() or 1, platform.python_version(),
            gdal.__version__, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), load_before, os.getloadavg()[0],
            "\n".join(rows)))
    write_section(text)
    print("written to %s" % BENCHMARKS.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
