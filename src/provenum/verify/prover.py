"""The prover: runs a function symbolically and discharges its spec.

Obligations are kept by kind, so a failure says which one failed:
  algebraic  -- a polynomial identity (exact, or modulo 2^W) over the atoms
  range      -- an interval bound (no wrap-around, |goal| < 2^W)
  smt        -- a linear-integer fact over lifted multiword atoms, by z3
  frame      -- what changed on return (registers, stack, memory)
  constant-time -- no secret in a branch, address or variable-time operand
"""
from __future__ import annotations

import itertools
import os
import time
from dataclasses import asdict, dataclass, field

from .algebra import Lifter, coefficients_divisible, p_add, p_scale, p_sub, show_poly
from .bounds import expr_interval
from .prooflog import current as current_log, expr_json, poly_json
from .specs.base import Big, Num, Op, Pow2, Rel, Scalar, Word
from .symstate import ProofFailure, linearise_pointer


@dataclass
class Obligation:
    kind: str
    statement: str
    status: str = "proved"
    method: str = ""
    address: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        where = f" at {self.address:#x}" if self.address is not None else ""
        return f"[{self.kind}] {self.statement}: {self.status}{where} ({self.method}){': ' + self.detail if self.detail else ''}"


@dataclass
class ProofResult:
    name: str
    spec: str
    sha256: str
    instructions: int
    steps: int = 0
    seconds: float = 0.0
    functional: str = "failed"
    frame: str = "failed"
    constant_time: str = "failed"
    obligations: list = field(default_factory=list)
    message: str = ""
    counterexample: dict | None = None
    terms: int = 0
    calls: list = field(default_factory=list)
    # every function whose bytes the proof executed or rests on (summarised callees and what they ran):
    # {"name", "address", "size", "sha256"}
    code: list = field(default_factory=list)
    # the dependency tree: callee specs the proof assumed, {"callee", "spec", "code", "depends"}
    depends: list = field(default_factory=list)
    log: bytes | None = None    # the packed proof log (prooflog.py) of a functional proof, for `provenum recheck`

    @property
    def proved(self) -> bool:
        return self.functional == self.frame == self.constant_time == "proved"

    def to_json(self) -> dict:
        d = asdict(self)
        d["prooflog"] = d.pop("log")
        d["obligations"] = [asdict(o) for o in self.obligations]
        d["proved"] = self.proved
        return d


class GoalFailure(Exception):
    """A functional obligation failed; carries the obligation."""

    def __init__(self, obligation: Obligation):
        self.obligation = obligation
        super().__init__(str(obligation))


# --- naming atoms for people --------------------------------------------------------

def atom_names(lifter: Lifter) -> dict[int, str]:
    names = {}
    for aid, t in lifter.atoms.items():
        kind = lifter.kinds.get(aid, "atom")
        where = f"@{t.addr:#x}" if t.addr is not None else ""
        names[aid] = t.params[0] if t.op == "var" else f"{kind}{where}"
    return names


def first_address(p: dict, lifter: Lifter) -> int | None:
    addrs = [lifter.atoms[a].addr for m in p for a in m if a in lifter.atoms and lifter.atoms[a].addr is not None]
    return min(addrs) if addrs else None


# --- spec expressions as polynomials over the trace's input atoms -------------------

def expr_poly(e, trace, lifter: Lifter) -> dict:
    if isinstance(e, (Num, Pow2)):
        return {(): e.value} if e.value else {}
    if isinstance(e, Big):
        return p_add(*(p_scale(lifter.lift(trace.input_word(e.buffer, i)), 1 << (64 * i)) for i in range(e.words)))
    if isinstance(e, Word):
        return lifter.lift(trace.input_word(e.buffer, e.index))
    if isinstance(e, Scalar):
        return lifter.lift(trace.scalars[e.name])
    if isinstance(e, Op):
        a, b = expr_poly(e.a, trace, lifter), expr_poly(e.b, trace, lifter)
        if e.op == "+":
            return p_add(a, b)
        if e.op == "-":
            return p_sub(a, b)
        from .algebra import p_mul
        return p_mul(a, b)
    raise TypeError(f"cannot lift {e!r} to a polynomial")


