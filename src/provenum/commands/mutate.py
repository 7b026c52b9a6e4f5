"""`provenum mutate`: check the verifier kills every wrong mutant of the proved kernels."""
from __future__ import annotations

NAME = "mutate"
HELP = "mutation-test the verifier: wrong mutants of proved kernels must fail verification"


def add_arguments(parser) -> None:
    parser.add_argument("kernels", nargs="*", help="kernels to mutate (default: small sizes of each proved family)")
    parser.add_argument("--count", type=int, default=300, help="number of mutants (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tests", type=int, default=200, help="concrete test inputs per mutant")
    parser.add_argument("--json", metavar="PATH", help="write the counts (and every mutant) as JSON")


def run(args) -> int:
    import json
    import sys

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from provenum.verify.mutate import DEFAULT_KERNELS, run_mutants, summary
    from provenum.verify.specs import specs_for

    console = Console() if sys.stdout.isatty() else Console(width=160)
    kernels = tuple(args.kernels) or DEFAULT_KERNELS
    bad = [k for k in kernels if not specs_for(k)]
    if bad or args.count < 1:
        console.print(f"[red]error:[/red] {'no spec for ' + ', '.join(bad) if bad else '--count must be >= 1'}")
        return 2
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("mutants", total=args.count)
        mutants = run_mutants(kernels, args.count, args.seed, args.tests,
                              lambda m: progress.update(task, advance=1))
    s = summary(mutants)
    for m in mutants:
        if m.wrong and m.proved:
            console.print(f"[red]PROVED BUT WRONG[/red] {m.kernel} #{m.index} {m.operator}: "
                          f"{m.before!r} -> {m.after!r}: {m.why}")
    console.print(f"mutants {s['mutants']} ({s['in_callees']} in a callee), wrong {s['wrong']}, killed {s['killed']}, "
                  f"equivalent {s['equivalent']} ({s['equivalent_proved']} proved), "
                  f"proved but wrong {s['proved_but_wrong']}; kill rate {100 * s['kill_rate']:.1f}%; "
                  f"{s['classified_by_model_only']} classified by the model alone (this CPU cannot run them)")
    if args.json:
        doc = dict(s)
        doc["kernels"] = list(kernels)
        doc["details"] = [{"kernel": m.kernel, "target": m.target, "operator": m.operator, "line": m.line,
                           "before": m.before, "after": m.after, "wrong": m.wrong, "why": m.why,
                           "natively": m.natively, "proved": m.proved, "failure": m.failure[:300]} for m in mutants]
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
    return 0 if s["proved_but_wrong"] == 0 else 1
