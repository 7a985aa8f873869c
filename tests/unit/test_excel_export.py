"""Excel export: what a user finds in the workbook, read back by an independent reader (openpyxl)
and, when installed, opened and recalculated by LibreOffice."""
import csv
import datetime
import shutil
import subprocess

import openpyxl
import pytest

from plugin import cli
from plugin.exchange import xlsx_writer
from plugin.exchange.export import ExportCancelled, export_workbook
from plugin.exchange.importer import point_blob
from plugin.model.spreadsheet import site_columns
from plugin.store import sums_sql
from plugin.store.base import StoreError

PAST = "2025-01-10T10:00:00.000Z"
OWNER = "SCI Les Tilleuls"

# The dispositifs' machine-readable sheets (plugin/exchange/export_dispositifs.py), at the end.
DISPOSITIFS = ["Dispositifs détail", "Financements", "Indicateurs mensuels"]


def add_site(connection, longitude=2.3574, latitude=48.9362, **values):
    row = dict(insee_code="93066", city_name="Saint-Denis", departement="93", status="open",
               created_by="agent93", updated_by="agent93")
    row.update(values)
    names = list(row) + ["geom"]
    connection.execute('INSERT INTO sites (%s) VALUES (%s)' % (", ".join('"%s"' % n for n in names),
                                                               ", ".join("?" for _ in names)),
                       list(row.values()) + [point_blob(longitude, latitude)])
    return connection.execute("SELECT uuid FROM sites ORDER BY fid DESC LIMIT 1").fetchone()[0]


@pytest.fixture
def store(new_store):
    """Four sites: three in Seine-Saint-Denis (one closed, one of unknown population), one in Paris;
    the first one known since January 2025 with 40 people, 55 now."""
    connection = new_store.connect()
    first = add_site(connection, name="Les Tilleuls", population_total=40, population_couples=10,
                     population_minors=12, minors_in_school=5, field_type="land", owner_type="private",
                     owner=OWNER, owner_complaint=1, is_reinstallation=1, built_at="2024-06-01",
                     declared_at="2024-07-15", water_access_type="fontaine_publique", electricity_access=0,
                     created_at=PAST, updated_at=PAST)
    connection.execute("UPDATE sites SET population_total = 55, population_minors = 20, row_version = row_version + 1,"
                       " updated_by = 'agent93' WHERE uuid = ?", (first,))
    add_site(connection, longitude=2.44, latitude=48.864, insee_code="93048", city_name="Montreuil",
             name="Rue de Paris", population_total=12, population_couples=3, population_minors=4,
             minors_in_school=4, field_type="building")
    add_site(connection, longitude=2.38, latitude=48.91, insee_code="93001", city_name="Aubervilliers",
             name="Le Canal", status="closed_by_pref_admin", closed_at="2026-02-01", population_total=30,
             closed_with_solutions="yes")
    add_site(connection, longitude=2.3522, latitude=48.8566, insee_code="75056", city_name="Paris",
             departement="75", name="Quai", population_total=None)
    connection.close()
    return new_store


def record_outcomes_of_le_canal(store):
    """Where the people of the closed site went: 20 people (6 households) to shelter, 4 went home."""
    connection = store.connect()
    canal = connection.execute("SELECT uuid FROM sites WHERE name = 'Le Canal'").fetchone()[0]
    connection.execute("INSERT INTO site_closing_outcomes (site_uuid, solution, people, households) "
                       "VALUES (?, 'shelter', 20, 6), (?, 'return', 4, NULL)", (canal, canal))
    connection.close()


def load(path, data_only=False):
    return openpyxl.load_workbook(str(path), data_only=data_only)


def header(sheet):
    return [cell.value for cell in sheet[2]]


def data_rows(sheet):
    """Rows under the headers, up to the totals row."""
    rows = []
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if row[0] == "Total":
            break
        rows.append(row)
    return rows


def column(sheet, title):
    index = header(sheet).index(title)
    return [row[index] for row in data_rows(sheet)]


