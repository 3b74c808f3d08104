"""The search's tuning parameters in one typed, validated set (`SolveParams`).

What each one does is said here; why it has its value (the runs that chose it) is in
`benchmarks/README.md`, section "Tuning parameters".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from scheduler.objective import TierId


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class SolveParams:
    """Tuning of `scheduler.solve` and `scheduler.lns`. Times are seconds (deterministic seconds
    with one worker); shares are fractions of a tier's time."""

    # -- tiers: time and order
    # share of the time limit each tier may use (renormalised over the tiers present)
    time_share: Mapping[TierId, float] = field(default_factory=lambda: _frozen({
        TierId.OVERFLOW: 0.25, TierId.SHORTAGE: 0.60, TierId.CHANGED_AGENTS: 0.25, TierId.CHANGED_SHIFTS: 0.10,
        TierId.FLEX_HOURS: 0.10, TierId.DECLINED_REQUESTS: 0.10, TierId.REGULAR_HOURS: 0.10,
        TierId.COMFORT: 0.10,
        # repair only (a repair's shares are repair_time_share; these for a model built by hand)
        TierId.LOST_OVERFLOW: 0.25, TierId.LOST_SHORTAGE: 0.40, TierId.CHANGED_REGULARS: 0.05}))
    # a repair (SPEC 6): the service the event cost and the calls take the time; once the calls
    # are capped, few rosters remain and the later tiers are quick
    repair_time_share: Mapping[TierId, float] = field(default_factory=lambda: _frozen({
        TierId.LOST_OVERFLOW: 0.25, TierId.LOST_SHORTAGE: 0.45, TierId.CHANGED_AGENTS: 0.15,
        TierId.CHANGED_REGULARS: 0.02, TierId.CHANGED_SHIFTS: 0.05, TierId.OVERFLOW: 0.02, TierId.SHORTAGE: 0.02,
        TierId.FLEX_HOURS: 0.02, TierId.DECLINED_REQUESTS: 0.02, TierId.REGULAR_HOURS: 0.02,
        TierId.COMFORT: 0.02}))
    default_share: float = 0.1  # a tier missing from time_share
    # models whose longest shift has at least fine_late_min_slots_per_shift slots (15-minute
    # slots, or 8-hour shifts at 30 minutes): each tier after the service tiers (costs, comfort)
    # gets at most this share (the smaller of this and its own), since the shortage there ends far
    # above its bound and still falling (issue 15; 0 would leave them LNS's least time only).
    # 16 (was break_min_slots_per_shift, 24), with chain parts at 16: the night case, one worker,
    # 120 s, seeds 0/1/2 319.18 -> 315.41 on average, neither alone gains (benchmarks/README.md,
    # "Chain parts with their own threshold at 30 minutes")
    fine_late_share: float = 0.03
    fine_late_min_slots_per_shift: int = 16
    # the tier whose ties a tier breaks by the next one, with an exact lexicographic weight
    # (not overflow -> shortage: it traded overflow for shortage)
    tie_break: Mapping[TierId, TierId] = field(default_factory=lambda: _frozen({
        TierId.SHORTAGE: TierId.CHANGED_SHIFTS}))
    # a repair's lost service is searched with the calls, then the changed shifts, as exact
    # tie-breaks (one chain, weights exact in doubles or the first alone), and the calls with the
    # regulars among them, then the changed shifts
    tie_chain: Mapping[TierId, tuple[TierId, ...]] = field(default_factory=lambda: _frozen({
        TierId.LOST_OVERFLOW: (TierId.CHANGED_AGENTS, TierId.CHANGED_SHIFTS),
        TierId.LOST_SHORTAGE: (TierId.CHANGED_AGENTS, TierId.CHANGED_SHIFTS),
        TierId.CHANGED_AGENTS: (TierId.CHANGED_REGULARS, TierId.CHANGED_SHIFTS)}))
    # a repair's tiers after the calls (SPEC 6 items 3-4), chained the same way so that few
    # CP-SAT searches (each pays presolve on the whole model) settle them: a proof with exact
    # tie-breaks settles the chained tiers too
    repair_tie_chain: Mapping[TierId, tuple[TierId, ...]] = field(default_factory=lambda: _frozen({
        TierId.OVERFLOW: (TierId.SHORTAGE,),
        TierId.FLEX_HOURS: (TierId.DECLINED_REQUESTS, TierId.REGULAR_HOURS, TierId.COMFORT)}))
    # one worker: a repair's limit counts this many wall seconds per second of CP-SAT's
    # deterministic time (its searches on the whole model), and each tier gets at least
    # repair_min_tier_s of it: a repair answers in about its limit
    repair_dtime_wall: float = 4.0
    repair_min_tier_s: float = 0.1
    # CP-SAT parameters of a repair's searches on the whole model: a repair's model is mostly
    # the kept plans, fixed, which presolve removes in its first pass; each tier's search pays
    # the presolve again, and later passes found nothing more on these models
    repair_params: Mapping[str, Any] = field(default_factory=lambda: _frozen({"max_presolve_iterations": 1}))
    # tiers whose whole-model search keeps CP-SAT's presolve on large models (it finds their bounds)
    service_tiers: frozenset[TierId] = frozenset({TierId.OVERFLOW, TierId.SHORTAGE, TierId.LOST_OVERFLOW,
                                                  TierId.LOST_SHORTAGE, TierId.CHANGED_AGENTS,
                                                  TierId.CHANGED_REGULARS, TierId.CHANGED_SHIFTS})
    large_model: int = 50_000  # variables: above this, other tiers search without presolve

    # -- CP-SAT on the whole model, when LNS follows it
    stall_gain: float = 0.01   # stop once the roster improved by less than this (relative) ...
    stall_share: float = 0.1   # ... in this share of the tier's time (several workers)
    full_share: float = 0.5    # one worker: the share of the tier's time left it may use
    whole_model_max: int = 50_000  # variables: above this, LNS alone searches each tier

    # -- LP-guided search (scheduler.guide)
    lp_start: bool = True          # also build a first roster from the pooled LP's plan; keep the better
    # ... on models of at most this many free shift options (the LP pools identical agents, so it
    # grows with the slots and shifts, not the agents): 400 x 14 x 15 (459k options) gains most
    # from it (benchmarks/README.md, "Where the 15-minute gap sits"); 400 x 14 x 30 builds it, keeps the greedy
    lp_start_max_options: int = 600_000
    # several workers: not when less time than this is left (the LP takes about a second on the
    # demo, several under load: a 10-s run keeps it for the search)
    lp_start_min_s: float = 20.0
    # the LP's first roster when the greedy one is better in the first tier but not after it:
    # the first tier is searched from it first, for up to this share of its budget, until it is
    # as good as the greedy one there (kept only then, tier by tier; 0 = never)
    rival_share: float = 0.2
    # the shortage tier, when its budget is spent and it gained more than far_gain (a share of
    # its value) in the last far_window of its budget: it goes on with up to far_share of the
    # time the later (cost and comfort) tiers would get, while it keeps gaining that much per
    # window (0 = never); benchmarks/README.md, "Where the 60-minute time goes"
    far_share: float = 0.0
    far_window: float = 0.1
    far_gain: float = 0.002
    # LNS parts where the roster differs from the plan (kind "lp"): their prior weight beside
    # kind_weights; 0 = none (100 x 7, 60 s, one worker: 0.25 gave shortage 87.31 against 84.80)
    lp_weight: float = 0.0
    # LNS parts that free only the breaks of many agents' current shifts (kind "breaks",
    # scheduler.breakparts), in service tiers of models with at least `break_min_slots_per_shift`
    # slots per shift: their prior weight beside kind_weights; 0 = none
    break_weight: float = 0.25
    break_min_slots_per_shift: int = 24
    # ... and parts that move whole shifts of many agents (kind "shifts"), each other shift with
    # `shift_patterns` of its patterns: their prior weight
    shift_weight: float = 0.25
    shift_patterns: int = 2
    # ... and parts that move the shifts of many agents over up to chain_days days either side
    # of a short slot, each other shift with `chain_patterns` of its patterns (kind "chain",
    # scheduler.chainparts): their prior weight, in service tiers of models whose longest shift
    # has at least chain_min_slots_per_shift slots (its own threshold: breaks and shifts parts
    # keep break_min_slots_per_shift). 16 (chain parts at 30 minutes too) gained nothing alone on
    # the night case, but with fine_late_share at 30 minutes it gains on three seeds (see
    # fine_late_min_slots_per_shift; benchmarks/README.md, "Chain parts with their own threshold")
    chain_weight: float = 0.25
    chain_min_slots_per_shift: int = 16
    chain_days: int = 3
    chain_patterns: int = 1
    # ... the patterns that `shifts` and `chain` parts offer for a shift an agent does not work
    # now: the ones that work most of what the roster misses (scheduler.fitpatterns), not random;
    # off: no gain shown (benchmarks/README.md, "Where the 15-minute gap sits: shift choice")
    fit_patterns: bool = False
    # LNS parts over the whole horizon of many agents of one pool of interchangeable agents
    # (kind "pool", scheduler.poolparts), each with its current option and `pool_patterns`
    # options of every other shift, in service tiers: their prior weight; 0 = none
    pool_weight: float = 0.0
    pool_patterns: int = 1
    # LNS parts around a short slot that free, in turn, agents who could work it and do not now
    # and part-timers (flex, or fewer weekly hours), over the whole horizon (horizon_days 0) or
    # horizon_days days either side of the slot, each day the option worked now and
    # `horizon_patterns` patterns of every other shift (kind "horizon", scheduler.horizonparts),
    # in service tiers of models whose longest shift has at least horizon_min_slots_per_shift
    # slots: their prior weight; 0 = none. 0.25: 400 x 14 x 15, one worker, seeds 0/1, 80
    # deterministic seconds into the shortage tier 54.87/54.36 -> 53.92/53.38 (benchmarks/README.md,
    # "Parts that pair who could cover the sale night with part-timers")
    horizon_weight: float = 0.25
    horizon_patterns: int = 1
    horizon_days: int = 0
    horizon_min_slots_per_shift: int = 24

    # -- large-neighbourhood search (scheduler.lns)
    lns_min_options: int = 3000    # free shift options: smaller models get CP-SAT on the whole model alone
    # the same for a repair: its neighbourhood (thousands of options) is searched by CP-SAT on the
    # whole model, which proves the fewest calls; LNS only for re-plans this large (--full)
    repair_lns_min_options: int = 20_000
    lns_first_share: float = 0.3   # LNS's share of a tier's time before CP-SAT on the whole model
    # ... but at least this many seconds of it when the tier has them (leaving CP-SAT on the
    # whole model its least time): a short tier's share alone fell below LNS's least time
    lns_first_min_s: float = 1.0
    initial_size: int = 800        # free options in the first part
    # a kind's parts grow by size_grow after a part solved to optimality and shrink by
    # size_shrink after one that ran to its limit: the share of proved parts settles where
    # p * ln(size_grow) = (1 - p) * ln(1 / size_shrink) (1.1 and 0.7: about 0.8; 1.25 and 0.8
    # before: about half, where parts that ran to their limit gained half as much per second):
    # one worker, 120 s, 200 x 14 x 3 queues shortage 645.81 -> 636.74 at the tier's end, 800 x 14
    # 562.53 against 561.76 (benchmarks/README.md, "Part sizes, slot parts and the tie-break's slots")
    size_grow: float = 1.1
    size_shrink: float = 0.7
    sub_limit_s: float = 0.2       # time limit of one part's solve
    max_lanes: int = 4             # parts solved at once, at most (one per worker)
    # CP-SAT parameters of every part's solve: the full LP with cuts, one presolve pass
    sub_params: Mapping[str, Any] = field(default_factory=lambda: _frozen({
        "linearization_level": 2, "max_presolve_iterations": 1}))
    # one worker: what a part is charged (deterministic, so a run repeats exactly): dtime_wall
    # per second of CP-SAT's deterministic time, plus what CP-SAT's clock does not count
    dtime_wall: float = 2.0
    part_overhead_s: float = 0.07
    part_overhead_per_term: float = 2e-7
    # several workers: a part's limit is sub_limit_s of wall time, stretched on a loaded machine
    # so that it still gets at least this much of CP-SAT's deterministic time (lns.PartClock)
    part_min_dtime: float = 0.05
    # how often each kind of part (slot, days, agents) is drawn before the adaptive rates take over
    kind_weights: tuple[float, float, float] = (0.5, 0.25, 0.25)
    warm_up: int = 10          # parts of each kind drawn before drawing by gain per second
    rate_memory: int = 20      # parts in the moving average (or window) of a kind's gain per second
    # a kind's rate is what its last rate_memory parts gained in the seconds they took (a window),
    # instead of a moving average of each part's gain per second: gains fall a hundredfold over a
    # tier, and the average remembered the first parts' (800 x 14's days parts: 0.65 agent-hours
    # in 44 of the shortage tier's last 130 parts, benchmarks/README.md, "Where the 60-minute time goes")
    rate_window: bool = True
    min_share: float = 0.1     # the least share of a kind that is switched on

    # several workers: the shortage tier's first LNS of a plan (not a repair) on an LNS-only
    # model (above whole_model_max variables) of at most apart_max_options free options, when it
    # does not recombine, runs min(apart, workers) searches side by side, each on its own roster
    # (one CP-SAT worker, deterministic until the wall guard cuts it), and keeps the best, instead
    # of lanes that share one roster: on the night case (62k options) two shared lanes solve
    # twice the parts of one worker and end no better (benchmarks/README.md, "Searches apart").
    # Measured with two workers only; 100,000 is a guess above the cases measured (59k and 63k)
    apart: int = 2
    apart_max_options: int = 100_000
    # one worker: the shortage tier's first LNS follows search apart_follow + 1 of those (as the
    # note numbers them; 0: the run's own seed), so from the same roster, and until a wall guard
    # cuts a several-worker run's searches, what they find can be replayed one by one
    apart_follow: int = 0

    # -- whole-schedule recombination (scheduler.recombine): interchangeable agents copy each
    # other's whole schedules, by an integer master over the schedules they work
    # one worker: the share of the shortage tier's time LNS has before it (0: no recombination,
    # with any number of workers); LNS-only models (above whole_model_max variables) only. 0.9:
    # 800 x 14, one worker, 120 s, seeds 0/1 562.54 / 561.17 -> 555.89 / 559.77 (0.5: 565.54 on
    # seed 0, LNS had no time after it); the later tiers get less time (benchmarks/README.md,
    # "Whole-schedule recombination")
    recombine_at: float = 0.9
    # ... only when its classes of interchangeable agents hold this many agents on average: one
    # worker, 120 s, seed 0, it found nothing on 400 x 14 (28 a class; 330.60 either way, later
    # tiers worse), 200 x 14 x 3 queues (11; 636.68 -> 638.43) and the night case (8; 314.28 ->
    # 314.60), and gained on 800 x 14 (57). Fitted on those four cases: a guess beyond them
    recombine_min_class: float = 40.0
    # the master's CP-SAT limit in deterministic seconds, on one CP-SAT worker whatever the run's
    # workers (with several, guarded by the run's wall time left), and what a one-worker run is
    # charged beyond dtime_wall per deterministic second (building the master and its LP, mapping
    # back, checking every constraint)
    recombine_s: float = 20.0
    recombine_overhead_s: float = 3.0
    # several workers: the master runs beside the shortage tier's LNS, in one of its lanes (the
    # others keep solving parts), once this share of the tier's time is gone, instead of after
    # recombine_at; up to recombine_rounds times, a later round only while the tier has at least
    # the time the round before took left (benchmarks/README.md, "The master beside LNS")
    recombine_beside_at: float = 0.25
    recombine_rounds: int = 2
    # the master's columns also from the first roster and the shortage tier's first roster (not
    # only the roster at hand's)
    recombine_pool: bool = False
    recombine_backend: str = "rens"  # how the master is solved (`scheduler.recombine.BACKENDS`)

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                problems.append(f"{f.name} = {v} (expected >= 0)")
        if self.recombine_backend not in ("rens", "cp-sat", "scip", "rens-scip"):
            problems.append(f"recombine_backend = {self.recombine_backend!r} "
                            "(expected rens, cp-sat, scip or rens-scip)")
        for name in ("recombine_at", "recombine_beside_at", "lns_first_share", "full_share", "stall_share",
                     "min_share", "rival_share", "far_share"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"{name} = {getattr(self, name)} (expected a share in [0, 1])")
        if len(self.kind_weights) != 3 or min(self.kind_weights) < 0:
            problems.append(f"kind_weights = {self.kind_weights} (expected three weights >= 0)")
        if any(not isinstance(k, TierId) for k in (*self.time_share, *self.tie_break, *self.tie_break.values(),
                                                      *self.service_tiers, *self.repair_time_share,
                                                      *self.tie_chain, *(t for c in self.tie_chain.values()
                                                                          for t in c),
                                                      *self.repair_tie_chain,
                                                      *(t for c in self.repair_tie_chain.values() for t in c))):
            problems.append("tiers are named by TierId, not by text")
        if self.size_grow < 1 or not 0 < self.size_shrink <= 1:
            problems.append(f"size_grow = {self.size_grow}, size_shrink = {self.size_shrink} "
                            "(expected size_grow >= 1 and 0 < size_shrink <= 1)")
        if self.max_lanes < 1:
            problems.append(f"max_lanes = {self.max_lanes} (expected >= 1)")
        if problems:
            raise ValueError("SolveParams: " + "; ".join(problems))

    def share(self, tier: TierId) -> float:
        """The tier's share of the time limit (before renormalising)."""
        return self.time_share.get(tier, self.default_share)

    def fine_share(self, tier: TierId) -> float:
        """The tier's share of the time limit on a model of long shifts in slots
        (`fine_late_min_slots_per_shift` or more: 15-minute slots, 8-hour shifts at 30 minutes): a
        tier after the service tiers gets at most `fine_late_share`."""
        return self.share(tier) if tier in self.service_tiers else min(self.share(tier), self.fine_late_share)

    def repair_share(self, tier: TierId) -> float:
        """The tier's share of a repair's time limit (before renormalising)."""
        return self.repair_time_share.get(tier, self.default_share)

    def but(self, **changes: Any) -> SolveParams:
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


DEFAULT_PARAMS = SolveParams()
