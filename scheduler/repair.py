"""Repair a published roster after sick calls (SPEC section 6).

Everything that started before the moment (the earliest new absence) stays exactly as published;
an absent agent's running shift ends at the last slot boundary before they left. The rest is
re-solved under the same rules with the objective of SPEC 4, where the number of agents whose
plan changed, then the number of changed shifts, rank right after service.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from scheduler.app import RunResult, options_for, verify, write_result
from scheduler.check import check_roster, check_rows
from scheduler.eligibility import Eligibility
from scheduler.errors import InfeasibleError, InputError, Problem
from scheduler.grid import Grid
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Absence, Scenario, load_absences, load_scenario, with_absences
from scheduler.solve import ProgressPrinter, solve

# a sick call is answered in seconds: the default limit of a repair unless --time-limit says otherwise
REPAIR_TIME_LIMIT_S = 10.0

# what makes a published roster unreadable rather than merely rule-breaking
STRUCTURAL_RULES = {"unknown_employee", "unknown_shift", "unknown_queue", "off_grid", "outside_horizon", "hours"}


def cut_at(a: Assignment, when: dt.datetime) -> Assignment | None:
    """The part of an assignment worked before `when` (None if nothing is left)."""
    runs = tuple((s, min(e, when)) for s, e in a.runs if s < when)
    return Assignment(a.employee_id, a.date, a.shift, a.queue, runs) if runs else None


@dataclass
class Neighbourhood:
    """Which plans a repair re-decides: `agents` (None: everyone) for shifts starting in
    [start, until) (until None: the end of the horizon); every other plan is kept."""

    start: dt.datetime
    until: dt.datetime | None = None
    agents: set[str] | None = None

    def is_free(self, employee_id: str, inst_start: dt.datetime) -> bool:
        return (inst_start >= self.start and (self.until is None or inst_start < self.until)
                and (self.agents is None or employee_id in self.agents))

    def describe(self, scenario: Scenario) -> str:
        if self.agents is None and self.until is None:
            return f"every plan from {self.start:%Y-%m-%d %H:%M} re-solved (--full)"
        return (f"re-planned {len(self.agents or ())} of {len(scenario.agents)} agents (the absent, everyone who "
                f"can serve their queues, and the leads when a lead is absent) for shifts starting "
                f"{self.start:%m-%d %H:%M} .. {self.until:%m-%d %H:%M}; every other plan kept as published "
                f"(use --full to re-solve everything)")


def neighbourhood(scenario: Scenario, published: Roster, absences: list[Absence], full: bool) -> Neighbourhood:
    """The absent agents, those who can take over their lost shifts' queues (and every lead when a
    lead is absent), from the moment to the end of the day after the last lost shift."""
    moment = min(a.start for a in absences)
    if full:
        return Neighbourhood(moment)
    absent = {a.employee_id for a in absences}
    lost = [a for a in published.assignments for ab in absences
            if a.employee_id == ab.employee_id and a.start < ab.end and ab.start < a.end]
    queues = {a.queue for a in lost}
    lead_absent = any(scenario.agent_by_id[e].is_lead for e in absent)
    agents = set(absent)
    elig = Eligibility(scenario)
    for ag in scenario.agents:
        if elig.serves(ag) & queues or (lead_absent and ag.is_lead):
            agents.add(ag.employee_id)
    last = max((a.date for a in lost), default=moment.date())
    until = dt.datetime.combine(last + dt.timedelta(days=2), dt.time())
    return Neighbourhood(moment, until, agents)


def split_published(scenario: Scenario, published: Roster, absences: list[Absence], hood: Neighbourhood
                    ) -> list[Assignment]:
    """The kept part: assignments outside the neighbourhood (all that started before the moment),
    cut short where an absence of the agent starts inside them (rounded down to the slot grid),
    dropped where the absence began before them."""
    grid = Grid(scenario)
    inst_start = {(i.code, i.date): i.start for i in grid.instances}
    frozen = []
    for a in published.assignments:
        begin = inst_start[(a.shift, a.date)]
        # an agent whose own absence starts inside this shift works it until then (SPEC 6), even
        # when the earliest absence of the repair came before the shift began
        own_cut = any(ab.employee_id == a.employee_id and begin < ab.start < a.end for ab in absences)
        if hood.is_free(a.employee_id, begin) and not own_cut:
            continue  # re-decided by the repair
        cut: Assignment | None = a
        for ab in absences:
            if cut is not None and ab.employee_id == a.employee_id and ab.start < a.end and a.start < ab.end:
                # nobody is counted on duty after leaving; a shift not yet begun is lost whole
                cut = cut_at(cut, grid.slot_start(grid.slot_of(ab.start))) if begin < ab.start else None
        if cut is not None:
            frozen.append(cut)
    return frozen


def explain_frozen(scenario: Scenario, frozen: list[Assignment], moment: dt.datetime) -> list[str]:
    """Rules the kept part of the roster breaks by itself (after the absences cut it short)."""
    broken = check_roster(scenario, Roster(frozen))
    if not broken:
        return []
    return [f"Shifts that started before {moment:%Y-%m-%d %H:%M} are kept as published, and with the absence "
            f"they break rules no later shift can mend:"] + [f"[{v.rule}] {v.message}" for v in broken]


def describe(a: Assignment | None) -> str:
    if a is None:
        return "off"
    runs = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in a.runs)
    return f"{a.shift} {a.queue} {runs}"


def changes_between(scenario: Scenario, before: Roster, after: Roster) -> list[dict]:
    """Per agent and date: what the plan was and what it is now, where they differ."""
    names = {a.employee_id: a.name for a in scenario.agents}
    b = {(a.employee_id, a.date): a for a in before.assignments}
    n = {(a.employee_id, a.date): a for a in after.assignments}
    out = []
    for key in sorted(set(b) | set(n)):
        x, y = b.get(key), n.get(key)
        if x is None or y is None or (x.shift, x.queue, x.runs) != (y.shift, y.queue, y.runs):
            out.append({"employee_id": key[0], "name": names.get(key[0], ""), "date": key[1],
                        "before": describe(x), "after": describe(y)})
    return out


def new_absences(scenario: Scenario, absent: str | None, start: dt.datetime | None, end: dt.datetime | None,
                 absences_file: Path | None) -> list[Absence]:
    ids = scenario.agent_by_id
    if absences_file is not None:
        problems: list[Problem] = []
        if not absences_file.exists():
            raise InputError([Problem(str(absences_file), "not found")])
        out = load_absences(absences_file, ids, problems)
        if problems:
            raise InputError(problems)
        if not out:
            raise InputError([Problem(str(absences_file), "lists no absence")])
        return out
    if absent not in ids:
        raise InputError([Problem("--absent", f"unknown employee_id {absent!r} (not in the staff list)")])
    end = end or scenario.config.horizon_end
    if end <= start:
        raise InputError([Problem("--to", f"{end:%Y-%m-%d %H:%M} is not after --from {start:%Y-%m-%d %H:%M}")])
    return [Absence(employee_id=absent, start=start, end=end, reason="sick call")]


def repair(scenario: Scenario, published: Roster, absences: list[Absence], *, time_limit_s: float | None = None,
           workers: int | None = None, seed: int | None = None, printer: ProgressPrinter | None = None,
           full: bool = False):
    """Re-solve `published` after `absences`. Returns (scenario with the absences, roster,
    report, changes). `full` re-decides every plan after the moment, not just the neighbourhood."""
    moment = min(a.start for a in absences)
    scenario = with_absences(scenario, absences)
    hood = neighbourhood(scenario, published, absences, full)
    frozen = split_published(scenario, published, absences, hood)
    # what started before the moment cannot change: if it breaks a rule by itself (a hand edit,
    # say), no repair can produce a legal roster. The lead rule is left to the model, since a
    # lead whose shift starts after the moment may still cover the rest of a running shift.
    past = [a for a in frozen if a.start < moment]
    broken = [v for v in check_roster(scenario, Roster(past)) if v.rule != "leads_on_duty"]
    if broken:
        raise InfeasibleError([f"The published roster already breaks rules before {moment:%Y-%m-%d %H:%M}, which a "
                               f"repair cannot change; fix them by hand (scheduler check lists them):"]
                              + [f"[{v.rule}] {v.message}" for v in broken])
    limit = time_limit_s if time_limit_s is not None else min(scenario.config.solver.time_limit_s, REPAIR_TIME_LIMIT_S)
    try:
        roster, report = solve(scenario, options_for(scenario, limit, workers, seed), printer,
                               frozen=frozen, free_from=moment, free_until=hood.until, free_agents=hood.agents,
                               published=published)
    except InfeasibleError as exc:
        if not full:
            # the neighbourhood could not mend it (say a lead is absent and agents of another
            # queue lose their only lead): re-plan everyone after the moment before giving up
            return repair(scenario, published, absences, time_limit_s=time_limit_s, workers=workers, seed=seed,
                          printer=printer, full=True)
        raise InfeasibleError(explain_frozen(scenario, [a for a in frozen if a.start < moment], moment)
                              or exc.reasons) from None
    report.notes.insert(0, f"repair from {moment:%Y-%m-%d %H:%M}: {hood.describe(scenario)}; absences: " + "; ".join(
        f"{a.employee_id} {a.start:%m-%d %H:%M}-{a.end:%m-%d %H:%M}" for a in absences))
    return scenario, roster, report, changes_between(scenario, published, roster)


def repair_workbook(roster_path: Path, scenario_dir: Path, out: Path, *, absent: str | None = None,
                    start: dt.datetime | None = None, end: dt.datetime | None = None,
                    absences_file: Path | None = None, time_limit_s: float | None = None,
                    workers: int | None = None, seed: int | None = None, lang: str = "en",
                    progress: bool = True, full: bool = False) -> RunResult:
    """`scheduler repair`: read the published workbook, repair, write a new workbook."""
    from scheduler.workbook import read_absences, read_assignments

    if out.resolve() == roster_path.resolve():
        raise InputError([Problem(str(out), "--out is the input roster; the published roster is never overwritten")])
    scenario = load_scenario(scenario_dir)
    rows = read_assignments(roster_path)
    # earlier sick calls, recorded in the published workbook, still hold
    scenario = with_absences(scenario, read_absences(roster_path))
    violations = check_rows(scenario, rows)
    structural = [v for v in violations if v.rule in STRUCTURAL_RULES]
    if structural:
        raise InputError([Problem(f"{roster_path.name} [Assignments]", v.message) for v in structural])
    if violations:
        full = True  # a broken plan may be anyone's: re-plan everything after the moment
        if progress:
            print(f"Note: the published roster breaks {len(violations)} rule(s); the repair keeps its past and "
                  f"re-plans everything after the moment:", file=sys.stderr)
            for v in violations[:10]:
                print(f"  [{v.rule}] {v.message}", file=sys.stderr)
    published = Roster.from_rows(rows)
    absences = new_absences(scenario, absent, start, end, absences_file)
    printer = ProgressPrinter(sys.stderr) if progress else None
    scenario, roster, report, changes = repair(scenario, published, absences, time_limit_s=time_limit_s,
                                               workers=workers, seed=seed, printer=printer, full=full)
    verify(scenario, roster)
    return write_result(out, scenario, roster, report, lang, changes=changes)
