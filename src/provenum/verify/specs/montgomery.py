"""Montgomery reduction, multiplication and squaring modulo an odd m of n words.

With R = 2^(64 n) and w the negated inverse of m modulo 2^64 (m*w == -1),
reduction gives z == x / R (mod m) and z < m, for x < R * m.
"""
from __future__ import annotations

from .base import Big, Buffer, Implies, Odd, Pow2, ScalarArg, Scalar, Spec, Word, cong, lt

ABI = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")

# In-place uses the kernel banners allow, each proved as its own instance:
# reduction "z may alias x or m" (z on the low half of x), multiply and
# square "z may alias the inputs". x = y needs no instance of its own: neither
# is written, so the disjoint proof (for all contents of x and y) covers it.
ALIASES = {
    "montredc": (("z", "x"), ("z", "m")),
    "amontredc": (("z", "x"), ("z", "m")),
    "montmul": (("z", "x"), ("z", "y"), ("z", "m")),
    "amontmul": (("z", "x"), ("z", "y"), ("z", "m")),
    "montsqr": (("z", "x"), ("z", "m")),
    "amontsqr": (("z", "x"), ("z", "m")),
}


def _common_pre(n: int):
    return (Odd(Big("m", n)), cong(Word("m", 0) * Scalar("w"), -1, Pow2(64)))


def montredc_spec(name: str, n: int) -> Spec:
    R = Pow2(64 * n)
    return Spec(
        name=name, family="montredc",
        summary=f"Montgomery reduction z := x / 2^{64 * n} mod m ({2 * n} words -> {n} words)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {2 * n}], "
                  f"const uint64_t m[static {n}], uint64_t w)",
        args=tuple(zip(ABI, ("z", "x", "m", "w"))),
        buffers=(Buffer("z", n, writable=True), Buffer("x", 2 * n), Buffer("m", n)),
        scalars=(ScalarArg("w", secret=True),),
        pre=_common_pre(n) + (lt(Big("x", 2 * n), R * Big("m", n)),),
        post=(cong(R * Big("z", n), Big("x", 2 * n), Big("m", n)), lt(Big("z", n), Big("m", n))),
        strategy="montgomery", params={"n": n, "input": "x"},
    )


def montmul_spec(name: str, n: int) -> Spec:
    R = Pow2(64 * n)
    return Spec(
        name=name, family="montmul",
        summary=f"Montgomery multiply z := x * y / 2^{64 * n} mod m ({n} words)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {n}], "
                  f"const uint64_t y[static {n}], const uint64_t m[static {n}], uint64_t w)",
        args=tuple(zip(ABI, ("z", "x", "y", "m", "w"))),
        buffers=(Buffer("z", n, writable=True), Buffer("x", n), Buffer("y", n), Buffer("m", n)),
        scalars=(ScalarArg("w", secret=True),),
        pre=_common_pre(n) + (lt(Big("x", n), Big("m", n)), lt(Big("y", n), Big("m", n))),
        post=(cong(R * Big("z", n), Big("x", n) * Big("y", n), Big("m", n)), lt(Big("z", n), Big("m", n))),
        strategy="montgomery", params={"n": n, "input": "xy"},
    )


def montsqr_spec(name: str, n: int) -> Spec:
    R = Pow2(64 * n)
    return Spec(
        name=name, family="montsqr",
        summary=f"Montgomery square z := x^2 / 2^{64 * n} mod m ({n} words)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {n}], "
                  f"const uint64_t m[static {n}], uint64_t w)",
        args=tuple(zip(ABI, ("z", "x", "m", "w"))),
        buffers=(Buffer("z", n, writable=True), Buffer("x", n), Buffer("m", n)),
        scalars=(ScalarArg("w", secret=True),),
        pre=_common_pre(n) + (lt(Big("x", n), Big("m", n)),),
        post=(cong(R * Big("z", n), Big("x", n) * Big("x", n), Big("m", n)), lt(Big("z", n), Big("m", n))),
        strategy="montgomery", params={"n": n, "input": "xx"},
    )


def amontredc_spec(name: str, n: int) -> Spec:
    """Almost-Montgomery reduction: any x < R^2; z == x/R (mod m), z < R, and z < 2m when x < R*m."""
    R = Pow2(64 * n)
    return Spec(
        name=name, family="amontredc",
        summary=f"almost-Montgomery reduction z == x / 2^{64 * n} (mod m), z < 2^{64 * n} "
                f"({2 * n} words -> {n} words)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {2 * n}], "
                  f"const uint64_t m[static {n}], uint64_t w)",
        args=tuple(zip(ABI, ("z", "x", "m", "w"))),
        buffers=(Buffer("z", n, writable=True), Buffer("x", 2 * n), Buffer("m", n)),
        scalars=(ScalarArg("w", secret=True),),
        pre=_common_pre(n),
        post=(cong(R * Big("z", n), Big("x", 2 * n), Big("m", n)), Implies(lt(Big("x", 2 * n), R * Big("m", n)),
                                                                          lt(Big("z", n), 2 * Big("m", n)))),
        strategy="montgomery", params={"n": n, "input": "x", "almost": True},
    )


def amontmul_spec(name: str, n: int, square: bool = False) -> Spec:
    """Almost-Montgomery multiply/square: any inputs < R; z == x*y/R (mod m), z < R; z < 2m when x*y < R*m."""
    R = Pow2(64 * n)
    y = "x" if square else "y"
    names = ("z", "x", "m", "w") if square else ("z", "x", "y", "m", "w")
    bufs = (Buffer("z", n, writable=True), Buffer("x", n)) + (() if square else (Buffer("y", n),)) + (Buffer("m", n),)
    prod = Big("x", n) * Big(y, n)
    return Spec(
        name=name, family="amontsqr" if square else "amontmul",
        summary=f"almost-Montgomery {'square' if square else 'multiply'} z == {'x^2' if square else 'x * y'} "
                f"/ 2^{64 * n} (mod m), z < 2^{64 * n} ({n} words)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {n}], "
                  + ("" if square else f"const uint64_t y[static {n}], ")
                  + f"const uint64_t m[static {n}], uint64_t w)",
        args=tuple(zip(ABI, names)),
        buffers=bufs,
        scalars=(ScalarArg("w", secret=True),),
        pre=_common_pre(n),
        post=(cong(R * Big("z", n), prod, Big("m", n)), Implies(lt(prod, R * Big("m", n)),
                                                                lt(Big("z", n), 2 * Big("m", n)))),
        strategy="montgomery", params={"n": n, "input": "xx" if square else "xy", "almost": True},
    )
