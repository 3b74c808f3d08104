"""OR-Tools' CP-SAT without pandas until pandas is used (for `scheduler repair`).

`ortools.sat.python.cp_model` imports pandas at its own import, for its `*_series` helpers and
`solver.values(series)`, which the scheduler never calls; pandas costs about 0.27 CPU seconds to
import, a twentieth of a repair's answer time, and nothing else on the repair's way needs it.
`import_cp_model()` imports `cp_model` while a stand-in sits under the name "pandas", then takes
the stand-in away: every other module that imports pandas, then or later, gets the real one, the
usual way. Only `cp_model`'s own global `pd` is the stand-in. Its definitions (type hints naming
`pd.Index` and `pd.Series`, read while the module and its classes are defined) get placeholder
classes; anything else, at any time (an attribute, `isinstance(x, pd.Series)` inside a
function), imports the real pandas and is answered by it. So nothing behaves differently, only
later.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any

CP_MODEL = "ortools.sat.python.cp_model"
# the names cp_model reads from pandas while its module and class bodies run (type hints)
_DEFINITION_NAMES = {"Index", "Series"}


class _Placeholder:
    """Stands for a pandas class in a type hint written while pandas was deferred."""


class DeferredPandas(types.ModuleType):
    """The stand-in: the real pandas, imported on first use."""

    def __init__(self) -> None:
        super().__init__("pandas", "pandas, imported when first used (scheduler.lazyimport)")
        self._real: types.ModuleType | None = None
        self._placeholders: dict[str, type] = {}

    @property
    def loaded(self) -> bool:
        return self._real is not None

    def _load(self) -> types.ModuleType:
        if self._real is None:
            if sys.modules.get("pandas") is self:  # still inside import_cp_model
                del sys.modules["pandas"]
            self._real = importlib.import_module("pandas")
        return self._real

    def __getattr__(self, name: str) -> Any:
        if self._real is None and name in _DEFINITION_NAMES and _defining(sys._getframe(1)):
            if name not in self._placeholders:
                self._placeholders[name] = type(name, (_Placeholder,), {"__module__": __name__})
            return self._placeholders[name]
        return getattr(self._load(), name)

    def __dir__(self) -> list[str]:
        return dir(self._load())


def _defining(frame: types.FrameType | None) -> bool:
    """True when `frame` runs cp_model's module body or one of its class bodies (a function's
    body runs with CO_OPTIMIZED set; those do not)."""
    return (frame is not None and frame.f_globals.get("__name__") == CP_MODEL
            and not frame.f_code.co_flags & inspect.CO_OPTIMIZED)


def import_cp_model() -> DeferredPandas | None:
    """Import cp_model with pandas deferred, unless either is imported already; the stand-in
    (None when nothing was deferred)."""
    if "pandas" in sys.modules or CP_MODEL in sys.modules:
        return None
    stand_in = DeferredPandas()
    sys.modules["pandas"] = stand_in
    try:
        importlib.import_module(CP_MODEL)
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]
    return stand_in
