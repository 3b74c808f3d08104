"""Week after week (issue 12): --previous, requests.csv, locks.csv, end to end on the command line.

The fortnight: three agents, 60-minute slots, shifts E 06-14, L 14-22, N 22-06 (night). Week 1
needs everyone on the late shift of its last five days; week 2 needs everyone on the early shift
of its first two days. Alone, week 2 puts them on Sunday's 06:00 shift 8 hours after Saturday's
late shift ended and makes seven-day runs; with --previous it must not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.check import check_rows
from scheduler.cli import main
from scheduler.inputs import load_inputs
from scheduler.scenario import load_scenario
from scheduler.workbook import read_assignments

TOML = """\
name = "{name}"
start = {start}
days = {days}
slot_minutes = 60

[[queues]]
id = "pre_sales"
contacts_per_agent_hour = 10
session_minutes = 60

[[shifts]]
code = "E"
start = "06:00"
hours = 8

[[shifts]]
code = "L"
start = "14:00"
hours = 8

[[shifts]]
code = "N"
start = "22:00"
hours = 8
night = true

[rules]
min_rest_hours = 11
max_consecutive_days = 5
max_hours_week = 48
max_continuous_hours = 8
max_continuous_high_load_hours = 8
high_load_contacts_per_hour = 100000
min_leads_on_duty = 0

