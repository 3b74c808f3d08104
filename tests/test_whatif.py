"""`scheduler whatif` (SPEC section 10): the grid of variants, bad input, Compare, Ray."""

from __future__ import annotations

import openpyxl
import pytest

from scheduler.check import check_roster
from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve
from scheduler.variant import Job, toml_dumps
from scheduler.whatif import parse_scales, parse_sets, plan_variants, read_folder, run_whatif
from tests.test_hire import one_short_folder


def test_bad_keys_values_and_factors_exit_2_with_every_problem(tmp_path, capsys):
    folder = one_short_folder(tmp_path)
    code = main(["whatif", str(folder), "--scale", "0,-1,x", "--set", "rules.max_contnuous_hours=2",
                 "--set", "rules.max_night_shifts=1.5", "--set", "days=", "--set", "queues=1", "--no-ray"])
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'rules.max_continuous_hours'" in err and "rules.min_rest_hours" in err  # the valid keys
    assert "rules.max_night_shifts=1.5" in err and "days: empty value" in err and "unknown key 'queues'" in err
    assert err.count("--scale") == 3


def test_parsers():
    assert parse_scales("0.8, 1.2,1.2") == [0.8, 1.2]
    assert parse_sets(["rules.max_continuous_high_load_hours=1,2", "start=2026-11-12"]) == [
        ("rules.max_continuous_high_load_hours", [1, 2]), ("start", [__import__("datetime").date(2026, 11, 12)])]
    with pytest.raises(InputError):
        parse_scales(",")
    with pytest.raises(InputError):
        parse_sets(["rules.max_hours_week=0"])  # out of the key's range
    assert len(plan_variants(["a", "b"], [1.0, 1.5], [("days", [1, 2]), ("seed", [0])])) == 8


def test_toml_writer_reads_back_as_written():
    import datetime as dt
    import tomllib

    data = {"name": "双11 \"demo\"", "start": dt.date(2026, 11, 9), "days": 7, "x": 0.1, "flag": True,
            "queues": [{"id": "a", "w": [1.0, 2]}, {"id": "b"}], "rules": {"k": 1}, "forecast": {"s": {"a": 1.5}}}
    assert tomllib.loads(toml_dumps(data)) == data


def _alone(folder, scale: float, high_load_hours: int) -> tuple[float, float, str]:
    """The variant solved by itself, as a user would: one worker, the scenario's seed."""
    sc = load_scenario(folder)
    sc = sc.model_copy(update={
        "config": sc.config.model_copy(update={"rules": sc.config.rules.model_copy(
            update={"max_continuous_hours": high_load_hours})}),
        "demand": {q: [c * scale for c in v] for q, v in sc.demand.items()}})
    roster, report = solve(sc, SolveOptions(time_limit_s=5, workers=1, seed=0))
    assert check_roster(sc, roster) == []
    k = summary_kpis(sc, Grid(sc), roster)
    return round(k["overflow_customer_hours"], 2), round(k["shortage_agent_hours"], 2), report.status


