"""Facts the prover decides about terms, as rules (see rules.py): each is proved where it is used.

lift  the exact integer value of a node in terms of its arguments (algebra.Lifter):
      `then(P, v)` gives it from P.val (an argument's value), P.operand (a
      multiplier operand), P.sibling (the carry, borrow or high word of the same
      instruction); proved as  value(node) == then.
ptr   an address as a linear combination of its parts, modulo 2^64
      (symstate.linearise_pointer); proved as  value(node) == then (mod 2^64).
smt   constraints a node's value meets, for the z3 encodings of the prover
      (montgomery's final subtraction, smt.carry_zero_smt); `then(Z, v)` gives
      them over Z.me (the node) and Z.of(argument); proved as  they hold.
chain a carry (borrow) chain of j adds (subs) of width w: its carry out is 1
      exactly when sum 2^(w i) (a_i + b_i) + c_in >= 2^(w j) (borrow: when
      sum 2^(w i) (a_i - b_i) - b_in < 0); proved for each (w, j) decided.

Every fact rule binds "w" to the width of the node it is about (then the
node's own parameters, e.g. extract's hi and lo).
"""
from __future__ import annotations

from .rules import ALL, C, N, X, rule

W = (8, 16, 32, 64)


def _w(*ws):
    return tuple(dict(w=w) for w in ws)


# --- lift: exact integer values ---------------------------------------------------------------
ADD = (X("a", "w"), X("b", "w"), X("c", 1))
rule("lift-addr-exact", "lift", ADD, op="addr", params=("w",), when=lambda v: v.a.hi + v.b.hi + v.c.hi < (1 << v.w),
     then=lambda P, v: P.val(v.a) + P.val(v.b) + P.val(v.c), sigs=_w(*W),
     doc="no carry possible: addr = a + b + c")
rule("lift-addr", "lift", ADD, op="addr", params=("w",),
     then=lambda P, v: P.val(v.a) + P.val(v.b) + P.val(v.c) - (1 << v.w) * P.sibling("addc", v), sigs=_w(*W),
     doc="addr = a + b + c - 2^w addc")
rule("lift-subr-exact", "lift", ADD, op="subr", params=("w",), when=lambda v: v.a.lo - v.b.hi - v.c.hi >= 0,
     then=lambda P, v: P.val(v.a) - P.val(v.b) - P.val(v.c), sigs=_w(*W),
     doc="no borrow possible: subr = a - b - c")
rule("lift-subr", "lift", ADD, op="subr", params=("w",),
     then=lambda P, v: P.val(v.a) - P.val(v.b) - P.val(v.c) + (1 << v.w) * P.sibling("subc", v), sigs=_w(*W),
     doc="subr = a - b - c + 2^w subc")
MUL = (X("a", "w"), X("b", "w"))
rule("lift-mullo-exact", "lift", MUL, op="mullo", params=("w",), when=lambda v: v.a.hi * v.b.hi < (1 << v.w),
     then=lambda P, v: P.operand(v.a) * P.operand(v.b), sigs=_w(*W, 52), doc="the product fits: mullo = a b")
rule("lift-mullo", "lift", MUL, op="mullo", params=("w",),
     then=lambda P, v: P.operand(v.a) * P.operand(v.b) - (1 << v.w) * P.sibling("mulhi", v), sigs=_w(*W, 52),
     doc="mullo = a b - 2^w mulhi")
rule("lift-zext", "lift", (X("a", "aw"),), op="zext", params=("w",), then=lambda P, v: P.val(v.a),
     sigs=(dict(w=64, aw=32), dict(w=64, aw=1), dict(w=512, aw=256), dict(w=64, aw=52)), doc="zext keeps the value")
rule("lift-concat", "lift", (X("h", "hw"), X("l", "lw")), op="concat", params=("w",),
     then=lambda P, v: P.val(v.h) * (1 << v.lw) + P.val(v.l),
     sigs=(dict(w=64, hw=32, lw=32), dict(w=64, hw=56, lw=8), dict(w=512, hw=448, lw=64)), doc="h 2^lw + l")
rule("lift-sext-bit", "lift", (X("b", 1),), op="sext", params=("w",), then=lambda P, v: P.val(v.b) * ((1 << v.w) - 1),
     sigs=_w(*W), doc="sext(b) = (2^w - 1) b for 1-bit b")
rule("lift-ite", "lift", (X("c", 1), X("t", "w"), X("e", "w")), op="ite", params=("w",),
     then=lambda P, v: P.val(v.c) * (P.val(v.t) - P.val(v.e)) + P.val(v.e), sigs=_w(1, *W),
     doc="c ? t : e = c (t - e) + e")
