"""Command line (SPEC section 8). Parses arguments, calls the library, prints; nothing else.

Exit codes: 0 ok, 1 infeasible or a rule broken, 2 bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from scheduler.errors import InfeasibleError, InputError, Problem


def demo_folder(name: str = "double11") -> Path:
    """A bundled scenario: data/<name> beside the package in a checkout (and an editable
    install), else the installed package data scheduler/demo_data/<name>."""
    package = Path(__file__).resolve().parent
    beside = package.parent / "data" / name
    return beside if beside.is_dir() else package / "demo_data" / name


def _default_out(name: str) -> Path:
    return Path("outputs") / name


def _print_problems(exc: InputError) -> None:
    print(f"Bad input ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}):", file=sys.stderr)
    for p in exc.problems:
        print(f"  {p}", file=sys.stderr)


def _refuse_overwrite_of_input(out: Path, inputs: list[Path]) -> None:
    for p in inputs:
        if p.exists() and out.exists() and out.resolve() == p.resolve():
            raise InputError([Problem(str(out), "--out is the input file; choose another name so the input is kept")])


def cmd_solve(args: argparse.Namespace) -> int:
    from scheduler.app import solve_scenario

    folder = Path(args.scenario) if args.scenario else demo_folder()
    out = Path(args.out) if args.out else _default_out("roster.xlsx")
    result = solve_scenario(folder, out, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed,
                            lang=args.lang, progress=not args.quiet, log=args.log, bound=not args.no_bound,
                            previous=Path(args.previous) if args.previous else None)
    print(result.summary_text())
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from scheduler.forecast import derive_demand, write_demand_csv
    from scheduler.scenario import load_config

    folder = Path(args.scenario)
    config = load_config(folder / "scenario.toml")
    if config.forecast is None:
        raise InputError([Problem("scenario.toml", "has no [forecast] table: nothing to derive demand from")])
    demand, steps = derive_demand(config)
    out = Path(args.out) if args.out else _default_out(f"{config.name}_demand.csv")
    _refuse_overwrite_of_input(out, [folder / "demand.csv"])
    out.parent.mkdir(parents=True, exist_ok=True)
    write_demand_csv(out, config, demand)
    for label, value in steps:
        print(f"  {label}: {value:,.1f}" if isinstance(value, (int, float)) else f"  {label}: {value}")
    print(f"Wrote {out} ({sum(len(v) for v in demand.values())} rows): edit it and save it as demand.csv in the "
          f"scenario folder to use it instead of the plan.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from scheduler.check import check_rows
    from scheduler.inputs import load_inputs
    from scheduler.scenario import with_absences
    from scheduler.workbook import read_absences, read_assignments

    scenario = load_inputs(args.scenario, previous=args.previous)
    rows = read_assignments(Path(args.roster))
    # sick calls a repair applied travel in the workbook; a cut-short shift is legal with them
    scenario = with_absences(scenario, read_absences(Path(args.roster)))
    violations = check_rows(scenario, rows)
    if not violations:
        print(f"{args.roster}: {len(rows)} assignment rows, no rule broken.")
        return 0
    print(f"{args.roster}: {len(violations)} broken rule{'s' if len(violations) != 1 else ''}:")
    for v in violations:
        print(f"  [{v.rule}] {v.message}")
    return 1


def cmd_repair(args: argparse.Namespace) -> int:
    from scheduler.repair import repair_workbook

    roster = Path(args.roster)
    out = Path(args.out) if args.out else roster.with_name(roster.stem + "_repaired.xlsx")
    result = repair_workbook(roster, Path(args.scenario), out, absent=args.absent, start=args.start, end=args.end,
                             absences_file=Path(args.absences) if args.absences else None,
                             time_limit_s=args.time_limit, workers=args.workers, seed=args.seed, lang=args.lang,
                             progress=not args.quiet, full=args.full)
    print(result.summary_text())
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from scheduler.scenario.template import init_folder

    folder = Path(args.folder)
    files = init_folder(folder)
    print(f"Wrote a scenario to fill in: {folder}")
    for f in files:
        print(f"  {f.name}")
    print("Next: fill in staff.xlsx (overwrite the example row E001), put your forecast in demand.csv or "
          "fill in [forecast] in scenario.toml, check the rules there, then run:\n"
          f"  scheduler solve {folder}")
    return 0


def _datetime(text: str) -> dt.datetime:
    from scheduler.scenario import parse_datetime

    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scheduler", description="Customer-service roster optimizer for mega-sales.")
    sub = p.add_subparsers(dest="command", required=True)

    def solver_flags(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--time-limit", type=float, default=None, help="seconds (default: scenario [solver])")
        sp.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: scenario [solver])")
        sp.add_argument("--seed", type=int, default=None, help="random seed (default: scenario [solver])")
        sp.add_argument("--lang", choices=["zh", "en"], default="en", help="workbook labels")
        sp.add_argument("--quiet", action="store_true", help="no progress lines")

    s = sub.add_parser("solve", help="build a roster for a scenario folder (default: the bundled demo)")
    s.add_argument("scenario", nargs="?", help="scenario folder (default: the bundled Double 11 demo)")
    s.add_argument("--out", help="workbook to write (default: outputs/roster.xlsx)")
    s.add_argument("--previous", help="the previous roster's workbook: its shifts are fixed history (rest, "
                                      "consecutive days, a night running past the start)")
    s.add_argument("--log", action="store_true", help="show CP-SAT's own search log")
    s.add_argument("--no-bound", action="store_true", help="skip the LP lower bound in the Summary")
    solver_flags(s)
    s.set_defaults(func=cmd_solve)

    f = sub.add_parser("forecast", help="derive demand.csv from the [forecast] business plan")
    f.add_argument("scenario")
    f.add_argument("--out", help="CSV to write (default: outputs/<name>_demand.csv)")
    f.set_defaults(func=cmd_forecast)

    r = sub.add_parser("repair", help="re-solve a published roster after absences, changing as few plans as possible")
    r.add_argument("roster", help="the published roster workbook (.xlsx)")
    r.add_argument("--scenario", required=True)
    r.add_argument("--absent", help="employee_id of the absent agent")
    r.add_argument("--from", dest="start", type=_datetime, help="when the absence starts, e.g. '2026-11-11 07:40'")
    r.add_argument("--to", dest="end", type=_datetime, help="when it ends (default: end of the horizon)")
    r.add_argument("--absences", help="absences.csv with employee_id,start,end,reason")
    r.add_argument("--out", help="workbook to write (default: <roster>_repaired.xlsx)")
    r.add_argument("--full", action="store_true",
                   help="re-decide every plan after the moment, not only the absent agents' neighbourhood")
    solver_flags(r)
    r.set_defaults(func=cmd_repair)

    c = sub.add_parser("check", help="list every broken rule of a roster workbook (e.g. edited by hand)")
    c.add_argument("roster")
    c.add_argument("--scenario", required=True)
    c.add_argument("--previous", help="the previous roster's workbook: rules hold across the boundary")
    c.set_defaults(func=cmd_check)

    i = sub.add_parser("init", help="write a new scenario folder to fill in (scenario.toml, staff.xlsx, ...)")
    i.add_argument("folder", help="the folder to create (it must not exist, or be empty)")
    i.set_defaults(func=cmd_init)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "repair" and not args.absences and not (args.absent and args.start):
        print("scheduler repair: give --absent ID --from DATETIME, or --absences FILE", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except InputError as exc:
        _print_problems(exc)
        return 2
    except InfeasibleError as exc:
        print("No roster satisfies the rules:", file=sys.stderr)
        for r in exc.reasons:
            print(f"  - {r}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
