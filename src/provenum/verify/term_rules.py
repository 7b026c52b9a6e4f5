"""The rules of the term constructors (Terms.add, Terms.and_, ...), in the order they are tried.

Each constructor tries its rules top to bottom; the first whose pattern and
condition hold and whose proof at that signature holds gives the result; if
none does, the plain node with the full interval [0, 2^w - 1] is built. The
last rule of a constructor is usually its "node" rule: the plain node with a
tighter interval, which is a claim too and proved like the others. See
rules.py for how each is proved.
"""
from __future__ import annotations

from .rules import ALL, ANY, IF, MAX, MIN, SHL, SHR, SMEAR, C, N, S, X, mask, rule

W = (8, 16, 32, 64)                 # widths every single-width rule is proved at in the rule test
WV = (1, 8, 16, 32, 64, 128, 256, 512)


def _w(*ws, **extra):
    return tuple(dict(w=w, **extra) for w in ws)


def _fold(ctor: str, n: int, **kw):
    rule(f"{ctor.rstrip('_')}-fold", ctor, tuple(C(f"k{i}") for i in range(n)),
         then=lambda D, v: D.fold(ctor, tuple(v[f"k{i}"] for i in range(n)), v), fold=True,
         doc="all arguments constant: evaluate", **kw)


ZERO1 = C(value=0, w=1)
ONES = C(value=lambda v: mask(v.w), w="w")
ZERO = C(value=0, w="w")


def _by_id(v) -> bool:
    return v.b.id < v.a.id


# --- add / sub: (result, carry) ------------------------------------------------------------------
_fold("add", 3)
rule("add-commute", "add", (X("a", "w"), X("b", "w"), X("c", 1)), when=_by_id,
     then=lambda D, v: D.add(v.b, v.a, v.c), sigs=_w(*W), doc="a + b + c = b + a + c")
rule("add-zero", "add", (ZERO, X("b", "w"), ZERO1), comm=True,
     then=lambda D, v: (v.b, D.const(0, 1)), sigs=_w(*W), doc="0 + b + 0 = b, no carry")
# A64 Neon's 64x64 product on 32-bit lanes (kernels/aarch64/neon.py): P_xy the four 32x32 products (each at
# most (2^32 - 1)^2), v6 = P_hl + (P_ll >> 32), v7 = (v6 & (2^32 - 1)) + P_lh, the high word
# P_hh + (v6 >> 32) + (v7 >> 32). No add wraps, and the high word is at most 2^64 - 2, as a 64x64 product's:
# lo + 2^64 hi = P_ll + 2^32 (P_hl + P_lh) + 2^64 P_hh <= (2^64 - 1)^2.
PROD32 = (1 << 32) - 1
_LANE = dict(w=64)


def _p(name):
    return X(name, 64)


def _lane_products_fit(v) -> bool:
    return ALL(*[v[p].hi <= PROD32 * PROD32 for p in ("pll", "phl", "plh", "phh")])


_K32 = C(value=32, w=8)
_V6 = N("addr", (_p("phl"), N("lshr", (_p("pll"), _K32)), ZERO1), comm=True, name="v6")
_V7 = N("addr", (N("and", (S("v6"), C(value=PROD32, w=64)), comm=True), _p("plh"), ZERO1), comm=True)
rule("add-neon-high", "add", (N("addr", (_p("phh"), N("lshr", (_V6, _K32)), ZERO1), comm=True, name="top"),
                              N("lshr", (_V7, _K32), name="s7"), ZERO1), comm=True, when=_lane_products_fit,
     then=lambda D, v: (D.node("addr", tuple(sorted((v.top, v.s7), key=lambda t: t.id)) + (D.const(0, 1),), 64,
                               lo=0, hi=(1 << 64) - 2), D.const(0, 1)),
     sigs=(_LANE,), theory="bv", doc="the high word of a 64x64 product made of four 32x32 products: "
                                     "no carry, at most 2^64 - 2")

rule("add-exact", "add", (X("a", "w"), X("b", "w"), X("c", 1)),
     when=lambda v: v.a.hi + v.b.hi + v.c.hi <= mask(v.w),
     then=lambda D, v: (D.node("addr", (v.a, v.b, v.c), v.w, lo=v.a.lo + v.b.lo + v.c.lo,
                               hi=v.a.hi + v.b.hi + v.c.hi), D.const(0, 1)),
     sigs=_w(*W), doc="the intervals show a + b + c < 2^w: no carry, the sum is exact")
