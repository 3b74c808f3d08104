"""Which requests a roster grants, and why a declined one was declined (SPEC 7, Requests sheet).

A declined request is tried alone on the finished roster: the agent's shift that date is
removed (off, avoid) or replaced by the wished shift (shift, with the longest legal break
pattern). The independent checker says which hard rule the grant would break; otherwise the
coverage says which slots and queues it would leave short (more shortage or overflow). Only
when neither happens does the text say the grant costs nothing alone.
"""

from __future__ import annotations

import datetime as dt

from scheduler.check import check_roster, sort_violations
from scheduler.grid import Grid
from scheduler.kpi import coverage
from scheduler.patterns import maximal_patterns
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Scenario

EPS = 1e-6
# declined requests explained per run (highest priority first)
MAX_EXPLAINED = 100


def is_granted(request, worked: Assignment | None) -> bool:
    """`worked`: the agent's shift starting on the request's date, or None."""
    if request.request == "off":
        return worked is None
    if request.request == "shift":
        return worked is None or worked.shift == request.shift
    return worked is None or worked.shift != request.shift


def request_outcomes(scenario: Scenario, roster: Roster) -> list[dict]:
    """One dict per request (in file order): employee_id, name, date, request, shift, priority,
    reason, granted (bool), works (the shift worked that date), why (for a declined one)."""
    names = {a.employee_id: a.name for a in scenario.agents}
    by_day = {(a.employee_id, a.date): a for a in roster.assignments}
    grid = Grid(scenario)
    base = None
    declined = [r for r in scenario.requests if not is_granted(r, by_day.get((r.employee_id, r.date)))]
    explained = {r.row for r in sorted(declined, key=lambda r: (-r.priority, r.row))[:MAX_EXPLAINED]}
    out = []
    for r in sorted(scenario.requests, key=lambda r: r.row):
        worked = by_day.get((r.employee_id, r.date))
        granted = is_granted(r, worked)
        why = ""
        if not granted and r.row not in explained:
            why = (f"not analysed: {len(declined)} requests were declined and the {MAX_EXPLAINED} of highest "
                   f"priority are explained")
        elif not granted:
            if base is None:
                base = _Base(scenario, roster)
            why = _why_declined(scenario, grid, base, r, worked)
        out.append({"row": r.row, "employee_id": r.employee_id, "name": names.get(r.employee_id, ""),
                    "date": r.date, "request": r.request, "shift": r.shift, "priority": r.priority,
                    "reason": r.reason, "granted": granted, "works": worked.shift if worked else "",
                    "why": why})
    return out


def granted_counts(outcomes: list[dict]) -> dict[str, str]:
    """Summary lines: granted / total per priority, and overall."""
    out = {}
    for p in (3, 2, 1):
        mine = [o for o in outcomes if o["priority"] == p]
        if mine:
            out[f"requests granted, priority {p}"] = f"{sum(o['granted'] for o in mine)} / {len(mine)}"
    out["requests granted, all"] = f"{sum(o['granted'] for o in outcomes)} / {len(outcomes)}"
    return out


class _Base:
    """The finished roster, indexed for trials: a grant changes one agent's shift on one date, so a
    trial re-checks that agent's own shifts for the rules of one agent, and the shifts that overlap
    the changed hours (a day either side) for the one rule about several agents (leads on duty) and
    for the coverage. Base and trial are read the same way, so what differs is what the grant
    changes; on 400 agents x 14 days this takes a trial from about 0.5 s (the whole roster twice)
    to a few milliseconds."""

    TEAM_RULES = ("leads_on_duty",)  # SPEC 3's rules that read more than one agent's shifts

    def __init__(self, scenario: Scenario, roster: Roster):
        self.scenario, self.roster = scenario, roster
        self.by_agent = roster.by_agent()
        self.leads = {a.employee_id for a in scenario.agents if a.is_lead}
        self._own: dict[str, set[str]] = {}

    def own_violations(self, assignments: list[Assignment]) -> list:
        return [v for v in check_roster(self.scenario, Roster(assignments)) if v.rule not in self.TEAM_RULES]

    def new_own_violations(self, eid: str, trial: list[Assignment]) -> list:
        if eid not in self._own:
            self._own[eid] = {v.message for v in self.own_violations(self.by_agent.get(eid, []))}
        return [v for v in self.own_violations(trial) if v.message not in self._own[eid]]

    def nearby(self, span: tuple[dt.datetime, dt.datetime]) -> list[Assignment]:
        """Every shift that overlaps `span` widened by a day either side."""
        a, b = span[0] - dt.timedelta(days=1), span[1] + dt.timedelta(days=1)
        return [x for x in self.roster.assignments if x.start < b and x.end > a]


