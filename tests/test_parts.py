"""The small model of a roster's part (scheduler.parts): whatever solves it solves the full
model, the current roster solves it, and it loses no freedom the full model with the rest fixed
would have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

import scheduler.parts as parts_module
from scheduler.check import check_roster
from scheduler.grid import Grid
from scheduler.lns import Neighbourhoods, _weighted
from scheduler.model import RosterModel, set_hint
from scheduler.parts import Parts, _add_booleans
from scheduler.scenario import load_scenario
from scheduler.warmstart import greedy_roster
from tests.conftest import roster_of

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DATA / "three_queues_30min")


def _greedy(rm: RosterModel) -> np.ndarray:
    hint = rm.complete_hint({id(o) for o in greedy_roster(rm)})
    return np.array([hint.get(k, 0) for k in range(len(rm.m.proto.variables))], dtype=np.int64)


def _flipped(rm: RosterModel, values: np.ndarray, seed: int, sizes: tuple[int, ...]):
    """For each size, that many random shift options of `values` switched (on <-> off), their
    helpers not recomputed: (the switched options, the new values)."""
    rng = np.random.default_rng(seed)
    options = np.array([o.var.index for o in rm.options], dtype=np.int64)
    for size in sizes:
        changed = rng.choice(options, size=size, replace=False)
        moved = values.copy()
        moved[changed] = 1 - moved[changed]
        yield changed, moved



def _solve(model: cp_model.CpModel, seconds: float = 5.0, **params) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    for k, v in params.items():
        setattr(solver.parameters, k, v)
    solver.status = solver.status_name(solver.solve(model))
    return solver


def _solve_whole_with_rest_fixed(rm, tier, fixed, values) -> cp_model.CpSolver:
    """The whole model minimising `tier` with the variables `fixed` held at `values`: what a part
    freeing the others must reach."""
    full = rm.m.clone()
    full.minimize(tier.expr)
    full.add_bool_and([full.get_bool_var_from_proto_index(int(v)) if values[v]
                       else ~full.get_bool_var_from_proto_index(int(v)) for v in fixed])
    set_hint(full, values.tolist())
    return _solve(full, 20.0)


def _published_model(scenario) -> tuple[RosterModel, np.ndarray]:
    """A repair-style model (change-counting tiers: implications with enforcement literals)
    around the greedy roster, with a cap on shortage like a solved tier leaves."""
    grid = Grid(scenario)
    base = RosterModel(scenario, grid)
    published = roster_of(base, _greedy(base))
    rm = RosterModel(scenario, grid, published=published)
    start = _greedy(rm)
    rm.m.add(rm.tiers[1].expr <= rm.tiers[1].value(start.tolist()))
    return rm, start


def test_a_part_solution_put_back_solves_the_full_model_and_passes_the_checker(scenario):
    rm, values = _published_model(scenario)
    parts = Parts(rm)
    assert parts.violations(values) == []
    hoods = Neighbourhoods(rm, seed=5)
    hoods.sizes = {k: 300 for k in hoods.sizes}
    tiers = {t.name: t for t in rm.tiers}
    goal = [(tiers["shortage"], tiers["changed agents"].upper + 1), (tiers["changed agents"], 1)]
    objective = _weighted(goal)
    changed = 0
    for _ in range(6):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, terms = parts.build(hoods.var[mask], values, objective)
        assert terms > 0 and len(free_vars) >= int(mask.sum())
        solver = _solve(sub, 2.0)
        assert solver.status in ("OPTIMAL", "FEASIBLE")
        candidate = values.copy()
        candidate[free_vars] = list(solver.response_proto.solution)
        assert parts.violations(candidate) == []
        # the current roster is in the part (its hint), so a part never makes things worse
        assert (sum(w * t.value(candidate.tolist()) for t, w in goal)
                <= sum(w * t.value(values.tolist()) for t, w in goal))
        changed += int((candidate != values).any())
        values = candidate
    assert changed >= 1  # the parts did move the roster
    assert check_roster(scenario, roster_of(rm, values)) == []


def test_a_part_pushed_to_break_rules_cannot(scenario):
    # an adversarial objective: as many shifts as possible, each as long as possible. Any rule
    # a part model dropped (rest, one shift a date, week hours, a cap) would be broken at once
    rm, values = _published_model(scenario)
    parts = Parts(rm)
    hoods = Neighbourhoods(rm, seed=9)
    hoods.sizes = {k: 400 for k in hoods.sizes}
    greedy = (np.array([o.var.index for o in rm.options], dtype=np.int64),
              np.array([-len(o.worked) for o in rm.options], dtype=np.int64))
    for _ in range(6):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, _ = parts.build(hoods.var[mask], values, greedy)
        solver = _solve(sub, 2.0)
        assert solver.status in ("OPTIMAL", "FEASIBLE")
        candidate = values.copy()
        candidate[free_vars] = list(solver.response_proto.solution)
        assert parts.violations(candidate) == []
        assert check_roster(scenario, roster_of(rm, candidate)) == []
        values = candidate


def test_the_current_roster_solves_every_part(scenario):
    rm, values = _published_model(scenario)
    parts = Parts(rm)
    hoods = Neighbourhoods(rm, seed=2)
    for _ in range(5):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, _ = parts.build(hoods.var[mask], values, _weighted([(rm.tiers[1], 1)]))
        solver = _solve(sub, fix_variables_to_their_hinted_value=True)
        assert solver.status in ("OPTIMAL", "FEASIBLE")
        assert list(solver.response_proto.solution) == values[free_vars].tolist()


def test_a_part_is_as_free_as_the_full_model_with_the_rest_fixed(scenario):
    # the same optimum as CP-SAT on the whole model with every option outside the part fixed:
    # the part model frees every helper that the free options move
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    hoods = Neighbourhoods(rm, seed=1)
    hoods.sizes = {k: 150 for k in hoods.sizes}  # parts small enough to solve to optimality
    goal = [(rm.tiers[1], 1)]
    for _ in range(4):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, _ = parts.build(hoods.var[mask], values, _weighted(goal))
        small = _solve(sub, 20.0)
        whole = _solve_whole_with_rest_fixed(rm, rm.tiers[1], hoods.var[~mask], values)
        assert small.status == whole.status == "OPTIMAL"
        candidate = values.copy()
        candidate[free_vars] = list(small.response_proto.solution)
        assert rm.tiers[1].value(candidate.tolist()) == round(whole.objective_value)
        values = candidate


def test_violations_names_the_broken_constraints(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    # one more shift on a date the agent already works: the at-most-one of that date breaks
    worked = next(o for o in rm.options if values[o.var.index])
    other = next(o for o in rm.options if o.agent == worked.agent and o.inst != worked.inst
                 and rm.instances[o.inst].date == rm.instances[worked.inst].date)
    broken = values.copy()
    broken[other.var.index] = 1
    assert parts.violations(broken) != []


@pytest.fixture(params=["snapshot", "bindings"])
def reader(request, monkeypatch):
    """Parts reads a model's constraints from a snapshot (many at once) or through the CP-SAT
    bindings (a tier's few caps): run a test both ways."""
    monkeypatch.setattr(parts_module, "SNAPSHOT_FROM", 0 if request.param == "snapshot" else 10 ** 9)
    return request.param


def test_a_snapshot_and_the_bindings_read_the_same_constraints(scenario, monkeypatch):
    rm = RosterModel(scenario, Grid(scenario))
    rm.m.add_bool_and([rm.options[0].var.Not()]).only_enforce_if(rm.options[1].var)
    read = {}
    for way, threshold in (("snapshot", 0), ("bindings", 10 ** 9)):
        monkeypatch.setattr(parts_module, "SNAPSHOT_FROM", threshold)
        read[way] = Parts(rm)
    a, b = read["snapshot"], read["bindings"]
    assert len(a.kind) == len(rm.m.proto.constraints) > 1000
    for name in ("ptr", "ref", "coef", "kinds", "var_lo", "var_hi"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.dom == b.dom and a.enf == b.enf and a.enf and a.domains == b.domains


def test_a_constraint_kind_parts_cannot_read_is_refused_loudly(scenario, reader):
    rm = RosterModel(scenario, Grid(scenario))
    x, y = rm.options[0].var, rm.options[1].var
    m = rm.m.new_int_var(0, 1, "m")
    with pytest.raises(NotImplementedError, match="add_max_equality"):
        rm.m.add_max_equality(m, [x, y])  # the model refuses it when it is added
    # one written into the proto directly gets past the model, not past Parts
    c = rm.m.proto.constraints.add()
    c.lin_max.target.vars.extend([m.index])
    c.lin_max.target.coeffs.extend([1])
    for v in (x, y):
        e = c.lin_max.exprs.add()
        e.vars.extend([v.index])
        e.coeffs.extend([1])
    with pytest.raises(NotImplementedError, match="cannot handle"):
        Parts(rm)


def test_a_value_outside_its_domain_is_a_violation(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    assert parts.violations(values) == []
    helper = next(var for var, _ in rm.derived if parts.var_hi[var.index] == 1)  # a 0/1 helper
    outside = values.copy()
    outside[helper.index] = 2
    assert parts.violations(outside)[0] == -1


def test_helpers_after_lists_every_helper_after_its_inputs(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    parts = Parts(rm)
    changed = np.array([o.var.index for o in rm.options[::7]], dtype=np.int64)
    order = parts.helpers_after(changed).tolist()
    assert len(order) == len(set(order)) > 0
    place = {v: k for k, v in enumerate(order)}
    deps = {var.index: d for (var, _), d in zip(rm.derived, rm.depends)}
    for v in order:
        assert all(place[d] < place[v] for d in deps[v] if d in place)


def test_a_linear_constraint_on_a_negated_literal_is_refused_loudly(scenario, reader):
    rm = RosterModel(scenario, Grid(scenario))
    proto = rm.m.proto.constraints.add()
    proto.linear.vars.extend([-rm.options[0].var.index - 1])
    proto.linear.coeffs.extend([1])
    proto.linear.domain.extend([0, 1])
    with pytest.raises(NotImplementedError, match="negated variable"):
        Parts(rm)


def test_violations_near_the_changed_variables_are_all_the_violations(scenario):
    # a roster that keeps every rule, with some options flipped and their helpers recomputed:
    # the constraints those variables appear in are the only ones that can break
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    for changed, moved in _flipped(rm, values, seed=3, sizes=(1, 3, 20)):
        moved, near = parts.recompute_helpers(moved, changed, values)
        assert set(changed.tolist()) <= set(near.tolist())
        full = parts.violations(moved)
        assert full != []  # switching a shift on or off breaks something (its date, staffing caps, ...)
        assert sorted(parts.violations(moved, near=near)) == sorted(full)


def test_recomputed_helpers_equal_every_helper_computed_afresh(scenario):
    # weighted-sum helpers (staffing, `on`) move by their inputs' change, the others are
    # recomputed: both must give what computing every helper from the options gives
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    assert parts.is_linear.any() and (parts.is_helper & ~parts.is_linear).any()
    for changed, moved in _flipped(rm, values, seed=5, sizes=(1, 5, 40)):
        got, near = parts.recompute_helpers(moved, changed, values)
        # the same change listed twice is the same change
        again, _ = parts.recompute_helpers(moved, np.concatenate([changed, changed]), values)
        assert np.array_equal(again, got)
        afresh = moved.tolist()
        for var, fn in rm.derived:
            afresh[var.index] = fn(afresh)
        assert got.tolist() == afresh
        assert sorted(near.tolist()) == np.flatnonzero(got != values).tolist()


def test_helpers_are_not_taken_as_changed_options(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    helper = next(var.index for (var, _), deps in zip(rm.derived, rm.depends) if deps)
    with pytest.raises(ValueError, match="not helpers"):
        parts.recompute_helpers(values, np.array([helper]), values)


def test_totals_shifted_to_a_new_roster_are_that_rosters_totals(scenario):
    rm, values = _published_model(scenario)
    parts = Parts(rm)
    hoods = Neighbourhoods(rm, seed=6)
    hoods.sizes = {k: 300 for k in hoods.sizes}
    objective = _weighted([(rm.tiers[1], 1)])
    totals = parts.totals(values)
    for _ in range(4):
        _, mask = hoods.pick(rm.tiers[1], values.tolist())
        sub, free_vars, _ = parts.build(hoods.var[mask], values, objective, totals)
        solver = _solve(sub, 2.0)
        candidate = values.copy()
        candidate[free_vars] = list(solver.response_proto.solution)
        assert parts.violations(candidate) == []
        totals = parts.shift_totals(totals, values, candidate)
        expected = parts.totals(candidate)
        assert (totals[0] == expected[0]).all() and (totals[1] == expected[1]).all()
        values = candidate
    assert check_roster(scenario, roster_of(rm, values)) == []


def test_totals_of_an_older_model_are_refused(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    values = _greedy(rm)
    parts = Parts(rm)
    totals = parts.totals(values)
    rm.m.add(rm.tiers[1].expr <= rm.tiers[1].value(values.tolist()))  # a tier's cap, as solve adds
    options = np.array([o.var.index for o in rm.options[:50]], dtype=np.int64)
    with pytest.raises(ValueError, match="older version"):
        parts.build(options, values, _weighted([(rm.tiers[1], 1)]), totals)
    parts.build(options, values, _weighted([(rm.tiers[1], 1)]), parts.totals(values))


@pytest.mark.parametrize("n", [0, 1, 6, 4095, 4096, 10_001])
def test_booleans_are_appended_by_blocks_exactly_n_of_them(n):
    model = cp_model.CpModel()
    model.proto.variables.add().domain.extend([0, 9])  # one already there stays first
    _add_booleans(model.proto, n)
    domains = [list(v.domain) for v in model.proto.variables]
    assert domains == [[0, 9]] + [[0, 1]] * n


def test_a_weighted_sum_helper_needs_one_coefficient_per_input(scenario):
    rm = RosterModel(scenario, Grid(scenario))
    v = rm.m.new_int_var(0, 5, "v")
    inputs = [rm.options[0].var.index, rm.options[1].var.index]
    with pytest.raises(ValueError, match="1 coefficients for 2 inputs"):
        rm.define(v, inputs, lambda val: val[inputs[0]] + val[inputs[1]], coeffs=[1])
