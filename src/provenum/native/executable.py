"""Native programs built from the library's own sources (the ct-check driver, the timing harness).

    library_sources()            the host ISA's kernels (.S) and native/csrc/*.c, as build_ffi.py
                                 compiles them into the extension (a test checks both agree)
    compile_flags()              the flags the extension's C is compiled with (Python's CFLAGS and
                                 CCSHARED, then build_ffi's -O2 -Wall)
    build_executable(out, extra, ...)
                                 one executable from those sources and `extra` (a driver's main),
                                 with per-file defines and substitute files (a deliberately leaky
                                 rsa_private.c, in the tests), written atomically

The sources are globbed, never listed, so a new csrc/*.c file (key generation,
say) is part of every program as it is part of the library.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..toolchain import host_isa

NATIVE = Path(__file__).resolve().parent
CSRC = NATIVE / "csrc"
KERNELS = NATIVE.parent / "kernels"


class BuildError(RuntimeError):
    """A native program could not be built (missing compiler or header, or a compile error)."""


def library_sources(isa: str | None = None) -> list[Path]:
    """The kernels' generated .S files and every csrc/*.c, in build_ffi.py's order."""
    asm = sorted((KERNELS / (isa or host_isa()) / "generated").glob("*.S"))
    return asm + sorted(CSRC.glob("*.c"))


def compile_flags() -> list[str]:
    """What setuptools passes when it compiles the extension's C: CFLAGS, CCSHARED, extra args."""
    flags = shlex.split(sysconfig.get_config_var("CFLAGS") or "")
    flags += shlex.split(sysconfig.get_config_var("CCSHARED") or "")
    return flags + ["-O2", "-Wall"]   # build_ffi's extra_compile_args, last as in setuptools


def compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise BuildError("a C compiler (gcc) is needed to build provenum's native programs")
    return cc


def build_executable(out, extra_sources, *, file_flags: dict[str, list[str]] | None = None,
                     replace: dict[str, Path] | None = None, flags=(), libs=()) -> Path:
    """Compile the library's sources and `extra_sources` into the executable `out`.

    file_flags: extra flags for the library file of that name (e.g. {"rsa_private.c": ["-D..."]});
    replace: a file to compile instead of the library file of that name; flags: for every file;
    libs: linker arguments (-lgmp). Objects are compiled one by one so per-file flags apply.
    """
    out = Path(out)
    file_flags, replace = dict(file_flags or {}), dict(replace or {})
    names = [p.name for p in library_sources()]
    unknown = (set(replace) | set(file_flags)) - set(names)
    if unknown:
        raise BuildError(f"no library source named {', '.join(sorted(unknown))}")
    # (source file, the flags of the library file it stands for)
    units = [(Path(replace.get(p.name, p)), file_flags.get(p.name, [])) for p in library_sources()]
    units += [(Path(src), []) for src in extra_sources]
    cc, base = compiler(), compile_flags()
    with tempfile.TemporaryDirectory(prefix="provenum-build-", dir=out.parent) as tmp:
        jobs = []
        for i, (src, own) in enumerate(units):
            obj = Path(tmp) / f"{i:03d}-{src.stem}.o"
            jobs.append(([cc, *base, "-I", str(CSRC), *flags, *own, "-c", str(src), "-o", str(obj)],
                         f"compiling {src.name}"))
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(lambda job: _run(*job), jobs))
        objects = [job[0][-1] for job in jobs]
        target = Path(tmp) / out.name
        _run([cc, *base, *flags, "-o", str(target), *objects, *libs], f"linking {out.name}")
        os.replace(target, out)
    return out


def _run(cmd, what: str) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise BuildError(f"{what} failed:\n{' '.join(cmd)}\n{r.stderr[-4000:]}")
