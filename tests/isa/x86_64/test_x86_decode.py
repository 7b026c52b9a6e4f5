"""Decoding: bytes and ELF symbols into the model's instructions, and clear errors."""
import hashlib
import shutil
import subprocess

import pytest

from provenum.isa.x86_64 import (
    FORMS, DecodeError, Imm, Mem, Reg, Rel, decode_bytes, decode_one, decode_symbol, function_symbols,
    symbol_bytes,
)

LIB_SOURCE = r"""
.intel_syntax noprefix
.text
.globl add3
.type add3, @function
add3:
    lea rax, [rdi+rsi]
    add rax, rdx
    ret
.size add3, .-add3
.globl uses_cpuid
.type uses_cpuid, @function
uses_cpuid:
    cpuid
    ret
.size uses_cpuid, .-uses_cpuid
.section .note.GNU-stack,"",@progbits
"""


def build_so(tmp_path, source, name="lib"):
    s = tmp_path / f"{name}.S"
    s.write_text(source)
    so = tmp_path / f"{name}.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), str(s)], check=True, capture_output=True)
    return so


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build_so(tmp_path_factory.mktemp("decode"), LIB_SOURCE)


def test_decode_bytes_gives_operands_and_forms():
    # adcx rax, rbx ; mov eax, [rip+0x10] ; jne -2 ; vmovdqu64 zmm0{k1}{z}, [rax+rcx*8+64]
    code = bytes.fromhex("66480f38f6c3" "8b0510000000" "75fe" "62f1fec96f44c801")
    a, b, c, d = decode_bytes(code, 0x1000)
    assert a.form == "adcx r64, r64" and a.operands == (Reg("rax", "gpr", 64), Reg("rbx", "gpr", 64))
    assert b.form == "mov r32, m32" and b.operands[1] == Mem(32, "rip", None, 1, 0x10)
    assert b.address == 0x1006 and b.next_address == 0x100C
    assert c.form == "jne rel8" and c.operands == (Rel(0x100C, 1),)
    assert d.form == "vmovdqu64 zmm{k}{z}, m512"
    assert (d.mask, d.zeroing, d.encoding) == (1, True, "evex")
    assert d.operands[1] == Mem(512, "rax", "rcx", 8, 64)


def test_immediates_are_sign_extended_to_the_operand_width():
    (insn,) = decode_bytes(bytes.fromhex("4883c0fd"))      # add rax, -3
    assert insn.form == "add r64, imm8"
    assert insn.operands[1] == Imm(2**64 - 3, 64, 1)


def test_unsupported_instruction_names_mnemonic_address_and_bytes():
    with pytest.raises(DecodeError) as e:
        decode_bytes(bytes.fromhex("4801d8" "0fa2"), 0x400)         # add rax, rbx ; cpuid
    err = e.value
    assert (err.mnemonic, err.address, err.code) == ("cpuid", 0x403, bytes.fromhex("0fa2"))
    assert "cpuid" in str(err) and "0x403" in str(err) and "0fa2" in str(err)


def test_unsupported_operand_form_is_an_error():
    with pytest.raises(DecodeError, match=r"unsupported instruction form 'add r16, m16'.*at 0x0"):
        decode_bytes(bytes.fromhex("660303"))                      # add ax, [rbx]


def test_division_is_not_in_the_model():
    with pytest.raises(DecodeError, match="div"):
        decode_bytes(bytes.fromhex("48f7f1"))                      # div rcx


@pytest.mark.parametrize("code, what", [
    ("f0480118", "lock"),                  # lock add [rax], rbx
    ("64488b042528000000", "segment"),     # mov rax, fs:[0x28]
    ("62f2f5582908", "broadcast"),         # vpcmpeqq k1, zmm1, [rax]{1to8}
    ("8b0c25f0ffffff", "absolute"),        # mov ecx, [0xfffffffffffffff0]
])
def test_prefixes_and_embedded_broadcast_are_rejected(code, what):
    with pytest.raises(DecodeError, match=what):
        decode_bytes(bytes.fromhex(code))


