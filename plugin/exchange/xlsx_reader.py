"""Read the cell values of an .xlsx workbook with the standard library.

Values come back raw, as the file stores them: text (str), numbers (int or
float: dates are numbers, their meaning depends on the column; "nan" or
"inf" stay text), booleans, None for an empty cell, NOT_GIVEN for a formula
whose result the file does not hold. Nothing is assumed about where the
header row is.

What a file may ask is capped (columns, rows, cells, uncompressed size,
compression ratio, time), so that a small hostile file fails at once with a
message instead of taking the memory or the afternoon.
"""
import math
import posixpath
import time
import zipfile
from typing import Dict, Iterator, List, Optional, Tuple
from xml.etree.ElementTree import ParseError, iterparse

from ..model.spreadsheet import NOT_GIVEN
from ..store.base import StoreError

# Excel's own limits: no workbook Excel or LibreOffice writes goes beyond them.
MAX_ROW_NUMBER = 1_048_576
MAX_COLUMNS = 16_384
# Cells read, empty ones before a value included: 200,000 rows (the importer's limit) of 150 columns.
MAX_CELLS = 30_000_000
# The parts read, uncompressed: a national export of 100,000 sites is about 40 MB zipped, 500 MB unzipped.
MAX_UNCOMPRESSED_BYTES = 1_500_000_000
# Real spreadsheet XML shrinks 5 to 30 times; a zip bomb, up to 1,000 times. Small parts are not judged.
MAX_RATIO, RATIO_FROM_BYTES = 200, 10_000_000
MAX_SECONDS = 300

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


class WorkbookError(StoreError):
    """The file is not a readable .xlsx workbook."""


def _not_a_workbook(name: str, detail: str = "") -> WorkbookError:
    suffix_fr = " (%s)" % detail if detail else ""
    return WorkbookError(
        "%s n'est pas un classeur Excel .xlsx lisible%s. Enregistrez le fichier au format "
        "« Classeur Excel (.xlsx) » et recommencez." % (name, suffix_fr),
        "%s is not a readable Excel .xlsx workbook%s. Save the file as an “Excel workbook (.xlsx)” "
        "and try again." % (name, suffix_fr))


def _column_index(reference: str) -> int:
    index = 0
    for character in reference:
        if "A" <= character <= "Z":
            index = index * 26 + ord(character) - 64
            if index > MAX_COLUMNS:
                break
        else:
            break
    return index - 1


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        value = float(text)
        return value if math.isfinite(value) else text.strip()


def _too_large(name: str, what: str, what_en: str) -> WorkbookError:
    return WorkbookError(
        "%s dépasse ce qu'un classeur Excel contient (%s) : il n'est pas lu. Vérifiez le fichier ou "
        "découpez-le (par département par exemple)." % (name, what),
        "%s goes beyond what an Excel workbook holds (%s): it is not read. Check the file or split it "
        "(by département for instance)." % (name, what_en))


