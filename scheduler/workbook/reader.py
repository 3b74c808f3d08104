"""Reading a roster workbook back (repair, check): its Assignments and Absences sheets.

Formulas are never evaluated and links never followed; every problem is reported with file,
sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
from operator import itemgetter
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from scheduler.errors import InputError, Problem
from scheduler.scenario import Absence, parse_datetime, parse_number
from scheduler.workbook.cells import _id_text
from scheduler.workbook.fastread import sheet_values
from scheduler.workbook.labels import ABSENCE_COLUMNS, ABSENCES, ASSIGNMENT_COLUMNS, ASSIGNMENTS


def read_assignments(path: Path) -> list[dict]:
    """Read the Assignments sheet of a roster workbook: one dict per non-blank row with
    employee_id, name, shift, queue (str), date (date), start, end (datetime), hours (float).
    Formulas are never evaluated and links never followed. Raises InputError listing every
    problem with file, sheet, row and column."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "not found")])
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        hint = " Save it as an Excel workbook (.xlsx)." if path.suffix.lower() in (".xls", ".csv") else ""
        raise InputError([Problem(path.name, f"cannot be read as an Excel workbook ({exc}).{hint}")]) from None
    try:
        if ASSIGNMENTS not in wb.sheetnames:
            raise InputError([Problem(path.name, f"has no sheet {ASSIGNMENTS!r} (sheets: {', '.join(wb.sheetnames)})")])
        raw_rows = _values(wb[ASSIGNMENTS])
    finally:
        wb.close()

    return assignment_rows(f"{path.name} [{ASSIGNMENTS}]", raw_rows)


def _values(ws) -> list[tuple]:
    """The sheet's rows of values, as openpyxl reads them (scheduler.workbook.fastread, about
    twice as fast; openpyxl itself for a sheet that reader does not take)."""
    try:
        return sheet_values(ws)
    except Exception:  # noqa: BLE001 - anything it cannot read, openpyxl reads (or says why not)
        return list(ws.iter_rows(values_only=True))


