"""Montgomery reduction: bignum_montredc_{n}_{level} and bignum_amontredc_{n}_{level}.

Word-by-word reduction, fully unrolled, by product scanning (arith.py):
column i of x + q*m (R = 2^(64n)) gathers x_i and every q_j * m_(i-j); for
i < n the column's low word a picks q_i = a * w mod 2^64 and the product
q_i * m_0 clears it (only its carry goes on). The q_i and the result words
are kept in a 2n-word stack buffer t (q in t[0..n), the value in t[n..2n));
x is only read. After the 2n columns the value is t[n..2n) plus a carry
bit: below R + m for any x < R^2.

  montredc:  needs x < R*m; then that value is below 2m, and one masked
             subtraction (select with csel) gives z = x/R mod m.
  amontredc: any x < R^2; subtracts m exactly when the carry bit is set, so
             z < R, z == x/R (mod m), and z < 2m whenever x < R*m.

At the neon level the plan's product pairs q_j * (m_2k, m_2k+1) (k >= 1)
come from the vector unit: each q_j goes over with one fmov as it is formed
(and is loaded again from t for pairs computed later), and the products come
back through a ring of SLOTS stack slots (neon.py: stp q, then ldr x), which
leaves the SIMD pipes to the products. Columns 1..n gather everything but
q_(i-1) * m_1 in a second accumulator that does not wait for q_(i-1), so the
chain from one q to the next is a few instructions long.
"""
from __future__ import annotations

from .arith import TEMPS, VREGS, VREGS_ALL, Columns, Pool, Words, scalar_product
from .asm import Function, mem
from .levels import neon_plan, symbol
from .neon import NeonProducts

SIZES = (4, 8, 16, 24, 32)
KEEP, VKEEP = 4, 4          # columns a q_j stays in a general / vector register after it is formed
TRANSFER, SLOTS = True, 16  # vector products come back through SLOTS stack slots (else umov)
SLOTS_BYTES = 32 * SLOTS


