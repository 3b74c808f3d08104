"""benchmarks.breaks_fixed: a roster's breaks chosen again with its shifts kept (issue 15 item 2)."""

from __future__ import annotations

from benchmarks.breaks_fixed import rechoose_breaks
from benchmarks.generate import generate
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve


def test_rechosen_breaks_keep_every_rule_and_never_lose_service(tmp_path):
    sc = load_scenario(generate(tmp_path, 12, 2, 30, 2, seed=3))
    roster, report = solve(sc, SolveOptions(3, workers=1, seed=0))
    shortage = next(p.objective for p in report.phases if p.name == "shortage")
    lp = rechoose_breaks(sc, roster)
    mip = rechoose_breaks(sc, roster, all_patterns=True, integer_s=5)
    # the roster's own shortage, computed from its runs as SPEC 4 says; the model's rounds each
    # slot and queue to hundredths (at most 0.005 each, in slot-hours)
    grid = Grid(sc)
    cells = grid.n_slots * len(sc.config.queues)
    assert abs(lp.before - shortage) <= 0.005 * grid.delta_hours * cells + 1e-6 and mip.before == lp.before
    assert lp.shifts == len(roster.assignments) > 0
    # the LP over the model's patterns is a lower bound on its own re-choice, which keeps the roster's
    assert lp.value <= lp.before + 1e-6
    assert mip.roster is not None and mip.value <= mip.before + 1e-6 and mip.bound <= mip.value + 1e-6
    assert not check_roster(sc, mip.roster)
    assert [(a.employee_id, a.date, a.shift, a.queue) for a in mip.roster.assignments] == \
        [(a.employee_id, a.date, a.shift, a.queue) for a in roster.assignments]
