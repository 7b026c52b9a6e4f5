"""The kernel benchmark builds its native harness and reports what the issue asks."""
import json
import shutil
import subprocess

import pytest

from provenum.bench import kernels as bench
from provenum.cli import main
from provenum.kernels import CATALOG

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def have_gmp() -> bool:
    r = subprocess.run(["gcc", "-x", "c", "-", "-lgmp", "-o", "/dev/null"],
                       input="#include <gmp.h>\nint main(void){return mpn_sec_powm_itch(1,1,1)<0;}\n",
                       capture_output=True, text=True)
    return r.returncode == 0


def test_cases_header_lists_every_kernel():
    header = bench._cases_header(CATALOG)
    for k in CATALOG:
        assert f", {k.name}, {k.n})" in header


def test_only_variants_this_cpu_runs_are_timed(monkeypatch):
    from provenum.native import dispatch

    monkeypatch.setattr(dispatch, "can_run", lambda level: level in ("baseline", "bmi2"))
    assert {k.level for k in bench.runnable(CATALOG)} == {"baseline", "bmi2"}


def test_gmp_counterparts():
    assert bench.gmp_counterpart("bignum_kmul_16_32", 16) == "mpn_mul_n/16"
    assert bench.gmp_counterpart("bignum_sqr_8_16", 8) == "mpn_sqr/8"
    assert bench.gmp_counterpart("bignum_modexp_32", 32) == "mpn_sec_powm/32"
    assert bench.gmp_counterpart("bignum_copy_row_from_table_16", 16) is None


def test_command_writes_json(tmp_path, capsys):
    out = tmp_path / "k.json"
    rc = main(["bench", "kernels", "--only", "mul_8_16", "--repeats", "3", "--budget-ms", "2",
               "--json", str(out)])
    assert rc == 0
    data = json.loads(out.read_text())
    names = {(r["name"], r["words"]) for r in data["results"]}
    assert {("bignum_mul_8_16_baseline", 8), ("bignum_mul_8_16_bmi2", 8)} <= names  # every level this CPU runs
    assert not [n for n, _ in names if "kmul" in n]
    for r in data["results"]:
        assert set(r) >= {"name", "words", "ticks", "ns", "ticks_min"} and r["ticks_min"] <= r["ticks"]
        assert r["ticks"] > 0 and r["ns"] > 0
    if have_gmp():  # GMP side by side, same run, nested in each result
        assert all(r["gmp"]["name"] == "mpn_mul_n" and r["gmp"]["ticks_min"] > 0 for r in data["results"])
    assert "bignum_mul_8_16_bmi2" in capsys.readouterr().out


def test_modexp_timing_is_plausible():
    # a 1024-bit exponentiation cannot take under 50k ticks (sanity of the harness)
    results, info = bench.run(repeats=3, budget_ms=2, only="modexp_16_baseline", gmp=False)
    (r,) = results
    assert r.name == "bignum_modexp_16_baseline" and 50_000 < r.ticks < 50_000_000
    assert 0.5 < info["tsc_ghz"] < 10


def test_bad_arguments(capsys):
    assert main(["bench", "kernels", "--repeats", "0"]) == 2


PEER_C = r"""
#include <stdint.h>
/* a plain C bignum_mul_4_8 with provenum's prototype, to stand for a peer library */
void bignum_mul_4_8(uint64_t *z, const uint64_t *x, const uint64_t *y)
{
    unsigned __int128 acc = 0;
    uint64_t carry_hi = 0;
    for (int k = 0; k < 7; k++) {
        for (int i = 0; i < 4; i++) {
            int j = k - i;
            if (j < 0 || j > 3) continue;
            unsigned __int128 p = (unsigned __int128)x[i] * y[j];
            acc += p;
            if (acc < p) carry_hi++;
        }
        z[k] = (uint64_t)acc;
        acc = (acc >> 64) | ((unsigned __int128)carry_hi << 64);
        carry_hi = 0;
    }
    z[7] = (uint64_t)acc;
}
"""


def test_peer_library_is_timed_beside_and_gmp_montgomery_counterparts(tmp_path):
    src, so, out = tmp_path / "peer.c", tmp_path / "libpeer.so", tmp_path / "k.json"
    src.write_text(PEER_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    assert main(["bench", "kernels", "--only", "mul_4_8", "--repeats", "3", "--budget-ms", "2",
                 "--peer", str(so), "--json", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert {r["name"] for r in results} >= {"bignum_mul_4_8_baseline", "bignum_mul_4_8_bmi2"}
    for r in results:
        assert r["peer"]["name"] == "peer:bignum_mul_4_8" and r["peer"]["ticks"] > 0
    assert main(["bench", "kernels", "--peer", str(tmp_path / "missing.so")]) == 1
    assert bench.gmp_counterpart("bignum_amontsqr_16_bmi2", 16) == "mpn_sqr+redc_1/16"
    assert bench.gmp_counterpart("bignum_montredc_32_baseline", 32) == "mpn_redc_1/32"
