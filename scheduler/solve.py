"""Solve a roster model lexicographically, tier by tier (SPEC section 4).

Each tier is minimised with the better tiers capped at the values already reached, starting
from the previous tier's roster as a hint. Time is shared among the tiers; a tier that proves
its optimum early passes its remaining time on. Service (overflow, shortage) is never traded for
cost or comfort because it is solved, and capped, first.

`solve` builds the model; `Pipeline` runs the phases: a greedy first roster
(`scheduler.warmstart`), then per tier a `TierSearch` (large-neighbourhood search, CP-SAT on
the whole model, LNS again; see there), then the tier's cap. Stop criteria are the small
objects of `scheduler.stop`; tuning is `SolveParams` (`scheduler.params`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError
from scheduler.exactness import make_honest
from scheduler.grid import Grid
from scheduler.lns import Beside, Stall, improve, parts_of, recent_gain
from scheduler.model import RosterModel, Tier, set_hint
from scheduler.objective import TierId
from scheduler.params import DEFAULT_PARAMS, SolveParams
from scheduler.partdraw import longest_shift
from scheduler.result import PhaseResult, SolveReport
from scheduler.roster import Assignment, Roster
from scheduler.rules import Rule
from scheduler.scenario import Scenario
from scheduler.stop import Interrupt, MaxRuntime, Stalled
from scheduler.warmstart import greedy_roster
from scheduler.weekly import weekly_reasons

if TYPE_CHECKING:  # scheduler.guide imports the LP's solvers: only runs that build the LP's plan need them
    from scheduler.guide import Plan
    from scheduler.recombine import RecombineStats


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


def _search(solver: cp_model.CpSolver, model: cp_model.CpModel, cb: _Callback | None, interrupt: Callable[[], bool],
            stalled: Stalled | None = None) -> int:
    """Run the search in a worker thread so that Ctrl-C reaches Python's handler in the main
    thread at once, which then stops the search; returns the CP-SAT status. With `stalled`, the
    search also stops when that criterion holds for its solutions so far."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(model, cb)), daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if interrupt() or (stalled is not None and cb is not None and stalled(cb.history)):
            solver.stop_search()
    return result[0]


