"""What A64 instructions cost on Neoverse N1: issue pipes and latencies, for the scheduler.

Kept apart from what the instructions mean (provenum.isa.aarch64), as SLOTHY
keeps its microarchitecture models. The figures are those of LLVM's N1
scheduling model, the one `llvm-mca-19 -mcpu=neoverse-n1` simulates (the
cost model of `provenum bench kernels --isa aarch64`); tests/kernels checks
this table against llvm-mca where it is installed. The pipes:

  S0 S1   single-cycle integer ALU         M   multi-cycle integer (multiplies, and ALU work)
  L0 L1   load / store address             D0 D1  store data
  V0 V1   Advanced SIMD (V0 alone multiplies, V1 alone shifts)

Each instruction is one or more micro-ops, each issued to one pipe of a set
and holding it for some cycles: mul and umulh hold M for 3 cycles (so a
64x64 -> 128 product costs 6 M cycles), umull/umlal hold V0 for one.
"""
from __future__ import annotations

from ..cpsat import Machine

I = ("S0", "S1", "M")        # integer ALU work may go to either S pipe or M
L = ("L0", "L1")
D = ("D0", "D1")
V = ("V0", "V1")
PIPES = ("S0", "S1", "M", "L0", "L1", "D0", "D1", "V0", "V1")
ISSUE_WIDTH = 4              # instructions decoded per cycle
MACHINE = Machine("neoverse-n1", PIPES, dispatch_width=ISSUE_WIDTH, rob_entries=128)


def _c(latency: int, *uops) -> tuple[int, tuple]:
    return latency, tuple(uops)


ALU = _c(1, (I, 1))
_INTEGER = {m: ALU for m in (
    "add", "adds", "adc", "adcs", "sub", "subs", "sbc", "sbcs", "neg", "negs", "ngc", "ngcs",
    "mov", "movz", "movn", "movk", "mvn", "and", "ands", "orr", "eor", "bic", "orn", "eon",
    "csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cinv", "cneg",
    "cmp", "cmn", "ccmp", "ccmn", "lsl", "lsr", "asr", "ror", "ubfx", "sbfx", "ubfiz", "bfi", "bfxil")}
_INTEGER.update({
    "tst": _c(2, (("M",), 1)),
    "mul": _c(4, (("M",), 3)), "madd": _c(4, (("M",), 3)), "msub": _c(4, (("M",), 3)),
    "mneg": _c(4, (("M",), 3)), "umulh": _c(5, (("M",), 3)), "smulh": _c(5, (("M",), 3)),
    "umull": _c(2, (("M",), 1)), "umaddl": _c(2, (("M",), 1)),
    "extr": _c(3, (("M",), 1), (("S0", "S1"), 1)),
})

_VMUL = _c(4, (("V0",), 1))
_VALU = _c(2, (V, 1))
_VECTOR = {m: _VMUL for m in ("umull", "umull2", "umlal", "umlal2", "umlsl", "umlsl2", "smull", "smull2")}
_VECTOR.update({m: _c(4, (("V1",), 1)) for m in ("usra", "ssra", "uadalp")})
_VECTOR.update({m: _c(2, (("V1",), 1)) for m in ("ushr", "sshr", "shl", "sli", "sri", "shrn", "shrn2", "ushll",
                                                 "ushll2")})
_VECTOR.update({m: _VALU for m in (
    "and", "orr", "eor", "bic", "orn", "bsl", "bit", "bif", "mvn", "not", "add", "sub", "addp", "uaddlp",
    "uzp1", "uzp2", "zip1", "zip2", "trn1", "trn2", "ext", "rev64", "xtn", "xtn2", "movi", "dup", "ins", "mov",
    "cmeq", "cmhi", "cmhs", "cmtst", "fmov")})
_VECTOR["mul"] = _c(5, (("V0",), 2))


def _is_vector(op: str) -> bool:
    return op[:1] in "vqd" and op[1:2].isdigit() or op.startswith("{")


def _width(op: str) -> int:
    return 8 if op[:1] in "xd" else 4 if op[:1] in "ws" else 16


def cost(mnemonic: str, operands: tuple) -> tuple[int, tuple]:
    """(latency, micro-ops) of one instruction; micro-ops are (pipe set, cycles)."""
    regs = [o for o in operands if not o.startswith("[") and not o.startswith("#")]
    if mnemonic in ("ldr", "ldur", "ldp", "ld1"):
        vec = _is_vector(regs[0])
        n = 2 if mnemonic == "ldp" else 1
        if mnemonic == "ld1":
            return _c(5, *[(L, 1)] * regs[0].count("v"))
        if not vec:
            return _c(4, *[(L, 1)] * n)
        return _c(7 if n == 2 and regs[0].startswith("q") else 5, *[(L, 1)] * n, (I, 1))
    if mnemonic in ("str", "stur", "stp", "st1"):
        n = 2 if mnemonic == "stp" else 1
        if mnemonic == "st1":
            k = regs[0].count("v")
            return _c(2, *[(L, 1)] * k, *[(V, 1)] * k)
        if not _is_vector(regs[0]):
            return _c(1, *[(L, 1)] * n, (D, 1))
        if regs[0].startswith("q"):
            return _c(2, *[(L, 1)] * (2 * n), *[(("V0",), 1), (("V1",), 1)] * (1 if n == 1 else 0),
                      *[(("V0",), 1)] * (2 if n == 2 else 0))
        return _c(2, *[(L, 1)] * n, *[(V, 1)] * n)
    if mnemonic in ("mov", "umov", "fmov") and len(regs) == 2 and regs[0][:1] in "xw":
        # vector element or register to a general register
        if regs[1].endswith("[1]") or (mnemonic == "fmov" and regs[1].startswith("d")):
            return _c(2, (("V1",), 1))
        if regs[1][:1] in "vd":
            return _c(2, (V, 1))
    if mnemonic in ("fmov", "dup") and len(regs) == 2 and regs[1][:1] in "xw":
        return _c(3, (("M",), 1))
    if mnemonic in ("mov", "ins") and len(regs) == 2 and regs[0].startswith("v") and "[" in regs[0] \
            and regs[1][:1] in "xw":
        return _c(5, (("M",), 1), (V, 1))
    if regs and any(_is_vector(r) for r in regs):
        try:
            return _VECTOR[mnemonic]
        except KeyError:
            raise KeyError(f"no N1 cost for the vector instruction {mnemonic}") from None
    try:
        return _INTEGER[mnemonic]
    except KeyError:
        raise KeyError(f"no N1 cost for {mnemonic}") from None
