"""What each AArch64 dispatch level builds its kernels from.

Both levels share the integer engine (arith.py); the neon level adds the
vector products of each kernel's plan (plans.py, chosen by measuring
candidates with the N1 cost model: python -m provenum.bench.neon_plans).
"""
from __future__ import annotations

from provenum.isa.aarch64.features import LEVEL_NAMES


def symbol(operation: str, level: str) -> str:
    """The symbol of an operation's variant: bignum_mul_8_16 at neon is bignum_mul_8_16_neon."""
    assert level in LEVEL_NAMES, level
    return f"{operation}_{level}"


def neon_plan(operation: str, level: str) -> frozenset:
    """The product pairs an operation's variant computes on the vector unit (none at scalar)."""
    if level != "neon":
        return frozenset()
    from .plans import PLANS, expand, kind_of, plan_key

    rule = PLANS.get(plan_key(operation))
    if rule is None:
        return frozenset()
    kind, n = kind_of(operation)
    return expand(kind, n, *rule)


# Karatsuba: the h-word operation of each Karatsuba operation's halves ('@call': called, not
# inlined; at 32 words the halves are the 16-word Karatsuba kernels, called as on x86-64, so a
# proof uses their theorem: inlined, kmul_32_64 measured 1,666 N1 cycles against 1,897 called)
KARATSUBA_HALF = {
    "bignum_kmul_16_32": "bignum_mul_8_16", "bignum_ksqr_16_32": "bignum_sqr_8_16",
    "bignum_kmul_24_48": "bignum_mul_12_24", "bignum_ksqr_24_48": "bignum_sqr_12_24",
    "bignum_kmul_32_64": "bignum_kmul_16_32@call", "bignum_ksqr_32_64": "bignum_ksqr_16_32@call",
}


def karatsuba_half(operation: str) -> str:
    return KARATSUBA_HALF[operation]


def _products(n: int, karatsuba: bool) -> tuple[str, str]:
    k = "k" if karatsuba else ""
    return f"bignum_{k}mul_{n}_{2 * n}", f"bignum_{k}sqr_{n}_{2 * n}"


# Montgomery multiply/square: the product operation each calls (then the reduction)
MONT_PRODUCT = {4: _products(4, False), 8: _products(8, False), 16: _products(16, True),
                24: _products(24, True), 32: _products(32, True)}

# exponentiation window bits
MODEXP_WINDOW = {16: 5, 24: 6, 32: 6}
