"""The verify, spec and mutate commands."""
import json

from aarch64util import needs_compiler
from asmutil import assemble, schoolbook_mul
from provenum.cli import main
from provenum.verify.mutate import run_mutants, summary


def test_spec_prints_mathematics(capsys):
    assert main(["spec", "bignum_montredc_8"]) == 0
    out = capsys.readouterr().out
    assert "2^512 · bignum(z, 8) ≡ bignum(x, 16) (mod bignum(m, 8))" in out
    assert "m[0] · w ≡ -1 (mod 2^64)" in out
    assert main(["spec", "no_such_kernel"]) == 2


def test_verify_json_and_failure(tmp_path, capsys):
    so = assemble({"bignum_mul_4_8": schoolbook_mul(4), "bignum_sqr_4_8": schoolbook_mul(4)}, str(tmp_path))
    out = tmp_path / "v.json"
    md = tmp_path / "v.md"
    code = main(["verify", str(so), "--json", str(out), "--markdown", str(md)])
    assert code == 1  # the "square" is really a multiply: it fails its spec
    doc = json.loads(out.read_text())
    rows = {f["name"]: f for f in doc["functions"]}
    assert rows["bignum_mul_4_8"]["functional"] == "proved"
    assert rows["bignum_sqr_4_8"]["functional"] == "failed"
    for f in doc["functions"]:
        assert {"name", "sha256", "instructions", "seconds", "functional", "frame", "constant_time"} <= set(f)
        assert len(f["sha256"]) == 64
    assert "bignum_sqr_4_8" in md.read_text()


def test_verify_writes_both_reports_by_default(tmp_path, monkeypatch, capsys):
    so = assemble({"bignum_mul_4_8": schoolbook_mul(4)}, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["verify", str(so)]) == 0
    doc = json.loads((tmp_path / "verify-report.json").read_text())
    sha = doc["functions"][0]["sha256"]
    assert doc["functions"][0]["name"] == "bignum_mul_4_8" and len(sha) == 64
    assert sha[:16] in (tmp_path / "verify-report.md").read_text()


def test_verify_rejects_unknown_names(tmp_path, capsys):
    so = assemble({"bignum_mul_4_8": schoolbook_mul(4)}, str(tmp_path))
    assert main(["verify", str(so), "bignum_mul_99_198"]) == 2


def test_mutants_wrong_ones_are_killed(tmp_path):
    mutants = run_mutants(("bignum_mul_4_8_baseline", "bignum_montredc_4_bmi2"), count=16, seed=3, tests=40,
                          workdir=str(tmp_path))
    s = summary(mutants)
    assert s["mutants"] == 16 and s["wrong"] > 0
    assert s["proved_but_wrong"] == 0 and s["killed"] == s["wrong"]
    assert s["wrong"] + s["equivalent"] == s["mutants"]


def test_verify_function_api(tmp_path):
    from provenum.verify import verify_function

    so = assemble({"bignum_mul_4_8": schoolbook_mul(4), "bignum_sqr_4_8": schoolbook_mul(4)}, str(tmp_path))
    good = verify_function(so, "bignum_mul_4_8")
    assert good.proved and good.obligations > 5 and len(good.sha256) == 64 and not good.failure
    bad = verify_function(so, "bignum_sqr_4_8")
    assert not bad.proved and "not inside any declared region" in bad.failure  # it reads a y it is not given


def test_mutants_of_kernels_with_calls_and_loops_are_killed(tmp_path):
    """Karatsuba 32 calls Karatsuba 16 (a summarised call); the table lookup is a loop proved for every height."""
    mutants = run_mutants(("bignum_ksqr_32_64_baseline", "bignum_copy_row_from_table_4_baseline"), count=14, seed=5, tests=40,
                          workdir=str(tmp_path))
    s = summary(mutants)
    assert s["wrong"] > 0 and s["proved_but_wrong"] == 0 and s["killed"] == s["wrong"]
    assert all(m.natively for m in mutants)
    assert {m.kernel for m in mutants} == {"bignum_ksqr_32_64_baseline", "bignum_copy_row_from_table_4_baseline"}


def test_mutants_this_cpu_cannot_run_are_classified_by_the_model(tmp_path, monkeypatch):
    """On a CPU without AVX-512 the table lookup's mutants are tested in the model, not counted wrong."""
    from provenum.verify import runs

    monkeypatch.setattr(runs, "cpu_flags", lambda: {"bmi2", "adx", "avx2", "avx"})
    mutants = run_mutants(("bignum_copy_row_from_table_4_avx512",), count=6, seed=2, tests=20, workdir=str(tmp_path))
    s = summary(mutants)
    assert s["classified_by_model_only"] == s["mutants"] - sum(1 for m in mutants if m.failure.startswith("decode"))
    assert s["proved_but_wrong"] == 0 and s["killed"] == s["wrong"]
    assert not any("illegal instruction" in m.why for m in mutants)


@needs_compiler
def test_verify_isa_aarch64_proves_the_cross_built_library_unnamed(tmp_path, capsys):
    out = tmp_path / "arm.json"
    assert main(["verify", "--isa", "aarch64", "bignum_mul_4_8_scalar", "--json", str(out), "--markdown", ""]) == 0
    doc = json.loads(out.read_text())
    assert doc["isa"] == "aarch64" and [f["name"] for f in doc["functions"]] == ["bignum_mul_4_8_scalar"]
    assert doc["functions"][0]["functional"] == "proved"


@needs_compiler
def test_verify_isa_must_match_a_named_library(tmp_path, capsys):
    from provenum.native import cross

    assert main(["verify", "--isa", "x86_64", str(cross.library()), "bignum_mul_4_8_scalar"]) == 2
    assert "not x86_64" in capsys.readouterr().out
