"""The operator's monthly workbook: written by `observatory`, filled as an operator does (only the
month's column, in a spreadsheet program, then saved by LibreOffice), brought back by `import`."""
import contextlib
import shutil
import subprocess

import openpyxl
import pytest

from plugin import cli
from plugin.store import gpkg
from plugin.store import indicators_sql as sql

ACTION = "a0000000-0000-4000-8000-0000000000aa"
ORGANISATIONS = (("o0000000-0000-4000-8000-000000000001", "Association Rives", "operator"),
                 ("o0000000-0000-4000-8000-000000000002", "Les Compagnons du 93", "operator"),
                 ("o0000000-0000-4000-8000-000000000003", "Préfecture de Seine-Saint-Denis", "pilot"))
soffice = shutil.which("soffice")


@pytest.fixture
def store(new_store):
    with contextlib.closing(new_store.connect()) as connection, gpkg.transaction(connection):
        for uuid, name, role in ORGANISATIONS:
            connection.execute("INSERT INTO organisations (uuid, name, type, departement) VALUES (?, ?, ?, '93')",
                               (uuid, name, "association" if role == "operator" else "prefecture"))
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement, values_entered_by) "
                           "VALUES (?, 'MOUS Les Lilas', '2025-09-01', 'Accompagner', '93', ?)",
                           (ACTION, ORGANISATIONS[0][0]))
        for uuid, _name, role in ORGANISATIONS:
            connection.execute("INSERT INTO action_organisations (action_uuid, organisation_uuid, role) "
                               "VALUES (?, ?, ?)", (ACTION, uuid, role))
    with contextlib.closing(new_store.connect()) as connection:
        sql.save_month_values(connection, ACTION, {("people", "2025-10"): 40, ("households", "2025-10"): 11,
                                                   ("people", "2025-11"): 42}, "agent.ddets")
    return new_store


def month_column(sheet, month):
    header = [c.value for c in sheet[7]]
    return header.index(month) + 1


