"""Helpers for the constant-time tests: what memcheck needs (valgrind, its client-request headers, GMP;
install.sh installs all three)."""
import shutil
import subprocess

import pytest

from provenum.toolchain import host_isa


def _compiles(source: str, *args: str) -> bool:
    r = subprocess.run(["gcc", "-x", "c", "-", "-o", "/dev/null", *args], input=source, capture_output=True,
                       text=True)
    return r.returncode == 0


def harness_missing() -> str | None:
    """Why the timing harness (the library's sources, gcc, GMP) cannot be built here, or None."""
    if host_isa() != "x86_64":
        return "the native library is x86-64 only so far"
    if shutil.which("gcc") is None:
        return "needs gcc"
    if not _compiles("#include <gmp.h>\nint main(void){mpz_t x; mpz_init(x); return 0;}\n", "-lgmp"):
        return "needs GMP (Debian package libgmp-dev)"
    return None


def memcheck_missing() -> str | None:
    """Why the memcheck tests cannot run here, or None."""
    if harness_missing():
        return harness_missing()
    if shutil.which("valgrind") is None:
        return "needs valgrind (Debian package valgrind; ./install.sh installs it)"
    if not _compiles("#include <valgrind/memcheck.h>\nint main(void){return RUNNING_ON_VALGRIND;}\n"):
        return "needs valgrind's headers (Debian package valgrind)"
    return None


needs_memcheck = pytest.mark.skipif(memcheck_missing() is not None, reason=memcheck_missing() or "")
needs_harness = pytest.mark.skipif(harness_missing() is not None, reason=harness_missing() or "")
