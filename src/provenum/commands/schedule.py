"""provenum schedule: solve the AArch64 kernels' instruction order for Neoverse N1 (CP-SAT) and
commit the fastest order into the generated files."""
from __future__ import annotations

from ._common import CLIError

NAME = "schedule"
HELP = ("reorder the AArch64 kernels for Neoverse N1 by constraint solving (OR-Tools CP-SAT, "
        "pip install provenum[schedule]); a file keeps the solver's order only where llvm-mca "
        "measures it faster than the list schedule")


def add_arguments(parser) -> None:
    parser.add_argument("--only", default="", help="only kernels whose name contains this text")
    parser.add_argument("--level", choices=("scalar", "neon"), default=None,
                        help="only this level's variants (default both)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="solver time budget per kernel (default 60; one CP-SAT worker)")
    parser.add_argument("--seed", type=int, default=0, help="the solver's random seed")
    parser.add_argument("--dry-run", action="store_true", help="measure, write nothing")


def run(args) -> int:
    try:
        import ortools  # noqa: F401
    except ImportError:
        raise CLIError("provenum schedule needs OR-Tools: pip install 'provenum[schedule]'") from None
    if args.seconds <= 0:
        raise CLIError("--seconds must be positive")
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
