"""`provenum validate-model --isa aarch64`: the A64 model against a real implementation, form by form.

The implementation is this CPU on an aarch64 host, and QEMU (qemu-aarch64,
an independent implementation of the architecture, not hardware) elsewhere;
the table, the summary and the JSON ("executor") say which.
"""
from __future__ import annotations


def run(args) -> int:
    import json
    import random
    import sys
    import time

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from provenum.machine.aarch64 import harness as H
    from provenum.machine.aarch64.validation import count_selected, validate

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
    executor = harness.executor
    what = "this CPU" if executor == "native" else "QEMU (qemu-aarch64, an independent implementation, not hardware)"
    start = time.monotonic()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("validating", total=nforms * args.cases)
            results = validate(args.cases, args.only, seed=seed, harness=harness, keep=max(args.show, 0),
                               progress=lambda form, n: progress.update(task, advance=n, description=escape(form)))
    except H.HarnessError as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    finally:
        harness.close()
    elapsed = time.monotonic() - start

    table = Table(title=f"AArch64 model vs {what} ({args.cases} cases per form, seed {seed})")
    table.add_column("form")
    table.add_column("cases", justify="right")
    table.add_column("mismatches", justify="right")
    for r in results:
        table.add_row(escape(r.form), str(r.cases), f"[red]{r.mismatches}[/]" if r.mismatches else "0")
    console.print(table)
    for r in results:
        for m in r.first[:args.show]:
            print(m.report(), file=sys.stdout)
    total = sum(r.cases for r in results)
    bad = sum(r.mismatches for r in results)
    bad_forms = sum(1 for r in results if r.mismatches)
    summary = (f"{len(results)} forms, {total} cases, {bad} mismatches ({bad_forms} forms) "
               f"in {elapsed:.1f} s, executor {executor}")
    console.print(f"[{'red' if bad else 'green'}]{summary}[/]")
    if args.json:
        doc = {"isa": "aarch64", "executor": executor, "forms": [r.as_dict() for r in results],
               "cases_per_form": args.cases, "seed": seed, "total_cases": total, "total_mismatches": bad,
               "seconds": round(elapsed, 2)}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 1 if bad else 0
