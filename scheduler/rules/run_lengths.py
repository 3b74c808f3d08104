"""SPEC 3, rule 3: no run of worked slots longer than max_continuous_hours, and no run of worked
high-load slots longer than max_continuous_high_load_hours. Inside a shift the rule shapes the
work/break patterns the model offers (`scheduler.patterns`); runs never join across two shifts
because the model keeps a slot between them (`scheduler.rules.rest`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.grid import Grid, ShiftInstance
from scheduler.patterns import Pattern, is_legal, maximal_patterns
from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP
    from scheduler.model import RosterModel
    from scheduler.scenario import Rules


def limits(rules: Rules, slot_minutes: int) -> tuple[int, int]:
    """The two run limits in whole slots."""
    return (int(rules.max_continuous_hours * 60 / slot_minutes + 1e-9),
            int(rules.max_continuous_high_load_hours * 60 / slot_minutes + 1e-9))


def patterns(grid: Grid, rules: Rules, inst: ShiftInstance) -> list[Pattern]:
    """The maximal legal work/break patterns of a shift instance (empty: none is legal)."""
    return maximal_patterns([grid.high_load[t] for t in inst.slots], *limits(rules, grid.slot_minutes))


def legal(grid: Grid, rules: Rules, inst: ShiftInstance, worked: tuple[int, ...]) -> bool:
    """Is this set of worked slots (absolute indices) a legal pattern of the instance?"""
    if any(t not in inst.slots for t in worked):
        return False
    chosen = set(worked)
    pattern = tuple(t in chosen for t in inst.slots)
    return is_legal(pattern, [grid.high_load[t] for t in inst.slots], *limits(rules, grid.slot_minutes))


class RunLengths(Rule):
    name = "continuous_hours"

    def add(self, rm: RosterModel) -> None:
        return None  # every option's pattern keeps the rule (see `patterns`)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return GreedyCheck()

    def bound_shift(self, lp: BoundLP, slots: list[int], worked: list, shift) -> None:
        """Every window one slot longer than a limit holds a break. The windows are intervals,
        so for one agent this is exactly the hull of all legal patterns, not only maximal ones."""
        max_run, max_hl = limits(lp.rules, lp.grid.slot_minutes)
        high = lp.grid.high_load
        n = len(slots)
        windows = [(s, max_run) for s in range(n - max_run)] if max_run < n else []
        if max_hl < n:
            windows += [(s, max_hl) for s in range(n - max_hl)
                        if all(high[slots[k]] for k in range(s, s + max_hl + 1))]
        for s, limit in windows:  # sum(worked[s .. s + limit]) <= limit * shift, built row by row (fast)
            row = lp.solver.Constraint(-lp.solver.infinity(), 0)
            for v in worked[s:s + limit + 1]:
                row.SetCoefficient(v, row.GetCoefficient(v) + 1)
            row.SetCoefficient(shift, row.GetCoefficient(shift) - limit)
