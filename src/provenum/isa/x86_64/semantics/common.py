"""Operand access, flag helpers and condition codes shared by all semantics.

Everything here computes on register and memory values only through the
state's domain `s.d`; Python arithmetic is used only on encoding constants
(displacements, immediates, widths), never on machine values.
"""
from __future__ import annotations

from typing import Callable

from ...domain import UNDEFINED, UndefinedFlagError
from ..instruction import Imm, Instruction, Mem, Reg, Rel

SEMANTICS: dict[str, Callable] = {}


def semantics(*mnemonics: str):
    """Register a function as the meaning of the given mnemonics."""
    def register(fn):
        for m in mnemonics:
            SEMANTICS[m] = fn
        return fn
    return register


# --- addresses and operands ---------------------------------------------------

def effective_address(s, insn: Instruction, m: Mem):
    """base + index*scale + disp as a 64-bit value (rip-relative from the next instruction)."""
    d = s.d
    if m.base == "rip":
        addr = d.const(insn.next_address, 64)
    elif m.base:
        addr = s.read_gpr(m.base)
    else:
        addr = d.const(0, 64)
    if m.index:
        scaled = d.shl(s.read_gpr(m.index), d.const(m.scale.bit_length() - 1, 8))
        addr = d.add(addr, scaled)[0]
    if m.disp > 0:
        addr = d.add(addr, d.const(m.disp, 64))[0]
    elif m.disp < 0:            # base - 16 rather than base + (2^64 - 16): friendlier to the prover
        addr = d.sub(addr, d.const(-m.disp, 64))[0]
    return addr


def read_gpr_view(s, r: Reg):
    full = s.read_gpr(r.full)
    if r.width == 64:
        return full
    return s.d.extract(full, r.lo + r.width - 1, r.lo)


def write_gpr_view(s, r: Reg, value):
    """32-bit writes zero-extend to 64 bits; 8- and 16-bit writes merge."""
    d = s.d
    if r.width == 64:
        s.write_gpr(r.full, value)
    elif r.width == 32:
        s.write_gpr(r.full, d.zext(value, 64))
    else:
        old = s.read_gpr(r.full)
        parts = []
        top = r.lo + r.width
        if top < 64:
            parts.append(d.extract(old, 63, top))
        parts.append(value)
        if r.lo:
            parts.append(d.extract(old, r.lo - 1, 0))
        new = parts[0]
        for p in parts[1:]:
            new = d.concat(new, p)
        s.write_gpr(r.full, new)


def read(s, insn: Instruction, op, width: int | None = None):
    """The value of an operand (GPR view, vector/mask register, immediate or memory)."""
    d = s.d
    if isinstance(op, Reg):
        if op.kind == "gpr":
            return read_gpr_view(s, op)
        if op.kind == "vec":
            v = s.read_vec(op.index)
            return v if op.width == 512 else d.extract(v, op.width - 1, 0)
        return s.read_mask(op.index)
    if isinstance(op, Imm):
        return d.const(op.value, width or op.width)
    if isinstance(op, Mem):
        return s.load(effective_address(s, insn, op), op.width // 8)
    raise TypeError(f"cannot read operand {op!r}")


def write(s, insn: Instruction, op, value):
    """Store to a GPR view or memory (vector destinations use write_vec_dest)."""
    if isinstance(op, Reg) and op.kind == "gpr":
        write_gpr_view(s, op, value)
    elif isinstance(op, Mem):
        s.store(effective_address(s, insn, op), value, op.width // 8)
    elif isinstance(op, Reg) and op.kind == "mask":
        s.write_mask(op.index, s.d.zext(value, 64))
    else:
        raise TypeError(f"cannot write operand {op!r}")


# --- flags --------------------------------------------------------------------

def bit(d, v, i: int):
    return d.extract(v, i, i)


def msb(d, v):
    w = d.width(v)
    return d.extract(v, w - 1, w - 1)


def one(d):
    return d.const(1, 1)


def zero(d):
    return d.const(0, 1)


def not1(d, b):
    return d.xor(b, d.const(1, 1))


def set_result_flags(s, r):
    """ZF, SF, PF from a result (built when read)."""
    d = s.d
    s.write_flag_lazy("ZF", lambda: d.eq(r, d.const(0, d.width(r))))
    s.write_flag_lazy("SF", lambda: msb(d, r))
    s.write_flag_lazy("PF", lambda: d.parity(d.extract(r, 7, 0)))


def aux_flag(d, a, b, r):
    """AF: the carry/borrow out of bit 3, i.e. bit 4 of a ^ b ^ r."""
    return bit(d, d.xor(d.xor(a, b), r), 4)


def add_flags(s, a, b, r, carry):
    d = s.d
    s.write_flag("CF", carry)
    s.write_flag_lazy("OF", lambda: msb(d, d.and_(d.not_(d.xor(a, b)), d.xor(a, r))))
    s.write_flag_lazy("AF", lambda: aux_flag(d, a, b, r))
    set_result_flags(s, r)


def sub_flags(s, a, b, r, borrow):
    d = s.d
    s.write_flag("CF", borrow)
    s.write_flag_lazy("OF", lambda: msb(d, d.and_(d.xor(a, b), d.xor(a, r))))
    s.write_flag_lazy("AF", lambda: aux_flag(d, a, b, r))
    set_result_flags(s, r)


def logic_flags(s, r):
    d = s.d
    s.write_flag("CF", zero(d))
    s.write_flag("OF", zero(d))
    s.write_flag("AF", UNDEFINED)
    set_result_flags(s, r)


def read_flag_or_undefined(s, name: str):
    """The flag's value, or UNDEFINED if it is undefined (for flags an
    instruction may leave unchanged)."""
    try:
        return s.read_flag(name)
    except UndefinedFlagError:
        return UNDEFINED


# --- condition codes ------------------------------------------------------------

def _cc_table():
    def flag(name):
        return lambda s: s.read_flag(name)

    def sf_ne_of(s):
        return s.d.xor(s.read_flag("SF"), s.read_flag("OF"))

    def cf_or_zf(s):
        return s.d.or_(s.read_flag("CF"), s.read_flag("ZF"))

    def zf_or_lt(s):
        return s.d.or_(s.read_flag("ZF"), sf_ne_of(s))

    def negate(f):
        return lambda s: not1(s.d, f(s))

    base = {
        "o": flag("OF"), "b": flag("CF"), "e": flag("ZF"), "be": cf_or_zf,
        "s": flag("SF"), "p": flag("PF"), "l": sf_ne_of, "le": zf_or_lt,
    }
    table = {}
    for cc, f in base.items():
        table[cc] = f
        table["n" + cc] = negate(f)
    aliases = {"c": "b", "nae": "b", "nc": "nb", "ae": "nb", "z": "e", "nz": "ne",
               "na": "be", "a": "nbe", "pe": "p", "po": "np", "nge": "l", "ge": "nl",
               "ng": "le", "g": "nle"}
    for alias, cc in aliases.items():
        table[alias] = table[cc]
    return table


CONDITIONS = _cc_table()


def condition(s, cc: str):
    """The 1-bit value of condition code `cc` ("e", "nbe", "l", ...)."""
    return CONDITIONS[cc](s)


def rel_target(op) -> int:
    assert isinstance(op, Rel)
    return op.target
