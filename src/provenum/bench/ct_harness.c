/*
 * Timing across input classes (dudect's method) for provenum's kernels and RSA signing.
 *
 * Built by provenum.bench.ct from the library's own sources (the kernels'
 * .S files and native/csrc/*.c) and this file, linked with -rdynamic so a
 * kernel is found by its symbol.  In batches of 64: each measurement's class
 * drawn with a fair coin and its secret inputs made (untimed), then each
 * measurement's inputs copied into the same buffers (for signing also the
 * key and a fresh blinding entry), and one call timed with lfence; rdtsc
 * around it.  The classes:
 *   fixed    one value drawn at start       random   a fresh uniform value
 *   zeros    all bits clear                 ones     all bits set
 *   single   one random bit set             sparse   each bit set with probability 1/16
 *   dense    each bit set with probability 15/16
 *   key-a / key-b   (sign only) the first or the second key of the job file
 * applied to every secret input: both factors of a product, the reduced
 * value, the base and the exponent, the table index, the encoded message
 * (for sign; the key is fixed unless the classes are key-a/key-b).  Values
 * that must stay below the modulus (whose top bit is set) have their top bit
 * cleared; a table index has log2(height) bits.  Radix-2^52 inputs are
 * N digits of 52 bits (the class's bits, masked), the top digit below the
 * modulus's, and zero padding to stride(N) words; select52x2's two indices
 * are 5 bits each.
 *
 * usage: ct_harness KIND SYMBOL N HEIGHT CLASS_A CLASS_B SECONDS MAX_SAMPLES [JOBFILE]
 *   KIND: MUL SQR REDC MONTMUL MONTSQR TABLE MODEXP SIGN (SIGN: N, HEIGHT and SYMBOL unused),
 *         AMM52 AMMX2 (radix 2^52, N digits: one or both halves), SELECT2 (select52x2, 32 rows)
 * Prints "tsc_ghz G", "samples NA NB", "median MA MB", then "t raw T" and
 * "t crop PERCENTILE THRESHOLD T NA NB" for dudect's crops (measurements
 * above a percentile of the pooled timings dropped).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <x86intrin.h>

#include "../ct/rsa_job.h"
#include "../native/cdef/rsa.h"
#include "harness.h"

typedef uint64_t u64;

enum kind { MUL, SQR, REDC, MONTMUL, MONTSQR, TABLE, MODEXP, SIGN, AMM52, AMMX2, SELECT2 };
static const char *const KINDS[] = {"MUL", "SQR", "REDC", "MONTMUL", "MONTSQR", "TABLE", "MODEXP", "SIGN",
                                    "AMM52", "AMMX2", "SELECT2"};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])
#define DIGIT ((((u64)1) << 52) - 1)
#define ROWS52 32

enum cls { FIXED, RANDOM, ZEROS, ONES, SINGLE, SPARSE, DENSE, KEY_A, KEY_B };
static const char *const CLASSES[] = {"fixed", "random", "zeros", "ones", "single", "sparse", "dense",
                                      "key-a", "key-b"};

/* ---- randomness (xoshiro256**, seeded from the kernel) ----------------------- */

static u64 rs[4];

static u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }

static u64 rnd(void)
{
    u64 out = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
    rs[2] ^= rs[0], rs[3] ^= rs[1], rs[1] ^= rs[2], rs[0] ^= rs[3], rs[2] ^= t, rs[3] = rotl(rs[3], 45);
    return out;
}

/* `bits` bits of class c into z (whole words; bits above `bits` cleared) */
static void fill(u64 *z, size_t bits, int c, const u64 *fixed)
{
    size_t words = (bits + 63) / 64;
    for (size_t i = 0; i < words; i++) {
        switch (c) {
        case FIXED: z[i] = fixed[i]; break;
        case ZEROS: z[i] = 0; break;
        case ONES: z[i] = ~(u64)0; break;
        case SINGLE: z[i] = 0; break;
        case SPARSE: z[i] = rnd() & rnd() & rnd() & rnd(); break;
        case DENSE: z[i] = rnd() | rnd() | rnd() | rnd(); break;
        default: z[i] = rnd(); break;
        }
    }
    if (c == SINGLE) {
        u64 bit = rnd() % bits;
        z[bit / 64] = (u64)1 << (bit % 64);
    }
    if (bits % 64) z[words - 1] &= ((u64)1 << (bits % 64)) - 1;
}

