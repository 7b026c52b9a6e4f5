/*
 * provenum ct-check's driver: the RSA private-key path under valgrind's
 * memcheck with every secret marked undefined as it enters native code
 * (the ctgrind method).  Memcheck then reports any conditional jump, memory
 * address or system-call argument that depends on a secret.
 *
 * Built (provenum.ct.memcheck) from the library's own sources -- the
 * kernels' .S files and native/csrc/*.c -- with rsa_private.c compiled with
 * PROVENUM_CT_CHECK (its declassification points, csrc/ct.h), and with
 * cpu_x86_64.c's provenum_cpu_features renamed so that the one below can
 * report this CPU's real features: valgrind's synthetic CPUID hides ADX and
 * AVX-512, but its JIT runs BMI2, ADX and AVX2 code, so every level up to
 * avx2 runs as on the machine (PROVENUM_CPU picks the level, as in the
 * library).  AVX-512 it cannot execute at all: that level dies with SIGILL,
 * which ct-check reports as not run.
 *
 * Secrets, each poisoned by its own function so that memcheck's origin
 * tracking (--track-origins=yes) names the secret a report came from:
 *   p, q, dp, dq, qinv, d  the key, as provenum_rsa_private_load receives it
 *   random                 every byte getrandom() returns (the blinding
 *                          values r_i and the batch's t): getrandom is
 *                          interposed below, so the library's call lands here
 *   message                the message representative handed straight to
 *                          provenum_rsa_private_op (as in decryption; the
 *                          decryption phases' ciphertexts are public, their
 *                          plaintexts secret through the key)
 * Declassified here, because they leave native code by design: the released
 * signature, the decrypted message, and the blinded product u that Python
 * inverts with GMP (uniform and independent of the key and of every r_i).
 * The library declassifies its own verdicts and the decrypted message's
 * length (csrc/ct.h).
 *
 * Input: the job file argv[1] (rsa_job.h), one key or more with encoded messages.
 * Output (stdout): "level N", then per key "sig LABEL HEX" (provenum_rsa_sign_be),
 * "raw HEX" (private_op on a poisoned message), "check NAME 0|1" for each
 * expected verdict (and, under memcheck, that the results are still
 * secret-derived before they are declassified: the poisoning reached them
 * through every kernel), and "done" at the end.  Exit 0 unless something failed
 * functionally; memcheck's findings go to its XML file.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

#include "../native/cdef/dispatch.h"
#include "../native/cdef/rsa.h"
#include "../native/cdef/rsa_decrypt.h"
#include "../native/csrc/rsa_internal.h"
#include "rsa_job.h"

unsigned provenum_cpu_features_cpuid(void);      /* cpu_x86_64.c's, renamed for this build */

/* ---- secrets in, public values out --------------------------------------- */

/* noipa: each stays a function of its own (no merging of identical bodies),
   so origin tracking names it */
#define SECRET(name)                                                                        \
    static void __attribute__((noinline, noipa)) secret_##name(const void *p, size_t len)  \
    {                                                                                      \
        (void)VALGRIND_MAKE_MEM_UNDEFINED(p, len);                                        \
    }
SECRET(p)
SECRET(q)
SECRET(dp)
SECRET(dq)
SECRET(qinv)
SECRET(d)
SECRET(random)
SECRET(message)

static void public_by_design(const void *p, size_t len)
{
    (void)VALGRIND_MAKE_MEM_DEFINED(p, len);
}

/* Under memcheck: whether some byte of [p, p+len) is undefined, i.e. computed from
   a secret.  A result that should be and is not means the poisoning was lost on
   the way (the check would then pass vacuously), so the driver checks it. */
static int secret_derived(const void *p, size_t len)
{
    unsigned char vbits[8 * MAXW];
    if (!RUNNING_ON_VALGRIND) return 1;
    if (len > sizeof vbits || VALGRIND_GET_VBITS(p, vbits, len) != 1) return 0;
    for (size_t i = 0; i < len; i++)
        if (vbits[i]) return 1;
    return 0;
}

static size_t random_bytes_poisoned;

/* The library's getrandom(): the kernel's bytes, marked secret. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
    long got = syscall(SYS_getrandom, buf, len, flags);
    if (got > 0) {
        secret_random(buf, (size_t)got);
        random_bytes_poisoned += (size_t)got;
    }
    return got;
}

/* What dispatch.c sees: this CPU's features as measured natively by the
   caller (PROVENUM_CT_FEATURES, hex), not valgrind's synthetic CPUID. */
unsigned provenum_cpu_features(void)
{
    const char *given = getenv("PROVENUM_CT_FEATURES");
    return given && *given ? (unsigned)strtoul(given, NULL, 16) : provenum_cpu_features_cpuid();
}

/* ---- output ---------------------------------------------------------------- */

static void print_hex(const char *tag, const char *label, const unsigned char *b, size_t len)
{
    printf("%s%s%s ", tag, label ? " " : "", label ? label : "");
    for (size_t i = 0; i < len; i++) printf("%02x", b[i]);
    printf("\n");
}

