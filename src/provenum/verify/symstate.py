"""The symbolic machine state: registers as terms, memory as named regions.

Memory is a set of regions, one per buffer argument plus the function's own
stack frame. A pointer argument is a symbol `&name`; an address must
linearise to exactly one such symbol plus a constant byte offset inside the
region, otherwise the proof fails at that instruction. Contents are kept as
64-bit words at 8-byte aligned offsets; narrower accesses inside one word and
wider aligned vector accesses are expressed with extract/concat, anything
else (a straddling or misaligned access) is a failure the model refuses.

The state records every event the constant-time check needs: addresses used,
branch conditions, operands of variable-time instructions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..isa.abi import ABI, SYSV_X86_64
from ..isa.domain import UNDEFINED, UndefinedFlagError
from .terms import Term, Terms, mask


class ProofFailure(Exception):
    """The function cannot be proved; names the instruction address."""

    def __init__(self, message: str, address: int | None = None, kind: str = "functional"):
        self.address = address
        self.kind = kind
        where = f" at {address:#x}" if address is not None else ""
        super().__init__(f"{message}{where}")


class SymbolicDomain(Terms):
    """The value domain of proofs: `provenum.isa.domain.Domain` over terms."""

    def width(self, a: Term) -> int:
        return a.width

    def as_int(self, a: Term) -> int | None:
        return a.value


@dataclass
class Region:
    name: str
    base: Term                 # the pointer symbol
    lo: int                    # lowest valid byte offset
    hi: int                    # one past the highest valid byte offset
    writable: bool
    secret: bool
    initial: str = "symbolic"  # "symbolic": words are fresh variables; "undefined": must be written first
    words: dict = field(default_factory=dict)
    written: set = field(default_factory=set)
    log: list = field(default_factory=list)   # (time, offset, word) of every word store
    length: object = None      # a read-only buffer of symbolic size: its length in words (a spec expression)

    def copy(self) -> "Region":
        return Region(self.name, self.base, self.lo, self.hi, self.writable, self.secret, self.initial,
                      dict(self.words), set(self.written), list(self.log), self.length)


class SymbolicBranch(ProofFailure):
    """A conditional branch on a public condition the state cannot decide (the path explorer forks)."""

    def __init__(self, cond: Term, target: int, address: int | None):
        self.cond, self.target = cond, target
        super().__init__(f"conditional branch on a symbolic condition {cond!r} (not straight-line code)", address)


@dataclass
class Access:
    """A memory access whose bounds only the path's conditions can show (deferred to the loop prover)."""
    region: Region
    offset: Term
    nbytes: int
    path: tuple
    address: int | None


@dataclass
class Violation:
    """A constant-time violation: what depended on which secret, where."""
    address: int | None
    what: str
    secrets: tuple[str, ...]

    def __str__(self) -> str:
        where = f"{self.address:#x}" if self.address is not None else "?"
        return f"{self.what} at {where} depends on secret {', '.join(self.secrets)}"


STACK_BYTES = 4096
RED_ZONE = SYSV_X86_64.red_zone   # System V x86-64: bytes below rsp that signal handlers leave alone


