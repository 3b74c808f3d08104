"""Stop criteria of the search, as small objects (in the manner of PyVRP's `MaxRuntime`): each
is called with no argument, or with the solutions found so far, and says whether to stop."""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MaxRuntime:
    """Stop at a wall-clock deadline (`time.monotonic()` seconds)."""

    deadline: float

    @classmethod
    def after(cls, seconds: float) -> MaxRuntime:
        return cls(time.monotonic() + seconds)

    def left(self) -> float:
        """Seconds until the deadline (negative once past it)."""
        return self.deadline - time.monotonic()

    def __call__(self) -> bool:
        return time.monotonic() > self.deadline


@dataclass(frozen=True)
class Stalled:
    """Stop once the objective improved by less than `min_gain` (relative) in the last
    `window_s` seconds, with a solution found at least that long ago; or, given the search's
    start (`started`, monotonic seconds), once it found none in its first `window_s` seconds."""

    window_s: float
    min_gain: float
    started: float | None = None

    def __call__(self, history: list[tuple[float, float]]) -> bool:
        """`history`: (monotonic time, objective) of each solution so far."""
        if not history:
            return self.started is not None and time.monotonic() - self.started >= self.window_s
        if time.monotonic() - history[0][0] < self.window_s:
            return False
        cutoff = time.monotonic() - self.window_s
        before = next(obj for t, obj in reversed(history) if t <= cutoff)
        return before - history[-1][1] <= self.min_gain * max(abs(before), 1e-9)


@dataclass
class Interrupt:
    """Ctrl-C as a stop criterion: the first one asks the search to stop (the roster at hand is
    kept), a second one gives up at once. Use as a context manager around the search."""

    requested: bool = False
    previous: object = field(default=None)

    def __enter__(self) -> Interrupt:
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not in the main thread
            self.previous = None
        return self

    def _handle(self, *_: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __call__(self) -> bool:
        return self.requested

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)  # type: ignore[arg-type]
