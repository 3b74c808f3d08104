"""requests.csv and locks.csv (SPEC section 2.1): the agents' wishes and the scheduler's fixed plans.

Both readers collect every problem of a file (file, row, column, what was expected) like the
other readers of a scenario folder. `validate_locks` then asks the independent checker whether
the locks alone (with the previous roster, when given) already break a hard rule: such a lock
set is bad input (exit 2), naming the rule and the people.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import Problem
from scheduler.scenario import (Agent, ScenarioConfig, _check_columns, _did_you_mean, _read_csv,
                                _unknown_queue, parse_number)

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


def _date_in_horizon(text: str, config: ScenarioConfig) -> tuple[dt.date | None, str | None]:
    try:
        d = parse_date(text)
    except ValueError as exc:
        return None, str(exc) if text.strip() else "is empty; expected a date like 2026-11-11"
    if not config.start <= d <= config.dates[-1]:
        return None, (f"{d:%Y-%m-%d} is outside the horizon; expected a date from {config.start:%Y-%m-%d} to "
                      f"{config.dates[-1]:%Y-%m-%d} (scenario.toml start and days)")
    return d, None


def _employee(eid: str, agents: dict[str, Agent]) -> str | None:
    if not eid:
        return "is empty; expected an employee_id of the staff list"
    if eid not in agents:
        return f"unknown employee_id {eid!r}{_did_you_mean(eid, list(agents))}; expected an employee_id of the staff list"
    return None


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

        def fail(col: str, msg: str) -> None:
            bad.append(Problem(name, msg, row=row, column=col))

        eid = f["employee_id"]
        if (msg := _employee(eid, agents)) is not None:
            fail("employee_id", msg)
        d, msg = _date_in_horizon(f["date"], config)
        if msg:
            fail("date", msg)
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
        priority = 1
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

        def fail(col: str, msg: str) -> None:
            bad.append(Problem(name, msg, row=row, column=col))

        eid = f["employee_id"]
        if (msg := _employee(eid, agents)) is not None:
            fail("employee_id", msg)
        d, msg = _date_in_horizon(f["date"], config)
        if msg:
            fail("date", msg)
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
        out.append(Lock(row, eid, d, code, queue))
    return out


# rules a set of locks can break on its own, before any other shift is chosen: the checker's ids
LOCK_RULES = {"shift_kind": "shift kinds", "night_ok": "night_ok", "absence": "absences",
              "rest": "min_rest_hours", "consecutive_days": "max_consecutive_days",
              "night_shifts": "max_night_shifts", "skill": "skills"}


def validate_locks(scenario) -> list[Problem]:
    """The hard rules the locked shifts break by themselves (with the previous roster, when
    given), as bad-input problems of locks.csv naming the rule and the people. The judge is the
    independent checker, on a roster made of the locked shifts alone, each worked in full."""
    from scheduler.check import check_rows

    cfg = scenario.config
    agents = scenario.agent_by_id
    types = {s.code: s for s in cfg.shifts}
    rows = []
    for k in scenario.locks:
        if k.off:
            continue
        agent = agents[k.employee_id]
        moved = next((m.to_queue for m in cfg.moves if m.from_queue == agent.home_queue and k.date in m.dates), None)
        begin = dt.datetime.combine(k.date, types[k.shift].start)
        end = begin + dt.timedelta(hours=types[k.shift].hours)
        rows.append({"employee_id": k.employee_id, "name": agent.name, "date": k.date, "shift": k.shift,
                     "queue": k.queue or moved or agent.home_queue, "start": begin, "end": end,
                     "hours": types[k.shift].hours})
    if not rows:
        return []
    out = []
    for v in check_rows(scenario, rows):
        if v.rule not in LOCK_RULES:
            continue
        mine = [k for k in scenario.locks if k.employee_id == v.employee_id and not k.off]
        named = [k for k in mine if f"{k.date:%Y-%m-%d}" in v.message] or mine
        also = f" (locks on rows {', '.join(str(k.row) for k in named)})" if len(named) > 1 else ""
        out.append(Problem("locks.csv", f"the locks alone break the rule {LOCK_RULES[v.rule]}: {v.message}{also}; "
                                        f"expected locks that a roster can keep", row=named[0].row if named else None,
                           column="shift"))
    return out


def load_previous(path: Path, config: ScenarioConfig, agents: dict[str, Agent], problems: list[Problem]):
    """The previous roster's Assignments sheet (SPEC 2.2) as a Roster of fixed history: rows of
    agents not in staff.csv (they left) and shifts starting more than 14 days before `start` are
    dropped; a shift starting on or after `start` is bad input (the wrong workbook)."""
    from scheduler.errors import InputError
    from scheduler.roster import Roster
    from scheduler.workbook import read_assignments

    try:
        rows = read_assignments(path)
    except InputError as exc:
        problems.extend(Problem(p.file if p.file != str(path) else f"--previous {path}", p.message, p.row, p.column)
                        for p in exc.problems)
        return None
    oldest = config.start - dt.timedelta(days=14)
    kept, late = [], {}
    for r in rows:
        if r["employee_id"] not in agents or r["date"] < oldest:
            continue
        if r["date"] >= config.start:
            late.setdefault(r["date"], []).append((r["employee_id"], r["shift"]))
            continue
        kept.append(r)
    for d, shifts in sorted(late.items()):
        ids = sorted({e for e, _ in shifts})
        shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
        problems.append(Problem(f"{Path(path).name} [Assignments]", f"{len(set(shifts))} shift(s) start on {d:%Y-%m-%d} "
                                f"({shown}), not before this horizon's start {config.start:%Y-%m-%d}; expected "
                                f"--previous to be the roster that ends where this one begins", column="date"))
    return Roster.from_rows(kept)
