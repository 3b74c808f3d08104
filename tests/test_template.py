"""`scheduler init`: a new user's first scenario, from the empty template to a solved roster."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.scenario import load_scenario
from scheduler.scenario.template import STAFF_COLUMNS, init_folder, scenario_toml, template_start

# six agents written over the example row, in its format (是/否, ;-separated skills)
AGENTS = [
    ["E001", "王芳", "pre_sales", "pre_sales;after_sales", "regular", 1.0, "是", "是", None],
    ["E002", "李娜", "pre_sales", "pre_sales", "regular", 1.0, "否", "是", None],
    ["E003", "张敏", "pre_sales", "pre_sales", "regular", 1.0, "否", "否", 40],
    ["E004", "刘洋", "after_sales", "after_sales;pre_sales", "regular", 1.0, "是", "是", None],
    ["E005", "陈静", "after_sales", "after_sales", "regular", 1.0, "否", "是", None],
    ["E006", "杨磊", "after_sales", "after_sales", "flex", 0.7, "否", "是", None],
]


def fill_in(folder: Path) -> None:
    """What a user does with the template: agents over the example row, the plan uncommented."""
    wb = openpyxl.load_workbook(folder / "staff.xlsx")
    ws = wb.worksheets[0]
    for r, agent in enumerate(AGENTS, start=2):
        for c, value in enumerate(agent, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(folder / "staff.xlsx")
    toml = folder / "scenario.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "# [forecast]")
    for i in range(at, len(lines)):
        if not lines[i].startswith("# "):
            break
        lines[i] = lines[i][2:]
    text = "\n".join(lines) + "\n"
    # a small shop over three days keeps the test's solve short
    text = text.replace("sales_target = 12000000", "sales_target = 300000").replace("days = 7 ", "days = 3 ")
    toml.write_text(text, encoding="utf-8")


def test_init_writes_every_file_of_a_scenario_folder(tmp_path, capsys):
    folder = tmp_path / "myshop"
    assert main(["init", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["absences.csv", "locks.csv", "requests.csv",
                                                        "scenario.toml", "staff.xlsx"]
    assert (folder / "requests.csv").read_text(encoding="utf-8") == "employee_id,date,request,shift,priority,reason\n"
    assert (folder / "locks.csv").read_text(encoding="utf-8") == "employee_id,date,shift,queue\n"
    assert (folder / "absences.csv").read_text(encoding="utf-8") == "employee_id,start,end,reason\n"
    assert f"scheduler solve {folder}" in capsys.readouterr().out


def test_every_key_of_the_template_toml_has_a_chinese_and_english_comment():
    text = scenario_toml(dt.date(2026, 11, 9))
    tomllib.loads(text)  # valid TOML as written
    for line in text.splitlines():
        code = line.lstrip("# ")
        if re.match(r"^[a-z_]+ = ", code):
            comment = code.split("#", 1)[1] if "#" in code else ""
            assert re.search(r"[\u4e00-\u9fff]", comment) and re.search(r"[a-z]{3}", comment), line
    # the commented-out plan, once uncommented, is a valid [forecast] table
    plan = "\n".join(line[2:] for line in text.splitlines() if line.startswith("# ") and " = " in line
                     and text.index("# [forecast]") < text.index(line))
    assert set(tomllib.loads(plan)) >= {"sales_target", "avg_order_value", "refund_rate", "sale_day"}


def test_template_starts_on_the_next_monday():
    assert template_start(dt.date(2026, 11, 29)) == dt.date(2026, 11, 30)  # a Sunday
    assert template_start(dt.date(2026, 11, 30)) == dt.date(2026, 12, 7)  # a Monday: the next one


def test_staff_xlsx_has_drop_down_lists_and_an_example_row(tmp_path):
    init_folder(tmp_path / "s")
    wb = openpyxl.load_workbook(tmp_path / "s" / "staff.xlsx")
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c[0] for c in STAFF_COLUMNS]
    assert all(c.comment is not None for c in ws[1])  # every column explained where it is typed
    assert ws["A2"].value == "E001" and ws["G2"].value in ("是", "否")
    lists = {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}
    assert set(lists) == set("CDEFGHI")
    values = {letter: [c.value for c in wb["lists"][letter][1:] if c.value] for letter in "ABCD"}
    assert values["A"] == ["pre_sales", "after_sales"]  # the queues of scenario.toml
    assert values["C"] == ["regular", "flex"] and values["D"] == ["是", "否"]
    assert lists["C"].formula1 == "lists!$A$2:$A$3" and lists["G"].formula1 == lists["H"].formula1 == "lists!$D$2:$D$3"
    assert lists["E"].formula1 == "lists!$C$2:$C$3"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "staff.csv").write_text("mine\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (folder / "staff.csv").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in folder.iterdir()) == ["staff.csv"]
    # an empty folder is fine
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0


def test_the_untouched_template_says_what_is_missing(tmp_path, capsys):
    folder = tmp_path / "new"
    init_folder(folder)
    assert main(["solve", str(folder), "--quiet", "--out", str(tmp_path / "r.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "staff.xlsx, row 2, column employee_id: is the template's example row (E001" in err
    assert "demand.csv: not found" in err and "[forecast]" in err
    assert not (tmp_path / "r.xlsx").exists()


def test_the_filled_in_template_solves_and_the_roster_passes_check(tmp_path, capsys):
    folder = tmp_path / "shop"
    init_folder(folder)
    fill_in(folder)
    scenario = load_scenario(folder)  # header-only absences, requests and locks are fine
    assert len(scenario.agents) == 6 and scenario.demand_source == "forecast"
    out = tmp_path / "roster.xlsx"
    assert main(["solve", str(folder), "--out", str(out), "--time-limit", "1", "--workers", "1", "--quiet",
                 "--no-bound"]) == 0
    assert main(["check", str(out), "--scenario", str(folder)]) == 0


@pytest.mark.parametrize("name", ["requests.csv", "locks.csv"])
def test_header_only_requests_and_locks_do_not_stop_a_solve(tmp_path, name):
    """Coordination test: a header-only requests.csv or locks.csv (what `init` writes) is no
    input problem, whether or not the loader reads those files."""
    folder = tmp_path / "shop"
    init_folder(folder)
    fill_in(folder)
    for other in ("requests.csv", "locks.csv"):
        if other != name:
            (folder / other).unlink()
    load_scenario(folder)