def assignment_rows(where: str, raw_rows: list) -> list[dict]:
    """The Assignments table (header row first, as read from a sheet or a CSV) -> one dict per
    non-blank row; raises InputError listing every problem, named by `where`, row and column."""
    if not raw_rows:
        raise InputError([Problem(where, f"is empty: expected the header {', '.join(ASSIGNMENT_COLUMNS)}", row=1)])
    columns = _header_columns(where, tuple(raw_rows[0]))

    problems: list[Problem] = []
    out = []
    pick = itemgetter(*(columns[c] for c in ASSIGNMENT_COLUMNS))  # the row's cells in ASSIGNMENT_COLUMNS order
    widest = max(columns.values())
    for row_no, values in enumerate(raw_rows[1:], start=2):
        if len(values) > widest:
            plain = _plain_record(*pick(values))
            if plain is not None:  # a roster's own row: nothing to convert or report
                out.append(plain)
                continue
        cells = {name: (values[i] if i < len(values) else None) for name, i in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        record, row_problems = _assignment_row(where, row_no, cells)
        problems += row_problems
        if not row_problems:
            out.append(record)
    if problems:
        raise InputError(problems)
    return out


def _header_columns(where: str, header: tuple) -> dict[str, int]:
    """Column name -> index in the row. Extra columns are allowed (and ignored); the eight
    HR columns must each appear once."""
    found: dict[str, int] = {}
    problems = []
    for i, v in enumerate(header):
        name = str(v).strip().lower() if v is not None else ""
        if name in ASSIGNMENT_COLUMNS:
            if name in found:
                problems.append(Problem(where, f"column {name!r} appears twice in the header", row=1,
                                        column=get_column_letter(i + 1)))
            found.setdefault(name, i)
    for name in ASSIGNMENT_COLUMNS:
        if name not in found:
            problems.append(Problem(where, f"missing column {name!r} in the header; expected "
                                           f"{', '.join(ASSIGNMENT_COLUMNS)}", row=1))
    if problems:
        raise InputError(problems)
    return found


def _plain_record(eid: Any, name: Any, date: Any, shift: Any, queue: Any, start: Any, end: Any, hours: Any
                  ) -> dict | None:
    """The row (its cells in ASSIGNMENT_COLUMNS order) as `_assignment_row` reads it when every
    cell already has its type (texts, a date, datetimes on the second, a number of hours), else
    None."""
    if type(date) is dt.datetime:  # Excel's dates come back as datetimes
        date = date.date()
    if (type(eid) is not str or type(shift) is not str or type(queue) is not str
            or (name is not None and type(name) is not str) or type(date) is not dt.date
            or type(start) is not dt.datetime or type(end) is not dt.datetime
            or start.microsecond or end.microsecond or type(hours) not in (float, int)):
        return None
    eid, shift, queue = eid.strip(), shift.strip(), queue.strip()
    if not eid or not shift or not queue or not math.isfinite(hours) or hours < 0:
        return None
    return {"employee_id": eid, "name": name.strip() if name else "", "date": date, "shift": shift,
            "queue": queue, "start": start, "end": end, "hours": float(hours)}


def _assignment_row(where: str, row: int, cells: dict[str, Any]) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def convert(column: str, parse) -> None:
        try:
            out[column] = parse(cells[column])
        except ValueError as exc:
            problems.append(Problem(where, str(exc), row=row, column=column))

    for column in ("employee_id", "name", "shift", "queue"):
        convert(column, lambda v, c=column: _text_cell(v, required=c != "name"))
    convert("date", _date_cell)
    convert("start", _datetime_cell)
    convert("end", _datetime_cell)
    if _blank(cells["hours"]):
        if "start" in out and "end" in out:
            out["hours"] = (out["end"] - out["start"]).total_seconds() / 3600.0
    else:
        convert("hours", _hours_cell)
    return {c: out.get(c) for c in ASSIGNMENT_COLUMNS}, problems


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text_cell(v: Any, required: bool = True) -> str:
    if _blank(v):
        if required:
            raise ValueError("is empty: expected a value")
        return ""
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        raise ValueError(f"expected text, got a date/time ({v}); Excel may have converted it: "
                         f"format the column as Text and type it again")
    if isinstance(v, bool):
        raise ValueError(f"expected text, got {v}")
    return _id_text(v).strip()


def _date_cell(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and v.strip():
        t = v.strip().replace("/", "-").replace("T", " ")
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(t, fmt).date()
            except ValueError:
                pass
    raise ValueError(f"expected a date like 2026-11-11, got {_shown(v)}")


def _datetime_cell(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        # Excel stores times as fractions of a day; round away the float noise
        return (v + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if isinstance(v, str) and v.strip():
        return parse_datetime(v)
    raise ValueError(f"expected a date and time like 2026-11-11 09:00, got {_shown(v)}")


def _hours_cell(v: Any) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        value = float(v)
    elif isinstance(v, str):
        value = parse_number(v)
    else:
        raise ValueError(f"expected a number of hours, got {v}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a non-negative number of hours, got {v!r}")
    return value


def _shown(v: Any) -> str:
    if v is None or (isinstance(v, str) and not v.strip()):
        return "an empty cell"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"the number {v:g} (format the cell as a date)"
    return repr(v) if isinstance(v, str) else str(v)


def read_absences(path: Path) -> list[Absence]:
    """The Absences sheet of a roster workbook ([] when it has none)."""
    path = Path(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        if ABSENCES not in wb.sheetnames:
            return []
        raw_rows = list(wb[ABSENCES].iter_rows(values_only=True))
    finally:
        wb.close()
    where = f"{path.name} [{ABSENCES}]"
    header = [str(h).strip() if h is not None else "" for h in (raw_rows[0] if raw_rows else ())]
    missing = [c for c in ("employee_id", "start", "end") if c not in header]
    if missing:
        raise InputError([Problem(where, f"missing column {c!r}; expected {', '.join(ABSENCE_COLUMNS)}", row=1)
                          for c in missing])
    col = {name: header.index(name) for name in ABSENCE_COLUMNS if name in header}
    out, problems = [], []
    for row_no, values in enumerate(raw_rows[1:], start=2):
        cells = {k: (values[i] if i < len(values) else None) for k, i in col.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        try:
            out.append(Absence(employee_id=_id_text(cells["employee_id"]), start=_datetime_cell(cells["start"]),
                               end=_datetime_cell(cells["end"]),
                               reason="" if _blank(cells.get("reason")) else str(cells.get("reason"))))
        except (ValueError, ValidationError) as exc:
            problems.append(Problem(where, f"expected employee_id, start and end of an absence ({exc})", row=row_no))
    if problems:
        raise InputError(problems)
    return out

