"""Writing cells: one value per cell as text or a real number/date (never a formula), and the
small layout helpers (header rows, sections, label/value pairs, tables, column widths), fills
and number formats the sheets share.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.atomic import plain_value as _plain

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.0"
SECONDS_FORMAT = "0.0"
AMOUNT_FORMAT = "#,##0.00"  # objective values and bounds
PERCENT_FORMAT = "0.0%"

# shift fills, given out in scenario.config.shifts order (cycled when there are more shifts)
PALETTE = ("BDD7EE", "FFE699", "C6E0B4", "F8CBAD", "D9D2E9", "FCE4D6", "DDEBF7", "E2EFDA",
           "FFF2CC", "B4C6E7")
ABSENT_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WEEKEND_FILL = PatternFill("solid", fgColor="FCE4D6")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
ABSENT_FONT = Font(italic=True, color="7F7F7F")
CENTER = Alignment(horizontal="center", vertical="center")


def _put(ws: Worksheet, row: int, col: int, value: Any):
    """Write one value: text stays text (never a formula), dates and datetimes become real
    Excel date cells, infinite numbers become "∞", NaN an empty cell. A (value, number_format)
    pair sets the number format too. Returns the cell."""
    number_format = None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        value, number_format = value
    cell = ws.cell(row=row, column=col)
    value = _plain(value)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            if math.isnan(value):
                return cell
            cell.value = "∞" if value > 0 else "-∞"
            cell.data_type = "s"
        else:
            cell.value = value
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, dt.time):
        cell.value = value.strftime("%H:%M")
        cell.data_type = "s"
    else:
        cell.value = _clean(str(value))
        cell.data_type = "s"
    if number_format and cell.data_type == "n":
        cell.number_format = number_format
    return cell


def _put_like(ws: Worksheet, row: int, col: int, value: Any, like):
    """`_put` for a value of the same Python type as the one cell `like` holds (written by
    `_put`): the same data type and a copy of its style (number format, alignment), without
    looking them up again; any other value goes through `_put`. For long tables of one kind per
    column (the Assignments sheet). Returns the cell."""
    kind = type(value)
    if kind is not type(like._value) or kind not in (str, int, float, dt.datetime, dt.date) or (
            kind is float and not math.isfinite(value)):
        return _put(ws, row, col, value if like.number_format == "General" else (value, like.number_format))
    cell = Cell(ws, row=row, column=col, style_array=copy.copy(like._style))
    cell._value = _clean(value) if kind is str else value
    cell.data_type = like.data_type
    ws._add_cell(cell)
    return cell


def _clean(text: str) -> str:
    """Drop the control characters an .xlsx file cannot hold (openpyxl would refuse the save)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _rounded(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 2)
    return value


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for c, label in enumerate(labels, start=1):
        cell = _put(ws, row, c, label)
        cell.font, cell.fill = BOLD, HEADER_FILL


def _section(ws: Worksheet, row: int, title: str) -> int:
    cell = _put(ws, row, 1, title)
    cell.font, cell.fill = BOLD, SECTION_FILL
    return row + 1


def _pairs(ws: Worksheet, row: int, pairs: list[tuple[str, Any]]) -> int:
    for label, value in pairs:
        _put(ws, row, 1, label)
        _put(ws, row, 2, value).alignment = Alignment(horizontal="left")
        row += 1
    return row


def _table(ws: Worksheet, row: int, header: list[str], rows: list[list]) -> int:
    for c, label in enumerate(header, start=1):
        _put(ws, row, c, label).font = BOLD
    for values in rows:
        row += 1
        for c, value in enumerate(values, start=1):
            _put(ws, row, c, value)
    return row + 1


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width


def _id_text(v: Any) -> str:
    v = _plain(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)
