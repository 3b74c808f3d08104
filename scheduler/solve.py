"""Solve a roster model lexicographically, tier by tier (SPEC section 4).

Each tier is minimised with the better tiers capped at the values already reached, starting
from the previous tier's roster as a hint. Time is shared among the tiers; a tier that proves
its optimum early passes its remaining time on. Service (overflow, shortage) is never traded for
cost or comfort because it is solved, and capped, first.

Within a tier, on models of LNS_MIN_OPTIONS shift options or more: (1) large-neighbourhood
search (`scheduler.lns`) from the roster at hand; (2) CP-SAT on the whole model, which proves
bounds, until it stalls; (3) LNS for the rest of the tier's time. Models of more than
WHOLE_MODEL_MAX variables get LNS alone; smaller ones, CP-SAT on the whole model alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence, TextIO

from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError
from scheduler.exactness import make_honest
from scheduler.grid import Grid
from scheduler.lns import improve, parts_of
from scheduler.model import RosterModel, Tier, set_hint
from scheduler.params import DEFAULT_PARAMS, SolveParams
from scheduler.result import PhaseResult, SolveReport
from scheduler.roster import Assignment, Roster
from scheduler.rules import Rule
from scheduler.scenario import Scenario
from scheduler.warmstart import greedy_roster


class ProgressPrinter:
    """Prints one line per improving roster: tier, objective, bound, elapsed seconds."""

    def __init__(self, stream: TextIO | None = sys.stderr, min_interval_s: float = 0.5):
        self.stream = stream
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self.t0 = time.monotonic()

    def phase(self, name: str, unit: str, seconds: float) -> None:
        if self.stream:
            print(f"[{time.monotonic() - self.t0:6.1f}s] minimising {name} ({unit}), up to {seconds:.1f}s",
                  file=self.stream, flush=True)

    def solution(self, name: str, objective: float, bound: float, final: bool = False) -> None:
        now = time.monotonic()
        if self.stream and (final or now - self._last >= self.min_interval_s):
            self._last = now
            print(f"[{now - self.t0:6.1f}s]   {name}: {objective:,.2f}  bound {bound:,.2f}", file=self.stream,
                  flush=True)


@dataclass(frozen=True)
class Stalled:
    """Stop criterion: the objective improved by less than `min_gain` (relative) in the last
    `window_s` seconds, with a solution found at least that long ago."""

    window_s: float
    min_gain: float

    def __call__(self, history: list[tuple[float, float]]) -> bool:
        """`history`: (monotonic time, objective) of each solution so far."""
        if not history or time.monotonic() - history[0][0] < self.window_s:
            return False
        cutoff = time.monotonic() - self.window_s
        before = next(obj for t, obj in reversed(history) if t <= cutoff)
        return before - history[-1][1] <= self.min_gain * max(abs(before), 1e-9)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, name: str, scale: float, printer: ProgressPrinter | None, stop: Callable[[], bool]):
        super().__init__()
        self.name, self.scale, self.printer, self.stop = name, scale, printer, stop
        self.history: list[tuple[float, float]] = []  # (monotonic time, objective) of each solution

    def on_solution_callback(self) -> None:
        self.history.append((time.monotonic(), self.objective_value))
        if self.printer:
            self.printer.solution(self.name, self.objective_value * self.scale,
                                  max(0.0, self.best_objective_bound * self.scale))  # every tier is >= 0
        if self.stop():
            self.stop_search()


@dataclass
class SolveOptions:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    params: dict = field(default_factory=dict)  # extra CP-SAT parameters, by name (benchmarks)
    tuning: SolveParams = DEFAULT_PARAMS         # the search's own parameters


@dataclass
class _Interrupt:
    requested: bool = False
    previous: object = field(default=None)

    def __enter__(self) -> "_Interrupt":
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not in the main thread
            self.previous = None
        return self

    def _handle(self, *_: object) -> None:
        if self.requested:  # second Ctrl-C: give up at once
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _search(solver: cp_model.CpSolver, model: cp_model.CpModel, cb: _Callback | None, interrupt: _Interrupt,
            stalled: Stalled | None = None) -> int:
    """Run the search in a worker thread so that Ctrl-C reaches Python's handler in the main
    thread at once, which then stops the search; returns the CP-SAT status. With `stalled`, the
    search also stops when that criterion holds for its solutions so far."""
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(model, cb)), daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if interrupt.requested or (stalled is not None and cb is not None and stalled(cb.history)):
            solver.stop_search()
    return result[0]


def solve_model(rm: RosterModel, opts: SolveOptions, printer: ProgressPrinter | None = None) -> tuple[Roster, SolveReport]:
    """Minimise the tiers of `rm` in order; returns the roster and a report per tier.

    Raises InfeasibleError when no roster satisfies the hard rules."""
    t_start = time.monotonic()
    deadline = t_start + opts.time_limit_s
    report = SolveReport(status="OPTIMAL", time_limit_s=opts.time_limit_s, workers=opts.workers, seed=opts.seed,
                         notes=list(rm.notes))
    proto = rm.m.proto
    report.n_variables, report.n_constraints = len(proto.variables), len(proto.constraints)
    tiers = [t for t in rm.tiers if t.terms > 0]
    solution: list[int] | None = None  # the best roster so far: a value for every model variable
    greedy_solution: list[int] | None = None
    # one worker: budgets in CP-SAT's deterministic time, fixed in advance, so the same input and
    # seed give the same roster on any machine and load; several workers: wall-clock budgets
    deterministic = opts.workers == 1
    n_free_options = sum(1 for o in rm.options if o.fixed is None)
    tuning = opts.tuning
    total_share = sum(tuning.share(t.id) for t in tiers)
    with _Interrupt() as interrupt:
        for n, tier in enumerate(tiers):
            remaining = deadline - time.monotonic()
            share_left = sum(tuning.share(t.id) for t in tiers[n:])
            if deterministic:
                budget = max(0.5, opts.time_limit_s * tuning.share(tier.id) / total_share)
            else:
                budget = max(0.5, remaining * tuning.share(tier.id) / share_left)
            if interrupt.requested or (remaining <= 0.2 and solution is not None and not deterministic):
                report.status = "FEASIBLE"
                report.notes.append(f"{tier.name} was not optimised: "
                                    + ("stopped by the user" if interrupt.requested else "out of time"))
                continue
            # a tier breaks its ties by the tier that matters next (TIE_BREAK): the weight exceeds
            # that tier's largest value, so the order of priorities stays exact, and the search
            # does not wander away from good values of the next tier meanwhile
            tie = next((t for t in tiers[n + 1:] if t.id == tuning.tie_break.get(tier.id)), None)
            weight = tie.upper + 1 if tie is not None and (tie.upper + 1) * tier.upper < 2 ** 53 else 1
            rm.m.minimize(tier.expr * weight + tie.expr if weight > 1 else tier.expr)
            if solution is None:
                # a legal greedy roster (the published one first, in a repair): the first tier
                # starts from it
                t_greedy = time.monotonic()
                chosen = greedy_roster(rm, keep=rm.published_options())
                hint = rm.complete_hint({id(o) for o in chosen})
                greedy_solution = [hint.get(k, 0) for k in range(len(rm.m.proto.variables))]
                if printer:
                    if printer.stream:
                        print(f"[{time.monotonic() - printer.t0:6.1f}s] greedy first roster: {len(chosen):,} shifts "
                              f"in {time.monotonic() - t_greedy:.1f}s", file=printer.stream, flush=True)
                    # a legal roster exists from here on (it is what Ctrl-C would write)
                    printer.solution(tier.name, tier.value(greedy_solution) * tier.to_user, 0.0, final=True)
            t0 = time.monotonic()
            if printer:
                printer.phase(tier.name, tier.unit, budget)
            found = solution if solution is not None else greedy_solution
            use_lns = n_free_options >= tuning.lns_min_options and found is not None
            # large models: large-neighbourhood search (scheduler.lns) around CP-SAT on the whole
            # model. Its parts minimise this tier and then the next one (an exact lexicographic
            # weight), so a roster good in the next tier stays good while this one improves.
            goal = [(tier, 1)]
            nxt = tie or (tiers[n + 1] if n + 1 < len(tiers) else None)
            if nxt is not None and (nxt.upper + 1) * (tier.upper + 1) < 2 ** 53:
                goal = [(tier, nxt.upper + 1), (nxt, 1)]
            spent = [0.0]  # this tier's time so far: deterministic seconds with one worker, else wall

            def goal_value(values: list[int]) -> int:
                return sum(w * t.value(values) for t, w in goal)

            def left() -> float:
                return budget - (spent[0] if deterministic else time.monotonic() - t0)

            def lns(share: float, phase: int, until=None) -> None:
                nonlocal found
                limit = left() * share
                if limit < 0.5 or interrupt.requested:
                    return
                found, stats = improve(
                    rm, goal, found, limit, workers=opts.workers, seed=opts.seed + 1000 * n + 100 * phase,
                    deterministic=deterministic,
                    stop=lambda: interrupt.requested or (not deterministic and time.monotonic() > deadline),
                    search=lambda s, m: _search(s, m, None, interrupt), until=until,
                    on_improve=(lambda v: printer.solution(tier.name, tier.value(v) * tier.to_user, 0.0))
                    if printer else None, params=tuning)
                spent[0] += stats.charged_s
                report.notes.append(stats.describe(tier.name, tier.unit))

            floor = _floor(rm, tier)
            # the roster at hand keeps every rule (LNS needs that; a repair whose fixed past
            # breaks one has none: CP-SAT on the whole model then says why)
            legal = use_lns and not parts_of(rm).violations(found)
            # a model this large: CP-SAT on the whole of it spends the tier's time loading and
            # presolving and proves no useful bound (measured on 400 agents x 14 days: 13 s for
            # nothing, where LNS parts improve several times a second); LNS keeps all the time
            lns_only = legal and len(proto.variables) > tuning.whole_model_max
            if legal:
                # 1. LNS from the roster at hand until the tier reaches its least value, or
                #    LNS_FIRST_SHARE of its time is gone (all of it on a model this large): in
                #    the first tier, the greedy roster's shortage survives while overflow is
                #    driven down
                lns(1.0 if lns_only else tuning.lns_first_share, 1, until=lambda v: tier.value(v) <= floor)
            if legal and tier.value(found) <= floor:
                # the roster reaches the least value the tier can take (no service missing,
                # say): nothing to search for, and nothing to prove
                status, name, bound = cp_model.OPTIMAL, "OPTIMAL", floor
            elif lns_only:
                status, name, bound = cp_model.UNKNOWN, "FEASIBLE", floor
            else:
                # 2. CP-SAT on the whole model: proves bounds, and finds what LNS cannot; with LNS to
                #    follow it stops when it stalls (one worker: after FULL_SHARE of the time left)
                # the roster at hand, complete (the previous tier's is still feasible under the new
                # cap), is CP-SAT's first solution
                if found is not None:
                    set_hint(rm.m, found)
                whole = max(0.5, left() * tuning.full_share if use_lns and deterministic else left())
                stalled = (Stalled(max(2.0, budget * tuning.stall_share), tuning.stall_gain)
                           if use_lns and not deterministic else None)
                solver = cp_model.CpSolver()
                if deterministic:
                    solver.parameters.max_deterministic_time = whole
                    solver.parameters.max_time_in_seconds = 10 * whole + 10  # a guard, never the limit in practice
                else:
                    solver.parameters.max_time_in_seconds = whole
                solver.parameters.num_workers = opts.workers
                solver.parameters.random_seed = opts.seed
                solver.parameters.log_search_progress = opts.log
                solver.parameters.catch_sigint_signal = False  # Ctrl-C is ours: see _search
                if tier.id not in tuning.service_tiers and len(proto.variables) > tuning.large_model:
                    # these tiers start from a complete roster; on a large model presolve alone would
                    # use up their budget (measured: 400 agents x 14 days, flex tier found nothing)
                    solver.parameters.cp_model_presolve = False
                for key, value in opts.params.items():
                    setattr(solver.parameters, key, value)
                cb = _Callback(tier.name, tier.to_user / weight, printer, lambda: interrupt.requested)
                # after Ctrl-C during LNS, the roster at hand is written as it is
                status = cp_model.UNKNOWN if interrupt.requested else _search(solver, rm.m, cb, interrupt, stalled)
                if (status == cp_model.UNKNOWN and solution is None and not use_lns and not deterministic
                        and not interrupt.requested and deadline - time.monotonic() > 0.5):
                    # nothing beyond the greedy roster yet: the first tier keeps all the time left
                    solver.parameters.max_time_in_seconds = deadline - time.monotonic()
                    status = _search(solver, rm.m, cb, interrupt)
                if interrupt.requested and status == cp_model.UNKNOWN:
                    name = "UNKNOWN"  # the search may not have started at all
                else:
                    spent[0] += solver.response_proto.deterministic_time
                    name = solver.status_name(status)
                if status == cp_model.INFEASIBLE:
                    raise InfeasibleError(explain_infeasible(rm))
                bound = 0
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    bound = math.ceil(solver.best_objective_bound - 1e-6) // weight
                    candidate = list(solver.response_proto.solution)
                    # with LNS, CP-SAT's roster replaces the one at hand only when it is better in
                    # this tier, then the next (CP-SAT minimised this tier alone: at equal value its
                    # roster may be worse in the next)
                    if found is None or not use_lns or goal_value(candidate) < goal_value(found):
                        found = candidate
                elif found is not None:
                    # the search ended (or, after Ctrl-C, never ran) before it reported anything
                    # better: keep the roster we have (the previous tier's, the greedy one, or what
                    # LNS made of them)
                    if not interrupt.requested:
                        report.notes.append(f"{tier.name}: CP-SAT on the whole model found no better roster in "
                                            f"{whole:.1f} s ({name})")
                elif interrupt.requested:
                    raise KeyboardInterrupt  # stopped before any roster existed: nothing to write
                else:
                    raise InfeasibleError([f"No roster was found within {opts.time_limit_s:.0f} s "
                                           f"(solver status {name}). Give it more time with --time-limit."])
            if use_lns and status != cp_model.OPTIMAL and tier.value(found) > bound:
                # 3. LNS for the rest of the tier's time, or until it reaches CP-SAT's bound
                lns(1.0, 3, until=lambda v: tier.value(v) <= bound)
            value = tier.value(found)
            if status != cp_model.OPTIMAL and value <= bound:
                name = "OPTIMAL"  # LNS reached the bound CP-SAT proved
            elif status == cp_model.UNKNOWN and use_lns:
                name = "FEASIBLE"
            report.phases.append(PhaseResult(tier.name, tier.unit, name, value * tier.to_user,
                                             max(0, min(value, bound)) * tier.to_user, time.monotonic() - t0))
            if printer:
                printer.solution(tier.name, value * tier.to_user, max(0, min(value, bound)) * tier.to_user, final=True)
            if name != "OPTIMAL":
                report.status = "FEASIBLE"
            solution = found
            rm.m.add(tier.expr <= value)  # later tiers may not worsen this one
    if solution is not None:
        # report every tier of the final roster (later tiers may improve earlier ones by the way),
        # evaluated on the roster itself: helper variables of a tier not being minimised may sit
        # above their tight values in a solution (e.g. an agent marked changed who is not)
        tight = rm.complete_hint({id(o) for o in rm.options if solution[o.var.index]})
        by_name = {t.name: t for t in tiers}
        for phase in report.phases:
            phase.objective = by_name[phase.name].value(tight) * by_name[phase.name].to_user
    if interrupt.requested:
        report.notes.append("stopped with Ctrl-C: the roster is the best found so far, not proven optimal")
        report.status = "FEASIBLE"
    report.seconds = time.monotonic() - t_start
    # no solution: no tier had anything to minimise (no demand, nobody to roster), everyone is off
    return _roster_from_solution(rm, solution), report


def _floor(rm: RosterModel, tier: Tier) -> int:
    """The least raw value the tier can take, from its items' domains alone."""
    variables = rm.m.proto.variables
    out = tier.constant
    for x, c in zip(tier.items, tier.coeffs):
        if not isinstance(x, int):
            dom = variables[x.index].domain
            out += min(c * dom[0], c * dom[-1])
    return out


