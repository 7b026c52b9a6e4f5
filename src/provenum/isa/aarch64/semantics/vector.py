"""Neon (Advanced SIMD) integer instructions and moves between general and vector registers.

Registers are 128 bits. A write of a 64-bit arrangement (8b, 4h, 2s) or of
a scalar view (d, s) zeroes bits 127..64 (or everything above the view);
writing one element (ins, ld1 lane) keeps the others; the "2" forms
(umull2, xtn2, shrn2, ...) read or write the upper half. Lanes are
numbered from the least significant end.

These share mnemonics with scalar instructions (add, and, mov, mul, umull
...), so they register in VECTOR_SEMANTICS, which `execute` consults for
instructions that have a vector-register operand.
"""
from __future__ import annotations

from typing import Callable

from ..instruction import Imm, Reg, VElem, VReg
from .common import join, read_reg, split, write_reg

VECTOR_SEMANTICS: dict[str, Callable] = {}


def vector_semantics(*mnemonics: str):
    def register(fn):
        for m in mnemonics:
            assert m not in VECTOR_SEMANTICS, m
            VECTOR_SEMANTICS[m] = fn
        return fn
    return register


# --- operand access -----------------------------------------------------------------

def vread(s, op):
    """The value of a vector operand: the low width bits of a register, or one element."""
    d = s.d
    v = s.read_vec(op.index)
    if isinstance(op, VElem):
        lo = op.lane * op.esize
        return d.extract(v, lo + op.esize - 1, lo)
    w = op.width
    return v if w == 128 else d.extract(v, w - 1, 0)


def vwrite(s, op, value) -> None:
    """Write a whole-register operand (VReg or VScalar); bits above its width become 0."""
    d = s.d
    s.write_vec(op.index, value if d.width(value) == 128 else d.zext(value, 128))


def write_lane(s, index: int, esize: int, lane: int, value) -> None:
    lanes = split(s.d, s.read_vec(index), esize)
    lanes[lane] = value
    s.write_vec(index, join(s.d, lanes))


def lanes_of(s, op, esize: int | None = None):
    return split(s.d, vread(s, op), esize or op.esize)


def _full_lanes(s, op: VReg, esize: int):
    return split(s.d, s.read_vec(op.index), esize)


def _half(s, op: VReg, upper: bool):
    """The lanes of the low (or, for the "2" forms, high) 64 bits of a register."""
    lanes = _full_lanes(s, op, op.esize)
    n = 64 // op.esize
    return lanes[n:] if upper else lanes[:n]


def _second(s, op, count: int, esize: int):
    """A second source: a register's lanes or one element repeated."""
    if isinstance(op, VElem):
        return [vread(s, op)] * count
    return lanes_of(s, op, esize)


# --- arithmetic -----------------------------------------------------------------------

_LONG_MULS = ("umull", "umlal", "umlsl", "smull", "smlal")


@vector_semantics(*_LONG_MULS, *[m + "2" for m in _LONG_MULS])
def multiply_long(s, insn):
    """Widening multiply (and accumulate / subtract): each product is exact, 2*esize bits."""
    d = s.d
    dst, x, y = insn.operands
    m = insn.mnemonic
    upper = m.endswith("2")
    xs = _half(s, x, upper)
    ys = [vread(s, y)] * len(xs) if isinstance(y, VElem) else _half(s, y, upper)
    mul = d.smul_wide if m.startswith("s") else d.mul_wide
    prods = [d.concat(*mul(a, b)) for a, b in zip(xs, ys)]
    if "mla" in m or "mls" in m:
        acc = lanes_of(s, dst)
        op = d.add if "mla" in m else d.sub
        prods = [op(a, p)[0] for a, p in zip(acc, prods)]
    vwrite(s, dst, join(d, prods))


@vector_semantics("mul", "mla", "mls")
def multiply(s, insn):
    """Lane-wise product modulo 2^esize (accumulated into or subtracted from the destination)."""
    d = s.d
    dst, x, y = insn.operands
    xs = lanes_of(s, x)
    prods = [d.mul_wide(a, b)[1] for a, b in zip(xs, _second(s, y, len(xs), dst.esize))]
    if insn.mnemonic != "mul":
        op = d.add if insn.mnemonic == "mla" else d.sub
        prods = [op(a, p)[0] for a, p in zip(lanes_of(s, dst), prods)]
    vwrite(s, dst, join(d, prods))


def _esize(op) -> int:
    return op.esize if isinstance(op, VReg) else op.width


@vector_semantics("add", "sub")
def add_sub(s, insn):
    d = s.d
    dst, x, y = insn.operands
    e = _esize(dst)
    op = d.add if insn.mnemonic == "add" else d.sub
    vwrite(s, dst, join(d, [op(a, b)[0] for a, b in zip(lanes_of(s, x, e), lanes_of(s, y, e))]))


