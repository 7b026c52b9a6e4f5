"""A64 semantics on worked examples, with NZCV as the Arm ARM defines each instruction.

Each case is computed by hand from the architecture's pseudocode
(AddWithCarry, ConditionHolds, ...), independently of any implementation;
every case also runs with the opaque concrete domain, which takes the paths
the symbolic domain takes (no value is known to the semantics).
"""
import pytest

from provenum.isa.aarch64 import decode_one, execute
from provenum.machine.aarch64 import ConcreteState
from provenum.machine.concrete import ConcreteDomain

M64 = (1 << 64) - 1
MIN64 = 1 << 63
MAX64 = MIN64 - 1


@pytest.fixture(params=[False, True], ids=["known", "opaque"])
def run(request):
    def go(hexword, regs=(), flags="", vecs=None, memory=None, address=0x1000):
        st = ConcreteState(ConcreteDomain(opaque=request.param))
        for name, value in dict(regs).items():
            st.set_gpr(name, value)
        for f in "NZCV":
            st.set_flag(f, int(f in flags))
        for i, v in (vecs or {}).items():
            st.vecs[i] = v
        for addr, data in (memory or {}).items():
            st.map(addr, data)
        insn = decode_one(bytes.fromhex(hexword), address)
        st.pc = insn.address
        execute(st, insn)
        return st
    return go


def nzcv(st) -> str:
    return "".join(f for f in "NZCV" if st.flag(f))


@pytest.mark.parametrize("a, b, result, flags", [
    (MAX64, 1, MIN64, "NV"),                 # signed overflow, no carry
    (M64, M64, M64 - 1, "NC"),               # carry, no overflow
    (M64, 1, 0, "ZC"),
    (MIN64, MIN64, 0, "ZCV"),
    (5, 7, 12, ""),
])
def test_adds(run, a, b, result, flags):
    st = run("200002ab", {"x1": a, "x2": b})                         # adds x0, x1, x2
    assert st.gpr("x0") == result and nzcv(st) == flags


@pytest.mark.parametrize("a, b, flags", [
    (7, 7, "ZC"),                            # equal: no borrow, so C = 1
    (0, 1, "N"),                             # borrow: C = 0
    (MIN64, 1, "CV"),                        # most negative minus one overflows
    (1, MIN64, "NV"),
    (M64, 0, "NC"),
])
def test_subs_carry_is_not_borrow(run, a, b, flags):
    st = run("200002eb", {"x1": a, "x2": b})                         # subs x0, x1, x2
    assert st.gpr("x0") == (a - b) & M64 and nzcv(st) == flags


def test_adcs_and_sbcs_use_the_carry(run):
    st = run("200002ba", {"x1": M64, "x2": 0}, flags="C")            # adcs: M64 + 0 + 1
    assert st.gpr("x0") == 0 and nzcv(st) == "ZC"
    st = run("200002ba", {"x1": M64, "x2": 0})                       # without carry in
    assert st.gpr("x0") == M64 and nzcv(st) == "N"
    st = run("200002fa", {"x1": 5, "x2": 3})                         # sbcs, C = 0: 5 - 3 - 1
    assert st.gpr("x0") == 1 and nzcv(st) == "C"
    st = run("200002fa", {"x1": 5, "x2": 3}, flags="C")              # C = 1: no borrow in
    assert st.gpr("x0") == 2 and nzcv(st) == "C"
    st = run("200002fa", {"x1": 0, "x2": 0})                         # 0 - 0 - 1 borrows
    assert st.gpr("x0") == M64 and nzcv(st) == "N"
    st = run("e00301fa", {"x1": 0}, flags="C")                       # ngcs x0, x1: 0 - 0 - 0
    assert st.gpr("x0") == 0 and nzcv(st) == "ZC"
    st = run("e00301eb", {"x1": 0})                                  # negs x0, x1 of 0: no borrow
    assert st.gpr("x0") == 0 and nzcv(st) == "ZC"


