"""The LP bound (scheduler.bound) never exceeds a solved roster and is exact on paper cases."""

from __future__ import annotations

import math

import pytest

from scheduler.bound import agent_groups, lp_bound
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario

LEAD = {"employee_id": "L1", "name": "组长", "home_queue": "pre_sales", "is_lead": True}
REG = {"employee_id": "R1", "name": "王芳", "home_queue": "pre_sales"}
REG2 = {"employee_id": "R2", "name": "李娜", "home_queue": "pre_sales"}
FLEX = {"employee_id": "F1", "name": "临时", "home_queue": "pre_sales", "kind": "flex", "efficiency": 0.5}
SLOW_QUEUE = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 600}]


def test_tight_on_the_paper_case():
    # everyone works 08-12 (2.5 effective agents): overflow (300 - 250) * 4 = 200, shortage 0.5 * 4 = 2
    sc = make_scenario(agents=[LEAD, REG, FLEX], demand={"pre_sales": [0] * 8 + [30] * 4}, queues=SLOW_QUEUE)
    b = lp_bound(sc)
    assert b["status"] == "OPTIMAL"
    assert b["overflow_lb"] == pytest.approx(200, rel=1e-5, abs=1e-3)
    assert b["shortage_lb"] == pytest.approx(2, rel=1e-5, abs=1e-3)
    assert b["shortage_lb_any"] == pytest.approx(2, rel=1e-5, abs=1e-3)


def test_no_lead_means_the_bound_is_all_the_demand():
    # without a lead nobody may work, so the whole load overflows: 300 concurrent customers * 4 h
    sc = make_scenario(agents=[REG, FLEX], demand={"pre_sales": [0] * 8 + [30] * 4}, queues=SLOW_QUEUE)
    b = lp_bound(sc)
    assert b["overflow_lb"] == pytest.approx(1200, rel=1e-5, abs=1e-3)
    assert b["shortage_lb"] == pytest.approx(12, rel=1e-5, abs=1e-3)


def test_identical_agents_are_pooled():
    sc = make_scenario(agents=[LEAD, REG, REG2, FLEX], demand={"pre_sales": [10] * 24})
    sizes = sorted(g.count for g in agent_groups(sc))
    assert sizes == [1, 1, 2]


def test_bound_never_exceeds_a_solved_roster_with_breaks_and_rest():
    # two days, 8-hour shifts that need a break, 11 h rest, demand around the clock on one queue
    # and a peak that the staff cannot fully cover
    shifts = [{"code": "N", "start": "00:00", "hours": 8, "night": True},
              {"code": "E", "start": "08:00", "hours": 8}, {"code": "L", "start": "16:00", "hours": 8}]
    lead2 = {**LEAD, "employee_id": "L2"}
    lead3 = {**LEAD, "employee_id": "L3"}
    day = [4] * 8 + [30] * 8 + [45] * 8
    sc = make_scenario(agents=[LEAD, lead2, lead3, REG, REG2, FLEX], days=2, shifts=shifts,
                       demand={"pre_sales": day * 2}, queues=SLOW_QUEUE,
                       rules={"max_continuous_hours": 3, "high_load_contacts_per_hour": 40})
    roster, report = solve(sc, SolveOptions(time_limit_s=10, workers=2))
    assert check_roster(sc, roster) == []
    k = summary_kpis(sc, Grid(sc), roster)
    b = lp_bound(sc, overflow_cap=k["overflow_customer_hours"])
    assert b["status"] == "OPTIMAL"
    assert 0 < b["overflow_lb"] <= k["overflow_customer_hours"] + 1e-6
    assert b["shortage_lb_any"] <= k["shortage_agent_hours"] + 1e-6
    assert b["shortage_lb_at_cap"] <= k["shortage_agent_hours"] + 1e-6
    assert b["shortage_lb_any"] <= b["shortage_lb_at_cap"] <= b["shortage_lb"] + 1e-6
    # the model is proven optimal on overflow here: its value cannot be below the LP's
    if report.phases[0].status == "OPTIMAL":
        assert report.phases[0].objective >= b["overflow_lb"] - 0.01 * len(day)


