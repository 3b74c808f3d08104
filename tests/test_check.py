"""The roster checker against tiny hand-made scenarios: one valid roster, then one broken rule
per test, each made from the valid roster by the smallest change that breaks that rule."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import scheduler.check as check_module
from scheduler.check import RULES, Violation, check_roster, check_rows
from scheduler.roster import Roster
from scheduler.scenario import Absence, Agent, Move, Queue, Rules, Scenario, ScenarioConfig, ShiftType

D1, D2, D3 = dt.date(2026, 11, 9), dt.date(2026, 11, 10), dt.date(2026, 11, 11)

NAMES = {"E001": "张伟", "E002": "李娜", "E003": "王芳", "E004": "刘洋", "E005": "陈静",
         "E006": "赵敏", "E007": "周杰"}


def queues() -> list[Queue]:
    return [Queue(id="pre_sales", name="售前", contacts_per_agent_hour=25, session_minutes=120),
            Queue(id="after_sales", name="售后", contacts_per_agent_hour=20, session_minutes=60)]


def base_scenario(high_load: float | None = 100) -> Scenario:
    """3 days, 60-minute slots; the move sends after-sales to pre-sales on D2; D2 10-14 is
    high-load; E003 (night_ok = false) is sick from D3 12:00, E007 on leave all of D2."""
    config = ScenarioConfig(
        name="tiny", start=D1, days=3, slot_minutes=60, queues=queues(),
        shifts=[ShiftType(code="N", start=dt.time(0), hours=8, night=True),
                ShiftType(code="E", start=dt.time(8), hours=8),
                ShiftType(code="L", start=dt.time(16), hours=8),
                ShiftType(code="P", start=dt.time(10), hours=4, kinds=["flex"])],
        rules=Rules(min_rest_hours=11, max_consecutive_days=2, max_hours_week=48, max_night_shifts=1,
                    max_continuous_hours=4, max_continuous_high_load_hours=2,
                    high_load_contacts_per_hour=high_load, min_leads_on_duty=1),
        moves=[Move(dates=[D2], from_queue="after_sales", to_queue="pre_sales")],
    )
    agents = [
        Agent(employee_id="E001", name="张伟", home_queue="pre_sales", is_lead=True),
        Agent(employee_id="E002", name="李娜", home_queue="after_sales", is_lead=True),
        Agent(employee_id="E003", name="王芳", home_queue="pre_sales", skills=["pre_sales", "after_sales"],
              night_ok=False),
        Agent(employee_id="E004", name="刘洋", home_queue="after_sales"),
        Agent(employee_id="E005", name="陈静", home_queue="pre_sales", kind="flex", efficiency=0.7,
              max_hours_week=4),
        Agent(employee_id="E006", name="赵敏", home_queue="pre_sales", is_lead=True),
        Agent(employee_id="E007", name="周杰", home_queue="pre_sales", is_lead=True),
    ]
    n = 72
    pre, after = [10.0] * n, [10.0] * n
    for t in range(24 + 10, 24 + 14):  # D2 10:00-14:00: 110 contacts per hour, 140 at 12:00
        pre[t] = 100.0
    pre[24 + 12] = 130.0
    absences = [
        Absence(employee_id="E003", start=dt.datetime(2026, 11, 11, 12), end=dt.datetime(2026, 11, 12), reason="sick"),
        Absence(employee_id="E007", start=dt.datetime(2026, 11, 10), end=dt.datetime(2026, 11, 11), reason="annual leave"),
    ]
    return Scenario(config=config, agents=agents, demand={"pre_sales": pre, "after_sales": after}, absences=absences)


SCENARIO = base_scenario()


def _after(cursor: dt.datetime, clock: str, strictly: bool = False) -> dt.datetime:
    """The first time `clock` (HH:MM) at or after `cursor` (strictly after when asked)."""
    t = dt.datetime.combine(cursor.date(), dt.time.fromisoformat(clock))
    return t if t > cursor or (t == cursor and not strictly) else t + dt.timedelta(days=1)


def row(eid: str, date: dt.date, shift: str, queue: str, start: str, end: str, name: str | None = None,
        after: dt.datetime | None = None) -> dict:
    """One Assignments row; `start`/`end` are HH:MM, the first such times at or after the
    shift date's midnight (or `after`), so a run can fall on the next day."""
    a = _after(after or dt.datetime.combine(date, dt.time()), start)
    b = _after(a, end, strictly=True)
    return {"employee_id": eid, "name": NAMES.get(eid, "?") if name is None else name, "date": date,
            "shift": shift, "queue": queue, "start": a, "end": b, "hours": (b - a).total_seconds() / 3600}


