"""Obvious capacity conflicts, found before the model and said in a scheduler's words.

Coverage is soft, so a roster always exists; what the rules can make impossible is serving some
demand. These checks name the shifts and queues nobody may work, and why, so a shortage in the
Summary comes with its cause ("2026-11-11 N: no lead can work it: leads L01, L02 are absent and
L03 cannot work nights").
"""

from __future__ import annotations

from scheduler.eligibility import Eligibility
from scheduler.grid import Grid, ShiftInstance
from scheduler.scenario import Scenario


def _names(pairs: list[tuple[str, str]]) -> str:
    by_reason: dict[str, list[str]] = {}
    for who, why in pairs:
        by_reason.setdefault(why, []).append(who)
    parts = []
    for why, ws in by_reason.items():
        if len(ws) > 1 and why.startswith("is "):
            why = "are " + why.removeprefix("is ")
        parts.append(f"{', '.join(ws)} {why}")
    return "; ".join(parts)


def unavoidable_shortage(scenario: Scenario, grid: Grid | None = None) -> list[str]:
    """Stretches of slots and queues with demand that the rules leave nobody to serve."""
    grid = grid or Grid(scenario)
    elig = Eligibility(scenario)
    need = scenario.config.rules.min_leads_on_duty
    leads = [a for a in scenario.agents if a.is_lead]
    out = []
    if need > 0:
        covering: dict[int, list[ShiftInstance]] = {}
        for inst in grid.instances:
            for t in inst.slots:
                covering.setdefault(t, []).append(inst)
        # a slot nobody may work: fewer leads than needed could be on shift in it, by any shift
        blocked = [t for t in range(grid.n_slots) if grid.total_rate[t] > 0 and sum(
            any(elig.why_not(a, inst) is None for inst in covering.get(t, [])) for a in leads) < need]
        for stretch in _stretches(blocked):
            insts = covering.get(stretch[0], [])
            reasons = []
            for a in leads:
                whys = sorted({w for w in (elig.why_not(a, i) for i in insts) if w is not None})
                if whys:
                    reasons.append((f"{a.employee_id} {a.name}", " and ".join(whys)))
            detail = _names(reasons) if reasons else ("no shift covers it" if not insts
                                                      else "there are no leads in the staff list")
            begin, end = grid.slot_start(stretch[0]), grid.slot_start(stretch[-1] + 1)
            out.append(f"{begin:%Y-%m-%d %H:%M}-{end:%H:%M}: no lead can be on shift ({detail}), "
                       f"so nobody may work then")
    for d in grid.dates:
        for q in scenario.config.queue_ids:
            day = [t for t in range(grid.n_slots) if grid.slot_start(t).date() == d]
            if not any(grid.contacts_per_hour[q][t] > 0 for t in day):
                continue
            servers = [a for a in scenario.agents if q in elig.queues(a, d)]
            if not servers:
                why = " (the move sends its agents elsewhere that day)" if any(
                    m.from_queue == q for m in scenario.config.moves if d in m.dates) else ""
                out.append(f"{d} {q}: no agent can serve this queue{why}; all its contacts are short")
    return out


def _stretches(slots: list[int]) -> list[list[int]]:
    """Runs of consecutive slot indices."""
    out: list[list[int]] = []
    for t in slots:
        if out and out[-1][-1] == t - 1:
            out[-1].append(t)
        else:
            out.append([t])
    return out
