"""A64 decoding: bytes and ELF symbols into the model's instructions, and clear errors."""
import hashlib
import re
import shutil
import struct
import subprocess

import pytest

from aarch64util import LIBRARY, build_library, needs_compiler
from provenum.isa.aarch64 import (
    FORMS, Cond, DecodeError, Extended, Imm, Label, Mem, Reg, Shifted, VElem, VList, VReg, VScalar, decode_bytes,
    decode_one, decode_symbol, function_symbols, symbol_bytes,
)
from provenum.isa.code import UnknownSymbolError, WrongMachineError
from provenum.isa.elf import all_function_addresses

X0, X1, X2 = Reg("x0", "x0", 64), Reg("x1", "x1", 64), Reg("x2", "x2", 64)


def one(hexword: str, address: int = 0x1000):
    return decode_one(bytes.fromhex(hexword), address)


def test_operands_and_forms():
    a = one("200002ab")                                   # adds x0, x1, x2
    assert a.form == "adds x, x, x" and a.operands == (X0, X1, X2)
    assert (a.size, a.next_address) == (4, 0x1004)
    b = one("200c028b")                                   # add x0, x1, x2, lsl #3
    assert b.form == "add x, x, x, lsl #imm" and b.operands[2] == Shifted(X2, "lsl", 3)
    c = one("2048228b")                                   # add x0, x1, w2, uxtw #2
    assert c.form == "add x, x, w, uxtw #imm" and c.operands[2] == Extended(Reg("w2", "x2", 32), "uxtw", 2)
    d = one("4004c1a9")                                   # ldp x0, x1, [x2, #16]!
    assert d.form == "ldp x, x, [x, #imm]!" and d.operands[2] == Mem(X2, offset=16, mode="pre")
    e = one("20841ff8")                                   # str x0, [x1], #-8
    assert e.form == "str x, [x], #imm" and e.operands[1] == Mem(X1, offset=-8, mode="post")
    f = one("207862f8")                                   # ldr x0, [x1, x2, lsl #3]
    assert f.operands[1] == Mem(X1, index=X2, extend="lsl", amount=3)
    g = one("2080a26e")                                   # umlal2 v0.2d, v1.4s, v2.4s
    assert g.form == "umlal2 v.2d, v.4s, v.4s" and g.operands == (VReg(0, "2d"), VReg(1, "4s"), VReg(2, "4s"))
    h = one("203c184e")                                   # umov x0, v1.d[1], printed as mov
    assert h.form == "mov x, v.d[i]" and h.operands[1] == VElem(1, "d", 1)
    i = one("00acdf4c")                                   # ld1 {v0.2d, v1.2d}, [x0], #32
    assert i.form == "ld1 {v.2d, v.2d}, [x], #imm"
    assert i.operands[0] == VList((VReg(0, "2d"), VReg(1, "2d")))
    j = one("2004c03d")                                   # ldr q0, [x1, #16]
    assert j.operands[0] == VScalar(0, 128, "q0")


def test_aliases_are_their_own_forms():
    assert one("e0179f9a").form == "cset x, cond" and one("e0179f9a").operands[1] == Cond("eq")
    assert one("1f0001eb").form == "cmp x, x"             # subs xzr, x0, x1
    assert one("e00301cb").form == "neg x, x"             # sub x0, xzr, x1
    assert one("20f07dd3").form == "lsl x, x, #imm"       # ubfm x0, x1, #61, #60
    assert one("207c029b").form == "mul x, x, x"          # madd x0, x1, x2, xzr
    m = one("8046e2f2")                                   # movk x0, #0x1234, lsl #48
    assert m.form == "movk x, #imm, lsl #imm" and m.operands[1] == Imm(0x1234 << 48, 48)


def test_branch_targets_are_absolute():
    b = one("00020054", 0x2000)                           # b.eq .+0x40
    assert b.form == "b.eq label" and b.operands == (Label(0x2040),)
    t = one("000208b6", 0x100)                            # tbz x0, #33, .+0x40
    assert t.form == "tbz x, #imm, label" and t.operands[1:] == (Imm(33), Label(0x140))


