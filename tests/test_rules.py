"""The rule is the unit: a rule written outside the package, given to the model through its
public API, is kept by the constraints, the greedy first roster and the final roster."""

from __future__ import annotations

from collections import defaultdict

import pytest
from ortools.sat.python.cp_model import LinearExpr

from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.roster import Roster
from scheduler.rules import HARD_RULES, GreedyCheck, Rule
from scheduler.solve import SolveOptions, solve
from scheduler.warmstart import greedy_roster
from tests.conftest import make_scenario

DAYS = 5
SHIFTS = [{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "16:00", "hours": 4}]
LEAD = {"employee_id": "a", "name": "A", "home_queue": "pre_sales", "is_lead": True}


class AtMostTwoLatesInARow(Rule):
    """No agent works the late shift on three dates in a row."""

    name = "late_run"

    def add(self, rm: RosterModel) -> None:
        day = {d: n for n, d in enumerate(rm.grid.dates)}
        late: dict[int, list[list]] = defaultdict(lambda: [[] for _ in rm.grid.dates])
        for (a, i), v in rm.on.items():
            if rm.instances[i].code == "L":
                late[a][day[rm.instances[i].date]].append(v)
        for per_day in late.values():
            for s in range(len(per_day) - 2):
                window = [v for vs in per_day[s:s + 3] for v in vs]
                if len(window) > 2:
                    rm.m.add(LinearExpr.sum(window) <= 2)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _LateDays(rm)


class _LateDays(GreedyCheck):
    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.day = {d: n for n, d in enumerate(rm.grid.dates)}
        self.late: list[set[int]] = [set() for _ in rm.agents]

    def fits(self, o) -> bool:
        inst = self.rm.instances[o.inst]
        if inst.code != "L":
            return True
        mine, d = self.late[o.agent], self.day[inst.date]
        before = after = 0
        while d - before - 1 in mine:
            before += 1
        while d + after + 1 in mine:
            after += 1
        return before + 1 + after <= 2

    def take(self, o) -> None:
        inst = self.rm.instances[o.inst]
        if inst.code == "L":
            self.late[o.agent].add(self.day[inst.date])


def _longest_late_run(roster: Roster) -> int:
    dates = sorted({a.date for a in roster.assignments if a.shift == "L"})
    best = run = 0
    for k, d in enumerate(dates):
        run = run + 1 if k and (d - dates[k - 1]).days == 1 else 1
        best = max(best, run)
    return best


def _evenings_only():
    # contacts only from 16:00 to 20:00, every day: without the rule the agent works every late shift
    day = [0.0] * 16 + [20.0] * 4 + [0.0] * 4
    return make_scenario(agents=[LEAD], days=DAYS, shifts=SHIFTS, demand={"pre_sales": day * DAYS},
                         rules={"max_consecutive_days": 7})


def test_the_rule_binds_without_it():
    roster, _ = solve(_evenings_only(), SolveOptions(time_limit_s=2, workers=1))
    assert _longest_late_run(roster) == DAYS


def test_a_rule_given_to_the_model_is_kept_by_the_greedy_start_and_the_final_roster():
    sc = _evenings_only()
    rm = RosterModel(sc, Grid(sc), extra_rules=[AtMostTwoLatesInARow()])
    assert [type(r) for r in rm.rule_list] == [type(r) for r in HARD_RULES] + [AtMostTwoLatesInARow]
    first = Roster([rm.assignment_of(o) for o in greedy_roster(rm)]).sorted()
    assert first.assignments and _longest_late_run(first) <= 2
    roster, report = solve(sc, SolveOptions(time_limit_s=2, workers=1), extra_rules=[AtMostTwoLatesInARow()])
    assert _longest_late_run(roster) == 2
    assert len([a for a in roster.assignments if a.shift == "L"]) == 4  # L L - L L: the best the rule allows
    assert check_roster(sc, roster) == []


def test_a_rule_the_greedy_start_cannot_keep_cannot_be_made():
    class NoGreedy(Rule):
        def add(self, rm: RosterModel) -> None:
            return None

    with pytest.raises(TypeError):
        NoGreedy()  # its test in the greedy start is not optional


def test_a_rule_built_from_a_constraint_lns_cannot_read_fails_when_the_model_is_built():
    class Maximum(Rule):
        def add(self, rm: RosterModel) -> None:
            top = rm.m.new_int_var(0, 1, "top")
            rm.m.add_max_equality(top, [o.var for o in rm.options[:2]])

        def greedy(self, rm: RosterModel) -> GreedyCheck:
            return GreedyCheck()

    sc = _evenings_only()
    with pytest.raises(NotImplementedError, match="add_max_equality"):
        RosterModel(sc, Grid(sc), extra_rules=[Maximum()])
