"""What the previous roster and the locks fix for this horizon (SPEC 2.1, 2.2, rule 6), as the
model, the greedy start and the bound use it. The checker reads the same inputs on its own.

- Rest: a shift of this horizon starts at least min_rest_hours after every previous shift
  ends (a shift that starts before a previous one ends overlaps it).
- Consecutive days: the dates worked in the previous roster extend a run of dates into this
  horizon (`streak_before`).
- A shift that runs past `start` (a 22:00-06:00 night started the day before) works its runs
  after `start` for this horizon: coverage of its queue, the lead rule (a lead on it is on shift
  until it ends; anyone working needs a lead), and the first 7-day block's hours. It is not an
  assignment of this roster. Its part before `start` belongs to the previous horizon's blocks:
  weekly hours are per 7-day block from `start` (SPEC 2), so earlier hours never count here.
- Fairness and comfort: nights and weekend shifts of the previous roster count with this
  roster's; a backward rotation from the previous roster's last day into the first day is
  penalised like one inside the horizon.
- High load before `start` is unknown (the previous roster carries no demand): a run of
  high-load slots is counted from `start`.
- Locks (`scheduler.rules.locks`): a day-off lock removes every shift of that date, a shift lock
  every other shift of the date (and other queues when it names one); the locked shift is forced.

Each rule that reaches across the boundary reads this in its own unit (`scheduler.rules`: rest,
consecutive days, weekly hours, leads); the coverage tiers and comfort in `scheduler.objective`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.roster import Assignment
from scheduler.scenario import Scenario
from scheduler.scenario.wishes import Lock


@dataclass
class History:
    """The previous roster's effect on this horizon; slot lists have one entry per slot."""

    spans: dict[str, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=lambda: defaultdict(list))
    dates: dict[str, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    nights: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    weekends: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    carry: list[Assignment] = field(default_factory=list)      # shifts that run past `start`
    staffed: dict[str, list[float]] = field(default_factory=dict)  # queue -> efficiency working each slot
    working: list[int] = field(default_factory=list)           # carried-in agents working each slot
    leads: list[int] = field(default_factory=list)             # carried-in leads on shift each slot
    first_block_slots: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # worked after `start`
    # the agent's latest previous shift as the rotation sees it: (date, night, start in minutes)
    last: dict[str, tuple[dt.date, bool, int]] = field(default_factory=dict)

    def streak_before(self, employee_id: str, date: dt.date) -> int:
        """Dates in a row with a previous shift that end the day before `date`."""
        n, d = 0, date - dt.timedelta(days=1)
        while d in self.dates.get(employee_id, ()):
            n += 1
            d -= dt.timedelta(days=1)
        return n

    def rest_ok(self, employee_id: str, start: dt.datetime, end: dt.datetime, rest: dt.timedelta) -> bool:
        """Can a shift [start, end) follow every previous shift of the agent with this rest?"""
        return all(start >= e + rest or s >= end + rest for s, e in self.spans.get(employee_id, ()))


def history_of(scenario: Scenario, start: dt.datetime, n_slots: int, slot_minutes: int) -> History:
    """The History of a scenario (empty without --previous). Times are local datetimes; slot t
    is [start + t*slot, start + (t+1)*slot)."""
    h = History(staffed={q: [0.0] * n_slots for q in scenario.config.queue_ids},
                working=[0] * n_slots, leads=[0] * n_slots)
    previous = getattr(scenario, "previous", None)
    if previous is None:
        return h
    agents = scenario.agent_by_id
    nights = {s.code for s in scenario.config.shifts if s.night}
    slot = dt.timedelta(minutes=slot_minutes)
    block_end = start + dt.timedelta(days=7)
    for a in previous.assignments:
        agent = agents.get(a.employee_id)
        if agent is None:
            continue
        eid = a.employee_id
        h.spans[eid].append((a.start, a.end))
        h.dates[eid].add(a.date)
        h.nights[eid] += a.shift in nights
        h.weekends[eid] += a.date.weekday() >= 5
        place = (a.date, a.shift in nights, a.start.hour * 60 + a.start.minute)
        if eid not in h.last or place > h.last[eid]:
            h.last[eid] = place
        if a.end <= start:
            continue
        h.carry.append(a)
        for t in range(n_slots):
            s0 = start + t * slot
            if s0 >= a.end:
                break
            worked = any(r0 <= s0 and s0 + slot <= r1 for r0, r1 in a.runs)
            if worked:
                h.working[t] += 1
                if a.queue in h.staffed:
                    h.staffed[a.queue][t] += agent.efficiency
                if s0 < block_end:
                    h.first_block_slots[eid] += 1
            if agent.is_lead and a.start <= s0:
                h.leads[t] += 1
    return h


def locks_by_agent_date(scenario: Scenario) -> dict[tuple[str, dt.date], Lock]:
    """The scheduler's locks (locks.csv) by agent and date."""
    return {(k.employee_id, k.date): k for k in scenario.locks}
