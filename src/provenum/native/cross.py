"""provenum's native library for AArch64, built on any host and called natively or under qemu-aarch64.

    library() -> Path           the AArch64 shared object: every committed AArch64 kernel
                                (kernels/aarch64/generated/*.S) and native/csrc/*.c, the same
                                sources `pip install .` compiles on an aarch64 host, cross-built
                                (or built natively there) and cached by the sources' hash;
                                counting=True adds a call counter to every dispatched entry
    Session(lib, cpu=None, env=None)
                                one driver process (cross_driver.c) running calls in it
                                (env: extra environment, e.g. PROVENUM_CPU):
        .call(name, *args) -> (x0, [buffers after the call])
                                args are ints or bytes (passed by pointer, each copy flush
                                against a guard page); up to 12 arguments
        .executor               "native" or "qemu-aarch64" (QEMU is an independent
                                implementation of the architecture, not hardware)

On x86-64 this is how the AArch64 kernels, the dispatch table and the RSA
private-key code are tested (tests/native/test_aarch64_*.py, tests/rsa) and
how `provenum bench rsa --isa aarch64 --model` counts the kernel calls of a
signature. `cpu` names the core qemu-aarch64 emulates (QEMU_CPU, e.g.
neoverse-n1: its MIDR then reads as N1's); natively it is ignored.
"""
from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import threading
from pathlib import Path

from provenum.toolchain import ToolchainError, aarch64_runner, build_aarch64

HERE = Path(__file__).resolve().parent
KERNELS = HERE.parent / "kernels" / "aarch64" / "generated"
DRIVER = HERE / "cross_driver.c"
FLAGS = ("-O2", "-Wall")


class CrossError(RuntimeError):
    """The AArch64 library or its driver could not be built or run, or a call failed."""


def sources(kernels: Path = KERNELS) -> list[Path]:
    asm = sorted(Path(kernels).glob("*.S"))
    if not asm:
        raise CrossError(f"no AArch64 kernels under {kernels} (run python -m provenum.kernels)")
    return asm + sorted((HERE / "csrc").glob("*.c"))


def _digest(paths, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    for p in sorted((HERE / "csrc").glob("*.h")):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _cache() -> Path:
    from provenum.machine.harness import cache_dir
    return cache_dir()


def library(counting: bool = False, kernels: Path = KERNELS) -> Path:
    """The AArch64 native library (built unless cached). With `counting`, every dispatched
    entry also counts its calls (provenum_dispatch_calls); `kernels`: another directory of the
    kernels' .S files (the benchmarks' unscheduled build)."""
    srcs = sources(kernels)
    flags = list(FLAGS) + ([f"-I{HERE / 'csrc'}"]) + (["-DPROVENUM_COUNT_CALLS"] if counting else [])
    out = _cache() / f"provenum-aarch64-{'counting-' if counting else ''}{_digest(srcs, ' '.join(flags))}.so"
    if not out.exists():
        try:
            build_aarch64(srcs, out, kind="library", flags=flags)
        except ToolchainError as e:
            raise CrossError(str(e)) from None
    return out


def driver() -> Path:
    out = _cache() / f"cross-driver-aarch64-{_digest([DRIVER])}"
    if not out.exists():
        try:
            build_aarch64([DRIVER], out, kind="executable", flags=["-O1", "-ldl"])
        except ToolchainError as e:
            raise CrossError(str(e)) from None
    return out


class Session:
    """A running cross_driver: calls into one AArch64 library, in order, one process."""

    def __init__(self, lib: Path | None = None, cpu: str | None = None, env: dict | None = None):
        try:
            prefix, self.executor = aarch64_runner()
        except ToolchainError as e:
            raise CrossError(str(e)) from None
        self.library = Path(lib or library())
        env = {**os.environ, **(env or {})}
        if cpu and self.executor != "native":
            env["QEMU_CPU"] = cpu
        self._proc = subprocess.Popen([*prefix, str(driver()), str(self.library)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._lock = threading.Lock()

    def call(self, name: str, *args) -> tuple[int, list[bytes]]:
        if len(args) > 12:
            raise ValueError("at most 12 arguments")
        parts = [struct.pack("<H", len(name)), name.encode(), struct.pack("<I", len(args))]
        sizes = []
        for a in args:
            if isinstance(a, (bytes, bytearray, memoryview)):
                parts.append(struct.pack("<BQ", 1, len(a)) + bytes(a))
                sizes.append(len(a))
            elif isinstance(a, int) and not isinstance(a, bool):
                parts.append(struct.pack("<BQ", 0, a & ((1 << 64) - 1)))
            else:
                raise TypeError(f"arguments are ints or byte buffers, not {type(a).__name__}")
        with self._lock:
            proc = self._proc
            try:
                proc.stdin.write(b"".join(parts))
                proc.stdin.flush()
                reply = _read(proc.stdout, 8 + sum(sizes))
            except (BrokenPipeError, EOFError):
                reply = None
            if reply is None:
                err = proc.stderr.read().decode(errors="replace").strip() if proc.poll() is not None else ""
                code = proc.wait()
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                raise CrossError(f"{name} failed under {self.executor} ({how}): {err}")
        x0 = struct.unpack_from("<Q", reply)[0]
        out, pos = [], 8
        for n in sizes:
            out.append(reply[pos:pos + n])
            pos += n
        return x0, out

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=60)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read(stream, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