rule("lift-extract-low", "lift", (X("a", "aw"),), op="extract", params=("w", "hi", "lo"),
     when=lambda v: ALL(v.lo == 0, v.a.hi < (1 << v.w)), then=lambda P, v: P.val(v.a),
     sigs=(dict(w=32, hi=31, lo=0, aw=64), dict(w=8, hi=7, lo=0, aw=64)), doc="the low bits of a value that fits")
# radix 2^52 (vpmadd52luq/huq read the low 52 bits of each lane; normalisation shifts by 52): a lane's digit in
# terms of the lane itself (a sum of products stays a polynomial, unlike a Neon multiplier's halves below)
rule("lift-extract-digit52", "lift", (X("a", "aw"),), op="extract", params=("w", "hi", "lo"),
     when=lambda v: ALL(v.lo == 0, v.hi == 51, v.aw == 64),
     then=lambda P, v: P.val(v.a) - (1 << 52) * P.shifted_out(v.a, 52),
     sigs=(dict(w=52, hi=51, lo=0, aw=64),), doc="a lane's low 52 bits: a mod 2^52 = a - 2^52 (a >> 52)")
rule("lift-or-disjoint-shifts", "lift",
     (N("lshr", (X("a", "w"), C("k", w=8)), name="l"), N("shl", (X("b", "w"), C("j", w=8)), name="h")),
     op="or", params=("w",), concrete=("k", "j"), comm=True, theory="bv",
     when=lambda v: ALL(v.k.value < v.w, v.j.value < v.w, v.k.value + v.j.value >= v.w),
     then=lambda P, v: P.val(v.l) + P.val(v.h),
     sigs=(dict(w=64, k=52, j=12), dict(w=64, k=40, j=24), dict(w=64, k=60, j=8)),
     doc="(a >> k) | (b << j) with j >= w - k: the bits do not overlap, so the or is the sum (a double shift)")
# 32-bit lanes of 64-bit words (A64 Neon products: umull of halves, usra #32, and with 2^32 - 1, sli #32): each
# piece in terms of the word and the word's high bits a >> k, one atom shared by every piece that needs it (a
# multiplier's halves in terms of the word as an operand: a Montgomery quotient word stays one atom)
SPLIT = tuple(dict(w=32, hi=hi, lo=lo, aw=64) for hi, lo in ((31, 0), (63, 32)))
rule("lift-extract-top", "lift", (X("a", "aw"),), op="extract", params=("w", "hi", "lo"),
     when=lambda v: ALL(v.lo > 0, v.hi == v.aw - 1), then=lambda P, v: P.shifted_out(v.a, v.lo),
     sigs=SPLIT[1:], theory="bv", doc="the top bits of a: a >> lo")
rule("lift-extract-bottom", "lift", (X("a", "aw"),), op="extract", params=("w", "hi", "lo"),
     when=lambda v: ALL(v.lo == 0, v.hi < v.aw - 1),
     then=lambda P, v: P.operand(v.a) - (1 << (v.hi + 1)) * P.shifted_out(v.a, v.hi + 1),
     sigs=SPLIT[:1], theory="bv", doc="the low bits of a: a - 2^(hi+1) (a >> (hi+1))")
rule("lift-and-low", "lift", (X("a", "w"), C("m", w="w")), op="and", params=("w",), comm=True, concrete=("m",),
     when=lambda v: ALL(0 < v.m.value, v.m.value < (1 << v.w) - 1, v.m.value & (v.m.value + 1) == 0),
     then=lambda P, v: P.val(v.a) - (v.m.value + 1) * P.shifted_out(v.a, (v.m.value + 1).bit_length() - 1),
     sigs=(dict(w=64, m=0xFFFFFFFF), dict(w=64, m=(1 << 52) - 1), dict(w=64, m=0xFF)), theory="bv",
     doc="a & (2^k - 1) = a - 2^k (a >> k)")
rule("lift-or-shl", "lift", (N("shl", (X("a", "w"), C("k", w=8)), name="s"), X("y", "w")), op="or", params=("w",),
     comm=True, concrete=("k",), when=lambda v: ALL(v.k.value < v.w, v.y.hi < (1 << v.k.value)),
     then=lambda P, v: P.val(v.s) + P.val(v.y), sigs=(dict(w=64, k=32),), theory="bv",
     doc="(a << k) | y = (a << k) + y for y < 2^k: no bit in common (A64 sli)")
rule("lift-shl-exact", "lift", (X("a", "w"), C("k", w=8)), op="shl", params=("w",), concrete=("k",),
     when=lambda v: v.a.hi * (1 << v.k.value) < (1 << v.w), then=lambda P, v: P.val(v.a) * (1 << v.k.value),
     sigs=tuple(dict(w=w, k=k) for w in W for k in (1, 5)), doc="no bit shifted out: a << k = 2^k a")
