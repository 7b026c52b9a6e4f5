"""Montgomery multiplication and squaring by separate reduction.

bignum_montmul_{n}_{level}/montsqr_{n}_{level} form the full 2n-word product
(or square) in a stack buffer by a call to the level's product kernel
(schoolbook at 4 and 8 words, Karatsuba at 16, 24, 32: the tuning table),
then reduce it with the body of bignum_montredc_{n}_{level} inline (its
slots for vector products at the bottom of the frame, where stp q reaches); the
almost variants amontmul/amontsqr reduce like bignum_amontredc_{n}_{level}.
The product is a call so that Karatsuba and the specialised square apply,
and the proof can use the product kernel's own theorem.
"""
from __future__ import annotations

from . import montredc
from .arith import TEMPS, VREGS, VREGS_ALL, Pool
from .asm import Function
from .levels import MONT_PRODUCT, neon_plan, symbol

SIZES = (4, 8, 16, 24, 32)


def generate(n: int, square: bool, almost: bool, level: str) -> Function:
    op = "sqr" if square else "mul"
    name = symbol(f"bignum_{'a' if almost else ''}mont{op}_{n}", level)
    product = MONT_PRODUCT[n][1 if square else 0]
    R = f"2^{64 * n}"
    expr = "x^2" if square else "x * y"
    if square:
        proto_in = f"const uint64_t x[static {n}], "
        regs = "Standard ARM ABI: X0 = z, X1 = x, X2 = m, X3 = w"
    else:
        proto_in = f"const uint64_t x[static {n}], const uint64_t y[static {n}], "
        regs = "Standard ARM ABI: X0 = z, X1 = x, X2 = y, X3 = m, X4 = w"
    regs += "\n(z, m, w kept in X19, X20, X21 across the product's call)"
    if almost:
        summary = f"Almost-Montgomery {'square' if square else 'multiply'}, z == {expr} / {R} (mod m), z < {R}"
        notes = [f"Any inputs < {R}, m odd, w = -m^-1 mod 2^64; if {expr} < {R} * m then z < 2*m."]
    else:
        summary = f"Montgomery {'square' if square else 'multiply'}, z := {expr} / {R} mod m"
        notes = [f"Requires {'x' if square else 'x, y'} < m, m odd, w = -m^-1 mod 2^64; then z < m."]
    redc_op = f"bignum_{'a' if almost else ''}montredc_{n}"
    notes.append(f"A call to {symbol(product, level)}, then the body of {symbol(redc_op, level)}; "
                 "z may alias the inputs.")
    f = Function(
        name=name, summary=summary,
        prototype=(f"void {name}(uint64_t z[static {n}], {proto_in}"
                   f"const uint64_t m[static {n}], uint64_t w)"),
        registers=regs, notes=notes, level=level,
    )
    # stack: the reduction's slots for vector products, the product P[2n], the reduction's buffer T[2n]
    S = 0
    P, T = montredc.SLOTS_BYTES, montredc.SLOTS_BYTES + 16 * n
    f.op("mov", "x19", "x0")
    if square:
        f.op("mov", "x20", "x2")
        f.op("mov", "x21", "x3")
    else:
        f.op("mov", "x20", "x3")
        f.op("mov", "x21", "x4")
    f.op("add", "x0", "sp", f"#{P}")
    f.op("bl", symbol(product, level))
    f.comment(f"the reduction, as in {symbol(redc_op, level)}")
    for base, region in (("x19", "z"), ("x20", "m"), ("sp", "stack")):
        f.region(base, region)
    f.alias("z", "m")
    pairs = neon_plan(redc_op, level)
    pool = Pool([r for r in TEMPS if r not in ("x19", "x20", "x21")], VREGS_ALL if pairs and n >= 16 else VREGS)
    montredc.emit(f, pool, n, almost, "x19", ("sp", P), "x20", "x21", T, pairs, slots=S)
    f.finish(pool.all_used | {"x19", "x20", "x21"}, T + 16 * n, calls=True)
    return f
