"""Neoverse N1 cycles of AArch64 kernels: llvm-mca over the instructions a call executes.

A kernel is run in the AArch64 model (provenum.machine.aarch64) on inputs
that meet its contract; the instructions it executes, in order (loops
unrolled, calls followed into their callees), are fed to

    llvm-mca-19 -mtriple=aarch64 -mcpu=neoverse-n1 -iterations=100

and the figure is its total cycles divided by the 100 iterations: the
steady-state cost of calling the kernel back to back. This is how the issue's
anchors were measured on s2n-bignum's kernels (mul_8_16: 214 cycles,
reproduced exactly here). The kernels are constant time, so the trace, and
the figure, do not depend on the inputs.

`trace` can also summarise calls to named callees whose cost is known (the
exponentiation calls its Montgomery kernels thousands of times): they are
counted, not run -- the caller's instruction sequence does not depend on
what a constant-time callee computes -- and `trace_cost` adds their cycles
per call to llvm-mca's figure for the caller's own instructions.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

LLVM_MCA = "llvm-mca-19"
MCA_ARGS = ("-mtriple=aarch64", "-mcpu=neoverse-n1", "-iterations=100")
ITERATIONS = 100

MEMORY_BASE = 0x1000_0000
BUFFER_STRIDE = 0x10_0000


class CostModelError(RuntimeError):
    pass


def llvm_mca() -> str:
    path = shutil.which(LLVM_MCA)
    if path is None:
        raise CostModelError(f"{LLVM_MCA} is needed for the N1 cost model (Debian package llvm-19; "
                             "./install.sh installs it)")
    return path


def mca_cycles(lines: list[str], iterations: int = ITERATIONS) -> float:
    """llvm-mca's total cycles over 100 iterations of `lines`, divided by 100 (fewer
    iterations: a quicker, slightly different estimate, for ranking candidates)."""
    if not lines:
        return 0.0
    src = "\n".join(lines) + "\n"
    args = [a if not a.startswith("-iterations=") else f"-iterations={iterations}" for a in MCA_ARGS]
    r = subprocess.run([llvm_mca(), *args], input=src, capture_output=True, text=True)
    m = re.search(r"Total Cycles:\s+(\d+)", r.stdout)
    if r.returncode != 0 or m is None:
        raise CostModelError(f"llvm-mca failed: {r.stderr[-2000:]}")
    return int(m.group(1)) / iterations


def function_cycles(f, iterations: int = ITERATIONS) -> float:
    """N1 cycles of a generated straight-line Function (its instructions are its trace)."""
    lines = [f"{m} {', '.join(ops)}".strip() for m, ops in f.instructions()]
    return mca_cycles(lines, iterations)


@dataclass
class Trace:
    lines: list[str]                       # executed instructions, as llvm-mca reads them
    calls: dict = field(default_factory=dict)   # callee name -> calls left out of `lines`
    steps: int = 0                         # instructions executed in all (callees included)


def trace(program, entry: str, args=(), buffers=(), summarised=(), step_limit: int = 50_000_000) -> Trace:
    """Run `entry` in the model. `buffers` (bytes) are mapped at fixed addresses and passed first,
    then the int `args`; calls to functions named in `summarised` are counted (Trace.calls) and
    skipped: the call returns at once, leaving registers and memory as they were."""
    from provenum.isa.aarch64 import execute
    from provenum.machine.aarch64 import new_state
    from provenum.machine.interpreter import SENTINEL_RETURN

    st = new_state(stack_size=1 << 20)
    addresses = []
    for k, data in enumerate(buffers):
        address = MEMORY_BASE + k * BUFFER_STRIDE
        st.map(address, bytes(data) if data else b"\0" * 8)
        addresses.append(address)
    regs = [*addresses, *args]
    for i, v in enumerate(regs):
        st.set_gpr(f"x{i}", v)
    st.set_gpr("x30", SENTINEL_RETURN)
    st.pc = program.address_of(entry)
    skip = {program.address_of(name): name for name in summarised}
    out = Trace([])
    text_of: dict[int, str] = {}
    while st.pc != SENTINEL_RETURN:
        if out.steps >= step_limit:
            raise CostModelError(f"{entry}: no return after {step_limit} steps")
        insn = program.instruction_at(st.pc)
        out.steps += 1
        if insn.mnemonic == "bl" and insn.operands[0].target in skip:
            name = skip[insn.operands[0].target]
            out.calls[name] = out.calls.get(name, 0) + 1
            st.pc = insn.next_address
            continue
        t = text_of.get(insn.address)
        if t is None:
            t = text_of[insn.address] = f"{insn.mnemonic} {insn.text}".strip()
        out.lines.append(t)
        execute(st, insn)
    return out


def trace_cost(tr: Trace, callee_cycles: dict) -> float:
    """N1 cycles of a trace: llvm-mca over its own instructions plus the summarised callees' cycles."""
    return mca_cycles(tr.lines) + sum(callee_cycles[name] * count for name, count in tr.calls.items())
