"""Karatsuba multiplication and squaring: bignum_kmul_{n}_{2n}_{level}, bignum_ksqr_{n}_{2n}_{level}.

One level of Karatsuba on halves of h = n/2 words over the h-word kernels
named by the caller: schoolbook halves are emitted inline (the kernel is
then straight-line), Karatsuba halves are called:

  x = x1*B + x0, y = y1*B + y0, B = 2^(64h)
  x*y = H*B^2 + (L + H + (x0-x1)(y1-y0))*B + L,  L = x0*y0, H = x1*y1
  x^2 = H*B^2 + (L + H - (x0-x1)^2)*B + L

|x0 - x1| and |y1 - y0| are taken in constant time (both differences, a
cmov select on the borrow); the sign of the middle product is applied as
a mask (one's complement plus carry-in). Scratch is on the stack. The half
products and the addition of the middle term are the level's arithmetic
(arith_bmi2: one pass on two carry chains; arith_baseline: two passes).
"""
from __future__ import annotations

from .asm import Function, mem, stack_frame_size
from .levels import arith, symbol

SIZES = (16, 24, 32)


def _abs_diff(f: Function, dst: int, a: tuple[str, int], b: tuple[str, int], tmp: int,
              h: int, mask: str | None) -> None:
    """stack[dst..] = |a - b| (h words); mask (if given) = -1 when a < b else 0."""
    r = "rax"
    for k in range(h):
        f.op("mov", r, mem(a[0], a[1] + 8 * k))
        f.op("sub" if k == 0 else "sbb", r, mem(b[0], b[1] + 8 * k))
        f.op("mov", mem("rsp", 8 * (dst + k)), r)
    f.op("sbb", "rcx", "rcx")  # rcx = -borrow
    if mask:
        f.op("mov", mask, "rcx")
    for k in range(h):
        f.op("mov", r, mem(b[0], b[1] + 8 * k))
        f.op("sub" if k == 0 else "sbb", r, mem(a[0], a[1] + 8 * k))
        f.op("mov", mem("rsp", 8 * (tmp + k)), r)
    f.op("bt", "rcx", "0")  # CF = (a < b)
    for k in range(h):
        f.op("mov", r, mem("rsp", 8 * (dst + k)))
        f.op("cmovc", r, mem("rsp", 8 * (tmp + k)))
        f.op("mov", mem("rsp", 8 * (dst + k)), r)


# registers of an inlined half product (z, x, y bases live in rbx, r12, r13)
WINDOW = ["rcx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r14"]
LO, HI = "rax", "r15"


def _half(f: Function, half: str, level: str, z: str, x: str, y: str | None) -> None:
    """z := x*y (or x^2) on h words: the schoolbook body inline, Karatsuba by a call."""
    h = int(half.split("_")[2])
    a = arith(level)
    if half.startswith("bignum_mul_"):
        a.emit_mul(f, z, x, y, h, h, WINDOW, LO, HI)
    elif half.startswith("bignum_sqr_"):
        a.emit_sqr(f, z, x, h, WINDOW, LO, HI, "r13")
    else:
        for reg, base in (("rdi", z), ("rsi", x), ("rdx", y)):
            if base is not None:
                f.op("lea", reg, f"[{base}]")
        f.op("call", symbol(half, level))