rule("add-node", "add", (X("a", "w"), X("b", "w"), X("c", 1)),
     then=lambda D, v: (D.node("addr", (v.a, v.b, v.c), v.w),
                        D.node("addc", (v.a, v.b, v.c), 1, lo=IF(v.a.lo + v.b.lo + v.c.lo > mask(v.w), 1, 0),
                               hi=1)),
     sigs=_w(*W), doc="the carry is 1 when the intervals show a + b + c >= 2^w")

_fold("sub", 3)
rule("sub-zero", "sub", (X("a", "w"), ZERO, ZERO1),
     then=lambda D, v: (v.a, D.const(0, 1)), sigs=_w(*W), doc="a - 0 - 0 = a, no borrow")
rule("sub-neg-bit", "sub", (ZERO, N("zext", (X("b", 1),), w="w"), ZERO1),
     then=lambda D, v: (D.sext(v.b, v.w), v.b), sigs=_w(*W), doc="0 - zext(b) = sext(b), borrow b (1-bit b)")
rule("sub-bit-one", "sub", (N("zext", (X("b", 1),), w="w"), C(value=1, w="w"), ZERO1),
     then=lambda D, v: (D.sext(D.not_(v.b), v.w), D.not_(v.b)), sigs=_w(*W),
     doc="zext(b) - 1 = sext(NOT b), borrow NOT b (A64 cmp r, #1 gives a carry kept by cset back to C)")
rule("sub-self", "sub", (X("a", "w"), S("a"), X("c", 1)),
     then=lambda D, v: (D.sext(v.c, v.w), v.c), sigs=_w(*W), doc="a - a - c = -c = sext(c), borrow c (sbb r, r)")


def _sub_by_add(D, a, b, carry):
    r, k = D.add(a, D.not_(b), carry)
    return r, D.not_(k)


# A64 sbc after an add chain: its borrow in NOT C is the negation of a carry; as a + ~b + C the chain it
# continues is that add chain (what x86's adc of an all-ones word gives), so chains.py can follow it
rule("sub-not-carry", "sub", (X("a", "w"), X("b", "w"),
                              N("not", (N("addc", (X("p", "w"), X("q", "w"), X("r", 1)), name="c"),))),
     then=lambda D, v: _sub_by_add(D, v.a, v.b, v.c), sigs=_w(*W),
     doc="a - b - NOT c = a + ~b + c - 2^w: the same word, and the borrow is NOT the carry")
rule("sub-exact", "sub", (X("a", "w"), X("b", "w"), X("c", 1)),
     when=lambda v: v.a.lo - v.b.hi - v.c.hi >= 0,
     then=lambda D, v: (D.node("subr", (v.a, v.b, v.c), v.w, lo=v.a.lo - v.b.hi - v.c.hi,
                               hi=v.a.hi - v.b.lo - v.c.lo), D.const(0, 1)),
     sigs=_w(*W), doc="the intervals show a - b - c >= 0: no borrow, the difference is exact")
rule("sub-node", "sub", (X("a", "w"), X("b", "w"), X("c", 1)),
     then=lambda D, v: (D.node("subr", (v.a, v.b, v.c), v.w),
                        D.node("subc", (v.a, v.b, v.c), 1, lo=IF(v.a.hi - v.b.lo - v.c.lo < 0, 1, 0), hi=1)),
     sigs=_w(*W), doc="the borrow is 1 when the intervals show a - b - c < 0")

# --- multiplication: (high, low) -----------------------------------------------------------------
_fold("mul_wide", 2)
rule("mul-commute", "mul_wide", (X("a", "w"), X("b", "w")), when=_by_id,
     then=lambda D, v: D.mul_wide(v.b, v.a), sigs=_w(*W, 52), doc="a * b = b * a")
rule("mul-zero", "mul_wide", (ZERO, X("b", "w")), comm=True,
     then=lambda D, v: (D.zero(v.w), D.zero(v.w)), sigs=_w(*W, 52), doc="0 * b = 0")
rule("mul-one", "mul_wide", (C(value=1, w="w"), X("b", "w")), comm=True,
     then=lambda D, v: (D.zero(v.w), v.b), sigs=_w(*W, 52), doc="1 * b = b")
