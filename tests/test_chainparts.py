"""LNS parts of 15-minute rosters that move the shifts of many agents over up to a week around a
short slot (`scheduler.chainparts`, issue 15): what they free, and that the search keeps every rule."""

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
SHIFTS = [{"code": "N", "start": "00:00", "hours": 8, "night": True}, {"code": "E", "start": "08:00", "hours": 8},
          {"code": "L", "start": "16:00", "hours": 8}]
ONLY = DEFAULT_PARAMS.but(kind_weights=(0.0, 0.0, 0.0), lp_weight=0.0, break_weight=0.0, shift_weight=0.0,
                          chain_weight=1.0)


@pytest.fixture(scope="module")
def scenario():
    """Ten people over four days at 15-minute slots, three 8-hour shifts, 11 h of rest, and a
    night on the third day that only agents off (or on nights) the day before can work."""
    agents = [{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales" if k % 2 else "after_sales",
               "skills": ["pre_sales", "after_sales"] if k % 3 == 0 else None, "is_lead": k < 2}
              for k in range(10)]
    return short_night_team([{key: v for key, v in a.items() if v is not None} for a in agents])


def short_night_team(agents: list[dict]):
    """`agents` over four days at 15-minute slots, three 8-hour shifts, 11 h of rest, and a night
    on the third day that only agents off (or on nights) the day before can work."""
    day = [0] * 8 + [16, 24, 32, 32, 24, 24, 16, 16, 24, 32, 24, 16, 8, 8, 8, 4]
    night = [50] * 4 + [10] * 4 + day[8:]
    return make_scenario(agents=agents, queues=QUEUES, shifts=SHIFTS, slot_minutes=15, days=4,
                         demand={"pre_sales": day * 2 + night + day, "after_sales": [x / 2 for x in day] * 4},
                         rules={"max_continuous_hours": 2, "max_continuous_high_load_hours": 2,
                                "min_rest_hours": 11})


def _shift_of(hoods, k: int) -> tuple[int, int, int]:
    return int(hoods.agent[k]), int(hoods.chains.inst[k]), int(hoods.queue[k])


def test_chain_parts_free_many_days_of_many_agents_with_few_options_each(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    per_shift = 1
    hoods = lns.Neighbourhoods(rm, seed=0, params=ONLY.but(chain_patterns=per_shift))
    assert hoods.chains is not None  # 32 slots per shift: the kind is on
    on = np.asarray(values)[hoods.var]
    spans = 0
    for _ in range(20):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "chain" and mask.any()
        agents = set(hoods.agent[mask].tolist())
        days = set(hoods.day[mask].tolist())
        spans = max(spans, max(days) - min(days) + 1)
        for k in np.flatnonzero(on):  # the chosen agents' current options in the window stay free
            if int(hoods.agent[k]) in agents and min(days) <= int(hoods.day[k]) <= max(days):
                assert mask[k]
        counts: dict = {}
        for k in np.flatnonzero(mask & (on == 0)):
            counts[_shift_of(hoods, k)] = counts.get(_shift_of(hoods, k), 0) + 1
        # a random pattern of each shift, and one more that works the short slot when it spans it
        assert counts and max(counts.values()) <= 2 * per_shift
    assert spans >= 3  # windows of several days around the slot


def test_chain_parts_put_who_could_work_the_short_slot_first(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=1, params=ONLY)
    on = np.asarray(values)[hoods.var]
    slot = 2 * 96  # the third day's first slot: only the night works it
    d = hoods.slot_days[slot][0]
    mask = hoods.chains.mask(on, hoods.rng, 1, d, d, slot, hoods.queues["pre_sales"], 1,
                             hoods.serves[hoods.queues["pre_sales"]])
    (agent,) = set(hoods.agent[mask].tolist())  # the smallest part: one agent
    chains = hoods.chains
    could = {int(chains.agent[k]) for k in range(len(chains.agent)) if chains.day[k] == d
             and chains.queue[k] == hoods.queues["pre_sales"] and slot in chains.worked[k]}
    works = {int(chains.agent[k]) for k in np.flatnonzero(on) if slot in chains.worked[k]
             and chains.queue[k] == hoods.queues["pre_sales"]}
    assert could - works and agent in could - works


def test_chain_parts_free_nothing_outside_their_window(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    hoods = lns.Neighbourhoods(rm, seed=2, params=ONLY.but(chain_patterns=2))
    on = np.asarray(values)[hoods.var]
    q = hoods.queues["pre_sales"]
    for d0, d1 in ((1, 1), (1, 2), (0, 3)):
        slot = d0 * 96 + 40
        mask = hoods.chains.mask(on, hoods.rng, 10_000, d0, d1, slot, q, 2, hoods.serves[q])
        assert mask.any()
        assert set(hoods.day[mask].tolist()) <= set(range(d0, d1 + 1))


def test_lns_with_chain_parts_improves_and_keeps_every_rule(scenario):
    # 4 deterministic s: the LP-mix patterns (pricing.lp_mix_patterns) grow this model from 4,032
    # to 4,701 options, and chain parts reach the night in 9 parts (2 s: 5, no gain yet)
    rm, start, result, stats = service_lns(scenario, ONLY, 4.0)
    overflow = rm.tiers[0]
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"chain"}
    # the greedy roster leaves the night short (its agents worked the day before); the default
    # kinds alone, the same 2 s, do not move its overflow (measured: 148,800 -> 148,800)
    assert overflow.value(result) < overflow.value(start)


def test_60_minute_models_draw_no_chain_parts():
    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       demand={"pre_sales": [0] * 8 + [10] * 4})
    rm = RosterModel(sc, Grid(sc))
    assert lns.Neighbourhoods(rm, seed=0).chains is None


