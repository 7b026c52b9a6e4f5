"""provenum bench rsa: RSA sign/verify throughput against OpenSSL, gmpy2 and Python."""
from __future__ import annotations

NAME = "bench rsa"
HELP = ("benchmark RSA sign/verify: provenum at each CPU level vs OpenSSL on the same CPU features "
        "(default, IFMA-masked, AVX-512-, AVX2-, BMI2-masked), gmpy2, Python; "
        "--isa aarch64 --model: the N1 cycles of one signature's kernels beside AWS-LC on Graviton2")


def add_arguments(parser) -> None:
    from provenum.bench.rsa import IMPLS

    parser.add_argument("--isa", choices=("x86_64", "aarch64"), default="x86_64",
                        help="aarch64 needs --model: the signature's cost on Neoverse N1 from the cost model")
    parser.add_argument("--model", action="store_true",
                        help="with --isa aarch64: sum the N1 cycles of the kernels one signature calls")
    parser.add_argument("--level", choices=("scalar", "neon"), default="neon",
                        help="with --isa aarch64 --model: the level the kernels run at (N1: neon)")
    parser.add_argument("--no-unscheduled", action="store_true",
                        help="with --isa aarch64 --model: skip the same signature costed in the generator's order")
    parser.add_argument("--bits", type=int, nargs="+", default=[2048, 3072, 4096], help="key sizes")
    parser.add_argument("--impl", nargs="+", choices=IMPLS, default=list(IMPLS), help="implementations to run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; figures are medians")
    parser.add_argument("--seconds", type=float, default=0.25, help="time per sample")
    parser.add_argument("--no-threads", action="store_true", help="skip the 2-thread signing measurement")
    parser.add_argument("--json", default="bench-rsa.json", help="JSON output path ('' to skip)")
    parser.add_argument("--png", default="bench-rsa.png", help="bar chart output path ('' to skip)")