def test_the_workbook_has_its_sheets_sections_and_french_headers(store, tmp_path):
    out = tmp_path / "export.xlsx"
    result = export_workbook(store, str(out))
    book = load(out)
    assert book.sheetnames == ["Sites existants", "Sites fermés", "Terrains d'insertion", "Dispositifs", "Synthèse",
                               "Modifications"] + DISPOSITIFS
    sites = book["Sites existants"]
    sections = [c.value for c in sites[1] if c.value]
    assert sections == ["Localisation", "Site", "Habitants", "Conditions de vie", "Fermeture", "Suivi de la saisie"]
    merged = {str(r) for r in sites.merged_cells.ranges}
    assert "A1:I1" in merged  # Localisation spans its nine columns
    titles = header(sites)
    assert titles[:2] == ["Identifiant", "Appellation du site"]
    for label in ("Code INSEE de la commune", "Nombre de personnes", "Mineurs inscrits à l'école",
                  "Accès à l'eau", "Statut", "Date de fermeture", "Latitude", "Longitude"):
        assert label in titles
    assert sites.freeze_panes == "C3"
    assert sites["A2"].font.b and sites["A1"].font.b
    assert result.rows["Sites existants"] == 3 and len(data_rows(sites)) == 3
    closed = book["Sites fermés"]
    assert column(closed, "Appellation du site") == ["Le Canal"] and result.rows["Sites fermés"] == 1
    assert [c.value for c in closed[1] if c.value][-1] == "Orientation des personnes"


def test_codes_become_labels_booleans_oui_non_and_dates_real_dates(store, tmp_path):
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out))
    sites = load(out)["Sites existants"]
    row = dict(zip(header(sites), next(r for r in data_rows(sites) if r[1] == "Les Tilleuls")))
    assert row["Type de site"] == "Terrain"
    assert row["Type de propriétaire"] == "Privé"
    assert row["Accès à l'eau"] == "Fontaine publique"
    assert row["Réinstallation ?"] == "oui" and row["Accès à l'électricité"] == "non"
    assert row["Statut"] == "Ouvert"
    assert row["Date d'installation"] == datetime.datetime(2024, 6, 1)
    line = 3 + column(sites, "Appellation du site").index("Les Tilleuls")
    assert sites.cell(row=line, column=header(sites).index("Date d'installation") + 1).number_format == "dd/mm/yyyy"
    assert (row["Latitude"], row["Longitude"]) == (48.9362, 2.3574)
    closed_sites = load(out)["Sites fermés"]
    closed = dict(zip(header(closed_sites), next(r for r in data_rows(closed_sites) if r[1] == "Le Canal")))
    assert closed["Statut"] == "Décision administrative de la Préfecture"
    assert closed["Site résorbé définitivement ?"] == "Oui"


def test_the_totals_row_sums_every_count_column_with_subtotals(store, tmp_path):
    out = tmp_path / "export.xlsx"
    result = export_workbook(store, str(out))
    formulas, values = load(out)["Sites existants"], load(out, data_only=True)["Sites existants"]
    titles = header(formulas)
    total_row = 3 + len(data_rows(formulas))
    assert formulas.cell(row=total_row, column=1).value == "Total"
    summable = [c for c in site_columns() if c.summable]
    assert {c.key for c in summable} >= {"population_total", "population_couples", "minors_in_school", "caravans"}
    for spec in summable:
        index = titles.index(spec.title) + 1
        letter = xlsx_writer.column_letter(index - 1)
        # SUBTOTAL(109, …): the rows a filter hides are left out of the total.
        assert formulas.cell(row=total_row, column=index).value == "=SUBTOTAL(109,%s3:%s%d)" % (
            letter, letter, total_row - 1)
        expected = sum(v for v in column(values, spec.title) if v is not None)
        assert values.cell(row=total_row, column=index).value == expected
        assert result.site_totals[spec.key] == expected
    # unknown stays unknown: the Paris site's empty population is not a 0
    assert column(values, "Nombre de personnes").count(None) == 1
    assert result.site_totals["population_total"] == 55 + 12


