"""What-if variants solved side by side (SPEC section 10).

A variant is one scenario folder x one demand factor (`--scale`) x one value of each `--set KEY`.
Every variant is an independent solve, run as a Ray task (`scheduler.cluster`) or, without Ray,
one after the other in this process.

What travels to a worker: the folder's files as bytes (read once on the driver) and the
variant's factor and settings; what comes back: the variant's row and its workbook as bytes,
written on the driver. So the workers need the package installed but no shared filesystem,
and a variant sees the folder exactly as it was when the run started.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import json
import math
import re
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable

from pydantic import BaseModel, TypeAdapter, ValidationError

from scheduler.errors import InfeasibleError, InputError, Problem

MAX_FILE_BYTES = 200 * 1024 * 1024  # a folder's file larger than this is not a scenario input
SCENARIO_FILES = ("scenario.toml", "staff.csv", "staff.xlsx", "demand.csv", "absences.csv", "requests.csv",
                  "locks.csv")


# ---------------------------------------------------------------------------------------------
# The grid of variants

def settable_keys() -> dict[str, Any]:
    """Dotted scenario.toml key -> pydantic FieldInfo, for every single value `--set` may change
    (top-level values and the values of the [rules], [solver] and [forecast] tables)."""
    from scheduler.scenario import ScenarioConfig

    out: dict[str, Any] = {}
    for name, info in ScenarioConfig.model_fields.items():
        key = info.alias or name
        sub = _table_model(info.annotation) if _is_single_value(info.annotation) else None
        if sub is not None:
            for sname, sinfo in sub.model_fields.items():
                if _is_single_value(sinfo.annotation):
                    out[f"{key}.{sinfo.alias or sname}"] = sinfo
        elif _is_single_value(info.annotation):
            out[key] = info
    return out


def _table_model(annotation: Any) -> type[BaseModel] | None:
    from typing import get_args

    for a in (annotation, *get_args(annotation)):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _is_single_value(annotation: Any) -> bool:
    from typing import get_args, get_origin

    if get_origin(annotation) in (list, dict):
        return False
    return not any(get_origin(a) in (list, dict) for a in get_args(annotation))


def parse_scales(text: str | None) -> list[float]:
    """`0.8,1.0,1.2` -> [0.8, 1.0, 1.2]; every factor a number > 0. Raises InputError."""
    if text is None:
        return [1.0]
    out, problems = [], []
    for part in text.split(","):
        part = part.strip()
        try:
            f = float(part)
        except ValueError:
            problems.append(Problem("--scale", f"expected numbers > 0 separated by commas, got {part!r}"))
            continue
        if not math.isfinite(f) or f <= 0:
            problems.append(Problem("--scale", f"a demand factor must be a number > 0, got {part}"))
        else:
            out.append(f)
    if not out and not problems:
        problems.append(Problem("--scale", "no factor given: expected e.g. --scale 0.8,1.0,1.2"))
    if problems:
        raise InputError(problems)
    return list(dict.fromkeys(out))


def _toml_value(text: str) -> Any:
    """A value as scenario.toml would read it; a bare word is text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_sets(items: list[str] | None) -> list[tuple[str, list[Any]]]:
    """`KEY=V1,V2` items -> [(key, [v1, v2])], each value checked against the key's type and range.
    Raises InputError naming every unknown key (with the valid ones) and every bad value."""
    keys = settable_keys()
    out: list[tuple[str, list[Any]]] = []
    problems: list[Problem] = []
    for item in items or []:
        key, eq, values = item.partition("=")
        key = key.strip()
        if not eq or not key:
            problems.append(Problem("--set", f"expected KEY=V1,V2 (e.g. rules.max_continuous_high_load_hours=1,2), "
                                             f"got {item!r}"))
            continue
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem("--set", f"unknown key {key!r}{hint}; keys that can be set: "
                                             f"{', '.join(keys)}"))
            continue
        if any(k == key for k, _ in out):
            problems.append(Problem("--set", f"{key} is given twice; list all its values once: {key}=V1,V2"))
            continue
        info = keys[key]
        adapter = TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)
        parsed = []
        for raw in [v.strip() for v in values.split(",")]:
            if raw == "":
                problems.append(Problem("--set", f"{key}: empty value in {values!r}"))
                continue
            value = _toml_value(raw)
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                what = "; ".join(e["msg"] for e in exc.errors())
                problems.append(Problem("--set", f"{key}={raw}: {what}"))
                continue
            parsed.append(value)
        if parsed:
            out.append((key, parsed))
    if problems:
        raise InputError(problems)
    return out


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


def plan_variants(folders: list[str], scales: list[float], sets: list[tuple[str, list[Any]]]) -> list[Variant]:
    """Every combination of folder, factor and set values, in that order."""
    combos = list(itertools.product(*[[(k, v) for v in vs] for k, vs in sets])) if sets else [()]
    out = []
    for folder in folders:
        shop = Path(folder).resolve().name or str(folder)
        for scale in scales:
            for combo in combos:
                out.append(Variant(len(out) + 1, str(folder), shop, scale, tuple(combo)))
    if not out:
        raise InputError([Problem("whatif", "the grid of variants is empty: give at least one folder and factor")])
    return out


