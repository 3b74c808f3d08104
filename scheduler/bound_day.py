"""A lower bound on shortage (and overflow) by Lagrangian relaxation with integer day subproblems.

scheduler.bound's LP (with the rounding cuts of scheduler.bound_cuts) staffs fractional agents.
This bound keeps the same relaxation, dualizes the rows that link dates at the LP's (PDLP's) dual
point y, and solves what is left, which falls apart by date, with the pooled head-counts kept
WHOLE on the dates chosen (SCIP's proven dual bound): where a date's demand needs whole agents on
its shifts and break patterns that the LP covers with fractions, the bound rises above the LP's.

The relaxation
--------------

P: the LP of `bound.build_lp` (a fresh one, built here: the one that pricing and the LP-guided
start read is never touched) with the rounding cuts and, for the shortage bound at an overflow cap, the
row `overflow <= cap`, minimising c.z = the tier. Every legal roster maps to a point z of P with
the same objective (scheduler.bound's docstring; the cuts: scheduler.bound_cuts) whose x and w
are whole numbers (how many agents of a pool work an instance on a queue, and a slot of it).

Blocks: each date d (or a set of dates, `blocks`) is a block B; its variables V_B are the x and w
of the instances of B's dates, and each overflow/shortage slack whose service row's worked-slot
variables all lie in V_B (a slot only B's instances cover). A row is *kept* in B when every one of
its variables lies in V_B (w <= x, run windows, one shift a date, absences' head-count caps, the
service rows and cuts of B's slots, the leads rows of those slots); every other row is dualized
(weekly hours, rest between dates, consecutive days, nights, the overflow cap, a slot covered from
two blocks). Variables in no block (a slack of a dualized service row) stay in their box.

The bound, and why it holds
---------------------------

For any vector y (one value per row; a value on a row's infinite side is taken as 0), with D the
dualized rows and r = c - A_D^T y_D:

    L(y) = sum_{r in D} (lo_r max(y_r, 0) + hi_r min(y_r, 0))
         + sum_{j in no block} min(r_j l_j, r_j u_j)
         + sum_B  v_B,     v_B <= min { r . z_B : z_B in its box, B's kept rows, x and w whole }.

Proof that L(y) <= c.z for every roster's point z: c.z = y_D . A_D z + r . z. Each dualized row's
term is at least its part of the first line (z keeps the row); a variable in no block is in no
kept row, so its r is the full reduced cost and r_j z_j >= min(r_j l_j, r_j u_j); and z restricted
to V_B keeps B's kept rows, its box and integrality, so r . z_B >= v_B. QED. Valid for ANY y.

v_B is, per block, the larger of two valid values:
- its *share*: the block's part of bound_dual's L(y) over ALL rows, i.e. the kept rows' terms at y
  plus the box minimum of the full reduced costs (weak duality of B's LP relaxation with the kept
  rows' y as its dual), so sum of the shares is bound_dual's `lagrangian_value(y)`: this bound is
  never below the LP's Lagrangian bound at the same y;
- on the dates chosen, SCIP's proven dual bound of the integer program min r . z_B (x, w whole),
  lowered by the solver's tolerances and a floating-point margin.

The week part (`weeks`): the dualized pooled rows of the four per-agent rules of scheduler.bound_dw
(one shift a date, rest, consecutive days, nights) are replaced by whole weeks of one agent: their
terms sum_W hi_R y_R (<= rows, y_R <= 0) leave L(y), and each agent type k (bound_dw.agent_types)
adds n_k * min over its legal weeks (bound_dw.WeekDP) of sum_{i in the week} u[g_k, i] with
u[g, i] = sum_{R in W} y_R (every x[g, i, q] has coefficient 1 in a pooled row). Valid as in
bound_dw: a roster's agents each work one legal week, and sum_W y_R A_R z = sum_{g,i} u[g,i] *
(agents of g on i) >= sum_k n_k * that minimum. The bound takes the week part only where it adds
(the max of two valid bounds).

At an optimal LP dual y, B's LP relaxation equals its share (the sum of the shares is the LP
optimum), so the gain is exactly the integrality that the other blocks' prices leave: fractional
agents on a date's shifts and patterns that no whole plan can match at the same prices of weekly
hours, rest and consecutive days.

Units: overflow in customer-hours, shortage in agent-hours, seconds of wall-clock time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.bound import BoundLP, Pool, build_lp, scip_lower_bound
from scheduler.bound_cuts import add_mir_cuts
from scheduler.bound_dual import PdlpPoint, a_transpose_y, lagrangian_value, lp_arrays, pdlp_bound_point, row_terms
from scheduler.bound_dw import WEEKLY_RULES, WeekDP, agent_types, missing_weekly_rules
from scheduler.pricing import linking_reduced_costs
from scheduler.rules import HARD_RULES, Rule
from scheduler.scenario import Scenario

# the step lengths along PDLP's dual ray tried (as bound_dual.pdlp_bound_point): every one is valid
STEPS = (1.0, 0.9, 0.75, 0.5)


class _Recorded(Rule):
    """A rule as build_lp sees it, noting the rows its `bound_pool` adds (the pooled rows of the
    four weekly rules, which the week part of the bound replaces): the LP is the same."""

    def __init__(self, inner: Rule, rows: list[int]):
        self.inner, self.rows, self.name = inner, rows, inner.name

    def add(self, rm) -> None:  # never called: only build_lp reads this rule
        self.inner.add(rm)

    def greedy(self, rm):
        return self.inner.greedy(rm)

    def bound_setup(self, lp: BoundLP) -> None:
        self.inner.bound_setup(lp)

    def bound_shift(self, lp: BoundLP, slots: list[int], worked: list, shift) -> None:
        self.inner.bound_shift(lp, slots, worked, shift)

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        first = lp.solver.NumConstraints()
        self.inner.bound_pool(lp, pool)
        self.rows.extend(range(first, lp.solver.NumConstraints()))

    def bound_all(self, lp: BoundLP) -> None:
        self.inner.bound_all(lp)


def _lp_for(scenario: Scenario, objective: str, overflow_cap: float | None, hard_rules: Sequence[Rule] | None,
            cuts: bool) -> tuple[BoundLP, linear_solver_pb2.MPModelProto, int, int, list[int] | None]:
    """P of the module docstring as a proto: (the LP, the proto, the first cut row, the row after
    the last cut, the pooled rows of the four weekly rules: None when the rule set lacks one)."""
    chosen = list(HARD_RULES if hard_rules is None else hard_rules)
    weekly: list[int] | None = None  # without one of the four, no week part
    if not missing_weekly_rules(chosen):
        weekly = []
        chosen = [_Recorded(r, weekly) if isinstance(r, WEEKLY_RULES) else r for r in chosen]
    lp, overflow, shortage = build_lp(scenario, hard_rules=chosen)
    solver = lp.solver
    c0 = solver.NumConstraints()
    if cuts:
        add_mir_cuts(solver, lp.service_rows)
    c1 = solver.NumConstraints()
    if objective == "shortage" and overflow_cap is not None and lp.over_terms:
        solver.Add(overflow <= overflow_cap * (1 + 1e-6) + 1e-4)
    solver.Minimize(overflow if objective == "overflow" else shortage)
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    return lp, proto, c0, c1, weekly


def solve_duals(proto: linear_solver_pb2.MPModelProto, c0: int, c1: int, time_limit_s: float) -> PdlpPoint:
    """PDLP's point on P: first without the cuts (rows c0..c1-1 taken out; PDLP converges faster),
    then on from that point with them, as `bound.lp_bound` does."""
    t0 = time.monotonic()
    if c1 > c0:
        plain = linear_solver_pb2.MPModelProto()
        plain.CopyFrom(proto)
        del plain.constraint[c0:c1]
        _v, point = pdlp_bound_point(plain, 0.4 * time_limit_s)
        dual = np.concatenate([point.dual[:c0], np.zeros(c1 - c0), point.dual[c0:]])
        start = PdlpPoint(point.primal, dual, point.reason)
        left = time_limit_s - (time.monotonic() - t0)
        _v, full = pdlp_bound_point(proto, max(0.3, left), start=start)
        return full
    _v, point = pdlp_bound_point(proto, time_limit_s)
    return point


def glop_duals(proto: linear_solver_pb2.MPModelProto, time_limit_s: float) -> PdlpPoint:
    """GLOP's (simplex) optimal point on P, for small LPs and tests (exact and deterministic);
    a point of zeros, reason the status, when it does not finish optimal (then L(0) still holds)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.LoadModelFromProto(proto)
    solver.SetTimeLimit(int(max(0.1, time_limit_s) * 1000))
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return PdlpPoint(np.zeros(len(proto.variable)), np.zeros(len(proto.constraint)), str(status))
    primal = np.array([v.solution_value() for v in solver.variables()])
    dual = np.array([c.dual_value() for c in solver.constraints()])
    return PdlpPoint(primal, dual, "OPTIMAL")


