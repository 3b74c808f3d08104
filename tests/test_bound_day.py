"""The day bound of scheduler.bound_day (Lagrangian with integer day subproblems): never above the
exact optimum of tiny teams (tests/exact_roster.py), never below the pooled LP with its rounding
cuts, and above it where a date's whole agents cannot match the LP's fractions."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.bound import lp_bound
from scheduler.bound_day import day_bound
from tests.conftest import make_scenario
from tests.exact_roster import exact_optimum

# X must break at 09:00 (runs of at most 2 hours): it serves 08:00 and 10:00; Y 08-10, Z 09-11
ODD = [{"code": "X", "start": "08:00", "hours": 3}, {"code": "Y", "start": "08:00", "hours": 2},
       {"code": "Z", "start": "09:00", "hours": 2}]


def odd_cycle(days: int = 1):
    """Two agents (efficiency 1.3 and 0.7), one agent required at 08:00 and 09:00 and 1.5 at 10:00 on
    every date. The LP (with its rounding cuts) staffs every hour in full with fractions of shifts;
    whole agents leave 0.3 agent-hours short a date at best (1.3 on X serves 08 and 10, 0.7 on Z serves 09 and 10: 09 is
    0.3 short; every other pair is worse)."""
    hours = [0] * (24 * days)
    for d in range(days):
        hours[24 * d + 8: 24 * d + 11] = [10, 10, 15]
    agents = [{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True, "efficiency": 1.3},
              {"employee_id": "A2", "name": "乙", "home_queue": "pre_sales", "is_lead": True, "efficiency": 0.7}]
    return make_scenario(agents=agents, days=days, shifts=ODD, demand={"pre_sales": hours},
                         rules={"max_continuous_hours": 2, "min_leads_on_duty": 0})


def test_whole_agents_on_a_date_lift_the_bound_above_the_lp():
    sc = odd_cycle(days=2)
    over, short = exact_optimum(sc)
    assert (over, short) == (0, pytest.approx(0.6))
    lp = lp_bound(sc, lp_solver="GLOP")
    assert lp["shortage_lb"] == pytest.approx(0.0, abs=1e-3)
    day = day_bound(sc, time_limit_s=20, overflow_cap=0.0, lp_solver="GLOP")
    assert day["lp_lb"] == pytest.approx(0.0, abs=1e-3)
    assert day["lb"] == pytest.approx(0.6, abs=1e-3)  # both dates' integer programs: 0.3 each
    assert [d["status"] for d in day["days"]] == ["OPTIMAL", "OPTIMAL"]


def test_no_time_for_the_dates_leaves_the_lp_bound():
    """Only the LP's dual point, no date solved: the bound is the LP's Lagrangian bound."""
    sc = odd_cycle(days=2)
    day = day_bound(sc, time_limit_s=20, overflow_cap=0.0, lp_solver="GLOP", dates=[], weeks=False)
    assert day["days"] == [] and day["lb"] == pytest.approx(day["lp_lb"])


def test_a_date_named_twice_is_counted_once_and_a_date_not_there_is_refused():
    sc = odd_cycle(days=2)
    day = day_bound(sc, time_limit_s=20, overflow_cap=0.0, lp_solver="GLOP", dates=[0, 0], weeks=False)
    assert [d["block"] for d in day["days"]] == [0]
    assert day["lb"] == pytest.approx(0.3, abs=1e-3)  # one date's integer program, not twice
    with pytest.raises(ValueError, match="block indices"):
        day_bound(sc, time_limit_s=20, overflow_cap=0.0, lp_solver="GLOP", dates=[2])


NIGHT_AND_DAY = [{"code": "N", "start": "22:00", "hours": 4, "night": True},
                 {"code": "D", "start": "10:00", "hours": 4}, {"code": "E", "start": "05:00", "hours": 3}]


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 3), effs=st.lists(st.sampled_from([0.7, 1.0, 1.3]), min_size=3, max_size=3),
       levels=st.lists(st.sampled_from([0, 5, 10, 15, 25]), min_size=9, max_size=9),
       nights=st.integers(0, 2), run=st.integers(1, 3), rest=st.sampled_from([8, 11]),
       cap=st.sampled_from([6, 8, 48]))
def test_the_day_bound_lies_between_the_lp_and_the_exact_optimum(n, effs, levels, nights, run, rest, cap):
    """Random tiny teams over three dates, a night across midnight, binding rest, consecutive-day,
    night and weekly-hours rules (the rows the day bound dualizes): LP <= day bound <= optimum, for
    overflow and for shortage at the optimal overflow."""
    agents = [{"employee_id": f"A{i}", "name": f"乙{i}", "home_queue": "pre_sales", "is_lead": True,
               "efficiency": effs[i - 1], "max_hours_week": cap} for i in range(1, n + 1)]
    hours = [0] * 72
    for k, (d, start) in enumerate(product(range(3), (5, 10, 22))):
        for h in range(3):
            if d * 24 + start + h < 72:
                hours[d * 24 + start + h] = levels[k]
    sc = make_scenario(agents=agents, days=3, shifts=NIGHT_AND_DAY, demand={"pre_sales": hours},
                       rules={"max_night_shifts": nights, "max_consecutive_days": run, "min_rest_hours": rest,
                              "max_continuous_hours": 2, "min_leads_on_duty": 0})
    over, short = (float(x) for x in exact_optimum(sc, time_limit_s=30))
    lp = lp_bound(sc, overflow_cap=over, lp_solver="GLOP")
    day_over = day_bound(sc, time_limit_s=20, objective="overflow", lp_solver="GLOP")
    day = day_bound(sc, time_limit_s=20, overflow_cap=over, lp_solver="GLOP")
    assert day_over["lb"] <= over * (1 + 1e-6) + 1e-6
    assert day["lb"] <= short * (1 + 1e-6) + 1e-6
    assert all(d["status"] == "OPTIMAL" for d in day["days"] + day_over["days"])
    assert day_over["lb"] >= lp["overflow_lb"] - 1e-4 * (1 + lp["overflow_lb"])
    lp_short = lp.get("shortage_lb_at_cap", lp["shortage_lb"])  # none without demand
    assert day["lb"] >= lp_short - 1e-4 * (1 + lp_short)
