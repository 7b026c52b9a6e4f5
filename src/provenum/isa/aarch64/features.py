"""Dispatch levels of AArch64, what each instruction needs, and which level a core prefers.

Two levels, cumulative like x86-64's:

  scalar   A64 integer instructions only: 64x64 products on the integer
           multiplier (mul/umulh), table lookup in general registers.
  neon     adds Advanced SIMD: part of the 64x64 products on the vector
           unit (umull/umlal on 32-bit lanes), Neon table lookup.

Advanced SIMD is architecturally optional but present on every AArch64 Linux
system (the Linux AArch64 ABI passes floating-point arguments in v registers),
so every such CPU runs both levels. Which one it *should* run is a matter of
microarchitecture, read from MIDR_EL1: Neoverse N1 (one multiplier pipe,
multiplies a tenth of the add throughput) gains from moving products to the
vector unit; cores with wide integer multipliers (Neoverse V1/V2/V3/N2,
Cortex-X, Apple) run the scalar code faster. `preferred_level(midr)` is that
table; the native dispatcher (native/csrc/cpu_aarch64.c) has the same one,
and a test checks they agree.
"""
from __future__ import annotations

from ..levels import Level, LevelSet

# Bit order shared with the C detection code: append, never reorder.
FEATURES = ("asimd",)

LEVELS = (
    Level("scalar", (), "A64 integer instructions: mul/umulh carry chains, table lookup in general registers"),
    Level("neon", ("asimd",), "Advanced SIMD: products split between mul/umulh and umull/umlal, Neon table lookup"),
)
_SET = LevelSet("AArch64", LEVELS, FEATURES)
LEVEL_NAMES = _SET.names
level_index, level_features, best_level = _SET.index, _SET.needs, _SET.best
missing_for, features_from_mask = _SET.missing, _SET.from_mask


# --- what an instruction needs -------------------------------------------------------------

_VECTOR_OPERANDS = ("VReg", "VElem", "VScalar", "VList")


def features_of(insn) -> frozenset[str]:
    """The features a decoded A64 instruction needs: Advanced SIMD when it touches a vector register."""
    if any(type(op).__name__ in _VECTOR_OPERANDS for op in insn.operands):
        return frozenset({"asimd"})
    return frozenset()


# --- which level a core prefers (MIDR_EL1) ----------------------------------------------------

IMPLEMENTER_ARM, IMPLEMENTER_APPLE = 0x41, 0x61
# Arm cores whose integer multiplier issues more than one 64x64 multiply per cycle or so,
# where the scalar kernels are faster than moving products to the vector unit.
WIDE_MULTIPLIER_PARTS = {
    0xD40: "Neoverse V1", 0xD4F: "Neoverse V2", 0xD84: "Neoverse V3", 0xD83: "Neoverse V3AE",
    0xD49: "Neoverse N2", 0xD8E: "Neoverse N3",
    0xD44: "Cortex-X1", 0xD4C: "Cortex-X1C", 0xD48: "Cortex-X2", 0xD4E: "Cortex-X3",
    0xD82: "Cortex-X4", 0xD85: "Cortex-X925",
}
NEON_PARTS = {0xD0C: "Neoverse N1", 0xD0B: "Cortex-A76", 0xD0D: "Cortex-A77", 0xD41: "Cortex-A78",
              0xD08: "Cortex-A72", 0xD07: "Cortex-A57"}


def midr_fields(midr: int) -> dict:
    return {"implementer": midr >> 24 & 0xFF, "variant": midr >> 20 & 0xF, "architecture": midr >> 16 & 0xF,
            "part": midr >> 4 & 0xFFF, "revision": midr & 0xF}


def core_name(midr: int) -> str:
    f = midr_fields(midr)
    if f["implementer"] == IMPLEMENTER_ARM:
        name = WIDE_MULTIPLIER_PARTS.get(f["part"]) or NEON_PARTS.get(f["part"])
        if name:
            return name
    if f["implementer"] == IMPLEMENTER_APPLE:
        return f"Apple part {f['part']:#05x}"
    return f"implementer {f['implementer']:#04x} part {f['part']:#05x}"


def preferred_level(midr: int | None) -> str:
    """The level a core runs fastest: scalar on wide-multiplier cores (and Apple's), neon otherwise
    (Neoverse N1 and cores like it, and any core the tables do not know, or when MIDR is unknown)."""
    if midr is None:
        return "neon"
    f = midr_fields(midr)
    if f["implementer"] == IMPLEMENTER_APPLE:
        return "scalar"
    if f["implementer"] == IMPLEMENTER_ARM and f["part"] in WIDE_MULTIPLIER_PARTS:
        return "scalar"
    return "neon"
