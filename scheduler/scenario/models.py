"""The validated inputs of a scenario (SPEC section 2): pydantic v2 models of scenario.toml, the
staff list, absences, and the Scenario that bundles them with the demand per slot.

`config_cross_references` is the one place the cross-references of scenario.toml are checked: the
ScenarioConfig validator and the loader (which locates each problem in the file) both call it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.scenario.messages import _loc_text, _unknown_queue

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
    def _consistent(self) -> ScenarioConfig:
        found = config_cross_references(self.model_dump(by_alias=True))
        if found:
            raise ValueError("; ".join(f"{_loc_text(loc)}: {msg}" for loc, msg in found))
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
    def _home_in_skills(self) -> Agent:
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
    def _order(self) -> Absence:
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
    requests: list[Any] = []   # scheduler.scenario.wishes.Request, from requests.csv (SPEC 2.1)
    locks: list[Any] = []      # scheduler.scenario.wishes.Lock, from locks.csv (SPEC 2.1)
    previous: Any = None       # scheduler.roster.Roster: the previous roster's shifts (SPEC 2.2), --previous
    # employee_id -> the shift codes this agent may work (`hire --shifts`; not a staff.csv column)
    shift_limits: dict[str, list[str]] = {}

    @property
    def agent_by_id(self) -> dict[str, Agent]:
        return {a.employee_id: a for a in self.agents}

    @property
    def n_slots(self) -> int:
        return self.config.days * 24 * 60 // self.config.slot_minutes


def with_absences(scenario: Scenario, absences: list[Absence]) -> Scenario:
    """The scenario with these absences added (those it already has are not repeated)."""
    known = {(a.employee_id, a.start, a.end) for a in scenario.absences}
    new = [a for a in absences if (a.employee_id, a.start, a.end) not in known]
    return scenario.model_copy(update={"absences": [*scenario.absences, *new]}) if new else scenario


def _as_time(v: Any) -> dt.time | None:
    if isinstance(v, dt.time):
        return v
    if isinstance(v, str):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v.strip())
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return dt.time(int(m.group(1)), int(m.group(2)))
    return None


def config_cross_references(data: dict) -> list[tuple[tuple, str]]:
    """Every cross-reference of scenario.toml that one field cannot check alone: unique queue ids
    and shift codes, shifts on the slot grid, moves and the forecast naming known queues, move
    dates inside the horizon. `data` is the raw TOML table (any value may have any type) or a
    dumped ScenarioConfig; returns (location, message) pairs."""
    out: list[tuple[tuple, str]] = []

    def entries(key: str) -> list[tuple[int, dict]]:
        v = data.get(key)
        return [(i, e) for i, e in enumerate(v) if isinstance(e, dict)] if isinstance(v, list) else []

    ids: list[str] = []
    for i, queue in entries("queues"):
        qid = queue.get("id")
        if isinstance(qid, str):
            if qid in ids:
                out.append((("queues", i, "id"), f"queue id {qid!r} is used twice; expected unique ids"))
            else:
                ids.append(qid)
    codes: list[str] = []
    slot = data.get("slot_minutes", 60)
    for i, s in entries("shifts"):
        code = s.get("code")
        if isinstance(code, str):
            if code in codes:
                out.append((("shifts", i, "code"), f"shift code {code!r} is used twice; expected unique codes"))
            codes.append(code)
        if slot in (15, 30, 60) and not isinstance(slot, bool):
            start = _as_time(s.get("start"))
            if start is not None and (start.hour * 60 + start.minute) % slot:
                out.append((("shifts", i, "start"),
                            f"shift {code}: {start:%H:%M} is not on the {slot}-minute slot grid; "
                            f"expected a start that is a multiple of {slot} minutes"))
            hours = s.get("hours")
            if (isinstance(hours, (int, float)) and not isinstance(hours, bool) and math.isfinite(hours)
                    and 0 < hours <= 24 and round(hours * 60) % slot):
                out.append((("shifts", i, "hours"),
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
                out.append((("moves", i, key), f"{_unknown_queue(q, ids)} (the ids of [[queues]])"))
        dates = m.get("dates")
        if horizon and isinstance(dates, list):
            for j, d in enumerate(dates):
                if isinstance(d, dt.date) and not isinstance(d, dt.datetime) and not horizon[0] <= d <= horizon[1]:
                    out.append((("moves", i, "dates", j),
                                f"{d} is outside the horizon; expected a date from {horizon[0]} to {horizon[1]}"))
    fc = data.get("forecast")
    if isinstance(fc, dict) and ids:
        refs: list[tuple[tuple, Any]] = [((k,), fc.get(k)) for k in ("pre_sales_queue", "after_sales_queue")]
        base = fc.get("baseline_contacts_per_day")
        if isinstance(base, dict):
            refs += [(("baseline_contacts_per_day", k), k) for k in base]
        for sub, q in refs:
            if isinstance(q, str) and q not in ids:
                out.append((("forecast", *sub), _unknown_queue(q, ids)))
    return out
