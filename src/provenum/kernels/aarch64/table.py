"""Constant-time table lookup bignum_copy_row_from_table_{n}_{level}.

Reads every row; row i is merged into the result under a mask that is all
ones exactly when i == idx. The only branches are those of the loop over
the public height (two rows per iteration, then an odd last row); addresses
depend on i, never on idx.

  scalar  the mask from cmp; csetm, each word AND-ed and OR-ed into
          accumulators in general registers (up to 16 words; beyond, in z);
  neon    the mask from cmeq of a lane counter against idx (both lanes of a
          vector), each pair of words merged into a vector accumulator by
          one bit (insert where the mask is set).
"""
from __future__ import annotations

from .asm import Function, mem
from .levels import symbol

SIZES = (4, 6, 8, 12, 16, 24, 32)
LEVELS = ("scalar", "neon")
REGISTER_WORDS = 16          # scalar: accumulators in registers up to this many words

_GPRS = tuple(f"x{i}" for i in range(6, 18)) + tuple(f"x{i}" for i in range(19, 29))


class _Scalar:
    def __init__(self, f: Function, n: int):
        self.f, self.n = f, n
        self.in_regs = n <= REGISTER_WORDS
        self.acc = list(_GPRS[:n]) if self.in_regs else []
        self.tmp = _GPRS[n:n + 4] if self.in_regs else _GPRS[:4]
        self.used = set(self.acc) | set(self.tmp)

    def start(self) -> None:
        f = self.f
        if self.in_regs:
            for r in self.acc:
                f.op("mov", r, "xzr")
        else:
            for k in range(0, self.n, 2):
                f.op("stp", "xzr", "xzr", mem("x0", 8 * k))

    def row(self, disp: int, which: int) -> None:
        f, (t0, t1, mask, z) = self.f, self.tmp
        f.op("cmp", "x4", "x3")
        f.op("csetm", mask, "eq")
        for k in range(0, self.n, 2):
            f.op("ldp", t0, t1, mem("x1", disp + 8 * k))
            if self.in_regs:
                for t, r in ((t0, self.acc[k]), (t1, self.acc[k + 1])):
                    f.op("and", t, t, mask)
                    f.op("orr", r, r, t)
            else:
                for u, t in enumerate((t0, t1)):
                    f.op("and", t, t, mask)
                    f.op("ldr", z, mem("x0", 8 * (k + u)))
                    f.op("orr", z, z, t)
                    f.op("str", z, mem("x0", 8 * (k + u)))
        f.op("add", "x4", "x4", "#1")

    def finish(self) -> None:
        if self.in_regs:
            for k in range(0, self.n, 2):
                self.f.op("stp", self.acc[k], self.acc[k + 1], mem("x0", 8 * k))


class _Neon:
    """accumulators v0.. (n/2 of them); v16 = lane counter, v17 = idx, v18 = ones, v19/v20 masks,
    row words in v21.. (two rows in flight)."""
    COUNTER, IDX, ONE, MASKS = "v16", "v17", "v18", ("v19", "v20")

    def __init__(self, f: Function, n: int):
        self.f, self.n = f, n
        self.acc = [f"v{i}" for i in range(n // 2)] if n <= 16 else [f"v{i}" for i in range(8)] + \
            [f"v{i}" for i in range(24, 24 + n // 2 - 8)]
        self.rows = ("v21", "v22")
        self.used = set(self.acc) | {self.COUNTER, self.IDX, self.ONE, *self.MASKS, *self.rows}
        assert len(set(self.acc)) == n // 2 and not set(self.acc) & {self.COUNTER, self.IDX, self.ONE,
                                                                      *self.MASKS, *self.rows}

    def start(self) -> None:
        f = self.f
        for r in self.acc:
            f.op("movi", f"{r}.2d", "#0")
        f.op("dup", f"{self.IDX}.2d", "x3")
        f.op("movi", f"{self.COUNTER}.2d", "#0")
        f.op("mov", "x9", "#1")
        f.op("dup", f"{self.ONE}.2d", "x9")

    def row(self, disp: int, which: int) -> None:
        f = self.f
        m, t = self.MASKS[which], self.rows[which]
        f.op("cmeq", f"{m}.2d", f"{self.COUNTER}.2d", f"{self.IDX}.2d")
        f.op("add", f"{self.COUNTER}.2d", f"{self.COUNTER}.2d", f"{self.ONE}.2d")
        for k, r in enumerate(self.acc):
            f.op("ldr", f"q{t[1:]}", mem("x1", disp + 16 * k))
            f.op("bit", f"{r}.16b", f"{t}.16b", f"{m}.16b")

    def finish(self) -> None:
        for k in range(0, len(self.acc), 2):
            if k + 1 < len(self.acc):
                self.f.op("stp", f"q{self.acc[k][1:]}", f"q{self.acc[k + 1][1:]}", mem("x0", 32 * (k // 2)))
            else:
                self.f.op("str", f"q{self.acc[k][1:]}", mem("x0", 16 * k))


_FORMS = {"scalar": _Scalar, "neon": _Neon}
_HOW = {"scalar": "general registers with masks", "neon": "Neon, bit-insert under a lane mask"}


def generate(n: int, level: str) -> Function:
    name = symbol(f"bignum_copy_row_from_table_{n}", level)
    f = Function(
        name=name,
        summary=f"Constant-time table lookup, z := table[idx] ({n}-word rows, {_HOW[level]})",
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t *table, "
                   f"uint64_t height, uint64_t idx)"),
        registers="Standard ARM ABI: X0 = z, X1 = table, X2 = height, X3 = idx",
        notes=[f"table has height rows of {n} words, row i at table + {n}*i; every row is read.",
               "If idx >= height the result is 0.",
               "z must not overlap the table."],
        level=level,
    )
    f.region("x0", "z")
    f.region("x1", "table")
    form = _FORMS[level](f, n)
    form.start()
    done = f.new_label("done")
    loop = f.new_label("loop")
    last = f.new_label("last")
    # two rows per iteration while two remain, then the odd last row;
    # x4 = row index, x5 = rows left (both public); x1 walks the table
    f.op("mov", "x4", "xzr")
    f.op("mov", "x5", "x2")
    f.op("cmp", "x5", "#2")
    f.op("b.lo", last)
    f.label(loop)
    for r in range(2):
        form.row(8 * n * r, r)
    f.op("add", "x1", "x1", f"#{16 * n}")
    f.op("sub", "x5", "x5", "#2")
    f.op("cmp", "x5", "#2")
    f.op("b.hs", loop)
    f.label(last)
    f.op("cbz", "x5", done)
    form.row(0, 0)
    f.label(done)
    form.finish()
    f.finish(form.used)
    return f
