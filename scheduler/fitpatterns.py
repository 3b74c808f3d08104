"""Which patterns a `shifts` or `chain` part offers for a shift an agent does not work now: the
ones that work where the roster misses service, instead of random ones (issue 15).

At 15-minute slots a shift has up to 24 work/break patterns (`scheduler.patterns`), and a part
that moves whole shifts offers only one or two of them per other shift (`shift_patterns`,
`chain_patterns`): a random pattern puts its breaks anywhere, often in the very slots that are
short, so a move to that shift buys little and the part keeps the roster as it was. On
200 agents x 7 days the roster's distance to the LP sits in the sale day's shift choice, not in
its breaks (re-placing every break, shifts fixed, gains nothing: benchmarks/README.md, "Where
the 15-minute gap sits: shift choice, not breaks"). `PatternFit` scores each free option by the
service the roster at hand misses in the slots it works (on its queue) and `best_per_shift`
keeps the best-scoring ones of each shift. Off by default (`SolveParams.fit_patterns`): one
worker, it gained on one seed of 200 x 7 x 15 and lost on the other and on 400 x 14 x 15.

Only drawing: a part is a set of free options, and `scheduler.parts` builds its model with every
rule of the full model, so nothing here decides a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scheduler.partdraw import few_per_shift


class PatternFit:
    """Scores the free options of `scheduler.lns.Neighbourhoods` (in its order): `worked` holds
    each option's worked slots (options of one instance share their tuples, so they are scored
    once per tuple and queue), `queue` each option's queue index."""

    def __init__(self, worked: Sequence[tuple[int, ...]], queue: np.ndarray, n_slots: int, n_queues: int):
        index: dict[int, int] = {}
        tuples: list[tuple[int, ...]] = []
        pid = np.empty(len(worked), dtype=np.int64)
        for k, w in enumerate(worked):
            j = index.get(id(w))
            if j is None:
                j = index[id(w)] = len(tuples)
                tuples.append(w)
            pid[k] = j
        self.pid, self.queue = pid, queue
        self.n_slots, self.n_queues = n_slots, max(1, n_queues)
        lengths = np.fromiter((len(w) for w in tuples), dtype=np.int64, count=len(tuples))
        self.ptr = np.r_[0, np.cumsum(lengths)]
        flat = np.fromiter((t for w in tuples for t in w), dtype=np.int64, count=int(self.ptr[-1]))
        # slots outside the grid (a night's tail past the horizon) read a cell that misses nothing
        self.flat = np.where((flat >= 0) & (flat < n_slots), flat, n_slots)

    def scores(self, missing: np.ndarray, cells: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """For options `idx`: the sum of `missing` (what the roster misses, per cell) over the
        slots each option works on its queue; `cells` are the missing entries' (slot, queue index)
        as slot * n_queues + queue."""
        flat_grid = np.zeros((self.n_slots + 1) * self.n_queues)
        np.add.at(flat_grid, cells, missing)
        per_slot = flat_grid.reshape(self.n_slots + 1, self.n_queues)[self.flat]  # (terms, queues)
        csum = np.vstack([np.zeros((1, self.n_queues)), np.cumsum(per_slot, axis=0)])
        per_tuple = csum[self.ptr[1:]] - csum[self.ptr[:-1]]  # (tuples, queues)
        return per_tuple[self.pid[idx], self.queue[idx]]


def best_per_shift(rng: np.random.Generator, idx: np.ndarray, shift: np.ndarray, score: np.ndarray,
                   k: int) -> np.ndarray:
    """Of the options `idx`, the `k` with the highest `score` (one per option of `idx`) per shift
    (`shift`: each option's shift id), ties broken at random."""
    if not len(idx) or k <= 0:
        return idx[:0]
    order = np.lexsort((rng.random(len(idx)), -score, shift[idx]))
    s = shift[idx][order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return idx[order[rank < k]]


def offer(rng: np.random.Generator, idx: np.ndarray, shift: np.ndarray, k: int,
          fit: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Of the options `idx`, `k` per shift (`shift`: each option's shift id): drawn at random
    (`partdraw.few_per_shift`), or with `fit` (options -> scores, e.g. `PatternFit.scores`) the
    best-scoring ones (`best_per_shift`)."""
    return few_per_shift(rng, idx, shift, k) if fit is None else best_per_shift(rng, idx, shift, fit(idx), k)
