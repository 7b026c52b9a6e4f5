"""Montgomery reduction: bignum_montredc_{n} and bignum_amontredc_{n}.

Word-by-word reduction, fully unrolled: row i picks q = t_i * w mod 2^64 and
adds q*m*2^(64i) (mulx, low halves on the adcx chain, high halves on the
adox chain), which clears word i. The running value lives in a 2n-word
stack buffer t; x is only read (row 0 reads it, and each row's top word
comes from x). The top word's carry-out is a bit carried in a register
to the next row. After n rows the result is t[n .. 2n) plus that bit:
a value below R + m for any x < R^2 (R = 2^(64n)).

  montredc:  needs x < R*m; then that value is below 2m, and one masked
             subtraction (select with cmov) gives z = x/R mod m, fully reduced.
  amontredc: any x < R^2; subtracts m exactly when the carry bit is set, so
             z < R, z == x/R (mod m), and z < 2m whenever x < R*m.

(A variant holding blocks of 8 rows in registers measured slower here: its
short rows serialise on the q = t_i * w latency.)
"""
from __future__ import annotations

from .asm import Function, mem, stack_frame_size

SIZES = (4, 8, 16, 24, 32)


def _rows(f: Function, n: int, t: str) -> None:
    """The n reduction rows; leaves positions n..2n-1 in t and the carry in r12.

    Word i+1 after row i is the next row's first word: it stays in a register
    (r13/r14 alternately) so the q = t_i * w chain never waits on memory.
    """
    x, m, w = "rsi", "r8", "rcx"
    lo, zero, cy = "rax", "rbp", "r12"
    his = ("r9", "r10")
    acc = ("r11", "rbx")
    first = ("r13", "r14")
    f.op("mov", first[0], mem(x, 0))
    for i in range(n):
        src = (lambda p: mem(x, 8 * p)) if i == 0 else (lambda p: mem(t, 8 * p))
        a0, a1 = first[i % 2], first[(i + 1) % 2]
        f.comment(f"row {i}: q = t[{i}] * w; t += q * m * 2^(64*{i})")
        f.op("mov", "rdx", a0)
        f.op("imul", "rdx", w)
        f.op("xor", zero, zero)
        f.op("mulx", his[0], lo, mem(m, 0))
        f.op("adcx", a0, lo)  # word i becomes 0; only the carry matters
        hi = 0
        for k in range(1, n):
            a = a1 if k == 1 else acc[k % 2]
            f.op("mulx", his[1 - hi], a, mem(m, 8 * k))
            f.op("adcx", a, src(i + k))  # the load folds into the add
            f.op("adox", a, his[hi])
            if k > 1:
                f.op("mov", mem(t, 8 * (i + k)), a)
            hi = 1 - hi
        a = acc[n % 2]
        f.op("mov", a, mem(x, 8 * (i + n)))
        f.op("adox", a, his[hi])
        f.op("adcx", a, cy if i else zero)
        f.op("mov", cy, "0")
        f.op("adcx", cy, zero)
        f.op("adox", cy, zero)
        f.op("mov", mem(t, 8 * (i + n)), a)
        if i == n - 1:
            f.op("mov", mem(t, 8 * n), a1)  # the last row's word n


def emit(f: Function, n: int, almost: bool, t_off: int) -> None:
    """The reduction body: z in RDI, x in RSI, m in R8, w in RCX; a 2n-word
    buffer t at rsp + 8*t_off. Uses RBX, RBP, R12, R13, R14 (callee-saved: the
    enclosing function pushes them) and the caller-saved registers."""
    t = f"rsp+{8 * t_off}" if t_off else "rsp"
    _rows(f, n, t)
    a = "rax"
    if almost:
        f.comment("z = t_hi - m*c in one pass: t_hi + ~(m if c else 0) + 1 on the adcx chain")
        f.op("mov", "r9", "-1")
        f.op("test", "r12", "r12")  # ZF: no carry bit c, subtract nothing
        f.op("stc")
        for k in range(n):
            f.op("mov", a, mem("r8", 8 * k))
            f.op("not", a)
            f.op("cmovz", a, "r9")
            f.op("adcx", a, mem(t, 8 * (n + k)))
            f.op("mov", mem("rdi", 8 * k), a)
    else:
        f.comment("z = t_hi - m (into z), then keep t_hi where that was not wanted")
        for k in range(n):
            f.op("mov", a, mem(t, 8 * (n + k)))
            f.op("sub" if k == 0 else "sbb", a, mem("r8", 8 * k))
            f.op("mov", mem("rdi", 8 * k), a)
        f.op("sbb", "r12", "0")  # CF: carry bit 0 and t_hi < m, keep t_hi
        for k in range(n):
            f.op("mov", a, mem("rdi", 8 * k))
            f.op("cmovc", a, mem(t, 8 * (n + k)))
            f.op("mov", mem("rdi", 8 * k), a)


def generate(n: int, almost: bool) -> Function:
    name = f"bignum_{'a' if almost else ''}montredc_{n}"
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
    )
    saved = ("rbx", "rbp", "r12", "r13", "r14")
    frame = stack_frame_size(16 * n, len(saved))
    f.push_all(saved)
    f.op("sub", "rsp", str(frame))
    f.op("mov", "r8", "rdx")
    emit(f, n, almost, 0)
    f.op("add", "rsp", str(frame))
    f.pop_all(saved)
    f.op("ret")
    return f
