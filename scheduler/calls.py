"""Phone calls of a repair (SPEC section 6): the calls-versus-service table and the one-line
messages for the people to call.

The table answers "what would fewer calls leave lost?": for K = 0, 1, ... up to the number of
calls the repair chose, the least overflow, then the least shortage, still lost against the
published service with at most K agents' plans changed. Each row is a short CP-SAT solve of a
copy of the repair's own model (taken before any tier was capped), with the changed-agents
count capped at K.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.model import RosterModel, Tier
from scheduler.roster import Assignment, Roster
from scheduler.scenario import Scenario

OPTION_COLUMNS = ["calls", "overflow_lost", "shortage_lost", "recovered", "proven"]


@dataclass
class OptionRow:
    """At most `calls` calls: `overflow_lost` customer-hours and `shortage_lost` agent-hours
    still lost against the published roster's service (None: no roster keeps the rules with so
    few calls). `proven`: the least loss with that many calls, proven by the solver."""

    calls: int
    overflow_lost: float | None
    shortage_lost: float | None
    proven: bool

    @property
    def feasible(self) -> bool:
        return self.overflow_lost is not None

    def key(self) -> tuple[float, float]:
        if self.overflow_lost is None or self.shortage_lost is None:
            return (float("inf"), float("inf"))
        return (self.overflow_lost, self.shortage_lost)


def _roster_options(rm: RosterModel, roster: Roster) -> dict[int, set[int]]:
    """Per agent index: ids of the free options that make up `roster`'s plan."""
    idx = {a.employee_id: k for k, a in enumerate(rm.agents)}
    wanted = {(a.employee_id, a.date, a.shift, a.queue, a.runs) for a in roster.assignments}
    out: dict[int, set[int]] = {}
    for o in rm.options:
        if o.fixed is None:
            a = rm.assignment_of(o)
            if (a.employee_id, a.date, a.shift, a.queue, a.runs) in wanted:
                out.setdefault(idx[a.employee_id], set()).add(id(o))
    return out


@dataclass
class TableResult:
    rows: list[OptionRow]
    notes: list[str]
    adopted: list[int] | None = None  # values of a roster with fewer calls and no more loss, to take instead


def _roster_options_from(rm: RosterModel, values) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for o in rm.options:
        if o.fixed is None and values[o.var.index]:
            out.setdefault(o.agent, set()).add(id(o))
    return out


def roster_of(rm: RosterModel, values) -> Roster:
    """The roster of a full assignment of `rm`'s variables."""
    return Roster([o.fixed if o.fixed is not None else rm.assignment_of(o) for o in rm.options
                   if o.fixed is not None or values[o.var.index]]).sorted()


