/*
 * RSA private-key operation (and the public one) on provenum's kernels.
 *
 * Layout of the work:
 *   - Moduli are little-endian arrays of 64-bit words.  N has `words` words,
 *     p and q are zero-padded to `hwords` words each (2*hwords >= words).
 *   - Kernels are called by operation name (bignum_modexp_16, ...): each is
 *     an entry of the dispatch table (dispatch.c) that runs the best variant
 *     this CPU supports, or the level PROVENUM_CPU (or a test) lowered it to.
 *   - CRT: at the avx512ifma level and hwords 16/24/32 both halves are
 *     exponentiated together on the radix-2^52 kernels (rsa_ifma.c,
 *     docs/ifma.md); otherwise one call to the exponentiation per half.  At hwords 16/24/32
 *     (2048/3072/4096-bit keys) that call is the assembly kernel
 *     bignum_modexp_{16,24,32} (tested; its Montgomery and table callees
 *     are proved, the loop itself not yet); other sizes use the generic constant-time
 *     C path below (Montgomery with unsigned __int128, fixed 5-bit window,
 *     masked table scan).
 *   - Blinding: base blinding m' = m * r^e mod N with a fresh random r per
 *     signature (getrandom()).  Exponent blinding (d_p + k*(p-1)) was
 *     rejected because the blinded exponent is longer than hwords words, so
 *     it could not use the specialised kernels (whose exponent is exactly
 *     hwords words); splitting it would double the cost.  Base blinding
 *     needs r^-1 mod N, which we never compute from r by a variable-time
 *     algorithm: r's are drawn in batches, their product is multiplied by a
 *     further secret random t and only that product u (uniform, independent
 *     of every r and of the key) leaves for a fast variable-time inversion
 *     (GMP); Montgomery's batch trick then yields each r^-1 here.  Each
 *     (r, r^-1) pair serves one signature and is wiped after use.
 *   - r^e, m*r^e and the unblinding are done modulo p and q (half-size
 *     arithmetic), on the kernels bignum_montmul/montsqr/montredc at 16/24/32
 *     words; at the avx512ifma level r^e m (and the check's s^e) is one dual
 *     power of both halves on the radix-2^52 kernels, sharing one context
 *     with the exponentiation (rsa_ifma.c).
 *   - Recombination (Garner) is constant-time: modular subtraction with a
 *     masked add-back, one Montgomery multiplication by q^-1*R mod p, a
 *     schoolbook product q*h and an addition.
 *   - Before a signature is released it is checked with the public key:
 *     s^e == m modulo p and modulo q (so modulo N), on the final recombined
 *     s and m reduced afresh from the input.  On mismatch the output is
 *     zeroed and -1 returned, so a fault (or the test-only fault flag) can
 *     never leak a bad signature, which with CRT would reveal a factor of N.
 *   - Secrets: after the key is loaded (provenum_rsa_private_load copies
 *     p, q, d, dp, dq, q^-1 into the caller's key buffer), Python does no
 *     arithmetic on them; key generation and parsing happen in Python before
 *     the load (variable-time, accepted: the key is not yet in use).
 *   - Every branch and memory address depends only on public sizes, the
 *     public exponent and the (public) fault flag; secret-dependent
 *     selections use masks.  Secret scratch is wiped before returning.
 *   - The generic multiply-accumulate row uses mulx/adcx/adox (inline
 *     assembly, 8 words per step) on x86-64 when the dispatch level is bmi2
 *     or above, plain C with unsigned __int128 otherwise (and on every other
 *     ISA); the public operation (verification) runs on the same code, so it
 *     needs no Python big-number arithmetic.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "ct.h"
#include "rsa_internal.h"

#define MAXW 256           /* 16384-bit modulus (OpenSSL's limit for RSA operations) */
#define MAXH 128           /* 8192-bit half */
#define WIN 5              /* fixed window width of the generic exponentiation */
#define ALIGN64_CTX __attribute__((aligned(64)))

typedef unsigned __int128 u128;

struct provenum_rsa_public {
    uint64_t n[MAXW];
    uint64_t rr[MAXW];     /* R^2 mod n, R = 2^(64*words) */
    uint64_t e[MAXW];
    uint64_t w;            /* -n^-1 mod 2^64 */
    size_t words;
    size_t ewords;
};

struct provenum_rsa_private {
    struct provenum_rsa_public pub;
    uint64_t p[MAXH], q[MAXH];
    uint64_t p_rr[MAXH], q_rr[MAXH];   /* R^2 mod p, q (R = 2^(64*hwords)) */
    uint64_t p_r3[MAXH], q_r3[MAXH];   /* R^3 mod p, q */
    uint64_t dp[MAXH], dq[MAXH];
    uint64_t qinv_mont[MAXH]; /* q^-1 * R mod p */
    uint64_t d[MAXW];      /* kept only so the key can be serialised again */
    uint64_t p_w, q_w;
    size_t hwords;
};

