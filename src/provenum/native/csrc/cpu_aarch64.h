/* CPU features provenum's AArch64 kernels use, one bit each, in the order of
   provenum.isa.aarch64.features.FEATURES (a test checks they agree). */
#ifndef PROVENUM_CPU_AARCH64_H
#define PROVENUM_CPU_AARCH64_H

#include <stdint.h>

#define PV_ASIMD (1u << 0)

/* what the CPU implements (HWCAP) */
unsigned provenum_cpu_features(void);
/* MIDR_EL1 (through HWCAP_CPUID, else sysfs), 0 when unknown */
uint64_t provenum_cpu_midr(void);
/* implementer name (up to 12 chars + NUL), core name (up to 48 + NUL), implementer, part, revision */
void provenum_cpu_identity(char *vendor, char *brand, unsigned *family, unsigned *model, unsigned *stepping);
/* the level a core runs fastest (provenum.isa.aarch64.features.preferred_level) */
int provenum_cpu_preferred_level(uint64_t midr);
/* the level this CPU's table takes at load: its preference, never above `best` (what it supports) */
int provenum_cpu_default_level(int best);

/* the dispatch levels (provenum.isa.aarch64.features.LEVELS), cumulative; the features each needs */
#define PV_LEVELS 2
#define PV_LEVEL_NAMES {"scalar", "neon"}
#define PV_LEVEL_NEEDS {0, PV_ASIMD}
/* the level a CPU runs by default: the one its microarchitecture prefers, never above what it supports */
#define PV_PREFERRED_LEVEL(best) provenum_cpu_default_level(best)

#endif
