"""Constant-time table lookup: z := row idx of a table of `height` rows of n words.

`height` is public, `idx` is secret. The code reads every row (two per trip
round its loop, then an odd last one), so the proof is by induction over the
rows read: at the loop head, after i rows, the state holds row idx where
idx < i and 0 where not (`loops`). That covers every height at once: the
table's length is `height` rows, a symbolic size.
"""
from __future__ import annotations

from .base import Big, Buffer, Elem, LoopAssertion, Num, Pow2, Row, Scalar, ScalarArg, Select, Spec, eq, lt

ABI = ("rdi", "rsi", "rdx", "rcx")


def table_spec(name: str, n: int) -> Spec:
    idx, i = Scalar("idx"), Scalar("i")
    accumulated = tuple(Select(lt(idx, i), Elem("table", idx * n + k), Num(0)) for k in range(n))
    return Spec(
        name=name, family="table",
        summary=f"constant-time lookup z := table[idx] (rows of {n} words, any height)",
        prototype=f"void {name}(uint64_t z[static {n}], const uint64_t table[static height * {n}], "
                  f"uint64_t height, uint64_t idx)",
        args=tuple(zip(ABI, ("z", "table", "height", "idx"))),
        buffers=(Buffer("z", n, writable=True), Buffer("table", 0, length=Scalar("height") * n)),
        scalars=(ScalarArg("height", secret=False), ScalarArg("idx", secret=True)),
        # the table fits the address space: 8 n height bytes
        pre=(lt(idx, Scalar("height")), lt(Scalar("height") * (8 * n), Pow2(64))),
        post=(eq(Big("z", n), Row("table", idx, n)),),
        strategy="loop", params={"n": n},
        loops=(LoopAssertion(accumulated, start=0, step=2, name="i"),),
    )

