"""The proof log: what a proof rests on, kept so `provenum recheck` can redo it without the prover.

The prover appends to the log of the proof in progress (`current()`, None
when nothing logs) at a few points, and nowhere else:

* `term(t)`      -- a term a step mentions; the log exports the DAG below every
                    such term (with the carry / high-word siblings of each
                    add and multiply, which the integer equations mention);
* `shift(t, s)`  -- the word s = a >> k that the lifting of t (a << k, the low
                    or high bits of a, a & (2^k - 1)) is written with;
* `step(kind, ...)` -- an algebraic claim: an identity between a bignum and a
                    spec expression (modulo 2^W), the Montgomery identity, the
                    words the quotient clears; with the substitutions it used;
* `certify(carry, how, ...)` -- why a carry or borrow has the value the
                    algebra gave it (a bound certificate, or an SMT query);
* `query(solver, purpose, claim)` -- an SMT obligation z3 discharged (unsat),
                    exported as SMT-LIB text at that moment;
* `assume(callee)` -- a callee's spec the proof assumed (its name, spec and
                    the SHA-256 of the bytes its proof rests on).

Rules (rules.py) the proof used are recorded by the ledger; their SMT-LIB
statements are exported once per report (`rule_queries`).
"""
from __future__ import annotations

import ast
import json
import zlib

_STACK: list = []


def current() -> "ProofLog | None":
    """The log of the proof in progress, None when nothing keeps one (PROVENUM_PROOF_LOG=0: only the
    dependency tree, `innermost().assume`, is kept)."""
    return _STACK[-1] if _STACK and _STACK[-1].full else None


def innermost() -> "ProofLog | None":
    return _STACK[-1] if _STACK else None


def expr_json(e, leaf) -> list:
    """A spec expression as nested lists; `leaf(e)` gives a buffer word's or scalar's term id."""
    from .specs.base import Big, Num, Op, Pow2, Scalar, Word

    if isinstance(e, (Num, Pow2)):
        return ["n", e.value]
    if isinstance(e, Big):
        return ["big", [leaf(e.buffer, i) for i in range(e.words)]]
    if isinstance(e, Word):
        return ["t", leaf(e.buffer, e.index)]
    if isinstance(e, Scalar):
        return ["t", leaf(e.name, None)]
    if isinstance(e, Op):
        return [e.op, expr_json(e.a, leaf), expr_json(e.b, leaf)]
    raise TypeError(f"no log form for {e!r}")


def poly_json(p: dict) -> list:
    """A polynomial (monomial tuple -> int or Fraction) as [[atom ids], numerator, denominator]."""
    out = []
    for m, c in p.items():
        num, den = (c.numerator, c.denominator) if hasattr(c, "denominator") else (int(c), 1)
        out.append([list(m), num, den])
    return out


_PAIRS = {"addr": (("addc", 1),), "addc": (("addr", 0),), "subr": (("subc", 1),), "subc": (("subr", 0),),
          "mullo": (("mulhi", 0),), "mulhi": (("mullo", 0),)}


