"""Running the model: concrete domain and state, interpreter, native validation.

Public API (stable):

    ConcreteDomain(opaque=False)       the value domain on Python ints (values are `Bits`)
    ConcreteState(domain=None)         registers/flags/zmm/k as ints, mapped byte memory;
        .gpr(name) / .set_gpr(name, v), .flag(name) (None if undefined) / .set_flag,
        .vecs[i], .masks[i], .map(addr, bytes_or_size), .read_bytes / .write_bytes,
        .read_u64 / .write_u64, .rip, .copy()
    MemoryAccessError                  access to unmapped memory
    Program.from_bytes(code, address, symbols) / .from_functions(fns) / .from_elf(path)
    run_function(program, entry, state=None, args=(), step_limit=..., trace=False) -> RunResult
        calls `entry`, follows calls/returns until it returns to a sentinel.
    new_state()                        a fresh state with a mapped stack
    ExecutionError, StepLimitExceeded
    validate(cases=100, only=None, seed=None, ...) -> list[FormResult]
        every supported form run natively and in the model; FormResult has
        form, cases, mismatches, examples, first (Mismatch objects with .report()).

Heavy parts (the native harness) are imported lazily by `validate`.
"""
from .concrete import Bits, ConcreteDomain
from .interpreter import (
    SENTINEL_RETURN, ExecutionError, Program, RunResult, StepLimitExceeded, new_state, run_function,
)
from .state import ConcreteState, Memory, MemoryAccessError


def validate(cases: int = 100, only: str | None = None, **kwargs):
    """See provenum.machine.validation.validate."""
    from .validation import validate as _validate
    return _validate(cases, only, **kwargs)


__all__ = [
    "Bits", "ConcreteDomain", "ConcreteState", "Memory", "MemoryAccessError", "Program", "RunResult",
    "ExecutionError", "StepLimitExceeded", "SENTINEL_RETURN", "new_state", "run_function", "validate",
]
