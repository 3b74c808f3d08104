"""Whole-schedule recombination (scheduler.recombine): interchangeable agents copy each other's
whole schedules when that lowers the shortage; everyone else keeps theirs; never worse."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.lns import parts_of
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from scheduler.recombine import BACKENDS, Recombiner, agent_classes, tiers_of
from scheduler.scenario.wishes import Lock, Request
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario, roster_of

DAY = dt.date(2026, 11, 11)
SHIFTS = [{"code": "E", "start": "08:00", "hours": 4}, {"code": "L", "start": "12:00", "hours": 4}]


def early_late(agents: list[dict], days: int = 1, leads: int = 0, late: float = 20.0):
    """08-12 one agent's contacts per hour, 12-16 `late` / 10 agents' (two: the best roster of
    three has one agent on E and two on L each day, shortage 0)."""
    demand = ([0.0] * 8 + [10.0] * 4 + [late] * 4 + [0.0] * 8) * days
    return make_scenario(agents=agents, demand={"pre_sales": demand}, days=days, shifts=SHIFTS,
                         rules={"min_leads_on_duty": leads})


def team(n: int, **extra) -> list[dict]:
    return [{"employee_id": f"A{k}", "name": f"Agent {k}", "home_queue": "pre_sales", **extra} for k in range(n)]


def values_of(rm: RosterModel, shifts: dict[str, list[str]]) -> np.ndarray:
    """The model's values of a roster: agent id -> its shift code per date (first pattern, home queue)."""
    chosen = set()
    for a, agent in enumerate(rm.agents):
        for d, code in enumerate(shifts.get(agent.employee_id, [])):
            if code == "-":
                continue
            inst = rm.inst_by_key[(code, rm.grid.dates[d])]
            chosen.add(id(rm.by_agent_inst[(a, inst.index)][0]))
    hint = rm.complete_hint(chosen)
    return np.array([hint.get(k, 0) for k in range(len(rm.m.proto.variables))], dtype=np.int64)


def recombined(scenario, shifts: dict[str, list[str]], backend: str = "rens"):
    rm = RosterModel(scenario, Grid(scenario))
    values = values_of(rm, shifts)
    parts = parts_of(rm)
    assert parts.violations(values) == []
    rc = Recombiner(rm, parts)
    rc.backend = backend
    over, short = tiers_of(rm)
    assert over is not None and short is not None
    out, stats = rc.run(values, over, short, 5.0, deterministic=True)
    assert parts.violations(out) == []
    assert check_roster(scenario, roster_of(rm, out.tolist())) == []
    assert over.value(out) <= over.value(values) and short.value(out) <= short.value(values)
    return rm, values, out, stats, short


def shift_of(rm: RosterModel, values: np.ndarray, employee_id: str) -> list[str]:
    return [f"{a.shift}@{a.date}" for a in roster_of(rm, values.tolist()).assignments if a.employee_id == employee_id]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_copying_a_schedule_lowers_the_shortage(backend):
    # two of three interchangeable agents on E: one of them copies C's L, shortage 4 -> 0 agent-hours
    rm, values, out, stats, short = recombined(early_late(team(3)), {"A0": ["E"], "A1": ["E"], "A2": ["L"]}, backend)
    assert short.value(values) * short.to_user == pytest.approx(4.0)
    assert stats.kept and stats.classes == 1 and stats.members == 3 and stats.changed_agents == 1
    assert short.value(out) == 0
    assert shift_of(rm, out, "A0") == shift_of(rm, values, "A0")  # the first keeps its schedule: fewest changes


def test_requesting_and_locked_agents_keep_their_schedules():
    sc = early_late(team(4))
    sc.requests = [Request(2, "A0", DAY, "shift", "E")]
    sc.locks = [Lock(2, "A1", DAY, "E")]
    rm, values, out, stats, short = recombined(sc, {"A0": ["E"], "A1": ["E"], "A2": ["E"], "A3": ["L"]})
    assert agent_classes(rm) == [[2, 3]]
    assert stats.kept and short.value(out) == 0
    for who in ("A0", "A1"):
        assert shift_of(rm, out, who) == shift_of(rm, values, who)
    assert shift_of(rm, out, "A2") != shift_of(rm, values, "A2")


def test_unlike_agents_are_no_class():
    # another efficiency, another skill set: nobody to copy
    agents = team(2) + [{"employee_id": "B", "name": "B", "home_queue": "pre_sales", "efficiency": 1.5}]
    rm = RosterModel(early_late(agents), Grid(early_late(agents)))
    assert agent_classes(rm) == [[0, 1]]


