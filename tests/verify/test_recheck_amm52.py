"""`provenum recheck` on the radix-2^52 almost-Montgomery kernels (AVX-512 IFMA; the proofs run on any CPU):
the cleared shift atoms a >> 52 re-derived modulo 2^52 from the checker's own lane equations, the identity
2^(52 n) Z - X Y = K m + rest at random points, K's interval, and the bound queries rerun with cvc5. An honest
report is accepted; an altered coefficient, a removed hypothesis or a flipped answer is rejected."""
import pytest

from provenum import native
from provenum.recheck import recheck
from provenum.recheck.lift import Dag, Evaluator
from test_recheck import Tampered, _rejects, _unnegated, report_of

AMM, AMM2 = "bignum_amm52_20_avx512ifma", "bignum_amm52x2_20_avx512ifma"


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return report_of(native.library_path(), [AMM, AMM2], tmp_path_factory.mktemp("recheck52"))


def _step(t, kind, name=AMM):
    return next(s for s in t.log(name)["steps"] if s["kind"] == kind)


def test_honest_amm52_report_accepted(honest):
    v = recheck(honest, jobs=2)
    assert v.accepted, v.problems
    assert v.proofs == 2 and v.queries >= 12   # per product: X Y < R m, the remainder, Z < 2m, the digits


def test_altered_quotient_coefficient_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    _step(t, "montgomery52")["K"][0][1] += 1
    _rejects(t.write([AMM]), AMM, "is not the logged remainder")


def test_altered_remainder_coefficient_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    step = _step(t, "montgomery52")
    assert step["rest"]   # the top carry the kernel drops, shown 0 by a query
    step["rest"][0][1] *= 2
    _rejects(t.write([AMM]), AMM, "is not the logged remainder")


def test_altered_cleared_shift_polynomial_rejected(honest, tmp_path):
    # the lane a cleared shift is about: another shift atom (its argument is not 0 modulo 2^52)
    t = Tampered(honest, tmp_path)
    log = t.log(AMM)
    step = _step(t, "cleared52")
    cleared = set(step["shifts"])
    node = {n[0]: n for n in log["terms"]}
    other = next(n[0] for n in log["terms"] if n[1] == "lshr" and n[0] not in cleared
                 and node[n[3][1]][4] == [52] and n[2] == 64)
    step["shifts"][0] = other
    _rejects(t.write([AMM]), AMM, f"the argument of shift t{other} is not 0 modulo 2^52")


def test_altered_lane_coefficient_rejected(honest, tmp_path):
    # a constant of the DAG the cleared lanes rest on, changed: the low digit no longer cancels modulo 2^52
    t = Tampered(honest, tmp_path)
    log = t.log(AMM)
    mask = next(n for n in log["terms"] if n[1] == "const" and n[4] == [(1 << 52) - 1])
    mask[4] = [(1 << 51) - 1]
    _rejects(t.write([AMM]), AMM, "is not 0 modulo 2^52")


def test_removed_montgomery_hypothesis_rejected(honest, tmp_path):
    # without m[0] k0 == -1 (mod 2^52) -- the step names another word as k0 -- no lane is cleared
    t = Tampered(honest, tmp_path)
    _step(t, "cleared52")["k0"] = _step(t, "montgomery52")["M"][1]
    _rejects(t.write([AMM]), AMM, "is not 0 modulo 2^52")


def test_removed_cleared_lane_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    gone = _step(t, "cleared52")["shifts"].pop()
    _rejects(t.write([AMM]), AMM, f"shift t{gone} is used as cleared")


def test_removed_product_identity_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    steps = t.log(AMM2)["steps"]
    steps.remove([s for s in steps if s["kind"] == "montgomery52"][1])
    _rejects(t.write([AMM2]), AMM2, "cleared lanes without its identity")


def test_quotient_interval_outside_the_queries_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    step = _step(t, "montgomery52")
    step["k"][1] //= 2
    _rejects(t.write([AMM]), AMM, "K is not within")


def test_removed_bound_query_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    log = t.log(AMM)
    log["queries"] = [q for q in log["queries"] if q["claim"].get("goal52") != "rest"]
    _rejects(t.write([AMM]), AMM, "no query shows 'rest'")


def test_removed_query_hypothesis_rejected(honest, tmp_path):
    # Z < 2m without X Y < R m: cvc5 finds a model
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log(AMM)["queries"] if q["claim"].get("goal52") == "below 2m")
    text = q["smt2"]
    assert text.count("(< XY ") == 1
    q["smt2"] = text.replace("(< XY ", "(<= 0 ", 1)
    _rejects(t.write([AMM]), AMM, "cvc5 says sat")


def test_flipped_answer_or_query_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    next(q for q in t.log(AMM)["queries"] if q["claim"].get("goal52") == "below 2m")["answer"] = "sat"
    _rejects(t.write([AMM]), AMM, "is logged as sat")
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log(AMM)["queries"] if q["claim"].get("goal52") == "digits")
    q["smt2"] = _unnegated(q["smt2"])
    _rejects(t.write([AMM]), AMM, "cvc5 says sat")


def test_padding_word_not_zero_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    step = _step(t, "zero-words")
    step["words"][0] = _step(t, "montgomery52")["Z"][0]
    _rejects(t.write([AMM]), AMM, "is not the constant 0")


def _or_dag(k: int, j: int):
    # t1 = a, t2 = b (64 bits, full intervals), t5 = a >> k, t6 = b << j (intervals as loose as can be)
    M = (1 << 64) - 1
    return Dag([[1, "var", 64, [], [], 0, M], [2, "var", 64, [], [], 0, M], [3, "const", 8, [], [k], k, k],
                [4, "const", 8, [], [j], j, j], [5, "lshr", 64, [1, 3], [], 0, M], [6, "shl", 64, [2, 4], [], 0, M],
                [7, "or", 64, [5, 6], [], 0, M]], {})


def test_or_of_disjoint_shifts_is_their_sum_only_when_disjoint():
    ev = Evaluator(_or_dag(52, 12), (1 << 61) - 1, 3)
    assert ev(7) == (ev(5) + ev(6)) % ((1 << 61) - 1)
    ev = Evaluator(_or_dag(40, 12), (1 << 61) - 1, 3)   # bits 12..23 may overlap: no equation, a leaf
    assert ev(7) != (ev(5) + ev(6)) % ((1 << 61) - 1)
