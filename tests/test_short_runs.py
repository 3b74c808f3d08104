"""Short runs with several workers (the demo at --time-limit 10): a whole-model search that finds
nothing stops after its stall window, so LNS after it gets time."""

from __future__ import annotations

import time

from scheduler.params import DEFAULT_PARAMS
from scheduler.stop import Stalled


def test_a_search_without_a_solution_is_stalled_after_its_window_once_its_start_is_known():
    assert not Stalled(window_s=0.5, min_gain=0.01)([])  # no start given: as before, never
    assert not Stalled(window_s=60, min_gain=0.01, started=time.monotonic())([])
    assert Stalled(window_s=0.5, min_gain=0.01, started=time.monotonic() - 1.0)([])
    now = time.monotonic()
    # with solutions, the start does not matter: the gain in the window does
    assert not Stalled(window_s=0.5, min_gain=0.01, started=now - 10)([(now - 0.1, 100.0)])


def test_short_tiers_give_lns_its_least_time_first():
    assert DEFAULT_PARAMS.lns_first_min_s >= 0.5  # LNS's least time (TierSearch.least)
    assert DEFAULT_PARAMS.lp_start_min_s > 10  # a 10-s run keeps its time for the search
