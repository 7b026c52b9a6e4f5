"""Values of carries and borrows from the whole chain they end.

A carry chain adds two multiword numbers of w-bit words (w is the width of
the adds: 64 for add/adc on 64-bit registers, 32 for add eax, ..., any width
the model has): following c_in back through the adds of that width that
produced it gives A_0..A_j with results r_i, and

    E = 2^(w j) (a_j + b_j + c_in) + sum_{i<j} 2^(w i) r_i
      = sum_{i<=j} 2^(w i) (a_i + b_i) + c_in of A_0,

so the carry out of A_j is 1 exactly when E >= 2^(w (j+1)) (the r_i fill
less than 2^(w j)). For a borrow chain, E = sum 2^(w i)(a_i - b_i) - b_in
and the borrow is 1 exactly when E < 0. Both facts are rules of
`provenum.verify.rules` ("chain-carry", "chain-borrow"), proved by z3 for the
width and length of each chain they decide. The polynomial of E, with products
and Karatsuba's differences expanded, often has a sign or size that
intervals see at once (e.g. L + H - (x0 - x1)^2 = 2 x0 x1 >= 0); when it is
linear, z3 relates it to the chains of the case-split bits (x0 < x1 forces
the borrow of x1 - x0 to 0).
"""
from __future__ import annotations

from .algebra import Lifter, p_add, p_scale, p_sub
from .bounds import poly_interval
from .fact_rules import chain_weight
from .prooflog import current as current_log, poly_json
from .rules import chain_allowed


def width(bit) -> int:
    """The width of the words a carry or borrow `bit` comes from."""
    return bit.args[0].width


def threshold(bit, links: int) -> int:
    """A carry chain of `links` adds of `bit`'s width carries out exactly when E reaches this."""
    return chain_weight(width(bit), links)


def chain(bit, terms):
    """The adds (or subs) of the chain whose carry (borrow) out is `bit`, first one first."""
    kind = bit.op[:3]
    w = bit.args[0].width
    out = []
    node = bit
    while node is not None and node.op == kind + "c" and len(out) < 256:
        out.append(node)
        cin = node.args[2]
        node = cin if cin.op == kind + "c" and cin.args[0].width == w else None
    return list(reversed(out))


def chain_poly(bit, terms, lifter: Lifter):
    """(E, links) for the chain ending in `bit`; E as a polynomial over the lifter's atoms."""
    links = chain(bit, terms)
    if not links:
        return None, 0
    add = bit.op == "addc"
    w = width(bit)
    E: dict = {}
    for i, node in enumerate(links):
        a, b = lifter.lift(node.args[0]), lifter.lift(node.args[1])
        E = p_add(E, p_scale(p_add(a, b) if add else p_sub(a, b), chain_weight(w, i)))
    cin = lifter.lift(links[0].args[2])
    E = p_add(E, cin) if add else p_sub(E, cin)
    return E, len(links)


def _proved(bit, links: int) -> bool:
    return chain_allowed("add" if bit.op == "addc" else "sub", width(bit), links)


