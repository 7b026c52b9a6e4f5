"""The catalog: every kernel variant the library ships, by ISA, operation and level.

An *operation* is what a kernel computes at one size, named like s2n-bignum's
functions (bignum_mul_8_16, bignum_montmul_16, bignum_modexp_32,
bignum_copy_row_from_table_16), the same on every ISA. A *variant* is one
implementation of it for one dispatch level of one ISA, its symbol the
operation's name with the level appended (bignum_mul_8_16_baseline,
bignum_mul_8_16_bmi2, bignum_copy_row_from_table_16_avx2 on x86-64;
bignum_mul_8_16_scalar, bignum_mul_8_16_neon on AArch64). Every variant is
generated and shipped; the native library, built for one ISA, holds that
ISA's variants, and its dispatch table points each operation's entry (a
symbol of the operation's own name) at the best variant the CPU runs
(native/csrc/dispatch.c).

`CATALOG`, `OPERATIONS` and `BY_NAME` are x86-64's (as before the AArch64
kernels); `catalog_of(isa)`, `operations_of(isa)` and `by_name_of(isa)` give either
ISA's, `host_catalog()` etc. the one this machine's native library holds.
AArch64's levels are scalar and neon (provenum.isa.aarch64.features), every
family at both; its generators are in kernels/aarch64/.

Which levels an x86-64 operation has:
  mul, sqr, kmul, ksqr, (a)montredc, (a)montmul, (a)montsqr   baseline, bmi2
  copy_row_from_table                                         baseline, avx2, avx512
  modexp                                                      baseline, bmi2, avx2, avx512
  amm52, amm52x2, to_radix52, from_radix52, select52x2        avx512ifma
(The avx2 and avx512 levels reuse bmi2's arithmetic: only the table lookup,
and the exponentiation that calls it, differ.)

Tuning choices, per arithmetic level (`TUNING`); how they were measured and
on which CPUs is in docs/tuning.md (`python -m provenum.bench.kernels_tune LEVEL`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from provenum.isa.x86_64.features import LEVEL_NAMES, level_features, level_index

from .x86_64 import amm52, karatsuba, modexp, montmul, montredc, mul, radix52, select52, sqr, table
from .x86_64.asm import Function
from .x86_64.levels import symbol

ASM_DIR = Path(__file__).parent / "x86_64" / "generated"
ISAS = ("x86_64", "aarch64")
ASM_DIRS = {isa: Path(__file__).parent / isa / "generated" for isa in ISAS}


def isa_levels(isa: str):
    """The module with an ISA's dispatch levels (LEVEL_NAMES, level_index, level_features, ...)."""
    if isa == "x86_64":
        from provenum.isa.x86_64 import features
    elif isa == "aarch64":
        from provenum.isa.aarch64 import features
    else:
        raise ValueError(f"unknown ISA {isa!r}; the ISAs are {', '.join(ISAS)}")
    return features

ARITH_LEVELS = ("baseline", "bmi2")
TABLE_LEVELS = table.LEVELS
MODEXP_LEVELS = tuple(lv for lv in LEVEL_NAMES if lv != amm52.LEVEL)   # avx512ifma runs avx512's


@dataclass
class Tuning:
    """The measured choices of one arithmetic level (operation names, not symbols)."""
    # Karatsuba: the h-word operation each level calls or inlines
    karatsuba_half: dict = field(default_factory=dict)
    # Montgomery multiply/square: the product operation whose body is inlined
    mont_product: dict = field(default_factory=dict)
    # exponentiation window bits
    modexp_window: dict = field(default_factory=dict)
    # exponentiation steps: one call to amontsqr/amontmul (True), or product then amontredc
    modexp_fused: dict = field(default_factory=dict)
    # Montgomery reduction rows in a loop (True: small code) or fully unrolled, by size
    redc_looped: dict = field(default_factory=dict)


def _products(n: int, karatsuba: bool) -> tuple[str, str]:
    k = "k" if karatsuba else ""
    return f"bignum_{k}mul_{n}_{2 * n}", f"bignum_{k}sqr_{n}_{2 * n}"


