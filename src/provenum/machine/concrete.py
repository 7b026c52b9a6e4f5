"""The concrete value domain: fixed-width bit-vectors on Python ints.

`ConcreteDomain` implements provenum.isa.domain.Domain over `Bits` (value,
width). `ConcreteDomain(opaque=True)` behaves identically except that
`as_int` answers None, like the symbolic domain does for non-constant terms;
running the semantics with it exercises the paths a proof takes for unknown
values (e.g. a shift by an unknown count).
"""
from __future__ import annotations


class Bits:
    """An unsigned value of a fixed bit width."""
    __slots__ = ("v", "w")

    def __init__(self, v: int, w: int):
        self.v = v
        self.w = w

    def __eq__(self, other):
        return isinstance(other, Bits) and self.v == other.v and self.w == other.w

    def __hash__(self):
        return hash((self.v, self.w))

    def __repr__(self):
        return f"Bits({self.v:#x}, {self.w})"


def _check(a: Bits, b: Bits):
    if a.w != b.w:
        raise ValueError(f"width mismatch: {a.w} and {b.w}")


class ConcreteDomain:
    def __init__(self, opaque: bool = False):
        self.opaque = opaque

    # construction
    def const(self, value: int, width: int) -> Bits:
        return Bits(value & ((1 << width) - 1), width)

    def width(self, a: Bits) -> int:
        return a.w

    def as_int(self, a: Bits):
        return None if self.opaque else a.v

    # arithmetic
    def add(self, a, b, carry_in=None):
        _check(a, b)
        t = a.v + b.v + (carry_in.v if carry_in is not None else 0)
        return Bits(t & ((1 << a.w) - 1), a.w), Bits(t >> a.w, 1)

    def sub(self, a, b, borrow_in=None):
        _check(a, b)
        t = a.v - b.v - (borrow_in.v if borrow_in is not None else 0)
        return Bits(t & ((1 << a.w) - 1), a.w), Bits(1 if t < 0 else 0, 1)

    def mul_wide(self, a, b):
        _check(a, b)
        p = a.v * b.v
        return Bits(p >> a.w, a.w), Bits(p & ((1 << a.w) - 1), a.w)

    def smul_wide(self, a, b):
        _check(a, b)
        w = a.w
        p = (_signed(a) * _signed(b)) & ((1 << (2 * w)) - 1)
        return Bits(p >> w, w), Bits(p & ((1 << w) - 1), w)

    # bitwise
    def and_(self, a, b):
        _check(a, b)
        return Bits(a.v & b.v, a.w)

    def or_(self, a, b):
        _check(a, b)
        return Bits(a.v | b.v, a.w)

    def xor(self, a, b):
        _check(a, b)
        return Bits(a.v ^ b.v, a.w)

    def not_(self, a):
        return Bits(a.v ^ ((1 << a.w) - 1), a.w)

    def shl(self, a, count):
        n = count.v
        return Bits((a.v << n) & ((1 << a.w) - 1) if n < a.w else 0, a.w)

    def lshr(self, a, count):
        n = count.v
        return Bits(a.v >> n if n < a.w else 0, a.w)

    def ashr(self, a, count):
        n = min(count.v, a.w)
        return Bits((_signed(a) >> n) & ((1 << a.w) - 1), a.w)

    # width changes
    def extract(self, a, hi: int, lo: int):
        if not 0 <= lo <= hi < a.w:
            raise ValueError(f"extract [{hi}:{lo}] of a {a.w}-bit value")
        return Bits((a.v >> lo) & ((1 << (hi - lo + 1)) - 1), hi - lo + 1)

    def concat(self, hi, lo):
        return Bits((hi.v << lo.w) | lo.v, hi.w + lo.w)

    def zext(self, a, width: int):
        if width < a.w:
            raise ValueError(f"zext of a {a.w}-bit value to {width} bits")
        return Bits(a.v, width)

    def sext(self, a, width: int):
        if width < a.w:
            raise ValueError(f"sext of a {a.w}-bit value to {width} bits")
        return Bits(_signed(a) & ((1 << width) - 1), width)

    # predicates
    def eq(self, a, b):
        _check(a, b)
        return Bits(int(a.v == b.v), 1)

    def ult(self, a, b):
        _check(a, b)
        return Bits(int(a.v < b.v), 1)

    def slt(self, a, b):
        _check(a, b)
        return Bits(int(_signed(a) < _signed(b)), 1)

    def parity(self, a):
        return Bits(1 - (a.v.bit_count() & 1), 1)

    def ite(self, cond, then, other):
        if cond.w != 1:
            raise ValueError("ite condition must be 1 bit")
        _check(then, other)
        return then if cond.v else other


def _signed(a: Bits) -> int:
    return a.v - (1 << a.w) if a.v >> (a.w - 1) else a.v