/* ---- the targets ------------------------------------------------------------- */

/* The secret inputs live in one buffer, `in` (x then y; the table index; the
   encoded message), so that a measurement's inputs are one record of
   record_words words, copied in before the call whatever its class. */
struct target {
    int kind;
    void (*fn)(void);
    size_t n, height, record_words;
    u64 *in, *z, *x, *y, *m, *table, w, k0[2];
    size_t halves, stride;          /* radix 2^52: numbers per buffer, words per number */
    u64 *fixed_x, *fixed_y;
    /* sign */
    struct key keys[2];
    u64 *keybuf[2], *batch[2], *work_key, *work_entry;
    size_t left[2], key_words;
    unsigned char *em, fixed_em[8 * MAXW], sig[8 * MAXW];
};

#define BLINDING_BATCH 256

static u64 neg_inverse(u64 m0)
{
    u64 x = m0;
    for (int i = 0; i < 5; i++) x *= 2 - m0 * x;
    return 0 - x;
}

static void *alloc_words(size_t words)
{
    u64 *p = aligned_alloc(64, ((words * 8 + 63) / 64) * 64 + 64);
    if (!p) fail("out of memory");
    memset(p, 0, words * 8 + 64);
    return p;
}

/* a fresh batch of blinding entries for key i (untimed) */
static void refill(struct target *t, int i)
{
    struct key *k = &t->keys[i];
    unsigned char u[8 * MAXW], inv[8 * MAXW];
    if (provenum_rsa_blind_batch_start(t->keybuf[i], t->batch[i], BLINDING_BATCH, u, k->nbytes) != 0) fail("batch start");
    blinding_inverse(inv, u, k, 0);
    if (provenum_rsa_blind_batch_finish(t->keybuf[i], t->batch[i], BLINDING_BATCH, inv, k->nbytes) != 0)
        fail("batch finish");
    t->left[i] = BLINDING_BATCH;
}

/* radix 2^52: an odd modulus of n digits per half (top digit nonzero), k0 = -1/m[0] mod 2^52, buffers of
   `halves` numbers stride(n) words apart, zero padded; select52x2: a random table of 32 dual rows */
static void setup52(struct target *t)
{
    size_t n = t->n;
    t->stride = (n + 7) / 8 * 8;
    t->halves = t->kind == AMM52 ? 1 : 2;
    size_t words = t->halves * t->stride;
    if (t->kind == SELECT2) {
        t->record_words = 1;
        t->in = alloc_words(1);
        t->z = alloc_words(words);
        t->table = alloc_words(ROWS52 * words);
        fill(t->table, 64 * ROWS52 * words, RANDOM, NULL);
        return;
    }
    t->record_words = 2 * words;
    t->in = alloc_words(2 * words);
    t->x = t->in;
    t->y = t->in + words;
    t->z = alloc_words(words);
    t->m = alloc_words(words);
    t->fixed_x = alloc_words(words);
    t->fixed_y = alloc_words(words);
    for (size_t h = 0; h < t->halves; h++) {
        u64 *m = t->m + h * t->stride;
        for (size_t i = 0; i < n; i++) m[i] = rnd() & DIGIT;
        m[0] |= 1;
        m[n - 1] |= (u64)1 << 51;
        t->k0[h] = neg_inverse(m[0]) & DIGIT;
        for (size_t i = 0; i < n; i++) t->fixed_x[h * t->stride + i] = rnd(), t->fixed_y[h * t->stride + i] = rnd();
    }
}

/* class c's digits into each half of z: 52 bits a digit, the top digit below the modulus's (so z < m) */
static void fill52(const struct target *t, u64 *z, int c, const u64 *fixed)
{
    for (size_t h = 0; h < t->halves; h++) {
        u64 *d = z + h * t->stride, v[MAXW];
        fill(v, 64 * t->n, c, fixed + h * t->stride);
        for (size_t i = 0; i < t->n; i++) d[i] = v[i] & DIGIT;
        d[t->n - 1] &= DIGIT >> 1;
    }
}

