"""A64 instruction semantics, written once over the value domain.

`execute(state, insn)` gives `insn` its meaning on any AArch64 state (see
provenum.isa.aarch64): it first sets `state.pc` to the next instruction's
address, then updates registers, NZCV and memory through the state,
computing only with the state's domain `state.d`, so the concrete and the
symbolic domains run the same code. Branches go through `state.jump` /
`state.branch`.

SEMANTICS maps each general-purpose mnemonic to its function and
VECTOR_SEMANTICS each Neon one (the two share names such as add, and, mov,
umull); an instruction with a vector operand uses VECTOR_SEMANTICS when it
has an entry there. Which operand forms are supported is decided by
`provenum.isa.aarch64.forms`.
"""
from __future__ import annotations

from ..instruction import Instruction, VElem, VList, VReg, VScalar
from .common import SEMANTICS, condition
from .vector import VECTOR_SEMANTICS
from . import control, integer, memory  # noqa: F401  (register the semantics)

_VECTOR_OPERANDS = (VReg, VElem, VScalar, VList)


def semantics_of(insn: Instruction):
    """The function that gives `insn` its meaning."""
    if any(isinstance(op, _VECTOR_OPERANDS) for op in insn.operands):
        fn = VECTOR_SEMANTICS.get(insn.mnemonic)
        if fn is not None:
            return fn
    try:
        return SEMANTICS[insn.mnemonic]
    except KeyError:
        raise NotImplementedError(f"no semantics for {insn.form} at {insn.address:#x}") from None


def execute(state, insn: Instruction) -> None:
    """Run one instruction on `state` (pc := next address, then its effect).

    A state with a `current` attribute is told the instruction being executed
    (the concrete state names it in error messages).
    """
    if hasattr(state, "current"):
        state.current = insn
    state.pc = insn.next_address
    semantics_of(insn)(state, insn)


__all__ = ["execute", "semantics_of", "SEMANTICS", "VECTOR_SEMANTICS", "condition"]
