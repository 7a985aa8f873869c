"""The national platform's two exports, laid out as the platform writes them (platform_fixture.py,
made from its source code), import whole, again with no change, and as LibreOffice saved them."""
import copy
import datetime
import functools
import shutil
import sqlite3
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_fixture import (CLOSED_SITES, OPEN_SITES, columns, saved_by_libreoffice, utc_serial_moment,
                              write_both, write_export)
from plugin.exchange.importer import apply_import, preview_import
from plugin.exchange.xlsx_reader import XlsxReader
from plugin.model.spreadsheet import (find_header, parse_platform_date, parse_platform_timestamp, read_row,
                                      site_import_columns)
from sync_helpers import add_site

LOGIN = "agent.plateforme"
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                       reason="LibreOffice (libreoffice-calc-nogui, installed by .ci/setup) "
                                              "is not installed")


def imported(store, path):
    preview = preview_import(store, str(path))
    return preview, apply_import(store, preview, LOGIN)


def rows(store, table="sites"):
    connection = store.connect()
    connection.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in connection.execute("SELECT * FROM %s" % table)]
    finally:
        connection.close()


def by_platform_id(store):
    return {row["platform_id"]: row for row in rows(store)}


def outcomes(store):
    found = {}
    for row in rows(store, "site_closing_outcomes"):
        found.setdefault(row["site_uuid"], {})[row["solution"]] = (row["people"], row["households"])
    return found


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_both(tmp_path_factory.mktemp("platform"))


def test_both_exports_import_whole_with_nc_as_unknown(new_store, exports):
    open_path, closed_path = exports
    preview, result = imported(new_store, open_path)
    assert preview.fatal == [] and preview.source == "platform" and preview.header_line == 7, preview.summary()
    assert (result.created, result.invalid) == (len(OPEN_SITES), 0), preview.summary()
    assert not any(row.errors or row.warnings for row in preview.rows), preview.summary()
    preview, result = imported(new_store, closed_path)
    assert (result.created, result.invalid) == (len(CLOSED_SITES), 0), preview.summary()
    sites = by_platform_id(new_store)
    assert set(sites) == {"1201", "1202", "1203", "1204", "1101", "1102", "1103"}

    tilleuls = sites["1201"]
    assert (tilleuls["name"], tilleuls["city_name"], tilleuls["insee_code"], tilleuls["departement"]) == (
        "Les Tilleuls", "La Courneuve", "93027", "93")
    # Excel dates of a French midnight (22:00 or 23:00 UTC the day before) are that French day.
    assert (tilleuls["built_at"], tilleuls["declared_at"], tilleuls["census_conducted_at"]) == (
        "2023-03-01", "2023-04-15", "2024-05-12")
    assert tilleuls["platform_updated_at"] == "2026-10-28T09:12:00.000Z"      # 10:12 in Paris
    assert (tilleuls["population_total"], tilleuls["population_total_females"], tilleuls["population_minors_girls"],
            tilleuls["resorption_target"]) == (47, 22, 9, 2027)
    assert tilleuls["water_access_type"] == "robinet_connecte_au_reseau"
    assert tilleuls["electricity_access_types"] == "Groupe électrogène ; Raccordement au réseau urbain"
    assert (tilleuls["electricity_access_is_unequal"], tilleuls["sanitary_toilets_are_inside"],
            tilleuls["trash_bulky_is_piling"], tilleuls["pest_animals_details"]) == (1, 1, 1, "Rats près des caravanes")
    assert (tilleuls["police_status"], tilleuls["police_requested_at"], tilleuls["evacuation_order"],
            tilleuls["evacuation_order_at"], tilleuls["evacuation_at"], tilleuls["insalubrity_order"]) == (
        "requested", "2026-10-20", 1, "2026-10-02", "2026-12-15", 0)
    assert (tilleuls["justice_rendered"], tilleuls["justice_rendered_at"], tilleuls["justice_rendered_by"]) == (
        1, "2024-09-10", "Tribunal judiciaire de Bobigny")
    assert tilleuls["comments"] is None and tilleuls["created_by"] == LOGIN

    unknown = sites["1202"]             # every cell NC but its place: unknown, never 0
    assert unknown["name"] is None and unknown["population_total"] is None and unknown["caravans"] is None
    assert unknown["electricity_access"] is None and unknown["police_status"] is None
    assert unknown["census_status"] is None and unknown["status"] == "open"

    # Where the people of the closed sites went; the platform's long-term solutions count as housing.
    found = outcomes(new_store)
    assert found[sites["1101"]["uuid"]] == {"shelter": (5, 2), "housing": (16, 4)}
    assert found[sites["1103"]["uuid"]] == {"other": (6, 2)}
    assert sites["1102"]["uuid"] not in found
    assert (sites["1101"]["status"], sites["1101"]["closed_at"], sites["1101"]["closed_with_solutions"]) == (
        "resorbed", "2026-09-30", "yes")
    assert (sites["1103"]["status"], sites["1103"]["closing_context"]) == ("other", "Incendie, départ des familles")

    # Nobody named: the platform's actors, messages and bailiffs stay out of the store.
    everything = repr(rows(new_store)) + repr(rows(new_store, "site_closing_outcomes"))
    for name in ("Jeanne", "MARTIN", "DURAND", "Martin"):
        assert name not in everything


