"""A lower bound on overflow and shortage by Dantzig-Wolfe decomposition over each agent's week.

scheduler.bound's LP sums the per-agent weekly rules over a pool of identical agents: one shift a
date, rest between shifts, consecutive days and night shifts then hold for the pool's head-counts,
not for each agent, and a pool can staff a night with "a fifth of every agent" where every real
agent would need a chain of trades over the week. This module keeps the same relaxation except
that each agent type's head-counts are a combination of whole *weeks* of one agent.

The master LP
-------------

It is scheduler.bound's LP (`build_lp`, reused, not copied) built without the four pooled rules
named above (`WEEKLY_RULES`), plus:

- agent types: a pool g of bound.py split by the instances its members may work (kinds,
  night_ok, absences, a hire's shifts), so every member of a type k has the same legal weeks;
  n_k members;
- columns: a week c of type k is a set of instances, at most one a date, that ONE agent of k
  may work under SPEC 3.2's one shift a date, rest (min_rest_hours between any two, overlaps
  included), max_consecutive_days and max_night_shifts; lambda[k,c] >= 0 agents work week c;
- convexity: sum_c lambda[k,c] = n_k (the week with no shift is a column);
- linking, per pool g and instance i: sum_q x[g,i,q] = sum over the types k of g and weeks
  c of k that work i of lambda[k,c]. Which queue an agent serves is free per instance (no
  per-agent rule reads it), so the columns carry instances, not queues;
- everything else of bound.py stays: the worked slots w and their run-rule windows, weekly
  hours summed over the pool (`MaxHoursPerWeek.bound_pool`, valid: each agent keeps it),
  absences' head-count caps, coverage, overflow and shortage rows, the leads consequences,
  and the rounding cuts of scheduler.bound_cuts (rows of w and the slack only);
- for the shortage bound at an overflow cap: the row overflow - e <= cap with a penalty
  `CAP_PENALTY` * e in the objective, e in [0, all overflow] (so that every restricted master is
  feasible; e = 0 for the rosters the bound is for).

Every legal roster maps to a point of this master with the same overflow and shortage: x, w as
in bound.py, lambda[k,c] = how many agents of type k work exactly week c (a legal week, so a
column of the full master), e = 0 when its overflow is at most the cap. Every master row holds
there (the rounding cuts: proof in scheduler.bound_cuts). What the master relaxes beyond
integrality: weekly hours (summed over the pool, in the master), the leads rule (bound.py's two
consequences), locks and the previous roster's rest/consecutive days/hours (dropped: they only
remove rosters), runs that join across two shifts (as bound.py).

The bound, and why it holds
---------------------------

Column generation solves restricted masters (a few weeks per type) with GLOP. Whatever dual
vector y (one value per master row other than the convexity rows) a restricted master gives, the
bound is the Lagrangian function evaluated explicitly, not read off the solver:

    L(y) = sum_rows (lo_r * max(y_r, 0) + hi_r * min(y_r, 0))
         + sum_{j not a lambda} min(r_j * l_j, r_j * u_j)          r = c - A^T y
         + sum_k n_k * min over ALL legal weeks c of k of  sum_{i in c} y[link(g_k, i)]

(the last term is the pricing DP's answer, `WeekDP.best`; the week with no shift gives 0, so it is
<= 0). Proof that L(y) <= c.P for every point P of the full master (every roster's point among
them): write c.P = y.(A P) + r.P over all rows but the convexity rows, with r = c - A^T y for
every variable, lambdas included. (1) y_r (A P)_r >= lo_r y_r when y_r > 0 (P keeps the row's
lower side), >= hi_r y_r when y_r < 0, = 0 when y_r = 0 (y_r on an infinite side is set to 0
first). (2) Every variable j but the lambdas lies in its box [l_j, u_j], so r_j P_j >=
min(r_j l_j, r_j u_j). (3) A lambda of type k and week c has cost 0, coefficient -1 in the
linking row of each instance of c and no other dualized row, so r = sum_{i in c} y[link(g_k, i)];
the lambdas of type k are >= 0 and sum to n_k (the convexity row, kept), so their r-terms sum to
at least n_k times the least r over all legal weeks of k, which the DP computes exactly. So
L(y) <= c.P for every y: the bound is valid at ANY iteration, converged or not, and whatever
tolerances GLOP used to produce y (y is just a vector we evaluate). Floating point: the sums are
computed in double precision and lowered by 1e-9 times the magnitudes involved (as
scheduler.bound_dual does), and each DP minimum by 1e-9 times the sum of |y| over the type's
instances. At the restricted master's optimum with its exact duals, L(y) is the Farley bound
z_RMP + sum_k n_k * min(0, least reduced cost of k); when no week prices out, the restricted
master's optimum is the full master's, and L equals it.

Weekly hours per agent (`hours=True`, off by default)
----------------------------------------------------

bound.py caps a pool's worked slots per 7-day block by the members' caps summed. With `hours`
the master also has, per pool g and block b, the row

    sum of g's worked-slot variables w in b  -  sum_c lambda[k,c] * h_b(c)  <=  0,
    h_b(c) = min(cap_k, the slots of c's instances that lie in b)      (cap_k: the type's cap in slots)

Valid: an agent of g working week c works at most cap_k slots of b (MaxHoursPerWeek) and at most
the on-shift ones, so g's worked slots in b are at most the sum over its agents of h_b(their
week). A lambda then also has the coefficient -h_b(c) in these rows, so its reduced cost is
sum_{i in c} y[link(g, i)] + sum_b h_b(c) * y[hours(g, b)], and the DP (`WeekDP(hours=True)`)
minimises exactly that: its state also carries the on-shift slots of each block not yet closed
(capped at cap_k), and a block's term is charged once no later instance reaches it. The proof
above holds with "linking rows" read as "linking and hours rows". The previous roster's hours in
the first block are not counted (a relaxation, as bound.py).

Speed, never validity (L reads only y and the DP): start columns from a roster's legal weeks
(`start`: the first restricted master is then feasible and near the full master's value, instead
of all overflow), several weeks per type and iteration (`few`: the DP's least weeks ending in different
states), Wentges smoothing (`smoothing`: price at a point between the best y so far and the last
one; L is evaluated there too). A week is added when its reduced cost, the DP's sum minus its
convexity row's dual, is negative. Every restricted master's value is an upper limit (the
"ceiling") on the full master's optimum, hence on what L can converge to.

The bounds are lexicographic as `bound.lp_bound`'s: overflow for every roster; shortage for
rosters with overflow at most `overflow_cap`; shortage for every roster.

Units: overflow in customer-hours, shortage in agent-hours, seconds of wall-clock time.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.bound import BoundLP, build_lp
from scheduler.bound_cuts import add_mir_cuts
from scheduler.bound_dual import lagrangian_value, lp_arrays
from scheduler.roster import Roster
from scheduler.rules import (
    HARD_RULES,
    MaxConsecutiveDays,
    MaxHoursPerWeek,
    MaxNightShifts,
    OneShiftPerDate,
    RestBetweenShifts,
    Rule,
)
from scheduler.rules.rest import too_close
from scheduler.rules.weekly_hours import block_slots, cap_slots
from scheduler.scenario import Scenario

# the per-agent rules the weekly columns keep (so the master does not sum them over pools)
WEEKLY_RULES = (OneShiftPerDate, RestBetweenShifts, MaxConsecutiveDays, MaxNightShifts)


def missing_weekly_rules(rules: Sequence[Rule]) -> list[str]:
    """The names of the WEEKLY_RULES that `rules` lacks: the weeks priced by WeekDP keep all four,
    so without one they would miss legal weeks."""
    return [cls.__name__ for cls in WEEKLY_RULES if not any(isinstance(r, cls) for r in rules)]
# shortage agent-hours per customer-hour of overflow above the cap in the capped master (any
# value gives a valid bound; a large one makes the capped master's optimum the hard cap's)
CAP_PENALTY = 10.0
# a week is added when its reduced cost is below this (in the objective's units)
PRICE_TOL = 1e-7
# GLOP per phase, no presolve (so each restricted master starts from the last basis): the dual
# simplex on the overflow master (on 200 x 14 x 3 queues the primal one stalled there, 40 CPU s to
# converge with the dual one, under load), the primal one after (adding columns keeps the basis
# primal feasible: 2-7 s a solve on the night case, against about 30 s with the dual one)
GLOP_PARAMS = {"overflow": "use_preprocessing: false use_dual_simplex: true"}
GLOP_DEFAULT = "use_preprocessing: false"
# column generation stops when the bound is this close (relative) to the restricted master's value
GAP_TOL = 1e-6


@dataclass
class AgentType:
    """Members of one pool whose legal weeks are the same: `insts` the instances they may work
    (grid index), by date index in `by_date`."""

    pool: int
    count: int
    insts: list[int]
    by_date: dict[int, list[int]]
    ids: list[str] = field(default_factory=list)  # the members' employee ids


@dataclass
class Master:
    """The restricted master LP and what pricing needs to read and extend it."""

    lp: BoundLP
    overflow: Any
    shortage: Any
    types: list[AgentType]
    link: dict[tuple[int, int], Any]          # (pool, instance) -> its linking row
    link_index: dict[tuple[int, int], int]   # (pool, instance) -> that row's index
    convexity: list[Any]                     # per type, its convexity row
    cap_row: Any
    cap_slack: Any
    n_compact_rows: int                      # rows 0..n-1: every row but the convexity rows
    n_compact_vars: int                      # variables 0..n-1: every variable but the lambdas
    arrays: tuple                            # the compact LP's arrays (bound_dual.lp_arrays)
    weeks: list[set[frozenset[int]]] = field(default_factory=list)  # per type, the weeks added
    n_columns: int = 0
    # with `hours`: (pool, 7-day block) -> its row sum w - sum_c lambda_c * h_b(c) <= 0, and that row's index
    hours: dict[tuple[int, int], Any] = field(default_factory=dict)
    hours_index: dict[tuple[int, int], int] = field(default_factory=dict)


def agent_types(lp: BoundLP) -> list[AgentType]:
    """Each pool split by the set of instances its members may work (among those the LP has an x
    for: an instance whose first or last slot nobody may work is in no roster)."""
    grid = lp.grid
    date_index = {d: n for n, d in enumerate(grid.dates)}
    pool_insts: dict[int, set[int]] = defaultdict(set)
    for (gi, i, _q) in lp.columns:
        pool_insts[gi].add(i)
    out: list[AgentType] = []
    for gi, g in enumerate(lp.groups):
        mine = sorted(pool_insts.get(gi, ()))
        if not mine:
            continue
        sigs: dict[tuple[int, ...], list[str]] = defaultdict(list)
        for a in g.members:
            sigs[tuple(i for i in mine if lp.eligibility.allowed(a, grid.instances[i]))].append(a.employee_id)
        for sig, ids in sigs.items():
            by_date: dict[int, list[int]] = defaultdict(list)
            for i in sig:
                by_date[date_index[grid.instances[i].date]].append(i)
            out.append(AgentType(gi, len(ids), list(sig), dict(by_date), ids))
    return out


def _put(states: dict, s: tuple, cost: float, back: Any) -> None:
    old = states.get(s)
    if old is None or cost < old[0]:
        states[s] = (cost, back)


class WeekDP:
    """The pricing problem of one agent type: the least sum of weights over a legal week (one
    instance or none per date; rest between any two worked instances; at most
    max_consecutive_days dates in a row; at most max_night_shifts nights).

    Rest between every pair follows from rest between each two consecutive worked instances:
    instances of later dates start later, so if b starts at least `rest` after a ends and c at
    least `rest` after b ends, c starts at least `rest` after a ends (b ends after it starts).
    The state after a date is (the last worked instance if a later instance can still clash with
    it, else -1; the current run of worked dates; nights used)."""

    def __init__(self, lp: BoundLP, t: AgentType, hours: bool = False):
        grid, rules = lp.grid, lp.rules
        self.t = t
        self.hours: _Hours | None = None
        if hours:
            block = block_slots(grid.slot_minutes)
            slots: dict[int, dict[int, int]] = {}
            for i in t.insts:
                per: dict[int, int] = defaultdict(int)
                for slot in grid.instances[i].slots:
                    per[slot // block] += 1
                slots[i] = dict(per)
            first: list[float] = [math.inf] * (len(grid.dates) + 1)
            for d in range(len(grid.dates) - 1, -1, -1):
                first[d] = min([first[d + 1], *(min(slots[i]) for i in t.by_date.get(d, []))])
            self.hours = _Hours(cap_slots(lp.groups[t.pool].agent, rules, grid.slot_minutes), slots, first[:-1])
        self.n_dates = len(grid.dates)
        rest = dt.timedelta(minutes=rules.min_rest_hours * 60)
        insts = grid.instances
        self.night = {i: bool(insts[i].night) for i in t.insts}
        self.max_run = rules.max_consecutive_days if rules.max_consecutive_days < self.n_dates else None
        n_nights = sum(self.night.values())
        self.max_nights = rules.max_night_shifts if rules.max_night_shifts < n_nights else None
        date_of = {i: d for d, ins in t.by_date.items() for i in ins}
        # clashes[i]: later-date instances of the type too close after i; reach[i]: the last date index
        # on which one of them lies (after it the state forgets i)
        self.clashes: dict[int, set[int]] = {}
        self.reach: dict[int, int] = {}
        for i in t.insts:
            later = {j for j in t.insts if date_of[j] > date_of[i] and too_close(insts[i], insts[j], rest)}
            self.clashes[i] = later
            self.reach[i] = max((date_of[j] for j in later), default=-1)

    def legal(self, week: list[int]) -> bool:
        """Is `week` (instances) one of the weeks this DP prices: instances of the type, at most
        one a date, rest between each two in a row (hence every two: the class docstring), at
        most max_consecutive_days dates in a row, at most max_night_shifts nights?"""
        date_of = {i: d for d, ins in self.t.by_date.items() for i in ins}
        if any(i not in date_of for i in week):
            return False
        order = sorted(week, key=date_of.__getitem__)
        dates = [date_of[i] for i in order]
        if len(set(dates)) < len(dates) or any(b in self.clashes[a] for a, b in zip(order, order[1:])):
            return False
        if self.max_nights is not None and sum(self.night[i] for i in week) > self.max_nights:
            return False
        run = 0
        for n, d in enumerate(dates):
            run = run + 1 if n and d == dates[n - 1] + 1 else 1
            if self.max_run is not None and run > self.max_run:
                return False
        return True

    def best(self, weight: dict[int, float]) -> tuple[float, list[int]]:
        """(the least total weight of a legal week, its instances)."""
        return self.best_few(weight, 1)[0]

    def best_few(self, weight: dict[int, float], n: int,
                 block_weight: dict[int, float] | None = None) -> list[tuple[float, list[int]]]:
        """The least total weight of a legal week and its instances (first), then the least weeks
        ending in other DP states, up to n in all, cheapest first (columns for the master: the
        first is the exact minimum, the others just good weeks). With `block_weight` (per 7-day
        block b, a weight y_b) a week also costs y_b * min(cap, its on-shift slots in b) for each b
        (`hours`; the state then also carries those slots per block not yet closed, capped at cap)."""
        hours = self.hours if block_weight is not None else None
        State = tuple[int, int, int, tuple]
        states: dict[State, tuple[float, Any]] = {(-1, 0, 0, ()): (0.0, None)}
        for d in range(self.n_dates):
            if hours is not None and block_weight is not None:
                states = self._close(states, hours.first_block[d], block_weight)
            nxt: dict[State, tuple[float, Any]] = {}
            today = self.t.by_date.get(d, [])
            for s, (cost, back) in states.items():
                last, run, nights, acc = s
                keep = last if last >= 0 and self.reach[last] > d else -1
                _put(nxt, (keep, 0, nights, acc), cost, back)  # off
                for i in today:
                    if last >= 0 and i in self.clashes[last]:
                        continue
                    r = run + 1 if self.max_run is not None else 0
                    if self.max_run is not None and r > self.max_run:
                        continue
                    n_ = nights + (1 if self.night[i] and self.max_nights is not None else 0)
                    if self.max_nights is not None and n_ > self.max_nights:
                        continue
                    acc2 = acc if hours is None else hours.add(acc, i)
                    _put(nxt, (i if self.reach[i] > d else -1, r, n_, acc2), cost + weight.get(i, 0.0), (i, back))
            states = nxt
        if hours is not None and block_weight is not None:
            states = self._close(states, math.inf, block_weight)
        out: list[tuple[float, list[int]]] = []
        for cost, back in sorted(states.values(), key=lambda v: v[0])[:max(1, n)]:
            week: list[int] = []
            while back is not None:
                week.append(back[0])
                back = back[1]
            out.append((cost, sorted(week)))
        return out

    def _close(self, states: dict, below: float, block_weight: dict[int, float]) -> dict:
        """Charge and forget the blocks before `below` (no later instance reaches them)."""
        assert self.hours is not None
        cap = self.hours.cap
        out: dict = {}
        for (last, run, nights, acc), (cost, back) in states.items():
            if acc and acc[0][0] < below:
                cost += sum(block_weight.get(b, 0.0) * min(cap, k) for b, k in acc if b < below)
                acc = tuple((b, k) for b, k in acc if b >= below)
            _put(out, (last, run, nights, acc), cost, back)
        return out


@dataclass
class _Hours:
    """A type's weekly cap in slots, each instance's on-shift slots per 7-day block, and per date
    the first block an instance of that date or later touches."""

    cap: int
    slots: dict[int, dict[int, int]]
    first_block: list[float]

    def add(self, acc: tuple, i: int) -> tuple:
        got = dict(acc)
        for b, k in self.slots[i].items():
            got[b] = min(self.cap, got.get(b, 0) + k)
        return tuple(sorted(got.items()))


def build_master(scenario: Scenario, hard_rules: Sequence[Rule] | None = None, cuts: bool = True,
                 hours: bool = False) -> Master:
    """The master of the module docstring with, per type, only the week with no shift. With
    `hours` (and MaxHoursPerWeek among the rules) also a row per pool and 7-day block: its worked
    slots <= sum over weeks of lambda * min(cap, the week's on-shift slots in the block) (module
    docstring, "Weekly hours per agent")."""
    chosen = HARD_RULES if hard_rules is None else hard_rules
    missing = missing_weekly_rules(chosen)
    if missing:
        raise ValueError(f"the week bound needs the rules {', '.join(missing)}; use bound.lp_bound without them")
    rules = [r for r in chosen if not isinstance(r, WEEKLY_RULES)]
    lp, overflow, shortage = build_lp(scenario, hard_rules=rules)
    solver = lp.solver
    if cuts:
        add_mir_cuts(solver, lp.service_rows)
    # linking rows: sum_q x[g,i,q] - (weeks working i) = 0
    link: dict[tuple[int, int], Any] = {}
    variables = solver.variables()
    for (gi, i, _q), col in lp.columns.items():
        row = link.get((gi, i))
        if row is None:
            row = link[(gi, i)] = solver.Constraint(0, 0, f"link_{gi}_{i}")
        row.SetCoefficient(variables[col.x], 1)
    link_index = {k: r.index() for k, r in link.items()}
    hours_rows: dict[tuple[int, int], Any] = {}
    if hours and any(isinstance(r, MaxHoursPerWeek) for r in chosen):
        block = block_slots(lp.grid.slot_minutes)
        for (gi, i, _q), col in lp.columns.items():
            for slot, j in zip(lp.grid.instances[i].slots, col.w):
                b = slot // block
                row = hours_rows.get((gi, b))
                if row is None:
                    row = hours_rows[(gi, b)] = solver.Constraint(-solver.infinity(), 0, f"agent_hours_{gi}_{b}")
                row.SetCoefficient(variables[j], row.GetCoefficient(variables[j]) + 1)
    most_over = sum(v.ub() for v in lp.over_terms) * lp.grid.delta_hours
    cap_slack = solver.NumVar(0, max(most_over, 0.0), "cap_excess")
    cap_row = solver.Constraint(-solver.infinity(), solver.infinity(), "overflow_cap")
    for v in lp.over_terms:
        cap_row.SetCoefficient(v, lp.grid.delta_hours)
    cap_row.SetCoefficient(cap_slack, -1)
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    arrays = lp_arrays(proto)
    n_rows, n_vars = solver.NumConstraints(), solver.NumVariables()
    types = agent_types(lp)
    master = Master(lp, overflow, shortage, types, link, link_index, [], cap_row, cap_slack, n_rows, n_vars,
                    arrays, [set() for _ in types], 0, hours_rows, {k: r.index() for k, r in hours_rows.items()})
    for t in types:
        conv = solver.Constraint(t.count, t.count, f"conv_{len(master.convexity)}")
        master.convexity.append(conv)
        add_week(master, types.index(t), [])
    return master


def add_week(master: Master, k: int, week: list[int]) -> bool:
    """Add week `week` (instances) of type k as a column; False when it is there already."""
    key = frozenset(week)
    if key in master.weeks[k]:
        return False
    master.weeks[k].add(key)
    t = master.types[k]
    solver = master.lp.solver
    lam = solver.NumVar(0, t.count, f"week_{k}_{len(master.weeks[k])}")
    master.convexity[k].SetCoefficient(lam, 1)
    for i in week:
        master.link[(t.pool, i)].SetCoefficient(lam, -1)
    for b, h in week_hours(master, k, week).items():
        master.hours[(t.pool, b)].SetCoefficient(lam, -h)
    master.n_columns += 1
    return True


def week_hours(master: Master, k: int, week: list[int]) -> dict[int, int]:
    """With the hours rows: per 7-day block, min(the type's weekly cap, the week's on-shift slots
    there), in slots; else empty."""
    if not master.hours:
        return {}
    lp = master.lp
    block = block_slots(lp.grid.slot_minutes)
    cap = cap_slots(lp.groups[master.types[k].pool].agent, lp.rules, lp.grid.slot_minutes)
    on: dict[int, int] = defaultdict(int)
    for i in week:
        for t in lp.grid.instances[i].slots:
            on[t // block] += 1
    return {b: min(cap, n) for b, n in on.items() if (master.types[k].pool, b) in master.hours}


def _objective_vector(master: Master, objective: str) -> np.ndarray:
    c = np.zeros(master.n_compact_vars)
    d_h = master.lp.grid.delta_hours
    for v in master.lp.over_terms if objective == "overflow" else master.lp.short_terms:
        c[v.index()] = d_h
    if objective == "shortage_at_cap":
        c[master.cap_slack.index()] = CAP_PENALTY
    return c


def lagrangian(master: Master, c: np.ndarray, y: np.ndarray, dps: list[WeekDP],
               few: int = 1) -> tuple[float, list, np.ndarray]:
    """L(y) of the module docstring (lowered by its floating-point margin); per type up to `few`
    good weeks, the DP's least first, each with its reduced cost at y (before the convexity
    row's dual); and y as evaluated (a dual on a row's infinite side set to 0)."""
    value, y = lagrangian_value(_capped_arrays(master, c), y)
    best = []
    for dp in dps:
        t = dp.t
        weight = {i: float(y[master.link_index[(t.pool, i)]]) for i in t.insts}
        blocks = _block_weights(master, t.pool, y) if dp.hours is not None else None
        weeks = dp.best_few(weight, few, blocks)
        cost = min(0.0, weeks[0][0])
        best.append(weeks)
        margin = sum(abs(w) for w in weight.values()) + 1.0
        if blocks and dp.hours is not None:
            margin += dp.hours.cap * sum(abs(w) for w in blocks.values())
        value += t.count * (cost - 1e-9 * margin)
    return value, best, y


def week_cost(master: Master, k: int, week: list[int], y: np.ndarray) -> float:
    """A week's reduced cost at y, before the convexity row's dual: the sum of its linking rows'
    duals, and with the hours rows each block's dual times the week's h_b."""
    t = master.types[k]
    hours = sum(h * y[master.hours_index[(t.pool, b)]] for b, h in week_hours(master, k, week).items())
    return float(sum(y[master.link_index[(t.pool, i)]] for i in week) + hours)


def _block_weights(master: Master, pool: int, y: np.ndarray) -> dict[int, float]:
    """The hours rows' duals of one pool, by 7-day block."""
    return {b: float(y[r]) for (g, b), r in master.hours_index.items() if g == pool}


