"""Constant-time modular exponentiation bignum_modexp_{n}_{level}: z := a^e mod m.

Fixed-window (k bits) left-to-right exponentiation in almost-Montgomery
form (values < 2^(64n), congruent, never fully reduced until the end):

  w  = -m^-1 mod 2^64               Newton iteration on m[0] (imul only)
  M  = m * 2^c, top bit set          c = leading zeros of m, found and applied
                                     with cmov/shld only (no branch on m)
  r  = R - M = 2^(64n) mod M         exact since M >= R/2; == R (mod m)
  t  = 2^(64n + s) mod M             s exact doublings mod M, 64n = s * 2^j
  rr == 2^(128n) (mod m)             j almost-Montgomery squarings of t
  T[0] = r, T[1] = a*rr/R, T[i] = T[i-1]*T[1]/R (or T[i/2]^2/R)
  acc = T[window]; then per window: k squarings, masked lookup, multiply
  z  = acc/R mod m                   full Montgomery reduction of (acc, 0)

Residues mod M are residues mod m (m divides M) below R, which is all the
almost-Montgomery steps need; so no 64n-step reduction of R by m is needed.
Every loop count, branch and address depends only on n, k and loop
counters: the exponent is read word by word at fixed positions, the table
is scanned in full (bignum_copy_row_from_table_{n}). The stack frame
(table, exponent copy, accumulator) is zeroed before returning.

Each level's exponentiation calls that level's kernels: the Montgomery
steps of its arithmetic level and the table lookup of its table level
(levels.py), and does its doublings with its arithmetic.
"""
from __future__ import annotations

from .asm import Function, mem, stack_frame_size
from .levels import ARITH_LEVEL, TABLE_LEVEL, arith, symbol

SIZES = (16, 24, 32)


def squaring_split(n: int) -> tuple[int, int]:
    """(s, j) with s * 2^j == 64n and s >= 48: s doublings then j squarings."""
    total, j = 64 * n, 0
    while total % (2 << j) == 0 and total >> (j + 1) >= 48:
        j += 1
    return total >> j, j


