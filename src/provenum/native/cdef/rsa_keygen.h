/* RSA key generation (csrc/rsa_keygen.c): primes, d and the CRT values made
   and loaded into `key` natively; n is the only output. */
int provenum_rsa_keygen(uint64_t *key, uint64_t *n_out, size_t nbits, uint64_t e, const uint64_t *lower_p,
                        const uint64_t *lower_q, int rounds_p, int rounds_q, uint64_t *stats);
int provenum_probable_prime(const uint64_t *x, size_t n, int rounds);
uint64_t provenum_small_residue(const uint64_t *x, size_t n, uint64_t s);
