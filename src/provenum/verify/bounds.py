"""Interval bounds of spec expressions and polynomials over ranged atoms."""
from __future__ import annotations

from .prooflog import current as current_log, poly_json
from .rules import fact_holds
from .specs.base import Big, Num, Op, Pow2, Row, Scalar, Word


def expr_interval(e, scalar_ranges: dict | None = None) -> tuple[int, int]:
    """[lo, hi] of a spec expression when every input word ranges over [0, 2^64)."""
    scalar_ranges = scalar_ranges or {}
    if isinstance(e, (Num, Pow2)):
        return e.value, e.value
    if isinstance(e, Big):
        return 0, (1 << (64 * e.words)) - 1
    if isinstance(e, Row):
        return 0, (1 << (64 * e.width)) - 1
    if isinstance(e, Word):
        return 0, (1 << 64) - 1
    if isinstance(e, Scalar):
        return scalar_ranges.get(e.name, (0, (1 << 64) - 1))
    if isinstance(e, Op):
        a, b = expr_interval(e.a, scalar_ranges), expr_interval(e.b, scalar_ranges)
        if e.op == "+":
            return a[0] + b[0], a[1] + b[1]
        if e.op == "-":
            return a[0] - b[1], a[1] - b[0]
        products = [x * y for x in a for y in b]
        return min(products), max(products)
    raise TypeError(f"no interval for {e!r}")


def poly_interval(p: dict, ranges: dict) -> tuple[int, int]:
    """[lo, hi] of a polynomial whose atoms range over `ranges` (atom -> (lo, hi))."""
    lo = hi = 0
    for mono, c in p.items():
        mlo, mhi = 1, 1
        for a in mono:
            alo, ahi = ranges[a]
            cands = (mlo * alo, mlo * ahi, mhi * alo, mhi * ahi)
            mlo, mhi = min(cands), max(cands)
        if c >= 0:
            lo, hi = lo + c * mlo, hi + c * mhi
        else:
            lo, hi = lo + c * mhi, hi + c * mlo
    return lo, hi


# --- dropped carries shown zero locally ------------------------------------------

def _local(t, terms, reg: dict) -> dict:
    """A word-level polynomial of t over term ids: exact sums expanded, other words atoms."""
    if t.op == "const":
        return {(): t.value} if t.value else {}
    if t.op == "addr" and fact_holds("lift-addr-exact", t):
        out: dict = {}
        for a in t.args:
            out = _padd(out, _local(a, terms, reg))
        return out
    if t.op == "zext":
        return _local(t.args[0], terms, reg)
    reg[t.id] = t
    return {(t.id,): 1}


def _padd(a: dict, b: dict, k: int = 1) -> dict:
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + k * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def _pmul(a: dict, b: dict) -> dict:
    out: dict = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            out = _padd(out, {tuple(sorted(ma + mb)): ca * cb})
    return out


