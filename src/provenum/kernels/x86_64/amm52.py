"""Almost-Montgomery multiplication in radix 2^52 on AVX-512 IFMA: bignum_amm52[x2]_{n}_avx512ifma.

A number of n digits d_i < 2^52 means sum d_i 2^(52 i); a buffer holds it in
`stride(n)` words (a multiple of 8, the digits then zeros). With R = 2^(52 n)
and m odd, 4m < R, k0*m == -1 (mod 2^52), and x, y < 2m, the result z is
x*y/R modulo m and below 2m ("almost": no final subtraction; the headroom of
the radix-2^52 length keeps every output a valid input).

Operand scanning, one digit b_i of y per step, the accumulator in vector
registers (8 digits a zmm, or 4 a ymm) and its digit 0 also in a general
register D (the true value; the vector's lane 0 is only ever shifted out):

    D + x_0 b_i              128 bits by mulx, y_i = (D * k0) mod 2^52
    D := (D + x_0 b_i + m_0 y_i) >> 52          (exact: the low 52 bits are 0)
    acc += lo52(x b_i) + lo52(m y_i)            vpmadd52luq, every lane
    acc := acc shifted down one lane            valignq
    D += lane 0;  acc += hi52(x b_i) + hi52(m y_i)   vpmadd52huq (their lane 0
                                                 is already in D)

Lanes are not normalised during the n steps (each gains < 2^54 per step, so
a 64-bit lane cannot overflow for n <= 40); at the end the accumulator is
stored, D written to digit 0 and the carries propagated digit by digit in
general registers, so the result's digits are < 2^52.

The dual form (x2) computes two independent products, the two CRT halves:
each buffer holds two numbers, the second `stride(n)` words after the first,
and k0 points at their two constants. Their steps are interleaved so the
two dependency chains (D -> y -> vpmadd52luq -> valignq -> D) overlap.
No branch, no secret-dependent address: the code is straight-line.
"""
from __future__ import annotations

from itertools import zip_longest

from .asm import Function, mem
from .levels import symbol

SIZES = (20, 30, 40)
# the CRT half (64-bit words) each digit count serves: 2048-, 3072-, 4096-bit keys
HALF_WORDS = {20: 16, 30: 24, 40: 32}
MASK52 = (1 << 52) - 1
LEVEL = "avx512ifma"
LANES = 8                      # digits per vector register: 8 (zmm) or 4 (ymm)

_SIZE = {8: "ZMMWORD", 4: "YMMWORD"}
# per half: digit-0 accumulator D, high word T (then carry), y_i (then scratch) Y, k0
_D, _T, _Y, _K = ("rbx", "r12"), ("r13", "r14"), ("r15", "rbp"), ("r8", "r11")
_B_VEC, _Y_VEC, _ZERO = (28, 29), (26, 27), 31


