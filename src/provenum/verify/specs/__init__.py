"""Specifications of the kernels, one module per family, parameterised by size.

`spec_for(symbol)` gives the spec of a kernel symbol (None when there is
none); names follow the kernel library: bignum_mul_8_16, bignum_sqr_8_16,
bignum_kmul_32_64, bignum_montredc_16, bignum_montmul_16, bignum_montsqr_16,
bignum_copy_row_from_table_16 (every height at once: a loop invariant),
bignum_amontredc_16, bignum_amontmul_16, bignum_amontsqr_16, each
optionally followed by a level suffix (bignum_mul_8_16_bmi2): every variant
of an operation meets the operation's spec.

The Montgomery families also have one instance per in-place use their
banners allow (`montgomery.ALIASES`): e.g. "bignum_montmul_16 [z=x]" is the
same spec with z and x one buffer.
"""
from __future__ import annotations

import re

from .base import Spec
from .montgomery import ALIASES as MONTGOMERY_ALIASES, amontmul_spec, amontredc_spec, montmul_spec, montredc_spec, montsqr_spec
from .ifma import ALIASES as IFMA_ALIASES, amm52_spec, from_radix52_spec, select52x2_spec, to_radix52_spec
from .multiply import mul_spec, sqr_spec
from .table import table_spec

_PATTERNS = (
    (re.compile(r"bignum_(k?)mul_(\d+)_(\d+)$"), lambda m, s: mul_spec(s, int(m[2]), int(m[2]), int(m[3]), bool(m[1]))),
    (re.compile(r"bignum_(k?)sqr_(\d+)_(\d+)$"), lambda m, s: sqr_spec(s, int(m[2]), int(m[3]), bool(m[1]))),
    (re.compile(r"bignum_montredc_(\d+)$"), lambda m, s: montredc_spec(s, int(m[1]))),
    (re.compile(r"bignum_montmul_(\d+)$"), lambda m, s: montmul_spec(s, int(m[1]))),
    (re.compile(r"bignum_montsqr_(\d+)$"), lambda m, s: montsqr_spec(s, int(m[1]))),
    (re.compile(r"bignum_amontredc_(\d+)$"), lambda m, s: amontredc_spec(s, int(m[1]))),
    (re.compile(r"bignum_amontmul_(\d+)$"), lambda m, s: amontmul_spec(s, int(m[1]))),
    (re.compile(r"bignum_amontsqr_(\d+)$"), lambda m, s: amontmul_spec(s, int(m[1]), square=True)),
    (re.compile(r"bignum_amm52_(\d+)$"), lambda m, s: amm52_spec(s, int(m[1]))),
    (re.compile(r"bignum_amm52x2_(\d+)$"), lambda m, s: amm52_spec(s, int(m[1]), dual=True)),
    (re.compile(r"bignum_to_radix52_(\d+)$"), lambda m, s: to_radix52_spec(s, int(m[1]))),
    (re.compile(r"bignum_from_radix52_(\d+)$"), lambda m, s: from_radix52_spec(s, int(m[1]))),
    (re.compile(r"bignum_select52x2_(\d+)$"), lambda m, s: select52x2_spec(s, int(m[1]))),
)
ALIASES = {**MONTGOMERY_ALIASES, **IFMA_ALIASES}
_TABLE = re.compile(r"bignum_copy_row_from_table_(\d+)$")


def operation_of(symbol: str) -> str:
    """The operation a symbol implements: its name without a level suffix."""
    from ...kernels.catalog import split_symbol

    return split_symbol(symbol)[0]


def spec_for(symbol: str, alias: str | None = None) -> Spec | None:
    """The spec of a kernel symbol, or None if it has none.

    `alias` ("z=x") gives the in-place instance with those two buffers one
    (ValueError unless the family's banner allows it).
    """
    spec = _spec_for(operation_of(symbol), symbol)
    if spec is None or alias is None:
        return spec
    a, _, b = alias.partition("=")
    if (a, b) not in ALIASES.get(spec.family, ()):
        raise ValueError(f"{symbol} is not specified for in-place use {alias!r}")
    return spec.with_alias(a, b)


def _spec_for(operation: str, symbol: str) -> Spec | None:
    m = _TABLE.match(operation)
    spec = None
    if m:
        spec = table_spec(symbol, int(m[1]))
    for pattern, make in _PATTERNS:
        m = pattern.match(operation)
        if m:
            spec = make(m, symbol)
            break
    return spec


def specs_for(symbol: str) -> list[Spec]:
    """Every spec instance to prove for a symbol: the Montgomery kernels once
    disjoint and once per allowed aliasing (the disjoint instance first: calls
    are summarised by it), others once."""
    s = spec_for(symbol)
    if s is None:
        return []
    return [s] + [s.with_alias(a, b) for a, b in ALIASES.get(s.family, ())]


__all__ = ["Spec", "operation_of", "spec_for", "specs_for", "ALIASES"]
