"""Multiplication and squaring: z := x * y and z := x^2, exactly."""
from __future__ import annotations

from .base import Big, Buffer, Spec, eq

ABI3 = ("rdi", "rsi", "rdx")


def mul_spec(name: str, n: int, m: int, k: int | None = None, karatsuba: bool = False) -> Spec:
    """z[k] := x[n] * y[m] (k defaults to n + m: the full product)."""
    k = n + m if k is None else k
    if k < n + m:
        raise ValueError("truncated products are not specified here")
    return Spec(
        name=name, family="kmul" if karatsuba else "mul",
        summary=f"multiply z := x * y ({n}x{m} words -> {k} words{', Karatsuba' if karatsuba else ''})",
        prototype=f"void {name}(uint64_t z[static {k}], const uint64_t x[static {n}], const uint64_t y[static {m}])",
        args=tuple(zip(ABI3, ("z", "x", "y"))),
        buffers=(Buffer("z", k, writable=True), Buffer("x", n), Buffer("y", m)),
        post=(eq(Big("z", k), Big("x", n) * Big("y", m)),),
        strategy="exact", params={"n": n, "k": k},
    )


def sqr_spec(name: str, n: int, k: int | None = None, karatsuba: bool = False) -> Spec:
    """z[k] := x[n]^2."""
    k = 2 * n if k is None else k
    if k < 2 * n:
        raise ValueError("truncated squares are not specified here")
    return Spec(
        name=name, family="ksqr" if karatsuba else "sqr",
        summary=f"square z := x^2 ({n} words -> {k} words{', Karatsuba' if karatsuba else ''})",
        prototype=f"void {name}(uint64_t z[static {k}], const uint64_t x[static {n}])",
        args=tuple(zip(ABI3, ("z", "x"))),
        buffers=(Buffer("z", k, writable=True), Buffer("x", n)),
        post=(eq(Big("z", k), Big("x", n) * Big("x", n)),),
        strategy="exact", params={"n": n, "k": k},
    )
