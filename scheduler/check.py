"""The independent roster checker: a second reading of SPEC section 3.

`check_rows` takes a scenario and the rows of an Assignments table (SPEC section 7) and lists
every broken rule in a scheduler's words; `check_roster` does the same for a `Roster`. The
checker shares no rule code with the model (it never imports scheduler.model, .solve, .grid or
.kpi), so a mistake in one is caught by the other.

How the rules are read (agreed with the team):

- Slots are [horizon_start + t*slot, +slot), horizon_start = midnight of config.start,
  n = days*24*60/slot_minutes slots. A shift instance of type s on date d is
  [d + s.start, + s.hours); it exists only if it ends at or before the horizon end.
- A row is one run of worked slots. Run start and end lie on slot boundaries and inside the
  instance; the runs of one instance do not overlap; `hours` equals end - start (0.01 h).
- One shift instance per agent per date (the date the instance starts), one queue per
  instance, a queue in the agent's skills. A move (every agent whose home_queue is
  move.from_queue, in every shift starting on move.dates) overrides skills: such an agent
  must serve move.to_queue and only it.
- The first and last slots of an instance are worked, except for a shift cut short by an
  absence: when an absence of the agent starts strictly inside the instance and every run
  ends at or before its start, the shift is legal (last-slot rule waived, absence respected).
  Any other instance that overlaps an absence [start, end) of the agent is a violation.
- Shift kinds: the agent's kind is in ShiftType.kinds; night shifts only for night_ok agents.
- Rest: from the end of an agent's shift (its last run's end) to the start of their next
  shift (its first run's start) >= min_rest_hours; overlapping shifts are a violation too.
- Consecutive days: at most max_consecutive_days instance dates in a row.
- Night shifts: at most max_night_shifts over the horizon.
- Weekly hours: per block [start + 7k days, start + 7(k+1) days) (the last may be shorter),
  worked time inside the block (runs crossing the boundary are split) <= the agent's
  max_hours_week, or rules.max_hours_week when the agent has none.
- Continuous runs: an agent's runs that touch (also across two instances) form one run; a run
  is at most max_continuous_hours long.
- High load: a slot is high-load when its contacts per hour summed over all queues are > 0
  and reach rules.high_load_contacts_per_hour, or, when that is not set, 60 % of the
  horizon's peak of that sum. A run of consecutive worked slots that are all high-load is at
  most max_continuous_high_load_hours long.
- Leads: in every slot in which at least one agent works, at least min_leads_on_duty leads are
  on shift: the slot lies in [first run start, last run end) of one of their instances.
- Unknown employees, shift codes and queues, times off the slot grid, dates outside the
  horizon and names that differ from the staff list are reported too.

Every violation is reported (no early exit). Slot-level findings are grouped: one message per
run of worked slots, per stretch without a lead, per week, per streak of days. Messages are
sorted by time, then employee.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scheduler.roster import Roster
from scheduler.scenario import Absence, Agent, Scenario, ShiftType

HOURS_EPS = 1e-6          # tolerance of every hours comparison against a rule
HOURS_COLUMN_EPS = 0.01   # tolerance of the `hours` column against end - start
ROW_FIELDS = ("employee_id", "name", "date", "shift", "queue", "start", "end", "hours")

# Every rule id the checker reports, in SPEC order, with what it means.
RULES: dict[str, str] = {
    # the table itself (SPEC 7)
    "bad_row": "a row lacks a column or holds a value of the wrong type",
    "unknown_employee": "the employee id is not in the staff list",
    "name": "the name differs from the staff list (mild)",
    "unknown_shift": "the shift code is not one of the scenario's shift types",
    "unknown_queue": "the queue is not one of the scenario's queues",
    "run_times": "a run ends at or before it starts",
    "off_grid": "a run does not start and end on slot boundaries",
    "hours": "the hours column differs from end - start",
    "outside_horizon": "the shift instance does not exist in the horizon",
    # SPEC 3, preamble
    "one_shift_per_date": "at most one shift instance per agent per date",
    "one_queue_per_shift": "one queue for the whole shift instance",
    "run_outside_shift": "every run lies inside its shift instance",
    "overlapping_runs": "the runs of one shift instance do not overlap",
    "breaks_inside_shift": "the first and last slots of a shift are worked",
    "skill": "the queue is in the agent's skills",
    # SPEC 3.1
    "shift_kind": "the shift type admits the agent's kind",
    "night_ok": "no night shift for an agent with night_ok = false",
    "absence": "no part of a shift that overlaps an absence",
    # SPEC 3.2
    "rest": "min_rest_hours between two shifts; shifts do not overlap",
    "consecutive_days": "at most max_consecutive_days dates in a row with a shift",
    "night_shifts": "at most max_night_shifts night shifts over the horizon",
    "weekly_hours": "worked hours per 7-day block <= the agent's max_hours_week",
    # SPEC 3.3
    "continuous_hours": "no run of worked slots longer than max_continuous_hours",
    "high_load_run": "no run of high-load worked slots longer than max_continuous_high_load_hours",
    # SPEC 3.4
    "leads_on_duty": "min_leads_on_duty leads on shift in every slot in which anyone works",
    # SPEC 3.5
    "move": "mandatory moves are obeyed",
    # SPEC 3.6 (rules 2 and 3 across the boundary with --previous are reported under their own ids)
    "lock": "locks.csv is obeyed: a locked shift is worked (on the locked queue), a locked day off is off",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule. `rule` is a stable id (a key of RULES); `message` a full sentence."""

    rule: str
    message: str
    employee_id: str | None = None
    when: dt.datetime | dt.date | None = None

    def __str__(self) -> str:
        return self.message