def carry_is_zero(carry, terms, depth: int = 3, steps: int = 64) -> bool:
    """Show the carry out of an add is 0 by bounding a + b + c_in with its neighbours.

    Works on E = 2^(64 depth) * (a + b + c_in): a carry atom of a w'-bit add
    with coefficient 2^w' k is replaced through its add's equation
    (2^w' c = a' + b' + c' - r'), a high product word paired with its low word
    through 2^w' h + l = u * v (w' the width of that add or product).
    Results r' enter with a negative sign, so dropping them (r' >= 0) only
    loosens the bound; when the same word also enters positively they cancel,
    which is what makes a two-word sum like hi:lo + x fit.
    """
    if carry.op != "addc":
        return False
    w = carry.args[0].width
    top = 64 * depth
    reg: dict = {}
    E: dict = {}
    for a in carry.args:
        E = _padd(E, _local(a, terms, reg))
    E = {m: c << top for m, c in E.items()}
    for _ in range(steps):
        changed = False
        for m, c in list(E.items()):
            if len(m) != 1 or m not in E:
                continue
            t = reg[m[0]]
            if t.op == "addc":
                tw = t.args[0].width  # the width of *that* add, which may differ from the carry's
                r = terms.find("addr", t.args, tw)
                if r is not None and c % (1 << tw) == 0 and fact_holds("lift-addr", r):
                    k = c >> tw  # 2^tw k c = k (a + b + c_in) - k r, exactly
                    E.pop(m)
                    for a in t.args:
                        E = _padd(E, _local(a, terms, reg), k)
                    reg[r.id] = r
                    E = _padd(E, {(r.id,): 1}, -k)
                    changed = True
            elif t.op == "mulhi" and c % (1 << t.width) == 0:
                tw = t.width
                lo = terms.find("mullo", t.args, tw)
                if lo is not None and E.get((lo.id,)) == c >> tw and fact_holds("lift-mullo", lo):
                    E.pop(m)
                    E.pop((lo.id,))
                    u, v = t.args
                    E = _padd(E, _pmul(_local(u, terms, reg), _local(v, terms, reg)), c >> tw)
                    changed = True
        if not changed:
            break
    hi = 0
    for m, c in E.items():
        mlo, mhi = 1, 1
        for a in m:
            t = reg[a]
            cands = (mlo * t.lo, mlo * t.hi, mhi * t.lo, mhi * t.hi)
            mlo, mhi = min(cands), max(cands)
        hi += c * mhi if c > 0 else c * mlo
    if hi >= 1 << (w + top):
        return False
    log = current_log()
    if log is not None:   # E = 2^top (a + b + c_in) exactly, and E < 2^(w + top) over its words' intervals
        for a in {a for m in E for a in m}:
            log.term(reg[a])
        log.certify(carry, "local", top=top, E=[[list(m), c] for m, c in E.items()])
    return True


def carry_zero_by_prefix(carry, terms, regions) -> bool:
    """Show a carry is 0 from the value of the words below it at that moment.

    When the add's result is stored to word k of a buffer, the words s..k-1
    as they were when the carry was made, plus 2^(64(k-s)) (a + b + c_in),
    form one number (a partial product, say) whose polynomial is bounded by
    intervals; below 2^(64(k-s) + w) means a + b + c_in < 2^w, w the add's
    width (the stored words are 64-bit and non-negative). The start s is
    not known (a product may sit anywhere in a buffer), so each s from k down
    is tried while the words are there. A word not yet stored when the carry
    was made is taken as first stored after it (AArch64 stores words in
    pairs): any non-negative words keep the argument sound, the choice only
    decides whether the bound is tight.
    """
    from .algebra import Lifter, p_add, p_scale

    if carry.op != "addc":
        return False
    w = carry.args[0].width
    r = terms.find("addr", carry.args, w)
    if r is None:
        return False
    for region in regions:
        hit = next(((t, off) for t, off, word in region.log if word is r), None)
        if hit is None or hit[1] % 8:
            continue
        k = hit[1]
        snapshot: dict = {}
        for t, off, word in region.log:
            if t <= carry.time and off < k:
                snapshot[off] = word
        for t, off, word in region.log:   # words stored after the carry (a pair stored by one stp)
            if t > carry.time and off < k:
                snapshot.setdefault(off, word)
        lifter = Lifter(terms)
        E = p_add(*(lifter.lift(a) for a in carry.args))
        words = 1
        off = k - 8
        while True:
            ranges = {a: (t.lo, t.hi) for a, t in lifter.atoms.items()}
            if all(a in ranges for m in E for a in m) and poly_interval(E, ranges)[1] < 1 << (64 * (words - 1) + w):
                log = current_log()
                if log is not None:   # E = 2^(64 k)(a + b + c_in) + (the k words below, each >= 0), bounded
                    log.terms_of(E, lifter)
                    pad = [log.term(snapshot[k - 8 * i]) for i in range(1, words)]
                    log.certify(carry, "prefix", pad=pad, E=poly_json(E))
                return True
            if off not in snapshot or words > 64:
                return False
            E = p_add(p_scale(E, 1 << 64), lifter.lift(snapshot[off]))
            words += 1
            off -= 8
    return False
