"""Every rule that simplifies terms or decides a fact about them, written once and proved by z3.

A rule is data: the constructor it belongs to (or the fact family: "lift",
"ptr", "smt"), a *pattern* of the arguments it applies to, a side condition
`when` over the bound terms (their widths, intervals, constant values), and
`then`, what it gives. The same `when` and `then` run in two places:

* in the term layer (`Terms._apply`) and the prover, on real terms, where
  `when` is evaluated on Python ints and `then` builds the simplified term
  (or the polynomial, pointer offset, z3 encoding);
* in the rule's proof, on the pattern's *most general instance* at one
  signature (the widths and parameters the rule is applied at): every
  pattern variable a fresh z3 value with symbolic bounds lo <= x <= hi, every
  constant a fresh z3 value unless its value is part of the signature. `when`
  then builds the z3 premise and `then` the right-hand side, and z3 must show

      bounds of the instance  and  when  ==>  lhs == rhs  and  every
      interval `then` states holds (0 <= lo <= value <= hi <= 2^w - 1).

A rule fires at a signature only once that statement is proved for it
(`allowed`): proofs are made the first time a signature is met and kept (in
memory, and in a cache file named by the hash of the rule sources and the z3
version); a rule whose proof fails is refused there and the plain node (or an
opaque atom) is used instead, which is always sound. So every rule is proved
at every width it is applied at. Constant folding is not an identity but the
definition: it evaluates with the concrete domain that validation checks
against the CPU, and the rule test checks that domain, `terms.evaluate` and
the z3 meaning (meaning.py) agree.

Chain facts (a carry chain of j adds of width w carries out exactly when its
sum reaches 2^(w j)) are proved for each (w, j) they decide.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


def mask(width: int) -> int:
    return (1 << width) - 1


# --- numbers that are Python ints here and z3 expressions in a proof ------------------------

def _sym(x) -> bool:
    return hasattr(x, "ctx")


def MIN(a, b):
    if _sym(a) or _sym(b):
        import z3
        return z3.If(a <= b, a, b)
    return min(a, b)


def MAX(a, b):
    if _sym(a) or _sym(b):
        import z3
        return z3.If(a >= b, a, b)
    return max(a, b)


def IF(c, a, b):
    if _sym(c):
        import z3
        return z3.If(c, a, b)
    return a if c else b


def ALL(*cs):
    if any(_sym(c) for c in cs):
        import z3
        return z3.And(*cs)
    return all(cs)


def ANY(*cs):
    if any(_sym(c) for c in cs):
        import z3
        return z3.Or(*cs)
    return any(cs)


def NOT(c):
    if _sym(c):
        import z3
        return z3.Not(c)
    return not c


def SHL(x, k: int):
    return x * (1 << k)


def SHR(x, k: int):
    if _sym(x):
        import z3
        return z3.LShR(x, k) if z3.is_bv(x) else x / (1 << k)
    return x >> k


def SMEAR(x):
    """The all-ones number with as many bits as x (x >= 0): 2^bitlength(x) - 1."""
    if _sym(x):
        import z3
        if not z3.is_bv(x):
            raise TypeError("SMEAR needs a bit-vector theory")
        k = 1
        while k < x.size():
            x = x | z3.LShR(x, k)
            k *= 2
        return x
    return mask(x.bit_length())


# --- patterns -------------------------------------------------------------------------

@dataclass(frozen=True)
class X:
    """Any term, bound to `name`; `w`: its width (int), a width variable (str) or None (any)."""
    name: str
    w: object = None


@dataclass(frozen=True)
class C:
    """A constant: `value` an int or a function of the binding (e.g. all ones), or None to bind it as `name`."""
    name: str | None = None
    value: object = None
    w: object = None


@dataclass(frozen=True)
class N:
    """A node of operation `op` over argument patterns; `params` names bound to its parameters."""
    op: str
    args: tuple
    w: object = None
    params: tuple = ()
    name: str | None = None
    comm: bool = False


@dataclass(frozen=True)
class S:
    """The same term as the one already bound to `name`."""
    name: str


class Binding(dict):
    """Bound terms, widths and parameters, read as attributes (v.a, v.w)."""

    __getattr__ = dict.__getitem__

    def signature(self, rule) -> tuple:
        """The widths, parameters and concrete constants (by value) the rule is applied at."""
        return tuple((k, self[k].value if hasattr(self[k], "op") else self[k]) for k in rule.sig_keys)


def _width(spec, t, v: Binding) -> bool:
    if spec is None:
        return True
    if isinstance(spec, int):
        return t.width == spec
    if spec in v:
        return v[spec] == t.width
    v[spec] = t.width
    return True


def _matches(p, t, v: Binding):
    """Every way term `t` matches pattern `p` extending binding `v` (a generator: commutative nodes
    may match in either order, and a later argument may need the other one)."""
    if isinstance(p, S):
        if v[p.name] is t:
            yield v
        return
    v = Binding(v)
    if not _width(p.w, t, v):
        return
    if isinstance(p, X):
        v[p.name] = t
        yield v
        return
    if isinstance(p, C):
        if t.op != "const":
            return
        if p.value is not None:
            want = p.value(v) if callable(p.value) else p.value
            if t.value != want:
                return
        if p.name:
            v[p.name] = t
        yield v
        return
    if t.op != p.op or len(t.args) != len(p.args):
        return
    for name, value in zip(p.params, t.params):
        if name in v and v[name] != value:
            return
        v[name] = value
    if p.name:
        v[p.name] = t
    # commutative: the first two arguments either way round (an add's carry in stays last)
    orders = [t.args, (t.args[1], t.args[0]) + tuple(t.args[2:])] if p.comm and len(t.args) >= 2 else [t.args]
    for args in orders:
        yield from _match_all(p.args, args, v)


def _match_all(patterns, terms, v: Binding):
    if not patterns:
        yield v
        return
    for w in _matches(patterns[0], terms[0], v):
        yield from _match_all(patterns[1:], terms[1:], w)


@dataclass(eq=False)
class Rule:
    name: str
    ctor: str                      # constructor (Terms method) or fact family ("lift", "ptr", "smt")
    args: tuple                    # argument patterns
    then: Callable                 # (D, v) -> result
    when: Callable | None = None   # (v) -> bool (or a z3 premise in a proof)
    params: tuple = ()             # names bound to the constructor's parameters (extract: hi, lo)
    theory: str = "int"            # "int": values as integers; "bv": values as bit-vectors
    comm: bool = False             # the first two arguments may match either way round
    concrete: tuple = ()           # constants whose values belong to the signature
    sigs: tuple = ()               # signatures the rule test proves (dicts of width variables ...)
    op: str | None = None          # for facts: the operation of the term the fact is about
    doc: str = ""
    fold: bool = False             # constant folding: evaluation, checked by testing (see the module doc)
    sig_keys: tuple = field(default=(), init=False)
    heads: tuple = field(default=(), init=False)   # per argument: the operation it must have, or None

    def match(self, args, params=()) -> Binding | None:
        v = Binding()
        for name, value in zip(self.params, params):
            v[name] = value
        orders = [args, (args[1], args[0]) + tuple(args[2:])] if self.comm else [args]
        for a in orders:
            for found in _match_all(self.args, a, v):
                return found
        return None


def _head(p) -> str | None:
    """The operation a term must have to match pattern p (None: any term may)."""
    if isinstance(p, N):
        return p.op
    if isinstance(p, C):
        return "const"
    return None


RULES: dict[str, Rule] = {}
BY_CTOR: dict[str, list[Rule]] = {}


def _keys(rule: Rule) -> tuple:
    keys: list = list(rule.params)

    def walk(p):
        if isinstance(p, (X, C, N)) and isinstance(p.w, str) and p.w not in keys:
            keys.append(p.w)
        if isinstance(p, C) and p.name in rule.concrete and p.name not in keys:
            keys.append(p.name)
        if isinstance(p, N):
            for q in p.params:
                if q not in keys:
                    keys.append(q)
            for q in p.args:
                walk(q)

    for p in rule.args:
        walk(p)
    return tuple(keys)


def rule(name: str, ctor: str, args: tuple, then: Callable, **kw) -> Rule:
    if name in RULES:
        raise ValueError(f"rule {name} defined twice")
    r = Rule(name, ctor, tuple(args), then, **kw)
    r.sig_keys = _keys(r)
    r.heads = tuple(_head(p) for p in r.args)
    RULES[name] = r
    BY_CTOR.setdefault(ctor if not r.op else f"{ctor}:{r.op}", []).append(r)
    reindex()
    return r


def rules_for(ctor: str, op: str | None = None) -> list[Rule]:
    return BY_CTOR.get(ctor if op is None else f"{ctor}:{op}", [])


_CANDIDATES: dict = {}   # (rule key, its arguments' operations) -> the rules that may match


def reindex() -> None:
    """Forget the candidate lists: after a rule is added, or BY_CTOR is changed in place (tests)."""
    _CANDIDATES.clear()


def candidates(ctor: str, args, op: str | None = None) -> list[Rule]:
    """rules_for(ctor, op) less those whose top-level argument patterns do not fit the arguments'
    operations (in either order for a commutative rule): those cannot match."""
    ops = tuple(a.op for a in args)
    key = (ctor, op, ops)
    got = _CANDIDATES.get(key)
    if got is None:
        swapped = (ops[1], ops[0]) + ops[2:] if len(ops) >= 2 else ops
        got = [r for r in rules_for(ctor, op)
               if _ops_fit(r.heads, ops) or (r.comm and _ops_fit(r.heads, swapped))]
        _CANDIDATES[key] = got
    return got


def _ops_fit(heads: tuple, ops: tuple) -> bool:
    return all(h is None or h == o for h, o in zip(heads, ops))


# --- the guard: a rule fires only at signatures where its proof holds --------------------------

class Ledger:
    """Which (rule, signature) pairs are proved; proves new ones on demand."""

    def __init__(self):
        self.proved: set = set()
        self.refused: dict = {}
        self.fresh = 0            # proofs made in this process
        self.used_by: list = []   # the rule sets of the proof logs open now (prooflog.py): keys used go there
        self._file: Path | None = None
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        if os.environ.get("PROVENUM_RULE_CACHE", "1") == "0":
            return
        try:
            from ..machine.harness import cache_dir

            self._file = cache_dir() / f"rules-{_sources_digest()}.txt"
            if self._file.exists():
                for line in self._file.read_text().splitlines():
                    self.proved.add(line)
        except OSError:
            self._file = None

    def allowed(self, r: Rule, sig: tuple) -> bool:
        key = f"{r.name}|{sig!r}"
        if key not in self.proved and not self._prove(r, sig, key):
            return False
        for used in self.used_by:
            used.add(key)
        return True

    def _prove(self, r: Rule, sig: tuple, key: str) -> bool:
        if key in self.refused:
            return False
        if not self._loaded:
            self._load()
            if key in self.proved:
                return True
        ok, detail = prove_rule(r, dict(sig))
        self.fresh += 1
        if not ok:
            self.refused[key] = detail
            return False
        self.proved.add(key)
        if self._file is not None:
            try:
                with open(self._file, "a") as f:
                    f.write(key + "\n")
            except OSError:
                pass
        return True


LEDGER = Ledger()


def allowed(r: Rule, v: Binding) -> bool:
    return LEDGER.allowed(r, v.signature(r))


def _sources_digest() -> str:
    import z3

    h = hashlib.sha256(z3.get_version_string().encode())
    here = Path(__file__).parent
    for name in ("rules.py", "meaning.py", "terms.py", "term_rules.py", "fact_rules.py"):
        p = here / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:20]


# --- proofs ------------------------------------------------------------------------------

class Inst:
    """A term of a rule's most general instance: its structure, and its value and bounds in z3."""

    def __init__(self, op, args, width, params, value, lo, hi, tid, const=None):
        self.op, self.args, self.width, self.params = op, tuple(args), width, tuple(params)
        self.expr, self.lo, self.hi, self.id = value, lo, hi, tid
        self._const = const
        self.secret = False
        self.addr = None

    @property
    def value(self):
        return self._const

    def is_const(self, v=None) -> bool:
        return self.op == "const" and (v is None or (not _sym(self._const) and self._const == v))