def _summary_poly(e, inputs: dict, lifter: Lifter) -> dict:
    from .algebra import p_mul

    if isinstance(e, Big):
        return p_add(*(p_scale(lifter.lift(w), 1 << (64 * i)) for i, w in enumerate(inputs[e.buffer][: e.words])))
    if isinstance(e, (Num, Pow2)):
        return {(): e.value} if e.value else {}
    if isinstance(e, Op):
        a, b = _summary_poly(e.a, inputs, lifter), _summary_poly(e.b, inputs, lifter)
        return p_add(a, b) if e.op == "+" else p_sub(a, b) if e.op == "-" else p_mul(a, b)
    raise TypeError(f"cannot use {e!r} in a call summary")


def install_summaries(lifter: Lifter, trace, case: dict | None = None) -> None:
    """Calls replaced by their callee's spec: the first output word is defined by the rest and the product.

    bignum(out) = expr gives out[0] = expr - sum_{i>0} 2^(64 i) out[i], an exact
    definition the prover substitutes like any other; under a case split the
    inputs are the case's specialised words.
    """
    d = trace.d
    for sm in getattr(trace, "summaries", ()):
        (post,) = sm.spec.post
        outs = sm.outputs[post.a.buffer]
        inputs = sm.inputs
        if case:
            inputs = {n: d.substitute(ws, case) for n, ws in inputs.items()}
        rhs = _summary_poly(post.b, inputs, lifter)
        first = outs[0]
        lifter.kinds[first.id] = "call"
        lifter.lift(first)
        rest = p_add(*(p_scale(lifter.lift(v), 1 << (64 * i)) for i, v in enumerate(outs) if i))
        lifter.definitions[first.id] = p_sub(rhs, rest)
        log = current_log()
        if log is not None:   # the call's postcondition, a fact of the steps this lifter makes
            lifter.summary_log.append({"callee": sm.callee, "outs": [log.term(v) for v in outs],
                                       "rhs": expr_json(post.b, lambda b, i: log.term(inputs[b][i]))})


def output_poly(words, lifter: Lifter) -> dict:
    return p_add(*(p_scale(lifter.lift(w), 1 << (64 * i)) for i, w in enumerate(words)))


# --- strategies -------------------------------------------------------------

def prove_exact(trace, spec, obligations: list) -> None:
    """bignum(out) == expr: an identity modulo 2^W plus |difference| < 2^W.

    When the identity does not close, the output may depend on sign bits
    (Karatsuba's |x0 - x1| and the sign of the middle product): the proof
    then splits into one case per assignment of those bits, in each of which
    the selects fold away and the identity must close.
    """
    (post,) = spec.post
    assert isinstance(post, Rel) and post.op == "==" and isinstance(post.a, Big)
    W = 64 * post.a.words
    words = trace.buffer_words(post.a.buffer)
    attempt: list = []
    try:
        _exact_case(trace, post, W, words, {}, attempt, "")
        obligations.extend(attempt)
        return
    except GoalFailure:
        bits = split_bits(words + summary_inputs(trace))
        if not bits or len(bits) > 4:
            obligations.extend(attempt)
            raise
    d = trace.d
    names = ", ".join(f"b{i}@{b.addr:#x}" if b.addr is not None else f"b{i}" for i, b in enumerate(bits))
    for values in itertools.product((0, 1), repeat=len(bits)):
        label = "case " + ", ".join(f"b{i}={v}" for i, v in enumerate(values)) + ": "
        case = d.substitute(words, {b: d.const(v, 1) for b, v in zip(bits, values)})
        _exact_case(trace, post, W, case, {b.id: v for b, v in zip(bits, values)}, obligations, label,
                    {b.id: b for b in bits})
    obligations.append(Obligation("algebraic", f"{post.a.show()} = {post.b.show()}", "proved",
                                  f"case split over the {len(bits)} sign bits {names}; every case closes"))
    log = current_log()
    if log is not None:
        log.step("split", bits=[log.term(b) for b in bits])


def summary_inputs(trace) -> list:
    """Input words of calls replaced by their spec (their selects matter to the goal too)."""
    return [w for sm in getattr(trace, "summaries", ()) for ws in sm.inputs.values() for w in ws]


