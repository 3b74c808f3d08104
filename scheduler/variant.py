"""One what-if variant (SPEC section 10) as a worker runs it: plain data in (the scenario folder's
files as bytes, a demand factor, scenario.toml settings), plain data out (the Compare row and
the variant's workbooks as bytes). Nothing here touches the driver's files or imports Ray, so
the same function runs in this process, in a local Ray worker, or on another machine."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.errors import InfeasibleError, InputError


@dataclass(frozen=True)
class Variant:
    index: int                              # 1-based, the Compare row
    folder: str                             # as given on the command line
    shop: str                               # the folder's name
    scale: float
    sets: tuple[tuple[str, Any], ...]

    @property
    def label(self) -> str:
        parts = [self.shop, f"x{self.scale:g}"] + [f"{k.split('.')[-1]}={_text(v)}" for k, v in self.sets]
        return " ".join(parts)

    @property
    def file_name(self) -> str:
        name = "_".join([f"{self.index:02d}", self.shop, f"x{self.scale:g}"]
                        + [f"{k.split('.')[-1]}-{_text(v)}" for k, v in self.sets])
        return re.sub(r"[^\w.\-]+", "_", name)[:120] + ".xlsx"


def _text(v: Any) -> str:
    return v.isoformat() if isinstance(v, (dt.date, dt.time)) else str(v)


# ---------------------------------------------------------------------------------------------
# One variant (runs on a worker)

@dataclass
class Job:
    """Everything a worker needs for one variant: plain data, picklable."""

    variant: Variant
    files: dict[str, bytes]
    time_limit_s: float | None = None
    workers: int = 1
    seed: int | None = None
    lang: str = "en"
    hire: dict | None = None                # find_hires options when --hire: template, target_pct, max_hires
    bound: bool = True


@dataclass
class Outcome:
    """A variant's row for the Compare sheet and its files (name -> bytes) to write beside it."""

    variant: Variant
    status: str
    overflow: float | None = None
    shortage: float | None = None
    required: float | None = None
    flex_hours: float | None = None
    hires: int | None = None
    hires_lower_bound: int | None = None
    gap: float | None = None
    seconds: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)
    note: str = ""


def run_variant(job: Job) -> Outcome:
    """Load the variant's scenario from the job's files, apply its factor and settings, solve (or
    find its hires), write its workbook in a temporary folder and return it with the row.
    An invalid scenario or an impossible roster is a row, not an exception."""
    t0 = time.monotonic()
    v = job.variant
    try:
        with tempfile.TemporaryDirectory(prefix="whatif-") as tmp:
            folder = Path(tmp) / v.shop
            folder.mkdir()
            for name, data in job.files.items():
                (folder / name).write_bytes(data)
            if v.sets:
                _apply_sets(folder / "scenario.toml", v.sets)
            return _solve_variant(job, folder, Path(tmp) / "out", t0)
    except InputError as exc:
        return Outcome(v, "invalid: " + "; ".join(str(p) for p in exc.problems[:5]), seconds=time.monotonic() - t0)
    except InfeasibleError as exc:
        return Outcome(v, "infeasible: " + " ".join(exc.reasons)[:500], seconds=time.monotonic() - t0)


def _apply_sets(path: Path, sets: tuple[tuple[str, Any], ...]) -> None:
    from scheduler.scenario import load_config

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        load_config(path)  # reports the folder's own syntax error as it always does
        raise
    for key, value in sets:
        table = data
        *parents, last = key.split(".")
        for p in parents:
            table = table.setdefault(p, {})
        table[last] = value
    path.write_text(toml_dumps(data), encoding="utf-8")


