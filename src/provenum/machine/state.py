"""A concrete machine state: registers and flags as ints, byte-addressed memory.

Implements provenum.isa.state.State for the concrete domain. Memory consists
of mapped regions; touching an unmapped byte raises MemoryAccessError (the
interpreter and the validator treat that as a failure, never as zero).
"""
from __future__ import annotations

from provenum.isa.domain import UNDEFINED, UndefinedFlagError
from provenum.isa.x86_64.registers import FLAGS, GPR64, NUM_MASK, NUM_VEC

from .concrete import Bits, ConcreteDomain

M64 = (1 << 64) - 1
M512 = (1 << 512) - 1


class MemoryAccessError(Exception):
    """An access to memory that is not mapped."""


class Memory:
    """Non-overlapping mapped regions, each a bytearray at a start address."""

    def __init__(self):
        self.regions: list[tuple[int, bytearray]] = []

    def map(self, address: int, data) -> None:
        """Map `data` (bytes, or a size for zeroes) at `address`."""
        buf = bytearray(data)           # an int maps that many zero bytes
        end = address + len(buf)
        for start, b in self.regions:
            if address < start + len(b) and start < end:
                raise ValueError(f"region {address:#x}+{len(buf)} overlaps {start:#x}+{len(b)}")
        self.regions.append((address, buf))

    def _find(self, address: int, n: int) -> tuple[bytearray, int]:
        for start, buf in self.regions:
            off = address - start
            if 0 <= off and off + n <= len(buf):
                return buf, off
        raise MemoryAccessError(f"access to unmapped memory: {n} bytes at {address:#x}")

    def read(self, address: int, n: int) -> bytes:
        buf, off = self._find(address, n)
        return bytes(buf[off:off + n])

    def write(self, address: int, data: bytes) -> None:
        buf, off = self._find(address, len(data))
        buf[off:off + len(data)] = data

    def copy(self) -> "Memory":
        m = Memory()
        m.regions = [(s, bytearray(b)) for s, b in self.regions]
        return m


class MemoryAccess:
    """The memory half of a concrete state, the same for every ISA (it needs `self.memory`)."""
    memory: Memory

    def load(self, address, nbytes):
        return Bits(int.from_bytes(self.memory.read(address.v, nbytes), "little"), 8 * nbytes)

    def store(self, address, value, nbytes):
        if value.w != 8 * nbytes:
            raise ValueError(f"{value.w}-bit value stored as {nbytes} bytes")
        self.memory.write(address.v, value.v.to_bytes(nbytes, "little"))

    def map(self, address: int, data) -> None:
        self.memory.map(address, data)

    def read_bytes(self, address: int, n: int) -> bytes:
        return self.memory.read(address, n)

    def write_bytes(self, address: int, data: bytes) -> None:
        self.memory.write(address, bytes(data))

    def read_u64(self, address: int) -> int:
        return int.from_bytes(self.memory.read(address, 8), "little")

    def write_u64(self, address: int, value: int) -> None:
        self.memory.write(address, (value & M64).to_bytes(8, "little"))


class ConcreteState(MemoryAccess):
    """Registers, flags, vector and mask registers, memory, rip."""

    def __init__(self, domain: ConcreteDomain | None = None):
        self.d = domain or ConcreteDomain()
        self.gprs: dict[str, int] = {r: 0 for r in GPR64}
        self.flags: dict[str, object] = {f: 0 for f in FLAGS}    # 0/1 or UNDEFINED
        self.vecs: list[int] = [0] * NUM_VEC
        self.masks: list[int] = [0] * NUM_MASK
        self.memory = Memory()
        self.rip = 0
        self.undefined_by: dict[str, str] = {}     # flag -> instruction that left it undefined
        self.current = None                         # instruction being executed (for messages)

    # --- the State protocol --------------------------------------------------
    def read_gpr(self, name):
        return Bits(self.gprs[name], 64)

    def write_gpr(self, name, value):
        if value.w != 64:
            raise ValueError(f"{value.w}-bit write to {name}")
        self.gprs[name] = value.v

    def read_flag(self, name):
        v = self.flags[name]
        if v is UNDEFINED:
            by = self.undefined_by.get(name, "an earlier instruction")
            raise UndefinedFlagError(f"{name} read at {self._where()} is undefined (left so by {by})")
        return Bits(v, 1)

    def write_flag(self, name, value):
        if value is UNDEFINED:
            self.flags[name] = UNDEFINED
            self.undefined_by[name] = str(self.current) if self.current is not None else "?"
        else:
            if value.w != 1:
                raise ValueError(f"{value.w}-bit flag value for {name}")
            self.flags[name] = value.v

    def write_flag_lazy(self, name, make):
        self.write_flag(name, make())

    def read_vec(self, index):
        return Bits(self.vecs[index], 512)

    def write_vec(self, index, value):
        if value.w != 512:
            raise ValueError(f"{value.w}-bit write to zmm{index}")
        self.vecs[index] = value.v

    def read_mask(self, index):
        return Bits(self.masks[index], 64)

    def write_mask(self, index, value):
        if value.w != 64:
            raise ValueError(f"{value.w}-bit write to k{index}")
        self.masks[index] = value.v

    def jump(self, target):
        self.rip = target.v

    def branch(self, cond, target):
        if cond.v:
            self.rip = target

    def note_variable_time(self, mnemonic, *operands):
        pass

    # --- conveniences for people and tests ---------------------------------------
    def gpr(self, name: str) -> int:
        return self.gprs[name]

    def set_gpr(self, name: str, value: int) -> None:
        self.gprs[name] = value & M64

    def flag(self, name: str):
        """0, 1, or None when undefined."""
        v = self.flags[name]
        return None if v is UNDEFINED else v

    def set_flag(self, name: str, value: int) -> None:
        self.flags[name] = value & 1

    def copy(self) -> "ConcreteState":
        s = ConcreteState(self.d)
        s.gprs = dict(self.gprs)
        s.flags = dict(self.flags)
        s.vecs = list(self.vecs)
        s.masks = list(self.masks)
        s.memory = self.memory.copy()
        s.rip = self.rip
        s.undefined_by = dict(self.undefined_by)
        return s

    def _where(self) -> str:
        return str(self.current) if self.current is not None else f"{self.rip:#x}"
