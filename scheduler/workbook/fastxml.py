"""Saving a workbook faster: openpyxl's own file, with its loop over cells done in plain strings.

Without lxml, openpyxl writes each cell through an element tree, about 15 microseconds a cell:
1.2 s for the 75,000 cells of a 400-agent fortnight's Assignments sheet, the larger part of a
repair's answer time. `save` writes the same XML for the cells our sheets hold (text, numbers,
dates and datetimes) and hands every other cell (formulas, rich text, comments, hyperlinks, text
with spaces at its ends, empty strings) and every other part of the file to openpyxl's own
writer, so the file is the one openpyxl would write (tests/test_workbook.py compares them byte
for byte). With lxml installed openpyxl streams through lxml, which takes no raw text: then the
rows are written by openpyxl as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # type: ignore[attr-defined]
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
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


class _FastWorksheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer; rows of plain cells go out as text."""

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        raw = getattr(xf, "_file", None)  # et_xmlfile's writer: a callable that takes text
        if raw is None:  # lxml's: openpyxl writes the rows itself
            self.xf.send(None)
            return super().write_rows()
        memo = _Memo(self.ws.parent.epoch)
        dims = self.ws.row_dimensions
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
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
        self.xf.send(None)


class _FastExcelWriter(ExcelWriter):
    def write_worksheet(self, ws) -> None:  # openpyxl's, with the faster worksheet writer
        if self.workbook.write_only:
            return super().write_worksheet(ws)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
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