@pytest.mark.parametrize("hexword, what", [
    ("2008c29a", "udiv"),                                 # not in the model: variable time
    ("20001fd6", "br"),                                   # indirect branch
    ("00106e1e", "#1.0"),                                 # floating-point immediate
    ("20c862f8", "unsupported instruction form 'ldr x, [x, w, sxtw]'"),
    ("00080010", "adr"),
    ("207c5fc8", "ldxr"),
])
def test_outside_the_model_is_a_decode_error(hexword, what):
    with pytest.raises(DecodeError, match=f".*{re.escape(what)}.*at 0x1000.*{hexword}") as e:
        one(hexword)
    assert e.value.address == 0x1000 and e.value.code == bytes.fromhex(hexword)


def test_unpredictable_encodings_are_refused():
    with pytest.raises(DecodeError, match="at 0x1000"):
        one("008440f8")                                   # ldr x0, [x0], #8: writeback onto the loaded register


def test_truncated_and_misaligned_bytes():
    nop = bytes.fromhex("1f2003d5")
    assert [i.mnemonic for i in decode_bytes(nop * 2, 0x40)] == ["nop", "nop"]
    with pytest.raises(DecodeError, match=r"truncated.*at 0x48") as e:
        decode_bytes(nop * 2 + b"\x1f\x20", 0x40)
    assert e.value.address == 0x48 and e.value.code == b"\x1f\x20"
    with pytest.raises(DecodeError, match="aligned"):
        decode_one(nop, 0x42)
    with pytest.raises(DecodeError, match="no bytes"):
        decode_one(b"", 0)


def test_catalogue_covers_the_required_instructions():
    mnemonics = {f.split()[0] for f in FORMS}
    required = {
        "add", "adds", "adc", "adcs", "sub", "subs", "sbc", "sbcs", "neg", "negs", "ngc", "ngcs", "cmp", "cmn",
        "tst", "and", "ands", "orr", "eor", "bic", "bics", "orn", "eon", "mov", "movz", "movn", "movk", "lsl",
        "lsr", "asr", "ror", "extr", "ubfx", "sbfx", "ubfiz", "sbfiz", "csel", "csinc", "csinv", "csneg", "cset",
        "csetm", "cinc", "cneg", "ccmp", "ccmn", "mul", "madd", "msub", "mneg", "umulh", "smulh", "umull",
        "umaddl", "umsubl", "smull", "ldr", "str", "ldp", "stp", "b", "bl", "ret", "cbz", "cbnz", "tbz", "tbnz",
        "ld1", "st1", "umull2", "umlal", "umlal2", "umlsl", "mla", "ushr", "shl", "ushl", "usra", "sli", "sri",
        "shrn", "xtn", "uzp1", "uzp2", "zip1", "zip2", "trn1", "trn2", "ext", "dup", "ins", "umov", "fmov",
        "cmeq", "cmhi", "rev64", "addp",
    } - {"ins", "umov"}                                   # printed as mov where that is the preferred form
    assert required <= mnemonics, required - mnemonics
    assert {f"b.{c}" for c in ("eq", "ne", "hs", "lo", "hi", "ls", "ge", "lt", "gt", "le")} <= mnemonics
    assert "umov w, v.h[i]" in FORMS and "mov v.d[i], x" in FORMS
    assert len(FORMS) >= 150
    for form in ("ldr x, [x, #imm]!", "ldr x, [x], #imm", "ldp q, q, [x], #imm", "stp d, d, [x, #imm]!",
                 "ldr q, [x, x, lsl #imm]", "add x, x, w, sxtw", "adds x, x, x, asr #imm"):
        assert form in FORMS


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build_library(tmp_path_factory.mktemp("a64decode"), LIBRARY)


