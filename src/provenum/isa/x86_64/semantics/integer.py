"""General-purpose integer instructions: moves, arithmetic, logic, shifts, multiplies."""
from __future__ import annotations

from ...domain import UNDEFINED
from ..instruction import Imm, Reg
from ..registers import gpr_view
from .common import (
    add_flags, bit, condition, effective_address, logic_flags, msb, not1, one, read,
    read_flag_or_undefined, semantics, sub_flags, write, zero,
)


def _dst_width(insn) -> int:
    return insn.operands[0].width


def _src(s, insn, i=1):
    """Operand i read at the destination's width (immediates are already sign-extended)."""
    return read(s, insn, insn.operands[i], _dst_width(insn))


# --- data movement -------------------------------------------------------------

@semantics("mov", "movabs")
def mov(s, insn):
    write(s, insn, insn.operands[0], _src(s, insn))


@semantics("movzx")
def movzx(s, insn):
    write(s, insn, insn.operands[0], s.d.zext(read(s, insn, insn.operands[1]), _dst_width(insn)))


@semantics("movsx", "movsxd")
def movsx(s, insn):
    write(s, insn, insn.operands[0], s.d.sext(read(s, insn, insn.operands[1]), _dst_width(insn)))


@semantics("lea")
def lea(s, insn):
    addr = effective_address(s, insn, insn.operands[1])
    w = _dst_width(insn)
    write(s, insn, insn.operands[0], addr if w == 64 else s.d.extract(addr, w - 1, 0))


@semantics("xchg")
def xchg(s, insn):
    a, b = insn.operands
    va, vb = read(s, insn, a), read(s, insn, b)
    write(s, insn, a, vb)
    write(s, insn, b, va)


# --- add/sub family -------------------------------------------------------------

@semantics("add", "adc")
def add(s, insn):
    d = s.d
    a, b = read(s, insn, insn.operands[0]), _src(s, insn)
    cin = s.read_flag("CF") if insn.mnemonic == "adc" else None
    r, c = d.add(a, b, cin)
    write(s, insn, insn.operands[0], r)
    add_flags(s, a, b, r, c)


@semantics("sub", "sbb", "cmp")
def sub(s, insn):
    d = s.d
    a, b = read(s, insn, insn.operands[0]), _src(s, insn)
    bin_ = s.read_flag("CF") if insn.mnemonic == "sbb" else None
    r, c = d.sub(a, b, bin_)
    if insn.mnemonic != "cmp":
        write(s, insn, insn.operands[0], r)
    sub_flags(s, a, b, r, c)


@semantics("adcx", "adox")
def adcx_adox(s, insn):
    """Add with carry through one flag only: CF (adcx) or OF (adox); no other flag changes."""
    flag = "CF" if insn.mnemonic == "adcx" else "OF"
    a, b = read(s, insn, insn.operands[0]), _src(s, insn)
    r, c = s.d.add(a, b, s.read_flag(flag))
    write(s, insn, insn.operands[0], r)
    s.write_flag(flag, c)


@semantics("neg")
def neg(s, insn):
    d = s.d
    a = read(s, insn, insn.operands[0])
    z = d.const(0, d.width(a))
    r, c = d.sub(z, a)
    write(s, insn, insn.operands[0], r)
    sub_flags(s, z, a, r, c)      # CF = (a != 0), the borrow of 0 - a


@semantics("inc", "dec")
def inc_dec(s, insn):
    """Like add/sub 1 but CF is left unchanged."""
    d = s.d
    a = read(s, insn, insn.operands[0])
    b = d.const(1, d.width(a))
    cf = read_flag_or_undefined(s, "CF")
    if insn.mnemonic == "inc":
        r, c = d.add(a, b)
        add_flags(s, a, b, r, c)
    else:
        r, c = d.sub(a, b)
        sub_flags(s, a, b, r, c)
    s.write_flag("CF", cf)
    write(s, insn, insn.operands[0], r)


