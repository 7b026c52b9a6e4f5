"""The table strategy: a case split over the secret index.

The symbolic run leaves each output word as a function of idx (masks built
from idx == i for every row i). For each possible value v < height the
outputs are rebuilt with idx := v; constant folding must then leave exactly
the words of row v, so the identity is checked term by term.
"""
from __future__ import annotations

from .prover import GoalFailure, Obligation, register_strategy


@register_strategy("table")
def prove_table(trace, spec, obligations: list) -> None:
    n, height = spec.params["n"], spec.params["height"]
    d = trace.d
    idx = trace.scalars["idx"]
    z = trace.buffer_words("z")
    for v in range(height):
        out = d.substitute(z, {idx: d.const(v, 64)})
        for k, word in enumerate(out):
            want = trace.input_word("table", v * n + k)
            if word is not want:
                ob = Obligation("algebraic", f"idx = {v}: z[{k}] = table[{v * n + k}]", "failed",
                                "case split on idx, constant folding", word.addr, f"z[{k}] is {word!r}")
                obligations.append(ob)
                raise GoalFailure(ob)
    obligations.append(Obligation("algebraic", f"for every idx < {height}: bignum(z, {n}) = row idx of the table",
                                  "proved", f"case split over the {height} values of idx; each case folds to "
                                  "the row's words"))
