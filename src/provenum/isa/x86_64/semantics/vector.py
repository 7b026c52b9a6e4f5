"""SSE / AVX2 / AVX-512 moves, bitwise operations, compares, broadcasts and mask moves.

Register writes follow the encoding: a legacy SSE write keeps bits 128..511
of the destination zmm; a VEX or EVEX write zeroes everything above the
vector length. EVEX opmasks act per 64-bit element: merge-masking keeps the
old element, zero-masking ({z}) clears it; a masked store writes only the
selected elements.
"""
from __future__ import annotations

from ..instruction import Mem, Reg
from .common import bit, effective_address, read, semantics, write


def _concat_elements(d, elems):
    """Elements given low first -> one value."""
    v = elems[-1]
    for e in reversed(elems[:-1]):
        v = d.concat(v, e)
    return v


def _elements(d, v, size=64):
    return [d.extract(v, i + size - 1, i) for i in range(0, d.width(v), size)]


def write_vec_dest(s, insn, dst: Reg, value):
    """Write a vector result of dst's width with the encoding's masking and upper-bit rule."""
    d = s.d
    old = s.read_vec(dst.index)
    w = dst.width
    if insn.encoding == "legacy":
        new = value if w == 512 else d.concat(d.extract(old, 511, w), value)
        s.write_vec(dst.index, new)
        return
    if insn.mask:
        k = s.read_mask(insn.mask)
        olds = _elements(d, d.extract(old, w - 1, 0))
        news = _elements(d, value)
        z = d.const(0, 64)
        value = _concat_elements(d, [
            d.ite(bit(d, k, i), n, z if insn.zeroing else o) for i, (n, o) in enumerate(zip(news, olds))])
    s.write_vec(dst.index, value if w == 512 else d.zext(value, 512))


@semantics("movdqu", "vmovdqu", "vmovdqu64")
def vmov(s, insn):
    dst, src = insn.operands
    if isinstance(dst, Mem):
        _store_vec(s, insn, dst, read(s, insn, src))
    else:
        write_vec_dest(s, insn, dst, _load_vec(s, insn, src))