def split_bits(words) -> list:
    """The independent 1-bit values the outputs select on (ite conditions, sign masks)."""
    from .terms import walk

    found: dict = {}

    def leaves(b):
        if b.op in ("xor", "and", "or", "not") and b.width == 1:
            for a in b.args:
                leaves(a)
        elif b.op not in ("const",):
            found.setdefault(b.id, b)

    for t in walk(words):
        if t.op == "ite":
            leaves(t.args[0])
        elif t.op == "sext" and t.args[0].width == 1:
            leaves(t.args[0])
    return sorted(found.values(), key=lambda b: b.id)


def _exact_case(trace, post, W: int, words, fixed: dict, obligations: list, label: str,
                bit_terms: dict | None = None) -> None:
    log = current_log()
    if log is not None:
        log.begin()
    lifter = Lifter(trace.d)
    lifter.fixed = dict(fixed)
    for b in (bit_terms or {}).values():
        lifter.atoms.setdefault(b.id, b)
        lifter.kinds.setdefault(b.id, "borrow" if b.op == "subc" else "carry" if b.op == "addc" else "bit")
    install_summaries(lifter, trace, {b: trace.d.const(fixed[i], 1) for i, b in (bit_terms or {}).items()})
    lhs = output_poly(words, lifter)
    rhs = expr_poly(post.b, trace, lifter)
    goal = p_sub(lhs, rhs)
    if lifter.definitions and goal and not coefficients_divisible(goal, 1 << W):
        try:
            goal = lifter.expand_definitions(goal)
        except OverflowError:
            pass  # left as it is: the residual below says what did not close
    goal, zeros = drop_zero_carries(goal, lifter, trace.d, 1 << W, trace.regions.values())
    if zeros:
        obligations.append(Obligation("range", f"{label}{zeros} carries dropped by the code are 0", "proved",
                                      "local bounds (intervals, or z3 over the carry's word-level cone)"))
    if not coefficients_divisible(goal, 1 << W):
        goal, decided = decide_chain_bits(goal, lifter, trace.d, 1 << W, fixed)
        for how, n in decided.items():
            if n:
                obligations.append(Obligation("range", f"{label}{n} carries/borrows have a fixed value", "proved",
                                              how))
    statement = f"{label}{post.a.show()} - ({post.b.show()}) ≡ 0 (mod 2^{W})"
    if not goal:
        obligations.append(Obligation("algebraic", statement.replace(f" ≡ 0 (mod 2^{W})", " = 0"), "proved",
                                      "carry-chain algebra: exact polynomial identity"))
    elif coefficients_divisible(goal, 1 << W):
        obligations.append(Obligation("algebraic", statement, "proved",
                                      f"carry-chain algebra: residual {show_poly(goal, atom_names(lifter), 4)} "
                                      f"has every coefficient divisible by 2^{W}"))
    else:
        residual = {m: c for m, c in goal.items() if c % (1 << W)}
        ob = Obligation("algebraic", statement, "failed", "carry-chain algebra", first_address(residual, lifter),
                        f"residual modulo 2^{W}: {show_poly(residual, atom_names(lifter))}")
        obligations.append(ob)
        raise GoalFailure(ob)
    if goal:
        llo, lhi = 0, (1 << W) - 1
        rlo, rhi = expr_interval(post.b)
        gap = max(lhi - rlo, rhi - llo)
        ok = gap < (1 << W)
        ob = Obligation("range", f"{label}|{post.a.show()} - ({post.b.show()})| < 2^{W}",
                        "proved" if ok else "failed", "interval bounds", None,
                        f"{post.a.show()} in [0, 2^{W}), {post.b.show()} in [{_p2(rlo)}, {_p2(rhi)}]")
        obligations.append(ob)
        if not ok:
            raise GoalFailure(ob)
    if log is not None:   # bignum(words) - rhs = goal, every coefficient of goal divisible by 2^W
        log.terms_of(goal, lifter)
        log.step("identity", label=label, W=W, words=[log.term(w) for w in words],
                 rhs=expr_json(post.b, _leaf(trace, log)), case={str(k): v for k, v in fixed.items()},
                 calls=lifter.summary_log, residual=poly_json(goal))


