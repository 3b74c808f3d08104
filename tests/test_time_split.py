"""Where a solve's time goes on the 60-minute cases (issue 15 item 3): an LNS that stops gaining
ends early (`lns.Stall`), the shortage tier that keeps gaining takes some of the later tiers' time
(`far_share`), and the kinds of part are drawn by what their last parts gained (a window,
`rate_memory`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve
from tests.conftest import greedy_values, roster_of

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DATA / "three_queues_30min")


def test_recent_gain_reads_the_window_before_now():
    trail = [(0.0, 100), (5.0, 90), (12.0, 89)]
    assert lns.recent_gain(trail, 8.0, 10.0) is None  # not a whole window yet
    assert lns.recent_gain(trail, 15.0, 10.0) == pytest.approx(1 / 89)  # 90 at 5 s -> 89
    assert lns.recent_gain(trail, 30.0, 10.0) == 0.0
    stall = lns.Stall(10.0, 0.02, trail)
    assert stall.over(15.0) and not stall.over(8.0)
    assert not lns.Stall(10.0, 0.005, trail).over(15.0)


def test_a_kinds_rate_is_its_last_parts_not_its_first(scenario):
    # gains fall a hundredfold over a tier: a kind whose last rate_memory parts gained nothing has
    # rate 0, however much its first parts gained (a moving average kept drawing it)
    params = DEFAULT_PARAMS.but(rate_window=True)
    hoods = lns.Neighbourhoods(RosterModel(scenario, Grid(scenario)), seed=0, params=params)
    for _ in range(DEFAULT_PARAMS.warm_up):
        hoods.adapt("days", True, gain=1e6, seconds=0.1)
        hoods.adapt("agents", True, gain=1.0, seconds=0.1)
        hoods.adapt("slot", True, gain=1.0, seconds=0.1)
    for _ in range(DEFAULT_PARAMS.rate_memory):
        hoods.adapt("days", True, gain=0, seconds=0.1)
    assert hoods.rate["days"] == 0.0 and hoods.rate["agents"] == pytest.approx(10.0)
    w = dict(zip(lns.KINDS, hoods.weights(lns.KINDS)))
    assert w["days"] == pytest.approx(DEFAULT_PARAMS.min_share / (1 + DEFAULT_PARAMS.min_share))


def test_an_lns_that_stops_gaining_ends_before_its_budget(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    goal = [(overflow, shortage.upper + 1), (shortage, 1)]

    def run(stall):
        return lns.improve(rm, goal, start, 3.0, workers=1, seed=0, deterministic=True, stop=lambda: False,
                           search=lambda s, m: s.solve(m), stall=stall)

    # a gain no part can reach: the search ends once a window has passed
    result, stats = run(lns.Stall(0.5, 10.0, [(0.0, overflow.value(start))]))
    assert stats.stalled and 0.5 <= stats.charged_s < 3.0 - 0.2
    note = stats.describe("overflow", "customer-hours")
    assert "ended early" in note
    from scheduler.workbook.labels import translate_note
    assert translate_note(note, "zh") != note  # the Summary says it in Chinese too
    assert lns.parts_of(rm).violations(np.asarray(result)) == []
    _, whole = run(None)
    assert not whole.stalled and whole.charged_s >= 3.0 - 0.2


def test_the_shortage_tier_that_keeps_gaining_takes_some_of_the_later_tiers_time(scenario):
    # LNS alone on every tier (whole_model_max 0), as on the large cases
    base = DEFAULT_PARAMS.but(whole_model_max=0)
    tuned = base.but(far_share=1.0, far_gain=0.0, far_window=0.5)
    runs = {}
    for name, tuning in (("base", base), ("tuned", tuned)):
        roster, report = solve(scenario, SolveOptions(time_limit_s=3, workers=1, seed=0, tuning=tuning))
        assert check_roster(scenario, roster) == []
        runs[name] = report.notes
    assert not any("ended early" in n or "from the later tiers' time" in n for n in runs["base"])
    assert any(n.startswith("shortage gained") and "from the later tiers' time" in n for n in runs["tuned"])
    from scheduler.workbook.labels import translate_note
    for n in runs["tuned"]:
        if "ended early" in n or "from the later tiers' time" in n:
            assert translate_note(n, "zh") != n  # the Summary says it in Chinese too


def test_roster_of_a_stalled_search_keeps_every_rule(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    shortage = rm.tiers[1]
    result, stats = lns.improve(rm, [(shortage, 1)], start, 1.0, workers=1, seed=1, deterministic=True,
                                stop=lambda: False, search=lambda s, m: s.solve(m),
                                stall=lns.Stall(0.3, 10.0, [(0.0, shortage.value(start))]))
    assert stats.stalled  # the roster checked is the one a stalled search hands on
    roster = roster_of(rm, result)
    assert check_roster(scenario, roster) == []


def test_the_trace_reader_reads_every_part_the_debug_lines_print(scenario, monkeypatch, capsys, tmp_path):
    from benchmarks.lns_trace import read, report
    rm = RosterModel(scenario, Grid(scenario))
    start = greedy_values(rm)
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    monkeypatch.setattr(lns, "DEBUG", True)
    _, stats = lns.improve(rm, [(overflow, shortage.upper + 1), (shortage, 1)], start, 1.0, workers=1, seed=7,
                           deterministic=True, stop=lambda: False, search=lambda s, m: s.solve(m))
    trace = tmp_path / "trace.txt"
    trace.write_text(capsys.readouterr().err, encoding="utf-8")
    phases = read(str(trace))
    assert list(phases) == [("overflow", 7)] and len(phases[("overflow", 7)]) == stats.iterations >= 1
    assert phases[("overflow", 7)][-1]["spent"] == pytest.approx(stats.charged_s, abs=1e-2)
    assert report(phases)[0].startswith(f"overflow (seed 7): {stats.iterations} parts")