@needs_compiler
def test_decode_symbol_reads_the_loaded_bytes(lib):
    fn = decode_symbol(lib, "bignum_mul_4_8")
    assert fn.instructions[0].form == "ldp x, x, [x]" and fn.instructions[-1].mnemonic == "ret"
    assert fn.sha256 == hashlib.sha256(fn.code).hexdigest() and len(fn.code) == 4 * len(fn.instructions)
    assert fn.instructions[0].address == fn.address == symbol_bytes(lib, "bignum_mul_4_8")[0]
    # what the loader binds: add_one_word is hidden, a local helper no caller outside can reach
    assert {"bignum_mul_4_8", "sum_words", "uses_udiv"} <= set(function_symbols(lib))
    assert "add_one_word" not in function_symbols(lib)
    with pytest.raises(KeyError, match="not one the dynamic loader binds"):
        symbol_bytes(lib, "add_one_word")
    call = decode_symbol(lib, "sum_words").instructions[6]
    assert call.mnemonic == "bl" and call.operands[0].target == all_function_addresses(lib)["add_one_word"]


@needs_compiler
def test_dynsym_only(lib, tmp_path):
    stripped = tmp_path / "stripped.so"
    subprocess.run(["aarch64-linux-gnu-strip" if shutil.which("aarch64-linux-gnu-strip") else "strip",
                    "-o", str(stripped), str(lib)], check=True)
    assert decode_symbol(stripped, "bignum_mul_4_8").code == decode_symbol(lib, "bignum_mul_4_8").code


@needs_compiler
def test_unknown_symbol(lib):
    with pytest.raises(UnknownSymbolError, match="'no_such_function' is not defined in .*lib.so") as e:
        decode_symbol(lib, "no_such_function")
    assert isinstance(e.value, DecodeError) and isinstance(e.value, KeyError)


@needs_compiler
def test_unsupported_instruction_in_a_symbol_names_it_and_where(lib):
    with pytest.raises(DecodeError, match=r"uses_udiv in .*lib.so: .*udiv at 0x") as e:
        decode_symbol(lib, "uses_udiv")
    assert e.value.address == symbol_bytes(lib, "uses_udiv")[0] and e.value.mnemonic == "udiv"


@needs_compiler
def test_symbol_beyond_its_segment_is_truncated(lib, tmp_path):
    from elftools.elf.elffile import ELFFile

    data = bytearray(lib.read_bytes())
    with open(lib, "rb") as f:
        dynsym = ELFFile(f).get_section_by_name(".dynsym")
        index = next(i for i, s in enumerate(dynsym.iter_symbols()) if s.name == "bignum_mul_4_8")
        entry = dynsym["sh_offset"] + index * dynsym["sh_entsize"]
    struct.pack_into("<Q", data, entry + 16, 1 << 20)         # st_size: a megabyte
    bad = tmp_path / "bad.so"
    bad.write_bytes(bytes(data))
    with pytest.raises(DecodeError, match="bignum_mul_4_8.*not inside the file image of a PT_LOAD segment"):
        decode_symbol(bad, "bignum_mul_4_8")


def test_wrong_machine(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc not available")
    s = tmp_path / "x.S"
    s.write_text(".text\n.globl f\n.type f, @function\nf: ret\n.size f, .-f\n")
    so = tmp_path / "x.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], check=True, capture_output=True)
    from provenum.isa.elf import elf_machine
    host = elf_machine(so)
    if host == "aarch64":
        pytest.skip("the host compiler builds AArch64 code")
    with pytest.raises(WrongMachineError, match=f"ELF file for {host}.*not aarch64"):
        decode_symbol(so, "f")


def test_not_an_elf_file(tmp_path):
    p = tmp_path / "x.so"
    p.write_bytes(b"not an elf")
    with pytest.raises(DecodeError, match="not an ELF"):
        decode_symbol(p, "f")
    with pytest.raises(DecodeError, match="cannot open"):
        decode_symbol(tmp_path / "missing.so", "f")
