#ifndef TOKENWATCH_CALLOCATOR_H
#define TOKENWATCH_CALLOCATOR_H

/*
 * jemalloc as TokenWatch's executables use it: the options built into them (see allocator.c) and what the
 * allocator runs with, so that the daemon can say so when it starts.
 */

#include <stddef.h>

/* The options built in, in jemalloc's `malloc_conf` syntax. MALLOC_CONF in the environment overrides them. */
const char *tw_allocator_builtin_options(void);

/* The value in effect of jemalloc's integer option `name` ("opt.lg_extent_max_active_fit"), or -1 when the
 * allocator has no such option (not jemalloc, or another version). */
long tw_allocator_option(const char *name);

#endif