def test_truncated_bytes_are_a_clear_error():
    movabs = bytes.fromhex("48b8efcdab8967452301")             # movabs rax, 0x0123456789abcdef
    assert decode_bytes(movabs)[0].form == "movabs r64, imm64"
    with pytest.raises(DecodeError, match=r"truncated.*at 0x2003") as e:
        decode_bytes(bytes.fromhex("90") * 3 + movabs[:5], 0x2000)
    assert e.value.address == 0x2003 and e.value.code == movabs[:5]
    with pytest.raises(DecodeError, match="no bytes"):
        decode_one(b"", 0)


def test_decode_symbol_gives_a_function_with_its_hash(lib):
    fn = decode_symbol(lib, "add3")
    assert fn.name == "add3"
    assert [i.mnemonic for i in fn.instructions] == ["lea", "add", "ret"]
    assert fn.sha256 == hashlib.sha256(fn.code).hexdigest() and len(fn.code) == 8
    assert fn.instructions[0].address == fn.address
    assert fn.at(fn.address + 4).mnemonic == "add"
    assert "add3" in fn.listing() and fn.sha256 in fn.listing()
    assert {"add3", "uses_cpuid"} <= set(function_symbols(lib))


def test_decode_symbol_from_dynsym_only(lib, tmp_path):
    if shutil.which("strip") is None:
        pytest.skip("strip not available")
    stripped = tmp_path / "stripped.so"
    subprocess.run(["strip", "-o", str(stripped), str(lib)], check=True)
    assert decode_symbol(stripped, "add3").code == decode_symbol(lib, "add3").code


def test_unknown_symbol_is_a_clear_error(lib):
    with pytest.raises(KeyError, match="no_such_function"):
        decode_symbol(lib, "no_such_function")


def test_unsupported_instruction_in_symbol(lib):
    with pytest.raises(DecodeError, match="cpuid") as e:
        decode_symbol(lib, "uses_cpuid")
    assert e.value.address == symbol_bytes(lib, "uses_cpuid")[0]


def test_not_an_elf_file(tmp_path):
    p = tmp_path / "x.so"
    p.write_bytes(b"not an elf")
    with pytest.raises(ValueError, match="not an ELF"):
        decode_symbol(p, "f")
    with pytest.raises(ValueError, match="cannot open"):
        decode_symbol(tmp_path / "missing.so", "f")


def test_catalogue_covers_the_required_instructions():
    mnemonics = {f.split()[0] for f in FORMS}
    ccs = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")
    required = {
        "mov", "movabs", "movzx", "movsx", "movsxd", "lea", "add", "adc", "adcx", "adox", "sub", "sbb",
        "cmp", "test", "neg", "not", "and", "or", "xor", "inc", "dec", "shl", "shr", "sar", "shld", "shrd",
        "rol", "ror", "bt", "mul", "imul", "mulx", "push", "pop", "call", "ret", "jmp", "nop", "endbr64",
        "xchg", "clc", "stc", "cmc", "movdqu", "vmovdqu", "vmovdqu64", "pxor", "vpxor", "vpxorq", "pand",
        "vpand", "vpandq", "por", "vpor", "vporq", "pcmpeqq", "vpcmpeqq", "vpbroadcastq", "kmovq", "kmovw",
        "kmovb", "vzeroupper", "vpternlogq",
    } | {f"cmov{c}" for c in ccs} | {f"set{c}" for c in ccs} | {f"j{c}" for c in ccs}
    assert required <= mnemonics, required - mnemonics
    for form in ("shl r64, cl", "shl r32, imm8", "shrd r64, r64, cl", "imul r64, r64, imm8", "imul r64",
                 "mov r64, m64", "mov m64, r64", "mov r32, r32", "mov r8, r8", "vpcmpeqq k, zmm, zmm",
                 "vmovdqu64 m512{k}, zmm", "vmovdqu64 zmm{k}, m512", "vpbroadcastq zmm, r64",
                 "vpbroadcastq ymm, xmm", "vpbroadcastq zmm, m64", "kmovq k, r64", "kmovq r64, k"):
        assert form in FORMS
    assert len(FORMS) >= 60


