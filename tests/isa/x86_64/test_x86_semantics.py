"""Instruction semantics on the concrete domain: the architectural details
that random validation could hit only rarely, checked directly."""
import pytest
from hypothesis import given, strategies as st

from provenum.isa.domain import UndefinedFlagError
from provenum.isa.x86_64 import SEMANTICS, decode_bytes, execute
from provenum.machine import ConcreteDomain, ConcreteState

M64 = 2**64 - 1
u64 = st.integers(0, M64)


def run(hexcode, domain=None, **regs):
    s = ConcreteState(domain)
    s.map(0x10000, 4096)
    for name, value in regs.items():
        if name in ("CF", "PF", "AF", "ZF", "SF", "OF"):
            s.set_flag(name, value)
        else:
            s.set_gpr(name, value)
    for insn in decode_bytes(bytes.fromhex(hexcode), 0x1000):
        execute(s, insn)
    return s


def test_32_bit_writes_zero_extend_and_8_bit_writes_merge():
    s = run("89d8", rax=M64, rbx=0x1_2345_6789)            # mov eax, ebx
    assert s.gpr("rax") == 0x2345_6789
    s = run("88dc", rax=M64, rbx=0xAB)                     # mov ah, bl
    assert s.gpr("rax") == 0xFFFF_FFFF_FFFF_ABFF
    s = run("6689d8", rax=M64, rbx=0x1234)                 # mov ax, bx
    assert s.gpr("rax") == 0xFFFF_FFFF_FFFF_1234


def test_cmov_32_bit_zero_extends_even_when_false():
    s = run("0f44c1", rax=M64, rcx=5, ZF=0)                # cmove eax, ecx (not taken)
    assert s.gpr("rax") == 0xFFFF_FFFF


@given(u64, u64, st.integers(0, 1))
def test_adcx_and_adox_use_only_their_flag(a, b, c):
    s = run("66480f38f6c3", rax=a, rbx=b, CF=c, OF=1 - c, ZF=1, SF=1, PF=1, AF=1)   # adcx rax, rbx
    assert s.gpr("rax") == (a + b + c) & M64 and s.flag("CF") == (a + b + c) >> 64
    assert (s.flag("OF"), s.flag("ZF"), s.flag("SF"), s.flag("PF"), s.flag("AF")) == (1 - c, 1, 1, 1, 1)
    s = run("f3480f38f6c3", rax=a, rbx=b, OF=c, CF=1 - c)  # adox rax, rbx
    assert s.gpr("rax") == (a + b + c) & M64 and s.flag("OF") == (a + b + c) >> 64 and s.flag("CF") == 1 - c


@given(u64, u64)
def test_mulx_writes_no_flags_and_high_wins_on_same_register(a, b):
    s = run("c4e2f3f6c3", rdx=a, rbx=b, CF=1, ZF=0)        # mulx rax, rcx, rbx
    assert (s.gpr("rax"), s.gpr("rcx")) == ((a * b) >> 64, (a * b) & M64)
    assert (s.flag("CF"), s.flag("ZF")) == (1, 0)
    s = run("c4e2f3f6cb", rdx=a, rbx=b)                    # mulx rcx, rcx, rbx
    assert s.gpr("rcx") == (a * b) >> 64


def test_undefined_flags_raise_on_read_naming_the_flag():
    # mul rbx ; sete al -- ZF is undefined after mul
    with pytest.raises(UndefinedFlagError, match=r"ZF.*undefined.*mul"):
        run("48f7e3" "0f94c0", rax=3, rbx=5)
    s = run("48f7e3", rax=3, rbx=5)
    assert s.flag("ZF") is None and s.flag("CF") == 0


@pytest.mark.parametrize("code", ["48d3e0", "48d3e8", "48d3f8", "48d3c0", "48d3c8", "480fa5d8", "480fadd8"])
def test_shift_by_zero_count_changes_no_flag(code):
    # shl/shr/sar/rol/ror rax, cl and shld/shrd rax, rbx, cl with cl = 64 (masked to 0)
    flags = dict(CF=1, PF=0, AF=1, ZF=0, SF=1, OF=1)
    s = run(code, rax=0x8000_0000_0000_0001, rbx=M64, rcx=64, **flags)
    assert s.gpr("rax") == 0x8000_0000_0000_0001
    assert {f: s.flag(f) for f in flags} == flags


