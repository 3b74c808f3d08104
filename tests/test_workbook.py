"""The workbook lays out what it is given, round-trips its Assignments, and writes atomically."""

from __future__ import annotations

import csv
import datetime as dt
import math

import openpyxl
import pandas as pd
import pytest

from scheduler.errors import InputError
from scheduler.grid import Grid
from scheduler.kpi import coverage, summary_kpis
from scheduler.result import PhaseResult, SolveReport
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Absence, Agent, Move, Queue, Scenario, ScenarioConfig, ShiftType
from scheduler.workbook import (
    ASSIGNMENT_COLUMNS,
    atomic_path,
    read_assignments,
    write_csv_atomic,
    write_workbook,
)

D0 = dt.date(2026, 11, 10)
INJECTION_NAME = '=HYPERLINK("x")'


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(D0, dt.time()) + dt.timedelta(days=day, hours=hour)


@pytest.fixture
def scenario() -> Scenario:
    config = ScenarioConfig(
        name="tiny", start=D0, days=3, slot_minutes=60,
        queues=[Queue(id="pre_sales", name="售前", contacts_per_agent_hour=25, session_minutes=120),
                Queue(id="after_sales", name="售后", contacts_per_agent_hour=20, session_minutes=60)],
        shifts=[ShiftType(code="E", start="08:00", hours=8), ShiftType(code="L", start="16:00", hours=8),
                ShiftType(code="N", start="22:00", hours=8, night=True)],
        moves=[Move(dates=[D0 + dt.timedelta(days=1)], from_queue="after_sales", to_queue="pre_sales")],
    )
    agents = [
        Agent(employee_id="A1", name="张三", home_queue="pre_sales", skills=["pre_sales", "after_sales"], is_lead=True),
        Agent(employee_id="+1", name=INJECTION_NAME, home_queue="after_sales"),
        Agent(employee_id="007", name="李四", home_queue="after_sales", kind="flex", efficiency=0.7),
    ]
    n = config.days * 24
    demand = {"pre_sales": [50.0 if 8 <= t % 24 < 22 else 5.0 for t in range(n)],
              "after_sales": [20.0] * n}
    absences = [Absence(employee_id="007", start=at(1, 0), end=at(2, 0), reason="sick")]
    return Scenario(config=config, agents=agents, demand=demand, absences=absences)


@pytest.fixture
def roster() -> Roster:
    return Roster([
        # a shift with one break: two runs, two rows
        Assignment("A1", D0, "E", "pre_sales", ((at(0, 8), at(0, 12)), (at(0, 13), at(0, 16)))),
        # a night shift crossing midnight
        Assignment("+1", D0, "N", "after_sales", ((at(0, 22), at(1, 6)),)),
        # a shift on a queue other than the home queue
        Assignment("A1", D0 + dt.timedelta(days=1), "L", "after_sales", ((at(1, 16), at(2, 0)),)),
    ])


@pytest.fixture
def report() -> SolveReport:
    return SolveReport(
        status="FEASIBLE", seconds=1.25, time_limit_s=10, workers=2, seed=7, n_variables=120, n_constraints=340,
        phases=[PhaseResult("overflow", "customer-hours", "OPTIMAL", 0.0, 0.0, 0.5),
                PhaseResult("shortage", "agent-hours", "FEASIBLE", 12.0, 9.0, 0.75)],
        notes=["breaks are whole slots", "=SUM(A1)"],
    )


@pytest.fixture
def written(tmp_path, scenario, roster, report):
    def write(name="roster.xlsx", **kw):
        grid = Grid(scenario)
        cov = coverage(scenario, grid, roster)
        args = dict(scenario=scenario, roster=roster, report=report, coverage=cov,
                    kpis=summary_kpis(scenario, grid, roster, cov))
        args.update(kw)
        return write_workbook(tmp_path / name, **args)
    return write


def names(scenario: Scenario) -> dict[str, str]:
    return {a.employee_id: a.name for a in scenario.agents}


def column_values(ws, col: int) -> list:
    return [ws.cell(row=r, column=col).value for r in range(1, ws.max_row + 1)]


