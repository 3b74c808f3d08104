"""Re-dealing a roster's own weeks among interchangeable agents (`scheduler.redeal`): the master
finds a provable gain, the complete roster keeps every rule, tied agents keep their week, and
the result is never worse than the input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from scheduler import redeal
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.lns import parts_of
from scheduler.model import RosterModel
from scheduler.scenario.wishes import Request
from tests.conftest import make_scenario, roster_of

SHIFTS = [{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "14:00", "hours": 4}]


def two_days(n: int = 3):
    """n identical agents, two days, two 4-hour shifts; demand only in E (2 agents each day)."""
    day = [0] * 8 + [20] * 4 + [0] * 12
    agents = [{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales"} for k in range(n)]
    return make_scenario(agents=agents, days=2, shifts=SHIFTS, demand={"pre_sales": day * 2},
                         rules={"min_leads_on_duty": 0})


def roster_values(rm: RosterModel, weeks: dict[int, str]) -> np.ndarray:
    """The roster in which agent a works shift weeks[a] on both dates (its first option each)."""
    chosen = set()
    for a, code in weeks.items():
        for (b, i), opts in rm.by_agent_inst.items():
            if b == a and rm.instances[i].code == code:
                chosen.add(id(opts[0]))
    hint = rm.complete_hint(chosen)
    values = np.zeros(len(rm.m.proto.variables), dtype=np.int64)
    for k, v in hint.items():
        values[k] = v
    assert not parts_of(rm).violations(values)
    return values


def test_copying_a_week_removes_the_shortage_and_keeps_every_rule():
    scenario = two_days()
    rm = RosterModel(scenario, Grid(scenario))
    # A0 works E on both days, A1 and A2 work L: E lacks one agent for 4 hours on each day
    values = roster_values(rm, {0: "E", 1: "L", 2: "L"})
    before = redeal._service(rm, values)
    assert before[1] * rm.grid.delta_hours / 100 == pytest.approx(8.0)
    ks = redeal.classes(rm)
    assert [sorted(k.agents) for k in ks] == [[0, 1, 2]]
    new, out = redeal.improve(rm, parts_of(rm), values, seconds=5)
    assert new is not None and out.after is not None
    assert out.after[1] == 0 and out.after[0] <= before[0]  # a second agent copies A0's week
    assert not parts_of(rm).violations(new)
    assert check_roster(scenario, roster_of(rm, new.tolist())) == []
    assert 1 <= out.changed <= 2  # A0 keeps its own week


def test_an_agent_with_a_request_keeps_its_week():
    scenario = two_days(2)
    scenario.requests = [Request(2, "A1", dt.date(2026, 11, 20), "off")]  # a date outside: only the tie counts
    rm = RosterModel(scenario, Grid(scenario))
    assert sorted(len(k.agents) for k in redeal.classes(rm)) == [1, 1]
    values = roster_values(rm, {0: "E", 1: "L"})
    new, out = redeal.improve(rm, parts_of(rm), values, seconds=5)
    assert new is None  # A1 is its own class: its week (L, L) is the only one it may take
    assert out.master is None


def test_a_roster_the_master_cannot_improve_is_kept():
    scenario = two_days()
    rm = RosterModel(scenario, Grid(scenario))
    values = roster_values(rm, {0: "E", 1: "E", 2: "L"})  # E staffed: no shortage left
    new, out = redeal.improve(rm, parts_of(rm), values, seconds=5)
    assert new is None and out.before[1] == 0
