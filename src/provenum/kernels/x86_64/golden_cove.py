"""What x86-64 instructions cost on Intel Golden Cove (Sapphire / Emerald Rapids), for the scheduler.

Ports: p0 p1 p5 p6 p10 integer ALUs (p0 p6 alone take adc/sbb/adcx/adox,
cmov, setcc, shifts; p1 the multiplier), p2 p3 p11 loads, p7 p8 store
addresses, p4 p9 store data; 512-bit vector work on p0 and p5 (p5 alone
shuffles). Rename and dispatch 6 wide, a 512-entry reorder buffer.

Sources: uops.info's tables for Alder Lake-P (the same Golden Cove core) and
Emerald Rapids, and Intel's optimisation reference manual (Golden Cove
chapter) for the port layout. Checked by measurement on the Xeon at hand
(family 6 model 0xa7 as the VM reports it, AVX-512 IFMA, AMX; TSC ticks of
chains and independent streams, scaled by a one-cycle add chain):
mulx throughput 1.0 a cycle, latency 4 (high half) and 3 (low half; the
table keeps 4); adcx and adox chains one cycle each and overlapping, two
adc chains one serial CF chain (2 cycles a pair); vpmadd52luq zmm latency
4, two a cycle (p0 and p5); vpaddq zmm two a cycle; valignq zmm one a cycle
(p5 alone); shld latency 3; imul one a cycle, latency 3.
"""
from __future__ import annotations

from ..cpsat import Machine
from .costs import Core, c

ALU = ("p0", "p1", "p5", "p6", "p10")
P06 = ("p0", "p6")
P1, P5, P0 = ("p1",), ("p5",), ("p0",)
V05 = ("p0", "p5")
LOAD = ("p2", "p3", "p11")
STA, STD = ("p7", "p8"), ("p4", "p9")
PORTS = ("p0", "p1", "p5", "p6", "p10", "p2", "p3", "p11", "p7", "p8", "p4", "p9")

_OPS = {m: c(1, ALU) for m in ("mov", "movzx", "add", "sub", "and", "or", "xor", "not", "neg", "inc", "dec",
                               "lea", "cmp", "test")}
_OPS.update({m: c(1, P06) for m in ("adc", "sbb", "adcx", "adox", "cmov", "set", "bt", "shl", "shr", "sar",
                                    "stc", "clc")})
_OPS.update({
    "mulx": c(4, P1, P5), "mul": c(4, P1, P5), "imul": c(3, P1), "shld": c(3, P1), "shrd": c(3, P1),
    "vpmadd52luq": c(4, V05), "vpmadd52huq": c(4, V05),
    "vmov": c(1, V05), "vpternlogq": c(1, V05),
    "valignq": c(3, P5), "vpermq": c(3, P5), "vpcmpeqq": c(3, P5), "vpcmpuq": c(3, P5),
    "vpbroadcastq": c(3, P5), "vpbroadcastq.gpr": c(3, P5), "vmovq.to_gpr": c(3, P0), "vmovq.from_gpr": c(3, P5),
    "vpsrlq": c(1, P0), "vpsllq": c(1, P0), "vpsraq": c(1, P0),
    "kmovq": c(3, P5), "kmovw": c(3, P5), "kmovb": c(3, P5), "kmovd": c(3, P5),
})
_OPS.update({m: c(1, V05) for m in ("vpaddq", "vpsubq", "vpxorq", "vpxor", "vpandq", "vpand", "vporq", "vpor",
                                    "vpandnq", "vpandn", "vpblendmq")})

CORE = Core(Machine("golden-cove", PORTS, dispatch_width=6, rob_entries=512, speculates_loads=True), _OPS,
            load=c(5, LOAD), vector_load=c(8, LOAD), store=((STA, 1), (STD, 1)),
            source="uops.info (Alder Lake-P, Emerald Rapids), Intel optimisation manual; measured here")
