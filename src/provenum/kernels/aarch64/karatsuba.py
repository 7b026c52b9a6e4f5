"""Karatsuba multiplication and squaring: bignum_kmul_{n}_{2n}_{level}, bignum_ksqr_{n}_{2n}_{level}.

One level of Karatsuba on halves of h = n/2 words:

  x = x1*B + x0, y = y1*B + y0, B = 2^(64h)
  x*y = H*B^2 + (L + H + (x0-x1)(y1-y0))*B + L,  L = x0*y0, H = x1*y1
  x^2 = H*B^2 + (L + H - (x0-x1)^2)*B + L

The three half products are schoolbook bodies inline (so the kernel is
straight-line and the scheduler interleaves them: 16 and 24 words), or
calls to the h-word Karatsuba kernel (32 words, as on x86-64: a proof can
then use that kernel's own theorem), as levels.KARATSUBA_HALF says.
|x0 - x1| and |y1 - y0| are taken in constant time: the difference, its
borrow as a mask (csetm), then (d xor mask) - mask; the middle term's sign
is applied as a mask the same way (one's complement plus a carry in).
Scratch (the differences and the middle product) is on the stack.
"""
from __future__ import annotations

from .arith import TEMPS, Pool, Words, emit_mul, emit_sqr, square_products
from .asm import Function, mem
from .levels import neon_plan, symbol
from .neon import NeonProducts

SIZES = (16, 24, 32)


def scratch_bytes(n: int, half: str) -> int:
    """Stack bytes one Karatsuba level needs: mid[n] dx[h] dy[h], the sign mask (padded to 16
    bytes), s[n] beyond 16 words (the combination's first chain), and an inline Karatsuba
    half's own."""
    h = n // 2
    own = 8 * (2 * n) + 16 + (8 * n if n > 16 else 0)
    if half.startswith(("bignum_kmul_", "bignum_ksqr_")) and not half_is_call(half):
        from .levels import karatsuba_half
        own += scratch_bytes(h, karatsuba_half(half))
    return own


def half_is_call(half: str) -> bool:
    return half.endswith("@call")


def _pairs_load(f, pool, base, off, count):
    """Load `count` consecutive words at base+off into pool registers (ldp where it can)."""
    regs = []
    k = 0
    while k < count:
        if k + 1 < count and off + 8 * k <= 504:
            r0, r1 = pool.take(), pool.take()
            f.op("ldp", r0, r1, mem(base, off + 8 * k))
            regs += [r0, r1]
            k += 2
        else:
            r = pool.take()
            f.op("ldr", r, mem(base, off + 8 * k))
            regs.append(r)
            k += 1
    return regs


def _pairs_store(f, pool, base, off, regs):
    k = 0
    while k < len(regs):
        if k + 1 < len(regs) and off + 8 * k <= 504:
            f.op("stp", regs[k], regs[k + 1], mem(base, off + 8 * k))
            k += 2
        else:
            f.op("str", regs[k], mem(base, off + 8 * k))
            k += 1
    for r in regs:
        pool.give(r)


def _abs_diff(f, pool, dst: tuple[str, int], a: tuple[str, int], b: tuple[str, int], h: int) -> str:
    """dst := |a - b| (h words); returns a register holding the mask: -1 if a < b, else 0."""
    d = []
    for k in range(0, h, 2):
        ra = _pairs_load(f, pool, a[0], a[1] + 8 * k, min(2, h - k))
        rb = _pairs_load(f, pool, b[0], b[1] + 8 * k, min(2, h - k))
        for t, (x, y) in enumerate(zip(ra, rb)):
            f.op("subs" if k + t == 0 else "sbcs", x, x, y)
            pool.give(y)
            d.append(x)
    mask = pool.take()
    f.op("csetm", mask, "cc")          # borrow out: a < b
    for r in d:
        f.op("eor", r, r, mask)
    f.op("cmn", mask, "#1")            # C = 1 exactly when mask = -1: (d ^ mask) + 1 negates d
    for k, r in enumerate(d):
        f.op("adcs", r, r, "xzr")
    _pairs_store(f, pool, dst[0], dst[1], d)
    return mask


