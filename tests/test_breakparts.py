"""LNS parts of 15-minute rosters that move breaks or whole shifts of many agents
(`scheduler.breakparts`, issue 15): what they free, and that the search keeps every rule."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from tests.conftest import greedy_values, make_scenario, service_lns

QUEUES = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
          {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
SHIFTS = [{"code": "E", "start": "06:00", "hours": 8}, {"code": "L", "start": "12:00", "hours": 8}]
ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, chain_weight=0.0)


@pytest.fixture(scope="module")
def scenario():
    """Eight people over two days at 15-minute slots, 8-hour shifts, runs of at most 2 hours."""
    agents = [{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales" if k % 2 else "after_sales",
               "skills": ["pre_sales", "after_sales"] if k % 3 == 0 else None, "is_lead": k < 2}
              for k in range(8)]
    agents = [{key: v for key, v in a.items() if v is not None} for a in agents]
    day = [0] * 6 + [40, 60, 80, 80, 60, 60, 40, 40, 60, 80, 60, 40, 20, 20] + [0] * 4
    return make_scenario(agents=agents, queues=QUEUES, shifts=SHIFTS, slot_minutes=15, days=2,
                         demand={"pre_sales": day * 2, "after_sales": [x / 2 for x in day] * 2},
                         rules={"max_continuous_hours": 2, "max_continuous_high_load_hours": 2})


def _shift_of(hoods, k: int) -> tuple[int, int, int]:
    return int(hoods.agent[k]), int(hoods.breaks.inst[k]), int(hoods.queue[k])


def test_breaks_parts_free_only_the_patterns_of_the_shifts_worked_now(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(break_weight=1.0, shift_weight=0.0))
    assert hoods.breaks is not None  # 32 slots per shift: the kind is on
    on = np.asarray(values)[hoods.var]
    worked = {_shift_of(hoods, k) for k in np.flatnonzero(on)}
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "breaks" and mask.any()
        free = {_shift_of(hoods, k) for k in np.flatnonzero(mask)}
        assert free <= worked  # only shifts worked now
        for key in free:  # ... with every pattern of each
            assert sum(1 for k in range(len(hoods.var)) if _shift_of(hoods, k) == key) == \
                sum(1 for k in np.flatnonzero(mask) if _shift_of(hoods, k) == key)


def test_shifts_parts_offer_the_option_worked_now_and_a_few_of_every_other_shift(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    per_shift = 2
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(break_weight=0.0, shift_weight=1.0,
                                                           shift_patterns=per_shift))
    on = np.asarray(values)[hoods.var]
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "shifts" and mask.any()
        agents = set(hoods.agent[mask].tolist())
        days = set(hoods.day[mask].tolist())
        for k in np.flatnonzero(on):  # the chosen agents' current options in the window stay free
            if int(hoods.agent[k]) in agents and int(hoods.day[k]) in days:
                assert mask[k]
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            counts[_shift_of(hoods, k)] = counts.get(_shift_of(hoods, k), 0) + 1
        assert counts and max(counts.values()) <= per_shift


def test_lns_with_breaks_and_shifts_parts_improves_and_keeps_every_rule(scenario):
    rm, start, result, stats = service_lns(scenario, ONLY.but(break_weight=1.0, shift_weight=1.0))
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    assert stats.iterations >= 2
    assert (overflow.value(result), shortage.value(result)) <= (overflow.value(start), shortage.value(start))


def test_60_minute_models_draw_neither_kind():
    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       demand={"pre_sales": [0] * 8 + [10] * 4})
    rm = RosterModel(sc, Grid(sc))
    assert lns.Neighbourhoods(rm, seed=0).breaks is None


def test_a_breaks_part_where_nobody_works_becomes_a_slot_part(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(break_weight=1.0, shift_weight=0.0))
    nobody = [0] * len(rm.m.proto.variables)  # no shift worked anywhere, and service missing
    for x in rm.tiers[1].items:
        if not isinstance(x, int):
            nobody[x.index] = 1
    kind, mask = hoods.pick(rm.tiers[1], nobody)
    assert kind == "slot" and mask.any()  # never an empty part, which would grow the breaks parts
