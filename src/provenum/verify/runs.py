"""Running a function on concrete inputs, to test what a proof claims: natively and in the model.

Both runs check everything a spec promises, not only the result: guard words
around every buffer (no write outside it), read-only buffers unchanged, the
callee-saved registers and rsp restored, and the function returning at all.

* `native_check` calls the function in a child process (a crash or a hang
  is a finding, not the end of the run) through a small trampoline that
  plants canaries in the callee-saved registers and checks them and rsp
  after the call. A fast interval timer delivers signals all the while, so
  a function that keeps data below the red zone has it overwritten by the
  kernel's signal frames, as in real use.
* `model_check` runs the concrete interpreter (the model validation checks
  against this CPU) with a hostile stack: after every instruction the bytes
  below rsp - 128 are overwritten at random, which is what the ABI allows.

`runs_natively(functions)` says whether this CPU has the features the
functions' instructions need (a function that cannot run here is checked in
the model only).
"""
from __future__ import annotations

import os
import random
import subprocess
import tempfile
from pathlib import Path

from ..isa.x86_64.features import features_of

GUARD = 4
LOW_GUARD, HIGH_GUARD = 0xA5A5A5A5A5A5A5A5, 0x5A5A5A5A5A5A5A5A
CANARIES = (0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
            0x5555555555555555, 0x6666666666666666)
SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")

_TRAMPOLINE = """
        .intel_syntax noprefix
        .text
        .globl pv_call_checked
        .type pv_call_checked, @function
// rdi = function, rsi = 6 argument words, rdx = 7 result words (rbx rbp r12 r13 r14 r15 after, rsp change)
pv_call_checked:
        push rbx
        push rbp
        push r12
        push r13
        push r14
        push r15
        mov [rip+pv_out], rdx
        mov [rip+pv_rsp], rsp
        mov r11, rdi
        mov rax, rsi
""" + "\n".join(f"        movabs {r}, {c:#x}" for r, c in zip(SAVED, CANARIES)) + """
        mov rdi, [rax]
        mov rsi, [rax+8]
        mov rdx, [rax+16]
        mov rcx, [rax+24]
        mov r8, [rax+32]
        mov r9, [rax+40]
        call r11
        mov rax, [rip+pv_out]
""" + "\n".join(f"        mov [rax+{8 * i}], {r}" for i, r in enumerate(SAVED)) + """
        mov rcx, rsp
        sub rcx, [rip+pv_rsp]
        mov [rax+48], rcx
        mov rsp, [rip+pv_rsp]
        pop r15
        pop r14
        pop r13
        pop r12
        pop rbp
        pop rbx
        ret
        .size pv_call_checked, .-pv_call_checked
        .bss
pv_out: .skip 8
pv_rsp: .skip 8
        .section .note.GNU-stack,"",@progbits
"""


def trampoline() -> Path:
    """The trampoline shared object (built with gcc once, cached by its source)."""
    import hashlib

    from ..machine.harness import cache_dir

    out = cache_dir() / f"call-checked-{hashlib.sha256(_TRAMPOLINE.encode()).hexdigest()[:16]}.so"
    if not out.exists():
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            s = Path(tmp) / "t.S"
            s.write_text(_TRAMPOLINE)
            so = Path(tmp) / "t.so"
            subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], check=True, capture_output=True)
            os.replace(so, out)
    return out


def _buffers(spec, env: dict) -> dict:
    """Home buffer name -> its words on entry (aliased buffers share their home's)."""
    from .counterexample import memory

    return {b.name: memory(spec, env, b.name) for b in spec.buffers if spec.home(b.name) == b.name}


def _outcome(spec, env: dict, after: dict) -> str:
    """'' when the buffers after a run (home name -> words, guards included) meet the spec."""
    full = dict(env)
    for b in spec.buffers:
        home = spec.home(b.name)
        words = after[home]
        n = len(words) - 2 * GUARD
        if words[:GUARD] != [LOW_GUARD] * GUARD or words[GUARD + n:] != [HIGH_GUARD] * GUARD:
            return f"writes outside {home}"
        inside = words[GUARD:GUARD + n]
        if not spec.region_writable(home) and inside != _buffers(spec, env)[home]:
            return f"writes read-only {home}"
        if b.writable:
            full[b.name] = inside[:len(env[b.name])]
    return "" if spec.holds(full) else "wrong result"


