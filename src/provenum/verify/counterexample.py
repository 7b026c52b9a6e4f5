"""Looking for concrete inputs that break a function whose proof failed.

Candidates satisfy the spec's preconditions and lean on the inputs carry
bugs need (long runs of one bits, words 0, 1, 2^64-1, 2^63), since uniform
random words rarely make a 128-bit sum overflow. A candidate is evaluated on
the symbolic trace first (cheap); a hit is then confirmed by the concrete
interpreter running the same instructions and, when the library is at hand,
by calling the native function.
"""
from __future__ import annotations

import random

from .specs.base import Spec
from .terms import evaluate

M64 = (1 << 64) - 1
EDGE = (0, 1, 2, M64, M64 - 1, 1 << 63, (1 << 63) - 1, 0xFFFFFFFF, 1 << 32)


def _word(rng: random.Random, style: str) -> int:
    if style == "uniform":
        return rng.getrandbits(64)
    if style == "ones":
        return M64 if rng.random() < 0.85 else rng.getrandbits(64)
    if style == "edge":
        return rng.choice(EDGE)
    if style == "runs":  # a run of ones at a random place
        lo, hi = sorted((rng.randrange(65), rng.randrange(65)))
        return ((1 << hi) - 1) ^ ((1 << lo) - 1)
    return M64


STYLES = ("ones", "all", "edge", "runs", "uniform")


TABLE_HEIGHTS = (1, 2, 3, 7, 8, 16, 17, 32, 33, 64)


def candidate(spec: Spec, rng: random.Random, style: str, height: int | None = None) -> dict:
    """Inputs (buffer name -> words, scalar name -> int) meeting the preconditions."""
    env: dict = {}
    for s in spec.scalars:
        env[s.name] = rng.getrandbits(64)
    fam = spec.family
    if fam == "table":   # any height: the small ones, odd and even, the exponentiation's, some random
        env["height"] = height or rng.choice(TABLE_HEIGHTS + (rng.randint(1, 70),))
        env["idx"] = rng.randrange(env["height"])
    for b in spec.buffers:
        env[b.name] = [_word(rng, style) for _ in range(b.size(env))]
    if fam in ("montredc", "montmul", "montsqr", "amontredc", "amontmul", "amontsqr"):
        n = spec.params["n"]
        m = env["m"]
        m[0] |= 1
        if not any(m[1:]) and m[0] < 3:
            m[0] = 3
        M = _big(m)
        env["w"] = (-pow(m[0], -1, 1 << 64)) % (1 << 64)
        R = 1 << (64 * n)
        if fam.startswith("a"):
            pass  # almost-Montgomery takes any inputs below R
        elif fam == "montredc":
            env["x"] = _words(_big(env["x"]) % (R * M), 2 * n)
        else:
            for name in ("x", "y"):
                if name in env:
                    env[name] = _words(_big(env[name]) % M, n)
    if spec.strategy in ("montgomery52", "radix52", "select52"):
        from .specs.ifma import candidate_inputs

        candidate_inputs(spec, env, rng)
    for a, b in spec.aliases:  # one memory: the aliased buffer holds its home's words on entry
        env[a] = (env[b] + env[a][len(env[b]):])[: spec.buffer(a).words]
    return env


def memory(spec: Spec, env: dict, home: str) -> list[int]:
    """The words on entry of the memory at buffer `home` (with any buffer aliased onto it)."""
    words = list(env[home])
    for b in spec.shares(home):
        words += env[b.name][len(words):]
    return words


def _big(words) -> int:
    return sum(w << (64 * i) for i, w in enumerate(words))


def _words(v: int, n: int) -> list[int]:
    return [(v >> (64 * i)) & M64 for i in range(n)]