def test_never_worse_than_the_roster_at_hand():
    _, values, out, stats, _ = recombined(early_late(team(3)), {"A0": ["E"], "A1": ["L"], "A2": ["L"]})
    assert not stats.kept and np.array_equal(out, values)


def test_leads_stay_on_duty_over_two_days():
    # a lead on each shift each day, three agents for three places on L: one of the two on E
    # copies the third's week (the leads' own rows hold: a lead stays on every shift worked)
    agents = team(3) + [{"employee_id": f"L{k}", "name": f"Lead {k}", "home_queue": "pre_sales", "is_lead": True}
                        for k in range(2)]
    sc = early_late(agents, days=2, leads=1, late=30.0)
    rm, values, out, stats, short = recombined(sc, {"A0": ["E", "E"], "A1": ["E", "E"], "A2": ["L", "L"],
                                                    "L0": ["E", "E"], "L1": ["L", "L"]})
    assert short.value(values) * short.to_user == pytest.approx(8.0)
    assert stats.kept and short.value(out) == 0


@pytest.mark.parametrize("workers, seconds", [(1, 8.0), (2, 6.0)])
def test_solve_recombines_in_the_shortage_tier(workers, seconds):
    # LNS alone (whole_model_max 0) with recombination after a tenth of the shortage tier (one
    # worker), or beside its parts from the tier's start (two: SolveParams.recombine_beside_at);
    # more demand than staff: the shortage stays above 0, so the step runs
    sc = early_late(team(6), days=2, late=80.0)
    tuning = DEFAULT_PARAMS.but(recombine_at=0.1, recombine_beside_at=0.0, whole_model_max=0, lns_min_options=0,
                                recombine_s=1.0, recombine_overhead_s=0.5, recombine_min_class=6)
    roster, report = solve(sc, SolveOptions(seconds, workers=workers, seed=0, tuning=tuning))
    assert check_roster(sc, roster) == []
    assert any("whole-schedule recombination over" in n for n in report.notes)
    if workers == 1:  # a class of 6 is below a mean class of 7: no recombination
        _, report = solve(sc, SolveOptions(seconds, workers=1, seed=0, tuning=tuning.but(recombine_min_class=7)))
        assert not any("whole-schedule recombination" in n for n in report.notes)


def test_its_notes_read_in_chinese():
    from scheduler.recombine import RecombineStats
    from scheduler.workbook.labels import translate_note

    rm = RosterModel(early_late(team(2)), Grid(early_late(team(2))))
    _, short = tiers_of(rm)
    assert short is not None
    kept = RecombineStats(classes=3, members=40, columns=30, status="FEASIBLE", before=56605, after=55821,
                          changed_agents=330, seconds=12.5, kept=True)
    for stats in (kept, RecombineStats(classes=1, members=2, columns=2, why="the master found no roster (UNKNOWN)")):
        note = stats.describe(short)
        assert translate_note(note, "zh") != note, note


def test_schedules_of_an_earlier_roster_are_dealt_too():
    # everyone on E now: nothing to re-deal among the roster's own schedules; an earlier roster's L
    # (remembered, with its two days off) lets two of them take L
    sc = early_late(team(3))
    rm = RosterModel(sc, Grid(sc))
    now, earlier = values_of(rm, {f"A{k}": ["E"] for k in range(3)}), values_of(rm, {"A0": ["L"]})
    rc = Recombiner(rm, parts_of(rm))
    over, short = tiers_of(rm)
    assert over is not None and short is not None
    assert not rc.run(now, over, short, 5.0, deterministic=True)[1].kept
    rc.remember(earlier)
    out, stats = rc.run(now, over, short, 5.0, deterministic=True)
    assert stats.kept and stats.pooled == 2 and short.value(out) == 0  # L, and the day off
    assert check_roster(sc, roster_of(rm, out.tolist())) == []


ODD = {  # an agent like A0 and A2 in every attribute the roster reads but one thing it may work
    "absence": ({}, [{"employee_id": "X", "start": "2026-11-11 12:00", "end": "2026-11-11 16:00", "reason": "sick"}]),
    "night_ok": ({"night_ok": False}, []),
}


def odd_one_out(odd: str):
    """A0, X, A2 over one date (E 08-12 needs one agent, L 12-16 two; L is a night shift): X may
    not work L (its absence, or night_ok = false), the others may."""
    extra, absences = ODD[odd]
    agents = [{"employee_id": e, "name": e, "home_queue": "pre_sales", **(extra if e == "X" else {})}
              for e in ("A0", "X", "A2")]
    shifts = [SHIFTS[0], {**SHIFTS[1], "night": True}]
    return make_scenario(agents=agents, demand={"pre_sales": [0.0] * 8 + [10.0] * 4 + [20.0] * 4}, shifts=shifts,
                         rules={"min_leads_on_duty": 0}, absences=absences)


