"""Unavoidable shortage is explained with the people and the reason."""

from __future__ import annotations

from scheduler.diagnose import unavoidable_shortage
from tests.conftest import make_scenario

SHIFTS = [{"code": "N", "start": "00:00", "hours": 8, "night": True}, {"code": "D", "start": "08:00", "hours": 8}]


def test_night_shift_without_any_lead_is_named_with_reasons():
    agents = [{"employee_id": "L01", "name": "组长一", "home_queue": "pre_sales", "is_lead": True},
              {"employee_id": "L02", "name": "组长二", "home_queue": "pre_sales", "is_lead": True},
              {"employee_id": "L03", "name": "组长三", "home_queue": "pre_sales", "is_lead": True, "night_ok": False},
              {"employee_id": "R1", "name": "王芳", "home_queue": "pre_sales"}]
    sc = make_scenario(agents=agents, shifts=SHIFTS, demand={"pre_sales": [10] * 16},
                       absences=[{"employee_id": "L01", "start": "2026-11-10 00:00", "end": "2026-11-12 00:00",
                                  "reason": "病假"},
                                 {"employee_id": "L02", "start": "2026-11-11 00:00", "end": "2026-11-11 09:00"}])
    (msg,) = unavoidable_shortage(sc)
    assert msg.startswith("2026-11-11 00:00-08:00: no lead can be on shift")
    assert "L01 组长一 is absent (病假)" in msg and "L02 组长二 is absent" in msg
    assert "L03 组长三 cannot work nights" in msg


def test_queue_left_empty_by_a_move_is_named():
    queues = [{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 60},
              {"id": "after_sales", "contacts_per_agent_hour": 10, "session_minutes": 60}]
    agents = [{"employee_id": "L1", "name": "组长", "home_queue": "pre_sales", "is_lead": True},
              {"employee_id": "A1", "name": "售后", "home_queue": "after_sales"}]
    sc = make_scenario(agents=agents, queues=queues, shifts=SHIFTS,
                       demand={"pre_sales": [10] * 16, "after_sales": [10] * 16},
                       moves=[{"dates": ["2026-11-11"], "from": "after_sales", "to": "pre_sales"}])
    assert unavoidable_shortage(sc) == ["2026-11-11 after_sales: no agent can serve this queue (the move sends "
                                        "its agents elsewhere that day); all its contacts are short"]


def test_a_servable_scenario_has_nothing_to_say():
    agents = [{"employee_id": "L1", "name": "组长", "home_queue": "pre_sales", "is_lead": True}]
    assert unavoidable_shortage(make_scenario(agents=agents, shifts=SHIFTS, demand={"pre_sales": [10] * 16})) == []


def test_a_flex_only_shift_covered_by_a_lead_on_another_shift_is_fine():
    # P is for flex staff only, but a lead on D is on shift in the same hours: rule 4 holds per slot
    agents = [{"employee_id": "L1", "name": "组长", "home_queue": "pre_sales", "is_lead": True},
              {"employee_id": "F1", "name": "临时", "home_queue": "pre_sales", "kind": "flex"}]
    shifts = [{"code": "D", "start": "08:00", "hours": 8}, {"code": "P", "start": "10:00", "hours": 4,
                                                           "kinds": ["flex"]}]
    sc = make_scenario(agents=agents, shifts=shifts, demand={"pre_sales": [0] * 8 + [10] * 8})
    assert unavoidable_shortage(sc) == []