TUNING = {
    "bmi2": Tuning(
        karatsuba_half={16: _products(8, False), 24: _products(12, False), 32: _products(16, True)},
        mont_product={4: _products(4, False), 8: _products(8, False), 16: _products(16, True),
                      24: _products(24, True), 32: _products(32, True)},
        modexp_window={16: 5, 24: 6, 32: 6},
        modexp_fused={16: True, 24: True, 32: True},
        redc_looped={4: False, 8: False, 16: False, 24: True, 32: True},
    ),
    "baseline": Tuning(
        karatsuba_half={16: _products(8, False), 24: _products(12, False), 32: _products(16, True)},
        mont_product={4: _products(4, False), 8: _products(8, False), 16: _products(16, True),
                      24: _products(24, True), 32: _products(32, True)},
        modexp_window={16: 5, 24: 6, 32: 6},
        modexp_fused={16: True, 24: True, 32: False},
    ),
}


@dataclass(frozen=True)
class Param:
    """One C argument: an output buffer, an input buffer, or a 64-bit word."""
    name: str
    kind: str        # "out", "in" or "word"
    words: int = 0   # buffer length in words (0: given at run time, e.g. the table)


@dataclass(frozen=True)
class Kernel:
    """One shipped variant: the symbol `name` computes `operation` at `level`."""
    name: str
    operation: str
    family: str
    n: int
    level: str
    params: tuple[Param, ...]
    make: Callable[[], Function] = field(compare=False, repr=False)
    isa: str = "x86_64"

    @cached_property
    def function(self) -> Function:
        return self.make()

    @property
    def path(self) -> Path:
        return ASM_DIRS[self.isa] / f"{self.name}.S"

    @property
    def features(self) -> frozenset[str]:
        return isa_levels(self.isa).level_features(self.level)

    @property
    def cdef(self) -> str:
        return f"void {self.name}({c_args(self.params)});"


@dataclass(frozen=True)
class Operation:
    """What the dispatch table has one entry for: an operation and its variants, lowest level first."""
    name: str
    family: str
    n: int
    params: tuple[Param, ...]
    variants: tuple[Kernel, ...]
    isa: str = "x86_64"

    def variant(self, level: str) -> Kernel:
        """The variant a CPU at `level` runs: the highest one not above it."""
        index = isa_levels(self.isa).level_index
        i = index(level)
        best = None
        for k in self.variants:
            if index(k.level) <= i:
                best = k
        if best is None:
            raise ValueError(f"{self.name} has no variant at or below level {level}")
        return best

    @property
    def cdef(self) -> str:
        return f"void {self.name}({c_args(self.params)});"


def c_args(params) -> str:
    args = []
    for p in params:
        if p.kind == "word":
            args.append(f"uint64_t {p.name}")
        else:
            args.append(f"{'const ' if p.kind == 'in' else ''}uint64_t *{p.name}")
    return ", ".join(args)


def _P(name, kind, words=0):
    return Param(name, kind, words)


