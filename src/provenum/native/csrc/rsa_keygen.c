/*
 * RSA key generation in native code (FIPS 186-5 A.1.3, random probable primes),
 * on the same Montgomery kernels as the private-key operation.  The primes,
 * d and the CRT values are made here and loaded straight into a key buffer
 * (provenum_rsa_private_load); only n comes back.
 *
 * Prime search, and why it does not leak the prime:
 *   - every candidate is drawn fresh from getrandom() (odd, top bit set,
 *     at least sqrt(2) * 2^(bits-1)); no incremental search.  A rejected
 *     candidate is independent of the prime finally accepted, so branching
 *     on rejections (and the number of tries) reveals nothing about it;
 *   - the accepted candidate always takes the same path: all trial
 *     divisions, all probable-prime tests, each constant time in its value;
 *   - trial division by the odd primes below a bound that grows with the
 *     size (2^16 .. 2^20; see sieve_limit), vectorised, no division
 *     instruction; and (p - 1) mod e != 0;
 *   - then a strong probable-prime test to base 2 (left-to-right over all
 *     bits of p - 1: square, then double or not by a mask), which discards
 *     almost every composite the sieve lets through;
 *   - then the Miller-Rabin rounds FIPS 186-5 Table B.1 asks for (the
 *     caller passes the count), each with a fresh random base, a^d by the
 *     constant-time exponentiation, and a fixed 62 squarings that record
 *     the first s of them with masks (candidates with s = v2(p - 1) > 63
 *     are rejected: probability 2^-63).
 * Then, all constant time: p > q by a masked swap, |p - q| > 2^(nlen/2-100),
 * d_p = e^-1 mod (p-1) as (1 + t(p-1))/e with t = -(p-1)^-1 mod e (e is 3
 * or 65537, both prime: a Fermat inverse mod e and an exact division by e),
 * q^-1 mod p = q^(p-2) mod p, and d = e^-1 mod lcm(p-1, q-1) through a
 * fixed-iteration binary gcd, an exact division by its odd part (2-adic
 * inverse) and the same e trick; d > 2^(nlen/2) is checked.  Before return,
 * a pairwise-consistency test: one private-key operation on a random
 * message, with its own check against the public key.  Every secret buffer
 * is wiped and the stack swept.
 */
#if defined(__x86_64__)
#include <immintrin.h>
#define TRIAL_DIVISION_SIMD 1      /* AVX2 / AVX-512 trial division on x86-64; plain C elsewhere */
#endif
#include <stdlib.h>
#include <string.h>

#include "rsa_internal.h"

typedef unsigned __int128 u128;

#define MAXH (PROVENUM_MAXW / 2)   /* words of the largest prime (8192 bits) */
#define MAX_S 63                   /* largest 2-adic valuation of p - 1 accepted */
#define POOL_BYTES 4096            /* randomness drawn from getrandom() at a time */

static size_t words_of(size_t bits) { return (bits + 63) / 64; }
static uint64_t mask_nz(uint64_t x) { return 0 - ((x | (0 - x)) >> 63); }
static uint64_t mask_lt(uint64_t a, uint64_t b) { return 0 - ((a - b) >> 63); }  /* a, b < 2^63 */

static uint64_t mask_eq_n(const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t d = 0;
    for (size_t i = 0; i < n; i++) d |= a[i] ^ b[i];
    return ~mask_nz(d);
}

/* 1 when x >= m (n words); public control flow, secret values */
static uint64_t ge_bit(const uint64_t *x, const uint64_t *m, size_t n)
{
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)x[i] - m[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow ^ 1;
}

/* all ones when x >= y (n words) */
static uint64_t mask_ge_n(const uint64_t *x, const uint64_t *y, size_t n)
{
    return 0 - ge_bit(x, y, n);
}

/* 1 when `lower` (public) is a sound lower bound for `bits`-bit primes:
   exactly `bits` bits, and its top 64 bits at most sqrt(2) * 2^63 rounded
   up, so that a fair share of candidates meets it */
static int bound_ok(const uint64_t *lower, size_t bits)
{
    size_t n = words_of(bits), r = bits % 64;
    uint64_t top = r ? (lower[n - 1] << (64 - r)) | (lower[n - 2] >> r) : lower[n - 1];
    int exact = r ? (lower[n - 1] >> r) == 0 : 1;
    return exact && (top >> 63) && top <= 0xB504F333F9DE6485ULL;
}

/* all ones when x has a bit set at position >= pos (pos public) */
static uint64_t mask_bits_from(const uint64_t *x, size_t n, size_t pos)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        if (64 * (i + 1) <= pos) continue;                       /* public */
        uint64_t keep = 64 * i >= pos ? ~(uint64_t)0 : ~(((uint64_t)1 << (pos - 64 * i)) - 1);
        any |= x[i] & keep;
    }
    return mask_nz(any);
}

/* ---- small moduli: Barrett reduction, no division instruction ------------ */

/* v mod s for v < 2^64, s < 2^32 odd > 1, m = floor(2^64 / s): the estimate
   q is at most one short, so one masked subtraction finishes */
