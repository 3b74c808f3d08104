"""How much re-dealing a roster's own weeks (and re-choosing queues and break patterns) can give
(issue 15 items 1 and 2): `scheduler.redeal`'s compact master around a roster, its LP with and
without the weeks fixed, CP-SAT on it, and the map back checked by the model and the checker.

    python -m benchmarks.redeal_ceiling CASE ROSTER.pkl SECONDS [WORKERS] [lns]
    python -m benchmarks.redeal_ceiling CASE ROSTER.pkl SECONDS weeks [patterns [OUT.pkl]]

ROSTER.pkl: a pickled `scheduler.roster.Roster` of CASE (e.g. `pickle.dump(roster, f)` after
`benchmarks.one_worker.run`). `lns`: CP-SAT's LNS workers only. Prints the roster's overflow and
shortage, the classes, the master's size, its LP value free / weeks fixed / weeks and counts fixed
(GLOP, SCIP's LP when GLOP fails), every better point CP-SAT finds (wall seconds: quote them with
the load), and the mapped-back roster's tiers, its model violations and checker findings.

`weeks`: instead, the master's LP over ALL legal weeks of each class (column generation, priced by
`bound_dw.WeekDP`, SECONDS at most), weekly-hours rows dropped; with `patterns`, over every maximal
break pattern of each instance (`patterns.all_maximal_patterns`), not only the model's options.
Per iteration: the restricted LP's value and the Lagrangian value (restricted LP plus each class's
size times its least reduced cost; at convergence the LP over all weeks). With `patterns` every
legal roster maps to a point of this LP with no more overflow and shortage (every legal pattern
works a subset of a maximal one's slots; the weeks are every legal week; hours and rounding
dropped), so it bounds every roster; without, it bounds the rosters the model's options allow.
OUT.pkl: the converged LP's patterns the model does not offer, as a list of (the class's agents,
instance, queue, worked slots), for `benchmarks.with_patterns`.
"""

from __future__ import annotations

import os
import pickle
import sys
import time

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler import redeal
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.lns import parts_of
from scheduler.model import RosterModel
from scheduler.roster import Roster
from scheduler.scenario import load_scenario

INF = 2 ** 62


def values_of(rm: RosterModel, roster: Roster) -> np.ndarray:
    """The model's values of a roster whose every assignment is one of the model's options."""
    idx = {a.employee_id: k for k, a in enumerate(rm.agents)}
    chosen = set()
    for a in roster.assignments:
        inst = rm.inst_by_key[(a.shift, a.date)]
        worked = rm._worked_slots(a)
        opts = [o for o in rm.by_agent_inst[(idx[a.employee_id], inst.index)]
                if o.queue == a.queue and o.worked == worked]
        if len(opts) != 1:
            raise SystemExit(f"{a}: not one option of the model ({len(opts)})")
        chosen.add(id(opts[0]))
    values = np.zeros(len(rm.m.proto.variables), dtype=np.int64)
    for k, v in rm.complete_hint(chosen).items():
        values[k] = v
    return values


def lp_value(model: cp_model.CpModel, fix: set[int]) -> float | None:
    """The LP relaxation of a CP-SAT model of linear constraints, the variables `fix` at their hint."""
    p = model.proto
    hint = dict(zip(p.solution_hint.vars, p.solution_hint.values))
    for name in ("GLOP", "SCIP"):
        s = pywraplp.Solver.CreateSolver(name)
        xs = []
        for k, v in enumerate(p.variables):
            dom = list(v.domain)
            lo, hi = (hint[k], hint[k]) if k in fix else (dom[0], dom[-1])
            xs.append(s.NumVar(lo, hi, ""))
        for c in p.constraints:
            dom = list(c.linear.domain)
            row = s.Constraint(-s.infinity() if dom[0] <= -INF else dom[0], s.infinity() if dom[-1] >= INF else dom[-1])
            for v, co in zip(c.linear.vars, c.linear.coeffs):
                row.SetCoefficient(xs[v], co)
        obj = s.Objective()
        for v, co in zip(p.objective.vars, p.objective.coeffs):
            obj.SetCoefficient(xs[v], co)
        obj.SetMinimization()
        if s.Solve() == pywraplp.Solver.OPTIMAL:
            return obj.Value()
    return None