def _native_runs(checked, fn: int, spec, envs: list) -> str:
    """Run one function on every input (in the child); '' or what went wrong."""
    import ctypes

    bad = ""
    for env in envs:
        arrays, args = {}, []
        for name, words in _buffers(spec, env).items():
            data = [LOW_GUARD] * GUARD + list(words) + [HIGH_GUARD] * GUARD
            arrays[name] = (ctypes.c_uint64 * len(data))(*data)
        for a, b in spec.aliases:
            arrays[a] = arrays[b]
        for _, name in spec.args:
            if name in arrays:
                args.append(ctypes.addressof(arrays[name]) + 8 * GUARD)
            else:
                args.append(env[name] & (2**64 - 1))
        argv = (ctypes.c_uint64 * 6)(*(args + [0] * (6 - len(args))))
        out = (ctypes.c_uint64 * 7)()
        checked(ctypes.c_void_p(fn), argv, out)
        if list(out[:6]) != list(CANARIES):
            bad = f"{SAVED[[o == c for o, c in zip(out[:6], CANARIES)].index(False)]} not restored natively"
            break
        if out[6]:
            bad = "rsp not restored natively"
            break
        why = _outcome(spec, env, {name: list(arr) for name, arr in arrays.items() if spec.home(name) == name})
        if why:
            bad = f"{why} natively"
            break
    return bad


def _native_child(library: str, jobs: list, wfd: int, signals: bool) -> None:
    import ctypes
    import signal

    checked = ctypes.CDLL(str(trampoline())).pv_call_checked
    checked.restype = None
    lib = ctypes.CDLL(library)
    if signals:   # signal frames land below the red zone of whatever runs
        signal.signal(signal.SIGALRM, lambda *_: None)
        signal.setitimer(signal.ITIMER_REAL, 0.00005, 0.00005)
    for i, (symbol, spec, envs) in enumerate(jobs):
        os.write(wfd, f"{i}>".encode())       # started: a crash from here on is this job's
        fn = ctypes.cast(getattr(lib, symbol), ctypes.c_void_p).value
        bad = _native_runs(checked, fn, spec, envs)
        os.write(wfd, f"{bad or 'ok'}\n".encode())
    if signals:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
    os.close(wfd)
    os._exit(0)


def native_check_many(library, jobs: list, timeout: float = 10.0, signals: bool = True) -> list[str]:
    """native_check for several (symbol, spec, envs) of one library, in as few child processes as crashes allow."""
    import select

    trampoline()   # built here, not in the children
    results: list = [None] * len(jobs)
    start = 0
    while start < len(jobs):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            import faulthandler

            faulthandler.disable()   # a crashing candidate is an expected outcome, not a report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(r)
            try:
                _native_child(str(library), jobs[start:], w, signals)
            finally:
                os._exit(1)
        os.close(w)
        buf, current, hung = b"", None, False
        while True:
            ready, _, _ = select.select([r], [], [], timeout)
            if not ready:
                hung = True
                os.kill(pid, 9)
                break
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
            while True:   # records "i>" (started) then "result\n"
                if current is None:
                    k = buf.find(b">")
                    if k < 0:
                        break
                    current, buf = start + int(buf[:k]), buf[k + 1:]
                k = buf.find(b"\n")
                if k < 0:
                    break
                results[current] = "" if buf[:k] == b"ok" else buf[:k].decode()
                current, buf = None, buf[k + 1:]
        os.close(r)
        _, status = os.waitpid(pid, 0)
        if current is not None:   # the job that was running crashed or hung
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
            results[current] = ("hangs natively" if hung else "illegal instruction natively" if sig == 4
                                else f"crashes natively (signal {sig})")
            start = current + 1
        else:
            start = next((i for i in range(start, len(jobs)) if results[i] is None), len(jobs))
            if start < len(jobs):   # the child ended early without a word: count it as a crash of that job
                results[start] = "crashes natively"
                start += 1
    return results