static uint64_t barrett(uint64_t v, uint64_t s, uint64_t m)
{
    uint64_t q = (uint64_t)(((u128)v * m) >> 64);
    uint64_t r = v - q * s;
    return r - (s & ~mask_lt(r, s));
}

/* x mod s for x of n words (Horner's rule on 32-bit halves) */
static uint64_t residue(const uint64_t *x, size_t n, uint64_t s, uint64_t m)
{
    uint64_t r = 0;
    for (size_t i = n; i-- > 0;) {
        r = barrett((r << 32) | (x[i] >> 32), s, m);
        r = barrett((r << 32) | (x[i] & 0xffffffffu), s, m);
    }
    return r;
}

/* a^k mod s, k public, a < s < 2^32 */
static uint64_t pow_small(uint64_t a, uint64_t k, uint64_t s, uint64_t m)
{
    uint64_t r = 1 % s;
    for (int i = 63; i >= 0; i--) {
        r = barrett(r * r, s, m);
        if ((k >> i) & 1) r = barrett(r * a, s, m);               /* k is public */
    }
    return r;
}

/*
 * Trial division.  The divisors are grouped into moduli q < 2^31 (pairs of
 * primes while their product fits, then single primes), LANES moduli at a
 * time.  Each residue is a Montgomery-style Horner chain over the 32-bit
 * halves of x from the low end:
 *     t = r + h;  r = (t + ((t * q') mod 2^32) * q) / 2^32       (q' = -q^-1 mod 2^32)
 * which leaves r = x * 2^(-32 * halves) mod q, kept below q + 2 (never
 * reduced further; t + m*q stays below 2^64 because q < 2^31).  2^32 is a
 * unit mod q, so q's primes divide r exactly when they divide x.  The chain
 * is two 32x32->64 multiplications, an add and a shift: the lane loop
 * vectorises (vpmuludq) where the CPU has AVX2 or AVX-512, plain C elsewhere.
 * A prime p divides r when r * p^-1 mod 2^64 <= (2^64 - 1) / p (Granlund and
 * Montgomery's divisibility test).
 */
#define LANES 64

struct sieve {
    uint32_t *q, *qinv;                  /* moduli and -q^-1 mod 2^32, LANES-aligned count */
    uint64_t *pinv, *plim;               /* two primes per modulus: p^-1 mod 2^64 and (2^64-1)/p */
    size_t count;
};

static uint64_t inv64(uint64_t p) { return 0 - provenum_mont_w(p); }   /* p^-1 mod 2^64, p odd */

static void sieve_add(struct sieve *sv, uint64_t p1, uint64_t p2)
{
    size_t i = sv->count++;
    uint64_t q = p1 == p2 ? p1 : p1 * p2;
    sv->q[i] = (uint32_t)q;
    sv->qinv[i] = (uint32_t)(0 - inv64(q));
    sv->pinv[2 * i] = inv64(p1); sv->plim[2 * i] = ~(uint64_t)0 / p1;
    sv->pinv[2 * i + 1] = inv64(p2); sv->plim[2 * i + 1] = ~(uint64_t)0 / p2;
}

static void sieve_free(struct sieve *sv)
{
    free(sv->q); free(sv->qinv); free(sv->pinv); free(sv->plim);
}

static int sieve_init(struct sieve *sv, uint64_t limit)
{
    unsigned char *composite = calloc(limit, 1);
    size_t cap = limit / 8 + 2 * LANES;                       /* pi(x) < x / 8 for x >= 2^16 */
    sv->q = malloc(cap * 4); sv->qinv = malloc(cap * 4);
    sv->pinv = malloc(2 * cap * 8); sv->plim = malloc(2 * cap * 8);
    sv->count = 0;
    if (!composite || !sv->q || !sv->qinv || !sv->pinv || !sv->plim) {
        free(composite);
        sieve_free(sv);
        return -1;
    }
    uint64_t pending = 0;                                      /* public: the primes themselves */
    for (uint64_t p = 3; p < limit; p += 2) {
        if (composite[p]) continue;
        for (uint64_t j = p * p; j < limit; j += 2 * p) composite[j] = 1;
        if (pending == 0 && p * p < ((uint64_t)1 << 31)) {
            pending = p;                     /* pair it with the next prime if the product fits */
        } else if (pending && pending * p < ((uint64_t)1 << 31)) {
            sieve_add(sv, pending, p);
            pending = 0;
        } else {
            if (pending) sieve_add(sv, pending, pending);
            pending = 0;
            sieve_add(sv, p, p);
        }
    }
    if (pending) sieve_add(sv, pending, pending);
    free(composite);
    while (sv->count % LANES) sieve_add(sv, 3, 3);             /* padding: repeats the divisor 3 */
    return 0;
}

/* all ones when a prime of the block divides the x whose residues r holds */
static uint64_t block_hit(const uint64_t *r, const struct sieve *sv, size_t b)
{
    uint64_t hit = 0;
    for (int l = 0; l < 2 * LANES; l++) {
        size_t k = 2 * b + l;
        hit |= 0 - (uint64_t)(r[l / 2] * sv->pinv[k] <= sv->plim[k]);
    }
    return hit;
}

