"""Repair benchmark (SPEC section 6): how fast a sick call is repaired, and how many plans change.

    python -m benchmarks.repair_bench [--agents 400] [--days 14] [--solve-time 120]
                                      [--absences 1 3 10] [--repeats 5] [--out benchmarks/results/repair.csv]

Generates the seeded Double 11 scenario (benchmarks.generate), solves it once to get the
published roster, then for each number of simultaneous absences repairs `repeats` random sick
calls (agents on duty that day, 40 minutes into a slot, absent until the end of the next day).
Time is wall time of `scheduler.repair.repair` (model build, greedy hint and solve included);
every repaired roster is run through the independent checker.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import ortools

from benchmarks.generate import generate
from scheduler.check import check_roster
from scheduler.repair import repair
from scheduler.roster import Roster
from scheduler.workbook import read_assignments
from scheduler.scenario import Absence, load_scenario
from scheduler.solve import SolveOptions, solve


def machine() -> str:
    return (f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"ortools {ortools.__version__}")


def sick_calls(scenario, roster, k: int, rng: random.Random) -> list[Absence]:
    days = scenario.config.dates
    day = rng.choice(days[2:-2] if len(days) > 4 else days)
    on_day = sorted({a.employee_id for a in roster.assignments if a.date == day})
    leads = {a.employee_id for a in scenario.agents if a.is_lead}
    pool = [e for e in on_day if e not in leads] or on_day
    hour = rng.randrange(6, 20)
    moment = dt.datetime.combine(day, dt.time(hour, 40))
    end = dt.datetime.combine(day + dt.timedelta(days=2), dt.time())
    return [Absence(employee_id=e, start=moment, end=end, reason="sick call")
            for e in rng.sample(pool, min(k, len(pool)))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.repair_bench")
    p.add_argument("--agents", type=int, default=400)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--solve-time", type=float, default=120)
    p.add_argument("--repair-time", type=float, default=30, help="time limit of each repair (s)")
    p.add_argument("--absences", type=int, nargs="+", default=[1, 3, 10])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scenarios", default=str(Path(__file__).parent / "scenarios"))
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "repair.csv"))
    p.add_argument("--published", help="a roster workbook of the same scenario to repair (skips the solve)")
    p.add_argument("--full", action="store_true", help="re-solve every plan after the moment (repair --full)")
    args = p.parse_args(argv)

    folder = generate(Path(args.scenarios), args.agents, args.days, 60, 2, args.seed)
    scenario = load_scenario(folder)
    t0 = time.monotonic()
    if args.published:
        published = Roster.from_rows(read_assignments(Path(args.published)))
    else:
        published, report = solve(scenario, SolveOptions(args.solve_time, args.workers, args.seed))
        print(f"published roster: {len(published.assignments)} shifts, solved in {time.monotonic() - t0:.1f}s "
              f"({report.status})", file=sys.stderr)
    rng = random.Random(args.seed)
    rows = []
    for k in args.absences:
        for r in range(args.repeats):
            absences = sick_calls(scenario, published, k, rng)
            t = time.monotonic()
            sc2, roster, rep, changes = repair(scenario, published, absences, time_limit_s=args.repair_time,
                                               workers=args.workers, seed=args.seed, full=args.full)
            seconds = time.monotonic() - t
            absent = {a.employee_id for a in absences}
            changed = {c["employee_id"] for c in changes}
            rows.append({"agents": args.agents, "days": args.days, "mode": "full" if args.full else "neighbourhood",
                         "absences": k, "repeat": r,
                         "moment": f"{absences[0].start:%Y-%m-%d %H:%M}", "seconds": round(seconds, 2),
                         "status": rep.status, "changed_agents": len(changed - absent),
                         "changed_shifts": sum(1 for c in changes if c["employee_id"] not in absent),
                         "violations": len(check_roster(sc2, roster))})
            print(rows[-1], file=sys.stderr, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"Machine: {machine()}\nCommand: python -m benchmarks.repair_bench {' '.join(argv or sys.argv[1:])}\n")
    print("| absences | repairs | median s | max s | median other agents changed | median other shifts changed | violations |")
    print("|---|---|---|---|---|---|---|")
    for k in args.absences:
        rs = [r for r in rows if r["absences"] == k]
        print(f"| {k} | {len(rs)} | {statistics.median(r['seconds'] for r in rs):.1f} | "
              f"{max(r['seconds'] for r in rs):.1f} | {statistics.median(r['changed_agents'] for r in rs):g} | "
              f"{statistics.median(r['changed_shifts'] for r in rs):g} | {sum(r['violations'] for r in rs)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