@vector_semantics("addp")
def addp(s, insn):
    """Sums of adjacent lanes: of m:n for two sources, of the source's two d lanes for "addp d, v.2d"."""
    d = s.d
    if len(insn.operands) == 2:
        dst, x = insn.operands
        a, b = lanes_of(s, x)
        vwrite(s, dst, d.add(a, b)[0])
        return
    dst, x, y = insn.operands
    both = lanes_of(s, x) + lanes_of(s, y)
    vwrite(s, dst, join(d, [d.add(both[i], both[i + 1])[0] for i in range(0, len(both), 2)]))


@vector_semantics("uaddlp", "uadalp")
def add_long_pairwise(s, insn):
    """Sums of adjacent lanes, zero-extended to twice their size (uadalp adds them to the destination)."""
    d = s.d
    dst, x = insn.operands
    e = dst.esize
    src = [d.zext(v, e) for v in lanes_of(s, x)]
    sums = [d.add(src[i], src[i + 1])[0] for i in range(0, len(src), 2)]
    if insn.mnemonic == "uadalp":
        sums = [d.add(a, b)[0] for a, b in zip(lanes_of(s, dst), sums)]
    vwrite(s, dst, join(d, sums))


# --- bitwise and moves ---------------------------------------------------------------------

@vector_semantics("and", "orr", "eor", "bic", "orn", "bsl", "bit", "bif")
def bitwise(s, insn):
    d = s.d
    dst, x, y = insn.operands
    a, b = vread(s, x), vread(s, y)
    m = insn.mnemonic
    if m in ("and", "orr", "eor"):
        r = {"and": d.and_, "orr": d.or_, "eor": d.xor}[m](a, b)
    elif m == "bic":
        r = d.and_(a, d.not_(b))
    elif m == "orn":
        r = d.or_(a, d.not_(b))
    else:
        old = vread(s, dst)
        if m == "bsl":                      # old selects: 1 -> a, 0 -> b
            r = d.or_(d.and_(old, a), d.and_(d.not_(old), b))
        elif m == "bit":                    # b selects: 1 -> a, 0 -> old
            r = d.or_(d.and_(a, b), d.and_(old, d.not_(b)))
        else:                               # bif: b selects: 0 -> a, 1 -> old
            r = d.or_(d.and_(a, d.not_(b)), d.and_(old, b))
    vwrite(s, dst, r)


@vector_semantics("mvn")
def mvn(s, insn):
    dst, x = insn.operands
    vwrite(s, dst, s.d.not_(vread(s, x)))


