"""Rechecking one proof log: every algebraic step re-derived, every SMT obligation rerun.

What a step claims and how it is checked here (P: a random prime of 127 bits
drawn for this run, so a false identity survives one point with probability
at most degree / P):

identity    bignum(words) - rhs = residual, with the step's facts (case bits,
            carries dropped as 0, carries decided): the identity at two random
            points modulo P, every coefficient of the residual divisible by
            2^W (exact integers), and, when the residual is not 0,
            |bignum(words) - rhs| < 2^W from intervals (so the two are equal).
cleared     the word of each carry is 0 modulo 2^64 (exact polynomials, with
            q = t w and m[0] w = -1 (mod 2^64), the spec's precondition).
montgomery  2^R T - X - K M = 0 at two random points, the cleared carries
            exact ((a + b + c_in) / 2^w); K's interval within [k_lo, k_hi],
            k_lo >= 0, as the final-correction queries assume.
split       the case steps after the previous split cover every assignment of
            its bits.
cleared52   (radix 2^52) the argument a of each shift atom a >> 52 is 0 modulo
            2^52 (exact polynomials, with q = lo52(t k0) and m[0] k0 = -1
            (mod 2^52), the spec's precondition), so a >> 52 = a / 2^52.
montgomery52  2^R Z - X Y - K M = rest at two random points, the cleared shifts
            exact; rest linear with integer coefficients, K an integer
            polynomial within [k_lo, k_hi], k_lo >= 0; the product's bound
            queries (X Y < R m; Z < 2m, rest = 0, digits, assuming K within
            [k_lo, k_hi]) are in the log.
zero-words  each word is the constant 0.
radix52, select52 (strategies): every goal is one logged bit-vector query,
            rerun like all queries; each query names its goal, no goal twice.
Facts: a carry dropped as 0 needs a certificate: `local` (E = 2^top (a + b +
c_in) at random points and E < 2^(top + w) by intervals), `prefix` (E = the
carry's sum over the words below it, each >= 0, and E < 2^(64 k + w)),
`smt` (its query), `origin` (the carry it specialises is 0). A decided carry:
`chain` (E = the chain's sum, re-derived from the DAG, at random points; its
interval decides the carry) or `smt`.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

from .lift import Dag, Evaluator, Polynomials, interval, p_add, p_subst

POINTS = 2
# strategies whose every goal is one bit-vector query (the radix conversions, the row selection): rechecked
# through their queries only, like the loop obligations
QUERY_ONLY = ("radix52", "select52")
# what each radix-2^52 product's queries show (claim "goal52"); "rest" too when the identity has a remainder
GOALS52 = ("xy below rm", "below 2m")


class Rejected(Exception):
    pass


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise Rejected(why)


class ProofCheck:
    def __init__(self, log: dict, P: int, seed: int):
        self.log = log
        self.dag = Dag(log["terms"], log.get("shifted", {}))
        self.P, self.seed = P, seed
        self.queries_needed: set = set()   # indices of queries a step relies on (all are rerun anyway)
        self.zero_ok: dict = {}
        self.cleared_ok: set = set()
        self.cleared52_ok: set = set()
        self.chains: set = set()           # (add/sub, width, links) of the chain facts decisions rest on

    # --- helpers ------------------------------------------------------------------------------
    def points(self, facts=None, defined=None):
        return [Evaluator(self.dag, self.P, self.seed + 7919 * i, facts, defined) for i in range(POINTS)]

    def ranges(self, facts):
        def r(a):
            if a in facts:
                return facts[a], facts[a]
            return self.dag.lo(a), self.dag.hi(a)
        return r

    def node(self, tid):
        _need(tid in self.dag.node, f"term t{tid} is not in the log")
        return self.dag.node[tid]

    def query(self, i, **claim):
        qs = self.log["queries"]
        _need(isinstance(i, int) and 0 <= i < len(qs), f"query {i} is not in the log")
        q = qs[i]
        _need(q["answer"] == "unsat", f"query {i} ({q['purpose']}) is logged as {q['answer']}, the step needs unsat")
        for k, v in claim.items():
            _need(q["claim"].get(k) == v, f"query {i} is about {q['claim']}, the step needs {k} = {v}")
        self.queries_needed.add(i)

    # --- carries dropped as 0 -----------------------------------------------------------------------
    def zero(self, tid) -> None:
        if tid in self.zero_ok:
            return
        cert = self.log["certificates"].get(str(tid))
        _need(cert is not None, f"carry t{tid} is dropped as 0 without a certificate")
        n = self.node(tid)
        _need(n[1] == "addc", f"t{tid} dropped as a zero carry is a {n[1]}, not a carry")
        a, b, c = n[3]
        w = self.node(a)[2]
        how = cert["how"]
        if how == "local":
            E = [[m, num, 1] for m, num in cert["E"]]
            for ev in self.points():
                _need(ev.poly(E) == ((ev(a) + ev(b) + ev(c)) << cert["top"]) % self.P,
                      f"carry t{tid}: its bound polynomial is not 2^{cert['top']} (a + b + c_in)")
            _need(interval(E, self.ranges({}))[1] < 1 << (w + cert["top"]), f"carry t{tid}: E is not below the bound")
        elif how == "prefix":
            for ev in self.points():
                total = ev(a) + ev(b) + ev(c)
                for s in cert["pad"]:
                    total = (total << 64) + ev(s)
                _need(ev.poly(cert["E"]) == total % self.P, f"carry t{tid}: its prefix polynomial is not its sum")
            _need(interval(cert["E"], self.ranges({}))[1] < 1 << (64 * len(cert["pad"]) + w),
                  f"carry t{tid}: the prefix is not below the bound")
        elif how == "smt":
            self.query(cert["query"], carry=tid)
        elif how == "origin":
            _need(self.node(cert["of"])[1] == "addc", f"carry t{tid}: its origin is not a carry")
            self.zero(cert["of"])
        else:
            raise Rejected(f"carry t{tid}: unknown certificate {how!r}")
        self.zero_ok[tid] = True

    # --- facts of a step ------------------------------------------------------------------------------
    def facts(self, step) -> dict:
        facts = {int(k): v for k, v in step.get("case", {}).items()}
        for t in step["zeros"]:
            self.zero(t)
            facts[t] = 0
        for tid, value, cert in step["decided"]:
            self.decide(tid, value, cert, facts, self.calls(step))
            facts[tid] = value
        return facts

    def decide(self, tid, value, cert, facts, defined) -> None:
        n = self.node(tid)
        _need(n[1] in ("addc", "subc") and value in (0, 1), f"t{tid} decided as {value} is not a carry or borrow")
        if cert["how"] == "smt":
            self.query(cert["query"], bit=tid, value=1 - value)
            assuming = self.log["queries"][cert["query"]]["claim"].get("assuming")
            _need(bool(assuming) and all(facts.get(int(b)) == v for b, v in assuming.items()),
                  f"t{tid}: its query assumes case bits {assuming} that are not facts of the step")
            return
        _need(cert["how"] == "chain", f"t{tid}: unknown certificate {cert['how']!r}")
        links = self.chain(tid)
        _need(len(links) == cert["links"], f"t{tid}: the chain has {len(links)} links, the log says {cert['links']}")
        w = self.node(n[3][0])[2]
        add = n[1] == "addc"
        self.chains.add(("add" if add else "sub", w, len(links)))
        for ev in self.points(facts, defined):
            total = 0
            for i, link in enumerate(links):
                x, y = self.node(link)[3][:2]
                total += (ev(x) + ev(y) if add else ev(x) - ev(y)) << (w * i)
            cin = ev(self.node(links[0])[3][2])
            total = total + cin if add else total - cin
            _need(ev.poly(cert["E"]) == total % self.P, f"t{tid}: the logged chain sum is not the chain's")
        lo, hi = interval(cert["E"], self.ranges(facts))
        top = 1 << (w * len(links))
        got = (1 if lo >= top else 0 if hi < top else None) if add else (1 if hi < 0 else 0 if lo >= 0 else None)
        _need(got == value, f"t{tid}: the chain's interval gives {got}, the log says {value}")

    def chain(self, tid) -> list:
        n = self.node(tid)
        w = self.node(n[3][0])[2]
        out, node = [], n
        while node is not None and node[1] == n[1] and len(out) < 256:
            out.append(node[0])
            cin = self.node(node[3][2])
            node = cin if cin[1] == n[1] and self.node(cin[3][0])[2] == w else None
        return list(reversed(out))

    def calls(self, step) -> dict:
        """A call's first output word, defined by its postcondition: rhs - sum_{i>0} 2^(64 i) out[i]."""
        defined = {}
        for c in step.get("calls", []):
            outs, rhs = c["outs"], c["rhs"]
            defined[outs[0]] = (lambda ev, outs=outs, rhs=rhs:
                                ev.expr(rhs) - sum(ev(o) << (64 * i) for i, o in enumerate(outs) if i))
        return defined

    # --- steps ------------------------------------------------------------------------------------------
    def identity(self, step) -> None:
        facts = self.facts(step)
        W, words = step["W"], step["words"]
        residual = step["residual"]
        for _, num, den in residual:
            _need(den == 1 and num % (1 << W) == 0, f"{step['label']}a residual coefficient is not divisible by 2^{W}")
        for ev in self.points(facts, self.calls(step)):
            lhs = sum(ev(t) << (64 * i) for i, t in enumerate(words))
            _need((lhs - ev.expr(step["rhs"]) - ev.poly(residual)) % self.P == 0,
                  f"{step['label']}bignum(out) - rhs is not the logged residual")
        if residual:
            _need(64 * len(words) == W and all(self.node(t)[2] == 64 for t in words),
                  f"{step['label']}the output is not {W // 64} words")
            rlo, rhi = self.expr_interval(step["rhs"])
            _need(max((1 << W) - 1 - rlo, rhi) < 1 << W, f"{step['label']}|bignum(out) - rhs| is not below 2^{W}")

    def expr_interval(self, e) -> tuple:
        tag = e[0]
        if tag == "n":
            return e[1], e[1]
        if tag == "t":
            return self.dag.lo(e[1]), self.dag.hi(e[1])
        if tag == "big":
            return (sum(self.dag.lo(t) << (64 * i) for i, t in enumerate(e[1])),
                    sum(self.dag.hi(t) << (64 * i) for i, t in enumerate(e[1])))
        (alo, ahi), (blo, bhi) = self.expr_interval(e[1]), self.expr_interval(e[2])
        if tag == "+":
            return alo + blo, ahi + bhi
        if tag == "-":
            return alo - bhi, ahi - blo
        products = [x * y for x in (alo, ahi) for y in (blo, bhi)]
        return min(products), max(products)

    def cleared(self, step) -> None:
        facts = {int(k): v for k, v in step.get("case", {}).items()}
        lifter = Polynomials(self.dag, facts)
        for tid in step["carries"]:
            n = self.node(tid)
            _need(n[1] == "addc", f"t{tid} cleared is not a carry")
            r = self.dag.sibling(n, "addr")
            _need(r is not None and self.node(r)[2] <= 64, f"carry t{tid}: its word is not in the log")
            _need(zero_modulo(lifter(r), lifter.definitions, step["w"], step["m0"]),
                  f"{step.get('label', '')}the word of carry t{tid} is not 0 modulo 2^64")
            self.cleared_ok.add(tid)

    def montgomery(self, step) -> None:
        facts = self.facts(step)
        for c in step["cleared"]:
            _need(c in self.cleared_ok, f"carry t{c} is used as cleared, no step shows its word is 0")
        defined = self.calls(step)
        for c in step["cleared"]:
            a, b, cin = self.node(c)[3]
            w = self.node(a)[2]
            defined[c] = lambda ev, a=a, b=b, cin=cin, w=w: (ev(a) + ev(b) + ev(cin)) * pow(2, -w, ev.P)
        K = step["K"]
        for _, num, den in K:
            _need(den == 1, f"{step['label']}the quotient K has a fractional coefficient")
        for ev in self.points(facts, defined):
            T = sum(ev(t) * wt for t, wt in step["T"])
            M = sum(ev(m) << (64 * k) for k, m in enumerate(step["M"]))
            _need(((T << step["R"]) - ev.expr(step["X"]) - ev.poly(K) * M) % self.P == 0,
                  f"{step['label']}2^{step['R']} T - X - K m is not 0")
        lo, hi = interval(K, self.ranges(facts))
        k_lo, k_hi = step["k"]
        _need(k_lo >= 0 and lo >= k_lo and hi <= k_hi, f"{step['label']}K is not within [{k_lo}, {k_hi}]")

    def cleared52(self, step) -> None:
        lifter = Polynomials(self.dag)
        for tid in step["shifts"]:
            n = self.node(tid)
            _need(n[1] == "lshr" and n[2] == 64 and self.node(n[3][1])[1] == "const"
                  and self.node(n[3][1])[4][0] == 52, f"t{tid} cleared is not a 64-bit shift right by 52")
            _need(zero_modulo(lifter(n[3][0]), lifter.definitions, step["k0"], step["m0"], 1 << 52),
                  f"{step['label']}the argument of shift t{tid} is not 0 modulo 2^52")
            self.cleared52_ok.add(tid)

    def montgomery52(self, step) -> None:
        label = step["label"]
        defined = {}
        for c in step["cleared"]:
            _need(c in self.cleared52_ok, f"shift t{c} is used as cleared, no step shows its argument is 0")
            a = self.node(c)[3][0]
            defined[c] = lambda ev, a=a: ev(a) * pow(1 << 52, -1, ev.P)
        K, rest = step["K"], step["rest"]
        _need(all(den == 1 for _, _, den in K), f"{label}the quotient K has a fractional coefficient")
        _need(all(den == 1 and len(mono) == 1 for mono, _, den in rest),
              f"{label}the remainder is not linear with integer coefficients")
        digits = lambda ev, words: sum(ev(t) << (52 * i) for i, t in enumerate(words))  # noqa: E731
        for ev in self.points({}, defined):
            Z, X, Y, M = (digits(ev, step[b]) for b in "ZXYM")
            _need(((Z << step["R"]) - X * Y - ev.poly(K) * M - ev.poly(rest)) % self.P == 0,
                  f"{label}2^{step['R']} Z - X Y - K m is not the logged remainder")
        lo, hi = interval(K, self.ranges({}))
        k_lo, k_hi = step["k"]
        _need(k_lo >= 0 and lo >= k_lo and hi <= k_hi, f"{label}K is not within [{k_lo}, {k_hi}]")
        goals = GOALS52 + (("rest",) if rest else ())
        for goal in goals:
            found = [i for i, q in enumerate(self.log["queries"])
                     if q["claim"].get("product") == label and q["claim"].get("goal52") == goal]
            _need(bool(found), f"{label}no query shows {goal!r}")
            for i in found:
                self.query(i)
                qk = self.log["queries"][i]["claim"].get("k")
                _need(qk is None or (qk[0] <= k_lo and k_hi <= qk[1]),
                      f"query {i} assumes K in {qk}, the identity's K is in [{k_lo}, {k_hi}]")

    def zero_words(self, step) -> None:
        for t in step["words"]:
            n = self.node(t)
            _need(n[1] == "const" and n[4][0] == 0, f"{step['label']}: t{t} is not the constant 0")

    # --- the proof ------------------------------------------------------------------------------------
    def run(self) -> None:
        strategy = self.log["strategy"]
        closing = {"exact": "identity", "montgomery": "montgomery", "montgomery52": "montgomery52"}.get(strategy)
        cases: list = []
        closed = False
        checks = {"identity": self.identity, "cleared": self.cleared, "montgomery": self.montgomery,
                  "cleared52": self.cleared52, "montgomery52": self.montgomery52, "zero-words": self.zero_words}
        for step in self.log["steps"]:
            kind = step["kind"]
            if kind in checks:
                checks[kind](step)
            elif kind == "split":
                bits = step["bits"]
                seen = {tuple(s["case"].get(str(b)) for b in bits) for s in cases
                        if set(s["case"]) == {str(b) for b in bits}}
                _need(seen == set(itertools.product((0, 1), repeat=len(bits))),
                      f"the case split over {len(bits)} bits does not cover every case")
                closed = True
                cases = []
                continue
            else:
                raise Rejected(f"unknown step {kind!r}")
            if kind == closing:
                if step.get("case"):
                    cases.append(step)
                else:
                    closed = True
        if strategy == "loop":
            _need(bool(self.log["queries"]), "a loop proof without obligations")
            return
        if strategy in QUERY_ONLY:
            goals = [q["claim"].get("goal") for q in self.log["queries"]]
            _need(bool(goals) and None not in goals, f"a {strategy} proof without a query for each goal")
            _need(len(set(goals)) == len(goals), f"a {strategy} proof with a goal queried twice")
            self.queries_needed.update(range(len(goals)))
            return
        _need(closing is not None, f"unknown strategy {strategy!r}")
        _need(closed, f"no {closing} step closes the proof")
        if strategy == "montgomery52":   # every product whose lanes were cleared has its identity
            of = lambda kind: sorted(s["label"] for s in self.log["steps"] if s["kind"] == kind)  # noqa: E731
            _need(of("cleared52") == of("montgomery52"), "a product's cleared lanes without its identity")
        if strategy == "montgomery":
            _need(any(q["claim"].get("final") for q in self.log["queries"]),
                  "the final correction has no query")
            bounds = [s["k"] for s in self.log["steps"] if s["kind"] == "montgomery"]
            for i, q in enumerate(self.log["queries"]):
                if q["claim"].get("final"):   # it assumes k_lo M <= K M <= k_hi M: every case's K must be within
                    self.query(i)
                    lo, hi = q["claim"]["k"]
                    _need(all(lo <= a and b <= hi for a, b in bounds),
                          f"query {i} assumes K in [{lo}, {hi}], a case's K is outside")


def zero_modulo(p: dict, definitions: dict, w: int, m0: int, M: int = 1 << 64) -> bool:
    """p == 0 (mod 2^64, or M) when the quotient words next to m[0] are their definitions (q = t w) and
    m[0] w == -1 (mod M); running words brought in by a definition are expanded in turn."""

    def reduce(p):
        out = {}
        for mono, c in p.items():
            c = Fraction(c)
            if c.denominator != 1:
                out[mono] = c
            elif c.numerator % M:
                out[mono] = c.numerator % M
        return out

    p = reduce(p)
    for _ in range(2):
        if not p:
            return True
        before = {a for m in p for a in m}
        for a in sorted(before):
            if a in definitions and any(a in mono and m0 in mono for mono in p):
                p = reduce(p_subst(p, a, definitions[a]))
        out: dict = {}
        for mono, c in p.items():
            mono = list(mono)
            while w in mono and m0 in mono:
                mono.remove(w)
                mono.remove(m0)
                c = -c
            out = p_add(out, {tuple(mono): c})
        p = reduce(out)
        for a in sorted({a for m in p for a in m} - before):
            if a in definitions:
                p = reduce(p_subst(p, a, definitions[a]))
    return not p
