"""Secret poisoning under memcheck: the shipped private-key path passes, deliberately leaky variants
(a secret-dependent branch, a secret-indexed load, a branch in an assembly kernel) are reported
with the function, the operation and the secret they leak."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from ctutil import needs_memcheck
from provenum.cli import main
from provenum.ct import memcheck
from provenum.native.executable import CSRC, KERNELS

# verdicts the driver checks per key: load 1, blinding 5, two signatures 2 x 2, the raw private op 2,
# faults 2, decryption 8 (PKCS#1 v1.5 valid 3 and implicit rejection 1, OAEP valid 3 and refused 1)
CHECKS_PER_KEY = 22

pytestmark = needs_memcheck

RSA_PRIVATE = CSRC / "rsa_private.c"


def patched(tmp_path, source: Path, old: str, new: str, name: str) -> Path:
    """A copy of a library source with one passage replaced (which must be there)."""
    text = source.read_text()
    assert text.count(old) == 1, f"{source.name} changed: the leak test's passage is gone"
    out = tmp_path / name
    out.write_text(text.replace(old, new))
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    return memcheck.build_driver(tmp_path_factory.mktemp("ct-driver"))


def levels_to_run():
    from provenum.native import dispatch

    return sorted({"baseline", dispatch.best_level()}, key=dispatch.levels().index)


def test_the_driver_signs_correctly_at_every_level_natively(driver, tmp_path):
    """Outside valgrind (no poisoning) the driver's answers are checked exactly as under it."""
    from provenum.native import dispatch

    job = memcheck.make_job([1024, 2048])
    jobfile = tmp_path / "job.txt"
    jobfile.write_text(job.text)
    _, lib = dispatch._native()
    for level in dispatch.levels():
        env = dict(os.environ, PROVENUM_CT_NATIVE="1", PROVENUM_CPU=level,
                   PROVENUM_CT_FEATURES=f"{lib.provenum_cpu_features():x}")
        proc = subprocess.run([str(driver), str(jobfile)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        result = memcheck.LevelResult(level, 0, "")
        assert memcheck._check_output(proc.stdout, job, level, result) == []
        assert result.signatures == 4 and result.checks == 2 * CHECKS_PER_KEY


def test_the_driver_refuses_to_run_outside_valgrind(driver, tmp_path):
    (tmp_path / "job.txt").write_text("")
    proc = subprocess.run([str(driver), str(tmp_path / "job.txt")], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "PROVENUM_CT_NATIVE"})
    assert proc.returncode == 2 and "valgrind" in proc.stderr


def test_shipped_private_key_path_passes(driver):
    report = memcheck.run([1024, 2048], levels_to_run(), driver=driver)
    assert report.passed
    for r in report.results:
        if r.status == "not run":      # valgrind has no AVX-512: only those levels' AVX-512 kernels stop it
            assert r.level in ("avx512", "avx512ifma") and "AVX-512" in r.reason and r.bits != 1024
            continue
        assert r.status == "passed", (r.level, r.bits, r.reason, r.findings[:2])
        assert r.signatures == 2 and r.checks == CHECKS_PER_KEY and r.random_bytes > 0
    assert any(r.status == "passed" and r.level == "baseline" and r.bits == 2048 for r in report.results)


def _findings(report):
    assert not report.passed
    return [f for r in report.results for f in r.findings]


def test_a_secret_dependent_branch_is_reported(tmp_path):
    leaky = patched(tmp_path, RSA_PRIVATE,
                    "    uint64_t take = 0 - (hi | (borrow ^ 1));\n    select_n(z, take, d, t, n);",
                    "    if (hi | (borrow ^ 1)) memcpy(z, d, n * sizeof(uint64_t));\n"
                    "    else memmove(z, t, n * sizeof(uint64_t));", "rsa_private_branch.c")
    report = memcheck.run([1024], ["baseline"], replace={"rsa_private.c": leaky})
    hits = [f for f in _findings(report) if f.function == "final_sub"]
    assert hits, _findings(report)[:3]
    load = [f for f in hits if f.phase == "load"]
    assert load and all(f.kind == "UninitCondition" for f in load)
    assert {f.secret for f in load} <= {"p", "q", "qinv"} and "p" in {f.secret for f in load}
    assert any("mont_rr" in frame for frame in load[0].stack)
    assert load[0].origin[0].startswith("secret_")


def test_a_secret_indexed_load_is_reported(tmp_path):
    old = ("    memset(z, 0, n * sizeof(uint64_t));\n"
           "    for (uint64_t i = 0; i < (1u << WIN); i++) {\n"
           "        uint64_t mask = mask_zero(i ^ idx);\n"
           "        const uint64_t *row = table + i * n;\n"
           "        for (size_t j = 0; j < n; j++) z[j] |= row[j] & mask;\n"
           "    }")
    leaky = patched(tmp_path, RSA_PRIVATE, old, "    memcpy(z, table + idx * n, n * sizeof(uint64_t));",
                    "rsa_private_index.c")
    report = memcheck.run([1536], ["baseline"], replace={"rsa_private.c": leaky})   # the generic exponentiation
    hits = [f for f in _findings(report) if f.function == "table_scan"]
    assert any(f.kind == "UninitValue" for f in hits), _findings(report)[:3]
    assert {f.secret for f in hits} <= {"dp", "dq"}
    assert "sign" in {f.phase for f in hits}      # memcheck merges the same leak seen again later


def test_a_secret_dependent_branch_in_an_assembly_kernel_is_reported(tmp_path):
    name = "bignum_montmul_8_baseline"
    leaky = patched(tmp_path, KERNELS / "x86_64" / "generated" / f"{name}.S", f"{name}:\n",
                    f"{name}:\n        test BYTE PTR [rsi], 1\n        jz 9f\n9:\n", f"{name}.S")
    report = memcheck.run([1024], ["baseline"], replace={f"{name}.S": leaky})   # p and q: 8 words
    hits = [f for f in _findings(report) if f.function == name]
    assert hits and all(f.kind == "UninitCondition" for f in hits)
    assert all(f.secret != "none" and not f.secret.startswith("none") for f in hits)


def test_levels_the_cpu_lacks_and_bad_sizes_are_refused():
    from provenum.native import dispatch

    with pytest.raises(memcheck.CheckError, match="key sizes"):
        memcheck.run([512])
    missing = [lv for lv in ("bmi2", "avx2", "avx512") if not dispatch.can_run(lv)]
    if missing:
        with pytest.raises(memcheck.CheckError, match="cannot run"):
            memcheck.run([1024], missing)


def test_parse_xml_of_a_missing_file_is_empty(tmp_path):
    assert memcheck.parse_xml(tmp_path / "none.xml") == []
    assert memcheck.fatal_signal(tmp_path / "none.xml") is None


def test_cli(tmp_path, capsys):
    out = tmp_path / "ct.json"
    assert main(["ct-check", "--only", "memcheck", "--sizes", "1024", "--levels", "baseline",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["memcheck"]["passed"] and doc["memcheck"]["results"][0]["status"] == "passed"
    assert main(["ct-check", "--only", "memcheck", "--sizes", "512"]) == 2
    assert "key sizes" in capsys.readouterr().err
    assert main(["ct-check", "--jobs", "0"]) == 2
