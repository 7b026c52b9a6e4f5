/*
 * The dispatch table: one function pointer per kernel operation, set once
 * when the library is loaded to the best variant this CPU runs.
 *
 * Every operation (bignum_mul_8_16, ..., bignum_modexp_32) is also a symbol
 * of the library: an entry that jumps through its table slot, so the RSA
 * code and the Python bindings call operations by name and get the variant
 * the dispatcher chose.  The variants themselves (bignum_mul_8_16_baseline,
 * bignum_mul_8_16_bmi2, ...) are what the verifier proves.
 *
 * The library is built for one ISA, whose CPU module (cpu_x86_64.h or
 * cpu_aarch64.h) names the levels and the features each needs, and whose
 * generated table lists that ISA's operations and variants.  Levels are
 * cumulative (provenum.isa.<isa>.features.LEVELS): a variant of level L may
 * run on a CPU whose features include those of L and below.  At load the
 * table goes to the level the CPU prefers (on x86-64 the highest it
 * supports; on AArch64 the one its MIDR says is fastest, never above what
 * it supports).  PROVENUM_CPU=<level> chooses another level the CPU
 * supports; asking for a level above the CPU's, or an unknown one, leaves
 * the table at its default and records an error that the bindings raise,
 * so no path ever executes an instruction the CPU lacks.  Tests change the
 * level at run time (provenum_dispatch_set_level); every slot of an
 * operation with a variant at or below the level always holds one this CPU
 * runs, so a call racing with a change is still correct.  An operation whose
 * variants are all above the level (the radix-2^52 kernels below
 * avx512ifma) has an empty slot: its target is "" and calling its entry
 * aborts with a message (its callers check the level first).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__aarch64__)
#include "cpu_aarch64.h"
#define PV_DISPATCH_TABLE "dispatch_table_aarch64.h"
#else
#include "cpu_x86_64.h"
#define PV_DISPATCH_TABLE "dispatch_table.h"
#endif

#define LEVELS PV_LEVELS
static const char *const level_names[LEVELS] = PV_LEVEL_NAMES;
/* the features each level needs (its own and those below) */
static const unsigned level_needs[LEVELS] = PV_LEVEL_NEEDS;

/* one typedef, slot and entry per operation; a declaration per variant.  Built with
   PROVENUM_COUNT_CALLS (provenum.native.cross, for the cost of a signature), every entry
   also counts its calls. */
