"""What a hard rule of SPEC section 3 is in the optimizer: one object that owns its constraints,
the values of their helper variables, its test in the greedy start and its part of the LP bound.

A rule is added to the roster model with `add(rm)`; helper variables it creates are defined
with `rm.define(...)` next to the constraint that needs them (so complete hints and LNS parts
know their values). `greedy(rm)` returns its test in the greedy first roster (required: a rule
the greedy does not keep makes the first roster illegal). The three `bound_*` hooks add the
rule's consequence for pools of agents to the LP bound (`scheduler.bound`); a rule without them
only makes the bound weaker, never wrong.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.bound import BoundLP, Pool
    from scheduler.eligibility import Eligibility
    from scheduler.grid import Grid
    from scheduler.model import Option, RosterModel
    from scheduler.scenario import Scenario
    from scheduler.warmstart import Greedy


def members_share(these: Collection[int]) -> Callable[[set[int]], int]:
    """For `Pool.room`: how many of the instances `these` a member may work, from `mine`, the
    instances the member's own absences leave."""
    def share(mine: set[int]) -> int:
        return len(mine.intersection(these))
    return share


class GreedyCheck:
    """A rule's part of the greedy first roster: `fits` says whether an option can be added to
    the roster built so far, `take` records an option that was added. The default keeps
    nothing: for rules that only shape the options (their options are all legal)."""

    def fits(self, o: Option) -> bool:
        return True

    def take(self, o: Option) -> None:
        return None

    def first(self, greedy: Greedy, free: list[Option]) -> None:
        """Place, before everyone else, the options this rule needs (leads, say); `free`: the
        options the greedy may choose from."""
        return None


class Rule(abc.ABC):
    """One hard rule (or one clause of SPEC 3). `name` is the id the checker uses for it."""

    name: str = ""

    @abc.abstractmethod
    def add(self, rm: RosterModel) -> None:
        """Add the rule's constraints (and define their helper variables) to `rm`."""

    @abc.abstractmethod
    def greedy(self, rm: RosterModel) -> GreedyCheck:
        """The rule's test in the greedy first roster, with its own state (one per greedy run)."""

    def unavoidable(self, scenario: Scenario, grid: Grid, eligibility: Eligibility) -> list[str]:
        """Demand this rule leaves nobody to serve, whatever the roster, in a scheduler's words
        (`scheduler.diagnose`); [] when none."""
        return []

    def bound_setup(self, lp: BoundLP) -> None:
        """Before the bound's variables are made (e.g. slots nobody may work)."""
        return None  # no contribution: the bound only gets weaker, never wrong

    def bound_shift(self, lp: BoundLP, slots: list[int], worked: list, shift) -> None:
        """For one pool, instance and queue: `shift` agents work it, `worked[k]` of them slot
        `slots[k]`."""
        return None  # no contribution: the bound only gets weaker, never wrong

    def bound_pool(self, lp: BoundLP, pool: Pool) -> None:
        """The rule for one pool of identical agents, summed over the pool."""
        return None  # no contribution: the bound only gets weaker, never wrong

    def bound_all(self, lp: BoundLP) -> None:
        """After every pool (rules across agents, such as leads)."""
        return None  # no contribution: the bound only gets weaker, never wrong

    def __repr__(self) -> str:
        return f"<rule {self.name}>"
