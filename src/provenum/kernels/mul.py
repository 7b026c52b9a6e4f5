"""Schoolbook multiplication bignum_mul_{n}_{2n}: z := x * y, fully unrolled.

Bands of up to 8 words of y, rows over the words of x (see product.py).
"""
from __future__ import annotations

from .asm import Function
from .product import emit_mul

SIZES = (4, 6, 8, 12, 16, 24, 32)

# window: 9 result words in registers; rax/rbx are the low/high product temps
WINDOW = ["rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]


def generate(n: int) -> Function:
    name = f"bignum_mul_{n}_{2 * n}"
    f = Function(
        name=name,
        summary=f"Multiply z := x * y, {n} x {n} -> {2 * n} words (schoolbook)",
        prototype=(f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}], "
                   f"const uint64_t y[static {n}])"),
        registers="Standard x86-64 ABI: RDI = z, RSI = x, RDX = y (moved to RCX)",
        notes=["z must not overlap x or y."],
    )
    width = min(n, 8)
    window = WINDOW[: width + 1]
    saved = [r for r in ("rbx", "rbp", "r12", "r13", "r14", "r15") if r in window + ["rbx"]]
    f.push_all(saved)
    f.op("mov", "rcx", "rdx")
    emit_mul(f, "rdi", "rsi", "rcx", n, n, window, "rax", "rbx")
    f.pop_all(saved)
    f.op("ret")
    return f
