"""Constant-time table lookup bignum_copy_row_from_table_{n}.

Reads every row; row i is OR-ed into the result under a mask that is all
ones exactly when i == idx (vpternlogq acc | (row & mask)). The only branch
is the loop over the public height; addresses depend on i, never on idx.
"""
from __future__ import annotations

from .asm import Function, mem

SIZES = (4, 6, 8, 12, 16, 24, 32)

TERNLOG_OR_AND = "0xf8"  # A | (B & C)


def chunks(n: int) -> list[tuple[int, int]]:
    """(word offset, width in words) pieces of 8 (zmm), 4 (ymm), 2 (xmm) words."""
    out, off = [], 0
    for width in (8, 4, 2):
        while n - off >= width:
            out.append((off, width))
            off += width
    assert off == n, "row size must be even"
    return out


def _vreg(i: int, width: int) -> str:
    return {8: "zmm", 4: "ymm", 2: "xmm"}[width] + str(i)


def _vmem(base: str, disp: int, width: int) -> str:
    size = {8: "ZMMWORD", 4: "YMMWORD", 2: "XMMWORD"}[width]
    return mem(base, disp, size=size)


def _row(f: Function, pieces, mask: int, tmp: int, index: str, disp: int, which: int) -> None:
    """OR row `index` (at rsi + disp) into the accumulators when index == idx (rcx); index++."""
    m = mask - which
    f.op("xor", "rax", "rax")
    f.op("cmp", index, "rcx")
    f.op("sete", "al")
    f.op("neg", "rax")
    f.op("vpbroadcastq", _vreg(m, 8), "rax")
    for i, (off, width) in enumerate(pieces):
        f.op("vmovdqu64", _vreg(tmp, width), _vmem("rsi", disp + 8 * off, width))
        f.op("vpternlogq", _vreg(i, width), _vreg(tmp, width), _vreg(m, width), TERNLOG_OR_AND)
    f.op("inc", index)


def generate(n: int) -> Function:
    name = f"bignum_copy_row_from_table_{n}"
    f = Function(
        name=name,
        summary=f"Constant-time table lookup, z := table[idx] ({n}-word rows)",
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t *table, "
                   f"uint64_t height, uint64_t idx)"),
        registers="Standard x86-64 ABI: RDI = z, RSI = table, RDX = height, RCX = idx",
        notes=[f"table has height rows of {n} words, row i at table + {n}*i; every row is read.",
               "If idx >= height the result is 0. Uses AVX-512F/VL (zmm0..).",
               "z must not overlap the table."],
    )
    pieces = chunks(n)
    k = len(pieces)
    mask, tmp = 29, 30  # masks zmm29/28, row words zmm30/31
    for i, (_, width) in enumerate(pieces):
        f.op("vpxorq", _vreg(i, 8), _vreg(i, 8), _vreg(i, 8))
    done = f.new_label("done")
    loop = f.new_label("loop")
    last = f.new_label("last")
    # two rows per iteration while two remain, then the odd last row;
    # r8 = row index, r9 = rows left (both public)
    f.op("xor", "r8", "r8")
    f.op("mov", "r9", "rdx")
    f.op("cmp", "r9", "2")
    f.op("jb", last)
    f.label(loop)
    for row in range(2):
        _row(f, pieces, mask, tmp + row, f"r8", 8 * n * row, row)
    f.op("add", "rsi", str(16 * n))
    f.op("sub", "r9", "2")
    f.op("cmp", "r9", "2")
    f.op("jae", loop)
    f.label(last)
    f.op("test", "r9", "r9")
    f.op("jz", done)
    _row(f, pieces, mask, tmp, "r8", 0, 0)
    f.label(done)
    for i, (off, width) in enumerate(pieces):
        f.op("vmovdqu64", _vmem("rdi", 8 * off, width), _vreg(i, width))
    f.op("vzeroupper")
    f.op("ret")
    assert k <= 28
    return f
