"""The hard rules of SPEC section 3, one module each, listed in SPEC order in `HARD_RULES`.

A rule (`scheduler.rules.base.Rule`) owns its constraints in the roster model, the values of
their helper variables, its test in the greedy first roster and its part of the LP bound. To add
a rule: write its module here, put it in `HARD_RULES`, and teach the checker
(`scheduler.check`, an independent reading of SPEC) to find it broken. A model can also be
built with extra rules: `RosterModel(..., extra_rules=[MyRule()])`.
"""

from scheduler.rules.base import GreedyCheck, Rule
from scheduler.rules.consecutive_days import MaxConsecutiveDays
from scheduler.rules.leads import LeadsOnDuty
from scheduler.rules.locks import LocksKept
from scheduler.rules.night_shifts import MaxNightShifts
from scheduler.rules.one_shift_per_date import OneShiftPerDate
from scheduler.rules.rest import RestBetweenShifts
from scheduler.rules.run_lengths import RunLengths
from scheduler.rules.shaping import KindsNightsAbsences, MandatoryMoves
from scheduler.rules.weekly_hours import MaxHoursPerWeek

HARD_RULES: list[Rule] = [
    OneShiftPerDate(),        # SPEC 3: one shift instance per agent and date
    KindsNightsAbsences(),    # 3.1: shift kinds, night_ok, absences (shape the options)
    RestBetweenShifts(),      # 3.2: min_rest_hours between shifts
    MaxConsecutiveDays(),     # 3.2: max_consecutive_days
    MaxNightShifts(),         # 3.2: max_night_shifts
    MaxHoursPerWeek(),        # 3.2: max_hours_week per 7-day block
    RunLengths(),             # 3.3: continuous and high-load runs (shape the break patterns)
    LeadsOnDuty(),            # 3.4: min_leads_on_duty
    MandatoryMoves(),         # 3.5: moves (shape the options' queues)
    LocksKept(),              # 3.6: locks (with --previous, rules 2-4 read the boundary in their own units)
]

__all__ = ["HARD_RULES", "GreedyCheck", "Rule", "KindsNightsAbsences", "OneShiftPerDate", "RestBetweenShifts",
           "MaxConsecutiveDays", "MaxNightShifts", "MaxHoursPerWeek", "RunLengths", "LeadsOnDuty",
           "MandatoryMoves", "LocksKept"]
