"""Large-neighbourhood search (LNS) over a roster model, one objective tier at a time (issue 4).

CP-SAT on the whole model finds a good roster quickly on small cases but stalls on large ones
(400 agents x 14 days: shortage twice its lower bound after 120 s, while the pooled integer
bound sits within 0.5 % of the LP's, so the distance is the roster's). LNS keeps the current
roster, frees a small part of it and lets CP-SAT re-solve that part exactly, with the rest
fixed; an improvement is kept, and the next part is freed. The parts follow the structure of a
roster:

- `slot`: the days around a slot and queue that still miss service (chosen in proportion to
  what it misses), for the agents who can serve that queue first;
- `days`: one to three consecutive days, for a random set of agents;
- `agents`: the whole horizon of a random set of agents who share a queue (their working days
  can move, which a window of days cannot do).

The size of a part (free shift options) adapts: it grows while parts are solved to optimality
quickly and shrinks when they are not. Which kind is drawn adapts too: each kind in proportion
to what it gained per second lately (adaptive LNS), none less than about MIN_SHARE.
Every part is a model of its free variables only (`scheduler.parts`): every constraint that
touches them, with the rest of the roster in as constants, so every hard rule and every cap of
the tiers above holds in it unchanged; a part can only return a roster at least as good as the
current one (it is given as a complete hint).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from scheduler.model import RosterModel, Tier
from scheduler.parts import Parts

LNS_MIN_OPTIONS = 3000      # smaller models: CP-SAT on the whole model does as well
LNS_FIRST_SHARE = 0.3       # at most this share of a tier's time for LNS before CP-SAT on the whole model
INITIAL_SIZE = 800          # free options in the first part
# time limit of one sub-solve (deterministic units with one worker). 0.2 s since the sub-solves'
# stronger LP (SUB_PARAMS): on 800 agents x 14 days, shortage after 120 s 596.1 instead of
# 608.3; 400 x 14, 342.6 / 342.0 instead of 345.8; 200 x 14 x 3 queues (60 s) 673.3 / 666.6
# instead of 671.1 (one run each per seed, two workers)
SUB_LIMIT_S = 0.2
MAX_LANES = 4               # parts solved at once, at most (one per worker)
# CP-SAT parameters of every sub-solve. Replayed on 194 parts saved from a run on 200 agents x
# 14 days x 3 queues (0.1 s each, one worker): the default parameters solved 91 to optimality
# and gained 1.1e8 (the weighted goal), linearization_level 2 (the LP relaxation of every
# constraint, cuts included) solved 168 and gained 3.9e8, and with one presolve pass 174 and
# 4.3e8. On 334 parts of 400 x 14: 80 -> 216 solved, 0.5e8 -> 14e8 gained. Parts are small, so
# the stronger LP pays for itself; one presolve pass leaves time for search (the default
# presolve sometimes found no solution at all in 0.1 s, not even the hint)
SUB_PARAMS = {"linearization_level": 2, "max_presolve_iterations": 1}
# what a part is charged with one worker (deterministic seconds, so a run repeats exactly):
# DTIME_WALL per second of CP-SAT's deterministic time, plus a fixed charge per part and per
# constraint term read to build it, which CP-SAT's clock does not count. Fitted on the 145 parts
# of one 400 x 14 run (--time-limit 30 --workers 1, sub-solves with SUB_PARAMS): wall = 1.99 x
# deterministic time + 0.072 s per part (the full LP's work counts little on CP-SAT's clock).
# Before the fit (1 x, 0.04 s) that run's parts took 45.7 s of wall for 24.3 s charged
DTIME_WALL = 2.0
PART_OVERHEAD_S = 0.07
PART_OVERHEAD_PER_TERM = 2e-7
DEBUG = bool(os.environ.get("SCHEDULER_LNS_DEBUG"))
# check every part's roster against every constraint of the full model (tests set it)
CHECK_PARTS = bool(os.environ.get("SCHEDULER_LNS_CHECK"))
KINDS = ("slot", "days", "agents")
KIND_WEIGHTS = (0.5, 0.25, 0.25)  # slot parts aim where service is missing: half of the draws
# adaptive draws (as in adaptive LNS): once each kind has been tried WARM_UP times, a kind is
# drawn in proportion to its recent gain per second (a moving average, RATE_MEMORY parts
# long), its share raised to MIN_SHARE when below (before the shares are normalised again, so
# a kind at the floor gets about 9 % of the draws). Measured on 400 agents x 14 days: in the last
# third of the shortage tier, days parts gained 0.1 agent-hours in 86 parts, slot parts 8.7 in 185
WARM_UP = 10
RATE_MEMORY = 20
MIN_SHARE = 0.1


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    start: float = 0.0        # the tier's value (user units) before and after
    end: float = 0.0
    seconds: float = 0.0
    charged_s: float = 0.0    # one worker: deterministic seconds charged to the budget (CP-SAT's, plus each part's load)
    by_kind: Counter = field(default_factory=Counter)   # improvements per kind of part
    skipped: str = ""         # why no part was tried

    def describe(self, tier: str, unit: str) -> str:
        if self.skipped:
            return f"{tier}: large-neighbourhood search skipped: {self.skipped}"
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())) or "none"
        return (f"{tier}: large-neighbourhood search, {self.iterations} parts re-solved in {self.seconds:.1f} s, "
                f"{self.improvements} better in this tier or the next ({kinds}); {tier} "
                f"{self.start:,.2f} -> {self.end:,.2f} {unit}")


class Neighbourhoods:
    """Draws parts of the roster to free: a mask over the model's free options."""

    def __init__(self, rm: RosterModel, seed: int):
        opts = [o for o in rm.options if o.fixed is None]
        day_index = {d: n for n, d in enumerate(rm.grid.dates)}
        queues = {q: k for k, q in enumerate(rm.scenario.config.queue_ids)}
        self.var = np.array([o.var.index for o in opts], dtype=np.int64)
        self.agent = np.array([o.agent for o in opts], dtype=np.int64)
        self.day = np.array([day_index[rm.instances[o.inst].date] for o in opts], dtype=np.int64)
        self.queue = np.array([queues[o.queue] for o in opts], dtype=np.int64)
        self.n_agents, self.n_days = len(rm.agents), len(rm.grid.dates)
        self.queues = queues
        # options per agent and day, and the agents who serve each queue
        self.count = np.zeros((self.n_agents, self.n_days), dtype=np.int64)
        np.add.at(self.count, (self.agent, self.day), 1)
        self.serves = [np.unique(self.agent[self.queue == k]) for k in range(len(queues))]
        # the days that have free options (a repair frees only a few): `days` parts draw there
        active = np.flatnonzero(self.count.sum(axis=0) > 0)
        self.first_day, self.last_day = (int(active[0]), int(active[-1])) if len(active) else (0, 0)
        self.slot_day = [min(day_index.get(rm.grid.slot_start(t).date(), 0), self.n_days - 1)
                         for t in range(rm.grid.n_slots)]
        self.rng = np.random.default_rng(seed)
        self.sizes = {k: INITIAL_SIZE for k in KINDS}  # each kind of part adapts its own size
        self.size = INITIAL_SIZE  # the size of the part being drawn
        self.tried = {k: 0 for k in KINDS}
        self.rate = {k: 0.0 for k in KINDS}  # recent gain per second of each kind of part

    @property
    def n_options(self) -> int:
        return len(self.var)

    def _fill(self, first: np.ndarray, d0: int, d1: int) -> np.ndarray:
        """Agents, `first` ones first (shuffled), then the others, until the part holds about
        `size` options in days d0..d1; returns the chosen agents."""
        rest = np.setdiff1d(np.arange(self.n_agents), first)
        order = np.concatenate([self.rng.permutation(first), self.rng.permutation(rest)])
        per_agent = self.count[order, d0:d1 + 1].sum(axis=1)
        n = int(np.searchsorted(np.cumsum(per_agent), self.size, side="right")) + 1
        return order[:max(1, n)]

    def weights(self, kinds: tuple[str, ...]) -> np.ndarray:
        """How often to draw each of `kinds` (the kinds of part this tier and roster allow)."""
        prior = np.array([KIND_WEIGHTS[KINDS.index(k)] for k in kinds], dtype=float)
        if prior.sum() <= 0:
            return prior  # every kind allowed here is switched off: the caller draws days
        rates = np.array([self.rate[k] for k in kinds])
        if any(self.tried[k] < WARM_UP for k, w in zip(kinds, prior) if w > 0) or rates.max() <= 0:
            return prior / prior.sum()
        # a kind the caller switched off (weight 0) stays off
        w = np.where(prior > 0, np.maximum(rates / rates.sum(), MIN_SHARE), 0.0)
        return w / w.sum()

    def pick(self, tier: Tier, values: list[int]) -> tuple[str, np.ndarray]:
        missing = np.array([values[x.index] * c if not isinstance(x, int) else 0
                            for x, c in zip(tier.items, tier.coeffs)], dtype=float) if tier.where else None
        kinds = KINDS if missing is not None and missing.sum() > 0 else tuple(k for k in KINDS if k != "slot")
        w = self.weights(kinds)
        kind = kinds[int(self.rng.choice(len(kinds), p=w))] if w.sum() > 0 else "days"
        self.size = self.sizes[kind]
        if kind == "slot":
            t, q = tier.where[int(self.rng.choice(len(missing), p=missing / missing.sum()))]
            c = self.slot_day[t]
            d0 = max(0, c - int(self.rng.integers(2)))
            d1 = min(self.n_days - 1, c + int(self.rng.integers(2)))
            agents = self._fill(self.serves[self.queues[q]], d0, d1)
        if kind == "days":
            w = int(self.rng.integers(1, 4))
            d0 = self.first_day + int(self.rng.integers(max(1, self.last_day - self.first_day - w + 2)))
            d1 = min(self.last_day, d0 + w - 1)
            agents = self._fill(np.array([], dtype=np.int64), d0, d1)
        if kind == "agents":
            d0, d1 = 0, self.n_days - 1
            agents = self._fill(self.serves[int(self.rng.integers(len(self.serves)))], d0, d1)
        mask = np.isin(self.agent, agents) & (self.day >= d0) & (self.day <= d1)
        return kind, mask

    def adapt(self, kind: str, solved: bool, gain: float = 0.0, seconds: float = 0.0) -> None:
        """A part of this kind was solved to optimality (grow its parts) or not (shrink them),
        and gained `gain` (in the goal's units) in `seconds`."""
        self.sizes[kind] = int(min(self.n_options, max(200, self.sizes[kind] * (1.25 if solved else 0.8))))
        self.tried[kind] += 1
        alpha = 1.0 / min(self.tried[kind], RATE_MEMORY)
        self.rate[kind] += alpha * (gain / max(seconds, 1e-3) - self.rate[kind])


