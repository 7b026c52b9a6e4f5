"""The dudect benchmark: targets resolve, the harness measures both classes of every pair, and a
deliberately variable-time target is told apart (the t-test can fail)."""
import json
import math
import subprocess

import pytest

from ctutil import needs_harness
from provenum.bench import ct
from provenum.cli import main
from provenum.kernels import OPERATIONS
from provenum.native import dispatch

pytestmark = needs_harness

LEAKY = """
#include <stdint.h>
/* a "product" that stops early at x's highest set bit: 0 rounds for zeros, 256 for ones */
void leaky_mul_4_8(uint64_t *z, const uint64_t *x, const uint64_t *y)
{
    uint64_t acc = y[0];
    for (int w = 0; w < 4; w++)
        for (uint64_t v = x[w]; v; v >>= 1) acc = acc * 3 + (v & 1);
    z[0] = acc;
}
"""


def test_targets_resolve():
    assert ct.resolve("bignum_montmul_16") == ("MONTMUL", "bignum_montmul_16", 16, 0)
    assert ct.resolve("bignum_copy_row_from_table_16")[3] == 32       # the exponentiation's window: 5 bits
    assert ct.resolve("bignum_mul_8_16_baseline") == ("MUL", "bignum_mul_8_16_baseline", 8, 0)
    assert ct.resolve("sign")[0] == "SIGN"
    with pytest.raises(ct.BenchError, match="unknown target"):
        ct.resolve("bignum_nothing_7")
    targets = ct.default_targets()
    assert targets[-1] == "sign"
    assert sorted(OPERATIONS[t].family for t in targets[:-1]) == sorted({op.family for op in OPERATIONS.values()})
    assert "bignum_amm52x2_20" in targets and "bignum_montmul_16" in targets      # nearest 16 words: 20 digits
    if dispatch.can_run("avx512ifma"):
        assert ct.resolve("bignum_amm52x2_20") == ("AMMX2", "bignum_amm52x2_20", 20, 0)
    # below avx512ifma the radix-2^52 families are left out, and naming one is refused (its slot is empty)
    below = ct.default_targets("avx512")
    assert "bignum_amm52x2_20" not in below and "bignum_select52x2_20" not in below and "bignum_montmul_16" in below
    if dispatch.can_run("avx512"):
        with pytest.raises(ct.BenchError, match="no variant at or below the avx512 level"):
            ct.resolve("bignum_amm52_20", "avx512")


@pytest.mark.skipif(not dispatch.can_run("avx512ifma"), reason="the CPU has no AVX-512 IFMA")
def test_the_radix52_kernels_measure_both_classes():
    results = ct.run(["bignum_amm52_20", "bignum_amm52x2_20", "bignum_select52x2_20"],
                     pairs=[("fixed", "random"), ("zeros", "ones")], seconds=0.3, samples=3000)
    assert [(r.target, r.classes) for r in results] == [
        (t, p) for t in ("bignum_amm52_20", "bignum_amm52x2_20", "bignum_select52x2_20")
        for p in (("fixed", "random"), ("zeros", "ones"))]
    for r in results:
        assert min(r.samples) > 500 and min(r.median_ticks) > 0


def test_every_pair_measures_both_classes():
    results = ct.run(["bignum_mul_8_16", "bignum_copy_row_from_table_16", "sign"], seconds=0.3, samples=3000,
                     bits=1024)
    assert [r.classes for r in results] == list(ct.PAIRS) * 2 + list(ct.SIGN_PAIRS)
    for r in results:
        assert min(r.samples) > 0 and sum(r.samples) <= 3000
        assert math.isfinite(r.t_raw) and len(r.crops) == 10 and min(r.median_ticks) > 0
        assert [c[0] for c in r.crops] == sorted(c[0] for c in r.crops)
    assert results[-1].target == "sign RSA-1024"


def test_a_variable_time_target_is_told_apart(tmp_path):
    src = tmp_path / "leaky.c"
    src.write_text(LEAKY)
    exe = ct.build(tmp_path, [src])
    proc = subprocess.run([str(exe), "MUL", "leaky_mul_4_8", "4", "0", "zeros", "ones", "1", "20000"],
                          capture_output=True, text=True, check=True)
    out = ct.parse_output(proc.stdout)
    # on a loaded machine a few preempted calls inflate the raw variance; the cropped tests
    # (dudect's percentiles) are the ones that must see the difference
    best = max(abs(t) for _, _, t, _, _ in out["crops"])
    assert best > 10 * ct.THRESHOLD and out["median"][0] + 100 < out["median"][1], out


def test_bad_arguments():
    with pytest.raises(ct.BenchError, match="unknown class"):
        ct.run(["bignum_mul_8_16"], pairs=[("fixed", "purple")])
    with pytest.raises(ct.BenchError, match="sign target only"):
        ct.run(["bignum_mul_8_16"], pairs=[("key-a", "key-b")])
    assert main(["bench", "ct", "--seconds", "0"]) == 2
    assert main(["bench", "ct", "--pairs", "fixed"]) == 2
    assert main(["bench", "ct", "--bits", "1000"]) == 2


def test_cli(tmp_path):
    out = tmp_path / "ct.json"
    assert main(["bench", "ct", "--target", "bignum_sqr_4_8", "--pairs", "zeros/ones", "--seconds", "0.2",
                 "--samples", "2000", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    (r,) = doc["results"]
    assert r["classes"] == ["zeros", "ones"] and doc["threshold"] == 4.5 and "max_abs_t" in r
