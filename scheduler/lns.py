"""Large-neighbourhood search (LNS) over a roster model, one objective tier at a time (issue 4).

CP-SAT on the whole model finds a good roster quickly on small cases but stalls on large ones
(benchmarks/README.md: the distance to the bound is the roster's, not the bound's). LNS keeps the current
roster, frees a small part of it and lets CP-SAT re-solve that part exactly, with the rest
fixed; an improvement is kept, and the next part is freed. The parts follow the structure of a
roster:

- `slot`: the days around a slot and queue that still miss service (chosen in proportion to
  what it misses), for the agents who can serve that queue first;
- `days`: one to three consecutive days, for a random set of agents;
- `agents`: the whole horizon of a random set of agents who share a queue, drawn in proportion
  to the service the roster misses in it (their working days can move, which a window of days
  cannot do);
- `breaks` and `shifts` (models whose longest shift has at least `break_min_slots_per_shift`
  slots: 15-minute slots, `scheduler.breakparts`): many agents around a
  slot that misses service, each with only the patterns of its current shift, or its current
  option and a few patterns of each other shift;
- `chain` (models whose longest shift has at least `chain_min_slots_per_shift` slots,
  `scheduler.chainparts`): many agents over up to a week around a
  slot that misses service, each day with the option worked now and a few patterns of every
  other shift, who could work that slot first: a chain of shift swaps fits in one part;
- `pool` (off unless `pool_weight` > 0, `scheduler.poolparts`): many members of one pool of
  interchangeable agents over the whole horizon, a few options per day;
- `horizon` (models whose longest shift has at least `horizon_min_slots_per_shift` slots, with
  part-timers; `scheduler.horizonparts`): around a slot that misses service, agents who could
  work it and do not, in turn with part-timers, over the whole horizon, a few options per day.

The size of a part (free shift options) adapts: it grows while parts are solved to optimality
quickly and shrinks when they are not. Which kind is drawn adapts too: each kind in proportion
to what it gained per second lately (adaptive LNS), none less than about `min_share`.
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
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from scheduler.model import RosterModel, Tier
from scheduler.params import DEFAULT_PARAMS, SolveParams
from scheduler.partdraw import fill
from scheduler.parts import Parts

if TYPE_CHECKING:  # scheduler.guide imports the LP's solvers: only runs that read the plan need them
    from scheduler.guide import Plan

DEBUG = bool(os.environ.get("SCHEDULER_LNS_DEBUG"))
# check every part's roster against every constraint of the full model (tests set it)
CHECK_PARTS = bool(os.environ.get("SCHEDULER_LNS_CHECK"))
KINDS = ("slot", "days", "agents")  # the kinds of part, in the order of SolveParams.kind_weights
# with the LP's plan (scheduler.guide): parts where the roster's head-counts differ from it
GUIDED = "lp"
# parts that keep each agent's shift and queue and move its breaks (scheduler.breakparts)
BREAKS = "breaks"
# parts that move whole shifts of many agents, a few patterns per shift (scheduler.breakparts)
SHIFTS = "shifts"
# parts that move the shifts of many agents over up to a week around a short slot (scheduler.chainparts)
CHAIN = "chain"
# parts over the whole horizon of many interchangeable agents, a few options per day (scheduler.poolparts)
POOL = "pool"
# parts that pair who could cover a short slot with part-timers, over the horizon (scheduler.horizonparts)
HORIZON = "horizon"
ALL_KINDS = (*KINDS, GUIDED, BREAKS, SHIFTS, CHAIN, POOL, HORIZON)
# how the roster of a search beside the parts (`Beside`) was adopted: as it is (the roster did
# not move meanwhile), or into the moved roster, or in place of it
ADOPTED = ("as it is", "its agents' whole schedules into the moved roster",
           "its changed options into the moved roster", "whole, the moved roster's own gains lost")


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    start: float = 0.0        # the tier's value (user units) before and after
    end: float = 0.0
    seconds: float = 0.0
    charged_s: float = 0.0    # one worker: deterministic seconds charged (CP-SAT's, plus each part's load)
    by_kind: Counter = field(default_factory=Counter)   # improvements per kind of part
    skipped: str = ""         # why no part was tried
    stalled: bool = False     # ended early: the first tier gained too little lately (`Stall`)

    def describe(self, tier: str, unit: str) -> str:
        if self.skipped:
            return f"{tier}: large-neighbourhood search skipped: {self.skipped}"
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())) or "none"
        return (f"{tier}: large-neighbourhood search, {self.iterations} parts re-solved in {self.seconds:.1f} s, "
                f"{self.improvements} better in this tier or the next ({kinds}); {tier} "
                f"{self.start:,.2f} -> {self.end:,.2f} {unit}"
                + ("; ended early, too little gained in this tier lately: its time passes on" if self.stalled else ""))


@dataclass
class Stall:
    """An LNS ends once its first tier gained `min_gain` (a share of its value) or less in the
    last `window` seconds (deterministic seconds with one worker) of the tier's search. `trail`
    is that search's (seconds, raw value) of the first tier so far, from earlier LNS runs too
    (`offset`: the tier's seconds before this run); the run adds its own improvements."""

    window: float
    min_gain: float
    trail: list[tuple[float, int]]
    offset: float = 0.0

    def gained(self, now: float) -> float | None:
        """What the tier gained in the window before `now` (a share of its value), or None
        before a whole window has passed."""
        return recent_gain(self.trail, now, self.window)

    def over(self, now: float) -> bool:
        g = self.gained(now)
        return g is not None and g <= self.min_gain


def recent_gain(trail: list[tuple[float, int]], now: float, window: float) -> float | None:
    """The relative gain over the `window` seconds before `now` of a trail of (seconds, value),
    values falling, or None when the trail does not reach that far back."""
    if not trail or now < window or trail[0][0] > now - window:
        return None
    then = next(v for t, v in reversed(trail) if t <= now - window)
    last = trail[-1][1]
    return (then - last) / max(abs(last), 1)


@dataclass
class Beside:
    """A search of its own that one lane of a several-worker LNS runs beside the parts (the
    whole-schedule recombination master, `scheduler.recombine`), `rounds` times at most, one
    after the other: the first once `after_s` seconds of the LNS are gone, each later one only
    while the LNS has at least as many seconds left as the one before took. `task(values,
    seconds, stop)` gets the roster at hand (a value per model variable), the seconds the LNS has
    left and a `stop()` that turns true once the LNS is over (its goal reached, a lane failed,
    Ctrl-C): it should return soon after. It returns a roster, or None. Its roster is adopted
    under the lock as it is, or, when the parts moved the roster meanwhile, as the better of: the
    agents whose options it changed taking their whole schedules from it into the moved roster,
    its changed options merged into the moved roster (`merge_changes`), itself whole; only when
    one of them keeps every constraint and is no worse in the LNS's goal. A task that raises
    (Ctrl-C aside) costs its round, not the search: a note says so. `notes` are the rounds'
    notes, in order: what `task` adds of its own, then a note of what became of its roster (none
    when it returned none)."""

    name: str
    task: Callable[[np.ndarray, float, Callable[[], bool]], np.ndarray | None]
    after_s: float
    rounds: int = 1
    notes: list[str] = field(default_factory=list)
    done: int = 0  # rounds run
    busy: bool = False
    last_s: float = 0.0  # the seconds the last round took

    def due(self, spent: float, left: float) -> bool:
        """Is a round to start, `spent` seconds into the LNS with `left` to go?"""
        return (not self.busy and self.done < self.rounds and spent >= self.after_s
                and (self.done == 0 or left >= self.last_s))


class Neighbourhoods:
    """Draws parts of the roster to free: a mask over the model's free options."""

    def __init__(self, rm: RosterModel, seed: int, params: SolveParams = DEFAULT_PARAMS,
                 plan: Plan | None = None):
        self.params = params
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
        # per slot, the first and last day of the instances that work it: a 22:00-06:00 night
        # works the next date's early slots, so a slot part there frees the night's own date too
        own = [min(day_index.get(rm.grid.slot_start(t).date(), 0), self.n_days - 1) for t in range(rm.grid.n_slots)]
        self.slot_days = [(d, d) for d in own]
        for inst in rm.instances:
            d = day_index[inst.date]
            for t in inst.slots:
                if 0 <= t < rm.grid.n_slots and d < self.slot_days[t][0]:
                    self.slot_days[t] = (d, self.slot_days[t][1])
        self.rng = np.random.default_rng(seed)
        self.sizes = {k: params.initial_size for k in ALL_KINDS}  # each kind of part adapts its own size
        self.size = params.initial_size  # the size of the part being drawn
        self.tried = {k: 0 for k in ALL_KINDS}
        self.rate = {k: 0.0 for k in ALL_KINDS}  # recent gain per second of each kind of part
        # each kind's last rate_memory parts: (gain, seconds)
        self.recent: dict[str, deque[tuple[float, float]]] = {k: deque(maxlen=params.rate_memory) for k in ALL_KINDS}
        self.breaks = None
        if (params.break_weight > 0 or params.shift_weight > 0) and opts:
            from scheduler.breakparts import BreakParts
            self.breaks = BreakParts.of(rm, opts, self.agent, self.day, self.queue, params)
        self.chains = None
        if params.chain_weight > 0 and opts:
            from scheduler.chainparts import ChainParts
            self.chains = ChainParts.of(rm, opts, self.agent, self.day, self.queue, params)
        self.fit = None  # scores of patterns where service is missed (SolveParams.fit_patterns)
        if params.fit_patterns and (self.breaks is not None or self.chains is not None):
            from scheduler.fitpatterns import PatternFit
            self.fit = PatternFit([o.worked for o in opts], self.queue, rm.grid.n_slots, len(queues))
        self.pools = None
        if params.pool_weight > 0 and opts:
            from scheduler.poolparts import PoolParts
            self.pools = PoolParts.of(rm, opts, self.agent, self.queue)
        self.horizon = None
        if params.horizon_weight > 0 and opts:
            from scheduler.horizonparts import HorizonParts
            self.horizon = HorizonParts.of(rm, opts, self.agent, self.day, self.queue, params)
        self.plan = None
        if plan is not None and params.lp_weight > 0:
            from scheduler.guide import PlanView
            self.plan = PlanView(rm, plan, self.agent, self.day, opts)

    @property
    def n_options(self) -> int:
        return len(self.var)

    def _fill(self, first: np.ndarray, d0: int, d1: int, ordered: bool = False) -> np.ndarray:
        """Agents, `first` ones first (shuffled, or in their order when `ordered`), then the
        others, until the part holds about `size` options in days d0..d1; returns the chosen agents."""
        rest = np.setdiff1d(np.arange(self.n_agents), first)
        order = np.concatenate([first if ordered else self.rng.permutation(first), self.rng.permutation(rest)])
        return fill(order, self.count[order, d0:d1 + 1].sum(axis=1), self.size)

    def weights(self, kinds: tuple[str, ...]) -> np.ndarray:
        """How often to draw each of `kinds` (the kinds of part this tier and roster allow)."""
        p = self.params
        prior = np.array([p.kind_weights[KINDS.index(k)] if k in KINDS else p.lp_weight if k == GUIDED
                          else p.break_weight if k == BREAKS else p.chain_weight if k == CHAIN
                          else p.pool_weight if k == POOL else p.horizon_weight if k == HORIZON
                          else p.shift_weight for k in kinds], dtype=float)
        if prior.sum() <= 0:
            return prior  # every kind allowed here is switched off: the caller draws days
        rates = np.array([self.rate[k] for k in kinds])
        if any(self.tried[k] < p.warm_up for k, w in zip(kinds, prior) if w > 0) or rates.max() <= 0:
            return prior / prior.sum()
        # a kind the caller switched off (weight 0) stays off
        w = np.where(prior > 0, np.maximum(rates / rates.sum(), p.min_share), 0.0)
        return w / w.sum()

    def pick(self, tier: Tier, values: np.ndarray | list[int]) -> tuple[str, np.ndarray]:
        """A kind of part of the roster `values` (a value per model variable: a list, or a
        numpy array as LNS keeps it) and its mask over the free options."""
        values = np.asarray(values, dtype=np.int64)
        where = tier.where
        missing = tier.item_values(values) if where else None
        short = missing is not None and missing.sum() > 0  # the tier misses service somewhere
        kinds = KINDS if short else tuple(k for k in KINDS if k != "slot")
        if self.plan is not None:
            kinds = (*kinds, GUIDED)
        if self.breaks is not None and short:
            kinds = (*kinds, BREAKS, SHIFTS)
        if self.chains is not None and short:
            kinds = (*kinds, CHAIN)
        if self.pools is not None and short:
            kinds = (*kinds, POOL)
        if self.horizon is not None and short:
            kinds = (*kinds, HORIZON)
        w = self.weights(kinds)
        kind = kinds[int(self.rng.choice(len(kinds), p=w))] if w.sum() > 0 else "days"
        self.size = self.sizes[kind]
        if kind == "slot":
            t, q = self._short_slot(where, missing)
            lo, hi = self.slot_days[t]
            d0 = max(0, lo - int(self.rng.integers(2)))
            d1 = min(self.n_days - 1, hi + int(self.rng.integers(2)))
            agents = self._fill(self.serves[self.queues[q]], d0, d1)
        if kind == "days":
            width = int(self.rng.integers(1, 4))
            d0 = self.first_day + int(self.rng.integers(max(1, self.last_day - self.first_day - width + 2)))
            d1 = min(self.last_day, d0 + width - 1)
            agents = self._fill(np.array([], dtype=np.int64), d0, d1)
        if kind == "agents":
            d0, d1 = 0, self.n_days - 1
            agents = self._fill(self.serves[self._queue(where, missing)], d0, d1)
        if kind == GUIDED:
            assert self.plan is not None
            d0, d1, first = self.plan.pick(values[self.var], self.rng,
                                           int(self.rng.integers(1, 4)))
            agents = self._fill(first, d0, d1, ordered=True)
        if kind in (CHAIN, HORIZON):
            drawer = self.chains if kind == CHAIN else self.horizon
            assert drawer is not None
            t, q = self._short_slot(where, missing)
            lo, hi = self.slot_days[t]
            if kind == CHAIN:  # up to chain_days either side of the slot's days, at random
                reach, patterns = self.params.chain_days, self.params.chain_patterns
                d0 = max(self.first_day, lo - int(self.rng.integers(reach + 1)))
                d1 = min(self.last_day, hi + int(self.rng.integers(reach + 1)))
            else:  # the whole horizon, or horizon_days either side
                reach, patterns = self.params.horizon_days, self.params.horizon_patterns
                d0, d1 = (self.first_day, self.last_day) if reach <= 0 else \
                    (max(self.first_day, lo - reach), min(self.last_day, hi + reach))
            mask = drawer.mask(values[self.var], self.rng, self.size, d0, d1, t, self.queues[q], patterns,
                               self.serves[self.queues[q]], self._fit(where, missing))
            if mask.any():
                return kind, mask
            # no option in the window (a repair's), nothing to free there: a slot part
            kind, self.size, d0, d1 = "slot", self.sizes["slot"], lo, hi
            agents = self._fill(self.serves[self.queues[q]], d0, d1)
        if kind in (BREAKS, SHIFTS):
            assert self.breaks is not None
            t, q = self._short_slot(where, missing)
            lo, hi = self.slot_days[t]
            on = values[self.var]
            if kind == SHIFTS:
                d0, d1 = max(0, lo - int(self.rng.integers(2))), min(self.n_days - 1, hi + int(self.rng.integers(2)))
                return kind, self.breaks.shifts_mask(on, self.rng, self.size, d0, d1, self.serves[self.queues[q]],
                                                     self.params.shift_patterns, self._fit(where, missing))
            mask = self.breaks.mask(on, self.rng, self.size, lo, hi, t, self.queues[q])
            if mask.any():
                return kind, mask
            # nobody works a shift there (a repair's neighbourhood off those days): a slot part
            # instead, so an empty part, solved at once, does not grow the breaks parts
            kind, self.size, d0, d1 = "slot", self.sizes["slot"], lo, hi
            agents = self._fill(self.serves[self.queues[q]], d0, d1)
        if kind == POOL:
            assert self.pools is not None
            k = self._queue(where, missing)
            on = values[self.var]
            return kind, self.pools.mask(on, self.rng, self.size, self.pools.pick_pool(self.rng, k),
                                         self.params.pool_patterns, k)
        mask = np.isin(self.agent, agents) & (self.day >= d0) & (self.day <= d1)
        return kind, mask

    def _fit(self, where: list | None, missing: np.ndarray | None):
        """Options -> how much of what the roster misses they would work (`scheduler.fitpatterns`),
        or None (random patterns)."""
        if self.fit is None or where is None or missing is None:
            return None
        cells = np.array([t * len(self.queues) + self.queues[q] for t, q in where], dtype=np.int64)
        fit = self.fit
        return lambda idx: fit.scores(missing, cells, idx)

    def _short_slot(self, where: list | None, missing: np.ndarray | None) -> tuple[int, str]:
        """A (slot, queue) of the tier, in proportion to the service the roster misses there."""
        assert where is not None and missing is not None
        return where[int(self.rng.choice(len(missing), p=missing / missing.sum()))]

    def _queue(self, where: list | None, missing: np.ndarray | None) -> int:
        """A queue, in proportion to the service the roster misses in it (uniform when it
        misses none): `agents` parts free the people who can mend it."""
        if where is None or missing is None or missing.sum() <= 0:
            return int(self.rng.integers(len(self.serves)))
        per_queue = np.zeros(len(self.serves))
        np.add.at(per_queue, [self.queues[q] for _, q in where], missing)
        return int(self.rng.choice(len(per_queue), p=per_queue / per_queue.sum()))

    def adapt(self, kind: str, solved: bool, gain: float = 0.0, seconds: float = 0.0) -> None:
        """A part of this kind was solved to optimality (grow its parts) or not (shrink them),
        and gained `gain` (in the goal's units) in `seconds`."""
        self.sizes[kind] = int(min(self.n_options, max(200, self.sizes[kind] * (self.params.size_grow if solved
                                                                               else self.params.size_shrink))))
        self.tried[kind] += 1
        # what its last parts gained in the seconds they took (SolveParams.rate_window), or a
        # moving average of each part's gain per second
        if self.params.rate_window:
            recent = self.recent[kind]
            recent.append((gain, seconds))
            self.rate[kind] = sum(g for g, _ in recent) / max(sum(t for _, t in recent), 1e-3)
        else:
            alpha = 1.0 / min(self.tried[kind], self.params.rate_memory)
            self.rate[kind] += alpha * (gain / max(seconds, 1e-3) - self.rate[kind])


def parts_of(rm: RosterModel) -> Parts:
    """The model's flat constraints, read once per model (later caps are read as they come)."""
    if rm.parts is None:
        rm.parts = Parts(rm)
    return rm.parts


def _weighted(goal: list[tuple[Tier, int]]) -> tuple[np.ndarray, np.ndarray]:
    """sum(weight * tier) as (variable indices, coefficients), one entry per variable, in the
    order each variable first appears in the tiers."""
    index = np.concatenate([np.zeros(0, dtype=np.int64), *(t.var_index for t, _ in goal)])
    coeffs = np.concatenate([np.zeros(0, dtype=np.int64), *(w * t.var_coefs for t, w in goal)])
    unique, first, inverse = np.unique(index, return_index=True, return_inverse=True)
    sums = np.zeros(len(unique), dtype=np.int64)
    np.add.at(sums, inverse, coeffs)
    order = np.argsort(first, kind="stable")
    return unique[order], sums[order]


def improve(rm: RosterModel, goal: list[tuple[Tier, int]], solution: list[int], budget_s: float, *,
            workers: int, seed: int, deterministic: bool, stop: Callable[[], bool],
            search: Callable[[cp_model.CpSolver, cp_model.CpModel], int],
            until: Callable[[np.ndarray], bool] | None = None,
            on_improve: Callable[[np.ndarray], None] | None = None,
            params: SolveParams = DEFAULT_PARAMS, plan: Plan | None = None,
            stall: Stall | None = None, beside: Beside | None = None) -> tuple[list[int], LnsStats]:
    """Improve `solution` (a value per model variable) for the objective sum(weight * tier) of
    `goal` (the first tier is the one being minimised, the others break its ties) for `budget_s`
    seconds (deterministic seconds when `deterministic`), or until `until(values)` holds (`until`
    and `on_improve` are given the roster at hand as a numpy array of a value per variable).
    Every hard rule and every cap already added to `rm.m` holds in each part. `search(solver,
    model)` runs one sub-solve and returns its status (in a thread, so Ctrl-C is heard).

    With several workers and wall-clock time, lanes draw and solve parts at once, each with
    one CP-SAT worker. A lane's part was drawn from the roster current when it started; if
    another lane moved the roster meanwhile, the part's changed shift options are put into the
    new roster and kept when that still keeps every constraint and is no worse. With `stall`,
    the search also ends once the first tier of `goal` gains too little (`Stall`;
    `stats.stalled` says so). With `beside` (several workers only: ignored when
    `deterministic`), one lane runs that search when it is due and then goes back to parts.
    Returns the best solution and what the search did."""
    lns = Lns(rm, goal, solution, budget_s, workers=workers, seed=seed, deterministic=deterministic, stop=stop,
              search=search, until=until, on_improve=on_improve, params=params, plan=plan, stall=stall,
              beside=beside)
    return lns.run()


class PartClock:
    """Several workers: a part's wall-clock limit. sub_limit_s of wall time (as the 2026-11-29
    benchmarks had), unless the machine is so loaded that this gives a part less than
    part_min_dtime of CP-SAT's deterministic time: then as long as that takes, by the wall
    seconds per deterministic second the last parts took (a moving average).

    A deterministic limit alone (sub_limit_s / dtime_wall, 496398e) halved the parts solved per
    second on a quiet machine with two lanes (400 x 14: 677 parts in the shortage tier's 75.8 s
    before, 386 in 73.8 s after; 800 x 14: 590 in 72.2 s, 347 in 70.0 s), because two lanes side
    by side take about twice the one-lane wall time per deterministic second that dtime_wall was
    fitted on; a wall limit alone found nothing under heavy load (0.2 s at load 12-14 is a few
    milliseconds of CP-SAT's work)."""

    def __init__(self, params: SolveParams = DEFAULT_PARAMS):
        self.params = params
        self.wall_per_dtime = params.dtime_wall  # until parts say otherwise

    def wall_limit(self, limit: float) -> float:
        return max(limit, self.params.part_min_dtime * self.wall_per_dtime)

    def record(self, wall_s: float, dtime: float, finished: bool) -> None:
        """A part's CP-SAT wall and deterministic time. A part that ran to its limit says how
        fast the machine works now; one that `finished` early (proved) only when it worked long
        enough to say (its start-up is not the machine's pace)."""
        if (finished and dtime < 0.2 * self.params.part_min_dtime) or wall_s <= 0:
            return
        self.wall_per_dtime += 0.2 * (wall_s / max(dtime, 1e-4) - self.wall_per_dtime)


class Lns:
    """One large-neighbourhood search: the roster at hand (shared by the lanes, under `lock`),
    the parts drawn and what they gained."""

    def __init__(self, rm: RosterModel, goal: list[tuple[Tier, int]], solution: list[int], budget_s: float, *,
                 workers: int, seed: int, deterministic: bool, stop: Callable[[], bool],
                 search: Callable[[cp_model.CpSolver, cp_model.CpModel], int],
                 until: Callable[[np.ndarray], bool] | None, on_improve: Callable[[np.ndarray], None] | None,
                 params: SolveParams, plan: Plan | None = None, stall: Stall | None = None,
                 beside: Beside | None = None):
        self.rm, self.goal, self.budget_s, self.seed = rm, goal, budget_s, seed
        self.stall = stall
        self.beside = None if deterministic else beside  # one worker stays deterministic: no thread beside
        self.deterministic, self.stop, self.search = deterministic, stop, search
        self.until, self.on_improve, self.params = until, on_improve, params
        self.tier = goal[0][0]
        self.hoods = Neighbourhoods(rm, seed, params, plan)
        self.stats = LnsStats(start=self.tier.value(solution) * self.tier.to_user)
        self.parts = parts_of(rm)
        self.objective = _weighted(goal)
        self.lanes = 1 if deterministic else max(1, min(workers, params.max_lanes))
        self.clock = PartClock(params)  # several workers: each part's wall-clock limit
        self.per_part = max(1, workers // self.lanes)
        self.lock = threading.Lock()
        # the roster at hand: values (numpy; made a list once, when the search ends), its goal
        # value, and the constraints' totals under it (parts.totals), kept up to date as it moves
        self.values = np.asarray(solution, dtype=np.int64)
        self.solution = solution  # the roster as given, returned when no part moved it
        self.best = self.goal_value(self.values)
        self.totals: tuple[np.ndarray, np.ndarray] | None = None
        self.spent = 0.0  # seconds, or deterministic seconds with one worker
        self.first = self.tier.value(solution)  # the first tier's value (`stall`)
        self.failures: list[BaseException] = []  # a lane that failed: the others stop after their part
        self.moved = False  # a part changed the roster
        self.t0 = time.monotonic()

    def goal_value(self, values: np.ndarray) -> int:
        """sum(weight * tier) of a roster, less the tiers' constants (the same for every roster)."""
        return int(np.dot(values[self.objective[0]], self.objective[1]))

    def run(self) -> tuple[list[int], LnsStats]:
        stats, tier = self.stats, self.tier
        broken = self.parts.violations(self.values)
        if broken:
            # a part keeps everything outside it as it is, so it needs a roster that keeps every
            # rule (a repair whose fixed past breaks one has none): CP-SAT on the whole model says why
            stats.end = stats.start
            stats.skipped = f"the roster at hand breaks {len(broken)} constraint(s) of the model"
            return self.solution, stats
        self.totals = self.parts.totals(self.values)
        if self.lanes == 1:
            self.lane()  # in this thread: one worker stays deterministic
        else:
            threads = [threading.Thread(target=self._guarded, daemon=True) for _ in range(self.lanes)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if self.failures:
                raise self.failures[0]
        stats.seconds = time.monotonic() - self.t0
        stats.end = tier.value(self.values) * tier.to_user
        if self.moved:
            self.solution = self.values.tolist()
        return self.solution, stats

    def _guarded(self) -> None:
        try:
            self.lane()
        except BaseException as exc:  # noqa: BLE001 - re-raised by run, in the caller's thread
            with self.lock:
                self.failures.append(exc)

    def _solver(self, limit: float, iteration: int, left: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        if self.deterministic:
            # the deterministic limit alone: a wall-clock guard fires under load (0.34 deterministic
            # seconds took 15 s on a busy machine) and the same seed gives another roster
            solver.parameters.max_deterministic_time = limit
        else:
            # `limit` of wall time, stretched on a loaded machine so that a part still gets
            # part_min_dtime of CP-SAT's deterministic work (PartClock); never past the tier's time
            solver.parameters.max_time_in_seconds = min(self.clock.wall_limit(limit), max(limit, left))
        solver.parameters.num_workers = self.per_part
        for name, value in self.params.sub_params.items():
            setattr(solver.parameters, name, value)
        solver.parameters.random_seed = self.seed + iteration
        solver.parameters.catch_sigint_signal = False
        return solver

    def lane(self) -> None:
        """Draw a part of the current roster, solve it, keep what it gains; until time is up."""
        hoods, parts = self.hoods, self.parts
        while True:
            with self.lock:
                left = self.budget_s - self.spent
                if (left < 0.2 or self.failures or self.stop()
                        or (self.until and self.until(self.values))):
                    return
                if self.stall is not None and self.stall.over(self.stall.offset + self.spent):
                    self.stats.stalled = True
                    return
                base, totals = self.values, self.totals
                beside = self.beside if self.beside is not None and self.beside.due(self.spent, left) else None
                if beside is not None:
                    beside.busy = True
                else:
                    kind, mask = hoods.pick(self.tier, base)
                    size = hoods.size
                    iteration = self.stats.iterations
                    self.stats.iterations += 1
            if beside is not None:
                self._run_beside(beside, base, left)
                continue
            t_part = time.monotonic()
            sub, free_vars, terms = parts.build(hoods.var[mask], base, self.objective, totals)
            solver = self._solver(min(self.params.sub_limit_s, left), iteration, left)
            t_sub = time.monotonic()
            status = self.search(solver, sub)
            took = time.monotonic() - t_sub
            if not self.deterministic:
                with self.lock:
                    self.clock.record(solver.response_proto.wall_time, solver.response_proto.deterministic_time,
                                      finished=status in (cp_model.OPTIMAL, cp_model.INFEASIBLE))
            candidate = None
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = np.asarray(solver.response_proto.solution, dtype=np.int64)
                if not np.array_equal(found, base[free_vars]):  # the part as it was gains nothing
                    candidate = base.copy()
                    candidate[free_vars] = found
                    _check(parts, candidate, iteration)
            with self.lock:
                part_s = self._charge(solver, t_part, terms)
                self._accept(kind, status, base, candidate, part_s)
                if DEBUG:
                    print(f"lns {self.tier.name} s{self.seed} {iteration + 1} {kind} size {size} "
                          f"free {int(mask.sum())} vars {len(free_vars)} terms {terms} {solver.status_name(status)} "
                          f"{took:.2f}s "
                          f"value {self.tier.value(self.values) * self.tier.to_user:.2f} "
                          f"moved {candidate is not None} build {t_sub - t_part:.3f} "
                          f"wall {time.monotonic() - t_part:.3f} dtime {solver.response_proto.deterministic_time:.3f} "
                          f"charged {part_s:.3f} spent {self.spent:.2f}", file=sys.stderr)

    def _run_beside(self, beside: Beside, base: np.ndarray, left: float) -> None:
        """Run the search beside the parts from roster `base` (this lane's turn), then adopt its
        roster under the lock (`Beside`)."""
        t0 = time.monotonic()
        try:
            out = beside.task(base, left, self._over)
        except Exception as exc:  # noqa: BLE001 - a side search's bug costs its round, not the search
            out = None
            beside.notes.append(f"{self.tier.name}: {beside.name} beside the search failed "
                                f"({type(exc).__name__}: {exc}); the search went on without it")
        with self.lock:
            beside.busy, beside.done, beside.last_s = False, beside.done + 1, time.monotonic() - t0
            self.spent = time.monotonic() - self.t0
            if out is not None:
                beside.notes.append(self._adopt(beside.name, base, out))

    def _over(self) -> bool:
        """Is the LNS over for every lane (a search beside the parts then stops too)?"""
        return bool(self.failures or self.stats.stalled or self.stop()
                    or (self.until and self.until(self.values)))

    def _adopt(self, name: str, base: np.ndarray, out: np.ndarray) -> str:
        """Keep the roster `out` that a search beside the parts made from `base` (under the lock),
        or the best of it that fits the roster at hand when the parts moved it meanwhile
        (`Beside`); returns a note of what became of it."""
        tier, options, hoods = self.tier, self.hoods.var, self.hoods
        user = tier.to_user
        head = f"{tier.name}: {name} beside the search, from {tier.value(base) * user:,.2f}: "
        # `base` keeps every constraint, so only those the changed variables appear in can break
        broken = self.parts.violations(out, near=np.flatnonzero(out != base))
        if broken:
            return head + f"not adopted: its roster breaks {len(broken)} constraint(s) of the model"
        tried: list[tuple[str, np.ndarray | None]] = [(ADOPTED[0], out)]
        if self.values is not base:
            # an agent's options moved by a part and by `out` do not mix: whole schedules first
            agents = np.unique(hoods.agent[out[options] != base[options]])
            schedules = options[np.isin(hoods.agent, agents)]
            tried = [(ADOPTED[1], merge_changes(self.parts, self.values, self.values, out, schedules)),
                     (ADOPTED[2], merge_changes(self.parts, self.values, base, out, options)),
                     (ADOPTED[3], out)]
        value, how, best = min(((self.goal_value(c), how, c) for how, c in tried if c is not None),
                               key=lambda x: x[0])
        now, then = tier.value(self.values) * user, tier.value(best) * user
        if value > self.best:
            return head + f"not adopted ({how}: {then:,.2f}, the roster at hand {now:,.2f} {tier.unit})"
        self._take(name, best, value)
        return head + f"adopted {how}, {now:,.2f} -> {then:,.2f} {tier.unit}"

    def _charge(self, solver: cp_model.CpSolver, t_part: float, terms: int) -> float:
        """Count a part's time against the budget (under the lock); returns what it took."""
        if self.deterministic:
            # CP-SAT's deterministic time, scaled, plus the charges its clock does not count:
            # it bounds the wall time of a one-worker run, deterministically
            p = self.params
            part_s = (p.dtime_wall * solver.response_proto.deterministic_time + p.part_overhead_s
                      + p.part_overhead_per_term * terms)
            self.spent += part_s
            self.stats.charged_s = self.spent
            return part_s
        self.spent = time.monotonic() - self.t0
        return time.monotonic() - t_part

    def _accept(self, kind: str, status: int, base: np.ndarray, candidate: np.ndarray | None,
                part_s: float) -> None:
        """Keep a part's roster when it is no worse (under the lock); adapt the draws."""
        if candidate is not None and self.values is not base:
            # another lane moved the roster meanwhile: put this part's changes into it
            own = self.goal_value(candidate) if DEBUG else 0  # what the part gained on its own roster
            candidate = merge_changes(self.parts, self.values, base, candidate, self.hoods.var)
            if DEBUG:
                print(f"lns-merge {kind} own_gain {self.goal_value(base) - own} "
                      + ("rejected" if candidate is None else f"merged_gain {self.best - self.goal_value(candidate)}"),
                      file=sys.stderr)
        value = None if candidate is None else self.goal_value(candidate)
        self.hoods.adapt(kind, status == cp_model.OPTIMAL, 0 if value is None else max(0, self.best - value), part_s)
        if candidate is None or value is None or value > self.best:
            return
        # equal rosters are taken too: the search moves across plateaus
        self._take(kind, candidate, value)

    def _take(self, kind: str, candidate: np.ndarray, value: int) -> None:
        """Make `candidate` (no worse: its goal `value`) the roster at hand (under the lock)."""
        better = value < self.best
        if better:
            self.stats.improvements += 1
            self.stats.by_kind[kind] += 1
            first = self.tier.value(candidate)
            if first < self.first:
                self.first = first
                if self.stall is not None:
                    self.stall.trail.append((self.stall.offset + self.spent, first))
        assert self.totals is not None
        self.totals = self.parts.shift_totals(self.totals, self.values, candidate)
        self.best, self.values, self.moved = value, candidate, True
        if better and self.on_improve:
            self.on_improve(self.values)


def merge_changes(parts: Parts, current: np.ndarray, base: np.ndarray, other: np.ndarray,
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
