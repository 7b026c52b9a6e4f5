/*
 * Declassification points for `provenum ct-check` (valgrind's memcheck, the
 * ctgrind method): the ct-check driver marks every secret undefined, so any
 * branch or address computed from one is reported.  A value that is public
 * by design although computed from secrets (a check's verdict) is marked
 * defined again here, where the code says why it may be public.
 *
 * Only the ct-check driver's build defines PROVENUM_CT_CHECK (and needs
 * valgrind's headers); in the library these are identities.
 */
#ifndef PROVENUM_CT_H
#define PROVENUM_CT_H

#include <stdint.h>

#ifdef PROVENUM_CT_CHECK
#include <valgrind/memcheck.h>
static inline uint64_t ct_public_u64(uint64_t v)
{
    (void)VALGRIND_MAKE_MEM_DEFINED(&v, sizeof v);
    return v;
}
#else
static inline uint64_t ct_public_u64(uint64_t v) { return v; }
#endif

#endif