# --- logic --------------------------------------------------------------------

_LOGIC = {"and": "and_", "or": "or_", "xor": "xor", "test": "and_"}


@semantics("and", "or", "xor", "test")
def logic(s, insn):
    a, b = read(s, insn, insn.operands[0]), _src(s, insn)
    r = getattr(s.d, _LOGIC[insn.mnemonic])(a, b)
    if insn.mnemonic != "test":
        write(s, insn, insn.operands[0], r)
    logic_flags(s, r)


@semantics("not")
def not_(s, insn):
    write(s, insn, insn.operands[0], s.d.not_(read(s, insn, insn.operands[0])))


# --- conditional moves and sets ------------------------------------------------

def _cc(insn, prefix):
    return insn.mnemonic[len(prefix):]


@semantics(*[f"cmov{cc}" for cc in (
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
    "nb", "nae", "c", "nc", "z", "nz", "na", "nbe", "pe", "po", "nge", "nl", "ng", "nle")])
def cmov(s, insn):
    """The source is always read; a 32-bit destination is zero-extended even when the condition is false."""
    dst = insn.operands[0]
    v = s.d.ite(condition(s, _cc(insn, "cmov")), read(s, insn, insn.operands[1]), read(s, insn, dst))
    write(s, insn, dst, v)


@semantics(*[f"set{cc}" for cc in (
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
    "nb", "nae", "c", "nc", "z", "nz", "na", "nbe", "pe", "po", "nge", "nl", "ng", "nle")])
def setcc(s, insn):
    write(s, insn, insn.operands[0], s.d.zext(condition(s, _cc(insn, "set")), 8))


# --- flag instructions ------------------------------------------------------------

@semantics("clc")
def clc(s, insn):
    s.write_flag("CF", zero(s.d))


@semantics("stc")
def stc(s, insn):
    s.write_flag("CF", one(s.d))


@semantics("cmc")
def cmc(s, insn):
    s.write_flag("CF", not1(s.d, s.read_flag("CF")))


# --- shifts and rotates ------------------------------------------------------------

def _masked_count(s, insn, op, width):
    """The count operand (immediate, implicit 1 or cl) masked to 5 or 6 bits, as 8 bits."""
    d = s.d
    mask = 63 if width == 64 else 31
    if isinstance(op, Imm):                    # an encoding constant: mask it here
        return d.const(op.value & mask, 8)
    return d.and_(read(s, insn, op), d.const(mask, 8))


def _update_flags_if_count(s, n, count, new: dict):
    """Write `new` flags, but leave every flag unchanged when the masked count is 0.

    With a known count this is exact; with an unknown count each flag becomes
    ite(count == 0, old, new), and a flag that is undefined on either side (or
    OF, defined only for count 1) becomes undefined -- the conservative choice.
    """
    d = s.d
    if n is not None:
        if n != 0:
            for name, v in new.items():
                s.write_flag(name, v)
        return
    is_zero = d.eq(count, d.const(0, 8))
    for name, v in new.items():
        old = read_flag_or_undefined(s, name)
        if v is UNDEFINED or old is UNDEFINED or name == "OF":
            s.write_flag(name, UNDEFINED)
        else:
            s.write_flag(name, d.ite(is_zero, old, v))


