"""The AArch64 validation harness: a static executable that runs single instructions, many cases per batch.

For every example of every form in `provenum.isa.aarch64.forms.FORMS` the
harness has one stub. It is one static AArch64 executable without libc,
built by provenum.toolchain (cross-built on x86-64) and cached by
the hash of its source; it runs natively on an aarch64 host and under
qemu-aarch64 elsewhere (`Harness.executor` says which).

Protocol (stdin -> stdout, little-endian): a batch is a 16-byte header
(stub index, record count) and that many records; the harness reads the
whole batch, runs the stub once per record and writes the records back.
End of input ends it. For each record the stub copies the record's scratch
memory into its scratch buffer, loads v0..v31, NZCV, sp and x0..x30 from
the record, executes the instruction, stores everything back (x0 through
TPIDR_EL0, so no register is lost) and notes where control landed
(1: next instruction, 2: near target, 3: far target).

Record layout (RECORD bytes):
    0    x0..x30            248  sp          256  NZCV (bits 31..28)
    264  landing code (out) 272  v0..v31 (16 bytes each)
    784  scratch memory (SCRATCH bytes), mapped at the harness's pv_scratch
"""
from __future__ import annotations

import hashlib
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from provenum.isa import elf as _elf
from provenum.isa.aarch64 import FORMS, Instruction, decode_one
from provenum.toolchain import ToolchainError, aarch64_runner, build_aarch64

from ..harness import cache_dir

OFF_GPR, OFF_SP, OFF_NZCV, OFF_LANDED, OFF_VEC, OFF_SCRATCH = 0, 248, 256, 264, 272, 784
SCRATCH = 512
RECORD = OFF_SCRATCH + SCRATCH
STACK_OFFSET = 256          # the test sp = pv_scratch + STACK_OFFSET (16-byte aligned)
LANDED_NEXT, LANDED_NEAR, LANDED_FAR = 1, 2, 3
MAX_BATCH = 3000            # records per batch (the harness buffers a whole batch)
_BUFFER = MAX_BATCH * RECORD


class HarnessError(RuntimeError):
    """The AArch64 harness cannot be built or run here."""


@dataclass(frozen=True)
class Stub:
    """One example of one form, as built into the harness."""
    index: int
    form: str
    source: str
    insn: Instruction           # decoded from the built harness, at its address
    near: int                   # addresses of the landing pads
    far: int


def harness_examples() -> list[tuple[str, str]]:
    """(form, example) for every stub, in stub order."""
    return [(form, ex) for form, examples in FORMS.items() for ex in examples]


def _landing(n: int, label: str, code: int) -> str:
    return f"""{label}_{n}:
    msr tpidr_el0, x0
    adrp x0, pv_cur
    ldr x0, [x0, :lo12:pv_cur]
    str x1, [x0, #8]
    mov x1, #{code}
    b pv_store"""


def _stub_source(n: int, example: str) -> str:
    text = example.replace("TARGET_NEAR", f"pv_near_{n}").replace("TARGET", f"pv_far_{n}")
    gpr_loads = "\n".join(f"    ldp x{i}, x{i + 1}, [x30, #{8 * i}]" for i in range(0, 30, 2))
    return f"""
    .p2align 2
pv_stub_{n}:
    mov x11, x30
    bl pv_enter
    ldr x1, [x0, #{OFF_SP}]
    mov sp, x1
    mov x30, x0
{gpr_loads}
    ldr x30, [x30, #240]
pv_insn_{n}:
    {text}
{_landing(n, "pv_after", LANDED_NEXT)}
{_landing(n, "pv_near", LANDED_NEAR)}
    .skip 64
{_landing(n, "pv_far", LANDED_FAR)}
"""


_VEC_LOADS = "\n".join(f"    ldp q{i}, q{i + 1}, [x1], #32" for i in range(0, 32, 2))
_VEC_STORES = "\n".join(f"    stp q{i}, q{i + 1}, [x1], #32" for i in range(0, 32, 2))
_SAVE_HOST = "\n".join(f"    stp x{i}, x{i + 1}, [x9, #{8 * (i - 17)}]" for i in range(19, 29, 2))
_RESTORE_HOST = "\n".join(f"    ldp x{i}, x{i + 1}, [x9, #{8 * (i - 17)}]" for i in range(19, 29, 2))
_GPR_STORES = "\n".join(f"    stp x{i}, x{i + 1}, [x0, #{8 * i}]" for i in range(2, 30, 2))


