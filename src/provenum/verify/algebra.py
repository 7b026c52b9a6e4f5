"""Carry-chain algebra: terms lifted to exact integer polynomials over atoms.

Each arithmetic node contributes the exact integer equation of its
instruction, and the lifting solves it for the result word:

    addr(a, b, c) = a + b + c - 2^w * addc(a, b, c)
    subr(a, b, c) = a - b - c + 2^w * subc(a, b, c)
    mullo(a, b)   = a * b - 2^w * mulhi(a, b)

so carries, borrows and high product words become *atoms* (integer
unknowns with known ranges), as do input words and anything the algebra
does not model (general bitwise operations). A carry whose interval shows it
is zero was already folded away by the term constructors, so its sum is
exact. The polynomial of an output is therefore an exact integer identity,
and a correct carry chain makes producer (-2^w c) and consumer (+c) cancel.

A multiplier operand that is not a single monomial (e.g. a Montgomery
quotient computed from a running sum) becomes a *word atom* with its
definition kept aside; the prover substitutes definitions when needed, which
keeps products small.
"""
from __future__ import annotations

from fractions import Fraction

from .prooflog import current as current_log
from .rules import applicable
from .terms import Term

Monomial = tuple  # sorted tuple of atom ids, with repetition for powers
Poly = dict       # Monomial -> int | Fraction (no zero coefficients)


def p_const(c) -> Poly:
    return {(): c} if c else {}


def p_atom(a: int) -> Poly:
    return {(a,): 1}


def p_add(*ps: Poly) -> Poly:
    if not ps:
        return {}
    out: Poly = dict(ps[0])
    for p in ps[1:]:
        for m, c in p.items():
            v = out.get(m, 0) + c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def p_scale(p: Poly, k) -> Poly:
    if not k:
        return {}
    return {m: c * k for m, c in p.items()}


def p_sub(a: Poly, b: Poly) -> Poly:
    return p_add(a, p_scale(b, -1))


def p_mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = tuple(sorted(ma + mb))
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def _acc(out: Poly, p: Poly, k=1) -> None:
    """out += k * p, in place."""
    for m, c in p.items():
        v = out.get(m, 0) + k * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)


def p_substitute(p: Poly, atom: int, value: Poly) -> Poly:
    """Replace every occurrence of `atom` by the polynomial `value`."""
    out: Poly = {}
    powers = {1: value}
    for m, c in p.items():
        k = m.count(atom)
        if not k:
            _acc(out, {m: c})
            continue
        if k not in powers:
            pw = value
            for _ in range(k - 1):
                pw = p_mul(pw, value)
            powers[k] = pw
        rest = tuple(x for x in m if x != atom)
        for mv, cv in powers[k].items():
            mono = tuple(sorted(rest + mv)) if mv else rest
            v = out.get(mono, 0) + c * cv
            if v:
                out[mono] = v
            else:
                out.pop(mono, None)
    return out


def p_atoms(p: Poly) -> set[int]:
    return {a for m in p for a in m}


class Lifter:
    """Lifts terms of one proof to polynomials; remembers the atoms it made."""

    def __init__(self, terms):
        self.terms = terms
        self.polys: dict[int, Poly] = {}
        self.atoms: dict[int, Term] = {}       # atom id (= term id) -> term
        self.definitions: dict[int, Poly] = {}  # word atom id -> its exact polynomial
        self.kinds: dict[int, str] = {}
        self.fixed: dict[int, int] = {}         # atoms with a value fixed by a case split
        self.summary_log: list = []             # calls replaced by their spec, as the proof log states them

    def atom(self, t: Term, kind: str) -> Poly:
        if t.id in self.fixed:
            return p_const(self.fixed[t.id])
        self.atoms[t.id] = t
        self.kinds.setdefault(t.id, kind)
        return p_atom(t.id)

    def lift(self, t: Term) -> Poly:
        """t's polynomial; its arguments are lifted first, and the walk stops at nodes lifted before
        (terms share most of their DAG, so walking it whole for each term would be quadratic)."""
        polys = self.polys
        if t.id in polys:
            return polys[t.id]
        stack = [(t, False)]
        while stack:
            u, ready = stack.pop()
            if u.id in polys:
                continue
            if ready:
                polys[u.id] = self._lift_node(u)
                continue
            stack.append((u, True))
            stack.extend((a, False) for a in u.args if a.id not in polys)
        return polys[t.id]

    def _operand(self, t: Term) -> Poly:
        """A multiplier operand: itself if a single monomial, else a word atom."""
        p = self.polys[t.id]
        if len(p) <= 1:
            return p
        if t.id not in self.definitions:
            self.definitions[t.id] = p
        self.atoms[t.id] = t
        self.kinds[t.id] = "word"
        return p_atom(t.id)

    def _lift_node(self, t: Term) -> Poly:
        """The exact polynomial of a node by the first lift rule (fact_rules.py) that applies; else an atom."""
        if t.op == "const":
            return p_const(t.value)
        if t.op == "var":
            return self.atom(t, "input")
        if t.op in ("addc", "subc"):
            return self.atom(t, "carry" if t.op == "addc" else "borrow")
        if t.op == "mulhi":
            for a in t.args:  # so that operands' word atoms exist alongside
                self._operand(a)
            return self.atom(t, "high")
        for r, v in applicable("lift", t):
            return r.then(_LiftView(self, t), v).poly
        return self.atom(t, "bit" if t.width == 1 else "opaque")

    def _sibling(self, t: Term, op: str, width: int) -> Term:
        """The other projection (carry, borrow, high word) of an arithmetic node."""
        sib = self.terms.find(op, t.args, width)
        if sib is None:
            raise KeyError(f"no {op} sibling of {t!r}")
        return sib

    def expand_definitions(self, p: Poly, limit: int = 100000, only=None) -> Poly:
        """Substitute word-atom definitions (those `only` accepts, default all) until none is left."""
        while True:
            present = [a for a in p_atoms(p) if a in self.definitions and (only is None or only(self.atoms[a]))]
            if not present:
                return p
            a = max(present)  # latest first: its definition mentions only earlier atoms
            p = p_substitute(p, a, self.definitions[a])
            if len(p) > limit:
                raise OverflowError("polynomial grew past the size limit while substituting definitions")