rule("mul-exact", "mul_wide", (X("a", "w"), X("b", "w")), when=lambda v: v.a.hi * v.b.hi <= mask(v.w),
     then=lambda D, v: (D.node("mulhi", (v.a, v.b), v.w, lo=SHR(v.a.lo * v.b.lo, v.w), hi=SHR(v.a.hi * v.b.hi, v.w)),
                        D.node("mullo", (v.a, v.b), v.w, lo=v.a.lo * v.b.lo, hi=v.a.hi * v.b.hi)),
     sigs=_w(*W, 52), doc="the intervals bound the product below 2^w: the low word is the product")
rule("mul-node", "mul_wide", (X("a", "w"), X("b", "w")),
     then=lambda D, v: (D.node("mulhi", (v.a, v.b), v.w, lo=SHR(v.a.lo * v.b.lo, v.w), hi=SHR(v.a.hi * v.b.hi, v.w)),
                        D.node("mullo", (v.a, v.b), v.w)),
     sigs=_w(*W, 52), doc="the high word lies between the products of the bounds, shifted down")

_fold("smul_wide", 2)
rule("smul-low", "smul_wide", (X("a", "w"), X("b", "w")),
     then=lambda D, v: (D.node("smulhi", tuple(sorted((v.a, v.b), key=lambda t: t.id)), v.w), D.mul_wide(v.a, v.b)[1]),
     theory="bv", sigs=_w(*W), doc="the low word of a signed product is the unsigned one; signed mul commutes")

# --- bitwise ---------------------------------------------------------------------------------
for _op, _ctor in (("and", "and_"), ("or", "or_"), ("xor", "xor")):
    _fold(_ctor, 2)
    rule(f"{_op}-commute", _ctor, (X("a", "w"), X("b", "w")), when=_by_id, theory="bv",
         then=(lambda c: lambda D, v: getattr(D, c)(v.b, v.a))(_ctor), sigs=_w(*WV), doc=f"a {_op} b = b {_op} a")
rule("and-zero", "and_", (ZERO, X("y", "w")), comm=True, theory="bv",
     then=lambda D, v: D.zero(v.w), sigs=_w(*WV), doc="0 & y = 0")
rule("and-ones", "and_", (ONES, X("y", "w")), comm=True, theory="bv",
     then=lambda D, v: v.y, sigs=_w(*WV), doc="~0 & y = y")
rule("and-mask-bit", "and_", (N("sext", (X("b", 1),), w="w"), X("y", "w")), comm=True, theory="bv",
     then=lambda D, v: D.ite(v.b, v.y, D.zero(v.w)), sigs=_w(*WV[1:]), doc="sext(b) & y = b ? y : 0 (1-bit b)")
rule("and-self", "and_", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: v.a, sigs=_w(*WV), doc="a & a = a")
rule("and-node", "and_", (X("a", "w"), X("b", "w")), theory="bv",
     then=lambda D, v: D.node("and", (v.a, v.b), v.w, lo=0, hi=MIN(v.a.hi, v.b.hi)), sigs=_w(*WV),
     doc="a & b <= min(a, b)")

rule("or-zero", "or_", (ZERO, X("y", "w")), comm=True, theory="bv", then=lambda D, v: v.y, sigs=_w(*WV),
     doc="0 | y = y")
rule("or-self", "or_", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: v.a, sigs=_w(*WV), doc="a | a = a")
rule("or-ones", "or_", (ONES, X("y", "w")), comm=True, theory="bv", then=lambda D, v: D.const(mask(v.w), v.w),
     sigs=_w(*WV), doc="~0 | y = ~0")
rule("or-and-complement", "or_",
     (N("and", (X("x", "w"), X("y", "w")), comm=True), N("and", (S("x"), N("not", (S("y"),))), comm=True)),
     comm=True, theory="bv", then=lambda D, v: v.x, sigs=_w(*WV), doc="(x & y) | (x & ~y) = x")
rule("or-node", "or_", (X("a", "w"), X("b", "w")), theory="bv",
     then=lambda D, v: D.node("or", (v.a, v.b), v.w, lo=MAX(v.a.lo, v.b.lo), hi=SMEAR(MAX(v.a.hi, v.b.hi))),
     sigs=_w(*WV), doc="max(a, b) <= a | b < 2^bitlength(max(a, b))")

rule("xor-self", "xor", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: D.zero(v.w), sigs=_w(*WV),
     doc="a ^ a = 0")
rule("xor-zero", "xor", (ZERO, X("y", "w")), comm=True, theory="bv", then=lambda D, v: v.y, sigs=_w(*WV),
     doc="0 ^ y = y")
rule("xor-ones", "xor", (ONES, X("y", "w")), comm=True, theory="bv", then=lambda D, v: D.not_(v.y),
     sigs=_w(*WV), doc="~0 ^ y = ~y")
