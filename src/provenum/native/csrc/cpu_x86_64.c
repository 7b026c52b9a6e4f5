/*
 * What this x86-64 CPU and its operating system let provenum run.
 *
 * CPUID says what the CPU implements; XGETBV says which register state the
 * operating system saves on a context switch.  A vector feature counts only
 * when both agree (AVX needs the SSE and AVX state in XCR0, AVX-512 also the
 * opmask and both halves of the ZMM state).  Nothing here reads
 * /proc/cpuinfo.  The bit order is provenum.isa.x86_64.features.FEATURES.
 */
#if defined(__x86_64__)
#include <cpuid.h>
#include <stdint.h>
#include <string.h>

#include "cpu_x86_64.h"

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

unsigned provenum_cpu_features(void)
{
    unsigned a, b, c, d, max, out = 0;
    if (!__get_cpuid(0, &max, &b, &c, &d)) return 0;
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned c1 = c;
    unsigned b7 = 0;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        b7 = b;
    }
    uint64_t xcr0 = (c1 & bit_OSXSAVE) ? xgetbv0() : 0;
    int os_avx = (xcr0 & 0x6) == 0x6;                  /* SSE and AVX state */
    int os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;   /* opmask, ZMM_Hi256, Hi16_ZMM */

    if (b7 & bit_BMI) out |= PV_BMI1;
    if (b7 & bit_BMI2) out |= PV_BMI2;
    if (b7 & bit_ADX) out |= PV_ADX;
    if (c1 & bit_SSE4_1) out |= PV_SSE4_1;
    if (os_avx && (c1 & bit_AVX)) {
        out |= PV_AVX;
        if (b7 & bit_AVX2) out |= PV_AVX2;
    }
    if (os_avx512 && (b7 & bit_AVX512F)) {
        out |= PV_AVX512F;
        if (b7 & bit_AVX512VL) out |= PV_AVX512VL;
        if (b7 & bit_AVX512BW) out |= PV_AVX512BW;
        if (b7 & bit_AVX512DQ) out |= PV_AVX512DQ;
        if (b7 & bit_AVX512IFMA) out |= PV_AVX512IFMA;
    }
    return out;
}

void provenum_cpu_identity(char *vendor, char *brand, unsigned *family, unsigned *model, unsigned *stepping)
{
    unsigned a, b, c, d, max = 0, ext = 0;
    memset(vendor, 0, 13);
    memset(brand, 0, 49);
    *family = *model = *stepping = 0;
    if (!__get_cpuid(0, &max, &b, &c, &d)) return;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    *stepping = a & 0xf;
    *family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    *model = (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) + base_model : base_model;
    __get_cpuid(0x80000000, &ext, &b, &c, &d);
    if (ext >= 0x80000004) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        memcpy(brand, regs, 48);
    }
}

#endif /* __x86_64__ */