def _roster_from_solution(rm: RosterModel, solution: list[int] | None) -> Roster:
    out: list[Assignment] = []
    for o in rm.options:
        if o.fixed is not None:
            out.append(o.fixed)
        elif solution is not None and solution[o.var.index]:
            out.append(rm.assignment_of(o))
    return Roster(out).sorted()


def explain_infeasible(rm: RosterModel) -> list[str]:
    """Why no roster satisfies the hard rules, in a scheduler's words (best effort)."""
    reasons = []
    if rm.frozen:
        reasons.append("The part of the roster that is already fixed (before the repair moment) breaks a rule that "
                       "nothing after the moment can mend; run `scheduler check` on the published roster.")
    reasons.extend(rm.unusable)
    if not reasons:
        reasons.append("The hard rules contradict each other for this scenario.")
    return reasons


def solve(scenario: Scenario, opts: SolveOptions | None = None, printer: ProgressPrinter | None = None,
          *, frozen: list[Assignment] | None = None, free_from: dt.datetime | None = None,
          free_until: dt.datetime | None = None, free_agents: set[str] | None = None,
          published: Roster | None = None, extra_rules: Sequence[Rule] = ()) -> tuple[Roster, SolveReport]:
    """Build and solve the roster of a scenario. Times in seconds. `extra_rules` are kept on top
    of the hard rules of SPEC 3 (`scheduler.rules.HARD_RULES`)."""
    opts = opts or SolveOptions()
    grid = Grid(scenario)
    t0 = time.monotonic()
    rm = RosterModel(scenario, grid, frozen=frozen or [], free_from=free_from, free_until=free_until,
                     free_agents=free_agents, published=published, extra_rules=extra_rules)
    build_s = time.monotonic() - t0
    if printer and printer.stream:
        print(f"[{time.monotonic() - printer.t0:6.1f}s] model: {len(rm.options):,} shift options, "
              f"{len(rm.m.proto.variables):,} variables, {len(rm.m.proto.constraints):,} constraints "
              f"(built in {build_s:.1f}s)", file=printer.stream, flush=True)
    # the model's build time counts against the limit, except with one worker: there the limit
    # is in deterministic time, which a wall-clock deduction would make depend on the machine
    if opts.workers > 1:
        opts = dataclasses.replace(opts, time_limit_s=max(1.0, opts.time_limit_s - build_s))
    roster, report = solve_model(rm, opts, printer)
    make_honest(rm, roster, report)  # bounds and OPTIMAL only where they hold for every legal roster
    report.seconds += build_s
    report.notes.insert(0, f"model built in {build_s:.1f} s; {len(rm.options):,} shift options")
    return roster, report