def check_roster(scenario: Scenario, roster: Roster) -> list[Violation]:
    """Every broken rule of a roster, sorted by time then employee."""
    names = {a.employee_id: a.name for a in scenario.agents}
    return check_rows(scenario, roster.rows(names))


def check_rows(scenario: Scenario, rows: list[dict]) -> list[Violation]:
    """Every broken rule of an Assignments table (one dict per run of worked slots, keys
    employee_id, name, date, shift, queue, start, end, hours), sorted by time then employee."""
    worked, found = _read_rows(scenario, rows)
    reading = _Reading(scenario, worked)
    for check in CHECKS:
        found.extend(check(reading))
    return sort_violations(found)


def sort_violations(found: Iterable[Violation]) -> list[Violation]:
    """In the order a scheduler reads them: by time, then employee, then the rules' order."""
    order = {rule: i for i, rule in enumerate(RULES)}
    return sorted(found, key=lambda v: (_sort_time(v.when), v.employee_id or "",
                                        order.get(v.rule, len(order)), v.message))


# ---------------------------------------------------------------------------------------------
# Reading the table


@dataclass
class _Worked:
    """One shift instance as one agent worked it: the rows sharing (employee_id, date, shift)."""

    agent: Agent
    date: dt.date
    code: str
    kind: ShiftType | None                      # None when the code is unknown
    queues: list[str] = field(default_factory=list)  # distinct, in row order
    runs: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    past: bool = False                          # a shift of the previous roster (fixed history)

    @property
    def first_start(self) -> dt.datetime:
        return min(a for a, _ in self.runs)

    @property
    def last_end(self) -> dt.datetime:
        return max(b for _, b in self.runs)

    @cached_property  # date and kind never change; the rules ask often
    def planned(self) -> tuple[dt.datetime, dt.datetime] | None:
        """[start, end) of the shift instance as the shift type defines it."""
        if self.kind is None:
            return None
        begin = dt.datetime.combine(self.date, self.kind.start)
        return begin, begin + dt.timedelta(minutes=round(self.kind.hours * 60))

    @property
    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """The instance, or the runs' extent when the shift code is unknown."""
        return self.planned or (self.first_start, self.last_end)

    @property
    def label(self) -> str:
        return f"{self.code} on {self.date:%Y-%m-%d}" + (" (previous roster)" if self.past else "")

    def hours_text(self) -> str:
        """`08:00-16:00`, with the end date when the shift ends on a later day."""
        begin, finish = self.span
        return f"{_clock(begin, self.date)}-{_clock(finish, self.date)}"


