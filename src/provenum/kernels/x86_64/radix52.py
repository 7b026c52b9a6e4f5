"""Conversions between 64-bit words and radix-2^52 digits: bignum_{to,from}_radix52_{h}_avx512ifma.

to:   h words x (the number sum x_j 2^(64 j)) -> n digits (20, 30, 40 for
      h = 16, 24, 32: amm52.HALF_WORDS), digit i = bits 52i .. 52i+51 of x,
      then zeros up to the buffer's stride; every digit < 2^52.
from: the inverse for a number below 2^(64h) whose digits are < 2^52: word j
      gathers the digits that overlap bits 64j .. 64j+63.
Straight-line shifts, ands and ors in general registers (no branch, no
secret-dependent address). They run at the IFMA level, beside the kernels
that use their results.
"""
from __future__ import annotations

from .amm52 import HALF_WORDS, LEVEL, MASK52, stride
from .asm import Function, mem
from .levels import symbol

DIGITS = {h: n for n, h in HALF_WORDS.items()}
SIZES = tuple(sorted(DIGITS))


def generate_to(h: int) -> Function:
    n = DIGITS[h]
    w = stride(n)
    name = symbol(f"bignum_to_radix52_{h}", LEVEL)
    f = Function(
        name=name,
        summary=f"Radix 2^64 to radix 2^52: {h} words to {n} digits",
        prototype=f"void {name}(uint64_t z[static {w}], const uint64_t x[static {h}])",
        registers="Standard x86-64 ABI: RDI = z, RSI = x",
        notes=[f"z[i] = bits 52i..52i+51 of x for i < {n}, z[i] = 0 for {n} <= i < {w}:",
               f"sum z_i 2^(52 i) = x, every z_i < 2^52. z must not overlap x."],
        level=LEVEL,
    )
    f.op("mov", "rdx", hex(MASK52))
    for i in range(n):
        lo = 52 * i
        word, shift = divmod(lo, 64)
        if word >= h:
            f.op("mov", mem("rdi", 8 * i), "0")
            continue
        f.op("mov", "rax", mem("rsi", 8 * word))
        if shift:
            f.op("shr", "rax", str(shift))
        if shift > 12 and word + 1 < h:         # the digit continues in the next word
            f.op("mov", "rcx", mem("rsi", 8 * word + 8))
            f.op("shl", "rcx", str(64 - shift))
            f.op("or", "rax", "rcx")
        if shift + 52 < 64 or (shift > 12 and word + 1 < h):
            f.op("and", "rax", "rdx")
        f.op("mov", mem("rdi", 8 * i), "rax")
    for i in range(n, w):
        f.op("mov", mem("rdi", 8 * i), "0")
    f.op("ret")
    return f


def generate_from(h: int) -> Function:
    n = DIGITS[h]
    w = stride(n)
    name = symbol(f"bignum_from_radix52_{h}", LEVEL)
    f = Function(
        name=name,
        summary=f"Radix 2^52 to radix 2^64: {n} digits to {h} words",
        prototype=f"void {name}(uint64_t z[static {h}], const uint64_t x[static {w}])",
        registers="Standard x86-64 ABI: RDI = z, RSI = x",
        notes=[f"Needs every digit x_i < 2^52 (i < {n}) and sum x_i 2^(52 i) < 2^{64 * h};",
               f"then z = that number in {h} words (digits {n}..{w - 1} are not read). z must not overlap x."],
        level=LEVEL,
    )
    for j in range(h):
        first = True
        for i in range(n):
            lo = 52 * i - 64 * j            # where digit i starts, relative to bit 0 of word j
            if lo >= 64 or lo + 52 <= 0:
                continue
            reg = "rax" if first else "rcx"
            f.op("mov", reg, mem("rsi", 8 * i))
            if lo > 0:
                f.op("shl", reg, str(lo))
            elif lo < 0:
                f.op("shr", reg, str(-lo))
            if not first:
                f.op("or", "rax", "rcx")
            first = False
        f.op("mov", mem("rdi", 8 * j), "rax")
    f.op("ret")
    return f
