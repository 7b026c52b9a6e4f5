"""Squaring bignum_sqr_{n}_{2n}_{level}: z := x^2, fully unrolled.

Column by column (arith.py): each column's cross products x_i*x_j (i < j)
once into a second accumulator, doubled, plus the diagonal square; at the
neon level the plan's pairs of products (cross or square) come from the
vector unit.
"""
from __future__ import annotations

from .arith import TEMPS, Pool, Words, emit_sqr, square_products
from .asm import Function
from .levels import neon_plan, symbol
from .neon import NeonProducts

SIZES = (4, 6, 8, 12, 16, 24, 32)


def generate(n: int, level: str, plan=None) -> Function:
    name = symbol(f"bignum_sqr_{n}_{2 * n}", level)
    pairs = neon_plan(f"bignum_sqr_{n}_{2 * n}", level) if plan is None else plan
    how = f", {len(pairs)} product pairs on Neon" if level == "neon" else ""
    f = Function(
        name=name,
        summary=f"Square z := x^2, {n} -> {2 * n} words (column by column{how})",
        prototype=f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}])",
        registers="Standard ARM ABI: X0 = z, X1 = x",
        notes=["z must not overlap x."],
        level=level,
    )
    for base, region in (("x0", "z"), ("x1", "x"), ("sp", "stack")):
        f.region(base, region)
    emit_body(f, n, pairs)
    return f


def emit_body(f: Function, n: int, pairs) -> None:
    pool = Pool(TEMPS)
    scalar = {ij for ij in square_products(n, pairs) if (ij[0], ij[1] // 2) not in pairs}
    x = Words(f, pool, "x1", n, preload=n <= 8, need={i for ij in scalar for i in ij})
    neon = NeonProducts(f, x.address, x.address, n, pairs, pool.vpool) if pairs else None
    emit_sqr(f, pool, ("x0", 0), x, n, neon)
    if neon:
        neon.close()
    x.release()
    f.finish(pool.all_used)
