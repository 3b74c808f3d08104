"""The Excel workbook HR imports and the team reads (SPEC section 7), and the reader of its
Assignments sheet.

The writer never decides anything: it lays out the roster, coverage, KPIs and solve report it
is given. Sheet names are fixed in English; labels follow `lang` ("en" or "zh"), except the
Assignments header, which HR's import depends on. Every string is written as text, never as a
formula, and every file is replaced atomically, so a failed write leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import math
import os
import platform
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from pydantic import ValidationError
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import scheduler
from scheduler.errors import InputError, Problem
from scheduler.result import SolveReport
from scheduler.roster import Roster
from scheduler.scenario import Absence, Scenario, parse_datetime, parse_number

ASSIGNMENTS = "Assignments"
ROSTER = "Roster"
COVERAGE = "Coverage"
SUMMARY = "Summary"
FORECAST = "Forecast"
CHANGES = "Changes"
ABSENCES = "Absences"
ABSENCE_COLUMNS = ["employee_id", "name", "start", "end", "reason"]

# HR's import reads these exact strings in row 1, in every language
ASSIGNMENT_COLUMNS = ["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"]
# the coverage table keeps the SPEC's column names so it reads back into pandas unchanged
COVERAGE_COLUMNS = ["start", "queue", "contacts", "required", "staffed", "shortage",
                    "concurrency", "overflow", "high_load"]
COVERAGE_DECIMALS = {"contacts": 2, "required": 2, "staffed": 2, "shortage": 2,
                     "concurrency": 1, "overflow": 1}

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_DATETIME = "%Y-%m-%d %H:%M"

# shift fills, given out in scenario.config.shifts order (cycled when there are more shifts)
PALETTE = ("BDD7EE", "FFE699", "C6E0B4", "F8CBAD", "D9D2E9", "FCE4D6", "DDEBF7", "E2EFDA",
           "FFF2CC", "B4C6E7")
ABSENT_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WEEKEND_FILL = PatternFill("solid", fgColor="FCE4D6")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
ABSENT_FONT = Font(italic=True, color="7F7F7F")
CENTER = Alignment(horizontal="center", vertical="center")

# a spreadsheet evaluates a CSV field starting with one of these as a formula
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "employee_id": "employee_id", "name": "name", "home_queue": "home queue", "kind": "kind",
        "regular": "regular", "flex": "flex", "absent": "absent",
        "legend": "Legend", "moved": "X→queue: works that queue instead of the home queue",
        "absent_legend": "absent (leave or sick call; the reason when one was given)",
        "night": "night", "kinds": "for",
        "chart_title": "Required vs staffed agents: {queue}", "required": "required",
        "staffed": "staffed", "agents": "agents (efficiency-weighted)",
        "title": "Roster summary", "scenario": "scenario",
        "sec_solve": "Solve", "status": "status", "objective": "objective ({tier}, {unit})",
        "objective_plain": "objective", "best_bound": "best bound", "gap": "gap",
        "solve_seconds": "solve seconds", "time_limit": "time limit (s)", "workers": "workers",
        "seed": "seed", "variables": "model size: variables", "constraints": "model size: constraints",
        "sec_tiers": "Objective tiers (in order of priority)", "tier": "tier", "unit": "unit",
        "sec_service": "Service against proven lower bounds", "measure": "measure", "achieved": "achieved",
        "lp_bound": "LP relaxation bound", "cp_bound": "CP-SAT bound",
        "seconds": "seconds", "sec_notes": "Notes", "sec_kpis": "Key figures",
        "sec_horizon": "Scenario", "horizon": "horizon", "days": "days", "slot_minutes": "slot minutes",
        "n_agents": "agents (regular / flex / leads)", "demand_source": "demand from",
        "sec_rules": "Rules in force", "rule": "rule", "value": "value", "meaning": "meaning",
        "high_load_auto": "auto: 60 % of the horizon's peak",
        "sec_queues": "Queues", "queue": "queue", "queue_name": "name",
        "contacts_per_agent_hour": "contacts per agent-hour", "session_minutes": "session minutes",
        "norm_concurrency": "concurrent customers at the norm",
        "sec_shifts": "Shift types", "code": "code", "start": "start", "end": "end", "hours": "hours",
        "sec_moves": "Mandatory moves", "dates": "dates", "from": "from", "to": "to",
        "sec_versions": "Software", "yes": "yes", "no": "no", "na": "n/a",
        "step": "step", "rule_of_thumb": "Rule-of-thumb headcount beside the optimized roster",
        "date": "date", "contacts": "contacts", "rot_agents": "agents (rule of thumb)",
        "rostered": "agents rostered",
        "before": "before", "after": "after", "call_list": "Call these people",
        "changed_dates": "dates changed",
    },
    "zh": {
        "weekdays": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        "employee_id": "工号", "name": "姓名", "home_queue": "所属队列", "kind": "类型",
        "regular": "正式", "flex": "机动", "absent": "缺勤",
        "legend": "图例", "moved": "X→队列：当班服务该队列而非所属队列",
        "absent_legend": "缺勤（请假或病假；填写了原因时显示原因）",
        "night": "夜班", "kinds": "适用",
        "chart_title": "需求人数与在岗人数：{queue}", "required": "需求",
        "staffed": "在岗", "agents": "人数（按效率折算）",
        "title": "排班汇总", "scenario": "场景",
        "sec_solve": "求解", "status": "状态", "objective": "目标值（{tier}，{unit}）",
        "objective_plain": "目标值", "best_bound": "最优界", "gap": "差距",
        "solve_seconds": "求解秒数", "time_limit": "时间上限（秒）", "workers": "线程数",
        "seed": "随机种子", "variables": "模型规模：变量数", "constraints": "模型规模：约束数",
        "sec_tiers": "目标层级（按优先级）", "tier": "层级", "unit": "单位",
        "sec_service": "服务指标与可证明的下界", "measure": "指标", "achieved": "实际值",
        "lp_bound": "线性松弛下界", "cp_bound": "CP-SAT 下界",
        "seconds": "秒", "sec_notes": "说明", "sec_kpis": "关键指标",
        "sec_horizon": "场景", "horizon": "排班周期", "days": "天数", "slot_minutes": "时段分钟数",
        "n_agents": "人数（正式 / 机动 / 组长）", "demand_source": "需求来源",
        "sec_rules": "生效规则", "rule": "规则", "value": "值", "meaning": "含义",
        "high_load_auto": "自动：周期峰值的 60 %",
        "sec_queues": "队列", "queue": "队列", "queue_name": "名称",
        "contacts_per_agent_hour": "每人每小时接待量", "session_minutes": "会话分钟数",
        "norm_concurrency": "标准同时接待数",
        "sec_shifts": "班次", "code": "代码", "start": "开始", "end": "结束", "hours": "小时",
        "sec_moves": "强制调岗", "dates": "日期", "from": "从", "to": "到",
        "sec_versions": "软件版本", "yes": "是", "no": "否", "na": "无",
        "step": "步骤", "rule_of_thumb": "经验估算人数与优化排班对比",
        "date": "日期", "contacts": "咨询量", "rot_agents": "经验估算人数",
        "rostered": "排班人数",
        "before": "调整前", "after": "调整后", "call_list": "需要通知的人员",
        "changed_dates": "变动日期数",
    },
}

KPI_LABELS = {
    "en": {
        "overflow_customer_hours": "overflow (customer-hours)",
        "shortage_agent_hours": "shortage (agent-hours)",
        "required_agent_hours": "required (agent-hours)",
        "flex_hours": "flex staff hours",
        "regular_hours": "regular staff hours",
        "shifts": "shifts",
        "agents_working": "agents with at least one shift",
        "hours_per_agent_min": "hours per agent, min",
        "hours_per_agent_max": "hours per agent, max",
        "nights_per_agent_min": "night shifts per agent, min",
        "nights_per_agent_max": "night shifts per agent, max",
        "peak_concurrency": "peak concurrent customers per agent",
    },
    "zh": {
        "overflow_customer_hours": "溢出（客户·小时）",
        "shortage_agent_hours": "缺口（人·小时）",
        "required_agent_hours": "需求（人·小时）",
        "flex_hours": "机动人员工时",
        "regular_hours": "正式人员工时",
        "shifts": "班次数",
        "agents_working": "有排班的人数",
        "hours_per_agent_min": "人均工时最少",
        "hours_per_agent_max": "人均工时最多",
        "nights_per_agent_min": "人均夜班最少",
        "nights_per_agent_max": "人均夜班最多",
        "peak_concurrency": "峰值人均同时接待数",
    },
}

RULE_MEANINGS = {
    "en": {
        "min_rest_hours": "hours of rest between two shifts, at least",
        "max_consecutive_days": "dates in a row with a shift, at most",
        "max_hours_week": "worked hours per 7-day block, at most (staff list may override)",
        "max_night_shifts": "night shifts per agent over the horizon, at most",
        "max_continuous_hours": "hours worked without a break, at most",
        "max_continuous_high_load_hours": "hours worked without a break in high-load slots, at most",
        "high_load_contacts_per_hour": "contacts per hour (all queues) from which a slot is high-load",
        "reroute_concurrency": "concurrent customers per agent above which contacts are rerouted",
        "min_leads_on_duty": "leads on shift whenever anyone works, at least",
    },
    "zh": {
        "min_rest_hours": "两班之间最少休息小时数",
        "max_consecutive_days": "最多连续上班天数",
        "max_hours_week": "每 7 天最多工时（人员表可单独设置）",
        "max_night_shifts": "每人周期内最多夜班数",
        "max_continuous_hours": "最长连续工作小时数（不休息）",
        "max_continuous_high_load_hours": "高负荷时段最长连续工作小时数",
        "high_load_contacts_per_hour": "高负荷时段阈值（所有队列每小时咨询量）",
        "reroute_concurrency": "人均同时接待超过此数即分流",
        "min_leads_on_duty": "有人上班时最少在班组长数",
    },
}


# ---------------------------------------------------------------------------------------------
# Atomic files

@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the folder of `path`; when the block succeeds the temp file
    replaces `path` in one step (os.replace). On any exception the temp file is removed and the
    exception re-raised, so an existing file at `path` is never half-written."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "r+b") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets what open() would give it
    (mkstemp's 0600 would hide the roster from the rest of the team)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_csv_atomic(path: Path, header: list[str], rows: list[list]) -> None:
    """Write a CSV file (UTF-8 with BOM, so Excel shows Chinese names) atomically. Datetimes are
    written "2026-11-11 09:00", dates "2026-11-11", whole floats without ".0"."""
    with atomic_path(Path(path)) as tmp:
        _write_csv(tmp, header, rows)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([_csv_field(h) for h in header])
        for row in rows:
            writer.writerow([_csv_field(v) for v in row])


def _csv_field(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    # a spreadsheet opening the CSV would run "=HYPERLINK(...)"; a leading ' keeps it text.
    # Plain numbers such as "+1" are left alone: Excel reads them as numbers, never as formulas.
    if text.startswith(CSV_FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


# ---------------------------------------------------------------------------------------------
# Writing the workbook

def write_workbook(path: Path, *, scenario: Scenario, roster: Roster, report: SolveReport | None,
                   coverage: pd.DataFrame, kpis: dict, lang: str = "en",
                   changes: list[dict] | None = None,
                   rule_of_thumb: list[dict] | None = None,
                   title_note: str | None = None,
                   extra_sheets: list[Callable[[openpyxl.Workbook], None]] | None = None) -> list[Path]:
    """Write the roster workbook (SPEC section 7) to `path` and the Assignments table as
    `<stem>_assignments.csv` beside it; return both paths. Hours are hours, coverage figures
    are per slot in the units of kpi.coverage(). `changes` (repair only) are dicts with
    employee_id, name, date, before, after; `rule_of_thumb` rows have date, queue, contacts,
    agents; each of `extra_sheets` adds its sheets to the workbook (Hires, ...). Both files are replaced atomically: on failure the previous files stay as they were."""
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LABELS)}, got {lang!r}")
    path = Path(path)
    L = LABELS[lang]
    names = {a.employee_id: a.name for a in scenario.agents}
    rows = roster.rows(names)

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.title = _clean(scenario.config.name)
    wb.properties.creator = "mega-sale-scheduler"
    _assignments_sheet(wb.create_sheet(ASSIGNMENTS), rows)
    _roster_sheet(wb.create_sheet(ROSTER), scenario, roster, lang)
    _coverage_sheet(wb.create_sheet(COVERAGE), scenario, coverage, L)
    _summary_sheet(wb.create_sheet(SUMMARY), scenario, report, kpis, lang, title_note,
                   rule_of_thumb if not scenario.forecast_steps else None, roster)
    if scenario.forecast_steps:
        _forecast_sheet(wb.create_sheet(FORECAST), scenario, rule_of_thumb, roster, L)
    if changes is not None:
        _changes_sheet(wb.create_sheet(CHANGES), changes, L)
    if scenario.absences:
        _absences_sheet(wb.create_sheet(ABSENCES), scenario)
    for add in extra_sheets or []:
        add(wb)
    wb.active = 0  # import tools that take "the active sheet" get the Assignments

    path.parent.mkdir(parents=True, exist_ok=True)
    csv_path = path.with_name(f"{path.stem}_assignments.csv")
    csv_rows = [[r[c] for c in ASSIGNMENT_COLUMNS] for r in rows]
    with atomic_path(path) as xlsx_tmp, atomic_path(csv_path) as csv_tmp:
        wb.save(xlsx_tmp)
        _write_csv(csv_tmp, ASSIGNMENT_COLUMNS, csv_rows)
    return [path, csv_path]


def _assignments_sheet(ws: Worksheet, rows: list[dict]) -> None:
    _header(ws, 1, ASSIGNMENT_COLUMNS)
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(ASSIGNMENT_COLUMNS, start=1):
            _put(ws, r, c, row[key])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ASSIGNMENT_COLUMNS))}{len(rows) + 1}"
    _widths(ws, {"A": 14, "B": 16, "C": 12, "D": 8, "E": 14, "F": 17, "G": 17, "H": 8})


def _roster_sheet(ws: Worksheet, scenario: Scenario, roster: Roster, lang: str) -> None:
    L = LABELS[lang]
    cfg = scenario.config
    dates = cfg.dates
    fills = {s.code: PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)]) for i, s in enumerate(cfg.shifts)}
    first_date_col = 5
    header = [L["employee_id"], L["name"], L["home_queue"], L["kind"]]
    header += [f"{d:%m-%d} {L['weekdays'][d.weekday()]}" for d in dates]
    _header(ws, 1, header)
    for k, d in enumerate(dates):
        if d.weekday() >= 5:
            ws.cell(row=1, column=first_date_col + k).fill = WEEKEND_FILL

    shifts_on: dict[tuple[str, dt.date], list] = {}
    for a in sorted(roster.assignments, key=lambda a: a.start):
        shifts_on.setdefault((a.employee_id, a.date), []).append(a)
    absent_on: dict[tuple[str, dt.date], list[str]] = {}
    for ab in scenario.absences:
        for d in dates:
            day_start = dt.datetime.combine(d, dt.time())
            if ab.start < day_start + dt.timedelta(days=1) and ab.end > day_start:
                absent_on.setdefault((ab.employee_id, d), []).append(ab.reason.strip() or L["absent"])

    for r, agent in enumerate(scenario.agents, start=2):
        _put(ws, r, 1, agent.employee_id)
        _put(ws, r, 2, agent.name)
        _put(ws, r, 3, agent.home_queue)
        _put(ws, r, 4, L.get(agent.kind, agent.kind))
        for k, d in enumerate(dates):
            worked = shifts_on.get((agent.employee_id, d), [])
            parts = [a.shift if a.queue == agent.home_queue else f"{a.shift}→{a.queue}" for a in worked]
            parts += dict.fromkeys(absent_on.get((agent.employee_id, d), []))  # unique, in order
            if not parts:
                continue
            cell = _put(ws, r, first_date_col + k, " / ".join(parts))
            cell.alignment = CENTER
            if worked and worked[0].shift in fills:
                cell.fill = fills[worked[0].shift]
            elif not worked:
                cell.fill = ABSENT_FILL
                cell.font = ABSENT_FONT

    # legend below the grid
    r = len(scenario.agents) + 3
    _put(ws, r, 1, L["legend"]).font = BOLD
    for s in cfg.shifts:
        r += 1
        cell = _put(ws, r, 1, s.code)
        cell.fill, cell.alignment = fills[s.code], CENTER
        _put(ws, r, 2, _shift_description(s, L))
    r += 1
    _put(ws, r, 1, "X→q").alignment = CENTER
    _put(ws, r, 2, L["moved"])
    r += 1
    cell = _put(ws, r, 1, L["absent"])
    cell.fill, cell.font, cell.alignment = ABSENT_FILL, ABSENT_FONT, CENTER
    _put(ws, r, 2, L["absent_legend"])

    ws.freeze_panes = "C2"
    _widths(ws, {"A": 12, "B": 14, "C": 13, "D": 8})
    for k in range(len(dates)):
        ws.column_dimensions[get_column_letter(first_date_col + k)].width = 13
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:B"


def _shift_description(s, L: dict) -> str:
    begin = dt.datetime.combine(dt.date(2000, 1, 1), s.start)
    finish = begin + dt.timedelta(hours=s.hours)
    days_later = (finish.date() - begin.date()).days
    text = f"{begin:%H:%M}–{finish:%H:%M}" + (f" (+{days_later})" if days_later else "")
    text += f", {s.hours:g} h"
    if s.night:
        text += f", {L['night']}"
    return text + f", {L['kinds']} " + "/".join(L.get(k, k) for k in s.kinds)


def _coverage_sheet(ws: Worksheet, scenario: Scenario, coverage: pd.DataFrame, L: dict) -> None:
    columns = COVERAGE_COLUMNS + [c for c in coverage.columns if c not in COVERAGE_COLUMNS]
    _header(ws, 1, columns)
    table = coverage
    if len(coverage) and "queue" in coverage.columns:
        order = {q: i for i, q in enumerate(scenario.config.queue_ids)}
        key = coverage["queue"].map(order).fillna(len(order))
        sort_cols = ["_queue_order"] + (["start"] if "start" in coverage.columns else [])
        table = coverage.assign(_queue_order=key).sort_values(sort_cols, kind="stable")
    blocks: dict[str, list[int]] = {}
    r = 1
    for rec in table.to_dict("records"):
        r += 1
        for c, col in enumerate(columns, start=1):
            value = _plain(rec.get(col))
            if col in COVERAGE_DECIMALS and isinstance(value, float) and math.isfinite(value):
                value = round(value, COVERAGE_DECIMALS[col])
            _put(ws, r, c, value)
        blocks.setdefault(str(rec.get("queue", "")), []).append(r)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(r, 1)}"
    _widths(ws, {"A": 17, "B": 14})

    slots_per_day = 24 * 60 // scenario.config.slot_minutes
    req_col, staffed_col = columns.index("required") + 1, columns.index("staffed") + 1
    anchor_col = get_column_letter(len(columns) + 2)
    queue_names = {q.id: q.name for q in scenario.config.queues}
    for i, (queue, rows) in enumerate(blocks.items()):
        first, last = rows[0], rows[-1]
        if last - first + 1 != len(rows):
            continue  # rows of one queue are not contiguous: no honest range to chart
        chart = LineChart()
        shown = f"{queue} {queue_names[queue]}" if queue_names.get(queue) else queue
        chart.title = L["chart_title"].format(queue=_clean(shown))
        chart.y_axis.title = L["agents"]
        chart.height, chart.width = 9, 32
        for col, colour, label in ((req_col, "C00000", "required"), (staffed_col, "2F75B5", "staffed")):
            chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last), titles_from_data=False)
            series = chart.series[-1]
            series.tx = SeriesLabel(v=L[label])
            series.smooth = False
            series.marker.symbol = "none"
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 15000  # EMU, about 1.2 pt
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.x_axis.axPos = "b"
        chart.x_axis.number_format = "mm-dd hh:mm"
        chart.x_axis.tickLblSkip = slots_per_day  # one label per day keeps 14 days readable
        chart.x_axis.tickMarkSkip = slots_per_day
        chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
        chart.y_axis.delete = False
        chart.legend.position = "b"
        ws.add_chart(chart, f"{anchor_col}{1 + 19 * i}")


def _summary_sheet(ws: Worksheet, scenario: Scenario, report: SolveReport | None, kpis: dict,
                   lang: str, title_note: str | None, rule_of_thumb: list[dict] | None,
                   roster: Roster) -> None:
    L = LABELS[lang]
    cfg = scenario.config
    na = L["na"]
    _put(ws, 1, 1, f"{L['title']}: {cfg.name}").font = TITLE_FONT
    r = 2
    if title_note:
        _put(ws, r, 1, title_note).font = Font(italic=True)
        r += 1

    r = _section(ws, r + 1, L["sec_solve"])
    if report is None:
        pairs = [(L[k], na) for k in ("status", "objective_plain", "best_bound", "gap", "solve_seconds",
                                      "time_limit", "workers", "seed", "variables", "constraints")]
    else:
        first = report.phases[0] if report.phases else None
        objective = L["objective"].format(tier=first.name, unit=first.unit) if first else L["objective_plain"]
        pairs = [
            (L["status"], report.status),
            (objective, report.objective if first else na),
            (L["best_bound"], report.best_bound if first else na),
            (L["gap"], (first.gap, "0.00%") if first else na),
            (L["solve_seconds"], (round(report.seconds, 2), "0.00")),
            (L["time_limit"], report.time_limit_s),
            (L["workers"], report.workers),
            (L["seed"], report.seed),
            (L["variables"], report.n_variables),
            (L["constraints"], report.n_constraints),
        ]
    r = _pairs(ws, r, pairs)

    r = _section(ws, r + 1, L["sec_tiers"])
    tier_header = [L["tier"], L["unit"], L["status"], L["objective_plain"], L["best_bound"], L["gap"], L["seconds"]]
    tiers = [[p.name, p.unit, p.status, p.objective, p.best_bound, (p.gap, "0.00%"), (round(p.seconds, 2), "0.00")]
             for p in (report.phases if report else [])]
    r = _table(ws, r, tier_header, tiers or [[na]])

    if report is not None and report.service:
        r = _section(ws, r + 1, L["sec_service"])
        r = _table(ws, r, [L["measure"], L["unit"], L["achieved"], L["lp_bound"], L["cp_bound"], L["best_bound"],
                           L["gap"]],
                   [[b.name, b.unit, _rounded(b.achieved), _rounded(b.lp) if b.lp is not None else na,
                     _rounded(b.cp_sat) if b.cp_sat is not None else na, _rounded(b.best), (b.gap, "0.00%")]
                    for b in report.service])

    r = _section(ws, r + 1, L["sec_notes"])
    notes = report.notes if report and report.notes else [na]
    for note in notes:
        _put(ws, r, 1, note)
        r += 1

    r = _section(ws, r + 1, L["sec_kpis"])
    kpi_labels = KPI_LABELS[lang]
    r = _pairs(ws, r, [(kpi_labels.get(k, k), _rounded(v)) for k, v in kpis.items()])

    if rule_of_thumb is not None:
        r = _section(ws, r + 1, L["rule_of_thumb"])
        r = _rule_of_thumb_table(ws, r, rule_of_thumb, roster, L)

    r = _section(ws, r + 1, L["sec_horizon"])
    n_flex = sum(a.kind == "flex" for a in scenario.agents)
    n_leads = sum(a.is_lead for a in scenario.agents)
    r = _pairs(ws, r, [
        (L["scenario"], cfg.name),
        (L["horizon"], f"{cfg.dates[0]:%Y-%m-%d} .. {cfg.dates[-1]:%Y-%m-%d}"),
        (L["days"], cfg.days),
        (L["slot_minutes"], cfg.slot_minutes),
        (L["n_agents"], f"{len(scenario.agents) - n_flex} / {n_flex} / {n_leads}"),
        (L["demand_source"], scenario.demand_source),
    ])

    r = _section(ws, r + 1, L["sec_rules"])
    meanings = RULE_MEANINGS[lang]
    rule_rows = []
    for key in type(cfg.rules).model_fields:
        value = getattr(cfg.rules, key)
        if value is None and key == "high_load_contacts_per_hour":
            value = L["high_load_auto"]
        rule_rows.append([key, value, meanings.get(key, "")])
    r = _table(ws, r, [L["rule"], L["value"], L["meaning"]], rule_rows)

    r = _section(ws, r + 1, L["sec_queues"])
    r = _table(ws, r, [L["queue"], L["queue_name"], L["contacts_per_agent_hour"], L["session_minutes"],
                       L["norm_concurrency"]],
               [[q.id, q.name, q.contacts_per_agent_hour, q.session_minutes, q.norm_concurrency] for q in cfg.queues])

    r = _section(ws, r + 1, L["sec_shifts"])
    shift_rows = []
    for s in cfg.shifts:
        finish = dt.datetime.combine(dt.date(2000, 1, 1), s.start) + dt.timedelta(hours=s.hours)
        shift_rows.append([s.code, f"{s.start:%H:%M}", f"{finish:%H:%M}", s.hours,
                           L["yes"] if s.night else L["no"], "/".join(L.get(k, k) for k in s.kinds)])
    first_shift_row = r + 1
    r = _table(ws, r, [L["code"], L["start"], L["end"], L["hours"], L["night"], L["kinds"]], shift_rows)
    for i, s in enumerate(cfg.shifts):
        ws.cell(row=first_shift_row + i, column=1).fill = PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)])

    r = _section(ws, r + 1, L["sec_moves"])
    moves = [[", ".join(f"{d:%Y-%m-%d}" for d in m.dates), m.from_queue, m.to_queue] for m in cfg.moves]
    r = _table(ws, r, [L["dates"], L["from"], L["to"]], moves or [[na]])

    r = _section(ws, r + 1, L["sec_versions"])
    _pairs(ws, r, [("python", platform.python_version()), ("ortools", _version("ortools")),
                   ("mega-sale-scheduler", scheduler.__version__), ("openpyxl", openpyxl.__version__),
                   ("pandas", pd.__version__)])
    _widths(ws, {"A": 40, "B": 22, "C": 22, "D": 16, "E": 16, "F": 12, "G": 12})


def _forecast_sheet(ws: Worksheet, scenario: Scenario, rule_of_thumb: list[dict] | None,
                    roster: Roster, L: dict) -> None:
    _header(ws, 1, [L["step"], L["value"]])
    r = 1
    for label, value in scenario.forecast_steps:
        r += 1
        _put(ws, r, 1, label)
        value = _plain(value)
        cell = _put(ws, r, 2, value)
        if isinstance(value, float) and math.isfinite(value):
            cell.number_format = "#,##0" if value.is_integer() else "#,##0.00##"
    if rule_of_thumb is not None:
        r = _section(ws, r + 2, L["rule_of_thumb"])
        _rule_of_thumb_table(ws, r, rule_of_thumb, roster, L)
    ws.freeze_panes = "A2"
    _widths(ws, {"A": 48, "B": 16, "C": 12, "D": 16, "E": 16})


def _rule_of_thumb_table(ws: Worksheet, r: int, rule_of_thumb: list[dict], roster: Roster, L: dict) -> int:
    """The forecast's headcount per date and queue, with the agents the roster puts on that
    date and queue beside it, so a user sees what optimization saves."""
    rostered: dict[tuple, set[str]] = {}
    for a in roster.assignments:
        rostered.setdefault((a.date, a.queue), set()).add(a.employee_id)
    rows = []
    for row in rule_of_thumb:
        when = _plain(row.get("date"))
        day = when.date() if isinstance(when, dt.datetime) else when
        rows.append([day, row.get("queue"), _rounded(row.get("contacts")), _rounded(row.get("agents")),
                     len(rostered.get((day, row.get("queue")), ()))])
    return _table(ws, r, [L["date"], L["queue"], L["contacts"], L["rot_agents"], L["rostered"]], rows)


def _changes_sheet(ws: Worksheet, changes: list[dict], L: dict) -> None:
    keys = ["employee_id", "name", "date", "before", "after"]
    _header(ws, 1, [L[k] for k in keys])
    for r, change in enumerate(changes, start=2):
        for c, key in enumerate(keys, start=1):
            _put(ws, r, c, change.get(key))
    ws.freeze_panes = "A2"

    r = _section(ws, len(changes) + 3, L["call_list"])
    people: dict[str, dict] = {}
    for change in changes:
        eid = _id_text(change.get("employee_id"))
        entry = people.setdefault(eid, {"name": change.get("name"), "dates": set()})
        entry["dates"].add(str(change.get("date")))
    _table(ws, r, [L["employee_id"], L["name"], L["changed_dates"]],
           [[eid, p["name"], len(p["dates"])] for eid, p in people.items()])
    _widths(ws, {"A": 14, "B": 16, "C": 12, "D": 30, "E": 30})


def _absences_sheet(ws: Worksheet, scenario: Scenario) -> None:
    """The absences this roster was built under (the folder's and a repair's sick calls), so that
    `check` and a later `repair` of this workbook know them too."""
    names = {a.employee_id: a.name for a in scenario.agents}
    _header(ws, 1, ABSENCE_COLUMNS)
    for r, ab in enumerate(sorted(scenario.absences, key=lambda a: (a.start, a.employee_id)), start=2):
        for c, value in enumerate([ab.employee_id, names.get(ab.employee_id, ""), ab.start, ab.end, ab.reason],
                                  start=1):
            _put(ws, r, c, value)
    ws.freeze_panes = "A2"
    _widths(ws, {"A": 14, "B": 16, "C": 18, "D": 18, "E": 24})


def read_absences(path: Path) -> list[Absence]:
    """The Absences sheet of a roster workbook ([] when it has none)."""
    path = Path(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        if ABSENCES not in wb.sheetnames:
            return []
        raw_rows = list(wb[ABSENCES].iter_rows(values_only=True))
    finally:
        wb.close()
    where = f"{path.name} [{ABSENCES}]"
    header = [str(h).strip() if h is not None else "" for h in (raw_rows[0] if raw_rows else ())]
    missing = [c for c in ("employee_id", "start", "end") if c not in header]
    if missing:
        raise InputError([Problem(where, f"missing column {c!r}; expected {', '.join(ABSENCE_COLUMNS)}", row=1)
                          for c in missing])
    col = {name: header.index(name) for name in ABSENCE_COLUMNS if name in header}
    out, problems = [], []
    for row_no, values in enumerate(raw_rows[1:], start=2):
        cells = {k: (values[i] if i < len(values) else None) for k, i in col.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        try:
            out.append(Absence(employee_id=_id_text(cells["employee_id"]), start=_datetime_cell(cells["start"]),
                               end=_datetime_cell(cells["end"]),
                               reason="" if _blank(cells.get("reason")) else str(cells.get("reason"))))
        except (ValueError, ValidationError) as exc:
            problems.append(Problem(where, f"expected employee_id, start and end of an absence ({exc})", row=row_no))
    if problems:
        raise InputError(problems)
    return out


def with_absences(scenario: Scenario, absences: list[Absence]) -> Scenario:
    """The scenario with these absences added (those it already has are not repeated)."""
    known = {(a.employee_id, a.start, a.end) for a in scenario.absences}
    new = [a for a in absences if (a.employee_id, a.start, a.end) not in known]
    return scenario.model_copy(update={"absences": [*scenario.absences, *new]}) if new else scenario


# ---------------------------------------------------------------------------------------------
# Cell helpers

def _put(ws: Worksheet, row: int, col: int, value: Any):
    """Write one value: text stays text (never a formula), dates and datetimes become real
    Excel date cells, infinite numbers become "∞", NaN an empty cell. A (value, number_format)
    pair sets the number format too. Returns the cell."""
    number_format = None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        value, number_format = value
    cell = ws.cell(row=row, column=col)
    value = _plain(value)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            if math.isnan(value):
                return cell
            cell.value = "∞" if value > 0 else "-∞"
            cell.data_type = "s"
        else:
            cell.value = value
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, dt.time):
        cell.value = value.strftime("%H:%M")
        cell.data_type = "s"
    else:
        cell.value = _clean(str(value))
        cell.data_type = "s"
    if number_format and cell.data_type == "n":
        cell.number_format = number_format
    return cell


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as plain Python values (NaT and NA as None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    return value


def _clean(text: str) -> str:
    """Drop the control characters an .xlsx file cannot hold (openpyxl would refuse the save)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _rounded(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 2)
    return value


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for c, label in enumerate(labels, start=1):
        cell = _put(ws, row, c, label)
        cell.font, cell.fill = BOLD, HEADER_FILL


