"""The radix-2^52 almost-Montgomery strategy (AVX-512 IFMA kernels).

Each lane op lifts exactly (fact_rules.py): vpmadd52luq adds a*b - 2^52 h and
vpmadd52huq adds h, with h the shared high half of the 104-bit product of the
lanes' low 52 bits (a 52-bit mul's pair); the 64-bit add must not wrap (its
carry is folded to 0 by intervals, else it stays an atom and the identity
below does not close). A lane's low 52 bits are a - 2^52 (a >> 52), so every
shift right by 52 -- a normalisation carry, or the carry out of the lane the
quotient clears -- is an atom S = a >> 52. For each product (z, x, y, m, k0)
the proof has three parts:

1. *Cleared lanes, modulo 2^52.* A shift atom S = a >> 52 whose argument's
   polynomial vanishes modulo 2^52, with the quotient digits' definitions
   (q = lo52(t k0)) and m[0] k0 == -1 (mod 2^52) rewriting, is exactly
   a / 2^52: the low bits the kernel drops are 0.
2. *Global, algebraic.* With those shifts substituted, G = R Z - X Y (R =
   2^(52 n), Z = sum 2^(52 i) z_i over the output words as stored) is a
   polynomial whose coefficient of m[0] is the quotient K; G - K M must be 0
   (a remainder linear in shift atoms, e.g. a top carry the kernel drops, goes
   to part 3 and must be shown 0 there).
3. *Bounds, by z3.* With R Z - rest = X Y + K M, 0 <= K <= K_max, X Y < R M
   (from x, y < 2m and 4m <= R, a separate nonlinear lemma) and the intervals
   of the output words: Z < 2 M, the rest is 0, and every z_i < 2^52.

The proof log (prooflog.py) keeps each part for `provenum recheck`: the
cleared shift atoms with m[0] and k0 (step "cleared52"), the identity with K,
the remainder and K's interval (step "montgomery52"), and every z3 query.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .algebra import Lifter, p_add, p_atom, p_atoms, p_mul, p_scale, p_sub, p_substitute, show_poly
from .bounds import poly_interval
from .montgomery import _montgomery_zero
from .prooflog import current as current_log, poly_json
from .prover import GoalFailure, Obligation, atom_names, first_address, register_strategy
from .specs.base import Word
from .specs.ifma import DIGIT, MASK, DigitsBelow, WordsZero

RADIX = 1 << DIGIT


def _is_shift(t) -> bool:
    return t.op == "lshr" and t.width == 64 and t.args[1].op == "const" and t.args[1].value == DIGIT


def digits_poly(lifter: Lifter, words) -> dict:
    return p_add(*(p_scale(lifter.lift(w), 1 << (DIGIT * i)) for i, w in enumerate(words)))


def _cleared_shifts(lifter: Lifter, k0, m0) -> dict:
    """Shift atoms (a >> 52) whose argument vanishes modulo 2^52: atom id -> a's polynomial / 2^52."""
    cleared = {}
    for aid in sorted(lifter.atoms):
        t = lifter.atoms[aid]
        if not _is_shift(t):
            continue
        a = lifter.lift(t.args[0])
        if _montgomery_zero(a, lifter, k0.id, m0.id, RADIX):
            cleared[aid] = p_scale(a, Fraction(1, RADIX))
    return cleared


def _substitute_cleared(p: dict, cleared: dict, limit: int = 2_000_000) -> dict:
    """Replace cleared shift atoms by their exact values, latest first (a value mentions only earlier atoms)."""
    while True:
        present = [a for a in p_atoms(p) if a in cleared]
        if not present:
            return p
        a = max(present)
        p = p_substitute(p, a, cleared[a])
        if len(p) > limit:
            raise OverflowError("polynomial grew past the size limit while substituting cleared lanes")


def _merge_equal_words(p: dict, lifter: Lifter) -> dict:
    """One atom for word atoms with the same definition (a quotient digit used from a general register and
    from a vector lane is two terms of one value): each is replaced by the first."""
    first: dict = {}
    for a in sorted(lifter.definitions):
        key = frozenset(lifter.definitions[a].items())
        if key in first and a in p_atoms(p):
            p = p_substitute(p, a, p_atom(first[key]))
        first.setdefault(key, a)
    return p


@register_strategy("montgomery52")
def prove_montgomery52(trace, spec, obligations: list) -> None:
    products = spec.params["products"]
    for p in products:
        label = f"{p.z} + {p.offset}: " if len(products) > 1 else ""
        _prove_product(trace, spec, p, p.n, label, obligations)
    padding_is_zero(trace, spec, obligations)