def generate(n: int, k: int, level: str, product: tuple[str, str] | None = None) -> Function:
    """With `product` (multiply, square operation names), each step calls that
    product into a stack buffer then bignum_amontredc_{n}; without it, each
    step is one call to bignum_amontmul_{n} / bignum_amontsqr_{n} (all at the
    level's arithmetic level)."""
    name = symbol(f"bignum_modexp_{n}", level)
    al, tl = ARITH_LEVEL[level], TABLE_LEVEL[level]

    def callee(operation: str) -> str:
        return symbol(operation, al)
    H = 1 << k
    windows = -(-64 * n // k)
    s, j = squaring_split(n)
    f = Function(
        name=name,
        summary=f"Modular exponentiation z := a^e mod m, {n}-word a, e, m (constant time)",
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t a[static {n}], "
                   f"const uint64_t e[static {n}], const uint64_t m[static {n}])"),
        registers="Standard x86-64 ABI: RDI = z, RSI = a, RDX = e, RCX = m",
        notes=[
            f"Requires m odd and a < m; e is any {n}-word number (all {64 * n} bits are processed).",
            f"Fixed {k}-bit windows, {H}-row table on the stack, almost-Montgomery steps;",
            "instruction, branch and address sequence independent of a, e and m.",
            "z may alias a, e or m.",
            f"Calls the {al} Montgomery kernels and the {tl} table lookup.",
        ],
        level=level,
    )
    # stack layout, in words
    TABLE = 0
    ACC = TABLE + H * n
    ROW = ACC + n
    ECOPY = ROW + n
    NEGM = ECOPY + n + 1
    YB = NEGM + n
    XR = YB + n
    WORDS = XR + 2 * n
    saved = ("rbx", "rbp", "r12", "r13", "r14", "r15")
    frame = stack_frame_size(8 * WORDS, len(saved))
    z, a, m, w = "rbx", "r12", "r13", "r15"

    def addr(word: int) -> str:
        return mem("rsp", 8 * word, size="")

    def stack(word: int) -> str:
        return mem("rsp", 8 * word)

    def call_amontsqr(dst: int, src: int) -> None:
        f.op("lea", "rdi", addr(dst))
        f.op("lea", "rsi", addr(src))
        f.op("mov", "rdx", m)
        f.op("mov", "rcx", w)
        f.op("call", callee(f"bignum_amontsqr_{n}"))

    def call_amontmul(dst: int, x: str, y: str) -> None:
        f.op("lea", "rdi", addr(dst))
        f.op("lea" if x.startswith("[") else "mov", "rsi", x)
        f.op("lea" if y.startswith("[") else "mov", "rdx", y)
        f.op("mov", "rcx", m)
        f.op("mov", "r8", w)
        f.op("call", callee(f"bignum_amontmul_{n}"))

    def step(square: bool) -> None:
        """ACC := ACC^2 / R or ACC * ROW / R (almost)."""
        if product is None:
            if square:
                call_amontsqr(ACC, ACC)
            else:
                call_amontmul(ACC, addr(ACC), addr(ROW))
            return
        f.op("lea", "rdi", addr(XR))
        f.op("lea", "rsi", addr(ACC))
        if not square:
            f.op("lea", "rdx", addr(ROW))
        f.op("call", callee(product[1] if square else product[0]))
        f.op("lea", "rdi", addr(ACC))
        f.op("lea", "rsi", addr(XR))
        f.op("mov", "rdx", m)
        f.op("mov", "rcx", w)
        f.op("call", callee(f"bignum_amontredc_{n}"))

    def doublings(count: int) -> None:
        """ACC := 2^count * ACC mod M, for ACC < M, in a loop of exact doublings.

        (A one-pass variant selecting the previous result while doubling
        measured slower: every word then waits for the previous decision.)
        """
        loop = f.new_label("double")
        f.op("mov", "rbp", str(count))
        f.label(loop)
        arith(level).emit_doubling(f, n, lambda i: stack(ACC + i), lambda i: stack(NEGM + i),
                                   lambda i: stack(YB + i))
        f.op("dec", "rbp")
        f.op("jnz", loop)

    def normalise(buf: int, tmp: int) -> None:
        """stack[buf..] = M = m * 2^s with the top bit set, without branches.

        s = leading zeros of m: the top nonzero word is found with cmov, its
        leading zeros by a 6-step binary search with cmov, the word part of
        the shift by a barrel shifter of cmov passes, the bit part by six
        shld-by-constant passes (into stack[tmp..]) kept or not with cmov.
        No shift count, branch or address depends on m.
        """
        f.comment("M = m shifted left until its top bit is set (constant time)")
        f.op("mov", "r8", "0")   # top nonzero word
        f.op("mov", "r9", "0")   # its index
        for i in range(n):
            f.op("mov", "rax", mem(m, 8 * i))
            f.op("mov", stack(buf + i), "rax")
            f.op("mov", "r10", str(i))
            f.op("test", "rax", "rax")
            f.op("cmovnz", "r8", "rax")
            f.op("cmovnz", "r9", "r10")
        f.op("mov", "rcx", "0")  # leading zeros of that word (it is nonzero: m is odd)
        for sh in (32, 16, 8, 4, 2, 1):
            f.op("mov", "rax", "r8")
            f.op("shr", "rax", str(64 - sh))
            f.op("mov", "r10", "r8")
            f.op("shl", "r10", str(sh))
            f.op("lea", "r11", mem("rcx", sh, size=""))
            f.op("test", "rax", "rax")
            f.op("cmovz", "r8", "r10")
            f.op("cmovz", "rcx", "r11")
        f.op("mov", "r10", str(n - 1))
        f.op("sub", "r10", "r9")  # word shift
        f.op("mov", "r11", "0")
        step = 1
        while step < n:
            f.op("bt", "r10", str(step.bit_length() - 1))  # CF: shift by `step` words
            for i in reversed(range(n)):
                f.op("mov", "rax", stack(buf + i))
                f.op("cmovc", "rax", stack(buf + i - step) if i >= step else "r11")
                f.op("mov", stack(buf + i), "rax")
            step *= 2
        for sh in (32, 16, 8, 4, 2, 1):  # bit shift: shifted copy, then cmov on bit of rcx
            for i in reversed(range(n)):
                f.op("mov", "rax", stack(buf + i))
                if i:
                    f.op("mov", "rdx", stack(buf + i - 1))
                    f.op("shld", "rax", "rdx", str(sh))
                else:
                    f.op("shl", "rax", str(sh))
                f.op("mov", stack(tmp + i), "rax")
            f.op("bt", "rcx", str(sh.bit_length() - 1))  # CF: this bit of the shift
            for i in range(n):
                f.op("mov", "rax", stack(buf + i))
                f.op("cmovc", "rax", stack(tmp + i))
                f.op("mov", stack(buf + i), "rax")

    def window_lookup(dst: int) -> None:
        """dst := T[bits p .. p+k-1 of e], p in r14."""
        f.op("mov", "rax", "r14")
        f.op("shr", "rax", "6")
        f.op("mov", "r8", mem("rsp", 8 * ECOPY, index="rax", scale=8))
        f.op("mov", "r9", mem("rsp", 8 * ECOPY + 8, index="rax", scale=8))
        f.op("mov", "rcx", "r14")
        f.op("and", "rcx", "63")
        f.op("shrd", "r8", "r9", "cl")
        f.op("and", "r8", str(H - 1))
        f.op("mov", "rcx", "r8")
        f.op("lea", "rdi", addr(dst))
        f.op("lea", "rsi", addr(TABLE))
        f.op("mov", "rdx", str(H))
        f.op("call", symbol(f"bignum_copy_row_from_table_{n}", tl))

    f.push_all(saved)
    f.op("sub", "rsp", str(frame))
    f.op("mov", z, "rdi")
    f.op("mov", a, "rsi")
    f.op("mov", m, "rcx")
    f.comment("w = -m^-1 mod 2^64: x = 3m xor 2 is right to 5 bits, 4 Newton steps")
    f.op("mov", "rax", mem(m, 0))
    f.op("imul", "rcx", "rax", "3")
    f.op("xor", "rcx", "2")
    for _ in range(4):
        f.op("mov", "r8", "rax")
        f.op("imul", "r8", "rcx")
        f.op("neg", "r8")
        f.op("add", "r8", "2")
        f.op("imul", "rcx", "r8")
    f.op("neg", "rcx")
    f.op("mov", w, "rcx")
    f.comment("exponent copy with a zero word on top")
    for i in range(n):
        f.op("mov", "rax", mem("rdx", 8 * i))
        f.op("mov", stack(ECOPY + i), "rax")
    f.op("mov", stack(ECOPY + n), "0")
    normalise(YB, NEGM)
    f.comment("acc = T[0] = R - M: R mod M exactly (M >= R/2), so == R (mod m)")
    for i in range(n):
        f.op("mov", "rax", "0")
        f.op("sub" if i == 0 else "sbb", "rax", stack(YB + i))
        f.op("mov", stack(NEGM + i), "rax")
        f.op("mov", stack(ACC + i), "rax")
        f.op("mov", stack(TABLE + i), "rax")
    f.comment(f"acc = 2^{64 * n + s} mod M, then {j} squarings give acc == 2^{128 * n} (mod m)")
    doublings(s)
    for _ in range(j):
        call_amontsqr(ACC, ACC)
    f.comment("T[1] = a * R, T[i] = a^i * R (mod m), each < 2^(64n)")
    call_amontmul(TABLE + n, a, addr(ACC))
    for i in range(2, H):
        if i % 2 == 0:
            call_amontsqr(TABLE + i * n, TABLE + (i // 2) * n)
        else:
            call_amontmul(TABLE + i * n, addr(TABLE + (i - 1) * n), addr(TABLE + n))
    f.comment(f"{windows} windows of {k} bits, from the top (bits above {64 * n} are 0)")
    f.op("mov", "r14", str(k * (windows - 1)))
    window_lookup(ACC)
    f.op("mov", "r14", str(k * (windows - 2)))
    loop = f.new_label("window")
    f.label(loop)
    for _ in range(k):
        step(square=True)
    window_lookup(ROW)
    step(square=False)
    f.op("sub", "r14", str(k))
    f.op("jns", loop)
    f.comment("z = acc / R mod m, fully reduced")
    for i in range(n):
        f.op("mov", "rax", stack(ACC + i))
        f.op("mov", stack(XR + i), "rax")
        f.op("mov", stack(XR + n + i), "0")
    f.op("mov", "rdi", z)
    f.op("lea", "rsi", addr(XR))
    f.op("mov", "rdx", m)
    f.op("mov", "rcx", w)
    f.op("call", callee(f"bignum_montredc_{n}"))
    f.comment("wipe the frame (table, exponent, accumulator)")
    wipe = f.new_label("wipe")
    f.op("xor", "rax", "rax")
    f.op("xor", "rcx", "rcx")
    f.label(wipe)
    f.op("mov", mem("rsp", 0, index="rcx", scale=8), "rax")
    f.op("inc", "rcx")
    f.op("cmp", "rcx", str(frame // 8))
    f.op("jb", wipe)
    f.op("add", "rsp", str(frame))
    f.pop_all(saved)
    f.op("ret")
    return f
