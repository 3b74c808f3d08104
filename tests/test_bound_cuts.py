"""The rounding (MIR) cuts of scheduler.bound_cuts: valid for every whole staffing, strictly
stronger than the plain LP where a pool's agents sit at a fraction, and never above the exact
optimum of tiny teams (tests/exact_roster.py)."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.bound import build_lp, lp_bound
from scheduler.bound_cuts import ServiceRow, mir, rounded
from tests.conftest import make_scenario
from tests.exact_roster import exact_optimum


def test_the_rounded_coefficients_by_hand():
    assert rounded(1.0, 0.5) == 1.0
    assert rounded(2.0, 0.3) == 2.0
    assert rounded(0.7, 0.5) == 1.0          # frac(a) >= f: ceil(a)
    assert rounded(0.7, 0.8) == pytest.approx(0.875)  # 0.7 / 0.8
    assert rounded(1.2, 0.5) == pytest.approx(1.4)    # 1 + 0.2 / 0.5
    assert rounded(0.0, 0.5) == 0.0


def test_a_whole_or_empty_requirement_gives_no_cut():
    assert mir(ServiceRow("s", 1.0, 3.0, [(1.0, "y")])) is None
    assert mir(ServiceRow("s", 1.0, 0.0, [(1.0, "y")])) is None
    assert mir(ServiceRow("s", 1.0, -0.4, [(1.0, "y")])) is None


def test_the_cut_of_one_row_by_hand():
    # s + y + 0.7 z >= 2.5: f = 0.5, s >= 0.5 * (3 - y - z) (0.7 >= f: a whole agent's worth)
    lo, one, coef = mir(ServiceRow("s", 1.0, 2.5, [(1.0, "y"), (0.7, "z")]))
    assert lo == pytest.approx(1.5) and one == 1.0
    assert coef == {"y": 0.5, "z": 0.5}
    # overflow ov + 4 (y) >= 10: b = 2.5 agents, ov >= 4 * 0.5 * (3 - y)
    lo, one, coef = mir(ServiceRow("ov", 4.0, 2.5, [(1.0, "y")]))
    assert lo == pytest.approx(6.0) and coef == {"y": 2.0}


@settings(max_examples=300, deadline=None)
@given(b=st.floats(0.01, 4.0), effs=st.lists(st.sampled_from([1.0, 0.7, 0.5, 0.85, 1.3]), min_size=1, max_size=3),
       scale=st.sampled_from([1.0, 3.0, 2.5]))
def test_the_cut_holds_for_every_whole_staffing_and_touches_the_hull(b, effs, scale):
    """Every whole y in a box, with the least slack the row allows, keeps the cut (a wrong
    rounding, e.g. floor(b) for ceil(b) or f for 1 - f, fails here); and with efficiency 1 the cut
    is tight at y = floor(b) (a weaker cut, e.g. f / 2, fails there)."""
    cut = mir(ServiceRow("s", scale, b, [(e, j) for j, e in enumerate(effs)]))
    if cut is None:
        assert abs(b - round(b)) < 1e-6
        return
    lo, _one, coef = cut
    for y in product(range(6), repeat=len(effs)):
        slack = scale * max(0.0, b - sum(e * n for e, n in zip(effs, y)))  # ov = R * (b - staffed)
        assert slack + sum(coef.get(j, 0.0) * n for j, n in enumerate(y)) >= lo - 1e-9
    if effs == [1.0]:
        y = math.floor(b)
        assert scale * (b - y) + coef[0] * y == pytest.approx(lo, abs=1e-7)


def two_halves():
    """One lead who may work an early or a late 4-hour shift, half an agent needed in each: the
    LP works both at one half and serves everyone; a roster leaves one half uncovered (4 hours of
    5 customers and 0.5 agents). The cut s >= 0.5 * (1 - w) per slot gives exactly that."""
    return make_scenario(
        agents=[{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
        shifts=[{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "14:00", "hours": 4}],
        demand={"pre_sales": [0] * 8 + [5] * 4 + [0] * 2 + [5] * 4},
        rules={"max_continuous_hours": 4, "min_rest_hours": 8})


def test_the_cut_raises_the_lp_bound_to_the_optimum_where_a_whole_agent_is_needed():
    sc = two_halves()
    assert exact_optimum(sc) == (Fraction(20), Fraction(2))
    plain = lp_bound(sc, overflow_cap=20, lp_solver="GLOP", cuts=False)
    cut = lp_bound(sc, overflow_cap=20, lp_solver="GLOP")
    assert plain["overflow_lb"] == pytest.approx(0, abs=1e-3)
    assert plain["shortage_lb_at_cap"] == pytest.approx(0, abs=1e-3)
    assert cut["cuts"] == 16  # an overflow and a shortage row in each of the 8 busy hours
    assert cut["overflow_lb"] == pytest.approx(20, rel=1e-4)
    assert cut["shortage_lb_at_cap"] == pytest.approx(2, rel=1e-4)
    # PDLP (what a run uses) reaches it too; its bound comes from a dual point, so a bit below
    pdlp = lp_bound(sc, time_limit_s=10, overflow_cap=20, lexicographic=False)
    assert 19.9 <= pdlp["overflow_lb"] <= 20 + 1e-6
    assert 1.99 <= pdlp["shortage_lb_at_cap"] <= 2 + 1e-6


def test_the_lp_that_pricing_and_the_guide_read_has_no_cuts():
    sc = two_halves()
    lp, _over, _short = build_lp(sc)
    rows = lp.solver.NumConstraints()
    assert len(lp.service_rows) == 16
    out = lp_bound(sc, overflow_cap=20, lp_solver="GLOP")
    assert out["constraints"] == rows + 16  # the cuts are the bound's own rows
    assert lp_bound(sc, overflow_cap=20, lp_solver="GLOP", integer=True)["cuts"] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 3), flex=st.booleans(), hours=st.lists(st.integers(0, 25), min_size=8, max_size=8),
       late=st.booleans())
def test_the_cut_bound_never_passes_the_exact_optimum_of_a_tiny_team(n, flex, hours, late):
    """Random tiny teams (a lead, up to two more, perhaps a flex agent of efficiency 0.7, one or
    two 4-hour shifts): the cut LP's bounds stay at or below the exact lexicographic optimum."""
    agents = [{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True}]
    agents += [{"employee_id": f"A{i}", "name": f"乙{i}", "home_queue": "pre_sales"} for i in range(2, n + 1)]
    if flex:
        agents.append({"employee_id": "F1", "name": "丙", "home_queue": "pre_sales", "kind": "flex",
                       "efficiency": 0.7})
    shifts = [{"code": "E", "start": "08:00", "hours": 4, "kinds": ["regular", "flex"]}]
    if late:
        shifts.append({"code": "L", "start": "12:00", "hours": 4, "kinds": ["regular", "flex"]})
    sc = make_scenario(agents=agents, shifts=shifts, demand={"pre_sales": [0] * 8 + hours},
                       rules={"max_continuous_hours": 3, "min_rest_hours": 8})
    over, short = (float(x) for x in exact_optimum(sc, time_limit_s=30))
    b = lp_bound(sc, overflow_cap=over, lp_solver="GLOP")
    assert b["overflow_lb"] <= over * (1 + 1e-6) + 1e-6
    assert (b.get("shortage_lb_at_cap") or 0.0) <= short * (1 + 1e-6) + 1e-6
    assert b["shortage_lb_any"] <= short * (1 + 1e-6) + 1e-6


