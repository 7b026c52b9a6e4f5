"""Generators of constant-time x86-64 (BMI2/ADX, AVX-512) big-number kernels.

The catalog below lists every (family, size) the library ships, with the
argument layout the bindings and the benchmark use. `python -m
provenum.kernels` rewrites the committed .S files in x86_64/ from the
generators; tests/kernels checks they are up to date byte for byte.

Tuning choices, measured with `python -m provenum.bench.kernels_tune`
(median TSC ticks, TSC 2.6 GHz, on the 2-core Emerald Rapids development VM):
  - Karatsuba 16 and 24: one level over the schoolbook 8 and 12 kernels,
    inlined (straight-line code). Karatsuba 32 calls Karatsuba 16 for its
    halves: kmul 739 vs 845 over schoolbook 16 halves, ksqr 470 vs 494.
  - Montgomery products by Karatsuba at 16/24/32: amontmul 447/962/1612
    vs 488/1080/1937 with schoolbook; amontsqr 369/784/1344 vs 378/821/1460.
  - Exponentiation steps: one call per Montgomery step (amontsqr/amontmul,
    product and reduction inline) at 16 and 24 words (16: 501k either way;
    24: 1.563M vs 1.584M as product-then-reduction calls); the split form at
    32 words (3.58M vs 4.23M fused: two inlined 32-word reductions do not
    fit the instruction cache together).
  - Exponentiation window: 5 bits at 16 words (500k vs 514k with 4 bits and
    512k with 6); at 24 and 32 words 5 and 6 bits are equal within the
    noise (+-1%, several runs; 6 is kept), 4 bits is slower (1.617M, 3.715M).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from . import karatsuba, modexp, montmul, montredc, mul, sqr, table
from .asm import Function

ASM_DIR = Path(__file__).parent / "x86_64"

# Karatsuba: the h-word kernel each level calls (by measurement).
KARATSUBA_HALF = {
    16: ("bignum_mul_8_16", "bignum_sqr_8_16"),
    24: ("bignum_mul_12_24", "bignum_sqr_12_24"),
    32: ("bignum_kmul_16_32", "bignum_ksqr_16_32"),
}
# Montgomery multiply/square: the product kernel (by measurement).
MONT_PRODUCT = {
    4: ("bignum_mul_4_8", "bignum_sqr_4_8"),
    8: ("bignum_mul_8_16", "bignum_sqr_8_16"),
    16: ("bignum_kmul_16_32", "bignum_ksqr_16_32"),
    24: ("bignum_kmul_24_48", "bignum_ksqr_24_48"),
    32: ("bignum_kmul_32_64", "bignum_ksqr_32_64"),
}
# Exponentiation window bits (by measurement).
MODEXP_WINDOW = {16: 5, 24: 6, 32: 6}
# Exponentiation steps: one call to amontsqr/amontmul (True), or the product
# kernel then amontredc (False: at 32 words the two inlined reductions of
# amontsqr_32 and amontmul_32 together overflow the instruction cache).
MODEXP_FUSED_STEPS = {16: True, 24: True, 32: False}


@dataclass(frozen=True)
class Param:
    """One C argument: an output buffer, an input buffer, or a 64-bit word."""
    name: str
    kind: str        # "out", "in" or "word"
    words: int = 0   # buffer length in words (0: given at run time, e.g. the table)


@dataclass(frozen=True)
class Kernel:
    name: str
    family: str
    n: int
    params: tuple[Param, ...]
    make: Callable[[], Function]

    @cached_property
    def function(self) -> Function:
        return self.make()

    @property
    def path(self) -> Path:
        return ASM_DIR / f"{self.name}.S"

    @property
    def cdef(self) -> str:
        """Declaration for cffi's cdef (no `static` array sizes)."""
        args = []
        for p in self.params:
            if p.kind == "word":
                args.append(f"uint64_t {p.name}")
            else:
                args.append(f"{'const ' if p.kind == 'in' else ''}uint64_t *{p.name}")
        return f"void {self.name}({', '.join(args)});"


