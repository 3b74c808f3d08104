"""A roster as plain data: who works which shift instance, on which queue, in which runs.

Nothing here decides whether a rule holds; that is the model's job (to build one) and the
checker's (to judge one).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Assignment:
    """One agent's shift instance: `date` is the date the instance starts; `runs` are the
    worked stretches [start, end) in time order (a break lies between two runs)."""

    employee_id: str
    date: dt.date
    shift: str
    queue: str
    runs: tuple[tuple[dt.datetime, dt.datetime], ...]

    @property
    def start(self) -> dt.datetime:
        return self.runs[0][0]

    @property
    def end(self) -> dt.datetime:
        return self.runs[-1][1]

    @property
    def worked_hours(self) -> float:
        return sum((b - a).total_seconds() for a, b in self.runs) / 3600.0


@dataclass
class Roster:
    assignments: list[Assignment] = field(default_factory=list)

    def sorted(self) -> Roster:
        return Roster(sorted(self.assignments, key=lambda a: (a.employee_id, a.start)))

    def by_agent(self) -> dict[str, list[Assignment]]:
        out: dict[str, list[Assignment]] = defaultdict(list)
        for a in sorted(self.assignments, key=lambda a: a.start):
            out[a.employee_id].append(a)
        return dict(out)

    def rows(self, names: dict[str, str]) -> list[dict]:
        """The Assignments table (SPEC section 7): one row per run of worked slots."""
        out = []
        for a in self.sorted().assignments:
            for start, end in a.runs:
                out.append({
                    "employee_id": a.employee_id, "name": names.get(a.employee_id, ""),
                    "date": a.date, "shift": a.shift, "queue": a.queue,
                    "start": start, "end": end, "hours": (end - start).total_seconds() / 3600.0,
                })
        return out

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Roster:
        """Rebuild a roster from Assignments rows (as read back from a workbook)."""
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for r in rows:
            groups[(r["employee_id"], r["date"], r["shift"], r["queue"])].append(r)
        out = []
        for (eid, date, shift, queue), rs in groups.items():
            runs = tuple(sorted((r["start"], r["end"]) for r in rs))
            out.append(Assignment(eid, date, shift, queue, runs))
        return Roster(out).sorted()
