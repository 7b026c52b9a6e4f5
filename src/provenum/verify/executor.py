"""Symbolic execution of a decoded function from a spec's initial state."""
from __future__ import annotations

from dataclasses import dataclass

from ..isa.domain import UndefinedFlagError
from .symstate import STACK_BYTES, ProofFailure, Region, SymbolicDomain, SymbolicState
from .target import TARGETS, Target, target_of
from .prooflog import innermost as current_log
from .terms import Term

MAX_STEPS = 500_000


@dataclass
class Trace:
    """The final symbolic state of one run, with what the checks need."""
    spec: object
    d: SymbolicDomain
    state: SymbolicState
    initial_gprs: dict
    stack: Term
    return_address: Term
    scalars: dict          # scalar name -> its term (constant for public fixed scalars)
    steps: int

    def buffer_words(self, name: str) -> list[Term]:
        """The words of a buffer on return (initial symbols where never written)."""
        region = self.regions[self.spec.home(name)]
        return [self.state._word(region, 8 * i) for i in range(self.spec.buffer(name).words)]

    @property
    def regions(self) -> dict:
        return {r.name: r for r in self.state.regions.values()}

    def input_word(self, buffer: str, index: int) -> Term:
        home = self.spec.home(buffer)  # an aliased buffer's entry value is its home's
        return self.d.var(f"{home}[{index}]", 64, secret=self.spec.region_secret(home))


def initial_state(spec, d: SymbolicDomain, target: Target = TARGETS["x86_64"]):
    """A symbolic state per the spec and the target's ABI: pointers to regions, symbolic scalars, junk elsewhere.

    The stack region ends where the caller's memory begins: on x86-64 the
    return address is the word at rsp (readable, offset 0); on AArch64 it is
    in x30 and nothing at or above sp on entry belongs to the callee.
    """
    abi = target.abi
    s = SymbolicState(d, abi)
    for e in spec.pre:   # a precondition bounding inputs (radix-52 digits) is the interval they start with
        for name, hi, secret in getattr(e, "input_bounds", lambda spec: ())(spec):
            d.var(name, 64, secret=secret, hi=hi)
    for name in abi.gprs:
        s.gprs[name] = d.var(f"{name}₀", 64)
    for i in range(abi.num_vectors):
        s.vecs[i] = d.var(f"{target.vector_name}{i}₀", abi.vector_bits)
    for i in range(target.mask_registers):
        s.masks[i] = d.var(f"k{i}₀", 64)
    scalars = {}
    for reg, name in target.arguments(spec):
        if any(b.name == name for b in spec.buffers):
            # one region per home buffer; a buffer aliased to it gets the same pointer
            home = spec.home(name)
            ptr = d.var(f"&{home}", 64)
            s.gprs[reg] = ptr
            if ptr.id not in s.regions:
                length = spec.buffer(home).length
                if length is not None:   # symbolic size: read-only, bounds shown from the path's conditions
                    s.add_region(Region(home, ptr, 0, 0, False, spec.region_secret(home), length=length))
                else:
                    s.add_region(Region(home, ptr, 0, 8 * spec.region_words(home), spec.region_writable(home),
                                        spec.region_secret(home)))
        else:
            sc = next(x for x in spec.scalars if x.name == name)
            t = d.var(name, 64, secret=sc.secret)
            s.gprs[reg] = t
            scalars[name] = t
    by_name = {r.name: r for r in s.regions.values()}
    for e in spec.pre:   # a precondition fixing words (a radix-52 buffer's zero padding) is the memory's content
        for home, index, value in getattr(e, "initial_words", lambda spec: ())(spec):
            by_name[home].words[8 * index] = d.const(value, 64)
    stack = d.var("&stack", 64)
    ret = d.var("return-address", 64)
    s.gprs[abi.stack_pointer] = stack
    where = abi.return_address
    if where.register is not None:
        frame = Region("stack", stack, -STACK_BYTES, 0, True, False, initial="undefined")
        s.gprs[where.register] = ret
    else:
        frame = Region("stack", stack, -STACK_BYTES, where.stack_offset + 8, True, False, initial="undefined")
        frame.words[where.stack_offset] = ret
    s.set_stack(frame)
    s.return_target = ret
    return s, stack, ret, scalars


