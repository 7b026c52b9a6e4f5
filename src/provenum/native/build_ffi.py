"""cffi builder for provenum.native._kernels (run by setup.py at build time).

Compiles every committed kernel variant of the host's ISA
(src/provenum/kernels/<isa>/generated/*.S, the ISA from platform.machine():
x86 kernels are never assembled on an Arm host, nor Arm ones on x86-64) and
every src/provenum/native/csrc/*.c (the dispatch table, CPU detection, the
RSA code; each ISA's CPU module compiles to nothing on the other) into one
extension; its cdef is the ISA-neutral src/provenum/native/cdef/*.h plus
the host ISA's own (ISA_HEADERS: its kernels, and on AArch64 MIDR access),
plain declarations, no preprocessor, which the C source also includes
verbatim so the wrappers see the prototypes.
"""
from __future__ import annotations

import os
import platform
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent  # the directory holding setup.py


def _rel(path: Path) -> str:
    # setuptools wants sources relative to setup.py
    return os.path.relpath(path, ROOT)


HOST_ISA = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
    platform.machine().lower(), platform.machine())
# cdef headers that belong to one ISA (the others are ISA-neutral)
ISA_HEADERS = {"x86_64": ("kernels.h", "ifma.h"), "aarch64": ("kernels_aarch64.h", "cpu_aarch64.h")}


def _headers(isa: str = HOST_ISA) -> list[Path]:
    specific = {name for names in ISA_HEADERS.values() for name in names}
    common = [h for h in sorted((HERE / "cdef").glob("*.h")) if h.name not in specific]
    return common + [HERE / "cdef" / name for name in ISA_HEADERS.get(isa, ())]


def sources() -> list[str]:
    asm = sorted((HERE.parent / "kernels" / HOST_ISA / "generated").glob("*.S"))
    c = sorted((HERE / "csrc").glob("*.c"))
    return [_rel(p) for p in asm + c]


def make() -> FFI:
    ffi = FFI()
    decls = "\n".join(h.read_text() for h in _headers())
    ffi.cdef(decls)
    ffi.set_source(
        "provenum.native._kernels",
        "#include <stddef.h>\n#include <stdint.h>\n" + decls,
        sources=sources(),
        extra_compile_args=["-O2", "-Wall"],
    )
    return ffi


ffibuilder = make()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
