/*
 * SHA-1 and the SHA-2 family (FIPS 180-4), HMAC-SHA-256 and MGF1, for the
 * RSA decryption paddings (rsa_decrypt.c): OAEP needs MGF1 and the label
 * hash on the secret encoded message, PKCS#1 v1.5 implicit rejection needs
 * HMAC-SHA-256 keyed by a hash of d.  Those inputs are secret, so the code
 * has no data-dependent branch or address: only lengths (public) steer it.
 * The round constants and initial values below are FIPS 180-4's (fractional
 * parts of cube and square roots of the first primes; SHA-512/t values from
 * its IV generation function), checked by the tests against hashlib.
 */
#include <string.h>

#include "rsa_internal.h"

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static const uint64_t K512[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL
};

static const uint32_t IV_SHA256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

static const uint32_t IV_SHA224[8] = {
    0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4
};

static const uint64_t IV_SHA512[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL
};

static const uint64_t IV_SHA384[8] = {
    0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
    0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL, 0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL
};

static const uint64_t IV_SHA512_224[8] = {
    0x8c3d37c819544da2ULL, 0x73e1996689dcd4d6ULL, 0x1dfab7ae32ff9c82ULL, 0x679dd514582f9fcfULL,
    0x0f6d2b697bd44da8ULL, 0x77e36f7304c48942ULL, 0x3f9d85a86a1d36c8ULL, 0x1112e6ad91d692a1ULL
};

static const uint64_t IV_SHA512_256[8] = {
    0x22312194fc2bf72cULL, 0x9f555fa3c84c64c2ULL, 0x2393b86b6f53b151ULL, 0x963877195940eabdULL,
    0x96283ee2a88effe3ULL, 0xbe5e1e2553863992ULL, 0x2b0199fc2c85b8aaULL, 0x0eb72ddc81c52ca2ULL
};


#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

static void sha1_block(uint64_t *st, const unsigned char *blk)
{
    uint32_t w[80], a = (uint32_t)st[0], b = (uint32_t)st[1], c = (uint32_t)st[2], d = (uint32_t)st[3],
             e = (uint32_t)st[4];
    for (int t = 0; t < 16; t++) w[t] = be32(blk + 4 * t);
    for (int t = 16; t < 80; t++) w[t] = ROL32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }          /* t is public */
        else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
        else { f = b ^ c ^ d; k = 0xca62c1d6; }
        uint32_t tmp = ROL32(a, 5) + f + e + k + w[t];
        e = d; d = c; c = ROL32(b, 30); b = a; a = tmp;
    }
    st[0] = (uint32_t)(st[0] + a); st[1] = (uint32_t)(st[1] + b); st[2] = (uint32_t)(st[2] + c);
    st[3] = (uint32_t)(st[3] + d); st[4] = (uint32_t)(st[4] + e);
    provenum_wipe(w, sizeof w);
}

