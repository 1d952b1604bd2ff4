#include "CAllocator.h"

#include <jemalloc/jemalloc.h>

/*
 * jemalloc reads `malloc_conf` at its first allocation, before MALLOC_CONF (which therefore still wins).
 *
 * lg_extent_max_active_fit: how much larger than a request a freed extent may be and still be split for it
 * (2^N times; jemalloc's default is 6, 64 times). libzmq receives into buffers of about 20 KiB, each freed once
 * every message in it has been decoded. While publishers outpace the daemon, 100 000 queued messages keep
 * thousands of those buffers alive; the freed ones coalesce into dirty extents of megabytes, which at 64 times
 * are too large to reuse, so jemalloc maps fresh pages for new buffers and purges the dirty ones later: a page
 * fault for every 4 KiB the stream brings (BENCHMARKS.md, "The allocator"). At 256 times they are reused.
 */
const char *malloc_conf = "lg_extent_max_active_fit:8";

long tw_allocator_option(const char *name) {
    size_t value = 0;
    size_t length = sizeof value;
    if (mallctl(name, &value, &length, NULL, 0) != 0) return -1;
    return (long)value;
}
