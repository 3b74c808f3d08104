"""The Dantzig-Wolfe bound of scheduler.bound_dw: its pricing DP finds exactly the least legal week
(against brute force with an independent reading of the weekly rules), the bound never passes the
exact optimum of tiny teams (tests/exact_roster.py), never falls below the pooled LP, and rises
above it where pooling a week's rules loses."""

from __future__ import annotations

import datetime as dt
import time
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.bound import build_lp, lp_bound
from scheduler.bound_dw import WeekDP, agent_types, dw_bound
from scheduler.rules import HARD_RULES, MaxNightShifts
from tests.conftest import make_scenario
from tests.exact_roster import exact_optimum

NIGHT_AND_DAY = [{"code": "N", "start": "22:00", "hours": 4, "night": True},
                 {"code": "D", "start": "10:00", "hours": 4}, {"code": "E", "start": "05:00", "hours": 4}]


def _legal(grid, rules, week: list[int]) -> bool:
    """SPEC 3.2 for one agent's week, read afresh: one shift a date, rest between every two
    shifts, consecutive dates, night shifts."""
    insts = [grid.instances[i] for i in week]
    if len({x.date for x in insts}) < len(insts):
        return False
    rest = dt.timedelta(hours=rules.min_rest_hours)
    for a in insts:
        for b in insts:
            if a.start < b.start and b.start < a.end + rest:
                return False
    if sum(x.night for x in insts) > rules.max_night_shifts:
        return False
    dates = sorted(x.date for x in insts)
    run = best = 0
    for n, d in enumerate(dates):
        run = run + 1 if n and d - dates[n - 1] == dt.timedelta(days=1) else 1
        best = max(best, run)
    return best <= rules.max_consecutive_days


@settings(max_examples=60, deadline=None, derandomize=True)
@given(weights=st.lists(st.integers(-5, 3), min_size=15, max_size=15), nights=st.integers(0, 3),
       run=st.integers(1, 4), rest=st.sampled_from([0, 8, 11, 20, 30]))
def test_the_pricing_dp_finds_the_least_legal_week(weights, nights, run, rest):
    """Brute force over every set of instances, legal by `_legal`: the DP's least weight is theirs
    and its week is legal (a DP that lets a week break rest, or forbids a legal one, fails)."""
    lp, t, dp = one_agent_dp(5, NIGHT_AND_DAY, max_night_shifts=nights, max_consecutive_days=run, min_rest_hours=rest)
    weight = {i: float(w) for i, w in zip(sorted(t.insts), weights)}
    cost, week = dp.best(weight)
    assert _legal(lp.grid, lp.rules, week)
    assert cost == pytest.approx(sum(weight[i] for i in week))
    by_date = [t.by_date.get(d, []) for d in range(dp.n_dates)]
    least = min(sum(weight[i] for i in w) for pick in product(*[[None, *ds] for ds in by_date])
                if _legal(lp.grid, lp.rules, w := [i for i in pick if i is not None]))
    assert cost == pytest.approx(least)


LEAD = [{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True}]


def one_agent_dp(days: int, shifts: list[dict], hours: bool = False, **rules):
    """One lead over `days` dates, one agent needed in every hour: (the pooled LP, its one agent
    type, the pricing DP of that type) under `rules`."""
    sc = make_scenario(agents=LEAD, days=days, shifts=shifts, demand={"pre_sales": [1] * (24 * days)},
                       rules={"max_continuous_hours": 4, **rules})
    lp, _o, _s = build_lp(sc)
    (t,) = agent_types(lp)
    return lp, t, WeekDP(lp, t, hours=hours)


def team(n: int) -> list[dict]:
    """n leads on pre-sales, A1..An."""
    return [{"employee_id": f"A{i}", "name": f"乙{i}", "home_queue": "pre_sales", "is_lead": True}
            for i in range(1, n + 1)]