class ProofBuilder:
    """The constructor API of `Terms` building raw instance nodes: what `then` builds in a proof.

    Nodes are not simplified; each new node's value is the z3 meaning of its
    operation, and an interval given to `node` becomes an obligation.
    """

    def __init__(self, theory: str, wide: int):
        import z3

        self.z3 = z3
        self.theory = theory
        self.wide = wide
        self.premises: list = []
        self.obligations: list = []
        self._n = 0

    # numbers: Ints in the integer theory, wide bit-vectors (no overflow) in the bit-vector one
    def number(self, name: str):
        self._n += 1
        z3 = self.z3
        return z3.Int(f"{name}{self._n}") if self.theory == "int" else z3.BitVec(f"{name}{self._n}", self.wide)

    def as_number(self, t: Inst):
        z3 = self.z3
        if self.theory == "int":
            return t.expr
        return z3.ZeroExt(self.wide - t.width, t.expr)

    def _bounded(self, t: Inst, lo, hi) -> None:
        n = self.as_number(t)
        self.premises += [0 <= lo, lo <= n, n <= hi, hi <= mask(t.width)]

    def var(self, name: str, width: int) -> Inst:
        z3 = self.z3
        self._n += 1
        if self.theory == "int":
            x = z3.Int(f"{name}{self._n}")
            self.premises += [x >= 0, x <= mask(width)]
        else:
            x = z3.BitVec(f"{name}{self._n}", width)
        t = Inst("var", (), width, (name,), x, None, None, self._n)
        t.lo, t.hi = self.number(f"lo_{name}"), self.number(f"hi_{name}")
        self._bounded(t, t.lo, t.hi)
        return t

    def sym_const(self, name: str, width: int) -> Inst:
        t = self.var(name, width)
        t.op = "const"
        t.lo = t.hi = t._const = self.as_number(t)   # its value, as a number like any bound
        return t

    def const(self, value, width: int) -> Inst:
        z3 = self.z3
        self._n += 1
        if _sym(value):   # a number (as sym_const gives): back to a value of this width
            if self.theory == "int":
                expr = value % (1 << width)
            else:
                expr = z3.Extract(width - 1, 0, value) if value.size() > width else z3.ZeroExt(width - value.size(),
                                                                                               value)
        elif self.theory == "int":
            expr = z3.IntVal(value & mask(width))
        else:
            expr = z3.BitVecVal(value & mask(width), width)
        t = Inst("const", (), width, (), expr, None, None, self._n, None)
        t.lo = t.hi = self.as_number(t)
        t._const = value if not _sym(value) else t.lo
        return t

    def zero(self, width: int) -> Inst:
        return self.const(0, width)

    def meaning(self, op, args, width, params):
        from . import meaning

        if self.theory == "int":
            iparams = params
            if op in ("shl", "lshr", "ashr"):
                if not args[1].is_const() or _sym(args[1].value):
                    raise TypeError(f"{op} by an unknown count has no integer meaning")
                iparams = (args[1].value,)
            value = meaning.int_(op, [a.expr for a in args], tuple(a.width for a in args), width, iparams)
            if value is None:
                raise TypeError(f"{op} has no integer meaning at width {width}")
            return value
        return meaning.bv(op, [a.expr for a in args], width, params, tuple(a.width for a in args))

    def node(self, op, args, width, params=(), lo=None, hi=None, symbolic_bounds=False) -> Inst:
        self._n += 1
        t = Inst(op, args, width, params, self.meaning(op, args, width, params), None, None, self._n)
        if symbolic_bounds:
            t.lo, t.hi = self.number(f"lo_{op}"), self.number(f"hi_{op}")
            self._bounded(t, t.lo, t.hi)
        else:
            t.lo = 0 if lo is None else lo
            t.hi = mask(width) if hi is None else hi
            if lo is not None or hi is not None:
                n = self.as_number(t)
                self.obligations.append(ALL(0 <= t.lo, t.lo <= n, n <= t.hi, t.hi <= mask(width)))
        return t

    # the constructor API (raw): each builds the node of its operation
    def add(self, a, b, c=None):
        c = c if c is not None else self.const(0, 1)
        return self.node("addr", (a, b, c), a.width), self.node("addc", (a, b, c), 1)

    def sub(self, a, b, c=None):
        c = c if c is not None else self.const(0, 1)
        return self.node("subr", (a, b, c), a.width), self.node("subc", (a, b, c), 1)

    def mul_wide(self, a, b):
        return self.node("mulhi", (a, b), a.width), self.node("mullo", (a, b), a.width)

    def smul_wide(self, a, b):
        return self.node("smulhi", (a, b), a.width), self.node("mullo", (a, b), a.width)

    def and_(self, a, b):
        return self.node("and", (a, b), a.width)

    def or_(self, a, b):
        return self.node("or", (a, b), a.width)

    def xor(self, a, b):
        return self.node("xor", (a, b), a.width)

    def not_(self, a):
        return self.node("not", (a,), a.width)

    def shl(self, a, n):
        return self.node("shl", (a, n), a.width)

    def lshr(self, a, n):
        return self.node("lshr", (a, n), a.width)

    def ashr(self, a, n):
        return self.node("ashr", (a, n), a.width)

    def extract(self, a, hi, lo):
        return self.node("extract", (a,), hi - lo + 1, (hi, lo))

    def concat(self, hi, lo):
        return self.node("concat", (hi, lo), hi.width + lo.width)

    def zext(self, a, width):
        return self.node("zext", (a,), width)

    def sext(self, a, width):
        return self.node("sext", (a,), width)

    def eq(self, a, b):
        return self.node("eq", (a, b), 1)

    def ult(self, a, b):
        return self.node("ult", (a, b), 1)

    def slt(self, a, b):
        return self.node("slt", (a, b), 1)

    def parity(self, a):
        return self.node("parity", (a,), 1)

    def ite(self, c, a, b):
        return self.node("ite", (c, a, b), a.width)


