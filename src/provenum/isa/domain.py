"""The value domain: every operation an instruction's semantics may use.

Instruction semantics are written once against `Domain` and run over two
domains: the concrete one (`provenum.machine.concrete`, Python ints) that
model validation compares with this CPU, and the symbolic one
(`provenum.verify`, terms) that proofs reason about.

Values are fixed-width bit-vectors. A domain value knows its width; flags are
1-bit values. Operations are unsigned unless named otherwise. The arithmetic
primitives deliberately return carries and double-width products as separate
values, because the prover turns each into an exact integer equation:

    add(a, b, c)  -> (r, c_out)   with  r + 2^w * c_out = a + b + c
    sub(a, b, c)  -> (r, b_out)   with  r - 2^w * b_out = a - b - c
    mul_wide(a, b) -> (hi, lo)    with  2^w * hi + lo = a * b
"""
from __future__ import annotations

from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


class Domain(Protocol, Generic[V]):
    """Bit-vector operations over values of type V."""

    # --- construction and inspection -------------------------------------
    def const(self, value: int, width: int) -> V:
        """The constant `value mod 2^width`."""

    def width(self, a: V) -> int:
        """The width of `a` in bits."""

    def as_int(self, a: V) -> int | None:
        """The unsigned value of `a` if it is a known constant, else None."""

    # --- arithmetic -----------------------------------------------------
    def add(self, a: V, b: V, carry_in: V | None = None) -> tuple[V, V]:
        """(a + b + carry_in) mod 2^w and the 1-bit carry out."""

    def sub(self, a: V, b: V, borrow_in: V | None = None) -> tuple[V, V]:
        """(a - b - borrow_in) mod 2^w and the 1-bit borrow out."""

    def mul_wide(self, a: V, b: V) -> tuple[V, V]:
        """Unsigned product as (high word, low word), each of a's width."""

    def smul_wide(self, a: V, b: V) -> tuple[V, V]:
        """Signed (two's complement) product as (high word, low word)."""

    # --- bitwise --------------------------------------------------------
    def and_(self, a: V, b: V) -> V: ...
    def or_(self, a: V, b: V) -> V: ...
    def xor(self, a: V, b: V) -> V: ...
    def not_(self, a: V) -> V: ...

    def shl(self, a: V, count: V) -> V:
        """a << count, zero fill; count is unsigned, any width; >= w gives 0."""

    def lshr(self, a: V, count: V) -> V:
        """Logical right shift; count >= w gives 0."""

    def ashr(self, a: V, count: V) -> V:
        """Arithmetic right shift; count >= w gives all sign bits."""

    # --- width changes --------------------------------------------------
    def extract(self, a: V, hi: int, lo: int) -> V:
        """Bits hi..lo of a (inclusive), width hi - lo + 1."""

    def concat(self, hi: V, lo: V) -> V:
        """hi * 2^width(lo) + lo."""

    def zext(self, a: V, width: int) -> V: ...
    def sext(self, a: V, width: int) -> V: ...

    # --- predicates (results are 1-bit values) ----------------------------
    def eq(self, a: V, b: V) -> V: ...
    def ult(self, a: V, b: V) -> V: ...
    def slt(self, a: V, b: V) -> V: ...

    def parity(self, a: V) -> V:
        """1 when a has an even number of set bits (x86 PF of a byte)."""

    def ite(self, cond: V, then: V, other: V) -> V:
        """then if the 1-bit cond is 1, else other."""


class UndefinedFlagError(Exception):
    """A flag the architecture leaves undefined was read."""


# Marker stored in a flag the last instruction left undefined.
UNDEFINED = object()
