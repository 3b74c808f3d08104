"""Writing the Excel workbook HR imports and the team reads (SPEC section 7).

The writer never decides anything: it lays out the roster, coverage, KPIs and solve report it
is given. Sheet names are fixed in English; labels follow `lang` ("en" or "zh"), except the
Assignments header, which HR's import depends on. Every string is written as text, never as a
formula, and every file is replaced atomically, so a failed write leaves the old file intact.

To add a sheet: write `_<name>_sheet(ws, ...) -> None` and add it to the list in write_workbook.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import platform
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import scheduler
from scheduler.atomic import atomic_path, write_csv
from scheduler.atomic import plain_value as _plain
from scheduler.kpi import agent_totals, head_counts
from scheduler.result import EVERY_ROSTER, HOURS_SCOPE, MODEL_ONLY, NONE_YET, PAST_SCOPE, SolveReport
from scheduler.roster import Roster
from scheduler.scenario import Scenario
from scheduler.workbook.cells import (
    ABSENT_FILL,
    ABSENT_FONT,
    AMOUNT_FORMAT,
    BOLD,
    CENTER,
    HOURS_FORMAT,
    PALETTE,
    PERCENT_FORMAT,
    SECONDS_FORMAT,
    TITLE_FONT,
    WEEKEND_FILL,
    _clean,
    _header,
    _id_text,
    _pairs,
    _put,
    _put_like,
    _rounded,
    _section,
    _table,
    _widths,
)
from scheduler.workbook.fastxml import PlainRows
from scheduler.workbook.fastxml import save as save_workbook
from scheduler.workbook.labels import (
    ABSENCE_COLUMNS,
    ABSENCES,
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS,
    CHANGES,
    COVERAGE,
    COVERAGE_COLUMNS,
    COVERAGE_DECIMALS,
    FORECAST,
    KPI_LABELS,
    LABELS,
    ROSTER,
    RULE_MEANINGS,
    SUMMARY,
    term,
    translate_note,
    translate_step,
)
from scheduler.workbook.printing import setup_for_print, text_width, wrapped_height
from scheduler.workbook.repair_sheets import (
    DEMAND,
    OPTIONS,
    call_value,
    changes_columns,
    demand_sheet,
    options_sheet,
)
from scheduler.workbook.requests_sheet import REQUESTS, requests_sheet

if TYPE_CHECKING:
    import pandas as pd


def write_workbook(path: Path, *, scenario: Scenario, roster: Roster, report: SolveReport | None,
                   coverage: pd.DataFrame | list[dict], kpis: dict, lang: str = "en",
                   changes: list[dict] | None = None,
                   rule_of_thumb: list[dict] | None = None,
                   title_note: str | None = None,
                   requests: list[dict] | None = None,
                   extra_sheets: list[Callable[[openpyxl.Workbook], None]] | None = None,
                   options: list[list] | None = None, record_demand: bool = False) -> list[Path]:
    """Write the roster workbook (SPEC section 7) to `path` and the Assignments table as
    `<stem>_assignments.csv` beside it; return both paths. Hours are hours, coverage figures
    are per slot in the units of kpi.coverage() (its DataFrame, or kpi.coverage_rows' list of
    dicts). `changes` (repair only) are dicts with employee_id, name, date, before, after;
    `rule_of_thumb` rows have date, queue, contacts, agents; each of `extra_sheets` adds its
    sheets after the others (Hires). Both files are replaced atomically: on failure the
    previous files stay as they were."""
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
    # (sheet name, writer) in workbook order; a sheet with nothing to show is left out
    sheets: list[tuple[str, Callable[[Worksheet], None]]] = [
        (ASSIGNMENTS, lambda ws: _assignments_sheet(ws, rows)),
        (ROSTER, lambda ws: _roster_sheet(ws, scenario, roster, lang)),
        (COVERAGE, lambda ws: _coverage_sheet(ws, scenario, coverage, L)),
        (SUMMARY, lambda ws: _summary_sheet(ws, scenario, report, kpis, lang, title_note,
                                            rule_of_thumb if not scenario.forecast_steps else None, roster)),
    ]
    if scenario.forecast_steps:
        sheets.append((FORECAST, lambda ws: _forecast_sheet(ws, scenario, rule_of_thumb, roster, lang)))
    if changes is not None:
        sheets.append((CHANGES, lambda ws: _changes_sheet(ws, changes, L, lang)))
    if options is not None:  # repair: the calls-versus-service table
        sheets.append((OPTIONS, lambda ws: options_sheet(ws, options, lang)))
    if record_demand:  # a repair changed the demand: check and a later repair need it
        sheets.append((DEMAND, lambda ws: demand_sheet(ws, scenario)))
    if scenario.absences:
        sheets.append((ABSENCES, lambda ws: _absences_sheet(ws, scenario)))
    if requests is not None:  # granted or declined, and why (scheduler.granted)
        sheets.append((REQUESTS, lambda ws: requests_sheet(ws, requests, lang)))
    for name, write_sheet in sheets:
        write_sheet(wb.create_sheet(name))
    for add in extra_sheets or []:
        add(wb)
    for ws in wb.worksheets:  # every sheet prints one page wide, however it was written
        setup_for_print(ws)
    wb.active = 0  # import tools that take "the active sheet" get the Assignments

    path.parent.mkdir(parents=True, exist_ok=True)
    csv_path = path.with_name(f"{path.stem}_assignments.csv")
    csv_rows = [[r[c] for c in ASSIGNMENT_COLUMNS] for r in rows]
    with atomic_path(path) as xlsx_tmp, atomic_path(csv_path) as csv_tmp:
        save_workbook(wb, xlsx_tmp)
        write_csv(csv_tmp, ASSIGNMENT_COLUMNS, csv_rows)
    return [path, csv_path]


# the Assignments rows between the first and the last are kept as values and written as XML text
# (fastxml.PlainRows: the same file, without 75,000 openpyxl cells on a 400-agent fortnight)
PLAIN_ROWS = True


def _assignments_sheet(ws: Worksheet, rows: list[dict]) -> None:
    _header(ws, 1, ASSIGNMENT_COLUMNS)
    first: dict[str, Any] = {}  # per column, the first row's cell: the later rows copy its format
    plain: PlainRows | None = None
    for r, row in enumerate(rows, start=2):
        if plain is None and PLAIN_ROWS and len(first) == len(ASSIGNMENT_COLUMNS):
            try:
                plain = PlainRows([first[key] for key in ASSIGNMENT_COLUMNS]).attach(ws)
            except ValueError:  # a column whose first value is not plain: cells throughout
                pass
        # the last row stays cells, so the sheet's size is the one its cells give
        if plain is not None and r < len(rows) + 1 and plain.take(r, [row[key] for key in ASSIGNMENT_COLUMNS]):
            continue
        for c, key in enumerate(ASSIGNMENT_COLUMNS, start=1):
            if key in first:
                _put_like(ws, r, c, row[key], first[key])
                continue
            cell = _put(ws, r, c, (row[key], HOURS_FORMAT) if key == "hours" else row[key])
            if key == "shift":
                cell.alignment = CENTER
            if cell.value is not None:
                first[key] = cell
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ASSIGNMENT_COLUMNS))}{len(rows) + 1}"
    _widths(ws, {"A": 14, "B": 16, "C": 13, "D": 8, "E": 14, "F": 18, "G": 18, "H": 8})


def _short_reason(reason: str, most: int = 11) -> str:
    """An absence's reason as the Roster grid shows it in a 13-wide date column: up to its first
    bracket, and at most `most` display units (a CJK character takes two; the Absences sheet has
    the reason whole)."""
    text = re.split(r"\s*[(（]", reason.strip(), maxsplit=1)[0] or reason.strip()
    if text_width(text) <= most:
        return text
    while text_width(text) > most - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _roster_sheet(ws: Worksheet, scenario: Scenario, roster: Roster, lang: str) -> None:
    L = LABELS[lang]
    cfg = scenario.config
    dates = cfg.dates
    fills = {s.code: PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)]) for i, s in enumerate(cfg.shifts)}
    first_date_col = 5
    header = [L["employee_id"], L["name"], L["home_queue"], L["kind"]]
    header += [f"{d:%m-%d} {L['weekdays'][d.weekday()]}" for d in dates]
    header += [L["total_hours"], L["total_nights"], L["weekend_days"]]
    _header(ws, 1, header)
    totals_col = first_date_col + len(dates)
    for k, d in enumerate(dates):
        if d.weekday() >= 5:
            ws.cell(row=1, column=first_date_col + k).fill = WEEKEND_FILL

    totals = agent_totals(scenario, roster)
    shifts_on: dict[tuple[str, dt.date], list] = {}
    for a in sorted(roster.assignments, key=lambda a: a.start):
        shifts_on.setdefault((a.employee_id, a.date), []).append(a)
    absent_on: dict[tuple[str, dt.date], list[str]] = {}
    for ab in scenario.absences:
        for d in dates:
            day_start = dt.datetime.combine(d, dt.time())
            if ab.start < day_start + dt.timedelta(days=1) and ab.end > day_start:
                absent_on.setdefault((ab.employee_id, d), []).append(_short_reason(ab.reason) or L["absent"])

    # the grid's formats, set once per kind of cell and copied after (setting a fill or an
    # alignment looks it up in the workbook's lists: 0.1 s for a 400-agent fortnight)
    looks: dict[str | None, Any] = {}
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
            look = (worked[0].shift if worked[0].shift in fills else "") if worked else None
            if look in looks:
                cell._style = copy.copy(looks[look])
                continue
            cell.alignment = CENTER
            if worked and worked[0].shift in fills:
                cell.fill = fills[worked[0].shift]
            elif not worked:
                cell.fill = ABSENT_FILL
                cell.font = ABSENT_FONT
            looks[look] = copy.copy(cell._style)
        own = totals[agent.employee_id]
        _put(ws, r, totals_col, (own["hours"], HOURS_FORMAT))
        _put(ws, r, totals_col + 1, own["nights"])
        _put(ws, r, totals_col + 2, own["weekend_days"])

    # per date: how many work each shift, and in all
    r = len(scenario.agents) + 1
    counts = head_counts(scenario, roster)
    for s in cfg.shifts:
        r += 1
        _put(ws, r, 1, L["head_count"].format(shift=s.code)).font = BOLD
        for k, d in enumerate(dates):
            cell = _put(ws, r, first_date_col + k, counts.get((d, s.code), 0))
            cell.alignment, cell.fill = CENTER, fills[s.code]
    r += 1
    _put(ws, r, 1, L["head_count_total"]).font = BOLD
    for k, d in enumerate(dates):
        cell = _put(ws, r, first_date_col + k, sum(counts.get((d, s.code), 0) for s in cfg.shifts))
        cell.alignment, cell.font = CENTER, BOLD

    # legend below the grid
    r += 2
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
    for k in range(3):
        ws.column_dimensions[get_column_letter(totals_col + k)].width = 9
    ws.page_setup.orientation = "landscape"  # the grid is pinned to a wall: dates run across


def _shift_description(s, L: dict) -> str:
    begin = dt.datetime.combine(dt.date(2000, 1, 1), s.start)
    finish = begin + dt.timedelta(hours=s.hours)
    days_later = (finish.date() - begin.date()).days
    text = f"{begin:%H:%M}–{finish:%H:%M}" + (f" (+{days_later})" if days_later else "")
    text += f", {s.hours:g} {L['h']}"
    if s.night:
        text += f", {L['night']}"
    return text + f", {L['kinds']} " + "/".join(L.get(k, k) for k in s.kinds)


def _coverage_records(coverage: pd.DataFrame | list[dict]) -> tuple[list[str], list[dict]]:
    """The coverage table's columns and rows, from kpi.coverage's DataFrame or kpi.coverage_rows."""
    if isinstance(coverage, list):
        return (list(coverage[0]) if coverage else []), coverage
    return list(coverage.columns), coverage.to_dict("records")


def _coverage_sheet(ws: Worksheet, scenario: Scenario, coverage: pd.DataFrame | list[dict], L: dict) -> None:
    given, records = _coverage_records(coverage)
    columns = COVERAGE_COLUMNS + [c for c in given if c not in COVERAGE_COLUMNS]
    _header(ws, 1, columns)
    if records and "queue" in given:  # queue by queue in the scenario's order, each in time order
        order = {q: i for i, q in enumerate(scenario.config.queue_ids)}
        by_start = "start" in given
        records = sorted(records, key=lambda rec: (order.get(rec["queue"], len(order)),
                                                   rec["start"] if by_start else 0))
    blocks: dict[str, list[int]] = {}
    r = 1
    for rec in records:
        r += 1
        for c, col in enumerate(columns, start=1):
            value = _plain(rec.get(col))
            if col in COVERAGE_DECIMALS and isinstance(value, float) and math.isfinite(value):
                value = round(value, COVERAGE_DECIMALS[col])
            if col in COVERAGE_DECIMALS:
                value = (value, "0." + "0" * COVERAGE_DECIMALS[col])
            cell = _put(ws, r, c, value)
            if cell.value in ("∞", "-∞"):
                cell.alignment = Alignment(horizontal="right")
        blocks.setdefault(str(rec.get("queue", "")), []).append(r)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(r, 1)}"
    _widths(ws, {"A": 18, "B": 14})
    for c, col in enumerate(columns[2:], start=3):
        ws.column_dimensions[get_column_letter(c)].width = max(10, len(col) + 2)
    if r > 1:  # service lost is what a reader looks for first
        for col, fill, font in (("shortage", "FFC7CE", "9C0006"), ("overflow", "FFD8A8", "8A4B00")):
            letter = get_column_letter(columns.index(col) + 1)
            ws.conditional_formatting.add(f"{letter}2:{letter}{r}", CellIsRule(
                operator="greaterThan", formula=["0"], fill=PatternFill("solid", fgColor=fill, bgColor=fill),
                font=Font(color=font)))

    slots_per_day = 24 * 60 // scenario.config.slot_minutes
    req_col, staffed_col = columns.index("required") + 1, columns.index("staffed") + 1
    anchor_col = get_column_letter(len(columns) + 2)
    queue_names = {q.id: q.name for q in scenario.config.queues}
    charts = 0
    for i, (queue, rows) in enumerate(blocks.items()):
        first, last = rows[0], rows[-1]
        if last - first + 1 != len(rows):
            continue  # rows of one queue are not contiguous: no honest range to chart
        chart = LineChart()
        shown = f"{queue} {queue_names[queue]}" if queue_names.get(queue) else queue
        chart.title = L["chart_title"].format(queue=_clean(shown))
        chart.y_axis.title = L["agents"]
        chart.x_axis.title = L["time"]
        chart.height, chart.width = 7.5, 16
        for col_no, colour, label in ((req_col, "C00000", "required"), (staffed_col, "2F75B5", "staffed")):
            chart.add_data(Reference(ws, min_col=col_no, min_row=first, max_row=last), titles_from_data=False)
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
        chart.y_axis.number_format = "0"
        chart.y_axis.majorTickMark = chart.x_axis.majorTickMark = "out"
        chart.legend.position = "b"
        ws.add_chart(chart, f"{anchor_col}{1 + CHART_ROWS * i}")
        charts = i + 1
    # what each column means, under the charts (the headers stay the SPEC's names)
    r = 2 + CHART_ROWS * charts
    _put(ws, r, len(columns) + 2, L["columns"]).font = BOLD
    for name in ("contacts", "required", "staffed", "shortage", "concurrency", "overflow", "high_load"):
        r += 1
        _put(ws, r, len(columns) + 2, L[f"col_{name}"])


CHART_ROWS = 16  # rows a Coverage chart (7.5 cm) takes, with a gap


def _bound_from(b) -> str:
    """The label key of where the best bound comes from."""
    return {"lp": "from_mip" if b.lp_integer else "from_lp", "cp_sat": "from_cp"}.get(b.source or "", "from_none")


def _scope(p, L: dict) -> str:
    """What a tier's best bound holds for (PhaseResult.bound_scope), in the sheet's language."""
    key = {"": "scope_every", EVERY_ROSTER: "scope_every", MODEL_ONLY: "scope_model", NONE_YET: "scope_none",
           HOURS_SCOPE: "scope_service", PAST_SCOPE: "scope_past"}.get(p.bound_scope)
    return L[key] if key else p.bound_scope


def _other_bound(b, L: dict) -> str:
    """The bound that is not the best, in a word: weaker, or valid only for the model."""
    if b.source == "lp":
        return L["weaker"].format(name="CP-SAT", value=f"{b.cp_sat:,.2f}") if b.cp_sat is not None else L["model_only"]
    if b.source == "cp_sat" and b.lp is not None:
        return L["weaker"].format(name=L["from_mip"] if b.lp_integer else "LP", value=f"{b.lp:,.2f}")
    return ""


def _summary_sheet(ws: Worksheet, scenario: Scenario, report: SolveReport | None, kpis: dict,
                   lang: str, title_note: str | None, rule_of_thumb: list[dict] | None,
                   roster: Roster) -> None:
    L = LABELS[lang]
    cfg = scenario.config
    na = L["na"]
    _put(ws, 1, 1, f"{L['title']}: {cfg.name}").font = TITLE_FONT
    r = 2
    if title_note:
        _wide_text(ws, r, 1, title_note).font = Font(italic=True)
        r += 1

    r = _section(ws, r + 1, L["sec_solve"])
    if report is None:
        pairs = [(L[k], na) for k in ("status", "objective_plain", "best_bound", "gap", "solve_seconds",
                                      "time_limit", "workers", "seed", "variables", "constraints")]
    else:
        first = report.phases[0] if report.phases else None
        objective = (L["objective"].format(tier=term(first.name, lang), unit=term(first.unit, lang)) if first
                     else L["objective_plain"])
        pairs = [
            (L["status"], term(report.status, lang)),
            (objective, (report.objective, AMOUNT_FORMAT) if first else na),
            (L["best_bound"], (report.best_bound, AMOUNT_FORMAT) if first else na),
            (L["gap"], (first.gap, PERCENT_FORMAT) if first else na),
            (L["solve_seconds"], (round(report.seconds, 2), SECONDS_FORMAT)),
            (L["time_limit"], (report.time_limit_s, SECONDS_FORMAT)),
            (L["workers"], report.workers),
            (L["seed"], report.seed),
            (L["variables"], report.n_variables),
            (L["constraints"], report.n_constraints),
        ]
    r = _pairs(ws, r, pairs)

    r = _section(ws, r + 1, L["sec_tiers"])
    tier_header = [L["tier"], L["unit"], L["status"], L["objective_plain"], L["best_bound"], L["gap"],
                   L["bound_scope"], L["seconds"]]
    tiers = [[term(p.name, lang), term(p.unit, lang), term(p.status, lang), (p.objective, AMOUNT_FORMAT),
              (p.best_bound, AMOUNT_FORMAT) if p.has_bound else L["no_bound"],
              (p.gap, PERCENT_FORMAT) if p.has_bound else na, _scope(p, L) if p.has_bound else na,
              (round(p.seconds, 2), SECONDS_FORMAT)]
             for p in (report.phases if report else [])]
    r = _table(ws, r, tier_header, tiers or [[na]])

    if report is not None and report.service:
        r = _section(ws, r + 1, L["sec_service"])
        # the best valid bound and its gap first, where it comes from, the other bound in a word
        r = _table(ws, r, [L["measure"], L["unit"], L["achieved"], L["best_bound"], L["gap"], L["bound_from"],
                           L["other_bound"], L["lp_bound"], L["cp_bound"]],
                   [[term(b.name, lang), term(b.unit, lang), (_rounded(b.achieved), AMOUNT_FORMAT),
                     (_rounded(b.best), AMOUNT_FORMAT), (b.gap, PERCENT_FORMAT),
                     L[_bound_from(b)], _other_bound(b, L),
                     (_rounded(b.lp), AMOUNT_FORMAT) if b.lp is not None else na,
                     (_rounded(b.cp_sat), AMOUNT_FORMAT) if b.cp_sat is not None else L["model_only_short"]]
                    for b in report.service])

    r = _section(ws, r + 1, L["sec_notes"])
    notes = report.notes if report and report.notes else [na]
    for note in notes:
        _wide_text(ws, r, 1, translate_note(note, lang))
        r += 1

    r = _section(ws, r + 1, L["sec_kpis"])
    kpi_labels = KPI_LABELS[lang]
    r = _pairs(ws, r, [(kpi_labels.get(k, k), (_rounded(v), "#,##0" if isinstance(v, int) else "#,##0.0#"))
                       for k, v in kpis.items()])

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
        (L["demand_source"], term(scenario.demand_source, lang)),
    ])

    r = _section(ws, r + 1, L["sec_rules"])
    meanings = RULE_MEANINGS[lang]
    rule_rows = []
    for key in type(cfg.rules).model_fields:
        value = getattr(cfg.rules, key)
        meaning = meanings.get(key, "")
        if value is None and key == "high_load_contacts_per_hour":
            value, meaning = L["auto"], f"{meaning}; {L['high_load_auto']}"
        rule_rows.append([key, value, meaning])
    first_rule_row = r + 1
    r = _table(ws, r, [L["rule"], L["value"], L["meaning"]], rule_rows)
    for i, row in enumerate(rule_rows):  # a meaning may run past the last column
        ws.cell(row=first_rule_row + i, column=1).alignment = Alignment(vertical="top")
        ws.cell(row=first_rule_row + i, column=2).alignment = Alignment(horizontal="center", vertical="top")
        _wide_text(ws, first_rule_row + i, 3, row[2])

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
    for i in range(len(cfg.shifts)):
        ws.cell(row=first_shift_row + i, column=1).fill = PatternFill("solid", fgColor=PALETTE[i % len(PALETTE)])

    r = _section(ws, r + 1, L["sec_moves"])
    moves = [[", ".join(f"{d:%Y-%m-%d}" for d in m.dates), m.from_queue, m.to_queue] for m in cfg.moves]
    r = _table(ws, r, [L["dates"], L["from"], L["to"]], moves or [[na]])

    r = _section(ws, r + 1, L["sec_versions"])
    _pairs(ws, r, [("python", platform.python_version()), ("ortools", _version("ortools")),
                   ("mega-sale-scheduler", scheduler.__version__), ("openpyxl", openpyxl.__version__),
                   ("pandas", _version("pandas"))])
    _widths(ws, SUMMARY_WIDTHS)
    _wrap_headers(ws)


# Summary columns: labels, then the columns of the tier (8) and service (9) tables
SUMMARY_WIDTHS: dict[str, float] = {"A": 36, "B": 16, "C": 16, "D": 20, "E": 15, "F": 15, "G": 28, "H": 16, "I": 12}


def _wrap_headers(ws: Worksheet) -> None:
    """Table headers of the Summary wrap inside their column (and the row grows to show them),
    so a long label such as "concurrent customers at the norm" is never cut by its neighbour."""
    for row in ws.iter_rows(min_row=2):
        cells = [c for c in row if isinstance(c.value, str) and c.font.b and c.coordinate not in ws.merged_cells]
        if len(cells) < 2 or any(c.value is not None and not c.font.b for c in row):
            continue
        height = 15.0
        for c in cells:
            width = SUMMARY_WIDTHS.get(c.column_letter, 8.43)
            c.alignment = Alignment(wrap_text=True, vertical="bottom")
            height = max(height, wrapped_height(c.value, width))
        ws.row_dimensions[row[0].row].height = height


def _wide_text(ws: Worksheet, row: int, col: int, text: str, last: str = "G"):
    """Long text from column `col` to column `last` of the Summary: merged, wrapped, and the row
    tall enough to show all of it, on screen and on paper."""
    from openpyxl.utils import column_index_from_string

    end = column_index_from_string(last)
    cell = _put(ws, row, col, text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    width = sum(SUMMARY_WIDTHS.get(get_column_letter(c), 8.43) for c in range(col, end + 1))
    if col < end:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=end)
    if text_width(str(text)) > width - 1:
        ws.row_dimensions[row].height = wrapped_height(str(text), width)
    return cell


def _forecast_sheet(ws: Worksheet, scenario: Scenario, rule_of_thumb: list[dict] | None,
                    roster: Roster, lang: str) -> None:
    L = LABELS[lang]
    _header(ws, 1, [L["step"], L["value"]])
    r = 1
    for label, value in scenario.forecast_steps:
        r += 1
        label = translate_step(label, lang)
        cell = _put(ws, r, 1, label)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if text_width(label) > FORECAST_LABEL_WIDTH - 1:
            ws.row_dimensions[r].height = wrapped_height(label, FORECAST_LABEL_WIDTH)
        value = _plain(value)
        if isinstance(value, str):
            value = translate_step(value, lang)
        cell = _put(ws, r, 2, value)
        cell.alignment = Alignment(vertical="top")
        if isinstance(value, str) and text_width(value) > 15:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15,
                                              wrapped_height(value, sum(FORECAST_WIDTHS[c] for c in "BCDE")))
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
        if isinstance(value, float) and math.isfinite(value):
            cell.number_format = "#,##0" if value.is_integer() else "#,##0.00##"
    if rule_of_thumb is not None:
        r = _section(ws, r + 2, L["rule_of_thumb"])
        _rule_of_thumb_table(ws, r, rule_of_thumb, roster, L)
    ws.freeze_panes = "A2"
    _widths(ws, FORECAST_WIDTHS)


FORECAST_WIDTHS: dict[str, float] = {"A": 60, "B": 16, "C": 14, "D": 20, "E": 16}
FORECAST_LABEL_WIDTH = FORECAST_WIDTHS["A"]


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
        rows.append([day, row.get("queue"), (_rounded(row.get("contacts")), "#,##0.0"), _rounded(row.get("agents")),
                     len(rostered.get((day, row.get("queue")), ()))])
    end = _table(ws, r, [L["date"], L["queue"], L["contacts"], L["rot_agents"], L["rostered"]], rows)
    for n in range(r + 1, end):
        ws.cell(row=n, column=1).alignment = Alignment(horizontal="left")
    return end


def _changes_sheet(ws: Worksheet, changes: list[dict], L: dict, lang: str = "en") -> None:
    extra_keys, extra_labels = changes_columns(lang)
    keys = ["employee_id", "name", "date", "before", "after"]
    _header(ws, 1, [L[k] for k in keys] + extra_labels)
    for r, change in enumerate(changes, start=2):
        for c, key in enumerate(keys + extra_keys, start=1):
            value = call_value(change, lang) if key == "call" else change.get(key)
            _put(ws, r, c, L["off"] if key in ("before", "after") and value == "off" else value)
    ws.freeze_panes = "A2"

    r = _section(ws, len(changes) + 3, L["call_list"])
    people: dict[str, dict] = {}
    for change in changes:
        if not change.get("call", True):
            continue  # an absent agent's own lost shift is not a call
        eid = _id_text(change.get("employee_id"))
        entry = people.setdefault(eid, {"name": change.get("name"), "dates": set(), "message": ""})
        entry["dates"].add(str(change.get("date")))
        entry["message"] = change.get("call_message", "")
    _table(ws, r, [L["employee_id"], L["name"], L["changed_dates"], extra_labels[0]],
           [[eid, p["name"], len(p["dates"]), p["message"]] for eid, p in people.items()])
    _widths(ws, {"A": 14, "B": 16, "C": 12, "D": 30, "E": 30, "F": 60, "G": 12})


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


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # an unknown version must not stop the workbook
        return "unknown"