def _solve_phase(master: Master, objective: str, deadline: float, dps: list[WeekDP],
                 log: list, progress: Callable[[dict], None] | None = None,
                 max_iterations: int | None = None, few: int = 1, smoothing: float = 0.0,
                 ceilings: dict | None = None) -> tuple[float | None, str]:
    """Column generation on one objective until no week prices out, the deadline or
    `max_iterations` restricted masters: (the best L(y) found, a status). `ceilings[objective]`
    gets the least restricted master's value: the full master's optimum, which the bound
    converges to, is at most that (a restricted master is the full one with weeks left out).

    Each restricted master gives duals y (and mu, the convexity rows'). With `smoothing` a in
    (0, 1) the weeks are priced at a * (the y of the best L so far) + (1 - a) * y (Wentges'
    smoothing: fewer iterations where the duals jump); L is evaluated there too (any y gives a
    valid bound), and a week is added only if it prices out at y itself; when none does (a
    mispricing), the same iteration prices at y. Up to `few` weeks per type and iteration."""
    solver = master.lp.solver
    expr = {"overflow": master.overflow, "shortage": master.shortage,
            "shortage_at_cap": master.shortage + CAP_PENALTY * master.cap_slack}[objective]
    solver.Minimize(expr)
    solver.SetSolverSpecificParametersAsString(GLOP_PARAMS.get(objective, GLOP_DEFAULT))
    c = _objective_vector(master, objective)
    cons = solver.constraints()[:master.n_compact_rows]
    best: float | None = None
    ceiling: float | None = None
    center: np.ndarray | None = None
    status = "TIME_LIMIT"
    for iteration in range(10**9 if max_iterations is None else max_iterations + 1):
        if iteration == max_iterations:
            status = "ITERATION_LIMIT"
            break
        left = deadline - time.monotonic()
        if left <= 0.05:
            break
        solver.SetTimeLimit(int(left * 1000))
        began = time.monotonic()
        st = solver.Solve()
        took = time.monotonic() - began
        if st != pywraplp.Solver.OPTIMAL:
            status = "TIME_LIMIT" if st in (pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED) else str(st)
            break
        z = solver.Objective().Value()
        y = np.fromiter((con.dual_value() for con in cons), dtype=float, count=len(cons))
        mu = [con.dual_value() for con in master.convexity]
        alphas = [smoothing, 0.0] if center is not None and 0 < smoothing < 1 else [0.0]
        added = 0
        value = -math.inf
        for alpha in alphas:
            point = y if alpha == 0 or center is None else alpha * center + (1 - alpha) * y
            val, weeks, point = lagrangian(master, c, point, dps, few)
            value = max(value, val)
            if best is None or val > best:
                best, center = val, point
            for k, found in enumerate(weeks):
                for _cost, week in found:
                    # (priced at y as GLOP gave it, not at the cleaned `point` the bound reads:
                    # which weeks join the master decides only the speed, never the bound)
                    if week_cost(master, k, week, y) - mu[k] < -PRICE_TOL and add_week(master, k, week):
                        added += 1
            if added:
                break
        ceiling = z if ceiling is None else min(ceiling, z)
        log.append({"objective": objective, "rmp": z, "bound": value, "added": added,
                    "solve_s": took, "t": time.monotonic()})
        if progress is not None:
            progress(log[-1])
        if not added or z - best <= GAP_TOL * (1.0 + abs(z)):
            status = "OPTIMAL"  # no week prices out, or the bound meets the restricted master's value
            break
    if ceilings is not None and ceiling is not None:
        ceilings[objective] = ceiling
    return best, status


