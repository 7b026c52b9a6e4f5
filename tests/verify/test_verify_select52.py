"""The radix-2^52 exponentiation's row selection (bignum_select52x2) proved from the bytes, and wrong twins.

The shipped 20-digit kernel proves (functional by z3 against the indexed
read, frame, constant time in both secret indices). Each twin is the
generated code with one bug; it must fail naming the first output word it
gets wrong, and (where IFMA runs) be wrong natively too.
"""
import random

import pytest

from asmutil import assemble
from provenum.isa.x86_64.decode import decode_symbol
from provenum.kernels.x86_64 import select52
from provenum.native import library_path
from provenum.verify.prover import prove
from provenum.verify.runs import cpu_flags
from provenum.verify.specs import spec_for

NAME = "bignum_select52x2_20_avx512ifma"
SPEC = spec_for(NAME)
W = 24


def _body(bug: str) -> str:
    lines = select52.generate(20).body
    if bug == "last_row_dropped":       # row 31 never merged: idx = 31 reads 0
        last = max(i for i, line in enumerate(lines) if "vpcmpeqq" in line)
        lines = [line for i, line in enumerate(lines) if not (i > last and "{k" in line)]
    elif bug == "counter_from_one":     # row k merged when idx == k + 1
        lines = [line.replace("vpxorq       zmm28, zmm28, zmm28", "vmovdqu64    zmm28, zmm27") for line in lines]
    elif bug == "one_index":            # the first half chosen by idx1
        lines = [line.replace("{k1}", "{k2}") for line in lines]
    return "\n".join(lines)


TWINS = ("last_row_dropped", "counter_from_one", "one_index")


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    return assemble({f"select_{bug}": _body(bug) for bug in TWINS}, str(tmp_path_factory.mktemp("select52")))


def test_shipped_select52x2_proves():
    r = prove(decode_symbol(library_path(), NAME), SPEC, search_counterexample=False)
    assert r.proved, r.message
    statements = [o.statement for o in r.obligations]
    assert "z[0] = table[idx0 · 48 + 0]" in statements and "z[47] = table[idx1 · 48 + 47]" in statements


@pytest.mark.parametrize("bug", TWINS)
def test_wrong_twin_fails_naming_the_word(twins, bug):
    r = prove(decode_symbol(twins, f"select_{bug}"), SPEC, search_counterexample=False)
    assert not r.proved
    assert "z[0] = table[idx0 · 48 + 0]" in r.message and "z3 found a model" in r.message, r.message


@pytest.mark.skipif(not {"avx512ifma", "avx512vl"} <= cpu_flags(), reason="needs AVX-512 IFMA to run natively")
@pytest.mark.parametrize("bug", TWINS)
def test_wrong_twin_is_wrong_natively(twins, bug):
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(f"void select_{bug}(uint64_t *z, const uint64_t *t, uint64_t i0, uint64_t i1);")
    fn = getattr(ffi.dlopen(str(twins)), f"select_{bug}")
    rng = random.Random(1)
    table = [rng.getrandbits(64) for _ in range(32 * 2 * W)]
    z = ffi.new("uint64_t[]", 2 * W)
    wrong = False
    for i0, i1 in ((31, 0), (5, 9), (0, 31)):
        fn(z, ffi.new("uint64_t[]", table), i0, i1)
        wrong |= list(z) != table[2 * W * i0:2 * W * i0 + W] + table[2 * W * i1 + W:2 * W * (i1 + 1)]
    assert wrong


def test_shipped_words_are_decided_by_cases():
    """Each output word is settled by one simplification per admissible index (no bit-blasting)."""
    r = prove(decode_symbol(library_path(), NAME), SPEC, search_counterexample=False)
    words = [o for o in r.obligations if o.statement.startswith("z[")]
    assert len(words) == 2 * W and all("one case per index" in o.method for o in words)


def test_equal_by_cases_needs_every_case_and_a_free_index():
    import z3

    from provenum.verify.radix52 import _equal_by_cases

    i, t0, t1, t2 = z3.BitVecs("i t0 t1 t2", 64)
    chain = z3.If(i == 0, t0, z3.If(i == 1, t1, z3.BitVecVal(0, 64)))
    same = z3.If(i == 1, t1, z3.If(i == 0, t0, t2))       # differs only where i >= 2
    assert _equal_by_cases(chain, same, i, 2)
    assert not _equal_by_cases(chain, same, i, 3)           # at i = 2: 0 against t2
    assert not _equal_by_cases(chain, chain, i + 0 * t0, 2)  # the index must be a free constant
