"""AArch64 model validation (natively on an aarch64 host, under qemu-aarch64 elsewhere):
it passes, and it catches wrong semantics."""
import pytest

from aarch64util import needs_runner
from provenum.isa.aarch64 import FORMS, SEMANTICS, VECTOR_SEMANTICS
from provenum.isa.aarch64.semantics import common, integer
from provenum.machine.concrete import ConcreteDomain

pytestmark = needs_runner


@pytest.fixture(scope="module")
def harness():
    from provenum.machine.aarch64.harness import Harness
    with Harness() as h:
        yield h


def validate(**kw):
    from provenum.machine.aarch64.validation import validate as v
    return v(**kw)


def test_all_forms_agree(harness):
    results = validate(cases=4, seed=11, harness=harness)
    assert {r.form for r in results} == set(FORMS) and len(results) >= 150
    bad = [m.report() for r in results for m in r.first]
    assert not bad, "\n\n".join(bad[:5])
    assert all(r.cases == 4 and r.mismatches == 0 for r in results)
    assert harness.executor in ("native", "qemu-aarch64")


def test_unknown_value_paths_agree(harness):
    """The paths the symbolic domain takes (as_int unknown) are right too."""
    results = validate(cases=2, seed=12, harness=harness, domain=ConcreteDomain(opaque=True))
    bad = [m.report() for r in results for m in r.first]
    assert not bad, "\n\n".join(bad[:5])


def _adcs_without_carry(s, insn):
    dst, x, y = insn.operands
    a, b = common.read_reg(s, x), common.read_reg(s, y)
    r, c = s.d.add(a, b)
    common.add_flags(s, a, b, r, c)
    common.write_reg(s, dst, r)


def _subs_with_borrow_as_carry(s, insn):
    """subs that sets C to the borrow (the x86 convention) instead of its complement."""
    integer.add_sub(s, insn)
    s.write_flag("C", common.not1(s.d, s.read_flag("C")))


def _mov_w_merging(s, insn):
    dst, src = insn.operands
    v = common.operand(s, src, dst.width)
    if dst.width == 32 and not dst.is_zero:
        v = s.d.concat(s.d.extract(s.read_gpr(dst.full), 63, 32), v)
    common.write_reg(s, dst, v) if dst.width == 64 else s.write_gpr(dst.full, v)


def _ldr_without_writeback(s, insn):
    dst, m = insn.operands
    address, _ = common.access_address(s, insn, m)
    common.write_reg(s, dst, s.load(address, dst.width // 8))


def _ccmp_condition_inverted(s, insn):
    from provenum.isa.aarch64.instruction import Cond
    ops = insn.operands
    flipped = {"eq": "ne", "ne": "eq", "hs": "lo", "lo": "hs", "lt": "ge", "gt": "le", "al": "al"}
    integer.ccmp(s, type(insn)(insn.address, insn.code, insn.mnemonic, ops[:3] + (Cond(flipped[ops[3].code]),), insn.text))


@pytest.mark.parametrize("table, mnemonic, broken, only", [
    (SEMANTICS, "adcs", _adcs_without_carry, "adcs x, x, x"),
    (SEMANTICS, "subs", _subs_with_borrow_as_carry, "subs x, x, x"),
    (SEMANTICS, "mov", _mov_w_merging, "mov w, w"),
    (SEMANTICS, "ldr", _ldr_without_writeback, "ldr x, [x], #imm"),
    (SEMANTICS, "ccmp", _ccmp_condition_inverted, "ccmp x, x, #imm, cond"),
    (SEMANTICS, "umulh", lambda s, insn: _as(integer.mulh, "smulh")(s, insn), "umulh x, x, x"),
])
def test_wrong_scalar_semantics_is_caught(monkeypatch, harness, table, mnemonic, broken, only):
    monkeypatch.setitem(table, mnemonic, broken)
    (result,) = validate(cases=60, only=only, seed=5, harness=harness)
    assert result.mismatches > 0
    report = result.first[0].report()
    assert "MISMATCH" in report and only in report and harness.executor in report
    assert "before" in report and "model after" in report


def _vector_write_keeping_upper(original):
    def broken(s, insn):
        old = s.read_vec(insn.operands[0].index)
        original(s, insn)
        new = s.read_vec(insn.operands[0].index)
        s.write_vec(insn.operands[0].index, s.d.concat(s.d.extract(old, 127, 64), s.d.extract(new, 63, 0)))
    return broken


def _as(semantics, mnemonic):
    """`semantics` run as if the instruction were `mnemonic` (same operands)."""
    def run(s, insn):
        semantics(s, type(insn)(insn.address, insn.code, mnemonic, insn.operands, insn.text))
    return run


def _umlal_without_accumulate(s, insn):
    from provenum.isa.aarch64.semantics.vector import multiply_long
    _as(multiply_long, "umull")(s, insn)


@pytest.mark.parametrize("mnemonic, broken, only", [
    ("add", _vector_write_keeping_upper(VECTOR_SEMANTICS["add"]), "add v.2s, v.2s, v.2s"),
    ("umlal", _umlal_without_accumulate, "umlal v.2d, v.2s, v.2s"),
    ("zip1", lambda s, insn: _as(VECTOR_SEMANTICS["zip2"], "zip2")(s, insn), "zip1 v.4s, v.4s, v.4s"),
])
def test_wrong_vector_semantics_is_caught(monkeypatch, harness, mnemonic, broken, only):
    monkeypatch.setitem(VECTOR_SEMANTICS, mnemonic, broken)
    (result,) = validate(cases=40, only=only, seed=6, harness=harness)
    assert result.mismatches > 0 and "v0: native" in result.first[0].report()


def test_model_exception_is_a_mismatch(monkeypatch, harness):
    def explode(s, insn):
        s.load(s.d.const(8, 64), 8)           # unmapped

    monkeypatch.setitem(SEMANTICS, "nop", explode)
    (result,) = validate(cases=3, only="nop", harness=harness)
    assert result.mismatches == 3 and "MemoryAccessError" in result.first[0].report()


def test_only_selects_mnemonics_and_forms(harness):
    results = validate(cases=2, only="adcs,umulh", harness=harness)
    assert {r.form.split()[0] for r in results} == {"adcs", "umulh"}
    assert [r.form for r in validate(cases=1, only="ldp q, q, [x], #imm", harness=harness)] == ["ldp q, q, [x], #imm"]
    with pytest.raises(ValueError, match="no supported"):
        validate(cases=2, only="fsqrt", harness=harness)
    with pytest.raises(ValueError):
        validate(cases=0, harness=harness)


def test_a_crashing_case_names_the_example(harness):
    """If the machine faults (here: a memory operand pointed outside the scratch buffer), the error says where."""
    from provenum.machine.aarch64 import harness as H
    from provenum.machine.aarch64.cases import make_record
    import random

    stub = next(s for s in harness.stubs if s.source == "ldr x0, [x1]")
    rec = make_record(random.Random(1), stub, harness.scratch)
    rec[H.OFF_GPR + 8:H.OFF_GPR + 16] = (16).to_bytes(8, "little")          # x1 = 16: unmapped
    with pytest.raises(H.HarnessError, match=r"died with signal .*ldr x0, \[x1\]"):
        harness.run(stub, bytearray(rec))
    (result,) = validate(cases=2, only="ldr x, [x]", harness=harness)      # the harness restarts
    assert result.mismatches == 0
