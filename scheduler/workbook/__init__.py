"""The roster workbook (SPEC section 7): `writer` lays it out, `reader` reads its Assignments and
Absences sheets back, `repair_sheets` writes and reads a repair's Options and Demand sheets,
`labels` names sheets, columns and labels per language, `cells` writes one cell and the shared
layout helpers.

Every public name is re-exported here; `from scheduler.workbook import X` is the usual import.
"""

from scheduler.atomic import atomic_path, write_csv_atomic
from scheduler.scenario import with_absences  # moved to scheduler.scenario; kept here for older callers
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
)
from scheduler.workbook.reader import read_absences, read_assignments
from scheduler.workbook.repair_sheets import DEMAND, OPTIONS, read_demand
from scheduler.workbook.writer import write_workbook

__all__ = [
    "ABSENCES", "ABSENCE_COLUMNS", "ASSIGNMENTS", "ASSIGNMENT_COLUMNS", "CHANGES", "COVERAGE", "COVERAGE_COLUMNS",
    "COVERAGE_DECIMALS", "FORECAST", "KPI_LABELS", "LABELS", "ROSTER", "RULE_MEANINGS", "SUMMARY",
    "atomic_path", "read_absences", "read_assignments", "with_absences", "write_csv_atomic", "write_workbook",
    "DEMAND", "OPTIONS", "read_demand",
]
