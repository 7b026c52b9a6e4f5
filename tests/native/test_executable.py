"""Programs built from the library's own sources: the same files build_ffi compiles, checked names."""
import shutil
import subprocess

import pytest

from provenum.native import executable

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def test_the_sources_are_build_ffis():
    build_ffi = pytest.importorskip("provenum.native.build_ffi")
    ours = [str(p.relative_to(executable.NATIVE.parent.parent.parent)) for p in executable.library_sources()]
    assert ours == build_ffi.sources()
    names = {p.name for p in executable.library_sources()}
    assert {"rsa_private.c", "dispatch.c", "cpu_x86_64.c", "bignum_modexp_16_baseline.S"} <= names


def test_compile_flags_end_with_build_ffis():
    assert executable.compile_flags()[-2:] == ["-O2", "-Wall"]


@pytest.mark.skipif(__import__("provenum.toolchain").toolchain.host_isa() != "x86_64",
                    reason="the kernels are x86-64 only so far")
def test_a_program_calls_the_kernels(tmp_path):
    main = tmp_path / "main.c"
    main.write_text("#include <stdint.h>\n#include <stdio.h>\n"
                    "void bignum_mul_4_8(uint64_t *z, const uint64_t *x, const uint64_t *y);\n"
                    "int main(void){uint64_t x[4]={3,0,0,0},y[4]={5,0,0,0},z[8];bignum_mul_4_8(z,x,y);"
                    "printf(\"%llu\\n\",(unsigned long long)z[0]);return 0;}\n")
    exe = executable.build_executable(tmp_path / "prog", [main])
    assert subprocess.run([str(exe)], capture_output=True, text=True).stdout.strip() == "15"


def test_unknown_names_are_refused(tmp_path):
    with pytest.raises(executable.BuildError, match="no library source named nothing.c"):
        executable.build_executable(tmp_path / "x", [], replace={"nothing.c": tmp_path / "y.c"})
    with pytest.raises(executable.BuildError, match="no library source named other.c"):
        executable.build_executable(tmp_path / "x", [], file_flags={"other.c": ["-DX"]})


def test_a_compile_error_names_the_file(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("this is not C\n")
    with pytest.raises(executable.BuildError, match="compiling bad.c failed"):
        executable.build_executable(tmp_path / "x", [bad])