def _capped_arrays(master: Master, c: np.ndarray) -> tuple:
    """The compact LP's arrays with objective c and the overflow cap row's current sides."""
    n, _c, lo_x, hi_x, lo, hi, rows, cols, vals = master.arrays
    lo, hi = lo.copy(), hi.copy()
    cap = master.cap_row
    lo[cap.index()], hi[cap.index()] = cap.lb(), cap.ub()
    return n, c, lo_x, hi_x, lo, hi, rows, cols, vals


def roster_keys(master: Master) -> tuple[dict[tuple[str, dt.date], int], dict[str, int]]:
    """How a roster's assignments read in `master`: (shift code, date) -> instance index, and
    agent -> the index of its type."""
    index = {(inst.code, inst.date): inst.index for inst in master.lp.grid.instances}
    type_of = {a: k for k, t in enumerate(master.types) for a in t.ids}
    return index, type_of


def roster_weeks(master: Master, roster: Roster) -> list[tuple[int, list[int]]]:
    """Each agent's week in `roster` as (its type, the instances it works that the type may):
    start columns for the master. Only legal weeks (`WeekDP.legal`): the bound would hold with
    any column (L reads only y and prices every legal week, never the columns), but a restricted
    master with an illegal week is no restriction of the full master, so its value would not be
    the ceiling the phases report, nor a reason to stop (a hand-edited roster may break a rule)."""
    index, type_of = roster_keys(master)
    dps: dict[int, WeekDP] = {}
    out = []
    for agent, shifts in roster.by_agent().items():
        k = type_of.get(agent)
        if k is None:
            continue
        mine = set(master.types[k].insts)
        week = sorted(i for a in shifts if (i := index.get((a.shift, a.date))) is not None and i in mine)
        dp = dps.get(k)
        if dp is None:
            dp = dps[k] = WeekDP(master.lp, master.types[k])
        if dp.legal(week):
            out.append((k, week))
    return out