def date_blocks(lp: BoundLP, n_vars: int, blocks: Sequence[Sequence[int]] | None = None) -> np.ndarray:
    """Each variable's block (-1: none): x and w by their instance's date (`blocks`: lists of date
    indices, one block each; default one block per date), a service slack by its row's worked-slot
    variables when they all lie in one block."""
    grid = lp.grid
    date_index = {d: n for n, d in enumerate(grid.dates)}
    of_date = list(range(len(grid.dates)))
    if blocks is not None:
        of_date = [-1] * len(grid.dates)
        for b, ds in enumerate(blocks):
            for d in ds:
                of_date[d] = b
    block = np.full(n_vars, -1, dtype=np.int64)
    for (_g, i, _q), col in lp.columns.items():
        b = of_date[date_index[grid.instances[i].date]]
        block[col.x] = b
        block[col.w] = b
    for row in lp.service_rows:
        bs = {int(block[v.index()]) for _e, v in row.terms}
        if len(bs) == 1 and -1 not in bs:
            block[row.slack.index()] = bs.pop()
    return block


def _row_blocks(arrays, var_block: np.ndarray) -> np.ndarray:
    """Each row's block when all its variables lie in that one block, else -1 (dualized)."""
    _n, _c, _lx, _hx, lo, _hi, rows, cols, _vals = arrays
    m = len(lo)
    b = var_block[cols]
    least = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    most = np.full(m, -2, dtype=np.int64)
    np.minimum.at(least, rows, b)
    np.maximum.at(most, rows, b)
    kept = (least == most) & (least >= 0)
    return np.where(kept, least, -1)


