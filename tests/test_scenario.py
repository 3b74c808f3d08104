"""Bad input (issue 5): every case gets exit code 2 and a message naming file, row, column and what
was expected, all problems of a run at once; harmless variations (BOM, blank rows, numbers typed as
text, a title row above an Excel header, 是/否) are accepted. Each case runs the real command line
on a small valid scenario built in tmp_path: 1 day, 2 queues, 3 shifts, 4 agents, demand.csv."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.scenario import load_scenario

TOML = """\
name = "tiny"
start = 2026-11-11
days = 1
slot_minutes = 60

[[queues]]
id = "pre_sales"
name = "售前"
contacts_per_agent_hour = 20
session_minutes = 60

[[queues]]
id = "after_sales"
name = "售后"
contacts_per_agent_hour = 20
session_minutes = 60

[[shifts]]
code = "N"
start = "00:00"
hours = 8
night = true

[[shifts]]
code = "D"
start = "08:00"
hours = 8

[[shifts]]
code = "E"
start = "16:00"
hours = 8

[rules]
min_leads_on_duty = 0
high_load_contacts_per_hour = 100000

[[moves]]
dates = [2026-11-11]
from = "after_sales"
to = "pre_sales"

[solver]
time_limit_s = 5
workers = 1
"""

STAFF_HEADER = ["employee_id", "name", "home_queue", "skills", "kind", "efficiency", "is_lead", "night_ok",
                "max_hours_week"]
STAFF_ROWS = [
    ["A1", "李娜", "pre_sales", "pre_sales", "regular", "1.0", "true", "true", ""],
    ["A2", "陈静", "pre_sales", "pre_sales;after_sales", "regular", "1.0", "false", "true", ""],
    ["A3", "王芳", "after_sales", "after_sales", "regular", "0.8", "false", "true", ""],
    ["A4", "周杰", "after_sales", "after_sales;pre_sales", "flex", "0.7", "false", "false", "40"],
]
DEMAND = """\
start,queue,contacts
2026-11-11 09:00,pre_sales,20
2026-11-11 10:00,pre_sales,30
2026-11-11 10:00,after_sales,10
"""
ABSENCES = """\
employee_id,start,end,reason
A3,2026-11-11 16:00,2026-11-12 00:00,病假
"""


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in [header, *rows])


STAFF = csv_text(STAFF_HEADER, STAFF_ROWS)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "scenario"
    d.mkdir()
    (d / "scenario.toml").write_text(TOML, encoding="utf-8")
    (d / "staff.csv").write_text(STAFF, encoding="utf-8")
    (d / "demand.csv").write_text(DEMAND, encoding="utf-8")
    (d / "absences.csv").write_text(ABSENCES, encoding="utf-8")
    return d


def roster_of(folder: Path) -> Path:
    """Where `solve` writes the folder's roster."""
    return folder.parent / "out" / "roster.xlsx"


def solve(folder: Path, capsys) -> tuple[int, str]:
    out = roster_of(folder)
    code = main(["solve", str(folder), "--out", str(out), "--quiet", "--time-limit", "5", "--workers", "1"])
    return code, capsys.readouterr().err


