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


def test_coverage_rows_give_the_dataframes_figures_to_the_last_bit(scenario_factory):
    import math

    from scheduler.grid import Grid
    from scheduler.kpi import coverage, coverage_rows, summary_kpis

    # uneven demand, a slot nobody staffs (infinite concurrency) and one with no demand at all
    scenario = scenario_factory(
        agents=[{"employee_id": "A", "name": "a", "home_queue": "pre_sales", "efficiency": 0.7},
                {"employee_id": "B", "name": "b", "home_queue": "pre_sales"}],
        demand={"pre_sales": [3.3, 7.1, 0.0, 11.9, 5.5, 13.7, 2.2, 9.9, 4.1, 6.3, 1.7]}, slot_minutes=30,
        shifts=[{"code": "D", "start": "01:00", "hours": 6}])
    roster = Roster([Assignment("A", SAT - dt.timedelta(days=3), "D", "pre_sales",
                                ((dt.datetime(2026, 11, 11, 1), dt.datetime(2026, 11, 11, 4)),)),
                     Assignment("B", SAT - dt.timedelta(days=3), "D", "pre_sales",
                                ((dt.datetime(2026, 11, 11, 2), dt.datetime(2026, 11, 11, 7)),))])
    grid = Grid(scenario)
    rows = coverage_rows(scenario, grid, roster)
    frame = coverage(scenario, grid, roster)
    assert frame.to_dict("records") == rows
    assert any(r["concurrency"] == math.inf for r in rows)
    by_rows, by_frame = summary_kpis(scenario, grid, roster, rows), summary_kpis(scenario, grid, roster, frame)
    assert by_rows == by_frame == summary_kpis(scenario, grid, roster)  # == on floats: the same bits
