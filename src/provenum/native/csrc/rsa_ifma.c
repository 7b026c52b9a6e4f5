/*
 * Both CRT halves of an RSA private operation exponentiated together on the
 * radix-2^52 kernels of the avx512ifma level (docs/ifma.md).
 *
 *   z_h = a_h^e_h mod m_h for h = 0, 1, with m_h odd of `h` words (16, 24, 32:
 *   2048-, 3072-, 4096-bit keys), a_h < m_h, e_h of h words.
 *
 * Numbers are n radix-2^52 digits (n = 20, 30, 40), R = 2^(52 n); every
 * product is one call to the dual almost-Montgomery kernel
 * bignum_amm52x2_{n}, whose outputs stay below 2m (no subtraction inside
 * the exponentiation).  Fixed 5-bit windows from the top of the exponents
 * (both halves' exponents have the same length, so their windows line up):
 * five squarings, then one multiplication by the table row of the window's
 * value, both halves' fetched in one pass by bignum_select52x2_{n}, which
 * reads every row.  Window positions and every branch and address depend
 * only on the public size; the secret window values only choose rows inside
 * that kernel, by masks.  Row k of the one table holds a^k R of both halves
 * side by side (2 stride(n) words: the dual buffer the products load); each
 * half's window value picks its own row.  One almost-Montgomery
 * multiplication by 1 leaves Montgomery form (result <= m), one
 * constant-time subtraction finishes.
 */
#if defined(__x86_64__)
#include <stdint.h>
#include <string.h>

#include "cpu_x86_64.h"
#include "rsa_internal.h"

#define WIN 5
#define ROWS (1 << WIN)
#define MAXSTRIDE 40       /* words of the largest radix-2^52 number (40 digits) */
#define ALIGN64 __attribute__((aligned(64)))

int provenum_dispatch_level(void);

/* the dispatched kernels (entries of dispatch.c; their slots are filled at avx512ifma) */
void bignum_amm52x2_20(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, const uint64_t *k0);
void bignum_amm52x2_30(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, const uint64_t *k0);
void bignum_amm52x2_40(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, const uint64_t *k0);
void bignum_to_radix52_16(uint64_t *z, const uint64_t *x);
void bignum_to_radix52_24(uint64_t *z, const uint64_t *x);
void bignum_to_radix52_32(uint64_t *z, const uint64_t *x);
void bignum_from_radix52_16(uint64_t *z, const uint64_t *x);
void bignum_from_radix52_24(uint64_t *z, const uint64_t *x);
void bignum_from_radix52_32(uint64_t *z, const uint64_t *x);
void bignum_select52x2_20(uint64_t *z, const uint64_t *table, uint64_t idx0, uint64_t idx1);
void bignum_select52x2_30(uint64_t *z, const uint64_t *table, uint64_t idx0, uint64_t idx1);
void bignum_select52x2_40(uint64_t *z, const uint64_t *table, uint64_t idx0, uint64_t idx1);

typedef void amm_x2_fn(uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *, const uint64_t *);
typedef void convert_fn(uint64_t *, const uint64_t *);
typedef void select_fn(uint64_t *, const uint64_t *, uint64_t, uint64_t);

struct size52 {
    size_t h, digits, stride;
    amm_x2_fn *amm;
    convert_fn *to, *from;
    select_fn *select;
};

static const struct size52 SIZES[] = {
    {16, 20, 24, bignum_amm52x2_20, bignum_to_radix52_16, bignum_from_radix52_16, bignum_select52x2_20},
    {24, 30, 32, bignum_amm52x2_30, bignum_to_radix52_24, bignum_from_radix52_24, bignum_select52x2_30},
    {32, 40, 40, bignum_amm52x2_40, bignum_to_radix52_32, bignum_from_radix52_32, bignum_select52x2_40},
};

static const struct size52 *size_of(size_t h)
{
    for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++)
        if (SIZES[i].h == h) return &SIZES[i];
    return NULL;
}

int provenum_ifma_available(size_t h)
{
    return size_of(h) != NULL && provenum_dispatch_level() >= PV_LEVEL_AVX512IFMA;
}

/* bits pos..pos+WIN-1 of e (h words; bits above 64h are 0); pos is public, the value secret */
static uint64_t window_at(const uint64_t *e, size_t h, size_t pos)
{
    size_t word = pos / 64, bit = pos % 64;
    uint64_t v = e[word] >> bit;
    if (bit + WIN > 64 && word + 1 < h) v |= e[word + 1] << (64 - bit);
    return v & (ROWS - 1);
}

/* R^2 mod m for R = 2^(52 n), from rr = 2^(128h) mod m: two Montgomery products (R64 = 2^(64h))
   by 2^d, d = 104n - 128h (32, 48 or 64): mm(rr, 2^d) = R64 2^d, mm(rr, R64 2^d) = R64^2 2^d */
