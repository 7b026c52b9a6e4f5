"""What each x86-64 dispatch level builds its kernels from.

A level (provenum.isa.x86_64.features.LEVELS) names the CPU features its
kernels may use. Here each level gets its arithmetic module (the carry-chain
engine of products, squares, reductions, Karatsuba's middle term and the
exponentiation's doublings) and its table-lookup form. The levels above
bmi2 share bmi2's arithmetic and differ only in the table lookup (and so in
the exponentiation that calls it); avx512ifma adds the radix-2^52 kernels
(amm52.py, radix52.py) and runs avx512's variants of everything else.
"""
from __future__ import annotations

from provenum.isa.x86_64.features import LEVEL_NAMES

from . import arith_baseline, arith_bmi2

# arithmetic level of each level: the suffix of the mul/sqr/Montgomery variants it calls
ARITH_LEVEL = {"baseline": "baseline", "bmi2": "bmi2", "avx2": "bmi2", "avx512": "bmi2", "avx512ifma": "bmi2"}
# table-lookup level of each level: which bignum_copy_row_from_table_{n}_{level} it calls
TABLE_LEVEL = {"baseline": "baseline", "bmi2": "baseline", "avx2": "avx2", "avx512": "avx512",
               "avx512ifma": "avx512"}

ARITH = {"baseline": arith_baseline, "bmi2": arith_bmi2}

assert set(ARITH_LEVEL) == set(TABLE_LEVEL) == set(LEVEL_NAMES)


def arith(level: str):
    """The arithmetic module a level's kernels are generated with."""
    return ARITH[ARITH_LEVEL[level]]


def symbol(operation: str, level: str) -> str:
    """The symbol of an operation's variant: bignum_mul_8_16 at bmi2 is bignum_mul_8_16_bmi2."""
    return f"{operation}_{level}"
