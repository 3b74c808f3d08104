"""Week after week, in the model (SPEC 2.1, 4 item 4): the requests tier, and what a roster made
impossible by the locks or the previous roster is told. Locks and the previous roster's rest,
consecutive days, coverage and leads live with the hard rules in `scheduler.model` (they are
rule 6 there), computed from `scheduler.history`.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.model import RosterModel, Tier

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
        a = idx.get(r.employee_id)
        if a is None:
            continue
        works = on_date.get((a, r.date), [])
        if r.request == "off":
            bad = [v for _, v in works]
        elif r.request == "shift":
            bad = [v for code, v in works if code != r.shift]
        else:
            bad = [v for code, v in works if code == r.shift]
        for v in bad:
            items.append(v)
            coeffs.append(DECLINE_WEIGHT * r.priority)
            per_agent[a][0].append(v)
            per_agent[a][1].append(r.priority)
    if not items:
        return
    top = max(sum(cs) for _, cs in per_agent.values())
    most = rm.m.new_int_var(0, top, "declines_max")
    for vs, cs in per_agent.values():
        rm.m.add(cp_model.LinearExpr.weighted_sum(vs, cs) <= most)
    groups = [([v.index for v in vs], cs) for vs, cs in per_agent.values()]
    rm.define(most, [i for ix, _ in groups for i in ix],
              lambda val: max(sum(c * val[i] for i, c in zip(ix, cs)) for ix, cs in groups))
    rm.tiers.append(Tier("declined requests", "priority points", [*items, most], [*coeffs, 1], 1.0,
                         upper=sum(coeffs) + top))


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
    if locks and _feasible(rm, []):
        out.append(f"the {len(locks)} lock(s) of locks.csv make every roster impossible (without them a roster "
                   f"exists)")
        by_agent: dict[str, list] = defaultdict(list)
        for k in locks:
            by_agent[k.employee_id].append(k)
        names = {a.employee_id: a.name for a in rm.agents}
        for eid, mine in list(by_agent.items())[:MAX_TRIES]:
            if _feasible(rm, [k for k in locks if k.employee_id != eid]):
                rows = ", ".join(str(k.row) for k in mine)
                shown = "; ".join(f"{k.date:%Y-%m-%d} {k.shift}" for k in mine)
                out.append(f"releasing the locks of {eid} {names.get(eid, '')} (locks.csv row(s) {rows}: {shown}) "
                           f"makes a roster possible")
    return out


MAX_TRIES = 20       # agents whose locks are released one at a time to find the culprits
TRY_SECONDS = 2.0    # per feasibility test


def _feasible(rm: RosterModel, locks: list) -> bool:
    """Does a roster exist when only these locks are kept (everything else as in rm)?"""
    trial = RosterModel(rm.scenario.model_copy(update={"locks": locks, "requests": []}), rm.grid,
                        frozen=rm.frozen, free_from=rm.free_from, free_until=rm.free_until,
                        free_agents=rm.free_agents)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = TRY_SECONDS
    solver.parameters.num_workers = 1
    return solver.solve(trial.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
