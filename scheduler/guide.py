"""LP-guided search: the pooled LP's primal solution as a guide for the roster (issue 15).

The LP of `scheduler.bound` (per pool of identical agents, shift instance and queue: how many of
the pool work it, x, and how many of them work each of its slots, w) has a shortage within about
0.5 % of the integer bound on the benchmark cases, where the search's rosters end 3-9 % above it.
Its primal solution says, per pool, which shifts the agents of that pool should work and on
which queue: a shift mix a greedy roster built slot by slot does not find. This module reads it:

- `lp_plan(rm)`: the run's one LP (`scheduler.pricing.solved_lp`: overflow weighted above
  shortage, PDLP with an iteration limit, so one scenario always gets the same plan under any
  load), its primal point read back (`scheduler.bound.primal_counts`) as head-counts per (pool,
  instance, queue) and the pools' members as model agents;
- `guided_roster(rm, plan)`: a legal roster that follows the plan: instance by instance in time
  order, each column's rounded head-count is given to the pool's members who fit it (every rule
  of the model is asked, `scheduler.warmstart.Greedy`), each with the pattern that buys most
  service; then the classic lazy greedy fills what the rounding left.

Nothing here decides a rule or a bound: the roster is the model's own options, checked by the
model's greedy checks, and only a start for the tiers' search (which keeps it only when it is
better). Units: head-counts in agents.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from scheduler.bound import primal_counts
from scheduler.model import Option, RosterModel
from scheduler.pricing import ITERATIONS, solved_lp
from scheduler.warmstart import Greedy


@dataclass
class Plan:
    """The LP's head-counts: (pool, instance, queue) -> agents (fractional), and each pool's
    members as model agent indices."""

    counts: dict[tuple[int, int, str], float] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)
    pool_of: dict[int, int] = field(default_factory=dict)  # model agent -> pool
    status: str = ""
    iterations: int = 0  # PDLP's iterations (limit) when the plan solved the LP itself; else 0
    nonzeros: int = 0    # the LP's constraint matrix, then
    variables: int = 0

    @property
    def charge_s(self) -> float:
        """What building and solving the LP costs, in deterministic seconds (one-worker runs
        count it against their limit): fitted on the demo and 100 agents x 7 days (CPU seconds,
        under load): 1e-8 s per PDLP iteration and nonzero, 1e-4 s per LP variable built."""
        return 1e-8 * self.iterations * self.nonzeros + 1e-4 * self.variables


def lp_plan(rm: RosterModel) -> Plan | None:
    """The pooled LP's primal solution, or None when it has nothing to say (no demand, or a grid
    whose instances are not the model's). The run's one LP (`scheduler.pricing.solved_lp`:
    built and solved once per model, for pricing, this plan and the closing bound); when
    pricing has not solved it yet, it is solved here and its work is charged (`Plan.charge_s`)."""
    fresh = getattr(rm, "bound_lp", None) is None
    built = solved_lp(rm)
    counts = primal_counts(built)
    lp = built.lp
    if counts is None or len(lp.grid.instances) != len(rm.instances):
        return None
    index = {a.employee_id: k for k, a in enumerate(rm.agents)}
    plan = Plan(status=built.point.reason if built.point is not None else "")
    if fresh and built.proto is not None:
        plan.iterations = ITERATIONS
        plan.nonzeros = sum(len(k.var_index) for k in built.proto.constraint)
        plan.variables = len(built.proto.variable)
    for gi, g in enumerate(lp.groups):
        plan.members[gi] = [index[e] for e in g.ids if e in index]
        for a in plan.members[gi]:
            plan.pool_of[a] = gi
    for (gi, i, q), v in counts.items():
        if lp.grid.instances[i].first_slot != rm.instances[i].first_slot:
            return None
        if v > 1e-3:
            plan.counts[(gi, i, q)] = v
    return plan


def _rounded(plan: Plan) -> dict[tuple[int, int, str], int]:
    """Whole head-counts per column, each rounded alone. (Per pool and date by largest
    remainders was tried: on the demo and a three-queue case it placed shifts on the LP's small
    fractions and left more overflow than the greedy roster.)"""
    return {key: int(v + 0.5) for key, v in plan.counts.items()}


def guided_roster(rm: RosterModel, plan: Plan, info: dict | None = None) -> list[Option]:
    """A legal roster (its options) that follows the plan's rounded head-counts, then filled by
    the lazy greedy (see the module docstring)."""
    greedy = Greedy(rm)
    for o in rm.options:
        if o.fixed is not None:
            greedy.take(o)
    free = [o for o in rm.options if o.fixed is None]
    for check in greedy.checks:
        check.first(greedy, free)
    taken_agent_date: set[tuple[int, object]] = {(o.agent, rm.instances[o.inst].date) for o in greedy.chosen}
    shifts: dict[int, int] = defaultdict(int)  # agent -> shifts given so far (members take turns)
    for o in greedy.chosen:
        shifts[o.agent] += 1
    rounded = _rounded(plan)
    for o in greedy.chosen:  # what the rules placed first (leads) counts against the plan
        key = (plan.pool_of.get(o.agent, -1), o.inst, o.queue)
        if rounded.get(key, 0) > 0:
            rounded[key] -= 1
    by_inst: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
    for (gi, i, q), v in plan.counts.items():
        by_inst[i].append((gi, q, v))
    order = sorted(by_inst, key=lambda i: (rm.instances[i].first_slot, i))
    for i in order:
        date = rm.instances[i].date
        # the largest head-counts first: their rounding matters most
        for gi, q, _v in sorted(by_inst[i], key=lambda c: -c[2]):
            want = rounded.get((gi, i, q), 0)
            if want <= 0:
                continue
            members = sorted(plan.members.get(gi, []), key=lambda a: (shifts[a], a))
            for a in members:
                if want <= 0:
                    break
                if (a, date) in taken_agent_date:
                    continue
                offered = [o for o in rm.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q]
                best = None
                for o in sorted(offered, key=greedy.gain, reverse=True):
                    if greedy.fits(o):
                        best = o
                        break
                if best is None:
                    continue
                greedy.take(best)
                taken_agent_date.add((a, date))
                shifts[a] += 1
                want -= 1
    if info is not None:
        info["placed"] = len(greedy.chosen)
        info["wanted"] = sum(rounded.values())
    greedy.lazy(free)
    return greedy.chosen


def guided_start(rm: RosterModel, greedy_values: list[int], tiers: list, notes: list[str],
                 rivals: list[list[int]] | None = None) -> tuple[list[int], Plan | None]:
    """The better first roster (a value per model variable), tier by tier, of the greedy one
    (`greedy_values`) and the one that follows the LP's plan, and the plan; a note says which.
    The LP's roster when it is not kept but better from the second tier on goes to `rivals`
    (the first tier's search may mend its first tier: `SolveParams.rival_share`)."""
    t0 = time.monotonic()
    plan = lp_plan(rm)
    if plan is None:
        return greedy_values, None
    chosen = guided_roster(rm, plan)
    hint = rm.complete_hint({id(o) for o in chosen})
    values = [hint.get(k, 0) for k in range(len(rm.m.proto.variables))]
    mine = [t.value(values) for t in tiers]
    theirs = [t.value(greedy_values) for t in tiers]
    better = mine < theirs
    if tiers:
        notes.append(f"first roster from the LP's plan: {tiers[0].name} {mine[0] * tiers[0].to_user:,.2f} against the "
                     f"greedy's {theirs[0] * tiers[0].to_user:,.2f} ({'kept' if better else 'not kept'}; "
                     f"{time.monotonic() - t0:.1f} s)")
    if not better and rivals is not None and mine[1:] < theirs[1:]:
        rivals.append(values)
    return (values if better else greedy_values), plan


class PlanView:
    """The plan against a roster, for LNS parts (`scheduler.lns`, kind "lp"): per column (pool,
    instance, queue) the LP's head-count and the roster's, over the model's free options."""

    def __init__(self, rm: RosterModel, plan: Plan, agent: np.ndarray, day: np.ndarray, options: list[Option]):
        keys: dict[tuple[int, int, str], int] = {}
        col = np.empty(len(options), dtype=np.int64)
        for k, o in enumerate(options):
            col[k] = keys.setdefault((plan.pool_of.get(o.agent, -1), o.inst, o.queue), len(keys))
        self.col = col
        self.lp = np.zeros(len(keys))
        self.col_day = np.zeros(len(keys), dtype=np.int64)
        self.col_pool = np.zeros(len(keys), dtype=np.int64)
        for (g, i, q), c in keys.items():
            self.lp[c] = plan.counts.get((g, i, q), 0.0)
            self.col_pool[c] = g
        self.col_day[col] = day
        self.n_days = int(day.max()) + 1 if len(day) else 1
        self.members = plan.members
        self.n_pools = max(plan.members, default=-1) + 1

    def pick(self, chosen: np.ndarray, rng: np.random.Generator, width: int) -> tuple[int, int, np.ndarray]:
        """Days d0..d1 and agents to free first: a window of `width` days drawn in proportion to
        how far the roster's head-counts there are from the plan's, and the members of the pools
        that differ most there (drawn by that difference), in order."""
        roster = np.bincount(self.col, weights=chosen.astype(float), minlength=len(self.lp))
        off = np.abs(roster - self.lp)
        per_day = np.bincount(self.col_day, weights=off, minlength=self.n_days)
        width = min(width, self.n_days)
        windows = np.convolve(per_day, np.ones(width), mode="valid")
        if windows.sum() <= 0:
            d0 = int(rng.integers(len(windows)))
        else:
            d0 = int(rng.choice(len(windows), p=windows / windows.sum()))
        d1 = d0 + width - 1
        inside = (self.col_day >= d0) & (self.col_day <= d1) & (self.col_pool >= 0)
        per_pool = np.bincount(self.col_pool[inside], weights=off[inside], minlength=max(1, self.n_pools))
        pools = np.flatnonzero(per_pool > 1e-6)
        # pools by their difference, at random (weighted: key u ** (1 / weight), largest first)
        keys = rng.random(len(pools)) ** (1.0 / per_pool[pools])
        first: list[int] = []
        for g in pools[np.argsort(-keys)]:
            first.extend(rng.permutation(self.members.get(int(g), [])).tolist())
        return d0, d1, np.array(first, dtype=np.int64)
