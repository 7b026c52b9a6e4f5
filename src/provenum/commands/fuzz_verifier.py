"""`provenum fuzz-verifier`: random programs and specs; every "proved" must survive running it."""
from __future__ import annotations

NAME = "fuzz-verifier"
HELP = "soundness fuzzing: random short programs, true and subtly false; every proof checked natively and in the model"


def add_arguments(parser) -> None:
    parser.add_argument("--seconds", type=float, default=60.0, metavar="N", help="time budget (default 60)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    parser.add_argument("--programs", type=int, metavar="P", help="stop after P programs (default: the budget)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="fuzz on N processes")
    parser.add_argument("--json", metavar="PATH", help="write the counts (and any failure) as JSON")


def run(args) -> int:
    import json
    import sys

    from rich.console import Console

    from provenum.verify.fuzz import run as fuzz

    console = Console() if sys.stdout.isatty() else Console(width=160)
    if args.seconds <= 0 or args.jobs < 1 or (args.programs is not None and args.programs < 1):
        console.print("[red]error:[/red] --seconds, --jobs and --programs must be positive")
        return 2

    def progress(report):
        if sys.stdout.isatty():
            console.print(f"  {report.programs} programs, {report.proved} proved, "
                          f"{len(report.proved_but_wrong)} proved but wrong", end="\r")

    report = fuzz(args.seconds, args.seed, args.jobs, args.programs, progress=progress)
    for o in report.proved_but_wrong[:5]:
        console.print(f"[red]PROVED BUT WRONG[/red] {o.name} ({', '.join(o.variants)}): {o.wrong}")
        console.print(o.text)
    d = report.as_dict()
    console.print(f"seed {args.seed}: {d['programs']} programs in {d['seconds']:.0f} s: {d['proved']} proved, "
                  f"{d['proved_but_wrong']} proved but wrong; not proved: {d['rejected_wrong']} wrong (rejected), "
                  f"{d['rejected_decode']} refused by the decoder, {d['not_proved_right']} with no fault found "
                  f"(incompleteness)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(d, f, indent=2)
    return 1 if report.proved_but_wrong else 0
