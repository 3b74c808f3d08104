"""Input models (pydantic v2) for a scenario folder, and the loader that reads one.

A scenario folder holds `scenario.toml`, `staff.csv` (or `staff.xlsx`), and optionally
`demand.csv` and `absences.csv` (SPEC section 2). Every problem found is collected and raised
together as an `InputError` naming file, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scheduler.errors import InputError, Problem

QUEUE_ID = re.compile(r"^[a-z0-9_]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Queue(_Strict):
    id: str
    name: str = ""
    contacts_per_agent_hour: float = Field(gt=0)
    session_minutes: float = Field(gt=0)

    @field_validator("id")
    @classmethod
    def _id_form(cls, v: str) -> str:
        if not QUEUE_ID.match(v):
            raise ValueError("a queue id uses only a-z, 0-9 and _")
        return v

    @property
    def norm_concurrency(self) -> float:
        """Concurrent customers per agent at the staffing norm."""
        return self.contacts_per_agent_hour * self.session_minutes / 60.0


class ShiftType(_Strict):
    code: str = Field(min_length=1, max_length=3)
    start: dt.time
    hours: float = Field(gt=0, le=24)
    night: bool = False
    kinds: list[Literal["regular", "flex"]] = ["regular", "flex"]

    @field_validator("start", mode="before")
    @classmethod
    def _parse_time(cls, v: Any) -> Any:
        if isinstance(v, str):
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", v.strip())
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise ValueError(f"expected a time HH:MM, got {v!r}")
            return dt.time(int(m.group(1)), int(m.group(2)))
        return v


class Rules(_Strict):
    min_rest_hours: float = Field(default=11, ge=0)
    max_consecutive_days: int = Field(default=6, ge=1)
    max_hours_week: float = Field(default=48, gt=0)
    max_night_shifts: int = Field(default=3, ge=0)
    max_continuous_hours: float = Field(default=4, gt=0)
    max_continuous_high_load_hours: float = Field(default=2, gt=0)
    high_load_contacts_per_hour: float | None = Field(default=None, ge=0)
    reroute_concurrency: float = Field(default=100, gt=0)
    min_leads_on_duty: int = Field(default=1, ge=0)


class Move(_Strict):
    dates: list[dt.date] = Field(min_length=1)
    from_queue: str = Field(alias="from")
    to_queue: str = Field(alias="to")


class ForecastPlan(_Strict):
    """The business plan of SPEC section 5 (all money in CNY, rates as fractions)."""

    sales_target: float = Field(gt=0)
    avg_order_value: float = Field(gt=0)
    inquiry_rate: float = Field(ge=0)
    stockout_rate: float = Field(default=0.0, ge=0, le=1)
    refund_rate: float = Field(ge=0, le=1)
    after_sale_refund_ratio: float = Field(default=0.2, ge=0)
    refund_peak_share: float = Field(default=0.10, ge=0, le=1)
    refund_regular_share: float = Field(default=0.05, ge=0, le=1)
    contacts_per_refund: float = Field(default=1.5, ge=0)
    sale_day: dt.date
    # day offset from the sale day (as text, e.g. "-1") -> share of pre-sales contacts
    presale_day_shares: dict[str, float] | None = None
    hourly_profile: list[float] | None = None
    after_sales_hourly_profile: list[float] | None = None
    baseline_contacts_per_day: dict[str, float] = {}
    pre_sales_queue: str | None = None
    after_sales_queue: str | None = None
    agent_daily_capacity: float | None = Field(default=None, gt=0)

    @field_validator("hourly_profile", "after_sales_hourly_profile")
    @classmethod
    def _profile(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (len(v) != 24 or any(w < 0 for w in v) or sum(v) <= 0):
            raise ValueError("expected 24 non-negative hourly weights with a positive sum")
        return v

    @field_validator("presale_day_shares")
    @classmethod
    def _shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        for k, w in v.items():
            if not re.fullmatch(r"[+-]?\d+", k) or w < 0:
                raise ValueError("expected day offsets like \"-1\" = share >= 0")
        if sum(v.values()) <= 0:
            raise ValueError("the day shares must have a positive sum")
        return v


class SolverSettings(_Strict):
    time_limit_s: float = Field(default=60, gt=0)
    workers: int = Field(default=2, ge=1)
    seed: int = Field(default=0, ge=0)


class ScenarioConfig(_Strict):
    name: str
    start: dt.date
    days: int = Field(ge=1, le=62)
    slot_minutes: Literal[15, 30, 60] = 60
    queues: list[Queue] = Field(min_length=1)
    shifts: list[ShiftType] = Field(min_length=1)
    rules: Rules = Rules()
    moves: list[Move] = []
    forecast: ForecastPlan | None = None
    solver: SolverSettings = SolverSettings()

    @model_validator(mode="after")
    def _consistent(self) -> "ScenarioConfig":
        ids = [q.id for q in self.queues]
        if len(set(ids)) != len(ids):
            raise ValueError(f"queue ids must be unique, got {ids}")
        codes = [s.code for s in self.shifts]
        if len(set(codes)) != len(codes):
            raise ValueError(f"shift codes must be unique, got {codes}")
        for s in self.shifts:
            minutes = s.start.hour * 60 + s.start.minute
            if minutes % self.slot_minutes or round(s.hours * 60) % self.slot_minutes:
                raise ValueError(
                    f"shift {s.code}: start {s.start:%H:%M} and length {s.hours} h must be "
                    f"multiples of the {self.slot_minutes}-minute slot"
                )
        for m in self.moves:
            for q in (m.from_queue, m.to_queue):
                if q not in ids:
                    raise ValueError(f"move {m.from_queue} -> {m.to_queue}: unknown queue {q!r}")
        end = self.start + dt.timedelta(days=self.days)
        for m in self.moves:
            for d in m.dates:
                if not self.start <= d < end:
                    raise ValueError(f"move date {d} is outside the horizon {self.start} .. {end - dt.timedelta(days=1)}")
        if self.forecast:
            for q in (self.forecast.pre_sales_queue, self.forecast.after_sales_queue,
                      *self.forecast.baseline_contacts_per_day):
                if q is not None and q not in ids:
                    raise ValueError(f"forecast: unknown queue {q!r}")
        return self

    @property
    def horizon_start(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def horizon_end(self) -> dt.datetime:
        return self.horizon_start + dt.timedelta(days=self.days)

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=k) for k in range(self.days)]

    @property
    def queue_ids(self) -> list[str]:
        return [q.id for q in self.queues]


class Agent(_Strict):
    employee_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    home_queue: str
    skills: list[str] = []
    kind: Literal["regular", "flex"] = "regular"
    efficiency: float = Field(default=1.0, gt=0, le=2)
    is_lead: bool = False
    night_ok: bool = True
    max_hours_week: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _home_in_skills(self) -> "Agent":
        if not self.skills:
            object.__setattr__(self, "skills", [self.home_queue])
        elif self.home_queue not in self.skills:
            raise ValueError(f"skills {';'.join(self.skills)} must include home_queue {self.home_queue}")
        return self


class Absence(_Strict):
    employee_id: str
    start: dt.datetime
    end: dt.datetime
    reason: str = ""

    @model_validator(mode="after")
    def _order(self) -> "Absence":
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%Y-%m-%d %H:%M} must be after start {self.start:%Y-%m-%d %H:%M}")
        return self


class Scenario(BaseModel):
    """A validated scenario: rules, staff, demand per slot and queue, absences."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    config: ScenarioConfig
    agents: list[Agent]
    # queue id -> forecast contacts per slot (length = number of slots in the horizon)
    demand: dict[str, list[float]]
    absences: list[Absence] = []
    folder: Path | None = None
    demand_source: Literal["demand.csv", "forecast"] = "demand.csv"
    forecast_steps: list[tuple[str, float | str]] = []
    # employee_id -> the shift codes this agent may work (`hire --shifts`; not a staff.csv column)
    shift_limits: dict[str, list[str]] = {}

    @property
    def agent_by_id(self) -> dict[str, Agent]:
        return {a.employee_id: a for a in self.agents}

    @property
    def n_slots(self) -> int:
        return self.config.days * 24 * 60 // self.config.slot_minutes



