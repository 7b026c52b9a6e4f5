"""Soundness fuzzing of the verifier: random short programs, every "proved" checked by running it.

Each candidate is a function computing a small product or sum (x0 + y0,
x*y, bignum(x, 2) + bignum(y, 2), c x0 + y0, ...) by randomly chosen
means -- add/adc chains with neutral or flag-clobbering instructions
between the links, adcx/adox, mul/mulx/imul, loops with public counts,
calls to a helper (followed into its bytes) or to a product kernel
(replaced by its spec), spills to the red zone, below it, to a frame, by
push/pop -- plus "gadgets" that add a value meant to be 0 in tricky ways
(round trips through memory in 1-, 2-, 4- and 8-byte pieces, masks made at
32 and 64 bits, carries of narrow adds, rotates, prefixed encodings), each
drawn to be right or subtly wrong. Its spec is the intended value, or a
subtly false one.

A candidate the verifier proves is then run natively (guard words,
callee-saved canaries, signals arriving all the time) and in the model
(hostile stack) on random and edge inputs: any failure is PROVED-BUT-WRONG,
a bug of the verifier. Candidates not proved are also run natively, to
count the wrong ones the verifier rejected and the right ones it could not
prove (incompleteness, not a bug).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from .specs.base import Big, Buffer, Num, Pow2, Spec, Word, eq

ABI3 = ("rdi", "rsi", "rdx")
SCRATCH = ("rax", "rcx", "r8", "r9", "r10", "r11")


@dataclass
class Candidate:
    name: str
    body: str
    spec: Spec
    kind: str                     # the template
    variants: list = field(default_factory=list)   # the random choices, "!" marking a deliberate flaw
    helpers: dict = field(default_factory=dict)

    @property
    def flawed(self) -> bool:
        return any(v.startswith("!") for v in self.variants)


def _spec(name: str, kx: int, ky: int, m: int, expr) -> Spec:
    return Spec(name=name, family="fuzz", summary=f"fuzz: z[{m}] := {expr.show()}",
                prototype=f"void {name}(uint64_t z[{m}], const uint64_t x[{kx}], const uint64_t y[{ky}])",
                args=tuple(zip(ABI3, ("z", "x", "y"))),
                buffers=(Buffer("z", m, writable=True), Buffer("x", kx), Buffer("y", ky)),
                post=(eq(Big("z", m), expr),), strategy="exact", params={"n": m})


class Program:
    """Lines of one function body, with the random choices that made them."""

    def __init__(self, rng: random.Random, name: str):
        self.rng, self.name = rng, name
        self.lines: list[str] = []
        self.variants: list[str] = []
        self.helpers: dict = {}
        self.labels = 0

    def emit(self, *lines: str) -> None:
        self.lines.extend(f"    {ln}" if not ln.endswith(":") else ln for ln in lines)

    def choose(self, what: str, options: dict, flaw: float = 0.0):
        """One of `options` (name -> value); with probability `flaw` one of the flawed ones ("!name")."""
        good = [k for k in options if not k.startswith("!")]
        bad = [k for k in options if k.startswith("!")]
        key = self.rng.choice(bad) if bad and self.rng.random() < flaw else self.rng.choice(good)
        self.variants.append(f"{key}" if key.startswith("!") else f"{what}:{key}")
        return options[key]

    def label(self) -> str:
        self.labels += 1
        return f".L{self.name}_{self.labels}"

    def neutral(self, flaw: float) -> None:
        """Zero or more instructions between the links of a carry chain (some clobber CF: flaws)."""
        for _ in range(self.rng.choice((0, 0, 1, 2))):
            self.emit(*self.choose("between", {
                "lea": ["lea r11, [r11+8]"], "mov": ["mov r11, 7"], "inc": ["inc r11"], "dec": ["dec r11"],
                "movzx": ["movzx r11d, r11b"], "xchg": ["xchg r10, r11", "xchg r10, r11"],
                "push-pop": ["push r11", "pop r11"], "not": ["not r11"], "setc": ["setc r11b"],
                "!test": ["test r11, r11"], "!xor": ["xor r11d, r11d"], "!add0": ["add r11, 0"],
                "!shl1": ["shl r11, 1"], "!bt": ["bt r11, 3"],
            }, flaw))

    def text(self) -> str:
        return "\n".join(self.lines)


# --- carries into the output ---------------------------------------------------------------------------------

def _capture_carry(p: Program, reg: str, flaw: float) -> list[str]:
    """reg := CF (the carry of the add just done); flags after it are whatever."""
    r32 = {"rax": "eax", "rcx": "ecx", "r8": "r8d", "r9": "r9d", "r10": "r10d", "r11": "r11d"}[reg]
    r8 = {"rax": "al", "rcx": "cl", "r8": "r8b", "r9": "r9b", "r10": "r10b", "r11": "r11b"}[reg]
    return p.choose("carry", {
        "setc": [f"setc {r8}", f"movzx {r32}, {r8}"],
        "adc0": [f"mov {reg}, 0", f"adc {reg}, 0"],
        "sbb-neg": [f"sbb {reg}, {reg}", f"neg {reg}"],
        "cmov": [f"mov {reg}, 0", "mov r11, 1", f"cmovc {reg}, r11"],
        "setc-movsx": [f"setc {r8}", f"movsx {reg}, {r8}"],
        "!sbb32": [f"sbb {r32}, {r32}", f"neg {reg}"],   # -c made at 32 bits and zero-extended: not c
        "!xor-first": [f"xor {r32}, {r32}", f"adc {reg}, 0"],  # clears CF first: carry lost
    }, flaw)


def _add_into_z(p: Program, value: str, words: int, flaw: float) -> None:
    """z += value (a 64-bit register), the carry rippling through z[1..words-1]."""
    p.emit(f"add [rdi], {value}")
    for k in range(1, words):
        p.neutral(flaw * 0.3)
        p.emit(f"adc qword ptr [rdi+{8 * k}], 0")


# --- templates: what the function computes --------------------------------------------------------------------

def t_add1(p: Program, flaw: float):
    """z[2] = x0 + y0."""
    p.emit("mov r8, [rsi]")
    p.emit(*p.choose("add", {"add": ["add r8, [rdx]"], "adcx": ["xor eax, eax", "adcx r8, [rdx]"],
                             "adc": ["clc", "adc r8, [rdx]"], "!adox": ["xor eax, eax", "adox r8, [rdx]"]}, flaw))
    p.neutral(flaw)
    carry = _capture_carry(p, "rax", flaw)
    p.emit("mov [rdi], r8", *carry, "mov [rdi+8], rax")
    return 1, 1, 2, Word("x", 0) + Word("y", 0)


def t_add2(p: Program, flaw: float):
    """z[3] = bignum(x, 2) + bignum(y, 2): a two-link chain, maybe as a loop with a public count."""
    if p.rng.random() < 0.4:
        loop = p.label()
        p.variants.append("chain:loop")
        p.emit("xor ecx, ecx", "clc" if p.rng.random() < 0.5 else "xor r11d, r11d", "mov r9, 2", f"{loop}:",
               "mov r8, [rsi+rcx*8]", "adc r8, [rdx+rcx*8]", "mov [rdi+rcx*8], r8",
               *p.choose("step", {"inc": ["inc rcx"], "lea": ["lea rcx, [rcx+1]"], "!add": ["add rcx, 1"]}, flaw),
               "dec r9", f"jnz {loop}")
    else:
        p.emit("mov r8, [rsi]", "add r8, [rdx]", "mov [rdi], r8")
        p.neutral(flaw)
        p.emit("mov r9, [rsi+8]", *p.choose("link", {"adc": ["adc r9, [rdx+8]"], "!add": ["add r9, [rdx+8]"]}, flaw),
               "mov [rdi+8], r9")
    carry = _capture_carry(p, "rax", flaw)
    p.emit(*carry, "mov [rdi+16], rax")
    return 2, 2, 3, Big("x", 2) + Big("y", 2)


def _multiply(p: Program, flaw: float, src: str, dst_lo: str, dst_hi: str) -> None:
    """dst_hi:dst_lo = x0 * [src] (unsigned)."""
    p.emit(*p.choose("mul", {
        "mul": ["mov rax, [rsi]", f"mul qword ptr [{src}]", f"mov {dst_lo}, rax", f"mov {dst_hi}, rdx"],
        "mulx": ["mov r11, rdx", "mov rdx, [rsi]", f"mulx {dst_hi}, {dst_lo}, [{src}]", "mov rdx, r11"],
        "!imul": ["mov rax, [rsi]", f"mov r11, [{src}]", "imul r11", f"mov {dst_lo}, rax", f"mov {dst_hi}, rdx"],
    }, flaw))


def t_mul1(p: Program, flaw: float):
    """z[2] = x0 * y0."""
    p.emit("mov rcx, rdx")
    _multiply(p, flaw, "rcx", "r8", "r9")
    p.emit("mov [rdi], r8", "mov [rdi+8], r9")
    return 1, 1, 2, Word("x", 0) * Word("y", 0)


def t_mac(p: Program, flaw: float):
    """z[2] = x0 * y0 + x1."""
    p.emit("mov rcx, rdx")
    _multiply(p, flaw, "rcx", "r8", "r9")
    p.emit("add r8, [rsi+8]")
    p.neutral(flaw)
    p.emit(*p.choose("link", {"adc": ["adc r9, 0"], "!add": ["add r9, 0"]}, flaw), "mov [rdi], r8", "mov [rdi+8], r9")
    return 2, 1, 2, Word("x", 0) * Word("y", 0) + Word("x", 1)


def t_scale(p: Program, flaw: float):
    """z[2] = c x0 + y0, c added up in a loop with a public count (or by mul, by shifts)."""
    c = p.rng.randint(1, 9)
    how = p.rng.choice(("loop", "mul", "shift")) if c & (c - 1) == 0 else p.rng.choice(("loop", "mul"))
    p.variants.append(f"scale:{c}:{how}")
    p.emit("mov r8, [rdx]", "xor r9d, r9d")
    if how == "loop":
        loop = p.label()
        p.emit(f"mov ecx, {c}", f"{loop}:", "add r8, [rsi]", "adc r9, 0",
               *p.choose("count", {"dec": ["dec ecx"], "sub": ["sub ecx, 1"]}, 0), f"jnz {loop}")
    elif how == "mul":
        p.emit(f"mov eax, {c}", "mul qword ptr [rsi]", "add r8, rax", "adc r9, rdx")
    else:
        k = c.bit_length() - 1
        p.emit("mov rax, [rsi]", "mov r10, rax", f"shl rax, {k}" if k else "nop", f"shr r10, {64 - k}" if k else
               "xor r10d, r10d", "add r8, rax", "adc r9, r10")
    p.emit("mov [rdi], r8", "mov [rdi+8], r9")
    return 1, 1, 2, Num(c) * Word("x", 0) + Word("y", 0)


def t_sub(p: Program, flaw: float):
    """z[2] = x0 + 2^64 - y0."""
    p.emit("mov r8, [rsi]", "sub r8, [rdx]")
    p.neutral(flaw)
    p.emit(*p.choose("borrow", {"sbb": ["mov eax, 1", "sbb rax, 0"], "setnc": ["setnc al", "movzx eax, al"],
                                "!sbb-wrong": ["mov eax, 1", "adc rax, 0"]}, flaw), "mov [rdi], r8", "mov [rdi+8], rax")
    return 1, 1, 2, Word("x", 0) + Pow2(64) - Word("y", 0)


def t_call_helper(p: Program, flaw: float):
    """z[2] = x0 + y0 by a helper in the same library (followed into its bytes)."""
    helper = f"{p.name}_add"
    clobbers = p.rng.choice(([], ["mov r10, -1"], ["mov r11, 5", "mov r10, 0"]))
    p.helpers[helper] = "\n".join(["    mov rax, rdi", "    xor edx, edx", "    add rax, rsi", "    adc edx, 0"]
                                  + [f"    {c}" for c in clobbers] + ["    ret"])
    keep = p.choose("keep-z", {"rbx": "rbx", "frame": "frame", "!r10": "r10"}, flaw if clobbers else 0)
    p.emit("push rbx")
    if keep == "frame":
        p.emit("sub rsp, 16", "mov [rsp+8], rdi")
    else:
        p.emit(f"mov {keep}, rdi")
    p.emit("mov rdi, [rsi]", "mov rsi, [rdx]", f"call {helper}")
    if keep == "frame":
        p.emit("mov rdi, [rsp+8]", "add rsp, 16")
    else:
        p.emit(f"mov rdi, {keep}")
    p.emit("pop rbx", "mov [rdi], rax", "mov [rdi+8], rdx")
    return 1, 1, 2, Word("x", 0) + Word("y", 0)


def t_call_mul(p: Program, flaw: float):
    """z[2] = x0 * y0 by bignum_mul_1_2 (a product kernel: proved alone and replaced by its spec)."""
    p.helpers["bignum_mul_1_2"] = "\n".join(["    mov rcx, rdx", "    mov rax, [rsi]", "    mul qword ptr [rcx]",
                                             "    mov [rdi], rax", "    mov [rdi+8], rdx", "    ret"])
    where = p.choose("copy-x", {"direct": None, "frame": "frame", "!red-zone": "red"}, flaw)
    if where is None:
        p.emit("call bignum_mul_1_2")
    elif where == "frame":
        p.emit("sub rsp, 24", "mov rax, [rsi]", "mov [rsp], rax", "mov rsi, rsp", "call bignum_mul_1_2",
               "add rsp, 24")
    else:
        p.emit("mov rax, [rsi]", "mov [rsp-8], rax", "lea rsi, [rsp-8]", "call bignum_mul_1_2")
    return 1, 1, 2, Word("x", 0) * Word("y", 0)


TEMPLATES = {"add1": t_add1, "add2": t_add2, "mul1": t_mul1, "mac": t_mac, "scale": t_scale, "sub": t_sub,
             "call-helper": t_call_helper, "call-mul": t_call_mul}


# --- gadgets: values meant to be 0, added into z ---------------------------------------------------------

def _round_trip(p: Program, flaw: float) -> list[str]:
    """r10 := x0 through memory (pieces of 1, 2, 4 or 8 bytes), r11 := x0; then r10 -= r11."""
    off = p.choose("slot", {"red-8": -8, "red-64": -64, "red-128": -128, "!below-136": -136, "!below-512": -512},
                   flaw)
    piece = p.rng.choice((8, 4, 2, 1))
    p.variants.append(f"pieces:{piece}")
    reg = {8: "r11", 4: "r11d", 2: "r11w", 1: "r11b"}[piece]
    size = {8: "qword", 4: "dword", 2: "word", 1: "byte"}[piece]
    out = ["mov r10, [rsi]"] + ([f"mov qword ptr [rsp{off:+d}], 0"] if piece < 8 else [])
    order = list(range(0, 8, piece))
    if p.rng.random() < 0.5:
        order.reverse()
    for k in order:
        out += ["mov r11, r10", f"shr r11, {8 * k}" if k else "nop", f"mov {size} ptr [rsp{off + k:+d}], {reg}"]
    out += [f"mov r11, [rsp{off:+d}]", "sub r11, r10", "mov r10, r11"]
    return out


def _masks(p: Program, flaw: float) -> list[str]:
    """r10 := (-CF as 64 bits) - (-CF made at 32 bits and widened); 0 when widened by sign."""
    return ["mov r10, [rsi]", "add r10, [rdx]"] + p.choose("mask", {
        "sbb64-twice": ["sbb r10, r10", "sbb r11, r11", "sub r10, r11"],
        "halves": ["mov qword ptr [rsp-16], 0", "sbb r11d, r11d", "mov [rsp-16], r11d", "mov [rsp-12], r11d",
                   "sbb r10, r10", "sub r10, [rsp-16]"],
        "movsxd": ["sbb r11d, r11d", "movsxd r11, r11d", "sbb r10, r10", "sub r10, r11"],
        "!zext": ["sbb r11d, r11d", "sbb r10, r10", "sub r10, r11"],
        "!byte-halves": ["mov qword ptr [rsp-16], 0", "setc r11b", "movsx r11d, r11b", "mov [rsp-16], r11d",
                         "mov [rsp-12], r11d", "movsx r10, r11b", "sub r10, [rsp-16]"],
        "sext-byte": ["movsx r11, byte ptr [rsi]", "mov [rsp-16], r11", "movsx r10, byte ptr [rsi]",
                      "sub r10, [rsp-16]"],
        "!sext-byte-halves": ["mov qword ptr [rsp-16], 0", "movsx r11d, byte ptr [rsi]", "mov [rsp-16], r11d",
                              "mov [rsp-12], r11d", "movsx r10, byte ptr [rsi]", "sub r10, [rsp-16]"],
    }, flaw)


def _narrow_carry(p: Program, flaw: float) -> list[str]:
    """r10 := carry of a 32-bit add that always (or, wrongly assumed, never) carries, minus that."""
    return p.choose("narrow", {
        "x+~x+1": ["mov r10d, [rsi]", "mov r11d, r10d", "not r11d", "stc", "adc r10d, r11d", "setc r10b",
                   "movzx r10d, r10b", "sub r10, 1"],
        "x+~x": ["mov r10d, [rsi]", "mov r11d, r10d", "not r11d", "add r10d, r11d", "setc r10b",
                 "movzx r10d, r10b"],
        "byte": ["movzx r10d, byte ptr [rsi]", "mov r11d, r10d", "not r11b", "add r10b, r11b", "setc r10b",
                 "movzx r10d, r10b"],
        "!x+y": ["mov r10d, [rsi]", "add r10d, [rdx]", "setc r10b", "movzx r10d, r10b"],
        "!x+~x+1-64": ["mov r10d, [rsi]", "mov r11d, r10d", "not r11d", "stc", "adc r10d, r11d", "setc r10b",
                       "movzx r10d, r10b"],
    }, flaw)


def _rotate(p: Program, flaw: float) -> list[str]:
    k = p.rng.randint(1, 63)
    return ["mov r10, [rsi]", "mov r11, r10"] + p.choose("rotate", {
        "rol-ror": [f"rol r11, {k}", f"ror r11, {k}"], "ror-rol": [f"ror r11, {k}", f"rol r11, {k}"],
        "shl-64": ["mov ecx, 64", "shl r11, cl"],   # count masked to 0: no shift
        "!rol-rol": [f"rol r11, {k}", f"rol r11, {64 - k}" if k != 32 else "rol r11, 31"],
    }, flaw) + ["sub r11, r10", "mov r10, r11"]


def _prefixed(p: Program, flaw: float) -> list[str]:
    """Encodings the CPU and capstone read differently: the decoder must refuse them."""
    return ["xor r10d, r10d"] + p.choose("prefix", {
        "plain-push": ["push 5", "pop r11", "sub r11, 5", "add r10, r11"],
        "!66-push": [".byte 0x66, 0x6a, 0x05", "pop r11", "sub r11, 5", "add r10, r11"],
        "!66-jne": ["test r10, r10", ".byte 0x66, 0x0f, 0x85, 0, 0, 0, 0"],
        "!rep-add": [".byte 0xf3", "add r10, 0"],
    }, flaw)


GADGETS = {"round-trip": _round_trip, "masks": _masks, "narrow-carry": _narrow_carry, "rotate": _rotate,
           "prefixed": _prefixed}


def generate(rng: random.Random, index: int, flaw: float | None = None) -> Candidate:
    """One random candidate (program and spec).

    Shape: save rbx, r12; z's address to rbx; gadgets (their values summed in
    r12, meant to be 0) while the argument registers still hold the pointers;
    the template's computation into z; z += r12; restore; return.
    """
    name = f"pv_fuzz_{index}"
    if flaw is None:   # half meant to be right, half with flaws drawn at some of their choices
        flaw = 0.0 if rng.random() < 0.5 else rng.choice((0.15, 0.3, 0.5))
    p = Program(rng, name)
    kind = rng.choice(list(TEMPLATES))
    p.emit("push rbx", "push r12", "mov rbx, rdi", "xor r12d, r12d")
    for _ in range(rng.choice((0, 0, 1, 2))):
        g = rng.choice(list(GADGETS))
        p.variants.append(f"gadget:{g}")
        p.emit(*GADGETS[g](p, flaw), "add r12, r10")
    kx, ky, m, expr = TEMPLATES[kind](p, flaw)
    p.emit("mov rdi, rbx")
    _add_into_z(p, "r12", m, flaw)
    p.emit(*p.choose("restore", {"pop": ["pop r12", "pop rbx"], "!swap": ["pop rbx", "pop r12"]}, flaw * 0.2))
    p.emit("ret")
    spec_expr = expr
    if rng.random() < flaw * 0.3:   # a subtly false spec (or the true one written another way)
        spec_expr, how = rng.choice(((expr + Num(1), "!spec:plus-one"), (expr + Pow2(64 * m - 1), "!spec:top-bit"),
                                     (expr * Num(1) + Word("x", 0) * Num(0), "spec:same")))
        p.variants.append(how)
    spec = _spec(name, kx, ky, m, spec_expr)
    return Candidate(name, p.text(), spec, kind, p.variants, p.helpers)


# --- checking ------------------------------------------------------------------------------------

@dataclass
class Outcome:
    name: str
    kind: str
    variants: list
    proved: bool
    why_not: str = ""          # the verifier's message when not proved
    wrong: str = ""            # what running it showed ('' : nothing wrong found)
    text: str = ""


def _assemble(cands: list, directory: Path):
    """One shared object holding the candidates and their helpers; None if gcc refuses it."""
    import subprocess

    funcs: dict = {}
    for c in cands:
        funcs[c.name] = c.body
        funcs.update(c.helpers)
    src = [".intel_syntax noprefix", ".text"]
    for name, body in funcs.items():
        src += [f".globl {name}", f".protected {name}", f".type {name}, @function", f"{name}:", body,
                f".size {name}, .-{name}"]
    src.append('.section .note.GNU-stack,"",@progbits')
    s = directory / "fuzz.S"
    s.write_text("\n".join(src) + "\n")
    so = directory / "fuzz.so"
    r = subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], capture_output=True, text=True)
    return so if r.returncode == 0 else None


def _inputs(spec, rng: random.Random, count: int) -> list:
    from .counterexample import STYLES, candidate

    return [candidate(spec, rng, STYLES[k % len(STYLES)]) for k in range(count)]


def check_batch(cands: list, directory: Path, rng: random.Random, tests: int = 24) -> list[Outcome]:
    """Prove each candidate; run the proved ones natively and in the model, the others natively."""
    from ..isa.x86_64.decode import decode_symbol
    from ..isa.x86_64.instruction import DecodeError
    from .prover import prove
    from .runs import model_check, native_check_many

    so = _assemble(cands, directory)
    if so is None:   # one bad candidate spoils the batch: assemble them one by one
        out = []
        for i, c in enumerate(cands):
            d = directory / f"one{i}"
            d.mkdir(exist_ok=True)
            if _assemble([c], d) is not None:
                out += check_batch([c], d, rng, tests)
        return out
    outcomes, runs, functions = [], [], []
    for c in cands:
        envs = _inputs(c.spec, rng, tests)
        try:
            fn = decode_symbol(so, c.name)
        except DecodeError as e:
            outcomes.append(Outcome(c.name, c.kind, c.variants, False, f"decode: {e}", "", c.body))
            runs.append((c.name, c.spec, envs[:8]))
            functions.append(None)
            continue
        res = prove(fn, c.spec, search_counterexample=False, library=so)
        outcomes.append(Outcome(c.name, c.kind, c.variants, res.proved, "" if res.proved else res.message, "",
                                c.body))
        runs.append((c.name, c.spec, envs if res.proved else envs[:8]))
        functions.append(fn)
    native = native_check_many(so, runs)
    for o, fn, (name, spec, envs), why in zip(outcomes, functions, runs, native):
        o.wrong = why
        if o.proved and not why:   # the model too, with a hostile stack
            o.wrong = model_check(fn, spec, envs[:8], library=so, seed=rng.randrange(1 << 30))
    return outcomes


@dataclass
class Report:
    seed: int
    seconds: float = 0.0
    programs: int = 0
    proved: int = 0
    proved_but_wrong: list = field(default_factory=list)   # Outcomes: verifier bugs
    rejected_wrong: int = 0       # not proved, and running them shows they are wrong
    rejected_decode: int = 0      # not proved because the decoder refuses an encoding
    not_proved_right: int = 0     # not proved, nothing wrong found (incompleteness or a bug testing missed)
    by_template: dict = field(default_factory=dict)

    def add(self, o: Outcome) -> None:
        self.programs += 1
        row = self.by_template.setdefault(o.kind, {"programs": 0, "proved": 0, "wrong_rejected": 0})
        row["programs"] += 1
        if o.proved:
            self.proved += 1
            row["proved"] += 1
            if o.wrong:
                self.proved_but_wrong.append(o)
        elif o.why_not.startswith("decode:"):
            self.rejected_decode += 1
        elif o.wrong:
            self.rejected_wrong += 1
            row["wrong_rejected"] += 1
        else:
            self.not_proved_right += 1

    def as_dict(self) -> dict:
        return {"seed": self.seed, "seconds": round(self.seconds, 1), "programs": self.programs,
                "proved": self.proved, "proved_but_wrong": len(self.proved_but_wrong),
                "rejected_wrong": self.rejected_wrong, "rejected_decode": self.rejected_decode,
                "not_proved_right": self.not_proved_right, "by_template": self.by_template,
                "failures": [{"name": o.name, "variants": o.variants, "wrong": o.wrong, "text": o.text}
                             for o in self.proved_but_wrong]}


def _worker(args) -> dict:
    seed, start, count, deadline, batch = args
    import tempfile

    rng = random.Random(seed)
    report = Report(seed)
    index = start
    with tempfile.TemporaryDirectory(prefix="pv-fuzz-") as tmp:
        while report.programs < count and time.time() < deadline:
            n = min(batch, count - report.programs)
            cands = [generate(rng, index + i) for i in range(n)]
            index += n
            d = Path(tmp) / f"b{index}"
            d.mkdir()
            for o in check_batch(cands, d, rng):
                report.add(o)
    return report.as_dict()


def run(seconds: float, seed: int, jobs: int = 1, programs: int | None = None, batch: int = 40,
        progress=None) -> Report:
    """Fuzz for `seconds` (or until `programs` candidates) on `jobs` processes."""
    from concurrent.futures import ProcessPoolExecutor

    start = time.time()
    deadline = start + seconds
    total = Report(seed)
    per_job = (programs + jobs - 1) // jobs if programs else 1 << 40
    rounds = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while time.time() < deadline and (programs is None or total.programs < programs):
            # short rounds so progress shows and the deadline holds
            chunk = 4 * batch
            left = None if programs is None else programs - total.programs
            want = [min(chunk, per_job) if left is None else min(chunk, max(0, left - i * chunk))
                    for i in range(jobs)]
            futures = [pool.submit(_worker, (seed * 1_000_003 + rounds * jobs + i, (rounds * jobs + i) * chunk,
                                             want[i], deadline, batch)) for i in range(jobs) if want[i] > 0]
            rounds += 1
            for f in futures:
                part = f.result()
                _merge(total, part)
                if progress:
                    progress(total)
    total.seconds = time.time() - start
    return total


def _merge(total: Report, part: dict) -> None:
    total.programs += part["programs"]
    total.proved += part["proved"]
    total.rejected_wrong += part["rejected_wrong"]
    total.rejected_decode += part["rejected_decode"]
    total.not_proved_right += part["not_proved_right"]
    for k, row in part["by_template"].items():
        mine = total.by_template.setdefault(k, {"programs": 0, "proved": 0, "wrong_rejected": 0})
        for key in mine:
            mine[key] += row[key]
    for f in part["failures"]:
        total.proved_but_wrong.append(Outcome(f["name"], "", f["variants"], True, "", f["wrong"], f["text"]))