def _load_vec(s, insn, src):
    """A vector source; with an opmask, masked-off memory elements are not read
    when the mask bit is a known 0 (they may not be accessible)."""
    d = s.d
    if not (insn.mask and isinstance(src, Mem)):
        return read(s, insn, src)
    k = s.read_mask(insn.mask)
    base = effective_address(s, insn, src)
    elems = []
    for i in range(src.width // 64):
        if d.as_int(bit(d, k, i)) == 0:
            elems.append(d.const(0, 64))       # replaced by the merge/zero rule anyway
        else:
            elems.append(s.load(d.add(base, d.const(8 * i, 64))[0], 8))
    return _concat_elements(d, elems)


def _store_vec(s, insn, dst: Mem, value):
    d = s.d
    addr = effective_address(s, insn, dst)
    if not insn.mask:
        s.store(addr, value, dst.width // 8)
        return
    k = s.read_mask(insn.mask)
    for i, e in enumerate(_elements(d, value)):
        sel = bit(d, k, i)
        known = d.as_int(sel)
        if known == 0:
            continue
        a = d.add(addr, d.const(8 * i, 64))[0]
        if known is None:        # unknown mask bit: write back the old element when clear
            e = d.ite(sel, e, s.load(a, 8))
        s.store(a, e, 8)


_BITWISE = {"xor": "xor", "and": "and_", "or": "or_"}


def _bitwise_op(mnemonic: str) -> str:
    core = mnemonic.lstrip("v")[1:]            # "vpxorq" -> "xorq", "pand" -> "and"
    return core[:-1] if core.endswith(("q", "d")) and core[:-1] in _BITWISE else core


@semantics("pxor", "pand", "por", "vpxor", "vpand", "vpor", "vpxorq", "vpandq", "vporq")
def bitwise(s, insn):
    d = s.d
    op = getattr(d, _BITWISE[_bitwise_op(insn.mnemonic)])
    ops = insn.operands
    a, b = (ops[0], ops[1]) if insn.encoding == "legacy" else (ops[1], ops[2])
    write_vec_dest(s, insn, ops[0], op(read(s, insn, a), _load_vec(s, insn, b)))


@semantics("pandn", "vpandn", "vpandnq")
def andn(s, insn):
    """dst = ~a & b."""
    d = s.d
    ops = insn.operands
    a, b = (ops[0], ops[1]) if insn.encoding == "legacy" else (ops[1], ops[2])
    write_vec_dest(s, insn, ops[0], d.and_(d.not_(read(s, insn, a)), _load_vec(s, insn, b)))


@semantics("pcmpeqq", "vpcmpeqq")
def pcmpeqq(s, insn):
    """Per 64-bit element equality: all-ones/zero elements, or (EVEX) a k mask
    whose bits above the element count are zero, ANDed with the opmask."""
    d = s.d
    ops = insn.operands
    a, b = (ops[0], ops[1]) if insn.encoding == "legacy" else (ops[1], ops[2])
    ea, eb = _elements(d, read(s, insn, a)), _elements(d, read(s, insn, b))
    eqs = [d.eq(x, y) for x, y in zip(ea, eb)]
    dst = ops[0]
    if dst.kind == "mask":
        bits = _concat_elements(d, eqs)
        if insn.mask:
            bits = d.and_(bits, d.extract(s.read_mask(insn.mask), len(eqs) - 1, 0))
        s.write_mask(dst.index, d.zext(bits, 64))
    else:
        ones, zeros = d.const(2**64 - 1, 64), d.const(0, 64)
        write_vec_dest(s, insn, dst, _concat_elements(d, [d.ite(e, ones, zeros) for e in eqs]))


@semantics("vpbroadcastq")
def vpbroadcastq(s, insn):
    d = s.d
    dst, src = insn.operands
    if isinstance(src, Reg) and src.kind == "vec":
        q = d.extract(read(s, insn, src), 63, 0)
    else:
        q = read(s, insn, src)
    write_vec_dest(s, insn, dst, _concat_elements(d, [q] * (dst.width // 64)))


@semantics("movq", "vmovq")
def movq(s, insn):
    """Between a GPR and the low qword of an xmm (the xmm's bits 64..127 are zeroed)."""
    d = s.d
    dst, src = insn.operands
    if isinstance(dst, Reg) and dst.kind == "vec":
        v = read(s, insn, src)
        write_vec_dest(s, insn, dst, d.zext(v if d.width(v) == 64 else d.extract(v, 63, 0), 128))
    else:
        write(s, insn, dst, d.extract(read(s, insn, src), 63, 0))


@semantics("kmovq", "kmovd", "kmovw", "kmovb")
def kmov(s, insn):
    """Mask moves; writing a mask or a 32-bit GPR zero-extends, the width is the mnemonic's."""
    d = s.d
    w = {"kmovq": 64, "kmovd": 32, "kmovw": 16, "kmovb": 8}[insn.mnemonic]
    dst, src = insn.operands
    v = d.extract(read(s, insn, src), w - 1, 0)
    if isinstance(dst, Reg) and dst.kind == "mask":
        s.write_mask(dst.index, d.zext(v, 64))
    elif isinstance(dst, Mem):
        write(s, insn, dst, v)
    else:
        write(s, insn, dst, d.zext(v, dst.width))


@semantics("vzeroupper")
def vzeroupper(s, insn):
    """Bits 128..511 of zmm0..zmm15 become 0 (zmm16..31 are untouched)."""
    d = s.d
    for i in range(16):
        s.write_vec(i, d.zext(d.extract(s.read_vec(i), 127, 0), 512))


@semantics("vpternlogq")
def vpternlogq(s, insn):
    """Bitwise ternary logic: result bit = imm8[(a << 2) | (b << 1) | c].

    Built by splitting the truth table on a, then b (so 0xf8 is a | (b & c),
    not a sum of five minterms): the same function, in fewer operations.
    """
    d = s.d
    dst, src2, src3, imm = insn.operands
    a = read(s, insn, dst)
    b = read(s, insn, src2)
    c = _load_vec(s, insn, src3)
    w = dst.width
    zero, ones = d.const(0, w), d.const((1 << w) - 1, w)

    def mux(sel, then, other):
        """(sel & then) | (~sel & other), bitwise, with the constant cases written out."""
        t, o = d.as_int(then), d.as_int(other)
        if then is other or (t is not None and t == o):
            return then
        if t == 0:
            return d.and_(d.not_(sel), other)
        if o == 0:
            return d.and_(sel, then)
        if t == ones_value:
            return d.or_(sel, other)
        if o == ones_value:
            return d.or_(d.not_(sel), then)
        return d.or_(d.and_(sel, then), d.and_(d.not_(sel), other))

    def of_c(table2):                      # a function of c alone: bits (c=1, c=0)
        return (zero, d.not_(c), c, ones)[table2]

    def of_bc(table4):                     # a function of b, c: bits 2-3 for b = 1, 0-1 for b = 0
        return mux(b, of_c(table4 >> 2), of_c(table4 & 3))

    ones_value = (1 << w) - 1
    write_vec_dest(s, insn, dst, mux(a, of_bc(imm.value >> 4), of_bc(imm.value & 15)))


@semantics("paddq", "vpaddq", "psubq", "vpsubq")
def add_sub_q(s, insn):
    """Per 64-bit element add or subtract, modulo 2^64."""
    d = s.d
    ops = insn.operands
    a, b = (ops[0], ops[1]) if insn.encoding == "legacy" else (ops[1], ops[2])
    op = d.add if "add" in insn.mnemonic else d.sub
    ea, eb = _elements(d, read(s, insn, a)), _elements(d, _load_vec(s, insn, b))
    write_vec_dest(s, insn, ops[0], _concat_elements(d, [op(x, y)[0] for x, y in zip(ea, eb)]))


@semantics("vpblendmq")
def vpblendmq(s, insn):
    """Element i = src2[i] where k[i] is set, else src1[i] (or 0 with {z});
    without a mask every element comes from src2."""
    d = s.d
    dst, a, b = insn.operands
    ea, eb = _elements(d, read(s, insn, a)), _elements(d, _load_vec(s, insn, b))
    if insn.mask:
        k = s.read_mask(insn.mask)
        z = d.const(0, 64)
        elems = [d.ite(bit(d, k, i), y, z if insn.zeroing else x) for i, (x, y) in enumerate(zip(ea, eb))]
    else:
        elems = eb
    v = _concat_elements(d, elems)
    s.write_vec(dst.index, v if dst.width == 512 else d.zext(v, 512))


@semantics("vpmadd52luq", "vpmadd52huq")
def vpmadd52(s, insn):
    """Per 64-bit element: dst += bits 51..0 (luq) or 103..52 (huq) of the 104-bit
    product of the sources' low 52 bits, zero-extended; the sum wraps modulo 2^64."""
    d = s.d
    dst, a, b = insn.operands
    ea, eb = _elements(d, read(s, insn, a)), _elements(d, _load_vec(s, insn, b))
    acc = _elements(d, read(s, insn, dst))
    high = insn.mnemonic == "vpmadd52huq"
    out = []
    for x, y, z in zip(ea, eb, acc):
        hi, lo = d.mul_wide(d.extract(x, 51, 0), d.extract(y, 51, 0))
        out.append(d.add(z, d.zext(hi if high else lo, 64))[0])
    write_vec_dest(s, insn, dst, _concat_elements(d, out))


@semantics("valignq")
def valignq(s, insn):
    """Elements i of the result are elements imm+i of the pair (src1 high, src2 low): the
    concatenation shifted down by imm elements; the count is taken modulo the element count."""
    d = s.d
    dst, a, b, imm = insn.operands
    count = dst.width // 64
    pair = _elements(d, read(s, insn, b)) + _elements(d, read(s, insn, a))
    shift = imm.value % count
    write_vec_dest(s, insn, dst, _concat_elements(d, pair[shift:shift + count]))
