"""The integer side of the AArch64 kernels: product scanning on one carry chain.

mul and umulh leave the flags alone, so every sum is formed one result
column at a time in an accumulator:

    mul lo, x_i, y_j ; umulh hi, x_i, y_j ; adds a, a, lo ; adcs b, b, hi ; adc c, c, xzr

as in the x86-64 baseline (and Koc, Acar and Kaliski's product scanning),
and the column's low word is retired with one store. The accumulator knows
a bound on its value, so no chain is longer than the value can reach and
no carry that could be nonzero is ever dropped (Columns). Words known to be
zero are never materialised (xzr stands in), and the first product into a
fresh one is simply adopted.

At the neon level, the lo/hi words of some products come from the vector
unit instead (neon.NeonProducts, by the kernel's plan); the chains are the
same. Squares add each cross product once into a second accumulator, double
it, then add the column's diagonal square. Montgomery reduction is the same
scan over the columns of x + q*m, q_i = a * w clearing column i
(montredc.py).
"""
from __future__ import annotations

from .asm import mem
from .neon import NeonProducts, VPool

# general registers the engines may use for temporaries (x0-x2 hold the arguments, x18 is the
# platform register, x29/x30 the frame pointer and link register)
TEMPS = tuple(f"x{i}" for i in range(3, 18)) + tuple(f"x{i}" for i in range(19, 29))
VREGS = tuple(f"v{i}" for i in range(0, 8)) + tuple(f"v{i}" for i in range(16, 31))
# with v8-v15 too (their low halves are callee-saved: Function.finish saves d8-d15 then)
VREGS_ALL = VREGS + tuple(f"v{i}" for i in range(8, 16))


class Pool(VPool):
    """General registers handed out round-robin, with the vector registers beside them."""

    def __init__(self, names, vregs=VREGS):
        super().__init__(names)
        self.vpool = VPool(vregs)         # the vector registers, for the Neon products

    @property
    def all_used(self) -> set[str]:
        return self.used | self.vpool.used

    def take(self) -> str:
        r = super().take()
        if r is None:
            raise RuntimeError("out of general registers")
        return r


PRODUCT_MAX = (2**64 - 1) ** 2
WORD_MAX = 2**64 - 1


class Columns:
    """A four-word accumulator over pool registers, retiring one column at a time.

    Word 0 is the current column. The accumulator knows a bound on its value,
    so each addition's carry chain is exactly as long as the value can reach:
    the carry out of its last word is zero by that bound (which is how the
    prover sees it too), or by `cap`, a bound on the final value. A zero word
    has no register (None; xzr stands in): the first value added there is
    adopted, a carry reaching it is taken by cset and stops.
    """

    WIDTH = 4

    def __init__(self, f, pool: Pool, cap: int | None = None):
        self.f, self.pool = f, pool
        self.words: list[str | None] = [None] * self.WIDTH
        self.bound = 0
        self.cap = cap

    def add_words(self, vals: list, off: int, most: int) -> None:
        """words[off ..] += the words `vals` (None: a zero word; the whole at most `most`);
        the registers are consumed."""
        f, w = self.f, self.words
        self.bound += most << (64 * off)
        if self.cap is not None:
            self.bound = min(self.bound, self.cap)
        top = (self.bound.bit_length() - 1) // 64
        assert top < self.WIDTH, "accumulator overflow"
        started = False
        for p in range(off, top + 1):
            v = vals[p - off] if p - off < len(vals) else None
            last = p == top
            if v is None:
                if not started:
                    continue
                if w[p] is None:
                    w[p] = self.pool.take()
                    f.op("cset", w[p], "cs")
                    started = False            # 0 + carry: nothing carries on
                    continue
                f.op("adc" if last else "adcs", w[p], w[p], "xzr")
                continue
            if w[p] is None:
                if started:
                    f.op("adc" if last else "adcs", v, v, "xzr")
                w[p] = v
                continue
            f.op("adc" if started and last else "adcs" if started else "adds", w[p], w[p], v)
            started = True
            self.pool.give(v)
        for v in vals[top + 1 - off:]:
            assert v is None, "a word above the accumulator's bound"

    def add(self, lo: str, hi: str | None, off: int = 0) -> None:
        """words[off ..] += hi*2^64 + lo (a 64x64 product), or the word lo when hi is None."""
        if hi is None:
            self.add_words([lo], off, WORD_MAX)
        else:
            self.add_words([lo, hi], off, PRODUCT_MAX)

    def add_acc(self, other: "Columns", double: bool) -> None:
        """self += (2 if double else 1) * other (whose registers are consumed)."""
        f, words = self.f, other.words
        most = other.bound * (2 if double else 1)
        if double and most:
            top = (most.bit_length() - 1) // 64
            started = False
            for p in range(top + 1):
                r = words[p]
                if r is None:
                    if started:
                        words[p] = self.pool.take()
                        f.op("cset", words[p], "cs")      # 2*0 + carry
                        started = False
                    continue
                f.op(("adc" if p == top else "adcs") if started else "adds", r, r, r)
                started = True
        vals = list(words)
        while vals and vals[-1] is None:
            vals.pop()
        other.words = []
        if vals:
            self.add_words(vals, 0, most)

    def retire(self) -> str | None:
        """The column's low word (its register, or None for zero) and shift by one word.
        The caller stores the word and returns the register to the pool."""
        low = self.words[0]
        self.words = self.words[1:] + [None]
        self.bound >>= 64
        if self.cap is not None:
            self.cap >>= 64
        return low

    def word(self, k: int) -> str:
        """Word k as a register (materialised as 0 if it has none)."""
        if self.words[k] is None:
            self.words[k] = self.pool.take()
            self.f.op("mov", self.words[k], "xzr")
        return self.words[k]

    def release(self) -> None:
        for r in self.words:
            if r is not None:
                self.pool.give(r)
        self.words = []


