"""Radix-2^52 kernels (AVX-512 IFMA, docs/ifma.md): the integer meaning of digit buffers, the almost-Montgomery
product and the conversions.

A radix-2^52 number of n digits lives in a buffer of stride(n) words (n rounded
up to a multiple of 8): digits, then zeros. It means sum d_i 2^(52 i)
(`Digits`); its words are digits when each is below 2^52 (`DigitsBelow`: as a
precondition, the interval the symbolic state gives those input words; as a
postcondition, shown by the prover). `WordsZero` says words of a buffer are 0
(as a precondition, the symbolic memory holds the constant 0 there).

With R = 2^(52 n), the almost-Montgomery product (`amm52_spec`) is

    z R == x y (mod m),  z < 2 m,  every z_i < 2^52,  z's padding words 0

for digit buffers x, y, m (padding 0) with m odd, x, y < 2 m, 4 m <= R and
m[0] k0 == -1 (mod 2^52) (k0 a 64-bit word: only its class mod 2^52 is
assumed). The headroom 4 m <= R is what makes z < 2 m without a final
subtraction: z R = x y + K m with 0 <= K < R, and x y < 4 m^2 <= R m. The dual
form (x2) holds two such products, the second stride(n) words into each
buffer, with k0[0], k0[1].
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import Big, Buffer, Elem, Expr, Odd, Pow2, Scalar, ScalarArg, Spec, Word, cong, eq, le, lt

ABI = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
DIGIT = 52
MASK = (1 << DIGIT) - 1
# in-place uses the banners allow ("z may alias x or y"), each its own spec instance
ALIASES = {"amm52": (("z", "x"), ("z", "y")), "amm52x2": (("z", "x"), ("z", "y"))}
# the digit counts of the conversions: h words <-> n digits (docs/ifma.md)
DIGITS_OF_WORDS = {16: 20, 24: 30, 32: 40}


def stride(n: int) -> int:
    """Words a radix-2^52 number of n digits occupies in a buffer: n rounded up to a multiple of 8."""
    return -(-n // 8) * 8


@dataclass(frozen=True, eq=False)
class Digits(Expr):
    """The number words offset .. offset + words - 1 of a buffer hold in radix 2^52: sum buf[offset + i] 2^(52 i)."""
    buffer: str
    words: int
    offset: int = 0

    def evaluate(self, env):
        return sum(w << (DIGIT * i) for i, w in enumerate(env[self.buffer][self.offset:self.offset + self.words]))

    def show(self):
        at = f" + {self.offset}" if self.offset else ""
        return f"digits52({self.buffer}{at}, {self.words})"


@dataclass(frozen=True, eq=False)
class DigitsBelow(Expr):
    """Every word of buffer[offset : offset + words] is below 2^bits."""
    buffer: str
    words: int
    offset: int = 0
    bits: int = DIGIT

    def evaluate(self, env):
        return all(0 <= w < (1 << self.bits) for w in env[self.buffer][self.offset:self.offset + self.words])

    def show(self):
        return f"{self.buffer}[i] < 2^{self.bits} for {self.offset} ≤ i < {self.offset + self.words}"

    def input_bounds(self, spec: Spec) -> list:
        """As a precondition: (input word as the symbolic state names it, its upper bound, secret)."""
        home = spec.home(self.buffer)
        return [(f"{home}[{i}]", (1 << self.bits) - 1, spec.region_secret(home))
                for i in range(self.offset, self.offset + self.words)]


@dataclass(frozen=True, eq=False)
class WordsZero(Expr):
    """buffer[i] = 0 for start <= i < stop (a radix-52 buffer's padding)."""
    buffer: str
    start: int
    stop: int

    def evaluate(self, env):
        return not any(env[self.buffer][self.start:self.stop])

    def show(self):
        return f"{self.buffer}[i] = 0 for {self.start} ≤ i < {self.stop}"

    def initial_words(self, spec: Spec) -> list:
        """As a precondition: (home buffer, word index, value) the memory holds on entry."""
        return [(spec.home(self.buffer), i, 0) for i in range(self.start, self.stop)]


@dataclass(frozen=True)
class Product:
    """One almost-Montgomery product of a kernel: its buffers (numbers at word `offset` of each), k0 (an Expr:
    the scalar argument, or a word of a buffer) and n digits."""
    z: str
    x: str
    y: str
    m: str
    k0: Expr
    n: int
    offset: int = 0

    def digits(self, name: str) -> Digits:
        return Digits(name, self.n, self.offset)


def _product_conditions(p: Product, width: int):
    """Pre- and postconditions of one product whose numbers occupy `width` words each."""
    R = Pow2(DIGIT * p.n)
    X, Y, M, Z = p.digits(p.x), p.digits(p.y), p.digits(p.m), p.digits(p.z)
    pad = lambda b: WordsZero(b, p.offset + p.n, p.offset + width)  # noqa: E731
    pre = tuple(DigitsBelow(b, p.n, p.offset) for b in dict.fromkeys((p.x, p.y, p.m)))
    pre += tuple(pad(b) for b in dict.fromkeys((p.x, p.y, p.m)) if width > p.n)
    pre += (Odd(M), cong(Word(p.m, p.offset) * p.k0, -1, Pow2(DIGIT)), lt(X, 2 * M), lt(Y, 2 * M), le(4 * M, R))
    post = (cong(R * Z, X * Y, M), lt(Z, 2 * M), DigitsBelow(p.z, p.n, p.offset))
    post += (pad(p.z),) if width > p.n else ()
    return pre, post


def amm52_spec(name: str, n: int, dual: bool = False, width: int | None = None) -> Spec:
    """z := x y / 2^(52 n) mod m, almost (z < 2 m): n digits in `width` words (default stride(n)); dual: two."""
    w = stride(n) if width is None else width
    halves = 2 if dual else 1
    k0 = [Word("k0", h) for h in range(2)] if dual else [Scalar("k0")]
    products = tuple(Product("z", "x", "y", "m", k0[h], n, h * w) for h in range(halves))
    pre, post = (), ()
    for p in products:
        a, b = _product_conditions(p, w)
        pre, post = pre + a, post + b
    words = halves * w
    bufs = (Buffer("z", words, writable=True), Buffer("x", words), Buffer("y", words), Buffer("m", words))
    if dual:
        bufs += (Buffer("k0", 2),)
    k0_decl = "const uint64_t k0[static 2]" if dual else "uint64_t k0"
    return Spec(
        name=name, family="amm52x2" if dual else "amm52",
        summary=(f"{'two ' if dual else ''}almost-Montgomery product{'s' if dual else ''} in radix 2^52: "
                 f"z == x * y / 2^{DIGIT * n} (mod m), z < 2m ({n} digits in {w} words"
                 + (", the second number at word {w}" if dual else "") + ")").replace("{w}", str(w)),
        prototype=f"void {name}(uint64_t z[static {words}], const uint64_t x[static {words}], "
                  f"const uint64_t y[static {words}], const uint64_t m[static {words}], {k0_decl})",
        args=tuple(zip(ABI, ("z", "x", "y", "m", "k0"))), buffers=bufs,
        scalars=() if dual else (ScalarArg("k0", secret=True),),
        pre=pre, post=post, strategy="montgomery52", params={"n": n, "products": products},
    )


def to_radix52_spec(name: str, h: int) -> Spec:
    """h words -> their n digits, then zeros up to stride(n)."""
    n = DIGITS_OF_WORDS[h]
    w = stride(n)
    return Spec(
        name=name, family="to_radix52", summary=f"radix 2^64 to radix 2^52: {h} words to {n} digits",
        prototype=f"void {name}(uint64_t z[static {w}], const uint64_t x[static {h}])",
        args=tuple(zip(ABI, ("z", "x"))), buffers=(Buffer("z", w, writable=True), Buffer("x", h)),
        post=(eq(Digits("z", n), Big("x", h)), DigitsBelow("z", n), WordsZero("z", n, w)),
        strategy="radix52", params={"n": n},
    )


def from_radix52_spec(name: str, h: int) -> Spec:
    """n digits (below 2^52, the number below 2^(64 h)) -> that number in h words."""
    n = DIGITS_OF_WORDS[h]
    w = stride(n)
    return Spec(
        name=name, family="from_radix52", summary=f"radix 2^52 to radix 2^64: {n} digits to {h} words",
        prototype=f"void {name}(uint64_t z[static {h}], const uint64_t x[static {w}])",
        args=tuple(zip(ABI, ("z", "x"))), buffers=(Buffer("z", h, writable=True), Buffer("x", w)),
        pre=(DigitsBelow("x", n), lt(Digits("x", n), Pow2(64 * h))),
        post=(eq(Big("z", h), Digits("x", n)),),
        strategy="radix52", params={"n": n},
    )


SELECT_ROWS = 32     # rows of the exponentiation's table (5-bit windows)


def select52x2_spec(name: str, n: int) -> Spec:
    """z := (row idx0's first number, row idx1's second) of a 32-row table whose rows are dual buffers
    (2 stride(n) words); the indices are secret, so constant time is part of the proof."""
    w = stride(n)
    row = 2 * w
    i0, i1 = Scalar("idx0"), Scalar("idx1")
    post = (tuple(eq(Word("z", k), Elem("table", i0 * row + k)) for k in range(w))
            + tuple(eq(Word("z", w + k), Elem("table", i1 * row + (w + k))) for k in range(w)))
    return Spec(
        name=name, family="select52x2",
        summary=f"constant-time selection: z = (table[idx0] first {w} words, table[idx1] last {w}), "
                f"{SELECT_ROWS} rows of {row} words",
        prototype=f"void {name}(uint64_t z[static {row}], const uint64_t table[static {SELECT_ROWS * row}], "
                  f"uint64_t idx0, uint64_t idx1)",
        args=tuple(zip(ABI, ("z", "table", "idx0", "idx1"))),
        buffers=(Buffer("z", row, writable=True), Buffer("table", SELECT_ROWS * row)),
        scalars=(ScalarArg("idx0", secret=True), ScalarArg("idx1", secret=True)),
        pre=(lt(i0, SELECT_ROWS), lt(i1, SELECT_ROWS)),
        post=post, strategy="select52", params={"rows": SELECT_ROWS, "row": row},
    )


def candidate_inputs(spec: Spec, env: dict, rng) -> None:
    """Make random words `env` meet the radix-52 preconditions (counterexample search, mutation runs)."""
    if spec.family == "select52x2":
        for name in ("idx0", "idx1"):
            env[name] = rng.randrange(spec.params["rows"])
        return
    if spec.family == "from_radix52":
        h = spec.buffer("z").words
        env["x"] = _digits(_value(env["x"]) % (1 << (64 * h)), spec.params["n"]) + [0] * (len(env["x"]) -
                                                                                          spec.params["n"])
        return
    for p in spec.params.get("products", ()):
        n, o = p.n, p.offset
        R = 1 << (DIGIT * n)
        m = _value(env[p.m][o:o + n]) % (R >> 2) | 1
        m = max(m, 3)
        k0 = (-pow(m, -1, 1 << DIGIT)) % (1 << DIGIT)
        k0 |= rng.getrandbits(12) << DIGIT if rng.random() < 0.5 else 0   # only k0 mod 2^52 is assumed
        if isinstance(p.k0, Word):
            env[p.k0.buffer][p.k0.index] = k0
        else:
            env[p.k0.name] = k0
        values = {p.m: m}
        for name in (p.x, p.y):
            values.setdefault(name, _value(env[name][o:o + n]) % (2 * m))
        for name, v in values.items():
            words = env[name]
            width = len(words) // (2 if spec.family == "amm52x2" else 1)
            words[o:o + width] = _digits(v, n) + [0] * (width - n)


def _value(words) -> int:
    return sum((w & MASK) << (DIGIT * i) for i, w in enumerate(words))


def _digits(v: int, n: int) -> list:
    return [(v >> (DIGIT * i)) & MASK for i in range(n)]


__all__ = ["ALIASES", "Digits", "DigitsBelow", "WordsZero", "Product", "amm52_spec", "to_radix52_spec",
           "from_radix52_spec", "stride", "candidate_inputs"]
