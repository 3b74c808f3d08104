"""An exact roster optimum for tiny scenarios, written apart from the product.

One boolean per agent, shift instance and slot (worked or not) with the rules of SPEC 3 written
from scratch: no import from the scheduler package except the scenario data classes. Every legal
work/break pattern is available (not only the product's maximal ones), and the objective is
exact: loads, requirements and efficiencies are read as fractions and scaled by the least common
multiple of their denominators, so the optimum is an exact Fraction.

Only what the tests need: one queue, no moves, no locks, no previous roster.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from itertools import product

from ortools.sat.python import cp_model

from scheduler.scenario import Scenario


def _frac(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10_000)


def _instances(sc: Scenario) -> list[tuple[dt.date, str, dt.datetime, dt.datetime, bool, tuple[str, ...]]]:
    cfg = sc.config
    begin = dt.datetime.combine(cfg.start, dt.time())
    end = begin + dt.timedelta(days=cfg.days)
    out = []
    for n in range(cfg.days):
        d = cfg.start + dt.timedelta(days=n)
        for s in cfg.shifts:
            a = dt.datetime.combine(d, s.start)
            b = a + dt.timedelta(hours=s.hours)
            if b <= end:
                out.append((d, s.code, a, b, s.night, tuple(s.kinds)))
    return out


def _legal_patterns(high: list[bool], max_run: int, max_hl: int) -> list[tuple[bool, ...]]:
    """Every work/break pattern of a shift whose first and last slots are worked and whose runs
    keep both run limits (in slots)."""
    n = len(high)
    out = []
    for bits in product((True, False), repeat=max(0, n - 2)):
        p = (True,) if n == 1 else (True, *bits, True)
        run = hl = 0
        ok = True
        for w, h in zip(p, high):
            run = run + 1 if w else 0
            hl = hl + 1 if (w and h) else 0
            ok = ok and run <= max_run and hl <= max_hl
        if ok:
            out.append(p)
    return out


def exact_optimum(sc: Scenario, time_limit_s: float = 120) -> tuple[Fraction, Fraction]:
    """(overflow customer-hours, shortage agent-hours): the lexicographic optimum over every
    roster that keeps SPEC 3. Raises AssertionError when it is not proven within the time."""
    cfg, rules = sc.config, sc.config.rules
    assert len(cfg.queues) == 1 and not cfg.moves
    q = cfg.queues[0]
    slot = dt.timedelta(minutes=cfg.slot_minutes)
    origin = dt.datetime.combine(cfg.start, dt.time())
    n_slots = cfg.days * 24 * 60 // cfg.slot_minutes
    hours_per_slot = Fraction(cfg.slot_minutes, 60)
    contacts = [_frac(c) for c in sc.demand[q.id]]
    rate = [c / hours_per_slot for c in contacts]
    load = [r * _frac(q.session_minutes) / 60 for r in rate]
    req = [r / _frac(q.contacts_per_agent_hour) for r in rate]
    R = _frac(rules.reroute_concurrency)
    eff = [_frac(a.efficiency) for a in sc.agents]
    thr = rules.high_load_contacts_per_hour
    thr = _frac(thr) if thr is not None else Fraction(6, 10) * max(rate)
    high = [r >= thr and r > 0 for r in rate]
    scale = math.lcm(*(x.denominator for x in load + req + eff + [R * e for e in eff]))
    max_run = int(rules.max_continuous_hours * 60 // cfg.slot_minutes)
    max_hl = int(rules.max_continuous_high_load_hours * 60 // cfg.slot_minutes)

    m = cp_model.CpModel()
    insts = _instances(sc)
    on: dict[tuple[int, int], cp_model.IntVar] = {}
    work: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = {}
    for a, ag in enumerate(sc.agents):
        absent = [(x.start, x.end) for x in sc.absences if x.employee_id == ag.employee_id]
        for i, (_d, _c, s, e, night, kinds) in enumerate(insts):
            if ag.kind not in kinds or (night and not ag.night_ok) or any(x < e and s < y for x, y in absent):
                continue
            o = on[(a, i)] = m.new_bool_var(f"on{a}_{i}")
            first = (s - origin) // slot
            ts = list(range(first, first + (e - s) // slot))
            # every legal pattern of the instance, one boolean each (a tight model: the product's
            # patterns are a subset of these)
            chosen = []
            per_slot = [[] for _ in ts]
            for p in _legal_patterns([high[t] if 0 <= t < n_slots else False for t in ts], max_run, max_hl):
                b = m.new_bool_var(f"p{a}_{i}_{len(chosen)}")
                chosen.append(b)
                for k, w in enumerate(p):
                    if w:
                        per_slot[k].append(b)
            m.add(sum(chosen) == o)
            ws = []
            for k, t in enumerate(ts):
                w = m.new_bool_var(f"w{a}_{i}_{t}")
                m.add(w == sum(per_slot[k]))
                ws.append((t, w))
            work[(a, i)] = ws
    rest = dt.timedelta(hours=rules.min_rest_hours)
    block = 7 * 24 * 60 // cfg.slot_minutes
    cap_slots = {}
    for a, ag in enumerate(sc.agents):
        mine = [i for i in range(len(insts)) if (a, i) in on]
        for x in mine:
            for y in mine:
                if x < y:
                    (d1, _, s1, e1, _, _), (d2, _, s2, e2, _, _) = insts[x], insts[y]
                    first, second = sorted([(s1, e1), (s2, e2)])
                    if d1 == d2 or second[0] < first[1] + rest:
                        m.add(on[(a, x)] + on[(a, y)] <= 1)
        dates = [cfg.start + dt.timedelta(days=n) for n in range(cfg.days)]
        k = rules.max_consecutive_days
        for s0 in range(len(dates) - k):
            window = set(dates[s0:s0 + k + 1])
            m.add(sum(on[(a, i)] for i in mine if insts[i][0] in window) <= k)
        m.add(sum(on[(a, i)] for i in mine if insts[i][4]) <= rules.max_night_shifts)
        hours = ag.max_hours_week if ag.max_hours_week is not None else rules.max_hours_week
        cap_slots[a] = int(Fraction(hours).limit_denominator(1000) / hours_per_slot)
        for b in range(0, n_slots, block):
            m.add(sum(w for i in mine for t, w in work[(a, i)] if b <= t < b + block) <= cap_slots[a])
    # identical agents are interchangeable: order their rosters (by the shifts they work)
    def same(a: int, b: int) -> bool:
        x, y = sc.agents[a], sc.agents[b]
        return (x.model_dump(exclude={"employee_id", "name"}) == y.model_dump(exclude={"employee_id", "name"})
                and not any(ab.employee_id in (x.employee_id, y.employee_id) for ab in sc.absences))
    for a in range(len(sc.agents) - 1):
        if same(a, a + 1):
            keys = [i for i in range(len(insts)) if (a, i) in on]
            m.add(sum((1 << n) * on[(a, i)] for n, i in enumerate(keys))
                  >= sum((1 << n) * on[(a + 1, i)] for n, i in enumerate(keys)))
    staffed = [[] for _ in range(n_slots)]
    working = [[] for _ in range(n_slots)]
    leads_on = [[] for _ in range(n_slots)]
    for (a, i), ws in work.items():
        for t, w in ws:
            if 0 <= t < n_slots:
                staffed[t].append((int(eff[a] * scale), int(R * eff[a] * scale), w))
                working[t].append(w)
        if sc.agents[a].is_lead:
            for t, _ in ws:
                if 0 <= t < n_slots:
                    leads_on[t].append(on[(a, i)])
    need = rules.min_leads_on_duty
    for t in range(n_slots):
        if need and working[t]:
            anyone = m.new_bool_var(f"any{t}")
            for w in working[t]:
                m.add_implication(w, anyone)
            m.add(sum(leads_on[t]) >= need * anyone)
    over, short = [], []
    for t in range(n_slots):
        if rate[t] <= 0:
            continue
        L, Q = int(load[t] * scale), int(req[t] * scale)
        ov, sh = m.new_int_var(0, L, f"ov{t}"), m.new_int_var(0, Q, f"sh{t}")
        m.add(ov + sum(r * w for _, r, w in staffed[t]) >= L)
        m.add(sh + sum(e * w for e, _, w in staffed[t]) >= Q)
        over.append(ov)
        short.append(sh)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    m.minimize(sum(over))
    assert solver.solve(m) == cp_model.OPTIMAL
    best_over = round(solver.objective_value)
    m.add(sum(over) <= best_over)
    m.minimize(sum(short))
    assert solver.solve(m) == cp_model.OPTIMAL
    best_short = round(solver.objective_value)
    return Fraction(best_over, scale) * hours_per_slot, Fraction(best_short, scale) * hours_per_slot