class Stores:
    """Stores retired words, pairing consecutive ones into stp."""

    def __init__(self, f, pool: Pool, base: str, offset: int = 0):
        self.f, self.pool, self.base, self.offset = f, pool, base, offset
        self.pending: tuple[int, str, bool] | None = None

    def put(self, pos: int, reg: str | None) -> None:
        """Store word `pos` (a register, or None for zero) and give its register back."""
        zero = reg is None
        first = self.offset + 8 * (pos - 1)
        if self.pending is not None and self.pending[0] == pos - 1 and first % 16 == 0 and first <= 504:
            p, r, z = self.pending
            self.f.op("stp", "xzr" if z else r, "xzr" if zero else reg, mem(self.base, self.offset + 8 * p))
            for x in (r, reg):
                if x is not None:
                    self.pool.give(x)
            self.pending = None
            return
        self.flush()
        self.pending = (pos, reg, zero)

    def flush(self) -> None:
        if self.pending is not None:
            p, r, z = self.pending
            self.f.op("str", "xzr" if z else r, mem(self.base, self.offset + 8 * p))
            if r is not None:
                self.pool.give(r)
            self.pending = None


class Words:
    """The words of one input operand: preloaded into registers, or loaded per use."""

    def __init__(self, f, pool: Pool, base: str, n: int, offset: int = 0, preload: bool = False, need=None):
        self.f, self.pool, self.base, self.n, self.offset = f, pool, base, n, offset
        self.regs: dict[int, str] = {}
        if preload:
            want = sorted(set(range(n) if need is None else need))
            done = set()
            for i in want:
                if i in done:
                    continue
                if i % 2 == 0 and i + 1 in want and offset + 8 * i <= 504:
                    r0, r1 = pool.take(), pool.take()
                    f.op("ldp", r0, r1, mem(base, offset + 8 * i))
                    self.regs[i], self.regs[i + 1] = r0, r1
                    done |= {i, i + 1}
                else:
                    r = pool.take()
                    f.op("ldr", r, mem(base, offset + 8 * i))
                    self.regs[i] = r
                    done.add(i)

    def get(self, i: int) -> tuple[str, bool]:
        """(register holding word i, whether the caller must give it back)."""
        if i in self.regs:
            return self.regs[i], False
        r = self.pool.take()
        self.f.op("ldr", r, mem(self.base, self.offset + 8 * i))
        return r, True

    def address(self, i: int) -> tuple[str, int]:
        return self.base, self.offset + 8 * i

    def release(self) -> None:
        for r in self.regs.values():
            self.pool.give(r)
        self.regs = {}


def scalar_product(f, pool: Pool, a: tuple[str, bool], b: tuple[str, bool]) -> tuple[str, str]:
    """(lo, hi) := a * b by mul and umulh; a and b are (register, give it back after)."""
    lo, hi = pool.take(), pool.take()
    f.op("mul", lo, a[0], b[0])
    f.op("umulh", hi, a[0], b[0])
    for r, free in (a, b):
        if free:
            pool.give(r)
    return lo, hi


