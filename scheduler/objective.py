"""The objective of a roster (SPEC section 4): one function per tier, listed in
`OBJECTIVE_TIERS` in the order they are minimised (`scheduler.solve` solves them
lexicographically). A tier is a linear expression over the roster model's variables; helper
variables are defined (`RosterModel.define`) next to the constraint that bounds them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from scheduler.grid import ShiftInstance

if TYPE_CHECKING:
    from scheduler.model import RosterModel

SCALE = 100  # hundredths of an agent: staffing, shortage and overflow are exact to 0.01
LinearExpr = cp_model.LinearExpr


class TierId(enum.StrEnum):
    """The objective tiers; the value is the name a user reads (reports, progress, workbook)."""

    OVERFLOW = "overflow"
    SHORTAGE = "shortage"
    LOST_OVERFLOW = "lost overflow"      # repair: overflow above the published roster's own
    LOST_SHORTAGE = "lost shortage"      # repair: shortage above the published roster's own
    CHANGED_AGENTS = "changed agents"
    CHANGED_REGULARS = "changed regulars"
    CHANGED_SHIFTS = "changed shifts"
    FLEX_HOURS = "flex hours"
    DECLINED_REQUESTS = "declined requests"
    REGULAR_HOURS = "regular hours"
    COMFORT = "comfort"


@dataclass
class Tier:
    """One objective tier: minimise sum(coeffs * items); user value = raw * `to_user`.
    An item is a model variable or a constant (a change that cannot be avoided)."""

    id: TierId
    unit: str
    items: list
    coeffs: list[int]
    to_user: float
    upper: int = -1  # the largest raw value the tier can take (-1: the sum of |coeffs|, for 0/1 terms)
    where: list[tuple[int, str]] | None = None  # (slot, queue) of each item, for per-slot tiers (LNS aims there)

    def __post_init__(self) -> None:
        self.terms = len(self.items)
        if self.upper < 0:
            self.upper = sum(abs(c) for c in self.coeffs)
        pairs = [(x, c) for x, c in zip(self.items, self.coeffs) if not isinstance(x, int)]
        self.constant = sum(x * c for x, c in zip(self.items, self.coeffs) if isinstance(x, int))
        self._index = [(x.index, c) for x, c in pairs]
        self.var_index = np.array([i for i, _ in self._index], dtype=np.int64)  # the same, for numpy rosters
        self.var_coefs = np.array([c for _, c in self._index], dtype=np.int64)
        self.item_at = np.array([k for k, x in enumerate(self.items) if not isinstance(x, int)], dtype=np.int64)
        self._expr: cp_model.LinearExpr | None = None

    @property
    def expr(self) -> cp_model.LinearExpr:
        """The tier as a CP-SAT expression: made when the search first needs it (after the
        first roster is out: the value of a roster needs only `value`)."""
        if self._expr is None:
            pairs = [(x, c) for x, c in zip(self.items, self.coeffs) if not isinstance(x, int)]
            self._expr = LinearExpr.weighted_sum([x for x, _ in pairs], [c for _, c in pairs]) + self.constant
        return self._expr

    @property
    def name(self) -> str:
        return self.id.value

    def value(self, values) -> int:
        """The tier's raw value for a full assignment `values[var.index]` (a list, or a numpy
        array of integers: summed by numpy, as LNS does after every part)."""
        if isinstance(values, np.ndarray):
            return self.constant + int(np.dot(values[self.var_index], self.var_coefs))
        return self.constant + sum(c * values[i] for i, c in self._index)

    def item_values(self, values: np.ndarray) -> np.ndarray:
        """Each item's coefficient times its value in a numpy roster `values`, as floats, in the
        order of `items` (0 for a constant item)."""
        out = np.zeros(self.terms, dtype=float)
        out[self.item_at] = values[self.var_index] * self.var_coefs
        return out


def overflow(rm: RosterModel) -> None:
    """Tier 1: concurrent customers above reroute_concurrency per effective agent, in
    customer-hours: sum over slots and queues of max(0, rate*session/60 - R*staffed) * slot."""
    R = rm.rules.reroute_concurrency
    vs_all, where, total_load = [], [], 0
    for q in rm.scenario.config.queues:
        rate = rm.grid.contacts_per_hour[q.id]
        carried = rm.history.staffed[q.id]
        for t in range(rm.grid.n_slots):
            # what the previous roster's shifts running past `start` already serve is not ours to cover
            load = round(max(0.0, rate[t] * q.session_minutes / 60 - R * carried[t]) * SCALE)
            if load <= 0:
                continue
            over = rm.m.new_int_var(0, load, f"over_{t}_{q.id}")
            st = rm.staffed(t, q.id)
            if isinstance(st, int):
                rm.m.add(over == load)
                rm.define(over, [], lambda val, load=load: load)
            elif float(R).is_integer():
                rm.m.add(over + int(R) * st >= load)
                rm.define(over, [st.index], lambda val, load=load, i=st.index, r=int(R): max(0, load - r * val[i]))
            else:  # a fractional threshold: keep the exact coefficients per agent
                vs, cs = rm.coverage_terms()[(t, q.id)]
                rcs = [round(R * c) for c in cs]
                rm.m.add(over + LinearExpr.weighted_sum(vs, rcs) >= load)
                ix = [x.index for x in vs]
                rm.define(over, ix, lambda val, load=load, ix=ix, rcs=rcs:
                          max(0, load - sum(c * val[i] for i, c in zip(ix, rcs))))
            vs_all.append(over)
            where.append((t, q.id))
            rm.over_vars[(t, q.id)] = (over, load)
            total_load += load
    rm.tiers.append(Tier(TierId.OVERFLOW, "customer-hours", vs_all, [1] * len(vs_all), rm.grid.delta_hours / SCALE,
                         upper=total_load, where=where))


def shortage(rm: RosterModel) -> None:
    """Tier 2: agents missing against the staffing norm, in agent-hours: sum of
    max(0, rate/contacts_per_agent_hour - staffed) * slot."""
    vs_all, where, total_req = [], [], 0
    for q in rm.scenario.config.queues:
        rate = rm.grid.contacts_per_hour[q.id]
        carried = rm.history.staffed[q.id]
        for t in range(rm.grid.n_slots):
            req = round(max(0.0, rate[t] / q.contacts_per_agent_hour - carried[t]) * SCALE)
            if req <= 0:
                continue
            short = rm.m.new_int_var(0, req, f"short_{t}_{q.id}")
            st = rm.staffed(t, q.id)
            rm.m.add(short + st >= req)
            if isinstance(st, int):
                rm.define(short, [], lambda val, req=req: req)
            else:
                rm.define(short, [st.index], lambda val, req=req, i=st.index: max(0, req - val[i]))
            vs_all.append(short)
            where.append((t, q.id))
            rm.short_vars[(t, q.id)] = (short, req)
            total_req += req
    rm.tiers.append(Tier(TierId.SHORTAGE, "agent-hours", vs_all, [1] * len(vs_all), rm.grid.delta_hours / SCALE,
                         upper=total_req, where=where))


def lost_service(rm: RosterModel) -> None:
    """Repair tiers 1a and 1b (SPEC 6 item 1): overflow customer-hours, then shortage
    agent-hours, above the published roster's own in each slot and queue (`rm.baseline`, under
    the demand it was published for): the service the sick call or the surge cost."""
    if rm.baseline is None:
        return
    for k, (tier, unit, per_slot) in enumerate(((TierId.LOST_OVERFLOW, "customer-hours", rm.over_vars),
                                               (TierId.LOST_SHORTAGE, "agent-hours", rm.short_vars))):
        items, where, upper = [], [], 0
        for key, (v, top) in per_slot.items():
            pub = rm.baseline.get(key, (0, 0))[k]
            if top <= pub:
                continue  # never above the published level, whatever the roster
            lost = rm.m.new_int_var(0, top - pub, f"lost{k}_{key[0]}_{key[1]}")
            rm.m.add(lost >= v - pub)
            rm.define(lost, [v.index], lambda val, i=v.index, pub=pub: max(0, val[i] - pub))
            items.append(lost)
            where.append(key)
            upper += top - pub
        rm.tiers.append(Tier(tier, unit, items, [1] * len(items), rm.grid.delta_hours / SCALE, upper=upper,
                             where=where))


def plan_changes(rm: RosterModel) -> None:
    """Repair tiers 2 (SPEC 6 item 2): agents whose plan changed (the phone calls), among them
    regular agents (flex staff came for that: at an equal number of calls they are called
    first), then shift instances whose assignment (queue, breaks, or on/off) changed. A shift
    that an agent's own absence takes away is a change but not a call."""
    if rm.published is None:
        return
    pub = rm.published_choices()
    calls: dict[int, list] = defaultdict(list)  # per agent: changes that need a call
    shift_terms: list = []
    for a, i in sorted(set(rm.on) | set(pub)):
        agent, inst = rm.agents[a], rm.instances[i]
        if not rm.is_free(agent.employee_id, inst):
            continue  # kept as published (or cut short by an absence): reported, not optimised
        opts = rm.by_agent_inst.get((a, i), [])
        if (a, i) in pub:
            q, worked = pub[(a, i)]
            same = [o.var for o in opts if o.queue == q and o.worked == worked]
            if not same:
                shift_terms.append(1)
                own_absence = agent.employee_id in rm.called_off and any(
                    ab.start < inst.end and inst.start < ab.end
                    for ab in rm.eligibility.absences.get(agent.employee_id, ()))
                if not own_absence:
                    calls[a].append(1)
                continue
            chg = rm.m.new_bool_var(f"chg_{a}_{i}")
            rm.m.add(chg + same[0] == 1)
            rm.define(chg, [same[0].index], lambda val, k=same[0].index: 1 - val[k])
            calls[a].append(chg)
            shift_terms.append(chg)
        elif (a, i) in rm.on:
            calls[a].append(rm.on[(a, i)])
            shift_terms.append(rm.on[(a, i)])
    agent_terms, regular_terms = [], []
    for a, cs in calls.items():
        ch: int | cp_model.IntVar
        if any(isinstance(c, int) for c in cs):
            ch = 1
        else:
            changed = rm.m.new_bool_var(f"changed_{a}")
            for c in cs:
                rm.m.add_implication(c, changed)
            ix = [c.index for c in cs]
            rm.define(changed, ix, lambda val, ix=ix: int(any(val[i] for i in ix)))
            ch = changed
        agent_terms.append(ch)
        if rm.agents[a].kind == "regular":
            regular_terms.append(ch)
    if rm.max_calls is not None:
        rm.m.add(LinearExpr.sum(agent_terms) <= rm.max_calls)
    rm.tiers.append(Tier(TierId.CHANGED_AGENTS, "agents", agent_terms, [1] * len(agent_terms), 1.0))
    rm.tiers.append(Tier(TierId.CHANGED_REGULARS, "agents", regular_terms, [1] * len(regular_terms), 1.0))
    rm.tiers.append(Tier(TierId.CHANGED_SHIFTS, "shifts", shift_terms, [1] * len(shift_terms), 1.0))


