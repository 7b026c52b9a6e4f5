/* AArch64 CPU identification (native/csrc/cpu_aarch64.c) */
uint64_t provenum_cpu_midr(void);
int provenum_cpu_preferred_level(uint64_t midr);