class Pipeline:
    """The search, tier by tier: a greedy first roster, then for each tier its `TierSearch`
    (LNS, CP-SAT on the whole model, LNS), then a cap so later tiers keep what it reached.

    One worker: budgets in CP-SAT's deterministic time, fixed in advance, so the same input and
    seed give the same roster on any machine and load; several workers: wall-clock budgets."""

    def __init__(self, rm: RosterModel, opts: SolveOptions, printer: ProgressPrinter | None):
        self.rm, self.opts, self.printer, self.tuning = rm, opts, printer, opts.tuning
        self.t_start = time.monotonic()
        self.deadline = MaxRuntime(self.t_start + opts.time_limit_s)
        self.deterministic = opts.workers == 1
        self.report = SolveReport(status="OPTIMAL", time_limit_s=opts.time_limit_s, workers=opts.workers,
                                  seed=opts.seed, notes=list(rm.notes))
        self.model_notes = len(rm.notes)  # the first notes of the report are the model's
        self.finish_s = 0.0  # seconds finishing a deferred model (`finish_model`)
        proto = rm.m.proto
        self.report.n_variables, self.report.n_constraints = len(proto.variables), len(proto.constraints)
        self.tiers = [t for t in rm.tiers if t.terms > 0]
        self.n_free_options = sum(1 for o in rm.options if o.fixed is None)
        self.solution: list[int] | None = None  # the best roster so far: a value for every model variable
        self.greedy: list[int] | None = None
        self.interrupt = Interrupt()
        self.solved: list[tuple[Tier, PhaseResult]] = []  # each tier searched, and its report
        self.used = 0.0  # one worker: the deterministic seconds the tiers searched so far used
        self.settled: set = set()  # tiers an earlier proof with exact tie-breaks already optimised
        self.plan: Plan | None = None  # the pooled LP's plan (scheduler.guide), when read
        # the LP-guided first roster when worse than the greedy one in the first tier only
        self.rivals: list[list[int]] = []
        # told of the model a deferred build is finished into when pricing added patterns (`solve`'s
        # on_model), so nothing keeps the first one alive through the search
        self.on_model: Callable[[RosterModel], None] | None = None

    def run(self) -> tuple[Roster, SolveReport]:
        """Minimise the tiers in order; returns the roster and a report per tier. Raises
        InfeasibleError when no roster satisfies the hard rules."""
        with self.interrupt:
            if self.tiers:
                self.first_roster()
            for n, tier in enumerate(self.tiers):
                self.solve_tier(n, tier)
        return self.finish()

    def first_roster(self) -> None:
        """The greedy first roster (and the rest of a deferred model, `finish_model`)."""
        self.greedy = self.greedy_start(self.tiers[0])
        if self.n_free_options >= self.tuning.lns_min_options:
            # LNS reads the model's constraints once (about 0.4 s on the demo's 17k variables,
            # 1.3 s on 400 x 14): after the first roster is out, but before the first tier's
            # budget, so a short first tier is not left a fraction of it
            parts_of(self.rm)

    def finish_model(self, hint: dict[int, int]) -> list[int]:
        """What a deferred model (`RosterModel.defer`: pricing, the later tiers) left, added once
        the first roster is out; returns the greedy roster's values in the finished model (its
        greedy roster again when pricing added patterns: then the model is built anew)."""
        rm, known, t0 = self.rm, len(self.rm.derived), time.monotonic()
        whole = rm.finish()
        anew = whole is not rm
        if not anew:
            hint = rm.extend_hint(hint, known)
        else:
            self.rm = rm = whole
            if self.on_model is not None:
                self.on_model(rm)
            hint = _greedy(rm)[1]
            self.n_free_options = sum(1 for o in rm.options if o.fixed is None)
        proto = rm.m.proto
        self.report.n_variables, self.report.n_constraints = len(proto.variables), len(proto.constraints)
        self.report.notes[:self.model_notes] = rm.notes
        self.model_notes = len(rm.notes)
        self.tiers = [t for t in rm.tiers if t.terms > 0]
        self.finish_s = time.monotonic() - t0
        if self.printer and self.printer.stream:
            print(f"[{time.monotonic() - self.printer.t0:6.1f}s] model finished: {len(rm.options):,} shift options, "
                  f"{len(proto.variables):,} variables, {len(proto.constraints):,} constraints (in {self.finish_s:.1f}s"
                  f"{', built anew with the patterns pricing added' if anew else ''})",
                  file=self.printer.stream, flush=True)
        return [hint.get(k, 0) for k in range(len(proto.variables))]

    def budget(self, n: int, tier: Tier) -> float:
        """The tier's time: its share of the time left (one worker: deterministic seconds; a
        repair with one worker: its share of the limit)."""
        fine = longest_shift(self.rm) >= self.tuning.fine_late_min_slots_per_shift
        share = (self.tuning.repair_share if self.rm.published is not None
                 else self.tuning.fine_share if fine else self.tuning.share)
        left = sum(share(t.id) for t in self.tiers[n:])
        if self.deterministic and self.rm.published is not None:
            # a repair answers in about its limit of wall seconds (SolveParams.repair_dtime_wall)
            total = sum(share(t.id) for t in self.tiers)
            limit = self.opts.time_limit_s / self.tuning.repair_dtime_wall
            return max(self.tuning.repair_min_tier_s, limit * share(tier.id) / total)
        if self.deterministic:
            # the deterministic seconds the tiers before left unused pass on, as wall time does
            # with several workers (a tier that reaches its least value early stops)
            return max(0.5, (self.opts.time_limit_s - self.used) * share(tier.id) / left)
        return max(0.5, self.deadline.left() * share(tier.id) / left)

    def tie_break(self, n: int, tier: Tier) -> tuple[Tier | None, int, list[Tier]]:
        """The tier whose ties this one breaks (SolveParams.tie_break), when present, the
        weight that keeps the order of priorities exact (above that tier's largest value; 1
        when that would not stay exact in doubles: then ties are not broken), and the tiers it
        stands for (a chain of several, SolveParams.tie_chain)."""
        chains = dict(self.tuning.tie_chain)
        if self.rm.published is not None:
            chains.update(self.tuning.repair_tie_chain)
        covered: list[Tier] = []
        if tier.id in chains:
            tie, covered = _chain(tier, [t for i in chains[tier.id] for t in self.tiers[n + 1:] if t.id == i])
        else:
            tie = next((t for t in self.tiers[n + 1:] if t.id == self.tuning.tie_break.get(tier.id)), None)
            covered = [tie] if tie is not None else []
        if tie is None or (tie.upper + 1) * tier.upper >= 2 ** 53:
            return tie, 1, []
        return tie, tie.upper + 1, covered

    def greedy_start(self, tier: Tier) -> list[int]:
        """A legal greedy roster (the published one first, in a repair), complete."""
        rm, printer = self.rm, self.printer
        t_greedy = time.monotonic()
        chosen, hint = _greedy(rm)
        values = [hint.get(k, 0) for k in range(len(rm.m.proto.variables))]
        if printer:
            if printer.stream:
                print(f"[{time.monotonic() - printer.t0:6.1f}s] greedy first roster: {len(chosen):,} shifts "
                      f"in {time.monotonic() - t_greedy:.1f}s", file=printer.stream, flush=True)
            # a legal roster exists from here on (it is what Ctrl-C would write)
            printer.solution(tier.name, tier.value(values) * tier.to_user, 0.0, final=True)
        if rm.deferred:
            values = self.finish_model(hint)
            if self.rm is not rm:
                rm, tier = self.rm, self.tiers[0]
                if printer:
                    printer.solution(tier.name, tier.value(values) * tier.to_user, 0.0, final=True)
        if (rm.published is None and self.tuning.lp_start
                and self.tuning.lns_min_options <= self.n_free_options <= self.tuning.lp_start_max_options
                and (self.deterministic or self.deadline.left() >= self.tuning.lp_start_min_s)):
            from scheduler.guide import guided_start

            greedy = values
            try:
                values, self.plan = guided_start(rm, values, self.tiers, self.report.notes, self.rivals)
            except Exception as exc:  # only a better start: never lose the greedy roster over it
                values, self.plan = greedy, None
                self.report.notes.append(f"first roster from the LP's plan skipped: {exc}")
            if self.plan is not None and self.deterministic:
                self.used += self.plan.charge_s  # the LP's work, in deterministic seconds
            if printer and values is not greedy:
                printer.solution(tier.name, tier.value(values) * tier.to_user, 0.0, final=True)
        return values

    def mend_rival(self, n: int, tier: Tier, start: list[int], rival: list[int]) -> list[int]:
        """The first tier searched from the LP-guided roster (`rival`, better than `start` from
        the second tier on) for up to rival_share of its budget, until it is as good as `start`
        in this tier; returns the better of the two, tier by tier. On 800 x 14 (one worker,
        120 s) the LP's roster had overflow 112.6 against the greedy's 0 and shortage 956.7
        against 1,093.0: two parts took its overflow to 0, and the run ended at shortage
        568.11 instead of 609.30 (benchmarks/README.md)."""
        target = tier.value(start)
        nxt = self.tiers[n + 1] if n + 1 < len(self.tiers) else None
        if nxt is None or (nxt.upper + 1) * (tier.upper + 1) >= 2 ** 53 or self.interrupt():
            return start
        goal = [(tier, nxt.upper + 1), (nxt, 1)]
        limit = self.budget(n, tier) * self.tuning.rival_share
        if limit < 0.5:
            return start
        pipe = self
        mended, stats = improve(
            self.rm, goal, rival, limit, workers=self.opts.workers, seed=self.opts.seed + 1000 * n + 50,
            deterministic=self.deterministic,
            stop=lambda: pipe.interrupt() or (not pipe.deterministic and pipe.deadline()),
            search=lambda s, m: _search(s, m, None, pipe.interrupt), until=lambda v: tier.value(v) <= target,
            params=self.tuning)
        if self.deterministic:
            self.used += stats.charged_s
        key = [(tier.value(v), nxt.value(v)) for v in (mended, start)]
        kept = key[0] < key[1]
        self.report.notes.append(
            f"{tier.name}: the LP's first roster searched first ({stats.iterations} parts): "
            f"{stats.start:,.2f} -> {stats.end:,.2f} against the greedy's {target * tier.to_user:,.2f}; "
            f"the next tier {key[0][1] * nxt.to_user:,.2f} against {key[1][1] * nxt.to_user:,.2f} "
            f"({'kept' if kept else 'not kept'})")
        if kept and self.printer:
            self.printer.solution(tier.name, key[0][0] * tier.to_user, 0.0, final=True)
        return mended if kept else start

    def solve_tier(self, n: int, tier: Tier) -> None:
        if tier.id in self.settled and self.solution is not None and not self.heads_chain(tier):
            self.settle(tier)
            return
        if self.rivals and self.solution is None and self.greedy is not None:
            self.greedy = self.mend_rival(n, tier, self.greedy, self.rivals.pop())
        budget = self.budget(n, tier)
        if self.interrupt() or (self.deadline.left() <= 0.2 and self.solution is not None
                                and not self.deterministic):
            self.report.status = "FEASIBLE"
            self.report.notes.append(f"{tier.name} was not optimised: "
                                     + ("stopped by the user" if self.interrupt() else "out of time"))
            return
        tie, weight, covered = self.tie_break(n, tier)
        self.rm.m.minimize(tier.expr * weight + tie.expr if tie is not None and weight > 1 else tier.expr)
        found = self.solution if self.solution is not None else self.greedy
        assert found is not None
        nxt = tie or (self.tiers[n + 1] if n + 1 < len(self.tiers) else None)
        search = TierSearch(self, n, tier, budget, weight, nxt, found)
        search.extra = self.far_time(n, tier, budget)
        phase = search.run()
        self.used += search.spent
        self.report.phases.append(phase)
        self.solved.append((tier, phase))
        if self.printer:
            self.printer.solution(tier.name, phase.objective, phase.best_bound, final=True)
        if phase.status != "OPTIMAL":
            self.report.status = "FEASIBLE"
        self.solution = search.found
        self.rm.m.add(tier.expr <= tier.value(search.found))  # later tiers may not worsen this one
        if search.proved_with_ties:
            # CP-SAT proved the weighted sum optimal: an exact lexicographic optimum of this tier
            # and the chain after it, so the chain's tiers that come next need no search of their own
            following = self.tiers[n + 1:n + 1 + len(covered)]
            for t, after in zip(covered, following):
                if t is not after:
                    break
                self.settled.add(t.id)

    def far_time(self, n: int, tier: Tier, budget: float) -> float:
        """The most time the shortage tier may take from the later tiers while it keeps gaining
        (SolveParams.far_share): that share of what they would get."""
        p = self.tuning
        if p.far_share <= 0 or tier.id != TierId.SHORTAGE or self.rm.published is not None or n + 1 >= len(self.tiers):
            return 0.0
        total = self.opts.time_limit_s - self.used if self.deterministic else self.deadline.left()
        return max(0.0, total - budget) * p.far_share

    def heads_chain(self, tier: Tier) -> bool:
        """Does this tier break its ties by a chain of its own? Its search settles more tiers."""
        return tier.id in self.tuning.tie_chain or (self.rm.published is not None
                                                     and tier.id in self.tuning.repair_tie_chain)

    def settle(self, tier: Tier) -> None:
        """A tier whose optimum an earlier tier's proof (with this one among its exact tie-breaks)
        already gave: its value is the roster's, proven; only its cap is added."""
        assert self.solution is not None
        value = tier.value(self.solution)
        phase = PhaseResult(tier.name, tier.unit, "OPTIMAL", value * tier.to_user, value * tier.to_user, 0.0)
        self.report.phases.append(phase)
        self.solved.append((tier, phase))
        self.report.notes.append(f"{tier.name}: proven with the tier before it (its exact tie-break)")
        if self.printer:
            self.printer.solution(tier.name, phase.objective, phase.best_bound, final=True)
        self.rm.m.add(tier.expr <= value)
        self.settled.discard(tier.id)

    def finish(self) -> tuple[Roster, SolveReport]:
        rm, report, solution = self.rm, self.report, self.solution
        if solution is None:
            # Ctrl-C after the first roster was printed and before a tier kept a roster (the
            # LP-guided start, the model's finishing): that roster, as the progress promised
            solution = self.greedy
        if solution is not None:
            # report every tier of the final roster (later tiers may improve earlier ones by the
            # way), evaluated on the roster itself: helper variables of a tier not being minimised
            # may sit above their tight values in a solution (e.g. an agent marked changed who is not)
            tight = rm.complete_hint({id(o) for o in rm.options if solution[o.var.index]})
            for tier, phase in self.solved:
                phase.objective = tier.value(tight) * tier.to_user
        if self.interrupt():
            report.notes.append("stopped with Ctrl-C: the roster is the best found so far, not proven optimal")
            report.status = "FEASIBLE"
        report.seconds = time.monotonic() - self.t_start
        # no solution: no tier had anything to minimise (no demand, nobody to roster), everyone is off
        return _roster_from_solution(rm, solution), report


