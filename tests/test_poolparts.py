"""LNS parts over the whole horizon of a pool of interchangeable agents (`scheduler.poolparts`,
issue 15 item 2): what they free, and that the search keeps every rule."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from scheduler.poolparts import PoolParts
from tests.conftest import greedy_values, make_scenario, service_lns

QUEUES = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
          {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
SHIFTS = [{"code": "N", "start": "22:00", "hours": 8, "night": True}, {"code": "E", "start": "06:00", "hours": 8},
          {"code": "L", "start": "14:00", "hours": 8}]
ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, break_weight=0.0, shift_weight=0.0,
                          chain_weight=0.0)


@pytest.fixture(scope="module")
def scenario():
    """Ten people over four days at 30-minute slots, a 22:00-06:00 night: six alike on pre-sales,
    two on after-sales, two leads who serve both."""
    agents = ([{"employee_id": f"P{k}", "name": f"甲{k}", "home_queue": "pre_sales"} for k in range(6)]
              + [{"employee_id": f"S{k}", "name": f"乙{k}", "home_queue": "after_sales"} for k in range(2)]
              + [{"employee_id": f"L{k}", "name": f"丙{k}", "home_queue": "pre_sales",
                  "skills": ["pre_sales", "after_sales"], "is_lead": True} for k in range(2)])
    day = [10] * 6 + [20, 30, 40, 40, 40, 30, 30, 40, 50, 40, 30, 20] + [40, 60, 60, 40, 30, 20]
    return make_scenario(agents=agents, queues=QUEUES, shifts=SHIFTS, slot_minutes=30, days=4,
                         demand={"pre_sales": day * 4, "after_sales": [x / 3 for x in day] * 4})


def test_pools_are_the_interchangeable_agents(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(pool_weight=1.0))
    assert hoods.pools is not None
    names = sorted(sorted(rm.agents[a].employee_id for a in p) for p in hoods.pools.pools)
    assert names == [["L0", "L1"], [f"P{k}" for k in range(6)], ["S0", "S1"]]


def test_pool_parts_free_whole_weeks_with_the_option_worked_now_and_a_few_of_every_shift(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    per_shift = 2
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(pool_weight=1.0, pool_patterns=per_shift))
    assert hoods.pools is not None
    on = np.asarray(values)[hoods.var]
    shift = hoods.pools.shift
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "pool" and mask.any()
        agents = set(hoods.agent[mask].tolist())
        for k in np.flatnonzero(on):  # the chosen agents' current options stay free, every day
            if int(hoods.agent[k]) in agents:
                assert mask[k]
        for a in agents:  # every day of the horizon an agent may work is free
            assert set(hoods.day[mask & (hoods.agent == a)].tolist()) == set(hoods.day[hoods.agent == a].tolist())
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            counts[int(shift[k])] = counts.get(int(shift[k]), 0) + 1
        assert counts and max(counts.values()) <= per_shift
        # a pool's members come first: the part holds a whole pool or only members of one pool
        pools = [set(p.tolist()) for p in hoods.pools.pools]
        assert any(p <= agents or agents <= p for p in pools)


def test_lns_with_pool_parts_improves_and_keeps_every_rule(scenario):
    rm, start, result, stats = service_lns(scenario, ONLY.but(pool_weight=1.0), seconds=0.6)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"pool"}
    assert stats.improvements >= 1
    assert (overflow.value(result), shortage.value(result)) < (overflow.value(start), shortage.value(start))


def test_no_pool_parts_without_two_alike_agents():
    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       demand={"pre_sales": [0] * 8 + [10] * 4})
    rm = RosterModel(sc, Grid(sc))
    assert lns.Neighbourhoods(rm, seed=0, params=ONLY.but(pool_weight=1.0)).pools is None


def test_a_pool_member_without_a_free_option_is_left_out_of_the_part():
    """Agent 2 of pool [0, 2] has no free option (absent all week, locked, or outside a repair's
    neighbourhood): the part is drawn among the members who have one."""
    agent = np.array([0, 0, 1, 1])
    parts = PoolParts(agent, inst=np.array([0, 1, 0, 1]), queue=np.zeros(4, dtype=np.int64), n_queues=1,
                      pools=[np.array([0, 2]), np.array([1])])
    assert [p.tolist() for p in parts.pools] == [[0], [1]]
    mask = parts.mask(np.array([1, 0, 0, 1]), np.random.default_rng(0), size=2, pool=0, per_shift=1)
    assert mask[agent == 0].any() and len(mask) == 4