def decide_chain_bits(goal: dict, lifter: Lifter, terms, modulus: int, case: dict) -> tuple[dict, dict]:
    """Give carries and borrows left in the residual the value their whole chain forces."""
    from .algebra import p_const, p_substitute
    from .chains import bit_forced, bit_value

    decided = {"interval bounds on the chain's polynomial (products and differences expanded)": 0,
               "z3 linear arithmetic: the chain against the case-split bits' chains": 0}
    keys = list(decided)
    assumptions = {i: (lifter.atoms[i] if i in lifter.atoms else terms_by_id(terms, i), v) for i, v in case.items()}
    for a in sorted({a for m, c in goal.items() if c % modulus for a in m
                     if lifter.kinds.get(a) in ("carry", "borrow")}):
        bit = lifter.atoms[a]
        v = bit_value(bit, terms, lifter)
        how = keys[0]
        if v is None and assumptions:
            v = bit_forced(bit, assumptions, terms, lifter)
            how = keys[1]
        if v is not None:
            goal = p_substitute(goal, a, p_const(v))
            lifter.fixed[a] = v
            decided[how] += 1
    return goal, decided


def terms_by_id(terms, tid: int):
    for t in terms._table.values():
        if t.id == tid:
            return t
    raise KeyError(tid)


def drop_zero_carries(goal: dict, lifter: Lifter, terms, modulus: int, regions=()) -> tuple[dict, int]:
    """Substitute 0 for carries left in the residual that local bounds show are 0."""
    from .algebra import p_substitute
    from .bounds import carry_is_zero, carry_zero_by_prefix
    from .smt import carry_zero_smt

    tried: set[int] = set()
    proved = 0
    while True:
        suspects = {a for m, c in goal.items() if c % modulus for a in m
                    if a not in tried and lifter.kinds.get(a) == "carry"}
        if not suspects:
            return goal, proved
        for a in sorted(suspects):
            tried.add(a)
            cache = terms.__dict__.setdefault("zero_carries", {})  # facts without assumptions: reusable

            def zero(c):
                if c.id not in cache:
                    cache[c.id] = (carry_is_zero(c, terms) or carry_zero_by_prefix(c, terms, regions)
                                   or carry_zero_smt(c, terms))
                return cache[c.id]

            c = lifter.atoms[a]
            origin = terms.origin.get(c.id)  # a case's carry is 0 when the general one is
            log = current_log()
            if origin is not None and origin.op == "addc" and zero(origin):
                if log is not None:
                    log.certify(c, "origin", of=log.term(origin))
            elif not zero(c):
                continue
            goal = p_substitute(goal, a, {})
            lifter.fixed[a] = 0
            proved += 1
            if log is not None:
                log.zero(c)


def _leaf(trace, log):
    """Term ids of a spec expression's leaves: input words and scalars."""
    return lambda b, i: log.term(trace.input_word(b, i) if i is not None else trace.scalars[b])


def _p2(v: int) -> str:
    if v > 1024 and (v + 1) & v == 0:
        return f"2^{(v + 1).bit_length() - 1} - 1"
    return str(v)


STRATEGIES = {"exact": prove_exact}


def register_strategy(name: str):
    def reg(fn):
        STRATEGIES[name] = fn
        return fn
    return reg


# --- frame and constant time -----------------------------------------------------

def check_frame(trace, spec, obligations: list) -> bool:
    s = trace.state
    target = getattr(trace, "target", None)
    if target is None or target.isa == "x86_64":
        return _check_frame_x86(trace, spec, obligations)
    abi = target.abi
    ok = True
    for reg in target.preserved + (abi.stack_pointer,):
        final = s.gprs[reg]
        if reg == abi.stack_pointer:
            base, off = linearise_pointer(final)
            good = base is trace.stack and off == 0
            statement = f"{reg} on return = {reg} on entry"
        else:
            good = final is trace.initial_gprs[reg]
            why = " (reserved: the platform register)" if reg in abi.reserved else ""
            statement = f"{reg} restored{why}"
        obligations.append(Obligation("frame", statement, "proved" if good else "failed", "term identity",
                                      None if good else final.addr, "" if good else f"holds {final!r}"))
        ok &= good
    d = trace.d
    for part in abi.callee_saved_vector:
        final, first = s.vecs[part.index], trace.initial_vecs[part.index]
        hi = part.lo + part.width - 1
        good = final is first or d.extract(final, hi, part.lo) is d.extract(first, hi, part.lo)
        obligations.append(Obligation("frame", f"bits {hi}..{part.lo} of v{part.index} restored",
                                      "proved" if good else "failed", "term identity",
                                      None if good else final.addr, "" if good else f"holds {final!r}"))
        ok &= good
    # the run ends only at a jump to the return-address term (x30 on entry), so it returned to its caller
    obligations.append(Obligation("frame", f"returns to the address in {abi.return_address.register} on entry",
                                  "proved", "symbolic execution ends at a jump to that term"))
    return _check_memory_frame(trace, spec, obligations, ok, f"the stack below {abi.stack_pointer}")


