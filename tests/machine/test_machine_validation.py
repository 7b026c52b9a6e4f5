"""Model validation against this CPU: it passes, and it catches wrong semantics."""
import pytest

from provenum.isa.domain import UNDEFINED
from provenum.isa.x86_64 import FORMS, SEMANTICS
from provenum.isa.x86_64.semantics import common
from provenum.machine import ConcreteDomain, validate
from provenum.machine.harness import Harness


@pytest.fixture(scope="module")
def harness():
    return Harness()


def test_all_forms_agree_with_the_cpu(harness):
    results = validate(cases=12, seed=11, harness=harness)
    assert {r.form for r in results} == set(FORMS) and len(results) >= 60
    bad = [m.report() for r in results for m in r.first]
    assert not bad, "\n\n".join(bad[:5])
    assert all(r.cases == 12 and r.mismatches == 0 for r in results)


def test_unknown_value_paths_agree_with_the_cpu(harness):
    """The paths the symbolic domain takes (as_int unknown) are right too."""
    results = validate(cases=3, seed=12, harness=harness, domain=ConcreteDomain(opaque=True))
    bad = [m.report() for r in results for m in r.first]
    assert not bad, "\n\n".join(bad[:5])


def _broken_adcx(s, insn):
    """adcx that forgets the incoming carry."""
    a, b = common.read(s, insn, insn.operands[0]), common.read(s, insn, insn.operands[1])
    r, c = s.d.add(a, b)
    common.write(s, insn, insn.operands[0], r)
    s.write_flag("CF", c)


def _broken_mov(s, insn):
    """mov whose 32-bit register writes merge instead of zero-extending."""
    dst, src = insn.operands
    v = common.read(s, insn, src, dst.width)
    if getattr(dst, "kind", None) == "gpr" and dst.width == 32:
        old = s.read_gpr(dst.full)
        s.write_gpr(dst.full, s.d.concat(s.d.extract(old, 63, 32), v))
    else:
        common.write(s, insn, dst, v)


def _broken_sub(s, insn):
    """sub/cmp with OF computed as for addition."""
    d = s.d
    a, b = common.read(s, insn, insn.operands[0]), common.read(s, insn, insn.operands[1], insn.operands[0].width)
    r, c = d.sub(a, b)
    if insn.mnemonic != "cmp":
        common.write(s, insn, insn.operands[0], r)
    common.sub_flags(s, a, b, r, c)
    s.write_flag("OF", common.msb(d, d.and_(d.not_(d.xor(a, b)), d.xor(a, r))))


SEMANTICS_ORIG = dict(SEMANTICS)


def _wrong_cf_shift(s, insn):
    """shl with CF inverted (when the shift defines it)."""
    SEMANTICS_ORIG["shl"](s, insn)
    if s.flags["CF"] is not UNDEFINED:
        s.write_flag("CF", common.not1(s.d, s.read_flag("CF")))


@pytest.mark.parametrize("mnemonic, broken, only", [
    ("adcx", _broken_adcx, "adcx r64, r64"),
    ("mov", _broken_mov, "mov r32, r32"),
    ("sub", _broken_sub, "sub r64, r64"),
    ("shl", _wrong_cf_shift, "shl r64, imm8"),
])
def test_wrong_semantics_is_caught(monkeypatch, harness, mnemonic, broken, only):
    monkeypatch.setitem(SEMANTICS, mnemonic, broken)
    (result,) = validate(cases=60, only=only, seed=5, harness=harness)
    assert result.mismatches > 0
    report = result.first[0].report()
    assert "MISMATCH" in report and only in report
    assert "before" in report and "native after" in report and "model after" in report


def test_wrong_vector_upper_bits_are_caught(monkeypatch, harness):
    def keep_upper(s, insn):
        old = s.read_vec(insn.operands[0].index)
        SEMANTICS_ORIG["vpcmpeqq"](s, insn)
        new = s.read_vec(insn.operands[0].index)
        s.write_vec(insn.operands[0].index, s.d.concat(s.d.extract(old, 511, 256), s.d.extract(new, 255, 0)))

    monkeypatch.setitem(SEMANTICS, "vpcmpeqq", keep_upper)
    (result,) = validate(cases=20, only="vpcmpeqq ymm, ymm, ymm", seed=6, harness=harness)
    assert result.mismatches > 0 and "zmm" in result.first[0].report()