def stride(n: int) -> int:
    """Words a radix-2^52 number of n digits occupies in a buffer (a multiple of 8)."""
    return -(-n // 8) * 8


def _vregs(n: int, lanes: int) -> int:
    return -(-n // lanes)


def _v(i: int, lanes: int) -> str:
    return ("zmm" if lanes == 8 else "ymm") + str(i)


def _step(n: int, i: int, h: int, lanes: int, src_b: str) -> list[list[tuple]]:
    """The bundles of step i for half h: lists of (mnemonic, operands...) kept together."""
    off = 8 * stride(n) * h
    width = 8 * lanes
    nv = _vregs(n, lanes)
    acc = [_v(nv * h + j, lanes) for j in range(nv)]
    bv, yv = _v(_B_VEC[h], lanes), _v(_Y_VEC[h], lanes)
    D, T, Y, K = _D[h], _T[h], _Y[h], _K[h]
    size = _SIZE[lanes]
    x = lambda j: mem("rsi", off + width * j, size=size)       # noqa: E731
    m = lambda j: mem("rcx", off + width * j, size=size)       # noqa: E731
    b = mem(src_b, off + 8 * i)
    bundles = [
        [("mov", "rdx", b), ("vpbroadcastq", bv, "rdx"), ("mulx", T, Y, mem("rsi", off)),
         ("add", D, Y), ("adc", T, "0")],
        [("mov", Y, K), ("imul", Y, D), ("and", Y, "rax"), ("vpbroadcastq", yv, Y),
         ("mov", "rdx", Y), ("mulx", "rdx", "r9", mem("rcx", off)), ("add", D, "r9"), ("adc", T, "rdx"),
         ("shr", D, "52"), ("shl", T, "12"), ("or", D, T)],
        [("vpmadd52luq", acc[j], bv, x(j)) for j in range(nv)],
        [("vpmadd52luq", acc[j], yv, m(j)) for j in range(nv)],
        [("valignq", acc[j], acc[j + 1] if j + 1 < nv else _v(_ZERO, lanes), acc[j], "1") for j in range(nv)],
        [("vmovq", "r9", "xmm" + acc[0][3:]), ("add", D, "r9")],
        [("vpmadd52huq", acc[j], bv, x(j)) for j in range(nv)],
        [("vpmadd52huq", acc[j], yv, m(j)) for j in range(nv)],
    ]
    return bundles


def _normalise(n: int, h: int, lanes: int) -> list[list[tuple]]:
    """Store the accumulator, digit 0 from D, then carry propagation: one bundle per digit."""
    off = 8 * stride(n) * h
    width = 8 * lanes
    nv = _vregs(n, lanes)
    D, C, t = _D[h], _T[h], _Y[h]
    out = [[("vmovdqu64", mem("rdi", off + width * j, size=_SIZE[lanes]), _v(nv * h + j, lanes))
            for j in range(nv)]]
    out[0] += [("mov", mem("rdi", off + 8 * w), "0") for w in range(lanes * nv, stride(n))]
    for i in range(n):
        z = mem("rdi", off + 8 * i)
        if i == 0:
            bundle = [("mov", t, D)]
        else:
            bundle = [("mov", t, z), ("add", t, C)]
        bundle += [("mov", C, t), ("shr", C, "52"), ("and", t, "rax"), ("mov", z, t)]
        out.append(bundle)
    return out


def _emit_interleaved(f: Function, per_half: list[list[list[tuple]]]) -> None:
    for group in zip_longest(*per_half):
        for bundle in group:
            for op in bundle or ():
                f.op(*op)


def generate(n: int, dual: bool, lanes: int = LANES) -> Function:
    assert n in SIZES and lanes in (4, 8)
    halves = 2 if dual else 1
    nv = _vregs(n, lanes)
    assert halves * nv <= min(_Y_VEC)
    w = stride(n)
    total = halves * w
    op = f"bignum_amm52{'x2' if dual else ''}_{n}"
    name = symbol(op, LEVEL)
    reg = "zmm" if lanes == 8 else "ymm"
    if dual:
        proto = (f"void {name}(uint64_t z[static {total}], const uint64_t x[static {total}], "
                 f"const uint64_t y[static {total}], const uint64_t m[static {total}], const uint64_t k0[static 2])")
        regs = "Standard x86-64 ABI: RDI = z, RSI = x, RDX = y, RCX = m, R8 = k0"
        summary = (f"Two almost-Montgomery products in radix 2^52, z_h := x_h*y_h/2^{52 * n} (mod m_h), "
                   f"{n} digits ({reg}, interleaved)")
        what = [f"Each buffer holds two numbers of {n} radix-2^52 digits: number h (0, 1) in words",
                f"{w}h .. {w}h+{w - 1} (digits, then zeros); k0[h] belongs to m_h."]
    else:
        proto = (f"void {name}(uint64_t z[static {w}], const uint64_t x[static {w}], const uint64_t y[static {w}], "
                 f"const uint64_t m[static {w}], uint64_t k0)")
        regs = "Standard x86-64 ABI: RDI = z, RSI = x, RDX = y, RCX = m, R8 = k0"
        summary = f"Almost-Montgomery product in radix 2^52, z := x*y/2^{52 * n} (mod m), {n} digits ({reg})"
        what = [f"Buffers hold {n} radix-2^52 digits (each < 2^52) in words 0..{n - 1}, zeros up to word {w - 1}."]
    f = Function(
        name=name, summary=summary, prototype=proto, registers=regs,
        notes=what + [f"Needs m odd, 4m < 2^{52 * n}, k0*m == -1 (mod 2^52), x, y < 2m;",
                      "then z == x*y/2^(52n) (mod m), z < 2m, every digit of z < 2^52.",
                      "z may alias x or y (every input word is read before z is written)."],
        level=LEVEL,
    )
    saved = ("rbx", "rbp", "r12", "r13", "r14", "r15")
    f.push_all(saved)
    f.op("mov", "r10", "rdx")
    if dual:
        f.op("mov", "r11", mem("r8", 8))
        f.op("mov", "r8", mem("r8", 0))
    f.op("mov", "rax", hex(MASK52))
    for h in range(halves):
        f.op("xor", _D[h], _D[h])
    zeros = [_ZERO] + list(range(halves * nv))
    for i in zeros:
        f.op("vpxorq", _v(i, lanes), _v(i, lanes), _v(i, lanes))
    for i in range(n):
        _emit_interleaved(f, [_step(n, i, h, lanes, "r10") for h in range(halves)])
    _emit_interleaved(f, [_normalise(n, h, lanes) for h in range(halves)])
    f.op("vzeroupper")
    f.pop_all(saved)
    f.op("ret")
    return f
