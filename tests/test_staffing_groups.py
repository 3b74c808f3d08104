"""Staffing summed over groups of options (`RosterModel.coverage_groups`, issue 15): the model
allows exactly the rosters the per-option sums allow, at the same overflow and shortage."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

import scheduler.model
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.model import RosterModel
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario

QUEUES = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
          {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
AGENTS = [
    {"employee_id": "L1", "name": "组长", "home_queue": "pre_sales", "is_lead": True},
    {"employee_id": "R1", "name": "王芳", "home_queue": "after_sales", "skills": ["pre_sales", "after_sales"],
     "efficiency": 1.2},
    {"employee_id": "F1", "name": "临时", "home_queue": "pre_sales", "kind": "flex", "efficiency": 0.5},
]


def tiny_15_minutes():
    """Four people, one 4-hour shift at 15-minute slots; runs of at most 2 hours force a break."""
    return make_scenario(agents=AGENTS, queues=QUEUES, slot_minutes=15,
                         demand={"pre_sales": [0] * 8 + [20, 30, 30, 20], "after_sales": [0] * 8 + [10, 20, 10, 10]},
                         rules={"max_continuous_hours": 2, "max_continuous_high_load_hours": 2})


def build(scenario, monkeypatch, grouped: bool) -> RosterModel:
    monkeypatch.setattr(scheduler.model, "GROUPED_FROM", -1 if grouped else 10 ** 12)
    rm = RosterModel(scenario, Grid(scenario))
    assert rm.grouped == grouped
    return rm


def best_service(rm: RosterModel, chosen: set[tuple]) -> tuple[str, float | None]:
    """With exactly the options `chosen` ((agent, instance, queue, worked) keys) taken: is the
    roster allowed, and its least overflow * big + shortage."""
    rm.m.clear_hints()
    for o in rm.options:
        rm.m.add_hint(o.var, int((o.agent, o.inst, o.queue, o.worked) in chosen))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    status = solver.solve(rm.m)
    return solver.status_name(status), solver.objective_value if status == cp_model.OPTIMAL else None


def test_groups_allow_exactly_the_rosters_per_option_sums_allow(monkeypatch):
    sc = tiny_15_minutes()
    models = [build(sc, monkeypatch, grouped=False), build(sc, monkeypatch, grouped=True)]
    keys = [(o.agent, o.inst, o.queue, o.worked) for o in models[0].options]
    assert keys == [(o.agent, o.inst, o.queue, o.worked) for o in models[1].options]
    for rm in models:
        over, short = rm.tiers[0], rm.tiers[1]
        rm.m.minimize(over.expr * (short.upper + 1) + short.expr)
    per_agent = [[None] + [k for k in keys if k[0] == a] for a in range(len(AGENTS))]
    # every roster of one shift, 300 drawn of one option (or none) per agent, and two with two
    # options for one agent (never allowed)
    rng = random.Random(0)
    rosters = [{k} for k in keys]
    rosters += [{k for k in (rng.choice(ks) for ks in per_agent) if k is not None} for _ in range(300)]
    rosters += [set(per_agent[1][1:3]), set(per_agent[0][1:3]) | {per_agent[2][1]}]
    allowed = 0
    for chosen in rosters:
        per_option, grouped = (best_service(rm, chosen) for rm in models)
        assert grouped == per_option, sorted(chosen)
        allowed += per_option[0] == "OPTIMAL"
    assert 0 < allowed < len(rosters)  # the lead rule and one shift per date forbid some


def test_a_grouped_solve_passes_the_checker_at_the_same_service(monkeypatch):
    sc = tiny_15_minutes()
    results = []
    for grouped in (False, True):
        monkeypatch.setattr(scheduler.model, "GROUPED_FROM", -1 if grouped else 10 ** 12)
        roster, report = solve(sc, SolveOptions(time_limit_s=5, workers=1, seed=0))
        assert check_roster(sc, roster) == []
        k = summary_kpis(sc, Grid(sc), roster)
        results.append((report.phases[0].status, round(k["overflow_customer_hours"], 6),
                        round(k["shortage_agent_hours"], 6)))
    assert results[0] == results[1]


def test_small_models_keep_per_option_sums():
    sc = tiny_15_minutes()
    rm = RosterModel(sc, Grid(sc))
    assert not rm.grouped
    assert not any(v.name.startswith("group_") for v, _fn in rm.derived)


@pytest.mark.parametrize("grouped", [False, True])
def test_staffed_upper_is_the_sum_of_efficiencies_that_may_work_a_slot(monkeypatch, grouped):
    sc = tiny_15_minutes()
    rm = build(sc, monkeypatch, grouped)
    for (t, q), (_vs, cs) in rm.coverage_terms().items():
        assert rm.staffed_upper(t, q) == sum(cs)
