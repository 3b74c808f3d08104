"""A valid lower bound from any point of an LP's dual, so a bound that runs out of time still
says something (SPEC 4: "the best valid bound found so far, never n/a").

For min c.x subject to lo <= A x <= hi and l <= x <= u with every variable boxed (finite l and u),
every vector y gives the Lagrangian bound

    L(y) = sum_i (lo_i * max(y_i, 0) + hi_i * min(y_i, 0)) + sum_j min(r_j * l_j, r_j * u_j),
    r = c - A^T y,

which is <= c.x for every feasible x: y_i * (A x)_i >= lo_i * y_i when y_i >= 0 and >= hi_i * y_i
when y_i <= 0, and r.x >= its least value on the box. An optimal dual gives the LP optimum; any
other y a weaker bound, never a wrong one. A y_i whose side is infinite is taken as 0.

`pdlp_bound` runs PDLP (OR-Tools' first-order LP solver: no factorisation, so it always has a
current dual point, however large the LP) for a time limit and returns L of its last dual
iterate, computed here in floating point and lowered by a bound on the rounding error.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2
from ortools.pdlp import solve_log_pb2, solvers_pb2
from ortools.pdlp.python import pdlp


def lp_arrays(proto: linear_solver_pb2.MPModelProto):
    """The LP as numpy arrays: (n, c, variable bounds lo, hi, row bounds lo, hi, and A as
    (row, column, value) triplets)."""
    n, m = len(proto.variable), len(proto.constraint)
    c = np.array([v.objective_coefficient for v in proto.variable], dtype=float)
    lo_x = np.array([v.lower_bound for v in proto.variable], dtype=float)
    hi_x = np.array([v.upper_bound for v in proto.variable], dtype=float)
    lo = np.array([k.lower_bound for k in proto.constraint], dtype=float)
    hi = np.array([k.upper_bound for k in proto.constraint], dtype=float)
    rows = np.repeat(np.arange(m), [len(k.var_index) for k in proto.constraint])
    cols = np.fromiter((j for k in proto.constraint for j in k.var_index), dtype=np.int64, count=len(rows))
    vals = np.fromiter((a for k in proto.constraint for a in k.coefficient), dtype=float, count=len(rows))
    return n, c, lo_x, hi_x, lo, hi, rows, cols, vals


def a_transpose_y(arrays, y: np.ndarray) -> np.ndarray:
    """A^T y of the LP given by `arrays` (`lp_arrays`' tuple), one value per variable."""
    n, _c, _lo_x, _hi_x, _lo, _hi, rows, cols, vals = arrays
    aty = np.zeros(n)
    np.add.at(aty, cols, vals * y[rows])
    return aty


def row_terms(arrays, y: np.ndarray) -> np.ndarray:
    """Each row's term of L(y): lo_i * y_i where y_i > 0, else hi_i * y_i (an infinite side as 0:
    its y_i is 0 once cleaned, see `lagrangian_value`)."""
    lo, hi = arrays[4], arrays[5]
    return np.where(y > 0, np.nan_to_num(lo, posinf=0, neginf=0) * y, np.nan_to_num(hi, posinf=0, neginf=0) * y)


def lagrangian_bound(proto: linear_solver_pb2.MPModelProto, y: np.ndarray) -> float:
    """L(y) for a minimisation LP whose variables are all boxed (see the module docstring),
    lowered by a bound on its floating-point error; -inf when a variable is not boxed."""
    if proto.maximize:
        raise ValueError("a minimisation LP is expected")
    return _lagrangian(proto, lp_arrays(proto), y)


def _lagrangian(proto, arrays, y: np.ndarray) -> float:
    return lagrangian_value(arrays, y, proto.objective_offset)[0]


def lagrangian_value(arrays, y: np.ndarray, offset: float = 0.0) -> tuple[float, np.ndarray]:
    """L(y) of the LP given by `arrays` (`lp_arrays`' tuple: its objective c, variable and row
    bounds, A), lowered by its floating-point margin, and the y it was evaluated at: a dual on a
    row's infinite side set to 0. Valid for any y; -inf when a variable has an infinite bound."""
    _n, c, lo_x, hi_x, lo, hi, _rows, _cols, _vals = arrays
    y = np.asarray(y, dtype=float).copy()
    y[(y > 0) & ~np.isfinite(lo)] = 0.0
    y[(y < 0) & ~np.isfinite(hi)] = 0.0
    if not (np.isfinite(lo_x).all() and np.isfinite(hi_x).all()):
        return -math.inf, y
    aty = a_transpose_y(arrays, y)
    r = c - aty
    terms = row_terms(arrays, y)
    col_terms = np.minimum(r * lo_x, r * hi_x)
    value = math.fsum(terms) + math.fsum(col_terms) + offset
    # each product and the sums A^T y carry a relative error of a few units of 2^-53; 1e-9 of
    # the magnitudes involved covers them with a wide margin
    scale = (np.abs(terms).sum() + np.abs(col_terms).sum()
             + np.abs(aty * np.maximum(np.abs(lo_x), np.abs(hi_x))).sum() + abs(offset))
    value = float(value - 1e-9 * scale - 1e-9)
    return (value if math.isfinite(value) else -math.inf), y


def pdlp_duals(proto: linear_solver_pb2.MPModelProto, relative_tolerance: float,
               time_limit_s: float | None = None, iteration_limit: int | None = None) -> tuple[np.ndarray, str]:
    """PDLP's last dual point (one value per row, the sign convention of `lagrangian_bound`) and
    its termination reason, after at most `time_limit_s` seconds or `iteration_limit` iterations
    (an iteration limit alone makes the result the same under any load)."""
    point = pdlp_solve(proto, relative_tolerance, time_limit_s, iteration_limit)
    return point.dual, point.reason


@dataclass
class PdlpPoint:
    """PDLP's last iterate: primal values (one per variable), dual values (one per row) and its
    termination reason ("OPTIMAL", "TIME_LIMIT", ...)."""

    primal: np.ndarray
    dual: np.ndarray
    reason: str


def pdlp_solve(proto: linear_solver_pb2.MPModelProto, relative_tolerance: float,
               time_limit_s: float | None = None, iteration_limit: int | None = None,
               start: PdlpPoint | None = None) -> PdlpPoint:
    """Run PDLP on the LP for at most `time_limit_s` seconds or `iteration_limit` iterations,
    from `start` when given (an earlier point of an LP with the same variables and the same
    first rows: rows added since start at a dual of 0)."""
    qp = pdlp.qp_from_mpmodel_proto(proto, relax_integer_variables=True)
    params = solvers_pb2.PrimalDualHybridGradientParams()
    if time_limit_s is not None:
        params.termination_criteria.time_sec_limit = time_limit_s
    if iteration_limit is not None:
        params.termination_criteria.iteration_limit = iteration_limit
    params.termination_criteria.simple_optimality_criteria.eps_optimal_relative = relative_tolerance
    params.termination_criteria.simple_optimality_criteria.eps_optimal_absolute = relative_tolerance
    params.num_threads = 1
    initial = None
    n, m = len(proto.variable), len(proto.constraint)
    if start is not None and len(start.primal) == n and len(start.dual) <= m:
        initial = pdlp.PrimalAndDualSolution()
        initial.primal_solution = np.asarray(start.primal, dtype=float)
        initial.dual_solution = np.concatenate([start.dual, np.zeros(m - len(start.dual))])
    result = pdlp.primal_dual_hybrid_gradient(qp, params, initial_solution=initial)
    reason = solve_log_pb2.TerminationReason.Name(result.solve_log.termination_reason)
    return PdlpPoint(np.asarray(result.primal_solution, dtype=float), np.asarray(result.dual_solution, dtype=float),
                     reason.removeprefix("TERMINATION_REASON_"))


def pdlp_bound(proto: linear_solver_pb2.MPModelProto, time_limit_s: float,
               relative_tolerance: float = 1e-6, start: PdlpPoint | None = None) -> tuple[float, str]:
    """(a valid lower bound, PDLP's termination reason) after at most about `time_limit_s`
    seconds of PDLP on this minimisation LP (every variable boxed)."""
    value, point = pdlp_bound_point(proto, time_limit_s, relative_tolerance, start)
    return value, point.reason


def pdlp_bound_point(proto: linear_solver_pb2.MPModelProto, time_limit_s: float,
                     relative_tolerance: float = 1e-6, start: PdlpPoint | None = None) -> tuple[float, PdlpPoint]:
    """`pdlp_bound`, from `start` when given (see `pdlp_solve`: a warm start changes how fast the
    bound gets tight, never whether it is valid), and PDLP's last point (to start the next LP)."""
    # at least 0.3 s: a bound, however little time
    t0 = time.monotonic()
    point = pdlp_solve(proto, relative_tolerance, time_limit_s=max(0.3, time_limit_s), start=start)
    if start is not None and point.reason == "NUMERICAL_ERROR":
        # PDLP can fail to take its first step from a point that is already optimal for a
        # neighbouring LP (its step size estimate degenerates): then from scratch
        point = pdlp_solve(proto, relative_tolerance, time_limit_s=max(0.3, time_limit_s - (time.monotonic() - t0)))
    y = point.dual
    if len(y) != len(proto.constraint):
        return -math.inf, point
    arrays = lp_arrays(proto)
    # an early dual point overshoots: L is concave along the ray a * y and L(0) is the least
    # objective on the box, so a shorter step is often much better, and every step is valid
    return max(_lagrangian(proto, arrays, a * y) for a in (1.0, 0.9, 0.75, 0.5, 0.3, 0.15)), point
