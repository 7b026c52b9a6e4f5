"""Branches: b, bl, ret, b.cond, cbz/cbnz, tbz/tbnz; and nop. (No indirect branches.)"""
from __future__ import annotations

from .common import bit, condition, is_zero, not1, read_reg, semantics
from ..registers import CONDITION_CODES


@semantics("b")
def b(s, insn):
    s.jump(s.d.const(insn.operands[0].target, 64))


@semantics("bl")
def bl(s, insn):
    """x30 := the address of the next instruction, then jump."""
    s.write_gpr("x30", s.d.const(insn.next_address, 64))
    s.jump(s.d.const(insn.operands[0].target, 64))


@semantics("ret")
def ret(s, insn):
    s.jump(s.read_gpr("x30"))


@semantics(*[f"b.{c}" for c in CONDITION_CODES])
def b_cond(s, insn):
    s.branch(condition(s, insn.mnemonic[2:]), insn.operands[0].target)


@semantics("cbz", "cbnz")
def cbz(s, insn):
    r, label = insn.operands
    z = is_zero(s.d, read_reg(s, r))
    s.branch(z if insn.mnemonic == "cbz" else not1(s.d, z), label.target)


@semantics("tbz", "tbnz")
def tbz(s, insn):
    r, pos, label = insn.operands
    t = bit(s.d, read_reg(s, r), pos.value)
    s.branch(not1(s.d, t) if insn.mnemonic == "tbz" else t, label.target)


@semantics("nop")
def nop(s, insn):
    """No effect."""
