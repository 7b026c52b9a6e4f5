"""Almost-Montgomery on AArch64: the final correction subtracts m & -t, t the top word summed from two carries
(`cset`, `adc`, `neg`, `and`); rule smt-and-neg encodes that mask (0 when t = 0, m when t = 1, nothing else
assumed), and t <= 1 follows from the whole value's bound in the final z3 query. The shipped kernels prove;
twins with the mask or the subtraction changed fail naming the obligation, confirmed under qemu-aarch64."""
import pytest

from aarch64util import NOTE, build_library, needs_compiler, needs_runner
from ruleutil import variant
from provenum.isa.aarch64.decode import decode_symbol
from provenum.verify.prover import prove
from provenum.verify.rules import RULES, prove_rule
from provenum.verify.specs import spec_for

NAME = "bignum_amontredc_4_scalar"


def _text(new_name: str) -> str:
    from provenum.kernels.catalog import ASM_DIRS

    return (ASM_DIRS["aarch64"] / f"{NAME}.S").read_text().replace(NAME, new_name)


def _once(old: str, new: str):
    def edit(t):
        out = t.replace(old, new, 1)
        assert out != t, old
        return out
    return edit


TWINS = {
    "a_twin": lambda t: t,
    # m's word 1 kept where the mask is 0: bic for and
    "a_bic": _once("and      x16, x16, x10", "bic      x16, x16, x10"),
    # the borrow between words 1 and 2 of the subtraction is lost
    "a_borrow_lost": _once("sbcs     x14, x14, x22", "subs     x14, x14, x22"),
    # the top word is the first carry only (the second, adc, is lost)
    "a_top_carry_lost": _once("adc      x12, x12, xzr\n        str      x23, [sp, #568]",
                              "str      x23, [sp, #568]"),
}
FAILS = {"a_bic": "locate the value T", "a_borrow_lost": "Z = T or Z = T - m", "a_top_carry_lost": "residual"}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    src = "".join(edit(_text(name)) for name, edit in TWINS.items())
    return build_library(tmp_path_factory.mktemp("armalmost"), src + NOTE)


@needs_compiler
@pytest.mark.parametrize("name", ["bignum_amontredc_4_scalar", "bignum_amontredc_4_neon",
                                  "bignum_amontmul_4_neon", "bignum_amontsqr_8_scalar"])
def test_shipped_almost_montgomery_kernel_proves(name):
    from provenum.native import cross

    lib = cross.library()
    r = prove(decode_symbol(lib, name), spec_for(name), search_counterexample=False, library=lib)
    assert r.proved, r.message
    assert any("Z = T or Z = T - m" in o.statement and o.status == "proved" for o in r.obligations)


@needs_compiler
def test_renamed_twin_proves(lib):
    r = prove(decode_symbol(lib, "a_twin"), spec_for(NAME), search_counterexample=False, library=lib)
    assert r.proved, r.message


@needs_runner
@pytest.mark.parametrize("name", sorted(FAILS))
def test_changed_correction_fails_with_a_counterexample_confirmed_by_qemu(lib, name):
    r = prove(decode_symbol(lib, name), spec_for(NAME), library=lib)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    assert FAILS[name] in r.message, r.message
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex


def test_negated_mask_rule_is_proved_and_claims_nothing_more():
    """smt-and-neg holds at 64 bits; claiming y & -t = y for t = 2, or 0 for t = 1, is refused by z3."""
    sig = dict(w=64)
    assert prove_rule(RULES["smt-and-neg"], sig)[0]
    at_two = lambda Z, v: [Z.If(Z.of(v.t) == 2, Z.me, Z.of(v.y)) == Z.of(v.y)]  # noqa: E731
    assert not prove_rule(variant("smt-and-neg", then=at_two), sig)[0]
    zero_at_one = lambda Z, v: [Z.If(Z.of(v.t) == 1, Z.me, 0) == 0]  # noqa: E731
    assert not prove_rule(variant("smt-and-neg", then=zero_at_one), sig)[0]