@semantics("shl", "sal", "shr", "sar")
def shift(s, insn):
    d = s.d
    dst, cop = insn.operands
    w = dst.width
    a = read(s, insn, dst)
    count = _masked_count(s, insn, cop, w)
    n = d.as_int(count)
    cw = d.zext(count, w)
    left = insn.mnemonic in ("shl", "sal")
    if left:
        r = d.shl(a, cw)
    else:
        r = d.lshr(a, cw) if insn.mnemonic == "shr" else d.ashr(a, cw)
    # the last bit shifted out: bit w-n of a (left) or bit n-1 (right)
    if n:
        cf = bit(d, a, w - n if left else n - 1)
    elif left:
        cf = bit(d, d.lshr(a, d.sub(d.const(w, w), cw)[0]), 0)
    else:
        cf = bit(d, d.lshr(a, d.sub(cw, d.const(1, w))[0]), 0)
    if n == 1:
        if left:
            of = d.xor(msb(d, r), cf)
        elif insn.mnemonic == "shr":
            of = msb(d, a)
        else:
            of = zero(d)
    else:
        of = UNDEFINED
    flags = {"CF": cf, "OF": of, "AF": UNDEFINED,
             "ZF": d.eq(r, d.const(0, w)), "SF": msb(d, r), "PF": d.parity(d.extract(r, 7, 0))}
    _update_flags_if_count(s, n, count, flags)
    write(s, insn, dst, r)


@semantics("rol", "ror")
def rotate(s, insn):
    """Only CF and OF change (OF defined for count 1); count 0 changes no flag."""
    d = s.d
    dst, cop = insn.operands
    w = dst.width
    a = read(s, insn, dst)
    count = _masked_count(s, insn, cop, w)
    n = d.as_int(count)
    cw = d.zext(count, w)
    back = d.sub(d.const(w, w), cw)[0]           # w - n; shifting by w gives 0, so n = 0 is the identity
    if insn.mnemonic == "rol":
        r = d.or_(d.shl(a, cw), d.lshr(a, back))
        cf = bit(d, r, 0)
        of = d.xor(msb(d, r), cf)
    else:
        r = d.or_(d.lshr(a, cw), d.shl(a, back))
        cf = msb(d, r)
        of = d.xor(msb(d, r), bit(d, r, w - 2))
    _update_flags_if_count(s, n, count, {"CF": cf, "OF": of if n == 1 else UNDEFINED})
    write(s, insn, dst, r)


@semantics("shld", "shrd")
def double_shift(s, insn):
    d = s.d
    dst, src, cop = insn.operands
    w = dst.width
    a, b = read(s, insn, dst), read(s, insn, src)
    count = _masked_count(s, insn, cop, w)
    n = d.as_int(count)
    cw = d.zext(count, w)
    back = d.sub(d.const(w, w), cw)[0]
    if n == 0:          # known zero count: the destination keeps its value (32-bit still zero-extends)
        write(s, insn, dst, a)
        return
    # (an unknown count 0 computes a | (b >> w) = a, as required)
    if insn.mnemonic == "shld":
        r = d.or_(d.shl(a, cw), d.lshr(b, back))
        cf = bit(d, a, w - n) if n else bit(d, d.lshr(a, back), 0)
    else:
        r = d.or_(d.lshr(a, cw), d.shl(b, back))
        cf = bit(d, a, n - 1) if n else bit(d, d.lshr(a, d.sub(cw, d.const(1, w))[0]), 0)
    of = d.xor(msb(d, r), msb(d, a)) if n == 1 else UNDEFINED
    flags = {"CF": cf, "OF": of, "AF": UNDEFINED,
             "ZF": d.eq(r, d.const(0, w)), "SF": msb(d, r), "PF": d.parity(d.extract(r, 7, 0))}
    _update_flags_if_count(s, n, count, flags)
    write(s, insn, dst, r)


@semantics("bt")
def bt(s, insn):
    """CF = the selected bit (offset mod operand width); ZF unchanged; OF, SF, AF, PF undefined."""
    d = s.d
    dst, off = insn.operands
    w = dst.width
    a = read(s, insn, dst)
    o = d.const(off.value & (w - 1), w) if isinstance(off, Imm) else d.and_(read(s, insn, off), d.const(w - 1, w))
    s.write_flag("CF", bit(d, d.lshr(a, o), 0))
    for f in ("OF", "SF", "AF", "PF"):
        s.write_flag(f, UNDEFINED)


# --- multiplication ---------------------------------------------------------------

def _undefined_szap(s):
    for f in ("SF", "ZF", "AF", "PF"):
        s.write_flag(f, UNDEFINED)