def test_shift_of_is_defined_only_for_count_one():
    s = run("48d1e0", rax=0x4000_0000_0000_0000)           # shl rax, 1
    assert (s.gpr("rax"), s.flag("CF"), s.flag("OF")) == (0x8000_0000_0000_0000, 0, 1)
    s = run("48c1e002", rax=0x4000_0000_0000_0000)         # shl rax, 2
    assert (s.gpr("rax"), s.flag("CF"), s.flag("OF"), s.flag("AF")) == (0, 1, None, None)


@given(u64, st.integers(0, 255))
def test_unknown_count_path_agrees_with_known_count_path(a, count):
    """With as_int unavailable (as for symbolic values) a shift computes the
    same result and never defines a flag differently."""
    for code in ("48d3e0", "48d3e8", "48d3f8", "48d3c0", "48d3c8", "480fa5d8", "480fadd8"):
        known = run(code, rax=a, rbx=~a & M64, rcx=count, CF=1, ZF=1, OF=1)
        unknown = run(code, ConcreteDomain(opaque=True), rax=a, rbx=~a & M64, rcx=count, CF=1, ZF=1, OF=1)
        assert unknown.gpr("rax") == known.gpr("rax")
        for f in ("CF", "PF", "AF", "ZF", "SF", "OF"):
            assert unknown.flag(f) in (None, known.flag(f))


def test_push_pop_call_ret():
    # push rbx ; pop rcx ; call +0 ; ret (returns to the address the call pushed)
    s = ConcreteState()
    s.map(0x10000, 4096)
    s.set_gpr("rsp", 0x10800)
    s.set_gpr("rbx", 0x1122)
    insns = decode_bytes(bytes.fromhex("53" "59" "e800000000" "c3"), 0x1000)
    for insn in insns[:3]:
        execute(s, insn)
    assert s.gpr("rcx") == 0x1122 and s.rip == 0x1007 and s.gpr("rsp") == 0x107F8
    assert s.read_u64(0x107F8) == 0x1007
    execute(s, insns[3])
    assert s.rip == 0x1007 and s.gpr("rsp") == 0x10800


def test_evex_masking_merge_zero_and_upper_bits():
    s = ConcreteState()
    s.map(0x10000, 4096)
    s.write_bytes(0x10000, bytes(range(64)))
    s.set_gpr("rax", 0x10000)
    s.masks[1] = 0b0000_0101
    s.vecs[0] = (1 << 512) - 1
    (insn,) = decode_bytes(bytes.fromhex("62f1fe496f00"), 0)  # vmovdqu64 zmm0{k1}, [rax]
    execute(s, insn)
    q = [(s.vecs[0] >> (64 * i)) & M64 for i in range(8)]
    assert q[0] == int.from_bytes(bytes(range(8)), "little") and q[1] == M64
    assert q[2] == int.from_bytes(bytes(range(16, 24)), "little")
    s.vecs[3] = (1 << 512) - 1
    (insn,) = decode_bytes(bytes.fromhex("c5fdefdb"), 0)      # vpxor ymm3, ymm0, ymm3
    execute(s, insn)
    assert s.vecs[3] >> 256 == 0                              # VEX zeroes bits 256..511


def test_every_supported_mnemonic_has_semantics():
    from provenum.isa.x86_64 import FORMS
    assert {f.split()[0] for f in FORMS} <= set(SEMANTICS)


@pytest.mark.parametrize("opaque", [False, True])
def test_vpternlogq_computes_its_truth_table_for_every_immediate(opaque):
    """The split-on-a-then-b construction is the truth table: bit = imm[(a << 2) | (b << 1) | c]."""
    import random

    from provenum.isa.x86_64 import Imm, Instruction, Reg

    rng = random.Random(9)
    for imm in range(256):
        a, b, c = (rng.getrandbits(512) for _ in range(3))
        s = ConcreteState(ConcreteDomain(opaque=opaque))
        s.vecs[1], s.vecs[2], s.vecs[3] = a, b, c
        insn = Instruction(0x1000, b"\x00" * 7, "vpternlogq",
                           (Reg("zmm1", "vec", 512), Reg("zmm2", "vec", 512), Reg("zmm3", "vec", 512), Imm(imm, 8, 1)),
                           "", "evex")
        execute(s, insn)
        want = 0
        for bit in range(512):
            k = (((a >> bit) & 1) << 2) | (((b >> bit) & 1) << 1) | ((c >> bit) & 1)
            want |= ((imm >> k) & 1) << bit
        assert s.vecs[1] == want, hex(imm)