def _copy(src: str, dst: str) -> str:
    return f"""    mov x3, #{SCRATCH // 32}
1:  ldp q0, q1, [{src}], #32
    stp q0, q1, [{dst}], #32
    subs x3, x3, #1
    b.ne 1b"""


def _io(name: str, syscall: int, fd: int) -> str:
    """name(x0 = buffer, x1 = bytes): all of them, or exit 3; returns x0 = 0 at end of input before any byte."""
    return f"""
{name}:
    mov x3, x0
    mov x2, x1
    mov x4, #0
1:  cbz x2, 2f
    mov x0, #{fd}
    mov x1, x3
    mov x8, #{syscall}
    svc #0
    cmp x0, #0
    b.lt pv_exit_io
    b.eq 3f
    add x3, x3, x0
    sub x2, x2, x0
    mov x4, #1
    b 1b
2:  mov x0, #1
    ret
3:  cbnz x4, pv_exit_io
    mov x0, #0
    ret"""


def harness_source() -> str:
    examples = harness_examples()
    parts = [".text", "    .globl _start", f"""
_start:
pv_batch:
    adrp x0, pv_header
    add x0, x0, :lo12:pv_header
    mov x1, #16
    bl pv_read
    cbz x0, pv_exit_ok
    adrp x9, pv_header
    add x9, x9, :lo12:pv_header
    ldp x19, x20, [x9]
    mov x9, #{len(examples)}
    cmp x19, x9
    b.hs pv_exit_bad
    mov x9, #{RECORD}
    mul x21, x20, x9
    movz x9, #{_BUFFER & 0xffff}
    movk x9, #{_BUFFER >> 16}, lsl #16
    cmp x21, x9
    b.hi pv_exit_bad
    adrp x0, pv_buffer
    add x0, x0, :lo12:pv_buffer
    mov x1, x21
    bl pv_read
    cbz x0, pv_exit_io
    adrp x9, pv_table
    add x9, x9, :lo12:pv_table
    ldr x22, [x9, x19, lsl #3]
    adrp x23, pv_buffer
    add x23, x23, :lo12:pv_buffer
    mov x24, x20
pv_record:
    cbz x24, pv_reply
    mov x0, x23
    blr x22
    add x23, x23, #{RECORD}
    sub x24, x24, #1
    b pv_record
pv_reply:
    adrp x0, pv_buffer
    add x0, x0, :lo12:pv_buffer
    mov x1, x21
    bl pv_write
    b pv_batch
pv_exit_ok:
    mov x0, #0
    b pv_exit
pv_exit_bad:
    mov x0, #2
    b pv_exit
pv_exit_io:
    mov x0, #3
pv_exit:
    mov x8, #93
    svc #0
{_io("pv_read", 63, 0)}
{_io("pv_write", 64, 1)}

// x0 = the record, x11 = the stub's return address: save the loop's sp, return address and
// callee-saved registers, copy the scratch memory in, load v0..v31 and NZCV
pv_enter:
    adrp x9, pv_host
    add x9, x9, :lo12:pv_host
    mov x10, sp
    stp x10, x11, [x9]
{_SAVE_HOST}
    str x29, [x9, #96]
    adrp x9, pv_cur
    str x0, [x9, :lo12:pv_cur]
    add x1, x0, #{OFF_SCRATCH}
    adrp x2, pv_scratch
    add x2, x2, :lo12:pv_scratch
{_copy("x1", "x2")}
    add x1, x0, #{OFF_VEC}
{_VEC_LOADS}
    ldr x1, [x0, #{OFF_NZCV}]
    msr nzcv, x1
    ret

// x0 = the record, x1 = the landing code, the tested x0 and x1 in TPIDR_EL0 and [record + 8]
pv_store:
    str x1, [x0, #{OFF_LANDED}]
    mrs x1, nzcv
    str x1, [x0, #{OFF_NZCV}]
    mrs x1, tpidr_el0
    str x1, [x0]
{_GPR_STORES}
    str x30, [x0, #240]
    mov x1, sp
    str x1, [x0, #{OFF_SP}]
    add x1, x0, #{OFF_VEC}
{_VEC_STORES}
    adrp x2, pv_scratch
    add x2, x2, :lo12:pv_scratch
    add x1, x0, #{OFF_SCRATCH}
{_copy("x2", "x1")}
    adrp x9, pv_host
    add x9, x9, :lo12:pv_host
{_RESTORE_HOST}
    ldr x29, [x9, #96]
    ldp x10, x30, [x9]
    mov sp, x10
    ret
"""]
    for n, (_, example) in enumerate(examples):
        parts.append(_stub_source(n, example))
    parts.append("    .section .rodata\n    .p2align 3\npv_table:")
    parts.extend(f"    .quad pv_stub_{n}" for n in range(len(examples)))
    parts.append(f"""
    .bss
    .p2align 4
pv_scratch:  .skip {SCRATCH}
pv_host:     .skip 112
pv_cur:      .skip 8
pv_header:   .skip 16
    .p2align 4
pv_buffer:   .skip {_BUFFER}
    .section .note.GNU-stack,"",@progbits
""")
    return "\n".join(parts)