class _Lazy:
    """A flag's value not built yet: make() builds it from immutable terms, so forks may share it."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


class SymbolicState:
    """`provenum.isa.state.State` over terms, with named-region memory, for the ISA of `abi`.

    The ABI says which register is the stack pointer and how many bytes below
    it survive (x86-64: a 128-byte red zone; AArch64: none). The program
    counter is `rip`, also readable and writable as `pc` (the A64 semantics'
    name).
    """

    def __init__(self, d: SymbolicDomain, abi: ABI = SYSV_X86_64):
        self.d = d
        self.abi = abi
        self.sp_name = abi.stack_pointer
        self.red_zone = abi.red_zone
        self.gprs: dict[str, Term] = {}
        self.flags: dict[str, object] = {}
        self.vecs: dict[int, Term] = {}
        self.masks: dict[int, Term] = {}
        self.regions: dict[int, Region] = {}       # pointer symbol id -> region
        self.rip = 0
        self.returned = False
        self.return_target: Term | None = None
        self.violations: list[Violation] = []
        self.variable_time: list[tuple[int | None, str]] = []
        self.address: int | None = None             # current instruction
        # the ABI's stack: only [sp - red zone, sp) and above survive; lower words are lost
        self.stack: Region | None = None
        self.sp = 0                                  # the stack pointer as an offset into the stack region
        self._rsp_seen: Term | None = None
        self.clobbered: dict[int, str] = {}          # stack offset -> why its word was lost
        self._stored: list[int] = []                 # stack words the current instruction stored
        self.path: tuple = ()                        # conditions (1-bit terms) the path explorer took
        self.accesses: list[Access] = []             # accesses to symbolic-size buffers, to bound later

    def fork(self) -> "SymbolicState":
        """An independent copy (terms are shared: they are immutable)."""
        s = SymbolicState(self.d, self.abi)
        s.gprs, s.flags, s.vecs, s.masks = dict(self.gprs), dict(self.flags), dict(self.vecs), dict(self.masks)
        s.regions = {k: r.copy() for k, r in self.regions.items()}
        if self.stack is not None:
            s.stack = s.regions[self.stack.base.id]
        s.rip, s.returned, s.return_target = self.rip, self.returned, self.return_target
        s.violations, s.variable_time = list(self.violations), list(self.variable_time)
        s.address, s.sp, s._rsp_seen = self.address, self.sp, self._rsp_seen
        s.clobbered, s.path, s.accesses = dict(self.clobbered), self.path, list(self.accesses)
        s._stored = list(self._stored)
        return s

    @property
    def pc(self) -> int:
        return self.rip

    @pc.setter
    def pc(self, value: int) -> None:
        self.rip = value

    # --- registers ---------------------------------------------------------
    def read_gpr(self, name: str) -> Term:
        return self.gprs[name]

    def write_gpr(self, name: str, value: Term) -> None:
        if value.width != 64:
            raise ProofFailure(f"internal: {value.width}-bit value written to {name}", self.address)
        self.gprs[name] = value

    def read_flag(self, name: str) -> Term:
        v = self.flag_value(name)
        if v is UNDEFINED:
            raise UndefinedFlagError(f"read of undefined flag {name} at {self._where()}")
        return v

    def flag_value(self, name: str):
        """The flag's term (made now if it was written lazily), or UNDEFINED."""
        v = self.flags.get(name, UNDEFINED)
        if type(v) is _Lazy:
            v = self.flags[name] = v.make()
        return v

    def write_flag(self, name: str, value) -> None:
        self.flags[name] = value

    def write_flag_lazy(self, name: str, make) -> None:
        self.flags[name] = _Lazy(make)

    def read_vec(self, index: int) -> Term:
        return self.vecs[index]

    def write_vec(self, index: int, value: Term) -> None:
        self.vecs[index] = value

    def read_mask(self, index: int) -> Term:
        return self.masks[index]

    def write_mask(self, index: int, value: Term) -> None:
        self.masks[index] = value

    def _where(self) -> str:
        return f"{self.address:#x}" if self.address is not None else "?"

    # --- memory --------------------------------------------------------------
    def add_region(self, region: Region) -> None:
        self.regions[region.base.id] = region

    def set_stack(self, region: Region) -> None:
        """`region` is the stack; the stack pointer points into it (offset 0 on entry)."""
        self.add_region(region)
        self.stack = region
        self._rsp_seen = self.gprs.get(self.sp_name)

    def _below_sp(self) -> str:
        if self.red_zone:
            return f"below the {self.red_zone}-byte red zone"
        return f"below {self.sp_name} (the {self.abi.name} ABI has no red zone)"

    def track_stack(self) -> None:
        """After an instruction: words that the stack pointer has left more than the red zone above are lost.

        A signal handler's frame may be written anywhere below sp - red zone
        (x86-64: 128 bytes, AArch64: 0) at any instruction, so nothing stored
        there survives to a later load. An instruction is one step for a
        signal (AArch64 "stp x19, x20, [sp, #-16]!" stores below the old sp
        and moves sp down at once), so the stores it made are judged against
        the stack pointer after it.
        """
        stored, self._stored = self._stored, []
        if self.stack is None:
            return
        rsp = self.gprs[self.sp_name]
        moved = rsp is not self._rsp_seen
        if moved:
            self._rsp_seen = rsp
            base, off = linearise_pointer(rsp)
            if base is not self.stack.base:
                raise ProofFailure(f"{self.sp_name} no longer points into the stack ({rsp!r})", self.address,
                                   "frame")
            if self.abi.isa == "aarch64" and off % self.abi.stack_alignment:
                # SCTLR_EL1.SA0: Linux faults an sp-based access with sp misaligned; kernels never misalign it
                raise ProofFailure(f"sp misaligned (stack{off:+d}, not a multiple of {self.abi.stack_alignment})",
                                   self.address, "frame")
            self.sp = off
        for offset in stored:
            if offset < self.sp - self.red_zone:
                self.clobber_below(offset + 1, f"stored {self._below_sp()} ({self.sp_name} at stack{self.sp:+d}, "
                                               f"instruction {self._where()}): a signal handler may overwrite it")
        if moved:
            self.clobber_below(self.sp - self.red_zone, f"{self._below_sp()} once {self.sp_name} was at "
                               f"stack{self.sp:+d} (instruction {self._where()}): a signal handler may overwrite it")

    def clobber_below(self, limit: int, why: str) -> None:
        """Forget every stack word that starts below offset `limit`."""
        for off in [o for o in self.stack.words if o < limit]:
            del self.stack.words[off]
            self.clobbered[off] = why

    def _check_secret(self, t: Term, what: str) -> None:
        if t.secret:
            self.violations.append(Violation(self.address, what, secret_inputs(t)))

    def resolve(self, address: Term) -> tuple[Region, int]:
        self._check_secret(address, "memory address")
        base, offset = linearise_pointer(address)
        if base is None or base.id not in self.regions:
            raise ProofFailure(f"address {address!r} is not inside any declared region", self.address, "frame")
        return self.regions[base.id], offset

    def _check_bounds(self, region: Region, offset: int, nbytes: int, writing: bool) -> None:
        if offset < region.lo or offset + nbytes > region.hi:
            raise ProofFailure(
                f"{'store' if writing else 'load'} of {nbytes} bytes at {region.name}{offset:+d} is outside "
                f"the region [{region.lo}, {region.hi})", self.address, "frame")
        if writing and not region.writable:
            raise ProofFailure(f"store to read-only buffer {region.name} at offset {offset}", self.address, "frame")
        if not (offset % 8 == 0 and nbytes % 8 == 0) and not (nbytes < 8 and offset % 8 + nbytes <= 8):
            raise ProofFailure(f"misaligned {nbytes}-byte access at {region.name}{offset:+d} the model cannot express",
                               self.address)

    def _word(self, region: Region, offset: int) -> Term:
        w = region.words.get(offset)
        if w is None:
            if region is self.stack and offset in self.clobbered:
                raise ProofFailure(f"read of stack slot {region.name}{offset:+d}, lost {self.clobbered[offset]}",
                                   self.address)
            if region.initial != "symbolic":
                raise ProofFailure(f"read of uninitialised {region.name} slot at offset {offset}", self.address)
            w = self.d.var(f"{region.name}[{offset // 8}]", 64, secret=region.secret)
            region.words[offset] = w
        return w

    def _symbolic_load(self, address: Term, nbytes: int) -> Term | None:
        """A load from a buffer of symbolic size, or at an offset that is not a constant: words of the
        buffer as an array (`sel`); its bounds are left to the path's conditions (`accesses`)."""
        form = linear(address)
        if form is None:
            return None
        bases = [(v, c % (1 << 64)) for v, c in form.coeffs.values() if v.id in self.regions]
        if len(bases) != 1 or bases[0][1] != 1:
            return None
        region = self.regions[bases[0][0].id]
        rest = [(v, c) for v, c in form.coeffs.values() if v.id != region.base.id and c % (1 << 64)]
        if region.length is None and not rest:
            return None                      # an ordinary access: resolve() handles it
        d = self.d
        if region.length is None or region.writable:
            raise ProofFailure(f"access at a computed offset into {region.name}, which the model supports only "
                               "for read-only buffers of symbolic size", self.address, "frame")
        offset = d.const(form.const, 64)
        for v, c in rest:
            offset = d.add(offset, d.mul_wide(d.const(c, 64), v)[1])[0]
        self._check_secret(offset, "memory address")
        self.accesses.append(Access(region, offset, nbytes, self.path, self.address))
        if nbytes < 8:
            raise ProofFailure(f"{nbytes}-byte load from {region.name} at a computed offset", self.address)
        # the array is indexed by byte offset (the access's alignment to 8 is an obligation too)
        words = [d.sel(region.name, d.add(offset, d.const(8 * i, 64))[0], region.secret) for i in range(nbytes // 8)]
        value = words[0]
        for w in words[1:]:
            value = d.concat(w, value)
        return value

    def load(self, address: Term, nbytes: int) -> Term:
        value = self._symbolic_load(address, nbytes)
        if value is not None:
            return value
        region, offset = self.resolve(address)
        self._check_bounds(region, offset, nbytes, False)
        if nbytes >= 8:
            words = [self._word(region, offset + 8 * i) for i in range(nbytes // 8)]
            value = words[0]
            for w in words[1:]:
                value = self.d.concat(w, value)
            return value
        base = offset - offset % 8
        shift = 8 * (offset % 8)
        return self.d.extract(self._word(region, base), shift + 8 * nbytes - 1, shift)

    def store(self, address: Term, value: Term, nbytes: int) -> None:
        region, offset = self.resolve(address)
        if region.length is not None:
            raise ProofFailure(f"store to read-only buffer {region.name}", self.address, "frame")
        self._check_bounds(region, offset, nbytes, True)
        d = self.d
        if nbytes >= 8:
            for i in range(nbytes // 8):
                region.words[offset + 8 * i] = d.extract(value, 64 * i + 63, 64 * i)
                region.written.add(offset + 8 * i)
                region.log.append((d.time, offset + 8 * i, region.words[offset + 8 * i]))
                self._lost_if_below_red_zone(region, offset + 8 * i)
            return
        base = offset - offset % 8
        shift = 8 * (offset % 8)
        old = self._word(region, base)
        parts = []
        if shift + 8 * nbytes < 64:
            parts.append(d.extract(old, 63, shift + 8 * nbytes))
        parts.append(d.extract(value, 8 * nbytes - 1, 0))
        if shift:
            parts.append(d.extract(old, shift - 1, 0))
        new = parts[0]
        for p in parts[1:]:
            new = d.concat(new, p)
        region.words[base] = new
        region.written.add(base)
        region.log.append((d.time, base, new))
        self._lost_if_below_red_zone(region, base)

    def _lost_if_below_red_zone(self, region: Region, offset: int) -> None:
        if region is self.stack:
            self._stored.append(offset)   # judged after the instruction (track_stack)

    # --- control flow -----------------------------------------------------
    def jump(self, target: Term) -> None:
        if self.return_target is not None and target is self.return_target:
            self.returned = True
            return
        if target.op == "const":
            self.rip = target.value
            return
        self._check_secret(target, "jump target")
        raise ProofFailure(f"jump to a computed target {target!r}", self.address)

    def branch(self, cond: Term, target: int) -> None:
        self._check_secret(cond, "branch condition")
        if cond.op != "const":
            if cond.secret:
                raise ProofFailure(f"conditional branch on a symbolic condition {cond!r} (not straight-line code)",
                                   self.address)
            raise SymbolicBranch(cond, target, self.address)
        if cond.value:
            self.rip = target

    def note_variable_time(self, mnemonic: str, *operands: Term) -> None:
        self.variable_time.append((self.address, mnemonic))
        for op in operands:
            self._check_secret(op, f"operand of variable-time {mnemonic}")


class Linear:
    """sum of coefficient * variable + constant, modulo 2^64 (the value of an address)."""
    __slots__ = ("coeffs", "const")

    def __init__(self, coeffs: dict, const: int):
        self.coeffs, self.const = coeffs, const % (1 << 64)

    @staticmethod
    def of(x) -> "Linear":
        return x if isinstance(x, Linear) else Linear({}, x)

    def __add__(self, o):
        o = Linear.of(o)
        c = dict(self.coeffs)
        for k, (v, n) in o.coeffs.items():
            c[k] = (v, c.get(k, (v, 0))[1] + n)
        return Linear(c, self.const + o.const)

    __radd__ = __add__

    def __mul__(self, k: int):
        return Linear({i: (v, n * k) for i, (v, n) in self.coeffs.items()}, self.const * k)

    __rmul__ = __mul__

    def __sub__(self, o):
        return self + Linear.of(o) * -1


class _PtrView:
    """What a ptr rule reads: the linear form of an argument, a constant's value."""

    def __init__(self, memo: dict):
        self.memo = memo

    def lin(self, t: Term) -> Linear:
        got = linear(t, self.memo)
        if got is None:
            raise _NotLinear
        return got

    @staticmethod
    def value(t: Term) -> int:
        return t.value


class _NotLinear(Exception):
    pass


def linear(t: Term, memo: dict | None = None) -> Linear | None:
    """The address `t` as a linear combination of variables (mod 2^64) by the ptr rules, or None."""
    from .rules import applicable

    memo = {} if memo is None else memo
    if t.id in memo:
        return memo[t.id]
    if t.op == "const":
        out = Linear({}, t.value)
    elif t.op == "var" and t.width == 64:
        out = Linear({t.id: (t, 1)}, 0)
    else:
        out = None
        for r, v in applicable("ptr", t):
            try:
                out = r.then(_PtrView(memo), v)
            except _NotLinear:
                out = None
            break
    memo[t.id] = out
    return out


def linearise_pointer(t: Term) -> tuple[Term | None, int]:
    """Write a 64-bit address as pointer + constant (mod 2^64), if it is one.

    Returns (None, 0) when the address involves anything other than one
    variable with coefficient 1 and constants.
    """
    form = linear(t)
    if form is None:
        return None, 0
    live = [(v, c % (1 << 64)) for v, c in form.coeffs.values() if c % (1 << 64)]
    if len(live) != 1 or live[0][1] != 1:
        return None, 0
    off = form.const
    if off >= 1 << 63:
        off -= 1 << 64
    return live[0][0], off


def secret_inputs(t: Term) -> tuple[str, ...]:
    """Names of the secret variables a term depends on (a few, for messages)."""
    names: list[str] = []
    seen: set[int] = set()
    stack = [t]
    while stack and len(names) < 4:
        u = stack.pop()
        if u.id in seen or not u.secret:
            continue
        seen.add(u.id)
        if u.op == "var":
            names.append(u.params[0])
        stack.extend(u.args)
    return tuple(names)


__all__ = ["ProofFailure", "SymbolicBranch", "SymbolicDomain", "SymbolicState", "Region", "Violation", "Access",
           "linearise_pointer", "linear",
           "secret_inputs", "STACK_BYTES", "RED_ZONE", "mask"]
