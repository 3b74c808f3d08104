"""SPEC 3, rule 2: at most max_consecutive_days dates in a row with a shift."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.model import Option, RosterModel


class MaxConsecutiveDays(Rule):
    name = "consecutive_days"

    def add(self, rm: RosterModel) -> None:
        k = rm.rules.max_consecutive_days
        dates = rm.grid.dates
        if k >= len(dates):
            return
        day_index = {d: n for n, d in enumerate(dates)}
        works: dict[int, list[list]] = defaultdict(lambda: [[] for _ in dates])
        for (a, i), v in rm.on.items():
            works[a][day_index[rm.instances[i].date]].append(v)
        for per_day in works.values():
            for s in range(len(dates) - k):
                window = [v for day in per_day[s:s + k + 1] for v in day]
                if len(window) > k:
                    rm.m.add(LinearExpr.sum(window) <= k)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Runs(rm)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        k = lp.rules.max_consecutive_days
        n_dates = len(lp.grid.dates)
        if k < n_dates:
            for s in range(n_dates - k):
                days = range(s, s + k + 1)
                window = [pool.on[i] for d in days for i in pool.per_date.get(d, [])]
                if window:
                    # a member absent on some of these dates can work only the others
                    lp.solver.Add(lp.solver.Sum(window) <= pool.room(k, lambda mine, days=days: sum(
                        1 for d in days if mine.intersection(pool.per_date.get(d, [])))))


class _Runs(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.instances = rm.instances
        self.dates = rm.grid.dates
        self.index = {d: n for n, d in enumerate(rm.grid.dates)}
        self.k = rm.rules.max_consecutive_days
        self.worked: list[set[dt.date]] = [set() for _ in rm.agents]

    def fits(self, o: Option) -> bool:
        mine, dates = self.worked[o.agent], self.dates
        k = self.index[self.instances[o.inst].date]
        run = 1
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(dates) and dates[j] in mine:
                run += 1
                j += step
        return run <= self.k

    def take(self, o: Option) -> None:
        self.worked[o.agent].add(self.instances[o.inst].date)
