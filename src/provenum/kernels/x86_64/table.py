"""Constant-time table lookup bignum_copy_row_from_table_{n}_{level}.

Reads every row; row i is OR-ed into the result under a mask that is all
ones exactly when i == idx. The only branches are those of the loop over
the public height (two rows per iteration, then an odd last row); addresses
depend on i, never on idx. Three forms, by level:

  baseline  the mask in a general register (sete; neg), each word AND-ed
            and OR-ed into z in memory;
  avx2      the mask from vpcmpeqq of a lane counter against idx, each
            row AND-ed and OR-ed into ymm (and xmm) accumulators;
  avx512    the mask broadcast from a general register, row and mask
            merged into zmm (ymm, xmm) accumulators by one vpternlogq.
"""
from __future__ import annotations

from .asm import Function, mem
from .levels import symbol

SIZES = (4, 6, 8, 12, 16, 24, 32)
LEVELS = ("baseline", "avx2", "avx512")

TERNLOG_OR_AND = "0xf8"  # A | (B & C)
_VREG = {8: "zmm", 4: "ymm", 2: "xmm"}
_VSIZE = {8: "ZMMWORD", 4: "YMMWORD", 2: "XMMWORD"}


def chunks(n: int, widest: int = 8) -> list[tuple[int, int]]:
    """(word offset, width in words) pieces of 8 (zmm), 4 (ymm), 2 (xmm) words."""
    out, off = [], 0
    for width in (8, 4, 2):
        if width > widest:
            continue
        while n - off >= width:
            out.append((off, width))
            off += width
    assert off == n, "row size must be even"
    return out


def _vreg(i: int, width: int) -> str:
    return _VREG[width] + str(i)


def _vmem(base: str, disp: int, width: int) -> str:
    return mem(base, disp, size=_VSIZE[width])


def _row_mask(f: Function) -> None:
    """RAX := all ones if the row index (R8) is idx (RCX), else 0 (sete; neg: no branch)."""
    f.op("xor", "eax", "eax")
    f.op("cmp", "r8", "rcx")
    f.op("sete", "al")
    f.op("neg", "rax")


class _Gpr:
    """baseline: z in memory is the accumulator; mask in RAX."""
    needs_upper_clear = False

    def __init__(self, f: Function, n: int):
        self.f, self.n = f, n

    def start(self) -> None:
        for k in range(self.n):
            self.f.op("mov", mem("rdi", 8 * k), "0")

    def row(self, disp: int, which: int) -> None:
        f = self.f
        _row_mask(f)
        for k in range(self.n):
            f.op("mov", "r10", mem("rsi", disp + 8 * k))
            f.op("and", "r10", "rax")
            f.op("or", mem("rdi", 8 * k), "r10")
        f.op("inc", "r8")

    def finish(self) -> None:
        pass


