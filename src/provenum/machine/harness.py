"""A native harness that runs single instructions on this CPU, many cases per call.

For every example of every form in `provenum.isa.x86_64.forms.FORMS` the
harness has one stub `pv_stub_N(records, count)`. For each record the stub
copies the record's scratch memory into the harness's scratch buffer, loads
all 16 GPRs (rsp included), the status flags and the vector state this CPU
has from the record, executes the instruction, stores everything back into
the record and notes where control landed (1: next instruction, 2: near
target, 3: far target). The vector state is the CPU's own (`VectorState`):
zmm0..31 and k0..7 with AVX-512, ymm0..15 with AVX, xmm0..15 otherwise; an
example whose instruction needs a feature this CPU lacks is never run (its
stub is built but not called: `Harness.skip_reason`). The harness is
assembled with gcc into a shared object once per vector state and cached by
the hash of its source.

Record layout (RECORD bytes, all little-endian):
    0    16 GPRs in encoding order (rax, rcx, rdx, rbx, rsp, ..., r15)
    128  RFLAGS            136  landing code (out)
    192  k0..k7            256  zmm0..zmm31 (64 bytes each)
    2304 scratch memory (SCRATCH bytes), mapped at the harness's pv_scratch
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from provenum.isa.x86_64 import FORMS, Instruction, decode_one
from provenum.isa.x86_64.features import cap, features_of, level_index
from provenum.isa.x86_64.registers import GPR64

OFF_GPR, OFF_FLAGS, OFF_LANDED, OFF_MASK, OFF_VEC, OFF_SCRATCH = 0, 128, 136, 192, 256, 2304
SCRATCH = 512
RECORD = OFF_SCRATCH + SCRATCH
STACK_OFFSET = 128          # test rsp = pv_scratch + STACK_OFFSET; bytes below are its red zone
DATA_START = 128            # memory operands point into scratch[DATA_START:]
LANDED_NEXT, LANDED_NEAR, LANDED_FAR = 1, 2, 3



class HarnessError(RuntimeError):
    """The native harness cannot be built or run here."""


@dataclass(frozen=True)
class VectorState:
    """The vector registers a CPU has, as the harness loads and stores them."""
    name: str
    count: int          # vector registers
    bits: int           # bits of each
    masks: bool         # k0..k7

    @staticmethod
    def for_features(features) -> "VectorState":
        if "avx512f" in features:
            return VectorState("zmm", 32, 512, True)
        if "avx" in features:
            return VectorState("ymm", 16, 256, False)
        return VectorState("xmm", 16, 128, False)


def cpu_features() -> frozenset:
    """What this CPU and its OS provide (CPUID/XGETBV, in the native library), lowered
    to the level PROVENUM_CPU names, if set, as the dispatcher would."""
    try:
        from provenum.native import dispatch
        features = dispatch.cpu().features
        best = dispatch.cpu().level
    except ImportError as e:
        raise HarnessError(f"the native library reports this CPU's features: {e}") from None
    request = os.environ.get("PROVENUM_CPU")
    if request:
        try:
            asked = level_index(request)
        except ValueError as e:
            raise HarnessError(f"PROVENUM_CPU: {e}") from None
        if asked > level_index(best):
            raise HarnessError(f"PROVENUM_CPU={request} asks for more than this CPU runs (its level is {best})")
        features = cap(features, request)
    return frozenset(features)


@dataclass(frozen=True)
class Stub:
    """One example of one form, as built into the harness."""
    index: int
    form: str
    source: str                 # the example's assembly
    insn: Instruction           # decoded from the built harness, at its run-time address
    near: int                   # run-time addresses of the landing pads
    far: int


_VEC_MOVE = {"zmm": "vmovdqu64", "ymm": "vmovdqu", "xmm": "movdqu"}


def _stub_source(n: int, example: str, vs: VectorState) -> str:
    text = example.replace("TARGET_NEAR", f"pv_near_{n}").replace("TARGET", f"pv_far_{n}")
    gpr_loads = "\n".join(f"    mov {r}, [rax+{8 * i}]" for i, r in enumerate(GPR64) if r not in ("rax", "rsp"))
    gpr_stores = "\n".join(f"    mov [rax+{8 * i}], {r}" for i, r in enumerate(GPR64) if r not in ("rax", "rsp"))
    move = _VEC_MOVE[vs.name]
    vec_loads = "\n".join(f"    {move} {vs.name}{i}, [rax+{OFF_VEC + 64 * i}]" for i in range(vs.count))
    vec_stores = "\n".join(f"    {move} [rax+{OFF_VEC + 64 * i}], {vs.name}{i}" for i in range(vs.count))
    mask_loads = "\n".join(f"    kmovq k{i}, [rax+{OFF_MASK + 8 * i}]" for i in range(8)) if vs.masks else ""
    mask_stores = "\n".join(f"    kmovq [rax+{OFF_MASK + 8 * i}], k{i}" for i in range(8)) if vs.masks else ""
    # scratch in and out through rcx: general registers only, on any CPU
    copy_in = "\n".join(f"    mov rcx, [rax+{OFF_SCRATCH + 8 * i}]\n"
                        f"    mov [rip+pv_scratch+{8 * i}], rcx" for i in range(SCRATCH // 8))
    copy_out = "\n".join(f"    mov rcx, [rip+pv_scratch+{8 * i}]\n"
                         f"    mov [rax+{OFF_SCRATCH + 8 * i}], rcx" for i in range(SCRATCH // 8))
    upper = "    vzeroupper" if vs.name != "xmm" else ""
    return f"""
    .globl pv_stub_{n}
    .type pv_stub_{n}, @function
