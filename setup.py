"""Native build: the kernels' .S files and native/csrc/*.c in one cffi extension.

Metadata lives in pyproject.toml; this file only adds the extension
(provenum.native._kernels, cffi API mode, see src/provenum/native/build_ffi.py)
and teaches the compiler that .S (assembly through the C preprocessor) is
a source type. Works for `pip install .` and editable installs (the
extension is then built next to the sources, in src/provenum/native/).

The extension is built from the host ISA's kernels (platform.machine()):
src/provenum/kernels/x86_64/generated/*.S on x86-64, .../aarch64/generated/*.S
on aarch64 (each with the csrc/*.c, whose CPU module for the other ISA
compiles to nothing). On any other machine the package installs without the
extension: decoding, proofs and the models work, the native kernels do not.
"""
import platform
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        if ".S" not in self.compiler.src_extensions:
            self.compiler.src_extensions.append(".S")
        super().build_extensions()


HOST_ISA = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
    platform.machine().lower(), platform.machine())
HAS_KERNELS = any((Path(__file__).parent / "src" / "provenum" / "kernels" / HOST_ISA / "generated").glob("*.S"))

setup(
    cffi_modules=["src/provenum/native/build_ffi.py:ffibuilder"] if HAS_KERNELS else [],
    cmdclass={"build_ext": BuildExt},
)
