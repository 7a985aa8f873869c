"""Excel import: the national platform's export and our own, previewed, then written in one
transaction with its history; bad files write nothing."""
import datetime
import shutil
import sqlite3
import subprocess

import openpyxl
import pytest

from plugin import cli
from plugin.exchange.export import export_workbook
from plugin.exchange.importer import ImportRefused, apply_import, preview_import
from plugin.model import spreadsheet
from plugin.model.spreadsheet import (CellError, find_header, normalise_title, parse_boolean, parse_date,
                                      parse_departement, parse_origins, site_import_columns)

LOGIN = "agent.import"

# The platform's sections and titles, typographic apostrophes included, an unknown column,
# a computed one, and its closing-outcome columns that repeat "Nombre de personnes".
SECTIONS = [("Localisation", 8), ("Site", 8), ("Habitants", 4), ("Conditions de vie", 5), ("Fermeture", 4),
            ("Autres", 3)]
TITLES = ["Département", "Commune", "Code INSEE", "EPCI", "Adresse", "Informations d’accès", "Latitude",
          "Longitude",
          "Appellation du site", "Type de site", "Date d’installation", "Date de signalement",
          "Type de propriétaire", "S’agit-il d’une réinstallation ?", "Précisions sur la réinstallation",
          "Origines",
          "Nombre de personnes", "Nombre de ménages", "Nombre de mineurs",
          "Enfants inscrits dans un établissement scolaire",
          "Statut de l'accès à l'eau", "Y a-t-il présence d’une installation électrique ?",
          "Comment les habitants ont-ils accès à l'eau ?", "Alerte Canicule", "Statut du diagnostic social",
          "Cause de la fermeture", "Date de fermeture", "Résorbé", "Nombre de personnes",
          "Intervenants (à la date de l’export)", "Commentaires", "Site mis à jour le"]

ROWS = [
    # Saint-Denis, an Excel date and a dd/mm/yyyy date, "oui", two origins
    ["93 - Seine-Saint-Denis", "Saint-Denis", "93066", "Plaine Commune", "12 rue du Canal", "Portail vert",
     48.9362, 2.3574, "Les Tilleuls", "Terrain", datetime.datetime(2024, 6, 1), "15/07/2024", "Privé", "oui",
     None, "Ressortissants européens;Ressortissants français", 40, 10, 12, 5, "bon", "Non",
     "Fontaine publique", "non", "Réalisé", None, None, "Non", None, "M. Untel, Association",
     "01/08/2024 à 10:00 - Jean Dupont\nVisite", "01/09/2024"],
    # Montreuil, "Oui"/"NON", closed by the préfecture, resorbed
    ["93 - Seine-Saint-Denis", "Montreuil", "93048", "Est Ensemble", "3 rue de Paris", None, 48.864, 2.44,
     "Rue de Paris", "Immeuble bâti", "02/01/2023", datetime.datetime(2023, 2, 1), "Public", "NON", None,
     "Ressortissants extracommunautaires", 12, 3, 4, 4, None, "Oui", None, None, "Inconnu",
     "Décision administrative de la Préfecture", "01/02/2026", "Oui", 12, None, None, "01/03/2026"],
    # No INSEE code, no commune: placed by its point (Aubervilliers)
    ["93 - Seine-Saint-Denis", None, None, None, "Quai du canal", None, 48.91, 2.38, "Le Canal", "Inconnu",
     None, None, "Inconnu", None, None, None, 7, None, None, None, None, None, None, None, None, None, None,
     "Non", None, None, None, None],
]


def platform_workbook(path, rows=ROWS, titles=TITLES, sections=SECTIONS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sites"
    column = 1
    for title, width in sections:
        sheet.cell(row=1, column=column, value=title)
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + width - 1)
        column += width
    sheet.append(titles)
    for row in rows:
        sheet.append(row)
    book.save(str(path))
    return path


def sites(store):
    connection = store.connect()
    connection.row_factory = sqlite3.Row
    rows = {r["name"]: dict(r) for r in connection.execute("SELECT * FROM sites")}
    connection.close()
    return rows


