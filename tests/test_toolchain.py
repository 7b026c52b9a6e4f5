"""Building and running AArch64 code: host detection, build kinds, clear errors for missing tools."""
import subprocess

import pytest

from aarch64util import needs_compiler, needs_runner
from provenum import toolchain as T

SOURCE = """
    .globl _start
_start:
    mov x0, #42
    mov x8, #93
    svc #0
    .section .note.GNU-stack,"",%progbits
"""


def test_host_isa(monkeypatch):
    for machine, isa in (("x86_64", "x86_64"), ("AMD64", "x86_64"), ("aarch64", "aarch64"), ("arm64", "aarch64"),
                         ("riscv64", "riscv64")):
        monkeypatch.setattr(T.platform, "machine", lambda m=machine: m)
        assert T.host_isa() == isa


def test_missing_tools_name_their_package(monkeypatch):
    monkeypatch.setattr(T.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(T.shutil, "which", lambda name: None)
    with pytest.raises(T.ToolchainError, match="gcc-aarch64-linux-gnu"):
        T.aarch64_compiler()
    with pytest.raises(T.ToolchainError, match="qemu-user"):
        T.aarch64_runner()


def test_native_on_aarch64_hosts(monkeypatch):
    monkeypatch.setattr(T.platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(T.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.delenv("CC", raising=False)
    assert T.aarch64_runner() == ([], "native")
    assert T.aarch64_compiler() == ["/usr/bin/gcc"]


def test_bad_kind(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        T.build_aarch64([], tmp_path / "x", kind="archive")


@needs_compiler
def test_build_errors_show_the_assembler(tmp_path):
    s = tmp_path / "bad.S"
    s.write_text("    frobnicate x0\n")
    with pytest.raises(T.ToolchainError, match="frobnicate"):
        T.build_aarch64([s], tmp_path / "bad.so")
    assert not (tmp_path / "bad.so").exists()


@needs_runner
def test_static_executable_runs(tmp_path):
    s = tmp_path / "exit.S"
    s.write_text(SOURCE)
    exe = T.build_aarch64([s], tmp_path / "exit", kind="static")
    from provenum.isa.elf import elf_machine
    assert elf_machine(exe) == "aarch64"
    prefix, _ = T.aarch64_runner()
    assert subprocess.run([*prefix, str(exe)]).returncode == 42