def three_dates(agents: list[dict], levels: list[float], absences: list[dict] | None = None, **rules):
    """`agents` over three dates with a night and a day shift; demand `levels[k]` in the k-th of the
    four-hour blocks at 05:00, 10:00 and 22:00 of each date; `rules` (at most 3 h without a break)."""
    hours = [0] * 72
    for k, (d, start) in enumerate(product(range(3), (5, 10, 22))):
        for h in range(4):
            if d * 24 + start + h < 72:
                hours[d * 24 + start + h] = levels[k]
    return make_scenario(agents=agents, days=3, shifts=NIGHT_AND_DAY, demand={"pre_sales": hours},
                         absences=absences or [], rules={"max_continuous_hours": 3, **rules})


def night_then_morning():
    """One lead, three dates, a 4-hour night (22:00) and a day shift (10:00), one night at most:
    the day after a night is too soon (11 hours' rest). One agent is needed in the first night, the
    second day and the second night. A week can serve only one of them (the first night forbids
    the second day, the nights are one at most, the second day and night share a date); bound.py's
    pooled rows (each pair at most 1) let the LP work each at one half."""
    hours = [0] * 72
    for h in [22, 23, 24, 25, 34, 35, 36, 37, 46, 47, 48, 49]:
        hours[h] = 10
    return make_scenario(agents=LEAD, days=3, demand={"pre_sales": hours},
                         shifts=[{"code": "N", "start": "22:00", "hours": 4, "night": True},
                                 {"code": "D", "start": "10:00", "hours": 4}],
                         rules={"max_night_shifts": 1, "min_rest_hours": 11, "max_continuous_hours": 4})


def test_the_week_bound_beats_pooling_where_a_week_serves_one_of_three():
    sc = night_then_morning()
    over, short = exact_optimum(sc)
    assert (over, short) == (80, 8)  # 8 unserved hours at 10 customers; 8 agent-hours short
    pooled = lp_bound(sc, overflow_cap=float(over), lp_solver="GLOP")
    dw = dw_bound(sc, time_limit_s=20, overflow_cap=float(over))
    # pooled: each at a half, and the rounding cut asks 10 * (1 - 1/2) per hour: 60
    assert pooled["overflow_lb"] == pytest.approx(60, rel=1e-4)
    assert dw["overflow_lb"] == pytest.approx(80, rel=1e-4)
    assert dw["shortage_lb_at_cap"] == pytest.approx(8, rel=1e-4)
    assert dw["shortage_lb_any"] == pytest.approx(8, rel=1e-4)
    assert dw["status"] == {"overflow": "OPTIMAL", "shortage_at_cap": "OPTIMAL", "shortage": "OPTIMAL"}


def test_a_bound_from_the_first_duals_is_weaker_never_wrong():
    """One restricted master per phase (only the week with no shift, then the first weeks priced):
    the bound is L of unconverged duals, there and below the optimum; with no time at all there is
    none (never one above the optimum)."""
    sc = night_then_morning()
    out = dw_bound(sc, time_limit_s=20, overflow_cap=80.0, max_iterations=1)
    assert out["status"]["overflow"] == "ITERATION_LIMIT"  # (later phases start with its weeks)
    for key, optimum in (("overflow_lb", 80), ("shortage_lb_at_cap", 8), ("shortage_lb_any", 8)):
        assert out[key] is not None and out[key] <= optimum + 1e-6
    none = dw_bound(sc, time_limit_s=0.0, overflow_cap=80.0)
    assert none["overflow_lb"] is None and none["shortage_lb_any"] is None


def test_a_rule_set_without_a_weekly_rule_is_refused():
    """The priced weeks keep the four weekly rules; a bound for a rule set without one of them
    would miss legal weeks, so it is not computed."""
    sc = night_then_morning()
    with pytest.raises(ValueError, match="MaxNightShifts"):
        dw_bound(sc, hard_rules=[r for r in HARD_RULES if not isinstance(r, MaxNightShifts)])


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 3), absent=st.booleans(), levels=st.lists(st.sampled_from([0, 5, 10, 15, 25]),
                                                                       min_size=9, max_size=9),
       nights=st.integers(0, 2), run=st.integers(1, 3), rest=st.sampled_from([8, 11, 20]))
