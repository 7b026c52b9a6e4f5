"""The prover on the library's own kernels at small sizes (built here from the generators)."""
import pytest

from kernelutil import build
from provenum.isa.x86_64.decode import decode_symbol
from provenum.kernels import BY_NAME
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for, specs_for

OPS = ["bignum_mul_4_8", "bignum_sqr_4_8", "bignum_mul_8_16", "bignum_sqr_8_16", "bignum_montredc_4",
       "bignum_montredc_8", "bignum_amontredc_4", "bignum_montmul_4", "bignum_montsqr_4", "bignum_amontmul_4",
       "bignum_amontsqr_4", "bignum_ksqr_16_32"]
KERNELS = ([f"{op}_{level}" for op in OPS for level in ("baseline", "bmi2")]
           + [f"bignum_copy_row_from_table_{n}_{level}" for n in (4, 6) for level in ("baseline", "avx2", "avx512")])


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build([BY_NAME[k].function for k in KERNELS], str(tmp_path_factory.mktemp("kern")))


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_proves(lib, name):
    spec = spec_for(name)
    r = prove(decode_symbol(lib, name), spec, library=lib)
    assert r.proved, r.message
    assert r.functional == r.frame == r.constant_time == "proved"
    kinds = {o.kind for o in r.obligations}
    assert ("smt" if spec.loops else "algebraic") in kinds and "frame" in kinds and "constant-time" in kinds


def test_montgomery_obligations_are_separate(lib):
    r = prove(decode_symbol(lib, "bignum_montredc_4_bmi2"), spec_for("bignum_montredc_4_bmi2"), library=lib)
    kinds = [o.kind for o in r.obligations]
    assert "smt" in kinds and "range" in kinds and "algebraic" in kinds


def test_wrong_spec_fails(lib):
    """A correct kernel against the wrong spec must fail (the verifier does not rubber-stamp)."""
    r = prove(decode_symbol(lib, "bignum_sqr_4_8_baseline"), spec_for("bignum_mul_4_8"), library=lib)
    assert r.functional == "failed"
    r = prove(decode_symbol(lib, "bignum_amontredc_4_bmi2"), spec_for("bignum_montredc_4"), library=lib)
    assert r.functional == "failed"
    assert any(o.kind == "smt" and o.status == "failed" for o in r.obligations)


def test_table_spec_covers_every_height():
    """One spec instance for all heights: the table's length is the scalar height, the loop carries an invariant."""
    spec = spec_for("bignum_copy_row_from_table_4_avx512")
    assert [s.label for s in specs_for("bignum_copy_row_from_table_4_avx512")] == [
        "bignum_copy_row_from_table_4_avx512"]
    text = spec.show()
    assert "table[height · 4]" in text and "invariant" in text and "idx < height" in text