rule("xor-sext-bits", "xor", (N("sext", (X("p", 1),), w="w"), N("sext", (X("q", 1),), w="w")), theory="bv",
     then=lambda D, v: D.sext(D.xor(v.p, v.q), v.w), sigs=_w(*WV[1:]), doc="sext(p) ^ sext(q) = sext(p ^ q), 1-bit")
rule("xor-mask-bit", "xor", (N("sext", (X("b", 1),), w="w"), X("y", "w")), comm=True, theory="bv",
     then=lambda D, v: D.ite(v.b, D.not_(v.y), v.y), sigs=_w(*WV[1:]), doc="sext(b) ^ y = b ? ~y : y (1-bit b)")
rule("xor-node", "xor", (X("a", "w"), X("b", "w")), theory="bv",
     then=lambda D, v: D.node("xor", (v.a, v.b), v.w, lo=0, hi=SMEAR(MAX(v.a.hi, v.b.hi))), sigs=_w(*WV),
     doc="a ^ b < 2^bitlength(max(a, b))")

_fold("not_", 1)
rule("not-not", "not_", (N("not", (X("a", "w"),)),), theory="bv", then=lambda D, v: v.a, sigs=_w(*WV),
     doc="~~a = a")
rule("not-sext-bit", "not_", (N("sext", (X("b", 1),), w="w"),), theory="bv",
     then=lambda D, v: D.sext(D.not_(v.b), v.w), sigs=_w(*WV[1:]), doc="~sext(b) = sext(~b), 1-bit b")
rule("not-node", "not_", (X("a", "w"),),
     then=lambda D, v: D.node("not", (v.a,), v.w, lo=mask(v.w) - v.a.hi, hi=mask(v.w) - v.a.lo), sigs=_w(*WV),
     doc="~a = 2^w - 1 - a")

# --- shifts (the count is a term of any width) ---------------------------------------------------
SH = tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)) + tuple(dict(w=w, cw=8, k=k) for w in W for k in (1, 7))
for _op in ("shl", "lshr", "ashr"):
    _fold(_op, 2)
    rule(f"{_op}-count-zero", _op, (X("a", "w"), C(value=0, w="cw")), theory="bv", then=lambda D, v: v.a,
         sigs=tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)), doc=f"{_op} by 0 is the identity")
for _op in ("shl", "lshr"):
    rule(f"{_op}-count-big", _op, (X("a", "w"), C("k", w="cw")), when=lambda v: v.k.value >= v.w, theory="bv",
         then=lambda D, v: D.zero(v.w), sigs=tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)),
         doc=f"{_op} by a count >= w gives 0")
rule("ashr-count-big", "ashr", (X("a", "w"), C("k", w="cw")), when=lambda v: v.k.value >= v.w, theory="bv",
     then=lambda D, v: D.ashr(v.a, D.const(v.w - 1, 8)), sigs=tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)),
     doc="ashr by a count >= w is ashr by w - 1 (all sign bits)")
for _op in ("shl", "lshr", "ashr"):
    rule(f"{_op}-count-canon", _op, (X("a", "w"), C("k", w="cw")),
         when=lambda v: ALL(v.cw != 8, v.w <= 255, v.k.value < v.w),
         theory="bv", then=(lambda o: lambda D, v: getattr(D, o)(v.a, D.const(v.k.value, 8)))(_op),
         sigs=tuple(dict(w=w, cw=w) for w in (16, 32, 64)), doc="a constant count (< w) as an 8-bit constant")
rule("ashr-nonneg", "ashr", (X("a", "w"), X("n", "cw")), when=lambda v: v.a.hi < (1 << (v.w - 1)), theory="bv",
     then=lambda D, v: D.lshr(v.a, v.n), sigs=tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)),
     doc="for a < 2^(w-1), ashr is lshr")
rule("shl-exact", "shl", (X("a", "w"), C("k", w=8)), concrete=("k",), when=lambda v: SHL(v.a.hi, v.k.value) <= mask(v.w),
     then=lambda D, v: D.node("shl", (v.a, v.k), v.w, lo=SHL(v.a.lo, v.k.value), hi=SHL(v.a.hi, v.k.value)),
     sigs=tuple(dict(w=w, k=k) for w in W for k in (1, 3, 7)), doc="no bit shifted out: a << k = 2^k a")
