"""64x64 -> 128-bit products on the vector unit, two at a time.

A *pair* (i, k) is the two products a_i * b_2k and a_i * b_2k+1: one
word of the multiplier a (an indexed 32-bit element pair of a vector
register) times two adjacent words of the multiplicand b (32-bit lanes).
The b words are split into vectors of low and high halves (uzp1/uzp2 of two
128-bit loads: BL_g = [b_4g lo, .., b_4g+3 lo], BH_g the high halves), the
a words are loaded as they are (A = [a_i lo, a_i hi, a_i+1 lo, a_i+1 hi]).
With a = ah*2^32 + al and b = bh*2^32 + bl, per lane:

    P = al*bl                                umull
    T = al*bh + (P >> 32)          < 2^64    umull, usra
    U = lo32(T) + ah*bl            < 2^64    and, umlal
    H = ah*bh + (T >> 32) + (U >> 32)        umull, usra, usra
    L = lo32(P) + lo32(U) * 2^32             sli (P keeps its low half)

and a*b = L + H*2^64 exactly: every sum is of a 32x32-bit product and at
most two 32-bit values, so no lane ever wraps. The four multiplies go to
V0, the shifts to V1; each result word reaches the integer side by one
umov (mov x, v.d[i]), where the carry chains add it like the lo/hi pair of
mul/umulh -- or, when `slots` are given (the Montgomery reduction, whose
SIMD pipes are the busy ones and whose load/store pipes are idle), the pair
is stored with one stp of its two q registers into a stack slot and each
word loaded back with ldr. (llvm-mca assumes loads and stores do not alias,
so it does not charge that load the store-to-load forwarding latency; on N1
that is a few cycles on a value the out-of-order core needs tens of cycles
later.)

The a and b vectors are a cache over the 23 vector registers the kernels
use (v8-v15 are callee-saved and left alone): when the pool runs dry the
least recently used one is dropped and made again when needed (a load, or
for b's halves two loads and uzp1/uzp2).

Which pairs are done here rather than by mul/umulh is the kernel's *plan*
(chosen by measuring candidates with the N1 cost model, see
provenum.bench.neon_plans).
"""
from __future__ import annotations

from collections import OrderedDict

from .asm import mem

MASK = "v31"          # 0x00000000ffffffff in both lanes


class VPool:
    """Registers handed out round-robin (so reuse is spread out for the scheduler); take() gives
    None when none is left (the Neon cache then drops an entry)."""

    def __init__(self, names):
        self.free = list(names)
        self.used: set[str] = set()

    def take(self) -> str | None:
        if not self.free:
            return None
        r = self.free.pop(0)
        self.used.add(r)
        return r

    def give(self, r: str) -> None:
        assert r not in self.free, r
        self.free.append(r)