def _P(name, kind, words=0):
    return Param(name, kind, words)


def _catalog() -> list[Kernel]:
    ks: list[Kernel] = []
    for n in mul.SIZES:
        ks.append(Kernel(f"bignum_mul_{n}_{2 * n}", "mul", n,
                         (_P("z", "out", 2 * n), _P("x", "in", n), _P("y", "in", n)),
                         lambda n=n: mul.generate(n)))
        ks.append(Kernel(f"bignum_sqr_{n}_{2 * n}", "sqr", n,
                         (_P("z", "out", 2 * n), _P("x", "in", n)),
                         lambda n=n: sqr.generate(n)))
    for n in karatsuba.SIZES:
        hm, hs = KARATSUBA_HALF[n]
        ks.append(Kernel(f"bignum_kmul_{n}_{2 * n}", "kmul", n,
                         (_P("z", "out", 2 * n), _P("x", "in", n), _P("y", "in", n)),
                         lambda n=n, hm=hm: karatsuba.generate(n, False, hm)))
        ks.append(Kernel(f"bignum_ksqr_{n}_{2 * n}", "ksqr", n,
                         (_P("z", "out", 2 * n), _P("x", "in", n)),
                         lambda n=n, hs=hs: karatsuba.generate(n, True, hs)))
    for n in montredc.SIZES:
        for almost in (False, True):
            fam = "amontredc" if almost else "montredc"
            ks.append(Kernel(f"bignum_{fam}_{n}", fam, n,
                             (_P("z", "out", n), _P("x", "in", 2 * n), _P("m", "in", n), _P("w", "word")),
                             lambda n=n, a=almost: montredc.generate(n, a)))
    for n in montmul.SIZES:
        pm, ps = MONT_PRODUCT[n]
        for almost in (False, True):
            pre = "a" if almost else ""
            ks.append(Kernel(f"bignum_{pre}montmul_{n}", f"{pre}montmul", n,
                             (_P("z", "out", n), _P("x", "in", n), _P("y", "in", n), _P("m", "in", n),
                              _P("w", "word")),
                             lambda n=n, a=almost, pm=pm: montmul.generate(n, False, a, pm)))
            ks.append(Kernel(f"bignum_{pre}montsqr_{n}", f"{pre}montsqr", n,
                             (_P("z", "out", n), _P("x", "in", n), _P("m", "in", n), _P("w", "word")),
                             lambda n=n, a=almost, ps=ps: montmul.generate(n, True, a, ps)))
    for n in table.SIZES:
        ks.append(Kernel(f"bignum_copy_row_from_table_{n}", "copy_row_from_table", n,
                         (_P("z", "out", n), _P("table", "in"), _P("height", "word"), _P("idx", "word")),
                         lambda n=n: table.generate(n)))
    for n in modexp.SIZES:
        ks.append(Kernel(f"bignum_modexp_{n}", "modexp", n,
                         (_P("z", "out", n), _P("a", "in", n), _P("e", "in", n), _P("m", "in", n)),
                         lambda n=n: modexp.generate(
                             n, MODEXP_WINDOW[n], None if MODEXP_FUSED_STEPS[n] else MONT_PRODUCT[n])))
    return ks


CATALOG: list[Kernel] = _catalog()
BY_NAME: dict[str, Kernel] = {k.name: k for k in CATALOG}


def cdef_header() -> str:
    lines = ["/* provenum kernels (generated from provenum.kernels.CATALOG; see the .S banners) */"]
    lines += [k.cdef for k in CATALOG]
    return "\n".join(lines) + "\n"


def write_all(asm_dir: Path = ASM_DIR, cdef_path: Path | None = None) -> list[Path]:
    """Regenerate every .S file (and the cffi header); returns the paths written."""
    asm_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k in CATALOG:
        path = asm_dir / f"{k.name}.S"
        path.write_text(k.function.text())
        written.append(path)
    if cdef_path is not None:
        cdef_path.write_text(cdef_header())
        written.append(cdef_path)
    return written
