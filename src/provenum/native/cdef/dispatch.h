/* CPU detection and the dispatch table (native/csrc/cpu_<isa>.c, dispatch.c) */
unsigned provenum_cpu_features(void);
void provenum_cpu_identity(char *vendor, char *brand, unsigned *family, unsigned *model, unsigned *stepping);
int provenum_level_count(void);
const char *provenum_level_name(int level);
unsigned provenum_level_needs(int level);
int provenum_dispatch_best_level(void);
int provenum_dispatch_default_level(void);
int provenum_dispatch_level(void);
int provenum_dispatch_set_level(int level);
const char *provenum_dispatch_load_error(void);
const char *provenum_dispatch_target(const char *operation);
int provenum_dispatch_count(void);
const char *provenum_dispatch_variant(int i, const char **symbol, int *level);
