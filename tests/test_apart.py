"""Searches apart (SolveParams.apart): with several workers, the shortage tier's first LNS on a
small LNS-only model runs independent searches, each on its own roster, and keeps the best; one
worker replays search i with apart_follow = i (benchmarks/README.md, "Searches apart")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.check import check_roster
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario
from scheduler.solve import SolveOptions, solve
from scheduler.workbook.labels import translate_note

DATA = Path(__file__).resolve().parent.parent / "data"
# LNS alone on every tier (whole_model_max 0), as on the night case (62k options, above 50k variables)
LNS_ONLY = DEFAULT_PARAMS.but(whole_model_max=0, apart_max_options=10**9)
NOTE = re.compile(r"shortage: (\d+) searches apart, each on its own roster: ([\d,.]+) -> (.+) agent-hours; "
                  r"search (\d+) kept")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DATA / "three_queues_30min")


def _apart_note(notes: list[str]) -> str | None:
    return next((n for n in notes if " searches apart, each on its own roster: " in n), None)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_two_workers_run_the_shortage_tier_as_searches_apart_and_keep_the_best(scenario):
    roster, report = solve(scenario, SolveOptions(time_limit_s=4, workers=2, seed=0, tuning=LNS_ONLY))
    assert check_roster(scenario, roster) == []
    note = _apart_note(report.notes)
    assert note is not None
    m = NOTE.fullmatch(note)
    assert m is not None, note
    assert m.group(1) == "2"
    assert translate_note(note, "zh") != note  # the Summary says it in Chinese too
    start, ends = _number(m.group(2)), [_number(v) for v in m.group(3).split(", ")]
    assert len(ends) == 2 and all(e <= start for e in ends)  # a search never returns a worse roster
    assert ends[int(m.group(4)) - 1] == min(ends)  # the best is kept
    shortage = next(p for p in report.phases if p.name == "shortage")
    assert shortage.objective <= min(ends) + 1e-6  # and later tiers never worsen it


def test_searches_apart_only_with_several_workers_and_small_models(scenario):
    _, one = solve(scenario, SolveOptions(time_limit_s=3, workers=1, seed=0, tuning=LNS_ONLY))
    assert _apart_note(one.notes) is None
    _, off = solve(scenario, SolveOptions(time_limit_s=3, workers=2, seed=0, tuning=LNS_ONLY.but(apart=1)))
    assert _apart_note(off.notes) is None
    _, big = solve(scenario, SolveOptions(time_limit_s=3, workers=2, seed=0,
                                          tuning=LNS_ONLY.but(apart_max_options=10)))
    assert _apart_note(big.notes) is None


def test_one_worker_replays_search_i_deterministically(scenario):
    def run(tuning):
        roster, _ = solve(scenario, SolveOptions(time_limit_s=3, workers=1, seed=0, tuning=tuning))
        assert check_roster(scenario, roster) == []
        return sorted(repr(a) for a in roster.assignments)

    assert run(LNS_ONLY.but(apart_follow=0)) == run(LNS_ONLY)  # search 0 is the run's own
    assert run(LNS_ONLY.but(apart_follow=1)) == run(LNS_ONLY.but(apart_follow=1))


@pytest.mark.parametrize("order", ["better second", "better first", "equal"])
def test_searches_apart_keep_the_best_roster_and_never_a_worse_one(scenario, monkeypatch, order):
    # the searches' rosters are given (improve stubbed): the one lowest in the tier's goal is kept,
    # none when no search beat the roster at hand
    import scheduler.solve as solve_module

    seen: dict[str, list[list[int]]] = {}
    real = solve_module.improve

    def fake(rm, goal, solution, *args, seed, **kwargs):
        if not kwargs.get("deterministic") or kwargs.get("workers") != 1 or goal[0][0].name != "shortage":
            return real(rm, goal, solution, *args, seed=seed, **kwargs)
        found, stats = real(rm, goal, solution, 0.5, seed=seed, **{**kwargs, "until": None})
        runs = seen.setdefault("runs", [])
        runs.append(found)
        if order == "equal":
            return list(solution), stats
        # the first search's roster is the better one unless "better second": swap them by seed
        first = (seed // 10) % 2 == 0
        return (found if first == (order == "better first") else list(solution)), stats

    monkeypatch.setattr(solve_module, "improve", fake)
    roster, report = solve(scenario, SolveOptions(time_limit_s=4, workers=2, seed=0, tuning=LNS_ONLY))
    assert check_roster(scenario, roster) == []
    note = _apart_note(report.notes)
    assert note is not None
    if order == "equal":
        assert note.endswith("none better than the start")
    else:
        assert note.endswith(f"search {1 if order == 'better first' else 2} kept"), note
    assert translate_note(note, "zh") != note