def count(store, table="sites"):
    connection = store.connect()
    try:
        return connection.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
    finally:
        connection.close()


def imported(store, path):
    preview = preview_import(store, str(path))
    return preview, apply_import(store, preview, LOGIN)


# --- pure parsing --------------------------------------------------------------------

def test_cells_are_read_as_the_platform_writes_them():
    assert parse_departement("93 - Seine-Saint-Denis", "D", "D") == "93"
    assert parse_departement("2A - Corse-du-Sud", "D", "D") == "2A"
    assert parse_departement("974 - La Réunion", "D", "D") == "974"
    assert parse_departement(1, "D", "D") == "01"
    assert parse_date("15/07/2024", "D", "D") == "2024-07-15"
    assert parse_date(45488, "D", "D") == "2024-07-15"          # Excel serial
    assert parse_date("2024-07-15", "D", "D") == "2024-07-15"
    assert [parse_boolean(v, "B", "B") for v in ("oui", "Oui", "NON", "non", None, "")] == [1, 1, 0, 0, None, None]
    with pytest.raises(CellError):
        parse_boolean("peut-être", "B", "B")
    with pytest.raises(CellError):
        parse_date("31/02/2024", "D", "D")
    assert parse_origins("Ressortissants européens;Ressortissants français", "O", "O") == {
        "origin_french": 1, "origin_european": 1, "origin_extra_eu": 0}
    assert parse_origins(None, "O", "O") == dict.fromkeys(spreadsheet.ORIGIN_FIELDS)
    assert normalise_title("S’agit-il d’une  réinstallation?") == normalise_title(
        "S'agit-il d'une réinstallation ?")


def test_the_header_row_is_found_by_its_labels_not_its_position():
    rows = [["Export du 01/09/2024"], [], ["Localisation", None, "Site"], TITLES, ROWS[0]]
    header = find_header(rows, site_import_columns())
    assert header.row_index == 3 and not header.is_ours
    left_out = [item.title for item in header.not_taken]
    assert "Intervenants (à la date de l'export)" in left_out             # names people
    assert "Statut de l'accès à l'eau" in left_out                        # computed by the platform
    assert header.unknown_titles == []
    assert header.targets.count("population_total") == 1                # the first "Nombre de personnes"
    assert "comments" not in header.targets                              # signed messages: not imported
    assert find_header([["Nom", "Prénom", "Téléphone"], ["a", "b", "c"]], site_import_columns()) is None


# --- the platform's export ------------------------------------------------------------

def test_a_platform_export_imports_with_its_labels_dates_and_places(new_store, tmp_path):
    path = platform_workbook(tmp_path / "export-plateforme.xlsx")
    preview = preview_import(new_store, str(path))
    assert preview.fatal == [] and preview.header_line == 2 and preview.source == "platform"
    assert preview.counts()["create"] == 3, preview.summary()
    summary = "\n".join(preview.summary())
    assert "Colonnes non reprises :" in summary
    assert "« Intervenants (à la date de l'export) » : nomme des personnes" in summary
    assert "« Commentaires » : messages signés" in summary
    result = apply_import(new_store, preview, LOGIN)
    assert (result.created, result.updated) == (3, 0)
    found = sites(new_store)
    tilleuls = found["Les Tilleuls"]
    assert (tilleuls["departement"], tilleuls["insee_code"], tilleuls["city_name"]) == ("93", "93066", "Saint-Denis")
    assert (tilleuls["built_at"], tilleuls["declared_at"]) == ("2024-06-01", "2024-07-15")
    assert (tilleuls["field_type"], tilleuls["owner_type"], tilleuls["is_reinstallation"]) == ("land", "private", 1)
    assert (tilleuls["origin_european"], tilleuls["origin_french"], tilleuls["origin_extra_eu"]) == (1, 1, 0)
    assert (tilleuls["population_total"], tilleuls["minors_in_school"], tilleuls["electricity_access"]) == (40, 5, 0)
    assert tilleuls["water_access_type"] == "fontaine_publique" and tilleuls["census_status"] == "done"
    assert tilleuls["status"] == "open" and tilleuls["closed_with_solutions"] is None
    assert tilleuls["comments"] is None
    assert tilleuls["created_by"] == tilleuls["updated_by"] == LOGIN
    montreuil = found["Rue de Paris"]
    assert (montreuil["status"], montreuil["closed_at"], montreuil["closed_with_solutions"]) == (
        "closed_by_pref_admin", "2026-02-01", "yes")
    assert montreuil["is_reinstallation"] == 0 and montreuil["census_status"] is None
    canal = found["Le Canal"]
    assert (canal["insee_code"], canal["city_name"], canal["departement"]) == ("93001", "Aubervilliers", "93")


