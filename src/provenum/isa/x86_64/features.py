"""CPU features and dispatch levels of x86-64, and the features each instruction needs.

A CPU feature belongs to an instruction (and so to a kernel variant), never
to the package. `FEATURES` is the fixed order the native CPU detection
(native/csrc/cpu_x86_64.c) reports them in, one bit each; a vector feature
counts only when the operating system also saves its registers (XGETBV).

The dispatch levels are cumulative: each needs its own features and those of
every level below it. A CPU with AVX2 but no ADX (Intel Haswell) therefore
runs at `baseline` -- every level's kernels use the features of the levels
below, and an order keeps dispatch, tests and forcing (PROVENUM_CPU) simple.

`features_of(insn)` is what one decoded instruction needs to execute; the
tests check every shipped variant against its level with it, and the model
validation skips the forms this CPU cannot run.
"""
from __future__ import annotations

from dataclasses import dataclass

# Bit order shared with the C detection code: append, never reorder.
FEATURES = ("bmi1", "bmi2", "adx", "sse4_1", "avx", "avx2",
            "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512ifma")


@dataclass(frozen=True)
class Level:
    name: str
    adds: tuple[str, ...]      # features this level adds to the one below
    summary: str


LEVELS = (
    Level("baseline", (), "x86-64: mul/adc carry chains, table lookup with general-register masks"),
    Level("bmi2", ("bmi1", "bmi2", "adx"), "BMI2 mulx and ADX adcx/adox: two carry chains"),
    Level("avx2", ("avx", "avx2"), "bmi2 arithmetic, AVX2 table lookup"),
    Level("avx512", ("avx512f", "avx512vl", "avx512bw", "avx512dq"), "bmi2 arithmetic, AVX-512 table lookup"),
    Level("avx512ifma", ("avx512ifma",), "AVX-512 IFMA: radix-2^52 Montgomery kernels, both CRT halves at once"),
)
LEVEL_NAMES = tuple(lv.name for lv in LEVELS)


def level_index(name: str) -> int:
    try:
        return LEVEL_NAMES.index(name)
    except ValueError:
        raise ValueError(f"unknown x86-64 level {name!r}; the levels are {', '.join(LEVEL_NAMES)}") from None


def level_features(name: str) -> frozenset[str]:
    """Every feature a level needs (its own and those below it)."""
    i = level_index(name)
    return frozenset(f for lv in LEVELS[: i + 1] for f in lv.adds)


def best_level(features) -> str:
    """The highest level whose features are all in `features`."""
    have = set(features)
    best = LEVELS[0].name
    for lv in LEVELS:
        if not level_features(lv.name) <= have:
            break
        best = lv.name
    return best


def missing_for(level: str, features) -> list[str]:
    return sorted(level_features(level) - set(features))


def cap(features, level: str) -> frozenset[str]:
    """The features left when a CPU is treated as one of `level` (PROVENUM_CPU): those of the
    levels above it are dropped, and so is everything that needs them (IFMA is AVX-512)."""
    above = level_features(LEVELS[-1].name) - level_features(level)
    out = set(features) - above
    if "avx512f" not in out:
        out.discard("avx512ifma")
    return frozenset(out)


def features_from_mask(mask: int) -> frozenset[str]:
    return frozenset(f for i, f in enumerate(FEATURES) if mask >> i & 1)


# --- what an instruction needs -------------------------------------------------------------

_SCALAR = {
    "adcx": ("adx",), "adox": ("adx",),
    "mulx": ("bmi2",), "shlx": ("bmi2",), "shrx": ("bmi2",), "sarx": ("bmi2",), "rorx": ("bmi2",),
    "andn": ("bmi1",),
    "pcmpeqq": ("sse4_1",),
    "vzeroupper": ("avx",),
    "kmovw": ("avx512f",), "kmovb": ("avx512dq",), "kmovd": ("avx512bw",), "kmovq": ("avx512bw",),
}
# VEX-encoded integer operations: 128-bit forms are AVX, 256-bit forms AVX2 (vmovdqu/vmovq are AVX at both)
_VEX_AVX_ONLY = {"vmovdqu", "vmovq", "vzeroupper"}
_VEX_AVX2_ALWAYS = {"vpbroadcastq"}
_EVEX_EXTRA = {"vpmadd52luq": ("avx512ifma",), "vpmadd52huq": ("avx512ifma",)}


def _vector_width(insn) -> int:
    widths = [op.width for op in insn.operands if getattr(op, "kind", None) == "vec"]
    widths += [op.width for op in insn.operands if type(op).__name__ == "Mem" and op.width >= 128]
    return max(widths, default=0)


def _high_vector_register(insn) -> bool:
    return any(getattr(op, "kind", None) == "vec" and op.index >= 16 for op in insn.operands)


def features_of(insn) -> frozenset[str]:
    """The CPU features a decoded instruction needs (empty: any x86-64 CPU)."""
    need = set(_SCALAR.get(insn.mnemonic, ()))
    if insn.encoding == "vex" and insn.mnemonic.startswith("v"):  # not BMI's VEX-encoded scalar ops, nor kmov
        if insn.mnemonic in _VEX_AVX2_ALWAYS or (insn.mnemonic not in _VEX_AVX_ONLY and _vector_width(insn) == 256):
            need.add("avx2")
        need.add("avx")
    elif insn.encoding == "evex":
        need.add("avx512f")
        if _vector_width(insn) < 512:
            need.add("avx512vl")
        need.update(_EVEX_EXTRA.get(insn.mnemonic, ()))
    if any(getattr(op, "kind", None) == "mask" for op in insn.operands) or insn.mask:
        need.add("avx512f")   # k0-k7 exist only with AVX-512
    if _high_vector_register(insn):  # so do xmm16-31 and ymm16-31
        need.add("avx512f")
    if need & {"avx512vl", "avx512bw", "avx512dq", "avx512ifma"}:
        need.add("avx512f")
    if need & {"avx2", "avx512f"}:
        need.add("avx")
    return frozenset(need)


def level_of(features) -> str:
    """The lowest level that provides every feature in `features`."""
    need = set(features)
    for lv in LEVELS:
        if need <= level_features(lv.name):
            return lv.name
    raise ValueError(f"no x86-64 level provides {', '.join(sorted(need - level_features(LEVELS[-1].name)))}")


__all__ = ["FEATURES", "LEVELS", "LEVEL_NAMES", "Level", "best_level", "cap", "features_from_mask", "features_of",
           "level_features", "level_index", "level_of", "missing_for"]
