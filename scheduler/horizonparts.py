"""LNS parts that pair the agents who could cover a short slot with the part-timers who could
take their other nights and evenings, over the whole horizon (issue 15 item 1).

On 400 agents x 14 days at 15 minutes the shortage the search leaves sits in the sale day's
midnight hour and evening (benchmarks/README.md, "The sale day's shift mix against the LP's"):
the regular pre-sales agents who could work the sale night cannot, because they work the evening
before (11 h of rest) or have used their nights of the week, and the pooled LP frees them by
giving the flex pools (part-timers, 32 h a week) nights and late shifts on other dates, which the
roster gives them almost never (47 nights against 1 over two weeks). That move is a chain over
the horizon between two groups that no other kind of part holds together: `chain` parts free up
to a week around the slot for the agents who serve its queue, `pool` parts one pool's members,
and the after-sales part-timers serve neither the slot's queue nor its pool.

A `horizon` part frees, over days d0..d1 (by default the whole horizon), for agents drawn in
turn from two lists: (a) those who could work the short slot on its queue and do not now, and
(b) the part-timers (kind flex, or weekly hours below the rules'), of any queue; then the others
who serve the queue. Each gets, every day, the option worked now, `per_shift` patterns of every
other shift it may work, and as many patterns of each shift on the slot's queue that work the
slot. So a part of a few thousand options holds tens of agents' whole horizons, half of them
part-timers who can take the nights and evenings the others leave.

Like every part it is only a set of free options: `scheduler.parts` builds its model with every
rule and cap of the full model, so nothing here decides a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scheduler.chainparts import ChainParts
from scheduler.fitpatterns import offer
from scheduler.partdraw import fill, longest_shift


class HorizonParts(ChainParts):
    """Draws `horizon` parts over the free options of `scheduler.lns.Neighbourhoods` (the same
    order: `agent`, `day`, `queue` and instance `inst` arrays; `worked`, each option's worked
    slots); `part_time`: the agents who are part-timers. Who could cover a slot is read as chain
    parts read it (`ChainParts.coverers`)."""

    def __init__(self, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, inst: np.ndarray,
                 n_queues: int, inst_slots: Sequence[range], worked: Sequence[tuple[int, ...]],
                 part_time: np.ndarray):
        super().__init__(agent, day, queue, inst, n_queues, inst_slots, worked)
        self.part_time = np.intersect1d(part_time, np.unique(agent))  # those with a free option

    def order(self, on: np.ndarray, rng: np.random.Generator, slot: int, queue: int,
              serves: np.ndarray, d0: int, d1: int) -> tuple[np.ndarray, np.ndarray]:
        """The agents in the order they join a part (see the module docstring), and the options
        on `queue` in days d0..d1 that work `slot`."""
        window = (self.day >= d0) & (self.day <= d1)
        slot_opts, could, now = self.coverers(on, window, slot, queue)
        first = rng.permutation(np.setdiff1d(could, now))
        second = rng.permutation(np.setdiff1d(self.part_time, first))
        # in turn: one who could cover the slot, one part-timer, ...
        n = min(len(first), len(second))
        turns = np.empty(2 * n, dtype=np.int64)
        turns[0::2], turns[1::2] = first[:n], second[:n]
        head = np.concatenate([turns, first[n:], second[n:]])
        rest = rng.permutation(np.setdiff1d(np.setdiff1d(serves, head), now))
        return np.concatenate([head, rest]).astype(np.int64), slot_opts

    def mask(self, on: np.ndarray, rng: np.random.Generator, size: int, d0: int, d1: int, slot: int,
             queue: int, per_shift: int, serves: np.ndarray,
             fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """A part of about `size` free options in days d0..d1: `on` holds the options' values in
        the current roster, `serves` the agents who can serve `queue`. With `fit` the patterns
        offered are the best-scoring ones (`scheduler.fitpatterns`), not random ones."""
        order, slot_opts = self.order(on, rng, slot, queue, serves, d0, d1)
        window = (self.day >= d0) & (self.day <= d1)
        # enough candidates for the part (each has at least one option a day it may work), so
        # that the patterns are drawn among a few agents' options only
        n_cand = min(len(order), size // max(1, d1 - d0 + 1) + 2)
        cand = window & np.isin(self.agent, order[:n_cand])
        offered = np.zeros(len(self.agent), dtype=bool)
        if per_shift > 0:
            offered[offer(rng, np.flatnonzero(cand), self.shift, per_shift, fit)] = True
        offered |= cand & (on > 0)
        mine = slot_opts[np.isin(self.agent[slot_opts], order[:n_cand])]
        offered[offer(rng, mine, self.shift, max(1, per_shift), fit)] = True
        if not offered.any():
            return offered
        chosen = order[:n_cand]
        per_agent = np.bincount(self.agent[offered], minlength=self.n_agents)[chosen]
        return offered & np.isin(self.agent, fill(chosen, per_agent, size))

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, params) -> HorizonParts | None:
        """For the free options `opts` of `rm` (in the neighbourhoods' order); None when the
        model's shifts are too short for this kind (`params.horizon_min_slots_per_shift`) or no
        agent with a free option is a part-timer."""
        if longest_shift(rm) < params.horizon_min_slots_per_shift or not opts:
            return None
        week = rm.scenario.config.rules.max_hours_week
        part_time = np.array([k for k, a in enumerate(rm.agents) if a.kind == "flex"
                              or (a.max_hours_week is not None and a.max_hours_week < week)], dtype=np.int64)
        if not np.isin(part_time, agent).any():
            return None
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        return cls(agent, day, queue, inst, len(rm.scenario.config.queue_ids), [i.slots for i in rm.instances],
                   [o.worked for o in opts], part_time)