def test_chain_parts_and_the_late_tiers_share_have_their_own_thresholds_of_slots_per_shift():
    """A 30-minute model of 8-hour shifts (16 slots): chain parts when chain_min_slots_per_shift
    allows, the tiers after service at fine_late_share when fine_late_min_slots_per_shift allows,
    each on its own; no breaks or shifts parts (break_min_slots_per_shift 24)."""
    from scheduler.objective import TierId
    from scheduler.solve import Pipeline, SolveOptions

    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       shifts=[{"code": "E", "start": "08:00", "hours": 8}], slot_minutes=30,
                       demand={"pre_sales": [0] * 8 + [10] * 8})
    rm = RosterModel(sc, Grid(sc))
    chain_only = DEFAULT_PARAMS.but(chain_min_slots_per_shift=16, fine_late_min_slots_per_shift=17)
    late_only = DEFAULT_PARAMS.but(chain_min_slots_per_shift=17, fine_late_min_slots_per_shift=16)
    assert lns.Neighbourhoods(rm, seed=0, params=chain_only).chains is not None
    assert lns.Neighbourhoods(rm, seed=0, params=late_only).chains is None
    assert lns.Neighbourhoods(rm, seed=0, params=chain_only).breaks is None  # break_min_slots_per_shift 24

    def late_ratios(tuning):
        pipe = Pipeline(rm, SolveOptions(100, workers=1, tuning=tuning), None)
        budgets = {t.id: pipe.budget(0, t) for t in pipe.tiers}
        return {tid: b / budgets[TierId.SHORTAGE] for tid, b in budgets.items()
                if tid not in DEFAULT_PARAMS.service_tiers}

    own, fine = late_ratios(chain_only), late_ratios(late_only)
    assert own and fine and late_ratios(DEFAULT_PARAMS) == fine  # the defaults: both at 30 minutes
    assert lns.Neighbourhoods(rm, seed=0).chains is not None
    assert all(r == pytest.approx(DEFAULT_PARAMS.share(tid) / DEFAULT_PARAMS.share(TierId.SHORTAGE))
               for tid, r in own.items())
    assert all(r == pytest.approx(DEFAULT_PARAMS.fine_late_share / DEFAULT_PARAMS.share(TierId.SHORTAGE))
               for r in fine.values())


def test_15_minute_models_give_the_tiers_after_shortage_a_small_share(scenario):
    from scheduler.objective import TierId
    from scheduler.solve import Pipeline, SolveOptions

    def ratios(rm: RosterModel) -> dict:
        pipe = Pipeline(rm, SolveOptions(100, workers=1), None)
        budgets = {t.id: pipe.budget(0, t) for t in pipe.tiers}
        return {tid: b / budgets[TierId.SHORTAGE] for tid, b in budgets.items()}

    fine = ratios(RosterModel(scenario, Grid(scenario)))
    assert fine[TierId.OVERFLOW] == pytest.approx(0.25 / 0.60)
    late = [tid for tid in fine if tid not in DEFAULT_PARAMS.service_tiers]
    assert late and all(fine[tid] == pytest.approx(DEFAULT_PARAMS.fine_late_share / 0.60) for tid in late)
    sc = make_scenario(agents=[{"employee_id": "A", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
                       demand={"pre_sales": [0] * 8 + [10] * 4})
    hourly = ratios(RosterModel(sc, Grid(sc)))  # 60-minute slots: the shares as they were
    assert all(hourly[tid] == pytest.approx(DEFAULT_PARAMS.share(tid) / 0.60) for tid in hourly)
    assert any(tid not in DEFAULT_PARAMS.service_tiers for tid in hourly)