def test_the_open_sheet_total_equals_the_summary_and_closed_sites_say_where_people_went(store, tmp_path):
    record_outcomes_of_le_canal(store)
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out))
    book = load(out, data_only=True)
    sites = book["Sites existants"]
    total = next(r for r in sites.iter_rows(min_row=3, values_only=True) if r[0] == "Total")
    summary = {row[0]: row[1:3] for row in book["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert total[header(sites).index("Nombre de personnes")] == summary["Personnes"][0] == 67
    assert summary["Personnes"][1] == 1   # dont sites non renseignés: Paris
    closed = book["Sites fermés"]
    row = dict(zip(header(closed), data_rows(closed)[0]))
    assert row["Hébergement – personnes"] == 20 and row["Hébergement – ménages"] == 6
    assert row["Retour au pays – personnes"] == 4 and row["Retour au pays – ménages"] is None


def test_procedures_and_the_owner_only_when_allowed(store, tmp_path):
    plain, allowed = tmp_path / "plain.xlsx", tmp_path / "justice.xlsx"
    export_workbook(store, str(plain))
    export_workbook(store, str(allowed), include_justice=True)

    def everything(path):
        return {c for sheet in load(path) for row in sheet.iter_rows(values_only=True) for c in row}

    assert OWNER not in everything(plain) and "Procédures" not in everything(plain)
    assert "Identité du propriétaire" not in header(load(plain)["Sites existants"])
    assert "Dépôt de plainte du propriétaire" not in header(load(plain)["Sites existants"])
    justice = load(allowed)["Sites existants"]
    assert "Procédures" in [c.value for c in justice[1]]
    row = dict(zip(header(justice), next(r for r in data_rows(justice) if r[1] == "Les Tilleuls")))
    assert row["Identité du propriétaire"] == OWNER and row["Dépôt de plainte du propriétaire"] == "oui"


def test_a_departement_export_holds_only_its_sites(store, tmp_path):
    out = tmp_path / "93.xlsx"
    export_workbook(store, str(out), departement="93")
    sites = load(out)["Sites existants"]
    assert sorted(column(sites, "Appellation du site")) == ["Les Tilleuls", "Rue de Paris"]
    assert column(load(out)["Sites fermés"], "Appellation du site") == ["Le Canal"]
    assert set(column(sites, "Département")) == {"93"}
    with pytest.raises(StoreError):
        export_workbook(store, str(tmp_path / "bad.xlsx"), departement="Seine")


def test_an_export_at_a_past_date_shows_the_state_of_that_date(store, tmp_path):
    out = tmp_path / "2025.xlsx"
    export_workbook(store, str(out), at="2025-06-01")
    sites = load(out)["Sites existants"]
    assert column(sites, "Appellation du site") == ["Les Tilleuls"]  # the others did not exist yet
    assert column(sites, "Nombre de personnes") == [40]
    assert column(sites, "Nombre de mineurs") == [12]
    synthese = {row[0]: row[1] for row in load(out)["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert synthese["Personnes"] == 40 and synthese["Situation au"] == datetime.datetime(2025, 6, 1)


def test_the_summary_sheet_gives_the_sums_of_open_sites(store, tmp_path):
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out))
    book = load(out)
    rows = list(book["Synthèse"].iter_rows(values_only=True))
    figures = {row[0]: row[1:3] for row in rows[5:20] if row[0]}
    sums = sums_sql.site_sums(store)
    assert figures["Sites"][0] == sums.total["sites"] == 3
    assert figures["Personnes"] == (55 + 12, 1)      # Paris: unknown population, counted apart
    assert figures["Mineurs"][0] == 24 and figures["Mineurs scolarisés"][0] == 9
    sites = book["Sites existants"]
    assert set(column(sites, "Statut")) == {"Ouvert"}
    open_people = sum(p for p in column(sites, "Nombre de personnes") if p is not None)
    assert figures["Personnes"][0] == open_people
    assert rows[-1][0] == "Document de travail – ne pas diffuser"


def test_the_summary_sheet_says_where_the_people_of_the_closed_sites_went(store, tmp_path):
    record_outcomes_of_le_canal(store)
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out), since="2026-01-01")
    rows = {row[0]: row[1:4] for row in load(out)["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert rows["Devenir des habitants des sites fermés"] == ("Personnes", "Ménages", "Sites")
    assert rows["Hébergement"] == (20, 6, 1) and rows["Retour au pays"] == (4, 0, 1)
    assert rows["Sites fermés sans devenir renseigné (leurs personnes)"] == (0, None, 0)


def test_the_modifications_sheet_lists_the_changes_between_two_dates(store, tmp_path):
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out), since="2025-06-01")
    rows = list(load(out)["Modifications"].iter_rows(min_row=3, values_only=True))
    changed = {(r[1], r[5]): (r[6], r[7]) for r in rows if r[4] == "Modification"}
    assert changed[("Les Tilleuls", "Nombre de personnes")] == (40, 55)
    assert changed[("Les Tilleuls", "Nombre de mineurs")] == (12, 20)
    created = {r[1] for r in rows if r[4] == "Création"}
    assert created == {"Rue de Paris", "Le Canal", "Quai"}
    assert not any(r[5] == "Identité du propriétaire" for r in rows)


