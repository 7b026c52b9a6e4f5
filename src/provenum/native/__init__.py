"""The native library: the kernels, the dispatch table and the RSA code, via cffi (API mode).

Nothing here executes a kernel at import: `library_path()` (the shared
object the verifier reads) works on any machine, whatever its CPU.
`provenum.native.dispatch` reports the CPU and the level the dispatch table
runs at; the checked Python wrappers (`provenum.native.bignum_mul_16_32`,
..., see provenum.native.wrappers) and the raw cffi objects `ffi` and `lib`
load on first use, and refuse to run when PROVENUM_CPU asked for a level
this CPU lacks. Each operation's wrapper calls the dispatched entry; each
variant's wrapper (bignum_mul_16_32_baseline, ...) calls that variant, and
raises UnsupportedCPU instead of executing an instruction the CPU lacks.
"""
from __future__ import annotations


def library_path() -> str:
    """Path of the built shared object whose symbols are the kernels (the library is not loaded)."""
    import importlib.util

    spec = importlib.util.find_spec("provenum.native._kernels")
    if spec is None or not spec.origin:
        raise ImportError("provenum's native library is not built: run `pip install -e .` "
                          "(or ./install.sh) in the repository")
    return spec.origin


_SUBMODULES = {"build_ffi", "dispatch", "wrappers", "_kernels"}


def __getattr__(name: str):
    # the wrappers, ffi and lib: loading them loads the library (and checks PROVENUM_CPU)
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(name)
    import importlib

    wrappers = importlib.import_module("provenum.native.wrappers")
    try:
        return getattr(wrappers, name)
    except AttributeError:
        raise AttributeError(f"module 'provenum.native' has no attribute {name!r}") from None