static void rr52(uint64_t *z, const uint64_t *m, const uint64_t *rr, const struct size52 *s)
{
    uint64_t pow2[32], t[32];
    size_t d = 104 * s->digits - 128 * s->h;
    uint64_t w = provenum_mont_w(m[0]);
    memset(pow2, 0, sizeof pow2);
    pow2[d / 64] = (uint64_t)1 << (d % 64);
    provenum_mm(t, rr, pow2, m, w, s->h);
    provenum_mm(z, rr, t, m, w, s->h);
    provenum_wipe(t, sizeof t);
}

/* both halves' moduli in radix 2^52, R^2 mod m and k0: made once per private operation, shared by
   the blinding's power, the exponentiation and the check's power */
struct provenum_ifma_ctx {
    ALIGN64 uint64_t m52[2 * MAXSTRIDE], rr[2 * MAXSTRIDE];
    uint64_t k0[2];
    const uint64_t *m[2];
    const struct size52 *s;
};

size_t provenum_ifma_ctx_bytes(void) { return sizeof(struct provenum_ifma_ctx) + 64; }
_Static_assert(sizeof(struct provenum_ifma_ctx) + 64 <= PROVENUM_IFMA_CTX_BYTES, "context buffer too small");

/* the context inside a caller's buffer of provenum_ifma_ctx_bytes() bytes (aligned within it) */
static struct provenum_ifma_ctx *ctx_in(void *buf)
{
    return (struct provenum_ifma_ctx *)(((uintptr_t)buf + 63) & ~(uintptr_t)63);
}

int provenum_ifma_setup(void *buf, const uint64_t *m0, const uint64_t *m1, const uint64_t *rr0,
                        const uint64_t *rr1, size_t h)
{
    const struct size52 *s = size_of(h);
    if (!s || provenum_dispatch_level() < PV_LEVEL_AVX512IFMA) return -1;
    struct provenum_ifma_ctx *c = ctx_in(buf);
    const uint64_t *ms[2] = {m0, m1}, *rrs[2] = {rr0, rr1};
    uint64_t t[32];
    c->s = s;
    for (int i = 0; i < 2; i++) {
        c->m[i] = ms[i];
        s->to(c->m52 + i * s->stride, ms[i]);
        c->k0[i] = provenum_mont_w(ms[i][0]);
        rr52(t, ms[i], rrs[i], s);
        s->to(c->rr + i * s->stride, t);
    }
    provenum_wipe(t, sizeof t);
    return 0;
}

void provenum_ifma_wipe(void *buf) { provenum_wipe(ctx_in(buf), sizeof(struct provenum_ifma_ctx)); }

/* acc (< 2m, Montgomery form) * 1 / R <= m, then to 64-bit words below m: z_h */
static void leave(const struct provenum_ifma_ctx *c, uint64_t *z0, uint64_t *z1, uint64_t *acc, uint64_t *x)
{
    const struct size52 *s = c->s;
    const size_t w = s->stride, h = s->h;
    uint64_t t[32], *zs[2] = {z0, z1};
    memset(x, 0, 2 * w * sizeof(uint64_t));
    x[0] = x[w] = 1;
    s->amm(acc, acc, x, c->m52, c->k0);               /* = m only when the value is 0 mod m */
    for (int i = 0; i < 2; i++) {
        s->from(t, acc + i * w);
        uint64_t borrow = provenum_sub_n(zs[i], t, c->m[i], h);     /* t - m, kept when t >= m */
        provenum_select_n(zs[i], 0 - borrow, t, zs[i], h);
    }
    provenum_wipe(t, sizeof t);
}

int provenum_ifma_ctx_modexp_x2(const void *buf, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                const uint64_t *a1, const uint64_t *e0, const uint64_t *e1)
{
    const struct provenum_ifma_ctx *c = ctx_in((void *)buf);
    const struct size52 *s = c->s;
    const size_t w = s->stride, h = s->h;
    /* row k: a_h^k R mod m_h (< 2 m_h) for h = 0, 1, side by side.  64-byte aligned: the kernels'
       zmm loads and stores would otherwise each split across two cache lines (measured: 10 to 30%
       slower products) */
    ALIGN64 uint64_t table[ROWS * 2 * MAXSTRIDE];
    ALIGN64 uint64_t acc[2 * MAXSTRIDE], x[2 * MAXSTRIDE];

    memset(x, 0, sizeof x);
    s->to(x, a0);
    s->to(x + w, a1);
    /* x := a R (row 1); acc := R, from 1 (row 0); then acc := a^k R for k = 2 .. */
    s->amm(x, x, c->rr, c->m52, c->k0);
    memset(acc, 0, sizeof acc);
    acc[0] = acc[w] = 1;
    s->amm(acc, acc, c->rr, c->m52, c->k0);
    for (size_t k = 0; k < ROWS; k++) {
        if (k == 1) memcpy(acc, x, sizeof acc);
        if (k >= 2) s->amm(acc, acc, x, c->m52, c->k0);
        memcpy(table + k * 2 * w, acc, 2 * w * sizeof(uint64_t));
    }

    size_t pos = (64 * h - 1) / WIN * WIN;          /* the top window: bits pos .. 64h-1 */
    s->select(acc, table, window_at(e0, h, pos), window_at(e1, h, pos));
    while (pos > 0) {
        pos -= WIN;
        for (int j = 0; j < WIN; j++) s->amm(acc, acc, acc, c->m52, c->k0);
        s->select(x, table, window_at(e0, h, pos), window_at(e1, h, pos));
        s->amm(acc, acc, x, c->m52, c->k0);
    }
    leave(c, z0, z1, acc, x);
    provenum_wipe(table, sizeof table);
    provenum_wipe(acc, sizeof acc); provenum_wipe(x, sizeof x);
    return 0;
}

