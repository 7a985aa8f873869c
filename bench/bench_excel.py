"""Benchmark of the Excel exchange (issue 6).

* Export: the .xlsx workbook of a store of 100,000 sites (all five sheets),
  compared in the same run with `ogr2ogr -f XLSX` of the same sites table
  (the yardstick: GDAL's own XLSX writer, one sheet, no formatting). Target ≤ 15 s.
* Import: 10,000 rows into an empty store (preview + one transaction), from
  our own export and from a workbook laid out like the national platform's
  export (section row, platform titles, "93 - Seine-Saint-Denis", dd/mm/yyyy
  dates, one row in ten without INSEE code, placed by its point); then the
  re-import of the same file (10,000 unchanged rows). Target ≤ 20 s.

Data: the demo generator (plugin/demo/generator.py), seeded.

    .venv/bin/python bench/bench_excel.py [--sites 100000] [--rows 10000]
"""
import argparse
import contextlib
import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plugin.demo.generator import generate  # noqa: E402
from plugin.exchange.export import export_workbook, point_of  # noqa: E402
from plugin.exchange.importer import apply_import, preview_import  # noqa: E402
from plugin.exchange.xlsx_writer import Style, Workbook  # noqa: E402
from plugin.model import vocabularies as voc  # noqa: E402
from plugin.store import create_store  # noqa: E402
from timing import timed  # noqa: E402

EXPORT_TARGET = 15.0
IMPORT_TARGET = 20.0

PLATFORM_TITLES = (
    ("Département", "departement"), ("Commune", "city_name"), ("Code INSEE", "insee_code"),
    ("Adresse", "address"), ("Latitude", None), ("Longitude", None), ("Appellation du site", "name"),
    ("Type de site", "field_type"), ("Date d’installation", "built_at"), ("Date de signalement", "declared_at"),
    ("Type de propriétaire", "owner_type"), ("Nombre de personnes", "population_total"),
    ("Nombre de ménages", "population_couples"), ("Nombre de mineurs", "population_minors"),
    ("Enfants inscrits dans un établissement scolaire", "minors_in_school"),
    ("Y a-t-il présence d’une installation électrique ?", "electricity_access"),
    ("Cause de la fermeture", "status"), ("Date de fermeture", "closed_at"), ("Résorbé", "closed_with_solutions"),
    ("Contexte de la fermeture", "closing_context"),
)




def platform_layout(store, path: Path) -> int:
    """The store's sites written as the national platform lays out its export."""
    names = [field for _, field in PLATFORM_TITLES if field]
    with contextlib.closing(sqlite3.connect(store.location)) as connection, Workbook(str(path)) as book:
        sheet = book.add_sheet("Sites")
        sheet.append(["Localisation"] + [None] * 6 + ["Site"], [Style.SECTION] * 8)
        sheet.append([title for title, _ in PLATFORM_TITLES], [Style.HEADER] * len(PLATFORM_TITLES))
        rows = 0
        for number, record in enumerate(connection.execute(
                "SELECT %s, geom FROM sites ORDER BY fid" % ", ".join('"%s"' % n for n in names))):
            values = dict(zip(names, record))
            longitude, latitude = point_of(record[-1])
            cells = []
            for title, field in PLATFORM_TITLES:
                value = values.get(field) if field else (latitude if title == "Latitude" else longitude)
                if field == "departement":
                    value = "%s - Département" % value
                elif field in ("insee_code", "city_name") and number % 10 == 0:
                    value = None
                elif field in ("built_at", "declared_at", "closed_at") and value:
                    value = datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
                elif field == "status":
                    value = None if value == "open" else voc.SITE_STATUS.label(value).split(" (")[0]
                elif field in ("field_type", "owner_type"):
                    value = (voc.FIELD_TYPE if field == "field_type" else voc.OWNER_TYPE).label(value)
                elif field == "closed_with_solutions":
                    value = "Oui" if value == "yes" else "Non"
                elif field == "electricity_access" and value is not None:
                    value = "oui" if value else "non"
                cells.append(value)
            sheet.append(cells)
            rows += 1
    return rows


