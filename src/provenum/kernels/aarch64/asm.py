"""A small AArch64 assembly writer: GNU as text, one function per file.

Generators append instructions with `f.op("adcs", "x3", "x3", "x9")`,
`f.op("ldp", "x4", "x5", mem("x1", 16))`; `Function.text()` wraps them in the
s2n-bignum-style banner and the ELF directives (global, protected, type,
size) that the verifier needs to find each symbol. The symbol is protected,
so a `bl` from another kernel of the library binds directly (no PLT stub,
which the verifier would refuse to follow).

Straight-line stretches between labels and branches are list-scheduled for
Neoverse N1 (schedule.py, with the unit and latency table of n1.py) unless
`Function.scheduled` is False: the generators write each kernel in the
order that is easiest to read and check, the scheduler reorders it under the
dependencies it reads off the operands (registers, NZCV, and memory by the
regions declared in `Function.regions`). Comments travel with the
instruction that follows them. A committed file whose banner carries a
schedule note (`provenum schedule`: an order found by a solver) keeps its
order while that order is still a reordering of the generator's
instructions that every dependence allows (schedule.kept_order); else the
list schedule replaces it. `Function.order` chooses: "kept" (the default),
"list", or "none" (the generator's order, for the benchmarks' comparison).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

GENERATED = Path(__file__).resolve().parent / "generated"
ARGS = tuple(f"x{i}" for i in range(8))
CALLEE_SAVED = tuple(f"x{i}" for i in range(19, 29))


def mem(base: str, disp: int = 0) -> str:
    """A memory operand, base register plus immediate: `[x1, #16]`."""
    return f"[{base}, #{disp}]" if disp else f"[{base}]"


@dataclass
class Function:
    name: str
    summary: str          # the operation in one line
    prototype: str        # C prototype, no trailing semicolon
    registers: str        # register use ("Standard ARM ABI: X0 = z, ...")
    notes: list[str] = field(default_factory=list)
    level: str = "scalar"  # the AArch64 dispatch level whose instructions the code may use
    scheduled: bool = True
    order: str = "kept"   # "kept" (a committed solver schedule, else the list schedule), "list", "none"
    # base register -> (region, byte offset of the base within it): memory dependencies
    regions: dict = field(default_factory=dict)
    # pairs of regions that may overlap (anything not in `regions` may overlap everything)
    may_alias: set = field(default_factory=set)
    items: list = field(default_factory=list)
    _labels: int = 0

    # -- emission -----------------------------------------------------------
    def op(self, mnemonic: str, *operands: str) -> None:
        self.items.append(("op", mnemonic, operands))

    def comment(self, text: str) -> None:
        self.items.append(("comment", text))

    def label(self, name: str) -> None:
        self.items.append(("label", name))

    def new_label(self, hint: str) -> str:
        self._labels += 1
        return f".L{self.name}_{hint}{self._labels}"

    def region(self, base: str, name: str, offset: int = 0) -> None:
        """Declare that `base` points `offset` bytes into the memory region `name`."""
        self.regions[base] = (name, offset)

    def alias(self, a: str, b: str) -> None:
        self.may_alias.add(frozenset((a, b)))

    def finish(self, used, local_bytes: int = 0, calls: bool = False) -> int:
        """Wrap the body in its frame: push the callee-saved registers among `used` (and x29, x30
        when the body makes calls) in pairs, then allocate local_bytes (rounded up to 16) at sp;
        undo both and return. Returns the size of the locals (they start at sp)."""
        saved = [r for r in CALLEE_SAVED if r in used] + (["x29", "x30"] if calls else [])
        if len(saved) % 2:
            saved.append("xzr")
        if any(f"v{i}" in used for i in range(8, 16)):
            saved += [f"d{i}" for i in range(8, 16)]
        local = frame_size(local_bytes)
        body = self.items
        self.items = []
        for k in range(0, len(saved), 2):
            self.op("stp", saved[k], saved[k + 1], "[sp, #-16]!")
        self.adjust_sp("sub", local)
        self.items += body
        self.adjust_sp("add", local)
        for k in reversed(range(0, len(saved), 2)):
            self.op("ldp", saved[k], saved[k + 1], "[sp]", "#16")
        self.op("ret")
        return local

    def adjust_sp(self, how: str, nbytes: int) -> None:
        """sp -= nbytes (how "sub") or += (how "add"); nbytes below 2^24, a multiple of 16."""
        assert nbytes < 1 << 24 and nbytes % 16 == 0
        if nbytes >> 12:
            self.op(how, "sp", "sp", f"#{nbytes >> 12}", "lsl #12")
        if nbytes & 0xFFF:
            self.op(how, "sp", "sp", f"#{nbytes & 0xFFF}")

    def address(self, reg: str, base: str, offset: int) -> None:
        """reg := base + offset (offset below 2^24), as add with immediates."""
        src = base
        if offset >> 12:
            if base == "sp":
                self.op("mov", reg, "sp")
                src = reg
            self.op("add", reg, src, f"#{offset >> 12}", "lsl #12")
            src = reg
        if offset & 0xFFF or src == base:
            if src == base and not offset & 0xFFF:
                self.op("mov", reg, base)
            else:
                self.op("add", reg, src, f"#{offset & 0xFFF}")

    # -- output --------------------------------------------------------------
    def ordered(self) -> tuple[list, str | None]:
        """(the items in emission order, the schedule note of a kept solver schedule or None)."""
        from . import schedule

        if not self.scheduled or self.order == "none":
            return self.items, None
        if self.order == "kept":
            kept = self.committed_schedule()
            if kept is not None:
                return kept
        elif self.order != "list":
            raise ValueError(f"Function.order is 'kept', 'list' or 'none', not {self.order!r}")
        return schedule.order(self), None

    def committed_schedule(self) -> tuple[list, str] | None:
        """(items, note) of the committed file's solver schedule, if it has one still valid."""
        from . import schedule

        path = GENERATED / f"{self.name}.S"
        if not path.exists():
            return None
        note, body = schedule.committed_body(path.read_text(), self.name)
        if note is None:
            return None
        items = schedule.kept_order(self, body)
        return (items, note) if items is not None else None

    def body_lines(self, items=None) -> list[str]:
        items = self.ordered()[0] if items is None else items
        out = []
        for item in items:
            if item[0] == "op":
                _, mnemonic, operands = item
                out.append(f"        {mnemonic:<8} " + ", ".join(operands) if operands else f"        {mnemonic}")
            elif item[0] == "comment":
                out.append(f"// {item[1]}")
            else:
                out.append(f"{item[1]}:")
        return out

    def instructions(self) -> list[tuple[str, tuple]]:
        """(mnemonic, operands) in emission order (after scheduling)."""
        return [(i[1], i[2]) for i in self.ordered()[0] if i[0] == "op"]

    def text(self, items=None, note: str | None = None) -> str:
        """The file: banner and body, in `items` order with its schedule `note` when given (a
        solver's schedule being written), else as ordered()."""
        if items is None:
            items, note = self.ordered()
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
            "        .text",
            "        .p2align 4",
            f"        .globl {self.name}",
            # Protected: exported, but calls from other kernels in the library
            # bind directly (bl, no PLT), so the verifier sees the real callee.
            f"        .protected {self.name}",
            f"        .type {self.name}, %function",
            f"{self.name}:",
        ]
        tail = [
            f"        .size {self.name}, .-{self.name}",
            "",
            '        .section .note.GNU-stack,"",%progbits',
            "",
        ]
        return "\n".join(head + self.body_lines(items) + tail)


def _level_text(level: str) -> str:
    from provenum.isa.aarch64.features import LEVELS, level_features

    need = sorted(level_features(level))
    what = next(lv.summary for lv in LEVELS if lv.name == level)
    return (f"needs {', '.join(need)}; " if need else "any AArch64 CPU; ") + what


def frame_size(local_bytes: int) -> int:
    """Bytes of stack frame (sp stays 16-byte aligned)."""
    return (local_bytes + 15) & ~15
