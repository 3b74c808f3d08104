"""Whole-schedule recombination (issue 15): agents who are interchangeable copy each other's
whole schedules.

LNS re-solves small parts of a roster; it cannot move many agents' whole weeks at once. Agents
whose shift options are the same up to renaming (a *class*: same skills, efficiency, contract,
lead flag and limits, the same shift options, absences included; no locks, no requests, no
previous roster) may swap or copy whole schedules without breaking any rule that holds for
each of them alone. The *master* chooses how many of each class work each of the distinct
schedules (*columns*) its members work in the roster at hand:

    n[k, c] >= 0 integer, sum_c n[k, c] = |k|
    staffed[t, q] = fixed agents' + sum n[k, c] * efficiency_k * works[c, t, q]   (hundredths)
    overflow[t, q] >= load - R * staffed,  shortage[t, q] >= required - staffed  (SPEC 4, raw units)
    sum overflow <= the roster's overflow;  minimise sum shortage

with the leads rule (SPEC 3.4) as rows; optionally with schedules of rosters seen earlier
(`Recombiner.remember`). It is solved (`BACKENDS`, default "rens") by CP-SAT from the roster's own
counts as a hint, each count between its LP value's floor and ceiling (GLOP on the same rows) or
its own count: on 800 x 14 this found 566.05 -> 558.21 in 20 deterministic seconds, where CP-SAT
on the whole master found it only at the end of that time and SCIP on the same rows less
(benchmarks/README.md, "Whole-schedule recombination"). The answer is mapped back agent by
agent (each keeps its own schedule while its count allows: fewest changes), the helpers
recomputed and every constraint of the model checked (`Parts.violations`); it is kept only when
the model's own tiers say better.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from scheduler.lns import merge_changes
from scheduler.model import RosterModel, Tier
from scheduler.objective import SCALE, TierId
from scheduler.parts import Parts

Key = tuple[int, str, tuple[int, ...]]  # an option as a class reads it: (instance, queue, worked slots)
# one CP-SAT solve of the master (a run passes solve._search, so that Ctrl-C stops it at once)
Search = Callable[[cp_model.CpSolver, cp_model.CpModel], Any]


def _plain(solver: cp_model.CpSolver, model: cp_model.CpModel) -> Any:
    return solver.solve(model)


@dataclass
class RecombineStats:
    """What one recombination did."""

    classes: int = 0          # classes of two or more interchangeable agents
    members: int = 0          # agents in them
    columns: int = 0          # distinct whole schedules the classes work, and those of earlier rosters
    pooled: int = 0           # ... of which from earlier rosters only (`Recombiner.remember`)
    status: str = ""          # CP-SAT's status on the master
    before: int = 0           # shortage, raw units
    after: int = 0
    changed_agents: int = 0
    dtime: float = 0.0        # CP-SAT's deterministic seconds
    seconds: float = 0.0      # wall seconds of the whole step
    kept: bool = False
    why: str = ""             # why nothing was kept (or tried)

    def describe(self, tier: Tier) -> str:
        pooled = f", {self.pooled} from earlier rosters" if self.pooled else ""
        head = (f"{tier.name}: whole-schedule recombination over {self.classes} classes of interchangeable agents "
                f"({self.members} agents, {self.columns} schedules{pooled})")
        if not self.kept:
            return f"{head}: nothing kept ({self.why})"
        return (f"{head}: {self.before * tier.to_user:,.2f} -> {self.after * tier.to_user:,.2f} {tier.unit}, "
                f"{self.changed_agents} agents take another's schedule ({self.status}, {self.seconds:.1f} s)")


def agent_classes(rm: RosterModel) -> list[list[int]]:
    """Classes of two or more agents (indices into rm.agents) whose shift options are the same up
    to renaming and whom nothing but their options tells apart: same attributes (all but id and
    name), same shift limits, no locks, no requests, no previous roster, no fixed (published)
    shifts. An agent in doubt is in no class: it keeps its schedule."""
    sc = rm.scenario
    personal = {r.employee_id for r in sc.requests} | {lk.employee_id for lk in sc.locks}
    if sc.previous is not None:
        personal |= {a.employee_id for a in sc.previous.assignments}
    fixed = {o.agent for o in rm.options if o.fixed is not None}
    keys: dict[int, list[Key]] = defaultdict(list)
    for o in rm.options:
        keys[o.agent].append((o.inst, o.queue, o.worked))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for a, agent in enumerate(rm.agents):
        if agent.employee_id in personal or a in fixed or a not in keys:
            continue
        if rm.free_agents is not None and agent.employee_id not in rm.free_agents:
            continue
        attrs = agent.model_dump(exclude={"employee_id", "name"})
        attrs["skills"] = sorted(attrs["skills"])
        limits = tuple(sorted(sc.shift_limits.get(agent.employee_id, ())))
        sig = (repr(sorted(attrs.items())), limits, agent.employee_id in sc.shift_limits, tuple(sorted(keys[a])))
        groups[sig].append(a)
    return [g for g in groups.values() if len(g) > 1]


class Recombiner:
    """The classes of a model and their options by key, read once per model."""

    def __init__(self, rm: RosterModel, parts: Parts):
        self.rm, self.parts = rm, parts
        self.classes = agent_classes(rm)
        self.in_class = {a for k in self.classes for a in k}
        # per class member: its options' variables, and key -> variable
        self.vars_of: dict[int, list[int]] = defaultdict(list)
        self.var_of: dict[int, dict[Key, int]] = defaultdict(dict)
        self.key_of: dict[int, Key] = {}
        self.on_shift: dict[int, range] = {}  # a lead's option -> the slots it is on shift
        for o in rm.options:
            if o.agent in self.in_class:  # the others' options are read once per run, as the roster has them
                key = (o.inst, o.queue, o.worked)
                self.vars_of[o.agent].append(o.var.index)
                self.var_of[o.agent][key] = o.var.index
                self.key_of[o.var.index] = key
                if rm.agents[o.agent].is_lead:
                    self.on_shift[o.var.index] = o.on_shift
        self.eff = [round(a.efficiency * SCALE) for a in rm.agents]
        # the model's definition of each overflow and shortage item (`RosterModel.define`): what the
        # master's reading of an item it moves must equal on the roster at hand (`run`)
        items = {v.index for v, _ in (*rm.short_vars.values(), *rm.over_vars.values())}
        self.item_of: dict[int, Callable[..., int]] = {v.index: fn for v, fn in rm.derived if v.index in items}
        # per class: schedules of rosters seen earlier (`remember`), in the order first seen
        self.pool: list[dict[tuple[Key, ...], None]] = [{} for _ in self.classes]
        self.backend = "rens"  # how the master is solved: "rens", "cp-sat" or "scip" (`BACKENDS`)

    def remember(self, values: np.ndarray | list[int]) -> None:
        """Keep the schedules a roster's class members work (a roster seen earlier in the run):
        later masters may deal them out too."""
        values = np.asarray(values, dtype=np.int64)
        for k, group in enumerate(self.classes):
            for a in group:
                self.pool[k].setdefault(self.schedule(a, values), None)

    def schedule(self, a: int, values: np.ndarray) -> tuple[Key, ...]:
        """Agent a's whole schedule in `values`, as sorted keys."""
        return tuple(sorted(self.key_of[v] for v in self.vars_of[a] if values[v]))

    def run(self, values: np.ndarray, over: Tier, short: Tier, seconds: float, *, deterministic: bool,
            seed: int = 0, workers: int = 1, wall_s: float | None = None,
            search: Search | None = None) -> tuple[np.ndarray, RecombineStats]:
        """A roster at least as good as `values` (a value per model variable, keeping every
        constraint): overflow not above its own, shortage as low as the master finds in
        `seconds` (deterministic seconds and one worker when `deterministic`, then with `wall_s`
        wall seconds at most besides; else `workers` for `seconds` of wall time). Returns it
        (`values` itself when nothing better was found) and what the step did."""
        t0 = time.monotonic()
        st = RecombineStats(classes=len(self.classes), members=len(self.in_class))
        st.before = st.after = short.value(values)
        rm = self.rm
        if not self.classes:
            st.why = "no two agents are interchangeable"
            return values, st
        # the classes' columns and who works each
        cols: list[list[tuple[Key, ...]]] = []
        holders: list[dict[tuple[Key, ...], list[int]]] = []
        for group in self.classes:
            held: dict[tuple[Key, ...], list[int]] = defaultdict(list)
            for a in group:
                held[self.schedule(a, values)].append(a)
            own = list(held)
            cols.append(own + [c for c in self.pool[len(cols)] if c not in held])
            holders.append(held)
            st.pooled += len(cols[-1]) - len(own)
        st.columns = sum(len(c) for c in cols)
        movable = [k for k, c in enumerate(cols) if len(c) > 1]
        if not movable:
            st.why = "every class works one schedule"
            return values, st
        mv_agents = {a for k in movable for a in self.classes[k]}
        # fixed contributions: every agent outside a movable class, as the roster has it
        n_slots = rm.grid.n_slots
        queues = rm.scenario.config.queue_ids
        qi = {q: j for j, q in enumerate(queues)}
        R = rm.rules.reroute_concurrency
        r_int = float(R).is_integer()
        staffed = np.zeros((n_slots, len(queues)), dtype=np.int64)
        rstaffed = np.zeros((n_slots, len(queues)), dtype=np.int64)
        working = np.zeros(n_slots, dtype=np.int64)
        leads = np.zeros(n_slots, dtype=np.int64)
        is_lead = [a.is_lead for a in rm.agents]
        for o in rm.options:
            if o.agent in mv_agents or not (o.fixed is not None or values[o.var.index]):
                continue
            w = [t for t in o.worked if 0 <= t < n_slots]
            e = self.eff[o.agent]
            staffed[w, qi[o.queue]] += e
            rstaffed[w, qi[o.queue]] += int(R) * e if r_int else round(R * e)
            working[w] += 1
            if is_lead[o.agent]:
                shift_slots = [t for t in o.on_shift if 0 <= t < n_slots]
                leads[shift_slots] += 1
        mm = Master()
        n: dict[tuple[int, int], int] = {}  # (class, column) -> the master's count variable
        # per (slot, queue): the (variable, efficiency, R * efficiency) terms of the columns that work it
        terms: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        work_terms: dict[int, list[int]] = defaultdict(list)
        lead_terms: dict[int, list[int]] = defaultdict(list)
        n_members = 0
        for k in movable:
            members = self.classes[k]
            n_members += len(members)
            a0 = members[0]
            e = self.eff[a0]
            re = int(R) * e if r_int else round(R * e)
            for c, sched in enumerate(cols[k]):
                x = n[(k, c)] = mm.var(len(members), len(holders[k][sched]), count=True)
                slots: set[int] = set()
                on: set[int] = set()
                for inst, q, worked in sched:
                    for t in worked:
                        if 0 <= t < n_slots:
                            terms[(t, qi[q])].append((x, e, re))
                            slots.add(t)
                    if is_lead[a0]:
                        on.update(t for t in self.on_shift[self.var_of[a0][(inst, q, worked)]] if 0 <= t < n_slots)
                for t in slots:
                    work_terms[t].append(x)
                for t in on:
                    lead_terms[t].append(x)
            xs = [n[(k, c)] for c in range(len(cols[k]))]
            mm.row(xs, [1] * len(xs), len(members), len(members))
        # service rows, exactly as SPEC 4 and the model's tiers read them
        reads: list[tuple[int, int]] = []  # (master's item variable, the model's)

        def item_rows(items: dict, fixed: np.ndarray, coef: int) -> list[int]:
            """One master variable and row per item (slot, queue) the master moves: item + sum of
            the moved options' term `coef` (efficiency for shortage, reroute capacity for
            overflow) >= the item's amount less what the fixed options give; the items it does
            not move are constants of the tier."""
            out = []
            for (t, q), (var, amount) in items.items():
                j = qi[q]
                ts = terms.get((t, j), [])
                if not ts:
                    continue
                need = amount - int(fixed[t, j])
                v = mm.var(amount, max(0, need - sum(term[coef] * mm.hint[term[0]] for term in ts)), service=True)
                mm.row([v, *(x for x, _, _ in ts)], [1, *(term[coef] for term in ts)], need, None)
                out.append(v)
                reads.append((v, var.index))
            return out

        short_vars = item_rows(rm.short_vars, staffed, 1)
        const_short = short.value(values) - sum(mm.hint[s] for s in short_vars)
        over_vars = item_rows(rm.over_vars, rstaffed, 2)
        const_over = over.value(values) - sum(mm.hint[v] for v in over_vars)
        # each item the master moves must read as the model defines it on this roster (a master
        # that read one slot high and another low would pass a comparison of totals), and the
        # tiers' items it does not move are constants (each >= 0): a negative remainder also means
        # the master reads the roster's service otherwise than the model
        misread = [s for s, var in reads if (fn := self.item_of.get(var)) is None or mm.hint[s] != fn(values)]
        if misread or const_short < 0 or const_over < 0:
            st.why = "the master does not read the roster's service as the model does"
            return values, st
        mm.row(over_vars, [1] * len(over_vars), None, over.value(values) - const_over)
        self._leads(mm, work_terms, lead_terms, working, leads, n_members)
        mm.objective = short_vars
        solve_master = BACKENDS[self.backend]
        status, found, st.dtime = solve_master(mm, seconds, deterministic=deterministic, seed=seed, workers=workers,
                                               wall_s=wall_s, search=search)
        st.status = status
        if found is None:
            st.why = f"the master found no roster ({st.status})"
            st.seconds = time.monotonic() - t0
            return values, st
        if sum(found[s] for s in short_vars) + const_short >= short.value(values):
            st.why = "no class's schedules re-dealt lower the shortage"
            st.seconds = time.monotonic() - t0
            return values, st
        counts = {key: int(found[x]) for key, x in n.items()}
        out, changed = self._map_back(values, movable, cols, holders, counts)
        st.changed_agents = changed
        ok, why = self._accept(values, out, over, short)
        st.seconds = time.monotonic() - t0
        if not ok:
            st.why = why
            return values, st
        st.after, st.kept = short.value(out), True
        return out, st

    def _leads(self, mm: Master, work_terms: dict[int, list[int]], lead_terms: dict[int, list[int]],
               working: np.ndarray, leads: np.ndarray, n_members: int) -> None:
        """SPEC 3.4 as the master's rows: in a slot where anyone works, at least min_leads_on_duty
        leads (beyond the previous roster's) are on shift."""
        rm = self.rm
        need = rm.rules.min_leads_on_duty
        if need <= 0:
            return
        carried, carried_leads = rm.history.working, rm.history.leads
        for t in sorted(set(work_terms) | set(lead_terms)):
            lacking = need - carried_leads[t] - int(leads[t])
            if lacking <= 0:
                continue
            ls = lead_terms.get(t, [])
            if carried[t] or working[t] > 0:
                mm.row(ls, [1] * len(ls), lacking, None)
                continue
            ws = work_terms.get(t, [])
            if not ws:
                continue
            anyone = mm.var(1, int(any(mm.hint[x] for x in ws)))
            mm.row([*ws, anyone], [1] * len(ws) + [-n_members], None, 0)
            mm.row([*ls, anyone], [1] * len(ls) + [-lacking], 0, None)

    def _map_back(self, values: np.ndarray, movable: list[int], cols: list[list[tuple[Key, ...]]],
                  holders: list[dict[tuple[Key, ...], list[int]]],
                  counts: dict[tuple[int, int], int]) -> tuple[np.ndarray, int]:
        """`values` with each class's members dealt the master's counts: each keeps its own
        schedule while its count allows, the others take the schedules left. Returns the
        roster (options only; helpers as before) and the number of agents who changed."""
        out = values.copy()
        changed = 0
        for k in movable:
            left: list[tuple[Key, ...]] = []
            moving: list[int] = []
            for c, sched in enumerate(cols[k]):
                held = holders[k][sched]
                want = counts[(k, c)]
                moving.extend(held[want:])
                left.extend([sched] * max(0, want - len(held)))
            for a, sched in zip(moving, left):
                for v in self.vars_of[a]:
                    out[v] = 0
                for key in sched:
                    out[self.var_of[a][key]] = 1
                changed += 1
        return out, changed

    def _accept(self, values: np.ndarray, out: np.ndarray, over: Tier, short: Tier) -> tuple[bool, str]:
        """Complete `out` (helpers) in place and say whether it keeps every constraint and is
        better: overflow not above, shortage below the roster's. `values` keeps every constraint
        (the tier checked it in full before its search), so only the constraints the changed
        variables appear in can break (`lns.merge_changes`)."""
        changed = np.flatnonzero(out != values)
        if len(changed) == 0:
            return False, "the master's counts are the roster's"
        done = merge_changes(self.parts, values, values, out, changed[~self.parts.is_helper[changed]])
        if done is None:
            return False, "the re-dealt roster breaks a constraint of the model"
        if over.value(done) > over.value(values) or short.value(done) >= short.value(values):
            return False, "the re-dealt roster is not better in the model's own tiers"
        out[:] = done
        return True, ""


