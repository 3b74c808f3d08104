"""Rounding cuts on the pooled LP's service rows: a tighter bound that still holds for every roster.

scheduler.bound's LP staffs a slot with fractional agents; a roster cannot. Per slot t and queue q
the shortage row is

    s + sum_j a_j y_j >= b,    s >= 0,

with s the shortage (agents), y_j the LP's worked-slot variables w[g,i,q,t] of the slot (x itself
at an instance's first and last slots), a_j their pool's efficiency and b = required - the
previous roster's staffing there. In every roster y_j is a whole number >= 0: how many agents of
pool g work slot t of instance i on q (the LP point a roster maps to, scheduler.bound's
docstring). The overflow row ov + R * sum_j a_j y_j >= load - R * before, divided by the reroute
concurrency R > 0, has the same form with s = ov / R.

The mixed-integer rounding (MIR) inequality
--------------------------------------------

Let f = b - floor(b) > 0 (a whole b gives nothing) and, for a >= 0,
c(a) = floor(a) + min(1, frac(a) / f) (so c(a) = a for a whole a, ceil(a) when frac(a) >= f,
and floor(a) + frac(a) / f below). Then every s >= 0 and whole y >= 0 with s + sum a_j y_j >= b
satisfy

    s >= f * (ceil(b) - sum_j c(a_j) y_j).                                         (MIR)

Proof. Split the j by frac(a_j) >= f (J1) or < f (J2), and let z = sum_{J1} ceil(a_j) y_j +
sum_{J2} floor(a_j) y_j, a whole number, and s' = s + sum_{J2} frac(a_j) y_j >= 0. As
ceil(a_j) y_j >= a_j y_j, s' + z >= s + sum a_j y_j >= b. If z >= ceil(b), f * (ceil(b) - z) <= 0
<= s'. Otherwise z <= floor(b), and s' >= b - z = f + (floor(b) - z) >= f + f * (floor(b) - z)
= f * (ceil(b) - z) since 0 < f <= 1. So s' >= f * (ceil(b) - z) either way; moving
sum_{J2} frac(a_j) y_j = f * sum_{J2} (frac(a_j) / f) y_j to the right gives (MIR), as
z + sum_{J2} (frac(a_j) / f) y_j = sum_j c(a_j) y_j (for j in J1 with a whole a_j, c = a_j =
ceil(a_j)). QED.

For the shortage row this reads s + f * sum c(a_j) y_j >= f * ceil(b); for the overflow row,
ov + R f * sum c(a_j) y_j >= R f * ceil(b) with b = (load - R * before) / R. Efficiency 1.0 gives
c = 1; a flex agent of efficiency 0.7 gives c = min(1, 0.7 / f): a fraction of an agent's
worth, so a slot staffed at a fraction of an agent short of the next whole one pays f per missing
whole agent instead of nothing. With y at the whole numbers of a roster the cut never cuts it
off; it cuts off the LP points whose staffing sits strictly between floor(b) and ceil(b)
(where the plain row asks b - staffed or less, the cut asks f * (ceil(b) - staffed)); for one
row whose agents all have efficiency 1 it is the convex hull of the whole-agent staffing's
shortage.

The cuts are rows of the LP (only of variables it already has), added for the bound's solve only
(`lp_bound`), never in `build_lp`: pricing's duals and the LP-guided start's primal point
(scheduler.pricing, scheduler.guide) read the LP without them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# b this close to a whole number gives a cut of no strength (f * (ceil(b) - staffed) < 1e-6 agents)
WHOLE = 1e-6


@dataclass
class ServiceRow:
    """One service row of the LP: its slack variable (overflow in customers, or shortage in
    agents), the scale R that turns that variable into agents (reroute concurrency, or 1), the
    right-hand side in agents b, and the row's worked-slot variables with their efficiencies."""

    slack: Any
    scale: float
    rhs: float
    terms: Sequence[tuple[float, Any]]


def rounded(a: float, f: float) -> float:
    """c(a) of the module docstring: floor(a) + min(1, frac(a) / f)."""
    whole = math.floor(a)
    part = a - whole
    if part <= 1e-12:
        return float(whole)
    return whole + min(1.0, part / f)


def mir(row: ServiceRow) -> tuple[float, float, dict[Any, float]] | None:
    """The (MIR) cut of one service row as `slack + sum coef[v] * v >= lo` in the row's own
    units: (lo, the slack's coefficient 1, coef); None when b is whole (within WHOLE) or <= 0."""
    b = row.rhs
    if b <= WHOLE:
        return None
    f = b - math.floor(b)
    if f < WHOLE or f > 1 - WHOLE:
        return None
    k = row.scale * f
    coef: dict[Any, float] = {}
    for a, v in row.terms:
        c = rounded(a, f)
        if c:
            coef[v] = coef.get(v, 0.0) + k * c
    # b carries the floating-point error of rate / contacts_per_agent_hour: lowering the cut by
    # far more than that keeps it valid for the exact b
    return k * math.ceil(b) - 1e-9 * (1.0 + k * math.ceil(b)), 1.0, coef


def add_mir_cuts(solver, rows: Sequence[ServiceRow], primal=None, least: float = 1e-6) -> list[tuple[Any, float]]:
    """Add the (MIR) cut of each service row to `solver` (pywraplp); with `primal` (the LP's
    values by variable index), only the cuts that point violates by more than `least` (in the
    row's units). Returns the rows added, each with its lower bound (`SetLb(-inf)` turns one off)."""
    added: list[tuple[Any, float]] = []
    inf = solver.infinity()
    for row in rows:
        cut = mir(row)
        if cut is None:
            continue
        lo, _one, coef = cut
        if primal is not None:
            lhs = float(primal[row.slack.index()]) + sum(c * float(primal[v.index()]) for v, c in coef.items())
            if lhs >= lo - least:
                continue
        con = solver.Constraint(lo, inf)
        con.SetCoefficient(row.slack, 1.0)
        for v, c in coef.items():
            con.SetCoefficient(v, c)
        added.append((con, lo))
    return added
