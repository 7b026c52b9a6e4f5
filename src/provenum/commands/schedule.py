"""provenum schedule: solve the kernels' instruction order by constraint solving (CP-SAT) and commit
the fastest order into the generated files: AArch64 for Neoverse N1 (scored by llvm-mca), x86-64 for
a core's model (kept only where it measures faster on this CPU)."""
from __future__ import annotations

from ._common import CLIError

NAME = "schedule"
HELP = ("reorder the kernels by constraint solving (OR-Tools CP-SAT, pip install provenum[schedule]): "
        "AArch64 for Neoverse N1, kept where llvm-mca measures it faster than the list schedule; "
        "--isa x86_64 for a core's model (--core), kept where it measures faster on this CPU")


def add_arguments(parser) -> None:
    parser.add_argument("--isa", choices=("aarch64", "x86_64"), default="aarch64",
                        help="the kernels to schedule (default aarch64)")
    parser.add_argument("--core", choices=("golden-cove", "zen3"), default="golden-cove",
                        help="x86_64: the core whose model the solver uses (default golden-cove); an order is "
                             "written only for the core this CPU is")
    parser.add_argument("--only", default="", help="only kernels whose name contains this text")
    parser.add_argument("--level", choices=("scalar", "neon"), default=None,
                        help="aarch64: only this level's variants (default both)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="solver time budget per kernel (default 60; one CP-SAT worker)")
    parser.add_argument("--seed", type=int, default=0, help="the solver's random seed")
    parser.add_argument("--repeats", type=int, default=51,
                        help="x86_64: timed runs per order in each of 5 interleaved rounds (default 51)")
    parser.add_argument("--dry-run", action="store_true", help="measure, write nothing")


def run(args) -> int:
    try:
        import ortools  # noqa: F401
    except ImportError:
        raise CLIError("provenum schedule needs OR-Tools: pip install 'provenum[schedule]'") from None
    if args.seconds <= 0:
        raise CLIError("--seconds must be positive")
    if args.isa == "x86_64":
        return run_x86(args)
    from provenum.kernels import catalog_of
    from provenum.kernels.aarch64.reschedule import reschedule

    chosen = [k for k in catalog_of("aarch64") if args.only in k.name and args.level in (None, k.level)]
    if not chosen:
        raise CLIError(f"no AArch64 kernel matches {args.only!r}")
    print(f"{'kernel':<34} {'generator':>10} {'list':>10} {'CP-SAT':>10} {'ships':>10}  {'kept':<9} seconds")
    for k in chosen:
        if not k.function.scheduled:
            continue
        o = reschedule(k, args.seconds, args.seed, write=not args.dry_run)
        solved = f"{o.solved_cycles:10,.1f}" if o.solved_cycles is not None else f"{'-':>10}"
        print(f"{o.name:<34} {o.generator_cycles:10,.1f} {o.list_cycles:10,.1f} {solved} "
              f"{o.shipped_cycles:10,.1f}  {o.kept:<9} {o.seconds:.0f}", flush=True)
    if not args.dry_run:
        print("written; rebuild with pip install -e . (the cross-built library follows the files)")
    return 0


def run_x86(args) -> int:
    from provenum.kernels import catalog_of
    from provenum.kernels.x86_64.reschedule import host_core, reschedule
    from provenum.native import dispatch

    if args.repeats < 1:
        raise CLIError("--repeats must be >= 1")
    if args.level is not None:
        raise CLIError("--level is AArch64's; x86_64 kernels are chosen with --only")
    chosen = [k for k in catalog_of("x86_64") if args.only in k.name]
    if not chosen:
        raise CLIError(f"no x86-64 kernel matches {args.only!r}")
    runnable = [k for k in chosen if dispatch.can_run(k.level)]
    here = host_core()
    if here != args.core:
        print(f"this CPU ({dispatch.cpu().microarchitecture}) is not {args.core}: the model's figures only, "
              "nothing measured or written")
    print(f"{'kernel':<34} {'model':>8} {'CP-SAT':>8} {'list':>8} {'generator':>15} {'committed':>15} "
          f"{'solver':>15} {'list':>15}  {'kept':<9} solve s  measure s   (TSC ticks median / minimum)")
    for k in runnable:
        o = reschedule(k, args.core, args.seconds, args.seed, args.repeats, write=not args.dry_run)
        t = {lbl: f"{m:,.1f} / {n:,.0f}" for lbl, (m, n) in o.ticks.items()}
        solved, listed = (f"{m:8,}" if m is not None else f"{'-':>8}" for m in (o.solved_model, o.list_model))
        print(f"{o.name:<34} {o.generator_model:8,} {solved} {listed} {t.get('generator', '-'):>15} "
              f"{t.get('committed', '-'):>15} {t.get('solver', '-'):>15} {t.get('list', '-'):>15}  {o.kept:<9} "
              f"{o.solve_seconds:7.0f} "
              f"{o.measure_seconds:10.0f}", flush=True)
        if o.rounds:
            print("    round medians: " + "; ".join(f"{lbl} " + " ".join(f"{m:,.1f}" for m in ms)
                                                   for lbl, ms in o.rounds.items()), flush=True)
    if not args.dry_run and here == args.core:
        print("written; rebuild with pip install -e ., and prove with provenum verify")
    return 0
