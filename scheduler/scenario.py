"""Input models (pydantic v2) for a scenario folder, and the loader that reads one.

A scenario folder holds `scenario.toml`, `staff.csv` (or `staff.xlsx`), and optionally
`demand.csv` and `absences.csv` (SPEC section 2). Every problem found is collected and raised
together as an `InputError` naming file, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

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

    @property
    def agent_by_id(self) -> dict[str, Agent]:
        return {a.employee_id: a for a in self.agents}

    @property
    def n_slots(self) -> int:
        return self.config.days * 24 * 60 // self.config.slot_minutes


# ---------------------------------------------------------------------------------------------
# Reading files

TRUE_WORDS = {"true", "yes", "y", "1", "是", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f", ""}


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            raw.decode("gbk")
            hint = " It looks like GBK (Excel's default 'CSV' on Chinese Windows): save it as 'CSV UTF-8'."
        except UnicodeDecodeError:
            pass
        problems.append(Problem(path.name, f"is not UTF-8 text (byte {exc.start}).{hint}"))
        return None


def _rows_from_csv(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, str]]] | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    return _rows_with_header(path.name, rows, problems)


def _rows_from_xlsx(path: Path, key_column: str, problems: list[Problem]) -> list[tuple[int, dict[str, str]]] | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(path.name, f"cannot be read as an Excel workbook ({exc})"))
        return None
    ws = wb.worksheets[0]
    rows = [["" if v is None else _cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    wb.close()
    # a title row above the header is common in hand-made sheets: find the header
    for skip, r in enumerate(rows[:10]):
        if key_column in [c.strip().lower() for c in r]:
            return _rows_with_header(path.name, rows[skip:], problems, first_row=skip + 1)
    problems.append(Problem(path.name, f"no header row with a column {key_column!r} in the first 10 rows"))
    return None


def _cell_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def _rows_with_header(name: str, rows: list[list[str]], problems: list[Problem], first_row: int = 1
                      ) -> list[tuple[int, dict[str, str]]] | None:
    if not rows:
        problems.append(Problem(name, "is empty: expected a header row"))
        return None
    header = [h.strip().lower() for h in rows[0]]
    out = []
    for i, r in enumerate(rows[1:], start=first_row + 1):
        if not any(c.strip() for c in r):
            continue  # blank rows are harmless
        if len(r) > len(header) and any(c.strip() for c in r[len(header):]):
            problems.append(Problem(name, f"has {len(r)} values but the header has {len(header)} columns", row=i))
            continue
        out.append((i, {h: (r[j].strip() if j < len(r) else "") for j, h in enumerate(header) if h}))
    return out


def _need_columns(name: str, rows: list[tuple[int, dict[str, str]]], header_cols: set[str],
                  required: list[str], optional: list[str], problems: list[Problem]) -> bool:
    ok = True
    for col in required:
        if col not in header_cols:
            close = [h for h in header_cols if h.replace(" ", "_") == col or h.replace("-", "_") == col]
            hint = f" (found {close[0]!r})" if close else ""
            problems.append(Problem(name, f"missing column {col!r}{hint}; expected columns: "
                                          f"{', '.join(required + optional)}", row=1))
            ok = False
    for col in header_cols - set(required) - set(optional):
        problems.append(Problem(name, f"unknown column {col!r}; expected columns: {', '.join(required + optional)}",
                                row=1, column=col))
        ok = False
    return ok


def _errors_to_problems(name: str, row: int, exc: ValidationError, fields: dict[str, str]) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        col = loc[0] if loc else None
        msg = err["msg"].removeprefix("Value error, ")
        if col in fields:
            msg = f"{msg} (got {fields[col]!r})"
        out.append(Problem(name, msg, row=row, column=col))
    return out


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_datetime(text: str) -> dt.datetime:
    t = text.strip().replace("T", " ").replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(t, fmt)
        except ValueError:
            pass
    raise ValueError(f"expected a date and time like 2026-11-11 09:00, got {text!r}")


def parse_number(text: str) -> float:
    t = text.strip().replace(",", "")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {text!r}")
    return v


STAFF_REQUIRED = ["employee_id", "name", "home_queue"]
STAFF_OPTIONAL = ["skills", "kind", "efficiency", "is_lead", "night_ok", "max_hours_week"]


def load_config(path: Path) -> ScenarioConfig:
    """Read and validate scenario.toml; raises InputError with line/column of TOML syntax errors."""
    problems: list[Problem] = []
    try:
        text = _read_text(path, problems)
        if text is None:
            raise InputError(problems)
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(path.name, f"TOML syntax error: {exc}")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError([
            Problem(path.name, f"{'.'.join(str(x) for x in e['loc']) or 'top level'}: "
                               f"{e['msg'].removeprefix('Value error, ')}")
            for e in exc.errors()
        ]) from None


def load_staff(folder: Path, config: ScenarioConfig, problems: list[Problem]) -> list[Agent]:
    csv_path, xlsx_path = folder / "staff.csv", folder / "staff.xlsx"
    if csv_path.exists():
        path = csv_path
        rows = _rows_from_csv(path, problems)
    elif xlsx_path.exists():
        path = xlsx_path
        rows = _rows_from_xlsx(path, "employee_id", problems)
    else:
        problems.append(Problem("staff.csv", f"not found in {folder} (nor staff.xlsx)"))
        return []
    if rows is None:
        return []
    header = set(rows[0][1]) if rows else set()
    if rows and not _need_columns(path.name, rows, header, STAFF_REQUIRED, STAFF_OPTIONAL, problems):
        return []
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    queue_ids = set(config.queue_ids)
    for row, f in rows:
        data: dict[str, Any] = {k: v for k, v in f.items() if v != ""}
        bad = False
        try:
            if "skills" in data:
                data["skills"] = [s.strip() for s in re.split(r"[;；]", data["skills"]) if s.strip()]
            for col in ("is_lead", "night_ok"):
                if col in data:
                    data[col] = parse_bool(data[col])
        except ValueError as exc:
            problems.append(Problem(path.name, str(exc), row=row, column=col))
            bad = True
        for col in ("efficiency", "max_hours_week"):
            if col in data:
                try:
                    data[col] = parse_number(data[col])
                except ValueError as exc:
                    problems.append(Problem(path.name, str(exc), row=row, column=col))
                    bad = True
        if bad:
            continue
        try:
            agent = Agent.model_validate(data)
        except ValidationError as exc:
            problems.extend(_errors_to_problems(path.name, row, exc, f))
            continue
        if agent.employee_id in seen:
            problems.append(Problem(path.name, f"duplicate employee_id {agent.employee_id!r} "
                                               f"(first on row {seen[agent.employee_id]})", row=row, column="employee_id"))
            continue
        seen[agent.employee_id] = row
        for q in [agent.home_queue, *agent.skills]:
            if q not in queue_ids:
                col = "home_queue" if q == agent.home_queue else "skills"
                problems.append(Problem(path.name, f"unknown queue {q!r}; queues are {', '.join(config.queue_ids)}",
                                        row=row, column=col))
                break
        else:
            agents.append(agent)
    if not rows:
        problems.append(Problem(path.name, "has no agents"))
    return agents


def _slot_index(config: ScenarioConfig, when: dt.datetime) -> int | None:
    """Slot index of a slot start, None when off the grid or outside the horizon."""
    minutes = (when - config.horizon_start).total_seconds() / 60
    if minutes < 0 or when >= config.horizon_end or minutes % config.slot_minutes:
        return None
    return int(minutes // config.slot_minutes)


def load_demand(path: Path, config: ScenarioConfig, problems: list[Problem]) -> dict[str, list[float]]:
    """demand.csv -> queue id -> contacts per slot. A missing row means zero."""
    n = config.days * 24 * 60 // config.slot_minutes
    demand = {q: [0.0] * n for q in config.queue_ids}
    rows = _rows_from_csv(path, problems)
    if rows is None:
        return demand
    header = set(rows[0][1]) if rows else set()
    if rows and not _need_columns(path.name, rows, header, ["start", "queue", "contacts"], [], problems):
        return demand
    seen: dict[tuple[int, str], int] = {}
    for row, f in rows:
        try:
            when = parse_datetime(f["start"])
        except ValueError as exc:
            problems.append(Problem(path.name, str(exc), row=row, column="start"))
            continue
        t = _slot_index(config, when)
        if t is None:
            problems.append(Problem(path.name, f"{f['start']} is not the start of a {config.slot_minutes}-minute slot "
                                               f"inside the horizon {config.horizon_start:%Y-%m-%d %H:%M} .. "
                                               f"{config.horizon_end:%Y-%m-%d %H:%M}", row=row, column="start"))
            continue
        q = f["queue"]
        if q not in demand:
            problems.append(Problem(path.name, f"unknown queue {q!r}; queues are {', '.join(config.queue_ids)}",
                                    row=row, column="queue"))
            continue
        try:
            v = parse_number(f["contacts"])
            if v < 0:
                raise ValueError(f"expected a non-negative number of contacts, got {f['contacts']!r}")
        except ValueError as exc:
            problems.append(Problem(path.name, str(exc), row=row, column="contacts"))
            continue
        if (t, q) in seen:
            problems.append(Problem(path.name, f"second row for {f['start']} {q} (first on row {seen[(t, q)]})",
                                    row=row, column="start"))
            continue
        seen[(t, q)] = row
        demand[q][t] = v
    return demand


def load_absences(path: Path, agents: dict[str, Agent], problems: list[Problem], name: str | None = None
                  ) -> list[Absence]:
    name = name or path.name
    rows = _rows_from_csv(path, problems)
    if rows is None:
        return []
    header = set(rows[0][1]) if rows else set()
    if rows and not _need_columns(name, rows, header, ["employee_id", "start", "end"], ["reason"], problems):
        return []
    out = []
    for row, f in rows:
        data: dict[str, Any] = {"employee_id": f["employee_id"], "reason": f.get("reason", "")}
        bad = False
        for col in ("start", "end"):
            try:
                data[col] = parse_datetime(f[col])
            except ValueError as exc:
                problems.append(Problem(name, str(exc), row=row, column=col))
                bad = True
        if f["employee_id"] not in agents:
            problems.append(Problem(name, f"unknown employee_id {f['employee_id']!r} (not in the staff list)",
                                    row=row, column="employee_id"))
            bad = True
        if bad:
            continue
        try:
            out.append(Absence.model_validate(data))
        except ValidationError as exc:
            problems.extend(_errors_to_problems(name, row, exc, f))
    return out


def load_scenario(folder: str | Path) -> Scenario:
    """Read a scenario folder (SPEC section 2). Raises InputError listing every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a scenario folder (expected a directory with scenario.toml)")])
    toml_path = folder / "scenario.toml"
    if not toml_path.exists():
        raise InputError([Problem(str(toml_path), "not found")])
    config = load_config(toml_path)
    problems: list[Problem] = []
    agents = load_staff(folder, config, problems)
    demand_path = folder / "demand.csv"
    steps: list[tuple[str, float | str]] = []
    if demand_path.exists():
        demand = load_demand(demand_path, config, problems)
        source = "demand.csv"
    elif config.forecast is not None:
        from scheduler.forecast import derive_demand

        demand, steps = derive_demand(config)
        source = "forecast"
    else:
        problems.append(Problem("demand.csv", "not found, and scenario.toml has no [forecast] to derive it from"))
        demand, source = {}, "demand.csv"
    absences: list[Absence] = []
    if (folder / "absences.csv").exists():
        absences = load_absences(folder / "absences.csv", {a.employee_id: a for a in agents}, problems)
    if problems:
        raise InputError(problems)
    return Scenario(config=config, agents=agents, demand=demand, absences=absences, folder=folder,
                    demand_source=source, forecast_steps=steps)
