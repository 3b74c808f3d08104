"""The Requests sheet's explanations: a declined request is tried on the agent's own shifts and on
the shifts near the changed hours only; the text must be what trying it on the whole roster says."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from scheduler.app import options_for
from scheduler.check import check_roster
from scheduler.granted import _stretches, _wished_shift, request_outcomes
from scheduler.grid import Grid
from scheduler.kpi import coverage
from scheduler.roster import Roster
from scheduler.scenario import load_scenario
from scheduler.scenario.wishes import Request
from scheduler.solve import solve


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """20 agents (3 leads, at least one lead on duty), 2 queues, 3 days, the sale day's move."""
    scenario = load_scenario(generate(tmp_path_factory.mktemp("granted"), 20, 3, 60, 2, seed=3))
    roster, _ = solve(scenario, options_for(scenario, 3, 1, 0))
    assert check_roster(scenario, roster) == []
    return scenario, roster


def whole_roster_why(scenario, roster, r, worked) -> str:
    """The oracle: the grant tried on the whole roster, every rule and every slot re-read."""
    grid = Grid(scenario)
    trial = [a for a in roster.assignments if a is not worked]
    if r.request == "shift":
        wished = _wished_shift(scenario, grid, r, worked)
        if isinstance(wished, str):
            return wished
        trial.append(wished)
    before = {v.message for v in check_roster(scenario, roster)}
    broken = [v for v in check_roster(scenario, Roster(trial)) if v.message not in before]
    if broken:
        return "granting it would break a rule: " + "; ".join(f"[{v.rule}] {v.message}" for v in broken[:2])
    was, cov = coverage(scenario, grid, roster), coverage(scenario, grid, Roster(trial))
    worse = cov[(cov["shortage"] > was["shortage"] + 1e-6) | (cov["overflow"] > was["overflow"] + 1e-6)]
    parts = []
    for q, rows in worse.groupby("queue", sort=False):
        short = float((cov.loc[rows.index, "shortage"] - was.loc[rows.index, "shortage"]).sum() * grid.delta_hours)
        over = float((cov.loc[rows.index, "overflow"] - was.loc[rows.index, "overflow"]).sum() * grid.delta_hours)
        cost = f"+{short:.1f} agent-hours shortage" + (f", +{over:.1f} customer-hours overflow" if over > 1e-6 else "")
        parts.append(f"{q} short {_stretches(list(rows['start']), grid.slot_minutes)} ({cost})")
    if parts:
        return "granting it would leave " + "; ".join(parts)
    return "granting it alone breaks no rule and leaves no slot short"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_each_explanation_is_what_the_whole_roster_says(team, data):
    scenario, roster = team
    worked = sorted(roster.assignments, key=lambda a: (a.employee_id, a.date))
    picks = data.draw(st.lists(st.sampled_from(worked), min_size=1, max_size=6, unique_by=lambda a: (a.employee_id,
                                                                                                    a.date)))
    codes = sorted({s.code for s in scenario.config.shifts})
    requests = []
    for n, a in enumerate(picks):
        kind = data.draw(st.sampled_from(["off", "shift", "avoid"]))
        code = {"off": "", "avoid": a.shift}.get(kind) or data.draw(st.sampled_from([c for c in codes if c != a.shift]))
        requests.append(Request(n + 2, a.employee_id, a.date, kind, code, 2))
    wished = scenario.model_copy(update={"requests": requests})
    for outcome, r, a in zip(request_outcomes(wished, roster), requests, picks):
        assert not outcome["granted"]  # each asks for something the roster does not give
        assert outcome["why"].startswith(whole_roster_why(wished, roster, r, a))


def test_a_lead_taking_a_day_off_is_told_the_hours_left_without_a_lead(team):
    scenario, roster = team
    leads = {a.employee_id for a in scenario.agents if a.is_lead}
    found = []
    for a in roster.assignments:
        if a.employee_id not in leads:
            continue
        r = Request(2, a.employee_id, a.date, "off", "", 3)
        (outcome,) = request_outcomes(scenario.model_copy(update={"requests": [r]}), roster)
        expected = whole_roster_why(scenario, roster, r, a)
        if "[leads_on_duty]" in expected:
            found.append(a)
            assert outcome["why"] == expected
    assert found, "no lead's day off leaves hours without a lead in this roster: pick another seed"


def test_the_requests_sheet_in_chinese_translates_every_reason(team, tmp_path):
    import openpyxl

    from scheduler.workbook.requests_sheet import requests_sheet

    scenario, roster = team
    codes = sorted({s.code for s in scenario.config.shifts})
    requests = [Request(n + 2, a.employee_id, a.date, kind, {"off": "", "avoid": a.shift}.get(kind, codes[n % 4]), 1)
                for n, a in enumerate(sorted(roster.assignments, key=lambda a: (a.employee_id, a.date))[:24])
                for kind in ["off", "avoid", "shift"][n % 3:n % 3 + 1]]
    outcomes = request_outcomes(scenario.model_copy(update={"requests": requests}), roster)
    ws = openpyxl.Workbook().active
    requests_sheet(ws, outcomes, "zh")
    assert [c.value for c in ws[1]][:5] == ["行号", "工号", "姓名", "日期", "申请"]
    reasons = [row[10] for row in ws.iter_rows(min_row=2, values_only=True) if row[10]]
    assert len(reasons) >= 10
    for text in reasons:
        assert not any(w in text for w in ("granting", "agent-hours", "customer-hours", " short ")), text
        assert text.startswith(("满足此申请会", "单独满足此申请", "本排班周期内", "locks.csv 第")) or "班没有满足" in text, text
