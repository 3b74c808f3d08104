"""Reading a large sheet's values faster than openpyxl's read-only rows, with the same result.

openpyxl (read-only, values only) spends about 120 microseconds a row on a roster's Assignments
sheet: 1.1 s for a 400-agent fortnight, a fifth of a repair's answer time. `sheet_values` walks
the sheet's XML itself for the cells a workbook usually holds (numbers, dates and times by their
cell style, shared and inline strings, booleans, formula results) and gives the rows exactly as
`ws.iter_rows(values_only=True)` would: padded to the sheet's width, with empty tuples for
missing rows. Anything else (rich inline text, an error value, a cell without its address, a
date outside Excel's range) makes it give up, and the caller reads the sheet with openpyxl.
tests/test_workbook.py compares both on our own workbooks and on ones LibreOffice re-saved.

The sheet data of a workbook written as our writer writes it (rows of `<c r=".." s=".." t="..">`
cells holding a `<v>` or an inline `<is><t>`, and nothing else) is read by one regular
expression instead of an element tree, the larger part of the time; the first thing that does
not fit that grammar sends the whole sheet through the element tree, so the rows are the same
either way (tests compare the two).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import fromstring

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS

_NS = f"{{{SHEET_MAIN_NS}}}"
_ROW, _C, _V, _IS, _T, _DATA = (_NS + t for t in ("row", "c", "v", "is", "t", "sheetData"))


class Unusual(Exception):
    """A cell this reader does not take: read the sheet with openpyxl instead."""


def sheet_values(ws) -> list[tuple]:
    """The values of a read-only openpyxl worksheet `ws` (of a workbook loaded with
    data_only=True), row by row, as list(ws.iter_rows(values_only=True)). Raises Unusual."""
    wb = ws.parent
    if not wb.data_only:
        raise Unusual("formulas are wanted as text")
    width = ws.max_column
    height = ws.max_row
    strings = ws._shared_strings
    dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
    columns: dict[str, int] = {}
    memo: dict[tuple[str, str | None], Any] = {}
    with ws._get_source() as src:
        xml = src.read()
    try:
        rows, cut = _scan(xml, width, height, strings, dates, durations, epoch, memo, columns)
    except _NotPlain:
        rows, cut = _tree(xml, width, height, strings, dates, durations, epoch, memo, columns)
    if height is not None and cut:
        while len(rows) < height:
            rows.append([])
    blank = (None,) * width if width is not None else ()
    return [tuple(r) if r else blank for r in rows]


class _NotPlain(Exception):
    """The sheet data is not in the plain grammar `_scan` reads: read it as an element tree."""


# the plain grammar: row tags, and cells with an optional style and type holding nothing, a value,
# or one inline text; whitespace between tags (an indented file) is allowed
_TOKEN = re.compile(
    r'\s*(?:<row r="(?P<row>\d+)"[^>/]*(?P<empty>/)?>'
    r'|(?P<end></row>)'
    r'|<c r="(?P<col>[A-Z]+)\d+"(?: s="(?P<s>\d+)")?(?: t="(?P<t>[a-zA-Z]+)")?'
    r'(?:/>|>(?:<v>(?P<v>[^<]*)</v>|<v/>'
    r'|<is>(?:<t(?: xml:space="preserve")?>(?P<is>[^<]*)</t>|(?P<ist><t/>))</is>)?</c>))')
# the root element, with SpreadsheetML's namespace as its default, after at most a declaration
_ROOT = re.compile(rb'(?:\xef\xbb\xbf)?\s*(?:<\?xml([^>]*)\?>)?\s*'
                   rb'<worksheet [^>]*xmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"')
_ENCODING = re.compile(rb"""encoding=["']([^"']+)["']""")
_SHEET_DATA = re.compile(rb"<sheetData>(.*?)</sheetData>|<sheetData\s*/>", re.S)
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """XML's character references and its five entities, as the parser resolves them."""
    if "\r" in text:
        raise _NotPlain("a carriage return (the parser normalises line ends)")

    def one(m: re.Match) -> str:
        if m.group(1):
            return _ENTITIES[m.group(1)]
        return chr(int(m.group(2)) if m.group(2) else int(m.group(3), 16))

    out = _ENTITY.sub(one, text)
    if "&" in _ENTITY.sub("", text):
        raise _NotPlain("an entity of its own")
    return out


