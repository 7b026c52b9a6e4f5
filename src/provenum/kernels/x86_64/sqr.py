"""Squaring bignum_sqr_{n}_{2n}_{level}: z := x^2, fully unrolled.

bmi2: each cross product x_i*x_k (i < k) once -- up to 8 words in n/2
passes of n-1 products (arith_bmi2.emit_cross_passes), above by bands --
then one pass that doubles the cross sum on the adcx chain and adds the
diagonal squares on the adox chain. baseline: column by column, the column's cross products
once, doubled, plus its diagonal square.
"""
from __future__ import annotations

from .asm import CALLEE_SAVED, Function
from .levels import arith, symbol

SIZES = (4, 6, 8, 12, 16, 24, 32)

WINDOW = ["rcx", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14"]


def generate(n: int, level: str) -> Function:
    name = symbol(f"bignum_sqr_{n}_{2 * n}", level)
    f = Function(
        name=name,
        summary=f"Square z := x^2, {n} -> {2 * n} words",
        prototype=f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}])",
        registers="Standard x86-64 ABI: RDI = z, RSI = x",
        notes=["z must not overlap x."],
        level=level,
    )
    a = arith(level)
    used = a.sqr_registers(n, WINDOW, "rax", "rbx", "r15")
    saved = [r for r in CALLEE_SAVED if r in used]
    f.push_all(saved)
    a.emit_sqr(f, "rdi", "rsi", n, WINDOW, "rax", "rbx", "r15")
    f.pop_all(saved)
    f.op("ret")
    return f
