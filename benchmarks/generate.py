"""Seeded generator of realistic Double 11 benchmark scenarios (scenario folders, SPEC section 2).

    python -m benchmarks.generate [OUT_DIR] [--agents 50 100 ...] [--days 7 14] [--slot 60 30]
                                  [--queues 2 3] [--seed 0] [--night-start 22] [--absent-share 0.05]

writes one folder per combination, named `d11_a{agents}_d{days}_s{slot}_q{queues}` (plus `_n22` for
a night shift starting at 22:00, `_abs5` for 5 % of the staff absent), each with scenario.toml,
staff.csv, demand.csv and absences.csv. Same arguments, same files.

Shape (SPEC section 1): the sale day is 11-11, the horizon starts on 11-09. Pre-sales contacts peak
at 00-01 of the sale day and at 09-10, 14-16 and 20-22; after-sales work peaks on the day after the
sale and stays high. Staff: about 15 % flex at efficiency 0.7, about 8 % leads (at least 3), about
10 % night_ok = false, a fifth of the regulars skilled on two queues, about 1 % (`--absent-share`)
absent for one to three days, never the leads; after_sales moves to pre_sales on the sale day.
Demand is sized against the agents that can be on duty at once (a third of the staff's efficiency,
one of three 8-hour shifts): the sale-day peak needs about 1.3x that, ordinary daytime hours about
0.5x.
Shifts: N 00:00 8 h night, E 08:00 8 h, L 16:00 8 h, P 19:00 4 h flex only; with `--night-start H`
the three 8-hour shifts start at H, H+8 and H+16 (22: N 22:00-06:00 across midnight, E 06:00, L
14:00), so the first morning of the horizon is covered by no shift (the night before it is not
planned).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import random
from pathlib import Path

from scheduler.forecast import AFTER_SALES_HOURLY_PROFILE, ORDINARY_HOURLY_PROFILE, SALE_DAY_EXTRA

START = dt.date(2026, 11, 9)
SALE_DAY = dt.date(2026, 11, 11)
QUEUES = [  # id, name, contacts per agent-hour, session minutes
    ("pre_sales", "售前", 25, 120),
    ("after_sales", "售后", 20, 120),
    ("logistics", "物流", 30, 60),
]
STAFF_SHARE = {2: [0.55, 0.45], 3: [0.50, 0.38, 0.12]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def case_name(agents: int, days: int, slot: int, queues: int, *, night_start: int | None = None,
              absent_share: float = 0.01) -> str:
    name = f"d11_a{agents}_d{days}_s{slot}_q{queues}"
    if night_start is not None:
        name += f"_n{night_start:02d}"
    if absent_share != 0.01:
        name += f"_abs{absent_share * 100:g}"
    return name


def _daytime_normalised(profile: list[float] | tuple[float, ...]) -> list[float]:
    """Scale an hourly profile so that its 09-22 mean is 1."""
    mean = sum(profile[9:22]) / 13
    return [p / mean for p in profile]


def required_agents_per_hour(day_offset: int, queues: int) -> list[list[float]]:
    """Required agents per hour 00..23 for each queue, as a fraction of the on-duty capacity."""
    pre_o = _daytime_normalised(ORDINARY_HOURLY_PROFILE)
    after_o = _daytime_normalised(AFTER_SALES_HOURLY_PROFILE)
    sale = [p + SALE_DAY_EXTRA.get(h, 0.0) for h, p in enumerate(ORDINARY_HOURLY_PROFILE)]
    sale = [p / max(sale) for p in sale]  # the 00-01 rush is the sale's highest hour
    if day_offset < -1:
        pre = [0.30 * p for p in pre_o]
    elif day_offset == -1:  # the eve: carts fill up towards midnight
        pre = [0.40 * p + (0.10 * (h - 19) if h >= 20 else 0.0) for h, p in enumerate(pre_o)]
    elif day_offset == 0:
        pre = [1.20 * p for p in sale]
    elif day_offset == 1:
        pre = [0.35 * p for p in pre_o]
    else:
        pre = [0.28 * p for p in pre_o]
    if day_offset < 0:
        af = 0.20
    elif day_offset == 0:
        af = 0.12
    elif day_offset == 1:
        af = 0.55
    else:
        af = max(0.25, 0.42 - 0.02 * (day_offset - 2))
    out = [pre, [af * p for p in after_o]]
    if queues >= 3:
        lg = 0.08 if day_offset < 1 else 0.16
        out.append([lg * p for p in after_o])
    return out


def generate(out_dir: Path, agents: int, days: int, slot: int, queues: int, seed: int = 0, *,
             night_start: int | None = None, absent_share: float = 0.01) -> Path:
    """Write one scenario folder; returns its path. `night_start` (an hour) moves the three 8-hour
    shifts to start at that hour, +8 and +16 (22: a night across midnight); `absent_share` is the
    part of the staff absent for one to three days."""
    if night_start is not None and not 0 <= night_start < 24:
        raise ValueError(f"night_start must be an hour 0-23, got {night_start}")
    if not 0 <= absent_share < 1:
        raise ValueError(f"absent_share must be in [0, 1), got {absent_share}")
    rng = random.Random(f"{seed}-{agents}-{days}-{slot}-{queues}")
    folder = Path(out_dir) / case_name(agents, days, slot, queues, night_start=night_start,
                                       absent_share=absent_share)
    folder.mkdir(parents=True, exist_ok=True)
    qs = QUEUES[:queues]

    # -- staff
    n_flex = round(0.15 * agents)
    n_leads = max(3, round(0.08 * agents))
    n_no_night = round(0.10 * agents)
    homes: list[str] = []
    for (qid, *_), share in zip(qs, STAFF_SHARE[queues]):
        homes.extend([qid] * round(share * agents))
    while len(homes) < agents:
        homes.append(qs[0][0])
    homes = homes[:agents]
    rng.shuffle(homes)
    idx = list(range(agents))
    rng.shuffle(idx)
    flex = set(idx[:n_flex])
    leads = set(idx[n_flex:n_flex + n_leads])
    no_night = set(idx[n_flex + n_leads:n_flex + n_leads + n_no_night])
    staff = []
    for k in range(agents):
        home = homes[k]
        skills = [home]
        if k not in flex and rng.random() < 0.2:
            other = rng.choice([q[0] for q in qs if q[0] != home])
            skills.append(other)
        staff.append({
            "employee_id": f"E{k + 1:04d}",
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else ""),
            "home_queue": home, "skills": ";".join(skills),
            "kind": "flex" if k in flex else "regular",
            "efficiency": 0.7 if k in flex else 1.0,
            "is_lead": "true" if k in leads else "false",
            "night_ok": "false" if k in no_night else "true",
            "max_hours_week": 32 if k in flex else "",
        })
    with open(folder / "staff.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(staff[0]))
        w.writeheader()
        w.writerows(staff)

    # -- absences: about 1 % of the staff (absent_share), one to three days, not the leads
    n_abs = max(1, round(absent_share * agents)) if absent_share > 0 else 0
    pool = [k for k in range(agents) if k not in leads]
    with open(folder / "absences.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["employee_id", "start", "end", "reason"])
        for k in rng.sample(pool, min(n_abs, len(pool))):
            first = START + dt.timedelta(days=rng.randrange(days))
            length = rng.randint(1, 3)
            end = min(first + dt.timedelta(days=length), START + dt.timedelta(days=days))
            reason = rng.choice(["病假", "事假", "年假"])
            w.writerow([staff[k]["employee_id"], f"{first} 00:00", f"{end} 00:00", reason])

    # -- demand
    on_duty = sum(s["efficiency"] for s in staff) / 3
    per_hour = 60 // slot
    rows = []
    for d in range(days):
        date = START + dt.timedelta(days=d)
        req = required_agents_per_hour((date - SALE_DAY).days, queues)
        for h in range(24):
            for (qid, _n, cph, _s), r in zip(qs, req):
                hourly = r[h] * on_duty * cph * rng.uniform(0.95, 1.05)
                for s in range(per_hour):
                    when = dt.datetime.combine(date, dt.time(h, s * slot))
                    rows.append((f"{when:%Y-%m-%d %H:%M}", qid, round(hourly / per_hour, 1)))
    with open(folder / "demand.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["start", "queue", "contacts"])
        w.writerows(rows)

    # -- scenario.toml
    sale_in = START <= SALE_DAY < START + dt.timedelta(days=days)
    lines = [
        f"# Generated by benchmarks/generate.py (seed {seed}): {agents} agents, {days} days, "
        f"{slot}-minute slots, {queues} queues"
        + (f", night shift from {night_start:02d}:00" if night_start is not None else "")
        + (f", {absent_share:.0%} absent" if absent_share != 0.01 else "") + ".",
        f'name = "{folder.name}"', f"start = {START}", f"days = {days}", f"slot_minutes = {slot}", "",
    ]
    for qid, name, cph, sess in qs:
        lines += ["[[queues]]", f'id = "{qid}"', f'name = "{name}"', f"contacts_per_agent_hour = {cph}",
                  f"session_minutes = {sess}", ""]
    h0 = 0 if night_start is None else night_start
    eight_hour = [(code, f"{(h0 + 8 * k) % 24:02d}:00", 8, k == 0, None) for k, code in enumerate("NEL")]
    for code, start, hours, night, kinds in [*eight_hour, ("P", "19:00", 4, False, ["flex"])]:
        lines += ["[[shifts]]", f'code = "{code}"', f'start = "{start}"', f"hours = {hours}",
                  f"night = {'true' if night else 'false'}"]
        if kinds:
            lines.append("kinds = [" + ", ".join(f'"{k}"' for k in kinds) + "]")
        lines.append("")
    lines += ["[rules]", "min_rest_hours = 11", "max_consecutive_days = 6", "max_hours_week = 48",
              "max_night_shifts = 3", "max_continuous_hours = 4", "max_continuous_high_load_hours = 2",
              "reroute_concurrency = 100", "min_leads_on_duty = 1", ""]
    if sale_in:
        lines += ["[[moves]]", f"dates = [{SALE_DAY}]", 'from = "after_sales"', 'to = "pre_sales"', ""]
    lines += ["[solver]", "time_limit_s = 60", "workers = 2", f"seed = {seed}", ""]
    (folder / "scenario.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("out", nargs="?", default=str(Path(__file__).parent / "scenarios"))
    p.add_argument("--agents", type=int, nargs="+", default=[50, 100, 200, 400, 800])
    p.add_argument("--days", type=int, nargs="+", default=[7, 14])
    p.add_argument("--slot", type=int, nargs="+", default=[60, 30])
    p.add_argument("--queues", type=int, nargs="+", default=[2, 3])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--night-start", type=int, default=None, help="hour the night shift starts (22: across midnight)")
    p.add_argument("--absent-share", type=float, default=0.01, help="part of the staff absent for 1-3 days")
    a = p.parse_args(argv)
    for agents, days, slot, queues in itertools.product(a.agents, a.days, a.slot, a.queues):
        print(generate(Path(a.out), agents, days, slot, queues, a.seed, night_start=a.night_start,
                       absent_share=a.absent_share))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
