"""The CP-SAT model of a roster (SPEC sections 3 and 4).

Decision: for every agent, shift instance, queue and maximal work/break pattern (see
`scheduler.patterns`) one boolean `Option.var`: the agent works that instance on that queue
with that pattern. Rules that only remove choices (kinds, night_ok, absences, skills, moves:
`scheduler.eligibility`; run lengths: `scheduler.rules.run_lengths`) shape the set of options;
the others add constraints. Each hard rule is one object of `scheduler.rules.HARD_RULES`, in
SPEC order; the objective's tiers (SPEC 4, `scheduler.objective`) are linear expressions in
`RosterModel.tiers`, solved lexicographically by `scheduler.solve`.

Integer scaling: efficiencies are counted in hundredths of an agent, so staffing, shortage
and overflow are exact to 0.01 agent (0.01 customer for overflow).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from itertools import chain
from operator import mul
from typing import Any

import numpy as np
from ortools.sat.python import cp_model
from ortools.util.python.sorted_interval_list import Domain

from scheduler.eligibility import Eligibility
from scheduler.exactness import short_patterns
from scheduler.grid import Grid, ShiftInstance
from scheduler.history import history_of, locks_by_agent_date
from scheduler.objective import OBJECTIVE_TIERS, REPAIR_TIER_ORDER, SCALE, Tier, TierId
from scheduler.parts import Parts, ReadableModel, check_readable
from scheduler.patterns import Pattern
from scheduler.roster import Assignment, Roster
from scheduler.rules import HARD_RULES, Rule, run_lengths
from scheduler.rules.locks import lock_allows, lock_queues
from scheduler.scenario import Agent, Scenario

__all__ = ["Option", "RosterModel", "Tier", "TierId", "SCALE", "set_hint"]
LinearExpr = cp_model.LinearExpr
GROUPED_FROM = 8_000_000  # (option, worked slot) terms: above this, staffing sums groups (`coverage_groups`)


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


_BOOL = Domain(0, 1)


def new_bool_var(m: cp_model.CpModel, name: str) -> cp_model.IntVar:
    """`m.new_bool_var(name)` with one domain object for all (a fifth faster: 0.1 s of 130k options)."""
    return cp_model.IntVar(m.proto).with_name(name).with_domain(_BOOL)


def add_sum_equality(m: cp_model.CpModel, v: cp_model.IntVar, ix: list[int], coeffs: list[int],
                     checked: bool = False) -> bool:
    """Add v == sum(coeffs[k] * variable ix[k]) straight into the proto, in the form CP-SAT's
    `m.add(v == LinearExpr.weighted_sum(...))` gives it (terms by index, v's coefficient 1),
    without making an expression object per term (long sums: staffing). Only when that form is
    plain: indices increasing and below v's, coefficients positive; otherwise adds nothing and
    returns False. `checked`: the caller knows the terms are increasing, coefficients positive."""
    if not ix or ix[-1] >= v.index:
        return False
    if not checked and not (all(c > 0 for c in coeffs) and all(a < b for a, b in zip(ix, ix[1:]))):
        return False
    lin = m.proto.constraints.add().linear
    lin.vars.extend(ix)
    lin.vars.append(v.index)
    lin.coeffs.extend([-c for c in coeffs])
    lin.coeffs.append(1)
    lin.domain.extend([0, 0])
    return True


def set_hint(m: cp_model.CpModel, values: list[int]) -> None:
    """Make `values` (one per variable of `m`, a whole roster) the model's only solution hint."""
    m.clear_hints()
    m.proto.solution_hint.vars.extend(range(len(values)))
    m.proto.solution_hint.values.extend(values)


@dataclass
class RosterModel:
    scenario: Scenario
    grid: Grid
    frozen: list[Assignment] = field(default_factory=list)   # published assignments kept as they are
    free_from: dt.datetime | None = None                     # instances starting before this are not re-decided
    free_until: dt.datetime | None = None                    # ... nor those starting at or after this
    free_agents: set[str] | None = None                      # only these agents are re-decided (None: all)
    published: Roster | None = None                          # for the repair's change-counting tiers
    hard_rules: Sequence[Rule] | None = None                 # None: HARD_RULES (SPEC 3)
    extra_rules: Sequence[Rule] = ()                         # added after them (tests, experiments)
    objective: Sequence[Callable[[RosterModel], None]] | None = None  # None: OBJECTIVE_TIERS (SPEC 4)
    # repair (SPEC 6): the published roster's own overflow and shortage per (slot, queue), raw
    # units, under the demand it was published for; loss is counted only above them
    baseline: dict[tuple[int, str], tuple[int, int]] | None = None
    called_off: set[str] = field(default_factory=set)        # agents absent from the repair's moment
    max_calls: int | None = None                             # --max-calls: cap on changed agents
    # patterns priced for this scenario without locks (`exactness.short_patterns`): reused, not priced again
    priced: list[tuple[int, int, str, tuple[int, ...]]] | None = None
    # build only what the first roster needs: `finish` adds the rest (pricing, the later tiers)
    defer: bool = False

    def __post_init__(self) -> None:
        self.m: cp_model.CpModel = ReadableModel()
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
        # (slot, queue) -> (overflow / shortage variable, its largest value), raw units
        self.over_vars: dict[tuple[int, str], tuple[cp_model.IntVar, int]] = {}
        self.short_vars: dict[tuple[int, str], tuple[cp_model.IntVar, int]] = {}
        # how each auxiliary variable follows from the shift options, in creation order
        self.derived: list[tuple[cp_model.IntVar, Callable[..., int]]] = []
        self.depends: list[list[int]] = []  # per derived variable: the variables it follows from
        self.linear: list[list[int] | None] = []  # per derived variable: its coefficients, when a weighted sum
        self.eligibility = Eligibility(self.scenario)
        # rule 6: the previous roster's shifts (--previous) and the locks, read once for every rule
        self.history = history_of(self.scenario, self.grid.start, self.grid.n_slots, self.grid.slot_minutes)
        self.locks = locks_by_agent_date(self.scenario)
        self.why_infeasible: list[str] = []  # known causes, should CP-SAT find no roster
        self.parts: Parts | None = None  # the constraints read for LNS (`scheduler.lns.parts_of`), once
        self._cov: dict[tuple[int, str], tuple[list, list]] | None = None
        self._cov_index: dict[tuple[int, str], tuple[list[int], list[int], int]] | None = None
        self._option_index: list[int] = []  # each option's variable index (complete_hint), once built
        self._cov_plain = False  # every (slot, queue) of the index in add_sum_equality's plain form
        self._groups: dict[tuple[int, str], tuple[list, list, int]] | None = None
        # group helper (variable index) -> the constraint that defines it (`coverage_groups`):
        # LNS parts sum its free members in its place (`Parts.build`)
        self.group_defs: dict[int, int] = {}
        self._runs_slots: dict[tuple, tuple[int, ...]] = {}  # an assignment's runs -> its worked slots
        self._published_choices: dict[tuple[int, int], tuple[str, tuple[int, ...]]] | None = None
        self._staffed: dict[tuple[int, str], Any] = {}
        self.rule_list: list[Rule] = list(HARD_RULES if self.hard_rules is None else self.hard_rules)
        self.rule_list += list(self.extra_rules)
        self._build_options()
        # a deferred build prices after the first roster (`finish`): the LP takes a second on 400 x 14
        self._priced_note_at = len(self.notes)  # where pricing's note stands among the notes
        self._pricing_left = self.defer and self.published is None and self.priced is None
        if not self._pricing_left:
            self._add_priced(short_patterns(self))
        # staffing summed over groups of options only where the sum over every option would be
        # this long: the same rosters either way, but on smaller models the per-option sums give
        # CP-SAT and LNS better parts (benchmarks/README.md, issue 15)
        self.grouped = sum(len(o.worked) for o in self.options) > GROUPED_FROM
        self._link_on()
        for rule in self.rule_list:
            rule.add(self)
        terms = list(OBJECTIVE_TIERS if self.objective is None else self.objective)
        self._terms_left: list[Callable[[RosterModel], None]] = []
        for k, term in enumerate(terms):
            if self._pricing_left and any(t.terms > 0 for t in self.tiers):
                self._terms_left = terms[k:]  # the first roster is valued in the first tier alone
                break
            term(self)
        if not self.deferred:
            self._close()

    @property
    def deferred(self) -> bool:
        """Is part of the model left for `finish` (a `defer` build)?"""
        return self._pricing_left or bool(self._terms_left)

    def finish(self) -> RosterModel:
        """Add what a `defer` build left out, as a whole build adds it: the patterns pricing adds
        and the later tiers. Returns the finished model: this one, or, when pricing added
        patterns (options come before every constraint), one built whole with them, the same
        as a build without `defer` gives."""
        if not self.deferred:
            return self
        if self._pricing_left:
            self._pricing_left = False
            n = len(self.notes)
            added = short_patterns(self)
            notes = self.notes[n:]
            del self.notes[n:]
            self.notes[self._priced_note_at:self._priced_note_at] = notes  # where a whole build writes them
            if added:
                return self._rebuilt(added, notes)
        terms, self._terms_left = self._terms_left, []
        for term in terms:
            term(self)
        self._close()
        return self

    def _rebuilt(self, added: list[tuple[int, int, str, tuple[int, ...]]], notes: list[str]) -> RosterModel:
        """This model built whole with the patterns pricing `added`, its notes and its LP."""
        whole = RosterModel(**{f.name: getattr(self, f.name) for f in fields(self)} | {"defer": False,
                                                                                       "priced": added})
        whole.priced = None  # priced for this model, not reused from another (as a whole build)
        whole.notes[whole._priced_note_at:whole._priced_note_at] = notes
        for name in ("bound_lp", "priced_all"):
            if hasattr(self, name):
                setattr(whole, name, getattr(self, name))
        return whole

    def _add_priced(self, priced: list[tuple[int, int, str, tuple[int, ...]]]) -> None:
        """Options for the patterns pricing added (part-time agents: shorter days where the
        weekly cap binds)."""
        for a, i, q, worked in priced:
            var = self.m.new_bool_var(f"y_{a}_{i}_{q}_{worked[0]}_{len(worked)}s")
            opt = Option(a, i, q, worked, self.instances[i].slots, var)
            self.options.append(opt)
            self.by_agent_inst[(a, i)].append(opt)

    def _close(self) -> None:
        if self.published is not None:
            rank = {tier: k for k, tier in enumerate(REPAIR_TIER_ORDER)}
            self.tiers.sort(key=lambda t: rank.get(t.id, len(rank)))
        check_readable(self)  # LNS must be able to read every rule's constraints

    # ------------------------------------------------------------------ options (domains)

    def slots(self, minutes: float) -> int:
        """Whole slots in `minutes`."""
        return int(math.floor(minutes / self.grid.slot_minutes + 1e-9))

    def _patterns(self, inst: ShiftInstance) -> list[Pattern]:
        key = (inst.first_slot, inst.n_slots)
        if key not in self._pattern_cache:
            ps = run_lengths.patterns(self.grid, self.rules, inst)
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

    def _build_options(self) -> None:
        self._pattern_cache: dict[tuple[int, int], list[Pattern]] = {}
        idx = {a.employee_id: k for k, a in enumerate(self.agents)}
        for fa in self.frozen:
            a, inst = idx[fa.employee_id], self.inst_by_key[(fa.shift, fa.date)]
            worked = self._worked_slots(fa)
            var = self.m.new_bool_var(f"fixed_{a}_{inst.index}")
            self.m.add(var == 1)
            opt = Option(a, inst.index, fa.queue, worked, range(worked[0], worked[-1] + 1), var, fixed=fa)
            self.options.append(opt)
            self.by_agent_inst[(a, inst.index)].append(opt)
        published_choice = self.published_choices()
        # each instance's worked-slot tuples, made once and shared by every agent's options (one
        # tuple per agent would hold ~1 kB per option at 15-minute slots)
        worked_of: dict[int, list[tuple[int, ...]]] = {}
        for a, agent in enumerate(self.agents):
            for inst in self.instances:
                if not self.is_free(agent.employee_id, inst):
                    continue  # the past, running shifts and kept plans are given by `frozen`
                if not self.eligibility.allowed(agent, inst) or not lock_allows(self, agent, inst):
                    continue
                if inst.index not in worked_of:
                    worked_of[inst.index] = [tuple(inst.first_slot + k for k, w in enumerate(p) if w)
                                             for p in self._patterns(inst)]
                pats = worked_of[inst.index]
                queues = lock_queues(self, agent, inst, self.eligibility.queues(agent, inst.date))
                pub = published_choice.get((a, inst.index))
                if (pub is not None and pub[0] in queues and pub[1] not in pats
                        and run_lengths.legal(self.grid, self.rules, inst, pub[1])):
                    pats = [*pats, pub[1]]  # the published break pattern stays available
                on_shift = inst.slots  # a new range at each call: one per agent and instance
                for q in queues:
                    for worked in pats:
                        var = new_bool_var(self.m, f"y_{a}_{inst.index}_{q}_{worked[0]}_{len(worked)}")
                        opt = Option(a, inst.index, q, worked, on_shift, var)
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

    def _worked_slots(self, a: Assignment) -> tuple[int, ...]:
        cache = self._runs_slots  # a roster repeats the same runs many times
        out = cache.get(a.runs)
        if out is None:
            slots: list[int] = []
            for start, end in a.runs:
                slots.extend(range(self.grid.slot_of(start), self.grid.slot_of(end - dt.timedelta(seconds=1)) + 1))
            out = cache[a.runs] = tuple(slots)
        return out

    def published_choices(self) -> dict[tuple[int, int], tuple[str, tuple[int, ...]]]:
        """(agent, instance) -> (queue, worked slots) of the published roster (repair), else {}."""
        if self.published is None:
            return {}
        if self._published_choices is not None:
            return self._published_choices
        idx = {a.employee_id: k for k, a in enumerate(self.agents)}
        out: dict[tuple[int, int], tuple[str, tuple[int, ...]]] = {}
        self._published_choices = out
        for pa in self.published.assignments:
            inst = self.inst_by_key.get((pa.shift, pa.date))
            if inst is not None and pa.employee_id in idx:
                out[(idx[pa.employee_id], inst.index)] = (pa.queue, self._worked_slots(pa))
        return out

    def published_options(self) -> list[Option]:
        """The free options that repeat the published roster's choices (repair), else []."""
        if self.published is None:
            return []
        out: list[Option] = []
        for (a, i), (q, worked) in self.published_choices().items():
            out.extend(o for o in self.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q
                       and o.worked == worked)
        return out

    def _link_on(self) -> None:
        """on[a, i] = 1 when agent a works instance i (in any queue, with any pattern)."""
        for key, opts in self.by_agent_inst.items():
            if len(opts) == 1:
                self.on[key] = opts[0].var
            else:
                v = new_bool_var(self.m, f"on_{key[0]}_{key[1]}")
                self.m.add(LinearExpr.sum([o.var for o in opts]) == v)  # short sums: CP-SAT's own add is as fast
                ix = [o.var.index for o in opts]
                self.define(v, ix, lambda val, ix=ix: sum(map(val.__getitem__, ix)), coeffs=[1] * len(ix))
                self.on[key] = v

    def agent_instances(self) -> dict[int, list[int]]:
        """Agent -> the instances they may work (in any queue, with any pattern)."""
        out: dict[int, list[int]] = defaultdict(list)
        for a, i in self.on:
            out[a].append(i)
        return out

    def instance_span(self, a: int, i: int) -> tuple[dt.datetime, dt.datetime]:
        """Start and end of agent a's shift in instance i (a frozen shift may have been cut short)."""
        inst = self.instances[i]
        for o in self.by_agent_inst[(a, i)]:
            if o.fixed is not None:
                return o.fixed.start, o.fixed.end
        return inst.start, inst.end

    def option_span(self, o: Option) -> tuple[dt.datetime, dt.datetime]:
        """Start and end of the shift an option works (a frozen one may have been cut short)."""
        if o.fixed is not None:
            return o.fixed.start, o.fixed.end
        inst = self.instances[o.inst]
        return inst.start, inst.end

    def coverage_terms(self) -> dict[tuple[int, str], tuple[list, list]]:
        """(slot, queue) -> (option vars, efficiency in hundredths) of the agents who may work it."""
        if self._cov is None:
            cov: dict[tuple[int, str], tuple[list, list]] = defaultdict(lambda: ([], []))
            eff = [round(a.efficiency * SCALE) for a in self.agents]
            for o in self.options:
                for t in o.worked:
                    vs, cs = cov[(t, o.queue)]
                    vs.append(o.var)
                    cs.append(eff[o.agent])
            self._cov = cov
        return self._cov

    def coverage_groups(self) -> dict[tuple[int, str], tuple[list, list, int]]:
        """(slot, queue) -> (variables, coefficients, largest value) of staffing in hundredths of
        an agent, as a sum over groups of options that work the same slots of the same queue:
        each group is one helper, its members' efficiency-weighted count (a lone option stands
        for itself, weighted by its efficiency). The same staffing as summing every option in
        every slot it works, with one term per group and slot instead of one per option and slot
        (on 400 agents x 14 days at 15 minutes about 0.7M terms instead of 17M). Only models of
        more than GROUPED_FROM terms (`grouped`) use it; the others sum every option
        (`coverage_index`)."""
        if self._groups is None:
            eff = [round(a.efficiency * SCALE) for a in self.agents]
            members: dict[tuple[str, tuple[int, ...]], tuple[list, list]] = {}
            for o in self.options:
                vs, cs = members.setdefault((o.queue, o.worked), ([], []))
                vs.append(o.var)
                cs.append(eff[o.agent])
            terms: dict[tuple[int, str], tuple[list, list]] = defaultdict(lambda: ([], []))
            upper: dict[tuple[int, str], int] = defaultdict(int)
            for (q, worked), (vs, cs) in members.items():
                most = sum(cs)
                if len(vs) == 1:
                    term, coeff = vs[0], cs[0]
                else:
                    term = self.m.new_int_var(0, most, f"group_{q}_{worked[0]}_{len(worked)}")
                    self.group_defs[term.index] = len(self.m.proto.constraints)
                    self.m.add(term == LinearExpr.weighted_sum(vs, cs))
                    ix = [x.index for x in vs]
                    self.define(term, ix, lambda val, ix=ix, cs=cs: sum(c * val[i] for i, c in zip(ix, cs)),
                                coeffs=cs)
                    coeff = 1
                for t in worked:
                    ts, ks = terms[(t, q)]
                    ts.append(term)
                    ks.append(coeff)
                    upper[(t, q)] += most
            self._groups = {key: (ts, ks, upper[key]) for key, (ts, ks) in terms.items()}
        return self._groups

    def coverage_index(self) -> dict[tuple[int, str], tuple[list[int], list[int], int]]:
        """(slot, queue) -> (variable indices, efficiency in hundredths, their sum) of the options
        that work it: `coverage_terms` by variable index, in option order, made with numpy (0.9M
        terms on 400 agents x 14 days) for the per-option staffing sums (`staffed`)."""
        if self._cov_index is None:
            opts = self.options
            n = len(opts)
            lens = np.fromiter((len(o.worked) for o in opts), dtype=np.int64, count=n)
            slots = np.fromiter(chain.from_iterable(o.worked for o in opts), dtype=np.int64, count=int(lens.sum()))
            queue_of: dict[str, int] = {}
            qs = np.fromiter((queue_of.setdefault(o.queue, len(queue_of)) for o in opts), dtype=np.int64, count=n)
            eff = np.array([round(a.efficiency * SCALE) for a in self.agents], dtype=np.int64)
            coeff = eff[np.fromiter((o.agent for o in opts), dtype=np.int64, count=n)] if n else eff[:0]
            index = np.fromiter((o.var.index for o in opts), dtype=np.int64, count=n)
            width = self.grid.n_slots + 1
            keys = np.repeat(qs, lens) * width + slots
            order = np.argsort(keys, kind="stable")  # within a (slot, queue): the options' order
            keys, ix, cs = keys[order], np.repeat(index, lens)[order], np.repeat(coeff, lens)[order]
            cuts = np.flatnonzero(np.diff(keys)) + 1
            starts, ends = np.r_[0, cuts].tolist(), np.r_[cuts, len(keys)].tolist()
            queues = list(queue_of)
            # the plain form of add_sum_equality, checked at once for every (slot, queue)
            same = keys[1:] == keys[:-1]
            self._cov_plain = bool(np.all(cs > 0)) and bool(np.all(ix[1:][same] > ix[:-1][same]))
            out = {}
            for a, b in zip(starts, ends):
                if a == b:
                    continue
                k = int(keys[a])
                c = cs[a:b].tolist()
                out[(k % width, queues[k // width])] = (ix[a:b].tolist(), c, sum(c))
            self._cov_index = out
        return self._cov_index

    def staffed_upper(self, t: int, q: str) -> int:
        """The largest staffed[t, q] any roster of the model can reach, in hundredths (0: nobody
        may work it)."""
        if not self.grouped:
            return self.coverage_index().get((t, q), ([], [], 0))[2]
        return self.coverage_groups().get((t, q), ([], [], 0))[2]

    def staffed(self, t: int, q: str):
        """staffed[t, q] in hundredths of an agent: one integer variable per slot and queue (0
        when nobody may work it), made once, so service tiers and rules share the sum
        (`coverage_groups`)."""
        key = (t, q)
        if key not in self._staffed:
            if not self.grouped:
                ix, cs, upper = self.coverage_index().get(key, ([], [], 0))
                vs = None
            else:
                vs, cs, upper = self.coverage_groups().get(key, ([], [], 0))
                ix = [x.index for x in vs]
            if not ix:
                self._staffed[key] = 0
            else:
                v = self.m.new_int_var(0, upper, f"staffed_{t}_{q}")
                if not add_sum_equality(self.m, v, ix, cs, checked=vs is None and self._cov_plain):
                    if vs is None:
                        vs = [self.m.get_int_var_from_proto_index(i) for i in ix]
                    self.m.add(v == LinearExpr.weighted_sum(vs, cs))
                self.define(v, ix, lambda val, ix=ix, cs=cs: sum(map(mul, cs, map(val.__getitem__, ix))), coeffs=cs)
                self._staffed[key] = v
        return self._staffed[key]

    # ------------------------------------------------------------------ complete hints

    def define(self, var: cp_model.IntVar, deps: list[int], fn: Callable[..., int],
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
        if len(self._option_index) != len(self.options):
            self._option_index = [o.var.index for o in self.options]
        val = {i: int(o.fixed is not None or id(o) in chosen_options) for i, o in zip(self._option_index, self.options)}
        return self.extend_hint(val, 0)

    def extend_hint(self, val: dict[int, int], start: int) -> dict[int, int]:
        """`val` (a `complete_hint` made when the model had `start` derived variables) with the
        values of those defined since (`finish` of a deferred build)."""
        for var, fn in self.derived[start:]:
            val[var.index] = fn(val)
        return val

    # ------------------------------------------------------------------ extraction

    def assignment_of(self, o: Option) -> Assignment:
        inst = self.instances[o.inst]
        return Assignment(self.agents[o.agent].employee_id, inst.date, inst.code, o.queue, self.grid.runs_of(o.worked))