def native_check(library, symbol: str, spec, envs: list, timeout: float = 10.0, signals: bool = True) -> str:
    """'' when every run meets the spec natively, else why not (crash, hang, stray write, frame, result)."""
    return native_check_many(library, [(symbol, spec, envs)], timeout, signals)[0]


BASE = 0x10000
RETURN = 0xDEAD0000


def model_check(function, spec, envs: list, library=None, hostile: bool = True, max_steps: int = 200_000,
                seed: int = 0) -> str:
    """'' when the model's runs meet the spec and restore callee-saved registers and rsp, else why not."""
    from ..isa.x86_64.semantics import execute
    from ..machine.state import ConcreteState
    from .executor import LibraryCode

    rng = random.Random(seed)
    code = {i.address: i for i in function.instructions}
    callees = LibraryCode(library) if library is not None else None
    for env in envs:
        s = ConcreteState()
        addr, where = BASE, {}
        for name, words in _buffers(spec, env).items():
            where[name] = addr
            data = [LOW_GUARD] * GUARD + list(words) + [HIGH_GUARD] * GUARD
            s.map(addr - 8 * GUARD, b"".join(x.to_bytes(8, "little") for x in data))
            addr += 8 * (len(data) + GUARD) + 4096
        for a, b in spec.aliases:
            where[a] = where[b]
        stack_lo = addr
        s.map(stack_lo, bytes(65536))
        rsp = stack_lo + 65536 - 64
        s.write_u64(rsp, RETURN)
        s.set_gpr("rsp", rsp)
        for k, r in enumerate(SAVED):
            s.set_gpr(r, CANARIES[k])
        for reg, name in spec.args:
            s.set_gpr(reg, where[name] if name in where else env[name])
        s.rip = function.address
        steps = 0
        try:
            while s.rip != RETURN:
                insn = code.get(s.rip)
                if insn is None and callees is not None:
                    callee = callees.resolve(s.rip)
                    if callee is not None:
                        code.update((i.address, i) for i in callee.instructions)
                        insn = code.get(s.rip)
                if insn is None:
                    return f"model jumps to {s.rip:#x}"
                s.current = insn
                execute(s, insn)
                if hostile:   # a signal frame may land anywhere below the red zone
                    top = s.gpr("rsp") - 128
                    lo = max(stack_lo, top - 512)
                    if lo < top:
                        s.write_bytes(lo, rng.randbytes(top - lo))
                steps += 1
                if steps > max_steps:
                    return "model does not return"
        except Exception as e:  # any model error (bad access, undefined flag, ...) is a misbehaviour
            return f"model: {type(e).__name__}: {e}"
        if s.gpr("rsp") != rsp + 8:
            return "rsp not restored in the model"
        for k, r in enumerate(SAVED):
            if s.gpr(r) != CANARIES[k]:
                return f"{r} not restored in the model"
        after = {}
        for name, words in _buffers(spec, env).items():
            n = len(words) + 2 * GUARD
            after[name] = [s.read_u64(where[name] + 8 * (i - GUARD)) for i in range(n)]
        why = _outcome(spec, env, after)
        if why:
            return f"{why} in the model"
    return ""


# --- what this CPU can run ---------------------------------------------------------------------------

def cpu_flags() -> set:
    """The features this CPU provides (lowered to PROVENUM_CPU's level, if set), as the dispatcher sees them."""
    from ..machine.harness import cpu_features

    return set(cpu_features())


def runs_natively(functions, flags: set | None = None) -> tuple[bool, set]:
    """(can run here, features missing) for the instructions of `functions`."""
    flags = cpu_flags() if flags is None else flags
    missing = set()
    for f in functions:
        for insn in f.instructions:
            missing |= features_of(insn) - flags
    return not missing, missing
