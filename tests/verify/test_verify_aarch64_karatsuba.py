"""Karatsuba on AArch64: the shipped scalar kmul/ksqr prove from the cross-built library, with the Arm shapes of
the sign split (|x0 - x1| as (d xor mask) + carry, the middle's top word by `sbc`, a waiting chain's carry kept by
`cset` and given back by `cmp r, #1`); the library with one of those instructions changed fails, and the
counterexample is confirmed under qemu-aarch64 (or natively)."""
import struct

import pytest

from aarch64util import needs_compiler, needs_runner
from provenum.isa.aarch64.decode import decode_symbol
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for


def _patched(tmp_path, name: str, select, replace):
    """A copy of the cross-built library with the first word of `name` that `select` picks rewritten."""
    from provenum.isa.elf import segments, symbol_bytes
    from provenum.native import cross

    lib = cross.library()
    address, code = symbol_bytes(lib, name)
    words = struct.unpack(f"<{len(code) // 4}I", code)
    i = next(k for k, w in enumerate(words) if select(w))
    at = address + 4 * i
    seg = next(s for s in segments(lib) if s.vaddr <= at < s.vaddr + s.filesz)
    data = bytearray(lib.read_bytes())
    data[seg.offset + at - seg.vaddr:seg.offset + at - seg.vaddr + 4] = struct.pack("<I", replace(words[i]))
    out = tmp_path / "patched.so"
    out.write_bytes(bytes(data))
    return out, at


CMP_IMM = 0xFF8003E0       # subs xzr, xn, #imm (cmp) / adds xzr, xn, #imm (cmn): opcode, shift 0, Rd = xzr
MUTANTS = {
    # ksqr's middle is always subtracted: the top word c - 1 + C by sbc; adc forgets the - 1
    "sbc_as_adc": ("bignum_ksqr_16_32_scalar", lambda w: w & 0xFFE0FC00 == 0xDA000000, lambda w: w ^ 0x40000000),
    # |x0 - x1| = (d xor mask) + (mask = -1): cmn mask, #0 never carries, so a negative difference is one short
    "cmn_mask_0": ("bignum_kmul_16_32_scalar", lambda w: w & 0xFFFFFC1F == 0xB100041F, lambda w: w & ~(0xFFF << 10)),
    # the waiting chain's carry given back by cmp r, #1; cmp r, #0 always sets C
    "cmp_carry_0": ("bignum_kmul_24_48_scalar", lambda w: w & 0xFFFFFC1F == 0xF100041F, lambda w: w & ~(0xFFF << 10)),
}


@needs_compiler
@pytest.mark.parametrize("name", ["bignum_ksqr_16_32_scalar", "bignum_kmul_24_48_scalar", "bignum_kmul_24_48_neon"])
def test_shipped_karatsuba_proves_by_cases(name):
    from provenum.native import cross

    lib = cross.library()
    r = prove(decode_symbol(lib, name), spec_for(name), search_counterexample=False, library=lib)
    assert r.proved, r.message
    (split,) = [o for o in r.obligations if o.method.startswith("case split")]
    assert split.status == "proved"


@needs_runner
@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_karatsuba_mutant_fails_with_a_counterexample_confirmed_by_qemu(tmp_path, mutant):
    name, select, replace = MUTANTS[mutant]
    lib, at = _patched(tmp_path, name, select, replace)
    fn = decode_symbol(lib, name)
    assert any(i.address == at for i in fn.instructions)
    r = prove(fn, spec_for(name), library=lib)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    assert "residual" in r.message
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex


@needs_runner
def test_neon_column_with_the_low_word_on_top_fails(tmp_path):
    """kmul_24_48_neon's middle column whose top word (a carry parked by cset + a Neon high word + a carry, not
    carrying out because the product's two words are at most (2^64 - 1)^2) takes the low word instead: it can
    carry out, so the proof fails, the counterexample confirmed under qemu-aarch64 (or natively)."""
    from aarch64util import NOTE, build_library
    from provenum.kernels.catalog import ASM_DIRS

    name = "bignum_kmul_24_48_neon"
    text = (ASM_DIRS["aarch64"] / f"{name}.S").read_text().replace(name, "k_low_on_top")
    top = "        adc      x12, x12, x13\n"   # x13 = v2.d[0], the high word of x21's low word x19 = v16.d[0]
    assert text.count(top) == 1
    lib = build_library(tmp_path, text.replace(top, "        adc      x12, x12, x19\n") + NOTE)
    r = prove(decode_symbol(lib, "k_low_on_top"), spec_for(name), library=lib)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    assert "residual" in r.message
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex


def test_sbc_and_cmp_one_continue_the_add_chain():
    """sbc after adds is a + ~b + C (the chain goes on, as x86's adc of all ones); cset then cmp r, #1 gives the
    carry itself back to C (rules sub-not-carry and sub-bit-one, proved by z3 like every rule)."""
    from provenum.isa.aarch64.decode import decode_bytes
    from provenum.isa.aarch64.semantics import execute
    from provenum.verify.executor import initial_state
    from provenum.verify.symstate import SymbolicDomain
    from provenum.verify.target import target_for

    # adds x0, x1, x2 ; sbc x3, x4, xzr ; cset x5, cs ; cmp x5, #1
    insns = decode_bytes(bytes.fromhex("200002ab" "83001fda" "e5379f9a" "bf0400f1"))
    assert [f"{i.mnemonic} {i.text}" for i in insns] == ["adds x0, x1, x2", "sbc x3, x4, xzr", "cset x5, hs",
                                                          "cmp x5, #1"]
    d = SymbolicDomain()
    s, *_ = initial_state(spec_for("bignum_mul_4_8"), d, target_for("aarch64"))
    x1, x2, x4 = (s.read_gpr(f"x{i}") for i in (1, 2, 4))
    for insn in insns:
        execute(s, insn)
    carry = d.add(x1, x2)[1]
    assert s.read_gpr("x3") is d.add(x4, d.const(2**64 - 1, 64), carry)[0]
    assert s.read_flag("C") is carry
