"""The stack sweep after the key load, the private-key operation, the blinding batch,
both decryptions and key generation: no secret-derived residue may stay below the
caller's frame.

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
int provenum_rsa_decrypt_oaep(const uint64_t *key, unsigned char *out, size_t *out_len,
    const unsigned char *ct, size_t k, uint64_t *entry, int hash_id, int mgf_id, const unsigned char *lhash);
int provenum_rsa_decrypt_pkcs1(const uint64_t *key, unsigned char *out, size_t *out_len,
    const unsigned char *ct, size_t k, uint64_t *entry);
int provenum_rsa_keygen(uint64_t *key, uint64_t *n_out, size_t nbits, uint64_t e, const uint64_t *lower_p,
    const uint64_t *lower_q, int rounds_p, int rounds_q, uint64_t *stats);

/* twice the sweep (160 KB): residue deeper than what the sweep clears shows up */
#define AREA (320 * 1024 / 8)
#define PAT 0x5A5A5A5A5A5A5A5AULL
static uintptr_t area_lo;
static uint64_t key[32768], key2[32768], sig[256], batch[17 * 2 * 256], entry[2 * 256], n2[256];
static unsigned char u[2048], out[2048], ct[2048], lhash[64];

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

/* a ciphertext below n (its top byte cleared) and a blinding entry r = r^-1 = 1 */
static void setup_decrypt(void)
{
    for (int i = 0; i < NBYTES; i++) ct[i] = (unsigned char)(i * 131 + 7);
    ct[0] = 0;
    memset(entry, 0, sizeof entry);
    entry[0] = 1;
    entry[W] = 1;
}

__attribute__((noinline)) static int call_oaep(void)
{
    size_t len;
    setup_decrypt();
    return provenum_rsa_decrypt_oaep(key, out, &len, ct, NBYTES, entry, 3, 3, lhash);
}

__attribute__((noinline)) static int call_pkcs1(void)
{
    size_t len;
    setup_decrypt();
    return provenum_rsa_decrypt_pkcs1(key, out, &len, ct, NBYTES, entry);
}

__attribute__((noinline)) static int call_keygen(void)
{
    uint64_t lower[4] = {0, 0, 0, 0xB504F333F9DE6485ULL};   /* above sqrt(2) * 2^255 */
    return provenum_rsa_keygen(key2, n2, 512, 65537, lower, lower, 8, 8, NULL);
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
    paint();
    int ost = call_oaep();
    long oaep_depth = deepest_residue();
    paint();
    int pst = call_pkcs1();
    long pkcs1_depth = deepest_residue();
    paint();
    int kst = call_keygen();
    long keygen_depth = deepest_residue();
    printf("%ld %d %ld %d %ld %d %ld %d %ld %d %ld ", load_depth, st, op_depth, bst, batch_depth,
           ost, oaep_depth, pst, pkcs1_depth, kst, keygen_depth);
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
    subprocess.run([cc, "-O2", "-o", str(exe), str(tmp_path / "harness.c"),
                    *map(str, sorted((NATIVE / "csrc").glob("*.c"))),
                    *map(str, sorted(KERNELS.glob("*.S")))], check=True, capture_output=True)
    env = {"PROVENUM_CPU": level, "PATH": "/usr/bin:/bin"}   # the dispatch table at this level
    fields = subprocess.run([str(exe)], check=True, capture_output=True, text=True, env=env).stdout.split()
    (load_depth, status, op_depth, batch_status, batch_depth, oaep_status, oaep_depth,
     pkcs1_status, pkcs1_depth, keygen_status, keygen_depth, sig) = fields
    assert int(status) == 0 and int(sig, 16) == pow(m, d, n)  # the operation really ran
    assert int(batch_status) == 0
    assert int(oaep_status) == 1 and int(pkcs1_status) == 0   # a random ciphertext: OAEP fails, PKCS#1 rejects implicitly
    assert int(keygen_status) == 0
    for what, depth in [("the key load", load_depth), ("private_op", op_depth), ("the batch", batch_depth),
                        ("OAEP decryption", oaep_depth), ("PKCS#1 v1.5 decryption", pkcs1_depth),
                        ("key generation", keygen_depth)]:
        assert 0 <= int(depth) <= ALLOWED_DEPTH, f"residue {depth} bytes below the caller after {what}"