def test_a_cancelled_export_leaves_no_file_and_progress_reaches_100(store, tmp_path):
    out = tmp_path / "cancelled.xlsx"
    with pytest.raises(ExportCancelled):
        export_workbook(store, str(out), is_cancelled=lambda: True)
    assert list(tmp_path.glob("cancelled*")) == []
    seen = []
    export_workbook(store, str(tmp_path / "ok.xlsx"), progress=seen.append)
    assert seen and seen[-1] == 100.0 and seen == sorted(seen)


def test_gdal_reads_the_sheets_and_the_header_row(store, tmp_path):
    from osgeo import gdal
    out = tmp_path / "export.xlsx"
    export_workbook(store, str(out))
    dataset = gdal.OpenEx(str(out), open_options=["HEADERS=DISABLE"])
    assert [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())] == [
        "Sites existants", "Sites fermés", "Terrains d'insertion", "Dispositifs", "Synthèse", "Modifications"] + DISPOSITIFS
    sites = dataset.GetLayerByName("Sites existants")
    rows = [[feature.GetField(i) for i in range(feature.GetFieldCount())] for feature in sites]
    assert rows[0][0] == "Localisation" and rows[1][:2] == ["Identifiant", "Appellation du site"]
    assert len(rows) == 2 + 3 + 1


def test_awkward_text_survives_the_trip(tmp_path):
    path = tmp_path / "text.xlsx"
    awkward = ["<b> & \"quoted\"", "  leading and trailing  ", "bell\x07 removed", "é’ü 🏕", "x" * 40000]
    with xlsx_writer.Workbook(str(path)) as book:
        sheet = book.add_sheet("Feuille d'essai")
        sheet.append(awkward)
        sheet.append([None] * 30 + ["far"])
    cells = [c.value for c in load(path)["Feuille d'essai"][1]]
    assert cells[:4] == ["<b> & \"quoted\"", "  leading and trailing  ", "bell removed", "é’ü 🏕"]
    assert len(cells[4]) == xlsx_writer.MAX_CELL_TEXT
    assert load(path)["Feuille d'essai"]["AE2"].value == "far"
    assert [xlsx_writer.column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_the_cli_writes_the_workbook(store, tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    assert cli.main(["export", store.location, str(out), "--departement", "93"]) == 0
    assert "Sites" in capsys.readouterr().out
    assert len(data_rows(load(out)["Sites existants"])) == 2
    assert cli.main(["export", store.location, str(tmp_path / "x.xlsx"), "--at", "hier"]) == cli.EXIT_ERROR


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (libreoffice-calc-nogui, installed by .ci/setup) is not installed")
def test_libreoffice_opens_the_workbook_and_computes_the_same_totals(store, tmp_path):
    out = tmp_path / "export.xlsx"
    result = export_workbook(store, str(out), include_justice=True)
    converted = tmp_path / "csv"
    subprocess.run(["soffice", "-env:UserInstallation=file://%s" % (tmp_path / "profile"), "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(converted), str(out)], check=True, capture_output=True, timeout=120)
    with open(converted / "export-Sites existants.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    titles = rows[1]
    totals = next(r for r in rows if r and r[0] == "Total")
    assert int(totals[titles.index("Nombre de personnes")]) == result.site_totals["population_total"] == 67
    assert int(totals[titles.index("Nombre de mineurs")]) == result.site_totals["population_minors"]
    assert "Saint-Denis" in {r[titles.index("Commune")] for r in rows[2:]}
    assert (converted / "export-Synthèse.csv").is_file() and (converted / "export-Modifications.csv").is_file()


def test_an_unwritable_destination_is_reported_clearly(store, tmp_path):
    with pytest.raises(StoreError, match="Impossible d'écrire"):
        export_workbook(store, str(tmp_path / "missing-folder" / "export.xlsx"))
