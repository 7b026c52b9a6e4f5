"""The model's instructions: operands, instructions, decoded functions."""
from __future__ import annotations

from dataclasses import dataclass

from ..code import DecodeError, Function  # noqa: F401  (shared by every ISA; re-exported)
from .registers import GPR_VIEWS, mask_index, vec_view


@dataclass(frozen=True)
class Reg:
    """A register operand: a GPR view ("eax"), vector ("ymm3") or mask ("k1")."""
    name: str
    kind: str           # "gpr", "vec" or "mask"
    width: int          # bits

    @property
    def full(self) -> str:
        """For a GPR view, its 64-bit register."""
        return GPR_VIEWS[self.name][0]

    @property
    def lo(self) -> int:
        """For a GPR view, its lowest bit in the 64-bit register (8 for ah..dh)."""
        return GPR_VIEWS[self.name][1]

    @property
    def index(self) -> int:
        """For a vector or mask register, its number."""
        if self.kind == "vec":
            return vec_view(self.name)[0]
        return mask_index(self.name)

    def kind_name(self) -> str:
        if self.kind == "gpr":
            return f"r{self.width}"
        if self.kind == "vec":
            return self.name[:3]
        return "k"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Imm:
    """An immediate, as the unsigned value at the operand width (sign extension done)."""
    value: int
    width: int          # operand width in bits (what the value is used as)
    encoded: int        # bytes of the immediate in the encoding (0: implicit, e.g. "shl r, 1")

    def kind_name(self) -> str:
        return f"imm{8 * self.encoded}" if self.encoded else str(self.value)

    @property
    def signed(self) -> int:
        return self.value - (1 << self.width) if self.value >> (self.width - 1) else self.value

    def __str__(self) -> str:
        return hex(self.value)


@dataclass(frozen=True)
class Mem:
    """A memory operand base + index*scale + disp (base "rip": rip-relative)."""
    width: int                 # bits accessed
    base: str | None           # 64-bit register name or "rip"
    index: str | None
    scale: int
    disp: int                  # signed

    def kind_name(self) -> str:
        return f"m{self.width}"

    def __str__(self) -> str:
        text = " + ".join(p for p in (self.base, self.index and f"{self.index}*{self.scale}") if p)
        if self.disp:
            sign = "+" if self.disp > 0 else "-"
            text = f"{text} {sign} {abs(self.disp):#x}" if text else f"{self.disp & (2**64 - 1):#x}"
        return f"m{self.width}[{text}]"


@dataclass(frozen=True)
class Rel:
    """A branch target (already resolved to an absolute address)."""
    target: int
    encoded: int               # bytes of the displacement (1 or 4)

    def kind_name(self) -> str:
        return f"rel{8 * self.encoded}"

    def __str__(self) -> str:
        return hex(self.target)


Operand = Reg | Imm | Mem | Rel


@dataclass(frozen=True)
class Instruction:
    """One decoded instruction.

    `mask`/`zeroing` are the EVEX opmask decoration of the first operand
    ({k1}, {k1}{z}); the mask register is not in `operands`. `encoding` is
    "legacy", "vex" or "evex" -- it decides whether a vector write keeps or
    zeroes the upper bits of the destination register.
    """
    address: int
    code: bytes
    mnemonic: str
    operands: tuple
    text: str                  # capstone's operand text, for people
    encoding: str = "legacy"
    mask: int = 0
    zeroing: bool = False

    @property
    def size(self) -> int:
        return len(self.code)

    @property
    def next_address(self) -> int:
        return self.address + len(self.code)

    @property
    def form(self) -> str:
        """Mnemonic and operand kinds, e.g. "adcx r64, r64", "vmovdqu64 zmm{k}{z}, m512"."""
        kinds = []
        for i, op in enumerate(self.operands):
            k = op.kind_name()
            if i == 0 and self.mask:
                k += "{k}{z}" if self.zeroing else "{k}"
            kinds.append(k)
        return f"{self.mnemonic} {', '.join(kinds)}".strip()

    def __str__(self) -> str:
        return f"{self.address:#x}: {self.mnemonic} {self.text}".rstrip()
