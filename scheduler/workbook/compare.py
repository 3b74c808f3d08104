"""The Compare workbook of `whatif` (SPEC sections 7 and 10): one row per variant and a chart
of overflow and shortage per variant. Writes; decides nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.atomic import atomic_path
from scheduler.variant import Outcome
from scheduler.workbook.cells import _header, _put, _widths

COMPARE = "Compare"


def compare_columns(set_keys: list[str], hire: bool) -> list[str]:
    cols = ["variant", "shop", "folder", "scale", *set_keys, "overflow (customer-hours)", "shortage (agent-hours)",
            "shortage % of required", "flex hours"]
    if hire:
        cols += ["hires", "hires at least"]
    return cols + ["status", "gap", "seconds", "workbook"]


def compare_rows(outcomes: list[Outcome], set_keys: list[str], hire: bool, workbooks: dict[int, str]) -> list[list]:
    rows = []
    for o in outcomes:
        v = o.variant
        values = dict(v.sets)
        pct = (100.0 * o.shortage / o.required) if o.shortage is not None and o.required else None
        row = [v.label, v.shop, v.folder, v.scale, *[values.get(k) for k in set_keys],
               _r(o.overflow), _r(o.shortage), _r(pct), _r(o.flex_hours)]
        if hire:
            row += [o.hires, o.hires_lower_bound]
        row += [o.status, None if o.gap is None else round(o.gap, 4), round(o.seconds, 1),
                workbooks.get(v.index, "")]
        rows.append(row)
    return rows


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def write_compare(path: Path, outcomes: list[Outcome], set_keys: list[str], hire: bool,
                  workbooks: dict[int, str]) -> Path:
    """Write the Compare workbook to `path` atomically; `workbooks` maps a variant's index to its
    own workbook's file name (relative to `path`'s folder)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = COMPARE
    columns = compare_columns(set_keys, hire)
    _header(ws, 1, columns)
    rows = compare_rows(outcomes, set_keys, hire, workbooks)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = _put(ws, r, c, value)
            if columns[c - 1] == "gap" and value is not None:
                cell.number_format = "0.0%"
    ws.freeze_panes = "B2"
    _widths(ws, {"A": 36, "B": 16, "C": 24})
    if rows:
        _chart(ws, columns, len(rows))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _chart(ws: Worksheet, columns: list[str], n: int) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal: variant labels stay readable
    chart.title = "Service per variant"
    chart.y_axis.title = "customer-hours / agent-hours"
    chart.height, chart.width = max(8, 0.8 * n + 4), 22
    for name in ("overflow (customer-hours)", "shortage (agent-hours)"):
        col = columns.index(name) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False
    chart.legend.position = "b"
    ws.add_chart(chart, f"{openpyxl.utils.get_column_letter(len(columns) + 2)}2")