class Master:
    """The master as plain rows: integer variables (upper bound, hint; lower bound 0), rows
    lo <= sum(coef * var) <= hi (None: unbounded), and the variables whose sum is minimised."""

    def __init__(self) -> None:
        self.ub: list[int] = []
        self.lb: list[int] | None = None  # None: every variable from 0
        self.hint: list[int] = []
        self.rows: list[tuple[list[int], list[int], int | None, int | None]] = []
        self.objective: list[int] = []
        self.count: list[bool] = []  # per variable: a count of agents (else a service or leads helper)
        self.service: list[bool] = []  # ... a shortage or overflow (its least value follows from the counts)

    def var(self, ub: int, hint: int, count: bool = False, service: bool = False) -> int:
        self.count.append(count)
        self.service.append(service)
        self.ub.append(ub)
        self.hint.append(hint)
        return len(self.ub) - 1

    def row(self, ix: list[int], coef: list[int], lo: int | None, hi: int | None) -> None:
        self.rows.append((list(ix), list(coef), lo, hi))


def _model(mm: Master) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """The master as a CP-SAT model (no hint), and its variables."""
    m = cp_model.CpModel()
    lbs = mm.lb if mm.lb is not None else [0] * len(mm.ub)
    xs = [m.new_int_var(lb, ub, f"x{k}") for k, (lb, ub) in enumerate(zip(lbs, mm.ub))]
    big = sum(mm.ub) * 10_000 + 1
    for ix, coef, lo, hi in mm.rows:
        m.add_linear_constraint(sum(c * xs[i] for i, c in zip(ix, coef)), -big if lo is None else lo,
                                big if hi is None else hi)
    m.minimize(sum(xs[i] for i in mm.objective))
    return m, xs


