"""How each sheet prints: one page wide (long sheets run down, never across), landscape when
wide, the header row (and the name columns) repeated on every page, the sheet name and page
number in the footer. Applied to every sheet of the workbook, so a sheet added later prints
the same way without code of its own.
"""

from __future__ import annotations

import math
import unicodedata

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

# A4 portrait with the margins below prints about 95 Excel character units (0.19 cm each) at full
# size; up to this width a sheet stays portrait (scaled to no less than about 80 %), wider ones
# turn landscape
PORTRAIT_CHARACTERS = 120
DEFAULT_WIDTH = 8.43  # Excel's default column width in characters
CM_PER_CHARACTER = 0.19


def setup_for_print(ws: Worksheet) -> None:
    """Page setup for `ws`: A4, fit to one page wide and as many tall as needed, landscape when
    the used columns (and charts) are wider than a portrait page (unless the sheet's writer
    chose an orientation), narrow margins, the frozen
    header rows and columns repeated on every page, and "sheet - page n / N" in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if ws.page_setup.orientation is None:  # a sheet's writer may choose; else by width
        ws.page_setup.orientation = "landscape" if used_width(ws) > PORTRAIT_CHARACTERS else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = False
    if ws.freeze_panes:
        col, row = coordinate_from_string(ws.freeze_panes)
        if row > 1 and not ws.print_title_rows:
            ws.print_title_rows = f"1:{row - 1}"
        first = column_index_from_string(col)
        if first > 1 and not ws.print_title_cols:
            ws.print_title_cols = f"A:{get_column_letter(first - 1)}"
    ws.oddFooter.center.text = "&A  &P / &N"


def column_width(ws: Worksheet, index: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(index))
    return dim.width if dim is not None and dim.width else DEFAULT_WIDTH


def used_width(ws: Worksheet) -> float:
    """Width of the used columns plus the charts beyond them, in character units."""
    width = sum(column_width(ws, c) for c in range(1, ws.max_column + 1))
    for chart in ws._charts:
        anchor = chart.anchor
        if isinstance(anchor, str):
            col = column_index_from_string(coordinate_from_string(anchor)[0])
            start = sum(column_width(ws, c) for c in range(1, col))
            width = max(width, start + chart.width / CM_PER_CHARACTER)
    return width


def text_width(text: str) -> int:
    """Display width in character units: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_height(text: str, width: float, points_per_line: float = 15.0) -> float:
    """Row height in points that shows `text` wrapped in a cell `width` characters wide."""
    lines = sum(max(1, math.ceil(text_width(part) / max(1.0, width - 1))) for part in text.split("\n"))
    return lines * points_per_line