def parts_of(rm: RosterModel) -> Parts:
    """The model's flat constraints, read once per model (later caps are read as they come)."""
    if getattr(rm, "_parts", None) is None:
        rm._parts = Parts(rm)
    return rm._parts


def _weighted(goal: list[tuple[Tier, int]]) -> tuple[np.ndarray, np.ndarray]:
    """sum(weight * tier) as (variable indices, coefficients), one entry per variable."""
    index, coeffs = [], []
    for t, w in goal:
        for x, c in zip(t.items, t.coeffs):
            if not isinstance(x, int):
                index.append(x.index)
                coeffs.append(w * c)
    merged: dict[int, int] = {}
    for i, c in zip(index, coeffs):
        merged[i] = merged.get(i, 0) + c
    return np.array(list(merged), dtype=np.int64), np.array(list(merged.values()), dtype=np.int64)


def improve(rm: RosterModel, goal: list[tuple[Tier, int]], solution: list[int], budget_s: float, *,
            workers: int, seed: int, deterministic: bool, stop: Callable[[], bool],
            search: Callable[[cp_model.CpSolver, cp_model.CpModel], int],
            until: Callable[[list[int]], bool] | None = None,
            on_improve: Callable[[list[int]], None] | None = None) -> tuple[list[int], LnsStats]:
    """Improve `solution` (a value per model variable) for the objective sum(weight * tier) of
    `goal` (the first tier is the one being minimised, the others break its ties) for `budget_s`
    seconds (deterministic seconds when `deterministic`), or until `until(solution)` holds.
    Every hard rule and every cap already added to `rm.m` holds in each part. `search(solver,
    model)` runs one sub-solve and returns its status (in a thread, so Ctrl-C is heard).

    With several workers and wall-clock time, `lanes` draw and solve parts at once, each with
    one CP-SAT worker (measured on 100 agents: a part gains as much with one worker as with
    two). A lane's part was drawn from the roster current when it started; if another lane
    moved the roster meanwhile, the part's changed shift options are put into the new roster
    and kept when that still keeps every constraint and is no worse. Returns the best solution
    and what the search did."""
    tier = goal[0][0]
    hoods = Neighbourhoods(rm, seed)
    stats = LnsStats(start=tier.value(solution) * tier.to_user)

    parts = parts_of(rm)
    objective = _weighted(goal)

    def goal_value(values: np.ndarray) -> int:
        """sum(weight * tier) of a roster, less the tiers' constants (the same for every roster)."""
        return int(np.dot(values[objective[0]], objective[1]))

    values = np.asarray(solution, dtype=np.int64)
    best = goal_value(values)
    t0 = time.monotonic()
    broken = parts.violations(values)
    if broken:
        # a part keeps everything outside it as it is, so it needs a roster that keeps every
        # rule (a repair whose fixed past breaks one has none): CP-SAT on the whole model says why
        stats.end = stats.start
        stats.skipped = f"the roster at hand breaks {len(broken)} constraint(s) of the model"
        return solution, stats
    lanes = 1 if deterministic else max(1, min(workers, MAX_LANES))
    per_part = max(1, workers // lanes)
    lock = threading.Lock()
    # spent: seconds, or deterministic seconds; totals: parts.totals(values), kept up to date
    state = {"spent": 0.0, "values": values, "solution": solution, "best": best, "totals": parts.totals(values)}
    failures: list[BaseException] = []  # a lane that failed: the others stop after their part

    def lane(number: int) -> None:
        """Draw a part of the current roster, solve it, keep what it gains; until time is up."""
        while True:
            with lock:
                left = budget_s - state["spent"]
                if left < 0.2 or failures or stop() or (until and until(state["solution"])):
                    return
                base, totals, solution_now = state["values"], state["totals"], state["solution"]
                kind, mask = hoods.pick(tier, solution_now)
                size = hoods.size
                iteration = stats.iterations
                stats.iterations += 1
            t_part = time.monotonic()
            sub, free_vars, terms = parts.build(hoods.var[mask], base, objective, totals)
            solver = cp_model.CpSolver()
            limit = min(SUB_LIMIT_S, left)
            if deterministic:
                solver.parameters.max_deterministic_time = limit
                solver.parameters.max_time_in_seconds = 10 * limit + 10
            else:
                solver.parameters.max_time_in_seconds = limit
            solver.parameters.num_workers = per_part
            for name, value in SUB_PARAMS.items():
                setattr(solver.parameters, name, value)
            solver.parameters.random_seed = seed + iteration
            solver.parameters.catch_sigint_signal = False
            t_sub = time.monotonic()
            status = search(solver, sub)
            took = time.monotonic() - t_sub
            candidate = None
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = np.asarray(solver.response_proto.solution, dtype=np.int64)
                if not np.array_equal(found, base[free_vars]):  # the part as it was gains nothing
                    candidate = base.copy()
                    candidate[free_vars] = found
                    _check(parts, candidate, iteration)
            with lock:
                if deterministic:
                    took = solver.response_proto.deterministic_time
                    # scaled, plus the charges CP-SAT's clock does not count (see DTIME_WALL):
                    # it bounds the wall time of a one-worker run, deterministically
                    part_s = DTIME_WALL * took + PART_OVERHEAD_S + PART_OVERHEAD_PER_TERM * terms
                    state["spent"] += part_s
                    stats.charged_s = state["spent"]
                else:
                    state["spent"] = time.monotonic() - t0
                    part_s = time.monotonic() - t_part
                if candidate is not None and state["values"] is not base:
                    # another lane moved the roster meanwhile: put this part's changes into it
                    candidate = _merge(parts, state["values"], base, candidate, hoods.var)
                value = None if candidate is None else goal_value(candidate)
                hoods.adapt(kind, status == cp_model.OPTIMAL, 0 if value is None else max(0, state["best"] - value),
                            part_s)
                if candidate is not None:
                    if value < state["best"]:
                        stats.improvements += 1
                        stats.by_kind[kind] += 1
                    if value <= state["best"]:  # equal rosters are taken too: the search moves across plateaus
                        better = value < state["best"]
                        state.update(best=value, values=candidate, solution=candidate.tolist(),
                                     totals=parts.shift_totals(state["totals"], state["values"], candidate))
                        if better and on_improve:
                            on_improve(state["solution"])
                if DEBUG:
                    print(f"lns {tier.name} {iteration + 1} {kind} size {size} free {int(mask.sum())} "
                          f"vars {len(free_vars)} terms {terms} {solver.status_name(status)} {took:.2f}s "
                          f"value {tier.value(state['solution']) * tier.to_user:.2f} moved {candidate is not None} "
                          f"build {t_sub - t_part:.3f} wall {time.monotonic() - t_part:.3f}", file=sys.stderr)

    if lanes == 1:
        lane(0)  # in this thread: one worker stays deterministic
    else:
        def guarded(k: int) -> None:
            try:
                lane(k)
            except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
                with lock:
                    failures.append(exc)

        threads = [threading.Thread(target=guarded, args=(k,), daemon=True) for k in range(lanes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
    solution = state["solution"]
    stats.seconds = time.monotonic() - t0
    stats.end = tier.value(solution) * tier.to_user
    return solution, stats


def _merge(parts: Parts, current: np.ndarray, base: np.ndarray, other: np.ndarray,
           options: np.ndarray) -> np.ndarray | None:
    """`current` with the shift options that `other` changed from `base` changed likewise, and
    the helpers that follow from them recomputed; None unless that keeps every constraint."""
    changed = options[other[options] != base[options]]
    if len(changed) == 0:
        return None
    merged = current.copy()
    merged[changed] = other[changed]
    merged, moved = parts.recompute_helpers(merged, changed, current)
    # `current` keeps every constraint, so only those the changed variables appear in can break
    if parts.violations(merged, near=moved):
        return None
    return merged


def _check(parts: Parts, values: np.ndarray, iteration: int) -> None:
    if CHECK_PARTS:
        broken = parts.violations(values)
        if broken:
            raise AssertionError(f"LNS part {iteration} broke constraints {broken[:5]} of the roster model")
