"""provenum validate-model: compare the x86-64 model with this CPU, form by form
(--isa aarch64: the AArch64 model, see commands/_validate_aarch64.py)."""
from __future__ import annotations

NAME = "validate-model"
HELP = "run every supported instruction form natively and in the model, and compare"


def add_arguments(parser) -> None:
    parser.add_argument("--isa", choices=("x86_64", "aarch64"), default="x86_64",
                        help="which model: x86_64 (against this CPU, default) or aarch64 (natively on an "
                             "aarch64 host, under qemu-aarch64 elsewhere)")
    parser.add_argument("--cases", type=int, default=100, metavar="N", help="random cases per form (default 100)")
    parser.add_argument("--only", metavar="MNEMONIC",
                        help="only these mnemonics (comma-separated) or one exact form, e.g. 'adcx r64, r64'")
    parser.add_argument("--json", metavar="PATH", help="write the per-form results as JSON")
    parser.add_argument("--seed", type=int, help="random seed (default: fresh)")
    parser.add_argument("--show", type=int, default=1, metavar="K", help="mismatching cases to print per form (default 1)")


def run(args) -> int:
    import json
    import random
    import sys
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from provenum.machine import harness as H
    from provenum.machine.validation import count_selected, validate

    if getattr(args, "isa", "x86_64") == "aarch64":
        from ._validate_aarch64 import run as run_aarch64
        return run_aarch64(args)
    console = Console()
    if args.cases < 1:
        console.print("[red]error:[/] --cases must be at least 1")
        return 2
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    try:
        harness = H.Harness()
        nforms = count_selected(args.only, harness)
        if nforms == 0:
            raise ValueError(f"no supported instruction form matches {args.only!r}")
    except (H.HarnessError, ValueError) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    start = time.monotonic()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("validating", total=nforms * args.cases)
        results = validate(args.cases, args.only, seed=seed, harness=harness, keep=max(args.show, 0),
                           progress=lambda form, n: progress.update(task, advance=n, description=form))
    elapsed = time.monotonic() - start

    table = Table(title=f"x86-64 model vs this CPU ({args.cases} cases per form, seed {seed}; "
                        f"{harness.vectors.name} vector state)")
    table.add_column("form")
    table.add_column("cases", justify="right")
    table.add_column("mismatches", justify="right")
    for r in results:
        if r.skipped:
            table.add_row(r.form, "-", f"[yellow]not run: {r.skipped}[/]")
            continue
        note = f" ({len(r.not_run)} of {len(r.examples)} examples not run)" if r.not_run else ""
        table.add_row(r.form, str(r.cases), (f"[red]{r.mismatches}[/]" if r.mismatches else "0") + note)
    console.print(table)
    for r in results:
        for m in r.first[:args.show]:
            print(m.report(), file=sys.stdout)
    total = sum(r.cases for r in results)
    bad = sum(r.mismatches for r in results)
    bad_forms = sum(1 for r in results if r.mismatches)
    skipped = [r for r in results if r.skipped]
    ran = len(results) - len(skipped)
    summary = (f"{ran} forms, {total} cases, {bad} mismatches ({bad_forms} forms) in {elapsed:.1f} s"
               + (f"; {len(skipped)} forms not run on this CPU" if skipped else ""))
    console.print(f"[{'red' if bad else 'green'}]{summary}[/]")
    if not ran:
        console.print("[red]error:[/] no selected form can run on this CPU")
    if args.json:
        doc = {"forms": [r.as_dict() for r in results], "cases_per_form": args.cases, "seed": seed,
               "total_cases": total, "total_mismatches": bad, "forms_run": ran, "forms_not_run": len(skipped),
               "vector_state": harness.vectors.name, "features": sorted(harness.features),
               "seconds": round(elapsed, 2)}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 1 if bad or not ran else 0