_CTOR_OUTPUTS = {"add": ("addr", "addc"), "sub": ("subr", "subc"), "mul_wide": ("mulhi", "mullo"),
                 "smul_wide": ("smulhi", "mullo"), "and_": ("and",), "or_": ("or",), "xor": ("xor",),
                 "not_": ("not",), "shl": ("shl",), "lshr": ("lshr",), "ashr": ("ashr",),
                 "extract": ("extract",), "concat": ("concat",), "zext": ("zext",), "sext": ("sext",),
                 "eq": ("eq",), "ult": ("ult",), "slt": ("slt",), "parity": ("parity",), "ite": ("ite",)}


def _width_of(spec, sig: dict, default: int):
    if isinstance(spec, int):
        return spec
    if isinstance(spec, str):
        return sig[spec]
    return default


def _comm_nodes(p) -> int:
    if isinstance(p, N):
        return int(p.comm) + sum(_comm_nodes(q) for q in p.args)
    return 0


def _instance(p, B: ProofBuilder, sig: dict, v: Binding, default_width: int, flips: list | None = None):
    """The most general term matching pattern `p` at signature `sig` (binds names into v); `flips`
    says, for each commutative node in turn, whether its arguments are built the other way round."""
    if isinstance(p, S):
        return v[p.name]
    w = _width_of(p.w, sig, default_width)
    if isinstance(p, X):
        t = B.var(p.name, w)
        v[p.name] = t
        return t
    if isinstance(p, C):
        if p.value is not None:
            t = B.const(p.value(Binding({**sig, **v})) if callable(p.value) else p.value, w)
        elif p.name in sig:
            t = B.const(sig[p.name], w)
        else:
            t = B.sym_const(p.name or "k", w)
        if p.name:
            v[p.name] = t
        return t
    args = []
    inner = _ARG_WIDTH.get(p.op, lambda w, sig: w)(w, sig)
    flip = bool(flips.pop(0)) if p.comm and flips else False
    for q in p.args:
        args.append(_instance(q, B, sig, v, inner, flips))
    if flip:
        args[0], args[1] = args[1], args[0]
    params = tuple(sig[n] for n in p.params)
    width = w if p.w is not None else _result_width(p.op, args, params, w)
    t = B.node(p.op, args, width, params, symbolic_bounds=True)
    if p.name:
        v[p.name] = t
    return t


