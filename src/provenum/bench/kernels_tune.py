"""Measure the kernel library's tuning choices: python -m provenum.bench.kernels_tune [LEVEL] [REPEATS] [ROUNDS].

Regenerates the catalog under each alternative of one arithmetic level's
`provenum.kernels.TUNING` (Karatsuba half, product inside Montgomery
multiply/square, reduction rows looped or unrolled, fused or split
exponentiation steps, exponentiation window) and times the affected variants
with the native harness, on this CPU. The alternatives of a choice are timed
in turn, ROUNDS times over (so load on a shared machine falls on each alike);
each figure is the minimum over all runs and, after the slash, the median of
the rounds' medians. The tables in provenum.kernels.catalog record the
winners; the figures that chose them, and the CPU each was measured on, are
in docs/tuning.md. LEVEL is bmi2 (default) or baseline; the exponentiation is
timed at the highest level this CPU runs that uses that arithmetic.
"""
from __future__ import annotations

import statistics
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


def _time(cat, only: str, repeats: int) -> dict[str, tuple[float, float]]:
    """(minimum, median) TSC ticks per call of the variants matching `only`."""
    results, _ = run(repeats, 40.0, only, gmp=False, catalog=cat, generate=True)
    return {r.name: (r.ticks_min, r.ticks) for r in results}


def _modexp_level(arith: str) -> str:
    from provenum.kernels.x86_64.levels import ARITH_LEVEL
    from provenum.native import dispatch

    usable = [lv for lv in dispatch.levels() if ARITH_LEVEL[lv] == arith]
    if not usable:
        raise SystemExit(f"this CPU runs no level with the {arith} arithmetic")
    return usable[-1]


def experiments(level: str) -> list[tuple]:
    """(label, table, key, [(option label, value)], name filter, [symbols reported])."""
    t = catalog.TUNING[level]
    sfx = f"_{level}"
    out = []
    n = 32
    out.append((f"Karatsuba {n}: halves", t.karatsuba_half, n,
                [(f"by {o[0]}/{o[1]}", o) for o in (catalog._products(16, True), catalog._products(16, False))],
                f"_{n}_{2 * n}{sfx}", [f"bignum_kmul_{n}_{2 * n}{sfx}", f"bignum_ksqr_{n}_{2 * n}{sfx}"]))
    for n in (8, 16, 24, 32):
        options = [catalog._products(n, False)] + ([catalog._products(n, True)] if n in t.karatsuba_half else [])
        out.append((f"Montgomery {n}: products", t.mont_product, n, [(f"by {o[0]}/{o[1]}", o) for o in options],
                    f"amont", [f"bignum_amontmul_{n}{sfx}", f"bignum_amontsqr_{n}{sfx}"]))
    if level != "baseline":
        for n in (16, 24, 32):
            out.append((f"Montgomery {n}: reduction rows", t.redc_looped, n,
                        [("unrolled", False), ("looped", True)], f"amont",
                        [f"bignum_amontredc_{n}{sfx}", f"bignum_amontmul_{n}{sfx}", f"bignum_amontsqr_{n}{sfx}"]))
    top = _modexp_level(level)
    for n in sorted(t.modexp_window):
        name = f"bignum_modexp_{n}_{top}"
        out.append((f"modexp {n} ({top}): steps", t.modexp_fused, n, [("fused", True), ("split", False)], name,
                    [name]))
        if level != "baseline":
            out.append((f"modexp {n} ({top}): reduction rows", t.redc_looped, n,
                        [("unrolled", False), ("looped", True)], name, [name]))
        out.append((f"modexp {n} ({top}): window", t.modexp_window, n, [(str(k), k) for k in (4, 5, 6)], name,
                    [name]))
    return out


def main(level: str = "bmi2", repeats: int = 31, rounds: int = 3, only: str = "") -> int:
    from provenum.native import dispatch

    dispatch.require(level, f"tuning the {level} kernels")
    cpu = dispatch.cpu()
    print(f"# {cpu.brand} ({cpu.microarchitecture}); TSC ticks per call: minimum / median of round medians "
          f"({rounds} rounds of {repeats} runs)")
    for label, table, key, options, name_filter, names in experiments(level):
        if only and only not in label:
            continue
        samples: dict = {}
        for _ in range(rounds):
            for opt, value in options:
                with _choice(table, key, value) as cat:
                    for name, figs in _time(cat, name_filter, repeats).items():
                        samples.setdefault((opt, name), []).append(figs)
        for opt, _ in options:
            cells = []
            for name in names:
                figs = samples.get((opt, name), [])
                if figs:
                    cells.append(f"{min(f[0] for f in figs):>10,.0f} / {statistics.median(f[1] for f in figs):<10,.0f}")
            print(f"{label + ': ' + opt:58s} " + "  ".join(cells))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    lvl = args.pop(0) if args and not args[0].isdigit() else "bmi2"
    nums = [int(a) for a in args if a.isdigit()]
    flt = next((a for a in args if not a.isdigit()), "")
    sys.exit(main(lvl, *nums[:2], only=flt) if len(nums) <= 2 else 2)
