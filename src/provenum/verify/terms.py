"""Hash-consed bit-vector terms with constant folding and interval bounds.

A `Terms` factory owns one proof's terms: structurally equal terms are the
same object, so equality is identity and sharing is free. Every term knows
its width, an interval [lo, hi] of the unsigned values it can take (used to
show carries zero locally), whether it depends on a secret input (for the
constant-time check) and the address of the instruction that first built it
(for failure messages).

Arithmetic nodes come in projection pairs over the same arguments, so the
prover can recover the exact integer equation of each instruction:

    addr/addc(a, b, c):  addr + 2^w * addc == a + b + c
    subr/subc(a, b, c):  subr - 2^w * subc == a - b - c
    mullo/mulhi(a, b):   2^w * mulhi + mullo == a * b
"""
from __future__ import annotations

from typing import Callable, Iterable


def mask(width: int) -> int:
    return (1 << width) - 1


class Term:
    __slots__ = ("op", "args", "width", "params", "id", "lo", "hi", "secret", "addr", "time", "__weakref__")

    def __init__(self, op, args, width, params, tid, lo, hi, secret, addr, time=0):
        self.op = op
        self.args = args
        self.width = width
        self.params = params
        self.id = tid
        self.lo = lo
        self.hi = hi
        self.secret = secret
        self.addr = addr
        self.time = time

    @property
    def value(self) -> int | None:
        return self.params[0] if self.op == "const" else None

    @property
    def name(self) -> str:
        return self.params[0] if self.op == "var" else f"t{self.id}"

    def is_const(self, v: int | None = None) -> bool:
        return self.op == "const" and (v is None or self.params[0] == v)

    def __repr__(self) -> str:
        return show(self)


def show(t: Term, depth: int = 4) -> str:
    if t.op == "const":
        return hex(t.params[0]) if t.params[0] > 9 else str(t.params[0])
    if t.op == "var":
        return t.params[0]
    if depth == 0:
        return f"t{t.id}"
    inner = ", ".join(show(a, depth - 1) for a in t.args)
    extra = "".join(f"; {p}" for p in t.params)
    return f"{t.op}{t.width}({inner}{extra})"