rule("lshr-const", "lshr", (X("a", "w"), C("k", w=8)), concrete=("k",), when=lambda v: v.k.value < v.w,
     then=lambda D, v: D.node("lshr", (v.a, v.k), v.w, lo=SHR(v.a.lo, v.k.value), hi=SHR(v.a.hi, v.k.value)),
     sigs=tuple(dict(w=w, k=k) for w in W for k in (1, 3, 7)) + (dict(w=64, k=52),), doc="a >> k lies between lo >> k and hi >> k")
rule("lshr-node", "lshr", (X("a", "w"), X("n", "cw")), theory="bv",
     then=lambda D, v: D.node("lshr", (v.a, v.n), v.w, lo=0, hi=v.a.hi),
     sigs=tuple(dict(w=w, cw=cw) for w in W for cw in (8, w)), doc="a >> n <= a")

# --- width changes -------------------------------------------------------------------------------
EX = tuple(dict(aw=aw, hi=hi, lo=lo) for aw, hi, lo in ((64, 31, 0), (64, 63, 32), (64, 7, 0), (64, 15, 8),
                                                       (64, 40, 8), (64, 51, 0), (512, 63, 0), (512, 255, 128), (32, 31, 16)))
_fold("extract", 1, params=("hi", "lo"))
rule("extract-full", "extract", (X("a", "aw"),), params=("hi", "lo"), theory="bv",
     when=lambda v: ALL(v.lo == 0, v.hi == v.aw - 1), then=lambda D, v: v.a,
     sigs=(dict(hi=63, lo=0, aw=64), dict(hi=31, lo=0, aw=32)), doc="all bits of a are a")
rule("extract-extract", "extract", (N("extract", (X("x", "xw"),), params=("h2", "l2")),), params=("hi", "lo"),
     theory="bv", then=lambda D, v: D.extract(v.x, v.hi + v.l2, v.lo + v.l2),
     sigs=(dict(hi=7, lo=0, h2=31, l2=8, xw=64), dict(hi=31, lo=16, h2=63, l2=0, xw=512)),
     doc="bits of bits of x are bits of x")
rule("extract-concat-low", "extract", (N("concat", (X("h", "hw"), X("l", "lw"))),), params=("hi", "lo"),
     when=lambda v: v.hi < v.lw, theory="bv", then=lambda D, v: D.extract(v.l, v.hi, v.lo),
     sigs=(dict(hi=31, lo=0, hw=32, lw=32), dict(hi=7, lo=0, hw=56, lw=8), dict(hi=63, lo=0, hw=448, lw=64)),
     doc="bits of the low part of a concat")
rule("extract-concat-high", "extract", (N("concat", (X("h", "hw"), X("l", "lw"))),), params=("hi", "lo"),
     when=lambda v: v.lo >= v.lw, theory="bv", then=lambda D, v: D.extract(v.h, v.hi - v.lw, v.lo - v.lw),
     sigs=(dict(hi=63, lo=32, hw=32, lw=32), dict(hi=63, lo=8, hw=56, lw=8), dict(hi=127, lo=64, hw=448, lw=64)),
     doc="bits of the high part of a concat")
rule("extract-concat-span", "extract", (N("concat", (X("h", "hw"), X("l", "lw"))),), params=("hi", "lo"),
     when=lambda v: ALL(v.lo < v.lw, v.lw <= v.hi), theory="bv",
     then=lambda D, v: D.concat(D.extract(v.h, v.hi - v.lw, 0), D.extract(v.l, v.lw - 1, v.lo)),
     sigs=(dict(hi=47, lo=0, hw=32, lw=32), dict(hi=55, lo=8, hw=16, lw=48), dict(hi=127, lo=32, hw=448, lw=64)),
     doc="bits across both parts of a concat: the concat of the bits of each")
rule("extract-zext-inner", "extract", (N("zext", (X("x", "xw"),), w="aw"),), params=("hi", "lo"),
     when=lambda v: v.hi < v.xw, theory="bv", then=lambda D, v: D.extract(v.x, v.hi, v.lo),
     sigs=(dict(hi=7, lo=0, xw=32, aw=64), dict(hi=31, lo=8, xw=32, aw=64), dict(hi=63, lo=0, xw=128, aw=512)),
     doc="bits of a zero extension below the original width")
rule("extract-zext-above", "extract", (N("zext", (X("x", "xw"),), w="aw"),), params=("hi", "lo"),
     when=lambda v: v.lo >= v.xw, theory="bv", then=lambda D, v: D.zero(v.hi - v.lo + 1),
     sigs=(dict(hi=63, lo=32, xw=32, aw=64), dict(hi=511, lo=256, xw=256, aw=512)),
     doc="bits of a zero extension above the original width are 0")
