"""The loader of a scenario folder (SPEC section 2): `scenario.toml`, `staff.csv` (or
`staff.xlsx`), and optionally `demand.csv` (else derived from the [forecast] plan) and
`absences.csv`. Every problem found is collected and raised together as an `InputError`
naming file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.errors import InputError, Problem
from scheduler.forecast import derive_demand
from scheduler.scenario.messages import (
    _did_you_mean,
    _errors_to_problems,
    _friendly,
    _keys_of,
    _model_for,
    _toml_problem,
    _unknown_queue,
)
from scheduler.scenario.models import Absence, Agent, Scenario, ScenarioConfig, config_cross_references
from scheduler.scenario.readers import (
    KIND_WORDS,
    _check_columns,
    _read_csv,
    _read_text,
    _read_xlsx,
    _Table,
    parse_bool,
    parse_datetime,
    parse_number,
)
from scheduler.scenario.template import EXAMPLE_ROW_MESSAGE, looks_like_the_example
from scheduler.scenario.wishes import load_locks, load_requests

STAFF_REQUIRED = ["employee_id", "name", "home_queue"]
STAFF_OPTIONAL = ["skills", "kind", "efficiency", "is_lead", "night_ok", "max_hours_week"]
DEMAND_COLUMNS = ["start", "queue", "contacts"]
ABSENCE_REQUIRED = ["employee_id", "start", "end"]
ABSENCE_OPTIONAL = ["reason"]


def _check_config_refs(data: dict, path: Path, text: str) -> list[Problem]:
    """The cross-checks of ScenarioConfig._consistent, all of them, each located in the file."""
    return [_toml_problem(path, text, loc, msg) for loc, msg in config_cross_references(data)]


def load_config(path: Path) -> ScenarioConfig:
    """Read and validate scenario.toml; raises InputError with line/column of TOML syntax errors."""
    path = Path(path)
    problems: list[Problem] = []
    text = _read_text(path, problems, columns=False)
    if text is None:
        raise InputError(problems)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        hint = (" (expected a value: text in double quotes, a number, true/false, a date like 2026-11-11 "
                "without quotes, or a list [...])" if "Invalid value" in msg else "")
        if m:
            core = msg[:m.start()].strip()
            lines = text.splitlines()
            n = int(m.group(1))
            shown = f" in {lines[n - 1].strip()[:60]!r}" if 0 < n <= len(lines) and lines[n - 1].strip() else ""
            msg = f"TOML syntax error at line {n}, column {m.group(2)}{shown}: {core}"
        elif "end of document" in msg:
            msg = f"TOML syntax error at the end of the file: {msg.replace('(at end of document)', '').strip()}"
        else:
            msg = f"TOML syntax error: {msg}"
        raise InputError([Problem(path.name, msg + hint)]) from None
    except (RecursionError, ValueError) as exc:
        raise InputError([Problem(path.name, f"TOML syntax error: {exc}")]) from None
    problems = _check_config_refs(data, path, text)
    try:
        config = ScenarioConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not loc and problems:
                continue  # the model's cross-check: already reported, located, by _check_config_refs
            if err["type"] == "extra_forbidden":
                model, _ = _model_for(ScenarioConfig, loc)
                keys = _keys_of(model) if model else []
                tables = [p for p in loc[:-1] if isinstance(p, str)]
                where = f"in [{'.'.join(tables)}]" if tables else "at the top level"
                msg = (f"unknown key{_did_you_mean(str(loc[-1]), keys)}; expected keys {where}: "
                       f"{', '.join(keys)}")
            else:
                msg = _friendly(err, _model_for(ScenarioConfig, loc)[1])
            problems.append(_toml_problem(path, text, loc, msg))
        raise InputError(problems) from None
    if problems:
        raise InputError(problems)
    return config


# ---------------------------------------------------------------------------------------------
# staff, demand, absences

def _staff_table(folder: Path, problems: list[Problem]) -> _Table | None:
    csv_path, xlsx_path = folder / "staff.csv", folder / "staff.xlsx"
    expected = STAFF_REQUIRED + STAFF_OPTIONAL
    if csv_path.exists():
        return _read_csv(csv_path, expected, problems)
    if xlsx_path.exists():
        return _read_xlsx(xlsx_path, expected, problems)
    others = sorted(p.name for p in folder.glob("staff.*")) if folder.is_dir() else []
    if others:
        problems.append(Problem("staff.csv", f"not found in {folder} (found {', '.join(others)}); expected "
                                             f"staff.csv saved as 'CSV UTF-8', or staff.xlsx"))
    else:
        problems.append(Problem("staff.csv", f"not found in {folder}; expected staff.csv (or staff.xlsx) with one "
                                             f"row per agent: {', '.join(expected)}"))
    return None


def _load_staff(folder: Path, config: ScenarioConfig, problems: list[Problem]
                ) -> tuple[list[Agent], set[str] | None]:
    """The valid agents, and every employee_id the file names, valid rows or not (None when the file
    could not be read at all)."""
    folder = Path(folder)
    table = _staff_table(folder, problems)
    if table is None:
        return [], None
    name = table.name
    if not _check_columns(table, STAFF_REQUIRED, STAFF_OPTIONAL, problems):
        return [], None
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    ids = config.queue_ids
    for row, f in table.rows:
        bad: list[Problem] = []

        def fail(col: str, msg: str) -> None:
            bad.append(Problem(name, msg, row=row, column=col))  # noqa: B023 (called in this iteration only)

        data: dict[str, Any] = {}
        for col, what in (("employee_id", "an employee id"), ("name", "the agent's name"),
                          ("home_queue", "a queue id")):
            if not f.get(col):
                fail(col, f"is empty; expected {what}")
            else:
                data[col] = f[col]
        eid = data.get("employee_id")
        if looks_like_the_example(f.get("employee_id", ""), f.get("name", "")):
            fail("employee_id", EXAMPLE_ROW_MESSAGE.format(id=f["employee_id"], name=f["name"]))
        if eid is not None:
            if eid in seen:
                fail("employee_id", f"duplicate employee_id {eid!r} (first on row {seen[eid]}); "
                                    f"expected each agent once")
            else:
                seen[eid] = row
        home = data.get("home_queue")
        if home is not None and home not in ids:
            fail("home_queue", _unknown_queue(home, ids))
        if f.get("skills"):
            skills = [s.strip() for s in re.split(r"[;；,，、|]", f["skills"]) if s.strip()]
            for s in skills:
                if s not in ids:
                    fail("skills", _unknown_queue(s, ids))
            if home is not None and home in ids and home not in skills:
                fail("skills", f"skills {';'.join(skills)} do not include the home_queue {home!r}; expected "
                               f"{';'.join([home, *skills])}")
            data["skills"] = list(dict.fromkeys(skills))
        if f.get("kind"):
            kind = KIND_WORDS.get(f["kind"].strip().lower())
            if kind is None:
                fail("kind", f"expected regular or flex, got {f['kind']!r}")
            else:
                data["kind"] = kind
        for col in ("is_lead", "night_ok"):
            if f.get(col):
                try:
                    data[col] = parse_bool(f[col])
                except ValueError as exc:
                    fail(col, str(exc))
        for col, low, high in (("efficiency", 0.0, 2.0), ("max_hours_week", 0.0, 168.0)):
            if f.get(col):
                expect = f"expected a number > 0 and <= {high:g}"
                try:
                    v = parse_number(f[col])
                except ValueError:
                    fail(col, f"{expect}, got {f[col]!r}")
                    continue
                if not low < v <= high:
                    fail(col, f"{expect}, got {f[col]}")
                else:
                    data[col] = v
        if bad:
            problems.extend(bad)
            continue
        try:
            agents.append(Agent.model_validate(data))
        except ValidationError as exc:  # a backstop: the checks above should have said it already
            problems.extend(_errors_to_problems(name, row, exc, f, Agent))
    if not table.data_rows:
        problems.append(Problem(name, "has no agents; expected one row per agent below the header",
                                row=table.header_row + 1))
    return agents, set(seen)


def _slot_index(config: ScenarioConfig, when: dt.datetime) -> int | None:
    """Slot index of a slot start, None when off the grid or outside the horizon."""
    minutes = (when - config.horizon_start).total_seconds() / 60
    if minutes < 0 or when >= config.horizon_end or minutes % config.slot_minutes:
        return None
    return int(minutes // config.slot_minutes)


def _horizon_text(config: ScenarioConfig) -> str:
    last = config.horizon_end - dt.timedelta(minutes=config.slot_minutes)
    return f"{config.horizon_start:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"


def load_demand(path: Path, config: ScenarioConfig, problems: list[Problem]) -> dict[str, list[float]]:
    """demand.csv -> queue id -> contacts per slot. A missing row means zero."""
    n = config.days * 24 * 60 // config.slot_minutes
    demand = {q: [0.0] * n for q in config.queue_ids}
    table = _read_csv(Path(path), DEMAND_COLUMNS, problems)
    if table is None or not _check_columns(table, DEMAND_COLUMNS, [], problems):
        return demand
    name = table.name
    seen: dict[tuple[int, str], int] = {}
    for row, f in table.rows:
        bad = len(problems)
        t = None
        try:
            when = parse_datetime(f["start"])
        except ValueError as exc:
            problems.append(Problem(name, str(exc), row=row, column="start"))
        else:
            t = _slot_index(config, when)
            if when < config.horizon_start or when >= config.horizon_end:
                problems.append(Problem(name, f"{f['start']} is outside the horizon; expected a slot start from "
                                              f"{_horizon_text(config)} (scenario.toml start and days)",
                                        row=row, column="start"))
            elif t is None:
                minute = (when.minute // config.slot_minutes) * config.slot_minutes
                problems.append(Problem(name, f"{f['start']} is not on the {config.slot_minutes}-minute slot grid; "
                                              f"expected a slot start such as "
                                              f"{when.replace(minute=minute):%Y-%m-%d %H:%M}",
                                        row=row, column="start"))
        q = f["queue"]
        if q not in demand:
            problems.append(Problem(name, _unknown_queue(q, config.queue_ids) if q else
                                    f"is empty; expected one of {', '.join(config.queue_ids)}",
                                    row=row, column="queue"))
        v = None
        try:
            v = parse_number(f["contacts"])
            if v < 0:
                raise ValueError(f"expected a non-negative number of contacts, got {f['contacts']}")
        except ValueError as exc:
            msg = str(exc)
            if msg.startswith("expected a number"):
                msg = "expected a non-negative number of contacts" + msg.removeprefix("expected a number")
            problems.append(Problem(name, msg, row=row, column="contacts"))
        if len(problems) > bad or t is None or v is None:
            continue
        if (t, q) in seen:
            problems.append(Problem(name, f"second row for {f['start']} {q} (first on row {seen[(t, q)]}); "
                                          f"expected one row per slot and queue", row=row, column="start"))
            continue
        seen[(t, q)] = row
        demand[q][t] = v
    return demand


def load_absences(path: Path, agents: dict[str, Agent], problems: list[Problem], name: str | None = None,
                  staff_ids: Collection[str] | None = ()) -> list[Absence]:
    """absences.csv -> the absences of known agents. An employee_id not in `agents` is reported as
    unknown unless `staff_ids` (every id the staff file names, valid row or not; None when it could
    not be read) holds it: that agent's staff row was already reported."""
    path = Path(path)
    sub: list[Problem] = []
    table = _read_csv(path, ABSENCE_REQUIRED + ABSENCE_OPTIONAL, sub)
    if name:
        sub = [Problem(name, p.message, p.row, p.column) for p in sub]
    problems.extend(sub)
    if table is None:
        return []
    table.name = name or table.name
    if not _check_columns(table, ABSENCE_REQUIRED, ABSENCE_OPTIONAL, problems):
        return []
    out = []
    ids = list(agents)
    for row, f in table.rows:
        bad = len(problems)
        data: dict[str, Any] = {"employee_id": f["employee_id"], "reason": f.get("reason", "")}
        for col in ("start", "end"):
            try:
                data[col] = parse_datetime(f[col])
            except ValueError as exc:
                problems.append(Problem(table.name, str(exc), row=row, column=col))
        eid = f["employee_id"]
        reported = eid not in agents and bool(eid) and (staff_ids is None or eid in staff_ids)
        if eid not in agents and not reported:
            problems.append(Problem(table.name, f"unknown employee_id {eid!r}{_did_you_mean(eid, ids)}; "
                                                f"expected an employee_id of the staff list"
                                    if eid else "is empty; expected an employee_id of the staff list",
                                    row=row, column="employee_id"))
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            s, e = data["start"], data["end"]
            hint = " (for a whole day, end at 00:00 of the next day)" if e == s else ""
            problems.append(Problem(table.name, f"end {e:%Y-%m-%d %H:%M} is "
                                                f"{'the same as' if e == s else 'before'} start "
                                                f"{s:%Y-%m-%d %H:%M}; expected an end after the start{hint}",
                                    row=row, column="end"))
        if len(problems) > bad or reported:
            continue
        try:
            out.append(Absence.model_validate(data))
        except ValidationError as exc:
            problems.extend(_errors_to_problems(table.name, row, exc, f, Absence))
    return out


