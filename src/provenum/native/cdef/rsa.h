/* RSA private and public operations (csrc/rsa_private.c). Keys are opaque
   buffers of provenum_rsa_key_words() uint64_t words; numbers are
   little-endian 64-bit words. */
size_t provenum_rsa_key_words(void);
int provenum_rsa_public_load(uint64_t *key, const uint64_t *n, size_t words,
                             const uint64_t *e, size_t ewords);
int provenum_rsa_private_load(uint64_t *key, const uint64_t *n, size_t words,
                              const uint64_t *e, size_t ewords,
                              const uint64_t *p, const uint64_t *q, const uint64_t *dp,
                              const uint64_t *dq, const uint64_t *qinv, const uint64_t *d,
                              size_t hwords);
void provenum_rsa_private_export(const uint64_t *key, uint64_t *p, uint64_t *q, uint64_t *d);
void provenum_rsa_key_wipe(uint64_t *key);
int provenum_rsa_public_op(const uint64_t *key, uint64_t *z, const uint64_t *x);
int provenum_rsa_public_op_be(const uint64_t *key, unsigned char *out, const unsigned char *in, size_t len);
int provenum_rsa_private_op(const uint64_t *key, uint64_t *sig, const uint64_t *m,
                            const uint64_t *r_in, const uint64_t *rinv_in, int fault);
int provenum_rsa_blind_batch_start(const uint64_t *key, uint64_t *batch, size_t count,
                                   unsigned char *u_be, size_t len);
int provenum_rsa_blind_batch_finish(const uint64_t *key, uint64_t *batch, size_t count,
                                    const unsigned char *uinv_be, size_t len);
int provenum_rsa_sign_be(const uint64_t *key, unsigned char *sig_be, const unsigned char *em_be,
                         size_t len, uint64_t *entry, int fault);
int provenum_generic_modexp(uint64_t *z, const uint64_t *a, const uint64_t *e, size_t ewords,
                            const uint64_t *m, size_t n);
