"""Measure the kernel library's tuning choices: python -m provenum.bench.kernels_tune [LEVEL] [REPEATS].

Regenerates the catalog under each alternative of one arithmetic level's
`provenum.kernels.TUNING` (Karatsuba half, product inside Montgomery
multiply/square, fused or split exponentiation steps, exponentiation
window) and times the affected variants with the native harness, on this
CPU. The tables in provenum.kernels.catalog record the winners; the figures
that chose them, and the CPU each was measured on, are in docs/tuning.md.
LEVEL is bmi2 (default) or baseline; the exponentiation is timed at the
highest level this CPU runs that uses that arithmetic.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

from provenum.bench.kernels import run
from provenum.kernels import catalog


@contextmanager
def _choice(table: dict, key, value):
    old = table[key]
    table[key] = value
    try:
        yield catalog.build()[0]
    finally:
        table[key] = old


def _time(cat, only: str, repeats: int) -> dict[str, float]:
    """Minimum TSC ticks per call (the least disturbed run: these machines are shared)."""
    results, _ = run(repeats, 40.0, only, gmp=False, catalog=cat, generate=True)
    return {r.name: r.ticks_min for r in results}


def _modexp_level(arith: str) -> str:
    from provenum.kernels.x86_64.levels import ARITH_LEVEL
    from provenum.native import dispatch

    usable = [lv for lv in dispatch.levels() if ARITH_LEVEL[lv] == arith]
    if not usable:
        raise SystemExit(f"this CPU runs no level with the {arith} arithmetic")
    return usable[-1]


def main(level: str = "bmi2", repeats: int = 51) -> int:
    from provenum.native import dispatch

    dispatch.require(level, f"tuning the {level} kernels")
    t = catalog.TUNING[level]
    sfx = f"_{level}"
    rows = []
    for n in (32,):
        for opt in (catalog._products(16, True), catalog._products(16, False)):
            with _choice(t.karatsuba_half, n, opt) as cat:
                tm = _time(cat, f"_{n}_{2 * n}{sfx}", repeats)
                rows.append((f"Karatsuba {n}: halves by {opt[0]}/{opt[1]}",
                             tm[f"bignum_kmul_{n}_{2 * n}{sfx}"], tm[f"bignum_ksqr_{n}_{2 * n}{sfx}"]))
    for n in (8, 16, 24, 32):
        options = [catalog._products(n, False)]
        if n in t.karatsuba_half:
            options.append(catalog._products(n, True))
        for opt in options:
            with _choice(t.mont_product, n, opt) as cat:
                tm = _time(cat, f"amont", repeats)
                rows.append((f"Montgomery {n}: products by {opt[0]}/{opt[1]}",
                             tm[f"bignum_amontmul_{n}{sfx}"], tm[f"bignum_amontsqr_{n}{sfx}"]))
    top = _modexp_level(level)
    for n in sorted(t.modexp_window):
        name = f"bignum_modexp_{n}_{top}"
        for fused in (True, False):
            with _choice(t.modexp_fused, n, fused) as cat:
                tm = _time(cat, name, repeats)
                rows.append((f"modexp {n} ({top}): {'fused' if fused else 'split'} steps", tm[name], None))
        for k in (4, 5, 6):
            with _choice(t.modexp_window, n, k) as cat:
                tm = _time(cat, name, repeats)
                rows.append((f"modexp {n} ({top}): window {k}", tm[name], None))
    cpu = dispatch.cpu()
    print(f"# {cpu.brand} ({cpu.microarchitecture}); minimum TSC ticks of {repeats} runs")
    for label, a, b in rows:
        print(f"{label:60s} {a:12,.0f}" + (f" {b:12,.0f}" if b is not None else ""))
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    lvl = args.pop(0) if args and not args[0].isdigit() else "bmi2"
    sys.exit(main(lvl, *(int(a) for a in args)))
