"""Benchmark of the dispositifs (issue 14): 300 dispositifs × 20 indicators × 60 months (360,000 values).

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_dispositifs.py [--folder /tmp/bench14] [--no-postgis]

Builds the data once per store (GeoPackage, and a throwaway PostGIS cluster as the tests start it),
then times, median of --repeat runs after one warm-up:

* the monthly grid of one dispositif: its definitions and values read, and the grid widget filled;
* the indicators summed by topic over a year (flows summed, stocks at the year's end, missing months);
* an operator's workbook written, and imported (preview and one transaction, 20 values changed);
* yardsticks in the same run: the raw read of the same rows (one SELECT, no summing), openpyxl writing
  and reading the same cells.

Prints a Markdown table (docs/benchmarks.md, section « Dispositifs »).
"""
import argparse
import contextlib
import os
import datetime as dt
import random
import sys
import tempfile
import uuid as uuid_module
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plugin.exchange import observatory  # noqa: E402
from plugin.model import indicators as model  # noqa: E402
from plugin.model import schema  # noqa: E402
from plugin.model import vocabularies as voc  # noqa: E402
from plugin.store import create_store, open_store  # noqa: E402
from plugin.store import indicators_sql as sql  # noqa: E402
from timing import median_time, timed  # noqa: E402

ACTIONS, LOCAL_INDICATORS, MONTHS = 300, 8, 60
FIRST_MONTH = "2021-01"
YEAR = ("2025-01", "2025-12")
DEPARTEMENTS = ("93", "94", "95", "13", "59", "69", "33", "31", "44", "67")
STAMP = "2021-01-01T00:00:00.000Z"


def ms(seconds: float) -> str:
    return "%.0f ms" % (seconds * 1000)


def rows(rng: random.Random):
    """{table: (columns, rows)} of the bench data, every sync field given."""
    def sync():
        return [str(uuid_module.UUID(int=rng.getrandbits(128), version=4)), 1, STAMP, "bench", STAMP, "bench"]
    sync_columns = ["uuid", "row_version", "created_at", "created_by", "updated_at", "updated_by"]
    data = {}
    organisations = [sync() + ["Association %d" % i, "association", DEPARTEMENTS[i % 10]] for i in range(30)]
    data["organisations"] = (sync_columns + ["name", "type", "departement"], organisations)
    actions, topics, links = [], [], []
    for index in range(ACTIONS):
        departement = DEPARTEMENTS[index % len(DEPARTEMENTS)]
        action = sync() + ["Dispositif %03d" % index, "2021-01-01", "Accompagner", departement, "sur_site", "monthly"]
        actions.append(action)
        for topic in rng.sample(voc.ACTION_TOPIC.codes, 3):
            topics.append(sync() + [action[0], topic])
        for organisation in rng.sample(organisations, rng.randint(1, 3)):
            links.append(sync() + [action[0], organisation[0], "operator"])
    data["actions"] = (sync_columns + ["name", "started_at", "goals", "departement", "location_type",
                                       "reporting_frequency"], actions)
    data["action_topics"] = (sync_columns + ["action_uuid", "topic"], topics)
    data["action_organisations"] = (sync_columns + ["action_uuid", "organisation_uuid", "role"], links)
    local = [sync() + ["local_%d" % i, "Indicateur local %d" % i, "local", "flow" if i % 2 else "stock", "93"]
             for i in range(LOCAL_INDICATORS)]
    data["indicator_definitions"] = (sync_columns + ["code", "label", "scope", "kind", "local_departement"], local)
    return data