/* the chains of one block, in plain C (halves: x's 32-bit halves, low first) */
static void block_residues(uint64_t *r, const uint32_t *halves, size_t count, const struct sieve *sv, size_t b)
{
    const uint32_t *q = sv->q + b, *qi = sv->qinv + b;
    memset(r, 0, LANES * sizeof(uint64_t));
    for (size_t j = 0; j < count; j++) {
        for (int l = 0; l < LANES; l++) {
            uint64_t t = r[l] + halves[j];
            uint64_t m = (uint64_t)(uint32_t)t * qi[l];
            r[l] = (t + (uint64_t)(uint32_t)m * q[l]) >> 32;   /* < q + 2 */
        }
    }
}

#ifdef TRIAL_DIVISION_SIMD
/* the same with AVX2 / AVX-512: vpmuludq takes the low 32 bits of each lane */
__attribute__((target("avx2")))
static void block_residues_avx2(uint64_t *r, const uint32_t *halves, size_t count, const struct sieve *sv,
                                size_t b)
{
    __m256i acc[LANES / 4];
    for (int v = 0; v < LANES / 4; v++) acc[v] = _mm256_setzero_si256();
    for (size_t j = 0; j < count; j++) {
        __m256i h = _mm256_set1_epi64x(halves[j]);
        for (int v = 0; v < LANES / 4; v++) {
            __m256i q = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(sv->q + b + 4 * v)));
            __m256i qi = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(sv->qinv + b + 4 * v)));
            __m256i t = _mm256_add_epi64(acc[v], h);
            __m256i m = _mm256_mul_epu32(t, qi);
            acc[v] = _mm256_srli_epi64(_mm256_add_epi64(t, _mm256_mul_epu32(m, q)), 32);
        }
    }
    for (int v = 0; v < LANES / 4; v++) _mm256_storeu_si256((__m256i *)(r + 4 * v), acc[v]);
}

__attribute__((target("avx512f")))
static void block_residues_avx512(uint64_t *r, const uint32_t *halves, size_t count, const struct sieve *sv,
                                  size_t b)
{
    __m512i acc[LANES / 8], q[LANES / 8], qi[LANES / 8];
    for (int v = 0; v < LANES / 8; v++) {
        acc[v] = _mm512_setzero_si512();
        q[v] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(sv->q + b + 8 * v)));
        qi[v] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(sv->qinv + b + 8 * v)));
    }
    for (size_t j = 0; j < count; j++) {
        __m512i h = _mm512_set1_epi64(halves[j]);
        for (int v = 0; v < LANES / 8; v++) {
            __m512i t = _mm512_add_epi64(acc[v], h);
            __m512i m = _mm512_mul_epu32(t, qi[v]);
            acc[v] = _mm512_srli_epi64(_mm512_add_epi64(t, _mm512_mul_epu32(m, q[v])), 32);
        }
    }
    for (int v = 0; v < LANES / 8; v++) _mm512_storeu_si512((void *)(r + 8 * v), acc[v]);
}

/* the dispatch level (dispatch.c, x86-64: 0 baseline, 1 bmi2, 2 avx2, 3 avx512), so PROVENUM_CPU
   and the tests' forcing lower the trial division's vector width with everything else */
int provenum_dispatch_level(void);
#endif

/* 2 AVX-512, 1 AVX2, 0 neither */
static int simd_level(void)
{
#ifdef TRIAL_DIVISION_SIMD
    int level = provenum_dispatch_level();
    return level >= 3 ? 2 : level >= 2 ? 1 : 0;
#else
    return 0;
#endif
}

static uint64_t block_divides(const uint32_t *halves, size_t count, const struct sieve *sv, size_t b)
{
    uint64_t r[LANES];
    int simd = simd_level();
#ifdef TRIAL_DIVISION_SIMD
    if (simd == 2) block_residues_avx512(r, halves, count, sv, b);
    else if (simd == 1) block_residues_avx2(r, halves, count, sv, b);
    else
#endif
    block_residues(r, halves, count, sv, b);
    (void)simd;
    uint64_t hit = block_hit(r, sv, b);
    provenum_wipe(r, sizeof r);
    return hit;
}

/* 1 when no trial divisor divides x (x larger than all of them) */
static int sieve_passes(const uint64_t *x, size_t n, const struct sieve *sv)
{
    uint32_t halves[2 * MAXH];
    for (size_t i = 0; i < n; i++) {
        halves[2 * i] = (uint32_t)x[i];
        halves[2 * i + 1] = (uint32_t)(x[i] >> 32);
    }
    int pass = 1;
    for (size_t b = 0; b < sv->count && pass; b += LANES)
        if (block_divides(halves, 2 * n, sv, b)) pass = 0;     /* a rejected candidate: independent of the prime */
    provenum_wipe(halves, sizeof halves);
    return pass;
}

