"""CPU seconds to build the same LNS parts, for before/after comparisons of `Parts.build` (issue 15
item 3: with two lanes, what runs under Python's lock bounds the parts per wall second).

    python -m benchmarks.part_build benchmarks/scenarios/d11_a800_d14_s60_q2 [N] [seed=S]

Runs a one-worker solve of the case up to its first shortage tier's search, then draws N parts
(60 by default) of the roster at hand with a `Neighbourhoods` of seed S (1 by default), builds
each `repeat` times and prints the least CPU seconds of its build (one thread's, so load-proof
enough), its size, and a digest of the model's bytes (the same parts must give the same models
on both codes). Nothing is written; the solve is stopped there.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from scheduler import lns
from scheduler.objective import TierId
from scheduler.params import DEFAULT_PARAMS
from scheduler.scenario import load_scenario
from scheduler.solve import ProgressPrinter, SolveOptions, solve

PROFILE = False  # profile=1: a cProfile of the N builds instead


class _Done(Exception):
    pass


def _digest(model) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "part.pb"
        model.export_to_file(str(path))
        return hashlib.md5(path.read_bytes()).hexdigest()[:10]


def main(argv: list[str]) -> int:
    case = argv[0]
    n = int(argv[1]) if len(argv) > 1 and "=" not in argv[1] else 60
    seed = int(next((a.split("=")[1] for a in argv if a.startswith("seed=")), 1))
    global PROFILE
    PROFILE = "profile=1" in argv
    run = lns.Lns.run

    def measure(self):
        if self.tier.id != TierId.SHORTAGE:
            return run(self)
        hoods = lns.Neighbourhoods(self.rm, seed, self.params)
        values = np.asarray(self.solution, dtype=np.int64)
        totals = self.parts.totals(values)
        total, digests = 0.0, []
        if PROFILE:
            import cProfile
            import pstats
            masks = [hoods.pick(self.tier, self.solution)[1] for _ in range(n)]
            prof = cProfile.Profile(time.thread_time)
            prof.enable()
            for mask in masks:
                self.parts.build(hoods.var[mask], values, self.objective, totals)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(40)
            raise _Done
        for i in range(n):
            kind, mask = hoods.pick(self.tier, self.solution)
            best = float("inf")
            for _ in range(3):
                t0 = time.thread_time()
                sub, free_vars, terms = self.parts.build(hoods.var[mask], values, self.objective, totals)
                best = min(best, time.thread_time() - t0)
            total += best
            digest = _digest(sub)
            digests.append(digest)
            print(f"part {i} {kind} free {int(mask.sum())} vars {len(free_vars)} "
                  f"constraints {len(sub.proto.constraints)} terms {terms} build_ms {1000 * best:.1f} {digest}")
        print(f"BUILD {n} parts: {1000 * total / n:.1f} ms per part (least of 3), "
              f"all {hashlib.md5(' '.join(digests).encode()).hexdigest()[:10]}")
        raise _Done

    lns.Lns.run = measure
    try:
        solve(load_scenario(case), SolveOptions(60, workers=1, seed=0, tuning=DEFAULT_PARAMS), ProgressPrinter(None))
    except _Done:
        return 0
    print("no shortage tier searched by LNS", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