class ProofLog:
    def __init__(self, name: str, spec: str, strategy: str, full: bool = True):
        self.name, self.spec, self.strategy, self.full = name, spec, strategy, full
        self.d = None                 # the proof's Terms, once known
        self.roots: dict = {}         # term id -> term
        self.steps: list = []
        self.certs: dict = {}         # carry id -> certificate
        self.queries: list = []
        self.assumed: list = []
        self.rules: set = set()
        self.decisions: list = []     # of the step in progress: [bit id, value, certificate]
        self.zeros: list = []         # of the step in progress: carry ids dropped as 0
        self.shifts: dict = {}        # node id -> (node, the word a >> k its lifting is written with)

    # --- what the prover appends ---------------------------------------------------------------
    def term(self, t) -> int:
        self.roots.setdefault(t.id, t)
        return t.id

    def terms_of(self, p: dict, lifter) -> None:
        """Register the atoms of a polynomial (they are term ids of the lifter)."""
        for m in p:
            for a in m:
                if a in lifter.atoms:
                    self.term(lifter.atoms[a])

    def shift(self, t, s) -> None:
        self.shifts[t.id] = (t, s)

    def begin(self) -> None:
        """A new attempt at a step: forget decisions made by an attempt that failed."""
        self.decisions, self.zeros = [], []

    def decide(self, bit, value: int, how: str, **data) -> None:
        """A carry/borrow of the step in progress has `value` (certificate `how`, data)."""
        self.term(bit)
        self.decisions.append([bit.id, value, {"how": how, **data}])

    def zero(self, carry) -> None:
        """A carry the step in progress drops as 0 (its certificate: certify)."""
        self.zeros.append(self.term(carry))

    def step(self, kind: str, **data) -> None:
        """A claim that closed, with the zero carries and decisions of its attempt."""
        self.steps.append({"kind": kind, "zeros": self.zeros, "decided": self.decisions, **data})
        self.begin()

    def certify(self, carry, how: str, **data) -> None:
        self.term(carry)
        self.certs.setdefault(str(carry.id), {"how": how, **data})

    def query(self, solver, purpose: str, claim: dict | None = None) -> int:
        """An SMT obligation z3 answered unsat (the caller logs only those it relies on)."""
        self.queries.append({"purpose": purpose, "answer": "unsat", "claim": claim or {}, "smt2": solver.to_smt2()})
        return len(self.queries) - 1

    def assume(self, callee: str, spec: str, code: list, depends: list) -> None:
        """The proof assumed `callee`'s spec; `code`: the bytes its proof rests on, `depends`: what it assumed."""
        entry = {"callee": callee, "spec": spec, "code": code, "depends": depends}
        if entry not in self.assumed:
            self.assumed.append(entry)

    # --- export ---------------------------------------------------------------------------------
    def _dag(self) -> list:
        from .terms import walk

        d = self.d
        roots = list(self.roots.values())
        extra: dict = {}
        if d is not None:
            for t in walk(roots):
                for op, w in _PAIRS.get(t.op, ()):
                    sib = d.find(op, t.args, w or t.args[0].width)
                    if sib is not None:
                        extra[sib.id] = sib
                if t.id in self.shifts:
                    extra[-t.id] = self.shifts[t.id]
        self.shifted = {str(t.id): s.id for k, (t, s) in ((k, v) for k, v in extra.items() if k < 0)}
        nodes = walk(roots + [v if k >= 0 else v[1] for k, v in extra.items()])
        return [[t.id, t.op, t.width, [a.id for a in t.args], list(t.params), t.lo, t.hi] for t in nodes]

    def to_json(self) -> dict:
        dag = self._dag()
        return {"name": self.name, "spec": self.spec, "strategy": self.strategy, "terms": dag,
                "shifted": self.shifted, "steps": self.steps, "certificates": self.certs,
                "queries": self.queries, "assumed": self.assumed, "rules": sorted(self.rules)}

    def packed(self) -> bytes:
        return zlib.compress(json.dumps(self.to_json(), separators=(",", ":")).encode(), 6)


class logging_proof:
    """Context: the log of one proof is current inside it (proofs of callees nest their own)."""

    def __init__(self, log: ProofLog):
        self.log = log

    def __enter__(self):
        from .rules import LEDGER

        _STACK.append(self.log)
        LEDGER.used_by.append(self.log.rules)
        return self.log

    def __exit__(self, *exc):
        from .rules import LEDGER

        assert _STACK[-1] is self.log and LEDGER.used_by[-1] is self.log.rules, "proof logs nest"
        LEDGER.used_by.pop()
        _STACK.pop()
        return False


def rule_queries(keys) -> dict:
    """key -> the SMT-LIB statements of that rule's proof at that signature (built, not solved, here)."""
    from .rules import RULES, statements

    out = {}
    for key in sorted(keys):
        name, sig = key.split("|", 1)
        out[key] = statements(RULES[name], dict(ast.literal_eval(sig)))  # sig is the repr of a tuple of pairs
    return out
