"""The integer value of each term of a logged DAG, by the equations of its operation (written here).

A node is [id, op, width, [argument ids], [params], lo, hi]; lo and hi are the
interval the term layer gave it. Each operation's equation:

    addr(a, b, c) = a + b + c - 2^w addc(a, b, c)      (addc = 0 when a.hi + b.hi + c.hi < 2^w)
    subr(a, b, c) = a - b - c + 2^w subc(a, b, c)      (subc = 0 when a.lo - b.hi - c.hi >= 0)
    mullo(a, b)   = a b - 2^w mulhi(a, b)              (mulhi = 0 when a.hi b.hi < 2^w)
    zext(a) = a; concat(h, l) = 2^lw h + l; sext(bit) = (2^w - 1) bit; ite(c, t, e) = c (t - e) + e
    extract(a, w-1, 0) = a when a.hi < 2^w; not(a) = 2^w - 1 - a
    a << k = 2^k a - 2^w (a >> (w - k))                 (the bits shifted out: a term of the DAG)
    extract(a, k-1, 0) = a - 2^k (a >> k); extract(a, aw-1, k) = a >> k; a & (2^k - 1) = a - 2^k (a >> k)
                                                        (32-bit lanes of a 64-bit word: Neon products)
    (a << k) | y = (a << k) + y when y.hi < 2^k          (no bit in common: A64 sli)
    and, or, xor of bits: a b, a + b - a b, a + b - 2 a b

The word a >> k an equation uses is the node the log names for it (`shifted`),
and only when that node is lshr(a, k) of the DAG.

Everything else (inputs, carries, high words, opaque nodes) is a leaf. Two
rings use the table: integers modulo a large random prime at a random point
(`Evaluator`: identity testing), and exact polynomials over leaves
(`Polynomials`, with a multiplier operand that is not a monomial kept as an
atom beside its definition).
"""
from __future__ import annotations

import random
from fractions import Fraction

SIBLING = {"addr": "addc", "subr": "subc", "mullo": "mulhi"}


class Dag:
    def __init__(self, nodes: list, shifted: dict):
        self.node = {n[0]: n for n in nodes}
        self.by_shape = {(n[1], tuple(n[3]), n[2]): n[0] for n in nodes}
        self.shifted = {int(k): v for k, v in shifted.items()}

    def sibling(self, n, op: str):
        """The other projection of n's instruction: its carry, borrow, result word, high or low word."""
        width = 1 if op in ("addc", "subc") else self.node[n[3][0]][2]
        return self.by_shape.get((op, tuple(n[3]), width))

    def shifted_out(self, n, a, k: int):
        """The node a >> k that the log names for n's equation, if it is lshr(a, k) of the DAG; else None."""
        s = self.node.get(self.shifted.get(n[0]))
        if s is None or s[1] != "lshr" or s[3][0] != a:
            return None
        c = self.node[s[3][1]]
        return s[0] if c[1] == "const" and c[4][0] == k else None

    def lo(self, tid):
        return self.node[tid][5]

    def hi(self, tid):
        return self.node[tid][6]

    def exact(self, n) -> bool:
        """The carry, borrow or high word of this add, sub or multiply is 0 by the intervals."""
        op, args = n[1], n[3]
        if op in ("addr", "addc"):
            w = self.node[args[0]][2]
            return sum(self.hi(a) for a in args) < 1 << w
        if op in ("subr", "subc"):
            return self.lo(args[0]) - self.hi(args[1]) - self.hi(args[2]) >= 0
        if op in ("mullo", "mulhi"):
            return self.hi(args[0]) * self.hi(args[1]) < 1 << n[2]
        return False

    def order(self, roots, known=()) -> list:
        """Ids below `roots` (and the siblings and shifted-out words their equations use), arguments first;
        what is in `known` and below it is left out."""
        out, seen = [], set()
        stack = [(r, False) for r in roots]
        while stack:
            tid, done = stack.pop()
            if done:
                out.append(tid)
                continue
            if tid in seen or tid in known:
                continue
            seen.add(tid)
            stack.append((tid, True))
            for a in self.uses(tid):
                if a not in seen and a not in known:
                    stack.append((a, False))
        return out

    def uses(self, tid) -> list:
        n = self.node[tid]
        extra = []
        if n[1] in SIBLING and not self.exact(n):
            s = self.sibling(n, SIBLING[n[1]])
            if s is not None:
                extra.append(s)
        if tid in self.shifted and self.shifted[tid] in self.node:
            extra.append(self.shifted[tid])
        return list(n[3]) + extra


