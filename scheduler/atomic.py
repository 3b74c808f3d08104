"""Atomic file writes: a file is replaced in one step or not at all, so a failed or interrupted
write never leaves a half-written roster, workbook or demand.csv behind. Also the CSV writer the
roster workbook's `_assignments.csv` uses.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import math
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSV_DATETIME = "%Y-%m-%d %H:%M"
# a spreadsheet evaluates a CSV field starting with one of these as a formula
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the folder of `path`; when the block succeeds the temp file
    replaces `path` in one step (os.replace). On any exception the temp file is removed and the
    exception re-raised, so an existing file at `path` is never half-written."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "r+b") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets what open() would give it
    (mkstemp's 0600 would hide the roster from the rest of the team)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_csv_atomic(path: Path, header: list[str], rows: list[list]) -> None:
    """Write a CSV file (UTF-8 with BOM, so Excel shows Chinese names) atomically. Datetimes are
    written "2026-11-11 09:00", dates "2026-11-11", whole floats without ".0"."""
    with atomic_path(Path(path)) as tmp:
        write_csv(tmp, header, rows)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """Write the CSV file in place (inside an atomic_path block), as write_csv_atomic describes."""
    memo: dict[tuple[type, Any], str] = {}  # a roster repeats its dates, times and hours many times

    def field(v: Any) -> str:
        if type(v) is str:
            return _csv_field(v)
        try:
            return memo[(type(v), v)]
        except KeyError:
            text = memo[(type(v), v)] = _csv_field(v)
            return text
        except TypeError:  # unhashable
            return _csv_field(v)

    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([_csv_field(h) for h in header])
        for row in rows:
            writer.writerow([field(v) for v in row])


def _csv_field(value: Any) -> str:
    if type(value) is str and not value.startswith(CSV_FORMULA_START):
        return value  # the common case, first
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    # a spreadsheet opening the CSV would run "=HYPERLINK(...)"; a leading ' keeps it text.
    # Plain numbers such as "+1" are left alone: Excel reads them as numbers, never as formulas.
    if text.startswith(CSV_FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def plain_value(value: Any) -> Any:
    """numpy and pandas scalars as plain Python values (NaT and NA as None). Neither library is
    imported for this: a value of theirs means they are loaded already (a repair never loads
    pandas)."""
    if value is None:
        return None
    pd = sys.modules.get("pandas")
    if pd is not None:
        if value is pd.NaT or value is pd.NA:
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        return value.item()
    return value