def test_sheets_and_returned_files(written, tmp_path):
    paths = written()
    assert paths == [tmp_path / "roster.xlsx", tmp_path / "roster_assignments.csv"]
    assert all(p.exists() for p in paths)
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames == ["Assignments", "Roster", "Coverage", "Summary", "Absences"]
    assert wb.active.title == "Assignments"


def test_assignments_header_types_and_one_row_per_run(written, roster, scenario):
    ws = openpyxl.load_workbook(written()[0])["Assignments"]
    assert [c.value for c in ws[1]] == ASSIGNMENT_COLUMNS
    assert ws.max_row - 1 == len(roster.rows(names(scenario))) == 4
    assert not ws.merged_cells.ranges
    for r in range(2, ws.max_row + 1):
        date, start, end, hours = (ws.cell(row=r, column=c) for c in (3, 6, 7, 8))
        assert date.is_date and date.number_format == "yyyy-mm-dd"
        assert isinstance(start.value, dt.datetime) and start.number_format == "yyyy-mm-dd hh:mm"
        assert isinstance(end.value, dt.datetime)
        assert isinstance(hours.value, (int, float))
        assert all(ws.cell(row=r, column=c).value not in (None, "") for c in range(1, 9))
    night = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[3] == "N"]
    assert night == [("+1", INJECTION_NAME, at(0, 0), "N", "after_sales", at(0, 22), at(1, 6), 8)]


def test_read_assignments_round_trips_roster_rows(written, roster, scenario):
    rows = read_assignments(written()[0])
    assert rows == roster.rows(names(scenario))
    assert Roster.from_rows(rows) == roster.sorted()
    assert all(type(r["date"]) is dt.date and type(r["hours"]) is float for r in rows)


def test_user_text_is_never_a_formula(written):
    path = written(changes=[{"employee_id": "+1", "name": INJECTION_NAME, "date": D0,
                             "before": "N 22:00-06:00", "after": "=1+1"}])[0]
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    ws = wb["Assignments"]
    name_cells = [c for c in ws["B"] if c.value == INJECTION_NAME]
    assert name_cells and all(c.data_type == "s" for c in name_cells)
    id_cells = [c for c in ws["A"] if c.value == "+1"]
    assert id_cells and all(isinstance(c.value, str) for c in id_cells)
    assert INJECTION_NAME in column_values(wb["Roster"], 2)
    assert "=1+1" in column_values(wb["Changes"], 5)
    summary_text = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert "=SUM(A1)" in summary_text


def test_roster_grid(written, scenario):
    ws = openpyxl.load_workbook(written()[0])["Roster"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["employee_id", "name", "home queue", "kind"]
    assert header[4:7] == ["11-10 Tue", "11-11 Wed", "11-12 Thu"]
    assert header[7:] == ["hours", "nights", "weekend days"]
    # per agent: worked hours (the break excluded), night shifts, Saturdays and Sundays worked
    assert [[ws.cell(row=r, column=c).value for c in (8, 9, 10)] for r in (2, 3, 4)] == \
        [[15.0, 0, 0], [8.0, 1, 0], [0.0, 0, 0]]
    assert ws.cell(row=2, column=8).number_format == "0.0"
    # per date: head-count of each shift code, then everybody with a shift that date
    counts = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in (5, 6, 7)]
              for r in range(5, 9)}
    assert counts == {"head-count E": [1, 0, 0], "head-count L": [0, 1, 0], "head-count N": [1, 0, 0],
                      "agents on shift": [2, 1, 0]}
    assert column_values(ws, 1)[1:4] == ["A1", "+1", "007"]  # staff order, including 007 with no shift
    assert [ws.cell(row=2, column=c).value for c in (5, 6, 7)] == ["E", "L→after_sales", None]
    assert ws.cell(row=3, column=5).value == "N"
    assert ws.cell(row=4, column=6).value == "sick"  # absent day marked with its reason
    assert ws.cell(row=4, column=5).value is None
    e_fill, n_fill = ws.cell(row=2, column=5).fill.fgColor.rgb, ws.cell(row=3, column=5).fill.fgColor.rgb
    assert e_fill != n_fill
    assert ws.freeze_panes == "C2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert "Legend" in column_values(ws, 1)[len(scenario.agents) + 1:]


