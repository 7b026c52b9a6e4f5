"""The verifier checks its own rules: every rewrite, folding and interval rule of the term layer and
every fact the prover decides about terms is a bit-vector identity z3 proves (rules.py).

A new rule without signatures to prove it at, or one whose statement does not
hold, fails here; so does a rewrite written into a constructor outside the
registry.
"""
import ast
import inspect
import random

import pytest
from hypothesis import given, settings, strategies as st

from provenum.machine.concrete import Bits, ConcreteDomain
from provenum.verify import meaning, rules, terms
from provenum.verify.rules import RULES, Ledger, prove_rule
from provenum.verify.terms import Terms, evaluate

CASES = [(name, sig) for name, r in RULES.items() if not r.fold for sig in r.sigs]


def test_every_rule_has_signatures_and_a_statement():
    assert len(RULES) > 100
    for name, r in RULES.items():
        assert r.doc, f"rule {name} says nothing about what it claims"
        if not r.fold:
            assert r.sigs, f"rule {name} has no signature to be proved at"
    families = {r.ctor for r in RULES.values()}
    assert {"add", "sub", "mul_wide", "and_", "extract", "concat", "lift", "ptr", "smt", "chain"} <= families


@pytest.mark.parametrize("name,sig", CASES, ids=[f"{n}{sorted(s.items())}" for n, s in CASES])
def test_rule_is_proved(name, sig):
    ok, why = prove_rule(RULES[name], dict(sig))
    assert ok, f"{name} at {sig}: {why}"


def test_unsound_rule_is_refused_where_it_is_applied(monkeypatch):
    """The concat rule as it was before issue 9 (any width of b) is refused at width 8, so not applied."""
    from provenum.verify.rules import N, S, X, rule

    monkeypatch.setattr(rules, "LEDGER", Ledger())
    monkeypatch.setattr(terms, "LEDGER", rules.LEDGER)
    monkeypatch.setattr(rules.LEDGER, "_loaded", True)       # no cache file: prove afresh
    bad = rule("concat-sext-any", "concat", (N("sext", (X("b", "bw"),), w="w1"), N("sext", (S("b"),), w="w2")),
               theory="bv", then=lambda D, v: D.sext(v.b, v.w1 + v.w2), sigs=(dict(bw=8, w1=32, w2=32),),
               doc="the unsound rule of issue 9, cause 2")
    try:
        rules.BY_CTOR["concat"].insert(0, rules.BY_CTOR["concat"].pop())
        rules.reindex()
        assert not prove_rule(bad, dict(bw=8, w1=32, w2=32))[0]
        assert prove_rule(bad, dict(bw=1, w1=32, w2=32))[0]       # for a 1-bit b it holds
        d = Terms()
        b8 = d.var("b", 8)
        word = d.concat(d.sext(b8, 32), d.sext(b8, 32))
        assert word.op == "concat"                                 # refused: the plain node
        b1 = d.var("c", 1)
        assert d.concat(d.sext(b1, 32), d.sext(b1, 32)) is d.sext(b1, 64)
        assert any(k.startswith("concat-sext-any|") for k in rules.LEDGER.refused)
    finally:
        rules.BY_CTOR["concat"].remove(bad)
        rules.reindex()
        del RULES[bad.name]


CONSTRUCTORS = {r.ctor for r in RULES.values()} - {"lift", "ptr", "smt", "chain"}


def _constructor_methods():
    cls = ast.parse(inspect.getsource(Terms)).body[0]
    names = CONSTRUCTORS
    return [f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name in names]


def test_constructors_only_dispatch_to_rules():
    """Each constructor is `return self._apply(...)` (extract: behind its memo): no rewrite outside the rules."""
    methods = _constructor_methods()
    assert len(methods) == len(CONSTRUCTORS)
    for f in methods:
        calls = [n for n in ast.walk(f) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "_apply"]
        returns = [n for n in ast.walk(f) if isinstance(n, ast.Return)]
        assert len(calls) == 1, f.name
        assert all(isinstance(r.value, (ast.Call, ast.Name)) for r in returns), f.name
        branches = [n for n in ast.walk(f) if isinstance(n, ast.If)]
        assert f.name == "extract" and len(branches) == 1 or not branches, f"{f.name} branches outside its rules"