def test_assembler_alignment_padding_decodes_as_nops():
    padding = ["90", "6690", "0f1f00", "0f1f4000", "0f1f440000", "660f1f440000", "0f1f8000000000",
               "0f1f840000000000", "660f1f840000000000", "662e0f1f840000000000", "66662e0f1f840000000000"]
    insns = decode_bytes(bytes.fromhex("".join(padding)))
    assert [i.mnemonic for i in insns] == ["nop"] * len(padding)
    assert [i.code.hex() for i in insns] == padding


# --- only encodings validation runs ------------------------------------------------------------

def test_validated_encodings_table_is_current():
    """The table the decoder checks is exactly the encodings of the forms' examples (what validation runs)."""
    from provenum.isa.x86_64.encodings import example_encodings
    from provenum.isa.x86_64.validated_encodings import VALIDATED

    current = {form: frozenset(sigs) for form, sigs in example_encodings().items()}
    assert set(current) == set(FORMS)
    stale = sorted(f for f in FORMS if current[f] != VALIDATED.get(f))
    assert not stale, f"regenerate with `python -m provenum.isa.x86_64`: {stale[:5]}"


@pytest.mark.parametrize("code, needle", [
    ("660f8510000000", "prefix 66 (operand size)"),     # jne rel32 with 66: AMD runs jne rel16
    ("666a05", "prefix 66 (operand size)"),             # push imm8 with 66 pushes 2 bytes
    ("66c4e2fbf6c1", "before a VEX instruction"),      # legacy prefix before VEX: #UD
    ("6662f1fe486f4001", "before a EVEX instruction"),  # legacy prefix before EVEX: #UD
    ("f3c5fdefc0", "before a VEX instruction"),        # rep before vpxor: #UD
    ("48660f1f00", "not directly before the opcode"),  # a REX the CPU ignores
    ("f24801d8", "prefix f2 (repne)"),                  # repne add: not validated
    ("3e7402", "prefix 3e (ds)"),                       # ds-prefixed jcc (branch hint): not validated
    ("4890", "REX.W=1"),                                # rex.w nop
])
def test_unvalidated_encodings_are_rejected(code, needle):
    with pytest.raises(DecodeError) as e:
        decode_bytes(bytes.fromhex(code), 0x40)
    assert needle in str(e.value) and "0x40" in str(e.value)


def test_validated_prefixed_encodings_decode():
    # adcx (66 0f 38 f6), adox (f3 ...), 16-bit mov (66), mulx (VEX): the prefixes their examples have
    for code in ("66480f38f6c3", "f3480f38f6c3", "6689d8", "c4e2fbf6c1"):
        decode_bytes(bytes.fromhex(code))


# --- the loader's view of symbols ---------------------------------------------------------------

LOADER_SOURCE = r"""
.intel_syntax noprefix
.text
.globl exported
.type exported, @function
exported:
    ret
.size exported, .-exported
.weak weakly
.type weakly, @function
weakly:
    ret
.size weakly, .-weakly
.globl hidden_one
.hidden hidden_one
.type hidden_one, @function
hidden_one:
    ret
.size hidden_one, .-hidden_one
.type local_one, @function
local_one:
    ret
.size local_one, .-local_one
.globl no_size
.type no_size, @function
no_size:
    ret
.section .note.GNU-stack,"",@progbits
"""


def test_only_symbols_the_loader_binds_are_decoded(tmp_path):
    so = build_so(tmp_path, LOADER_SOURCE, "loader")
    assert decode_symbol(so, "exported").code == b"\xc3"
    assert decode_symbol(so, "weakly").code == b"\xc3"
    for name in ("hidden_one", "local_one"):
        with pytest.raises(KeyError, match="not one the dynamic loader binds"):
            decode_symbol(so, name)
    with pytest.raises(ValueError, match="size 0"):
        decode_symbol(so, "no_size")
    assert {"exported", "weakly"} <= set(function_symbols(so))
    assert not {"hidden_one", "local_one", "no_size"} & set(function_symbols(so))
