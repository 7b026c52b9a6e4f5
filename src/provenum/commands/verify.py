"""`provenum verify [LIBRARY] [NAMES...]`: prove kernels from the bytes of the built library."""
from __future__ import annotations

NAME = "verify"
HELP = "prove kernels correct (functional, frame, constant-time) from the library's machine code"


def add_arguments(parser) -> None:
    parser.add_argument("targets", nargs="*", metavar="[LIBRARY] NAMES",
                        help="optional path of a shared library, x86-64 or AArch64 as its ELF machine says "
                             "(default: the built one), then function names (default: every function with a spec)")
    parser.add_argument("--json", metavar="PATH", default="verify-report.json",
                        help="write the results as JSON (default verify-report.json; '' to skip)")
    parser.add_argument("--markdown", metavar="PATH", default="verify-report.md",
                        help="write the Markdown report, every obligation and how it was discharged "
                             "(default verify-report.md; '' to skip)")
    parser.add_argument("--isa", choices=("x86_64", "aarch64"), default=None,
                        help="the library to prove when none is named: this machine's built one, or for the other "
                             "ISA the cross-built one (AArch64 on an x86-64 host: the library qemu runs)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="prove on N processes")
    parser.add_argument("--no-counterexamples", action="store_true",
                        help="do not search for inputs that break a failed function")


def _split_targets(targets: list[str], isa: str | None = None):
    import os

    from provenum.isa.elf import elf_machine
    from provenum.toolchain import host_isa

    if targets and (os.sep in targets[0] or targets[0].endswith(".so") or os.path.isfile(targets[0])):
        library, names = targets[0], targets[1:]
    elif isa is None or isa == host_isa():
        from provenum.native import library_path

        library, names = library_path(), targets
    elif isa == "aarch64":
        from provenum.native import cross

        try:
            library, names = str(cross.library()), targets
        except cross.CrossError as e:
            raise ValueError(f"cannot build the AArch64 library: {e}") from None
    else:
        raise ValueError(f"no {isa} library is built on this {host_isa()} machine: name one")
    if isa is not None and elf_machine(library) != isa:
        raise ValueError(f"{library} is an ELF file for {elf_machine(library)}, not {isa}")
    return library, names


def run(args) -> int:
    from rich.console import Console
    from rich.markup import escape  # instance names like "...[height=7]" or "... [z=x]" are not markup
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from provenum.verify.report import markdown, proof_jobs, run_all, write_json

    import sys

    console = Console() if sys.stdout.isatty() else Console(width=160)
    if args.jobs < 1:
        console.print("[red]--jobs must be at least 1[/red]")
        return 2
    try:
        library, names = _split_targets(args.targets, args.isa)
        jobs = proof_jobs(library, names or None)
    except (ValueError, KeyError, ImportError) as e:
        console.print(f"[red]error:[/red] {e}")
        return 2
    if not jobs:
        console.print("no function with a specification to prove")
        return 2
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("proving", total=len(jobs))

        def tick(result):
            progress.update(task, advance=1, description=f"proved {escape(result['spec'])}" if result["proved"]
                            else f"FAILED {escape(result['spec'])}")

        results = run_all(library, jobs, args.jobs, not args.no_counterexamples, tick)

    from provenum.isa.elf import elf_machine

    table = Table(title=f"provenum verify — {library} ({elf_machine(library)})")
    for col, just in (("function", "left"), ("instructions", "right"), ("obligations", "right"),
                      ("seconds", "right"), ("functional", "left"), ("frame", "left"), ("constant-time", "left")):
        table.add_column(col, justify=just)
    style = {"proved": "green", "failed": "red"}
    for r in results:
        table.add_row(escape(r["spec"]), str(r["instructions"]) + (f" ({r['steps']} run)" if r["steps"] != r["instructions"]
                                                           else ""),
                      str(len(r["obligations"])), f"{r['seconds']:.2f}",
                      *(f"[{style[r[k]]}]{r[k]}[/]" for k in ("functional", "frame", "constant_time")))
    console.print(table)
    failed = [r for r in results if not r["proved"]]
    for r in failed:
        console.print(f"[red]{escape(r['spec'])}[/red]: {escape(r['message'])}")
        cex = r.get("counterexample")
        if cex:
            console.print(f"  counterexample inputs: {cex['inputs']}")
            console.print(f"  confirmed by the model: {cex.get('model_confirms')}, natively: "
                          f"{cex.get('native_confirms')}"
                          + (f" ({cex['native_executor']})" if cex.get("native_executor") else ""))
    if args.json:
        write_json(args.json, library, results)
    if args.markdown:
        from pathlib import Path

        Path(args.markdown).write_text(markdown(library, results))
    written = [p for p in (args.json, args.markdown) if p]
    if written:
        console.print(f"reports: {', '.join(written)}")
    total = sum(r["seconds"] for r in results)
    console.print(f"{len(results) - len(failed)}/{len(results)} proved, {total:.1f} s of proving")
    return 1 if failed else 0