def test_coverage_table_and_charts(written, scenario):
    ws = openpyxl.load_workbook(written()[0])["Coverage"]
    assert [c.value for c in ws[1]][:9] == ["start", "queue", "contacts", "required", "staffed", "shortage",
                                            "concurrency", "overflow", "high_load"]
    assert ws.max_row - 1 == 2 * 72
    assert len(ws._charts) == 2  # one per queue
    concurrency = column_values(ws, 7)[1:]
    assert "∞" in concurrency  # slots with contacts and nobody staffed
    assert all(v == "∞" or isinstance(v, (int, float)) for v in concurrency)
    assert isinstance(ws["A2"].value, dt.datetime)


def test_infinite_and_missing_values_do_not_crash(tmp_path, scenario, roster, report):
    cov = pd.DataFrame([{"start": at(0, 0), "queue": "pre_sales", "contacts": 5.0, "required": 0.2,
                         "staffed": 0.0, "shortage": 0.2, "concurrency": math.inf, "overflow": float("nan"),
                         "high_load": False}])
    kpis = {"overflow_customer_hours": math.inf, "peak_concurrency": float("nan"), "custom": 3}
    write_workbook(tmp_path / "r.xlsx", scenario=scenario, roster=roster, report=report, coverage=cov, kpis=kpis)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Coverage"]
    assert ws["G2"].value == "∞" and ws["H2"].value is None


def test_changes_sheet_only_when_changes_given(written):
    assert "Changes" not in openpyxl.load_workbook(written()[0]).sheetnames
    changes = [{"employee_id": "A1", "name": "张三", "date": D0, "before": "E", "after": "L"},
               {"employee_id": "A1", "name": "张三", "date": D0 + dt.timedelta(days=1), "before": "L", "after": ""},
               {"employee_id": "+1", "name": INJECTION_NAME, "date": D0, "before": "N", "after": "E"}]
    ws = openpyxl.load_workbook(written("repair.xlsx", changes=changes)[0])["Changes"]
    assert [c.value for c in ws[1]] == ["employee_id", "name", "date", "before", "after", "message", "call"]
    assert ws.cell(row=2, column=3).is_date
    ids = column_values(ws, 1)
    call = ids.index("Call these people")
    assert ids[call + 2:call + 4] == ["A1", "+1"]  # unique, in order, after a header row
    assert ws.cell(row=call + 3, column=3).value == 2  # dates changed for A1


def test_csv_beside_the_workbook(written, roster, scenario):
    csv_path = written()[1]
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ASSIGNMENT_COLUMNS
    expected = [[r["employee_id"], r["name"], r["date"].isoformat(), r["shift"], r["queue"],
                 f"{r['start']:%Y-%m-%d %H:%M}", f"{r['end']:%Y-%m-%d %H:%M}", f"{r['hours']:g}"]
                for r in roster.rows(names(scenario))]
    # a spreadsheet opening the CSV must not run a formula; a plain number such as "+1" stays as it is
    for row in expected:
        if row[1] == INJECTION_NAME:
            row[1] = "'" + INJECTION_NAME
    assert rows[1:] == expected
    assert ["A1", "张三", "2026-11-10", "E", "pre_sales", "2026-11-10 08:00", "2026-11-10 12:00", "4"] in rows


def test_write_csv_atomic_formats(tmp_path):
    path = tmp_path / "x.csv"
    write_csv_atomic(path, ["a", "b", "c", "d"], [[dt.datetime(2026, 11, 11, 9), dt.date(2026, 11, 11), 2.5, None]])
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["a,b,c,d", "2026-11-11 09:00,2026-11-11,2.5,"]


def test_chinese_labels_leave_assignments_header_alone(written):
    wb = openpyxl.load_workbook(written(lang="zh")[0])
    assert [c.value for c in wb["Assignments"][1]] == ASSIGNMENT_COLUMNS
    assert wb["Summary"]["A1"].value.startswith("排班汇总")
    assert "状态" in column_values(wb["Summary"], 1)
    assert [c.value for c in wb["Roster"][1]][4] == "11-10 周二"
    en = openpyxl.load_workbook(written("en.xlsx")[0])
    assert "status" in column_values(en["Summary"], 1)