/* the trial-division bound for primes of `bits` bits: dividing by p saves
   a probable-prime test with probability 1/p; the bound is where that
   saving stops paying for the division (measured on Zen 5, see docs/rsa.md) */
static uint64_t sieve_limit(size_t bits)
{
    if (bits >= 4096) return (uint64_t)1 << 20;
    if (bits >= 2048) return (uint64_t)1 << 18;
    if (bits >= 1536) return (uint64_t)1 << 17;
    return (uint64_t)1 << 16;
}

/* ---- randomness ------------------------------------------------------------ */

struct pool {
    unsigned char buf[POOL_BYTES];
    size_t used;
    int failed;
};

static void pool_take(struct pool *pl, void *out, size_t len)
{
    unsigned char *o = out;
    while (len > 0) {
        if (pl->used == POOL_BYTES) {
            if (provenum_random_bytes(pl->buf, POOL_BYTES) != 0) pl->failed = 1;
            pl->used = 0;
        }
        size_t take = POOL_BYTES - pl->used < len ? POOL_BYTES - pl->used : len;
        memcpy(o, pl->buf + pl->used, take);
        memset(pl->buf + pl->used, 0, take);
        pl->used += take;
        o += take;
        len -= take;
    }
}

/* x = a random odd number of exactly `bits` bits (n words, zero-padded to nw) */
static void draw(uint64_t *x, size_t bits, size_t nw, struct pool *pl)
{
    size_t n = words_of(bits);
    memset(x, 0, nw * sizeof(uint64_t));
    pool_take(pl, x, n * sizeof(uint64_t));
    if (bits % 64) x[n - 1] &= ((uint64_t)1 << (bits % 64)) - 1;
    x[n - 1] |= (uint64_t)1 << ((bits - 1) % 64);
    x[0] |= 1;
}

/* ---- Montgomery helpers for a candidate m ---------------------------------- */

