"""What the verifier needs of an instruction set, in one place per ISA.

The symbolic state, executor, prover and reports are ISA-neutral; they ask a
`Target` for the ISA-specific parts: the ABI (provenum.isa.abi: argument and
callee-saved registers, stack pointer, where the return address is, red
zone), how to decode a library's functions and run one instruction
(provenum.isa.<isa>), and the concrete machine a counterexample is replayed
on. A library's target is read from its ELF machine, a decoded function's
from the package its instructions belong to.

    target_for(isa)          "x86_64" or "aarch64"
    target_of(function)      the ISA a decoded Function was decoded for
    library_target(path)     the ISA of an ELF file (provenum.isa.elf.elf_machine)
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..isa.abi import ABI, abi_for


@dataclass(frozen=True)
class Target:
    isa: str
    abi: ABI
    package: str               # provenum.isa.<isa>: decode_symbol, execute, ...
    mask_registers: int        # AVX-512 k0..k7 on x86-64, none on AArch64
    vector_name: str           # how the initial vector registers are named
    summary_call: str          # the call mnemonic a proved callee's spec may replace

    def module(self, name: str = ""):
        return importlib.import_module(self.package + (f".{name}" if name else ""))

    def execute(self, state, insn) -> None:
        self.module("semantics").execute(state, insn)

    def decode_symbol(self, library, name: str):
        return self.module("decode").decode_symbol(library, name)

    def function_symbols(self, library) -> list[str]:
        return self.module("decode").function_symbols(library)

    def decode_at(self, library, address: int):
        """The function starting at `address` (a call target), its extent from a symbol starting there."""
        from ..isa import elf

        sym = elf.code_symbols(library).get(address)
        if sym is None:
            raise KeyError(f"no function symbol starts at {address:#x} in {library}")
        code = elf.code_bytes(library, address, sym.size, f"function {sym.name!r}")
        return self.module("decode").decode_function(sym.name, code, address)

    def branch_target(self, insn) -> int | None:
        """The target of a direct jump or conditional branch (not a call), else None: loop heads are read off these."""
        if self.isa == "x86_64":
            from ..isa.x86_64.instruction import Rel

            ok = insn.mnemonic.startswith("j") and insn.operands and isinstance(insn.operands[0], Rel)
            return insn.operands[0].target if ok else None
        from ..isa.aarch64.instruction import Label

        ok = (insn.mnemonic in ("b", "cbz", "cbnz", "tbz", "tbnz") or insn.mnemonic.startswith("b.")) and \
            insn.operands and isinstance(insn.operands[-1], Label)
        return insn.operands[-1].target if ok else None

    def argument_register(self, x86_register: str) -> str:
        """Spec arguments are written with System V register names in ABI order: the same position here."""
        position = abi_for("x86_64").argument_registers.index(x86_register)
        try:
            return self.abi.argument_registers[position]
        except IndexError:
            raise ValueError(f"argument {position + 1} has no register in {self.abi.name}") from None

    def arguments(self, spec) -> list[tuple[str, str]]:
        """(register, buffer-or-scalar name) of the spec's arguments under this ABI."""
        return [(self.argument_register(reg), name) for reg, name in spec.args]

    @property
    def preserved(self) -> tuple[str, ...]:
        """General registers a function gives back unchanged (the stack pointer apart)."""
        return self.abi.callee_saved + self.abi.reserved


TARGETS = {
    "x86_64": Target("x86_64", abi_for("x86_64"), "provenum.isa.x86_64", 8, "zmm", "call"),
    "aarch64": Target("aarch64", abi_for("aarch64"), "provenum.isa.aarch64", 0, "v", "bl"),
}


def target_for(isa: str) -> Target:
    try:
        return TARGETS[isa]
    except KeyError:
        raise ValueError(f"the verifier does not know ISA {isa!r} (known: {', '.join(sorted(TARGETS))})") from None


def target_of(function) -> Target:
    """The target of a decoded function: the ISA package its instructions come from."""
    for t in TARGETS.values():
        if function.instructions and type(function.instructions[0]).__module__.startswith(t.package + "."):
            return t
    return TARGETS["x86_64"]


def library_target(library) -> Target:
    """The target of an ELF file, from its machine field."""
    from ..isa.elf import elf_machine

    return target_for(elf_machine(library))
