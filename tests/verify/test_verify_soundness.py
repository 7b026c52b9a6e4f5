"""The twelve ways a review made `provenum verify` prove wrong machine code (issue 9), one test each.

Each cause has a hand-written function that is wrong on the CPU and must
fail to prove with a message naming why, and a correct twin that proves.
The wrong ones all proved before the fix.
"""
import hashlib
import struct
import subprocess

import pytest

from asmutil import assemble, schoolbook_mul
from provenum.isa.x86_64.decode import decode_symbol
from provenum.verify.counterexample import run_native
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for

MUL1 = spec_for("bignum_mul_1_2")    # z[2] := x[1] * y[1]
KMUL1 = spec_for("bignum_kmul_1_2")  # the same spec, for a caller of bignum_mul_1_2
MUL4 = spec_for("bignum_mul_4_8")

# z := x*y with `extra` code between the multiply and the stores (rdx:rax holds the product)
PRODUCT = """
    mov rcx, rdx
    mov rax, [rsi]
    mul qword ptr [rcx]
{extra}
    mov [rdi], rax
    mov [rdi+8], rdx
    ret"""
MUL_1_2 = PRODUCT.format(extra="")


def _prove(lib, name, spec):
    return prove(decode_symbol(lib, name), spec, search_counterexample=False, library=lib)


def _native_product(lib, name, x, y):
    out = run_native(lib, name, MUL1, {"x": [x], "y": [y], "z": [0, 0]})["z"]
    return out[0] + (out[1] << 64)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    return assemble(dict(FUNCTIONS), str(tmp_path_factory.mktemp("soundness")))


FUNCTIONS = {}

# --- 1. carry chains at the operation's width ------------------------------------------------
# The carry out of a 32-bit add of the low halves is decided at 32 bits, not 64.
FUNCTIONS["c1_wrong"] = PRODUCT.format(extra="""
    mov r8d, [rsi]
    add r8d, [rcx]
    setc r9b
    movzx r9d, r9b
    shl r9, 32
    add rdx, r9""")          # adds 2^96 * carry(x_lo + y_lo): wrong when the low halves overflow 32 bits
FUNCTIONS["c1_twin"] = PRODUCT.format(extra="""
    mov r8d, [rsi]
    mov r10d, r8d
    not r10d
    stc
    adc r8d, r10d
    setc r9b
    movzx r9d, r9b
    shl r9, 32
    add rdx, r9
    mov r11, 1
    shl r11, 32
    sub rdx, r11""")         # x_lo + ~x_lo + 1 = 2^32 always carries: adds 2^96 and takes it back


def test_1_carry_of_a_32_bit_add_is_decided_at_32_bits(hand):
    r = _prove(hand, "c1_wrong", MUL1)
    assert r.functional == "failed" and "carry" in r.message
    assert _native_product(hand, "c1_wrong", 0x80000000, 0x80000000) != 0x80000000 ** 2
    r = _prove(hand, "c1_twin", MUL1)
    assert r.proved, r.message
    assert _native_product(hand, "c1_twin", 0x80000000, 0x80000000) == 0x80000000 ** 2


# --- 2. concat of sign extensions is one sign extension only for a 1-bit value -----------------
FUNCTIONS["c2_wrong"] = PRODUCT.format(extra="""
    movsx r8d, byte ptr [rsi]
    mov [rdi+8], r8d
    mov [rdi+12], r8d
    mov r10, [rdi+8]
    movsx r11, byte ptr [rsi]
    sub r10, r11
    add rax, r10
    adc rdx, 0""")           # two 4-byte stores of sext(x_lo8) are not sext(x_lo8) as 8 bytes
FUNCTIONS["c2_twin"] = PRODUCT.format(extra="""
    mov r8, [rsi]
    add r8, [rcx]
    sbb r9d, r9d
    mov [rdi+8], r9d
    mov [rdi+12], r9d
    mov r10, [rdi+8]
    sbb r11, r11
    sub r10, r11
    add rax, r10
    adc rdx, 0""")           # for a 1-bit borrow the rule holds: two 32-bit masks are the 64-bit mask


