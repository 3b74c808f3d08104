"""Repair a published roster after sick calls and volume surges (SPEC section 6).

Everything that started before the moment (the earliest new absence, or the start of the new
demand) stays exactly as published; an absent agent's running shift ends at the last slot
boundary before they left. The rest is re-solved under the same rules with the repair's own
order: the overflow, then the shortage, above the published roster's own in each slot and queue
(the service the event cost); then the phone calls (agents whose plan changed, flex staff
first), then changed shifts; then service below the published level; then the rest of SPEC 4.
The calls-versus-service table (`scheduler.calls`) says what fewer calls would leave lost.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.app import RunResult, options_for, verify, write_result
from scheduler.calls import OptionRow, call_messages, calls_table, change_text, format_table, roster_of
from scheduler.check import check_roster, check_rows
from scheduler.eligibility import Eligibility
from scheduler.errors import InfeasibleError, InputError, Problem
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.repair_bound import apply_past_bounds, past_bounds, published_service
from scheduler.result import SolveReport
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Absence, Scenario, load_absences, load_scenario, with_absences
from scheduler.solve import ProgressPrinter, solve
from scheduler.surge import DemandChange, replaced_demand, scaled_demand, slots_from, with_demand

# a sick call is answered in seconds: the default limit of a repair unless --time-limit says otherwise
REPAIR_TIME_LIMIT_S = 10.0
# ... with one CP-SAT worker unless --workers says otherwise: the neighbourhood's model is small,
# one worker proves the fewest calls of a sick call on 400 x 14 in a fraction of a second (two
# workers under load proved nothing and used the whole limit), and its budgets are CP-SAT's
# deterministic time, so a repair gives the same calls on any machine and load
REPAIR_WORKERS = 1
# each row of the calls-versus-service table is a short solve of the neighbourhood's model
TABLE_ROW_S = 0.3
TABLE_TOTAL_S = 1.0  # ... and the whole table at most about this (rows of a big surge get less each)

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
        return (f"re-planned {len(self.agents or ())} of {len(scenario.agents)} agents (the absent, the agents who "
                f"can serve the queues that lost staff or gained contacts, free ones and flex staff first, and the "
                f"leads when a lead is absent) "
                f"for shifts starting {self.start:%m-%d %H:%M} .. {self.until:%m-%d %H:%M}; every other plan kept "
                f"as published (use --full to re-solve everything)")


def repair_moment(absences: list[Absence], surge: DemandChange | None) -> dt.datetime:
    return min([a.start for a in absences] + ([surge.start] if surge else []))


# a sick call is covered by one of a few agents who are free that day: the neighbourhood takes
# this many candidates per lost shift (and per 8 agent-hours a surge adds), at least MIN_HELPERS
HELPERS_PER_SHIFT = 8
MIN_HELPERS = 24


def neighbourhood(scenario: Scenario, published: Roster, absences: list[Absence], full: bool,
                  surge: DemandChange | None = None) -> Neighbourhood:
    """Who may be called, and when: the absent agents; for each date and queue that lost a shift
    or gained contacts, the agents who can serve that queue that date, those with no shift that
    date first and flex staff before regulars (they are the ones to call), HELPERS_PER_SHIFT per
    lost shift; every lead when a lead is absent. From the moment to the end of the day after
    the last lost shift or changed slot."""
    moment = repair_moment(absences, surge)
    if full:
        return Neighbourhood(moment)
    absent = {a.employee_id for a in absences}
    lost = [a for a in published.assignments for ab in absences
            if a.employee_id == ab.employee_id and a.start < ab.end and ab.start < a.end]
    need: dict[tuple[dt.date, str], float] = {}  # (date, queue) -> shifts' worth of help wanted
    for a in lost:
        need[(a.date, a.queue)] = need.get((a.date, a.queue), 0) + 1
    if surge is not None and surge.last is not None:
        grid = Grid(scenario)
        for q in surge.queues:
            queue = next(x for x in scenario.config.queues if x.id == q)
            for t in slots_from(scenario, surge.start, surge.last + dt.timedelta(minutes=grid.slot_minutes)):
                extra = (surge.demand[q][t] - scenario.demand[q][t]) / grid.delta_hours / queue.contacts_per_agent_hour
                key = (grid.slot_start(t).date(), q)
                need[key] = need.get(key, 0) + max(0.0, extra) * grid.delta_hours / 8
    on_date = {(a.employee_id, a.date) for a in published.assignments}
    agents = set(absent)
    elig = Eligibility(scenario)
    for (date, q), shifts in need.items():
        pool = [ag for ag in scenario.agents if ag.employee_id not in absent and q in elig.queues(ag, date)]
        pool.sort(key=lambda ag: ((ag.employee_id, date) in on_date, ag.kind != "flex"))
        agents.update(ag.employee_id for ag in pool[:max(MIN_HELPERS, round(HELPERS_PER_SHIFT * shifts))])
    if any(scenario.agent_by_id[e].is_lead for e in absent):
        agents.update(ag.employee_id for ag in scenario.agents if ag.is_lead)
    last = max([d for d, _ in need] + [a.date for a in lost], default=moment.date())
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


def changes_between(scenario: Scenario, before: Roster, after: Roster, absences: Sequence[Absence] = ()) -> list[dict]:
    """Per agent and date: what the plan was and what it is now, where they differ. `call` is
    false for a change an agent's own absence (of `absences`) forces: a shift lost or cut short."""
    names = {a.employee_id: a.name for a in scenario.agents}
    b = {(a.employee_id, a.date): a for a in before.assignments}
    n = {(a.employee_id, a.date): a for a in after.assignments}
    out = []
    for key in sorted(set(b) | set(n)):
        x, y = b.get(key), n.get(key)
        if x is None or y is None or (x.shift, x.queue, x.runs) != (y.shift, y.queue, y.runs):
            forced = x is not None and any(
                ab.employee_id == key[0] and x.start < ab.end and ab.start < x.end for ab in absences) and (
                y is None or ((y.shift, y.queue) == (x.shift, x.queue) and y.end <= x.end
                              and all(any(s0 <= s and e <= e0 for s0, e0 in x.runs) for s, e in y.runs)))
            out.append({"employee_id": key[0], "name": names.get(key[0], ""), "date": key[1],
                        "before": describe(x), "after": describe(y), "call": not forced,
                        "before_shift": x, "after_shift": y})
    return out


