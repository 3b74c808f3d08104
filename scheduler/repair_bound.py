"""A repair's measure of service (SPEC 4 and 6): a roster's overflow and shortage per slot in the
model's units (`published_service`: the baseline lost service is counted against), and the lower
bounds of a repair, what the fixed past has already lost.

Every roster a repair may return keeps, exactly, every shift that started before the moment
(cut short where an absent agent left), and a shift starting at or after the moment covers no
slot that starts before it: so in the slots that start before the moment, staffing, overflow
and shortage are the same in every legal repaired roster. Their sum is a lower bound, for every
legal roster of this repair, on the overflow and shortage of the whole horizon, and their part
above the published roster's own on the repair's lost service. After the moment nothing is
bounded here (0): the LP bound of a first roster (`scheduler.bound`) is computed for the
published demand and staff and is not recomputed in the seconds a repair has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.exactness import proves, refresh_status
from scheduler.grid import Grid
from scheduler.kpi import column_sum, coverage_rows
from scheduler.model import SCALE
from scheduler.result import EVERY_ROSTER, NONE_YET, PAST_SCOPE, SolveReport
from scheduler.roster import Roster
from scheduler.scenario import Scenario


@dataclass
class PastBounds:
    """Service lost in the `slots` slots before `moment`, the same in every repaired roster:
    overflow in customer-hours, shortage in agent-hours, and the parts of each above the
    published roster's own (the lost-service tiers' units)."""

    moment: dt.datetime
    slots: int
    overflow: float
    shortage: float
    lost_overflow: float
    lost_shortage: float

    def note(self) -> str:
        return (f"bounds of the repair: the {self.slots} slot(s) before {self.moment:%Y-%m-%d %H:%M} are the same in "
                f"every repaired roster, with {self.overflow:,.2f} customer-hours of overflow and {self.shortage:,.2f} "
                f"agent-hours of shortage ({self.lost_overflow:,.2f} and {self.lost_shortage:,.2f} of them above the "
                f"published roster's own): these are the bounds shown; after the moment nothing is bounded")


def published_service(scenario: Scenario, roster: Roster) -> dict[tuple[int, str], tuple[int, int]]:
    """Per (slot, queue): the roster's overflow and shortage in the model's raw units
    (hundredths of a customer and of an agent, rounded as the model rounds), under the
    scenario's demand."""
    grid = Grid(scenario)
    eff = {a.employee_id: round(a.efficiency * SCALE) for a in scenario.agents}
    R = scenario.config.rules.reroute_concurrency
    staffed: dict[tuple[int, str], int] = {}
    held: dict[tuple[int, str], int] = {}  # customers the staff hold below the threshold (raw)
    for a in roster.assignments:
        for s, e in a.runs:
            for t in range(grid.slot_of(s), grid.slot_of(e - dt.timedelta(seconds=1)) + 1):
                key = (t, a.queue)
                staffed[key] = staffed.get(key, 0) + eff.get(a.employee_id, 0)
                held[key] = held.get(key, 0) + round(R * eff.get(a.employee_id, 0))
    out = {}
    for q in scenario.config.queues:
        rate = grid.contacts_per_hour[q.id]
        for t in range(grid.n_slots):
            load = round(rate[t] * q.session_minutes / 60 * SCALE)
            req = round(rate[t] / q.contacts_per_agent_hour * SCALE)
            st = staffed.get((t, q.id), 0)
            hold = int(R) * st if float(R).is_integer() else held.get((t, q.id), 0)
            out[(t, q.id)] = (max(0, load - hold), max(0, req - st))
    return out


def past_bounds(scenario: Scenario, roster: Roster, moment: dt.datetime,
                baseline: dict[tuple[int, str], tuple[int, int]]) -> PastBounds:
    """The bounds of a repaired `roster` under the repair's `scenario` (absences, new demand),
    the published service `baseline` per (slot, queue) in the model's raw units."""
    grid = Grid(scenario)
    past = Roster([a for a in roster.assignments if a.start < moment])
    n = sum(1 for t in range(grid.n_slots) if grid.slot_start(t) < moment)
    before = [r for r in coverage_rows(scenario, grid, past) if r["start"] < moment]
    raw = published_service(scenario, past)  # the model's rounding of the same figures
    lost = [0, 0]
    for (t, q), values in raw.items():
        if t < n:
            pub = baseline.get((t, q), (0, 0))
            for k in (0, 1):
                lost[k] += max(0, values[k] - pub[k])
    to_user = grid.delta_hours / SCALE
    return PastBounds(moment, n, column_sum(before, "overflow") * grid.delta_hours,
                      column_sum(before, "shortage") * grid.delta_hours, lost[0] * to_user, lost[1] * to_user)


def apply_past_bounds(report: SolveReport, bounds: PastBounds) -> None:
    """Raise the service and lost-service phases' bounds to the fixed past's where that is more
    than they hold for every legal roster already, and no less than a bound shown for the model's
    own rosters; a phase whose value meets its bound is OPTIMAL."""
    value = {"overflow": bounds.overflow, "shortage": bounds.shortage,
             "lost overflow": bounds.lost_overflow, "lost shortage": bounds.lost_shortage}
    for p in report.phases:
        name = str(getattr(p.name, "value", p.name))
        if name not in value:
            continue
        held = p.best_bound if p.bound_scope == EVERY_ROSTER else 0.0
        if value[name] > held + 1e-9 and (p.bound_scope in ("", NONE_YET) or value[name] >= p.best_bound - 1e-9):
            p.best_bound, p.bound_scope = min(value[name], p.objective), PAST_SCOPE
            if proves(p.best_bound, p.objective):
                p.status = "OPTIMAL"
    report.notes.append(bounds.note())
    refresh_status(report)
