"""General-purpose data processing: add/subtract, logic, moves, shifts, bitfields,
conditional select and compare, multiplies."""
from __future__ import annotations

from ..instruction import Imm, Reg
from .common import (
    add_flags, add_nzcv, condition, logic_flags, nzcv_imm, operand, read_reg, semantics, shift_by, sub_flags,
    sub_nzcv, write_nzcv, write_reg,
)


def _width(insn) -> int:
    op = insn.operands[0]
    return op.width if isinstance(op, Reg) else op.reg.width


# --- add / subtract ----------------------------------------------------------------

def _add(s, a, b, flags: bool, carry_in=None):
    r, c = s.d.add(a, b, carry_in)
    if flags:
        add_flags(s, a, b, r, c)
    return r


def _sub(s, a, b, flags: bool, borrow_in=None):
    r, borrow = s.d.sub(a, b, borrow_in)
    if flags:
        sub_flags(s, a, b, r, borrow)
    return r


@semantics("add", "adds", "sub", "subs")
def add_sub(s, insn):
    dst, x, y = insn.operands
    w = dst.width
    a, b = operand(s, x, w), operand(s, y, w)
    op = _add if insn.mnemonic.startswith("add") else _sub
    write_reg(s, dst, op(s, a, b, insn.mnemonic.endswith("s")))


@semantics("cmp", "cmn")
def cmp(s, insn):
    x, y = insn.operands
    w = _width(insn)
    op = _sub if insn.mnemonic == "cmp" else _add
    op(s, operand(s, x, w), operand(s, y, w), True)


@semantics("neg", "negs")
def neg(s, insn):
    dst, y = insn.operands
    w = dst.width
    write_reg(s, dst, _sub(s, s.d.const(0, w), operand(s, y, w), insn.mnemonic == "negs"))


@semantics("adc", "adcs")
def adc(s, insn):
    dst, x, y = insn.operands
    write_reg(s, dst, _add(s, read_reg(s, x), read_reg(s, y), insn.mnemonic == "adcs", s.read_flag("C")))


def _sbc(s, a, b, flags: bool):
    """a + NOT b + C, i.e. a - b - (1 - C): a subtraction whose borrow in is NOT C."""
    d = s.d
    return _sub(s, a, b, flags, d.xor(s.read_flag("C"), d.const(1, 1)))


@semantics("sbc", "sbcs")
def sbc(s, insn):
    dst, x, y = insn.operands
    write_reg(s, dst, _sbc(s, read_reg(s, x), read_reg(s, y), insn.mnemonic == "sbcs"))


@semantics("ngc", "ngcs")
def ngc(s, insn):
    dst, y = insn.operands
    write_reg(s, dst, _sbc(s, s.d.const(0, dst.width), read_reg(s, y), insn.mnemonic == "ngcs"))


# --- logic --------------------------------------------------------------------------

def _logic(d, mnemonic: str, a, b):
    core = mnemonic[:-1] if mnemonic in ("ands", "bics") else mnemonic
    if core in ("bic", "orn", "eon"):
        b = d.not_(b)
    return {"and": d.and_, "bic": d.and_, "orr": d.or_, "orn": d.or_, "eor": d.xor, "eon": d.xor}[core](a, b)


@semantics("and", "ands", "orr", "eor", "bic", "bics", "orn", "eon")
def logic(s, insn):
    dst, x, y = insn.operands
    w = dst.width
    r = _logic(s.d, insn.mnemonic, operand(s, x, w), operand(s, y, w))
    if insn.mnemonic in ("ands", "bics"):
        logic_flags(s, r)
    write_reg(s, dst, r)


@semantics("tst")
def tst(s, insn):
    x, y = insn.operands
    w = _width(insn)
    logic_flags(s, s.d.and_(operand(s, x, w), operand(s, y, w)))


@semantics("mvn")
def mvn(s, insn):
    dst, y = insn.operands
    write_reg(s, dst, s.d.not_(operand(s, y, dst.width)))


# --- moves ----------------------------------------------------------------------------

@semantics("mov", "movz")
def mov(s, insn):
    """mov covers orr (register), add #0 to/from sp, and movz/movn/orr with an immediate."""
    dst, src = insn.operands
    write_reg(s, dst, operand(s, src, dst.width))