class TierSearch:
    """One tier's search from the roster at hand (`found`). On models of
    SolveParams.lns_min_options free options or more: (1) LNS until the tier reaches its least
    value or lns_first_share of its time is gone; (2) CP-SAT on the whole model, which proves a
    bound, until it stalls; (3) LNS for the rest of the time or until it reaches that bound.
    Models above whole_model_max variables get LNS alone; small ones, CP-SAT alone."""

    def __init__(self, pipe: Pipeline, n: int, tier: Tier, budget: float, weight: int, nxt: Tier | None,
                 found: list[int]):
        self.pipe, self.rm, self.n, self.tier = pipe, pipe.rm, n, tier
        self.budget, self.weight, self.found = budget, weight, found
        self.start = found  # the roster the tier started from (SolveParams.recombine_pool)
        self.proved_with_ties = False  # CP-SAT proved tier * weight + tie-breaks optimal, for `found`
        # time the tier may take from the later tiers while its value is above `far` (raw units;
        # SolveParams.far_share)
        self.extra = 0.0
        self.trail: list[tuple[float, int]] = [(0.0, tier.value(found))]  # (tier seconds, value) as it fell
        self.t0 = time.monotonic()
        self.spent = 0.0  # this tier's time so far: deterministic seconds with one worker
        self.use_lns = pipe.n_free_options >= (pipe.tuning.lns_min_options if self.rm.published is None
                                               else pipe.tuning.repair_lns_min_options)
        # LNS parts minimise this tier and then the next one (an exact lexicographic weight), so
        # a roster good in the next tier stays good while this one improves
        self.goal: list[tuple[Tier, int]] = [(tier, 1)]
        if nxt is not None and (nxt.upper + 1) * (tier.upper + 1) < 2 ** 53:
            self.goal = [(tier, nxt.upper + 1), (nxt, 1)]

    def goal_value(self, values: list[int]) -> int:
        return sum(w * t.value(values) for t, w in self.goal)

    def now(self) -> float:
        """The tier's seconds so far (deterministic seconds with one worker)."""
        return self.spent if self.pipe.deterministic else time.monotonic() - self.t0

    def left(self) -> float:
        return self.budget - self.now()

    def run(self) -> PhaseResult:
        pipe, tier, tuning = self.pipe, self.tier, self.pipe.tuning
        if pipe.printer:
            pipe.printer.phase(tier.name, tier.unit, self.budget)
        floor = _floor(self.rm, tier)
        # the roster at hand keeps every rule (LNS needs that; a repair whose fixed past breaks
        # one has none: CP-SAT on the whole model then says why)
        legal = self.use_lns and not parts_of(self.rm).violations(np.asarray(self.found, dtype=np.int64))
        # a model this large: CP-SAT on the whole of it spends the tier's time loading and
        # presolving and proves no useful bound; LNS keeps all the time
        lns_only = legal and len(self.rm.m.proto.variables) > tuning.whole_model_max
        if legal:
            # a short tier: its share alone may fall below LNS's least time, and CP-SAT on the
            # whole model finds nothing in a second or two on a model of thousands of options
            first = 1.0 if lns_only else max(tuning.lns_first_share,
                                             min(self.left() - self.least(), tuning.lns_first_min_s)
                                             / max(self.left(), 1e-9))
            recombine = lns_only and self.recombines()
            # several workers: the master runs beside the parts, in one lane (`beside`); one
            # worker: after them, so that the run stays deterministic
            beside = recombine and not pipe.deterministic
            self.lns(tuning.recombine_at if recombine and not beside else first, 1,
                     until=lambda v: tier.value(v) <= floor, beside=beside)
            if recombine and not beside and tier.value(self.found) > floor:
                self.recombine()
        status: Any  # a CP-SAT status
        if legal and tier.value(self.found) <= floor:
            # the least value the tier can take (no service missing, say): nothing to search for
            status, name, bound = cp_model.OPTIMAL, "OPTIMAL", floor
        elif lns_only:
            status, name, bound = cp_model.UNKNOWN, "FEASIBLE", floor
        else:
            status, name, bound = self.whole_model()
        if self.use_lns and status != cp_model.OPTIMAL and tier.value(self.found) > bound:
            self.lns(1.0, 3, until=lambda v: tier.value(v) <= bound)
        window = self.budget * tuning.far_window
        gain = recent_gain(self.trail, self.now(), window)
        if (self.extra > 0 and self.use_lns and status != cp_model.OPTIMAL and tier.value(self.found) > bound
                and not pipe.interrupt() and gain is not None and gain > tuning.far_gain):
            # still gaining: some of the later tiers' time, for as long as it keeps gaining
            # (SolveParams.far_share)
            pipe.report.notes.append(
                f"{tier.name} gained {gain:.2%} in its last {window:.1f} s: up to {self.extra:.1f} s more, "
                f"from the later tiers' time, while it gains more than {tuning.far_gain:.2%} in that time")
            self.budget += self.extra
            self.lns(1.0, 4, until=lambda v: tier.value(v) <= bound, window=window, min_gain=tuning.far_gain)
        value = tier.value(self.found)
        if status != cp_model.OPTIMAL and value <= bound:
            name = "OPTIMAL"  # LNS reached the bound CP-SAT proved
        elif status == cp_model.UNKNOWN and self.use_lns:
            name = "FEASIBLE"
        return PhaseResult(tier.name, tier.unit, name, value * tier.to_user,
                           max(0, min(value, bound)) * tier.to_user, time.monotonic() - self.t0)

    def lns(self, share: float, phase: int, until: Callable[[np.ndarray], bool], window: float = math.inf,
            min_gain: float = 0.0, beside: bool = False) -> None:
        """Large-neighbourhood search (`scheduler.lns`) for `share` of the time left, or until the
        tier gained `min_gain` (a share) or less in its last `window` seconds; with `beside`,
        one lane runs the recombination master beside the parts (`master_beside`)."""
        pipe, tier = self.pipe, self.tier
        limit = self.left() * share
        if limit < self.least() or pipe.interrupt():
            return
        printer = pipe.printer
        seed = pipe.opts.seed + 1000 * self.n + 100 * phase
        k = self.apart(phase)
        if k > 1:
            self.lns_apart(k, limit, seed, until)
            return
        if phase == 1 and pipe.deterministic and self.tier.id == TierId.SHORTAGE:
            seed += 10 * pipe.tuning.apart_follow  # the trajectory a several-worker run would take
        stall = Stall(window, min_gain, self.trail, offset=self.now())
        side = self.master_beside(limit) if beside else None
        self.found, stats = improve(
            self.rm, self.goal, self.found, limit, workers=pipe.opts.workers,
            seed=seed, deterministic=pipe.deterministic,
            stop=lambda: pipe.interrupt() or (not pipe.deterministic and pipe.deadline()),
            search=lambda s, m: _search(s, m, None, pipe.interrupt), until=until,
            on_improve=(lambda v: printer.solution(tier.name, tier.value(v) * tier.to_user, 0.0))
            if printer else None, params=pipe.tuning, plan=pipe.plan, stall=stall, beside=side)
        self.spent += stats.charged_s
        pipe.report.notes.append(stats.describe(tier.name, tier.unit))
        if side is not None:
            pipe.report.notes.extend(side.notes)

    def apart(self, phase: int) -> int:
        """How many searches apart the tier's first LNS runs (SolveParams.apart): with several
        workers, the shortage tier of a plan on an LNS-only model of at most apart_max_options
        free options; else 1 (lanes that share one roster, or one worker)."""
        pipe, tuning = self.pipe, self.pipe.tuning
        if (phase != 1 or pipe.deterministic or self.tier.id != TierId.SHORTAGE or self.rm.published is not None
                or pipe.n_free_options > tuning.apart_max_options
                or len(self.rm.m.proto.variables) <= tuning.whole_model_max or self.recombines()):
            return 1
        return max(1, min(tuning.apart, pipe.opts.workers))

    def lns_apart(self, k: int, limit: float, seed: int, until: Callable[[np.ndarray], bool]) -> None:
        """`k` large-neighbourhood searches side by side from the roster at hand, each on its own
        roster with one CP-SAT worker, deterministic (search i, counted from 0, follows what a
        one-worker run with apart_follow = i does from the same roster; the note counts from 1),
        for `limit` charged seconds each, guarded by the tier's wall time; the best roster is kept.
        On a small model two lanes that share one roster reach the same plateau as one (the night
        case: twice the parts, the same shortage, benchmarks/README.md); searches apart reach
        different ones, and the best is kept."""
        pipe, tier = self.pipe, self.tier
        printer = pipe.printer
        lock = threading.Lock()
        best = [tier.value(self.found)]
        wall_end = time.monotonic() + limit
        over = [False]  # a search reached `until`, or failed: the others stop too

        def shown(v: np.ndarray) -> None:
            with lock:
                value = tier.value(v)
                if value < best[0]:
                    best[0] = value
                    if printer:
                        printer.solution(tier.name, value * tier.to_user, 0.0)
                if until(v):
                    over[0] = True

        def stop() -> bool:
            # a part's CP-SAT search stops too (its limit is deterministic time, which under load
            # can take many wall seconds): the tier and the run keep their time
            return over[0] or bool(pipe.interrupt()) or pipe.deadline() or time.monotonic() > wall_end

        results: list = [None] * k

        def one(i: int) -> None:
            try:
                results[i] = improve(
                    self.rm, self.goal, self.found, limit, workers=1, seed=seed + 10 * i, deterministic=True,
                    stop=stop, search=lambda s, m: _search(s, m, None, stop), until=until, on_improve=shown,
                    params=pipe.tuning, plan=pipe.plan)
            except BaseException as exc:  # noqa: BLE001 - re-raised below, in this thread
                results[i] = exc
                over[0] = True

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            if isinstance(r, BaseException):
                raise r
        keys = [self.goal_value(found) for found, _ in results]
        kept = int(np.argmin(keys))
        for _, stats in results:
            pipe.report.notes.append(stats.describe(tier.name, tier.unit))
        ends = ", ".join(f"{tier.value(found) * tier.to_user:,.2f}" for found, _ in results)
        better = keys[kept] < self.goal_value(self.found)
        pipe.report.notes.append(f"{tier.name}: {k} searches apart, each on its own roster: "
                                 f"{tier.value(self.found) * tier.to_user:,.2f} -> {ends} {tier.unit}; "
                                 + (f"search {kept + 1} kept" if better else "none better than the start"))
        if better:
            self.found = results[kept][0]
            self.trail.append((self.now(), tier.value(self.found)))

    def recombines(self) -> bool:
        """Does this tier re-deal whole schedules among interchangeable agents
        (SolveParams.recombine_at; the shortage tier of a plan, not a repair, whose classes hold
        recombine_min_class agents on average)?"""
        tuning = self.pipe.tuning
        if tuning.recombine_at <= 0 or self.tier.id != TierId.SHORTAGE or self.rm.published is not None:
            return False
        from scheduler.recombine import recombiner_of

        rc = recombiner_of(self.rm, parts_of(self.rm), tuning.recombine_backend)
        return bool(rc.classes) and len(rc.in_class) / len(rc.classes) >= tuning.recombine_min_class

    def master_beside(self, limit: float) -> Beside:
        """Several workers: the recombination master (`master`) as a search that one lane of
        the LNS runs beside the parts (`scheduler.lns.Beside`), once recombine_beside_at of its
        `limit` seconds are gone, up to recombine_rounds times (each with its own seed). Its
        master keeps recombine_s deterministic seconds on one CP-SAT worker, guarded by the
        LNS's wall time left (less recombine_overhead_s, which also covers building the master and
        its LP: those are not timed) and stopped when the LNS is over."""
        pipe, tuning = self.pipe, self.pipe.tuning
        notes: list[str] = []

        def task(values: np.ndarray, left: float, over: Callable[[], bool]) -> np.ndarray | None:
            wall = min(left, pipe.deadline.left()) - tuning.recombine_overhead_s
            if wall < 1.0 or pipe.interrupt():
                return None
            out, stats = self.master(values, tuning.recombine_s, wall, seed=pipe.opts.seed + side.done, stop=over)
            if stats is None:
                return None
            notes.append(stats.describe(self.tier))
            return out if stats.kept else None

        side = Beside("whole-schedule recombination", task, after_s=limit * tuning.recombine_beside_at,
                      rounds=tuning.recombine_rounds, notes=notes)
        return side

    def master(self, values: np.ndarray, seconds: float, wall: float | None, seed: int,
               stop: Callable[[], bool] = lambda: False) -> tuple[np.ndarray, RecombineStats | None]:
        """The recombination master (`scheduler.recombine`) on roster `values`: `seconds`
        deterministic seconds on one CP-SAT worker (two workers for 20 wall seconds under load
        gave 4 deterministic seconds and found nothing), within `wall` seconds when given, its
        CP-SAT search stopped early once `stop()` (or Ctrl-C). Returns its roster (`values` when
        it kept nothing) and what it did (None: no overflow tier, or not run)."""
        from scheduler.recombine import recombiner_of, tiers_of

        pipe, tuning, tier = self.pipe, self.pipe.tuning, self.tier
        over, _ = tiers_of(self.rm)
        if over is None or seconds < 1.0 or pipe.interrupt():
            return values, None
        rc = recombiner_of(self.rm, parts_of(self.rm), tuning.recombine_backend)
        if tuning.recombine_pool:
            for seen in (pipe.greedy, self.start):  # the first roster's and the tier's first schedules too
                if seen is not None and len(seen) == len(values):
                    rc.remember(seen)
        return rc.run(values, over, tier, seconds, deterministic=True, seed=seed, workers=1, wall_s=wall,
                      search=lambda s, m: _search(s, m, None, lambda: pipe.interrupt() or stop()))

    def recombine(self) -> None:
        """One worker: whole-schedule recombination (`master`) of the roster at hand, after the
        parts; charged dtime_wall per deterministic second of its master, plus its overhead. It
        may run past the tier's own time, into the later tiers' (they get what is left)."""
        pipe, tuning, tier = self.pipe, self.pipe.tuning, self.tier
        run_left = (pipe.opts.time_limit_s - pipe.used - self.spent - tuning.recombine_overhead_s) / tuning.dtime_wall
        out, stats = self.master(np.asarray(self.found, dtype=np.int64), min(tuning.recombine_s, run_left), None,
                                 seed=pipe.opts.seed)
        if stats is None:
            return
        self.spent += tuning.dtime_wall * stats.dtime + tuning.recombine_overhead_s
        pipe.report.notes.append(stats.describe(tier))
        if stats.kept:
            self.found = out.tolist()
            self.trail.append((self.now(), tier.value(self.found)))
            if pipe.printer:
                pipe.printer.solution(tier.name, tier.value(self.found) * tier.to_user, 0.0)

    def _solver(self, seconds: float) -> cp_model.CpSolver:
        pipe, opts, tuning = self.pipe, self.pipe.opts, self.pipe.tuning
        solver = cp_model.CpSolver()
        if pipe.deterministic:
            # the deterministic limit alone: a wall-clock guard would fire under load (see lns.py)
            solver.parameters.max_deterministic_time = seconds
        else:
            solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = opts.workers
        solver.parameters.random_seed = opts.seed
        solver.parameters.log_search_progress = opts.log
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is ours: see _search
        if self.tier.id not in tuning.service_tiers and len(self.rm.m.proto.variables) > tuning.large_model:
            # these tiers start from a complete roster; on a large model presolve alone would use
            # up their budget
            solver.parameters.cp_model_presolve = False
        if self.rm.published is not None:
            for key, value in tuning.repair_params.items():
                setattr(solver.parameters, key, value)
        for key, value in opts.params.items():
            setattr(solver.parameters, key, value)
        return solver

    def least(self) -> float:
        """The least time worth a search: a one-worker repair's tiers get as little as
        repair_min_tier_s deterministic seconds (SolveParams), and are searched with it."""
        if self.rm.published is not None and self.pipe.deterministic:
            return self.pipe.tuning.repair_min_tier_s
        return 0.5

    def whole_model(self) -> tuple[Any, str, int]:
        """CP-SAT on the whole model, from the roster at hand (complete: the previous tier's is
        still feasible under the new cap); with LNS to follow it stops when it stalls (one
        worker: after full_share of the time left). Returns status, its name and the bound."""
        pipe, tier, tuning, rm = self.pipe, self.tier, self.pipe.tuning, self.rm
        set_hint(rm.m, self.found)
        whole = max(self.least(),
                    self.left() * tuning.full_share if self.use_lns and pipe.deterministic else self.left())
        # with LNS to follow, a search that finds nothing (not even the hint back) within the
        # window is stalled too: on the demo (17k variables, 2 workers) it found nothing in the
        # shortage tier's 4 s and LNS after it got no time
        stalled = (Stalled(max(2.0, self.budget * tuning.stall_share), tuning.stall_gain, started=time.monotonic())
                   if self.use_lns and not pipe.deterministic else None)
        solver = self._solver(whole)
        cb = _Callback(tier.name, tier.to_user / self.weight, pipe.printer, pipe.interrupt)
        # after Ctrl-C during LNS, the roster at hand is written as it is
        status = cp_model.UNKNOWN if pipe.interrupt() else _search(solver, rm.m, cb, pipe.interrupt, stalled)
        if (status == cp_model.UNKNOWN and pipe.solution is None and not self.use_lns and not pipe.deterministic
                and not pipe.interrupt() and pipe.deadline.left() > 0.5):
            # nothing beyond the greedy roster yet: the first tier keeps all the time left
            solver.parameters.max_time_in_seconds = pipe.deadline.left()
            status = _search(solver, rm.m, cb, pipe.interrupt)
        if pipe.interrupt() and status == cp_model.UNKNOWN:
            name = "UNKNOWN"  # the search may not have started at all
        else:
            self.spent += solver.response_proto.deterministic_time
            name = solver.status_name(status)
        if status == cp_model.INFEASIBLE:
            raise InfeasibleError(explain_infeasible(rm))
        bound = 0
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = math.ceil(solver.best_objective_bound - 1e-6) // self.weight
            candidate = list(solver.response_proto.solution)
            # with LNS, CP-SAT's roster replaces the one at hand only when it is better in this
            # tier, then the next (CP-SAT minimised this tier alone: at equal value its roster
            # may be worse in the next)
            if not self.use_lns or self.goal_value(candidate) < self.goal_value(self.found):
                self.found = candidate
                if tier.value(candidate) < self.trail[-1][1]:
                    self.trail.append((self.now(), tier.value(candidate)))
                self.proved_with_ties = status == cp_model.OPTIMAL and self.weight > 1
        elif not pipe.interrupt():
            # the search ended before it reported anything better: keep the roster at hand (the
            # previous tier's, the greedy one, or what LNS made of them)
            pipe.report.notes.append(f"{tier.name}: CP-SAT on the whole model found no better roster in "
                                     f"{whole:.1f} s ({name})")
        return status, name, bound


