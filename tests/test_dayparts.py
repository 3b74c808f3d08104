"""LNS parts of 15-minute rosters over one whole date for every agent, on the LP's columns
(`scheduler.dayparts`, issue 15 item 1): what they free, and that the search keeps every rule."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.guide import lp_plan
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from tests.conftest import greedy_values, make_scenario, roster_of

QUEUES = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
          {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
SHIFTS = [{"code": "N", "start": "00:00", "hours": 8, "night": True}, {"code": "E", "start": "08:00", "hours": 8},
          {"code": "L", "start": "16:00", "hours": 8}]
ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, break_weight=0.0, shift_weight=0.0,
                          chain_weight=0.0, day_weight=1.0)


@pytest.fixture(scope="module")
def scenario():
    """Ten people over three days at 15-minute slots, three 8-hour shifts, 11 h of rest, and a
    busy night on the second day."""
    agents = [{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales" if k % 2 else "after_sales",
               "skills": ["pre_sales", "after_sales"] if k % 3 == 0 else None, "is_lead": k < 2}
              for k in range(10)]
    agents = [{key: v for key, v in a.items() if v is not None} for a in agents]
    day = [0] * 8 + [16, 24, 32, 32, 24, 24, 16, 16, 24, 32, 24, 16, 8, 8, 8, 4]
    night = [50] * 4 + [10] * 4 + day[8:]
    return make_scenario(agents=agents, queues=QUEUES, shifts=SHIFTS, slot_minutes=15, days=3,
                         demand={"pre_sales": day + night + day, "after_sales": [x / 2 for x in day] * 3},
                         rules={"max_continuous_hours": 2, "max_continuous_high_load_hours": 2,
                                "min_rest_hours": 11})


def test_day_parts_free_one_date_of_every_agent_on_the_lps_columns(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    plan = lp_plan(rm)
    assert plan is not None
    values = greedy_values(rm)
    per_shift = 2
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(day_patterns=per_shift), plan=plan)
    assert hoods.days_lp is not None  # 32 slots per shift and a plan: the kind is on
    on = np.asarray(values)[hoods.var]
    for _ in range(5):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "day" and mask.any()
        (d,) = set(hoods.day[mask].tolist())  # one date
        # every agent's option worked now on that date is free
        assert all(mask[k] for k in np.flatnonzero(on) if hoods.day[k] == d)
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            key = (int(hoods.agent[k]), int(hoods.days_lp.shift[k]))
            counts[key] = counts.get(key, 0) + 1
            assert hoods.days_lp.in_lp[k]  # only the columns the LP staffs
        assert counts and max(counts.values()) <= per_shift


def test_lns_with_day_parts_keeps_every_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    plan = lp_plan(rm)
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]
    result, stats = lns.improve(rm, goal, start, 2.0, workers=1, seed=0, deterministic=True, stop=lambda: False,
                                search=lambda s, m: s.solve(m), params=ONLY.but(day_limit_s=0.5), plan=plan)
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"day"}
    assert goal_of(goal, result) <= goal_of(goal, start)  # a part keeps its roster only when no worse
    assert check_roster(scenario, roster_of(rm, result)) == []


def goal_of(goal, values) -> int:
    return sum(w * t.value(values) for t, w in goal)


def test_models_without_a_plan_or_with_short_shifts_draw_no_day_parts(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    assert lns.Neighbourhoods(rm, seed=0, params=ONLY).days_lp is None  # no plan
    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       demand={"pre_sales": [0] * 8 + [10] * 4})
    rm60 = RosterModel(sc, Grid(sc))
    assert lns.Neighbourhoods(rm60, seed=0, params=ONLY, plan=lp_plan(rm60)).days_lp is None