def import_into_empty(workdir: Path, name: str, path: Path):
    store = create_store(str(workdir / name))
    preview_seconds, preview = timed(lambda: preview_import(store, str(path)))
    apply_seconds, result = timed(lambda: apply_import(store, preview, "bench"))
    return store, preview, result, preview_seconds, apply_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_excel_"))
    lines = []
    try:
        big = create_store(str(workdir / "big.gpkg"))
        seconds, summary = timed(lambda: generate(big, sites=arguments.sites))
        print("generated %d sites in %.1f s" % (summary.sites, seconds), file=sys.stderr)

        ours, result = timed(lambda: export_workbook(big, str(workdir / "big.xlsx")))
        ogr, _ = timed(lambda: subprocess.run(
            ["ogr2ogr", "-f", "XLSX", str(workdir / "ogr.xlsx"), big.location, "sites"], check=True,
            capture_output=True))
        size, ogr_size = (workdir / "big.xlsx").stat().st_size, (workdir / "ogr.xlsx").stat().st_size
        lines.append("| export: workbook of %d sites (5 sheets, sections, totals, Synthèse, Modifications) "
                     "| %.1f s | %s | %.1f MB |" % (result.rows["Sites"], ours,
                                                    "ok" if ours <= EXPORT_TARGET else "OVER", size / 1e6))
        lines.append("| yardstick: `ogr2ogr -f XLSX` of the sites table | %.1f s | ratio ours/ogr2ogr = %.2f "
                     "| %.1f MB |" % (ogr, ours / ogr, ogr_size / 1e6))

        small = create_store(str(workdir / "small.gpkg"))
        generate(small, sites=arguments.rows)
        ours_file = workdir / "small.xlsx"
        export_workbook(small, str(ours_file))
        platform_file = workdir / "platform.xlsx"
        platform_layout(small, platform_file)

        store, preview, done, p, a = import_into_empty(workdir, "import_ours.gpkg", ours_file)
        lines.append("| import: our export, %d rows into an empty store (%d created) | %.1f s "
                     "(preview %.1f + write %.1f) | %s | |" % (len(preview.rows), done.created, p + a, p, a,
                                                               "ok" if p + a <= IMPORT_TARGET else "OVER"))
        p2, again = timed(lambda: preview_import(store, str(ours_file)))
        a2, result2 = timed(lambda: apply_import(store, again, "bench"))
        lines.append("| re-import of the same file (%d unchanged) | %.1f s | %s | |" % (
            result2.unchanged, p2 + a2, "ok" if p2 + a2 <= IMPORT_TARGET else "OVER"))
        store, preview, done, p, a = import_into_empty(workdir, "import_platform.gpkg", platform_file)
        lines.append("| import: platform layout, %d rows (1 in 10 placed by its point) into an empty store "
                     "(%d created, %d invalid) | %.1f s (preview %.1f + write %.1f) | %s | |" % (
                         len(preview.rows), done.created, done.invalid, p + a, p, a,
                         "ok" if p + a <= IMPORT_TARGET else "OVER"))
        p2, again = timed(lambda: preview_import(store, str(platform_file)))
        a2, result2 = timed(lambda: apply_import(store, again, "bench"))
        lines.append("| re-import of the platform file, matched by name and commune (%d unchanged, %d created) "
                     "| %.1f s | %s | |" % (result2.unchanged, result2.created, p2 + a2,
                                            "ok" if p2 + a2 <= IMPORT_TARGET else "OVER"))
    finally:
        if arguments.keep:
            print("kept %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("| measure | time | verdict / ratio | file size |")
    print("|---|---|---|---|")
    print("\n".join(lines))
    print("\n(%s, %d CPU, Python %s)" % (datetime.date.today().isoformat(), os.cpu_count(),
                                         sys.version.split()[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
