"""Work/break patterns inside one shift instance.

A pattern says, for each slot of the instance, whether it is worked or a break. The model picks
one pattern per assigned shift instead of one boolean per slot: that makes the run rules
(SPEC 3.3) part of the variable's meaning and gives CP-SAT a much tighter LP relaxation.

The patterns offered are the *maximal* ones: the first and last slots are worked, every run of
worked slots obeys max_continuous and max_continuous_high_load, breaks are single slots, and no
break can be removed without breaking a run rule. Nearly every other legal pattern works a
subset of the slots of one of these, so for service (overflow, shortage) little is lost. The
exceptions are maximal shapes that need two breaks in a row (searched exhaustively only when a
shift of at most 16 slots has no single-break pattern) and patterns beyond the cap per shift.
"""

from __future__ import annotations

from itertools import product

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


def maximal_patterns(high_load: list[bool], max_run: int, max_hl_run: int, cap: int = 24) -> list[Pattern]:
    """Maximal legal work/break patterns of an instance whose slots have these high-load flags.

    `max_run` and `max_hl_run` are in slots. At most `cap` patterns are returned, spread evenly
    over the (deterministically ordered) full list. Returns [] when no legal pattern exists.
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

    extend(0, None, ())
    patterns = [tuple(k not in set(b) for k in range(n)) for b in found]
    if not patterns and n <= 16:
        # rare shapes need two breaks in a row; search them exhaustively on short shifts
        legal = [p for p in ((True, *mid, True) if n > 1 else (True,) for mid in product((True, False), repeat=max(0, n - 2)))
                 if is_legal(p, high_load, max_run, max_hl_run)]
        patterns = [p for p in legal if not any(q != p and all(a <= b for a, b in zip(p, q)) for q in legal)]
    # keep the patterns that work the most slots; where a tier must be cut, spread its breaks
    patterns.sort(key=lambda p: (-sum(p), p[::-1]))
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
