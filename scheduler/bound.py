"""A lower bound on overflow and shortage that a user can trust: the LP relaxation of the roster.

`lp_bound(scenario)` solves two linear programs with PDLP (OR-Tools' first-order LP solver; a
bound is read from its dual point, so it exists even when the time runs out) or GLOP:

1. LP1: minimise overflow customer-hours (SPEC 4, tier 1);
2. LP2: minimise shortage agent-hours (tier 2) with overflow <= LP1's value (+ a tolerance),
   and, for honesty, LP2': minimise shortage with no cap on overflow.

Every feasible roster (SPEC 3) maps to a feasible point of these LPs with the same overflow and
shortage, so LP1 <= the overflow of every roster and LP2' <= the shortage of every roster.
LP2 <= the shortage of every roster whose overflow is at most LP1 (the lexicographic optimum when
its overflow equals LP1); when a roster's overflow is above LP1, only LP2' bounds its shortage.

The relaxation
--------------

Agents with identical attributes (kind, efficiency, skills, home_queue, is_lead, night_ok,
max_hours_week) are pooled into a group with a head-count `n`; absences do not split a pool:
they cut how many of it may work an instance (`x <= members present`) and, in the per-agent
rules below, the right-hand side becomes the sum over members of min(the rule's limit, what that
member's own availability allows), so 20 absences cost no more rows than none. For each
group g, shift instance i the group may work (kinds, night_ok, absences: exactly as the model's
options) and queue q it may serve there (skills, or the move's `to` queue):

- `x[g,i,q]` >= 0: how many agents of g work i on q (fractional);
- `w[g,i,q,t]` in [0, x]: how many of them work slot t of i (the rest are on a break);
  the first and last slots are worked: `w = x` there.

Run rules (SPEC 3.3), per slot, inside one instance: every window of max_continuous + 1 slots,
and every window of max_continuous_high_load + 1 slots that are all high-load, holds a break:
`sum_{t in window} w[g,i,q,t] <= (len(window) - 1) * x[g,i,q]`. The windows are intervals, so
for one agent (x = 1) this polytope has integral vertices (an interval matrix is totally
unimodular): it is exactly the convex hull of *all* legal work/break patterns, not only the
model's maximal ones (the model caps them at 24 per instance and offers single-slot breaks
only; this bound covers any legal pattern a hand-edited roster may use).

The per-agent rules, summed over the group (valid because each agent satisfies them):

- one shift per date: `sum_{i on date d, q} x <= n`;
- rest: for a set A of instances of date d and a set B of a later date whose every pair (a, b)
  is closer than min_rest_hours (or overlaps), an agent works at most one of A u B, so
  `sum_{A u B} x <= n` (one such biclique family per pair of dates);
- consecutive days: in every window of max_consecutive_days + 1 dates, `sum x <= k * n`;
- night shifts: `sum_{night i} x <= max_night_shifts * n`;
- weekly hours: in each 7-day block from `start`, `sum w * slot hours <= n * max_hours_week`
  (in whole slots, as an agent can only work whole slots).

Coverage is exact and efficiency-weighted: staffed[t,q] = sum_g eff_g * sum_i w[g,i,q,t];
shortage >= required - staffed, overflow >= rate*session/60 - reroute_concurrency*staffed,
both >= 0 (SPEC 4), without the model's rounding to hundredths.

What is relaxed (so a roster may sit above the bound even when it is optimal):

- integrality: fractional agents, fractional shifts, fractional breaks;
- pooling: the per-agent rules hold for the group's sum, not for each agent;
- leads (SPEC 3.4) is dropped except for two valid consequences: a slot in which fewer than
  min_leads_on_duty leads could ever be on shift is worked by nobody, and
  `working(t) <= N * leads_on_shift(t) / min_leads_on_duty` (N = all agents), which a
  fractional lead satisfies cheaply;
- runs that join across two shift instances (possible only when min_rest_hours is shorter than
  a slot; the model keeps a slot between shifts, the bound does not);
- the rest rule is enforced on maximal bicliques of clashing instances of two dates, which is
  exact for one agent but, summed over a pool, weaker than the per-agent rule.

scheduler.bound_dw keeps one shift a date, rest, consecutive days and nights per agent instead
(columns of whole weeks of one agent, Dantzig-Wolfe): a tighter bound, slower, off in runs.

Rounding cuts (scheduler.bound_cuts): in every roster the number of a pool's agents working slot
t of an instance on q is whole, so each overflow and shortage row with a fractional requirement b
gets its mixed-integer rounding cut `s >= f * (ceil(b) - sum c(eff) * w)` (f = frac(b); proof
there). `lp_bound` adds them for its own solve (`cuts=True`); `build_lp`, whose LP pricing's duals
and the LP-guided start's primal point come from, has none.

`lp_bound(..., integer=True)` keeps the pooled head-counts integral (SCIP, its proven dual bound,
lowered by SCIP's tolerances as `scip_lower_bound` says): the same relaxation minus integrality, so
a tighter bound that is still valid for every roster.

Units: overflow in customer-hours, shortage in agent-hours, seconds of wall-clock time.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.bound_cuts import ServiceRow, add_mir_cuts
from scheduler.bound_dual import PdlpPoint, lagrangian_bound, lp_arrays, pdlp_bound_point
from scheduler.eligibility import Eligibility
from scheduler.grid import Grid
from scheduler.history import History, history_of
from scheduler.rules import HARD_RULES, Rule
from scheduler.scenario import Agent, Scenario

# the cut LP's PDLP time (scheduler.bound_cuts), as a multiple of what the same LP without them took
CUT_TIME = 5.0

RELAXED = ("integrality (fractional agents, shifts and breaks); per-agent rules summed over pools of "
           "identical agents; locks and the previous roster's rest, consecutive days and hours; the leads "
           "rule (only 'no lead can be on shift => nobody works' and a big-M form survive)")


def scip_lower_bound(proven: float, box: float, size: float = 0.0) -> float:
    """SCIP's proven dual bound `proven` of a minimisation, lowered so that it holds for the
    exact program: the one rule for every bound read off SCIP here (lp_bound's and
    mip_overflow_bound's pooled integer program, bound_day's day programs).

    SCIP (pywraplp keeps its defaults) is not exact: its dual bound is the least LP value over the
    open nodes, and it accepts a node LP as optimal when the rows hold within feastol (1e-6) and
    the reduced costs within dualfeastol (1e-7, absolute, per unit of a variable). A reduced cost
    of the wrong sign by up to 1e-7 at a variable's bound overstates that LP's value by up to 1e-7
    times how far the variable could move, its box; a row dual of the wrong sign by up to 1e-7
    (the dual of an active row) overstates it by up to 1e-7 times how far the row's activity
    could move, sum_j |a_ij| times the variables' boxes. Summed, that is 1e-7 * `box`
    (`variable_box`: the variables' max(|l_j|, |u_j|), the width when l_j = 0 as in every program
    here, plus each row's activity range), and it grows with the program, not with its value: an
    overflow slack's box is a slot's load (up to thousands of customers), a head-count's a pool's
    size. So the box term is needed wherever SCIP's bound is read, the pooled integer program
    included, not only on bound_day's subproblems whose objective are reduced costs. The rows'
    primal tolerance errs on the safe side for a bound, and is covered anyway by the relative
    1e-6 of the value and 1e-4 absolute; `size` (the sum of |c_j| * box_j) by 1e-9
    covers a caller's own floating-point arithmetic in the objective (bound_day computes it; 0
    where the objective is the program's own). Units: the objective's."""
    return proven - 1e-6 * abs(proven) - 1e-4 - 1e-7 * box - 1e-9 * size


def glop_lower_bound(solver: pywraplp.Solver) -> float:
    """A lower bound on a minimisation that GLOP solved to OPTIMAL: the Lagrangian bound at
    GLOP's duals (`bound_dual.lagrangian_bound`, lowered by its floating-point margin), the rule
    PDLP's bounds follow, and no more than GLOP's objective value shaved as before.

    GLOP's value is not a bound by itself: it holds for the exact program only up to GLOP's
    tolerances, and the one it documents for OPTIMAL (`solution_feasibility_tolerance`, 1e-6,
    checked on the unscaled program; the 1e-8 `dual_feasibility_tolerance` applies to its scaled
    one) lets a reduced cost be of the wrong sign by 1e-6 x max(1, |c_j|), which, as with SCIP
    (`scip_lower_bound`), overstates the value by that per unit of a variable's box: 1e-6 x 9.9e5
    = 1 customer-hour on 400 x 14. L(y) at GLOP's own duals needs no such margin: it holds for
    any y, whatever tolerance produced it, and with GLOP's (nearly exact) duals it is the
    optimum less a rounding margin. Units: the objective's."""
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    y = np.array([row.dual_value() for row in solver.constraints()], dtype=float)
    shaved = solver.Objective().Value() * (1 - 1e-6) - 1e-4
    return min(shaved, lagrangian_bound(proto, y))


def variable_box(solver: pywraplp.Solver) -> float:
    """`scip_lower_bound`'s box of a pywraplp program: the sum over its variables of
    max(|lower|, |upper|), plus the sum over its rows of sum_j |a_ij| * max(|l_j|, |u_j|) (how far
    the row's activity can move over the variables' boxes, which bounds what a row dual off by
    SCIP's tolerance can overstate); inf when a variable is unbounded: the bound then falls to
    nothing."""
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    _n, _c, lo_x, hi_x, _lo, _hi, _rows, cols, vals = lp_arrays(proto)
    box = np.maximum(np.abs(lo_x), np.abs(hi_x))
    return math.fsum(box) + math.fsum(np.abs(vals) * box[cols])


@dataclass
class _Group:
    agent: Agent                 # a representative (its absences are its own, not the pool's)
    count: int
    ids: list[str] = field(default_factory=list)
    members: list[Agent] = field(default_factory=list)


def agent_groups(scenario: Scenario) -> list[_Group]:
    """Pools of agents that no rule or objective term can tell apart, absences aside (an absence
    lowers how many of the pool may work an instance: see `Pool.room`)."""
    rules = scenario.config.rules
    groups: dict[tuple, _Group] = {}
    for a in scenario.agents:
        hours = a.max_hours_week if a.max_hours_week is not None else rules.max_hours_week
        limits = scenario.shift_limits.get(a.employee_id)  # a hire's --shifts: pooled apart
        key = (a.kind, a.efficiency, tuple(sorted(set(a.skills))), a.home_queue, a.is_lead, a.night_ok, hours,
               None if limits is None else tuple(sorted(limits)))
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(a, 0)
        g.count += 1
        g.ids.append(a.employee_id)
        g.members.append(a)
    return list(groups.values())


def available(eligibility: Eligibility, g: _Group, inst) -> int:
    """How many members of the pool may work this instance (kinds, night_ok, absences)."""
    return sum(1 for a in g.members if eligibility.allowed(a, inst))


@dataclass
class Pool:
    """One pool of identical agents in the LP: `on[i]` is how many of them work instance i (an
    LP expression), `per_date` their instances by date index, `week_terms` their worked-slot
    variables by 7-day block."""

    index: int
    group: _Group
    on: dict[int, Any]
    per_date: dict[int, list[int]]
    week_terms: dict[int, list]
    # members alike in their absences: (how many, the instances each of them may work)
    kinds: list[tuple[int, set[int]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.group.count

    def room(self, limit: float, allows: Callable[[set[int]], float] | None = None) -> float:
        """The right-hand side of a per-agent rule `sum <= limit` summed over the pool: the sum
        over members of min(limit, what `allows` says the member's own instances allow), so a
        member's absences cut the pool's room instead of splitting the pool."""
        if allows is None or not self.kinds:
            return limit * self.count
        return sum(n * min(limit, allows(mine)) for n, mine in self.kinds)

    @property
    def agent(self) -> Agent:
        return self.group.agent


@dataclass
class Column:
    """One pool working one instance on one queue in the LP, as pricing (scheduler.pricing) reads
    it: variable indices of x and of each slot's w (x itself at the first and last slots), and the
    range of rows that only this column's variables enter (its run-rule windows and w <= x): the
    rows of its pattern polytope, not rows that link it to other columns."""

    x: int
    w: list[int]
    rows: range


@dataclass
class BoundLP:
    """The LP under construction, as the rules' bound hooks see it (`scheduler.rules.base`)."""

    solver: pywraplp.Solver
    scenario: Scenario
    grid: Grid
    groups: list[_Group]
    eligibility: Eligibility
    dead: set[int] = field(default_factory=set)  # slots nobody may work
    working: dict[int, list] = field(default_factory=lambda: defaultdict(list))   # slot -> worked-slot variables
    leads_on: dict[int, list] = field(default_factory=lambda: defaultdict(list))  # slot -> leads on shift
    cuts: dict[tuple[int, int], int] = field(default_factory=dict)  # (pool, instance) -> members present, if fewer
    # (pool, instance, queue) -> its shift variable, worked-slot variables and its own rows (for pricing)
    columns: dict[tuple[int, int, str], Column] = field(default_factory=dict)
    over_terms: list = field(default_factory=list)   # overflow per slot and queue (customers)
    short_terms: list = field(default_factory=list)  # shortage per slot and queue (agents)
    service_rows: list[ServiceRow] = field(default_factory=list)  # overflow and shortage rows, for the cuts
    # --previous: the previous roster's shifts that run past `start` work and lead as constants (their
    # rest, consecutive days and hours, like the locks, are relaxed: they only remove rosters)
    history: History = field(init=False)

    def __post_init__(self) -> None:
        self.history = history_of(self.scenario, self.grid.start, self.grid.n_slots, self.grid.slot_minutes)

    @property
    def rules(self):
        return self.scenario.config.rules

    @property
    def n_total(self) -> int:
        return sum(g.count for g in self.groups)


def _shifts(lp: BoundLP, rule_list: list[Rule], new_var) -> tuple[dict, dict, dict]:
    """The LP's variables: x[g,i,q] (agents of pool g working instance i on queue q) and their
    worked slots w (the first and last slots are x itself); each rule's per-shift part."""
    grid, groups, solver, dead = lp.grid, lp.groups, lp.solver, lp.dead
    x: dict[tuple[int, int, str], pywraplp.Variable] = {}
    cov: dict[tuple[int, str], list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
    block_slots = 7 * 24 * 60 // grid.slot_minutes
    week_terms: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    for gi, g in enumerate(groups):
        for inst in grid.instances:
            n_free = available(lp.eligibility, g, inst)
            if not n_free:
                continue
            if n_free < g.count:
                lp.cuts[(gi, inst.index)] = n_free
            slots = list(inst.slots)
            if slots[0] in dead or slots[-1] in dead:
                continue  # its first and last slots must be worked
            for qid in lp.eligibility.queues(g.agent, inst.date):
                xv = new_var(0, n_free, f"x_{gi}_{inst.index}_{qid}")
                first_row = solver.NumConstraints()
                x[(gi, inst.index, qid)] = xv
                ws = []
                for k, t in enumerate(slots):
                    if k in (0, len(slots) - 1):
                        wv = xv
                    else:
                        wv = new_var(0, 0 if t in dead else g.count, f"w_{gi}_{inst.index}_{qid}_{t}")
                        row = solver.Constraint(-solver.infinity(), 0)  # w <= x, without parsing an expression
                        row.SetCoefficient(wv, 1)
                        row.SetCoefficient(xv, -1)
                    ws.append(wv)
                    cov[(t, qid)].append((g.agent.efficiency, wv))
                    lp.working[t].append(wv)
                    week_terms[(gi, t // block_slots)].append(wv)
                    if g.agent.is_lead:
                        lp.leads_on[t].append(xv)
                for rule in rule_list:
                    rule.bound_shift(lp, slots, ws, xv)
                lp.columns[(gi, inst.index, qid)] = Column(xv.index(), [v.index() for v in ws],
                                                           range(first_row, solver.NumConstraints()))

    return x, cov, week_terms


def _pools(lp: BoundLP, rule_list: list[Rule], x: dict, week_terms: dict) -> None:
    """Each rule for each pool of identical agents, summed over the pool, then across pools."""
    grid, groups, solver = lp.grid, lp.groups, lp.solver
    per_group_inst: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    for (gi, i, _q), v in x.items():
        per_group_inst[(gi, i)].append(v)
    insts_of_group: dict[int, list[int]] = defaultdict(list)
    for gi, i in per_group_inst:
        insts_of_group[gi].append(i)
    for (gi, i), n_free in lp.cuts.items():  # absences: at most the members present, over all queues
        vs = per_group_inst.get((gi, i), [])
        if len(vs) > 1:
            solver.Add(solver.Sum(vs) <= n_free)
    weeks_of_group: dict[int, dict[int, list]] = defaultdict(dict)
    for (gi, b), ws in week_terms.items():
        weeks_of_group[gi][b] = ws

    date_index = {d: n for n, d in enumerate(grid.dates)}
    for gi, g in enumerate(groups):
        mine = insts_of_group[gi]
        if not mine:
            continue
        on = {i: solver.Sum(per_group_inst[(gi, i)]) for i in mine}
        per_date: dict[int, list[int]] = defaultdict(list)
        for i in mine:
            per_date[date_index[grid.instances[i].date]].append(i)
        alike: dict[tuple, list] = defaultdict(list)
        for member in g.members:
            absent = lp.eligibility.absences.get(member.employee_id, ())
            alike[tuple((ab.start, ab.end) for ab in absent)].append(member)
        kinds = [(len(ms), {i for i in mine if lp.eligibility.allowed(ms[0], grid.instances[i])})
                 for ms in alike.values()]
        pool = Pool(gi, g, on, per_date, weeks_of_group[gi], kinds)
        for rule in rule_list:
            rule.bound_pool(lp, pool)
    for rule in rule_list:
        rule.bound_all(lp)



def _service(lp: BoundLP, cov: dict) -> tuple[list, list]:
    """Overflow and shortage per slot and queue (SPEC 4), exact and efficiency-weighted."""
    grid, solver, cfg = lp.grid, lp.solver, lp.scenario.config
    over_terms, short_terms = [], []
    R = cfg.rules.reroute_concurrency
    for q in cfg.queues:
        rate = grid.contacts_per_hour[q.id]
        for t in range(grid.n_slots):
            if rate[t] <= 0:
                continue
            coeff: dict = defaultdict(float)  # variable -> efficiency (rows built row by row: fast)
            for e, v in cov.get((t, q.id), []):
                coeff[v] += e
            before = lp.history.staffed[q.id][t]  # the previous roster's shifts past `start`
            load = rate[t] * q.session_minutes / 60.0
            req = rate[t] / q.contacts_per_agent_hour
            # never more than all of it: boxed variables keep every Lagrangian bound finite
            ov = solver.NumVar(0, load, f"over_{t}_{q.id}")
            sh = solver.NumVar(0, req, f"short_{t}_{q.id}")
            over_row = solver.Constraint(load - R * before, solver.infinity())  # ov + R * staffed >= load
            short_row = solver.Constraint(req - before, solver.infinity())      # sh + staffed >= req
            over_row.SetCoefficient(ov, 1)
            short_row.SetCoefficient(sh, 1)
            for v, e in coeff.items():
                over_row.SetCoefficient(v, R * e)
                short_row.SetCoefficient(v, e)
            over_terms.append(ov)
            short_terms.append(sh)
            terms = cov.get((t, q.id), [])
            lp.service_rows.append(ServiceRow(ov, R, (load - R * before) / R, terms))
            lp.service_rows.append(ServiceRow(sh, 1.0, req - before, terms))
    return over_terms, short_terms


def build_lp(scenario: Scenario, integer: bool = False, hard_rules: Sequence[Rule] | None = None
             ) -> tuple[BoundLP, Any, Any]:
    """The relaxation of the module docstring, built but not solved: (the LP, its overflow in
    customer-hours and its shortage in agent-hours, as linear expressions; 0 when no slot has
    demand)."""
    grid = Grid(scenario)
    solver = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
    lp = BoundLP(solver, scenario, grid, agent_groups(scenario), Eligibility(scenario))
    rule_list = list(HARD_RULES if hard_rules is None else hard_rules)
    for rule in rule_list:
        rule.bound_setup(lp)
    x, cov, week_terms = _shifts(lp, rule_list, solver.IntVar if integer else solver.NumVar)
    _pools(lp, rule_list, x, week_terms)
    lp.over_terms, lp.short_terms = _service(lp, cov)
    d_h = grid.delta_hours
    overflow = solver.Sum(lp.over_terms) * d_h if lp.over_terms else 0
    shortage = solver.Sum(lp.short_terms) * d_h if lp.short_terms else 0
    return lp, overflow, shortage


@dataclass
class BuiltLP:
    """The relaxation built once per run: pricing (scheduler.pricing) builds and solves it for its
    duals before the model exists, and the run's closing bound (`lp_bound(built=...)`) solves it
    again, from PDLP's point there, instead of building it a second time. `lp_bound` adds rows to
    it, so it serves one `lp_bound` call (`take`); a later call builds its own."""

    lp: BoundLP
    overflow: Any   # customer-hours, a linear expression of the LP
    shortage: Any   # agent-hours
    hard_rules: Sequence[Rule] | None
    point: PdlpPoint | None = None  # PDLP's last point on this LP (any objective), to start from
    proto: Any = None               # the LP as PDLP read it for that point (pricing reads its rows)
    taken: bool = False

    def take(self, scenario: Scenario, hard_rules: Sequence[Rule] | None) -> bool:
        """Is this the LP of `scenario` under these rules, not used by an `lp_bound` yet? Then it
        is now."""
        if self.taken or self.lp.scenario is not scenario or self.hard_rules is not hard_rules:
            return False
        self.taken = True
        return True


def primal_counts(built: BuiltLP | None) -> dict[tuple[int, int, str], float] | None:
    """From the run's solved LP (`scheduler.pricing.solved_lp(rm)`, PDLP's point for OVERFLOW_WEIGHT
    x overflow + shortage, an iteration limit: approximate, fractional): how many agents of pool
    g (`built.lp.groups[g]`, its members' ids in `.ids`) work instance i (grid index) on queue q,
    as {(g, i, q): count}; None when there is no point (no demand). Read-only: the closing bound
    may solve this LP again later (`lp_bound(built=...)`), which changes neither the point nor
    this answer."""
    if built is None or built.point is None or len(built.point.primal) != built.lp.solver.NumVariables():
        return None
    x = built.point.primal
    return {key: max(0.0, float(x[col.x])) for key, col in built.lp.columns.items()}


def lp_bound(scenario: Scenario, time_limit_s: float = 30, overflow_cap: float | None = None,
             integer: bool = False, hard_rules: Sequence[Rule] | None = None, lexicographic: bool = True,
             lp_solver: str = "PDLP", built: BuiltLP | None = None, shortage_cap: float | None = None,
             flex_cap: float | None = None, cuts: bool = True) -> dict:
    """LP lower bounds of the roster problem (see the module docstring for what is relaxed).

    Returns a dict:

    - "overflow_lb": customer-hours, for every roster;
    - "shortage_lb": agent-hours, for rosters whose overflow is at most overflow_lb;
    - "shortage_lb_any": agent-hours, for every roster;
    - "shortage_lb_at_cap" (only with `overflow_cap`, customer-hours, e.g. a roster's overflow):
      agent-hours, for rosters whose overflow is at most the cap;
    - "status" ("OPTIMAL", or what stopped a solve), "seconds" (wall-clock), "groups",
      "variables", "constraints" (cuts included), "cuts" (rounding cuts added), "cuts_status"
      (PDLP's termination with the cuts), "relaxes".

    The LPs are solved with PDLP (`lp_solver="PDLP"`, the default): each bound is the Lagrangian
    bound of PDLP's last dual point (scheduler.bound_dual), valid whether or not PDLP converged
    in its share of `time_limit_s`, so a bound is never missing; "status" is TIME_LIMIT when one
    stopped early (its bound is then weaker, not wrong). With `lp_solver="GLOP"` (simplex) a bound
    is None when its LP did not finish optimal. `lexicographic=False` with an `overflow_cap`
    computes only "overflow_lb" and "shortage_lb_at_cap" (what a run reports), in less time.



    With `integer=True` the pooled head-counts x and w are integers and SCIP's proven dual bound is
    reported instead (still a valid bound: only the pooling and the leads rule are relaxed); it
    is tighter and slower, and a MIP stopped by the time limit still proves its best bound. With
    an `overflow_cap` it computes only "overflow_lb" (a third of the time) and "shortage_lb_at_cap".

    `cuts`: add the rounding cuts of scheduler.bound_cuts to the LP (not to the integer program, whose
    whole points keep them already): a tighter bound, valid for every roster. PDLP converges more
    slowly with them, so with PDLP each LP is solved without them first, exactly as with
    `cuts=False`, and when that converges with time left, on from its point with them for that time
    (at most CUT_TIME times what the first took, and never beyond the LP's own share); the better of
    the two bounds is kept. So each LP's bound is never weaker than without cuts given the time it
    starts with; a cut solve spends time of its LP's share that the LPs after it would otherwise
    inherit, so a later LP short of time can end a little weaker (still valid). "status" is the
    first solve's, "cuts_status" the second's (absent when no LP had time left for it).

    `built`: this run's LP, built (and solved once) by pricing; used instead of building it again
    when it is this scenario's under the same rules (`BuiltLP.take`), and PDLP starts from its point.

    The hours tiers, where it is cheap (`lexicographic=False`, PDLP, and time left after the
    service LPs converged): with `shortage_cap` (agent-hours, a roster's shortage),
    "flex_hours_lb" (hours) bounds the flex hours of rosters with overflow at most `overflow_cap`
    and shortage at most `shortage_cap`; with `flex_cap` as well (hours), "regular_hours_lb"
    (agent-hours of efficiency 1, as the tier counts them) bounds the regular hours of rosters
    with flex hours at most that besides. Valid only under those conditions: a roster worse in
    service may use fewer hours.
    """
    t0 = time.monotonic()
    start: PdlpPoint | None = None
    if built is not None and not integer and built.take(scenario, hard_rules):
        lp, overflow, shortage, start = built.lp, built.overflow, built.shortage, built.point
    else:
        lp, overflow, shortage = build_lp(scenario, integer, hard_rules)
    solver, groups, over_terms = lp.solver, lp.groups, lp.over_terms
    c0 = solver.NumConstraints()
    n_cuts = len(add_mir_cuts(solver, lp.service_rows)) if cuts and not integer else 0
    c1 = c0 + n_cuts  # the cuts are rows c0..c1-1 of the LP
    # PDLP converges more slowly with the cuts: each LP is solved without them first, as without
    # cuts (the rows taken out of what PDLP reads), and, when that converges in less than its time,
    # on from that point with them; the better of the two (valid) bounds is kept
    staged = bool(n_cuts) and lp_solver == "PDLP"

    def without_cuts(point: PdlpPoint | None) -> PdlpPoint | None:
        if point is None or len(point.dual) <= c0:
            return point
        return PdlpPoint(point.primal, np.concatenate([point.dual[:c0], point.dual[c1:]]), point.reason)

    def with_cuts(point: PdlpPoint) -> PdlpPoint:  # the cuts' duals at 0
        if len(point.dual) <= c0:
            return point
        dual = np.concatenate([point.dual[:c0], np.zeros(n_cuts), point.dual[c0:]])
        return PdlpPoint(point.primal, dual, point.reason)

    out = {"overflow_lb": None, "shortage_lb": None, "shortage_lb_any": None, "status": "OPTIMAL",
           "solver": "SCIP" if integer else lp_solver,
           "groups": len(groups), "variables": solver.NumVariables(), "constraints": solver.NumConstraints(),
           "cuts": n_cuts, "relaxes": RELAXED}
    if not over_terms:
        out.update(overflow_lb=0.0, shortage_lb=0.0, shortage_lb_any=0.0, seconds=time.monotonic() - t0)
        return out

    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE",
             pywraplp.Solver.INFEASIBLE: "INFEASIBLE", pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
             pywraplp.Solver.ABNORMAL: "ABNORMAL", pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED"}

    def run(objective, share: float = 1.0, least: float = 0.0, cuts_only: bool = False) -> float | None:
        nonlocal start
        left = time_limit_s - (time.monotonic() - t0)
        if least and left * share < least:
            return None  # an optional LP without the time it needs: not started
        if left <= 0 and (integer or out["solver"] == "GLOP"):
            out["status"] = "TIME_LIMIT"
            return None
        solver.Minimize(objective)
        if not integer and out["solver"] == "PDLP":
            # a first-order method: its last dual point gives a valid bound however early it
            # stops, so a bound that runs out of time is weaker, never missing
            budget, began = 0.8 * left * share, time.monotonic()  # the rest: reading its dual point
            proto = linear_solver_pb2.MPModelProto()
            solver.ExportModelToProto(proto)
            full = proto
            if staged:
                proto = linear_solver_pb2.MPModelProto()
                proto.CopyFrom(full)
                del proto.constraint[c0:c1]
            if staged and cuts_only:  # the LP without cuts converged before: on with the cuts only
                value, reason, cut_limit = -math.inf, "OPTIMAL", 0.8 * budget
            else:  # each LP starts from the last one's point
                value, point = pdlp_bound_point(proto, budget, start=without_cuts(start) if staged else start)
                reason = point.reason
                start = with_cuts(point) if staged else point
                if reason != "OPTIMAL":
                    out["status"] = "TIME_LIMIT" if reason == "TIME_LIMIT" else reason
                took = time.monotonic() - began
                # at most a few times what the LP without cuts took: the time a run's bound leaves
                # goes to the pooled integer program and the hours tiers (scheduler.app)
                cut_limit = min(budget - took, CUT_TIME * took + 0.3)
            if staged and reason == "OPTIMAL" and cut_limit >= 0.3:
                more, point = pdlp_bound_point(full, cut_limit, start=start)
                out["cuts_status"] = point.reason
                if point.reason in ("OPTIMAL", "TIME_LIMIT"):  # else (infeasible, numerical) the first stands
                    value, start = max(value, more), point
            return max(0.0, value)  # every tier is >= 0
        solver.SetTimeLimit(int(left * share * 1000))
        status = solver.Solve()
        if integer and status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            if status != pywraplp.Solver.OPTIMAL:
                out["status"] = "TIME_LIMIT"
            # the proven bound, not the incumbent, less SCIP's tolerances (`scip_lower_bound`; the
            # box read now: it counts the rows added since, the overflow cap's)
            return max(0.0, scip_lower_bound(solver.Objective().BestBound(), variable_box(solver)))
        if status != pywraplp.Solver.OPTIMAL:
            out["status"] = names.get(status, str(status))
            return None
        return max(0.0, glop_lower_bound(solver))

    if integer and overflow_cap is not None:
        # the MIP answers one question: how good can a roster as good as this one in tier 1 be
        lb1 = out["overflow_lb"] = run(overflow, share=1 / 3)
        if lb1 is not None:
            solver.Add(overflow <= max(overflow_cap, lb1) * (1 + 1e-6) + 1e-4)
            out["shortage_lb_at_cap"] = run(shortage)
        out["seconds"] = time.monotonic() - t0
        return out
    if overflow_cap is not None and not lexicographic:
        # what a run needs: tier 1 for every roster, tier 2 among rosters as good in tier 1 as this one
        if overflow_cap <= 1e-5:
            # a roster without overflow is optimal in tier 1 already (0 bounds every roster), so all
            # the time goes to tier 2 -- unless no roster is that good (a cap below every roster's
            # overflow: the LP is infeasible and its dual bound unbounded), then as below
            row = solver.Add(overflow <= 1e-4)
            most = sum(v.ub() for v in lp.short_terms) * lp.grid.delta_hours  # all of it short

            def plausible(value: float | None) -> bool:  # what a feasible LP's bound can be
                return out["status"] != "PRIMAL_INFEASIBLE" and value is not None and value <= most + 1e-6

            # half the time first, so that an infeasible cap PDLP does not see through leaves the
            # LPs below their time; a feasible one that has not converged goes on from its point
            at_cap = run(shortage, share=0.5)
            cuts_left = out["status"] == "OPTIMAL" and staged and out.get("cuts_status") != "OPTIMAL"
            if plausible(at_cap) and (out["status"] != "OPTIMAL" or cuts_left) and not integer \
                    and out["solver"] == "PDLP":
                out["status"] = "OPTIMAL"
                # an infeasible LP found out now falls back below; the cuts alone get 0.8 of this
                # call's budget (0.32 of the time left)
                more = run(shortage, share=0.5 if cuts_left else 1.0, cuts_only=cuts_left)
                if more is not None and at_cap is not None and plausible(more):
                    at_cap = max(at_cap, more)
            if plausible(at_cap):
                out.update(overflow_lb=0.0, shortage_lb_at_cap=at_cap)
                hours_stages(lp, run, out, shortage_cap, flex_cap)
                out["seconds"] = time.monotonic() - t0
                return out
            row.SetUb(solver.infinity())
            out["status"] = "OPTIMAL"
            start = None  # the point of an infeasible LP is no place to start from
        lb1 = out["overflow_lb"] = run(overflow, share=0.4)
        if lb1 is not None:
            solver.Add(overflow <= max(overflow_cap, lb1) * (1 + 1e-6) + 1e-4)
            out["shortage_lb_at_cap"] = run(shortage)
            hours_stages(lp, run, out, shortage_cap, flex_cap)
        out["seconds"] = time.monotonic() - t0
        return out
    lb1 = run(overflow, share=0.4 if overflow_cap is None else 0.25)
    out["overflow_lb"] = lb1
    if lb1 is not None:
        out["shortage_lb_any"] = any_ = run(shortage, share=0.5 if overflow_cap is None else 1 / 3)
        if overflow_cap is not None:
            # a roster whose overflow is above LP1: bound its shortage among rosters as good in tier 1
            cap = max(overflow_cap, lb1)
            row = solver.Add(overflow <= cap * (1 + 1e-6) + 1e-4)
            at_cap = run(shortage, share=0.5)
            out["shortage_lb_at_cap"] = None if at_cap is None or any_ is None else max(at_cap, any_)
            row.SetUb(lb1 * (1 + 1e-6) + 1e-4)
        else:
            solver.Add(overflow <= lb1 * (1 + 1e-6) + 1e-4)
        before = out["status"]
        lex = run(shortage)
        most = sum(v.ub() for v in lp.short_terms) * lp.grid.delta_hours  # all of it short
        if out["status"] == "PRIMAL_INFEASIBLE" or (lex is not None and lex > most + 1e-6):
            # LP1's bound can sit a hair below the LP's optimum, and then no point has an overflow
            # that low: that LP's dual bound says nothing, the bounds below still hold
            lex, out["status"] = None, before
        at = out.get("shortage_lb_at_cap")
        if lex is not None and at is not None and overflow_cap is not None and overflow_cap <= lb1:
            # a cap at LP1 (a roster without overflow, say): the last LP is the at-cap LP again, run on
            # from its point, so its bound holds for those rosters too
            out["shortage_lb_at_cap"] = max(at, lex)
        # rosters at LP1's overflow are among those at the cap: the at-cap bound holds for them too
        out["shortage_lb"] = None if any_ is None else max(
            lex or 0.0, any_, out.get("shortage_lb_at_cap") or 0.0)
    out["seconds"] = time.monotonic() - t0
    return out


def hours_terms(lp: BoundLP) -> tuple[Any, Any]:
    """Flex hours and regular agent-hours (efficiency-weighted in hundredths, as the tiers of
    scheduler.objective count them) of the LP's worked-slot variables, as linear expressions."""
    variables = lp.solver.variables()
    flex: list = []
    regular: list = []
    d_h = lp.grid.delta_hours
    for (gi, _i, _q), col in lp.columns.items():
        agent = lp.groups[gi].agent
        if agent.kind == "flex":
            flex.extend(variables[j] * d_h for j in col.w)
        elif agent.kind == "regular":
            coeff = round(agent.efficiency * 100) / 100 * d_h
            regular.extend(variables[j] * coeff for j in col.w)
    return lp.solver.Sum(flex) if flex else 0, lp.solver.Sum(regular) if regular else 0


def hours_stages(lp: BoundLP, run: Callable[..., float | None], out: dict, shortage_cap: float | None,
                 flex_cap: float | None) -> None:
    """After the service LPs (their overflow cap already a row of `lp`): the hours tiers' bounds
    among rosters as good in service (see `lp_bound`), only when the service LPs converged and
    time is left, so they never take time from the service bounds."""
    if shortage_cap is None or out.get("status") != "OPTIMAL" or out.get("solver") != "PDLP":
        return
    solver, d_h = lp.solver, lp.grid.delta_hours
    flex, regular = hours_terms(lp)
    shortage = solver.Sum(lp.short_terms) * d_h if lp.short_terms else 0
    if isinstance(flex, (int, float)) and isinstance(regular, (int, float)):
        return
    solver.Add(shortage <= shortage_cap * (1 + 1e-6) + 1e-4)
    for key, expr in (("flex_hours_lb", flex), ("regular_hours_lb", regular)):
        if key == "regular_hours_lb":
            if flex_cap is None:
                return
            if not isinstance(flex, (int, float)):
                solver.Add(flex <= flex_cap * (1 + 1e-6) + 1e-4)
        if isinstance(expr, (int, float)):
            out[key] = 0.0
            continue
        value = run(expr, share=0.5 if key == "flex_hours_lb" else 1.0, least=0.5)
        # the service bounds converged (the run's status); these are extra, with their own status
        out["hours_status"], out["status"] = ("no time left" if value is None else out["status"]), "OPTIMAL"
        if value is None:
            return
        out[key] = value


def mip_overflow_bound(scenario: Scenario, time_limit_s: float, hard_rules: Sequence[Rule] | None = None) -> dict:
    """The overflow bound of the pooled integer program (`build_lp(integer=True)`: the relaxation
    of the module docstring with whole head-counts and worked slots), SCIP's proven dual bound
    after at most about `time_limit_s` seconds: valid for every roster whether or not SCIP
    finished, and often far above the LP's where a whole agent is what a queue needs (a night on
    which only a few people may serve one queue: the LP serves it with a fraction of one).
    Returns {"overflow_lb" (customer-hours, None when SCIP had no answer), "status", "seconds"}."""
    t0 = time.monotonic()
    out: dict = {"overflow_lb": None, "status": "NOT_SOLVED", "seconds": 0.0}
    lp, overflow, _shortage = build_lp(scenario, integer=True, hard_rules=hard_rules)
    box = variable_box(lp.solver)
    left = time_limit_s - (time.monotonic() - t0)
    if not lp.over_terms:
        out.update(overflow_lb=0.0, status="OPTIMAL")
    elif left > 0.2:
        lp.solver.Minimize(overflow)
        lp.solver.SetTimeLimit(int(left * 1000))
        status = lp.solver.Solve()
        if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            out["status"] = "OPTIMAL" if status == pywraplp.Solver.OPTIMAL else "TIME_LIMIT"
            # the proven bound, not the incumbent, less the solver's tolerances
            out["overflow_lb"] = max(0.0, scip_lower_bound(lp.solver.Objective().BestBound(), box))
    out["seconds"] = time.monotonic() - t0
    return out