def flex_hours(rm: RosterModel) -> None:
    """Tier 3a: hours worked by flex (temporary / support) staff, who cost extra."""
    vs, cs = [], []
    for o in rm.options:
        if rm.agents[o.agent].kind == "flex" and o.fixed is None:
            vs.append(o.var)
            cs.append(len(o.worked))
    rm.tiers.append(Tier(TierId.FLEX_HOURS, "hours", vs, cs, rm.grid.delta_hours))


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
    rm.tiers.append(Tier(TierId.REGULAR_HOURS, "agent-hours", vs, cs,
                         rm.grid.delta_hours / SCALE))


def comfort(rm: RosterModel) -> None:
    """Tier 4: nights and weekend shifts spread evenly (max - min over eligible agents, weight 4
    each), backward rotation (next day's shift comes earlier in early -> late -> night, weight 1
    each) and isolated single days off (weight 1 each)."""
    m, terms, weights = rm.m, [], []
    per_agent = rm.agent_instances()
    date_index = {d: n for n, d in enumerate(rm.grid.dates)}

    def spread(name: str, pick, past: dict[str, int]) -> None:
        """Max - min over agents of (this roster's count + the previous roster's, `past`)."""
        groups, before = [], []
        for a, insts in per_agent.items():
            vs = [rm.on[(a, i)] for i in insts if pick(rm.instances[i])]
            if vs:
                groups.append(vs)
                before.append(past.get(rm.agents[a].employee_id, 0))
        if len(groups) < 2:
            return
        top = len(rm.grid.dates) + max(before)
        hi = m.new_int_var(0, top, f"{name}_max")
        lo = m.new_int_var(0, top, f"{name}_min")
        for vs, b in zip(groups, before):
            m.add(LinearExpr.sum(vs) + b <= hi)
            m.add(LinearExpr.sum(vs) + b >= lo)
        ixs = [[v.index for v in vs] for vs in groups]
        every = [i for ix in ixs for i in ix]
        rm.define(hi, every, lambda val: max(sum(val[i] for i in ix) + b for ix, b in zip(ixs, before)))
        rm.define(lo, every, lambda val: min(sum(val[i] for i in ix) + b for ix, b in zip(ixs, before)))
        tops.append(top)
        terms.extend([hi, lo])
        weights.extend([4, -4])

    tops: list[int] = []
    spread("nights", lambda i: i.night, rm.history.nights)
    spread("weekend", lambda i: i.date.weekday() >= 5, rm.history.weekends)

    def rotation(i: ShiftInstance) -> tuple[bool, int]:
        """Place in the forward rotation early -> late -> night: night shifts come last even
        when they start at 00:00."""
        return i.night, i.start.hour * 60 + i.start.minute

    for a, insts in per_agent.items():
        by_day: dict[int, list[int]] = defaultdict(list)
        for i in insts:
            by_day[date_index[rm.instances[i].date]].append(i)
        last = rm.history.last.get(rm.agents[a].employee_id)  # --previous: the rotation goes on from there
        if last is not None and last[0] == rm.grid.dates[0] - dt.timedelta(days=1):
            for j in by_day.get(0, []):
                if rotation(rm.instances[j]) < last[1:]:
                    terms.append(rm.on[(a, j)])
                    weights.append(1)
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
    # the largest value: each spread's max (an int in [0, top]) counts 4 x top at most, its
    # min only lowers it; the other terms are 0/1
    upper = 4 * sum(tops) + sum(abs(w) for w in weights if abs(w) != 4)
    rm.tiers.append(Tier(TierId.COMFORT, "points", terms, weights, 1.0, upper=upper))


