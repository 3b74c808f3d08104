"""How many to hire (SPEC section 9): the fewest extra agents of a template that bring overflow
to its least value and shortage under a target share of the required agent-hours.

Method (search over the head-count, with proofs from the LP relaxation):

1. The overflow target: 0 (the least any roster can have) unless the LP relaxation with
   `max_hires` hires proves it out of reach; then the overflow a solve with `max_hires` hires
   reaches (the LP's bound with that many hires is stated beside it).
2. The lower bound L: hires are identical and an unused hire changes nothing, so "n hires are
   enough" is monotone in n. `scheduler.bound.lp_bound` covers every legal roster (SPEC 4's last
   paragraph: every break pattern, not only the model's maximal ones); when it proves that with n
   hires every roster with overflow at the target has shortage above the target, no roster with
   n or fewer hires meets it. A bisection over n finds the largest n it refutes: L = that + 1.
3. The count found U: full solves (`scheduler.solve.solve`, the usual tiers) with n = L, L+1,
   L+2, L+4, ... hires until one meets both targets, then a bisection between the last failure
   and that success. A solve that uses fewer of its hires than it was offered counts only those.

U == L is a proof that U is the fewest; otherwise the answer is "U found, at least L needed".
A failed solve between L and U is no proof (the search is a heuristic at its time limit).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scheduler.app import add_service_bounds, verify
from scheduler.errors import InfeasibleError, InputError, Problem
from scheduler.forecast import rule_of_thumb
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.result import SolveReport
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Agent, Scenario
from scheduler.solve import ProgressPrinter, SolveOptions, solve

EPS = 1e-6
SHOWN = 12  # hires listed in the printed summary (all of them are in the Hires sheet)
STAFF_COLUMNS = ["employee_id", "name", "home_queue", "skills", "kind", "efficiency", "is_lead", "night_ok",
                 "max_hours_week"]


@dataclass(frozen=True)
class HireTemplate:
    """What a hire is: staff kind, efficiency (agents of 1.0) and the shift codes they may work
    (None: every shift their kind may work). A hire serves every queue."""

    kind: Literal["regular", "flex"] = "flex"
    efficiency: float = 0.7
    shifts: tuple[str, ...] | None = None

    def describe(self) -> str:
        shifts = "shifts " + ", ".join(self.shifts) if self.shifts else "every shift that kind may work"
        return f"kind {self.kind}, efficiency {self.efficiency:g}, every queue, {shifts}"


@dataclass
class Attempt:
    """One step of the search: an LP refutation or a solve with `hires` hires offered."""

    hires: int
    how: str                 # "LP bound" or "solve"
    overflow: float | None   # customer-hours (a lower bound for "LP bound")
    shortage: float | None   # agent-hours (a lower bound for "LP bound")
    verdict: str             # "enough", "not enough (proven)", "not reached", ...
    status: str
    seconds: float
    used: int | None = None  # hires the solve's roster actually uses


@dataclass
class HireResult:
    count: int                       # hires in the plan
    lower_bound: int                 # no roster with fewer hires meets the targets (proof: LP)
    max_hires: int
    template: HireTemplate
    required_hours: float            # agent-hours over the horizon
    target_pct: float
    target_shortage: float           # agent-hours
    overflow_target: float           # customer-hours
    overflow_note: str
    scenario: Scenario               # with the hires
    roster: Roster
    report: SolveReport
    kpis: dict
    hires: list[Agent]
    attempts: list[Attempt] = field(default_factory=list)
    rule_of_thumb_peak: int = 0      # agents on duty on the busiest day, by the rule of thumb
    rule_of_thumb_day: object = None
    staff: int = 0                   # agents before hiring

    @property
    def proven(self) -> bool:
        return self.count == self.lower_bound

    @property
    def rule_of_thumb_hires(self) -> int:
        return max(0, self.rule_of_thumb_peak - self.staff)

    def how_found(self) -> str:
        if self.count == 0:
            return "no hire needed: the current staff meet both targets"
        proof = (f"the LP relaxation, which covers every legal roster, proves that {self.lower_bound - 1} cannot"
                 if self.lower_bound > 0 else "no lower bound above 0 was proven")
        if self.proven:
            return f"proven fewest: a solve with {self.count} meets the targets and {proof}"
        return (f"found: a solve with {self.count} meets the targets; at least {self.lower_bound} are needed "
                f"({proof}); the fewest lies between {self.lower_bound} and {self.count}")

    def days_needed(self) -> dict[str, list]:
        out: dict[str, list] = {h.employee_id: [] for h in self.hires}
        for a in self.roster.assignments:
            if a.employee_id in out:
                out[a.employee_id].append(a)
        return out

    def summary_text(self) -> str:
        k = self.kpis
        lines = [f"Hires for {self.scenario.config.name}: {self.count} {self.template.kind} agent(s) at efficiency "
                 f"{self.template.efficiency:g}",
                 f"  {self.how_found()}",
                 f"  targets: overflow <= {self.overflow_target:,.2f} customer-hours ({self.overflow_note}); shortage "
                 f"<= {self.target_pct:g} % of {self.required_hours:,.1f} = {self.target_shortage:,.2f} "
                 f"agent-hours",
                 f"  with them: overflow {k['overflow_customer_hours']:,.2f}, shortage "
                 f"{k['shortage_agent_hours']:,.2f} agent-hours, flex {k['flex_hours']:,.0f} h ({self.report.status})",
                 f"  rule of thumb: {self.rule_of_thumb_peak} agents on duty on {self.rule_of_thumb_day} for "
                 f"{self.staff} staff -> {self.rule_of_thumb_hires} hire(s) (daily contacts / one agent's daily "
                 f"capacity; blind to hours, shifts and rules)"]
        needed = list(self.days_needed().items())
        for h, shifts in needed[:SHOWN]:
            lines.append(f"  {h}: " + (", ".join(f"{a.date:%m-%d} {a.shift}" for a in shifts) or "no shift"))
        if len(needed) > SHOWN:
            lines.append(f"  ... and {len(needed) - SHOWN} more: see the Hires sheet")
        return "\n".join(lines)


def hire_agents(scenario: Scenario, n: int, template: HireTemplate, prefix: str = "TEMP") -> list[Agent]:
    """`n` agents of the template, TEMP-01 ..., serving every queue, home queue the first one;
    ids already in the staff list are skipped."""
    taken = {a.employee_id for a in scenario.agents}
    queues = scenario.config.queue_ids
    width = max(2, len(str(n)))
    out: list[Agent] = []
    k = 0
    while len(out) < n:
        k += 1
        eid = f"{prefix}-{k:0{width}d}"
        if eid in taken:
            continue
        out.append(Agent(employee_id=eid, name=eid, home_queue=queues[0], skills=queues, kind=template.kind,
                         efficiency=template.efficiency))
    return out


def with_hires(scenario: Scenario, hires: list[Agent], template: HireTemplate | None = None) -> Scenario:
    """The scenario with the hires on its staff list (limited to the template's shifts)."""
    update: dict = {"agents": [*scenario.agents, *hires]}
    if template is not None and template.shifts:
        update["shift_limits"] = {**scenario.shift_limits, **{h.employee_id: list(template.shifts) for h in hires}}
    return scenario.model_copy(update=update)


def check_template(scenario: Scenario, template: HireTemplate, max_hires: int, target_pct: float) -> None:
    """Bad options are input errors (exit 2), all of them at once."""
    problems = []
    if not 0 < template.efficiency <= 2:
        problems.append(Problem("--efficiency", f"expected a number > 0 and <= 2, got {template.efficiency:g}"))
    if not 0 <= target_pct <= 100:
        problems.append(Problem("--target-shortage", f"expected a percentage 0 .. 100, got {target_pct:g}"))
    if max_hires < 0:
        problems.append(Problem("--max", f"expected a number of hires >= 0, got {max_hires}"))
    codes = [s.code for s in scenario.config.shifts]
    for code in template.shifts or ():
        kinds = next((s.kinds for s in scenario.config.shifts if s.code == code), None)
        if kinds is None:
            close = difflib.get_close_matches(code, codes, n=1)
            problems.append(Problem("--shifts", f"unknown shift code {code!r}"
                                                + (f" (did you mean {close[0]!r}?)" if close else "")
                                                + f"; the scenario's shifts: {', '.join(codes)}"))
        elif template.kind not in kinds:
            problems.append(Problem("--shifts", f"shift {code} is for {' and '.join(kinds)} staff only, not for "
                                                f"--kind {template.kind}"))
    if template.shifts is not None and not template.shifts:
        problems.append(Problem("--shifts", f"no shift code given; expected codes such as {','.join(codes)}"))
    if not any(template.kind in s.kinds for s in scenario.config.shifts):
        problems.append(Problem("--kind", f"no shift of scenario.toml may be worked by kind {template.kind!r}"))
    if problems:
        raise InputError(problems)


def default_max(scenario: Scenario) -> int:
    return max(10, len(scenario.agents))


def find_hires(scenario: Scenario, *, template: HireTemplate = HireTemplate(), target_pct: float = 2.0,
               max_hires: int | None = None, opts: SolveOptions | None = None, bound_s: float = 20.0,
               log: Callable[[str], None] | None = None, progress: bool = False) -> HireResult:
    """The fewest hires of `template` meeting the targets (module docstring). Times in seconds:
    `opts.time_limit_s` per solve, `bound_s` per LP. Raises InfeasibleError when even
    `max_hires` hires do not meet them."""
    say = log or (lambda _m: None)
    opts = opts or SolveOptions()
    max_hires = default_max(scenario) if max_hires is None else max_hires
    check_template(scenario, template, max_hires, target_pct)
    from scheduler.bound import lp_bound

    pool = hire_agents(scenario, max_hires, template)
    empty = summary_kpis(scenario, Grid(scenario), Roster())
    required = empty["required_agent_hours"]
    target = target_pct / 100.0 * required
    attempts: list[Attempt] = []

    lp_max = lp_bound(with_hires(scenario, pool, template), time_limit_s=bound_s)
    say(f"LP with {max_hires} hires: overflow >= {lp_max.get('overflow_lb')} ({lp_max.get('seconds', 0):.1f} s)")
    solved: dict[int, tuple[Roster, SolveReport, dict]] = {}

    def run(n: int) -> bool:
        """Solve with n hires offered; True when the roster meets both targets."""
        sc = with_hires(scenario, pool[:n], template)
        printer = ProgressPrinter() if progress else None
        try:
            roster, report = solve(sc, opts, printer)
        except InfeasibleError as exc:
            attempts.append(Attempt(n, "solve", None, None, "no roster", "INFEASIBLE", 0.0))
            say(f"solve with {n} hires: no roster ({'; '.join(exc.reasons)})")
            return False
        kpis = summary_kpis(sc, Grid(sc), roster)
        ids = {h.employee_id for h in pool[:n]}
        used = len({a.employee_id for a in roster.assignments if a.employee_id in ids})
        ok = (kpis["overflow_customer_hours"] <= overflow_target + EPS
              and kpis["shortage_agent_hours"] <= target + EPS)
        attempts.append(Attempt(n, "solve", kpis["overflow_customer_hours"], kpis["shortage_agent_hours"],
                                "enough" if ok else "not reached", report.status, report.seconds, used))
        say(f"solve with {n} hires ({used} used): overflow {kpis['overflow_customer_hours']:,.2f}, shortage "
            f"{kpis['shortage_agent_hours']:,.2f} (target {target:,.2f}) -> {'enough' if ok else 'not reached'}")
        solved[n] = (roster, report, kpis)
        return ok

    overflow_lb_max = lp_max.get("overflow_lb")
    if overflow_lb_max is not None and overflow_lb_max <= EPS:
        overflow_target, overflow_note = 0.0, "none: 0 is the least any roster can have"
        top_ok = None
    else:
        overflow_target = math.inf
        top_ok = run(max_hires)  # only to learn the overflow reachable; judged below
        overflow_target = solved[max_hires][2]["overflow_customer_hours"] if max_hires in solved else math.inf
        overflow_note = (f"the least a solve with {max_hires} hires reached; the LP bound with that many is "
                         f"{overflow_lb_max if overflow_lb_max is not None else 'not proven'}")
        top_ok = max_hires in solved and solved[max_hires][2]["shortage_agent_hours"] <= target + EPS
        attempts[-1].verdict = "enough" if top_ok else "not reached"

    def refuted(n: int) -> bool:
        """Does the LP relaxation prove that n hires cannot meet the targets?"""
        lp = lp_bound(with_hires(scenario, pool[:n], template), time_limit_s=bound_s,
                      overflow_cap=overflow_target + EPS if math.isfinite(overflow_target) else None)
        ov, sh = lp.get("overflow_lb"), lp.get("shortage_lb_at_cap", lp.get("shortage_lb"))
        no = (ov is not None and ov > overflow_target + EPS) or (sh is not None and sh > target + EPS)
        attempts.append(Attempt(n, "LP bound", ov, sh, "not enough (proven)" if no else "not refuted",
                                lp.get("status", "?"), lp.get("seconds", 0.0)))
        say(f"LP with {n} hires: overflow >= {ov}, shortage >= {sh} -> {'not enough (proven)' if no else 'open'}")
        return no

    # 2. the lower bound: the largest n the LP refutes (monotone: fewer hires never do better)
    lower = max_hires + 1 if refuted(max_hires) else _least(-1, max_hires, lambda n: not refuted(n))
    if lower > max_hires:
        raise InfeasibleError([f"even {max_hires} hires of kind {template.kind} (efficiency {template.efficiency:g}) "
                               f"cannot bring shortage to {target_pct:g} % of the required agent-hours: the LP "
                               f"relaxation proves it for every roster; raise --max or --target-shortage"])

    # 3. the count found: solves from the lower bound up, then a bisection
    fail, n, step = lower - 1, lower, 1
    success = None
    while success is None:
        ok = top_ok if n == max_hires and top_ok is not None else run(n)
        if ok:
            success = n
        elif n >= max_hires:
            best = solved.get(max_hires)
            reached = (f"the solve with {max_hires} reached overflow {best[2]['overflow_customer_hours']:,.2f} and "
                       f"shortage {best[2]['shortage_agent_hours']:,.2f}" if best else f"no solve with {max_hires} "
                       f"found a roster")
            raise InfeasibleError([f"{max_hires} hires (--max) did not bring shortage to {target_pct:g} % "
                                   f"({target:,.2f} agent-hours) with overflow at {overflow_target:,.2f}: {reached}; "
                                   f"the LP bound says at least {lower} are needed; raise --max, --time-limit or "
                                   f"--target-shortage"])
        else:
            fail, n, step = n, min(max_hires, n + step), step * 2
    success = _least(fail, success, run)
    roster, report, _ = solved[success]
    # the hires the roster uses, renumbered TEMP-01 ... (they are identical)
    offered = pool[:success]
    used_ids = sorted({a.employee_id for a in roster.assignments} & {h.employee_id for h in offered})
    hires = hire_agents(scenario, len(used_ids), template)
    rename = dict(zip(used_ids, (h.employee_id for h in hires)))
    roster = Roster([Assignment(rename.get(a.employee_id, a.employee_id), a.date, a.shift, a.queue, a.runs)
                     for a in roster.assignments]).sorted()
    final = with_hires(scenario, hires, template)
    verify(final, roster)
    kpis = summary_kpis(final, Grid(final), roster)
    add_service_bounds(final, report, kpis, time_limit_s=bound_s)
    rot = rule_of_thumb(scenario)
    per_day: dict = {}
    for r in rot:
        per_day[r["date"]] = per_day.get(r["date"], 0) + r["agents"]
    peak_day = max(per_day, key=lambda d: per_day[d]) if per_day else None
    result = HireResult(count=len(hires), lower_bound=min(lower, len(hires)), max_hires=max_hires, template=template,
                        required_hours=required, target_pct=target_pct, target_shortage=target,
                        overflow_target=overflow_target, overflow_note=overflow_note, scenario=final, roster=roster,
                        report=report, kpis=kpis, hires=hires, attempts=attempts,
                        rule_of_thumb_peak=per_day.get(peak_day, 0), rule_of_thumb_day=peak_day,
                        staff=len(scenario.agents))
    report.notes.insert(0, f"hires: {result.how_found()}")
    return result


def staff_rows(scenario: Scenario) -> list[list]:
    """staff.csv rows (STAFF_COLUMNS) of every agent of the scenario."""
    return [[a.employee_id, a.name, a.home_queue, ";".join(a.skills), a.kind, a.efficiency, a.is_lead, a.night_ok,
             a.max_hours_week] for a in scenario.agents]


def write_staff_with_hires(path: Path, result: HireResult) -> Path:
    from scheduler.atomic import write_csv_atomic

    write_csv_atomic(path, STAFF_COLUMNS, staff_rows(result.scenario))
    return path


def hire_workbook(folder: str | Path, out: Path, *, template: HireTemplate = HireTemplate(), target_pct: float = 2.0,
                  max_hires: int | None = None, time_limit_s: float | None = None, workers: int | None = None,
                  seed: int | None = None, lang: str = "en", progress: bool = True) -> tuple[HireResult, list[Path]]:
    """`scheduler hire`: find the hires, write the roster workbook with its Hires sheet and
    `staff_with_hires.csv` beside it. Returns the result and the files written."""
    import sys

    from scheduler.app import options_for, write_result
    from scheduler.scenario import load_scenario
    from scheduler.workbook.hires import hires_sheet_writer

    scenario = load_scenario(folder)
    opts = options_for(scenario, time_limit_s, workers, seed)
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else None
    result = find_hires(scenario, template=template, target_pct=target_pct, max_hires=max_hires, opts=opts,
                        bound_s=max(10.0, opts.time_limit_s / 2), log=say)
    out = Path(out)
    run = write_result(out, result.scenario, result.roster, result.report, lang,
                       extra_sheets=[hires_sheet_writer(result)])
    staff = write_staff_with_hires(out.parent / "staff_with_hires.csv", result)
    return result, [*run.files, staff]


def _least(fails: int, holds: int, ok: Callable[[int], bool]) -> int:
    """The least n in (fails, holds] with ok(n), by bisection, for an `ok` that is monotone (false
    up to some n, true from there) with ok(holds) true and ok(fails) false (or fails below range)."""
    while holds - fails > 1:
        mid = (fails + holds) // 2
        if ok(mid):
            holds = mid
        else:
            fails = mid
    return holds