def bit_value(bit, terms, lifter: Lifter, limit: int = 20000, depth: int = 2) -> int | None:
    """0 or 1 when intervals on the chain polynomial decide the carry/borrow `bit`, else None.

    The polynomial is bounded over its word atoms (each within its word's interval: a Neon column's
    |x0 - x1| |y0 - y1| stays a product of two words) and then with their definitions expanded (where
    differences cancel); both are the same exact sum, so either deciding is sound.

    When they do not, the carries and borrows inside that polynomial (an
    absolute difference's dropped carry inside a middle product, say) are
    decided the same way first, `depth` levels down; each one decided is a
    fact of the lifter (`fixed`) from then on."""
    if bit.op not in ("addc", "subc"):
        return None
    E, j = chain_poly(bit, terms, lifter)
    if E is None or not _proved(bit, j):
        return None
    forms = [E]   # E over word atoms (each within its word's interval), then with their definitions expanded
    if lifter.definitions:
        try:
            E = lifter.expand_definitions(E, limit)
        except OverflowError:
            return None
        if E != forms[0]:
            forms.append(E)

    def decide():
        ranges = {a: (t.lo, t.hi) for a, t in lifter.atoms.items()}
        for a, v in lifter.fixed.items():
            ranges[a] = (v, v)
        for F in forms:
            if any(a not in ranges for m in F for a in m):
                continue
            lo, hi = poly_interval(F, ranges)
            if bit.op == "addc":
                top = threshold(bit, j)
                v = 1 if lo >= top else 0 if hi < top else None
            else:
                v = 1 if hi < 0 else 0 if lo >= 0 else None
            if v is not None:
                return v, F
        return None, E

    v, F = decide()
    if v is not None or depth == 0:
        return _logged(bit, v, F, j, lifter)
    inner = sorted({a for m in E for a in m if a != bit.id and a not in lifter.fixed
                    and lifter.kinds.get(a) in ("carry", "borrow")})
    found = False
    for a in inner[:64]:
        w = bit_value(lifter.atoms[a], terms, lifter, limit, depth - 1)
        if w is not None:
            lifter.fixed[a] = w
            found = True
    return _logged(bit, *decide(), j, lifter) if found else None


def _logged(bit, v, E, j, lifter: Lifter):
    """v, recorded in the proof log when decided: E (over word atoms, or with their definitions expanded) is the
    chain's sum; its interval decides."""
    log = current_log()
    if v is not None and log is not None:
        log.terms_of(E, lifter)
        log.decide(bit, v, "chain", links=j, E=poly_json(E))
    return v


def bit_forced(bit, assumptions: dict, terms, lifter: Lifter) -> int | None:
    """The value `bit` must take given the case-split bits (id -> value), by z3 over linear chain polynomials."""
    import z3

    polys = {}
    for b in [bit] + list(assumptions.values()):
        term = b if not isinstance(b, tuple) else b[0]
        E, j = chain_poly(term, terms, lifter)
        if E is None or any(len(m) > 1 for m in E) or not _proved(term, j):
            return None
        polys[term.id] = (term, E, j)
    var = {}

    def lin(E):
        out = []
        for m, c in E.items():
            if not m:
                out.append(z3.IntVal(int(c)))
                continue
            a = m[0]
            if a not in var:
                t = lifter.atoms[a]
                var[a] = z3.Int(f"a{a}")
            out.append(int(c) * var[a])
        return z3.Sum(out) if out else z3.IntVal(0)

    def holds(term, E, j, value):
        e = lin(E)
        if term.op == "addc":
            top = threshold(term, j)
            return e >= top if value else e < top
        return e < 0 if value else e >= 0

    s = z3.Solver()
    s.set("timeout", 10_000)
    for tid, (term, value) in assumptions.items():
        _, E, j = polys[term.id]
        s.add(holds(term, E, j, value))
    for a, x in var.items():
        t = lifter.atoms[a]
        lo, hi = (lifter.fixed[a], lifter.fixed[a]) if a in lifter.fixed else (t.lo, t.hi)
        s.add(x >= lo, x <= hi)
    term, E, j = polys[bit.id]
    for value in (0, 1):
        s.push()
        s.add(holds(term, E, j, value))
        for a, x in var.items():  # atoms first seen in the target chain need their ranges too
            t = lifter.atoms[a]
            lo, hi = (lifter.fixed[a], lifter.fixed[a]) if a in lifter.fixed else (t.lo, t.hi)
            s.add(x >= lo, x <= hi)
        impossible = s.check() == z3.unsat
        log = current_log()
        if impossible and log is not None:
            assuming = {str(tid): v for tid, (_, v) in assumptions.items()}   # the case bits the query assumes
            log.decide(bit, 1 - value, "smt", query=log.query(s, "chain bit forced by the case's bits",
                                                            {"bit": bit.id, "value": value, "assuming": assuming}))
        s.pop()
        if impossible:
            return 1 - value
    return None