def block_program(proto: linear_solver_pb2.MPModelProto, arrays, r: np.ndarray, var_block: np.ndarray,
                  row_block: np.ndarray, b: int,
                  integer: np.ndarray) -> tuple[linear_solver_pb2.MPModelProto, float, float]:
    """Block b's subproblem as a proto: its variables with `r`, the reduced costs of the dualized
    rows only (the same for every block: `day_bound` computes them once), its kept rows, x and w
    integer; the sum of |r_j| * max(|l_j|, |u_j|) and `scip_lower_bound`'s box (the sum of
    max(|l_j|, |u_j|) plus each kept row's sum_j |a_ij| * max(|l_j|, |u_j|); for the margins)."""
    n, _c, lo_x, hi_x = arrays[:4]
    mine = np.flatnonzero(var_block == b)
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[mine] = np.arange(len(mine))
    out = linear_solver_pb2.MPModelProto()
    for j in mine:
        v = out.variable.add()
        v.lower_bound, v.upper_bound = float(lo_x[j]), float(hi_x[j])
        v.objective_coefficient = float(r[j])
        v.is_integer = bool(integer[j])
    width = np.maximum(np.abs(lo_x), np.abs(hi_x))
    rows_range = 0.0  # how far the kept rows' activities can move (`scip_lower_bound`)
    for k in np.flatnonzero(row_block == b):
        src = proto.constraint[int(k)]
        dst = out.constraint.add()
        dst.lower_bound, dst.upper_bound = src.lower_bound, src.upper_bound
        dst.var_index.extend(int(new_index[j]) for j in src.var_index)
        dst.coefficient.extend(src.coefficient)
        rows_range += float(np.dot(np.abs(np.asarray(src.coefficient, dtype=float)),
                                   width[np.asarray(src.var_index, dtype=np.int64)]))
    box = width[mine]
    return out, float(np.sum(np.abs(r[mine]) * box)), float(np.sum(box)) + rows_range


