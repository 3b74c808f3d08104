"""Work/break patterns priced from the LP's duals (column generation), for agents whose weekly
hours cap can bind: the maximal patterns (scheduler.patterns) serve everyone else.

The master LP over *every* legal pattern is scheduler.bound's relaxation in its compact form:
per pool of identical agents, shift instance and queue, a head-count x and worked-slot counts w
under the run-rule windows, a polytope whose vertices are exactly the legal patterns (the windows
are intervals). So the duals y of its other rows (coverage, weekly hours, one shift a date, rest,
...: the rows linking a column to the rest) are duals of that master, and a pattern p of column
(pool, instance, queue) has the reduced cost

    rc(p) = d[x] + sum over the worked inner slots t of p of d[w_t],   d = c - A_link^T y

(the first and last slots are worked by x itself). Pricing a column is a shortest path over the
instance's slots under the run rules (`patterns.best_by_count`), one best pattern per number of
worked slots.

What is added to the model, per capped agent, instance and queue: the patterns within a
tolerance of the least reduced cost (one per length), and, where the cap binds in the LP, the
best pattern of every length priced without the weekly-hours row (the coverage prices say where
in the shift to work). The cap binds where the pool's weekly-hours row has a nonzero dual in the
instance's 7-day block (negative: a `<=` row, bound_dual's sign convention), or, when PDLP stopped
at its iteration limit, where its point works the column and fills BIND_SHARE of that row.
The LP is fractional: where the cap binds, a long pattern at a fraction of an agent ties with a
short one at a whole agent, and only the short one fits the hours an agent has left, so every
length is kept there. Where the cap does not bind, a pattern is added only when it is better than
every offered one. A pattern the model already offers is never added twice.

What a run claims does not depend on this: the Summary's bound is the LP's own (scheduler.bound),
which covers every legal pattern whether or not pricing added any, and a model with capped
agents is never called exact (scheduler.exactness); pricing changes which rosters CP-SAT can
reach, not what is proven.

Units: the LP's overflow in customer-hours, shortage in agent-hours; d per slot in the objective's
units (`OVERFLOW_WEIGHT` x overflow + shortage).
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import linear_solver_pb2

from scheduler.bound import BuiltLP, build_lp
from scheduler.bound_dual import a_transpose_y, lp_arrays, pdlp_solve
from scheduler.patterns import best_by_count
from scheduler.rules.run_lengths import limits

# overflow comes first (SPEC 4): one customer-hour weighs as much as this many agent-hours of
# shortage in the pricing LP's objective (an agent-hour holds reroute_concurrency customers)
OVERFLOW_WEIGHT = 10.0
# PDLP iterations for the duals: a limit in iterations, not seconds, so that one scenario always
# gets the same patterns (one-worker runs repeat under any load)
ITERATIONS = 3000
TOLERANCE = 1e-3  # PDLP's relative optimality tolerance; prices need no more
TIE = 1e-3        # near-ties in reduced cost, relative to the largest price of a slot of the column
# a weekly-hours row counts as binding when its dual is negative, or when the pools' worked slots
# at PDLP's point fill this share of it: an iteration-limited point can leave the dual at 0 where
# the converged LP binds (the night case's part-timers: duals 0 at 94-96 % of their cap, every
# one of them at its cap in the converged LP; benchmarks/README.md, "Why the night case's break band")
BIND_SHARE = 0.9
# ... and only for the pool's shifts the point works (x above this many agents), and only when
# PDLP stopped before optimality: applied to every capped column of a converged point, it would
# grow 400 x 14 at 15 minutes by 16 % (79,942 patterns; 84,350 with unused columns too)
USED = 0.05


def linking_reduced_costs(arrays, y: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d = c - A^T y over the rows not marked `own` (the rows of the columns' own polytopes), one
    value per LP variable, and the size of what was summed (|c| + |A|^T |y|: the scale of d's
    noise). `arrays`: the LP as `bound_dual.lp_arrays` reads it."""
    _n, c, _lo_x, _hi_x, _lo, _hi, rows, cols, vals = arrays
    y_link = np.where(own, 0.0, y)
    gross = np.abs(c)
    np.add.at(gross, cols, np.abs(vals * y_link[rows]))
    return c - a_transpose_y(arrays, y_link), gross


