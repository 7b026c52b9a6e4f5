"""Proofs of the kernels from their machine code (see docs/verify.md).

`verify_function(library, name)` proves one function of a built library
(x86-64 or AArch64, as its ELF machine says) against its spec(s); `provenum.verify.prover.prove` is the full interface
(one decoded function, one spec, every obligation and its method).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FunctionProof:
    """The outcome for one function (all its spec instances: a Montgomery kernel has one per in-place use)."""
    name: str
    sha256: str
    instructions: int
    obligations: int
    seconds: float
    functional: str
    frame: str
    constant_time: str
    failure: str
    results: list

    @property
    def proved(self) -> bool:
        return self.functional == self.frame == self.constant_time == "proved"


def verify_function(library, name: str) -> FunctionProof:
    """Prove `name` in `library` against every spec instance it has (ValueError if it has none)."""
    from .prover import prove
    from .specs import specs_for
    from .target import library_target

    specs = specs_for(name)
    if not specs:
        raise ValueError(f"no specification for {name!r}")
    function = library_target(library).decode_symbol(library, name)
    results = [prove(function, spec, library=library) for spec in specs]

    def worst(field: str) -> str:
        return "proved" if all(getattr(r, field) == "proved" for r in results) else "failed"

    failures = [f"{r.spec}: {r.message}" for r in results if not r.proved]
    return FunctionProof(name, function.sha256, len(function.instructions),
                         sum(len(r.obligations) for r in results), sum(r.seconds for r in results),
                         worst("functional"), worst("frame"), worst("constant_time"), "; ".join(failures), results)


__all__ = ["FunctionProof", "verify_function"]
