"""Measure the kernel library's tuning choices: python -m provenum.bench.kernels_tune.

Regenerates the catalog under each alternative (Karatsuba half kernel,
product used by Montgomery multiply/square, fused or split exponentiation
steps, exponentiation window) and times the affected kernels with the
native harness. The choices in provenum.kernels (KARATSUBA_HALF,
MONT_PRODUCT, MODEXP_FUSED_STEPS, MODEXP_WINDOW) record the winners; this
script is how they were picked and how to re-check them (about 2 minutes).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

from provenum import kernels
from provenum.bench.kernels import run


@contextmanager
def _choice(table: dict, key, value):
    old = table[key]
    table[key] = value
    try:
        yield kernels._catalog()
    finally:
        table[key] = old


def _time(catalog, only: str, repeats: int) -> dict[str, float]:
    results, _ = run(repeats, 40.0, only, gmp=False, catalog=catalog, generate=True)
    return {r.name: r.ticks for r in results}


def main(repeats: int = 51) -> int:
    rows = []
    for n, options in ((32, [("bignum_kmul_16_32", "bignum_ksqr_16_32"),
                             ("bignum_mul_16_32", "bignum_sqr_16_32")]),):
        for opt in options:
            with _choice(kernels.KARATSUBA_HALF, n, opt) as cat:
                t = _time(cat, f"_{n}_{2 * n}", repeats)
                rows.append((f"Karatsuba {n}: halves by {opt[0]}/{opt[1]}",
                             t[f"bignum_kmul_{n}_{2 * n}"], t[f"bignum_ksqr_{n}_{2 * n}"]))
    for n in (8, 16, 24, 32):
        options = [(f"bignum_mul_{n}_{2 * n}", f"bignum_sqr_{n}_{2 * n}")]
        if n in kernels.karatsuba.SIZES:
            options.append((f"bignum_kmul_{n}_{2 * n}", f"bignum_ksqr_{n}_{2 * n}"))
        for opt in options:
            with _choice(kernels.MONT_PRODUCT, n, opt) as cat:
                t = _time(cat, f"amont", repeats)
                rows.append((f"Montgomery {n}: products by {opt[0]}/{opt[1]}",
                             t[f"bignum_amontmul_{n}"], t[f"bignum_amontsqr_{n}"]))
    for n in kernels.modexp.SIZES:
        for fused in (True, False):
            with _choice(kernels.MODEXP_FUSED_STEPS, n, fused) as cat:
                t = _time(cat, f"modexp_{n}", repeats)
                rows.append((f"modexp {n}: {'fused' if fused else 'split'} steps",
                             t[f"bignum_modexp_{n}"], None))
        for k in (4, 5, 6):
            with _choice(kernels.MODEXP_WINDOW, n, k) as cat:
                t = _time(cat, f"modexp_{n}", repeats)
                rows.append((f"modexp {n}: window {k}", t[f"bignum_modexp_{n}"], None))
    for label, a, b in rows:
        print(f"{label:60s} {a:12,.0f}" + (f" {b:12,.0f}" if b is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