def add_messages(scenario: Scenario, changes: list[dict], lang: str) -> dict[str, str]:
    """Give each change its words in `lang` ("message") and return the call list: per
    employee_id to call, the one-line message to paste into the team's chat tool."""
    for c in changes:
        c["message"] = change_text(scenario, c["before_shift"], c["after_shift"], c["date"], lang)
    return call_messages(scenario, changes, lang)


@dataclass
class Repaired:
    """A repair's outcome: the scenario with the new absences and demand, the roster, the solve
    report, the changes (dicts of changes_between) and the calls-versus-service table."""

    scenario: Scenario
    roster: Roster
    report: SolveReport
    changes: list[dict]
    options: list[OptionRow] = field(default_factory=list)
    calls: int = 0              # agents to call (changed plans, absences' forced changes excepted)
    demand_changed: bool = False
    violations: list | None = None  # the independent checker's answer for `roster` (None: not asked yet)

    def __iter__(self):  # scenario, roster, report, changes = repair(...)
        return iter((self.scenario, self.roster, self.report, self.changes))


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
    if start is None:
        raise InputError([Problem("--from", "the absence needs the moment it starts (--from DATETIME)")])
    end = end or scenario.config.horizon_end
    if end <= start:
        raise InputError([Problem("--to", f"{end:%Y-%m-%d %H:%M} is not after --from {start:%Y-%m-%d %H:%M}")])
    return [Absence(employee_id=absent, start=start, end=end, reason="sick call")]


