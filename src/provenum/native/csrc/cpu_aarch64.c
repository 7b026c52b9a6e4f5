/*
 * What this AArch64 CPU is and which dispatch level it should run.
 *
 * Features come from the kernel's HWCAP (getauxval).  Which level is best
 * is a matter of microarchitecture, read from MIDR_EL1: Linux lets user
 * space read it (the kernel emulates the mrs) when HWCAP_CPUID is set, and
 * also publishes it in sysfs.  Neoverse N1 and cores like it (one integer
 * multiplier pipe) run the neon kernels, which move part of the products to
 * the vector unit; cores with wide integer multipliers (Neoverse V1/V2/V3,
 * N2/N3, Cortex-X, Apple) run the scalar ones.  The table is
 * provenum.isa.aarch64.features.WIDE_MULTIPLIER_PARTS (a test checks they agree).
 */
#if defined(__aarch64__)
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "cpu_aarch64.h"

#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1ul << 1)
#endif
#ifndef HWCAP_CPUID
#define HWCAP_CPUID (1ul << 11)
#endif

#define IMPLEMENTER_ARM 0x41u
#define IMPLEMENTER_APPLE 0x61u

static const struct part {
    unsigned part;
    int wide;
    const char *name;
} arm_parts[] = {
    {0xd40, 1, "Neoverse V1"}, {0xd4f, 1, "Neoverse V2"}, {0xd84, 1, "Neoverse V3"}, {0xd83, 1, "Neoverse V3AE"},
    {0xd49, 1, "Neoverse N2"}, {0xd8e, 1, "Neoverse N3"}, {0xd44, 1, "Cortex-X1"},   {0xd4c, 1, "Cortex-X1C"},
    {0xd48, 1, "Cortex-X2"},   {0xd4e, 1, "Cortex-X3"},   {0xd82, 1, "Cortex-X4"},   {0xd85, 1, "Cortex-X925"},
    {0xd0c, 0, "Neoverse N1"}, {0xd0b, 0, "Cortex-A76"},  {0xd0d, 0, "Cortex-A77"},  {0xd41, 0, "Cortex-A78"},
    {0xd08, 0, "Cortex-A72"},  {0xd07, 0, "Cortex-A57"},
};

unsigned provenum_cpu_features(void)
{
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? PV_ASIMD : 0;
}

uint64_t provenum_cpu_midr(void)
{
    if (getauxval(AT_HWCAP) & HWCAP_CPUID) {
        uint64_t midr;
        __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
        return midr;
    }
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", "r");
    if (f) {
        unsigned long long midr = 0;
        int ok = fscanf(f, "%llx", &midr) == 1;
        fclose(f);
        if (ok) return midr;
    }
    return 0;
}

static const struct part *arm_part(uint64_t midr)
{
    if (((midr >> 24) & 0xff) != IMPLEMENTER_ARM) return NULL;
    unsigned part = (midr >> 4) & 0xfff;
    for (size_t i = 0; i < sizeof arm_parts / sizeof arm_parts[0]; i++)
        if (arm_parts[i].part == part) return &arm_parts[i];
    return NULL;
}

int provenum_cpu_preferred_level(uint64_t midr)
{
    if (((midr >> 24) & 0xff) == IMPLEMENTER_APPLE) return 0;
    const struct part *p = arm_part(midr);
    return p && p->wide ? 0 : 1;
}

int provenum_cpu_default_level(int best)
{
    int preferred = provenum_cpu_preferred_level(provenum_cpu_midr());
    return preferred < best ? preferred : best;
}

void provenum_cpu_identity(char *vendor, char *brand, unsigned *family, unsigned *model, unsigned *stepping)
{
    uint64_t midr = provenum_cpu_midr();
    unsigned implementer = (midr >> 24) & 0xff;
    const struct part *p = arm_part(midr);
    snprintf(vendor, 13, "%s", implementer == IMPLEMENTER_ARM ? "ARM" : implementer == IMPLEMENTER_APPLE ? "Apple"
                               : midr ? "AArch64" : "unknown");
    if (p)
        snprintf(brand, 49, "%s", p->name);
    else if (midr)
        snprintf(brand, 49, "implementer %#04x part %#05x", implementer, (unsigned)((midr >> 4) & 0xfff));
    else
        snprintf(brand, 49, "AArch64 (MIDR not readable)");
    *family = implementer;
    *model = (midr >> 4) & 0xfff;
    *stepping = (((midr >> 20) & 0xf) << 4) | (midr & 0xf);
}

#endif /* __aarch64__ */
