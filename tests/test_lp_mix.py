"""The LP's mix of break patterns offered at 15 minutes (`pricing.lp_mix_patterns`, through
`exactness.short_patterns`): patterns beyond the model's 24 an instance, each legal, and the
roster a run makes with them keeps every rule."""

from __future__ import annotations

from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.patterns import all_maximal_patterns, maximal_patterns
from scheduler.pricing import _Split, lp_mix_patterns
from scheduler.rules.run_lengths import legal, limits
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario

# one 8-hour day shift at 15 minutes (32 slots, runs of at most 2 hours): far more than 24 maximal
# patterns, and demand (contacts an hour) that swings hour by hour, so where breaks fall matters
DEMAND = [0] * 8 + [900, 60] * 4 + [0] * 8


def day_team(slot_minutes: int = 15):
    return make_scenario(agents=[{"employee_id": f"A{k}", "name": f"甲{k}", "home_queue": "pre_sales"}
                                 for k in range(4)],
                         days=1, shifts=[{"code": "D", "start": "08:00", "hours": 8}], slot_minutes=slot_minutes,
                         demand={"pre_sales": DEMAND},
                         rules={"min_leads_on_duty": 0, "max_continuous_hours": 2})


def test_the_lps_patterns_are_legal_and_beyond_the_models_24():
    scenario = day_team()
    rm = RosterModel(scenario, Grid(scenario))
    inst = rm.instances[0]
    kept = {tuple(inst.first_slot + k for k, w in enumerate(p) if w)
            for p in maximal_patterns([rm.grid.high_load[t] for t in inst.slots], *limits(rm.rules, 15))}
    got = rm.priced_all  # what the build added (`exactness.short_patterns`): nobody is capped here
    assert got
    assert lp_mix_patterns(rm) == []  # the model offers them now
    assert {a for a, *_ in got} <= set(range(4))
    for _a, i, _q, worked in got:
        assert worked not in kept
        assert legal(rm.grid, rm.rules, rm.instances[i], worked)
    # the model built whole offers them (its note says so), and a run's roster keeps every rule
    assert any("break patterns from the LP's plan added" in n for n in rm.notes)
    assert {(o.agent, o.worked) for o in rm.options} >= {(a, w) for a, _i, _q, w in got}
    roster, _report = solve(scenario, SolveOptions(3, workers=1))
    assert check_roster(scenario, roster) == []


def test_none_at_30_minutes():
    scenario = day_team(30)
    rm = RosterModel(scenario, Grid(scenario))
    assert lp_mix_patterns(rm) == []
    assert not any("from the LP's plan" in n for n in rm.notes)


def test_the_split_takes_the_models_own_patterns_where_they_reproduce_the_lps_slots():
    # one 8-hour shift at 15 minutes: 24 patterns kept of many more. Worked shares that one kept
    # pattern gives exactly, or an even mix of two kept ones, need no new pattern; the shares of a
    # pattern the model lacks are covered by that pattern (nothing kept covers them)
    scenario = day_team()
    rm = RosterModel(scenario, Grid(scenario))
    high = [rm.grid.high_load[t] for t in rm.instances[0].slots]
    pats = all_maximal_patterns(high, *limits(rm.rules, 15))
    kept = {tuple(p) for p in maximal_patterns(high, *limits(rm.rules, 15))}
    assert len(pats) > len(kept)
    split = _Split(pats, kept)
    a, b = sorted(kept)[:2]
    assert [tuple(p) for p in split.mix([float(w) for w in a])] == [a]
    assert {tuple(p) for p in split.mix([(x + y) / 2 for x, y in zip(a, b)])} <= kept
    lacking = next(tuple(p) for p in pats if tuple(p) not in kept)
    assert tuple(split.mix([float(w) for w in lacking])[0]) == lacking