def test_32_bit_forms_zero_extend_and_flag_at_32_bits(run):
    st = run("2000022b", {"x0": M64, "x1": 0xDEAD_0000_FFFF_FFFF, "x2": 0xBEEF_0000_0000_0001})   # adds w0, w1, w2
    assert st.gpr("x0") == 0 and nzcv(st) == "ZC"
    st = run("e003012a", {"x0": M64, "x1": 0x1234_5678_9ABC_DEF0})   # mov w0, w1
    assert st.gpr("x0") == 0x9ABC_DEF0
    st = run("2020c21a", {"x1": 0xFFFF_FFFF_8000_0001, "x2": 33})    # lsl w0, w1, w2: count mod 32
    assert st.gpr("x0") == 0x2


def test_conditional_compare(run):
    st = run("0a1041fa", {"x0": 3, "x1": 3}, flags="Z")              # ccmp x0, x1, #10, ne: ne fails
    assert nzcv(st) == "NC"                                          # 0b1010
    st = run("0a1041fa", {"x0": 3, "x1": 3})                         # ne holds: flags of cmp 3, 3
    assert nzcv(st) == "ZC"
    st = run("030845ba", {"x0": M64 - 4}, flags="Z")                 # ccmn x0, #5, #3, eq: holds
    assert nzcv(st) == "ZC"
    st = run("030845ba", {"x0": M64 - 4})                            # fails: #3 = 0b0011
    assert nzcv(st) == "CV"


@pytest.mark.parametrize("flags, eq, lt, hi", [
    ("Z", 1, 0, 0), ("", 0, 0, 0), ("N", 0, 1, 0), ("NV", 0, 0, 0), ("V", 0, 1, 0), ("C", 0, 0, 1), ("ZC", 1, 0, 0),
])
def test_conditions(run, flags, eq, lt, hi):
    assert run("e0179f9a", {"x0": 77}, flags=flags).gpr("x0") == eq                    # cset x0, eq
    st = run("20b482da", {"x1": 10, "x2": 3}, flags=flags)                              # csneg x0, x1, x2, lt
    assert st.gpr("x0") == (10 if lt else (-3) & M64)
    assert run("2094819a", {"x1": 41}, flags=flags).gpr("x0") == 41 + hi                # cinc x0, x1, hi


def test_multiplies(run):
    a, b = 0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0003
    assert run("207cc29b", {"x1": a, "x2": b}).gpr("x0") == (a * b) >> 64             # umulh
    sa, sb = a - (1 << 64), b - (1 << 64)
    assert run("207c429b", {"x1": a, "x2": b}).gpr("x0") == ((sa * sb) >> 64) & M64    # smulh
    st = run("200ca29b", {"x1": 0xAAAA_FFFF_FFFF_FFFF, "x2": 0xFFFF_FFFF, "x3": 5})     # umaddl: upper halves ignored
    assert st.gpr("x0") == 0xFFFF_FFFF ** 2 + 5
    assert run("207c229b", {"x1": 0xFFFF_FFFF, "x2": 2}).gpr("x0") == (-2) & M64        # smull: -1 * 2


def test_bitfields_and_rotates(run):
    assert run("202cc29a", {"x1": 0x1, "x2": 65}).gpr("x0") == MIN64                   # ror by 65 = by 1
    assert run("200c78b3", {"x0": M64, "x1": 0x5}).gpr("x0") == M64 & ~0xF00 | 0x500   # bfi x0, x1, #8, #4
    assert run("201c7c93", {"x1": 0x80}).gpr("x0") == (-0x800) & M64                   # sbfiz x0, x1, #4, #8
    assert run("2020c293", {"x1": 0xAB, "x2": 0x1122}).gpr("x0") == 0xAB << 56 | 0x11  # extr x0, x1, x2, #8


