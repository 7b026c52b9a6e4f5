"""Running one function of an AArch64 shared object on a real implementation (natively or under qemu).

`call_native(library, name, args)` calls `name` the AAPCS64 way with up to
eight arguments -- ints, or bytes/bytearray buffers passed by pointer (each
copied next to an inaccessible guard page) -- through a small C driver
(driver.c, cross-built once and cached) and returns (x0, [buffer contents
after the call]). It is how the model's answers on Arm code are checked
against an implementation of the architecture: qemu-aarch64 on x86-64 (an
independent implementation, not hardware), the CPU itself on an aarch64 host.
"""
from __future__ import annotations

import hashlib
import struct
import subprocess
from pathlib import Path

from provenum.toolchain import ToolchainError, aarch64_runner, build_aarch64

from ..harness import cache_dir

_DRIVER = Path(__file__).with_name("driver.c")


class NativeCallError(RuntimeError):
    """The function could not be run, or the run failed (a fault, a bad library or symbol)."""


def driver_path() -> Path:
    src = _DRIVER.read_bytes()
    out = cache_dir() / f"driver-aarch64-{hashlib.sha256(src).hexdigest()[:16]}"
    if not out.exists():
        build_aarch64([_DRIVER], out, kind="executable", flags=["-O1", "-ldl"])
    return out


def call_native(library, name: str, args=(), timeout: float = 60) -> tuple[int, list[bytes]]:
    if len(args) > 8:
        raise ValueError("at most 8 arguments (x0..x7)")
    request = [struct.pack("<I", len(args))]
    for a in args:
        if isinstance(a, (bytes, bytearray, memoryview)):
            request.append(struct.pack("<BQ", 1, len(a)) + bytes(a))
        elif isinstance(a, int) and not isinstance(a, bool):
            request.append(struct.pack("<BQ", 0, a & ((1 << 64) - 1)))
        else:
            raise TypeError(f"arguments are ints or byte buffers, not {type(a).__name__}")
    try:
        prefix, executor = aarch64_runner()
        cmd = [*prefix, str(driver_path()), str(Path(library).resolve()), name]
    except ToolchainError as e:
        raise NativeCallError(str(e)) from None
    r = subprocess.run(cmd, input=b"".join(request), capture_output=True, timeout=timeout)
    sizes = [len(a) for a in args if not isinstance(a, int)]
    if r.returncode != 0 or len(r.stdout) != 8 + sum(sizes):
        how = f"signal {-r.returncode}" if r.returncode < 0 else f"exit status {r.returncode}"
        raise NativeCallError(f"{name} in {library} failed under {executor} ({how}): "
                              f"{r.stderr.decode(errors='replace').strip()}")
    x0 = struct.unpack_from("<Q", r.stdout)[0]
    out, pos = [], 8
    for n in sizes:
        out.append(r.stdout[pos:pos + n])
        pos += n
    return x0, out
