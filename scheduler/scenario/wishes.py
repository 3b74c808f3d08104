"""requests.csv and locks.csv (SPEC section 2.1): the agents' wishes and the scheduler's fixed plans.

Both readers collect every problem of a file (file, row, column, what was expected) like the
other readers of a scenario folder. `scheduler.inputs.validate_locks` then asks the independent
checker whether the locks alone (with the previous roster, when given) already break a hard
rule: such a lock set is bad input (exit 2), naming the rule and the people.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import Problem
from scheduler.scenario.messages import _did_you_mean, _unknown_queue
from scheduler.scenario.models import Agent, ScenarioConfig
from scheduler.scenario.readers import _check_columns, _read_csv, parse_number

REQUEST_REQUIRED = ["employee_id", "date", "request"]
REQUEST_OPTIONAL = ["shift", "priority", "reason"]
LOCK_REQUIRED = ["employee_id", "date", "shift"]
LOCK_OPTIONAL = ["queue"]
REQUEST_WORDS = {"off": "off", "day off": "off", "day_off": "off", "休息": "off", "休": "off", "调休": "off",
                 "shift": "shift", "want": "shift", "想上": "shift", "要": "shift",
                 "avoid": "avoid", "not": "avoid", "不要": "avoid", "不上": "avoid"}
OFF_WORDS = {"off", "休", "休息", "rest"}
PRIORITY_WORDS = {"1": 1, "2": 2, "3": 3, "low": 1, "medium": 2, "high": 3, "低": 1, "中": 2, "高": 3}


@dataclass(frozen=True)
class Request:
    """One wish of one agent: `request` is off (no shift starting that date), shift (if working
    that date, shift `shift`) or avoid (not shift `shift` that date); priority 1-3."""

    row: int
    employee_id: str
    date: dt.date
    request: str
    shift: str = ""
    priority: int = 1
    reason: str = ""

    def text(self) -> str:
        what = {"off": "day off", "shift": f"shift {self.shift}", "avoid": f"not {self.shift}"}[self.request]
        return f"{what} on {self.date:%Y-%m-%d}"


@dataclass(frozen=True)
class Lock:
    """A plan the scheduler fixed: the agent works `shift` (on `queue` when given) on `date`,
    or has no shift that date when `shift` is "off"."""

    row: int
    employee_id: str
    date: dt.date
    shift: str
    queue: str = ""

    @property
    def off(self) -> bool:
        return self.shift == "off"


def parse_date(text: str) -> dt.date:
    t = text.strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00(?::00)?)?", t)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2026-11-11, got {text!r}")


def _who_and_when(f: dict[str, str], agents: dict[str, Agent], config: ScenarioConfig,
                  fail: Callable[[str, str], None]) -> tuple[str, dt.date | None]:
    """A row's employee_id and date, the first checks of requests.csv and locks.csv alike: the
    employee is on the staff list and the date inside the horizon (else `fail(column, why)`)."""
    eid = f["employee_id"]
    if not eid:
        fail("employee_id", "is empty; expected an employee_id of the staff list")
    elif eid not in agents:
        fail("employee_id", f"unknown employee_id {eid!r}{_did_you_mean(eid, list(agents))}; "
                            "expected an employee_id of the staff list")
    text = f["date"]
    try:
        d = parse_date(text)
    except ValueError as exc:
        fail("date", str(exc) if text.strip() else "is empty; expected a date like 2026-11-11")
        return eid, None
    if not config.start <= d <= config.dates[-1]:
        fail("date", f"{d:%Y-%m-%d} is outside the horizon; expected a date from {config.start:%Y-%m-%d} to "
                     f"{config.dates[-1]:%Y-%m-%d} (scenario.toml start and days)")
        return eid, None
    return eid, d


def _shift_exists(code: str, d: dt.date, config: ScenarioConfig) -> str | None:
    """Why shift `code` has no instance on date d, or None when it has one."""
    codes = [s.code for s in config.shifts]
    st = next((s for s in config.shifts if s.code == code), None)
    if st is None:
        close = _did_you_mean(code, codes)
        return f"unknown shift {code!r}{close}; expected one of {', '.join(codes)}"
    end = dt.datetime.combine(d, st.start) + dt.timedelta(hours=st.hours)
    if end > config.horizon_end:
        return (f"shift {code} on {d:%Y-%m-%d} would end {end:%Y-%m-%d %H:%M}, after the horizon ends "
                f"({config.horizon_end:%Y-%m-%d %H:%M}), so it does not exist")
    return None


def load_requests(path: Path, config: ScenarioConfig, agents: dict[str, Agent], problems: list[Problem]
                  ) -> list[Request]:
    """requests.csv -> the agents' wishes (SPEC 2.1)."""
    table = _read_csv(Path(path), REQUEST_REQUIRED + REQUEST_OPTIONAL, problems)
    if table is None or not _check_columns(table, REQUEST_REQUIRED, REQUEST_OPTIONAL, problems):
        return []
    name = table.name
    out: list[Request] = []
    seen: dict[tuple, int] = {}
    for row, f in table.rows:
        bad: list[Problem] = []

        def fail(col: str, msg: str, bad: list[Problem] = bad, row: int = row) -> None:
            bad.append(Problem(name, msg, row=row, column=col))

        eid, d = _who_and_when(f, agents, config, fail)
        raw = f["request"].strip()
        kind = REQUEST_WORDS.get(raw.lower())
        if kind is None:
            fail("request", (f"unknown request {raw!r}{_did_you_mean(raw.lower(), ['off', 'shift', 'avoid'])}; "
                             if raw else "is empty; ") + "expected off (no shift that date), shift (that shift "
                             "if working) or avoid (not that shift)")
        code = f.get("shift", "").strip()
        if kind == "off" and code and code.lower() not in OFF_WORDS:
            fail("shift", f"a day-off request names no shift, got {code!r}; expected an empty cell (or request "
                          f"shift / avoid)")
            code = ""
        elif kind == "off":
            code = ""
        elif kind in ("shift", "avoid"):
            if not code:
                fail("shift", f"is empty; a {kind} request names the shift: expected one of "
                              f"{', '.join(s.code for s in config.shifts)}")
            elif d is not None and (msg := _shift_exists(code, d, config)) is not None:
                fail("shift", msg)
        priority: int | None = 1
        text = f.get("priority", "").strip()
        if text:
            priority = PRIORITY_WORDS.get(text.lower())
            if priority is None:
                try:
                    v = parse_number(text)
                    priority = int(v) if v in (1, 2, 3) else None
                except ValueError:
                    pass
            if priority is None:
                fail("priority", f"expected 1 (nice to have), 2 or 3 (important), got {text!r}")
        if not bad:
            key = (eid, d, kind, code)
            if key in seen:
                fail("request", f"the same request as row {seen[key]}; expected each wish once")
            else:
                seen[key] = row
        if bad:
            problems.extend(bad)
            continue
        assert d is not None and kind is not None and priority is not None  # no problem on this row
        out.append(Request(row, eid, d, kind, code, priority, f.get("reason", "")))
    by_day: dict[tuple[str, dt.date], list[Request]] = {}
    for r in out:
        by_day.setdefault((r.employee_id, r.date), []).append(r)
    for (eid, d), rs in by_day.items():
        offs = [r for r in rs if r.request == "off"]
        wants = [r for r in rs if r.request == "shift"]
        if offs and wants:
            problems.append(Problem(name, f"{eid} asks for shift {wants[0].shift} on {d:%Y-%m-%d} and for that day "
                                          f"off (row {offs[0].row}); expected one of the two",
                                    row=max(wants[0].row, offs[0].row), column="request"))
        elif len({r.shift for r in wants}) > 1:
            problems.append(Problem(name, f"{eid} asks for two different shifts on {d:%Y-%m-%d} (rows "
                                          f"{', '.join(str(r.row) for r in wants)}); expected at most one shift "
                                          f"wish per date", row=wants[-1].row, column="shift"))
    return out