def _solver(seconds: float, *, deterministic: bool, seed: int, workers: int,
            wall_s: float | None = None) -> cp_model.CpSolver:
    """CP-SAT for `seconds` (deterministic seconds and one worker when `deterministic`; then
    `wall_s`, when given, is a wall-clock guard besides)."""
    solver = cp_model.CpSolver()
    if deterministic:
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.num_workers = 1
        if wall_s is not None:
            solver.parameters.max_time_in_seconds = wall_s
    else:
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    return solver


def _cp_sat(mm: Master, seconds: float, *, deterministic: bool, seed: int,
            workers: int, wall_s: float | None = None,
            search: Search | None = None) -> tuple[str, list[int] | None, float]:
    """The master by CP-SAT from its hint: status, values (None: none found), deterministic seconds."""
    m, xs = _model(mm)
    for x, h in zip(xs, mm.hint):
        m.add_hint(x, h)
    solver = _solver(seconds, deterministic=deterministic, seed=seed, workers=workers, wall_s=wall_s)
    status = (search or _plain)(solver, m)
    found = [int(solver.value(x)) for x in xs] if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    return solver.status_name(status), found, solver.response_proto.deterministic_time


def _linear(mm: Master, name: str, integer: bool) -> tuple[Any, list[Any]]:
    """The master as a pywraplp model of solver `name` (None when it is missing), its counts
    integer when `integer` (service variables stay continuous: with integer counts their least
    values are integers anyway), and its variables."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver(name)
    if solver is None:
        return None, []
    inf = solver.infinity()
    lbs = mm.lb if mm.lb is not None else [0] * len(mm.ub)
    xs = [solver.IntVar(lb, ub, "") if integer and not service else solver.NumVar(lb, ub, "")
          for lb, ub, service in zip(lbs, mm.ub, mm.service)]
    for ix, coef, lo, hi in mm.rows:
        c = solver.RowConstraint(-inf if lo is None else lo, inf if hi is None else hi, "")
        for i, a in zip(ix, coef):
            c.SetCoefficient(xs[i], a)
    obj = solver.Objective()
    for i in mm.objective:
        obj.SetCoefficient(xs[i], 1)
    obj.SetMinimization()
    return solver, xs


def _lp(mm: Master) -> list[float] | None:
    """The master's LP relaxation by GLOP: a value per variable (None: not solved)."""
    from ortools.linear_solver import pywraplp

    solver, xs = _linear(mm, "GLOP", integer=False)
    if solver is None or solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return [x.solution_value() for x in xs]


