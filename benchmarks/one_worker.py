"""A one-worker solve of a benchmark case (deterministic: the same roster under any load), for
before/after comparisons of the search (issue 15 item 3).

    python -m benchmarks.one_worker benchmarks/scenarios/d11_a800_d14_s60_q2 120 [name=value ...]
    SCHEDULER_LNS_DEBUG=1 python -m benchmarks.one_worker CASE 120 2> trace.txt   # a line per LNS part

runs `solve(scenario, SolveOptions(T, workers=1, seed=0, tuning=DEFAULT_PARAMS.but(name=value,
...)), ProgressPrinter(None))` (`seed=N` sets the run's seed instead; a progress printer, so the
model's build is deferred as in `scheduler solve` and `benchmarks.run`), checks the roster with
`scheduler.check` and prints each tier's value, the report's notes, the CPU seconds (user + sys)
and a line starting with RESULT (the values, violations, CPU seconds, peak RSS and a hash of the
roster: two runs of one code give the same hash). `benchmarks.lns_trace` reads the trace.
Nothing is written.
"""

from __future__ import annotations

import ast
import hashlib
import resource
import sys
import time

from scheduler.check import check_roster
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario
from scheduler.solve import ProgressPrinter, SolveOptions, solve


def run(case: str, limit: float, args: list[str]):
    """The one-worker solve of `case` for `limit` s with args "name=value" (SolveParams fields, and
    seed=N): (scenario, roster, report, the changes, the seed, CPU seconds)."""
    changes = {k: ast.literal_eval(v) for k, v in (a.split("=", 1) for a in args)}
    seed = int(changes.pop("seed", 0))  # seed=N: the run's seed (SolveOptions), not a SolveParams field
    scenario = load_scenario(case)
    t0 = time.process_time()
    roster, report = solve(scenario, SolveOptions(limit, workers=1, seed=seed, tuning=DEFAULT_PARAMS.but(**changes)),
                           ProgressPrinter(None))
    return scenario, roster, report, changes, seed, time.process_time() - t0


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    case, limit = argv[0], float(argv[1])
    scenario, roster, report, changes, seed, cpu = run(case, limit, argv[2:])
    violations = check_roster(scenario, roster)
    for p in report.phases:
        print(f"  {p.name}: {p.objective:,.2f} {p.unit} ({p.status})")
    for note in report.notes:
        print("  note:", note)
    digest = hashlib.md5(repr(sorted(repr(a) for a in roster.assignments)).encode()).hexdigest()[:10]
    name = case.rstrip("/").split("/")[-1]
    print(f"RESULT {name} {changes} seed={seed} " + " ".join(f"{p.name}={p.objective:.2f}" for p in report.phases)
          + f" violations={len(violations)} cpu={cpu:.0f} hash={digest} "
          f"rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}MB")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