rule("extract-zext-low", "extract", (N("zext", (X("x", "xw"),), w="aw"),), params=("hi", "lo"),
     when=lambda v: v.lo == 0, theory="bv", then=lambda D, v: D.zext(v.x, v.hi + 1),
     sigs=(dict(hi=47, lo=0, xw=32, aw=64), dict(hi=255, lo=0, xw=128, aw=512)),
     doc="low bits of a zero extension reaching past the original width: a narrower zero extension")
rule("extract-sext-bit", "extract", (N("sext", (X("b", 1),), w="aw"),), params=("hi", "lo"), theory="bv",
     then=lambda D, v: D.sext(v.b, v.hi - v.lo + 1),
     sigs=(dict(hi=31, lo=0, aw=64), dict(hi=63, lo=32, aw=64), dict(hi=0, lo=0, aw=8)),
     doc="bits of sext(b) for 1-bit b: sext(b) again")
rule("extract-ite", "extract", (N("ite", (X("c", 1), X("t", "aw"), X("e", "aw"))),), params=("hi", "lo"),
     theory="bv", then=lambda D, v: D.ite(v.c, D.extract(v.t, v.hi, v.lo), D.extract(v.e, v.hi, v.lo)),
     sigs=(dict(hi=31, lo=0, aw=64), dict(hi=63, lo=0, aw=512)), doc="bits of a select: a select of bits")
for _op, _ctor in (("and", "and_"), ("or", "or_"), ("xor", "xor")):
    rule(f"extract-{_op}", "extract", (N(_op, (X("p", "aw"), X("q", "aw"))),), params=("hi", "lo"), theory="bv",
         then=(lambda c: lambda D, v: getattr(D, c)(D.extract(v.p, v.hi, v.lo), D.extract(v.q, v.hi, v.lo)))(_ctor),
         sigs=(dict(hi=31, lo=0, aw=64), dict(hi=127, lo=64, aw=512)), doc=f"bits of a {_op} are the {_op} of bits")
rule("extract-lshr", "extract", (N("lshr", (X("a", "aw"), C("k", w=8))),), params=("hi", "lo"), concrete=("k",),
     when=lambda v: v.hi + v.k.value < v.aw, theory="bv", then=lambda D, v: D.extract(v.a, v.hi + v.k.value, v.lo + v.k.value),
     sigs=(dict(hi=15, lo=0, aw=64, k=16), dict(hi=7, lo=0, aw=64, k=56), dict(hi=31, lo=0, aw=64, k=32)),
     doc="bits of a >> k (inside the width) are bits of a, k higher")
rule("extract-not", "extract", (N("not", (X("p", "aw"),)),), params=("hi", "lo"), theory="bv",
     then=lambda D, v: D.not_(D.extract(v.p, v.hi, v.lo)), sigs=(dict(hi=31, lo=0, aw=64),),
     doc="bits of a not are the not of bits")
rule("extract-above-value", "extract", (X("a", "aw"),), params=("hi", "lo"), when=lambda v: v.a.hi < (1 << v.lo),
     then=lambda D, v: D.zero(v.hi - v.lo + 1), sigs=EX, doc="bits above the value's interval are 0")
rule("extract-low-exact", "extract", (X("a", "aw"),), params=("hi", "lo"),
     when=lambda v: ALL(v.lo == 0, v.a.hi <= mask(v.hi + 1)),
     then=lambda D, v: D.node("extract", (v.a,), v.hi + 1, (v.hi, v.lo), lo=v.a.lo, hi=v.a.hi),
     sigs=EX, doc="the low bits of a value that fits in them are the value")
rule("extract-node", "extract", (X("a", "aw"),), params=("hi", "lo"),
     then=lambda D, v: D.node("extract", (v.a,), v.hi - v.lo + 1, (v.hi, v.lo), lo=0,
                              hi=MIN(mask(v.hi - v.lo + 1), SHR(v.a.hi, v.lo))),
     sigs=EX, doc="bits lo.. of a are at most a >> lo")

CC = (dict(hw=32, lw=32), dict(hw=56, lw=8), dict(hw=8, lw=56), dict(hw=448, lw=64), dict(hw=1, lw=7))
_fold("concat", 2)
rule("concat-zero-high", "concat", (C(value=0, w="hw"), X("l", "lw")), theory="bv",
     then=lambda D, v: D.zext(v.l, v.hw + v.lw), sigs=CC, doc="concat(0, l) = zext(l)")