def calls_table(rm: RosterModel, model: cp_model.CpModel, chosen: OptionRow, roster: Roster, *,
                seconds_per_row: float = 1.0, workers: int = 1, seed: int = 0,
                params: dict | None = None, dtime_wall: float = 2.0) -> TableResult:
    """Rows for 0 .. chosen.calls - 1 calls, solved on `model` (a copy of `rm.m` made before the
    tiers were solved) from the last row down, each starting from the roster of the row below
    it with the one call undone that loses least; then `chosen` (the repaired `roster`'s own
    figures) as the last row, unless a row with fewer calls loses no more (the tiers' search
    stopped short): that row's roster is `adopted` and ends the table. Lexicographically
    monotone: a roster with fewer calls also has at most more calls, so a row is never worse
    than the one above it; overflow never rises with more calls, and shortage rises only where
    overflow falls. One worker: each row's limit is CP-SAT's deterministic time, `dtime_wall`
    wall seconds to one deterministic second (the same table under any load); `params` are
    further CP-SAT parameters. Returns the rows and notes."""
    tiers: dict[str, Tier] = {t.name: t for t in rm.tiers}
    agents = tiers.get("changed agents")
    if agents is None or chosen.calls == 0:
        return TableResult([chosen], [])
    lost = [t for t in (tiers.get("lost overflow"), tiers.get("lost shortage")) if t is not None and t.terms]
    by_name = {t.name: t for t in lost}
    notes: list[str] = []
    cap = model.proto.constraints.add()
    idx = [(x.index, c) for x, c in zip(agents.items, agents.coeffs) if not isinstance(x, int)]
    cap.linear.vars.extend(i for i, _ in idx)
    cap.linear.coeffs.extend(c for _, c in idx)
    cap.linear.domain.extend([cp_model.INT_MIN, 0])
    weight, terms, coeffs = 1, [], []
    for t in reversed(lost):  # overflow above shortage: an exact lexicographic weight
        for x, c in zip(t.items, t.coeffs):
            if not isinstance(x, int):
                terms.append(model.get_int_var_from_proto_index(x.index))
                coeffs.append(c * weight)
        weight *= t.upper + 1
    if terms:
        model.minimize(cp_model.LinearExpr.weighted_sum(terms, coeffs))

    def lost_in(name: str, values: list[int]) -> float:
        return by_name[name].value(values) * by_name[name].to_user if name in by_name else 0.0

    def lost_of(values: list[int]) -> tuple[float, float]:
        return lost_in("lost overflow", values), lost_in("lost shortage", values)

    published = {id(o) for o in rm.published_options()}
    pub_of: dict[int, set[int]] = {}
    for o in rm.options:
        if id(o) in published:
            pub_of.setdefault(o.agent, set()).add(id(o))
    plan = _roster_options(rm, roster)  # agent -> the options of the roster at hand
    called = [a for a in plan.keys() | pub_of.keys() if plan.get(a, set()) != pub_of.get(a, set())]

    def values_of(plan: dict[int, set[int]]) -> list[int]:
        chosen_ids = set().union(*plan.values()) if plan else set()
        hint = rm.complete_hint(chosen_ids)
        return [hint.get(k, 0) for k in range(len(model.proto.variables))]

    rows: dict[int, OptionRow] = {}
    adopted: tuple[int, list[int]] | None = None
    for k in range(chosen.calls - 1, -1, -1):
        # the roster of the row below with the call that buys least undone: the search's start
        best = None
        for a in called:
            trial = dict(plan)
            trial[a] = pub_of.get(a, set())
            loss = lost_of(values_of(trial))
            if best is None or loss < best[0]:
                best = (loss, a, trial)
        if best is not None:
            _, a, plan = best
            called.remove(a)
            model.clear_hints()
            hint = values_of(plan)
            model.proto.solution_hint.vars.extend(range(len(hint)))
            model.proto.solution_hint.values.extend(hint)
        cap.linear.domain[1] = k - agents.constant
        solver = cp_model.CpSolver()
        if workers == 1:
            solver.parameters.max_deterministic_time = seconds_per_row / dtime_wall
        else:
            solver.parameters.max_time_in_seconds = seconds_per_row
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        for key, value in (params or {}).items():
            setattr(solver.parameters, key, value)
        status = solver.solve(model) if k >= agents.constant else cp_model.INFEASIBLE
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = list(solver.response_proto.solution)
            over, short = lost_of(values)
            rows[k] = OptionRow(k, over, short, status == cp_model.OPTIMAL)
            if rows[k].key() <= chosen.key():
                adopted = (k, values)  # as good with fewer calls: the tiers' search stopped short
                plan = {a: ids for a, ids in _roster_options_from(rm, values).items()}
                called = [a for a in plan.keys() | pub_of.keys() if plan.get(a, set()) != pub_of.get(a, set())]
        else:
            rows[k] = OptionRow(k, None, None, status == cp_model.INFEASIBLE)
            if status != cp_model.INFEASIBLE:
                notes.append(f"calls table: no roster with at most {k} calls found in {seconds_per_row:.1f} s")
    if adopted is not None:
        k, values = adopted
        notes.append(f"calls table: a roster with {k} calls loses no more than the tiers' search's roster with "
                     f"{chosen.calls}, which stopped before it proved the fewest calls; the repair takes it (the "
                     f"tiers after the calls were not optimised again)")
        chosen = OptionRow(k, rows[k].overflow_lost, rows[k].shortage_lost, rows[k].proven)
    out: list[OptionRow] = []
    for k in range(chosen.calls):
        row = rows[k]
        if out and out[-1].key() < row.key():
            # the roster with fewer calls is one with at most k calls too
            row = OptionRow(k, out[-1].overflow_lost, out[-1].shortage_lost, False)
        out.append(row)
    out.append(chosen)
    return TableResult(out, notes, adopted[1] if adopted else None)


def recovered(rows: list[OptionRow], row: OptionRow) -> float | None:
    """Share of the loss with 0 calls that `row` recovers: of the overflow when there was any,
    else of the shortage (None when nothing was lost, or no roster exists with 0 calls)."""
    first = rows[0]
    first_over, first_short = first.overflow_lost, first.shortage_lost
    over, short = row.overflow_lost, row.shortage_lost
    if first_over is None or first_short is None or over is None or short is None:
        return None
    if first_over > 1e-9:
        return 1 - over / first_over
    if first_short > 1e-9:
        return 1 - short / first_short
    return None


