"""A greedy first roster, used as CP-SAT's starting point (solution hint).

CP-SAT alone needs a long time to find a first roster for hundreds of agents; this builds a
legal one in a second or two from the model's own options (so kinds, night_ok, absences,
skills, moves and break patterns are already respected) and asks every rule of the model
(`RosterModel.rule_list`, each rule's `greedy` check) before it adds a shift. It is only a
hint: the solver verifies it, and the checker verifies the final roster.

The greedy is the classic lazy one: take the shift option that removes the most overflow (then
shortage) until no option helps; rules may place what they need first (the lead rule places
leads, so other agents can work under them).
"""

from __future__ import annotations

import heapq

from scheduler.model import Option, RosterModel
from scheduler.rules import GreedyCheck


class Greedy:
    """The roster being built: every rule's check, and the staffing it buys so far."""

    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.checks = [rule.greedy(rm) for rule in rm.rule_list]
        # the checks that test or record something (a rule that only shapes options has neither)
        self._fits = [c.fits for c in self.checks if type(c).fits is not GreedyCheck.fits]
        self._takes = [c.take for c in self.checks if type(c).take is not GreedyCheck.take]
        g, queues = rm.grid, rm.scenario.config.queues
        self.R = rm.rules.reroute_concurrency
        self.required = {q.id: [r / q.contacts_per_agent_hour for r in g.contacts_per_hour[q.id]] for q in queues}
        self.load = {q.id: [r * q.session_minutes / 60 for r in g.contacts_per_hour[q.id]] for q in queues}
        self.total_required = [sum(self.required[q.id][t] for q in queues) for t in range(g.n_slots)]
        # the previous roster's shifts running past `start` already work (SPEC 2.2)
        self.staffed = {q.id: list(rm.history.staffed[q.id]) for q in queues}
        self.efficiency = [a.efficiency for a in rm.agents]
        self.chosen: list[Option] = []

    def fits(self, o: Option) -> bool:
        """Does every rule allow adding this option to the roster so far?"""
        for fits in self._fits:
            if not fits(o):
                return False
        return True

    def take(self, o: Option) -> None:
        for take in self._takes:
            take(o)
        staffed, eff = self.staffed[o.queue], self.efficiency[o.agent]
        for t in o.worked:
            staffed[t] += eff
        self.chosen.append(o)

    def gain(self, o: Option) -> float:
        """Overflow (weighted 1e4) and shortage the option removes from the roster so far."""
        eff, R = self.efficiency[o.agent], self.R
        staffed, load, req = self.staffed[o.queue], self.load[o.queue], self.required[o.queue]
        most = R * eff
        over = short = 0.0
        for t in o.worked:  # min(most, max(0, x)) without the calls: the same sums, in the same order
            s = staffed[t]
            x = load[t] - R * s
            if x > 0.0:
                over += x if x < most else most
            y = req[t] - s
            if y > 0.0:
                short += y if y < eff else eff
        return over * 1e4 + short

    def lazy(self, candidates: list[Option]) -> None:
        """Take the option that buys most until none buys anything. Options that serve the same
        queue in the same slots with the same efficiency buy the same: one heap entry per such
        group. Flex staff cost extra: at equal gain a regular agent's group goes first."""
        agents = self.rm.agents
        groups: dict[tuple, list[Option]] = {}
        for o in candidates:
            ag = agents[o.agent]
            groups.setdefault((o.queue, o.worked, ag.efficiency, ag.kind == "flex"), []).append(o)
        members = list(groups.values())
        nxt = [0] * len(members)  # members before this one were taken or no longer fit
        heap = [(-self.gain(ms[0]), key[3], g) for g, (key, ms) in enumerate(groups.items())]
        heapq.heapify(heap)
        while heap:
            neg, flex, g = heapq.heappop(heap)
            if -neg <= 1e-9:
                break
            ms = members[g]
            now = self.gain(ms[0])
            if heap and now < -heap[0][0] - 1e-9:
                heapq.heappush(heap, (-now, flex, g))
                continue
            if now <= 1e-9:
                continue
            # the group's first member that fits; as in the classic lazy greedy, an option that
            # does not fit when its turn comes is dropped
            while nxt[g] < len(ms) and not self.fits(ms[nxt[g]]):
                nxt[g] += 1
            if nxt[g] < len(ms):
                self.take(ms[nxt[g]])
                nxt[g] += 1
                if nxt[g] < len(ms):
                    heapq.heappush(heap, (-self.gain(ms[0]), flex, g))


def greedy_roster(rm: RosterModel, keep: list[Option] | None = None, fill: bool = True) -> list[Option]:
    """Options chosen greedily (the fixed ones and `keep` first, when they fit; leads of `keep`
    before the others, who may need them on duty). `fill` False: after `keep`, only what the
    rules' first steps need (the leads), nothing for service (a repair's first roster: the
    published one, changed only where it must be)."""
    greedy = Greedy(rm)
    for o in rm.options:
        if o.fixed is not None:
            greedy.take(o)
    for o in sorted(keep or [], key=lambda o: not rm.agents[o.agent].is_lead):
        if o.fixed is None and greedy.fits(o):
            greedy.take(o)
    free = [o for o in rm.options if o.fixed is None]
    for check in greedy.checks:
        check.first(greedy, free)
    if fill:
        greedy.lazy(free)
    return greedy.chosen