rule("concat-adjacent", "concat", (N("extract", (X("x", "xw"),), params=("h1", "l1")),
                                   N("extract", (S("x"),), params=("h2", "l2"))),
     when=lambda v: v.l1 == v.h2 + 1, theory="bv", then=lambda D, v: D.extract(v.x, v.h1, v.l2),
     sigs=(dict(xw=64, h1=63, l1=32, h2=31, l2=0), dict(xw=64, h1=63, l1=8, h2=7, l2=0),
           dict(xw=512, h1=127, l1=64, h2=63, l2=0)), doc="adjacent bit ranges of x joined: one range")
rule("concat-adjacent-left", "concat", (N("concat", (X("h", "hw"), N("extract", (X("x", "xw"),), params=("h1", "l1")))),
                                        N("extract", (S("x"),), params=("h2", "l2"))),
     when=lambda v: v.l1 == v.h2 + 1, theory="bv", then=lambda D, v: D.concat(v.h, D.extract(v.x, v.h1, v.l2)),
     sigs=(dict(hw=16, xw=64, h1=47, l1=32, h2=31, l2=16), dict(hw=8, xw=64, h1=15, l1=8, h2=7, l2=0)),
     doc="(h . x[h1:l1]) . x[l1-1:l2] = h . x[h1:l2]")
rule("concat-adjacent-right", "concat", (N("extract", (X("x", "xw"),), params=("h1", "l1")),
                                         N("concat", (N("extract", (S("x"),), params=("h2", "l2")), X("l", "lw")))),
     when=lambda v: v.l1 == v.h2 + 1, theory="bv", then=lambda D, v: D.concat(D.extract(v.x, v.h1, v.l2), v.l),
     sigs=(dict(lw=16, xw=64, h1=47, l1=32, h2=31, l2=16), dict(lw=8, xw=64, h1=63, l1=56, h2=55, l2=8)),
     doc="x[h1:l1] . (x[l1-1:l2] . l) = x[h1:l2] . l")
rule("concat-sext-bit", "concat", (N("sext", (X("b", 1),), w="w1"), N("sext", (S("b"),), w="w2")), theory="bv",
     then=lambda D, v: D.sext(v.b, v.w1 + v.w2), sigs=(dict(w1=32, w2=32), dict(w1=8, w2=56), dict(w1=1, w2=63)),
     doc="concat(sext(b, w1), sext(b, w2)) = sext(b, w1 + w2) for 1-bit b (only then)")
rule("concat-mul-pair", "concat", (N("mulhi", (X("a", "w"), X("b", "w")), name="h"),
                                   N("mullo", (S("a"), S("b")), name="l")),
     then=lambda D, v: D.node("concat", (v.h, v.l), 2 * v.w, lo=v.a.lo * v.b.lo, hi=v.a.hi * v.b.hi),
     sigs=_w(32), doc="the two words of a product a b, as one number, lie between the products of the bounds "
                      "(A64 umull)")
rule("concat-node", "concat", (X("h", "hw"), X("l", "lw")),
     then=lambda D, v: D.node("concat", (v.h, v.l), v.hw + v.lw, lo=SHL(v.h.lo, v.lw) + v.l.lo,
                              hi=SHL(v.h.hi, v.lw) + v.l.hi), sigs=CC, doc="h 2^lw + l")

ZX = (dict(width=64, aw=32), dict(width=64, aw=8), dict(width=32, aw=1), dict(width=512, aw=128), dict(width=64, aw=64),
      dict(width=64, aw=52))
_fold("zext", 1, params=("width",))
_fold("sext", 1, params=("width",))
for _ctor in ("zext", "sext"):
    rule(f"{_ctor}-same", _ctor, (X("a", "aw"),), params=("width",), when=lambda v: v.width == v.aw, theory="bv",
         then=lambda D, v: v.a, sigs=(dict(width=64, aw=64), dict(width=32, aw=32)), doc=f"{_ctor} to its own width")
rule("zext-zext", "zext", (N("zext", (X("x", "xw"),), w="aw"),), params=("width",), theory="bv",
     then=lambda D, v: D.zext(v.x, v.width), sigs=(dict(width=64, aw=32, xw=8), dict(width=512, aw=256, xw=128)),
     doc="zext of zext is one zext")