@pytest.mark.parametrize("odd", sorted(ODD))
def test_an_agent_who_may_not_work_a_classmate_s_schedule_is_in_no_class(odd):
    # A0 and X on E, A2 on L: one more on L removes the shortage. Were X in the class it would be
    # the one dealt L (the first holder keeps its schedule), which X may not work; apart, A0 moves
    rm, values, out, stats, short = recombined(odd_one_out(odd), {"A0": ["E"], "X": ["E"], "A2": ["L"]})
    assert agent_classes(rm) == [[0, 2]]
    assert stats.kept and short.value(out) == 0
    assert shift_of(rm, out, "X") == shift_of(rm, values, "X")
    assert shift_of(rm, out, "A0") == shift_of(rm, out, "A2")


def test_a_sale_day_move_splits_agents_of_the_same_skills():
    # A0 and A2 (after-sales at home) serve pre-sales on the sale day; Z has the same two skills but
    # pre-sales at home, so it may serve either queue there: not their class, and it keeps its plan
    both = ["pre_sales", "after_sales"]
    agents = [{"employee_id": "A0", "name": "A0", "home_queue": "after_sales", "skills": both},
              {"employee_id": "Z", "name": "Z", "home_queue": "pre_sales", "skills": both},
              {"employee_id": "A2", "name": "A2", "home_queue": "after_sales", "skills": both}]
    queues = [{"id": q, "contacts_per_agent_hour": 10, "session_minutes": 60} for q in ("pre_sales", "after_sales")]
    sc = make_scenario(agents=agents, demand={"pre_sales": [0.0] * 8 + [10.0] * 4 + [20.0] * 4}, shifts=SHIFTS,
                       queues=queues, moves=[{"dates": [DAY], "from": "after_sales", "to": "pre_sales"}],
                       rules={"min_leads_on_duty": 0})
    rm, values, out, stats, short = recombined(sc, {"A0": ["E"], "Z": ["E"], "A2": ["L"]})
    assert agent_classes(rm) == [[0, 2]]
    assert {o.queue for o in rm.options if o.agent == 0} == {"pre_sales"}  # the move: pre-sales only
    assert stats.kept and short.value(out) == 0
    assert shift_of(rm, out, "Z") == shift_of(rm, values, "Z")


@pytest.mark.parametrize("other", [{"kind": "flex"}, {"max_hours_week": 3}, {"is_lead": True},
                                   {"skills": ["pre_sales", "after_sales"]}])
def test_any_other_attribute_splits_a_class(other):
    queues = [{"id": q, "contacts_per_agent_hour": 10, "session_minutes": 60} for q in ("pre_sales", "after_sales")]
    agents = team(3)
    agents[1] = {**agents[1], **other}
    sc = make_scenario(agents=agents, demand={"pre_sales": [0.0] * 8 + [10.0] * 8}, shifts=SHIFTS, queues=queues)
    assert agent_classes(RosterModel(sc, Grid(sc))) == [[0, 2]]


def test_a_fractional_reroute_threshold_reads_item_by_item_as_the_model():
    # R = 0.5 customers per agent: overflow in every slot (50 and 100 customers at once), its rows
    # per agent with round(R * efficiency) as the model's; every item reads alike, so the master
    # runs and A1 moves (overflow the same: it is linear in the staff there)
    demand = [0.0] * 8 + [10.0] * 4 + [20.0] * 4
    queue = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 300}]
    sc = make_scenario(agents=team(3), demand={"pre_sales": demand}, shifts=SHIFTS, queues=queue,
                       rules={"min_leads_on_duty": 0, "reroute_concurrency": 0.5})
    rm, values, out, stats, short = recombined(sc, {"A0": ["E"], "A1": ["E"], "A2": ["L"]})
    over, _ = tiers_of(rm)
    assert over is not None and over.value(values) > 0
    assert stats.kept and short.value(out) == 0


@pytest.mark.parametrize("limits", [{"A1": ["E", "L"]}, {"A1": ["E"]}])
def test_a_hire_s_shift_limits_split_a_class(limits):
    # a hire limited to its --shifts is apart even when the limit allows every shift there is
    sc = early_late(team(3))
    sc.shift_limits = limits
    assert agent_classes(RosterModel(sc, Grid(sc))) == [[0, 2]]


