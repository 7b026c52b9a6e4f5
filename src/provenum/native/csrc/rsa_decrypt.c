/*
 * RSA decryption: EME-OAEP (RFC 8017 7.1.2) and EME-PKCS1-v1_5 with
 * implicit rejection, on the same private-key operation as signing
 * (provenum_rsa_sign_be: blinded, CRT, checked with the public key).
 *
 * The encoded message em = c^d mod n never leaves this file: it is decoded
 * here, in constant time, and wiped.
 *   - OAEP: every check (leading zero byte, label hash, the 0x01 separator
 *     after zero padding) runs on every byte and folds into one mask; the
 *     caller learns only success or "decryption failed", never which check
 *     failed (Manger's attack needs that distinction).
 *   - PKCS#1 v1.5: a padding error is not reported at all.  As OpenSSL does
 *     since 3.2 (and pyca/cryptography with it), an invalid padding yields a
 *     synthetic message derived from the ciphertext and a key derived from
 *     d (draft-irtf-cfrg-rsa-guidance, "implicit rejection"):
 *         kdk    = HMAC-SHA-256(SHA-256(d as k bytes), c)
 *         PRF(l) = HMAC-SHA-256(kdk, be16(i) || l || be16(bits)), i = 0, 1, ...
 *     the synthetic message is the tail of PRF("message") whose length is the
 *     last of 128 candidates from PRF("length") below the largest message
 *     size.  Same derivation as OpenSSL, so a key gives the same answer
 *     here and there: moving a key between them reveals nothing.
 * Only public sizes steer branches and addresses, except where the output
 * itself reveals the value (the message length, OAEP success).
 */
#include <string.h>

#include "ct.h"
#include "rsa_internal.h"

#define MAXBYTES (8 * PROVENUM_MAXW)
#define LEN_CANDIDATES 128

static uint64_t ct_is_zero(uint64_t x) { return ((x | (0 - x)) >> 63) - 1; }
static uint64_t ct_eq(uint64_t a, uint64_t b) { return ct_is_zero(a ^ b); }
static uint64_t ct_lt(uint64_t a, uint64_t b) { return 0 - ((a - b) >> 63); }  /* a, b < 2^63 */
static uint64_t ct_sel(uint64_t mask, uint64_t a, uint64_t b) { return (a & mask) | (b & ~mask); }

/* the private operation on a ciphertext of the modulus' length, below n
   (the caller checks both); -1 when the result failed the public-key check */
static int raw_decrypt(const uint64_t *key, unsigned char *em, const unsigned char *ct, size_t k, uint64_t *entry)
{
    return provenum_rsa_sign_be(key, em, ct, k, entry, 0);
}

static int __attribute__((noinline)) oaep(const uint64_t *key, unsigned char *out, size_t *out_len,
                                          const unsigned char *ct, size_t k, uint64_t *entry,
                                          int hash_id, int mgf_id, const unsigned char *lhash)
{
    unsigned char em[MAXBYTES];
    size_t hlen = provenum_hash_len(hash_id);
    if (hlen == 0 || provenum_hash_len(mgf_id) == 0 || k < 2 * hlen + 2 || k > MAXBYTES) return -2;
    if (raw_decrypt(key, em, ct, k, entry) != 0) return -1;
    unsigned char *seed = em + 1, *db = em + 1 + hlen;
    size_t dblen = k - hlen - 1;
    provenum_mgf1_xor(mgf_id, seed, hlen, db, dblen);      /* seed = maskedSeed ^ MGF(maskedDB) */
    provenum_mgf1_xor(mgf_id, db, dblen, seed, hlen);      /* DB = maskedDB ^ MGF(seed) */

    uint64_t diff = 0;
    for (size_t i = 0; i < hlen; i++) diff |= db[i] ^ lhash[i];
    uint64_t good = ct_eq(em[0], 0) & ct_is_zero(diff);
    uint64_t looking = ~(uint64_t)0, invalid = 0, one_index = 0;
    for (size_t i = hlen; i < dblen; i++) {                /* PS = 00..00, then 01 */
        uint64_t is1 = ct_eq(db[i], 1), is0 = ct_eq(db[i], 0);
        one_index = ct_sel(looking & is1, i, one_index);
        invalid |= looking & ~is0 & ~is1;
        looking &= ~is1;
    }
    good &= ~looking & ~invalid;
    int status = 1;
    if (ct_public_u64(good)) {                             /* the verdict is the caller's answer anyway */
        size_t mlen = (size_t)ct_public_u64(dblen - one_index - 1);   /* and so is the message's length */
        memcpy(out, db + (dblen - mlen), mlen);          /* where it starts follows from its length */
        *out_len = mlen;
        status = 0;
    }
    provenum_wipe(em, sizeof em);
    return status;
}

