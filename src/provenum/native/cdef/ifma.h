/* the radix-2^52 exponentiation of both CRT halves (csrc/rsa_ifma.c; x86-64 only) */
int provenum_ifma_available(size_t h);
int provenum_ifma_modexp_x2(uint64_t *z0, uint64_t *z1, const uint64_t *a0, const uint64_t *a1,
                            const uint64_t *e0, const uint64_t *e1, const uint64_t *m0, const uint64_t *m1,
                            const uint64_t *rr0, const uint64_t *rr1, size_t h);