def test_a_reimport_updates_instead_of_duplicating_and_is_recorded(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "first.xlsx"))
    changed = [list(r) for r in ROWS]
    changed[0][16] = 55                       # Les Tilleuls: 55 people now
    changed[0][-1] = datetime.date.today().strftime("%d/%m/%Y")
    preview, result = imported(new_store, platform_workbook(tmp_path / "second.xlsx", rows=changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert count(new_store) == 3
    tilleuls = sites(new_store)["Les Tilleuls"]
    assert tilleuls["population_total"] == 55 and tilleuls["row_version"] == 2 and tilleuls["updated_by"] == LOGIN
    connection = new_store.connect()
    history = connection.execute("SELECT population_total, changed_by, reason FROM sites_history").fetchall()
    assert history == [(40, LOGIN, "import: second.xlsx")]


def test_the_same_file_again_changes_nothing(new_store, tmp_path):
    path = platform_workbook(tmp_path / "export.xlsx")
    imported(new_store, path)
    before = sites(new_store)
    preview, result = imported(new_store, path)
    assert preview.counts()["unchanged"] == 3 and (result.created, result.updated) == (0, 0)
    assert sites(new_store) == before and count(new_store, "sites_history") == 0


def test_a_file_older_than_the_store_does_not_undo_later_edits(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "first.xlsx"))
    older = [list(r) for r in ROWS]
    older[0][16] = 33
    older[0][-1] = "01/01/2020"
    preview, result = imported(new_store, platform_workbook(tmp_path / "old.xlsx", rows=older))
    assert result.skipped == 1 and sites(new_store)["Les Tilleuls"]["population_total"] == 40
    assert "la plateforme n'a pas modifié ce site depuis la version déjà importée" in \
        preview.rows[0].warnings[0].message


# --- our own export ---------------------------------------------------------------------

def sheet_without_record_columns(path):
    """The sites sheets of an export (open, then closed), without the columns a store stamps itself."""
    book = openpyxl.load_workbook(str(path))
    rows = list(book["Sites existants"].iter_rows(values_only=True))
    rows += list(book["Sites fermés"].iter_rows(values_only=True, min_row=3))
    titles = rows[1]
    stamped = {"Modifié le", "Population mise à jour le", "Situation confirmée sans changement le"}
    keep = [i for i, t in enumerate(titles) if t not in stamped]
    return [[row[i] for i in keep] for row in rows]


def test_import_export_import_round_trip_changes_nothing(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "platform.xlsx"))
    ours = tmp_path / "ours.xlsx"
    export_workbook(new_store, str(ours), include_justice=True)
    before = sites(new_store)
    preview, result = imported(new_store, ours)
    assert preview.source == "resorption_sig" and preview.notes == []
    assert preview.counts()["unchanged"] == 3 and (result.created, result.updated) == (0, 0)
    assert sites(new_store) == before

    from plugin.store import create_store
    other = create_store(str(tmp_path / "other.gpkg"))
    preview, result = imported(other, ours)
    assert result.created == 3
    again = tmp_path / "again.xlsx"
    export_workbook(other, str(again), include_justice=True)
    assert sheet_without_record_columns(again) == sheet_without_record_columns(ours)
    assert {s["uuid"] for s in sites(other).values()} == {s["uuid"] for s in before.values()}