def _weekly_rows(proto: linear_solver_pb2.MPModelProto) -> dict[tuple[int, int], int]:
    """(pool, 7-day block) -> the row index of its weekly-hours row, found by name."""
    out = {}
    for r, row in enumerate(proto.constraint):
        if row.name.startswith("week_"):
            _, g, b = row.name.split("_")
            out[(int(g), int(b))] = r
    return out


def _filled(proto: linear_solver_pb2.MPModelProto, x: np.ndarray, rows) -> set[int]:
    """Of these `<=` rows, the ones whose activity at the point `x` reaches BIND_SHARE of their
    right-hand side (a positive one)."""
    out = set()
    for r in rows:
        row = proto.constraint[r]
        if row.upper_bound > 0 and len(x) == len(proto.variable):
            activity = sum(c * float(x[v]) for v, c in zip(row.var_index, row.coefficient))
            if activity >= BIND_SHARE * row.upper_bound:
                out.add(r)
    return out


def _weights(d: np.ndarray, w: list[int]) -> list[float]:
    """A pattern's slot prices (-d) for one column; the first and last slots are always worked
    (their price is in x's, the same for every pattern), so they weigh 0."""
    return [0.0] + [-float(d[j]) for j in w[1:-1]] + [0.0] * (len(w) > 1)


def solved_lp(rm) -> BuiltLP:
    """The run's LP (scheduler.bound's relaxation of `rm`'s scenario), built and solved once per
    model and kept on it (`rm.bound_lp`): minimise OVERFLOW_WEIGHT x overflow + shortage with
    PDLP for ITERATIONS iterations (the same point under any load). Pricing reads its duals, the
    LP-guided search its primal point (`bound.primal_counts`), and the run's closing bound
    (scheduler.app) solves it again from that point instead of building it a second time. No
    point when no slot has demand."""
    built = getattr(rm, "bound_lp", None)
    if built is not None:
        return built
    lp, overflow, shortage = build_lp(rm.scenario, hard_rules=rm.hard_rules)
    rm.bound_lp = built = BuiltLP(lp, overflow, shortage, rm.hard_rules)
    if lp.over_terms:
        lp.solver.Minimize(OVERFLOW_WEIGHT * overflow + shortage)
        built.proto = linear_solver_pb2.MPModelProto()
        lp.solver.ExportModelToProto(built.proto)
        built.point = pdlp_solve(built.proto, TOLERANCE, iteration_limit=ITERATIONS)
    return built


