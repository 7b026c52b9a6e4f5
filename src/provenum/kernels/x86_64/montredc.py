"""Montgomery reduction: bignum_montredc_{n}_{level} and bignum_amontredc_{n}_{level}.

Word-by-word reduction, fully unrolled, by the level's arithmetic (bmi2:
row by row, each row q*m on two carry chains; baseline: column by column,
product scanning): word i of x + q*m is cleared by q_i = t_i * w mod 2^64.
The running value lives in a 2n-word stack buffer t; x is only read. After
n steps the result is t[n .. 2n) plus a carry bit: a value below R + m for
any x < R^2 (R = 2^(64n)).

  montredc:  needs x < R*m; then that value is below 2m, and one masked
             subtraction (select with cmov) gives z = x/R mod m, fully reduced.
  amontredc: any x < R^2; subtracts m exactly when the carry bit is set, so
             z < R, z == x/R (mod m), and z < 2m whenever x < R*m.

(A bmi2 variant holding blocks of 8 rows in registers measured slower on
Emerald Rapids: its short rows serialise on the q = t_i * w latency.)
"""
from __future__ import annotations

from .asm import Function, mem, stack_frame_size
from .levels import arith, symbol

SIZES = (4, 8, 16, 24, 32)


def emit(f: Function, n: int, almost: bool, t_off: int, level: str, looped: bool = False) -> None:
    """The reduction body: z in RDI, x in RSI, m in R8, w in RCX; a 2n-word
    buffer t at rsp + 8*t_off. Uses RBX, RBP, R12, R13, R14 and, looped, R15
    (callee-saved: the enclosing function pushes them) and the caller-saved
    registers."""
    t = f"rsp+{8 * t_off}" if t_off else "rsp"
    a = arith(level)
    a.emit_redc_rows(f, n, t_off, looped)
    if almost:
        a.emit_almost_subtract(f, n, t)
        return
    r = "rax"
    f.comment("z = t_hi - m (into z), then keep t_hi where that was not wanted")
    for k in range(n):
        f.op("mov", r, mem(t, 8 * (n + k)))
        f.op("sub" if k == 0 else "sbb", r, mem("r8", 8 * k))
        f.op("mov", mem("rdi", 8 * k), r)
    f.op("sbb", "r12", "0")  # CF: carry bit 0 and t_hi < m, keep t_hi
    for k in range(n):
        f.op("mov", r, mem("rdi", 8 * k))
        f.op("cmovc", r, mem(t, 8 * (n + k)))
        f.op("mov", mem("rdi", 8 * k), r)


def generate(n: int, almost: bool, level: str, looped: bool = False) -> Function:
    name = symbol(f"bignum_{'a' if almost else ''}montredc_{n}", level)
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
    f = Function(
        name=name,
        summary=summary,
        prototype=(f"void {name}(uint64_t z[static {n}], const uint64_t x[static {2 * n}], "
                   f"const uint64_t m[static {n}], uint64_t w)"),
        registers="Standard x86-64 ABI: RDI = z, RSI = x, RDX = m (moved to R8), RCX = w",
        notes=notes,
        level=level,
    )
    if looped:
        f.notes.append("The reduction rows run in a loop, two rows per iteration (code size).")
    saved = ("rbx", "rbp", "r12", "r13", "r14") + (("r15",) if looped else ())
    frame = stack_frame_size(16 * n, len(saved))
    f.push_all(saved)
    f.op("sub", "rsp", str(frame))
    f.op("mov", "r8", "rdx")
    emit(f, n, almost, 0, level, looped)
    f.op("add", "rsp", str(frame))
    f.pop_all(saved)
    f.op("ret")
    return f
