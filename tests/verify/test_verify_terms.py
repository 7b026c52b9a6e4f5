"""Terms: hash-consing, folding and intervals agree with concrete evaluation."""
from hypothesis import given, settings, strategies as st

from provenum.verify.terms import Terms, evaluate

M64 = (1 << 64) - 1
words = st.integers(0, M64)


def test_hash_consing_and_folding():
    d = Terms()
    x, y = d.var("x", 64), d.var("y", 64)
    assert d.add(x, y)[0] is d.add(y, x)[0]
    assert d.xor(x, x).is_const(0)
    assert d.add(d.const(M64, 64), d.const(1, 64))[1].is_const(1)
    # a high product word plus one carry cannot overflow: the carry folds to 0
    hi, _ = d.mul_wide(x, y)
    assert hi.hi == M64 - 1
    r, c = d.add(hi, d.const(0, 64), d.var("c", 1))
    assert c.is_const(0) and r.hi == M64
    # sbb r, r is the mask -borrow; and-ing with it is a select
    b = d.var("b", 1)
    mask, borrow = d.sub(x, x, b)
    assert borrow is b and mask.op == "sext"
    assert d.and_(mask, y).op == "ite"


@settings(max_examples=200, deadline=None)
@given(words, words, st.integers(0, 1), st.integers(0, 63))
def test_folding_matches_evaluation(a, b, c, k):
    d = Terms()
    x, y, ci = d.var("x", 64), d.var("y", 64), d.var("c", 1)
    exprs = [*d.add(x, y, ci), *d.sub(x, y, ci), *d.mul_wide(x, y), d.and_(x, y), d.or_(x, y), d.xor(x, y),
             d.shl(x, d.const(k, 8)), d.lshr(x, d.const(k, 8)), d.ashr(x, d.const(k, 8)), d.extract(x, 40, 8),
             d.concat(d.extract(x, 31, 0), d.extract(y, 31, 0)), d.ite(ci, x, y), d.eq(x, y), d.ult(x, y)]
    env = {"x": a, "y": b, "c": c}
    vals = evaluate(exprs, env)
    # every interval contains the value, and substituting constants folds to the same value
    folded = d.substitute(exprs, {x: d.const(a, 64), y: d.const(b, 64), ci: d.const(c, 1)})
    for e, f in zip(exprs, folded):
        assert e.lo <= vals[e.id] <= e.hi
        assert f.op == "const" and f.value == vals[e.id], (e, f)
