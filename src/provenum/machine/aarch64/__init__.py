"""Running the AArch64 model: concrete state, interpreter, validation against a real implementation.

    ConcreteState(domain=None)      x0..x30, sp, NZCV, v0..v31 as ints, mapped byte memory, pc
    Program.from_elf(path) / .from_bytes(code, address, symbols) / .from_functions(fns)
    run_function(program, entry, state=None, args=(), step_limit=..., trace=False) -> RunResult
                                    an AAPCS64 call in the model, followed until it returns
    new_state()                     a fresh state with a mapped stack
    validate(cases, only, ...)      every supported form run by the machine (natively on an aarch64
                                    host, under qemu-aarch64 elsewhere) and in the model
    call_native(library, name, args) -> (x0, buffers)
                                    the function run by the machine (natively or under qemu-aarch64)
"""
from .interpreter import Program, RunResult, new_state, run_function
from .state import ConcreteState, Memory, MemoryAccessError


def validate(cases: int = 100, only: str | None = None, **kwargs):
    """See provenum.machine.aarch64.validation.validate."""
    from .validation import validate as _validate
    return _validate(cases, only, **kwargs)


def call_native(library, name: str, args=()):
    """See provenum.machine.aarch64.runner.call_native."""
    from .runner import call_native as _call
    return _call(library, name, args)


__all__ = ["ConcreteState", "Memory", "MemoryAccessError", "Program", "RunResult", "new_state", "run_function",
           "validate", "call_native"]