def test_a_master_that_misreads_two_items_in_opposite_ways_is_not_used(monkeypatch):
    # the roster of test_copying_a_schedule_lowers_the_shortage, with the master reading one slot's
    # shortage a hundredth high and another's a hundredth low: the totals agree, the items do not
    import scheduler.recombine as recombine

    plain = recombine.Master.var
    shifted: list[int] = []

    def misread(self, ub, hint, count=False, service=False):
        if service and not shifted and hint < ub:
            shifted.append(1)
            hint += 1
        elif service and shifted == [1] and hint > 0:
            shifted.append(-1)
            hint -= 1
        return plain(self, ub, hint, count, service)

    monkeypatch.setattr(recombine.Master, "var", misread)
    _, values, out, stats, _ = recombined(early_late(team(3)), {"A0": ["E"], "A1": ["E"], "A2": ["L"]})
    assert shifted == [1, -1]
    assert not stats.kept and np.array_equal(out, values)
    assert stats.why == "the master does not read the roster's service as the model does"


def test_the_master_beside_lns_is_merged_into_a_roster_the_parts_moved():
    # the master re-deals the class A0-A2 (one of A0/A1 takes L) from `base`; meanwhile a part put B
    # (another efficiency: no class) on L. The master's agent takes its whole schedule into the
    # moved roster: both gains, legal
    from scheduler.lns import ADOPTED, Beside, Lns

    agents = team(3) + [{"employee_id": "B", "name": "B", "home_queue": "pre_sales", "efficiency": 1.5}]
    sc = early_late(agents, late=40.0)
    rm = RosterModel(sc, Grid(sc))
    parts = parts_of(rm)
    over, short = tiers_of(rm)
    assert over is not None and short is not None
    base = values_of(rm, {"A0": ["E"], "A1": ["E"], "A2": ["L"]})
    moved = values_of(rm, {"A0": ["E"], "A1": ["E"], "A2": ["L"], "B": ["L"]})
    out, stats = Recombiner(rm, parts).run(base, over, short, 5.0, deterministic=True)
    assert stats.kept and parts.violations(moved) == []
    lns = Lns(rm, [(short, 1)], base.tolist(), 5.0, workers=2, seed=0, deterministic=False, stop=lambda: False,
              search=lambda s, m: s.solve(m), until=None, on_improve=None, params=DEFAULT_PARAMS,
              beside=Beside("whole-schedule recombination", lambda v, left, over: None, after_s=0.0))
    lns.values, lns.best, lns.totals = moved, lns.goal_value(moved), parts.totals(moved)
    note = lns._adopt("whole-schedule recombination", base, out)
    assert f"adopted {ADOPTED[1]}" in note, note
    assert parts.violations(lns.values) == []
    assert check_roster(sc, roster_of(rm, lns.values.tolist())) == []
    # late: A2, B (1.5) and the master's agent against 4 agents' worth: 0.5 agents short for 4 hours
    assert short.value(lns.values) * short.to_user == pytest.approx(2.0)
    assert short.value(lns.values) < min(short.value(out), short.value(moved))
    assert lns.parts.totals(lns.values)[0].tolist() == lns.totals[0].tolist()


def test_two_lanes_run_the_master_beside_their_parts():
    # one lane runs the master at once (after_s 0) while the other solves parts; its roster is
    # adopted (as it is, or into the roster the parts moved), or the parts' roster is better
    from scheduler.lns import Beside, improve

    sc = early_late(team(3), days=2, late=40.0)
    rm = RosterModel(sc, Grid(sc))
    parts = parts_of(rm)
    over, short = tiers_of(rm)
    assert over is not None and short is not None
    start = values_of(rm, {"A0": ["E", "E"], "A1": ["E", "E"], "A2": ["L", "L"]})
    masters: list[np.ndarray] = []

    def master(values: np.ndarray, left: float, stop) -> np.ndarray | None:
        out, stats = Recombiner(rm, parts).run(values, over, short, 2.0, deterministic=True)
        masters.append(out)
        return out if stats.kept else None

    beside = Beside("whole-schedule recombination", master, after_s=0.0, rounds=1)
    found, stats = improve(rm, [(short, 1)], start.tolist(), 2.0, workers=2, seed=0, deterministic=False,
                           stop=lambda: False, search=lambda s, m: s.solve(m), beside=beside)
    assert len(masters) == len(beside.notes) == beside.done == 1
    assert "whole-schedule recombination beside the search, from 24.00: " in beside.notes[0]
    assert check_roster(sc, roster_of(rm, found)) == []
    assert short.value(found) <= short.value(masters[0]) < short.value(start)


