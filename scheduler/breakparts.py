"""LNS parts that move only breaks: many agents keep their shift and queue, and choose again
where in it they take their breaks (issue 15).

At 15-minute slots a shift has about 100 options per agent-day (instances x queues x the
maximal work/break patterns of `scheduler.patterns`), so the other kinds of part
(`scheduler.lns`) free about eight agent-days at a time: too few to shift the breaks of the
dozens of agents who work a short slot, which is how a roster at 15 minutes mends most of its
shortage (benchmarks/README.md, "Parts that move breaks"). A `breaks` part frees, for the agents
it holds, only the options of the shift instance and queue each works now: every one of that
shift's patterns, and nothing else, so about 24 options per agent-day and many agents per part.

Like every part it is only a set of free options: `scheduler.parts` builds its model with every
rule and cap of the full model, so nothing here decides a rule.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scheduler.fitpatterns import offer
from scheduler.partdraw import fill, long_shifts, shift_ids


class BreakParts:
    """Draws `breaks` parts over the free options of `scheduler.lns.Neighbourhoods` (the same
    order: `agent`, `day`, `queue` arrays and the options' instances `inst`)."""

    def __init__(self, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, inst: np.ndarray,
                 n_queues: int, slots_of: list[range]):
        self.agent, self.day = agent, day
        self.shift = shift_ids(agent, inst, queue, n_queues)  # the shift an option belongs to
        self.inst, self.queue = inst, queue
        self.slots_of = slots_of  # instance -> its slots

    def mask(self, on: np.ndarray, rng: np.random.Generator, size: int, d0: int, d1: int,
             slot: int | None = None, queue: int | None = None) -> np.ndarray:
        """A part of about `size` free options: every option of the shift (instance and queue)
        that each chosen agent works now (`on`: the options' values in the current roster) in
        days d0..d1. Agents who work `slot` on `queue` come first, then the others who work that
        queue in the window, then everyone else, each group shuffled."""
        window = (self.day >= d0) & (self.day <= d1)
        worked = np.unique(self.shift[(on > 0) & window])
        mine = window & np.isin(self.shift, worked)
        if not mine.any():
            return mine
        agents = np.unique(self.agent[mine])
        rank = np.full(len(agents), 2)
        if queue is not None:
            on_queue = np.unique(self.agent[mine & (self.queue == queue)])
            rank[np.isin(agents, on_queue)] = 1
            if slot is not None:
                here = mine & (self.queue == queue) & (on > 0)
                covers = np.array([slot in self.slots_of[i] for i in self.inst[here].tolist()], dtype=bool)
                rank[np.isin(agents, np.unique(self.agent[here][covers]))] = 0
        order = np.concatenate([rng.permutation(agents[rank == r]) for r in range(3)])
        per_agent = np.bincount(self.agent[mine], minlength=int(self.agent.max()) + 1)[order]
        return mine & np.isin(self.agent, fill(order, per_agent, size))

    def shifts_mask(self, on: np.ndarray, rng: np.random.Generator, size: int, d0: int, d1: int,
                    first: np.ndarray, per_shift: int,
                    fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """A part of about `size` free options that moves whole shifts of many agents: for each
        chosen agent and day in d0..d1, the option it works now and `per_shift` options (drawn at
        random) of every other shift (instance and queue) it may work, so the part holds about
        ten options per agent-day instead of every pattern of every shift. Agents in `first`
        (e.g. those who can serve a short queue) come first, shuffled, then the others. With
        `fit` (options -> scores, `scheduler.fitpatterns`) the best-scoring patterns of each
        shift are offered instead of random ones."""
        window = (self.day >= d0) & (self.day <= d1)
        idx = np.flatnonzero(window)
        if not len(idx):
            return window
        offered = np.zeros(len(self.agent), dtype=bool)
        offered[offer(rng, idx, self.shift, per_shift, fit)] = True
        offered |= window & (on > 0)
        agents = np.unique(self.agent[offered])
        lead = np.intersect1d(agents, first)
        order_a = np.concatenate([rng.permutation(lead), rng.permutation(np.setdiff1d(agents, lead))])
        per_agent = np.bincount(self.agent[offered], minlength=int(self.agent.max()) + 1)[order_a]
        return offered & np.isin(self.agent, fill(order_a, per_agent, size))

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, params) -> BreakParts | None:
        """For the free options `opts` of `rm` (in the neighbourhoods' order); None when the
        model's shifts are too short for breaks to matter (`params.break_min_slots_per_shift`)."""
        if not long_shifts(rm, params):
            return None
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        return cls(agent, day, queue, inst, len(rm.scenario.config.queue_ids), [i.slots for i in rm.instances])