def shares(arrays, y: np.ndarray, var_block: np.ndarray, row_block: np.ndarray, n_blocks: int) -> np.ndarray:
    """Each block's part of bound_dual's L(y) over all rows (y already cleaned of infinite sides):
    its kept rows' terms plus the box minimum of its variables' full reduced costs."""
    _n, c, lo_x, hi_x = arrays[:4]
    r = c - a_transpose_y(arrays, y)
    col_terms = np.minimum(r * lo_x, r * hi_x)
    out = np.zeros(n_blocks)
    kept = row_block >= 0
    np.add.at(out, row_block[kept], row_terms(arrays, y)[kept])
    inb = var_block >= 0
    np.add.at(out, var_block[inb], col_terms[inb])
    return out


def _week_gain(lp: BoundLP, arrays, y: np.ndarray, weekly: np.ndarray, row_block: np.ndarray) -> float:
    """What the week part adds to L(y): the pooled weekly-rule rows that are dualized (W) leave
    their terms sum_W hi_R * y_R (y_R <= 0: `<=` rows), and each agent type k instead pays
    n_k * min over its legal weeks of sum_{i in the week} u[g_k, i], u[g, i] = sum_{R in W} y_R
    A_R,x[g,i,q] (the same for every queue q: a pooled row counts sum_q x). Lowered by a
    floating-point margin."""
    dual_w = np.zeros(len(arrays[4]))
    chosen = weekly[row_block[weekly] < 0]
    dual_w[chosen] = y[chosen]
    aty = a_transpose_y(arrays, dual_w)
    terms = row_terms(arrays, dual_w)
    dropped = math.fsum(terms)
    u: dict[tuple[int, int], float] = {}
    for (g, i, _q), col in lp.columns.items():
        w = float(aty[col.x])
        if u.setdefault((g, i), w) != w:  # a pooled row counts every queue alike; else no week part
            return 0.0
    total = 0.0
    margin = 1e-9 * (float(np.abs(terms).sum()) + 1.0)
    for t in agent_types(lp):
        weight = {i: u[(t.pool, i)] for i in t.insts}
        cost, _week = WeekDP(lp, t).best(weight)
        total += t.count * min(0.0, cost)
        margin += t.count * 1e-9 * (sum(abs(w) for w in weight.values()) + 1.0)
    return total - dropped - margin


