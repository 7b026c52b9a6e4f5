"""Bindings to the native library: the kernels and native/csrc, via cffi (API mode).

`ffi` and `lib` are the raw cffi objects (calls release the GIL). For every
kernel in provenum.kernels.CATALOG there is a checked Python wrapper of the
same name taking and returning Python ints (see provenum.native.wrappers);
`library_path()` is the shared object the verifier reads.
"""
from __future__ import annotations

REQUIRED_CPU_FLAGS = ("bmi2", "adx", "avx512f", "avx512vl")


def _missing_cpu_flags() -> list[str]:
    """CPU features the kernels use that /proc/cpuinfo does not list (Linux)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [f for f in REQUIRED_CPU_FLAGS if f not in flags]
    except OSError:
        pass
    return []  # cannot tell: let the import proceed


_missing = _missing_cpu_flags()
if _missing:  # fail clearly here rather than with SIGILL inside a kernel
    raise ImportError(f"provenum's kernels need a CPU with {', '.join(REQUIRED_CPU_FLAGS)}; "
                      f"this one lacks {', '.join(_missing)}")

from ..toolchain import host_isa as _host_isa  # noqa: E402

if _host_isa() != "x86_64":  # setup.py builds the extension from the host ISA's kernels: x86-64 only so far
    raise ImportError(f"provenum's native kernels are x86-64 only so far; on {_host_isa()} the package has no "
                      "native library (decoding, proofs of a given library and model validation work; the kernels and RSA "
                      "private-key operations do not)")

try:
    from ._kernels import ffi, lib
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "provenum's native library is not built: run `pip install -e .` (or ./install.sh) "
        "in the repository"
    ) from exc

from .wrappers import *  # noqa: E402,F401,F403  (one wrapper per kernel)
from .wrappers import __all__ as _wrapper_names  # noqa: E402


def library_path() -> str:
    """Path of the built shared object whose symbols are the kernels."""
    from . import _kernels

    return _kernels.__file__


__all__ = ["ffi", "lib", "library_path", "REQUIRED_CPU_FLAGS", *_wrapper_names]
