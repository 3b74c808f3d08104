"""Re-deal a roster's own weeks among interchangeable agents and re-choose queues and break
patterns as integer counts (issue 15 items 1 and 2).

The compact integer master
--------------------------

Classes: agents whose shift options are the same up to renaming (the same (instance, queue,
worked slots) options, efficiency, lead flag, weekly cap, kind) and who have no tie to anything
by name (no locks, no requests, no previous-roster shifts, no frozen shift): every legal week of
one member is a legal week of every other (the per-agent rules read only the instances' times and
the agent's attributes). An agent with a tie is a class of its own (its week stays its own; its
queues and patterns may still change).

Variables (CP-SAT, all integer):
- lam[k, c]: members of class k that work week c (the distinct sets of instances the class's
  members work in the roster at hand), sum_c lam[k, c] = |k|;
- z[k, i, q, w]: members of k on instance i, queue q, worked slots w (an option of the class),
  sum_{q, w} z[k, i, q, w] = sum_{c containing i} lam[k, c];
- staffed[t, q] = sum efficiency * z over the options working t; overflow and shortage per
  (slot, queue) exactly as the model's tiers (`scheduler.objective`, the same loads and
  requirements, raw units); overflow summed at most the roster's; leads on duty (SPEC 3.4) as
  the model's rule: anyone working in t => leads on shift >= min_leads_on_duty;
- weekly hours, pooled per class and 7-day block b: sum z * (w's slots in b) <= sum_c lam[k, c] *
  min(cap, c's on-shift slots in b) (every legal roster keeps it: each member works at most that).

Minimise shortage. The roster's own point is feasible (the hint): the master's value is never
worse than the roster's.

Map back (`apply`): each class's members keep their own week while its count allows, the others
take the weeks left; per class and instance the members take the (queue, pattern) counts, their
own first, with each member's weekly hours kept (a small CP-SAT per class); then the shift-option
variables are set and `Parts.recompute_helpers` + `Parts.violations` prove the complete roster
keeps every constraint of the model.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from scheduler.model import Option, RosterModel
from scheduler.objective import SCALE, TierId
from scheduler.rules.weekly_hours import block_slots, cap_slots


@dataclass
class Klass:
    """Interchangeable agents: `agents` (model indices); `opts[i]` the (queue, worked) choices of
    instance i (the same for every member); `eff` in hundredths."""

    agents: list[int]
    opts: dict[int, list[tuple[str, tuple[int, ...]]]]
    eff: int
    lead: bool
    cap: int
    on_shift: dict[int, range] = field(default_factory=dict)


def classes(rm: RosterModel) -> list[Klass]:
    """The model's agents split into classes of interchangeable agents (`recombine.agent_classes`;
    every other agent with options is a class of its own)."""
    from scheduler.recombine import agent_classes

    opts_of: dict[int, dict[int, list[tuple[str, tuple[int, ...]]]]] = defaultdict(lambda: defaultdict(list))
    for o in rm.options:
        opts_of[o.agent][o.inst].append((o.queue, o.worked))
    grouped = agent_classes(rm)
    alike = {a for g in grouped for a in g}
    groups = grouped + [[a] for a in range(len(rm.agents)) if a in opts_of and a not in alike]
    out = []
    for members in groups:
        a = members[0]
        agent = rm.agents[a]
        ops = {i: list(v) for i, v in opts_of[a].items()}
        k = Klass(members, ops, round(agent.efficiency * SCALE), agent.is_lead,
                  cap_slots(agent, rm.rules, rm.grid.slot_minutes))
        k.on_shift = {i: rm.instances[i].slots for i in ops}
        out.append(k)
    return out


def chosen(rm: RosterModel, values) -> dict[int, dict[int, Option]]:
    """Agent -> instance -> the option a full assignment `values` chooses."""
    out: dict[int, dict[int, Option]] = defaultdict(dict)
    for o in rm.options:
        if values[o.var.index]:
            out[o.agent][o.inst] = o
    return out


@dataclass
class Master:
    model: cp_model.CpModel
    ks: list[Klass]
    weeks: list[list[frozenset[int]]]
    lam: dict[tuple[int, int], cp_model.IntVar]
    z: dict[tuple[int, int, str, tuple[int, ...]], cp_model.IntVar]
    hint_short: int
    hint_over: int
    # constraint index of each row a week's lam appears in: ("conv", k), ("link", k, i), ("lead", t)
    rows: dict[tuple, int] = field(default_factory=dict)


def build(rm: RosterModel, values, ks: list[Klass] | None = None, hours: bool = True,
          every_instance: bool = False) -> Master:
    """The compact integer master around the roster `values` (see the module's doc).
    `hours`: the pooled weekly-hours rows; `every_instance`: counts z and a linking row for every
    instance a class may work, not only those of its weeks (for weeks added later, benchmarks)."""
    rows: dict[tuple, int] = {}
    ks = classes(rm) if ks is None else ks
    pick = chosen(rm, values)
    m = cp_model.CpModel()
    block = block_slots(rm.grid.slot_minutes)
    lam: dict[tuple[int, int], cp_model.IntVar] = {}
    z: dict[tuple[int, int, str, tuple[int, ...]], cp_model.IntVar] = {}
    weeks_all: list[list[frozenset[int]]] = []
    cov: dict[tuple[int, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    lead_on: dict[int, list] = defaultdict(list)
    hint: dict[int, int] = {}
    upper: dict[int, int] = {}
    for kk, k in enumerate(ks):
        own = Counter(frozenset(pick.get(a, {})) for a in k.agents)
        weeks = sorted(own, key=lambda c: (-own[c], sorted(c)))
        weeks_all.append(weeks)
        n = len(k.agents)
        ls = []
        for ci, c in enumerate(weeks):
            v = m.new_int_var(0, n, f"lam_{kk}_{ci}")
            lam[(kk, ci)] = v
            hint[v.index] = own[c]
            ls.append(v)
        rows[("conv", kk)] = len(m.proto.constraints)
        m.add(sum(ls) == n)
        counts: Counter = Counter()
        for a in k.agents:
            for i, o in pick.get(a, {}).items():
                counts[(i, o.queue, o.worked)] += 1
        insts = sorted(k.opts) if every_instance else sorted(set().union(*weeks)) if weeks else []
        zb: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        for i in insts:
            on = [lam[(kk, ci)] for ci, c in enumerate(weeks) if i in c]
            zs = []
            for q, w in k.opts[i]:
                v = m.new_int_var(0, n, f"z_{kk}_{i}_{q}_{w[0]}_{len(w)}")
                z[(kk, i, q, w)] = v
                upper[v.index] = n
                hint[v.index] = counts[(i, q, w)]
                zs.append(v)
                for t in w:
                    vs, cs = cov[(t, q)]
                    vs.append(v)
                    cs.append(k.eff)
                per_b = Counter(t // block for t in w)
                for b, s in per_b.items():
                    zb[b][0].append(v)
                    zb[b][1].append(s)
            rows[("link", kk, i)] = len(m.proto.constraints)
            m.add(sum(zs) == sum(on))
            if k.lead:
                for t in k.on_shift[i]:
                    lead_on[t].extend(on)
        # pooled weekly hours: each member works at most min(cap, its week's on-shift slots) in b
        for b, (vs, cs) in zb.items():
            room = []
            for ci, c in enumerate(weeks):
                most = 0
                for i in c:
                    most += max(sum(1 for t in w if t // block == b) for _q, w in k.opts[i])
                room.append(min(k.cap, most) * lam[(kk, ci)])
            if hours and sum(cs) > 0:
                m.add(cp_model.LinearExpr.weighted_sum(vs, cs) <= sum(room))
    R = rm.rules.reroute_concurrency
    LinearExpr = cp_model.LinearExpr
    shorts: list[cp_model.IntVar] = []
    overs: list[cp_model.IntVar] = []
    hint_short = hint_over = 0
    for (t, q), (_v, req) in rm.short_vars.items():
        vs, cs = cov.get((t, q), ([], []))
        sv = m.new_int_var(0, req, f"short_{t}_{q}")
        m.add(sv + LinearExpr.weighted_sum(vs, cs) >= req)
        shorts.append(sv)
        hint[sv.index] = max(0, req - sum(c * hint[v.index] for v, c in zip(vs, cs)))
        hint_short += hint[sv.index]
    for (t, q), (_v, load) in rm.over_vars.items():
        vs, cs = cov.get((t, q), ([], []))
        rcs = [round(R * c) for c in cs]  # as the model's overflow rows (a fractional R per agent)
        ov = m.new_int_var(0, load, f"over_{t}_{q}")
        m.add(ov + LinearExpr.weighted_sum(vs, rcs) >= load)
        overs.append(ov)
        hint[ov.index] = max(0, load - sum(c * hint[v.index] for v, c in zip(vs, rcs)))
        hint_over += hint[ov.index]
    m.add(LinearExpr.sum(overs) <= hint_over)
    need = rm.rules.min_leads_on_duty
    if need > 0:  # SPEC 3.4, as scheduler.rules.leads
        carried, carried_leads = rm.history.working, rm.history.leads
        queues = rm.scenario.config.queue_ids
        for t in range(rm.grid.n_slots):
            lacking = need - carried_leads[t]
            if lacking <= 0:
                continue
            if carried[t]:
                rows[("lead", t)] = len(m.proto.constraints)
                m.add(LinearExpr.sum(lead_on[t]) >= lacking)
                continue
            vs = [v for q in queues if (t, q) in cov for v in cov[(t, q)][0]]
            if not vs:
                continue
            anyone = m.new_bool_var(f"anyone_{t}")
            m.add(LinearExpr.sum(vs) <= sum(upper[v.index] for v in vs) * anyone)
            rows[("lead", t)] = len(m.proto.constraints)
            m.add(LinearExpr.sum(lead_on[t]) >= lacking * anyone)
            hint[anyone.index] = int(any(hint[v.index] for v in vs))
    m.minimize(LinearExpr.sum(shorts))
    for ix, val in sorted(hint.items()):
        m.proto.solution_hint.vars.append(ix)
        m.proto.solution_hint.values.append(val)
    return Master(m, ks, weeks_all, lam, z, hint_short, hint_over, rows)


def solve_master(master: Master, seconds: float, workers: int = 1, seed: int = 0,
                 lns_only: bool = False) -> tuple[cp_model.CpSolver, Any]:
    """CP-SAT on the master from the roster's point (the hint). `lns_only`: CP-SAT's LNS workers
    alone (the only setting that found better points on the benchmark cases, benchmarks/README.md)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.use_lns_only = lns_only
    st = solver.solve(master.model)
    return solver, st


def deal(rm: RosterModel, master: Master, lam: dict[tuple[int, int], int],
         z: dict[tuple[int, int, str, tuple[int, ...]], int], values,
         seconds: float = 10.0) -> dict[int, dict[int, tuple[str, tuple[int, ...]]]] | None:
    """The master's counts dealt to agents: agent -> instance -> (queue, worked), for the agents
    whose plan changes (the others keep theirs); None when a class's counts cannot be dealt
    with every member's weekly hours kept."""
    pick = chosen(rm, values)
    block = block_slots(rm.grid.slot_minutes)
    out: dict[int, dict[int, tuple[str, tuple[int, ...]]]] = {}
    for kk, k in enumerate(master.ks):
        weeks = master.weeks[kk]
        left = Counter({ci: lam[(kk, ci)] for ci in range(len(weeks))})
        index = {c: ci for ci, c in enumerate(weeks)}
        week_of: dict[int, int] = {}
        waiting = []
        for a in k.agents:
            ci = index[frozenset(pick.get(a, {}))]
            if left[ci] > 0:
                left[ci] -= 1
                week_of[a] = ci
            else:
                waiting.append(a)
        spare = [ci for ci, n in sorted(left.items()) for _ in range(n)]
        for a, ci in zip(waiting, spare):
            week_of[a] = ci
        # per instance: the members on it take its (queue, worked) counts, own first, hours kept
        m = cp_model.CpModel()
        x: dict[tuple[int, int, str, tuple[int, ...]], cp_model.IntVar] = {}
        keep = []
        per_block: dict[tuple[int, int], list] = defaultdict(list)
        for i in sorted(set().union(*weeks)) if weeks else []:
            on = [a for a in k.agents if i in weeks[week_of[a]]]
            wanted = [(q, w, z[(kk, i, q, w)]) for q, w in k.opts[i] if z[(kk, i, q, w)] > 0]
            for a in on:
                xs = []
                for q, w, _n in wanted:
                    v = m.new_bool_var("")
                    x[(a, i, q, w)] = v
                    xs.append(v)
                    mine = pick.get(a, {}).get(i)
                    if mine is not None and mine.queue == q and mine.worked == w:
                        keep.append(v)
                    for b, n_b in Counter(t // block for t in w).items():
                        per_block[(a, b)].append(n_b * v)
                m.add_exactly_one(xs)
            for q, w, n in wanted:
                m.add(sum(x[(a, i, q, w)] for a in on) == n)
        first = rm.history.first_block_slots  # the previous roster's hours in block 0 (tied agents)
        for (a, b), terms in per_block.items():
            m.add(sum(terms) <= k.cap - (first.get(rm.agents[a].employee_id, 0) if b == 0 else 0))
        m.maximize(sum(keep))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1
        st = solver.solve(m)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        for (a, i, q, w), v in x.items():
            if solver.value(v):
                out.setdefault(a, {})[i] = (q, w)
        for a in k.agents:
            out.setdefault(a, {})
    # only the agents whose plan changed
    changed = {}
    for a, plan in out.items():
        old = {i: (o.queue, o.worked) for i, o in pick.get(a, {}).items()}
        if plan != old:
            changed[a] = plan
    return changed


def apply(rm: RosterModel, parts, values: np.ndarray,
          plan: dict[int, dict[int, tuple[str, tuple[int, ...]]]]) -> np.ndarray | None:
    """`values` with the agents of `plan` working their new plans (their shift options set, the
    helpers recomputed); None unless every constraint of the model holds."""
    by_agent: dict[int, list[Option]] = defaultdict(list)
    for o in rm.options:
        if o.agent in plan:
            by_agent[o.agent].append(o)
    new = np.array(values, dtype=np.int64)
    touched = []
    for a, p in plan.items():
        for o in by_agent[a]:
            want = int(p.get(o.inst) == (o.queue, o.worked))
            if new[o.var.index] != want:
                new[o.var.index] = want
                touched.append(o.var.index)
    if not touched:
        return None
    changed = np.array(touched, dtype=np.int64)
    merged, moved = parts.recompute_helpers(new, changed, np.asarray(values, dtype=np.int64))
    if parts.violations(merged, near=moved):
        return None
    return merged


def _service(rm: RosterModel, values) -> tuple[int, int]:
    """(overflow, shortage) of a roster in the model's raw units."""
    got = {t.id: t.value(values) for t in rm.tiers}
    return got.get(TierId.OVERFLOW, 0), got.get(TierId.SHORTAGE, 0)


@dataclass
class Outcome:
    """What one re-deal did: the master's value (raw), the agents whose plan changed, CPU seconds."""

    before: tuple[int, int]
    master: int | None = None
    after: tuple[int, int] | None = None
    changed: int = 0
    cpu: float = 0.0
    status: str = ""


def improve(rm: RosterModel, parts, values, seconds: float, workers: int = 1, seed: int = 0,
            lns_only: bool = False) -> tuple[np.ndarray | None, Outcome]:
    """Re-deal the roster `values` (a legal roster of `rm`): the new roster when the master found
    a point and its complete roster keeps every constraint with overflow not higher and
    shortage lower (the model's own tier values), else None."""
    t0 = time.process_time()
    values = np.asarray(values, dtype=np.int64)
    out = Outcome(_service(rm, values))
    if rm.frozen or rm.published is not None:
        out.status = "not for repairs"  # a repair's fixed past and change tiers: not modelled here
        return None, out
    master = build(rm, values)
    solver, st = solve_master(master, seconds, workers, seed, lns_only)
    out.status = solver.status_name(st)
    new = None
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) and round(solver.objective_value) < master.hint_short:
        out.master = round(solver.objective_value)
        lam = {key: solver.value(v) for key, v in master.lam.items()}
        z = {key: solver.value(v) for key, v in master.z.items()}
        plan = deal(rm, master, lam, z, values)
        if plan:
            out.changed = len(plan)
            merged = apply(rm, parts, values, plan)
            if merged is not None:
                out.after = _service(rm, merged)
                if out.after[0] <= out.before[0] and out.after[1] < out.before[1]:
                    new = merged
    out.cpu = time.process_time() - t0
    return new, out