@vector_semantics("movi")
def movi(s, insn):
    """The immediate in every lane (for "movi d, #imm", the whole low 64 bits)."""
    d = s.d
    dst, imm = insn.operands
    e = _esize(dst)
    lanes = (dst.width // e) if isinstance(dst, VReg) else 1
    vwrite(s, dst, join(d, [d.const(imm.value, e)] * lanes))


@vector_semantics("dup")
def dup(s, insn):
    """A general register's low bits, or one element, in every lane."""
    d = s.d
    dst, src = insn.operands
    e = dst.esize
    v = d.extract(read_reg(s, src), e - 1, 0) if isinstance(src, Reg) else vread(s, src)
    vwrite(s, dst, join(d, [v] * dst.lanes))


@vector_semantics("mov", "ins", "umov")
def mov(s, insn):
    """mov is orr (vector), dup (element to scalar), ins (into one element) or umov (element to general)."""
    d = s.d
    dst, src = insn.operands
    if isinstance(dst, VElem):
        v = vread(s, src) if isinstance(src, VElem) else d.extract(read_reg(s, src), dst.esize - 1, 0)
        write_lane(s, dst.index, dst.esize, dst.lane, v)
    elif isinstance(dst, Reg):
        v = vread(s, src)
        write_reg(s, dst, v if d.width(v) == dst.width else d.zext(v, dst.width))
    else:
        vwrite(s, dst, vread(s, src))


@vector_semantics("fmov")
def fmov(s, insn):
    """Bit copies between general and vector registers (no conversion); fmov v.d[1], x keeps the low half."""
    dst, src = insn.operands
    if isinstance(dst, VElem):
        write_lane(s, dst.index, 64, dst.lane, read_reg(s, src))
    elif isinstance(dst, Reg):
        write_reg(s, dst, vread(s, src))
    else:
        vwrite(s, dst, read_reg(s, src) if isinstance(src, Reg) else vread(s, src))


# --- shifts ---------------------------------------------------------------------------------

def _shift_lanes(d, lanes, kind: str, amount: int):
    """Each lane shifted by a constant; a right shift by the lane size gives 0 (or the sign)."""
    out = []
    for v in lanes:
        n = d.const(amount, d.width(v))
        out.append({"lsl": d.shl, "lsr": d.lshr, "asr": d.ashr}[kind](v, n))
    return out


@vector_semantics("ushr", "sshr", "shl", "usra", "ssra", "sli", "sri")
def shift_imm(s, insn):
    d = s.d
    dst, x, imm = insn.operands
    e = _esize(dst)
    n = imm.value
    m = insn.mnemonic
    src = lanes_of(s, x, e)
    kind = {"ushr": "lsr", "usra": "lsr", "sri": "lsr", "sshr": "asr", "ssra": "asr"}.get(m, "lsl")
    shifted = _shift_lanes(d, src, kind, n)
    if m in ("usra", "ssra"):
        shifted = [d.add(a, b)[0] for a, b in zip(lanes_of(s, dst, e), shifted)]
    elif m in ("sli", "sri"):
        # keep the destination bits the shift does not reach
        keep = ((1 << n) - 1) if m == "sli" else (((1 << e) - 1) ^ (((1 << e) - 1) >> n))
        shifted = [d.or_(v, d.and_(old, d.const(keep, e))) for v, old in zip(shifted, lanes_of(s, dst, e))]
    vwrite(s, dst, join(d, shifted))


@vector_semantics("ushl")
def ushl(s, insn):
    """Shift each lane by the signed low byte of the other operand's lane: left if >= 0, right if < 0."""
    d = s.d
    dst, x, y = insn.operands
    e = _esize(dst)
    out = []
    for v, c in zip(lanes_of(s, x, e), lanes_of(s, y, e)):
        count = d.extract(c, 7, 0)                 # a count >= esize shifts everything out
        negative = d.extract(count, 7, 7)
        left = d.shl(v, count)
        right = d.lshr(v, d.sub(d.const(0, 8), count)[0])
        out.append(d.ite(negative, right, left))
    vwrite(s, dst, join(d, out))


@vector_semantics("shrn", "shrn2", "xtn", "xtn2")
def narrow(s, insn):
    """Each source lane shifted right (shrn) and truncated to half its size; the "2" forms fill the upper half."""
    d = s.d
    dst, x, *imm = insn.operands
    e = dst.esize
    src = lanes_of(s, x)
    if imm:
        src = _shift_lanes(d, src, "lsr", imm[0].value)
    narrowed = join(d, [d.extract(v, e - 1, 0) for v in src])
    if insn.mnemonic.endswith("2"):
        s.write_vec(dst.index, d.concat(narrowed, d.extract(s.read_vec(dst.index), 63, 0)))
    else:
        vwrite(s, dst, narrowed)


@vector_semantics("ushll", "ushll2")
def ushll(s, insn):
    """Lanes of the low (high) half zero-extended to twice their size, then shifted left."""
    d = s.d
    dst, x, imm = insn.operands
    e = dst.esize
    lanes = [d.zext(v, e) for v in _half(s, x, insn.mnemonic == "ushll2")]
    vwrite(s, dst, join(d, _shift_lanes(d, lanes, "lsl", imm.value)))


# --- permutes -----------------------------------------------------------------------------------

@vector_semantics("uzp1", "uzp2", "zip1", "zip2", "trn1", "trn2")
def permute(s, insn):
    d = s.d
    dst, x, y = insn.operands
    a, b = lanes_of(s, x), lanes_of(s, y)
    n = len(a)
    m, part = insn.mnemonic[:3], int(insn.mnemonic[3]) - 1
    if m == "uzp":
        out = (a + b)[part::2]
    elif m == "zip":
        half = a[part * n // 2:(part + 1) * n // 2], b[part * n // 2:(part + 1) * n // 2]
        out = [v for pair in zip(*half) for v in pair]
    else:
        out = [v for i in range(0, n, 2) for v in (a[i + part], b[i + part])]
    vwrite(s, dst, join(d, out))


@vector_semantics("ext")
def ext(s, insn):
    """Bytes imm.. of the concatenation m:n (n the low part)."""
    d = s.d
    dst, x, y, imm = insn.operands
    w = dst.width
    both = d.concat(vread(s, y), vread(s, x))
    lo = 8 * imm.value
    vwrite(s, dst, d.extract(both, lo + w - 1, lo))


@vector_semantics("rev64")
def rev64(s, insn):
    """The order of the elements reversed within each 64-bit half."""
    d = s.d
    dst, x = insn.operands
    e = dst.esize
    per = 64 // e
    lanes = lanes_of(s, x)
    out = [v for i in range(0, len(lanes), per) for v in reversed(lanes[i:i + per])]
    vwrite(s, dst, join(d, out))


# --- compares ------------------------------------------------------------------------------------

@vector_semantics("cmeq", "cmhi", "cmhs", "cmtst")
def compare(s, insn):
    """All ones in each lane where the comparison holds (cmhi/cmhs unsigned >, >=; cmtst: a & b != 0)."""
    d = s.d
    dst, x, y = insn.operands
    e = _esize(dst)
    xs = lanes_of(s, x, e)
    ys = [d.const(y.value, e)] * len(xs) if isinstance(y, Imm) else lanes_of(s, y, e)
    ones, zero = d.const(-1, e), d.const(0, e)
    out = []
    for a, b in zip(xs, ys):
        if insn.mnemonic == "cmeq":
            c = d.eq(a, b)
        elif insn.mnemonic == "cmhi":
            c = d.ult(b, a)
        elif insn.mnemonic == "cmhs":
            c = d.xor(d.ult(a, b), d.const(1, 1))
        else:
            c = d.xor(d.eq(d.and_(a, b), zero), d.const(1, 1))
        out.append(d.ite(c, ones, zero))
    vwrite(s, dst, join(d, out))