static void setup(struct target *t, const char *symbol, const char *jobfile)
{
    size_t n = t->n;
    if (t->kind == SIGN) {
        FILE *in = fopen(jobfile, "r");
        if (!in) fail("cannot open the job file");
        for (int i = 0; i < 2; i++) {
            if (!read_key(in, &t->keys[i])) {
                if (i == 0) fail("the job file has no key");
                t->keys[1] = t->keys[0];
            }
            struct key *k = &t->keys[i];
            t->key_words = provenum_rsa_key_words();
            t->keybuf[i] = alloc_words(t->key_words);
            t->batch[i] = alloc_words((BLINDING_BATCH + 1) * 2 * k->words);
            if (provenum_rsa_private_load(t->keybuf[i], k->n, k->words, k->e, k->ewords, k->p, k->q, k->dp, k->dq,
                                          k->qinv, k->d, k->hwords) != 0)
                fail("key load");
            if (k->nbytes != t->keys[0].nbytes) fail("the two keys differ in size");
        }
        fclose(in);
        t->work_key = alloc_words(t->key_words);
        t->work_entry = alloc_words(2 * t->keys[0].words);
        for (size_t j = 1; j < t->keys[0].nbytes; j++) t->fixed_em[j] = (unsigned char)rnd();
        t->record_words = (t->keys[0].nbytes + 7) / 8;
        t->in = alloc_words(t->record_words);
        t->em = (unsigned char *)t->in;
        return;
    }
    t->fn = (void (*)(void))dlsym(RTLD_DEFAULT, symbol);
    if (!t->fn) fail("no such kernel symbol");
    if (t->kind == AMM52 || t->kind == AMMX2 || t->kind == SELECT2) {
        setup52(t);
        return;
    }
    static const size_t inputs[] = {[MUL] = 2, [SQR] = 1, [REDC] = 2, [MONTMUL] = 2, [MONTSQR] = 1, [MODEXP] = 2};
    t->record_words = t->kind == TABLE ? 1 : inputs[t->kind] * n;
    t->in = alloc_words(2 * n);
    t->x = t->in;
    t->y = t->kind == TABLE ? t->in : t->in + n;
    t->z = alloc_words(2 * n);
    t->m = alloc_words(n);
    t->fixed_x = alloc_words(2 * n);
    t->fixed_y = alloc_words(n);
    fill(t->m, 64 * n, RANDOM, NULL);
    t->m[0] |= 1;
    t->m[n - 1] |= (u64)1 << 63;
    t->w = neg_inverse(t->m[0]);
    fill(t->fixed_x, 128 * n, RANDOM, NULL);
    fill(t->fixed_y, 64 * n, RANDOM, NULL);
    if (t->kind == TABLE) {
        t->table = alloc_words(t->height * n);
        fill(t->table, 64 * n * t->height, RANDOM, NULL);
    }
}

/* the secret inputs of class c (untimed) */
static void prepare(struct target *t, int c)
{
    size_t n = t->n, below = 64 * n - 1;          /* bits of a value below the modulus */
    switch (t->kind) {
    case MUL: fill(t->x, 64 * n, c, t->fixed_x); fill(t->y, 64 * n, c, t->fixed_y); break;
    case SQR: fill(t->x, 64 * n, c, t->fixed_x); break;
    case REDC: fill(t->x, 128 * n - 1, c, t->fixed_x); break;
    case MONTMUL: fill(t->x, below, c, t->fixed_x); fill(t->y, below, c, t->fixed_y); break;
    case MONTSQR: fill(t->x, below, c, t->fixed_x); break;
    case MODEXP: fill(t->x, below, c, t->fixed_x); fill(t->y, 64 * n, c, t->fixed_y); break;
    case AMM52:
    case AMMX2: fill52(t, t->x, c, t->fixed_x); fill52(t, t->y, c, t->fixed_y); break;
    case SELECT2: {                 /* both 5-bit indices in one word: idx0 in bits 0-4, idx1 in bits 5-9 */
        const u64 f[1] = {5 | 19 << 5};
        fill(t->in, 10, c, f);
        break;
    }
    case TABLE: {
        size_t bits = 0;
        while (((size_t)1 << bits) < t->height) bits++;
        fill(t->y, bits, c, t->fixed_y);
        t->y[0] %= t->height;
        break;
    }
    case SIGN: {
        size_t len = t->keys[0].nbytes;
        u64 v[MAXW];
        if (c == FIXED) {
            memcpy(t->em, t->fixed_em, len);
            break;
        }
        /* the top byte stays zero: em < n for every class */
        fill(v, 8 * (len - 1), c == KEY_A || c == KEY_B ? RANDOM : c, NULL);
        memset(t->em, 0, len);
        for (size_t j = 0; j + 1 < len; j++) t->em[len - 1 - j] = (unsigned char)(v[j / 8] >> (8 * (j % 8)));
        break;
    }
    }
}

