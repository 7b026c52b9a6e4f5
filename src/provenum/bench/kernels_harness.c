/*
 * Cycle benchmark harness for provenum's kernels (and GMP beside them).
 *
 * Built by provenum.bench.kernels together with the kernels' .S files and a
 * generated case table (kernels_cases.h: one CASE(kind, name, n) line per
 * kernel). Each case is timed with lfence; rdtsc around a loop of calls,
 * the cases interleaved round by round (see run_all);
 * the per-call figures are the median and the minimum over repeated runs
 * (the minimum is the run least disturbed by the rest of the machine). Operand buffers
 * are staggered so that no two start a multiple of 4096 bytes apart
 * (4K aliasing). Prints "name words ticks ns ticks_min" per case.
 *
 * GMP's counterparts: mpn_mul_n, mpn_sqr and mpn_sec_powm; for the Montgomery
 * kernels, GMP's own internal route (as mpn_powm does): mpn_mul_n or mpn_sqr,
 * then mpn_redc_1 and its conditional final subtraction (mpn_redc_1 destroys
 * its input, so the reduction case copies the 2n-word input first; the copy
 * is in the figure).
 *
 * A peer library (argument 5) is opened with dlopen: for every timed kernel,
 * its operation's symbol (the name without the level suffix) is looked up
 * there and, if present, timed with the same arguments as "peer:NAME".
 *
 * usage: harness [repeats] [budget_ms_per_case] [kernel-filter] [gmp-filter] [peer.so]
 *   kernel-filter: run kernels whose name contains it ("" = all)
 *   gmp-filter: run GMP cases whose "name/words" appears in it ("*" = all, "" = none)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "harness.h"
#ifdef HAVE_GMP
#include <gmp.h>
#endif

typedef uint64_t u64;

enum kind { MUL, SQR, REDC, MONTMUL, MONTSQR, TABLE, MODEXP, AMMX2, SELECT2, GMP_MUL, GMP_SQR, GMP_POWM,
            GMP_REDC, GMP_MONTMUL, GMP_MONTSQR };

#ifdef HAVE_GMP
/* GMP's internal Montgomery reduction (exported from libgmp as __gmpn_redc_1; GMP 6:
   rp = up / B^n mod-ish m, up (2n limbs) destroyed, invm = -1/m[0] mod B, returns the carry) */
mp_limb_t __gmpn_redc_1(mp_ptr rp, mp_ptr up, mp_srcptr mp, mp_size_t n, mp_limb_t invm);

/* mpn_powm's step: the reduction, then subtract m when it carried */
static void gmp_redc(u64 *z, u64 *t, const u64 *m, int n, u64 w)
{
    if (__gmpn_redc_1(z, t, m, n, w)) mpn_sub_n(z, z, m, n);
}
#endif

struct bench_case { enum kind kind; const char *name; int n; void (*fn)(void); };

#define CASE(kind, name, n) void name(void);
#include "kernels_cases.h"
#undef CASE
static const struct bench_case CASES[] = {
#define CASE(kind, name, n) {kind, #name, n, (void (*)(void))name},
#include "kernels_cases.h"
#undef CASE
};

#define TABLE_ROWS 32
#define NBUF 8
#define SLOT (20480 + 576) /* select52x2_40's table: 32 rows of 80 words; 576 = 9*64: starts differ mod 4096 */

static unsigned char *arena;
static u64 *buf[NBUF];
static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static u64 neg_inverse(u64 m0)
{
    u64 x = (3 * m0) ^ 2;
    for (int i = 0; i < 4; i++) x *= 2 - m0 * x;
    return -x;
}

/* Fill the operands: buf[0] output, buf[1..] inputs; m odd with its top bit set,
   x < m for the Montgomery inputs, e full length. */
static void setup(const struct bench_case *c)
{
    int n = c->n;
    for (int b = 0; b < NBUF; b++)
        for (int i = 0; i < SLOT / 8 - 8; i++) buf[b][i] = rnd();
    u64 *m = buf[3];
    m[0] |= 1;
    m[n - 1] |= 1ull << 63;
    for (int b = 1; b < 3; b++) buf[b][n - 1] &= ~(1ull << 63); /* x, y < m */
    buf[4][2 * n - 1] = 0;                                      /* redc input < R*m */
}

