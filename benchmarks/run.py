"""Benchmark runner: our CP-SAT roster against the LP bound and two baselines, same KPI code.

    python -m benchmarks.run --cases smoke|default|large|SPEC[,SPEC...] --time-limit S --workers N \
                             --out benchmarks/results/results.csv

A SPEC is AGENTSxDAYSxSLOTxQUEUES, e.g. 400x14x60x2, optionally followed by `-nHH` (the night shift
starts at HH:00; 22 runs across midnight) and `-aP` (P % of the staff absent for 1-3 days instead
of 1 %), e.g. 120x7x30x3-n22-a5; cases of 400 agents or more get twice the time limit. Scenario
folders are generated (seeded, `benchmarks.generate`) into --scenarios (default
benchmarks/scenarios/) when missing. Each case runs in its own process (multiprocessing, spawn), so
its peak memory (ru_maxrss) is its own.

Per case and method one CSV row:

- `cp-sat`: our solver (scheduler.solve); model size, time to first feasible roster, the
  tiers' CP-SAT bounds, time until the shortage is within 25/10/5 % of the best bound;
- `rule_of_thumb`: headcount per date and queue = ceil(daily contacts / (contacts_per_agent_hour
  * 8)), the queue's agents dealt round-robin into N/E/L (regulars first; skipping anyone whom
  absence, night_ok, kind, rest, consecutive days, nights or weekly hours rule out), breaks every
  max_continuous_hours; a real roster, scored by scheduler.kpi and judged by scheduler.check;
- `pyworkforce`: pyworkforce 0.5.1 MinRequiredResources on the required agents per hour (all
  queues, rounded up) with the N/E/L coverage matrix; its anonymous head-counts (scaled down to
  the staff's shift capacity when they exceed it) are scored as efficiency-1 agents working every
  hour of their shift, split over the queues in proportion to demand. It has no people, rest,
  breaks, leads, skills, kinds or absences, so this favours it.

Every row carries the case's LP bounds (scheduler.bound.lp_bound), the pooled integer bound
(`lp_bound(integer=True)`, SCIP, --mip-time seconds: overflow for every roster, shortage for
rosters with our overflow), with --dw-time the week bound (scheduler.bound_dw, Dantzig-Wolfe over each
agent's week), with --day-time the day bound (scheduler.bound_day, Lagrangian with integer day
subproblems at the LP's duals) and the ratios value / max(LP, MIP, DW, day, CP-SAT bound) that apply to it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import multiprocessing as mp
import os
import platform
import re
import resource
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from benchmarks.generate import case_name, generate

HERE = Path(__file__).parent


class Case(NamedTuple):
    agents: int
    days: int
    slot: int
    queues: int
    factor: float  # of --time-limit
    night_start: int | None = None
    absent_share: float = 0.01

    @property
    def name(self) -> str:
        return case_name(self.agents, self.days, self.slot, self.queues, night_start=self.night_start,
                         absent_share=self.absent_share)

    def generate(self, out_dir: Path, seed: int) -> Path:
        return generate(out_dir, self.agents, self.days, self.slot, self.queues, seed,
                        night_start=self.night_start, absent_share=self.absent_share)


PRESETS: dict[str, list[Case]] = {
    "smoke": [Case(10, 2, 60, 2, 1)],
    "default": [Case(50, 7, 60, 2, 1), Case(100, 7, 60, 2, 1), Case(400, 14, 60, 2, 2)],
    "large": [Case(200, 14, 60, 3, 1), Case(400, 14, 30, 2, 2), Case(800, 14, 60, 2, 2),
              Case(400, 14, 15, 2, 2),  # issue 15: 15-minute slots, twice the limit like the other 400s
              # issue 15: three queues at 30 minutes, a 22:00-06:00 night, 5 % absent; 120 s like the 400s
              Case(120, 7, 30, 3, 2, night_start=22, absent_share=0.05)],
}
_SPEC = re.compile(r"(\d+)x(\d+)x(\d+)x(\d+)((?:-[na]\d+)*)")
COLUMNS = [
    "case", "agents", "days", "slot_minutes", "queues", "method", "status", "seconds", "time_limit_s", "workers",
    "n_variables", "n_constraints", "t_first_feasible_s", "overflow", "shortage",
    "overflow_lb_lp", "shortage_lb_lp", "shortage_lb_lp_any", "overflow_lb_mip", "shortage_lb_mip",
    "overflow_lb_cpsat", "shortage_lb_cpsat", "overflow_lb_dw", "shortage_lb_dw",
    "overflow_lb_day", "shortage_lb_day",
    "overflow_ratio", "shortage_ratio", "shortage_gap", "within_10pct_plus_2",
    "t_within_25pct_s", "t_within_10pct_s", "t_within_5pct_s",
    "lp_status", "lp_seconds", "lp_groups", "mip_status", "mip_seconds", "dw_status", "dw_seconds",
    "day_status", "day_seconds", "violations", "peak_mem_solver_mb",
    "peak_mem_mb",
    "load_avg_1m", "code", "notes", "machine", "command",
]


def parse_cases(text: str) -> list[Case]:
    if text in PRESETS:
        return PRESETS[text]
    out = []
    for spec in text.split(","):
        m = _SPEC.fullmatch(spec.strip())
        if not m:
            raise SystemExit(f"--cases: {spec.strip()!r} is not AGENTSxDAYSxSLOTxQUEUES[-nHH][-aP], "
                             "e.g. 400x14x60x2 or 120x7x30x3-n22-a5")
        a, d, s, q = (int(v) for v in m.groups()[:4])
        opts = {o[0]: int(o[1:]) for o in m.group(5).split("-") if o}
        out.append(Case(a, d, s, q, 2 if a >= 400 else 1,  # as in the presets
                        night_start=opts.get("n"), absent_share=opts.get("a", 1) / 100))
    return out


def machine() -> str:
    import ortools

    return (f"{platform.platform()}; {os.cpu_count()} CPUs; {platform.processor() or platform.machine()}; "
            f"Python {platform.python_version()}; ortools {ortools.__version__}")


def code_version() -> str:
    """The git commit and a hash of the scheduler package's sources as this process reads them,
    so a table says exactly which code it measured (uncommitted edits included)."""
    import hashlib
    import subprocess

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha1()
    for f in sorted((root / "scheduler").glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "scheduler"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "", ""
    return f"{head or 'no-git'}{'+dirty' if dirty else ''} scheduler:{h.hexdigest()[:10]}"


# ------------------------------------------------------------------------------------ our solver

def _recording_printer():
    from scheduler.solve import ProgressPrinter

    class RecordingPrinter(ProgressPrinter):
        """Records (elapsed s, tier, objective, bound) for every improving roster; prints nothing."""

        def __init__(self) -> None:
            super().__init__(stream=None)
            self.events: list[tuple[float, str, float, float]] = []

        def solution(self, name: str, objective: float, bound: float, final: bool = False) -> None:
            self.events.append((time.monotonic() - self.t0, name, objective, bound))

    return RecordingPrinter()


def _phase(report, name):
    return next((p for p in report.phases if p.name == name), None)


def _ratio(value: float | None, lb: float | None) -> float | None:
    if value is None or lb is None:
        return None
    if lb <= 1e-9:
        return 1.0 if value <= 1e-6 else math.inf
    return value / lb


def run_ours(scenario, time_limit: float, workers: int) -> dict:
    from scheduler.check import check_roster
    from scheduler.errors import InfeasibleError
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis
    from scheduler.solve import SolveOptions, solve

    printer = _recording_printer()
    t0 = time.monotonic()
    try:
        roster, report = solve(scenario, SolveOptions(time_limit_s=time_limit, workers=workers, seed=0), printer)
    except InfeasibleError as exc:
        return {"method": "cp-sat", "status": "NO_ROSTER", "seconds": time.monotonic() - t0, "notes": str(exc)[:200]}
    seconds = time.monotonic() - t0
    k = summary_kpis(scenario, Grid(scenario), roster)
    ov, sh = _phase(report, "overflow"), _phase(report, "shortage")
    return {
        "method": "cp-sat", "status": report.status, "seconds": seconds,
        "n_variables": report.n_variables, "n_constraints": report.n_constraints,
        "t_first_feasible_s": printer.events[0][0] if printer.events else None,
        "overflow": k["overflow_customer_hours"], "shortage": k["shortage_agent_hours"],
        "overflow_lb_cpsat": ov.best_bound if ov else 0.0, "shortage_lb_cpsat": sh.best_bound if sh else 0.0,
        "violations": len(check_roster(scenario, roster)), "_events": printer.events, "_roster": roster,
        # what the large-neighbourhood search did in each tier (scheduler.lns), and the searches
        # beside or apart from it
        "notes": " | ".join(n for n in report.notes
                            if any(k in n for k in ("neighbourhood search", "recombination", "searches apart"))),
    }


# ------------------------------------------------------------------------------------ baseline 1

def rule_of_thumb_roster(scenario):
    """The seed plan's rule of thumb as a real roster (see the module docstring)."""
    from scheduler.grid import Grid
    from scheduler.roster import Assignment, Roster

    cfg, rules = scenario.config, scenario.config.rules
    grid = Grid(scenario)
    per_day = 24 * 60 // cfg.slot_minutes
    codes = [c for c in ("N", "E", "L") if any(s.code == c for s in cfg.shifts)] or [s.code for s in cfg.shifts][:3]
    inst = {(i.code, i.date): i for i in grid.instances}
    absences = defaultdict(list)
    for ab in scenario.absences:
        absences[ab.employee_id].append((ab.start, ab.end))
    max_run = int(rules.max_continuous_hours * 60 // cfg.slot_minutes)
    rest = dt.timedelta(hours=rules.min_rest_hours)
    cph = {q.id: q.contacts_per_agent_hour for q in cfg.queues}
    shifts_of: dict[str, list] = defaultdict(list)  # employee -> instances worked, in order
    pointer: dict[str, int] = defaultdict(int)
    out = []

    def serving(agent, date) -> str:
        for mv in cfg.moves:
            if agent.home_queue == mv.from_queue and date in mv.dates:
                return mv.to_queue
        return agent.home_queue

    def can_work(agent, i) -> bool:
        if agent.kind not in i.kinds or (i.night and not agent.night_ok):
            return False
        if any(s < i.end and i.start < e for s, e in absences[agent.employee_id]):
            return False
        mine = shifts_of[agent.employee_id]
        if mine and (mine[-1].date == i.date or i.start < mine[-1].end + rest):
            return False
        dates = {j.date for j in mine} | {i.date}
        run, d = 1, i.date - dt.timedelta(days=1)
        while d in dates:
            run, d = run + 1, d - dt.timedelta(days=1)
        if run > rules.max_consecutive_days:
            return False
        if i.night and sum(j.night for j in mine) >= rules.max_night_shifts:
            return False
        week = (i.date - cfg.start).days // 7
        hours = sum(j.n_slots for j in mine if (j.date - cfg.start).days // 7 == week) * grid.delta_hours
        cap = agent.max_hours_week or rules.max_hours_week
        return hours + i.n_slots * grid.delta_hours - _break_slots(i.n_slots) * grid.delta_hours <= cap + 1e-9

    def _break_slots(n: int) -> int:
        return len(_breaks(n))

    def _breaks(n: int) -> list[int]:
        out_, k = [], max_run
        while n - (out_[-1] + 1 if out_ else 0) > max_run and k < n - 1:
            out_.append(k)
            k += max_run + 1
        return out_

    for di, date in enumerate(cfg.dates):
        for q in cfg.queue_ids:
            contacts = sum(scenario.demand[q][di * per_day:(di + 1) * per_day])
            need = math.ceil(contacts / (cph[q] * 8) - 1e-9)
            pool = [a for a in scenario.agents if serving(a, date) == q]
            pool.sort(key=lambda a: (a.kind != "regular", a.employee_id))
            regular = [a for a in pool if a.kind == "regular"]
            flex = [a for a in pool if a.kind != "regular"]
            dealt, k = 0, 0
            for group in (regular, flex):
                if not group:
                    continue
                start = pointer[q] % len(group) if group is regular else 0
                order = group[start:] + group[:start]
                for agent in order:
                    if dealt >= need:
                        break
                    placed = False
                    for off in range(len(codes)):  # try the dealt shift first, then the others
                        i = inst.get((codes[(k + off) % len(codes)], date))
                        if i is not None and can_work(agent, i):
                            placed = True
                            break
                    if not placed:
                        continue
                    brk = set(_breaks(i.n_slots))
                    runs = grid.runs_of(i.first_slot + s for s in range(i.n_slots) if s not in brk)
                    out.append(Assignment(agent.employee_id, date, i.code, q, runs))
                    shifts_of[agent.employee_id].append(i)
                    dealt += 1
                    k += 1
                if group is regular:
                    pointer[q] += dealt
    return Roster(out).sorted()


def run_rule_of_thumb(scenario) -> dict:
    from scheduler.check import check_roster
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis

    t0 = time.monotonic()
    roster = rule_of_thumb_roster(scenario)
    k = summary_kpis(scenario, Grid(scenario), roster)
    viol = check_roster(scenario, roster)
    kinds = sorted({v.rule for v in viol})
    return {"method": "rule_of_thumb", "status": "ROSTER", "seconds": time.monotonic() - t0,
            "overflow": k["overflow_customer_hours"], "shortage": k["shortage_agent_hours"],
            "violations": len(viol), "notes": ("breaks: " + ", ".join(kinds)) if kinds else ""}


# ------------------------------------------------------------------------------------ baseline 2

def run_pyworkforce(scenario, time_limit: float, workers: int) -> dict:
    try:
        from pyworkforce.scheduling import MinRequiredResources
    except ImportError:
        return {"method": "pyworkforce", "status": "NOT_INSTALLED",
                "notes": "pip install -e '.[bench]' (pyworkforce==0.5.1)"}  # a dict alone: nothing to roster
    from scheduler.grid import Grid

    t0 = time.monotonic()
    cfg = scenario.config
    grid = Grid(scenario)
    per_hour = 60 // cfg.slot_minutes
    n_agents = len(scenario.agents)
    shifts = [s for s in cfg.shifts if s.code in ("N", "E", "L")] or list(cfg.shifts)[:3]
    coverage = {}
    for s in shifts:
        first = s.start.hour
        coverage[s.code] = [1 if (h - first) % 24 < s.hours else 0 for h in range(24)]
    required_slot = [sum(grid.contacts_per_hour[q.id][t] / q.contacts_per_agent_hour for q in cfg.queues)
                     for t in range(grid.n_slots)]
    req = [[min(n_agents, math.ceil(max(required_slot[(d * 24 + h) * per_hour + k] for k in range(per_hour)) - 1e-9))
            for h in range(24)] for d in range(cfg.days)]
    solver = MinRequiredResources(num_days=cfg.days, periods=24, shifts_coverage=coverage, required_resources=req,
                                  max_period_concurrency=n_agents, max_shift_concurrency=n_agents,
                                  max_search_time=float(max(1.0, min(30.0, time_limit))), num_search_workers=workers)
    sol = solver.solve()
    status = str(sol.get("status"))
    if not sol.get("resources_shifts"):
        return {"method": "pyworkforce", "status": status, "seconds": time.monotonic() - t0,
                "notes": "no head-counts returned"}, {}, shifts
    heads = {(r["day"], r["shift"]): int(r["resources"]) for r in sol["resources_shifts"]}
    # the staff's shift capacity: one shift per date, max_consecutive_days, weekly hours (8-hour shifts)
    rules = cfg.rules
    cap = 0
    for a in scenario.agents:
        hours = a.max_hours_week or rules.max_hours_week
        for w0 in range(0, cfg.days, 7):
            days = min(7, cfg.days - w0)
            cap += min(days, rules.max_consecutive_days, int(hours // 8))
    total = sum(heads.values())
    scale = min(1.0, cap / total) if total else 1.0
    notes = ["anonymous head-counts: no people, rest, breaks, leads, skills, kinds, absences"]
    if scale < 1:
        heads = {k: math.floor(v * scale) for k, v in heads.items()}
        notes.append(f"head-counts scaled by {scale:.2f} to the staff's {cap} shift capacity")
    staffed = [0.0] * grid.n_slots
    for (d, code), n in heads.items():
        s = next(x for x in shifts if x.code == code)
        begin = d * 24 * per_hour + s.start.hour * per_hour
        for t in range(begin, min(grid.n_slots, begin + round(s.hours * per_hour))):
            staffed[t] += n
    R, d_h = rules.reroute_concurrency, grid.delta_hours
    overflow = shortage = 0.0
    for t in range(grid.n_slots):
        tot = required_slot[t]
        for q in cfg.queues:
            rate = grid.contacts_per_hour[q.id][t]
            if rate <= 0:
                continue
            req_q = rate / q.contacts_per_agent_hour
            s_q = staffed[t] * req_q / tot
            shortage += max(0.0, req_q - s_q) * d_h
            overflow += max(0.0, rate * q.session_minutes / 60 - R * s_q) * d_h
    row = {"method": "pyworkforce", "status": status, "seconds": time.monotonic() - t0,
           "overflow": overflow, "shortage": shortage, "notes": "; ".join(notes)}
    return row, heads, shifts


def run_pyworkforce_roster(scenario, heads: dict, shifts: list, time_limit: float, workers: int) -> dict:
    """pyworkforce's MinHoursRoster on MinRequiredResources' head-counts: a real roster."""
    from pyworkforce.rostering import MinHoursRoster

    from scheduler.check import check_roster
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis
    from scheduler.roster import Assignment, Roster

    t0 = time.monotonic()
    cfg = scenario.config
    grid = Grid(scenario)
    codes = [s.code for s in shifts]
    inst = {(i.code, i.date): i for i in grid.instances}
    absences = defaultdict(list)
    for ab in scenario.absences:
        absences[ab.employee_id].append((ab.start, ab.end))
    ids = [a.employee_id for a in scenario.agents]
    banned = []
    for a in scenario.agents:
        for d, date in enumerate(cfg.dates):
            for code in codes:
                i = inst.get((code, date))
                if (i is None or a.kind not in i.kinds or (i.night and not a.night_ok)
                        or any(s < i.end and i.start < e for s, e in absences[a.employee_id])):
                    banned.append({"resource": a.employee_id, "shift": code, "day": d})
    rest = dt.timedelta(hours=cfg.rules.min_rest_hours)
    day = dt.timedelta(days=1)
    base = {s.code: dt.datetime.combine(cfg.start, s.start) for s in shifts}
    non_seq = [{"origin": x.code, "destination": y.code} for x in shifts for y in shifts
               if base[y.code] + day < base[x.code] + dt.timedelta(hours=x.hours) + rest]
    # clip head-counts that these people cannot staff at all (per date, per shift, after yesterday's
    # shifts under the rest rule), so the uniform scaling below is a last resort
    banned_set = {(b["resource"], b["shift"], b["day"]) for b in banned}
    heads = dict(heads)
    for d in range(cfg.days):
        free = [e for e in ids if any((e, c, d) not in banned_set for c in codes)]
        for c in codes:
            eligible = sum((e, c, d) not in banned_set for e in ids)
            blocked = sum(heads.get((d - 1, x["origin"]), 0) for x in non_seq if x["destination"] == c) if d else 0
            heads[(d, c)] = min(heads.get((d, c), 0), max(0, eligible - blocked))
        total = sum(heads.get((d, c), 0) for c in codes)
        if total > len(free):
            for c in codes:
                heads[(d, c)] = math.floor(heads.get((d, c), 0) * len(free) / total)
    # non_seq is used for the clipping only: in pyworkforce 0.5.1 a non_sequential_shifts entry
    # (origin s) adds x[d][s] once per banned destination plus *every* shift of day d + 1 to one
    # <= 1 row, so it forbids any shift on the day after s (and s itself when it has two entries):
    # with E->N, L->N, L->E no L shift could ever be worked. The rest rule is left to our checker.
    scale, sol, tries = 1.0, None, 0
    budget = max(5.0, time_limit)  # all tries together
    while tries < 6 and time.monotonic() - t0 < budget:
        need = {c: [math.floor(heads.get((d, c), 0) * scale) for d in range(cfg.days)] for c in codes}
        solver = MinHoursRoster(num_days=cfg.days, resources=ids, shifts=codes,
                                shifts_hours=[round(s.hours) for s in shifts], min_working_hours=0,
                                banned_shifts=banned, max_resting=cfg.days, required_resources=need,
                                non_sequential_shifts=None,
                                max_search_time=float(max(1.0, min(budget / 3, budget - (time.monotonic() - t0)))),
                                num_search_workers=workers)
        sol = solver.solve()
        if sol["status"] in ("OPTIMAL", "FEASIBLE"):
            break
        scale *= 0.85
        tries += 1
    if sol is None or sol["status"] not in ("OPTIMAL", "FEASIBLE"):
        return {"method": "pyworkforce_roster", "status": str(sol and sol["status"]),
                "seconds": time.monotonic() - t0, "notes": "MinHoursRoster found no roster"}
    max_run = int(cfg.rules.max_continuous_hours * 60 // cfg.slot_minutes)
    agent = scenario.agent_by_id
    out = []
    for r in sol["resource_shifts"]:
        date = cfg.dates[r["day"]]
        i = inst[(r["shift"], date)]
        a = agent[r["resource"]]
        q = next((mv.to_queue for mv in cfg.moves if a.home_queue == mv.from_queue and date in mv.dates),
                 a.home_queue)
        out.append(Assignment(a.employee_id, date, i.code, q, _runs_with_breaks(grid, i, max_run)))
    roster = Roster(out).sorted()
    k = summary_kpis(scenario, grid, roster)
    viol = check_roster(scenario, roster)
    notes = [f"head-counts x{scale:.2f}" if scale < 1 else "head-counts as given",
             "queue = home queue (or move); breaks every max_continuous_hours",
             "not modelled by pyworkforce: " + ", ".join(sorted({v.rule for v in viol})) if viol else ""]
    return {"method": "pyworkforce_roster", "status": sol["status"], "seconds": time.monotonic() - t0,
            "overflow": k["overflow_customer_hours"], "shortage": k["shortage_agent_hours"],
            "violations": len(viol), "notes": "; ".join(n for n in notes if n)}


def _runs_with_breaks(grid, i, max_run: int) -> tuple:
    """Worked runs of instance i with single-slot breaks every max_run slots."""
    brk, k = [], max_run
    while i.n_slots - (brk[-1] + 1 if brk else 0) > max_run and k < i.n_slots - 1:
        brk.append(k)
        k += max_run + 1
    return grid.runs_of(i.first_slot + s for s in range(i.n_slots) if s not in brk)


# ------------------------------------------------------------------------------------ one case

def _within(events, tier: str, lb: float | None, pct: float) -> float | None:
    if lb is None:
        return None
    for t, name, obj, _bound in events:
        if name == tier and obj <= (1 + pct) * lb + 1e-6:
            return t
    return None


def run_case(folder: str, time_limit: float, workers: int, methods: tuple[str, ...] = ("cp-sat", "rule_of_thumb",
                                                                                       "pyworkforce"),
             mip_time: float = 0.0, dw_time: float = 0.0, day_time: float = 0.0) -> list[dict]:
    """All methods on one scenario folder; rows keyed by COLUMNS (without machine/command)."""
    from scheduler.bound import lp_bound
    from scheduler.bound_day import day_bound
    from scheduler.bound_dw import dw_bound
    from scheduler.scenario import load_scenario

    scenario = load_scenario(folder)
    load = round(os.getloadavg()[0], 2)  # other processes on the machine skew the times: say so
    code = code_version()
    rows = []
    ours = None
    if "cp-sat" in methods:
        ours = run_ours(scenario, time_limit, workers)
        # our solver's own peak (scenario, model, CP-SAT), before the baselines and bounds add theirs
        ours["peak_mem_solver_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        rows.append(ours)
    if "rule_of_thumb" in methods:
        rows.append(run_rule_of_thumb(scenario))
    if "pyworkforce" in methods:
        try:
            got = run_pyworkforce(scenario, time_limit, workers)
            if isinstance(got, dict):  # not installed
                rows.append(got)
            else:
                row, heads, shifts = got
                rows.append(row)
                if heads:
                    rows.append(run_pyworkforce_roster(scenario, heads, shifts, time_limit, workers))
        except Exception as exc:  # a baseline's failure must not lose the case
            rows.append({"method": "pyworkforce", "status": "ERROR", "notes": repr(exc)[:200]})
    cap = ours.get("overflow") if ours else None
    lp = lp_bound(scenario, time_limit_s=max(30.0, time_limit), overflow_cap=cap)
    mip = {}
    if mip_time > 0 and cap is not None:
        mip = lp_bound(scenario, time_limit_s=mip_time, overflow_cap=cap, integer=True)
    dw: dict = {}
    if dw_time > 0:
        # the week (Dantzig-Wolfe) bound: overflow for every roster, shortage for every roster and, with
        # our roster's overflow as the cap, for rosters as good in tier 1
        # (our roster's weeks are its first columns: fewer restricted masters, never another bound)
        dw = dw_bound(scenario, time_limit_s=dw_time, overflow_cap=cap, lexicographic=True,
                      start=ours.get("_roster") if ours else None)
    if ours:
        ours.pop("_roster", None)
    day: dict = {}
    if day_time > 0:
        # the day bound: overflow for every roster (a third of the time), shortage for rosters with
        # our roster's overflow (the rest; for every roster when there is no roster of ours)
        day_over = day_bound(scenario, time_limit_s=day_time / 3, objective="overflow")
        day_short = day_bound(scenario, time_limit_s=day_time - day_over["seconds"], overflow_cap=cap)
        day = {"overflow_lb": day_over["lb"], "shortage_lb": day_short["lb"],
               "status": f"overflow {_day_status(day_over)}; shortage {_day_status(day_short)}",
               "seconds": day_over["seconds"] + day_short["seconds"]}
    cfg = scenario.config
    for r in rows:
        # the LP's shortage bound that applies to this row's overflow
        ov = r.get("overflow")
        sh_lp = lp.get("shortage_lb_any")
        if ov is not None and lp.get("overflow_lb") is not None:
            if ov <= lp["overflow_lb"] * (1 + 1e-6) + 1e-4:
                sh_lp = lp.get("shortage_lb")
            elif r is ours and lp.get("shortage_lb_at_cap") is not None:
                sh_lp = lp["shortage_lb_at_cap"]
        sh_mip = mip.get("shortage_lb_at_cap") if r is ours else None  # holds at our roster's overflow
        # the week bound's shortage at our roster's overflow, else for every roster
        sh_dw = dw.get("shortage_lb_at_cap") if r is ours and cap is not None else dw.get("shortage_lb_any")
        # the day bound's shortage holds at our roster's overflow (or for every roster without a cap)
        sh_day = day.get("shortage_lb") if (r is ours or cap is None) else None
        best_ov = max(v for v in (lp.get("overflow_lb"), mip.get("overflow_lb"), dw.get("overflow_lb"),
                                  day.get("overflow_lb"),
                                  r.get("overflow_lb_cpsat"), 0.0) if v is not None)
        best_sh = max(v for v in (sh_lp, sh_mip, sh_dw, sh_day, r.get("shortage_lb_cpsat"), 0.0) if v is not None)
        # baselines are judged against the LP bounds only: CP-SAT's tier bounds hold for the model's
        # patterns and, for shortage, only at our roster's overflow
        r.update({
            "case": Path(folder).name, "agents": len(scenario.agents), "days": cfg.days,
            "slot_minutes": cfg.slot_minutes, "queues": len(cfg.queues), "time_limit_s": time_limit,
            "workers": workers, "overflow_lb_lp": lp.get("overflow_lb"), "shortage_lb_lp": sh_lp,
            "shortage_lb_lp_any": lp.get("shortage_lb_any"), "lp_status": lp["status"],
            "lp_seconds": lp["seconds"], "lp_groups": lp["groups"],
            "overflow_lb_mip": mip.get("overflow_lb"), "shortage_lb_mip": sh_mip,
            "mip_status": mip.get("status"), "mip_seconds": mip.get("seconds"),
            "overflow_lb_dw": dw.get("overflow_lb"), "shortage_lb_dw": sh_dw,
            "dw_status": _dw_status(dw), "dw_seconds": dw.get("seconds"),
            "overflow_lb_day": day.get("overflow_lb"), "shortage_lb_day": sh_day,
            "day_status": day.get("status"), "day_seconds": day.get("seconds"),
            "overflow_ratio": _ratio(ov, best_ov), "shortage_ratio": _ratio(r.get("shortage"), best_sh),
        })
        if r.get("shortage") is not None and r["method"] != "pyworkforce":  # head-counts are not a roster
            s = r["shortage"]
            r["shortage_gap"] = max(0.0, (s - best_sh) / s) if s > 1e-9 else 0.0
            r["within_10pct_plus_2"] = bool(s <= 1.1 * best_sh + 2 and (ov or 0) <= 1.1 * best_ov + 2)
        if r is ours:
            ev = ours.pop("_events", [])
            r["_trace"] = [(Path(folder).name, round(t, 3), name, obj, bound) for t, name, obj, bound in ev]
            for pct in (25, 10, 5):
                r[f"t_within_{pct}pct_s"] = _within(ev, "shortage", best_sh, pct / 100)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    for r in rows:
        r["peak_mem_mb"] = round(peak, 1)
        r["load_avg_1m"] = load
        r["code"] = code
    return rows


def _dw_status(dw: dict) -> str | None:
    """The week bound's phases' statuses in one cell ("overflow OPTIMAL; shortage_at_cap TIME_LIMIT
    (ceiling 48.17)": a phase stopped early says the most it could have reached, bound_dw's ceiling)."""
    st = dw.get("status")
    if not isinstance(st, dict):
        return st
    ceiling = dw.get("ceiling") or {}
    return "; ".join(f"{k} {v}" + (f" (ceiling {ceiling[k]:.2f})" if v != "OPTIMAL" and k in ceiling else "")
                     for k, v in st.items())


def _day_status(out: dict) -> str:
    """PDLP's termination and each solved date's SCIP status, e.g. "OPTIMAL, dates 2 TIME_LIMIT"."""
    days = ", ".join(f"{d['block']} {d['status']}" for d in out.get("days", []))
    return f"{out.get('pdlp')}" + (f", dates {days}" if days else "")


def _child(folder: str, time_limit: float, workers: int, mip_time: float, dw_time: float, queue,
           day_time: float = 0.0) -> None:
    try:
        queue.put(("ok", run_case(folder, time_limit, workers, mip_time=mip_time, dw_time=dw_time,
                                  day_time=day_time)))
    except BaseException:  # report, never hang the parent
        queue.put(("error", traceback.format_exc()))


def run_case_in_subprocess(folder: str, time_limit: float, workers: int, mip_time: float = 0.0,
                           dw_time: float = 0.0, day_time: float = 0.0) -> list[dict]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(folder, time_limit, workers, mip_time, dw_time, q, day_time))
    p.start()
    try:
        kind, payload = q.get(timeout=10 * time_limit + 600 + 2 * dw_time + 2 * day_time)
    except Exception:
        p.kill()
        kind, payload = "error", "timed out"
    p.join()
    if kind == "error":
        return [{"case": Path(folder).name, "method": "all", "status": "ERROR", "notes": str(payload)[-300:]}]
    return payload


# ------------------------------------------------------------------------------------ output

def _fmt(v, digits: int = 1) -> str:
    if v is None or v == "":
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isinf(v):
            return "inf"
        return f"{v:,.{digits}f}"
    return str(v)


def markdown_table(rows: list[dict]) -> str:
    head = ["case", "method", "status", "s", "vars", "first feasible s", "overflow",
            "overflow LB (LP / MIP / DW / day / CP-SAT)", "shortage", "shortage LB (LP / MIP / DW / day / CP-SAT)",
            "shortage / LB", "gap",
            "t<=25/10/5 %", "violations", "solver MB", "case MB", "load"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        out.append("| " + " | ".join([
            r.get("case", ""), r.get("method", ""), _fmt(r.get("status")), _fmt(r.get("seconds")),
            _fmt(r.get("n_variables")), _fmt(r.get("t_first_feasible_s")), _fmt(r.get("overflow")),
            f"{_fmt(r.get('overflow_lb_lp'))} / {_fmt(r.get('overflow_lb_mip'))} / {_fmt(r.get('overflow_lb_dw'))}"
            f" / {_fmt(r.get('overflow_lb_day'))} / {_fmt(r.get('overflow_lb_cpsat'))}",
            _fmt(r.get("shortage")),
            f"{_fmt(r.get('shortage_lb_lp'))} / {_fmt(r.get('shortage_lb_mip'))} / {_fmt(r.get('shortage_lb_dw'))}"
            f" / {_fmt(r.get('shortage_lb_day'))} / {_fmt(r.get('shortage_lb_cpsat'))}",
            _fmt(r.get("shortage_ratio"), 2), _fmt(r.get("shortage_gap"), 2),
            "/".join(_fmt(r.get(f"t_within_{p}pct_s"), 0) for p in (25, 10, 5)),
            _fmt(r.get("violations")), _fmt(r.get("peak_mem_solver_mb"), 0), _fmt(r.get("peak_mem_mb"), 0),
            _fmt(r.get("load_avg_1m"), 1),
        ]) + " |")
    return "\n".join(out)


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in COLUMNS})


def write_trace(path: Path, rows: list[dict]) -> None:
    """Every improving roster of our solver: case, elapsed s (from the start of solve, model
    build included), tier, objective and CP-SAT bound in the tier's units."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["case", "elapsed_s", "tier", "objective", "cpsat_bound"])
        for r in rows:
            w.writerows(r.get("_trace", []))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default="default",
                   help="smoke, default, large, or specs like 400x14x60x2,120x7x30x3-n22-a5")
    p.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds per case (x2 for cases of 400 agents or more)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scenarios", default=str(HERE / "scenarios"))
    p.add_argument("--out", default=str(HERE / "results" / "results.csv"))
    p.add_argument("--in-process", action="store_true", help="no subprocess per case (peak memory is then shared)")
    p.add_argument("--mip-time", type=float, default=None,
                   help="seconds for the pooled integer bound (SCIP) per case; default half the time limit, 0 = off")
    p.add_argument("--dw-time", type=float, default=0.0,
                   help="seconds for the week (Dantzig-Wolfe) bound, scheduler.bound_dw, per case; 0 = off (default)")
    p.add_argument("--day-time", type=float, default=0.0,
                   help="seconds for the day bound (integer day subproblems), scheduler.bound_day, per case; "
                        "0 = off (default)")
    a = p.parse_args(argv)
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    mach = machine()
    print(f"machine: {mach}\ncommand: {command}", flush=True)
    rows: list[dict] = []
    for case in parse_cases(a.cases):
        folder = Path(a.scenarios) / case.name
        if not (folder / "scenario.toml").exists():
            case.generate(Path(a.scenarios), a.seed)
        limit = a.time_limit * case.factor
        print(f"{time.strftime('%H:%M:%S')} {folder.name}: {limit:g} s, {a.workers} workers", flush=True)
        mip_time = limit / 2 if a.mip_time is None else a.mip_time
        case_rows = (run_case(str(folder), limit, a.workers, mip_time=mip_time, dw_time=a.dw_time,
                              day_time=a.day_time) if a.in_process
                     else run_case_in_subprocess(str(folder), limit, a.workers, mip_time, a.dw_time, a.day_time))
        for r in case_rows:
            r["machine"], r["command"] = mach, command
        rows.extend(case_rows)
        write_csv(Path(a.out), rows)  # after every case: a killed run keeps what it measured
        write_trace(Path(a.out).with_name(Path(a.out).stem + "_trace.csv"), rows)
    table = markdown_table(rows)
    codes = sorted({r.get("code") for r in rows if r.get("code")})
    md = f"machine: {mach}\n\ncommand: `{command}`\n\ncode: {', '.join(codes)}\n\n{table}\n"
    Path(a.out).with_suffix(".md").write_text(md, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
