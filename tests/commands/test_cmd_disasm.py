"""provenum disasm LIBRARY SYMBOL."""
import hashlib
import subprocess

import pytest

from provenum.cli import main

SOURCE = r"""
.intel_syntax noprefix
.text
.globl mul_add
.type mul_add, @function
mul_add:
    mov rdx, rdi
    mulx r8, rax, rsi
    adcx rax, rdx
    ret
.size mul_add, .-mul_add
.globl bad
.type bad, @function
bad:
    rdtsc
    ret
.size bad, .-bad
.section .note.GNU-stack,"",@progbits
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("disasm")
    (d / "l.S").write_text(SOURCE)
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(d / "l.so"), str(d / "l.S")], check=True)
    return d / "l.so"


def test_disasm_lists_the_model_instructions(lib, capsys):
    assert main(["disasm", str(lib), "mul_add", "--forms"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("mul_add @ 0x") and "4 instructions" in lines[0]
    code = bytes.fromhex("".join(line.split()[1] for line in lines[2:]))
    assert lines[1] == f"sha256 {hashlib.sha256(code).hexdigest()}"
    assert [line.split()[2] for line in lines[2:]] == ["mov", "mulx", "adcx", "ret"]
    assert "; mulx r64, r64, r64" in out and "; adcx r64, r64" in out


def test_disasm_errors(lib, capsys):
    assert main(["disasm", str(lib), "nothere"]) == 1
    assert "nothere" in capsys.readouterr().err
    assert main(["disasm", str(lib), "bad"]) == 1
    err = capsys.readouterr().err
    assert "rdtsc" in err and "0f31" in err
    assert main(["disasm", str(lib.parent / "missing.so"), "f"]) == 1
    assert "cannot open" in capsys.readouterr().err
