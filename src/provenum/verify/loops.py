"""Functions with loops: path exploration and induction at loop heads (the "loop" strategy).

A loop head is the target of a backward branch in the function. The spec
attaches an assertion to each (`Spec.loops`, `LoopAssertion`): an iteration
count i (start, step) and expressions E_k(i) over the inputs that the state
holds at the head. The proof, for each way the head is first reached (state
S0 under path condition P0):

1. *Where*: two trips round the loop from S0 (S1, S2) classify every place
   of the state (registers, 64-bit pieces of vector registers, mask
   registers, flags, stack and output words): the same in S0, S1, S2
   (invariant), moving by a constant (an induction register, e.g. a counter
   or a pointer, or a 64-bit vector lane counting rows), or else data; a data piece whose values in S0, S1, S2 are
   E_k(start), E_k(start + step), E_k(start + 2 step) on random inputs holds
   E_k. Other places are havoc: fresh secret values at the head.
2. *Induction*: the head at trip j (a fresh public variable) is the state
   C(j) -- invariant places as in S0, induction registers S0 + c j, data
   pieces fresh values d with d = E_k(start + step j), the rest fresh.
   From C(j), every path back to the head must give the places their
   claims at j + 1, and every path that returns must meet the
   postcondition and the frame. The head is reached at trip j under
   A(j) = (j = 0 and P0) or (j != 0 and B(j - 1)), B the condition of the
   back edges, which may mention only j and the inputs (public counters).
3. *Base*: S0 meets the claims at j = 0 under P0.
4. *Ranges*: the induction registers whose machine values stay the
   integers v0 + c j (no wrap round 2^64) are found as the largest inductive
   set of such claims; they are premises of the rest (bounds of the table's
   rows, the exit).
5. *Termination*: an induction register that falls by |c| each trip and is
   at least |c| whenever the back edge is taken.

Each way into the loop (a different S0, P0) is an induction of its own.

Branches on public conditions the state cannot decide fork the path; the
conditions taken are the path's premises. Accesses to a read-only buffer of
symbolic size (the table of `height` rows) read its words as an array
indexed by byte offset, and are shown in bounds and aligned from the
premises. Every obligation is a z3 query: in linear integer arithmetic when
it is about counters, pointers and sizes (bounds, ranges, termination), else
over bit-vectors (terms by their meaning, meaning.py; the spec's expressions
at WIDE bits, so its integers do not wrap). Constant time is checked on
every path, from the entry and from C(j), by taint as elsewhere.

What is proved is that every run that returns meets the spec, and that the
loop ends. Nested loops, and loops that store into memory at offsets that
move with the loop, are not supported yet (a clear failure).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..isa.domain import UNDEFINED
from .prooflog import current as current_log
from .specs.base import Big, Elem, Num, Op, Pow2, Rel, Row, Scalar, Select
from .symstate import ProofFailure, SymbolicBranch, linear, linearise_pointer
from .target import TARGETS, target_of
from .terms import walk

# spec expressions are integers: at this width they never wrap, as long as every product has one constant
# factor below 2^SMALL (checked where they are translated) and scalars are 64-bit
SMALL = 12
WIDE = 64 + 2 * SMALL + 4
MAX_PATHS = 256


class LoopFailure(Exception):
    """A loop obligation failed; carries the obligation."""

    def __init__(self, obligation):
        self.obligation = obligation
        super().__init__(str(obligation))


@dataclass
class End:
    kind: str           # "return" or "head"
    state: object
    head: int | None = None


def loop_heads(function) -> list[int]:
    """Targets of backward branches inside the function, in address order."""
    target = target_of(function)
    heads = set()
    for insn in function.instructions:
        t = target.branch_target(insn)
        if t is not None and function.address <= t <= insn.address:
            heads.add(t)
    return sorted(heads)


def explore(state, runner, d, heads, leave_head: bool = False) -> list[End]:
    """Run `state` along every path to a return or a loop head (forking at undecided public branches).

    With `leave_head`, the run starts at a head and must execute at least one
    instruction before stopping at one.
    """
    work = [(state, leave_head)]
    ends: list[End] = []
    paths = 0
    while work:
        s, starting = work.pop()
        while True:
            if s.returned:
                ends.append(End("return", s))
                break
            if s.rip in heads and not starting:
                ends.append(End("head", s, s.rip))
                break
            starting = False
            try:
                runner.step(s, d)
            except SymbolicBranch as b:
                paths += 1
                if paths > MAX_PATHS:
                    raise ProofFailure(f"more than {MAX_PATHS} paths", b.address)
                other = s.fork()
                other.rip = b.target
                other.path = s.path + (b.cond,)
                work.append((other, False))
                s.path = s.path + (d.not_(b.cond),)   # s.rip is already the next instruction
                runner.steps += 1
    return ends


# --- z3 --------------------------------------------------------------------------------------

class Z3:
    """Terms and spec expressions in z3 (bit-vectors), and obligations."""

    def __init__(self, trace_scalars: dict):
        import z3

        self.z3 = z3
        self.cache: dict[int, object] = {}
        self.scalars = trace_scalars        # name -> term (for spec expressions)
        self.arrays: dict[str, object] = {}
        self._var_cache: dict = {}

    def array(self, name: str):
        if name not in self.arrays:
            z3 = self.z3
            self.arrays[name] = z3.Function(f"sel:{name}", z3.BitVecSort(64), z3.BitVecSort(64))
        return self.arrays[name]

    def bv(self, t):
        """A term's bit-vector meaning (iteratively: terms can be deep)."""
        from . import meaning

        z3 = self.z3
        if t.id in self.cache:
            return self.cache[t.id]
        for u in walk([t]):
            if u.id in self.cache:
                continue
            if u.op == "const":
                e = z3.BitVecVal(u.value, u.width)
            elif u.op == "var":
                e = z3.BitVec(f"{u.params[0]}~{u.id}", u.width)
            elif u.op == "sel":
                e = self.array(u.params[0])(self.cache[u.args[0].id])
            else:
                e = meaning.bv(u.op, [self.cache[a.id] for a in u.args], u.width, u.params,
                               tuple(a.width for a in u.args))
            self.cache[u.id] = e
        return self.cache[t.id]

    def true(self, t):
        """A 1-bit term as a z3 condition."""
        return self.bv(t) == self.z3.BitVecVal(1, 1)

    def wide_term(self, t):
        return self.z3.ZeroExt(WIDE - t.width, self.bv(t))

    def expr(self, e, env: dict):
        """A spec expression as a WIDE-bit vector (its integers do not wrap); `env`: scalar name -> term."""
        z3 = self.z3
        if isinstance(e, (Num, Pow2)):
            return z3.BitVecVal(e.value, WIDE)
        if isinstance(e, Scalar):
            v = env[e.name]
            return v if hasattr(v, "ctx") else self.wide_term(v)
        if isinstance(e, Op):
            a, b = self.expr(e.a, env), self.expr(e.b, env)
            if e.op == "*" and not any(isinstance(x, (Num, Pow2)) and 0 <= x.value < 1 << SMALL for x in (e.a, e.b)):
                raise TypeError(f"{e.show()}: a product the loop prover cannot bound (one factor must be a "
                                f"constant below 2^{SMALL})")
            return a + b if e.op == "+" else a - b if e.op == "-" else a * b
        if isinstance(e, Elem):   # the array is indexed by byte offset
            offset = z3.Extract(63, 0, 8 * self.expr(e.index, env))
            return z3.ZeroExt(WIDE - 64, self.array(e.buffer)(offset))
        if isinstance(e, Select):
            return z3.If(self.cond(e.cond, env), self.expr(e.a, env), self.expr(e.b, env))
        raise TypeError(f"no z3 form for {e!r} in a loop proof")

    def cond(self, e, env: dict):
        if isinstance(e, Rel) and e.modulus is None:
            a, b = self.expr(e.a, env), self.expr(e.b, env)
            return {"==": a == b, "<": a < b, "<=": a <= b, "!=": a != b}[e.op]
        raise TypeError(f"no z3 form for {e!r} in a loop proof")

    def _vars(self, e) -> frozenset:
        key = e.get_id()   # unique while e lives: the cache keeps e alive
        got = self._var_cache.get(key)
        if got is None or got[0] is not e:
            got = (e, frozenset(_symbols(e)))
            self._var_cache[key] = got
        return got[1]

    def relevant(self, premises: list, claim) -> list:
        """The premises that share variables with the claim, directly or through other premises."""
        want = set(self._vars(claim))
        keep, rest = [], list(premises)
        changed = True
        while changed:
            changed = False
            for p in list(rest):
                vs = self._vars(p)
                if vs & want or not vs:
                    keep.append(p)
                    rest.remove(p)
                    want |= vs
                    changed = True
        return keep

    def check(self, premises: list, claim, timeout_ms: int = 60_000) -> str:
        """"proved", "failed" (z3 found a model) or "unknown"; premises that cannot matter are left out."""
        z3 = self.z3
        log = current_log()
        if z3.is_true(z3.simplify(claim)):
            if log is not None:   # z3's simplifier said so: a query of its own for the second solver
                s = z3.Solver()
                s.add(z3.Not(claim))
                log.query(s, "loop obligation (true by simplification)")
            return "proved"
        relevant = self.relevant(premises, claim)
        narrow = self.narrow(relevant, claim)
        tries = ([(narrow, min(timeout_ms, 10_000))] if len(narrow) < len(relevant) else []) + [(relevant, timeout_ms)]
        for chosen, budget in tries:
            s = z3.Solver()
            s.set("timeout", budget)
            s.add(*chosen)
            s.add(z3.Not(claim))
            r = s.check()
            if r == z3.unsat:
                if log is not None:
                    log.query(s, "loop obligation")
                return "proved"
        return "failed" if r == z3.sat else "unknown"

    def narrow(self, premises: list, claim) -> list:
        """A first, smaller premise set (dropping premises is sound: a claim that follows from fewer
        follows from all): the premises linked to the claim through symbols that few premises share.
        A symbol most premises mention (the secret index, the trip count, the table) links every
        invariant clause to every claim, and a per-word claim then carries all the words' clauses;
        premises with no such rare symbol (bounds, the path's conditions) are all kept."""
        counts: dict = {}
        for p in premises:
            for v in self._vars(p):
                counts[v] = counts.get(v, 0) + 1
        common = {v for v, c in counts.items() if 2 * c > len(premises)}
        want = set(self._vars(claim)) - common
        keep, rest = [], []
        for p in premises:
            (rest if self._vars(p) - common else keep).append(p)
        changed = True
        while changed:
            changed = False
            for p in list(rest):
                rare = self._vars(p) - common
                if rare & want:
                    keep.append(p)
                    rest.remove(p)
                    want |= rare
                    changed = True
        return keep