def trace_outputs(trace, env: dict) -> dict:
    """Output buffers on return, computed by evaluating the symbolic trace."""
    spec = trace.spec
    venv = {}
    for b in spec.buffers:
        if spec.home(b.name) != b.name:
            continue  # its entry words are its home's
        for i, w in enumerate(memory(spec, env, b.name)):
            venv[f"{b.name}[{i}]"] = w
    venv.update({s.name: env[s.name] for s in spec.scalars})
    outs = {b.name: trace.buffer_words(b.name) for b in spec.buffers if b.writable}
    roots = [w for ws in outs.values() for w in ws]
    vals = evaluate(roots, _Default(venv))
    return {name: [vals[w.id] for w in ws] for name, ws in outs.items()}


class _Default(dict):
    """Junk registers the outputs should not depend on read as 0."""

    def __missing__(self, key):
        return 0


def violates(spec: Spec, env: dict, outputs: dict) -> bool:
    full = dict(env)
    full.update(outputs)
    return not spec.holds(full)


def search(trace, spec: Spec, function, tries: int = 400, seed: int = 1, library=None) -> dict | None:
    """Inputs on which the function breaks its spec, confirmed by the model; None if not found."""
    rng = random.Random(seed)
    summarized = bool(getattr(trace, "summaries", None))
    if summarized:
        tries = min(tries, 40)  # calls replaced by specs: run the model instead, which is slower
    for k in range(tries):
        env = candidate(spec, rng, STYLES[k % len(STYLES)])
        if summarized:
            outs = run_model(function, spec, env, getattr(trace, "code", None), library=library)
            if outs is None:
                return None
        else:
            try:
                outs = trace_outputs(trace, env)
            except Exception:
                return None
        if violates(spec, env, outs):
            model = outs if summarized else run_model(function, spec, env, getattr(trace, "code", None),
                                                      library=library)
            result = {"inputs": env, "outputs": outs, "model_outputs": model, "model_confirms": None}
            if model is not None:
                result["model_confirms"] = violates(spec, env, model)
            if result["model_confirms"] is False:
                continue  # the trace evaluation disagrees with the model: not a counterexample
            return _confirmed_natively(result, library, function, spec, env)
    return None


def _confirmed_natively(result: dict, library, function, spec: Spec, env: dict) -> dict:
    """`result` with the native run of the same inputs (when the library can be loaded) and its verdict."""
    if library is not None:
        try:
            native = run_native(library, function.name, spec, env)
        except (OSError, AttributeError):
            native = None
        result["native_outputs"] = native
        result["native_confirms"] = None if native is None else violates(spec, env, native)
        result["native_executor"] = _executor(library)
    return result


def _executor(library) -> str:
    """What the native run of `library` runs on: this CPU (x86-64), or the AArch64 runner's executor."""
    from ..isa.elf import elf_machine

    if elf_machine(library) != "aarch64":
        return "native"
    from ..toolchain import ToolchainError, aarch64_runner

    try:
        return aarch64_runner()[1]
    except ToolchainError:
        return "unavailable"


def search_by_running(spec: Spec, function, tries: int = 60, seed: int = 1, library=None) -> dict | None:
    """Inputs on which the model (the concrete interpreter) breaks the spec, confirmed natively when possible."""
    rng = random.Random(seed)
    for k in range(tries):
        env = candidate(spec, rng, STYLES[k % len(STYLES)])
        model = run_model(function, spec, env, library=library)
        if model is None or not violates(spec, env, model):
            continue
        result = {"inputs": env, "outputs": model, "model_outputs": model, "model_confirms": True}
        return _confirmed_natively(result, library, function, spec, env)
    return None


# --- the concrete model and the CPU -----------------------------------------------

BASE = 0x10000
RETURN = 0xDEAD0000


