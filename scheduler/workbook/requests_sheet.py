"""The Requests sheet (SPEC 7): every request of requests.csv, granted or declined, and why.
The outcomes are decided by `scheduler.granted`; this only lays them out."""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.workbook.cells import _header, _put, _widths

REQUESTS = "Requests"
# `row` is the request's row in requests.csv
REQUEST_COLUMNS = ["row", "employee_id", "name", "date", "request", "shift", "priority", "reason", "granted",
                   "works", "why_declined"]
DECLINED_FILL = PatternFill("solid", fgColor="F8CBAD")


def requests_sheet(ws: Worksheet, requests: list[dict]) -> None:
    _header(ws, 1, REQUEST_COLUMNS)
    for r, o in enumerate(requests, start=2):
        values = [o["row"], o["employee_id"], o["name"], o["date"], o["request"], o["shift"], o["priority"],
                  o["reason"], "yes" if o["granted"] else "no", o["works"], o["why"]]
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
        if not o["granted"]:
            ws.cell(row=r, column=9).fill = DECLINED_FILL
    ws.freeze_panes = "A2"
    _widths(ws, {"A": 6, "B": 14, "C": 12, "D": 12, "E": 9, "F": 7, "G": 8, "H": 24, "I": 9, "J": 7, "K": 90})
