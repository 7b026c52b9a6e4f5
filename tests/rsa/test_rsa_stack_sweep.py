"""The stack sweep after the key load, the private-key operation and the blinding batch:
no secret-derived residue may stay below the caller's frame.

The C file and the kernels are compiled here into a small program that
paints the stack below a caller with a pattern, runs the exported function,
and reports the deepest word that is neither the pattern nor zero.
"""
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import data_path
from provenum import rsa

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ROOT / "src" / "provenum" / "native"
KERNELS = ROOT / "src" / "provenum" / "kernels" / "x86_64" / "generated"

# what may legitimately remain: the small frames of the harness' caller and
# of the exported wrapper (return addresses, saved registers)
ALLOWED_DEPTH = 1024

HARNESS = r"""
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "keydata.h"
size_t provenum_rsa_key_words(void);
int provenum_rsa_private_load(uint64_t *key, const uint64_t *n, size_t words, const uint64_t *e,
    size_t ewords, const uint64_t *p, const uint64_t *q, const uint64_t *dp, const uint64_t *dq,
    const uint64_t *qinv, const uint64_t *d, size_t hwords);
int provenum_rsa_private_op(const uint64_t *key, uint64_t *sig, const uint64_t *m,
    const uint64_t *r_in, const uint64_t *rinv_in, int fault);
int provenum_rsa_blind_batch_start(const uint64_t *key, uint64_t *batch, size_t count,
    unsigned char *u_be, size_t len);

#define AREA (160 * 1024 / 8)
#define PAT 0x5A5A5A5A5A5A5A5AULL
static uintptr_t area_lo;
static uint64_t key[32768], sig[128], batch[17 * 2 * 128];
static unsigned char u[1024];

__attribute__((noinline)) static void paint(void)
{
    volatile uint64_t a[AREA];
    for (size_t i = 0; i < AREA; i++) a[i] = PAT;
    area_lo = (uintptr_t)a;
}

/* bytes from the top of the painted area down to the deepest residue */
__attribute__((noinline)) static long deepest_residue(void)
{
    volatile uint64_t a[AREA];
    if ((uintptr_t)a != area_lo) return -1;
    for (size_t i = 0; i < AREA; i++)
        if (a[i] != PAT && a[i] != 0) return (long)((AREA - i) * 8);
    return 0;
}

__attribute__((noinline)) static int call_load(void)
{
    return provenum_rsa_private_load(key, N, W, E, 1, P, Q, DP, DQ, QI, D, H);
}

__attribute__((noinline)) static int call_op(void)
{
    return provenum_rsa_private_op(key, sig, M, R, RI, 0);
}

__attribute__((noinline)) static int call_batch(void)
{
    return provenum_rsa_blind_batch_start(key, batch, 16, u, NBYTES);
}

int main(void)
{
    if (provenum_rsa_key_words() > sizeof key / 8) return 2;
    paint();
    if (call_load() != 0) return 3;
    long load_depth = deepest_residue();
    paint();
    int st = call_op();
    long op_depth = deepest_residue();
    paint();
    int bst = call_batch();
    long batch_depth = deepest_residue();
    printf("%ld %d %ld %d %ld ", load_depth, st, op_depth, bst, batch_depth);
    for (int i = W - 1; i >= 0; i--) printf("%016llx", (unsigned long long)sig[i]);
    printf("\n");
    return 0;
}
"""


def _array(name, value, words):
    limbs = ", ".join(f"0x{(value >> (64 * i)) & (2**64 - 1):x}ULL" for i in range(words))
    return f"static const uint64_t {name}[{words}] = {{{limbs}}};\n"


@pytest.mark.parametrize("level", ["baseline", "bmi2", "avx2", "avx512"])
@pytest.mark.parametrize("bits", [4096, 1536, 1033])  # kernel path, generic paths
def test_no_secret_residue_below_the_caller(tmp_path, bits, level):
    from cpu_levels import skip_unless_cpu_runs

    skip_unless_cpu_runs(level)
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:  # pragma: no cover - the native build needs a compiler anyway
        pytest.skip("no C compiler")
    with open(data_path(f"rsa{bits}.pem"), "rb") as f:
        nums = rsa.load_pem_private_key(f.read()).private_numbers()
    n, e, p, q, d = nums.public_numbers.n, nums.public_numbers.e, nums.p, nums.q, nums.d
    w, h = (n.bit_length() + 63) // 64, (max(p.bit_length(), q.bit_length()) + 63) // 64
    r, m = secrets.randbelow(n - 2) + 2, secrets.randbelow(n)
    header = f"#define W {w}\n#define H {h}\n#define NBYTES {(n.bit_length() + 7) // 8}\n"
    for name, value, words in [("N", n, w), ("E", e, 1), ("P", p, h), ("Q", q, h), ("DP", d % (p - 1), h),
                               ("DQ", d % (q - 1), h), ("QI", pow(q, -1, p), h), ("D", d, w),
                               ("R", r, w), ("RI", pow(r, -1, n), w), ("M", m, w)]:
        header += _array(name, value, words)
    (tmp_path / "keydata.h").write_text(header)
    (tmp_path / "harness.c").write_text(HARNESS)
    exe = tmp_path / "harness"
    csrc = [str(NATIVE / "csrc" / f) for f in ("rsa_private.c", "dispatch.c", "cpu_x86_64.c")]
    subprocess.run([cc, "-O2", "-o", str(exe), str(tmp_path / "harness.c"), *csrc,
                    *map(str, sorted(KERNELS.glob("*.S")))], check=True, capture_output=True)
    env = {"PROVENUM_CPU": level, "PATH": "/usr/bin:/bin"}   # the dispatch table at this level
    load_depth, status, op_depth, batch_status, batch_depth, sig = subprocess.run(
        [str(exe)], check=True, capture_output=True, text=True, env=env).stdout.split()
    assert int(status) == 0 and int(sig, 16) == pow(m, d, n)  # the operation really ran
    assert int(batch_status) == 0
    assert 0 <= int(load_depth) <= ALLOWED_DEPTH, f"residue {load_depth} bytes below the caller after the key load"
    assert 0 <= int(op_depth) <= ALLOWED_DEPTH, f"residue {op_depth} bytes below the caller after private_op"
    assert 0 <= int(batch_depth) <= ALLOWED_DEPTH, f"residue {batch_depth} bytes below the caller after the batch"
