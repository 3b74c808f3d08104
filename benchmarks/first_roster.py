"""CPU seconds up to the first roster of `scheduler solve` (issue 14), a figure load does not
move much, unlike the wall time the progress lines show.

    python -m benchmarks.first_roster benchmarks/scenarios/d11_a400_d14_s60_q2

runs `scheduler solve SCENARIO --time-limit 20` in this process and stops it at the progress
line of the greedy first roster's value, then prints the CPU seconds (user + sys, `os.times`)
from the progress printer's start and from the process's start, the wall seconds and the load
average. Nothing is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from typing import TextIO

T0 = time.monotonic()


class _StopAtFirstRoster:
    """stderr that ends the process at the line after 'greedy first roster' (its value)."""

    def __init__(self, stream: TextIO, start: list):
        self.stream, self.start, self.seen = stream, start, False

    def write(self, text: str) -> int:
        self.stream.write(text)
        if "greedy first roster" in text:
            self.seen = True
        elif self.seen and text.strip():
            t = os.times()
            s0 = self.start[0] if self.start else t
            self.stream.write(f"\nfirst roster: {t.user + t.system - s0.user - s0.system:.2f} CPU s from the "
                              f"progress printer's start, {t.user + t.system:.2f} CPU s in all (user "
                              f"{t.user:.2f}, sys {t.system:.2f}); wall {time.monotonic() - T0:.2f} s, load "
                              f"average {os.getloadavg()[0]:.1f}\n")
            self.stream.flush()
            os._exit(0)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def main(argv: list[str]) -> None:
    import scheduler.solve as solve_module
    from scheduler.cli import main as cli

    start: list = []
    init = solve_module.ProgressPrinter.__init__

    def timed_init(self, *args, **kwargs) -> None:
        start.append(os.times())
        init(self, *args, **kwargs)

    solve_module.ProgressPrinter.__init__ = timed_init  # type: ignore[method-assign]
    sys.stderr = _StopAtFirstRoster(sys.stderr, start)
    # the process ends at the first roster, long before a workbook would be written
    cli(["solve", argv[0], "--time-limit", "20", "--out", os.path.join(tempfile.gettempdir(), "first_roster.xlsx")])
    print("no first roster was printed", file=sys.__stderr__)
    sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