def test_summary_report_tiers_kpis_rules(written, scenario):
    ws = openpyxl.load_workbook(written(title_note="after sick call")[0])["Summary"]
    labels = column_values(ws, 1)
    value = {label: ws.cell(row=r, column=2).value for r, label in enumerate(labels, start=1)}
    assert value["status"] == "FEASIBLE"
    assert value["objective (overflow, customer-hours)"] == 0
    assert value["workers"] == 2 and value["seed"] == 7
    assert value["model size: variables"] == 120
    assert "after sick call" in labels
    assert "shortage" in labels and "breaks are whole slots" in labels
    shortage_row = labels.index("shortage") + 1
    assert [ws.cell(row=shortage_row, column=c).value for c in range(2, 7)] == \
        ["agent-hours", "FEASIBLE", 12, 9, 0.25]
    assert "overflow (customer-hours)" in labels and "night shifts per agent, max" in labels
    for rule in type(scenario.config.rules).model_fields:
        assert rule in labels
    assert "python" in labels and "ortools" in labels and "mega-sale-scheduler" in labels


def test_summary_without_report_says_na(written):
    ws = openpyxl.load_workbook(written(report=None)[0])["Summary"]
    labels = column_values(ws, 1)
    assert ws.cell(row=labels.index("status") + 1, column=2).value == "n/a"
    assert ws.cell(row=labels.index("gap") + 1, column=2).value == "n/a"


def test_forecast_sheet_only_with_forecast_steps(written, scenario):
    assert "Forecast" not in openpyxl.load_workbook(written()[0]).sheetnames
    scenario.forecast_steps = [("orders", 80000.0), ("orders to contact", 1600.0), ("source", "plan")]
    rot = [{"date": D0, "queue": "pre_sales", "contacts": 700.0, "agents": 3.5}]
    ws = openpyxl.load_workbook(written("f.xlsx", rule_of_thumb=rot)[0])["Forecast"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 5)] == [80000, 1600, "plan"]
    labels = column_values(ws, 1)
    row = labels.index("date") + 2
    assert [ws.cell(row=row, column=c).value for c in range(2, 6)] == ["pre_sales", 700, 3.5, 1]


def test_failed_save_leaves_existing_files_untouched(written, tmp_path, monkeypatch):
    xlsx, csv_path = tmp_path / "roster.xlsx", tmp_path / "roster_assignments.csv"
    xlsx.write_bytes(b"the published roster")
    csv_path.write_bytes(b"the published csv")

    def broken_save(wb, filename):
        open(filename, "wb").write(b"half a workbook")
        raise OSError("disk full")

    import scheduler.workbook.writer as writer

    monkeypatch.setattr(writer, "save_workbook", broken_save)
    with pytest.raises(OSError, match="disk full"):
        written()
    assert xlsx.read_bytes() == b"the published roster"
    assert csv_path.read_bytes() == b"the published csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.xlsx", "roster_assignments.csv"]


