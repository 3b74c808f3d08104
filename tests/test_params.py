"""SolveParams: one validated set of tuning parameters; tiers are named by TierId."""

from __future__ import annotations

import time

import pytest

from scheduler.objective import TierId
from scheduler.params import DEFAULT_PARAMS, SolveParams
from scheduler.stop import MaxRuntime, Stalled


def test_every_tier_has_its_own_time_share():
    # a new tier gets a share on purpose, not the default by accident
    assert set(TierId) <= set(DEFAULT_PARAMS.time_share)
    assert DEFAULT_PARAMS.share(TierId.SHORTAGE) == 0.60


def test_tiers_are_named_by_id_not_by_text():
    with pytest.raises(ValueError, match="TierId"):
        SolveParams(time_share={"shortage": 0.6})


@pytest.mark.parametrize("change", [{"max_lanes": 0}, {"lns_first_share": 1.5}, {"sub_limit_s": -1},
                                    {"kind_weights": (1.0, -1.0, 0.0)}])
def test_bad_values_are_refused(change):
    with pytest.raises(ValueError, match="SolveParams"):
        DEFAULT_PARAMS.but(**change)


def test_stop_criteria():
    assert MaxRuntime.after(-1)() and not MaxRuntime.after(60)()
    now = time.monotonic()
    stalled = Stalled(window_s=1.0, min_gain=0.01)
    assert not stalled([])
    assert stalled([(now - 5, 100.0), (now - 0.5, 99.5)])       # 0.5 % in the last second
    assert not stalled([(now - 5, 100.0), (now - 0.5, 90.0)])   # 10 %