def _read_rows(scenario: Scenario, rows: list[dict]) -> tuple[list[_Worked], list[Violation]]:
    """Parse and vet the rows one by one; group the usable ones into worked shift instances."""
    cfg = scenario.config
    agents = scenario.agent_by_id
    shift_types = {s.code: s for s in cfg.shifts}
    queue_ids = set(cfg.queue_ids)
    dates = set(cfg.dates)
    slot = dt.timedelta(minutes=cfg.slot_minutes)
    horizon_start = cfg.horizon_start
    found: list[Violation] = []
    bad_rows: dict[str, list[int]] = defaultdict(list)       # problem -> table row numbers
    unknown_ids: dict[str, list[dict]] = defaultdict(list)
    names_seen: set[tuple[str, str]] = set()
    codes_seen: set[tuple[str, dt.date, str]] = set()
    queues_seen: set[tuple[str, dt.date, str, str]] = set()
    worked: dict[tuple[str, dt.date, str], _Worked] = {}

    for i, raw in enumerate(rows):
        row_no = i + 2  # as Excel shows it: the header is row 1
        row, problem = _parse_row(raw)
        if problem:
            bad_rows[problem].append(row_no)
            continue
        eid, start, end = row["employee_id"], row["start"], row["end"]
        agent = agents.get(eid)
        if agent is None:
            unknown_ids[eid].append(row)
            continue
        who = _who(agent)
        given = row["name"]
        if given.strip() != agent.name.strip() and (eid, given) not in names_seen:
            names_seen.add((eid, given))
            found.append(Violation("name", f"{who}: the roster names {eid} {given!r}, the staff list "
                                           f"{agent.name!r}", eid, start))
        if end <= start:
            found.append(Violation("run_times", f"{who}: the run of {row['shift']} on {row['date']:%Y-%m-%d} "
                                                f"ends {_at(end)}, not after its start {_at(start)} (row {row_no}); "
                                                f"the row is ignored", eid, start))
            continue
        label = f"{row['shift']} on {row['date']:%Y-%m-%d}"
        off = [what for what, t in (("start", start), ("end", end)) if (t - horizon_start) % slot]
        if off:
            found.append(Violation("off_grid", f"{who}: the run {_at(start)} .. {_clock(end, start.date())} of "
                                               f"{label} does not {' or '.join(off)} on a "
                                               f"{cfg.slot_minutes}-minute slot boundary", eid, start))
        span_h = _hours(end - start)
        if abs(row["hours"] - span_h) > HOURS_COLUMN_EPS:
            found.append(Violation("hours", f"{who}: the run {_at(start)} .. {_clock(end, start.date())} of "
                                            f"{label} lasts {span_h:.2f} h but the hours column says "
                                            f"{row['hours']:g}", eid, start))
        code, queue = row["shift"], row["queue"]
        kind = shift_types.get(code)
        if kind is None:
            if (eid, row["date"], code) not in codes_seen:
                codes_seen.add((eid, row["date"], code))
                found.append(Violation("unknown_shift", f"{who}: shift code {code!r} on {row['date']:%Y-%m-%d} is "
                                                        f"not one of the scenario's shifts "
                                                        f"({', '.join(shift_types)})", eid, start))
            if start < cfg.horizon_start or end > cfg.horizon_end or row["date"] not in dates:
                found.append(Violation("outside_horizon", f"{who}: the run {_at(start)} .. {_at(end)} of {label} "
                                                          f"lies outside the horizon {_at(cfg.horizon_start)} .. "
                                                          f"{_at(cfg.horizon_end)}", eid, start))
        if queue not in queue_ids and (eid, row["date"], code, queue) not in queues_seen:
            queues_seen.add((eid, row["date"], code, queue))
            found.append(Violation("unknown_queue", f"{who}: queue {queue!r} in {label} is not one of the "
                                                    f"scenario's queues ({', '.join(cfg.queue_ids)})", eid, start))
        w = worked.setdefault((eid, row["date"], code), _Worked(agent, row["date"], code, kind))
        if queue not in w.queues:
            w.queues.append(queue)
        w.runs.append((start, end))

    for problem, numbers in bad_rows.items():
        found.append(Violation("bad_row", f"Assignments {_rows_text(numbers)}: {problem}; "
                                          f"{'the row is' if len(numbers) == 1 else 'those rows are'} ignored"))
    for eid, rs in unknown_ids.items():
        first = min(rs, key=lambda r: r["start"])
        names = sorted({r["name"] for r in rs if r["name"]})
        named = f" ({', '.join(names)})" if names else ""
        found.append(Violation("unknown_employee", f"{eid}{named} is not in the staff list but has {len(rs)} "
                                                   f"run(s) in the roster, the first {_at(first['start'])}",
                               eid, first["start"]))
    for w in worked.values():
        w.runs.sort()
    return list(worked.values()), found


