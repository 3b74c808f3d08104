"""LNS parts over one whole date for every agent, on the shifts the LP's point uses there
(issue 15 item 1).

On 400 agents x 14 days at 15 minutes the roster's whole distance to the LP's point sits on the
sale day, in its shift mix (benchmarks/README.md, "Where the 15-minute gap sits"): every other
part kind frees a few agents, or many agents with few shifts each, and none reaches the LP's mix,
which moves dozens of agents' shifts on that date at once. A `day` part frees every agent on one
date (drawn by the service the roster misses there), with only the options of the columns (pool
of interchangeable agents, shift instance, queue) the LP's point staffs that date, `day_patterns`
patterns of each, and the option each agent works now: a few options per agent, so the part
holds the whole date and CP-SAT can re-choose its shift mix in one solve.

Like every part it is only a set of free options: `scheduler.parts` builds its model with every
rule and cap of the full model (the other dates stay fixed, so each agent's weekly hours, rest and
consecutive days hold against them), so nothing here decides a rule.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scheduler.fitpatterns import best_per_shift
from scheduler.partdraw import few_per_shift, shift_ids


class DayParts:
    """Draws `day` parts over the free options of `scheduler.lns.Neighbourhoods` (the same order:
    `agent`, `day`, `queue`, `inst` arrays; `column_lp` the LP's head-count of each option's
    column)."""

    def __init__(self, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, inst: np.ndarray,
                 n_queues: int, column_lp: np.ndarray, least: float):
        self.agent, self.day = agent, day
        self.shift = shift_ids(agent, inst, queue, n_queues)
        self.in_lp = column_lp >= least  # the options of columns the LP's point staffs

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, plan, least: float) -> DayParts:
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        column_lp = np.array([plan.counts.get((plan.pool_of.get(o.agent, -1), o.inst, o.queue), 0.0) for o in opts])
        return cls(agent, day, queue, inst, len(rm.scenario.config.queue_ids), column_lp, least)

    def mask(self, on: np.ndarray, rng: np.random.Generator, d: int, per_shift: int,
             fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """Every agent on date `d`: the option it works now (`on`: the options' values in the
        current roster) and `per_shift` options of each shift (instance and queue) of a column
        the LP staffs, drawn at random, or the best-scoring ones with `fit` (options -> scores,
        `scheduler.fitpatterns`)."""
        window = self.day == d
        idx = np.flatnonzero(window & self.in_lp)
        mask = np.zeros(len(self.agent), dtype=bool)
        if len(idx):
            mask[few_per_shift(rng, idx, self.shift, per_shift) if fit is None
                 else best_per_shift(rng, idx, self.shift, fit(idx), per_shift)] = True
        mask |= window & (on > 0)
        return mask
