"""The verifier on AArch64 machine code: hand-written bignum_mul_4_8 and bignum_sqr_4_8, cross-built, prove
against the same specs as on x86-64 (AAPCS64 frame, no red zone); broken variants fail with the named
obligation, and a functional failure's counterexample is confirmed under qemu-aarch64 (or natively)."""
import json

import pytest

from aarch64util import NOTE, build_library, function, needs_compiler, needs_runner
from provenum.isa.aarch64.decode import decode_symbol
from provenum.verify.prover import prove
from provenum.verify.report import proof_jobs, prove_one
from provenum.verify.specs import spec_for

MUL4 = spec_for("bignum_mul_4_8")
SQR4 = spec_for("bignum_sqr_4_8")

# the accumulator z[0..7] lives in callee-saved x19..x26, saved on the stack: the frame check has work to do
ACC = [f"x{19 + i}" for i in range(8)]
SAVE = ["    stp x19, x20, [sp, #-64]!", "    stp x21, x22, [sp, #16]", "    stp x23, x24, [sp, #32]",
        "    stp x25, x26, [sp, #48]"]
RESTORE = ["    ldp x25, x26, [sp, #48]", "    ldp x23, x24, [sp, #32]", "    ldp x21, x22, [sp, #16]",
           "    ldp x19, x20, [sp], #64"]
STORE = [f"    stp {ACC[2 * i]}, {ACC[2 * i + 1]}, [x0, #{16 * i}]" for i in range(4)]


def _row(xs: list[str], y: str, out: list[str]) -> list[str]:
    """out[0..len(xs)] = xs * y (xs: registers of the limbs, low first), with mul/umulh and one carry chain."""
    n = len(xs)
    hi = [f"x{13 + k}" for k in range(n - 1)] + [out[n]]
    lines = []
    for k, xr in enumerate(xs):
        lines += [f"    mul {out[k]}, {xr}, {y}", f"    umulh {hi[k]}, {xr}, {y}"]
    for k in range(1, n):
        lines.append(f"    {'adds' if k == 1 else 'adcs'} {out[k]}, {out[k]}, {hi[k - 1]}")
    lines.append(f"    adc {out[n]}, {out[n]}, xzr")
    return lines


def _accumulate(at: int, words: list[str]) -> list[str]:
    """ACC[at..] += words, where the top word of ACC there is not yet written (it takes the last word + carry)."""
    lines = [f"    adds {ACC[at]}, {ACC[at]}, {words[0]}"]
    for k in range(1, len(words) - 1):
        lines.append(f"    adcs {ACC[at + k]}, {ACC[at + k]}, {words[k]}")
    last = len(words) - 1
    lines.append(f"    adc {ACC[at + last]}, {words[last]}, xzr")
    return lines


def mul_4_8() -> list[str]:
    """z = x * y by rows: row j (x * y[j], 5 words in x8..x12) added into ACC[j..j+4]."""
    p = [f"x{8 + k}" for k in range(5)]
    xs = ["x3", "x4", "x5", "x6"]
    lines = SAVE + ["    ldp x3, x4, [x1]", "    ldp x5, x6, [x1, #16]", "    ldr x7, [x2]"]
    lines += _row(xs, "x7", ACC[:5])
    for j in (1, 2, 3):
        lines += [f"    ldr x7, [x2, #{8 * j}]"] + _row(xs, "x7", p) + _accumulate(j, p)
    return lines + STORE + RESTORE + ["    ret"]


def sqr_4_8() -> list[str]:
    """z = x^2: the off-diagonal products, doubled, plus the squares x_i^2 at 2i."""
    p = [f"x{8 + k}" for k in range(5)]
    lines = SAVE + ["    ldp x3, x4, [x1]", "    ldp x5, x6, [x1, #16]"]
    lines += _row(["x4", "x5", "x6"], "x3", ACC[1:5])                     # x0 * (x1, x2, x3) at 1..4
    lines += _row(["x5", "x6"], "x4", p[:3]) + _accumulate(3, p[:3])      # x1 * (x2, x3) at 3..5
    lines += ["    mul x8, x5, x6", "    umulh x9, x5, x6"] + _accumulate(5, ["x8", "x9"])  # x2 * x3 at 5..6
    lines += [f"    adds {ACC[1]}, {ACC[1]}, {ACC[1]}"]                   # double: ACC[1..7] = 2 * ACC[1..6]
    lines += [f"    adcs {ACC[k]}, {ACC[k]}, {ACC[k]}" for k in range(2, 7)]
    lines += [f"    adc {ACC[7]}, xzr, xzr"]
    diag = []
    for i, xr in enumerate(["x3", "x4", "x5", "x6"]):
        diag += [f"    mul x{8 + 2 * i}, {xr}, {xr}", f"    umulh x{9 + 2 * i}, {xr}, {xr}"]
    lines += diag + ["    mov x19, x8", "    adds x20, x20, x9"]
    lines += [f"    adcs {ACC[k]}, {ACC[k]}, x{8 + k}" for k in range(2, 7)] + ["    adc x26, x26, x15"]
    return lines + STORE + RESTORE + ["    ret"]


