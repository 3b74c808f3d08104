"""Where a roster's shortage sits against the pooled LP's, and how much re-placing only its
breaks recovers (issue 15 item 1).

    python -m benchmarks.gap15 solve CASE SECONDS ROSTER.pkl [seed=S] [name=value ...]
    python -m benchmarks.gap15 gap CASE ROSTER.pkl [break_s=2.0]
    python -m benchmarks.gap15 probe CASE ROSTER.pkl d0=YYYY-MM-DD d1=YYYY-MM-DD [per_shift=1] [best=1] [s=10]
        [lp=K [lp_least=0.05]] [pools=G,G] [out=ROSTER2.pkl]

`solve` runs the same one-worker solve as `benchmarks.one_worker` (deterministic) and keeps the
roster (a pickle of its assignments). `gap` builds the model whole (as a solve without a printer
does), puts the roster into it, and prints:

- per date x hour of day x queue, the roster's shortage and the LP's (the run's one LP,
  `scheduler.pricing.solved_lp`, its primal point: the point the LP-guided start reads), in
  agent-hours, the largest differences first;
- shift choice: the roster's head-counts per (pool, instance, queue) against the LP's x
  (`scheduler.guide.lp_plan`), summed per date as |roster - LP| in agent-shifts;
- break placement: each agent keeps its shift instance and queue, and CP-SAT (one worker,
  `break_s` deterministic seconds per date) re-places only the breaks, date after date, under
  the roster's overflow; the shortage it reaches is what better breaks alone would recover.

`probe` solves one large part (see its docstring).

Every roster it reaches is a model solution: the same rules as a solve (`scheduler.parts` parts).
"""

from __future__ import annotations

import ast
import datetime as dt
import pickle
import sys
import time
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from benchmarks import one_worker
from scheduler.check import check_roster
from scheduler.fitpatterns import best_per_shift
from scheduler.grid import Grid
from scheduler.guide import lp_plan
from scheduler.kpi import coverage_rows
from scheduler.lns import _weighted
from scheduler.model import RosterModel
from scheduler.objective import TierId
from scheduler.parts import Parts
from scheduler.pricing import solved_lp
from scheduler.scenario import load_scenario
from scheduler.solve import _roster_from_solution


def _solve(case: str, seconds: float, out: str, args: list[str]) -> None:
    scenario, roster, report, _changes, _seed, cpu = one_worker.run(case, seconds, args)
    with open(out, "wb") as f:
        pickle.dump(list(roster.assignments), f)
    print(" ".join(f"{p.name}={p.objective:.2f}" for p in report.phases),
          f"cpu={cpu:.0f}", f"violations={len(check_roster(scenario, roster))}")


def roster_values(rm: RosterModel, assignments: list) -> list[int]:
    """The model's values of a roster (each assignment an option of the model)."""
    by_key = {rm.assignment_of(o): o for o in rm.options if o.fixed is None}
    chosen = set()
    for a in assignments:
        o = by_key.get(a)
        if o is None:
            raise SystemExit(f"not an option of the model: {a}")
        chosen.add(id(o))
    hint = rm.complete_hint(chosen)
    return [hint.get(k, 0) for k in range(len(rm.m.proto.variables))]


def shortage_by_slot(rm: RosterModel, values: list[int]) -> dict[tuple[int, str], float]:
    """Agents short per (slot, queue) (SPEC 4, as the workbook's coverage reads the roster)."""
    roster = _roster_from_solution(rm, values)
    rows = coverage_rows(rm.scenario, rm.grid, roster)
    n = rm.grid.n_slots
    return {(k % n, r["queue"]): r["shortage"] for k, r in enumerate(rows) if r["required"] > 0}


def lp_shortage_by_slot(rm: RosterModel) -> dict[tuple[int, str], float]:
    built = solved_lp(rm)
    x = built.point.primal
    out = {}
    for v in built.lp.short_terms:
        _, t, q = v.name().split("_", 2)
        out[(int(t), q)] = float(x[v.index()])
    return out


