"""What x86-64 instructions cost on one core, for the schedulers: the lookup shared by the tables.

A core's table (golden_cove.py, zen3.py) gives each instruction of the
kernels its latency and micro-ops in the register form: (latency, ((ports,
cycles), ...)). The forms differ by what the operands are, so the key is the
mnemonic, or mnemonic.form for the moves between register files
("vmovq.to_gpr", "vmovq.from_gpr", "vpbroadcastq.gpr"). A memory source
adds a load micro-op but not its latency: the load needs only its address
and runs ahead (the kernels' inputs are in memory from the start), so what
waits is the register inputs, by the operation's latency; a plain load is
the load alone, at the load's latency; a store is store-address and
store-data micro-ops. What an instruction reads and writes is not here
(schedule.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..cpsat import Machine


@dataclass(frozen=True)
class Core:
    machine: Machine
    ops: dict = field(repr=False)         # key -> (latency, micro-ops)
    load: tuple = ()                      # (latency, micro-ops) of a general-register load
    vector_load: tuple = ()               # of a vector load (xmm, ymm, zmm)
    store: tuple = ()                     # micro-ops of a store
    source: str = ""                      # where the figures are from

    def cost(self, mnemonic: str, operands: tuple) -> tuple[int, tuple]:
        """(latency, micro-ops) of one instruction; micro-ops are (ports, cycles)."""
        mem = next((k for k, o in enumerate(operands) if "[" in o), None)
        vector = any(o.split("{")[0][1:3] == "mm" for o in operands)
        if mnemonic == "lea" or mem is None:
            return self._op(mnemonic, operands)
        load_latency, load_uops = self.vector_load if vector else self.load
        if mem == 0 and mnemonic not in ("cmp", "test", "bt", "mul"):
            if mnemonic in ("mov", "vmovdqu64", "vmovdqu", "vmovdqa64", "vmovq"):
                return 1, self.store
            latency, uops = self._op(mnemonic, operands)       # read-modify-write
            return load_latency + latency, load_uops + uops + self.store
        if mnemonic in ("mov", "vmovdqu64", "vmovdqu", "vmovdqa64", "vpbroadcastq", "movzx"):
            return load_latency, load_uops
        latency, uops = self._op(mnemonic, operands)
        return latency, load_uops + uops

    def _op(self, mnemonic: str, operands: tuple) -> tuple[int, tuple]:
        key = mnemonic
        if mnemonic.startswith("cmov"):
            key = "cmov"
        elif mnemonic.startswith("set"):
            key = "set"
        elif mnemonic == "vmovq":
            key = "vmovq.to_gpr" if not operands[0].startswith(("xmm", "ymm", "zmm")) else "vmovq.from_gpr"
        elif mnemonic == "vpbroadcastq" and not operands[1].startswith(("xmm", "ymm", "zmm")):
            key = "vpbroadcastq.gpr"
        elif mnemonic.startswith("vmovdqu") or mnemonic.startswith("vmovdqa"):
            key = "vmov"
        try:
            return self.ops[key]
        except KeyError:
            raise KeyError(f"no {self.machine.name} cost for {mnemonic} {', '.join(operands)}") from None


def c(latency: int, *uops) -> tuple[int, tuple]:
    """(latency, micro-ops), each micro-op one cycle on one of its ports."""
    return latency, tuple((ports, 1) for ports in uops)


def core(name: str) -> Core:
    """The table of a core by name: golden-cove or zen3."""
    if name == "golden-cove":
        from .golden_cove import CORE
    elif name == "zen3":
        from .zen3 import CORE
    else:
        raise ValueError(f"no x86-64 core table {name!r}; the cores are {', '.join(CORES)}")
    return CORE


CORES = ("golden-cove", "zen3")
