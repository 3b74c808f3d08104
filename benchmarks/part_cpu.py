"""Where an LNS part's Python time goes (issue 15 item 3): CPU seconds of the lane's own thread
per part, for drawing the part, building its model, solving it (the lane waits; CP-SAT's own
threads are not counted) and keeping it, in a deterministic one-worker solve.

    python -m benchmarks.part_cpu benchmarks/scenarios/d11_a800_d14_s60_q2 60 [name=value ...] [seed=N]

Two codes give the same parts (one worker: the same roster hash), so the figures compare the
same work; CPU seconds of one thread are load-proof, unlike the wall seconds of the
`SCHEDULER_LNS_DEBUG` trace. Prints a line per tier searched by LNS and RESULT as
`benchmarks.one_worker` does.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

from benchmarks import one_worker
from scheduler import lns, solve
from scheduler.parts import Parts

CPU: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
TIER = [""]


def _timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[TIER[0]][name] += time.thread_time() - t0
    return wrapper


def _patch() -> None:
    run, lane = lns.Lns.run, lns.Lns.lane

    def run_timed(self):
        TIER[0] = self.tier.name
        return run(self)

    def lane_timed(self):
        t0, n0 = time.thread_time(), self.stats.iterations
        try:
            return lane(self)
        finally:
            CPU[TIER[0]]["lane"] += time.thread_time() - t0
            CPU[TIER[0]]["parts"] += self.stats.iterations - n0

    lns.Lns.run, lns.Lns.lane = run_timed, lane_timed
    lns.Neighbourhoods.pick = _timed("draw", lns.Neighbourhoods.pick)
    Parts.build = _timed("build", Parts.build)
    lns.Lns._accept = _timed("keep", lns.Lns._accept)
    solve._search = _timed("solve", solve._search)


def main(argv: list[str]) -> int:
    _patch()
    code = one_worker.main(argv)
    for tier, cpu in CPU.items():
        n = max(cpu.pop("parts"), 1)
        lane = cpu.pop("lane")
        rest = lane - sum(cpu.values())
        print(f"CPU {tier}: {n:.0f} parts, per part ms: " + " ".join(f"{k} {1000 * v / n:.1f}" for k, v in cpu.items())
              + f" other {1000 * rest / n:.1f} lane {1000 * lane / n:.1f}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