def test_the_week_bound_lies_between_the_pooled_lp_and_the_exact_optimum(n, absent, levels, nights, run, rest):
    """Random tiny teams over three dates with binding rest, consecutive-day and night rules (and
    perhaps an absence that splits the pool): pooled LP <= DW bound <= exact optimum."""
    agents = [{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True}]
    agents += [{"employee_id": f"A{i}", "name": f"乙{i}", "home_queue": "pre_sales", "is_lead": True}
               for i in range(2, n + 1)]
    absences = ([{"employee_id": f"A{n}", "start": "2026-11-12 00:00", "end": "2026-11-13 00:00", "reason": "x"}]
                if absent and n > 1 else [])
    sc = three_dates(agents, levels, absences=absences, max_night_shifts=nights, max_consecutive_days=run,
                     min_rest_hours=rest)
    over, short = (float(x) for x in exact_optimum(sc, time_limit_s=30))
    dw = dw_bound(sc, time_limit_s=30, overflow_cap=over)
    pooled = lp_bound(sc, overflow_cap=over, lp_solver="GLOP")
    assert dw["overflow_lb"] <= over * (1 + 1e-6) + 1e-6
    assert dw["shortage_lb_at_cap"] <= short * (1 + 1e-6) + 1e-6
    assert dw["shortage_lb_any"] <= short * (1 + 1e-6) + 1e-6
    assert dw["status"] == {"overflow": "OPTIMAL", "shortage_at_cap": "OPTIMAL", "shortage": "OPTIMAL"}
    assert dw["overflow_lb"] >= pooled["overflow_lb"] - 1e-4 * (1 + pooled["overflow_lb"])
    assert dw["shortage_lb_any"] >= pooled["shortage_lb_any"] - 1e-4 * (1 + pooled["shortage_lb_any"])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(weights=st.lists(st.integers(-5, 3), min_size=15, max_size=15), nights=st.integers(0, 3),
       run=st.integers(1, 4), rest=st.sampled_from([0, 11, 20]), n=st.integers(1, 6))
def test_the_dp_s_few_weeks_are_legal_and_the_first_is_the_least(weights, nights, run, rest, n):
    """`best_few`: the least week first (as `best`), then up to n - 1 others, each legal, each with
    its own weight sum, cheapest first, no week twice."""
    lp, t, dp = one_agent_dp(5, NIGHT_AND_DAY, max_night_shifts=nights, max_consecutive_days=run, min_rest_hours=rest)
    weight = {i: float(w) for i, w in zip(sorted(t.insts), weights)}
    few = dp.best_few(weight, n)
    assert 1 <= len(few) <= n and few[0][0] == pytest.approx(dp.best(weight)[0])
    assert [c for c, _w in few] == sorted(c for c, _w in few)
    assert len({tuple(w) for _c, w in few}) == len(few)
    for cost, week in few:
        assert _legal(lp.grid, lp.rules, week)
        assert cost == pytest.approx(sum(weight[i] for i in week))


def _a_roster(sc):
    from scheduler.solve import SolveOptions, solve
    roster, _report = solve(sc, SolveOptions(2.0, workers=1, seed=0))
    return roster


@pytest.mark.parametrize("speed", [{"smoothing": 0.5}, {"few": 3}, {"few": 3, "smoothing": 0.7, "start": True}])
def test_the_speed_options_converge_to_the_same_bound(speed):
    """Start weeks from a roster, several weeks per type and iteration, and Wentges smoothing
    change the path, not the converged value: the hand case's 80 / 8 (the exact optimum)."""
    sc = night_then_morning()
    if speed.pop("start", False):
        speed["start"] = _a_roster(sc)
    dw = dw_bound(sc, time_limit_s=20, overflow_cap=80.0, **speed)
    assert dw["overflow_lb"] == pytest.approx(80, rel=1e-4)
    assert dw["shortage_lb_at_cap"] == pytest.approx(8, rel=1e-4)
    assert dw["status"] == {"overflow": "OPTIMAL", "shortage_at_cap": "OPTIMAL", "shortage": "OPTIMAL"}


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 3), levels=st.lists(st.sampled_from([0, 5, 10, 15, 25]), min_size=9, max_size=9),
       nights=st.integers(0, 2), run=st.integers(1, 3), rest=st.sampled_from([8, 11, 20]))
