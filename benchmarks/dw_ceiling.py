"""How high can a bound over whole agent weeks go? The restricted master of a roster's weeks.

    python -m benchmarks.dw_ceiling CASE_DIR ROSTER.pkl CAP [breaks=1]

scheduler.bound_dw's master (bound.py's LP with the rounding cuts, the four weekly rules replaced
by whole weeks of one agent) restricted to the weeks of one roster (a pickled `Roster`, e.g.
from `solve`) and the week with no shift, solved once by GLOP for the least shortage at overflow
<= CAP. A restricted master is the full master with weeks left out, so its value is an UPPER
limit on what the week bound can ever converge to: when it is below a target, no number of
column-generation iterations will reach that target.

With `breaks=1` each column is the agent's whole week as the roster has it: instances, queues
AND worked slots (breaks), linked to every x and w variable of the LP. That is the master of a
decomposition over complete agent schedules (every per-agent rule held by the columns, since a
roster's weeks keep them all), the strongest bound of this family; its restricted value limits
it the same way. Nothing here is a lower bound; it says where lower bounds of this kind stop.
"""

from __future__ import annotations

import pickle
import resource
import sys
import time

from ortools.linear_solver import pywraplp

from scheduler.bound_dw import CAP_PENALTY, GLOP_DEFAULT, add_week, build_master, roster_keys, roster_weeks
from scheduler.roster import Roster
from scheduler.scenario import Scenario, load_scenario


def _full_week_columns(master, roster: Roster) -> int:
    """Link every x and worked-slot w to the weeks, and add each roster agent's whole week
    (instances, queue, worked slots) as a column; returns how many columns were added."""
    lp = master.lp
    solver, grid = lp.solver, lp.grid
    variables = solver.variables()
    link_x: dict[int, pywraplp.Constraint] = {}
    link_w: dict[int, pywraplp.Constraint] = {}
    for col in lp.columns.values():
        for j in [col.x, *col.w]:
            table = link_x if j == col.x else link_w
            if j not in table:
                row = table[j] = solver.Constraint(0, 0)
                row.SetCoefficient(variables[j], 1)
    # the weeks with no shift are there already; any other week must say all it works, so the
    # weeks of instances only (bound_dw's own) are not valid columns here: none were added
    index, type_of = roster_keys(master)
    added = 0
    for agent, shifts in roster.by_agent().items():
        k = type_of.get(agent)
        if k is None:
            continue
        t = master.types[k]
        lam = solver.NumVar(0, t.count, f"full_{agent}")
        master.convexity[k].SetCoefficient(lam, 1)
        for a in shifts:
            i = index.get((a.shift, a.date))
            col = lp.columns.get((t.pool, i, a.queue)) if i is not None else None
            if col is None:
                raise ValueError(f"{agent}'s {a.shift} on {a.date} on {a.queue} is no column of the LP")
            master.link[(t.pool, i)].SetCoefficient(lam, -1)
            worked = {s for start, end in a.runs for s in range(grid.slot_of(start), grid.slot_of(end))}
            inst = grid.instances[i]
            link_x[col.x].SetCoefficient(lam, -1)
            for s, j in zip(inst.slots, col.w):
                if j != col.x and s in worked:
                    link_w[j].SetCoefficient(lam, -1)
        added += 1
    return added


def ceiling(scenario: Scenario, roster: Roster, cap: float, breaks: bool = False) -> dict:
    """The restricted master of the roster's weeks (with `breaks`, whole schedules): "ceiling" its
    value (None unless GLOP proves it optimal), with its size and cost."""
    t0 = time.process_time()
    master = build_master(scenario)
    if breaks:
        n = _full_week_columns(master, roster)
    else:
        n = sum(add_week(master, k, week) for k, week in roster_weeks(master, roster))
    solver = master.lp.solver
    master.cap_row.SetUb(cap * (1 + 1e-6) + 1e-4)
    solver.Minimize(master.shortage + CAP_PENALTY * master.cap_slack)
    solver.SetSolverSpecificParametersAsString(GLOP_DEFAULT)
    st = solver.Solve()
    return {"status": st == pywraplp.Solver.OPTIMAL and "OPTIMAL" or str(st),
            "ceiling": solver.Objective().Value() if st == pywraplp.Solver.OPTIMAL else None,
            "cap_excess": master.cap_slack.solution_value() if st == pywraplp.Solver.OPTIMAL else None,
            "columns": n, "rows": solver.NumConstraints(), "variables": solver.NumVariables(),
            "cpu_s": round(time.process_time() - t0, 1),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        roster = pickle.load(f)
    breaks = any(a in ("breaks=1", "breaks=True") for a in argv[3:])
    out = ceiling(load_scenario(argv[0]), roster, float(argv[2]), breaks)
    print("RESULT", argv[0], f"cap={argv[2]}", f"breaks={int(breaks)}", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
