"""A part's model (`Parts.build`) against the full model, on every kind of constraint it reads:
whichever values its free variables take, the part holds exactly when the full model does (the
other variables at the roster's values). A tiny hand-made model, so every assignment is tried:
enforcement literals fixed true, fixed false or free, a linear domain with a hole, constraints
left without free terms, an at-most-one whose fixed literal is true."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
from ortools.sat.python import cp_model

from scheduler.objective import Tier, TierId
from scheduler.parts import Parts


def _model() -> tuple[cp_model.CpModel, list]:
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(7)]
    n = m.new_int_var(0, 5, "n")
    m.add_at_most_one(x[0], x[1], x[2])
    m.add_exactly_one(x[2], x[3], x[4])
    m.add_bool_or([x[0], x[5], x[6].Not()])
    m.add_bool_and([x[1].Not(), x[6]]).only_enforce_if(x[5])
    m.add_linear_expression_in_domain(x[0] + x[3] + x[4] + x[5], cp_model.Domain.from_intervals([[0, 1], [3, 4]]))
    m.add(n == x[0] + x[3] + 2 * x[5] + x[6])
    m.add(x[0] + x[1] + x[3] <= 2).only_enforce_if([x[4], x[6]])
    m.add(x[2] + x[5] + x[3] >= 1).only_enforce_if(x[6].Not())
    m.add_at_most_one(x[1], x[4])
    m.add(n <= 4)
    return m, [*x, n]


def _holds(model: cp_model.CpModel, fixed: dict[int, int]) -> bool:
    """Whether `model` has a solution with the variables `fixed` at their values."""
    copy = cp_model.CpModel()
    copy.proto.copy_from(model.proto)
    for v, value in fixed.items():
        copy.proto.variables[v].domain.clear()
        copy.proto.variables[v].domain.extend([value, value])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(copy) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_a_part_holds_exactly_when_the_full_model_does_for_every_assignment_of_its_free_variables():
    m, xs = _model()
    rm = SimpleNamespace(m=m, derived=[], depends=[], linear=[])
    parts = Parts(rm)
    rng = np.random.default_rng(0)
    # legal rosters of the full model
    rosters = []
    for bits in itertools.product((0, 1), repeat=7):
        values = np.array([*bits, bits[0] + bits[3] + 2 * bits[5] + bits[6]], dtype=np.int64)
        if not parts.violations(values):
            rosters.append(values)
    assert len(rosters) >= 4
    objective = (np.arange(7, dtype=np.int64), np.ones(7, dtype=np.int64))
    tried = 0
    for values in rosters:
        for _ in range(3):
            free = np.sort(rng.choice(8, size=int(rng.integers(1, 5)), replace=False))
            sub, free_vars, _terms = parts.build(free, values, objective)
            assert free_vars.tolist() == [v for v in free_vars.tolist() if v in free.tolist()]
            for assignment in itertools.product(*(range(6) if v == 7 else range(2) for v in free_vars.tolist())):
                full = values.copy()
                full[free_vars] = assignment
                legal = not parts.violations(full)
                assert _holds(sub, dict(enumerate(assignment))) == legal, (values, free_vars, assignment)
                tried += 1
    assert tried > 100


def test_a_tier_sums_a_numpy_roster_as_it_sums_a_list():
    m, xs = _model()
    tier = Tier(TierId.SHORTAGE, "agent-hours", [xs[0], 3, xs[7], xs[2]], [2, 5, 3, 1], 1.0)
    for values in np.random.default_rng(1).integers(0, 4, size=(20, 8)):
        assert tier.value(values) == tier.value(values.tolist()) == 15 + 2 * values[0] + 3 * values[7] + values[2]
        assert tier.item_values(values).tolist() == [2 * values[0], 0, 3 * values[7], values[2]]