class _Printer(cp_model.CpSolverSolutionCallback):
    def __init__(self, unit: float):
        super().__init__()
        self.unit, self.t0 = unit, time.time()

    def on_solution_callback(self) -> None:
        print(f"  point {self.objective_value * self.unit:.2f} at {time.time() - self.t0:.1f} s", flush=True)


def every_maximal_pattern(rm: RosterModel, ks: list[redeal.Klass]) -> None:
    """Add to each class's options every maximal pattern of each instance, in the queues it offers."""
    from scheduler.patterns import all_maximal_patterns
    from scheduler.rules.run_lengths import limits

    lim = limits(rm.rules, rm.grid.slot_minutes)
    cache: dict[int, list[tuple[int, ...]]] = {}
    for k in ks:
        for i, ops in k.opts.items():
            inst = rm.instances[i]
            if i not in cache:
                cache[i] = [tuple(inst.first_slot + j for j, w in enumerate(pt) if w)
                            for pt in all_maximal_patterns([rm.grid.high_load[t] for t in inst.slots], *lim)]
            have = set(ops)
            ops.extend((q, w) for q in sorted({q for q, _ in ops}) for w in cache[i] if (q, w) not in have)


def all_weeks(rm: RosterModel, values: np.ndarray, seconds: float, patterns: bool, out: str | None = None) -> None:
    """Column generation over every legal week of each class on the master's LP (see the doc)."""
    import types

    from scheduler.bound_dw import AgentType, WeekDP

    unit = rm.grid.delta_hours / 100
    ks = redeal.classes(rm)
    offered = [{i: set(v) for i, v in k.opts.items()} for k in ks]
    if patterns:
        every_maximal_pattern(rm, ks)
    master = redeal.build(rm, values, ks=ks, hours=False, every_instance=True)
    p = master.model.proto
    s = pywraplp.Solver.CreateSolver("GLOP")
    xs = [s.NumVar(list(v.domain)[0], list(v.domain)[-1], "") for v in p.variables]
    rows = []
    for c in p.constraints:
        dom = list(c.linear.domain)
        row = s.Constraint(-s.infinity() if dom[0] <= -INF else dom[0], s.infinity() if dom[-1] >= INF else dom[-1])
        for v, co in zip(c.linear.vars, c.linear.coeffs):
            row.SetCoefficient(xs[v], co)
        rows.append(row)
    obj = s.Objective()
    for v, co in zip(p.objective.vars, p.objective.coeffs):
        obj.SetCoefficient(xs[v], co)
    obj.SetMinimization()
    print(f"master: {len(xs)} variables ({sum(len(v) for k in ks for v in k.opts.values())} class options)")
    date_index = {d: n for n, d in enumerate(rm.grid.dates)}
    dps = []
    for k in ks:
        by_date: dict[int, list[int]] = {}
        for i in sorted(k.opts):
            by_date.setdefault(date_index[rm.instances[i].date], []).append(i)
        dps.append(WeekDP(types.SimpleNamespace(grid=rm.grid, rules=rm.rules, groups=[]),  # type: ignore[arg-type]
                          AgentType(0, len(k.agents), sorted(k.opts), by_date)))
    lead_rows = {key[1]: ix for key, ix in master.rows.items() if key[0] == "lead"}
    t0 = time.time()
    for it in range(1, 1000):
        if s.Solve() != pywraplp.Solver.OPTIMAL:
            print("the LP failed")
            return
        duals = [r.dual_value() for r in rows]  # all read before a column changes the model
        value = lagrange = obj.Value()
        new = []
        for kk, k in enumerate(ks):
            conv = duals[master.rows[("conv", kk)]]
            weight = {i: duals[master.rows[("link", kk, i)]]
                      - (sum(duals[lead_rows[t]] for t in rm.instances[i].slots if t in lead_rows) if k.lead else 0.0)
                      for i in k.opts}
            few = dps[kk].best_few(weight, 5)
            lagrange += len(k.agents) * min(0.0, few[0][0] - conv)
            new += [(kk, k, week) for cost, week in few if cost - conv < -1e-6]
        for kk, k, week in new:
            v = s.NumVar(0, len(k.agents), "")
            rows[master.rows[("conv", kk)]].SetCoefficient(v, 1)
            for i in week:
                rows[master.rows[("link", kk, i)]].SetCoefficient(v, -1)
                for t in (rm.instances[i].slots if k.lead else ()):
                    if t in lead_rows:
                        row = rows[lead_rows[t]]
                        row.SetCoefficient(v, row.GetCoefficient(v) + 1)
        print(f"iteration {it}: LP {value * unit:.3f}, Lagrangian {lagrange * unit:.3f}, {len(new)} weeks added, "
              f"{time.time() - t0:.0f} s wall", flush=True)
        if not new:
            print(f"converged: {value * unit:.3f}")
            used = [(kk, i, q, w) for (kk, i, q, w), v in master.z.items() if xs[v.index].solution_value() > 1e-6]
            lacking = [(ks[kk].agents, i, q, w) for kk, i, q, w in used if (q, w) not in offered[kk][i]]
            print(f"the LP uses {len(used)} (class, shift, queue, pattern), {len(lacking)} not offered by the model")
            if out is not None:
                with open(out, "wb") as f:
                    pickle.dump(lacking, f)
            return
        if time.time() - t0 > seconds:
            print("stopped by the time limit")
            return


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    case, path, seconds = argv[0], argv[1], float(argv[2])
    if len(argv) > 3 and argv[3] == "weeks":
        scenario = load_scenario(case)
        with open(path, "rb") as f:
            roster = pickle.load(f)
        rm = RosterModel(scenario, Grid(scenario))
        rest = argv[4:]
        all_weeks(rm, values_of(rm, roster), seconds, "patterns" in rest,
                  next((a for a in rest if a.endswith(".pkl")), None))
        return 0
    workers = int(argv[3]) if len(argv) > 3 else 1
    lns_only = "lns" in argv[4:]
    scenario = load_scenario(case)
    with open(path, "rb") as f:
        roster = pickle.load(f)
    t0 = time.process_time()
    rm = RosterModel(scenario, Grid(scenario))
    values = values_of(rm, roster)
    unit = rm.grid.delta_hours / 100
    print(f"model: {len(rm.options)} options, {time.process_time() - t0:.1f} CPU s")
    over, short = redeal._service(rm, values)
    print(f"roster: overflow {over * unit:.2f} shortage {short * unit:.2f}")
    t1 = time.process_time()
    master = redeal.build(rm, values)
    sizes = sorted((len(k.agents) for k in master.ks), reverse=True)
    print(f"classes: {len(sizes)}, sizes {sizes[:12]}; master {len(master.model.proto.variables)} variables, "
          f"{len(master.model.proto.constraints)} rows, built in {time.process_time() - t1:.1f} CPU s")
    lam = {v.index for v in master.lam.values()}
    z = {v.index for v in master.z.values()}
    for name, fix in (("free", set()), ("weeks fixed", lam), ("weeks and counts fixed", lam | z)):
        got = lp_value(master.model, fix)
        print(f"LP {name}: {'failed' if got is None else f'{got * unit:.2f}'}", flush=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.use_lns_only = lns_only
    st = solver.solve(master.model, _Printer(unit))
    print(f"CP-SAT {solver.status_name(st)}: {solver.objective_value * unit:.2f}, "
          f"bound {solver.best_objective_bound * unit:.2f}, {solver.wall_time:.1f} s wall, "
          f"load {os.getloadavg()[0]:.1f}")
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or round(solver.objective_value) >= master.hint_short:
        print("no better point: the roster stays")
        return 0
    plan = redeal.deal(rm, master, {k: solver.value(v) for k, v in master.lam.items()},
                       {k: solver.value(v) for k, v in master.z.items()}, values)
    if not plan:
        print("the counts could not be dealt with every agent's weekly hours")
        return 0
    parts = parts_of(rm)
    new = redeal.apply(rm, parts, values, plan)
    if new is None:
        print(f"{len(plan)} agents changed: the complete roster breaks a constraint of the model")
        return 1
    tiers = ", ".join(f"{t.name} {t.value(new) * t.to_user:,.2f}" for t in rm.tiers)
    from scheduler.solve import _roster_from_solution
    findings = check_roster(scenario, _roster_from_solution(rm, new.tolist()))
    print(f"mapped back: {len(plan)} agents changed; {tiers}; model violations {len(parts.violations(new))}, "
          f"checker findings {len(findings)}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
