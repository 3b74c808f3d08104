"""Where an LNS search's time goes: reads the lines `SCHEDULER_LNS_DEBUG=1` makes (one per part,
stderr; e.g. from `benchmarks.one_worker`) and prints per tier and phase (the seed: tier n's phases
have 1000 n + 100, + 300 and, borrowing later tiers' time (`far_share`), + 400; the first tier's
mending of the LP's roster 1000 n + 50) the parts, the seconds charged (deterministic with one
worker, wall with several), the value before and after and its curve by tenths of the time, and per
kind of part (and per kind and CP-SAT status) the parts, the gain, the gain per second and the share
solved to optimality. With `--from S`, only the parts after S seconds of their phase (the late phase of a tier).

    python -m benchmarks.lns_trace trace.txt [--from 30]
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict

LINE = re.compile(r"lns (?P<tier>.+?) s(?P<seed>\d+) (?P<n>\d+) (?P<kind>\S+) size (?P<size>\d+) free (?P<free>\d+) "
                  r"vars \d+ terms \d+ (?P<status>\w+) [\d.]+s value (?P<value>[-\d.,]+) moved \w+ build [\d.]+ "
                  r"wall [\d.]+ dtime (?P<dtime>[\d.]+) charged (?P<charged>[\d.]+) spent (?P<spent>[\d.]+)")


def read(path: str) -> dict[tuple[str, int], list[dict]]:
    phases: dict[tuple[str, int], list[dict]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                g = m.groupdict()
                phases.setdefault((g["tier"], int(g["seed"])), []).append(
                    {"kind": g["kind"], "status": g["status"], "free": int(g["free"]),
                     "value": float(g["value"].replace(",", "")), "charged": float(g["charged"]),
                     "spent": float(g["spent"])})
    return phases


def report(phases: dict[tuple[str, int], list[dict]], since: float = 0.0) -> list[str]:
    out = []
    for (tier, seed), rows in phases.items():
        prev = None
        per: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0.0])
        for r in rows:
            gain = 0.0 if prev is None else max(0.0, prev - r["value"])
            prev = r["value"]
            if r["spent"] < since:
                continue
            for key in ((r["kind"],), (r["kind"], r["status"])):
                a = per[key]
                a[0] += 1
                a[1] += gain
                a[2] += r["charged"]
                a[3] += r["status"] == "OPTIMAL"
                a[4] += r["free"]
        total = rows[-1]["spent"]
        curve = []
        for tenth in range(1, 11):
            at = [r["value"] for r in rows if r["spent"] <= total * tenth / 10]
            curve.append(f"{at[-1]:,.2f}" if at else "-")
        out.append(f"{tier} (seed {seed}): {len(rows)} parts, {total:.1f} s, {rows[0]['value']:,.2f} -> "
                   f"{rows[-1]['value']:,.2f}; by tenths of the time: {' '.join(curve)}")
        for key, (n, gain, s, optimal, free) in sorted(per.items()):
            out.append(f"  {'/'.join(key):18s} parts {n:4.0f}  gain {gain:9.2f}  in {s:6.1f} s  "
                       f"per s {gain / max(s, 1e-9):7.2f}  optimal {optimal / n:4.0%}  "
                       f"mean free options {free / n:6.0f}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trace")
    p.add_argument("--from", dest="since", type=float, default=0.0, help="only parts after this many seconds")
    a = p.parse_args()
    print("\n".join(report(read(a.trace), a.since)))


if __name__ == "__main__":
    main()
