"""Bounds and OPTIMAL hold for every legal roster (SPEC 4), checked against an exact optimum
computed apart from the product (tests/exact_roster.py: every legal break pattern, exact
fractions), on tiny teams where the CP-SAT model's patterns or rounding used to mislead."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from ortools.linear_solver import linear_solver_pb2, pywraplp

import scheduler.model
from scheduler.app import RunResult, add_service_bounds
from scheduler.bound import lp_bound
from scheduler.bound_dual import lagrangian_bound
from scheduler.check import check_roster
from scheduler.exactness import make_honest
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario
from tests.exact_roster import exact_optimum

# one agent of efficiency 1 serves 10 contacts an hour and, with 10-hour sessions, 100 customers at
# once: exactly the reroute threshold, so overflow = 100 x shortage in every slot
SLOW = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 600}]
TWO_SHIFTS = [{"code": "E", "start": "06:00", "hours": 8}, {"code": "L", "start": "14:00", "hours": 8}]


def agent(i: int, lead: bool = False, **kw) -> dict:
    return {"employee_id": f"A{i}", "name": f"客服{i}", "home_queue": "pre_sales", "is_lead": lead, **kw}


def part_time_team():
    # two leads and four agents who may work 10 hours a week: one 8-hour shift with its break is
    # 7 hours, so a second shift must be shorter inside (5 + 5, or 7 + 3): the model's maximal
    # patterns alone allow one shift each (the product said OPTIMAL at 7,200 where 6,000 is optimal)
    return make_scenario(agents=[agent(1, True), agent(2, True)] + [agent(i, max_hours_week=10) for i in range(3, 7)],
                         days=2, shifts=TWO_SHIFTS, demand={"pre_sales": ([0] * 6 + [40] * 16 + [0] * 2) * 2},
                         queues=SLOW, rules={"max_continuous_hours": 4, "min_rest_hours": 8})


def three_day_cap():
    # 15 hours a week over three 8-hour days (7 + 6 + 2, or 5 + 5 + 5): one lead, two part-timers
    return make_scenario(agents=[agent(1, True)] + [agent(i, max_hours_week=15) for i in (2, 3)], days=3,
                         shifts=[{"code": "D", "start": "08:00", "hours": 8}],
                         demand={"pre_sales": ([0] * 8 + [20, 30, 40, 40, 30, 20, 30, 40] + [0] * 8) * 3},
                         queues=SLOW, rules={"max_continuous_hours": 4})


def capped_short_runs():
    # the kind of team: a 12-hour weekly cap, runs of at most 3 hours, three days
    return make_scenario(agents=[agent(1, True)] + [agent(i, max_hours_week=12) for i in (2, 3)], days=3,
                         shifts=[{"code": "D", "start": "08:00", "hours": 8}],
                         demand={"pre_sales": ([0] * 8 + [20, 30, 40, 40, 30, 20, 30, 40] + [0] * 8) * 3},
                         queues=SLOW, rules={"max_continuous_hours": 3})


def two_slot_break():
    # runs of at most 3 hours in an 8-hour shift and nobody needed at 11-13: WWW..WWW serves every
    # customer; every single-break pattern leaves one busy hour uncovered
    return make_scenario(agents=[agent(1, True)], shifts=[{"code": "D", "start": "08:00", "hours": 8}],
                         demand={"pre_sales": [0] * 8 + [10, 10, 10, 0, 0, 10, 10, 10]}, queues=SLOW,
                         rules={"max_continuous_hours": 3, "min_rest_hours": 8})


def thirds():
    # 2/3 of an agent required every hour: the model rounds it to 0.67, so its bound on a day no
    # one can work (a 4-hour shift, so 20 hours uncovered) was above the true optimum
    return make_scenario(agents=[agent(1, True), agent(2)], shifts=[{"code": "D", "start": "08:00", "hours": 4}],
                         demand={"pre_sales": [20 / 3] * 24},
                         queues=[{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}])


def _run(sc, bound: bool = True):
    roster, report = solve(sc, SolveOptions(time_limit_s=5, workers=1))
    assert check_roster(sc, roster) == []
    k = summary_kpis(sc, Grid(sc), roster)
    if bound:
        add_service_bounds(sc, report, k, time_limit_s=2)
    return roster, report, k


def _assert_honest(report, k, exact):
    overflow, shortage = (float(x) for x in exact)
    eps = 1e-6 * max(1.0, overflow)
    assert k["overflow_customer_hours"] >= overflow - eps  # the oracle is right
    phases = {p.name: p for p in report.phases}
    assert phases["overflow"].best_bound <= overflow + eps
    if phases["overflow"].status == "OPTIMAL":
        assert phases["overflow"].objective <= overflow + eps
    for b in report.service:
        if b.name == "overflow":
            assert b.best <= overflow + eps
    # shortage bounds hold among rosters as good in overflow as ours: when ours is optimal there,
    # they must not pass the optimum's shortage
    if k["overflow_customer_hours"] <= overflow + eps:
        assert phases["shortage"].best_bound <= shortage + 1e-6 * max(1.0, shortage)
        if phases["shortage"].status == "OPTIMAL":
            assert phases["shortage"].objective <= shortage + 1e-6 * max(1.0, shortage)


@pytest.mark.parametrize("case", [part_time_team, three_day_cap, capped_short_runs, two_slot_break, thirds])
def test_bounds_and_optimal_hold_against_the_exact_optimum_and_the_roster_reaches_it(case):
    sc = case()
    exact = exact_optimum(sc)
    _roster, report, k = _run(sc)
    _assert_honest(report, k, exact)
    assert k["overflow_customer_hours"] == pytest.approx(float(exact[0]), abs=1e-6)
    assert k["shortage_agent_hours"] == pytest.approx(float(exact[1]), abs=1e-6)


def test_the_part_time_team_is_proven_optimal_by_the_lp():
    _roster, report, k = _run(part_time_team())
    assert k["overflow_customer_hours"] == pytest.approx(6000)
    assert [p.status for p in report.phases[:2]] == ["OPTIMAL", "OPTIMAL"]


def test_a_model_without_the_shorter_patterns_claims_nothing_it_cannot_prove(monkeypatch):
    # the model as it was: maximal patterns only. Its own optimum (7,200) is not the real one, so
    # no OPTIMAL and no CP-SAT bound may reach the Summary; the LP's bound stays below 6,000
    monkeypatch.setattr(scheduler.model, "short_patterns", lambda rm: [])
    sc = part_time_team()
    _roster, report, k = _run(sc, bound=False)
    assert k["overflow_customer_hours"] == pytest.approx(7200)
    overflow = report.phases[0]
    assert overflow.status != "OPTIMAL" and overflow.best_bound <= 6000
    assert any("weekly hours cap can bind" in n for n in report.notes)
    add_service_bounds(sc, report, k, time_limit_s=2)
    _assert_honest(report, k, (6000, 60))
    assert report.status != "OPTIMAL"


def test_rounded_loads_give_a_bound_below_the_true_optimum():
    sc = thirds()
    _roster, report, k = _run(sc, bound=False)
    shortage = report.phases[1]
    # the model's own bound (20 x 0.67 = 13.40) is above the truth (13.33): it must not be stated
    assert shortage.best_bound <= 40 / 3 + 1e-9
    assert report.phases[0].best_bound <= 400 / 3 + 1e-9


def test_a_time_starved_bound_is_finite_and_valid():
    sc = three_day_cap()
    exact = (2700, 27)  # exact_optimum(sc), as the parametrised test above proves
    b = lp_bound(sc, time_limit_s=1e-4, overflow_cap=float(exact[0]), lexicographic=False)
    for key, truth in (("overflow_lb", exact[0]), ("shortage_lb_at_cap", exact[1])):
        assert b[key] is not None and math.isfinite(b[key]) and 0 <= b[key] <= float(truth) + 1e-6


def test_the_demo_bound_never_goes_missing_when_time_runs_out():
    sc = load_scenario(Path(__file__).resolve().parent.parent / "data" / "double11")
    starved = lp_bound(sc, time_limit_s=0.01, overflow_cap=1e9, lexicographic=False)
    full = lp_bound(sc, time_limit_s=60, overflow_cap=1e9, lexicographic=False, lp_solver="GLOP")
    assert starved["shortage_lb_at_cap"] is not None and math.isfinite(starved["shortage_lb_at_cap"])
    assert starved["shortage_lb_at_cap"] <= full["shortage_lb_at_cap"] + 1e-6


def test_the_lagrangian_bound_of_any_dual_point_is_below_the_lp_optimum():
    solver = pywraplp.Solver.CreateSolver("GLOP")
    rng = np.random.default_rng(0)
    xs = [solver.NumVar(0, 3, f"x{j}") for j in range(6)]
    for _ in range(5):
        a = rng.integers(0, 4, size=6)
        solver.Add(sum(int(c) * x for c, x in zip(a, xs)) >= int(rng.integers(2, 9)))
    solver.Add(xs[0] + xs[1] <= 2)
    solver.Minimize(sum(float(c) * x for c, x in zip(rng.uniform(0.5, 2, size=6), xs)))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    optimum = solver.Objective().Value()
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    duals = np.array([c.dual_value() for c in solver.constraints()])
    assert lagrangian_bound(proto, duals) == pytest.approx(optimum, rel=1e-7)
    for _ in range(50):
        assert lagrangian_bound(proto, rng.normal(0, 2, size=len(duals))) <= optimum + 1e-9


def test_the_closing_lines_give_one_gap_per_measure_led_by_the_best_bound():
    sc = part_time_team()
    roster, report, k = _run(sc)
    text = RunResult(sc, roster, report, k).summary_text()
    for name in ("overflow", "shortage"):
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(name))
        assert line.count("gap") == 1 and "(LP relaxation)" in line
    assert "OPTIMAL" not in text.splitlines()[0] or report.status == "OPTIMAL"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_sheet_leads_with_the_best_bound_and_names_the_other_in_a_word(tmp_path, lang):
    from openpyxl import load_workbook

    from scheduler.app import write_result
    from scheduler.workbook.labels import LABELS

    sc = part_time_team()
    roster, report, _k = _run(sc)
    write_result(tmp_path / "r.xlsx", sc, roster, report, lang)
    L = LABELS[lang]
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "r.xlsx")["Summary"].iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == L["sec_service"])
    header = rows[start + 1]
    assert header[3:6] == [L["best_bound"], L["gap"], L["bound_from"]]
    for r in rows[start + 2:start + 4]:
        line = dict(zip(header, r))
        assert line[L["bound_from"]] == L["from_lp"]  # the model leaves legal rosters out here
        assert line[L["cp_bound"]] == L["model_only_short"] and line[L["other_bound"]] == L["model_only"]
        assert line[L["best_bound"]] <= line[L["achieved"]] + 1e-6


def test_a_tier_without_a_bound_above_0_says_so_instead_of_a_gap_of_100_percent():
    from scheduler.result import NO_BOUND, PhaseResult, SolveReport

    sc = part_time_team()
    roster, report, k = _run(sc)
    report = SolveReport(status="FEASIBLE", phases=report.phases[:2] + [
        PhaseResult("comfort", "points", "FEASIBLE", 12.0, 0.0, 0.1),
        PhaseResult("regular hours", "agent-hours", "FEASIBLE", 40.0, 30.0, 0.1)])
    make_honest(scheduler.model.RosterModel(sc, Grid(sc)), roster, report)
    comfort, regular = report.phases[2], report.phases[3]
    assert comfort.bound_scope == NO_BOUND and not comfort.has_bound
    assert regular.has_bound and regular.bound_scope == "the model's patterns"
    line = next(ln for ln in RunResult(sc, roster, report, k).summary_text().splitlines() if "comfort" in ln)
    assert "no bound computed" in line and "gap" not in line and "0.00" not in line.split("points")[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_tiers_table_says_what_each_bound_holds_for(tmp_path, lang):
    from openpyxl import load_workbook

    from scheduler.app import write_result
    from scheduler.result import HOURS_SCOPE, NO_BOUND, PAST_SCOPE, PhaseResult, SolveReport
    from scheduler.workbook.labels import LABELS

    sc = part_time_team()
    roster, report, _k = _run(sc)
    scopes = ["every roster", "the model's patterns", HOURS_SCOPE, PAST_SCOPE, NO_BOUND]
    phases = [PhaseResult(f"tier {i}", "points", "FEASIBLE", 10.0, 5.0 if s != NO_BOUND else 0.0, 0.1, bound_scope=s)
              for i, s in enumerate(scopes)]
    write_result(tmp_path / "r.xlsx", sc, roster, SolveReport(status="FEASIBLE", phases=phases), lang)
    L = LABELS[lang]
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "r.xlsx")["Summary"].iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == L["sec_tiers"])
    header = rows[start + 1]
    lines = [dict(zip(header, r)) for r in rows[start + 2:start + 2 + len(scopes)]]
    assert [ln[L["bound_scope"]] for ln in lines] == [L["scope_every"], L["scope_model"], L["scope_service"],
                                                     L["scope_past"], L["na"]]
    assert lines[-1][L["best_bound"]] == L["no_bound"]
