"""The radix conversions (64-bit words <-> 52-bit digits), by z3 over bit-vectors.

The conversions are shifts, ands and ors of input words: no arithmetic the
carry algebra needs, so each postcondition is one bit-vector query. Every
output word is its term's bit-vector meaning (meaning.bv, the semantics the
rule test checks against the concrete domain), every input word a
bit-vector bounded by its interval (a precondition such as digits below
2^52), and a number `bignum(x)` or `digits52(x)` is the exact sum of its
words at their weights, wide enough not to wrap. z3 must show, for all inputs
meeting the preconditions, each postcondition: the two numbers equal, the
output digits below 2^52, the padding words 0.
"""
from __future__ import annotations

from .prooflog import current as current_log
from .prover import GoalFailure, Obligation, register_strategy
from .specs.base import Big, Num, Pow2, Rel
from .specs.ifma import Digits, DigitsBelow, WordsZero
from .terms import walk


class _BV:
    def __init__(self, trace):
        import z3

        from .loops import Z3

        self.z3, self.trace, self.premises = z3, trace, []
        self.encoding = Z3(trace.scalars)    # the terms' bit-vector meaning, as the loop proofs have it
        self.bounded: set[int] = set()
        self.wide = 64 * max(b.words for b in trace.spec.buffers) + 128

    def term(self, t):
        """t's bit-vector meaning; every input below it that a precondition bounds gets its bound as a premise."""
        for u in walk([t]):
            if u.op == "var" and u.id not in self.bounded and u.hi < (1 << u.width) - 1:
                self.bounded.add(u.id)
                self.premises.append(self.z3.ULE(self.encoding.bv(u), u.hi))
        return self.encoding.bv(t)

    def number(self, e, output: bool):
        """A spec number as a wide bit-vector: the buffer's words on return (`output`) or on entry."""
        z3 = self.z3
        if isinstance(e, (Num, Pow2)):
            return z3.BitVecVal(e.value, self.wide)
        if isinstance(e, (Big, Digits)):
            step = 64 if isinstance(e, Big) else 52
            off = getattr(e, "offset", 0)
            if output:
                words = self.trace.buffer_words(e.buffer)[off:off + e.words]
            else:
                words = [self.trace.input_word(e.buffer, off + i) for i in range(e.words)]
            return sum(z3.ZeroExt(self.wide - 64, self.term(w)) << (step * i) for i, w in enumerate(words))
        raise TypeError(f"no bit-vector number for {e!r}")


def _all(z3, claims: list):
    """The conjunction; true for no claim (an empty range: z3 would export a bare `and`)."""
    return z3.And(*claims) if claims else z3.BoolVal(True)


@register_strategy("radix52")
def prove_radix52(trace, spec, obligations: list) -> None:
    import z3

    B = _BV(trace)
    written = set(spec.writable)
    outs = lambda e: e.buffer in written  # noqa: E731  (a number over an output buffer reads it on return)
    assume = []
    for e in spec.pre:
        if isinstance(e, Rel) and e.op == "<" and e.modulus is None:
            assume.append(z3.ULT(B.number(e.a, False), B.number(e.b, False)))
    goals = []
    for e in spec.post:
        if isinstance(e, Rel) and e.op == "==" and e.modulus is None:
            goals.append((e.show(), B.number(e.a, outs(e.a)) == B.number(e.b, outs(e.b))))
        elif isinstance(e, DigitsBelow):
            words = trace.buffer_words(e.buffer)[e.offset:e.offset + e.words]
            goals.append((e.show(), _all(z3, [z3.ULT(B.term(w), 1 << e.bits) for w in words])))
        elif isinstance(e, WordsZero):
            words = trace.buffer_words(e.buffer)[e.start:e.stop]
            goals.append((e.show(), _all(z3, [B.term(w) == 0 for w in words])))
        else:
            raise GoalFailure(Obligation("smt", e.show(), "failed", "bit-vectors", None, "not a conversion's claim"))
    for statement, goal in goals:
        s = z3.Solver()
        s.set("timeout", 120_000)
        s.add(*B.premises, *assume, z3.Not(goal))
        verdict = s.check()
        ok = verdict == z3.unsat
        ob = Obligation("smt", statement, "proved" if ok else "failed", "z3 bit-vectors over the output words' terms",
                        None, "" if ok else ("z3 found a model" if verdict == z3.sat else f"z3: {verdict}"))
        obligations.append(ob)
        if not ok:
            raise GoalFailure(ob)
        _log(s, "radix52", statement)