def table_rows(rows: list[OptionRow]) -> list[list]:
    """The Options sheet's rows, in OPTION_COLUMNS order."""
    out = []
    for r in rows:
        rec = recovered(rows, r)
        out.append([r.calls, None if r.overflow_lost is None else round(r.overflow_lost, 2),
                    None if r.shortage_lost is None else round(r.shortage_lost, 2),
                    None if rec is None else round(rec, 3), "yes" if r.proven else "no"])
    return out


def format_table(rows: list[OptionRow]) -> str:
    """The table as printed after a repair."""
    lines = ["  calls  overflow_lost  shortage_lost  recovered",
             "         (cust.-hours)  (agent-hours)"]
    for r in rows:
        rec = recovered(rows, r)
        if not r.feasible:
            lines.append(f"  {r.calls:>5}  no roster keeps the rules with so few calls"
                         + ("" if r.proven else " (none found in time)"))
            continue
        lines.append(f"  {r.calls:>5}  {r.overflow_lost:>13,.2f}  {r.shortage_lost:>13,.2f}  "
                     + (f"{rec:>9.0%}" if rec is not None else f"{'':>9}")
                     + ("" if r.proven else "  (best found, not proven)"))
    return "\n".join(lines)


# ---------------------------------------------------------------------- messages

WORDS = {
    "en": {"early": "early shift", "late": "late shift", "night": "night shift", "off": "day off",
           "changed": "{date} {before} changed to {after}", "new": "{date} day off changed to {after}",
           "cancelled": "{date} {before} cancelled (day off)", "sep": ": ", "join": "; ",
           "shift": "{word} {times} ({queue})", "runs_join": ", "},
    "zh": {"early": "早班", "late": "晚班", "night": "夜班", "off": "休息",
           "changed": "{date} {before}改为 {after}", "new": "{date} 休息改为 {after}",
           "cancelled": "{date} {before}取消，改为休息", "sep": "：", "join": "；",
           "shift": "{times} {word}（{queue}）", "runs_join": "、"},
}


def _shift_word(scenario: Scenario, code: str, lang: str) -> str:
    st = next((s for s in scenario.config.shifts if s.code == code), None)
    if st is None:
        return code
    kind = "night" if st.night else "early" if st.start < dt.time(12) else "late"
    return WORDS[lang][kind]


def _queue_name(scenario: Scenario, queue: str, lang: str) -> str:
    q = next((x for x in scenario.config.queues if x.id == queue), None)
    if lang == "zh" and q is not None and q.name:
        return q.name
    return queue.replace("_", "-")


def _times(a: Assignment, lang: str) -> str:
    def hm(t: dt.datetime, end: bool) -> str:
        if end and t.time() == dt.time(0) and t.date() > a.date:
            return "24:00" if (t.date() - a.date).days == 1 else f"{t:%H:%M}(+{(t.date() - a.date).days})"
        return f"{t:%H:%M}"
    return WORDS[lang]["runs_join"].join(f"{hm(s, False)}-{hm(e, True)}" for s, e in a.runs)


def change_text(scenario: Scenario, before: Assignment | None, after: Assignment | None, date: dt.date,
                lang: str) -> str:
    """One change in words: '11-11 early shift changed to late shift 16:00-24:00 (pre-sales)'."""
    w = WORDS[lang]
    day = f"{date:%m-%d}"
    if before is not None and after is None:
        return w["cancelled"].format(date=day, before=f"{_shift_word(scenario, before.shift, lang)} "
                                                     f"{_times(before, lang)}")
    if after is None:
        raise ValueError("a change has a shift before it, after it, or both")
    full = w["shift"].format(word=_shift_word(scenario, after.shift, lang), times=_times(after, lang),
                             queue=_queue_name(scenario, after.queue, lang))
    if before is None:
        return w["new"].format(date=day, after=full)
    return w["changed"].format(date=day, before=_shift_word(scenario, before.shift, lang), after=full)


def call_messages(scenario: Scenario, changes: list[dict], lang: str) -> dict[str, str]:
    """Per employee_id to call (a change with `call` true): one line to paste into the team's
    chat tool, 'Zhang San: 11-11 early shift changed to late shift 16:00-24:00 (pre-sales)'."""
    w = WORDS[lang]
    per: dict[str, list[dict]] = {}
    for c in changes:
        if c.get("call", True):
            per.setdefault(c["employee_id"], []).append(c)
    return {eid: cs[0]["name"] + w["sep"] + w["join"].join(c["message"] for c in cs) for eid, cs in per.items()}