def scratch_words(n: int) -> int:
    """Stack words emit() needs: dx[h] dy[h] tmp[h] mid[n] sum[n] sign-mask."""
    return 3 * (n // 2) + 2 * n + 1


def emit(f: Function, n: int, square: bool, half: str, scratch: int, level: str) -> None:
    """The Karatsuba body: z in RBX, x in R12, y in R13 (callee-saved registers
    the enclosing function has pushed); scratch words at rsp + 8*scratch.
    Clobbers every other general register except rsp."""
    h = n // 2
    DX, DY, TMP = scratch, scratch + h, scratch + 2 * h
    MID, SUM, MS = scratch + 3 * h, scratch + 3 * h + n, scratch + 3 * h + 2 * n
    z, x, y, ms = "rbx", "r12", "r13", "r14"
    f.comment("L = low halves product into z[0..n), H = high halves into z[n..2n)")
    _half(f, half, level, z, x, None if square else y)
    _half(f, half, level, f"{z}+{8 * n}", f"{x}+{8 * h}", None if square else f"{y}+{8 * h}")
    f.comment("differences of the halves, in constant time")
    _abs_diff(f, DX, (x, 0), (x, 8 * h), TMP, h, None if square else "rdx")
    if square:
        f.op("mov", mem("rsp", 8 * MS), "-1")  # always subtract the middle square
    else:
        f.op("mov", mem("rsp", 8 * MS), "rdx")
        _abs_diff(f, DY, (y, 8 * h), (y, 0), TMP, h, "rdx")
        f.op("mov", "rax", mem("rsp", 8 * MS))
        f.op("xor", "rax", "rdx")  # negative middle iff exactly one difference was
        f.op("mov", mem("rsp", 8 * MS), "rax")
    _half(f, half, level, f"rsp+{8 * MID}", f"rsp+{8 * DX}", None if square else f"rsp+{8 * DY}")
    f.op("mov", ms, mem("rsp", 8 * MS))
    f.comment("sum = L + H (n words, carry in rcx)")
    r = "rax"
    for k in range(n):
        f.op("mov", r, mem(z, 8 * k))
        f.op("add" if k == 0 else "adc", r, mem(z, 8 * (n + k)))
        f.op("mov", mem("rsp", 8 * (SUM + k)), r)
    f.op("mov", "rcx", "0")
    f.op("adc", "rcx", "0")
    if not square:
        f.comment("mid ^= sign mask")
        for k in range(n):
            f.op("mov", r, mem("rsp", 8 * (MID + k)))
            f.op("xor", r, ms)
            f.op("mov", mem("rsp", 8 * (MID + k)), r)
    arith(level).emit_karatsuba_combine(f, n, square, z, ms, MID, SUM)


def inlined(half: str) -> bool:
    return half.startswith(("bignum_mul_", "bignum_sqr_"))


def generate(n: int, square: bool, half: str, level: str) -> Function:
    """`half` names the h x h -> 2h operation (mul or sqr): schoolbook halves are
    inlined (straight-line code), Karatsuba halves are called (their `level` variant)."""
    assert n % 2 == 0
    name = symbol(f"bignum_{'ksqr' if square else 'kmul'}_{n}_{2 * n}", level)
    if square:
        summary = f"Square z := x^2, {n} -> {2 * n} words (Karatsuba)"
        proto = f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}])"
        regs = "Standard x86-64 ABI: RDI = z, RSI = x"
    else:
        summary = f"Multiply z := x * y, {n} x {n} -> {2 * n} words (Karatsuba)"
        proto = (f"void {name}(uint64_t z[static {2 * n}], const uint64_t x[static {n}], "
                 f"const uint64_t y[static {n}])")
        regs = "Standard x86-64 ABI: RDI = z, RSI = x, RDX = y"
    how = f"{half} inline" if inlined(half) else f"calls to {symbol(half, level)}"
    f = Function(name=name, summary=summary, prototype=proto,
                 registers=regs + "\n(z, x, y kept in RBX, R12, R13; the sign mask on the stack)",
                 notes=[f"One Karatsuba level, the three half products by {how};",
                        "scratch on the stack. z must not overlap the inputs."], level=level)
    saved = ("rbx", "rbp", "r12", "r13", "r14", "r15")
    frame = stack_frame_size(8 * scratch_words(n), len(saved))
    f.push_all(saved)
    f.op("sub", "rsp", str(frame))
    f.op("mov", "rbx", "rdi")
    f.op("mov", "r12", "rsi")
    if not square:
        f.op("mov", "r13", "rdx")
    emit(f, n, square, half, 0, level)
    f.op("add", "rsp", str(frame))
    f.pop_all(saved)
    f.op("ret")
    return f
