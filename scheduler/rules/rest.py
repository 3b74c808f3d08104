"""SPEC 3, rule 2: rest between two shifts of an agent >= min_rest_hours; with --previous (rule 6)
also after the previous roster's shifts (`RosterModel.history`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations
from typing import TYPE_CHECKING

from scheduler.grid import Grid, ShiftInstance
from scheduler.rules.base import GreedyCheck, Rule, members_share

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.model import Option, RosterModel


def model_rest(rm: RosterModel) -> dt.timedelta:
    """The model keeps at least one slot between two shifts of an agent, so runs never join."""
    return dt.timedelta(minutes=max(rm.rules.min_rest_hours * 60, rm.grid.slot_minutes))


class RestBetweenShifts(Rule):
    name = "rest"

    def add(self, rm: RosterModel) -> None:
        """No two shifts of an agent closer than the rest (overlapping ones included)."""
        rest = model_rest(rm)
        for a, insts in rm.agent_instances().items():
            eid = rm.agents[a].employee_id
            for i in insts:  # too soon after (or overlapping) a shift of the previous roster
                s, e = rm.instance_span(a, i)
                if not rm.history.rest_ok(eid, s, e, rest):
                    rm.m.add(rm.on[(a, i)] == 0)
            spans = sorted((rm.instance_span(a, i), i) for i in insts)
            for x, ((_s1, e1), i) in enumerate(spans):
                for (s2, _e2), j in spans[x + 1:]:
                    if s2 >= e1 + rest:
                        break
                    if rm.instances[i].date != rm.instances[j].date:  # same date: one_shift_per_date
                        rm.m.add_at_most_one([rm.on[(a, i)], rm.on[(a, j)]])

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Spans(rm)

    def bound_setup(self, lp: BoundLP) -> None:
        # exactly the rule (the model also keeps a slot between shifts; the bound need not)
        self.cliques = rest_cliques(lp.grid, dt.timedelta(minutes=lp.rules.min_rest_hours * 60))

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        for c in self.cliques:
            cs = [i for i in c if i in pool.on]
            if len({lp.grid.instances[i].date for i in cs}) > 1:
                lp.solver.Add(lp.solver.Sum([pool.on[i] for i in cs])
                              <= pool.room(1, members_share(cs)))


class _Spans(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.rest = model_rest(rm)
        self.spans: list[list[tuple[dt.datetime, dt.datetime]]] = [list(rm.history.spans.get(a.employee_id, ()))
                                                                   for a in rm.agents]

    def fits(self, o: Option) -> bool:
        s, e = self.rm.option_span(o)
        rest = self.rest
        return all(s >= e2 + rest or s2 >= e + rest for s2, e2 in self.spans[o.agent])

    def take(self, o: Option) -> None:
        self.spans[o.agent].append(self.rm.option_span(o))


def too_close(a: ShiftInstance, b: ShiftInstance, rest: dt.timedelta) -> bool:
    """One agent cannot work both: they overlap, or the later starts less than `rest` after the
    earlier ends."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return second.start < first.end + rest


def rest_cliques(grid: Grid, rest: dt.timedelta) -> list[list[int]]:
    """Sets of instances of which one agent can work at most one, by the rest rule (plus one
    shift per date). Each set is instances of one date and of one later date: for a set A of
    one date and B of a later date whose every pair is closer than the rest, sum over A u B <= 1."""
    by_date: dict[dt.date, list[ShiftInstance]] = defaultdict(list)
    for inst in grid.instances:
        by_date[inst.date].append(inst)

    out: list[list[int]] = []
    dates = sorted(by_date)
    for n, d in enumerate(dates):
        for d2 in dates[n + 1:]:
            today, later = by_date[d], by_date[d2]
            if not any(too_close(a, b, rest) for a in today for b in later):
                continue
            found: list[tuple[frozenset, frozenset]] = []
            for r in range(len(today), 0, -1):
                for A in combinations(today, r):
                    B = [b for b in later if all(too_close(a, b, rest) for a in A)]
                    if not B:
                        continue
                    sa, sb = frozenset(x.index for x in A), frozenset(x.index for x in B)
                    if any(sa <= fa and sb <= fb for fa, fb in found):
                        continue
                    found.append((sa, sb))
            out.extend(sorted(sa | sb) for sa, sb in found)
    return out