/* z = x + (x & mask) mod m for x < m: doubling when mask is all ones */
static void dbl_mod(uint64_t *z, const uint64_t *x, uint64_t mask, const uint64_t *m, size_t n)
{
    uint64_t carry = 0, borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)x[i] + (x[i] & mask) + carry;
        z[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    uint64_t take = 0 - (carry | ge_bit(z, m, n));
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)z[i] - (m[i] & take) - borrow;
        z[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

/* z -= m when z >= m (n words) */
static void sub_if_ge(uint64_t *z, const uint64_t *m, size_t n)
{
    uint64_t take = 0 - ge_bit(z, m, n), borrow = 0;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)z[i] - (m[i] & take) - borrow;
        z[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

/* Almost-Montgomery squaring (result below R = 2^(64n), not below m): the
   kernels' own, faster than the exact one at some sizes (24 words: 20%). */
void bignum_amontsqr_16(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_amontsqr_24(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_amontsqr_32(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
typedef void (*sqr_fn)(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);

static sqr_fn almost_square(size_t n)
{
    switch (n) {
    case 16: return bignum_amontsqr_16;
    case 24: return bignum_amontsqr_24;
    case 32: return bignum_amontsqr_32;
    default: return NULL;
    }
}

/* z = x + (x & mask) reduced below R for x < R and m > R/2: at most two
   masked subtractions of m (2x - 2m < R when 2x >= R + m) */
static void dbl_almost(uint64_t *z, const uint64_t *x, uint64_t mask, const uint64_t *m, size_t n)
{
    uint64_t carry = 0, b1 = 0, b2 = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)x[i] + (x[i] & mask) + carry;
        z[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    uint64_t take1 = 0 - carry;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)z[i] - (m[i] & take1) - b1;
        z[i] = (uint64_t)d;
        b1 = (uint64_t)(d >> 64) & 1;
    }
    uint64_t take2 = 0 - (carry & (b1 ^ 1));                   /* still >= R */
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)z[i] - (m[i] & take2) - b2;
        z[i] = (uint64_t)d;
        b2 = (uint64_t)(d >> 64) & 1;
    }
}

struct cand {
    const uint64_t *m;
    size_t n, bits;
    uint64_t w, s;                       /* s = v2(m - 1), 1..MAX_S */
    uint64_t e1[MAXH];                   /* m - 1 */
    uint64_t one[MAXH], minus_one[MAXH]; /* R and -R mod m: Montgomery 1 and -1 */
    uint64_t rr[MAXH];                   /* R^2 mod m */
};

/* the constants of a candidate (m odd, of `bits` bits); 0 when v2(m-1) > MAX_S */
static int cand_init(struct cand *c, const uint64_t *m, size_t bits, int need_rr)
{
    size_t n = words_of(bits);
    c->m = m; c->n = n; c->bits = bits;
    c->w = provenum_mont_w(m[0]);
    memcpy(c->e1, m, n * sizeof(uint64_t));
    c->e1[0] -= 1;                                            /* m odd: no borrow */
    if (c->e1[0] == 0) return 0;         /* s >= 64: rejected (never the prime, probability 2^-63) */
    uint64_t low = c->e1[0];
    c->s = (uint64_t)__builtin_popcountll((low & (0 - low)) - 1);
    memset(c->one, 0, sizeof c->one);
    c->one[(bits - 1) / 64] = (uint64_t)1 << ((bits - 1) % 64);   /* 2^(bits-1) < m */
    for (size_t i = bits - 1; i < 64 * n; i++) dbl_mod(c->one, c->one, ~(uint64_t)0, m, n);
    provenum_sub_n(c->minus_one, m, c->one, n);
    if (need_rr) {
        memcpy(c->rr, c->one, n * sizeof(uint64_t));
        for (size_t i = 0; i < 64 * n; i++) dbl_mod(c->rr, c->rr, ~(uint64_t)0, m, n);
    }
    return 1;
}

static void cand_wipe(struct cand *c)
{
    provenum_wipe(c->e1, sizeof c->e1);
    provenum_wipe(c->one, sizeof c->one);
    provenum_wipe(c->minus_one, sizeof c->minus_one);
    provenum_wipe(c->rr, sizeof c->rr);
    c->s = 0;
}

/* all ones when m is a strong probable prime to base 2: 2^(m-1) by squaring
   and doubling over every bit, the last MAX_S + 1 values recorded with masks */
static uint64_t spp_base2(const struct cand *c)
{
    uint64_t acc[MAXH], canon[MAXH], pass = 0;
    size_t n = c->n;
    sqr_fn almost = c->bits == 64 * n ? almost_square(n) : NULL;
    memcpy(acc, c->one, n * sizeof(uint64_t));
    for (size_t j = 64 * n; j-- > 0;) {
        uint64_t bit = 0 - ((c->e1[j / 64] >> (j % 64)) & 1);
        if (almost) {                        /* public: the size picks the path */
            almost(acc, acc, c->m, c->w);
            dbl_almost(acc, acc, bit, c->m, n);
        } else {
            provenum_ms(acc, acc, c->m, c->w, n);
            dbl_mod(acc, acc, bit, c->m, n);
        }
        if (j <= MAX_S) {                    /* public: acc = 2^((m-1) >> j) */
            memcpy(canon, acc, n * sizeof(uint64_t));
            if (almost) sub_if_ge(canon, c->m, n);
            uint64_t at_s = ~mask_nz(j ^ c->s), upto_s = ~mask_lt(c->s, j) & mask_nz(j);
            pass |= (at_s & mask_eq_n(canon, c->one, n)) | (upto_s & mask_eq_n(canon, c->minus_one, n));
        }
    }
    provenum_wipe(acc, n * sizeof(uint64_t));
    provenum_wipe(canon, n * sizeof(uint64_t));
    return pass;
}

/* all ones when m passes a Miller-Rabin round to base a (1 < a < m - 1) */
static uint64_t mr_round(const struct cand *c, const uint64_t *a)
{
    uint64_t d[MAXH], y[MAXH], pass;
    size_t n = c->n;
    for (size_t i = 0; i < n; i++)          /* d = (m - 1) >> s, 1 <= s <= 63 */
        d[i] = (c->e1[i] >> c->s) | (i + 1 < n ? c->e1[i + 1] << (64 - c->s) : 0);
    provenum_modexp(y, a, d, c->m, c->w, c->rr, n);
    provenum_mm(y, y, c->rr, c->m, c->w, n);                 /* Montgomery form */
    pass = mask_eq_n(y, c->one, n) | mask_eq_n(y, c->minus_one, n);
    for (uint64_t i = 1; i < MAX_S; i++) {
        provenum_ms(y, y, c->m, c->w, n);
        pass |= mask_eq_n(y, c->minus_one, n) & mask_lt(i, c->s);
    }
    provenum_wipe(d, sizeof d);
    provenum_wipe(y, sizeof y);
    return pass;
}

/* a random base in [2, m - 2]: 2n random words (top bits cleared so they stay
   below m*R) reduced mod m; bias below 2^-(64n-1) */
static void random_base(uint64_t *a, const struct cand *c, struct pool *pl)
{
    uint64_t r[2 * MAXH], two[MAXH];
    size_t n = c->n, top = c->bits - 1 + 64 * n;                /* r < 2^top <= m*R */
    memset(two, 0, sizeof two);
    two[0] = 2;
    for (;;) {
        pool_take(pl, r, 2 * n * sizeof(uint64_t));
        r[top / 64] &= ((uint64_t)1 << (top % 64)) - 1;
        for (size_t i = top / 64 + 1; i < 2 * n; i++) r[i] = 0;
        provenum_reduce_wide(a, r, c->m, c->w, c->rr, n);
        /* a in {0, 1, m - 1}: probability 3/m, another draw */
        if (!(~mask_ge_n(a, two, n) | mask_eq_n(a, c->e1, n))) break;
    }
    provenum_wipe(r, sizeof r);
}

struct stats {
    uint64_t candidates, sieved, base2, rounds;
};

/* 1 when the candidate m (bits bits, sieved already) is a probable prime */
static int probable_prime(const uint64_t *m, size_t bits, int rounds, struct pool *pl, struct stats *st)
{
    struct cand c;
    uint64_t a[MAXH];
    int ok = 0;
    if (!cand_init(&c, m, bits, 0)) goto out;
    st->base2++;
    if (!spp_base2(&c)) goto out;           /* composite (never the prime that is returned) */
    cand_wipe(&c);
    cand_init(&c, m, bits, 1);
    ok = 1;
    for (int i = 0; i < rounds && ok; i++) {
        st->rounds++;
        random_base(a, &c, pl);
        ok = mr_round(&c, a) != 0;
    }
out:
    cand_wipe(&c);
    provenum_wipe(a, sizeof a);
    return ok;
}

/* a random probable prime of exactly `bits` bits, >= lower, with e not dividing p - 1 */
static void gen_prime(uint64_t *p, size_t bits, size_t nw, const uint64_t *lower, int rounds, uint64_t e,
                      const struct sieve *sv, struct pool *pl, struct stats *st)
{
    size_t n = words_of(bits);
    uint64_t m_e = ~(uint64_t)0 / e;
    for (;;) {
        st->candidates++;
        draw(p, bits, nw, pl);
        if (pl->failed) return;
        if (!mask_ge_n(p, lower, n)) continue;                  /* below sqrt(2) * 2^(bits-1) */
        if (!sieve_passes(p, n, sv)) continue;
        if (residue(p, n, e, m_e) == 1) continue;               /* e | p - 1 */
        st->sieved++;
        if (probable_prime(p, bits, rounds, pl, st)) return;
    }
}

/* ---- the private values, constant time ------------------------------------ */

/* z (len + 1 words) = x (len words) * t + 1 */
static void mul_small_add1(uint64_t *z, const uint64_t *x, size_t len, uint64_t t)
{
    uint64_t carry = 1;
    for (size_t i = 0; i < len; i++) {
        u128 v = (u128)x[i] * t + carry;
        z[i] = (uint64_t)v;
        carry = (uint64_t)(v >> 64);
    }
    z[len] = carry;
}

/* z = x / e for x (len words) a multiple of the odd word e (2-adic: no division) */
static void exact_div_word(uint64_t *z, const uint64_t *x, size_t len, uint64_t e)
{
    uint64_t inv = 0 - provenum_mont_w(e), borrow = 0;           /* e^-1 mod 2^64 */
    for (size_t i = 0; i < len; i++) {
        uint64_t lo = x[i] - borrow;
        uint64_t under = (uint64_t)(x[i] < borrow);
        uint64_t q = lo * inv;
        z[i] = q;
        borrow = (uint64_t)(((u128)q * e) >> 64) + under;
    }
}

/* z (len words) = e^-1 mod mod (len words, gcd(mod, e) = 1), e prime < 2^32:
   (1 + t*mod) / e with t = -mod^-1 mod e */
static void inverse_of_e(uint64_t *z, const uint64_t *mod, size_t len, uint64_t e)
{
    uint64_t x[2 * MAXH + 2], m_e = ~(uint64_t)0 / e;
    uint64_t a = residue(mod, len, e, m_e);
    uint64_t t = e - pow_small(a, e - 2, e, m_e);               /* Fermat: a^-1 = a^(e-2) */
    mul_small_add1(x, mod, len, t);
    exact_div_word(x, x, len + 1, e);
    memcpy(z, x, len * sizeof(uint64_t));                      /* the quotient is below mod */
    provenum_wipe(x, sizeof x);
}

/* z = x >> k for 0 < k < 64 */
static void shr_small(uint64_t *z, const uint64_t *x, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++) z[i] = (x[i] >> k) | (i + 1 < n ? x[i + 1] << (64 - k) : 0);
}

