"""Radix-2^52 kernels (AVX-512 IFMA): the integer meaning of digit buffers, and the almost-Montgomery product.

A radix-52 buffer of n words means sum d_i 2^(52 i) (`Digits`); its words are
digits when each is below 2^52 (`DigitsBelow`, a precondition the symbolic
state makes the interval of each input word, or a postcondition the prover
shows by intervals). With R = 2^(52 n) and k0 = -m^-1 mod 2^52, the
almost-Montgomery product (`amm52_spec`) is

    z R == x y (mod m),  z < 2 m,  every z_i < 2^52

for digit buffers x, y, m with m odd, x, y < 2 m and 4 m <= R. The headroom
4 m <= R is what makes z < 2 m without a final subtraction:
z R = x y + K m with 0 <= K < R, and x y < 4 m^2 <= R m.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import Buffer, Expr, Odd, Pow2, Scalar, ScalarArg, Spec, Word, cong, le, lt

ABI = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
DIGIT = 52
MASK = (1 << DIGIT) - 1


@dataclass(frozen=True, eq=False)
class Digits(Expr):
    """The number a radix-2^52 buffer holds: sum buf[i] 2^(52 i) (a word may exceed 2^52: its value counts)."""
    buffer: str
    words: int

    def evaluate(self, env):
        return sum(w << (DIGIT * i) for i, w in enumerate(env[self.buffer][: self.words]))

    def show(self):
        return f"digits52({self.buffer}, {self.words})"


@dataclass(frozen=True, eq=False)
class DigitsBelow(Expr):
    """Every word of buffer[0:words] is below 2^bits."""
    buffer: str
    words: int
    bits: int = DIGIT

    def evaluate(self, env):
        return all(0 <= w < (1 << self.bits) for w in env[self.buffer][: self.words])

    def input_bounds(self, spec: Spec) -> list:
        """As a precondition: (input word as the symbolic state names it, its upper bound, secret)."""
        home = spec.home(self.buffer)
        return [(f"{home}[{i}]", (1 << self.bits) - 1, spec.region_secret(home)) for i in range(self.words)]

    def show(self):
        return f"{self.buffer}[i] < 2^{self.bits} for i < {self.words}"


@dataclass(frozen=True, eq=False)
class ScalarBelow(Expr):
    name: str
    bits: int

    def evaluate(self, env):
        return 0 <= env[self.name] < (1 << self.bits)

    def input_bounds(self, spec: Spec) -> list:
        sc = next(s for s in spec.scalars if s.name == self.name)
        return [(self.name, (1 << self.bits) - 1, sc.secret)]

    def show(self):
        return f"{self.name} < 2^{self.bits}"


@dataclass(frozen=True)
class Product:
    """One almost-Montgomery product of a kernel: buffer names of its output, factors and modulus, and k0."""
    z: str
    x: str
    y: str
    m: str
    k0: str


def _amm_conditions(p: Product, n: int):
    R = Pow2(DIGIT * n)
    X, Y, M, Z = Digits(p.x, n), Digits(p.y, n), Digits(p.m, n), Digits(p.z, n)
    pre = (DigitsBelow(p.x, n), DigitsBelow(p.y, n), DigitsBelow(p.m, n), ScalarBelow(p.k0, DIGIT),
           Odd(M), cong(Word(p.m, 0) * Scalar(p.k0), -1, Pow2(DIGIT)),
           lt(X, 2 * M), lt(Y, 2 * M), le(4 * M, R))
    post = (cong(R * Z, X * Y, M), lt(Z, 2 * M), DigitsBelow(p.z, n))
    return pre, post


def amm52_spec(name: str, n: int, square: bool = False) -> Spec:
    """z := x y / 2^(52 n) mod m, almost (z < 2 m), n digits of 52 bits in 64-bit words."""
    y = "x" if square else "y"
    p = Product("z", "x", y, "m", "k0")
    pre, post = _amm_conditions(p, n)
    names = ("z", "x", "m", "k0") if square else ("z", "x", "y", "m", "k0")
    bufs = (Buffer("z", n, writable=True), Buffer("x", n)) + (() if square else (Buffer("y", n),)) + (Buffer("m", n),)
    what = "x^2" if square else "x * y"
    return Spec(
        name=name, family="amsqr52" if square else "amm52",
        summary=f"almost-Montgomery {'square' if square else 'multiply'} in radix 2^52: z == {what} / 2^{DIGIT * n} "
                f"(mod m), z < 2m ({n} digits)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t x[static {n}], "
                  + ("" if square else f"const uint64_t y[static {n}], ")
                  + f"const uint64_t m[static {n}], uint64_t k0)",
        args=tuple(zip(ABI, names)), buffers=bufs, scalars=(ScalarArg("k0", secret=True),),
        pre=pre, post=post, strategy="montgomery52", params={"n": n, "products": (p,)},
    )


def candidate_inputs(spec: Spec, env: dict, rng) -> None:
    """Make random words `env` meet the radix-52 preconditions (counterexample search, mutation runs):
    digits below 2^52, each m odd with 4 m <= R, x, y < 2 m, k0 = -m^-1 mod 2^52."""
    n = spec.params["n"]
    R = 1 << (DIGIT * n)
    for p in spec.params["products"]:
        m = _value(env[p.m]) % (R >> 2) | 1
        if m < 3:
            m = 3
        env[p.m] = _digits(m, n)
        env[p.k0] = (-pow(m, -1, 1 << DIGIT)) % (1 << DIGIT)
        for name in {p.x, p.y}:
            env[name] = _digits(_value(env[name]) % (2 * m), n)


def _value(words) -> int:
    return sum((w & MASK) << (DIGIT * i) for i, w in enumerate(words))


def _digits(v: int, n: int) -> list:
    return [(v >> (DIGIT * i)) & MASK for i in range(n)]


def is_radix52(spec: Spec) -> bool:
    return spec.strategy in ("montgomery52", "radix52")


__all__ = ["Digits", "DigitsBelow", "ScalarBelow", "Product", "amm52_spec", "is_radix52"]
