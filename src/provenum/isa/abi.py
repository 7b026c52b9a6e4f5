"""Calling conventions as data: what a verifier asks of an ISA's ABI.

One `ABI` per ISA answers: where the arguments are, where the result goes,
what a function must give back unchanged (callee-saved registers, whole or
in part, and the stack pointer), where the return address lives, how much
memory below the stack pointer survives (the red zone), and what a call may
change. Registers are named as the ISA package names them (x86-64: "rax"...,
"zmm0"...; AArch64: "x0"..., "v0"...); a `VectorPart` is the part of a
vector register the convention constrains.

    SYSV_X86_64   System V AMD64 ABI (Linux, x86-64)
    AAPCS64       Procedure Call Standard for the Arm 64-bit Architecture (Linux)
    ABIS          {"x86_64": SYSV_X86_64, "aarch64": AAPCS64}
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorPart:
    """Bits lo..lo+width-1 of vector register `index`."""
    index: int
    lo: int
    width: int


@dataclass(frozen=True)
class ReturnAddress:
    """Where the caller's return address is on entry: a register, or the stack at sp + offset."""
    register: str | None = None
    stack_offset: int | None = None


@dataclass(frozen=True)
class ABI:
    name: str
    isa: str
    gprs: tuple[str, ...]                    # every general-purpose register (stack pointer included)
    stack_pointer: str
    argument_registers: tuple[str, ...]      # integer/pointer arguments, in order
    return_registers: tuple[str, ...]        # integer result, low word first
    callee_saved: tuple[str, ...]            # GPRs a function must restore (the stack pointer apart)
    callee_saved_vector: tuple[VectorPart, ...]
    reserved: tuple[str, ...]                # GPRs a function must not change at all
    return_address: ReturnAddress
    red_zone: int                            # bytes below the stack pointer that survive (signals, interrupts)
    stack_alignment: int                     # of the stack pointer at a call
    num_vectors: int
    vector_bits: int
    flags: tuple[str, ...]                   # condition flags; all may change

    @property
    def caller_saved(self) -> tuple[str, ...]:
        """GPRs a call may change (clobber)."""
        keep = set(self.callee_saved) | set(self.reserved) | {self.stack_pointer}
        return tuple(r for r in self.gprs if r not in keep)

    def preserved_vector(self, index: int) -> VectorPart | None:
        """The part of vector register `index` a function must restore (None: all of it may change)."""
        return next((p for p in self.callee_saved_vector if p.index == index), None)

    def may_change(self) -> dict:
        """Everything a call may change: caller-saved GPRs, every flag, and per vector register
        the bits (lo, width) that are not preserved (absent: the register is preserved whole)."""
        vectors = {}
        for i in range(self.num_vectors):
            part = self.preserved_vector(i)
            if part is None:
                vectors[i] = (0, self.vector_bits)
            elif part.lo == 0 and part.width < self.vector_bits:
                vectors[i] = (part.width, self.vector_bits - part.width)
        return {"gprs": self.caller_saved, "flags": self.flags, "vectors": vectors}


SYSV_X86_64 = ABI(
    name="System V AMD64",
    isa="x86_64",
    gprs=("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"),
    stack_pointer="rsp",
    argument_registers=("rdi", "rsi", "rdx", "rcx", "r8", "r9"),
    return_registers=("rax", "rdx"),
    callee_saved=("rbx", "rbp", "r12", "r13", "r14", "r15"),
    callee_saved_vector=(),                  # every xmm/ymm/zmm and k register may change
    reserved=(),
    return_address=ReturnAddress(stack_offset=0),
    red_zone=128,
    stack_alignment=16,
    num_vectors=32,
    vector_bits=512,
    flags=("CF", "PF", "AF", "ZF", "SF", "OF"),
)

AAPCS64 = ABI(
    name="AAPCS64",
    isa="aarch64",
    gprs=tuple(f"x{i}" for i in range(31)) + ("sp",),
    stack_pointer="sp",
    argument_registers=tuple(f"x{i}" for i in range(8)),
    return_registers=("x0", "x1"),
    # x29 is the frame pointer, saved like x19-x28
    callee_saved=tuple(f"x{i}" for i in range(19, 30)),
    # only the low 64 bits (d8-d15) of v8-v15 are preserved
    callee_saved_vector=tuple(VectorPart(i, 0, 64) for i in range(8, 16)),
    # x18 is the platform register: Linux lets code use it, but other platforms (and shadow call stacks)
    # reserve it, so a portable kernel leaves it alone
    reserved=("x18",),
    return_address=ReturnAddress(register="x30"),
    red_zone=0,                              # AArch64 Linux: nothing below sp survives
    stack_alignment=16,
    num_vectors=32,
    vector_bits=128,
    flags=("N", "Z", "C", "V"),
)

ABIS = {abi.isa: abi for abi in (SYSV_X86_64, AAPCS64)}


def abi_for(isa: str) -> ABI:
    try:
        return ABIS[isa]
    except KeyError:
        raise ValueError(f"no ABI for ISA {isa!r} (known: {', '.join(sorted(ABIS))})") from None