def _chain(tier: Tier, chain: list[Tier]) -> tuple[Tier | None, list[Tier]]:
    """The tiers `tier` breaks its ties by, in order, as one tier with exact lexicographic
    weights, and the tiers it holds: the longest start of the chain whose weights stay exact in
    doubles (at least the first)."""
    while len(chain) > 1 and math.prod(t.upper + 1 for t in chain) >= 2 ** 53:
        chain = chain[:-1]
    if len(chain) <= 1:
        return (chain[0] if chain else None), chain
    items: list = []
    coeffs: list[int] = []
    weight, upper = 1, 0
    for t in reversed(chain):
        items.extend(t.items)
        coeffs.extend(c * weight for c in t.coeffs)
        upper += t.upper * weight
        weight *= t.upper + 1
    return Tier(chain[0].id, "mixed", items, coeffs, 1.0, upper=upper), chain


def _greedy(rm: RosterModel) -> tuple[list, dict[int, int]]:
    """The greedy first roster's options (a repair: the published roster as it stands, no calls
    yet) and the model's complete hint of it."""
    chosen = greedy_roster(rm, keep=rm.published_options(), fill=rm.published is None)
    return chosen, rm.complete_hint({id(o) for o in chosen})


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
    reasons.extend(rm.why_infeasible)
    reasons.extend(weekly_reasons(rm))
    if not reasons:
        reasons.append("The hard rules contradict each other for this scenario.")
    return reasons