def build_harness() -> Path:
    """The harness executable, built unless cached."""
    src = harness_source()
    digest = hashlib.sha256(src.encode()).hexdigest()[:16]
    out = cache_dir() / f"harness-aarch64-{digest}"
    if out.exists():
        return out
    s = cache_dir() / f"harness-aarch64-{digest}.S"
    s.write_text(src)
    try:
        build_aarch64([s], out, kind="static")
    except ToolchainError as e:
        raise HarnessError(str(e)) from None
    finally:
        s.unlink(missing_ok=True)
    return out


class Harness:
    """The built harness: its stubs (decoded from the executable's bytes) and a running process."""

    def __init__(self, path: Path | None = None):
        try:
            self.prefix, self.executor = aarch64_runner()
        except ToolchainError as e:
            raise HarnessError(str(e)) from None
        self.path = Path(path) if path else build_harness()
        with _elf.open_elf(self.path) as elf:
            symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
        segments = _elf.code_segments(self.path, "aarch64")
        self.scratch = symbols["pv_scratch"]
        self.stubs: list[Stub] = []
        for n, (form, example) in enumerate(harness_examples()):
            start, end = symbols[f"pv_insn_{n}"], symbols[f"pv_after_{n}"]
            seg_addr, data = next((a, d) for a, d in segments if a <= start < a + len(d))
            code = data[start - seg_addr:end - seg_addr]          # the bytes the machine runs
            insn = decode_one(code, start)
            if insn.size != len(code) or insn.form != form:
                raise HarnessError(f"example {example!r} of {form!r} decoded as {insn.form!r}")
            self.stubs.append(Stub(n, form, example, insn, symbols[f"pv_near_{n}"], symbols[f"pv_far_{n}"]))
        self._proc = None

    def _process(self):
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([*self.prefix, str(self.path)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return self._proc

    def run(self, stub: Stub, records: bytearray) -> None:
        """Run the stub over the records (len a multiple of RECORD), in place."""
        if len(records) % RECORD:
            raise ValueError("records must be a whole number of RECORD-sized entries")
        view = memoryview(records)
        for start in range(0, len(records), MAX_BATCH * RECORD):
            chunk = view[start:start + MAX_BATCH * RECORD]
            proc = self._process()
            try:
                proc.stdin.write(struct.pack("<QQ", stub.index, len(chunk) // RECORD))
                proc.stdin.write(chunk)
                proc.stdin.flush()
                out = proc.stdout.read(len(chunk))
            except BrokenPipeError:
                out = b""
            if len(out) != len(chunk):
                raise HarnessError(self._death(stub))
            chunk[:] = out

    def _death(self, stub: Stub) -> str:
        proc, self._proc = self._proc, None
        try:
            proc.stdin.close()
        except OSError:
            pass
        code = proc.wait()
        err = proc.stderr.read().decode(errors="replace").strip()
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
        return (f"the AArch64 harness ({self.executor}) died with {how} running {stub.source!r} "
                f"({stub.form}){': ' + err if err else ''}")

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.stdin.close()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
