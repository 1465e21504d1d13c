// Interposes the allocator in the test executable only, to prove that the
// packet-decoding hot path does not allocate. glibc exports its allocator under
// __libc_* names, so forwarding needs no dlsym (which would itself allocate).
#include "AllocationCounter.h"

#if defined(__linux__)
#include <features.h>
#endif

#if defined(__GLIBC__)
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);

static atomic_int counting;
static atomic_long allocations;
static pthread_t watched;

static inline void note_allocation(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed) && pthread_equal(pthread_self(), watched)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

void *malloc(size_t size) {
    note_allocation();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    note_allocation();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    note_allocation();
    return __libc_realloc(pointer, size);
}

void rr_allocation_count_begin(void) {
    watched = pthread_self();
    atomic_store(&allocations, 0);
    atomic_store(&counting, 1);
}

long rr_allocation_count_end(void) {
    atomic_store(&counting, 0);
    return atomic_load(&allocations);
}

#else
// Not glibc: no interposition; the tests that need counts skip themselves.
void rr_allocation_count_begin(void) {}
long rr_allocation_count_end(void) { return -1; }
#endif
