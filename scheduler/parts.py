"""Small models of a roster's parts, for large-neighbourhood search (`scheduler.lns`, issue 4).

A part frees some shift options and keeps every other variable at its value in the current
roster. Given to CP-SAT as the full model with the rest fixed, a part costs 0.6-1 s on 400
agents x 14 days (150k variables) before any search, in loading and presolving what is fixed.
`Parts` reads the model's constraints once into flat arrays and builds, for each part, a model
of its free variables only: every constraint that touches a free variable, with each fixed
variable replaced by its value. Whatever solves that model, put back into the current roster,
solves the full model: a constraint either touches a free variable, and is in the part's model,
or touches none, and holds already. This is generic over the constraint kinds the roster model
uses (linear, at-most-one, exactly-one, bool-or, bool-and, with enforcement literals); any
other kind is refused loudly.

A helper variable (`RosterModel.define`) is free when a variable it follows from is free, so
staffing, service and comfort helpers move with the options; a helper whose inputs are all
fixed keeps its value.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from scheduler.model import RosterModel

LINEAR, AT_MOST_ONE, EXACTLY_ONE, BOOL_OR, BOOL_AND = range(5)


def _ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ptr[r]..ptr[r+1]-1 of every row r in `rows`, concatenated, and the row of each."""
    starts, ends = ptr[rows], ptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.cumsum(lengths) - lengths
    pos = np.arange(total) - np.repeat(offsets, lengths) + np.repeat(starts, lengths)
    return pos, owner


