"""LNS parts of 15-minute rosters that pair the agents who could cover a short slot with
part-timers, over the whole horizon (`scheduler.horizonparts`, issue 15 item 1): what they free,
and that the search keeps every rule."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from tests.conftest import greedy_values, make_scenario, service_lns
from tests.test_chainparts import SHIFTS, short_night_team

ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, break_weight=0.0, shift_weight=0.0,
                          chain_weight=0.0, horizon_weight=1.0)


@pytest.fixture(scope="module")
def scenario():
    """Ten people over four days at 15-minute slots, three 8-hour shifts and 11 h of rest: six
    regulars (two serve both queues), four part-timers (flex, 24 h a week) on after-sales, and a
    night on the third day that only agents off (or on nights) the day before can work."""
    agents = [{"employee_id": f"R{k}", "name": f"甲{k}", "home_queue": "pre_sales",
               **({"skills": ["pre_sales", "after_sales"]} if k < 2 else {}), "is_lead": k < 2} for k in range(6)]
    agents += [{"employee_id": f"F{k}", "name": f"乙{k}", "home_queue": "after_sales", "kind": "flex",
                "efficiency": 0.7, "max_hours_week": 24} for k in range(4)]
    return short_night_team(agents)


def _ids(rm, agents) -> set[str]:
    return {rm.agents[int(a)].employee_id for a in agents}


def test_horizon_parts_free_whole_horizons_of_slot_coverers_and_part_timers(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY)
    horizon = hoods.horizon
    assert horizon is not None and _ids(rm, horizon.part_time) == {f"F{k}" for k in range(4)}
    on = np.asarray(values)[hoods.var]
    shift = horizon.shift
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "horizon" and mask.any()
        agents = set(hoods.agent[mask].tolist())
        for a in agents:  # every day an agent may work is free: the whole horizon
            assert set(hoods.day[mask & (hoods.agent == a)].tolist()) == set(hoods.day[hoods.agent == a].tolist())
        for k in np.flatnonzero(on):  # the chosen agents' current options stay free
            if int(hoods.agent[k]) in agents:
                assert mask[k]
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            counts[int(shift[k])] = counts.get(int(shift[k]), 0) + 1
        # a random pattern of each shift, and one more that works the short slot when it spans it
        assert counts and max(counts.values()) <= 2


def test_horizon_parts_take_a_coverer_and_a_part_timer_in_turn(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=1, params=ONLY)
    horizon = hoods.horizon
    assert horizon is not None
    on = np.asarray(values)[hoods.var]
    q = hoods.queues["pre_sales"]
    slot = 2 * 96  # the third day's first slot: only the night works it
    order, slot_opts = horizon.order(on, hoods.rng, slot, q, hoods.serves[q], 0, 3)
    could = set(horizon.agent[slot_opts].tolist())
    now = {int(horizon.agent[k]) for k in slot_opts if on[k] > 0}
    first, part_time = could - now, set(horizon.part_time.tolist())
    assert first and order[0] in first and order[1] in part_time
    assert len(set(order.tolist())) == len(order)  # nobody twice
    assert set(order.tolist()) >= first | part_time
    # the smallest part: one agent's whole horizon, and a window of days is kept
    mask = horizon.mask(on, hoods.rng, 1, 1, 2, slot, q, 1, hoods.serves[q])
    assert len(set(hoods.agent[mask].tolist())) == 1 and set(hoods.day[mask].tolist()) <= {1, 2}


def test_lns_with_horizon_parts_improves_and_keeps_every_rule(scenario):
    rm, start, result, stats = service_lns(scenario, ONLY)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"horizon"}
    assert stats.improvements >= 1
    assert (overflow.value(result), shortage.value(result)) < (overflow.value(start), shortage.value(start))


def test_no_horizon_parts_without_part_timers_or_at_60_minutes(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    assert lns.Neighbourhoods(rm, seed=0, params=ONLY.but(horizon_min_slots_per_shift=33)).horizon is None
    regulars = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                             shifts=SHIFTS, slot_minutes=15, demand={"pre_sales": [0] * 32 + [10] * 64})
    assert lns.Neighbourhoods(RosterModel(regulars, Grid(regulars)), seed=0, params=ONLY).horizon is None
    hourly = make_scenario(agents=[{"employee_id": "F", "name": "乙", "home_queue": "pre_sales", "kind": "flex",
                                    "max_hours_week": 24}], demand={"pre_sales": [0] * 8 + [10] * 4})
    assert lns.Neighbourhoods(RosterModel(hourly, Grid(hourly)), seed=0, params=ONLY).horizon is None