def value_rows(rng: random.Random, action_uuids, indicator_uuids):
    months = model.month_range(FIRST_MONTH, model.add_months(FIRST_MONTH, MONTHS - 1))
    for action in action_uuids:
        for month in months:
            people = rng.randint(20, 200)
            households = people // 4
            for code, uuid in indicator_uuids.items():
                if code == "people":
                    value = people
                elif code in ("households",):
                    value = households
                elif code.endswith("households"):
                    value = rng.randint(0, households)
                elif code in ("school_minors_eligible",):
                    value = people // 3
                elif code == "school_minors_enrolled":
                    value = people // 4
                else:
                    value = rng.randint(0, people // 2)
                yield (str(uuid_module.UUID(int=rng.getrandbits(128), version=4)), 1, STAMP, "bench", STAMP,
                       "bench", action, uuid, month, value)


def fill(connection, postgres: bool) -> None:
    rng = random.Random(14)
    mark = "%s" if postgres else "?"
    cursor = connection.cursor()
    if postgres:  # the bench data is loaded without the triggers (history, change log): it is not measured
        cursor.execute("SET session_replication_role = replica")
    for table, (columns, data) in rows(rng).items():
        cursor.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (table, ", ".join('"%s"' % c for c in columns),
                                                                  ", ".join(mark for _ in columns)), data)
    cursor.execute('SELECT "uuid" FROM "actions" ORDER BY "name"')
    actions = [row[0] for row in cursor.fetchall()]
    cursor.execute('SELECT "code", "uuid" FROM "indicator_definitions"')
    indicators = dict(cursor.fetchall())
    columns = ["uuid", "row_version", "created_at", "created_by", "updated_at", "updated_by", "action_uuid",
               "indicator_uuid", "period", "value"]
    insert = 'INSERT INTO "indicator_values" (%s) VALUES (%s)' % (", ".join('"%s"' % c for c in columns),
                                                                  ", ".join(mark for _ in columns))
    if postgres:
        from psycopg2.extras import execute_values
        execute_values(cursor, insert.split(" VALUES ")[0] + " VALUES %s", value_rows(rng, actions, indicators),
                       page_size=5000)
    else:
        cursor.executemany(insert, value_rows(rng, actions, indicators))


def build_gpkg(path: Path):
    if path.exists():
        return open_store(str(path))
    store = create_store(str(path))
    with contextlib.closing(store.connect()) as connection:
        connection.execute("BEGIN")
        fill(connection, postgres=False)
        connection.execute("COMMIT")
    return store


def build_postgis(cluster):
    cluster.sql("CREATE DATABASE bench14")
    store = create_store(cluster.uri("bench14"))
    import psycopg2
    with contextlib.closing(psycopg2.connect(cluster.uri("bench14"))) as connection:
        with connection:
            fill(connection, postgres=True)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return store


def grid_widget_time(store, action, repeat):
    from qgis.core import QgsApplication
    from plugin.gui.indicator_grid import IndicatorGrid
    application = QgsApplication.instance() or QgsApplication([], False)
    grid = IndicatorGrid(lambda: "bench")
    grid.today = dt.date(2026, 1, 15)
    seconds = median_time(lambda: grid.show_action(store, action), repeat, warm_up=True)
    del application
    return seconds, grid.table.rowCount(), grid.table.columnCount()


