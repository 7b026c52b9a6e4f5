"""Constant-time modular exponentiation bignum_modexp_{n}_{level}: z := a^e mod m.

The algorithm of the x86-64 kernels (kernels/x86_64/modexp.py): fixed-window
(k bits) left-to-right exponentiation in almost-Montgomery form:

  w  = -m^-1 mod 2^64               Newton iteration on m[0] (mul only)
  M  = m * 2^c, top bit set          c = leading zeros of m, found and applied
                                     with csel/extr only (no branch on m)
  r  = R - M = 2^(64n) mod M         exact since M >= R/2; == R (mod m)
  t  = 2^(64n + s) mod M             s exact doublings mod M, 64n = s * 2^j
  rr == 2^(128n) (mod m)             j almost-Montgomery squarings of t
  T[0] = r, T[1] = a*rr/R, T[i] = T[i-1]*T[1]/R (or T[i/2]^2/R)
  acc = T[window]; then per window: k squarings, masked lookup, multiply
  z  = acc/R mod m                   full Montgomery reduction of (acc, 0)

Every loop count, branch and address depends only on n, k and loop
counters: the exponent is read word by word at public positions, the table
is scanned in full (bignum_copy_row_from_table_{n}). The stack frame
(table, exponent copy, accumulator) is zeroed before returning. Each level's
exponentiation calls that level's Montgomery kernels and table lookup.
"""
from __future__ import annotations

from ..x86_64.modexp import squaring_split  # noqa: F401  (the same split of 64n: ISA-neutral)
from .asm import Function, mem
from .levels import symbol

SIZES = (16, 24, 32)