def repair(scenario: Scenario, published: Roster, absences: list[Absence], *, surge: DemandChange | None = None,
           max_calls: int | None = None, time_limit_s: float | None = None, workers: int | None = None,
           seed: int | None = None, printer: ProgressPrinter | None = None, full: bool = False,
           table: bool = True) -> Repaired:
    """Re-solve `published` (planned under `scenario`'s demand) after `absences` and/or new
    demand `surge`, with the repair's order of SPEC 6; at most `max_calls` agents' plans change.
    `full` re-decides every plan after the moment, not just the neighbourhood; `table` computes
    the calls-versus-service table."""
    if not absences and surge is None:
        raise InputError([Problem("repair", "nothing changed: give absences, --scale or --demand")])
    moment = repair_moment(absences, surge)
    baseline = published_service(scenario, published)
    pub_scenario = scenario
    scenario = with_absences(scenario, absences)
    if surge is not None:
        scenario = with_demand(scenario, surge.demand)
    hood = neighbourhood(scenario, published, absences, full, surge)
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
    opts = options_for(scenario, limit, workers if workers is not None else REPAIR_WORKERS, seed)
    kept: dict = {}

    def keep_model(rm: RosterModel) -> None:
        if table:
            kept["rm"], kept["copy"] = rm, rm.m.clone()

    absent = {a.employee_id for a in absences}
    try:
        roster, report = solve(scenario, opts, printer, frozen=frozen, free_from=moment, free_until=hood.until,
                               free_agents=hood.agents, published=published, on_model=keep_model,
                               model_options={"baseline": baseline, "called_off": absent, "max_calls": max_calls})
    except InfeasibleError as exc:
        if not full:
            # the neighbourhood could not mend it (say a lead is absent and agents of another
            # queue lose their only lead): re-plan everyone after the moment before giving up
            return repair(pub_scenario, published, absences, surge=surge, max_calls=max_calls,
                          time_limit_s=time_limit_s, workers=workers, seed=seed, printer=printer, full=True,
                          table=table)
        if max_calls is not None:
            raise InfeasibleError([f"No roster keeps the rules with at most {max_calls} call(s): a shift the absence "
                                   f"leaves without a lead, or a plan the new demand makes illegal, needs someone "
                                   f"called in. Allow more calls (--max-calls) or none (leave it out)."]) from None
        raise InfeasibleError(explain_frozen(scenario, [a for a in frozen if a.start < moment], moment)
                              or exc.reasons) from None
    what = []
    if absences:
        what.append("absences: " + "; ".join(f"{a.employee_id} {a.start:%m-%d %H:%M}-{a.end:%m-%d %H:%M}"
                                             for a in absences))
    if surge is not None:
        what.append(surge.text)
    report.notes.insert(0, f"repair from {moment:%Y-%m-%d %H:%M}: {hood.describe(scenario)}; " + "; ".join(what))
    phase = {p.name: p.objective for p in report.phases}
    calls = round(phase.get("changed agents", 0))
    chosen = OptionRow(calls, phase.get("lost overflow", 0.0), phase.get("lost shortage", 0.0),
                       all(p.status == "OPTIMAL" for p in report.phases
                           if p.name in ("lost overflow", "lost shortage", "changed agents")))
    options = [chosen]
    checked: list | None = None  # the checker's answer for `roster`, once asked
    if table and "rm" in kept:
        row_s = min(TABLE_ROW_S, max(0.1, TABLE_TOTAL_S / max(1, chosen.calls)))
        with ThreadPoolExecutor(1) as pool:
            # CP-SAT solves the table's rows outside Python's lock, so the independent checker
            # reads the tiers' roster meanwhile, on the other core
            table_rows_done = pool.submit(
                calls_table, kept["rm"], kept["copy"], chosen, roster, seconds_per_row=row_s, workers=opts.workers,
                seed=opts.seed, params=dict(opts.tuning.repair_params), dtime_wall=opts.tuning.repair_dtime_wall)
            checked = check_roster(scenario, roster)
            computed = table_rows_done.result()
        report.notes.extend(computed.notes)
        options = computed.rows
        adopted = computed.adopted
        if adopted is not None:
            rm = kept["rm"]
            roster = roster_of(rm, adopted)
            checked = None
            tight = rm.complete_hint({id(o) for o in rm.options if o.fixed is None and adopted[o.var.index]})
            by_name = {t.name: t for t in rm.tiers}
            later = False
            for p in report.phases:
                p.objective = by_name[p.name].value(tight) * by_name[p.name].to_user
                if later:  # their bounds held under the old cap on calls: only 0 holds for sure
                    p.best_bound, p.status = 0.0, "FEASIBLE"
                later = later or p.name == "changed agents"
            report.status = "FEASIBLE"
            calls = options[-1].calls
            chosen = options[-1]
    # what the slots before the moment lost is lost in every repaired roster: the bounds shown
    apply_past_bounds(report, past_bounds(scenario, roster, moment, baseline))
    if max_calls is not None:
        report.notes.append(f"--max-calls {max_calls}: {calls} call(s); still lost against the published service: "
                            f"{chosen.overflow_lost:,.2f} customer-hours of overflow, {chosen.shortage_lost:,.2f} "
                            f"agent-hours of shortage")
    return Repaired(scenario, roster, report, changes_between(scenario, published, roster, absences), options,
                    calls, surge is not None, checked)