DECLINE_WEIGHT = 2  # each declined request counts its priority twice; the most any agent bears, once


def declined_requests(rm: RosterModel) -> None:
    """Tier 4 (SPEC 4 item 4): declined requests weighted by priority (1-3), plus the largest
    priority-weighted number of declines any one agent bears, so declines are spread: at equal
    total the roster where no agent bears many declines while others have none wins.

    A request is declined when: off, the agent works a shift starting that date; shift, the
    agent works another shift that date (off is fine: the wish holds if working); avoid, the
    agent works that shift. At most one shift per date, so each is a sum of 0/1 variables."""
    requests = getattr(rm.scenario, "requests", [])
    if not requests:
        return
    idx = {a.employee_id: k for k, a in enumerate(rm.agents)}
    on_date: dict[tuple[int, object], list[tuple[str, cp_model.IntVar]]] = defaultdict(list)
    for (a, i), v in rm.on.items():
        inst = rm.instances[i]
        on_date[(a, inst.date)].append((inst.code, v))
    items, coeffs = [], []
    per_agent: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for r in requests:
        k = idx.get(r.employee_id)
        if k is None:
            continue
        works = on_date.get((k, r.date), [])
        if r.request == "off":
            bad = [v for _, v in works]
        elif r.request == "shift":
            bad = [v for code, v in works if code != r.shift]
        else:
            bad = [v for code, v in works if code == r.shift]
        for v in bad:
            items.append(v)
            coeffs.append(DECLINE_WEIGHT * r.priority)
            per_agent[k][0].append(v)
            per_agent[k][1].append(r.priority)
    if not items:
        return
    top = max(sum(cs) for _, cs in per_agent.values())
    most = rm.m.new_int_var(0, top, "declines_max")
    for vs, cs in per_agent.values():
        rm.m.add(cp_model.LinearExpr.weighted_sum(vs, cs) <= most)
    groups = [([v.index for v in vs], cs) for vs, cs in per_agent.values()]
    rm.define(most, [i for ix, _ in groups for i in ix],
              lambda val: max(sum(c * val[i] for i, c in zip(ix, cs)) for ix, cs in groups))
    rm.tiers.append(Tier(TierId.DECLINED_REQUESTS, "priority points", [*items, most], [*coeffs, 1], 1.0,
                         upper=sum(coeffs) + top))


OBJECTIVE_TIERS = [overflow, shortage, lost_service, plan_changes, flex_hours, declined_requests, regular_hours,
                   comfort]

# a repair's order (SPEC 6): the service the event cost, then the calls, then service below the
# published level (taken only where it costs no call), then the rest of SPEC 4
REPAIR_TIER_ORDER = [TierId.LOST_OVERFLOW, TierId.LOST_SHORTAGE, TierId.CHANGED_AGENTS, TierId.CHANGED_REGULARS,
                     TierId.CHANGED_SHIFTS, TierId.OVERFLOW, TierId.SHORTAGE, TierId.FLEX_HOURS,
                     TierId.DECLINED_REQUESTS, TierId.REGULAR_HOURS, TierId.COMFORT]