def _parse_row(raw: Any) -> tuple[dict, str | None]:
    """A row with normalised types, or the problem that makes it unusable."""
    plain = _plain_row(raw)
    if plain is not None:
        return plain, None
    if not isinstance(raw, dict):
        return {}, f"expected a row with columns {', '.join(ROW_FIELDS)}"
    missing = [k for k in ROW_FIELDS if k not in raw or _blank(raw[k]) and k != "name"]
    if missing:
        return {}, f"no value in column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    row: dict[str, Any] = {}
    for k in ("employee_id", "shift", "queue"):
        v = raw[k]
        if isinstance(v, float) and v.is_integer():
            v = int(v)  # an id typed as a number in Excel
        row[k] = str(v).strip()
    row["name"] = "" if _blank(raw["name"]) else str(raw["name"])
    try:
        row["date"] = _as_date(raw["date"])
    except ValueError:
        return {}, f"date {raw['date']!r} is not a date"
    for k in ("start", "end"):
        try:
            row[k] = _as_datetime(raw[k])
        except ValueError:
            return {}, f"{k} {raw[k]!r} is not a date and time"
    try:
        row["hours"] = float(raw["hours"])
        if not math.isfinite(row["hours"]):
            raise ValueError
    except (TypeError, ValueError):
        return {}, f"hours {raw['hours']!r} is not a number"
    return row, None


def _plain_row(raw: Any) -> dict | None:
    """The row as `_parse_row` normalises it when it needs no normalising (texts without spaces
    at their ends, a date, naive datetimes, a finite float: a roster's own rows); else None."""
    if type(raw) is not dict:
        return None
    try:
        eid, name, date, shift = raw["employee_id"], raw["name"], raw["date"], raw["shift"]
        queue, start, end, hours = raw["queue"], raw["start"], raw["end"], raw["hours"]
    except KeyError:
        return None
    for text in (eid, shift, queue):
        if type(text) is not str or not text or text[0].isspace() or text[-1].isspace():
            return None
    if (type(name) is not str or type(date) is not dt.date or type(start) is not dt.datetime
            or type(end) is not dt.datetime or start.tzinfo is not None or end.tzinfo is not None
            or type(hours) is not float or not math.isfinite(hours)):
        return None
    return {"employee_id": eid, "shift": shift, "queue": queue, "name": name if name.strip() else "",
            "date": date, "start": start, "end": end, "hours": hours}


def _blank(v: Any) -> bool:
    """None, an empty cell, NaN or NaT (pandas' empty cells)."""
    try:
        if v != v:
            return True
    except (TypeError, ValueError):
        pass
    return v is None or (isinstance(v, str) and not v.strip())


def _as_date(v: Any) -> dt.date:
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        if v.time() != dt.time():
            raise ValueError(v)
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        return dt.date.fromisoformat(v.strip())
    raise ValueError(v)


def _as_datetime(v: Any) -> dt.datetime:
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, str):
        return dt.datetime.fromisoformat(v.strip())
    raise ValueError(v)


# ---------------------------------------------------------------------------------------------
# What every rule needs to know


