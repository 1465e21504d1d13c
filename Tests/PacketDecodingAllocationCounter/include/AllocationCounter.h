#ifndef RPCREPLAY_ALLOCATION_COUNTER_H
#define RPCREPLAY_ALLOCATION_COUNTER_H

/// Test-only heap allocation counter. The test executable's malloc/calloc/realloc
/// forward to glibc and, between begin and end, count calls made by the thread
/// that called begin (other threads' allocations are ignored).
void rr_allocation_count_begin(void);
/// Stops counting and returns the number of allocations seen since begin
/// (-1 where the counter is not available, i.e. outside glibc).
long rr_allocation_count_end(void);

#endif