def fill_as_an_operator(path, values, tmp_path):
    """openpyxl types in the month's column only; LibreOffice opens and saves the file again."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = month_column(sheet, "2025-12")
    for row in range(8, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code in values:
            sheet.cell(row, column).value = values[code]
    book.save(path)
    if soffice is None:
        return path
    out = tmp_path / "libreoffice"
    out.mkdir(exist_ok=True)
    subprocess.run([soffice, "-env:UserInstallation=file://%s" % (tmp_path / "lo-profile"), "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    return out / path.name


def import_(store, path, *extra):
    return cli.main(["import", store.location, str(path), "--login", "agent.ddets"] + list(extra))


def grid_values(store):
    with contextlib.closing(store.connect()) as connection:
        return {key: cell.value for key, cell in sql.grid(connection, ACTION).items()}


def test_the_workbook_shows_the_dispositif_the_previous_months_and_opens_only_the_month(store, tmp_path):
    path = tmp_path / "observatoire.xlsx"
    assert cli.main(["observatory", store.location, str(path), "--action", ACTION, "--month", "2025-12"]) == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    text = " ".join(str(c.value) for row in sheet.iter_rows(max_row=5) for c in row if c.value)
    assert "MOUS Les Lilas" in text and "Association Rives, Les Compagnons du 93" in text
    assert "Mode d'emploi" in text and "vide n'est pas zéro" in text
    header = [c.value for c in sheet[7]]
    assert header[0] == "Code" and header[4:] == ["2025-09", "2025-10", "2025-11", "2025-12"]
    rows = {sheet.cell(r, 1).value: r for r in range(8, sheet.max_row + 1)}
    assert sheet.cell(rows["people"], 6).value == 40 and sheet.cell(rows["people"], 7).value == 42
    assert sheet.protection.sheet
    assert not sheet.cell(rows["people"], 8).protection.locked and sheet.cell(rows["people"], 7).protection.locked
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "whole" and str(validation.sqref) == "H8:H%d" % sheet.max_row


@pytest.mark.skipif(soffice is None, reason="LibreOffice is not installed")
def test_a_workbook_filled_and_saved_by_libreoffice_is_imported_once(store, tmp_path, capsys):
    path = tmp_path / "observatoire.xlsx"
    cli.main(["observatory", store.location, str(path), "--action", ACTION, "--month", "2025-12"])
    filled = fill_as_an_operator(path, {"people": 45, "households": 12, "women": 20, "housing_households": 2},
                                 tmp_path)
    assert import_(store, filled, "--dry-run") == 0
    assert "4 nouvelle(s)" in capsys.readouterr().out and ("people", "2025-12") not in grid_values(store)
    assert import_(store, filled) == 0
    assert "4 valeur(s) écrite(s)" in capsys.readouterr().out
    values = grid_values(store)
    assert (values[("people", "2025-12")], values[("women", "2025-12")], values[("people", "2025-11")]) == (45, 20, 42)
    assert import_(store, filled) == 0
    out = capsys.readouterr().out
    assert "0 nouvelle(s), 0 modifiée(s), 48 inchangée(s)" in out and "0 valeur(s) écrite(s)" in out
    with contextlib.closing(store.connect()) as connection:
        assert connection.execute("SELECT count(*) FROM indicator_values WHERE created_by = 'agent.ddets' "
                                  "AND period = '2025-12'").fetchone()[0] == 4
    # the same workbook corrected after its import: the store moved since it was made, so the officer
    # chooses; taking the file keeps the replaced value in the history with the file as reason
    corrected = fill_as_an_operator(path, {"people": 46, "households": 12, "women": 20, "housing_households": 2},
                                    tmp_path)
    assert import_(store, corrected) == 3 and grid_values(store)[("people", "2025-12")] == 45
    assert import_(store, corrected, "--conflicts", "file") == 0
    with contextlib.closing(store.connect()) as connection:
        assert connection.execute("SELECT value, reason FROM indicator_values_history").fetchall() == [
            (45, "import: observatoire.xlsx")]


def test_a_wrong_cell_writes_nothing(store, tmp_path, capsys):
    path = tmp_path / "observatoire.xlsx"
    cli.main(["observatory", store.location, str(path), "--action", ACTION, "--month", "2025-12"])
    for bad in ("douze", -3, 4.5):
        fill_as_an_operator(path, {"people": 45, "households": bad}, tmp_path)
        assert import_(store, path) == 1
        assert ("people", "2025-12") not in grid_values(store)
    fill_as_an_operator(path, {"people": 45, "households": 12, "women": 50}, tmp_path)
    assert import_(store, path) == 1
    err = capsys.readouterr()
    assert "women (50) dépasse people (45)" in err.out and "Rien n'a été importé" in err.err


def test_a_value_the_officer_changed_since_the_workbook_was_made_is_a_conflict(store, tmp_path, capsys):
    path = tmp_path / "observatoire.xlsx"
    cli.main(["observatory", store.location, str(path), "--action", ACTION, "--month", "2025-12"])
    with contextlib.closing(store.connect()) as connection:
        sql.save_month_values(connection, ACTION, {("people", "2025-12"): 50, ("people", "2025-11"): 43},
                              "agent.ddets")
    fill_as_an_operator(path, {"people": 45, "households": 12}, tmp_path)
    assert import_(store, path) == 3
    assert "conflit / conflict people 2025-12 : fichier / file 45, stockage / store 50" in capsys.readouterr().out
    assert grid_values(store)[("people", "2025-12")] == 50 and ("households", "2025-12") not in grid_values(store)
    assert import_(store, path, "--conflicts", "keep") == 0
    values = grid_values(store)
    # the officer's values stay (the month's and the pre-filled November the operator could not touch)
    assert (values[("people", "2025-12")], values[("people", "2025-11")], values[("households", "2025-12")]) == (
        50, 43, 12)
    assert import_(store, path, "--conflicts", "file") == 0
    assert grid_values(store)[("people", "2025-12")] == 45


def test_actions_and_indicators_on_the_command_line(store, capsys):
    import json
    assert cli.main(["actions", store.location, "--departement", "93", "--at", "2025-10-15", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["uuid"] == ACTION and listed["operators"] == ["Association Rives", "Les Compagnons du 93"]
    assert listed["topics"] == [] and listed["started_at"] == "2025-09-01" and listed["ended_at"] is None
    assert cli.main(["actions", store.location, "--at", "2025-08-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["indicators", store.location, "--action", ACTION, "--from", "2025-09", "--to", "2025-11",
                     "--by", "month", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == {"people": 42, "households": 11} and result["missing_months"] == 1
    assert [(g["key"], g["missing_months"], g["total"]) for g in result["groups"]] == [
        ("2025-09", 1, {}), ("2025-10", 0, {"people": 40, "households": 11}), ("2025-11", 0, {"people": 42})]
    assert cli.main(["indicators", store.location, "--from", "2025-13"]) == 2
    assert "AAAA-MM" in capsys.readouterr().err


def test_the_excel_export_carries_the_dispositif_its_finances_and_its_monthly_values(store, tmp_path):
    path = tmp_path / "export.xlsx"
    with contextlib.closing(store.connect()) as connection, gpkg.transaction(connection):
        connection.execute("INSERT INTO action_topics (action_uuid, topic) VALUES (?, 'housing'), (?, 'rights')",
                           (ACTION, ACTION))
        connection.execute("INSERT INTO action_finances (action_uuid, year, finance_type, amount, real_amount) "
                           "VALUES (?, 2025, 'dedie', 120000, 98000.5), (?, 2025, 'europeen', 30000, NULL)",
                           (ACTION, ACTION))
    assert cli.main(["export", store.location, str(path), "--departement", "93"]) == 0
    book = openpyxl.load_workbook(path)
    detail = [[c.value for c in row] for row in book["Dispositifs détail"].iter_rows()]
    assert detail[0][:3] == ["uuid", "Dispositif", "Département"]
    assert detail[1][5:13] == ["housing;rights", "Logement; Accès aux droits",
                               "Association Rives; Les Compagnons du 93", "Préfecture de Seine-Saint-Denis",
                               "Association Rives", 150000, 98000.5, 1]
    finances = [[c.value for c in row] for row in book["Financements"].iter_rows(min_row=2)]
    assert [(r[2], r[3], r[5], r[6]) for r in finances] == [(2025, "dedie", 120000, 98000.5),
                                                            (2025, "europeen", 30000, None)]
    values = [[c.value for c in row] for row in book["Indicateurs mensuels"].iter_rows(min_row=2)]
    assert [(r[0], r[3], r[4], r[6], r[7]) for r in values] == [
        (ACTION, "2025-10", "households", "stock", 11), (ACTION, "2025-10", "people", "stock", 40),
        (ACTION, "2025-11", "people", "stock", 42)]


def test_a_departement_creates_a_local_indicator_that_its_workbooks_carry(store, tmp_path, capsys):
    assert cli.main(["local-indicator", store.location, "--departement", "93", "--code", "mediation_93",
                     "--label", "Médiations scolaires", "--label-en", "School mediations", "--kind", "flow",
                     "--login", "agent.ddets"]) == 0
    with sql.connection_of(store) as connection:
        assert {d.code: d.label_en for d in sql.definitions(connection, "93")}["mediation_93"] == "School mediations"
    assert cli.main(["local-indicator", store.location, "--departement", "93", "--code", "mediation_93",
                     "--label", "Doublon"]) == 2
    assert "refusé par le stockage" in capsys.readouterr().err
    path = tmp_path / "observatoire.xlsx"
    cli.main(["observatory", store.location, str(path), "--action", ACTION, "--month", "2025-12"])
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(8, sheet.max_row + 1)}
    assert rows["mediation_93"][1:3] == ["Médiations scolaires", "Flux (dans le mois)"]