def solve_block(program: linear_solver_pb2.MPModelProto, time_limit_s: float
                ) -> tuple[float | None, str, float | None]:
    """SCIP's proven lower bound of a block's integer program (None when it has none), its status
    and its best solution's value (None when none: how much more time could gain at most)."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return None, "NO_SCIP", None
    err = solver.LoadModelFromProto(program)
    if err:
        return None, f"LOAD: {err}", None
    solver.SetTimeLimit(int(max(0.1, time_limit_s) * 1000))
    status = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "TIME_LIMIT",
             pywraplp.Solver.INFEASIBLE: "INFEASIBLE", pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED"}
    name = names.get(status, str(status))
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        # an infeasible block would mean no roster exists; a bound is not claimed from it
        return None, name, None
    value, found = solver.Objective().BestBound(), solver.Objective().Value()
    return (value if math.isfinite(value) else None), name, found


def day_bound(scenario: Scenario, time_limit_s: float = 120, overflow_cap: float | None = None,
              hard_rules: Sequence[Rule] | None = None, cuts: bool = True, lp_share: float = 0.5,
              dates: Sequence[int] | None = None, blocks: Sequence[Sequence[int]] | None = None,
              objective: str = "shortage", point: PdlpPoint | None = None, lp_solver: str = "PDLP",
              keep_point: bool = False, weeks: bool = True) -> dict:
    """The bound of the module docstring for one tier: "shortage" (at `overflow_cap` customer-hours
    when given, else for every roster) or "overflow" (for every roster).

    `lp_share` of the time goes to the LP's dual point y: PDLP's (GLOP's with `lp_solver="GLOP"`,
    exact, for small LPs and tests), or `point` when given (a point of this very P, e.g. from an
    earlier call with `keep_point`). With `weeks`, the week part (module docstring). The rest of
    the time goes to the blocks' integer programs: those of `dates` (block indices, each once)
    in that order, else every block, those where the LP point misses most service first, each a
    share of the time left.

    Returns a dict: "lb" (the bound), "lp_lb" (bound_dual's L at the same y: the LP's bound),
    "week_gain" (what the week part added), "days" (per block solved: its index, share, integer
    bound, SCIP's status and best solution's value, size, seconds), "pdlp" (the LP's
    termination), "seconds"; with `keep_point`, "point".
    """
    t0 = time.monotonic()
    lp, proto, c0, c1, weekly = _lp_for(scenario, objective, overflow_cap, hard_rules, cuts)
    out: dict[str, Any] = {"lb": None, "lp_lb": None, "days": [], "objective": objective}
    if not (lp.over_terms if objective == "overflow" else lp.short_terms):
        out.update(lb=0.0, lp_lb=0.0, seconds=time.monotonic() - t0, pdlp="OPTIMAL")
        return out
    if point is None or len(point.dual) != len(proto.constraint):
        if lp_solver == "GLOP":
            point = glop_duals(proto, lp_share * time_limit_s)
        else:
            point = solve_duals(proto, c0, c1, lp_share * time_limit_s)
    out["pdlp"] = point.reason
    if keep_point:
        out["point"] = point
    arrays = lp_arrays(proto)
    # the step along the ray with the best plain L (every step's L is valid; see bound_dual)
    best_l, y = -math.inf, None
    for a in STEPS:
        value, ya = lagrangian_value(arrays, a * point.dual, proto.objective_offset)
        if value > best_l:
            best_l, y = value, ya
    out["lp_lb"] = max(0.0, best_l) if math.isfinite(best_l) else None
    if y is None or not math.isfinite(best_l):
        out["seconds"] = time.monotonic() - t0
        return out
    n = arrays[0]
    var_block = date_blocks(lp, n, blocks)
    row_block = _row_blocks(arrays, var_block)
    n_blocks = int(var_block.max()) + 1
    share = shares(arrays, y, var_block, row_block, n_blocks)
    integer = np.zeros(n, dtype=bool)
    for col in lp.columns.values():
        integer[col.x] = True
        integer[col.w] = True
    week_gain = 0.0
    if weeks and weekly is not None:
        week_gain = _week_gain(lp, arrays, y, np.asarray(sorted(weekly), dtype=np.int64), row_block)
        out["week_gain"] = week_gain
    if dates is None:
        # where the LP point is short: there whole agents may cost more
        short = np.zeros(n_blocks)
        slacks = [v.index() for v in (lp.over_terms if objective == "overflow" else lp.short_terms)]
        for j in slacks:
            if var_block[j] >= 0 and j < len(point.primal):
                short[var_block[j]] += max(0.0, float(point.primal[j]))
        order = [int(b) for b in np.argsort(-short, kind="stable")]
    else:
        # each block once (a block counted twice would add its gain twice), and only blocks there are
        order = list(dict.fromkeys(int(b) for b in dates))
        wrong = [b for b in order if not 0 <= b < n_blocks]
        if wrong:
            raise ValueError(f"dates {wrong}: expected block indices 0..{n_blocks - 1}")
    r_linking, _gross = linking_reduced_costs(arrays, y, row_block >= 0)  # the dualized rows' prices
    gain = 0.0
    for k, b in enumerate(order):
        left = time_limit_s - (time.monotonic() - t0)
        if left <= 0.5:
            break
        began = time.monotonic()
        program, size, box = block_program(proto, arrays, r_linking, var_block, row_block, b, integer)
        budget = left / (len(order) - k)
        proven, status, found = solve_block(program, budget - (time.monotonic() - began))
        got = None
        if proven is not None:
            # SCIP's tolerances, and a floating-point margin of the reduced costs (`size`)
            got = scip_lower_bound(proven, box, size)
            gain += max(0.0, got - (share[b] + 1e-9 * (abs(share[b]) + size)))
        out["days"].append({"block": b, "share": float(share[b]), "integer": got, "status": status,
                            "incumbent": found, "variables": len(program.variable),
                            "rows": len(program.constraint), "seconds": time.monotonic() - began})
    out["lb"] = max(0.0, best_l + max(0.0, week_gain) + gain)
    out["seconds"] = time.monotonic() - t0
    return out