def measure(store, name: str, repeat: int, folder: Path, widget: bool):
    lines = []
    with sql.connection_of(store) as connection:
        action = sql.actions(connection)[0]

    def open_grid():
        with sql.connection_of(store) as connection:
            return sql.definitions(connection, action.departement), sql.grid(connection, action.uuid)
    read = median_time(open_grid, repeat, warm_up=True)
    definitions, cells = open_grid()
    lines.append(("%s : grille mensuelle d'un dispositif, lecture (%d indicateurs, %d valeurs)"
                  % (name, len(definitions), len(cells)), read, 0.2))
    if widget:
        seconds, rows, columns = grid_widget_time(store, action, repeat)
        lines.append(("%s : grille mensuelle ouverte dans le dock (lecture + tableau de %d × %d cases)"
                      % (name, rows, columns), seconds, 0.2))

    def by_topic():
        return sql.indicator_sums(store, first=YEAR[0], last=YEAR[1], by="topic")
    sums = median_time(by_topic, repeat, warm_up=True)
    result = by_topic()
    lines.append(("%s : indicateurs additionnés par thématique sur un an (%d groupes, %d mois manquants)"
                  % (name, len(result["groups"]), result["missing_months"]), sums, 0.2))

    def raw():
        with sql.connection_of(store) as connection:
            return sql._run(connection, 'SELECT "action_uuid", "indicator_uuid", "period", "value" FROM '
                                        '"indicator_values" WHERE "period" >= {p:a} AND "period" <= {p:b}',
                            {"a": YEAR[0], "b": YEAR[1]})
    yardstick = median_time(raw, repeat, warm_up=True)
    lines.append(("%s : étalon, lecture brute des mêmes %d valeurs (un SELECT, sans somme)"
                  % (name, len(raw())), yardstick, None))

    workbook = folder / ("observatoire-%s.xlsx" % name.lower())
    write = median_time(lambda: observatory.write_workbook(store, str(workbook), action.uuid, YEAR[1]), repeat,
                        warm_up=True)
    lines.append(("%s : classeur de l'opérateur écrit (20 indicateurs × 12 mois)" % name, write, 1.0))
    imports = []
    for step in range(repeat):
        _edit_month(workbook, YEAR[1], step + 1)
        seconds, written = timed(lambda: observatory.apply_workbook(
            store, observatory.preview_workbook(store, str(workbook)), "bench", take_file_in_conflicts=True))
        imports.append(seconds)
        observatory.write_workbook(store, str(workbook), action.uuid, YEAR[1])
    imports.sort()
    lines.append(("%s : classeur importé (aperçu, %d valeurs changées, une transaction)" % (name, written),
                  imports[len(imports) // 2], 2.0))
    return lines


def _edit_month(path: Path, month: str, step: int) -> None:
    import openpyxl
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[7]].index(month) + 1
    for row in range(8, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        value = sheet.cell(row, column).value or 0
        # totals go up, so sub-counts may too
        sheet.cell(row, column).value = value + (2 * step if code in ("people", "households") else step)
    book.save(path)


def openpyxl_yardstick(folder: Path, repeat: int):
    import openpyxl
    path = folder / "openpyxl.xlsx"

    def write():
        book = openpyxl.Workbook()
        sheet = book.active
        for row in range(20):
            sheet.append(["code_%d" % row, "Indicateur %d" % row, "stock", "personnes"] + list(range(12)))
        book.save(path)

    def read():
        return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    return median_time(write, repeat, warm_up=True), median_time(read, repeat, warm_up=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgis", action="store_true")
    arguments = parser.parse_args()
    folder = Path(arguments.folder or tempfile.mkdtemp(prefix="bench14_"))
    folder.mkdir(parents=True, exist_ok=True)
    seconds, store = timed(build_gpkg, folder / "dispositifs.gpkg")
    print("GeoPackage prêt en %.1f s (%s)" % (seconds, store.location), file=sys.stderr)
    lines = measure(store, "GeoPackage", arguments.repeat, folder, widget=True)
    if not arguments.no_postgis:
        sys.path.insert(0, str(REPO / "tests" / "postgis"))
        from conftest import Cluster
        cluster = Cluster()
        try:
            seconds, pg_store = timed(build_postgis, cluster)
            print("PostGIS prêt en %.1f s" % seconds, file=sys.stderr)
            lines += measure(pg_store, "PostGIS", arguments.repeat, folder, widget=False)
        finally:
            cluster.remove()
    write, read = openpyxl_yardstick(folder, arguments.repeat)
    lines.append(("étalon : openpyxl écrit 20 × 16 cellules sans mise en forme", write, None))
    lines.append(("étalon : openpyxl relit ce classeur", read, None))
    print("| mesure | temps (médiane de %d) | cible |" % arguments.repeat)
    print("|---|---|---|")
    for label, seconds, target in lines:
        verdict = "≤ %s : %s" % (ms(target), "oui" if seconds <= target else "**non**") if target else ""
        print("| %s | **%s** | %s |" % (label, ms(seconds), verdict))
    print("\n%d dispositifs × %d indicateurs × %d mois = %d valeurs ; schéma %d ; charge de la machine à la fin : %s."
          % (ACTIONS, 12 + LOCAL_INDICATORS, MONTHS, ACTIONS * (12 + LOCAL_INDICATORS) * MONTHS, schema.SCHEMA_VERSION,
             " / ".join("%.1f" % load for load in os.getloadavg())))


if __name__ == "__main__":
    main()
