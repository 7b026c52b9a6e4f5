"""provenum bench kernels: cycle counts of every kernel, GMP beside them (x86-64), or Neoverse N1
cycles from the cost model and, on Arm hardware, measured time (--isa aarch64)."""
from __future__ import annotations

NAME = "bench kernels"
HELP = ("time every kernel with a native rdtsc harness (median and minimum TSC ticks), GMP side by side; "
        "--isa aarch64: Neoverse N1 cycles (llvm-mca over the executed instructions) and time on Arm")


def add_arguments(parser) -> None:
    parser.add_argument("--isa", choices=("x86_64", "aarch64"), default=None,
                        help="x86_64 (this CPU, timed) or aarch64 (N1 cost model; timed too on an Arm host); "
                             "default: this machine's")
    parser.add_argument("--level", choices=("scalar", "neon"), default=None,
                        help="aarch64: only this level's variants (default both)")
    parser.add_argument("--json", metavar="PATH", default="", help="also write the results as JSON")
    parser.add_argument("--only", default="", help="only kernels whose name contains this text")
    parser.add_argument("--repeats", type=int, default=101, help="timed runs per kernel (median taken)")
    parser.add_argument("--budget-ms", type=float, default=40.0, help="time spent per kernel, in ms")
    parser.add_argument("--no-gmp", action="store_true", help="do not time GMP")
    parser.add_argument("--peer", metavar="LIBRARY",
                        help="also time this shared library's functions of the same names and C prototypes "
                             "(e.g. a locally built s2n-bignum), interleaved in the same run")


def run(args) -> int:
    from provenum.kernels import host_isa

    if (args.isa or host_isa()) == "aarch64":
        return run_aarch64(args)
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
    scheduled = any(r.name.endswith(bench.UNSCHEDULED) for r in results)
    cols = ("kernel", "words", "ticks", "min", "ns", "target ticks", "target ns", "met",
            "GMP", "GMP ticks", "GMP/provenum") + (("peer ticks", "peer min", "provenum/peer") if args.peer else ()) + (
        ("unscheduled", "unsch. min", "x unsch.") if scheduled else ())
    for col in cols:
        table.add_column(col, justify="left" if col in ("kernel", "GMP") else "right", no_wrap=True)
    notes = []
    for r in results:
        if not r.name.startswith("bignum_") or r.name.endswith(bench.UNSCHEDULED):
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
        if scheduled:
            plain = by_key.get(f"{r.name}{bench.UNSCHEDULED}/{r.words}")
            row += [f"{plain.ticks:,.0f}", f"{plain.ticks_min:,.0f}", f"{r.ticks / plain.ticks:.2f}"] if plain else [""] * 3
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
    if scheduled:
        out.print("unscheduled: a kernel that ships a schedule (provenum schedule --isa x86_64), timed "
                  "interleaved in the generator's order; x unsch. = ticks / unscheduled ticks (medians)")
    for line in notes:
        out.print(line)
    if args.json:
        payload = {"results": bench.report(results), "tsc_ghz": info.get("tsc_ghz"),
                   "gmp": info.get("gmp"), "peer": args.peer, "targets": bench.TARGETS}
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=2)
        console.print(f"wrote {args.json}")
    return 0


def run_aarch64(args) -> int:
    import json
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import kernels_aarch64 as bench
    from provenum.bench.n1 import CostModelError
    from provenum.native.cross import CrossError

    console = Console(stderr=True)
    levels = (args.level,) if args.level else ("scalar", "neon")
    done = []
    with console.status("building the AArch64 library...") as status:
        def progress(r):
            done.append(r)
            status.update(f"{len(done)} measured, last {r.name}: {r.n1_cycles:,.0f} N1 cycles")
        try:
            results, info = bench.run(args.only, levels, on_result=progress)
        except (CostModelError, CrossError) as exc:
            print(f"provenum: {exc}", file=sys.stderr)
            return 1
    measured = info["measured"]
    table = Table(title="AArch64 kernels: Neoverse N1 cycles (llvm-mca over the executed instructions)"
                  + (f", time measured on this {measured} host" if measured else ""))
    cols = ["kernel", "words", "N1 cycles", "unscheduled", "x unsch.", "instructions", "s2n-bignum", "s2n N1",
            "x s2n", "target 0.8x"]
    if any(r.n1_cycles_list is not None for r in results):
        cols.insert(5, "list sched.")
    if measured:
        cols.append("ns")
    for col in cols:
        table.add_column(col, justify="left" if col in ("kernel", "s2n-bignum") else "right", no_wrap=True)
    notes = set()
    for r in results:
        anchor = bench.anchor_of(r.name)
        row = [r.name, str(r.words), f"{r.n1_cycles:,.0f}"]
        u = r.n1_cycles_unscheduled
        row += [f"{u:,.0f}", f"{r.n1_cycles / u:.2f}"] if u else ["", ""]
        if "list sched." in cols:
            row.append(f"{r.n1_cycles_list:,.0f}" if r.n1_cycles_list is not None else "")
        row.append(f"{r.instructions:,}")
        if anchor and r.name.endswith("_neon"):
            ratio = r.n1_cycles / anchor[1]
            row += [anchor[0], f"{anchor[1]:,}", f"{ratio:.2f}", "met" if ratio <= bench.TARGET_RATIO else "NOT met"]
        else:
            row += ["", "", "", ""]
        if measured:
            row.append(f"{r.ns:,.0f}")
        if r.note and "instructions executed" in r.note:
            notes.add(f"{r.name}: {r.note}")
        elif r.note:
            notes.add(f"{r.name.split('_')[0]}_{'_'.join(r.name.split('_')[1:-2])}_*: {r.note}")
        table.add_row(*row)
    out = Console(width=max(Console().width, 150))
    out.print(table)
    out.print(f"cost model: {info['cost_model']}; library {info['library']}; unscheduled: the same kernels in "
              "the generator's order (no scheduling), built and traced alike")
    for line in sorted(notes):
        out.print(line)
    if args.json:
        payload = {"results": [r.as_dict() for r in results], "isa": "aarch64", "cost_model": info["cost_model"],
                   "measured_on": measured,
                   "anchors": {op: {"s2n_bignum": name, "n1_cycles": c} for op, (name, c) in bench.ANCHORS.items()}}
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=2)
        console.print(f"wrote {args.json}")
    return 0