# --- the meaning of operations: concrete domain, evaluate, z3 ----------------------------------------

M = {w: (1 << w) - 1 for w in range(1, 513)}
BINARY = ("and_", "or_", "xor", "eq", "ult", "slt")


def _value(rng, w):
    kind = rng.randrange(5)
    return [0, M[w], 1 << (w - 1), rng.getrandbits(w), rng.getrandbits(w) & 0xFF][kind] & M[w]


def _z3_value(expr):
    import z3

    return z3.simplify(expr).as_long()


@pytest.mark.parametrize("w", [1, 3, 8, 13, 32, 64, 128])
def test_meaning_agrees_with_the_concrete_domain_and_evaluate(w):
    """What folding computes (concrete domain), what evaluate computes, and the z3 meanings agree."""
    import z3

    rng = random.Random(w)
    D = ConcreteDomain()
    cases = 60 if w <= 64 else 15
    for _ in range(cases):
        x, y, c = _value(rng, w), _value(rng, w), rng.getrandbits(1)
        k = rng.choice([0, 1, w - 1, w, w + 3, rng.randrange(2 * w + 1)]) & 0xFF
        bx, by, bc, bk = Bits(x, w), Bits(y, w), Bits(c, 1), Bits(k, 8)
        t = Terms()
        vx, vy, vc, vk = t.var("x", w), t.var("y", w), t.var("c", 1), t.var("k", 8)
        env = {"x": x, "y": y, "c": c, "k": k}
        zx, zy, zc, zk = (z3.BitVecVal(v, n) for v, n in ((x, w), (y, w), (c, 1), (k, 8)))
        ix, iy, ic, ik = (z3.IntVal(v) for v in (x, y, c, k))
        hi, lo = rng.randrange(w), 0
        hi, lo = max(hi, lo), min(hi, lo)
        lo = rng.randrange(hi + 1)
        ops = [
            ("addr", D.add(bx, by, bc)[0], (vx, vy, vc), (zx, zy, zc), (ix, iy, ic), ()),
            ("addc", D.add(bx, by, bc)[1], (vx, vy, vc), (zx, zy, zc), (ix, iy, ic), ()),
            ("subr", D.sub(bx, by, bc)[0], (vx, vy, vc), (zx, zy, zc), (ix, iy, ic), ()),
            ("subc", D.sub(bx, by, bc)[1], (vx, vy, vc), (zx, zy, zc), (ix, iy, ic), ()),
            ("mulhi", D.mul_wide(bx, by)[0], (vx, vy), (zx, zy), (ix, iy), ()),
            ("mullo", D.mul_wide(bx, by)[1], (vx, vy), (zx, zy), (ix, iy), ()),
            ("smulhi", D.smul_wide(bx, by)[0], (vx, vy), (zx, zy), (ix, iy), ()),
            ("and", D.and_(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("or", D.or_(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("xor", D.xor(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("not", D.not_(bx), (vx,), (zx,), (ix,), ()),
            ("shl", D.shl(bx, bk), (vx, vk), (zx, zk), (ix, ik), ()),
            ("lshr", D.lshr(bx, bk), (vx, vk), (zx, zk), (ix, ik), ()),
            ("ashr", D.ashr(bx, bk), (vx, vk), (zx, zk), (ix, ik), ()),
            ("extract", D.extract(bx, hi, lo), (vx,), (zx,), (ix,), (hi, lo)),
            ("concat", D.concat(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("zext", D.zext(bx, w + 5), (vx,), (zx,), (ix,), ()),
            ("sext", D.sext(bx, w + 5), (vx,), (zx,), (ix,), ()),
            ("eq", D.eq(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("ult", D.ult(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("slt", D.slt(bx, by), (vx, vy), (zx, zy), (ix, iy), ()),
            ("ite", D.ite(bc, bx, by), (vc, vx, vy), (zc, zx, zy), (ic, ix, iy), ()),
        ]
        if w == 8:
            ops.append(("parity", D.parity(bx), (vx,), (zx,), (ix,), ()))
        for op, want, targs, zargs, iargs, params in ops:
            width = want.w
            node = t._node(op, targs, width, params)
            got = evaluate([node], env)[node.id]
            widths = tuple(a.width for a in targs)
            assert got == want.v, (op, w, "evaluate")
            assert _z3_value(meaning.bv(op, list(zargs), width, params, widths)) == want.v, (op, w, "bv")
            iparams = (k,) if op in ("shl", "lshr", "ashr") else params
            ival = meaning.int_(op, list(iargs), widths, width, iparams)
            if ival is not None:
                assert _z3_value(ival) == want.v, (op, w, "int")


# --- the term layer against the concrete domain: random expressions ------------------------------------

def _expression(draw_op, depth, leaves, rng, D, T):
    """A random expression built twice: in the concrete domain and with the term constructors."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(leaves)
    (ca, ta), (cb, tb) = (_expression(draw_op, depth - 1, leaves, rng, D, T) for _ in range(2))
    w = ca.w
    if cb.w != w:
        cb, tb = (D.zext(cb, w), T.zext(tb, w)) if cb.w < w else (D.extract(cb, w - 1, 0), T.extract(tb, w - 1, 0))
    op = draw_op(rng)
    if op in ("add", "sub"):
        cin = rng.choice(leaves)
        c1, t1 = (D.extract(cin[0], 0, 0), T.extract(cin[1], 0, 0))
        r = getattr(D, op)(ca, cb, c1)
        s = getattr(T, op)(ta, tb, t1)
        i = rng.randrange(2)
        return r[i], s[i]
    if op == "mul_wide":
        i = rng.randrange(2)
        return D.mul_wide(ca, cb)[i], T.mul_wide(ta, tb)[i]
    if op in ("and_", "or_", "xor"):
        return getattr(D, op)(ca, cb), getattr(T, op)(ta, tb)
    if op == "not_":
        return D.not_(ca), T.not_(ta)
    if op in ("shl", "lshr", "ashr"):
        k = rng.choice([0, 1, 3, w - 1, w, w + 1])
        return getattr(D, op)(ca, Bits(k, 8)), getattr(T, op)(ta, T.const(k, 8))
    if op == "extract":
        lo = rng.randrange(w)
        hi = rng.randrange(lo, w)
        return D.extract(ca, hi, lo), T.extract(ta, hi, lo)
    if op == "concat":
        return D.concat(ca, cb), T.concat(ta, tb)
    if op in ("zext", "sext"):
        n = w + rng.choice([0, 1, 8, 32])
        return getattr(D, op)(ca, n), getattr(T, op)(ta, n)
    if op == "ite":
        c = (D.extract(ca, 0, 0), T.extract(ta, 0, 0))
        return D.ite(c[0], ca, cb), T.ite(c[1], ta, tb)
    if op in ("eq", "ult"):
        r = getattr(D, op)(ca, cb), getattr(T, op)(ta, tb)
        return D.sext(r[0], w), T.sext(r[1], w)
    raise AssertionError(op)


OPS = ("add", "sub", "mul_wide", "and_", "or_", "xor", "not_", "shl", "lshr", "ashr", "extract", "concat", "zext",
       "sext", "ite", "eq", "ult")


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([1, 8, 16, 32, 64]))
def test_simplified_terms_compute_what_the_operations_compute(seed, w):
    rng = random.Random(seed)
    D, T = ConcreteDomain(), Terms()
    leaves, env = [], {}
    for i in range(3):
        v = _value(rng, w)
        env[f"v{i}"] = v
        leaves.append((Bits(v, w), T.var(f"v{i}", w)))
    b = rng.getrandbits(1)
    env["b"] = b
    leaves.append((D.sext(Bits(b, 1), w), T.sext(T.var("b", 1), w)))     # masks: the idioms' shape
    leaves.append((Bits(M[w], w), T.const(M[w], w)))
    want, term = _expression(lambda r: r.choice(OPS), 4, leaves, rng, D, T)
    got = evaluate([term], env)
    assert got[term.id] == want.v
    for u in terms.walk([term]):
        assert u.lo <= got[u.id] <= u.hi, (u, got[u.id])


# --- carries, borrows and chains at the operation's width ----------------------------------------------

@pytest.mark.parametrize("w", [8, 16, 32, 64])
def test_chain_bits_are_decided_at_their_width(w):
    """A two-word chain of w-bit adds: its carry is decided when (and only as) the sum forces it."""
    from provenum.verify.algebra import Lifter
    from provenum.verify.chains import bit_forced, bit_value

    T = Terms()
    x0, x1 = T.var("x0", w), T.var("x1", w)
    # x + ~x (+ 1): no carry from the low word without the +1, always one with it
    for cin, want in ((T.const(0, 1), 0), (T.const(1, 1), 1)):
        r0, c0 = T.add(x0, T.not_(x0), cin)
        r1, c1 = T.add(x1, T.not_(x1), c0)
        assert bit_value(c1, T, Lifter(T)) == want
    # x0 + x1: undecided (either is possible), also at widths where 2^64 would have said "no carry"
    _, c = T.add(x0, x1)
    assert bit_value(c, T, Lifter(T)) is None
    # a borrow chain: 0 - (1:x0) always borrows out of the high word; 0 - x0 alone is undecided
    _, b0 = T.sub(T.zero(w), x0)
    _, b1 = T.sub(T.zero(w), T.const(1, w), b0)
    assert bit_value(b0, T, Lifter(T)) is None and bit_value(b1, T, Lifter(T)) == 1
    # under a case split on another chain's borrow: x0 < x1 forces x1 - x0 not to borrow
    _, b01 = T.sub(x0, x1)
    _, b10 = T.sub(x1, x0)
    assert bit_forced(b10, {b01.id: (b01, 1)}, T, Lifter(T)) == 0
    # concrete check of what was decided, at this width
    rng = random.Random(w)
    for _ in range(200):
        a, bb = rng.getrandbits(w), rng.getrandbits(w)
        vals = evaluate([c], {"x0": a, "x1": bb})
        assert vals[c.id] == (a + bb) >> w


@pytest.mark.parametrize("top", [1, 2])
def test_chain_bit_is_decided_over_word_atoms_only_when_the_sum_cannot_reach_it(top):
    """Karatsuba's Neon column: a product of a difference word d and y, plus a word z <= 2^64 - 2 and, in the
    high word, t <= top (kmul_24_48_neon: a carry parked by cset and one more carry). With d a word atom in
    [0, 2^64), E = d y + z + 2^64 t <= 2^128 - 1 decides the top carry 0 at top = 1; d's definition
    x0 - x1 + 2^64 borrow expanded, intervals see nothing. The twin at top = 2 really carries out (the
    values below), and is left undecided."""
    from provenum.verify.algebra import Lifter
    from provenum.verify.chains import bit_value

    T = Terms()
    x0, x1, y = T.var("x0", 64), T.var("x1", 64), T.var("y", 64)
    d, _ = T.sub(x0, x1)
    hi, lo = T.mul_wide(d, y)
    t = T.var("t", 64, hi=top)
    _, c0 = T.add(lo, T.var("z", 64, hi=M[64] - 1))
    _, c1 = T.add(hi, t, c0)
    assert c1.op == "addc"   # not folded by the terms' intervals: hi <= 2^64 - 2, t + c0 may make 2^64
    assert bit_value(c1, T, Lifter(T)) == (0 if top == 1 else None)
    carries = evaluate([c1], dict(x0=M[64], x1=0, y=M[64], z=M[64] - 1, t=top))[c1.id]
    assert carries == (top == 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 3), max_size=3), st.integers(-50, 50)), max_size=6),
       st.lists(st.tuples(st.integers(-20, 20), st.integers(0, 30)), min_size=4, max_size=4), st.integers(0, 10**6))
def test_polynomial_intervals_contain_every_value(monos, boxes, seed):
    """poly_interval (how intervals of atoms bound a polynomial) holds at random points of the boxes."""
    from provenum.verify.algebra import p_add
    from provenum.verify.bounds import poly_interval

    p = p_add(*({tuple(sorted(m)): c} for m, c in monos if c)) if monos else {}
    ranges = {a: (lo, lo + span) for a, (lo, span) in enumerate(boxes)}
    lo, hi = poly_interval(p, ranges)
    rng = random.Random(seed)
    for _ in range(20):
        point = {a: rng.choice([lo_, hi_, rng.randint(lo_, hi_)]) for a, (lo_, hi_) in ranges.items()}
        value = sum(c * _prod(point[a] for a in m) for m, c in p.items())
        assert lo <= value <= hi


def _prod(xs):
    out = 1
    for x in xs:
        out *= x
    return out