def _operations() -> list[tuple[str, str, int, tuple, list]]:
    """(operation, family, n, params, [(level, make)]) for every operation."""
    ops = []

    def add(name, family, n, params, levels, make):
        ops.append((name, family, n, params, [(lv, (lambda lv=lv: make(lv))) for lv in levels]))

    for n in mul.SIZES:
        add(f"bignum_mul_{n}_{2 * n}", "mul", n, (_P("z", "out", 2 * n), _P("x", "in", n), _P("y", "in", n)),
            ARITH_LEVELS, lambda lv, n=n: mul.generate(n, lv))
        add(f"bignum_sqr_{n}_{2 * n}", "sqr", n, (_P("z", "out", 2 * n), _P("x", "in", n)),
            ARITH_LEVELS, lambda lv, n=n: sqr.generate(n, lv))
    for n in karatsuba.SIZES:
        add(f"bignum_kmul_{n}_{2 * n}", "kmul", n, (_P("z", "out", 2 * n), _P("x", "in", n), _P("y", "in", n)),
            ARITH_LEVELS, lambda lv, n=n: karatsuba.generate(n, False, TUNING[lv].karatsuba_half[n][0], lv))
        add(f"bignum_ksqr_{n}_{2 * n}", "ksqr", n, (_P("z", "out", 2 * n), _P("x", "in", n)),
            ARITH_LEVELS, lambda lv, n=n: karatsuba.generate(n, True, TUNING[lv].karatsuba_half[n][1], lv))
    for n in montredc.SIZES:
        for almost in (False, True):
            fam = "amontredc" if almost else "montredc"
            add(f"bignum_{fam}_{n}", fam, n,
                (_P("z", "out", n), _P("x", "in", 2 * n), _P("m", "in", n), _P("w", "word")),
                ARITH_LEVELS, lambda lv, n=n, a=almost: montredc.generate(n, a, lv, _looped(lv, n)))
    for n in montmul.SIZES:
        for almost in (False, True):
            pre = "a" if almost else ""
            add(f"bignum_{pre}montmul_{n}", f"{pre}montmul", n,
                (_P("z", "out", n), _P("x", "in", n), _P("y", "in", n), _P("m", "in", n), _P("w", "word")),
                ARITH_LEVELS, lambda lv, n=n, a=almost: _montmul(n, False, a, lv))
            add(f"bignum_{pre}montsqr_{n}", f"{pre}montsqr", n,
                (_P("z", "out", n), _P("x", "in", n), _P("m", "in", n), _P("w", "word")),
                ARITH_LEVELS, lambda lv, n=n, a=almost: _montmul(n, True, a, lv))
    for n in table.SIZES:
        add(f"bignum_copy_row_from_table_{n}", "copy_row_from_table", n,
            (_P("z", "out", n), _P("table", "in"), _P("height", "word"), _P("idx", "word")),
            TABLE_LEVELS, lambda lv, n=n: table.generate(n, lv))
    ifma = (amm52.LEVEL,)
    for n in amm52.SIZES:
        w = amm52.stride(n)
        add(f"bignum_amm52_{n}", "amm52", n,
            (_P("z", "out", w), _P("x", "in", w), _P("y", "in", w), _P("m", "in", w), _P("k0", "word")),
            ifma, lambda lv, n=n: amm52.generate(n, False))
        add(f"bignum_amm52x2_{n}", "amm52x2", n,
            (_P("z", "out", 2 * w), _P("x", "in", 2 * w), _P("y", "in", 2 * w), _P("m", "in", 2 * w),
             _P("k0", "in", 2)),
            ifma, lambda lv, n=n: amm52.generate(n, True))
        add(f"bignum_select52x2_{n}", "select52x2", n,
            (_P("z", "out", 2 * w), _P("table", "in", select52.ROWS * 2 * w), _P("idx0", "word"),
             _P("idx1", "word")),
            ifma, lambda lv, n=n: select52.generate(n))
    for h in radix52.SIZES:
        w = amm52.stride(radix52.DIGITS[h])
        add(f"bignum_to_radix52_{h}", "to_radix52", h, (_P("z", "out", w), _P("x", "in", h)),
            ifma, lambda lv, h=h: radix52.generate_to(h))
        add(f"bignum_from_radix52_{h}", "from_radix52", h, (_P("z", "out", h), _P("x", "in", w)),
            ifma, lambda lv, h=h: radix52.generate_from(h))
    for n in modexp.SIZES:
        add(f"bignum_modexp_{n}", "modexp", n,
            (_P("z", "out", n), _P("a", "in", n), _P("e", "in", n), _P("m", "in", n)),
            MODEXP_LEVELS, lambda lv, n=n: _modexp(n, lv))
    return ops


def _looped(level: str, n: int) -> bool:
    return TUNING[level].redc_looped.get(n, False)


def _montmul(n: int, square: bool, almost: bool, level: str) -> Function:
    t = TUNING[level]
    product = t.mont_product[n][1 if square else 0]
    half = None
    if product.startswith(("bignum_kmul_", "bignum_ksqr_")):
        half = t.karatsuba_half[n][1 if square else 0]
    return montmul.generate(n, square, almost, product, half, level, _looped(level, n))


def _modexp(n: int, level: str) -> Function:
    from .x86_64.levels import ARITH_LEVEL

    t = TUNING[ARITH_LEVEL[level]]
    return modexp.generate(n, t.modexp_window[n], level, None if t.modexp_fused[n] else t.mont_product[n])


