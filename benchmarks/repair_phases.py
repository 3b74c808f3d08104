"""Where one `scheduler repair` command spends its time, phase by phase (wall and CPU seconds).

    python -m benchmarks.repair_phases repair ROSTER.xlsx --scenario DIR --absences FILE [...]
    PYTHONPATH=OTHER_CHECKOUT python benchmarks/repair_phases.py repair ...   # another checkout's code

Runs the command line given (the arguments of `scheduler`) in this process with the main steps
wrapped in timers, and prints one line per step to stderr after the command's own output. CPU
seconds are this process's (all threads: CP-SAT's workers too), so on a loaded machine they are
the steadier figure. The wrapping costs microseconds; the imports line is everything before the
command starts.
"""

from __future__ import annotations

import time

T0, C0 = time.monotonic(), time.process_time()

import functools  # noqa: E402 - the clock starts before the imports it measures
import importlib  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

import scheduler.cli as cli  # noqa: E402

try:  # as the repair command does, before its imports
    from scheduler.lazyimport import import_cp_model  # noqa: E402
except ImportError:  # an older checkout (--pythonpath of the bench)
    pass
else:
    import_cp_model()
import scheduler.repair  # noqa: E402, F401 - its imports are part of the command's

IMPORTS = (time.monotonic() - T0, time.process_time() - C0)

# (module, function, label): what the repair command calls, in order
STEPS = [
    ("scheduler.repair", "load_scenario", "load scenario folder"),
    ("scheduler.workbook", "read_assignments", "read Assignments sheet"),
    ("scheduler.workbook", "read_absences", "read Absences sheet"),
    ("scheduler.workbook", "read_demand", "read Demand sheet"),
    ("scheduler.repair", "check_rows", "check the published roster"),
    ("scheduler.repair", "check_roster", "checker: kept past; result"),  # the result's beside the table
    ("scheduler.solve", "RosterModel", "build the neighbourhood's model"),
    ("scheduler.solve", "Pipeline.run", "search the tiers (CP-SAT)"),
    ("scheduler.solve", "make_honest", "restate bounds"),
    ("scheduler.repair", "calls_table", "calls-versus-service table"),
    ("scheduler.repair", "past_bounds", "bounds of the fixed past"),
    ("scheduler.repair", "verify", "check the repaired roster"),
    ("scheduler.app", "coverage", "coverage of the result"),
    ("scheduler.workbook", "write_workbook", "write workbook and CSV"),
]


def _wrap(module: str, name: str, label: str, out: list) -> None:
    owner: Any = importlib.import_module(module)
    *path, name = name.split(".")  # a function, or a class's method ("Pipeline.run")
    for part in path:
        owner = getattr(owner, part, None)
    f = getattr(owner, name, None)
    if f is None:
        return  # an older checkout (--pythonpath of the bench) may not have this step

    @functools.wraps(f)
    def timed(*args, **kwargs):
        t, c = time.monotonic(), time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            out.append((label, time.monotonic() - t, time.process_time() - c))

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    rows: list[tuple[str, float, float]] = []
    for module, name, label in STEPS:
        _wrap(module, name, label, rows)
    rc = cli.main(argv if argv is not None else sys.argv[1:])
    print(f"{'imports':<34} wall {IMPORTS[0]:6.2f} s  CPU {IMPORTS[1]:6.2f} s", file=sys.stderr)
    for label, wall, cpu in rows:
        print(f"{label:<34} wall {wall:6.2f} s  CPU {cpu:6.2f} s", file=sys.stderr)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{'whole command':<34} wall {time.monotonic() - T0:6.2f} s  CPU {ru.ru_utime + ru.ru_stime:6.2f} s "
          f"(user + system, all threads)", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