class Terms:
    """Factory of hash-consed terms with simplifying constructors."""

    def __init__(self):
        self._table: dict = {}
        self.current_address: int | None = None
        self.time = 0  # instructions executed so far (the executor advances it)
        self._next = 0
        self._extracts: dict = {}
        self.origin: dict = {}  # id of a term rebuilt by substitute -> the term it specialises

    def __len__(self) -> int:
        return len(self._table)

    # --- node creation ---------------------------------------------------
    def _node(self, op: str, args: tuple, width: int, params: tuple = (), lo: int = 0, hi: int | None = None,
              secret: bool | None = None) -> Term:
        key = (op, tuple(a.id for a in args), width, params)
        t = self._table.get(key)
        if t is None:
            if hi is None:
                hi = mask(width)
            if secret is None:
                secret = any(a.secret for a in args)
            self._next += 1
            t = Term(op, args, width, params, self._next, lo, hi, secret, self.current_address, self.time)
            self._table[key] = t
        return t

    def find(self, op: str, args: tuple, width: int, params: tuple = ()) -> Term | None:
        """The existing node with this shape, if any."""
        return self._table.get((op, tuple(a.id for a in args), width, params))

    def const(self, value: int, width: int) -> Term:
        value &= mask(width)
        return self._node("const", (), width, (value,), value, value, False)

    def var(self, name: str, width: int, secret: bool = False, lo: int = 0, hi: int | None = None) -> Term:
        """The variable called `name` (the same term every time: an input named by where it lives)."""
        return self._node("var", (), width, (name,), lo, mask(width) if hi is None else hi, secret)

    def fresh(self, name: str, width: int, secret: bool = False) -> Term:
        """A variable no other call returns: a value produced anew (one dynamic call's output, ...)."""
        self._fresh = getattr(self, "_fresh", 0) + 1
        return self.var(f"{name}#{self._fresh}", width, secret)

    def zero(self, width: int) -> Term:
        return self.const(0, width)

    # --- arithmetic ------------------------------------------------------
    def _carry_in(self, c: Term | None) -> Term:
        return self.const(0, 1) if c is None else c

    def add(self, a: Term, b: Term, c: Term | None = None) -> tuple[Term, Term]:
        c = self._carry_in(c)
        w = a.width
        if b.id < a.id:
            a, b = b, a
        if a.op == "const" and b.op == "const" and c.op == "const":
            s = a.value + b.value + c.value
            return self.const(s, w), self.const(s >> w, 1)
        if c.is_const(0) and (a.is_const(0) or b.is_const(0)):
            return (b if a.is_const(0) else a), self.const(0, 1)
        lo, hi = a.lo + b.lo + c.lo, a.hi + b.hi + c.hi
        if hi <= mask(w):  # no carry possible: the sum is exact
            return self._node("addr", (a, b, c), w, (), lo, hi), self.const(0, 1)
        r = self._node("addr", (a, b, c), w)
        cl = 1 if lo > mask(w) else 0
        return r, self._node("addc", (a, b, c), 1, (), cl, 1)

    def sub(self, a: Term, b: Term, c: Term | None = None) -> tuple[Term, Term]:
        c = self._carry_in(c)
        w = a.width
        if a.op == "const" and b.op == "const" and c.op == "const":
            s = a.value - b.value - c.value
            return self.const(s, w), self.const(1 if s < 0 else 0, 1)
        if c.is_const(0) and b.is_const(0):
            return a, self.const(0, 1)
        if a.is_const(0) and c.is_const(0) and b.op == "zext" and b.args[0].width == 1:
            return self.sext(b.args[0], w), b.args[0]  # neg of a bit: the mask idiom
        if a is b:  # x - x - c: the sbb r,r idiom; result is -c, borrow is c
            if c.width == 1:
                return self.sext(c, w), c
            return self.sub(self.zero(w), self.zext(c, w))
        if a.lo - b.hi - c.hi >= 0:  # no borrow possible: the difference is exact
            return self._node("subr", (a, b, c), w, (), a.lo - b.hi - c.hi, a.hi - b.lo - c.lo), self.const(0, 1)
        r = self._node("subr", (a, b, c), w)
        bl = 1 if a.hi - b.lo - c.lo < 0 else 0
        return r, self._node("subc", (a, b, c), 1, (), bl, 1)

    def mul_wide(self, a: Term, b: Term) -> tuple[Term, Term]:
        w = a.width
        if b.id < a.id:
            a, b = b, a
        if a.op == "const" and b.op == "const":
            p = a.value * b.value
            return self.const(p >> w, w), self.const(p, w)
        if a.is_const(0):
            return self.zero(w), self.zero(w)
        if a.is_const(1):
            return self.zero(w), b
        hi = self._node("mulhi", (a, b), w, (), (a.lo * b.lo) >> w, (a.hi * b.hi) >> w)
        if a.hi * b.hi <= mask(w):
            lo = self._node("mullo", (a, b), w, (), a.lo * b.lo, a.hi * b.hi)
        else:
            lo = self._node("mullo", (a, b), w)
        return hi, lo

    def smul_wide(self, a: Term, b: Term) -> tuple[Term, Term]:
        w = a.width
        if a.op == "const" and b.op == "const":
            p = _signed(a.value, w) * _signed(b.value, w)
            return self.const(p >> w, w), self.const(p, w)
        _, lo = self.mul_wide(a, b)  # the low word is sign-agnostic
        if b.id < a.id:
            a, b = b, a
        return self._node("smulhi", (a, b), w), lo

    # --- bitwise ---------------------------------------------------------
    def and_(self, a: Term, b: Term) -> Term:
        w = a.width
        if b.id < a.id:
            a, b = b, a
        if a.op == "const" and b.op == "const":
            return self.const(a.value & b.value, w)
        for x, y in ((a, b), (b, a)):
            if x.is_const(0):
                return x
            if x.is_const(mask(w)):
                return y
            if x.op == "sext" and x.args[0].width == 1:  # mask idiom: -bit & y
                return self.ite(x.args[0], y, self.zero(w))
        if a is b:
            return a
        return self._node("and", (a, b), w, (), 0, min(a.hi, b.hi))

    def or_(self, a: Term, b: Term) -> Term:
        w = a.width
        if b.id < a.id:
            a, b = b, a
        if a.op == "const" and b.op == "const":
            return self.const(a.value | b.value, w)
        if a.is_const(0) or a is b:
            return b
        if b.is_const(0):
            return a
        if a.is_const(mask(w)) or b.is_const(mask(w)):
            return self.const(mask(w), w)
        if a.op == "and" and b.op == "and":  # (x & y) | (x & ~y) = x
            for x in a.args:
                if x in b.args:
                    y = a.args[1] if a.args[0] is x else a.args[0]
                    z = b.args[1] if b.args[0] is x else b.args[0]
                    if (y.op == "not" and y.args[0] is z) or (z.op == "not" and z.args[0] is y):
                        return x
        return self._node("or", (a, b), w, (), max(a.lo, b.lo), mask(max(a.hi, b.hi).bit_length()))

    def xor(self, a: Term, b: Term) -> Term:
        w = a.width
        if b.id < a.id:
            a, b = b, a
        if a.op == "const" and b.op == "const":
            return self.const(a.value ^ b.value, w)
        if a is b:
            return self.zero(w)
        if a.is_const(0):
            return b
        if b.is_const(0):
            return a
        if a.is_const(mask(w)):
            return self.not_(b)
        if b.is_const(mask(w)):
            return self.not_(a)
        if a.op == "sext" and b.op == "sext" and a.args[0].width == b.args[0].width == 1:
            return self.sext(self.xor(a.args[0], b.args[0]), w)
        for x, y in ((a, b), (b, a)):
            if x.op == "sext" and x.args[0].width == 1:  # x ^ -bit: conditional one's complement
                return self.ite(x.args[0], self.not_(y), y)
        return self._node("xor", (a, b), w, (), 0, mask(max(a.hi, b.hi).bit_length()))

    def not_(self, a: Term) -> Term:
        w = a.width
        if a.op == "const":
            return self.const(~a.value, w)
        if a.op == "not":
            return a.args[0]
        if a.op == "sext" and a.args[0].width == 1:
            return self.sext(self.not_(a.args[0]), w)
        return self._node("not", (a,), w, (), mask(w) - a.hi, mask(w) - a.lo)

    def _count(self, count: Term) -> int | None:
        return count.value if count.op == "const" else None

    def shl(self, a: Term, count: Term) -> Term:
        w, k = a.width, self._count(count)
        if k is not None:
            if k == 0:
                return a
            if k >= w:
                return self.zero(w)
            if a.op == "const":
                return self.const(a.value << k, w)
            count = self.const(k, 8)
            if a.hi << k <= mask(w):
                return self._node("shl", (a, count), w, (), a.lo << k, a.hi << k)
        return self._node("shl", (a, count), w)

    def lshr(self, a: Term, count: Term) -> Term:
        w, k = a.width, self._count(count)
        if k is not None:
            if k == 0:
                return a
            if k >= w:
                return self.zero(w)
            if a.op == "const":
                return self.const(a.value >> k, w)
            return self._node("lshr", (a, self.const(k, 8)), w, (), a.lo >> k, a.hi >> k)
        return self._node("lshr", (a, count), w, (), 0, a.hi)

    def ashr(self, a: Term, count: Term) -> Term:
        w, k = a.width, self._count(count)
        if k is not None:
            k = min(k, w - 1) if k >= w else k
            if k == 0:
                return a
            if a.op == "const":
                return self.const(_signed(a.value, w) >> k, w)
            if a.hi < (1 << (w - 1)):
                return self.lshr(a, self.const(k, 8))
            count = self.const(k, 8)
        return self._node("ashr", (a, count), w)

    # --- width changes ---------------------------------------------------
    def extract(self, a: Term, hi: int, lo: int) -> Term:
        key = (a.id, hi, lo)
        t = self._extracts.get(key)
        if t is None:
            t = self._extract(a, hi, lo)
            self._extracts[key] = t
        return t

    def _extract(self, a: Term, hi: int, lo: int) -> Term:
        w = hi - lo + 1
        if lo == 0 and hi == a.width - 1:
            return a
        if a.op == "const":
            return self.const(a.value >> lo, w)
        if a.op == "extract":
            return self.extract(a.args[0], hi + a.params[1], lo + a.params[1])
        if a.op == "concat":
            h, l = a.args
            if hi < l.width:
                return self.extract(l, hi, lo)
            if lo >= l.width:
                return self.extract(h, hi - l.width, lo - l.width)
        if a.op == "zext":
            x = a.args[0]
            if hi < x.width:
                return self.extract(x, hi, lo)
            if lo >= x.width:
                return self.zero(w)
            if lo == 0:
                return self.zext(x, w)
        if a.op == "sext" and a.args[0].width == 1:
            return self.sext(a.args[0], w)
        if a.op == "ite":
            return self.ite(a.args[0], self.extract(a.args[1], hi, lo), self.extract(a.args[2], hi, lo))
        if a.op in ("and", "or", "xor") :
            f = {"and": self.and_, "or": self.or_, "xor": self.xor}[a.op]
            return f(self.extract(a.args[0], hi, lo), self.extract(a.args[1], hi, lo))
        if a.op == "not":
            return self.not_(self.extract(a.args[0], hi, lo))
        if a.hi < (1 << lo):
            return self.zero(w)
        if lo == 0 and a.hi <= mask(w):
            return self._node("extract", (a,), w, (hi, lo), a.lo, a.hi)
        return self._node("extract", (a,), w, (hi, lo), 0, min(mask(w), a.hi >> lo))

    def concat(self, hi: Term, lo: Term) -> Term:
        w = hi.width + lo.width
        if hi.op == "const" and lo.op == "const":
            return self.const((hi.value << lo.width) | lo.value, w)
        if hi.is_const(0):
            return self.zext(lo, w)
        if (hi.op == "extract" and lo.op == "extract" and hi.args[0] is lo.args[0]
                and hi.params[1] == lo.params[0] + 1):
            return self.extract(hi.args[0], hi.params[0], lo.params[1])
        if hi.op == "sext" and lo.op == "sext" and hi.args[0] is lo.args[0] and hi.args[0].width == 1:
            return self.sext(hi.args[0], w)
        return self._node("concat", (hi, lo), w, (), (hi.lo << lo.width) + lo.lo, (hi.hi << lo.width) + lo.hi)

    def zext(self, a: Term, width: int) -> Term:
        if width == a.width:
            return a
        if a.op == "const":
            return self.const(a.value, width)
        if a.op == "zext":
            return self.zext(a.args[0], width)
        return self._node("zext", (a,), width, (), a.lo, a.hi)

    def sext(self, a: Term, width: int) -> Term:
        if width == a.width:
            return a
        if a.op == "const":
            return self.const(_signed(a.value, a.width), width)
        if a.hi < (1 << (a.width - 1)):
            return self.zext(a, width)
        return self._node("sext", (a,), width)

    # --- predicates ------------------------------------------------------
    def eq(self, a: Term, b: Term) -> Term:
        if b.id < a.id:
            a, b = b, a
        if a is b:
            return self.const(1, 1)
        if a.op == "const" and b.op == "const":
            return self.const(int(a.value == b.value), 1)
        if a.hi < b.lo or b.hi < a.lo:
            return self.const(0, 1)
        return self._node("eq", (a, b), 1, (), 0, 1)

    def ult(self, a: Term, b: Term) -> Term:
        if a.op == "const" and b.op == "const":
            return self.const(int(a.value < b.value), 1)
        if a.hi < b.lo:
            return self.const(1, 1)
        if a.lo >= b.hi or a is b:
            return self.const(0, 1)
        return self._node("ult", (a, b), 1, (), 0, 1)

    def slt(self, a: Term, b: Term) -> Term:
        w = a.width
        if a.op == "const" and b.op == "const":
            return self.const(int(_signed(a.value, w) < _signed(b.value, w)), 1)
        if a is b:
            return self.const(0, 1)
        return self._node("slt", (a, b), 1, (), 0, 1)

    def parity(self, a: Term) -> Term:
        if a.op == "const":
            return self.const(1 - bin(a.value).count("1") % 2, 1)
        return self._node("parity", (a,), 1, (), 0, 1)

    def ite(self, cond: Term, then: Term, other: Term) -> Term:
        if cond.op == "const":
            return then if cond.value else other
        if then is other:
            return then
        if then.width == 1 and then.is_const(1) and other.is_const(0):
            return cond
        if then.width == 1 and then.is_const(0) and other.is_const(1):
            return self.not_(cond)
        if cond.op == "not":
            return self.ite(cond.args[0], other, then)
        return self._node("ite", (cond, then, other), then.width, (), min(then.lo, other.lo), max(then.hi, other.hi))

    # --- rebuilding under a substitution ---------------------------------
    def rebuild(self, t: Term, args: tuple) -> Term:
        """Build a node like `t` over new arguments, simplifying again."""
        op = t.op
        if op in ("const", "var"):
            return t
        if op in ("addr", "addc"):
            r, c = self.add(*args)
            return r if op == "addr" else c
        if op in ("subr", "subc"):
            r, c = self.sub(*args)
            return r if op == "subr" else c
        if op in ("mullo", "mulhi"):
            hi, lo = self.mul_wide(*args)
            return lo if op == "mullo" else hi
        if op == "smulhi":
            return self.smul_wide(*args)[0]
        if op == "extract":
            return self.extract(args[0], *t.params)
        if op in ("zext", "sext"):
            return getattr(self, op)(args[0], t.width)
        simple: dict[str, Callable] = {
            "and": self.and_, "or": self.or_, "xor": self.xor, "not": self.not_, "shl": self.shl,
            "lshr": self.lshr, "ashr": self.ashr, "concat": self.concat, "eq": self.eq, "ult": self.ult,
            "slt": self.slt, "parity": self.parity, "ite": self.ite,
        }
        return simple[op](*args)

    def substitute(self, terms: Iterable[Term], mapping: dict[Term, Term]) -> list[Term]:
        """The terms with each key of `mapping` replaced, re-simplified."""
        memo: dict[int, Term] = {k.id: v for k, v in mapping.items()}

        def go(t: Term) -> Term:
            # iterative post-order to survive deep carry chains
            stack = [t]
            while stack:
                u = stack[-1]
                if u.id in memo:
                    stack.pop()
                    continue
                pending = [a for a in u.args if a.id not in memo]
                if pending:
                    stack.extend(pending)
                    continue
                stack.pop()
                new_args = tuple(memo[a.id] for a in u.args)
                if all(x is y for x, y in zip(new_args, u.args)):
                    memo[u.id] = u
                else:
                    # a rebuilt term keeps the place and moment of the one it specialises
                    saved = self.current_address, self.time
                    self.current_address, self.time = u.addr, u.time
                    memo[u.id] = self.rebuild(u, new_args)
                    self.current_address, self.time = saved
                    self.origin.setdefault(memo[u.id].id, u)
                    pair = _SIBLING.get(u.op)
                    if pair is not None:  # the other projection was rebuilt with it
                        old = self.find(pair[0], u.args, pair[1] or u.width)
                        new = self.find(pair[0], new_args, pair[1] or u.width)
                        if old is not None and new is not None:
                            self.origin.setdefault(new.id, old)
            return memo[t.id]

        return [go(t) for t in terms]


