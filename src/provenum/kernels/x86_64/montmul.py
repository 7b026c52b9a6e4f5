"""Montgomery multiplication and squaring by separate reduction.

bignum_montmul_{n}_{level}/montsqr_{n}_{level} form the full 2n-word
product (or square) in a stack buffer, then reduce it (the body of
bignum_montredc_{n}_{level}); the almost variants amontmul/amontsqr reduce
like bignum_amontredc_{n}_{level},
and exponentiation uses them on values below 2^(64n) without ever fully
reducing. Both halves are emitted inline, so one call does the whole step:
the product is the schoolbook body or the Karatsuba body (whose own halves
are inline, or calls at 32 words), whichever the benchmark preferred.
"""
from __future__ import annotations

from . import karatsuba, montredc
from .asm import Function, mem, stack_frame_size
from .levels import arith, symbol
from .mul import WINDOW as MUL_WINDOW
from .sqr import WINDOW as SQR_WINDOW

SIZES = (4, 8, 16, 24, 32)


def _product(f: Function, n: int, square: bool, product: str, half: str | None, P: int, KS: int,
             level: str) -> None:
    """stack[P .. P+2n) := x*y (x in RSI, y in RDX) or x^2, by `product`'s body."""
    z = f"rsp+{8 * P}" if P else "rsp"
    a = arith(level)
    if product.startswith(("bignum_kmul_", "bignum_ksqr_")):
        f.op("lea", "rbx", f"[{z}]")
        f.op("mov", "r12", "rsi")
        if not square:
            f.op("mov", "r13", "rdx")
        karatsuba.emit(f, n, square, half, KS, level)
    elif square:
        a.emit_sqr(f, z, "rsi", n, SQR_WINDOW, "rax", "rbx", "r15")
    else:
        f.op("mov", "rcx", "rdx")
        a.emit_mul(f, z, "rsi", "rcx", n, n, MUL_WINDOW, "rax", "rbx")


def generate(n: int, square: bool, almost: bool, product: str, half: str | None, level: str,
             looped: bool = False) -> Function:
    """`product` names the n x n -> 2n product (or square) operation whose body is
    used; for a Karatsuba product, `half` names the operation of its halves."""
    op = "sqr" if square else "mul"
    name = symbol(f"bignum_{'a' if almost else ''}mont{op}_{n}", level)
    R = f"2^{64 * n}"
    expr = "x^2" if square else "x * y"
    if square:
        proto_in = f"const uint64_t x[static {n}], "
        regs = "Standard x86-64 ABI: RDI = z, RSI = x, RDX = m, RCX = w"
    else:
        proto_in = f"const uint64_t x[static {n}], const uint64_t y[static {n}], "
        regs = "Standard x86-64 ABI: RDI = z, RSI = x, RDX = y, RCX = m, R8 = w"
    regs += "\n(z, m, w are kept on the stack while the product is formed)"
    if almost:
        summary = f"Almost-Montgomery {'square' if square else 'multiply'}, z == {expr} / {R} (mod m), z < {R}"
        notes = [f"Any inputs < {R}, m odd, w = -m^-1 mod 2^64; if {expr} < {R} * m then z < 2*m."]
    else:
        summary = f"Montgomery {'square' if square else 'multiply'}, z := {expr} / {R} mod m"
        notes = [f"Requires {'x' if square else 'x, y'} < m, m odd, w = -m^-1 mod 2^64; then z < m."]
    redc = symbol(f"bignum_{'a' if almost else ''}montredc_{n}", level)
    notes.append(f"The body of {symbol(product, level)}, then that of {redc}; z may alias the inputs.")
    if looped:
        notes.append("The reduction rows run in a loop, two rows per iteration (code size).")
    f = Function(
        name=name, summary=summary,
        prototype=(f"void {name}(uint64_t z[static {n}], {proto_in}"
                   f"const uint64_t m[static {n}], uint64_t w)"),
        registers=regs, notes=notes, level=level,
    )
    kara = product.startswith(("bignum_kmul_", "bignum_ksqr_"))
    # stack words: product P[2n], reduction buffer T[2n], Karatsuba scratch, z m w
    P, T = 0, 2 * n
    KS = 4 * n
    SLOTS = KS + (karatsuba.scratch_words(n) if kara else 0)
    Z, M, W = SLOTS, SLOTS + 1, SLOTS + 2
    saved = ("rbx", "rbp", "r12", "r13", "r14", "r15")
    frame = stack_frame_size(8 * (W + 1), len(saved))
    f.push_all(saved)
    f.op("sub", "rsp", str(frame))
    f.op("mov", mem("rsp", 8 * Z), "rdi")
    if square:
        f.op("mov", mem("rsp", 8 * M), "rdx")
        f.op("mov", mem("rsp", 8 * W), "rcx")
    else:
        f.op("mov", mem("rsp", 8 * M), "rcx")
        f.op("mov", mem("rsp", 8 * W), "r8")
    f.comment(f"the product, as in {symbol(product, level)}")
    _product(f, n, square, product, half, P, KS, level)
    f.comment(f"the reduction, as in {redc}")
    f.op("mov", "rdi", mem("rsp", 8 * Z))
    f.op("lea", "rsi", f"[rsp+{8 * P}]" if P else "[rsp]")
    f.op("mov", "r8", mem("rsp", 8 * M))
    f.op("mov", "rcx", mem("rsp", 8 * W))
    montredc.emit(f, n, almost, T, level, looped)
    f.op("add", "rsp", str(frame))
    f.pop_all(saved)
    f.op("ret")
    return f
