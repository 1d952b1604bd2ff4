#ifndef TOKENWATCH_CALLOCATOR_H
#define TOKENWATCH_CALLOCATOR_H

/*
 * jemalloc as TokenWatch's executables use it: options built into them (allocator.c; MALLOC_CONF in the
 * environment overrides them), and what the allocator runs with, so that the daemon can say so when it starts.
 */

/* The value in effect of jemalloc's integer option `name` ("opt.lg_extent_max_active_fit"), or -1 when the
 * allocator has no such option (not jemalloc, or another version). */
long tw_allocator_option(const char *name);

#endif