class XlsxReader:
    """`XlsxReader(path).sheet_names()`, `.rows(name)` → lists of raw values."""

    def __init__(self, path: str):
        self.path = str(path)
        self.name = posixpath.basename(self.path.replace("\\", "/"))
        try:
            with open(self.path, "rb") as handle:
                signature = handle.read(8)
        except OSError as error:
            raise WorkbookError("Impossible de lire %s : %s" % (self.path, error.strerror),
                                "Cannot read %s: %s" % (self.path, error.strerror)) from error
        if not signature:
            raise WorkbookError("%s est vide (0 octet)." % self.name, "%s is empty (0 bytes)." % self.name)
        if signature == OLE_SIGNATURE:
            raise WorkbookError(
                "%s est au format Excel 97-2003 (.xls) : ouvrez-le et enregistrez-le en .xlsx." % self.name,
                "%s is in the Excel 97-2003 format (.xls): open it and save it as .xlsx." % self.name)
        if signature[:4] != ZIP_SIGNATURE:
            raise _not_a_workbook(self.name, "texte ou autre format" if _looks_like_text(signature)
                                  else "format inconnu")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as error:
            raise _not_a_workbook(self.name, str(error)) from error
        self._check_sizes()
        self._started = time.monotonic()
        self._cells = 0
        self._sheets = self._read_workbook()
        self._strings: Optional[List[str]] = None

    def _check_sizes(self) -> None:
        """The sizes the zip declares (zipfile never inflates a part beyond its declared size)."""
        total = 0
        for info in self._zip.infolist():
            total += info.file_size
            if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                self.close()
                raise _too_large(self.name, "%s compressé %d fois : une « bombe zip »" % (
                    info.filename, info.file_size // max(info.compress_size, 1)),
                    "%s compressed %d times: a “zip bomb”" % (
                    info.filename, info.file_size // max(info.compress_size, 1)))
        if total > MAX_UNCOMPRESSED_BYTES:
            self.close()
            raise _too_large(self.name, "%d Mo une fois décompressé, au plus %d" % (
                total // 1_000_000, MAX_UNCOMPRESSED_BYTES // 1_000_000),
                "%d MB uncompressed, at most %d" % (total // 1_000_000, MAX_UNCOMPRESSED_BYTES // 1_000_000))

    def _check_time(self) -> None:
        if time.monotonic() - self._started > MAX_SECONDS:
            raise WorkbookError(
                "%s n'a pas pu être lu en %d s : le fichier est trop gros ou mal formé. Découpez-le "
                "(par département par exemple)." % (self.name, MAX_SECONDS),
                "%s could not be read in %d s: the file is too large or malformed. Split it "
                "(by département for instance)." % (self.name, MAX_SECONDS))

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "XlsxReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sheet_names(self) -> List[str]:
        return [name for name, _ in self._sheets]

    def _parse(self, part: str):
        try:
            return iterparse(self._zip.open(part), events=("end",))
        except KeyError as error:
            raise _not_a_workbook(self.name, "%s manque" % part) from error

    def _read_workbook(self) -> List[Tuple[str, str]]:
        try:
            targets: Dict[str, str] = {}
            rels = "xl/_rels/workbook.xml.rels"
            if rels in self._zip.namelist():
                for _, element in self._parse(rels):
                    if element.tag == PACKAGE_RELATIONSHIPS + "Relationship":
                        target = element.get("Target", "")
                        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                            posixpath.join("xl", target))
                        targets[element.get("Id")] = target
            sheets = []
            for _, element in self._parse("xl/workbook.xml"):
                if element.tag == MAIN + "sheet":
                    identifier = element.get(RELATIONSHIPS + "id")
                    part = targets.get(identifier, "xl/worksheets/sheet%d.xml" % (len(sheets) + 1))
                    sheets.append((element.get("name", ""), part))
        except (ParseError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise _not_a_workbook(self.name, str(error)) from error
        if not sheets:
            raise _not_a_workbook(self.name, "aucune feuille")
        return sheets

    def _shared_strings(self) -> List[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self._zip.namelist():
                for _, element in self._parse("xl/sharedStrings.xml"):
                    if element.tag == MAIN + "si":
                        self._strings.append(_string_item(element))
                        element.clear()
                        self._check_time()
        return self._strings

    def rows(self, sheet: Optional[str] = None, limit: Optional[int] = None) -> Iterator[List[object]]:
        """Rows of `sheet` (the first by default) as value lists, empty rows included,
        the first list being row 1 of the sheet."""
        part = dict(self._sheets)[sheet] if sheet is not None else self._sheets[0][1]
        strings = None
        expected_row = 1
        try:
            for _, element in self._parse(part):
                if element.tag != MAIN + "row":
                    continue
                number = int(element.get("r", expected_row))
                if number > MAX_ROW_NUMBER:
                    raise _too_large(self.name, "ligne %d, au plus %d" % (number, MAX_ROW_NUMBER),
                                     "row %d, at most %d" % (number, MAX_ROW_NUMBER))
                self._check_time()
                while expected_row < number:
                    if limit is not None and expected_row > limit:
                        return
                    yield []
                    expected_row += 1
                if limit is not None and number > limit:
                    return
                values: List[object] = []
                for cell in element.iter(MAIN + "c"):
                    reference = cell.get("r")
                    index = _column_index(reference) if reference else len(values)
                    if index >= MAX_COLUMNS:
                        raise _too_large(self.name, "cellule %s, au-delà de la colonne XFD" % reference,
                                         "cell %s, beyond column XFD" % reference)
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        value = _string_item(cell.find(MAIN + "is"))
                    else:
                        raw = cell.findtext(MAIN + "v")
                        if not raw and cell.find(MAIN + "f") is not None:
                            # a formula never computed (written by a script): its value is unknown, not empty
                            value = NOT_GIVEN
                        elif not raw:
                            value = None
                        elif kind == "s":
                            if strings is None:
                                strings = self._shared_strings()
                            value = strings[int(raw)]
                        elif kind in ("str", "e"):
                            value = raw if kind == "str" else None
                        elif kind == "b":
                            value = raw.strip() == "1"
                        else:
                            value = _number(raw)
                    if value is not None:
                        while len(values) < index:
                            values.append(None)
                        if len(values) == index:
                            values.append(value)
                        else:
                            values[index] = value
                element.clear()
                expected_row = number + 1
                self._cells += len(values)
                if self._cells > MAX_CELLS:
                    raise _too_large(self.name, "plus de %d cellules" % MAX_CELLS, "more than %d cells" % MAX_CELLS)
                yield values
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError, IndexError) as error:
            raise _not_a_workbook(self.name, str(error)) from error

    def hyperlinks(self, sheet: Optional[str] = None) -> Dict[Tuple[int, int], str]:
        """The external links of `sheet`'s cells: (row number, cell index) → target."""
        part = dict(self._sheets)[sheet] if sheet is not None else self._sheets[0][1]
        rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        targets: Dict[str, str] = {}
        links: Dict[Tuple[int, int], str] = {}
        try:
            if rels in self._zip.namelist():
                for _, element in self._parse(rels):
                    if element.tag == PACKAGE_RELATIONSHIPS + "Relationship":
                        targets[element.get("Id")] = element.get("Target", "")
            for _, element in self._parse(part):
                if element.tag == MAIN + "row":
                    element.clear()
                elif element.tag == MAIN + "hyperlink":
                    target = targets.get(element.get(RELATIONSHIPS + "id"))
                    reference = element.get("ref", "").split(":")[0]
                    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    if target and digits.isdigit():
                        links[(int(digits), _column_index(reference))] = target
        except (ParseError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise _not_a_workbook(self.name, str(error)) from error
        return links


def _string_item(element) -> str:
    """The text of an <si> or <is>: plain <t>, or the runs of rich text (phonetic hints left out)."""
    if element is None:
        return ""
    parts = []
    for child in element:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            parts.append(child.findtext(MAIN + "t") or "")
    return "".join(parts)


def _looks_like_text(signature: bytes) -> bool:
    return all(32 <= byte < 127 or byte in (9, 10, 13) or byte >= 0x80 for byte in signature)
