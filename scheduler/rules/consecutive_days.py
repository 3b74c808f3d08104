"""SPEC 3, rule 2: at most max_consecutive_days dates in a row with a shift; with --previous (rule
6) the run of dates worked up to `start` continues into this horizon."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial
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
        day_index = {d: n for n, d in enumerate(dates)}
        works: dict[int, list[list]] = defaultdict(lambda: [[] for _ in dates])
        for (a, i), v in rm.on.items():
            works[a][day_index[rm.instances[i].date]].append(v)
        for a, per_day in works.items():
            # the previous roster's dates worked in a row up to `start`: a constant 1 each, in the
            # windows that reach back to them (at most k: more is the previous roster's own breach)
            past = min(k, rm.history.streak_before(rm.agents[a].employee_id, dates[0]))
            days = [[1]] * past + per_day
            for s in range(len(days) - k):
                window = [v for day in days[s:s + k + 1] for v in day]
                if len(window) > k:
                    rm.m.add(LinearExpr.sum(window) <= k)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Runs(rm)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        k = lp.rules.max_consecutive_days
        n_dates = len(lp.grid.dates)

        def dates_open(days: range, mine: set[int]) -> int:
            """Of `days`, the dates a member whose own instances are `mine` may work."""
            return sum(1 for d in days if mine.intersection(pool.per_date.get(d, [])))

        if k < n_dates:
            for s in range(n_dates - k):
                days = range(s, s + k + 1)
                window = [pool.on[i] for d in days for i in pool.per_date.get(d, [])]
                if window:
                    # a member absent on some of these dates can work only the others
                    lp.solver.Add(lp.solver.Sum(window) <= pool.room(k, partial(dates_open, days)))


class _Runs(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.instances = rm.instances
        self.dates = rm.grid.dates
        self.index = {d: n for n, d in enumerate(rm.grid.dates)}
        self.k = rm.rules.max_consecutive_days
        self.worked: list[set[dt.date]] = [set(rm.history.dates.get(a.employee_id, ())) for a in rm.agents]

    def fits(self, o: Option) -> bool:
        mine = self.worked[o.agent]  # may reach back into the previous roster
        date = self.instances[o.inst].date
        run = 1
        for step in (dt.timedelta(days=-1), dt.timedelta(days=1)):
            d = date + step
            while d in mine:
                run += 1
                d += step
        return run <= self.k

    def take(self, o: Option) -> None:
        self.worked[o.agent].add(self.instances[o.inst].date)