def read_folder(folder: str | Path) -> dict[str, bytes]:
    """The scenario files of a folder as bytes (what a worker receives). A missing folder or
    scenario.toml is bad input (raised); a broken file is left for the variant to report."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "not found or not a folder: expected a scenario folder holding "
                                               "scenario.toml and staff.csv")])
    files = {}
    for name in SCENARIO_FILES:
        p = folder / name
        if p.is_file():
            if p.stat().st_size > MAX_FILE_BYTES:
                raise InputError([Problem(str(p), f"is larger than {MAX_FILE_BYTES >> 20} MB: not a scenario file")])
            files[name] = p.read_bytes()
    if "scenario.toml" not in files:
        raise InputError([Problem(str(folder), "has no scenario.toml")])
    return files


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
    from scheduler.hire_sheet import hires_sheet_writer

    return {"extra_sheets": [hires_sheet_writer(result)]}


# ---------------------------------------------------------------------------------------------
# Running them all

def run_variants(jobs: list[Job], *, address: str | None = None, workers_per_task: int = 1,
                 on_done: Callable[[Outcome, int, int], None] | None = None,
                 use_ray: bool | None = None) -> list[Outcome]:
    """Run every job; `on_done(outcome, done, total)` is called as each finishes (in finishing
    order). Returns outcomes in job order. With Ray (installed, `use_ray` not False) the jobs are
    Ray tasks; without, they run one by one here. A failure is its job's outcome, never a stop."""
    if use_ray is None:
        use_ray = ray_available()
    if use_ray:
        from scheduler.cluster import run_on_ray

        return run_on_ray(jobs, address=address, workers_per_task=workers_per_task, on_done=on_done)
    outcomes = []
    for k, job in enumerate(jobs, start=1):
        try:
            outcome = run_variant(job)
        except Exception as exc:  # a bug in one variant must not cost the others their results
            outcome = failed(job.variant, f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        if on_done:
            on_done(outcome, k, len(jobs))
    return outcomes


def failed(variant: Variant, reason: str) -> Outcome:
    return Outcome(variant, f"failed: {reason}"[:500])


def ray_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


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


# ---------------------------------------------------------------------------------------------
# The whole run: variants, workbooks, the Compare sheet

INSTALL_RAY = "pip install -e '.[cluster]'  (or: pip install 'mega-sale-scheduler[cluster]')"


@dataclass
class WhatifRun:
    outcomes: list[Outcome]
    compare: Path
    folder: Path              # the variants' own workbooks
    on_ray: bool
    seconds: float

    def summary_text(self) -> str:
        ok = sum(1 for o in self.outcomes if o.overflow is not None)
        lines = [f"{len(self.outcomes)} variant(s) {'on Ray' if self.on_ray else 'one by one'} in "
                 f"{self.seconds:.1f} s: {ok} solved, {len(self.outcomes) - ok} not"]
        for o in self.outcomes:
            lines.append("  " + progress_line(o, o.variant.index, len(self.outcomes)).split("] ", 1)[1])
        lines += [f"  wrote {self.compare}", f"  wrote the variants' workbooks in {self.folder}"]
        return "\n".join(lines)


def run_whatif(folders: list[str], *, scales: list[float], sets: list[tuple[str, list[Any]]], out: Path,
               hire: dict | None = None, address: str | None = None, workers_per_task: int = 1,
               time_limit_s: float | None = None, seed: int | None = None, lang: str = "en",
               use_ray: bool | None = None, say: Callable[[str], None] = lambda _m: None) -> WhatifRun:
    """Solve every variant (one per folder x factor x set values), write each one's workbook in
    `<out stem>_variants/` and the Compare workbook at `out`. Times in seconds."""
    from scheduler.compare_sheet import write_compare
    from scheduler.workbook import atomic_path

    t0 = time.monotonic()
    if workers_per_task < 1:
        raise InputError([Problem("--workers-per-task", f"expected a whole number >= 1, got {workers_per_task}")])
    variants = plan_variants(folders, scales, sets)
    problems, files = [], {}
    for folder in dict.fromkeys(folders):
        try:
            files[folder] = read_folder(folder)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    installed = ray_available()
    if address and not (installed and use_ray is not False):
        raise InputError([Problem("--address", f"Ray is not installed, so no cluster can be reached; {INSTALL_RAY}"
                                  if not installed else "--address needs Ray: drop --no-ray")])
    if use_ray is None:
        use_ray = installed
    if not installed:
        say(f"Ray is not installed: the {len(variants)} variant(s) run one by one. To run them side by side: "
            f"{INSTALL_RAY}")
    jobs = [Job(v, files[v.folder], time_limit_s=time_limit_s, workers=workers_per_task, seed=seed, lang=lang,
                hire=hire) for v in variants]
    out = Path(out)
    folder = out.with_name(out.stem + "_variants")
    folder.mkdir(parents=True, exist_ok=True)
    workbooks: dict[int, str] = {}
    done: dict[int, Outcome] = {}

    def finished(outcome: Outcome, n: int, total: int) -> None:
        for name, data in outcome.files.items():
            with atomic_path(folder / name) as tmp:
                tmp.write_bytes(data)
        if outcome.variant.file_name in outcome.files:
            workbooks[outcome.variant.index] = f"{folder.name}/{outcome.variant.file_name}"
        done[outcome.variant.index] = outcome
        say(progress_line(outcome, n, total))

    set_keys = [k for k, _ in sets]
    try:
        outcomes = run_variants(jobs, address=address, workers_per_task=workers_per_task, on_done=finished,
                                use_ray=use_ray)
    except KeyboardInterrupt:
        rest = [done.get(v.index) or failed(v, "stopped by the user") for v in variants]
        write_compare(out, rest, set_keys, hire is not None, workbooks)
        raise
    for o in outcomes:
        o.files = {}  # written; keep the rows light
    write_compare(out, outcomes, set_keys, hire is not None, workbooks)
    return WhatifRun(outcomes, out, folder, use_ray, time.monotonic() - t0)