rule("lift-shl", "lift", (X("a", "w"), C("k", w=8)), op="shl", params=("w",), concrete=("k",),
     when=lambda v: ALL(0 < v.k.value, v.k.value < v.w),
     then=lambda P, v: P.val(v.a) * (1 << v.k.value) - (1 << v.w) * P.shifted_out(v.a, v.w - v.k.value),
     sigs=tuple(dict(w=w, k=k) for w in W for k in (1, 5)),
     doc="a << k = 2^k a - 2^w (a >> (w - k)): the bits shifted out are a word of their own")
rule("lift-not", "lift", (X("a", "w"),), op="not", params=("w",), then=lambda P, v: ((1 << v.w) - 1) - P.val(v.a),
     sigs=_w(1, *W), doc="~a = 2^w - 1 - a")
rule("lift-and-bit", "lift", (X("a", 1), X("b", 1)), op="and", params=("w",),
     then=lambda P, v: P.val(v.a) * P.val(v.b), sigs=_w(1), doc="a & b = a b for bits")
rule("lift-or-bit", "lift", (X("a", 1), X("b", 1)), op="or", params=("w",),
     then=lambda P, v: P.val(v.a) + P.val(v.b) - P.val(v.a) * P.val(v.b), sigs=_w(1), doc="a | b = a + b - a b")
rule("lift-xor-bit", "lift", (X("a", 1), X("b", 1)), op="xor", params=("w",),
     then=lambda P, v: P.val(v.a) + P.val(v.b) - 2 * P.val(v.a) * P.val(v.b), sigs=_w(1),
     doc="a ^ b = a + b - 2 a b for bits")

# --- ptr: addresses as linear combinations modulo 2^64 ---------------------------------------
P64 = (X("a", 64), X("b", 64), X("c", 1))
rule("ptr-addr", "ptr", P64, op="addr", params=("w",), then=lambda L, v: L.lin(v.a) + L.lin(v.b) + L.lin(v.c),
     sigs=_w(64), doc="addr = a + b + c (mod 2^64)")
rule("ptr-subr", "ptr", P64, op="subr", params=("w",), then=lambda L, v: L.lin(v.a) - L.lin(v.b) - L.lin(v.c),
     sigs=_w(64), doc="subr = a - b - c (mod 2^64)")
rule("ptr-shl", "ptr", (X("a", 64), C("k", w=8)), op="shl", params=("w",), concrete=("k",),
     when=lambda v: v.k.value < 64, then=lambda L, v: L.lin(v.a) * (1 << v.k.value),
     sigs=tuple(dict(w=64, k=k) for k in (0, 1, 3, 6, 63)), doc="a << k = 2^k a (mod 2^64)")
rule("ptr-mullo", "ptr", (C("k", w=64), X("b", 64)), op="mullo", params=("w",), comm=True,
     then=lambda L, v: L.lin(v.b) * L.value(v.k), sigs=_w(64), doc="k * b (mod 2^64) for a constant k")

# --- smt: what the z3 encodings of the prover assume about each node ------------------------------
rule("smt-addr-exact", "smt", ADD, op="addr", params=("w",), when=lambda v: v.a.hi + v.b.hi + v.c.hi < (1 << v.w),
     then=lambda Z, v: [Z.me == Z.of(v.a) + Z.of(v.b) + Z.of(v.c)], sigs=_w(*W), doc="addr = a + b + c exactly")
rule("smt-addr", "smt", ADD, op="addr", params=("w",),
     then=lambda Z, v: [Z.me + (1 << v.w) * Z.sibling("addc", v) == Z.of(v.a) + Z.of(v.b) + Z.of(v.c)],
     sigs=_w(*W), doc="addr + 2^w addc = a + b + c")
rule("smt-subr-exact", "smt", ADD, op="subr", params=("w",), when=lambda v: v.a.lo - v.b.hi - v.c.hi >= 0,
     then=lambda Z, v: [Z.me == Z.of(v.a) - Z.of(v.b) - Z.of(v.c)], sigs=_w(*W), doc="subr = a - b - c exactly")
rule("smt-subr", "smt", ADD, op="subr", params=("w",),
     then=lambda Z, v: [Z.me - (1 << v.w) * Z.sibling("subc", v) == Z.of(v.a) - Z.of(v.b) - Z.of(v.c)],
     sigs=_w(*W), doc="subr - 2^w subc = a - b - c")
rule("smt-mul-pair", "smt", MUL, op="mulhi", params=("w",),
     then=lambda Z, v: [(1 << v.w) * Z.me + Z.sibling("mullo", v) >= v.a.lo * v.b.lo,
                        (1 << v.w) * Z.me + Z.sibling("mullo", v) <= v.a.hi * v.b.hi],
     sigs=_w(*W), doc="the product 2^w hi + lo lies between the products of the bounds")
