"""The CP-SAT model of a roster (SPEC sections 3 and 4).

Decision: for every agent, shift instance, queue and maximal work/break pattern (see
`scheduler.patterns`) one boolean `Option.var`: the agent works that instance on that queue
with that pattern. Rules that only remove choices (kinds, night_ok, absences, skills, moves,
run lengths) shape the set of options; the rest are constraints, one function each, listed in
`HARD_RULES` in SPEC order. The objective's tiers (SPEC 4) are linear expressions in
`RosterModel.tiers`, solved lexicographically by `scheduler.solve`.

Integer scaling: efficiencies are counted in hundredths of an agent, so staffing, shortage
and overflow are exact to 0.01 agent (0.01 customer for overflow).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from scheduler.grid import Grid, ShiftInstance
from scheduler.exactness import short_patterns
from scheduler.patterns import Pattern, is_legal, maximal_patterns
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Agent, Scenario

SCALE = 100  # hundredths of an agent
LinearExpr = cp_model.LinearExpr


@dataclass
class Option:
    """One way an agent can work one shift instance."""

    agent: int
    inst: int
    queue: str
    worked: tuple[int, ...]          # absolute slot indices worked
    on_shift: range                  # slots between the first and last worked slot (lead rule)
    var: cp_model.IntVar
    fixed: Assignment | None = None  # a frozen assignment from the published past (repair)


def set_hint(m: cp_model.CpModel, values: list[int]) -> None:
    """Make `values` (one per variable of `m`, a whole roster) the model's only solution hint."""
    m.clear_hints()
    m.proto.solution_hint.vars.extend(range(len(values)))
    m.proto.solution_hint.values.extend(values)


@dataclass
class Tier:
    """One objective tier: minimise sum(coeffs * items); user value = raw * `to_user`.
    An item is a model variable or a constant (a change that cannot be avoided)."""

    name: str
    unit: str
    items: list
    coeffs: list[int]
    to_user: float
    upper: int | None = None  # the largest raw value the tier can take (None: the number of 0/1 terms)
    where: list[tuple[int, str]] | None = None  # (slot, queue) of each item, for per-slot tiers (LNS aims there)

    def __post_init__(self) -> None:
        self.terms = len(self.items)
        if self.upper is None:
            self.upper = sum(abs(c) for c in self.coeffs)
        pairs = [(x, c) for x, c in zip(self.items, self.coeffs) if not isinstance(x, int)]
        self.constant = sum(x * c for x, c in zip(self.items, self.coeffs) if isinstance(x, int))
        self.expr = LinearExpr.weighted_sum([x for x, _ in pairs], [c for _, c in pairs]) + self.constant
        self._index = [(x.index, c) for x, c in pairs]

    def value(self, values) -> int:
        """The tier's raw value for a full assignment `values[var.index]`."""
        return self.constant + sum(c * values[i] for i, c in self._index)


