"""Service and cost figures of a roster (SPEC section 4), computed from the roster alone."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from scheduler.grid import Grid
from scheduler.roster import Roster
from scheduler.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd


def staffed_per_slot(scenario: Scenario, grid: Grid, roster: Roster) -> dict[str, list[float]]:
    """Queue id -> efficiency-weighted agents working each slot (breaks excluded)."""
    eff = {a.employee_id: a.efficiency for a in scenario.agents}
    staffed = {q: [0.0] * grid.n_slots for q in scenario.config.queue_ids}
    # with --previous, a shift of the previous roster that runs past `start` works in this
    # horizon too (SPEC 2.2); the slot range below drops the part before `start`
    carried = [a for a in scenario.previous.assignments if a.queue in staffed] if scenario.previous else []
    for a in [*roster.assignments, *carried]:
        for start, end in a.runs:
            last = grid.slot_of(end - dt.timedelta(seconds=1))
            for t in range(max(0, grid.slot_of(start)), min(grid.n_slots, last + 1)):
                staffed[a.queue][t] += eff.get(a.employee_id, 1.0)
    return staffed


def coverage(scenario: Scenario, grid: Grid, roster: Roster, slots: range | None = None) -> pd.DataFrame:
    """One row per slot and queue: start, queue, contacts, required, staffed, shortage,
    concurrency (customers per agent), overflow (concurrent customers), high_load. `slots`:
    only these slots (all by default)."""
    import pandas as pd  # not at import: a repair writes its workbook from coverage_rows

    return pd.DataFrame(coverage_rows(scenario, grid, roster, slots))


def coverage_rows(scenario: Scenario, grid: Grid, roster: Roster, slots: range | None = None) -> list[dict]:
    """`coverage` as a list of dicts, one per row, in the same order, without pandas."""
    rules = scenario.config.rules
    staffed = staffed_per_slot(scenario, grid, roster)
    rows = []
    for q in scenario.config.queues:
        rate = grid.contacts_per_hour[q.id]
        for t in slots if slots is not None else range(grid.n_slots):
            s = staffed[q.id][t]
            load = rate[t] * q.session_minutes / 60.0  # concurrent customers
            required = rate[t] / q.contacts_per_agent_hour
            rows.append({
                "start": grid.slot_start(t), "queue": q.id,
                "contacts": scenario.demand[q.id][t],
                "required": required, "staffed": s,
                "shortage": max(0.0, required - s),
                "concurrency": (load / s) if s > 0 else (math.inf if load > 0 else 0.0),
                "overflow": max(0.0, load - rules.reroute_concurrency * s),
                "high_load": grid.high_load[t],
            })
    return rows


def column_sum(rows: list[dict], name: str) -> float:
    """The sum of one column of coverage rows, as pandas sums the DataFrame's column (numpy's
    pairwise summation), so both give the same figures to the last bit."""
    return float(np.fromiter((r[name] for r in rows), dtype=float, count=len(rows)).sum())


def summary_kpis(scenario: Scenario, grid: Grid, roster: Roster, cov: pd.DataFrame | list[dict] | None = None
                 ) -> dict[str, float]:
    """The Summary sheet's figures: overflow customer-hours, shortage agent-hours, flex hours,
    regular hours, hours and nights per agent (min/max over the staff list). `cov`: the
    coverage (a DataFrame, or coverage_rows), computed here when not given."""
    if cov is None:
        cov = coverage_rows(scenario, grid, roster)
    d = grid.delta_hours
    kind = {a.employee_id: a.kind for a in scenario.agents}
    night_codes = {s.code for s in scenario.config.shifts if s.night}
    hours: dict[str, float] = defaultdict(float)
    nights: dict[str, int] = defaultdict(int)
    for a in roster.assignments:
        hours[a.employee_id] += a.worked_hours
        nights[a.employee_id] += a.shift in night_codes
    ids = [a.employee_id for a in scenario.agents]
    flex_hours = sum(h for e, h in hours.items() if kind.get(e) == "flex")
    rows = cov if isinstance(cov, list) else cov.to_dict("records")
    sums = {name: column_sum(rows, name) for name in ("overflow", "shortage", "required")}
    finite = [c for r in rows if (c := r["concurrency"]) != math.inf]
    peak = max(finite) if finite else float("nan")  # as pandas' max of no number: NaN
    return {
        "overflow_customer_hours": float(sums["overflow"] * d),
        "shortage_agent_hours": float(sums["shortage"] * d),
        "required_agent_hours": float(sums["required"] * d),
        "flex_hours": flex_hours,
        "regular_hours": sum(h for e, h in hours.items() if kind.get(e) == "regular"),
        "shifts": len(roster.assignments),
        "agents_working": len(hours),
        "hours_per_agent_min": min((hours[e] for e in ids), default=0.0),
        "hours_per_agent_max": max((hours[e] for e in ids), default=0.0),
        "nights_per_agent_min": min((nights[e] for e in ids), default=0),
        "nights_per_agent_max": max((nights[e] for e in ids), default=0),
        "peak_concurrency": float(peak or 0.0),
    }


def agent_totals(scenario: Scenario, roster: Roster) -> dict[str, dict[str, float]]:
    """Employee id -> {"hours": worked hours (breaks excluded), "nights": night shifts,
    "weekend_days": Saturdays and Sundays on which a shift starts}, for every agent of the staff
    list (zeros for an agent without shifts)."""
    night_codes = {s.code for s in scenario.config.shifts if s.night}
    out = {a.employee_id: {"hours": 0.0, "nights": 0, "weekend_days": 0} for a in scenario.agents}
    weekend: dict[str, set] = defaultdict(set)
    for a in roster.assignments:
        totals = out.setdefault(a.employee_id, {"hours": 0.0, "nights": 0, "weekend_days": 0})
        totals["hours"] += a.worked_hours
        totals["nights"] += a.shift in night_codes
        if a.date.weekday() >= 5:
            weekend[a.employee_id].add(a.date)
    for eid, dates in weekend.items():
        out[eid]["weekend_days"] = len(dates)
    return out


def head_counts(scenario: Scenario, roster: Roster) -> dict[tuple, int]:
    """(date, shift code) -> agents whose shift of that code starts on that date."""
    counts: dict[tuple, int] = defaultdict(int)
    for a in roster.assignments:
        counts[(a.date, a.shift)] += 1
    return dict(counts)