def _log(solver, strategy: str, statement: str) -> None:
    """The goal's query, for `provenum recheck` (these proofs are rechecked through their queries only)."""
    log = current_log()
    if log is not None:
        log.query(solver, f"{strategy}: {statement}", {"goal": statement})


def _equal_by_cases(a, b, sel, rows: int) -> bool:
    """a == b for every value of the free constant `sel` below `rows`: with sel replaced by each value,
    z3's simplifier (equivalence-preserving) makes the two terms the same term. Deciding by cases is
    much cheaper than bit-blasting the index comparisons; False only means "not shown this way"."""
    import z3

    if not (z3.is_const(sel) and sel.decl().kind() == z3.Z3_OP_UNINTERPRETED):
        return False
    for v in range(rows):
        value = z3.BitVecVal(v, sel.size())
        if not z3.simplify(z3.substitute(a, (sel, value))).eq(z3.simplify(z3.substitute(b, (sel, value)))):
            return False
    return True


@register_strategy("select52")
def prove_select52(trace, spec, obligations: list) -> None:
    """Each output word z[k] == table[idx * row + c] (a table word at a secret index below `rows`),
    by z3 over bit-vectors: the indexed read is the chain "idx == 0 ? table[c] : idx == 1 ? ... : 0"
    over the rows the precondition idx < rows allows (so the chain is that read exactly)."""
    import z3

    from .specs.base import Elem, Op, Word

    B = _BV(trace)
    rows, row = spec.params["rows"], spec.params["row"]
    bounds = {}
    for e in spec.pre:
        if isinstance(e, Rel) and e.op == "<" and isinstance(e.b, Num) and e.a.__class__.__name__ == "Scalar":
            bounds[e.a.name] = e.b.value
    outs = trace.buffer_words("z")
    for e in spec.post:
        ok_shape = (isinstance(e, Rel) and e.op == "==" and isinstance(e.a, Word) and isinstance(e.b, Elem)
                    and isinstance(e.b.index, Op) and e.b.index.op == "+")
        if not ok_shape:
            raise GoalFailure(Obligation("smt", e.show(), "failed", "bit-vectors", None, "not a selection's claim"))
        scaled, const = e.b.index.a, e.b.index.b  # idx * row + c
        if not (isinstance(scaled, Op) and scaled.op == "*" and isinstance(scaled.b, Num) and scaled.b.value == row
                and isinstance(const, Num) and bounds.get(getattr(scaled.a, "name", None)) == rows):
            raise GoalFailure(Obligation("smt", e.show(), "failed", "bit-vectors", None,
                                         f"not a read of a {rows}-row table with rows of {row} words"))
        idx, c = scaled.a.name, const.value
        sel = B.term(trace.scalars[idx])
        read = z3.BitVecVal(0, 64)
        for v in reversed(range(rows)):
            read = z3.If(sel == v, B.term(trace.input_word(e.b.buffer, v * row + c)), read)
        out = B.term(outs[e.a.index])
        s = z3.Solver()
        s.set("timeout", 120_000)
        s.add(*B.premises, z3.ULT(sel, rows), z3.Not(out == read))
        if _equal_by_cases(out, read, sel, rows):
            verdict, method = z3.unsat, "z3's simplifier, one case per index below the rows (the terms coincide)"
        else:
            verdict, method = s.check(), "z3 bit-vectors: the output word's term against the indexed read"
        ok = verdict == z3.unsat
        ob = Obligation("smt", e.show(), "proved" if ok else "failed", method, None,
                        "" if ok else ("z3 found a model" if verdict == z3.sat else f"z3: {verdict}"))
        obligations.append(ob)
        if not ok:
            raise GoalFailure(ob)
        _log(s, "select52", e.show())
