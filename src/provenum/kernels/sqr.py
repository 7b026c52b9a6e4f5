"""Squaring bignum_sqr_{n}_{2n}: z := x^2, fully unrolled.

Each cross product x_i*x_k (i < k) once, by bands (product.py), then one
pass that doubles the cross sum on the adcx chain and adds the diagonal
squares x_i^2 on the adox chain.
"""
from __future__ import annotations

from .asm import Function
from .product import emit_cross_triangle, emit_double_add_squares

SIZES = (4, 6, 8, 12, 16, 24, 32)

WINDOW = ["rcx", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14"]


def generate(n: int) -> Function:
    name = f"bignum_sqr_{n}_{2 * n}"
    f = Function(
        name=name,
        summary=f"Square z := x^2, {n} -> {2 * n} words",
        prototype=f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}])",
        registers="Standard x86-64 ABI: RDI = z, RSI = x",
        notes=["z must not overlap x."],
    )
    width = min(n - 1, 8)
    window = WINDOW[: width + 1]
    saved = [r for r in ("rbx", "rbp", "r12", "r13", "r14", "r15") if r in window + ["rbx", "r15"]]
    f.push_all(saved)
    held = emit_cross_triangle(f, "rdi", "rsi", n, window, "rax", "rbx")
    emit_double_add_squares(f, "rdi", "rsi", n, held, "r15", "rax", "rbx")
    f.pop_all(saved)
    f.op("ret")
    return f
