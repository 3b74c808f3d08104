"""Reading the scenario's tables: bytes and encodings, CSV and XLSX into header + rows, header
normalisation, and parsing one cell (parse_bool, parse_datetime, parse_number).

Every reader collects `Problem`s (file, row, column, what was expected) instead of raising, so
one run reports everything wrong with a folder. Nothing a user can put in a file may escape as
a traceback: decoding, CSV, Excel and OS errors all become problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.errors import Problem
from scheduler.scenario.messages import _did_you_mean

TRUE_WORDS = {"true", "yes", "y", "1", "是", "t", "√", "✓", "on", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f", "", "×", "✗", "off", "不"}
KIND_WORDS = {"regular": "regular", "正式": "regular", "flex": "flex", "机动": "flex", "兼职": "flex",
              "临时": "flex", "支援": "flex"}
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#EXTERNAL!"}
SAVE_AS_UTF8 = ("save it as 'CSV UTF-8' (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; "
                "WPS: 文件 > 另存为 > 'CSV UTF-8')")


@dataclass
class _Table:
    """A header and its data rows: (row number as a spreadsheet shows it, column -> text)."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    header_row: int = 1
    data_rows: int = 0  # non-blank rows below the header, good or not


def _shown(text: str) -> str:
    return "an empty cell" if not text.strip() else repr(text)


def _read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        problems.append(Problem(path.name, f"is a folder, not a file: expected a file at {path}"))
    except PermissionError:
        problems.append(Problem(path.name, "cannot be read: permission denied (is it open in Excel or WPS, "
                                           "or owned by another user?)"))
    except FileNotFoundError:
        problems.append(Problem(path.name, f"not found in {path.parent}"))
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read ({exc.strerror or exc})"))
    return None


def _locate_byte(raw: bytes, pos: int, columns: bool) -> tuple[int, str | None]:
    """Row (line) and, for a CSV, the header name of the column that holds byte `pos`."""
    before = raw[:pos].split(b"\n")
    row = len(before)
    if not columns:
        return row, None
    index = before[-1].count(b",")
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", "replace").split(",")
    col = _norm_header(header[index]) if index < len(header) and row > 1 else None
    return row, col or None


def _read_text(path: Path, problems: list[Problem], columns: bool = True) -> str | None:
    """The file's text; `columns` = it is a CSV (else a TOML file, where rows are lines)."""
    raw = _read_bytes(path, problems)
    if raw is None:
        return None
    save_as = SAVE_AS_UTF8 if columns else "save it with the encoding UTF-8 (Notepad: Save As > Encoding: UTF-8)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(path.name, f"is UTF-16 text (Excel's 'Unicode Text'); expected UTF-8: {save_as}"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row, col = _locate_byte(raw, exc.start, columns)
        where = f"byte {exc.start}" + ("" if columns else f", line {row}")
        try:
            raw.decode("gb18030")
            msg = (f"is not UTF-8 text ({where}): it looks like GBK, which Excel and WPS write for a plain "
                   f"'CSV' on Chinese Windows. Expected UTF-8: {save_as}, then run again" if columns else
                   f"is not UTF-8 text ({where}): it looks like GBK. Expected UTF-8: {save_as}")
        except UnicodeDecodeError:
            msg = f"is not UTF-8 text ({where}); expected UTF-8: {save_as}"
        problems.append(Problem(path.name, msg, row=row if columns else None, column=col))
        return None


def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(h).replace("\ufeff", "").strip().lower())


def _make_table(name: str, rows: list[list[str]], expected: list[str], problems: list[Problem],
                search_header: bool = False, errors: set[tuple[int, int]] | None = None) -> _Table | None:
    """Find the header (the first non-blank row; with `search_header` the first of the first ten rows
    naming an expected column, so a title row above it is skipped) and turn the rest into rows."""
    nonblank = [i for i, r in enumerate(rows) if any(str(c).strip() for c in r)]
    if not nonblank:
        problems.append(Problem(name, f"is empty: expected a header row with the columns {', '.join(expected)}",
                                row=1))
        return None
    at = nonblank[0]
    if search_header:
        for i in nonblank[:10]:
            if {_norm_header(c) for c in rows[i]} & set(expected):
                at = i
                break
    header = [_norm_header(c) for c in rows[at]]
    if len([h for h in header if h]) == 1 and any(sep in str(rows[at][0]) for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in str(rows[at][0]))
        problems.append(Problem(name, f"the values are separated by {sep!r}; expected commas: {SAVE_AS_UTF8}",
                                row=at + 1))
        return None
    table = _Table(name, header, header_row=at + 1)
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            problems.append(Problem(name, f"column {h!r} appears twice in the header; expected each column once",
                                    row=at + 1, column=h))
        seen.add(h)
    for i in range(at + 1, len(rows)):
        r, row = rows[i], i + 1
        if not any(str(c).strip() for c in r):
            continue  # blank rows are harmless
        table.data_rows += 1
        if len(r) > len(header) and any(str(c).strip() for c in r[len(header):]):
            problems.append(Problem(name, f"has {len(r)} values but the header has {len(header)} columns "
                                          f"(a comma inside a value? put the value in double quotes)", row=row))
            continue
        bad = False
        for j, h in enumerate(header):
            if errors and (i, j) in errors:
                problems.append(Problem(name, f"the cell shows the Excel error {r[j]}; expected a value "
                                              f"(fix the formula, or paste values only)", row=row,
                                        column=h or f"#{j + 1}"))
                bad = True
        if bad:
            continue
        for j, h in enumerate(header):
            if j < len(r) and "\n" in str(r[j]).strip():
                problems.append(Problem(name, "the value runs over several lines (is a double quote \" not "
                                              "closed?); expected one line per cell", row=row, column=h or f"#{j + 1}"))
                bad = True
        if bad:
            continue
        table.rows.append((row, {h: (str(r[j]).strip() if j < len(r) else "") for j, h in enumerate(header) if h}))
    return table