def _product(f, pool: Pool, x: Words, i: int, y: Words, j: int, neon: NeonProducts | None) -> tuple[str, str]:
    """(lo, hi) registers of x_i * y_j, from the vector unit if the plan says so."""
    if neon is not None and neon.covers(i, j):
        lo, hi = pool.take(), pool.take()
        neon.take(i, j, lo, hi)
        return lo, hi
    return scalar_product(f, pool, x.get(i), y.get(j))


def column_pairs(k: int, nx: int, ny: int):
    return [(i, k - i) for i in range(max(0, k - ny + 1), min(k, nx - 1) + 1)]


def emit_mul(f, pool: Pool, z: tuple[str, int], x: Words, y: Words, nx: int, ny: int,
             neon: NeonProducts | None = None) -> None:
    """z[0 .. nx+ny) := x * y, column by column (z: base register and byte offset).

    A vector pair's two products x_i*y_2k, x_i*y_2k+1 fall in adjacent columns: the
    second goes into an accumulator of the next column's own, merged when that column
    comes, so a pair's registers are free as soon as both its words are out."""
    acc = Columns(f, pool, cap=(2 ** (64 * nx) - 1) * (2 ** (64 * ny) - 1))
    out = Stores(f, pool, z[0], z[1])
    top = nx + ny - 2
    early = None
    for k in range(top + 1):
        if early is not None:
            acc.add_acc(early, double=False)
        early = Columns(f, pool)
        for i, j in column_pairs(k, nx, ny):
            if neon is not None and neon.covers(i, j):
                if j % 2:
                    continue                  # added with the first product of its pair
                acc.add(*_product(f, pool, x, i, y, j, neon))
                if j + 1 < ny:
                    early.add(*_product(f, pool, x, i, y, j + 1, neon))
                continue
            acc.add(*_product(f, pool, x, i, y, j, neon))
        if not early.bound:
            early = None
        if k < top:
            out.put(k, acc.retire())
    assert early is None
    _store_top(out, acc, top)


def _store_top(out, acc: Columns, top: int) -> None:
    """The last two words of a product; the words above them are zero (the product's size)."""
    out.put(top, acc.words[0])
    out.put(top + 1, acc.words[1])
    out.flush()
    acc.words = acc.words[2:]
    acc.release()


def square_products(n: int, pairs) -> set[tuple[int, int]]:
    """The products x_i*x_j (i <= j) a square needs, each oriented as the plan's pair that
    holds it: (i, j) when pair (i, j//2) is planned or (j, i//2) is not, else (j, i)."""
    out = set()
    for i in range(n):
        for j in range(i, n):
            out.add((i, j) if (i, j // 2) in pairs or (j, i // 2) not in pairs else (j, i))
    return out


def emit_sqr(f, pool: Pool, z: tuple[str, int], x: Words, n: int, neon: NeonProducts | None = None) -> None:
    """z[0 .. 2n) := x^2: per column the cross products once, doubled, plus the diagonal square.

    With `neon`, a pair (i, k) covers x_i*x_2k and x_i*x_2k+1: each is used if it is how the
    square gets that product (square_products), a cross product or a diagonal square. The
    second one belongs to the next column: a cross product goes into that column's cross
    accumulator (started early), a square waits in its two registers."""
    pairs = neon.pairs if neon is not None else set()
    products = square_products(n, pairs)
    acc = Columns(f, pool, cap=(2 ** (64 * n) - 1) ** 2)
    out = Stores(f, pool, z[0], z[1])
    top = 2 * n - 2
    cross_next, diag_next = None, []
    for k in range(top + 1):
        cross = cross_next or Columns(f, pool)
        cross_next = Columns(f, pool)
        diag, diag_next = diag_next, []
        for a, b in sorted(p for p in products if sum(p) == k and (p[0], p[1] // 2) not in pairs):
            lo, hi = _product(f, pool, x, a, x, b, neon)
            (diag.append((lo, hi)) if a == b else cross.add(lo, hi))
        for a, kk in sorted(p for p in pairs if p[0] + 2 * p[1] == k):
            for t in (0, 1):
                b = 2 * kk + t
                if b < n and (a, b) in products:
                    lo, hi = _product(f, pool, x, a, x, b, neon)
                    if a == b:
                        (diag if t == 0 else diag_next).append((lo, hi))
                    else:
                        (cross_next if t else cross).add(lo, hi)
        if cross.bound:
            acc.add_acc(cross, double=True)
        for lo, hi in diag:
            acc.add(lo, hi)
        if k < top:
            out.put(k, acc.retire())
        if not cross_next.bound:
            cross_next = None
    assert cross_next is None and not diag_next
    _store_top(out, acc, top)
