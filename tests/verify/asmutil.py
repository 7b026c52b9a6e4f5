"""Assemble small hand-written kernels (Intel syntax) into a shared object for tests."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def assemble(functions: dict[str, str], directory: str | None = None) -> Path:
    """Build a .so holding each function (name -> body, Intel syntax, ends in ret)."""
    src = [".intel_syntax noprefix", ".text"]
    for name, body in functions.items():
        src += [f".globl {name}", f".protected {name}", f".type {name}, @function", f"{name}:", body,
                f".size {name}, .-{name}"]
    src.append('.section .note.GNU-stack,"",@progbits')
    d = Path(directory or tempfile.mkdtemp(prefix="pv-verify-"))
    s = d / "k.S"
    s.write_text("\n".join(src) + "\n")
    so = d / "k.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], check=True, capture_output=True)
    return so


def schoolbook_mul(n: int, drop_carry_at: int | None = None) -> str:
    """z[2n] := x[n] * y[n], row by row with mul/add/adc (rdi=z, rsi=x, rdx=y).

    With `drop_carry_at=(i, j)`, the carry out of the high-word `adc` of row i,
    column j is lost (the `adc r, 0` that propagates it becomes `add`), a bug
    that only shows when that sum overflows: long runs of one bits.
    """
    lines = ["    push rbx", "    push r12", "    mov rcx, rdx"]
    # z := 0
    lines += [f"    mov qword ptr [rdi+{8 * k}], 0" for k in range(2 * n)]
    for i in range(n):
        lines.append("    xor r8, r8")                   # carry word
        for j in range(n):
            lines += [
                f"    mov rax, [rsi+{8 * j}]",
                f"    mul qword ptr [rcx+{8 * i}]",      # rdx:rax = x[j]*y[i]
                "    add rax, r8",
                ("    add rdx, 0" if drop_carry_at == (i, j) else "    adc rdx, 0"),
                f"    add [rdi+{8 * (i + j)}], rax",
                "    adc rdx, 0",
                "    mov r8, rdx",
            ]
        lines.append(f"    mov [rdi+{8 * (i + n)}], r8")
    lines += ["    pop r12", "    pop rbx", "    ret"]
    return "\n".join(lines)


def reverse_rows_mul(n: int, propagate: int | None = None) -> str:
    """z[2n] := x[n] * y[n], adding rows from the top down (rdi=z, rsi=x, rdx=y).

    Each row's top carry must ripple through the words above it. With
    `propagate=k` it ripples only k words: wrong exactly when the word it
    stops at is all ones, which uniform inputs practically never give but
    inputs full of one bits give at once.
    """
    lines = ["    push rbx", "    mov rcx, rdx"]
    lines += [f"    mov qword ptr [rdi+{8 * k}], 0" for k in range(2 * n)]
    for i in reversed(range(n)):
        lines.append("    xor r8, r8")
        for j in range(n):
            lines += [
                f"    mov rax, [rsi+{8 * j}]",
                f"    mul qword ptr [rcx+{8 * i}]",
                "    add rax, r8",
                "    adc rdx, 0",
                f"    add [rdi+{8 * (i + j)}], rax",
                "    adc rdx, 0",
                "    mov r8, rdx",
            ]
        lines.append(f"    add [rdi+{8 * (i + n)}], r8")
        above = list(range(i + n + 1, 2 * n))
        if propagate is not None:
            above = above[:propagate]
        lines += [f"    adc qword ptr [rdi+{8 * k}], 0" for k in above]
    lines += ["    pop rbx", "    ret"]
    return "\n".join(lines)
