"""Instruction semantics, written once over the value domain.

`execute(state, insn)` gives `insn` its meaning on any `provenum.isa.state.State`:
it first sets `state.rip` to the next instruction's address, then updates
registers, flags and memory through the state, computing only with the
state's domain `state.d` (so the concrete and symbolic domains run the same
code). Control transfers go through `state.jump` / `state.branch`.

SEMANTICS maps each supported mnemonic to its function; which operand forms
are supported is decided by `provenum.isa.x86_64.forms`.
"""
from __future__ import annotations

from ..instruction import Instruction
from .common import CONDITIONS, SEMANTICS, condition, effective_address
from . import control, integer, lanes, vector  # noqa: F401  (register the semantics)


def execute(state, insn: Instruction) -> None:
    """Run one instruction on `state` (rip := next address, then its effect).

    A state with a `current` attribute is told the instruction being executed
    (the concrete state names it in error messages).
    """
    if hasattr(state, "current"):
        state.current = insn
    state.rip = insn.next_address
    try:
        fn = SEMANTICS[insn.mnemonic]
    except KeyError:
        raise NotImplementedError(f"no semantics for {insn.mnemonic} at {insn.address:#x}") from None
    fn(state, insn)


__all__ = ["execute", "SEMANTICS", "CONDITIONS", "condition", "effective_address"]
