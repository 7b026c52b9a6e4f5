"""A tiny assembly writer: Intel-syntax GAS text, one function per file.

Generators append instructions with `a.op("mulx", "rbx", "rax", a.mem("rcx", 8))`;
`Function.text()` wraps them in the s2n-bignum-style banner and the ELF
directives (global, type, size) that the verifier needs to find each symbol.

The body is written in the generator's order, except where the committed
file carries a schedule note (`provenum schedule --isa x86_64`: an order
found by CP-SAT or the list scheduler, kept because it measured faster on
the CPU at hand): that order is kept while it is still a reordering of the generator's
instructions that every dependence allows (schedule.kept_order), else the
generator's order replaces it. `Function.order` chooses: "kept" (the
default) or "none" (the generator's order, as the benchmarks compare).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

GENERATED = Path(__file__).resolve().parent / "generated"

# SysV argument registers, in order.
ARGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
CALLEE_SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")


def mem(base: str, disp: int = 0, index: str | None = None, scale: int = 1, size: str = "QWORD") -> str:
    """A memory operand: `QWORD PTR [base+index*scale+disp]`."""
    inner = base  # may itself be "reg+offset" (a buffer at a fixed offset)
    if index is not None:
        inner += f"+{index}*{scale}" if scale != 1 else f"+{index}"
    if disp:
        inner += f"+{disp}" if disp > 0 else f"-{-disp}"
    return f"{size} PTR [{inner}]" if size else f"[{inner}]"


# Every kernel starts on a 2^FUNCTION_ALIGN-byte boundary (chosen by
# measurement across link layouts: python -m provenum.bench.placement; docs/tuning.md).
FUNCTION_ALIGN = 6


@dataclass
class Function:
    name: str
    summary: str          # the operation in one line
    prototype: str        # C prototype, no trailing semicolon
    registers: str        # register use, one line per argument/role ("RDI = z, ...")
    notes: list[str] = field(default_factory=list)  # contract details (aliasing, ranges)
    level: str = "baseline"  # the x86-64 dispatch level whose features the code may use
    body: list[str] = field(default_factory=list)
    order: str = "kept"   # "kept" (a committed schedule where valid) or "none" (the generator's)
    _labels: int = 0

    # -- emission -----------------------------------------------------------
    def op(self, mnemonic: str, *operands: str) -> None:
        if operands:
            self.body.append(f"        {mnemonic:<12} " + ", ".join(operands))
        else:
            self.body.append(f"        {mnemonic}")

    def comment(self, text: str) -> None:
        self.body.append(f"// {text}")

    def label(self, name: str) -> None:
        self.body.append(f"{name}:")

    def new_label(self, hint: str) -> str:
        self._labels += 1
        return f".L{self.name}_{hint}{self._labels}"

    # -- frame helpers --------------------------------------------------------
    def push_all(self, regs) -> None:
        for r in regs:
            self.op("push", r)

    def pop_all(self, regs) -> None:
        for r in reversed(list(regs)):
            self.op("pop", r)

    # -- order ----------------------------------------------------------------
    def items(self) -> list[tuple]:
        """The body as items (schedule.items), in the generator's order."""
        from . import schedule

        return schedule.items(self.body)

    def committed_schedule(self) -> tuple[list, str] | None:
        """(items, note) of the committed file's schedule, if it has one still valid."""
        from .. import depgraph
        from . import schedule

        path = GENERATED / f"{self.name}.S"
        if not path.exists():
            return None
        note, body = depgraph.committed_body(path.read_text(), self.name)
        if note is None:
            return None
        items = schedule.kept_order(self, body)
        return (items, note) if items is not None else None

    def ordered_body(self) -> tuple[list[str], str | None]:
        """(the body lines as written, the schedule note of a kept solver schedule or None)."""
        if self.order == "kept":
            kept = self.committed_schedule()
            if kept is not None:
                return [it[-1] for it in kept[0]], kept[1]
        elif self.order != "none":
            raise ValueError(f"Function.order is 'kept' or 'none', not {self.order!r}")
        return self.body, None

    def text(self, align: int | None = None, items=None, note: str | None = None) -> str:
        """The .S file; `align`: the function's alignment (log2 bytes), FUNCTION_ALIGN by default;
        `items` with its schedule `note`: a schedule being written (else ordered_body())."""
        body, note = ([it[-1] for it in items], note) if items is not None else self.ordered_body()
        rule = "// " + "-" * 76
        head = [rule, f"// {self.summary}", "//", f"//    extern {self.prototype};", "//"]
        head += [f"// {line}" if line else "//" for line in self.registers.splitlines()]
        if self.notes:
            head.append("//")
            head += [f"// {line}" if line else "//" for line in self.notes]
        head += [
            "//",
            f"// Level {self.level}: {_level_text(self.level)}",
            "// Generated by provenum.kernels; do not edit (python -m provenum.kernels).",
            *([f"// {note}"] if note else []),
            rule,
            "",
            "        .intel_syntax noprefix",
            "        .text",
            f"        .p2align {FUNCTION_ALIGN if align is None else align}",
            f"        .globl {self.name}",
            # Protected: exported, but calls from other kernels in the library
            # bind directly (no PLT), so the verifier sees the real callee.
            f"        .protected {self.name}",
            f"        .type {self.name}, @function",
            f"{self.name}:",
        ]
        tail = [
            f"        .size {self.name}, .-{self.name}",
            "",
            '        .section .note.GNU-stack,"",%progbits',
            "",
        ]
        return "\n".join(head + body + tail)


def _level_text(level: str) -> str:
    from provenum.isa.x86_64.features import level_features

    need = sorted(level_features(level))
    return f"needs {', '.join(need)}" if need else "any x86-64 CPU"


def stack_frame_size(local_bytes: int, pushes: int) -> int:
    """Bytes to subtract from rsp so that rsp is 16-byte aligned at calls."""
    # On entry rsp = 8 (mod 16) (return address); each push adds 8.
    size = (local_bytes + 15) & ~15
    if (8 + 8 * pushes + size) % 16:
        size += 8
    return size
