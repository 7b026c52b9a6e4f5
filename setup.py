"""Native build: the kernels' .S files and native/csrc/*.c in one cffi extension.

Metadata lives in pyproject.toml; this file only adds the extension
(provenum.native._kernels, cffi API mode, see src/provenum/native/build_ffi.py)
and teaches the compiler that .S (assembly through the C preprocessor) is
a source type. Works for `pip install .` and editable installs (the
extension is then built next to the sources, in src/provenum/native/).
"""
from setuptools import setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        if ".S" not in self.compiler.src_extensions:
            self.compiler.src_extensions.append(".S")
        super().build_extensions()


setup(
    cffi_modules=["src/provenum/native/build_ffi.py:ffibuilder"],
    cmdclass={"build_ext": BuildExt},
)
