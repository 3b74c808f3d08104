"""What a solve reports besides the roster: status, objective, bound, gap, per priority tier."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PhaseResult:
    """One lexicographic tier of the objective (SPEC section 4), in the tier's own units."""

    name: str          # e.g. "overflow", "shortage", "flex hours", "comfort"
    unit: str          # e.g. "customer-hours", "agent-hours"
    status: str        # CP-SAT status name: OPTIMAL, FEASIBLE, ...
    objective: float
    best_bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """Relative gap (objective - bound) / objective; 0 when optimal or both are 0."""
        if self.objective <= 1e-9:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))


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

    @property
    def objective(self) -> float:
        return self.phases[0].objective if self.phases else 0.0

    @property
    def best_bound(self) -> float:
        return self.phases[0].best_bound if self.phases else 0.0