pv_stub_{n}:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rip+pv_host_rsp], rsp
    mov [rip+pv_cur], rdi
    mov [rip+pv_left], rsi
    test rsi, rsi
    jz .Ldone_{n}
.Lloop_{n}:
    mov rax, [rip+pv_cur]
{copy_in}
{vec_loads}
{mask_loads}
    mov qword ptr [rip+pv_landed], 0
    push qword ptr [rax+{OFF_FLAGS}]
    popfq
{gpr_loads}
    mov rsp, [rax+32]
    mov rax, [rax]
pv_insn_{n}:
    {text}
pv_after_{n}:
    mov dword ptr [rip+pv_landed], {LANDED_NEXT}
    jmp .Lstore_{n}
pv_near_{n}:
    mov dword ptr [rip+pv_landed], {LANDED_NEAR}
    jmp .Lstore_{n}
    .skip 160, 0xcc
pv_far_{n}:
    mov dword ptr [rip+pv_landed], {LANDED_FAR}
.Lstore_{n}:
    mov [rip+pv_tmp], rax
    mov [rip+pv_tmp_rsp], rsp
    mov rsp, [rip+pv_host_rsp]
    pushfq
    pop qword ptr [rip+pv_tmp_flags]
    mov rax, [rip+pv_cur]
{gpr_stores}
    mov rcx, [rip+pv_tmp]
    mov [rax], rcx
    mov rcx, [rip+pv_tmp_rsp]
    mov [rax+32], rcx
    mov rcx, [rip+pv_tmp_flags]
    mov [rax+{OFF_FLAGS}], rcx
    mov rcx, [rip+pv_landed]
    mov [rax+{OFF_LANDED}], rcx
{vec_stores}
{mask_stores}
{copy_out}
    add rax, {RECORD}
    mov [rip+pv_cur], rax
    dec qword ptr [rip+pv_left]
    jnz .Lloop_{n}
.Ldone_{n}:
    mov rsp, [rip+pv_host_rsp]
{upper}
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
    .size pv_stub_{n}, .-pv_stub_{n}
"""


def harness_examples() -> list[tuple[str, str]]:
    """(form, example) for every stub, in stub order."""
    return [(form, ex) for form, examples in FORMS.items() for ex in examples]


def harness_source(vs: VectorState) -> str:
    parts = [".intel_syntax noprefix", ".text"]
    for n, (_, example) in enumerate(harness_examples()):
        parts.append(_stub_source(n, example, vs))
    parts.append(f"""
    .bss
    .align 64