class _Reading:
    """The roster as the rules see it: worked shift instances per agent, slots, absences."""

    def __init__(self, scenario: Scenario, worked: list[_Worked]):
        cfg = scenario.config
        self.scenario = scenario
        self.config = cfg
        self.rules = cfg.rules
        self.slot = dt.timedelta(minutes=cfg.slot_minutes)
        self.slot_hours = cfg.slot_minutes / 60
        self.start = cfg.horizon_start
        self.end = cfg.horizon_end
        self.n_slots = cfg.days * 24 * 60 // cfg.slot_minutes
        self.worked = sorted(worked, key=lambda w: (w.first_start, w.agent.employee_id, w.code))
        self.by_agent: dict[str, list[_Worked]] = defaultdict(list)
        for w in self.worked:
            self.by_agent[w.agent.employee_id].append(w)
        # with --previous: the previous roster's shifts, fixed history that rules 2 and 3 (rest,
        # consecutive days, runs; the part of a shift after `start` also weekly hours) and rule 4
        # (a shift running past `start` works, and a lead on it is on shift) see as one roster
        self.joined: dict[str, list[_Worked]] = defaultdict(list)
        for w in sorted([*self.worked, *_past_shifts(scenario)], key=lambda w: (w.first_start, w.code)):
            self.joined[w.agent.employee_id].append(w)
        self.agents = {a.employee_id: a for a in scenario.agents}
        self.absences: dict[str, list[Absence]] = defaultdict(list)
        for a in scenario.absences:
            self.absences[a.employee_id].append(a)

    def slots(self, begin: dt.datetime, finish: dt.datetime) -> range:
        """Indices of the slots that [begin, finish) touches, clipped to the horizon."""
        first = (begin - self.start) // self.slot
        last = -((self.start - finish) // self.slot)  # ceiling
        return range(max(0, first), min(self.n_slots, last))

    def slot_start(self, t: int) -> dt.datetime:
        return self.start + t * self.slot

    def worked_time(self, eid: str) -> list[tuple[dt.datetime, dt.datetime]]:
        """The agent's worked time as maximal stretches: runs that touch or overlap are merged."""
        runs = sorted(r for w in self.joined[eid] for r in w.runs)
        merged: list[list[dt.datetime]] = []
        for a, b in runs:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def worked_slots(self, eid: str) -> list[int]:
        return sorted({t for a, b in self.worked_time(eid) for t in self.slots(a, b)})

    def high_load(self) -> list[bool]:
        """Per slot: contacts per hour over all queues reach the high-load threshold (or, when
        the scenario fixes the high-load hours, as it says)."""
        if self.scenario.high_load_slots is not None:
            return list(self.scenario.high_load_slots[: self.n_slots])
        per_hour = 60 // self.config.slot_minutes  # slots per hour: 1, 2 or 4, exact
        rate = [0.0] * self.n_slots
        for contacts in self.scenario.demand.values():
            for t, c in enumerate(contacts[: self.n_slots]):
                rate[t] += c * per_hour
        threshold = self.rules.high_load_contacts_per_hour
        if threshold is None:
            threshold = 0.6 * max(rate, default=0.0)
        return [r > 0 and r >= threshold for r in rate]

    def cut_short_by(self, w: _Worked) -> Absence | None:
        """The absence that legally cuts this shift short: it starts strictly inside the
        instance and every run ends at or before its start."""
        if w.planned is None:
            return None
        begin, finish = w.planned
        for a in self.absences[w.agent.employee_id]:
            if begin < a.start < finish and w.last_end <= a.start:
                return a
        return None


# ---------------------------------------------------------------------------------------------
# The rules, one function each, in SPEC order


def outside_horizon(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if w.planned is None:
            continue  # unknown code: its runs were checked against the horizon row by row
        who, eid = _who(w.agent), w.agent.employee_id
        if not r.config.start <= w.date < r.config.start + dt.timedelta(days=r.config.days):
            yield Violation("outside_horizon", f"{who}: {w.label} is outside the horizon "
                                               f"{r.config.start:%Y-%m-%d} .. {r.config.dates[-1]:%Y-%m-%d}",
                            eid, w.date)
        elif w.planned[1] > r.end:
            yield Violation("outside_horizon", f"{who}: {w.label} would end {_at(w.planned[1])}, after the "
                                               f"horizon ends ({_at(r.end)}), so that shift does not exist",
                            eid, w.planned[0])


def one_shift_per_date(r: _Reading) -> Iterator[Violation]:
    for eid, ws in r.by_agent.items():
        per_date: dict[dt.date, list[_Worked]] = defaultdict(list)
        for w in ws:
            per_date[w.date].append(w)
        for d, same in per_date.items():
            if len(same) > 1:
                codes = ", ".join(w.code for w in same)
                yield Violation("one_shift_per_date", f"{_who(same[0].agent)} has {len(same)} shifts starting on "
                                                      f"{d:%Y-%m-%d} ({codes}); an agent works at most one "
                                                      f"shift per date", eid, d)


def one_queue_per_shift(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if len(w.queues) > 1:
            yield Violation("one_queue_per_shift", f"{_who(w.agent)} serves {len(w.queues)} queues in {w.label} "
                                                   f"({', '.join(w.queues)}); one queue for the whole shift",
                            w.agent.employee_id, w.first_start)


def run_outside_shift(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if w.planned is None:
            continue
        begin, finish = w.planned
        for a, b in w.runs:
            if a < begin or b > finish:
                yield Violation("run_outside_shift", f"{_who(w.agent)}: the run {_at(a)} .. {_clock(b, a.date())} "
                                                     f"lies outside {w.label} ({w.hours_text()})",
                                w.agent.employee_id, a)


def overlapping_runs(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        latest = None
        for a, b in w.runs:
            if latest is not None and a < latest:
                yield Violation("overlapping_runs", f"{_who(w.agent)}: the run {_at(a)} .. {_clock(b, a.date())} "
                                                    f"overlaps an earlier run of {w.label} (which lasts until "
                                                    f"{_clock(latest, a.date())})", w.agent.employee_id, a)
            latest = b if latest is None else max(latest, b)


def breaks_inside_shift(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if w.planned is None:
            continue
        begin, finish = w.planned
        first = (begin, min(begin + r.slot, finish))
        last = (max(finish - r.slot, begin), finish)
        who, eid = _who(w.agent), w.agent.employee_id
        if not _covered(first, w.runs):
            yield Violation("breaks_inside_shift", f"{who}: {w.label} ({w.hours_text()}) starts with a break "
                                                   f"(first worked {_clock(w.first_start, w.date)}); the first slot "
                                                   f"of a shift is worked", eid, begin)
        if not _covered(last, w.runs) and r.cut_short_by(w) is None:
            yield Violation("breaks_inside_shift", f"{who}: {w.label} ({w.hours_text()}) ends with a break "
                                                   f"(last worked until {_clock(w.last_end, w.date)}); the last "
                                                   f"slot of a shift is worked", eid, last[0])


def skill(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if _moves_for(r, w):
            continue  # the move decides the queue that day
        for q in w.queues:
            if q in r.config.queue_ids and q not in w.agent.skills:
                yield Violation("skill", f"{_who(w.agent)} serves {q} in {w.label} but their skills are "
                                         f"{', '.join(w.agent.skills)}", w.agent.employee_id, w.first_start)


def shift_kind(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if w.kind is not None and w.agent.kind not in w.kind.kinds:
            yield Violation("shift_kind", f"{_who(w.agent)} is {w.agent.kind} staff, but {w.label} "
                                          f"({w.hours_text()}) is only for {' and '.join(w.kind.kinds)} staff",
                            w.agent.employee_id, w.first_start)


def night_ok(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        if w.kind is not None and w.kind.night and not w.agent.night_ok:
            yield Violation("night_ok", f"{_who(w.agent)} may not work night shifts (night_ok = false) but works "
                                        f"night shift {w.label} ({w.hours_text()})",
                            w.agent.employee_id, w.first_start)


def absence(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        begin, finish = w.span
        for a in r.absences[w.agent.employee_id]:
            if not (a.start < finish and begin < a.end):
                continue
            away = f"absent {_at(a.start)} .. {_at(a.end)}{f' ({a.reason})' if a.reason else ''}"
            if w.planned is not None and begin < a.start < finish:
                if w.last_end <= a.start:
                    continue  # cut short by the absence: legal
                msg = (f"{_who(w.agent)} is {away} but works {w.label} until {_clock(w.last_end, w.date)}; a "
                       f"shift cut short by an absence must end by the time the absence starts")
            else:
                msg = (f"{_who(w.agent)} is {away} but works {w.label} ({w.hours_text()}), which overlaps the "
                       f"absence")
            yield Violation("absence", msg, w.agent.employee_id, max(begin, a.start))


def rest(r: _Reading) -> Iterator[Violation]:
    need = r.rules.min_rest_hours
    for eid, ws in r.joined.items():
        before: _Worked | None = None  # the earlier shift that ends last
        for w in sorted(ws, key=lambda w: (w.first_start, w.last_end)):
            if before is not None and not (w.past and before.past):  # the previous roster's own: not ours
                gap = _hours(w.first_start - before.last_end)
                who = _who(w.agent)
                if gap < 0:
                    yield Violation("rest", f"{who}: {w.label} ({_clock(w.first_start, w.date)}-"
                                            f"{_clock(w.last_end, w.date)}) overlaps {before.label} (until "
                                            f"{_clock(before.last_end, before.date)}); shifts of one agent may "
                                            f"not overlap", eid, w.first_start)
                elif gap < need - HOURS_EPS:
                    yield Violation("rest", f"{who}: only {_h(gap)} h rest between {before.label} (ends "
                                            f"{_clock(before.last_end, before.date)}) and {w.label} (starts "
                                            f"{_clock(w.first_start, w.date)}); the rule is {need:g} h",
                                    eid, before.last_end)
            if before is None or w.last_end > before.last_end:
                before = w


def consecutive_days(r: _Reading) -> Iterator[Violation]:
    most = r.rules.max_consecutive_days
    for eid, ws in r.joined.items():
        dates = sorted({w.date for w in ws})
        ours = {w.date for w in ws if not w.past}
        streaks: list[list[dt.date]] = []
        for d in dates:
            if streaks and d - streaks[-1][-1] == dt.timedelta(days=1):
                streaks[-1].append(d)
            else:
                streaks.append([d])
        for s in streaks:
            if len(s) > most and ours & set(s):
                past = f", {len(set(s) - ours)} of them in the previous roster" if set(s) - ours else ""
                yield Violation("consecutive_days", f"{_who(ws[0].agent)} works {len(s)} dates in a row "
                                                    f"({s[0]:%Y-%m-%d} .. {s[-1]:%Y-%m-%d}{past}); the rule is at "
                                                    f"most {most}", eid, s[0])


def night_shifts(r: _Reading) -> Iterator[Violation]:
    most = r.rules.max_night_shifts
    for eid, ws in r.by_agent.items():
        nights = [w for w in ws if w.kind is not None and w.kind.night]
        if len(nights) > most:
            yield Violation("night_shifts", f"{_who(ws[0].agent)} works {len(nights)} night shifts "
                                            f"({', '.join(w.label for w in nights)}); the rule is at most "
                                            f"{most} over the horizon", eid, nights[most].date)


def weekly_hours(r: _Reading) -> Iterator[Violation]:
    blocks = []
    for k in range(-(-r.config.days // 7)):
        b0 = r.start + dt.timedelta(days=7 * k)
        blocks.append((b0, min(b0 + dt.timedelta(days=7), r.end)))
    for eid, ws in r.joined.items():
        agent = ws[0].agent
        limit = agent.max_hours_week if agent.max_hours_week is not None else r.rules.max_hours_week
        whose = "their personal limit" if agent.max_hours_week is not None else "the limit"
        stretches = r.worked_time(eid)
        for b0, b1 in blocks:
            inside = sum((min(b, b1) - max(a, b0) for a, b in stretches if a < b1 and b > b0), dt.timedelta())
            h = _hours(inside)
            if h > limit + HOURS_EPS:
                yield Violation("weekly_hours", f"{_who(agent)} works {_h(h)} h in the week {b0:%Y-%m-%d} .. "
                                                f"{b1 - dt.timedelta(days=1):%Y-%m-%d}; {whose} is {limit:g} h",
                                eid, b0.date())


def continuous_hours(r: _Reading) -> Iterator[Violation]:
    most = r.rules.max_continuous_hours
    for eid, ws in r.joined.items():
        for a, b in r.worked_time(eid):
            h = _hours(b - a)
            if h > most + HOURS_EPS and b > r.start:  # a run that ended before `start` is the previous roster's
                yield Violation("continuous_hours", f"{_who(ws[0].agent)} works {_h(h)} h without a break "
                                                    f"({_at(a)} .. {_clock(b, a.date())}); the rule is at most "
                                                    f"{most:g} h", eid, a)


def high_load_run(r: _Reading) -> Iterator[Violation]:
    most = r.rules.max_continuous_high_load_hours
    high = r.high_load()
    for eid, ws in r.joined.items():
        run: list[int] = []
        for t in [*r.worked_slots(eid), None]:
            if t is not None and high[t] and (not run or t == run[-1] + 1):
                run.append(t)
                continue
            if len(run) * r.slot_hours > most + HOURS_EPS:
                a, b = r.slot_start(run[0]), r.slot_start(run[-1] + 1)
                yield Violation("high_load_run", f"{_who(ws[0].agent)} works {_h(len(run) * r.slot_hours)} h in a "
                                                 f"row at high load ({_at(a)} .. {_clock(b, a.date())}) without "
                                                 f"a break; the rule is at most {most:g} h", eid, a)
            run = [t] if t is not None and high[t] else []


def leads_on_duty(r: _Reading) -> Iterator[Violation]:
    need = r.rules.min_leads_on_duty
    if need <= 0:
        return
    workers: list[list[str]] = [[] for _ in range(r.n_slots)]
    leads = [0] * r.n_slots
    for eid, ws in r.joined.items():
        for t in r.worked_slots(eid):
            workers[t].append(eid)
        if ws[0].agent.is_lead:
            for t in sorted({t for w in ws for t in r.slots(w.first_start, w.last_end)}):
                leads[t] += 1
    t = 0
    while t < r.n_slots:
        if leads[t] >= need:
            t += 1
            continue
        short_from = t
        while t < r.n_slots and leads[t] < need:
            t += 1
        bad = [u for u in range(short_from, t) if workers[u]]
        if not bad:
            continue
        a, b = r.slot_start(bad[0]), r.slot_start(bad[-1] + 1)
        who = sorted({eid for u in bad for eid in workers[u]})
        named = ", ".join(_who(r.agents[e]) for e in who[:4]) + (f" and {len(who) - 4} more" if len(who) > 4 else "")
        most = max(leads[u] for u in bad)
        have = "no lead" if most == 0 else f"only {most} lead{'s' if most > 1 else ''}"
        yield Violation("leads_on_duty", f"{_at(a)} .. {_clock(b, a.date())}: {have} on shift while {named} "
                                         f"work{'s' if len(who) == 1 else ''}; the rule is at least {need} lead"
                                         f"{'s' if need > 1 else ''} on shift whenever anyone works", None, a)


def move(r: _Reading) -> Iterator[Violation]:
    for w in r.worked:
        for m in _moves_for(r, w):
            wrong = [q for q in w.queues if q != m.to_queue]
            if wrong:
                yield Violation("move", f"{_who(w.agent)} (home queue {m.from_queue}) must serve {m.to_queue} in "
                                        f"every shift starting on {w.date:%Y-%m-%d} (mandatory move) but serves "
                                        f"{', '.join(wrong)} in {w.label}", w.agent.employee_id, w.first_start)


def lock(r: _Reading) -> Iterator[Violation]:
    for k in getattr(r.scenario, "locks", []):
        agent = r.agents.get(k.employee_id)
        if agent is None:
            continue
        that_day = [w for w in r.by_agent.get(k.employee_id, []) if w.date == k.date]
        where = f"locks.csv row {k.row}"
        if k.shift == "off":
            for w in that_day:
                yield Violation("lock", f"{_who(agent)} works {w.label}, but {where} locks {k.date:%Y-%m-%d} as a "
                                        f"day off", k.employee_id, w.first_start)
            continue
        kept = [w for w in that_day if w.code == k.shift]
        if not kept and _absent_during(r, k):
            continue  # an absence (a sick call a repair applied) wins over the plan: the absence rule
            has = f" (works {', '.join(w.code for w in that_day)} instead)" if that_day else ""
            yield Violation("lock", f"{_who(agent)} does not work {k.shift} on {k.date:%Y-%m-%d}{has}, which "
                                    f"{where} locks", k.employee_id, k.date)
        elif k.queue and any(q != k.queue for w in kept for q in w.queues):
            yield Violation("lock", f"{_who(agent)} serves {', '.join(kept[0].queues)} in {kept[0].label}, but "
                                    f"{where} locks it on {k.queue}", k.employee_id, kept[0].first_start)


CHECKS: list[Callable[[_Reading], Iterable[Violation]]] = [
    outside_horizon, one_shift_per_date, one_queue_per_shift, run_outside_shift, overlapping_runs,
    breaks_inside_shift, skill, shift_kind, night_ok, absence, rest, consecutive_days, night_shifts,
    weekly_hours, continuous_hours, high_load_run, leads_on_duty, move, lock,
]


# ---------------------------------------------------------------------------------------------
# Small helpers


def _past_shifts(scenario: Scenario) -> list[_Worked]:
    """The previous roster's shifts (scenario.previous: the loader has dropped agents who left
    and shifts more than 14 days before `start`), each as one worked shift of fixed history. Its
    span is what its runs say (a shift type may have changed since)."""
    previous = getattr(scenario, "previous", None)
    agents = scenario.agent_by_id
    out = []
    for a in previous.assignments if previous is not None else []:
        if a.employee_id in agents:
            out.append(_Worked(agents[a.employee_id], a.date, a.shift, None, [a.queue], sorted(a.runs), past=True))
    return out


def _absent_during(r: _Reading, k) -> bool:
    """Does an absence of the agent overlap the locked shift?"""
    kind = next((s for s in r.config.shifts if s.code == k.shift), None)
    if kind is None:
        return False
    begin = dt.datetime.combine(k.date, kind.start)
    finish = begin + dt.timedelta(minutes=round(kind.hours * 60))
    return any(a.start < finish and begin < a.end for a in r.absences[k.employee_id])


def _moves_for(r: _Reading, w: _Worked) -> list:
    return [m for m in r.config.moves if m.from_queue == w.agent.home_queue and w.date in m.dates]


def _covered(slot: tuple[dt.datetime, dt.datetime], runs: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(a <= slot[0] and slot[1] <= b for a, b in runs)


def _who(agent: Agent) -> str:
    return f"{agent.employee_id} {agent.name}"


def _hours(span: dt.timedelta) -> float:
    return span.total_seconds() / 3600.0


def _h(hours: float) -> str:
    """Hours as a scheduler writes them: 9.0, 4.5, 4.25."""
    text = f"{hours:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _at(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def _clock(t: dt.datetime, day: dt.date) -> str:
    """`HH:MM` when t falls on `day`, else the full date and time."""
    return f"{t:%H:%M}" if t.date() == day else _at(t)


def _rows_text(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _sort_time(when: dt.datetime | dt.date | None) -> dt.datetime:
    if when is None:
        return dt.datetime.min
    if isinstance(when, dt.datetime):
        return when
    return dt.datetime.combine(when, dt.time())