@semantics("movn")
def movn(s, insn):
    dst, src = insn.operands
    write_reg(s, dst, s.d.not_(operand(s, src, dst.width)))


@semantics("movk")
def movk(s, insn):
    """Replace 16 bits at position lsl, keep the rest."""
    d = s.d
    dst, imm = insn.operands
    w, lo = dst.width, imm.lsl
    old = read_reg(s, dst)
    parts = []
    if lo + 16 < w:
        parts.append(d.extract(old, w - 1, lo + 16))
    parts.append(d.const(imm.value >> lo, 16))
    if lo:
        parts.append(d.extract(old, lo - 1, 0))
    r = parts[0]
    for p in parts[1:]:
        r = d.concat(r, p)
    write_reg(s, dst, r)


# --- shifts -------------------------------------------------------------------------------

@semantics("lsl", "lsr", "asr", "ror")
def shift(s, insn):
    """By an immediate (the ubfm/sbfm/extr aliases) or by a register modulo the width."""
    d = s.d
    dst, x, y = insn.operands
    w = dst.width
    a = read_reg(s, x)
    if isinstance(y, Imm):
        write_reg(s, dst, shift_by(d, a, insn.mnemonic, y.value))
        return
    n = d.and_(read_reg(s, y), d.const(w - 1, w))
    if insn.mnemonic == "ror":                  # a shift by w gives 0, so a count of 0 leaves a
        r = d.or_(d.lshr(a, n), d.shl(a, d.sub(d.const(w, w), n)[0]))
    else:
        r = {"lsl": d.shl, "lsr": d.lshr, "asr": d.ashr}[insn.mnemonic](a, n)
    write_reg(s, dst, r)


@semantics("extr")
def extr(s, insn):
    """(n:m) >> lsb, the low width bits."""
    d = s.d
    dst, hi, lo, imm = insn.operands
    w, k = dst.width, imm.value
    a, b = read_reg(s, hi), read_reg(s, lo)
    write_reg(s, dst, b if k == 0 else d.extract(d.concat(a, b), k + w - 1, k))


# --- bitfields -------------------------------------------------------------------------------

def _place(d, w: int, field, lsb: int, fill=None):
    """`field` at bit lsb of a w-bit value; the bits above and below come from `fill` (or are 0)."""
    top = lsb + d.width(field)
    parts = []
    if top < w:
        parts.append(d.extract(fill, w - 1, top) if fill is not None else d.const(0, w - top))
    parts.append(field)
    if lsb:
        parts.append(d.extract(fill, lsb - 1, 0) if fill is not None else d.const(0, lsb))
    r = parts[0]
    for p in parts[1:]:
        r = d.concat(r, p)
    return r


@semantics("ubfx", "sbfx", "ubfiz", "sbfiz", "bfi", "bfxil")
def bitfield(s, insn):
    d = s.d
    dst, src, lsb_op, width_op = insn.operands
    w, lsb, n = dst.width, lsb_op.value, width_op.value
    a = read_reg(s, src)
    m = insn.mnemonic
    if m in ("ubfx", "sbfx"):
        f = d.extract(a, lsb + n - 1, lsb)
        r = f if n == w else (d.sext(f, w) if m == "sbfx" else d.zext(f, w))
    elif m == "ubfiz":
        r = _place(d, w, d.extract(a, n - 1, 0), lsb)
    elif m == "sbfiz":
        f = d.extract(a, n - 1, 0)
        r = _place(d, w, d.sext(f, w - lsb) if lsb + n < w else f, lsb)
    elif m == "bfi":
        r = _place(d, w, d.extract(a, n - 1, 0), lsb, read_reg(s, dst))
    else:                                        # bfxil
        r = _place(d, w, d.extract(a, lsb + n - 1, lsb), 0, read_reg(s, dst))
    write_reg(s, dst, r)


@semantics("uxtb", "uxth", "sxtb", "sxth", "sxtw")
def extend(s, insn):
    d = s.d
    dst, src = insn.operands
    n = {"b": 8, "h": 16, "w": 32}[insn.mnemonic[3]]
    low = d.extract(read_reg(s, src), n - 1, 0)
    write_reg(s, dst, d.sext(low, dst.width) if insn.mnemonic[0] == "s" else d.zext(low, dst.width))


# --- conditional select and compare -----------------------------------------------------------