def test_every_column_is_taken_or_listed_with_its_reason(new_store, exports):
    for path, closed in zip(exports, (False, True)):
        preview = preview_import(new_store, str(path))
        assert preview.notes == [], preview.summary()                 # no unknown, no duplicate column
        summary = "\n".join(preview.summary())
        assert "Colonnes non reprises :" in summary
        assert "« Intervenants (à la date de l'export) » : nomme des personnes" in summary
        assert "« Statut de l'accès à l'eau » : calculé par la plateforme" in summary
        taken = site_import_columns()
        with XlsxReader(str(path)) as reader:
            header = find_header(list(reader.rows(limit=10)), taken)
        listed = {item.title for item in preview.not_taken}
        for index, (title, _, _) in enumerate(columns(closed)):
            assert (index in header.columns or index in header.outcomes
                    or title.replace("’", "'") in listed), title


def test_a_reimport_of_both_changes_nothing(new_store, exports):
    for path in exports:
        imported(new_store, path)
    before = rows(new_store), rows(new_store, "site_closing_outcomes")
    for path in exports:
        preview, result = imported(new_store, path)
        assert (result.created, result.updated, result.invalid) == (0, 0, 0)
        assert result.unchanged == len(preview.rows)
    assert (rows(new_store), rows(new_store, "site_closing_outcomes")) == before
    assert rows(new_store, "sites_history") == []


def test_a_site_renamed_on_the_platform_is_updated_not_duplicated(new_store, exports, tmp_path):
    imported(new_store, exports[0])
    renamed = copy.deepcopy(OPEN_SITES)
    renamed[0].update(name="Les Tilleuls (terrain nord)", address="14 rue de la Convention",
                      updated_at=datetime.datetime(2026, 11, 20, 15, 0))
    preview, result = imported(new_store, write_export(tmp_path / "renamed.xlsx", renamed, closed=False))
    assert (result.created, result.updated) == (0, 1), preview.summary()
    sites = by_platform_id(new_store)
    assert len(sites) == len(OPEN_SITES) and sites["1201"]["name"] == "Les Tilleuls (terrain nord)"


def test_a_platform_update_between_two_extractions_is_applied(new_store, exports, tmp_path):
    imported(new_store, exports[0])
    connection = new_store.connect()
    with connection:   # an edit here after the first import: a later time than the platform's next update
        connection.execute("UPDATE sites SET comments = 'Visite du 30/11', updated_by = 'agent' "
                           "WHERE platform_id = '1203'")
    connection.close()
    later = copy.deepcopy(OPEN_SITES)
    later[2].update(people=14, households=4, updated_at=datetime.datetime(2026, 11, 25, 9, 0))
    later[3].update(people=99)            # changed without a new platform update time: not a platform update
    preview, result = imported(new_store, write_export(tmp_path / "second.xlsx", later, closed=False))
    assert (result.updated, result.skipped) == (1, 1), preview.summary()
    sites = by_platform_id(new_store)
    assert (sites["1203"]["population_total"], sites["1203"]["population_couples"]) == (14, 4)
    assert sites["1203"]["comments"] == "Visite du 30/11"
    assert sites["1203"]["platform_updated_at"] == "2026-11-25T08:00:00.000Z"
    assert sites["1204"]["population_total"] == 23
    skipped = next(row for row in preview.rows if row.action == "skipped")
    assert "la plateforme n'a pas modifié ce site" in skipped.warnings[0].message


@needs_libreoffice
def test_the_exports_saved_by_libreoffice_import_the_same(new_store, exports, tmp_path):
    for path in exports:
        imported(new_store, path)
    before = rows(new_store)
    for path in exports:
        resaved = saved_by_libreoffice(path, tmp_path / "libreoffice")
        with XlsxReader(str(resaved)) as reader:
            totals = list(reader.rows())[-1]
        assert any(isinstance(cell, (int, float)) and cell > 0 for cell in totals)   # cached sums
        preview, result = imported(new_store, resaved)
        assert all(row.values.get("platform_id") for row in preview.rows)        # the links kept
        assert (result.created, result.updated, result.invalid) == (0, 0, 0), preview.summary()
        assert result.unchanged == len(preview.rows)
    assert rows(new_store) == before


