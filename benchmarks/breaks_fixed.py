"""How much a roster could still gain by its breaks alone (issue 15 item 2): every shift and queue
of the roster kept, the work/break pattern of each shift on the chosen dates chosen again.

    python -m benchmarks.breaks_fixed CASE_DIR SECONDS [--dates 2026-11-11,2026-11-12] [--all-patterns] [--integer S]

solves the case with one worker for SECONDS (`solve(scenario, SolveOptions(SECONDS, workers=1,
seed=0))`, deterministic), then re-chooses the patterns of the roster's shifts on `--dates` (all
dates when not given) from the model's patterns (`scheduler.patterns.maximal_patterns`, capped at
24 per instance) or, with `--all-patterns`, from every maximal pattern, with the roster's own
pattern always among them; the overflow of the freed slots may not grow, the shortage is
minimised. It prints the roster's shortage and

- the LP (GLOP) of that re-choice: a pattern per shift as a convex combination, so a lower bound
  on the shortage of every roster with these shifts and these patterns (the weekly hours cap
  kept; the run rules are inside the patterns; nothing else a pattern changes);
- with `--integer S`, SCIP on the same program for S seconds (one thread): a roster's re-choice
  and SCIP's bound.

If the LP bound is near the roster's shortage, its breaks are as good as its shifts allow: what
is left is in which shifts are worked, not where the breaks sit. Service as SPEC 4 defines it,
computed here from the roster's runs, not by the model. Nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import defaultdict
from dataclasses import dataclass, replace

from ortools.linear_solver import pywraplp

from scheduler.grid import Grid
from scheduler.patterns import maximal_patterns
from scheduler.roster import Roster
from scheduler.rules.run_lengths import limits
from scheduler.scenario import Scenario


@dataclass
class Rechoice:
    """Shortage in agent-hours: the roster's, and after the re-choice (`value`; the LP's value
    when not integer) with the solver's bound; the shifts freed."""

    before: float
    value: float
    bound: float
    shifts: int
    status: str
    roster: Roster | None = None  # the re-chosen roster (integer solves only)