def _symbols(e) -> set:
    """The names of the uninterpreted symbols in a z3 expression: its free constants and the functions
    (the arrays of buffers) it applies; one walk over the shared DAG."""
    import z3

    out, seen, stack = set(), set(), [e]
    while stack:
        x = stack.pop()
        i = x.get_id()
        if i in seen:
            continue
        seen.add(i)
        if z3.is_app(x):
            if x.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                out.add(x.decl().name())
            stack.extend(x.children())
    return out


# --- places of the state ------------------------------------------------------------------------

def places(states, target=TARGETS["x86_64"]) -> list[tuple]:
    """Every place a loop may carry a value in: registers, 64-bit vector pieces, masks, flags, stack and
    writable words (the target's registers)."""
    abi = target.abi
    out = [("gpr", r) for r in abi.gprs if r != abi.stack_pointer]
    out += [("vec", i, p) for i in range(abi.num_vectors) for p in range(abi.vector_bits // 64)]
    out += [("mask", i) for i in range(target.mask_registers)] + [("flag", f) for f in abi.flags]
    words = set()
    for s in states:
        for rid, r in s.regions.items():
            if r.writable:
                words |= {(rid, off) for off in r.words}
    out += [("mem", rid, off) for rid, off in sorted(words)]
    return out


def get(s, place, d):
    kind = place[0]
    if kind == "gpr":
        return s.gprs[place[1]]
    if kind == "vec":
        return d.extract(s.vecs[place[1]], 64 * place[2] + 63, 64 * place[2])
    if kind == "mask":
        return s.masks[place[1]]
    if kind == "flag":
        return s.flag_value(place[1])
    return s.regions[place[1]].words.get(place[2])


def put(s, place, value, d) -> None:
    kind = place[0]
    if kind == "gpr":
        s.gprs[place[1]] = value
    elif kind == "vec":
        i, p = place[1], place[2]
        old = s.vecs[i]
        parts = []
        if 64 * p + 64 < old.width:
            parts.append(d.extract(old, old.width - 1, 64 * p + 64))
        parts.append(value)
        if p:
            parts.append(d.extract(old, 64 * p - 1, 0))
        new = parts[0]
        for q in parts[1:]:
            new = d.concat(new, q)
        s.vecs[i] = new
    elif kind == "mask":
        s.masks[place[1]] = value
    elif kind == "flag":
        s.flags[place[1]] = value
    else:
        r = s.regions[place[1]]
        if value is None:
            r.words.pop(place[2], None)
        else:
            r.words[place[2]] = value


def show_place(place, state, target=TARGETS["x86_64"]) -> str:
    kind = place[0]
    if kind == "vec":
        return f"{target.vector_name}{place[1]}[{64 * place[2] + 63}:{64 * place[2]}]"
    if kind == "mem":
        return f"{state.regions[place[1]].name}{place[2]:+d}"
    if kind == "mask":
        return f"k{place[1]}"
    return str(place[1])


def _difference(a, b) -> int | None:
    """b - a as a constant when both are linear with the same variables, else None."""
    la, lb = linear(a), linear(b)
    if la is None or lb is None:
        return None
    keys = set(la.coeffs) | set(lb.coeffs)
    for k in keys:
        if la.coeffs.get(k, (None, 0))[1] % (1 << 64) != lb.coeffs.get(k, (None, 0))[1] % (1 << 64):
            return None
    return (lb.const - la.const) % (1 << 64)


# --- guessing where the assertion's values are held (checked by the proof, never trusted) ---------------

class _Table(dict):
    """Array contents for evaluation: a fixed pseudo-random word per index."""

    def __init__(self, seed):
        super().__init__()
        self.seed = seed

    def __missing__(self, index):
        v = random.Random(hash((self.seed, index))).getrandbits(64)
        self[index] = v
        return v


class _Env(dict):
    """Variable values for evaluating terms: given ones, arrays, else pseudo-random per name."""

    def __init__(self, seed, given, tables):
        super().__init__(given)
        self.seed, self.tables = seed, tables

    def __missing__(self, key):
        if isinstance(key, tuple) and key[0] == "sel":   # (sel, array, byte offset)
            return self.tables.setdefault(key[1], _Table((self.seed, key[1])))[key[2] // 8]
        v = random.Random(hash((self.seed, key))).getrandbits(64)
        self[key] = v
        return v


def _locate(spec, assertion, states, candidates, d, trace_scalars) -> dict:
    """data place -> k, for places whose values in S0, S1, S2 are E_k at the first three counts."""
    from .terms import evaluate

    found: dict = {}
    n_exprs = len(assertion.holds)
    rng = random.Random(17)
    envs = []
    for trial in range(12):
        tables: dict = {}
        given = {}
        for name, t in trace_scalars.items():
            if t.op == "var":
                given[t.params[0]] = rng.choice((0, 1, 2, 3, 4, 5, 1 << 20, rng.getrandbits(16)))
        envs.append(_Env(trial, given, tables))
    for place in candidates:
        values = [get(s, place, d) for s in states]
        if any(v is None or v is UNDEFINED or v.width != 64 for v in values):
            continue
        for k in range(n_exprs):
            ok = True
            for env in envs:
                got = evaluate(values, env)
                spec_env = {name: env[t.params[0]] if t.op == "var" else t.value for name, t in trace_scalars.items()}
                for name, tab in env.tables.items():
                    spec_env[name] = tab
                for b in spec.buffers:
                    spec_env.setdefault(b.name, env.tables.setdefault(b.name, _Table((env.seed, b.name))))
                for step, v in enumerate(values):
                    spec_env[assertion.name] = assertion.start + assertion.step * step
                    if got[v.id] != assertion.holds[k].evaluate(spec_env) % (1 << 64):
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                found[place] = k
                break
    return found


# --- the proof ---------------------------------------------------------------------------------------

class Fact:
    """A premise or a claim, stated in either theory: bit-vectors (any term) or linear integer
    arithmetic (counters, pointers, sizes). A premise that one theory cannot state is left out of
    that theory's query, which only makes the query harder to prove."""

    def __init__(self, bv, lia=None, text=""):
        self._bv, self._lia, self.text = bv, lia, text

    def bv(self, z):
        return self._bv(z)

    def lia(self, L):
        return None if self._lia is None else self._lia(L)


class Lia:
    """Terms and spec expressions as z3 integers: linear 64-bit terms (mod 2^64), 1-bit tests of them."""

    def __init__(self):
        import z3

        self.z3 = z3
        self.cache: dict = {}
        self.side: list = []

    def term(self, t):
        if t.id in self.cache:
            return self.cache[t.id]
        z3 = self.z3
        out = None
        M = 1 << t.width
        if t.op == "const":
            out = z3.IntVal(t.value)
        elif t.op == "var":
            out = z3.Int(f"{t.params[0]}~{t.id}")
            self.side += [out >= 0, out < M]
        elif t.width == 64 and t.op in ("addr", "subr", "mullo", "shl"):
            form = linear(t)
            if form is not None:
                parts = [self.term(v) for v, _ in form.coeffs.values()]
                if all(p is not None for p in parts):
                    total = z3.IntVal(form.const)
                    for p, (_, c) in zip(parts, form.coeffs.values()):
                        c %= 1 << 64
                        total = total + (c - (1 << 64) if c >= 1 << 63 else c) * p
                    out = total % M
        elif t.op in ("addc", "subc", "addr", "subr", "eq", "ult", "not", "and", "or", "xor", "zext"):
            a = [self.term(x) for x in t.args]
            if all(x is not None for x in a):
                aw = t.args[0].width
                if t.op == "addc":
                    out = z3.If(a[0] + a[1] + a[2] >= 1 << aw, 1, 0)
                elif t.op == "subc":
                    out = z3.If(a[0] - a[1] - a[2] < 0, 1, 0)
                elif t.op == "addr":
                    out = (a[0] + a[1] + a[2]) % M
                elif t.op == "subr":
                    out = (a[0] - a[1] - a[2]) % M
                elif t.op == "eq":
                    out = z3.If(a[0] == a[1], 1, 0)
                elif t.op == "ult":
                    out = z3.If(a[0] < a[1], 1, 0)
                elif t.op == "zext":
                    out = a[0]
                elif t.width == 1:
                    out = {"not": lambda: 1 - a[0], "and": lambda: z3.If(z3.And(a[0] == 1, a[1] == 1), 1, 0),
                           "or": lambda: z3.If(z3.Or(a[0] == 1, a[1] == 1), 1, 0),
                           "xor": lambda: z3.If(a[0] != a[1], 1, 0)}.get(t.op, lambda: None)()
        self.cache[t.id] = out
        return out

    def true(self, t):
        v = self.term(t)
        return None if v is None else v == 1

    def expr(self, e, env: dict):
        z3 = self.z3
        if isinstance(e, (Num, Pow2)):
            return z3.IntVal(e.value)
        if isinstance(e, Scalar):
            v = env[e.name]
            return v if hasattr(v, "ctx") else self.term(v)
        if isinstance(e, Op):
            a, b = self.expr(e.a, env), self.expr(e.b, env)
            if a is None or b is None:
                return None
            return a + b if e.op == "+" else a - b if e.op == "-" else a * b
        return None

    def cond(self, e, env: dict):
        if isinstance(e, Rel) and e.modulus is None:
            a, b = self.expr(e.a, env), self.expr(e.b, env)
            if a is None or b is None:
                return None
            return {"==": a == b, "<": a < b, "<=": a <= b, "!=": a != b}[e.op]
        return None


def _signed64(c: int) -> int:
    c %= 1 << 64
    return c - (1 << 64) if c >= 1 << 63 else c


class LoopProof:
    """One proof of a function with loops against a spec with loop assertions."""

    def __init__(self, function, spec, library, summarize, obligations: list):
        from .executor import Runner, initial_state
        from .symstate import SymbolicDomain

        self.function, self.spec, self.obligations = function, spec, obligations
        self.d = d = SymbolicDomain()
        self.target = target_of(function)
        self.s0, self.stack, self.ret, self.scalars = initial_state(spec, d, self.target)
        self.initial = dict(self.s0.gprs)
        self.initial_vecs = dict(self.s0.vecs)
        self.runner = Runner(function, library, summarize)
        self.z = Z3(self.scalars)
        self.heads = loop_heads(function)
        self.checked_states: list = []      # states whose accesses and taint are checked, with premises
        self.steps = 0

    def places(self, states) -> list[tuple]:
        return places(states, self.target)

    def where(self, place, state) -> str:
        return show_place(place, state, self.target)

    # facts -------------------------------------------------------------------------------------
    def cond(self, t) -> Fact:
        return Fact(lambda z: z.true(t), lambda L: L.true(t), f"{t!r}")

    def spec_rel(self, e) -> Fact:
        """A relation of the spec (a precondition) over the scalars' terms."""
        return Fact(lambda z: z.cond(e, self.scalars), lambda L: L.cond(e, self.scalars), e.show())

    def all_of(self, facts) -> Fact:
        facts = list(facts)

        def lia(L):
            parts = [f.lia(L) for f in facts]
            return None if any(p is None for p in parts) else L.z3.And(*parts)
        return Fact(lambda z: z.z3.And(*[f.bv(z) for f in facts]), lia, " and ".join(f.text for f in facts))

    def any_of(self, facts) -> Fact:
        facts = list(facts)

        def lia(L):
            parts = [f.lia(L) for f in facts]
            return None if any(p is None for p in parts) else L.z3.Or(*parts)
        return Fact(lambda z: z.z3.Or(*[f.bv(z) for f in facts]), lia, " or ".join(f.text for f in facts))

    def pre(self) -> list:
        """The preconditions, and that each buffer of symbolic size lies inside the address space."""
        out = [self.spec_rel(e) for e in self.spec.pre]
        for r in self.s0.regions.values():
            if r.length is not None:
                out.append(Fact(lambda z, r=r: z.wide_term(r.base) + 8 * z.expr(r.length, self.scalars) < 1 << 64,
                                lambda L, r=r: L.term(r.base) + 8 * L.expr(r.length, self.scalars) < 1 << 64,
                                f"{r.name} lies in the address space"))
        return out

    def path(self, s) -> list:
        return [self.cond(c) for c in s.path]

    # obligations ------------------------------------------------------------------------------
    def note(self, kind, statement, status, method, address=None, detail=""):
        from .prover import Obligation

        ob = Obligation(kind, statement, status, method, address, detail)
        self.obligations.append(ob)
        if status != "proved":
            raise LoopFailure(ob)

    def decide(self, premises: list, claim: Fact, light=None) -> tuple[str, str]:
        """(verdict, theory): linear integer arithmetic when the claim is linear, else bit-vectors
        (first with the `light` premises, which are cheaper to bit-blast, then with all)."""
        L = Lia()
        c = claim.lia(L)
        if c is not None:
            parts = [p.lia(L) for p in premises]
            verdict = self.z.check(L.side + [p for p in parts if p is not None], c)
            if verdict == "proved":
                return verdict, "z3 linear integer arithmetic"
        z = self.z
        if light is not None:
            verdict = z.check([p.bv(z) for p in light], claim.bv(z))
            if verdict == "proved":
                return verdict, "z3 bit-vectors"
        return z.check([p.bv(z) for p in premises], claim.bv(z)), "z3 bit-vectors"

    def require_all(self, kind, statements: list, premises, claims: list, address=None, light=None):
        """Several claims under the same premises: one query for all, each alone only if that fails."""
        if not claims:
            return
        verdict, method = self.decide(premises, self.all_of(claims), light)
        if verdict == "proved":
            for st in statements:
                self.note(kind, st, "proved", method, address)
            return
        for st, claim in zip(statements, claims):
            self.require(kind, st, premises, claim, address, light)

    def require(self, kind, statement, premises, claim: Fact, address=None, light=None):
        verdict, method = self.decide(premises, claim, light)
        self.note(kind, statement, verdict, method, address, "" if verdict == "proved" else f"z3: {verdict}")

    # the run ------------------------------------------------------------------------------------
    def run(self):
        spec = self.spec
        if len(self.heads) != len(spec.loops):
            raise ProofFailure(f"{self.function.name} has {len(self.heads)} loop heads, the spec asserts "
                               f"{len(spec.loops)}", self.function.address)
        self.s0.rip = self.function.address
        ends = explore(self.s0, self.runner, self.d, set(self.heads))
        arrivals: dict = {}
        for end in ends:
            if end.kind == "return":
                self.exit(end.state, self.pre(), "entry")
            else:
                arrivals.setdefault(end.head, []).append(end.state)
                self.checked_states.append((end.state, self.pre()))
        for head, states in arrivals.items():   # each way into the loop is an induction of its own
            assertion = next(a for a in spec.loops if self.heads[a.head] == head)
            for s0 in states:
                self.loop(head, assertion, s0)
        self.steps = self.runner.steps

    def exit(self, s, premises: list, where: str, light=None, light_of=None) -> None:
        """A path that returns: frame, then the postcondition, under the path's premises."""
        self.checked_states.append((s, premises))
        premises = premises + self.path(s)
        light = None if light is None else light + self.path(s)
        abi, d = self.target.abi, self.d
        for reg in self.target.preserved:
            if s.gprs[reg] is not self.initial[reg]:
                a, b = s.gprs[reg], self.initial[reg]
                self.require("frame", f"{reg} restored ({where})", premises,
                             Fact(lambda z, a=a, b=b: z.bv(a) == z.bv(b)), light=light)
        for part in abi.callee_saved_vector:
            hi = part.lo + part.width - 1
            a, b = (d.extract(v[part.index], hi, part.lo) for v in (s.vecs, self.initial_vecs))
            if a is not b:
                self.require("frame", f"bits {hi}..{part.lo} of v{part.index} restored ({where})", premises,
                             Fact(lambda z, a=a, b=b: z.bv(a) == z.bv(b)), light=light)
        sp = abi.stack_pointer
        on_stack = abi.return_address.register is None     # x86-64: ret pops the return address
        base, off = linearise_pointer(s.gprs[sp])
        if base is not self.stack or off != (8 if on_stack else 0):
            self.note("frame", f"{sp} on return = {sp} on entry{' + 8' if on_stack else ''} ({where})", "failed",
                      "term identity")
        if on_stack and s.stack.words.get(0) is not self.ret:
            self.note("frame", f"return address unchanged ({where})", "failed", "term identity")
        for r in s.regions.values():
            if r.written and not r.writable:
                self.note("frame", f"{r.name} unchanged ({where})", "failed", "store tracking")
        # a run ends only at a jump to the return-address term (on AArch64 x30 on entry): explore stops there
        vectors = " and the preserved vector bits" if abi.callee_saved_vector else ""
        self.note("frame", f"{', '.join(self.target.preserved)}{vectors} restored, {sp} as on entry, the return to "
                  f"the caller ({where})", "proved", "term identity, z3 where the terms differ")
        for post in self.spec.post:
            claims = self.post_claims(post, s)
            for k, claim in enumerate(claims):
                mine = light if not light_of or k not in light_of else light_of[k] + self.path(s)
                verdict, method = self.decide(premises, claim, mine)
                if verdict != "proved":
                    self.note("smt", f"{post.show()} ({where})", verdict, method, None,
                              f"z3: {verdict} for {claim.text}"[:300])
            self.note("smt", f"{post.show()} ({where})", "proved", f"{method}, word by word ({len(claims)})")

    def post_claims(self, post, s) -> list:
        """The postcondition as one claim per output word (each a smaller query)."""
        if isinstance(post, Rel) and post.op == "==" and isinstance(post.a, Big) and isinstance(post.b, Row):
            out = next(r for r in s.regions.values() if r.name == self.spec.home(post.a.buffer))
            words = [out.words.get(8 * k) for k in range(post.a.words)]
            if any(w is None for w in words):
                return [Fact(lambda z: z.z3.BoolVal(False), text=f"{post.a.buffer} not written")]
            n = post.b.width
            return [Fact(lambda z, w=w, k=k: z.wide_term(w) == z.expr(Elem(post.b.table, post.b.index * n + k),
                                                                       self.scalars),
                         text=f"{post.a.buffer}[{k}] = {post.b.table}[{post.b.index.show()}·{n} + {k}]")
                    for k, w in enumerate(words)]
        raise ProofFailure(f"the loop strategy cannot state {post.show()}", None)

    def loop(self, head: int, assertion, s0) -> None:
        d = self.d
        trips = []
        s = s0
        for _ in range(2):
            back = [e for e in explore(s.fork(), self.runner, d, set(self.heads), leave_head=True)
                    if e.kind == "head"]
            if not back or any(e.head != head for e in back):
                raise ProofFailure(f"the loop at {head:#x} does not come back to its head (or nests another)", head)
            s = back[0].state
            trips.append(s)
        s1, s2 = trips
        states = [s0, s1, s2]
        kinds: dict = {}
        for place in self.places(states):
            v0, v1, v2 = (get(x, place, d) for x in states)
            if v0 is v1 and v1 is v2:
                kinds[place] = ("invariant",)
            elif (place[0] in ("gpr", "vec") and (c := _difference(v0, v1)) is not None and c
                  and c == _difference(v1, v2)):      # a counter in a register or in vector lanes
                kinds[place] = ("induction", c)
        data = _locate(self.spec, assertion, states, [p for p in self.places(states) if p not in kinds], d,
                       self.scalars)
        for k, e in enumerate(assertion.holds):
            if k not in data.values():
                when = f" when entered with {' and '.join(repr(t) for t in s0.path)}" if s0.path else ""
                raise ProofFailure(f"no place of the state at the loop head {head:#x}{when} holds the loop "
                                   f"invariant's {e.show()} (tried on random inputs)", head)
        # the head at trip j: the count i = start + step j as an integer (the machine's counters may wrap)
        j = d.fresh("trip", 64)

        def count(z, extra: int):
            """i at trip j + extra, as a WIDE-bit integer."""
            return (z.z3.BitVecVal(assertion.start + assertion.step * extra, WIDE)
                    + assertion.step * z.z3.ZeroExt(WIDE - 64, z.bv(j)))

        def holds(k, x, extra):
            """x holds E_k at trip j + extra."""
            e = assertion.holds[k]
            return Fact(lambda z: z.wide_term(x) == z.expr(e, {**self.scalars, assertion.name: count(z, extra)}),
                        text=f"{x!r} = {e.show()}")

        c = s0.fork()
        c.path = ()
        c.accesses = []
        fresh_vars = set()
        premises_data = []
        data_of: dict = {}     # k -> the premises on the places holding E_k
        for place in self.places(states):
            kind = kinds.get(place)
            v0 = get(s0, place, d)
            if kind and kind[0] == "invariant":
                continue
            if kind and kind[0] == "induction":
                put(c, place, d.add(v0, d.mul_wide(d.const(kind[1], 64), j)[1])[0], d)
                continue
            if place in data:
                x = d.fresh(f"{self.where(place, s0)}@head", 64, secret=True)
                fresh_vars.add(x.id)
                put(c, place, x, d)
                premises_data.append(holds(data[place], x, 0))
                data_of.setdefault(data[place], []).append(premises_data[-1])
                continue
            if v0 is None:
                continue
            if v0 is UNDEFINED:
                put(c, place, UNDEFINED, d)
                continue
            x = d.fresh(f"{self.where(place, s0)}@head", v0.width, secret=True)   # havoc: any value
            fresh_vars.add(x.id)
            put(c, place, x, d)
        for a in c.regions.values():
            a.log = []
        ends = explore(c.fork(), self.runner, d, set(self.heads), leave_head=True)
        back = [e for e in ends if e.kind == "head"]
        if any(e.head != head for e in back):
            raise ProofFailure(f"the loop at {head:#x} nests or reaches another loop (not supported)", head)
        # A(j): the head is reached at trip j -- first from the entry, then along a back edge from trip j - 1
        j_minus = d.sub(j, d.const(1, 64))[0]
        first = self.all_of([Fact(lambda z: z.bv(j) == 0, lambda L: L.term(j) == 0, "j = 0")] + self.path(s0))
        later = []
        for e in back:
            cond = list(e.state.path)
            if any(u.op == "var" and u.id in fresh_vars for u in walk(cond)):
                raise ProofFailure(f"the loop at {head:#x} is left on a condition that depends on loop data", head)
            later.append(self.all_of([self.cond(t) for t in d.substitute(cond, {j: j_minus})]))
        arrive = self.any_of([first, self.all_of([Fact(lambda z: z.bv(j) != 0, lambda L: L.term(j) != 0, "j != 0"),
                                                  self.any_of(later)])])
        premises = self.pre() + [arrive]
        # induction registers whose machine value is the integer v0 + c j (no wrap so far): the largest
        # set of such claims that is inductive (each kept claim holds at j + 1 given all at j)

        def in_range(place, extra):
            v0, cs = get(s0, place, d), _signed64(kinds[place][1])

            def bv(z):
                value = z.wide_term(v0) + cs * (z.z3.ZeroExt(WIDE - 64, z.bv(j)) + extra)
                return z.z3.And(value >= 0, value < 1 << 64)

            def lia(L):
                value = L.term(v0) + cs * (L.term(j) + extra)
                return L.z3.And(value >= 0, value < 1 << 64)
            return Fact(bv, lia, f"{self.where(place, s0)} in range")

        kept = {p for p, k in kinds.items() if k[0] == "induction"
                and abs(_signed64(k[1])) < 1 << SMALL}     # steps c j that WIDE bits hold
        while True:
            held = premises + [in_range(p, 0) for p in kept]
            lost = {p for p in kept if any(self.decide(held + self.path(e.state), in_range(p, 1))[0] != "proved"
                                           for e in back)}
            if not lost:
                break
            kept -= lost
        ranges = [in_range(p, 0) for p in sorted(kept, key=str)]
        if kept:
            self.note("smt", f"loop {head:#x}: {', '.join(sorted(self.where(p, s0) for p in kept))} do not wrap "
                      "round 2^64 while the loop runs", "proved", "z3 linear integer arithmetic: induction over trips")
        premises = premises + ranges + premises_data
        # bit-blasting is cheaper without the ranges of registers that move by a non-power of two, and a
        # claim about E_k needs only the premises on E_k: the first query of each claim leaves the rest out
        common = self.pre() + [arrive] + [
            r for r, p in zip(ranges, sorted(kept, key=str)) if kinds[p][1] & (kinds[p][1] - 1) == 0
            or (-kinds[p][1]) % (1 << 64) & ((-kinds[p][1]) % (1 << 64) - 1) == 0]
        light = common + premises_data
        light_of = {k: common + data_of[k] for k in data_of}
        # base: S0 holds the claims for j = 0
        base = self.pre() + self.path(s0)
        at_start = lambda z: {**self.scalars, assertion.name: z.z3.BitVecVal(assertion.start, WIDE)}  # noqa: E731
        for place, k in sorted(data.items(), key=lambda pk: pk[1]):
            self.require("smt", f"loop {head:#x}, first arrival: {self.where(place, s0)} = {assertion.holds[k].show()}",
                         base, Fact(lambda z, e=assertion.holds[k], v=get(s0, place, d):
                                    z.wide_term(v) == z.expr(e, at_start(z))), head)
        # step: every way back to the head gives the claims for j + 1
        for e in back:
            s = e.state
            here, here_light = premises + self.path(s), light + self.path(s)
            for place in self.places(states):
                kind = kinds.get(place)
                new, old = get(s, place, d), get(c, place, d)
                if kind and kind[0] == "invariant" and new is not old:
                    if new is None or new is UNDEFINED or old is None or old is UNDEFINED:
                        self.note("smt", f"loop {head:#x}: {self.where(place, s0)} unchanged round the loop",
                                  "failed", "term identity", head)
                    self.require("smt", f"loop {head:#x}: {self.where(place, s0)} unchanged round the loop", here,
                                 Fact(lambda z, a=new, b=old: z.bv(a) == z.bv(b)), head, here_light)
                elif kind and kind[0] == "induction":
                    want = d.add(old, d.const(kind[1], 64))[0]
                    if new is not want:
                        self.require("smt", f"loop {head:#x}: {self.where(place, s0)} grows by {kind[1]:#x}", here,
                                     Fact(lambda z, a=new, b=want: z.bv(a) == z.bv(b),
                                          lambda L, a=new, b=want: L.term(a) == L.term(b)), head)
            for place, k in sorted(data.items(), key=lambda pk: pk[1]):
                self.require("smt", f"loop {head:#x}: {self.where(place, s0)} = {assertion.holds[k].show()} "
                             f"after a trip", here, holds(k, get(s, place, d), 1), head,
                             light_of[k] + self.path(s))
        self.note("smt", f"loop {head:#x}: {assertion.show()}", "proved",
                  f"induction over trips: {len(data)} places hold the assertion, {len(back)} way(s) back to the "
                  f"head, {len(ends) - len(back)} way(s) out")
        self.termination(head, kinds, c, back, premises)
        for e in ends:
            if e.kind == "return":
                self.exit(e.state, premises, f"leaving the loop at {head:#x}", light, light_of)
            else:
                self.checked_states.append((e.state, premises))

    def termination(self, head, kinds, c, back, premises) -> None:
        d = self.d
        for place, kind in sorted(kinds.items(), key=str):
            if kind[0] != "induction" or _signed64(kind[1]) >= 0:
                continue
            fall = -_signed64(kind[1])
            v = get(c, place, d)
            claim = Fact(lambda z, v=v: z.z3.ULE(z.z3.BitVecVal(fall, 64), z.bv(v)),
                         lambda L, v=v: L.term(v) >= fall)
            if all(self.decide(premises + self.path(e.state), claim)[0] == "proved" for e in back):
                self.note("smt", f"loop {head:#x} ends: {place[1]} falls by {fall} each trip and is at least {fall} "
                          "whenever the loop goes round", "proved", "z3 linear integer arithmetic")
                return
        self.note("smt", f"loop {head:#x} ends", "failed", "a register that falls towards the exit", head,
                  "no induction register falls by a constant and stays above it while the loop repeats")

    def accesses_and_taint(self) -> list:
        """Bounds and alignment of every deferred access; the constant-time violations."""
        violations = []
        n = 0
        for s, premises in self.checked_states:
            violations += s.violations
            for acc in s.accesses:
                n += 1
                here = premises + [self.cond(t) for t in acc.path]
                claim = Fact(lambda z, a=acc: z.z3.And(z.wide_term(a.offset) + a.nbytes
                                                       <= 8 * z.expr(a.region.length, self.scalars),
                                                       z.z3.Extract(2, 0, z.bv(a.offset)) == 0),
                             lambda L, a=acc: L.z3.And(L.term(a.offset) + a.nbytes
                                                       <= 8 * L.expr(a.region.length, self.scalars),
                                                       L.term(a.offset) % 8 == 0))
                verdict, method = self.decide(here, claim)
                if verdict != "proved":
                    self.note("frame", f"load of {acc.nbytes} bytes from {acc.region.name} in bounds and aligned",
                              "failed", method, acc.address, f"z3: {verdict}")
        self.note("frame", f"{n} loads from buffers of symbolic size in bounds and aligned", "proved",
                  "z3 linear integer arithmetic, under each path's conditions")
        return violations


def prove_loops(function, spec, res, library=None, summarize=None) -> None:
    """Fill `res` (a ProofResult) with the proof of `function` against a spec with loop assertions."""
    from .prover import Obligation

    obligations = res.obligations
    proof = LoopProof(function, spec, library, summarize, obligations)
    try:
        proof.run()
        violations = proof.accesses_and_taint()
        res.functional = res.frame = "proved"
        if violations:
            v = violations[0]
            obligations.append(Obligation("constant-time", "no secret-dependent branch, address or variable-time "
                                          "operand", "failed", "taint tracking", v.address, str(v)))
            res.message = f"constant-time: {v}"
        else:
            obligations.append(Obligation("constant-time", "no secret-dependent branch, address or variable-time "
                                          "operand", "proved", "taint tracking on every path, from the entry and "
                                          "from the loop heads"))
            res.constant_time = "proved"
    except LoopFailure as e:   # functional and frame stay "failed": the proof stopped here
        res.message = str(e.obligation)
    except ProofFailure as e:
        obligations.append(Obligation(e.kind if e.kind != "functional" else "execution", str(e), "failed",
                                      "symbolic execution", e.address))
        res.message = str(e)
        state = getattr(e, "state", None)
        if state is not None and state.violations:
            res.message += f"; constant-time: {state.violations[0]}"
    res.steps = proof.runner.steps
    res.terms = len(proof.d)
    res.code = proof.runner.executed()
    if proof.runner.code is not None:
        res.calls = sorted(set(proof.runner.code.called))