#ifdef PROVENUM_COUNT_CALLS
#define COUNT(name) calls_##name++;
#else
#define COUNT(name)
#endif
static void unsupported(const char *operation) __attribute__((noreturn, cold));
#define OPERATION(name, params, args)                                                              \
    typedef void name##_fn params;                                                                 \
    static name##_fn *slot_##name;                                                                 \
    static uint64_t calls_##name;                                                                  \
    void name params                                                                               \
    {                                                                                              \
        COUNT(name) name##_fn *fn = slot_##name;                                                   \
        if (!fn) unsupported(#name);                                                               \
        fn args;                                                                                   \
    }
#define VARIANT(operation, symbol, level) operation##_fn symbol;
#include PV_DISPATCH_TABLE
#undef OPERATION
#undef VARIANT

struct variant {
    void **slot;
    void *fn;
    int level;
    const char *operation, *symbol;
    uint64_t *calls;
};

static const struct variant variants[] = {
#define OPERATION(name, params, args)
#define VARIANT(operation, symbol, level)                                                          \
    {(void **)&slot_##operation, (void *)symbol, level, #operation, #symbol, &calls_##operation},
#include PV_DISPATCH_TABLE
#undef OPERATION
#undef VARIANT
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static int best_level, default_level, current_level = -1;
static char load_error[256];

int provenum_level_count(void) { return LEVELS; }
const char *provenum_level_name(int level) { return level >= 0 && level < LEVELS ? level_names[level] : NULL; }
unsigned provenum_level_needs(int level) { return level >= 0 && level < LEVELS ? level_needs[level] : 0; }

int provenum_dispatch_best_level(void) { return best_level; }
/* the level the table took at load before PROVENUM_CPU: the one this CPU prefers */
int provenum_dispatch_default_level(void) { return default_level; }
int provenum_dispatch_level(void) { return current_level; }

/* an operation called at a level below all its variants: a caller's bug, never a fallback */
static void unsupported(const char *operation)
{
    fprintf(stderr, "provenum: %s has no variant at dispatch level %s\n", operation,
            current_level >= 0 ? level_names[current_level] : "(none)");
    abort();
}

/* point every slot at the highest variant of level <= `level` (variants are listed lowest first,
   an operation's together); empty the slot of an operation whose variants are all above it */
static void fill(int level)
{
    for (size_t i = 0; i < NVARIANTS; i++) {
        int first = i == 0 || variants[i - 1].slot != variants[i].slot;
        if (variants[i].level <= level) *variants[i].slot = variants[i].fn;
        else if (first) *variants[i].slot = NULL;
    }
    current_level = level;
}

/* 0, or -1 when `level` is unknown or above what this CPU runs (nothing changes then) */
int provenum_dispatch_set_level(int level)
{
    if (level < 0 || level > best_level) return -1;
    fill(level);
    return 0;
}

/* the error PROVENUM_CPU caused at load ("" when none) */
const char *provenum_dispatch_load_error(void) { return load_error; }

/* which variant an operation's entry jumps to now: "" when its slot is empty (no variant at
   this level), NULL for an unknown operation */
const char *provenum_dispatch_target(const char *operation)
{
    const char *found = NULL;
    for (size_t i = 0; i < NVARIANTS; i++)
        if (strcmp(variants[i].operation, operation) == 0) {
            if (*variants[i].slot == variants[i].fn) return variants[i].symbol;
            found = "";
        }
    return found;
}

int provenum_dispatch_count(void) { return (int)NVARIANTS; }

/* calls made through an operation's entry since the last reset (always 0 unless built with
   PROVENUM_COUNT_CALLS); -1 for an unknown operation */
long long provenum_dispatch_calls(const char *operation)
{
    for (size_t i = 0; i < NVARIANTS; i++)
        if (strcmp(variants[i].operation, operation) == 0) return (long long)*variants[i].calls;
    return -1;
}

void provenum_dispatch_reset_calls(void)
{
    for (size_t i = 0; i < NVARIANTS; i++) *variants[i].calls = 0;
}

/* variant i: its operation, symbol and level */
const char *provenum_dispatch_variant(int i, const char **symbol, int *level)
{
    if (i < 0 || (size_t)i >= NVARIANTS) return NULL;
    *symbol = variants[i].symbol;
    *level = variants[i].level;
    return variants[i].operation;
}

__attribute__((constructor)) static void dispatch_init(void)
{
    unsigned have = provenum_cpu_features();
    best_level = 0;
    for (int l = 1; l < LEVELS; l++)
        if ((have & level_needs[l]) == level_needs[l]) best_level = l;
    default_level = PV_PREFERRED_LEVEL(best_level);
    int level = default_level;
    const char *request = getenv("PROVENUM_CPU");
    if (request && *request) {
        int asked = -1;
        for (int l = 0; l < LEVELS; l++)
            if (strcmp(request, level_names[l]) == 0) asked = l;
        if (asked < 0) {
            char names[64] = "";
            for (int l = 0; l < LEVELS; l++) {
                if (l) strncat(names, ", ", sizeof names - strlen(names) - 1);
                strncat(names, level_names[l], sizeof names - strlen(names) - 1);
            }
            snprintf(load_error, sizeof load_error, "PROVENUM_CPU=%.40s is not a level (%s)", request, names);
        }
        else if (asked > best_level)
            snprintf(load_error, sizeof load_error,
                     "PROVENUM_CPU=%s asks for more than this CPU runs (its level is %s)", request,
                     level_names[best_level]);
        else
            level = asked;
    }
    fill(level);
}