def rechoose_breaks(scenario: Scenario, roster: Roster, dates: set[dt.date] | None = None,
                    all_patterns: bool = False, integer_s: float | None = None) -> Rechoice:
    """The re-choice of the module docstring (LP when `integer_s` is None, else SCIP for that
    many seconds)."""
    grid = Grid(scenario)
    cfg = scenario.config
    reroute = cfg.rules.reroute_concurrency
    max_run, max_hl = limits(cfg.rules, grid.slot_minutes)
    eff = {a.employee_id: a.efficiency for a in scenario.agents}
    inst_by = {(i.code, i.date): i for i in grid.instances}
    solver = pywraplp.Solver.CreateSolver("SCIP" if integer_s is not None else "GLOP")
    new = solver.IntVar if integer_s is not None else solver.NumVar

    def worked_of(a) -> tuple[int, ...]:
        return tuple(t for s, e in a.runs for t in range(grid.slot_of(s), grid.slot_of(e)))

    fixed: dict[tuple[int, str], float] = defaultdict(float)   # staffing of the shifts kept as they are
    now: dict[tuple[int, str], float] = defaultdict(float)     # the roster's staffing
    cover: dict[tuple[int, str], list] = defaultdict(list)     # the freed shifts' terms
    block = 7 * 24 * 60 // grid.slot_minutes  # the weekly cap's 7-day blocks, in slots
    hours: dict[tuple[str, int], list] = defaultdict(list)
    kept_slots: dict[tuple[str, int], int] = defaultdict(int)
    cache: dict[int, list[tuple[int, ...]]] = {}
    freed = 0
    chosen: list[tuple[object, list[tuple[int, ...]], list]] = []  # (assignment, its patterns, their variables)
    for a in roster.assignments:
        w = worked_of(a)
        for t in w:
            now[(t, a.queue)] += eff[a.employee_id]
        if dates is not None and a.date not in dates:
            for t in w:
                kept_slots[(a.employee_id, t // block)] += 1
                fixed[(t, a.queue)] += eff[a.employee_id]
            continue
        inst = inst_by[(a.shift, a.date)]
        if inst.index not in cache:
            high = [grid.high_load[t] for t in inst.slots]
            cache[inst.index] = [tuple(inst.first_slot + k for k, x in enumerate(p) if x)
                                 for p in maximal_patterns(high, max_run, max_hl, cap=None if all_patterns else 24)]
        choices = list(dict.fromkeys([*cache[inst.index], w]))
        xs = [new(0, 1, "") for _ in choices]
        solver.Add(solver.Sum(xs) == 1)
        freed += 1
        chosen.append((a, choices, xs))
        for p, x in zip(choices, xs):
            for t in p:
                cover[(t, a.queue)].append(eff[a.employee_id] * x)
            for b in {t // block for t in p}:
                hours[(a.employee_id, b)].append(sum(1 for t in p if t // block == b) * x)
    per_week = {a.employee_id: (cfg.rules.max_hours_week if a.max_hours_week is None else a.max_hours_week)
                * 60 / grid.slot_minutes for a in scenario.agents}
    for (e, b), terms in hours.items():
        solver.Add(solver.Sum(terms) + kept_slots[(e, b)] <= per_week[e])
    over, short = [], []
    before = rest = over_now = 0.0
    for q in cfg.queues:
        rate = grid.contacts_per_hour[q.id]
        for t in range(grid.n_slots):
            if rate[t] <= 0:
                continue
            load, req = rate[t] * q.session_minutes / 60.0, rate[t] / q.contacts_per_agent_hour
            before += max(0.0, req - now[(t, q.id)])
            if (t, q.id) not in cover:
                rest += max(0.0, req - now[(t, q.id)])
                continue
            over_now += max(0.0, load - reroute * now[(t, q.id)])
            staffed = fixed[(t, q.id)] + solver.Sum(cover[(t, q.id)])
            ov, sh = solver.NumVar(0, load, ""), solver.NumVar(0, req, "")
            solver.Add(ov + reroute * staffed >= load)
            solver.Add(sh + staffed >= req)
            over.append(ov)
            short.append(sh)
    d = grid.delta_hours
    if over:
        solver.Add(solver.Sum(over) <= over_now * (1 + 1e-9) + 1e-6)  # overflow first: never more of it
    solver.Minimize(solver.Sum(short) if short else 0)
    if integer_s is not None:
        solver.SetTimeLimit(int(integer_s * 1000))
        solver.SetNumThreads(1)
    status = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE"}
    if status not in names:
        return Rechoice(before * d, float("nan"), float("nan"), freed, "no solution")
    value = solver.Objective().Value()
    bound = solver.Objective().BestBound() if integer_s is not None else value
    out = None
    if integer_s is not None:
        picked = {id(a): choices[max(range(len(xs)), key=lambda k: xs[k].solution_value())]
                  for a, choices, xs in chosen}
        out = Roster([replace(a, runs=grid.runs_of(picked[id(a)])) if id(a) in picked else a
                      for a in roster.assignments])
    return Rechoice(before * d, (rest + value) * d, (rest + bound) * d, freed, names[status], out)


def main(argv: list[str]) -> int:
    from scheduler.scenario import load_scenario
    from scheduler.solve import ProgressPrinter, SolveOptions, solve

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case")
    ap.add_argument("seconds", type=float)
    ap.add_argument("--dates", default="")
    ap.add_argument("--all-patterns", action="store_true")
    ap.add_argument("--integer", type=float, default=None, metavar="S")
    args = ap.parse_args(argv)
    scenario = load_scenario(args.case)
    roster, _report = solve(scenario, SolveOptions(args.seconds, workers=1, seed=0), ProgressPrinter(None))
    dates = {dt.date.fromisoformat(x) for x in args.dates.split(",")} if args.dates else None
    for integer in (None, args.integer) if args.integer is not None else (None,):
        r = rechoose_breaks(scenario, roster, dates, args.all_patterns, integer)
        how = "LP" if integer is None else f"SCIP {integer:g} s"
        print(f"{how}: {r.shifts} shifts' breaks re-chosen ({'all maximal' if args.all_patterns else 'the model s'} "
              f"patterns): shortage {r.before:.2f} -> {r.value:.2f}, bound {r.bound:.2f} ({r.status})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