/* z = x * y mod 2^(64n) */
static void mul_low(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n)
{
    uint64_t t[2 * MAXH];
    provenum_mul_n(t, x, y, n);
    memcpy(z, t, n * sizeof(uint64_t));
    provenum_wipe(t, sizeof t);
}

/* z = g^-1 mod 2^(64n) for odd g, by Newton's iteration from the word inverse */
static void inverse_2adic(uint64_t *z, const uint64_t *g, size_t n)
{
    uint64_t t[MAXH], two[MAXH];
    memset(z, 0, n * sizeof(uint64_t));
    memset(two, 0, sizeof two);
    two[0] = 2;
    z[0] = 0 - provenum_mont_w(g[0]);                          /* right to 64 bits */
    for (size_t bits = 64; bits < 64 * n; bits *= 2) {         /* public count */
        mul_low(t, g, z, n);
        provenum_sub_n(t, two, t, n);                           /* 2 - g*z */
        mul_low(z, z, t, n);
    }
    provenum_wipe(t, sizeof t);
}

/* g_odd, k with gcd(a, b) = g_odd * 2^k, a, b even: binary gcd with a fixed
   128n iterations of masked steps (each removes a bit from a or b) */
static void gcd_parts(uint64_t *g_odd, uint64_t *k, const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t u[MAXH], v[MAXH], d1[MAXH], d2[MAXH];
    memcpy(u, a, n * sizeof(uint64_t));
    memcpy(v, b, n * sizeof(uint64_t));
    *k = 0;
    for (size_t it = 0; it < 128 * n; it++) {
        uint64_t both_odd = 0 - (u[0] & v[0] & 1);
        uint64_t v_gt_u = 0 - provenum_sub_n(d1, u, v, n);      /* d1 = u - v */
        provenum_sub_n(d2, v, u, n);                            /* d2 = v - u */
        provenum_select_n(u, both_odd & ~v_gt_u, d1, u, n);
        provenum_select_n(v, both_odd & v_gt_u, d2, v, n);
        uint64_t u_even = (u[0] & 1) - 1, v_even = (v[0] & 1) - 1;
        *k += u_even & v_even & 1;
        shr_small(d1, u, n, 1);
        provenum_select_n(u, u_even, d1, u, n);
        shr_small(d2, v, n, 1);
        provenum_select_n(v, v_even, d2, v, n);
    }
    for (size_t i = 0; i < n; i++) g_odd[i] = u[i] | v[i];    /* one of them is 0 */
    provenum_wipe(u, sizeof u); provenum_wipe(v, sizeof v);
    provenum_wipe(d1, sizeof d1); provenum_wipe(d2, sizeof d2);
}

