"""provenum bench keygen: RSA key generation time against OpenSSL (in process through pyca, and its command)."""
from __future__ import annotations

NAME = "bench keygen"
HELP = "benchmark RSA key generation: provenum vs OpenSSL through pyca vs `openssl genpkey`"


def add_arguments(parser) -> None:
    from provenum.bench.keygen import IMPLS

    parser.add_argument("--bits", type=int, nargs="+", default=[2048, 3072, 4096, 8192], help="key sizes")
    parser.add_argument("--runs", type=int, default=20, help="key generations per size and peer (median taken)")
    parser.add_argument("--impl", nargs="+", choices=IMPLS, default=list(IMPLS), help="peers to run")
    parser.add_argument("--json", default="bench-keygen.json", help="JSON output path ('' to skip)")


def run(args) -> int:
    import json
    import shutil
    import sys

    from rich.console import Console
    from rich.table import Table

    from provenum.bench import keygen as bench
    from provenum.rsa.keygen import MAX_KEYGEN_BITS, MIN_KEYGEN_BITS

    if args.runs < 1:
        print("provenum: --runs must be >= 1", file=sys.stderr)
        return 2
    for bits in args.bits:
        if not MIN_KEYGEN_BITS <= bits <= MAX_KEYGEN_BITS:
            print(f"provenum: --bits {bits}: need {MIN_KEYGEN_BITS} to {MAX_KEYGEN_BITS}", file=sys.stderr)
            return 2
    impls = tuple(i for i in bench.IMPLS if i in args.impl)
    console = Console(stderr=True)
    if "openssl" in impls and shutil.which("openssl") is None:
        console.print("the openssl command is not installed: skipping it")
        impls = tuple(i for i in impls if i != "openssl")
    report = bench.run(args.bits, impls, args.runs, progress=lambda r, n: console.print(f"round {r}/{n} done"))
    env = report["environment"]
    table = Table(title="RSA key generation, e = 65537: seconds per key",
                  caption=f"median, min and max of {args.runs} interleaved runs on {env['cpu']} "
                          f"({env['cpu_count']} cores); × provenum = this peer's median / provenum's")
    for col, justify in (("bits", "right"), ("impl", "left"), ("median s", "right"), ("min s", "right"),
                         ("max s", "right"), ("× provenum", "right")):
        table.add_column(col, justify=justify, no_wrap=True)
    for bits, impl, median, low, high, ratio in bench.ratio_rows(report):
        table.add_row(str(bits), impl, f"{median:.3f}", f"{low:.3f}", f"{high:.3f}",
                      f"{ratio:.2f}" if ratio else "-")
    out = Console(width=100) if not sys.stdout.isatty() else Console()
    out.print(table)
    out.print(f"pyca's OpenSSL: {env['pyca_openssl']}; openssl command: {env.get('openssl_command', '-')}"
              + (f" (start-up {env['openssl_startup_s'] * 1e3:.1f} ms, included)" if "openssl_startup_s" in env
                 else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        out.print(f"wrote {args.json}")
    return 0