# default width of a node's arguments when the pattern leaves it open
_ARG_WIDTH = {"eq": lambda w, s: s.get("w", w), "ult": lambda w, s: s.get("w", w),
              "slt": lambda w, s: s.get("w", w), "parity": lambda w, s: s.get("w", w)}


def _result_width(op, args, params, w):
    if op in ("addc", "subc", "eq", "ult", "slt", "parity"):
        return 1
    if op == "extract":
        return params[0] - params[1] + 1
    if op == "concat":
        return args[0].width + args[1].width
    if op == "ite":
        return args[1].width
    return args[0].width if args else w


def prove_rule(r: Rule, sig: dict, timeout_ms: int = 60_000) -> tuple[bool, str]:
    """Prove rule `r` at signature `sig` with z3: (True, "") or (False, why).

    Commutative matches are proved for every argument order they accept.
    """
    import itertools

    import z3

    if r.fold:
        return True, "evaluation (tested against the z3 meaning, not proved)"
    widths = [v for k, v in sig.items() if isinstance(v, int) and k not in r.params and k not in r.concrete]
    wide = 2 * max(widths + [64]) + 8
    if r.ctor == "chain":
        B = ProofBuilder(r.theory, wide)
        sig = dict(sig)
        try:
            return _prove_formula(r.then(B, sig), B, timeout_ms)
        except (TypeError, KeyError, z3.Z3Exception) as e:
            return False, f"cannot state the rule: {type(e).__name__}: {e}"
    inner = sum(_comm_nodes(p) for p in r.args)
    for flips in itertools.product((False, True), repeat=inner):
        for swap in ((False, True) if r.comm else (False,)):
            for backwards in (False, True):   # ids: a rule may ask for arguments made in the other order
                ok, why = _prove_instance(r, sig, wide, list(flips), swap, backwards, timeout_ms)
                if why != "condition":
                    break
            if why == "condition":
                return False, "no instance meets the rule's condition"
            if not ok:
                return False, why
    return True, ""