static void check(const char *name, int ok)
{
    printf("check %s %d\n", name, ok ? 1 : 0);
}

/* ---- the phases (each a function of its own: reports name it in their stack) --- */

static void __attribute__((noinline)) phase_load(uint64_t *buf, struct key *k)
{
    secret_p(k->p, k->hwords * 8);
    secret_q(k->q, k->hwords * 8);
    secret_dp(k->dp, k->hwords * 8);
    secret_dq(k->dq, k->hwords * 8);
    secret_qinv(k->qinv, k->hwords * 8);
    secret_d(k->d, k->words * 8);
    check("load", provenum_rsa_private_load(buf, k->n, k->words, k->e, k->ewords, k->p, k->q, k->dp, k->dq,
                                            k->qinv, k->d, k->hwords) == 0);
}

/* the secrets copied back out (key serialisation) */
static void __attribute__((noinline)) phase_export(const uint64_t *buf)
{
    static uint64_t p[MAXW], q[MAXW], d[MAXW];
    provenum_rsa_private_export(buf, p, q, d);
}

/* a batch of `count` blinding entries; also runs a refused finish (wrong inverse) */
static void __attribute__((noinline)) phase_blinding(const uint64_t *buf, uint64_t *batch, size_t count,
                                                     const struct key *k)
{
    unsigned char u[8 * MAXW], uinv[8 * MAXW];
    check("batch_start", provenum_rsa_blind_batch_start(buf, batch, count, u, k->nbytes) == 0);
    check("blinding_product_secret_derived", secret_derived(u, k->nbytes));
    public_by_design(u, k->nbytes);
    blinding_inverse(uinv, u, k, 1);
    check("batch_finish_refuses", provenum_rsa_blind_batch_finish(buf, batch, count, uinv, k->nbytes) == -1);
    check("batch_start", provenum_rsa_blind_batch_start(buf, batch, count, u, k->nbytes) == 0);
    public_by_design(u, k->nbytes);
    blinding_inverse(uinv, u, k, 0);
    check("batch_finish", provenum_rsa_blind_batch_finish(buf, batch, count, uinv, k->nbytes) == 0);
}

static void __attribute__((noinline)) phase_sign(const uint64_t *buf, uint64_t *entry, const struct key *k,
                                                 size_t i)
{
    unsigned char sig[8 * MAXW];
    check("sign", provenum_rsa_sign_be(buf, sig, k->em[i], k->nbytes, entry, 0) == 0);
    check("signature_secret_derived", secret_derived(sig, k->nbytes));
    public_by_design(sig, k->nbytes);
    print_hex("sig", k->em_label[i], sig, k->nbytes);
}

/* the private operation on a secret message representative (the decryption case) */
static void __attribute__((noinline)) phase_secret_message(const uint64_t *buf, const uint64_t *entry,
                                                           const struct key *k)
{
    uint64_t m[MAXW], s[MAXW];
    unsigned char out[8 * MAXW];
    memset(m, 0, sizeof m);
    for (size_t i = 0; i < k->nbytes; i++) m[i / 8] |= (uint64_t)k->em[0][k->nbytes - 1 - i] << (8 * (i % 8));
    secret_message(m, k->words * 8);
    check("private_op", provenum_rsa_private_op(buf, s, m, entry, entry + k->words, 0) == 0);
    check("result_secret_derived", secret_derived(s, k->words * 8));
    public_by_design(s, k->words * 8);
    for (size_t i = 0; i < k->nbytes; i++) out[k->nbytes - 1 - i] = (unsigned char)(s[i / 8] >> (8 * (i % 8)));
    print_hex("raw", NULL, out, k->nbytes);
}

/* the fault check refuses a corrupted result, and releases nothing */
static void __attribute__((noinline)) phase_fault(const uint64_t *buf, const uint64_t *entry,
                                                  const struct key *k, int fault)
{
    uint64_t m[MAXW], s[MAXW], any = 0;
    memset(m, 0, sizeof m);
    m[0] = 2;
    int status = provenum_rsa_private_op(buf, s, m, entry, entry + k->words, fault);
    public_by_design(s, k->words * 8);   /* zeroed when refused: checked below */
    for (size_t i = 0; i < k->words; i++) any |= s[i];
    check(fault == 1 ? "fault_p_half_refused" : "fault_s_plus_n_refused", status == -1 && any == 0);
}

/* c = em^e mod n: a ciphertext of a public encoding (em, k bytes below n) */
static void encrypt(const uint64_t *buf, unsigned char *c, const unsigned char *em, size_t k)
{
    if (provenum_rsa_public_op_be(buf, c, em, k) != 0) fail("encrypt");
    public_by_design(c, k);
}

static const unsigned char PLAINTEXT[] = "provenum ct-check: a decrypted message";
#define PLAIN_LEN (sizeof PLAINTEXT - 1)

