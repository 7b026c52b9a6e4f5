"""Honesty of the verifier: mutants of proved kernels must not be proved when wrong.

A mutant is the generated assembly of a kernel with one small change (swap
a register operand, adc -> add, adcx <-> adox, sbb -> sub, drop or duplicate
an instruction, change a displacement or immediate, swap two dependent
neighbouring instructions), reassembled with gcc into its own shared object
together with every kernel it calls (so a kernel with calls runs and proves
as it ships; a mutation may also land in one of its callees, which a summary
of that callee must then not hide).

Each mutant is classified by concrete testing (verify/runs.py) -- native
runs on random and edge-case inputs, tables at many heights (the proof covers
every height), in a child process with guard words around every buffer,
canaries in the callee-saved registers and signals arriving all the time, so
crashes, stray writes, frame damage and data parked below the red zone count;
plus model runs with a hostile stack -- and then verified. A mutant that
cannot run on this CPU (an instruction needing a feature it lacks) is
classified by the model alone, on all the inputs. A mutant with a
counterexample is *wrong*; one without is *equivalent* (testing found
nothing). Every wrong mutant must fail verification (*killed*); a wrong
mutant that verifies is *proved_but_wrong*, which must never happen.
"""
from __future__ import annotations

import random
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .counterexample import STYLES, TABLE_HEIGHTS, candidate

# Kernels mutated by default: small sizes of every proved family at the scalar levels (the table lookup, a
# loop, at every level; Karatsuba 32 calls Karatsuba 16), so a few hundred mutants stay quick.
DEFAULT_KERNELS = tuple(f"{op}_{level}" for level in ("baseline", "bmi2") for op in (
    "bignum_mul_4_8", "bignum_sqr_4_8", "bignum_mul_6_12", "bignum_sqr_6_12", "bignum_montredc_4",
    "bignum_amontredc_4", "bignum_montmul_4", "bignum_amontsqr_4", "bignum_ksqr_16_32", "bignum_ksqr_32_64")) + tuple(
    f"bignum_copy_row_from_table_4_{level}" for level in ("baseline", "avx2", "avx512"))

GPR64 = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
SWAPS = {"adc": "add", "adcx": "adox", "adox": "adcx", "sbb": "sub", "add": "adc", "sub": "sbb",
         "cmovc": "cmovnc", "cmovz": "cmovnz", "sete": "setne", "jb": "jae"}
_INSN = re.compile(r"^(\s+)([a-z][a-z0-9]*)(\s+(.*))?$")
_REG = re.compile(r"\b(r[a-z0-9]+|e[a-z]{2})\b")
_NUM = re.compile(r"(?<![\w.])(-?(?:0x[0-9a-fA-F]+|\d+))\b")
_CALL = re.compile(r"^\s+call\s+(\w+)", re.M)


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
    target: str = ""           # the function mutated: the kernel or one it calls
    natively: bool = True      # classified by running it on this CPU (else by the model alone)


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


def assemble(sources: dict, name: str, directory: Path) -> Path | None:
    """One shared object from the .S texts of `sources` (function name -> text); None if gcc refuses."""
    files = []
    for fn, text in sources.items():
        s = directory / f"{name}-{fn}.S"
        s.write_text(text)
        files.append(str(s))
    so = directory / f"{name}.so"
    r = subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), *files], capture_output=True)
    return so if r.returncode == 0 else None


def calls(name: str) -> list[str]:
    """The kernel and every kernel it calls, transitively (from the generated source)."""
    out, todo = [], [name]
    while todo:
        k = todo.pop()
        if k in out:
            continue
        out.append(k)
        todo += _CALL.findall(kernel_source(k))
    return out


# --- concrete classification --------------------------------------------------------------------------

def classify(library: Path, symbol: str, spec, envs: list, model_envs: list, functions: list) -> tuple[str, bool]:
    """(why it is wrong or '', whether it ran natively): natively and in the model when this CPU can run it,
    else in the model alone on every input."""
    from .runs import model_check, native_check, runs_natively

    fn = functions[0]
    can, _ = runs_natively(functions)
    if can:
        why = native_check(library, symbol, spec, envs)
        if why != "illegal instruction natively":
            return why or model_check(fn, spec, model_envs, library=library), True
    return model_check(fn, spec, envs, library=library), False


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
    closure = {k: calls(k) for k in kernels}
    sources = {f: kernel_source(f) for k in kernels for f in closure[k]}
    specs = {k: specs_for(k)[0] for k in kernels}
    envs = {k: inputs(specs[k], tests, seed) for k in kernels}
    model_envs = {k: envs[k][:3] for k in kernels}
    mutants: list[Mutant] = []
    seen: set = set()
    attempts = 0
    while len(mutants) < count and attempts < count * 50:
        attempts += 1
        k = kernels[len(mutants) % len(kernels)]
        # mostly the kernel itself; sometimes a kernel it calls (its summary must not hide the change)
        target = k if len(closure[k]) == 1 or rng.random() < 0.75 else rng.choice(closure[k][1:])
        got = mutate_once(sources[target], rng)
        if got is None or (target, got[0]) in seen:
            continue
        text, line, op, before, after = got
        idx = len(mutants)
        so = assemble({f: (text if f == target else sources[f]) for f in closure[k]}, f"m{idx}", work)
        if so is None:
            continue
        seen.add((target, text))
        mu = Mutant(k, idx, op, line, before.strip(), after.strip(), text, target=target)
        spec = specs[k]
        try:
            functions = [decode_symbol(so, f) for f in closure[k]]
        except Exception as e:  # an undecodable mutant cannot be proved; still classify it natively
            functions = None
            mu.proved, mu.failure = False, f"decode: {e}"
        if functions is not None:
            mu.why, mu.natively = classify(so, k, spec, envs[k], model_envs[k], functions)
        else:
            from .runs import native_check

            mu.why = native_check(so, k, spec, envs[k])
        mu.wrong = bool(mu.why)
        if functions is not None:
            res = prove(functions[0], spec, search_counterexample=False, library=so)
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
        "in_callees": sum(1 for m in mutants if m.target != m.kernel),
        "classified_by_model_only": sum(1 for m in mutants if not m.natively),
        "kill_rate": (sum(1 for m in wrong if not m.proved) / len(wrong)) if wrong else 1.0,
    }
