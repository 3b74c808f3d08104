"""Figures computed from a roster alone: per-agent totals and per-date head-counts."""

from __future__ import annotations

import datetime as dt

from scheduler.kpi import agent_totals, head_counts
from scheduler.roster import Assignment, Roster

SAT = dt.date(2026, 11, 14)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(SAT, dt.time()) + dt.timedelta(days=day, hours=hour)


def test_agent_totals_count_hours_nights_and_weekend_days(scenario_factory):
    scenario = scenario_factory(
        agents=[{"employee_id": "A", "name": "a", "home_queue": "pre_sales"},
                {"employee_id": "B", "name": "b", "home_queue": "pre_sales"}],
        demand={}, days=3, start=SAT,
        shifts=[{"code": "D", "start": "08:00", "hours": 8},
                {"code": "N", "start": "22:00", "hours": 8, "night": True}])
    roster = Roster([
        Assignment("A", SAT, "D", "pre_sales", ((at(0, 8), at(0, 11)), (at(0, 12), at(0, 16)))),  # Saturday
        Assignment("A", SAT + dt.timedelta(days=1), "N", "pre_sales", ((at(1, 22), at(2, 6)),)),  # Sunday night
        Assignment("A", SAT + dt.timedelta(days=2), "D", "pre_sales", ((at(2, 14), at(2, 16)),)),  # Monday
    ])
    assert agent_totals(scenario, roster) == {"A": {"hours": 17.0, "nights": 1, "weekend_days": 2},
                                              "B": {"hours": 0.0, "nights": 0, "weekend_days": 0}}
    assert head_counts(scenario, roster) == {(SAT, "D"): 1, (SAT + dt.timedelta(days=1), "N"): 1,
                                             (SAT + dt.timedelta(days=2), "D"): 1}
