"""`benchmarks.one_worker` with extra break patterns in the model (issue 15 item 1, an experiment):

    python -m benchmarks.with_patterns PATTERNS.pkl CASE SECONDS [name=value ...] [seed=N]

PATTERNS.pkl: (agents, instance, queue, worked slots) tuples, as `benchmarks.redeal_ceiling ...
weeks patterns OUT.pkl` writes them (the patterns the all-maximal-pattern LP uses and the model
lacks); each agent listed gets that option where the model offers it that shift and queue but not
that pattern, through the model's priced patterns (`exactness.short_patterns`, wrapped here, so a
deferred build adds them as it adds priced ones). Prints what `benchmarks.one_worker` prints."""

from __future__ import annotations

import pickle
import sys

import scheduler.exactness as exactness
import scheduler.model as model
from benchmarks.one_worker import main as one_worker


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        extra = pickle.load(f)
    priced = exactness.short_patterns

    def short_patterns(rm):
        out = list(priced(rm))
        have = set(out)
        for agents, i, q, worked in extra:
            for a in agents:
                opts = [o for o in rm.by_agent_inst.get((a, i), []) if o.fixed is None and o.queue == q]
                if opts and all(o.worked != worked for o in opts) and (a, i, q, worked) not in have:
                    have.add((a, i, q, worked))
                    out.append((a, i, q, worked))
        return out

    model.short_patterns = short_patterns
    return one_worker(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
