"""The concrete interpreter: run machine code in the model, following calls and returns.

A `Program` is machine code placed at addresses (raw bytes, decoded
functions, or the executable sections of an ELF file) and decoded on demand.
`run_function` pushes a sentinel return address, jumps to the entry point
and steps until the function returns to the sentinel; a step limit guards
against infinite loops.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from provenum.isa.elf import all_function_addresses
from provenum.isa.x86_64 import ARGUMENT_REGISTERS, Instruction, decode_one, execute, executable_sections

from .state import ConcreteState

SENTINEL_RETURN = 0x00005E5E_7E57_0000       # returning here ends a run; never mapped as code
STACK_TOP = 0x00007FFF_F000_0000
STACK_SIZE = 1 << 16


class ExecutionError(RuntimeError):
    """The program cannot be run further (no code at rip, unbalanced stack, ...)."""


class StepLimitExceeded(ExecutionError):
    pass


class Program:
    """Machine code at addresses, decoded one instruction at a time (cached).

    `decode` is the ISA's decode_one (x86-64 here; provenum.machine.aarch64 subclasses it).
    """
    decode = staticmethod(decode_one)

    def __init__(self):
        self.segments: list[tuple[int, bytes]] = []
        self.symbols: dict[str, int] = {}
        self._cache: dict[int, Instruction] = {}

    @classmethod
    def from_bytes(cls, code: bytes, address: int = 0, symbols: dict[str, int] | None = None) -> "Program":
        p = cls()
        p.add(code, address)
        p.symbols.update(symbols or {})
        return p

    @classmethod
    def from_functions(cls, functions) -> "Program":
        """From decoded `Function`s (e.g. several symbols of one library)."""
        p = cls()
        for f in functions:
            p.add(f.code, f.address)
            p.symbols[f.name] = f.address
            for insn in f.instructions:
                p._cache[insn.address] = insn
        return p

    @classmethod
    def from_elf(cls, path) -> "Program":
        """The executable PT_LOAD segments of an ELF file at their link-time addresses (what the loader maps)."""
        p = cls()
        for address, data in executable_sections(path):
            p.add(data, address)
        p.symbols.update(all_function_addresses(path))
        return p

    def add(self, code: bytes, address: int) -> None:
        end = address + len(code)
        for a, c in self.segments:
            if address < a + len(c) and a < end:
                raise ValueError(f"code at {address:#x}+{len(code)} overlaps code at {a:#x}+{len(c)}")
        self.segments.append((address, bytes(code)))

    def address_of(self, name_or_address) -> int:
        if isinstance(name_or_address, int):
            return name_or_address
        try:
            return self.symbols[name_or_address]
        except KeyError:
            raise KeyError(f"no symbol {name_or_address!r} in the program") from None

    def instruction_at(self, address: int) -> Instruction:
        insn = self._cache.get(address)
        if insn is None:
            for a, code in self.segments:
                if a <= address < a + len(code):
                    insn = self.decode(code[address - a:], address)
                    break
            else:
                raise ExecutionError(f"no code at {address:#x}")
            self._cache[address] = insn
        return insn


@dataclass
class RunResult:
    state: ConcreteState
    steps: int
    trace: list = field(default_factory=list)     # executed instruction addresses, if asked for


def new_state(stack_size: int = STACK_SIZE, stack_top: int = STACK_TOP) -> ConcreteState:
    """A zeroed state with a stack mapped below `stack_top` and rsp 16-byte aligned."""
    st = ConcreteState()
    st.map(stack_top - stack_size, stack_size)
    st.set_gpr("rsp", stack_top - 64)
    return st


def run_function(program: Program, entry, state: ConcreteState | None = None, *, args=(),
                 step_limit: int = 1_000_000, trace: bool = False) -> RunResult:
    """Call `entry` (symbol name or address) in the model and run until it returns.

    `args` (ints) go to rdi, rsi, rdx, rcx, r8, r9. Without a `state`, a fresh
    one with a mapped stack is used. The sentinel return address is pushed
    like a `call` would; the run ends when the function returns to it, and
    the stack pointer must then be back where it was before the call.
    """
    if len(args) > len(ARGUMENT_REGISTERS):
        raise ValueError(f"at most {len(ARGUMENT_REGISTERS)} register arguments")
    st = state if state is not None else new_state()
    for reg, value in zip(ARGUMENT_REGISTERS, args):
        st.set_gpr(reg, value)
    rsp_before = st.gpr("rsp")
    st.set_gpr("rsp", rsp_before - 8)
    st.write_u64(rsp_before - 8, SENTINEL_RETURN)
    st.rip = program.address_of(entry)
    result = RunResult(st, 0)
    while st.rip != SENTINEL_RETURN:
        if result.steps >= step_limit:
            raise StepLimitExceeded(f"no return after {step_limit} steps (rip {st.rip:#x})")
        insn = program.instruction_at(st.rip)
        st.current = insn
        if trace:
            result.trace.append(insn.address)
        execute(st, insn)
        result.steps += 1
    if st.gpr("rsp") != rsp_before:
        raise ExecutionError(f"returned with rsp {st.gpr('rsp'):#x}, expected {rsp_before:#x}")
    return result