def _rens_scip(mm: Master, seconds: float, *, deterministic: bool, seed: int,
               workers: int, wall_s: float | None = None,
               search: Search | None = None) -> tuple[str, list[int] | None, float]:
    """`_rens`'s narrowed master, solved by SCIP."""
    return _rens(mm, seconds, deterministic=deterministic, seed=seed, workers=workers, wall_s=wall_s, by=_scip,
                 search=search)


def _rens(mm: Master, seconds: float, *, deterministic: bool, seed: int,
          workers: int, wall_s: float | None = None,
          by: Callable[..., tuple[str, list[int] | None, float]] | None = None,
          search: Search | None = None) -> tuple[str, list[int] | None, float]:
    """The master by CP-SAT with each variable between the floor and ceiling of its LP value
    (or its hint, when outside): a far smaller search around the LP's answer (RENS)."""
    lp = _lp(mm)
    if lp is None:
        return _cp_sat(mm, seconds, deterministic=deterministic, seed=seed, workers=workers, wall_s=wall_s,
                       search=search)
    narrow = Master()
    narrow.rows, narrow.objective, narrow.hint, narrow.count = mm.rows, mm.objective, mm.hint, mm.count
    narrow.service = mm.service
    # the counts only (a service variable in hundredths is free to move); with the roster's own
    # count inside, so the hint stays a solution. [floor, ceil] alone was infeasible on 800 x 14
    # (and [floor - 2, ceil + 2] found only worse rosters): the roster's counts are needed too
    narrow.lb = [min(h, math.floor(v + 1e-6)) if c else 0 for v, h, c in zip(lp, mm.hint, mm.count)]
    narrow.ub = [min(ub, max(h, math.ceil(v - 1e-6))) if c else ub
                 for v, h, ub, c in zip(lp, mm.hint, mm.ub, mm.count)]
    return (by or _cp_sat)(narrow, seconds, deterministic=deterministic, seed=seed, workers=workers, wall_s=wall_s,
                           search=search)