def test_2_concat_sext_rule_needs_a_one_bit_value(hand):
    r = _prove(hand, "c2_wrong", MUL1)
    assert r.functional == "failed"
    assert _native_product(hand, "c2_wrong", 0x80, 3) != 0x80 * 3
    r = _prove(hand, "c2_twin", MUL1)
    assert r.proved, r.message


# --- 3. a call's buffers must lie where the call does not write --------------------------------
FUNCTIONS["bignum_mul_4_8"] = schoolbook_mul(4)


def _copy_x(base: int) -> str:
    """x[0..3] copied to [rsp + base + 8 i]."""
    return "\n".join(f"    mov rax, [rsi+{8 * i}]\n    mov [rsp{base + 8 * i:+d}], rax" for i in range(4))


FUNCTIONS["c3_wrong"] = _copy_x(-32) + """
    lea rsi, [rsp-32]
    call bignum_mul_4_8
    ret"""                   # x copied into the red zone: the return address and the callee's pushes land on it
FUNCTIONS["c3_twin"] = "    sub rsp, 40\n" + _copy_x(0) + """
    mov rsi, rsp
    call bignum_mul_4_8
    add rsp, 40
    ret"""                   # a frame of its own: the copy lies above rsp at the call


def test_3_call_buffers_must_not_lie_below_rsp(hand):
    r = _prove(hand, "c3_wrong", MUL4)
    assert not r.proved and "below rsp" in r.message and "return address" in r.message
    x, y = [2**64 - 1] * 4, [2**64 - 3] * 4
    env = {"x": x, "y": y, "z": [0] * 8}
    assert MUL4.post[0].a.evaluate({**env, **run_native(hand, "c3_wrong", MUL4, env)}) != MUL4.post[0].b.evaluate(env)
    r = _prove(hand, "c3_twin", MUL4)
    assert r.proved, r.message
    assert MUL4.post[0].a.evaluate({**env, **run_native(hand, "c3_twin", MUL4, env)}) == MUL4.post[0].b.evaluate(env)


# --- 4. the proved symbol is the one the loader binds -------------------------------------------
WRONG_MUL_1_2 = MUL_1_2.replace("mov [rdi+8], rdx", "mov [rdi+8], rax")  # same length, wrong high word


def _two_objects(tmp_path, local_body, global_body):
    """A library linked from two objects: a LOCAL bignum_mul_1_2 in one, the GLOBAL one in the other."""
    head = ".intel_syntax noprefix\n.text\n"
    tail = '\n.section .note.GNU-stack,"",@progbits\n'
    sources = {
        "a": head + ".type bignum_mul_1_2, @function\nbignum_mul_1_2:\n" + local_body
             + "\n.size bignum_mul_1_2, .-bignum_mul_1_2\n" + tail,
        "b": head + ".globl bignum_mul_1_2\n.type bignum_mul_1_2, @function\nbignum_mul_1_2:\n" + global_body
             + "\n.size bignum_mul_1_2, .-bignum_mul_1_2\n" + tail,
    }
    objs = []
    for name, text in sources.items():
        (tmp_path / f"{name}.S").write_text(text)
        subprocess.run(["gcc", "-c", "-o", str(tmp_path / f"{name}.o"), str(tmp_path / f"{name}.S")], check=True)
        objs.append(str(tmp_path / f"{name}.o"))
    so = tmp_path / "two.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), *objs], check=True)
    return so


def test_4_the_global_symbol_is_proved_not_a_local_namesake(tmp_path):
    (tmp_path / "w").mkdir(), (tmp_path / "r").mkdir()
    wrong = _two_objects(tmp_path / "w", local_body=MUL_1_2, global_body=WRONG_MUL_1_2)
    r = _prove(wrong, "bignum_mul_1_2", MUL1)
    assert r.functional == "failed"
    assert _native_product(wrong, "bignum_mul_1_2", 3, 5) != 15          # what dlsym gives is wrong
    right = _two_objects(tmp_path / "r", local_body=WRONG_MUL_1_2, global_body=MUL_1_2)
    r = _prove(right, "bignum_mul_1_2", MUL1)
    assert r.proved, r.message
    assert r.sha256 == hashlib.sha256(decode_symbol(right, "bignum_mul_1_2").code).hexdigest()
    assert _native_product(right, "bignum_mul_1_2", 3, 5) == 15