def test_a_time_starved_cut_lp_keeps_the_bound_without_cuts(monkeypatch):
    """With PDLP each LP is solved without the cuts, then with them; a second solve that gets
    nowhere (here: a useless dual point) leaves the first one's bound standing."""
    import scheduler.bound

    sc = make_scenario(  # two_halves with 1.5 agents needed: the LP without cuts leaves 8 agent-hours short
        agents=[{"employee_id": "A1", "name": "甲", "home_queue": "pre_sales", "is_lead": True}],
        shifts=[{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "14:00", "hours": 4}],
        demand={"pre_sales": [0] * 8 + [15] * 4 + [0] * 2 + [15] * 4},
        rules={"max_continuous_hours": 4, "min_rest_hours": 8})
    plain = lp_bound(sc, time_limit_s=10, overflow_cap=60, lexicographic=False, cuts=False)
    assert plain["shortage_lb_at_cap"] == pytest.approx(8, rel=1e-4)
    real = scheduler.bound.pdlp_bound_point
    calls: list[int] = []

    def starved(proto, time_limit_s, *args, **kwargs):
        value, point = real(proto, time_limit_s, *args, **kwargs)
        calls.append(len(calls))
        return (-1e9 if len(calls) % 2 == 0 else value), point

    monkeypatch.setattr(scheduler.bound, "pdlp_bound_point", starved)
    out = lp_bound(sc, time_limit_s=10, overflow_cap=60, lexicographic=False)
    assert out["cuts"] == 16 and len(calls) == 4  # two LPs, each solved twice
    assert out["overflow_lb"] == pytest.approx(plain["overflow_lb"], abs=1e-4)
    assert out["shortage_lb_at_cap"] == pytest.approx(plain["shortage_lb_at_cap"], abs=1e-4)
