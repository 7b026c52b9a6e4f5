"""The prover on small hand-written kernels: correct ones prove, broken ones fail with a reason."""
import random

import pytest

from asmutil import assemble, reverse_rows_mul, schoolbook_mul
from provenum.isa.x86_64.decode import decode_symbol
from provenum.verify.counterexample import candidate, trace_outputs, violates
from provenum.verify.executor import run
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for

MUL4 = spec_for("bignum_mul_4_8")


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("hand")
    body = schoolbook_mul(4)
    return assemble({
        "good": body,
        "dropped_carry": schoolbook_mul(4, drop_carry_at=(1, 2)),
        "reverse_rows": reverse_rows_mul(4),
        "short_ripple": reverse_rows_mul(4, propagate=1),
        "clobbers_rbx": body.replace("    pop rbx\n", "    pop rbx\n    mov rbx, rax\n"),
        "writes_past_z": body.replace("    pop r12\n", "    mov qword ptr [rdi+64], 0\n    pop r12\n"),
        "undefined_flag": "    mov rax, [rsi]\n    adc rax, [rdx]\n    mov [rdi], rax\n    ret",
        "secret_branch": "    mov rax, [rsi]\n    test rax, rax\n    jz 1f\n    mov [rdi], rax\n1:\n    ret",
        "secret_address": "    mov rax, [rsi]\n    and rax, 3\n    mov rax, [rdx+rax*8]\n    mov [rdi], rax\n    ret",
        "writes_input": body.replace("    pop r12\n", "    mov qword ptr [rsi], 0\n    pop r12\n"),
    }, str(d))


def _prove(lib, name, spec=MUL4):
    return prove(decode_symbol(lib, name), spec, library=lib)


def test_schoolbook_proves(lib):
    r = _prove(lib, "good")
    assert r.proved, r.message
    kinds = {o.kind for o in r.obligations}
    assert {"algebraic", "range", "frame", "constant-time"} <= kinds


def test_reverse_rows_proves(lib):
    r = _prove(lib, "reverse_rows")
    assert r.proved, r.message


@pytest.mark.parametrize("name", ["dropped_carry", "short_ripple"])
def test_dropped_carry_fails_with_counterexample(lib, name):
    r = _prove(lib, name)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    bad = next(o for o in r.obligations if o.status == "failed")
    assert bad.kind == "algebraic" and bad.address is not None and "carry" in bad.detail
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"]
    env = cex["inputs"]
    assert MUL4.post[0].a.evaluate({**env, **cex["native_outputs"]}) != MUL4.post[0].b.evaluate(env)


def test_short_ripple_is_rare_for_uniform_inputs(lib):
    """The bug the prover finds is one uniform random testing misses."""
    trace = run(decode_symbol(lib, "short_ripple"), MUL4)
    rng = random.Random(5)
    hits = sum(violates(MUL4, env, trace_outputs(trace, env))
               for env in (candidate(MUL4, rng, "uniform") for _ in range(2000)))
    assert hits == 0
    cex = _prove(lib, "short_ripple").counterexample
    assert cex and violates(MUL4, cex["inputs"], trace_outputs(trace, cex["inputs"]))
    # what breaks it: words full of one bits
    assert sum(bin(w).count("1") for w in cex["inputs"]["x"] + cex["inputs"]["y"]) > 300


@pytest.mark.parametrize("name,field,needle", [
    ("clobbers_rbx", "frame", "rbx"),
    ("writes_past_z", "frame", "outside"),
    ("writes_input", "frame", "read-only"),
])
def test_frame_failures(lib, name, field, needle):
    r = _prove(lib, name)
    assert getattr(r, field) == "failed"
    assert needle in r.message or any(needle in o.statement for o in r.obligations if o.status == "failed")


def test_undefined_flag_names_the_instruction(lib):
    r = _prove(lib, "undefined_flag")
    assert r.functional == "failed" and "undefined flag CF" in r.message and "adc" in r.message


def test_secret_branch_fails(lib):
    r = _prove(lib, "secret_branch")
    assert not r.proved and r.constant_time == "failed"
    assert any("x[0]" in o.detail for o in r.obligations if o.kind == "constant-time")


def test_secret_address_fails_constant_time(lib):
    r = _prove(lib, "secret_address")
    assert r.constant_time == "failed"
    ct = next(o for o in r.obligations if o.kind == "constant-time")
    assert "memory address" in ct.detail and "x[0]" in ct.detail
