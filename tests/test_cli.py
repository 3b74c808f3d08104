"""The command line end to end, as a scheduler runs it: solve, check, edit by hand, repair."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.scenario import load_scenario
from scheduler.workbook import read_assignments

DATA = Path(__file__).resolve().parent.parent / "data"
SCENARIO = DATA / "three_queues_30min"


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("solve") / "roster.xlsx"
    assert main(["solve", str(SCENARIO), "--out", str(out), "--time-limit", "15", "--workers", "2", "--quiet"]) == 0
    return out


def test_solve_writes_every_sheet_and_the_csv(solved):
    wb = openpyxl.load_workbook(solved)
    assert {"Assignments", "Roster", "Coverage", "Summary"} <= set(wb.sheetnames)
    header = [c.value for c in wb["Assignments"][1]]
    assert header == ["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"]
    assert isinstance(wb["Assignments"]["F2"].value, dt.datetime)
    summary = " ".join(str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value is not None)
    assert "gap" in summary.lower() and "overflow" in summary.lower()
    # service beside its proven lower bounds: the LP bound never exceeds what the roster achieves
    rows = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Service against proven lower bounds")
    header = rows[start + 1]
    for r in rows[start + 2:start + 4]:
        line = dict(zip(header, r))
        assert line["measure"] in ("overflow", "shortage")
        assert line["pooled bound (LP or integer program)"] <= line["achieved"] + 1e-6
    assert (solved.parent / "roster_assignments.csv").exists()


def test_check_passes_the_solved_roster(solved, capsys):
    assert main(["check", str(solved), "--scenario", str(SCENARIO)]) == 0
    assert "no rule broken" in capsys.readouterr().out


def test_check_names_a_rule_broken_by_a_hand_edit(solved, tmp_path, capsys):
    edited = tmp_path / "edited.xlsx"
    shutil.copy(solved, edited)
    wb = openpyxl.load_workbook(edited)
    ws = wb["Assignments"]
    # a scheduler stretches one run to 7 hours: longer than max_continuous_hours (4)
    ws["G2"].value = ws["F2"].value + dt.timedelta(hours=7)
    ws["H2"].value = 7
    wb.save(edited)
    assert main(["check", str(edited), "--scenario", str(SCENARIO)]) == 1
    out = capsys.readouterr().out
    assert "continuous_hours" in out and str(ws["A2"].value) in out


def test_repair_keeps_the_input_and_writes_changes(solved, tmp_path, capsys):
    before = solved.read_bytes()
    rows = read_assignments(solved)
    leads = {a.employee_id for a in load_scenario(SCENARIO).agents if a.is_lead}
    victim = next(r for r in rows if r["date"] == dt.date(2026, 11, 11) and r["employee_id"] not in leads)
    moment = victim["start"] + dt.timedelta(minutes=40)
    out = tmp_path / "repaired.xlsx"
    code = main(["repair", str(solved), "--scenario", str(SCENARIO), "--absent", victim["employee_id"],
                 "--from", f"{moment:%Y-%m-%d %H:%M}", "--out", str(out), "--time-limit", "8", "--quiet"])
    assert code == 0
    assert solved.read_bytes() == before
    assert "Changes" in openpyxl.load_workbook(out).sheetnames
    printed = capsys.readouterr().out
    assert "agent(s) to call" in printed and "calls  overflow_lost  shortage_lost" in printed
    changes = openpyxl.load_workbook(out)["Changes"]
    assert victim["employee_id"] in [c.value for c in changes["A"]]  # the absent agent's lost shift is listed
    after = read_assignments(out)
    started_before = lambda r: r["start"] < moment and r["employee_id"] != victim["employee_id"]
    assert sorted(map(str, filter(started_before, rows))) == sorted(map(str, filter(started_before, after)))
    assert max(r["end"] for r in after if r["employee_id"] == victim["employee_id"] and r["start"] < moment) <= moment
    # the sick call travels in the workbook: check accepts the cut-short shift, and a second
    # repair of the repaired roster keeps the first absentee away
    assert "Absences" in openpyxl.load_workbook(out).sheetnames
    assert main(["check", str(out), "--scenario", str(SCENARIO)]) == 0
    second = tmp_path / "repaired2.xlsx"
    other = next(r for r in after if r["start"] > moment and r["employee_id"] not in leads | {victim["employee_id"]})
    assert main(["repair", str(out), "--scenario", str(SCENARIO), "--absent", other["employee_id"],
                 "--from", f"{other['start']:%Y-%m-%d %H:%M}", "--out", str(second), "--time-limit", "8",
                 "--quiet"]) == 0
    sick_until = moment.replace(hour=0, minute=0) + dt.timedelta(days=5)
    assert not [r for r in read_assignments(second)
                if r["employee_id"] == victim["employee_id"] and moment <= r["start"] < sick_until]


def test_a_repair_never_imports_pandas_and_repairs_as_with_it(solved, tmp_path):
    # the command defers OR-Tools' import of pandas (scheduler.lazyimport) and uses none itself
    rows = read_assignments(solved)
    leads = {a.employee_id for a in load_scenario(SCENARIO).agents if a.is_lead}
    victim = next(r for r in rows if r["date"] == dt.date(2026, 11, 12) and r["employee_id"] not in leads)
    args = ["repair", str(solved), "--scenario", str(SCENARIO), "--absent", victim["employee_id"], "--from",
            f"{victim['start'] + dt.timedelta(minutes=40):%Y-%m-%d %H:%M}", "--time-limit", "5", "--workers", "1",
            "--seed", "0", "--quiet"]
    alone = tmp_path / "alone.xlsx"
    script = ("import sys; from scheduler.cli import main; code = main(sys.argv[1:]); "
              "print('pandas' in sys.modules); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script, *args, "--out", str(alone)], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    here = tmp_path / "here.xlsx"  # this process has pandas: the same roster, the same file
    assert main([*args, "--out", str(here)]) == 0
    assert read_assignments(alone) == read_assignments(here)
    assert (tmp_path / "alone_assignments.csv").read_bytes() == (tmp_path / "here_assignments.csv").read_bytes()


def test_repair_refuses_to_overwrite_its_input(solved):
    before = solved.read_bytes()
    assert main(["repair", str(solved), "--scenario", str(SCENARIO), "--absent", "E001",
                 "--from", "2026-11-11 08:00", "--out", str(solved)]) == 2
    assert solved.read_bytes() == before


def test_forecast_writes_an_editable_demand_csv(tmp_path):
    out = tmp_path / "demand.csv"
    assert main(["forecast", str(DATA / "double11"), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "start,queue,contacts" and len(lines) > 24 * 7


def test_bad_input_exits_2_without_traceback(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.xlsx"), "--scenario", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_repair_explains_a_lead_leaving_while_others_are_on_duty(solved, tmp_path, capsys):
    scenario = load_scenario(SCENARIO)
    leads = {a.employee_id for a in scenario.agents if a.is_lead}
    rows = read_assignments(solved)
    on_duty = lambda r, t: r["start"] <= t < r["end"]
    for lead in (r for r in rows if r["employee_id"] in leads):
        moment = lead["start"] + dt.timedelta(minutes=30)
        others = {r["employee_id"] for r in rows if on_duty(r, moment) and r["employee_id"] != lead["employee_id"]}
        if others and not others & leads:
            break
    else:
        pytest.skip("no lead alone on duty in this roster")
    code = main(["repair", str(solved), "--scenario", str(SCENARIO), "--absent", lead["employee_id"],
                 "--from", f"{moment:%Y-%m-%d %H:%M}", "--out", str(tmp_path / "r.xlsx"), "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "leads_on_duty" in err and "no lead on shift" in err
    assert not (tmp_path / "r.xlsx").exists()


def test_repair_with_an_absences_file(solved, tmp_path, capsys):
    leads = {a.employee_id for a in load_scenario(SCENARIO).agents if a.is_lead}
    rows = read_assignments(solved)
    day12 = [r for r in rows if r["date"] == dt.date(2026, 11, 12) and r["employee_id"] not in leads]
    sick = sorted({r["employee_id"] for r in day12})[:2]
    absences = tmp_path / "sick.csv"
    absences.write_text("employee_id,start,end,reason\n" + "".join(
        f"{e},2026-11-12 00:00,2026-11-13 00:00,病假\n" for e in sick), encoding="utf-8")
    out = tmp_path / "repaired.xlsx"
    assert main(["repair", str(solved), "--scenario", str(SCENARIO), "--absences", str(absences),
                 "--out", str(out), "--time-limit", "8", "--quiet"]) == 0
    after = read_assignments(out)
    assert not [r for r in after if r["employee_id"] in sick and r["date"] == dt.date(2026, 11, 12)]
    assert main(["check", str(out), "--scenario", str(SCENARIO)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,start,end\nNOBODY,2026-11-12 00:00,2026-11-11 00:00\n", encoding="utf-8")
    assert main(["repair", str(solved), "--scenario", str(SCENARIO), "--absences", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 2" in err


def test_surge_repair_records_the_demand_so_check_and_a_second_repair_work(solved, tmp_path, capsys):
    out = tmp_path / "surge.xlsx"
    code = main(["repair", str(solved), "--scenario", str(SCENARIO), "--scale", "1.5", "--queue", "pre_sales",
                 "--from", "2026-11-11 09:10", "--max-calls", "2", "--out", str(out), "--time-limit", "3",
                 "--workers", "1", "--quiet", "--lang", "zh"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "calls  overflow_lost  shortage_lost" in printed
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb["Options"][1]][:3] == ["calls", "overflow_lost", "shortage_lost"]
    calls = [row[0] for row in wb["Options"].iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)]
    assert calls == list(range(len(calls))) and len(calls) <= 3
    assert "Demand" in wb.sheetnames
    # coverage is soft and the rules follow the recorded demand: the repaired roster checks clean
    assert main(["check", str(out), "--scenario", str(SCENARIO)]) == 0
    rows = read_assignments(out)
    victim = next(r for r in rows if r["date"] == dt.date(2026, 11, 12))
    again = tmp_path / "again.xlsx"
    assert main(["repair", str(out), "--scenario", str(SCENARIO), "--absent", victim["employee_id"],
                 "--from", "2026-11-12 00:00", "--out", str(again), "--time-limit", "3", "--workers", "1",
                 "--quiet"]) == 0
    assert "Demand" in openpyxl.load_workbook(again).sheetnames
    assert main(["check", str(again), "--scenario", str(SCENARIO)]) == 0
