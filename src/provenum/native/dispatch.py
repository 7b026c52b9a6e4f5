"""The CPU and the dispatch table of the native library.

The library holds the kernels of the host's ISA. Its table
(native/csrc/dispatch.c) is filled once when it loads: every operation
points at the best variant of the level this CPU runs by default -- on
x86-64 the highest level the CPU and its operating system support (CPUID
and XGETBV, in C), on AArch64 the level its core prefers (MIDR: neon on
Neoverse N1 and its like, scalar on wide-multiplier cores) -- or the level
named by the environment variable PROVENUM_CPU (x86-64:
baseline|bmi2|avx2|avx512|avx512ifma, AArch64: scalar|neon). A level the CPU lacks, or
an unknown name, is an error `check()` raises before any kernel runs. Tests
change the level with `forced_level(name)`; nothing can raise it above what
the CPU supports.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from provenum.kernels.catalog import host_isa, isa_levels

_levels = isa_levels(host_isa())
FEATURES, LEVEL_NAMES = _levels.FEATURES, _levels.LEVEL_NAMES
features_from_mask, level_features, level_index = _levels.features_from_mask, _levels.level_features, _levels.level_index
missing_for = _levels.missing_for


class UnsupportedCPU(RuntimeError):
    """A kernel variant or dispatch level needs a CPU feature this machine lacks."""


class DispatchError(RuntimeError):
    """PROVENUM_CPU asked for something the dispatcher cannot do."""


def _native():
    from ..toolchain import host_isa as machine

    if machine() not in ("x86_64", "aarch64"):  # setup.py builds the extension from the host ISA's kernels
        raise ImportError(f"provenum's native kernels are for x86-64 and AArch64; on {machine()} the package has "
                          "no native library (decoding, proofs of a given library and model validation work; the "
                          "kernels and RSA private-key operations do not)")
    try:
        from ._kernels import ffi, lib
    except ImportError as exc:
        raise ImportError("provenum's native library is not built: run `pip install -e .` "
                          "(or ./install.sh) in the repository") from exc
    return ffi, lib


@dataclass(frozen=True)
class CPU:
    vendor: str
    brand: str
    family: int
    model: int
    stepping: int
    features: frozenset        # what the CPU and the OS provide, of FEATURES
    level: str                 # the highest level it runs
    default_level: str = ""    # the level the table takes at load (AArch64: the one the core prefers)
    midr: int = 0              # AArch64: MIDR_EL1 (0 when unknown or on x86-64)

    @property
    def microarchitecture(self) -> str:
        """A short name for tuning tables: vendor, family and model (e.g. AuthenticAMD-0x1a-0x02;
        on AArch64 implementer, part: ARM-0x41-0xd0c)."""
        return f"{self.vendor}-{self.family:#04x}-{self.model:#04x}"


def cpu() -> CPU:
    ffi, lib = _native()
    vendor, brand = ffi.new("char[13]"), ffi.new("char[49]")
    fam, mod, step = ffi.new("unsigned *"), ffi.new("unsigned *"), ffi.new("unsigned *")
    lib.provenum_cpu_identity(vendor, brand, fam, mod, step)
    feats = features_from_mask(lib.provenum_cpu_features())
    midr = lib.provenum_cpu_midr() if host_isa() == "aarch64" else 0
    return CPU(ffi.string(vendor).decode(), ffi.string(brand).decode().strip(), fam[0], mod[0], step[0], feats,
               LEVEL_NAMES[lib.provenum_dispatch_best_level()], LEVEL_NAMES[lib.provenum_dispatch_default_level()],
               midr)


def load_error() -> str:
    """The error PROVENUM_CPU caused when the library loaded ('' if none)."""
    ffi, lib = _native()
    return ffi.string(lib.provenum_dispatch_load_error()).decode()


def check() -> None:
    """Raise DispatchError if PROVENUM_CPU could not be honoured."""
    err = load_error()
    if err:
        raise DispatchError(err)


def level() -> str:
    _, lib = _native()
    return LEVEL_NAMES[lib.provenum_dispatch_level()]


def best_level() -> str:
    return LEVEL_NAMES[cpu_level_index()]


def cpu_level_index() -> int:
    """The index in LEVEL_NAMES of the highest level this CPU runs."""
    _, lib = _native()
    return lib.provenum_dispatch_best_level()


def levels() -> list[str]:
    """Every level this CPU runs, lowest first (what the tests force in turn)."""
    return list(LEVEL_NAMES[: level_index(best_level()) + 1])


def can_run(level_name: str) -> bool:
    return level_index(level_name) <= level_index(best_level())


def require(level_name: str, what: str) -> None:
    """UnsupportedCPU unless this CPU runs `level_name`."""
    if not can_run(level_name):
        lacks = missing_for(level_name, cpu().features)
        raise UnsupportedCPU(f"{what} needs the {level_name} level ({', '.join(sorted(level_features(level_name)))}); "
                             f"this CPU lacks {', '.join(lacks)}")


def set_level(name: str) -> None:
    """Point every operation at the variants of `name` (at most the CPU's level)."""
    i = level_index(name)
    require(name, f"dispatch level {name}")
    _, lib = _native()
    if lib.provenum_dispatch_set_level(i) != 0:   # pragma: no cover - checked above
        raise UnsupportedCPU(f"the dispatcher refused level {name}")


@contextmanager
def forced_level(name: str):
    """Run the body with the dispatch table at level `name`, then restore it (tests)."""
    before = level()
    set_level(name)
    try:
        yield
    finally:
        set_level(before)


def target(operation: str) -> str | None:
    """The variant an operation's entry calls now; None when it has none at this level
    (the radix-2^52 kernels below avx512ifma: their slot is empty)."""
    ffi, lib = _native()
    t = lib.provenum_dispatch_target(operation.encode())
    if t == ffi.NULL:
        raise KeyError(f"no operation named {operation!r}")
    return ffi.string(t).decode() or None


def table() -> list[tuple[str, str, str]]:
    """(operation, variant symbol, level) for every variant the native table knows."""
    ffi, lib = _native()
    sym, lvl = ffi.new("const char **"), ffi.new("int *")
    out = []
    for i in range(lib.provenum_dispatch_count()):
        op = lib.provenum_dispatch_variant(i, sym, lvl)
        out.append((ffi.string(op).decode(), ffi.string(sym[0]).decode(), LEVEL_NAMES[lvl[0]]))
    return out


def native_level_masks() -> list[frozenset]:
    """The features the C code requires per level (a test checks they match features.py)."""
    _, lib = _native()
    return [features_from_mask(lib.provenum_level_needs(i)) for i in range(lib.provenum_level_count())]


__all__ = ["CPU", "DispatchError", "FEATURES", "UnsupportedCPU", "can_run", "check", "cpu", "best_level",
           "forced_level", "level", "levels", "load_error", "require", "set_level", "table", "target"]
