"""One worker is deterministic whatever the machine's load: no CP-SAT call of a one-worker
solve, whole model or LNS part, may end on a wall-clock limit."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from scheduler.solve import Pipeline, SolveOptions, solve


def six_agents(scenario_factory):
    """Six agents (two leads), one queue, three days, E 06:00 and L 12:00: no overflow needed."""
    return scenario_factory(
        agents=[{"employee_id": f"A{k}", "name": f"A{k}", "home_queue": "pre_sales", "is_lead": k < 2}
                for k in range(6)],
        demand={"pre_sales": [0] * 6 + [30] * 14}, days=3,
        shifts=[{"code": "E", "start": "06:00", "hours": 8}, {"code": "L", "start": "12:00", "hours": 8}])


def test_a_one_worker_solve_gives_cp_sat_no_wall_clock_limit(scenario_factory, monkeypatch):
    # under load a wall-clock guard (it was 10 x the deterministic limit + 10 s) fired: 0.34
    # deterministic seconds took 15 s, and the same seed gave another roster
    sc = six_agents(scenario_factory)
    calls: list[tuple[float, float, int]] = []
    real = cp_model.CpSolver.solve

    def spy(self, model, *args, **kwargs):
        p = self.parameters
        calls.append((p.max_deterministic_time, p.max_time_in_seconds, p.num_workers))
        return real(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", spy)
    # LNS on this small model too, so its parts are checked as well as CP-SAT on the whole model
    tuning = DEFAULT_PARAMS.but(lns_min_options=1)
    roster, report = solve(sc, SolveOptions(time_limit_s=3, workers=1, seed=2, tuning=tuning))
    assert check_roster(sc, roster) == []
    assert any("large-neighbourhood search" in n for n in report.notes)
    assert len(calls) >= 2
    for det, wall, workers in calls:
        assert workers == 1 and det < math.inf and wall == math.inf, (det, wall)



def test_one_worker_passes_the_time_a_tier_left_unused_to_the_tiers_after_it(scenario_factory, monkeypatch):
    # the staff covers this demand without overflow: CP-SAT proves overflow 0 at once, and the
    # shortage tier gets the deterministic seconds the overflow tier did not use
    sc = six_agents(scenario_factory)
    limits: list[float] = []
    real = cp_model.CpSolver.solve

    def spy(self, model, *args, **kwargs):
        limits.append(self.parameters.max_deterministic_time)
        return real(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", spy)
    roster, report = solve(sc, SolveOptions(time_limit_s=20, workers=1, seed=0))
    assert check_roster(sc, roster) == []
    assert [p.name for p in report.phases[:2]] == ["overflow", "shortage"]
    assert report.phases[0].status == "OPTIMAL" and limits[0] < 20
    # CP-SAT on the whole model (a small model: no LNS), one call per tier
    pipe = Pipeline(RosterModel(sc, Grid(sc)), SolveOptions(time_limit_s=20, workers=1), None)
    shares = [DEFAULT_PARAMS.share(t.id) for t in pipe.tiers]
    assert limits[1] > 20 * shares[1] / sum(shares)  # more than its share of the limit
    assert limits[1] <= 20 * shares[1] / sum(shares[1:])  # at most its share of all that was left
