"""Loads and stores: ldr/str/ldur/stur and ldp/stp of x, w, q, d registers, ld1/st1 of
whole vector registers; immediate, pre-index, post-index and register offsets.

Data is little-endian. A load of w or d zero-extends into its register; the
base register is written back (pre/post-index) after the transfer, which is
the same as before it because the decoder rejects writeback onto a
transferred register.
"""
from __future__ import annotations

from ..instruction import Reg
from .common import access_address, read_reg, semantics, write_back, write_reg


def _size(op) -> int:
    return op.width // 8


def _load_into(s, op, address):
    v = s.load(address, _size(op))
    if isinstance(op, Reg):
        write_reg(s, op, v)
    else:
        s.write_vec(op.index, v if op.width == 128 else s.d.zext(v, 128))


def _value_of(s, op):
    if isinstance(op, Reg):
        return read_reg(s, op)
    v = s.read_vec(op.index)
    return v if op.width == 128 else s.d.extract(v, op.width - 1, 0)


def _offset(d, address, n: int):
    return address if n == 0 else d.add(address, d.const(n, 64))[0]


@semantics("ldr", "ldur")
def ldr(s, insn):
    dst, m = insn.operands
    address, new_base = access_address(s, insn, m)
    _load_into(s, dst, address)
    write_back(s, m, new_base)


@semantics("str", "stur")
def str_(s, insn):
    src, m = insn.operands
    address, new_base = access_address(s, insn, m)
    s.store(address, _value_of(s, src), _size(src))
    write_back(s, m, new_base)


@semantics("ldp")
def ldp(s, insn):
    a, b, m = insn.operands
    address, new_base = access_address(s, insn, m)
    va = s.load(address, _size(a))
    vb = s.load(_offset(s.d, address, _size(a)), _size(b))
    for op, v in ((a, va), (b, vb)):
        if isinstance(op, Reg):
            write_reg(s, op, v)
        else:
            s.write_vec(op.index, v if op.width == 128 else s.d.zext(v, 128))
    write_back(s, m, new_base)


@semantics("stp")
def stp(s, insn):
    a, b, m = insn.operands
    address, new_base = access_address(s, insn, m)
    va, vb = _value_of(s, a), _value_of(s, b)
    s.store(address, va, _size(a))
    s.store(_offset(s.d, address, _size(a)), vb, _size(b))
    write_back(s, m, new_base)


@semantics("ld1")
def ld1(s, insn):
    """Whole registers from consecutive memory (the arrangement does not matter on a little-endian machine)."""
    regs, m = insn.operands
    address, new_base = access_address(s, insn, m)
    values = [s.load(_offset(s.d, address, 16 * i), 16) for i in range(len(regs.regs))]
    for r, v in zip(regs.regs, values):
        s.write_vec(r.index, v)
    write_back(s, m, new_base)


@semantics("st1")
def st1(s, insn):
    regs, m = insn.operands
    address, new_base = access_address(s, insn, m)
    for i, r in enumerate(regs.regs):
        s.store(_offset(s.d, address, 16 * i), s.read_vec(r.index), 16)
    write_back(s, m, new_base)