rule("smt-eq", "smt", (X("a", "aw"), X("b", "aw")), op="eq", params=("w",),
     then=lambda Z, v: [Z.me == Z.If(Z.of(v.a) == Z.of(v.b), 1, 0)], sigs=(dict(w=1, aw=64), dict(w=1, aw=1)),
     doc="eq = (a == b)")
rule("smt-ite", "smt", (X("c", 1), X("t", "w"), X("e", "w")), op="ite", params=("w",),
     then=lambda Z, v: [Z.me == Z.If(Z.of(v.c) == 1, Z.of(v.t), Z.of(v.e))], sigs=_w(1, *W), doc="c ? t : e")
rule("smt-zext", "smt", (X("a", "aw"),), op="zext", params=("w",), then=lambda Z, v: [Z.me == Z.of(v.a)],
     sigs=(dict(w=64, aw=1), dict(w=64, aw=32)), doc="zext keeps the value")
rule("smt-not", "smt", (X("a", "w"),), op="not", params=("w",),
     then=lambda Z, v: [Z.me == (1 << v.w) - 1 - Z.of(v.a)], sigs=_w(1, *W), doc="~a = 2^w - 1 - a")
rule("smt-and-bit", "smt", (X("a", 1), X("b", 1)), op="and", params=("w",),
     then=lambda Z, v: [Z.me <= Z.of(v.a), Z.me <= Z.of(v.b), Z.me >= Z.of(v.a) + Z.of(v.b) - 1], sigs=_w(1),
     doc="a & b for bits: below both, at least a + b - 1")
rule("smt-or-bit", "smt", (X("a", 1), X("b", 1)), op="or", params=("w",),
     then=lambda Z, v: [Z.me >= Z.of(v.a), Z.me >= Z.of(v.b), Z.me <= Z.of(v.a) + Z.of(v.b)], sigs=_w(1),
     doc="a | b for bits: above both, at most a + b")
# A64 almost-Montgomery: m masked by -t for a small top word t (neg of a sum of carries, kernels/aarch64/montredc.py);
# that t is 0 or 1 follows only from the whole value's bound, so other values of t leave the word unconstrained
NEG = N("subr", (C(value=0, w="w"), X("t", "w"), C(value=0, w=1)), name="neg")
rule("smt-and-neg", "smt", (X("y", "w"), NEG), op="and", params=("w",), comm=True, theory="bv",
     then=lambda Z, v: [Z.If(Z.of(v.t) == 0, Z.me, 0) == 0, Z.If(Z.of(v.t) == 1, Z.me, Z.of(v.y)) == Z.of(v.y)],
     sigs=_w(64), doc="y & -t is 0 when t = 0 and y when t = 1")
rule("smt-xor-bit", "smt", (X("a", 1), X("b", 1)), op="xor", params=("w",),
     then=lambda Z, v: [Z.me == Z.If(Z.of(v.a) == Z.of(v.b), 0, 1)], sigs=_w(1), doc="a ^ b for bits")


# --- chains ---------------------------------------------------------------------------------------
def chain_weight(w: int, i: int) -> int:
    """The weight of link i of a chain of w-bit adds: 2^(w i). The chain's threshold is chain_weight(w, j)."""
    return 1 << (w * i)


def _chain(kind: str):
    def statement(B, sig):
        import z3

        w, j = sig["w"], sig["j"]
        cin = B.var("c0", 1)
        carry = cin
        E = B.as_number(cin) if kind == "add" else -B.as_number(cin)
        for i in range(j):
            a, b = B.var(f"a{i}", w), B.var(f"b{i}", w)
            op = "addc" if kind == "add" else "subc"
            carry = B.node(op, (a, b, carry), 1)
            part = B.as_number(a) + B.as_number(b) if kind == "add" else B.as_number(a) - B.as_number(b)
            E = E + chain_weight(w, i) * part
        out = B.as_number(carry)
        if kind == "add":
            return out == z3.If(E >= chain_weight(w, j), 1, 0)
        return out == z3.If(E < 0, 1, 0)
    return statement


CH = tuple(dict(w=w, j=j) for w in W for j in (1, 2, 3, 8))
for _name, _kind, _doc in (
        ("chain-carry", "add", "the carry out of j chained w-bit adds is 1 exactly when their sum reaches 2^(w j)"),
        ("chain-borrow", "sub", "the borrow out of j chained w-bit subs is 1 exactly when their difference is < 0")):
    rule(_name, "chain", (), then=_chain(_kind), sigs=CH, doc=_doc).sig_keys = ("w", "j")
