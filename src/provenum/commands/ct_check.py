"""`provenum ct-check`: constant time checked dynamically (memcheck with poisoned secrets) and statically
(every instruction of the library against a data-independent-timing allow-list)."""
from __future__ import annotations

NAME = "ct-check"
HELP = ("run the private-key path under valgrind's memcheck with every secret poisoned, at every CPU level "
        "and key size, and check the library's instructions against Intel's DOIT list")


def add_arguments(parser) -> None:
    from provenum.ct.memcheck import DEFAULT_SIZES
    from provenum.isa.x86_64.features import LEVEL_NAMES

    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), metavar="BITS",
                        help=f"RSA key sizes (default {' '.join(map(str, DEFAULT_SIZES))}: the kernel sizes and "
                             "odd sizes on the generic C path)")
    parser.add_argument("--levels", nargs="+", choices=LEVEL_NAMES, metavar="LEVEL",
                        help="dispatch levels to run (default: every level this CPU has)")
    parser.add_argument("--only", choices=("memcheck", "instructions"), help="run one of the two checks")
    parser.add_argument("--library", metavar="PATH", help="the shared library whose instructions are checked "
                                                          "(default: the built one)")
    parser.add_argument("--jobs", "-j", type=int, default=2, metavar="N", help="valgrind processes at once")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")


def run(args) -> int:
    import json
    import sys

    from rich.console import Console

    from provenum.ct import instructions, memcheck

    if args.jobs < 1:
        print("provenum: --jobs must be at least 1", file=sys.stderr)
        return 2
    console, out = Console(stderr=True), Console()
    doc, ok = {}, True
    if args.only != "instructions":
        try:
            with console.status("memcheck...") as status:
                report = memcheck.run(args.sizes, args.levels, args.jobs, progress=status.update)
        except (memcheck.CheckError, ImportError) as e:
            print(f"provenum: {e}", file=sys.stderr)
            return 2
        _print_memcheck(out, report)
        doc["memcheck"] = report.as_dict()
        ok &= report.passed
    if args.only != "memcheck":
        try:
            result = instructions.check(args.library)
        except Exception as e:  # DecodeError, ImportError: say what, never a traceback
            print(f"provenum: {e}", file=sys.stderr)
            return 2
        _print_instructions(out, result)
        doc["instructions"] = result.as_dict()
        ok &= result.passed
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
        out.print(f"wrote {args.json}")
    return 0 if ok else 1


def _print_memcheck(out, report) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"memcheck, secrets poisoned: RSA-{', '.join(map(str, report.sizes))} ({report.valgrind})")
    for col in ("level", "bits", "result", "findings", "signatures checked", "verdicts checked", "seconds"):
        table.add_column(col, justify="left" if col in ("level", "result") else "right")
    style = {"passed": "green", "failed": "red", "not run": "yellow"}
    for r in report.results:
        table.add_row(r.level, str(r.bits), f"[{style[r.status]}]{r.status}[/]", str(len(r.findings)),
                      str(r.signatures), str(r.checks), f"{r.seconds:.0f}")
    out.print(table)
    for r in report.results:
        if r.reason:
            out.print(f"[{style[r.status]}]{r.level} RSA-{r.bits}[/]: {escape(r.reason)}")
    for r in report.results:
        for f in r.findings:
            out.print(f"[red]{r.level} RSA-{r.bits}[/]: {escape(f.meaning)} -- secret [bold]{escape(f.secret)}[/], in "
                      f"{escape(f.function)} during {escape(f.phase)} ({f.count} time(s); memcheck: {escape(f.what)})")
            for frame in f.stack[:12]:
                out.print(f"    at {escape(frame)}")
            if f.origin:
                out.print(f"    the secret was poisoned at {escape(f.origin[0])}")
    if any(r.status == "not run" for r in report.results):
        out.print("a level not run is not passed: its variants' constant time rests on the proofs "
                  "(`provenum verify`) and on `provenum bench ct`")


def _print_instructions(out, result) -> None:
    from rich.markup import escape
    from rich.table import Table

    from provenum.ct.instructions import CLASS_REASONS, by_function

    verdict = "[green]passed[/]" if result.passed else "[red]failed[/]"
    out.print(f"instructions: {result.instructions:,} in {result.functions} functions and {result.gap_bytes:,} "
              f"bytes between them, {escape(result.library)}: {verdict}")
    table = Table(title="allowed instructions, by class")
    for col in ("class", "why allowed", "mnemonics (count)"):
        table.add_column(col)
    by_class: dict[str, list[str]] = {}
    for u in result.allowed:
        by_class.setdefault(u.klass, []).append(f"{u.mnemonic} ({u.count:,})")
    for klass, names in by_class.items():
        table.add_row(klass, CLASS_REASONS[klass], ", ".join(names))
    out.print(table)
    for function, names in sorted(by_function(result).items()):
        out.print(f"[red]not allowed[/] in {escape(function)}: {', '.join(names)}")
    for addr, function in result.undecodable[:20]:
        out.print(f"[red]undecodable[/] byte at {addr:#x} in {escape(function)}")