def padding_is_zero(trace, spec, obligations: list) -> None:
    """Postconditions z[i] = 0: the word on return is the constant 0 (the kernel stores it)."""
    for e in spec.post:
        if isinstance(e, WordsZero):
            words = trace.buffer_words(e.buffer)[e.start:e.stop]
            bad = [e.start + i for i, t in enumerate(words) if not t.is_const(0)]
            ob = Obligation("algebraic", e.show(), "failed" if bad else "proved", "term identity",
                            words[bad[0] - e.start].addr if bad else None,
                            f"{e.buffer}[{bad[0]}] holds {words[bad[0] - e.start]!r}" if bad else "")
            if bad:
                _fail(obligations, ob)
            obligations.append(ob)
            log = current_log()
            if log is not None:
                log.step("zero-words", label=e.show(), words=[log.term(t) for t in words])


def _k0_term(trace, k0):
    if isinstance(k0, Word):
        return trace.input_word(k0.buffer, k0.index)
    return trace.scalars[k0.name]


def _fail(obligations, ob):
    obligations.append(ob)
    raise GoalFailure(ob)


def _prove_product(trace, spec, p, n: int, label: str, obligations: list) -> None:
    import z3

    R = 1 << (DIGIT * n)
    d = trace.d
    lifter = Lifter(d)
    names = lambda: atom_names(lifter)  # noqa: E731
    o = p.offset
    z_words = trace.buffer_words(p.z)[o:o + n]
    xs, ys, ms = ([trace.input_word(b, o + i) for i in range(n)] for b in (p.x, p.y, p.m))
    k0 = _k0_term(trace, p.k0)
    for t in xs + ys + ms:
        if t.hi > MASK:
            _fail(obligations, Obligation("range", f"{label}inputs are digits below 2^{DIGIT}", "failed",
                                          "preconditions", None, f"{t!r} is not bounded by a precondition"))
    Z = digits_poly(lifter, z_words)
    X, Y, M = digits_poly(lifter, xs), digits_poly(lifter, ys), digits_poly(lifter, ms)
    lifter.lift(k0)
    for a, t in lifter.atoms.items():   # name the bits shifted out of a lane for what they are
        if t.op == "lshr" and t.args[1].op == "const":
            lifter.kinds[a] = f"shift{t.args[1].value}"

    # 1. lanes the quotient clears
    log = current_log()
    if log is not None:
        log.begin()
    cleared = _cleared_shifts(lifter, k0, ms[0])
    if log is not None:   # each shift's argument is 0 mod 2^52 given q = lo52(t k0) and m[0] k0 == -1 (mod 2^52)
        log.step("cleared52", label=label, shifts=[log.term(lifter.atoms[a]) for a in sorted(cleared)],
                 m0=log.term(ms[0]), k0=log.term(k0))
    obligations.append(Obligation("algebraic", f"{label}{len(cleared)} lanes cleared by the quotient digits are 0 "
                                  f"modulo 2^{DIGIT}", "proved",
                                  f"polynomial modulo 2^{DIGIT} with q = lo52(t·k0) and m[0]·k0 ≡ -1 rewriting"))

    # 2. R Z - X Y = K M
    G = _substitute_cleared(p_sub(p_scale(Z, R), p_mul(X, Y)), cleared)
    G = _merge_equal_words(G, lifter)
    m0 = ms[0].id
    K: dict = {}
    for mono, c in G.items():
        if m0 in mono:
            rest = list(mono)
            rest.remove(m0)
            K = p_add(K, {tuple(rest): c})
    rest = p_sub(G, p_mul(K, M))
    statement = f"{label}2^{DIGIT * n}·Z = X·Y + K·m"
    linear = all(len(mono) == 1 and (isinstance(c, int) or c.denominator == 1) for mono, c in rest.items())
    if rest and not linear:
        uncleared = [a for a in p_atoms(rest) if _is_shift(lifter.atoms.get(a, d.zero(1)))]
        why = f"; {len(uncleared)} carries out of a lane (>> 52) are not shown cleared" if uncleared else ""
        _fail(obligations, Obligation("algebraic", statement, "failed", "carry-chain algebra",
                                      first_address(rest, lifter), f"residual: {show_poly(rest, names())}{why}"))
    if not all(isinstance(c, int) or c.denominator == 1 for c in K.values()):
        _fail(obligations, Obligation("algebraic", f"{label}the quotient K is an integer polynomial", "failed",
                                      "carry-chain algebra", None, f"K = {show_poly(K, names())}"))
    ranges = {a: (t.lo, t.hi) for a, t in lifter.atoms.items()}
    k_lo, k_hi = poly_interval(K, ranges)
    k_lo, k_hi = math.floor(k_lo), math.ceil(k_hi)
    obligations.append(Obligation("algebraic", statement + (" + (a remainder linear in carries)" if rest else ""),
                                  "proved", f"carry-chain algebra; K = {show_poly(K, names(), 3)}"))
    if k_lo < 0:
        _fail(obligations, Obligation("range", f"{label}0 ≤ K", "failed", "interval bounds over the quotient digits"))
    obligations.append(Obligation("range", f"{label}0 ≤ K ≤ {k_hi}", "proved", "interval bounds"))
    if log is not None:   # R Z - X Y - K M = rest with the cleared shifts exact, K within [k_lo, k_hi]
        log.terms_of(K, lifter)
        log.terms_of(rest, lifter)
        log.step("montgomery52", label=label, R=DIGIT * n, Z=[log.term(t) for t in z_words],
                 X=[log.term(t) for t in xs], Y=[log.term(t) for t in ys], M=[log.term(t) for t in ms],
                 K=poly_json(K), rest=poly_json(rest), k=[k_lo, k_hi], cleared=[log.term(lifter.atoms[a])
                                                                                 for a in sorted(cleared)])

    # 3. the bounds, by z3 (linear integer arithmetic over the output words and the remainder's atoms)
    lemma = _product_below_rm(n, square=p.x == p.y, label=label)
    obligations.append(lemma)
    if lemma.status != "proved":
        raise GoalFailure(lemma)
    s = z3.Solver()
    s.set("timeout", 60_000)
    zs = [z3.Int(f"z{i}") for i in range(n)]
    for zv, t in zip(zs, z_words):
        s.add(zv >= t.lo, zv <= t.hi)
    atoms = {a: z3.Int(f"s{a}") for mono in rest for a in mono}
    for a, v in atoms.items():
        s.add(v >= lifter.atoms[a].lo, v <= lifter.atoms[a].hi)
    Zz = z3.Sum([(1 << (DIGIT * i)) * zv for i, zv in enumerate(zs)])
    parts = [int(c) * atoms[mono[0]] for mono, c in rest.items()]   # (no one-term sum: SMT-LIB has no unary +)
    restz = z3.Sum(parts) if len(parts) > 1 else parts[0] if parts else z3.IntVal(0)
    P, KM, Mz = z3.Int("XY"), z3.Int("KM"), z3.Int("M")
    s.add(R * Zz - restz == P + KM, P >= 0, P < R * Mz, KM >= k_lo * Mz, KM <= k_hi * Mz, Mz >= 1, 4 * Mz <= R)
    goals = []
    if rest:   # first: a remainder the bounds cannot make 0 is the bug (a dropped high half, carry, lane)
        kinds = sorted({lifter.kinds.get(a, "atom") for a in atoms})
        goals.append(("rest", f"{label}the remainder G - K·m = {show_poly(rest, names(), 6)} is 0 (terms of kind "
                      f"{', '.join(kinds)} the identity does not cancel)", restz == 0))
    goals.append(("below 2m", f"{label}Z < 2·m", Zz < 2 * Mz))
    if any(isinstance(e, DigitsBelow) and (e.buffer, e.offset) == (p.z, o) for e in spec.post):
        goals.append(("digits", f"{label}every z[i] < 2^{DIGIT}", z3.And(*[zv <= MASK for zv in zs])))
    for goal_kind, statement, goal in goals:
        s.push()
        s.add(z3.Not(goal))
        verdict = s.check()
        if verdict == z3.unsat and log is not None:   # it assumes K M within [k_lo M, k_hi M]
            log.query(s, statement, {"product": label, "goal52": goal_kind, "k": [k_lo, k_hi]})
        s.pop()
        if verdict != z3.unsat:
            _fail(obligations, Obligation("smt", statement, "failed", "z3 linear integer arithmetic",
                                          first_address(rest, lifter) if rest else None,
                                          "z3 found a model" if verdict == z3.sat else f"z3: {verdict}"))
        obligations.append(Obligation("smt", statement, "proved",
                                      f"z3 linear integer arithmetic, given 2^{DIGIT * n}·Z = X·Y + K·m, "
                                      f"X·Y < 2^{DIGIT * n}·m, 4·m ≤ 2^{DIGIT * n} and the output words' intervals"))


def _product_below_rm(n: int, square: bool, label: str = "") -> Obligation:
    """x y < R m from x, y < 2 m and 4 m <= R (x y < 4 m^2 <= R m)."""
    import z3

    R = 1 << (DIGIT * n)
    x, y, m = z3.Ints("x y m")
    yy = x if square else y
    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(x >= 0, yy >= 0, x < 2 * m, yy < 2 * m, 4 * m <= R, m >= 1, z3.Not(x * yy < R * m))
    verdict = s.check()
    log = current_log()
    if verdict == z3.unsat and log is not None:
        log.query(s, "X Y < R m from X, Y < 2m and 4m <= R", {"product": label, "goal52": "xy below rm"})
    return Obligation("smt", f"X·{'X' if square else 'Y'} < 2^{DIGIT * n}·m from X, Y < 2m and 4m ≤ 2^{DIGIT * n}",
                      "proved" if verdict == z3.unsat else "failed", "z3 nonlinear integer arithmetic")