def test_integer_pooled_bound_sees_the_break_the_lp_spreads_thin():
    # one lead, an 8-hour shift that needs a break (runs of at most 4 h), 10 customers at once all
    # day: fractional breaks (0.8 of the agent working everywhere) leave no overflow, but a whole
    # agent's break leaves its slot uncovered: 10 customers * 1 h
    sc = make_scenario(agents=[LEAD], demand={"pre_sales": [0] * 8 + [10] * 8},
                       queues=[{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}],
                       shifts=[{"code": "D", "start": "08:00", "hours": 8}], rules={"max_continuous_hours": 4})
    roster, _ = solve(sc, SolveOptions(time_limit_s=10, workers=2))
    assert check_roster(sc, roster) == []
    k = summary_kpis(sc, Grid(sc), roster)
    assert k["overflow_customer_hours"] == pytest.approx(10)
    lp = lp_bound(sc, cuts=False)
    mip = lp_bound(sc, time_limit_s=10, overflow_cap=k["overflow_customer_hours"], integer=True)
    assert lp["overflow_lb"] == pytest.approx(0, abs=1e-3)
    # the rounding cut ov >= 10 * (1 - w) per slot (scheduler.bound_cuts) charges the break in full
    assert lp_bound(sc)["overflow_lb"] == pytest.approx(10, rel=1e-4)
    assert mip["overflow_lb"] == pytest.approx(10, rel=1e-5, abs=1e-3)
    assert mip["shortage_lb_at_cap"] <= k["shortage_agent_hours"] + 1e-6


def test_a_roster_without_overflow_gives_the_shortage_bound_all_the_time():
    # default queue: one agent holds 100 customers at a 10/h norm, so the shortage of 4 hours x
    # (3 - 2.5 agents) = 2 agent-hours comes without overflow (load 30 x 1 h = 30 customers)
    sc = make_scenario(agents=[LEAD, REG, FLEX], demand={"pre_sales": [0] * 8 + [30] * 4})
    b = lp_bound(sc, overflow_cap=1e-6, lexicographic=False)
    assert b["overflow_lb"] == 0.0  # not solved: 0 bounds every roster and is reached
    assert b["shortage_lb_at_cap"] == pytest.approx(2, rel=1e-5, abs=1e-3)


def test_an_overflow_cap_below_every_roster_falls_back_to_the_overflow_lp():
    # no roster has overflow 0 here (the whole load overflows without a lead): the shortcut's LP is
    # infeasible, so the bound is computed as for any cap, never as an unbounded dual value
    sc = make_scenario(agents=[REG, FLEX], demand={"pre_sales": [0] * 8 + [30] * 4}, queues=SLOW_QUEUE)
    b = lp_bound(sc, overflow_cap=1e-6, lexicographic=False)
    assert b["overflow_lb"] == pytest.approx(1200, rel=1e-5, abs=1e-3)
    assert b["shortage_lb_at_cap"] == pytest.approx(12, rel=1e-5, abs=1e-3)


def _brute_force(sc, shifts):
    """Every legal roster of a one-day team (each agent off, or one shift with any break pattern
    the run rule allows; a lead on shift whenever anyone works), written apart from the product:
    (overflow, shortage, flex hours, regular hours) of each."""
    import itertools

    rules, q = sc.config.rules, sc.config.queues[0]
    rate = sc.demand[q.id]
    choices = []
    for _a in sc.agents:
        mine = [None]
        for s in shifts:
            n = s["hours"]
            for inner in itertools.product((1, 0), repeat=n - 2):
                p = (1, *inner, 1)
                longest = max(len(r) for r in "".join(map(str, p)).split("0"))
                if longest <= rules.max_continuous_hours:
                    mine.append((s["start"], n, p))
        choices.append(mine)
    out = []
    for roster in itertools.product(*choices):
        staffed, leads, anyone = [0.0] * 24, [0] * 24, [False] * 24
        flex = regular = 0.0
        for a, c in zip(sc.agents, roster):
            if c is None:
                continue
            first = int(c[0][:2])
            for k, w in enumerate(c[2]):
                leads[first + k] += a.is_lead
                if w:
                    staffed[first + k] += a.efficiency
                    anyone[first + k] = True
            hours = sum(c[2])
            if a.kind == "flex":
                flex += hours
            else:
                regular += hours * a.efficiency
        if any(anyone[t] and leads[t] < rules.min_leads_on_duty for t in range(24)):
            continue
        overflow = sum(max(0.0, rate[t] * q.session_minutes / 60 - rules.reroute_concurrency * staffed[t])
                       for t in range(24))
        shortage = sum(max(0.0, rate[t] / q.contacts_per_agent_hour - staffed[t]) for t in range(24))
        out.append((overflow, shortage, flex, regular))
    return out