def run(args) -> int:
    if args.isa == "aarch64" or args.model:
        return run_model(args)
    import json
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import rsa as bench

    if args.rounds < 1 or args.seconds <= 0:
        print("provenum: --rounds must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    for bits in args.bits:
        if bits % 64 or not 1024 <= bits <= 8192:
            print(f"provenum: --bits {bits}: need a multiple of 64 from 1024 to 8192", file=sys.stderr)
            return 2
    impls = bench.available(tuple(i for i in bench.IMPLS if i in args.impl))
    console = Console(stderr=True)
    try:
        import gmpy2  # noqa: F401
    except ImportError:
        if "gmpy2" in impls:
            console.print("gmpy2 is not installed (pip install provenum[bench]): skipping the gmpy2 peer")
            impls = tuple(i for i in impls if i != "gmpy2")
    report = bench.run(args.bits, impls, args.rounds, args.seconds, threads=not args.no_threads,
                       progress=lambda r, n: console.print(f"round {r}/{n} done"))
    table = Table(title="RSA operations per second, PKCS#1 v1.5 / SHA-256",
                  caption=f"median and best of {args.rounds} interleaved rounds; "
                          "provenum × = provenum's rate / this row's rate")
    for col, justify in (("bits", "right"), ("op", "left"), ("impl", "left"), ("median/s", "right"),
                         ("provenum ×", "right"), ("best/s", "right"), ("× best", "right")):
        table.add_column(col, justify=justify, no_wrap=True)
    for (bits, op, impl, ops, ratio), (*_, best, best_ratio) in zip(
            bench.ratio_rows(report), bench.ratio_rows(report, "best_ops_per_s")):
        table.add_row(str(bits), op, impl, f"{ops:,.0f}", f"{ratio:.2f}" if ratio else "-",
                      f"{best:,.0f}", f"{best_ratio:.2f}" if best_ratio else "-")
    out = Console(width=100) if not sys.stdout.isatty() else Console()
    out.print(table)
    levels = Table(title="each provenum level against OpenSSL limited to the same CPU features",
                   caption="provenum@avx2 vs openssl@avx2 is the comparison on a CPU without AVX-512")
    for col, justify in (("bits", "right"), ("op", "left"), ("provenum", "left"), ("OpenSSL peer", "left"),
                         ("median ×", "right"), ("best ×", "right")):
        levels.add_column(col, justify=justify, no_wrap=True)
    for (bits, op, impl, peer, ratio), (*_, best) in zip(bench.level_rows(report),
                                                         bench.level_rows(report, "best_ops_per_s")):
        levels.add_row(str(bits), op, impl, peer, f"{ratio:.2f}", f"{best:.2f}")
    if levels.rows:
        out.print(levels)
    for t in report["threads"]:
        out.print(f"provenum sign RSA-{t['bits']}: 1 thread {t['threads_1']:,.0f}/s, "
                  f"2 threads {t['threads_2']:,.0f}/s (x{t['scaling']:.2f}; best round x{t['scaling_best']:.2f}; "
                  "needs two otherwise idle cores)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        out.print(f"wrote {args.json}")
    if args.png:
        try:
            bench.save_png(report, args.png)
            out.print(f"wrote {args.png}")
        except ImportError:
            console.print("matplotlib is not installed (pip install provenum[bench]): no PNG written")
    return 0


def run_model(args) -> int:
    import json
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import rsa_aarch64 as model
    from provenum.bench.n1 import CostModelError
    from provenum.native.cross import CrossError

    if args.isa != "aarch64" or not args.model:
        print("provenum: --model goes with --isa aarch64 (on x86-64 signatures are timed, not modelled)",
              file=sys.stderr)
        return 2
    bits = [b for b in args.bits if b in model.AWS_LC_SIGS_PER_S]
    if bits != list(args.bits):
        print(f"provenum: --model covers {', '.join(map(str, model.AWS_LC_SIGS_PER_S))} bits", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    try:
        with console.status("counting one signature's kernel calls in the AArch64 library...") as status:
            estimates = model.estimate(bits, args.level, progress=status.update,
                                       unscheduled=not args.no_unscheduled)
    except (CostModelError, CrossError, RuntimeError) as exc:
        print(f"provenum: {exc}", file=sys.stderr)
        return 1
    out = Console(width=max(Console().width, 150))
    table = Table(title=f"RSA signature on Neoverse N1 (model): kernels at the {args.level} level, "
                        f"AWS-LC on Graviton2 at {model.GHZ} GHz beside")
    both = not args.no_unscheduled
    cols = ["bits", "N1 cycles", *(["unscheduled", "gain", "target 15%"] if both else []), "AWS-LC cycles", "AWS-LC sig/s",
            "ratio", "target 0.8x", "at 2.5 GHz sig/s"]
    for col in cols:
        table.add_column(col, justify="right", no_wrap=True)
    for e in estimates:
        ratio = e.total / e.aws_lc_cycles
        extra = ([f"{e.total_unscheduled:,.0f}", f"{100 * e.gain:.1f}%",
                  "met" if e.gain >= model.TARGET_GAIN else "NOT met"] if both else [])
        table.add_row(str(e.bits), f"{e.total:,.0f}", *extra, f"{e.aws_lc_cycles:,.0f}",
                      f"{model.AWS_LC_SIGS_PER_S[e.bits]}", f"{ratio:.2f}",
                      "met" if ratio <= model.TARGET_RATIO else "NOT met", f"{model.GHZ * 1e9 / e.total:,.0f}")
    out.print(table)
    for e in estimates:
        parts = ", ".join(f"{op} {e.calls[op]} x {e.cycles[op]:,.0f}"
                          + (f" (unscheduled {e.unscheduled[op]:,.0f})" if both else "")
                          for op in sorted(e.calls, key=lambda o: -e.calls[o] * e.cycles[o]))
        out.print(f"{e.bits}: {parts}")
    out.print("How: one signature made in the AArch64 library with a counter in every dispatched entry "
              "(qemu-aarch64 as a Neoverse N1, or natively), each operation's N1 cycles from llvm-mca-19 "
              "over the instructions one call executes (provenum bench kernels --isa aarch64); "
              "sum of calls x cycles. The C code between the kernels is not counted."
              + (" Unscheduled: the same calls, every kernel in the generator's order (a second library)."
                 if both else ""))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"model": [e.as_dict() for e in estimates], "ghz": model.GHZ,
                       "aws_lc_sigs_per_s": model.AWS_LC_SIGS_PER_S}, fh, indent=1)
        out.print(f"wrote {args.json}")
    return 0