@dataclass
class RosterModel:
    scenario: Scenario
    grid: Grid
    frozen: list[Assignment] = field(default_factory=list)   # published assignments kept as they are
    free_from: dt.datetime | None = None                     # instances starting before this are not re-decided
    free_until: dt.datetime | None = None                    # ... nor those starting at or after this
    free_agents: set[str] | None = None                      # only these agents are re-decided (None: all)
    published: Roster | None = None                          # for the repair's change-counting tiers

    def __post_init__(self) -> None:
        self.m = cp_model.CpModel()
        self.agents: list[Agent] = list(self.scenario.agents)
        self.rules = self.scenario.config.rules
        self.instances: list[ShiftInstance] = self.grid.instances
        self.inst_by_key = {(i.code, i.date): i for i in self.instances}
        self.options: list[Option] = []
        self.by_agent_inst: dict[tuple[int, int], list[Option]] = defaultdict(list)
        self.notes: list[str] = []
        self.unusable: list[str] = []  # instances with no legal pattern
        self.on: dict[tuple[int, int], cp_model.IntVar] = {}
        self.tiers: list[Tier] = []
        # how each auxiliary variable follows from the shift options, in creation order
        self.derived: list[tuple[cp_model.IntVar, Callable[[dict[int, int]], int]]] = []
        self.depends: list[list[int]] = []  # per derived variable: the variables it follows from
        self.linear: list[list[int] | None] = []  # per derived variable: its coefficients, when a weighted sum
        self._build_options()
        for a, i, q, worked in short_patterns(self):  # part-time agents: shorter days where the weekly cap binds
            var = self.m.new_bool_var(f"y_{a}_{i}_{q}_{worked[0]}_{len(worked)}s")
            opt = Option(a, i, q, worked, self.instances[i].slots, var)
            self.options.append(opt)
            self.by_agent_inst[(a, i)].append(opt)
        self._link_on()
        for rule in HARD_RULES:
            rule(self)
        for term in OBJECTIVE_TIERS:
            term(self)

    # ------------------------------------------------------------------ options (domains)

    def _slots(self, minutes: float) -> int:
        return int(math.floor(minutes / self.grid.slot_minutes + 1e-9))

    def _patterns(self, inst: ShiftInstance) -> list[Pattern]:
        key = (inst.first_slot, inst.n_slots)
        if key not in self._pattern_cache:
            hl = [self.grid.high_load[t] for t in inst.slots]
            ps = maximal_patterns(hl, self._slots(self.rules.max_continuous_hours * 60),
                                  self._slots(self.rules.max_continuous_high_load_hours * 60))
            if not ps:
                self.unusable.append(f"{inst.code} on {inst.date}: no break pattern satisfies the run rules")
            self._pattern_cache[key] = ps
        return self._pattern_cache[key]

    def is_free(self, employee_id: str, inst: ShiftInstance) -> bool:
        """Is this agent's assignment to this instance decided by the solve (not kept)?"""
        if self.free_from is not None and inst.start < self.free_from:
            return False
        if self.free_until is not None and inst.start >= self.free_until:
            return False
        return self.free_agents is None or employee_id in self.free_agents

    def allowed_queues(self, agent: Agent, inst: ShiftInstance) -> list[str]:
        """Rule 5 (mandatory moves) and skills: the queues the agent may serve in this instance."""
        for mv in self.scenario.config.moves:
            if agent.home_queue == mv.from_queue and inst.date in mv.dates:
                return [mv.to_queue]
        return list(dict.fromkeys(agent.skills))

    def instance_allowed(self, agent: Agent, inst: ShiftInstance) -> bool:
        """Rule 1: shift kinds, night_ok and absences (no part of an overlapping shift)."""
        if agent.kind not in inst.kinds or (inst.night and not agent.night_ok):
            return False
        for ab in self._absences[agent.employee_id]:
            if ab.start < inst.end and inst.start < ab.end:
                return False
        return True

    def _build_options(self) -> None:
        self._pattern_cache: dict[tuple[int, int], list[Pattern]] = {}
        self._absences = defaultdict(list)
        for ab in self.scenario.absences:
            self._absences[ab.employee_id].append(ab)
        idx = {a.employee_id: k for k, a in enumerate(self.agents)}
        for fa in self.frozen:
            a, inst = idx[fa.employee_id], self.inst_by_key[(fa.shift, fa.date)]
            worked = self._worked_slots(fa)
            var = self.m.new_bool_var(f"fixed_{a}_{inst.index}")
            self.m.add(var == 1)
            opt = Option(a, inst.index, fa.queue, worked, range(worked[0], worked[-1] + 1), var, fixed=fa)
            self.options.append(opt)
            self.by_agent_inst[(a, inst.index)].append(opt)
        published_choice = self._published_choices(idx)
        for a, agent in enumerate(self.agents):
            for inst in self.instances:
                if not self.is_free(agent.employee_id, inst):
                    continue  # the past, running shifts and kept plans are given by `frozen`
                if not self.instance_allowed(agent, inst):
                    continue
                pats = [tuple(inst.first_slot + k for k, w in enumerate(p) if w) for p in self._patterns(inst)]
                queues = self.allowed_queues(agent, inst)
                pub = published_choice.get((a, inst.index))
                if pub is not None and pub[0] in queues and pub[1] not in pats and self._legal(inst, pub[1]):
                    pats.append(pub[1])  # the published break pattern stays available
                for q in queues:
                    for worked in pats:
                        var = self.m.new_bool_var(f"y_{a}_{inst.index}_{q}_{worked[0]}_{len(worked)}")
                        opt = Option(a, inst.index, q, worked, inst.slots, var)
                        self.options.append(opt)
                        self.by_agent_inst[(a, inst.index)].append(opt)
        if self.rules.min_rest_hours * 60 < self.grid.slot_minutes:
            self.notes.append("min_rest_hours is shorter than a slot: shifts of one agent are kept at least one slot "
                              "apart, so runs never join across two shifts")
        self.notes.append("breaks: each shift uses a maximal work/break pattern (breaks of one or two slots, each one "
                          "needed by the run rules, at most 24 per shift); the LP bound covers every legal pattern; "
                          "hand-edited rosters may use any legal pattern")
        if self.unusable:
            self.notes.extend(sorted(set(self.unusable)))

    def _legal(self, inst: ShiftInstance, worked: tuple[int, ...]) -> bool:
        """Is this set of worked slots a legal pattern of the instance (a hand-edited one, say)?"""
        if any(t not in inst.slots for t in worked):
            return False
        pattern = tuple(t in set(worked) for t in inst.slots)
        return is_legal(pattern, [self.grid.high_load[t] for t in inst.slots],
                        self._slots(self.rules.max_continuous_hours * 60),
                        self._slots(self.rules.max_continuous_high_load_hours * 60))

    def _worked_slots(self, a: Assignment) -> tuple[int, ...]:
        out = []
        for start, end in a.runs:
            out.extend(range(self.grid.slot_of(start), self.grid.slot_of(end - dt.timedelta(seconds=1)) + 1))
        return tuple(out)

    def _published_choices(self, idx: dict[str, int]) -> dict[tuple[int, int], tuple[str, tuple[int, ...]]]:
        if self.published is None:
            return {}
        out = {}
        for pa in self.published.assignments:
            inst = self.inst_by_key.get((pa.shift, pa.date))
            if inst is not None and pa.employee_id in idx:
                out[(idx[pa.employee_id], inst.index)] = (pa.queue, self._worked_slots(pa))
        return out

    def published_options(self) -> list[Option]:
        """The free options that repeat the published roster's choices (repair), else []."""
        if self.published is None:
            return []
        idx = {a.employee_id: k for k, a in enumerate(self.agents)}
        out = []
        for (a, i), (q, worked) in self._published_choices(idx).items():
            out.extend(o for o in self.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q
                       and o.worked == worked)
        return out

    def _link_on(self) -> None:
        """on[a, i] = 1 when agent a works instance i (in any queue, with any pattern)."""
        for key, opts in self.by_agent_inst.items():
            if len(opts) == 1:
                self.on[key] = opts[0].var
            else:
                v = self.m.new_bool_var(f"on_{key[0]}_{key[1]}")
                self.m.add(LinearExpr.sum([o.var for o in opts]) == v)
                ix = [o.var.index for o in opts]
                self.define(v, ix, lambda val, ix=ix: sum(val[i] for i in ix), coeffs=[1] * len(ix))
                self.on[key] = v

    def _agent_instances(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for a, i in self.on:
            out[a].append(i)
        return out

    def _instance_span(self, a: int, i: int) -> tuple[dt.datetime, dt.datetime]:
        """Start and end of agent a's shift in instance i (a frozen shift may have been cut short)."""
        inst = self.instances[i]
        for o in self.by_agent_inst[(a, i)]:
            if o.fixed is not None:
                return o.fixed.start, o.fixed.end
        return inst.start, inst.end

    # ------------------------------------------------------------------ complete hints

    def define(self, var: cp_model.IntVar, deps: list[int], fn: Callable[[dict[int, int]], int],
               coeffs: list[int] | None = None) -> None:
        """Record how `var` is determined by earlier variables (indices `deps`): `fn` computes its
        value (for complete solution hints); `deps` tell LNS which helpers a part must free.
        `coeffs`: the model holds var == sum(coeffs[k] * deps[k]) as an equality, so a change of
        some inputs moves `var` by their weighted change (LNS updates it so, without `fn`)."""
        if coeffs is not None and len(coeffs) != len(deps):
            raise ValueError(f"{var}: {len(coeffs)} coefficients for {len(deps)} inputs")
        self.derived.append((var, fn))
        self.depends.append(list(deps))
        self.linear.append(None if coeffs is None else list(coeffs))

    def complete_hint(self, chosen_options: set[int]) -> dict[int, int]:
        """Values of every variable for the roster made of these option ids (id(Option)):
        the form of hint CP-SAT takes as a first solution without search."""
        val = {o.var.index: int(o.fixed is not None or id(o) in chosen_options) for o in self.options}
        for var, fn in self.derived:
            val[var.index] = fn(val)
        return val

    # ------------------------------------------------------------------ extraction

    def assignment_of(self, o: Option) -> Assignment:
        inst = self.instances[o.inst]
        return Assignment(self.agents[o.agent].employee_id, inst.date, inst.code, o.queue, self.grid.runs_of(o.worked))


# ---------------------------------------------------------------------- hard rules (SPEC 3)
# Rule 1 (kinds, night_ok, absences) and rule 5 (moves) shape the options, see
# `RosterModel.instance_allowed` and `RosterModel.allowed_queues`; rule 3 (run lengths inside a
# shift) shapes the patterns, see `scheduler.patterns`.


def one_shift_per_date(rm: RosterModel) -> None:
    """An agent works at most one shift instance per date (the date the instance starts)."""
    per_date: dict[tuple[int, dt.date], list] = defaultdict(list)
    for (a, i), v in rm.on.items():
        per_date[(a, rm.instances[i].date)].append(v)
    for vs in per_date.values():
        if len(vs) > 1:
            rm.m.add_at_most_one(vs)


def rest_between_shifts(rm: RosterModel) -> None:
    """Rule 2: at least min_rest_hours between the end of one shift and the start of the next
    (overlapping shifts are excluded too; at least one slot apart, so runs never join)."""
    rest = dt.timedelta(minutes=max(rm.rules.min_rest_hours * 60, rm.grid.slot_minutes))
    for a, insts in rm._agent_instances().items():
        spans = sorted((rm._instance_span(a, i), i) for i in insts)
        for x, ((s1, e1), i) in enumerate(spans):
            for (s2, _e2), j in spans[x + 1:]:
                if s2 >= e1 + rest:
                    break
                if rm.instances[i].date != rm.instances[j].date:  # same date: one_shift_per_date
                    rm.m.add_at_most_one([rm.on[(a, i)], rm.on[(a, j)]])


def max_consecutive_days(rm: RosterModel) -> None:
    """Rule 2: at most max_consecutive_days dates in a row with a shift."""
    k = rm.rules.max_consecutive_days
    dates = rm.grid.dates
    if k >= len(dates):
        return
    day_index = {d: n for n, d in enumerate(dates)}
    works: dict[int, list[list]] = defaultdict(lambda: [[] for _ in dates])
    for (a, i), v in rm.on.items():
        works[a][day_index[rm.instances[i].date]].append(v)
    for per_day in works.values():
        for s in range(len(dates) - k):
            window = [v for day in per_day[s:s + k + 1] for v in day]
            if len(window) > k:
                rm.m.add(LinearExpr.sum(window) <= k)


def max_night_shifts(rm: RosterModel) -> None:
    """Rule 2: at most max_night_shifts night shifts per agent over the horizon."""
    nights: dict[int, list] = defaultdict(list)
    for (a, i), v in rm.on.items():
        if rm.instances[i].night:
            nights[a].append(v)
    for vs in nights.values():
        if len(vs) > rm.rules.max_night_shifts:
            rm.m.add(LinearExpr.sum(vs) <= rm.rules.max_night_shifts)


def max_hours_per_week(rm: RosterModel) -> None:
    """Rule 2: worked hours in each 7-day block from `start` <= the agent's max_hours_week.
    Hours are counted where they are worked: a night shift across a block boundary is split."""
    block_slots = 7 * 24 * 60 // rm.grid.slot_minutes
    per: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
    for o in rm.options:
        counts: dict[int, int] = defaultdict(int)
        for t in o.worked:
            counts[t // block_slots] += 1
        for b, c in counts.items():
            vs, cs = per[(o.agent, b)]
            vs.append(o.var)
            cs.append(c)
    for (a, _b), (vs, cs) in per.items():
        hours = rm.agents[a].max_hours_week or rm.rules.max_hours_week
        cap = rm._slots(hours * 60)
        if sum(cs) > cap:
            rm.m.add(LinearExpr.weighted_sum(vs, cs) <= cap)


def leads_on_duty(rm: RosterModel) -> None:
    """Rule 4: in every slot in which at least one agent works, at least min_leads_on_duty leads
    are on shift (working or on a break inside their shift). Every efficiency is > 0, so a slot
    has someone working exactly when its staffed sum over queues is > 0."""
    need = rm.rules.min_leads_on_duty
    if need <= 0:
        return
    leads: dict[int, list] = defaultdict(list)
    for o in rm.options:
        if rm.agents[o.agent].is_lead:
            for t in o.on_shift:
                leads[t].append(o.var)
    cov = _coverage_terms(rm)
    for t in range(rm.grid.n_slots):
        queues = [q for q in rm.scenario.config.queue_ids if (t, q) in cov]
        if not queues:
            continue
        work = [staffed(rm, t, q) for q in queues]
        ub = sum(sum(cov[(t, q)][1]) for q in queues)
        if len(leads[t]) < need:
            # too few leads could ever be on shift here: nobody may work this slot
            for w in work:
                rm.m.add(w == 0)
            continue
        anyone = rm.m.new_bool_var(f"anyone_{t}")
        ix = [w.index for w in work]
        rm.define(anyone, ix, lambda val, ix=ix: int(any(val[i] > 0 for i in ix)))
        rm.m.add(LinearExpr.sum(work) <= ub * anyone)
        rm.m.add(LinearExpr.sum(leads[t]) >= need * anyone)


HARD_RULES = [one_shift_per_date, rest_between_shifts, max_consecutive_days, max_night_shifts,
              max_hours_per_week, leads_on_duty]


# ---------------------------------------------------------------------- objective tiers (SPEC 4)


def _coverage_terms(rm: RosterModel) -> dict[tuple[int, str], tuple[list, list]]:
    """(slot, queue) -> (option vars, efficiency in hundredths) of agents working it."""
    if hasattr(rm, "_cov"):
        return rm._cov
    cov: dict[tuple[int, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    eff = [round(a.efficiency * SCALE) for a in rm.agents]
    for o in rm.options:
        for t in o.worked:
            vs, cs = cov[(t, o.queue)]
            vs.append(o.var)
            cs.append(eff[o.agent])
    rm._cov = cov
    return cov


def staffed(rm: RosterModel, t: int, q: str):
    """staffed[t, q] in hundredths of an agent: one integer variable per slot and queue, defined
    once, so overflow, shortage and the lead rule do not repeat the long sum."""
    if not hasattr(rm, "_staffed"):
        rm._staffed = {}
    key = (t, q)
    if key not in rm._staffed:
        vs, cs = _coverage_terms(rm).get(key, ([], []))
        if not vs:
            rm._staffed[key] = 0
        else:
            v = rm.m.new_int_var(0, sum(cs), f"staffed_{t}_{q}")
            rm.m.add(v == LinearExpr.weighted_sum(vs, cs))
            ix = [x.index for x in vs]
            rm.define(v, ix, lambda val, ix=ix, cs=cs: sum(c * val[i] for i, c in zip(ix, cs)), coeffs=cs)
            rm._staffed[key] = v
    return rm._staffed[key]


def overflow(rm: RosterModel) -> None:
    """Tier 1: concurrent customers above reroute_concurrency per effective agent, in
    customer-hours: sum over slots and queues of max(0, rate*session/60 - R*staffed) * slot."""
    cov = _coverage_terms(rm)
    R = rm.rules.reroute_concurrency
    vs_all, where, total_load = [], [], 0
    for q in rm.scenario.config.queues:
        rate = rm.grid.contacts_per_hour[q.id]
        for t in range(rm.grid.n_slots):
            load = round(rate[t] * q.session_minutes / 60 * SCALE)
            if load <= 0:
                continue
            over = rm.m.new_int_var(0, load, f"over_{t}_{q.id}")
            st = staffed(rm, t, q.id)
            if isinstance(st, int):
                rm.m.add(over == load)
                rm.define(over, [], lambda val, load=load: load)
            elif float(R).is_integer():
                rm.m.add(over + int(R) * st >= load)
                rm.define(over, [st.index], lambda val, load=load, i=st.index, r=int(R): max(0, load - r * val[i]))
            else:  # a fractional threshold: keep the exact coefficients per agent
                vs, cs = cov[(t, q.id)]
                rcs = [round(R * c) for c in cs]
                rm.m.add(over + LinearExpr.weighted_sum(vs, rcs) >= load)
                ix = [x.index for x in vs]
                rm.define(over, ix, lambda val, load=load, ix=ix, rcs=rcs:
                          max(0, load - sum(c * val[i] for i, c in zip(ix, rcs))))
            vs_all.append(over)
            where.append((t, q.id))
            total_load += load
    rm.tiers.append(Tier("overflow", "customer-hours", vs_all, [1] * len(vs_all), rm.grid.delta_hours / SCALE,
                         upper=total_load, where=where))


def shortage(rm: RosterModel) -> None:
    """Tier 2: agents missing against the staffing norm, in agent-hours: sum of
    max(0, rate/contacts_per_agent_hour - staffed) * slot."""
    vs_all, where, total_req = [], [], 0
    for q in rm.scenario.config.queues:
        rate = rm.grid.contacts_per_hour[q.id]
        for t in range(rm.grid.n_slots):
            req = round(rate[t] / q.contacts_per_agent_hour * SCALE)
            if req <= 0:
                continue
            short = rm.m.new_int_var(0, req, f"short_{t}_{q.id}")
            st = staffed(rm, t, q.id)
            rm.m.add(short + st >= req)
            if isinstance(st, int):
                rm.define(short, [], lambda val, req=req: req)
            else:
                rm.define(short, [st.index], lambda val, req=req, i=st.index: max(0, req - val[i]))
            vs_all.append(short)
            where.append((t, q.id))
            total_req += req
    rm.tiers.append(Tier("shortage", "agent-hours", vs_all, [1] * len(vs_all), rm.grid.delta_hours / SCALE,
                         upper=total_req, where=where))


def plan_changes(rm: RosterModel) -> None:
    """Tier 5 (repair only, ranked right after shortage): agents whose plan changed, then
    shift instances whose assignment (queue, breaks, or on/off) changed."""
    if rm.published is None:
        return
    idx = {a.employee_id: k for k, a in enumerate(rm.agents)}
    pub = rm._published_choices(idx)
    changed_shift: dict[int, list] = defaultdict(list)
    keys = set(rm.on) | set(pub)
    for a, i in sorted(keys):
        if not rm.is_free(rm.agents[a].employee_id, rm.instances[i]):
            continue  # kept as published (or cut short by an absence): reported, not optimised
        opts = rm.by_agent_inst.get((a, i), [])
        if (a, i) in pub:
            q, worked = pub[(a, i)]
            same = [o.var for o in opts if o.queue == q and o.worked == worked]
            if not same:
                changed_shift[a].append(1)
                continue
            chg = rm.m.new_bool_var(f"chg_{a}_{i}")
            rm.m.add(chg + same[0] == 1)
            rm.define(chg, [same[0].index], lambda val, k=same[0].index: 1 - val[k])
            changed_shift[a].append(chg)
        elif (a, i) in rm.on:
            changed_shift[a].append(rm.on[(a, i)])
    agent_terms, shift_terms = [], []
    for a, cs in changed_shift.items():
        shift_terms.extend(cs)
        if any(isinstance(c, int) for c in cs):
            agent_terms.append(1)
            continue
        ch = rm.m.new_bool_var(f"changed_{a}")
        for c in cs:
            rm.m.add_implication(c, ch)
        ix = [c.index for c in cs]
        rm.define(ch, ix, lambda val, ix=ix: int(any(val[i] for i in ix)))
        agent_terms.append(ch)
    rm.tiers.append(Tier("changed agents", "agents", agent_terms, [1] * len(agent_terms), 1.0))
    rm.tiers.append(Tier("changed shifts", "shifts", shift_terms, [1] * len(shift_terms), 1.0))


def flex_hours(rm: RosterModel) -> None:
    """Tier 3a: hours worked by flex (temporary / support) staff, who cost extra."""
    vs, cs = [], []
    for o in rm.options:
        if rm.agents[o.agent].kind == "flex" and o.fixed is None:
            vs.append(o.var)
            cs.append(len(o.worked))
    rm.tiers.append(Tier("flex hours", "hours", vs, cs, rm.grid.delta_hours))


def regular_hours(rm: RosterModel) -> None:
    """Tier 3b: regular hours that buy no service. With service fixed by the tiers above, the
    surplus sum(max(0, staffed - required)) differs from the efficiency-weighted regular hours
    only by constants, so the tier minimises the latter (in agent-hours of efficiency 1)."""
    vs, cs = [], []
    for o in rm.options:
        ag = rm.agents[o.agent]
        if ag.kind == "regular" and o.fixed is None:
            vs.append(o.var)
            cs.append(len(o.worked) * round(ag.efficiency * SCALE))
    rm.tiers.append(Tier("regular hours", "agent-hours", vs, cs,
                         rm.grid.delta_hours / SCALE))


def comfort(rm: RosterModel) -> None:
    """Tier 4: nights and weekend shifts spread evenly (max - min over eligible agents, weight 4
    each), backward rotation (next day's shift comes earlier in early -> late -> night, weight 1
    each) and isolated single days off (weight 1 each)."""
    m, terms, weights = rm.m, [], []
    per_agent = rm._agent_instances()
    date_index = {d: n for n, d in enumerate(rm.grid.dates)}

    def spread(name: str, pick) -> None:
        groups = []
        for a, insts in per_agent.items():
            vs = [rm.on[(a, i)] for i in insts if pick(rm.instances[i])]
            if vs:
                groups.append(vs)
        if len(groups) < 2:
            return
        hi = m.new_int_var(0, len(rm.grid.dates), f"{name}_max")
        lo = m.new_int_var(0, len(rm.grid.dates), f"{name}_min")
        for vs in groups:
            m.add(LinearExpr.sum(vs) <= hi)
            m.add(LinearExpr.sum(vs) >= lo)
        ixs = [[v.index for v in vs] for vs in groups]
        every = [i for ix in ixs for i in ix]
        rm.define(hi, every, lambda val: max(sum(val[i] for i in ix) for ix in ixs))
        rm.define(lo, every, lambda val: min(sum(val[i] for i in ix) for ix in ixs))
        terms.extend([hi, lo])
        weights.extend([4, -4])

    spread("nights", lambda i: i.night)
    spread("weekend", lambda i: i.date.weekday() >= 5)

    def rotation(i: ShiftInstance) -> tuple[bool, int]:
        """Place in the forward rotation early -> late -> night: night shifts come last even
        when they start at 00:00."""
        return i.night, i.start.hour * 60 + i.start.minute

    for a, insts in per_agent.items():
        by_day: dict[int, list[int]] = defaultdict(list)
        for i in insts:
            by_day[date_index[rm.instances[i].date]].append(i)
        for d, today in by_day.items():
            for i in today:
                for j in by_day.get(d + 1, []):
                    if rotation(rm.instances[j]) < rotation(rm.instances[i]):
                        b = m.new_bool_var(f"back_{a}_{i}_{j}")
                        m.add(b >= rm.on[(a, i)] + rm.on[(a, j)] - 1)
                        x, y = rm.on[(a, i)].index, rm.on[(a, j)].index
                        rm.define(b, [x, y], lambda val, x=x, y=y: val[x] * val[y])
                        terms.append(b)
                        weights.append(1)
        day_vars = {d: [rm.on[(a, i)] for i in today] for d, today in by_day.items()}
        for d in range(1, len(rm.grid.dates) - 1):
            if d - 1 in day_vars and d + 1 in day_vars:
                iso = m.new_bool_var(f"iso_{a}_{d}")
                m.add(iso >= LinearExpr.sum(day_vars[d - 1]) + LinearExpr.sum(day_vars[d + 1])
                      - LinearExpr.sum(day_vars.get(d, [])) - 1)
                ix = [[v.index for v in day_vars.get(k, [])] for k in (d - 1, d, d + 1)]
                rm.define(iso, [i for part in ix for i in part],
                          lambda val, ix=ix: max(0, sum(val[i] for i in ix[0]) + sum(val[i] for i in ix[2])
                                                 - sum(val[i] for i in ix[1]) - 1))
                terms.append(iso)
                weights.append(1)
    # the largest value: each spread's max (an int in [0, days]) counts 4 x days at most, its
    # min only lowers it; the other terms are 0/1
    n_days = len(rm.grid.dates)
    upper = sum(4 * n_days if w == 4 else 0 if w == -4 else abs(w) for w in weights)
    rm.tiers.append(Tier("comfort", "points", terms, weights, 1.0, upper=upper))


OBJECTIVE_TIERS = [overflow, shortage, plan_changes, flex_hours, regular_hours, comfort]