def _prove_instance(r: Rule, sig: dict, wide: int, flips: list, swap: bool, backwards: bool,
                    timeout_ms: int) -> tuple[bool, str]:
    import z3

    B = ProofBuilder(r.theory, wide)
    v = Binding()
    try:
        for name in r.params:
            v[name] = sig[name]
        order = list(range(len(r.args)))
        built: dict = {}
        for i in (reversed(order) if backwards else order):
            built[i] = _instance(r.args[i], B, sig, v, sig.get("w", 64), flips)
        args = [built[i] for i in order]
        if swap:
            args[0], args[1] = args[1], args[0]
        for k, val in sig.items():
            v.setdefault(k, val)
        params = tuple(sig[n] for n in r.params)
        if r.match(tuple(args), params) is None:
            return False, "the instance does not match the rule's own pattern"
        cond = True if r.when is None else r.when(v)
        if cond is False:
            return False, "condition"
        if cond is not True:
            B.premises.append(cond)
        if r.ctor in ("lift", "ptr", "smt"):   # facts: params are the node's width, then its own parameters
            root = B.node(r.op, args, params[0], params[1:])
            return _prove_formula(_fact_claim(r, B, root, v), B, timeout_ms)
        lhs = [B.node(op, args, _out_width(op, r.ctor, args, sig), params) for op in _CTOR_OUTPUTS[r.ctor]]
        rhs = r.then(B, v)
        rhs = rhs if isinstance(rhs, tuple) else (rhs,)
        claims = [B.as_number(a) == B.as_number(b) if B.theory == "int" else a.expr == b.expr
                  for a, b in zip(lhs, rhs)]
        return _prove_formula(z3.And(*claims, *B.obligations), B, timeout_ms)
    except (TypeError, KeyError, z3.Z3Exception) as e:
        return False, f"cannot state the rule: {type(e).__name__}: {e}"


