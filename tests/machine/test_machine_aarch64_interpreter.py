"""The AArch64 interpreter runs functions from a cross-built ELF, and agrees with the machine
(natively on an aarch64 host, qemu-aarch64 elsewhere) on them."""
import random

import pytest

from aarch64util import LIBRARY, build_library, needs_compiler, needs_runner
from provenum.machine.aarch64 import Program, call_native, new_state, run_function
from provenum.machine.interpreter import ExecutionError, StepLimitExceeded

pytestmark = needs_compiler
BUF = 0x10000


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build_library(tmp_path_factory.mktemp("a64interp"), LIBRARY)


@pytest.fixture(scope="module")
def program(lib):
    return Program.from_elf(lib)


def words(n: int, count: int) -> bytes:
    return n.to_bytes(8 * count, "little")


def model_mul(program, x: int, y: int) -> int:
    st = new_state()
    st.map(BUF, 128)
    st.write_bytes(BUF + 64, words(x, 4) + words(y, 4))
    run_function(program, "bignum_mul_4_8", st, args=(BUF, BUF + 64, BUF + 96))
    return int.from_bytes(st.read_bytes(BUF, 64), "little")


EDGES = [0, 1, (1 << 256) - 1, 1 << 255, (1 << 64) - 1, ((1 << 64) - 1) << 192]


def test_mul_4_8_in_the_model(program):
    rng = random.Random(4)
    for x, y in [(a, b) for a in EDGES for b in EDGES] + [(rng.getrandbits(256), rng.getrandbits(256)) for _ in range(30)]:
        assert model_mul(program, x, y) == x * y


def test_calls_loops_and_the_stack(program):
    data = [3, (1 << 64) - 1, 5, 1 << 63]
    st = new_state()
    st.map(BUF, 32)
    st.write_bytes(BUF, b"".join(words(w, 1) for w in data))
    sp = st.gpr("sp")
    st.set_gpr("x19", 0x1919)
    r = run_function(program, "sum_words", st, args=(BUF, len(data)), trace=True)
    assert st.gpr("x0") == sum(data) % (1 << 64)
    assert st.gpr("sp") == sp and st.gpr("x19") == 0x1919           # restored from its frame
    assert program.symbols["add_one_word"] in r.trace and r.steps == len(r.trace)


def test_step_limit_and_unbalanced_stack():
    loop = Program.from_bytes(bytes.fromhex("00000014"), 0x4000, {"f": 0x4000})            # b .
    with pytest.raises(StepLimitExceeded):
        run_function(loop, "f", step_limit=100)
    p = Program.from_bytes(bytes.fromhex("ff4300d1" "c0035fd6"), 0x4000, {"f": 0x4000})    # sub sp, sp, #16; ret
    with pytest.raises(ExecutionError, match="returned with sp"):
        run_function(p, "f")
    with pytest.raises(ExecutionError, match="no code"):
        run_function(Program.from_bytes(bytes.fromhex("00020014"), 0x4000, {"f": 0x4000}), "f")   # b .+0x800


def test_unsupported_code_stops_the_run(program):
    from provenum.isa.code import DecodeError
    with pytest.raises(DecodeError, match="udiv"):
        run_function(program, "uses_udiv", args=(7, 2))


@needs_runner
def test_the_machine_agrees(lib, program):
    rng = random.Random(9)
    for x, y in [(EDGES[2], EDGES[2]), (EDGES[3], EDGES[4])] + [(rng.getrandbits(256), rng.getrandbits(256)) for _ in range(3)]:
        x0, (z, xb, yb) = call_native(lib, "bignum_mul_4_8", [bytes(64), words(x, 4), words(y, 4)])
        assert int.from_bytes(z, "little") == x * y == model_mul(program, x, y)
        assert (xb, yb) == (words(x, 4), words(y, 4))
    x0, _ = call_native(lib, "sum_words", [words(2**64 - 1, 1) + words(7, 1), 2])
    assert x0 == 6


@needs_runner
def test_native_calls_fail_clearly(lib):
    from provenum.machine.aarch64.runner import NativeCallError
    with pytest.raises(NativeCallError, match="signal"):            # reads past its buffer into the guard page
        call_native(lib, "bignum_mul_4_8", [bytes(64), bytes(8), bytes(32)])
    with pytest.raises(NativeCallError, match="no symbol nope"):
        call_native(lib, "nope", [])
    with pytest.raises(TypeError):
        call_native(lib, "sum_words", [1.5])
    with pytest.raises(ValueError):
        call_native(lib, "sum_words", [0] * 9)
