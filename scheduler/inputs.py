"""A scenario folder with what week-after-week planning adds on top of it (SPEC 2.1, 2.2): the
previous roster's workbook (`--previous`) and the check that the locks alone keep the hard rules.
Both need modules above `scheduler.scenario` (the workbook reader, the independent checker),
so they live here rather than in the scenario package."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from scheduler.check import check_rows
from scheduler.errors import InputError, Problem
from scheduler.roster import Roster
from scheduler.scenario import Agent, Scenario, ScenarioConfig, load_scenario
from scheduler.workbook import ASSIGNMENT_COLUMNS, read_assignments
from scheduler.workbook.reader import assignment_rows


def load_inputs(folder: str | Path, previous: str | Path | None = None) -> Scenario:
    """load_scenario, plus the previous roster when given, plus the locks' rule check. Raises
    InputError listing every problem found."""
    scenario = load_scenario(folder)
    if previous is not None:
        problems: list[Problem] = []
        past = load_previous(Path(previous), scenario.config, scenario.agent_by_id, problems)
        if problems:
            raise InputError(problems)
        scenario = scenario.model_copy(update={"previous": past})
    if scenario.locks:
        found = validate_locks(scenario)
        if found:
            raise InputError(found)
    return scenario


# rules a set of locks can break on its own, before any other shift is chosen: the checker's ids
LOCK_RULES = {"shift_kind": "shift kinds", "night_ok": "night_ok", "absence": "absences",
              "rest": "min_rest_hours", "consecutive_days": "max_consecutive_days",
              "night_shifts": "max_night_shifts", "skill": "skills"}


def validate_locks(scenario: Scenario) -> list[Problem]:
    """The hard rules the locked shifts break by themselves (with the previous roster, when
    given), as bad-input problems of locks.csv naming the rule and the people. The judge is the
    independent checker, on a roster made of the locked shifts alone, each worked in full."""
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


def load_previous(path: Path, config: ScenarioConfig, agents: dict[str, Agent], problems: list[Problem]
                  ) -> Roster | None:
    """The previous roster's Assignments sheet (SPEC 2.2; or the `_assignments.csv` beside it) as
    a Roster of fixed history: rows of
    agents not in staff.csv (they left) and shifts starting more than 14 days before `start` are
    dropped; a shift starting on or after `start` is bad input (the wrong workbook)."""
    try:
        rows = _previous_csv(path) if path.suffix.lower() == ".csv" else read_assignments(path)
    except InputError as exc:
        problems.extend(Problem(p.file if p.file != str(path) else f"--previous {path}", p.message, p.row, p.column)
                        for p in exc.problems)
        return None
    oldest = config.start - dt.timedelta(days=14)
    kept: list[dict] = []
    late: dict[dt.date, list[tuple[str, str]]] = {}
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
        problems.append(Problem(f"{Path(path).name} [Assignments]",
                                f"{len(set(shifts))} shift(s) start on {d:%Y-%m-%d} ({shown}), not before this "
                                f"horizon's start {config.start:%Y-%m-%d}; expected "
                                f"--previous to be the roster that ends where this one begins", column="date"))
    return Roster.from_rows(kept)


def _previous_csv(path: Path) -> list[dict]:
    """The Assignments table as the CSV written beside every workbook (`<stem>_assignments.csv`):
    the same columns and cell checks as the sheet."""
    if not path.exists():
        raise InputError([Problem(str(path), "not found")])
    try:
        text = path.read_text(encoding="utf-8-sig")
        table = list(csv.reader(io.StringIO(text, newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError([Problem(path.name, f"cannot be read as a UTF-8 CSV ({exc}); expected the Assignments "
                                             f"table ({', '.join(ASSIGNMENT_COLUMNS)})")]) from None
    return assignment_rows(path.name, table)


def boundary_breaks(scenario: Scenario) -> list[str]:
    """What the previous roster's shifts that run past `start` break by themselves in this
    horizon (a run too long, or too long at this horizon's high load): no roster can mend that,
    so it is said before solving (exit 1). Judged by the checker on an empty roster."""
    if scenario.previous is None:
        return []
    return [f"the previous roster's shift runs into this horizon and breaks a rule by itself: [{v.rule}] {v.message}"
            for v in check_rows(scenario, []) if v.rule in ("continuous_hours", "high_load_run")]