def test_an_edited_own_export_updates_by_uuid_even_when_renamed(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "platform.xlsx"))
    ours = tmp_path / "ours.xlsx"
    export_workbook(new_store, str(ours))
    book = openpyxl.load_workbook(str(ours))
    sheet = book["Sites existants"]
    titles = [c.value for c in sheet[2]]
    name_column = titles.index("Appellation du site") + 1
    line = next(r for r in range(3, 6) if sheet.cell(row=r, column=name_column).value == "Les Tilleuls")
    sheet.cell(row=line, column=name_column, value="Les Grands Tilleuls")
    sheet.cell(row=line, column=titles.index("Modifié le") + 1, value=None)
    book.save(str(ours))
    preview, result = imported(new_store, ours)
    assert (result.created, result.updated) == (0, 1)
    assert "Les Grands Tilleuls" in sites(new_store) and count(new_store) == 3


# --- bad files -----------------------------------------------------------------------------

def assert_refused_and_untouched(store, path, expected):
    before = count(store)
    preview = preview_import(store, str(path))
    text = "\n".join(preview.summary())
    assert expected in text, text
    with pytest.raises(ImportRefused):
        apply_import(store, preview, LOGIN)
    assert count(store) == before
    return preview


def test_a_file_with_only_unknown_columns_is_refused(new_store, tmp_path):
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Nom", "Prénom", "Téléphone"])
    book.active.append(["Dupont", "Jean", "0600000000"])
    book.save(str(path))
    assert_refused_and_untouched(new_store, path, "Aucune ligne d'en-têtes reconnue")


def test_garbled_accents_are_pointed_out(new_store, tmp_path):
    path = tmp_path / "mal-encode.xlsx"
    book = openpyxl.Workbook()
    garbled = [title.encode("utf-8").decode("cp1252", errors="replace") for title in
               ("Département", "Appellation du site", "Date d'installation", "Précisions sur la réinstallation")]
    book.active.append(garbled)
    book.active.append(["93", "Les Tilleuls", "01/06/2024", None])
    book.save(str(path))
    assert_refused_and_untouched(new_store, path, "mauvais encodage")


def test_a_text_file_an_old_xls_and_an_empty_file_are_refused_clearly(new_store, tmp_path):
    latin1 = tmp_path / "export.xlsx"
    latin1.write_bytes("Département;Commune\n93;Saint-Denis\n".encode("latin-1"))
    assert_refused_and_untouched(new_store, latin1, "n'est pas un classeur Excel .xlsx lisible")
    old = tmp_path / "ancien.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert_refused_and_untouched(new_store, old, "Excel 97-2003")
    empty = tmp_path / "vide.xlsx"
    empty.write_bytes(b"")
    assert_refused_and_untouched(new_store, empty, "est vide")
    damaged = tmp_path / "abime.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert_refused_and_untouched(new_store, damaged, "n'est pas un classeur Excel .xlsx lisible")
    headers_only = platform_workbook(tmp_path / "entetes.xlsx", rows=[])
    assert_refused_and_untouched(new_store, headers_only, "aucune ligne de données")


def test_thousands_of_bad_rows_write_nothing_and_the_report_stays_readable(new_store, tmp_path):
    bad = [list(ROWS[0]) for _ in range(3000)]
    for number, row in enumerate(bad):
        row[8] = "Site %d" % number
        row[16] = "beaucoup"
    path = platform_workbook(tmp_path / "bad.xlsx", rows=[ROWS[1]] + bad)
    preview = assert_refused_and_untouched(new_store, path, "3000 × « Nombre de personnes » : « beaucoup »")
    assert preview.counts()["invalid"] == 3000 and preview.counts()["create"] == 1
    assert len(preview.summary()) < 40
    assert count(new_store, "sites_history") == 0


def test_rule_breaking_rows_are_reported_with_the_store_rules(new_store, tmp_path):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][18] = 90                                   # more minors than people
    rows[1][26] = None                                 # closed without a closing date
    preview = assert_refused_and_untouched(new_store, platform_workbook(tmp_path / "rules.xlsx", rows=rows),
                                           "Le nombre de mineurs dépasse le nombre de personnes")
    assert "La date de fermeture est obligatoire" in "\n".join(preview.summary())


