"""Patterns offered by `shifts` and `chain` parts where the roster misses service
(`scheduler.fitpatterns`, issue 15): the scores, the choice per shift, and that a search with
them keeps every rule."""

from __future__ import annotations

import numpy as np

import scheduler.lns as lns
from scheduler.fitpatterns import PatternFit, best_per_shift
from scheduler.grid import Grid
from scheduler.model import RosterModel
from tests.conftest import greedy_values, service_lns
from tests.test_chainparts import ONLY, scenario  # noqa: F401 - the fixture


def test_scores_sum_what_is_missed_on_the_slots_an_option_works_on_its_queue():
    rng = np.random.default_rng(0)
    n_slots, n_queues = 12, 2
    shared = [tuple(sorted(rng.choice(n_slots + 2, size=4, replace=False).tolist())) for _ in range(5)]
    worked = [shared[k % 5] for k in range(20)]  # options share their tuples, as the model's do
    queue = rng.integers(n_queues, size=20)
    where = [(t, q) for t in range(n_slots) for q in range(n_queues) if rng.random() < 0.7]
    missing = rng.integers(0, 9, size=len(where)).astype(float)
    cells = np.array([t * n_queues + q for t, q in where])
    idx = np.array([3, 0, 19, 7])
    got = PatternFit(worked, queue, n_slots, n_queues).scores(missing, cells, idx)
    miss = dict(zip(where, missing))
    # slots past the grid (12, 13) miss nothing
    want = [sum(miss.get((t, int(queue[k])), 0.0) for t in worked[k]) for k in idx]
    assert np.allclose(got, want)


def test_best_per_shift_keeps_the_highest_scores_of_each_shift():
    shift = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    idx = np.array([0, 1, 2, 3, 4, 6, 7, 8])  # option 5 is not offered
    score = np.array([1.0, 5.0, 3.0, 2.0, 2.5, 9.0, 0.0, 8.0])  # one per option of idx
    got = set(best_per_shift(np.random.default_rng(0), idx, shift, score, 2).tolist())
    assert got == {1, 2, 3, 4, 6, 8}
    assert set(best_per_shift(np.random.default_rng(0), idx, shift, score, 1).tolist()) == {1, 4, 6}


def test_shifts_parts_offer_the_patterns_that_work_the_short_slots(scenario):  # noqa: F811
    rm = RosterModel(scenario, Grid(scenario))
    values = greedy_values(rm)
    params = ONLY.but(chain_weight=0.0, shift_weight=1.0, fit_patterns=True)
    hoods = lns.Neighbourhoods(rm, seed=0, params=params)
    assert hoods.fit is not None
    tier = rm.tiers[1]
    missing = np.array([values[x.index] * c if not isinstance(x, int) else 0
                        for x, c in zip(tier.items, tier.coeffs)], dtype=float)
    fit = hoods._fit(tier.where, missing)
    on = np.asarray(values)[hoods.var]
    mask = hoods.breaks.shifts_mask(on, hoods.rng, 10_000, 0, 3, np.array([], dtype=np.int64), 1, fit)
    score = fit(np.arange(len(hoods.var)))
    shift = hoods.breaks.shift
    offered = np.flatnonzero(mask & (on == 0))
    assert len(offered)
    for k in offered:  # each offered pattern of a shift not worked now is its shift's best
        same = np.flatnonzero(shift == shift[k])
        if not on[same].any():
            assert score[k] == score[same].max()


def test_lns_with_fitted_patterns_keeps_every_rule(scenario):  # noqa: F811
    rm, start, result, stats = service_lns(scenario, ONLY.but(shift_weight=1.0, fit_patterns=True))
    overflow, shortage = rm.tiers[0], rm.tiers[1]
    assert stats.iterations >= 2 and set(stats.by_kind) <= {"chain", "shifts"}
    assert (overflow.value(result), shortage.value(result)) <= (overflow.value(start), shortage.value(start))
