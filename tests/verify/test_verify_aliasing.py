"""In-place use: spec instances with two buffer arguments on one memory region.

A kernel that is right for disjoint buffers can be wrong in place (it
overwrites an input word it still has to read); the aliasing instance must
catch that with a counterexample the CPU confirms, and must prove a kernel
that reads its inputs before writing.
"""
import pytest

from asmutil import assemble
from kernelutil import build
from provenum.isa.x86_64.decode import decode_symbol
from provenum.kernels import BY_NAME
from provenum.verify.counterexample import run_native
from provenum.verify.prover import prove
from provenum.verify.specs import ALIASES, spec_for, specs_for

MUL2 = spec_for("bignum_mul_2_4")  # z[4] := x[2] * y[2]

# x0*y0 is stored to z[0] before x0 and y0 are read again: right for disjoint
# buffers, wrong when z is x (or y), whose word 0 has then been overwritten.
STORES_EARLY = """
    mov rcx, rdx
    mov rax, [rsi]
    mul qword ptr [rcx]
    mov [rdi], rax
    mov r8, rdx
    mov rax, [rsi+8]
    mul qword ptr [rcx]
    add rax, r8
    adc rdx, 0
    mov r9, rax
    mov r10, rdx
    mov rax, [rsi]
    mul qword ptr [rcx+8]
    add r9, rax
    adc r10, rdx
    mov r11, 0
    adc r11, 0
    mov [rdi+8], r9
    mov rax, [rsi+8]
    mul qword ptr [rcx+8]
    add r10, rax
    adc r11, rdx
    mov [rdi+16], r10
    mov [rdi+24], r11
    ret"""

# the same arithmetic with every store after the last load: right in place too
STORES_LATE = (STORES_EARLY
               .replace("    mov rcx, rdx\n", "    push rbx\n    mov rcx, rdx\n", 1)
               .replace("    mov [rdi], rax\n", "    mov rbx, rax\n", 1)
               .replace("    mov [rdi+8], r9\n", "", 1)
               .replace("    mov [rdi+16], r10\n", "    mov [rdi], rbx\n    mov [rdi+8], r9\n    mov [rdi+16], r10\n", 1)
               .replace("    ret", "    pop rbx\n    ret"))


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    return assemble({"stores_early": STORES_EARLY, "stores_late": STORES_LATE},
                    str(tmp_path_factory.mktemp("alias")))


def _prove(lib, name, spec):
    return prove(decode_symbol(lib, name), spec, library=lib)


@pytest.mark.parametrize("name", ["stores_early", "stores_late"])
def test_both_prove_for_disjoint_buffers(hand, name):
    r = _prove(hand, name, MUL2)
    assert r.proved, r.message


@pytest.mark.parametrize("alias", [("z", "x"), ("z", "y")])
def test_reading_inputs_first_proves_in_place(hand, alias):
    r = _prove(hand, "stores_late", MUL2.with_alias(*alias))
    assert r.proved, r.message
    assert r.spec == f"bignum_mul_2_4 [{alias[0]}={alias[1]}]"


@pytest.mark.parametrize("alias", [("z", "x"), ("z", "y")])
def test_overwriting_an_input_fails_in_place(hand, alias):
    spec = MUL2.with_alias(*alias)
    r = _prove(hand, "stores_early", spec)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"]
    env = cex["inputs"]
    assert env["z"][:2] == env[alias[1]]  # one memory: z starts as the aliased input
    product = spec.post[0].b.evaluate(env)
    assert spec.post[0].a.evaluate({**env, **cex["native_outputs"]}) != product
    # the same inputs in separate buffers give the right product on the CPU
    assert spec.post[0].a.evaluate({**env, **run_native(hand, "stores_early", MUL2, env)}) == product


def test_alias_names_and_show():
    specs = specs_for("bignum_montmul_16")
    assert [s.label for s in specs] == ["bignum_montmul_16", "bignum_montmul_16 [z=x]", "bignum_montmul_16 [z=y]",
                                        "bignum_montmul_16 [z=m]"]
    assert specs[0].aliases == ()  # the disjoint instance first (call summaries use it)
    text = spec_for("bignum_montsqr_8", alias="z=x").show()
    assert "z = x: the same memory" in text and "buffers m pairwise" not in text
    assert "buffers x, m pairwise disjoint" in text
    with pytest.raises(ValueError):
        spec_for("bignum_montsqr_8", alias="z=y")  # no such buffer use is specified
    with pytest.raises(ValueError):
        spec_for("bignum_mul_8_16", alias="z=x")   # product kernels do not allow it
    assert [s.label for s in specs_for("bignum_mul_8_16")] == ["bignum_mul_8_16"]


SIZES = (4, 8)
FAMILIES = ("montredc", "amontredc", "montmul", "amontmul", "montsqr", "amontsqr")
CASES = [(f"bignum_{fam}_{n}_{level}", f"{a}={b}") for fam in FAMILIES for n in SIZES for a, b in ALIASES[fam]
         for level in ("baseline", "bmi2")]


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    names = sorted({name for name, _ in CASES})
    return build([BY_NAME[k].function for k in names], str(tmp_path_factory.mktemp("kern-alias")))


@pytest.mark.parametrize("name,alias", CASES)
def test_kernel_in_place_proves(kernels, name, alias):
    spec = spec_for(name, alias=alias)
    r = prove(decode_symbol(kernels, name), spec, library=kernels)
    assert r.proved, r.message
    assert r.spec == f"{name} [{alias}]"


def test_montmul_aliasing_really_shares_memory(kernels):
    """The in-place instance runs on one region: the output overwrites the input words it aliases."""
    from provenum.verify.executor import run

    spec = spec_for("bignum_montmul_4_bmi2", alias="z=y")
    trace = run(decode_symbol(kernels, "bignum_montmul_4_bmi2"), spec, library=kernels)
    assert "z" not in trace.regions and trace.regions["y"].written == {0, 8, 16, 24}
    assert trace.buffer_words("z") == [trace.state._word(trace.regions["y"], 8 * i) for i in range(4)]
    assert trace.input_word("z", 0) is trace.input_word("y", 0)
