"""Demand forecast from the business plan (SPEC section 5), and the rule-of-thumb headcount.

The plan gives a whole sale's volumes (orders, refunds); this module turns them into contacts
(new conversations) per slot and queue:

- pre-sales contacts = orders * inquiry_rate + orders to contact, spread over the days around
  the sale by `presale_day_shares` and over each day's hours by `hourly_profile`;
- after-sales contacts = refunds arising that day * contacts_per_refund, spread over the hours
  by `after_sales_hourly_profile`;
- plus `baseline_contacts_per_day` of everyday work per queue.

Everything here is a pure function of the scenario except `write_demand_csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.atomic import atomic_path

if TYPE_CHECKING:  # annotations only: the scenario loader imports this module
    from scheduler.scenario.models import ForecastPlan, Scenario, ScenarioConfig

# Share of the sale's pre-sales contacts per day offset from the sale day: inquiries climb on
# the 10th (people fill carts, ask about coupons and stock), most come on the 11th, and they fade
# over the two days after it (late buyers, delivery-time questions).
DEFAULT_PRESALE_DAY_SHARES: dict[str, float] = {"-2": 0.04, "-1": 0.16, "0": 0.68, "1": 0.08, "2": 0.04}

# Pre-sales contacts on an ordinary day, % of the day per hour 00..23 (sums to 100): quiet at
# 02-07, peaks at 09-10, 14-16 and 20-22 (the evening peak after work is the day's highest), the
# evening tail runs past midnight.
ORDINARY_HOURLY_PROFILE: tuple[float, ...] = (
    3.0, 1.6, 0.7, 0.4, 0.3, 0.3, 0.5, 1.5,  # 00-08
    3.4, 7.0, 6.6, 5.8, 4.8, 5.4, 6.3, 6.4,  # 08-16
    6.0, 5.0, 4.8, 5.8, 6.8, 7.0, 6.4, 4.2,  # 16-24
)

# Added on the eve of the sale (day offset -1), % of an ordinary day: buyers wait for midnight
# with full carts and ask about coupons, stacking discounts and stock.
SALE_EVE_EXTRA: dict[int, float] = {20: 0.5, 21: 1.0, 22: 1.5, 23: 2.5}

# Added on the sale day (offset 0), % of an ordinary day: the rush when the sale opens at 00:00
# (final payments of pre-sale deposits, flash deals) makes 00-01 the highest hour of the whole
# sale, about 1.4x the evening peak, with 01-02 still well above an ordinary night.
SALE_DAY_EXTRA: dict[int, float] = {0: 7.0, 1: 2.4, 2: 0.8}

# After-sales contacts per hour, % of the day (sums to 100): customers chase refunds, returns and
# deliveries in the daytime, 09-23, with shoulders at 10-12, 14-17 and 20-22; almost nothing at night.
AFTER_SALES_HOURLY_PROFILE: tuple[float, ...] = (
    1.2, 0.6, 0.3, 0.2, 0.2, 0.2, 0.4, 1.2,  # 00-08
    3.2, 6.4, 7.6, 7.2, 5.8, 6.6, 7.2, 7.2,  # 08-16
    6.8, 6.0, 5.4, 5.6, 6.4, 6.2, 5.0, 3.1,  # 16-24
)

STANDARD_SHIFT_HOURS = 8.0  # one agent's working day for the rule of thumb


# ---------------------------------------------------------------------------------------------
# The plan's volumes


def plan_volumes(plan: ForecastPlan) -> dict[str, float]:
    """The seven steps of SPEC section 5 plus the pre-sales total, all in orders, refunds or
    contacts for the whole sale."""
    orders = plan.sales_target / plan.avg_order_value
    orders_to_contact = orders * plan.stockout_rate
    in_sale_refunds = orders * plan.refund_rate
    after_sale_refunds = in_sale_refunds * plan.after_sale_refund_ratio
    total_refunds = in_sale_refunds + after_sale_refunds
    return {
        "orders": orders,
        "orders_to_contact": orders_to_contact,
        "in_sale_refunds": in_sale_refunds,
        "after_sale_refunds": after_sale_refunds,
        "total_refunds": total_refunds,
        "peak_day_refunds": plan.refund_peak_share * total_refunds,
        "regular_day_refunds": plan.refund_regular_share * total_refunds,
        "pre_sales_contacts": orders * plan.inquiry_rate + orders_to_contact,
    }


def refunds_on_day(plan: ForecastPlan, offset: int) -> float:
    """Refunds of the sale that arise on the day `offset` days after the sale day.

    Before the sale day: none (everyday refunds belong in baseline_contacts_per_day). On the sale
    day: refund_regular_share * in-sale refunds (unshipped orders cancelled within hours of
    paying, 未发货仅退款). The day after: refund_peak_share * total refunds. Each later day:
    refund_regular_share * total refunds, until all of the sale's refunds have arisen (the day
    that reaches the total gets only the remainder, later days none).
    """
    v = plan_volumes(plan)
    total = v["total_refunds"]
    arisen = 0.0
    today = 0.0
    for k in range(0, offset + 1):
        if k == 0:
            nominal = plan.refund_regular_share * v["in_sale_refunds"]
        elif k == 1:
            nominal = v["peak_day_refunds"]
        else:
            nominal = v["regular_day_refunds"]
        today = max(0.0, min(nominal, total - arisen))
        arisen += today
    return today if offset >= 0 else 0.0


def presale_day_shares(plan: ForecastPlan, config: ScenarioConfig) -> tuple[dict[dt.date, float], float]:
    """Date -> share of the pre-sales contacts (fractions, summing to 1 over the horizon's dates
    when any offset falls inside it), and the share of the plan's day shares that fell outside the
    horizon before normalising (a fraction)."""
    shares = plan.presale_day_shares or DEFAULT_PRESALE_DAY_SHARES
    by_offset: dict[int, float] = {}
    for key, w in shares.items():
        by_offset[int(key)] = by_offset.get(int(key), 0.0) + w
    total = sum(by_offset.values())
    inside = {d: by_offset.get((d - plan.sale_day).days, 0.0) for d in config.dates}
    inside_sum = sum(inside.values())
    outside = (total - inside_sum) / total if total > 0 else 0.0
    if inside_sum <= 0:
        return {d: 0.0 for d in config.dates}, 1.0
    return {d: w / inside_sum for d, w in inside.items()}, outside


def presales_hourly_profile(plan: ForecastPlan, day: dt.date) -> list[float]:
    """24 hourly fractions (summing to 1) of the pre-sales contacts of `day`.

    A profile given in the plan is used as is on every day; the default is the ordinary Tmall day
    with the evening before the sale lifted and the midnight rush of the sale day on top."""
    if plan.hourly_profile is not None:
        return _normalised(plan.hourly_profile)
    weights = list(ORDINARY_HOURLY_PROFILE)
    extra = {-1: SALE_EVE_EXTRA, 0: SALE_DAY_EXTRA}.get((day - plan.sale_day).days, {})
    for h, w in extra.items():
        weights[h] += w
    return _normalised(weights)


def ordinary_hourly_profile(plan: ForecastPlan) -> list[float]:
    """24 hourly fractions of an ordinary day's pre-sales contacts (no sale-day extras)."""
    return _normalised(plan.hourly_profile if plan.hourly_profile is not None else ORDINARY_HOURLY_PROFILE)