def coefficients_divisible(p: Poly, modulus: int) -> bool:
    for c in p.values():
        if isinstance(c, Fraction):
            if c.denominator != 1:
                return False
            c = c.numerator
        if c % modulus:
            return False
    return True


def show_poly(p: Poly, names: dict[int, str], limit: int = 12) -> str:
    parts = []
    for m, c in sorted(p.items(), key=lambda kv: (len(kv[0]), kv[0]))[:limit]:
        mono = "*".join(names.get(a, f"t{a}") for a in m)
        coeff = _show_coeff(c)
        parts.append(f"{coeff}*{mono}" if mono else coeff)
    more = f" + ... ({len(p) - limit} more)" if len(p) > limit else ""
    return (" + ".join(parts) or "0") + more


def _show_coeff(c) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    if isinstance(c, Fraction) and c.denominator != 1:
        return f"{sign}{_show_coeff(c.numerator)}/{_show_coeff(c.denominator)}"
    c = int(c)
    if c > 1024 and c & (c - 1) == 0:
        return f"{sign}2^{c.bit_length() - 1}"
    if c >= 1 << 64:
        e = (c & -c).bit_length() - 1
        odd = c >> e
        if odd < 1 << 32:
            return f"{sign}{odd}·2^{e}"
        return f"{sign}≈2^{c.bit_length() - 1}"
    return f"{sign}{c}"


class _P:
    """A polynomial that adds, subtracts and multiplies with operators (what a lift rule's `then` computes)."""
    __slots__ = ("poly",)

    def __init__(self, poly: Poly):
        self.poly = poly

    @staticmethod
    def of(x) -> Poly:
        return x.poly if isinstance(x, _P) else p_const(x)

    def __add__(self, o):
        return _P(p_add(self.poly, _P.of(o)))

    __radd__ = __add__

    def __sub__(self, o):
        return _P(p_sub(self.poly, _P.of(o)))

    def __rsub__(self, o):
        return _P(p_sub(_P.of(o), self.poly))

    def __mul__(self, o):
        return _P(p_scale(self.poly, o) if isinstance(o, int) else p_mul(self.poly, o.poly))

    __rmul__ = __mul__


class _LiftView:
    """What a lift rule reads while lifting node `t`: its arguments' polynomials, operands, siblings."""

    def __init__(self, lifter: Lifter, t: Term):
        self.lifter, self.t = lifter, t

    def val(self, a: Term) -> _P:
        return _P(self.lifter.polys[a.id])

    def operand(self, a: Term) -> _P:
        return _P(self.lifter._operand(a))

    def shifted_out(self, a: Term, k: int) -> _P:
        """a >> k, as a term of its own (an atom unless it lifts); the proof log keeps which term (recheck's
        equation of the node being lifted uses it)."""
        d = self.lifter.terms
        s = d.lshr(a, d.const(k, 8))
        log = current_log()
        if log is not None:
            log.shift(self.t, s)
        return _P(self.lifter.lift(s))

    def sibling(self, op: str, v=None) -> _P:
        t = self.t
        sib = self.lifter._sibling(t, op, 1 if op in ("addc", "subc") else t.width)
        kind = {"addc": "carry", "subc": "borrow", "mulhi": "high"}[op]
        return _P(self.lifter.atom(sib, kind))
