"""What each term operation means, in z3: as a bit-vector and as an integer.

The term layer (terms.py) names operations; this module gives them their
meaning twice over, for the proofs of the rules that simplify terms and the
facts decided about them (rules.py):

* `bv(op, args, width, params)`: z3 bit-vector semantics (1-bit results are
  1-bit vectors);
* `int_(op, args, arg_widths, width, params)`: the unsigned value as a z3
  integer, for the arithmetic and structural operations (bitwise ones only at
  width 1); None where an operation has no integer form here.

Both agree with the concrete domain (`provenum.machine.concrete`, the one
validation compares with the CPU) and with `terms.evaluate`: the rule test
checks all three against each other on random and edge values.
"""
from __future__ import annotations


def _z3():
    import z3

    return z3


def bv(op: str, a: list, width: int, params: tuple = (), arg_widths: tuple = ()):
    z3 = _z3()
    w = width
    if op in ("addr", "addc"):
        aw = arg_widths[0]
        s = z3.ZeroExt(1, a[0]) + z3.ZeroExt(1, a[1]) + z3.ZeroExt(aw, a[2])
        return z3.Extract(aw - 1, 0, s) if op == "addr" else z3.Extract(aw, aw, s)
    if op in ("subr", "subc"):
        aw = arg_widths[0]
        s = z3.ZeroExt(1, a[0]) - z3.ZeroExt(1, a[1]) - z3.ZeroExt(aw, a[2])
        return z3.Extract(aw - 1, 0, s) if op == "subr" else z3.Extract(aw, aw, s)
    if op == "mullo":
        return a[0] * a[1]
    if op == "mulhi":
        return z3.Extract(2 * w - 1, w, z3.ZeroExt(w, a[0]) * z3.ZeroExt(w, a[1]))
    if op == "smulhi":
        return z3.Extract(2 * w - 1, w, z3.SignExt(w, a[0]) * z3.SignExt(w, a[1]))
    if op == "and":
        return a[0] & a[1]
    if op == "or":
        return a[0] | a[1]
    if op == "xor":
        return a[0] ^ a[1]
    if op == "not":
        return ~a[0]
    if op in ("shl", "lshr", "ashr"):
        cw = arg_widths[1]
        top = max(w, cw)
        n = z3.ZeroExt(top - cw, a[1]) if top > cw else a[1]
        if op == "ashr":
            x = z3.SignExt(top - w, a[0]) if top > w else a[0]
            return z3.Extract(w - 1, 0, x >> n)
        x = z3.ZeroExt(top - w, a[0]) if top > w else a[0]
        return z3.Extract(w - 1, 0, x << n if op == "shl" else z3.LShR(x, n))
    if op == "extract":
        return z3.Extract(params[0], params[1], a[0])
    if op == "concat":
        return z3.Concat(a[0], a[1])
    if op == "zext":
        return z3.ZeroExt(w - arg_widths[0], a[0]) if w > arg_widths[0] else a[0]
    if op == "sext":
        return z3.SignExt(w - arg_widths[0], a[0]) if w > arg_widths[0] else a[0]
    one, zero = z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)
    if op == "eq":
        return z3.If(a[0] == a[1], one, zero)
    if op == "ult":
        return z3.If(z3.ULT(a[0], a[1]), one, zero)
    if op == "slt":
        return z3.If(a[0] < a[1], one, zero)
    if op == "parity":
        bits = [z3.Extract(i, i, a[0]) for i in range(arg_widths[0])]
        x = bits[0]
        for b in bits[1:]:
            x = x ^ b
        return ~x
    if op == "ite":
        return z3.If(a[0] == one, a[1], a[2])
    if op == "sel":
        return z3.Function(f"sel:{params[0]}", z3.BitVecSort(64), z3.BitVecSort(64))(a[0])
    raise ValueError(f"no bit-vector meaning for {op}")


def int_(op: str, a: list, arg_widths: tuple, width: int, params: tuple = ()):
    """The unsigned value as a z3 integer expression, or None when `op` has no integer form here."""
    z3 = _z3()
    w = width
    M = 1 << w
    if op in ("addr", "addc"):
        s = a[0] + a[1] + a[2]
        aw = arg_widths[0]
        return s % (1 << aw) if op == "addr" else s / (1 << aw)
    if op in ("subr", "subc"):
        s = a[0] - a[1] - a[2]
        return s % (1 << arg_widths[0]) if op == "subr" else z3.If(s < 0, 1, 0)
    if op == "mullo":
        return (a[0] * a[1]) % M
    if op == "mulhi":
        return (a[0] * a[1]) / M
    if op == "smulhi":
        sa, sb = (_signed(z3, x, w) for x in a)
        return ((sa * sb) / M) % M
    if op == "not":
        return M - 1 - a[0]
    if op in ("and", "or", "xor") and w == 1:
        x, y = a
        return {"and": x * y, "or": x + y - x * y, "xor": (x + y) % 2}[op]
    if op in ("shl", "lshr", "ashr"):
        k = params[0] if params else None   # a known count (the rule supplies it), else no integer form
        if k is None:
            return None
        if op == "shl":
            return (a[0] * (1 << k)) % M if k < w else z3.IntVal(0)
        if op == "lshr":
            return a[0] / (1 << k) if k < w else z3.IntVal(0)
        return (_signed(z3, a[0], w) / (1 << min(k, w - 1))) % M
    if op == "extract":
        hi, lo = params
        return (a[0] / (1 << lo)) % (1 << (hi - lo + 1))
    if op == "concat":
        return a[0] * (1 << arg_widths[1]) + a[1]
    if op == "zext":
        return a[0]
    if op == "sext":
        aw = arg_widths[0]
        return z3.If(a[0] >= 1 << (aw - 1), a[0] + M - (1 << aw), a[0])
    if op == "eq":
        return z3.If(a[0] == a[1], 1, 0)
    if op == "ult":
        return z3.If(a[0] < a[1], 1, 0)
    if op == "slt":
        aw = arg_widths[0]
        return z3.If(_signed(z3, a[0], aw) < _signed(z3, a[1], aw), 1, 0)
    if op == "ite":
        return z3.If(a[0] == 1, a[1], a[2])
    return None


def _signed(z3, x, w: int):
    return z3.If(x >= 1 << (w - 1), x - (1 << w), x)
