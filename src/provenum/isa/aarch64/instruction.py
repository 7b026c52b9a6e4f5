"""The AArch64 model's instructions and operands.

Operands mirror the Arm assembly syntax capstone prints, one class per kind:
a general register (`Reg`, possibly `Shifted` or `Extended`), an immediate,
a memory operand with its addressing mode, a vector register with an
arrangement (`VReg`, "v3.2d"), one element of one (`VElem`, "v3.d[1]"), a
scalar view (`VScalar`, "d3"), a register list (`VList`), a condition and
a branch target. Each knows its `kind_name`, which makes up the form
("adds x, x, x, lsl #imm", "ldp q, q, [x], #imm", "umlal2 v.2d, v.4s, v.4s").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..code import DecodeError, Function  # noqa: F401  (re-exported)
from .registers import ARRANGEMENTS, ELEMENT_BITS


@dataclass(frozen=True)
class Reg:
    """A general register as written: x0..x30, w0..w30, sp, wsp, xzr, wzr."""
    name: str
    full: str            # "x3", "sp" or "xzr"
    width: int           # 64 or 32

    @property
    def is_zero(self) -> bool:
        return self.full == "xzr"

    def kind_name(self) -> str:
        if self.full == "sp":
            return "sp" if self.width == 64 else "wsp"
        return "x" if self.width == 64 else "w"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Shifted:
    """A register shifted by a constant: "x2, lsl #3" (shift is lsl, lsr, asr or ror)."""
    reg: Reg
    shift: str
    amount: int

    def kind_name(self) -> str:
        return f"{self.reg.kind_name()}, {self.shift} #imm"

    def __str__(self) -> str:
        return f"{self.reg}, {self.shift} #{self.amount}"


@dataclass(frozen=True)
class Extended:
    """A register extended, then shifted left: "w2, sxtw #2" (uxtb..uxtx, sxtb..sxtx)."""
    reg: Reg
    extend: str
    amount: int

    def kind_name(self) -> str:
        return f"{self.reg.kind_name()}, {self.extend}" + (" #imm" if self.amount else "")

    def __str__(self) -> str:
        return f"{self.reg}, {self.extend}" + (f" #{self.amount}" if self.amount else "")


@dataclass(frozen=True)
class Imm:
    """An immediate; `value` is what the instruction uses (already shifted by `lsl`)."""
    value: int
    lsl: int = 0         # the written "lsl #n" (movk, add #imm, lsl #12, movi)

    def kind_name(self) -> str:
        return "#imm, lsl #imm" if self.lsl else "#imm"

    def __str__(self) -> str:
        return f"#{self.value >> self.lsl:#x}" + (f", lsl #{self.lsl}" if self.lsl else "")


@dataclass(frozen=True)
class Mem:
    """A memory operand: base (x or sp) plus an immediate or an (extended) register.

    mode "offset": [base, #off] / [base, idx, ext #amount]; "pre": [base, #off]! (base
    written back); "post": [base], #off or [base], xm (access at base, then base += off / xm).
    """
    base: Reg
    offset: int = 0                # signed
    index: Reg | None = None
    extend: str | None = None      # lsl, uxtw, sxtw, sxtx (with an index)
    amount: int = 0
    mode: str = "offset"
    post_index: Reg | None = None  # post-index by register (ld1/st1)

    def kind_name(self) -> str:
        b = "x"
        if self.mode == "pre":
            return f"[{b}, #imm]!"
        if self.mode == "post":
            return f"[{b}], {self.post_index.kind_name()}" if self.post_index else f"[{b}], #imm"
        if self.index is not None:
            ext = f", {self.extend}" + (" #imm" if self.amount else "") if self.extend else ""
            return f"[{b}, {self.index.kind_name()}{ext}]"
        return f"[{b}, #imm]" if self.offset else f"[{b}]"

    def __str__(self) -> str:
        if self.mode == "post":
            return f"[{self.base}], " + (str(self.post_index) if self.post_index else f"#{self.offset}")
        inner = str(self.base)
        if self.index is not None:
            inner += f", {self.index}"
            if self.extend:
                inner += f", {self.extend}" + (f" #{self.amount}" if self.amount else "")
        elif self.offset or self.mode == "pre":
            inner += f", #{self.offset}"
        return f"[{inner}]" + ("!" if self.mode == "pre" else "")


@dataclass(frozen=True)
class VReg:
    """A vector register with an arrangement: "v3.2d"."""
    index: int
    arrangement: str

    @property
    def esize(self) -> int:
        return ARRANGEMENTS[self.arrangement][0]

    @property
    def lanes(self) -> int:
        return ARRANGEMENTS[self.arrangement][1]

    @property
    def width(self) -> int:
        return self.esize * self.lanes

    def kind_name(self) -> str:
        return f"v.{self.arrangement}"

    def __str__(self) -> str:
        return f"v{self.index}.{self.arrangement}"


@dataclass(frozen=True)
class VElem:
    """One element of a vector register: "v3.d[1]"."""
    index: int
    size: str            # b, h, s, d
    lane: int

    @property
    def esize(self) -> int:
        return ELEMENT_BITS[self.size]

    def kind_name(self) -> str:
        return f"v.{self.size}[i]"

    def __str__(self) -> str:
        return f"v{self.index}.{self.size}[{self.lane}]"


@dataclass(frozen=True)
class VScalar:
    """The low bits of a vector register: q3 (128), d3 (64), s3 (32), h3 (16), b3 (8)."""
    index: int
    width: int
    name: str

    def kind_name(self) -> str:
        return self.name[0]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class VList:
    """A register list "{v0.2d, v1.2d}", or one lane of each register "{v0.d}[1]"."""
    regs: tuple
    lane: int | None = None

    def kind_name(self) -> str:
        if self.lane is not None:
            return "{" + ", ".join(f"v.{r.arrangement}" for r in self.regs) + "}[i]"
        return "{" + ", ".join(r.kind_name() for r in self.regs) + "}"

    def __str__(self) -> str:
        inner = ", ".join(str(r) for r in self.regs)
        return "{" + inner + "}" + (f"[{self.lane}]" if self.lane is not None else "")


@dataclass(frozen=True)
class Cond:
    """A condition code operand (csel, ccmp, ...): eq, ne, hs, lo, ..."""
    code: str

    def kind_name(self) -> str:
        return "cond"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Label:
    """A branch target, resolved to an absolute address."""
    target: int

    def kind_name(self) -> str:
        return "label"

    def __str__(self) -> str:
        return hex(self.target)


@dataclass(frozen=True)
class Instruction:
    """One decoded A64 instruction (always 4 bytes).

    A conditional branch's condition is part of its mnemonic ("b.eq"); the
    form is the mnemonic and the operand kinds.
    """
    address: int
    code: bytes
    mnemonic: str
    operands: tuple
    text: str                  # capstone's operand text, for people

    @property
    def size(self) -> int:
        return len(self.code)

    @property
    def next_address(self) -> int:
        return self.address + len(self.code)

    @property
    def form(self) -> str:
        kinds = ", ".join(op.kind_name() for op in self.operands)
        return f"{self.mnemonic} {kinds}".strip()

    def __str__(self) -> str:
        return f"{self.address:#x}: {self.mnemonic} {self.text}".rstrip()
