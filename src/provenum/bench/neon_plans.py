"""Choose each neon kernel's plan by measuring candidates with the N1 cost model.

    python -m provenum.bench.neon_plans [--only TEXT] [--quick] [--write]

For every kernel with a plan (schoolbook products and squares at every size,
the Montgomery reduction at every size) and every plan family of
provenum.kernels.aarch64.plans, the kernel is generated with the family's
first `count` pairs for a range of counts around the balance of the integer
multiplier against the vector unit, and its N1 cycles measured: llvm-mca-19
-mcpu=neoverse-n1 over its instructions (straight-line code: the instructions
are the trace), 100 iterations, or 20 while ranking with --quick or at 24
words and more (the winner is measured again at 100). The
fastest plan per kernel is printed, and with --write stored in plans.py
(PLANS). Takes about an hour for everything on one core (--quick: 25 minutes).
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from provenum.kernels.aarch64 import montredc, mul, plans, sqr

from .n1 import function_cycles

KERNELS = ([("mul", n) for n in mul.SIZES] + [("sqr", n) for n in sqr.SIZES]
           + [("redc", n) for n in montredc.SIZES])


def operation(kind: str, n: int) -> str:
    return {"mul": f"bignum_mul_{n}_{2 * n}", "sqr": f"bignum_sqr_{n}_{2 * n}", "redc": f"bignum_montredc_{n}"}[kind]


def generate(kind: str, n: int, pairs):
    if kind == "mul":
        return mul.generate(n, "neon", plan=pairs)
    if kind == "sqr":
        return sqr.generate(n, "neon", plan=pairs)
    return montredc.generate(n, False, "neon", plan=pairs)


def counts(kind: str, n: int, steps: int) -> list[int]:
    """Counts of pairs to try: from 35% to 90% of the candidates."""
    total = len(plans.candidates(kind, n))
    lo, hi = max(1, round(0.35 * total)), round(0.9 * total)
    return sorted({round(lo + (hi - lo) * s / (steps - 1)) for s in range(steps)})


def tune(kind: str, n: int, quick: bool, log=print) -> tuple[tuple[str, int], float, float]:
    """The best (family, count), its cycles, and the scalar variant's cycles."""
    iterations = 20 if quick or n >= 24 else 100
    steps = 6 if quick else 12
    scalar = function_cycles(generate(kind, n, frozenset()), iterations)
    best, best_cycles = None, scalar
    for family in plans.FAMILIES:
        seen = set()
        for count in counts(kind, n, steps):
            pairs = plans.expand(kind, n, family, count)
            if pairs in seen:
                continue
            seen.add(pairs)
            try:
                cycles = function_cycles(generate(kind, n, pairs), iterations)
            except RuntimeError as exc:      # e.g. out of vector registers
                log(f"  {family:9} {count:4}  ({exc})")
                continue
            if cycles < best_cycles:
                best, best_cycles = (family, count), cycles
    if best is not None and iterations != 100:
        best_cycles = function_cycles(generate(kind, n, plans.expand(kind, n, *best)))
    return best, best_cycles, scalar


def recorded() -> dict:
    """The plans in plans.py with the cycles their comments record."""
    text = Path(plans.__file__).read_text()
    rows = re.findall(r"    '(\w+)': \('([\w-]+)', (\d+)\),  # ([\d,]+) N1 cycles \(scalar ([\d,]+)\)", text)
    return {op: ((fam, int(count)), float(c.replace(",", "")), float(sc.replace(",", "")))
            for op, fam, count, c, sc in rows}


def write(results: dict) -> Path:
    path = Path(plans.__file__)
    text = path.read_text()
    order = {operation(kind, n): i for i, (kind, n) in enumerate(KERNELS)}
    body = "".join(f"    {op!r}: ({fam!r}, {count}),  # {cycles:,.0f} N1 cycles (scalar {scalar:,.0f})\n"
                   for op, ((fam, count), cycles, scalar) in sorted(results.items(), key=lambda kv: order[kv[0]]))
    new = re.sub(r"PLANS: dict\[str, tuple\[str, int\]\] = \{.*?\n\}\n|PLANS: dict\[str, tuple\[str, int\]\] = \{\}\n",
                 "PLANS: dict[str, tuple[str, int]] = {\n" + body + "}\n", text, flags=re.S)
    path.write_text(new)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m provenum.bench.neon_plans", description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="only kernels whose operation name contains this text")
    ap.add_argument("--quick", action="store_true", help="fewer counts and iterations while ranking")
    ap.add_argument("--write", action="store_true", help="store the chosen plans in plans.py")
    args = ap.parse_args(argv)
    results = {}
    for kind, n in KERNELS:
        op = operation(kind, n)
        if args.only not in op:
            continue
        t = time.time()
        best, cycles, scalar = tune(kind, n, args.quick)
        if best is None:
            print(f"{op:24} no plan beats the scalar code ({scalar:,.0f} cycles)")
            continue
        print(f"{op:24} {best[0]:9} {best[1]:4} pairs: {cycles:8,.0f} N1 cycles (scalar {scalar:,.0f}) "
              f"[{time.time() - t:.0f} s]", flush=True)
        results[op] = (best, cycles, scalar)
    if args.write and results:
        merged = recorded()
        merged.update(results)
        print(f"wrote {write(merged)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