def load_locks(path: Path, config: ScenarioConfig, agents: dict[str, Agent], problems: list[Problem]) -> list[Lock]:
    """locks.csv -> the plans the scheduler fixed (SPEC 2.1). Checks each row on its own: the
    agent, date, shift, and the queue against skills and moves."""
    table = _read_csv(Path(path), LOCK_REQUIRED + LOCK_OPTIONAL, problems)
    if table is None or not _check_columns(table, LOCK_REQUIRED, LOCK_OPTIONAL, problems):
        return []
    name = table.name
    ids = config.queue_ids
    out: list[Lock] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for row, f in table.rows:
        bad: list[Problem] = []

        def fail(col: str, msg: str, bad: list[Problem] = bad, row: int = row) -> None:
            bad.append(Problem(name, msg, row=row, column=col))

        eid, d = _who_and_when(f, agents, config, fail)
        code = f["shift"].strip()
        if code.lower() in OFF_WORDS:
            code = "off"
        elif not code:
            fail("shift", f"is empty; expected a shift code ({', '.join(s.code for s in config.shifts)}) or off")
        elif d is not None and (msg := _shift_exists(code, d, config)) is not None:
            fail("shift", msg.replace("; expected one of ", "; expected off or one of "))
        queue = f.get("queue", "").strip()
        agent = agents.get(eid)
        if queue and code == "off":
            fail("queue", f"a day-off lock has no queue, got {queue!r}; expected an empty cell")
        elif queue and queue not in ids:
            fail("queue", _unknown_queue(queue, ids))
        elif queue and agent is not None and d is not None:
            moved = next((m for m in config.moves if m.from_queue == agent.home_queue and d in m.dates), None)
            if moved is not None and queue != moved.to_queue:
                fail("queue", f"{eid} {agent.name} (home queue {moved.from_queue}) must serve {moved.to_queue} on "
                              f"{d:%Y-%m-%d} (mandatory move), got {queue!r}; expected {moved.to_queue} or an empty "
                              f"cell")
            elif moved is None and queue not in agent.skills:
                fail("queue", f"{eid} {agent.name} cannot serve {queue!r} (skills {';'.join(agent.skills)}); "
                              f"expected one of their skills or an empty cell")
        if not bad and d is not None:
            if (eid, d) in seen:
                fail("date", f"a second lock for {eid} on {d:%Y-%m-%d} (first on row {seen[(eid, d)]}); expected "
                             f"one lock per agent and date")
            else:
                seen[(eid, d)] = row
        if bad:
            problems.extend(bad)
            continue
        assert d is not None  # no problem on this row
        out.append(Lock(row, eid, d, code, queue))
    return out
