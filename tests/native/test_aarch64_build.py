"""The native extension as `pip install .` builds it on an aarch64 host, cross-compiled here: the
cffi module of build_ffi.py (the AArch64 sources and cdef headers picked for that machine)
compiles for AArch64, and every function it binds is in the AArch64 library."""
import importlib
import subprocess
import sysconfig
from unittest import mock

from provenum.toolchain import CROSS_GCC, host_isa
from aarch64util import needs_compiler


def _aarch64_build_ffi():
    import provenum.native.build_ffi as b

    try:
        with mock.patch("platform.machine", return_value="aarch64"):
            importlib.reload(b)
            return b, b.make(), b.sources(), [h.name for h in b._headers()]
    finally:
        importlib.reload(b)   # outside the patch: the host's own build_ffi again, for later tests


def test_build_ffi_picks_the_aarch64_sources():
    b, _, sources, headers = _aarch64_build_ffi()
    assert headers[-2:] == ["kernels_aarch64.h", "cpu_aarch64.h"] and "kernels.h" not in headers
    asm = [s for s in sources if s.endswith(".S")]
    assert asm and all("/aarch64/generated/" in s for s in asm)
    assert len(asm) == 120


@needs_compiler
def test_the_cffi_module_compiles_for_aarch64_and_binds_only_what_the_library_defines(tmp_path):
    if host_isa() == "aarch64":
        import pytest
        pytest.skip("on an aarch64 host the ordinary install builds this very module")
    from provenum.native import cross

    _, ffi, _, _ = _aarch64_build_ffi()
    src = tmp_path / "_kernels.c"
    ffi.emit_c_code(str(src))
    obj = tmp_path / "_kernels.o"
    # the host's Python headers: CPython's are the same on every LP64 Linux but for pyconfig.h's
    # sizes, which AArch64 shares with x86-64
    subprocess.run([CROSS_GCC, "-O2", "-Wall", "-Werror", "-fPIC", f"-I{sysconfig.get_paths()['include']}", "-c",
                    str(src), "-o", str(obj)], check=True, capture_output=True, text=True)
    nm = CROSS_GCC.replace("gcc", "nm")
    wanted = {line.split()[-1] for line in subprocess.run([nm, "-u", str(obj)], capture_output=True, text=True,
                                                          check=True).stdout.splitlines()
              if line.split()[-1].startswith(("bignum_", "provenum_"))}
    defined = {line.split()[-1] for line in subprocess.run([nm, "-D", "--defined-only", str(cross.library())],
                                                           capture_output=True, text=True, check=True).stdout.splitlines()}
    assert wanted and wanted <= defined, sorted(wanted - defined)
    assert "provenum_cpu_midr" in wanted and "bignum_modexp_16_neon" in wanted
