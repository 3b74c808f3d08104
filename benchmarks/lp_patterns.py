"""Break patterns read off bound.py's pooled LP, for `benchmarks.with_patterns` (issue 15 item 1, an
experiment towards offering them in the model):

    python -m benchmarks.lp_patterns CASE OUT.pkl

The run's LP (`pricing.solved_lp`: PDLP, a fixed iteration limit) gives each pool shift (pool,
instance, queue) a head-count x and worked-slot counts w under the run-rule windows; w / x is a
point of the hull of the instance's legal patterns, covered by a mix of maximal ones. A tiny LP
per pool shift with x > 0.001 (GLOP: weights over every maximal pattern summing to 1, covering
w / x slot by slot, least uncovered share) gives that mix; its basic solution uses few patterns.
Writes them as (the pool's agents, instance, queue, worked slots) and prints how many."""

from __future__ import annotations

import pickle
import sys
import time

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.patterns import Pattern, all_maximal_patterns
from scheduler.pricing import solved_lp
from scheduler.rules.run_lengths import limits
from scheduler.scenario import load_scenario


def lp_patterns(rm: RosterModel) -> list[tuple[list[int], int, str, tuple[int, ...]]]:
    """The maximal patterns that reproduce each pool shift's worked slots in the run's LP."""
    built = solved_lp(rm)
    if built.point is None:
        return []
    lp, point = built.lp, np.asarray(built.point.primal)
    lim = limits(rm.rules, rm.grid.slot_minutes)
    index = {a.employee_id: k for k, a in enumerate(rm.agents)}
    cache: dict[int, list[Pattern]] = {}
    out = []
    for (gi, i, q), col in lp.columns.items():
        x = float(point[col.x])
        inst = rm.instances[i]
        if x < 1e-3 or len(col.w) != inst.n_slots:
            continue
        share = [min(1.0, max(0.0, float(point[j]) / x)) for j in col.w]
        if i not in cache:
            cache[i] = all_maximal_patterns([rm.grid.high_load[t] for t in inst.slots], *lim)
        pats = cache[i]
        s = pywraplp.Solver.CreateSolver("GLOP")
        weight = [s.NumVar(0, 1, "") for _ in pats]
        short = [s.NumVar(0, 1, "") for _ in share]
        s.Add(sum(weight) == 1)
        for t, need in enumerate(share):
            s.Add(sum(v for v, p in zip(weight, pats) if p[t]) + short[t] >= need)
        s.Minimize(sum(short))
        if s.Solve() != pywraplp.Solver.OPTIMAL:
            continue
        agents = [index[e] for e in lp.groups[gi].ids if e in index]
        out += [(agents, i, q, tuple(inst.first_slot + k for k, w in enumerate(p) if w))
                for v, p in zip(weight, pats) if v.solution_value() > 1e-6]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    scenario = load_scenario(argv[0])
    t0 = time.process_time()
    rm = RosterModel(scenario, Grid(scenario))
    out = lp_patterns(rm)
    with open(argv[1], "wb") as f:
        pickle.dump(out, f)
    print(f"{len(out)} (pool, shift, queue, pattern) written, {time.process_time() - t0:.1f} CPU s "
          "(the model's build included)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
