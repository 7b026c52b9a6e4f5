"""Specifications as data: buffers, scalars, pre/postconditions, frame.

Expressions are a tiny algebra over multiword values (`Big(buf)` is the
little-endian number held in a buffer), scalars and integers. They evaluate
on concrete inputs (for counterexamples and mutation testing) and print as
readable mathematics (`provenum spec NAME`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ...isa.x86_64.registers import CALLEE_SAVED, CALLER_SAVED


class Expr:
    def __add__(self, o): return Op("+", self, lift(o))
    def __radd__(self, o): return Op("+", lift(o), self)
    def __sub__(self, o): return Op("-", self, lift(o))
    def __rsub__(self, o): return Op("-", lift(o), self)
    def __mul__(self, o): return Op("*", self, lift(o))
    def __rmul__(self, o): return Op("*", lift(o), self)

    def evaluate(self, env: dict) -> int | bool:
        raise NotImplementedError

    def show(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.show()


def lift(x) -> Expr:
    return x if isinstance(x, Expr) else Num(int(x))


@dataclass(frozen=True, eq=False)
class Num(Expr):
    value: int

    def evaluate(self, env):
        return self.value

    def show(self):
        v = self.value
        if v > 1024 and v & (v - 1) == 0:
            return f"2^{v.bit_length() - 1}"
        return str(v)


@dataclass(frozen=True, eq=False)
class Pow2(Expr):
    """2^bits, printed symbolically."""
    bits: int

    @property
    def value(self) -> int:
        return 1 << self.bits

    def evaluate(self, env):
        return 1 << self.bits

    def show(self):
        return f"2^{self.bits}"


@dataclass(frozen=True, eq=False)
class Big(Expr):
    """The number held in a buffer: sum of buf[i] * 2^(64 i)."""
    buffer: str
    words: int

    def evaluate(self, env):
        return sum(w << (64 * i) for i, w in enumerate(env[self.buffer][: self.words]))

    def show(self):
        return f"bignum({self.buffer}, {self.words})"


@dataclass(frozen=True, eq=False)
class Word(Expr):
    buffer: str
    index: int

    def evaluate(self, env):
        return env[self.buffer][self.index]

    def show(self):
        return f"{self.buffer}[{self.index}]"


@dataclass(frozen=True, eq=False)
class Scalar(Expr):
    name: str

    def evaluate(self, env):
        return env[self.name]

    def show(self):
        return self.name


@dataclass(frozen=True, eq=False)
class Row(Expr):
    """Row `index` of a table of `width`-word rows: bignum(table + 8*width*index, width)."""
    table: str
    index: Expr
    width: int

    def evaluate(self, env):
        i = self.index.evaluate(env)
        words = env[self.table][i * self.width:(i + 1) * self.width]
        return sum(w << (64 * k) for k, w in enumerate(words))

    def show(self):
        return f"bignum({self.table} + {self.width}*{self.index.show()}, {self.width})"


@dataclass(frozen=True, eq=False)
class Elem(Expr):
    """One word of a buffer at a computed index: buffer[index]."""
    buffer: str
    index: Expr

    def evaluate(self, env):
        return env[self.buffer][self.index.evaluate(env)]

    def show(self):
        return f"{self.buffer}[{self.index.show()}]"


@dataclass(frozen=True, eq=False)
class Select(Expr):
    """if `cond` then `a` else `b`."""
    cond: Expr
    a: Expr
    b: Expr

    def evaluate(self, env):
        return self.a.evaluate(env) if self.cond.evaluate(env) else self.b.evaluate(env)

    def show(self):
        return f"({self.a.show()} if {self.cond.show()} else {self.b.show()})"


_PREC = {"+": 1, "-": 1, "*": 2}


@dataclass(frozen=True, eq=False)
class Op(Expr):
    op: str
    a: Expr
    b: Expr

    def evaluate(self, env):
        x, y = self.a.evaluate(env), self.b.evaluate(env)
        return x + y if self.op == "+" else x - y if self.op == "-" else x * y

    def show(self):
        def wrap(e, right=False):
            s = e.show()
            if isinstance(e, Op) and (_PREC[e.op] < _PREC[self.op] or (right and self.op == "-" and _PREC[e.op] == 1)):
                return f"({s})"
            return s
        sym = {"*": "·"}.get(self.op, self.op)
        return f"{wrap(self.a)} {sym} {wrap(self.b, True)}"


@dataclass(frozen=True, eq=False)
class Rel(Expr):
    """a == b, a < b, a <= b, a != b; or a ≡ b (mod m) when `modulus` is set."""
    op: str
    a: Expr
    b: Expr
    modulus: Expr | None = None

    def evaluate(self, env):
        x, y = self.a.evaluate(env), self.b.evaluate(env)
        if self.modulus is not None:
            m = self.modulus.evaluate(env)
            return m != 0 and (x - y) % m == 0
        return {"==": x == y, "<": x < y, "<=": x <= y, "!=": x != y}[self.op]

    def show(self):
        if self.modulus is not None:
            return f"{self.a.show()} ≡ {self.b.show()} (mod {self.modulus.show()})"
        sym = {"==": "=", "<=": "≤", "!=": "≠"}.get(self.op, self.op)
        return f"{self.a.show()} {sym} {self.b.show()}"


def eq(a, b) -> Rel: return Rel("==", lift(a), lift(b))
def lt(a, b) -> Rel: return Rel("<", lift(a), lift(b))
def le(a, b) -> Rel: return Rel("<=", lift(a), lift(b))
def cong(a, b, m) -> Rel: return Rel("≡", lift(a), lift(b), lift(m))


@dataclass(frozen=True, eq=False)
class Implies(Expr):
    """if `a` then `b` (a postcondition that holds under an extra assumption)."""
    a: Expr
    b: Expr

    def evaluate(self, env):
        return (not self.a.evaluate(env)) or self.b.evaluate(env)

    def show(self):
        return f"if {self.a.show()} then {self.b.show()}"


@dataclass(frozen=True, eq=False)
class Odd(Expr):
    e: Expr

    def evaluate(self, env):
        return self.e.evaluate(env) % 2 == 1

    def show(self):
        return f"{self.e.show()} is odd"


@dataclass(frozen=True)
class Buffer:
    name: str
    words: int                 # its length in words; 0 when `length` gives it from the scalars
    writable: bool = False
    secret: bool = True
    length: Expr | None = None  # the length in words as an expression (a table of `height` rows)

    def size(self, env: dict) -> int:
        """The length in words for concrete scalars `env`."""
        return self.words if self.length is None else self.length.evaluate(env)


@dataclass(frozen=True)
class LoopAssertion:
    """What holds at a loop head (the `head`-th target of a backward branch, in address order).

    At the head, after the loop has run some number of times, the iteration
    count `i` is `start` on the first arrival and grows by `step` per trip
    round the loop (for a table lookup: rows read so far); the machine state
    holds the value of each expression of `holds` (over the spec's inputs and
    Scalar("i")) somewhere. The prover finds where (a register, a piece of a
    vector register, a stack word) and proves by induction that it does.
    """
    holds: tuple
    start: int = 0
    step: int = 1
    head: int = 0
    name: str = "i"

    def show(self) -> str:
        return (f"loop head {self.head}: with {self.name} = {self.start} + {self.step}·(trips so far), the state holds "
                + ", ".join(e.show() for e in self.holds))


@dataclass(frozen=True)
class ScalarArg:
    name: str
    secret: bool = False
    bits: int = 64


@dataclass
class Spec:
    """What a kernel must do, as data."""
    name: str                       # the symbol
    family: str
    summary: str                    # the operation in one line
    prototype: str                  # C prototype
    args: tuple                     # (register, buffer-or-scalar name) in ABI order
    buffers: tuple
    scalars: tuple = ()
    pre: tuple = ()                 # Rel/Odd expressions assumed
    post: tuple = ()                # Rel expressions to prove
    strategy: str = "exact"         # which prover path discharges `post`
    params: dict = field(default_factory=dict)
    # exact aliasing: (a, b) says buffer a starts at the same address as buffer b
    # (one memory region, as large as the larger); other buffers are disjoint from all
    aliases: tuple = ()
    # assertions at loop heads (cut points): the function's loops are proved by induction
    loops: tuple = ()

    def home(self, name: str) -> str:
        """The buffer whose memory `name` occupies (itself unless aliased)."""
        return dict(self.aliases).get(name, name)

    def shares(self, home: str) -> list:
        """The buffers placed on `home`'s memory (home first)."""
        return [b for b in self.buffers if self.home(b.name) == home]

    def region_words(self, home: str) -> int:
        """Size of the memory at `home`: the largest buffer placed there."""
        return max(b.words for b in self.shares(home))

    def region_writable(self, home: str) -> bool:
        return any(b.writable for b in self.shares(home))

    def region_secret(self, home: str) -> bool:
        return any(b.secret for b in self.shares(home))

    @property
    def label(self) -> str:
        """The instance's name in reports: the symbol, then its aliasing if any."""
        s = self.name
        if self.aliases:
            s += " [" + ", ".join(f"{a}={b}" for a, b in self.aliases) + "]"
        return s

    def buffer(self, name: str) -> Buffer:
        for b in self.buffers:
            if b.name == name:
                return b
        raise KeyError(name)

    @property
    def writable(self) -> tuple:
        return tuple(b.name for b in self.buffers if b.writable)

    @property
    def may_change_registers(self) -> tuple:
        return CALLER_SAVED

    @property
    def preserved_registers(self) -> tuple:
        return CALLEE_SAVED + ("rsp",)

    def holds(self, env: dict, which: str = "post") -> bool:
        return all(e.evaluate(env) for e in (self.post if which == "post" else self.pre))

    def show(self) -> str:
        lines = [f"{self.label}: {self.summary}", f"  {self.prototype}", ""]
        regs = ", ".join(f"{r} = &{n}" + (f" = &{self.home(n)}" if self.home(n) != n else "")
                         if self._is_buffer(n) else f"{r} = {n}" for r, n in self.args)
        lines.append(f"  arguments   {regs}")
        for b in self.buffers:
            kind = "writable" if b.writable else "read-only"
            size = f"{b.words * 64} bits" if b.length is None else f"{b.length.show()} words"
            lines.append(f"  buffer      {b.name}[{b.words if b.length is None else b.length.show()}]  ({size}, "
                         f"{kind}{', secret' if b.secret else ''})")
        for s in self.scalars:
            lines.append(f"  scalar      {s.name}  ({s.bits}-bit{', secret' if s.secret else ', public'})")
        for a, b in self.aliases:
            lines.append(f"  assume      {a} = {b}: the same memory (in the ensures, {b} is its value on "
                         f"entry, {a} on return)")
        names = [b.name for b in self.buffers if self.home(b.name) == b.name]
        if len(names) > 1:
            lines.append(f"  assume      buffers {', '.join(names)} pairwise disjoint")
        for e in self.pre:
            lines.append(f"  assume      {e.show()}")
        for e in self.post:
            lines.append(f"  ensure      {e.show()}")
        for a in self.loops:
            lines.append(f"  invariant   {a.show()}")
        changed = [n if self.home(n) == n else f"{n} (= {self.home(n)})" for n in self.writable]
        lines.append(f"  may change  {', '.join(changed) or 'no memory'}; "
                     f"registers {', '.join(self.may_change_registers)}; flags; zmm0-31, k0-7; "
                     f"the stack below rsp")
        lines.append(f"  preserves   {', '.join(self.preserved_registers)}; the return address; all other memory")
        secrets = [b.name for b in self.buffers if b.secret] + [s.name for s in self.scalars if s.secret]
        lines.append(f"  constant-time in {', '.join(secrets) or 'nothing'}: no branch, address or "
                     f"variable-time operand depends on them")
        return "\n".join(lines)

    def with_alias(self, a: str, b: str) -> "Spec":
        """This spec with buffer `a` placed exactly on buffer `b` (in-place use)."""
        self.buffer(a), self.buffer(b)  # KeyError for an unknown buffer
        if a == b or self.aliases:
            raise ValueError("one alias per spec instance, between two different buffers")
        return replace(self, aliases=((a, b),))

    def _is_buffer(self, name: str) -> bool:
        return any(b.name == name for b in self.buffers)