def _replace_once(lines: list[str], old: str, new: list[str]) -> list[str]:
    i = lines.index(old)
    return lines[:i] + new + lines[i + 1:]


GOOD = {"bignum_mul_4_8": mul_4_8(), "bignum_sqr_4_8": sqr_4_8()}
MUTANTS = {
    # the carry of row 1 into z[5] is dropped
    "mul_dropped_carry": ("bignum_mul_4_8", _replace_once(mul_4_8(), "    adc x24, x12, xzr", ["    mov x24, x12"])),
    # the chain of row 2 restarts in its middle: adds where adcs belongs
    "mul_adds_for_adcs": ("bignum_mul_4_8", _replace_once(mul_4_8(), "    adcs x22, x22, x9",
                                                          ["    adds x22, x22, x9"])),
    # x19 is not restored (the result is still right: the frame obligation fails alone)
    "sqr_clobbers_x19": ("bignum_sqr_4_8", _replace_once(sqr_4_8(), "    ldp x19, x20, [sp], #64",
                                                         ["    ldr x20, [sp, #8]", "    add sp, sp, #64"])),
    # a branch on a secret word of x (both ways compute the same)
    "mul_secret_branch": ("bignum_mul_4_8", _replace_once(mul_4_8(), "    ldr x7, [x2]",
                                                          ["    ldr x7, [x2]", "    cmp x3, #0", "    b.eq 1f",
                                                           "    nop", "1:"])),
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    src = ".text"
    for name, lines in GOOD.items():
        src += function(name, "\n".join(lines))
    for name, (_, lines) in MUTANTS.items():
        src += function(name, "\n".join(lines))
    return build_library(tmp_path_factory.mktemp("armverify"), src + NOTE)


def _prove(lib, name, spec):
    return prove(decode_symbol(lib, name), spec, library=lib)


def _failed(result, kind):
    return [o for o in result.obligations if o.status == "failed" and o.kind == kind]


@needs_compiler
@pytest.mark.parametrize("name", sorted(GOOD))
def test_handwritten_aarch64_kernel_proves(lib, name):
    r = _prove(lib, name, spec_for(name))
    assert r.proved, r.message
    statements = {o.statement for o in r.obligations}
    assert {"x19 restored", "x29 restored", "sp on return = sp on entry", "bits 63..0 of v8 restored",
            "returns to the address in x30 on entry"} <= statements
    assert "x18 restored (reserved: the platform register)" in statements
    assert {"algebraic", "frame", "constant-time"} <= {o.kind for o in r.obligations}


@needs_runner
@pytest.mark.parametrize("name", ["mul_dropped_carry", "mul_adds_for_adcs"])
def test_functional_mutant_fails_with_counterexample_confirmed_by_qemu(lib, name):
    r = _prove(lib, name, MUL4)
    assert r.functional == "failed" and r.frame == "proved" and r.constant_time == "proved"
    (bad,) = [o for o in r.obligations if o.status == "failed"]
    assert bad.kind == "algebraic" and bad.address is not None
    cex = r.counterexample
    assert cex and cex["model_confirms"] and cex["native_confirms"], cex
    assert cex["native_executor"] in ("qemu-aarch64", "native")
    env = cex["inputs"]
    got = MUL4.post[0].a.evaluate({**env, **cex["native_outputs"]})
    assert got != MUL4.post[0].b.evaluate(env)


@needs_compiler
def test_clobbered_x19_fails_the_frame(lib):
    r = _prove(lib, "sqr_clobbers_x19", SQR4)
    assert r.functional == "proved" and r.constant_time == "proved" and r.frame == "failed"
    assert [o.statement for o in _failed(r, "frame")] == ["x19 restored"]


@needs_compiler
def test_secret_branch_fails_constant_time(lib):
    r = _prove(lib, "mul_secret_branch", MUL4)
    assert not r.proved and r.constant_time == "failed"
    (ct,) = _failed(r, "constant-time")
    assert "branch condition" in ct.detail and "x[0]" in ct.detail
    assert ct.address == decode_symbol(lib, "mul_secret_branch").address + 4 * (len(SAVE) + 4)


@needs_compiler
@pytest.mark.parametrize("extra, failed", [
    (["    mov v9.d[1], x3"], []),                                   # the high half of v8-v15 may change
    (["    fmov d8, x3"], ["bits 63..0 of v8 restored"]),            # d8 is callee-saved
    (["    mov x18, x3"], ["x18 restored (reserved: the platform register)"]),
    (["    mov x30, x3"], None),                                     # returns somewhere else: never a proof
])
def test_aapcs64_registers(tmp_path, extra, failed):
    body = mul_4_8()
    body = body[:-1] + extra + ["    ret"]
    lib = build_library(tmp_path, ".text" + function("k", "\n".join(body)) + NOTE)
    r = _prove(lib, "k", MUL4)
    if failed is None:
        assert not r.proved and "jump to a computed target" in r.message
        assert r.constant_time == "failed"      # the target is secret x[0]
        return
    assert r.functional == "proved" and r.constant_time == "proved"
    assert [o.statement for o in _failed(r, "frame")] == failed
    assert r.frame == ("failed" if failed else "proved")


def test_sbcs_borrow_in_is_the_borrow_of_subs():
    """C after subs is NOT borrow and sbcs borrows NOT C: the chain the prover sees is the borrow chain itself."""
    from provenum.isa.aarch64.decode import decode_bytes
    from provenum.isa.aarch64.semantics import execute
    from provenum.verify.executor import initial_state
    from provenum.verify.symstate import SymbolicDomain
    from provenum.verify.target import target_for

    code = bytes.fromhex("200002eb" "410003fa")   # subs x0, x1, x2 ; sbcs x1, x2, x3
    insns = decode_bytes(code)
    assert [i.text for i in insns] == ["x0, x1, x2", "x1, x2, x3"]
    d = SymbolicDomain()
    s, *_ = initial_state(MUL4, d, target_for("aarch64"))
    x1, x2, x3 = (s.read_gpr(f"x{i}") for i in (1, 2, 3))
    for insn in insns:
        execute(s, insn)
    _, borrow = d.sub(x1, x2)
    assert s.read_gpr("x1") is d.sub(x2, x3, borrow)[0]
    assert s.read_flag("C") is d.xor(d.sub(x2, x3, borrow)[1], d.const(1, 1))


@needs_compiler
def test_stack_below_sp_does_not_survive(tmp_path):
    """AAPCS64 has no red zone: a word stored below sp and loaded back is not a proof."""
    body = mul_4_8()
    body = _replace_once(body, "    ldr x7, [x2]", ["    str x3, [sp, #-80]", "    ldr x3, [sp, #-80]",
                                                    "    ldr x7, [x2]"])
    lib = build_library(tmp_path, ".text" + function("below_sp", "\n".join(body)) + NOTE)
    r = _prove(lib, "below_sp", MUL4)
    assert not r.proved
    assert "below sp" in r.message and "no red zone" in r.message


@needs_compiler
def test_misaligned_sp_is_refused(tmp_path):
    body = _replace_once(mul_4_8(), "    ldr x7, [x2]",
                         ["    sub sp, sp, #8", "    add sp, sp, #8", "    ldr x7, [x2]"])
    lib = build_library(tmp_path, ".text" + function("k", "\n".join(body)) + NOTE)
    r = _prove(lib, "k", MUL4)
    assert r.frame == "failed" and "sp misaligned" in r.message


@needs_compiler
def test_report_reads_the_elf_machine(lib, tmp_path):
    """proof_jobs and prove_one decode with the library's ISA: the AArch64 symbols are found and proved."""
    jobs = proof_jobs(lib, ["bignum_mul_4_8"])
    assert [(n, s.name) for n, s in jobs] == [("bignum_mul_4_8", "bignum_mul_4_8")]
    res = prove_one(lib, "bignum_mul_4_8", jobs[0][1])
    assert res["proved"] and res["instructions"] == len(GOOD["bignum_mul_4_8"])
    json.dumps(res, default=str)


@needs_compiler
def test_verify_command_on_an_aarch64_library(lib, tmp_path, capsys):
    from provenum.cli import main

    out = tmp_path / "r.json"
    rc = main(["verify", str(lib), "bignum_mul_4_8", "bignum_sqr_4_8", "--json", str(out), "--markdown", ""])
    assert rc == 0, capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert doc["isa"] == "aarch64"
    assert [f["name"] for f in doc["functions"]] == ["bignum_mul_4_8", "bignum_sqr_4_8"]
    assert all(f["functional"] == f["frame"] == f["constant_time"] == "proved" for f in doc["functions"])


SHIPPED = ([f"bignum_{op}_{n}_{2 * n}_scalar" for op in ("mul", "sqr") for n in (4, 6, 8)]
           + [f"bignum_montredc_{n}_scalar" for n in (4, 8)]
           + [f"bignum_mont{op}_{n}_scalar" for op in ("mul", "sqr") for n in (4, 8)])   # the 8s call their product


@needs_compiler
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scalar_kernel_proves_from_the_cross_built_library(name):
    """Every spec instance (the Montgomery kernels' in-place ones too) of the shipped AArch64 kernel proves."""
    from provenum.native import cross
    from provenum.verify.specs import specs_for

    lib = cross.library()
    fn = decode_symbol(lib, name)
    for spec in specs_for(name):
        r = prove(fn, spec, search_counterexample=False, library=lib)
        assert r.proved, f"{spec.label}: {r.message}"


@needs_compiler
def test_verify_function_reads_the_elf_machine(lib):
    from provenum.verify import verify_function

    proof = verify_function(lib, "bignum_sqr_4_8")
    assert proof.proved and proof.instructions == len(GOOD["bignum_sqr_4_8"])


@needs_compiler
@pytest.mark.parametrize("name", ["bignum_mul_4_8_scalar", "bignum_sqr_4_8_scalar", "bignum_montredc_4_scalar"])
def test_shipped_scalar_kernel_with_an_adds_for_an_adcs_fails(name):
    """Every adcs of the shipped kernel turned into adds (one at a time): none proves."""
    import struct

    from provenum.isa.aarch64.decode import decode_function, symbol_bytes
    from provenum.native import cross

    address, code = symbol_bytes(cross.library(), name)
    words = list(struct.unpack(f"<{len(code) // 4}I", code))
    adcs = [i for i, w in enumerate(words) if w & 0xFFE0FC00 == 0xBA000000]   # adcs xd, xn, xm
    assert len(adcs) >= 4
    for i in adcs:
        mutant = list(words)
        mutant[i] = (words[i] & 0x001FFFFF) | 0xAB000000                        # adds xd, xn, xm
        fn = decode_function(name, struct.pack(f"<{len(mutant)}I", *mutant), address)
        assert fn.instructions[i].mnemonic == "adds"
        r = prove(fn, spec_for(name), search_counterexample=False)
        assert r.functional == "failed", f"adds at instruction {i} proved"


# bignum_sqr_4_8 as a call of bignum_mul_4_8(z, x, x) with bl (x30 and x29 saved around it)
SQR_BY_CALL = ["    stp x29, x30, [sp, #-16]!", "    mov x29, sp", "    mov x2, x1", "    bl .Lmul",
               "    ldp x29, x30, [sp], #16", "    ret"]


def _call_library(tmp_path, mul: list[str], sqr: list[str]):
    src = (".text" + function("bignum_mul_4_8", ".Lmul:\n" + "\n".join(mul))
           + function("bignum_sqr_4_8", "\n".join(sqr)))
    return build_library(tmp_path, src + NOTE)


@needs_compiler
def test_a_call_to_a_proved_kernel_is_replaced_by_its_spec(tmp_path):
    lib = _call_library(tmp_path, mul_4_8(), SQR_BY_CALL)
    r = _prove(lib, "bignum_sqr_4_8", SQR4)
    assert r.proved, r.message
    assert [o.statement.split(" at ")[0] for o in r.obligations if o.kind == "call"] == ["call to bignum_mul_4_8"]
    assert {c["name"] for c in r.code} == {"bignum_sqr_4_8", "bignum_mul_4_8"}


@needs_compiler
@pytest.mark.parametrize("mul, sqr, why", [
    (MUTANTS["mul_dropped_carry"][1], SQR_BY_CALL, "call to bignum_mul_4_8, whose own proof failed"),
    # x30 not saved: after the call it is the callee's junk, and the return goes there
    (mul_4_8(), ["    mov x2, x1", "    bl .Lmul", "    ret"], "jump to a computed target"),
])
def test_a_call_summary_is_not_a_free_pass(tmp_path, mul, sqr, why):
    lib = _call_library(tmp_path, mul, sqr)
    r = _prove(lib, "bignum_sqr_4_8", SQR4)
    assert not r.proved and why in r.message
