"""LNS parts that reach a short slot through a chain of shift swaps over several days (issue 15).

At 15-minute slots the shortage a roster keeps often sits in a slot that only one shift can
work, and agents can take that shift only by leaving a shift of the day before (rest hours) or
another working day of the week (consecutive days, weekly hours, nights): on 100 agents x 7
days the LP puts 31 agents on the sale day's night shift where rosters put 24, though CP-SAT on
the whole model asked about that hour alone finds a roster with no shortage there
(benchmarks/README.md, "Where the 15-minute gap sits"). Each move is a chain: an agent leaves
the day before for the night, another covers the shift left, and so on, over tens of agents and
several days. Parts of every pattern free about eight agent-days; a `shifts` part frees one to
four days. A `chain` part frees, for many agents, every day of a window of up to a week around
the short slot, but only a few options per agent and day: the option worked now, `per_shift`
random patterns of every other shift it may work, and as many patterns that work the short
slot itself for each shift on its queue that spans it. Agents who could work that slot on its
queue and do not now come first (they are the ones to move), then the others who serve the
queue, then everyone else.

Like every part it is only a set of free options: `scheduler.parts` builds its model with every
rule and cap of the full model, so nothing here decides a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scheduler.fitpatterns import offer
from scheduler.partdraw import fill, longest_shift, shift_ids


class ChainParts:
    """Draws `chain` parts over the free options of `scheduler.lns.Neighbourhoods` (the same
    order: `agent`, `day`, `queue` and instance `inst` arrays; `worked`, each option's worked
    slots)."""

    def __init__(self, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, inst: np.ndarray,
                 n_queues: int, inst_slots: Sequence[range], worked: Sequence[tuple[int, ...]]):
        self.agent, self.day, self.queue, self.inst = agent, day, queue, inst
        self.shift = shift_ids(agent, inst, queue, n_queues)  # the shift an option belongs to
        self.inst_lo = np.array([r.start for r in inst_slots], dtype=np.int64)
        self.inst_hi = np.array([r.stop for r in inst_slots], dtype=np.int64)
        self.worked = worked
        self.n_agents = int(agent.max()) + 1 if len(agent) else 0

    def coverers(self, on: np.ndarray, window: np.ndarray, slot: int, queue: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Of the options in `window` (a mask), those on `queue` whose patterns work `slot`; the
        agents who could work it so, and those of them who do now (`on`: the options' values)."""
        spans = window & (self.queue == queue) & (self.inst_lo[self.inst] <= slot) & (slot < self.inst_hi[self.inst])
        idx = np.flatnonzero(spans)
        works = np.fromiter((slot in self.worked[k] for k in idx.tolist()), dtype=bool, count=len(idx))
        could = np.unique(self.agent[idx[works]])
        now = np.unique(self.agent[idx[works & (on[idx] > 0)]])
        return idx[works], could, now

    def _offer(self, rng: np.random.Generator, idx: np.ndarray, per_shift: int,
               fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """Of the options `idx`, `per_shift` per shift (agent, instance, queue): drawn at random,
        or the best-scoring ones with `fit` (options -> scores, `scheduler.fitpatterns`)."""
        if not len(idx) or per_shift <= 0:
            return idx[:0]
        return offer(rng, idx, self.shift, per_shift, fit)

    def mask(self, on: np.ndarray, rng: np.random.Generator, size: int, d0: int, d1: int, slot: int,
             queue: int, per_shift: int, serves: np.ndarray,
             fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """A part of about `size` free options in days d0..d1 (see the module docstring): `on`
        holds the options' values in the current roster, `serves` the agents who can serve
        `queue`. Empty only when no option lies in the window (or `per_shift` is 0 and nobody works
        there): the caller then draws a slot part. With `fit` the patterns offered are the
        best-scoring ones (`scheduler.fitpatterns`), not random ones."""
        window = (self.day >= d0) & (self.day <= d1)
        offered = np.zeros(len(self.agent), dtype=bool)
        offered[self._offer(rng, np.flatnonzero(window), per_shift, fit)] = True
        offered |= window & (on > 0)
        slot_opts, could, now = self.coverers(on, window, slot, queue)
        offered[self._offer(rng, slot_opts, max(1, per_shift), fit)] = True
        if not offered.any():
            return offered
        # who could work the slot on the queue and does not now, then who serves the queue, then the rest
        rank = np.full(self.n_agents, 2)
        rank[serves] = 1
        rank[np.setdiff1d(could, now)] = 0
        agents = np.unique(self.agent[offered])
        order = np.concatenate([rng.permutation(agents[rank[agents] == r]) for r in range(3)])
        per_agent = np.bincount(self.agent[offered], minlength=self.n_agents)[order]
        return offered & np.isin(self.agent, fill(order, per_agent, size))

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, params) -> ChainParts | None:
        """For the free options `opts` of `rm` (in the neighbourhoods' order); None when the
        model's shifts are too short for this kind (`params.chain_min_slots_per_shift`)."""
        if longest_shift(rm) < params.chain_min_slots_per_shift or not opts:
            return None
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        return cls(agent, day, queue, inst, len(rm.scenario.config.queue_ids), [i.slots for i in rm.instances],
                   [o.worked for o in opts])
