"""Rules 1 and 5 of SPEC 3 and the queue of a shift: they only remove choices, so they shape the
model's options (`scheduler.eligibility`) and the bound's variables, and need no constraint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.eligibility import Eligibility
    from scheduler.grid import Grid
    from scheduler.model import RosterModel
    from scheduler.scenario import Scenario


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

    def unavoidable(self, scenario: Scenario, grid: Grid, eligibility: Eligibility) -> list[str]:
        """Dates and queues with demand that no agent may serve (a move empties a queue, say)."""
        out = []
        for d in grid.dates:
            for q in scenario.config.queue_ids:
                day = [t for t in range(grid.n_slots) if grid.slot_start(t).date() == d]
                if not any(grid.contacts_per_hour[q][t] > 0 for t in day):
                    continue
                if not any(q in eligibility.queues(a, d) for a in scenario.agents):
                    why = " (the move sends its agents elsewhere that day)" if any(
                        m.from_queue == q for m in scenario.config.moves if d in m.dates) else ""
                    out.append(f"{d} {q}: no agent can serve this queue{why}; all its contacts are short")
        return out

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return GreedyCheck()
