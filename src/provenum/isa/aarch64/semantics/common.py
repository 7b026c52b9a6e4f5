"""Operand access, NZCV helpers, condition codes and addressing shared by all A64 semantics.

Everything computes on machine values only through the state's domain
`s.d`; Python arithmetic is used only on encoding constants (immediates,
shift amounts, offsets), never on register or memory contents.
"""
from __future__ import annotations

from typing import Callable

from ..instruction import Extended, Imm, Instruction, Mem, Reg, Shifted

SEMANTICS: dict[str, Callable] = {}


def semantics(*mnemonics: str):
    """Register a function as the meaning of the given mnemonics."""
    def register(fn):
        for m in mnemonics:
            assert m not in SEMANTICS, m
            SEMANTICS[m] = fn
        return fn
    return register


# --- small helpers ---------------------------------------------------------------

def msb(d, v):
    w = d.width(v)
    return d.extract(v, w - 1, w - 1)


def bit(d, v, i: int):
    return d.extract(v, i, i)


def not1(d, b):
    return d.xor(b, d.const(1, 1))


def is_zero(d, v):
    return d.eq(v, d.const(0, d.width(v)))


def join(d, parts):
    """Values given low part first -> one value."""
    v = parts[-1]
    for p in reversed(parts[:-1]):
        v = d.concat(v, p)
    return v


def split(d, v, size: int):
    """`v` cut into `size`-bit parts, low part first."""
    return [d.extract(v, i + size - 1, i) for i in range(0, d.width(v), size)]


# --- general registers --------------------------------------------------------------

def read_reg(s, r: Reg):
    """x/w/sp/wsp value at the register's width; the zero register reads 0."""
    d = s.d
    if r.is_zero:
        return d.const(0, r.width)
    v = s.read_gpr(r.full)
    return v if r.width == 64 else d.extract(v, 31, 0)


def write_reg(s, r: Reg, value) -> None:
    """A 32-bit write zeroes bits 63..32; writes to the zero register are discarded."""
    if r.is_zero:
        return
    s.write_gpr(r.full, value if r.width == 64 else s.d.zext(value, 64))


def shift_by(d, v, kind: str, amount: int):
    """`v` shifted by the constant `amount` (0 <= amount < width): lsl, lsr, asr or ror."""
    w = d.width(v)
    if amount == 0:
        return v
    n = d.const(amount, w)
    if kind == "lsl":
        return d.shl(v, n)
    if kind == "lsr":
        return d.lshr(v, n)
    if kind == "asr":
        return d.ashr(v, n)
    if kind == "ror":
        return d.or_(d.lshr(v, n), d.shl(v, d.const(w - amount, w)))
    raise ValueError(f"unknown shift {kind}")


_EXTEND_BITS = {"b": 8, "h": 16, "w": 32, "x": 64}


def extend_by(d, v, extend: str, amount: int, width: int):
    """uxtb..sxtx of `v` to `width` bits, then shifted left by `amount` ("lsl" means uxtx)."""
    if extend == "lsl":
        extend = "uxtx" if width == 64 else "uxtw"
    n = _EXTEND_BITS[extend[3]]
    low = d.extract(v, n - 1, 0) if d.width(v) > n else v
    if n < width:
        low = d.sext(low, width) if extend[0] == "s" else d.zext(low, width)
    elif n > width:
        low = d.extract(low, width - 1, 0)
    return shift_by(d, low, "lsl", amount)


def operand(s, op, width: int):
    """The value of a source operand at `width`: register, shifted or extended register, immediate."""
    d = s.d
    if isinstance(op, Reg):
        return read_reg(s, op)
    if isinstance(op, Shifted):
        return shift_by(d, read_reg(s, op.reg), op.shift, op.amount)
    if isinstance(op, Extended):
        return extend_by(d, read_reg(s, op.reg), op.extend, op.amount, width)
    if isinstance(op, Imm):
        return d.const(op.value, width)
    raise TypeError(f"not a general source operand: {op!r}")


# --- NZCV ------------------------------------------------------------------------

def write_nzcv(s, n, z, c, v) -> None:
    s.write_flag("N", n)
    s.write_flag("Z", z)
    s.write_flag("C", c)
    s.write_flag("V", v)


def add_nzcv(d, a, b, r, carry) -> tuple:
    """AddWithCarry(a, b, c): N, Z of the result, C the unsigned carry out, V the signed overflow."""
    return msb(d, r), is_zero(d, r), carry, msb(d, d.and_(d.xor(a, r), d.xor(b, r)))


def sub_nzcv(d, a, b, r, borrow) -> tuple:
    """AddWithCarry(a, NOT b, c) for r = a - b - (1 - c): C is NOT the borrow, V the signed overflow."""
    return msb(d, r), is_zero(d, r), not1(d, borrow), msb(d, d.and_(d.xor(a, b), d.xor(a, r)))


def add_flags(s, a, b, r, carry) -> None:
    write_nzcv(s, *add_nzcv(s.d, a, b, r, carry))


def sub_flags(s, a, b, r, borrow) -> None:
    write_nzcv(s, *sub_nzcv(s.d, a, b, r, borrow))


def logic_flags(s, r) -> None:
    d = s.d
    write_nzcv(s, msb(d, r), is_zero(d, r), d.const(0, 1), d.const(0, 1))


def nzcv_imm(d, value: int) -> tuple:
    """The four flag values of a 4-bit nzcv immediate (ccmp)."""
    return tuple(d.const((value >> i) & 1, 1) for i in (3, 2, 1, 0))


# --- condition codes ------------------------------------------------------------

def condition(s, code: str):
    """The 1-bit value of condition `code` (ConditionHolds in the Arm ARM)."""
    d = s.d
    f = s.read_flag
    if code in ("al", "nv"):
        return d.const(1, 1)
    base = code if code in ("eq", "hs", "mi", "vs", "hi", "ge", "gt") else _NEGATION[code]
    if base == "eq":
        r = f("Z")
    elif base == "hs":
        r = f("C")
    elif base == "mi":
        r = f("N")
    elif base == "vs":
        r = f("V")
    elif base == "hi":
        r = d.and_(f("C"), not1(d, f("Z")))
    elif base == "ge":
        r = not1(d, d.xor(f("N"), f("V")))
    else:                                   # gt
        r = d.and_(not1(d, f("Z")), not1(d, d.xor(f("N"), f("V"))))
    return r if base == code else not1(d, r)


_NEGATION = {"ne": "eq", "lo": "hs", "pl": "mi", "vc": "vs", "ls": "hi", "lt": "ge", "le": "gt"}


# --- addressing -------------------------------------------------------------------

def _plus(d, base, offset: int):
    if offset > 0:
        return d.add(base, d.const(offset, 64))[0]
    if offset < 0:                 # base - 16 rather than base + (2^64 - 16): friendlier to the prover
        return d.sub(base, d.const(-offset, 64))[0]
    return base


def access_address(s, insn: Instruction, m: Mem):
    """(address accessed, new base value or None) of a memory operand."""
    d = s.d
    base = s.read_gpr(m.base.full)
    if m.mode == "post":
        if m.post_index is not None:
            return base, d.add(base, read_reg(s, m.post_index))[0]
        return base, _plus(d, base, m.offset)
    if m.index is not None:
        idx = extend_by(d, read_reg(s, m.index), m.extend or "lsl", m.amount, 64)
        return d.add(base, idx)[0], None
    addr = _plus(d, base, m.offset)
    return addr, (addr if m.mode == "pre" else None)


def write_back(s, m: Mem, new_base) -> None:
    if new_base is not None:
        s.write_gpr(m.base.full, new_base)