def test_atomic_path(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp != target
            tmp.write_text("new")
            raise RuntimeError("boom")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


def _hand_made(path, rows, header=ASSIGNMENT_COLUMNS, sheet="Assignments"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_read_accepts_text_dates_and_numeric_ids(tmp_path):
    path = _hand_made(tmp_path / "hand.xlsx", [
        [1001, "王五", "2026/11/11", "E", "pre_sales", "2026/11/11 9:00", "2026-11-11 13:00", "4"],
        [],
        [1002.0, "赵六", dt.datetime(2026, 11, 11), "L", "pre_sales",
         dt.datetime(2026, 11, 11, 16), dt.datetime(2026, 11, 12), None],
    ])
    rows = read_assignments(path)
    assert rows == [
        {"employee_id": "1001", "name": "王五", "date": dt.date(2026, 11, 11), "shift": "E", "queue": "pre_sales",
         "start": dt.datetime(2026, 11, 11, 9), "end": dt.datetime(2026, 11, 11, 13), "hours": 4.0},
        {"employee_id": "1002", "name": "赵六", "date": dt.date(2026, 11, 11), "shift": "L", "queue": "pre_sales",
         "start": dt.datetime(2026, 11, 11, 16), "end": dt.datetime(2026, 11, 12), "hours": 8.0},
    ]


def test_read_reports_every_bad_cell_with_row_and_column(tmp_path):
    path = _hand_made(tmp_path / "bad.xlsx", [
        ["A1", "张三", "2026-11-11", "E", "pre_sales", "2026-11-11 08:00", "2026-11-11 12:00", 4],
        ["A1", "张三", "next wednesday", "E", "pre_sales", "2026-11-11 13:00", "2026-11-11 16:00", "three"],
        ["", "李四", "2026-11-11", "E", "pre_sales", "yesterday", "2026-11-11 16:00", 3],
    ])
    with pytest.raises(InputError) as info:
        read_assignments(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(3, "date"), (3, "hours"), (4, "employee_id"), (4, "start")}
    assert all(p.file == "bad.xlsx [Assignments]" for p in info.value.problems)
    assert "row 3, column date" in str(info.value) and "next wednesday" in str(info.value)


def test_read_missing_sheet_or_header(tmp_path):
    with pytest.raises(InputError, match=r"nosheet.xlsx.*Assignments"):
        read_assignments(_hand_made(tmp_path / "nosheet.xlsx", [], sheet="Sheet1"))
    with pytest.raises(InputError, match="missing column 'hours'"):
        read_assignments(_hand_made(tmp_path / "nohours.xlsx", [], header=ASSIGNMENT_COLUMNS[:-1]))
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match="junk.xlsx"):
        read_assignments(tmp_path / "junk.xlsx")


def test_read_never_evaluates_formulas(tmp_path):
    path = _hand_made(tmp_path / "f.xlsx", [
        ["A1", '=HYPERLINK("http://x")', "2026-11-11", "E", "pre_sales", "2026-11-11 08:00", "2026-11-11 12:00", 4],
    ])
    # openpyxl stored the name as a formula without a cached value: it reads back as empty, not run
    assert read_assignments(path)[0]["name"] == ""


def test_unknown_language_is_refused(written):
    with pytest.raises(ValueError, match="lang"):
        written(lang="fr")


def test_absences_travel_in_the_workbook(written, scenario):
    from scheduler.scenario import with_absences
    from scheduler.workbook import read_absences

    paths = written()
    assert read_absences(paths[0]) == scenario.absences
    assert with_absences(scenario, read_absences(paths[0])) is scenario  # nothing new, nothing repeated


def test_chinese_labels_cover_the_notes_steps_tiers_and_units_the_program_writes(scenario_factory):
    """Real notes and steps, made by the code that writes them, so a note added without a
    translation shows up here: add a pattern to labels.NOTE_PATTERNS (or STEP_PATTERNS)."""
    from collections import Counter
    from pathlib import Path

    from scheduler.bound import RELAXED
    from scheduler.diagnose import unavoidable_shortage
    from scheduler.forecast import derive_demand
    from scheduler.lns import LnsStats
    from scheduler.repair import Neighbourhood
    from scheduler.scenario import load_config
    from scheduler.solve import SolveOptions, solve
    from scheduler.workbook.labels import term, translate_note, translate_step

    # nobody may work at night (the only lead cannot), so the diagnosis writes its note too
    tiny = scenario_factory(
        agents=[{"employee_id": "L", "name": "组长", "home_queue": "pre_sales", "is_lead": True, "night_ok": False},
                {"employee_id": "A", "name": "甲", "home_queue": "pre_sales"}],
        demand={"pre_sales": [10.0] * 24}, shifts=[{"code": "N", "start": "00:00", "hours": 8, "night": True},
                                                    {"code": "D", "start": "08:00", "hours": 8}])
    _, report = solve(tiny, SolveOptions(time_limit_s=1, workers=1, seed=0))
    notes = list(report.notes)
    notes += [f"unavoidable: {w}" for w in unavoidable_shortage(tiny)]
    notes += [f"LP bound relaxes: {RELAXED}", "stopped with Ctrl-C: the roster is the best found so far, "
              "not proven optimal"]
    stats = LnsStats(iterations=120, improvements=7, start=1234.5, end=1100.0, seconds=3.5,
                     by_kind=Counter({"days": 5, "agents": 2}))
    notes += [stats.describe("shortage", "agent-hours"), LnsStats(skipped="x").describe("overflow", "customer-hours")]
    moment = dt.datetime(2026, 11, 11, 7)
    for hood in (Neighbourhood(moment, moment + dt.timedelta(days=1), {"A"}), Neighbourhood(moment)):
        notes.append(f"repair from {moment:%Y-%m-%d %H:%M}: {hood.describe(tiny)}; absences: A 11-11 07:00-11-12 00:00")
    assert any(n.startswith("unavoidable") for n in notes)
    for note in notes:
        assert translate_note(note, "zh") != note, f"no Chinese for the note: {note}"
        assert translate_note(note, "en") == note
    for phase in report.phases:
        assert term(phase.name, "zh") != phase.name and term(phase.unit, "zh") != phase.unit
        assert term(phase.status, "zh") != phase.status

    config = load_config(Path(__file__).resolve().parent.parent / "data" / "double11" / "scenario.toml")
    for label, value in derive_demand(config)[1]:
        assert translate_step(label, "zh") != label, f"no Chinese for the forecast step: {label}"
        if isinstance(value, str) and not value.replace("_", "").isalnum():
            assert translate_step(value, "zh") != value, value


def test_a_long_absence_reason_is_shortened_to_fit_the_roster_grid():
    from scheduler.workbook.printing import text_width
    from scheduler.workbook.writer import _short_reason

    assert _short_reason("婚假 (approved before the sale)") == "婚假"  # up to the first bracket
    assert _short_reason("年假（已批）") == "年假"
    assert _short_reason("sick") == "sick"
    for long in ("maternity leave until further notice", "家里有事需要回老家一趟"):
        shown = _short_reason(long)
        assert shown.endswith("…") and long.startswith(shown[:-1]) and text_width(shown) <= 11


@pytest.mark.parametrize("lang, no", [("en", "no"), ("zh", "否")])
def test_options_sheet_says_not_proven_in_a_word(written, lang, no):
    # the Changes sheet's "no (own absence)" is not what an unproven row of the calls table means
    path = written(lang=lang, changes=[], options=[[0, 0.0, 4.0, None, "yes"], [1, 0.0, 2.0, 0.5, "no"]])[0]
    ws = openpyxl.load_workbook(path)["Options"]
    assert [ws.cell(row=r, column=5).value for r in (2, 3)] == ["yes" if lang == "en" else "是", no]


def test_rows_read_the_short_way_are_read_as_the_general_reading_reads_them(monkeypatch):
    import scheduler.workbook.reader as reader_module
    from scheduler.workbook.reader import assignment_rows

    start, end = dt.datetime(2026, 11, 11, 8), dt.datetime(2026, 11, 11, 12)
    good = ["E1", "张三", dt.datetime(2026, 11, 11), "E", "pre_sales", start, end, 4]
    variants = [{}, {1: None}, {1: "  "}, {1: " 张三 "}, {0: " E1 "}, {2: dt.date(2026, 11, 11)},
                {2: dt.datetime(2026, 11, 11, 6)}, {2: "2026-11-11"}, {5: start.replace(microsecond=600_000)},
                {7: 4.5}, {7: None}, {7: "4"}, {0: 7.0}, {5: "2026-11-11 08:00"}]
    header = ("extra", "employee_id", "name", "date", "shift", "queue", "start", "end", "hours")
    rows = [header] + [tuple(["x"] + [v.get(k, good[k]) for k in range(8)]) for v in variants] + [()]  # a blank row: skipped
    bad = [header, ("x", "", "n", "2026-11-11", "E", "q", start, end, -1.0), ("x", "E1"),
           ("x", "E1", "n", 3, "E", "q", start, end, float("nan"))]
    fast = assignment_rows("t", rows)
    with pytest.raises(InputError) as fast_bad:
        assignment_rows("t", bad)
    monkeypatch.setattr(reader_module, "_plain_record", lambda *cells: None)
    assert fast == assignment_rows("t", rows) and [list(r) for r in fast] == [list(r) for r in assignment_rows("t", rows)]
    with pytest.raises(InputError) as general_bad:
        assignment_rows("t", bad)
    assert str(fast_bad.value) == str(general_bad.value)