/* Signing: the class's key and a fresh blinding entry into the same two buffers
   for every call (untimed), so that the two keys differ in their values only,
   not in where they are in memory. */
static void stage(struct target *t, int c)
{
    if (t->kind != SIGN) return;
    int i = c == KEY_B;
    size_t stride = 2 * t->keys[i].words;
    memcpy(t->work_key, t->keybuf[i], t->key_words * 8);
    memcpy(t->work_entry, t->batch[i] + (BLINDING_BATCH - t->left[i]) * stride, stride * 8);
    t->left[i]--;
}

static void call(struct target *t, int c)
{
    switch (t->kind) {
    case MUL: ((mul_fn)t->fn)(t->z, t->x, t->y); break;
    case SQR: ((sqr_fn)t->fn)(t->z, t->x); break;
    case REDC: ((redc_fn)t->fn)(t->z, t->x, t->m, t->w); break;
    case MONTMUL: ((montmul_fn)t->fn)(t->z, t->x, t->y, t->m, t->w); break;
    case MONTSQR: ((redc_fn)t->fn)(t->z, t->x, t->m, t->w); break;
    case TABLE: ((table_fn)t->fn)(t->z, t->table, t->height, t->y[0]); break;
    case MODEXP: ((modexp_fn)t->fn)(t->z, t->x, t->y, t->m); break;
    case AMM52: ((montmul_fn)t->fn)(t->z, t->x, t->y, t->m, t->k0[0]); break;
    case AMMX2: ((ammx2_fn)t->fn)(t->z, t->x, t->y, t->m, t->k0); break;
    case SELECT2: ((select2_fn)t->fn)(t->z, t->table, t->in[0] & 0x1f, t->in[0] >> 5); break;
    case SIGN:
        if (provenum_rsa_sign_be(t->work_key, t->sig, t->em, t->keys[0].nbytes, t->work_entry, 0) != 0) fail("sign");
        break;
    }
}

/* ---- Welch's t-test ------------------------------------------------------------- */

static double welch(const u64 *a, size_t na, const u64 *b, size_t nb, u64 limit, size_t *ka, size_t *kb)
{
    double sa = 0, sb = 0, qa = 0, qb = 0;
    size_t ca = 0, cb = 0;
    for (size_t i = 0; i < na; i++)
        if (a[i] <= limit) sa += (double)a[i], ca++;
    for (size_t i = 0; i < nb; i++)
        if (b[i] <= limit) sb += (double)b[i], cb++;
    *ka = ca, *kb = cb;
    if (ca < 2 || cb < 2) return 0;
    double ma = sa / ca, mb = sb / cb;
    for (size_t i = 0; i < na; i++)
        if (a[i] <= limit) qa += ((double)a[i] - ma) * ((double)a[i] - ma);
    for (size_t i = 0; i < nb; i++)
        if (b[i] <= limit) qb += ((double)b[i] - mb) * ((double)b[i] - mb);
    double va = qa / (ca - 1), vb = qb / (cb - 1);
    return va + vb == 0 ? 0 : (ma - mb) / sqrt(va / ca + vb / cb);
}

static int cmp_u64(const void *p, const void *q)
{
    u64 a = *(const u64 *)p, b = *(const u64 *)q;
    return (a > b) - (a < b);
}

static int parse(const char *s, const char *const *names, int count, const char *what)
{
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) return i;
    fail(what);
    return 0;
}

#define CROPS 10
#define MEASURE_BATCH 64