pv_stack:    .skip 65536
pv_scratch:  .skip {SCRATCH}
pv_host_rsp: .skip 8
pv_cur:      .skip 8
pv_left:     .skip 8
pv_tmp:      .skip 8
pv_tmp_rsp:  .skip 8
pv_tmp_flags: .skip 8
pv_landed:   .skip 8
    .section .note.GNU-stack,"",@progbits
""")
    return "\n".join(parts)


def cache_dir() -> Path:
    base = os.environ.get("PROVENUM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "provenum")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_harness(vs: VectorState) -> Path:
    """The harness shared object for a vector state, assembled with gcc unless cached."""
    src = harness_source(vs)
    digest = hashlib.sha256(src.encode()).hexdigest()[:16]
    out = cache_dir() / f"harness-{vs.name}-{digest}.so"
    if out.exists():
        return out
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        s = Path(tmp) / "harness.S"
        s.write_text(src)
        so = Path(tmp) / "harness.so"
        try:
            subprocess.run(["gcc", "-shared", "-nostdlib", "-Wl,-z,noexecstack", "-o", str(so), str(s)],
                           check=True, capture_output=True, text=True)
        except FileNotFoundError:
            raise HarnessError("gcc is needed to build the validation harness") from None
        except subprocess.CalledProcessError as e:
            raise HarnessError(f"assembling the harness failed:\n{e.stderr[-4000:]}") from None
        os.replace(so, out)        # atomic: concurrent builders agree
    return out


class Harness:
    """The loaded harness: its stubs (decoded from the built object) and a runner.

    `features` is what the CPU provides (default: this CPU, lowered by
    PROVENUM_CPU); a stub whose instruction needs more is skipped with a reason.
    """

    def __init__(self, path: Path | None = None, features=None):
        from elftools.elf.elffile import ELFFile

        self.features = cpu_features() if features is None else frozenset(features)
        self.vectors = VectorState.for_features(self.features)
        self.path = path or build_harness(self.vectors)
        self.lib = ctypes.CDLL(str(self.path))
        with open(self.path, "rb") as f:
            elf = ELFFile(f)
            symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
            text = elf.get_section_by_name(".text")
            tdata, taddr = text.data(), text["sh_addr"]
        fn0 = self.lib.pv_stub_0
        self.base = ctypes.cast(fn0, ctypes.c_void_p).value - symbols["pv_stub_0"]
        self.scratch = self.base + symbols["pv_scratch"]
        self.stubs: list[Stub] = []
        for n, (form, example) in enumerate(harness_examples()):
            start, end = symbols[f"pv_insn_{n}"], symbols[f"pv_after_{n}"]
            code = tdata[start - taddr:end - taddr]      # the same bytes the CPU runs
            insn = decode_one(code, self.base + start)
            if insn.size != len(code) or insn.form != form:
                raise HarnessError(f"example {example!r} of {form!r} decoded as {insn.form!r}")
            self.stubs.append(Stub(n, form, example, insn, self.base + symbols[f"pv_near_{n}"],
                                   self.base + symbols[f"pv_far_{n}"]))
        self._fns = {}

    def skip_reason(self, stub: Stub) -> str | None:
        """Why this CPU cannot run the stub's instruction (None: it can)."""
        lacks = sorted(features_of(stub.insn) - self.features)
        if lacks:
            return f"this CPU lacks {', '.join(lacks)}"
        return None

    def run(self, stub: Stub, records: bytearray) -> None:
        """Run the stub over the records (len a multiple of RECORD), in place."""
        reason = self.skip_reason(stub)
        if reason:
            raise HarnessError(f"{stub.form} ({stub.source}) cannot run here: {reason}")
        if len(records) % RECORD:
            raise ValueError("records must be a whole number of RECORD-sized entries")
        count = len(records) // RECORD
        if count == 0:
            return
        fn = self._fns.get(stub.index)
        if fn is None:
            fn = getattr(self.lib, f"pv_stub_{stub.index}")
            fn.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
            fn.restype = None
            self._fns[stub.index] = fn
        buf = (ctypes.c_char * len(records)).from_buffer(records)
        fn(ctypes.addressof(buf), count)
