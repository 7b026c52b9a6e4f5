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


def test_changed_callee_invalidates_cached_caller_proof(tmp_path):
    """The caller's proof names the callee spec it assumed and the callee's bytes; rebuilt with a wrong
    callee at the same path (same layout: `add rdx, 0` for one `adc rdx, 0`), the callee's cached proof is
    not reused: it is proved again, fails, and so does the caller."""
    def build(callee):
        return assemble({"bignum_mul_4_8": callee,
                         "bignum_kmul_4_8": "    push rbx\n    call bignum_mul_4_8\n    pop rbx\n    ret"},
                        str(tmp_path))

    def prove_caller(lib):
        return prove(decode_symbol(lib, "bignum_kmul_4_8"), spec_for("bignum_kmul_4_8"), library=lib)

    lib = build(schoolbook_mul(4))
    first = prove_caller(lib)
    assert first.proved, first.message
    (dep,) = first.depends
    assert (dep["callee"], dep["spec"]) == ("bignum_mul_4_8", spec_for("bignum_mul_4_8").label)
    (before,) = [c["sha256"] for c in dep["code"] if c["name"] == "bignum_mul_4_8"]
    assert prove_caller(lib).proved   # the cached callee proof holds while its bytes do

    assert build(schoolbook_mul(4, drop_carry_at=(1, 2))) == lib
    second = prove_caller(lib)
    assert not second.proved and "bignum_mul_4_8, whose own proof failed" in second.message
    (after,) = [c["sha256"] for c in prove(decode_symbol(lib, "bignum_mul_4_8"), spec_for("bignum_mul_4_8"),
                                           library=lib).code if c["name"] == "bignum_mul_4_8"]
    assert after != before