def _out_width(op, ctor, args, sig):
    if op in ("addc", "subc", "eq", "ult", "slt", "parity"):
        return 1
    if ctor == "extract":
        return sig["hi"] - sig["lo"] + 1
    if ctor == "concat":
        return args[0].width + args[1].width
    if ctor in ("zext", "sext"):
        return sig["width"]
    if ctor == "ite":
        return args[1].width
    return args[0].width


class FactView:
    """What a fact's `then` reads in a proof: the integer value of a term, its siblings."""

    def __init__(self, B: ProofBuilder, root: Inst):
        self.B, self.root = B, root

    def val(self, t):
        return self.B.as_number(t)

    operand = val
    lin = val
    value = val

    @staticmethod
    def If(c, a, b):
        import z3

        return z3.If(c, a, b)

    def atom(self, t, kind=""):
        return self.B.as_number(t)

    def shifted_out(self, a, k: int):
        """The value of a >> k (k a known count)."""
        return self.B.as_number(self.B.node("lshr", (a, self.B.const(k, 8)), a.width))

    def sibling(self, op: str, v=None):
        r = self.root
        width = 1 if op in ("addc", "subc") else r.width
        return self.B.as_number(self.B.node(op, r.args, width, r.params))

    def of(self, t):
        """A term's value as a z3 variable in an encoding (smt facts)."""
        return self.B.as_number(t)

    @property
    def me(self):
        return self.B.as_number(self.root)