def _read_csv(path: Path, expected: list[str], problems: list[Problem]) -> _Table | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for r in reader:
            rows.append(r)
    except csv.Error as exc:
        problems.append(Problem(path.name, f"cannot be read as CSV ({exc}); expected comma-separated values: "
                                           f"{SAVE_AS_UTF8}", row=len(rows) + 1))
        return None
    return _make_table(path.name, rows, expected, problems, search_header=True)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return str(v)


def _read_xlsx(path: Path, expected: list[str], problems: list[Problem]) -> _Table | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or mis-named file
        problems.append(Problem(path.name, f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: "
                                           f"{exc}); expected a workbook saved by Excel or WPS as .xlsx, or "
                                           f"staff.csv saved as 'CSV UTF-8'"))
        return None
    try:
        if not wb.worksheets:
            problems.append(Problem(path.name, "has no worksheet; expected the staff list on the first sheet"))
            return None
        rows = [list(r) for r in wb.worksheets[0].iter_rows(min_row=1, values_only=True)]
    except Exception as exc:
        problems.append(Problem(path.name, f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: "
                                           f"{exc})"))
        return None
    finally:
        wb.close()
    errors = {(i, j) for i, r in enumerate(rows) for j, v in enumerate(r) if isinstance(v, str) and v in EXCEL_ERRORS}
    text_rows = [[_cell_text(v) for v in r] for r in rows]
    return _make_table(path.name, text_rows, expected, problems, search_header=True, errors=errors)


def _check_columns(table: _Table, required: list[str], optional: list[str], problems: list[Problem]) -> bool:
    """Report missing and unknown columns; True when every required column is there."""
    expected = required + optional
    listing = f"expected columns: {', '.join(expected)}"
    present = [h for h in table.header if h]
    unknown = [h for h in present if h not in expected]
    claimed: set[str] = set()
    ok = True
    for col in required:
        if col in present:
            continue
        ok = False
        close = difflib.get_close_matches(col, [u for u in unknown if u not in claimed], n=1, cutoff=0.6)
        if close:
            claimed.add(close[0])
            problems.append(Problem(table.name, f"missing column {col!r}: found {close[0]!r}, did you mean "
                                                f"{col!r}? Rename that header; {listing}",
                                    row=table.header_row, column=close[0]))
        else:
            problems.append(Problem(table.name, f"missing column {col!r}; {listing}",
                                    row=table.header_row, column=col))
    for col in unknown:
        if col in claimed:
            continue
        problems.append(Problem(table.name, f"unknown column {col!r}{_did_you_mean(col, expected)}; {listing}",
                                row=table.header_row, column=col))
    return ok


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false (also yes/no, 1/0, 是/否), got {text!r}")


def parse_datetime(text: str) -> dt.datetime:
    t = re.sub(r"\s+", " ", text.strip().replace("T", " ").replace("/", "-").replace(".", "-"))
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(t, fmt)
        except ValueError:
            pass
    raise ValueError(f"expected a date and time like 2026-11-11 09:00, got {text!r}")


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(text: str) -> float:
    """A number as people type it: spaces and thousands separators (1,234.5) are accepted."""
    t = re.sub(r"[\s\u00a0\u202f\u3000_]+", "", text.strip().lstrip("'"))
    if "," in t:
        if not _THOUSANDS.fullmatch(t):
            raise ValueError(f"expected a number with '.' for decimals, got {text!r}")
        t = t.replace(",", "")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"expected a number, got {_shown(text)}") from None
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {text!r}")
    return v