@pytest.mark.parametrize("peak", [25, 40])
def test_the_hours_bounds_hold_among_rosters_as_good_in_service(peak):
    # a lead, a regular and two flex agents on one 5-hour shift or a 4-hour late one, runs of at
    # most 2 hours: flex hours are needed only where the regulars run out
    shifts = [{"code": "E", "start": "08:00", "hours": 5}, {"code": "L", "start": "11:00", "hours": 4}]
    flex2 = {**FLEX, "employee_id": "F2", "efficiency": 0.7}
    sc = make_scenario(agents=[LEAD, REG, FLEX, flex2], shifts=shifts, queues=SLOW_QUEUE,
                       demand={"pre_sales": [0] * 8 + [10, peak, peak, 30, 20, 10, 5]},
                       rules={"max_continuous_hours": 2})
    rosters = _brute_force(sc, shifts)
    for overflow, shortage, flex, _regular in sorted(rosters)[:2] + rosters[::150]:  # caps from a spread of rosters
        b = lp_bound(sc, time_limit_s=10, overflow_cap=overflow + 1e-6, lexicographic=False,
                     shortage_cap=shortage + 1e-6, flex_cap=flex + 1e-6)
        as_good = [r for r in rosters if r[0] <= overflow + 1e-6 and r[1] <= shortage + 1e-6]
        assert b["flex_hours_lb"] <= min(r[2] for r in as_good) + 1e-6
        cheap = [r for r in as_good if r[2] <= flex + 1e-6]
        assert b["regular_hours_lb"] <= min(r[3] for r in cheap) + 1e-6


def one_lead_two_shifts():
    # one lead and two agents, an early and a late shift, two agents' worth of customers all day: a
    # roster staffs only the lead's shift (800 customer-hours lost in the other); the LP puts half
    # the lead on each and 1.5 agents' worth in every slot (400). The requirement is whole, so the
    # rounding cuts do not close it; the pooled integer program does
    return make_scenario(agents=[LEAD, REG, REG2], demand={"pre_sales": [0] * 8 + [20] * 8}, queues=SLOW_QUEUE,
                         shifts=[{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "12:00", "hours": 4}],
                         rules={"max_continuous_hours": 4})


def test_a_run_proves_the_overflow_the_lp_spreads_thin_with_the_pooled_integer_program():
    # the LP's 400 leaves a gap, the bound's time left goes to the pooled integer program, which
    # proves the roster's 800 customer-hours optimal for every roster
    from scheduler.app import add_service_bounds

    sc = one_lead_two_shifts()
    roster, report = solve(sc, SolveOptions(time_limit_s=3, workers=1))
    k = summary_kpis(sc, Grid(sc), roster)
    add_service_bounds(sc, report, k, time_limit_s=5)
    over = next(b for b in report.service if b.name == "overflow")
    assert over.achieved == pytest.approx(800) and over.best == pytest.approx(800, rel=1e-5)
    assert report.phases[0].status == "OPTIMAL"
    assert any("pooled integer program" in n for n in report.notes)
    from scheduler.app import service_line

    assert over.lp_integer and "pooled integer program" in service_line(over, report.phases[0].status)


def test_a_failing_pooled_integer_program_keeps_the_lp_bounds(monkeypatch):
    # the case above with SCIP failing: the LP's bounds still stand beside the roster, with a note
    import scheduler.bound
    from scheduler.app import add_service_bounds

    def broken(*args, **kwargs):
        raise RuntimeError("SCIP unavailable")

    monkeypatch.setattr(scheduler.bound, "mip_overflow_bound", broken)
    sc = one_lead_two_shifts()
    roster, report = solve(sc, SolveOptions(time_limit_s=3, workers=1))
    add_service_bounds(sc, report, summary_kpis(sc, Grid(sc), roster), time_limit_s=5)
    over = next(b for b in report.service if b.name == "overflow")
    assert over.lp is not None  # the LP's bound is kept, not "not computed"
    assert "pooled integer overflow bound not computed: SCIP unavailable" in report.notes
    assert not any(n.startswith("LP lower bound not computed") for n in report.notes)