def after_sales_hourly_profile(plan: ForecastPlan) -> list[float]:
    """24 hourly fractions (summing to 1) of a day's after-sales contacts."""
    return _normalised(plan.after_sales_hourly_profile or AFTER_SALES_HOURLY_PROFILE)


def forecast_queues(config: ScenarioConfig) -> tuple[str, str]:
    """(pre-sales queue, after-sales queue): the plan's choice, else the first two queues; with
    only one queue both are that queue."""
    plan = config.forecast
    ids = config.queue_ids
    pre = (plan.pre_sales_queue if plan else None) or ids[0]
    after = plan.after_sales_queue if plan else None
    if after is None:
        after = next((q for q in ids[:2] if q != pre), pre)
    return pre, after


def _normalised(weights: list[float] | tuple[float, ...]) -> list[float]:
    s = float(sum(weights))
    return [w / s for w in weights]


def _spread(day_contacts: float, hourly: list[float], slot_minutes: int) -> list[float]:
    """Contacts of one day -> contacts per slot of that day; a slot shorter than an hour gets an
    even part of its hour."""
    per_hour = 60 // slot_minutes
    return [day_contacts * hourly[h] / per_hour for h in range(24) for _ in range(per_hour)]


# ---------------------------------------------------------------------------------------------
# The public functions


