"""Small models of a roster's parts, for large-neighbourhood search (`scheduler.lns`, issue 4).

A part frees some shift options and keeps every other variable at its value in the current
roster. Given to CP-SAT as the full model with the rest fixed, a part would cost most of its
time in loading and presolving what is fixed (see benchmarks/README.md). `Parts` reads the
model's constraints once into flat arrays and builds, for each part, a model of its free
variables only: every constraint that touches a free variable, with each fixed
variable replaced by its value. Whatever solves that model, put back into the current roster,
solves the full model: a constraint either touches a free variable, and is in the part's model,
or touches none, and holds already. A part reads only its free variables' terms: the rest of
each constraint comes from the roster's totals per constraint (`totals`, which a search keeps
up to date as the roster moves), so a part that touches the staffing of many slots does not
read every other agent's terms in them. This is generic over the constraint kinds the roster
model uses (linear, at-most-one, exactly-one, bool-or, bool-and, with enforcement literals);
any other kind is refused loudly.

A helper variable (`RosterModel.define`) is free when a variable it follows from is free, so
staffing, service and comfort helpers move with the options; a helper whose inputs are all
fixed keeps its value. On a grouped model (staffing summed over groups of options,
`RosterModel.coverage_groups`) a part's staffing sums take the free members of each group in
the group helper's place (`Parts._expand`): the part searches like a model that sums every
option (benchmarks/README.md, issue 15).
"""

from __future__ import annotations

import os
import tempfile
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from scheduler.model import RosterModel

LINEAR, AT_MOST_ONE, EXACTLY_ONE, BOOL_OR, BOOL_AND = range(5)
# what a part's model does with each constraint that touches it (`Parts._actions`): leave it out
# (it holds whatever the free variables do), find it broken, or add it as a linear constraint, a
# bool_or, a bool_and (of its free literals, or of their negations: an at-most-one with a fixed
# literal true), an exactly_one or an at_most_one
_SKIP, _BROKEN, _LINEAR, _OR, _AND, _AND_NOT, _EXACTLY, _AMO = range(8)
READABLE = ("linear", "at_most_one", "exactly_one", "bool_or", "bool_and")  # the constraint kinds parts read
SNAPSHOT_FROM = 10_000  # more new constraints than this: read from a snapshot of the model
# a grouped model's parts sum each free group's members in its place (`Parts._expand`)
EXPAND_GROUPS = os.environ.get("SCHEDULER_EXPAND_GROUPS", "1") != "0"
CHECK_ALL_BELOW = 20_000  # constraints: a model this small has every constraint's kind checked when built
# CP-SAT's methods that add constraints of the kinds above (or none at all)
_READABLE_METHODS = {"add", "add_linear_constraint", "add_linear_expression_in_domain", "add_at_most_one",
                     "add_at_least_one", "add_exactly_one", "add_bool_or", "add_bool_and", "add_implication",
                     "add_map_domain", "add_hint", "add_assumption", "add_assumptions", "add_decision_strategy"}


def _refuse(name: str):
    def refused(self, *args, **kwargs):
        raise NotImplementedError(f"CpModel.{name}: LNS parts (scheduler.parts) read only {', '.join(READABLE)} "
                                  f"constraints; write the rule with those, or teach Parts the new kind")
    refused.__name__ = name
    return refused


class ReadableModel(cp_model.CpModel):
    """The roster's CP-SAT model: refuses, when a rule adds it, any constraint that `Parts`
    cannot read (an element, a maximum, an interval...), so such a rule fails in every test
    and not only on models large enough for LNS."""


for _name in dir(cp_model.CpModel):  # CP-SAT adds the CamelCase aliases per instance, from these
    if ((_name.startswith("add_") and _name not in _READABLE_METHODS)
            or (_name.startswith("new_") and "interval" in _name)):
        setattr(ReadableModel, _name, _refuse(_name))