def dw_bound(scenario: Scenario, time_limit_s: float = 60, overflow_cap: float | None = None,
             hard_rules: Sequence[Rule] | None = None, cuts: bool = True, lexicographic: bool = True,
             progress: Callable[[dict], None] | None = None, max_iterations: int | None = None,
             start: Roster | None = None, few: int = 1, smoothing: float = 0.0,
             overflow_phase: bool = True, hours: bool = False) -> dict:
    """Dantzig-Wolfe lower bounds (module docstring). Returns a dict:

    - "overflow_lb": customer-hours, for every roster;
    - "shortage_lb_at_cap" (with `overflow_cap`, customer-hours): agent-hours, for rosters whose
      overflow is at most the cap;
    - "shortage_lb_any" (when `lexicographic`): agent-hours, for every roster;
    - "status" per phase, "seconds", "types", "columns" (weeks generated), "iterations";
    - "ceiling" per phase: the least restricted master's value, an upper bound on what that
      phase's bound can converge to (so a week bound that cannot reach a target says so early).

    Each bound is the best L(y) over its phase's iterations: valid however early the time ran
    out; None when a phase had no solved restricted master. The time is split: a third to the
    overflow bound, the rest to the shortage bound(s); `max_iterations` caps each phase's
    restricted masters (a bound from unconverged duals, in tests).

    Speed, never validity (the bound reads only the duals): `start` a roster whose agents' legal
    weeks are the first columns (beside the week with no shift); `few` weeks per type and iteration;
    `smoothing` (Wentges, see `_solve_phase`); `overflow_phase=False` skips the overflow bound
    (None) when only the shortage at `overflow_cap` is wanted (`lexicographic=False`).
    `hours`: weekly hours per agent in the weeks (module docstring): a bound at least as high."""
    t0 = time.monotonic()
    master = build_master(scenario, hard_rules, cuts, hours)
    dps = [WeekDP(master.lp, t, hours=bool(master.hours)) for t in master.types]
    if start is not None:
        for k, week in roster_weeks(master, start):
            add_week(master, k, week)
    out: dict = {"overflow_lb": None, "shortage_lb_any": None, "types": len(master.types), "log": []}
    if not master.lp.over_terms:
        out.update(overflow_lb=0.0, shortage_lb_any=0.0, seconds=time.monotonic() - t0,
                   status={"overflow": "OPTIMAL", "shortage": "OPTIMAL"})
        if overflow_cap is not None:
            out["shortage_lb_at_cap"] = 0.0
            out["status"]["shortage_at_cap"] = "OPTIMAL"
        return out
    log: list = out["log"]

    def deadline(share: float) -> float:
        return time.monotonic() + share * (time_limit_s - (time.monotonic() - t0))

    statuses = {}
    out["ceiling"] = {}
    speed: dict[str, Any] = {"few": few, "smoothing": smoothing, "ceilings": out["ceiling"]}
    if overflow_phase or overflow_cap is None or lexicographic:
        lb1, statuses["overflow"] = _solve_phase(master, "overflow", deadline(1 / 3), dps, log, progress,
                                                 max_iterations, **speed)
        out["overflow_lb"] = None if lb1 is None else max(0.0, lb1)
    if overflow_cap is not None:
        master.cap_row.SetUb(overflow_cap * (1 + 1e-6) + 1e-4)
        at, statuses["shortage_at_cap"] = _solve_phase(
            master, "shortage_at_cap", deadline(0.5 if lexicographic else 1.0), dps, log, progress, max_iterations,
            **speed)
        out["shortage_lb_at_cap"] = None if at is None else max(0.0, at)
        master.cap_row.SetUb(master.lp.solver.infinity())
    if lexicographic:
        any_, statuses["shortage"] = _solve_phase(master, "shortage", deadline(1.0), dps, log, progress,
                                                  max_iterations, **speed)
        out["shortage_lb_any"] = None if any_ is None else max(0.0, any_)
        if overflow_cap is not None and out["shortage_lb_any"] is not None:
            at = out.get("shortage_lb_at_cap")
            out["shortage_lb_at_cap"] = max(at or 0.0, out["shortage_lb_any"])
    out["status"] = statuses
    out["columns"] = master.n_columns
    out["iterations"] = len(log)
    out["variables"] = master.lp.solver.NumVariables()
    out["constraints"] = master.lp.solver.NumConstraints()
    out["seconds"] = time.monotonic() - t0
    return out
