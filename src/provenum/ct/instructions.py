"""Every instruction of the built library against an allow-list of data-independent-timing instructions.

Memcheck sees branches and addresses, not latencies: an instruction whose
time depends on its operands' values (div, and on some CPUs other shifts,
bit scans or multiplies) leaks through timing with no secret branch at all.
This check decodes the whole library as the loader maps it (the executable
PT_LOAD segments): every function symbol (the kernels, the compiled C, the
cffi bindings, the C runtime's) and every byte between them (PLT, init,
padding), and puts each instruction in one of these classes:

  doit     on Intel's Data Operand Independent Timing list ("Data Operand
           Independent Timing Instruction Set Architecture (ISA) Guidance":
           timing independent of the data operands' values on every Intel
           CPU, with IA32_UARCH_MISC_CTL[DOITM] set where the CPU has it).
           Only the mnemonics below, transcribed from that list; anything
           else the compiler may emit is reported until someone checks it.
  control  control transfer (jmp, jcc, call, ret, leave): its time depends on
           the target and the predictor, not on data operands; that no target
           or condition depends on a secret is what memcheck and the prover check
  nodata   no data operand at all (nop, endbr64, vzeroupper, stc): nothing to
           depend on.  stc is not on Intel's list, which lists instructions
           by their data operands
  string   rep movs / rep stos: the memcpy and memset the compiler inlined for
           fixed sizes; their time depends on the count and the addresses
           (public: memcheck checks both), not on the bytes moved.  Not on
           Intel's list
  public   allowed only in the named functions, which handle no secret
           (CPU identification: cpuid, xgetbv; the Barrett constants of the
           key generation's public small primes: div)

Anything else is a finding, with the functions it occurs in. Arm code is
not checked (the library has none yet; when it does, its allow-list is
Arm's DIT list).
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

CONDITIONS = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")

DOIT = frozenset({
    # general purpose
    "adc", "adcx", "add", "adox", "and", "andn", "bswap", "bt", "btr", "bts", "cdqe", "cmp", "cqo", "dec", "imul",
    "inc", "lea", "mov", "movabs", "movsx", "movsxd", "movzx", "mul", "mulx", "neg", "not", "or", "pop",
    "push", "rol", "ror", "rorx", "sar", "sbb", "shl", "shld", "shlx", "shr", "shrd", "shrx", "sub", "test",
    "xor",
    *(f"cmov{c}" for c in CONDITIONS), *(f"set{c}" for c in CONDITIONS),
    # vector integer moves, logic and compares (SSE, AVX2, AVX-512 forms of listed instructions)
    "movd", "movq", "movdqa", "movdqu", "pxor", "pand", "por", "paddq",
    "vmovd", "vmovq", "vmovdqa", "vmovdqu", "vmovdqa64", "vmovdqu64",
    "vpand", "vpandq", "vpor", "vporq", "vpxor", "vpxorq", "vpternlogq",
    "vpaddq", "vpsubq", "vpbroadcastq", "vpcmpeqq",
    # SSE integer arithmetic, shifts by immediate and shuffles, and plain 128-bit moves, as the
    # compiler emits them for the SHA-1/SHA-2 blocks and the key generation's trial division
    "paddd", "pmuludq", "pslld", "psllq", "psrld", "psrlq", "punpckhdq", "punpckldq", "punpcklqdq",
    "shufps", "movaps", "movups", "vpmovzxdq", "vpmuludq", "vpsrlq",
    # AVX-512 IFMA products and the lane shuffles of the radix-2^52 kernels (the list's AVX512_IFMA and
    # AVX512F entries: VPMADD52LUQ, VPMADD52HUQ, VALIGNQ)
    "vpmadd52luq", "vpmadd52huq", "valignq",
})

CONTROL = frozenset({"jmp", "call", "ret", "leave", *(f"j{c}" for c in CONDITIONS)})
NODATA = frozenset({"nop", "endbr64", "vzeroupper", "stc"})
STRING = frozenset({"rep movsq", "rep stosq", "rep movsd", "rep stosd", "rep movsb", "rep stosb"})
PUBLIC_ONLY = {
    "provenum_cpu_features": frozenset({"cpuid", "xgetbv"}),
    "provenum_cpu_identity": frozenset({"cpuid", "movups"}),
    # key generation's sieve: Barrett constants 2^64 / p of the public small primes
    "sieve_add": frozenset({"div"}),
    # a test entry point: the Barrett constant of a public small modulus
    "provenum_small_residue": frozenset({"div"}),
    # the Barrett constant 2^64 / e of the public exponent (3 or 65537)
    "gen_prime": frozenset({"div"}),
    "inverse_of_e": frozenset({"div"}),
}

CLASS_REASONS = {
    "doit": "on Intel's DOIT list: timing independent of the data operands",
    "control": "control transfer: time depends on the target, which memcheck and the prover check is public",
    "nodata": "no data operand",
    "string": "inlined memcpy/memset: time depends on count and addresses (public, memcheck-checked)",
    "public": "only where no secret is an operand (CPU identification, public small primes)",
}


def classify(mnemonic: str, function: str) -> str | None:
    """The class that allows `mnemonic` in `function`, or None."""
    if mnemonic in DOIT:
        return "doit"
    if mnemonic in CONTROL:
        return "control"
    if mnemonic in NODATA:
        return "nodata"
    if mnemonic in STRING:
        return "string"
    if mnemonic in PUBLIC_ONLY.get(function, ()):
        return "public"
    return None


@dataclass
class Use:
    mnemonic: str
    klass: str | None           # None: not allowed
    count: int = 0
    functions: set = field(default_factory=set)
    first: dict = field(default_factory=dict)   # function -> address of its first occurrence


@dataclass
class Result:
    library: str
    functions: int              # function symbols decoded
    gap_bytes: int              # executable bytes outside every function symbol, decoded too
    instructions: int
    uses: dict                  # (mnemonic, class) -> Use
    undecodable: list           # (address, function) where capstone could not decode

    @property
    def findings(self) -> list[Use]:
        return sorted((u for u in self.uses.values() if u.klass is None), key=lambda u: u.mnemonic)

    @property
    def allowed(self) -> list[Use]:
        return sorted((u for u in self.uses.values() if u.klass), key=lambda u: (u.klass, u.mnemonic))

    @property
    def passed(self) -> bool:
        return not self.findings and not self.undecodable and self.instructions > 0

    def as_dict(self) -> dict:
        def use(u):
            return {"mnemonic": u.mnemonic, "class": u.klass, "count": u.count,
                    "functions": sorted(u.functions),
                    "first": {f: hex(a) for f, a in sorted(u.first.items())}}
        return {"library": self.library, "passed": self.passed, "functions": self.functions,
                "gap_bytes": self.gap_bytes, "instructions": self.instructions,
                "classes": CLASS_REASONS, "allowed": [use(u) for u in self.allowed],
                "findings": [use(u) for u in self.findings],
                "undecodable": [{"address": hex(a), "function": f} for a, f in self.undecodable]}


def _functions(library) -> dict[int, tuple[str, int]]:
    """address -> (name, size) of every sized function symbol (.symtab and .dynsym)."""
    from ..isa.elf import code_symbols

    return {addr: (sym.name, sym.size) for addr, sym in code_symbols(library).items()}


def _pieces(base: int, length: int, functions) -> list[tuple[int, int, str]]:
    """The segment cut into (start, end, name): function symbols, and the bytes between them."""
    out, pos = [], base
    for addr, (name, size) in sorted(functions.items()):
        end = min(addr + size, base + length)
        if end <= base or addr >= base + length:
            continue
        if addr > pos:
            out.append((pos, addr, f"<no symbol at {pos:#x}>"))
        if end > pos:
            out.append((max(addr, pos), end, name))
            pos = end
    if pos < base + length:
        out.append((pos, base + length, f"<no symbol at {pos:#x}>"))
    return out


def check(library: str | None = None) -> Result:
    """Decode every executable byte of `library` (default: the built one) and classify it."""
    import capstone

    from ..isa.elf import code_segments

    if library is None:
        from ..native import library_path

        library = library_path()
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    uses: dict[tuple, Use] = {}
    undecodable, count, gap_bytes = [], 0, 0
    segments = code_segments(library, "x86_64")   # WrongMachineError for another ISA
    functions = _functions(library)
    for base, data in segments:
        for start, end, name in _pieces(base, len(data), functions):
            if name.startswith("<"):
                gap_bytes += end - start
            code, off = data[start - base:end - base], 0
            while off < len(code):
                for ins in md.disasm(code[off:], start + off):
                    klass = classify(ins.mnemonic, name)   # "public" ones: allowed in some functions only
                    u = uses.setdefault((ins.mnemonic, klass), Use(ins.mnemonic, klass))
                    u.count += 1
                    u.functions.add(name)
                    u.first.setdefault(name, ins.address)
                    count += 1
                    off += ins.size
                if off < len(code):             # capstone stopped: bytes it cannot decode
                    undecodable.append((start + off, name))
                    off += 1
    return Result(library, len(functions), gap_bytes, count, uses, undecodable)


def by_function(result: Result) -> dict[str, list[str]]:
    """function -> the mnemonics found there that are not allowed (for the report)."""
    out = collections.defaultdict(list)
    for u in result.findings:
        for f in sorted(u.functions):
            out[f].append(u.mnemonic)
    return dict(out)
