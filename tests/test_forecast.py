"""The forecast of SPEC section 5 on paper, demand.csv round trips, and the bundled scenarios."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.forecast import derive_demand, rule_of_thumb, write_demand_csv
from scheduler.scenario import Scenario, ScenarioConfig, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"

# 1 000 000 CNY at 200 CNY = 5 000 orders; 100 to contact; 750 in-sale + 150 after-sale = 900
# refunds; 90 on the peak day, 45 on each ordinary day; 5 000 * 0.3 + 100 = 1 600 pre-sales contacts
PLAN = {
    "sales_target": 1_000_000, "avg_order_value": 200, "inquiry_rate": 0.3, "stockout_rate": 0.02,
    "refund_rate": 0.15, "after_sale_refund_ratio": 0.2, "refund_peak_share": 0.10,
    "refund_regular_share": 0.05, "contacts_per_refund": 1.5, "sale_day": "2026-11-11",
}


def make_config(days: int = 5, start: str = "2026-11-09", slot_minutes: int = 60, queues: int = 2,
                **plan) -> ScenarioConfig:
    ids = ["pre_sales", "after_sales", "vip"][:queues]
    return ScenarioConfig.model_validate({
        "name": "paper", "start": start, "days": days, "slot_minutes": slot_minutes,
        "queues": [{"id": q, "contacts_per_agent_hour": 25, "session_minutes": 120} for q in ids],
        "shifts": [{"code": "E", "start": "08:00", "hours": 8}],
        "forecast": {**PLAN, **plan},
    })


def step(steps: list[tuple[str, float | str]], prefix: str) -> float | str:
    found = [v for name, v in steps if name.startswith(prefix)]
    assert len(found) == 1, f"expected one step starting with {prefix!r}, got {found}"
    return found[0]


def daily(values: list[float], slot_minutes: int = 60) -> list[float]:
    per_day = 24 * 60 // slot_minutes
    return [sum(values[k:k + per_day]) for k in range(0, len(values), per_day)]


def test_the_seven_steps_on_paper():
    _, steps = derive_demand(make_config())
    assert step(steps, "1. orders") == pytest.approx(5000)
    assert step(steps, "2. orders to contact") == pytest.approx(100)
    assert step(steps, "3. in-sale refunds") == pytest.approx(750)
    assert step(steps, "4. after-sale refunds") == pytest.approx(150)
    assert step(steps, "5. total refunds") == pytest.approx(900)
    assert step(steps, "6. refunds on the peak day 2026-11-12") == pytest.approx(90)
    assert step(steps, "7. refunds on each ordinary day") == pytest.approx(45)
    assert step(steps, "pre-sales contacts =") == pytest.approx(1600)
    assert step(steps, "pre-sales contacts go to") == "pre_sales"
    assert step(steps, "after-sales contacts go to") == "after_sales"


def test_daily_totals_are_the_shares_times_the_totals():
    cfg = make_config(baseline_contacts_per_day={"pre_sales": 100, "after_sales": 40})
    demand, steps = derive_demand(cfg)
    n = 5 * 24
    assert all(len(v) == n for v in demand.values())
    # default day shares 4 / 16 / 68 / 8 / 4 % all fall inside 11-09 .. 11-13
    pre = [1600 * s + 100 for s in (0.04, 0.16, 0.68, 0.08, 0.04)]
    # refunds * 1.5: none before the sale, 5 % of the 750 in-sale refunds on the sale day, 90, 45
    after = [40, 40, 0.05 * 750 * 1.5 + 40, 90 * 1.5 + 40, 45 * 1.5 + 40]
    assert daily(demand["pre_sales"]) == pytest.approx(pre)
    assert daily(demand["after_sales"]) == pytest.approx(after)
    for k, d in enumerate(cfg.dates):
        assert step(steps, f"daily total {d} pre_sales") == pytest.approx(pre[k])
        assert step(steps, f"daily total {d} after_sales") == pytest.approx(after[k])
    assert not [name for name, _ in steps if "outside the horizon" in name]


def test_day_shares_are_normalised_over_the_days_inside_the_horizon():
    cfg = make_config(days=3, start="2026-11-10")  # offsets -2 and +2 (4 % + 4 %) fall outside
    demand, steps = derive_demand(cfg)
    assert step(steps, "share of the pre-sales day shares outside") == pytest.approx(0.08)
    assert daily(demand["pre_sales"]) == pytest.approx([1600 * s / 0.92 for s in (0.16, 0.68, 0.08)])
    assert sum(demand["pre_sales"]) == pytest.approx(1600)


def test_given_day_shares_and_profile_are_used_as_given():
    flat = [1.0] * 24
    cfg = make_config(presale_day_shares={"0": 3, "+1": 1}, hourly_profile=flat,
                      after_sales_hourly_profile=flat)
    demand, _ = derive_demand(cfg)
    assert daily(demand["pre_sales"]) == pytest.approx([0, 0, 1200, 400, 0])
    sale_day = demand["pre_sales"][48:72]
    assert sale_day == pytest.approx([50.0] * 24)  # no midnight spike on a profile the user gave


def test_refunds_never_exceed_the_sale_s_total():
    cfg = make_config(days=40)
    demand, _ = derive_demand(cfg)
    # 37.5 on the sale day + 90 + 45 per day until the 900 refunds have all arisen
    assert sum(demand["after_sales"]) == pytest.approx(900 * 1.5)


def test_the_sale_day_midnight_hour_is_the_pre_sales_peak():
    cfg = make_config()
    demand, _ = derive_demand(cfg)
    pre = demand["pre_sales"]
    midnight = 2 * 24  # 2026-11-11 00:00
    assert max(range(len(pre)), key=pre.__getitem__) == midnight
    ordinary = pre[0:24]
    # daytime peaks of an ordinary day at 09-10, 14-16 and 20-22, quiet 02-07
    assert max(ordinary[2:7]) < min(ordinary[h] for h in (9, 14, 15, 20, 21)) / 5
    assert ordinary[21] == max(ordinary)
    # after-sales work is daytime work
    after = demand["after_sales"][72:96]
    assert max(after[2:7]) < max(after[9:23]) / 10


def test_thirty_minute_slots_split_each_hour_evenly():
    hourly, _ = derive_demand(make_config(slot_minutes=60, baseline_contacts_per_day={"after_sales": 30}))
    halves, _ = derive_demand(make_config(slot_minutes=30, baseline_contacts_per_day={"after_sales": 30}))
    for q in ("pre_sales", "after_sales"):
        assert len(halves[q]) == 2 * len(hourly[q])
        for t, c in enumerate(hourly[q]):
            assert halves[q][2 * t] == pytest.approx(c / 2)
            assert halves[q][2 * t + 1] == pytest.approx(c / 2)


def test_one_queue_gets_both_kinds_of_contacts():
    demand, steps = derive_demand(make_config(queues=1))
    assert list(demand) == ["pre_sales"]
    assert step(steps, "after-sales contacts go to") == "pre_sales"
    assert sum(demand["pre_sales"]) == pytest.approx(1600 + (37.5 + 90 + 45) * 1.5)


def test_without_a_forecast_table_there_is_nothing_to_derive():
    cfg = make_config().model_copy(update={"forecast": None})
    with pytest.raises(ValueError, match="forecast"):
        derive_demand(cfg)


def write_scenario(folder: Path, slot_minutes: int) -> None:
    folder.mkdir()
    (folder / "scenario.toml").write_text(f"""
