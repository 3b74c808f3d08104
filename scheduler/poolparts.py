"""LNS parts over the whole horizon of a pool of interchangeable agents (issue 15, item 2).

On the three-queue case with a 22:00-06:00 night (benchmarks/README.md, "The night case"), the
shortage the search leaves sits where a better roster needs a chain of moves across days: one
more agent on the night before the sale day means one fewer on that day's early shift (rest
11 h), which another agent must take, who then has a day too many in the week, and so on.
The other kinds of part (`scheduler.lns`) free every option of a few agents (`agents`: about
six agents' weeks) or of a few days: a chain over tens of agents does not fit in them.

A `pool` part frees, for many agents of one pool (agents that no rule or objective term can tell
apart: `scheduler.bound.agent_groups`, the LP's pools), their whole horizon with a few options
per day: the option each works now, and `per_shift` random options (patterns) of every other
shift (instance and queue) it may work that day. So about 7-20 options per agent-day instead of
about 75, and 20-40 agents' weeks in one part: the pool's members can trade their nights, days
off and queues among themselves and with the rest of the roster as it stands.

Like every part it is only a set of free options: `scheduler.parts` builds its model with every
rule and cap of the full model, so nothing here decides a rule.
"""

from __future__ import annotations

import numpy as np

from scheduler.partdraw import few_per_shift, fill, shift_ids


class PoolParts:
    """Draws `pool` parts over the free options of `scheduler.lns.Neighbourhoods` (the same
    order: `agent`, `day`, `queue` arrays and the options' instances `inst`)."""

    def __init__(self, agent: np.ndarray, inst: np.ndarray, queue: np.ndarray, n_queues: int,
                 pools: list[np.ndarray]):
        self.agent, self.queue = agent, queue
        self.shift = shift_ids(agent, inst, queue, n_queues)  # the shift an option belongs to
        self.n_agents = int(agent.max()) + 1 if len(agent) else 0
        # each pool's members with a free option (one absent all week, fully locked or outside a
        # repair's neighbourhood has none), pools with any, and the queues each may serve
        kept = (p[np.isin(p, agent)] for p in pools)
        self.pools = [p for p in kept if len(p)]
        self.serves = np.zeros((len(self.pools), max(1, n_queues)), dtype=bool)
        for k, p in enumerate(self.pools):
            self.serves[k, np.unique(queue[np.isin(agent, p)])] = True

    def pick_pool(self, rng: np.random.Generator, queue: int | None) -> int:
        """A pool that serves `queue` (any pool when None), in proportion to its head-count."""
        ok = np.ones(len(self.pools), dtype=bool) if queue is None else self.serves[:, queue]
        if not ok.any():
            ok[:] = True
        sizes = np.array([len(p) for p in self.pools], dtype=float) * ok
        return int(rng.choice(len(self.pools), p=sizes / sizes.sum()))

    def mask(self, on: np.ndarray, rng: np.random.Generator, size: int, pool: int, per_shift: int,
             queue: int | None = None) -> np.ndarray:
        """A part of about `size` free options: for the members of `pool` (shuffled), then other
        agents who serve `queue` (shuffled), each over the whole horizon, the option it works now
        and `per_shift` random options of every shift (instance and queue) it may work. `on`:
        the options' values in the current roster."""
        offered = np.zeros(len(self.agent), dtype=bool)
        offered[few_per_shift(rng, np.arange(len(self.shift)), self.shift, per_shift)] = True
        offered |= on > 0
        members = self.pools[pool]
        others = np.unique(self.agent[self.queue == queue]) if queue is not None else np.unique(self.agent)
        others = np.setdiff1d(others, members)
        agents = np.concatenate([rng.permutation(members), rng.permutation(others)])
        per_agent = np.bincount(self.agent[offered], minlength=self.n_agents)[agents]
        return offered & np.isin(self.agent, fill(agents, per_agent, size))

    @classmethod
    def of(cls, rm, opts, agent: np.ndarray, queue: np.ndarray) -> PoolParts | None:
        """For the free options `opts` of `rm` (in the neighbourhoods' order); None when no pool
        has two members (nothing interchangeable to trade)."""
        from scheduler.bound import agent_groups

        index = {a.employee_id: k for k, a in enumerate(rm.agents)}
        pools = [np.array(sorted(index[e] for e in g.ids if e in index), dtype=np.int64)
                 for g in agent_groups(rm.scenario)]
        if not opts or max((len(p) for p in pools), default=0) < 2:
            return None
        inst = np.array([o.inst for o in opts], dtype=np.int64)
        return cls(agent, inst, queue, len(rm.scenario.config.queue_ids), pools)
