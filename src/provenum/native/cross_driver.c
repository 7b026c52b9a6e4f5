/*
 * Calls functions of provenum's AArch64 native library, many per process:
 * the test and benchmark driver of provenum.native.cross.
 *
 *   cross_driver LIBRARY < requests > replies
 *
 * request: u16 name length, the name, u32 argument count (at most 12), then
 * per argument u8 kind and either (kind 0) a u64 value or (kind 1) a u64
 * length and that many bytes: a buffer, passed as a pointer to a copy placed
 * flush against an inaccessible guard page (an access past its end faults).
 * reply: the u64 the function returned in x0, then every buffer's bytes.
 * Requests are read until end of input; each reply is flushed at once.
 * A name "!time:REPEATS:SYMBOL" calls SYMBOL REPEATS times on the same
 * arguments and returns the elapsed CLOCK_MONOTONIC nanoseconds in x0.
 *
 * Every function called this way takes only pointers and 64-bit (or
 * narrower) integers, which AAPCS64 passes in x0..x7 and then in 8-byte
 * stack slots: the function is called through a pointer type with exactly
 * `count` uint64_t parameters.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAXARGS 12
typedef uint64_t u64;

static int must_read(void *p, size_t n)
{
    size_t got = fread(p, 1, n, stdin);
    if (got == n) return 1;
    if (got == 0 && feof(stdin)) return 0;
    fprintf(stderr, "cross_driver: short request\n");
    exit(2);
}

static uint8_t *guarded(size_t n, size_t *span_out)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (n + page - 1) / page * page;
    uint8_t *base = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + span, page, PROT_NONE) != 0) {
        perror("cross_driver: mmap");
        exit(2);
    }
    *span_out = span + page;
    return base + span - n;
}

static u64 call(void *fn, unsigned n, const u64 *a)
{
    switch (n) {
    case 0: return ((u64(*)(void))fn)();
    case 1: return ((u64(*)(u64))fn)(a[0]);
    case 2: return ((u64(*)(u64, u64))fn)(a[0], a[1]);
    case 3: return ((u64(*)(u64, u64, u64))fn)(a[0], a[1], a[2]);
    case 4: return ((u64(*)(u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3]);
    case 5: return ((u64(*)(u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4]);
    case 6: return ((u64(*)(u64, u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
    case 7: return ((u64(*)(u64, u64, u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    case 8:
        return ((u64(*)(u64, u64, u64, u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    case 9:
        return ((u64(*)(u64, u64, u64, u64, u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                                                                          a[7], a[8]);
    case 10:
        return ((u64(*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))fn)(a[0], a[1], a[2], a[3], a[4], a[5],
                                                                               a[6], a[7], a[8], a[9]);
    case 11:
        return ((u64(*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))fn)(
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    default:
        return ((u64(*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))fn)(
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cross_driver LIBRARY\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "cross_driver: %s\n", dlerror());
        return 2;
    }
    for (;;) {
        uint16_t len;
        char name[256];
        if (!must_read(&len, 2)) return 0;
        if (len >= sizeof name) {
            fprintf(stderr, "cross_driver: name too long\n");
            return 2;
        }
        must_read(name, len);
        name[len] = 0;
        unsigned long repeats = 0;
        char *symbol = name;
        if (strncmp(name, "!time:", 6) == 0) {
            repeats = strtoul(name + 6, &symbol, 10);
            if (*symbol != ':' || repeats == 0) {
                fprintf(stderr, "cross_driver: bad timing request %s\n", name);
                return 2;
            }
            symbol++;
        }
        void *fn = dlsym(lib, symbol);
        if (!fn) {
            fprintf(stderr, "cross_driver: no symbol %s\n", symbol);
            return 2;
        }
        uint32_t count;
        must_read(&count, 4);
        if (count > MAXARGS) {
            fprintf(stderr, "cross_driver: at most %d arguments\n", MAXARGS);
            return 2;
        }
        u64 regs[MAXARGS] = {0}, lens[MAXARGS] = {0};
        size_t spans[MAXARGS] = {0};
        uint8_t *bufs[MAXARGS] = {0};
        for (uint32_t i = 0; i < count; i++) {
            uint8_t kind;
            must_read(&kind, 1);
            if (kind == 0) {
                must_read(&regs[i], 8);
            } else {
                must_read(&lens[i], 8);
                bufs[i] = guarded(lens[i], &spans[i]);
                must_read(bufs[i], lens[i]);
                regs[i] = (u64)(uintptr_t)bufs[i];
            }
        }
        u64 x0;
        if (repeats) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (unsigned long r = 0; r < repeats; r++) call(fn, count, regs);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            x0 = (u64)(t1.tv_sec - t0.tv_sec) * 1000000000u + (u64)(t1.tv_nsec - t0.tv_nsec);
        } else {
            x0 = call(fn, count, regs);
        }
        fwrite(&x0, 8, 1, stdout);
        for (uint32_t i = 0; i < count; i++)
            if (bufs[i]) {
                fwrite(bufs[i], 1, lens[i], stdout);
                size_t page = (size_t)sysconf(_SC_PAGESIZE);
                munmap(bufs[i] + lens[i] - (spans[i] - page), spans[i]);
            }
        if (fflush(stdout) != 0) return 3;
    }
}
