"""Small pieces the LNS part kinds share (`scheduler.lns`, `breakparts`, `chainparts`,
`poolparts`): which shift an option belongs to, a few random options per shift, and how many of
a list of agents fill a part. Only drawing: no rule is decided here (`scheduler.parts` builds each
part's model with every rule of the full model)."""

from __future__ import annotations

import numpy as np


def longest_shift(rm) -> int:
    """The model's longest shift instance, in slots (0 without instances)."""
    return max((inst.n_slots for inst in rm.instances), default=0)


def long_shifts(rm, params) -> bool:
    """Whether the model's longest shift has at least `params.break_min_slots_per_shift` slots
    (15-minute slots, or 12-hour shifts at 30 minutes): the models that draw `breaks` and
    `shifts` parts. `chain` parts and the small share of the tiers after service
    (`SolveParams.fine_share`) have their own thresholds (`chain_min_slots_per_shift`,
    `fine_late_min_slots_per_shift`, read with `longest_shift`)."""
    return longest_shift(rm) >= params.break_min_slots_per_shift


def shift_ids(agent: np.ndarray, inst: np.ndarray, queue: np.ndarray, n_queues: int) -> np.ndarray:
    """One number per (agent, instance, queue) for each option: the shift it belongs to."""
    n_inst = int(inst.max()) + 1 if len(inst) else 1
    return (agent * n_inst + inst) * max(1, n_queues) + queue


def few_per_shift(rng: np.random.Generator, idx: np.ndarray, shift: np.ndarray, k: int) -> np.ndarray:
    """Of the options `idx`, `k` drawn at random per shift (`shift`: each option's shift id)."""
    order = idx[np.lexsort((rng.random(len(idx)), shift[idx]))]
    s = shift[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]


def fill(order: np.ndarray, per_agent: np.ndarray, size: int) -> np.ndarray:
    """The first agents of `order` (at least one) whose options (`per_agent`, in the same order)
    make a part of about `size` options."""
    n = int(np.searchsorted(np.cumsum(per_agent), size, side="right")) + 1
    return order[:max(1, n)]
