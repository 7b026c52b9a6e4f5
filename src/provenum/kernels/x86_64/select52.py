"""Both CRT halves' window rows in one constant-time pass: bignum_select52x2_{n}_avx512ifma.

The radix-2^52 exponentiation (native/csrc/rsa_ifma.c) keeps one table of
ROWS = 32 rows; row k holds a^k R of both halves side by side, 2 stride(n)
words, exactly the dual buffer the amm52x2 kernels load. Each multiplication
needs row idx0's first half and row idx1's second half (each half has its
own window value):

    z[0 .. w)  := table[2w idx0 .. 2w idx0 + w)
    z[w .. 2w) := table[2w idx1 + w .. 2w idx1 + 2w)        (w = stride(n))

Every word of every row is loaded (no address depends on idx0, idx1): per
row, the row number is compared with each index into an opmask (vpcmpeqq of
a counter vector against the broadcast index), and the loaded words are
merged into the result by a register move under that mask (vmovdqu64 z{k}, t). The loads are plain
(unmasked) so that which cache lines are touched never depends on a secret.
Straight-line: no branch at all.
"""
from __future__ import annotations

from .amm52 import LEVEL, SIZES, stride
from .asm import Function, mem
from .levels import symbol

ROWS = 32
_IDX, _COUNTER, _ONES = (30, 29), 28, 27
_LOADS = range(16, 27)          # rotating registers for the rows' words


def generate(n: int) -> Function:
    assert n in SIZES
    w = stride(n)
    v = w // 8                  # zmm words per half
    name = symbol(f"bignum_select52x2_{n}", LEVEL)
    f = Function(
        name=name,
        summary=f"Constant-time selection of both halves' rows of a {ROWS}-row radix-2^52 table, {n} digits",
        prototype=(f"void {name}(uint64_t z[static {2 * w}], const uint64_t table[static {ROWS * 2 * w}], "
                   f"uint64_t idx0, uint64_t idx1)"),
        registers="Standard x86-64 ABI: RDI = z, RSI = table, RDX = idx0, RCX = idx1",
        notes=[f"Row k is table[{2 * w}k .. {2 * w}k+{2 * w - 1}]: two numbers of {w} words (the dual layout).",
               f"Needs idx0, idx1 < {ROWS}; then z[0..{w - 1}] = row idx0's first {w} words and",
               f"z[{w}..{2 * w - 1}] = row idx1's last {w} words. Every table word is read;",
               "no address or branch depends on idx0 or idx1. z must not overlap the table."],
        level=LEVEL,
    )
    acc = [[f"zmm{h * v + j}" for j in range(v)] for h in (0, 1)]
    f.op("vpbroadcastq", f"zmm{_IDX[0]}", "rdx")
    f.op("vpbroadcastq", f"zmm{_IDX[1]}", "rcx")
    f.op("mov", "eax", "1")
    f.op("vpbroadcastq", f"zmm{_ONES}", "rax")
    f.op("vpxorq", f"zmm{_COUNTER}", f"zmm{_COUNTER}", f"zmm{_COUNTER}")
    for half in acc:
        for a in half:
            f.op("vpxorq", a, a, a)
    load = 0
    for k in range(ROWS):
        for h in (0, 1):
            f.op("vpcmpeqq", f"k{h + 1}", f"zmm{_COUNTER}", f"zmm{_IDX[h]}")
        for h in (0, 1):
            for j in range(v):
                t = f"zmm{_LOADS[load % len(_LOADS)]}"
                load += 1
                f.op("vmovdqu64", t, mem("rsi", 8 * (2 * w * k + w * h + 8 * j), size="ZMMWORD"))
                f.op("vmovdqu64", f"{acc[h][j]}{{k{h + 1}}}", t)
        if k + 1 < ROWS:
            f.op("vpaddq", f"zmm{_COUNTER}", f"zmm{_COUNTER}", f"zmm{_ONES}")
    for h in (0, 1):
        for j in range(v):
            f.op("vmovdqu64", mem("rdi", 8 * (w * h + 8 * j), size="ZMMWORD"), acc[h][j])
    f.op("vzeroupper")
    f.op("ret")
    return f
