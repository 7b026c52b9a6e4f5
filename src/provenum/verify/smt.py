"""z3 on word-level facts: linear integer arithmetic over the words of a small cone.

Used where local intervals are too weak, e.g. the last carry of a row in a
banded product, which is zero because the whole row (a window of words plus
one word times a chunk) fits in one more word. The cone of the carry is
encoded node by node -- each add as r + 2^64 c = a + b + c_in, each product
pair as 0 <= 2^64 h + l <= max(a) * max(b) -- with words beyond the cone left
free within their intervals. Linear arithmetic only: products enter through
their bounds, never as bit-vectors.
"""
from __future__ import annotations

from collections import deque


def carry_zero_smt(carry, terms, budget: int = 120, timeout_ms: int = 20_000) -> bool:
    """True when z3 shows the carry (addc term) cannot be 1."""
    import z3

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
        w = t.width if t.op not in ("addc", "subc") else t.args[0].width
        if t.op in ("addr", "addc", "subr", "subc"):
            add = t.op[:3] == "add"
            r = terms.find(t.op[:3] + "r", t.args, w)
            c = terms.find(t.op[:3] + "c", t.args, 1)
            rv = v(r) if r is not None else None
            cv = v(c) if c is not None else z3.IntVal(0)
            a, b, ci = (v(x) for x in t.args)
            if rv is not None:
                if add:
                    s.add(rv + (1 << w) * cv == a + b + ci)
                else:
                    s.add(rv - (1 << w) * cv == a - b - ci)
            for o in (r, c):
                if o is not None:
                    done.add(o.id)
            queue.extend(t.args)
        elif t.op in ("mulhi", "mullo"):
            hi = terms.find("mulhi", t.args, w)
            lo = terms.find("mullo", t.args, w)
            if hi is not None and lo is not None:
                a, b = t.args
                p = (1 << w) * v(hi) + v(lo)
                s.add(p >= a.lo * b.lo, p <= a.hi * b.hi)
                done.add(hi.id), done.add(lo.id)
        elif t.op == "zext":
            s.add(v(t) == v(t.args[0]))
            queue.append(t.args[0])
    s.add(v(carry) == 1)
    return s.check() == z3.unsat