# projection -> (its sibling's op, the sibling's width or 0 for "same as this one")
_SIBLING = {"addr": ("addc", 1), "subr": ("subc", 1), "mullo": ("mulhi", 0)}


def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


def walk(roots: Iterable[Term]) -> list[Term]:
    """All terms reachable from `roots`, arguments before users."""
    seen: set[int] = set()
    order: list[Term] = []
    for root in roots:
        stack = [(root, False)]
        while stack:
            t, done = stack.pop()
            if done:
                order.append(t)
                continue
            if t.id in seen:
                continue
            seen.add(t.id)
            stack.append((t, True))
            stack.extend((a, False) for a in t.args if a.id not in seen)
    return order


def evaluate(roots: Iterable[Term], env: dict[str, int]) -> dict[int, int]:
    """Concrete values of every term under `env` (variable name -> value)."""
    vals: dict[int, int] = {}
    for t in walk(roots):
        vals[t.id] = _eval_node(t, [vals[a.id] for a in t.args], env)
    return vals


def _eval_node(t: Term, a: list[int], env: dict[str, int]) -> int:
    op, w = t.op, t.width
    m = mask(w)
    if op == "const":
        return t.params[0]
    if op == "var":
        return env[t.params[0]] & m
    if op in ("addr", "addc"):
        s = a[0] + a[1] + a[2]
        return s & m if op == "addr" else s >> t.args[0].width
    if op in ("subr", "subc"):
        s = a[0] - a[1] - a[2]
        return s & m if op == "subr" else int(s < 0)
    if op == "mullo":
        return (a[0] * a[1]) & m
    if op == "mulhi":
        return (a[0] * a[1]) >> w  # mulhi has its operands' width
    if op == "smulhi":
        return ((_signed(a[0], w) * _signed(a[1], w)) >> w) & m
    if op == "and":
        return a[0] & a[1]
    if op == "or":
        return a[0] | a[1]
    if op == "xor":
        return a[0] ^ a[1]
    if op == "not":
        return ~a[0] & m
    if op == "shl":
        return (a[0] << a[1]) & m if a[1] < w else 0
    if op == "lshr":
        return a[0] >> a[1] if a[1] < w else 0
    if op == "ashr":
        return (_signed(a[0], w) >> min(a[1], w - 1)) & m
    if op == "extract":
        return (a[0] >> t.params[1]) & m
    if op == "concat":
        return (a[0] << t.args[1].width) | a[1]
    if op == "zext":
        return a[0]
    if op == "sext":
        return _signed(a[0], t.args[0].width) & m
    if op == "eq":
        return int(a[0] == a[1])
    if op == "ult":
        return int(a[0] < a[1])
    if op == "slt":
        ww = t.args[0].width
        return int(_signed(a[0], ww) < _signed(a[1], ww))
    if op == "parity":
        return 1 - bin(a[0]).count("1") % 2
    if op == "ite":
        return a[1] if a[0] else a[2]
    raise ValueError(f"unknown op {op}")
