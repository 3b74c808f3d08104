"""What a solve reports besides the roster: status, objective, bound, gap, per priority tier."""

from __future__ import annotations

from dataclasses import dataclass, field

# PhaseResult.bound_scope: what a tier's best bound holds for
EVERY_ROSTER = "every roster"
MODEL_ONLY = "the model's patterns"  # CP-SAT's bound where its model leaves legal rosters out
NONE_YET = "none yet"
HOURS_SCOPE = "rosters as good in service"  # the LP's hours bounds (scheduler.exactness.add_hours_bounds)
PAST_SCOPE = "the fixed past"  # a repair's bounds from the days it may not change (scheduler.repair_bound)
NO_BOUND = "no bound computed"  # no bound above 0 is known


@dataclass
class PhaseResult:
    """One lexicographic tier of the objective (SPEC section 4), in the tier's own units."""

    name: str          # e.g. "overflow", "shortage", "flex hours", "comfort"
    unit: str          # e.g. "customer-hours", "agent-hours"
    status: str        # CP-SAT status name: OPTIMAL, FEASIBLE, ...
    objective: float
    best_bound: float
    seconds: float
    bound_scope: str = ""  # what `best_bound` holds for: "every roster", "the model's patterns", "none yet",
    #                        or NO_BOUND (nothing above 0 is known: the tier shows no bound and no gap)

    @property
    def has_bound(self) -> bool:
        """Is there a bound worth showing (not merely 0, which every tier is above)?"""
        return self.bound_scope != NO_BOUND

    @property
    def gap(self) -> float:
        """Relative gap (objective - bound) / objective; 0 when optimal or both are 0."""
        if self.objective <= 1e-9:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))


@dataclass
class ServiceBound:
    """How far a service measure (overflow, shortage) is from the best lower bound we can prove.
    `lp` and `cp_sat` are lower bounds for every legal roster at least as good in the measures
    ranked above it (None when not computed, or, for CP-SAT, when its model leaves legal rosters
    out); `best` is the larger of the two, `source` which one it is ("lp", "cp_sat" or None).
    `lp_integer`: the `lp` figure is the pooled integer program's (SCIP), not the LP relaxation's."""

    name: str
    unit: str
    achieved: float
    lp: float | None
    cp_sat: float | None
    lp_integer: bool = False

    @property
    def best(self) -> float:
        return max([b for b in (self.lp, self.cp_sat) if b is not None], default=0.0)

    @property
    def source(self) -> str | None:
        if self.lp is None and self.cp_sat is None:
            return None
        return "lp" if self.cp_sat is None or (self.lp is not None and self.lp >= self.cp_sat) else "cp_sat"

    @property
    def gap(self) -> float:
        """(achieved - best bound) / achieved; 0 when the achieved value is 0."""
        if self.achieved <= 1e-9:
            return 0.0
        return max(0.0, (self.achieved - self.best) / self.achieved)


@dataclass
class SolveReport:
    status: str                       # OPTIMAL when every tier was proven optimal, else FEASIBLE
    phases: list[PhaseResult] = field(default_factory=list)
    seconds: float = 0.0
    time_limit_s: float = 0.0
    workers: int = 1
    seed: int = 0
    n_variables: int = 0
    n_constraints: int = 0
    notes: list[str] = field(default_factory=list)  # modelling choices and anything a user must know
    service: list[ServiceBound] = field(default_factory=list)  # service against proven lower bounds

    @property
    def objective(self) -> float:
        return self.phases[0].objective if self.phases else 0.0

    @property
    def best_bound(self) -> float:
        return self.phases[0].best_bound if self.phases else 0.0
