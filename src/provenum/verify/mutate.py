"""Honesty of the verifier: mutants of proved kernels must not be proved when wrong.

A mutant is the generated assembly of a kernel with one small change (swap
a register operand, adc -> add, adcx <-> adox, sbb -> sub, drop or duplicate
an instruction, change a displacement or immediate, swap two dependent
neighbouring instructions), reassembled with gcc into its own shared object.

Each mutant is classified by concrete testing -- native runs on random and
edge-case inputs (in a child process, with guard words around every buffer,
so crashes and stray writes count) plus model runs that also check the
callee-saved registers and the stack pointer -- and then verified. A mutant
with a counterexample is *wrong*; one without is *equivalent* (testing found
nothing). Every wrong mutant must fail verification (*killed*); a wrong
mutant that verifies is *proved_but_wrong*, which must never happen.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .counterexample import STYLES, TABLE_HEIGHTS, candidate

# Kernels mutated by default: small sizes of every proved family, so a few hundred mutants stay quick.
DEFAULT_KERNELS = ("bignum_mul_4_8", "bignum_sqr_4_8", "bignum_mul_6_12", "bignum_sqr_6_12", "bignum_montredc_4",
                   "bignum_amontredc_4", "bignum_montmul_4", "bignum_amontsqr_4", "bignum_copy_row_from_table_4",
                   "bignum_ksqr_16_32")

GPR64 = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
SWAPS = {"adc": "add", "adcx": "adox", "adox": "adcx", "sbb": "sub", "add": "adc", "sub": "sbb",
         "cmovc": "cmovnc", "cmovz": "cmovnz", "sete": "setne", "jb": "jae"}
GUARD = 4  # guard words on each side of every buffer
_INSN = re.compile(r"^(\s+)([a-z][a-z0-9]*)(\s+(.*))?$")
_REG = re.compile(r"\b(r[a-z0-9]+|e[a-z]{2})\b")
_NUM = re.compile(r"(?<![\w.])(-?(?:0x[0-9a-fA-F]+|\d+))\b")


@dataclass
class Mutant:
    kernel: str
    index: int
    operator: str
    line: int
    before: str
    after: str
    text: str = field(repr=False, default="")
    wrong: bool | None = None
    why: str = ""
    proved: bool | None = None
    failure: str = ""


def instruction_lines(text: str) -> list[int]:
    out = []
    for i, line in enumerate(text.splitlines()):
        m = _INSN.match(line)
        if m and not line.strip().startswith((".", "//")) and m.group(2) not in ("ret",):
            out.append(i)
    return out


def _registers(line: str) -> set[str]:
    return set(_REG.findall(line))


def mutate_once(text: str, rng: random.Random) -> tuple[str, int, str, str, str] | None:
    """One random mutation: (new text, line number, operator, old line, new line) or None."""
    lines = text.splitlines()
    candidates = instruction_lines(text)
    i = rng.choice(candidates)
    line = lines[i]
    m = _INSN.match(line)
    indent, mnem, ops = m.group(1), m.group(2), (m.group(4) or "")
    op = rng.choice(("register", "mnemonic", "drop", "duplicate", "number", "swap"))
    new = None
    if op == "register":
        regs = [r for r in _REG.findall(ops) if r in GPR64]
        if regs:
            old = rng.choice(regs)
            repl = rng.choice([r for r in GPR64 if r != old and r not in ("rsp",)])
            new = indent + mnem + " " + re.sub(rf"\b{old}\b", repl, ops, count=1)
    elif op == "mnemonic" and mnem in SWAPS:
        new = indent + SWAPS[mnem] + (" " + ops if ops else "")
    elif op == "drop":
        out = lines[:i] + lines[i + 1:]
        return "\n".join(out) + "\n", i, op, line, ""
    elif op == "duplicate":
        out = lines[:i + 1] + [line] + lines[i + 1:]
        return "\n".join(out) + "\n", i, op, line, line
    elif op == "number":
        nums = list(_NUM.finditer(ops))
        if nums:
            k = rng.choice(nums)
            v = int(k.group(1), 0)
            delta = rng.choice((8, -8, 1, -1, 16))
            new = indent + mnem + " " + ops[:k.start()] + str(v + delta) + ops[k.end():]
    elif op == "swap":
        j = i + 1
        if j < len(lines) and j in candidates and _registers(line) & _registers(lines[j]):
            out = list(lines)
            out[i], out[j] = out[j], out[i]
            return "\n".join(out) + "\n", i, op, line, lines[j]
    if new is None or new == line:
        return None
    out = list(lines)
    out[i] = new
    return "\n".join(out) + "\n", i, op, line, new


def assemble(text: str, name: str, directory: Path) -> Path | None:
    s = directory / f"{name}.S"
    s.write_text(text)
    so = directory / f"{name}.so"
    r = subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], capture_output=True)
    return so if r.returncode == 0 else None


# --- concrete classification --------------------------------------------------------

def _native_child(library: str, symbol: str, spec, envs: list, wfd: int) -> None:
    import ctypes

    lib = ctypes.CDLL(library)
    fn = getattr(lib, symbol)
    fn.restype = None
    bad = ""
    for env in envs:
        bufs, args = {}, []
        for _, name in spec.args:
            if any(b.name == name for b in spec.buffers):
                words = len(env[name])
                data = [0xA5A5A5A5A5A5A5A5] * GUARD + list(env[name]) + [0x5A5A5A5A5A5A5A5A] * GUARD
                arr = (ctypes.c_uint64 * len(data))(*data)
                bufs[name] = (arr, data, words)
                args.append(ctypes.c_void_p(ctypes.addressof(arr) + 8 * GUARD))
            else:
                args.append(ctypes.c_uint64(env[name]))
        fn(*args)
        outs = {}
        for name, (arr, data, words) in bufs.items():
            got = list(arr)
            if got[:GUARD] != data[:GUARD] or got[GUARD + words:] != data[GUARD + words:]:
                bad = f"writes outside {name}"
                break
            if not spec.buffer(name).writable and got != data:
                bad = f"writes read-only {name}"
                break
            outs[name] = got[GUARD:GUARD + words]
        if bad:
            break
        full = dict(env)
        full.update({k: v for k, v in outs.items() if spec.buffer(k).writable})
        if not spec.holds(full):
            bad = "wrong result natively"
            break
    os.write(wfd, bad.encode() or b"ok")
    os.close(wfd)
    os._exit(0)


def test_native(library: Path, symbol: str, spec, envs: list, timeout: float = 10.0) -> str:
    """'' when every run meets the spec natively, else why not (crash, stray write, wrong result)."""
    import select

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        import faulthandler

        faulthandler.disable()  # a crashing mutant is an expected outcome, not a report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(r)
        try:
            _native_child(str(library), symbol, spec, envs, w)
        finally:
            os._exit(1)
    os.close(w)
    ready, _, _ = select.select([r], [], [], timeout)
    msg = os.read(r, 200).decode() if ready else ""
    os.close(r)
    if not ready:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    if not ready:
        return "hangs natively"
    if os.WIFSIGNALED(status):
        return f"crashes natively (signal {os.WTERMSIG(status)})"
    return "" if msg == "ok" else (msg or "crashes natively")


def test_model(function, spec, envs: list) -> str:
    """'' when the model runs meet the spec and restore callee-saved registers and rsp."""
    from ..isa.x86_64.semantics import execute
    from ..machine.state import ConcreteState
    from .counterexample import BASE, RETURN

    saved = ("rbx", "rbp", "r12", "r13", "r14", "r15")
    by_address = {i.address: i for i in function.instructions}
    for env in envs:
        s = ConcreteState()
        addr, where = BASE, {}
        for b in spec.buffers:
            where[b.name] = addr
            s.map(addr - 8 * GUARD, b"".join(x.to_bytes(8, "little") for x in
                                             [0xA5A5A5A5A5A5A5A5] * GUARD + env[b.name] + [0x5A5A5A5A5A5A5A5A] * GUARD))
            addr += 8 * (len(env[b.name]) + 2 * GUARD) + 4096
        s.map(addr, bytes(65536))
        rsp = addr + 65536 - 64
        s.write_u64(rsp, RETURN)
        s.set_gpr("rsp", rsp)
        for k, r in enumerate(saved):
            s.set_gpr(r, 0x1111111111111111 * (k + 1))
        for reg, name in spec.args:
            s.set_gpr(reg, where[name] if name in where else env[name])
        s.rip = function.address
        steps = 0
        try:
            while s.rip != RETURN:
                insn = by_address.get(s.rip)
                if insn is None:
                    return f"model jumps to {s.rip:#x}"
                s.current = insn
                execute(s, insn)
                steps += 1
                if steps > 200_000:
                    return "model does not return"
        except Exception as e:  # any model error (bad access, undefined flag, ...) is a misbehaviour
            return f"model: {type(e).__name__}: {e}"
        if s.gpr("rsp") != rsp + 8:
            return "rsp not restored"
        for k, r in enumerate(saved):
            if s.gpr(r) != 0x1111111111111111 * (k + 1):
                return f"{r} not restored"
        outs = {}
        for b in spec.buffers:
            n = len(env[b.name])
            words = [s.read_u64(where[b.name] + 8 * i) for i in range(-GUARD, n + GUARD)]
            if words[:GUARD] != [0xA5A5A5A5A5A5A5A5] * GUARD or words[GUARD + n:] != [0x5A5A5A5A5A5A5A5A] * GUARD:
                return f"model writes outside {b.name}"
            if not b.writable and words[GUARD:GUARD + n] != env[b.name]:
                return f"model writes read-only {b.name}"
            outs[b.name] = words[GUARD:GUARD + n]
        full = dict(env)
        full.update({k: v for k, v in outs.items() if spec.buffer(k).writable})
        if not spec.holds(full):
            return "wrong result in the model"
    return ""


def inputs(spec, count: int, seed: int) -> list:
    rng = random.Random(seed)
    envs = [candidate(spec, rng, STYLES[k % len(STYLES)]) for k in range(count)]
    if spec.family == "table":  # the proof covers every height: every index of several, so a broken row shows
        for h in TABLE_HEIGHTS:
            for v in range(h):
                e = candidate(spec, rng, "uniform", height=h)
                e["idx"] = v
                envs.append(e)
    return envs


def kernel_source(name: str) -> str:
    from ..kernels import BY_NAME

    return BY_NAME[name].function.text()


def run_mutants(kernels=DEFAULT_KERNELS, count: int = 300, seed: int = 7, tests: int = 200, progress=None,
                workdir: str | None = None) -> list[Mutant]:
    """Generate `count` mutants spread over `kernels`, classify and verify each."""
    from ..isa.x86_64.decode import decode_symbol
    from .prover import prove
    from .specs import specs_for

    rng = random.Random(seed)
    work = Path(workdir or tempfile.mkdtemp(prefix="pv-mutants-"))
    sources = {k: kernel_source(k) for k in kernels}
    specs = {k: specs_for(k)[0] for k in kernels}
    envs = {k: inputs(specs[k], tests, seed) for k in kernels}
    model_envs = {k: envs[k][:3] for k in kernels}
    mutants: list[Mutant] = []
    seen: set = set()
    attempts = 0
    while len(mutants) < count and attempts < count * 50:
        attempts += 1
        k = kernels[len(mutants) % len(kernels)]
        got = mutate_once(sources[k], rng)
        if got is None or got[0] in seen:
            continue
        text, line, op, before, after = got
        idx = len(mutants)
        so = assemble(text, f"m{idx}", work)
        if so is None:
            continue
        seen.add(text)
        mu = Mutant(k, idx, op, line, before.strip(), after.strip(), text)
        spec = specs[k]
        try:
            function = decode_symbol(so, k)
        except Exception as e:  # an undecodable mutant cannot be proved; still classify it natively
            function = None
            mu.proved, mu.failure = False, f"decode: {e}"
        why = test_native(so, k, spec, envs[k])
        if not why and function is not None:
            why = test_model(function, spec, model_envs[k])
        mu.wrong, mu.why = bool(why), why
        if function is not None:
            res = prove(function, spec, search_counterexample=False, library=so)
            mu.proved = res.proved
            mu.failure = "" if res.proved else res.message
        mutants.append(mu)
        if progress:
            progress(mu)
    return mutants


def summary(mutants: list[Mutant]) -> dict:
    wrong = [m for m in mutants if m.wrong]
    equivalent = [m for m in mutants if not m.wrong]
    return {
        "mutants": len(mutants),
        "wrong": len(wrong),
        "killed": sum(1 for m in wrong if not m.proved),
        "equivalent": len(equivalent),
        "proved_but_wrong": sum(1 for m in wrong if m.proved),
        "equivalent_proved": sum(1 for m in equivalent if m.proved),
        "equivalent_not_proved": sum(1 for m in equivalent if not m.proved),
        "kill_rate": (sum(1 for m in wrong if not m.proved) / len(wrong)) if wrong else 1.0,
    }
