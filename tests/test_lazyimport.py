"""OR-Tools' CP-SAT imported with pandas deferred (scheduler.lazyimport): CP-SAT works without
pandas, and the first real use of pandas through cp_model gets the real pandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from scheduler.lazyimport import import_cp_model

    stand_in = import_cp_model()
    assert stand_in is not None and "pandas" not in sys.modules
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x = m.new_int_var(0, 10, "x")
    m.add(x >= 3)
    m.minimize(x)
    solver = cp_model.CpSolver()
    assert solver.solve(m) == cp_model.OPTIMAL and solver.value(x) == 3
    assert "pandas" not in sys.modules and not stand_in.loaded

    import pandas as pd  # the real one, the usual way
    assert pd is not stand_in and cp_model.pd is stand_in
    assert cp_model.pd.Series is pd.Series and stand_in.loaded
    ys = m.new_bool_var_series("y", pd.Index(range(3)))  # cp_model's own pandas helpers
    m.add(sum(ys) == 2)
    assert solver.solve(m) == cp_model.OPTIMAL and list(solver.boolean_values(ys)).count(True) == 2
    assert import_cp_model() is None  # imported already: nothing to defer
    print("ok")
""")


def test_cp_model_without_pandas_until_pandas_is_used():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_nothing_is_deferred_once_pandas_is_imported():
    import pandas  # noqa: F401 - this test process has pandas

    from scheduler.lazyimport import import_cp_model

    assert import_cp_model() is None