static void sha256_block(uint64_t *st, const unsigned char *blk)
{
    uint32_t w[64], v[8];
    for (int t = 0; t < 16; t++) w[t] = be32(blk + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ROR32(w[t - 15], 7) ^ ROR32(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ROR32(w[t - 2], 17) ^ ROR32(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    for (int i = 0; i < 8; i++) v[i] = (uint32_t)st[i];
    for (int t = 0; t < 64; t++) {
        uint32_t s1 = ROR32(v[4], 6) ^ ROR32(v[4], 11) ^ ROR32(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + K256[t] + w[t];
        uint32_t s0 = ROR32(v[0], 2) ^ ROR32(v[0], 13) ^ ROR32(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (int i = 0; i < 8; i++) st[i] = (uint32_t)(st[i] + v[i]);
    provenum_wipe(w, sizeof w);
    provenum_wipe(v, sizeof v);
}

static void sha512_block(uint64_t *st, const unsigned char *blk)
{
    uint64_t w[80], v[8];
    for (int t = 0; t < 16; t++) w[t] = be64(blk + 8 * t);
    for (int t = 16; t < 80; t++) {
        uint64_t s0 = ROR64(w[t - 15], 1) ^ ROR64(w[t - 15], 8) ^ (w[t - 15] >> 7);
        uint64_t s1 = ROR64(w[t - 2], 19) ^ ROR64(w[t - 2], 61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    memcpy(v, st, sizeof v);
    for (int t = 0; t < 80; t++) {
        uint64_t s1 = ROR64(v[4], 14) ^ ROR64(v[4], 18) ^ ROR64(v[4], 41);
        uint64_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint64_t t1 = v[7] + s1 + ch + K512[t] + w[t];
        uint64_t s0 = ROR64(v[0], 28) ^ ROR64(v[0], 34) ^ ROR64(v[0], 39);
        uint64_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (int i = 0; i < 8; i++) st[i] += v[i];
    provenum_wipe(w, sizeof w);
    provenum_wipe(v, sizeof v);
}

static void compress(struct provenum_hash *h, const unsigned char *blk)
{
    if (h->id == PROVENUM_SHA1) sha1_block(h->state, blk);
    else if (h->block_len == 64) sha256_block(h->state, blk);
    else sha512_block(h->state, blk);
}

size_t provenum_hash_len(int id)
{
    switch (id) {
    case PROVENUM_SHA1: return 20;
    case PROVENUM_SHA224: return 28;
    case PROVENUM_SHA256: return 32;
    case PROVENUM_SHA384: return 48;
    case PROVENUM_SHA512: return 64;
    case PROVENUM_SHA512_224: return 28;
    case PROVENUM_SHA512_256: return 32;
    default: return 0;
    }
}

int provenum_hash_init(struct provenum_hash *h, int id)
{
    static const uint32_t iv_sha1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memset(h, 0, sizeof *h);
    h->id = id;
    h->digest_len = provenum_hash_len(id);
    h->block_len = id <= PROVENUM_SHA256 ? 64 : 128;
    switch (id) {
    case PROVENUM_SHA1: for (int i = 0; i < 5; i++) h->state[i] = iv_sha1[i]; break;
    case PROVENUM_SHA224: for (int i = 0; i < 8; i++) h->state[i] = IV_SHA224[i]; break;
    case PROVENUM_SHA256: for (int i = 0; i < 8; i++) h->state[i] = IV_SHA256[i]; break;
    case PROVENUM_SHA384: memcpy(h->state, IV_SHA384, sizeof h->state); break;
    case PROVENUM_SHA512: memcpy(h->state, IV_SHA512, sizeof h->state); break;
    case PROVENUM_SHA512_224: memcpy(h->state, IV_SHA512_224, sizeof h->state); break;
    case PROVENUM_SHA512_256: memcpy(h->state, IV_SHA512_256, sizeof h->state); break;
    default: return -1;
    }
    return 0;
}

void provenum_hash_update(struct provenum_hash *h, const unsigned char *data, size_t len)
{
    h->total += len;
    while (len > 0) {
        size_t take = h->block_len - h->buffered;
        if (take > len) take = len;
        memcpy(h->block + h->buffered, data, take);
        h->buffered += take;
        data += take;
        len -= take;
        if (h->buffered == h->block_len) {
            compress(h, h->block);
            h->buffered = 0;
        }
    }
}

void provenum_hash_final(struct provenum_hash *h, unsigned char *out)
{
    size_t lenbytes = h->block_len / 8;            /* 8 (SHA-1, SHA-256) or 16 bytes */
    uint64_t bits = h->total * 8;
    unsigned char pad = 0x80;
    provenum_hash_update(h, &pad, 1);
    while (h->buffered != h->block_len - lenbytes) {
        unsigned char zero = 0;
        provenum_hash_update(h, &zero, 1);
    }
    memset(h->block + h->buffered, 0, lenbytes - 8); /* high bits of the 128-bit length */
    for (int i = 0; i < 8; i++) h->block[h->block_len - 1 - i] = (unsigned char)(bits >> (8 * i));
    compress(h, h->block);
    if (h->block_len == 64) {
        for (size_t i = 0; i < h->digest_len; i++) out[i] = (unsigned char)(h->state[i / 4] >> (24 - 8 * (i % 4)));
    } else {
        for (size_t i = 0; i < h->digest_len; i++) out[i] = (unsigned char)(h->state[i / 8] >> (56 - 8 * (i % 8)));
    }
    provenum_wipe(h, sizeof *h);
}

void provenum_mgf1_xor(int id, unsigned char *out, size_t len, const unsigned char *seed, size_t seed_len)
{
    unsigned char block[PROVENUM_HASH_MAX], ctr[4];
    size_t hlen = provenum_hash_len(id);
    struct provenum_hash h;
    for (uint32_t counter = 0; len > 0; counter++) {
        size_t take = len < hlen ? len : hlen;
        for (int i = 0; i < 4; i++) ctr[i] = (unsigned char)(counter >> (24 - 8 * i));
        provenum_hash_init(&h, id);
        provenum_hash_update(&h, seed, seed_len);
        provenum_hash_update(&h, ctr, 4);
        provenum_hash_final(&h, block);
        for (size_t i = 0; i < take; i++) out[i] ^= block[i];
        out += take;
        len -= take;
    }
    provenum_wipe(block, sizeof block);
}

void provenum_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t key_len,
                          const unsigned char *msg1, size_t len1, const unsigned char *msg2, size_t len2)
{
    unsigned char pad[64], inner[32];
    struct provenum_hash h;
    memset(pad, 0, sizeof pad);
    if (key_len > sizeof pad) {
        provenum_hash_init(&h, PROVENUM_SHA256);
        provenum_hash_update(&h, key, key_len);
        provenum_hash_final(&h, pad);
    } else {
        memcpy(pad, key, key_len);
    }
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36;
    provenum_hash_init(&h, PROVENUM_SHA256);
    provenum_hash_update(&h, pad, 64);
    provenum_hash_update(&h, msg1, len1);
    provenum_hash_update(&h, msg2, len2);
    provenum_hash_final(&h, inner);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
    provenum_hash_init(&h, PROVENUM_SHA256);
    provenum_hash_update(&h, pad, 64);
    provenum_hash_update(&h, inner, 32);
    provenum_hash_final(&h, out);
    provenum_wipe(pad, sizeof pad);
    provenum_wipe(inner, sizeof inner);
}

/* ---- exported for the tests (cdef/sha2.h) ---- */

int provenum_hash_digest(int id, unsigned char *out, const unsigned char *in, size_t len)
{
    struct provenum_hash h;
    if (provenum_hash_init(&h, id) != 0) return -1;
    provenum_hash_update(&h, in, len);
    provenum_hash_final(&h, out);
    return 0;
}

int provenum_mgf1(int id, unsigned char *out, size_t len, const unsigned char *seed, size_t seed_len)
{
    if (provenum_hash_len(id) == 0) return -1;
    memset(out, 0, len);
    provenum_mgf1_xor(id, out, len, seed, seed_len);
    return 0;
}

void provenum_hmac_sha256_test(unsigned char *out, const unsigned char *key, size_t key_len,
                               const unsigned char *msg, size_t len)
{
    provenum_hmac_sha256(out, key, key_len, msg, len, msg, 0);
}
