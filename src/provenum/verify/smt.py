"""z3 on word-level facts: linear integer arithmetic over the words of a small cone.

Used where local intervals are too weak, e.g. the last carry of a row in a
banded product, which is zero because the whole row (a window of words plus
one word times a chunk) fits in one more word. The cone of the carry is
encoded node by node by the smt rules of fact_rules.py -- each add as
r + 2^w c = a + b + c_in, each product pair as min(a) min(b) <= 2^w h + l <=
max(a) max(b) -- with words beyond the cone left free within their intervals.
Linear arithmetic only: products enter through their bounds, never as
bit-vectors.
"""
from __future__ import annotations

from collections import deque

from .prooflog import current as current_log


def carry_zero_smt(carry, terms, budget: int = 120, timeout_ms: int = 20_000) -> bool:
    """True when z3 shows the carry (addc term) cannot be 1 (each node encoded by its smt rule)."""
    import z3

    from .rules import encode

    s = z3.Solver()
    s.set("timeout", timeout_ms)
    var: dict = {}
    done: set = set()

    def v(t):
        if t.op == "const":
            return z3.IntVal(t.value)
        x = var.get(t.id)
        if x is None:
            x = z3.Int(f"t{t.id}")
            var[t.id] = x
            s.add(x >= t.lo, x <= t.hi)
        return x

    queue = deque([carry])
    count = 0
    while queue and count < budget:
        t = queue.popleft()
        if t.id in done or t.op in ("const", "var"):
            continue
        done.add(t.id)
        count += 1
        node = t
        if t.op in ("addc", "subc", "mullo"):   # a pair is encoded through its result / high word
            w = t.args[0].width
            node = terms.find({"addc": "addr", "subc": "subr", "mullo": "mulhi"}[t.op], t.args,
                              w if t.op != "mullo" else t.width)
            v(t)
        if node is not None and node.op in ("addr", "subr", "mulhi", "zext"):
            done.add(node.id)
            s.add(*encode(node, v, terms))
            if node.op != "mulhi":
                queue.extend(node.args)
    s.add(v(carry) == 1)
    if s.check() != z3.unsat:
        return False
    log = current_log()
    if log is not None:
        log.certify(carry, "smt", query=log.query(s, "carry is 0 (its word-level cone)", {"carry": carry.id}))
    return True
