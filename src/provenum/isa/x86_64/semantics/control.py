"""Stack and control flow: push, pop, call, ret, jmp, jcc, nop."""
from __future__ import annotations

from .common import condition, read, rel_target, semantics, write


def _push(s, value):
    d = s.d
    rsp = d.sub(s.read_gpr("rsp"), d.const(8, 64))[0]
    s.store(rsp, value, 8)
    s.write_gpr("rsp", rsp)


def _pop(s):
    d = s.d
    rsp = s.read_gpr("rsp")
    value = s.load(rsp, 8)
    s.write_gpr("rsp", d.add(rsp, d.const(8, 64))[0])
    return value


@semantics("push")
def push(s, insn):
    # the value is read before rsp moves (push rsp pushes the old rsp)
    _push(s, read(s, insn, insn.operands[0], 64))


@semantics("pop")
def pop(s, insn):
    # rsp is incremented before the destination is written (pop rsp loads the popped value)
    write(s, insn, insn.operands[0], _pop(s))


@semantics("call")
def call(s, insn):
    _push(s, s.d.const(insn.next_address, 64))
    s.jump(s.d.const(rel_target(insn.operands[0]), 64))


@semantics("ret")
def ret(s, insn):
    s.jump(_pop(s))


@semantics("jmp")
def jmp(s, insn):
    s.jump(s.d.const(rel_target(insn.operands[0]), 64))


_JCC = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
        "nb", "nae", "c", "nc", "z", "nz", "na", "nbe", "pe", "po", "nge", "nl", "ng", "nle")


@semantics(*[f"j{cc}" for cc in _JCC])
def jcc(s, insn):
    s.branch(condition(s, insn.mnemonic[1:]), rel_target(insn.operands[0]))


@semantics("nop", "endbr64")
def nop(s, insn):
    """No effect (a multi-byte nop's memory operand is not accessed)."""
