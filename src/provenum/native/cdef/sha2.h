/* SHA-1 and SHA-2 in C (csrc/sha2.c), exported for the tests; hash ids:
   1 SHA-1, 2 SHA-224, 3 SHA-256, 4 SHA-384, 5 SHA-512, 6 SHA-512/224, 7 SHA-512/256 */
int provenum_hash_digest(int id, unsigned char *out, const unsigned char *in, size_t len);
int provenum_mgf1(int id, unsigned char *out, size_t len, const unsigned char *seed, size_t seed_len);
void provenum_hmac_sha256_test(unsigned char *out, const unsigned char *key, size_t key_len,
                               const unsigned char *msg, size_t len);