def _scan(xml: bytes, width, height, strings, dates, durations, epoch, memo: dict, columns: dict
          ) -> tuple[list[list[Any]], bool]:
    """The rows of the sheet data, read with `_TOKEN`; raises _NotPlain at anything else."""
    root = _ROOT.match(xml, 0, 4000)
    encoding = _ENCODING.search(root.group(1) or b"") if root is not None else None
    if root is None or (encoding is not None and encoding.group(1).lower() not in (b"utf-8", b"utf8")):
        raise _NotPlain("not a UTF-8 worksheet in SpreadsheetML's namespace")
    found = _SHEET_DATA.search(xml)
    if found is None or xml.count(b"<sheetData") != 1:
        raise _NotPlain("no plain sheetData")
    try:
        text = (found.group(1) or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise _NotPlain("not UTF-8") from None
    rows: list[list[Any]] = []
    cells: list[tuple[int, Any]] | None = None  # the open row's cells
    number = 0
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            raise _NotPlain("something else between the tags")
        pos = m.end()
        row_no, empty, end, col_letters, style, kind, v, inline, empty_text = m.groups()
        if col_letters is not None:
            if cells is None:
                raise _NotPlain("a cell outside a row")
            col = columns.get(col_letters)
            if col is None:
                col = columns[col_letters] = column_index_from_string(col_letters)
            if kind == "inlineStr":
                value: Any = (_unescape(inline) if "&" in inline or "\r" in inline else inline) if inline else (
                    "" if inline is not None or empty_text else None)
            else:
                if v and ("&" in v or "\r" in v):
                    v = _unescape(v)
                value = _typed(kind or "n", v or None, style, strings, dates, durations, epoch, memo)
            cells.append((col, value))
        elif end is not None:
            if cells is None:
                raise _NotPlain("a row closed twice")
            _put_row(rows, number, cells, width)
            cells = None
        else:
            if cells is not None:
                raise _NotPlain("a row inside a row")
            number = int(row_no)
            if height is not None and number > height:
                return rows, True
            if empty:
                _put_row(rows, number, [], width)
            else:
                cells = []
    if pos != len(text.rstrip()) or cells is not None:
        raise _NotPlain("an unfinished row")
    return rows, False


def _put_row(rows: list[list[Any]], number: int, cells: list[tuple[int, Any]], width) -> None:
    while len(rows) < number - 1:
        rows.append([])  # a missing row: openpyxl gives it as empty cells
    if len(rows) >= number:
        raise Unusual("rows out of order")
    row: list[Any] = [None] * (width if width is not None else max((k for k, _ in cells), default=0))
    for col, value in cells:
        if col > len(row):
            raise Unusual("a cell beyond the sheet's dimension")
        row[col - 1] = value
    rows.append(row)


def _tree(xml: bytes, width, height, strings, dates, durations, epoch, memo: dict, columns: dict
          ) -> tuple[list[list[Any]], bool]:
    """The rows of the sheet data, read as an element tree."""
    root = fromstring(xml)  # one C call: far quicker than an event per element
    rows: list[list[Any]] = []
    cut = False  # a row beyond the sheet's stated size was met (only then does openpyxl pad to it)
    data = root.find(_DATA)
    for element in data if data is not None else ():
        if element.tag != _ROW:
            continue
        r = element.get("r")
        if r is None or not r.isdigit():
            raise Unusual("a row without its number")
        number = int(r)
        if height is not None and number > height:
            cut = True
            break
        cells: list[tuple[int, Any]] = []
        for c in element:
            if c.tag != _C:
                continue
            ref = c.get("r")
            if not ref:
                raise Unusual("a cell without its address")
            letters = ref.rstrip("0123456789")
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index_from_string(letters)
            cells.append((col, _value(c, strings, dates, durations, epoch, memo)))
        _put_row(rows, number, cells, width)
    return rows, cut


def _value(c, strings, dates, durations, epoch, memo: dict) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        inline = c.find(_IS)
        if inline is None:
            return None
        if len(inline) != 1 or inline[0].tag != _T:
            raise Unusual("rich text")
        return inline[0].text or ""
    v = c.find(_V)
    return _typed(kind, v.text if v is not None else None, c.get("s"), strings, dates, durations, epoch, memo)


def _typed(kind: str, text: str | None, style: str | None, strings, dates, durations, epoch, memo: dict) -> Any:
    """The value of a cell of type `kind` (not inline text) whose <v> holds `text`."""
    if not text:
        return None
    if kind == "n":
        key = (text, style)
        if key in memo:
            return memo[key]
        number: Any = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        style_id = int(style) if style else 0
        if style_id in dates:
            try:
                number = from_excel(number, epoch, timedelta=style_id in durations)
            except (OverflowError, ValueError):
                raise Unusual("a date out of range") from None
        memo[key] = number  # a roster repeats its dates and hours many times
        return number
    if kind == "s":
        return strings[int(text)]
    if kind == "str":
        return text
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    raise Unusual(f"cell type {kind!r}")
