"""Neon products on AArch64: a 64x64 product made on 32-bit lanes (uzp1/uzp2 halves, umull/umlal by element,
usra #32, and with 2^32 - 1, sli #32) lifts to exact algebra by z3-proved rules (the pieces of a word split at bit
32, the disjoint or of sli, the high word's bound 2^64 - 2), so the shipped _neon kernels prove; the shipped
4-word product with one lane instruction changed fails, its counterexample confirmed under qemu-aarch64."""
import pytest

from aarch64util import NOTE, build_library, needs_compiler, needs_runner
from ruleutil import variant
from provenum.isa.aarch64.decode import decode_symbol
from provenum.verify.prover import prove
from provenum.verify.rules import RULES, prove_rule
from provenum.verify.specs import spec_for

MUL4 = spec_for("bignum_mul_4_8_neon")


def _shipped(new_name: str, edit) -> str:
    from provenum.kernels.catalog import ASM_DIRS

    name = "bignum_mul_4_8_neon"
    text = (ASM_DIRS["aarch64"] / f"{name}.S").read_text().replace(name, new_name)
    out = edit(text)
    assert out != text or new_name == "n_twin"
    return out


def _once(old: str, new: str):
    return lambda t: t.replace(old, new, 1)


TWINS = {
    "n_twin": lambda t: t,
    # one of the high word's two shifted additions is lost
    "n_usra_lost": _once("        usra     v16.2d, v7.2d, #32\n", ""),
    # the accumulate of a cross product becomes a plain multiply (x_lo * y_hi is dropped)
    "n_umlal_as_umull": _once("umlal2   v7.2d, v2.4s, v4.s[1]", "umull2   v7.2d, v2.4s, v4.s[1]"),
    # the low-half mask keeps 24 bits, not 32
    "n_mask_24": _once("movi     v31.2d, #0x00000000ffffffff", "movi     v31.2d, #0x0000000000ffffff"),
    # the low word's insert at bit 31 instead of 32
    "n_sli_31": _once("sli      v5.2d, v7.2d, #32", "sli      v5.2d, v7.2d, #31"),
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    src = "".join(_shipped(name, edit) for name, edit in TWINS.items())
    return build_library(tmp_path_factory.mktemp("armneon"), src + NOTE)


@needs_compiler
@pytest.mark.parametrize("name", ["bignum_mul_8_16_neon", "bignum_sqr_8_16_neon", "bignum_mul_12_24_neon",
                                  "bignum_montredc_4_neon"])
def test_shipped_neon_kernel_proves(name):
    """Products, and a Montgomery reduction whose quotient words go to the vector unit (fmov, halves .s[0], .s[1])."""
    from provenum.native import cross

    lib = cross.library()
    r = prove(decode_symbol(lib, name), spec_for(name), search_counterexample=False, library=lib)
    assert r.proved, r.message


@needs_runner
def test_reduction_with_a_quotient_half_swapped_fails(tmp_path):
    """montredc_4_neon multiplying m by the high half of q where the low half belongs: not a proof."""
    from provenum.kernels.catalog import ASM_DIRS

    name = "bignum_montredc_4_neon"
    text = (ASM_DIRS["aarch64"] / f"{name}.S").read_text().replace(name, "r_half_swapped")
    bad = text.replace("umull2   v6.2d, v4.4s, v0.s[0]", "umull2   v6.2d, v4.4s, v0.s[1]", 1)
    assert bad != text
    lib = build_library(tmp_path, bad + NOTE)
    spec = spec_for(name)
    r = prove(decode_symbol(lib, "r_half_swapped"), spec, library=lib)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    assert "residual" in r.message
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex


@needs_compiler
def test_renamed_twin_proves(lib):
    r = prove(decode_symbol(lib, "n_twin"), MUL4, search_counterexample=False, library=lib)
    assert r.proved, r.message


@needs_runner
@pytest.mark.parametrize("name", sorted(set(TWINS) - {"n_twin"}))
def test_lane_mutant_fails_with_a_counterexample_confirmed_by_qemu(lib, name):
    r = prove(decode_symbol(lib, name), MUL4, library=lib)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    assert "residual" in r.message
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex


def test_neon_high_word_rule_is_proved_and_its_bound_is_tight():
    """add-neon-high holds; claiming 2^64 - 3, or dropping the partial products' bound, is refused by z3."""
    from provenum.verify.rules import ALL
    from provenum.verify.term_rules import PROD32

    sig = dict(w=64)
    assert prove_rule(RULES["add-neon-high"], sig)[0]
    base = RULES["add-neon-high"]

    def tighter(D, v):
        word, carry = base.then(D, v)
        return D.node("addr", word.args, 64, lo=0, hi=(1 << 64) - 3), carry
    assert not prove_rule(variant("add-neon-high", then=tighter), sig)[0]
    loose = lambda v: ALL(*[v[p].hi <= PROD32 * PROD32 + 1 for p in ("pll", "phl", "plh", "phh")])  # noqa: E731
    assert not prove_rule(variant("add-neon-high", when=loose), sig)[0]


@pytest.mark.parametrize("name, sig", [("lift-and-low", dict(w=64, m=0xFFFFFFFF)),
                                       ("lift-or-shl", dict(w=64, k=32)),
                                       ("lift-extract-bottom", dict(w=32, hi=31, lo=0, aw=64)),
                                       ("lift-extract-top", dict(w=32, hi=63, lo=32, aw=64))])
def test_lane_lift_rules_are_proved_and_need_their_condition(name, sig):
    r = RULES[name]
    assert prove_rule(r, sig)[0]
    if r.when is not None and name == "lift-or-shl":     # y may reach bit k: the or is not a sum
        from provenum.verify.rules import ALL
        assert not prove_rule(variant(name, when=lambda v: ALL(v.k.value < v.w, v.y.hi < (1 << (v.k.value + 1)))),
                              sig)[0]