def priced_patterns(rm, capped: list[int]) -> tuple[list[tuple[int, int, str, tuple[int, ...]]], dict]:
    """Patterns for the `capped` agents of model `rm` (scheduler.model.RosterModel), priced from
    the LP's duals: (agent, instance, queue, worked slots) the model does not offer yet, and what
    pricing found (columns priced, PDLP's termination, whether every column's best pattern is
    offered)."""
    built = solved_lp(rm)
    lp = built.lp
    info: dict = {"columns": 0, "status": "no demand", "added": 0}
    if built.point is None or built.proto is None:
        return [], info
    proto = built.proto
    y, info["status"] = built.point.dual, built.point.reason
    if len(y) != len(proto.constraint):
        return [], info
    arrays = lp_arrays(proto)
    own = np.zeros(len(proto.constraint), dtype=bool)
    for col in lp.columns.values():
        own[col.rows.start:col.rows.stop] = True
    d, gross = linking_reduced_costs(arrays, y, own)
    weekly = _weekly_rows(proto)
    # a converged point's duals say where a cap binds; an iteration-limited one's may miss it (and
    # any other stop's point, e.g. a numerical error, says nothing)
    full = _filled(proto, built.point.primal, weekly.values()) if info["status"] == "ITERATION_LIMIT" else set()
    for row in weekly.values():
        own[row] = True
    d_uncapped, _ = linking_reduced_costs(arrays, y, own)  # the same prices without the weekly-hours rows
    block = 7 * 24 * 60 // rm.grid.slot_minutes
    max_run, max_hl = limits(rm.rules, rm.grid.slot_minutes)
    index = {a.employee_id: k for k, a in enumerate(rm.agents)}
    capped_set = set(capped)
    members = {gi: [index[e] for e in g.ids if index.get(e) in capped_set] for gi, g in enumerate(lp.groups)}
    out: list[tuple[int, int, str, tuple[int, ...]]] = []
    for (gi, i, q), col in lp.columns.items():
        mine = members.get(gi)
        if not mine:
            continue
        inst = rm.instances[i]
        if len(col.w) != inst.n_slots or lp.grid.instances[i].first_slot != inst.first_slot:
            continue  # not the model's instance (a grid built otherwise): price nothing rather than guess
        info["columns"] += 1
        high = [rm.grid.high_load[t] for t in inst.slots]
        forbidden = frozenset(k for k, t in enumerate(inst.slots) if t in lp.dead)
        weight = _weights(d, col.w)
        by_count = best_by_count(high, max_run, max_hl, weight, forbidden)
        if not by_count:
            continue
        top = max(v for v, _p in by_count.values())
        tie = TIE * max(1e-9, max(float(gross[j]) for j in col.w))
        wanted = [p for v, p in by_count.values() if v >= top - tie]
        used = float(built.point.primal[col.x]) > USED
        binds = any(y[r] < -1e-9 or (used and r in full) for b in {t // block for t in inst.slots}
                    if (r := weekly.get((gi, b))) is not None)
        if binds:
            # the cap binds: an agent needs a shift of whatever length fills the hours left, which
            # the fractional LP cannot tell apart; the prices without the cap's say where it works
            placed = best_by_count(high, max_run, max_hl, _weights(d_uncapped, col.w), forbidden)
            wanted += [p for _v, p in placed.values()]
        for a in mine:
            offered = [o for o in rm.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q]
            if not offered:
                continue
            have = {o.worked for o in offered}
            best_offered = max(sum(weight[t - inst.first_slot] for t in w) for w in have)
            for p in wanted:
                worked = tuple(inst.first_slot + k for k, w in enumerate(p) if w)
                value = sum(weight[k] for k, w in enumerate(p) if w)
                if worked in have or (not binds and value <= best_offered + tie):
                    continue
                have.add(worked)
                out.append((a, i, q, worked))
    info["added"] = len(out)
    return out, info


# LP-mix patterns (`lp_mix_patterns`) only on models whose longest shift has this many slots
# (15-minute slots with 8-hour shifts): there the model's maximal patterns (cap
# `patterns.maximal_patterns`, 24 an instance) leave out most of them (400 x 14 x 15: 5,644 over 56
# instances, 1,344 kept) and the LP over every agent's week with the model's patterns alone stops
# at 52.56 agent-hours where every maximal pattern gives 46.95; with the LP's mix offered, one
# worker, 150 s, seed 0: 53.91 -> 48.56 against the bound 48.17 (benchmarks/README.md, "Re-dealing
# a roster's weeks"). At 30 minutes (the night case, 16-slot shifts) patterns are not what limits
# the roster (300.05 with the model's, 298.85 with every one), and every maximal pattern offered
# there searched worse (318.29 against 314.28), so it stays off there.
LP_MIX_MIN_SLOTS = 24
LP_MIX_MIN_X = 1e-3  # pool shifts the LP staffs with fewer agents than this add no pattern
# the split's objective per unit of weight on a pattern the model lacks, beside 1 per uncovered
# share of a slot: a pool shift whose worked slots the model's own patterns reproduce adds none
# (benchmarks/README.md, "The LP-mix patterns' gate", s15 2026-12-01)
LP_MIX_NEW = 1e-3


def takes_lp_mix(rm) -> bool:
    """Does the model take the LP's mix of patterns (`lp_mix_patterns`): its longest shift has
    LP_MIX_MIN_SLOTS slots or more?"""
    return max((inst.n_slots for inst in rm.instances), default=0) >= LP_MIX_MIN_SLOTS


def lacks_pattern(rm, a: int, i: int, q: str, worked: tuple[int, ...]) -> bool:
    """Does the model offer agent `a` instance `i` in queue `q`, but not with these worked
    slots (a pattern to add)?"""
    offered = [o for o in rm.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q]
    return bool(offered) and all(o.worked != worked for o in offered)


class _Split:
    """The split LP of one instance shape (its high-load flags): weights over every maximal
    pattern summing to 1 and the uncovered share of each slot, minimising the uncovered shares
    plus LP_MIX_NEW per unit of weight on a pattern the model does not keep. Built once per
    shape; each pool shift only sets the slots' shares (its rows' lower bounds) and solves again
    (GLOP goes on from the last basis). Rows are written coefficient by coefficient: pywraplp's
    expression API took 25-45 s on the tests' small teams (2,000 patterns a shift there)."""

    def __init__(self, pats: list, kept: set) -> None:
        from ortools.linear_solver import pywraplp

        self.pats = pats
        self.solver = s = pywraplp.Solver.CreateSolver("GLOP")
        self.weight = [s.NumVar(0, 1, "") for _ in pats]
        n = len(pats[0])
        short = [s.NumVar(0, 1, "") for _ in range(n)]
        one = s.Constraint(1, 1)
        self.rows = [s.Constraint(0, s.infinity()) for _ in range(n)]
        objective = s.Objective()
        for t, row in enumerate(self.rows):
            row.SetCoefficient(short[t], 1)
            objective.SetCoefficient(short[t], 1)
        for v, p in zip(self.weight, pats):
            one.SetCoefficient(v, 1)
            for t, w in enumerate(p):
                if w:
                    self.rows[t].SetCoefficient(v, 1)
            if tuple(p) not in kept:
                objective.SetCoefficient(v, LP_MIX_NEW)
        objective.SetMinimization()

    def mix(self, share: list[float]) -> list:
        """The patterns (worked flags) the split of these worked shares (one per slot, of the
        pool shift's head-count) uses; [] when GLOP does not solve it."""
        from ortools.linear_solver import pywraplp

        for row, need in zip(self.rows, share):
            row.SetLb(need)
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return []
        return [p for v, p in zip(self.weight, self.pats) if v.solution_value() > 1e-6]


def lp_mix_patterns(rm) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """The maximal patterns that make up each pool shift's worked slots in the run's LP, as
    (agent, instance, queue, worked slots) for the model to offer where it offers that agent,
    shift and queue but not that pattern. The LP's w / x of a pool shift (pool, instance, queue)
    is a point of the hull of the instance's legal patterns (the run-rule windows are intervals),
    covered slot by slot by a mix of maximal ones: a tiny LP per pool shift (`_Split`: weights
    over every maximal pattern of the instance summing to 1, least uncovered share, the model's
    own patterns first) gives that mix, and its basic solution uses few patterns. A pattern is
    added only where the model's own ones cannot reproduce the LP's worked slots. Only instances
    with more maximal patterns than the model keeps, on models whose longest shift has
    LP_MIX_MIN_SLOTS slots; [] elsewhere."""
    from scheduler.patterns import Pattern, all_maximal_patterns, maximal_patterns

    if not takes_lp_mix(rm):
        return []
    built = solved_lp(rm)
    if built.point is None:
        return []
    lp, point = built.lp, np.asarray(built.point.primal)
    lim = limits(rm.rules, rm.grid.slot_minutes)
    index = {a.employee_id: k for k, a in enumerate(rm.agents)}
    splits: dict[tuple[bool, ...], _Split | None] = {}
    out: list[tuple[int, int, str, tuple[int, ...]]] = []
    seen: set[tuple[int, int, str, tuple[int, ...]]] = set()
    for (gi, i, q), col in lp.columns.items():
        x = float(point[col.x])
        inst = rm.instances[i]
        if x < LP_MIX_MIN_X or len(col.w) != inst.n_slots:
            continue
        high = tuple(rm.grid.high_load[t] for t in inst.slots)
        if high not in splits:
            pats: list[Pattern] = all_maximal_patterns(list(high), *lim)
            kept = {tuple(p) for p in maximal_patterns(list(high), *lim)}
            splits[high] = _Split(pats, kept) if len(pats) > len(kept) else None
        split = splits[high]
        if split is None:
            continue
        share = [min(1.0, max(0.0, float(point[j]) / x)) for j in col.w]
        for p in split.mix(share):
            worked = tuple(inst.first_slot + k for k, w in enumerate(p) if w)
            for e in lp.groups[gi].ids:
                a = index.get(e)
                if a is None or (a, i, q, worked) in seen:
                    continue
                if lacks_pattern(rm, a, i, q, worked):
                    seen.add((a, i, q, worked))
                    out.append((a, i, q, worked))
    return out