def repair_workbook(roster_path: Path, scenario_dir: Path, out: Path, *, absent: str | None = None,
                    start: dt.datetime | None = None, end: dt.datetime | None = None,
                    absences_file: Path | None = None, scale: float | None = None, queue: str | None = None,
                    demand_file: Path | None = None, max_calls: int | None = None,
                    time_limit_s: float | None = None, workers: int | None = None, seed: int | None = None,
                    lang: str = "en", progress: bool = True, full: bool = False) -> RunResult:
    """`scheduler repair`: read the published workbook, repair, write a new workbook. The
    absence (`absent` from `start` to `end`, or `absences_file`) and the new demand (`scale`
    [in `queue`] from `start` to `end`, default the end of that day; or `demand_file` from
    `start`) may come together."""
    from scheduler.workbook import read_absences, read_assignments, read_demand

    if out.resolve() == roster_path.resolve():
        raise InputError([Problem(str(out), "--out is the input roster; the published roster is never overwritten")])
    if max_calls is not None and max_calls < 0:
        raise InputError([Problem("--max-calls", f"expected a number of calls >= 0, got {max_calls}")])
    scenario = load_scenario(scenario_dir)
    rows = read_assignments(roster_path)
    # earlier sick calls and surges, recorded in the published workbook, still hold
    scenario = with_absences(scenario, read_absences(roster_path))
    as_folder = scenario
    scenario = read_demand(roster_path, scenario)
    recorded_demand = scenario is not as_folder  # the roster was planned under a repair's demand
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
    surge = None
    if scale is not None or demand_file is not None:
        if start is None:
            raise InputError([Problem("--from", "the new demand needs the moment it starts (--from DATETIME)")])
        if scale is not None and demand_file is not None:
            raise InputError([Problem("--scale", "give --scale or --demand, not both")])
        if scale is not None:
            surge = scaled_demand(scenario, start, end, scale, queue)
        elif demand_file is not None:
            surge = replaced_demand(scenario, demand_file, start, end)
    absences = (new_absences(scenario, absent, start, end, absences_file)
                if absent is not None or absences_file is not None else [])
    printer = ProgressPrinter(sys.stderr) if progress else None
    done = repair(scenario, published, absences, surge=surge, max_calls=max_calls, time_limit_s=time_limit_s,
                  workers=workers, seed=seed, printer=printer, full=full)
    verify(done.scenario, done.roster, done.violations)
    messages = add_messages(done.scenario, done.changes, lang)
    for c in done.changes:
        c["call_message"] = messages.get(c["employee_id"], "")
    from scheduler.calls import table_rows

    result = write_result(out, done.scenario, done.roster, done.report, lang, changes=done.changes,
                          options=table_rows(done.options),
                          record_demand=surge is not None or recorded_demand)
    last = done.options[-1]
    result.extra = ["  calls versus service (lost against the published roster's service):",
                    format_table(done.options),
                    f"  with {done.calls} call(s){f' (--max-calls {max_calls})' if max_calls is not None else ''}, "
                    f"still lost against the published service: {last.overflow_lost:,.2f} customer-hours of overflow, "
                    f"{last.shortage_lost:,.2f} agent-hours of shortage"]
    return result
