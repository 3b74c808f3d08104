"""What the CP-SAT model covers of the real roster problem, and what a run may therefore claim.

The model (scheduler.model) picks one work/break pattern per shift from a list and counts
staffing in hundredths of an agent. Its bounds and its OPTIMAL are statements about that model.
SPEC 4 wants them to hold for every roster that keeps SPEC 3, so each run decides here:

- `short_patterns(rm)`: for agents whose weekly hours cap can bind, shorter legal patterns priced
  from the LP's duals (scheduler.pricing) are added to the model's options, so a part-time agent
  can work two short days instead of one long one;
- `model_scope(rm)`: does the model hold a roster as good in service (overflow, shortage) as any
  legal roster? Yes when every maximal pattern of every shift an agent may work is offered, no
  agent's weekly hours cap can bind, and shifts are not kept apart more than the rest rule asks.
  And is its arithmetic exact (loads, requirements, efficiencies in whole hundredths)? If not,
  the worst case of the rounding;
- `make_honest(rm, roster, report)`: phases report the roster's exact service, a CP-SAT bound
  only where it holds for every legal roster (less the rounding's worst case), and OPTIMAL only
  where a valid bound proves it. Everything else says "best found".

Units: overflow in customer-hours, shortage in agent-hours, worked time in slots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.patterns import all_maximal_patterns
from scheduler.result import EVERY_ROSTER, HOURS_SCOPE, MODEL_ONLY, NO_BOUND, NONE_YET

SERVICE = ("overflow", "shortage")
# tiers that count only which shifts change: exact whenever the model is exact for service (a
# legal roster's patterns can be widened to offered maximal ones without changing any shift)
ON_OFF_TIERS = ("changed agents", "changed shifts")
SCALE = 100  # the model's unit: hundredths of an agent (scheduler.model.SCALE)
TOL = 1e-6


@dataclass
class ModelScope:
    """What the model's options and arithmetic cover of the real problem (see the module doc)."""

    service_exact: bool = True          # the options hold a roster as good in service as any legal one
    arithmetic_exact: bool = True       # staffing and every load and requirement in whole hundredths
    overflow_rounding: float | None = 0.0  # worst case |model - exact| of overflow, customer-hours (None: unknown)
    reasons: list[str] = field(default_factory=list)


def _slots(rm, hours: float) -> int:
    return int(hours * 60 / rm.grid.slot_minutes + 1e-9)


def _high(rm, inst) -> list[bool]:
    return [rm.grid.high_load[t] for t in inst.slots]


def _limits(rm) -> tuple[int, int]:
    return _slots(rm, rm.rules.max_continuous_hours), _slots(rm, rm.rules.max_continuous_high_load_hours)