class NeonProducts:
    """The products of a plan's pairs, computed on demand and handed to the integer side.

    `a_word(i)`: (base register, byte offset) of a_i in memory; with `single`, a
    words are loaded one at a time (d registers) and a computed one can be handed
    over with `give_a` (Montgomery's q). `b_word(j)` likewise for b. `pairs` is a
    set of (i, k). Registers come from `pool`; each is given back after its last use.
    """

    def __init__(self, f, a_word, b_word, nb: int, pairs, pool: VPool, single: bool = False, slots=None):
        self.f, self.a_word, self.b_word, self.nb = f, a_word, b_word, nb
        self.slots = slots                # (stack offset, count): results go through memory
        self._slot = 0
        self._where: dict = {}
        self.single = single
        self.pairs = set(pairs)
        self.pool = pool
        self._cache: OrderedDict = OrderedDict()    # ("a", key) / ("b", g) -> register(s), LRU first
        self._pinned: set = set()
        self._a_left: dict = {}                     # a key -> products still to hand over
        self._results: dict[tuple[int, int], tuple[str, str]] = {}
        self._left: dict[tuple[int, int], int] = {}
        self._mask = False
        for i, k in self.pairs:
            key = self._key(i)
            self._a_left[key] = self._a_left.get(key, 0) + 2 * min(2, nb - 2 * k)

    def covers(self, i: int, j: int) -> bool:
        return (i, j // 2) in self.pairs

    # -- registers ---------------------------------------------------------------------
    def _take(self) -> str:
        r = self.pool.take()
        while r is None:
            victim = next((k for k in self._cache if k not in self._pinned), None)
            if victim is None:
                raise RuntimeError("out of vector registers")
            self._drop(victim)
            r = self.pool.take()
        return r

    def _drop(self, key) -> None:
        regs = self._cache.pop(key)
        for r in (regs if isinstance(regs, tuple) else (regs,)):
            self.pool.give(r)

    def _mask_reg(self) -> str:
        if not self._mask:
            self.f.op("movi", f"{MASK}.2d", "#0x00000000ffffffff")
            self._mask = True
        return MASK

    def _key(self, i: int):
        return i if self.single else i // 2

    # -- operands ------------------------------------------------------------------------
    def halves(self, g: int) -> tuple[str, str]:
        """(low halves, high halves) of b_4g .. b_4g+3 (two words at the end when nb % 4 == 2)."""
        key = ("b", g)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        f = self.f
        q0 = self._take()
        base, off = self.b_word(4 * g)
        f.op("ldr", f"q{q0[1:]}", mem(base, off))
        q1 = q0
        if 4 * g + 2 < self.nb:
            q1 = self._take()
            base, off = self.b_word(4 * g + 2)
            f.op("ldr", f"q{q1[1:]}", mem(base, off))
        lo, hi = self._take(), self._take()
        f.op("uzp1", f"{lo}.4s", f"{q0}.4s", f"{q1}.4s")
        f.op("uzp2", f"{hi}.4s", f"{q0}.4s", f"{q1}.4s")
        self.pool.give(q0)
        if q1 != q0:
            self.pool.give(q1)
        self._cache[key] = (lo, hi)
        return lo, hi

    def give_a(self, i: int, gpr: str) -> None:
        """a_i has just been computed into the general register `gpr` (a Montgomery q): move it
        over (fmov) if any pair needs it, so the pairs computed soon depend on it by register."""
        key = ("a", self._key(i))
        if self._a_left.get(key[1], 0) > 0 and key not in self._cache:
            r = self._take()
            self.f.op("fmov", f"d{r[1:]}", gpr)
            self._cache[key] = r

    def _a_element(self, i: int) -> tuple[str, int]:
        key = ("a", self._key(i))
        if key not in self._cache:
            r = self._take()
            if self.single:
                base, off = self.a_word(i)
                self.f.op("ldr", f"d{r[1:]}", mem(base, off))
            else:
                base, off = self.a_word(2 * (i // 2))
                self.f.op("ldr", f"q{r[1:]}", mem(base, off))
            self._cache[key] = r
        self._cache.move_to_end(key)
        return self._cache[key], 0 if self.single else 2 * (i % 2)

    # -- one pair ----------------------------------------------------------------------
    def compute(self, i: int, k: int) -> None:
        f = self.f
        lo_h, hi_h = self.halves(k // 2)
        self._pinned.add(("b", k // 2))
        a, e = self._a_element(i)
        self._pinned.add(("a", self._key(i)))
        two = "2" if k % 2 else ""
        arr = "4s" if k % 2 else "2s"
        mask = self._mask_reg()
        P, T, U, H = self._take(), self._take(), self._take(), self._take()
        f.op(f"umull{two}", f"{P}.2d", f"{lo_h}.{arr}", f"{a}.s[{e}]")
        f.op(f"umull{two}", f"{T}.2d", f"{hi_h}.{arr}", f"{a}.s[{e}]")
        f.op("usra", f"{T}.2d", f"{P}.2d", "#32")
        f.op("and", f"{U}.16b", f"{T}.16b", f"{mask}.16b")
        f.op(f"umlal{two}", f"{U}.2d", f"{lo_h}.{arr}", f"{a}.s[{e + 1}]")
        f.op(f"umull{two}", f"{H}.2d", f"{hi_h}.{arr}", f"{a}.s[{e + 1}]")
        f.op("usra", f"{H}.2d", f"{T}.2d", "#32")
        f.op("usra", f"{H}.2d", f"{U}.2d", "#32")
        f.op("sli", f"{P}.2d", f"{U}.2d", "#32")
        self.pool.give(T)
        self.pool.give(U)
        self._pinned.discard(("b", k // 2))
        self._pinned.discard(("a", self._key(i)))
        self._left[(i, k)] = 2 * min(2, self.nb - 2 * k)
        if self.slots:
            off = self.slots[0] + 32 * self._slot
            self._slot = (self._slot + 1) % self.slots[1]
            assert off not in self._where.values(), "a slot reused before its pair was taken"
            f.op("stp", f"q{P[1:]}", f"q{H[1:]}", mem("sp", off))
            self.pool.give(P)
            self.pool.give(H)
            self._where[(i, k)] = off
            self._results[(i, k)] = None
            return
        self._results[(i, k)] = (P, H)

    def take(self, i: int, j: int, lo: str, hi: str) -> None:
        """lo, hi (general registers) := the words of a_i * b_j, from its pair (computing it if needed)."""
        k = j // 2
        if (i, k) not in self._results:
            self.compute(i, k)
        lane = j % 2
        if self.slots:
            off = self._where[(i, k)]
            self.f.op("ldr", lo, mem("sp", off + 8 * lane))
            self.f.op("ldr", hi, mem("sp", off + 16 + 8 * lane))
        else:
            P, H = self._results[(i, k)]
            self.f.op("mov", lo, f"{P}.d[{lane}]")
            self.f.op("mov", hi, f"{H}.d[{lane}]")
        self._left[(i, k)] -= 2
        if self._left[(i, k)] <= 0:
            self._where.pop((i, k), None)
            P_H = self._results.pop((i, k))
            if P_H:
                self.pool.give(P_H[0])
                self.pool.give(P_H[1])
        akey = self._key(i)
        self._a_left[akey] -= 2
        if self._a_left[akey] <= 0 and ("a", akey) in self._cache:
            self._drop(("a", akey))

    def expire_a(self, i: int) -> None:
        """Drop a_i's register now (a later pair of row i loads a_i again from memory)."""
        key = ("a", self._key(i))
        if key in self._cache:
            self._drop(key)

    def close(self) -> None:
        """Give back every register still held (b's halves, a words, unused results)."""
        for key in list(self._cache):
            self._drop(key)
        for v in self._results.values():
            if v:
                self.pool.give(v[0])
                self.pool.give(v[1])
        self._results = {}
