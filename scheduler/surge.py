"""New demand for a repair (SPEC section 6): a surge (`--scale F [--queue Q]` from a moment to
`--to`, default the end of that day) or a new forecast (`--demand FILE` from the moment on).
Only slots that start at or after the moment change: the past stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import InputError, Problem
from scheduler.grid import Grid
from scheduler.scenario import Scenario, load_demand


@dataclass
class DemandChange:
    """New demand from `start` on (SPEC 6: a surge, or a new forecast): `demand` is the whole
    horizon's contacts per slot and queue, equal to the published demand before `start`."""

    start: dt.datetime
    demand: dict[str, list[float]]
    queues: set[str]          # queues whose demand changed
    last: dt.datetime | None  # start of the last slot that changed (None: nothing changed)
    text: str                 # what changed, for the report


def _changed(scenario: Scenario, new: dict[str, list[float]], start: dt.datetime, text: str) -> DemandChange:
    grid = Grid(scenario)
    queues, last = set(), None
    for q, values in new.items():
        for t, (a, b) in enumerate(zip(scenario.demand[q], values)):
            if abs(a - b) > 1e-9:
                queues.add(q)
                last = max(last or grid.slot_start(t), grid.slot_start(t))
    return DemandChange(start, new, queues, last, text)


def slots_from(scenario: Scenario, start: dt.datetime, end: dt.datetime | None) -> range:
    """The slots that start in [start, end): the demand of a slot already begun stays as it was."""
    grid = Grid(scenario)
    first = max(0, -(-int((start - grid.start).total_seconds()) // (grid.slot_minutes * 60)))
    stop = grid.n_slots if end is None else max(first, min(grid.n_slots, -(-int((end - grid.start).total_seconds())
                                                                        // (grid.slot_minutes * 60))))
    return range(first, stop)


def end_of_day(when: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(when.date() + dt.timedelta(days=1), dt.time())


def scaled_demand(scenario: Scenario, start: dt.datetime, end: dt.datetime | None, factor: float,
                  queue: str | None = None) -> DemandChange:
    """The demand times `factor` for slots starting in [start, end) (end None: the end of
    start's day), in `queue` or in every queue."""
    if not factor > 0:
        raise InputError([Problem("--scale", f"expected a factor > 0 (1.3 for 30 % more contacts), got {factor}")])
    if queue is not None and queue not in scenario.demand:
        raise InputError([Problem("--queue", f"unknown queue {queue!r}; expected one of "
                                             f"{', '.join(scenario.config.queue_ids)}")])
    end = end or end_of_day(start)
    if end <= start:
        raise InputError([Problem("--to", f"{end:%Y-%m-%d %H:%M} is not after --from {start:%Y-%m-%d %H:%M}")])
    new = {q: list(v) for q, v in scenario.demand.items()}
    for q in ([queue] if queue else scenario.config.queue_ids):
        for t in slots_from(scenario, start, end):
            new[q][t] = scenario.demand[q][t] * factor
    return _changed(scenario, new, start, f"demand x{factor:g} in {queue or 'every queue'} "
                                          f"{start:%m-%d %H:%M}-{end:%m-%d %H:%M}")


def replaced_demand(scenario: Scenario, path: Path, start: dt.datetime, end: dt.datetime | None = None
                    ) -> DemandChange:
    """The forecast of demand file `path` (demand.csv's columns; a missing row means zero) for
    slots starting in [start, end) (end None: the end of the horizon); the published before."""
    problems: list[Problem] = []
    if not path.exists():
        raise InputError([Problem(str(path), "not found")])
    table = load_demand(path, scenario.config, problems)
    if problems:
        raise InputError(problems)
    new = {q: list(v) for q, v in scenario.demand.items()}
    for q in new:
        for t in slots_from(scenario, start, end):
            new[q][t] = table[q][t]
    return _changed(scenario, new, start, f"demand from {path.name} from {start:%m-%d %H:%M}"
                                          + (f" to {end:%m-%d %H:%M}" if end else ""))


def with_demand(scenario: Scenario, demand: dict[str, list[float]],
                high_load: list[bool] | None = None) -> Scenario:
    """The scenario under new demand. The high-load hours stay those the roster was planned
    with (`high_load`, default the scenario's own): agents in the middle of a shift keep the
    breaks they were given, and every kept plan stays legal."""
    if high_load is None:
        high_load = Grid(scenario).high_load
    return scenario.model_copy(update={"demand": demand, "high_load_slots": list(high_load)})