def generate(n: int, k: int, level: str) -> Function:
    name = symbol(f"bignum_modexp_{n}", level)

    def callee(operation: str) -> str:
        return symbol(operation, level)
    H = 1 << k
    windows = -(-64 * n // k)
    s, j = squaring_split(n)
    f = Function(
        name=name,
        summary=f"Modular exponentiation z := a^e mod m, {n}-word a, e, m (constant time)",
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t a[static {n}], "
                   f"const uint64_t e[static {n}], const uint64_t m[static {n}])"),
        registers="Standard ARM ABI: X0 = z, X1 = a, X2 = e, X3 = m\n"
                  "(z, a, m, w, the window position and a counter kept in X19-X24)",
        notes=[
            f"Requires m odd and a < m; e is any {n}-word number (all {64 * n} bits are processed).",
            f"Fixed {k}-bit windows, {H}-row table on the stack, almost-Montgomery steps;",
            "instruction, branch and address sequence independent of a, e and m.",
            "z may alias a, e or m.",
            f"Calls the {level} Montgomery kernels and table lookup.",
        ],
        level=level,
        scheduled=False,
    )
    # stack layout, in words: the small buffers first (short offsets), the table last
    ACC = 0
    ROW = ACC + n
    ECOPY = ROW + n
    NEGM = ECOPY + n + 2
    YB = NEGM + n
    XR = YB + n
    TABLE = XR + 2 * n
    WORDS = TABLE + H * n
    frame = 8 * WORDS
    z, a, m, w, pos, count = "x19", "x20", "x21", "x22", "x23", "x24"

    def ld(reg: str, word: int) -> None:
        f.op("ldr", reg, mem("sp", 8 * word))

    def st(reg: str, word: int) -> None:
        f.op("str", reg, mem("sp", 8 * word))

    def addr(reg: str, word: int) -> None:
        f.address(reg, "sp", 8 * word)

    def call_amontsqr(dst: int, src: int) -> None:
        addr("x0", dst)
        addr("x1", src)
        f.op("mov", "x2", m)
        f.op("mov", "x3", w)
        f.op("bl", callee(f"bignum_amontsqr_{n}"))

    def call_amontmul(dst: int, x, y) -> None:
        """x, y: a stack word index, or a register holding a pointer."""
        addr("x0", dst)
        for reg, v in (("x1", x), ("x2", y)):
            addr(reg, v) if isinstance(v, int) else f.op("mov", reg, v)
        f.op("mov", "x3", m)
        f.op("mov", "x4", w)
        f.op("bl", callee(f"bignum_amontmul_{n}"))

    def doublings(count_: int) -> None:
        """ACC := 2^count * ACC mod M, for ACC < M: a loop of exact doublings.

        y = 2*acc into YB and d = y + (R - M) into ACC, each on its own carry chain;
        then keep y where 2*acc < M (neither chain carried), with csel."""
        loop = f.new_label("double")
        f.op("mov", count, f"#{count_}")
        f.label(loop)
        for i in range(n):
            ld("x9", ACC + i)
            f.op("adds" if i == 0 else "adcs", "x9", "x9", "x9")      # y = 2*acc
            st("x9", YB + i)
        f.op("cset", "x10", "cs")
        for i in range(n):
            ld("x9", YB + i)
            ld("x11", NEGM + i)
            f.op("adds" if i == 0 else "adcs", "x9", "x9", "x11")     # d = y + (R - M)
            st("x9", ACC + i)
        f.op("cset", "x11", "cs")
        f.op("orr", "x10", "x10", "x11")
        f.op("cmp", "x10", "#0")                                     # eq: 2*acc < M, keep y
        for i in range(n):
            ld("x9", ACC + i)
            ld("x11", YB + i)
            f.op("csel", "x9", "x11", "x9", "eq")
            st("x9", ACC + i)
        f.op("subs", count, count, "#1")
        f.op("b.ne", loop)

    def normalise(buf: int, tmp: int) -> None:
        """stack[buf..] = M = m * 2^c with the top bit set, without branches.

        c = leading zeros of m: the top nonzero word is found with csel, its
        leading zeros by a 6-step binary search with csel, the word part of the
        shift by a barrel shifter of csel passes, the bit part by six passes of
        shifts by constants (extr, into stack[tmp..]) kept or not with csel.
        No shift count, branch or address depends on m."""
        f.comment("M = m shifted left until its top bit is set (constant time)")
        f.op("mov", "x9", "xzr")      # top nonzero word
        f.op("mov", "x10", "xzr")     # its index
        for i in range(n):
            f.op("ldr", "x11", mem(m, 8 * i))
            st("x11", buf + i)
            f.op("mov", "x12", f"#{i}")
            f.op("cmp", "x11", "#0")
            f.op("csel", "x9", "x11", "x9", "ne")
            f.op("csel", "x10", "x12", "x10", "ne")
        f.op("mov", "x13", "xzr")     # leading zeros of that word (nonzero: m is odd)
        for sh in (32, 16, 8, 4, 2, 1):
            f.op("lsr", "x14", "x9", f"#{64 - sh}")
            f.op("lsl", "x15", "x9", f"#{sh}")
            f.op("add", "x16", "x13", f"#{sh}")
            f.op("cmp", "x14", "#0")
            f.op("csel", "x9", "x15", "x9", "eq")
            f.op("csel", "x13", "x16", "x13", "eq")
        f.op("mov", "x17", f"#{n - 1}")
        f.op("sub", "x17", "x17", "x10")   # word shift
        step = 1
        while step < n:
            f.op("tst", "x17", f"#{step}")    # ne: shift by `step` words
            for i in reversed(range(n)):
                ld("x11", buf + i)
                if i >= step:
                    ld("x12", buf + i - step)
                    f.op("csel", "x11", "x12", "x11", "ne")
                else:
                    f.op("csel", "x11", "xzr", "x11", "ne")
                st("x11", buf + i)
            step *= 2
        for sh in (32, 16, 8, 4, 2, 1):   # bit shift: shifted copy, then csel on bit of x13
            for i in reversed(range(n)):
                ld("x11", buf + i)
                if i:
                    ld("x12", buf + i - 1)
                    f.op("extr", "x11", "x11", "x12", f"#{64 - sh}")
                else:
                    f.op("lsl", "x11", "x11", f"#{sh}")
                st("x11", tmp + i)
            f.op("tst", "x13", f"#{sh}")      # ne: this bit of the shift is set
            for i in range(n):
                ld("x11", buf + i)
                ld("x12", tmp + i)
                f.op("csel", "x11", "x12", "x11", "ne")
                st("x11", buf + i)

    def window_lookup(dst: int) -> None:
        """dst := T[bits pos .. pos+k-1 of e] (pos public, the bits secret: only the lookup's mask sees them)."""
        f.op("lsr", "x9", pos, "#6")
        addr("x10", ECOPY)
        f.op("ldr", "x11", f"[x10, x9, lsl #3]")
        f.op("add", "x10", "x10", "#8")
        f.op("ldr", "x12", f"[x10, x9, lsl #3]")
        f.op("and", "x13", pos, "#63")
        f.op("lsr", "x11", "x11", "x13")
        f.op("lsl", "x12", "x12", "#1")          # (x12 << 1) << (63 - s): x12 << (64 - s), 0 when s = 0
        f.op("mov", "x14", "#63")
        f.op("sub", "x14", "x14", "x13")
        f.op("lsl", "x12", "x12", "x14")
        f.op("orr", "x11", "x11", "x12")
        f.op("and", "x3", "x11", f"#{H - 1}")
        addr("x0", dst)
        addr("x1", TABLE)
        f.op("mov", "x2", f"#{H}")
        f.op("bl", callee(f"bignum_copy_row_from_table_{n}"))

    f.op("mov", z, "x0")
    f.op("mov", a, "x1")
    f.op("mov", m, "x3")
    f.comment("w = -m^-1 mod 2^64: x = 3m xor 2 is right to 5 bits, 4 Newton steps")
    f.op("ldr", "x9", mem(m, 0))
    f.op("add", "x10", "x9", "x9, lsl #1")
    f.op("eor", "x10", "x10", "#2")
    for _ in range(4):
        f.op("mul", "x11", "x9", "x10")
        f.op("mov", "x12", "#2")
        f.op("sub", "x11", "x12", "x11")
        f.op("mul", "x10", "x10", "x11")
    f.op("neg", w, "x10")
    f.comment("exponent copy with two zero words on top")
    for i in range(n):
        f.op("ldr", "x9", mem("x2", 8 * i))
        st("x9", ECOPY + i)
    st("xzr", ECOPY + n)
    st("xzr", ECOPY + n + 1)
    normalise(YB, NEGM)
    f.comment("acc = T[0] = R - M: R mod M exactly (M >= R/2), so == R (mod m)")
    for i in range(n):
        ld("x9", YB + i)
        f.op("negs" if i == 0 else "ngcs", "x9", "x9")
        st("x9", NEGM + i)
        st("x9", ACC + i)
        st("x9", TABLE + i)
    f.comment(f"acc = 2^{64 * n + s} mod M, then {j} squarings give acc == 2^{128 * n} (mod m)")
    doublings(s)
    for _ in range(j):
        call_amontsqr(ACC, ACC)
    f.comment("T[1] = a * R, T[i] = a^i * R (mod m), each < 2^(64n)")
    call_amontmul(TABLE + n, a, ACC)
    for i in range(2, H):
        if i % 2 == 0:
            call_amontsqr(TABLE + i * n, TABLE + (i // 2) * n)
        else:
            call_amontmul(TABLE + i * n, TABLE + (i - 1) * n, TABLE + n)
    f.comment(f"{windows} windows of {k} bits, from the top (bits above {64 * n} are 0)")
    f.op("mov", pos, f"#{k * (windows - 1)}")
    window_lookup(ACC)
    f.op("mov", pos, f"#{k * (windows - 2)}")
    loop = f.new_label("window")
    f.label(loop)
    for _ in range(k):
        call_amontsqr(ACC, ACC)
    window_lookup(ROW)
    call_amontmul(ACC, ACC, ROW)
    f.op("subs", pos, pos, f"#{k}")
    f.op("b.pl", loop)
    f.comment("z = acc / R mod m, fully reduced")
    for i in range(n):
        ld("x9", ACC + i)
        st("x9", XR + i)
        st("xzr", XR + n + i)
    f.op("mov", "x0", z)
    addr("x1", XR)
    f.op("mov", "x2", m)
    f.op("mov", "x3", w)
    f.op("bl", callee(f"bignum_montredc_{n}"))
    f.comment("wipe the frame (table, exponent, accumulator)")
    wipe = f.new_label("wipe")
    f.op("mov", "x9", "sp")
    f.op("mov", "x10", f"#{(frame + 15) // 16}")
    f.label(wipe)
    f.op("stp", "xzr", "xzr", "[x9]", "#16")
    f.op("subs", "x10", "x10", "#1")
    f.op("b.ne", wipe)
    f.finish({z, a, m, w, pos, count}, frame, calls=True)
    return f
