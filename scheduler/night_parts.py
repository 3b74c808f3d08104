"""Night-aware day windows for LNS slot parts (issue 15 item 2: cross-midnight nights).

A slot part (`scheduler.lns`, kind `slot`) frees the days around a slot that misses service.
Which days a slot "belongs to" is not its calendar date when a shift runs across midnight: a
22:00-06:00 night started on date d works d's last slots and d+1's first ones. Freeing only
d for a miss at 22:00 lets no one new take d's night, because whoever works it may not work
d+1's early or late shift (the rest rule) and d+1 stays fixed; freeing only d+1 for a miss at
02:00 leaves the night's own date fixed.

`slot_day_windows(rm)` gives each slot the first and last date of every shift instance that
works it, counted by the date each instance *starts* (the date a roster files it under) and,
for an instance that crosses midnight, also the date it *ends* on: the part then holds the
night and the day after it, where its rest falls. Only the window is widened; the part's size
(free options) is chosen as before, so a wider window frees fewer agents.

Units: dates as indices into `rm.grid.dates`, slots as grid indices.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.model import RosterModel


def slot_day_windows(rm: RosterModel) -> list[tuple[int, int]]:
    """Per slot t: (first, last) date index of the instances that work t, with the end date of
    an instance that runs past midnight counted too; a slot no instance works keeps its own
    date. Clipped to the horizon's dates."""
    grid = rm.grid
    n_days = len(grid.dates)
    day_index = {d: n for n, d in enumerate(grid.dates)}
    own = [min(day_index.get(grid.slot_start(t).date(), 0), n_days - 1) for t in range(grid.n_slots)]
    lo, hi = list(own), list(own)
    for inst in rm.instances:
        d = day_index[inst.date]
        end_date = (inst.end - dt.timedelta(microseconds=1)).date()  # its last slot's date (an end at 00:00: the day before)
        last = min(n_days - 1, day_index.get(end_date, n_days - 1)) if end_date != inst.date else d
        for t in inst.slots:
            if 0 <= t < grid.n_slots:
                lo[t] = min(lo[t], d)
                hi[t] = max(hi[t], last)
    return list(zip(lo, hi))

