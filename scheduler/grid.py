"""The derived time grid: slots, shift instances and high-load flags of a scenario.

Slot t covers [start + t*slot, start + (t+1)*slot). A shift instance is one shift type started
on one date of the horizon; an instance that would end after the horizon does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from scheduler.scenario import Scenario


@dataclass(frozen=True)
class ShiftInstance:
    index: int
    code: str
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    first_slot: int
    n_slots: int
    night: bool
    kinds: tuple[str, ...]

    @property
    def slots(self) -> range:
        return range(self.first_slot, self.first_slot + self.n_slots)


class Grid:
    """Slots and shift instances of a scenario; all times are local wall-clock datetimes."""

    def __init__(self, scenario: Scenario):
        cfg = scenario.config
        self.scenario = scenario
        self.slot_minutes = cfg.slot_minutes
        self.delta_hours = cfg.slot_minutes / 60.0
        self.start = cfg.horizon_start
        self.end = cfg.horizon_end
        self.n_slots = scenario.n_slots
        self.dates = cfg.dates

    def slot_start(self, t: int) -> dt.datetime:
        return self.start + dt.timedelta(minutes=t * self.slot_minutes)

    def slot_of(self, when: dt.datetime) -> int:
        """Index of the slot that contains `when` (may be outside 0..n_slots-1)."""
        return int((when - self.start).total_seconds() // (self.slot_minutes * 60))

    def runs_of(self, worked) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The runs [start, end) of consecutive slots among these slot indices, in time order."""
        runs: list[tuple[dt.datetime, dt.datetime]] = []
        for t in sorted(set(worked)):
            start = self.slot_start(t)
            if runs and runs[-1][1] == start:
                runs[-1] = (runs[-1][0], start + dt.timedelta(minutes=self.slot_minutes))
            else:
                runs.append((start, start + dt.timedelta(minutes=self.slot_minutes)))
        return tuple(runs)

    @cached_property
    def instances(self) -> list[ShiftInstance]:
        out: list[ShiftInstance] = []
        for d in self.dates:
            for s in self.scenario.config.shifts:
                begin = dt.datetime.combine(d, s.start)
                finish = begin + dt.timedelta(hours=s.hours)
                if finish > self.end:
                    continue
                out.append(ShiftInstance(
                    index=len(out), code=s.code, date=d, start=begin, end=finish,
                    first_slot=self.slot_of(begin), n_slots=round(s.hours * 60) // self.slot_minutes,
                    night=s.night, kinds=tuple(s.kinds),
                ))
        return out

    @cached_property
    def contacts_per_hour(self) -> dict[str, list[float]]:
        """Queue id -> rate[t, q] in contacts per hour."""
        return {q: [c / self.delta_hours for c in cs] for q, cs in self.scenario.demand.items()}

    @cached_property
    def high_load_threshold(self) -> float:
        """Contacts per hour, all queues, at which a slot is high-load (SPEC rules)."""
        rule = self.scenario.config.rules.high_load_contacts_per_hour
        if rule is not None:
            return rule
        total = self.total_rate
        return 0.6 * max(total) if total else 0.0

    @cached_property
    def total_rate(self) -> list[float]:
        rates = self.contacts_per_hour.values()
        return [sum(r[t] for r in rates) for t in range(self.n_slots)]

    @cached_property
    def high_load(self) -> list[bool]:
        if self.scenario.high_load_slots is not None:
            return list(self.scenario.high_load_slots)
        thr = self.high_load_threshold
        return [r >= thr and r > 0 for r in self.total_rate]
