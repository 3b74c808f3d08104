"""LNS parts for the night exchange: one more agent on a night that misses service, paid for by
a shift of that day or of the next morning (issue 15, item 2).

On the three-queue, 30-minute case with a 22:00-06:00 night (benchmarks/README.md, "Which side
holds the night case's gap", "Why the night case's break band"), what the search leaves against
the LP sits on the sale nights: the roster puts 13-16 pre-sales agents on N of 11-11, the LP
about 20. An agent who could take that night works the sale day itself (E, L or P), or E of the
next day (11 h of rest), or is off between two nights. So one more agent on the night is always
an exchange: the agent leaves a shift of the night's date or of the next day, and somebody else
takes that shift over (an agent off that day, or one who leaves a shift that matters less).
`chain` parts (`scheduler.chainparts`) reach that move only by chance: up to a week of days and
a random pattern of every shift, so only a few agents fit in a part.

A `night` part (in models with a night shift that crosses midnight) picks a slot of such a night
that misses service (in proportion to what it
misses; any short slot when no night slot does), and frees, for many agents, the night's date
and the next (and, at random, the day before) with few options per agent-day:

- the option each agent works now;
- for every shift (instance and queue) somebody works now in that window, one of the patterns
  worked there now (so agents can take over each other's shifts as they are);
- `per_night` patterns of each night shift on the short slot's queue that work that slot.

Agents who could work the slot on its queue and do not now come first (the ones to move), then
the others who serve the queue, then everyone else. Like every part it is only a set of free
options: `scheduler.parts` builds its model with every rule and cap of the full model, so nothing
here decides a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from scheduler.partdraw import few_per_shift, fill, longest_shift, shift_ids


class NightParts:
    """Draws `night` parts over the free options of `scheduler.lns.Neighbourhoods` (the same
    order: `agent`, `day`, `queue` and instance `inst` arrays; `worked`, each option's worked
    slots; `night`, whether each instance is a night shift; `n_slots`, the grid's slots)."""

    def __init__(self, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, inst: np.ndarray,
                 n_queues: int, inst_slots: Sequence[range], night: Sequence[bool],
                 worked: Sequence[tuple[int, ...]], n_slots: int):
        self.agent, self.day, self.queue, self.inst = agent, day, queue, inst
        self.shift = shift_ids(agent, inst, queue, n_queues)  # the shift an option belongs to
        self.n_agents = int(agent.max()) + 1 if len(agent) else 0
        self.worked = worked
        # a pattern of a shift, the same for every agent: (instance, queue, worked slots)
        index: dict[tuple[int, ...], int] = {}
        pid = np.fromiter((index.setdefault(w, len(index)) for w in worked), dtype=np.int64, count=len(worked))
        self.key = (inst * max(1, n_queues) + queue) * max(1, len(index)) + pid
        self.night_inst = np.array(night, dtype=bool)
        self.inst_lo = np.array([r.start for r in inst_slots], dtype=np.int64)
        self.inst_hi = np.array([r.stop for r in inst_slots], dtype=np.int64)
        # the slots a night shift spans (a short slot there is what this kind mends)
        self.night_slot = np.zeros(n_slots, dtype=bool)
        for r, n in zip(inst_slots, night):
            if n:
                self.night_slot[max(0, r.start):max(0, min(n_slots, r.stop))] = True

    def slot_weights(self, slots: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """What the roster misses at each (slot, queue) entry, only where a night shift works the
        slot; all of it when no night slot misses anything."""
        night = missing * self.night_slot[slots]
        return night if night.sum() > 0 else missing

    def mask(self, on: np.ndarray, rng: np.random.Generator, size: int, d0: int, d1: int, slot: int,
             queue: int, per_night: int, serves: np.ndarray) -> np.ndarray:
        """A part of about `size` free options in days d0..d1 (see the module docstring): `on`
        holds the options' values in the current roster, `serves` the agents who can serve
        `queue`. Empty only when no option lies in the window."""
        window = (self.day >= d0) & (self.day <= d1)
        now = window & (on > 0)
        # each shift worked now in the window, as somebody works it: one such pattern per agent's shift
        taken = window & np.isin(self.key, np.unique(self.key[now]))
        offered = now.copy()
        offered[few_per_shift(rng, np.flatnonzero(taken), self.shift, 1)] = True
        # the night shifts on this queue that work the slot
        spans = window & (self.queue == queue) & self.night_inst[self.inst] \
            & (self.inst_lo[self.inst] <= slot) & (slot < self.inst_hi[self.inst])
        idx = np.flatnonzero(spans)
        works = idx[np.fromiter((slot in self.worked[k] for k in idx.tolist()), dtype=bool, count=len(idx))]
        offered[few_per_shift(rng, works, self.shift, max(1, per_night))] = True
        if not offered.any():
            return offered
        could = np.unique(self.agent[works])
        doing = np.unique(self.agent[works[on[works] > 0]])
        rank = np.full(self.n_agents, 2)
        rank[serves] = 1
        rank[np.setdiff1d(could, doing)] = 0
        agents = np.unique(self.agent[offered])
        order = np.concatenate([rng.permutation(agents[rank[agents] == r]) for r in range(3)])
        per_agent = np.bincount(self.agent[offered], minlength=self.n_agents)[order]
        return offered & np.isin(self.agent, fill(order, per_agent, size))

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, day: np.ndarray, queue: np.ndarray, params) -> NightParts | None:
        """For the free options `opts` of `rm` (in the neighbourhoods' order); None when the
        model has no night shift that crosses midnight (the exchange with the next morning's
        shifts is this kind's move) or its shifts are too short for this kind
        (`params.chain_min_slots_per_shift`, the threshold of `chain` parts)."""
        night = [crosses_midnight(i) for i in rm.instances]
        if not opts or longest_shift(rm) < params.chain_min_slots_per_shift or not any(night):
            return None
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        return cls(agent, day, queue, inst, len(rm.scenario.config.queue_ids), [i.slots for i in rm.instances],
                   night, [o.worked for o in opts], rm.grid.n_slots)


def crosses_midnight(inst) -> bool:
    """Whether a shift instance is a night shift that works past the midnight after its start
    (22:00-06:00 does, 00:00-08:00 does not)."""
    return bool(inst.night) and (inst.end - dt.timedelta(microseconds=1)).date() > inst.start.date()
