"""Radix-2^52 almost-Montgomery multiply (AVX-512 IFMA) proved from the bytes, and wrong twins that must fail.

The kernel is hand-written (ifmautil.amm52_4): 4 digits in one ymm, the
quotient digit by scalar imul or by vpmadd52luq on a zero accumulator. Each
wrong twin is wrong on the CPU (checked natively where IFMA runs) and must
fail to prove with a message naming the term the identity does not cancel;
the proofs themselves run on any CPU.
"""
import random
import subprocess
from pathlib import Path

import pytest

from asmutil import assemble
from ifmautil import amm52_4, reference_amm52
from provenum import kernels
from provenum.isa.x86_64.decode import decode_symbol
from provenum.native import library_path
from provenum.verify.counterexample import STYLES, candidate, run_native
from provenum.verify.prover import prove
from provenum.verify.runs import cpu_flags
from provenum.verify.specs import specs_for
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


# --- the shipped radix-2^52 kernels (docs/ifma.md), and mutants of their bytes ------------------------
GENERATED = Path(kernels.__file__).parent / "x86_64" / "generated"
SHIPPED = ["bignum_amm52_20_avx512ifma", "bignum_amm52x2_20_avx512ifma", "bignum_to_radix52_16_avx512ifma",
           "bignum_from_radix52_16_avx512ifma"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_kernel_proves_every_instance(name):
    lib = library_path()
    for spec in specs_for(name):
        r = prove(decode_symbol(lib, name), spec, search_counterexample=False, library=lib)
        assert r.proved, (spec.label, r.message)


def _mutant(tmp_path, name: str, old: str, nth: int, new: str | None):
    """The shipped kernel with the nth line holding `old` (0-based; -1 the last) changed to `new` (None: deleted)."""
    lines = (GENERATED / f"{name}.S").read_text().splitlines()
    at = [i for i, text in enumerate(lines) if old in text][nth]
    if new is None:
        del lines[at]
    else:
        lines[at] = lines[at].replace(old, new)
    src = tmp_path / f"{name}.S"
    src.write_text("\n".join(lines) + "\n")
    so = tmp_path / f"{name}.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(src)], check=True, capture_output=True)
    return so


AMM, TO, FROM = SHIPPED[0], SHIPPED[2], SHIPPED[3]
MUTANTS = [
    # (kernel, text, which line holding it, replacement or None to delete, what the failed obligation names)
    (AMM, "vpmadd52huq  zmm1, zmm26", 0, None, ("remainder", "high")),          # one hi(m q) never added
    (AMM, "shl          r13, 12", 0, "shl          r13, 11", ("residual",)),     # digit 0's shift by 51
    (AMM, "adc          r13, rdx", 0, "add          r13, rdx", ("remainder", "carry")),  # carry of D + lo(m0 q)
    (AMM, "adc          r13, 0", 3, "add          r13, 0", ("remainder", "carry")),      # carry of D + lo(x0 b)
    # the carry into the top digit by 51 (the last shr's carry is dropped anyway: changing it is harmless)
    (AMM, "shr          r13, 52", -2, "shr          r13, 51", ("remainder", "shift51")),
    (TO, "shl          rcx, 24", 0, "shl          rcx, 23", ("digits52(z, 20) =",)),
    (FROM, "shl          rcx, 52", 0, "shl          rcx, 51", ("bignum(z, 16) =",)),
]


@pytest.mark.parametrize("name,old,nth,new,words", MUTANTS)
def test_shipped_kernel_mutant_fails(tmp_path, name, old, nth, new, words):
    so = _mutant(tmp_path, name, old, nth, new)
    spec = specs_for(name)[0]
    r = prove(decode_symbol(so, name), spec, search_counterexample=False, library=so)
    assert r.functional == "failed" and r.frame == r.constant_time == "proved", r.message
    text = str(next(o for o in r.obligations if o.status == "failed"))
    assert all(w in text for w in words), text
    if IFMA:   # wrong on the CPU too: some inputs meeting the preconditions break the spec
        rng = random.Random(9)
        envs = [candidate(spec, rng, STYLES[k % len(STYLES)]) for k in range(300)]
        assert any(not spec.holds({**env, **run_native(so, name, spec, env)}) for env in envs)


def test_radix52_lift_rules_are_refused_where_false():
    """The lift rules the radix-52 proofs rest on hold where they fire and are refused where they would lie."""
    from provenum.verify.rules import RULES, prove_rule

    assert prove_rule(RULES["lift-or-disjoint-shifts"], dict(w=64, k=52, j=12))[0]
    assert not prove_rule(RULES["lift-or-disjoint-shifts"], dict(w=64, k=52, j=11))[0]   # the bits overlap
    assert prove_rule(RULES["lift-and-low"], dict(w=64, m=(1 << 52) - 1))[0]
    assert not prove_rule(RULES["lift-and-low"], dict(w=64, m=(1 << 52) - 2))[0]     # not 2^j - 1
    assert prove_rule(RULES["lift-extract-digit52"], dict(w=52, hi=51, lo=0, aw=64))[0]
    assert prove_rule(RULES["lift-mullo"], dict(w=52))[0]