# --- 5. fresh variables for each dynamic call --------------------------------------------------
FUNCTIONS["bignum_mul_1_2"] = MUL_1_2


def _two_calls(first_dest, first_factor, then_dest, then_factor):
    """One call site run twice: mul(dest, x, factor), the second time with other arguments (rax: &7)."""
    return f"""
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    sub rsp, 24
    mov qword ptr [rsp+16], 7
    lea rax, [rsp+16]
    mov rbp, rdi
    mov r13, rsi
    mov rbx, rdx
    mov r12, {first_dest}
    mov r14, {first_factor}
    mov r15, 2
1:
    mov rdi, r12
    mov rsi, r13
    mov rdx, r14
    call bignum_mul_1_2
    mov r12, {then_dest}
    mov r14, {then_factor}
    dec r15
    jnz 1b
    add rsp, 24
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret"""


FUNCTIONS["c5_wrong"] = _two_calls("rbp", "rax", "rsp", "rbx")  # z := 7x, then tmp := x*y: z is 7x
FUNCTIONS["c5_twin"] = _two_calls("rsp", "rax", "rbp", "rbx")   # tmp := 7x, then z := x*y


def test_5_each_dynamic_call_gets_fresh_outputs(hand):
    r = _prove(hand, "c5_wrong", KMUL1)
    assert r.functional == "failed" and "residual" in r.message  # z is the first call's 7x, not x*y
    env = {"x": [3], "y": [5], "z": [0, 0]}
    assert run_native(hand, "c5_wrong", KMUL1, env)["z"] == [21, 0]
    r = _prove(hand, "c5_twin", KMUL1)
    assert r.proved, r.message
    assert sum(1 for o in r.obligations if o.kind == "call") == 2
    assert run_native(hand, "c5_twin", KMUL1, env)["z"] == [15, 0]


# --- 6, 7, 10. only encodings validation runs ---------------------------------------------------
FUNCTIONS["c6_wrong"] = PRODUCT.format(extra="""
    xor r8d, r8d
    test r8, r8
    .byte 0x66, 0x0f, 0x85, 0, 0, 0, 0""")   # jne with 66: AMD runs 5 bytes (jne rel16), then 00 00
FUNCTIONS["c6_twin"] = PRODUCT.format(extra="""
    xor r8d, r8d
    test r8, r8
    .byte 0x0f, 0x85, 0, 0, 0, 0""")
FUNCTIONS["c7_wrong"] = PRODUCT.format(extra="""
    .byte 0x66, 0x6a, 0x05
    pop r8
    sub r8, 5
    add rax, r8
    adc rdx, 0""")                            # 66 6a ib pushes 2 bytes; the pop reads 8
FUNCTIONS["c7_twin"] = FUNCTIONS["c7_wrong"].replace(".byte 0x66, 0x6a, 0x05", "push 5")
FUNCTIONS["c10_wrong"] = """
    mov rcx, rdx
    mov rdx, [rsi]
    .byte 0x66
    mulx r9, r8, [rcx]
    mov [rdi], r8
    mov [rdi+8], r9
    ret"""                                    # a legacy prefix before VEX: #UD on every x86 CPU
FUNCTIONS["c10_twin"] = FUNCTIONS["c10_wrong"].replace("    .byte 0x66\n", "")


@pytest.mark.parametrize("cause,needle", [
    (6, "prefix 66 (operand size)"), (7, "prefix 66 (operand size)"), (10, "prefix before a VEX instruction"),
])
def test_6_7_10_unvalidated_prefixes_are_decode_errors(hand, cause, needle):
    from provenum.verify.report import prove_one

    r = prove_one(hand, f"c{cause}_wrong", MUL1, counterexamples=False)
    assert not r["proved"] and r["message"].startswith("decode:") and needle in r["message"]
    r = _prove(hand, f"c{cause}_twin", MUL1)
    assert r.proved, r.message


# --- 8. memory below the red zone does not survive -------------------------------------------------
PARKED = """
    mov r8, [rsi]
    mov [rsp{off}], r8
    mov rcx, rdx
    mov rax, [rsp{off}]
    mul qword ptr [rcx]
    mov [rdi], rax
    mov [rdi+8], rdx
    ret"""