def _solve_variant(job: Job, folder: Path, out_dir: Path, t0: float) -> Outcome:
    from scheduler.app import add_service_bounds, options_for, verify, write_result
    from scheduler.grid import Grid
    from scheduler.kpi import summary_kpis
    from scheduler.scenario import load_scenario
    from scheduler.solve import solve

    v = job.variant
    scenario = load_scenario(folder)
    if v.scale != 1.0:
        scenario = scenario.model_copy(update={
            "demand": {q: [c * v.scale for c in values] for q, values in scenario.demand.items()},
            "forecast_steps": [*scenario.forecast_steps, (f"what-if: every slot's contacts x {v.scale:g}", v.scale)]
            if scenario.forecast_steps else []})
    opts = options_for(scenario, job.time_limit_s, job.workers, job.seed)
    out_dir.mkdir()
    out = out_dir / v.file_name
    hires = lower = None
    if job.hire is not None:
        from scheduler.hire import find_hires, write_staff_with_hires

        h = job.hire
        result = find_hires(scenario, template=h["template"], target_pct=h["target_pct"],
                            max_hires=h.get("max_hires"), opts=opts, bound_s=max(10.0, opts.time_limit_s / 2))
        run = write_result(out, result.scenario, result.roster, result.report, job.lang,
                           **_hire_sheet_kwargs(result))
        write_staff_with_hires(out_dir / (out.stem + "_staff_with_hires.csv"), result)
        hires, lower = result.count, result.lower_bound
        kpis, report = run.kpis, result.report
    else:
        roster, report = solve(scenario, opts, None)
        verify(scenario, roster)
        kpis = summary_kpis(scenario, Grid(scenario), roster)
        if job.bound:
            add_service_bounds(scenario, report, kpis, time_limit_s=max(10.0, opts.time_limit_s / 2))
        write_result(out, scenario, roster, report, job.lang)
    gaps = [b.gap for b in report.service] or [p.gap for p in report.phases if p.name in ("overflow", "shortage")]
    files = {p.name: p.read_bytes() for p in sorted(out_dir.iterdir()) if p.is_file()}
    return Outcome(v, report.status, overflow=kpis["overflow_customer_hours"], shortage=kpis["shortage_agent_hours"],
                   required=kpis["required_agent_hours"], flex_hours=kpis["flex_hours"], hires=hires,
                   hires_lower_bound=lower, gap=max(gaps, default=0.0), seconds=time.monotonic() - t0, files=files)


def _hire_sheet_kwargs(result: Any) -> dict:
    """write_result's extra sheet for a hire result (kept here so whatif and hire agree)."""
    from scheduler.workbook.hires import hires_sheet_writer

    return {"extra_sheets": [hires_sheet_writer(result)]}


def failed(variant: Variant, reason: str) -> Outcome:
    return Outcome(variant, f"failed: {reason}"[:500])


def progress_line(outcome: Outcome, done: int, total: int) -> str:
    figures = ""
    if outcome.overflow is not None:
        figures = f": overflow {outcome.overflow:,.2f}, shortage {outcome.shortage:,.2f}"
        if outcome.hires is not None:
            figures += f", {outcome.hires} hire(s)"
    status = outcome.status if len(outcome.status) < 120 else outcome.status[:117] + "..."
    return f"[{done}/{total}] {outcome.variant.label} {status}{figures} ({outcome.seconds:.1f} s)"


# ---------------------------------------------------------------------------------------------
# A small TOML writer for scenario.toml data as tomllib reads it (tables, arrays of tables,
# text, numbers, booleans, dates, times, lists)

def toml_dumps(data: dict) -> str:
    lines: list[str] = []
    _toml_table(lines, [], data)
    return "\n".join(lines) + "\n"


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _toml_table(lines: list[str], path: list[str], table: dict) -> None:
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            lines.append(f"{_toml_key(k)} = {_toml_scalar(v)}")
    for k, v in table.items():
        name = ".".join(_toml_key(p) for p in [*path, k])
        if isinstance(v, dict):
            lines.extend(["", f"[{name}]"])
            _toml_table(lines, [*path, k], v)
        elif _is_table_array(v):
            for item in v:
                lines.extend(["", f"[[{name}]]"])
                _toml_table(lines, [*path, k], item)


def _toml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_scalar(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")
