"""Week after week: what is told when the locks or the previous roster make every roster
impossible. The locks are a rule unit (`scheduler.rules.locks`); the previous roster's rest,
consecutive days, hours and leads are read by those rules' own units (from
`scheduler.history`); the declined-requests tier is in `scheduler.objective`.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.model import RosterModel


def weekly_reasons(rm: RosterModel) -> list[str]:
    """Known causes of an impossible roster that come from the previous roster or the locks."""
    out = []
    need = rm.rules.min_leads_on_duty
    h = rm.history
    if need > 0 and any(h.working):
        lead_slots = {t for o in rm.options if rm.agents[o.agent].is_lead for t in o.on_shift}
        bad = [t for t in range(rm.grid.n_slots) if h.working[t] and h.leads[t] < need and t not in lead_slots]
        if bad:
            a, b = rm.grid.slot_start(bad[0]), rm.grid.slot_start(bad[-1] + 1)
            who = ", ".join(sorted({c.employee_id for c in h.carry if c.end > a}))
            out.append(f"{a:%Y-%m-%d %H:%M} .. {b:%H:%M}: the previous roster's shifts of {who} still work then, "
                       f"and no lead is or can be on shift (rule: at least {need} lead(s) whenever anyone works)")
    locks = list(getattr(rm.scenario, "locks", []))
    # without locks: every option of every lock's agent, and the patterns priced for them
    free = _trial(rm, []) if locks else None
    if free is not None and _feasible(free):
        out.append(f"the {len(locks)} lock(s) of locks.csv make every roster impossible (without them a roster "
                   f"exists)")
        by_agent: dict[str, list] = defaultdict(list)
        for k in locks:
            by_agent[k.employee_id].append(k)
        names = {a.employee_id: a.name for a in rm.agents}
        for eid, mine in list(by_agent.items())[:MAX_TRIES]:
            if _feasible(_trial(rm, [k for k in locks if k.employee_id != eid], getattr(free, "priced_all", None))):
                rows = ", ".join(str(k.row) for k in mine)
                shown = "; ".join(f"{k.date:%Y-%m-%d} {k.shift}" for k in mine)
                out.append(f"releasing the locks of {eid} {names.get(eid, '')} (locks.csv row(s) {rows}: {shown}) "
                           f"makes a roster possible")
    return out


MAX_TRIES = 20       # agents whose locks are released one at a time to find the culprits
TRY_SECONDS = 2.0    # per feasibility test, in CP-SAT's deterministic time (the same answer under any load)
TRY_WALL_S = 20.0    # a guard only


def _trial(rm: RosterModel, locks: list, priced: list | None = None) -> RosterModel:
    """rm's model with only these locks kept (and no objective); `priced`: the patterns priced for
    the model without locks, reused instead of pricing each trial again (the same patterns:
    `exactness.reuse_priced`)."""
    return RosterModel(rm.scenario.model_copy(update={"locks": locks, "requests": []}), rm.grid,
                       frozen=rm.frozen, free_from=rm.free_from, free_until=rm.free_until,
                       free_agents=rm.free_agents, hard_rules=rm.hard_rules, extra_rules=rm.extra_rules,
                       objective=[], priced=priced)


def _feasible(trial: RosterModel) -> bool:
    """Does a roster of this trial model exist?"""
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = TRY_SECONDS
    solver.parameters.max_time_in_seconds = TRY_WALL_S
    solver.parameters.num_workers = 1
    return solver.solve(trial.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