int main(int argc, char **argv)
{
    if (argc < 9) fail("usage: ct_harness KIND SYMBOL N HEIGHT CLASS_A CLASS_B SECONDS MAX_SAMPLES [JOBFILE]");
    static struct target t;
    t.kind = parse(argv[1], KINDS, NKINDS, "unknown kind");
    t.n = strtoul(argv[3], NULL, 10);
    t.height = strtoul(argv[4], NULL, 10);
    int cls[2] = {parse(argv[5], CLASSES, 9, "unknown class"), parse(argv[6], CLASSES, 9, "unknown class")};
    double seconds = atof(argv[7]);
    size_t max = strtoul(argv[8], NULL, 10);
    if ((t.kind != SIGN && (t.n < 1 || t.n > MAXW)) || (t.kind == TABLE && t.height < 1) || max < 4)
        fail("bad size, height or sample count");
    if ((cls[0] >= KEY_A || cls[1] >= KEY_A) && t.kind != SIGN) fail("key classes are for sign only");
    if (getrandom(rs, sizeof rs, 0) != sizeof rs) fail("getrandom");
    setup(&t, argv[2], argc > 9 ? argv[9] : "");
    double ghz = tsc_ghz();
    u64 *a = malloc(max * sizeof(u64)), *b = malloc(max * sizeof(u64));
    u64 *records = alloc_words(MEASURE_BATCH * t.record_words);
    if (!a || !b) fail("out of memory");
    size_t na = 0, nb = 0, seen = 0, warm = max / 100 < 1000 ? max / 100 : 1000;
    u64 stop = ticks() + (u64)(seconds * ghz * 1e9), t1 = 0;
    while (na + nb < max && t1 <= stop) {
        /* dudect's order: a batch's inputs first, then its measurements, so that what
           runs just before each timed call (one copy of a record) is the same for both classes */
        int which[MEASURE_BATCH];
        for (int k = 0; k < 2 && t.kind == SIGN; k++)
            if (t.left[k] < MEASURE_BATCH) refill(&t, k);
        for (size_t j = 0; j < MEASURE_BATCH; j++) {
            which[j] = (int)(rnd() & 1);
            prepare(&t, cls[which[j]]);
            memcpy(records + j * t.record_words, t.in, t.record_words * 8);
        }
        for (size_t j = 0; j < MEASURE_BATCH && na + nb < max; j++) {
            memcpy(t.in, records + j * t.record_words, t.record_words * 8);
            stage(&t, cls[which[j]]);
            _mm_mfence();
            u64 t0 = ticks();
            call(&t, cls[which[j]]);
            t1 = ticks();
            if (seen++ < warm) continue;            /* caches and clocks settle first */
            if (which[j]) b[nb++] = t1 - t0;
            else a[na++] = t1 - t0;
        }
    }
    u64 *pooled = malloc((na + nb) * sizeof(u64)), *sa = malloc(na * sizeof(u64) + 8), *sb = malloc(nb * 8 + 8);
    if (!pooled || !sa || !sb) fail("out of memory");
    memcpy(pooled, a, na * 8), memcpy(pooled + na, b, nb * 8), memcpy(sa, a, na * 8), memcpy(sb, b, nb * 8);
    qsort(pooled, na + nb, 8, cmp_u64), qsort(sa, na, 8, cmp_u64), qsort(sb, nb, 8, cmp_u64);
    printf("tsc_ghz %.4f\nsamples %zu %zu\n", ghz, na, nb);
    printf("median %llu %llu\n", (unsigned long long)(na ? sa[na / 2] : 0), (unsigned long long)(nb ? sb[nb / 2] : 0));
    size_t ka, kb;
    printf("t raw %.3f\n", welch(a, na, b, nb, ~(u64)0, &ka, &kb));
    for (int k = 0; k < CROPS && na + nb; k++) {
        double pct = 1 - pow(0.5, 10.0 * (k + 1) / CROPS);     /* dudect's thresholds */
        u64 limit = pooled[(size_t)(pct * (double)(na + nb - 1))];
        double tv = welch(a, na, b, nb, limit, &ka, &kb);
        printf("t crop %.4f %llu %.3f %zu %zu\n", pct, (unsigned long long)limit, tv, ka, kb);
    }
    return 0;
}
