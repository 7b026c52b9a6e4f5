/*
 * What rsa_private.c lends the other C files (decryption, key generation, hashing):
 * its Montgomery arithmetic on the kernels and generic paths, word helpers,
 * wiping, the stack sweep, and two accessors of the opaque key buffer.
 * Numbers are little-endian arrays of 64-bit words; all of these are
 * constant time in the values (only sizes steer branches and addresses).
 * Not part of the cffi interface.
 */
#ifndef PROVENUM_RSA_INTERNAL_H
#define PROVENUM_RSA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define PROVENUM_MAXW 256          /* words of the largest modulus (16384 bits) */

/* z = x*y/R mod m and z = x^2/R mod m (R = 2^(64n)); x, y < m, m odd, w = -m^-1 mod 2^64 */
void provenum_mm(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n);
void provenum_ms(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n);
/* z = a^e mod m for a < m, e of n words (every bit processed), rr = R^2 mod m */
void provenum_modexp(uint64_t *z, const uint64_t *a, const uint64_t *e, const uint64_t *m, uint64_t w,
                     const uint64_t *rr, size_t n);
/* z = x mod m for x of 2n words with x < m*R */
void provenum_reduce_wide(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, const uint64_t *rr,
                          size_t n);
void provenum_mont_rr(uint64_t *z, const uint64_t *m, size_t n);   /* R^2 mod m */
uint64_t provenum_mont_w(uint64_t m0);                             /* -m^-1 mod 2^64 */
void provenum_mul_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n);  /* n x n -> 2n words */
uint64_t provenum_add_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n);  /* carry */
uint64_t provenum_sub_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n);  /* borrow */
void provenum_select_n(uint64_t *z, uint64_t mask, const uint64_t *x, const uint64_t *y, size_t n);
void provenum_wipe(void *p, size_t len);                           /* len: a multiple of 8 */
void provenum_burn_stack(void);
int provenum_random_bytes(void *buf, size_t len);                 /* getrandom(); 0 on success */

/* rsa_ifma.c (x86-64): both CRT halves z_h = a_h^e_h mod m_h on the radix-2^52 kernels, for
   h words 16, 24, 32 at the avx512ifma level (rr_h = 2^(128h) mod m_h); -1 (nothing done) otherwise */
int provenum_ifma_available(size_t h);
int provenum_ifma_modexp_x2(uint64_t *z0, uint64_t *z1, const uint64_t *a0, const uint64_t *a1,
                            const uint64_t *e0, const uint64_t *e1, const uint64_t *m0, const uint64_t *m1,
                            const uint64_t *rr0, const uint64_t *rr1, size_t h);
/* the same in steps sharing one context (both halves' radix-2^52 moduli, R^2, k0), in a caller's
   buffer of provenum_ifma_ctx_bytes() bytes: setup (-1: not available; nothing to wipe then), then
   any number of exponentiations and public-exponent powers z_h = a_h^e b_h mod m_h (b0 = NULL:
   b = 1; e >= 1, else -1), then wipe */
size_t provenum_ifma_ctx_bytes(void);
#define PROVENUM_IFMA_CTX_BYTES 2048     /* >= provenum_ifma_ctx_bytes() (checked where it is defined) */
int provenum_ifma_setup(void *ctx, const uint64_t *m0, const uint64_t *m1, const uint64_t *rr0,
                        const uint64_t *rr1, size_t h);
int provenum_ifma_ctx_modexp_x2(const void *ctx, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                const uint64_t *a1, const uint64_t *e0, const uint64_t *e1);
int provenum_ifma_ctx_pow_public_x2(const void *ctx, uint64_t *z0, uint64_t *z1, const uint64_t *a0,
                                    const uint64_t *a1, const uint64_t *e, size_t ewords, const uint64_t *b0,
                                    const uint64_t *b1);
void provenum_ifma_wipe(void *ctx);

size_t provenum_rsa_modulus_bytes(const uint64_t *key);
void provenum_rsa_private_d_be(const uint64_t *key, unsigned char *out, size_t len);

/* from rsa_private.c's exported interface (cdef/rsa.h) */
int provenum_rsa_private_load(uint64_t *key, const uint64_t *n, size_t words,
                              const uint64_t *e, size_t ewords,
                              const uint64_t *p, const uint64_t *q, const uint64_t *dp,
                              const uint64_t *dq, const uint64_t *qinv, const uint64_t *d,
                              size_t hwords);
int provenum_rsa_private_op(const uint64_t *key, uint64_t *sig, const uint64_t *m,
                            const uint64_t *r_in, const uint64_t *rinv_in, int fault);
int provenum_rsa_sign_be(const uint64_t *key, unsigned char *sig_be, const unsigned char *em_be,
                         size_t len, uint64_t *entry, int fault);
size_t provenum_rsa_key_words(void);

/* sha2.c: SHA-1 and the SHA-2 family by id (see cdef/sha2.h), HMAC-SHA-256 */
enum {
    PROVENUM_SHA1 = 1, PROVENUM_SHA224, PROVENUM_SHA256, PROVENUM_SHA384, PROVENUM_SHA512,
    PROVENUM_SHA512_224, PROVENUM_SHA512_256
};
#define PROVENUM_HASH_MAX 64       /* longest digest, bytes */

struct provenum_hash {
    int id;
    size_t digest_len, block_len, buffered;
    uint64_t total;                /* bytes hashed so far */
    uint64_t state[8];             /* SHA-1/SHA-256 use the low 32 bits of each word */
    unsigned char block[128];
};

size_t provenum_hash_len(int id);  /* digest bytes, 0 for an unknown id */
int provenum_hash_init(struct provenum_hash *h, int id);
void provenum_hash_update(struct provenum_hash *h, const unsigned char *data, size_t len);
void provenum_hash_final(struct provenum_hash *h, unsigned char *out);  /* wipes h */
/* out ^= MGF1(seed, len) with hash id (RFC 8017 B.2.1) */
void provenum_mgf1_xor(int id, unsigned char *out, size_t len, const unsigned char *seed, size_t seed_len);
/* out = HMAC-SHA-256(key, msg1 || msg2) */
void provenum_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t key_len,
                          const unsigned char *msg1, size_t len1, const unsigned char *msg2, size_t len2);

#endif
