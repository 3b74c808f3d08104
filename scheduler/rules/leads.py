"""SPEC 3, rule 4: in every slot in which at least one agent works, at least min_leads_on_duty
leads are on shift (working, or on a break inside their shift instance)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.bound import BoundLP
    from scheduler.model import Option, RosterModel
    from scheduler.warmstart import Greedy


class LeadsOnDuty(Rule):
    name = "leads_on_duty"

    def add(self, rm: RosterModel) -> None:
        """Every efficiency is > 0, so a slot has someone working exactly when its staffed sum
        over queues is > 0."""
        need = rm.rules.min_leads_on_duty
        if need <= 0:
            return
        leads: dict[int, list] = defaultdict(list)
        for o in rm.options:
            if rm.agents[o.agent].is_lead:
                for t in o.on_shift:
                    leads[t].append(o.var)
        cov = rm.coverage_terms()
        for t in range(rm.grid.n_slots):
            queues = [q for q in rm.scenario.config.queue_ids if (t, q) in cov]
            if not queues:
                continue
            work = [rm.staffed(t, q) for q in queues]
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

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _LeadCover(rm)

    def bound_setup(self, lp: BoundLP) -> None:
        """A slot in which fewer than min_leads_on_duty leads could be on shift is worked by nobody."""
        need = lp.rules.min_leads_on_duty
        if need <= 0:
            return
        cover = [0] * lp.grid.n_slots
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
                s.Add(s.Sum(ws) * need <= lp.n_total * s.Sum(lp.leads_on[t]))


class _LeadCover(GreedyCheck):
    """Leads on shift per slot; an option fits when each slot it works keeps enough leads
    (counting the agent when a lead)."""

    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.need = rm.rules.min_leads_on_duty
        self.cover = [0] * rm.grid.n_slots
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