/* d (2h words) = e^-1 mod lcm(p - 1, q - 1); pm1, qm1 = p - 1, q - 1 (h words) */
static void private_exponent(uint64_t *d, const uint64_t *pm1, const uint64_t *qm1, size_t h, uint64_t e)
{
    uint64_t g[MAXH], ginv[MAXH], y[MAXH], k, lambda[2 * MAXH];
    gcd_parts(g, &k, pm1, qm1, h);
    inverse_2adic(ginv, g, h);
    shr_small(y, pm1, h, k);            /* 1 <= k <= MAX_S: both p - 1 and q - 1 have s <= 63 */
    mul_low(y, y, ginv, h);             /* (p - 1) / gcd, exactly */
    provenum_mul_n(lambda, y, qm1, h);
    inverse_of_e(d, lambda, 2 * h, e);
    provenum_wipe(g, sizeof g); provenum_wipe(ginv, sizeof ginv);
    provenum_wipe(y, sizeof y); provenum_wipe(lambda, sizeof lambda);
    k = 0;
}

/* everything of one key generation, so that a single wipe covers it */
struct work {
    uint64_t p[MAXH], q[MAXH], t[MAXH], pm1[MAXH], qm1[MAXH];
    uint64_t dp[MAXH], dq[MAXH], qinv[MAXH], pm2[MAXH], one[MAXH], rr[MAXH];
    uint64_t n[2 * MAXH], d[2 * MAXH + 2], msg[2 * MAXH], sig[2 * MAXH], unit[2 * MAXH];
    struct pool pool;
};

