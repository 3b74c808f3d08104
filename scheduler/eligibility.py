"""Who may work which shift instance, on which queue (SPEC 3, rules 1 and 5; skills).

One reading of eligibility for the model's options, the LP bound, the diagnosis of unavoidable
shortage and the repair's neighbourhood. (`scheduler.check` keeps its own reading of SPEC.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from scheduler.grid import ShiftInstance
from scheduler.scenario import Absence, Agent, Scenario


class Eligibility:
    """Rule 1 (shift kinds, night_ok, absences) and rule 5 (mandatory moves) with skills, for
    one scenario; absences are indexed once."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.absences: dict[str, list[Absence]] = defaultdict(list)
        for ab in scenario.absences:
            self.absences[ab.employee_id].append(ab)

    def why_not(self, agent: Agent, inst: ShiftInstance) -> str | None:
        """Why the agent may not work this instance at all (in a scheduler's words), or None."""
        if agent.kind not in inst.kinds:
            return f"may not work it (it is for {'/'.join(inst.kinds)} staff only)"
        if inst.night and not agent.night_ok:
            return "cannot work nights"
        limits = self.scenario.shift_limits.get(agent.employee_id)
        if limits is not None and inst.code not in limits:
            return f"is planned for shifts {', '.join(limits)} only"  # a hire (`scheduler hire --shifts`)
        for ab in self.absences.get(agent.employee_id, ()):
            if ab.start < inst.end and inst.start < ab.end:  # no part of an overlapping shift
                return f"is absent ({ab.reason})" if ab.reason else "is absent"
        return None

    def allowed(self, agent: Agent, inst: ShiftInstance) -> bool:
        return self.why_not(agent, inst) is None

    def queues(self, agent: Agent, date: dt.date) -> list[str]:
        """The queues the agent may serve in a shift starting on `date`: the `to` queue of a
        move that applies to them that date, else their skills."""
        return queues(self.scenario, agent, date)

    def serves(self, agent: Agent) -> set[str]:
        """Every queue the agent may serve on some date of the horizon (skills and move targets)."""
        return set(agent.skills) | {m.to_queue for m in self.scenario.config.moves
                                    if m.from_queue == agent.home_queue}


def queues(scenario: Scenario, agent: Agent, date: dt.date) -> list[str]:
    """See `Eligibility.queues`."""
    for mv in scenario.config.moves:
        if agent.home_queue == mv.from_queue and date in mv.dates:
            return [mv.to_queue]
    return list(dict.fromkeys(agent.skills))


def why_not(scenario: Scenario, agent: Agent, inst: ShiftInstance) -> str | None:
    """See `Eligibility.why_not` (one call; build an `Eligibility` to ask many times)."""
    return Eligibility(scenario).why_not(agent, inst)
