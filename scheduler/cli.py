"""Command line (SPEC section 8). Parses arguments, calls the library, prints; nothing else.

Exit codes: 0 ok, 1 infeasible or a rule broken, 2 bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from scheduler.errors import InfeasibleError, InputError, Problem, Stopped


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
    # so does the demand a repair planned a surge under (high-load hours follow it)
    from scheduler.workbook import read_demand

    scenario = read_demand(Path(args.roster), scenario)
    violations = check_rows(scenario, rows)
    if not violations:
        print(f"{args.roster}: {len(rows)} assignment rows, no rule broken.")
        return 0
    print(f"{args.roster}: {len(violations)} broken rule{'s' if len(violations) != 1 else ''}:")
    for v in violations:
        print(f"  [{v.rule}] {v.message}")
    return 1


def cmd_repair(args: argparse.Namespace) -> int:
    from scheduler.lazyimport import import_cp_model

    import_cp_model()  # a repair never uses pandas: OR-Tools' import of it is deferred (0.27 s)
    from scheduler.repair import repair_workbook

    roster = Path(args.roster)
    out = Path(args.out) if args.out else roster.with_name(roster.stem + "_repaired.xlsx")
    result = repair_workbook(roster, Path(args.scenario), out, absent=args.absent, start=args.start, end=args.end,
                             absences_file=Path(args.absences) if args.absences else None,
                             scale=args.scale, queue=args.queue, demand_file=Path(args.demand) if args.demand else None,
                             max_calls=args.max_calls,
                             time_limit_s=args.time_limit, workers=args.workers, seed=args.seed, lang=args.lang,
                             progress=not args.quiet, full=args.full)
    print(result.summary_text())
    return 0


def cmd_hire(args: argparse.Namespace) -> int:
    from scheduler.hire import hire_workbook

    out = Path(args.out) if args.out else _default_out("hires.xlsx")
    result, files = hire_workbook(Path(args.scenario), out, template=_template(args),
                                  target_pct=args.target_shortage, max_hires=args.max, time_limit_s=args.time_limit,
                                  workers=args.workers, seed=args.seed, lang=args.lang, progress=not args.quiet)
    print(result.summary_text())
    for f in files:
        print(f"  wrote {f}")
    return 0


def _template(args: argparse.Namespace):
    from scheduler.hire import HireTemplate

    shifts = None if args.shifts is None else tuple(c.strip() for c in args.shifts.split(",") if c.strip())
    return HireTemplate(args.kind, args.efficiency, shifts)


def cmd_whatif(args: argparse.Namespace) -> int:
    from scheduler.whatif import parse_scales, parse_sets, run_whatif

    problems = []
    scales: list[float] = []
    sets: list[tuple[str, list[Any]]] = []
    try:
        scales = parse_scales(args.scale)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        sets = parse_sets(args.set)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    out = Path(args.out) if args.out else _default_out("whatif.xlsx")
    hire = ({"template": _template(args), "target_pct": args.target_shortage, "max_hires": args.max}
            if args.hire else None)
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if not args.quiet else (lambda m: None)
    run = run_whatif(args.scenarios, scales=scales, sets=sets, out=out, hire=hire, address=args.address,
                     workers_per_task=args.workers_per_task, time_limit_s=args.time_limit, seed=args.seed,
                     lang=args.lang, use_ray=False if args.no_ray else None, say=say)
    print(run.summary_text())
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
    r.add_argument("--from", dest="start", type=_datetime,
                   help="when the absence or the new demand starts, e.g. '2026-11-11 07:40'")
    r.add_argument("--to", dest="end", type=_datetime,
                   help="when it ends (default: the absence to the end of the horizon, --scale to the end of that day)")
    r.add_argument("--absences", help="absences.csv with employee_id,start,end,reason")
    r.add_argument("--scale", type=float, help="demand from --from to --to (default: the end of that day) times F, "
                                               "e.g. 1.3 for a 30 %% surge")
    r.add_argument("--queue", help="with --scale: only this queue's demand (default: every queue)")
    r.add_argument("--demand", help="demand.csv-style file whose contacts replace the forecast from --from on "
                                    "(to --to when given; a missing row means zero)")
    r.add_argument("--max-calls", type=int, help="change at most K agents' plans; the run says what remains lost")
    r.add_argument("--out", help="workbook to write (default: <roster>_repaired.xlsx)")
    r.add_argument("--full", action="store_true",
                   help="re-decide every plan after the moment, not only the absent agents' neighbourhood")
    solver_flags(r)
    r.set_defaults(func=cmd_repair)

    def hire_flags(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--kind", choices=["flex", "regular"], default="flex", help="staff kind of a hire")
        sp.add_argument("--efficiency", type=float, default=0.7, help="a hire's efficiency (default 0.7)")
        sp.add_argument("--shifts", metavar="CODES", help="shift codes a hire may work, e.g. E,P (default: every "
                                                           "shift of that kind)")
        sp.add_argument("--target-shortage", type=float, default=2.0,
                        help="shortage allowed, in %% of the required agent-hours (default 2)")
        sp.add_argument("--max", type=int, default=None, help="most hires to consider (default: as many as the staff, "
                                                              "at least 10)")

    h = sub.add_parser("hire", help="the fewest temporary staff that bring overflow to its least and shortage "
                                    "under a target")
    h.add_argument("scenario")
    h.add_argument("--out", help="workbook to write (default: outputs/hires.xlsx); staff_with_hires.csv goes beside it")
    hire_flags(h)
    solver_flags(h)
    h.set_defaults(func=cmd_hire)

    w = sub.add_parser("whatif", help="solve variants (folders x --scale x --set) side by side, on Ray when installed")
    w.add_argument("scenarios", nargs="+", metavar="SCENARIO_DIR", help="one or more scenario folders (shops)")
    w.add_argument("--scale", help="demand factors, e.g. 0.8,1.0,1.2 (default 1.0)")
    w.add_argument("--set", action="append", metavar="KEY=V1,V2",
                   help="values of a scenario.toml key, e.g. rules.max_continuous_high_load_hours=1,2 (repeatable)")
    w.add_argument("--hire", action="store_true", help="find each variant's hires (see `scheduler hire`)")
    w.add_argument("--address", help="an existing Ray cluster, e.g. 10.0.0.5:6379 (default: a local Ray)")
    w.add_argument("--workers-per-task", type=int, default=1, help="CP-SAT workers (and CPUs) per variant")
    w.add_argument("--no-ray", action="store_true", help="run the variants one by one in this process")
    w.add_argument("--out", help="Compare workbook (default: outputs/whatif.xlsx); variants in <stem>_variants/")
    hire_flags(w)
    w.add_argument("--time-limit", type=float, default=None, help="seconds per variant (default: scenario [solver])")
    w.add_argument("--seed", type=int, default=None, help="random seed (default: scenario [solver])")
    w.add_argument("--lang", choices=["zh", "en"], default="en", help="workbook labels")
    w.add_argument("--quiet", action="store_true", help="no progress lines")
    w.set_defaults(func=cmd_whatif)

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
    if args.command == "repair" and not (args.absences or (args.absent and args.start)
                                         or ((args.scale is not None or args.demand) and args.start)):
        print("scheduler repair: give --absent ID --from DATETIME, --absences FILE, or new demand with "
              "--scale F --from DATETIME or --demand FILE --from DATETIME", file=sys.stderr)
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
    except KeyboardInterrupt as exc:
        print(exc.written if isinstance(exc, Stopped) else "Stopped; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
