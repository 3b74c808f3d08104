"""A scenario: its validated input models and the loader that reads a scenario folder.

- `models`: the pydantic models (ScenarioConfig, Agent, Absence, Scenario, ...) and the
  cross-reference checks of scenario.toml;
- `readers`: bytes, encodings, CSV and XLSX tables, parsing one cell;
- `messages`: error wording (pydantic errors, TOML lines, did-you-mean);
- `loader`: load_config, load_scenario and the staff, demand and absence files.

Every public name is re-exported here; `from scheduler.scenario import X` is the usual import.
"""

from scheduler.scenario.loader import (
    ABSENCE_OPTIONAL,
    ABSENCE_REQUIRED,
    DEMAND_COLUMNS,
    STAFF_OPTIONAL,
    STAFF_REQUIRED,
    load_absences,
    load_config,
    load_demand,
    load_scenario,
)
from scheduler.scenario.models import (
    QUEUE_ID,
    Absence,
    Agent,
    ForecastPlan,
    Move,
    Queue,
    Rules,
    Scenario,
    ScenarioConfig,
    ShiftType,
    SolverSettings,
    config_cross_references,
    with_absences,
)
from scheduler.scenario.readers import (
    EXCEL_ERRORS,
    FALSE_WORDS,
    KIND_WORDS,
    SAVE_AS_UTF8,
    TRUE_WORDS,
    parse_bool,
    parse_datetime,
    parse_number,
)

__all__ = [
    "ABSENCE_OPTIONAL", "ABSENCE_REQUIRED", "DEMAND_COLUMNS", "EXCEL_ERRORS", "FALSE_WORDS", "KIND_WORDS",
    "QUEUE_ID", "SAVE_AS_UTF8", "STAFF_OPTIONAL", "STAFF_REQUIRED", "TRUE_WORDS",
    "Absence", "Agent", "ForecastPlan", "Move", "Queue", "Rules", "Scenario", "ScenarioConfig", "ShiftType",
    "SolverSettings",
    "config_cross_references", "load_absences", "load_config", "load_demand", "load_scenario", "parse_bool",
    "parse_datetime", "parse_number", "with_absences",
]
