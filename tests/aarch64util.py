"""Shared by the AArch64 tests: skip reasons, building test libraries from .S text, and
hand-written AArch64 functions (LIBRARY) the decoder, interpreter and runner tests use."""
from __future__ import annotations

import pytest

from provenum.toolchain import ToolchainError, aarch64_compiler, aarch64_runner, build_aarch64


def _missing(check) -> str | None:
    try:
        check()
    except ToolchainError as e:
        return str(e)
    return None


NO_COMPILER = _missing(aarch64_compiler)
NO_RUNNER = _missing(aarch64_runner)

needs_compiler = pytest.mark.skipif(NO_COMPILER is not None, reason=NO_COMPILER or "")
needs_runner = pytest.mark.skipif(NO_COMPILER is not None or NO_RUNNER is not None,
                                  reason=NO_COMPILER or NO_RUNNER or "")


def build_library(tmp_path, source: str, name: str = "lib"):
    s = tmp_path / f"{name}.S"
    s.write_text(source)
    return build_aarch64([s], tmp_path / f"{name}.so", kind="shared")


def function(name: str, body: str) -> str:
    """An exported AArch64 function with its type and size."""
    return f"""
    .globl {name}
    .type {name}, %function
    .p2align 2
{name}:
{body}
    .size {name}, .-{name}
"""


NOTE = '\n    .section .note.GNU-stack,"",%progbits\n'



def _mul_4_8() -> str:
    """z[0..7] = x[0..3] * y[0..3], schoolbook by rows of y, accumulator in x11..x17."""
    a = {k: f"x{10 + k}" for k in range(1, 8)}
    lines = ["    ldp x3, x4, [x1]", "    ldp x5, x6, [x1, #16]", "    ldr x7, [x2]",
             "    mul x8, x3, x7", "    umulh x9, x3, x7", "    str x8, [x0]",
             "    mul x8, x4, x7", "    umulh x10, x4, x7", f"    adds {a[1]}, x9, x8",
             "    mul x8, x5, x7", "    umulh x9, x5, x7", f"    adcs {a[2]}, x10, x8",
             "    mul x8, x6, x7", "    umulh x10, x6, x7", f"    adcs {a[3]}, x9, x8",
             f"    adc {a[4]}, x10, xzr"]
    for j in (1, 2, 3):
        lines.append(f"    ldr x7, [x2, #{8 * j}]")
        for k, xr in enumerate(("x3", "x4", "x5", "x6")):
            lines += [f"    mul x8, {xr}, x7", f"    {'adds' if k == 0 else 'adcs'} {a[j + k]}, {a[j + k]}, x8"]
        lines.append(f"    adc {a[j + 4]}, xzr, xzr")
        for k, xr in enumerate(("x3", "x4", "x5", "x6")):
            op = "adds" if k == 0 else ("adc" if k == 3 else "adcs")
            lines += [f"    umulh x8, {xr}, x7", f"    {op} {a[j + k + 1]}, {a[j + k + 1]}, x8"]
        lines.append(f"    str {a[j]}, [x0, #{8 * j}]")
    lines += [f"    stp {a[4]}, {a[5]}, [x0, #32]", f"    stp {a[6]}, {a[7]}, [x0, #48]", "    ret"]
    return "\n".join(lines)


# sum_words(x, n): the sum of n words mod 2^64, through a helper called with bl (frame on the stack)
_SUM = """
    stp x29, x30, [sp, #-32]!
    mov x29, sp
    str x19, [sp, #16]
    mov x19, #0
    cbz x1, 2f
1:  ldr x2, [x0], #8
    bl add_one_word
    subs x1, x1, #1
    b.ne 1b
2:  mov x0, x19
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret
"""
_ADD = """
    add x19, x19, x2
    ret
"""

# (add_one_word is hidden, so the call binds directly instead of through the PLT)
LIBRARY = (".text" + function("bignum_mul_4_8", _mul_4_8()) + function("sum_words", _SUM)
           + "\n    .hidden add_one_word" + function("add_one_word", _ADD) + function("uses_udiv", "    udiv x0, x0, x1\n    ret") + NOTE)


def arm_session(**kwargs):
    """A provenum.native.cross.Session on the cross-built AArch64 native library (qemu: Neoverse N1)."""
    from provenum.native import cross

    return cross.Session(cross.library(), cpu=kwargs.pop("cpu", "neoverse-n1"), **kwargs)


def words(value: int, n: int) -> bytes:
    return value.to_bytes(8 * n, "little")


def number(buf: bytes) -> int:
    return int.from_bytes(buf, "little")