/* PRF of the implicit rejection: `len` bytes (bits = 8 * len < 2^16) under label */
static void prf(unsigned char *out, size_t len, const unsigned char kdk[32], const char *label)
{
    unsigned char head[2 + 16 + 2], block[32];
    size_t llen = strlen(label), bits = 8 * len;
    memcpy(head + 2, label, llen);
    head[2 + llen] = (unsigned char)(bits >> 8);
    head[3 + llen] = (unsigned char)bits;
    for (size_t pos = 0, i = 0; pos < len; pos += 32, i++) {
        head[0] = (unsigned char)(i >> 8);
        head[1] = (unsigned char)i;
        provenum_hmac_sha256(block, kdk, 32, head, llen + 4, head, 0);
        memcpy(out + pos, block, len - pos < 32 ? len - pos : 32);
    }
    provenum_wipe(block, sizeof block);
}

static int __attribute__((noinline)) pkcs1(const uint64_t *key, unsigned char *out, size_t *out_len,
                                           const unsigned char *ct, size_t k, uint64_t *entry)
{
    unsigned char em[MAXBYTES], synthetic[MAXBYTES], lengths[2 * LEN_CANDIDATES];
    unsigned char dbytes[MAXBYTES], dhash[32], kdk[32];
    struct provenum_hash h;
    if (k < 11 || k > MAXBYTES || k != provenum_rsa_modulus_bytes(key)) return -2;
    if (raw_decrypt(key, em, ct, k, entry) != 0) return -1;

    provenum_rsa_private_d_be(key, dbytes, k);
    provenum_hash_init(&h, PROVENUM_SHA256);
    provenum_hash_update(&h, dbytes, k);
    provenum_hash_final(&h, dhash);
    provenum_hmac_sha256(kdk, dhash, 32, ct, k, ct, 0);
    prf(synthetic, k, kdk, "message");
    prf(lengths, sizeof lengths, kdk, "length");

    uint64_t max_len = k - 2 - 8, mask = max_len;         /* longest message */
    for (int s = 1; s < 16; s <<= 1) mask |= mask >> s;
    uint64_t synthetic_len = 0;
    for (size_t i = 0; i < LEN_CANDIDATES; i++) {
        uint64_t cand = (((uint64_t)lengths[2 * i] << 8) | lengths[2 * i + 1]) & mask;
        synthetic_len = ct_sel(ct_lt(cand, max_len), cand, synthetic_len);
    }

    uint64_t good = ct_eq(em[0], 0) & ct_eq(em[1], 2);     /* 00 02 PS 00 M, PS >= 8 bytes */
    uint64_t found = 0, zero_index = 0;
    for (size_t i = 2; i < k; i++) {
        uint64_t is0 = ct_eq(em[i], 0);
        zero_index = ct_sel(~found & is0, i, zero_index);
        found |= is0;
    }
    good &= ~ct_lt(zero_index, 10);
    /* the start is revealed by the output's length; good is not */
    size_t start = (size_t)ct_public_u64(ct_sel(good, zero_index + 1, k - synthetic_len));
    for (size_t i = start; i < k; i++) out[i - start] = (unsigned char)ct_sel(good, em[i], synthetic[i]);
    *out_len = k - start;

    provenum_wipe(em, sizeof em);
    provenum_wipe(synthetic, sizeof synthetic);
    provenum_wipe(lengths, sizeof lengths);
    provenum_wipe(dbytes, sizeof dbytes);
    provenum_wipe(dhash, sizeof dhash);
    provenum_wipe(kdk, sizeof kdk);
    return 0;
}

/*
 * out (k bytes of room) = the OAEP-decoded message of ct (k bytes, below n),
 * lhash = the hash of the label under hash_id; mgf_id: MGF1's hash.
 * Returns 0 and *out_len, 1 for "decryption failed" (nothing written),
 * -1 when the private-key result failed its check, -2 for bad parameters.
 */
int provenum_rsa_decrypt_oaep(const uint64_t *key, unsigned char *out, size_t *out_len,
                              const unsigned char *ct, size_t k, uint64_t *entry,
                              int hash_id, int mgf_id, const unsigned char *lhash)
{
    int status = oaep(key, out, out_len, ct, k, entry, hash_id, mgf_id, lhash);
    provenum_burn_stack();
    return status;
}

/*
 * out (k bytes of room) = the PKCS#1 v1.5-decoded message of ct, or the
 * synthetic message when the padding is invalid (implicit rejection).
 * Returns 0 and *out_len, -1 when the private-key result failed its check,
 * -2 for bad parameters.
 */
int provenum_rsa_decrypt_pkcs1(const uint64_t *key, unsigned char *out, size_t *out_len,
                               const unsigned char *ct, size_t k, uint64_t *entry)
{
    int status = pkcs1(key, out, out_len, ct, k, entry);
    provenum_burn_stack();
    return status;
}
