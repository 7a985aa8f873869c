"""Screenshots of the Excel export and import dialogs from the real QGIS under Xvfb, into docs/img/.

    .venv/bin/python tests/qgis/scripts/run_excel_screenshots.py

A demo store of the Seine-Saint-Denis is generated (seed 2026) and exported; the
export is then edited as an officer would in Excel (two populations updated, a
new site, a count typed as words) so that the import preview shows every kind
of row.
"""
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE.parent))

from desktop import demo_store_93, report_screenshots, screenshot_arguments, shoot  # noqa: E402


def edited_export(store_path: str, out: Path) -> str:
    """Our export of the store, then edited: 2 updates, 1 new site, 1 row in error."""
    import openpyxl
    from plugin.exchange.export import SITES_SHEET, export_workbook
    from plugin.store import open_store
    export_workbook(open_store(store_path), str(out))
    book = openpyxl.load_workbook(str(out))
    sheet = book[SITES_SHEET]
    titles = [cell.value for cell in sheet[2]]
    people = titles.index("Nombre de personnes") + 1
    status = titles.index("Statut") + 1
    rows = [row[0].row for row in sheet.iter_rows(min_row=3) if row[0].value and row[0].value != "Total"
            and row[status - 1].value == "Ouvert"]
    for line, added in ((rows[0], 12), (rows[3], -5)):
        cell = sheet.cell(row=line, column=people)
        cell.value = (cell.value or 0) + added
    sheet.cell(row=rows[5], column=people, value="une trentaine")
    total = next(row[0].row for row in sheet.iter_rows(min_row=3) if row[0].value == "Total")
    sheet.insert_rows(total)
    for column in range(1, sheet.max_column + 1):
        sheet.cell(row=total, column=column, value=sheet.cell(row=rows[1], column=column).value)
    # No identifier, another name and no point: a new site (with a warning: not on the map).
    for title in ("Identifiant", "Adresse", "Latitude", "Longitude"):
        sheet.cell(row=total, column=titles.index(title) + 1).value = None
    sheet.cell(row=total, column=titles.index("Appellation du site") + 1, value="Chemin des Vignes")
    book.save(str(out))
    return str(out)


def main():
    _, out = screenshot_arguments()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = demo_store_93(folder / "demo-93.gpkg")
        workbook = edited_export(store, folder / "sites_93_retour_operateur.xlsx")
        result = shoot(folder, HERE / "excel_screenshots.py", store, out, RESORPTION_IMPORT_FILE=workbook,
                       RESORPTION_EXPORT_FOLDER=str(folder))
    report_screenshots(out / "errors.txt", result, out.glob("excel_*.png"))


if __name__ == "__main__":
    main()
