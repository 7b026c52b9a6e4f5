"""The concrete AArch64 interpreter: run machine code in the model, following calls and returns.

`Program` (the x86-64 one, with the A64 decoder) holds code at addresses;
`Program.from_elf` takes the executable PT_LOAD segments of an AArch64 ELF
file, as the loader maps them. `run_function` calls a function the AAPCS64
way -- arguments in x0..x7, the return address in x30 (a sentinel no code
lives at), sp 16-byte aligned -- and steps until it returns there; sp must
then be back where it was.
"""
from __future__ import annotations

from provenum.isa.aarch64 import ARGUMENT_REGISTERS, code_segments, decode_one, execute
from provenum.isa.elf import all_function_addresses

from ..interpreter import SENTINEL_RETURN, ExecutionError, Program as _Program, RunResult, StepLimitExceeded
from .state import ConcreteState

STACK_TOP = 0x00007FFF_F000_0000
STACK_SIZE = 1 << 16


class Program(_Program):
    """A64 machine code at addresses, decoded one instruction at a time (cached)."""
    decode = staticmethod(decode_one)

    @classmethod
    def from_elf(cls, path) -> "Program":
        """The executable segments of an AArch64 ELF file at their link-time addresses, with its functions."""
        p = cls()
        for address, data in code_segments(path):
            p.add(data, address)
        p.symbols.update(all_function_addresses(path))
        return p


def new_state(stack_size: int = STACK_SIZE, stack_top: int = STACK_TOP) -> ConcreteState:
    """A zeroed state with a stack mapped below `stack_top` and sp 16-byte aligned."""
    st = ConcreteState()
    st.map(stack_top - stack_size, stack_size)
    st.set_gpr("sp", stack_top - 64)
    return st


def run_function(program: Program, entry, state: ConcreteState | None = None, *, args=(),
                 step_limit: int = 1_000_000, trace: bool = False) -> RunResult:
    """Call `entry` (symbol name or address) in the model and run until it returns.

    `args` (ints) go to x0..x7. Without a `state`, a fresh one with a mapped
    stack is used. x30 holds the sentinel return address; the run ends when
    control reaches it, and sp must then equal its value at the call.
    """
    if len(args) > len(ARGUMENT_REGISTERS):
        raise ValueError(f"at most {len(ARGUMENT_REGISTERS)} register arguments")
    st = state if state is not None else new_state()
    for reg, value in zip(ARGUMENT_REGISTERS, args):
        st.set_gpr(reg, value)
    sp_before = st.gpr("sp")
    st.set_gpr("x30", SENTINEL_RETURN)
    st.pc = program.address_of(entry)
    result = RunResult(st, 0)
    while st.pc != SENTINEL_RETURN:
        if result.steps >= step_limit:
            raise StepLimitExceeded(f"no return after {step_limit} steps (pc {st.pc:#x})")
        insn = program.instruction_at(st.pc)
        if trace:
            result.trace.append(insn.address)
        execute(st, insn)
        result.steps += 1
    if st.gpr("sp") != sp_before:
        raise ExecutionError(f"returned with sp {st.gpr('sp'):#x}, expected {sp_before:#x}")
    return result


__all__ = ["Program", "RunResult", "ExecutionError", "StepLimitExceeded", "SENTINEL_RETURN", "new_state",
           "run_function"]
