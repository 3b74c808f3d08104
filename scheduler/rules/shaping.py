"""Rules 1 and 5 of SPEC 3 and the queue of a shift: they only remove choices, so they shape the
model's options (`scheduler.eligibility`) and the bound's variables, and need no constraint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.model import RosterModel


class KindsNightsAbsences(Rule):
    """Rule 1: shift kinds, night_ok and absences are respected (no option breaks them)."""

    name = "eligibility"

    def add(self, rm: RosterModel) -> None:
        return None  # see RosterModel's options: `Eligibility.allowed`

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return GreedyCheck()


class MandatoryMoves(Rule):
    """Rule 5: mandatory moves are obeyed; an agent serves a queue in their skills otherwise."""

    name = "moves"

    def add(self, rm: RosterModel) -> None:
        return None  # see RosterModel's options: `Eligibility.queues`

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return GreedyCheck()
