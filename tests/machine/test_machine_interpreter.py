"""The interpreter runs a small multi-function library like the CPU does."""
import ctypes
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from provenum.isa.x86_64 import decode_symbol
from provenum.machine import (
    ExecutionError, MemoryAccessError, Program, StepLimitExceeded, new_state, run_function,
)

SOURCE = r"""
.intel_syntax noprefix
.text
# uint64 square(uint64 x): low word of x*x
# hidden, so that calls inside the library are direct (not through the PLT)
.globl square
.hidden square
.type square, @function
square:
    mov rax, rdi
    mul rdi
    ret
.size square, .-square

# uint64 sum_squares(const uint64 *p, size_t n): sum of p[i]^2 mod 2^64, calling square
.globl sum_squares
.type sum_squares, @function
sum_squares:
    push rbx
    push r12
    push r13
    mov r12, rdi
    mov r13, rsi
    xor ebx, ebx
    test r13, r13
    jz 2f
1:
    mov rdi, [r12]
    call square
    add rbx, rax
    add r12, 8
    dec r13
    jnz 1b
2:
    mov rax, rbx
    pop r13
    pop r12
    pop rbx
    ret
.size sum_squares, .-sum_squares

# uint64 add_n(uint64 *r, const uint64 *a, const uint64 *b, size_t n): r = a + b, returns the carry
.globl add_n
.type add_n, @function
add_n:
    xor r8d, r8d
    test rcx, rcx
    jz 2f
1:
    mov rax, [rsi+r8*8]
    adc rax, [rdx+r8*8]
    mov [rdi+r8*8], rax
    lea r8, [r8+1]
    dec rcx
    jnz 1b
2:
    setb al
    movzx eax, al
    ret
.size add_n, .-add_n

.globl spin
.type spin, @function
spin:
    jmp spin
.size spin, .-spin

.globl unbalanced
.type unbalanced, @function
unbalanced:
    pop rcx
    sub rsp, 16
    push rcx
    ret
.size unbalanced, .-unbalanced
.section .note.GNU-stack,"",@progbits
"""

BUF = 0x20000


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("interp")
    s = d / "prog.S"
    s.write_text(SOURCE)
    so = d / "prog.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], check=True, capture_output=True)
    return so


@pytest.fixture(scope="module")
def program(lib):
    return Program.from_elf(lib)


words = st.lists(st.integers(0, 2**64 - 1), max_size=12)


@settings(max_examples=30, deadline=None)
@given(words)
def test_calls_and_loops_match_the_cpu(lib, program, xs):
    st_ = new_state()
    st_.map(BUF, 8 * max(len(xs), 1))
    for i, x in enumerate(xs):
        st_.write_u64(BUF + 8 * i, x)
    result = run_function(program, "sum_squares", st_, args=(BUF, len(xs)))
    expected = sum(x * x for x in xs) % 2**64
    assert result.state.gpr("rax") == expected
    assert result.steps == 13 + 9 * len(xs)
    native = ctypes.CDLL(str(lib)).sum_squares
    native.restype = ctypes.c_uint64
    arr = (ctypes.c_uint64 * max(len(xs), 1))(*xs)
    assert native(arr, ctypes.c_size_t(len(xs))) == expected
    # callee-saved registers come back
    for r in ("rbx", "r12", "r13"):
        assert result.state.gpr(r) == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 8).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n),
    st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n))))
def test_carry_chain_loop(program, ab):
    a, b = ab
    n = len(a)
    s = new_state()
    s.map(BUF, 24 * max(n, 1))
    for i in range(n):
        s.write_u64(BUF + 8 * n + 8 * i, a[i])
        s.write_u64(BUF + 16 * n + 8 * i, b[i])
    res = run_function(program, "add_n", s, args=(BUF, BUF + 8 * n, BUF + 16 * n, n))
    total = sum(x << (64 * i) for i, x in enumerate(a)) + sum(x << (64 * i) for i, x in enumerate(b))
    got = sum(s.read_u64(BUF + 8 * i) << (64 * i) for i in range(n)) + (res.state.gpr("rax") << (64 * n))
    assert got == total


def test_trace_follows_the_call(program, lib):
    s = new_state()
    s.map(BUF, 8)
    s.write_u64(BUF, 3)
    res = run_function(program, "sum_squares", s, args=(BUF, 1), trace=True)
    # square is a local helper: not one the loader binds (decode_symbol refuses it), but the call runs it
    with pytest.raises(KeyError, match="not one the dynamic loader binds"):
        decode_symbol(lib, "square")
    assert program.address_of("square") in res.trace and res.state.gpr("rax") == 9


def test_step_limit(program):
    with pytest.raises(StepLimitExceeded, match="1000 steps"):
        run_function(program, "spin", step_limit=1000)


def test_unbalanced_stack_is_reported(program):
    with pytest.raises(ExecutionError, match="returned with rsp"):
        run_function(program, "unbalanced")


def test_unmapped_memory_and_missing_code(program):
    with pytest.raises(MemoryAccessError):
        run_function(program, "sum_squares", args=(0xDEAD0000, 1))
    with pytest.raises(ExecutionError, match="no code"):
        run_function(program, 0x12345678)
    with pytest.raises(KeyError, match="nosuch"):
        run_function(program, "nosuch")