def equation(dag: Dag, n, val, ring):
    """The value of node n from its arguments' values (`val(id)`), or None: a leaf."""
    op, w, args, params = n[1], n[2], n[3], n[4]
    if op == "const":
        return ring.const(params[0])
    if op in ("addc", "subc", "mulhi"):
        return ring.const(0) if dag.exact(n) else None
    if op in ("addr", "subr", "mullo"):
        if op == "mullo":
            base = ring.mul(ring.operand(args[0], val), ring.operand(args[1], val))
        else:
            a, b, c = (val(x) for x in args)
            base = ring.add(a, b, c) if op == "addr" else ring.sub(ring.sub(a, b), c)
        if dag.exact(n):
            return base
        s = dag.sibling(n, SIBLING[op])
        if s is None:
            return None
        return ring.add(base, ring.scale(val(s), (1 << w) if op == "subr" else -(1 << w)))
    if op == "zext":
        return val(args[0])
    if op == "concat":
        return ring.add(ring.scale(val(args[0]), 1 << dag.node[args[1]][2]), val(args[1]))
    if op == "sext" and dag.node[args[0]][2] == 1:
        return ring.scale(val(args[0]), (1 << w) - 1)
    if op == "ite":
        c, t, e = (val(x) for x in args)
        return ring.add(ring.mul(c, ring.sub(t, e)), e)
    if op == "extract":
        (a,), (top, low) = args, params
        aw = dag.node[a][2]
        if low == 0 and dag.hi(a) < 1 << w:
            return val(a)
        s = dag.shifted_out(n, a, top + 1 if low == 0 else low)
        if s is not None and (top, low, aw) == (51, 0, 64):   # a lane's digit: a - 2^52 (a >> 52), a as it is
            return ring.sub(val(a), ring.scale(val(s), 1 << 52))
        if s is not None and low == 0 and top + 1 < aw:
            return ring.sub(ring.operand(a, val), ring.scale(val(s), 1 << (top + 1)))
        if s is not None and low > 0 and top == aw - 1:
            return val(s)
        return None
    if op == "not":
        return ring.sub(ring.const((1 << w) - 1), val(args[0]))
    if op == "shl" and dag.node[args[1]][1] == "const":
        k = dag.node[args[1]][4][0]
        if dag.hi(args[0]) << k < 1 << w:
            return ring.scale(val(args[0]), 1 << k)
        s = dag.shifted_out(n, args[0], w - k) if 0 < k < w else None
        if s is not None:
            return ring.sub(ring.scale(val(args[0]), 1 << k), ring.scale(val(s), 1 << w))
        return None
    if op == "and" and w > 1:
        for a, m in (args, args[::-1]):
            mask = dag.node[m][4][0] if dag.node[m][1] == "const" else 0
            k = mask.bit_length()
            s = dag.shifted_out(n, a, k) if 0 < mask < (1 << w) - 1 and mask & (mask + 1) == 0 else None
            if s is not None:
                return ring.sub(val(a), ring.scale(val(s), 1 << k))
        return None
    if op == "or" and w > 1:
        for x, y in (args, args[::-1]):
            if disjoint_shifts(dag, x, y, w):
                return ring.add(val(x), val(y))
            sx = dag.node[x]
            c = dag.node[sx[3][1]] if sx[1] == "shl" else None
            if c is not None and c[1] == "const" and c[4][0] < w and dag.hi(y) < 1 << c[4][0]:
                return ring.add(val(x), val(y))
        return None
    if op in ("and", "or", "xor") and w == 1 and all(dag.node[a][2] == 1 for a in args):
        a, b = val(args[0]), val(args[1])
        ab = ring.mul(a, b)
        return ab if op == "and" else ring.sub(ring.add(a, b), ab) if op == "or" else \
            ring.sub(ring.add(a, b), ring.scale(ab, 2))
    return None


def _shift_by(dag: Dag, tid, op: str):
    """k when node tid is `op`(a, k) for a constant k, else None."""
    n = dag.node[tid]
    if n[1] != op:
        return None
    c = dag.node[n[3][1]]
    return c[4][0] if c[1] == "const" else None


def disjoint_shifts(dag: Dag, x, y, w: int) -> bool:
    """x = a >> k and y = b << j with k, j < w and k + j >= w: x < 2^(w - k) <= 2^j and y's low j bits are 0,
    so x | y = x + y (a double shift)."""
    k, j = _shift_by(dag, x, "lshr"), _shift_by(dag, y, "shl")
    return k is not None and j is not None and k < w and j < w and k + j >= w