def _aarch64_operations() -> list[tuple[str, str, int, tuple, list]]:
    """The same operations as x86-64's, generated by kernels/aarch64/ at the scalar and neon levels."""
    from .aarch64 import karatsuba as akaratsuba, levels as alevels, modexp as amodexp
    from .aarch64 import montmul as amontmul, montredc as amontredc, mul as amul, sqr as asqr, table as atable

    levels = alevels.LEVEL_NAMES
    ops = []

    def add(name, family, n, params, make):
        ops.append((name, family, n, params, [(lv, (lambda lv=lv: make(lv))) for lv in levels]))

    for n in amul.SIZES:
        add(f"bignum_mul_{n}_{2 * n}", "mul", n, (_P("z", "out", 2 * n), _P("x", "in", n), _P("y", "in", n)),
            lambda lv, n=n: amul.generate(n, lv))
        add(f"bignum_sqr_{n}_{2 * n}", "sqr", n, (_P("z", "out", 2 * n), _P("x", "in", n)),
            lambda lv, n=n: asqr.generate(n, lv))
    for n in akaratsuba.SIZES:
        for square in (False, True):
            op = f"bignum_{'ksqr' if square else 'kmul'}_{n}_{2 * n}"
            params = (_P("z", "out", 2 * n), _P("x", "in", n)) + (() if square else (_P("y", "in", n),))
            add(op, "ksqr" if square else "kmul", n, params,
                lambda lv, n=n, sq=square, op=op: akaratsuba.generate(n, sq, alevels.karatsuba_half(op), lv))
    for n in amontredc.SIZES:
        for almost in (False, True):
            fam = "amontredc" if almost else "montredc"
            add(f"bignum_{fam}_{n}", fam, n,
                (_P("z", "out", n), _P("x", "in", 2 * n), _P("m", "in", n), _P("w", "word")),
                lambda lv, n=n, a=almost: amontredc.generate(n, a, lv))
    for n in amontmul.SIZES:
        for almost in (False, True):
            pre = "a" if almost else ""
            add(f"bignum_{pre}montmul_{n}", f"{pre}montmul", n,
                (_P("z", "out", n), _P("x", "in", n), _P("y", "in", n), _P("m", "in", n), _P("w", "word")),
                lambda lv, n=n, a=almost: amontmul.generate(n, False, a, lv))
            add(f"bignum_{pre}montsqr_{n}", f"{pre}montsqr", n,
                (_P("z", "out", n), _P("x", "in", n), _P("m", "in", n), _P("w", "word")),
                lambda lv, n=n, a=almost: amontmul.generate(n, True, a, lv))
    for n in atable.SIZES:
        add(f"bignum_copy_row_from_table_{n}", "copy_row_from_table", n,
            (_P("z", "out", n), _P("table", "in"), _P("height", "word"), _P("idx", "word")),
            lambda lv, n=n: atable.generate(n, lv))
    for n in amodexp.SIZES:
        add(f"bignum_modexp_{n}", "modexp", n,
            (_P("z", "out", n), _P("a", "in", n), _P("e", "in", n), _P("m", "in", n)),
            lambda lv, n=n: amodexp.generate(n, alevels.MODEXP_WINDOW[n], lv))
    return ops


def build(isa: str = "x86_64") -> tuple[list[Kernel], dict[str, Operation]]:
    kernels: list[Kernel] = []
    operations: dict[str, Operation] = {}
    entries = _operations() if isa == "x86_64" else _aarch64_operations()
    for name, family, n, params, levels in entries:
        variants = tuple(Kernel(f"{name}_{lv}", name, family, n, lv, params, make, isa) for lv, make in levels)
        kernels.extend(variants)
        operations[name] = Operation(name, family, n, params, variants, isa)
    return kernels, operations


CATALOG, OPERATIONS = build()
BY_NAME: dict[str, Kernel] = {k.name: k for k in CATALOG}
_BUILT = {"x86_64": (CATALOG, OPERATIONS, BY_NAME)}


def _built(isa: str):
    if isa not in _BUILT:
        isa_levels(isa)                       # an unknown ISA is an error here
        kernels, operations = build(isa)
        _BUILT[isa] = (kernels, operations, {k.name: k for k in kernels})
    return _BUILT[isa]


def catalog_of(isa: str) -> list[Kernel]:
    """Every variant of an ISA."""
    return _built(isa)[0]


def operations_of(isa: str) -> dict[str, Operation]:
    return _built(isa)[1]


def by_name_of(isa: str) -> dict[str, Kernel]:
    return _built(isa)[2]


def host_isa() -> str:
    from provenum.toolchain import host_isa as _host

    isa = _host()
    return isa if isa in ISAS else "x86_64"


def host_catalog() -> list[Kernel]:
    """The variants the native library of this machine holds (its ISA's)."""
    return catalog_of(host_isa())


def host_operations() -> dict[str, Operation]:
    return operations_of(host_isa())


def host_by_name() -> dict[str, Kernel]:
    return by_name_of(host_isa())


def split_symbol(symbol_name: str) -> tuple[str, str | None]:
    """(operation, level) of a variant symbol of either ISA; (name, None) for a name without a level."""
    from provenum.isa.aarch64.features import LEVEL_NAMES as ARM_LEVELS

    base, _, suffix = symbol_name.rpartition("_")
    if base and (suffix in LEVEL_NAMES or suffix in ARM_LEVELS):
        return base, suffix
    return symbol_name, None