def _check_frame_x86(trace, spec, obligations: list) -> bool:
    s = trace.state
    ok = True
    for reg in spec.preserved_registers:
        final = s.gprs[reg]
        if reg == "rsp":
            base, off = linearise_pointer(final)
            good = base is trace.stack and off == 8
            statement = "rsp on return = rsp on entry + 8"
        else:
            good = final is trace.initial_gprs[reg]
            statement = f"{reg} restored"
        obligations.append(Obligation("frame", statement, "proved" if good else "failed", "term identity",
                                      None if good else final.addr,
                                      "" if good else f"holds {final!r}"))
        ok &= good
    stack = trace.regions["stack"]
    good = stack.words.get(0) is trace.return_address
    obligations.append(Obligation("frame", "return address unchanged", "proved" if good else "failed",
                                  "term identity"))
    ok &= good
    return _check_memory_frame(trace, spec, obligations, ok, "the stack below rsp")


def _check_memory_frame(trace, spec, obligations: list, ok: bool, stack: str) -> bool:
    """The memory part of the frame (`ok`: whether the register part held); the whole frame's verdict."""
    memory_ok = True
    for r in trace.regions.values():
        if r.name != "stack" and r.written and not r.writable:
            memory_ok = False
            obligations.append(Obligation("frame", f"{r.name} unchanged", "failed", "store tracking"))
    places = [n if spec.home(n) == n else f"{n} (= {spec.home(n)})" for n in spec.writable]
    obligations.append(Obligation("frame", f"memory writes only to {', '.join(places) or 'nothing'} "
                                  f"and {stack}", "proved" if memory_ok else "failed",
                                  "every store resolved to a writable region (checked at each store)"))
    return ok and memory_ok


def check_constant_time(trace, obligations: list) -> bool:
    v = trace.state.violations
    if v:
        first = v[0]
        obligations.append(Obligation("constant-time", "no secret-dependent branch, address or variable-time operand",
                                      "failed", "taint tracking", first.address, str(first)))
        return False
    vt = ", ".join(sorted({m for _, m in trace.state.variable_time}))
    obligations.append(Obligation("constant-time", "no secret-dependent branch, address or variable-time operand",
                                  "proved", "taint tracking over every address, branch condition"
                                  + (f" and operands of {vt}" if vt else "")))
    return True


# --- entry point ------------------------------------------------------------

_CALLEE_PROOFS: dict = {}


@dataclass
class CalleeProof:
    proved: bool
    code: list          # the bytes the proof rests on (see ProofResult.code)
    depends: list = field(default_factory=list)   # what it assumed (see ProofResult.depends)


def _current(library, code: list) -> bool:
    """Every function a cached proof rests on still has the bytes it had."""
    import hashlib

    from ..isa.elf import code_bytes

    try:
        return all(hashlib.sha256(code_bytes(library, c["address"], c["size"])).hexdigest() == c["sha256"]
                   for c in code)
    except (OSError, ValueError):
        return False


def _summarizer(library):
    """Proves a callee once per library (cached); the cache holds while the bytes of everything the
    callee's proof executed (its own, what it calls, what its summarised callees rest on) are unchanged."""
    def summarize(name: str) -> CalleeProof:
        from .executor import code_entry
        from .specs import specs_for
        from .target import library_target

        from ..isa.elf import dynamic_symbol

        key = (str(library), name)
        hit = _CALLEE_PROOFS.get(key)
        if hit is not None:
            sym = dynamic_symbol(library, name)
            if (any(c["name"] == name and (c["address"], c["size"]) == (sym.address, sym.size) for c in hit.code)
                    and _current(library, hit.code)):
                return hit
        function = library_target(library).decode_symbol(library, name)
        res = prove(function, specs_for(name)[0], search_counterexample=False, library=library)
        _CALLEE_PROOFS[key] = CalleeProof(res.proved, res.code or [code_entry(function)], res.depends)
        return _CALLEE_PROOFS[key]
    return summarize


