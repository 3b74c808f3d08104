"""The main job, end to end: scenario folder -> roster -> workbook. Used by the CLI and tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.check import check_roster
from scheduler.diagnose import unavoidable_shortage
from scheduler.errors import InfeasibleError
from scheduler.grid import Grid
from scheduler.inputs import boundary_breaks, load_inputs
from scheduler.kpi import coverage_rows, summary_kpis
from scheduler.result import EVERY_ROSTER, NO_BOUND, ServiceBound, SolveReport
from scheduler.roster import Roster
from scheduler.scenario import Scenario
from scheduler.solve import ProgressPrinter, SolveOptions, solve

if TYPE_CHECKING:
    from scheduler.bound import BuiltLP


class RosterBrokenError(RuntimeError):
    """The optimizer produced a roster the independent checker rejects: a bug, never written."""


@dataclass
class RunResult:
    scenario: Scenario
    roster: Roster
    report: SolveReport
    kpis: dict
    files: list[Path] = field(default_factory=list)
    changes: list[dict] | None = None
    extra: list[str] = field(default_factory=list)  # further lines of the summary (a repair's calls table)

    def summary_text(self) -> str:
        k, r = self.kpis, self.report
        status = "OPTIMAL" if r.status == "OPTIMAL" else "best found"
        lines = [f"Roster for {self.scenario.config.name}: {status} after {r.seconds:.1f} s "
                 f"({r.workers} workers, seed {r.seed})"]
        service = {b.name: b for b in r.service}
        for p in r.phases:
            if str(getattr(p.name, "value", p.name)) in service:
                lines.append(service_line(service[str(getattr(p.name, "value", p.name))], p.status))
                continue
            word = 'OPTIMAL' if p.status == 'OPTIMAL' else 'best found'
            if not p.has_bound:
                lines.append(f"  {p.name:<{NAME_W}} {p.objective:>12,.2f} {p.unit:<{UNIT_W}} {NO_BOUND:<31}  {word}")
                continue
            scope = "" if p.bound_scope in ("", EVERY_ROSTER) else f" ({p.bound_scope})"
            lines.append(f"  {p.name:<{NAME_W}} {p.objective:>12,.2f} {p.unit:<{UNIT_W}} "
                         f"bound {p.best_bound:>12,.2f}{scope}  gap {p.gap:6.1%}  {word}")
        if "requests granted, all" in k:
            lines.append("  requests granted: " + ", ".join(f"{key.removeprefix('requests granted, ')} {v}"
                                                             for key, v in k.items() if key.startswith("requests")))
        lines.append(f"  overflow {k['overflow_customer_hours']:,.1f} customer-hours, shortage "
                     f"{k['shortage_agent_hours']:,.1f} of {k['required_agent_hours']:,.1f} required agent-hours, "
                     f"flex {k['flex_hours']:,.0f} h, {k['shifts']} shifts for {k['agents_working']} agents")
        lines.extend(self.extra)
        if self.changes is not None:
            calls = {c["employee_id"]: c.get("call_message") or c["name"] for c in self.changes if c.get("call", True)}
            lines.append(f"  {len(calls)} agent(s) to call" + (":" if calls else ""))
            lines.extend(f"    {e}  {m}" for e, m in sorted(calls.items()))
        for f in self.files:
            lines.append(f"  wrote {f}")
        return "\n".join(lines)


# the closing lines' columns: the longest tier name ("declined requests") and unit ("customer-hours",
# "priority points") fit, so the bounds line up
NAME_W, UNIT_W = 17, 15


def service_line(b: ServiceBound, status: str) -> str:
    """One closing line per service measure: the value, the best valid bound and its gap first,
    then the other bound in a word."""
    names: dict[str | None, str] = {"lp": "pooled integer program" if b.lp_integer else "LP relaxation",
                                    "cp_sat": "CP-SAT"}
    source = names.get(b.source, "no bound proven yet")
    word = "OPTIMAL" if status == "OPTIMAL" else "best found"
    line = (f"  {b.name:<{NAME_W}} {b.achieved:>12,.2f} {b.unit:<{UNIT_W}} bound {b.best:>12,.2f} ({source})  "
            f"gap {b.gap:6.1%}  {word}")
    other = b.cp_sat if b.source == "lp" else b.lp
    other_name = "CP-SAT" if b.source == "lp" else "pooled integer program" if b.lp_integer else "LP"
    if other is not None and b.source is not None:
        line += f"; {other_name} {other:,.2f} is weaker"
    elif b.source == "lp":
        line += "; CP-SAT's own bound holds only for its patterns"
    return line


def add_service_bounds(scenario: Scenario, report: SolveReport, kpis: dict, time_limit_s: float,
                       built: BuiltLP | None = None) -> None:
    """Put overflow and shortage beside their best valid lower bounds (the pooled LP of
    scheduler.bound, and CP-SAT's where it holds for every legal roster), and call a service
    tier OPTIMAL when its bound proves it. Takes at most `time_limit_s` seconds; never fails.
    `built`: the LP pricing built for this run's model (`RosterModel.bound_lp`), not built again."""
    from scheduler.bound import lp_bound, mip_overflow_bound
    from scheduler.exactness import add_hours_bounds, proves, refresh_status, tier_name

    overflow = kpis["overflow_customer_hours"]
    phases = {tier_name(p): p for p in report.phases}
    flex = phases.get("flex hours")
    # time the service LPs leave goes to the overflow bound first (the pooled integer program, when
    # the LP leaves a gap), else to the hours tiers (among rosters as good in service as this one)
    hours = overflow <= 1e-6
    try:
        lp = lp_bound(scenario, time_limit_s=time_limit_s, overflow_cap=overflow + 1e-6, lexicographic=False,
                      built=built, shortage_cap=kpis["shortage_agent_hours"] + 1e-6 if hours else None,
                      flex_cap=None if flex is None else flex.objective + 1e-6)
    except Exception as exc:  # a bound is extra information: never lose the roster over it
        report.notes.append(f"LP lower bound not computed: {exc}")
        lp = {}
    lp_over, left = lp.get("overflow_lb"), time_limit_s - lp.get("seconds", time_limit_s)
    if lp_over is not None and not proves(lp_over, overflow) and left >= 1.0:
        try:  # its own guard: a failure here keeps the LP's bounds
            mip = mip_overflow_bound(scenario, 0.9 * left)  # SCIP overshoots its limit a little
        except Exception as exc:
            mip = {"overflow_lb": None}
            report.notes.append(f"pooled integer overflow bound not computed: {exc}")
        if mip["overflow_lb"] is not None and mip["overflow_lb"] > lp_over:
            lp["overflow_lb"], lp["overflow_lb_integer"] = mip["overflow_lb"], True
            report.notes.append(f"overflow bound {mip['overflow_lb']:,.2f} customer-hours from the pooled integer "
                                f"program (SCIP, {mip['status']} after {mip['seconds']:.1f} s); the LP "
                                f"relaxation's is {lp_over:,.2f}")
    if lp.get("status") not in (None, "OPTIMAL"):
        report.notes.append(f"LP lower bound: {lp.get('status')} after {lp.get('seconds', 0):.1f} s; "
                            "the bounds shown are the best dual bounds reached")
    report.service = []
    for name, unit, achieved, lp_value in (
            ("overflow", "customer-hours", overflow, lp.get("overflow_lb")),
            ("shortage", "agent-hours", kpis["shortage_agent_hours"], lp.get("shortage_lb_at_cap"))):
        p = phases.get(name)
        valid_cp = p.best_bound if p is not None and p.bound_scope == EVERY_ROSTER else None
        b = ServiceBound(name, unit, achieved, lp_value, valid_cp,
                         lp_integer=name == "overflow" and lp.get("overflow_lb_integer", False))
        report.service.append(b)
        if p is not None:
            p.best_bound, p.bound_scope = b.best, EVERY_ROSTER
            if proves(b.best, achieved):
                p.status = "OPTIMAL"
    add_hours_bounds(report, lp)
    refresh_status(report)
    if lp.get("relaxes"):
        report.notes.append(f"LP bound relaxes: {lp['relaxes']}")


def options_for(scenario: Scenario, time_limit_s: float | None, workers: int | None, seed: int | None,
                log: bool = False) -> SolveOptions:
    s = scenario.config.solver
    return SolveOptions(time_limit_s=time_limit_s if time_limit_s is not None else s.time_limit_s,
                        workers=workers if workers is not None else s.workers,
                        seed=seed if seed is not None else s.seed, log=log)


def verify(scenario: Scenario, roster: Roster, violations: list | None = None) -> None:
    """Run the independent checker on a roster about to be written; refuse a broken one.
    `violations`: the checker's answer for this very roster, when it was already asked."""
    if violations is None:
        violations = check_roster(scenario, roster)
    if violations:
        raise RosterBrokenError("the optimizer produced a roster that breaks rules (a bug; nothing was written):\n"
                                + "\n".join(f"  [{v.rule}] {v.message}" for v in violations[:20]))


def write_result(out: Path, scenario: Scenario, roster: Roster, report: SolveReport, lang: str,
                 changes: list[dict] | None = None, extra_sheets: list | None = None, **sheets) -> RunResult:
    """Write the workbook; `sheets` are further write_workbook arguments (a repair's options,
    record_demand)."""
    from scheduler.forecast import rule_of_thumb
    from scheduler.workbook import write_workbook

    grid = Grid(scenario)
    cov = coverage_rows(scenario, grid, roster)  # no pandas on the way to the workbook
    kpis: dict[str, float | str] = dict(summary_kpis(scenario, grid, roster, cov))  # and the requests' "3 / 4"
    requests = None
    if scenario.requests:
        from scheduler.granted import granted_counts, request_outcomes

        requests = request_outcomes(scenario, roster)
        kpis.update(granted_counts(requests))
    out.parent.mkdir(parents=True, exist_ok=True)
    files = write_workbook(out, scenario=scenario, roster=roster, report=report, coverage=cov, kpis=kpis, lang=lang,
                           changes=changes, rule_of_thumb=rule_of_thumb(scenario), requests=requests,
                           extra_sheets=extra_sheets, **sheets)
    return RunResult(scenario, roster, report, kpis, files, changes)


def solve_scenario(folder: Path, out: Path, *, time_limit_s: float | None = None, workers: int | None = None,
                   seed: int | None = None, lang: str = "en", progress: bool = True, log: bool = False,
                   bound: bool = True, previous: Path | None = None) -> RunResult:
    """Load a scenario folder (and the previous roster, when given), solve it, check the
    roster, write the workbook (and CSV)."""
    scenario = load_inputs(folder, previous=previous)
    if broken := boundary_breaks(scenario):
        raise InfeasibleError(broken)
    printer = ProgressPrinter(sys.stderr) if progress else None
    warnings = unavoidable_shortage(scenario)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    opts = options_for(scenario, time_limit_s, workers, seed, log)
    models: list = []  # the run's model: the LP it built (pricing or the LP-guided start) serves the closing bound

    def keep(model) -> None:  # the latest only: a deferred model finished into a new one is let go
        models[:] = [model]

    roster, report = solve(scenario, opts, printer, on_model=keep)
    built = getattr(models[0], "bound_lp", None) if models else None
    models.clear()  # the model itself is not needed any more (memory for the bound)
    report.notes.extend(f"unavoidable: {w}" for w in warnings)
    verify(scenario, roster)
    if bound:
        kpis = summary_kpis(scenario, Grid(scenario), roster)
        if printer:
            print("computing the LP lower bound ...", file=sys.stderr, flush=True)
        add_service_bounds(scenario, report, kpis, time_limit_s=opts.time_limit_s / 5,
                           built=built)
    return write_result(out, scenario, roster, report, lang)