def derive_demand(config: ScenarioConfig) -> tuple[dict[str, list[float]], list[tuple[str, float | str]]]:
    """Contacts per slot for every queue and slot of the horizon (n = days * 24 * 60 /
    slot_minutes values per queue, in contacts per slot, not per hour), and the steps shown in
    the workbook's Forecast sheet as (label, value) pairs.

    Raises ValueError when the scenario has no [forecast] table.
    """
    plan = config.forecast
    if plan is None:
        raise ValueError("scenario.toml has no [forecast] table to derive the demand from")
    v = plan_volumes(plan)
    pre_q, after_q = forecast_queues(config)
    peak_day = plan.sale_day + dt.timedelta(days=1)
    steps: list[tuple[str, float | str]] = [
        ("1. orders = sales_target / avg_order_value", v["orders"]),
        ("2. orders to contact = orders × stockout_rate", v["orders_to_contact"]),
        ("3. in-sale refunds = orders × refund_rate", v["in_sale_refunds"]),
        ("4. after-sale refunds = in-sale refunds × after_sale_refund_ratio", v["after_sale_refunds"]),
        ("5. total refunds = in-sale refunds + after-sale refunds", v["total_refunds"]),
        (f"6. refunds on the peak day {peak_day} = refund_peak_share × total refunds", v["peak_day_refunds"]),
        ("7. refunds on each ordinary day after it = refund_regular_share × total refunds",
         v["regular_day_refunds"]),
        ("pre-sales contacts = orders × inquiry_rate + orders to contact", v["pre_sales_contacts"]),
        ("pre-sales contacts go to queue", pre_q),
        ("after-sales contacts go to queue", after_q),
        ("pre-sales hourly profile", "from scenario.toml" if plan.hourly_profile is not None
         else "default: low 02-07, peaks 09-10, 14-16, 20-22; eve of the sale lifted 20-24; "
              "sale day +7 / +2.4 / +0.8 % at 00-01 / 01-02 / 02-03"),
        ("after-sales hourly profile", "from scenario.toml" if plan.after_sales_hourly_profile is not None
         else "default: daytime 09-23, little at night"),
    ]

    day_share, outside = presale_day_shares(plan, config)
    for d in config.dates:
        if day_share[d] > 0:
            steps.append((f"pre-sales day share {d} (day {(d - plan.sale_day).days:+d})", day_share[d]))
    if outside > 0:
        steps.append(("share of the pre-sales day shares outside the horizon, spread over the days inside",
                      outside))

    refunds = {d: refunds_on_day(plan, (d - plan.sale_day).days) for d in config.dates}
    if plan.sale_day in refunds:
        steps.append((f"refunds on the sale day {plan.sale_day} = refund_regular_share × in-sale refunds",
                      refunds[plan.sale_day]))
    for d in config.dates:
        if refunds[d] > 0:
            steps.append((f"after-sales contacts {d} = refunds × contacts_per_refund",
                          refunds[d] * plan.contacts_per_refund))
    for q, c in plan.baseline_contacts_per_day.items():
        steps.append((f"baseline contacts per day, {q}", c))

    n = config.days * 24 * 60 // config.slot_minutes
    per_day = n // config.days
    demand = {q: [0.0] * n for q in config.queue_ids}
    after_profile = after_sales_hourly_profile(plan)
    everyday_profile = {q: after_profile if q == after_q and q != pre_q else ordinary_hourly_profile(plan)
                        for q in config.queue_ids}
    for k, d in enumerate(config.dates):
        parts = [
            (pre_q, v["pre_sales_contacts"] * day_share[d], presales_hourly_profile(plan, d)),
            (after_q, refunds[d] * plan.contacts_per_refund, after_profile),
            *((q, c, everyday_profile[q]) for q, c in plan.baseline_contacts_per_day.items()),
        ]
        for q, contacts, hourly in parts:
            if contacts <= 0:
                continue
            for i, c in enumerate(_spread(contacts, hourly, config.slot_minutes)):
                demand[q][k * per_day + i] += c

    for k, d in enumerate(config.dates):
        for q in config.queue_ids:
            total = sum(demand[q][k * per_day:(k + 1) * per_day])
            steps.append((f"daily total {d} {q} (contacts)", round(total, 6)))
    return demand, steps


