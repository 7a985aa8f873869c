"""Cost of the reconstructed past (issue 13): the sums at a past date, the comparison and the
monthly series, against the same calls of an earlier commit (no reconstruction) in the same run.

    git archive bdbe306 plugin | tar -x -C /tmp/baseline
    nice .venv/bin/python bench/bench_reconstructed.py /tmp/bench13/10k.gpkg --baseline /tmp/baseline

Creates the store with the demo generator (10 000 sites, 24 months of history) when it does not
exist. Each code runs in its own process, alternately, --rounds times; the medians are printed.
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MEASURE = r'''
import json, sys, time, statistics
sys.path.insert(0, sys.argv[1])
from plugin.store import open_store, sums_sql
from plugin.model import sums as model
connection = open_store(sys.argv[2]).connect()
past, now = model.months_before(model.now_instant(), 12), model.now_instant()
calls = {
    "sums_now_by_departement": lambda: sums_sql.site_sums(connection, None, by="departement"),
    "sums_past_by_departement": lambda: sums_sql.site_sums(connection, past, by="departement"),
    "compare_now_past_by_departement": lambda: sums_sql.compare(connection, now, past, by="departement"),
    "series_24_months_2_figures": lambda: sums_sql.monthly_series(connection, None, 24,
                                                                  names=("sites", "population_total")),
}
result = {}
for name, call in calls.items():
    call()
    times = []
    for _ in range(3):
        started = time.perf_counter(); call(); times.append((time.perf_counter() - started) * 1000)
    result[name] = statistics.median(times)
print(json.dumps(result))
'''


def measure(code: str, store: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, code, store], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--baseline", required=True, help="a directory holding an earlier commit's plugin/")
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    if not Path(arguments.store).exists():
        subprocess.run([sys.executable, "-m", "plugin", "demo", arguments.store, "--sites", str(arguments.sites),
                        "--history-months", "24", "--seed", "4"], cwd=str(REPO), check=True)
    runs = {"baseline": [], "now": []}
    for _ in range(arguments.rounds):
        runs["baseline"].append(measure(arguments.baseline, arguments.store))
        runs["now"].append(measure(str(REPO), arguments.store))
    print("| Mesure | Avant (sans passé reconstitué) | Maintenant | Rapport |")
    print("|---|---|---|---|")
    for name in runs["now"][0]:
        before = statistics.median(r[name] for r in runs["baseline"])
        after = statistics.median(r[name] for r in runs["now"])
        print("| %s | %.0f ms | %.0f ms | ×%.1f |" % (name, before, after, after / before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