def problem_lines(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def expect_bad(folder: Path, capsys, where: str, *fragments: str) -> str:
    """Exit code 2, and one problem line that starts with `where` (file, row, column) and says all
    `fragments`. Returns the whole stderr."""
    code, err = solve(folder, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in problem_lines(err) if line.startswith(where)]
    assert lines, f"no problem at {where!r} in:\n{err}"
    assert any(all(f in line for f in fragments) for line in lines), f"{fragments} not in:\n{err}"
    return err


def expect_bad_line(err: str, where: str, *fragments: str) -> None:
    assert any(line.startswith(where) and all(f in line for f in fragments) for line in problem_lines(err)), err


def expect_ok(folder: Path, capsys) -> None:
    """The folder solves, and the roster written passes the independent checker."""
    code, err = solve(folder, capsys)
    assert code == 0, err
    assert main(["check", str(roster_of(folder)), "--scenario", str(folder)]) == 0, capsys.readouterr()


def write_staff(folder: Path, rows: list[list[str]] | None = None, header: list[str] | None = None,
                encoding: str = "utf-8") -> None:
    (folder / "staff.csv").write_text(csv_text(header or STAFF_HEADER, rows or STAFF_ROWS), encoding=encoding)


def edit_staff(folder: Path, row: int, column: str, value: str) -> None:
    """Set one cell; `row` is the spreadsheet row (header = 1)."""
    rows = [list(r) for r in STAFF_ROWS]
    rows[row - 2][STAFF_HEADER.index(column)] = value
    write_staff(folder, rows)


# --- the valid scenario -------------------------------------------------------------------------------


def test_the_small_scenario_is_valid_and_solves(folder, capsys):
    expect_ok(folder, capsys)
    sc = load_scenario(folder)
    assert len(sc.agents) == 4 and sc.demand["pre_sales"][10] == 30


# --- columns ------------------------------------------------------------------------------------------


def test_missing_column(folder, capsys):
    header = [h for h in STAFF_HEADER if h != "home_queue"]
    rows = [[v for h, v in zip(STAFF_HEADER, r) if h != "home_queue"] for r in STAFF_ROWS]
    write_staff(folder, rows, header)
    expect_bad(folder, capsys, "staff.csv, row 1, column home_queue:", "missing column 'home_queue'",
               "expected columns: employee_id, name, home_queue")


def test_misspelled_column_suggests_the_right_name(folder, capsys):
    header = ["employe_id" if h == "employee_id" else "efficency" if h == "efficiency" else h for h in STAFF_HEADER]
    write_staff(folder, header=header)
    err = expect_bad(folder, capsys, "staff.csv, row 1, column employe_id:", "missing column 'employee_id'",
                     "did you mean 'employee_id'?")
    expect_bad_line(err, "staff.csv, row 1, column efficency:", "unknown column 'efficency'",
                    "did you mean 'efficiency'?")


def test_misspelled_column_in_demand(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND.replace("contacts", "contact"), encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 1, column contact:", "missing column 'contacts'",
               "did you mean 'contacts'?")


# --- staff rows ---------------------------------------------------------------------------------------


def test_duplicate_employee_ids(folder, capsys):
    edit_staff(folder, 3, "employee_id", "A1")
    expect_bad(folder, capsys, "staff.csv, row 3, column employee_id:", "duplicate employee_id 'A1'",
               "first on row 2")


def test_unknown_queue_in_home_queue(folder, capsys):
    edit_staff(folder, 4, "home_queue", "aftersales")
    expect_bad(folder, capsys, "staff.csv, row 4, column home_queue:", "unknown queue 'aftersales'",
               "did you mean 'after_sales'?", "expected one of pre_sales, after_sales")


def test_unknown_queue_in_skills(folder, capsys):
    edit_staff(folder, 3, "skills", "pre_sales;vip")
    expect_bad(folder, capsys, "staff.csv, row 3, column skills:", "unknown queue 'vip'",
               "expected one of pre_sales, after_sales")


def test_unknown_queue_in_demand(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND + "2026-11-11 11:00,presales,5\n", encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5, column queue:", "unknown queue 'presales'",
               "did you mean 'pre_sales'?")


def test_move_referencing_an_unknown_queue(folder, capsys):
    (folder / "scenario.toml").write_text(TOML.replace('to = "pre_sales"', 'to = "pre-sales"'), encoding="utf-8")
    line = TOML.splitlines().index('to = "pre_sales"') + 1
    expect_bad(folder, capsys, f"scenario.toml: line {line}: [moves #1] to:", "unknown queue 'pre-sales'",
               "did you mean 'pre_sales'?")


def test_skills_without_the_home_queue(folder, capsys):
    edit_staff(folder, 5, "skills", "pre_sales")
    expect_bad(folder, capsys, "staff.csv, row 5, column skills:", "do not include the home_queue 'after_sales'",
               "expected after_sales;pre_sales")


@pytest.mark.parametrize("value", ["0", "-0.5", "2.5"])
def test_efficiency_out_of_range(folder, capsys, value):
    edit_staff(folder, 2, "efficiency", value)
    expect_bad(folder, capsys, "staff.csv, row 2, column efficiency:", "expected a number > 0 and <= 2",
               f"got {value}")


def test_non_numeric_efficiency(folder, capsys):
    edit_staff(folder, 2, "efficiency", "fast")
    expect_bad(folder, capsys, "staff.csv, row 2, column efficiency:", "expected a number > 0 and <= 2",
               "got 'fast'")


def test_numbers_stored_as_text_are_accepted(folder, capsys):
    rows = [list(r) for r in STAFF_ROWS]
    rows[3][STAFF_HEADER.index("max_hours_week")] = " 40 "
    rows[3][STAFF_HEADER.index("efficiency")] = "' 0.7"
    write_staff(folder, rows)
    (folder / "demand.csv").write_text('start,queue,contacts\n2026-11-11 09:00,pre_sales," 1,234.5 "\n'
                                       "2026-11-11 10:00,pre_sales,1 200\n", encoding="utf-8")
    expect_ok(folder, capsys)
    sc = load_scenario(folder)
    assert sc.demand["pre_sales"][9] == 1234.5 and sc.demand["pre_sales"][10] == 1200
    assert sc.agent_by_id["A4"].max_hours_week == 40 and sc.agent_by_id["A4"].efficiency == 0.7


# --- demand -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, said", [("-5", "got -5"), ("lots", "got 'lots'"), ("", "got an empty cell")])
def test_negative_or_non_numeric_contacts(folder, capsys, value, said):
    (folder / "demand.csv").write_text(DEMAND + f"2026-11-11 11:00,pre_sales,{value}\n", encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5, column contacts:", "expected a non-negative number of contacts",
               said)


def test_demand_time_not_on_the_slot_grid(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND + "2026-11-11 11:30,pre_sales,5\n", encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5, column start:", "not on the 60-minute slot grid",
               "expected a slot start such as 2026-11-11 11:00")


def test_demand_date_outside_the_horizon(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND + "2026-11-12 09:00,pre_sales,5\n", encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5, column start:", "outside the horizon",
               "from 2026-11-11 00:00 to 2026-11-11 23:00")


def test_demand_start_that_is_not_a_date(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND + "11-11 9am,pre_sales,5\n", encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5, column start:", "expected a date and time like 2026-11-11 09:00")


def test_move_date_outside_the_horizon(folder, capsys):
    (folder / "scenario.toml").write_text(TOML.replace("dates = [2026-11-11]", "dates = [2026-11-12]"),
                                          encoding="utf-8")
    line = TOML.splitlines().index("dates = [2026-11-11]") + 1
    expect_bad(folder, capsys, f"scenario.toml: line {line}: [moves #1] dates #1:", "outside the horizon",
               "expected a date from 2026-11-11 to 2026-11-11")


# --- absences -----------------------------------------------------------------------------------------


def test_absence_ending_before_it_starts(folder, capsys):
    (folder / "absences.csv").write_text(ABSENCES + "A1,2026-11-11 14:00,2026-11-11 08:00,病假\n", encoding="utf-8")
    expect_bad(folder, capsys, "absences.csv, row 3, column end:", "end 2026-11-11 08:00 is before start "
               "2026-11-11 14:00", "expected an end after the start")


def test_absence_of_an_unknown_employee(folder, capsys):
    (folder / "absences.csv").write_text(ABSENCES + "A9,2026-11-11 14:00,2026-11-11 18:00,病假\n", encoding="utf-8")
    expect_bad(folder, capsys, "absences.csv, row 3, column employee_id:", "unknown employee_id 'A9'",
               "expected an employee_id of the staff list")


def test_absence_of_an_agent_whose_staff_row_is_wrong_is_not_reported_twice(folder, capsys):
    edit_staff(folder, 4, "efficiency", "9")
    err = expect_bad(folder, capsys, "staff.csv, row 4, column efficiency:", "expected a number > 0 and <= 2")
    assert "absences.csv" not in err


# --- encodings, blank rows, Excel ---------------------------------------------------------------------


def test_gbk_encoded_staff_csv_is_explained(folder, capsys):
    write_staff(folder, encoding="gbk")
    expect_bad(folder, capsys, "staff.csv, row 2, column name:", "is not UTF-8", "GBK", "CSV UTF-8")


def test_utf8_bom_is_accepted(folder, capsys):
    (folder / "staff.csv").write_text(STAFF, encoding="utf-8-sig")
    (folder / "demand.csv").write_text(DEMAND, encoding="utf-8-sig")
    (folder / "absences.csv").write_text(ABSENCES, encoding="utf-8-sig")
    expect_ok(folder, capsys)
    assert len(load_scenario(folder).agents) == 4


def test_blank_rows_are_accepted(folder, capsys):
    text = STAFF.splitlines(keepends=True)
    (folder / "staff.csv").write_text("".join([text[0], "\n", text[1], ",,,,,,,,\n", *text[2:], "\n\n"]),
                                      encoding="utf-8")
    (folder / "demand.csv").write_text(DEMAND.replace("\n", "\n,,\n", 1) + "\n", encoding="utf-8")
    expect_ok(folder, capsys)
    assert [a.employee_id for a in load_scenario(folder).agents] == ["A1", "A2", "A3", "A4"]


def test_a_row_number_counts_blank_rows(folder, capsys):
    rows = [list(r) for r in STAFF_ROWS]
    rows.insert(1, [""] * len(STAFF_HEADER))
    rows[2][STAFF_HEADER.index("efficiency")] = "x"  # A2, now on spreadsheet row 4
    write_staff(folder, rows)
    expect_bad(folder, capsys, "staff.csv, row 4, column efficiency:", "got 'x'")


def write_xlsx(folder: Path, rows: list[list]) -> None:
    (folder / "staff.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(folder / "staff.xlsx")


def test_staff_xlsx_with_a_title_row_above_the_header_is_accepted(folder, capsys):
    body = [[float(v) if h in ("efficiency", "max_hours_week") and v else v for h, v in zip(STAFF_HEADER, r)]
            for r in STAFF_ROWS]
    write_xlsx(folder, [["双11 客服排班 人员名单"], [], STAFF_HEADER, *body])
    expect_ok(folder, capsys)
    sc = load_scenario(folder)
    assert sc.agent_by_id["A4"].efficiency == 0.7 and sc.agent_by_id["A4"].max_hours_week == 40


def test_staff_xlsx_with_an_error_cell(folder, capsys):
    body = [list(r) for r in STAFF_ROWS]
    body[1][STAFF_HEADER.index("efficiency")] = "#DIV/0!"
    write_xlsx(folder, [["人员名单"], STAFF_HEADER, *body])
    expect_bad(folder, capsys, "staff.xlsx, row 4, column efficiency:", "Excel error #DIV/0!", "expected a value")


def test_staff_xlsx_that_is_not_a_workbook(folder, capsys):
    (folder / "staff.csv").rename(folder / "staff.xlsx")
    expect_bad(folder, capsys, "staff.xlsx:", "cannot be read as an Excel .xlsx workbook")


# --- scenario.toml ------------------------------------------------------------------------------------


def test_toml_syntax_error_has_line_and_column(folder, capsys):
    (folder / "scenario.toml").write_text(TOML.replace('name = "tiny"', "name = tiny"), encoding="utf-8")
    expect_bad(folder, capsys, "scenario.toml:", "TOML syntax error at line 1, column 8", "name = tiny", "double quotes")


def test_toml_unknown_key_says_which(folder, capsys):
    (folder / "scenario.toml").write_text(TOML.replace("min_leads_on_duty = 0", "min_leads_on_duty = 0\n"
                                                       "max_hour_week = 40"), encoding="utf-8")
    line = TOML.splitlines().index("min_leads_on_duty = 0") + 2
    expect_bad(folder, capsys, f"scenario.toml: line {line}: [rules] max_hour_week:", "unknown key",
               "did you mean 'max_hours_week'?", "expected keys in [rules]: min_rest_hours")


def test_toml_value_out_of_range_in_plain_words(folder, capsys):
    (folder / "scenario.toml").write_text(TOML.replace("days = 1", "days = 0").replace(
        "contacts_per_agent_hour = 20", "contacts_per_agent_hour = -1", 1), encoding="utf-8")
    err = expect_bad(folder, capsys, "scenario.toml: line 3: days:", "expected a whole number >= 1 and <= 62",
                     "got 0")
    expect_bad_line(err, "scenario.toml: line 9: [queues #1] contacts_per_agent_hour:", "expected a number > 0",
                    "got -1")
    assert "Input should be" not in err


# --- booleans -----------------------------------------------------------------------------------------


def test_bool_columns_accept_shi_fou(folder, capsys):
    rows = [list(r) for r in STAFF_ROWS]
    rows[0][STAFF_HEADER.index("is_lead")] = "是"
    rows[3][STAFF_HEADER.index("night_ok")] = "否"
    write_staff(folder, rows)
    expect_ok(folder, capsys)
    sc = load_scenario(folder)
    assert sc.agent_by_id["A1"].is_lead and not sc.agent_by_id["A4"].night_ok


def test_bool_column_rejects_maybe(folder, capsys):
    edit_staff(folder, 3, "night_ok", "maybe")
    expect_bad(folder, capsys, "staff.csv, row 3, column night_ok:", "expected true or false", "是/否",
               "got 'maybe'")


# --- missing things and OS errors ---------------------------------------------------------------------


def test_missing_scenario_folder(tmp_path, capsys):
    missing = tmp_path / "no_such_scenario"
    code = main(["solve", str(missing), "--out", str(tmp_path / "r.xlsx"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{missing}: not found: expected a scenario folder" in err


def test_missing_staff_file(folder, capsys):
    (folder / "staff.csv").unlink()
    expect_bad(folder, capsys, "staff.csv:", "not found in", "expected staff.csv (or staff.xlsx)")


def test_a_folder_where_the_staff_file_should_be(folder, capsys):
    (folder / "staff.csv").unlink()
    (folder / "staff.csv").mkdir()
    expect_bad(folder, capsys, "staff.csv:", "is a folder, not a file")


def test_permission_denied(folder, capsys, monkeypatch):
    real = Path.read_bytes

    def denied(self):
        if self.name == "demand.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    expect_bad(folder, capsys, "demand.csv:", "permission denied")


def test_csv_error_is_a_problem_not_a_traceback(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND + '2026-11-11 11:00,pre_sales,"' + "9" * 200_000 + '"\n',
                                       encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 5:", "cannot be read as CSV")


def test_semicolon_separated_csv_is_explained(folder, capsys):
    (folder / "demand.csv").write_text(DEMAND.replace(",", ";"), encoding="utf-8")
    expect_bad(folder, capsys, "demand.csv, row 1:", "separated by ';'", "expected commas")


# --- all problems in one run --------------------------------------------------------------------------


def test_several_problems_in_one_file_are_all_reported(folder, capsys):
    rows = [list(r) for r in STAFF_ROWS]
    rows[0][STAFF_HEADER.index("efficiency")] = "3"          # row 2
    rows[0][STAFF_HEADER.index("night_ok")] = "maybe"        # row 2, same row
    rows[1][STAFF_HEADER.index("home_queue")] = "vip"        # row 3
    rows[2][STAFF_HEADER.index("employee_id")] = "A1"        # row 4
    rows[3][STAFF_HEADER.index("kind")] = "temp"             # row 5
    write_staff(folder, rows)
    (folder / "demand.csv").write_text(DEMAND + "2026-11-11 11:30,pre_sales,-1\n", encoding="utf-8")
    code, err = solve(folder, capsys)
    assert code == 2
    lines = problem_lines(err)
    for where in ("staff.csv, row 2, column efficiency:", "staff.csv, row 2, column night_ok:",
                  "staff.csv, row 3, column home_queue:", "staff.csv, row 4, column employee_id:",
                  "staff.csv, row 5, column kind:", "demand.csv, row 5, column start:",
                  "demand.csv, row 5, column contacts:",
                  "absences.csv, row 2, column employee_id: unknown employee_id 'A3'"):  # A3's row now says A1
        assert any(line.startswith(where) for line in lines), f"{where} missing in:\n{err}"
    assert "Bad input (8 problems)" in err


def test_load_scenario_raises_input_error_with_every_problem(folder):
    edit_staff(folder, 2, "efficiency", "0")
    (folder / "absences.csv").write_text(ABSENCES + "A9,2026-11-11 14:00,2026-11-11 08:00,\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(folder)
    where = {(p.file, p.row, p.column) for p in info.value.problems}
    assert where == {("staff.csv", 2, "efficiency"), ("absences.csv", 3, "employee_id"), ("absences.csv", 3, "end")}


def test_nothing_is_written_for_bad_input(folder, capsys):
    edit_staff(folder, 2, "efficiency", "0")
    out = folder.parent / "out"
    code, _ = solve(folder, capsys)
    assert code == 2 and not (out.exists() and os.listdir(out))


# --- more rows of the troubleshooting table (docs/troubleshooting.md) ---------------------------------------------


def _toml(old: str, new: str):
    def edit(folder: Path) -> None:
        (folder / "scenario.toml").write_text(TOML.replace(old, new, 1), encoding="utf-8")
    return edit


def _file(name: str, text: str, encoding: str = "utf-8"):
    def edit(folder: Path) -> None:
        (folder / name).write_text(text, encoding=encoding)
    return edit


def _remove(name: str):
    def edit(folder: Path) -> None:
        (folder / name).unlink()
    return edit


MORE = {
    "duplicate queue id": (_toml('id = "after_sales"', 'id = "pre_sales"'), "scenario.toml: line 13: [queues #2] id:",
                           "queue id 'pre_sales' is used twice"),
    "kind": (lambda d: edit_staff(d, 5, "kind", "temp"), "staff.csv, row 5, column kind:",
             "expected regular or flex, got 'temp'"),
    "empty required cell": (lambda d: edit_staff(d, 3, "employee_id", ""), "staff.csv, row 3, column employee_id:",
                            "is empty; expected an employee id"),
    "absence of zero length": (_file("absences.csv", ABSENCES + "A1,2026-11-11,2026-11-11,年假\n"),
                               "absences.csv, row 3, column end:", "is the same as start", "00:00 of the next day"),
    "utf-16": (_file("staff.csv", STAFF, "utf-16"), "staff.csv:", "UTF-16", "CSV UTF-8"),
    "gbk toml": (_file("scenario.toml", TOML, "gbk"), "scenario.toml:", "line 8", "GBK", "UTF-8"),
    "toml key missing": (_toml("contacts_per_agent_hour = 20\n", ""),
                         "scenario.toml: line 6: [queues #1] contacts_per_agent_hour:",
                         "is required but missing; expected a number > 0"),
    "no scenario.toml": (_remove("scenario.toml"), "scenario.toml:", "not found in"),
    "no demand": (_remove("demand.csv"), "demand.csv:", "not found in", "no [forecast]"),
    "empty demand": (_file("demand.csv", ""), "demand.csv, row 1:", "is empty: expected a header row"),
    "too many values": (_file("demand.csv", DEMAND + "2026-11-11 11:00,pre_sales,1,5\n"), "demand.csv, row 5:",
                        "has 4 values but the header has 3 columns"),
    "unclosed quote": (_file("staff.csv", STAFF.replace("李娜", '"李娜')), "staff.csv, row 2, column name:",
                       "runs over several lines", "double quote"),
}


@pytest.mark.parametrize("case", list(MORE))
def test_more_bad_inputs(folder, capsys, case):
    edit, where, *fragments = MORE[case]
    edit(folder)
    expect_bad(folder, capsys, where, *fragments)


# --- requests.csv, locks.csv, --previous (issue 12) ------------------------------------------------------

REQ = "employee_id,date,request,shift,priority,reason\n"
LOCK = "employee_id,date,shift,queue\n"

WEEKLY = {
    "request misspelled": (_file("requests.csv", REQ + "A1,2026-11-11,of,,1,\n"),
                           "requests.csv, row 2, column request:", "unknown request 'of' (did you mean 'off'?)"),
    "request without shift": (_file("requests.csv", REQ + "A2,2026-11-11,shift,,2,\n"),
                              "requests.csv, row 2, column shift:", "is empty; a shift request names the shift"),
    "request unknown shift": (_file("requests.csv", REQ + "A2,2026-11-11,avoid,X,1,\n"),
                              "requests.csv, row 2, column shift:", "unknown shift 'X'; expected one of N, D, E"),
    "request priority": (_file("requests.csv", REQ + "A2,2026-11-11,off,,5,\n"),
                         "requests.csv, row 2, column priority:", "expected 1 (nice to have), 2 or 3 (important), "
                                                                  "got '5'"),
    "request date outside": (_file("requests.csv", REQ + "A2,2026-11-12,off,,1,\n"),
                             "requests.csv, row 2, column date:", "2026-11-12 is outside the horizon"),
    "request unknown employee": (_file("requests.csv", REQ + "A22,2026-11-11,off,,1,\n"),
                                 "requests.csv, row 2, column employee_id:", "unknown employee_id 'A22'"),
    "request off and shift": (_file("requests.csv", REQ + "A2,2026-11-11,off,,1,\nA2,2026-11-11,shift,D,1,\n"),
                              "requests.csv, row 3, column request:", "A2 asks for shift D on 2026-11-11 and for "
                                                                       "that day off (row 2)"),
    "lock night": (_file("locks.csv", LOCK + "A4,2026-11-11,N,\n"), "locks.csv, row 2, column shift:",
                   "the locks alone break the rule night_ok: A4 周杰 may not work night shifts"),
    "lock during absence": (_file("locks.csv", LOCK + "A3,2026-11-11,E,\n"), "locks.csv, row 2, column shift:",
                            "the locks alone break the rule absences: A3 王芳 is absent"),
    "lock queue against a move": (_file("locks.csv", LOCK + "A3,2026-11-11,D,after_sales\n"),
                                  "locks.csv, row 2, column queue:", "must serve pre_sales on 2026-11-11 "
                                                                      "(mandatory move)"),
    "lock queue not in skills": (_file("locks.csv", LOCK + "A1,2026-11-11,D,after_sales\n"),
                                 "locks.csv, row 2, column queue:", "A1 李娜 cannot serve 'after_sales'"),
    "lock twice": (_file("locks.csv", LOCK + "A1,2026-11-11,D,\nA1,2026-11-11,off,\n"),
                   "locks.csv, row 3, column date:", "a second lock for A1 on 2026-11-11 (first on row 2)"),
    "lock unknown shift": (_file("locks.csv", LOCK + "A1,2026-11-11,Z,\n"), "locks.csv, row 2, column shift:",
                           "unknown shift 'Z'; expected off or one of N, D, E"),
}


@pytest.mark.parametrize("case", list(WEEKLY))
def test_bad_requests_and_locks(folder, capsys, case):
    edit, where, *fragments = WEEKLY[case]
    edit(folder)
    expect_bad(folder, capsys, where, *fragments)


def test_previous_roster_that_is_not_before_start(folder, capsys):
    assert solve(folder, capsys)[0] == 0
    code = main(["solve", str(folder), "--previous", str(roster_of(folder)), "--out", str(folder.parent / "b.xlsx"),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    expect_bad_line(err, "roster.xlsx [Assignments], column date:", "start on 2026-11-11",
                    "not before this horizon's start 2026-11-11", "expected --previous to be the roster that ends "
                                                                   "where this one begins")


def test_previous_roster_not_found(folder, capsys):
    code = main(["solve", str(folder), "--previous", str(folder / "nope.xlsx"), "--quiet",
                 "--out", str(folder.parent / "b.xlsx")])
    assert code == 2
    expect_bad_line(capsys.readouterr().err, "--previous", "nope.xlsx: not found")