def rule_of_thumb(scenario: Scenario) -> list[dict]:
    """Per date and queue: {"date", "queue", "contacts", "agents"}: the day's contacts and the
    headcount a planner would book without optimising, agents = ceil(contacts / one agent's daily
    capacity). Capacity in contacts per agent-day = the plan's agent_daily_capacity, else the
    queue's contacts_per_agent_hour * 8 hours."""
    cfg = scenario.config
    per_day = 24 * 60 // cfg.slot_minutes
    plan_capacity = cfg.forecast.agent_daily_capacity if cfg.forecast else None
    out = []
    for k, d in enumerate(cfg.dates):
        for q in cfg.queues:
            contacts = sum(scenario.demand.get(q.id, [])[k * per_day:(k + 1) * per_day])
            capacity = plan_capacity or q.contacts_per_agent_hour * STANDARD_SHIFT_HOURS
            # rounding first keeps float noise (200.0000001 / 200) from booking an extra agent
            agents = math.ceil(round(contacts / capacity, 6))
            out.append({"date": d, "queue": q.id, "contacts": round(contacts, 1), "agents": agents})
    return out


def write_demand_csv(path: Path, config: ScenarioConfig, demand: dict[str, list[float]]) -> None:
    """Write demand.csv (SPEC section 2): `start,queue,contacts`, one row per slot and queue,
    start as `2026-11-11 09:00`, contacts per slot rounded to 0.1.

    Written to a temporary file in the same folder and moved over `path` in one step, so an
    existing demand.csv is never left half-written. Raises ValueError for an unknown queue, a
    wrong number of slots or a negative number of contacts.
    """
    path = Path(path)
    n = config.days * 24 * 60 // config.slot_minutes
    for q, values in demand.items():
        if q not in config.queue_ids:
            raise ValueError(f"unknown queue {q!r}; queues are {', '.join(config.queue_ids)}")
        if len(values) != n:
            raise ValueError(f"queue {q}: {len(values)} values, expected one per slot ({n})")
        if any(not math.isfinite(c) or c < 0 for c in values):
            raise ValueError(f"queue {q}: contacts must be finite and non-negative")
    step = dt.timedelta(minutes=config.slot_minutes)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["start", "queue", "contacts"])
        for t in range(n):
            start = config.horizon_start + t * step
            for q in config.queue_ids:
                if q in demand:
                    c = round(demand[q][t], 1) + 0.0  # + 0.0 turns -0.0 into 0.0
                    w.writerow([f"{start:%Y-%m-%d %H:%M}", q, f"{c:.1f}"])
