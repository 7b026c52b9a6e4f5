"""x86-64 register names, sub-register views and the System V calling convention."""
from __future__ import annotations

# The 16 general-purpose registers in hardware encoding order.
GPR64 = (
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
)

# Status flags in the model (the ones arithmetic defines; DF etc. are not modelled).
FLAGS = ("CF", "PF", "AF", "ZF", "SF", "OF")
# Bit position of each flag in RFLAGS.
FLAG_BITS = {"CF": 0, "PF": 2, "AF": 4, "ZF": 6, "SF": 7, "OF": 11}

NUM_VEC = 32      # zmm0..zmm31
NUM_MASK = 8      # k0..k7
VEC_BITS = 512


def _gpr_views() -> dict[str, tuple[str, int, int]]:
    """name -> (64-bit register, lowest bit, width) for every GPR view."""
    views: dict[str, tuple[str, int, int]] = {}
    for full in GPR64[:8]:
        base = full[1:]                      # "ax", "cx", "sp", "si", ...
        views[full] = (full, 0, 64)
        views["e" + base] = (full, 0, 32)
        views[base] = (full, 0, 16)
        if base in ("ax", "bx", "cx", "dx"):
            views[base[0] + "l"] = (full, 0, 8)
            views[base[0] + "h"] = (full, 8, 8)
        else:
            views[base + "l"] = (full, 0, 8)     # spl, bpl, sil, dil
    for full in GPR64[8:]:
        views[full] = (full, 0, 64)
        views[full + "d"] = (full, 0, 32)
        views[full + "w"] = (full, 0, 16)
        views[full + "b"] = (full, 0, 8)
    return views


GPR_VIEWS = _gpr_views()


def gpr_view(full: str, width: int) -> str:
    """The name of the low `width` bits of a 64-bit register (("rdx", 32) -> "edx")."""
    for name, (f, lo, w) in GPR_VIEWS.items():
        if f == full and lo == 0 and w == width:
            return name
    raise ValueError(f"no {width}-bit view of {full}")


VEC_PREFIX_BITS = {"xmm": 128, "ymm": 256, "zmm": 512}


def vec_view(name: str) -> tuple[int, int] | None:
    """("ymm3") -> (3, 256); None if `name` is not a vector register."""
    prefix, rest = name[:3], name[3:]
    if prefix in VEC_PREFIX_BITS and rest.isdigit() and int(rest) < NUM_VEC:
        return int(rest), VEC_PREFIX_BITS[prefix]
    return None


def mask_index(name: str) -> int | None:
    """("k3") -> 3; None if `name` is not a mask register."""
    if len(name) == 2 and name[0] == "k" and name[1].isdigit() and int(name[1]) < NUM_MASK:
        return int(name[1])
    return None


# --- System V AMD64 ABI ----------------------------------------------------
ARGUMENT_REGISTERS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
RETURN_REGISTERS = ("rax", "rdx")
CALLEE_SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")      # and rsp itself
CALLER_SAVED = tuple(r for r in GPR64 if r not in CALLEE_SAVED and r != "rsp")
RED_ZONE = 128     # bytes below rsp a leaf function may use without moving rsp