def test_a_roster_started_smoothed_bound_stays_below_the_exact_optimum(n, levels, nights, run, rest):
    """The shortage at the optimal overflow, only that phase, started from a roster's weeks, with
    smoothing and several weeks per iteration: at most the exact optimum, and the same value as
    the plain column generation (both converged)."""
    sc = three_dates(team(n), levels, max_night_shifts=nights, max_consecutive_days=run, min_rest_hours=rest)
    over, short = (float(x) for x in exact_optimum(sc, time_limit_s=30))
    fast = dw_bound(sc, time_limit_s=30, overflow_cap=over, lexicographic=False, overflow_phase=False,
                    start=_a_roster(sc), few=4, smoothing=0.6)
    plain = dw_bound(sc, time_limit_s=30, overflow_cap=over, lexicographic=False)
    assert fast["status"]["shortage_at_cap"] == "OPTIMAL"
    assert fast["shortage_lb_at_cap"] <= short * (1 + 1e-6) + 1e-6
    assert fast["shortage_lb_at_cap"] == pytest.approx(plain["shortage_lb_at_cap"], rel=1e-5, abs=1e-5)


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 3), levels=st.lists(st.sampled_from([0, 5, 10, 15, 25]), min_size=9, max_size=9),
       nights=st.integers(0, 2), rest=st.sampled_from([8, 11, 20]))
def test_the_ceiling_lies_between_the_week_bound_and_the_roster(n, levels, nights, rest):
    """benchmarks.dw_ceiling: the master restricted to a roster's weeks is above the converged week
    bound, whole schedules (breaks=1) above weeks of instances, and the roster itself above both."""
    from benchmarks.dw_ceiling import ceiling
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis

    sc = three_dates(team(n), levels, max_night_shifts=nights, min_rest_hours=rest)
    roster = _a_roster(sc)
    kpi = summary_kpis(sc, Grid(sc), roster)
    cap, short = kpi["overflow_customer_hours"], kpi["shortage_agent_hours"]
    dw = dw_bound(sc, time_limit_s=30, overflow_cap=cap, lexicographic=False)
    weeks, whole = ceiling(sc, roster, cap), ceiling(sc, roster, cap, breaks=True)
    assert dw["status"]["shortage_at_cap"] == "OPTIMAL"
    tol = 1e-6 * (1 + short)
    assert dw["shortage_lb_at_cap"] <= weeks["ceiling"] + tol
    assert weeks["ceiling"] <= whole["ceiling"] + tol
    assert whole["ceiling"] <= short + tol and whole["cap_excess"] <= 1e-6


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(weights=st.lists(st.integers(-5, 3), min_size=16, max_size=16),
       blocks=st.lists(st.integers(-3, 1), min_size=2, max_size=2), cap=st.sampled_from([4, 8, 12, 20]),
       nights=st.integers(0, 3), run=st.integers(2, 5))