def _section(ws: Worksheet, row: int, title: str) -> int:
    cell = _put(ws, row, 1, title)
    cell.font, cell.fill = BOLD, SECTION_FILL
    return row + 1


def _pairs(ws: Worksheet, row: int, pairs: list[tuple[str, Any]]) -> int:
    for label, value in pairs:
        _put(ws, row, 1, label)
        _put(ws, row, 2, value).alignment = Alignment(horizontal="left")
        row += 1
    return row


def _table(ws: Worksheet, row: int, header: list[str], rows: list[list]) -> int:
    for c, label in enumerate(header, start=1):
        _put(ws, row, c, label).font = BOLD
    for values in rows:
        row += 1
        for c, value in enumerate(values, start=1):
            _put(ws, row, c, value)
    return row + 1


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # an unknown version must not stop the workbook
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Reading the Assignments sheet back (repair, check)

def read_assignments(path: Path) -> list[dict]:
    """Read the Assignments sheet of a roster workbook: one dict per non-blank row with
    employee_id, name, shift, queue (str), date (date), start, end (datetime), hours (float).
    Formulas are never evaluated and links never followed. Raises InputError listing every
    problem with file, sheet, row and column."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "not found")])
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        hint = " Save it as an Excel workbook (.xlsx)." if path.suffix.lower() in (".xls", ".csv") else ""
        raise InputError([Problem(path.name, f"cannot be read as an Excel workbook ({exc}).{hint}")]) from None
    try:
        if ASSIGNMENTS not in wb.sheetnames:
            raise InputError([Problem(path.name, f"has no sheet {ASSIGNMENTS!r} (sheets: {', '.join(wb.sheetnames)})")])
        raw_rows = list(wb[ASSIGNMENTS].iter_rows(values_only=True))
    finally:
        wb.close()

    where = f"{path.name} [{ASSIGNMENTS}]"
    if not raw_rows:
        raise InputError([Problem(where, f"is empty: expected the header {', '.join(ASSIGNMENT_COLUMNS)}", row=1)])
    columns = _header_columns(where, raw_rows[0])

    problems: list[Problem] = []
    out = []
    for row_no, values in enumerate(raw_rows[1:], start=2):
        cells = {name: (values[i] if i < len(values) else None) for name, i in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        record, row_problems = _assignment_row(where, row_no, cells)
        problems += row_problems
        if not row_problems:
            out.append(record)
    if problems:
        raise InputError(problems)
    return out


def _header_columns(where: str, header: tuple) -> dict[str, int]:
    """Column name -> index in the row. Extra columns are allowed (and ignored); the eight
    HR columns must each appear once."""
    found: dict[str, int] = {}
    problems = []
    for i, v in enumerate(header):
        name = str(v).strip().lower() if v is not None else ""
        if name in ASSIGNMENT_COLUMNS:
            if name in found:
                problems.append(Problem(where, f"column {name!r} appears twice in the header", row=1,
                                        column=get_column_letter(i + 1)))
            found.setdefault(name, i)
    for name in ASSIGNMENT_COLUMNS:
        if name not in found:
            problems.append(Problem(where, f"missing column {name!r} in the header; expected "
                                           f"{', '.join(ASSIGNMENT_COLUMNS)}", row=1))
    if problems:
        raise InputError(problems)
    return found


def _assignment_row(where: str, row: int, cells: dict[str, Any]) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def convert(column: str, parse) -> None:
        try:
            out[column] = parse(cells[column])
        except ValueError as exc:
            problems.append(Problem(where, str(exc), row=row, column=column))

    for column in ("employee_id", "name", "shift", "queue"):
        convert(column, lambda v, c=column: _text_cell(v, required=c != "name"))
    convert("date", _date_cell)
    convert("start", _datetime_cell)
    convert("end", _datetime_cell)
    if _blank(cells["hours"]):
        if "start" in out and "end" in out:
            out["hours"] = (out["end"] - out["start"]).total_seconds() / 3600.0
    else:
        convert("hours", _hours_cell)
    return {c: out.get(c) for c in ASSIGNMENT_COLUMNS}, problems


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _id_text(v: Any) -> str:
    v = _plain(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _text_cell(v: Any, required: bool = True) -> str:
    if _blank(v):
        if required:
            raise ValueError("is empty: expected a value")
        return ""
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        raise ValueError(f"expected text, got a date/time ({v}); Excel may have converted it: "
                         f"format the column as Text and type it again")
    if isinstance(v, bool):
        raise ValueError(f"expected text, got {v}")
    return _id_text(v).strip()


def _date_cell(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and v.strip():
        t = v.strip().replace("/", "-").replace("T", " ")
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(t, fmt).date()
            except ValueError:
                pass
    raise ValueError(f"expected a date like 2026-11-11, got {_shown(v)}")


def _datetime_cell(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        # Excel stores times as fractions of a day; round away the float noise
        return (v + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if isinstance(v, str) and v.strip():
        return parse_datetime(v)
    raise ValueError(f"expected a date and time like 2026-11-11 09:00, got {_shown(v)}")


def _hours_cell(v: Any) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        value = float(v)
    elif isinstance(v, str):
        value = parse_number(v)
    else:
        raise ValueError(f"expected a number of hours, got {v}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a non-negative number of hours, got {v!r}")
    return value


def _shown(v: Any) -> str:
    if v is None or (isinstance(v, str) and not v.strip()):
        return "an empty cell"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"the number {v:g} (format the cell as a date)"
    return repr(v) if isinstance(v, str) else str(v)