def test_scip_bounds_are_lowered_by_its_tolerance_per_unit_of_box():
    # no lead: nobody may work, the whole load overflows, 30,000 customers an hour for 4 hours
    # (120,000 customer-hours, every roster's exact overflow). SCIP proves 120,000; it accepts a
    # node LP whose reduced costs are off by 1e-7 per unit of a variable, and the overflow slacks'
    # boxes here are the loads: the bound read off it must give up 1e-7 per unit of box as well
    # as 1e-6 of itself and 1e-4 (bound.scip_lower_bound), in the pooled integer program of a run
    # (mip_overflow_bound) and in lp_bound(integer=True) alike
    from scheduler.bound import build_lp, mip_overflow_bound, scip_lower_bound, variable_box

    sc = make_scenario(agents=[REG, FLEX], demand={"pre_sales": [0] * 8 + [3000] * 4}, queues=SLOW_QUEUE)
    exact = 4 * 3000 * 600 / 60
    box = exact + 4 * 3000 / 10  # the overflow slacks' boxes (the loads) and the shortage slacks' (300 agents)
    margin = 1e-6 * exact + 1e-4 + 1e-7 * box
    assert scip_lower_bound(exact, box) == pytest.approx(exact - margin, abs=1e-9)
    # the program's box also counts how far each row's activity can move (a row dual off by the
    # tolerance): here at least each service row's overflow and shortage slacks, so more than the
    # variables' alone
    lp, _, _ = build_lp(sc, integer=True)
    rows = math.fsum(abs(c.GetCoefficient(v)) * max(abs(v.lb()), abs(v.ub()))
                     for c in lp.solver.constraints() for v in lp.solver.variables())
    variables = math.fsum(max(abs(v.lb()), abs(v.ub())) for v in lp.solver.variables())
    assert variables >= box and rows > 0
    assert variable_box(lp.solver) == pytest.approx(variables + rows)
    mip = mip_overflow_bound(sc, time_limit_s=10)
    assert mip["status"] == "OPTIMAL"
    assert mip["overflow_lb"] == pytest.approx(scip_lower_bound(exact, variables + rows), abs=1e-6)
    assert exact - mip["overflow_lb"] > margin + 1e-7 * rows - 1e-6  # both box terms are taken
    b = lp_bound(sc, time_limit_s=10, overflow_cap=exact, integer=True)
    assert b["overflow_lb"] <= mip["overflow_lb"] + 1e-6


def test_glop_bounds_are_the_lagrangian_at_its_duals():
    # GLOP's OPTIMAL holds for the exact program only up to its tolerances (a reduced cost of the
    # wrong sign by 1e-6 x max(1, |c|) is accepted, which overstates the value by that per unit of
    # box); a bound read off it is the Lagrangian at its duals (bound.glop_lower_bound), valid for
    # any duals. Here: min a + 0.95 z with a + z >= 10 (optimum 9.5 at z = 10), as a solver that
    # stopped at a = 10 (value 10, row dual 1: z's reduced cost -0.05, inside a loose tolerance)
    # would report it. The value shaved by 1e-6 and 1e-4 stays above 9.5; L(1) = 10 - 0.05 x 1000
    from ortools.linear_solver import pywraplp

    from scheduler.bound import glop_lower_bound

    s = pywraplp.Solver.CreateSolver("GLOP")
    a, z = s.NumVar(0, 1000, "a"), s.NumVar(0, 1000, "z")
    s.Add(a + z >= 10)
    s.Minimize(a + 0.95 * z)
    assert s.Solve() == pywraplp.Solver.OPTIMAL
    assert glop_lower_bound(s) == pytest.approx(9.5 * (1 - 1e-6) - 1e-4, abs=1e-9)  # GLOP's own duals: tight

    class Stopped:  # the same program, as stopped at the wrong vertex
        def __init__(self, solver):
            self.solver = solver

        def ExportModelToProto(self, proto):  # noqa: N802 (pywraplp's names)
            self.solver.ExportModelToProto(proto)

        def constraints(self):
            return [type("Row", (), {"dual_value": lambda self: 1.0})()]

        def Objective(self):  # noqa: N802
            return type("Objective", (), {"Value": lambda self: 10.0})()

    assert glop_lower_bound(Stopped(s)) == pytest.approx(10 - 0.05 * 1000, abs=1e-4)  # below 9.5, as it must be
    # and lp_bound's GLOP branch takes it: the hand case of 120,000 customer-hours proven exactly
    sc = make_scenario(agents=[REG, FLEX], demand={"pre_sales": [0] * 8 + [3000] * 4}, queues=SLOW_QUEUE)
    b = lp_bound(sc, time_limit_s=10, overflow_cap=120_000, lp_solver="GLOP")
    assert 120_000 - 0.13 < b["overflow_lb"] <= 120_000