class LibraryCode:
    """Other functions of the same library, decoded when a call reaches them.

    A call to a routine of the library is followed into the routine's own
    bytes (inlined into the symbolic run), so the proof covers the code the
    call really executes. The bytes are read at the call's target from the
    PT_LOAD segment that maps it (only the routine's extent comes from a
    symbol starting there, local or not); `executed` records each routine
    reached, with the SHA-256 of its bytes.
    """

    def __init__(self, library, target: Target = TARGETS["x86_64"]):
        from ..isa.elf import code_symbols, dynamic_symbols

        self.library = library
        self.target = target
        self.symbols = code_symbols(library)
        self.bound = {sym.address: name for name, sym in dynamic_symbols(library).items()}
        self.called: list[str] = []
        self.executed: dict[int, dict] = {}   # address -> {"name", "address", "size", "sha256"}

    def bound_name(self, address: int) -> str | None:
        """The dynamic symbol starting at `address`, if the loader binds one there."""
        return self.bound.get(address)

    def resolve(self, address: int):
        if address not in self.symbols:
            return None
        fn = self.target.decode_at(self.library, address)
        self.called.append(fn.name)
        self.note(fn)
        return fn

    def note(self, fn) -> None:
        self.executed[fn.address] = code_entry(fn)


def code_entry(fn) -> dict:
    """What a proof rests on, of one function: its name, place and the SHA-256 of its bytes."""
    return {"name": fn.name, "address": fn.address, "size": len(fn.code), "sha256": fn.sha256}


SUMMARY_FAMILIES = ("mul", "sqr", "kmul", "ksqr")


@dataclass
class Summary:
    """A call replaced by its callee's (proved) spec: fresh output words related to the inputs."""
    callee: str
    spec: object
    address: int
    inputs: dict           # callee buffer name -> caller's word terms at the call
    outputs: dict          # callee buffer name -> fresh word variables


def _apply_summary(s: SymbolicState, d: SymbolicDomain, callee: str, cspec, insn, target: Target) -> Summary:
    """The effect of a call to a proved routine, per its spec (preconditions checked here).

    The call writes below the stack pointer (x86-64: the return address at
    rsp - 8; both ISAs: the callee's frame and red zone), so every buffer the
    callee is given must lie at or above it, and every stack word below it is
    lost before the callee's effect applies. Outputs and what the ABI lets a
    call change (caller-saved registers, flags, vector registers or their
    unpreserved parts, mask registers) become fresh variables of this one
    dynamic call: a call site run twice (in a loop) gives two unrelated sets
    of values.
    """
    from ..isa.domain import UNDEFINED

    args = {name: s.read_gpr(reg) for reg, name in target.arguments(cspec)}
    placed = {}
    for b in cspec.buffers:
        region, off = s.resolve(args[b.name])
        s._check_bounds(region, off, 8 * b.words, b.writable)
        if off % 8:
            raise ProofFailure(f"call to {callee}: buffer {b.name} is not word aligned", insn.address)
        if region is s.stack and off < s.sp:
            writes = ("the call writes its return address and the callee its frame"
                      if target.abi.return_address.register is None else "the callee writes its frame")
            raise ProofFailure(f"call to {callee}: buffer {b.name} at stack{off:+d} lies below {s.sp_name} "
                               f"(stack{s.sp:+d}), where {writes}", insn.address, "frame")
        placed[b.name] = (region, off, b)
    names = list(placed)
    # the callee's spec assumes disjoint buffers; two read-only ones may share memory (x = y): the
    # callee's proof holds for all their contents and it cannot tell (comparing pointers is not provable)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            (rx, ox, bx), (ry, oy, by) = placed[x], placed[y]
            if (bx.writable or by.writable) and rx is ry and ox < oy + 8 * by.words and oy < ox + 8 * bx.words:
                raise ProofFailure(f"call to {callee}: buffers {x} and {y} overlap, its spec needs them disjoint",
                                   insn.address)
    if s.stack is not None:
        s.clobber_below(s.sp, f"below {s.sp_name} at the call to {callee} at {insn.address:#x} (where "
                              f"{'its return address and ' if target.abi.return_address.register is None else ''}"
                              "the callee's frame go)")
    inputs = {n: [s._word(r, o + 8 * i) for i in range(b.words)] for n, (r, o, b) in placed.items()
              if not b.writable}
    secret = any(w.secret for ws in inputs.values() for w in ws)
    here = f"{callee}@{insn.address:#x}"
    outputs = {}
    for n, (r, o, b) in placed.items():
        if b.writable:
            outputs[n] = [d.fresh(f"{here}:{n}[{i}]", 64, secret=secret) for i in range(b.words)]
            for i, v in enumerate(outputs[n]):
                r.words[o + 8 * i] = v
                r.written.add(o + 8 * i)
                r.log.append((d.time, o + 8 * i, v))
    # what the callee may change (the ABI's): caller-saved registers, flags, vector registers (on AArch64 the
    # high halves of v8-v15 only) and mask registers, its stack frame
    changes = target.abi.may_change()
    for reg in changes["gprs"]:
        s.gprs[reg] = d.fresh(f"{reg}@{insn.address:#x}", 64, secret=True)
    for f in changes["flags"]:
        s.flags[f] = UNDEFINED
    for i, (lo, width) in changes["vectors"].items():
        new = d.fresh(f"{target.vector_name}{i}@{insn.address:#x}", width, secret=True)
        if lo:
            new = d.concat(new, d.extract(s.vecs[i], lo - 1, 0))
        s.vecs[i] = new
    for i in list(s.masks):
        s.masks[i] = d.fresh(f"k{i}@{insn.address:#x}", 64, secret=True)
    return Summary(callee, cspec, insn.address, inputs, outputs)


