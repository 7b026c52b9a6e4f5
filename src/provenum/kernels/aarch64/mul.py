"""Schoolbook multiplication bignum_mul_{n}_{2n}_{level}: z := x * y, fully unrolled.

Product scanning on one carry chain (arith.py); at the neon level the plan's
pairs of products come from the vector unit (neon.py).
"""
from __future__ import annotations

from .arith import TEMPS, Pool, Words, emit_mul
from .asm import Function
from .levels import neon_plan, symbol
from .neon import NeonProducts

SIZES = (4, 6, 8, 12, 16, 24, 32)


def generate(n: int, level: str, plan=None) -> Function:
    name = symbol(f"bignum_mul_{n}_{2 * n}", level)
    pairs = neon_plan(f"bignum_mul_{n}_{2 * n}", level) if plan is None else plan
    how = f"{len(pairs)} of {n * n // 2} product pairs on Neon" if level == "neon" else "mul/umulh"
    f = Function(
        name=name,
        summary=f"Multiply z := x * y, {n} x {n} -> {2 * n} words (schoolbook, column by column, {how})",
        prototype=(f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}], "
                   f"const uint64_t y[static {n}])"),
        registers="Standard ARM ABI: X0 = z, X1 = x, X2 = y",
        notes=["z must not overlap x or y."],
        level=level,
    )
    for base, region in (("x0", "z"), ("x1", "x"), ("x2", "y"), ("sp", "stack")):
        f.region(base, region)
    emit_body(f, n, pairs)
    return f


def emit_body(f: Function, n: int, pairs) -> None:
    pool = Pool(TEMPS)
    scalar = {(i, j) for i in range(n) for j in range(n) if (i, j // 2) not in pairs}
    preload = n <= 8
    x = Words(f, pool, "x1", n, preload=preload, need={i for i, _ in scalar})
    y = Words(f, pool, "x2", n, preload=preload, need={j for _, j in scalar})
    neon = NeonProducts(f, x.address, y.address, n, pairs, pool.vpool) if pairs else None
    emit_mul(f, pool, ("x0", 0), x, y, n, n, neon)
    if neon:
        neon.close()
    x.release()
    y.release()
    f.finish(pool.all_used)