rule("zext-node", "zext", (X("a", "aw"),), params=("width",),
     then=lambda D, v: D.node("zext", (v.a,), v.width, lo=v.a.lo, hi=v.a.hi), sigs=ZX, doc="zext keeps the value")
rule("sext-nonneg", "sext", (X("a", "aw"),), params=("width",), when=lambda v: v.a.hi < (1 << (v.aw - 1)),
     then=lambda D, v: D.zext(v.a, v.width), sigs=ZX[:4], doc="sext of a value below 2^(w-1) is zext")

# --- predicates and select -----------------------------------------------------------------------
rule("eq-commute", "eq", (X("a", "w"), X("b", "w")), when=_by_id, theory="bv", then=lambda D, v: D.eq(v.b, v.a),
     sigs=_w(*WV), doc="(a = b) = (b = a)")
rule("eq-self", "eq", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: D.const(1, 1), sigs=_w(*WV),
     doc="a = a")
_fold("eq", 2)
rule("eq-disjoint", "eq", (X("a", "w"), X("b", "w")), when=lambda v: ANY(v.a.hi < v.b.lo, v.b.hi < v.a.lo),
     then=lambda D, v: D.const(0, 1), sigs=_w(*W), doc="disjoint intervals: not equal")
_fold("ult", 2)
rule("ult-true", "ult", (X("a", "w"), X("b", "w")), when=lambda v: v.a.hi < v.b.lo,
     then=lambda D, v: D.const(1, 1), sigs=_w(*W), doc="a's interval lies below b's: a < b")
rule("ult-false", "ult", (X("a", "w"), X("b", "w")), when=lambda v: v.a.lo >= v.b.hi,
     then=lambda D, v: D.const(0, 1), sigs=_w(*W), doc="a's interval lies at or above b's: not a < b")
rule("ult-self", "ult", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: D.const(0, 1), sigs=_w(*W),
     doc="not a < a")
_fold("slt", 2)
rule("slt-self", "slt", (X("a", "w"), S("a")), theory="bv", then=lambda D, v: D.const(0, 1), sigs=_w(*W),
     doc="not a < a (signed)")
_fold("parity", 1)

rule("ite-true", "ite", (C(value=1, w=1), X("t", "w"), X("e", "w")), theory="bv", then=lambda D, v: v.t,
     sigs=_w(*WV), doc="1 ? t : e = t")
rule("ite-false", "ite", (C(value=0, w=1), X("t", "w"), X("e", "w")), theory="bv", then=lambda D, v: v.e,
     sigs=_w(*WV), doc="0 ? t : e = e")
rule("ite-same", "ite", (X("c", 1), X("t", "w"), S("t")), theory="bv", then=lambda D, v: v.t, sigs=_w(*WV),
     doc="c ? t : t = t")
rule("ite-bit", "ite", (X("c", 1), C(value=1, w=1), C(value=0, w=1)), theory="bv", then=lambda D, v: v.c,
     sigs=(dict(),), doc="c ? 1 : 0 = c (1-bit)")
rule("ite-not-bit", "ite", (X("c", 1), C(value=0, w=1), C(value=1, w=1)), theory="bv",
     then=lambda D, v: D.not_(v.c), sigs=(dict(),), doc="c ? 0 : 1 = ~c (1-bit)")
rule("ite-zext-bit", "ite", (X("c", 1), C(value=1, w="w"), C(value=0, w="w")), theory="bv",
     then=lambda D, v: D.zext(v.c, v.w), sigs=_w(*WV[1:]), doc="c ? 1 : 0 = zext(c) (A64 cset: a carry as a word)")
rule("ite-sext-bit", "ite", (X("c", 1), ONES, ZERO), theory="bv",
     then=lambda D, v: D.sext(v.c, v.w), sigs=_w(*WV[1:]), doc="c ? -1 : 0 = sext(c) (A64 csetm: a carry as a mask)")
rule("ite-not-cond", "ite", (N("not", (X("c", 1),)), X("t", "w"), X("e", "w")), theory="bv",
     then=lambda D, v: D.ite(v.c, v.e, v.t), sigs=_w(*WV), doc="~c ? t : e = c ? e : t")
rule("ite-node", "ite", (X("c", 1), X("t", "w"), X("e", "w")),
     then=lambda D, v: D.node("ite", (v.c, v.t, v.e), v.w, lo=MIN(v.t.lo, v.e.lo), hi=MAX(v.t.hi, v.e.hi)),
     sigs=_w(*WV), doc="a select lies between the bounds of its two values")