static int __attribute__((noinline)) keygen(uint64_t *key, uint64_t *n_out, size_t nbits, uint64_t e,
                                             const uint64_t *lower_p, const uint64_t *lower_q,
                                             int rounds_p, int rounds_q, uint64_t *stats_out)
{
    struct sieve sv;
    struct stats st = {0, 0, 0, 0};
    size_t pbits = (nbits + 1) / 2, qbits = nbits / 2;
    size_t h = words_of(pbits), words = words_of(nbits);
    int status = -1;
    if (nbits < 512 || nbits > 64 * PROVENUM_MAXW || (e != 3 && e != 65537) || rounds_p < 1 || rounds_q < 1)
        return -1;
    if (!bound_ok(lower_p, pbits) || !bound_ok(lower_q, qbits))
        return -1;                           /* a bound few candidates meet: the search would not end */
    struct work *wk = calloc(1, sizeof *wk);
    if (wk == NULL) return -1;
    if (sieve_init(&sv, sieve_limit(qbits)) != 0) {
        free(wk);
        return -1;
    }
    wk->pool.used = POOL_BYTES;
    for (;;) {
        gen_prime(wk->p, pbits, h, lower_p, rounds_p, e, &sv, &wk->pool, &st);
        gen_prime(wk->q, qbits, h, lower_q, rounds_q, e, &sv, &wk->pool, &st);
        if (wk->pool.failed) {
            status = -2;
            break;
        }
        /* p > q by a masked swap; |p - q| > 2^(nbits/2 - 100) (checked as a bit at or above nbits/2 - 99) */
        uint64_t swap = 0 - provenum_sub_n(wk->t, wk->p, wk->q, h);
        provenum_select_n(wk->t, swap, wk->q, wk->p, h);
        provenum_select_n(wk->q, swap, wk->p, wk->q, h);
        memcpy(wk->p, wk->t, h * sizeof(uint64_t));
        provenum_sub_n(wk->t, wk->p, wk->q, h);
        if (!mask_bits_from(wk->t, h, nbits / 2 - 99)) continue;   /* probability ~2^-98 */

        memcpy(wk->pm1, wk->p, sizeof wk->pm1); wk->pm1[0] -= 1;   /* odd: no borrow */
        memcpy(wk->qm1, wk->q, sizeof wk->qm1); wk->qm1[0] -= 1;
        provenum_mul_n(wk->n, wk->p, wk->q, h);
        private_exponent(wk->d, wk->pm1, wk->qm1, h, e);
        if (!mask_bits_from(wk->d, 2 * h, nbits / 2 + 1)) continue; /* FIPS: d > 2^(nlen/2) */
        inverse_of_e(wk->dp, wk->pm1, h, e);
        inverse_of_e(wk->dq, wk->qm1, h, e);

        /* q^-1 mod p = q^(p-2) mod p (q < p; p prime) */
        struct cand c;
        memcpy(wk->pm2, wk->pm1, sizeof wk->pm2); wk->pm2[0] -= 1;  /* p odd prime > 3: p - 1 even */
        cand_init(&c, wk->p, pbits, 1);
        provenum_modexp(wk->qinv, wk->q, wk->pm2, wk->p, c.w, c.rr, h);
        cand_wipe(&c);

        if (provenum_rsa_private_load(key, wk->n, words, &e, 1, wk->p, wk->q, wk->dp, wk->dq, wk->qinv,
                                      wk->d, h) != 0)
            break;
        /* pairwise consistency: m^d checked against m by the private operation itself */
        memset(wk->unit, 0, sizeof wk->unit);
        wk->unit[0] = 1;
        pool_take(&wk->pool, wk->msg, words * sizeof(uint64_t));
        wk->msg[(nbits - 2) / 64] &= ((uint64_t)1 << ((nbits - 2) % 64)) - 1;   /* m < 2^(nbits-2) < n */
        for (size_t i = (nbits - 2) / 64 + 1; i < words; i++) wk->msg[i] = 0;
        if (wk->pool.failed) {
            status = -2;
            break;
        }
        if (provenum_rsa_private_op(key, wk->sig, wk->msg, wk->unit, wk->unit, 0) != 0) {
            status = -3;                     /* the key does not work: never release it */
            break;
        }
        memcpy(n_out, wk->n, words * sizeof(uint64_t));
        status = 0;
        break;
    }
    if (status != 0) provenum_wipe(key, provenum_rsa_key_words() * sizeof(uint64_t));
    if (stats_out != NULL) {
        stats_out[0] = st.candidates; stats_out[1] = st.sieved;
        stats_out[2] = st.base2; stats_out[3] = st.rounds;
    }
    provenum_wipe(wk, sizeof *wk);
    free(wk);
    sieve_free(&sv);
    return status;
}

/* ---- exported (cdef/rsa_keygen.h) -------------------------------------------- */

/*
 * A fresh RSA key of nbits bits (512..16384; e = 3 or 65537) into `key`
 * (provenum_rsa_key_words() words), its modulus into n_out (words of nbits).
 * lower_p / lower_q: ceil(sqrt(2) * 2^(bits-1)) for the (nbits+1)/2-bit p and
 * the nbits/2-bit q; rounds_*: Miller-Rabin rounds with random bases.
 * stats (4 words, may be NULL): candidates drawn, passing the sieve, tested
 * to base 2, random-base rounds run.  Returns 0, -1 (bad arguments or no
 * memory), -2 (no randomness), -3 (pairwise test failed).
 */
int provenum_rsa_keygen(uint64_t *key, uint64_t *n_out, size_t nbits, uint64_t e, const uint64_t *lower_p,
                        const uint64_t *lower_q, int rounds_p, int rounds_q, uint64_t *stats)
{
    int status = keygen(key, n_out, nbits, e, lower_p, lower_q, rounds_p, rounds_q, stats);
    provenum_burn_stack();
    return status;
}

/* For the tests: the probable-prime tests alone (base 2, then `rounds`
   random bases) on odd x of n words, x > 3; 1 prime, 0 composite, -1 bad input. */
int provenum_probable_prime(const uint64_t *x, size_t n, int rounds)
{
    struct pool *pl = calloc(1, sizeof *pl);
    struct stats st = {0, 0, 0, 0};
    size_t bits = 64 * n;
    int status = -1;
    if (pl == NULL) return -1;
    pl->used = POOL_BYTES;
    while (bits > 0 && !((x[(bits - 1) / 64] >> ((bits - 1) % 64)) & 1)) bits--;
    if (n >= 1 && n <= MAXH && (x[0] & 1) && bits >= 3 && !(bits == 3 && x[0] <= 3) && words_of(bits) == n) {
        struct cand c;
        status = cand_init(&c, x, bits, 0) ? probable_prime(x, bits, rounds, pl, &st) : -1;
        cand_wipe(&c);
    }
    if (pl->failed) status = -1;
    provenum_wipe(pl, sizeof *pl);
    free(pl);
    provenum_burn_stack();
    return status;
}

/* For the tests: x mod s (s odd, 1 < s < 2^32) through the Barrett residue */
uint64_t provenum_small_residue(const uint64_t *x, size_t n, uint64_t s)
{
    return residue(x, n, s, ~(uint64_t)0 / s);
}
