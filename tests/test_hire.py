"""`scheduler hire` (SPEC section 9) on scenarios whose answer can be counted by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.app import solve_scenario
from scheduler.check import check_rows
from scheduler.cli import main
from scheduler.hire import HireTemplate, hire_workbook
from scheduler.scenario import load_scenario
from scheduler.workbook import read_assignments

TOML = """name = "tiny-hire"
start = 2026-11-11
days = 1
slot_minutes = 60

[[queues]]
id = "pre_sales"
contacts_per_agent_hour = 10
session_minutes = 60

[[shifts]]
code = "D"
start = "08:00"
hours = 4

[rules]
max_continuous_hours = 4
high_load_contacts_per_hour = 10000

[solver]
time_limit_s = 5
workers = 1
"""


def one_short_folder(root: Path, peak: int = 20) -> Path:
    """One lead covers 08-12 alone; 08-11 need one agent (10 contacts at 10 per agent-hour), 11-12
    needs peak/10: with peak 20, exactly one agent short in one hour, 5 required agent-hours."""
    folder = root / "tiny"
    folder.mkdir()
    (folder / "scenario.toml").write_text(TOML, encoding="utf-8")
    (folder / "staff.csv").write_text("employee_id,name,home_queue,kind,is_lead\nE1,Lead One,pre_sales,regular,true\n",
                                      encoding="utf-8")
    (folder / "demand.csv").write_text("start,queue,contacts\n" + "".join(
        f"2026-11-11 {h:02d}:00,pre_sales,{c}\n" for h, c in ((8, 10), (9, 10), (10, 10), (11, peak))),
        encoding="utf-8")
    return folder


def test_one_agent_short_in_one_hour_hires_exactly_one(tmp_path):
    folder = one_short_folder(tmp_path)
    out = tmp_path / "out" / "hires.xlsx"
    result, files = hire_workbook(folder, out, template=HireTemplate("flex", 1.0), workers=1, progress=False)
    assert result.count == 1 and result.lower_bound == 1 and result.proven
    assert [h.employee_id for h in result.hires] == ["TEMP-01"]
    assert result.kpis["shortage_agent_hours"] <= result.target_shortage
    staff = out.parent / "staff_with_hires.csv"
    assert staff in files and "TEMP-01" in staff.read_text(encoding="utf-8-sig")
    # the plan is a scenario like any other: the roster passes the checker with the hires' staff list ...
    planned = tmp_path / "planned"
    shutil.copytree(folder, planned)
    shutil.copy(staff, planned / "staff.csv")
    assert check_rows(load_scenario(planned), read_assignments(out)) == []
    # ... and a solve of it meets the target
    again = solve_scenario(planned, tmp_path / "again.xlsx", workers=1, progress=False, bound=False)
    assert again.kpis["shortage_agent_hours"] <= result.target_shortage + 1e-9
    assert again.kpis["overflow_customer_hours"] == 0


def test_slower_hires_need_two_and_the_lp_proves_one_is_not_enough(tmp_path):
    # at efficiency 0.7 one hire leaves 0.3 agent-hours short (target 0.1): two are needed
    result, _ = hire_workbook(one_short_folder(tmp_path), tmp_path / "h.xlsx", template=HireTemplate("flex", 0.7),
                              workers=1, progress=False)
    assert (result.count, result.lower_bound) == (2, 2)
    assert any(a.how == "LP bound" and a.hires == 1 and a.verdict.startswith("not enough") for a in result.attempts)


def test_no_hire_when_the_staff_cover_the_demand(tmp_path):
    result, _ = hire_workbook(one_short_folder(tmp_path, peak=10), tmp_path / "h.xlsx", workers=1, progress=False)
    assert result.count == 0 and result.proven


def test_hire_cli_writes_the_hires_sheet_and_bad_options_exit_2(tmp_path, capsys):
    import openpyxl

    folder = one_short_folder(tmp_path)
    out = tmp_path / "cli" / "hires.xlsx"
    assert main(["hire", str(folder), "--efficiency", "1", "--out", str(out), "--quiet", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "1 flex agent(s)" in text and "rule of thumb" in text
    ws = openpyxl.load_workbook(out)["Hires"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "TEMP-01" in values and "hires by the rule of thumb" in values
    assert main(["hire", str(folder), "--efficiency", "3", "--target-shortage", "-1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--efficiency" in err and "--target-shortage" in err


@pytest.mark.parametrize("kind", ["regular"])
def test_the_kind_must_be_allowed_on_some_shift(tmp_path, kind):
    folder = one_short_folder(tmp_path)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    toml = toml.replace('hours = 4\n', 'hours = 4\nkinds = ["flex"]\n')
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    assert main(["hire", str(folder), "--kind", kind, "--out", str(tmp_path / "x.xlsx")]) == 2


def test_hires_limited_to_some_shifts_work_only_those(tmp_path, capsys):
    folder = one_short_folder(tmp_path)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    # E covers 08-12 like D; with --shifts E the hire must work E
    shift_e = '[[shifts]]\ncode = "E"\nstart = "08:00"\nhours = 4\n\n[rules]'
    (folder / "scenario.toml").write_text(toml.replace('[rules]', shift_e), encoding="utf-8")
    result, _ = hire_workbook(folder, tmp_path / "h.xlsx", template=HireTemplate("flex", 1.0, ("E",)), workers=1,
                              progress=False)
    assert result.count == 1 and {a.shift for a in result.roster.assignments if a.employee_id == "TEMP-01"} == {"E"}
    assert main(["hire", str(folder), "--shifts", "X,e", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "unknown shift code 'X'" in capsys.readouterr().err


def test_when_no_hire_can_remove_overflow_its_least_value_is_the_target(tmp_path):
    folder = one_short_folder(tmp_path)
    # 13:00 is outside every shift: 10 customers-hours of overflow and 1 agent-hour short whatever
    # the staff; 20 % of the 6 required agent-hours (1.2) leaves room for that hour only
    with open(folder / "demand.csv", "a", encoding="utf-8") as f:
        f.write("2026-11-11 13:00,pre_sales,10\n")
    result, _ = hire_workbook(folder, tmp_path / "h.xlsx", template=HireTemplate("flex", 1.0), target_pct=20,
                              max_hires=3, workers=1, progress=False)
    assert result.overflow_target == pytest.approx(10.0) and "least a solve with 3 hires" in result.overflow_note
    assert (result.count, result.lower_bound) == (1, 1)