def _half(f, pool: Pool, level: str, half: str, z: tuple[str, int], x: tuple[str, int],
          y: tuple[str, int] | None, scratch: int) -> None:
    """z := x*y (or x^2) on h words: inline schoolbook, inline Karatsuba, or a call."""
    h = int(half.split("@")[0].split("_")[2])
    op = half.split("@")[0]
    if half_is_call(half):
        for reg, arg in (("x0", z), ("x1", x), ("x2", y)):
            if arg is None:
                continue
            base, off = arg
            f.op("add", reg, base, f"#{off}") if off else f.op("mov", reg, base)
        f.op("bl", symbol(op, level))
        return
    pairs = neon_plan(op, level)
    if op.startswith(("bignum_kmul_", "bignum_ksqr_")):
        emit(f, pool, level, h, y is None, _inner_half(op), z, x, y, scratch)
        return
    if y is None:
        need = {i for ij in square_products(h, pairs) if (ij[0], ij[1] // 2) not in pairs for i in ij}
        xw = Words(f, pool, x[0], h, x[1], preload=h <= 8, need=need)
        neon = NeonProducts(f, xw.address, xw.address, h, pairs, pool.vpool) if pairs else None
        emit_sqr(f, pool, z, xw, h, neon)
        if neon:
            neon.close()
        xw.release()
    else:
        scalar = {(i, j) for i in range(h) for j in range(h) if (i, j // 2) not in pairs}
        xw = Words(f, pool, x[0], h, x[1], preload=h <= 8, need={i for i, _ in scalar})
        yw = Words(f, pool, y[0], h, y[1], preload=h <= 8, need={j for _, j in scalar})
        neon = NeonProducts(f, xw.address, yw.address, h, pairs, pool.vpool) if pairs else None
        emit_mul(f, pool, z, xw, yw, h, h, neon)
        if neon:
            neon.close()
        xw.release()
        yw.release()


def _inner_half(op: str) -> str:
    from .levels import karatsuba_half
    return karatsuba_half(op)


def emit(f: Function, pool: Pool, level: str, n: int, square: bool, half: str,
         z: tuple[str, int], x: tuple[str, int], y: tuple[str, int] | None, scratch: int) -> None:
    """The Karatsuba body: z, x, y as (base register, byte offset); stack scratch at sp + scratch."""
    h = n // 2
    MID, DX, DY, SIGN = scratch, scratch + 8 * n, scratch + 8 * n + 8 * h, scratch + 16 * n
    SUM = SIGN + 16                   # (n > 16 only)
    inner = SUM + (8 * n if n > 16 else 0)
    sq = y is None

    def at(p, words):
        return (p[0], p[1] + 8 * words)

    f.comment(f"L = x0*{'x0' if sq else 'y0'} into z[0..{n}), H = x1*{'x1' if sq else 'y1'} into z[{n}..{2 * n})")
    _half(f, pool, level, half, z, x, None if sq else y, inner)
    _half(f, pool, level, half, at(z, n), at(x, h), None if sq else at(y, h), inner)
    f.comment("|x0 - x1|" + ("" if sq else ", |y1 - y0| and the sign of their product"))
    mx = _abs_diff(f, pool, ("sp", DX), x, at(x, h), h)
    if sq:
        pool.give(mx)
        ms = None
    else:
        my = _abs_diff(f, pool, ("sp", DY), at(y, h), y, h)
        f.op("eor", mx, mx, my)       # the middle product is negative iff exactly one difference is
        pool.give(my)
        ms = mx
        f.op("str", ms, mem("sp", SIGN))  # kept across the middle product
        pool.give(ms)
    f.comment("mid = |x0 - x1| * " + ("|x0 - x1|" if sq else "|y1 - y0|"))
    _half(f, pool, level, half, ("sp", MID), ("sp", DX), None if sq else ("sp", DY), inner)
    combine(f, pool, n, square, z, MID, None if sq else SIGN, SUM)


def combine(f, pool: Pool, n: int, square: bool, z: tuple[str, int], mid: int, sign_slot: int | None,
            sum_slot: int) -> None:
    """z[h ..] += L + H + middle, where middle = -mid (squares) or (-1)^sign * mid.

    Three carry chains: (1) s = L + H, (2) s += (mid xor mask) + sign (mask = -sign: mid's two's
    complement when the middle is negative; squares: ~mid + 1), the (n+1)th
    word being chain 1's carry plus mask plus chain 2's carry, (3) z[h ..] += s,
    the carry rippling to the top. The (n+1)-word value is exact: the middle
    term x0*y1 + x1*y0 (or 2*x0*x1) is below 2^(64n+1). Up to 16 words s stays
    in registers and the chains run one after the other; beyond, chain 1 runs
    first into a stack buffer (chain 3 overwrites words of L that chain 1 reads),
    then chains 2 and 3 alternate over chunks of 8 words (the carry of the one
    waiting kept with cset, given back with cmp #1).
    """
    h = n // 2
    zb, zo = z
    chunk = n if n <= 16 else 8
    saved: dict[int, str] = {}
    state = {"flags": None}

    def switch(chain: int, first: bool) -> None:
        """Make the flags hold chain `chain`'s carry (nothing to do for its first word)."""
        cur = state["flags"]
        if cur == chain:
            return
        if cur is not None and cur not in done:
            r = saved.get(cur) or pool.take()
            f.op("cset", r, "cs")
            saved[cur] = r
        if not first:
            r = saved.pop(chain)
            f.op("cmp", r, "#1")          # C = r (0 or 1)
            pool.give(r)
        state["flags"] = chain

    done: set[int] = {1}
    mask = None
    if not square:
        mask = pool.take()
        f.op("ldr", mask, mem("sp", sign_slot))
    def sum_words(k: int, width: int) -> list[str]:
        out = []
        for t in range(0, width, 2):
            lo = _pairs_load(f, pool, zb, zo + 8 * (k + t), 2)
            hi = _pairs_load(f, pool, zb, zo + 8 * (n + k + t), 2)
            for u in range(2):
                f.op("adds" if k + t + u == 0 else "adcs", lo[u], lo[u], hi[u])
                pool.give(hi[u])
            out += lo
        return out

    c_sum = pool.take()
    if chunk < n:
        f.comment("s = L + H into the stack")
        for k in range(0, n, chunk):
            _pairs_store(f, pool, "sp", sum_slot + 8 * k, sum_words(k, chunk))
        f.op("cset", c_sum, "cs")
    for k in range(0, n, chunk):
        width = min(chunk, n - k)
        if chunk == n:
            f.comment("s = L + H")
            s = sum_words(0, n)
            f.op("cset", c_sum, "cs")
        else:
            s = _pairs_load(f, pool, "sp", sum_slot + 8 * k, width)
        f.comment(f"words {k}..{k + width - 1}: s += middle, z[{h}+..] += s")
        switch(2, k == 0)
        if k == 0:
            if square:
                f.op("cmp", "xzr", "xzr")     # C = 1: s + ~mid + 1 = s - mid
            else:
                f.op("cmn", mask, "#1")       # C = sign (mask is 0 or -1)
        for t in range(0, width, 2):
            m = _pairs_load(f, pool, "sp", mid + 8 * (k + t), 2)
            for u in range(2):
                if square:
                    f.op("mvn", m[u], m[u])
                else:
                    f.op("eor", m[u], m[u], mask)
                f.op("adcs", s[t + u], s[t + u], m[u])
                pool.give(m[u])
        if k + width == n:
            # the top word: chain 1's carry + the middle's extension (-1 or mask) + chain 2's carry
            if square:
                f.op("sbc", c_sum, c_sum, "xzr")
            else:
                f.op("adc", c_sum, c_sum, mask)
                pool.give(mask)
            done.add(2)
            state["flags"] = None
        switch(3, k == 0)
        for t in range(0, width, 2):
            zs = _pairs_load(f, pool, zb, zo + 8 * (h + k + t), 2)
            for u in range(2):
                f.op("adds" if k + t + u == 0 else "adcs", zs[u], zs[u], s[t + u])
                pool.give(s[t + u])
            _pairs_store(f, pool, zb, zo + 8 * (h + k + t), zs)
    f.comment(f"z[{h + n}..] += the top word and the carry")
    rest = list(range(h + n, 2 * n))
    for k in range(0, len(rest), 2):
        zs = _pairs_load(f, pool, zb, zo + 8 * rest[k], min(2, len(rest) - k))
        for t, r in enumerate(zs):
            f.op("adcs", r, r, c_sum if k + t == 0 else "xzr")
        _pairs_store(f, pool, zb, zo + 8 * rest[k], zs)
    pool.give(c_sum)


def generate(n: int, square: bool, half: str, level: str) -> Function:
    """`half` names the h-word operation of the halves (its `level` variant), '@call' appended
    when it is called rather than inlined."""
    assert n % 2 == 0
    name = symbol(f"bignum_{'ksqr' if square else 'kmul'}_{n}_{2 * n}", level)
    if square:
        summary = f"Square z := x^2, {n} -> {2 * n} words (Karatsuba)"
        proto = f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}])"
        regs = "Standard ARM ABI: X0 = z, X1 = x"
    else:
        summary = f"Multiply z := x * y, {n} x {n} -> {2 * n} words (Karatsuba)"
        proto = (f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}], "
                 f"const uint64_t y[static {n}])")
        regs = "Standard ARM ABI: X0 = z, X1 = x, X2 = y"
    op = half.split("@")[0]
    how = f"calls to {symbol(op, level)}" if half_is_call(half) else f"{symbol(op, level)}'s body inline"
    call = half_is_call(half)
    f = Function(name=name, summary=summary, prototype=proto,
                 registers=regs + ("\n(z, x, y kept in X19, X20, X21 across the calls)" if call else ""),
                 notes=[f"One Karatsuba level, the three half products by {how};",
                        "scratch on the stack. z must not overlap the inputs."], level=level)
    pool = Pool(TEMPS)
    if call:
        bases = ("x19", "x20", "x21")
        for r in bases:
            pool.free.remove(r)
            pool.used.add(r)
        f.op("mov", "x19", "x0")
        f.op("mov", "x20", "x1")
        if not square:
            f.op("mov", "x21", "x2")
        z, x, y = ("x19", 0), ("x20", 0), (None if square else ("x21", 0))
    else:
        z, x, y = ("x0", 0), ("x1", 0), (None if square else ("x2", 0))
    for base, region in ((z[0], "z"), (x[0], "x"), ("sp", "stack")) + ((() if square else ((y[0], "y"),))):
        f.region(base, region)
    emit(f, pool, level, n, square, half, z, x, y, 0)
    f.finish(pool.all_used, scratch_bytes(n, half), calls=call)
    return f