def test_loads_and_stores_write_back(run):
    mem = {0x8000: bytes(range(64))}
    st = run("4004c1a9", {"x2": 0x8000}, memory=mem)                 # ldp x0, x1, [x2, #16]!
    assert st.gpr("x2") == 0x8010
    assert st.gpr("x0") == int.from_bytes(bytes(range(16, 24)), "little")
    assert st.gpr("x1") == int.from_bytes(bytes(range(24, 32)), "little")
    st = run("20845ff8", {"x1": 0x8008}, memory=mem)                 # ldr x0, [x1], #-8: access, then base - 8
    assert st.gpr("x1") == 0x8000 and st.gpr("x0") == int.from_bytes(bytes(range(8, 16)), "little")
    st = run("e313bfa9", {"sp": 0x8020, "x3": 1, "x4": 2}, memory=mem)    # stp x3, x4, [sp, #-16]!
    assert st.gpr("sp") == 0x8010 and st.read_u64(0x8010) == 1 and st.read_u64(0x8018) == 2
    st = run("00acc24c", {"x0": 0x8000, "x2": 0x24}, memory=mem)     # ld1 {v0.2d, v1.2d}, [x0], x2
    assert st.gpr("x0") == 0x8024 and st.vecs[1] == int.from_bytes(bytes(range(16, 32)), "little")


def test_branches_and_links(run):
    st = run("02000094", {"x30": 0}, address=0x2000)                 # bl .+8
    assert st.gpr("x30") == 0x2004 and st.pc == 0x2008
    st = run("c0035fd6", {"x30": 0x4444})                            # ret
    assert st.pc == 0x4444


def lanes(v, e):
    return [(v >> (e * i)) & ((1 << e) - 1) for i in range(128 // e)]


def pack(vals, e):
    return sum(x << (e * i) for i, x in enumerate(vals))


def test_neon(run):
    n, m = pack([1, 2, 0xFFFF_FFFF, 3], 32), pack([5, 6, 0xFFFF_FFFF, 7], 32)
    st = run("20c0a26e", vecs={1: n, 2: m})                          # umull2 v0.2d, v1.4s, v2.4s: upper lanes
    assert lanes(st.vecs[0], 64) == [0xFFFF_FFFF ** 2, 21]
    st = run("2028a14e", vecs={0: pack([9, 8], 64), 1: pack([0x1_0000_0005, 0xAB_0000_0006], 64)})   # xtn2
    assert lanes(st.vecs[0], 32) == [9, 0, 5, 6]
    st = run("2018026e", vecs={1: pack(range(16), 8), 2: pack(range(16, 32), 8)})   # ext #3
    assert lanes(st.vecs[0], 8) == list(range(3, 19))
    st = run("2038824e", vecs={1: n, 2: m})                          # zip1 .4s
    assert lanes(st.vecs[0], 32) == [1, 5, 2, 6]
    st = run("2058824e", vecs={1: n, 2: m})                          # uzp2 .4s
    assert lanes(st.vecs[0], 32) == [2, 3, 6, 7]
    st = run("2008a04e", vecs={1: n})                                # rev64 .4s
    assert lanes(st.vecs[0], 32) == [2, 1, 3, 0xFFFF_FFFF]
    st = run("2044e26e", vecs={1: pack([0xF0, 0xF0], 64), 2: pack([0xFC, 66], 64)})   # ushl by -4, by 66
    assert lanes(st.vecs[0], 64) == [0xF, 0]
    st = run("20bce24e", vecs={1: pack([M64, 2], 64), 2: pack([3, 4], 64)})          # addp
    assert lanes(st.vecs[0], 64) == [1, 7]
    st = run("2034e26e", vecs={1: pack([5, 1], 64), 2: pack([4, 1], 64)})            # cmhi
    assert lanes(st.vecs[0], 64) == [M64, 0]
    st = run("2054486f", vecs={0: pack([0xFFFF, 0], 64), 1: pack([1, 2], 64)})       # sli #8: keeps 8 low bits
    assert lanes(st.vecs[0], 64) == [0x1FF, 0x200]
    st = run("20443c6f", vecs={0: pack([0xF000_0000] * 4, 32), 1: pack([0x10] * 4, 32)})   # sri #4
    assert lanes(st.vecs[0], 32) == [0xF000_0001] * 4
    st = run("2000af9e", {"x1": 0x55}, vecs={0: pack([7, 8], 64)})   # fmov v0.d[1], x1 keeps the low half
    assert lanes(st.vecs[0], 64) == [7, 0x55]