def run_model(function, spec: Spec, env: dict, code: dict | None = None, max_steps: int = 2_000_000,
              library=None) -> dict | None:
    """Run the decoded instructions on the concrete interpreter of their ISA, called as its ABI says (buffers
    mapped, the return address at RETURN); output buffers on return."""
    from .target import target_of

    target = target_of(function)
    if target.isa == "aarch64":
        from ..machine.aarch64.state import ConcreteState
        pc = "pc"
    else:
        from ..machine.state import ConcreteState
        pc = "rip"
    s = ConcreteState()
    where, addr = _place_buffers(s, spec, env)
    s.map(addr, bytes(65536 + 64))
    sp = addr + 65536 - 64
    ra = target.abi.return_address
    if ra.register is not None:
        s.set_gpr(ra.register, RETURN)
    else:
        s.write_u64(sp + ra.stack_offset, RETURN)
    s.set_gpr(target.abi.stack_pointer, sp)
    for reg, name in target.arguments(spec):
        s.set_gpr(reg, where[name] if name in where else env[name])
    by_address = dict(code) if code else {i.address: i for i in function.instructions}
    callees = None
    setattr(s, pc, function.address)
    for _ in range(max_steps):
        at = getattr(s, pc)
        if at == RETURN:
            break
        insn = by_address.get(at)
        if insn is None and library is not None:  # a call into the library: decode the callee
            from .executor import LibraryCode

            callees = callees or LibraryCode(library, target)
            callee = callees.resolve(at)
            if callee is not None:
                by_address.update((i.address, i) for i in callee.instructions)
                insn = by_address.get(at)
        if insn is None:
            return None
        s.current = insn
        try:
            target.execute(s, insn)
        except Exception:
            return None
    else:
        return None
    return {b.name: [s.read_u64(where[b.name] + 8 * i) for i in range(b.words)]
            for b in spec.buffers if b.writable}


def _place_buffers(s, spec: Spec, env: dict) -> tuple[dict, int]:
    """Map each home buffer's words (with a gap after each); buffer name -> address, and the next free address."""
    addr = BASE
    where = {}
    for b in spec.buffers:
        if spec.home(b.name) != b.name:
            continue
        where[b.name] = addr
        words = memory(spec, env, b.name)
        s.map(addr, b"".join(w.to_bytes(8, "little") for w in words))
        addr += 8 * len(words) + 4096
    for a, b in spec.aliases:
        where[a] = where[b]
    return where, addr


def run_native_aarch64(library, symbol: str, spec: Spec, env: dict) -> dict | None:
    """Call an AArch64 function natively or under qemu-aarch64 (provenum.machine.aarch64.runner); None when
    no runner is available."""
    from ..machine.aarch64.runner import NativeCallError, call_native

    homes = [b.name for b in spec.buffers if spec.home(b.name) == b.name]
    if spec.aliases:
        return None  # the driver passes one separate buffer per argument
    args = []
    for _, name in spec.args:
        if name in homes:
            args.append(b"".join(w.to_bytes(8, "little") for w in memory(spec, env, name)))
        else:
            args.append(env[name])
    try:
        _, out = call_native(library, symbol, args)
    except NativeCallError:
        return None
    after = dict(zip([n for _, n in spec.args if n in homes], out))
    return {b.name: [int.from_bytes(after[b.name][8 * i:8 * i + 8], "little") for i in range(b.words)]
            for b in spec.buffers if b.writable}


def run_native(library, symbol: str, spec: Spec, env: dict) -> dict | None:
    """Call the function in the shared library (ctypes on x86-64, the AArch64 runner on Arm); output buffers."""
    import ctypes

    from ..isa.elf import elf_machine

    if elf_machine(library) == "aarch64":
        return run_native_aarch64(library, symbol, spec, env)

    lib = ctypes.CDLL(str(library))
    fn = getattr(lib, symbol)
    bufs = {}
    args = []
    for b in spec.buffers:  # one array per home buffer; aliased buffers share it
        if spec.home(b.name) == b.name:
            words = memory(spec, env, b.name)
            bufs[b.name] = (ctypes.c_uint64 * len(words))(*words)
    for a, b in spec.aliases:
        bufs[a] = bufs[b]
    for _, name in spec.args:
        if any(b.name == name for b in spec.buffers):
            args.append(ctypes.cast(bufs[name], ctypes.c_void_p))
        else:
            args.append(ctypes.c_uint64(env[name]))
    fn.restype = None
    fn(*args)
    return {b.name: list(bufs[b.name])[: b.words] for b in spec.buffers if b.writable}
