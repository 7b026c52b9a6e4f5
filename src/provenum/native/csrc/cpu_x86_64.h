/* CPU features provenum's x86-64 kernels use, one bit each, in the order of
   provenum.isa.x86_64.features.FEATURES (a test checks they agree). */
#ifndef PROVENUM_CPU_X86_64_H
#define PROVENUM_CPU_X86_64_H

#define PV_BMI1 (1u << 0)
#define PV_BMI2 (1u << 1)
#define PV_ADX (1u << 2)
#define PV_SSE4_1 (1u << 3)
#define PV_AVX (1u << 4)
#define PV_AVX2 (1u << 5)
#define PV_AVX512F (1u << 6)
#define PV_AVX512VL (1u << 7)
#define PV_AVX512BW (1u << 8)
#define PV_AVX512DQ (1u << 9)
#define PV_AVX512IFMA (1u << 10)

/* what the CPU implements and the operating system enables */
unsigned provenum_cpu_features(void);
/* vendor (12 chars + NUL), brand string (48 + NUL), family/model/stepping as Intel and AMD define them */
void provenum_cpu_identity(char *vendor, char *brand, unsigned *family, unsigned *model, unsigned *stepping);

/* the dispatch levels (provenum.isa.x86_64.features.LEVELS), cumulative; the features each needs */
#define PV_LEVELS 5
#define PV_LEVEL_NAMES {"baseline", "bmi2", "avx2", "avx512", "avx512ifma"}
#define PV_NEEDS_AVX512 \
    (PV_BMI1 | PV_BMI2 | PV_ADX | PV_AVX | PV_AVX2 | PV_AVX512F | PV_AVX512VL | PV_AVX512BW | PV_AVX512DQ)
#define PV_LEVEL_NEEDS                                                                                   \
    {0, PV_BMI1 | PV_BMI2 | PV_ADX, PV_BMI1 | PV_BMI2 | PV_ADX | PV_AVX | PV_AVX2, PV_NEEDS_AVX512,      \
     PV_NEEDS_AVX512 | PV_AVX512IFMA}
/* the index of the IFMA level (the RSA code takes the radix-2^52 path at or above it) */
#define PV_LEVEL_AVX512IFMA 4
/* the level a CPU runs by default: on x86-64 the highest it supports */
#define PV_PREFERRED_LEVEL(best) (best)

#endif