/* The kernels (src/provenum/kernels): z = a^e mod m, a < m, m odd, e of n words. */
void bignum_modexp_16(uint64_t *z, const uint64_t *a, const uint64_t *e, const uint64_t *m);
void bignum_modexp_24(uint64_t *z, const uint64_t *a, const uint64_t *e, const uint64_t *m);
void bignum_modexp_32(uint64_t *z, const uint64_t *a, const uint64_t *e, const uint64_t *m);
/* z = x*y/R mod m and z = x^2/R mod m for x, y < m, m odd */
void bignum_montmul_8(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w);
void bignum_montsqr_8(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_montmul_16(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w);
void bignum_montmul_24(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w);
void bignum_montmul_32(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w);
void bignum_montsqr_16(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_montsqr_24(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_montsqr_32(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
/* z = x^2 and z = x*y (n -> 2n words), Karatsuba */
void bignum_ksqr_24_48(uint64_t *z, const uint64_t *x);
void bignum_kmul_24_48(uint64_t *z, const uint64_t *x, const uint64_t *y);
void bignum_ksqr_32_64(uint64_t *z, const uint64_t *x);
void bignum_kmul_32_64(uint64_t *z, const uint64_t *x, const uint64_t *y);
/* z = x/R mod m for x (2n words) < R*m */
void bignum_montredc_16(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_montredc_24(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
void bignum_montredc_32(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w);
/* the dispatch level (dispatch.c): 0 baseline, 1 bmi2 (BMI2 + ADX), 2 avx2, 3 avx512, 4 avx512ifma */
int provenum_dispatch_level(void);

/* ---- word helpers (branch-free) ---------------------------------------- */

/* zero secret scratch in a way the compiler may not drop (len: bytes, multiple of 8).  On x86-64 by
   rep stosq (fast string stores; a volatile word loop stored 8 bytes a cycle, and the 160 KB stack
   sweep took ~8k ticks), inline so that no callee frame lands below a swept area */
static void wipe(void *p, size_t len)
{
#if defined(__x86_64__)
    void *d = p;
    size_t words = len / 8;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"((uint64_t)0) : "memory");
#else
    volatile uint64_t *v = (volatile uint64_t *)p;
    for (size_t i = 0; i < len / 8; i++) v[i] = 0;
#endif
}

/* Zero the stack below the caller's frame. The kernels keep secret-derived
   partial products in their own frames below the stack pointer and do not
   clear them (only bignum_modexp_* clears its table); one sweep after the
   private-key operation covers the deepest chain: modexp_32's 18 KB frame,
   amontmul_32's 2 KB, kmul_16's 0.5 KB, plus the C frames above them.  The
   deepest is the generic path, whose frames scale with MAXW: at MAXW 256
   (gcc -O2) the private operation measured 99 KB of stack in all, key
   generation (rsa_keygen.c, which sweeps with this too) 110 KB; 160 KB
   leaves a margin. */
#define STACK_BURN_BYTES (160 * 1024)

static void __attribute__((noinline)) burn_stack(void)
{
    uint64_t area[STACK_BURN_BYTES / 8];
    wipe(area, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");   /* keep the array and its stores */
}

/* all-ones when x == 0, else 0 */
static uint64_t mask_zero(uint64_t x)
{
    return ((x | (0 - x)) >> 63) - 1;
}

/* z = x - y over n words; returns the borrow (0/1) */
static uint64_t sub_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n)
{
    uint64_t b = 0;
    for (size_t i = 0; i < n; i++) {
        u128 d = (u128)x[i] - y[i] - b;
        z[i] = (uint64_t)d;
        b = (uint64_t)(d >> 64) & 1;
    }
    return b;
}

/* z = x + y over n words; returns the carry */
static uint64_t add_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)x[i] + y[i] + c;
        z[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    return c;
}

/* z = mask ? x : y */
static void select_n(uint64_t *z, uint64_t mask, const uint64_t *x, const uint64_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) z[i] = (x[i] & mask) | (y[i] & ~mask);
}

/* t (n words plus a top bit `hi`) < 2m: z = t mod m */
static void final_sub(uint64_t *z, const uint64_t *t, uint64_t hi, const uint64_t *m, size_t n)
{
    uint64_t d[MAXW];
    uint64_t borrow = sub_n(d, t, m, n);
    /* t >= m exactly when the top bit is set or the subtraction did not borrow */
    uint64_t take = 0 - (hi | (borrow ^ 1));
    select_n(z, take, d, t, n);
    wipe(d, n * sizeof(uint64_t));
}

/* -m^-1 mod 2^64 for odd m, by Newton's iteration (each step doubles the bits) */
static uint64_t mont_w(uint64_t m0)
{
    uint64_t x = m0;                 /* correct to 3 bits: m0*m0 == 1 mod 8 */
    for (int i = 0; i < 5; i++) x *= 2 - m0 * x;
    return 0 - x;
}

/* ---- generic Montgomery arithmetic -------------------------------------- */

#if defined(__x86_64__)
/*
 * The inner loop of everything below: t[0..4*blocks) += a[...] * b + carry,
 * returning the carry word.  mulx with two carry chains (adcx adds t, adox
 * adds the previous high word), four words per block; the carries are folded
 * into one word at the end of each block so the loop counter may clobber the
 * flags.  The fold cannot overflow: the block's true carry is < 2^64.
 */
static uint64_t mac_blocks_adx(uint64_t *t, const uint64_t *a, uint64_t b, size_t blocks, uint64_t carry)
{
    uint64_t lo, hi;
    __asm__ volatile(
        "1:\n\t"
        "xor %k[lo], %k[lo]\n\t"
        "mulx 0(%[a]), %[lo], %[hi]\n\t"
        "adcx 0(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 0(%[t])\n\t"
        "mulx 8(%[a]), %[lo], %[c]\n\t"
        "adcx 8(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 8(%[t])\n\t"
        "mulx 16(%[a]), %[lo], %[hi]\n\t"
        "adcx 16(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 16(%[t])\n\t"
        "mulx 24(%[a]), %[lo], %[c]\n\t"
        "adcx 24(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 24(%[t])\n\t"
        "mov $0, %k[lo]\n\t"              /* mov leaves the flags alone */
        "adcx %[lo], %[c]\n\t"
        "adox %[lo], %[c]\n\t"
        "lea 32(%[a]), %[a]\n\t"
        "lea 32(%[t]), %[t]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [t] "+r"(t), [a] "+r"(a), [n] "+r"(blocks), [c] "+r"(carry), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : "d"(b)
        : "cc", "memory");
    return carry;
}

/* the same, eight words per block (less loop and fold overhead) */
static uint64_t mac_blocks8_adx(uint64_t *t, const uint64_t *a, uint64_t b, size_t blocks, uint64_t carry)
{
    uint64_t lo, hi;
    __asm__ volatile(
        "1:\n\t"
        "xor %k[lo], %k[lo]\n\t"
        "mulx 0(%[a]), %[lo], %[hi]\n\t"
        "adcx 0(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 0(%[t])\n\t"
        "mulx 8(%[a]), %[lo], %[c]\n\t"
        "adcx 8(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 8(%[t])\n\t"
        "mulx 16(%[a]), %[lo], %[hi]\n\t"
        "adcx 16(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 16(%[t])\n\t"
        "mulx 24(%[a]), %[lo], %[c]\n\t"
        "adcx 24(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 24(%[t])\n\t"
        "mulx 32(%[a]), %[lo], %[hi]\n\t"
        "adcx 32(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 32(%[t])\n\t"
        "mulx 40(%[a]), %[lo], %[c]\n\t"
        "adcx 40(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 40(%[t])\n\t"
        "mulx 48(%[a]), %[lo], %[hi]\n\t"
        "adcx 48(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 48(%[t])\n\t"
        "mulx 56(%[a]), %[lo], %[c]\n\t"
        "adcx 56(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 56(%[t])\n\t"
        "mov $0, %k[lo]\n\t"
        "adcx %[lo], %[c]\n\t"
        "adox %[lo], %[c]\n\t"
        "lea 64(%[a]), %[a]\n\t"
        "lea 64(%[t]), %[t]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [t] "+r"(t), [a] "+r"(a), [n] "+r"(blocks), [c] "+r"(carry), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : "d"(b)
        : "cc", "memory");
    return carry;
}

/* the same, sixteen words per block (the rows of 3072/4096-bit moduli) */
static uint64_t mac_blocks16_adx(uint64_t *t, const uint64_t *a, uint64_t b, size_t blocks, uint64_t carry)
{
    uint64_t lo, hi;
    __asm__ volatile(
        "1:\n\t"
        "xor %k[lo], %k[lo]\n\t"
        "mulx 0(%[a]), %[lo], %[hi]\n\t"
        "adcx 0(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 0(%[t])\n\t"
        "mulx 8(%[a]), %[lo], %[c]\n\t"
        "adcx 8(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 8(%[t])\n\t"
        "mulx 16(%[a]), %[lo], %[hi]\n\t"
        "adcx 16(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 16(%[t])\n\t"
        "mulx 24(%[a]), %[lo], %[c]\n\t"
        "adcx 24(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 24(%[t])\n\t"
        "mulx 32(%[a]), %[lo], %[hi]\n\t"
        "adcx 32(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 32(%[t])\n\t"
        "mulx 40(%[a]), %[lo], %[c]\n\t"
        "adcx 40(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 40(%[t])\n\t"
        "mulx 48(%[a]), %[lo], %[hi]\n\t"
        "adcx 48(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 48(%[t])\n\t"
        "mulx 56(%[a]), %[lo], %[c]\n\t"
        "adcx 56(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 56(%[t])\n\t"
        "mulx 64(%[a]), %[lo], %[hi]\n\t"
        "adcx 64(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 64(%[t])\n\t"
        "mulx 72(%[a]), %[lo], %[c]\n\t"
        "adcx 72(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 72(%[t])\n\t"
        "mulx 80(%[a]), %[lo], %[hi]\n\t"
        "adcx 80(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 80(%[t])\n\t"
        "mulx 88(%[a]), %[lo], %[c]\n\t"
        "adcx 88(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 88(%[t])\n\t"
        "mulx 96(%[a]), %[lo], %[hi]\n\t"
        "adcx 96(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 96(%[t])\n\t"
        "mulx 104(%[a]), %[lo], %[c]\n\t"
        "adcx 104(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 104(%[t])\n\t"
        "mulx 112(%[a]), %[lo], %[hi]\n\t"
        "adcx 112(%[t]), %[lo]\n\t"
        "adox %[c], %[lo]\n\t"
        "mov %[lo], 112(%[t])\n\t"
        "mulx 120(%[a]), %[lo], %[c]\n\t"
        "adcx 120(%[t]), %[lo]\n\t"
        "adox %[hi], %[lo]\n\t"
        "mov %[lo], 120(%[t])\n\t"
        "mov $0, %k[lo]\n\t"
        "adcx %[lo], %[c]\n\t"
        "adox %[lo], %[c]\n\t"
        "lea 128(%[a]), %[a]\n\t"
        "lea 128(%[t]), %[t]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [t] "+r"(t), [a] "+r"(a), [n] "+r"(blocks), [c] "+r"(carry), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : "d"(b)
        : "cc", "memory");
    return carry;
}

/* mulx/adcx/adox rows when the dispatch level allows them (a public fact) */
static int use_adx(void)
{
    return provenum_dispatch_level() >= 1;
}
#endif /* __x86_64__: other ISAs run the C rows of mac_row */

/* t[0..len) += a[0..len) * b; returns the carry word */
static uint64_t mac_row(uint64_t *t, const uint64_t *a, uint64_t b, size_t len)
{
    uint64_t c = 0;
    size_t done = 0;
#if defined(__x86_64__)
    int adx = use_adx();
    if (adx && len >= 16) {
        done = len & ~(size_t)15;
        c = mac_blocks16_adx(t, a, b, len / 16, 0);
    }
    if (adx && len - done >= 8) {
        c = mac_blocks8_adx(t + done, a + done, b, 1, c);
        done += 8;
    }
    if (adx && len - done >= 4) {
        c = mac_blocks_adx(t + done, a + done, b, 1, c);
        done += 4;
    }
#endif
    for (size_t j = done; j < len; j++) {
        u128 s = (u128)a[j] * b + t[j] + c;
        t[j] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    return c;
}

/* z = t/R mod m for t of 2n words (t is destroyed) with t < m*R */
static inline void mont_reduce(uint64_t *z, uint64_t *t, const uint64_t *m, uint64_t w, size_t n)
{
    uint64_t top = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t carry = mac_row(t + i, m, t[i] * w, n);
        u128 s = (u128)t[i + n] + carry + top;
        t[i + n] = (uint64_t)s;
        top = (uint64_t)(s >> 64);
    }
    final_sub(z, t + n, top, m, n);
}

/*
 * t = x^2 (2n words) for n = 48 or 64 from the proved half-size kernels:
 * x = x1*B + x0, x^2 = x0^2 + 2*x0*x1*B + x1^2*B^2 (RSA-3072/4096 moduli,
 * which have no Montgomery kernel of their own).  Returns 0 for other n.
 */
static int sqr_by_halves(uint64_t *t, const uint64_t *x, size_t n)
{
    uint64_t mid[MAXW];
    size_t h = n / 2;
    if (n == 48) {
        bignum_ksqr_24_48(t, x);
        bignum_ksqr_24_48(t + n, x + h);
        bignum_kmul_24_48(mid, x, x + h);
    } else if (n == 64) {
        bignum_ksqr_32_64(t, x);
        bignum_ksqr_32_64(t + n, x + h);
        bignum_kmul_32_64(mid, x, x + h);
    } else {
        return 0;
    }
    uint64_t top = mid[n - 1] >> 63;               /* mid = 2*x0*x1 (n words + top bit) */
    for (size_t i = n - 1; i > 0; i--) mid[i] = (mid[i] << 1) | (mid[i - 1] >> 63);
    mid[0] <<= 1;
    uint64_t carry = add_n(t + h, t + h, mid, n) + top;
    for (size_t i = h + n; i < 2 * n; i++) {       /* fixed-length carry ripple */
        u128 s2 = (u128)t[i] + carry;
        t[i] = (uint64_t)s2;
        carry = (uint64_t)(s2 >> 64);
    }
    wipe(mid, n * sizeof(uint64_t));
    return 1;
}

/* z = x*y/R mod m; x < R, y < m (or x*y < m*R); z may alias x or y.
   `secret`: wipe the scratch (off only for public data: verification) */
static inline void mont_mul_w(uint64_t *z, const uint64_t *x, const uint64_t *y,
                              const uint64_t *m, uint64_t w, size_t n, int secret)
{
    uint64_t t[2 * MAXW];
    if (n == 0) return;
    memset(t, 0, 2 * n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) t[i + n] = mac_row(t + i, x, y[i], n);
    mont_reduce(z, t, m, w, n);
    if (secret) wipe(t, 2 * n * sizeof(uint64_t));
}

/* z = x*x/R mod m, x < m: half the cross products, doubled, plus the squares */
static inline void mont_sqr_w(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n,
                              int secret)
{
    uint64_t t[2 * MAXW];
    if (n == 0) return;
    if (sqr_by_halves(t, x, n)) {
        mont_reduce(z, t, m, w, n);
        if (secret) wipe(t, 2 * n * sizeof(uint64_t));
        return;
    }
    memset(t, 0, 2 * n * sizeof(uint64_t));
    for (size_t i = 0; i + 1 < n; i++) t[i + n] = mac_row(t + 2 * i + 1, x + i + 1, x[i], n - 1 - i);
    uint64_t carry = 0;
    for (size_t i = 0; i < 2 * n; i++) {          /* t = 2t + diagonal */
        uint64_t next = t[i] >> 63;
        t[i] = (t[i] << 1) | carry;
        carry = next;
    }
    carry = 0;
    for (size_t i = 0; i < n; i++) {
        u128 sq = (u128)x[i] * x[i];
        u128 s = (u128)t[2 * i] + (uint64_t)sq + carry;
        t[2 * i] = (uint64_t)s;
        s = (u128)t[2 * i + 1] + (uint64_t)(sq >> 64) + (uint64_t)(s >> 64);
        t[2 * i + 1] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    mont_reduce(z, t, m, w, n);
    if (secret) wipe(t, 2 * n * sizeof(uint64_t));
}

static void mont_mul(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n)
{
    mont_mul_w(z, x, y, m, w, n, 1);
}

static void mont_sqr(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    mont_sqr_w(z, x, m, w, n, 1);
}

/* the same on public data (verification): no wiping */
static void mont_mul_public(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w,
                            size_t n)
{
    mont_mul_w(z, x, y, m, w, n, 0);
}

static void mont_sqr_public(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    mont_sqr_w(z, x, m, w, n, 0);
}

/* z = x/R mod m for x of 2n words with x < m*R (Montgomery reduction) */
static void mont_redc(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    uint64_t t[2 * MAXW];
    memcpy(t, x, 2 * n * sizeof(uint64_t));
    mont_reduce(z, t, m, w, n);
    wipe(t, 2 * n * sizeof(uint64_t));
}

/* z = 2^(64*2n) mod m by 128n constant-time doublings (done once per key) */
static void mont_rr(uint64_t *z, const uint64_t *m, size_t n)
{
    uint64_t x[MAXW];
    memset(x, 0, n * sizeof(uint64_t));
    x[0] = 1;
    final_sub(x, x, 0, m, n);        /* m could be 1 word and equal to 1: keep x < m */
    for (size_t i = 0; i < 128 * n; i++) {
        uint64_t top = x[n - 1] >> 63;
        for (size_t j = n - 1; j > 0; j--) x[j] = (x[j] << 1) | (x[j - 1] >> 63);
        x[0] <<= 1;
        final_sub(x, x, top, m, n);
    }
    memcpy(z, x, n * sizeof(uint64_t));
    wipe(x, sizeof x);
}

/* the constant 1 as n words */
static void one_n(uint64_t *z, size_t n)
{
    memset(z, 0, n * sizeof(uint64_t));
    z[0] = 1;
}

static void mm(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n);
static void ms(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n);

/* z = table[idx] reading every entry (no secret-dependent address) */
static void table_scan(uint64_t *z, const uint64_t *table, uint64_t idx, size_t n)
{
    memset(z, 0, n * sizeof(uint64_t));
    for (uint64_t i = 0; i < (1u << WIN); i++) {
        uint64_t mask = mask_zero(i ^ idx);
        const uint64_t *row = table + i * n;
        for (size_t j = 0; j < n; j++) z[j] |= row[j] & mask;
    }
}

/* bits [pos, pos+WIN) of e (ewords words); pos is public, the value secret */
static uint64_t window_at(const uint64_t *e, size_t ewords, size_t pos)
{
    size_t word = pos / 64, shift = pos % 64;
    uint64_t v = e[word] >> shift;
    if (shift + WIN > 64 && word + 1 < ewords) v |= e[word + 1] << (64 - shift);
    return v & ((1u << WIN) - 1);
}

/*
 * z = a^e mod m, constant-time in a and e: a < m, m odd, rr = R^2 mod m.
 * Fixed windows over all 64*ewords bits of e, so the time does not depend
 * on the exponent's value or length in bits.
 */
static void mont_modexp(uint64_t *z, const uint64_t *a, const uint64_t *e, size_t ewords,
                        const uint64_t *m, uint64_t w, const uint64_t *rr, size_t n)
{
    static const size_t entries = (size_t)1 << WIN;
    uint64_t table[((size_t)1 << WIN) * MAXH * 2];   /* up to MAXW words per entry */
    uint64_t acc[MAXW], sel[MAXW], one[MAXW];
    one_n(one, n);
    mm(table, one, rr, m, w, n);            /* R mod m: Montgomery 1 */
    mm(table + n, a, rr, m, w, n);          /* a*R mod m */
    for (size_t i = 2; i < entries; i++)
        mm(table + i * n, table + (i - 1) * n, table + n, m, w, n);
    size_t bits = 64 * ewords;
    size_t windows = (bits + WIN - 1) / WIN;
    memcpy(acc, table, n * sizeof(uint64_t));
    for (size_t k = windows; k-- > 0;) {
        for (int s = 0; s < WIN; s++) ms(acc, acc, m, w, n);
        table_scan(sel, table, window_at(e, ewords, k * WIN), n);
        mm(acc, acc, sel, m, w, n);
    }
    mm(z, acc, one, m, w, n);               /* leave Montgomery form */
    wipe(table, entries * n * sizeof(uint64_t));
    wipe(acc, sizeof acc);
    wipe(sel, sizeof sel);
}

/* Montgomery multiply/square (inputs < m), on the proved kernels at 8/16/24/32 words */
static void mm(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n)
{
    switch (n) {
    case 8: bignum_montmul_8(z, x, y, m, w); break;
    case 16: bignum_montmul_16(z, x, y, m, w); break;
    case 24: bignum_montmul_24(z, x, y, m, w); break;
    case 32: bignum_montmul_32(z, x, y, m, w); break;
    default: mont_mul(z, x, y, m, w, n); break;
    }
}

static void ms(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    switch (n) {
    case 8: bignum_montsqr_8(z, x, m, w); break;
    case 16: bignum_montsqr_16(z, x, m, w); break;
    case 24: bignum_montsqr_24(z, x, m, w); break;
    case 32: bignum_montsqr_32(z, x, m, w); break;
    default: mont_sqr(z, x, m, w, n); break;
    }
}

/* mm and ms for public data only (verification): generic sizes skip the wiping */
static void mm_public(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n)
{
    if (n == 8 || n == 16 || n == 24 || n == 32) mm(z, x, y, m, w, n);
    else mont_mul_public(z, x, y, m, w, n);
}

static void ms_public(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    if (n == 8 || n == 16 || n == 24 || n == 32) ms(z, x, m, w, n);
    else mont_sqr_public(z, x, m, w, n);
}

static void mul_s(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w,
                  size_t n, int secret)
{
    if (secret) mm(z, x, y, m, w, n);
    else mm_public(z, x, y, m, w, n);
}

static void sqr_s(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n, int secret)
{
    if (secret) ms(z, x, m, w, n);
    else ms_public(z, x, m, w, n);
}

/*
 * z = x^e mod m for a public exponent e (left-to-right binary; branches on
 * e only), x < m, rr = R^2 mod m.  The last step multiplies the Montgomery
 * accumulator by plain x, which leaves Montgomery form for free; with
 * `montgomery_out` the result is x^e * R mod m instead.  `secret` = 0 only
 * for public data (verification): then generic sizes skip wiping scratch.
 */
static void pow_public_exp(uint64_t *z, const uint64_t *x, const uint64_t *e, size_t ewords,
                           const uint64_t *m, uint64_t w, const uint64_t *rr, size_t n,
                           int montgomery_out, int secret)
{
    uint64_t xm[MAXW], acc[MAXW], t[2 * MAXW];
    size_t top = 64 * ewords;
    while (top > 0 && !((e[(top - 1) / 64] >> ((top - 1) % 64)) & 1)) top--;
    mul_s(xm, x, rr, m, w, n, secret);
    memset(t, 0, 2 * n * sizeof(uint64_t));
    if (top == 0) {                               /* e == 0 is rejected earlier; be total */
        one_n(acc, n);
        if (montgomery_out) mul_s(z, acc, rr, m, w, n, secret);
        else final_sub(z, acc, 0, m, n);
        return;
    }
    memcpy(acc, xm, n * sizeof(uint64_t));
    for (size_t i = top - 1; i-- > 1;) {
        sqr_s(acc, acc, m, w, n, secret);
        if ((e[i / 64] >> (i % 64)) & 1) mul_s(acc, acc, xm, m, w, n, secret);
    }
    if (top >= 2) {                                /* bit 0 */
        sqr_s(acc, acc, m, w, n, secret);
        int odd = (int)(e[0] & 1);
        if (montgomery_out) {
            if (odd) mul_s(acc, acc, xm, m, w, n, secret);
            memcpy(z, acc, n * sizeof(uint64_t));
        } else if (odd) {
            mul_s(z, acc, x, m, w, n, secret);     /* acc*R * x / R: plain */
        } else {
            memcpy(t, acc, n * sizeof(uint64_t));
            mont_reduce(z, t, m, w, n);
        }
    } else if (montgomery_out) {                   /* e == 1 */
        memcpy(z, xm, n * sizeof(uint64_t));
    } else {
        memcpy(z, x, n * sizeof(uint64_t));
    }
    wipe(xm, n * sizeof(uint64_t));
    wipe(acc, n * sizeof(uint64_t));
    wipe(t, 2 * n * sizeof(uint64_t));
}

static void pub_pow(uint64_t *z, const uint64_t *x, const struct provenum_rsa_public *k)
{
    pow_public_exp(z, x, k->e, k->ewords, k->n, k->w, k->rr, k->words, 0, 0);
}

/* z = x mod m, x of 2n words with x < m*R: (x/R) * R^2 / R */
static void reduce_wide(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w,
                        const uint64_t *rr, size_t n)
{
    uint64_t t[MAXW];
    switch (n) {
    case 16: bignum_montredc_16(t, x, m, w); break;
    case 24: bignum_montredc_24(t, x, m, w); break;
    case 32: bignum_montredc_32(t, x, m, w); break;
    default: mont_redc(t, x, m, w, n); break;
    }
    mm(z, t, rr, m, w, n);
    wipe(t, n * sizeof(uint64_t));
}

/* one CRT half: z = c^d mod m, on the proved kernel when the size has one */
static void half_modexp(uint64_t *z, const uint64_t *c, const uint64_t *d, const uint64_t *m,
                        uint64_t w, const uint64_t *rr, size_t h)
{
    switch (h) {
    case 16: bignum_modexp_16(z, c, d, m); break;
    case 24: bignum_modexp_24(z, c, d, m); break;
    case 32: bignum_modexp_32(z, c, d, m); break;
    default: mont_modexp(z, c, d, h, m, w, rr, h); break;
    }
}

/* z = x*y (schoolbook, n x n -> 2n words) */
static void mul_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n)
{
    memset(z, 0, 2 * n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t c = 0;
        for (size_t j = 0; j < n; j++) {
            u128 s = (u128)x[j] * y[i] + z[i + j] + c;
            z[i + j] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        z[i + n] = c;
    }
}

/* ---- exported API -------------------------------------------------------- */
/* Keys live in opaque uint64_t buffers of provenum_rsa_key_words() words, so
   the cffi declarations need no struct layout. */

size_t provenum_rsa_key_words(void)
{
    return (sizeof(struct provenum_rsa_private) + 7) / 8;
}

static int load_public(struct provenum_rsa_public *k, const uint64_t *n, size_t words,
                       const uint64_t *e, size_t ewords)
{
    if (words < 1 || words > MAXW || ewords < 1 || ewords > MAXW || !(n[0] & 1)) return -1;
    memset(k, 0, sizeof *k);
    memcpy(k->n, n, words * sizeof(uint64_t));
    memcpy(k->e, e, ewords * sizeof(uint64_t));
    k->words = words;
    k->ewords = ewords;
    k->w = mont_w(n[0]);
    mont_rr(k->rr, k->n, words);
    return 0;
}

int provenum_rsa_public_load(uint64_t *key, const uint64_t *n, size_t words,
                             const uint64_t *e, size_t ewords)
{
    return load_public((struct provenum_rsa_public *)key, n, words, e, ewords);
}

/* p, q, dp, dq, qinv = q^-1 mod p: hwords words each; d: words words */
static int __attribute__((noinline)) private_load(uint64_t *key, const uint64_t *n, size_t words,
                                                  const uint64_t *e, size_t ewords,
                                                  const uint64_t *p, const uint64_t *q, const uint64_t *dp,
                                                  const uint64_t *dq, const uint64_t *qinv, const uint64_t *d,
                                                  size_t hwords)
{
    struct provenum_rsa_private *k = (struct provenum_rsa_private *)key;
    size_t h = hwords;
    if (h < 1 || h > MAXH || words > 2 * h) return -1;
    /* every RSA prime is odd: whether these are reveals only that a key is malformed */
    if (!ct_public_u64(p[0] & q[0] & 1)) return -1;
    if (load_public(&k->pub, n, words, e, ewords) != 0) return -1;
    memcpy(k->p, p, h * 8); memcpy(k->q, q, h * 8);
    memcpy(k->dp, dp, h * 8); memcpy(k->dq, dq, h * 8);
    memcpy(k->d, d, words * 8);
    k->hwords = h;
    k->p_w = mont_w(p[0]);
    k->q_w = mont_w(q[0]);
    mont_rr(k->p_rr, k->p, h);
    mont_rr(k->q_rr, k->q, h);
    mont_mul(k->p_r3, k->p_rr, k->p_rr, k->p, k->p_w, h);
    mont_mul(k->q_r3, k->q_rr, k->q_rr, k->q, k->q_w, h);
    /* q^-1 mod p in Montgomery form, so recombination needs one multiplication */
    mont_mul(k->qinv_mont, qinv, k->p_rr, k->p, k->p_w, h);
    return 0;
}

/* the load, then a stack sweep (its frames held values derived from p and q) */
int provenum_rsa_private_load(uint64_t *key, const uint64_t *n, size_t words,
                              const uint64_t *e, size_t ewords,
                              const uint64_t *p, const uint64_t *q, const uint64_t *dp,
                              const uint64_t *dq, const uint64_t *qinv, const uint64_t *d,
                              size_t hwords)
{
    int status = private_load(key, n, words, e, ewords, p, q, dp, dq, qinv, d, hwords);
    burn_stack();
    return status;
}

/* copy the secret values back out (serialisation of the key only) */
void provenum_rsa_private_export(const uint64_t *key, uint64_t *p, uint64_t *q, uint64_t *d)
{
    const struct provenum_rsa_private *k = (const struct provenum_rsa_private *)key;
    memcpy(p, k->p, k->hwords * 8);
    memcpy(q, k->q, k->hwords * 8);
    memcpy(d, k->d, k->pub.words * 8);
}

/* wipe a key buffer (when its Python object goes away) */
void provenum_rsa_key_wipe(uint64_t *key)
{
    wipe(key, sizeof(struct provenum_rsa_private));
}

/* z = x^e mod n for x < n (public operation: verification) */
int provenum_rsa_public_op(const uint64_t *key, uint64_t *z, const uint64_t *x)
{
    pub_pow(z, x, (const struct provenum_rsa_public *)key);
    return 0;
}

/* big-endian bytes (len <= 8*words) <-> little-endian words */
static void words_from_be(uint64_t *z, size_t words, const unsigned char *in, size_t len)
{
    memset(z, 0, words * sizeof(uint64_t));
    for (size_t i = 0; i < len; i++) z[i / 8] |= (uint64_t)in[len - 1 - i] << (8 * (i % 8));
}

static void be_from_words(unsigned char *out, size_t len, const uint64_t *x)
{
    for (size_t i = 0; i < len; i++) out[len - 1 - i] = (unsigned char)(x[i / 8] >> (8 * (i % 8)));
}

/* 1 when x < n (n words), else 0; public data only (verification input) */
static int less_than(const uint64_t *x, const uint64_t *n, size_t words)
{
    uint64_t d[MAXW];
    return (int)sub_n(d, x, n, words);
}

/*
 * Verification primitive on bytes: out = in^e mod n, both `len` bytes
 * big-endian, len = the modulus' byte length.  Returns -1 (out untouched)
 * when len is wrong or in >= n.
 */
int provenum_rsa_public_op_be(const uint64_t *key, unsigned char *out, const unsigned char *in, size_t len)
{
    const struct provenum_rsa_public *k = (const struct provenum_rsa_public *)key;
    uint64_t x[MAXW], z[MAXW];
    size_t top = 64 * k->words;
    while (top > 0 && !((k->n[(top - 1) / 64] >> ((top - 1) % 64)) & 1)) top--;
    if (len != (top + 7) / 8) return -1;
    words_from_be(x, k->words, in, len);
    if (!less_than(x, k->n, k->words)) return -1;
    pub_pow(z, x, k);
    be_from_words(out, len, z);
    return 0;
}

/* random words -> a value below n: keep only bits under n's top bit */
static void below_n(uint64_t *z, const uint64_t *random, const struct provenum_rsa_public *k)
{
    size_t n = k->words;
    size_t top = 64 * n;
    while (top > 0 && !((k->n[(top - 1) / 64] >> ((top - 1) % 64)) & 1)) top--;  /* public */
    for (size_t i = 0; i < n; i++) {
        size_t lo = 64 * i;
        uint64_t keep = top <= lo + 1 ? 0 : (top - 1 - lo >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (top - 1 - lo)) - 1));
        z[i] = random[i] & keep;
    }
}

/* One CRT half: modulus, its Montgomery constants and exponent */
struct half {
    const uint64_t *m, *rr, *r3, *d;
    uint64_t w;
};

/*
 * One blinded CRT half: z = (m * r^e)^d * r^-1 = m^d mod h, with
 * mw, rw, rinvw the 2h-word (zero-padded) m, r and r^-1 mod n.  The blinding
 * factor is raised to e modulo the half (half-size arithmetic, a quarter of
 * the cost of doing it modulo n), and unblinding happens before Garner.
 * blind_base makes c = m * r^e mod h, unblind turns z = c^d into z * r^-1.
 */
static void blind_base(uint64_t *c, const struct half *hf, const struct provenum_rsa_public *pk,
                       const uint64_t *mw, const uint64_t *rw, size_t h)
{
    uint64_t mh[MAXH], rh[MAXH];
    reduce_wide(mh, mw, hf->m, hf->w, hf->rr, h);                 /* m mod h */
    reduce_wide(rh, rw, hf->m, hf->w, hf->rr, h);                 /* r mod h */
    pow_public_exp(c, rh, pk->e, pk->ewords, hf->m, hf->w, hf->rr, h, 1, 1);  /* r^e * R */
    mm(c, mh, c, hf->m, hf->w, h);                                /* m * r^e */
    wipe(mh, sizeof mh); wipe(rh, sizeof rh);
}

static void unblind(uint64_t *z, const struct half *hf, const uint64_t *rinvw, size_t h)
{
    uint64_t rh[MAXH];
    reduce_wide(rh, rinvw, hf->m, hf->w, hf->r3, h);              /* r^-1 * R (via R^3) */
    mm(z, z, rh, hf->m, hf->w, h);                                /* s mod h */
    wipe(rh, sizeof rh);
}

/* Both blinded halves: on the radix-2^52 kernels together when `ifma` (a context from
   provenum_ifma_setup, else NULL): the bases c_h = r^e m mod h by one dual public-exponent
   power, then the dual exponentiation; otherwise per half on the 64-bit kernels. */
static void blinded_halves(uint64_t *sp, uint64_t *sq, const struct half *hp, const struct half *hq,
                           const struct provenum_rsa_public *pk, const uint64_t *mw, const uint64_t *rw,
                           const uint64_t *rinvw, size_t h, const void *ifma)
{
    uint64_t cp[MAXH], cq[MAXH];
    if (ifma) {
        uint64_t mp[MAXH], mq[MAXH], rp[MAXH], rq[MAXH];
        reduce_wide(mp, mw, hp->m, hp->w, hp->rr, h);              /* m mod p, m mod q */
        reduce_wide(mq, mw, hq->m, hq->w, hq->rr, h);
        reduce_wide(rp, rw, hp->m, hp->w, hp->rr, h);              /* r mod p, r mod q */
        reduce_wide(rq, rw, hq->m, hq->w, hq->rr, h);
        provenum_ifma_ctx_pow_public_x2(ifma, cp, cq, rp, rq, pk->e, pk->ewords, mp, mq);   /* r^e m */
        provenum_ifma_ctx_modexp_x2(ifma, sp, sq, cp, cq, hp->d, hq->d);                  /* s r */
        wipe(mp, sizeof mp); wipe(mq, sizeof mq); wipe(rp, sizeof rp); wipe(rq, sizeof rq);
    } else {
        blind_base(cp, hp, pk, mw, rw, h);
        blind_base(cq, hq, pk, mw, rw, h);
        half_modexp(sp, cp, hp->d, hp->m, hp->w, hp->rr, h);      /* s * r */
        half_modexp(sq, cq, hq->d, hq->m, hq->w, hq->rr, h);
    }
    unblind(sp, hp, rinvw, h);
    unblind(sq, hq, rinvw, h);
    wipe(cp, sizeof cp); wipe(cq, sizeof cq);
}

/* all-ones when s^e == m modulo this half (sw, mw: 2h words), else 0 */
static uint64_t check_half(const struct half *hf, const struct provenum_rsa_public *pk,
                           const uint64_t *sw, const uint64_t *mw, size_t h)
{
    uint64_t sh[MAXH], mh[MAXH], v[MAXH], diff = 0;
    reduce_wide(sh, sw, hf->m, hf->w, hf->rr, h);
    reduce_wide(mh, mw, hf->m, hf->w, hf->rr, h);                 /* recomputed from the input */
    pow_public_exp(v, sh, pk->e, pk->ewords, hf->m, hf->w, hf->rr, h, 0, 1);
    for (size_t i = 0; i < h; i++) diff |= v[i] ^ mh[i];
    wipe(sh, sizeof sh); wipe(mh, sizeof mh); wipe(v, sizeof v);
    return mask_zero(diff);
}

/* all-ones when s^e == m modulo p and modulo q (sw, mw: 2h words), else 0: both halves' powers
   together on the radix-2^52 kernels when `ifma`, else one per half */
static uint64_t check_halves(const struct half *hp, const struct half *hq, const struct provenum_rsa_public *pk,
                             const uint64_t *sw, const uint64_t *mw, size_t h, const void *ifma)
{
    if (!ifma) return check_half(hp, pk, sw, mw, h) & check_half(hq, pk, sw, mw, h);
    uint64_t sp[MAXH], sq[MAXH], mp[MAXH], mq[MAXH], vp[MAXH], vq[MAXH], diff = 0;
    reduce_wide(sp, sw, hp->m, hp->w, hp->rr, h);
    reduce_wide(sq, sw, hq->m, hq->w, hq->rr, h);
    reduce_wide(mp, mw, hp->m, hp->w, hp->rr, h);                 /* recomputed from the input */
    reduce_wide(mq, mw, hq->m, hq->w, hq->rr, h);
    provenum_ifma_ctx_pow_public_x2(ifma, vp, vq, sp, sq, pk->e, pk->ewords, NULL, NULL);
    for (size_t i = 0; i < h; i++) diff |= (vp[i] ^ mp[i]) | (vq[i] ^ mq[i]);
    wipe(sp, sizeof sp); wipe(sq, sizeof sq); wipe(mp, sizeof mp); wipe(mq, sizeof mq);
    wipe(vp, sizeof vp); wipe(vq, sizeof vq);
    return mask_zero(diff);
}

/*
 * The private operation: sig = m^d mod n, m < n (checked by the caller),
 * blinded with r (0 < r < n) and rinv = r^-1 mod n, both fresh for this call
 * (see the blinding batches below).  Test-only fault injection: fault 1
 * corrupts the p-half, fault 2 adds n to the recombined s.  Returns 0 and
 * the signature, or -1 with sig zeroed when the result does not verify
 * under the public key or is not below n (fault, bad key, or rinv wrong).
 * The check s^e == m is made modulo p and modulo q on the final, recombined
 * s against m reduced afresh from the input; by the CRT that is s^e == m mod n.
 */
static int __attribute__((noinline)) private_op(const uint64_t *key, uint64_t *sig, const uint64_t *m,
                                                 const uint64_t *r_in, const uint64_t *rinv_in, int fault)
{
    const struct provenum_rsa_private *k = (const struct provenum_rsa_private *)key;
    const struct provenum_rsa_public *pk = &k->pub;
    size_t n = pk->words, h = k->hwords;
    const struct half hp = {k->p, k->p_rr, k->p_r3, k->dp, k->p_w};
    const struct half hq = {k->q, k->q_rr, k->q_r3, k->dq, k->q_w};
    uint64_t r[2 * MAXH], rinv[2 * MAXH], mw[2 * MAXH];
    uint64_t sp[MAXH], sq[MAXH], diff[MAXH], hh[MAXH], tmp[MAXH];
    uint64_t prod[2 * MAXH], s[2 * MAXH];
    int status;

    memset(r, 0, sizeof r); memset(rinv, 0, sizeof rinv); memset(mw, 0, sizeof mw);
    memcpy(mw, m, n * sizeof(uint64_t));
    memcpy(r, r_in, n * sizeof(uint64_t));
    memcpy(rinv, rinv_in, n * sizeof(uint64_t));

    /* the radix-2^52 context (both halves' moduli, R^2) serves blinding, exponentiation and check */
    ALIGN64_CTX unsigned char ifma_buf[PROVENUM_IFMA_CTX_BYTES];
    const void *ifma = NULL;
    if (provenum_ifma_available(h) && provenum_ifma_setup(ifma_buf, k->p, k->q, k->p_rr, k->q_rr, h) == 0)
        ifma = ifma_buf;
    blinded_halves(sp, sq, &hp, &hq, pk, mw, r, rinv, h, ifma);
    if (fault == 1) sp[0] ^= 1;                             /* test-only fault injection */

    /* Garner: s = sq + q * ((sp - sq) * q^-1 mod p) */
    memset(prod, 0, sizeof prod);
    memcpy(prod, sq, h * sizeof(uint64_t));
    reduce_wide(diff, prod, k->p, k->p_w, k->p_rr, h);     /* sq mod p (q may exceed p) */
    uint64_t borrow = sub_n(diff, sp, diff, h);
    add_n(tmp, diff, k->p, h);
    select_n(diff, 0 - borrow, tmp, diff, h);
    mm(hh, diff, k->qinv_mont, k->p, k->p_w, h);            /* (sp-sq) * qinv */
    mul_n(prod, k->q, hh, h);
    memset(s, 0, sizeof s);
    memcpy(s, sq, h * sizeof(uint64_t));
    add_n(s, s, prod, 2 * h);                               /* < p*q = n: fits n words */
    if (fault == 2) add_n(s, s, pk->n, 2 * h);              /* test-only: s + n, same residues */

    /* check against the public key before release, and that s < n: the
       residue checks alone would pass s + n, which is not what may be released */
    uint64_t ok = check_halves(&hp, &hq, pk, s, mw, h, ifma);
    ok &= 0 - sub_n(prod, s, pk->n, 2 * h);                 /* borrow: s < n (n zero-padded) */
    for (size_t i = 0; i < n; i++) sig[i] = s[i] & ok;
    status = ct_public_u64(ok) ? 0 : -1;                    /* the verdict is public */

    wipe(r, sizeof r); wipe(rinv, sizeof rinv); wipe(tmp, sizeof tmp); wipe(mw, sizeof mw);
    wipe(sp, sizeof sp); wipe(sq, sizeof sq); wipe(diff, sizeof diff); wipe(hh, sizeof hh);
    wipe(prod, sizeof prod); wipe(s, sizeof s);
    if (ifma) provenum_ifma_wipe(ifma_buf);
    return status;
}

/* private_op, then a sweep from its own frame down: that also clears what
   the compiler spilled there (e.g. Garner's borrow), not only the callees' frames */
int provenum_rsa_private_op(const uint64_t *key, uint64_t *sig, const uint64_t *m,
                            const uint64_t *r_in, const uint64_t *rinv_in, int fault)
{
    int status = private_op(key, sig, m, r_in, rinv_in, fault);
    burn_stack();
    return status;
}

/* ---- byte-level entry points (what Python calls per signature) ----------- */

/* fill buf with len bytes from the kernel's CSPRNG; 0 on success */
static int random_bytes(void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;
    while (len > 0) {
        ssize_t got = getrandom(p, len, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += got;
        len -= (size_t)got;
    }
    return 0;
}

static size_t modulus_bytes(const struct provenum_rsa_public *k)
{
    size_t top = 64 * k->words;
    while (top > 0 && !((k->n[(top - 1) / 64] >> ((top - 1) % 64)) & 1)) top--;
    return (top + 7) / 8;
}

/*
 * Blinding values come in batches so that one inversion serves many
 * signatures (Montgomery's trick), each signature still getting its own
 * fresh random r.  A batch buffer holds `count` entries of 2*words words,
 * (r_i, r_i^-1), then one scratch entry (t, unused).
 *
 * Step 1 draws every r_i and a further t from getrandom(), stores the prefix
 * products a_i = r_0*...*r_i / R^i (a_0 = r_0, a_i = mm(a_{i-1}, r_i): one
 * Montgomery product each, the powers of R carried along rather than
 * converted away) in the r^-1 slots, and hands out u = mm(a_last, t) =
 * a_last t / R.  u is uniformly distributed and independent of the r_i (t
 * is uniform and secret), so the caller may invert it with a fast
 * variable-time algorithm (GMP).  Step 2 turns u^-1 into every r_i^-1.
 */
static int __attribute__((noinline)) blind_batch_start(const uint64_t *key, uint64_t *batch, size_t count,
                                                        unsigned char *u_be, size_t len)
{
    const struct provenum_rsa_public *k = (const struct provenum_rsa_public *)key;
    size_t n = k->words, stride = 2 * n;
    uint64_t u[MAXW];
    if (len != modulus_bytes(k) || count < 1) return -1;
    if (random_bytes(batch, (count + 1) * stride * sizeof(uint64_t)) != 0) return -1;
    for (size_t i = 0; i <= count; i++) below_n(batch + i * stride, batch + i * stride, k);
    for (size_t i = 0; i < count; i++) {
        uint64_t *r = batch + i * stride, *slot = r + n;
        if (i == 0) memcpy(slot, r, n * sizeof(uint64_t));
        else mm(slot, slot - stride, r, k->n, k->w, n);     /* a_i = a_{i-1} r_i / R */
    }
    mm(u, batch + (count - 1) * stride + n, batch + count * stride, k->n, k->w, n);   /* a_last t / R */
    be_from_words(u_be, len, u);
    wipe(u, sizeof u);
    return 0;
}

/*
 * Step 2: from uinv_be = u^-1 mod n fill every r_i^-1 slot.  Returns -1
 * (and wipes the batch) when uinv is not u's inverse.
 */
static int __attribute__((noinline)) blind_batch_finish(const uint64_t *key, uint64_t *batch, size_t count,
                                                         const unsigned char *uinv_be, size_t len)
{
    const struct provenum_rsa_public *k = (const struct provenum_rsa_public *)key;
    size_t n = k->words, stride = 2 * n;
    uint64_t run[MAXW], chk[MAXW], one[MAXW];
    int status = -1;
    if (len != modulus_bytes(k) || count < 1) return -1;
    words_from_be(run, n, uinv_be, len);
    if (less_than(run, k->n, n)) {
        const uint64_t *t = batch + count * stride;
        mm(run, run, t, k->n, k->w, n);                     /* R / (a_last t) * t / R = a_last^-1 */
        /* is it?  a_last a_last^-1 / R * R^2 / R == 1 */
        mm(chk, batch + (count - 1) * stride + n, run, k->n, k->w, n);
        mm(chk, chk, k->rr, k->n, k->w, n);
        one_n(one, n);
        uint64_t diff = 0;
        for (size_t i = 0; i < n; i++) diff |= chk[i] ^ one[i];
        status = ct_public_u64(diff) == 0 ? 0 : -1;         /* the verdict is public: u, u^-1 are */
        /* run = a_i^-1 = R^i / (r_0..r_i): r_i^-1 = mm(run, a_{i-1}), a_{i-1}^-1 = mm(run, r_i) */
        for (size_t i = count; status == 0 && i-- > 0;) {
            uint64_t *r = batch + i * stride, *slot = r + n;
            if (i > 0) {
                mm(slot, run, slot - stride, k->n, k->w, n);
                mm(run, run, r, k->n, k->w, n);
            } else {
                memcpy(slot, run, n * sizeof(uint64_t));
            }
        }
    }
    wipe(batch + count * stride, stride * sizeof(uint64_t));
    if (status != 0) wipe(batch, count * stride * sizeof(uint64_t));
    wipe(run, sizeof run); wipe(chk, sizeof chk);
    return status;
}

/* the batch steps, each followed by a stack sweep: the kernels' frames (and
   the compiler's spills) held the r_i, their products and inverses */
int provenum_rsa_blind_batch_start(const uint64_t *key, uint64_t *batch, size_t count,
                                   unsigned char *u_be, size_t len)
{
    int status = blind_batch_start(key, batch, count, u_be, len);
    burn_stack();
    return status;
}

int provenum_rsa_blind_batch_finish(const uint64_t *key, uint64_t *batch, size_t count,
                                    const unsigned char *uinv_be, size_t len)
{
    int status = blind_batch_finish(key, batch, count, uinv_be, len);
    burn_stack();
    return status;
}

/*
 * sig_be = em^d mod n (all big-endian, len bytes = the modulus' length),
 * blinded with one batch entry (r, r^-1), which is wiped: each entry serves
 * exactly one signature.  Returns 0, or -1 with sig_be zeroed (bad length,
 * em >= n, or the result failed the public-key check).
 */
int provenum_rsa_sign_be(const uint64_t *key, unsigned char *sig_be, const unsigned char *em_be,
                         size_t len, uint64_t *entry, int fault)
{
    const struct provenum_rsa_public *k = (const struct provenum_rsa_public *)key;
    uint64_t m[MAXW], s[MAXW];
    int status = -1;
    memset(sig_be, 0, len);
    if (len == modulus_bytes(k)) {
        words_from_be(m, k->words, em_be, len);
        if (less_than(m, k->n, k->words)) {
            status = provenum_rsa_private_op(key, s, m, entry, entry + k->words, fault);
            if (status == 0) be_from_words(sig_be, len, s);
        }
    }
    wipe(entry, 2 * k->words * sizeof(uint64_t));
    wipe(s, sizeof s);
    return status;
}

/* The generic constant-time exponentiation, exported for tests: z = a^e mod m */
int provenum_generic_modexp(uint64_t *z, const uint64_t *a, const uint64_t *e, size_t ewords,
                            const uint64_t *m, size_t n)
{
    uint64_t rr[MAXW];
    if (n < 1 || n > MAXW || ewords < 1 || !(m[0] & 1)) return -1;
    mont_rr(rr, m, n);
    mont_modexp(z, a, e, ewords, m, mont_w(m[0]), rr, n);
    return 0;
}

/* ---- internal entry points for the other csrc files (rsa_internal.h) ----
   Thin wrappers, so that decryption (rsa_decrypt.c) and key generation
   (rsa_keygen.c) use the same kernels and generic paths as signing. */

void provenum_mm(uint64_t *z, const uint64_t *x, const uint64_t *y, const uint64_t *m, uint64_t w, size_t n)
{
    mm(z, x, y, m, w, n);
}

void provenum_ms(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, size_t n)
{
    ms(z, x, m, w, n);
}

void provenum_modexp(uint64_t *z, const uint64_t *a, const uint64_t *e, const uint64_t *m, uint64_t w,
                     const uint64_t *rr, size_t n)
{
    half_modexp(z, a, e, m, w, rr, n);
}

void provenum_reduce_wide(uint64_t *z, const uint64_t *x, const uint64_t *m, uint64_t w, const uint64_t *rr,
                          size_t n)
{
    reduce_wide(z, x, m, w, rr, n);
}

void provenum_mont_rr(uint64_t *z, const uint64_t *m, size_t n) { mont_rr(z, m, n); }
uint64_t provenum_mont_w(uint64_t m0) { return mont_w(m0); }
void provenum_mul_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n) { mul_n(z, x, y, n); }
uint64_t provenum_add_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n) { return add_n(z, x, y, n); }
uint64_t provenum_sub_n(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t n) { return sub_n(z, x, y, n); }
void provenum_select_n(uint64_t *z, uint64_t mask, const uint64_t *x, const uint64_t *y, size_t n)
{
    select_n(z, mask, x, y, n);
}
void provenum_wipe(void *p, size_t len) { wipe(p, len); }
void provenum_burn_stack(void) { burn_stack(); }
int provenum_random_bytes(void *buf, size_t len) { return random_bytes(buf, len); }

/* the modulus' length in bytes, and d as big-endian bytes of that length
   (the key of PKCS#1 v1.5 implicit rejection, as OpenSSL derives it) */
size_t provenum_rsa_modulus_bytes(const uint64_t *key)
{
    return modulus_bytes((const struct provenum_rsa_public *)key);
}

void provenum_rsa_private_d_be(const uint64_t *key, unsigned char *out, size_t len)
{
    const struct provenum_rsa_private *k = (const struct provenum_rsa_private *)key;
    be_from_words(out, len, k->d);
}