static void call(const struct bench_case *c, long iters)
{
    int n = c->n;
    u64 *z = buf[0], *x = buf[1], *y = buf[2], *m = buf[3], *t = buf[4];
    u64 w = neg_inverse(m[0]);
    switch (c->kind) {
    case MUL: { mul_fn f = (mul_fn)c->fn; for (long i = 0; i < iters; i++) f(z, x, y); break; }
    case SQR: { sqr_fn f = (sqr_fn)c->fn; for (long i = 0; i < iters; i++) f(z, x); break; }
    case REDC: { redc_fn f = (redc_fn)c->fn; for (long i = 0; i < iters; i++) f(z, t, m, w); break; }
    case MONTMUL: { montmul_fn f = (montmul_fn)c->fn; for (long i = 0; i < iters; i++) f(z, x, y, m, w); break; }
    case MONTSQR: { redc_fn f = (redc_fn)c->fn; for (long i = 0; i < iters; i++) f(z, x, m, w); break; }
    case TABLE: {
        table_fn f = (table_fn)c->fn;
        for (long i = 0; i < iters; i++) f(z, t, TABLE_ROWS, (u64)i % TABLE_ROWS);
        break;
    }
    case MODEXP: { modexp_fn f = (modexp_fn)c->fn; for (long i = 0; i < iters; i++) f(z, x, y, m); break; }
    case AMMX2: {   /* two radix-2^52 products; k0[2] in t (timing does not depend on the values) */
        ammx2_fn f = (ammx2_fn)c->fn;
        for (long i = 0; i < iters; i++) f(z, x, y, m, t);
        break;
    }
    case SELECT2: { /* both halves' rows of a 32-row dual table in t */
        select2_fn f = (select2_fn)c->fn;
        for (long i = 0; i < iters; i++) f(z, t, (u64)i % TABLE_ROWS, (u64)(i + 7) % TABLE_ROWS);
        break;
    }
#ifdef HAVE_GMP
    case GMP_MUL: for (long i = 0; i < iters; i++) mpn_mul_n(z, x, y, n); break;
    case GMP_SQR: for (long i = 0; i < iters; i++) mpn_sqr(z, x, n); break;
    case GMP_POWM: {
        /* scratch in the (large) slot 5 */
        for (long i = 0; i < iters; i++) mpn_sec_powm(z, x, n, y, 64 * n, m, n, buf[5]);
        break;
    }
    case GMP_REDC: {
        u64 *copy = buf[5];
        for (long i = 0; i < iters; i++) { mpn_copyi(copy, t, 2 * n); gmp_redc(z, copy, m, n, w); }
        break;
    }
    case GMP_MONTMUL: {
        u64 *p = buf[5];
        for (long i = 0; i < iters; i++) { mpn_mul_n(p, x, y, n); gmp_redc(z, p, m, n, w); }
        break;
    }
    case GMP_MONTSQR: {
        u64 *p = buf[5];
        for (long i = 0; i < iters; i++) { mpn_sqr(p, x, n); gmp_redc(z, p, m, n, w); }
        break;
    }
#else
    default: break;
#endif
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* iterations per timed run so that `repeats` runs of the case fit the budget */
static long calibrate(const struct bench_case *c, int repeats, double budget_ms, double ghz)
{
    setup(c);
    call(c, 2);
    u64 t0 = ticks();
    call(c, 1);
    u64 one = ticks() - t0;
    double budget_ticks = budget_ms * 1e6 * ghz / repeats;
    long iters = (long)(budget_ticks / (double)(one ? one : 1));
    if (iters < 1) iters = 1;
    if (iters > 100000) iters = 100000;
    return iters;
}

#define MAX_REPEATS 256

/*
 * Time every selected case `repeats` times, interleaved: round r times each
 * case once, so load from the rest of the machine (and the clock changes it
 * causes) falls on every case alike and their ratios stay meaningful.
 */
static void run_all(const struct bench_case **cases, int count, int repeats, double budget_ms, double ghz)
{
    if (repeats > MAX_REPEATS) repeats = MAX_REPEATS;
    long *iters = calloc((size_t)count, sizeof *iters);
    double *per = calloc((size_t)count * MAX_REPEATS, sizeof *per);
    if (!iters || !per) exit(1);
    for (int i = 0; i < count; i++) iters[i] = calibrate(cases[i], repeats, budget_ms, ghz);
    for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < count; i++) {
            const struct bench_case *c = cases[i];
            setup(c);
            call(c, iters[i] < 100 ? iters[i] : 100); /* warm up */
            u64 a = ticks();
            call(c, iters[i]);
            u64 b = ticks();
            per[(size_t)i * MAX_REPEATS + r] = (double)(b - a) / (double)iters[i];
        }
    }
    for (int i = 0; i < count; i++) {
        double *p = per + (size_t)i * MAX_REPEATS;
        qsort(p, repeats, sizeof p[0], cmp_double);
        double med = p[repeats / 2];
        printf("%s %d %.1f %.1f %.1f\n", cases[i]->name, cases[i]->n, med, med / ghz, p[0]);
    }
    fflush(stdout);
    free(iters);
    free(per);
}

