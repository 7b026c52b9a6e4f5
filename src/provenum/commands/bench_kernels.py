"""provenum bench kernels: cycle counts of every kernel, GMP beside them."""
from __future__ import annotations

NAME = "bench kernels"
HELP = "time every kernel with a native rdtsc harness (median and minimum TSC ticks), GMP side by side"


def add_arguments(parser) -> None:
    parser.add_argument("--json", metavar="PATH", default="", help="also write the results as JSON")
    parser.add_argument("--only", default="", help="only kernels whose name contains this text")
    parser.add_argument("--repeats", type=int, default=101, help="timed runs per kernel (median taken)")
    parser.add_argument("--budget-ms", type=float, default=40.0, help="time spent per kernel, in ms")
    parser.add_argument("--no-gmp", action="store_true", help="do not time GMP")
    parser.add_argument("--peer", metavar="LIBRARY",
                        help="also time this shared library's functions of the same names and C prototypes "
                             "(e.g. a locally built s2n-bignum), interleaved in the same run")


def run(args) -> int:
    import json
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import kernels as bench

    if args.repeats < 1 or args.budget_ms <= 0:
        print("provenum: --repeats must be >= 1 and --budget-ms > 0", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    done = []
    with console.status("building the harness...") as status:
        def progress(res):
            done.append(res)
            status.update(f"{len(done)} timed, last {res.name}/{res.words}: {res.ticks:,.0f} ticks")
        try:
            results, info = bench.run(args.repeats, args.budget_ms, args.only, not args.no_gmp, progress,
                                      peer=args.peer)
        except bench.BenchError as exc:
            print(f"provenum: {exc}", file=sys.stderr)
            return 1
    by_key = {f"{r.name}/{r.words}": r for r in results}
    title = f"kernels: median (and minimum) TSC ticks per call (TSC {info.get('tsc_ghz', 0):.2f} GHz)"
    if info.get("gmp_linked"):
        title += f", GMP {info.get('gmp')}"
    table = Table(title=title)
    cols = ("kernel", "words", "ticks", "min", "ns", "target ticks", "target ns", "met",
            "GMP", "GMP ticks", "GMP/provenum") + (("peer ticks", "peer min", "provenum/peer") if args.peer else ())
    for col in cols:
        table.add_column(col, justify="left" if col in ("kernel", "GMP") else "right", no_wrap=True)
    notes = []
    for r in results:
        if not r.name.startswith("bignum_"):
            continue
        target = bench.target_of(r.name)
        target_ns = target / bench.TARGET_TSC_GHZ if target else None
        peer_key = bench.gmp_counterpart(r.name, r.words)
        peer = by_key.get(peer_key) if peer_key else None
        met = ""
        if target:
            met = "yes" if r.ns <= target_ns else "NO"
        row = [
            r.name, str(r.words), f"{r.ticks:,.0f}", f"{r.ticks_min:,.0f}", f"{r.ns:,.0f}",
            f"{target:,}" if target else "", f"{target_ns:,.0f}" if target else "", met,
            peer_key.split("/")[0] if peer else "", f"{peer.ticks:,.0f}" if peer else "",
            f"{peer.ticks / r.ticks:.2f}x" if peer else "",
        ]
        if args.peer:
            other = by_key.get(f"{bench.peer_counterpart(r.name)}/{r.words}")
            row += [f"{other.ticks:,.0f}", f"{other.ticks_min:,.0f}", f"{r.ticks / other.ticks:.2f}"] if other else [""] * 3
        table.add_row(*row)
        goal = bench.GMP_SPEEDUP_GOAL.get(bench.split_symbol(r.name)[0])
        if goal and peer:
            ratio = peer.ticks / r.ticks
            notes.append(f"{r.name}: {ratio:.2f}x faster than {peer_key} (goal {goal}x: "
                         f"{'met' if ratio >= goal else 'NOT met'})")
    out = Console(width=max(Console().width, 160))
    out.print(table)
    out.print(f"targets are TSC ticks at {bench.TARGET_TSC_GHZ} GHz (issue 3); "
              f"'met' compares times, as this TSC runs at {info.get('tsc_ghz', 0):.2f} GHz")
    for line in notes:
        out.print(line)
    if args.json:
        payload = {"results": bench.report(results), "tsc_ghz": info.get("tsc_ghz"),
                   "gmp": info.get("gmp"), "peer": args.peer, "targets": bench.TARGETS}
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=2)
        console.print(f"wrote {args.json}")
    return 0
