/*
 * Calls one function of an AArch64 shared object, for provenum.machine.aarch64.runner.
 *
 *   driver LIBRARY SYMBOL < request > reply
 *
 * request: u32 count, then per argument u8 kind and either (kind 0) a u64
 * value or (kind 1) a u64 length and that many bytes: a buffer, passed as a
 * pointer to a copy placed flush against an inaccessible guard page, so an
 * access past its end faults instead of going unnoticed.
 * reply: the u64 in x0 after the call, then every buffer's bytes, in order.
 * Arguments go to x0..x7 (AAPCS64 integer/pointer arguments).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint64_t (*fn8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static void must_read(void *p, size_t n)
{
    if (fread(p, 1, n, stdin) != n) {
        fprintf(stderr, "driver: short request\n");
        exit(2);
    }
}

static uint8_t *guarded(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (n + page - 1) / page * page;
    uint8_t *base = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + span, page, PROT_NONE) != 0) {
        perror("driver: mmap");
        exit(2);
    }
    return base + span - n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: driver LIBRARY SYMBOL\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "driver: %s\n", dlerror());
        return 2;
    }
    fn8 fn = (fn8)dlsym(lib, argv[2]);
    if (!fn) {
        fprintf(stderr, "driver: no symbol %s\n", argv[2]);
        return 2;
    }
    uint32_t count;
    must_read(&count, 4);
    if (count > 8) {
        fprintf(stderr, "driver: at most 8 arguments\n");
        return 2;
    }
    uint64_t regs[8] = {0}, lens[8] = {0};
    uint8_t *bufs[8] = {0};
    for (uint32_t i = 0; i < count; i++) {
        uint8_t kind;
        must_read(&kind, 1);
        if (kind == 0) {
            must_read(&regs[i], 8);
        } else {
            must_read(&lens[i], 8);
            bufs[i] = guarded(lens[i]);
            must_read(bufs[i], lens[i]);
            regs[i] = (uint64_t)(uintptr_t)bufs[i];
        }
    }
    uint64_t x0 = fn(regs[0], regs[1], regs[2], regs[3], regs[4], regs[5], regs[6], regs[7]);
    fwrite(&x0, 8, 1, stdout);
    for (uint32_t i = 0; i < count; i++)
        if (bufs[i])
            fwrite(bufs[i], 1, lens[i], stdout);
    return fflush(stdout) == 0 ? 0 : 3;
}
