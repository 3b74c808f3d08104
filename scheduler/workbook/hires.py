"""The Hires sheet (SPEC sections 7 and 9): who to hire, which shifts they work, on which days,
how the count was found, and the rule of thumb beside it. Writes; decides nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.workbook.cells import _header, _pairs, _put, _section, _table, _widths

if TYPE_CHECKING:
    from scheduler.hire import HireResult

HIRES = "Hires"


def hires_sheet_writer(result: HireResult) -> Callable[[Workbook], None]:
    """A hook for write_workbook(extra_sheets=...): adds the Hires sheet after the others."""
    return lambda wb: write_hires_sheet(wb.create_sheet(HIRES), result)


def write_hires_sheet(ws: Worksheet, r: HireResult) -> None:
    k = r.kpis
    row = _section(ws, 1, "How many to hire")
    row = _pairs(ws, row, [
        ("hires (optimizer)", r.count),
        ("how the count was found", r.how_found()),
        ("at least (lower bound, every legal roster)", r.lower_bound),
        ("hires by the rule of thumb", r.rule_of_thumb_hires),
        ("rule of thumb", f"{r.rule_of_thumb_peak} agents on duty on {r.rule_of_thumb_day} (daily contacts / one "
                          f"agent's daily capacity) for {r.staff} staff; blind to hours, shifts, breaks and rules"),
        ("hire template", r.template.describe()),
        ("target: overflow (customer-hours)", round(r.overflow_target, 2)),
        ("why this overflow", r.overflow_note),
        ("target: shortage (agent-hours)", round(r.target_shortage, 2)),
        ("  = % of required agent-hours", f"{r.target_pct:g} % of {r.required_hours:,.1f}"),
        ("overflow with the hires (customer-hours)", round(k["overflow_customer_hours"], 2)),
        ("shortage with the hires (agent-hours)", round(k["shortage_agent_hours"], 2)),
        ("roster status", r.report.status),
        ("largest number tried (--max)", r.max_hires),
    ] + ([("note", "staff.csv has no column for --shifts: a solve of staff_with_hires.csv may give the hires "
                    "other shifts of their kind")] if r.template.shifts else []))
    row = _section(ws, row + 1, "The hires")
    dates = r.scenario.config.dates
    header = ["employee_id", "name", "kind", "efficiency", "skills", "shifts", "days needed", "hours"] + \
             [d.strftime("%m-%d %a") for d in dates]
    _header(ws, row, header)
    for hire, shifts in r.days_needed().items():
        row += 1
        agent = next(h for h in r.hires if h.employee_id == hire)
        by_date = {a.date: a for a in shifts}
        counts = Counter(a.shift for a in shifts)
        values = [agent.employee_id, agent.name, agent.kind, agent.efficiency, ";".join(agent.skills),
                  ", ".join(f"{c} x{n}" for c, n in sorted(counts.items())),
                  ", ".join(f"{a.date:%m-%d}" for a in shifts), round(sum(a.worked_hours for a in shifts), 2)]
        values += [f"{by_date[d].shift} {by_date[d].queue}" if d in by_date else "" for d in dates]
        for c, v in enumerate(values, start=1):
            _put(ws, row, c, v)
    row = _section(ws, row + 2, "The search (LP bound: a proof for every legal roster; solve: a roster found)")
    _table(ws, row, ["hires offered", "by", "overflow", "shortage", "verdict", "status", "seconds", "hires used"],
           [[a.hires, a.how, None if a.overflow is None else round(a.overflow, 2),
             None if a.shortage is None else round(a.shortage, 2), a.verdict, a.status, round(a.seconds, 1), a.used]
            for a in r.attempts])
    ws.freeze_panes = "A2"
    _widths(ws, {"A": 40, "B": 28, "C": 10, "D": 10, "E": 22, "F": 16, "G": 24, "H": 10})
