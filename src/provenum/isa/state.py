"""The machine-state interface that instruction semantics act on.

A state owns its domain (`state.d`) and decides what memory and control flow
mean: the concrete state keeps a byte-addressed memory and follows jumps; the
symbolic state keeps named regions and records every branch condition and
address for the constant-time check. Semantics never look behind this
interface, so the same semantics serve both.
"""
from __future__ import annotations

from typing import Any, Protocol

from .domain import Domain

Value = Any


class State(Protocol):
    d: Domain

    # 64-bit general-purpose registers by full name ("rax", ..., "r15");
    # sub-register views (eax, ax, al, ah) are the semantics' business.
    def read_gpr(self, name: str) -> Value: ...
    def write_gpr(self, name: str, value: Value) -> None: ...

    # Flags "CF", "PF", "AF", "ZF", "SF", "OF" as 1-bit values. Writing
    # domain.UNDEFINED marks a flag undefined; reading one raises
    # domain.UndefinedFlagError naming the flag and the instruction.
    def read_flag(self, name: str) -> Value: ...
    def write_flag(self, name: str, value: Value) -> None: ...
    # The same with the value made by make() when first read (a state may call it at once):
    # most flags an instruction sets are never read, and building their terms is most of the work.
    def write_flag_lazy(self, name: str, make) -> None: ...

    # Vector registers zmm0..zmm31 as 512-bit values (xmm/ymm are the low
    # 128/256 bits) and AVX-512 mask registers k0..k7 as 64-bit values.
    def read_vec(self, index: int) -> Value: ...
    def write_vec(self, index: int, value: Value) -> None: ...
    def read_mask(self, index: int) -> Value: ...
    def write_mask(self, index: int, value: Value) -> None: ...

    # Little-endian memory access of nbytes at a 64-bit address value.
    def load(self, address: Value, nbytes: int) -> Value: ...
    def store(self, address: Value, value: Value, nbytes: int) -> None: ...

    # Control flow. `rip` is the address of the next instruction (concrete).
    # jump: unconditional transfer to a target value (ret, jmp, call).
    # branch: conditional transfer on a 1-bit condition value.
    rip: int
    def jump(self, target: Value) -> None: ...
    def branch(self, cond: Value, target: int) -> None: ...

    # Operand values of variable-latency instructions (div, ...), for the
    # constant-time check; a concrete state may ignore them.
    def note_variable_time(self, mnemonic: str, *operands: Value) -> None: ...