name = "round-trip"
start = 2026-11-10
days = 3
slot_minutes = {slot_minutes}

[[queues]]
id = "pre_sales"
contacts_per_agent_hour = 25
session_minutes = 120

[[queues]]
id = "after_sales"
contacts_per_agent_hour = 20
session_minutes = 120

[[shifts]]
code = "E"
start = "08:00"
hours = 8

[forecast]
sales_target = 1000000
avg_order_value = 200
inquiry_rate = 0.3
stockout_rate = 0.02
refund_rate = 0.15
sale_day = 2026-11-11

[forecast.baseline_contacts_per_day]
after_sales = 123.4
""", encoding="utf-8")
    (folder / "staff.csv").write_text("employee_id,name,home_queue\nE001,王芳,pre_sales\n", encoding="utf-8")


@pytest.mark.parametrize("slot_minutes", [60, 30, 15])
def test_a_written_demand_csv_loads_back_to_the_same_numbers(tmp_path, slot_minutes):
    folder = tmp_path / "scenario"
    write_scenario(folder, slot_minutes)
    derived = load_scenario(folder)
    assert derived.demand_source == "forecast"
    write_demand_csv(folder / "demand.csv", derived.config, derived.demand)
    loaded = load_scenario(folder)
    assert loaded.demand_source == "demand.csv"
    for q in derived.config.queue_ids:
        assert loaded.demand[q] == pytest.approx(derived.demand[q], abs=0.05 + 1e-9)
        assert loaded.demand[q] == [round(c, 1) for c in derived.demand[q]]
    assert sorted(p.name for p in folder.iterdir()) == ["demand.csv", "scenario.toml", "staff.csv"]
    lines = (folder / "demand.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "start,queue,contacts"
    assert lines[1].startswith("2026-11-10 00:00,pre_sales,")
    assert len(lines) == 1 + 2 * derived.n_slots


def test_writing_demand_csv_replaces_the_old_file_or_leaves_it_alone(tmp_path):
    folder = tmp_path / "scenario"
    write_scenario(folder, 60)
    cfg = load_scenario(folder).config
    path = folder / "demand.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError, match="one per slot"):
        write_demand_csv(path, cfg, {"pre_sales": [1.0]})
    assert path.read_text(encoding="utf-8") == "old"
    write_demand_csv(path, cfg, {"pre_sales": [2.04] * 72, "after_sales": [0.0] * 72})
    assert load_scenario(folder).demand["pre_sales"] == [2.0] * 72
    assert sorted(p.name for p in folder.iterdir()) == ["demand.csv", "scenario.toml", "staff.csv"]


def test_rule_of_thumb_headcount():
    cfg = make_config(days=1, start="2026-11-12")  # only the queues matter: the demand is given
    demand = {"pre_sales": [0.0] * 24, "after_sales": [0.0] * 24}
    demand["pre_sales"][10] = 401.0  # 401 contacts / (25 * 8) = 2.005 -> 3 agents
    demand["after_sales"][10] = 400.0  # exactly 2 agent-days
    scenario = Scenario(config=cfg, agents=[], demand=demand)
    assert rule_of_thumb(scenario) == [
        {"date": dt.date(2026, 11, 12), "queue": "pre_sales", "contacts": 401.0, "agents": 3},
        {"date": dt.date(2026, 11, 12), "queue": "after_sales", "contacts": 400.0, "agents": 2},
    ]
    capped = cfg.model_copy(update={"forecast": cfg.forecast.model_copy(update={"agent_daily_capacity": 100})})
    assert [r["agents"] for r in rule_of_thumb(Scenario(config=capped, agents=[], demand=demand))] == [5, 4]


def test_the_double11_demo_loads():
    s = load_scenario(DATA / "double11")
    assert s.demand_source == "forecast"
    assert s.config.queue_ids == ["pre_sales", "after_sales"]
    assert s.config.days == 7 and s.config.slot_minutes == 60 and s.n_slots == 168
    assert len(s.agents) == 80
    assert sum(a.kind == "flex" for a in s.agents) == 12
    assert all(a.efficiency == 0.7 for a in s.agents if a.kind == "flex")
    assert sum(a.is_lead for a in s.agents) == 6
    assert sum(a.is_lead and a.night_ok for a in s.agents) >= 3
    assert any(m.from_queue == "after_sales" and m.to_queue == "pre_sales"
               and dt.date(2026, 11, 11) in m.dates for m in s.config.moves)
    assert {sh.code for sh in s.config.shifts} == {"N", "E", "L", "P"}
    assert s.absences
    # the sale day's midnight is the week's busiest hour
    total = [sum(v[t] for v in s.demand.values()) for t in range(s.n_slots)]
    assert max(range(s.n_slots), key=total.__getitem__) == 48
    assert step(s.forecast_steps, "1. orders") == pytest.approx(37500)


def test_the_three_queue_scenario_loads():
    s = load_scenario(DATA / "three_queues_30min")
    assert s.demand_source == "demand.csv"
    assert s.config.queue_ids == ["pre_sales", "after_sales", "vip"]
    assert s.config.slot_minutes == 30 and s.n_slots == 144
    assert len(s.agents) == 18
    assert sum(a.kind == "flex" for a in s.agents) == 3
    assert 2 <= sum(a.is_lead for a in s.agents) <= 3
    assert sum(not a.night_ok for a in s.agents) == 2
    assert any(m.from_queue == "after_sales" and m.to_queue == "pre_sales" for m in s.config.moves)
    night = [sh for sh in s.config.shifts if sh.night]
    assert night and night[0].start == dt.time(22, 0)
    assert s.absences
    assert all(sum(v) > 0 for v in s.demand.values())
