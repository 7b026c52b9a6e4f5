"""Calls to proved product kernels are replaced by their spec, with its preconditions checked."""
from asmutil import assemble, schoolbook_mul
from provenum.isa.x86_64.decode import decode_symbol
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for


def _lib(tmp_path):
    return assemble({
        "bignum_mul_4_8": schoolbook_mul(4),
        # z := x*y by calling the product kernel (protected symbol: a direct call)
        "bignum_kmul_4_8": "    push rbx\n    call bignum_mul_4_8\n    pop rbx\n    ret",
        # x^2 as x*x: the two factors share memory, which read-only buffers may
        "bignum_ksqr_4_8": "    mov rdx, rsi\n    call bignum_mul_4_8\n    ret",
        # the product written over a factor: the callee's spec needs z disjoint from x, so this is refused
        "bignum_ksqr_8_16": "    mov rdx, rsi\n    mov rsi, rdi\n    call bignum_mul_4_8\n    ret",
        # a caller that forgets to restore what it saved around the call
        "bignum_kmul_8_16": "    push rbx\n    call bignum_mul_4_8\n    ret",
    }, str(tmp_path))


def test_call_summary_proves(tmp_path):
    lib = _lib(tmp_path)
    r = prove(decode_symbol(lib, "bignum_kmul_4_8"), spec_for("bignum_kmul_4_8"), library=lib)
    assert r.proved, r.message
    assert r.calls == ["bignum_mul_4_8"]
    assert any(o.kind == "call" and o.status == "proved" for o in r.obligations)


def test_call_precondition_checked(tmp_path):
    lib = _lib(tmp_path)
    r = prove(decode_symbol(lib, "bignum_ksqr_8_16"), spec_for("bignum_ksqr_4_8"), library=lib)
    assert not r.proved and "buffers z and x overlap" in r.message


def test_read_only_buffers_may_share_memory(tmp_path):
    lib = _lib(tmp_path)
    r = prove(decode_symbol(lib, "bignum_ksqr_4_8"), spec_for("bignum_ksqr_4_8"), library=lib)
    assert r.proved, r.message


def test_call_frame_still_checked(tmp_path):
    lib = _lib(tmp_path)
    r = prove(decode_symbol(lib, "bignum_kmul_8_16"), spec_for("bignum_kmul_4_8"), library=lib)
    assert not r.proved