def check_readable(rm: RosterModel) -> None:
    """Raise NotImplementedError when the model holds a constraint kind `Parts` cannot read (one
    added through the proto, past `ReadableModel`). Small models: every constraint; larger
    ones: a sample of each stretch (the bindings read about 250k constraints a second)."""
    constraints = rm.m.proto.constraints
    n = len(constraints)
    picks = range(n) if n < CHECK_ALL_BELOW else sorted({*range(0, n, max(1, n // 2000)), n - 1})
    for k in picks:
        c = constraints[k]
        if _case(c) is None:
            raise NotImplementedError(f"LNS parts cannot handle constraint {k} of the roster model: {c}")


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


def _snapshot(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model as a protobuf message, read in one piece (much faster than field by field
    through the CP-SAT bindings on large models)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pb"  # not .txt: binary
        if not model.export_to_file(str(path)):
            raise RuntimeError(f"CP-SAT could not write the roster model to {path}")
        return cp_model_pb2.CpModelProto.FromString(path.read_bytes())


def _case(c) -> str | None:
    """Which kind of constraint `c` is, as protobuf names it; `c` from a snapshot or from the
    CP-SAT bindings (whose messages have no WhichOneof)."""
    if hasattr(c, "WhichOneof"):
        return c.WhichOneof("constraint")
    for name in READABLE:
        if getattr(c, f"has_{name}")():
            return name
    return None  # another kind: refused by the caller


def _boolean_blocks(largest: int) -> list[cp_model.CpModel]:
    """Models of 1, 2, 4, ... 2**largest variables with domain 0..1."""
    blocks = []
    for k in range(largest + 1):
        block = cp_model.CpModel()
        for _ in range(2 ** k):
            block.proto.variables.add().domain.extend([0, 1])
        blocks.append(block)
    return blocks


_BOOLEAN_BLOCKS = _boolean_blocks(12)  # built once, at import (about 10 ms): lanes only read them


def _add_booleans(proto, n: int) -> None:
    """Append n variables with domain 0..1 to `proto`: a few merges of prepared blocks (about
    one call per set bit of n), a quarter of the time of n one-by-one additions."""
    for k in range(len(_BOOLEAN_BLOCKS) - 1, -1, -1):
        while n >= 2 ** k:
            proto.merge_from(_BOOLEAN_BLOCKS[k].proto)
            n -= 2 ** k


class Parts:
    """The constraints of `rm.m` in flat arrays, and the small model of any part of a roster.

    Threads (LNS lanes) may call `build` and `violations` at once: both only read, as long as
    no constraint is added to the model meanwhile (`sync` then finds nothing new). Constraints
    are added between tiers only, never during a search."""

    def __init__(self, rm: RosterModel):
        self.rm = rm
        self.n_vars = len(rm.m.proto.variables)  # their domains: read by the first sync
        self.kind: list[int] = []
        self.dom: list[list[int] | None] = []
        self.enf: dict[int, list[int]] = {}
        self.ptr = np.zeros(1, dtype=np.int64)
        self.ref = np.zeros(0, dtype=np.int64)
        self.coef = np.zeros(0, dtype=np.int64)
        self.n_read = 0
        self.has_enf = np.zeros(0, dtype=bool)    # per constraint: it has enforcement literals
        self.has_holes = np.zeros(0, dtype=bool)  # ... it is linear, with a domain of several intervals
        self._helper_levels()
        self._groups()
        self.sync()

    def _helper_levels(self) -> None:
        """Each helper's depth (an option has depth 0; a helper, one more than its deepest
        input) and function, and which helpers each variable feeds
        (all of them, and the weighted sums with their coefficients), so a part frees the
        helpers of its options and a merge recomputes them."""
        depth = np.zeros(self.n_vars, dtype=np.int64)
        self.helper_fn = {var.index: fn for var, fn in self.rm.derived}
        self.is_helper = np.zeros(self.n_vars, dtype=bool)  # a helper that follows from variables
        self.is_linear = np.zeros(self.n_vars, dtype=bool)  # ... as a weighted sum of them
        helpers, linear = [], []  # indices into rm.derived: helpers that follow from variables; weighted sums
        # creation order puts inputs first (not always index order: a service helper is created
        # before its staffing sum), so each input's depth is known when its helper comes
        for k, ((var, _fn), deps, coeffs) in enumerate(zip(self.rm.derived, self.rm.depends, self.rm.linear)):
            if not deps:
                continue  # a constant: never free
            depth[var.index] = 1 + int(max(depth[i] for i in deps))
            self.is_helper[var.index] = True
            helpers.append(k)
            if coeffs is not None:
                self.is_linear[var.index] = True
                linear.append(k)
        self.depth = depth
        # (input, helper) rows, flat: built by numpy from the model's own lists (Python lists of
        # every input would take gigabytes on the largest rosters)
        derived, depends, weighted = self.rm.derived, self.rm.depends, self.rm.linear

        def rows(ks: list[int]) -> tuple[np.ndarray, np.ndarray]:
            sizes = np.array([len(depends[k]) for k in ks], dtype=np.int64)
            inputs = np.fromiter(chain.from_iterable(depends[k] for k in ks), dtype=np.int64, count=int(sizes.sum()))
            return inputs, np.repeat(np.array([derived[k][0].index for k in ks], dtype=np.int64), sizes)

        inputs, targets = rows(helpers)
        self.feed_ptr, (self.feed_target,) = self._by_input(inputs, targets)
        inputs, targets = rows(linear)
        weights = np.fromiter(chain.from_iterable(weighted[k] or () for k in linear), dtype=np.int64,
                              count=len(inputs))
        self.lin_ptr, (self.lin_target, self.lin_coef) = self._by_input(inputs, targets, weights)

    def _groups(self) -> None:
        """The staffing groups of a grouped model (`RosterModel.group_defs`): each group helper's
        defining constraint, members and weights, so that `build` can put a part's free members
        in the group's place in the staffing sums (the part then searches like a model that sums
        every option, while the whole model stays small)."""
        defs: dict[int, int] = getattr(self.rm, "group_defs", {})
        self.expand_groups = EXPAND_GROUPS and bool(defs)
        n = self.n_vars if self.expand_groups else 0  # no groups: nothing to hold
        self.group_con = np.full(n, -1, dtype=np.int64)  # a group helper's definition
        self.group_of = np.full(n, -1, dtype=np.int64)   # a member's group helper
        self.weight_in = np.zeros(n, dtype=np.int64)     # ... and its weight there
        if not self.expand_groups:
            return
        ks = [k for k, (var, _fn) in enumerate(self.rm.derived) if var.index in defs]
        targets = np.array([self.rm.derived[k][0].index for k in ks], dtype=np.int64)
        self.group_con[targets] = [defs[int(v)] for v in targets]
        sizes = np.array([len(self.rm.depends[k]) for k in ks], dtype=np.int64)
        members = np.fromiter(chain.from_iterable(self.rm.depends[k] for k in ks), dtype=np.int64,
                              count=int(sizes.sum()))
        self.group_of[members] = np.repeat(targets, sizes)
        self.weight_in[members] = np.fromiter(chain.from_iterable(self.rm.linear[k] or () for k in ks),
                                              dtype=np.int64, count=len(members))

    def _expand(self, cons: np.ndarray, free_vars: np.ndarray, at: np.ndarray, var: np.ndarray,
                coef: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A part's terms (constraint position `at` in `cons`, variable, coefficient, sign) with
        each free group helper's term outside its own definition replaced by its free members'
        terms (coefficient times weight). The fixed members stay in the constraint's constant,
        which `build` takes from the roster's totals less the free terms, so the sums are equal;
        the group helper keeps its definition, so its value still follows."""
        group = self.group_con[var] >= 0
        group[group] = self.group_con[var[group]] != cons[at[group]]
        if not group.any():
            return at, var, coef, sign
        # the free members, by group; then each group term's run of them
        member = free_vars[self.group_of[free_vars] >= 0]
        member = member[np.argsort(self.group_of[member], kind="stable")]
        of = self.group_of[member]
        lo = np.searchsorted(of, var[group], side="left")
        size = np.searchsorted(of, var[group], side="right") - lo
        owner = np.repeat(np.arange(len(lo)), size)
        member = member[np.arange(len(owner)) - np.repeat(np.cumsum(size) - size, size) + np.repeat(lo, size)]
        at = np.concatenate([at[~group], at[group][owner]])
        var = np.concatenate([var[~group], member])
        coef = np.concatenate([coef[~group], coef[group][owner] * self.weight_in[member]])
        sign = np.concatenate([sign[~group], np.ones(len(member), dtype=sign.dtype)])
        order = np.argsort(at, kind="stable")
        return at[order], var[order], coef[order], sign[order]

    def _by_input(self, inputs: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Rows (input, column values...) grouped by input: a pointer per variable, and the columns."""
        order = np.argsort(inputs, kind="stable")
        ptr = np.concatenate([[0], np.cumsum(np.bincount(inputs, minlength=self.n_vars))]).astype(np.int64)
        return ptr, tuple(c[order] for c in columns)

    def sync(self) -> None:
        """Read the constraints added to the model since the last call (the tiers' caps)."""
        if len(self.rm.m.proto.variables) != self.n_vars:
            raise RuntimeError("variables were added to the roster model after LNS read it")
        n = len(self.rm.m.proto.constraints)
        if n == self.n_read:
            return
        # many new constraints (the first read): one snapshot of the model; a tier's few caps:
        # through the bindings (a snapshot would copy the whole model for them)
        proto = _snapshot(self.rm.m) if n - self.n_read > SNAPSHOT_FROM else self.rm.m.proto
        if self.n_read == 0:  # the first read: the variables' domains too
            self.domains = [list(v.domain) for v in proto.variables]
            self.var_lo = np.array([d[0] for d in self.domains], dtype=np.int64)
            self.var_hi = np.array([d[-1] for d in self.domains], dtype=np.int64)
            self.is_bool = np.array([d == [0, 1] for d in self.domains], dtype=bool)
        constraints = proto.constraints
        del proto  # `constraints` holds the snapshot until it is dropped below
        literal_kinds = {"at_most_one": AT_MOST_ONE, "exactly_one": EXACTLY_ONE, "bool_or": BOOL_OR,
                         "bool_and": BOOL_AND}
        # the new terms, gathered in short Python lists and kept as numpy chunks (a list holds
        # about 36 bytes per term, an array 8)
        refs, coefs, sizes = [self.ref], [self.coef], []
        ref: list[int] = []
        coef: list[int] = []
        for k in range(self.n_read, n):
            c = constraints[k]
            if len(c.enforcement_literal):
                self.enf[k] = list(c.enforcement_literal)
            which = _case(c)
            if which == "linear":
                if c.linear.vars and min(c.linear.vars) < 0:
                    raise NotImplementedError(f"LNS parts cannot handle constraint {k} of the roster model "
                                              f"(a negated variable in a linear constraint): {c}")
                self.kind.append(LINEAR)
                ref.extend(c.linear.vars)
                coef.extend(c.linear.coeffs)
                sizes.append(len(c.linear.vars))
                self.dom.append(list(c.linear.domain))
            else:
                if which not in literal_kinds:
                    raise NotImplementedError(f"LNS parts cannot handle constraint {k} of the roster model: {c}")
                kind, lits = literal_kinds[which], getattr(c, which).literals
                self.kind.append(kind)
                ref.extend(lits)
                coef.extend([1] * len(lits))
                sizes.append(len(lits))
                self.dom.append(None)
            if len(ref) >= 1 << 20 or k == n - 1:
                refs.append(np.array(ref, dtype=np.int64))
                coefs.append(np.array(coef, dtype=np.int64))
                ref, coef = [], []
        del constraints  # the snapshot, before the indexes below are built
        # which constraints have enforcement literals, and which linear ones a domain with holes
        # (a part's model treats those one by one)
        old = self.n_read
        has_enf = np.concatenate([self.has_enf, np.zeros(n - old, dtype=bool)])
        has_enf[[k for k in self.enf if k >= old]] = True
        self.has_enf = has_enf  # flagged before it is published (a lane may read it)
        holes = np.array([d is not None and len(d) > 2 for d in self.dom[old:n]], dtype=bool)
        self.has_holes = np.concatenate([self.has_holes, holes])
        self.n_read = n
        self.ptr = np.concatenate([self.ptr, self.ptr[-1] + np.cumsum(sizes, dtype=np.int64)])
        self.ref = np.concatenate(refs)
        self.coef = np.concatenate(coefs)
        del refs, coefs  # the chunks: large temporaries are dropped as soon as they are used
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
        del vs, cs, order
        # the terms again, by variable: a part reads only its free variables' terms, and takes the
        # rest of each constraint from the roster's totals (`totals`)
        order = np.argsort(self.var_of, kind="stable")
        self.term_con = owner[order]
        self.term_coef = self.coef[order]
        self.term_sign = np.where(self.ref[order] >= 0, 1, -1).astype(np.int8)
        del order
        per_var = np.bincount(self.var_of, minlength=self.n_vars)
        self.term_ptr = np.concatenate([[0], np.cumsum(per_var)]).astype(np.int64)
        # totals are summed in doubles: exact only while every constraint's activity stays below 2**53
        largest = np.maximum(np.abs(self.var_lo), np.abs(self.var_hi)).astype(float)
        reach = np.bincount(owner, weights=np.abs(self.coef) * largest[self.var_of], minlength=n)
        if len(reach) and reach.max() >= 2 ** 53:
            k = int(np.argmax(reach))
            raise NotImplementedError(f"LNS parts cannot sum constraint {k} of the roster model exactly "
                                      f"(its terms can reach {reach[k]:.3g})")

    def constraints_of(self, variables: np.ndarray) -> np.ndarray:
        """The constraints (sorted indices) the `variables` appear in, as a term or an
        enforcement literal."""
        return np.unique(self.inc_con[_ranges(self.inc_ptr, variables)[0]])

    def free_variables(self, options: np.ndarray) -> np.ndarray:
        """The free options (variable indices) and every helper that follows from one, sorted."""
        found = [np.asarray(options, dtype=np.int64)]
        frontier = found[0]
        while len(frontier):  # one level of helpers per round: as many rounds as the deepest helper
            frontier = np.unique(self.feed_target[_ranges(self.feed_ptr, frontier)[0]])
            found.append(frontier)
        return np.unique(np.concatenate(found))

    def totals(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per constraint, for a whole roster `values`: its linear activity (sum of coefficient *
        value) and its number of true literals. `build` takes a part's constants from these."""
        self.sync()
        return self._sums(np.asarray(values, dtype=np.int64), np.arange(len(self.kind)))

    def _sums(self, values: np.ndarray, cons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear activity and number of true literals of the constraints `cons` (sorted, distinct)
        under `values`."""
        if len(cons) == len(self.kind):  # every constraint: no gathering of terms
            owner, var, coef, ref = np.repeat(cons, np.diff(self.ptr)), self.var_of, self.coef, self.ref
        else:
            pos, owner = _ranges(self.ptr, cons)
            var, coef, ref = self.var_of[pos], self.coef[pos], self.ref[pos]
        val = values[var]
        activity = np.bincount(owner, weights=coef * val, minlength=len(cons))
        true = np.bincount(owner, weights=np.where(ref >= 0, val, 1 - val), minlength=len(cons))
        return np.rint(activity).astype(np.int64), np.rint(true).astype(np.int64)

    def shift_totals(self, totals: tuple[np.ndarray, np.ndarray], old: np.ndarray,
                     new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`totals` of roster `old`, made the totals of roster `new` from the variables that differ."""
        changed = np.flatnonzero(old != new)
        pos, owner = _ranges(self.term_ptr, changed)
        delta = (new[changed] - old[changed])[owner]
        con = self.term_con[pos]
        n = len(self.kind)
        activity = np.bincount(con, weights=self.term_coef[pos] * delta, minlength=n)
        true = np.bincount(con, weights=self.term_sign[pos] * delta, minlength=n)
        return totals[0] + np.rint(activity).astype(np.int64), totals[1] + np.rint(true).astype(np.int64)

    def build(self, options: np.ndarray, values: np.ndarray, objective: tuple[np.ndarray, np.ndarray],
              totals: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[cp_model.CpModel, np.ndarray, int]:
        """The model of a part: `options` (variable indices) free, every other variable at its
        value in `values` (one per variable of the full model). `objective` is (variable
        indices, coefficients) over the full model; the part minimises its free terms.
        `totals` are `self.totals(values)`, computed here when not given (a search keeps them
        up to date with `shift_totals`, so that a part reads only its free variables' terms).
        Returns the model, the full-model index of each of its variables (in order), and the
        number of constraint terms read (a measure of the work, for deterministic budgets)."""
        self.sync()
        if totals is None:
            totals = self.totals(values)
        if len(totals[0]) != len(self.kind):
            raise ValueError("totals of an older version of the model (constraints were added since)")
        free_vars = self.free_variables(options)
        boolean = self.is_bool[free_vars]
        free_vars = np.concatenate([free_vars[boolean], free_vars[~boolean]])  # 0/1 ones first
        new = np.full(self.n_vars, -1, dtype=np.int64)
        new[free_vars] = np.arange(len(free_vars))
        sub = cp_model.CpModel()
        proto = sub.proto
        _add_booleans(proto, int(boolean.sum()))
        domains = self.domains
        for v in free_vars[int(boolean.sum()):].tolist():
            proto.variables.add().domain.extend(domains[v])

        cons = self.constraints_of(free_vars)
        n = len(cons)
        kinds = self.kinds[cons]
        # the free variables' terms, grouped by constraint in the order of `cons`
        pos, owner = _ranges(self.term_ptr, free_vars)
        at = np.searchsorted(cons, self.term_con[pos])
        order = np.argsort(at, kind="stable")
        pos, at, var = pos[order], at[order], free_vars[owner[order]]
        coef, sign = self.term_coef[pos], self.term_sign[pos]
        if self.expand_groups:
            at, var, coef, sign = self._expand(cons, free_vars, at, var, coef, sign)
        val = values[var]
        # the fixed part of each constraint (the roster's total less the free terms): a linear
        # one's constant, a literal one's number of true literals
        const = totals[0][cons] - np.rint(np.bincount(at, weights=coef * val, minlength=n)).astype(np.int64)
        lit_true = np.where(sign > 0, val, 1 - val)
        n_true = totals[1][cons] - np.rint(np.bincount(at, weights=lit_true, minlength=n)).astype(np.int64)
        ref = np.where(sign > 0, new[var], -new[var] - 1)
        counts = np.bincount(at, minlength=n)  # free terms per constraint
        act = self._actions(cons, kinds, const, n_true, counts)
        # literal constraints with one fixed literal true: the free ones must all be false
        ref = np.where(act[at] == _AND_NOT, -ref - 1, ref)
        f_ptr = np.concatenate([[0], np.cumsum(counts)]).tolist()
        lo, hi, _ = self._bounds()
        big = 2 ** 62  # bounds this far out mean "unbounded" (and shifting them could overflow int64)
        d_lo, d_hi = lo[cons], hi[cons]
        d_lo = np.where((d_lo >= big) | (d_lo <= -big), d_lo, d_lo - const)  # not np.abs: |-2**63| overflows
        d_hi = np.where((d_hi >= big) | (d_hi <= -big), d_hi, d_hi - const)
        lin = act == _LINEAR
        # a linear constraint without free terms holds (is left out) or is broken
        empty = lin & (counts == 0)
        act[empty] = np.where((d_lo[empty] <= 0) & (0 <= d_hi[empty]), _SKIP, _BROKEN)
        # linear constraints whose domain has holes, and constraints with enforcement literals:
        # one by one (a few)
        doms: dict[int, list[int]] = {}  # j -> the domain of a linear constraint with holes
        for j in np.flatnonzero(lin & self.has_holes[cons]).tolist():
            c0 = int(const[j])
            whole = self.dom[int(cons[j])]
            assert whole is not None  # a linear constraint's domain
            dom = doms[j] = [d if abs(d) >= big else d - c0 for d in whole]
            if not counts[j]:
                act[j] = _SKIP if any(x <= 0 <= y for x, y in zip(dom[::2], dom[1::2])) else _BROKEN
        special: dict[int, tuple[int, list[int], list[int] | None]] = {}  # j -> (action, enforcement, domain)
        enforced = self.has_enf[cons] & (act != _SKIP)
        for j in np.flatnonzero(enforced | (act != _SKIP) & lin & self.has_holes[cons]).tolist():
            free_enf = self._enforcement(int(cons[j]), new, values) if enforced[j] else []
            if free_enf is None:
                act[j] = _SKIP  # a fixed enforcement literal is false: the constraint holds
                continue
            special[j] = (int(act[j]), free_enf, doms.get(j))
        if (act == _BROKEN).any():
            for j in np.flatnonzero(act == _BROKEN).tolist():
                if not special.get(j, (0, []))[1]:
                    raise RuntimeError(f"the current roster breaks constraint {int(cons[j])} of the roster model")
        emit = np.flatnonzero(act != _SKIP)
        f_ref, f_coef = ref.tolist(), coef.tolist()
        add = proto.constraints.add
        lo_list, hi_list = d_lo.tolist(), d_hi.tolist()
        for j, a in zip(emit.tolist(), act[emit].tolist()):  # this loop is hot: plain Python containers
            c = add()
            if j in special:
                a, enf, domain = special[j]
                if a == _BROKEN:  # broken unless an enforcement literal is false
                    c.bool_or.literals.extend([-e - 1 for e in enf])
                    continue
                if enf:
                    c.enforcement_literal.extend(enf)
                if domain is not None:
                    body = c.linear
                    body.vars.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])
                    body.coeffs.extend(f_coef[f_ptr[j]:f_ptr[j + 1]])
                    body.domain.extend(domain)
                    continue
            if a == _LINEAR:
                body = c.linear
                body.vars.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])
                body.coeffs.extend(f_coef[f_ptr[j]:f_ptr[j + 1]])
                body.domain.extend((lo_list[j], hi_list[j]))
            elif a == _OR:
                c.bool_or.literals.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])
            elif a == _AND or a == _AND_NOT:
                c.bool_and.literals.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])
            elif a == _EXACTLY:
                c.exactly_one.literals.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])
            else:
                c.at_most_one.literals.extend(f_ref[f_ptr[j]:f_ptr[j + 1]])

        o_vars, o_coefs = objective
        keep = new[o_vars] >= 0
        proto.objective.vars.extend(new[o_vars[keep]].tolist())
        proto.objective.coeffs.extend(o_coefs[keep].tolist())
        proto.solution_hint.vars.extend(range(len(free_vars)))
        proto.solution_hint.values.extend(values[free_vars].tolist())
        return sub, free_vars, len(var)

    def _actions(self, cons: np.ndarray, kinds: np.ndarray, const: np.ndarray, n_true: np.ndarray,
                 counts: np.ndarray) -> np.ndarray:
        """What a part's model does with each of the constraints `cons` (`_SKIP`, `_BROKEN`...),
        given their kinds, the fixed part of each (a linear one's constant, a literal one's
        number of true literals) and their numbers of free terms; before their enforcement
        literals are read, and a linear one's domain (`build` reads those)."""
        act = np.full(len(cons), _SKIP, dtype=np.int64)
        t, free = n_true, counts
        act[kinds == LINEAR] = _LINEAR
        either = kinds == BOOL_OR
        act[either & (t == 0)] = np.where(free[either & (t == 0)] > 0, _OR, _BROKEN)
        both = kinds == BOOL_AND
        size = self.ptr[cons + 1] - self.ptr[cons]
        broken = both & (t < size - free)  # a fixed literal is false
        act[both & ~broken & (free > 0)] = _AND
        act[broken] = _BROKEN
        one = (kinds == AT_MOST_ONE) | (kinds == EXACTLY_ONE)
        act[one & (t == 1) & (free > 0)] = _AND_NOT
        exactly = (kinds == EXACTLY_ONE) & (t == 0)
        act[exactly] = np.where(free[exactly] > 0, _EXACTLY, _BROKEN)
        act[(kinds == AT_MOST_ONE) & (t == 0) & (free >= 2)] = _AMO
        act[one & (t >= 2)] = _BROKEN
        return act

    def _enforcement(self, k: int, new: np.ndarray, values: np.ndarray) -> list[int] | None:
        """The free enforcement literals of constraint k in a part's numbering `new` (None: a
        fixed one is false under `values`)."""
        out = []
        for lit in self.enf.get(k, ()):
            v = -lit - 1 if lit < 0 else lit
            if new[v] >= 0:
                out.append(int(new[v]) if lit >= 0 else -int(new[v]) - 1)
            elif (values[v] if lit >= 0 else 1 - values[v]) == 0:
                return None
        return out

    def recompute_helpers(self, values: np.ndarray, changed: np.ndarray,
                          before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`values` with every helper that follows from the `changed` variables recomputed.
        `before` is a roster of the model (each helper at its value for its inputs) that `values`
        equals except at `changed`. A weighted-sum helper moves by its inputs' weighted change;
        any other helper is computed by its function, deepest last. Returns the new values and
        the variables whose value differs from `before`, for `violations(..., near=...)`."""
        changed = np.unique(np.asarray(changed, dtype=np.int64))  # a change counted once
        if self.is_helper[changed].any():
            raise ValueError("recompute_helpers takes changed shift options, not helpers")
        out = np.array(values, dtype=np.int64)
        order = self.helpers_after(changed)
        pending = np.zeros(self.n_vars, dtype=np.int64)  # each weighted-sum helper's change so far
        final = changed                                  # variables whose new value is known
        depth = self.depth[order]
        for group in np.split(order, np.flatnonzero(np.diff(depth)) + 1):
            delta = out[final] - before[final]
            pos, owner = _ranges(self.lin_ptr, final[delta != 0])
            np.add.at(pending, self.lin_target[pos], self.lin_coef[pos] * delta[delta != 0][owner])
            linear = group[self.is_linear[group]]
            out[linear] = before[linear] + pending[linear]
            for v in group[~self.is_linear[group]].tolist():
                out[v] = self.helper_fn[v](out)
            final = group
        moved = np.concatenate([changed, order])
        return out, moved[out[moved] != before[moved]]

    def helpers_after(self, changed: np.ndarray) -> np.ndarray:
        """The helpers that follow from the `changed` variables, by depth: each after its inputs."""
        free = self.free_variables(changed)
        helpers = free[self.is_helper[free]]
        return helpers[np.argsort(self.depth[helpers], kind="stable")]

    def violations(self, values: np.ndarray, near: np.ndarray | None = None) -> list[int]:
        """The constraints of the full model that `values` (one per variable) breaks; -1 in the
        list stands for a variable outside its domain (an `on` helper at 2, say). With `near`
        (variable indices), only the constraints those variables appear in, and only their
        domains, are checked: enough when `values` differs from a roster that breaks nothing
        in those variables alone."""
        self.sync()
        values = np.asarray(values, dtype=np.int64)
        if near is None:
            cons = np.arange(len(self.kind))
            outside = bool(((values < self.var_lo) | (values > self.var_hi)).any())
        else:
            near = np.asarray(near, dtype=np.int64)
            cons = self.constraints_of(near)
            outside = bool(((values[near] < self.var_lo[near]) | (values[near] > self.var_hi[near])).any())
        n = len(cons)
        size = self.ptr[cons + 1] - self.ptr[cons]
        activity, true = self._sums(values, cons)
        kinds = self.kinds[cons]
        ok = np.ones(n, dtype=bool)
        for kind, holds in ((AT_MOST_ONE, true <= 1), (EXACTLY_ONE, true == 1), (BOOL_OR, true >= 1),
                            (BOOL_AND, true == size)):
            ok[kinds == kind] = holds[kinds == kind]
        lo, hi, holes = self._bounds()
        lin = kinds == LINEAR
        ok[lin] = (lo[cons[lin]] <= activity[lin]) & (activity[lin] <= hi[cons[lin]])
        where = {int(k): j for j, k in enumerate(cons.tolist())} if near is not None else None
        for k in holes:  # linear domains of several intervals
            j = k if where is None else where.get(k)
            if j is not None:
                dom = self.dom[k]
                assert dom is not None  # a linear constraint's domain
                ok[j] = any(a <= activity[j] <= b for a, b in zip(dom[::2], dom[1::2]))
        for k, lits in self.enf.items():  # a constraint holds when an enforcement literal is false
            j = k if where is None else where.get(k)
            if j is not None and not ok[j]:
                if not all((values[e] if e >= 0 else 1 - values[-e - 1]) == 1 for e in lits):
                    ok[j] = True
        return ([-1] if outside else []) + cons[~ok].tolist()

    def _bounds(self) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Each linear constraint's domain as [lowest, highest], and the linear constraints whose
        domain has holes (cached per number read, in one attribute: lanes read it at once)."""
        cached = getattr(self, "_bounds_cache", None)
        if cached is None or cached[0] != self.n_read:
            lo = np.zeros(self.n_read, dtype=np.int64)
            hi = np.zeros(self.n_read, dtype=np.int64)
            for k, d in enumerate(self.dom):
                if d is not None:
                    lo[k], hi[k] = d[0], d[-1]
            cached = self._bounds_cache = (self.n_read, lo, hi, np.flatnonzero(self.has_holes).tolist())
        return cached[1], cached[2], cached[3]