static const struct bench_case GMP_CASES[] = {
    {GMP_MUL, "mpn_mul_n", 4, 0}, {GMP_MUL, "mpn_mul_n", 8, 0}, {GMP_MUL, "mpn_mul_n", 16, 0},
    {GMP_MUL, "mpn_mul_n", 24, 0}, {GMP_MUL, "mpn_mul_n", 32, 0},
    {GMP_SQR, "mpn_sqr", 4, 0}, {GMP_SQR, "mpn_sqr", 8, 0}, {GMP_SQR, "mpn_sqr", 16, 0},
    {GMP_SQR, "mpn_sqr", 24, 0}, {GMP_SQR, "mpn_sqr", 32, 0},
    {GMP_POWM, "mpn_sec_powm", 16, 0}, {GMP_POWM, "mpn_sec_powm", 24, 0},
    {GMP_POWM, "mpn_sec_powm", 32, 0},
    {GMP_REDC, "mpn_redc_1", 4, 0}, {GMP_REDC, "mpn_redc_1", 8, 0}, {GMP_REDC, "mpn_redc_1", 16, 0},
    {GMP_REDC, "mpn_redc_1", 24, 0}, {GMP_REDC, "mpn_redc_1", 32, 0},
    {GMP_MONTMUL, "mpn_mul_n+redc_1", 4, 0}, {GMP_MONTMUL, "mpn_mul_n+redc_1", 8, 0},
    {GMP_MONTMUL, "mpn_mul_n+redc_1", 16, 0}, {GMP_MONTMUL, "mpn_mul_n+redc_1", 24, 0},
    {GMP_MONTMUL, "mpn_mul_n+redc_1", 32, 0},
    {GMP_MONTSQR, "mpn_sqr+redc_1", 4, 0}, {GMP_MONTSQR, "mpn_sqr+redc_1", 8, 0},
    {GMP_MONTSQR, "mpn_sqr+redc_1", 16, 0}, {GMP_MONTSQR, "mpn_sqr+redc_1", 24, 0},
    {GMP_MONTSQR, "mpn_sqr+redc_1", 32, 0},
};

/* the operation a variant implements: its name without the level suffix */
static void operation_of(const char *name, char *out, size_t len)
{
    static const char *const levels[] = {"_baseline", "_bmi2", "_avx2", "_avx512"};
    snprintf(out, len, "%s", name);
    size_t n = strlen(out);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t k = strlen(levels[i]);
        if (n > k && strcmp(out + n - k, levels[i]) == 0) {
            out[n - k] = 0;
            return;
        }
    }
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 21;
    double budget = argc > 2 ? atof(argv[2]) : 60.0;
    const char *filter = argc > 3 ? argv[3] : "";
    const char *gfilter = argc > 4 ? argv[4] : "*";
    const char *peer_path = argc > 5 && argv[5][0] ? argv[5] : NULL;
    if (repeats < 1) repeats = 1;
    arena = aligned_alloc(4096, (size_t)SLOT * NBUF + 4096);
    if (!arena) return 1;
    for (int b = 0; b < NBUF; b++) buf[b] = (u64 *)(arena + (size_t)b * SLOT);
    double ghz = tsc_ghz();
    printf("# tsc_ghz %.4f\n", ghz);
#ifdef HAVE_GMP
    printf("# gmp %s\n", gmp_version);
    mp_size_t need = mpn_sec_powm_itch(32, 64 * 32, 32);
    if ((size_t)need * 8 > SLOT * 3) { fprintf(stderr, "gmp scratch too large\n"); return 1; }
#endif
    size_t ncases = sizeof CASES / sizeof CASES[0];
    size_t total = 2 * ncases + sizeof GMP_CASES / sizeof GMP_CASES[0];
    const struct bench_case **chosen = calloc(total, sizeof *chosen);
    struct bench_case *peers = calloc(ncases, sizeof *peers);
    char (*peer_names)[96] = calloc(ncases, sizeof *peer_names);
    int count = 0, npeers = 0;
    if (!chosen || !peers || !peer_names) return 1;
    void *peer = NULL;
    if (peer_path) {
        peer = dlopen(peer_path, RTLD_NOW | RTLD_LOCAL);
        if (!peer) { fprintf(stderr, "cannot open the peer library: %s\n", dlerror()); return 1; }
    }
    for (size_t i = 0; i < ncases; i++) {
        if (!strstr(CASES[i].name, filter)) continue;
        chosen[count++] = &CASES[i];
        if (!peer) continue;
        char op[80];
        operation_of(CASES[i].name, op, sizeof op);
        int seen = 0;
        for (int j = 0; j < npeers; j++) seen |= strcmp(peer_names[j] + 5, op) == 0;
        void *fn = seen ? NULL : dlsym(peer, op);
        if (fn) {
            snprintf(peer_names[npeers], sizeof peer_names[npeers], "peer:%s", op);
            peers[npeers] = (struct bench_case){CASES[i].kind, peer_names[npeers], CASES[i].n, (void (*)(void))fn};
            chosen[count++] = &peers[npeers++];
        }
    }
#ifdef HAVE_GMP
    for (size_t i = 0; i < sizeof GMP_CASES / sizeof GMP_CASES[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s/%d,", GMP_CASES[i].name, GMP_CASES[i].n);
        if (strcmp(gfilter, "*") == 0 || strstr(gfilter, key)) chosen[count++] = &GMP_CASES[i];
    }
#else
    (void)gfilter;
#endif
    run_all(chosen, count, repeats, budget, ghz);
    free(chosen);
    free(peers);
    free(peer_names);
    return 0;
}