def test_the_dp_with_hours_finds_the_least_legal_week(weights, blocks, cap, nights, run):
    """The DP with the hours term (per 7-day block, y_b * min(cap, on-shift slots)) against brute
    force over eight dates: two blocks, a night on the seventh date running into the second."""
    lp, t, dp = one_agent_dp(8, NIGHT_AND_DAY[:2], hours=True, max_night_shifts=nights, max_consecutive_days=run,
                             min_rest_hours=11, max_hours_week=cap)
    assert dp.hours is not None and dp.hours.cap == cap * 60 // lp.grid.slot_minutes
    weight = {i: float(w) for i, w in zip(sorted(t.insts), weights)}
    block_weight = {0: float(blocks[0]), 1: float(blocks[1])}

    def cost_of(week):
        on = [0, 0]
        for i in week:
            for b, k in dp.hours.slots[i].items():
                on[b] += k
        return sum(weight[i] for i in week) + sum(block_weight[b] * min(dp.hours.cap, on[b]) for b in (0, 1))

    (cost, week), = dp.best_few(weight, 1, block_weight)
    assert _legal(lp.grid, lp.rules, week)
    assert cost == pytest.approx(cost_of(week))
    by_date = [t.by_date.get(d, []) for d in range(dp.n_dates)]
    least = min(cost_of(w) for pick in product(*[[None, *ds] for ds in by_date])
                if _legal(lp.grid, lp.rules, w := [i for i in pick if i is not None]))
    assert cost == pytest.approx(least)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 3), levels=st.lists(st.sampled_from([0, 5, 10, 15, 25]), min_size=9, max_size=9),
       cap=st.sampled_from([3, 4, 6, 8]), nights=st.integers(0, 2))
def test_the_week_bound_with_hours_lies_between_the_pooled_lp_and_the_exact_optimum(n, levels, cap, nights):
    """Weekly hours per agent in the weeks (`hours=True`), where the cap binds (a 4-hour shift is
    4 slots, the cap 3-8 hours): pooled LP <= the week bound without hours <= with hours <= exact."""
    sc = three_dates(team(n), levels, max_night_shifts=nights, min_rest_hours=11, max_hours_week=cap)
    over, short = (float(x) for x in exact_optimum(sc, time_limit_s=30))
    pooled = lp_bound(sc, overflow_cap=over, lp_solver="GLOP")
    plain = dw_bound(sc, time_limit_s=30, overflow_cap=over)
    dw = dw_bound(sc, time_limit_s=30, overflow_cap=over, hours=True)
    assert dw["status"] == {"overflow": "OPTIMAL", "shortage_at_cap": "OPTIMAL", "shortage": "OPTIMAL"}
    tol = 1e-6 * (1 + over)
    assert pooled["overflow_lb"] - 1e-4 * (1 + over) <= plain["overflow_lb"] <= dw["overflow_lb"] + tol
    assert dw["overflow_lb"] <= over + tol
    tol = 1e-6 * (1 + short)
    assert plain["shortage_lb_at_cap"] <= dw["shortage_lb_at_cap"] + tol
    assert dw["shortage_lb_at_cap"] <= short + tol and dw["shortage_lb_any"] <= short + tol


def test_the_dp_reads_a_week_as_legal_exactly_as_the_rules_do():
    """`WeekDP.legal` (which start weeks `roster_weeks` keeps) against `_legal` on every set of
    instances of five dates, under binding rest, consecutive-day and night rules."""
    for nights, run, rest in ((0, 1, 20), (1, 2, 11), (2, 3, 8), (3, 4, 0)):
        lp, t, dp = one_agent_dp(5, NIGHT_AND_DAY, max_night_shifts=nights, max_consecutive_days=run,
                                 min_rest_hours=rest)
        by_date = [t.by_date.get(d, []) for d in range(dp.n_dates)]
        for pick in product(*[[None, *ds] for ds in by_date]):
            week = [i for i in pick if i is not None]
            assert dp.legal(week) == _legal(lp.grid, lp.rules, week), (week, nights, run, rest)
        first = t.by_date[0]
        assert not dp.legal(first[:2])  # two shifts on one date


def _inst(master, code: str, day: int) -> int:
    grid = master.lp.grid
    return next(i.index for i in grid.instances if i.code == code and i.date == grid.dates[day])


