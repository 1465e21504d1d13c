#ifndef RPCREPLAY_CSHIMS_H
#define RPCREPLAY_CSHIMS_H
#include <stddef.h>
#include <stdint.h>

/// Hint the CPU to pull the cache line at `p` into L1. Walking capture records is
/// latency-bound (each length decides where the next header is), so prefetching
/// about 1 KiB ahead roughly doubles the walk rate (see SWIFT-NOTES.md).
static inline void rr_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Names the calling thread (Linux: at most 15 bytes, longer names are cut) so
/// `top -H`, `perf report --sort comm` and debuggers tell the pipeline's threads
/// apart. Glibc's Swift module does not export pthread_setname_np.
#if defined(__linux__)
#include <sys/prctl.h>
static inline void rr_name_current_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
#else
static inline void rr_name_current_thread(const char *name) { (void)name; }
#endif

/// libFuzzer's driver entry point (present only when linked with -sanitize=fuzzer).
typedef int (*rr_fuzz_callback)(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, rr_fuzz_callback callback);

#endif
