"""Work/break patterns inside one shift instance.

A pattern says, for each slot of the instance, whether it is worked or a break. The model picks
one pattern per assigned shift instead of one boolean per slot: that makes the run rules
(SPEC 3.3) part of the variable's meaning and gives CP-SAT a much tighter LP relaxation.

The patterns offered are the *maximal* ones: the first and last slots are worked, every run of
worked slots obeys max_continuous and max_continuous_high_load, and no break slot can be worked
instead without breaking a run rule. In such a pattern a break is one slot or two in a row (a
slot in the middle of three could always be worked: both its neighbours are breaks), so the
search tries both. Every legal pattern works a subset of the slots of a maximal one, so when all
of them are offered (the cap per shift is not hit) and no rule counts worked hours against an
agent, the model loses nothing for service (overflow, shortage). Where a weekly hours cap can
bind, shorter patterns can be better: `best_by_count` finds the legal pattern of largest weight
(weights priced from an LP's duals by scheduler.pricing).
"""

from __future__ import annotations

Pattern = tuple[bool, ...]


def _run_ok(high_load: list[bool], a: int, b: int, max_run: int, max_hl_run: int) -> bool:
    """Can slots a..b-1 (instance-relative) be one run of worked slots?"""
    if b - a > max_run:
        return False
    streak = 0
    for k in range(a, b):
        streak = streak + 1 if high_load[k] else 0
        if streak > max_hl_run:
            return False
    return True


def is_legal(p: Pattern, high_load: list[bool], max_run: int, max_hl_run: int) -> bool:
    """First and last slots worked, and every run within the run rules (limits in slots)."""
    if not (p[0] and p[-1]):
        return False
    run = hl = 0
    for w, h in zip(p, high_load):
        run = run + 1 if w else 0
        hl = hl + 1 if (w and h) else 0
        if run > max_run or hl > max_hl_run:
            return False
    return True


def all_maximal_patterns(high_load: list[bool], max_run: int, max_hl_run: int) -> list[Pattern]:
    """Every maximal legal work/break pattern (limits in slots), in no particular order."""
    return maximal_patterns(high_load, max_run, max_hl_run, cap=None)


def maximal_patterns(high_load: list[bool], max_run: int, max_hl_run: int, cap: int | None = 24) -> list[Pattern]:
    """Maximal legal work/break patterns of an instance whose slots have these high-load flags.

    `max_run` and `max_hl_run` are in slots. At most `cap` patterns are returned (None: all),
    spread evenly over the (deterministically ordered) full list. Returns [] when no legal
    pattern exists.
    """
    n = len(high_load)

    def ok(a: int, b: int) -> bool:
        return _run_ok(high_load, a, b, max_run, max_hl_run)

    found: list[tuple[int, ...]] = []

    def extend(run_start: int, prev_start: int | None, breaks: tuple[int, ...]) -> None:
        if ok(run_start, n):
            # the last break must be needed: merging across it must break a rule
            if prev_start is None or not ok(prev_start, n):
                found.append(breaks)
            return
        for e in range(run_start + 1, n - 1):  # break at slot e; the next run starts at e + 1
            if not ok(run_start, e):
                break
            if prev_start is not None and ok(prev_start, e):
                continue  # the previous break would not be needed
            extend(e + 1, run_start, breaks + (e,))
            # two breaks e, e + 1: working e must break a rule (the run before is full), and
            # working e + 1 must too (checked when the next run ends: it starts at e + 1 then)
            if e + 2 < n and not ok(run_start, e + 1):
                extend(e + 2, e + 1, breaks + (e, e + 1))

    extend(0, None, ())
    patterns = sorted({tuple(k not in set(b) for k in range(n)) for b in found})
    # keep the patterns that work the most slots; where a tier must be cut, spread its breaks
    patterns.sort(key=lambda p: (-sum(p), p[::-1]))
    if cap is None:
        return patterns
    kept: list[Pattern] = []
    for worked in sorted({sum(p) for p in patterns}, reverse=True):
        tier = [p for p in patterns if sum(p) == worked]
        room = cap - len(kept)
        if room <= 0:
            break
        if len(tier) > room:
            step = len(tier) / room
            tier = [tier[int(i * step)] for i in range(room)]
        kept.extend(tier)
    return kept


def best_by_count(high_load: list[bool], max_run: int, max_hl_run: int, weight: list[float],
                  forbidden: frozenset[int] = frozenset()) -> dict[int, tuple[float, Pattern]]:
    """For each number of worked slots k, the legal pattern (limits in slots) with k worked slots
    whose worked slots have the largest total `weight` (a weight may be negative), working none of
    the `forbidden` slots (instance-relative), with that total; {} when no pattern is legal. A
    shortest path over the slots whose state is (slots worked so far, length of the current run,
    of its high-load tail); scheduler.pricing prices patterns with it from an LP's duals."""
    n = len(high_load)
    if 0 in forbidden or n - 1 in forbidden or not _run_ok(high_load, 0, 1, max_run, max_hl_run):
        return {}
    best: dict[tuple[int, int, int], tuple[float, Pattern]] = {(1, 1, int(high_load[0])): (weight[0], (True,))}
    for t in range(1, n):
        nxt: dict[tuple[int, int, int], tuple[float, Pattern]] = {}
        last = t == n - 1
        for (k, run, hl), (val, pat) in best.items():
            if t not in forbidden and run < max_run and (hl < max_hl_run or not high_load[t]):
                key, cand = (k + 1, run + 1, hl + 1 if high_load[t] else 0), (val + weight[t], pat + (True,))
                if key not in nxt or cand > nxt[key]:
                    nxt[key] = cand
            if not last:
                key, cand = (k, 0, 0), (val, pat + (False,))
                if key not in nxt or cand > nxt[key]:
                    nxt[key] = cand
        best = nxt
    out: dict[int, tuple[float, Pattern]] = {}
    for (k, _run, _hl), cand in best.items():
        if k not in out or cand > out[k]:
            out[k] = cand
    return out
