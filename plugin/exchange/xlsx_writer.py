"""A small streaming .xlsx writer on the standard library (zipfile + XML text).

Enough of SpreadsheetML for tabular exports that open in Excel and
LibreOffice: several sheets, inline strings, numbers, real dates, booleans,
formulas with their computed value, a fixed set of styles (bold headers,
section titles, date and number formats, totals), merged cells, frozen panes,
column widths and an autofilter. Rows are streamed into the zip entry of their
sheet, so memory stays flat whatever the number of rows. The file is written
under a temporary name and renamed when complete: a failed or cancelled export
leaves nothing behind.
"""
import datetime
import math
import os
import re
import zipfile
from typing import Iterable, List, NamedTuple, Optional, Sequence, Tuple

MAX_ROWS = 1048576
MAX_COLUMNS = 16384
MAX_CELL_TEXT = 32767
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# XML 1.0 forbids most control characters; a cell must never carry one.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
_BUFFERED_ROWS = 2000


class Style:
    """Indexes into the cellXfs of STYLES_XML."""
    DEFAULT = 0
    HEADER = 1
    DATE = 2
    DATETIME = 3
    INTEGER = 4
    SECTION = 5
    TOTAL_LABEL = 6
    TOTAL_INTEGER = 7
    TITLE = 8
    DECIMAL = 9
    WRAP = 10
    # A cell left open to entry on a protected sheet (the operator's month).
    INPUT = 11


STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="5"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFBDD7EE"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left/><right/><top style="thin"><color auto="1"/></top>'
    '<bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="12">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>'
    '<xf numFmtId="3" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" '
    'applyBorder="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="1" fontId="1" fillId="4" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" '
    'applyFill="1" applyBorder="1" applyProtection="1"><protection locked="0"/></xf>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


class Formula(NamedTuple):
    """A formula (without the leading '=') and the value it computes, stored for readers
    that do not recalculate."""
    text: str
    value: object = None