def test_skip_invalid_imports_only_the_valid_rows(new_store, tmp_path):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][16] = "beaucoup"
    preview = preview_import(new_store, str(platform_workbook(tmp_path / "mixed.xlsx", rows=rows)))
    result = apply_import(new_store, preview, LOGIN, skip_invalid=True)
    assert (result.created, result.invalid) == (1, 1) and list(sites(new_store)) == ["Rue de Paris"]


def test_a_store_changed_since_the_preview_refuses_the_whole_import(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "first.xlsx"))
    changed = [list(r) for r in ROWS]
    changed[0][16], changed[1][16] = 55, 13
    changed[0][-1] = changed[1][-1] = datetime.date.today().strftime("%d/%m/%Y")
    preview = preview_import(new_store, str(platform_workbook(tmp_path / "second.xlsx", rows=changed)))
    assert preview.counts()["update"] == 2
    connection = new_store.connect()
    connection.execute("UPDATE sites SET population_couples = 4, row_version = row_version + 1, updated_by = 'bob' "
                       "WHERE name = 'Rue de Paris'")
    connection.close()
    with pytest.raises(ImportRefused, match="modifié dans le stockage depuis l'aperçu"):
        apply_import(new_store, preview, LOGIN)
    assert sites(new_store)["Les Tilleuls"]["population_total"] == 40


def test_the_cli_reports_and_exits_non_zero_when_nothing_can_be_imported(new_store, tmp_path, capsys):
    path = platform_workbook(tmp_path / "export.xlsx")
    assert cli.main(["import", new_store.location, str(path), "--dry-run"]) == 0
    assert "3 lignes : 3 à créer" in capsys.readouterr().out and count(new_store) == 0
    assert cli.main(["import", new_store.location, str(path), "--login", LOGIN]) == 0
    assert count(new_store) == 3
    junk = tmp_path / "junk.xlsx"
    junk.write_text("pas un classeur", encoding="utf-8")
    assert cli.main(["import", new_store.location, str(junk)]) != 0
    rows = [list(ROWS[0])]
    rows[0][16] = "beaucoup"
    assert cli.main(["import", new_store.location, str(platform_workbook(tmp_path / "bad.xlsx", rows=rows))]) != 0
    assert count(new_store) == 3


def test_two_sites_of_one_name_in_one_commune_stay_two_across_reimports(new_store, tmp_path):
    """A site reinstalled where a closed one stood often keeps its name: the reporting date and
    the point tell them apart."""
    closed, reopened = list(ROWS[1]), list(ROWS[1])
    reopened[11], reopened[6], reopened[7] = "01/03/2026", 48.8645, 2.4405
    reopened[25] = reopened[26] = None
    reopened[27] = "Non"
    path = platform_workbook(tmp_path / "two.xlsx", rows=[closed, reopened])
    preview, result = imported(new_store, path)
    assert result.created == 2 and count(new_store) == 2
    preview, result = imported(new_store, path)
    assert preview.counts()["unchanged"] == 2 and count(new_store) == 2


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (libreoffice-calc-nogui, installed by .ci/setup) is not installed")
def test_our_export_saved_again_by_libreoffice_imports_unchanged(new_store, tmp_path):
    imported(new_store, platform_workbook(tmp_path / "platform.xlsx"))
    ours = tmp_path / "ours.xlsx"
    export_workbook(new_store, str(ours))
    resaved = tmp_path / "libreoffice"
    subprocess.run(["soffice", "-env:UserInstallation=file://%s" % (tmp_path / "profile"), "--headless",
                    "--convert-to", "xlsx", "--outdir", str(resaved), str(ours)],
                   check=True, capture_output=True, timeout=120)
    preview = preview_import(new_store, str(resaved / "ours.xlsx"))
    assert preview.counts()["unchanged"] == 3, preview.summary()
