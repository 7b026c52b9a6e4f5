"""The instruction allow-list: the built library passes and every allowed instruction is named with
its class; a variable-time instruction, one allowed only elsewhere, one outside every symbol and
bytes that do not decode are reported with where they are."""
import json
import shutil
import subprocess

import pytest

from provenum.cli import main
from provenum.ct import instructions

LEAKY = """
        .intel_syntax noprefix
        .text
        .globl fine
        .type fine, @function
fine:
        mov rax, rdi
        mulx r8, r9, rsi
        add rax, rsi
        cmovb rax, rsi
        ret
        .size fine, .-fine
        .globl leaky_div
        .type leaky_div, @function
leaky_div:
        mov rax, rdi
        xor edx, edx
        div rsi
        ret
        .size leaky_div, .-leaky_div
        .globl identify
        .type identify, @function
identify:
        cpuid
        ret
        .size identify, .-identify
        .p2align 4
        bsf rax, rdi
        ret
        .globl bad
        .type bad, @function
bad:
        .byte 0x06
        ret
        .size bad, .-bad
"""


@pytest.fixture(scope="module")
def leaky_library(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc")
    d = tmp_path_factory.mktemp("leaky")
    (d / "leaky.S").write_text(LEAKY)
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(d / "leaky.so"), str(d / "leaky.S")], check=True)
    return str(d / "leaky.so")


def test_the_built_library_passes_and_names_what_it_allows():
    pytest.importorskip("provenum.native._kernels", reason="the native library is not built")
    result = instructions.check()
    assert result.passed, [(u.mnemonic, sorted(u.functions)[:3]) for u in result.findings]
    allowed = {u.mnemonic: u for u in result.allowed}
    for mnemonic in ("mulx", "adcx", "adox", "mul", "adc", "sbb", "cmovb", "vpternlogq"):
        assert allowed[mnemonic].klass == "doit"
    assert allowed["ret"].klass == "control" and allowed["nop"].klass == "nodata"
    assert allowed["cpuid"].klass == "public" and allowed["cpuid"].functions <= set(instructions.PUBLIC_ONLY)
    assert "idiv" not in allowed
    # div only where its operands are public (the key generation's small primes and exponent)
    assert "div" not in allowed or (allowed["div"].klass == "public"
                                    and allowed["div"].functions <= set(instructions.PUBLIC_ONLY))
    assert not [f for f in allowed.get("div", instructions.Use("div", None)).functions if f.startswith("bignum_")]
    assert result.functions > 500 and result.instructions > 100_000
    # the kernels are among the decoded functions
    assert any("bignum_modexp_16_baseline" in u.functions for u in result.allowed)


def test_variable_time_and_misplaced_instructions_are_reported(leaky_library):
    result = instructions.check(leaky_library)
    assert not result.passed
    found = {u.mnemonic: u for u in result.findings}
    assert found["div"].functions == {"leaky_div"}
    assert found["cpuid"].functions == {"identify"}            # allowed only in CPU identification
    assert [f for f in found["bsf"].functions] and next(iter(found["bsf"].functions)).startswith("<no symbol")
    assert [f for a, f in result.undecodable] == ["bad"]
    assert {"mulx", "cmovb", "ret"} <= {u.mnemonic for u in result.allowed if "fine" in u.functions}
    assert instructions.by_function(result)["leaky_div"] == ["div"]


def test_classify():
    assert instructions.classify("div", "anything") is None
    assert instructions.classify("xgetbv", "provenum_cpu_features") == "public"
    assert instructions.classify("xgetbv", "private_op") is None
    assert instructions.classify("rep movsq", "private_load") == "string"
    assert instructions.classify("jne", "x") == "control"


def test_cli(leaky_library, tmp_path, capsys):
    out = tmp_path / "i.json"
    assert main(["ct-check", "--only", "instructions", "--library", leaky_library, "--json", str(out)]) == 1
    text = capsys.readouterr().out
    assert "not allowed in leaky_div: div" in text
    doc = json.loads(out.read_text())["instructions"]
    assert not doc["passed"] and {f["mnemonic"] for f in doc["findings"]} == {"div", "cpuid", "bsf"}
    assert main(["ct-check", "--only", "instructions", "--library", str(tmp_path / "none.so")]) == 2
