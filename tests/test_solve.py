"""Solving: same input and seed give the same roster; Ctrl-C and kills never lose a workbook."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from scheduler.check import check_roster
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve

DATA = Path(__file__).resolve().parent.parent / "data"


def test_one_worker_and_a_seed_give_the_same_roster_twice():
    scenario = load_scenario(DATA / "three_queues_30min")
    first, r1 = solve(scenario, SolveOptions(time_limit_s=4, workers=1, seed=7))
    second, r2 = solve(scenario, SolveOptions(time_limit_s=4, workers=1, seed=7))
    assert first == second
    assert check_roster(scenario, first) == []
    assert [(p.name, p.objective) for p in r1.phases] == [(p.name, p.objective) for p in r2.phases]


def test_ctrl_c_writes_the_best_roster_so_far_marked_not_optimal(tmp_path):
    out = tmp_path / "roster.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "solve", str(DATA / "double11"), "--out", str(out),
                             "--time-limit", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait for the first roster of the first tier, then press Ctrl-C
    deadline = time.monotonic() + 100
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "overflow:" in line:
            break
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, seen + stderr
    assert out.exists()
    import openpyxl

    summary = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Summary"].iter_rows() for c in row
                       if c.value is not None)
    assert "Ctrl-C" in summary and "FEASIBLE" in summary


def test_a_run_killed_while_writing_leaves_the_old_workbook_intact(tmp_path):
    out = tmp_path / "roster.xlsx"
    out.write_bytes(b"the roster HR imported yesterday")
    script = textwrap.dedent(f"""
        import os, signal
        import scheduler.workbook.writer as writer
        real_save = writer.save_workbook
        def save_then_die(wb, filename):
            real_save(wb, filename)              # the temporary file is complete on disk ...
            with open(filename, "r+b") as f:     # ... half of it is overwritten, then the power goes
                f.truncate(100)
            os.kill(os.getpid(), signal.SIGKILL)
        writer.save_workbook = save_then_die
        from scheduler.cli import main
        main(["solve", {str(DATA / "three_queues_30min")!r}, "--out", {str(out)!r}, "--time-limit", "3", "--quiet"])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert out.read_bytes() == b"the roster HR imported yesterday"


def test_a_tier_that_ends_without_improving_still_caps_its_value(monkeypatch):
    # the shortage tier runs out of time before it reports anything: the cost tiers after it must
    # still not trade shortage for fewer hours (SPEC 4: service is never traded for cost)
    from ortools.sat.python import cp_model

    import scheduler.solve as solve_module
    from tests.conftest import make_scenario

    agent = lambda i: {"employee_id": i, "name": i, "home_queue": "pre_sales", "is_lead": True}
    sc = make_scenario(agents=[agent("a"), agent("b")], demand={"pre_sales": [0] * 8 + [20] * 4},
                       queues=[{"id": "pre_sales", "contacts_per_agent_hour": 10, "session_minutes": 300}])
    before, _ = solve(sc, SolveOptions(time_limit_s=3, workers=1))
    assert check_roster(sc, before) == []
    calls, real = [0], solve_module._search

    def shortage_tier_times_out(solver, model, cb, interrupt, stall_s=None):
        calls[0] += 1
        if calls[0] == 2:  # the search runs out of time before it reports anything
            solver.parameters.max_time_in_seconds = 0.0
            real(solver, model, None, interrupt)
            return cp_model.UNKNOWN
        return real(solver, model, cb, interrupt, stall_s)

    monkeypatch.setattr(solve_module, "_search", shortage_tier_times_out)
    roster, report = solve(sc, SolveOptions(time_limit_s=3, workers=1))
    shortage = next(p for p in report.phases if p.name == "shortage")
    # CP-SAT said UNKNOWN, but the roster kept has no shortage at all: nothing can beat 0
    assert (shortage.objective, shortage.status) == (0.0, "OPTIMAL")
    assert len(roster.assignments) == len(before.assignments) == 2  # nobody sent home to save hours
    assert check_roster(sc, roster) == []
