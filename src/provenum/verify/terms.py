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

from .rules import LEDGER, candidates

_CONCRETE = None


def _concrete():
    global _CONCRETE
    from ..machine.concrete import ConcreteDomain

    _CONCRETE = ConcreteDomain()
    return _CONCRETE


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
        self.fired: dict | None = None  # rule name -> times applied, when a test asks (fired = {})

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

    # --- constructors: each tries its rules (term_rules.py), proved where they fire ---------
    def _apply(self, ctor: str, args: tuple, params: tuple = ()):
        for r in candidates(ctor, args):
            v = r.match(args, params)
            if v is None or (r.when is not None and not r.when(v)):
                continue
            if not r.fold and not LEDGER.allowed(r, v.signature(r)):
                continue
            if self.fired is not None:
                self.fired[r.name] = self.fired.get(r.name, 0) + 1
            return r.then(self, v)
        return self._plain(ctor, args, params)

    def _plain(self, ctor: str, args: tuple, params: tuple):
        """The node(s) of a constructor with no rule applied: full intervals (always sound)."""
        w = args[0].width if args else 0
        if ctor in ("add", "sub"):
            k = "add" if ctor == "add" else "sub"
            return self._node(k[:3] + "r", args, w), self._node(k[:3] + "c", args, 1)
        if ctor == "mul_wide":
            return self._node("mulhi", args, w), self._node("mullo", args, w)
        if ctor == "smul_wide":
            return self._node("smulhi", args, w), self._node("mullo", args, w)
        if ctor == "extract":
            return self._node("extract", args, params[0] - params[1] + 1, params)
        if ctor == "concat":
            return self._node("concat", args, args[0].width + args[1].width)
        if ctor in ("zext", "sext"):
            return self._node(ctor, args, params[0])
        if ctor in ("eq", "ult", "slt", "parity"):
            return self._node(ctor, args, 1)
        if ctor == "ite":
            return self._node("ite", args, args[1].width)
        return self._node(ctor.rstrip("_"), args, w)

    def node(self, op: str, args: tuple, width: int, params: tuple = (), lo: int = 0, hi: int | None = None) -> Term:
        """A node as a rule gives it (with the interval the rule proves), no further rule applied."""
        return self._node(op, tuple(args), width, tuple(params), lo, hi)

    def fold(self, ctor: str, consts: tuple, v) -> Term | tuple:
        """Constant folding: the constructor evaluated by the concrete domain (the one validated on the CPU)."""
        from ..machine.concrete import Bits

        D = _CONCRETE or _concrete()
        a = [Bits(c.value, c.width) for c in consts]
        if ctor == "extract":
            r = D.extract(a[0], v.hi, v.lo)
        elif ctor in ("zext", "sext"):
            r = getattr(D, ctor)(a[0], v.width)
        else:
            r = getattr(D, ctor)(*a)
        if isinstance(r, tuple):
            return tuple(self.const(x.v, x.w) for x in r)
        return self.const(r.v, r.w)

    def _carry_in(self, c: Term | None) -> Term:
        return self.const(0, 1) if c is None else c

    def add(self, a: Term, b: Term, c: Term | None = None) -> tuple[Term, Term]:
        return self._apply("add", (a, b, self._carry_in(c)))

    def sub(self, a: Term, b: Term, c: Term | None = None) -> tuple[Term, Term]:
        return self._apply("sub", (a, b, self._carry_in(c)))

    def mul_wide(self, a: Term, b: Term) -> tuple[Term, Term]:
        return self._apply("mul_wide", (a, b))

    def smul_wide(self, a: Term, b: Term) -> tuple[Term, Term]:
        return self._apply("smul_wide", (a, b))

    def and_(self, a: Term, b: Term) -> Term:
        return self._apply("and_", (a, b))

    def or_(self, a: Term, b: Term) -> Term:
        return self._apply("or_", (a, b))

    def xor(self, a: Term, b: Term) -> Term:
        return self._apply("xor", (a, b))

    def not_(self, a: Term) -> Term:
        return self._apply("not_", (a,))

    def shl(self, a: Term, count: Term) -> Term:
        return self._apply("shl", (a, count))

    def lshr(self, a: Term, count: Term) -> Term:
        return self._apply("lshr", (a, count))

    def ashr(self, a: Term, count: Term) -> Term:
        return self._apply("ashr", (a, count))

    def extract(self, a: Term, hi: int, lo: int) -> Term:
        key = (a.id, hi, lo)
        t = self._extracts.get(key)
        if t is None:
            t = self._apply("extract", (a,), (hi, lo))
            self._extracts[key] = t
        return t

    def concat(self, hi: Term, lo: Term) -> Term:
        return self._apply("concat", (hi, lo))

    def zext(self, a: Term, width: int) -> Term:
        return self._apply("zext", (a,), (width,))

    def sext(self, a: Term, width: int) -> Term:
        return self._apply("sext", (a,), (width,))

    def eq(self, a: Term, b: Term) -> Term:
        return self._apply("eq", (a, b))

    def ult(self, a: Term, b: Term) -> Term:
        return self._apply("ult", (a, b))

    def slt(self, a: Term, b: Term) -> Term:
        return self._apply("slt", (a, b))

    def parity(self, a: Term) -> Term:
        return self._apply("parity", (a,))

    def ite(self, cond: Term, then: Term, other: Term) -> Term:
        return self._apply("ite", (cond, then, other))

    def sel(self, array: str, index: Term, secret: bool) -> Term:
        """The 64-bit word at byte offset `index` (a multiple of 8) of a named read-only array (a buffer
        of symbolic size)."""
        return self._node("sel", (index,), 64, (array,), secret=secret or index.secret)

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
        if op == "sel":
            return self.sel(t.params[0], args[0], t.secret)
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
                        if new is None and u.op in ("addr", "mullo"):  # add and mul order their operands
                            swapped = (new_args[1], new_args[0]) + tuple(new_args[2:])
                            new = self.find(pair[0], swapped, pair[1] or u.width)
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
    if op == "sel":
        return env[("sel", t.params[0], a[0])]
    raise ValueError(f"unknown op {op}")