def _scip(mm: Master, seconds: float, *, deterministic: bool, seed: int,
          workers: int, wall_s: float | None = None,
          search: Search | None = None) -> tuple[str, list[int] | None, float]:
    """The master by SCIP (pywraplp) from its hint: status, values, 0 (SCIP has no deterministic clock)."""
    from ortools.linear_solver import pywraplp

    # service variables continuous: SCIP's rounding heuristics (RENS) count integer variables only
    solver, xs = _linear(mm, "SCIP", integer=True)
    if solver is None:
        return "NO_SCIP", None, 0.0
    solver.SetHint(xs, [float(h) for h in mm.hint])
    solver.SetTimeLimit(int((seconds if wall_s is None else wall_s) * 1000))
    status = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE"}
    if status not in names:
        return f"SCIP status {status}", None, 0.0
    # a service variable may sit above its least value: the caller reads the counts only
    return names[status], [round(x.solution_value()) for x in xs], 0.0


BACKENDS = {"rens": _rens, "cp-sat": _cp_sat, "scip": _scip, "rens-scip": _rens_scip}


def recombiner_of(rm: RosterModel, parts: Parts, backend: str = "rens") -> Recombiner:
    """The model's recombiner (its classes read once per model, kept on the model)."""
    rc = getattr(rm, "recombiner", None)
    if rc is None or rc.parts is not parts:
        rc = Recombiner(rm, parts)
        rm.recombiner = rc  # type: ignore[attr-defined]
    rc.backend = backend
    return rc


def tiers_of(rm: RosterModel) -> tuple[Tier | None, Tier | None]:
    """The model's overflow and shortage tiers (None when absent)."""
    over = next((t for t in rm.tiers if t.id == TierId.OVERFLOW), None)
    short = next((t for t in rm.tiers if t.id == TierId.SHORTAGE), None)
    return over, short