def load_scenario(folder: str | Path) -> Scenario:
    """Read a scenario folder (SPEC section 2). Raises InputError listing every problem found.
    `scheduler.inputs.load_inputs` adds the previous roster and the locks' rule check."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError([Problem(str(folder), "not found: expected a scenario folder holding scenario.toml, "
                                               "staff.csv and demand.csv")])
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is a file, not a folder: expected a scenario folder holding "
                                               "scenario.toml, staff.csv and demand.csv")])
    toml_path = folder / "scenario.toml"
    if not toml_path.exists():
        raise InputError([Problem("scenario.toml", f"not found in {folder}: expected the scenario's horizon, "
                                                   f"queues, shifts and rules in this file")])
    config = load_config(toml_path)
    problems: list[Problem] = []
    agents, named = _load_staff(folder, config, problems)
    demand_path = folder / "demand.csv"
    steps: list[tuple[str, float | str]] = []
    if demand_path.exists():
        demand = load_demand(demand_path, config, problems)
        source = "demand.csv"
    elif config.forecast is not None:
        try:
            demand, steps = derive_demand(config)
            if not all(math.isfinite(v) and v >= 0 for values in demand.values() for v in values):
                raise ValueError("the plan gives a negative or infinite number of contacts")
        except (ValueError, ArithmeticError) as exc:
            problems.append(Problem("scenario.toml", f"[forecast]: cannot derive the demand ({exc}); expected a "
                                                     f"plan with positive, realistic numbers"))
            demand = {}
        source = "forecast"
    else:
        problems.append(Problem("demand.csv", f"not found in {folder}, and scenario.toml has no [forecast] to "
                                              f"derive it from; expected demand.csv with the columns "
                                              f"{', '.join(DEMAND_COLUMNS)}, or the business plan in a "
                                              f"[forecast] table of scenario.toml"))
        demand, source = {}, "demand.csv"
    absences: list[Absence] = []
    if (folder / "absences.csv").exists():
        # an agent whose staff row is wrong is reported there, not again as unknown here
        absences = load_absences(folder / "absences.csv", {a.employee_id: a for a in agents}, problems,
                                 staff_ids=named)
    requests, locks = _load_wishes(folder, config, agents, named, problems)
    if problems:
        raise InputError(problems)
    return Scenario(config=config, agents=agents, demand=demand, absences=absences, folder=folder,
                    demand_source=source, forecast_steps=steps, requests=requests, locks=locks)


def _load_wishes(folder: Path, config: ScenarioConfig, agents: list[Agent], named: set[str] | None,
                 problems: list[Problem]) -> tuple[list, list]:
    """requests.csv and locks.csv (SPEC 2.1), when there."""
    by_id = {a.employee_id: a for a in agents}
    out: list[list] = []
    for file, reader in (("requests.csv", load_requests), ("locks.csv", load_locks)):
        found: list[Problem] = []
        out.append(reader(folder / file, config, by_id, found) if (folder / file).exists() else [])
        # an agent whose staff row is wrong is reported there, not again as unknown here
        problems.extend(p for p in found if not (p.column == "employee_id" and p.message.startswith("unknown")
                                                  and named is not None and any(
                                                      p.message.startswith(f"unknown employee_id {e!r}")
                                                      for e in named)))
    return out[0], out[1]