def gap(case: str, path: str, args: list[str]) -> None:
    opts = {k: ast.literal_eval(v) for k, v in (a.split("=", 1) for a in args)}
    break_s = float(opts.get("break_s", 2.0))
    scenario = load_scenario(case)
    with open(path, "rb") as f:
        assignments = pickle.load(f)
    t0 = time.process_time()
    rm = RosterModel(scenario, Grid(scenario))
    print(f"model: {len(rm.options):,} options, {time.process_time() - t0:.0f} s CPU")
    values = roster_values(rm, assignments)
    tiers = {t.id: t for t in rm.tiers}
    over, short = tiers[TierId.OVERFLOW], tiers[TierId.SHORTAGE]
    print(f"roster: overflow {over.value(values) * over.to_user:.2f} "
          f"shortage {short.value(values) * short.to_user:.2f}")
    d_h = rm.grid.delta_hours

    # -- where: per date x hour x queue
    mine, lps = shortage_by_slot(rm, values), lp_shortage_by_slot(rm)
    cell: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (t, q), v in mine.items():
        start = rm.grid.slot_start(t)
        key = (start.date().isoformat(), start.hour, q)
        cell[key][0] += v * d_h
        cell[key][1] += lps.get((t, q), 0.0) * d_h
    tot_r, tot_l = sum(c[0] for c in cell.values()), sum(c[1] for c in cell.values())
    print(f"\nshortage, agent-hours: roster {tot_r:.2f}, LP point {tot_l:.2f}, difference {tot_r - tot_l:.2f}")
    print("date        hour queue        roster     LP   diff")
    for key, (r, lv) in sorted(cell.items(), key=lambda kv: -(kv[1][0] - kv[1][1]))[:25]:
        print(f"{key[0]} {key[1]:4d} {key[2]:<12} {r:6.2f} {lv:6.2f} {r - lv:6.2f}")
    per_date: dict[str, float] = defaultdict(float)
    per_hour: dict[int, float] = defaultdict(float)
    for key, (r, lv) in cell.items():
        per_date[key[0]] += r - lv
        per_hour[key[1]] += r - lv
    print("per date:", ", ".join(f"{d[5:]} {v:+.1f}" for d, v in sorted(per_date.items())))
    print("per hour:", ", ".join(f"{h} {v:+.1f}" for h, v in sorted(per_hour.items())))

    # -- shift choice: head-counts per (pool, instance, queue) against the LP's x
    plan = lp_plan(rm)
    if plan is not None:
        heads: dict[tuple, int] = defaultdict(int)
        for o in rm.options:
            if values[o.var.index]:
                heads[(plan.pool_of.get(o.agent, -1), o.inst, o.queue)] += 1
        off: dict[str, float] = defaultdict(float)
        cols = set(heads) | set(plan.counts)
        for key in cols:
            off[rm.instances[key[1]].date.isoformat()] += abs(heads.get(key, 0) - plan.counts.get(key, 0.0))
        total = sum(off.values())
        print(f"\nshift choice: sum |roster - LP| head-counts {total:.1f} agent-shifts over {len(cols)} columns; "
              f"roster shifts {sum(heads.values())}, LP {sum(plan.counts.values()):.1f}")
        print("per date:", ", ".join(f"{d[5:]} {v:.1f}" for d, v in sorted(off.items())))
        worst = sorted(cols, key=lambda k: -abs(heads.get(k, 0) - plan.counts.get(k, 0.0)))[:10]
        for k in worst:
            inst = rm.instances[k[1]]
            print(f"  pool {k[0]} {inst.date} {inst.code} {k[2]}: roster {heads.get(k, 0)} "
                  f"LP {plan.counts.get(k, 0.0):.2f}")

    # -- break placement: shifts fixed, breaks free, date by date
    rm.m.add(over.expr <= over.value(values))
    parts = Parts(rm)
    objective = _weighted([(short, 1)])
    vals = np.asarray(values, dtype=np.int64)
    dates = rm.grid.dates
    t1 = time.process_time()
    print(f"\nbreaks re-placed, one worker, {break_s} deterministic s per date:")
    for d in dates:
        free = []
        for o in rm.options:
            if o.fixed is None and vals[o.var.index] and rm.instances[o.inst].date == d:
                free.extend(p.var.index for p in rm.by_agent_inst.get((o.agent, o.inst), [])
                            if p.queue == o.queue and p.fixed is None)
        if not free:
            continue
        sub, free_vars, _ = parts.build(np.array(free, dtype=np.int64), vals, objective)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = break_s
        status = solver.Solve(sub)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            vals = vals.copy()
            vals[free_vars] = np.asarray(solver.response_proto.solution, dtype=np.int64)
        print(f"  {d}: {len(free)} options, {solver.status_name(status)}, shortage "
              f"{short.value(vals.tolist()) * short.to_user:.2f}", flush=True)
    final = vals.tolist()
    print(f"breaks only: shortage {short.value(values) * short.to_user:.2f} -> "
          f"{short.value(final) * short.to_user:.2f} (overflow {over.value(final) * over.to_user:.2f}), "
          f"{time.process_time() - t1:.0f} s CPU")
    rechosen = _roster_from_solution(rm, final)
    print(f"checker: {len(check_roster(scenario, rechosen))} broken rules")
    with open(path + ".breaks", "wb") as f:
        pickle.dump(list(rechosen.assignments), f)


