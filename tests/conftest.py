"""Tiny hand-made scenarios whose optimum can be computed on paper."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.scenario import Absence, Agent, Scenario, ScenarioConfig


def greedy_values(rm) -> list[int]:
    """The greedy roster of a `RosterModel` as a value per model variable (what LNS starts from)."""
    from scheduler.warmstart import greedy_roster

    hint = rm.complete_hint({id(o) for o in greedy_roster(rm)})
    return [hint.get(k, 0) for k in range(len(rm.m.proto.variables))]


def roster_of(rm, values: list[int]):
    """The roster that model values pick: the assignment of every option whose variable is 1, sorted."""
    from scheduler.roster import Roster

    return Roster([rm.assignment_of(o) for o in rm.options if values[o.var.index]]).sorted()


def service_lns(scenario, params, seconds: float = 2.0):
    """LNS from the greedy roster on overflow, then shortage as its tie-break (one worker,
    deterministic, seed 0) with `params`: (rm, start, result, stats); the result is checked
    against SPEC's rules by the independent checker here."""
    from scheduler import lns
    from scheduler.check import check_roster
    from scheduler.grid import Grid
    from scheduler.model import RosterModel

    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]
    result, stats = lns.improve(rm, goal, start, seconds, workers=1, seed=0, deterministic=True,
                                stop=lambda: False, search=lambda s, m: s.solve(m), params=params)
    assert check_roster(scenario, roster_of(rm, result)) == []
    return rm, start, result, stats


def make_scenario(*, agents: list[dict], demand: dict[str, list[float]], days: int = 1, slot_minutes: int = 60,
                  queues: list[dict] | None = None, shifts: list[dict] | None = None, rules: dict | None = None,
                  moves: list[dict] | None = None, absences: list[dict] | None = None,
                  start: dt.date = dt.date(2026, 11, 11)) -> Scenario:
    """Build a Scenario in code. `demand` maps queue id -> contacts per hour for the first hours
    of the horizon (the rest is zero); it is spread evenly over the slots of each hour."""
    queues = queues or [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
    shifts = shifts or [{"code": "D", "start": "08:00", "hours": 4}]
    config = ScenarioConfig.model_validate({
        "name": "tiny", "start": start, "days": days, "slot_minutes": slot_minutes,
        "queues": queues, "shifts": shifts, "moves": moves or [],
        # no slot is high-load unless a test says so, so paper optima need no forced breaks
        "rules": {"high_load_contacts_per_hour": 10_000, **(rules or {})},
    })
    per_hour = 60 // slot_minutes
    n = days * 24 * per_hour
    full = {}
    for q in config.queue_ids:
        hourly = demand.get(q, [])
        full[q] = [hourly[t // per_hour] / per_hour if t // per_hour < len(hourly) else 0.0 for t in range(n)]
    return Scenario(config=config, agents=[Agent.model_validate(a) for a in agents], demand=full,
                    absences=[Absence.model_validate(a) for a in (absences or [])])


@pytest.fixture
def scenario_factory():
    return make_scenario


@pytest.fixture(autouse=True)
def _check_every_lns_part(monkeypatch):
    """Every roster an LNS part returns is checked against every constraint of the full model."""
    import scheduler.lns

    monkeypatch.setattr(scheduler.lns, "CHECK_PARTS", True)