def solve(scenario: Scenario, opts: SolveOptions | None = None, printer: ProgressPrinter | None = None,
          *, frozen: list[Assignment] | None = None, free_from: dt.datetime | None = None,
          free_until: dt.datetime | None = None, free_agents: set[str] | None = None,
          published: Roster | None = None, extra_rules: Sequence[Rule] = (), model_options: dict | None = None,
          on_model: Callable[[RosterModel], None] | None = None) -> tuple[Roster, SolveReport]:
    """Build and solve the roster of a scenario. Times in seconds. `extra_rules` are kept on top
    of the hard rules of SPEC 3 (`scheduler.rules.HARD_RULES`). `model_options` are further
    RosterModel fields (a repair's baseline, called_off, max_calls); `on_model` sees the model
    once built, before any tier is solved (a repair keeps a copy for its calls table), and again
    when a deferred build is finished into a new model (pricing added patterns)."""
    opts = opts or SolveOptions()
    grid = Grid(scenario)
    t0 = time.monotonic()
    # deferred where someone watches the progress: pricing and the later tiers are added once the
    # first roster is out (Pipeline.finish_model); without a printer nobody waits for it, and a
    # deferred build whose pricing adds patterns is built twice
    rm = RosterModel(scenario, grid, frozen=frozen or [], free_from=free_from, free_until=free_until,
                     free_agents=free_agents, published=published, extra_rules=extra_rules,
                     defer=printer is not None,
                     **(model_options or {}))
    if rm.deferred and not any(t.terms > 0 for t in rm.tiers):
        rm = rm.finish()  # no tier to value a first roster in: nothing to show early
    if on_model is not None:
        on_model(rm)
    build_s = time.monotonic() - t0
    if printer and printer.stream:
        later = "; pricing and the later tiers after the first roster" if rm.deferred else ""
        print(f"[{time.monotonic() - printer.t0:6.1f}s] model: {len(rm.options):,} shift options, "
              f"{len(rm.m.proto.variables):,} variables, {len(rm.m.proto.constraints):,} constraints "
              f"(built in {build_s:.1f}s{later})", file=printer.stream, flush=True)
    # the model's build time counts against the limit, except with one worker: there the limit
    # is in deterministic time, which a wall-clock deduction would make depend on the machine
    if opts.workers > 1:
        opts = dataclasses.replace(opts, time_limit_s=max(1.0, opts.time_limit_s - build_s))
    pipe = Pipeline(rm, opts, printer)
    pipe.on_model = on_model
    del rm  # the pipeline holds the model: a deferred one may be finished into a new one
    roster, report = pipe.run()
    rm = pipe.rm  # the finished model (built anew when deferred pricing added patterns)
    make_honest(rm, roster, report)  # bounds and OPTIMAL only where they hold for every legal roster
    report.seconds += build_s
    report.notes.insert(0, f"model built in {build_s + pipe.finish_s:.1f} s; {len(rm.options):,} shift options")
    return roster, report