def _select_other(d, mnemonic: str, b):
    """What csel/csinc/csinv/csneg take when the condition fails."""
    if mnemonic == "csinc":
        return d.add(b, d.const(1, d.width(b)))[0]
    if mnemonic == "csinv":
        return d.not_(b)
    if mnemonic == "csneg":
        return d.sub(d.const(0, d.width(b)), b)[0]
    return b


@semantics("csel", "csinc", "csinv", "csneg")
def csel(s, insn):
    dst, x, y, cond = insn.operands
    d = s.d
    write_reg(s, dst, d.ite(condition(s, cond.code), read_reg(s, x), _select_other(d, insn.mnemonic, read_reg(s, y))))


@semantics("cset", "csetm")
def cset(s, insn):
    """cset: cond ? 1 : 0 (csinc xd, xzr, xzr, invert(cond)); csetm: cond ? -1 : 0."""
    dst, cond = insn.operands
    d = s.d
    w = dst.width
    yes = d.const(1 if insn.mnemonic == "cset" else -1, w)
    write_reg(s, dst, d.ite(condition(s, cond.code), yes, d.const(0, w)))


@semantics("cinc", "cinv", "cneg")
def cinc(s, insn):
    """cond ? op(a) : a (csinc/csinv/csneg xd, xn, xn, invert(cond))."""
    dst, x, cond = insn.operands
    d = s.d
    a = read_reg(s, x)
    changed = _select_other(d, "cs" + insn.mnemonic[1:], a)
    write_reg(s, dst, d.ite(condition(s, cond.code), changed, a))


@semantics("ccmp", "ccmn")
def ccmp(s, insn):
    """If cond: the flags of cmp (ccmp) or cmn (ccmn); otherwise NZCV := the immediate."""
    d = s.d
    x, y, nzcv, cond = insn.operands
    w = _width(insn)
    holds = condition(s, cond.code)
    a, b = operand(s, x, w), operand(s, y, w)
    if insn.mnemonic == "ccmp":
        r, borrow = d.sub(a, b)
        flags = sub_nzcv(d, a, b, r, borrow)
    else:
        r, carry = d.add(a, b)
        flags = add_nzcv(d, a, b, r, carry)
    write_nzcv(s, *[d.ite(holds, f, k) for f, k in zip(flags, nzcv_imm(d, nzcv.value))])


# --- multiplies ----------------------------------------------------------------------------------

def _low_product(d, a, b):
    return d.mul_wide(a, b)[1]


def _wide_product(d, a, b, signed: bool):
    """The exact 2w-bit product of two w-bit values."""
    hi, lo = (d.smul_wide if signed else d.mul_wide)(a, b)
    return d.concat(hi, lo)


@semantics("mul", "mneg", "madd", "msub")
def mul(s, insn):
    d = s.d
    dst, x, y, *acc = insn.operands
    p = _low_product(d, read_reg(s, x), read_reg(s, y))
    if insn.mnemonic == "madd":
        p = d.add(read_reg(s, acc[0]), p)[0]
    elif insn.mnemonic == "msub":
        p = d.sub(read_reg(s, acc[0]), p)[0]
    elif insn.mnemonic == "mneg":
        p = d.sub(d.const(0, dst.width), p)[0]
    write_reg(s, dst, p)


@semantics("umulh", "smulh")
def mulh(s, insn):
    d = s.d
    dst, x, y = insn.operands
    hi, _ = (d.mul_wide if insn.mnemonic == "umulh" else d.smul_wide)(read_reg(s, x), read_reg(s, y))
    write_reg(s, dst, hi)


@semantics("umull", "smull", "umnegl", "smnegl", "umaddl", "umsubl", "smaddl", "smsubl")
def mull(s, insn):
    """64-bit result from two 32-bit sources, optionally added to / subtracted from a 64-bit one."""
    d = s.d
    dst, x, y, *acc = insn.operands
    m = insn.mnemonic
    p = _wide_product(d, read_reg(s, x), read_reg(s, y), m[0] == "s")
    if m.endswith("addl"):
        p = d.add(read_reg(s, acc[0]), p)[0]
    elif m.endswith("subl"):
        p = d.sub(read_reg(s, acc[0]), p)[0]
    elif m.endswith("negl"):
        p = d.sub(d.const(0, 64), p)[0]
    write_reg(s, dst, p)
