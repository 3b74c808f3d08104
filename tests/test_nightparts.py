"""LNS parts for the night exchange (`scheduler.nightparts`, issue 15 item 2): one more agent on a
short night, in exchange for a shift of that day or the next; what they free, and that the search
keeps every rule."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from tests.conftest import greedy_values, make_scenario, roster_of

QUEUES = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
          {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
# 30-minute slots, 8-hour shifts (16 slots: the chain parts' threshold), a 22:00-06:00 night
SHIFTS = [{"code": "N", "start": "22:00", "hours": 8, "night": True}, {"code": "E", "start": "06:00", "hours": 8},
          {"code": "L", "start": "14:00", "hours": 8}]
ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, chain_weight=0.0, night_weight=1.0)


@pytest.fixture(scope="module")
def scenario():
    """Ten people over three days, 11 h of rest, a busy day and a busier night after it on
    pre-sales (the night of the second day)."""
    agents = [{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales" if k % 2 else "after_sales",
               "skills": ["pre_sales", "after_sales"] if k % 3 == 0 else None, "is_lead": k < 2}
              for k in range(10)]
    agents = [{key: v for key, v in a.items() if v is not None} for a in agents]
    day = [0] * 6 + [16, 24, 32, 32, 24, 24, 16, 16, 24, 32, 24, 16, 8, 8, 8, 4, 4, 4]
    busy = [20] * 6 + [30] * 16 + [40, 40]
    night = [40] * 6 + day[6:]
    return make_scenario(agents=agents, queues=QUEUES, shifts=SHIFTS, slot_minutes=30, days=3,
                         demand={"pre_sales": day + busy + night, "after_sales": [x / 2 for x in day] * 3},
                         rules={"min_rest_hours": 11})


def test_night_parts_free_a_short_nights_days_with_few_options_each(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY)
    nights = hoods.nights
    assert nights is not None and hoods.chains is None  # 16 slots and a night shift: the kind is on
    on = np.asarray(values)[hoods.var]
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "night" and mask.any()
        agents = set(hoods.agent[mask].tolist())
        days = set(hoods.day[mask].tolist())
        assert max(days) - min(days) <= 2  # the night's date and the next (and the day before)
        for k in np.flatnonzero(on):  # the chosen agents' current options in the window stay free
            if int(hoods.agent[k]) in agents and min(days) <= int(hoods.day[k]) <= max(days):
                assert mask[k]
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            shift = (int(hoods.agent[k]), int(nights.inst[k]), int(hoods.queue[k]))
            counts[shift] = counts.get(shift, 0) + 1
        # one pattern of a shift others work now, and the night's patterns that work the slot
        assert not counts or max(counts.values()) <= 1 + ONLY.night_patterns


def test_night_parts_offer_what_others_work_now_and_who_could_take_the_night_first(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=1, params=ONLY)
    nights = hoods.nights
    on = np.asarray(values)[hoods.var]
    q = hoods.queues["pre_sales"]
    slot = 2 * 48 - 2  # 23:00 of the second day: only its night works it
    d = hoods.slot_days[slot][0]
    assert nights.night_slot[slot] and not nights.night_slot[48 + 20]
    mask = nights.mask(on, hoods.rng, 10_000, d, d + 1, slot, q, 1, hoods.serves[q])
    worked_now = set(nights.key[(on > 0) & (hoods.day >= d) & (hoods.day <= d + 1)].tolist())
    night_slot = [k for k in np.flatnonzero(mask) if nights.night_inst[nights.inst[k]]
                  and hoods.queue[k] == q and slot in nights.worked[k]]
    for k in np.flatnonzero(mask & (on == 0)):  # a pattern somebody works now, or the night's
        assert int(nights.key[k]) in worked_now or k in night_slot
    assert set(hoods.day[mask].tolist()) <= {d, d + 1}
    smallest = nights.mask(on, hoods.rng, 1, d, d + 1, slot, q, 1, hoods.serves[q])
    (agent,) = set(hoods.agent[smallest].tolist())  # the smallest part: one agent
    could = {int(hoods.agent[k]) for k in night_slot}
    doing = {int(hoods.agent[k]) for k in night_slot if on[k]}
    assert could - doing and agent in could - doing


def test_night_parts_weigh_the_night_slots_that_miss_service(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    nights = lns.Neighbourhoods(rm, seed=0, params=ONLY).nights
    slots = np.array([10, 47, 60])
    assert nights.slot_weights(slots, np.array([1.0, 2.0, 3.0])).tolist() == [0.0, 2.0, 0.0]
    assert nights.slot_weights(slots, np.array([1.0, 0.0, 3.0])).tolist() == [1.0, 0.0, 3.0]  # no night short


def test_lns_with_night_parts_improves_and_keeps_every_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]
    result, stats = lns.improve(rm, goal, start, 2.0, workers=1, seed=0, deterministic=True, stop=lambda: False,
                                search=lambda s, m: s.solve(m), params=ONLY)
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"night"}
    # the overflow is at its least already (the night's demand is more than ten agents can serve)
    assert overflow.value(result) <= overflow.value(start) and shortage.value(result) < shortage.value(start)
    assert check_roster(scenario, roster_of(rm, result)) == []


def test_models_without_night_shifts_or_with_short_shifts_draw_no_night_parts():
    day_only = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                             shifts=[{"code": "E", "start": "08:00", "hours": 8}], slot_minutes=30,
                             demand={"pre_sales": [0] * 8 + [10] * 8})
    assert lns.Neighbourhoods(RosterModel(day_only, Grid(day_only)), seed=0, params=ONLY).nights is None
    midnight = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                             shifts=[{"code": "N", "start": "00:00", "hours": 8, "night": True}], slot_minutes=30,
                             demand={"pre_sales": [10] * 8}, days=2)
    # a night that starts at midnight has no next morning to trade with
    assert lns.Neighbourhoods(RosterModel(midnight, Grid(midnight)), seed=0, params=ONLY).nights is None
    hourly = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                           shifts=[{"code": "N", "start": "22:00", "hours": 8, "night": True}],
                           demand={"pre_sales": [0] * 22 + [10] * 2}, days=2)
    assert lns.Neighbourhoods(RosterModel(hourly, Grid(hourly)), seed=0, params=ONLY).nights is None  # 8 slots
    assert lns.Neighbourhoods(RosterModel(hourly, Grid(hourly)), seed=0).nights is None  # off by default
