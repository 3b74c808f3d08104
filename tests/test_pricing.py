"""Patterns priced from the LP's duals (scheduler.pricing) and the shortest path that prices them
(scheduler.patterns.best_by_count)."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

import scheduler.model
from scheduler.exactness import capped_agents
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.patterns import best_by_count, is_legal
from scheduler.pricing import priced_patterns
from tests.conftest import make_scenario
from tests.test_exactness import SLOW, TWO_SHIFTS, agent, part_time_team, three_day_cap


def test_best_by_count_is_the_best_legal_pattern_of_each_length():
    rng = random.Random(7)
    for _ in range(150):
        n = rng.randint(1, 9)
        high = [rng.random() < 0.4 for _ in range(n)]
        max_run, max_hl = rng.randint(1, 5), rng.randint(1, 4)
        weight = [rng.uniform(-1, 2) for _ in range(n)]
        forbidden = frozenset(k for k in range(n) if rng.random() < 0.15)
        brute: dict[int, float] = {}
        for p in itertools.product((True, False), repeat=n):
            if is_legal(p, high, max_run, max_hl) and not any(p[k] for k in forbidden):
                v = sum(w for w, on in zip(weight, p) if on)
                brute[sum(p)] = max(brute.get(sum(p), -1e18), v)
        got = best_by_count(high, max_run, max_hl, weight, forbidden)
        assert set(got) == set(brute)
        for k, (v, p) in got.items():
            assert is_legal(p, high, max_run, max_hl) and sum(p) == k and not any(p[j] for j in forbidden)
            assert abs(v - brute[k]) < 1e-9


def _priced(sc, monkeypatch):
    # the model's own options without the priced ones, then priced as the model would
    monkeypatch.setattr(scheduler.model, "short_patterns", lambda rm: [])
    rm = RosterModel(sc, Grid(sc))
    return rm, priced_patterns(rm, capped_agents(rm))


def test_a_binding_cap_gets_shorter_patterns_for_the_capped_agents_only(monkeypatch):
    # the four part-timers may work 10 hours a week: 7 + 3 or 5 + 5 need shorter shifts
    rm, (added, info) = _priced(part_time_team(), monkeypatch)
    assert info["status"] == "OPTIMAL" and info["columns"] > 0
    assert added and {rm.agents[a].employee_id for a, _i, _q, _w in added} == {"A3", "A4", "A5", "A6"}
    longest = max(len(o.worked) for o in rm.options if rm.agents[o.agent].employee_id == "A1")
    lengths = {len(w) for _a, _i, _q, w in added}
    assert min(lengths) <= 3 and max(lengths) < longest  # a 3-hour day fills what a 7-hour one leaves


def test_the_model_notes_what_pricing_added():
    from scheduler.workbook.labels import translate_note

    sc = part_time_team()
    rm = RosterModel(sc, Grid(sc))
    note = next(n for n in rm.notes if "priced from the LP's duals" in n)
    assert translate_note(note, "zh") != note  # the workbook's Chinese notes have it too


def test_the_same_scenario_gets_the_same_patterns(monkeypatch):
    # an iteration limit, not a time limit: one-worker runs repeat under any load
    first = _priced(three_day_cap(), monkeypatch)[1][0]
    assert first and first == _priced(three_day_cap(), monkeypatch)[1][0]


def test_no_pattern_is_added_where_the_lp_has_no_use_for_one(monkeypatch):
    # the leads alone serve every customer: no price is positive, so no shorter shift helps
    sc = make_scenario(agents=[agent(1, True), agent(2, True)] + [agent(i, max_hours_week=10) for i in (3, 4)],
                       days=2, shifts=TWO_SHIFTS, demand={"pre_sales": ([0] * 6 + [5] * 16 + [0] * 2) * 2},
                       queues=SLOW, rules={"max_continuous_hours": 4, "min_rest_hours": 8})
    rm, (added, info) = _priced(sc, monkeypatch)
    assert capped_agents(rm) and info["columns"] > 0
    assert added == []


def test_a_failing_pricing_costs_the_patterns_not_the_run(monkeypatch):
    import scheduler.pricing
    from scheduler.workbook.labels import translate_note

    def broken(rm, capped):
        raise RuntimeError("PDLP failed")

    monkeypatch.setattr(scheduler.pricing, "priced_patterns", broken)
    sc = part_time_team()
    rm = RosterModel(sc, Grid(sc))
    note = next(n for n in rm.notes if "no patterns priced" in n)
    assert "PDLP failed" in note and translate_note(note, "zh") != note


def test_the_closing_bound_solves_the_lp_pricing_built_once_and_gets_the_same_bound(monkeypatch):
    import scheduler.bound
    from scheduler.bound import lp_bound

    sc = part_time_team()
    rm = RosterModel(sc, Grid(sc))
    built = rm.bound_lp  # built and solved by pricing
    assert built is not None and built.point is not None and not built.taken
    cold = lp_bound(sc, time_limit_s=5, overflow_cap=6500, lexicographic=False)

    def no_second_build(*args, **kwargs):
        raise AssertionError("the LP was built a second time")

    monkeypatch.setattr(scheduler.bound, "build_lp", no_second_build)
    warm = lp_bound(sc, time_limit_s=5, overflow_cap=6500, lexicographic=False, built=built)
    assert warm["status"] == cold["status"] == "OPTIMAL"
    for key in ("overflow_lb", "shortage_lb_at_cap"):
        assert warm[key] == pytest.approx(cold[key], rel=1e-4, abs=1e-3)
    # lp_bound added its rows to it: it serves one call, another scenario none
    assert built.taken and not built.take(sc, None)


def test_a_locked_model_reuses_the_patterns_priced_without_locks():
    # the culprit search for impossible locks (scheduler.weekly) prices once, without locks, and
    # each trial keeps what pricing it would have added: locks change options, not the LP's prices
    from scheduler.scenario.wishes import Lock

    sc = part_time_team()
    free = RosterModel(sc, Grid(sc))
    assert free.priced_all
    day = sc.config.start
    locked = sc.model_copy(update={"locks": [Lock(2, "A3", day, "off"), Lock(3, "A4", day, TWO_SHIFTS[0]["code"])]})
    own = RosterModel(locked, Grid(locked))
    reused = RosterModel(locked, Grid(locked), priced=free.priced_all)
    assert own.priced_all  # pricing ran there and found patterns
    assert {(o.agent, o.inst, o.queue, o.worked) for o in own.options} == {
        (o.agent, o.inst, o.queue, o.worked) for o in reused.options}


def test_the_lp_is_solved_once_per_model_and_its_primal_point_is_read_per_pool_shift_and_queue():
    from scheduler.bound import primal_counts
    from scheduler.pricing import solved_lp

    sc = part_time_team()
    rm = RosterModel(sc, Grid(sc))  # pricing solved it
    built = solved_lp(rm)
    assert built is rm.bound_lp and solved_lp(rm) is built
    counts = primal_counts(built)
    assert counts is not None and set(counts) == set(built.lp.columns)
    for (g, _i, _q), n in counts.items():
        assert 0 <= n <= built.lp.groups[g].count + 1e-3
    assert sum(counts.values()) > 1  # the team works


def _with_weekly_duals_at_zero(sc, monkeypatch, reason="ITERATION_LIMIT"):
    # the model without priced patterns, its LP solved, then the weekly-hours rows' duals set to 0:
    # what an iteration-limited PDLP point can leave where the converged LP's cap binds
    from scheduler.pricing import _weekly_rows, solved_lp

    monkeypatch.setattr(scheduler.model, "short_patterns", lambda rm: [])
    rm = RosterModel(sc, Grid(sc))
    built = solved_lp(rm)
    dual = built.point.dual.copy()
    dual[list(_weekly_rows(built.proto).values())] = 0.0
    built.point = dataclasses.replace(built.point, dual=dual, reason=reason)
    return rm


def test_a_cap_the_lp_point_fills_binds_even_when_its_dual_is_zero(monkeypatch):
    import scheduler.pricing

    rm = _with_weekly_duals_at_zero(part_time_team(), monkeypatch)
    added, _info = priced_patterns(rm, capped_agents(rm))
    lengths = {len(w) for _a, _i, _q, w in added}
    assert added and min(lengths) <= 3  # the short day that fills what a 7-hour one leaves
    # without the primal test (a share no row reaches) the zero duals say the cap is free
    share = scheduler.pricing.BIND_SHARE
    monkeypatch.setattr(scheduler.pricing, "BIND_SHARE", 2.0)
    fewer, _info = priced_patterns(rm, capped_agents(rm))
    assert {len(w) for _a, _i, _q, w in fewer} != lengths and len(fewer) < len(added)
    # a converged point's duals are believed: the same zero duals, PDLP optimal, the same few patterns
    monkeypatch.setattr(scheduler.pricing, "BIND_SHARE", share)
    converged = _with_weekly_duals_at_zero(part_time_team(), monkeypatch, reason="OPTIMAL")
    assert priced_patterns(converged, capped_agents(converged))[0] == fewer
