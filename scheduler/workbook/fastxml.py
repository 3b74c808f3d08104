"""Saving a workbook faster: openpyxl's own file, with its loop over cells done in plain strings.

Without lxml, openpyxl writes each cell through an element tree, about 15 microseconds a cell:
1.2 s for the 75,000 cells of a 400-agent fortnight's Assignments sheet, the larger part of a
repair's answer time. `save` writes the same XML for the cells our sheets hold (text, numbers,
dates and datetimes) and hands every other cell (formulas, rich text, comments, hyperlinks, text
with spaces at its ends, empty strings) and every other part of the file to openpyxl's own
writer, so the file is the one openpyxl would write (tests/test_workbook.py compares them byte
for byte). With lxml installed openpyxl streams through lxml, which takes no raw text: then the
rows are written by openpyxl as before.

`PlainRows` goes one step further for a long table of one kind per column (the Assignments
sheet): its rows are kept as values, never made into openpyxl cells, and written as the XML the
cells would have given (each column's cell format copied from a real cell above them). A row with
anything unusual is refused and stays openpyxl cells; with lxml, or when another cell lands in a
kept row, the rows are made into cells before openpyxl writes them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from copy import copy
from pathlib import Path
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # type: ignore[attr-defined]
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter


class _Memo:
    """What many cells share, computed once: style ids (openpyxl registers a cell's style in
    the workbook's list when asked for its id; an equal style gets the same id) and Excel's
    serial numbers of dates."""

    def __init__(self, epoch: dt.datetime):
        self.epoch = epoch
        self.styles: dict[bytes, int | None] = {}
        self.columns: dict[int, str] = {}
        self.serials: dict[dt.date, str] = {}

    def style_id(self, cell) -> int | None:
        """The cell's style id, None when it has no style (openpyxl then writes no s=)."""
        if cell._style is None:
            return None
        key = cell._style.tobytes()
        if key in self.styles:
            return self.styles[key]
        sid = self.styles[key] = cell.style_id if cell.has_style else None
        return sid

    def letters(self, column: int) -> str:
        text = self.columns.get(column)
        if text is None:
            text = self.columns[column] = get_column_letter(column)
        return text

    def serial(self, value: dt.date) -> str:
        text = self.serials.get(value)
        if text is None:
            text = self.serials[value] = safe_string(to_excel(value, self.epoch))
        return text


def _cell_xml(cell, memo: _Memo) -> str | None:
    """The <c> element openpyxl's etree writer makes for this cell, or None when the cell is
    not one of the plain kinds (then openpyxl writes it)."""
    if getattr(cell, "_comment", None) is not None or getattr(cell, "_hyperlink", None) is not None:
        return None
    value, kind = cell._value, cell.data_type
    if kind == "s":
        if type(value) is not str or not value or (value != value.strip() and value.strip()):
            return None
        attrs, body = ' t="inlineStr"', f"<is><t>{_escape_cdata(value)}</t></is>"
    elif kind == "b":
        if type(value) is not bool:
            return None
        attrs, body = ' t="b"', f"<v>{safe_string(value)}</v>"
    elif kind == "n":
        if type(value) not in (int, float):
            return None
        attrs, body = ' t="n"', f"<v>{safe_string(value)}</v>"
    elif kind == "d":
        if type(value) not in (dt.datetime, dt.date) or cell.parent.parent.iso_dates:
            return None
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return None  # openpyxl refuses it with its own message
        attrs, body = ' t="n"', f"<v>{memo.serial(value)}</v>"
    else:
        return None
    sid = memo.style_id(cell)
    style = "" if sid is None else f' s="{sid}"'
    return f'<c r="{memo.letters(cell.column)}{cell.row}"{style}{attrs}>{body}</c>'


_PLAIN_KINDS = {str: "s", int: "n", float: "n", dt.datetime: "d", dt.date: "d"}


class PlainRows:
    """Rows of a sheet kept as plain values instead of openpyxl cells, written at `save` as the
    XML those cells would give. `like[c]` is a real cell of column c + 1 (written before these
    rows): each value takes its data type and a copy of its style, as `cells._put_like` would.
    Attach with `attach(ws)`; `take` refuses (False) a row with anything unusual, which the
    caller then writes as cells."""

    def __init__(self, like: Sequence[Cell]):
        self.like = list(like)
        self.kinds = [type(c._value) for c in self.like]
        self.rows: dict[int, list] = {}
        self._plain_texts: set[str] = set()  # texts found plain already (a table repeats its ids and names)
        for c, kind in zip(self.like, self.kinds):
            if _PLAIN_KINDS.get(kind) != c.data_type or c._comment is not None or c._hyperlink is not None:
                raise ValueError(f"cell {c.coordinate} is not a plain template")

    def attach(self, ws) -> PlainRows:
        ws._plain_rows = self
        return self

    def take(self, row: int, values: Sequence) -> bool:
        """Keep `values` (one per template column) as row `row`; False if any is unusual: None,
        another type than its column's template, text openpyxl would write otherwise (empty,
        spaces at its ends, characters an xlsx cannot hold), a number that is not finite, a
        datetime with a time zone."""
        if len(values) != len(self.like) or row in self.rows:
            return False
        for v, kind in zip(values, self.kinds):
            if type(v) is not kind:
                return False
            if kind is str:
                if v in self._plain_texts:
                    continue
                if not v or v[0].isspace() or v[-1].isspace() or ILLEGAL_CHARACTERS_RE.search(v):
                    return False
                self._plain_texts.add(v)
            elif kind is float:
                if not math.isfinite(v):
                    return False
            elif kind is dt.datetime and v.tzinfo is not None:
                return False
        self.rows[row] = list(values)
        return True

    def materialize(self, ws) -> None:
        """Make the kept rows openpyxl cells (as `_put_like` makes them) and detach them."""
        for r, values in self.rows.items():
            for like, v in zip(self.like, values):
                cell = Cell(ws, row=r, column=like.column, style_array=copy(like._style))
                cell._value = v
                cell.data_type = like.data_type
                ws._add_cell(cell)
        self.rows = {}
        if getattr(ws, "_plain_rows", None) is self:
            del ws._plain_rows

    def xml(self, memo: _Memo, dims) -> dict[int, str]:
        """Row index -> the <row> element openpyxl would write for it."""
        cols = []
        for c in self.like:
            sid = memo.style_id(c)
            cols.append((memo.letters(c.column), "" if sid is None else f' s="{sid}"', c.data_type))
        out = {}
        serial, letters_cols = memo.serial, cols
        for r, values in sorted(self.rows.items()):
            cells = []
            for (letter, style, kind), v in zip(letters_cols, values):
                if kind == "s":
                    cells.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t>{_escape_cdata(v)}</t></is></c>')
                elif kind == "n":
                    cells.append(f'<c r="{letter}{r}"{style} t="n"><v>{safe_string(v)}</v></c>')
                else:
                    cells.append(f'<c r="{letter}{r}"{style} t="n"><v>{serial(v)}</v></c>')
            attrs = {"r": f"{r}"}
            attrs.update(dims.get(r, {}))
            out[r] = ("<row" + "".join(f' {k}="{_escape_attrib(v)}"' for k, v in attrs.items()) + ">"
                      + "".join(cells) + "</row>")
        return out


def _plain_rows_of(ws) -> PlainRows | None:
    """The sheet's kept rows, or None; made cells here when anything would make their XML differ
    from openpyxl's: a cell written into a kept row later, ISO dates with a date template, a
    template written after a kept row (its style id comes first), a kept row beyond the last
    cell (the sheet's stated size counts cells)."""
    plain = getattr(ws, "_plain_rows", None)
    if plain is None or not plain.rows:
        return None
    taken = {r for r, _ in ws._cells}
    if ((ws.parent.iso_dates and "d" in {c.data_type for c in plain.like}) or not taken.isdisjoint(plain.rows)
            or max(c.row for c in plain.like) >= min(plain.rows) or max(plain.rows) > max(taken, default=0)):
        plain.materialize(ws)
        return None
    return plain


class _FastWorksheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer; rows of plain cells go out as text."""

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        raw = getattr(xf, "_file", None)  # et_xmlfile's writer: a callable that takes text
        kept_rows = _plain_rows_of(self.ws)
        if raw is None:  # lxml's: openpyxl writes the rows itself
            if kept_rows is not None:
                kept_rows.materialize(self.ws)
            self.xf.send(None)
            return super().write_rows()
        memo = _Memo(self.ws.parent.epoch)
        dims = self.ws.row_dimensions
        kept: list[int] = sorted(kept_rows.rows) if kept_rows is not None else []
        kept_xml: dict[int, str] = {}
        at = 0  # the next kept row to write
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                if kept_rows is not None and at < len(kept) and kept[at] <= row_idx:
                    if not kept_xml:  # the templates' rows are written by now: their style ids are known
                        kept_xml = kept_rows.xml(memo, dims)
                    while at < len(kept) and kept[at] <= row_idx:
                        raw(kept_xml[kept[at]])
                        at += 1
                    if not row and row_idx in kept_xml:
                        continue  # an empty row of row_dimensions: the kept row carried its attributes
                cells: list[str] = []
                plain = True
                for cell in row:
                    if cell._value is None and not cell.has_style and not cell._comment:
                        continue  # as openpyxl: nothing to write
                    text = _cell_xml(cell, memo)
                    if text is None:
                        plain = False
                        break
                    cells.append(text)
                if not plain:
                    self.write_row(xf, row, row_idx)
                    continue
                attrs = {"r": f"{row_idx}"}
                attrs.update(dims.get(row_idx, {}))
                raw("<row" + "".join(f' {k}="{_escape_attrib(v)}"' for k, v in attrs.items()) + ">"
                    + "".join(cells) + "</row>")
            if kept_rows is not None and at < len(kept):
                kept_xml = kept_xml or kept_rows.xml(memo, dims)
                for r in kept[at:]:
                    raw(kept_xml[r])
        self.xf.send(None)


class _FastExcelWriter(ExcelWriter):
    def write_worksheet(self, ws) -> None:  # openpyxl's, with the faster worksheet writer
        if self.workbook.write_only:
            return super().write_worksheet(ws)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        _plain_rows_of(ws)  # before the sheet's stated size is written: kept rows that cannot stay become cells
        writer = _FastWorksheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


def save(wb: openpyxl.Workbook, path: Path | str) -> None:
    """`wb.save(path)`, faster for large sheets of plain cells; the same file."""
    if wb.read_only or wb.write_only:
        wb.save(path)
        return
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    _FastExcelWriter(wb, archive).save()