FUNCTIONS["c8_wrong"] = PARKED.format(off="-256")   # a signal handler's frame may land there
FUNCTIONS["c8_twin"] = PARKED.format(off="-64")     # inside the 128-byte red zone


def test_8_stack_below_the_red_zone_is_lost(hand):
    r = _prove(hand, "c8_wrong", MUL1)
    assert not r.proved and "red zone" in r.message and "signal handler" in r.message
    r = _prove(hand, "c8_twin", MUL1)
    assert r.proved, r.message


# --- 11. a cached callee proof holds only while the bytes it ran are unchanged -----------------------
def _caller_library(path, helper_body):
    """bignum_kmul_1_2 calls bignum_mul_1_2 (a product kernel: proved alone, then summarised),
    which calls a helper that does the work (followed into its bytes)."""
    return assemble({
        "bignum_kmul_1_2": "    push rbx\n    call bignum_mul_1_2\n    pop rbx\n    ret",
        "bignum_mul_1_2": "    sub rsp, 8\n    call mul_helper\n    add rsp, 8\n    ret",
        "mul_helper": helper_body,
    }, str(path))


def test_11_callee_proof_cache_follows_the_bytes_of_its_helpers(tmp_path):
    lib = _caller_library(tmp_path, MUL_1_2)
    r = prove(decode_symbol(lib, "bignum_kmul_1_2"), KMUL1, search_counterexample=False, library=lib)
    assert r.proved, r.message
    rests_on = r.__dict__.get("code", [])
    callee = decode_symbol(lib, "bignum_mul_1_2").code
    # rebuilt in place with a broken helper: the callee's own bytes do not change
    _caller_library(tmp_path, WRONG_MUL_1_2)
    assert decode_symbol(lib, "bignum_mul_1_2").code == callee
    r = prove(decode_symbol(lib, "bignum_kmul_1_2"), KMUL1, search_counterexample=False, library=lib)
    assert not r.proved and "bignum_mul_1_2, whose own proof failed" in r.message
    assert run_native(lib, "bignum_kmul_1_2", KMUL1, {"x": [3], "y": [5], "z": [0, 0]})["z"] != [15, 0]
    # the report names the bytes of everything the proof ran, the summarised callee's helper included
    assert {"bignum_kmul_1_2", "bignum_mul_1_2", "mul_helper"} <= {c["name"] for c in rests_on}


# --- 12. code bytes as the loader maps them ----------------------------------------------------
def _section_offset_field(data: bytes, name: bytes):
    """(file offset of the sh_offset field of section `name`, sh_offset, sh_size) in an ELF64 file."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    strtab_off, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 24)
    for i in range(shnum):
        hdr = shoff + i * shentsize
        name_off, = struct.unpack_from("<I", data, hdr)
        if data[strtab_off + name_off:].split(b"\0", 1)[0] == name:
            off, size = struct.unpack_from("<QQ", data, hdr + 24)
            return hdr + 24, off, size
    raise KeyError(name)


def _with_decoy(target, decoy_source):
    """`target` with its .text section header pointing at a copy of `decoy_source`'s .text (appended):
    the loader still maps target's own bytes."""
    data = bytearray(target.read_bytes())
    decoy = decoy_source.read_bytes()
    field, _, _ = _section_offset_field(bytes(data), b".text")
    _, doff, dsize = _section_offset_field(decoy, b".text")
    new_off = len(data)
    data += decoy[doff:doff + dsize]
    struct.pack_into("<Q", data, field, new_off)
    out = target.with_name(target.stem + "-decoy.so")
    out.write_bytes(bytes(data))
    return out


def test_12_bytes_come_from_the_pt_load_segment_not_section_headers(tmp_path):
    (tmp_path / "g").mkdir(), (tmp_path / "b").mkdir()
    good = assemble({"bignum_mul_1_2": MUL_1_2}, str(tmp_path / "g"))
    bad = assemble({"bignum_mul_1_2": WRONG_MUL_1_2}, str(tmp_path / "b"))
    decoyed = _with_decoy(bad, good)   # section headers show the correct code; the loader maps the wrong one
    r = _prove(decoyed, "bignum_mul_1_2", MUL1)
    assert r.functional == "failed"
    assert r.sha256 == hashlib.sha256(decode_symbol(bad, "bignum_mul_1_2").code).hexdigest()
    assert _native_product(decoyed, "bignum_mul_1_2", 3, 5) != 15
    twin = _with_decoy(good, bad)      # the other way round: what runs is right, and proves
    r = _prove(twin, "bignum_mul_1_2", MUL1)
    assert r.proved, r.message
    assert _native_product(twin, "bignum_mul_1_2", 3, 5) == 15


