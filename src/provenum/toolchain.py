"""Building and running AArch64 code: natively on an aarch64 host, cross-built and under qemu elsewhere.

    host_isa()                      "x86_64", "aarch64", or platform.machine() for anything else
    aarch64_compiler()              the C compiler/assembler driver for AArch64 (list of argv words)
    build_aarch64(sources, out, kind="shared"|"library"|"static"|"executable", flags=())
                                    an AArch64 shared object without libc (proofs, tests) or with it
                                    (the native library), a static executable without libc (the
                                    validation harness) or a dynamically linked executable (the
                                    call drivers) from .S / .c sources
    aarch64_runner()                (argv prefix, executor name): ([], "native") on an aarch64 host,
                                    (["qemu-aarch64", "-L", sysroot], "qemu-aarch64") elsewhere

On Debian x86-64 the cross tools are the packages gcc-aarch64-linux-gnu and
qemu-user (install.sh installs them). A missing tool is a ToolchainError
that names the package. QEMU is an independent implementation of the
architecture, not hardware: results obtained under it say so.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

CROSS_GCC = "aarch64-linux-gnu-gcc"
QEMU = "qemu-aarch64"
CROSS_SYSROOT = "/usr/aarch64-linux-gnu"      # Debian's libc6-arm64-cross, for dynamic executables

_ISAS = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


class ToolchainError(RuntimeError):
    """A tool needed to build or run AArch64 code is missing or failed."""


def host_isa() -> str:
    machine = platform.machine()
    return _ISAS.get(machine.lower(), machine)


def aarch64_compiler() -> list[str]:
    if host_isa() == "aarch64":
        cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
        if not cc:
            raise ToolchainError("no C compiler on this aarch64 host (install gcc)")
        return [cc]
    cc = shutil.which(CROSS_GCC)
    if not cc:
        raise ToolchainError(f"{CROSS_GCC} is needed to build AArch64 code on {host_isa()} "
                             f"(Debian package gcc-aarch64-linux-gnu; ./install.sh installs it)")
    return [cc]


def aarch64_runner() -> tuple[list[str], str]:
    """How to run an AArch64 executable here: the argv prefix and the executor's name."""
    if host_isa() == "aarch64":
        return [], "native"
    qemu = shutil.which(QEMU)
    if not qemu:
        raise ToolchainError(f"{QEMU} is needed to run AArch64 code on {host_isa()} "
                             f"(Debian package qemu-user; ./install.sh installs it)")
    return [qemu, "-L", CROSS_SYSROOT], QEMU


def build_aarch64(sources, out, kind: str = "shared", flags=()) -> Path:
    """Assemble/compile `sources` into `out`: a shared object ("shared", no libc), a static
    executable ("static", no libc: the sources provide _start) or an executable linked with libc
    ("executable"). Written atomically (a concurrent builder of the same output agrees)."""
    link = {"shared": ["-shared", "-fPIC", "-nostdlib"], "library": ["-shared", "-fPIC"],
            "static": ["-static", "-no-pie", "-nostdlib"], "executable": []}.get(kind)
    if link is None:
        raise ValueError(f"kind must be 'shared', 'library', 'static' or 'executable', not {kind!r}")
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        target = Path(tmp) / out.name
        cmd = [*aarch64_compiler(), *link, "-Wl,-z,noexecstack", "-o", str(target), *[str(s) for s in sources],
               *flags]
        try:
            subprocess.run(cmd, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as e:
            raise ToolchainError(f"building {out.name} failed:\n{e.stderr[-4000:]}") from None
        os.replace(target, out)
    return out
