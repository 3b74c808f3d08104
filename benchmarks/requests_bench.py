"""How long the Requests sheet's explanations take after a solve (SPEC 7): N random requests, each
asking for something the roster does not give, on a generated case's roster.

    python -m benchmarks.requests_bench [--agents 400] [--days 14] [--requests 100] [--repeats 3]
                                        [--roster WORKBOOK] [--solve-time 20]

The roster is --roster (a workbook solved for the same generated case) or a one-worker solve of
--solve-time seconds. Prints the CPU seconds of `request_outcomes` per repeat and their median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.run import code_version, machine


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.requests_bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=400)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--roster", help="a workbook solved for the generated case (else a short solve)")
    p.add_argument("--solve-time", type=float, default=20.0)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)

    from scheduler.app import options_for
    from scheduler.granted import request_outcomes
    from scheduler.roster import Roster
    from scheduler.scenario import load_scenario
    from scheduler.scenario.wishes import Request
    from scheduler.solve import solve
    from scheduler.workbook import read_assignments

    folder = generate(Path(tempfile.mkdtemp(prefix="requests_bench_")), a.agents, a.days, 60, 2, a.seed)
    scenario = load_scenario(folder)
    if a.roster:
        roster = Roster.from_rows(read_assignments(Path(a.roster)))
    else:
        roster, _ = solve(scenario, options_for(scenario, a.solve_time, 1, a.seed))
    rng = random.Random(a.seed)
    codes = sorted({s.code for s in scenario.config.shifts})
    picks = rng.sample(sorted(roster.assignments, key=lambda x: (x.employee_id, x.date)),
                       min(a.requests, len(roster.assignments)))
    requests = []
    for n, x in enumerate(picks):
        kind = rng.choice(["off", "shift", "avoid"])
        code = {"off": "", "avoid": x.shift}.get(kind) or rng.choice([c for c in codes if c != x.shift])
        requests.append(Request(n + 2, x.employee_id, x.date, kind, code, rng.randint(1, 3)))
    wished = scenario.model_copy(update={"requests": requests})
    seconds = []
    for _ in range(a.repeats):
        t = time.process_time()
        out = request_outcomes(wished, roster)
        seconds.append(time.process_time() - t)
    declined = sum(not o["granted"] for o in out)
    print(f"machine: {machine()}\ncode: {code_version()}\ncommand: python -m benchmarks.requests_bench "
          + " ".join(sys.argv[1:] if argv is None else argv))
    print(f"{a.agents} agents x {a.days} days, {len(roster.assignments)} shifts; {len(requests)} requests, "
          f"{declined} declined, explained: CPU s per repeat {', '.join(f'{s:.2f}' for s in seconds)}; "
          f"median {statistics.median(seconds):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
