/*
 * What provenum's benchmark harnesses share (kernels_harness.c, ct_harness.c):
 * the kernels' prototypes by kind (the argument layouts of
 * provenum.kernels.CATALOG), and the TSC: lfence on both sides of rdtsc, so
 * the timed code neither starts early nor leaks past the read, and the
 * TSC's rate measured against CLOCK_MONOTONIC.
 */
#ifndef PROVENUM_BENCH_HARNESS_H
#define PROVENUM_BENCH_HARNESS_H

#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

typedef void (*mul_fn)(uint64_t *, const uint64_t *, const uint64_t *);
typedef void (*sqr_fn)(uint64_t *, const uint64_t *);
typedef void (*redc_fn)(uint64_t *, const uint64_t *, const uint64_t *, uint64_t);
typedef void (*montmul_fn)(uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *, uint64_t);
typedef void (*table_fn)(uint64_t *, const uint64_t *, uint64_t, uint64_t);
typedef void (*modexp_fn)(uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *);
typedef void (*ammx2_fn)(uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *);
typedef void (*select2_fn)(uint64_t *, const uint64_t *, uint64_t, uint64_t);

static inline uint64_t ticks(void)
{
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

/* TSC ticks per nanosecond, over 50 ms */
static double tsc_ghz(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t t0 = ticks();
    do clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 50e6);
    uint64_t t1 = ticks();
    return (double)(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
}

#endif
