"""Obvious capacity conflicts, found before the model and said in a scheduler's words.

Coverage is soft, so a roster always exists; what the rules can make impossible is serving some
demand. These checks name the shifts and queues nobody may work, and why, so a shortage in the
Summary comes with its cause ("2026-11-11 N: no lead can work it: leads L01, L02 are absent and
L03 cannot work nights").
"""

from __future__ import annotations

from scheduler.eligibility import Eligibility
from scheduler.grid import Grid
from scheduler.rules import HARD_RULES
from scheduler.scenario import Scenario


def unavoidable_shortage(scenario: Scenario, grid: Grid | None = None) -> list[str]:
    """Stretches of slots and queues with demand that the rules leave nobody to serve: each
    hard rule's `unavoidable` (the lead rule's slots nobody may work, the moves' emptied queues)."""
    grid = grid or Grid(scenario)
    eligibility = Eligibility(scenario)
    return [line for rule in HARD_RULES for line in rule.unavoidable(scenario, grid, eligibility)]