def run(function, spec, d: SymbolicDomain | None = None, library=None, summarize=None) -> Trace:
    """Execute `function` symbolically until it returns to its caller.

    A call into the library is followed into the callee's bytes, unless
    `summarize(name)` is given and the callee is a product kernel bound by
    the dynamic loader at the call's target: then the callee is proved on
    its own (summarize returns its proof: `.proved` and `.code`, the bytes it
    rests on) and the call is replaced by its spec.
    """
    d = d or SymbolicDomain()
    target = target_of(function)
    s, stack, ret, scalars = initial_state(spec, d, target)
    initial = dict(s.gprs)
    trace_vecs = dict(s.vecs)
    runner = Runner(function, library, summarize)
    s.rip = function.address
    while not s.returned:
        runner.step(s, d)
    trace = Trace(spec, d, s, initial, stack, ret, scalars, runner.steps)
    trace.target, trace.initial_vecs = target, trace_vecs
    runner.finish(trace)
    return trace


class Runner:
    """Steps a symbolic state through a function and what it calls (shared by the straight-line
    run and the path explorer of loops)."""

    def __init__(self, function, library=None, summarize=None):
        self.function = function
        self.target = target_of(function)
        self.by_address = {insn.address: insn for insn in function.instructions}
        self.code = LibraryCode(library, self.target) if library is not None else None
        if self.code is not None:
            self.code.note(function)
        self.summarize = summarize
        self.summaries: list[Summary] = []
        self.steps = 0

    def instruction(self, s):
        insn = self.by_address.get(s.rip)
        if insn is None and self.code is not None:
            callee = self.code.resolve(s.rip)
            if callee is not None:
                self.by_address.update((i.address, i) for i in callee.instructions)
                insn = self.by_address.get(s.rip)
        if insn is None:
            raise ProofFailure(f"control reaches {s.rip:#x}, outside the decoded instructions of "
                               f"{self.function.name}", s.address)
        return insn

    def step(self, s, d) -> None:
        """Execute one instruction (or one summarised call) on `s`."""
        from .specs import specs_for

        insn = self.instruction(s)
        s.address = insn.address
        d.current_address = insn.address
        d.time = self.steps
        if insn.mnemonic == self.target.summary_call and self.summarize is not None and self.code is not None:
            callee = self.code.bound_name(insn.operands[0].target)
            cspecs = specs_for(callee) if callee else []
            if len(cspecs) == 1 and cspecs[0].family in SUMMARY_FAMILIES:
                proof = self.summarize(callee)
                if not proof.proved:
                    err = ProofFailure(f"call to {callee}, whose own proof failed", insn.address)
                    err.state = s
                    raise err
                try:
                    self.summaries.append(_apply_summary(s, d, callee, cspecs[0], insn, self.target))
                except ProofFailure as e:
                    e.state = s
                    raise
                self.code.called.append(callee)
                log = current_log()
                if log is not None:   # the report's dependency tree: this proof assumed that spec
                    log.assume(callee, cspecs[0].label, proof.code, proof.depends)
                for dep in proof.code:
                    self.code.executed.setdefault(dep["address"], dict(dep))
                s.rip = insn.next_address
                self.steps += 1
                return
        try:
            self.target.execute(s, insn)
            s.track_stack()
        except UndefinedFlagError as e:
            err = ProofFailure(f"{e} ({insn.mnemonic} {insn.text})", insn.address)
            err.state = s
            raise err from None
        except NotImplementedError as e:
            err = ProofFailure(str(e), insn.address)
            err.state = s
            raise err from None
        except ProofFailure as e:
            e.state = s
            raise
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise ProofFailure(f"no return after {MAX_STEPS} instructions", insn.address)

    def executed(self) -> list[dict]:
        """Every function whose bytes the run used (code_entry), in address order."""
        if self.code is None:
            return [code_entry(self.function)]
        return sorted(self.code.executed.values(), key=lambda e: e["address"])

    def finish(self, trace) -> None:
        trace.code = self.by_address
        trace.called = list(self.code.called) if self.code is not None else []
        trace.executed = self.executed()
        trace.summaries = self.summaries