@semantics("mul")
def mul(s, insn):
    """rdx:rax = rax * src at the operand width; CF = OF = (high half != 0)."""
    d = s.d
    src = insn.operands[0]
    w = src.width
    a = read(s, insn, Reg(gpr_view("rax", w), "gpr", w))
    hi, lo = d.mul_wide(a, read(s, insn, src))
    write(s, insn, Reg(gpr_view("rax", w), "gpr", w), lo)
    write(s, insn, Reg(gpr_view("rdx", w), "gpr", w), hi)
    overflow = not1(d, d.eq(hi, d.const(0, w)))
    s.write_flag("CF", overflow)
    s.write_flag("OF", overflow)
    _undefined_szap(s)


@semantics("imul")
def imul(s, insn):
    """One operand: rdx:rax = signed rax * src. Two/three operands: truncated
    signed product. CF = OF = (the product does not fit the destination)."""
    d = s.d
    ops = insn.operands
    if len(ops) == 1:
        w = ops[0].width
        rax, rdx = Reg(gpr_view("rax", w), "gpr", w), Reg(gpr_view("rdx", w), "gpr", w)
        hi, lo = d.smul_wide(read(s, insn, rax), read(s, insn, ops[0]))
        write(s, insn, rax, lo)
        write(s, insn, rdx, hi)
    else:
        w = ops[0].width
        a, b = (read(s, insn, ops[0]), _src(s, insn)) if len(ops) == 2 else (_src(s, insn), _src(s, insn, 2))
        hi, lo = d.smul_wide(a, b)
        write(s, insn, ops[0], lo)
    overflow = not1(d, d.eq(hi, d.ashr(lo, d.const(w - 1, w))))
    s.write_flag("CF", overflow)
    s.write_flag("OF", overflow)
    _undefined_szap(s)


@semantics("mulx")
def mulx(s, insn):
    """hi:lo = rdx * src, no flags; when both destinations are one register it gets hi."""
    d = s.d
    hi_op, lo_op, src = insn.operands
    w = hi_op.width
    hi, lo = d.mul_wide(read(s, insn, Reg(gpr_view("rdx", w), "gpr", w)), read(s, insn, src))
    write(s, insn, lo_op, lo)
    write(s, insn, hi_op, hi)


# --- BMI1/BMI2 flagless shifts and andn ----------------------------------------------

@semantics("shlx", "shrx", "sarx")
def shift_x(s, insn):
    """dst = src shifted by (count mod width); no flag changes."""
    d = s.d
    dst, src, cnt = insn.operands
    w = dst.width
    a = read(s, insn, src)
    n = d.and_(read(s, insn, cnt), d.const(w - 1, w))
    op = {"shlx": d.shl, "shrx": d.lshr, "sarx": d.ashr}[insn.mnemonic]
    write(s, insn, dst, op(a, n))


@semantics("rorx")
def rorx(s, insn):
    """Rotate right by imm8 mod width; no flag changes."""
    d = s.d
    dst, src, imm = insn.operands
    w = dst.width
    a = read(s, insn, src)
    n = imm.value & (w - 1)
    r = d.or_(d.lshr(a, d.const(n, w)), d.shl(a, d.const(w - n, w)))
    write(s, insn, dst, r)


@semantics("andn")
def andn(s, insn):
    """dst = ~src1 & src2; SF, ZF from the result, CF = OF = 0, AF and PF undefined."""
    d = s.d
    dst, a, b = insn.operands
    r = d.and_(d.not_(read(s, insn, a)), read(s, insn, b))
    write(s, insn, dst, r)
    w = dst.width
    s.write_flag("ZF", d.eq(r, d.const(0, w)))
    s.write_flag("SF", msb(d, r))
    s.write_flag("CF", zero(d))
    s.write_flag("OF", zero(d))
    s.write_flag("AF", UNDEFINED)
    s.write_flag("PF", UNDEFINED)
