"""Large-neighbourhood search: parts never make a roster worse, keep every rule and cap, aim
where service is missing, and give the same roster twice with one worker."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

import scheduler.lns as lns
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve
from tests.conftest import greedy_values, roster_of

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DATA / "three_queues_30min")



def _improve(rm: RosterModel, start: list[int], seconds: float, seed: int = 0):
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]
    return lns.improve(rm, goal, start, seconds, workers=1, seed=seed, deterministic=True, stop=lambda: False,
                       search=lambda s, m: s.solve(m))


def test_parts_improve_the_greedy_roster_and_keep_every_rule_and_cap(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    # a cap like the one a solved tier leaves: the parts must respect it
    rm.m.add(shortage.expr <= shortage.value(start))
    result, stats = _improve(rm, start, 3.0)
    before = (overflow.value(start), shortage.value(start))
    after = (overflow.value(result), shortage.value(result))
    assert after < before  # strictly better, lexicographically (deterministic: one worker)
    assert shortage.value(result) <= shortage.value(start)
    assert stats.improvements >= 1 and stats.iterations >= stats.improvements
    assert check_roster(scenario, roster_of(rm, result)) == []


def test_one_worker_and_a_seed_give_the_same_parts_and_roster(scenario):
    runs = []
    for _ in range(2):
        rm = RosterModel(scenario, Grid(scenario))
        result, stats = _improve(rm, greedy_values(rm), 1.5, seed=3)
        assert check_roster(scenario, roster_of(rm, result)) == []
        runs.append((result, stats.iterations, stats.improvements))
    assert runs[0] == runs[1]


def _one_short_slot(rm):
    """Model values in which exactly one slot and queue (t, q) misses service, in the shortage
    tier: (values, the tier, t, q)."""
    values = [0] * len(rm.m.proto.variables)
    shortage = rm.tiers[1]
    k = len(shortage.items) // 2
    values[shortage.items[k].index] = 1
    t, q = shortage.where[k]
    return values, shortage, t, q


def test_slot_parts_free_the_days_around_the_slot_that_misses_service(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    # pretend exactly one slot misses service: every part must be drawn around it
    values, shortage, t, q = _one_short_slot(rm)
    # slot parts only (chain parts, on at 30 minutes, reach further)
    hoods = lns.Neighbourhoods(rm, seed=0, params=DEFAULT_PARAMS.but(kind_weights=(1.0, 0.0, 0.0), chain_weight=0.0))
    day, _ = hoods.slot_days[t]
    for _ in range(20):
        kind, mask = hoods.pick(shortage, values)
        assert kind == "slot" and mask.any()
        days = set(hoods.day[mask].tolist())
        assert days <= {day - 1, day, day + 1} and day in days
        # the agents who can serve the queue come first
        assert np.isin(hoods.agent[mask], hoods.serves[hoods.queues[q]]).any()


def test_a_night_across_midnight_frees_the_night_before_its_early_slots(scenario):
    # data/three_queues_30min: the night shift N runs 22:00-06:00
    rm = RosterModel(scenario, Grid(scenario))
    hoods = lns.Neighbourhoods(rm, seed=0)
    crossing = 0
    for inst in rm.instances:
        d = rm.grid.dates.index(inst.date)
        for t in inst.slots:
            if 0 <= t < rm.grid.n_slots:
                assert hoods.slot_days[t][0] <= d <= hoods.slot_days[t][1]
                crossing += rm.grid.slot_start(t).date() != inst.date
    assert crossing > 0


def test_a_solve_that_uses_lns_says_so_and_its_roster_passes_the_checker(scenario):
    assert len(RosterModel(scenario, Grid(scenario)).options) >= DEFAULT_PARAMS.lns_min_options  # LNS is on here
    roster, report = solve(scenario, SolveOptions(time_limit_s=4, workers=1, seed=1))
    assert check_roster(scenario, roster) == []
    assert any("large-neighbourhood search" in n for n in report.notes)


def test_days_parts_stay_where_the_model_has_free_options(scenario):
    # a repair frees only the end of the horizon: parts drawn elsewhere would free nothing
    grid = Grid(scenario)
    last = grid.dates[-1]
    free_from = next(i.start for i in grid.instances if i.date == last)
    rm = RosterModel(scenario, grid, free_from=free_from)
    hoods = lns.Neighbourhoods(rm, seed=0, params=DEFAULT_PARAMS.but(kind_weights=(0.0, 1.0, 0.0)))
    values = [0] * len(rm.m.proto.variables)
    for _ in range(10):
        kind, mask = hoods.pick(rm.tiers[1], values)
        assert kind == "days" and mask.any()
        assert set(hoods.day[mask].tolist()) <= {len(grid.dates) - 1}


def test_the_comfort_tier_bound_covers_its_spread_terms(scenario):
    # LNS breaks ties with weight = next tier's largest value + 1: for comfort that value must
    # count each spread's maximum (an integer up to the number of days, weight 4), not 4
    rm = RosterModel(scenario, Grid(scenario))
    comfort = next(t for t in rm.tiers if t.name == "comfort")
    spreads = sum(1 for c in comfort.coeffs if c == 4)
    assert spreads >= 1
    assert comfort.upper == 4 * len(rm.grid.dates) * spreads + sum(1 for c in comfort.coeffs if c == 1)


def test_parallel_lanes_improve_and_keep_every_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]
    # a budget in parts, not seconds; each part's wall-clock limit (at least sub_limit_s, longer
    # on a loaded machine: lns.PartClock) is replaced here by a deterministic one, so the test
    # does not depend on the machine's load
    drawn = itertools.count()

    def search(solver: cp_model.CpSolver, model: cp_model.CpModel) -> int:
        assert solver.parameters.max_time_in_seconds >= DEFAULT_PARAMS.sub_limit_s
        solver.parameters.max_time_in_seconds = math.inf
        solver.parameters.max_deterministic_time = DEFAULT_PARAMS.sub_limit_s / DEFAULT_PARAMS.dtime_wall
        return solver.solve(model)

    result, stats = lns.improve(rm, goal, start, 600.0, workers=2, seed=0, deterministic=False,
                                stop=lambda: next(drawn) >= 12, search=search)
    assert 2 <= stats.iterations <= 12 and stats.improvements >= 1
    assert (overflow.value(result), shortage.value(result)) < (overflow.value(start), shortage.value(start))
    assert lns.parts_of(rm).violations(np.array(result)) == []
    assert check_roster(scenario, roster_of(rm, result)) == []


def test_a_part_merged_into_a_moved_roster_has_tight_helpers_and_keeps_every_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    base = np.array(greedy_values(rm), dtype=np.int64)
    parts = lns.parts_of(rm)
    goal = lns._weighted([(rm.tiers[1], 1)])
    # the kinds of part this test was written with (chain parts, on at 30 minutes since, draw
    # other parts from seed 4)
    hoods = lns.Neighbourhoods(rm, seed=4, params=DEFAULT_PARAMS.but(chain_weight=0.0))
    hoods.sizes = {k: 300 for k in hoods.sizes}
    solved = []
    for _ in range(2):  # two parts drawn from the same roster, as two lanes would
        _, mask = hoods.pick(rm.tiers[1], base.tolist())
        sub, free_vars, _ = parts.build(hoods.var[mask], base, goal)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 2
        solver.parameters.num_workers = 1
        assert solver.solve(sub) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        candidate = base.copy()
        candidate[free_vars] = list(solver.response_proto.solution)
        solved.append(candidate)
    assert (solved[1][hoods.var] != base[hoods.var]).any()
    merged = lns.merge_changes(parts, solved[0], base, solved[1], hoods.var)
    assert merged is not None and parts.violations(merged) == []
    # the second part's options are in, and every helper they move is recomputed from them
    changed = hoods.var[solved[1][hoods.var] != base[hoods.var]]
    assert (merged[changed] == solved[1][changed]).all()
    tight = rm.complete_hint({id(o) for o in rm.options if merged[o.var.index]})
    moved = set(parts.free_variables(changed).tolist()) & {v.index for v, _ in rm.derived}
    assert moved and all(int(merged[i]) == tight[i] for i in moved)
    assert check_roster(scenario, roster_of(rm, merged.tolist())) == []


def test_a_lane_that_fails_stops_the_search_and_fails_it_in_the_callers_thread(scenario, monkeypatch):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    parts = lns.parts_of(rm)
    build, calls = parts.build, []

    def fourth_part_breaks(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # one lane's part; the other lane is fine
            raise RuntimeError("part model broke")
        return build(*args, **kwargs)

    monkeypatch.setattr(parts, "build", fourth_part_breaks)
    goal = [(rm.tiers[0], 1)]
    with pytest.raises(RuntimeError, match="part model broke"):
        lns.improve(rm, goal, start, 20.0, workers=2, seed=0, deterministic=False, stop=lambda: False,
                    search=lambda s, m: s.solve(m))
    assert len(calls) <= 6  # the other lane finished the part it had, and drew no other


def test_kinds_of_part_that_gain_are_drawn_more_and_none_is_starved(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    hoods = lns.Neighbourhoods(rm, seed=0)
    assert np.allclose(hoods.weights(lns.KINDS), DEFAULT_PARAMS.kind_weights)  # before any part: the prior
    for _ in range(DEFAULT_PARAMS.warm_up):
        hoods.adapt("slot", True, gain=30, seconds=0.1)
        hoods.adapt("agents", True, gain=10, seconds=0.1)
        hoods.adapt("days", True, gain=0, seconds=0.1)
    w = dict(zip(lns.KINDS, hoods.weights(lns.KINDS)))
    assert w["slot"] > w["agents"] > w["days"] > 0
    assert w["days"] == pytest.approx(DEFAULT_PARAMS.min_share / (1 + DEFAULT_PARAMS.min_share))
    # the rate follows recent parts: slot parts that stop gaining lose their lead
    for _ in range(3 * DEFAULT_PARAMS.rate_memory):
        hoods.adapt("slot", True, gain=0, seconds=0.1)
    w = dict(zip(lns.KINDS, hoods.weights(lns.KINDS)))
    assert w["agents"] > w["slot"]
    # draws follow the weights; a roster that misses no service draws no slot part
    drawn = Counter(hoods.pick(rm.tiers[1], [0] * len(rm.m.proto.variables))[0] for _ in range(200))
    assert drawn["slot"] == 0 and drawn["agents"] > drawn["days"] > 0


def test_a_kinds_parts_grow_after_proved_parts_and_shrink_after_others_by_the_size_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    params = DEFAULT_PARAMS.but(initial_size=1000, size_grow=1.1, size_shrink=0.7)
    hoods = lns.Neighbourhoods(rm, seed=0, params=params)
    hoods.adapt("slot", True)
    assert hoods.sizes["slot"] == min(hoods.n_options, 1100) and hoods.sizes["days"] == 1000
    hoods.adapt("days", False)
    hoods.adapt("days", False)
    assert hoods.sizes["days"] == int(int(1000 * 0.7) * 0.7)  # 489: whole options, rounded down
    for _ in range(20):
        hoods.adapt("days", False)
    assert hoods.sizes["days"] == 200  # never below 200 options
    with pytest.raises(ValueError, match="size_shrink"):
        DEFAULT_PARAMS.but(size_shrink=0)


def test_a_parts_wall_limit_is_sub_limit_s_on_a_quiet_machine_and_stretches_under_load():
    # several workers: 0.2 s of wall per part, as on 2026-11-29 (a deterministic limit alone halved
    # the parts per second with two lanes on a quiet machine), but never less than part_min_dtime
    # of CP-SAT's work (a 0.2-s wall limit found nothing at load 12-14)
    p = DEFAULT_PARAMS
    clock = lns.PartClock(p)
    assert clock.wall_limit(p.sub_limit_s) == pytest.approx(p.sub_limit_s)
    for _ in range(10):  # a quiet machine: two lanes, about 3 wall seconds per deterministic second
        clock.record(0.2, 0.2 / 3, finished=False)
    assert clock.wall_limit(p.sub_limit_s) == pytest.approx(p.sub_limit_s)
    assert clock.wall_limit(0.05) == pytest.approx(3 * p.part_min_dtime, rel=0.05)  # the tier's last moments
    for _ in range(30):  # a loaded machine: 40 wall seconds per deterministic second
        clock.record(0.2, 0.2 / 40, finished=False)
    assert clock.wall_limit(p.sub_limit_s) == pytest.approx(40 * p.part_min_dtime, rel=0.05)
    before = clock.wall_per_dtime
    clock.record(0.05, 0.0001, finished=True)  # a part proved at once says nothing about the machine
    assert clock.wall_per_dtime == before
