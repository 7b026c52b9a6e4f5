"""Decoded machine code, the same for every ISA: decoding errors and functions.

Each ISA package (`isa.x86_64`, `isa.aarch64`) turns bytes into its own
`Instruction`s; what a caller gets back -- a `Function`, or a `DecodeError`
naming what could not be decoded and where -- is shared, so the verifier
and the commands handle both ISAs alike.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class DecodeError(ValueError):
    """Bytes the model cannot turn into its instructions.

    Carries `mnemonic` (None when the disassembler itself could not decode),
    `address` and `code` (the instruction's bytes, or what was left when
    truncated).
    """

    def __init__(self, message: str, *, mnemonic: str | None = None,
                 address: int | None = None, code: bytes = b""):
        self.mnemonic = mnemonic
        self.address = address
        self.code = bytes(code)
        super().__init__(message)

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


class UnknownSymbolError(DecodeError, KeyError):
    """A symbol the ELF file does not define (also a KeyError, as a lookup miss)."""


class WrongMachineError(DecodeError):
    """An ELF file for another machine than the decoder's."""


@dataclass(frozen=True)
class Function:
    """A named piece of machine code and its decoded instructions."""
    name: str
    address: int
    code: bytes
    instructions: tuple = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.code).hexdigest()

    @property
    def end(self) -> int:
        return self.address + len(self.code)

    def at(self, address: int):
        """The instruction starting at `address`."""
        for insn in self.instructions:
            if insn.address == address:
                return insn
        raise KeyError(f"no instruction of {self.name} starts at {address:#x}")

    def listing(self) -> str:
        lines = [f"{self.name} @ {self.address:#x}, {len(self.code)} bytes, sha256 {self.sha256}"]
        for insn in self.instructions:
            lines.append(f"  {insn.address:#010x}  {insn.code.hex():<24} {insn.mnemonic:<10} {insn.text}")
        return "\n".join(lines)
