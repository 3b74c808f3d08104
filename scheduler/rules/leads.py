"""SPEC 3, rule 4: in every slot in which at least one agent works, at least min_leads_on_duty
leads are on shift (working, or on a break inside their shift instance). With --previous (rule
6), a shift of the previous roster that runs past `start` works (so its slots need leads) and
a lead on it is on shift (`RosterModel.history`)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from scheduler.history import history_of
from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP
    from scheduler.eligibility import Eligibility
    from scheduler.grid import Grid, ShiftInstance
    from scheduler.model import Option, RosterModel
    from scheduler.scenario import Scenario
    from scheduler.warmstart import Greedy


class LeadsOnDuty(Rule):
    name = "leads_on_duty"

    def add(self, rm: RosterModel) -> None:
        """Every efficiency is > 0, so a slot has someone working exactly when its staffed sum
        over queues is > 0."""
        need = rm.rules.min_leads_on_duty
        if need <= 0:
            return
        leads = _leads_on_shift(rm)
        carried, carried_leads = rm.history.working, rm.history.leads
        for t in range(rm.grid.n_slots):
            queues = [q for q in rm.scenario.config.queue_ids if rm.staffed_upper(t, q) > 0]
            lacking = need - carried_leads[t]  # beyond the leads of the previous roster's shifts
            if carried[t] and lacking > 0:
                # a shift of the previous roster works here: the slot needs its leads whatever we do
                rm.m.add(LinearExpr.sum(leads[t]) >= lacking)
                continue
            if not queues or lacking <= 0:
                continue
            work = [rm.staffed(t, q) for q in queues]
            ub = sum(rm.staffed_upper(t, q) for q in queues)
            if len(leads[t]) < lacking:
                # too few leads could ever be on shift here: nobody may work this slot
                for w in work:
                    rm.m.add(w == 0)
                continue
            anyone = rm.m.new_bool_var(f"anyone_{t}")
            ix = [w.index for w in work]
            rm.define(anyone, ix, lambda val, ix=ix: int(any(val[i] > 0 for i in ix)))
            rm.m.add(LinearExpr.sum(work) <= ub * anyone)
            rm.m.add(LinearExpr.sum(leads[t]) >= lacking * anyone)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _LeadCover(rm)

    def unavoidable(self, scenario: Scenario, grid: Grid, eligibility: Eligibility) -> list[str]:
        """Slots with demand in which fewer leads than needed could be on shift, by any shift:
        nobody may work them. Names the leads and why each cannot."""
        need = scenario.config.rules.min_leads_on_duty
        if need <= 0:
            return []
        leads = [a for a in scenario.agents if a.is_lead]
        covering: dict[int, list[ShiftInstance]] = {}
        for inst in grid.instances:
            for t in inst.slots:
                covering.setdefault(t, []).append(inst)
        carried = history_of(scenario, grid.start, grid.n_slots, grid.slot_minutes).leads  # --previous
        blocked = [t for t in range(grid.n_slots) if grid.total_rate[t] > 0 and carried[t] + sum(
            any(eligibility.why_not(a, inst) is None for inst in covering.get(t, [])) for a in leads) < need]
        out = []
        for stretch in _stretches(blocked):
            insts = covering.get(stretch[0], [])
            reasons = []
            for a in leads:
                whys = sorted({w for w in (eligibility.why_not(a, i) for i in insts) if w is not None})
                if whys:
                    reasons.append((f"{a.employee_id} {a.name}", " and ".join(whys)))
            detail = _names(reasons) if reasons else ("no shift covers it" if not insts
                                                      else "there are no leads in the staff list")
            begin, end = grid.slot_start(stretch[0]), grid.slot_start(stretch[-1] + 1)
            out.append(f"{begin:%Y-%m-%d %H:%M}-{end:%H:%M}: no lead can be on shift ({detail}), "
                       f"so nobody may work then")
        return out

    def bound_setup(self, lp: BoundLP) -> None:
        """A slot in which fewer than min_leads_on_duty leads could be on shift is worked by nobody."""
        need = lp.rules.min_leads_on_duty
        if need <= 0:
            return
        cover = list(lp.history.leads)  # leads on the previous roster's shifts running past `start`
        for g in lp.groups:
            if g.agent.is_lead:
                for a in g.members:  # one by one: a pool's members differ in their absences
                    slots = {t for inst in lp.grid.instances if lp.eligibility.allowed(a, inst) for t in inst.slots}
                    for t in slots:
                        if 0 <= t < lp.grid.n_slots:
                            cover[t] += 1
        lp.dead = {t for t in range(lp.grid.n_slots) if cover[t] < need}

    def bound_all(self, lp: BoundLP) -> None:
        """Anyone works => leads on shift >= need, in a big-M form that stays valid for pools."""
        need = lp.rules.min_leads_on_duty
        if need <= 0:
            return
        s = lp.solver
        for t, ws in lp.working.items():
            if t not in lp.dead:
                s.Add(s.Sum(ws) * need <= lp.n_total * (s.Sum(lp.leads_on[t]) + lp.history.leads[t]))


def _leads_on_shift(rm: RosterModel) -> dict[int, list]:
    """Slot -> 0/1 variables whose sum is the number of leads on shift there: a lead's `on`
    variable for an instance whose options all span the same slots (at most one of them is
    chosen), else each option (a frozen shift cut short spans fewer); on models that sum staffing
    per option (`RosterModel.grouped` False), each option."""
    leads: dict[int, list] = defaultdict(list)
    if not rm.grouped:  # a smaller model: one term per option (the form its searches were tuned on)
        for o in rm.options:
            if rm.agents[o.agent].is_lead:
                for t in o.on_shift:
                    leads[t].append(o.var)
        return leads
    for (a, i), opts in rm.by_agent_inst.items():
        if not rm.agents[a].is_lead:
            continue
        spans = {(o.on_shift.start, o.on_shift.stop) for o in opts}
        if len(spans) == 1:
            for t in opts[0].on_shift:
                leads[t].append(rm.on[(a, i)])
            continue
        for o in opts:
            for t in o.on_shift:
                leads[t].append(o.var)
    return leads


def _names(pairs: list[tuple[str, str]]) -> str:
    """'L01 A, L02 B are absent; L03 C cannot work nights' from (who, why) pairs."""
    by_reason: dict[str, list[str]] = {}
    for who, why in pairs:
        by_reason.setdefault(why, []).append(who)
    parts = []
    for why, ws in by_reason.items():
        if len(ws) > 1 and why.startswith("is "):
            why = "are " + why.removeprefix("is ")
        parts.append(f"{', '.join(ws)} {why}")
    return "; ".join(parts)


def _stretches(slots: list[int]) -> list[list[int]]:
    """Runs of consecutive slot indices."""
    out: list[list[int]] = []
    for t in slots:
        if out and out[-1][-1] == t - 1:
            out[-1].append(t)
        else:
            out.append([t])
    return out


class _LeadCover(GreedyCheck):
    """Leads on shift per slot; an option fits when each slot it works keeps enough leads
    (counting the agent when a lead)."""

    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.need = rm.rules.min_leads_on_duty
        self.cover = list(rm.history.leads)
        self.is_lead = [a.is_lead for a in rm.agents]

    def fits(self, o: Option) -> bool:
        if self.need <= 0:
            return True
        own, cover, need = int(self.is_lead[o.agent]), self.cover, self.need
        return all(cover[t] + own >= need for t in o.worked)

    def take(self, o: Option) -> None:
        if self.is_lead[o.agent]:
            for t in o.on_shift:
                self.cover[t] += 1

    def first(self, greedy: Greedy, free: list[Option]) -> None:
        """Every shift instance with demand gets its leads: the instance fewest leads can work
        first (night shifts, usually), then the busiest, so scarce leads are not used elsewhere."""
        rm = self.rm
        lead_opts: dict[int, list[Option]] = defaultdict(list)
        for o in free:
            if self.is_lead[o.agent]:
                lead_opts[o.inst].append(o)
        total_req = greedy.total_required

        def urgency(i) -> tuple[int, float]:
            return len({o.agent for o in lead_opts[i.index]}), -sum(total_req[t] for t in i.slots)

        for inst in sorted(rm.instances, key=urgency):
            if not any(total_req[t] > 0 for t in inst.slots):
                continue
            while any(self.cover[t] < self.need for t in inst.slots):
                options = [o for o in lead_opts[inst.index] if greedy.fits(o)]
                if not options:
                    break
                greedy.take(max(options, key=greedy.gain))
