"""The day bound (scheduler.bound_day) on one scenario folder, with each date's integer program:

    python -m benchmarks.day_bound CASE_DIR SECONDS [cap=C] [dates=2,5] [span=2] [lp=GLOP] [lp_share=0.3] [weeks=0]

cap: the overflow (customer-hours) the shortage bound is for (none: every roster); dates: the
blocks solved, in order, each once (default every one, where the LP point misses most service
first); span: dates per block (default 1); lp: PDLP (default) or GLOP; lp_share: of the time,
for the LP (default 0.5).
Prints the bound, the LP's L at the same duals, and per block its share, SCIP's proven bound and
best whole plan.
"""

from __future__ import annotations

import sys

from scheduler.bound_day import day_bound
from scheduler.scenario import load_scenario


def main(argv: list[str]) -> int:
    folder, seconds = argv[0], float(argv[1])
    opts = dict(a.split("=", 1) for a in argv[2:])
    sc = load_scenario(folder)
    span = int(opts.get("span", 1))
    blocks = [list(range(s, min(sc.config.days, s + span))) for s in range(0, sc.config.days, span)]
    out = day_bound(sc, seconds, overflow_cap=float(opts["cap"]) if "cap" in opts else None,
                    dates=[int(d) for d in opts["dates"].split(",")] if "dates" in opts else None,
                    blocks=blocks if span > 1 else None, lp_solver=opts.get("lp", "PDLP"),
                    weeks=opts.get("weeks", "1") != "0", lp_share=float(opts.get("lp_share", 0.5)))
    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    print(f"day bound {num(out['lb'])}  LP's L at the same duals {num(out['lp_lb'])}  "
          f"week part {out.get('week_gain', 0.0):.3f}  LP {out.get('pdlp')}  {out['seconds']:.0f} s")
    for d in out["days"]:
        print(f"  block {d['block']}: share {d['share']:.3f}, proven {num(d['integer'])}, "
              f"best plan {num(d['incumbent'])}, "
              f"{d['status']}, {d['variables']} variables, {d['rows']} rows, {d['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