def column_letter(index: int) -> str:
    """'A' for 0, 'Z' for 25, 'AA' for 26…"""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def excel_serial(value) -> float:
    """Days since 1899-12-30 (Excel's and LibreOffice's day 0), time as the fraction."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        delta = value - _EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0
    return (value - _EPOCH_DATE).days


def escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _text(text: str) -> str:
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT]
    text = escape(text)
    if text[:1].isspace() or text[-1:].isspace():
        return '<is><t xml:space="preserve">%s</t></is>' % text
    return "<is><t>%s</t></is>" % text


def _style_attribute(style: Optional[int]) -> str:
    return ' s="%d"' % style if style else ""


def encode_cell(reference: str, value, style: Optional[int] = None) -> str:
    """The <c> element of one value ("" for an empty cell)."""
    kind = type(value)
    if value is None:
        return ""
    if kind is str:
        if not value:
            return ""
        return '<c r="%s"%s t="inlineStr">%s</c>' % (reference, _style_attribute(style), _text(value))
    if kind is bool:
        return '<c r="%s"%s t="b"><v>%d</v></c>' % (reference, _style_attribute(style), value)
    if kind is int:
        return '<c r="%s"%s><v>%d</v></c>' % (reference, _style_attribute(style), value)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            return ""
        return '<c r="%s"%s><v>%r</v></c>' % (reference, _style_attribute(style), value)
    if kind is datetime.datetime:
        return '<c r="%s" s="%d"><v>%r</v></c>' % (reference, style or Style.DATETIME, excel_serial(value))
    if kind is datetime.date:
        return '<c r="%s" s="%d"><v>%d</v></c>' % (reference, style or Style.DATE, excel_serial(value))
    if kind is Formula:
        cached = value.value
        if cached is None:
            return '<c r="%s"%s><f>%s</f></c>' % (reference, _style_attribute(style), escape(value.text))
        if isinstance(cached, str):
            return '<c r="%s"%s t="str"><f>%s</f><v>%s</v></c>' % (
                reference, _style_attribute(style), escape(value.text), escape(cached))
        return '<c r="%s"%s><f>%s</f><v>%r</v></c>' % (
            reference, _style_attribute(style), escape(value.text), cached)
    raise TypeError("cannot write %r in a cell" % (value,))


class Sheet:
    """One worksheet being streamed: append rows, then the workbook closes it."""

    def __init__(self, stream, name: str, widths: Sequence[float], freeze: Tuple[int, int]):
        self.name = name
        self._stream = stream
        self._rows = 0
        self._pending: List[str] = []
        self._merges: List[str] = []
        self._autofilter: Optional[str] = None
        self._protected = False
        self._validations: List[str] = []
        self._letters: List[str] = []
        self._write_start(widths, freeze)

    @property
    def rows(self) -> int:
        """Rows written so far (the number of the last one)."""
        return self._rows

    def letter(self, index: int) -> str:
        while len(self._letters) <= index:
            self._letters.append(column_letter(len(self._letters)))
        return self._letters[index]

    def _write_start(self, widths, freeze) -> None:
        rows, columns = freeze
        view = '<sheetView workbookViewId="0"'
        if rows or columns:
            top_left = "%s%d" % (column_letter(columns), rows + 1)
            split = (' xSplit="%d"' % columns if columns else "") + (' ySplit="%d"' % rows if rows else "")
            pane = "bottomRight" if rows and columns else ("bottomLeft" if rows else "topRight")
            view += '><pane%s topLeftCell="%s" activePane="%s" state="frozen"/>' \
                    '<selection pane="%s"/></sheetView>' % (split, top_left, pane, pane)
        else:
            view += "/>"
        parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
                 "<sheetViews>%s</sheetViews>" % view,
                 '<sheetFormatPr defaultRowHeight="15"/>']
        if widths:
            parts.append("<cols>%s</cols>" % "".join(
                '<col min="%d" max="%d" width="%.1f" customWidth="1"/>' % (i + 1, i + 1, w)
                for i, w in enumerate(widths) if w))
        parts.append("<sheetData>")
        self._stream.write("".join(parts).encode("utf-8"))

    def append(self, values: Iterable, styles: Optional[Sequence[Optional[int]]] = None,
               height: Optional[float] = None) -> int:
        """Write the next row; `styles[i]` styles `values[i]`. Returns the row's number."""
        self._rows += 1
        number = self._rows
        if number > MAX_ROWS:
            raise ValueError("a sheet holds at most %d rows" % MAX_ROWS)
        suffix = str(number)
        cells = []
        letters = self._letters
        for index, value in enumerate(values):
            style = styles[index] if styles else None
            if value is None or value == "":
                if style == Style.INPUT:  # an empty cell still open to entry
                    self.letter(index)
                    cells.append('<c r="%s%s" s="%d"/>' % (letters[index], suffix, style))
                continue
            if index >= len(letters):
                self.letter(index)
            cells.append(encode_cell(letters[index] + suffix, value, style))
        extra = ' ht="%.1f" customHeight="1"' % height if height else ""
        self._pending.append('<row r="%d"%s>%s</row>' % (number, extra, "".join(cells)))
        if len(self._pending) >= _BUFFERED_ROWS:
            self._flush()
        return number

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        self._merges.append("%s%d:%s%d" % (column_letter(first_column), first_row,
                                           column_letter(last_column), last_row))

    def autofilter(self, first_row: int, first_column: int, last_row: int, last_column: int) -> str:
        self._autofilter = "%s%d:%s%d" % (column_letter(first_column), first_row,
                                          column_letter(last_column), last_row)
        return self._autofilter

    def protect(self) -> None:
        """Lock every cell but those styled INPUT (no password: it guides, it does not secure)."""
        self._protected = True

    def accept_whole_numbers(self, cell_range: str, title: str, prompt: str, error: str) -> None:
        """Only whole numbers ≥ 0 may be typed in `cell_range` (e.g. "E7:E26")."""
        self._validations.append(
            '<dataValidation type="whole" operator="greaterThanOrEqual" allowBlank="1" showInputMessage="1" '
            'showErrorMessage="1" errorStyle="stop" errorTitle="%s" error="%s" promptTitle="%s" prompt="%s" '
            'sqref="%s"><formula1>0</formula1></dataValidation>' % (
                escape(title), escape(error), escape(title), escape(prompt), cell_range))

    @property
    def filter_range(self) -> Optional[str]:
        return self._autofilter

    def _flush(self) -> None:
        if self._pending:
            self._stream.write("".join(self._pending).encode("utf-8"))
            self._pending = []

    def close(self) -> None:
        self._flush()
        tail = ["</sheetData>"]
        if self._protected:
            tail.append('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0"/>')
        if self._autofilter:
            tail.append('<autoFilter ref="%s"/>' % self._autofilter)
        if self._merges:
            tail.append('<mergeCells count="%d">%s</mergeCells>' % (
                len(self._merges), "".join('<mergeCell ref="%s"/>' % m for m in self._merges)))
        if self._validations:
            tail.append('<dataValidations count="%d">%s</dataValidations>' % (
                len(self._validations), "".join(self._validations)))
        tail.append('<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    '<pageSetup orientation="landscape" paperSize="9"/></worksheet>')
        self._stream.write("".join(tail).encode("utf-8"))
        self._stream.close()


class Workbook:
    """`with Workbook(path) as book: sheet = book.add_sheet("Sites"); sheet.append([...])`."""

    def __init__(self, path: str, creator: str = "Résorption SIG", compresslevel: int = 1):
        self.path = str(path)
        self._temporary = self.path + ".part"
        self._zip = zipfile.ZipFile(self._temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._sheets: List[Sheet] = []
        self._current: Optional[Sheet] = None
        self._creator = creator
        self._closed = False

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def add_sheet(self, name: str, widths: Sequence[float] = (), freeze: Tuple[int, int] = (0, 0)) -> Sheet:
        if len(name) > MAX_SHEET_NAME or SHEET_NAME_FORBIDDEN.search(name) or not name.strip():
            raise ValueError("invalid sheet name %r" % name)
        if any(sheet.name.casefold() == name.casefold() for sheet in self._sheets):
            raise ValueError("duplicate sheet name %r" % name)
        self._close_current()
        stream = self._zip.open("xl/worksheets/sheet%d.xml" % (len(self._sheets) + 1), "w", force_zip64=True)
        sheet = Sheet(stream, name, widths, freeze)
        self._sheets.append(sheet)
        self._current = sheet
        return sheet

    def _close_current(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._closed:
            return
        try:
            self._close_current()
            if not self._sheets:
                self.add_sheet("Feuil1")
                self._close_current()
            self._write_parts()
            self._zip.close()
            os.replace(self._temporary, self.path)
        except BaseException:
            self.abort()
            raise
        self._closed = True

    def abort(self) -> None:
        """Drop everything written: no partial file remains."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._current is not None:
                self._current._stream.close()
            self._zip.close()
        except Exception:  # the zip may be unusable after the error that brought us here
            pass
        try:
            os.remove(self._temporary)
        except FileNotFoundError:
            pass

    def _write_parts(self) -> None:
        count = len(self._sheets)
        sheet_types = "".join(
            '<Override PartName="/xl/worksheets/sheet%d.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % (i + 1)
            for i in range(count))
        self._zip.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '%s</Types>' % sheet_types))
        self._zip.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'))
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._zip.writestr("docProps/core.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
            'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>%s</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>'
            % (escape(self._creator), now)))
        sheets = "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(s.name), i + 1, i + 1)
                         for i, s in enumerate(self._sheets))
        names = "".join(
            '<definedName name="_xlnm._FilterDatabase" localSheetId="%d" hidden="1">%s</definedName>'
            % (i, escape(_absolute_reference(s.name, s.filter_range)))
            for i, s in enumerate(self._sheets) if s.filter_range)
        self._zip.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            '<sheets>%s</sheets>%s<calcPr calcId="0" fullCalcOnLoad="1"/></workbook>'
            % (sheets, "<definedNames>%s</definedNames>" % names if names else "")))
        relations = "".join(
            '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1) for i in range(count))
        relations += ('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/styles" Target="styles.xml"/>' % (count + 1))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s'
            '</Relationships>' % relations))
        self._zip.writestr("xl/styles.xml", STYLES_XML)


def _absolute_reference(sheet_name: str, cell_range: str) -> str:
    first, last = cell_range.split(":")
    return "'%s'!%s:%s" % (sheet_name.replace("'", "''"), _absolute(first), _absolute(last))


def _absolute(cell: str) -> str:
    letters = cell.rstrip("0123456789")
    return "$%s$%s" % (letters, cell[len(letters):])