class ModP:
    """Integers modulo P."""

    def __init__(self, P: int):
        self.P = P

    def const(self, c):
        return c % self.P

    def add(self, *xs):
        return sum(xs) % self.P

    def sub(self, a, b):
        return (a - b) % self.P

    def mul(self, a, b):
        return a * b % self.P

    def scale(self, a, k):
        return a * k % self.P

    def operand(self, tid, val):
        return val(tid)


class Evaluator:
    """Values of terms at one random point modulo P: leaves random, `facts` (id -> value) and `defined`
    (id -> function of this evaluator: a call's output word, a cleared carry) override the equations."""

    def __init__(self, dag: Dag, P: int, seed: int, facts: dict | None = None, defined: dict | None = None):
        self.dag, self.ring = dag, ModP(P)
        self.P = P
        self.rng = random.Random(seed)
        self.facts = facts or {}
        self.defined = defined or {}
        self.values: dict = {}

    def __call__(self, tid):
        got = self.values.get(tid)
        if got is not None:
            return got
        for u in self.dag.order([tid], self.values):
            if u not in self.values:   # a defined word's function may have valued it already
                self.values[u] = self._value(u)
        return self.values[tid]

    def _value(self, tid):
        if tid in self.facts:
            return self.facts[tid] % self.P
        if tid in self.defined:
            return self.defined[tid](self) % self.P
        v = equation(self.dag, self.dag.node[tid], self.values.__getitem__, self.ring)
        return self.rng.randrange(self.P) if v is None else v

    def poly(self, p: list):
        """A logged polynomial [[atom ids], numerator, denominator] at this point."""
        P = self.P
        total = 0
        for mono, num, den in p:
            v = num * pow(den, -1, P)
            for a in mono:
                v = v * self(a) % P
            total += v
        return total % P

    def expr(self, e):
        """A logged spec expression at this point."""
        tag = e[0]
        if tag == "n":
            return e[1] % self.P
        if tag == "t":
            return self(e[1])
        if tag == "big":
            return sum(self(t) << (64 * i) for i, t in enumerate(e[1])) % self.P
        a, b = self.expr(e[1]), self.expr(e[2])
        return (a + b if tag == "+" else a - b if tag == "-" else a * b) % self.P


# --- exact polynomials (dict: sorted tuple of atom ids -> Fraction or int) ---------------------

def p_add(*ps):
    out: dict = {}
    for p in ps:
        for m, c in p.items():
            v = out.get(m, 0) + c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def p_scale(p, k):
    return {m: c * k for m, c in p.items()} if k else {}


def p_mul(a, b):
    out: dict = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = tuple(sorted(ma + mb))
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def p_subst(p, atom, value):
    out: dict = {}
    for m, c in p.items():
        k = m.count(atom)
        term = {tuple(x for x in m if x != atom): c}
        for _ in range(k):
            term = p_mul(term, value)
        out = p_add(out, term)
    return out


class Polynomials:
    """Exact polynomials over the leaves; a multiplier operand with more than one monomial is an atom
    (its id), its polynomial kept in `definitions`."""

    def __init__(self, dag: Dag, facts: dict | None = None):
        self.dag = dag
        self.polys: dict = {t: self.const(v) for t, v in (facts or {}).items()}
        self.definitions: dict = {}

    def const(self, c):
        return {(): c} if c else {}

    add = staticmethod(p_add)

    def sub(self, a, b):
        return p_add(a, p_scale(b, -1))

    mul = staticmethod(p_mul)
    scale = staticmethod(p_scale)

    def operand(self, tid, val):
        p = val(tid)
        if len(p) <= 1:
            return p
        self.definitions[tid] = p
        return {(tid,): 1}

    def __call__(self, tid):
        for u in self.dag.order([tid], self.polys):
            if u not in self.polys:
                v = equation(self.dag, self.dag.node[u], self.polys.__getitem__, self)
                self.polys[u] = {(u,): 1} if v is None else v
        return self.polys[tid]


def interval(p: list, ranges) -> tuple:
    """[lo, hi] of a logged polynomial whose atoms range over ranges(id) = (lo, hi)."""
    lo = hi = Fraction(0)
    for mono, num, den in p:
        mlo = mhi = 1
        for a in mono:
            alo, ahi = ranges(a)
            cands = (mlo * alo, mlo * ahi, mhi * alo, mhi * ahi)
            mlo, mhi = min(cands), max(cands)
        c = Fraction(num, den)
        lo, hi = (lo + c * mlo, hi + c * mhi) if c >= 0 else (lo + c * mhi, hi + c * mlo)
    return lo, hi
