"""The concrete AArch64 machine state: x0..x30, sp, NZCV, v0..v31, mapped memory, pc.

It implements the state interface the A64 semantics use (see
provenum.isa.aarch64) over the concrete domain; memory is the same
byte-addressed `Memory` as on x86-64 (an access to an unmapped byte raises
MemoryAccessError).
"""
from __future__ import annotations

from provenum.isa.aarch64.registers import FLAGS, GPR64, NUM_VEC

from ..concrete import Bits, ConcreteDomain
from ..state import Memory, MemoryAccess, MemoryAccessError  # noqa: F401  (re-exported)

M64 = (1 << 64) - 1
M128 = (1 << 128) - 1


class ConcreteState(MemoryAccess):
    """Registers, flags, vector registers and memory as Python ints and bytes."""

    def __init__(self, domain: ConcreteDomain | None = None):
        self.d = domain or ConcreteDomain()
        self.gprs: dict[str, int] = {r: 0 for r in GPR64}
        self.flags: dict[str, int] = {f: 0 for f in FLAGS}
        self.vecs: list[int] = [0] * NUM_VEC
        self.memory = Memory()
        self.pc = 0
        self.current = None                  # instruction being executed (for messages)

    # --- the state interface ------------------------------------------------------
    def read_gpr(self, name):
        return Bits(self.gprs[name], 64)

    def write_gpr(self, name, value):
        if value.w != 64:
            raise ValueError(f"{value.w}-bit write to {name}")
        self.gprs[name] = value.v

    def read_flag(self, name):
        return Bits(self.flags[name], 1)

    def write_flag(self, name, value):
        if value.w != 1:
            raise ValueError(f"{value.w}-bit flag value for {name}")
        self.flags[name] = value.v

    def read_vec(self, index):
        return Bits(self.vecs[index], 128)

    def write_vec(self, index, value):
        if value.w != 128:
            raise ValueError(f"{value.w}-bit write to v{index}")
        self.vecs[index] = value.v

    def jump(self, target):
        self.pc = target.v

    def branch(self, cond, target):
        if cond.v:
            self.pc = target

    # --- conveniences for people and tests --------------------------------------------
    def gpr(self, name: str) -> int:
        return self.gprs[name]

    def set_gpr(self, name: str, value: int) -> None:
        self.gprs[name] = value & M64

    def flag(self, name: str) -> int:
        return self.flags[name]

    def set_flag(self, name: str, value: int) -> None:
        self.flags[name] = value & 1

    @property
    def nzcv(self) -> int:
        """The flags as the NZCV register holds them (bits 31..28)."""
        return sum(self.flags[f] << (31 - i) for i, f in enumerate(FLAGS))

    @nzcv.setter
    def nzcv(self, value: int) -> None:
        for i, f in enumerate(FLAGS):
            self.flags[f] = (value >> (31 - i)) & 1

    def copy(self) -> "ConcreteState":
        s = ConcreteState(self.d)
        s.gprs = dict(self.gprs)
        s.flags = dict(self.flags)
        s.vecs = list(self.vecs)
        s.memory = self.memory.copy()
        s.pc = self.pc
        return s

    def where(self) -> str:
        return str(self.current) if self.current is not None else f"{self.pc:#x}"