def probe(case: str, path: str, args: list[str]) -> None:
    """One large part on the roster: every agent, days d0..d1 (dates as YYYY-MM-DD), the option
    worked now and `per_shift` random patterns of every other shift, solved for `s`
    deterministic seconds (one worker) on the shortage tier under the roster's overflow. `lp=K`:
    only the columns (pool, instance, queue) the LP's point staffs (>= lp_least agents), K
    patterns each; `pools=G,G`: only the members of these LP pools; `out=FILE`: keep the roster."""
    opts = {k: v for k, v in (a.split("=", 1) for a in args)}
    scenario = load_scenario(case)
    with open(path, "rb") as f:
        assignments = pickle.load(f)
    rm = RosterModel(scenario, Grid(scenario))
    values = roster_values(rm, assignments)
    tiers = {t.id: t for t in rm.tiers}
    over, short = tiers[TierId.OVERFLOW], tiers[TierId.SHORTAGE]
    rm.m.add(over.expr <= over.value(values))
    parts = Parts(rm)
    objective = _weighted([(short, 1)])
    from scheduler.partdraw import few_per_shift, shift_ids
    free_opts = [o for o in rm.options if o.fixed is None]
    day_index = {d: n for n, d in enumerate(rm.grid.dates)}
    agent = np.array([o.agent for o in free_opts])
    day = np.array([day_index[rm.instances[o.inst].date] for o in free_opts])
    inst = np.array([o.inst for o in free_opts])
    qs = {q: k for k, q in enumerate(rm.scenario.config.queue_ids)}
    queue = np.array([qs[o.queue] for o in free_opts])
    var = np.array([o.var.index for o in free_opts])
    d0, d1 = (day_index[dt.date.fromisoformat(opts[k])] for k in ("d0", "d1"))
    rng = np.random.default_rng(int(opts.get("seed", 0)))
    vals = np.asarray(values, dtype=np.int64)
    window = (day >= d0) & (day <= d1)
    if "pools" in opts:  # only the members of these pools of the LP (`pools=4,5`)
        plan0 = lp_plan(rm)
        assert plan0 is not None
        keep = {int(g) for g in opts["pools"].split(",")}
        window &= np.array([plan0.pool_of.get(int(a), -1) in keep for a in agent], dtype=bool)
    mask = np.zeros(len(var), dtype=bool)
    k = int(opts.get("per_shift", 1))
    if "best" in opts:  # the k patterns per shift that work the most short slots now
        miss = shortage_by_slot(rm, values)
        score = np.array([sum(miss.get((t, o.queue), 0.0) for t in o.worked) if w else 0.0
                          for o, w in zip(free_opts, window)])
        idx = np.flatnonzero(window)
        mask[best_per_shift(rng, idx, shift_ids(agent, inst, queue, len(qs)), score[idx], k)] = True
    else:
        mask[few_per_shift(rng, np.flatnonzero(window), shift_ids(agent, inst, queue, len(qs)), k)] = True
    if "lp" in opts:  # only the columns (pool, instance, queue) the LP's point uses, every pattern up to `lp`
        plan = lp_plan(rm)
        least = float(opts.get("lp_least", 0.05))
        assert plan is not None
        in_lp = np.array([w and plan.counts.get((plan.pool_of.get(o.agent, -1), o.inst, o.queue), 0.0) >= least
                          for o, w in zip(free_opts, window)], dtype=bool)
        idx = np.flatnonzero(in_lp)
        mask[:] = False
        if "best" in opts:
            miss = shortage_by_slot(rm, values)
            score = np.array([sum(miss.get((t, free_opts[j].queue), 0.0) for t in free_opts[j].worked) for j in idx])
            mask[best_per_shift(rng, idx, shift_ids(agent, inst, queue, len(qs)), score, int(opts["lp"]))] = True
        else:
            mask[few_per_shift(rng, idx, shift_ids(agent, inst, queue, len(qs)), int(opts["lp"]))] = True
    mask |= window & (vals[var] > 0)
    if "breaks" in opts:  # every pattern of the shifts worked now
        sh = shift_ids(agent, inst, queue, len(qs))
        mask |= window & np.isin(sh, sh[window & (vals[var] > 0)])
    t0 = time.process_time()
    sub, free_vars, _ = parts.build(var[mask], vals, objective)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = float(opts.get("s", 10))
    solver.parameters.linearization_level = 2
    status = solver.Solve(sub)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        vals = vals.copy()
        vals[free_vars] = np.asarray(solver.response_proto.solution, dtype=np.int64)
    print(f"probe {opts}: {int(mask.sum())} options, {solver.status_name(status)}, shortage "
          f"{short.value(values) * short.to_user:.2f} -> {short.value(vals.tolist()) * short.to_user:.2f}, "
          f"bound {solver.best_objective_bound}, {time.process_time() - t0:.0f} s CPU")
    if "out" in opts:  # keep the part's roster (checked)
        roster = _roster_from_solution(rm, vals.tolist())
        print(f"checker: {len(check_roster(scenario, roster))} broken rules")
        with open(opts["out"], "wb") as f:
            pickle.dump(list(roster.assignments), f)


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "probe":
        probe(argv[1], argv[2], argv[3:])
        return 0
    if len(argv) >= 4 and argv[0] == "solve":
        _solve(argv[1], float(argv[2]), argv[3], argv[4:])
        return 0
    if len(argv) >= 3 and argv[0] == "gap":
        gap(argv[1], argv[2], argv[3:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