/* z_h = a_h^e * b_h mod m_h for a public exponent e (ewords words, e >= 1; left-to-right binary,
   branching on e's bits only) and secret a_h, b_h < m_h (b = NULL: b_h = 1) */
int provenum_ifma_ctx_pow_public_x2(const void *buf, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                    const uint64_t *a1, const uint64_t *e, size_t ewords, const uint64_t *b0,
                                    const uint64_t *b1)
{
    const struct provenum_ifma_ctx *c = ctx_in((void *)buf);
    const struct size52 *s = c->s;
    const size_t w = s->stride;
    ALIGN64 uint64_t acc[2 * MAXSTRIDE], x[2 * MAXSTRIDE];
    size_t top = 64 * ewords;
    while (top > 0 && !((e[(top - 1) / 64] >> ((top - 1) % 64)) & 1)) top--;
    if (top == 0) return -1;

    memset(x, 0, sizeof x);
    s->to(x, a0);
    s->to(x + w, a1);
    s->amm(x, x, c->rr, c->m52, c->k0);               /* a R */
    memcpy(acc, x, sizeof acc);
    for (size_t i = top - 1; i-- > 0;) {
        s->amm(acc, acc, acc, c->m52, c->k0);
        if ((e[i / 64] >> (i % 64)) & 1) s->amm(acc, acc, x, c->m52, c->k0);
    }
    if (b0) {                                         /* * b: b R by one product, then b R a^e R / R */
        memset(x, 0, sizeof x);
        s->to(x, b0);
        s->to(x + w, b1);
        s->amm(x, x, c->rr, c->m52, c->k0);
        s->amm(acc, acc, x, c->m52, c->k0);
    }
    leave(c, z0, z1, acc, x);
    provenum_wipe(acc, sizeof acc); provenum_wipe(x, sizeof x);
    return 0;
}

int provenum_ifma_modexp_x2(uint64_t *z0, uint64_t *z1, const uint64_t *a0, const uint64_t *a1,
                            const uint64_t *e0, const uint64_t *e1, const uint64_t *m0, const uint64_t *m1,
                            const uint64_t *rr0, const uint64_t *rr1, size_t h)
{
    unsigned char buf[sizeof(struct provenum_ifma_ctx) + 64];
    if (provenum_ifma_setup(buf, m0, m1, rr0, rr1, h) != 0) return -1;
    provenum_ifma_ctx_modexp_x2(buf, z0, z1, a0, a1, e0, e1);
    provenum_ifma_wipe(buf);
    return 0;
}
#else /* no radix-2^52 kernels on this ISA */
#include <stddef.h>
#include <stdint.h>

#include "rsa_internal.h"

int provenum_ifma_available(size_t h) { (void)h; return 0; }
size_t provenum_ifma_ctx_bytes(void) { return 64; }
int provenum_ifma_setup(void *buf, const uint64_t *m0, const uint64_t *m1, const uint64_t *rr0,
                        const uint64_t *rr1, size_t h)
{
    (void)buf; (void)m0; (void)m1; (void)rr0; (void)rr1; (void)h;
    return -1;
}
void provenum_ifma_wipe(void *buf) { (void)buf; }
int provenum_ifma_ctx_modexp_x2(const void *buf, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                const uint64_t *a1, const uint64_t *e0, const uint64_t *e1)
{
    (void)buf; (void)z0; (void)z1; (void)a0; (void)a1; (void)e0; (void)e1;
    return -1;
}
int provenum_ifma_ctx_pow_public_x2(const void *buf, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                    const uint64_t *a1, const uint64_t *e, size_t ewords, const uint64_t *b0,
                                    const uint64_t *b1)
{
    (void)buf; (void)z0; (void)z1; (void)a0; (void)a1; (void)e; (void)ewords; (void)b0; (void)b1;
    return -1;
}

int provenum_ifma_modexp_x2(uint64_t *z0, uint64_t *z1, const uint64_t *a0, const uint64_t *a1,
                            const uint64_t *e0, const uint64_t *e1, const uint64_t *m0, const uint64_t *m1,
                            const uint64_t *rr0, const uint64_t *rr1, size_t h)
{
    (void)z0; (void)z1; (void)a0; (void)a1; (void)e0; (void)e1; (void)m0; (void)m1; (void)rr0; (void)rr1;
    (void)h;
    return -1;
}
#endif /* __x86_64__ */
