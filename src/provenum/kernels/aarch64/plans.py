"""Which product pairs each neon kernel computes on the vector unit.

A pair (i, k) is the products a_i * b_2k and a_i * b_2k+1 (neon.py). A plan
is a rule: a family, which orders the kernel's candidate pairs, and a count,
how many of the first ones go to the vector unit. The families:

  cols-hi / cols-lo    by the b words, high (low) ones first
  rows-hi / rows-lo    by the a words
  diag-hi / diag-lo    by the result column of the pair's first product
  middle               the columns nearest the middle first
  even-rows / odd-rows the even (odd) a words' pairs first, high b words first
  checker              alternate pairs first, like the squares of a chessboard

The candidates are every pair of a product; for a square the pairs holding at
least one product x_i*x_j with i <= j; for a Montgomery reduction (a = q,
b = m) the pairs with k >= 1 (q_j * m_0 clears a word at once, and q_j * m_1
is on the path to q_j+1).

PLANS was chosen by `python -m provenum.bench.neon_plans --write`, which
generates each kernel with every family at a range of counts, measures each
with the N1 cost model (llvm-mca-19, as `provenum bench kernels --isa
aarch64` does) and keeps the fastest; the measured cycles are in the
comments. The Montgomery reduction's plan serves bignum_montredc_{n},
bignum_amontredc_{n} and the reductions inside the Montgomery multiplies.
"""
from __future__ import annotations

FAMILIES = ("cols-hi", "cols-lo", "rows-hi", "rows-lo", "diag-hi", "diag-lo", "middle", "even-rows",
            "odd-rows", "checker")


def candidates(kind: str, n: int) -> list[tuple[int, int]]:
    """Every pair a plan of this kernel kind ("mul", "sqr", "redc") at n words may use."""
    if kind == "mul":
        return [(i, k) for i in range(n) for k in range(n // 2)]
    if kind == "sqr":
        return [(i, k) for i in range(n) for k in range(n // 2) if i <= 2 * k + 1]
    if kind == "redc":
        return [(j, k) for j in range(n) for k in range(1, n // 2)]
    raise ValueError(f"unknown kernel kind {kind!r}")


def _key(family: str, n: int):
    keys = {
        "cols-hi": lambda p: (-p[1], p[0]),
        "cols-lo": lambda p: (p[1], p[0]),
        "rows-hi": lambda p: (-p[0], p[1]),
        "rows-lo": lambda p: (p[0], p[1]),
        "diag-hi": lambda p: (-(p[0] + 2 * p[1]), p[0]),
        "diag-lo": lambda p: (p[0] + 2 * p[1], p[0]),
        "middle": lambda p: (abs(2 * (p[0] + 2 * p[1]) + 1 - 2 * n + 1), p[0]),
        "even-rows": lambda p: (p[0] % 2, -p[1], p[0]),
        "odd-rows": lambda p: ((p[0] + 1) % 2, -p[1], p[0]),
        "checker": lambda p: ((p[0] + p[1]) % 2, -p[1], p[0]),
    }
    return keys[family]


def expand(kind: str, n: int, family: str, count: int) -> frozenset:
    """The pairs of the plan (family, count)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown plan family {family!r}")
    return frozenset(sorted(candidates(kind, n), key=_key(family, n))[:count])


def kind_of(operation: str) -> tuple[str, int]:
    """("mul" | "sqr" | "redc", n) of the operation a plan is for."""
    parts = operation.split("_")
    if parts[1] in ("mul", "sqr"):
        return parts[1], int(parts[2])
    if parts[1] in ("montredc", "amontredc"):
        return "redc", int(parts[2])
    raise ValueError(f"{operation} has no plan of its own")


def plan_key(operation: str) -> str:
    """The PLANS entry an operation uses: amontredc shares montredc's."""
    return operation.replace("bignum_amontredc_", "bignum_montredc_")


# operation -> (family, count); written by python -m provenum.bench.neon_plans --write
PLANS: dict[str, tuple[str, int]] = {
    'bignum_mul_4_8': ('diag-hi', 5),  # 39 N1 cycles (scalar 97)
    'bignum_mul_6_12': ('rows-hi', 12),  # 87 N1 cycles (scalar 217)
    'bignum_mul_8_16': ('rows-hi', 22),  # 148 N1 cycles (scalar 385)
    'bignum_mul_12_24': ('even-rows', 49),  # 329 N1 cycles (scalar 865)
    'bignum_mul_16_32': ('even-rows', 87),  # 614 N1 cycles (scalar 1,537)
    'bignum_mul_24_48': ('checker', 196),  # 1,481 N1 cycles (scalar 3,457)
    'bignum_mul_32_64': ('checker', 292),  # 2,774 N1 cycles (scalar 6,145)
    'bignum_sqr_4_8': ('diag-hi', 3),  # 32 N1 cycles (scalar 61)
    'bignum_sqr_6_12': ('even-rows', 7),  # 58 N1 cycles (scalar 127)
    'bignum_sqr_8_16': ('rows-hi', 14),  # 98 N1 cycles (scalar 217)
    'bignum_sqr_12_24': ('even-rows', 24),  # 191 N1 cycles (scalar 469)
    'bignum_sqr_16_32': ('even-rows', 41),  # 341 N1 cycles (scalar 817)
    'bignum_sqr_24_48': ('checker', 89),  # 786 N1 cycles (scalar 1,801)
    'bignum_sqr_32_64': ('checker', 155),  # 1,396 N1 cycles (scalar 3,169)
    'bignum_montredc_4': ('cols-hi', 4),  # 78 N1 cycles (scalar 111)
    'bignum_montredc_8': ('cols-hi', 22),  # 187 N1 cycles (scalar 413)
    'bignum_montredc_16': ('cols-hi', 101),  # 667 N1 cycles (scalar 1,615)
    'bignum_montredc_24': ('cols-lo', 209),  # 1,619 N1 cycles (scalar 3,581)
    'bignum_montredc_32': ('cols-lo', 384),  # 2,981 N1 cycles (scalar 6,316)
}