# --- 9. a table lookup is proved for every height, not for a few -----------------------------------------
def _table_body(suffix: str, preamble: str = "") -> str:
    """The shipped 4-word table lookup's instructions (its labels renamed), after `preamble`."""
    from provenum.kernels import BY_NAME

    kernel = BY_NAME["bignum_copy_row_from_table_4_baseline"]     # runs on every x86-64 CPU
    lines = [line for line in kernel.function.body if not line.lstrip().startswith("//")]
    return preamble + "\n".join(lines).replace(f".L{kernel.name}_", f".Lt{suffix}_")


TABLE4 = spec_for("bignum_copy_row_from_table_4_baseline")
FUNCTIONS["c9_wrong"] = _table_body("w", """
    cmp rdx, 16
    jne 1f
    xor ecx, ecx
1:
""")                                          # at height 16 it returns row 0 whatever idx is
FUNCTIONS["c9_twin"] = _table_body("t")


def test_9_table_lookup_proved_for_every_height(hand):
    r = _prove(hand, "c9_wrong", TABLE4)
    assert not r.proved and "loop invariant" in r.message and "0x10" in r.message
    rows = [[17 * r + k for k in range(4)] for r in range(16)]
    env = {"z": [0] * 4, "table": sum(rows, []), "height": 16, "idx": 5}
    assert run_native(hand, "c9_wrong", TABLE4, env)["z"] == rows[0]
    r = _prove(hand, "c9_twin", TABLE4)
    assert r.proved, r.message
    assert any("loop" in o.statement and o.status == "proved" for o in r.obligations)
    for height in (1, 2, 7, 16, 33):
        env = {"z": [0] * 4, "table": sum(([7 * r + k for k in range(4)] for r in range(height)), []),
               "height": height, "idx": height - 1}
        assert run_native(hand, "c9_twin", TABLE4, env)["z"] == env["table"][4 * (height - 1):4 * height]


def _avx2_table_body(suffix: str, edit) -> str:
    """The shipped AVX2 table lookup (its row counter in vector lanes), its labels renamed, then edited."""
    from provenum.kernels import BY_NAME

    kernel = BY_NAME["bignum_copy_row_from_table_4_avx2"]
    text = "\n".join(line for line in kernel.function.body if not line.lstrip().startswith("//"))
    return edit(text.replace(f".L{kernel.name}_", f".La{suffix}_"))


def _drop_second(text: str, line: str) -> str:
    i = text.index(line, text.index(line) + 1)
    return text[:i] + text[i + len(line):]


FUNCTIONS["c9_lanes_lag"] = _avx2_table_body(   # the lane counter misses a row per trip
    "l", lambda t: _drop_second(t, "vpaddq       ymm12, ymm12, ymm14"))
FUNCTIONS["c9_lanes_step2"] = _avx2_table_body(  # the lanes count 0, 2, 4, ...: odd rows never match
    "s", lambda t: t.replace("mov          eax, 1", "mov          eax, 2", 1))
FUNCTIONS["c9_lanes_twin"] = _avx2_table_body("t", lambda t: t)


@pytest.mark.parametrize("name", ["c9_lanes_lag", "c9_lanes_step2"])
def test_9_vector_lane_counters_are_proved_not_trusted(hand, name):
    """A row counter kept in vector lanes is an induction place only as far as the proof shows it moves."""
    from cpu_levels import skip_unless_cpu_runs

    r = _prove(hand, name, TABLE4)
    assert not r.proved and "loop" in r.message
    assert _prove(hand, "c9_lanes_twin", TABLE4).proved
    skip_unless_cpu_runs("avx2")
    rows = [[17 * r + k for k in range(4)] for r in range(8)]
    env = {"z": [0] * 4, "table": sum(rows, []), "height": 8, "idx": 5}
    assert run_native(hand, name, TABLE4, env)["z"] != rows[5]