def shift(eid: str, date: dt.date, code: str, queue: str, *runs: tuple[str, str]) -> list[dict]:
    """The rows of one shift instance; each run follows the previous one in time."""
    out: list[dict] = []
    cursor = dt.datetime.combine(date, dt.time())
    for a, b in runs:
        out.append(row(eid, date, code, queue, a, b, after=cursor))
        cursor = out[-1]["end"]
    return out


def valid_rows() -> list[dict]:
    return [
        *shift("E006", D1, "N", "pre_sales", ("00:00", "04:00"), ("05:00", "08:00")),
        *shift("E001", D1, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")),
        *shift("E003", D1, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")),
        *shift("E002", D1, "L", "after_sales", ("16:00", "20:00"), ("21:00", "00:00")),
        *shift("E004", D1, "L", "after_sales", ("16:00", "20:00"), ("21:00", "00:00")),
        *shift("E001", D2, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")),
        *shift("E005", D2, "P", "pre_sales", ("10:00", "12:00"), ("13:00", "14:00")),
        *shift("E002", D2, "L", "pre_sales", ("16:00", "20:00"), ("21:00", "00:00")),   # moved
        *shift("E004", D2, "L", "pre_sales", ("16:00", "20:00"), ("21:00", "00:00")),   # moved
        *shift("E006", D3, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")),
        *shift("E003", D3, "E", "pre_sales", ("08:00", "12:00")),  # cut short: sick from 12:00
    ]


def replace(rows: list[dict], eid: str, date: dt.date, new: list[dict]) -> list[dict]:
    """The rows with eid's shift on `date` replaced by `new` (nothing when `new` is empty)."""
    return [r for r in rows if not (r["employee_id"] == eid and r["date"] == date)] + new


def rules_of(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def only(violations: list[Violation], rule: str, eid: str | None) -> Violation:
    """Assert the roster breaks exactly `rule`, and the message names the person; return it."""
    assert rules_of(violations) == {rule}, [str(v) for v in violations]
    v = violations[0]
    assert str(v) == v.message
    if eid is not None:
        assert f"{eid} {NAMES[eid]}" in v.message
        assert v.employee_id == eid or rule == "leads_on_duty"
    return v


def found(violations: list[Violation], rule: str, eid: str) -> Violation:
    hits = [v for v in violations if v.rule == rule]
    assert hits, [str(v) for v in violations]
    assert any(f"{eid} {NAMES[eid]}" in v.message for v in hits)
    return hits[0]


# ---------------------------------------------------------------------------------------------
# The valid roster


def test_valid_roster_has_no_violations():
    assert check_rows(SCENARIO, valid_rows()) == []


def test_valid_roster_as_roster_object():
    roster = Roster.from_rows(valid_rows())
    assert check_roster(SCENARIO, roster) == []


def test_check_roster_agrees_with_check_rows_on_a_broken_roster():
    rows = replace(valid_rows(), "E001", D1, [])
    assert check_roster(SCENARIO, Roster.from_rows(rows)) == check_rows(SCENARIO, rows)


def test_valid_with_computed_high_load_threshold():
    assert check_rows(base_scenario(high_load=None), valid_rows()) == []


def test_dates_as_excel_datetimes_are_accepted():
    rows = [{**r, "date": dt.datetime.combine(r["date"], dt.time())} for r in valid_rows()]
    assert check_rows(SCENARIO, rows) == []


def test_empty_roster_is_legal():
    assert check_rows(SCENARIO, []) == []


# ---------------------------------------------------------------------------------------------
# The table itself


def test_bad_row():
    rows = valid_rows() + [{"employee_id": "E001", "date": D1}, {**row("E001", D1, "E", "pre_sales", "08:00", "09:00"),
                                                                  "start": "no time"}]
    vs = check_rows(SCENARIO, rows)
    assert rules_of(vs) == {"bad_row"}
    n = len(valid_rows())  # the header is row 1, so the appended rows are n + 2 and n + 3
    assert any(f"row {n + 2}:" in v.message and "hours" in v.message for v in vs)
    assert any(f"row {n + 3}:" in v.message and "'no time'" in v.message for v in vs)


def test_unknown_employee():
    rows = valid_rows() + [row("E999", D1, "E", "pre_sales", "08:00", "12:00", name="王五")]
    v = only(check_rows(SCENARIO, rows), "unknown_employee", None)
    assert "E999" in v.message and "王五" in v.message


def test_name_mismatch_is_reported_once_per_name():
    rows = [{**r, "name": "张三"} if r["employee_id"] == "E001" else r for r in valid_rows()]
    vs = check_rows(SCENARIO, rows)
    v = only(vs, "name", "E001")
    assert len(vs) == 1 and "张三" in v.message


def test_unknown_shift():
    rows = replace(valid_rows(), "E001", D1, shift("E001", D1, "X", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "unknown_shift", "E001")
    assert "'X'" in v.message


def test_unknown_queue():
    rows = replace(valid_rows(), "E001", D1, shift("E001", D1, "E", "vip", ("08:00", "12:00"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "unknown_queue", "E001")
    assert "'vip'" in v.message


def test_run_times():
    rows = valid_rows() + [row("E001", D1, "E", "pre_sales", "12:00", "12:00") | {"end": dt.datetime(2026, 11, 9, 12)}]
    only(check_rows(SCENARIO, rows), "run_times", "E001")


def test_off_grid():
    rows = replace(valid_rows(), "E001", D1, shift("E001", D1, "E", "pre_sales", ("08:00", "11:30"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "off_grid", "E001")
    assert "60-minute" in v.message


def first_row_of(rows: list[dict], eid: str) -> int:
    return next(i for i, r in enumerate(rows) if r["employee_id"] == eid)


def test_hours_column():
    rows = valid_rows()
    i = first_row_of(rows, "E001")
    rows[i] = {**rows[i], "hours": 5.0}
    v = only(check_rows(SCENARIO, rows), "hours", "E001")
    assert "4.00 h" in v.message


def test_hours_column_tolerance():
    rows = valid_rows()
    i = first_row_of(rows, "E001")
    rows[i] = {**rows[i], "hours": 4.004}
    assert check_rows(SCENARIO, rows) == []


def test_date_outside_horizon():
    rows = valid_rows() + shift("E007", dt.date(2026, 11, 12), "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00"))
    v = only(check_rows(SCENARIO, rows), "outside_horizon", "E007")
    assert "2026-11-12" in v.message


# ---------------------------------------------------------------------------------------------
# SPEC 3, preamble: one shift per date, one queue, runs inside the shift, first/last slot worked


def test_one_shift_per_date():
    rows = valid_rows() + shift("E006", D1, "L", "pre_sales", ("16:00", "20:00"), ("21:00", "00:00"))
    vs = check_rows(SCENARIO, rows)
    assert rules_of(vs) == {"one_shift_per_date", "rest"}  # two shifts in one day cannot rest 11 h
    found(vs, "one_shift_per_date", "E006")


def test_one_queue_per_shift():
    rows = replace(valid_rows(), "E003", D1, [row("E003", D1, "E", "pre_sales", "08:00", "12:00"),
                                               row("E003", D1, "E", "after_sales", "13:00", "16:00")])
    v = only(check_rows(SCENARIO, rows), "one_queue_per_shift", "E003")
    assert "after_sales" in v.message


def test_run_outside_shift():
    rows = replace(valid_rows(), "E001", D1, shift("E001", D1, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "17:00")))
    only(check_rows(SCENARIO, rows), "run_outside_shift", "E001")


def test_overlapping_runs():
    rows = valid_rows() + [row("E001", D1, "E", "pre_sales", "09:00", "10:00")]
    only(check_rows(SCENARIO, rows), "overlapping_runs", "E001")


def test_first_slot_must_be_worked():
    rows = replace(valid_rows(), "E003", D1, shift("E003", D1, "E", "pre_sales", ("09:00", "12:00"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "breaks_inside_shift", "E003")
    assert "starts with a break" in v.message


def test_last_slot_must_be_worked():
    rows = replace(valid_rows(), "E003", D1, shift("E003", D1, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "15:00")))
    v = only(check_rows(SCENARIO, rows), "breaks_inside_shift", "E003")
    assert "ends with a break" in v.message


@pytest.mark.parametrize("eid,date,queue", [("E001", D1, "after_sales"), ("E004", D1, "pre_sales")])
def test_skill(eid, date, queue):
    code = "E" if eid == "E001" else "L"
    runs = [("08:00", "12:00"), ("13:00", "16:00")] if code == "E" else [("16:00", "20:00"), ("21:00", "00:00")]
    rows = replace(valid_rows(), eid, date, shift(eid, date, code, queue, *runs))
    only(check_rows(SCENARIO, rows), "skill", eid)


# ---------------------------------------------------------------------------------------------
# SPEC 3.1: kinds, night_ok, absences


def test_shift_kind():
    rows = valid_rows() + shift("E007", D1, "P", "pre_sales", ("10:00", "12:00"), ("13:00", "14:00"))
    v = only(check_rows(SCENARIO, rows), "shift_kind", "E007")
    assert "flex" in v.message


def test_night_ok():
    rows = replace(valid_rows(), "E003", D1, shift("E003", D1, "N", "pre_sales", ("00:00", "04:00"), ("05:00", "08:00")))
    only(check_rows(SCENARIO, rows), "night_ok", "E003")


def test_absence_whole_day():
    rows = valid_rows() + shift("E007", D2, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00"))
    v = only(check_rows(SCENARIO, rows), "absence", "E007")
    assert "annual leave" in v.message


def test_absence_worked_through():
    rows = replace(valid_rows(), "E003", D3, shift("E003", D3, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "absence", "E003")
    assert "sick" in v.message


@pytest.mark.parametrize("runs", [[("08:00", "12:00")], [("08:00", "10:00"), ("11:00", "12:00")], [("08:00", "11:00")]])
def test_shift_cut_short_by_absence_is_legal(runs):
    rows = replace(valid_rows(), "E003", D3, shift("E003", D3, "E", "pre_sales", *runs))
    assert check_rows(SCENARIO, rows) == []


def test_cut_short_without_absence_breaks_last_slot_rule():
    rows = replace(valid_rows(), "E006", D3, shift("E006", D3, "E", "pre_sales", ("08:00", "12:00")))
    only(check_rows(SCENARIO, rows), "breaks_inside_shift", "E006")


def test_absence_starting_at_shift_start_forbids_the_shift():
    scenario = base_scenario()
    scenario = scenario.model_copy(update={"absences": [
        Absence(employee_id="E003", start=dt.datetime(2026, 11, 11, 8), end=dt.datetime(2026, 11, 12), reason="sick")]})
    vs = check_rows(scenario, valid_rows())
    # not a cut-short shift (the absence does not start strictly inside it), so its last slot counts too
    assert rules_of(vs) == {"absence", "breaks_inside_shift"}
    assert "overlaps the absence" in found(vs, "absence", "E003").message


# ---------------------------------------------------------------------------------------------
# SPEC 3.2: rest, consecutive days, night shifts, weekly hours


def test_rest():
    rows = replace(valid_rows(), "E004", D2, shift("E004", D2, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "rest", "E004")
    assert "only 8.0 h rest" in v.message and "2026-11-10 00:00" in v.message and "11 h" in v.message


def test_overlapping_shifts_break_rest():
    rows = valid_rows() + shift("E005", D2, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00"))
    vs = check_rows(SCENARIO, rows)
    v = found(vs, "rest", "E005")
    assert "overlaps" in v.message


def test_consecutive_days():
    rows = valid_rows() + shift("E003", D2, "E", "pre_sales", ("08:00", "12:00"), ("13:00", "16:00"))
    v = only(check_rows(SCENARIO, rows), "consecutive_days", "E003")
    assert "3 dates in a row" in v.message


def test_night_shifts():
    rows = valid_rows() + shift("E007", D1, "N", "pre_sales", ("00:00", "04:00"), ("05:00", "08:00")) \
        + shift("E007", D3, "N", "pre_sales", ("00:00", "04:00"), ("05:00", "08:00"))
    v = only(check_rows(SCENARIO, rows), "night_shifts", "E007")
    assert "2 night shifts" in v.message


def test_weekly_hours_personal_limit():
    rows = valid_rows() + shift("E005", D3, "P", "pre_sales", ("10:00", "12:00"), ("13:00", "14:00"))
    v = only(check_rows(SCENARIO, rows), "weekly_hours", "E005")
    assert "6.0 h" in v.message and "4 h" in v.message


# ---------------------------------------------------------------------------------------------
# SPEC 3.3: continuous hours and high load


def test_continuous_hours():
    rows = replace(valid_rows(), "E001", D1, shift("E001", D1, "E", "pre_sales", ("08:00", "13:00"), ("14:00", "16:00")))
    v = only(check_rows(SCENARIO, rows), "continuous_hours", "E001")
    assert "5.0 h" in v.message


def test_touching_runs_of_two_shifts_form_one_run():
    # L on D1 ends at midnight and N on D2 starts then: 21:00-02:00 is one 5-hour run
    rows = replace(valid_rows(), "E002", D2,
                   shift("E002", D2, "N", "pre_sales", ("00:00", "02:00"), ("03:00", "06:00"), ("07:00", "08:00")))
    vs = check_rows(SCENARIO, rows)
    v = found(vs, "continuous_hours", "E002")
    assert "5.0 h" in v.message and "2026-11-09 21:00" in v.message
    found(vs, "rest", "E002")


@pytest.mark.parametrize("threshold", [100, None])
def test_high_load_run(threshold):
    rows = replace(valid_rows(), "E001", D2,
                   shift("E001", D2, "E", "pre_sales", ("08:00", "09:00"), ("10:00", "14:00"), ("15:00", "16:00")))
    v = only(check_rows(base_scenario(high_load=threshold), rows), "high_load_run", "E001")
    assert "4.0 h" in v.message and "2026-11-10 10:00" in v.message


# ---------------------------------------------------------------------------------------------
# SPEC 3.4: leads


def test_leads_on_duty_one_message_per_stretch():
    rows = replace(valid_rows(), "E001", D1, [])
    vs = check_rows(SCENARIO, rows)
    v = only(vs, "leads_on_duty", "E003")
    assert len(vs) == 1 and "2026-11-09 08:00 .. 16:00" in v.message and v.employee_id is None


def test_lead_on_a_break_inside_their_shift_counts():
    rows = replace(valid_rows(), "E003", D1, shift("E003", D1, "E", "pre_sales", ("08:00", "11:00"), ("12:00", "16:00")))
    assert check_rows(SCENARIO, rows) == []


# ---------------------------------------------------------------------------------------------
# SPEC 3.5: moves


def test_move():
    rows = replace(valid_rows(), "E004", D2, shift("E004", D2, "L", "after_sales", ("16:00", "20:00"), ("21:00", "00:00")))
    v = only(check_rows(SCENARIO, rows), "move", "E004")
    assert "pre_sales" in v.message


# ---------------------------------------------------------------------------------------------
# Other grids: 15/30-minute slots, a shift across midnight, a 7-day block boundary


def small_slot_scenario(slot: int) -> Scenario:
    config = ScenarioConfig(name="fine", start=D1, days=1, slot_minutes=slot, queues=queues()[:1],
                            shifts=[ShiftType(code="E", start=dt.time(8), hours=8)],
                            rules=Rules(max_continuous_hours=4, high_load_contacts_per_hour=1000))
    agents = [Agent(employee_id="E001", name="张伟", home_queue="pre_sales", is_lead=True)]
    return Scenario(config=config, agents=agents, demand={"pre_sales": [5.0] * (24 * 60 // slot)})


@pytest.mark.parametrize("slot", [15, 30])
def test_fine_slots(slot):
    scenario = small_slot_scenario(slot)
    assert check_rows(scenario, shift("E001", D1, "E", "pre_sales", ("08:00", "11:30"), ("12:00", "16:00"))) == []
    v = only(check_rows(scenario, shift("E001", D1, "E", "pre_sales", ("08:00", "12:30"), ("13:00", "16:00"))),
             "continuous_hours", "E001")
    assert "4.5 h" in v.message
    v = only(check_rows(scenario, shift("E001", D1, "E", "pre_sales", ("08:00", "11:40"), ("12:00", "16:00"))),
             "off_grid", "E001")
    assert f"{slot}-minute" in v.message


def test_quarter_hour_high_load_run():
    scenario = small_slot_scenario(15)
    demand = [5.0] * 96
    for t in range(4 * 9, 4 * 12):  # 09:00-12:00 at 1200 contacts per hour
        demand[t] = 300.0
    scenario = scenario.model_copy(update={"demand": {"pre_sales": demand}})
    rows = shift("E001", D1, "E", "pre_sales", ("08:00", "11:15"), ("11:30", "15:30"), ("15:45", "16:00"))
    v = only(check_rows(scenario, rows), "high_load_run", "E001")
    assert "2.25 h" in v.message  # 09:00-11:15


def midnight_scenario(limit: float) -> Scenario:
    """9 days from Mon 2026-11-09; X runs 22:00-06:00; the week block ends at 11-16 00:00."""
    config = ScenarioConfig(name="nights", start=D1, days=9, slot_minutes=60, queues=queues()[:1],
                            shifts=[ShiftType(code="X", start=dt.time(22), hours=8, night=True)],
                            rules=Rules(max_night_shifts=9, max_consecutive_days=6))
    agents = [Agent(employee_id="E001", name="张伟", home_queue="pre_sales", is_lead=True, max_hours_week=limit)]
    return Scenario(config=config, agents=agents, demand={"pre_sales": [0.0] * (9 * 24)})


def nights() -> list[dict]:
    return [*shift("E001", dt.date(2026, 11, 14), "X", "pre_sales", ("22:00", "02:00"), ("03:00", "06:00")),
            *shift("E001", dt.date(2026, 11, 15), "X", "pre_sales", ("22:00", "02:00"), ("03:00", "06:00"))]


def test_shift_across_midnight_is_legal():
    assert check_rows(midnight_scenario(48), nights()) == []


def test_weekly_hours_split_at_the_block_boundary():
    # week 1 gets 7 h (11-14 night) + 2 h (11-15 22:00-24:00) = 9 h; week 2 the other 5 h
    assert check_rows(midnight_scenario(9), nights()) == []
    v = only(check_rows(midnight_scenario(8), nights()), "weekly_hours", "E001")
    assert "9.0 h in the week 2026-11-09 .. 2026-11-15" in v.message
    vs = check_rows(midnight_scenario(4), nights())
    assert [v.rule for v in vs] == ["weekly_hours", "weekly_hours"]
    assert "5.0 h in the week 2026-11-16 .. 2026-11-17" in vs[1].message


def test_continuous_run_across_midnight_inside_one_shift():
    rows = shift("E001", dt.date(2026, 11, 14), "X", "pre_sales", ("22:00", "03:00"), ("04:00", "06:00"))
    v = only(check_rows(midnight_scenario(48), rows), "continuous_hours", "E001")
    assert "2026-11-14 22:00 .. 2026-11-15 03:00" in v.message


def test_shift_ending_after_the_horizon_does_not_exist():
    rows = nights() + shift("E001", dt.date(2026, 11, 17), "X", "pre_sales", ("22:00", "02:00"), ("03:00", "06:00"))
    v = only(check_rows(midnight_scenario(48), rows), "outside_horizon", "E001")
    assert "does not exist" in v.message


# ---------------------------------------------------------------------------------------------
# The list as a whole


def test_every_violation_reported_and_sorted_by_time_then_employee():
    rows = replace(valid_rows(), "E001", D1, [])  # no lead on D1 08-16
    rows = replace(rows, "E004", D2, shift("E004", D2, "E", "after_sales", ("08:00", "12:00"), ("13:00", "16:00")))
    rows += shift("E003", D2, "E", "pre_sales", ("08:00", "13:00"), ("14:00", "16:00"))
    vs = check_rows(SCENARIO, rows)
    assert {"leads_on_duty", "rest", "move", "consecutive_days", "continuous_hours"} <= rules_of(vs)
    keys = [(check_module._sort_time(v.when), v.employee_id or "") for v in vs]
    assert keys == sorted(keys)
    assert all(v.rule in RULES for v in vs)


def test_checker_shares_no_code_with_the_model():
    tree = ast.parse(Path(check_module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    for banned in ("scheduler.model", "scheduler.solve", "scheduler.grid", "scheduler.kpi"):
        assert not any(m == banned or m.startswith(banned + ".") for m in imported), banned


def test_a_plain_row_is_read_as_the_general_reading_reads_it(monkeypatch):
    start, end = dt.datetime(2026, 11, 11, 8), dt.datetime(2026, 11, 11, 12)
    base = {"employee_id": "E1", "name": "张三", "date": dt.date(2026, 11, 11), "shift": "E", "queue": "pre_sales",
            "start": start, "end": end, "hours": 4.0}
    variants = [{}, {"name": "  "}, {"name": " 张三 "}, {"name": None}, {"employee_id": " E1"}, {"shift": ""},
                {"hours": 4}, {"hours": float("nan")}, {"hours": "4"}, {"date": start},
                {"start": start.replace(tzinfo=dt.UTC)}, {"end": "2026-11-11 12:00"}, {"queue": 7.0}]
    raws = [{**base, **v} for v in variants] + [{k: v for k, v in base.items() if k != "hours"}, ["E1"]]
    fast = [check_module._parse_row(raw) for raw in raws]
    assert check_module._plain_row(raws[0]) is not None  # a roster's own row takes the short way
    monkeypatch.setattr(check_module, "_plain_row", lambda raw: None)
    assert fast == [check_module._parse_row(raw) for raw in raws]
