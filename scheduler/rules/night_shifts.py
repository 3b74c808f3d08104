"""SPEC 3, rule 2: at most max_night_shifts night shifts per agent over the horizon."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.model import Option, RosterModel


class MaxNightShifts(Rule):
    name = "night_shifts"

    def add(self, rm: RosterModel) -> None:
        nights: dict[int, list] = defaultdict(list)
        for (a, i), v in rm.on.items():
            if rm.instances[i].night:
                nights[a].append(v)
        for vs in nights.values():
            if len(vs) > rm.rules.max_night_shifts:
                rm.m.add(LinearExpr.sum(vs) <= rm.rules.max_night_shifts)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Nights(rm)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        night = [i for i in pool.on if lp.grid.instances[i].night]
        if len(night) > lp.rules.max_night_shifts:
            lp.solver.Add(lp.solver.Sum([pool.on[i] for i in night])
                          <= pool.room(lp.rules.max_night_shifts, lambda mine: len(mine.intersection(night))))


class _Nights(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.instances = rm.instances
        self.cap = rm.rules.max_night_shifts
        self.nights = [0] * len(rm.agents)

    def fits(self, o: Option) -> bool:
        return not self.instances[o.inst].night or self.nights[o.agent] < self.cap

    def take(self, o: Option) -> None:
        self.nights[o.agent] += self.instances[o.inst].night