def test_model_exception_is_a_mismatch(monkeypatch, harness):
    def explode(s, insn):
        s.load(s.d.const(8, 64), 8)           # unmapped

    monkeypatch.setitem(SEMANTICS, "clc", explode)
    (result,) = validate(cases=3, only="clc", harness=harness)
    assert result.mismatches == 3 and "MemoryAccessError" in result.first[0].report()


def test_only_selects_mnemonics_and_forms(harness):
    results = validate(cases=2, only="adcx,adox", harness=harness)
    assert {r.form.split()[0] for r in results} == {"adcx", "adox"}
    with pytest.raises(ValueError, match="no supported"):
        validate(cases=2, only="fsqrt", harness=harness)
    with pytest.raises(ValueError):
        validate(cases=0, harness=harness)


def _expected_undefined(mnemonic):
    """Flags the Intel SDM leaves undefined (None: depends on the count)."""
    if mnemonic in ("and", "or", "xor", "test"):
        return {"AF"}
    if mnemonic in ("mul", "imul"):
        return {"SF", "ZF", "AF", "PF"}
    if mnemonic == "bt":
        return {"OF", "SF", "AF", "PF"}
    if mnemonic == "andn":
        return {"AF", "PF"}
    if mnemonic in ("shl", "shr", "sar", "shld", "shrd", "rol", "ror"):
        return None
    return set()


def test_only_architecturally_undefined_flags_are_left_undefined(harness):
    """Validation skips undefined flags, so marking too many would hide bugs."""
    import random

    from provenum.machine.cases import make_record
    from provenum.machine.validation import run_model

    rng = random.Random(7)
    for stub in harness.stubs:
        for _ in range(3):
            snap = run_model(stub, make_record(rng, stub, harness.scratch), harness.scratch, ConcreteDomain())
            assert snap.error is None, (stub.source, snap.error)
            undefined = {f for f, v in snap.flags.items() if v is None}
            expected = _expected_undefined(stub.insn.mnemonic)
            if expected is None:
                assert undefined <= {"AF", "OF"}, stub.source
            else:
                assert undefined == expected, stub.source


def test_forms_the_cpu_lacks_are_reported_not_run():
    """With AVX-512 taken away (a Zen 3, say), its forms are not run and not counted as passed;
    the harness moves only ymm state, and the forms that run still agree with the CPU."""
    from provenum.isa.x86_64.features import cap
    from provenum.machine.harness import cpu_features

    lowered = Harness(features=cap(cpu_features(), "avx2"))
    assert lowered.vectors.name in ("ymm", "xmm") and not lowered.vectors.masks
    results = {r.form: r for r in validate(cases=6, seed=3, harness=lowered,
                                           only="vpternlogq,vpxor,kmovq,adcx,vpaddq")}
    for form in ("vpternlogq zmm, zmm, zmm, imm8", "kmovq k, r64"):
        assert results[form].skipped and "avx512f" in results[form].skipped
        assert results[form].cases == 0 and "skipped" in results[form].as_dict()
    if "avx2" in lowered.features:
        assert results["vpxor ymm, ymm, ymm"].cases == 6 and not results["vpxor ymm, ymm, ymm"].skipped
        mixed = results["vpaddq ymm, ymm, ymm"]     # a VEX example runs, the EVEX (ymm20) one does not
        assert mixed.cases == 6 and mixed.not_run and not mixed.skipped
    assert results["adcx r64, r64"].cases == 6
    assert all(r.mismatches == 0 for r in results.values())


def test_running_a_form_the_cpu_lacks_is_refused():
    from provenum.machine.harness import HarnessError

    h = Harness(features=frozenset())
    stub = next(s for s in h.stubs if s.form == "adcx r64, r64")
    with pytest.raises(HarnessError, match="lacks adx"):
        h.run(stub, bytearray(4096))