def _compare_rows(path):
    ws = openpyxl.load_workbook(path)["Compare"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_one_by_one_an_invalid_variant_is_named_and_the_others_solve(tmp_path):
    folder = one_short_folder(tmp_path)
    out = tmp_path / "w" / "whatif.xlsx"
    run = run_whatif([str(folder)], scales=[1.0], sets=[("start", [__import__("datetime").date(2026, 11, 11),
                                                                    __import__("datetime").date(2026, 11, 12)])],
                     out=out, use_ray=False, time_limit_s=5)
    rows = _compare_rows(out)
    # a solved variant: OPTIMAL only where proven for every legal roster (the hours tiers rarely are)
    assert rows[0]["status"] in ("OPTIMAL", "FEASIBLE") and rows[1]["status"].split(":")[0] == "invalid"
    assert "demand.csv" in rows[1]["status"] and "outside the horizon" in rows[1]["status"]
    assert (out.parent / rows[0]["workbook"]).is_file() and not rows[1]["workbook"]
    assert run.outcomes[0].shortage == pytest.approx(1.0)
    assert openpyxl.load_workbook(out)["Compare"]._charts


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


def test_on_ray_every_variant_matches_its_solve_alone_and_a_failure_stops_nothing(local_ray, tmp_path):
    from scheduler.cluster import run_on_ray

    folder = one_short_folder(tmp_path)
    out = tmp_path / "ray" / "whatif.xlsx"
    seen = []
    run = run_whatif([str(folder)], scales=[1.0, 1.5], sets=[("rules.max_continuous_hours", [2, 4])], out=out,
                     time_limit_s=5, say=seen.append, use_ray=True)
    assert run.on_ray and len(run.outcomes) == 4
    assert sum(line.startswith("[") for line in seen) == 4  # a progress line per finished variant
    rows = _compare_rows(out)
    for row in rows:
        expected = _alone(folder, row["scale"], row["rules.max_continuous_hours"])
        assert (row["overflow (customer-hours)"], row["shortage (agent-hours)"], row["status"]) == expected
    # a task that raises (here: no files at all) is its row; the others still come back
    good, broken = plan_variants([str(folder)], [1.0, 2.0], [])
    outcomes = run_on_ray([Job(good, read_folder(folder), time_limit_s=5), Job(broken, None, time_limit_s=5)])
    assert outcomes[0].status in ("OPTIMAL", "FEASIBLE")  # OPTIMAL only where proven for every legal roster
    assert outcomes[1].status.startswith("failed: ") and "NoneType" in outcomes[1].status


def test_ray_is_not_imported_on_the_solve_path():
    import subprocess
    import sys

    code = ("import sys, scheduler.cli, scheduler.app, scheduler.solve, scheduler.hire, scheduler.whatif; "
            "assert 'ray' not in sys.modules, 'ray imported'")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_whatif_hire_reports_each_variants_hires(tmp_path):
    from scheduler.hire import HireTemplate

    folder = one_short_folder(tmp_path)
    out = tmp_path / "h" / "whatif.xlsx"
    run = run_whatif([str(folder)], scales=[1.0, 0.5], sets=[], out=out, use_ray=False, time_limit_s=5,
                     hire={"template": HireTemplate("flex", 1.0), "target_pct": 2.0, "max_hires": 3})
    rows = _compare_rows(out)
    # x1: one agent short in one hour -> one hire; x0.5: the lead covers everything -> none
    assert [(r["scale"], r["hires"], r["hires at least"]) for r in rows] == [(1.0, 1, 1), (0.5, 0, 0)]
    assert (run.folder / (rows[0]["workbook"].split("/")[-1].replace(".xlsx", "_staff_with_hires.csv"))).is_file()
    assert "Hires" in openpyxl.load_workbook(out.parent / rows[0]["workbook"]).sheetnames


def test_ctrl_c_says_what_was_written_and_exits_130(tmp_path, monkeypatch, capsys):
    import scheduler.whatif as whatif

    def first_then_ctrl_c(jobs, *, on_done, **_kw):
        on_done(run_variant(jobs[0]), 1, len(jobs))
        raise KeyboardInterrupt

    from scheduler.variant import run_variant

    monkeypatch.setattr(whatif, "run_variants", first_then_ctrl_c)
    folder = one_short_folder(tmp_path)
    out = tmp_path / "w" / "whatif.xlsx"
    code = main(["whatif", str(folder), "--scale", "1,1.5", "--time-limit", "3", "--out", str(out), "--no-ray"])
    err = capsys.readouterr().err
    assert code == 130
    assert f"{out} lists the 1 variant(s) finished so far" in err and "nothing was written" not in err
    rows = _compare_rows(out)
    assert rows[1]["status"].startswith("failed") and "stopped by the user" in rows[1]["status"]
    assert (out.parent / rows[0]["workbook"]).is_file()