[solver]
time_limit_s = 5
workers = 1
"""
STAFF = """\
employee_id,name,home_queue,is_lead
A1,李娜,pre_sales,true
A2,陈静,pre_sales,false
A3,王芳,pre_sales,false
"""
WEEK1 = dt.date(2026, 11, 2)
WEEK2 = dt.date(2026, 11, 9)


def demand_rows(start: dt.date, days: int, busy: list[tuple[int, int, int]]) -> str:
    """`busy`: (day offset, first hour, last hour + 1) with 30 contacts per hour (3 agents)."""
    lines = ["start,queue,contacts"]
    for d, h0, h1 in busy:
        for h in range(h0, h1):
            when = dt.datetime.combine(start + dt.timedelta(days=d), dt.time(h))
            lines.append(f"{when:%Y-%m-%d %H:%M},pre_sales,30")
    return "\n".join(lines) + "\n"


WEEK1_BUSY = [(d, 14, 22) for d in range(2, 7)]
WEEK2_BUSY = [(0, 6, 14), (1, 6, 14)]


def make(folder: Path, name: str, start: dt.date, days: int, busy) -> Path:
    folder.mkdir(parents=True)
    (folder / "scenario.toml").write_text(TOML.format(name=name, start=start, days=days), encoding="utf-8")
    (folder / "staff.csv").write_text(STAFF, encoding="utf-8")
    (folder / "demand.csv").write_text(demand_rows(start, days, busy), encoding="utf-8")
    return folder


def run(*args: str) -> int:
    return main([*args])


@pytest.fixture(scope="module")
def fortnight(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fortnight")
    w1 = make(base / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    w2 = make(base / "week2", "week2", WEEK2, 7, WEEK2_BUSY)
    joined = make(base / "joined", "joined", WEEK1, 14, WEEK1_BUSY + [(d + 7, h0, h1) for d, h0, h1 in WEEK2_BUSY])
    out = {"week1": w1, "week2": w2, "joined": joined}
    for name, extra in (("r1", ["solve", str(w1)]), ("r2", ["solve", str(w2), "--previous", str(base / "r1.xlsx")]),
                        ("r2_alone", ["solve", str(w2)])):
        assert run(*extra, "--out", str(base / f"{name}.xlsx"), "--quiet", "--workers", "1",
                   "--time-limit", "5", "--no-bound") == 0
        out[name] = base / f"{name}.xlsx"
    return out


def test_week_two_with_previous_passes_the_check_across_the_boundary(fortnight, capsys):
    f = fortnight
    assert run("check", str(f["r2"]), "--scenario", str(f["week2"]), "--previous", str(f["r1"])) == 0, \
        capsys.readouterr().out
    # the two weeks joined, one scenario of 14 days: nothing broken
    rows = read_assignments(f["r1"]) + read_assignments(f["r2"])
    assert check_rows(load_scenario(f["joined"]), rows) == []
    # the CSV written beside the workbook serves as --previous too, with the same verdict
    csv_previous = f["r1"].with_name("r1_assignments.csv")
    assert run("check", str(f["r2"]), "--scenario", str(f["week2"]), "--previous", str(csv_previous)) == 0
    assert run("check", str(f["r2_alone"]), "--scenario", str(f["week2"]), "--previous", str(csv_previous)) == 1


def test_week_two_alone_breaks_rest_or_consecutive_days_at_the_boundary(fortnight, capsys):
    f = fortnight
    capsys.readouterr()
    assert run("check", str(f["r2_alone"]), "--scenario", str(f["week2"]), "--previous", str(f["r1"])) == 1
    out = capsys.readouterr().out
    assert "[rest]" in out or "[consecutive_days]" in out, out
    rows = read_assignments(f["r1"]) + read_assignments(f["r2_alone"])
    rules = {v.rule for v in check_rows(load_scenario(f["joined"]), rows)}
    assert rules & {"rest", "consecutive_days"}, rules


# --- requests -----------------------------------------------------------------------------------------

REQUESTS = """\
employee_id,date,request,shift,priority,reason
A2,2026-11-05,off,,3,wedding
A3,2026-11-02,off,,1,
A1,2026-11-04,shift,E,2,exam in the evening
A2,2026-11-03,avoid,N,1,
"""


def test_requests_granted_when_free_and_declined_for_service_with_the_slot_named(tmp_path, capsys):
    import openpyxl

    w1 = make(tmp_path / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    (w1 / "requests.csv").write_text(REQUESTS, encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert run("solve", str(w1), "--out", str(out), "--quiet", "--workers", "1", "--time-limit", "5",
               "--no-bound") == 0
    printed = capsys.readouterr().out
    assert "requests granted: priority 3 0 / 1, priority 2 0 / 1, priority 1 2 / 2, all 2 / 4" in printed, printed
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Requests"].iter_rows(values_only=True))
    header, body = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert header[:3] == ("row", "employee_id", "name")
    assert body[3]["granted"] == "yes" and body[5]["granted"] == "yes"  # a quiet day off; no night asked
    wedding = body[2]
    assert wedding["granted"] == "no"
    assert wedding["why_declined"].startswith("granting it would leave pre_sales short 2026-11-05 14:00-22:00 "
                                              "(+8.0 agent-hours shortage"), wedding["why_declined"]
    exam = body[4]
    assert exam["granted"] == "no" and "2026-11-04 14:00-22:00" in exam["why_declined"], exam["why_declined"]
    summary = [r for r in wb["Summary"].iter_rows(values_only=True) if r[0] and str(r[0]).startswith("requests")]
    assert ("requests granted / asked, priority 3", "0 / 1") in [r[:2] for r in summary]
    assert run("check", str(out), "--scenario", str(w1)) == 0


# --- locks --------------------------------------------------------------------------------------------


def test_locks_are_kept_and_checked(tmp_path, capsys):
    w1 = make(tmp_path / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    (w1 / "locks.csv").write_text("employee_id,date,shift,queue\nA1,2026-11-02,E,pre_sales\n"
                                  "A2,2026-11-06,off,\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert run("solve", str(w1), "--out", str(out), "--quiet", "--workers", "1", "--time-limit", "5",
               "--no-bound") == 0
    rows = read_assignments(out)
    assert any(r["employee_id"] == "A1" and r["shift"] == "E" and r["date"] == WEEK1 for r in rows)
    assert not any(r["employee_id"] == "A2" and r["date"] == dt.date(2026, 11, 6) for r in rows)
    assert run("check", str(out), "--scenario", str(w1)) == 0
    # the checker verifies them: lock a day A1 works as a day off
    (w1 / "locks.csv").write_text("employee_id,date,shift,queue\nA1,2026-11-02,off,\n", encoding="utf-8")
    capsys.readouterr()
    assert run("check", str(out), "--scenario", str(w1)) == 1
    assert "[lock] A1 李娜 works E on 2026-11-02, but locks.csv row 2 locks 2026-11-02 as a day off" in \
        capsys.readouterr().out


@pytest.mark.parametrize("locks, fragments", [
    ("A1,2026-11-03,L,\nA1,2026-11-04,E,\n", ["locks.csv, row 2, column shift: the locks alone break the rule "
                                              "min_rest_hours", "only 8.0 h rest", "(locks on rows 2, 3)"]),
    ("A3,2026-11-03,N,\n", ["locks.csv, row 2, column shift: the locks alone break the rule night_ok",
                            "A3 王芳 may not work night shifts"]),
    ("A1,2026-11-02,E,\nA1,2026-11-03,E,\nA1,2026-11-04,E,\nA1,2026-11-05,E,\nA1,2026-11-06,E,\nA1,2026-11-07,E,\n",
     ["the locks alone break the rule max_consecutive_days", "A1 李娜 works 6 dates in a row"]),
    ("A1,2026-11-02,N,\nA1,2026-11-03,N,\nA1,2026-11-04,N,\nA1,2026-11-05,N,\n",
     ["the locks alone break the rule max_night_shifts", "A1 李娜 works 4 night shifts"]),
    ("A9,2026-11-03,E,\n", ["locks.csv, row 2, column employee_id: unknown employee_id 'A9'"]),
    ("A1,2026-11-03,X,\n", ["locks.csv, row 2, column shift: unknown shift 'X'; expected off or one of E, L, N"]),
    ("A1,2026-11-08,N,\n", ["locks.csv, row 2, column shift: shift N on 2026-11-08 would end 2026-11-09 06:00, "
                            "after the horizon ends"]),
    ("A1,2026-11-03,E,after_sales\n", ["locks.csv, row 2, column queue: unknown queue 'after_sales'"]),
])
def test_bad_locks_exit_2_with_the_rule_named(tmp_path, capsys, locks, fragments):
    w1 = make(tmp_path / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    (w1 / "staff.csv").write_text(STAFF.replace("A3,王芳,pre_sales,false", "A3,王芳,pre_sales,false")
                                  .replace("is_lead\n", "is_lead,night_ok\n").replace("true\n", "true,true\n")
                                  .replace("A2,陈静,pre_sales,false\n", "A2,陈静,pre_sales,false,true\n")
                                  .replace("A3,王芳,pre_sales,false\n", "A3,王芳,pre_sales,false,false\n"),
                                  encoding="utf-8")
    (w1 / "locks.csv").write_text("employee_id,date,shift,queue\n" + locks, encoding="utf-8")
    assert run("solve", str(w1), "--out", str(tmp_path / "r.xlsx"), "--quiet", "--workers", "1") == 2
    err = capsys.readouterr().err
    assert any(all(f in line for f in fragments) for line in err.splitlines()), err


def test_locks_that_leave_no_roster_exit_1_naming_them(tmp_path, capsys):
    w1 = make(tmp_path / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    toml = (w1 / "scenario.toml").read_text(encoding="utf-8").replace("min_leads_on_duty = 0", "min_leads_on_duty = 1")
    (w1 / "scenario.toml").write_text(toml, encoding="utf-8")
    # A1, the only lead, is off on the 4th while A2 must work: nobody can lead A2's shift
    (w1 / "locks.csv").write_text("employee_id,date,shift,queue\nA1,2026-11-04,off,\nA2,2026-11-04,L,\n",
                                  encoding="utf-8")
    assert run("solve", str(w1), "--out", str(tmp_path / "r.xlsx"), "--quiet", "--workers", "1",
               "--time-limit", "5") == 1
    err = capsys.readouterr().err
    assert "the 2 lock(s) of locks.csv make every roster impossible" in err, err
    assert "releasing the locks of A1 李娜 (locks.csv row(s) 2: 2026-11-04 off) makes a roster possible" in err, err
    assert "releasing the locks of A2 陈静 (locks.csv row(s) 3: 2026-11-04 L) makes a roster possible" in err, err
    assert not (tmp_path / "r.xlsx").exists()


# --- a night running past the start ---------------------------------------------------------------------


def write_previous(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Assignments"
    ws.append(["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_night_running_past_start_covers_the_first_hours_and_is_not_repeated(tmp_path, capsys):
    # A1 (the lead) and A2 worked Sunday night 22:00-06:00 in last week's roster; demand starts
    # at 00:00 on Monday for 2 agents. A1 also worked the five days before; A9 has left.
    w2 = make(tmp_path / "week2", "week2", WEEK2, 7, [])
    (w2 / "demand.csv").write_text(demand_rows(WEEK2, 7, [(0, 0, 6)]).replace(",30", ",20"), encoding="utf-8")
    toml = (w2 / "scenario.toml").read_text(encoding="utf-8").replace("min_leads_on_duty = 0", "min_leads_on_duty = 1")
    (w2 / "scenario.toml").write_text(toml, encoding="utf-8")
    night = dt.datetime(2026, 11, 8, 22)
    rows = [[e, "", dt.datetime(2026, 11, 8), "N", "pre_sales", night, night + dt.timedelta(hours=8), 8]
            for e in ("A1", "A2", "A9")]
    for d in range(3, 8):  # E shifts 2026-11-03 .. 07: with the night, six dates in a row before start
        begin = dt.datetime(2026, 11, d, 6)
        rows.append(["A1", "", dt.datetime(2026, 11, d), "E", "pre_sales", begin, begin + dt.timedelta(hours=8), 8])
    rows.append(["A3", "", dt.datetime(2026, 10, 20), "E", "pre_sales", dt.datetime(2026, 10, 20, 6),
                 dt.datetime(2026, 10, 20, 14), 8])  # more than 14 days before: ignored
    prev = write_previous(tmp_path / "last.xlsx", rows)
    out = tmp_path / "r.xlsx"
    assert run("solve", str(w2), "--previous", str(prev), "--out", str(out), "--quiet", "--workers", "1",
               "--time-limit", "5") == 0
    printed = capsys.readouterr().out
    assert "overflow 0.0 customer-hours, shortage 0.0 of 12.0 required agent-hours" in printed, printed
    got = read_assignments(out)
    assert not any(r["date"] < WEEK2 for r in got)  # the night is not repeated
    # A1 worked six dates in a row up to Sunday (max 5 is the previous roster's own business),
    # so not Monday; nor may A2 work before 17:00 on Monday (11 h rest after 06:00)
    assert not any(r["employee_id"] == "A1" and r["date"] == WEEK2 for r in got)
    assert not any(r["employee_id"] == "A2" and r["start"] < dt.datetime(2026, 11, 9, 17) for r in got)
    assert run("check", str(out), "--scenario", str(w2), "--previous", str(prev)) == 0
    # the checker sees the night: the same roster with A2 on Monday's 06:00 shift breaks rest
    scenario = load_inputs(w2, previous=prev)
    early = {"employee_id": "A2", "name": "陈静", "date": WEEK2, "shift": "E", "queue": "pre_sales",
             "start": dt.datetime(2026, 11, 9, 6), "end": dt.datetime(2026, 11, 9, 14), "hours": 8.0}
    rules = {v.rule for v in check_rows(scenario, got + [early])}
    assert "rest" in rules, rules


# --- properties ----------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scheduler.app import options_for  # noqa: E402
from scheduler.check import check_roster  # noqa: E402
from scheduler.grid import Grid  # noqa: E402
from scheduler.kpi import summary_kpis  # noqa: E402
from scheduler.scenario.wishes import Lock, Request  # noqa: E402
from scheduler.solve import solve  # noqa: E402

SMALL_BUSY = [(0, 8, 20), (1, 14, 22), (2, 6, 12)]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = make(tmp_path_factory.mktemp("small") / "s", "small", WEEK1, 3, SMALL_BUSY)
    scenario = load_scenario(folder)
    roster, _ = solve(scenario, options_for(scenario, 3, 1, 0))
    return scenario, roster


def _overflow(scenario, roster) -> float:
    return summary_kpis(scenario, Grid(scenario), roster)["overflow_customer_hours"]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["A1", "A2", "A3"]), st.integers(0, 2), st.sampled_from(["off", "shift", "avoid"]),
                          st.sampled_from(["E", "L"]), st.integers(1, 3)), min_size=1, max_size=6,
                unique_by=lambda r: (r[0], r[1])))
def test_random_requests_never_change_overflow(small, wishes):
    scenario, plain = small
    requests = [Request(n + 2, e, WEEK1 + dt.timedelta(days=d), kind, "" if kind == "off" else code, p)
                for n, (e, d, kind, code, p) in enumerate(wishes)]
    wished = scenario.model_copy(update={"requests": requests})
    roster, _ = solve(wished, options_for(wished, 3, 1, 0))
    assert check_roster(wished, roster) == []
    assert _overflow(wished, roster) == pytest.approx(_overflow(scenario, plain), abs=1e-6)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_locks_taken_from_a_legal_roster_are_kept(small, data):
    scenario, plain = small
    worked = {(a.employee_id, a.date): a for a in plain.assignments}
    cells = [(e, WEEK1 + dt.timedelta(days=d)) for e in ("A1", "A2", "A3") for d in range(3)]
    picked = data.draw(st.lists(st.sampled_from(cells), min_size=1, max_size=5, unique=True))
    locks = []
    for n, (e, d) in enumerate(picked):
        a = worked.get((e, d))
        locks.append(Lock(n + 2, e, d, a.shift if a else "off", a.queue if a and data.draw(st.booleans()) else ""))
    locked = scenario.model_copy(update={"locks": locks})
    roster, _ = solve(locked, options_for(locked, 3, 1, 0))
    assert check_roster(locked, roster) == []  # the checker's lock rule: every lock kept


def test_a_carried_in_shift_with_no_lead_possible_exits_1(tmp_path, capsys):
    w2 = make(tmp_path / "week2", "week2", WEEK2, 7, [(0, 0, 6)])
    toml = (w2 / "scenario.toml").read_text(encoding="utf-8").replace("min_leads_on_duty = 0", "min_leads_on_duty = 1")
    (w2 / "scenario.toml").write_text(toml, encoding="utf-8")
    (w2 / "absences.csv").write_text("employee_id,start,end,reason\nA1,2026-11-09 00:00,2026-11-10 00:00,病假\n",
                                     encoding="utf-8")
    night = dt.datetime(2026, 11, 8, 22)
    prev = write_previous(tmp_path / "last.xlsx", [["A2", "", dt.datetime(2026, 11, 8), "N", "pre_sales", night,
                                                    night + dt.timedelta(hours=8), 8]])
    assert run("solve", str(w2), "--previous", str(prev), "--out", str(tmp_path / "r.xlsx"), "--quiet",
               "--workers", "1", "--time-limit", "5") == 1
    err = capsys.readouterr().err
    assert ("2026-11-09 00:00 .. 06:00: the previous roster's shifts of A2 still work then, and no lead is or can "
            "be on shift") in err, err


def test_a_carried_in_run_too_long_by_itself_exits_1(tmp_path, capsys):
    w2 = make(tmp_path / "week2", "week2", WEEK2, 7, [(0, 0, 6)])
    start = dt.datetime(2026, 11, 8, 20)
    prev = write_previous(tmp_path / "last.xlsx", [["A2", "", dt.datetime(2026, 11, 8), "X", "pre_sales", start,
                                                    start + dt.timedelta(hours=10), 10]])
    assert run("solve", str(w2), "--previous", str(prev), "--out", str(tmp_path / "r.xlsx"), "--quiet",
               "--workers", "1", "--time-limit", "5") == 1
    err = capsys.readouterr().err
    assert ("the previous roster's shift runs into this horizon and breaks a rule by itself: [continuous_hours] "
            "A2 陈静 works 10.0 h without a break (2026-11-08 20:00 .. 2026-11-09 06:00)") in err, err


def test_nights_of_the_previous_roster_count_in_fairness(tmp_path):
    # one night shift to give on Monday; A2 worked two nights last week, A3 none: A3 gets it
    w2 = make(tmp_path / "week2", "week2", WEEK2, 1, [(0, 22, 24)])
    (w2 / "demand.csv").write_text("start,queue,contacts\n2026-11-09 23:00,pre_sales,5\n", encoding="utf-8")
    (w2 / "staff.csv").write_text("employee_id,name,home_queue\nA2,陈静,pre_sales\nA3,王芳,pre_sales\n",
                                  encoding="utf-8")
    toml = (w2 / "scenario.toml").read_text(encoding="utf-8").replace('start = "22:00"', 'start = "16:00"')
    (w2 / "scenario.toml").write_text(toml, encoding="utf-8")  # N 16:00-24:00 fits in one day
    rows = []
    for d in (3, 4):
        begin = dt.datetime(2026, 11, d, 16)
        rows.append(["A2", "", dt.datetime(2026, 11, d), "N", "pre_sales", begin, begin + dt.timedelta(hours=8), 8])
    prev = write_previous(tmp_path / "last.xlsx", rows)
    scenario = load_inputs(w2, previous=prev)
    roster, _ = solve(scenario, options_for(scenario, 3, 1, 0))
    # (without --previous the two are alike, and this solve gives the night to A2, the first)
    assert [(a.employee_id, a.shift) for a in roster.assignments if a.shift == "N"] == [("A3", "N")]


def test_the_checker_reads_leads_across_the_boundary(tmp_path):
    w2 = make(tmp_path / "week2", "week2", WEEK2, 7, [(0, 0, 6)])
    toml = (w2 / "scenario.toml").read_text(encoding="utf-8").replace("min_leads_on_duty = 0", "min_leads_on_duty = 1")
    (w2 / "scenario.toml").write_text(toml, encoding="utf-8")
    night = dt.datetime(2026, 11, 8, 22)

    def row(eid: str) -> list:
        return [eid, "", dt.datetime(2026, 11, 8), "N", "pre_sales", night, night + dt.timedelta(hours=8), 8]

    alone = load_inputs(w2, previous=write_previous(tmp_path / "a.xlsx", [row("A2")]))
    found = [v for v in check_rows(alone, []) if v.rule == "leads_on_duty"]
    assert [v.message for v in found] == ["2026-11-09 00:00 .. 06:00: no lead on shift while A2 陈静 works; the rule "
                                          "is at least 1 lead on shift whenever anyone works"]
    with_lead = load_inputs(w2, previous=write_previous(tmp_path / "b.xlsx", [row("A2"), row("A1")]))
    assert check_rows(with_lead, []) == []


def test_a_sick_call_wins_over_a_lock_in_a_repair(tmp_path, capsys):
    w1 = make(tmp_path / "week1", "week1", WEEK1, 7, WEEK1_BUSY)
    (w1 / "locks.csv").write_text("employee_id,date,shift,queue\nA1,2026-11-05,L,\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert run("solve", str(w1), "--out", str(out), "--quiet", "--workers", "1", "--time-limit", "5",
               "--no-bound") == 0
    fixed = tmp_path / "fixed.xlsx"
    assert run("repair", str(out), "--scenario", str(w1), "--absent", "A1", "--from", "2026-11-05 00:00",
               "--to", "2026-11-06 00:00", "--out", str(fixed), "--quiet", "--workers", "1",
               "--time-limit", "5") == 0, capsys.readouterr().err
    rows = read_assignments(fixed)
    assert not any(r["employee_id"] == "A1" and r["date"] == dt.date(2026, 11, 5) for r in rows)
    assert run("check", str(fixed), "--scenario", str(w1)) == 0
