"""AArch64 registers as the model names them, and the AAPCS64 calling convention.

General-purpose registers are x0..x30 and sp, 64 bits each; "w<n>" is the
low 32 bits of x<n> (a 32-bit write zeroes the upper half), "wsp" of sp.
Register number 31 is the zero register (xzr/wzr) or sp depending on the
instruction; capstone names which, and the model never stores to xzr.
The vector registers v0..v31 are 128 bits; q/d/s/h/b<n> are their low
128/64/32/16/8 bits, and a write to any of those views (or to a 64-bit
arrangement such as v0.2s) zeroes the rest of the register.
"""
from __future__ import annotations

from ..abi import AAPCS64

GPR64 = tuple(f"x{i}" for i in range(31)) + ("sp",)
FLAGS = ("N", "Z", "C", "V")
# Bit position of each flag in the NZCV system register.
FLAG_BITS = {"N": 31, "Z": 30, "C": 29, "V": 28}

NUM_VEC = 32
VEC_BITS = 128

# Element sizes of arrangement letters, and the arrangements the model knows.
ELEMENT_BITS = {"b": 8, "h": 16, "s": 32, "d": 64, "q": 128}
ARRANGEMENTS = {"8b": (8, 8), "16b": (8, 16), "4h": (16, 4), "8h": (16, 8), "2s": (32, 2), "4s": (32, 4),
                "1d": (64, 1), "2d": (64, 2), "1q": (128, 1)}
SCALAR_VIEWS = {"q": 128, "d": 64, "s": 32, "h": 16, "b": 8}

CONDITION_CODES = ("eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv")
CONDITION_ALIASES = {"cs": "hs", "cc": "lo"}


def gpr(name: str) -> tuple[str, int] | None:
    """("w3") -> ("x3", 32); ("sp") -> ("sp", 64); ("xzr") -> ("xzr", 64); None if not a GPR."""
    if name in ("sp", "wsp"):
        return "sp", 64 if name == "sp" else 32
    if name in ("xzr", "wzr"):
        return "xzr", 64 if name == "xzr" else 32
    if name[:1] in ("x", "w") and name[1:].isdigit() and int(name[1:]) <= 30 and name[1:] == str(int(name[1:])):
        return "x" + name[1:], 64 if name[0] == "x" else 32
    return None


def vec_scalar(name: str) -> tuple[int, int] | None:
    """("d7") -> (7, 64): a scalar view of a vector register; None otherwise."""
    if name[:1] in SCALAR_VIEWS and name[1:].isdigit() and int(name[1:]) < NUM_VEC and name[1:] == str(int(name[1:])):
        return int(name[1:]), SCALAR_VIEWS[name[0]]
    return None


# --- AAPCS64 (Linux) --------------------------------------------------------------
ABI = AAPCS64
ARGUMENT_REGISTERS = AAPCS64.argument_registers
RETURN_REGISTERS = AAPCS64.return_registers
CALLEE_SAVED = AAPCS64.callee_saved             # and sp itself
CALLER_SAVED = AAPCS64.caller_saved
LINK_REGISTER = "x30"
RED_ZONE = AAPCS64.red_zone
