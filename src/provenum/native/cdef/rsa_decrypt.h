/* RSA decryption (csrc/rsa_decrypt.c): OAEP, and PKCS#1 v1.5 with implicit
   rejection, decoded in constant time next to the private-key operation.
   ct: k big-endian bytes below n; entry: one blinding entry (wiped). */
int provenum_rsa_decrypt_oaep(const uint64_t *key, unsigned char *out, size_t *out_len,
                              const unsigned char *ct, size_t k, uint64_t *entry,
                              int hash_id, int mgf_id, const unsigned char *lhash);
int provenum_rsa_decrypt_pkcs1(const uint64_t *key, unsigned char *out, size_t *out_len,
                               const unsigned char *ct, size_t k, uint64_t *entry);
