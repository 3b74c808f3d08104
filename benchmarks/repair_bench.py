"""Repair benchmark (SPEC section 6): how fast the whole `scheduler repair` command answers a sick
call or a surge, and how many people it calls.

    python -m benchmarks.repair_bench --published ROSTER.xlsx [--agents 400] [--days 14]
                                      [--cases 1 3 10 surge] [--repeats 5] [--out benchmarks/results/repair.csv]

Generates the seeded Double 11 scenario (benchmarks.generate) and repairs the published roster
(a workbook of that scenario; without --published the benchmark solves one first, --solve-time
seconds). A case `N` is N simultaneous sick calls: agents on duty that day (a random day away from
the horizon's ends; leads spared), from 40 minutes past a random hour 06-19, absent until the end
of the next day. `surge` is +30 % contacts in every queue on the sale day (11-11) from a random
hour 08-16 to the end of the day. Each repair runs the command line in a fresh process
(`python -m scheduler.cli repair ... --quiet`) and its wall time is the whole command: imports,
reading the workbook, the repair, the checker and writing the new workbook. Every repaired
workbook is run through the independent checker (with its Absences and Demand sheets).
`--pythonpath DIR` runs another checkout of the code (the "before" figures).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import ortools

from benchmarks.generate import SALE_DAY, generate
from scheduler.check import check_rows
from scheduler.roster import Roster
from scheduler.scenario import load_scenario, with_absences
from scheduler.solve import SolveOptions, solve
from scheduler.workbook import read_absences, read_assignments, read_demand, write_workbook


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far: on a loaded machine
    the command's own work, where its wall time also counts the waiting."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def machine() -> str:
    return (f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"ortools {ortools.__version__}")


def sick_calls(scenario, roster, k: int, rng: random.Random) -> list[tuple[str, dt.datetime, dt.datetime]]:
    days = scenario.config.dates
    day = rng.choice(days[2:-2] if len(days) > 4 else days)
    on_day = sorted({a.employee_id for a in roster.assignments if a.date == day})
    leads = {a.employee_id for a in scenario.agents if a.is_lead}
    pool = [e for e in on_day if e not in leads] or on_day
    moment = dt.datetime.combine(day, dt.time(rng.randrange(6, 20), 40))
    end = dt.datetime.combine(day + dt.timedelta(days=2), dt.time())
    return [(e, moment, end) for e in rng.sample(pool, min(k, len(pool)))]


def _sheet_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb[sheet].iter_rows(values_only=True)) if sheet in wb.sheetnames else []
    finally:
        wb.close()


def outcome(scenario_dir: Path, out: Path, absent: set[str]) -> dict:
    """Other agents changed, calls, the calls table's first rows and checker violations of a
    repaired workbook."""
    changes = _sheet_rows(out, "Changes")
    header = list(changes[0]) if changes else []
    other, calls = set(), set()
    for row in changes[1:]:
        if not row or row[0] is None or row[2] is None or not isinstance(row[2], (dt.date, dt.datetime)):
            break  # the call list below the table
        if row[0] not in absent:
            other.add(row[0])
        if "call" in header and row[header.index("call")] == "yes":
            calls.add(row[0])
    options = [r for r in _sheet_rows(out, "Options")[1:] if r and isinstance(r[0], int)]
    table = "; ".join(f"{r[0]}: {r[1] if r[1] is not None else '-'}/{r[2] if r[2] is not None else '-'}"
                      for r in options[:4])
    scenario = read_demand(out, with_absences(load_scenario(scenario_dir), read_absences(out)))
    return {"other_changed": len(other), "calls": len(calls) if "call" in header else len(other),
            "table": table, "violations": len(check_rows(scenario, read_assignments(out)))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.repair_bench")
    p.add_argument("--agents", type=int, default=400)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--solve-time", type=float, default=120)
    p.add_argument("--cases", nargs="+", default=["1", "3", "10", "surge"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=2, help="CP-SAT workers of the published roster's solve")
    p.add_argument("--repair-workers", type=int, help="--workers of each repair (default: the command's own)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scenarios", default=str(Path(__file__).parent / "scenarios"))
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "repair.csv"))
    p.add_argument("--published", help="a roster workbook of the same scenario to repair (skips the solve)")
    p.add_argument("--pythonpath", help="run the repair command of another checkout (its root directory)")
    p.add_argument("--label", default="this code", help="what the rows measure (e.g. a commit)")
    args = p.parse_args(argv)

    folder = generate(Path(args.scenarios), args.agents, args.days, 60, 2, args.seed)
    scenario = load_scenario(folder)
    work = Path(tempfile.mkdtemp(prefix="repair_bench_"))
    if args.published:
        published_path = Path(args.published)
    else:
        t0 = time.monotonic()
        roster, report = solve(scenario, SolveOptions(args.solve_time, args.workers, args.seed))
        published_path = work / "published.xlsx"
        from scheduler.grid import Grid
        from scheduler.kpi import coverage, summary_kpis

        cov = coverage(scenario, Grid(scenario), roster)
        write_workbook(published_path, scenario=scenario, roster=roster, report=report, coverage=cov,
                       kpis=summary_kpis(scenario, Grid(scenario), roster, cov))
        print(f"published roster: {len(roster.assignments)} shifts, solved in {time.monotonic() - t0:.1f}s",
              file=sys.stderr)
    published = Roster.from_rows(read_assignments(published_path))
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    rng = random.Random(args.seed)
    rows = []
    for case in args.cases:
        for r in range(args.repeats):
            out = work / f"repaired_{case}_{r}.xlsx"
            cmd = [sys.executable, "-m", "scheduler.cli", "repair", str(published_path), "--scenario", str(folder),
                   "--out", str(out), "--quiet", "--seed", str(args.seed)]
            if args.repair_workers is not None:
                cmd += ["--workers", str(args.repair_workers)]
            if case == "surge":
                moment = dt.datetime.combine(SALE_DAY, dt.time(rng.randrange(8, 17)))
                cmd += ["--scale", "1.3", "--from", f"{moment:%Y-%m-%d %H:%M}"]
                absent: set[str] = set()
            else:
                calls = sick_calls(scenario, published, int(case), rng)
                moment = calls[0][1]
                absent = {e for e, _, _ in calls}
                absences = work / f"absences_{case}_{r}.csv"
                with open(absences, "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(["employee_id", "start", "end", "reason"])
                    w.writerows([e, f"{s:%Y-%m-%d %H:%M}", f"{t:%Y-%m-%d %H:%M}", "sick call"] for e, s, t in calls)
                cmd += ["--absences", str(absences)]
            t, cpu = time.monotonic(), _children_cpu()
            # from the other checkout's root: `python -m` puts the working directory first on the path
            done = subprocess.run(cmd, env=env, cwd=args.pythonpath or None, capture_output=True, text=True)
            seconds, cpu = time.monotonic() - t, _children_cpu() - cpu
            row = {"label": args.label, "agents": args.agents, "days": args.days, "case": case, "repeat": r,
                   "moment": f"{moment:%Y-%m-%d %H:%M}", "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
                   "exit": done.returncode}
            if done.returncode == 0:
                row.update(outcome(folder, out, absent))
            else:
                row.update({"other_changed": None, "calls": None, "table": done.stderr.strip()[-200:],
                            "violations": None})
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"Machine: {machine()}\nCommand: python -m benchmarks.repair_bench {' '.join(argv or sys.argv[1:])}\n")
    print("| case | repairs | median s | max s | median CPU s | median other agents changed | median calls | "
          "violations | calls table (calls: overflow/shortage lost), first repair |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        rs = [r for r in rows if r["case"] == case and r["exit"] == 0]
        failed = sum(1 for r in rows if r["case"] == case and r["exit"] != 0)
        if not rs:
            print(f"| {case} | 0 ({failed} failed) | | | | | | | |")
            continue
        print(f"| {case} | {len(rs)}{f' ({failed} failed)' if failed else ''} | "
              f"{statistics.median(r['seconds'] for r in rs):.1f} | {max(r['seconds'] for r in rs):.1f} | "
              f"{statistics.median(r['cpu_s'] for r in rs):.1f} | "
              f"{statistics.median(r['other_changed'] for r in rs):g} | "
              f"{statistics.median(r['calls'] for r in rs):g} | "
              f"{sum(r['violations'] for r in rs)} | {rs[0]['table']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
