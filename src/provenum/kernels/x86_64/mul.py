"""Schoolbook multiplication bignum_mul_{n}_{2n}_{level}: z := x * y, fully unrolled.

bmi2: bands of up to 8 words of y, rows over the words of x (arith_bmi2).
baseline: product scanning, one column at a time (arith_baseline).
"""
from __future__ import annotations

from .asm import CALLEE_SAVED, Function
from .levels import arith, symbol

SIZES = (4, 6, 8, 12, 16, 24, 32)

# window: result words (bmi2) or accumulators (baseline); rax/rbx are the low/high product temps
WINDOW = ["rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]


def generate(n: int, level: str) -> Function:
    name = symbol(f"bignum_mul_{n}_{2 * n}", level)
    how = "column by column" if level == "baseline" else "bands of mulx rows"
    f = Function(
        name=name,
        summary=f"Multiply z := x * y, {n} x {n} -> {2 * n} words (schoolbook, {how})",
        prototype=(f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}], "
                   f"const uint64_t y[static {n}])"),
        registers="Standard x86-64 ABI: RDI = z, RSI = x, RDX = y (moved to RCX)",
        notes=["z must not overlap x or y."],
        level=level,
    )
    a = arith(level)
    used = a.mul_registers(n, WINDOW, "rax", "rbx")
    saved = [r for r in CALLEE_SAVED if r in used]
    f.push_all(saved)
    f.op("mov", "rcx", "rdx")
    a.emit_mul(f, "rdi", "rsi", "rcx", n, n, WINDOW, "rax", "rbx")
    f.pop_all(saved)
    f.op("ret")
    return f
