"""`provenum recheck` on AArch64 Neon proofs: the lanes' equations (a word's halves in terms of a >> 32, the
mask with 2^32 - 1, sli's disjoint or) are the checker's own, each used only on its condition and with the word
a >> k the proof log names for it when that is lshr(a, k) of the DAG; an honest report is accepted and one whose
log names another word is rejected."""
import pytest

from aarch64util import needs_compiler
from provenum.recheck import recheck
from provenum.recheck.lift import Dag, Evaluator
from test_recheck import Tampered, report_of

# the chain sum of a Neon product, the Montgomery replay with the quotient's halves, almost-Montgomery's
NAMES = ["bignum_mul_4_8_neon", "bignum_montmul_4_neon", "bignum_amontredc_4_neon"]
M64, M32 = (1 << 64) - 1, (1 << 32) - 1


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    from provenum.native import cross

    return report_of(cross.library(), NAMES, tmp_path_factory.mktemp("recheck-arm"))


@needs_compiler
def test_honest_neon_report_accepted(honest):
    v = recheck(honest, jobs=2)
    assert v.accepted, v.problems
    assert v.proofs == len(NAMES)


@needs_compiler
def test_shifted_word_of_another_half_rejected(honest, tmp_path):
    """The low half of x[0] written with x[1] >> 32: the checker keeps it a leaf, and the chain sum (or the
    identity) the proof logged no longer holds."""
    t = Tampered(honest, tmp_path)
    log = t.log("bignum_mul_4_8_neon")
    node = {n[0]: n for n in log["terms"]}
    halves = [(int(e), s) for e, s in log["shifted"].items()
              if int(e) in node and node[int(e)][1] == "extract" and node[int(e)][4] == [31, 0]]
    (e0, s0), (_, s1) = halves[:2]
    assert node[s0][3][0] != node[s1][3][0]
    log["shifted"][str(e0)] = s1
    v = recheck(t.write(["bignum_mul_4_8_neon"]), jobs=2, seed=1)
    assert not v.accepted
    assert any(w == "bignum_mul_4_8_neon" and ("is not the chain's" in p or "is not the logged residual" in p
                                               or "prefix polynomial" in p) for w, p in v.problems), v.problems


def _dag(shift_arg=1, k=32, y_hi=M32):
    nodes = [[1, "var", 64, [], ["a"], 0, M64], [2, "var", 64, [], ["b"], 0, M64],
             [3, "const", 8, [], [k], k, k], [4, "lshr", 64, [shift_arg, 3], [], 0, M64 >> k],
             [5, "extract", 32, [1], [31, 0], 0, M32], [6, "extract", 32, [1], [63, 32], 0, M32],
             [7, "const", 64, [], [M32], M32, M32], [8, "and", 64, [1, 7], [], 0, M32],
             [9, "var", 64, [], ["y"], 0, y_hi], [10, "const", 8, [], [32], 32, 32],
             [11, "shl", 64, [2, 10], [], 0, M64], [12, "or", 64, [11, 9], [], 0, M64],
             [13, "lshr", 64, [2, 10], [], 0, M32]]
    return Dag(nodes, {"5": 4, "6": 4, "8": 4, "11": 13})


def test_lane_equations_hold_only_on_their_condition():
    """extract(a, 31, 0) = a - 2^32 (a >> 32), extract(a, 63, 32) = a >> 32, a & (2^32 - 1) = a - 2^32 (a >> 32)
    with the named word lshr(a, 32); (b << 32) | y = (b << 32) + y for y < 2^32. Named with b >> 32, or a >> 31,
    or y up to 2^32, each is a leaf (a value of its own)."""
    P = (1 << 61) - 1
    ev = Evaluator(_dag(), P, 3)
    a, s, b, y = ev(1), ev(4), ev(2), ev(9)
    assert ev(5) == (a - (s << 32)) % P and ev(6) == s and ev(8) == (a - (s << 32)) % P
    assert ev(12) == (ev(11) + y) % P and ev(11) == ((b << 32) - (ev(13) << 64)) % P
    for wrong in (dict(shift_arg=2), dict(k=31)):
        ev = Evaluator(_dag(**wrong), P, 3)
        a, s = ev(1), ev(4)
        assert ev(5) != (a - (s << 32)) % P and ev(6) != s and ev(8) != (a - (s << 32)) % P
    ev = Evaluator(_dag(y_hi=1 << 32), P, 3)
    assert ev(12) != (ev(11) + ev(9)) % P