def _fact_claim(r: Rule, B: ProofBuilder, root: Inst, v: Binding):
    import z3

    view = FactView(B, root)
    out = r.then(view, v)
    if r.ctor == "lift":
        return z3.And(view.val(root) == out, *B.obligations)
    if r.ctor == "ptr":
        return (view.val(root) - out) % (1 << 64) == 0
    return z3.And(out) if isinstance(out, (list, tuple)) else out     # smt: constraints the value meets


_COLLECT: list | None = None   # statements() gathers the SMT-LIB text of each formula here instead of solving


def statements(r: Rule, sig: dict) -> list[str]:
    """The SMT-LIB text of each formula prove_rule(r, sig) has z3 refute, built but not solved (for a
    second solver: `provenum recheck`); [] for a fold rule (evaluation, not a proof)."""
    global _COLLECT
    _COLLECT = []
    try:
        prove_rule(r, sig)
        return _COLLECT
    finally:
        _COLLECT = None


def _prove_formula(claim, B: ProofBuilder, timeout_ms: int) -> tuple[bool, str]:
    import z3

    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(*B.premises)
    s.add(z3.Not(claim))
    if _COLLECT is not None:
        _COLLECT.append(s.to_smt2())
        return True, ""
    verdict = s.check()
    if verdict == z3.unsat:
        return True, ""
    if verdict == z3.sat:
        return False, f"z3 found a counterexample: {s.model()}"
    return False, f"z3: {verdict} ({s.reason_unknown()})"


# --- using fact rules ------------------------------------------------------------------------------

class _Missing(Exception):
    pass


class _SmtView:
    """What an smt rule reads while encoding node `t`: z3 variables of terms (var(term)), siblings."""

    def __init__(self, t, var, terms):
        self.t, self.var, self.terms = t, var, terms

    @property
    def me(self):
        return self.var(self.t)

    def of(self, a):
        return self.var(a)

    def sibling(self, op: str, v=None):
        t = self.t
        sib = self.terms.find(op, t.args, 1 if op in ("addc", "subc") else t.width)
        if sib is None:
            raise _Missing
        return self.var(sib)

    @staticmethod
    def If(c, a, b):
        import z3

        return z3.If(c, a, b)


def applicable(family: str, t):
    """The rules of a fact family ("lift", "ptr", "smt") that apply to node `t` and are proved there, in
    order, with their bindings (a fact rule binds the node's width, then its parameters)."""
    params = (t.width,) + t.params
    for r in candidates(family, t.args, t.op):
        v = r.match(t.args, params)
        if v is not None and (r.when is None or r.when(v)) and allowed(r, v):
            yield r, v


def encode(t, var, terms) -> list:
    """The z3 constraints the first applicable smt rule gives for node `t` ([] when none applies: no
    constraint, which only weakens the encoding)."""
    view = _SmtView(t, var, terms)
    for a in t.args:   # variables in a fixed order: arguments, then the node (z3's search is sensitive to it)
        var(a)
    var(t)
    for r, v in applicable("smt", t):
        try:
            return list(r.then(view, v))
        except _Missing:
            continue
    return []


def fact_holds(name: str, t) -> bool:
    """Rule `name` applies to node `t` (pattern, condition) and is proved at its signature."""
    r = RULES[name]
    if t.op != r.op:
        return False
    v = r.match(t.args, (t.width,) + t.params)
    return v is not None and (r.when is None or bool(r.when(v))) and allowed(r, v)


def chain_allowed(kind: str, width: int, links: int) -> bool:
    """The chain fact of `links` w-bit adds ("add") or subs ("sub") is proved."""
    return LEDGER.allowed(RULES["chain-carry" if kind == "add" else "chain-borrow"],
                          (("w", width), ("j", links)))


from . import term_rules, fact_rules  # noqa: E402,F401  (register the rules)
