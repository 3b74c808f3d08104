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

import difflib
import itertools
import math
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from scheduler.errors import InputError, Problem, Stopped
from scheduler.variant import Job, Outcome, Variant, failed, progress_line, run_variant

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
        form: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        adapter: TypeAdapter[Any] = TypeAdapter(form)
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


def plan_variants(folders: list[str], scales: list[float], sets: list[tuple[str, list[Any]]]) -> list[Variant]:
    """Every combination of folder, factor and set values, in that order."""
    combos = list(itertools.product(*[[(k, v) for v in vs] for k, vs in sets])) if sets else [()]
    out: list[Variant] = []
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


def ray_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


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
    from scheduler.atomic import atomic_path
    from scheduler.workbook.compare import write_compare

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
    variants_dir = out.with_name(out.stem + "_variants")
    variants_dir.mkdir(parents=True, exist_ok=True)
    workbooks: dict[int, str] = {}
    done: dict[int, Outcome] = {}

    def finished(outcome: Outcome, n: int, total: int) -> None:
        for name, data in outcome.files.items():
            with atomic_path(variants_dir / name) as tmp:
                tmp.write_bytes(data)
        if outcome.variant.file_name in outcome.files:
            workbooks[outcome.variant.index] = f"{variants_dir.name}/{outcome.variant.file_name}"
        done[outcome.variant.index] = outcome
        say(progress_line(outcome, n, total))

    set_keys = [k for k, _ in sets]
    try:
        outcomes = run_variants(jobs, address=address, workers_per_task=workers_per_task, on_done=finished,
                                use_ray=use_ray)
    except KeyboardInterrupt:
        rest = [done.get(v.index) or failed(v, "stopped by the user") for v in variants]
        write_compare(out, rest, set_keys, hire is not None, workbooks)
        raise Stopped(f"Stopped; {out} lists the {len(done)} variant(s) finished so far, their workbooks are in "
                      f"{variants_dir}") from None
    for o in outcomes:
        o.files = {}  # written; keep the rows light
    write_compare(out, outcomes, set_keys, hire is not None, workbooks)
    return WhatifRun(outcomes, out, variants_dir, use_ray, time.monotonic() - t0)
