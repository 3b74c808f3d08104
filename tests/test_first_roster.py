"""The first roster comes before the parts of the model it does not need (issue 14): a deferred
build (`RosterModel(defer=True)`) leaves pricing and the later tiers to `finish`, which must
give the very model a whole build gives; staffing sums written straight into the proto
(`add_sum_equality`) must read as CP-SAT's own."""

from __future__ import annotations

import io

from ortools.sat.python import cp_model

from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel, add_sum_equality
from scheduler.solve import Pipeline, ProgressPrinter, SolveOptions, solve
from scheduler.warmstart import greedy_roster
from tests.conftest import make_scenario
from tests.test_exactness import agent, part_time_team


def plain_team():
    # nobody capped: pricing has nothing to do; two queues, so staffing has two sums a slot
    return make_scenario(agents=[agent(1, True), agent(2, True)] + [agent(i) for i in range(3, 7)], days=2,
                         queues=[{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
                                 {"id": "after_sales", "contacts_per_agent_hour": 8, "session_minutes": 30}],
                         shifts=[{"code": "D", "start": "08:00", "hours": 8}],
                         demand={"pre_sales": [0] * 8 + [20, 30, 40, 40, 30, 20, 30, 40],
                                 "after_sales": [0] * 8 + [10] * 8})


def _same_model(a: RosterModel, b: RosterModel) -> None:
    assert str(a.m.proto) == str(b.m.proto)
    assert a.notes == b.notes
    assert [(v.index, d, c) for (v, _f), d, c in zip(a.derived, a.depends, a.linear)] == \
        [(v.index, d, c) for (v, _f), d, c in zip(b.derived, b.depends, b.linear)]
    assert [(t.id, t.coeffs, t.upper, [getattr(x, "index", x) for x in t.items]) for t in a.tiers] == \
        [(t.id, t.coeffs, t.upper, [getattr(x, "index", x) for x in t.items]) for t in b.tiers]


def test_a_deferred_build_finished_is_the_whole_model():
    sc = plain_team()
    deferred = RosterModel(sc, Grid(sc), defer=True)
    assert deferred.deferred and [t.id for t in deferred.tiers] == ["overflow"]  # the first roster's tier
    chosen = greedy_roster(deferred)
    hint = deferred.complete_hint({id(o) for o in chosen})
    known = len(deferred.derived)
    finished = deferred.finish()
    assert finished is deferred and not finished.deferred
    whole = RosterModel(sc, Grid(sc))
    _same_model(finished, whole)
    # the first roster's hint, completed after the model is: the whole model's hint of that roster
    same = [o for o in whole.options if (o.agent, o.inst, o.queue, o.worked) in
            {(c.agent, c.inst, c.queue, c.worked) for c in chosen}]
    assert finished.extend_hint(hint, known) == whole.complete_hint({id(o) for o in same})


def test_deferred_pricing_that_adds_patterns_builds_the_model_anew_with_them():
    sc = part_time_team()
    whole = RosterModel(sc, Grid(sc))
    deferred = RosterModel(sc, Grid(sc), defer=True)
    assert len(deferred.options) < len(whole.options)  # the priced patterns come later
    finished = deferred.finish()
    assert finished is not deferred
    _same_model(finished, whole)
    assert finished.bound_lp is deferred.bound_lp  # one LP per run: the closing bound reuses it
    assert finished.priced_all == whole.priced_all


def test_the_search_sees_the_priced_patterns_and_finds_the_whole_builds_roster():
    sc = part_time_team()
    opts = SolveOptions(time_limit_s=3, workers=1, seed=0)
    pipe = Pipeline(RosterModel(sc, Grid(sc), defer=True), opts, None)
    roster, report = pipe.run()
    assert not pipe.rm.deferred and len(pipe.rm.options) == len(RosterModel(sc, Grid(sc)).options)
    assert any("patterns priced from the LP's duals added" in n for n in report.notes)
    assert report.n_variables == len(pipe.rm.m.proto.variables)
    whole, whole_report = Pipeline(RosterModel(sc, Grid(sc)), opts, None).run()
    assert roster.assignments == whole.assignments
    assert [p.objective for p in report.phases] == [p.objective for p in whole_report.phases]
    assert check_roster(sc, roster) == []


def test_a_deferred_solve_finds_the_whole_builds_roster():
    sc = plain_team()
    opts = SolveOptions(time_limit_s=3, workers=1, seed=0)
    roster, report = solve(sc, opts, ProgressPrinter(None))  # a printer: someone waits for the first roster
    whole, whole_report = Pipeline(RosterModel(sc, Grid(sc)), opts, None).run()
    assert roster.assignments == whole.assignments
    assert [p.name for p in report.phases] == [p.name for p in whole_report.phases]
    assert report.n_variables == whole_report.n_variables and report.n_constraints == whole_report.n_constraints


def test_solve_defers_and_keeps_the_lp_for_the_closing_bound():
    models: list = []
    sc = part_time_team()
    out = io.StringIO()
    roster, report = solve(sc, SolveOptions(time_limit_s=3, workers=1, seed=0), ProgressPrinter(out),
                           on_model=models.append)
    assert len(models) == 2  # pricing added patterns: on_model is told of the model built anew
    assert not models[-1].deferred and getattr(models[-1], "bound_lp", None) is not None  # the closing bound's LP
    assert report.n_variables == len(models[-1].m.proto.variables)
    assert "built anew with the patterns pricing added" in out.getvalue()
    assert check_roster(sc, roster) == []
    assert report.notes[0].startswith("model built in")


def test_a_solve_nobody_watches_builds_the_model_whole_once():
    models: list = []
    sc = part_time_team()
    solve(sc, SolveOptions(time_limit_s=2, workers=1, seed=0), on_model=models.append)
    assert len(models) == 1 and not models[0].deferred  # no first roster to show early: no second build


def test_a_staffing_sum_written_into_the_proto_reads_as_cp_sats_own():
    ours, theirs = cp_model.CpModel(), cp_model.CpModel()
    for m in (theirs, ours):  # ours last: its variables are the ones below
        xs = [m.new_bool_var(f"x{k}") for k in range(5)]
        v = m.new_int_var(0, 500, "v")
        if m is ours:
            assert add_sum_equality(m, v, [0, 2, 3], [100, 90, 7])
        else:
            m.add(v == cp_model.LinearExpr.weighted_sum([xs[0], xs[2], xs[3]], [100, 90, 7]))
    assert str(ours.proto) == str(theirs.proto)
    # not in the plain form (unsorted, a zero coefficient, v not last): left to CP-SAT's own add
    assert not add_sum_equality(ours, v, [3, 0], [1, 1])
    assert not add_sum_equality(ours, v, [0, 1], [1, 0])
    assert not add_sum_equality(ours, xs[1], [0, 2], [1, 1])
    assert len(ours.proto.constraints) == 1


def test_ctrl_c_while_the_model_is_finished_keeps_the_first_roster():
    sc = plain_team()
    pipe = Pipeline(RosterModel(sc, Grid(sc), defer=True), SolveOptions(time_limit_s=3, workers=1), None)
    finish_model = pipe.finish_model

    def interrupted(*args):
        pipe.interrupt.requested = True  # Ctrl-C once the first roster is printed
        return finish_model(*args)

    pipe.finish_model = interrupted  # type: ignore[method-assign]
    roster, report = pipe.run()
    assert len(roster.assignments) == len(greedy_roster(pipe.rm)) > 0  # not an empty roster
    assert check_roster(sc, roster) == [] and report.status == "FEASIBLE"