def emit(f: Function, pool: Pool, n: int, almost: bool, z: str, x: tuple[str, int], m: str, w: str,
         t: int, pairs, slots: int = 0, m_preload: bool | None = None) -> None:
    """The reduction body: z, x = (base, offset), m, w registers; t: byte offset of the 2n-word
    stack buffer, slots: of the SLOTS_BYTES for the vector products (below 1024: stp q reaches
    it). z may be x or m: it is written only at the end, after the last read of both."""
    pairs = {(j, k) for j, k in pairs if k >= 1}
    m_preload = n <= 8 if m_preload is None else m_preload
    scalar_m = {k for k in range(n) if k == 0 or any((j, k // 2) not in pairs for j in range(n))}
    mw = Words(f, pool, m, n, preload=m_preload, need=scalar_m)
    neon = NeonProducts(f, lambda j: ("sp", t + 8 * j), mw.address, n, pairs, pool.vpool, single=True,
                        slots=(slots, SLOTS) if TRANSFER else None) if pairs else None
    # q_j stays in a register for the next KEEP columns (the products that follow it closely
    # depend on it by register), and in a vector register for VKEEP; later uses load it again
    keep = KEEP
    qregs: dict[int, str] = {}
    acc = Columns(f, pool, cap=2 ** (128 * n + 1) - 1)     # x + q*m < 2^(128n) + 2^(64n)*m
    xb, xo = x
    early = None          # the next column's accumulator: second products of vector pairs
    for i in range(2 * n):
        f.comment(f"column {i}")
        if i - keep in qregs:
            pool.give(qregs.pop(i - keep))
        if neon is not None and i >= VKEEP:
            neon.expire_a(i - VKEEP)
        js = list(range(max(0, i - n + 1), min(i, n)))
        r = pool.take()
        f.op("ldr", r, mem(xb, xo + 8 * i))
        nxt = Columns(f, pool)
        if 1 <= i <= n:
            # everything but q_(i-1) * m_1 into a second accumulator, which does not wait for
            # q_(i-1); that product last: the chain from q_(i-1) to q_i stays short
            part = early or Columns(f, pool)
            part.add(r, None)
            _column_products(f, pool, part, nxt, mw, i, js[:-1], qregs, t, neon)
            acc.add_acc(part, double=False)
            acc.add(*_qm(f, pool, mw, i - 1, 1, qregs, t, neon))
        else:
            if early is not None:
                acc.add_acc(early, double=False)
            acc.add(r, None)
            _column_products(f, pool, acc, nxt, mw, i, js, qregs, t, neon)
        early = nxt if nxt.bound else None
        if i < n:
            q = pool.take()
            f.op("mul", q, acc.word(0), w)
            f.op("str", q, mem("sp", t + 8 * i))
            if neon is not None:
                neon.give_a(i, q)
            acc.add(*scalar_product(f, pool, (q, False), mw.get(0)))  # word i becomes 0: only its carry matters
            qregs[i] = q
            low = acc.retire()
            if low is not None:
                pool.give(low)
        else:
            low = acc.retire()
            f.op("str", low or "xzr", mem("sp", t + 8 * i))
            if low is not None:
                pool.give(low)
    for q in qregs.values():
        pool.give(q)
    if neon is not None:
        neon.close()
    carry = acc.word(0)
    for r in acc.words[1:]:
        if r is not None:
            pool.give(r)
    mw.release()
    if almost:
        _almost_subtract(f, pool, n, z, m, t, carry)
    else:
        _final_subtract(f, pool, n, z, m, t, carry)
    pool.give(carry)


def _column_products(f, pool, acc, nxt, mw: Words, i: int, js, qregs, t: int, neon) -> None:
    """acc += q_j * m_(i-j) for j in js; a vector pair's second product into nxt (next column)."""
    for j in js:
        k = i - j
        if neon is not None and neon.covers(j, k):
            if k % 2:
                continue                          # added with the first product of its pair
            acc.add(*_qm(f, pool, mw, j, k, qregs, t, neon))
            if k + 1 < mw.n:
                nxt.add(*_qm(f, pool, mw, j, k + 1, qregs, t, neon))
            continue
        acc.add(*_qm(f, pool, mw, j, k, qregs, t, neon))


def _qm(f, pool, mw: Words, j: int, k: int, qregs, t: int, neon) -> tuple[str, str]:
    """(lo, hi) of q_j * m_k: from its vector pair, or mul/umulh (q_j from its register or t)."""
    if neon is not None and neon.covers(j, k):
        lo, hi = pool.take(), pool.take()
        neon.take(j, k, lo, hi)
        return lo, hi
    if j in qregs:
        q = (qregs[j], False)
    else:
        q = (pool.take(), True)
        f.op("ldr", q[0], mem("sp", t + 8 * j))
    return scalar_product(f, pool, q, mw.get(k))


def _almost_subtract(f, pool, n: int, z: str, m: str, t: int, carry: str) -> None:
    """z := t[n .. 2n) - (m if the carry bit is set else 0), in one pass (mask = -carry)."""
    f.comment("z = t_hi - (m and mask), mask = -carry bit")
    mask = pool.take()
    f.op("neg", mask, carry)
    for k in range(0, n, 2):
        tv = [pool.take(), pool.take()]
        mv = [pool.take(), pool.take()]
        _load2(f, "sp", t + 8 * (n + k), tv)
        _load2(f, m, 8 * k, mv)
        for u in range(2):
            f.op("and", mv[u], mv[u], mask)
            f.op("subs" if k + u == 0 else "sbcs", tv[u], tv[u], mv[u])
            pool.give(mv[u])
        _store2(f, z, 8 * k, tv)
        for r in tv:
            pool.give(r)
    pool.give(mask)


def _final_subtract(f, pool, n: int, z: str, m: str, t: int, carry: str) -> None:
    """z := t_hi - m if that does not borrow against the carry bit, else t_hi (two passes)."""
    f.comment("z = t_hi - m, then keep t_hi where that borrowed (csel on the final borrow)")
    for k in range(0, n, 2):
        tv = [pool.take(), pool.take()]
        mv = [pool.take(), pool.take()]
        _load2(f, "sp", t + 8 * (n + k), tv)
        _load2(f, m, 8 * k, mv)
        for u in range(2):
            f.op("subs" if k + u == 0 else "sbcs", tv[u], tv[u], mv[u])
            pool.give(mv[u])
        _store2(f, z, 8 * k, tv)
        for r in tv:
            pool.give(r)
    f.op("sbcs", "xzr", carry, "xzr")     # C: no borrow from (carry, t_hi) - m: keep the difference
    for k in range(0, n, 2):
        dv = [pool.take(), pool.take()]
        tv = [pool.take(), pool.take()]
        _load2(f, z, 8 * k, dv)
        _load2(f, "sp", t + 8 * (n + k), tv)
        for u in range(2):
            f.op("csel", dv[u], dv[u], tv[u], "cs")
            pool.give(tv[u])
        _store2(f, z, 8 * k, dv)
        for r in dv:
            pool.give(r)


def _load2(f, base, off, regs) -> None:
    if off <= 504:
        f.op("ldp", regs[0], regs[1], mem(base, off))
    else:
        f.op("ldr", regs[0], mem(base, off))
        f.op("ldr", regs[1], mem(base, off + 8))


def _store2(f, base, off, regs) -> None:
    if off <= 504:
        f.op("stp", regs[0], regs[1], mem(base, off))
    else:
        f.op("str", regs[0], mem(base, off))
        f.op("str", regs[1], mem(base, off + 8))


def generate(n: int, almost: bool, level: str, plan=None) -> Function:
    op = f"bignum_{'a' if almost else ''}montredc_{n}"
    name = symbol(op, level)
    pairs = neon_plan(op, level) if plan is None else plan
    if almost:
        summary = f"Almost-Montgomery reduce, z == x * 2^(-{64 * n}) (mod m), z < 2^{64 * n}"
        notes = [
            f"Any x < 2^{128 * n}: z == x / 2^{64 * n} (mod m) and z < 2^{64 * n}; if moreover",
            f"x < 2^{64 * n} * m then z < 2 * m. m must be odd, w = -m^-1 mod 2^64.",
            "x is read only; z may alias x or m.",
        ]
    else:
        summary = f"Montgomery reduce, z := x * 2^(-{64 * n}) mod m"
        notes = [
            f"Requires x < 2^{64 * n} * m, m odd, w = -m^-1 mod 2^64; then z < m.",
            "x is read only; z may alias x or m.",
        ]
    if pairs:
        notes.append(f"{len(pairs)} pairs of the products q_j * m_k on Neon.")
    f = Function(
        name=name, summary=summary,
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t x[static {2 * n}], "
                   f"const uint64_t m[static {n}], uint64_t w)"),
        registers="Standard ARM ABI: X0 = z, X1 = x, X2 = m, X3 = w",
        notes=notes, level=level,
    )
    for base, region in (("x0", "z"), ("x1", "x"), ("x2", "m"), ("sp", "stack")):
        f.region(base, region)
    f.alias("z", "x")
    f.alias("z", "m")
    pool = Pool([r for r in TEMPS if r != "x3"], VREGS_ALL if pairs and n >= 16 else VREGS)
    emit(f, pool, n, almost, "x0", ("x1", 0), "x2", "x3", SLOTS_BYTES, pairs, slots=0)
    f.finish(pool.all_used, SLOTS_BYTES + 16 * n)
    return f
