"""What x86-64 instructions cost on AMD Zen 3, for the scheduler (the bmi2 kernels' instructions).

Ports: ALU0-ALU3 integer ALUs (ALU1 alone multiplies), AGU0-AGU2 address
generation (three loads a cycle, two of them may be stores), SD0 SD1 store
data. Dispatch 6 macro-ops a cycle, a 256-entry reorder buffer. Zen 3 has
no AVX-512: the radix-2^52 kernels have no cost here (a clear KeyError).

Sources: Agner Fog's instruction tables (Zen 3 section) and uops.info's Zen 3
measurements; AMD's Software Optimization Guide for family 19h for the
pipes. Not checked by measurement: no Zen 3 is at hand, so no schedule is
shipped as faster on Zen 3.
"""
from __future__ import annotations

from ..cpsat import Machine
from .costs import Core, c

ALU = ("ALU0", "ALU1", "ALU2", "ALU3")
MUL = ("ALU1",)
AGU = ("AGU0", "AGU1", "AGU2")
STORE_AGU = ("AGU0", "AGU1")
SD = ("SD0", "SD1")
PORTS = ALU + AGU + SD

_OPS = {m: c(1, ALU) for m in ("mov", "movzx", "add", "sub", "and", "or", "xor", "not", "neg", "inc", "dec",
                               "lea", "cmp", "test", "adc", "sbb", "adcx", "adox", "cmov", "set", "bt",
                               "shl", "shr", "sar", "stc", "clc")}
_OPS.update({
    "mulx": c(4, MUL, ALU), "mul": c(3, MUL, ALU), "imul": c(3, MUL),
    "shld": c(2, ALU, ALU, ALU, ALU), "shrd": c(2, ALU, ALU, ALU, ALU),
})

CORE = Core(Machine("zen3", PORTS, dispatch_width=6, rob_entries=256, speculates_loads=True), _OPS,
            load=c(4, AGU), vector_load=c(7, AGU), store=((STORE_AGU, 1), (SD, 1)),
            source="Agner Fog's instruction tables, uops.info (Zen 3); not measured")