def prove(function, spec, search_counterexample: bool = True, library=None) -> ProofResult:
    """Prove `function` (decoded bytes) against `spec`; a functional proof carries its log (prooflog.py)."""
    from .prooflog import ProofLog, logging_proof

    log = ProofLog(function.name, spec.label, "loop" if spec.loops else spec.strategy,
                   full=os.environ.get("PROVENUM_PROOF_LOG", "1") != "0")
    with logging_proof(log):
        res = _prove(function, spec, search_counterexample, library, log)
    res.depends = log.assumed
    if res.functional == "proved" and log.full:
        res.log = log.packed()
    return res


def _prove(function, spec, search_counterexample: bool, library, log) -> ProofResult:
    import sys

    from . import montgomery  # noqa: F401  (registers its strategy)
    from .executor import run

    # terms are rebuilt recursively through their rules; long chains (a table's OR of rows) are deep
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

    start = time.perf_counter()
    res = ProofResult(function.name, spec.label, function.sha256, len(function.instructions))
    obligations: list = res.obligations
    trace = None
    if spec.loops:
        from .loops import prove_loops

        prove_loops(function, spec, res, library, _summarizer(library) if library is not None else None)
        if search_counterexample and res.functional != "proved":
            from .counterexample import search_by_running

            res.counterexample = search_by_running(spec, function, library=library)
        res.seconds = time.perf_counter() - start
        return res
    try:
        trace = run(function, spec, library=library,
                    summarize=_summarizer(library) if library is not None else None)
        log.d = trace.d
        res.calls = sorted(set(trace.called))
        res.code = trace.executed
        for sm in trace.summaries:
            obligations.append(Obligation("call", f"call to {sm.callee} at {sm.address:#x} meets its spec "
                                          "(buffers in bounds, disjoint where written, at or above rsp)", "proved",
                                          f"{sm.callee} proved on its own; its spec replaces the call", sm.address))
        res.steps = trace.steps
        res.frame = "proved" if check_frame(trace, spec, obligations) else "failed"
        res.constant_time = "proved" if check_constant_time(trace, obligations) else "failed"
        STRATEGIES[spec.strategy](trace, spec, obligations)
        res.functional = "proved"
    except ProofFailure as e:
        obligations.append(Obligation(e.kind if e.kind != "functional" else "execution", str(e), "failed",
                                      "symbolic execution", e.address))
        if e.kind == "frame":
            res.frame = "failed"
        res.message = str(e)
        state = getattr(e, "state", None)
        if state is not None and state.violations:
            v = state.violations[0]
            obligations.append(Obligation("constant-time", "no secret-dependent branch, address or variable-time "
                                          "operand", "failed", "taint tracking", v.address, str(v)))
            res.message = f"{res.message}; constant-time: {v}"
    except GoalFailure as e:
        res.message = str(e.obligation)
    except (OverflowError, RecursionError, MemoryError) as e:
        # the method gave up (a polynomial grew too large, ...): not proved, and said so
        obligations.append(Obligation("algebraic", "complete the proof", "failed", "prover limits", None, str(e)))
        res.message = f"prover gave up: {e}"
    if trace is not None:
        res.terms = len(trace.d)
    if res.functional != "proved" and not res.message:
        res.message = "functional proof failed"
    if res.frame != "proved" and not res.message:
        res.message = next((str(o) for o in obligations if o.kind == "frame" and o.status == "failed"), "frame failed")
    if res.constant_time != "proved" and not res.message:
        res.message = next((str(o) for o in obligations if o.kind == "constant-time" and o.status == "failed"), "")
    if search_counterexample and res.functional != "proved" and trace is not None:
        from .counterexample import search
        res.counterexample = search(trace, spec, function, library=library)
    res.seconds = time.perf_counter() - start
    return res