def test_an_illegal_week_as_a_column_never_lifts_the_bound_above_the_optimum():
    """The bound reads only the duals (module docstring): a column no agent may work -- the first
    night, the second day after it (8 h of rest, 11 required) and the second night (two shifts on a
    date, two nights) -- serves all three needs, so the restricted master drops to no overflow,
    yet L(y), pricing only legal weeks, stays at most the exact optimum 80. But a master with it is
    no restriction of the full master: its value is no ceiling and column generation stops at it,
    so `roster_weeks` does not offer such a week as a start column."""
    from scheduler.bound_dw import _solve_phase, add_week, build_master, roster_weeks
    from scheduler.roster import Assignment, Roster

    sc = night_then_morning()
    master = build_master(sc)
    (t,) = master.types
    illegal = sorted([_inst(master, "N", 0), _inst(master, "D", 1), _inst(master, "N", 1)])
    legal = [_inst(master, "N", 0)]
    assert add_week(master, 0, illegal)
    dps = [WeekDP(master.lp, t)]
    assert not dps[0].legal(illegal) and dps[0].legal(legal)
    log: list = []
    best, status = _solve_phase(master, "overflow", time.monotonic() + 20, dps, log)
    assert log[0]["rmp"] == pytest.approx(0, abs=1e-6)  # the illegal column is in play: 0 is no ceiling
    assert best is not None and best <= 80 + 1e-6
    # (and the phase even stops there, "converged" at the illegal master's 0: hence legal start weeks only)
    assert status == "OPTIMAL" and best == pytest.approx(0, abs=1e-6)

    def shift(code: str, day: int) -> Assignment:
        inst = master.lp.grid.instances[_inst(master, code, day)]
        return Assignment("A1", inst.date, code, "pre_sales", ((inst.start, inst.end),))

    fresh = build_master(sc)
    assert roster_weeks(fresh, Roster([shift("N", 0), shift("D", 1), shift("N", 1)])) == []
    assert roster_weeks(fresh, Roster([shift("N", 0)])) == [(0, legal)]


def test_a_night_across_the_weeks_boundary_counts_its_hours_where_they_are_worked():
    """A 4-hour night from 22:00 on the seventh date: 2 hours in the first 7-day block, 2 in the
    second. With a weekly cap of 2 hours the lead may work all of it (SPEC 3.2 counts hours where
    they are worked): the model finds that roster, the checker accepts it, and the week bound with
    weekly hours per agent (`week_hours`, the DP) splits the night the same way, so it stays at the
    roster's 0 overflow and 0 shortage (a week read by its start date, 4 slots in the first block
    and none in the second, would let the lead work no slot after midnight: 20 customer-hours)."""
    from scheduler.bound_dw import build_master, week_hours
    from scheduler.check import check_roster
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis
    from scheduler.solve import SolveOptions, solve

    hours = [0.0] * (24 * 8)
    for h in range(6 * 24 + 22, 7 * 24 + 2):
        hours[h] = 10.0
    lead = [{**LEAD[0], "max_hours_week": 2}]
    sc = make_scenario(agents=lead, days=8, shifts=[{"code": "N", "start": "22:00", "hours": 4, "night": True}],
                       demand={"pre_sales": hours}, rules={"max_continuous_hours": 4})
    roster, _ = solve(sc, SolveOptions(5.0, workers=1, seed=0))
    assert check_roster(sc, roster) == []
    k = summary_kpis(sc, Grid(sc), roster)
    assert k["overflow_customer_hours"] == pytest.approx(0) and k["shortage_agent_hours"] == pytest.approx(0)
    master = build_master(sc, hours=True)
    night = _inst(master, "N", 6)
    assert week_hours(master, 0, [night]) == {0: 2, 1: 2}
    assert WeekDP(master.lp, master.types[0], hours=True).hours.slots[night] == {0: 2, 1: 2}
    dw = dw_bound(sc, time_limit_s=20, overflow_cap=0.0, hours=True)
    assert dw["overflow_lb"] <= 1e-6 and dw["shortage_lb_at_cap"] <= 1e-6
