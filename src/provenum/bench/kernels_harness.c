/*
 * Cycle benchmark harness for provenum's kernels (and GMP beside them).
 *
 * Built by provenum.bench.kernels together with the kernels' .S files and a
 * generated case table (kernels_cases.h: one CASE(kind, name, n) line per
 * kernel). Each case is timed with lfence; rdtsc around a loop of calls;
 * the per-call figure is the median over repeated runs. Operand buffers
 * are staggered so that no two start a multiple of 4096 bytes apart
 * (4K aliasing). Prints "name words ticks ns" per case.
 *
 * usage: harness [repeats] [budget_ms_per_case] [kernel-filter] [gmp-filter]
 *   kernel-filter: run kernels whose name contains it ("" = all)
 *   gmp-filter: run GMP cases whose "name/words" appears in it ("*" = all, "" = none)
 */
#define _GNU_SOURCE
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

enum kind { MUL, SQR, REDC, MONTMUL, MONTSQR, TABLE, MODEXP, GMP_MUL, GMP_SQR, GMP_POWM };

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
#define SLOT (16384 + 576) /* 576 = 9*64: slot starts differ mod 4096 */

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
#ifdef HAVE_GMP
    case GMP_MUL: for (long i = 0; i < iters; i++) mpn_mul_n(z, x, y, n); break;
    case GMP_SQR: for (long i = 0; i < iters; i++) mpn_sqr(z, x, n); break;
    case GMP_POWM: {
        /* scratch in the (large) slot 5 */
        for (long i = 0; i < iters; i++) mpn_sec_powm(z, x, n, y, 64 * n, m, n, buf[5]);
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

static void run(const struct bench_case *c, int repeats, double budget_ms, double ghz)
{
    setup(c);
    call(c, 2);
    /* calibrate: iterations per run so that all runs fit the budget */
    long iters = 1;
    u64 t0 = ticks();
    call(c, iters);
    u64 one = ticks() - t0;
    double budget_ticks = budget_ms * 1e6 * ghz / repeats;
    iters = (long)(budget_ticks / (double)(one ? one : 1));
    if (iters < 1) iters = 1;
    if (iters > 100000) iters = 100000;
    call(c, iters < 100 ? iters : 100); /* warm up */
    double per[256];
    if (repeats > 256) repeats = 256;
    for (int r = 0; r < repeats; r++) {
        u64 a = ticks();
        call(c, iters);
        u64 b = ticks();
        per[r] = (double)(b - a) / (double)iters;
    }
    qsort(per, repeats, sizeof per[0], cmp_double);
    double med = per[repeats / 2];
    printf("%s %d %.1f %.1f\n", c->name, c->n, med, med / ghz);
    fflush(stdout);
}

static const struct bench_case GMP_CASES[] = {
    {GMP_MUL, "mpn_mul_n", 4, 0}, {GMP_MUL, "mpn_mul_n", 8, 0}, {GMP_MUL, "mpn_mul_n", 16, 0},
    {GMP_MUL, "mpn_mul_n", 24, 0}, {GMP_MUL, "mpn_mul_n", 32, 0},
    {GMP_SQR, "mpn_sqr", 4, 0}, {GMP_SQR, "mpn_sqr", 8, 0}, {GMP_SQR, "mpn_sqr", 16, 0},
    {GMP_SQR, "mpn_sqr", 24, 0}, {GMP_SQR, "mpn_sqr", 32, 0},
    {GMP_POWM, "mpn_sec_powm", 16, 0}, {GMP_POWM, "mpn_sec_powm", 24, 0},
    {GMP_POWM, "mpn_sec_powm", 32, 0},
};

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 21;
    double budget = argc > 2 ? atof(argv[2]) : 60.0;
    const char *filter = argc > 3 ? argv[3] : "";
    const char *gfilter = argc > 4 ? argv[4] : "*";
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
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (strstr(CASES[i].name, filter)) run(&CASES[i], repeats, budget, ghz);
#ifdef HAVE_GMP
    for (size_t i = 0; i < sizeof GMP_CASES / sizeof GMP_CASES[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s/%d,", GMP_CASES[i].name, GMP_CASES[i].n);
        if (strcmp(gfilter, "*") == 0 || strstr(gfilter, key)) run(&GMP_CASES[i], repeats, budget, ghz);
    }
#endif
    return 0;
}
