"""SPEC 3, rule 6: locks are obeyed (locks.csv, SPEC 2.1).

A day-off lock removes every option of that date, a shift lock every option of another shift
that date and, when it names a queue, of another queue (`lock_allows`, `lock_queues`: they shape
the options like eligibility does); the locked shift itself is forced. The greedy start places
the locked shifts before anything else. The LP bound ignores locks (it only gets weaker).
A lock set that breaks a rule by itself is refused as bad input before the model is built
(`scheduler.inputs.validate_locks`); one that leaves no roster is explained by
`scheduler.weekly.weekly_reasons`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from scheduler.rules.base import GreedyCheck, Rule

if TYPE_CHECKING:
    from scheduler.grid import ShiftInstance
    from scheduler.model import Option, RosterModel
    from scheduler.scenario import Agent
    from scheduler.warmstart import Greedy


def lock_allows(rm: RosterModel, agent: Agent, inst: ShiftInstance) -> bool:
    """Does the agent's lock of the instance's date (if any) leave this instance possible?"""
    lock = rm.locks.get((agent.employee_id, inst.date))
    return lock is None or (not lock.off and lock.shift == inst.code)


def lock_queues(rm: RosterModel, agent: Agent, inst: ShiftInstance, queues: list[str]) -> list[str]:
    """The queues left by a lock of that date that names one."""
    lock = rm.locks.get((agent.employee_id, inst.date))
    if lock is None or lock.off or not lock.queue:
        return queues
    return [q for q in queues if q == lock.queue]


class LocksKept(Rule):
    name = "lock"

    def add(self, rm: RosterModel) -> None:
        idx = {a.employee_id: k for k, a in enumerate(rm.agents)}
        for (eid, date), lock in rm.locks.items():
            if lock.off or eid not in idx:
                continue
            inst = rm.inst_by_key.get((lock.shift, date))
            if inst is None or not rm.is_free(eid, inst):
                continue  # a repair keeps its past as published
            agent = rm.agents[idx[eid]]
            why = rm.eligibility.why_not(agent, inst)
            if why is not None:
                # only a repair gets here (a solve refuses such a lock as bad input): the sick
                # call is news, and it wins over the plan
                rm.notes.append(f"the lock of {eid} {agent.name} on {date:%Y-%m-%d} ({lock.shift}, locks.csv row "
                                f"{lock.row}) is not kept: {eid} {why}")
                continue
            on = rm.on.get((idx[eid], inst.index))
            if on is None:
                rm.why_infeasible.append(f"{eid} {rm.agents[idx[eid]].name} cannot work the locked shift {lock.shift} "
                                         f"on {date:%Y-%m-%d} (locks.csv row {lock.row}): no break pattern or queue "
                                         f"of it keeps the rules")
                never = rm.m.new_bool_var(f"lock_{lock.row}_impossible")  # no roster: solve says why
                rm.m.add(never == 1)
                rm.m.add(never == 0)
            else:
                rm.m.add(on == 1)

    def greedy(self, rm: RosterModel) -> GreedyCheck:
        return _Locked(rm)


class _Locked(GreedyCheck):
    """Options already keep the locks; `first` places each locked shift (leads first), the
    option of it that buys the most."""

    def __init__(self, rm: RosterModel):
        self.rm = rm

    def first(self, greedy: Greedy, free: list[Option]) -> None:
        rm = self.rm
        locked: dict[tuple[int, int], list[Option]] = defaultdict(list)
        for o in free:
            lock = rm.locks.get((rm.agents[o.agent].employee_id, rm.instances[o.inst].date))
            if lock is not None and not lock.off:
                locked[(o.agent, o.inst)].append(o)
        taken = {(o.agent, o.inst) for o in greedy.chosen}
        for key, opts in sorted(locked.items(), key=lambda kv: not rm.agents[kv[0][0]].is_lead):
            if key in taken:
                continue
            fitting = [o for o in opts if greedy.fits(o)]
            if fitting:
                greedy.take(max(fitting, key=lambda o: (greedy.gain(o), len(o.worked))))