def _why_declined(scenario: Scenario, grid: Grid, base: _Base, r, worked: Assignment | None) -> str:
    k = next((k for k in scenario.locks if k.employee_id == r.employee_id and k.date == r.date), None)
    if k is not None:
        return f"locks.csv row {k.row} fixes {k.shift} for that date"
    own = [a for a in base.by_agent.get(r.employee_id, []) if a is not worked]
    changed = [worked] if worked is not None else []
    if r.request == "shift" and worked is not None:  # a declined shift wish: the agent works another shift
        wished = _wished_shift(scenario, grid, r, worked)
        if isinstance(wished, str):
            return wished
        own.append(wished)
        changed.append(wished)
    if not changed:
        return ("granting it alone breaks no rule and leaves no slot short; the solver kept this shift to grant "
                "other requests or within its time limit")
    span = (min(a.start for a in changed), max(a.end for a in changed))
    near = base.nearby(span)
    near_trial = [a for a in near if a is not worked] + changed[1:]
    broken = base.new_own_violations(r.employee_id, own)
    # fewer shifts of a non-lead never leave a slot without a lead; a lead's change or a new shift may
    if r.employee_id in base.leads or len(changed) > 1:
        before = {v.message for v in check_roster(scenario, Roster(near)) if v.rule in base.TEAM_RULES}
        broken += [v for v in check_roster(scenario, Roster(near_trial))
                   if v.rule in base.TEAM_RULES and v.message not in before]
    if broken:
        return "granting it would break a rule: " + "; ".join(f"[{v.rule}] {v.message}"
                                                               for v in sort_violations(broken)[:2])
    slots = range(max(0, grid.slot_of(span[0])), min(grid.n_slots, grid.slot_of(span[1] - dt.timedelta(seconds=1)) + 1))
    was = coverage(scenario, grid, Roster(near), slots)
    cov = coverage(scenario, grid, Roster(near_trial), slots)
    worse = cov[(cov["shortage"] > was["shortage"] + EPS) | (cov["overflow"] > was["overflow"] + EPS)]
    if len(worse):
        d = grid.delta_hours
        parts = []
        for q, rows in worse.groupby("queue", sort=False):
            idx = rows.index
            short = float((cov.loc[idx, "shortage"] - was.loc[idx, "shortage"]).sum() * d)
            over = float((cov.loc[idx, "overflow"] - was.loc[idx, "overflow"]).sum() * d)
            when = _stretches(list(rows["start"]), grid.slot_minutes)
            cost = [f"+{short:.1f} agent-hours shortage"] + ([f"+{over:.1f} customer-hours overflow"]
                                                              if over > EPS else [])
            parts.append(f"{q} short {when} ({', '.join(cost)})")
        return "granting it would leave " + "; ".join(parts)
    return ("granting it alone breaks no rule and leaves no slot short; the solver kept this shift to grant "
            "other requests or within its time limit")


def _wished_shift(scenario: Scenario, grid: Grid, r, worked: Assignment) -> Assignment | str:
    inst = next((i for i in grid.instances if i.code == r.shift and i.date == r.date), None)
    if inst is None:
        return f"shift {r.shift} does not exist on {r.date:%Y-%m-%d} in this horizon"
    rules = scenario.config.rules
    slots = list(inst.slots)
    pats = maximal_patterns([grid.high_load[t] for t in slots],
                            int(rules.max_continuous_hours * 60 // grid.slot_minutes + 1e-9),
                            int(rules.max_continuous_high_load_hours * 60 // grid.slot_minutes + 1e-9))
    if not pats:
        return f"no break pattern of {r.shift} on {r.date:%Y-%m-%d} keeps the run rules"
    best = max(pats, key=sum)
    runs = grid.runs_of([t for t, w in zip(slots, best) if w])
    return Assignment(r.employee_id, r.date, r.shift, worked.queue, runs)


def _stretches(starts: list[dt.datetime], slot_minutes: int) -> str:
    slot = dt.timedelta(minutes=slot_minutes)
    spans: list[list[dt.datetime]] = []
    for s in sorted(starts):
        if spans and spans[-1][1] == s:
            spans[-1][1] = s + slot
        else:
            spans.append([s, s + slot])
    text = [f"{a:%Y-%m-%d %H:%M}-{b:%H:%M}" for a, b in spans[:3]]
    return ", ".join(text) + (f" and {len(spans) - 3} more" if len(spans) > 3 else "")
