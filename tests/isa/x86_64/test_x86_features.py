"""What each instruction needs of the CPU, and the dispatch levels built on that."""
import pytest

from provenum.isa.x86_64 import FORMS
from provenum.isa.x86_64.decode import decode_one
from provenum.isa.x86_64.features import (LEVEL_NAMES, best_level, cap, features_of, level_features, level_of,
                                          missing_for)


def _needs(code_hex: str) -> set:
    return set(features_of(decode_one(bytes.fromhex(code_hex), 0x1000)))


@pytest.mark.parametrize("code, need", [
    ("4801d8", set()),                                   # add rax, rbx
    ("48f7e3", set()),                                   # mul rbx
    ("660f38f6c3", {"adx"}),                             # adcx rax, rbx
    ("c4e2f3f6c2", {"bmi2"}),                            # mulx rax, rcx, rdx: VEX but no AVX
    ("c5f5efc2", {"avx", "avx2"}),                       # vpxor ymm0, ymm1, ymm2
    ("c5f1efc2", {"avx"}),                               # vpxor xmm0, xmm1, xmm2
    ("c5fe6f00", {"avx"}),                               # vmovdqu ymm0, [rax]
    ("62f1f528efc2", {"avx", "avx512f", "avx512vl"}),    # vpxorq ymm0, ymm1, ymm2 (EVEX)
    ("62f1f548efc2", {"avx", "avx512f"}),                # vpxorq zmm0, zmm1, zmm2
    ("c4e1f890c8", {"avx", "avx512f", "avx512bw"}),      # kmovq k1, k0
    ("660f3829c1", {"sse4_1"}),                          # pcmpeqq xmm0, xmm1
])
def test_features_of(code, need):
    assert _needs(code) == need


def test_levels_are_cumulative_and_ordered():
    assert LEVEL_NAMES == ("baseline", "bmi2", "avx2", "avx512", "avx512ifma")
    for lo, hi in zip(LEVEL_NAMES, LEVEL_NAMES[1:]):
        assert level_features(lo) < level_features(hi)
    assert level_features("baseline") == frozenset()


def test_best_level_needs_every_feature_of_the_levels_below():
    haswell = {"bmi1", "bmi2", "avx", "avx2", "sse4_1"}          # no ADX
    zen3 = haswell | {"adx"}
    skylake_x = zen3 | {"avx512f", "avx512vl", "avx512bw", "avx512dq"}
    emerald = skylake_x | {"avx512ifma"}
    assert best_level(haswell) == "baseline"
    assert best_level(zen3) == "avx2"
    assert best_level(skylake_x) == "avx512"
    assert best_level(emerald) == "avx512ifma"
    assert best_level({"avx512ifma"} | zen3) == "avx2"          # IFMA without the AVX-512 below it
    assert missing_for("avx512", zen3) == ["avx512bw", "avx512dq", "avx512f", "avx512vl"]


def test_cap_drops_the_levels_above_and_what_needs_them():
    emerald = {"bmi1", "bmi2", "adx", "sse4_1", "avx", "avx2", "avx512f", "avx512vl", "avx512bw",
               "avx512dq", "avx512ifma"}
    assert cap(emerald, "avx2") == {"bmi1", "bmi2", "adx", "sse4_1", "avx", "avx2"}
    assert cap(emerald, "baseline") == {"sse4_1"}
    assert cap(emerald, "avx512") == emerald - {"avx512ifma"}
    assert cap(emerald, "avx512ifma") == emerald


def test_every_form_is_classified_within_some_level():
    """Each supported form's examples need features that some level (or SSE4.1) provides."""
    from provenum.machine.harness import Harness

    for stub in Harness(features=frozenset()).stubs:
        need = features_of(stub.insn) - {"sse4_1", "avx512ifma"}
        assert level_of(need) in LEVEL_NAMES, stub.source
    assert FORMS
