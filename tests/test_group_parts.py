"""LNS parts of a grouped model (`RosterModel.coverage_groups`, issue 15) sum each free group's
members in the group's place (`Parts._expand`): the same optimum as the part without that and
as the whole model with the rest fixed; a part's roster keeps every rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scheduler.model
import scheduler.parts as parts_module
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.lns import Neighbourhoods, _weighted
from scheduler.model import RosterModel
from scheduler.parts import Parts
from scheduler.scenario import load_scenario
from scheduler.warmstart import greedy_roster
from tests.conftest import roster_of
from tests.test_parts import _solve, _solve_whole_with_rest_fixed

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def grouped():
    scenario = load_scenario(DATA / "three_queues_30min")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scheduler.model, "GROUPED_FROM", -1)
        rm = RosterModel(scenario, Grid(scenario))
    assert rm.grouped and rm.group_defs
    hint = rm.complete_hint({id(o) for o in greedy_roster(rm)})
    values = np.array([hint.get(k, 0) for k in range(len(rm.m.proto.variables))], dtype=np.int64)
    return scenario, rm, values


def _parts(rm: RosterModel, expand: bool, monkeypatch) -> Parts:
    monkeypatch.setattr(parts_module, "EXPAND_GROUPS", expand)
    return Parts(rm)


def test_a_part_with_groups_expanded_has_the_same_optimum_and_keeps_every_rule(grouped, monkeypatch):
    scenario, rm, values = grouped
    expanded, plain = _parts(rm, True, monkeypatch), _parts(rm, False, monkeypatch)
    assert expanded.expand_groups and not plain.expand_groups
    hoods = Neighbourhoods(rm, seed=3)
    hoods.sizes = {k: 150 for k in hoods.sizes}  # parts small enough to solve to optimality
    goal = [(rm.tiers[1], 1)]
    moved = 0
    for _ in range(4):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, terms = expanded.build(hoods.var[mask], values, _weighted(goal))
        sub0, free0, terms0 = plain.build(hoods.var[mask], values, _weighted(goal))
        assert free_vars.tolist() == free0.tolist() and terms >= terms0  # members in place of groups
        small, small0 = _solve(sub, 20.0), _solve(sub0, 20.0)
        whole = _solve_whole_with_rest_fixed(rm, rm.tiers[1], hoods.var[~mask], values)
        assert small.status == small0.status == whole.status == "OPTIMAL"
        candidate = values.copy()
        candidate[free_vars] = list(small.response_proto.solution)
        assert expanded.violations(candidate) == []  # group helpers still equal their members' sums
        assert rm.tiers[1].value(candidate.tolist()) == round(whole.objective_value)
        assert small.objective_value == small0.objective_value  # the free terms' optimum, both ways
        moved += int((candidate != values).any())
        values = candidate
    assert moved >= 1
    roster = roster_of(rm, values)
    assert check_roster(scenario, roster) == []


def test_models_without_groups_are_read_as_before(monkeypatch):
    scenario = load_scenario(DATA / "three_queues_30min")
    rm = RosterModel(scenario, Grid(scenario))
    assert not rm.grouped and not rm.group_defs
    assert not _parts(rm, True, monkeypatch).expand_groups
