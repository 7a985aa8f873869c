"""Spreadsheets that crashed or hung the import (issue 16): each is refused at once with a French
message, or read for what it says; nothing is written from a file that fails."""
import contextlib
import re
import struct
import time
import zipfile
import zlib

import openpyxl
import pytest

from plugin import cli
from plugin.exchange.importer import apply_import, preview_import
from plugin.store.gpkg import connect
from test_excel_import import ROWS, platform_workbook

FAST = 5.0   # seconds: what "at once" means here, on a shared machine


def rewritten(path, change):
    """The workbook at `path` with its first sheet's XML passed through `change`."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def refused_quickly(store, path):
    started = time.monotonic()
    preview = preview_import(store, str(path))
    elapsed = time.monotonic() - started
    assert elapsed < FAST, elapsed
    assert preview.fatal and not preview.rows
    return preview.fatal[0].message


def sites(store):
    with contextlib.closing(connect(store.location)) as connection:
        return connection.execute("SELECT name, insee_code, population_total FROM sites ORDER BY name").fetchall()


def test_a_cell_at_column_zzzzzzz_is_refused_at_once(new_store, tmp_path):
    far = '<c r="ZZZZZZZ3" t="inlineStr"><is><t>x</t></is></c>'
    path = rewritten(platform_workbook(tmp_path / "colonne.xlsx"),
                     lambda xml: xml.replace('<c r="A3"', far + '<c r="A3"'))
    assert path.stat().st_size < 20_000
    message = refused_quickly(new_store, path)
    assert "dépasse ce qu'un classeur Excel contient" in message and "ZZZZZZZ3" in message


def test_a_row_two_billion_is_refused_at_once(new_store, tmp_path):
    path = rewritten(platform_workbook(tmp_path / "ligne.xlsx"),
                     lambda xml: xml.replace("</sheetData>", '<row r="2000000000"><c r="A2000000000" t="inlineStr">'
                                                            "<is><t>x</t></is></c></row></sheetData>"))
    message = refused_quickly(new_store, path)
    assert "ligne 2000000000" in message


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zip_of(path, entries):
    """A zip written byte by byte: entries are (name, raw deflate stream, crc32, uncompressed size)."""
    with open(path, "wb") as out:
        directory = b""
        for name, data, crc, size in entries:
            offset = out.tell()
            encoded = name.encode()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
                      + encoded + data)
            directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                                     len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        start = out.tell()
        out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                          len(directory), start, 0))


def test_a_one_megabyte_zip_bomb_is_refused_at_once(new_store, tmp_path):
    """1 GB of blanks inside a valid sheet, compressed to 1 MB (deflate blocks repeated, a real bomb)."""
    megabyte = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    opening, closing = zlib.compressobj(9, zlib.DEFLATED, -15), zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = (opening.compress(head) + opening.flush(zlib.Z_FULL_FLUSH) + block * 1000
              + closing.compress(tail) + closing.flush())
    crc = zlib.crc32(head)
    for _ in range(1000):
        crc = zlib.crc32(megabyte, crc)
    crc = zlib.crc32(tail, crc)
    workbook = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
                b'<sheet name="Sites" sheetId="1"/></sheets></workbook>')
    path = tmp_path / "bombe.xlsx"
    zip_of(path, [("xl/workbook.xml", raw_deflate(workbook), zlib.crc32(workbook), len(workbook)),
                  ("xl/worksheets/sheet1.xml", stream, crc, len(head) + 1000 * len(megabyte) + len(tail))])
    assert path.stat().st_size < 1_100_000
    message = refused_quickly(new_store, path)
    assert "bombe zip" in message


def platform_cells(path, changes):
    """The platform workbook with some cells of its first data row (row 3) replaced."""
    platform_workbook(path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for reference, value in changes.items():
        sheet[reference] = value
    book.save(path)
    return path


def test_a_formula_without_its_value_keeps_the_stored_value(new_store, tmp_path):
    first = platform_workbook(tmp_path / "premier.xlsx")
    apply_import(new_store, preview_import(new_store, str(first)), "agent")
    before = sites(new_store)
    assert ("Les Tilleuls", "93066", 40) in before
    # openpyxl, like any script, writes the formula without computing it: <f>…</f><v></v>
    again = platform_cells(tmp_path / "formule.xlsx", {"Q3": "=R3*4"})
    assert re.search(r'<c r="Q3"><f>R3\*4</f><v\s*/?>', zipfile.ZipFile(again).read(
        "xl/worksheets/sheet1.xml").decode()), "the file holds the formula without a value"
    preview = preview_import(new_store, str(again))
    tilleuls = next(r for r in preview.rows if r.name == "Les Tilleuls")
    assert "population_total" not in tilleuls.values and not tilleuls.errors
    apply_import(new_store, preview, "agent")
    assert sites(new_store) == before


@pytest.mark.parametrize("cell, value, said", [
    ("C3", "nan", "Code INSEE NAN absent du référentiel des communes"),   # pandas writes a missing code so
    ("Q3", 1e20, "« Nombre de personnes » : 1e+20 est hors de toute mesure"),
    ("C3", "99999", "Code INSEE 99999 absent du référentiel des communes"),
])
def test_bad_values_give_a_message_and_write_nothing(new_store, tmp_path, capsys, cell, value, said):
    path = platform_cells(tmp_path / "mauvais.xlsx", {cell: value})
    code = cli.main(["import", new_store.location, str(path)])
    printed = capsys.readouterr()
    assert said in printed.out and "Traceback" not in printed.err
    assert code == 2 and "rien n'a été importé" in printed.err   # the other rows are valid, but one is not
    assert sites(new_store) == []


def test_a_number_that_is_not_a_number_gives_a_message(new_store, tmp_path, capsys):
    """As a script writes NaN in a numeric cell: <v>nan</v>."""
    path = rewritten(platform_workbook(tmp_path / "nan.xlsx"),
                     lambda xml: re.sub(r'<c r="C3"[^>]*>.*?</c>', '<c r="C3" t="n"><v>nan</v></c>', xml))
    assert cli.main(["import", new_store.location, str(path)]) == 2
    assert "Code INSEE NAN absent du référentiel des communes" in capsys.readouterr().out
    assert sites(new_store) == []


def test_skip_invalid_never_imports_a_site_without_departement(new_store, tmp_path, capsys):
    path = platform_cells(tmp_path / "sans_departement.xlsx", {"A3": None, "C3": "99999"})
    cli.main(["import", new_store.location, str(path), "--skip-invalid"])
    assert "Les Tilleuls" not in [name for name, _, _ in sites(new_store)]
    assert len(sites(new_store)) == len(ROWS) - 1
    with contextlib.closing(connect(new_store.location)) as connection:
        assert connection.execute("SELECT count(*) FROM sites WHERE departement IS NULL").fetchone() == (0,)


def test_a_point_outside_its_commune_is_imported_with_a_warning(new_store, tmp_path):
    path = platform_cells(tmp_path / "ailleurs.xlsx", {"G3": 43.30, "H3": 5.37})   # Marseille, code of Saint-Denis
    preview = preview_import(new_store, str(path))
    tilleuls = next(r for r in preview.rows if r.name == "Les Tilleuls")
    assert not tilleuls.errors
    assert any("n'est pas dans la commune Saint-Denis (93066)" in w.message for w in tilleuls.warnings)


def test_a_file_that_takes_too_long_is_abandoned_with_a_message(new_store, tmp_path, monkeypatch):
    from plugin.exchange import xlsx_reader
    monkeypatch.setattr(xlsx_reader, "MAX_SECONDS", -1)
    message = refused_quickly(new_store, platform_workbook(tmp_path / "lent.xlsx"))
    assert "n'a pas pu être lu en -1 s" in message
