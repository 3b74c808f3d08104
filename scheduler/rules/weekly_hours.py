"""SPEC 3, rule 2: worked hours in each 7-day block from `start` <= the agent's max_hours_week.
Hours are counted where they are worked: a night shift across a block boundary is split; with
--previous, the part of a previous shift worked after `start` counts in the first block."""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.model import Option, RosterModel
    from scheduler.scenario import Agent, Rules


def block_slots(slot_minutes: int) -> int:
    """Slots in a 7-day block."""
    return 7 * 24 * 60 // slot_minutes


def cap_slots(agent: Agent, rules: Rules, slot_minutes: int) -> int:
    """The agent's weekly cap in whole slots (an agent works whole slots only)."""
    hours = agent.max_hours_week if agent.max_hours_week is not None else rules.max_hours_week
    return int(hours * 60 / slot_minutes + 1e-9)


class MaxHoursPerWeek(Rule):
    name = "weekly_hours"

    def add(self, rm: RosterModel) -> None:
        block = block_slots(rm.grid.slot_minutes)
        per: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
        counted: dict[tuple[int, ...], dict[int, int]] = {}  # options of one instance share their slots
        for o in rm.options:
            counts = counted.get(o.worked)
            if counts is None:
                counts = counted[o.worked] = defaultdict(int)
                for t in o.worked:
                    counts[t // block] += 1
            for b, c in counts.items():
                vs, cs = per[(o.agent, b)]
                vs.append(o.var)
                cs.append(c)
        for (a, b), (vs, cs) in per.items():
            cap = cap_slots(rm.agents[a], rm.rules, rm.grid.slot_minutes)
            if b == 0:
                cap -= rm.history.first_block_slots.get(rm.agents[a].employee_id, 0)
            if sum(cs) > cap:
                rm.m.add(LinearExpr.weighted_sum(vs, cs) <= cap)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Hours(rm)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        cap = cap_slots(pool.agent, lp.rules, lp.grid.slot_minutes)
        block = block_slots(lp.grid.slot_minutes)

        def most(mine: set[int], b: int) -> int:
            """The most slots of block b a member with these instances can be on shift (one
            shift per date): what an absent member's own days allow."""
            best: dict = defaultdict(int)
            for i in mine:
                inst = lp.grid.instances[i]
                best[inst.date] = max(best[inst.date], sum(1 for t in inst.slots if t // block == b))
            return sum(best.values())

        for b, ws in pool.week_terms.items():
            if len(ws) > cap:
                # named, so that pricing (scheduler.pricing) can read its dual
                lp.solver.Add(lp.solver.Sum(ws) <= pool.room(cap, partial(most, b=b)), f"week_{pool.index}_{b}")


class _Hours(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.block = block_slots(rm.grid.slot_minutes)
        self.cap = [cap_slots(a, rm.rules, rm.grid.slot_minutes) for a in rm.agents]
        self.used: list[dict[int, int]] = [defaultdict(int, {0: rm.history.first_block_slots.get(a.employee_id, 0)})
                                           for a in rm.agents]

    def fits(self, o: Option) -> bool:
        counts: dict[int, int] = defaultdict(int)
        for t in o.worked:
            counts[t // self.block] += 1
        used, cap = self.used[o.agent], self.cap[o.agent]
        return all(used[b] + c <= cap for b, c in counts.items())

    def take(self, o: Option) -> None:
        used = self.used[o.agent]
        for t in o.worked:
            used[t // self.block] += 1
