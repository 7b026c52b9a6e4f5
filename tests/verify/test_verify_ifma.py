"""Radix-2^52 almost-Montgomery multiply (AVX-512 IFMA) proved from the bytes, and wrong twins that must fail.

The kernel is hand-written (ifmautil.amm52_4): 4 digits in one ymm, the
quotient digit by scalar imul or by vpmadd52luq on a zero accumulator. Each
wrong twin is wrong on the CPU (checked natively where IFMA runs) and must
fail to prove with a message naming the term the identity does not cancel;
the proofs themselves run on any CPU.
"""
import random

import pytest

from asmutil import assemble
from ifmautil import amm52_4, reference_amm52
from provenum.isa.x86_64.decode import decode_symbol
from provenum.verify.counterexample import STYLES, candidate, run_native
from provenum.verify.prover import prove
from provenum.verify.runs import cpu_flags
from provenum.verify.specs.ifma import Digits, amm52_spec

SPEC = amm52_spec("bignum_amm52_4", 4, width=4)   # 4 digits in 4 words (no padding)
TWINS = {
    # bug -> (obligation kind, words the failure must name)
    "drop_huq": ("smt", ("remainder", "high")),
    "lane": ("smt", ("remainder", "high")),
    "no_carry": ("smt", ("remainder", "shift52")),
    "wrong_mask": ("smt", ("remainder", "shift51")),
    "k0_hi": ("algebraic", ("residual", "not shown cleared")),
    "quot_lane": ("algebraic", ("residual", "not shown cleared")),
}
IFMA = {"avx512ifma", "avx512vl"} <= cpu_flags()


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    funcs = {"bignum_amm52_4": amm52_4(), "bignum_amm52_4_qifma": amm52_4(q_by_ifma=True)}
    funcs.update({f"bignum_amm52_4_{bug}": amm52_4(bug) for bug in TWINS})
    return assemble(funcs, str(tmp_path_factory.mktemp("ifma")))


def _prove(lib, name, search=False):
    return prove(decode_symbol(lib, name), SPEC, search_counterexample=search, library=lib)


@pytest.mark.parametrize("name", ["bignum_amm52_4", "bignum_amm52_4_qifma"])
def test_amm52_proves(lib, name):
    r = _prove(lib, name)
    assert r.proved, r.message
    statements = [o.statement for o in r.obligations]
    assert any("4 lanes cleared by the quotient digits" in s for s in statements)
    assert any(s.startswith("2^208·Z = X·Y + K·m") for s in statements)
    assert "every z[i] < 2^52" in statements and "Z < 2·m" in statements


@pytest.mark.parametrize("bug", sorted(TWINS))
def test_amm52_wrong_twin_fails(lib, bug):
    kind, words = TWINS[bug]
    r = _prove(lib, f"bignum_amm52_4_{bug}")
    assert r.functional == "failed" and r.frame == r.constant_time == "proved"
    failed = [o for o in r.obligations if o.status == "failed"]
    assert failed[0].kind == kind, failed[0]
    text = str(failed[0])
    assert all(w in text for w in words), text


@pytest.mark.skipif(not IFMA, reason="needs AVX-512 IFMA and VL to run the kernels natively")
def test_natively_the_kernel_meets_its_spec_and_the_twins_do_not(lib):
    rng = random.Random(3)
    for name in ["bignum_amm52_4", "bignum_amm52_4_qifma"] + [f"bignum_amm52_4_{b}" for b in TWINS]:
        wrong = 0
        for k in range(120):
            env = candidate(SPEC, rng, STYLES[k % len(STYLES)])
            out = run_native(lib, name, SPEC, env)
            wrong += not SPEC.holds({**env, **out})
            if name == "bignum_amm52_4":
                x, y, m = (Digits(b, 4).evaluate(env) for b in "xym")
                assert Digits("z", 4).evaluate(out) == reference_amm52(x, y, m, 4)
        assert (wrong == 0) == (name in ("bignum_amm52_4", "bignum_amm52_4_qifma")), (name, wrong)


@pytest.mark.skipif(not IFMA, reason="needs AVX-512 IFMA and VL to confirm the counterexample natively")
def test_a_failed_proof_finds_a_confirmed_counterexample(lib):
    r = _prove(lib, "bignum_amm52_4_no_carry", search=True)
    c = r.counterexample
    assert c and c["model_confirms"] and c["native_confirms"], c


def test_candidates_meet_the_preconditions():
    rng = random.Random(1)
    for k in range(200):
        env = candidate(SPEC, rng, STYLES[k % len(STYLES)])
        assert SPEC.holds(env, "pre"), env