/* Decryption: PKCS#1 v1.5 of a valid ciphertext and of a random one (implicit
   rejection: a synthetic message, no error), OAEP (SHA-256, no label) of a
   valid ciphertext and of a random one (refused).  Each uses its own entry. */
static void __attribute__((noinline)) phase_decrypt(const uint64_t *buf, uint64_t *entries, size_t stride,
                                                    const struct key *k)
{
    size_t n = k->nbytes, hlen = 32, out_len = 0;
    unsigned char em[8 * MAXW], c[8 * MAXW], out[8 * MAXW], lhash[32], seed[32];
    struct provenum_hash h;
    provenum_hash_init(&h, PROVENUM_SHA256);
    provenum_hash_final(&h, lhash);                      /* the empty label's hash */

    /* PKCS#1 v1.5: 00 02 PS (nonzero) 00 M */
    memset(em, 0, n);
    em[1] = 2;
    for (size_t i = 2; i < n - PLAIN_LEN - 1; i++) em[i] = (unsigned char)(0x5a + i % 7);
    memcpy(em + n - PLAIN_LEN, PLAINTEXT, PLAIN_LEN);
    encrypt(buf, c, em, n);
    check("pkcs1_decrypt", provenum_rsa_decrypt_pkcs1(buf, out, &out_len, c, n, entries) == 0);
    check("pkcs1_plaintext_secret_derived", secret_derived(out, out_len));
    public_by_design(out, out_len);
    check("pkcs1_plaintext", out_len == PLAIN_LEN && memcmp(out, PLAINTEXT, PLAIN_LEN) == 0);
    check("pkcs1_implicit_rejection",
          provenum_rsa_decrypt_pkcs1(buf, out, &out_len, k->em[0], n, entries + stride) == 0);
    public_by_design(out, out_len);

    /* OAEP: 00 || seed ^ MGF(maskedDB) || DB ^ MGF(seed), DB = lHash || 00..00 || 01 || M */
    size_t dblen = n - hlen - 1;
    memset(em, 0, n);
    unsigned char *mseed = em + 1, *db = em + 1 + hlen;
    memcpy(db, lhash, hlen);
    db[dblen - PLAIN_LEN - 1] = 1;
    memcpy(db + dblen - PLAIN_LEN, PLAINTEXT, PLAIN_LEN);
    for (size_t i = 0; i < hlen; i++) seed[i] = (unsigned char)(0xc3 ^ i);
    memcpy(mseed, seed, hlen);
    provenum_mgf1_xor(PROVENUM_SHA256, db, dblen, seed, hlen);
    provenum_mgf1_xor(PROVENUM_SHA256, mseed, hlen, db, dblen);
    encrypt(buf, c, em, n);
    check("oaep_decrypt", provenum_rsa_decrypt_oaep(buf, out, &out_len, c, n, entries + 2 * stride,
                                                    PROVENUM_SHA256, PROVENUM_SHA256, lhash) == 0);
    check("oaep_plaintext_secret_derived", secret_derived(out, out_len));
    public_by_design(out, out_len);
    check("oaep_plaintext", out_len == PLAIN_LEN && memcmp(out, PLAINTEXT, PLAIN_LEN) == 0);
    check("oaep_refuses_a_random_ciphertext",
          provenum_rsa_decrypt_oaep(buf, out, &out_len, k->em[0], n, entries + 3 * stride, PROVENUM_SHA256,
                                    PROVENUM_SHA256, lhash) == 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) fail("usage: ct-driver JOBFILE");
    if (!RUNNING_ON_VALGRIND && !getenv("PROVENUM_CT_NATIVE")) fail("run me under valgrind --tool=memcheck");
    const char *err = provenum_dispatch_load_error();
    if (*err) fail(err);
    FILE *in = fopen(argv[1], "r");
    if (!in) fail("cannot open the job file");
    printf("level %d\n", provenum_dispatch_level());
    static struct key k;
    uint64_t *buf = malloc(provenum_rsa_key_words() * 8);
    if (!buf) fail("out of memory");
    while (read_key(in, &k)) {
        /* signatures, the secret message, two faults, four decryptions */
        size_t count = k.ems + 7, stride = 2 * k.words;
        uint64_t *batch = malloc((count + 1) * stride * 8);
        if (!batch) fail("out of memory");
        printf("key %u\n", k.bits);
        phase_load(buf, &k);
        phase_export(buf);
        phase_blinding(buf, batch, count, &k);
        for (size_t i = 0; i < k.ems; i++) phase_sign(buf, batch + i * stride, &k, i);
        phase_secret_message(buf, batch + k.ems * stride, &k);
        phase_fault(buf, batch + (k.ems + 1) * stride, &k, 1);
        phase_fault(buf, batch + (k.ems + 2) * stride, &k, 2);
        phase_decrypt(buf, batch + (k.ems + 3) * stride, stride, &k);
        provenum_rsa_key_wipe(buf);
        free(batch);
        fflush(stdout);
    }
    printf("random_bytes %zu\n", random_bytes_poisoned);
    printf("done\n");
    free(buf);
    fclose(in);
    return 0;
}
