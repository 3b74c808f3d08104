"""Night-aware slot parts (scheduler.night_parts): a slot worked by a shift across midnight
frees the night's own date and the date it ends on, where its rest falls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scheduler.lns as lns
from scheduler.grid import Grid
from scheduler.model import RosterModel
from scheduler.night_parts import slot_day_windows
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def rm():
    # data/three_queues_30min: D 06:00, M 14:00, N 22:00-06:00 (8 h): N crosses midnight
    scenario = load_scenario(DATA / "three_queues_30min")
    return RosterModel(scenario, Grid(scenario))


def test_every_instance_lies_in_the_window_of_each_slot_it_works_and_a_night_holds_its_end_date(rm):
    windows = slot_day_windows(rm)
    grid, n_days = rm.grid, len(rm.grid.dates)
    assert len(windows) == grid.n_slots
    nights = 0
    for inst in rm.instances:
        d = grid.dates.index(inst.date)
        crosses = inst.end.date() != inst.date and inst.end.time() != inst.end.min.time()
        for t in inst.slots:
            if not 0 <= t < grid.n_slots:
                continue
            lo, hi = windows[t]
            assert lo <= d <= hi
            if crosses:
                # the night's 22:00 slots as well as its 02:00 ones: the date it ends on is free too
                assert hi >= min(d + 1, n_days - 1)
                nights += 1
    assert nights > 0
    # a day shift's slot far from any night keeps its own date alone
    noon = next(t for t in range(grid.n_slots) if grid.slot_start(t).hour == 12)
    assert windows[noon] == (grid.dates.index(grid.slot_start(noon).date()),) * 2


def test_a_slot_part_at_a_night_slot_before_midnight_frees_the_next_date(rm):
    shortage = rm.tiers[1]
    grid = rm.grid
    # a shortage item at 22:00-24:00 of the first date, served by a night that crosses midnight
    k = next((k for k, (t, _q) in enumerate(shortage.where)
              if grid.slot_start(t).hour >= 22 and grid.slot_start(t).date() == grid.dates[0]), None)
    if k is None:
        pytest.skip("no demand at 22:00-24:00 of the first date in this fixture")
    values = [0] * len(rm.m.proto.variables)
    values[shortage.items[k].index] = 1  # pretend only this slot misses service
    hoods = lns.Neighbourhoods(rm, seed=0, params=DEFAULT_PARAMS.but(kind_weights=(1.0, 0.0, 0.0)))
    for _ in range(10):
        kind, mask = hoods.pick(shortage, values)
        assert kind == "slot"
        days = set(np.unique(hoods.day[mask]).tolist())
        assert {0, 1} <= days  # the night's date and the date its rest falls on
