"""A native harness that runs single instructions on this CPU, many cases per call.

For every example of every form in `provenum.isa.x86_64.forms.FORMS` the
harness has one stub `pv_stub_N(records, count)`. For each record the stub
copies the record's scratch memory into the harness's scratch buffer, loads
all 16 GPRs (rsp included), the status flags, zmm0..31 and k0..7 from the
record, executes the instruction, stores everything back into the record and
notes where control landed (1: next instruction, 2: near target, 3: far
target). The harness is assembled with gcc into a shared object once and
cached by the hash of its source.

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
from provenum.isa.x86_64.registers import GPR64

OFF_GPR, OFF_FLAGS, OFF_LANDED, OFF_MASK, OFF_VEC, OFF_SCRATCH = 0, 128, 136, 192, 256, 2304
SCRATCH = 512
RECORD = OFF_SCRATCH + SCRATCH
STACK_OFFSET = 128          # test rsp = pv_scratch + STACK_OFFSET; bytes below are its red zone
DATA_START = 128            # memory operands point into scratch[DATA_START:]
LANDED_NEXT, LANDED_NEAR, LANDED_FAR = 1, 2, 3

REQUIRED_CPU_FLAGS = ("avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl", "bmi2", "adx")


class HarnessError(RuntimeError):
    """The native harness cannot be built or run here."""


@dataclass(frozen=True)
class Stub:
    """One example of one form, as built into the harness."""
    index: int
    form: str
    source: str                 # the example's assembly
    insn: Instruction           # decoded from the built harness, at its run-time address
    near: int                   # run-time addresses of the landing pads
    far: int


def _stub_source(n: int, example: str) -> str:
    text = example.replace("TARGET_NEAR", f"pv_near_{n}").replace("TARGET", f"pv_far_{n}")
    gpr_loads = "\n".join(f"    mov {r}, [rax+{8 * i}]" for i, r in enumerate(GPR64) if r not in ("rax", "rsp"))
    gpr_stores = "\n".join(f"    mov [rax+{8 * i}], {r}" for i, r in enumerate(GPR64) if r not in ("rax", "rsp"))
    vec_loads = "\n".join(f"    vmovdqu64 zmm{i}, [rax+{OFF_VEC + 64 * i}]" for i in range(32))
    vec_stores = "\n".join(f"    vmovdqu64 [rax+{OFF_VEC + 64 * i}], zmm{i}" for i in range(32))
    mask_loads = "\n".join(f"    kmovq k{i}, [rax+{OFF_MASK + 8 * i}]" for i in range(8))
    mask_stores = "\n".join(f"    kmovq [rax+{OFF_MASK + 8 * i}], k{i}" for i in range(8))
    copy_in = "\n".join(f"    vmovdqu64 zmm0, [rax+{OFF_SCRATCH + 64 * i}]\n"
                        f"    vmovdqu64 [rip+pv_scratch+{64 * i}], zmm0" for i in range(SCRATCH // 64))
    copy_out = "\n".join(f"    vmovdqu64 zmm0, [rip+pv_scratch+{64 * i}]\n"
                         f"    vmovdqu64 [rax+{OFF_SCRATCH + 64 * i}], zmm0" for i in range(SCRATCH // 64))
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
    vzeroupper
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


def harness_source() -> str:
    parts = [".intel_syntax noprefix", ".text"]
    for n, (_, example) in enumerate(harness_examples()):
        parts.append(_stub_source(n, example))
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


def check_cpu() -> None:
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        raise HarnessError("cannot read /proc/cpuinfo to check CPU features") from None
    flags = set()
    for line in info.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    missing = [f for f in REQUIRED_CPU_FLAGS if f not in flags]
    if missing:
        raise HarnessError(f"this CPU lacks {', '.join(missing)}; the harness needs them")


def build_harness() -> Path:
    """The harness shared object, assembled with gcc unless cached."""
    src = harness_source()
    digest = hashlib.sha256(src.encode()).hexdigest()[:16]
    out = cache_dir() / f"harness-{digest}.so"
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
    """The loaded harness: its stubs (decoded from the built object) and a runner."""

    def __init__(self, path: Path | None = None):
        from elftools.elf.elffile import ELFFile

        check_cpu()
        self.path = path or build_harness()
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

    def run(self, stub: Stub, records: bytearray) -> None:
        """Run the stub over the records (len a multiple of RECORD), in place."""
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