def test_unknown_columns_are_warned_and_listed(new_store, tmp_path):
    path = write_export(tmp_path / "plus.xlsx", OPEN_SITES, closed=False)
    book = openpyxl.load_workbook(str(path))
    sheet = book.active
    sheet.cell(row=7, column=sheet.max_column + 1, value="Nouvelle colonne de la plateforme")
    book.save(str(path))
    preview = preview_import(new_store, str(path))
    assert [n.message for n in preview.notes] == [
        "Colonnes inconnues, ignorées : « Nouvelle colonne de la plateforme »"]
    assert preview.counts()["create"] == len(OPEN_SITES)


@functools.lru_cache(maxsize=None)
def platform_sheet():
    """The rows of an open-sites export of one site, as the reader gives them."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_export(Path(folder) / "open.xlsx", OPEN_SITES[:1], closed=False)
        with XlsxReader(str(path)) as reader:
            return list(reader.rows())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(min_value=0, max_value=len(columns(False)) - 1)))
def test_nc_in_any_columns_is_unknown(blanked):
    """Any set of the platform's columns left unknown (« NC ») reads as unknown, never as 0 nor an error."""
    sheet = platform_sheet()
    header = find_header(sheet[:10], site_import_columns())
    cells = list(sheet[7])
    for index in blanked:
        cells[index] = "NC"
    report = read_row(header, cells, 8)
    latitude_or_longitude = {i for i, (title, _, _) in enumerate(columns(False)) if title in ("Latitude", "Longitude")}
    if not (blanked & latitude_or_longitude) or latitude_or_longitude <= blanked:
        assert report.errors == []
    for index in blanked:
        column = header.columns.get(index)
        if column is not None and not column.target.startswith("@"):
            assert report.values[column.target] is None, column.label


def test_the_mapping_page_names_every_column_of_both_exports():
    page = (Path(__file__).resolve().parents[2] / "docs" / "correspondance-plateforme.md").read_text(encoding="utf-8")
    listed = {tuple(cell.strip() for cell in line.split("|")[2:3]) for line in page.splitlines()
              if line.startswith("| ")}
    for closed in (False, True):
        for title, _, _ in columns(closed):
            assert (title,) in listed, title


def test_a_row_of_numbers_that_places_a_site_is_data_not_totals(new_store, tmp_path):
    path = tmp_path / "chiffres.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Code INSEE", "Nombre de personnes", "Nombre de ménages"])
    book.active.append([93066, 12, 3])
    book.active.append([None, 12, 3])           # the sums under the data
    book.save(str(path))
    preview = preview_import(new_store, str(path))
    assert [row.line for row in preview.rows] == [2] and preview.rows[0].values["insee_code"] == "93066"


@given(st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2040, 12, 31)),
       st.times(), st.booleans())
def test_the_platforms_excel_dates_are_french_days(day, time, midnight):
    """exceljs stores the UTC instant of a French local time: read back, the date is the French
    day, whatever the season (UTC+1 or UTC+2), and an update time comes back as that instant."""
    local = datetime.datetime.combine(day, datetime.time(0) if midnight else time.replace(microsecond=0))
    instant = utc_serial_moment(local)
    serial = (instant - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
    assert parse_platform_date(serial, "D", "D") == day.isoformat()
    moment, with_time = parse_platform_timestamp(serial, "T", "T")
    assert abs((moment - instant).total_seconds()) < 0.002 and with_time == (serial != int(serial))


def test_a_site_entered_here_is_tied_to_the_platform_without_losing_later_edits(new_store, tmp_path):
    connection = new_store.connect()
    with connection:   # entered by hand (now: later than the platform's version of 02/11/2026)
        add_site(connection, "Rue de Paris", insee="93048", population=11, lon=2.4369, lat=48.8566,
                 city_name="Montreuil", created_by="agent", updated_by="agent")
    connection.close()
    preview, result = imported(new_store, write_export(tmp_path / "first.xlsx", OPEN_SITES, closed=False))
    assert (result.created, result.updated) == (len(OPEN_SITES) - 1, 1), preview.summary()
    tied = next(row for row in preview.rows if row.action == "update")
    assert set(tied.changes) == {"platform_id", "platform_updated_at"}
    assert "relié au site 1203 de la plateforme" in tied.warnings[0].message
    site = by_platform_id(new_store)["1203"]
    assert (site["population_total"], site["created_by"]) == (11, "agent")
    renamed = copy.deepcopy(OPEN_SITES)
    renamed[2].update(name="Rue de Paris (cour)", people=12, updated_at=datetime.datetime(2026, 12, 1, 9, 0))
    preview, result = imported(new_store, write_export(tmp_path / "second.xlsx", renamed, closed=False))
    assert (result.created, result.updated) == (0, 1), preview.summary()
    site = by_platform_id(new_store)["1203"]
    assert (site["name"], site["population_total"]) == ("Rue de Paris (cour)", 12)