# ---------------------------------------------------------------------------------------------
# Reading files
#
# Every reader collects `Problem`s (file, row, column, what was expected) instead of raising, so
# one run reports everything wrong with a folder. Nothing a user can put in a file may escape as
# a traceback: decoding, CSV, Excel and OS errors all become problems.

TRUE_WORDS = {"true", "yes", "y", "1", "是", "t", "√", "✓", "on", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f", "", "×", "✗", "off", "不"}
KIND_WORDS = {"regular": "regular", "正式": "regular", "flex": "flex", "机动": "flex", "兼职": "flex",
              "临时": "flex", "支援": "flex"}
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#EXTERNAL!"}
SAVE_AS_UTF8 = ("save it as 'CSV UTF-8' (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; "
                "WPS: 文件 > 另存为 > 'CSV UTF-8')")

STAFF_REQUIRED = ["employee_id", "name", "home_queue"]
STAFF_OPTIONAL = ["skills", "kind", "efficiency", "is_lead", "night_ok", "max_hours_week"]
DEMAND_COLUMNS = ["start", "queue", "contacts"]
ABSENCE_REQUIRED = ["employee_id", "start", "end"]
ABSENCE_OPTIONAL = ["reason"]


@dataclass
class _Table:
    """A header and its data rows: (row number as a spreadsheet shows it, column -> text)."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    header_row: int = 1
    data_rows: int = 0  # non-blank rows below the header, good or not


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    if not close:
        close = [c for c in choices if word and (word in c or c in word)][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


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


# ---------------------------------------------------------------------------------------------
# pydantic's messages in a scheduler's words


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _field_of(model: type[BaseModel], name: str) -> tuple[str, Any] | None:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return fname, info
    return None


def _model_for(root: type[BaseModel], loc: tuple) -> tuple[type[BaseModel] | None, Any]:
    """The model holding the last key of `loc`, and that key's FieldInfo (None when unknown)."""
    model: type[BaseModel] | None = root
    info = None
    keys = [p for p in loc if isinstance(p, str)]
    for k, part in enumerate(keys):
        if model is None:
            return None, None
        found = _field_of(model, part)
        if found is None:
            return (model, None) if k == len(keys) - 1 else (None, None)
        info = found[1]
        if k < len(keys) - 1:
            model = _submodel(info.annotation)
    return model, info


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _range_text(info: Any) -> str | None:
    if info is None:
        return None
    parts = []
    for m in info.metadata:
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{op} {v:g}" if isinstance(v, (int, float)) else f"{op} {v}")
    if not parts:
        return None
    whole = info.annotation is int
    return f"{'a whole number' if whole else 'a number'} {' and '.join(parts)}"


def _type_text(info: Any) -> str | None:
    if info is None:
        return None
    kinds = [a for a in (info.annotation, *get_args(info.annotation)) if isinstance(a, type)]
    for kind, text in ((dt.date, "a date like 2026-11-11 (without quotes)"), (dt.time, 'a time like "08:00"'),
                       (bool, "true or false"), (int, "a whole number"), (float, "a number"),
                       (str, "a text in double quotes"), (list, "a list like [...]")):
        if kind in kinds:
            return text
    return None


def _got(err: dict) -> str:
    v = err.get("input")
    if isinstance(v, (str, int, float, bool, dt.date, dt.time)) and not isinstance(v, dict):
        return f", got {v!r}" if isinstance(v, str) else f", got {v}"
    return ""


def _friendly(err: dict, info: Any) -> str:
    """One pydantic error as 'expected ...' in a scheduler's words."""
    t, msg, ctx = err["type"], err["msg"], err.get("ctx") or {}
    got = _got(err)
    if t == "missing":
        what = _range_text(info) or _type_text(info)
        return f"is required but missing; expected {what}" if what else "is required but missing"
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"expected {_range_text(info) or msg.replace('Input should be ', 'a number ')}{got}"
    if t in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number{got}"
    if t in ("float_parsing", "float_type"):
        return f"expected a number{got}"
    if t == "finite_number":
        return f"expected a finite number{got}"
    if t.startswith("bool"):
        return f"expected true or false{got}"
    if t.startswith("datetime"):
        return f"expected a date and time like 2026-11-11 09:00{got}"
    if t.startswith("date"):
        return f"expected a date like 2026-11-11 (without quotes){got}"
    if t.startswith("time"):
        return f"expected a time like \"08:00\"{got}"
    if t == "literal_error":
        return f"expected {ctx.get('expected', msg.removeprefix('Input should be '))}{got}"
    if t == "string_too_short":
        return "expected a non-empty text"
    if t == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters{got}"
    if t == "too_short":
        return f"expected at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}"
    if t == "string_type":
        return f"expected a text in double quotes{got}"
    if t in ("list_type", "tuple_type", "set_type"):
        return f"expected a list like [...]{got}"
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table{got}"
    if t == "value_error":
        msg = msg.removeprefix("Value error, ")
        return msg if "got" in msg or not got else f"{msg}{got}"
    return msg.replace("Input should be", "expected")


def _errors_to_problems(name: str, row: int, exc: ValidationError, fields: dict[str, str],
                        model: type[BaseModel] = BaseModel) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        col = loc[0] if loc else None
        info = _model_for(model, tuple(err["loc"]))[1] if model is not BaseModel else None
        out.append(Problem(name, _friendly(err, info), row=row, column=col))
    return out


# ---------------------------------------------------------------------------------------------
# scenario.toml


def _loc_text(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            if parts:
                parts[-1] += f" #{p + 1}"
            else:
                parts.append(f"#{p + 1}")
        else:
            parts.append(str(p))
    if not parts:
        return "top level"
    if len(parts) == 1:
        return parts[0]
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


_HEADER = re.compile(r"^\s*\[")


def _toml_line(text: str, loc: tuple) -> int | None:
    """Best effort: the 1-based line of the key at `loc` (or of its table) in the TOML text."""
    lines = text.splitlines()
    pos, found, path = 0, None, []
    for k, part in enumerate(loc):
        if isinstance(part, int):
            continue
        path.append(part)
        nxt = loc[k + 1] if k + 1 < len(loc) else None
        after = loc[k + 2] if k + 2 < len(loc) else None
        dotted = re.escape(".".join(path)).replace(r"\.", r"\s*\.\s*")
        if isinstance(nxt, int) and isinstance(after, str):
            hdr = re.compile(r"^\s*\[\[\s*" + dotted + r"\s*\]\]")
            hits = [i for i in range(pos, len(lines)) if hdr.match(lines[i])]
            if len(hits) > nxt:
                pos = found = hits[nxt]
                pos += 1
                continue
        elif isinstance(nxt, str):
            hdr = re.compile(r"^\s*\[\s*" + dotted + r"\s*\]")
            hits = [i for i in range(pos, len(lines)) if hdr.match(lines[i])]
            if hits:
                pos = found = hits[0]
                pos += 1
                continue
        key = re.compile(r"^\s*[\"']?" + re.escape(str(part)) + r"[\"']?\s*[=.]")
        for i in range(pos, len(lines)):
            if _HEADER.match(lines[i]) and i > pos and not key.match(lines[i]):
                break
            if key.match(lines[i]):
                return i + 1
        return found + 1 if found is not None else None
    return found + 1 if found is not None else None


def _toml_problem(path: Path, text: str, loc: tuple, message: str) -> Problem:
    line = _toml_line(text, loc)
    at = f"line {line}: " if line else ""
    return Problem(path.name, f"{at}{_loc_text(loc)}: {message}")


def _as_time(v: Any) -> dt.time | None:
    if isinstance(v, dt.time):
        return v
    if isinstance(v, str):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v.strip())
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return dt.time(int(m.group(1)), int(m.group(2)))
    return None


def _check_config_refs(data: dict, path: Path, text: str) -> list[Problem]:
    """The cross-checks of ScenarioConfig._consistent, all of them, each located in the file."""
    out: list[Problem] = []

    def entries(key: str) -> list[tuple[int, dict]]:
        v = data.get(key)
        return [(i, e) for i, e in enumerate(v) if isinstance(e, dict)] if isinstance(v, list) else []

    ids: list[str] = []
    for i, q in entries("queues"):
        qid = q.get("id")
        if isinstance(qid, str):
            if qid in ids:
                out.append(_toml_problem(path, text, ("queues", i, "id"),
                                         f"queue id {qid!r} is used twice; expected unique ids"))
            else:
                ids.append(qid)
    codes: list[str] = []
    slot = data.get("slot_minutes", 60)
    for i, s in enumerate(entries("shifts")):
        i, s = s
        code = s.get("code")
        if isinstance(code, str):
            if code in codes:
                out.append(_toml_problem(path, text, ("shifts", i, "code"),
                                         f"shift code {code!r} is used twice; expected unique codes"))
            codes.append(code)
        if slot in (15, 30, 60) and not isinstance(slot, bool):
            start = _as_time(s.get("start"))
            if start is not None and (start.hour * 60 + start.minute) % slot:
                out.append(_toml_problem(path, text, ("shifts", i, "start"),
                                         f"shift {code}: {start:%H:%M} is not on the {slot}-minute slot grid; "
                                         f"expected a start that is a multiple of {slot} minutes"))
            hours = s.get("hours")
            if (isinstance(hours, (int, float)) and not isinstance(hours, bool) and math.isfinite(hours)
                    and 0 < hours <= 24 and round(hours * 60) % slot):
                out.append(_toml_problem(path, text, ("shifts", i, "hours"),
                                         f"shift {code}: {hours} h is not a whole number of {slot}-minute slots"))
    start, days = data.get("start"), data.get("days")
    horizon = None
    if isinstance(start, dt.date) and not isinstance(start, dt.datetime) and isinstance(days, int) \
            and not isinstance(days, bool) and 1 <= days <= 62:
        horizon = (start, start + dt.timedelta(days=days - 1))
    for i, m in entries("moves"):
        for key in ("from", "to"):
            q = m.get(key)
            if isinstance(q, str) and ids and q not in ids:
                out.append(_toml_problem(path, text, ("moves", i, key),
                                         f"{_unknown_queue(q, ids)} (the ids of [[queues]])"))
        dates = m.get("dates")
        if horizon and isinstance(dates, list):
            for j, d in enumerate(dates):
                if isinstance(d, dt.date) and not isinstance(d, dt.datetime) and not horizon[0] <= d <= horizon[1]:
                    out.append(_toml_problem(path, text, ("moves", i, "dates", j),
                                             f"{d} is outside the horizon; expected a date from {horizon[0]} "
                                             f"to {horizon[1]}"))
    fc = data.get("forecast")
    if isinstance(fc, dict) and ids:
        refs = [((k,), fc.get(k)) for k in ("pre_sales_queue", "after_sales_queue")]
        base = fc.get("baseline_contacts_per_day")
        if isinstance(base, dict):
            refs += [(("baseline_contacts_per_day", k), k) for k in base]
        for sub, q in refs:
            if isinstance(q, str) and q not in ids:
                out.append(_toml_problem(path, text, ("forecast", *sub),
                                         _unknown_queue(q, ids)))
    return out


def load_config(path: Path) -> ScenarioConfig:
    """Read and validate scenario.toml; raises InputError with line/column of TOML syntax errors."""
    path = Path(path)
    problems: list[Problem] = []
    text = _read_text(path, problems, columns=False)
    if text is None:
        raise InputError(problems)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        hint = (" (expected a value: text in double quotes, a number, true/false, a date like 2026-11-11 "
                "without quotes, or a list [...])" if "Invalid value" in msg else "")
        if m:
            core = msg[:m.start()].strip()
            lines = text.splitlines()
            n = int(m.group(1))
            shown = f" in {lines[n - 1].strip()[:60]!r}" if 0 < n <= len(lines) and lines[n - 1].strip() else ""
            msg = f"TOML syntax error at line {n}, column {m.group(2)}{shown}: {core}"
        elif "end of document" in msg:
            msg = f"TOML syntax error at the end of the file: {msg.replace('(at end of document)', '').strip()}"
        else:
            msg = f"TOML syntax error: {msg}"
        raise InputError([Problem(path.name, msg + hint)]) from None
    except (RecursionError, ValueError) as exc:
        raise InputError([Problem(path.name, f"TOML syntax error: {exc}")]) from None
    problems = _check_config_refs(data, path, text)
    try:
        config = ScenarioConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not loc and problems:
                continue  # the model's cross-check: already reported, located, by _check_config_refs
            if err["type"] == "extra_forbidden":
                model, _ = _model_for(ScenarioConfig, loc)
                keys = _keys_of(model) if model else []
                tables = [p for p in loc[:-1] if isinstance(p, str)]
                where = f"in [{'.'.join(tables)}]" if tables else "at the top level"
                msg = (f"unknown key{_did_you_mean(str(loc[-1]), keys)}; expected keys {where}: "
                       f"{', '.join(keys)}")
            else:
                msg = _friendly(err, _model_for(ScenarioConfig, loc)[1])
            problems.append(_toml_problem(path, text, loc, msg))
        raise InputError(problems) from None
    if problems:
        raise InputError(problems)
    return config


# ---------------------------------------------------------------------------------------------
# staff, demand, absences


def _unknown_queue(q: str, ids: list[str]) -> str:
    return f"unknown queue {q!r}{_did_you_mean(q, ids)}; expected one of {', '.join(ids)}"


def _staff_table(folder: Path, problems: list[Problem]) -> _Table | None:
    csv_path, xlsx_path = folder / "staff.csv", folder / "staff.xlsx"
    expected = STAFF_REQUIRED + STAFF_OPTIONAL
    if csv_path.exists():
        return _read_csv(csv_path, expected, problems)
    if xlsx_path.exists():
        return _read_xlsx(xlsx_path, expected, problems)
    others = sorted(p.name for p in folder.glob("staff.*")) if folder.is_dir() else []
    if others:
        problems.append(Problem("staff.csv", f"not found in {folder} (found {', '.join(others)}); expected "
                                             f"staff.csv saved as 'CSV UTF-8', or staff.xlsx"))
    else:
        problems.append(Problem("staff.csv", f"not found in {folder}; expected staff.csv (or staff.xlsx) with one "
                                             f"row per agent: {', '.join(expected)}"))
    return None


def load_staff(folder: Path, config: ScenarioConfig, problems: list[Problem]) -> list[Agent]:
    return _load_staff(folder, config, problems)[0]


def _load_staff(folder: Path, config: ScenarioConfig, problems: list[Problem]
                ) -> tuple[list[Agent], set[str] | None]:
    """The valid agents, and every employee_id the file names, valid rows or not (None when the file
    could not be read at all)."""
    folder = Path(folder)
    table = _staff_table(folder, problems)
    if table is None:
        return [], None
    name = table.name
    if not _check_columns(table, STAFF_REQUIRED, STAFF_OPTIONAL, problems):
        return [], None
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    ids = config.queue_ids
    for row, f in table.rows:
        bad: list[Problem] = []

        def fail(col: str, msg: str) -> None:
            bad.append(Problem(name, msg, row=row, column=col))

        data: dict[str, Any] = {}
        for col, what in (("employee_id", "an employee id"), ("name", "the agent's name"),
                          ("home_queue", "a queue id")):
            if not f.get(col):
                fail(col, f"is empty; expected {what}")
            else:
                data[col] = f[col]
        eid = data.get("employee_id")
        if eid is not None:
            if eid in seen:
                fail("employee_id", f"duplicate employee_id {eid!r} (first on row {seen[eid]}); "
                                    f"expected each agent once")
            else:
                seen[eid] = row
        home = data.get("home_queue")
        if home is not None and home not in ids:
            fail("home_queue", _unknown_queue(home, ids))
        if f.get("skills"):
            skills = [s.strip() for s in re.split(r"[;；,，、|]", f["skills"]) if s.strip()]
            for s in skills:
                if s not in ids:
                    fail("skills", _unknown_queue(s, ids))
            if home is not None and home in ids and home not in skills:
                fail("skills", f"skills {';'.join(skills)} do not include the home_queue {home!r}; expected "
                               f"{';'.join([home, *skills])}")
            data["skills"] = list(dict.fromkeys(skills))
        if f.get("kind"):
            kind = KIND_WORDS.get(f["kind"].strip().lower())
            if kind is None:
                fail("kind", f"expected regular or flex, got {f['kind']!r}")
            else:
                data["kind"] = kind
        for col in ("is_lead", "night_ok"):
            if f.get(col):
                try:
                    data[col] = parse_bool(f[col])
                except ValueError as exc:
                    fail(col, str(exc))
        for col, low, high in (("efficiency", 0.0, 2.0), ("max_hours_week", 0.0, 168.0)):
            if f.get(col):
                expect = f"expected a number > 0 and <= {high:g}"
                try:
                    v = parse_number(f[col])
                except ValueError:
                    fail(col, f"{expect}, got {f[col]!r}")
                    continue
                if not low < v <= high:
                    fail(col, f"{expect}, got {f[col]}")
                else:
                    data[col] = v
        if bad:
            problems.extend(bad)
            continue
        try:
            agents.append(Agent.model_validate(data))
        except ValidationError as exc:  # a backstop: the checks above should have said it already
            problems.extend(_errors_to_problems(name, row, exc, f, Agent))
    if not table.data_rows:
        problems.append(Problem(name, "has no agents; expected one row per agent below the header",
                                row=table.header_row + 1))
    return agents, set(seen)


def _slot_index(config: ScenarioConfig, when: dt.datetime) -> int | None:
    """Slot index of a slot start, None when off the grid or outside the horizon."""
    minutes = (when - config.horizon_start).total_seconds() / 60
    if minutes < 0 or when >= config.horizon_end or minutes % config.slot_minutes:
        return None
    return int(minutes // config.slot_minutes)


def _horizon_text(config: ScenarioConfig) -> str:
    last = config.horizon_end - dt.timedelta(minutes=config.slot_minutes)
    return f"{config.horizon_start:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"


def load_demand(path: Path, config: ScenarioConfig, problems: list[Problem]) -> dict[str, list[float]]:
    """demand.csv -> queue id -> contacts per slot. A missing row means zero."""
    n = config.days * 24 * 60 // config.slot_minutes
    demand = {q: [0.0] * n for q in config.queue_ids}
    table = _read_csv(Path(path), DEMAND_COLUMNS, problems)
    if table is None or not _check_columns(table, DEMAND_COLUMNS, [], problems):
        return demand
    name = table.name
    seen: dict[tuple[int, str], int] = {}
    for row, f in table.rows:
        bad = len(problems)
        t = None
        try:
            when = parse_datetime(f["start"])
        except ValueError as exc:
            problems.append(Problem(name, str(exc), row=row, column="start"))
        else:
            t = _slot_index(config, when)
            if when < config.horizon_start or when >= config.horizon_end:
                problems.append(Problem(name, f"{f['start']} is outside the horizon; expected a slot start from "
                                              f"{_horizon_text(config)} (scenario.toml start and days)",
                                        row=row, column="start"))
            elif t is None:
                minute = (when.minute // config.slot_minutes) * config.slot_minutes
                problems.append(Problem(name, f"{f['start']} is not on the {config.slot_minutes}-minute slot grid; "
                                              f"expected a slot start such as "
                                              f"{when.replace(minute=minute):%Y-%m-%d %H:%M}",
                                        row=row, column="start"))
        q = f["queue"]
        if q not in demand:
            problems.append(Problem(name, _unknown_queue(q, config.queue_ids) if q else
                                    f"is empty; expected one of {', '.join(config.queue_ids)}",
                                    row=row, column="queue"))
        v = None
        try:
            v = parse_number(f["contacts"])
            if v < 0:
                raise ValueError(f"expected a non-negative number of contacts, got {f['contacts']}")
        except ValueError as exc:
            msg = str(exc)
            if msg.startswith("expected a number"):
                msg = "expected a non-negative number of contacts" + msg.removeprefix("expected a number")
            problems.append(Problem(name, msg, row=row, column="contacts"))
        if len(problems) > bad or t is None or v is None:
            continue
        if (t, q) in seen:
            problems.append(Problem(name, f"second row for {f['start']} {q} (first on row {seen[(t, q)]}); "
                                          f"expected one row per slot and queue", row=row, column="start"))
            continue
        seen[(t, q)] = row
        demand[q][t] = v
    return demand


def load_absences(path: Path, agents: dict[str, Agent], problems: list[Problem], name: str | None = None
                  ) -> list[Absence]:
    path = Path(path)
    sub: list[Problem] = []
    table = _read_csv(path, ABSENCE_REQUIRED + ABSENCE_OPTIONAL, sub)
    if name:
        sub = [Problem(name, p.message, p.row, p.column) for p in sub]
    problems.extend(sub)
    if table is None:
        return []
    table.name = name or table.name
    if not _check_columns(table, ABSENCE_REQUIRED, ABSENCE_OPTIONAL, problems):
        return []
    out = []
    ids = list(agents)
    for row, f in table.rows:
        bad = len(problems)
        data: dict[str, Any] = {"employee_id": f["employee_id"], "reason": f.get("reason", "")}
        for col in ("start", "end"):
            try:
                data[col] = parse_datetime(f[col])
            except ValueError as exc:
                problems.append(Problem(table.name, str(exc), row=row, column=col))
        eid = f["employee_id"]
        if eid not in agents:
            problems.append(Problem(table.name, f"unknown employee_id {eid!r}{_did_you_mean(eid, ids)}; "
                                                f"expected an employee_id of the staff list"
                                    if eid else "is empty; expected an employee_id of the staff list",
                                    row=row, column="employee_id"))
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            s, e = data["start"], data["end"]
            hint = " (for a whole day, end at 00:00 of the next day)" if e == s else ""
            problems.append(Problem(table.name, f"end {e:%Y-%m-%d %H:%M} is "
                                                f"{'the same as' if e == s else 'before'} start "
                                                f"{s:%Y-%m-%d %H:%M}; expected an end after the start{hint}",
                                    row=row, column="end"))
        if len(problems) > bad:
            continue
        try:
            out.append(Absence.model_validate(data))
        except ValidationError as exc:
            problems.extend(_errors_to_problems(table.name, row, exc, f, Absence))
    return out


def load_scenario(folder: str | Path) -> Scenario:
    """Read a scenario folder (SPEC section 2). Raises InputError listing every problem found."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError([Problem(str(folder), "not found: expected a scenario folder holding scenario.toml, "
                                               "staff.csv and demand.csv")])
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is a file, not a folder: expected a scenario folder holding "
                                               "scenario.toml, staff.csv and demand.csv")])
    toml_path = folder / "scenario.toml"
    if not toml_path.exists():
        raise InputError([Problem("scenario.toml", f"not found in {folder}: expected the scenario's horizon, "
                                                   f"queues, shifts and rules in this file")])
    config = load_config(toml_path)
    problems: list[Problem] = []
    agents, named = _load_staff(folder, config, problems)
    demand_path = folder / "demand.csv"
    steps: list[tuple[str, float | str]] = []
    if demand_path.exists():
        demand = load_demand(demand_path, config, problems)
        source = "demand.csv"
    elif config.forecast is not None:
        from scheduler.forecast import derive_demand

        try:
            demand, steps = derive_demand(config)
            if not all(math.isfinite(v) and v >= 0 for values in demand.values() for v in values):
                raise ValueError("the plan gives a negative or infinite number of contacts")
        except (ValueError, ArithmeticError) as exc:
            problems.append(Problem("scenario.toml", f"[forecast]: cannot derive the demand ({exc}); expected a "
                                                     f"plan with positive, realistic numbers"))
            demand = {}
        source = "forecast"
    else:
        problems.append(Problem("demand.csv", f"not found in {folder}, and scenario.toml has no [forecast] to "
                                              f"derive it from; expected demand.csv with the columns "
                                              f"{', '.join(DEMAND_COLUMNS)}"))
        demand, source = {}, "demand.csv"
    absences: list[Absence] = []
    if (folder / "absences.csv").exists():
        found: list[Problem] = []
        absences = load_absences(folder / "absences.csv", {a.employee_id: a for a in agents}, found)
        # an agent whose staff row is wrong is reported there, not again as unknown here
        problems.extend(p for p in found if not (p.column == "employee_id" and p.message.startswith("unknown")
                                                  and (named is None or any(
                                                      p.message.startswith(f"unknown employee_id {e!r}")
                                                      for e in named))))
    if problems:
        raise InputError(problems)
    return Scenario(config=config, agents=agents, demand=demand, absences=absences, folder=folder,
                    demand_source=source, forecast_steps=steps)