def _most_worked_in_blocks(rm, a: int) -> dict[int, int]:
    """An upper bound, per 7-day block, on the slots agent `a` can work there in the model:
    one shift per date, at most max_consecutive_days dates in a row, the longest option each."""
    block = 7 * 24 * 60 // rm.grid.slot_minutes
    date_index = {d: n for n, d in enumerate(rm.grid.dates)}
    per_date: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # date -> block -> slots
    for i in range(len(rm.instances)):
        opts = rm.by_agent_inst.get((a, i))
        if not opts:
            continue
        inst = rm.instances[i]
        d = date_index[inst.date]
        if inst.first_slot // block == (inst.first_slot + inst.n_slots - 1) // block:
            # the whole shift in one block (most shifts): its longest option counts
            b = inst.first_slot // block
            per_date[d][b] = max(per_date[d][b], max(len(o.worked) for o in opts))
            continue
        for o in opts:
            counts: dict[int, int] = defaultdict(int)
            for t in o.worked:
                counts[t // block] += 1
            for b, c in counts.items():
                per_date[d][b] = max(per_date[d][b], c)
    out = {}
    k = rm.rules.max_consecutive_days
    for b in {b for d in per_date.values() for b in d}:
        # best[r] = most slots with the last r dates all worked (r <= k)
        best = {0: 0}
        for d in range(len(rm.grid.dates)):
            v = per_date.get(d, {}).get(b, 0)
            nxt = {0: max(best.values())}
            if v:
                for r, s in best.items():
                    if r < k:
                        nxt[r + 1] = max(nxt.get(r + 1, 0), s + v)
            best = nxt
        out[b] = max(best.values())
    return out


def capped_agents(rm) -> list[int]:
    """Agents whose weekly hours cap can bind in some 7-day block (model.py's options before the
    priced ones: those are never longer). Computed once per model."""
    if getattr(rm, "_capped_agents", None) is not None:
        return rm._capped_agents
    out = []
    for a, agent in enumerate(rm.agents):
        hours = agent.max_hours_week if agent.max_hours_week is not None else rm.rules.max_hours_week
        cap = _slots(rm, hours)
        if any(v > cap for v in _most_worked_in_blocks(rm, a).values()):
            out.append(a)
    rm._capped_agents = out
    return out


def short_patterns(rm) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """The work/break patterns the model offers beyond its maximal ones, as (agent, instance,
    queue, worked slots): for the agents whose weekly hours cap can bind, the patterns priced from
    the LP's duals (scheduler.pricing: shorter or split work inside a shift where the cap binds);
    on 15-minute models, the mix of maximal patterns the LP's worked slots are made of
    (`pricing.lp_mix_patterns`: the model keeps 24 maximal patterns an instance). A repair
    re-decides only its neighbourhood and keeps the published patterns: it prices none. Notes
    what it adds."""
    if (rm.published is not None or rm.free_agents is not None or rm.free_from is not None
            or rm.free_until is not None):
        return []
    capped = capped_agents(rm)
    if getattr(rm, "priced", None) is not None:
        return reuse_priced(rm, rm.priced, capped)
    from scheduler.pricing import lp_mix_patterns, priced_patterns

    out: Priced = []
    if capped:
        try:
            out, info = priced_patterns(rm, capped)
        except Exception as exc:  # extra patterns are a gain, never a reason to lose the run
            rm.notes.append(f"weekly hours cap can bind for {len(capped)} agent(s): no patterns priced ({exc})")
        else:
            names = ", ".join(rm.agents[a].employee_id for a in capped[:5]) + (" ..." if len(capped) > 5 else "")
            rm.notes.append(f"weekly hours cap can bind for {len(capped)} agent(s) ({names}): {len(out)} shorter or "
                            f"split patterns priced from the LP's duals added ({info['columns']} pool shifts priced, "
                            f"PDLP {info['status'].lower()})")
    try:
        mix = lp_mix_patterns(rm)
    except Exception as exc:  # as above
        rm.notes.append(f"no break patterns taken from the LP's plan ({exc})")
        mix = []
    if mix:
        have = set(out)
        mix = [m for m in mix if m not in have]
        rm.notes.append(f"{len(mix)} agent options with break patterns from the LP's plan added "
                        f"({len({(i, w) for _a, i, _q, w in mix})} patterns the model's 24 an instance leave out)")
    out = out + mix
    rm.priced_all = out
    return out


Priced = list[tuple[int, int, str, tuple[int, ...]]]  # (agent, instance, queue, worked slots)


def reuse_priced(rm, priced: Priced, capped: list[int]) -> Priced:
    """The patterns priced for a model of the same scenario whose options are a superset of
    `rm`'s (the same scenario without locks: the LP, and so its prices, ignores locks, and a lock
    only removes an agent's other shifts or queues), kept for `rm`'s `capped` agents where `rm`
    offers that agent, shift and queue and not that pattern: what pricing `rm` itself would add.
    On a model that takes the LP's mix of patterns (`pricing.lp_mix_patterns`) every agent's are
    kept: the mix is for every agent of a pool, capped or not."""
    from scheduler.pricing import lacks_pattern, takes_lp_mix

    mine = set(capped)
    lp_mix = takes_lp_mix(rm)
    return [(a, i, q, worked) for a, i, q, worked in priced
            if (a in mine or lp_mix) and lacks_pattern(rm, a, i, q, worked)]


def _whole(x: float) -> bool:
    return abs(x * SCALE - round(x * SCALE)) < 1e-6


def model_scope(rm) -> ModelScope:
    """Decide what the model covers of the real problem (see the module docstring)."""
    scope = ModelScope()
    max_run, max_hl = _limits(rm)
    maximal: dict[tuple[int, int], set[tuple[int, ...]]] = {}
    missing = 0
    for (_a, i), opts in rm.by_agent_inst.items():
        free = [o for o in opts if o.fixed is None]
        if not free:
            continue
        inst = rm.instances[i]
        key = (inst.first_slot, inst.n_slots)
        if key not in maximal:
            maximal[key] = {tuple(inst.first_slot + n for n, w in enumerate(p) if w)
                            for p in all_maximal_patterns(_high(rm, inst), max_run, max_hl)}
        offered = defaultdict(set)
        for o in free:
            offered[o.queue].add(o.worked)
        if any(not maximal[key] <= ws for ws in offered.values()):
            missing += 1
    if missing:
        scope.service_exact = False
        scope.reasons.append(f"{missing} agent-shift(s) are offered only some of their maximal work/break patterns "
                             "(the cap per shift)")
    capped = capped_agents(rm)
    if capped:
        scope.service_exact = False
        scope.reasons.append(f"the weekly hours cap can bind for {len(capped)} agent(s), and the model offers them "
                             "the shorter patterns the LP's prices favour, not every one")
    if getattr(rm, "free_agents", None) is not None or getattr(rm, "free_until", None) is not None:
        scope.service_exact = False
        scope.reasons.append("a repair re-decides only some agents or days (its neighbourhood)")
    if rm.rules.min_rest_hours * 60 < rm.grid.slot_minutes:
        scope.service_exact = False
        scope.reasons.append("min_rest_hours is shorter than a slot and the model keeps shifts a slot apart")
    # arithmetic: the model rounds each slot's load and requirement, and each efficiency, to hundredths
    cfg, grid = rm.scenario.config, rm.grid
    R = rm.rules.reroute_concurrency
    effs = {a.efficiency for a in rm.agents}
    staffing_exact = all(_whole(e) for e in effs) and (float(R).is_integer()
                                                     or all(_whole(R * e) for e in effs))
    inexact_loads = inexact_reqs = 0
    for q in cfg.queues:
        for r in grid.contacts_per_hour[q.id]:
            if r > 0:
                inexact_loads += not _whole(r * q.session_minutes / 60)
                inexact_reqs += not _whole(r / q.contacts_per_agent_hour)
    scope.arithmetic_exact = staffing_exact and not inexact_loads and not inexact_reqs
    # max(0, .) moves by at most what its argument moves: half a hundredth per rounded load
    scope.overflow_rounding = inexact_loads * 0.5 / SCALE * grid.delta_hours if staffing_exact else None
    if not scope.arithmetic_exact:
        scope.reasons.append("the model counts loads, requirements and efficiencies in hundredths, and some are not "
                             "whole hundredths")
    return scope


def make_honest(rm, roster, report) -> ModelScope:
    """Restate the report's phases so that every bound and OPTIMAL holds for every legal roster:
    service phases carry the roster's exact overflow and shortage and a CP-SAT bound only where
    `model_scope` says it is one; a phase keeps OPTIMAL only where that is proven."""
    from scheduler.kpi import summary_kpis

    scope = model_scope(rm)
    exact = {}
    if any(tier_name(p) in SERVICE for p in report.phases):
        k = summary_kpis(rm.scenario, rm.grid, roster)
        exact = {"overflow": k["overflow_customer_hours"], "shortage": k["shortage_agent_hours"]}
    proven_above = True
    for p in report.phases:
        model_status, model_bound = p.status, p.best_bound
        name = tier_name(p)
        if name in SERVICE:
            p.objective = exact[name]
            valid = None
            if scope.service_exact:
                if name == "overflow" and scope.overflow_rounding is not None:
                    valid = max(0.0, model_bound - scope.overflow_rounding)
                elif name == "shortage" and scope.arithmetic_exact:
                    valid = model_bound
            p.best_bound = min(valid, p.objective) if valid is not None else 0.0
            p.bound_scope = EVERY_ROSTER if valid is not None else NONE_YET
            proven = proves(p.best_bound, p.objective)
        elif name in ON_OFF_TIERS:
            proven = model_status == "OPTIMAL" and scope.service_exact
            p.bound_scope = EVERY_ROSTER if scope.service_exact else MODEL_ONLY
        else:
            proven = p.objective <= TOL  # nothing is below 0
            # 0 bounds every tier and says nothing: a tier without a better bound shows none, and no
            # "gap 100 %" that would read as "this roster may be terrible"
            p.bound_scope = (EVERY_ROSTER if proven else NO_BOUND if p.best_bound <= TOL
                             else MODEL_ONLY)
        proven = proven or p.objective <= TOL
        if proven:
            p.status = "OPTIMAL"
            p.best_bound = p.objective
        elif model_status == "OPTIMAL":
            p.status = "FEASIBLE"
            report.notes.append(f"{p.name}: optimal over the model's options ({model_bound:,.2f} {p.unit}); not "
                                "proven for every legal roster")
        proven_above = proven_above and p.status == "OPTIMAL"
    if not proven_above:
        report.status = "FEASIBLE"
    if scope.reasons:
        report.notes.append("the model leaves out some legal rosters or rounds: " + "; ".join(scope.reasons)
                            + " (its own bounds are used only where they hold for every legal roster)")
    return scope


def tier_name(phase) -> str:
    """A phase's tier name as plain text (tiers may be named by a str enum)."""
    return str(getattr(phase.name, "value", phase.name))


def proves(bound: float | None, value: float) -> bool:
    """Does a valid lower bound prove this value optimal? Up to the LP solvers' tolerances (a
    relative 1e-5: an LP optimum is exact only to about 1e-6 of its size)."""
    return bound is not None and value <= bound + 1e-5 * max(1.0, abs(value))


def refresh_status(report) -> None:
    """The run is OPTIMAL when every phase is (after a later bound proved more of them)."""
    if report.phases and all(p.status == "OPTIMAL" for p in report.phases) and not any(
            "stopped with Ctrl-C" in n for n in report.notes):
        report.status = "OPTIMAL"




def add_hours_bounds(report, lp: dict) -> None:
    """The LP's bounds on flex hours and regular hours (scheduler.bound.lp_bound: among rosters
    with at most this roster's overflow and shortage, and for regular hours its flex hours too),
    where they say more than the tier's own; a note states the condition."""
    for name, key, above in (("flex hours", "flex_hours_lb", "overflow and shortage"),
                             ("regular hours", "regular_hours_lb", "overflow, shortage and flex hours")):
        value = lp.get(key)
        p = next((p for p in report.phases if tier_name(p) == name), None)
        if p is None or value is None or value <= TOL or p.status == "OPTIMAL":
            continue
        if p.bound_scope == EVERY_ROSTER and p.best_bound >= value:
            continue
        p.best_bound, p.bound_scope = min(value, p.objective), HOURS_SCOPE
        if proves(value, p.objective):
            p.status = "OPTIMAL"
        report.notes.append(f"{name}: bound {p.best_bound:,.2f} {p.unit} (LP relaxation) holds for rosters with at "
                            f"most this roster's {above}")
