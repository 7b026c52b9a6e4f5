"""The arithmetic of the baseline level: plain x86-64 mul and add/adc chains.

The same functions as arith_bmi2 (the family generators call either), for
CPUs without BMI2/ADX. With one carry flag that `mul` clobbers, every sum is
formed by *product scanning*: one result column at a time, its products
added into a three-word accumulator

    mov rax, x[i]; mul y[j]; add a, rax; adc b, rdx; adc c, 0

so no carry is ever dropped (a column of at most 32 products plus its carry
in stays far below 2^192), and the column's low word is retired with one
store. Squares add each cross product once into a second accumulator,
double it, then add the diagonal square. Montgomery reduction is the same
scan over the columns of x + q*m (q word by word, the low columns cleared
by q_i = a * w), as in Koc, Acar and Kaliski's product-scanning ("FIPS")
method.

`mul` needs RAX and RDX; bases and accumulators must avoid them.
"""
from __future__ import annotations

from .asm import Function, mem


class Columns:
    """A three-word accumulator (a, b, c) over registers, retiring one column at a time."""

    def __init__(self, f: Function, regs):
        assert len(regs) == 3 and not {"rax", "rdx"} & set(regs)
        self.f = f
        self.a, self.b, self.c = regs
        self.zero = {self.a, self.b, self.c}   # registers known to hold 0
        for r in regs:
            f.op("xor", r, r)

    def add_product(self, x: str, y: str) -> None:
        """(a, b, c) += x * y for memory operands x, y (RAX, RDX clobbered)."""
        f = self.f
        f.op("mov", "rax", x)
        f.op("mul", y)
        self._add_rax_rdx()

    def add_square(self, x: str) -> None:
        f = self.f
        f.op("mov", "rax", x)
        f.op("mul", "rax")
        self._add_rax_rdx()

    def _add_rax_rdx(self) -> None:
        f = self.f
        f.op("add", self.a, "rax")
        f.op("adc", self.b, "rdx")
        f.op("adc", self.c, "0")
        self.zero -= {self.a, self.b, self.c}

    def last_product(self, x: str, y: str | None, lo_dst: str, hi_dst: str) -> None:
        """The top column of a product (one product, x*y or x^2 when y is None):
        add it and store both words, the low one before the high add so the
        words below are in place when its carry (which the value's size makes
        0) is formed; the third word is never needed."""
        f = self.f
        f.op("mov", "rax", x)
        f.op("mul", "rax" if y is None else y)
        f.op("add", self.a, "rax")
        f.op("mov", lo_dst, self.a)
        f.op("adc", self.b, "rdx")
        f.op("mov", hi_dst, self.b)

    def add_word(self, x: str) -> None:
        """(a, b, c) += the memory word x."""
        f = self.f
        f.op("add", self.a, x)
        f.op("adc", self.b, "0")
        f.op("adc", self.c, "0")
        self.zero -= {self.a, self.b, self.c}

    def add_triple(self, other: "Columns", double: bool) -> None:
        """(a, b, c) += (2 if double else 1) * other's accumulator (which is consumed)."""
        f = self.f
        if double:
            f.op("add", other.a, other.a)
            f.op("adc", other.b, other.b)
            f.op("adc", other.c, other.c)
        f.op("add", self.a, other.a)
        f.op("adc", self.b, other.b)
        f.op("adc", self.c, other.c)
        self.zero -= {self.a, self.b, self.c}

    def retire(self, dst: str | None) -> None:
        """Store the column's low word (if dst) and shift: (a, b, c) := (b, c, 0)."""
        f = self.f
        if dst is not None:
            f.op("mov", dst, self.a)
        low = self.a
        self.a, self.b, self.c = self.b, self.c, low
        if low not in self.zero:
            f.op("xor", low, low)
            self.zero.add(low)


def _column_pairs(k: int, nx: int, ny: int):
    return [(i, k - i) for i in range(max(0, k - ny + 1), min(k, nx - 1) + 1)]