class _Avx2:
    """avx2: accumulators ymm0.. (xmm for a last 2-word piece); ymm12 = lane
    counter i, ymm13 = idx, ymm14 = ones, masks ymm15/ymm11, row words ymm10/ymm9."""
    COUNTER, IDX, ONE, MASKS, TMPS = 12, 13, 14, (15, 11), (10, 9)

    def __init__(self, f: Function, n: int):
        self.f, self.n = f, n
        self.pieces = chunks(n, 4)
        assert len(self.pieces) <= 9

    def start(self) -> None:
        f = self.f
        for i, _ in enumerate(self.pieces):
            f.op("vpxor", _vreg(i, 4), _vreg(i, 4), _vreg(i, 4))
        f.op("vmovq", _vreg(self.IDX, 2), "rcx")
        f.op("vpbroadcastq", _vreg(self.IDX, 4), _vreg(self.IDX, 2))
        f.op("mov", "eax", "1")
        f.op("vmovq", _vreg(self.ONE, 2), "rax")
        f.op("vpbroadcastq", _vreg(self.ONE, 4), _vreg(self.ONE, 2))
        f.op("vpxor", _vreg(self.COUNTER, 4), _vreg(self.COUNTER, 4), _vreg(self.COUNTER, 4))

    def row(self, disp: int, which: int) -> None:
        f = self.f
        m, t = self.MASKS[which], self.TMPS[which]
        f.op("vpcmpeqq", _vreg(m, 4), _vreg(self.COUNTER, 4), _vreg(self.IDX, 4))
        f.op("vpaddq", _vreg(self.COUNTER, 4), _vreg(self.COUNTER, 4), _vreg(self.ONE, 4))
        for i, (off, width) in enumerate(self.pieces):
            if width == 4:
                f.op("vpand", _vreg(t, 4), _vreg(m, 4), _vmem("rsi", disp + 8 * off, 4))
            else:  # the 2-word piece: load, then the register form
                f.op("vmovdqu", _vreg(t, 2), _vmem("rsi", disp + 8 * off, 2))
                f.op("vpand", _vreg(t, 2), _vreg(t, 2), _vreg(m, 2))
            f.op("vpor", _vreg(i, width), _vreg(i, width), _vreg(t, width))

    def finish(self) -> None:
        for i, (off, width) in enumerate(self.pieces):
            self.f.op("vmovdqu", _vmem("rdi", 8 * off, width), _vreg(i, width))
        self.f.op("vzeroupper")


class _Avx512:
    """avx512: accumulators zmm0.. (ymm, xmm for the remainder); masks
    zmm29/28 broadcast from RAX, row words zmm30/31."""
    MASK, TMP = 29, 30

    def __init__(self, f: Function, n: int):
        self.f, self.n = f, n
        self.pieces = chunks(n, 8)
        assert len(self.pieces) <= 28

    def start(self) -> None:
        for i, _ in enumerate(self.pieces):
            self.f.op("vpxorq", _vreg(i, 8), _vreg(i, 8), _vreg(i, 8))

    def row(self, disp: int, which: int) -> None:
        f = self.f
        m, t = self.MASK - which, self.TMP + which
        _row_mask(f)
        f.op("vpbroadcastq", _vreg(m, 8), "rax")
        for i, (off, width) in enumerate(self.pieces):
            f.op("vmovdqu64", _vreg(t, width), _vmem("rsi", disp + 8 * off, width))
            f.op("vpternlogq", _vreg(i, width), _vreg(t, width), _vreg(m, width), TERNLOG_OR_AND)
        f.op("inc", "r8")

    def finish(self) -> None:
        for i, (off, width) in enumerate(self.pieces):
            self.f.op("vmovdqu64", _vmem("rdi", 8 * off, width), _vreg(i, width))
        self.f.op("vzeroupper")


_FORMS = {"baseline": _Gpr, "avx2": _Avx2, "avx512": _Avx512}
_HOW = {"baseline": "general registers with masks", "avx2": "AVX2 (ymm)", "avx512": "AVX-512 (zmm, vpternlogq)"}


def generate(n: int, level: str) -> Function:
    name = symbol(f"bignum_copy_row_from_table_{n}", level)
    f = Function(
        name=name,
        summary=f"Constant-time table lookup, z := table[idx] ({n}-word rows, {_HOW[level]})",
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t *table, "
                   f"uint64_t height, uint64_t idx)"),
        registers="Standard x86-64 ABI: RDI = z, RSI = table, RDX = height, RCX = idx",
        notes=[f"table has height rows of {n} words, row i at table + {n}*i; every row is read.",
               "If idx >= height the result is 0.",
               "z must not overlap the table."],
        level=level,
    )
    form = _FORMS[level](f, n)
    form.start()
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
        form.row(8 * n * row, row)
    f.op("add", "rsi", str(16 * n))
    f.op("sub", "r9", "2")
    f.op("cmp", "r9", "2")
    f.op("jae", loop)
    f.label(last)
    f.op("test", "r9", "r9")
    f.op("jz", done)
    form.row(0, 0)
    f.label(done)
    form.finish()
    f.op("ret")
    return f
