"""The Montgomery strategy: reduction, multiplication and squaring modulo m.

The proof has three parts, each its own kind of obligation:

1. *Local, algebraic modulo 2^64.* Every word the code computes only for its
   carry (the low word of row i, which Montgomery's choice of q clears) is
   shown to be 0: its polynomial modulo 2^64, with the quotient word
   q = t*w rewritten through m[0]*w == -1, vanishes. The carry out of that
   add is then exactly (a + b + c_in) / 2^64.
2. *Global, algebraic.* With those carries substituted, R*T - X is a
   polynomial that must equal K*m for the quotient K (its coefficient of
   m[0]); T is the (n+1)-word value entering the final subtraction.
3. *Final correction, by z3 (linear integer arithmetic).* The conditional
   subtraction and the selection are encoded word by word; with R*T = X + K*m,
   0 <= K < R and X < R*m, z3 shows the output Z satisfies Z = T or Z = T - m,
   and Z < m. Hence R*Z == X (mod m).
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

from .algebra import Lifter, p_add, p_atoms, p_mul, p_scale, p_sub, p_substitute, show_poly
from .bounds import expr_interval, poly_interval
from .prooflog import current as current_log, expr_json, poly_json
from .prover import (GoalFailure, Obligation, _leaf, atom_names, decide_chain_bits, drop_zero_carries, expr_poly,
                     first_address, install_summaries, register_strategy, split_bits,
                     summary_inputs)
from .rules import encode, fact_holds
from .terms import walk

TAIL_OPS = {"ite", "subr", "subc", "addr", "addc", "zext", "not", "eq"}
BIT_OPS = {"and", "or", "xor"}
MUL_OPS = {"mullo", "mulhi", "smulhi"}


def _mul_free_ids(roots) -> dict:
    """term id -> True when no multiplication is below it."""
    free: dict = {}
    for t in walk(roots):
        free[t.id] = t.op not in MUL_OPS and all(free[a.id] for a in t.args)
    return free


def _direct_m(roots, m_ids):
    """term id -> True when an m word reaches it other than through a multiplication."""
    direct: dict = {}
    for t in walk(roots):
        direct[t.id] = t.id in m_ids or (t.op not in MUL_OPS and any(direct[a.id] for a in t.args))
    return direct


def _negated_mask(t):
    """(y, s) when t is y & -s (A64's mask: `neg` of a small top word s, then `and`), else None."""
    if t.op != "and" or t.width != 64:
        return None
    for y, mask in (t.args, t.args[::-1]):
        if mask.op == "subr" and mask.args[0].op == "const" and mask.args[0].value == 0 \
                and mask.args[2].op == "const" and mask.args[2].value == 0:
            return y, mask.args[1]
    return None


def _tail(outputs, m_words):
    """Terms from the outputs down through the final correction (subtract or add back m, select).

    A term is in the tail when m reaches it directly (not through a product);
    1-bit tests on the way (eq, bit logic) are followed too, and a word of m
    masked by the negation of a top word s (encoded by rule smt-and-neg,
    through to s). What the tail stands on -- the cut terms -- are the words
    of the accumulated value T.
    """
    m_ids = {w.id for w in m_words}
    direct = _direct_m(outputs, m_ids)
    tail, cuts, seen = [], [], set()
    stack = list(outputs)
    while stack:
        t = stack.pop()
        if t.id in seen:
            continue
        seen.add(t.id)
        if t.op in ("const", "var"):
            continue
        masked = _negated_mask(t) if direct[t.id] else None
        if masked is not None:
            tail.append(t)
            stack.extend(masked)
            continue
        encodable = t.op in TAIL_OPS or (t.op in BIT_OPS and t.width == 1)
        if encodable and (direct[t.id] or (t.width == 1 and t.op in {"eq", "not"} | BIT_OPS)):
            tail.append(t)
            stack.extend(t.args)
        else:
            cuts.append(t)
    return tail, cuts


def _m_index(t, m_ids):
    """The k of the single m[k] a small correction operand is built from, or None."""
    ks, seen, stack = set(), set(), [t]
    while stack:
        u = stack.pop()
        if u.id in seen or u.op in MUL_OPS:
            continue
        seen.add(u.id)
        if u.id in m_ids:
            ks.add(m_ids[u.id])
        stack.extend(u.args)
    return ks.pop() if len(ks) == 1 else None


def _positions(tail, cuts, m_words, n):
    """Weight of each cut in T: 2^(64k) when combined with m[k], 2^(64n) for the top word."""
    m_ids = {w.id: k for k, w in enumerate(m_words)}
    cut_ids = {c.id for c in cuts}
    top = 1 << (64 * n)
    weights = {}
    for t in tail:
        if t.op in ("addr", "addc", "subr", "subc"):
            a, b = t.args[0], t.args[1]
            pairs = ((a, b), (b, a)) if t.op.startswith("add") else ((a, b),)
            for cut, partner in pairs:
                if cut.id in cut_ids and cut.id not in weights:
                    k = _m_index(partner, m_ids)
                    if k is not None:
                        weights[cut.id] = (cut, 1 << (64 * k))
                    elif partner.op == "const" and partner.value == 0 and t.op.startswith("sub"):
                        weights[cut.id] = (cut, top)
    rest = [c for c in cuts if c.id not in weights]
    if len(rest) == 1 and top not in {wt for _, wt in weights.values()} and rest[0].hi < 1 << 8:
        # a small top word only tested, never subtracted (almost-Montgomery)
        weights[rest[0].id] = (rest[0], top)
    return list(weights.values())


def _reduce_mod(p, modulus):
    out = {}
    for m, c in p.items():
        if isinstance(c, Fraction):
            if c.denominator != 1:
                out[m] = c
                continue
            c = c.numerator
        c %= modulus
        if c:
            out[m] = c
    return out


def _montgomery_zero(p, lifter: Lifter, w_id: int, m0_id: int, modulus: int = 1 << 64) -> bool:
    """p == 0 (mod 2^64, or `modulus`), using quotient-word definitions and m[0]*w == -1 (mod that modulus).

    The quotient q next to m[0] is replaced by its definition t*w, m[0]*w by
    -1, and the running word t that this brings in by its own definition --
    which is how the same word already appears expanded in p. Other atoms are
    left alone, so nothing is expanded that cannot cancel.
    """
    M = modulus
    p = _reduce_mod(p, M)
    for _ in range(2):
        if not p:
            return True
        if any(isinstance(c, Fraction) and c.denominator != 1 for c in p.values()):
            return False   # the rewriting m[0]*w -> -1 holds modulo M only under integer coefficients
        before = p_atoms(p)
        for a in sorted(before):
            if a in lifter.definitions and any(a in mono and m0_id in mono for mono in p):
                p = _reduce_mod(p_substitute(p, a, lifter.definitions[a]), M)
        out = {}
        for mono, c in p.items():
            mono = list(mono)
            while w_id in mono and m0_id in mono:
                mono.remove(w_id)
                mono.remove(m0_id)
                c = -c
            out = p_add(out, {tuple(mono): c})
        p = _reduce_mod(out, M)
        for a in sorted(p_atoms(p) - before):
            if a in lifter.definitions:
                p = _reduce_mod(p_substitute(p, a, lifter.definitions[a]), M)
    return not p


def _identity(trace, spec, weighted, fixed: dict, bit_terms: dict, label: str, obligations: list):
    """Parts 1 and 2 for T = sum weight*word: the cleared words, then R*T - X = K*m; K's bounds."""
    n = spec.params["n"]
    R = 1 << (64 * n)
    d = trace.d
    m_words = [trace.input_word("m", k) for k in range(n)]
    w = trace.scalars["w"]

    def fresh():
        lf = Lifter(d)
        lf.fixed = dict(fixed)
        for b in bit_terms.values():
            lf.atoms.setdefault(b.id, b)
            lf.kinds.setdefault(b.id, "borrow" if b.op == "subc" else "carry")
        install_summaries(lf, trace, {b: d.const(fixed[i], 1) for i, b in bit_terms.items()})
        return lf

    log = current_log()
    if log is not None:
        log.begin()
    lifter = fresh()
    names = lambda: atom_names(lifter)  # noqa: E731
    # 1. words computed only for their carry are 0 (Montgomery's q clears them)
    reach = walk([a for a, _ in weighted])
    reach_ids = {t.id for t in reach}
    dead = []
    for t in reach:
        if t.op == "addc":
            r = d.find("addr", t.args, t.args[0].width)
            if r is not None and r.id not in reach_ids:
                dead.append((t, r))
    m0, wid = m_words[0].id, w.id
    lifter.lift(m_words[0]), lifter.lift(w)
    cleared_carries = []
    for carry, r in sorted(dead, key=lambda cr: cr[0].id):
        # r < 2^width(r) <= 2^64, so r == 0 (mod 2^64) means r == 0
        if r.width <= 64 and _montgomery_zero(lifter.lift(r), lifter, wid, m0):
            cleared_carries.append(carry)
    # a cleared word's carry is exactly (a + b + c_in) / 2^w (w the add's width); lift again with those
    lifter = fresh()
    for carry in cleared_carries:
        r = d.find("addr", carry.args, carry.args[0].width)
        if not fact_holds("lift-addr", r):   # r + 2^w carry = a + b + c_in, with r = 0
            continue
        total = p_add(*(lifter.lift(a) for a in carry.args))
        lifter.polys[carry.id] = {mono: _exact_div(c, 1 << carry.args[0].width) for mono, c in total.items()}
    cleared = len(cleared_carries)
    if log is not None:   # each carry's word is 0 mod 2^64 given m[0] w == -1 (mod 2^64)
        log.step("cleared", label=label, carries=[log.term(c) for c in cleared_carries], m0=log.term(m_words[0]),
                 w=log.term(w), case={str(k): v for k, v in fixed.items()})
    obligations.append(Obligation("algebraic", f"{label}{cleared} low words cleared by the Montgomery quotient are 0",
                                  "proved", "polynomial modulo 2^64 with q = t*w and m[0]*w ≡ -1 rewriting"))

    # 2. R*T - X = K*m
    T = p_add(*(p_scale(lifter.lift(a), wt) for a, wt in weighted))
    (cong, below) = spec.post
    X = expr_poly(cong.b, trace, lifter)
    G = p_sub(p_scale(T, R), X)
    K = {}
    for mono, c in G.items():
        if m0 in mono:
            rest = list(mono)
            rest.remove(m0)
            K = p_add(K, {tuple(rest): c})
    M = p_add(*(p_scale(lifter.lift(mw), 1 << (64 * k)) for k, mw in enumerate(m_words)))
    residual = p_sub(G, p_mul(K, M))
    if residual and lifter.definitions:
        # words built without products (Karatsuba's |x0 - x1|) may be expanded, and a quotient word's 32-bit
        # halves (A64 Neon's operands: the word less its high bits); quotient words themselves may not
        free = _mul_free_ids([lifter.atoms[a] for a in lifter.definitions])
        try:
            residual = lifter.expand_definitions(
                residual, only=lambda t: free.get(t.id, False) or lifter.kinds.get(t.id) == "call"
                or t.op == "extract")
        except OverflowError:
            pass  # the residual below says what did not close
    residual, zeros = drop_zero_carries(residual, lifter, d, 1 << (256 * n), trace.regions.values())
    if residual:
        residual, _ = decide_chain_bits(residual, lifter, d, 1 << (256 * n), fixed)
    statement = f"{label}2^{64 * n}·T = {cong.b.show()} + K·{cong.modulus.show()}"
    if residual:
        ob = Obligation("algebraic", statement, "failed", "carry-chain algebra", first_address(residual, lifter),
                        f"residual: {show_poly(residual, names())}")
        obligations.append(ob)
        raise GoalFailure(ob)
    obligations.append(Obligation("algebraic", statement, "proved",
                                  f"carry-chain algebra; K = {show_poly(K, names(), 3)}"
                                  + (f"; {zeros} dropped carries shown 0 by local bounds" if zeros else "")))
    if not all(isinstance(c, int) or c.denominator == 1 for c in K.values()):
        ob = Obligation("algebraic", "the quotient K is an integer polynomial", "failed", "carry-chain algebra",
                        None, f"K = {show_poly(K, names())}")
        obligations.append(ob)
        raise GoalFailure(ob)
    ranges = {a: (t.lo, t.hi) for a, t in lifter.atoms.items()}
    if any(a not in ranges for a in p_atoms(K)):
        raise GoalFailure(Obligation("range", "bound the quotient K", "failed", "interval bounds"))
    k_lo, k_hi = poly_interval(K, ranges)
    k_lo, k_hi = math.floor(k_lo), math.ceil(k_hi)
    obligations.append(Obligation("range", f"0 ≤ K ≤ {_show_bound(k_hi)}", "proved" if k_lo >= 0 else "failed",
                                  "interval bounds over the quotient words"))
    if k_lo < 0:
        raise GoalFailure(obligations[-1])
    if log is not None:   # R T - X - K M = 0 with the cleared carries exact, K within [k_lo, k_hi]
        log.terms_of(K, lifter)
        log.step("montgomery", label=label, R=64 * n, T=[[log.term(a), wt] for a, wt in weighted],
                 X=expr_json(cong.b, _leaf(trace, log)), M=[log.term(mw) for mw in m_words], K=poly_json(K),
                 k=[k_lo, k_hi], case={str(k): v for k, v in fixed.items()}, calls=lifter.summary_log,
                 cleared=[log.term(c) for c in cleared_carries])

    return k_lo, k_hi


@register_strategy("montgomery")
def prove_montgomery(trace, spec, obligations: list) -> None:
    import z3

    n = spec.params["n"]
    R = 1 << (64 * n)
    d = trace.d
    lifter = Lifter(d)
    names = lambda: atom_names(lifter)  # noqa: E731
    z_words = trace.buffer_words("z")
    m_words = [trace.input_word("m", k) for k in range(n)]
    w = trace.scalars["w"]

    tail, cuts = _tail(z_words, m_words)
    weighted = _positions(tail, cuts, m_words, n)
    if len(weighted) != len(cuts) or not weighted:
        unknown = [c for c in cuts if c.id not in {a.id for a, _ in weighted}]
        ob = Obligation("algebraic", "locate the value T entering the final conditional subtraction", "failed",
                        "structure of the final subtraction", unknown[0].addr if unknown else None,
                        f"{len(unknown)} words feed the result other than through a subtraction of m")
        obligations.append(ob)
        raise GoalFailure(ob)

    attempt: list = []
    try:
        k_lo, k_hi = _identity(trace, spec, weighted, {}, {}, "", attempt)
        obligations.extend(attempt)
    except GoalFailure:
        # Karatsuba inside: split on the sign bits the accumulated value depends on
        bits = split_bits([a for a, _ in weighted] + summary_inputs(trace))
        if not bits or len(bits) > 4:
            obligations.extend(attempt)
            raise
        k_lo, k_hi = None, None
        for values in itertools.product((0, 1), repeat=len(bits)):
            label = "case " + ", ".join(f"b{i}={v}" for i, v in enumerate(values)) + ": "
            sub = d.substitute([a for a, _ in weighted], {b: d.const(v, 1) for b, v in zip(bits, values)})
            case = [(t, wt) for t, (_, wt) in zip(sub, weighted)]
            lo, hi = _identity(trace, spec, case, {b.id: v for b, v in zip(bits, values)},
                               {b.id: b for b in bits}, label, obligations)
            k_lo = lo if k_lo is None else min(k_lo, lo)
            k_hi = hi if k_hi is None else max(k_hi, hi)
        obligations.append(Obligation("algebraic", f"2^{64 * n}·T = X + K·m in every case", "proved",
                                      f"case split over {len(bits)} sign bits"))
        log = current_log()
        if log is not None:
            log.step("split", bits=[log.term(b) for b in bits])

    cong = spec.post[0]

    # 3. the final conditional subtraction, by z3 over words and lifted multiword atoms
    s = z3.Solver()
    s.set("timeout", 120_000)
    var = {}

    def v(t):
        if t.op == "const":
            return z3.IntVal(t.value)
        if t.id not in var:
            x = z3.Int(f"t{t.id}")
            var[t.id] = x
            s.add(x >= t.lo, x <= t.hi)
        return var[t.id]

    for t in tail:  # each node by its smt rule (fact_rules.py): a carry or borrow through its result's
        if t.op in ("addc", "subc"):
            r = d.find(t.op[:3] + "r", t.args, t.args[0].width)
            if r is None:
                continue
            v(t)
            t = r
        s.add(*encode(t, v, d))
    Tz = z3.Sum([wt * v(a) for a, wt in weighted])
    Mz = z3.Sum([(1 << (64 * k)) * v(mw) for k, mw in enumerate(m_words)])
    Zz = z3.Sum([(1 << (64 * k)) * v(zw) for k, zw in enumerate(z_words)])
    Xz, KM = z3.Int("X"), z3.Int("KM")
    almost = spec.params.get("almost", False)
    x_lo, x_hi = expr_interval(cong.b)
    s.add(R * Tz == Xz + KM, KM >= k_lo * Mz, KM <= k_hi * Mz, Xz >= x_lo, Xz <= x_hi, Mz >= 1, Mz < R)
    same = z3.Or(Zz == Tz, Zz == Tz - Mz)
    checks = []
    if almost:
        checks.append((f"Z = T or Z = T - m (given 2^{64 * n}·T = X + K·m)", [], same))
        checks.append((f"if X < 2^{64 * n}·m then Z < 2·m", [Xz < R * Mz], Zz < 2 * Mz))
    else:
        checks.append((f"Z = T or Z = T - m, and Z < m (given 2^{64 * n}·T = X + K·m, X < 2^{64 * n}·m)",
                       [Xz < R * Mz], z3.And(Zz < Mz, same)))
    for statement, assume, goal in checks:
        s.push()
        s.add(*assume)
        s.add(z3.Not(goal))
        verdict = s.check()
        log = current_log()
        if verdict == z3.unsat and log is not None:
            log.query(s, statement, {"final": True, "k": [k_lo, k_hi]})
        s.pop()
        if verdict != z3.unsat:
            ob = Obligation("smt", statement, "failed", "z3 linear integer arithmetic", None,
                            "z3 found a model" if verdict == z3.sat else f"z3: {verdict}")
            obligations.append(ob)
            raise GoalFailure(ob)
        obligations.append(Obligation("smt", statement, "proved",
                                      f"z3 linear integer arithmetic ({len(tail)} tail terms)"))
    if almost:
        return
    x_bound = _input_bound_lemma(spec, n)
    obligations.append(x_bound)
    if x_bound.status != "proved":
        raise GoalFailure(x_bound)


def _exact_div(c, k):
    q = Fraction(c) / k
    return q.numerator if q.denominator == 1 else q


def _show_bound(v: int) -> str:
    if (v + 1) & v == 0 and v > 1024:
        return f"2^{(v + 1).bit_length() - 1} - 1"
    return str(v)


def _input_bound_lemma(spec, n: int) -> Obligation:
    """X < R*m from the preconditions (for montmul/montsqr: x, y < m gives x*y < m^2 < R*m)."""
    import z3

    R = 1 << (64 * n)
    inp = spec.params["input"]
    if inp == "x":
        return Obligation("smt", f"{spec.post[0].b.show()} < 2^{64 * n}·m", "proved", "precondition")
    x, y, m = z3.Ints("x y m")
    s = z3.Solver()
    s.set("timeout", 20_000)
    yy = x if inp == "xx" else y
    s.add(x >= 0, yy >= 0, x < m, yy < m, m < R, z3.Not(x * yy < R * m))
    verdict = s.check()
    log = current_log()
    if verdict == z3.unsat and log is not None:
        log.query(s, "X < R m from the preconditions", {"input-bound": inp})
    return Obligation("smt", f"{spec.post[0].b.show()} < 2^{64 * n}·m from the preconditions",
                      "proved" if verdict == z3.unsat else "failed", "z3 nonlinear integer arithmetic")


from . import montgomery52, radix52  # noqa: E402,F401  (register the radix-2^52 strategies beside this one)
