"""The repair's sheets (SPEC sections 6 and 7): Options (the calls-versus-service table),
Demand (the demand a repaired roster was planned under, when a surge changed it) and the
Changes sheet's call list with the message per person. The writer lays out; it decides nothing.

A Demand sheet travels with the workbook like the Absences sheet: `scheduler check` and a
later `repair` of the workbook read it, so the high-load hours and the published service are
those the roster was planned for.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, TypedDict

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.errors import InputError, Problem
from scheduler.scenario import Scenario
from scheduler.surge import with_demand
from scheduler.workbook import cells as w

OPTIONS = "Options"
DEMAND = "Demand"
DEMAND_COLUMNS = ["start", "queue", "contacts"]
HIGH_LOAD = "high_load"  # yes / no: the slot's high-load flag the roster was planned with


class _Labels(TypedDict):
    message: str
    call: str
    yes: str
    no: str
    not_proven: str
    options_title: str
    columns: dict[str, str]
    units: str


LABELS: dict[str, _Labels] = {
    "en": {"message": "message", "call": "call", "yes": "yes", "no": "no (own absence)", "not_proven": "no",
           "options_title": "Calls versus service: what remains lost (against the published roster's service) "
                            "with at most this many calls",
           "columns": {"calls": "calls", "overflow_lost": "overflow_lost", "shortage_lost": "shortage_lost",
                       "recovered": "recovered (of the loss with 0 calls)", "proven": "proven least"},
           "units": "overflow in customer-hours, shortage in agent-hours; an empty row: no roster keeps the rules "
                    "with so few calls"},
    "zh": {"message": "通知内容", "call": "需通知", "yes": "是", "no": "否（本人缺勤）", "not_proven": "否",
           "options_title": "通知人数与服务：最多通知这么多人时，相对已发布排班仍损失的服务",
           "columns": {"calls": "calls", "overflow_lost": "overflow_lost", "shortage_lost": "shortage_lost",
                       "recovered": "挽回比例（相对不通知任何人）", "proven": "已证明最少"},
           "units": "溢出单位为客户·小时，缺口单位为人·小时；空行表示通知这么少的人无法满足规则"},
}


def options_sheet(ws: Worksheet, rows: list[list], lang: str) -> None:
    """The Options sheet: header row 1 with `calls, overflow_lost, shortage_lost` first (the
    SPEC's names in every language), then one row per number of calls."""
    from scheduler.calls import OPTION_COLUMNS

    L = LABELS[lang]
    # the first three names are the contract; the others follow the language
    w._header(ws, 1, [c if k < 3 else L["columns"][c] for k, c in enumerate(OPTION_COLUMNS)])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if c == len(row) and value in ("yes", "no"):
                value = L["yes"] if value == "yes" else L["not_proven"]
            w._put(ws, r, c, value)
            if c == 4 and value is not None:
                ws.cell(row=r, column=c).number_format = "0%"
    note = len(rows) + 3
    w._put(ws, note, 1, L["options_title"])
    w._put(ws, note + 1, 1, L["units"])
    ws.freeze_panes = "A2"
    w._widths(ws, {"A": 8, "B": 14, "C": 14, "D": 30, "E": 14})


def changes_columns(lang: str) -> tuple[list[str], list[str]]:
    """Extra columns of the Changes sheet (keys, labels): the message, and whether it is a call."""
    L = LABELS[lang]
    return ["message", "call"], [L["message"], L["call"]]


def call_value(change: dict, lang: str) -> str:
    return LABELS[lang]["yes"] if change.get("call", True) else LABELS[lang]["no"]


def demand_sheet(ws: Worksheet, scenario: Scenario) -> None:
    """The demand the roster was planned under: start, queue, contacts (a missing row means zero,
    as in demand.csv) and whether the slot is high-load (the hours the breaks were planned for)."""
    from scheduler.grid import Grid

    cfg = scenario.config
    high = Grid(scenario).high_load
    w._header(ws, 1, DEMAND_COLUMNS + [HIGH_LOAD])
    r = 2
    step = dt.timedelta(minutes=cfg.slot_minutes)
    for q in cfg.queue_ids:
        for t, contacts in enumerate(scenario.demand[q]):
            if contacts or (high[t] and q == cfg.queue_ids[0]):
                for c, value in enumerate([cfg.horizon_start + t * step, q, round(contacts, 4),
                                           "yes" if high[t] else "no"], start=1):
                    w._put(ws, r, c, value)
                r += 1
    ws.freeze_panes = "A2"
    w._widths(ws, {"A": 18, "B": 14, "C": 12, "D": 10})


def read_demand(path: Path, scenario: Scenario) -> Scenario:
    """The scenario under the Demand sheet of a roster workbook (unchanged when it has none):
    its contacts and its high-load hours."""
    path = Path(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        if DEMAND not in wb.sheetnames:
            return scenario
        raw = list(wb[DEMAND].iter_rows(values_only=True))
    finally:
        wb.close()
    where = f"{path.name} [{DEMAND}]"
    header = [str(h).strip() if h is not None else "" for h in (raw[0] if raw else ())]
    missing = [c for c in DEMAND_COLUMNS + [HIGH_LOAD] if c not in header]
    if missing:
        raise InputError([Problem(where, f"missing column {c!r}; expected {', '.join(DEMAND_COLUMNS + [HIGH_LOAD])}",
                                  row=1) for c in missing])
    col = {c: header.index(c) for c in DEMAND_COLUMNS + [HIGH_LOAD]}
    cfg = scenario.config
    n = scenario.n_slots
    demand = {q: [0.0] * n for q in cfg.queue_ids}
    high = [False] * n
    problems: list[Problem] = []
    for row_no, values in enumerate(raw[1:], start=2):
        cells: dict[str, Any] = {k: (values[i] if i < len(values) else None) for k, i in col.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        start, q, v, hl = cells["start"], cells["queue"], cells["contacts"], cells[HIGH_LOAD]
        t = None
        if isinstance(start, dt.datetime):
            offset = (start - cfg.horizon_start).total_seconds() / 60
            if offset % cfg.slot_minutes == 0 and 0 <= offset / cfg.slot_minutes < n:
                t = int(offset // cfg.slot_minutes)
        if t is None:
            problems.append(Problem(where, f"expected a slot start of the horizon, got {start!r}", row=row_no,
                                    column="start"))
        if q not in demand:
            problems.append(Problem(where, f"unknown queue {q!r}; expected one of {', '.join(cfg.queue_ids)}",
                                    row=row_no, column="queue"))
        if hl not in ("yes", "no"):
            problems.append(Problem(where, f"expected yes or no, got {hl!r}", row=row_no, column=HIGH_LOAD))
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            problems.append(Problem(where, f"expected a non-negative number of contacts, got {v!r}", row=row_no,
                                    column="contacts"))
        elif t is not None and q in demand:
            demand[q][t] = float(v)
            high[t] = high[t] or hl == "yes"
    if problems:
        raise InputError(problems)
    return with_demand(scenario, demand, high)
