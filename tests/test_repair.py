"""Repair after a sick call: the past stays, the fewest plans change, every roster passes check."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.check import check_roster
from scheduler.errors import InfeasibleError
from scheduler.repair import changes_between, repair
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Absence
from scheduler.solve import SolveOptions, solve
from tests.conftest import make_scenario

L1 = {"employee_id": "L1", "name": "组长一", "home_queue": "pre_sales", "is_lead": True}
L2 = {"employee_id": "L2", "name": "组长二", "home_queue": "pre_sales", "is_lead": True}
R1 = {"employee_id": "R1", "name": "王芳", "home_queue": "pre_sales"}
D = dt.datetime


def two_day_scenario():
    # D 08-12 both days; 10 contacts/h needs exactly one agent; only leads may work alone
    return make_scenario(agents=[L1, L2, R1], days=2, demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})


def shift(eid, day, queue="pre_sales"):
    return Assignment(eid, dt.date(2026, 11, day), "D", queue, ((D(2026, 11, day, 8), D(2026, 11, day, 12)),))


def test_one_sick_lead_changes_exactly_one_other_plan():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("L1", 12)])
    assert check_roster(sc, published) == []
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 7), end=D(2026, 11, 13))]
    sc2, roster, report, changes = repair(sc, published, sick, time_limit_s=10)
    assert check_roster(sc2, roster) == []
    assert shift("L1", 11) in roster.assignments  # the past is untouched
    assert {(c["employee_id"], c["date"]) for c in changes} == {("L1", dt.date(2026, 11, 12)),
                                                               ("L2", dt.date(2026, 11, 12))}
    # the absent lead's own plan changes by force (not a call); one other plan changes to cover it
    assert {p.name: p.objective for p in report.phases}["changed agents"] == 1
    assert sum(a.worked_hours for a in roster.assignments) == 8  # service kept, nobody extra


def test_running_shift_is_cut_at_the_slot_boundary_before_leaving():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("R1", 11), shift("L2", 12)])
    sick = [Absence(employee_id="R1", start=D(2026, 11, 11, 10, 40), end=D(2026, 11, 11, 23))]
    sc2, roster, _, changes = repair(sc, published, sick, time_limit_s=10)
    r1 = [a for a in roster.assignments if a.employee_id == "R1"]
    assert r1 == [Assignment("R1", dt.date(2026, 11, 11), "D", "pre_sales", ((D(2026, 11, 11, 8), D(2026, 11, 11, 10)),))]
    assert check_roster(sc2, roster) == []
    assert [c["employee_id"] for c in changes] == ["R1"]


def test_future_absence_keeps_everything_before_it():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("L1", 12)])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 0), end=D(2026, 11, 13))]
    sc2, roster, _, _ = repair(sc, published, sick, time_limit_s=10)
    assert check_roster(sc2, roster) == []
    assert shift("L1", 11) in roster.assignments
    assert {a.employee_id for a in roster.assignments if a.date == dt.date(2026, 11, 12)} == {"L2"}


def test_several_absences_at_once():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("L2", 12)])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 11, 0), end=D(2026, 11, 13)),
            Absence(employee_id="L2", start=D(2026, 11, 12, 0), end=D(2026, 11, 13))]
    sc2, roster, _, changes = repair(sc, published, sick, time_limit_s=10)
    assert check_roster(sc2, roster) == []
    # no lead left on the 12th: nobody may work; L2 covers the 11th instead of L1
    assert {(a.employee_id, a.date.day) for a in roster.assignments} == {("L2", 11)}


def test_lead_leaving_mid_shift_with_others_on_duty_is_explained():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("R1", 11), shift("L2", 12)])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 11, 9), end=D(2026, 11, 11, 23))]
    with pytest.raises(InfeasibleError) as err:
        repair(sc, published, sick, time_limit_s=5)
    text = str(err.value)
    assert "lead" in text and "R1" in text


def test_repair_changes_no_more_plans_than_a_fresh_solve():
    sc = two_day_scenario()
    published = Roster([shift("L1", 11), shift("L1", 12)])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 7), end=D(2026, 11, 13))]
    sc2, repaired, _, changes = repair(sc, published, sick, time_limit_s=10)
    fresh, _ = solve(sc2, SolveOptions(time_limit_s=10))
    assert check_roster(sc2, repaired) == [] and check_roster(sc2, fresh) == []
    fresh_changes = changes_between(sc2, published, fresh)
    assert len({c["employee_id"] for c in changes}) <= len({c["employee_id"] for c in fresh_changes})


def test_neighbourhood_keeps_plans_of_agents_who_cannot_help():
    queues = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
              {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
    a1 = {"employee_id": "A1", "name": "售后组长", "home_queue": "after_sales", "is_lead": True}
    sc = make_scenario(agents=[L1, L2, R1, a1], queues=queues, days=2,
                       demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4,
                               "after_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})
    published = Roster([shift("L1", 11), shift("L1", 12), shift("A1", 11, "after_sales"),
                        shift("A1", 12, "after_sales")])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 7), end=D(2026, 11, 13))]
    sc2, roster, report, changes = repair(sc, published, sick, time_limit_s=10)
    assert check_roster(sc2, roster) == []
    assert "re-planned" in report.notes[0]
    # a lead is absent, so A1 (lead, after-sales only) is in the neighbourhood, but keeping A1's
    # plan and calling in one pre-sales agent (L2, or R1 under A1 on duty) is the fewest changes
    others = {c["employee_id"] for c in changes} - {"L1"}
    assert len(others) == 1 and others <= {"L2", "R1"}
    sc_full, roster_full, report_full, changes_full = repair(sc, published, sick, time_limit_s=10, full=True)
    assert check_roster(sc_full, roster_full) == []
    assert "--full" in report_full.notes[0]
    assert len({c["employee_id"] for c in changes_full} - {"L1"}) == 1


def test_hand_edited_roster_broken_in_the_past_is_refused_with_reasons():
    sc = make_scenario(agents=[L1, L2, R1], days=2, rules={"max_continuous_hours": 3},
                       demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})
    published = Roster([shift("L1", 11), shift("L1", 12)])  # 4 h without a break: the rule says 3
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 7), end=D(2026, 11, 13))]
    with pytest.raises(InfeasibleError) as err:
        repair(sc, published, sick, time_limit_s=5)
    assert "continuous_hours" in str(err.value) and "before 2026-11-12 07:00" in str(err.value)


def test_hand_edited_roster_broken_in_the_future_is_mended_by_the_repair():
    sc = make_scenario(agents=[L1, L2, R1], days=2, rules={"max_continuous_hours": 3},
                       demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})
    legal = Assignment("L1", dt.date(2026, 11, 11), "D", "pre_sales",
                       ((D(2026, 11, 11, 8), D(2026, 11, 11, 10)), (D(2026, 11, 11, 11), D(2026, 11, 11, 12))))
    published = Roster([legal, shift("L2", 12)])  # L2's shift on the 12th has no break
    sick = [Absence(employee_id="R1", start=D(2026, 11, 11, 20), end=D(2026, 11, 12))]
    sc2, roster, _, _ = repair(sc, published, sick, time_limit_s=5, full=True)
    assert check_roster(sc2, roster) == []


def test_absent_lead_whose_neighbourhood_cannot_mend_it_falls_back_to_a_full_repair():
    # R2 (after-sales only) loses the only lead on the 12th: the neighbourhood (pre-sales agents
    # and leads) cannot mend that, re-planning everyone after the moment can (R2 stays home)
    queues = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
              {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
    r2 = {"employee_id": "R2", "name": "售后", "home_queue": "after_sales"}
    sc = make_scenario(agents=[L1, r2], days=2, queues=queues,
                       demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4,
                               "after_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})
    published = Roster([shift("L1", 11), shift("R2", 11, "after_sales"), shift("L1", 12),
                        shift("R2", 12, "after_sales")])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 12, 7), end=D(2026, 11, 13))]
    sc2, roster, report, _ = repair(sc, published, sick, time_limit_s=5)
    assert check_roster(sc2, roster) == []
    assert "--full" in report.notes[0]
    assert {(a.employee_id, a.date.day) for a in roster.assignments} == {("L1", 11), ("R2", 11)}


def test_a_later_absence_cuts_that_agents_shift_at_their_own_moment():
    sc = two_day_scenario()
    published = Roster([shift("L2", 11), shift("L2", 12)])
    sick = [Absence(employee_id="L1", start=D(2026, 11, 11, 7), end=D(2026, 11, 13)),
            Absence(employee_id="L2", start=D(2026, 11, 12, 10), end=D(2026, 11, 13))]
    sc2, roster, _, _ = repair(sc, published, sick, time_limit_s=5)
    assert check_roster(sc2, roster) == []
    l2 = {a.date.day: a.runs for a in roster.assignments if a.employee_id == "L2"}
    assert l2[12] == ((D(2026, 11, 12, 8), D(2026, 11, 12, 10)),)  # worked until L2 left


# ---------------------------------------------------------------------- fewest calls (issue 13)
# One day, one 4-hour shift D 08-12, no lead rule: each case's fewest calls can be counted by hand.

def staff(*ids, kind="regular"):
    return [{"employee_id": e, "name": f"员工{e}", "home_queue": "pre_sales", "kind": kind} for e in ids]


def one_day(agents, per_hour):
    """D 08-12 with `per_hour` contacts an hour: per_hour / 10 agents needed."""
    return make_scenario(agents=agents, demand={"pre_sales": [0] * 8 + [per_hour] * 4},
                         rules={"min_leads_on_duty": 0})


def at(hour, minute=0):
    return D(2026, 11, 11, hour, minute)


def day_shift(eid):
    return shift(eid, 11)


def sick(*ids, hour=7):
    return [Absence(employee_id=e, start=at(hour), end=D(2026, 11, 12)) for e in ids]


def called(changes):
    return {c["employee_id"] for c in changes if c["call"]}


def test_one_sick_agent_a_spare_can_replace_costs_exactly_one_call():
    sc = one_day(staff("A1", "A2", "A3"), 20)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert called(done.changes) == {"A3"} and done.calls == 1
    assert {a.employee_id for a in done.roster.assignments} == {"A2", "A3"}
    # 0 calls leave A1's 4 agent-hours short; 1 call recovers them
    assert [(r.calls, r.overflow_lost, r.shortage_lost) for r in done.options] == [(0, 0.0, 4.0), (1, 0.0, 0.0)]


def test_an_absence_in_overstaffed_hours_costs_no_call():
    sc = one_day(staff("A1", "A2", "A3", "A4"), 20)
    published = Roster([day_shift("A1"), day_shift("A2"), day_shift("A3")])
    done = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert called(done.changes) == set() and done.calls == 0
    assert [c["employee_id"] for c in done.changes] == ["A1"]
    assert [(r.calls, r.overflow_lost, r.shortage_lost) for r in done.options] == [(0, 0.0, 0.0)]


def test_max_calls_zero_keeps_the_published_roster_minus_the_absent_and_states_the_loss():
    sc = one_day(staff("A1", "A2", "A3"), 20)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, sick("A1"), max_calls=0, time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert done.roster.assignments == [day_shift("A2")]
    assert any("--max-calls 0" in n and "4.00 agent-hours of shortage" in n for n in done.report.notes)
    assert [(r.calls, r.shortage_lost) for r in done.options] == [(0, 4.0)]


def test_max_calls_below_what_the_rules_need_is_explained():
    # the only lead is sick: the shift without a lead is illegal, so the one other agent on it
    # must be sent home or a lead called in; with 0 calls neither is allowed
    sc = make_scenario(agents=[L1, L2, R1], demand={"pre_sales": [0] * 8 + [20] * 4})
    published = Roster([day_shift("L1"), day_shift("R1")])
    with pytest.raises(InfeasibleError) as err:
        repair(sc, published, sick("L1"), max_calls=0, time_limit_s=5, workers=1)
    assert "at most 0 call" in str(err.value)


def test_calls_table_is_monotone_and_ends_at_the_chosen_roster():
    sc = one_day(staff("A1", "A2", "A3", "A4", "A5"), 30)
    published = Roster([day_shift("A1"), day_shift("A2"), day_shift("A3")])
    done = repair(sc, published, sick("A1", "A2"), time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    rows = [(r.calls, r.overflow_lost, r.shortage_lost) for r in done.options]
    assert rows == [(0, 0.0, 8.0), (1, 0.0, 4.0), (2, 0.0, 0.0)]
    assert [r.key() for r in done.options] == sorted((r.key() for r in done.options), reverse=True)
    phases = {p.name: p.objective for p in done.report.phases}
    assert rows[-1] == (done.calls, phases["lost overflow"], phases["lost shortage"])


def test_shortage_the_published_roster_already_had_is_not_mended_with_calls():
    # the published roster was one agent short all along: the sick call costs A1's hours, and
    # one call brings them back; mending the old shortage too would take a second call
    sc = one_day(staff("A1", "A2", "A3", "A4"), 30)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    assert done.calls == 1 and len(called(done.changes)) == 1
    assert {p.name: p.objective for p in done.report.phases}["shortage"] == 4.0  # as published


def test_flex_staff_are_called_first():
    sc = one_day(staff("A1", "A2", "R3") + staff("F4", kind="flex"), 20)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    assert called(done.changes) == {"F4"}


def test_surge_calls_someone_when_the_published_roster_cannot_absorb_it():
    from scheduler.repair import scaled_demand

    sc = one_day(staff("A1", "A2", "A3"), 10)
    published = Roster([day_shift("A1")])
    surge = scaled_demand(sc, at(7), None, 2.0)
    done = repair(sc, published, [], surge=surge, time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert done.calls == 1 and len(called(done.changes)) == 1
    assert done.scenario.demand["pre_sales"][8] == 20 and sc.demand["pre_sales"][8] == 10
    assert [(r.calls, r.shortage_lost) for r in done.options] == [(0, 4.0), (1, 0.0)]


def test_surge_from_mid_shift_keeps_the_past_to_the_minute_and_scales_only_later_slots():
    from scheduler.repair import scaled_demand

    sc = make_scenario(agents=staff("A1", "A2", "A3"), days=2, rules={"min_leads_on_duty": 0},
                       demand={"pre_sales": [0] * 8 + [10] * 4 + [0] * 20 + [10] * 4})
    published = Roster([shift("A1", 11), shift("A1", 12)])
    surge = scaled_demand(sc, at(9, 30), D(2026, 11, 13), 2.0)
    done = repair(sc, published, [], surge=surge, time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert shift("A1", 11) in done.roster.assignments  # running at the moment: as published
    assert done.scenario.demand["pre_sales"][9] == 10 and done.scenario.demand["pre_sales"][10] == 20
    # 10:00-12:00 of the 11th cannot be mended (shifts start at 08:00); the 12th takes one call
    assert done.calls == 1 and done.options[-1].shortage_lost == 2.0


def test_a_surge_and_a_sick_call_in_one_repair():
    from scheduler.repair import scaled_demand

    sc = one_day(staff("A1", "A2", "A3", "A4"), 10)
    published = Roster([day_shift("A1"), day_shift("A2")])  # one spare already
    done = repair(sc, published, sick("A1"), surge=scaled_demand(sc, at(7), None, 3.0), time_limit_s=5,
                  workers=1)
    assert check_roster(done.scenario, done.roster) == []
    assert {a.employee_id for a in done.roster.assignments} == {"A2", "A3", "A4"} and done.calls == 2


def test_messages_say_who_and_what_in_both_languages():
    from scheduler.repair import add_messages

    sc = make_scenario(agents=[{"employee_id": "Z1", "name": "张三", "home_queue": "pre_sales"}],
                       queues=[{"id": "pre_sales", "name": "售前", "contacts_per_agent_hour": 10,
                                "session_minutes": 60}],
                       shifts=[{"code": "E", "start": "08:00", "hours": 8}, {"code": "L", "start": "16:00", "hours": 8}],
                       demand={})
    early = Assignment("Z1", dt.date(2026, 11, 11), "E", "pre_sales", ((at(8), at(16)),))
    late = Assignment("Z1", dt.date(2026, 11, 11), "L", "pre_sales", ((at(16), D(2026, 11, 12)),))
    changes = changes_between(sc, Roster([early]), Roster([late]))
    assert add_messages(sc, changes, "zh") == {"Z1": "张三：11-11 早班改为 16:00-24:00 晚班（售前）"}
    assert add_messages(sc, changes, "en") == {
        "Z1": "张三: 11-11 early shift changed to late shift 16:00-24:00 (pre-sales)"}
    cancelled = changes_between(sc, Roster([early]), Roster([]))
    assert add_messages(sc, cancelled, "en")["Z1"].endswith("11-11 early shift 08:00-16:00 cancelled (day off)")
    new = changes_between(sc, Roster([]), Roster([late]))
    assert add_messages(sc, new, "zh")["Z1"] == "张三：11-11 休息改为 16:00-24:00 晚班（售前）"


def test_a_new_demand_file_replaces_the_forecast_from_the_moment_on(tmp_path):
    from scheduler.surge import replaced_demand

    sc = one_day(staff("A1", "A2", "A3"), 10)
    new = tmp_path / "new.csv"
    new.write_text("start,queue,contacts\n" + "".join(f"2026-11-11 {h:02d}:00,pre_sales,20\n" for h in range(6, 12)),
                   encoding="utf-8")
    surge = replaced_demand(sc, new, at(9))
    assert surge.demand["pre_sales"][8] == 10 and surge.demand["pre_sales"][9] == 20
    assert surge.queues == {"pre_sales"} and surge.last == at(11)
    published = Roster([day_shift("A1")])
    done = repair(sc, published, [], surge=surge, time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    # the shift started at 08:00, before the moment: nothing after 09:00 can start that day
    assert done.roster.assignments == [day_shift("A1")] and done.calls == 0
    assert [(r.calls, r.shortage_lost) for r in done.options] == [(0, 3.0)]


def test_a_surge_keeps_the_high_load_hours_the_roster_was_planned_with():
    from scheduler.grid import Grid
    from scheduler.surge import scaled_demand

    sc = make_scenario(agents=staff("A1", "A2"), demand={"pre_sales": [0] * 8 + [10] * 4},
                       rules={"min_leads_on_duty": 0, "high_load_contacts_per_hour": 15})
    surge = scaled_demand(sc, at(7), None, 2.0)
    done = repair(sc, Roster([day_shift("A1")]), [], surge=surge, time_limit_s=5, workers=1)
    assert Grid(done.scenario).high_load == Grid(sc).high_load  # 20 an hour now, planned at 10: not high-load
    assert check_roster(done.scenario, done.roster) == []


def test_the_fixed_past_bounds_the_service_of_every_repaired_roster():
    # three agents needed 08-12, two published (one short all along); A1 leaves at 10:30: the
    # slots 08, 09 and 10 started before the moment and are the same in every repaired roster
    # (4 agent-hours short, 1 of them above the published 1 an hour; 11 slots from midnight); nobody can
    # start at 11
    sc = one_day(staff("A1", "A2", "A3", "A4"), 30)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, [Absence(employee_id="A1", start=at(10, 30), end=D(2026, 11, 12))],
                  time_limit_s=5, workers=1)
    assert check_roster(done.scenario, done.roster) == []
    phases = {p.name: p for p in done.report.phases}
    shortage = phases["shortage"]
    assert (shortage.objective, shortage.best_bound, shortage.bound_scope) == (6.0, 4.0, "the fixed past")
    assert phases["lost shortage"].objective == 2.0 and phases["lost shortage"].best_bound >= 1.0
    assert phases["overflow"].objective == 0 and phases["overflow"].status == "OPTIMAL"
    assert any(n.startswith("bounds of the repair: the 11 slot(s) before 2026-11-11 10:30 are the same in every "
                            "repaired roster, with 0.00 customer-hours of overflow and 4.00 agent-hours of shortage "
                            "(0.00 and 1.00 of them") for n in done.report.notes)


def test_tiers_a_tie_break_proof_settled_are_not_searched_again_and_end_the_same(monkeypatch):
    # the calls' proof with the regulars and the changed shifts as exact tie-breaks settles both;
    # searching them again gives the same roster figures
    import scheduler.solve as solve_module

    sc = one_day(staff("A1", "A2", "A3"), 20)
    published = Roster([day_shift("A1"), day_shift("A2")])
    done = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    settled = {n.split(":")[0] for n in done.report.notes if n.endswith("proven with the tier before it (its exact "
                                                                         "tie-break)")}
    assert {"changed regulars", "changed shifts"} <= settled
    assert all(p.seconds == 0 for p in done.report.phases if p.name in settled)
    monkeypatch.setattr(solve_module.Pipeline, "heads_chain", lambda self, tier: True)  # settles nothing
    again = repair(sc, published, sick("A1"), time_limit_s=5, workers=1)
    assert not any("proven with the tier before it" in n for n in again.report.notes)
    assert [(p.name, p.objective) for p in again.report.phases] == [(p.name, p.objective) for p in done.report.phases]
    assert again.roster.assignments == done.roster.assignments


def test_a_tie_break_chain_keeps_the_longest_start_whose_weights_stay_exact():
    from scheduler.objective import Tier, TierId
    from scheduler.solve import _chain

    def tier(tid, upper):
        return Tier(tid, "unit", [1], [upper], 1.0)  # a constant: its upper is the coefficient

    big, small = tier(TierId.SHORTAGE, 10 ** 6), tier(TierId.COMFORT, 10)
    head = tier(TierId.OVERFLOW, 1)
    chained, covered = _chain(head, [big, small])
    assert covered == [big, small] and chained.upper == 10 ** 6 * 11 + 10
    huge = tier(TierId.FLEX_HOURS, 10 ** 12)
    chained, covered = _chain(head, [big, huge, small])
    assert covered == [big] and chained is big  # (1e6 + 1) * (1e12 + 1) is past 2**53