def lns_at(rm: RosterModel, short, values: np.ndarray):
    """A two-worker LNS on the shortage tier at roster `values`, with an idle search beside it,
    its totals read (what `Lns.run` does before its lanes start): for calling `_adopt` directly."""
    from scheduler.lns import Beside, Lns

    lns = Lns(rm, [(short, 1)], values.tolist(), 5.0, workers=2, seed=0, deterministic=False, stop=lambda: False,
              search=lambda s, m: s.solve(m), until=None, on_improve=None, params=DEFAULT_PARAMS,
              beside=Beside("whole-schedule recombination", lambda v, left, over: None, after_s=0.0))
    lns.totals = lns.parts.totals(lns.values)
    return lns


def test_a_worse_roster_beside_lns_is_not_adopted():
    sc = early_late(team(3), late=40.0)
    rm = RosterModel(sc, Grid(sc))
    _, short = tiers_of(rm)
    assert short is not None
    better = values_of(rm, {"A0": ["E"], "A1": ["L"], "A2": ["L"]})
    worse = values_of(rm, {"A0": ["E"], "A1": ["E"], "A2": ["L"]})
    lns = lns_at(rm, short, better)
    note = lns._adopt("whole-schedule recombination", lns.values, worse)
    assert "not adopted" in note and lns.values is not worse and not lns.moved


def test_the_adoption_notes_read_in_chinese():
    from collections import Counter

    from scheduler.lns import LnsStats
    from scheduler.workbook.labels import translate_note

    for note in ("shortage: whole-schedule recombination beside the search, from 573.81: adopted its agents' "
                 "whole schedules into the moved roster, 565.20 -> 557.90 agent-hours",
                 "shortage: whole-schedule recombination beside the search, from 573.81: not adopted (whole, the "
                 "moved roster's own gains lost: 566.00, the roster at hand 560.00 agent-hours)"):
        zh = translate_note(note, "zh")
        assert zh != note and "moved" not in zh, zh
    lns = LnsStats(iterations=351, improvements=221, start=925.62, end=551.13, seconds=72.2,
                   by_kind=Counter({"slot": 100, "whole-schedule recombination": 1}))
    assert "whole-schedule" not in translate_note(lns.describe("shortage", "agent-hours"), "zh")


def test_a_roster_beside_lns_that_breaks_a_rule_is_not_adopted():
    # a task's roster is checked like a part's: A0 on both E and L of one date breaks "one shift
    # a date" though it would lower the shortage
    from scheduler.workbook.labels import translate_note

    sc = early_late(team(3), late=40.0)
    rm = RosterModel(sc, Grid(sc))
    _, short = tiers_of(rm)
    assert short is not None
    at_hand = values_of(rm, {"A0": ["E"], "A1": ["E"], "A2": ["L"]})
    a0 = next(a for a, agent in enumerate(rm.agents) if agent.employee_id == "A0")
    chosen = {id(o) for o in rm.options if at_hand[o.var.index]}
    chosen.add(id(rm.by_agent_inst[(a0, rm.inst_by_key[("L", rm.grid.dates[0])].index)][0]))
    hint = rm.complete_hint(chosen)  # the helpers (service, shortage) as the two shifts give them
    both = np.array([hint.get(k, 0) for k in range(len(rm.m.proto.variables))], dtype=np.int64)
    lns = lns_at(rm, short, at_hand)
    assert lns.parts.violations(both) and lns.goal_value(both) < lns.goal_value(at_hand)
    note = lns._adopt("whole-schedule recombination", lns.values, both)
    assert "not adopted: its roster breaks" in note and not lns.moved
    assert "roster breaks" not in translate_note(note, "zh")


def test_a_task_beside_lns_that_fails_costs_its_round_only():
    from scheduler.lns import Beside, improve
    from scheduler.workbook.labels import translate_note

    sc = early_late(team(3), days=2, late=40.0)
    rm = RosterModel(sc, Grid(sc))
    _, short = tiers_of(rm)
    assert short is not None
    start = values_of(rm, {"A0": ["E", "E"], "A1": ["E", "E"], "A2": ["L", "L"]})

    def broken(values: np.ndarray, left: float, over) -> np.ndarray | None:
        raise ValueError("a bug in the master")

    beside = Beside("whole-schedule recombination", broken, after_s=0.0, rounds=1)
    found, _ = improve(rm, [(short, 1)], start.tolist(), 2.0, workers=2, seed=0, deterministic=False,
                       stop=lambda: False, search=lambda s, m: s.solve(m), beside=beside)
    assert beside.done == 1 and "failed (ValueError: a bug in the master)" in beside.notes[0]
    assert "failed" not in translate_note(beside.notes[0], "zh")
    assert check_roster(sc, roster_of(rm, found)) == []
    assert short.value(found) < short.value(start)  # the parts went on
