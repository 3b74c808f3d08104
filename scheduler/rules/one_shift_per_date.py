"""SPEC 3: an agent works at most one shift instance per date (the date the instance starts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from scheduler.rules.base import GreedyCheck, Rule, members_share

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.model import Option, RosterModel


class OneShiftPerDate(Rule):
    name = "one_shift_per_date"

    def add(self, rm: RosterModel) -> None:
        per_date: dict[tuple[int, dt.date], list] = defaultdict(list)
        for (a, i), v in rm.on.items():
            per_date[(a, rm.instances[i].date)].append(v)
        for vs in per_date.values():
            if len(vs) > 1:
                rm.m.add_at_most_one(vs)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Dates(rm)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        for insts in pool.per_date.values():
            if len(insts) > 1:
                lp.solver.Add(lp.solver.Sum([pool.on[i] for i in insts])
                              <= pool.room(1, members_share(insts)))


class _Dates(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.instances = rm.instances
        self.dates: list[set[dt.date]] = [set() for _ in rm.agents]

    def fits(self, o: Option) -> bool:
        return self.instances[o.inst].date not in self.dates[o.agent]

    def take(self, o: Option) -> None:
        self.dates[o.agent].add(self.instances[o.inst].date)
