"""provenum bench ct: dudect's t-test across input classes for every kernel family, the exponentiation
and signing."""
from __future__ import annotations

NAME = "bench ct"
HELP = ("time kernels and RSA signing on inputs of two classes (fixed vs random, low vs high bit density), "
        "interleaved at random; Welch's |t| per target and class pair (dudect)")


def add_arguments(parser) -> None:
    parser.add_argument("--target", action="append", metavar="KERNEL|sign",
                        help="an operation (bignum_montmul_16), a variant (bignum_montmul_16_baseline) or 'sign'; "
                             "repeat for more (default: one operation per family at 16 words, and sign)")
    parser.add_argument("--pairs", nargs="+", metavar="A/B",
                        help="class pairs (classes: fixed random zeros ones single sparse dense; key-a key-b "
                             "for sign; default fixed/random zeros/ones single/dense sparse/dense, "
                             "and key-a/key-b for sign)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per target and class pair")
    parser.add_argument("--samples", type=int, default=1_000_000,
                        help="at most this many measurements per target and class pair")
    parser.add_argument("--bits", type=int, default=2048, help="RSA key size of the sign target")
    parser.add_argument("--level", help="dispatch level to time at (default: this CPU's, or PROVENUM_CPU)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")


def run(args) -> int:
    import json
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import ct
    from provenum.isa.x86_64.features import LEVEL_NAMES
    from provenum.native.dispatch import UnsupportedCPU

    if args.seconds <= 0 or args.samples < 100:
        print("provenum: --seconds must be > 0 and --samples at least 100", file=sys.stderr)
        return 2
    if args.bits % 8 or not 1024 <= args.bits <= 8192:
        print("provenum: --bits must be a multiple of 8 from 1024 to 8192", file=sys.stderr)
        return 2
    if args.level and args.level not in LEVEL_NAMES:
        print(f"provenum: --level must be one of {', '.join(LEVEL_NAMES)}", file=sys.stderr)
        return 2
    pairs = None
    if args.pairs:
        try:
            pairs = [tuple(p.split("/")) for p in args.pairs]
            if any(len(p) != 2 for p in pairs):
                raise ValueError
        except ValueError:
            print("provenum: --pairs takes CLASS/CLASS, e.g. fixed/random", file=sys.stderr)
            return 2
    console = Console(stderr=True)
    table = Table(title=f"dudect: Welch's |t| between input classes (|t| < {ct.THRESHOLD} expected)")
    for col in ("target", "level", "classes", "samples", "median ticks", "raw |t|", "max |t| (crop)", "< 4.5"):
        table.add_column(col, justify="left" if col in ("target", "level", "classes") else "right", no_wrap=True)
    try:
        with console.status("building the timing harness...") as status:
            def progress(r):
                status.update(f"{r.target} {'/'.join(r.classes)}: |t| {r.max_t:.2f} after {sum(r.samples):,}")
            results = ct.run(args.target, pairs, args.seconds, args.samples, args.bits, args.level, progress)
    except (ct.BenchError, UnsupportedCPU) as e:
        print(f"provenum: {e}", file=sys.stderr)
        return 2
    for r in results:
        worst = max(r.crops, key=lambda c: abs(c[2]), default=None)
        crop = f"{abs(worst[2]):.2f} (p{100 * worst[0]:g})" if worst else "-"
        table.add_row(r.target, r.level, "/".join(r.classes), f"{r.samples[0]:,}+{r.samples[1]:,}",
                      f"{r.median_ticks[0]:,}/{r.median_ticks[1]:,}", f"{abs(r.t_raw):.2f}", crop,
                      "yes" if r.below_threshold else "[red]NO[/]")
    out = Console(width=max(Console().width, 140))
    out.print(table)
    out.print("A benchmark, not a test: other load on the machine adds noise. Timed with lfence; rdtsc around "
              "one call, classes interleaved at random.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threshold": ct.THRESHOLD, "results": [r.as_dict() for r in results]}, f, indent=1)
        out.print(f"wrote {args.json}")
    return 0