def emit_mul(f: Function, z: str, x: str, y: str, nx: int, ny: int, window: list[str], lo: str, hi: str) -> None:
    """z[0 .. nx+ny) := x[0 .. nx) * y[0 .. ny), column by column.

    The accumulator is window[0..2]; RAX (which must be `lo`) and RDX are the
    product registers; `hi` is not needed here.
    """
    assert lo == "rax" and "rdx" not in (z, x, y) and "rdx" not in window[:3]
    acc = Columns(f, window[:3])
    top = nx + ny - 2
    for k in range(top):
        for i, j in _column_pairs(k, nx, ny):
            acc.add_product(mem(x, 8 * i), mem(y, 8 * j))
        acc.retire(mem(z, 8 * k))
    acc.last_product(mem(x, 8 * (nx - 1)), mem(y, 8 * (ny - 1)), mem(z, 8 * top), mem(z, 8 * (top + 1)))


def mul_registers(n: int, window: list[str], lo: str, hi: str) -> list[str]:
    return window[:3] + ["rax", "rdx"]


def emit_sqr(f: Function, z: str, x: str, n: int, window: list[str], lo: str, hi: str, tmp: str) -> None:
    """z[0 .. 2n) := x^2, column by column: cross products once into a second
    accumulator, doubled, plus the diagonal square of the column.

    Accumulators window[0..2] and window[3..5]; RAX (== lo) and RDX.
    """
    assert lo == "rax" and "rdx" not in (z, x) and "rdx" not in window[:6]
    acc = Columns(f, window[:3])
    cross_regs = window[3:6]
    top = 2 * n - 2
    for k in range(top):
        pairs = [(i, j) for i, j in _column_pairs(k, n, n) if i < j]
        if pairs:
            cross = Columns(f, cross_regs)
            for i, j in pairs:
                cross.add_product(mem(x, 8 * i), mem(x, 8 * j))
            acc.add_triple(cross, double=True)
        if k % 2 == 0:
            acc.add_square(mem(x, 8 * (k // 2)))
        acc.retire(mem(z, 8 * k))
    acc.last_product(mem(x, 8 * (n - 1)), None, mem(z, 8 * top), mem(z, 8 * (top + 1)))


def sqr_registers(n: int, window: list[str], lo: str, hi: str, tmp: str) -> list[str]:
    return window[:6] + ["rax", "rdx"]


# --- Montgomery reduction ----------------------------------------------------------------

def emit_redc_rows(f: Function, n: int, t_off: int, looped: bool = False) -> None:
    """Reduce x (RSI, 2n words) by m (R8), w (RCX) into the 2n-word buffer at rsp + 8*t_off.

    Column i < n: a += x_i + sum_{j<i} q_j m_{i-j}, then q_i = a * w (stored
    in t[i]) and a += q_i m_0, which clears it. Column i >= n: a += x_i +
    sum_{j>i-n} q_j m_{i-j}, retired into t[i]. Leaves the value's words in
    t[n .. 2n) and its carry bit (the column past 2n-1) in R12, as the bmi2
    rows do. Uses RAX, RDX, R9-R11, RBX, R12.
    """
    if looped:
        raise ValueError("the baseline reduction scans columns; it has no looped form")
    t = f"rsp+{8 * t_off}" if t_off else "rsp"
    x, m, w, q = "rsi", "r8", "rcx", "r9"
    acc = Columns(f, ["r10", "r11", "rbx"])
    for i in range(2 * n):
        f.comment(f"column {i}")
        acc.add_word(mem(x, 8 * i))
        for j in range(max(0, i - n + 1), min(i, n)):
            acc.add_product(mem(m, 8 * (i - j)), mem(t, 8 * j))
        if i < n:
            f.op("mov", q, acc.a)
            f.op("imul", q, w)
            f.op("mov", mem(t, 8 * i), q)
            f.op("mov", "rax", q)
            f.op("mul", mem(m, 0))
            f.op("add", acc.a, "rax")  # the column's word becomes 0; only the carry matters
            f.op("adc", acc.b, "rdx")
            f.op("adc", acc.c, "0")
            acc.retire(None)
        else:
            acc.retire(mem(t, 8 * i))
    f.op("mov", "r12", acc.a)


def emit_almost_subtract(f: Function, n: int, t: str) -> None:
    """z (RDI) := t[n .. 2n) - m (R8) when the carry bit in R12 is set, else t[n .. 2n).

    Two passes, since the carry chain clobbers the flag the selection reads:
    m or 0 into t[0 .. n) (free after the reduction), then the subtraction.
    z may alias m: every m word is read before the first store to z.
    """
    a = "rax"
    f.comment("t_lo = m if the carry bit is set else 0; z = t_hi - t_lo")
    f.op("mov", "r9", "0")
    f.op("test", "r12", "r12")  # ZF: no carry bit, subtract nothing
    for k in range(n):
        f.op("mov", a, mem("r8", 8 * k))
        f.op("cmovz", a, "r9")
        f.op("mov", mem(t, 8 * k), a)
    for k in range(n):
        f.op("mov", a, mem(t, 8 * (n + k)))
        f.op("sub" if k == 0 else "sbb", a, mem(t, 8 * k))
        f.op("mov", mem("rdi", 8 * k), a)


# --- Karatsuba: add the middle term ----------------------------------------------------

def emit_karatsuba_combine(f: Function, n: int, square: bool, z: str, ms: str, mid: int, total: int) -> None:
    """z[h ..] += sum + (mid ^ ms) - ms, in two passes on the one carry chain.

    Pass 1 forms the middle term in place of mid (its top word in RCX = sum's
    carry + ms + the chain's carry); pass 2 adds it into z and ripples the
    carry to the top. For squares mid is always subtracted (its one's
    complement plus 1). Uses RAX.
    """
    h = n // 2
    r = "rax"
    f.comment("mid = sum + (mid ^ ms) + sign (CF = sign), top word in rcx")
    if square:
        f.op("stc")
    else:
        f.op("bt", ms, "0")  # CF = sign: ms is 0 or -1
    for k in range(n):
        if square:
            f.op("mov", r, mem("rsp", 8 * (mid + k)))
            f.op("not", r)
            f.op("adc", r, mem("rsp", 8 * (total + k)))
        else:
            f.op("mov", r, mem("rsp", 8 * (total + k)))
            f.op("adc", r, mem("rsp", 8 * (mid + k)))
        f.op("mov", mem("rsp", 8 * (mid + k)), r)
    f.op("adc", "rcx", ms)
    f.comment("z[h..] += mid")
    for k in range(n):
        f.op("mov", r, mem("rsp", 8 * (mid + k)))
        f.op("add" if k == 0 else "adc", mem(z, 8 * (h + k)), r)
    f.op("adc", mem(z, 8 * (h + n)), "rcx")
    for k in range(h + n + 1, 2 * n):
        f.op("adc", mem(z, 8 * k), "0")


# --- exponentiation: exact doublings modulo M --------------------------------------------

def emit_doubling(f: Function, n: int, acc, negm, yb) -> None:
    """acc := 2*acc mod M for acc < M (one step; acc/negm/yb map a word index to its operand).

    y = 2*acc into yb, d = y + (R - M) into acc, each on its own pass with its
    carry kept; then keep y where 2*acc < M (neither pass carried). Uses RAX,
    RCX, RDX.
    """
    f.op("xor", "eax", "eax")
    f.op("xor", "ecx", "ecx")
    for i in range(n):
        f.op("mov", "rdx", acc(i))
        f.op("add" if i == 0 else "adc", "rdx", "rdx")   # y = 2*acc
        f.op("mov", yb(i), "rdx")
    f.op("setc", "al")
    for i in range(n):
        f.op("mov", "rdx", yb(i))
        f.op("add" if i == 0 else "adc", "rdx", negm(i))  # d = y + (R - M)
        f.op("mov", acc(i), "rdx")
    f.op("setc", "cl")
    f.op("or", "rax", "rcx")  # ZF: 2*acc < M, keep y
    for i in range(n):
        f.op("mov", "rdx", acc(i))
        f.op("cmovz", "rdx", yb(i))
        f.op("mov", acc(i), "rdx")