class Parts:
    """The constraints of `rm.m` in flat arrays, and the small model of any part of a roster.

    Threads (LNS lanes) may call `build` and `violations` at once: both only read, as long as
    no constraint is added to the model meanwhile (`sync` then finds nothing new). Constraints
    are added between tiers only, never during a search."""

    def __init__(self, rm: RosterModel):
        self.rm = rm
        proto = rm.m.proto
        self.n_vars = len(proto.variables)
        self.domains = [list(v.domain) for v in proto.variables]
        self.var_lo = np.array([d[0] for d in self.domains], dtype=np.int64)
        self.var_hi = np.array([d[-1] for d in self.domains], dtype=np.int64)
        self.kind: list[int] = []
        self.dom: list[list[int] | None] = []
        self.enf: dict[int, list[int]] = {}
        self._ptr, self._ref, self._coef = [0], [], []
        self.n_read = 0
        self._helper_levels()
        self.sync()

    def _helper_levels(self) -> None:
        """Helpers grouped by depth (an option has depth 0; a helper, one more than its deepest
        input), each group with its inputs in flat form, so a part frees them level by level."""
        depth = np.zeros(self.n_vars, dtype=np.int64)
        groups: dict[int, list[tuple[int, list[int]]]] = {}
        for (var, _fn), deps in zip(self.rm.derived, self.rm.depends):
            if not deps:
                continue  # a constant: never free
            d = 1 + int(max(depth[i] for i in deps))
            depth[var.index] = d
            groups.setdefault(d, []).append((var.index, deps))
        # each helper's function and its place in creation order (inputs come first there;
        # not always in index order: a service helper is created before its staffing sum)
        self.helper_fn = {var.index: fn for var, fn in self.rm.derived}
        self.helper_rank = {var.index: k for k, (var, _fn) in enumerate(self.rm.derived)}
        self.levels = []
        for d in sorted(groups):
            members = groups[d]
            lengths = np.array([len(deps) for _, deps in members], dtype=np.int64)
            self.levels.append((np.array([v for v, _ in members], dtype=np.int64),
                                np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
                                np.array([i for _, deps in members for i in deps], dtype=np.int64)))

    def sync(self) -> None:
        """Read the constraints added to the model since the last call (the tiers' caps)."""
        proto = self.rm.m.proto
        if len(proto.variables) != self.n_vars:
            raise RuntimeError("variables were added to the roster model after LNS read it")
        constraints = proto.constraints
        n = len(constraints)
        if n == self.n_read:
            return
        for k in range(self.n_read, n):
            c = constraints[k]
            if len(c.enforcement_literal):
                self.enf[k] = list(c.enforcement_literal)
            if c.has_linear():
                if any(v < 0 for v in c.linear.vars):
                    raise NotImplementedError(f"LNS parts cannot handle constraint {k} of the roster model "
                                              f"(a negated variable in a linear constraint): {c}")
                self.kind.append(LINEAR)
                self._ref.extend(c.linear.vars)
                self._coef.extend(c.linear.coeffs)
                self.dom.append(list(c.linear.domain))
            else:
                if c.has_at_most_one():
                    kind, lits = AT_MOST_ONE, c.at_most_one.literals
                elif c.has_exactly_one():
                    kind, lits = EXACTLY_ONE, c.exactly_one.literals
                elif c.has_bool_or():
                    kind, lits = BOOL_OR, c.bool_or.literals
                elif c.has_bool_and():
                    kind, lits = BOOL_AND, c.bool_and.literals
                else:
                    raise NotImplementedError(f"LNS parts cannot handle constraint {k} of the roster model: {c}")
                self.kind.append(kind)
                self._ref.extend(lits)
                self._coef.extend([1] * len(lits))
                self.dom.append(None)
            self._ptr.append(len(self._ref))
        self.n_read = n
        self.ptr = np.array(self._ptr, dtype=np.int64)
        self.ref = np.array(self._ref, dtype=np.int64)
        self.coef = np.array(self._coef, dtype=np.int64)
        self.var_of = np.where(self.ref >= 0, self.ref, -self.ref - 1)
        self.kinds = np.array(self.kind, dtype=np.int64)
        # which constraints each variable appears in (terms and enforcement literals)
        owner = np.repeat(np.arange(n), np.diff(self.ptr))
        ev = [(-lit - 1 if lit < 0 else lit, k) for k, lits in self.enf.items() for lit in lits]
        vs = np.concatenate([self.var_of, np.array([v for v, _ in ev], dtype=np.int64)])
        cs = np.concatenate([owner, np.array([k for _, k in ev], dtype=np.int64)])
        order = np.argsort(vs, kind="stable")
        self.inc_con = cs[order]
        self.inc_ptr = np.concatenate([[0], np.cumsum(np.bincount(vs, minlength=self.n_vars))]).astype(np.int64)

    def free_variables(self, options: np.ndarray) -> np.ndarray:
        """The free options (variable indices) and every helper that follows from one, sorted."""
        free = np.zeros(self.n_vars, dtype=bool)
        free[options] = True
        for members, starts, deps in self.levels:
            free[members] |= np.logical_or.reduceat(free[deps], starts)
        return np.flatnonzero(free)

    def build(self, options: np.ndarray, values: np.ndarray,
              objective: tuple[np.ndarray, np.ndarray]) -> tuple[cp_model.CpModel, np.ndarray, int]:
        """The model of a part: `options` (variable indices) free, every other variable at its
        value in `values` (one per variable of the full model). `objective` is (variable
        indices, coefficients) over the full model; the part minimises its free terms.
        Returns the model, the full-model index of each of its variables (in order), and the
        number of constraint terms read (a measure of the work, for deterministic budgets)."""
        self.sync()
        free_vars = self.free_variables(options)
        new = np.full(self.n_vars, -1, dtype=np.int64)
        new[free_vars] = np.arange(len(free_vars))
        sub = cp_model.CpModel()
        proto = sub.proto
        domains = self.domains
        for v in free_vars.tolist():
            proto.variables.add().domain.extend(domains[v])

        cpos, _ = _ranges(self.inc_ptr, free_vars)
        cons = np.unique(self.inc_con[cpos])
        pos, owner = _ranges(self.ptr, cons)
        var = self.var_of[pos]
        ref = self.ref[pos]
        is_free = new[var] >= 0
        val = values[var]
        lit_true = np.where(ref >= 0, val, 1 - val)
        kinds = self.kinds[cons]
        is_lin = kinds[owner] == LINEAR
        fixed = ~is_free
        n = len(cons)
        # fixed part of each constraint: a linear one's constant, a literal one's true literals
        const = np.bincount(owner[fixed & is_lin], weights=(self.coef[pos] * val)[fixed & is_lin], minlength=n)
        const = np.rint(const).astype(np.int64)
        n_true = np.bincount(owner[fixed & ~is_lin], weights=lit_true[fixed & ~is_lin], minlength=n).astype(np.int64)
        # free terms, grouped by constraint (they come in constraint order)
        f_owner = owner[is_free]
        f_ref = np.where(ref[is_free] >= 0, new[var[is_free]], -new[var[is_free]] - 1).tolist()
        f_coef = self.coef[pos][is_free].tolist()
        f_ptr = np.concatenate([[0], np.cumsum(np.bincount(f_owner, minlength=n))]).tolist()
        constraints = proto.constraints

        def enforcement(k: int) -> list[int] | None:
            """The free enforcement literals of constraint k (None: a fixed one is false)."""
            out = []
            for lit in self.enf.get(k, ()):
                v = -lit - 1 if lit < 0 else lit
                if new[v] >= 0:
                    out.append(int(new[v]) if lit >= 0 else -int(new[v]) - 1)
                elif (values[v] if lit >= 0 else 1 - values[v]) == 0:
                    return None
            return out

        def violated(k: int, enf: list[int]) -> None:
            if not enf:
                raise RuntimeError(f"the current roster breaks constraint {k} of the roster model")
            constraints.add().bool_or.literals.extend([-e - 1 for e in enf])

        cons_list, kinds_list, const_list, n_true_list = cons.tolist(), kinds.tolist(), const.tolist(), n_true.tolist()
        for j in range(n):
            k = cons_list[j]
            enf = enforcement(k) if k in self.enf else []
            if enf is None:
                continue
            lits = f_ref[f_ptr[j]:f_ptr[j + 1]]
            kind = kinds_list[j]
            if kind == LINEAR:
                c0 = const_list[j]
                # bounds this far out mean "unbounded" (and shifting them could overflow int64)
                dom = [d if abs(d) >= 2 ** 62 else d - c0 for d in self.dom[k]]
                if not lits:
                    if not any(lo <= 0 <= hi for lo, hi in zip(dom[::2], dom[1::2])):
                        violated(k, enf)
                    continue
                c = constraints.add()
                c.enforcement_literal.extend(enf)
                c.linear.vars.extend(lits)
                c.linear.coeffs.extend(f_coef[f_ptr[j]:f_ptr[j + 1]])
                c.linear.domain.extend(dom)
                continue
            t = n_true_list[j]
            if kind == BOOL_OR:
                if t:
                    continue
                if not lits:
                    violated(k, enf)
                    continue
                body, lits = "or", lits
            elif kind == BOOL_AND:
                if t < self.ptr[k + 1] - self.ptr[k] - len(lits):  # a fixed literal is false
                    violated(k, enf)
                    continue
                if not lits:
                    continue
                body = "and"
            else:  # at most one, exactly one
                if t >= 2:
                    violated(k, enf)
                    continue
                if t == 1:
                    body, lits = "and", [-x - 1 for x in lits]
                    if not lits:
                        continue
                elif kind == EXACTLY_ONE:
                    if not lits:
                        violated(k, enf)
                        continue
                    body = "exactly"
                else:
                    if len(lits) < 2:
                        continue
                    body = "amo"
            c = constraints.add()
            c.enforcement_literal.extend(enf)
            # touch only the sub-message the constraint is: reading another one creates it
            if body == "or":
                c.bool_or.literals.extend(lits)
            elif body == "and":
                c.bool_and.literals.extend(lits)
            elif body == "exactly":
                c.exactly_one.literals.extend(lits)
            else:
                c.at_most_one.literals.extend(lits)

        o_vars, o_coefs = objective
        keep = new[o_vars] >= 0
        proto.objective.vars.extend(new[o_vars[keep]].tolist())
        proto.objective.coeffs.extend(o_coefs[keep].tolist())
        proto.solution_hint.vars.extend(range(len(free_vars)))
        proto.solution_hint.values.extend(values[free_vars].tolist())
        return sub, free_vars, len(pos)

    def helpers_after(self, changed: np.ndarray) -> list[tuple[int, Callable[[list[int]], int]]]:
        """The helpers that follow from the `changed` variables, as (index, function), in an
        order that computes every helper after its inputs."""
        out = [v for v in self.free_variables(changed).tolist() if v in self.helper_fn]
        out.sort(key=self.helper_rank.__getitem__)
        return [(v, self.helper_fn[v]) for v in out]

    def violations(self, values: np.ndarray) -> list[int]:
        """The constraints of the full model that `values` (one per variable) breaks; -1 in the
        list stands for a variable outside its domain (an `on` helper at 2, say)."""
        self.sync()
        values = np.asarray(values, dtype=np.int64)
        outside = bool(((values < self.var_lo) | (values > self.var_hi)).any())
        n = len(self.kind)
        size = np.diff(self.ptr)
        owner = np.repeat(np.arange(n), size)
        val = values[self.var_of]
        activity = np.rint(np.bincount(owner, weights=self.coef * val, minlength=n)).astype(np.int64)
        true = np.bincount(owner, weights=np.where(self.ref >= 0, val, 1 - val), minlength=n).astype(np.int64)
        kinds = self.kinds
        ok = np.ones(n, dtype=bool)
        ok[kinds == AT_MOST_ONE] = true[kinds == AT_MOST_ONE] <= 1
        ok[kinds == EXACTLY_ONE] = true[kinds == EXACTLY_ONE] == 1
        ok[kinds == BOOL_OR] = true[kinds == BOOL_OR] >= 1
        ok[kinds == BOOL_AND] = true[kinds == BOOL_AND] == size[kinds == BOOL_AND]
        lo, hi = self._bounds()
        lin = kinds == LINEAR
        ok[lin] = (lo[lin] <= activity[lin]) & (activity[lin] <= hi[lin])
        for k in self._holes:  # linear domains of several intervals
            ok[k] = any(a <= activity[k] <= b for a, b in zip(self.dom[k][::2], self.dom[k][1::2]))
        for k, lits in self.enf.items():  # a constraint holds when an enforcement literal is false
            if not all((values[e] if e >= 0 else 1 - values[-e - 1]) == 1 for e in lits):
                ok[k] = True
        return ([-1] if outside else []) + np.flatnonzero(~ok).tolist()

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each linear constraint's domain as [lowest, highest] (cached per number read)."""
        if getattr(self, "_bounds_read", -1) != self.n_read:
            lo = np.zeros(self.n_read, dtype=np.int64)
            hi = np.zeros(self.n_read, dtype=np.int64)
            self._holes = []
            for k, d in enumerate(self.dom):
                if d is not None:
                    lo[k], hi[k] = d[0], d[-1]
                    if len(d) > 2:
                        self._holes.append(k)
            self._lo, self._hi, self._bounds_read = lo, hi, self.n_read
        return self._lo, self._hi
