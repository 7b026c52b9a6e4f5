"""Constant-time table lookup: z := row idx of a table of `height` rows of n words.

`height` is public, `idx` is secret. The code reads every row, so the proof
covers one height at a time (the table region's size depends on it): the
spec is instantiated for the heights the callers use (`heights`).
"""
from __future__ import annotations

from .base import Big, Buffer, Row, ScalarArg, Scalar, Spec, eq, lt

ABI = ("rdi", "rsi", "rdx", "rcx")


def table_spec(name: str, n: int, height: int) -> Spec:
    if height < 1:
        raise ValueError("height must be at least 1")
    return Spec(
        name=name, family="table",
        summary=f"constant-time lookup z := table[idx] (rows of {n} words, height {height})",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t table[static height * {n}], "
                  f"uint64_t height, uint64_t idx)",
        args=tuple(zip(ABI, ("z", "table", "height", "idx"))),
        buffers=(Buffer("z", n, writable=True), Buffer("table", n * height)),
        scalars=(ScalarArg("height", secret=False), ScalarArg("idx", secret=True)),
        pre=(eq(Scalar("height"), height), lt(Scalar("idx"), Scalar("height"))),
        post=(eq(Big("z", n), Row("table", Scalar("idx"), n)),),
        strategy="table", params={"n": n, "height": height},
    )
